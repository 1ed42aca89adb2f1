//! The generic detector on a plain metric as a detector like F1–F8 (`MetricAnomalies`): a real
//! CloudWatch series (NAB's ELB requests, with its missing periods) put in a metric source and
//! read back through `run` and a `DetectorSet`, its alerts reported as findings that go through
//! maintenance windows and grouping by root cause.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use failure_modes::chrono::{DateTime, Duration, NaiveDateTime, Utc};
use failure_modes::{
    AlertInterval, AnomalyConfig, AnomalyKind, AnomalySignal, ApiThrottling, DEFAULT_HOLD,
    Detector, DetectorSet, Error, FailureMode, FetchRequest, InMemorySource, Interval,
    MaintenanceWindows, Metric, MetricAnomalies, MetricDetector, MetricSink, MetricSource, Period,
    Severity, Statistic, ThrottleSignal, TimeRange, TimedAnomalyDetector, group_by_root_cause,
    outside_maintenance, run,
};

fn elb_points() -> Vec<(DateTime<Utc>, f64)> {
    include_str!("data/nab/elb_request_count_8c0756.csv")
        .lines()
        .skip(1)
        .map(|line| {
            let (time, value) = line.split_once(',').unwrap();
            let time = NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S").unwrap();
            (time.and_utc(), value.trim().parse().unwrap())
        })
        .collect()
}

fn elb_signal() -> AnomalySignal {
    let metric = Metric::new("AWS/ELB", "RequestCount")
        .unwrap()
        .with_dimension("LoadBalancerName", "shop")
        .unwrap();
    AnomalySignal::new(
        "elb:shop",
        metric,
        Statistic::Sum,
        Period::new(300).unwrap(),
    )
}

async fn elb_source(signal: &AnomalySignal, points: &[(DateTime<Utc>, f64)]) -> InMemorySource {
    let source = InMemorySource::new();
    source.put(&signal.metric, points).await.unwrap();
    source
}

fn elb_range(points: &[(DateTime<Utc>, f64)]) -> TimeRange {
    let last = points.last().unwrap().0;
    TimeRange::new(points[0].0, last + Duration::minutes(5)).unwrap()
}

/// Fetched from a source, the real series gives one finding per alert of the timed detector on
/// the same points, at the alert's time, with the kind's start, bar and |z|, and the mode and
/// severity asked for.
#[tokio::test]
async fn a_real_series_read_from_a_source_gives_the_timed_detectors_alerts_as_findings() {
    let points = elb_points();
    let signal = elb_signal();
    let source = elb_source(&signal, &points).await;
    let mut detector = MetricAnomalies::new(signal.clone(), FailureMode::NetworkPartition)
        .unwrap()
        .with_severity(Severity::Page);
    let range = elb_range(&points);
    // What the detector reads: the source's series, on CloudWatch's period grid (NAB's times
    // are four minutes past it), value for value.
    let request = FetchRequest::new(detector.queries().unwrap(), range).unwrap();
    let fetched = source.fetch(&request).await.unwrap();
    let read = &fetched[0].points;
    assert_eq!(read.len(), points.len());
    assert!(
        read.iter()
            .zip(&points)
            .all(|(r, p)| r.1 == p.1 && p.0 - r.0 == Duration::minutes(4))
    );
    let findings = run(&mut detector, &source, range).await.unwrap();

    let config = AnomalyConfig::for_period(300).unwrap();
    let alerts = TimedAnomalyDetector::new(config, signal.period)
        .unwrap()
        .detect(read)
        .unwrap();
    assert!(alerts.len() >= 2, "the series has alerts to compare");
    assert_eq!(findings.len(), alerts.len());
    let mut kinds = [0, 0];
    for (finding, alert) in findings.iter().zip(&alerts) {
        assert_eq!(
            (finding.mode, finding.severity, finding.subject.as_str()),
            (FailureMode::NetworkPartition, Severity::Page, "elb:shop")
        );
        assert_eq!(finding.end, alert.at);
        let (z, bar, start) = match alert.anomaly.kind {
            AnomalyKind::Spike { z } => {
                kinds[0] += 1;
                (z, config.spike_sigma(), alert.at)
            }
            AnomalyKind::Shift { z, .. } => {
                kinds[1] += 1;
                (
                    z,
                    config.shift_sigma().unwrap(),
                    alert.at - Duration::minutes(5 * 11),
                )
            }
            _ => panic!("a kind this test does not know"),
        };
        assert_eq!(finding.start, start);
        assert_eq!(finding.evidence.observed, z.abs());
        assert_eq!(finding.evidence.score, z.abs());
        assert_eq!(finding.evidence.threshold, bar);
        assert!(finding.evidence.observed >= finding.evidence.threshold);
        assert!(!finding.evidence.detail.contains("Some("));
    }
    assert!(
        kinds[0] > 0 && kinds[1] > 0,
        "spikes and shifts among the alerts: {kinds:?}"
    );
}

