//! The detector on hand-made series: level shifts, usual and unusual spikes, daily jobs, bad
//! input.

use super::*;
use crate::stats::Direction;
use chrono::{DateTime, Utc};

fn noise(i: u64) -> f64 {
    ((i * 7919) % 11) as f64 / 10.0
}

fn config() -> AnomalyConfig {
    AnomalyConfig::default()
        .with_baseline(100)
        .with_warm_up(100)
        .with_refractory(50)
        .with_season(None)
}

#[test]
fn level_shift_is_caught_once_and_the_new_level_is_learned_fast() {
    let mut d = AnomalyDetector::new(config()).unwrap();
    // Noise in [0, 1] (robust σ about 0.44); a shift of 0.6 makes no single point a spike
    // (z < 3) but moves an hour's median by about five standard errors.
    let alerts: Vec<_> = (0..1200u64)
        .filter_map(|i| {
            let level = if i >= 250 { 50.6 } else { 50.0 };
            // A spike on the new level, an hour and a half after the shift: judged
            // against the new level, not lost in a baseline still half old.
            let spike = if i == 400 { 5.0 } else { 0.0 };
            d.push(level + noise(i) + spike).unwrap()
        })
        .collect();
    assert!(
        matches!(
            alerts[0].kind,
            AnomalyKind::Shift {
                direction: Direction::Up,
                ..
            }
        ),
        "{alerts:?}"
    );
    assert!(
        alerts[0].index >= 250 && alerts[0].index < 262,
        "{alerts:?}"
    );
    assert_eq!(alerts.len(), 2, "{alerts:?}");
    assert_eq!(alerts[1].index, 400);
    assert!((alerts[1].baseline - 51.3).abs() < 0.2, "{alerts:?}");
}

/// False alarms on i.i.d. Gaussian noise, default settings, 80 detector-weeks (10 seeds × 8
/// weeks after a first week of warm-up). An alert must beat the record of the last week
/// (`record_window`, 2016 points), and on i.i.d. noise a point is the largest of itself and
/// the 2016 before it with probability 1/2017: about one new record a week, so spikes come at
/// about 1 a detector-week — 80 expected, within three Poisson standard deviations (±27).
/// Shifts are bounded at 2 a week (one record a week, doubled because a confirmed shift
/// restarts the records and a fresh record is beaten more often: ∑ 1/k over the week after
/// the refractory day is ln 7 ≈ 1.95), plus three standard deviations. The lower bound on
/// spikes keeps the test from being vacuous: the noise must beat records.
/// (`examples/false_alarms.rs` prints the rates over more seeds, and on a daily sine.)
#[test]
fn gaussian_noise_raises_about_one_record_a_week() {
    const WEEK: u64 = 2016;
    let weeks = 80.0;
    let (mut spikes, mut shifts) = (0.0, 0.0);
    for seed in 0..10 {
        let mut rng = crate::scenarios::Rng::new(seed);
        let mut d = AnomalyDetector::new(AnomalyConfig::default()).unwrap();
        for _ in 0..9 * WEEK {
            if let Some(alert) = d.push(100.0 + rng.normal()).unwrap()
                && alert.index >= WEEK
            {
                match alert.kind {
                    AnomalyKind::Spike { .. } => spikes += 1.0,
                    AnomalyKind::Shift { .. } => shifts += 1.0,
                }
            }
        }
    }
    let spike_rate: f64 = 1.0;
    let expected = spike_rate * weeks;
    assert!(
        (spikes - expected).abs() <= 3.0 * expected.sqrt(),
        "{spikes} spikes in {weeks} weeks"
    );
    let shift_bound: f64 = 2.0 * weeks;
    assert!(
        shifts <= shift_bound + 3.0 * shift_bound.sqrt(),
        "{shifts} shifts in {weeks} weeks"
    );
}

#[test]
fn a_usual_spike_stops_alerting_and_a_bigger_one_does() {
    let mut d = AnomalyDetector::new(
        AnomalyConfig::default()
            .with_baseline(50)
            .with_warm_up(50)
            .with_refractory(10)
            .with_record_window(Some(500))
            .with_season(None),
    )
    .unwrap();
    let alerts: Vec<u64> = (0..1000u64)
        .filter_map(|i| {
            // A job: the same spike every 100 points, a little smaller each time.
            let job = if i % 100 == 0 && i > 0 {
                100.0 - (i / 100) as f64
            } else {
                0.0
            };
            let incident = if i == 950 { 1000.0 } else { 0.0 };
            d.push(50.0 + noise(i) + job + incident)
                .unwrap()
                .map(|a| a.index)
        })
        .collect();
    assert_eq!(alerts, [100, 950]);
}

