//! Minimal deterministic cases of defects fixed in F2, F3 and F7, each able to fail if the fix
//! is undone (the game days' grace windows and finding counts hid them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use failure_modes::scenarios::Rng;
use failure_modes::{
    AccessSample, BucketExposure, Detector, Finding, PublicDataLeak, QuotaSample, QuotaSignal,
    ServiceQuotaHit,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
}

fn public(public: bool) -> BucketExposure {
    let mut facts = BucketExposure::new("exports");
    facts.policy_is_public = Some(public);
    facts
}

fn is_spike(finding: &Finding) -> bool {
    finding.evidence.detail.contains("requests a minute")
}

/// F7, either order: the bucket is made public at 02:20, downloaded from 02:30 to 02:50 at
/// 5000 requests a minute (usually 20), and the hourly scan sees it public only at 03:00.
/// The scan reports the exposure and the download, the latter with its own start.
#[test]
fn f7_a_download_before_the_scan_saw_the_bucket_public_is_reported_with_the_scan() {
    let mut f7 = PublicDataLeak::new(public(false), Default::default()).unwrap();
    let download = t0() + Duration::minutes(150);
    let mut found = Vec::new();
    for m in 0..240 {
        let at = t0() + Duration::minutes(m);
        if m % 60 == 0 {
            found.extend(f7.scan(at, public(m >= 180)).unwrap());
        }
        let downloading = at >= download && at < download + Duration::minutes(20);
        found.extend(
            f7.push(AccessSample {
                at,
                requests: if downloading {
                    5000.0
                } else {
                    20.0 + (m % 5) as f64
                },
            })
            .unwrap(),
        );
    }
    let seen = t0() + Duration::hours(3);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(!is_spike(&found[0]) && found[0].start == seen, "{found:#?}");
    assert!(is_spike(&found[1]), "{found:#?}");
    assert_eq!((found[1].start, found[1].end), (download, seen));
}

/// F7, sparse bucket: three reads a day, hours apart (minutes without requests publish no
/// datapoint). A week later a 30-minute download — shorter than the 60-minute warm-up — is
/// reported: the silences count as minutes of history, not as a fresh start.
#[test]
fn f7_a_sparse_bucket_does_not_restart_its_warm_up() {
    let mut f7 = PublicDataLeak::new(public(true), Default::default()).unwrap();
    let download = 7 * 1440 + 10 * 60;
    let samples = (0..8 * 1440)
        .filter(|m| m % 480 == 7 || (download..download + 30).contains(m))
        .map(|m| AccessSample {
            at: t0() + Duration::minutes(m),
            requests: if m >= download { 40.0 } else { 2.0 },
        });
    let found = f7.detect(samples).unwrap();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(is_spike(&found[1]), "{found:#?}");
    assert_eq!(found[1].start, t0() + Duration::minutes(download));
}

/// The sixth blind game day: a page at 101 % of the quota, after three days of a daily cycle
/// peaking at 50 %, said "projected to reach it at" a date nine days ahead (the trend line
/// lags the step). The quota is reached: no forecast.
#[test]
fn f3_a_quota_already_reached_has_no_forecast() {
    let signal =
        QuotaSignal::resource_count("vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand").unwrap();
    let mut f3 = ServiceQuotaHit::new(signal, Default::default()).unwrap();
    let found = f3
        .detect((0..4 * 288).map(|i| {
            let cycle = 400.0 + 100.0 * (std::f64::consts::PI * (i % 288) as f64 / 288.0).sin();
            QuotaSample {
                at: t0() + Duration::minutes(5 * i),
                usage: if i >= 3 * 288 { 1010.0 } else { cycle },
            }
        }))
        .unwrap();
    let page = found
        .iter()
        .find(|f| f.severity == failure_modes::Severity::Page)
        .expect("a page at 101 %");
    assert_eq!(page.forecast, None, "{page}");
    assert!(page.evidence.detail.ends_with(", reached"), "{page}");
}

/// F3 re-ticketed "exhaustion now" after a leak was fixed: usage falls back while the day's
/// peak (the trend's input) still remembers the leak. Usage swings daily between 30 % and 60 %
/// of the quota; from day 3 a leak adds 10 % a day, ticketed as it climbs; fixed at midnight of
/// day 6. The night after the fix is below the forecast share (the incident clears), and the
/// next morning's usage is back above it: nothing may be raised from the fix on.
#[test]
fn f3_a_fixed_leak_is_not_ticketed_again() {
    let signal =
        QuotaSignal::resource_count("vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand").unwrap();
    let mut f3 = ServiceQuotaHit::new(signal, Default::default()).unwrap();
    let day = 288;
    let fixed = 6 * day;
    let found = f3
        .detect((0..10 * day).map(|i| {
            let daily = 150.0 * (std::f64::consts::TAU * (i % day) as f64 / day as f64).sin();
            let leak = if (3 * day..fixed).contains(&i) {
                100.0 * (i - 3 * day) as f64 / day as f64
            } else {
                0.0
            };
            QuotaSample {
                at: t0() + Duration::minutes(5 * i as i64),
                usage: 450.0 + daily + leak,
            }
        }))
        .unwrap();
    let fixed_at = t0() + Duration::minutes(5 * fixed as i64);
    assert!(!found.is_empty(), "the leak is ticketed");
    assert!(found.iter().all(|f| f.end < fixed_at), "{found:#?}");
}

