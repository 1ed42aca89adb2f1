//! From a `MetricSource` to findings with nothing assembled by hand: the game-day telemetry
//! is written into an `InMemorySource` under the metrics each detector's `queries()` names,
//! and `run` must find exactly what the detector finds on the samples directly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use common::store;

use aws_telemetry::{InMemorySource, TimeRange};
use chrono::{Duration, TimeZone, Utc};
use failure_modes::scenarios::{GameDay, Incident};
use failure_modes::{
    ApiThrottling, ConnectionSignal, DbConnectionExhaustion, Detector, MetricDetector,
    NetworkPartition, ThrottleSignal, ZoneSignal, run,
};

fn game() -> (GameDay, Incident, TimeRange) {
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let game = GameDay::new(start, Duration::minutes(1), 2 * 1440, 11).unwrap();
    let incident = Incident::new(start + Duration::hours(30), Duration::hours(2), 4.0);
    let range = TimeRange::new(start, start + Duration::days(2)).unwrap();
    (game, incident, range)
}

#[tokio::test]
async fn throttling_from_a_source() {
    let (game, _, range) = game();
    let incident = Incident::new(game.start() + Duration::hours(30), Duration::hours(1), 0.05);
    let samples = game.throttling(Some(incident));
    let make =
        || ApiThrottling::new(ThrottleSignal::lambda("api").unwrap(), Default::default()).unwrap();
    let queries = make().queries().unwrap();
    let source = InMemorySource::new();
    // Lambda's Invocations excludes throttled calls; periods without throttles have no point.
    store(
        &source,
        &queries,
        "calls",
        samples
            .iter()
            .map(|s| (s.at, s.calls - s.throttled))
            .collect(),
    );
    store(
        &source,
        &queries,
        "throttles",
        samples
            .iter()
            .filter(|s| s.throttled > 0.0)
            .map(|s| (s.at, s.throttled))
            .collect(),
    );
    let expected = make().detect(samples).unwrap();
    let found = run(&mut make(), &source, range).await.unwrap();
    assert_eq!(found, expected);
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn partition_from_a_source() {
    let (game, incident, range) = game();
    let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
    let samples = game.partition(&zones, Some(incident), None);
    let make = || {
        NetworkPartition::new(
            ZoneSignal::alb("app/shop/1", &zones).unwrap(),
            Default::default(),
        )
        .unwrap()
    };
    let queries = make().queries().unwrap();
    assert_eq!(queries.len(), 12);
    let source = InMemorySource::new();
    for (i, zone) in zones.iter().enumerate() {
        let series = |f: fn(&failure_modes::ZoneObservation) -> f64| {
            samples
                .iter()
                .map(|s| (s.at, f(s.zones.iter().find(|z| z.zone == *zone).unwrap())))
                .collect::<Vec<_>>()
        };
        store(
            &source,
            &queries,
            &format!("latency_{i}"),
            series(|z| z.latency.unwrap()),
        );
        store(
            &source,
            &queries,
            &format!("requests_{i}"),
            series(|z| z.requests),
        );
        store(
            &source,
            &queries,
            &format!("errors_{i}"),
            series(|z| z.errors),
        );
    }
    let expected = make().detect(samples).unwrap();
    let found = run(&mut make(), &source, range).await.unwrap();
    assert_eq!(found, expected);
    assert_eq!(found[0].subject, "eu-west-1a");
}

#[tokio::test]
async fn connections_with_upstream_from_a_source() {
    let (game, incident, range) = game();
    let samples = game.connections(500.0, Some(incident));
    let signal = ConnectionSignal::rds("orders", 500.0)
        .unwrap()
        .with_lambda_upstream("api")
        .unwrap();
    let make = || DbConnectionExhaustion::new(signal.clone(), Default::default()).unwrap();
    let queries = make().queries().unwrap();
    let source = InMemorySource::new();
    store(
        &source,
        &queries,
        "connections",
        samples.iter().map(|s| (s.at, s.connections)).collect(),
    );
    store(
        &source,
        &queries,
        "upstream",
        samples
            .iter()
            .map(|s| (s.at, s.upstream.unwrap()))
            .collect(),
    );
    let expected = make().detect(samples).unwrap();
    let found = run(&mut make(), &source, range).await.unwrap();
    assert_eq!(found, expected);
    assert!(
        found[0].evidence.detail.contains("upstream concurrency"),
        "{}",
        found[0]
    );
    assert!(found[0].forecast.is_some());
}

#[tokio::test]
async fn a_metric_without_data_is_a_typed_error() {
    let (_, _, range) = game();
    let mut f1 =
        ApiThrottling::new(ThrottleSignal::lambda("api").unwrap(), Default::default()).unwrap();
    let err = run(&mut f1, &InMemorySource::new(), range)
        .await
        .unwrap_err();
    // The source answers with an empty series (as CloudWatch does for a metric that does not
    // exist): that is not "all fine".
    assert!(
        matches!(err, failure_modes::Error::NoData { ref id } if id.contains("calls")),
        "{err}"
    );
}

#[tokio::test]
async fn total_throttling_is_found_although_invocations_has_no_points() {
    // Lambda's Invocations has no datapoint in a minute where every call was throttled: those
    // minutes come from Throttles alone, and they are the ones that must page.
    let (game, _, range) = game();
    let make =
        || ApiThrottling::new(ThrottleSignal::lambda("api").unwrap(), Default::default()).unwrap();
    let queries = make().queries().unwrap();
    let source = InMemorySource::new();
    let blocked = |m: i64| (1800..1900).contains(&m);
    let start = game.start();
    store(
        &source,
        &queries,
        "calls",
        (0..2880)
            .filter(|m| !blocked(*m))
            .map(|m| (start + Duration::minutes(m), 600.0))
            .collect(),
    );
    store(
        &source,
        &queries,
        "throttles",
        (0..2880)
            .filter(|m| blocked(*m))
            .map(|m| (start + Duration::minutes(m), 600.0))
            .collect(),
    );
    let found = run(&mut make(), &source, range).await.unwrap();
    assert!(
        found.iter().any(|f| f.severity == sli_core::Severity::Page
            && f.start == start + Duration::minutes(1800)),
        "{found:?}"
    );
}