/// The seasonal tests' detector: 12 points a day, a baseline of two days, and a record window
/// shorter than a day, so that only the season can explain a job.
fn job_config(season: Season) -> AnomalyConfig {
    AnomalyConfig::default()
        .with_baseline(24)
        .with_short_window(4)
        .with_warm_up(24)
        .with_record_window(Some(8))
        .with_refractory(4)
        .with_season(Some(season))
}

#[test]
fn a_daily_job_is_learned_and_an_off_hours_spike_is_not() {
    // 12 points a day, a job at slot 3 every day, larger than anything else; the record
    // window is shorter than a day's spacing, so only the season can explain it.
    let base = job_config(Season::new(12, 12, 3));
    let run = |config: AnomalyConfig| -> Vec<u64> {
        let mut d = AnomalyDetector::new(config).unwrap();
        (0..240u64)
            .filter_map(|i| {
                // A little smaller each day: each day's job is explained by the day before.
                let value = match i {
                    200 => 60.0,
                    _ if i % 12 == 3 => 50.0 - (i / 12) as f64 * 0.5,
                    _ => 10.0 + noise(i),
                };
                d.push(value).unwrap().map(|a| a.index)
            })
            .collect()
    };
    let with_season = run(base);
    assert!(with_season.contains(&200), "{with_season:?}");
    assert!(
        with_season.iter().all(|i| *i == 200 || *i < 48),
        "{with_season:?}"
    );
    // Without the season, the job is raised again whenever the record has forgotten it.
    let without = run(base.with_season(None));
    assert!(
        without.iter().filter(|i| **i % 12 == 3 && **i > 48).count() > 5,
        "{without:?}"
    );
}

/// A weekly job (a Sunday backup): 12 points a day, 84 a week, the job at one point of the
/// week, larger than anything else, and a little smaller each week. The daily season remembers
/// three days and the record window is shorter than a day, so only the weekly season can
/// explain it; a spike at the same hour on another day of the week is still raised.
#[test]
fn a_weekly_job_is_learned_and_the_same_hour_on_another_day_is_not() {
    let base = job_config(Season::new(12, 12, 3).with_weeks(4));
    // The job at point 40 of each week (day 3, hour 4); the spike at the job's hour four days
    // after the sixth week's job, beyond the daily season's memory (point 4 of the seventh
    // week).
    let spike = 6 * 84 + 4;
    let run = |config: AnomalyConfig| -> Vec<u64> {
        let mut d = AnomalyDetector::new(config).unwrap();
        (0..8 * 84u64)
            .filter_map(|i| {
                let value = if i == spike {
                    60.0
                } else if i % 84 == 40 {
                    50.0 - (i / 84) as f64 * 0.5
                } else {
                    10.0 + noise(i)
                };
                d.push(value).unwrap().map(|a| a.index)
            })
            .collect()
    };
    let jobs = |alerts: &[u64]| alerts.iter().filter(|i| **i % 84 == 40).count();
    let weekly = run(base);
    assert!(weekly.contains(&spike), "{weekly:?}");
    // The first week's job is new; every later one is explained by the week before.
    assert_eq!(jobs(&weekly), 1, "{weekly:?}");
    assert!(weekly.iter().all(|i| *i == spike || *i < 84), "{weekly:?}");
    // Without the weekly season, the job is raised every week but the seventh, which the
    // larger spike at its hour three days before explains.
    let daily_only = run(base.with_season(Some(Season::new(12, 12, 3))));
    assert_eq!(jobs(&daily_only), 7, "{daily_only:?}");
}