/// F7 (review of 2026-12-06): a leak cut short by making the bucket private mid-download was
/// learned into the record of the busiest minutes as the bucket's own burst (whether it was
/// decided by the exposure when the burst ended), so the same leak after the bucket was
/// exposed again two days later was no spike. A burst on a bucket public at any of its
/// minutes is never learned into the record.
#[test]
fn f7_a_leak_cut_short_by_making_the_bucket_private_is_not_learned() {
    // Made public while watched, an hour before the first leak (a bucket already public at
    // the first sample is given a day before its spikes are reported).
    let mut f7 = PublicDataLeak::new(public(false), Default::default()).unwrap();
    let leak =
        |at: DateTime<Utc>, from: DateTime<Utc>| at >= from && at < from + Duration::minutes(30);
    let (first, second) = (
        t0() + Duration::hours(10),
        t0() + Duration::days(2) + Duration::hours(15),
    );
    let mut spikes = Vec::new();
    for m in 0..3 * 1440 {
        let at = t0() + Duration::minutes(m);
        if at == first - Duration::hours(1) {
            spikes.extend(f7.scan(at, public(true)).unwrap());
        }
        if at == first + Duration::minutes(20) {
            spikes.extend(f7.scan(at, public(false)).unwrap());
        }
        if at == second - Duration::hours(1) {
            spikes.extend(f7.scan(at, public(true)).unwrap());
        }
        let requests = if leak(at, first) || leak(at, second) {
            5000.0
        } else {
            20.0 + (m % 5) as f64
        };
        spikes.extend(f7.push(AccessSample { at, requests }).unwrap());
    }
    let starts: Vec<DateTime<Utc>> = spikes
        .iter()
        .filter(|f| is_spike(f))
        .map(|f| f.start)
        .collect();
    assert_eq!(starts, [first, second], "{spikes:#?}");
}

/// F3 on `usage(i)` at five-minute samples `0..samples`, default settings, quota 1,000.
fn f3_findings(samples: usize, mut usage: impl FnMut(usize) -> f64) -> Vec<Finding> {
    let signal =
        QuotaSignal::resource_count("vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand").unwrap();
    ServiceQuotaHit::new(signal, Default::default())
        .unwrap()
        .detect((0..samples).map(|i| QuotaSample {
            at: t0() + Duration::minutes(5 * i as i64),
            usage: usage(i),
        }))
        .unwrap()
}

/// F3 read a step in usage as a trend (second blind game day, drill D-3d, 20 of 20 seeds): the
/// daily peak's least-squares line over one day rose through the step, and a load test or a
/// deploy that moved usage from 30 % to 72 % of the quota (under the 80 % warning) was
/// ticketed as "exhaustion in 6 days". A step, for six hours or for good, is no trend: a
/// forecast needs the peak to climb over each of two whole days.
#[test]
fn f3_a_step_in_usage_is_not_a_trend() {
    let day = 288;
    for (label, step_ends) in [("six hours", 4 * day + 72), ("for good", usize::MAX)] {
        for seed in 0..5 {
            // Noise of 1 % of the quota.
            let mut rng = Rng::new(seed);
            let found = f3_findings(8 * day, |i| {
                let stepped = (4 * day..step_ends).contains(&i);
                let level: f64 = if stepped { 700.0 } else { 300.0 };
                (level + 10.0 * rng.normal()).round()
            });
            assert!(found.is_empty(), "a step {label}, seed {seed}: {found:#?}");
        }
    }
}

/// A weekly cycle is no trend either: weekdays peak at 65 % of the quota, weekends at 25 %, so
/// every Monday's daily peak steps up from Sunday's.
#[test]
fn f3_a_weekly_cycle_is_not_a_trend() {
    let day = 288;
    for seed in 0..5 {
        let mut rng = Rng::new(seed);
        let found = f3_findings(21 * day, |i| {
            // 2026-11-02 is a Monday.
            let weekday = (i / day) % 7 < 5;
            let daily = (std::f64::consts::PI * (i % day) as f64 / day as f64).sin();
            let (night, swing) = if weekday {
                (150.0, 500.0)
            } else {
                (100.0, 150.0)
            };
            (night + swing * daily + 10.0 * rng.normal()).round()
        });
        assert!(found.is_empty(), "seed {seed}: {found:#?}");
    }
}

/// The forecast still comes from a leak on a daily cycle, with its date: usage swings daily
/// between 30 % and 60 % of the quota; from day 4 a leak adds 5 % a day, so the daily peak
/// reaches the quota on day 12. The ticket comes from the forecast (below the 80 % warning),
/// days ahead, and the forecast is within a day of the first sample at the quota. (A forecast
/// from the halves of one day's window missed this: on a daily cycle the peak rises only
/// during the morning ramp, so one half is always flat.)
#[test]
fn f3_a_leak_on_a_daily_cycle_is_forecast_with_its_date() {
    let day = 288;
    let usage = |i: usize| {
        let daily = 150.0 * (std::f64::consts::TAU * (i % day) as f64 / day as f64).sin();
        let leak = 50.0 * i.saturating_sub(4 * day) as f64 / day as f64;
        (450.0 + daily + leak).min(1000.0)
    };
    let reached = (0..).find(|&i| usage(i) >= 1000.0).unwrap();
    let reached_at = t0() + Duration::minutes(5 * reached as i64);
    let found = f3_findings(reached, usage);
    let first = found.first().expect("the leak is ticketed");
    assert!(first.evidence.score < 0.8, "{first}");
    assert!(reached_at - first.end >= Duration::days(3), "{first}");
    let forecast = first.forecast.expect("a forecast");
    assert!(
        (forecast - reached_at).abs() <= Duration::days(1),
        "forecast {forecast}, reached {reached_at}: {first}"
    );
}

/// The spike pages F7 raises on a bucket public from the start, fed `requests(minute, rng)`
/// for `days` (Poisson noise from a fixed seed); the exposure's own page is left out.
fn f7_spikes(days: i64, requests: impl FnMut(i64, &mut Rng) -> f64) -> Vec<Finding> {
    f7_spikes_with_scans(days, true, &[], requests)
}

/// As [`f7_spikes`], on a bucket public at first or not, with a scan seeing it `public` at each
/// `(minute, public)` of `scans`.
fn f7_spikes_with_scans(
    days: i64,
    public_at_first: bool,
    scans: &[(i64, bool)],
    mut requests: impl FnMut(i64, &mut Rng) -> f64,
) -> Vec<Finding> {
    f7_sparse_spikes(days, public_at_first, scans, |m, rng| {
        Some(requests(m, rng))
    })
}

