//! Runs as a scheduler makes them: the last hour fetched every few minutes (overlapping
//! ranges), a bad datapoint in the middle of a range, a declared F8 one-off read by daily runs.
//! The fifth blind game day (`examples/blind5`) went through the `MetricSource` pipeline and
//! found that a bad point lost the findings of the points before it and wedged every retry;
//! overlapping runs were refused as out of order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_telemetry::{InMemorySource, MetricSink, TimeRange};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use failure_modes::scenarios::Rng;
use failure_modes::{
    ApiThrottling, CostRunaway, Detector, DetectorSet, Error, MetricDetector, OneOffCharge,
    ThrottleSignal, run,
};

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + Duration::minutes(minute)
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// Lambda at 1,000 calls a minute for `minutes`, 5 % throttled in minutes 90–119, the calls of
/// minute `bad` (if any) stored as -1; minutes without throttles have no `Throttles` point.
fn throttling_source(minutes: i64, bad: Option<i64>) -> (ThrottleSignal, InMemorySource) {
    let signal = ThrottleSignal::lambda("checkout").unwrap();
    let source = InMemorySource::new();
    for m in 0..minutes {
        let calls = if Some(m) == bad { -1.0 } else { 1000.0 };
        block_on(source.put(&signal.calls, &[(at(m), calls)])).unwrap();
        if (90..120).contains(&m) {
            block_on(source.put(&signal.throttles, &[(at(m), 50.0)])).unwrap();
        }
    }
    (signal, source)
}

fn f1(signal: &ThrottleSignal) -> ApiThrottling {
    ApiThrottling::new(signal.clone(), Default::default()).unwrap()
}

fn range(from: i64, to: i64) -> TimeRange {
    TimeRange::new(at(from), at(to)).unwrap()
}

#[test]
fn overlapping_runs_find_what_one_run_finds_once() {
    let (signal, source) = throttling_source(240, None);
    let once = block_on(run(&mut f1(&signal), &source, range(0, 240))).unwrap();
    assert_eq!(once.len(), 1, "{once:?}");
    // Every 15 minutes, the last hour: each period is fetched four times.
    let mut detector = f1(&signal);
    let mut scheduled = Vec::new();
    for end in (15..=240).step_by(15) {
        let found = block_on(run(&mut detector, &source, range((end - 60).max(0), end)));
        scheduled.extend(found.unwrap());
    }
    assert_eq!(scheduled, once);
    assert_eq!(detector.last_observed(), Some(at(239)));
    // A set's runs skip what each detector has judged as well.
    let mut set = DetectorSet::new().with(f1(&signal));
    let mut from_set = Vec::new();
    for end in (15..=240).step_by(15) {
        for result in block_on(set.run(&source, range((end - 60).max(0), end))).unwrap() {
            from_set.extend(result.unwrap());
        }
    }
    assert_eq!(from_set, once);
}

#[test]
fn a_bad_point_leaves_the_detector_unchanged_and_loses_no_finding() {
    let (signal, source) = throttling_source(200, Some(150));
    let mut detector = f1(&signal);
    let err = block_on(run(&mut detector, &source, range(0, 200))).unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { field: "calls", at: when, .. } if when == at(150)),
        "{err}"
    );
    // Nothing was taken: the range up to the bad point, run again, finds the incident.
    assert_eq!(detector.last_observed(), None);
    let found = block_on(run(&mut detector, &source, range(0, 150))).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].start, at(90));
    // The same through a set: its entry is the error, and the detector is unchanged.
    let mut set = DetectorSet::new().with(f1(&signal));
    let results = block_on(set.run(&source, range(0, 200))).unwrap();
    assert!(matches!(results[0], Err(Error::InvalidInput { .. })));
    let results = block_on(set.run(&source, range(0, 150))).unwrap();
    assert_eq!(results[0].as_ref().unwrap(), &found);
}

