//! A heterogeneous set of detectors as trait objects, run over one source with one fetch: two
//! F1 detectors (same query ids) and an F6 detector in a `DetectorSet`, against each run on
//! its own.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use failure_modes::chrono::{Duration, TimeZone, Utc};
use failure_modes::{
    ApiThrottling, ConnectionSignal, DbConnectionExhaustion, DetectorSet, DynFetchedDetector,
    FetchRequest, FetchedSeries, InMemorySource, MetricSink, MetricSource, ThrottleSignal,
    TimeRange, run,
};

/// A source that counts the requests it serves.
#[derive(Debug)]
struct Counting {
    inner: InMemorySource,
    requests: AtomicUsize,
    queries: AtomicUsize,
}

impl std::fmt::Display for Counting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("counting")
    }
}

#[async_trait]
impl MetricSource for Counting {
    async fn fetch(
        &self,
        request: &FetchRequest,
    ) -> Result<Vec<FetchedSeries>, aws_telemetry::FetchError> {
        self.requests.fetch_add(1, Ordering::SeqCst);
        self.queries
            .fetch_add(request.queries().len(), Ordering::SeqCst);
        self.inner.fetch(request).await
    }
}

fn assert_send<T: Send>(_: &T) {}

#[tokio::test]
async fn one_fetch_for_a_heterogeneous_set_finds_what_each_detector_finds_alone() {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let range = TimeRange::new(start, start + Duration::minutes(600)).unwrap();
    let (checkout, search) = (
        ThrottleSignal::lambda("checkout").unwrap(),
        ThrottleSignal::lambda("search").unwrap(),
    );
    let db = ConnectionSignal::rds("orders", 400.0).unwrap();
    let inner = InMemorySource::new();
    for minute in 0..600 {
        let at = start + Duration::minutes(minute);
        inner.put(&checkout.calls, &[(at, 1000.0)]).await.unwrap();
        let throttled = if minute >= 500 { 300.0 } else { 0.0 };
        inner
            .put(&checkout.throttles, &[(at, throttled)])
            .await
            .unwrap();
        inner.put(&search.calls, &[(at, 800.0)]).await.unwrap();
        inner.put(&search.throttles, &[(at, 0.0)]).await.unwrap();
        // The pool climbs past 80 % of max_connections in the last hour.
        let connections = if minute >= 540 {
            100.0 + 5.0 * (minute - 540) as f64
        } else {
            100.0
        };
        inner
            .put(&db.connections, &[(at, connections)])
            .await
            .unwrap();
    }
    let source = Counting {
        inner: inner.clone(),
        requests: AtomicUsize::new(0),
        queries: AtomicUsize::new(0),
    };

    // Each alone, through `run`: three requests.
    let mut alone = Vec::new();
    alone.push(
        run(
            &mut ApiThrottling::new(checkout.clone(), Default::default()).unwrap(),
            &source,
            range,
        )
        .await
        .unwrap(),
    );
    alone.push(
        run(
            &mut ApiThrottling::new(search.clone(), Default::default()).unwrap(),
            &source,
            range,
        )
        .await
        .unwrap(),
    );
    alone.push(
        run(
            &mut DbConnectionExhaustion::new(db.clone(), Default::default()).unwrap(),
            &source,
            range,
        )
        .await
        .unwrap(),
    );
    assert_eq!(source.requests.load(Ordering::SeqCst), 3);
    assert!(!alone[0].is_empty() && alone[1].is_empty() && !alone[2].is_empty());

    // As trait objects in one set: one request with every query, ids kept apart.
    let detectors: Vec<Box<DynFetchedDetector>> = vec![
        Box::new(ApiThrottling::new(checkout, Default::default()).unwrap()),
        Box::new(ApiThrottling::new(search, Default::default()).unwrap()),
        Box::new(DbConnectionExhaustion::new(db, Default::default()).unwrap()),
    ];
    let mut set = DetectorSet::new();
    for detector in detectors {
        set.push(detector);
    }
    assert_send(&set);
    let request = set.fetch_request(range).unwrap();
    let ids: Vec<&str> = request.queries().iter().map(|q| q.id().as_str()).collect();
    assert_eq!(
        ids,
        [
            "d0_calls",
            "d0_throttles",
            "d1_calls",
            "d1_throttles",
            "d2_connections"
        ]
    );
    source.requests.store(0, Ordering::SeqCst);
    source.queries.store(0, Ordering::SeqCst);
    let together = set.run(&source, range).await.unwrap();
    assert_eq!(source.requests.load(Ordering::SeqCst), 1);
    assert_eq!(source.queries.load(Ordering::SeqCst), 5);
    let together: Vec<_> = together.into_iter().map(Result::unwrap).collect();
    assert_eq!(together, alone);
    assert!(format!("{set:?}").contains("ApiThrottling"));
}