/// As [`f7_spikes_with_scans`], with no datapoint at the minutes `requests` gives `None` for
/// (CloudWatch sends S3 request metrics only for minutes with requests).
fn f7_sparse_spikes(
    days: i64,
    public_at_first: bool,
    scans: &[(i64, bool)],
    mut requests: impl FnMut(i64, &mut Rng) -> Option<f64>,
) -> Vec<Finding> {
    let mut f7 = PublicDataLeak::new(public(public_at_first), Default::default()).unwrap();
    let mut rng = Rng::new(1);
    let mut found = Vec::new();
    for m in 0..days * 1440 {
        let at = t0() + Duration::minutes(m);
        for &(_, is_public) in scans.iter().filter(|(minute, _)| *minute == m) {
            found.extend(f7.scan(at, public(is_public)).unwrap());
        }
        if let Some(requests) = requests(m, &mut rng) {
            found.extend(f7.push(AccessSample { at, requests }).unwrap());
        }
    }
    found.retain(is_spike);
    found
}

/// The minutes since `t0` at which `spikes` start.
fn starts(spikes: &[Finding]) -> Vec<i64> {
    spikes
        .iter()
        .map(|f| (f.start - t0()).num_minutes())
        .collect()
}

/// Reads of 10 a minute (Poisson), and `bursts` as `(first minute, minutes, reads a minute)`.
fn with_bursts(bursts: &[(i64, i64, f64)]) -> impl FnMut(i64, &mut Rng) -> f64 + '_ {
    move |m, rng| {
        let usual = rng.poisson(10.0);
        bursts
            .iter()
            .find(|(from, minutes, _)| (*from..from + minutes).contains(&m))
            .map_or(usual, |(_, _, reads)| *reads)
    }
}

/// The repeat rule's bounds (review of the third blind round's fix): within a day of a
/// reported spike, a spike `min_ratio` times its size pages, and so does one that lasts
/// `min_ratio` times as long (an hour's download after a five-minute burst, at twice its
/// reads: reported once it has lasted three times as long, with its own start); a burst like
/// the reported one does not. The bucket is made public while watched, at 01:00.
#[test]
fn f7_a_spike_beyond_a_reported_one_in_size_or_length_pages() {
    let (burst, larger, download, again) = (1560, 1980, 2340, 2640);
    let found = f7_spikes_with_scans(
        2,
        false,
        &[(60, true)],
        with_bursts(&[
            (burst, 5, 50.0),
            (larger, 5, 200.0),
            (download, 60, 100.0),
            (again, 5, 60.0),
        ]),
    );
    assert_eq!(starts(&found), [burst, larger, download], "{found:#?}");
    let download_page = &found[2];
    assert_eq!(
        (download_page.end - download_page.start).num_minutes(),
        14,
        "{download_page}"
    );
}

/// A bucket made private and then public again is a new exposure: its spikes are judged
/// afresh, a burst like the one reported before it included. Public at 01:00, a burst at
/// 02:00, private at 03:00, public again at 05:00, the same burst at 06:00: both page.
#[test]
fn f7_a_bucket_made_public_again_judges_its_spikes_afresh() {
    let found = f7_spikes_with_scans(
        1,
        false,
        &[(60, true), (180, false), (300, true)],
        with_bursts(&[(120, 5, 50.0), (360, 5, 50.0)]),
    );
    assert_eq!(starts(&found), [120, 360], "{found:#?}");
}

/// The first-day rule is for a bucket already public at the first sample: one seen private at
/// 06:00 and public again at 07:00 was made public while watched, and its burst at 08:00 pages.
/// A download that starts in the first day and goes on past it pages too, with its own start
/// (review of the third blind round's fix: a leak from 23:30 for six hours was never reported).
#[test]
fn f7_the_first_day_rule_ends_with_a_new_exposure_or_the_day() {
    let found = f7_spikes_with_scans(
        1,
        true,
        &[(360, false), (420, true)],
        with_bursts(&[(480, 5, 50.0)]),
    );
    assert_eq!(starts(&found), [480], "{found:#?}");
    let found = f7_spikes(2, with_bursts(&[(1410, 360, 40.0)]));
    assert_eq!(starts(&found), [1410], "{found:#?}");
}

/// Review 16b of the eighth round's F7 change (a public bucket's unreported bursts learned):
/// a download on a private bucket reported by a scan that sees the bucket public 50 minutes
/// after it ended joined the record before the scan came (its burst was over), so a smaller
/// leak two days later at another hour was missed. A burst waits, unjudged, as long as its
/// spike can still be reported. Both scans here report the download and the later leak.
#[test]
fn f7_a_download_reported_by_a_late_scan_is_not_learned() {
    for scan_at in [175, 210] {
        let second = 2 * 1440 + 600;
        let spikes = f7_spikes_with_scans(4, false, &[(scan_at, true)], |m, _| {
            if (150..160).contains(&m) {
                5000.0
            } else if (second..second + 20).contains(&m) {
                3000.0
            } else {
                20.0 + (m % 5) as f64
            }
        });
        assert_eq!(
            starts(&spikes),
            [150, second],
            "scan at {scan_at}: {spikes:#?}"
        );
    }
}

/// Review 16b: a reported leak's second wave three hours later, under `min_ratio` times it,
/// is that incident going on, not reported, and so was learned as a usual peak: a fresh leak
/// two days later at another hour, above the first but under the wave, was missed. The wave
/// joins the record no higher than the reported leak's peak.
#[test]
fn f7_a_leaks_second_wave_does_not_become_the_mark_a_new_leak_must_beat() {
    let (first, wave, fresh) = (1440 + 600, 1440 + 780, 3 * 1440 + 960);
    let spikes = f7_spikes_with_scans(5, false, &[(60, true)], |m, _| {
        if (first..first + 20).contains(&m) {
            5000.0
        } else if (wave..wave + 20).contains(&m) {
            9000.0
        } else if (fresh..fresh + 20).contains(&m) {
            6000.0
        } else {
            20.0 + (m % 5) as f64
        }
    });
    assert_eq!(starts(&spikes), [first, fresh], "{spikes:#?}");
}

