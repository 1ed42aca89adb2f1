//! The real SDK over HTTP against a CloudWatch emulator on 127.0.0.1: moto in server mode behind
//! the RPC v2 CBOR bridge (`tools/cloudwatch-bridge`), both started by `scripts/test.sh`, which
//! sets `AWS_TELEMETRY_EMULATOR=1`, `AWS_ENDPOINT_URL` and test credentials. Outside that
//! command these tests print SKIPPED and pass without running.
//!
//! What moto models correctly is tested here (PutMetricData, then GetMetricData with Sum,
//! Average, Minimum, Maximum and SampleCount over several series and calls); what it gets wrong
//! is covered in `cloudwatch_faults.rs` (see docs/cloudwatch.md).

#![cfg(feature = "cloudwatch")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_telemetry::conformance::Fixture;
use aws_telemetry::{
    CloudWatchSink, CloudWatchSource, DynMetricSource, Metric, MetricSink, RetryPolicy,
};
use chrono::{TimeDelta, Utc};

async fn emulator(test: &str) -> Option<aws_config::SdkConfig> {
    if std::env::var("AWS_TELEMETRY_EMULATOR").as_deref() != Ok("1") {
        eprintln!(
            "SKIPPED {test}: no CloudWatch emulator (run `bash scripts/test.sh`, which starts one)"
        );
        return None;
    }
    Some(
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .load()
            .await,
    )
}

#[tokio::test]
async fn put_then_fetch_honours_the_contract() {
    let Some(config) = emulator("put_then_fetch_honours_the_contract").await else {
        return;
    };
    // Three hours ago, so every sample is inside CloudWatch's retention and PutMetricData's
    // two-week window.
    let fixture = Fixture::at(Utc::now() - TimeDelta::hours(3));
    let sink = CloudWatchSink::new(&config);
    let mut calls = 0;
    for (metric, samples) in fixture.samples() {
        calls += sink.put(&metric, &samples).await.unwrap();
    }
    // 720 + 1,440 samples at 1,000 a call.
    assert_eq!(calls, 1 + 2);
    let source = CloudWatchSource::from_client(
        aws_sdk_cloudwatch::Client::new(&config),
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(100),
        },
    );
    let dynamic: Arc<DynMetricSource> = Arc::new(source.clone());
    fixture.check_basic(&*dynamic).await.unwrap();
    let stats = source.stats();
    assert!(stats.calls >= 2 && stats.datapoints > 0, "{stats:?}");
    assert_eq!(stats.retries, 0);
}

#[tokio::test]
async fn sink_refuses_what_cloudwatch_would() {
    let Some(config) = emulator("sink_refuses_what_cloudwatch_would").await else {
        return;
    };
    let sink = CloudWatchSink::new(&config);
    let aws = Metric::new("AWS/EC2", "CPUUtilization").unwrap();
    assert!(sink.put(&aws, &[(Utc::now(), 1.0)]).await.is_err());
    let custom = Metric::new("SLO/checkout", "BurnRate").unwrap();
    assert!(
        sink.put(&custom, &[(Utc::now() - TimeDelta::days(20), 1.0)])
            .await
            .is_err()
    );
    assert!(sink.put(&custom, &[(Utc::now(), f64::NAN)]).await.is_err());
    assert_eq!(sink.put(&custom, &[(Utc::now(), 2.5)]).await.unwrap(), 1);
}