/// A detector of your own whose observations come out of order: refused before any is taken.
#[derive(Debug, Default)]
struct Recorder {
    taken: Vec<DateTime<Utc>>,
}

impl Detector for Recorder {
    type Input = DateTime<Utc>;

    fn mode(&self) -> failure_modes::FailureMode {
        failure_modes::FailureMode::ApiThrottling
    }

    fn push(&mut self, at: DateTime<Utc>) -> failure_modes::Result<Vec<failure_modes::Finding>> {
        self.taken.push(at);
        Ok(Vec::new())
    }
}

impl MetricDetector for Recorder {
    fn queries(&self) -> failure_modes::Result<Vec<failure_modes::MetricQuery>> {
        let signal = ThrottleSignal::lambda("checkout").unwrap();
        Ok(vec![failure_modes::MetricQuery::stat(
            "calls",
            signal.calls,
            failure_modes::Statistic::Sum,
            signal.period,
        )?])
    }

    fn observations(
        &self,
        _: &[aws_telemetry::FetchedSeries],
    ) -> failure_modes::Result<Vec<DateTime<Utc>>> {
        Ok(vec![at(0), at(2), at(1)])
    }

    fn observed_at(input: &DateTime<Utc>) -> Option<DateTime<Utc>> {
        Some(*input)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.taken.last().copied()
    }
}

#[test]
fn observations_out_of_order_in_one_batch_are_refused_before_any_is_taken() {
    let (_, source) = throttling_source(3, None);
    let mut recorder = Recorder::default();
    let err = block_on(run(&mut recorder, &source, range(0, 3))).unwrap_err();
    assert!(
        matches!(err, Error::OutOfOrder { previous, at: when } if previous == at(2) && when == at(1)),
        "{err}"
    );
    assert!(recorder.taken.is_empty(), "{:?}", recorder.taken);
}

/// An F8 one-off declared for the 3rd was refused by every run whose range did not hold it,
/// so a scheduler running F8 over the last day could not run it on the 4th; and a charge on a
/// day a scheduler missed blocked every later run.
#[test]
fn daily_f8_runs_keep_a_declared_one_off() {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let fee_day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
    let fee = |day| OneOffCharge {
        day,
        amount: 5_000.0,
        description: "Support, annual".into(),
    };
    let f8 = || CostRunaway::new("USD", Default::default()).unwrap();
    let metric = match f8().queries().unwrap()[0].kind() {
        aws_telemetry::QueryKind::Stat { metric, .. } => metric.clone(),
        other => panic!("{other:?}"),
    };
    // 100 a day, read every six hours, month to date; the fee shows from the 3rd's noon.
    let source = InMemorySource::new();
    let points: Vec<_> = (1..4 * 30)
        .map(|i| {
            let at = start + Duration::hours(6 * i);
            let fee = if at >= start + Duration::hours(2 * 24 + 12) {
                5_000.0
            } else {
                0.0
            };
            (at, 25.0 * (i - 1) as f64 + fee)
        })
        .collect();
    block_on(source.put(&metric, &points)).unwrap();
    let daily_runs = |detector: &mut CostRunaway, days: std::ops::Range<i64>| {
        let mut found = Vec::new();
        for day in days {
            let end = start + Duration::days(day + 1);
            let range = TimeRange::new(end - Duration::days(1), end).unwrap();
            found.extend(block_on(run(detector, &source, range)).unwrap());
        }
        found
    };
    // Undeclared, the fee is a runaway; declared before the runs, nothing is reported.
    assert!(!daily_runs(&mut f8(), 0..29).is_empty());
    let mut declared = f8();
    declared.declare(fee(fee_day)).unwrap();
    assert_eq!(daily_runs(&mut declared, 0..29), []);
    // A scheduler that missed the days around a declared charge goes on.
    let mut missed = f8();
    missed
        .declare(fee(NaiveDate::from_ymd_opt(2026, 11, 11).unwrap()))
        .unwrap();
    daily_runs(&mut missed, 0..9);
    daily_runs(&mut missed, 11..29);
    // A charge dated years ahead is a wrong year: refused by name.
    let mut typo = f8();
    typo.declare(fee(NaiveDate::from_ymd_opt(2062, 11, 3).unwrap()))
        .unwrap();
    let range = TimeRange::new(start, start + Duration::days(2)).unwrap();
    let err = block_on(run(&mut typo, &source, range)).unwrap_err();
    assert!(err.to_string().contains("a wrong year"), "{err}");
}