/// Review 16b, left then: a burst held out of the record counted only minutes with a
/// datapoint as quiet, but CloudWatch sends S3 request metrics only for minutes with requests,
/// and F7 reads a minute without one as none. On a bucket read once every half hour, the first
/// day's burst waited about seven hours (fifteen sparse reads) to join the record, and a burst
/// no larger four hours later, at 02:00 the next day, paged. The missing minutes count as quiet.
#[test]
fn f7_a_sparse_buckets_burst_joins_the_record_through_minutes_without_datapoints() {
    let (first, second) = (22 * 60, 26 * 60);
    let spikes = |second_peak: f64| {
        f7_sparse_spikes(2, true, &[], |m, _| {
            if (first..first + 10).contains(&m) {
                Some(2000.0)
            } else if (second..second + 10).contains(&m) {
                Some(second_peak)
            } else {
                (m % 30 == 0).then_some(3.0)
            }
        })
    };
    let below = spikes(1800.0);
    assert!(below.is_empty(), "{below:#?}");
    // The same reads with the second burst above the first still page.
    let above = spikes(6000.0);
    assert_eq!(starts(&above), [second], "{above:#?}");
}

/// Review 17: F7's record of the busiest minutes kept one entry per hour *with a datapoint*,
/// so on a bucket read every three hours "the last week" reached back about three weeks, and a
/// burst eight days after a larger one was not a spike. Hours without a datapoint had no
/// requests: the record spans a week of time. Five days after, the burst is still covered.
#[test]
fn f7_a_sparse_buckets_record_spans_a_week_of_time_not_of_hours_with_data() {
    let first = 22 * 60;
    let spikes = |second: i64| {
        f7_sparse_spikes(10, true, &[], |m, _| {
            if (first..first + 10).contains(&m) {
                Some(2000.0)
            } else if (second..second + 10).contains(&m) {
                Some(1800.0)
            } else {
                (m % 180 == 0).then_some(3.0)
            }
        })
    };
    let within = spikes(5 * 1440 + 120);
    assert!(within.is_empty(), "{within:#?}");
    let after = 8 * 1440 + 120;
    let beyond = spikes(after);
    assert_eq!(starts(&beyond), [after], "{beyond:#?}");
}

/// F7 paged every burst of a public bucket for a day after its read rate doubled (third blind
/// game day, R2: one page per burst): a public bucket's reported spikes are never learned (a
/// leak must not become the mark the next must beat), so the bursts at twice their old size topped the
/// record until the time-of-day habit covered them a day later. A spike under `min_ratio`
/// times one already reported in the last day is that incident going on, not a new one:
/// the doubling pages once.
#[test]
fn f7_a_public_buckets_doubled_bursts_page_once() {
    let found = f7_spikes(10, |m, rng| {
        let base = if m >= 8 * 1440 + 720 { 20.0 } else { 10.0 };
        let burst = if m % 30 < 5 { 3.5 } else { 1.0 };
        rng.poisson(burst * base)
    });
    assert_eq!(found.len(), 1, "{found:#?}");
}

/// On a bucket already public at the first sample, F7 paged the first burst of the bucket's
/// own traffic (third blind game day, R1: 25 pages on its first day, none on the identical
/// second, and one a drill once a spike repeating a reported one was no longer paged; here 29,
/// then 1; second blind game day: most of F7's 48 false alarms in 152 weeks). Nothing is known
/// of its bursts yet, and the exposure itself pages at once: spikes starting in its first day
/// are not reported. A leak after that day still is. Reads ramp from 5 to 20 a minute over the
/// morning, 3.5× in a fifth of the five-minute blocks, at random; on day 2, 30 minutes at 500
/// a minute. (Day 2's bursts may page too where one lasts three times as long as the first
/// day's at that hour: one day is little history for the habit rule.)
#[test]
fn f7_a_bucket_public_at_the_first_sample_is_given_a_day() {
    let leak = 1440 + 15 * 60;
    let mut burst = 1.0;
    let found = f7_spikes(3, |m, rng| {
        if m % 5 == 0 {
            burst = if rng.uniform() < 0.2 { 3.5 } else { 1.0 };
        }
        let base = 5.0 + 15.0 * ((m % 1440) as f64 / 900.0).min(1.0);
        let reads = rng.poisson(burst * base);
        if (leak..leak + 30).contains(&m) {
            500.0
        } else {
            reads
        }
    });
    let starts = starts(&found);
    assert!(
        starts.contains(&leak) && starts.iter().all(|s| *s >= 1440),
        "{found:#?}"
    );
}

/// F3's two windows, pinned (review of the third blind round's fix): with a peak window of one
/// sample and a trend window of `w`, usage flat at 60 % of the quota and then climbing from
/// sample 40 is first ticketed by the forecast at sample `41 + w` — the earlier window (ending
/// `w` samples back) holds the first rise from then on, not a sample sooner or later — and a
/// climb from the first sample at sample `2 w`, once one peak window and two trend windows
/// have been seen.
#[test]
fn f3_forecasts_need_the_window_before_to_rise_too() {
    use sli_core::Sustained;
    let first_ticket = |w: usize, rise_from: usize| {
        let signal =
            QuotaSignal::resource_count("vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand")
                .unwrap();
        let config = failure_modes::QuotaConfig::default()
            .with_peak_window(1)
            .with_trend_window(w)
            .with_sustain(Sustained::of(1, 1))
            .with_horizon(Duration::days(365));
        let found = ServiceQuotaHit::new(signal, config)
            .unwrap()
            .detect((0..200usize).map(|i| QuotaSample {
                at: t0() + Duration::minutes(5 * i as i64),
                usage: 600.0 + 2.0 * i.saturating_sub(rise_from) as f64,
            }))
            .unwrap();
        let first = found.first().expect("the climb is ticketed");
        assert!(first.evidence.score < 0.8, "{first}");
        (first.end - t0()).num_minutes() / 5
    };
    for w in [2, 3, 4, 7] {
        assert_eq!(first_ticket(w, 40), 41 + w as i64, "trend window {w}");
        assert_eq!(first_ticket(w, 0), 2 * w as i64, "trend window {w}");
    }
}

