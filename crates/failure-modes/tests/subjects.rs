//! A detector's subject: the name it is built for (a load balancer, a bucket, a currency) is
//! checked when it is built, and facts about another subject are refused, not taken.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use failure_modes::{
    AccessSample, BucketExposure, Detector, Error, LeakConfig, MetricDetector, PublicDataLeak,
};

fn t(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + Duration::minutes(minute)
}

/// Probe A (2026-12-07): bucket b's detector took a scan of bucket `other`, paged "bucket is
/// public" under `other`'s name, and from then on queried `other`'s requests, judged against
/// b's baseline. A scan of another bucket is refused, naming both, and changes nothing.
#[test]
fn f7_refuses_a_scan_of_another_bucket() {
    let mut f7 = PublicDataLeak::new(BucketExposure::new("b"), LeakConfig::default()).unwrap();
    for m in 0..10 {
        f7.push(AccessSample {
            at: t(m),
            requests: 10.0,
        })
        .unwrap();
    }
    let queries = format!("{:?}", f7.queries().unwrap());
    let other = BucketExposure::new("other").with_policy_is_public(true);
    let err = f7.scan(t(10), other.clone()).unwrap_err();
    assert!(
        matches!(&err, Error::OtherBucket { bucket, scanned } if bucket == "b" && scanned == "other"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the scan is of bucket \"other\", not of this detector's bucket \"b\""
    );
    assert!(matches!(
        f7.set_exposure(other),
        Err(Error::OtherBucket { .. })
    ));
    assert_eq!(format!("{:?}", f7.queries().unwrap()), queries);
    assert_eq!(f7.exposure(), &failure_modes::Exposure::Private);
    // A long name is shown by its first 64 characters.
    let long = "x".repeat(300_000);
    let err = f7.scan(t(10), BucketExposure::new(long)).unwrap_err();
    assert!(
        matches!(&err, Error::OtherBucket { scanned, .. } if scanned.chars().count() == 65),
        "{err:?}"
    );
    // Its own bucket's scan is taken.
    let own = BucketExposure::new("b").with_policy_is_public(true);
    assert_eq!(f7.scan(t(10), own).unwrap().len(), 1);
}

/// Probe A (2026-12-07): F2's load balancer (and zones), F8's currency and F7's bucket took
/// an empty, blank, control-character or 300 KB name, found bad only when the queries were
/// built (a push-only caller never was told, and its findings carried the name). They are
/// refused at construction, as F1, F5 and F6 refuse their names: the query error naming the
/// dimension value.
#[test]
fn names_a_query_would_refuse_are_refused_at_construction() {
    use failure_modes::{CostRunaway, ThrottleSignal, ZoneSignal};
    let long = "x".repeat(300_000);
    for name in ["", " ", "a\u{0}b", long.as_str()] {
        let refused = |result: Result<(), Error>, what: &str| match result {
            Err(Error::Query(failure_modes::aws_telemetry::QueryError::InvalidMetric {
                field: "dimension value",
                value,
                ..
            })) => assert_eq!(value, name, "{what}"),
            other => panic!("{what} {:?}: {other:?}", &name[..name.len().min(8)]),
        };
        // The check the others make.
        refused(ThrottleSignal::lambda(name).map(drop), "F1");
        refused(
            ZoneSignal::alb(name, &["a", "b"]).map(drop),
            "F2 load balancer",
        );
        refused(
            ZoneSignal::alb("app/lb/1", &["a", name]).map(drop),
            "F2 zone",
        );
        refused(CostRunaway::new(name, Default::default()).map(drop), "F8");
        refused(
            PublicDataLeak::new(BucketExposure::new(name), LeakConfig::default()).map(drop),
            "F7",
        );
    }
    assert!(ZoneSignal::alb("app/lb/1", &["a", "b"]).is_ok());
    assert!(CostRunaway::new("USD", Default::default()).is_ok());
}