/// A range that ends before what the detector has taken (the retry of a failed run after later
/// ones, a backfill) cannot be judged: an error, not an empty success.
#[test]
fn a_range_behind_the_detector_is_an_error() {
    let (signal, source) = throttling_source(180, None);
    let mut detector = f1(&signal);
    block_on(run(&mut detector, &source, range(0, 60))).unwrap();
    block_on(run(&mut detector, &source, range(120, 180))).unwrap();
    let err = block_on(run(&mut detector, &source, range(60, 120))).unwrap_err();
    assert!(
        matches!(err, Error::RangeBehind { end, last } if end == at(120) && last == at(179)),
        "{err}"
    );
    let mut set = DetectorSet::new().with(f1(&signal));
    block_on(set.run(&source, range(120, 180))).unwrap();
    let results = block_on(set.run(&source, range(60, 120))).unwrap();
    assert!(matches!(results[0], Err(Error::RangeBehind { .. })));
}

/// The generic detector's first run: the points of one fetch are checked against the grid and
/// the positions they will have, not each against an empty history (a review found an
/// off-grid third point taken after the first two, and a bad fifth value named as point 0).
#[test]
fn a_first_run_of_the_generic_detector_is_checked_as_a_whole() {
    use failure_modes::{AnomalySignal, FailureMode, Metric, MetricAnomalies, Period, Statistic};
    let make = || {
        let metric = Metric::new("AWS/EC2", "CPUUtilization").unwrap();
        let signal =
            AnomalySignal::new("i-1", metric, Statistic::Average, Period::new(60).unwrap());
        MetricAnomalies::new(signal, FailureMode::ApiThrottling).unwrap()
    };
    let series = |points| {
        aws_telemetry::FetchedSeries::new(aws_telemetry::QueryId::new("value").unwrap(), points)
    };
    let off_grid = [series(vec![
        (at(0), 1.0),
        (at(1), 1.0),
        (at(2) + Duration::seconds(30), 1.0),
        (at(3), 1.0),
    ])];
    let mut detector = make();
    let err = failure_modes::FetchedDetector::judge_fetched(&mut detector, &off_grid).unwrap_err();
    assert!(
        matches!(err, Error::InvalidInput { field: "at", .. }),
        "{err}"
    );
    assert_eq!(detector.last_observed(), None);
    let bad_fifth = [series(
        (0..10)
            .map(|m| (at(m), if m == 5 { 1e200 } else { 1.0 }))
            .collect(),
    )];
    let err = failure_modes::FetchedDetector::judge_fetched(&mut detector, &bad_fifth).unwrap_err();
    assert!(matches!(err, Error::InvalidValue { index: 5, .. }), "{err}");
    assert_eq!(detector.last_observed(), None);
}

/// F2's bound on zones counts the zones that earlier samples of the same run bring.
#[test]
fn f2_counts_the_zones_a_whole_run_brings_against_its_bound() {
    use failure_modes::{NetworkPartition, ZoneObservation, ZoneSample, ZoneSignal};
    let zone = |name: String| ZoneObservation {
        zone: name,
        latency: Some(100.0),
        requests: 100.0,
        errors: 0.0,
    };
    let signal = ZoneSignal::alb("app/x/1", &["z0", "z1"]).unwrap();
    let mut detector = NetworkPartition::new(signal, Default::default()).unwrap();
    detector
        .push(ZoneSample {
            at: at(0),
            zones: (0..25).map(|z| zone(format!("z{z}"))).collect(),
        })
        .unwrap();
    let batch = vec![
        ZoneSample {
            at: at(1),
            zones: (25..32).map(|z| zone(format!("z{z}"))).collect(),
        },
        ZoneSample {
            at: at(2),
            zones: vec![zone("z32".into())],
        },
    ];
    let err = detector.check(&batch).unwrap_err();
    assert!(
        matches!(err, Error::InvalidZone { ref zone, .. } if zone == "z32"),
        "{err}"
    );
    assert!(detector.check(&batch[..1]).is_ok());
}