#[tokio::test]
async fn a_detector_without_data_does_not_hide_the_others() {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let range = TimeRange::new(start, start + Duration::minutes(120)).unwrap();
    let db = ConnectionSignal::rds("orders", 100.0).unwrap();
    let source = InMemorySource::new();
    for minute in 0..120 {
        let at = start + Duration::minutes(minute);
        source.put(&db.connections, &[(at, 99.0)]).await.unwrap();
    }
    let mut set = DetectorSet::new()
        .with(
            ApiThrottling::new(ThrottleSignal::lambda("gone").unwrap(), Default::default())
                .unwrap(),
        )
        .with(DbConnectionExhaustion::new(db, Default::default()).unwrap());
    let results = set.run(&source, range).await.unwrap();
    assert!(
        matches!(results[0], Err(failure_modes::Error::NoData { .. })),
        "{:?}",
        results[0]
    );
    assert!(results[1].as_ref().is_ok_and(|f| !f.is_empty()));
    assert!(DetectorSet::new().fetch_request(range).is_err());
}

/// Compiles only if `D` can be held in a [`DetectorSet`].
fn holdable<D: failure_modes::FetchedDetector + 'static>() {}

#[test]
fn every_metric_detector_is_an_object_a_set_can_hold_and_f4_a_send_debug_detector_object() {
    holdable::<ApiThrottling>();
    holdable::<failure_modes::NetworkPartition>();
    holdable::<failure_modes::ServiceQuotaHit>();
    holdable::<failure_modes::ColdStartLatency>();
    holdable::<DbConnectionExhaustion>();
    holdable::<failure_modes::PublicDataLeak>();
    holdable::<failure_modes::CostRunaway>();
    holdable::<failure_modes::MetricAnomalies>();
    // F4 reads CloudTrail events, not metrics: it is a `Detector` object of its own, `Send`
    // and `Debug` through the trait's supertraits.
    let f4: Box<dyn failure_modes::Detector<Input = failure_modes::AuditEvent>> =
        Box::new(failure_modes::CredentialCompromise::new(Default::default()).unwrap());
    assert_send(&f4);
    assert_eq!(f4.mode(), failure_modes::FailureMode::CredentialCompromise);
    assert!(
        format!("{f4:?}").starts_with("CredentialCompromise"),
        "{f4:?}"
    );
}

/// A detector of the caller's own that asks for metric math over its other query.
#[derive(Debug)]
struct RatioDetector;

impl failure_modes::Detector for RatioDetector {
    type Input = ();

    fn mode(&self) -> failure_modes::FailureMode {
        failure_modes::FailureMode::ApiThrottling
    }

    fn push(&mut self, (): ()) -> failure_modes::Result<Vec<failure_modes::Finding>> {
        Ok(Vec::new())
    }
}

impl failure_modes::MetricDetector for RatioDetector {
    fn queries(&self) -> failure_modes::Result<Vec<failure_modes::MetricQuery>> {
        let period = failure_modes::Period::new(60)?;
        Ok(vec![
            failure_modes::MetricQuery::stat(
                "errors",
                failure_modes::Metric::new("AWS/Lambda", "Errors")?,
                failure_modes::Statistic::Sum,
                period,
            )?,
            failure_modes::MetricQuery::expression("ratio", "errors / 60", period)?,
        ])
    }

    fn observations(&self, _: &[FetchedSeries]) -> failure_modes::Result<Vec<()>> {
        Ok(Vec::new())
    }
}

#[test]
fn metric_math_whose_ids_the_set_would_rename_is_refused_with_the_query_named() {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let range = TimeRange::new(start, start + Duration::minutes(60)).unwrap();
    let set = DetectorSet::new()
        .with(
            DbConnectionExhaustion::new(
                ConnectionSignal::rds("orders", 100.0).unwrap(),
                Default::default(),
            )
            .unwrap(),
        )
        .with(RatioDetector);
    let error = set.fetch_request(range).unwrap_err();
    assert!(error.to_string().contains("ratio"), "{error}");
    // Without the set, the same detector's request is valid.
    let alone = failure_modes::MetricDetector::queries(&RatioDetector).unwrap();
    assert!(FetchRequest::new(alone, range).is_ok());
}

/// A source that answers with series the request did not ask for as well.
#[derive(Debug)]
struct Chatty {
    inner: InMemorySource,
}

impl std::fmt::Display for Chatty {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("chatty")
    }
}

#[async_trait]
impl MetricSource for Chatty {
    async fn fetch(
        &self,
        request: &FetchRequest,
    ) -> Result<Vec<FetchedSeries>, aws_telemetry::FetchError> {
        let mut out = self.inner.fetch(request).await?;
        for foreign in ["d0_", "d9_calls", "zz"] {
            let id = failure_modes::QueryId::new(foreign).unwrap();
            out.push(FetchedSeries::new(id, Vec::new()));
        }
        Ok(out)
    }
}

#[tokio::test]
async fn series_no_detector_asked_for_are_left_out() {
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let range = TimeRange::new(start, start + Duration::minutes(120)).unwrap();
    let db = ConnectionSignal::rds("orders", 100.0).unwrap();
    let inner = InMemorySource::new();
    for minute in 0..120 {
        let at = start + Duration::minutes(minute);
        inner.put(&db.connections, &[(at, 99.0)]).await.unwrap();
    }
    let mut set =
        DetectorSet::new().with(DbConnectionExhaustion::new(db, Default::default()).unwrap());
    let results = set.run(&Chatty { inner }, range).await.unwrap();
    assert_eq!(results.len(), 1);
    assert!(
        results[0].as_ref().is_ok_and(|f| !f.is_empty()),
        "{results:?}"
    );
}