/// A least-squares line through a large step overshoots it: usage stepping from 9 % to 79 % of
/// the quota (under the 80 % warning) put the fitted level at the quota, which read as
/// "exhaustion now" without asking the window before to rise (review of the third blind
/// round's fix: a ticket 820 minutes after the step). No finding now.
#[test]
fn f3_a_large_step_is_not_exhaustion_now() {
    let day = 288;
    let found = f3_findings(8 * day, |i| if i >= 4 * day { 790.0 } else { 90.0 });
    assert!(found.is_empty(), "{found:#?}");
}

/// The habit rule had no bound on length (second review of the third blind round's fix): a
/// five-minute burst at 02:00, reported, made a three-hour download at 02:10 the next day, at
/// twice its reads, the bucket's habit, for a week. A spike is the habit of an earlier day's
/// only if it is also under `min_ratio` times its length: the download is reported once it has
/// lasted three times as long. The bucket is made public while watched, at 01:00.
#[test]
fn f7_a_long_download_at_the_hour_of_a_short_burst_is_no_habit() {
    let (burst, download) = (120, 1440 + 130);
    let found = f7_spikes_with_scans(
        2,
        false,
        &[(60, true)],
        with_bursts(&[(burst, 5, 50.0), (download, 180, 100.0)]),
    );
    assert_eq!(starts(&found), [burst, download], "{found:#?}");
}

/// F2 at low traffic: a zone whose own 5xx rate is 0.3 % (one error in 11 minutes at 30
/// requests a minute), then four errors in four minutes while the other zones have none.
/// Against the peers' rate alone (floored at 0.01 %) three or four errors in 150 requests are
/// improbable (tails under 1e-6), and with the newer half of the 5-minute window failing, four
/// periods in a row are bad: a page. Against the zone's own usual rate as well (tails of 2e-3
/// and more) they are its usual stray errors.
#[test]
fn f2_stray_errors_at_a_zones_usual_rate_are_not_a_partition() {
    let findings = crate::common::f2_over_three_zones(1500, 0, |m, zone, _| {
        let errors = match m {
            1450..=1453 => 1.0,
            m if m < 1440 && m % 11 == 0 => 1.0,
            _ => 0.0,
        };
        (0.12, 30.0, if zone == 1 { errors } else { 0.0 })
    });
    assert!(findings.is_empty(), "{findings:#?}");
}

/// A review's probe of F1's surge (the block judged on the periods since the window crossed
/// `page_ratio`): at a thousand calls a minute, two hours at 2 % (a ticket), then four minutes
/// at 100 %, then 2 % again. The four minutes keep the 5-minute window over 10 % for four
/// more, and when the surge's length decided, those eight periods paged. A burst is not a
/// block: a page needs `sustain_periods` of the surge's periods blocked on their own. Five
/// minutes at 100 % are, and page.
#[test]
fn f1_a_burst_inside_a_ticket_is_not_a_block() {
    use failure_modes::{ApiThrottling, Severity, ThrottleSample, ThrottleSignal};
    for (burst, pages) in [(4, false), (5, true)] {
        let mut rng = Rng::new(7);
        let mut f1 = ApiThrottling::new(
            ThrottleSignal::lambda("checkout").unwrap(),
            Default::default(),
        )
        .unwrap();
        let mut findings = Vec::new();
        for m in 0..300 {
            let share = match m {
                ..60 => 0.0005,
                m if (180..180 + burst).contains(&m) => 1.0,
                _ => 0.02,
            };
            let throttled = if share == 1.0 {
                1000.0
            } else {
                rng.poisson(1000.0 * share)
            };
            findings.extend(
                f1.push(ThrottleSample {
                    at: t0() + Duration::minutes(m),
                    calls: 1000.0,
                    throttled,
                })
                .unwrap(),
            );
        }
        let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
        let expected = if pages {
            vec![Severity::Ticket, Severity::Page]
        } else {
            vec![Severity::Ticket]
        };
        assert_eq!(severities, expected, "{burst} minutes: {findings:#?}");
    }
}

/// A review's probes of F2's 5xx test at a thousand requests a minute: a burst of two minutes
/// at 50 % is over when the newer half of the window still holds it, and paged two minutes
/// after it ended when that half decided; this period decides from a hundred requests. And a
/// zone whose 5xx ramp from 0 to 5 % over four hours at 40 requests a minute, learnt by its
/// own rate as they grow: counted only up to `min_error_ratio`, that rate does not hide them.
#[test]
fn f2_a_burst_that_ended_is_no_partition_and_a_slow_ramp_is_not_learnt() {
    let run = |requests: f64, errors: &dyn Fn(usize) -> f64| {
        crate::common::f2_over_three_zones(900, 11, |m, zone, rng| {
            let share = if zone == 0 { errors(m) } else { 0.0005 };
            (0.12, requests, rng.poisson(requests * share).min(requests))
        })
    };
    let burst = run(1000.0, &|m| {
        if (300..302).contains(&m) { 0.5 } else { 0.0005 }
    });
    assert!(burst.is_empty(), "{burst:#?}");
    let ramp = run(40.0, &|m| 0.05 * (m as f64 / 240.0).min(1.0));
    assert!(
        ramp.iter().any(|f| f.subject == "a"),
        "a ramp to 5 % never paged"
    );
}