/// Lambda's calls are `Invocations` plus `Throttles`, so a bad `Throttles` value makes both
/// bad: the error names the throttles, the metric that held it (it named the calls).
#[test]
fn a_bad_throttles_value_is_named_as_the_throttles() {
    let (signal, source) = throttling_source(10, None);
    block_on(source.put(&signal.throttles, &[(at(5), 1e300)])).unwrap();
    let err = block_on(run(&mut f1(&signal), &source, range(0, 10))).unwrap_err();
    assert!(
        err.to_string().starts_with("throttled = 1e300 at "),
        "{err}"
    );
}

/// One metric detector's data for the property below: the value of query `id` at `step`.
type Fill = fn(&str, usize, &mut Rng) -> f64;

/// For each metric detector, on seeded random data through an `InMemorySource`:
/// * runs every `every` periods over the last `window` (overlapping) find exactly what one run
///   over the whole stretch finds;
/// * a run over data with a bad value (negative, or beyond CloudWatch's range) after a clean
///   run is an error that leaves the detector as it was, to the last field of its `Debug`:
///   every refusal `push` makes of a value is made by `check` first.
fn runs_are_resumable_and_all_or_nothing<D: MetricDetector>(
    name: &str,
    make: impl Fn() -> D,
    period: Duration,
    steps: usize,
    fill: Fill,
) {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let time = |step: usize| start + period * i32::try_from(step).unwrap();
    let queries = make().queries().unwrap();
    let (mut found, mut refused) = (0, 0);
    for seed in 0..12u64 {
        let mut rng = Rng::new(seed);
        let clean = InMemorySource::new();
        let mut values = Vec::new();
        for query in &queries {
            let aws_telemetry::QueryKind::Stat { metric, .. } = query.kind() else {
                panic!("{name}: {} is not a metric", query.id())
            };
            let points: Vec<_> = (0..steps)
                .map(|step| (time(step), fill(query.id().as_str(), step, &mut rng)))
                .collect();
            clean.insert(metric.clone(), points.clone()).unwrap();
            values.push((metric.clone(), points));
        }
        let whole = TimeRange::new(time(0), time(steps)).unwrap();
        let once = block_on(run(&mut make(), &clean, whole)).unwrap();
        let every = 1 + seed as usize % 7;
        let window = every + seed as usize % 11;
        let mut detector = make();
        let mut scheduled = Vec::new();
        let mut end = every;
        while end < steps + every {
            let range = TimeRange::new(time(end.saturating_sub(window)), time(end.min(steps)));
            scheduled.extend(block_on(run(&mut detector, &clean, range.unwrap())).unwrap());
            end += every;
        }
        assert_eq!(
            scheduled, once,
            "{name}, seed {seed}: every {every} over {window}"
        );
        found += once.len();

        // A bad value in the second half, read by a run after a clean one.
        let half = steps / 2;
        let bad_step = half + 1 + rng.next_u64() as usize % (steps - half - 1);
        let bad_metric = rng.next_u64() as usize % values.len();
        let bad_value = if rng.uniform() < 0.5 { -1.0 } else { 1e200 };
        let dirty = InMemorySource::new();
        for (index, (metric, points)) in values.iter().enumerate() {
            let spoilt = points.iter().map(|&(at, v)| {
                let bad = index == bad_metric && at == time(bad_step);
                (at, if bad { bad_value } else { v })
            });
            dirty.insert(metric.clone(), spoilt).unwrap();
        }
        let mut detector = make();
        block_on(run(
            &mut detector,
            &dirty,
            TimeRange::new(time(0), time(half)).unwrap(),
        ))
        .unwrap();
        let before = format!("{detector:?}");
        let result = block_on(run(&mut detector, &dirty, whole));
        if result.is_err() {
            assert_eq!(
                format!("{detector:?}"),
                before,
                "{name}, seed {seed}: {result:?}"
            );
            refused += 1;
        }
    }
    eprintln!(
        "{name}: {found} findings in one run over 12 seeds, {refused} of 12 bad runs refused"
    );
    // Not vacuous: the refusals are what the property is about (the generic detector takes -1,
    // so about half its bad values are refused).
    assert!(refused >= 4, "{name}: {refused} of 12 bad runs refused");
}

