//! `CloudWatchSource::fetch` over GetMetricData answers built from fuzz input, served by the
//! SDK's mock layer: either the raw RPC v2 CBOR body of the HTTP response (the SDK's decoder,
//! then the adapter), or a decoded answer built field by field (ids known, unknown and
//! repeated, timestamps and values of different lengths, NaN and infinities, partial data,
//! next tokens). Typed errors or series, never a panic or a hang.
#![no_main]

use std::sync::{Mutex, OnceLock};

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
use aws_sdk_cloudwatch::primitives::DateTime as SdkDateTime;
use aws_sdk_cloudwatch::types::{MetricDataResult, StatusCode};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_telemetry::{
    CloudWatchSource, FetchRequest, Metric, MetricQuery, MetricSource, Period, Statistic, TimeRange,
};
use chrono::{DateTime, TimeDelta, Utc};
use libfuzzer_sys::fuzz_target;

#[path = "shared/aws_mock.rs"]
mod aws_mock;

use aws_mock::Bytes;

/// The answer to serve next: raw bytes (status, body) or a decoded output.
enum Answer {
    Raw(u16, Vec<u8>),
    Decoded(GetMetricDataOutput),
}

static ANSWER: Mutex<Option<Answer>> = Mutex::new(None);

fn is_raw() -> bool {
    matches!(*ANSWER.lock().unwrap(), Some(Answer::Raw(..)))
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    source: CloudWatchSource,
    request: FetchRequest,
    start: DateTime<Utc>,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let raw = mock!(Client::get_metric_data)
            .match_requests(|_| is_raw())
            .then_http_response(|| {
                let (status, body) = match ANSWER.lock().unwrap().as_ref() {
                    Some(Answer::Raw(status, body)) => (*status, body.clone()),
                    _ => (200, Vec::new()),
                };
                aws_mock::http_response(
                    status,
                    body,
                    &[
                        ("smithy-protocol", "rpc-v2-cbor"),
                        ("content-type", "application/cbor"),
                    ],
                )
            });
        let decoded = mock!(Client::get_metric_data)
            .match_requests(|_| !is_raw())
            .then_output(|| match ANSWER.lock().unwrap().as_ref() {
                Some(Answer::Decoded(output)) => output.clone(),
                _ => GetMetricDataOutput::builder().build(),
            });
        let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &[&raw, &decoded]);
        let retry = aws_mock::fast_retries();
        let now = Utc::now().timestamp();
        let end = DateTime::from_timestamp(now - now % 3600 - 3600, 0).unwrap();
        let start = end - TimeDelta::hours(1);
        let queries = (0..3)
            .map(|q| {
                let metric = Metric::new("AWS/EC2", "CPUUtilization")
                    .unwrap()
                    .with_dimension("InstanceId", format!("i-{q}"))
                    .unwrap();
                MetricQuery::stat(&format!("q{q}"), metric, Statistic::Average, Period::MINUTE)
                    .unwrap()
            })
            .collect();
        Setup {
            runtime: aws_mock::runtime(),
            source: CloudWatchSource::from_client(client, retry),
            request: FetchRequest::new(queries, TimeRange::new(start, end).unwrap()).unwrap(),
            start,
        }
    })
}

fn decoded(input: &mut Bytes<'_>, start: DateTime<Utc>) -> GetMetricDataOutput {
    let ids = ["q0", "q1", "q2", "q9", "", "Q0"];
    let mut output = GetMetricDataOutput::builder();
    for _ in 0..input.u8() % 5 {
        let id = ids[usize::from(input.u8()) % ids.len()];
        let points = usize::from(input.u8() % 8);
        let timestamps = (0..points)
            .map(|_| {
                let minutes = i64::from(input.u8() as i8);
                SdkDateTime::from_secs((start + TimeDelta::minutes(minutes)).timestamp())
            })
            .collect();
        let values = (0..(points + usize::from(input.u8() % 3)).saturating_sub(1))
            .map(|_| input.f64())
            .collect();
        let status = match input.u8() % 4 {
            0 => StatusCode::Complete,
            1 => StatusCode::PartialData,
            2 => StatusCode::InternalError,
            _ => StatusCode::Forbidden,
        };
        output = output.metric_data_results(
            MetricDataResult::builder()
                .id(id)
                .set_timestamps(Some(timestamps))
                .set_values(Some(values))
                .status_code(status)
                .build(),
        );
    }
    if input.u8() % 4 == 0 {
        output = output.next_token(format!("t{}", input.u8() % 3));
    }
    output.build()
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let answer = if mode % 2 == 0 {
        let status = [200, 200, 200, 400, 500, 503][usize::from(mode / 2) % 6];
        Answer::Raw(status, rest.to_vec())
    } else {
        Answer::Decoded(decoded(&mut Bytes(rest), setup.start))
    };
    *ANSWER.lock().unwrap() = Some(answer);
    if let Ok(series) = setup.runtime.block_on(setup.source.fetch(&setup.request)) {
        assert_eq!(series.len(), 3, "one series per query");
        for (s, q) in series.iter().zip(setup.request.queries()) {
            assert_eq!(&s.id, q.id(), "series out of request order");
            assert!(
                s.points.windows(2).all(|w| w[0].0 < w[1].0),
                "points out of order"
            );
        }
    }
});