/// The sixth blind game day: a flat account (96 a day, read hourly) whose evening readings of
/// one day were never published was ticketed the next morning at 1.92x: the next day opened
/// from the noon reading, so its spend held yesterday's afternoon. The opening is now read
/// at midnight on the line across the gap; a runaway on the same day is still found. A review
/// then found the same ticket on the 2nd of a month (left out with the 1st, where the reset may
/// be), and a declared one-off showing after such a gap paged at 21.8x (the line spread it
/// over both days, and neither took it out).
#[test]
fn f8_an_evening_without_readings_is_not_a_runaway() {
    use chrono::NaiveDate;
    use failure_modes::{CostRunaway, OneOffCharge};
    let start = Utc.with_ymd_and_hms(2026, 10, 20, 0, 0, 0).unwrap();
    // Hourly month-to-date readings of 4 an hour, those of day `gap_day` from 13:00 missing,
    // ten times that from hour `rate_from`, and `fee` added at the next day's first reading.
    let readings = |gap_day: i64, rate_from: Option<i64>, fee: f64| {
        let spend = |hour: i64| {
            let rate = if rate_from.is_some_and(|from| hour >= from) {
                40.0
            } else {
                4.0
            };
            rate + if hour == (gap_day + 1) * 24 { fee } else { 0.0 }
        };
        let missing = |hour: i64| hour / 24 == gap_day && hour % 24 >= 13;
        f8_hourly(spend, |hour, total| (!missing(hour)).then_some(total))
    };
    let f8 = || CostRunaway::new("USD", Default::default()).unwrap();
    // 2026-11-05 (day 16), and 2026-11-01 (day 12, the reset at its midnight).
    for gap_day in [16, 12] {
        let quiet = f8().detect(readings(gap_day, None, 0.0)).unwrap();
        assert!(quiet.is_empty(), "gap on day {gap_day}: {quiet:?}");
    }
    // Declared for the day after the gap, or for the day of the gap (shown a day late).
    for fee_day in [6, 5] {
        let mut declared = f8();
        declared
            .declare(OneOffCharge {
                day: NaiveDate::from_ymd_opt(2026, 11, fee_day).unwrap(),
                amount: 1000.0,
                description: "Support, annual".into(),
            })
            .unwrap();
        let fee = declared.detect(readings(16, None, 1000.0)).unwrap();
        assert!(fee.is_empty(), "fee of 11-{fee_day}: {fee:?}");
    }
    let runaway = f8().detect(readings(16, Some(17 * 24), 0.0)).unwrap();
    assert!(
        runaway
            .iter()
            .any(|f| f.start.date_naive() == (start + Duration::days(17)).date_naive()),
        "{runaway:?}"
    );
}

/// A review: a one-off declared with a wrong year (2062 for 2026) was taken, and every later
/// run of F8 (and of a set holding it) was then refused, with no way to withdraw it. Once a
/// day is read, `declare` refuses a charge more than a year after it.
#[test]
fn f8_refuses_a_one_off_of_a_wrong_year_once_it_has_read_a_day() {
    use chrono::NaiveDate;
    use failure_modes::{ChargeSample, CostRunaway, Error, OneOffCharge};
    let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
    f8.push(ChargeSample {
        at: t0(),
        estimated_charges: 10.0,
    })
    .unwrap();
    let typo = OneOffCharge {
        day: NaiveDate::from_ymd_opt(2062, 11, 3).unwrap(),
        amount: 500.0,
        description: "Support, annual".into(),
    };
    let err = f8.declare(typo.clone()).unwrap_err();
    assert!(
        matches!(&err, Error::OneOffCharge { reason, .. } if reason.contains("a wrong year")),
        "{err}"
    );
    let next_year = OneOffCharge {
        day: NaiveDate::from_ymd_opt(2027, 11, 1).unwrap(),
        ..typo
    };
    assert!(f8.declare(next_year).is_ok());
}

/// Ten days of 30 calls an hour by `who`, then 1,000 calls in 17 minutes: F4's findings with
/// `known` as its known deployers.
fn f4_burst_after_ten_days(
    who: &failure_modes::Identity,
    known: &[&str],
) -> Vec<failure_modes::Finding> {
    use failure_modes::{AuditEvent, CredentialCompromise};
    let call = |t| {
        AuditEvent::new(
            t,
            "ec2.amazonaws.com",
            "DescribeInstances",
            "eu-west-1",
            "10.0.0.1",
            who.clone(),
        )
    };
    let mut events: Vec<_> = (0..24 * 10 * 30)
        .map(|i| call(t0() + Duration::seconds(i * 120)))
        .collect();
    let burst = t0() + Duration::days(10);
    events.extend((0..1000).map(|i| call(burst + Duration::seconds(i))));
    CredentialCompromise::new(Default::default())
        .unwrap()
        .with_known_deployers(known.iter().copied())
        .detect(events)
        .unwrap()
}

/// The seventh blind game day: a known deployer given as its role ARN did not cover that
/// role's sessions (paged at 5,889 calls an hour), and a role name covered an IAM user of
/// that name, who could then make 3,000 reconnaissance calls unjudged.
#[test]
fn f4_known_deployers_cover_role_sessions_by_arn_and_never_a_user_of_that_name() {
    use failure_modes::Identity;
    let session = Identity::new("AssumedRole")
        .with_arn("arn:aws:sts::111122223333:assumed-role/deploy-prod/gha-run-7");
    let user = Identity::new("IAMUser")
        .with_user_name("deploy-prod")
        .with_arn("arn:aws:iam::111122223333:user/deploy-prod");
    assert_eq!(f4_burst_after_ten_days(&session, &[]).len(), 1);
    for known in [
        "deploy-prod",
        "arn:aws:iam::111122223333:role/deploy-prod",
        "arn:aws:iam::111122223333:role/ci/deploy-prod",
        "arn:aws:sts::111122223333:assumed-role/deploy-prod",
    ] {
        assert_eq!(f4_burst_after_ten_days(&session, &[known]), [], "{known}");
    }
    // Another account's role of that ARN, and another role, are still judged.
    for known in [
        "arn:aws:iam::999988887777:role/deploy-prod",
        "arn:aws:iam::111122223333:role/deploy-stage",
    ] {
        assert_eq!(
            f4_burst_after_ten_days(&session, &[known]).len(),
            1,
            "{known}"
        );
    }
    // A user named like the role is judged on volume, unless named as a user.
    for known in ["deploy-prod", "arn:aws:iam::111122223333:role/deploy-prod"] {
        assert_eq!(f4_burst_after_ten_days(&user, &[known]).len(), 1, "{known}");
    }
    assert_eq!(
        f4_burst_after_ten_days(&user, &["arn:aws:iam::111122223333:user/deploy-prod"]),
        []
    );
}