/// Missing points: the daily job of the test above (12 points a day, the job at the fourth).
/// A gap of five points across midnight, skipped, leaves the job at its time of day and
/// explained; dropped without a skip, every later point is read five slots early and the job is
/// raised again as new. A gap of four days, longer than the three remembered, empties the
/// season: the first job after it is new.
#[test]
fn skipped_points_keep_the_season_at_its_time_of_day() {
    let config = job_config(Season::new(12, 12, 3));
    let run = |gap: std::ops::Range<u64>, skip: bool| -> Vec<u64> {
        let mut d = AnomalyDetector::new(config).unwrap();
        let mut alerts = Vec::new();
        for i in 0..240u64 {
            if gap.contains(&i) {
                if skip {
                    d.skip(1);
                }
                continue;
            }
            let value = if i % 12 == 3 {
                50.0 - (i / 12) as f64 * 0.1
            } else {
                10.0 + noise(i)
            };
            if let Some(a) = d.push(value).unwrap() {
                alerts.push(i);
                // After the gap, the index the detector gives is the series' own only when
                // the gap is skipped.
                assert_eq!(a.index == i, skip || i < gap.start, "{i} {a:?}");
            }
        }
        alerts
    };
    let skipped = run(69..74, true);
    assert!(skipped.iter().all(|i| *i < 48), "{skipped:?}");
    let dropped = run(69..74, false);
    assert!(
        dropped.iter().any(|i| *i > 74 && i % 12 == 3),
        "{dropped:?}"
    );
    let long = run(100..148, true);
    assert_eq!(long.iter().find(|i| **i >= 148), Some(&159), "{long:?}");
}

/// A day longer than `MAX_WINDOW` points is refused (the slot arithmetic stays far from
/// overflowing wherever a skip moves the index), and a gap over a memory of a million days
/// stores each day once and works out the comparison once: linear (a close each, recomputing
/// the comparison every time, was quadratic: a review measured 15 s for 16,384 days, so this
/// million would not finish).
#[test]
fn a_skip_is_bounded_by_the_season_it_moves() {
    match AnomalyDetector::new(config().with_season(Some(Season::new(1 << 50, 1 << 15, 1)))) {
        Err(Error::InvalidConfig { field, .. }) => assert_eq!(field, "season.period"),
        other => panic!("{other:?}"),
    }
    let mut d =
        AnomalyDetector::new(config().with_season(Some(Season::new(2, 1, 1 << 20)))).unwrap();
    d.push(1.0).unwrap();
    d.skip(u64::MAX / 2);
    d.push(1.0).unwrap();
    assert_eq!(d.next_index(), u64::MAX / 2 + 2);
}

/// A gap of any length closes at most the remembered days, and the index saturates.
#[test]
fn a_huge_skip_is_bounded_and_the_detector_goes_on() {
    let mut d = AnomalyDetector::new(config().with_season(Some(Season::new(12, 12, 3)))).unwrap();
    for i in 0..200u64 {
        d.push(10.0 + noise(i)).unwrap();
    }
    d.skip(u64::MAX / 2);
    d.skip(u64::MAX);
    assert_eq!(d.next_index(), u64::MAX);
    for i in 0..50u64 {
        assert!(d.push(10.0 + noise(i)).is_ok());
    }
    assert_eq!(d.next_index(), u64::MAX);
}

