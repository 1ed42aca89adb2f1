//! GetMetricData answers decoded per second: one full answer (100 results × 1,008 datapoints =
//! 100,800, the per-call maximum) in the RPC v2 CBOR wire format, from
//! `benches/data/get_metric_data_100800.cbor`, served by the SDK's mock layer and read through
//! `CloudWatchSource::fetch`: request planning and serialisation, the SDK's deserialiser, id
//! mapping and conversion into the toolkit's series.
//!
//! Run: `cargo bench -p sre-benches --bench cloudwatch_decode`

// Benchmark code: a failure should stop the run loudly.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use aws_sdk_cloudwatch::Client;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_telemetry::{
    CloudWatchSource, FetchRequest, Metric, MetricQuery, MetricSource, Period, RetryPolicy,
    Statistic, TimeRange,
};
use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const ANSWER: &[u8] = include_bytes!("data/get_metric_data_100800.cbor");
const RESULTS: usize = 100;
const POINTS: i64 = 1008;

fn answer() -> HttpResponse {
    let mut response = HttpResponse::new(200.try_into().unwrap(), SdkBody::from(ANSWER.to_vec()));
    response
        .headers_mut()
        .insert("smithy-protocol", "rpc-v2-cbor");
    response
        .headers_mut()
        .insert("content-type", "application/cbor");
    response
}

fn bench(c: &mut Criterion) {
    let rule = mock!(Client::get_metric_data).then_http_response(answer);
    let source = CloudWatchSource::from_client(
        mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &[&rule]),
        RetryPolicy::default(),
    );
    let now = Utc::now().timestamp();
    let end = DateTime::from_timestamp(now - now % 3600, 0).unwrap();
    let range = TimeRange::new(end - TimeDelta::minutes(POINTS), end).unwrap();
    let queries = (0..RESULTS)
        .map(|q| {
            let metric = Metric::new("AWS/EC2", "CPUUtilization")
                .unwrap()
                .with_dimension("InstanceId", format!("i-{q:08}"))
                .unwrap();
            MetricQuery::stat(&format!("q{q}"), metric, Statistic::Average, Period::MINUTE).unwrap()
        })
        .collect();
    let request = FetchRequest::new(queries, range).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // One call, all of it decoded: checked before timing.
    let fetched = runtime.block_on(source.fetch(&request)).unwrap();
    assert_eq!(
        fetched.iter().map(|s| s.points.len()).sum::<usize>(),
        RESULTS * POINTS as usize
    );
    assert_eq!(source.stats().calls, 1);

    let mut group = c.benchmark_group("get_metric_data_decode");
    group.throughput(Throughput::Elements(RESULTS as u64 * POINTS as u64));
    group.bench_function("fetch_100800_datapoints", |b| {
        b.iter(|| black_box(runtime.block_on(source.fetch(&request)).unwrap()))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