fn count_like(id: &str, step: usize, rng: &mut Rng) -> f64 {
    let level = 200.0 * (1.0 + (step as f64 / 60.0).sin().abs());
    if id.starts_with("throttles") || id.contains("errors") {
        // Bursts of refusals or errors now and then, so that findings open.
        let rate = if (step / 40) % 5 == 3 { 0.2 } else { 0.001 };
        rng.poisson(level * rate)
    } else if id.starts_with("latency") || id.starts_with("duration") || id.starts_with("p95") {
        let slow = if (step / 50) % 4 == 2 { 4.0 } else { 1.0 };
        slow * (100.0 + 10.0 * rng.normal().abs())
    } else {
        rng.poisson(level)
    }
}

fn charges(_: &str, step: usize, rng: &mut Rng) -> f64 {
    // Month to date every six hours from 1 November: 100 a day, a runaway of about 10 a day
    // from day 50, reset on 1 December (step 120).
    let (month_start, runaway) = (if step < 120 { 0 } else { 120 }, step.saturating_sub(200));
    25.0 * (step - month_start) as f64 + 250.0 * runaway as f64 + rng.uniform()
}

#[test]
fn every_metric_detector_runs_resumably_and_all_or_nothing() {
    use failure_modes::{
        AclGrant, AnomalySignal, BucketExposure, ColdStartLatency, ColdStartSignal,
        ConnectionSignal, DbConnectionExhaustion, FailureMode, Grantee, Metric, MetricAnomalies,
        NetworkPartition, Period, Permission, PublicDataLeak, QuotaSignal, ServiceQuotaHit,
        Statistic, ZoneSignal,
    };
    let minute = Duration::minutes(1);
    runs_are_resumable_and_all_or_nothing(
        "F1",
        || f1(&ThrottleSignal::lambda("checkout").unwrap()),
        minute,
        600,
        count_like,
    );
    runs_are_resumable_and_all_or_nothing(
        "F2",
        || {
            let signal = ZoneSignal::alb("app/x/1", &["a", "b", "c"]).unwrap();
            NetworkPartition::new(signal, Default::default()).unwrap()
        },
        minute,
        600,
        count_like,
    );
    runs_are_resumable_and_all_or_nothing(
        "F3",
        || {
            let signal =
                QuotaSignal::resource_count("q", 1000.0, "EC2", "vCPU", "Standard/OnDemand");
            ServiceQuotaHit::new(signal.unwrap(), Default::default()).unwrap()
        },
        minute,
        600,
        count_like,
    );
    runs_are_resumable_and_all_or_nothing(
        "F5",
        || {
            ColdStartLatency::new(ColdStartSignal::lambda("f").unwrap(), Default::default())
                .unwrap()
        },
        minute,
        600,
        count_like,
    );
    runs_are_resumable_and_all_or_nothing(
        "F6",
        || {
            let signal = ConnectionSignal::rds("db", 500.0).unwrap();
            DbConnectionExhaustion::new(signal, Default::default()).unwrap()
        },
        minute,
        600,
        count_like,
    );
    runs_are_resumable_and_all_or_nothing(
        "F7",
        || {
            let public = BucketExposure::new("exports")
                .with_acl_grant(AclGrant::new(Grantee::AllUsers, Permission::Read));
            PublicDataLeak::new(public, Default::default()).unwrap()
        },
        minute,
        600,
        count_like,
    );
    runs_are_resumable_and_all_or_nothing(
        "F8",
        || CostRunaway::new("USD", Default::default()).unwrap(),
        Duration::hours(6),
        240,
        charges,
    );
    runs_are_resumable_and_all_or_nothing(
        "generic",
        || {
            let metric = Metric::new("AWS/EC2", "CPUUtilization").unwrap();
            let period = Period::new(300).unwrap();
            let signal = AnomalySignal::new("i-1", metric, Statistic::Average, period);
            MetricAnomalies::new(signal, FailureMode::ApiThrottling).unwrap()
        },
        Duration::minutes(5),
        600,
        count_like,
    );
}