#[test]
fn bad_input_is_typed_and_leaves_the_detector_unchanged() {
    let mut d = AnomalyDetector::new(config()).unwrap();
    assert!(matches!(
        d.push(f64::NAN),
        Err(Error::InvalidValue { index: 0, .. })
    ));
    for bad in [
        config().with_spike_sigma(0.0),
        config().with_shift_sigma(Some(f64::NAN)),
        config().with_short_window(0),
        config().with_short_window(101),
        config().with_record_window(Some(0)),
        config().with_season(Some(Season::new(10, 11, 1))),
    ] {
        assert!(AnomalyDetector::new(bad).is_err(), "{bad:?}");
    }
    // The weeks are checked like the days.
    for (bad, named) in [
        (Season::new(10, 10, 0).with_weeks(1), "season.days"),
        (
            Season::new(2016, 168, 7).with_weeks(usize::MAX),
            "season.weeks",
        ),
        (
            Season::new(2016, 168, usize::MAX).with_weeks(1),
            "season.days",
        ),
    ] {
        match AnomalyDetector::new(config().with_season(Some(bad))) {
            Err(Error::InvalidConfig { field, .. }) => assert_eq!(field, named, "{bad:?}"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
}

/// The plain median/MAD family: no record, no shift, no season; a point 5 σ out is
/// flagged, then nothing during the cooldown, and again after it.
#[test]
fn median_mad_flags_every_outlier_outside_the_cooldown() {
    let mut d = AnomalyDetector::new(AnomalyConfig::median_mad(100, 5.0, 30)).unwrap();
    let alerts: Vec<u64> = (0..400u64)
        .filter_map(|i| {
            let v = if [200, 210, 250].contains(&i) {
                80.0
            } else {
                50.0 + noise(i)
            };
            d.push(v).unwrap().map(|a| a.index)
        })
        .collect();
    // 210 falls in the cooldown of 200; 250 does not, and is as large as 200 (no record).
    assert_eq!(alerts, [200, 250]);
}

/// Value records: a spike up must beat every value of the record window, however quiet
/// the day it comes on.
#[test]
fn value_records_raise_only_new_extremes() {
    let base = config()
        .with_record_window(Some(600))
        .with_refractory(5)
        .with_shift_sigma(None);
    let run = |config: AnomalyConfig| -> Vec<u64> {
        let mut d = AnomalyDetector::new(config).unwrap();
        (0..900u64)
            .filter_map(|i| {
                // Noisy at first, then quiet: the burst at 700 is smaller than the one at
                // 300 but far more surprising against the quiet spread.
                let noise = if i < 500 { 10.0 * noise(i) } else { noise(i) };
                let burst = match i {
                    300 => 60.0,
                    700 => 40.0,
                    _ => 0.0,
                };
                d.push(50.0 + noise + burst).unwrap().map(|a| a.index)
            })
            .collect()
    };
    let by_value = run(base.with_record_kind(RecordKind::Value));
    assert!(
        by_value.contains(&300) && !by_value.contains(&700),
        "{by_value:?}"
    );
    let by_surprise = run(base.with_record_kind(RecordKind::Surprise));
    assert!(by_surprise.contains(&700), "{by_surprise:?}");
}

/// Issue 17: finite values near `f64::MAX` overflowed the median into NaN, after which every
/// push was refused; and the state changed before the error.
#[test]
fn values_near_f64_max_are_refused_without_bricking_the_detector() {
    let mut d = AnomalyDetector::new(config()).unwrap();
    let mut reference = AnomalyDetector::new(config()).unwrap();
    for i in 0..300u64 {
        let v = 50.0 + noise(i);
        assert_eq!(d.push(v).unwrap(), reference.push(v).unwrap());
        if i % 7 == 0 {
            for huge in [f64::MAX, -f64::MAX, 1e300] {
                let err = d.push(huge).unwrap_err();
                assert!(
                    matches!(err, Error::InvalidValue { index, .. } if index == i + 1),
                    "{err}"
                );
            }
        }
    }
    // The refused values changed nothing: both detectors see the same incident alike.
    for i in 300..600u64 {
        let v = if i == 450 { 500.0 } else { 50.0 + noise(i) };
        assert_eq!(d.push(v).unwrap(), reference.push(v).unwrap());
    }
    // The largest accepted magnitudes keep every reading finite.
    let mut edge = AnomalyDetector::new(config()).unwrap();
    for i in 0..400u64 {
        let v = if i % 2 == 0 {
            crate::MAX_MAGNITUDE
        } else {
            -crate::MAX_MAGNITUDE
        };
        if let Some(a) = edge.push(v).unwrap() {
            assert!(a.baseline.is_finite(), "{a:?}");
        }
    }
    assert!(edge.push(1.0).is_ok());
}

/// The timed detector on a real CloudWatch series with its own gaps (NAB's ELB request count,
/// eight periods missing): each point's index is its period since the first, and the alerts are
/// those of the index-based detector with the same periods skipped.
#[test]
fn the_timed_detector_skips_the_missing_periods_of_a_real_series() {
    let csv = include_str!("../../tests/data/nab/elb_request_count_8c0756.csv");
    let points: Vec<(DateTime<Utc>, f64)> = csv
        .lines()
        .skip(1)
        .map(|line| {
            let (time, value) = line.split_once(',').unwrap();
            let time = chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S").unwrap();
            (time.and_utc(), value.trim().parse().unwrap())
        })
        .collect();
    let t0 = points[0].0;
    let period = |at: DateTime<Utc>| ((at - t0).num_seconds() / 300) as u64;
    let mut timed = TimedAnomalyDetector::new(
        AnomalyConfig::default(),
        aws_telemetry::Period::new(300).unwrap(),
    )
    .unwrap();
    let found = timed.detect(&points).unwrap();
    let last = points.last().unwrap().0;
    assert_eq!(timed.detector().next_index(), period(last) + 1);
    assert_eq!(period(last) + 1 - points.len() as u64, 8, "the file's gaps");
    let mut by_index = AnomalyDetector::new(AnomalyConfig::default()).unwrap();
    let mut expected = Vec::new();
    for &(at, value) in &points {
        by_index.skip(period(at) - by_index.next_index());
        if let Some(anomaly) = by_index.push(value).unwrap() {
            expected.push((at, anomaly));
        }
    }
    assert!(!expected.is_empty());
    let found: Vec<_> = found.iter().map(|f| (f.at, f.anomaly)).collect();
    assert_eq!(found, expected);
    assert!(found.iter().all(|(at, a)| a.index == period(*at)));
}

/// Times out of order, on no grid, and refused values are typed errors that leave the timed
/// detector as it was: it then goes on exactly as one that never saw them.
#[test]
fn the_timed_detector_refuses_bad_times_and_values_unchanged() {
    use chrono::TimeDelta;
    let t0 = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
    let at = |minutes: i64| t0 + TimeDelta::minutes(minutes);
    let config = config();
    let new = || TimedAnomalyDetector::new(config, aws_telemetry::Period::MINUTE).unwrap();
    let (mut faulty, mut clean) = (new(), new());
    for m in 0..300 {
        let value = if m == 250 {
            90.0
        } else {
            50.0 + noise(m as u64)
        };
        if m == 120 {
            assert!(matches!(
                faulty.push(at(m - 1), 1.0),
                Err(Error::OutOfOrder { .. })
            ));
            assert!(matches!(
                faulty.push(at(m - 2), 1.0),
                Err(Error::OutOfOrder { .. })
            ));
            match faulty.push(at(m) + TimeDelta::seconds(7), 1.0) {
                Err(Error::InvalidInput { field, value, .. }) => {
                    assert_eq!((field, value), ("at", 7.0));
                }
                other => panic!("{other:?}"),
            }
            assert!(matches!(
                faulty.push(at(m + 3), f64::NAN),
                Err(Error::InvalidValue { index: 123, .. })
            ));
        }
        assert_eq!(
            faulty.push(at(m), value).unwrap(),
            clean.push(at(m), value).unwrap()
        );
        assert_eq!(
            faulty.detector().next_index(),
            clean.detector().next_index()
        );
    }
    assert_eq!(clean.detector().next_index(), 300);
}

/// The fuzz target's leap-second input: chrono orders 2017-01-01 00:00:00 after the leap
/// second 2016-12-31 23:59:60, but no time passes between them. Taken, it made a period of -1
/// and skipped 2^64 - 1 points, the index stuck at `u64::MAX` for good; it is out of order.
/// And a time a fraction of a second off the grid names that fraction.
#[test]
fn the_timed_detector_refuses_the_second_after_a_leap_second_and_names_fractions() {
    use chrono::{NaiveDate, TimeDelta};
    let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
        .and_then(|d| d.and_hms_milli_opt(23, 59, 59, 1_000))
        .unwrap()
        .and_utc();
    let next = NaiveDate::from_ymd_opt(2017, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap()
        .and_utc();
    assert!(next > leap && next - leap == TimeDelta::zero());
    let mut timed = TimedAnomalyDetector::new(config(), aws_telemetry::Period::MINUTE).unwrap();
    timed.push(leap, 1.0).unwrap();
    match timed.push(next, 1.0) {
        Err(Error::OutOfOrder { previous, at }) => assert_eq!((previous, at), (leap, next)),
        other => panic!("{other:?}"),
    }
    assert_eq!(timed.detector().next_index(), 1);
    timed.push(next + TimeDelta::minutes(1), 1.0).unwrap();
    assert_eq!(timed.detector().next_index(), 2);
    match timed.push(
        next + TimeDelta::minutes(2) + TimeDelta::milliseconds(250),
        1.0,
    ) {
        Err(Error::InvalidInput { field, value, .. }) => assert_eq!((field, value), ("at", 0.25)),
        other => panic!("{other:?}"),
    }
}
