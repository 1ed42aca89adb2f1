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
        RetryPolicy::default()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(10))
            .with_max_backoff(Duration::from_millis(100)),
    );
    let dynamic: Arc<DynMetricSource> = Arc::new(source.clone());
    fixture.check_basic(&*dynamic).await.unwrap();
    // One call per fetch of the contract: six queries of two periods share one call, then the
    // clipped range and the range off the period grid.
    let stats = source.stats();
    assert_eq!((stats.calls, stats.retries), (3, 0), "{stats:?}");
    assert!(stats.datapoints > 0);
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

#[tokio::test]
async fn many_series_same_answers_as_in_memory() {
    let Some(config) = emulator("many_series_same_answers_as_in_memory").await else {
        return;
    };
    use aws_telemetry::{
        FetchRequest, InMemorySource, MetricQuery, MetricSource, Period, Statistic, TimeRange,
    };
    // 40 series of one sample every 20 s for an hour, put to both the emulator and memory, then
    // fetched with every basic statistic in one request: both sources must agree.
    let now = Utc::now().timestamp();
    let start = chrono::DateTime::from_timestamp(now - now % 3600 - 2 * 3600, 0).unwrap();
    let sink = CloudWatchSink::new(&config);
    let memory = InMemorySource::new();
    let mut queries = Vec::new();
    for s in 0..40 {
        let metric = Metric::new("Emulator/Many", "Work")
            .unwrap()
            .with_dimension("Shard", format!("s{s}"))
            .unwrap();
        let samples: Vec<_> = (0..180)
            .map(|i| {
                (
                    start + TimeDelta::seconds(20 * i),
                    ((i * 7 + s) % 50) as f64,
                )
            })
            .collect();
        sink.put(&metric, &samples).await.unwrap();
        memory.put(&metric, &samples).await.unwrap();
        for (k, stat) in [
            Statistic::Sum,
            Statistic::Average,
            Statistic::Minimum,
            Statistic::Maximum,
            Statistic::SampleCount,
        ]
        .into_iter()
        .enumerate()
        {
            queries.push(
                MetricQuery::stat(
                    &format!("s{s}_{k}"),
                    metric.clone(),
                    stat,
                    Period::new(300).unwrap(),
                )
                .unwrap(),
            );
        }
    }
    let request = FetchRequest::new(
        queries,
        TimeRange::new(start, start + TimeDelta::hours(1)).unwrap(),
    )
    .unwrap();
    let cloudwatch = CloudWatchSource::new(&config);
    let (remote, local) = (
        cloudwatch.fetch(&request).await.unwrap(),
        memory.fetch(&request).await.unwrap(),
    );
    assert_eq!(remote.len(), 200);
    for (r, l) in remote.iter().zip(&local) {
        assert_eq!(r.id, l.id);
        assert_eq!(r.points.len(), 12, "{}", r.id);
        for (a, b) in r.points.iter().zip(&l.points) {
            assert_eq!(a.0, b.0, "{}", r.id);
            assert!((a.1 - b.1).abs() < 1e-9, "{}: {a:?} vs {b:?}", r.id);
        }
    }
    // 200 queries x 12 periods fit one call.
    assert_eq!(cloudwatch.stats().calls, 1);
}

#[tokio::test]
async fn list_metrics_and_get_metric_statistics_round_trip() {
    let Some(config) = emulator("list_metrics_and_get_metric_statistics_round_trip").await else {
        return;
    };
    // The adapter does not call these two; they are here to show the SDK, the bridge and moto
    // agree on them too (moto repeats ListMetrics entries and starts GetMetricStatistics
    // periods at the first datapoint, so only membership and totals are compared).
    use aws_sdk_cloudwatch::types::Statistic as SdkStatistic;
    let metric = Metric::new("Emulator/Stats", "Orders")
        .unwrap()
        .with_dimension("Shop", "eu")
        .unwrap();
    let start = Utc::now() - TimeDelta::hours(2);
    let samples: Vec<_> = (0..60)
        .map(|i| (start + TimeDelta::minutes(i), f64::from(i as u32)))
        .collect();
    CloudWatchSink::new(&config)
        .put(&metric, &samples)
        .await
        .unwrap();
    let client = aws_sdk_cloudwatch::Client::new(&config);
    let listed = client
        .list_metrics()
        .namespace("Emulator/Stats")
        .send()
        .await
        .unwrap();
    assert!(listed.metrics().iter().any(|m| {
        m.metric_name() == Some("Orders")
            && m.dimensions()
                .iter()
                .any(|d| d.name() == Some("Shop") && d.value() == Some("eu"))
    }));
    let to_sdk = |t: chrono::DateTime<Utc>| {
        aws_sdk_cloudwatch::primitives::DateTime::from_secs(t.timestamp())
    };
    let stats = client
        .get_metric_statistics()
        .namespace("Emulator/Stats")
        .metric_name("Orders")
        .dimensions(
            aws_sdk_cloudwatch::types::Dimension::builder()
                .name("Shop")
                .value("eu")
                .build(),
        )
        .start_time(to_sdk(start - TimeDelta::minutes(5)))
        .end_time(to_sdk(start + TimeDelta::hours(2)))
        .period(3600)
        .statistics(SdkStatistic::Sum)
        .statistics(SdkStatistic::SampleCount)
        .send()
        .await
        .unwrap();
    let total: f64 = stats.datapoints().iter().filter_map(|d| d.sum()).sum();
    let count: f64 = stats
        .datapoints()
        .iter()
        .filter_map(|d| d.sample_count())
        .sum();
    assert_eq!((total, count), ((0..60).sum::<u32>() as f64, 60.0));
}