/// F4 read from an `AuditSource` as a scheduler reads it, the last hour every 30 minutes: each
/// event is judged once, and the findings are those of one pass over every event (an
/// overlapping read used to be an `OutOfOrder` error at its first event). A bad event is
/// refused before any of the run is taken.
#[test]
fn f4_runs_over_the_last_hour_every_half_hour_judge_each_event_once() {
    use aws_telemetry::InMemoryAuditSource;
    use failure_modes::CredentialCompromise;
    use failure_modes::scenarios::{GameDay, Incident};

    // A Monday; two weeks of hours, the incident on day 9 (F4 learns each principal's week).
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let game = GameDay::new(start, Duration::hours(1), 14 * 24, 5).unwrap();
    let incident = Incident::new(
        start + Duration::hours(9 * 24 + 10),
        Duration::hours(2),
        300.0,
    );
    let events = game.audit_events(Some(incident));
    let once = CredentialCompromise::new(Default::default())
        .unwrap()
        .detect(events.clone())
        .unwrap();
    assert!(!once.is_empty());
    let source = InMemoryAuditSource::new();
    source.extend(events.clone());
    let mut f4 = CredentialCompromise::new(Default::default()).unwrap();
    let mut scheduled = Vec::new();
    for end in (30..=14 * 1440 + 30).step_by(30) {
        let range = TimeRange::new(at(end - 60), at(end)).unwrap();
        scheduled.extend(block_on(f4.run(&source, range)).unwrap());
    }
    assert_eq!(scheduled, once);
    // A range behind what it has taken cannot be judged: an error, not an empty success.
    let err = block_on(f4.run(&source, TimeRange::new(start, at(60)).unwrap())).unwrap_err();
    assert!(matches!(err, Error::RangeBehind { .. }), "{err}");

    // A principal longer than any ARN in the middle of a run: refused, nothing of the run
    // taken, and the run before the bad event finds what it finds.
    let bad_at = events[events.len() / 2].time;
    let mut long = events[events.len() / 2].clone();
    long.identity.arn = Some("x".repeat(failure_modes::MAX_PRINCIPAL_BYTES + 1));
    let spoilt = InMemoryAuditSource::new();
    spoilt.extend(
        events
            .iter()
            .filter(|e| e.time != bad_at)
            .cloned()
            .chain([long]),
    );
    let mut f4 = CredentialCompromise::new(Default::default()).unwrap();
    let first = TimeRange::new(start, bad_at - Duration::hours(1)).unwrap();
    block_on(f4.run(&spoilt, first)).unwrap();
    let before = format!("{f4:?}");
    let err = block_on(f4.run(&spoilt, TimeRange::new(start, at(14 * 1440)).unwrap())).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "identity",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(format!("{f4:?}"), before);
}