/// Its findings go through the noise reduction F1–F8's go through: a maintenance window over
/// one drops that one (a non-security mode), and an SLO alert on the same key joins the one
/// it overlaps into one notification.
#[tokio::test]
async fn generic_findings_are_dropped_in_maintenance_and_grouped_with_the_slo_alert() {
    let points = elb_points();
    let signal = elb_signal();
    let source = elb_source(&signal, &points).await;
    let mut detector = MetricAnomalies::new(signal, FailureMode::NetworkPartition).unwrap();
    let findings = run(&mut detector, &source, elb_range(&points))
        .await
        .unwrap();
    assert!(findings.len() >= 2);
    let first = findings[0].clone();

    let windows = MaintenanceWindows::new([Interval::new(
        first.end - Duration::minutes(30),
        first.end + Duration::minutes(30),
    )
    .unwrap()]);
    let kept = outside_maintenance(findings.clone(), &windows);
    assert_eq!(kept.len(), findings.len() - 1);
    assert!(!kept.contains(&first));

    let slo = AlertInterval::new(
        "shop availability, page",
        Severity::Page,
        first.start,
        Some(first.end + Duration::minutes(20)),
    );
    let groups = group_by_root_cause(
        vec![("elb:shop", slo)],
        findings.iter().map(|f| ("elb:shop", f.clone())).collect(),
        DEFAULT_HOLD,
    );
    let with_slo = groups
        .iter()
        .find(|g| g.alerts.iter().any(|a| a.tier == "shop availability, page"))
        .unwrap();
    assert_eq!(
        with_slo.alerts.len(),
        2,
        "the SLO page and the finding behind it"
    );
    assert_eq!(with_slo.severity, Severity::Page);
}

/// In a `DetectorSet` beside F1, one fetch gives each what it gives alone.
#[tokio::test]
async fn a_detector_set_holds_it_beside_f1() {
    let points = elb_points();
    let signal = elb_signal();
    let source = elb_source(&signal, &points).await;
    let range = elb_range(&points);
    let lambda = ThrottleSignal::lambda("checkout").unwrap();
    for &(at, _) in points.iter().step_by(10) {
        source.put(&lambda.calls, &[(at, 1000.0)]).await.unwrap();
        source.put(&lambda.throttles, &[(at, 0.0)]).await.unwrap();
    }
    let alone = run(
        &mut MetricAnomalies::new(signal.clone(), FailureMode::NetworkPartition).unwrap(),
        &source,
        range,
    )
    .await
    .unwrap();
    let mut set = DetectorSet::new()
        .with(ApiThrottling::new(lambda, Default::default()).unwrap())
        .with(MetricAnomalies::new(signal, FailureMode::NetworkPartition).unwrap());
    let together: Vec<_> = set
        .run(&source, range)
        .await
        .unwrap()
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(together.len(), 2);
    assert!(together[0].is_empty());
    assert_eq!(together[1], alone);
    assert!(!alone.is_empty());
}

/// Bad input is a typed error naming what was wrong, and leaves the detector as it was.
#[tokio::test]
async fn bad_times_values_and_series_are_typed_errors() {
    let signal = elb_signal();
    let t0 = DateTime::from_timestamp(1_790_000_100, 0).unwrap();
    let mut detector = MetricAnomalies::new(signal.clone(), FailureMode::NetworkPartition).unwrap();
    detector.push((t0, 10.0)).unwrap();
    match detector.push((t0, 11.0)) {
        Err(Error::OutOfOrder { previous, at }) => assert_eq!((previous, at), (t0, t0)),
        other => panic!("{other:?}"),
    }
    match detector.push((t0 + Duration::seconds(301), 11.0)) {
        Err(Error::InvalidInput { field, value, .. }) => assert_eq!((field, value), ("at", 1.0)),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        detector.push((t0 + Duration::minutes(5), f64::NAN)),
        Err(Error::InvalidValue { .. })
    ));
    assert_eq!(detector.detector().detector().next_index(), 1);
    // A period the default configuration cannot be built for (above an hour).
    let daily = AnomalySignal::new(
        "daily",
        signal.metric.clone(),
        Statistic::Sum,
        Period::new(86_400).unwrap(),
    );
    assert!(matches!(
        MetricAnomalies::new(daily, FailureMode::CostRunaway),
        Err(Error::InvalidConfig { .. })
    ));
    // No series, and an empty one.
    let range = TimeRange::new(t0, t0 + Duration::hours(1)).unwrap();
    let empty = InMemorySource::new();
    let err = run(&mut detector, &empty, range).await.unwrap_err();
    assert!(
        matches!(err, Error::MissingSeries { ref id } | Error::NoData { ref id } if id == "value"),
        "{err}"
    );
}