/// The seventh blind game day: an event with an empty region was learnt, then paged as "in ,
/// a region" it had not used. Every CloudTrail record names its region: refused by name.
#[test]
fn f4_refuses_an_empty_region() {
    use failure_modes::{AuditEvent, CredentialCompromise, Error, Identity};
    let who = Identity::new("IAMUser").with_arn("arn:aws:iam::111122223333:user/ci");
    let mut f4 = CredentialCompromise::new(Default::default()).unwrap();
    let event = AuditEvent::new(
        t0(),
        "ec2.amazonaws.com",
        "DescribeInstances",
        "",
        "10.0.0.1",
        who,
    );
    let err = f4.push(event).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "region",
                ..
            }
        ),
        "{err}"
    );
}

/// The sixth blind game day: a reading published late (the 23:00 reading of 2026-11-05 showing
/// the 17:00 total) made the stretch after it hold six hours too many and ticketed a flat
/// account at 2x. A fall is now held for one reading: passed over when the next reading is
/// back above the total before it, read as a credit when it is not.
#[test]
fn f8_a_late_reading_is_passed_over_and_a_credit_is_not_spend() {
    use failure_modes::{CostRunaway, Severity};
    // Hourly month-to-date readings of 4 an hour; `shown(hour, total)` is what a reading shows.
    let readings = |runaway_from: Option<i64>, shown: &dyn Fn(i64, f64) -> f64| {
        let spend = |hour: i64| {
            if runaway_from.is_some_and(|from| hour >= from) {
                12.0
            } else {
                4.0
            }
        };
        f8_hourly(spend, |hour, total| Some(shown(hour, total)))
    };
    let f8 = || CostRunaway::new("USD", Default::default()).unwrap();
    // One reading six hours late, twice: on the evening of the 5th (the blind round's case)
    // and as the first reading of the 7th.
    for late in [16 * 24 + 23, 18 * 24] {
        let late_totals = |hour: i64, total: f64| if hour == late { total - 24.0 } else { total };
        let found = f8().detect(readings(None, &late_totals)).unwrap();
        assert!(found.is_empty(), "late reading at hour {late}: {found:?}");
    }
    // A credit of 200 from 10:00 on the 5th stays in every later reading: both readings
    // after it are read, so a runaway (3x) from the 6th is seen the same day, as without
    // the credit; the credit hides no spend of the days after it.
    let credit = |hour: i64, total: f64| {
        if hour >= 16 * 24 + 10 {
            total - 200.0
        } else {
            total
        }
    };
    let plain = f8().detect(readings(Some(17 * 24), &|_, t| t)).unwrap();
    let credited = f8().detect(readings(Some(17 * 24), &credit)).unwrap();
    let ticket_at = |found: &[failure_modes::Finding]| {
        found
            .iter()
            .find(|f| f.severity == Severity::Ticket)
            .map(|f| f.end)
    };
    assert!(ticket_at(&plain).is_some(), "{plain:?}");
    assert_eq!(ticket_at(&credited), ticket_at(&plain), "{credited:?}");
}

/// A flat account at 100 a day, hourly month-to-date readings from 2026-10-03 for 40 days
/// (reset on the 1st), without those `keep` refuses and with `extra` readings put in time
/// order: F8's findings, pushed one at a time.
fn f8_flat(keep: impl Fn(DateTime<Utc>) -> bool, extra: &[(DateTime<Utc>, f64)]) -> Vec<Finding> {
    use failure_modes::{ChargeSample, CostRunaway};
    let start = Utc.with_ymd_and_hms(2026, 10, 3, 0, 0, 0).unwrap();
    let mut readings: Vec<(DateTime<Utc>, f64)> = (0..40 * 24)
        .map(|hour| start + Duration::hours(hour))
        .filter(|at| keep(*at))
        .map(|at| (at, f8_flat_total(at)))
        .chain(extra.iter().copied())
        .collect();
    readings.sort_by_key(|r| r.0);
    let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
    readings
        .into_iter()
        .flat_map(|(at, estimated_charges)| {
            f8.push(ChargeSample {
                at,
                estimated_charges,
            })
            .unwrap()
        })
        .collect()
}

/// A hostile-input probe (2026-12-07): a late reading that was the first of a day closed the
/// day while held, so the evening without readings before it was not read across (a 2.42x
/// ticket on a flat account); and a day without any reading was left out of the usual spend
/// of the stretch across it (a 5x ticket, a 13x page after three such days).
#[test]
fn f8_gaps_of_an_evening_or_of_days_are_no_runaway() {
    let t = |d: u32, h: u32, m: u32| Utc.with_ymd_and_hms(2026, 10, d, h, m, 0).unwrap();
    let evening = |at: DateTime<Utc>| !(at > t(19, 6, 0) && at <= t(20, 0, 0));
    assert!(f8_flat(evening, &[]).is_empty());
    // The Oct 19 05:00 total, published at 00:05 on the 20th.
    let late = f8_flat(evening, &[(t(20, 0, 5), 1825.0)]);
    assert!(late.is_empty(), "{late:?}");
    for days in [1, 3] {
        let outage = |at: DateTime<Utc>| !(at >= t(20, 0, 0) && at < t(20 + days, 0, 0));
        let found = f8_flat(outage, &[]);
        assert!(
            found.is_empty(),
            "{days} day(s) without readings: {found:?}"
        );
    }
}