/// A probe of the run path (2026-12-07): F2 added a zone's target and load-balancer 5xx before
/// checking either and capped the sum at the requests, so a NaN or 1e300 paged ("80 % of
/// requests failed"), a negative one cancelled 900 real ones, and neither was refused (a NaN
/// too, through `judge_fetched`; a source refuses to store one).
#[test]
fn f2_refuses_a_bad_5xx_count_instead_of_summing_it_away() {
    use failure_modes::{NetworkPartition, ZoneSignal};
    for (target, elb, bad) in [
        (1e300, 0.0, 1e300),
        (900.0, -900.0, -900.0),
        (-5.0, 5.0, -5.0),
    ] {
        let signal = ZoneSignal::alb("app/lb/1", &["a", "b", "c"]).unwrap();
        let source = InMemorySource::new();
        for zone in ["a", "b", "c"] {
            let metrics = signal.zone_metrics(zone).unwrap();
            for m in 0..140 {
                block_on(source.put(&metrics.requests, &[(at(m), 1000.0)])).unwrap();
                block_on(source.put(&metrics.latency, &[(at(m), 0.05)])).unwrap();
                if zone == "a" && m >= 120 {
                    block_on(source.put(&metrics.target_5xx, &[(at(m), target)])).unwrap();
                    block_on(source.put(&metrics.elb_5xx, &[(at(m), elb)])).unwrap();
                }
            }
        }
        let mut detector = NetworkPartition::new(signal, Default::default()).unwrap();
        block_on(run(&mut detector, &source, range(0, 100))).unwrap();
        let before = format!("{detector:?}");
        let err = block_on(run(&mut detector, &source, range(0, 140))).unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { value, .. } if value == bad),
            "({target}, {elb}): {err}"
        );
        assert_eq!(format!("{detector:?}"), before);
    }
}

/// A probe of the run path (2026-12-07): a series under an id the detector did not ask for
/// was read: F6 without an upstream signal took an `upstream` series (and refused the run for
/// its NaN). Only the series of a detector's own queries are read.
#[test]
fn a_series_no_query_asked_for_is_not_read() {
    use aws_telemetry::{FetchedSeries, QueryId};
    use failure_modes::{ConnectionSignal, DbConnectionExhaustion, FetchedDetector};
    let climb = |m: i64, per: f64| if m > 60 { per * (m - 60) as f64 } else { 0.0 };
    let connections: Vec<_> = (0..120).map(|m| (at(m), 100.0 + climb(m, 4.0))).collect();
    let series = |id: &str, points| FetchedSeries::new(QueryId::new(id).unwrap(), points);
    let judged = |extra: Option<f64>| {
        let signal = ConnectionSignal::rds("orders", 400.0).unwrap();
        let mut detector = DbConnectionExhaustion::new(signal, Default::default()).unwrap();
        let mut fetched = vec![series("connections", connections.clone())];
        if let Some(nan_at) = extra {
            let upstream = (0..120)
                .map(|m| {
                    (
                        at(m),
                        if m == 30 {
                            nan_at
                        } else {
                            10.0 + climb(m, 1.0)
                        },
                    )
                })
                .collect();
            fetched.push(series("upstream", upstream));
        }
        format!("{:?}", detector.judge_fetched(&fetched))
    };
    let alone = judged(None);
    assert!(alone.starts_with("Ok([Finding"), "{alone}");
    assert_eq!(judged(Some(10.0)), alone);
    assert_eq!(judged(Some(f64::NAN)), alone);
}

/// A probe of the run path (2026-12-07): Lambda's calls are `Invocations` plus `Throttles`,
/// so a negative `Invocations` was summed first and the error blamed the throttles.
#[test]
fn a_bad_invocations_value_is_named_as_the_calls() {
    let (signal, source) = throttling_source(10, Some(5));
    block_on(source.put(&signal.throttles, &[(at(5), 10.0)])).unwrap();
    let err = block_on(run(&mut f1(&signal), &source, range(0, 10))).unwrap_err();
    assert!(err.to_string().starts_with("calls = -1 at "), "{err}");
}