/// A hostile-input probe (2026-12-07): a day holding two months' totals (a reading at the
/// charges' bound just before and after the reset) was refused when it closed, and so was
/// every later reading: the day never closed. A day's spend is now learned within the range.
#[test]
fn f8_a_day_past_the_range_does_not_block_the_detector() {
    use failure_modes::{ChargeSample, CostRunaway, MAX_MAGNITUDE};
    let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
    let at = |y: i32, mo: u32, d: u32, h: u32| Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap();
    for (when, value) in [
        (at(2026, 10, 31, 23), 0.0),
        (at(2026, 11, 1, 0), MAX_MAGNITUDE),
        (at(2026, 11, 1, 1), 1.0),
        (at(2026, 11, 1, 2), MAX_MAGNITUDE),
        (at(2026, 11, 2, 0), MAX_MAGNITUDE),
        (at(2027, 6, 1, 0), 1.0),
    ] {
        let pushed = f8.push(ChargeSample {
            at: when,
            estimated_charges: value,
        });
        assert!(pushed.is_ok(), "{when}: {pushed:?}");
    }
}

/// A hostile-input probe (2026-12-07): on the 1st, a reading published late paged a flat
/// account at about 115x, after the reset (the old month's total back, read as the month's
/// spend) and before it (a fall of a few hours' spend taken for the reset, and the real reset
/// then for a credit).
#[test]
fn f8_a_late_reading_on_the_first_of_the_month_is_no_runaway() {
    let t = |d: u32, h: u32, m: u32| Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap();
    let october = |hours: f64| hours * 100.0 / 24.0;
    // After the reset at 00:00: the total of Oct 31 21:00, published at 00:30.
    let after = f8_flat(|_| true, &[(t(1, 0, 30), october(30.0 * 24.0 + 22.0))]);
    assert!(after.is_empty(), "{after:?}");
    // Before it: 00:00 still shows October (two hours more), 00:20 a total some hours older.
    let not_midnight = |at: DateTime<Utc>| at != t(1, 0, 0);
    let old_month = (t(1, 0, 0), october(30.0 * 24.0 + 26.0));
    assert!(f8_flat(not_midnight, &[old_month]).is_empty());
    let before = f8_flat(not_midnight, &[old_month, (t(1, 0, 20), 3099.0)]);
    assert!(before.is_empty(), "{before:?}");
}

/// A review (2026-12-07) of the fix above: a first fall on the 1st held as a possible late
/// reading was, at the next reading, taken for a credit when it was the new month, so an
/// undeclared charge just under the old month's total went unreported (the old code paged);
/// a late reading of the old month read just after midnight on the 3rd, a day after a reset
/// first seen late on the 2nd, paged at 114x; and the month-end forecast after a held
/// reading paired the old month's total with the new month's days.
#[test]
fn f8_after_the_late_reading_rules_a_charge_on_the_first_still_pages() {
    use failure_modes::{ChargeSample, CostRunaway, Severity};
    let t = |mo: u32, d: u32, h: u32, m: u32| Utc.with_ymd_and_hms(2026, mo, d, h, m, 0).unwrap();
    // 100 a day: October's total is 3100; an undeclared charge of `extra` from Nov 1 00:00.
    for extra in [2500.0, 2900.0, 3050.0] {
        let november = |at: DateTime<Utc>| at >= t(11, 1, 0, 0);
        let start = Utc.with_ymd_and_hms(2026, 10, 3, 0, 0, 0).unwrap();
        let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
        let mut paged = false;
        for hour in 0..40 * 24 {
            let at = start + Duration::hours(hour);
            let base = f8_flat_total(at);
            let charges = if november(at) { base + extra } else { base };
            let found = f8
                .push(ChargeSample {
                    at,
                    estimated_charges: charges,
                })
                .unwrap();
            paged |= found
                .iter()
                .any(|f| f.severity == Severity::Page && f.end < t(11, 1, 2, 0));
        }
        assert!(
            paged,
            "an undeclared {extra} on the 1st was not paged by 02:00"
        );
    }
    // The reset first seen at 20:00 on the 2nd; October's total back at 00:30 on the 3rd.
    let late_reset = |at: DateTime<Utc>| !(at >= t(11, 1, 0, 0) && at < t(11, 2, 20, 0));
    let october_total = 31.0 * 100.0;
    let found = f8_flat(late_reset, &[(t(11, 3, 0, 30), october_total)]);
    assert!(found.is_empty(), "{found:?}");
    // The forecast after a held reading is the one before it.
    let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 10, 3, 0, 0, 0).unwrap();
    let mut at = start;
    while at <= t(10, 31, 23, 0) {
        f8.push(ChargeSample {
            at,
            estimated_charges: f8_flat_total(at),
        })
        .unwrap();
        at += Duration::hours(1);
    }
    let before = f8.month_end_forecast();
    f8.push(ChargeSample {
        at: t(11, 1, 0, 5),
        estimated_charges: f8_flat_total(t(10, 31, 20, 0)),
    })
    .unwrap();
    assert_eq!(f8.month_end_forecast(), before);
}

/// The month-to-date of [`f8_flat`]'s account at `at`.
fn f8_flat_total(at: DateTime<Utc>) -> f64 {
    use chrono::{Datelike, Timelike};
    (i64::from(at.day0()) * 24 + i64::from(at.hour()) + 1) as f64 * 100.0 / 24.0
}

/// Hourly month-to-date readings from 2026-10-20 for 20 days (reset on the 1st): `spend(hour)`
/// added each hour, and a reading of what `shown(hour, total)` gives, none where it is `None`.
fn f8_hourly(
    spend: impl Fn(i64) -> f64,
    shown: impl Fn(i64, f64) -> Option<f64>,
) -> Vec<failure_modes::ChargeSample> {
    let start = Utc.with_ymd_and_hms(2026, 10, 20, 0, 0, 0).unwrap();
    let mut total = 0.0;
    let mut out = Vec::new();
    for hour in 0..24 * 20 {
        let at = start + Duration::hours(hour);
        if at.format("%d %H").to_string() == "01 00" {
            total = 0.0;
        }
        total += spend(hour);
        if let Some(estimated_charges) = shown(hour, total) {
            out.push(failure_modes::ChargeSample {
                at,
                estimated_charges,
            });
        }
    }
    out
}
