//! What the CloudWatch emulator does not model, through the SDK's own mock layer
//! (`aws-smithy-mocks`): pagination, PartialData and InternalError statuses, percentile and
//! metric-math queries, throttling then success, throttling past the retry budget, responses
//! with ids the call did not ask for or missing ids, and the call count of a large fetch.

#![cfg(feature = "cloudwatch")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::get_metric_data::GetMetricDataOutput;
use aws_sdk_cloudwatch::primitives::DateTime as SdkDateTime;
use aws_sdk_cloudwatch::types::{MessageData, MetricDataResult, StatusCode};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_telemetry::{
    CloudWatchSource, Completeness, FetchError, FetchRequest, Metric, MetricQuery, MetricSource,
    Period, RetryPolicy, ServiceError, Statistic, TimeRange,
};
use chrono::{DateTime, TimeDelta, TimeZone, Timelike, Utc};

fn hour_ago() -> DateTime<Utc> {
    let now = Utc::now().timestamp();
    DateTime::from_timestamp(now - now % 3600 - 3600, 0).unwrap()
}

fn range() -> TimeRange {
    TimeRange::new(hour_ago(), hour_ago() + TimeDelta::hours(1)).unwrap()
}

fn sum(id: &str) -> MetricQuery {
    MetricQuery::stat(
        id,
        Metric::new("AWS/ApplicationELB", "RequestCount").unwrap(),
        Statistic::Sum,
        Period::MINUTE,
    )
    .unwrap()
}

fn result(id: &str, minutes: &[i64], status: StatusCode) -> MetricDataResult {
    MetricDataResult::builder()
        .id(id)
        .set_timestamps(Some(
            minutes
                .iter()
                .map(|m| SdkDateTime::from_secs((hour_ago() + TimeDelta::minutes(*m)).timestamp()))
                .collect(),
        ))
        .set_values(Some(minutes.iter().map(|m| *m as f64).collect()))
        .status_code(status)
        .build()
}

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

fn source(client: Client) -> CloudWatchSource {
    CloudWatchSource::from_client(client, fast_retries(3))
}

/// A throttling error as CloudWatch sends it in the RPC v2 CBOR protocol: the query-compatible
/// code in `x-amzn-query-error`, a CBOR body `{"__type": "Throttling", "message": "Rate exceeded"}`.
fn throttled() -> HttpResponse {
    let mut body = vec![0xA2, 0x66];
    body.extend_from_slice(b"__type");
    body.push(0x6A);
    body.extend_from_slice(b"Throttling");
    body.push(0x67);
    body.extend_from_slice(b"message");
    body.push(0x6D);
    body.extend_from_slice(b"Rate exceeded");
    let mut response = HttpResponse::new(400.try_into().unwrap(), SdkBody::from(body));
    response
        .headers_mut()
        .insert("smithy-protocol", "rpc-v2-cbor");
    response
        .headers_mut()
        .insert("content-type", "application/cbor");
    response
        .headers_mut()
        .insert("x-amzn-query-error", "Throttling;Sender");
    response
}

async fn fetch(
    source: &CloudWatchSource,
    queries: Vec<MetricQuery>,
) -> Result<Vec<aws_telemetry::FetchedSeries>, FetchError> {
    source
        .fetch(&FetchRequest::new(queries, range()).unwrap())
        .await
}

/// The `requests` and `errors` series fetched in one call that `rule` answers.
async fn requests_and_errors(rule: &aws_smithy_mocks::Rule) -> Vec<aws_telemetry::FetchedSeries> {
    let source = source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::Sequential,
        &[rule]
    ));
    fetch(&source, vec![sum("requests"), sum("errors")])
        .await
        .unwrap()
}

/// A source whose `GetMetricData` answers in two pages: `first` with a `NextToken`, then
/// `second`. The first request must ask for the most datapoints a call allows.
fn two_pages(first: MetricDataResult, second: MetricDataResult) -> CloudWatchSource {
    let first = mock!(Client::get_metric_data)
        .match_requests(|r| r.next_token().is_none() && r.max_datapoints() == Some(100_800))
        .then_output(move || {
            GetMetricDataOutput::builder()
                .metric_data_results(first.clone())
                .next_token("page-2")
                .build()
        });
    let second = mock!(Client::get_metric_data)
        .match_requests(|r| r.next_token() == Some("page-2"))
        .then_output(move || {
            GetMetricDataOutput::builder()
                .metric_data_results(second.clone())
                .build()
        });
    source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::MatchAny,
        &[&first, &second]
    ))
}

#[tokio::test]
async fn follows_next_token_and_merges_pages() {
    let source = two_pages(
        result("requests", &[0, 1], StatusCode::PartialData),
        result("requests", &[2], StatusCode::Complete),
    );
    let got = fetch(&source, vec![sum("requests")]).await.unwrap();
    assert_eq!(got[0].points.len(), 3);
    assert!(got[0].is_complete(), "the last page completes the series");
    let stats = source.stats();
    assert_eq!((stats.calls, stats.retries, stats.datapoints), (2, 0, 3));
}

/// A page that failed for a query (`InternalError`) lost its data; the last page's
/// `Complete` used to win and the series read complete with a hole in it.
#[tokio::test]
async fn an_error_on_an_earlier_page_is_not_undone_by_a_later_complete() {
    let source = two_pages(
        result("requests", &[0], StatusCode::InternalError),
        result("requests", &[2], StatusCode::Complete),
    );
    let got = fetch(&source, vec![sum("requests")]).await.unwrap();
    assert_eq!(got[0].points.len(), 2, "the data of both pages is kept");
    assert!(
        matches!(&got[0].completeness, Completeness::Partial { reason } if reason.contains("InternalError")),
        "{:?}",
        got[0].completeness
    );
}

#[tokio::test]
async fn partial_data_and_internal_error_are_flagged_not_dropped() {
    let rule = mock!(Client::get_metric_data).then_output(|| {
        GetMetricDataOutput::builder()
            .metric_data_results(
                MetricDataResult::builder()
                    .id("requests")
                    .status_code(StatusCode::PartialData)
                    .messages(
                        MessageData::builder()
                            .code("MaxMetricsExceeded")
                            .value("too many metrics")
                            .build(),
                    )
                    .build(),
            )
            .metric_data_results(result("errors", &[5], StatusCode::InternalError))
            .build()
    });
    let got = requests_and_errors(&rule).await;
    match &got[0].completeness {
        Completeness::Partial { reason } => assert!(
            reason.contains("PartialData") && reason.contains("too many metrics"),
            "{reason}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&got[1].completeness, Completeness::Partial { reason } if reason.contains("InternalError"))
    );
    assert_eq!(
        got[1].points.len(),
        1,
        "data that came with the error is kept"
    );
}

#[tokio::test]
async fn percentiles_and_metric_math_are_sent_as_asked() {
    let rule = mock!(Client::get_metric_data)
        .match_requests(|r| {
            let q = r.metric_data_queries();
            q.len() == 3
                && q[0].metric_stat().and_then(|s| s.stat()) == Some("p95")
                && q[1].metric_stat().and_then(|s| s.stat()) == Some("PR(:300)")
                && q[2].expression() == Some("latency_p95 * 2")
                && q[2].period() == Some(60)
        })
        .then_output(|| {
            GetMetricDataOutput::builder()
                // Results in another order than asked: mapped back by id.
                .metric_data_results(result("doubled", &[0], StatusCode::Complete))
                .metric_data_results(result("latency_p95", &[0, 1], StatusCode::Complete))
                .metric_data_results(result("within_300", &[0, 1, 2], StatusCode::Complete))
                .build()
        });
    let source = source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::Sequential,
        &[&rule]
    ));
    let latency = Metric::new("AWS/Lambda", "Duration").unwrap();
    let queries = vec![
        MetricQuery::stat(
            "latency_p95",
            latency.clone(),
            "p95".parse().unwrap(),
            Period::MINUTE,
        )
        .unwrap(),
        MetricQuery::stat(
            "within_300",
            latency,
            "PR(:300)".parse().unwrap(),
            Period::MINUTE,
        )
        .unwrap(),
        MetricQuery::expression("doubled", "latency_p95 * 2", Period::MINUTE).unwrap(),
    ];
    let got = fetch(&source, queries).await.unwrap();
    let lengths: Vec<usize> = got.iter().map(|s| s.points.len()).collect();
    assert_eq!(lengths, [2, 3, 1]);
}

#[tokio::test]
async fn metric_math_beside_a_weekly_period_returns_only_the_requested_hour() {
    // With metric math every query shares each call, cut at whole weeks: the call for this
    // hour spans the week, and CloudWatch answers for all of it. Only the periods that overlap
    // the hour are the request's (a sum over the answer read a week of traffic).
    let hour = range();
    let week = 604_800;
    let week_start = hour.start().timestamp() - hour.start().timestamp().rem_euclid(week);
    let rule = mock!(Client::get_metric_data)
        .match_requests(move |r| r.start_time() == Some(&SdkDateTime::from_secs(week_start)))
        .then_output(move || {
            GetMetricDataOutput::builder()
                .metric_data_results(result(
                    "requests",
                    &[-61, -1, 0, 59, 60, 600],
                    StatusCode::Complete,
                ))
                .metric_data_results(result("doubled", &[-1, 30, 61], StatusCode::Complete))
                .metric_data_results(
                    // Over the weekly input: stamped at the week's start, as its input is.
                    MetricDataResult::builder()
                        .id("weekly_doubled")
                        .timestamps(SdkDateTime::from_secs(week_start))
                        .values(4.0)
                        .status_code(StatusCode::Complete)
                        .build(),
                )
                .metric_data_results(
                    MetricDataResult::builder()
                        .id("weekly")
                        .timestamps(SdkDateTime::from_secs(week_start - week))
                        .timestamps(SdkDateTime::from_secs(week_start))
                        .values(1.0)
                        .values(2.0)
                        .status_code(StatusCode::Complete)
                        .build(),
                )
                .build()
        });
    let source = source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::Sequential,
        &[&rule]
    ));
    let weekly = MetricQuery::stat(
        "weekly",
        Metric::new("AWS/ApplicationELB", "RequestCount").unwrap(),
        Statistic::Sum,
        Period::new(604_800).unwrap(),
    )
    .unwrap();
    let doubled = MetricQuery::expression("doubled", "requests * 2", Period::MINUTE).unwrap();
    let weekly_doubled =
        MetricQuery::expression("weekly_doubled", "weekly * 2", Period::MINUTE).unwrap();
    let got = fetch(
        &source,
        vec![sum("requests"), weekly, doubled, weekly_doubled],
    )
    .await
    .unwrap();
    let minutes = |series: &aws_telemetry::FetchedSeries| -> Vec<i64> {
        series
            .points
            .iter()
            .map(|(at, _)| (*at - hour.start()).num_minutes())
            .collect()
    };
    assert_eq!(minutes(&got[0]), [0, 59]);
    assert_eq!(got[1].points.len(), 1);
    assert_eq!(got[1].points[0].0.timestamp(), week_start);
    assert_eq!(minutes(&got[2]), [30]);
    // Clipped at its own minute it was empty: the week's point overlaps the hour.
    assert_eq!(got[3].points.len(), 1);
    assert_eq!(got[3].points[0].0.timestamp(), week_start);
    assert_eq!(rule.num_calls(), 1);
}

#[tokio::test]
async fn throttling_then_success_is_retried_and_counted() {
    let rule = mock!(Client::get_metric_data)
        .sequence()
        .http_response(throttled)
        .output(|| {
            GetMetricDataOutput::builder()
                .metric_data_results(result("requests", &[0], StatusCode::Complete))
                .build()
        })
        .build();
    let source = source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::Sequential,
        &[&rule]
    ));
    let got = fetch(&source, vec![sum("requests")]).await.unwrap();
    assert_eq!(got[0].points.len(), 1);
    let stats = source.stats();
    assert_eq!((stats.calls, stats.retries), (1, 1));
}

#[tokio::test]
async fn throttling_past_the_retry_budget_is_a_typed_error() {
    let rule = mock!(Client::get_metric_data)
        .sequence()
        .http_response(throttled)
        .times(3)
        .build();
    let source = source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::Sequential,
        &[&rule]
    ));
    let err = fetch(&source, vec![sum("requests")]).await.unwrap_err();
    match &err {
        FetchError::Service(ServiceError::Throttled {
            attempts, message, ..
        }) => {
            assert_eq!(*attempts, 3);
            assert!(message.contains("Throttling"), "{message}");
        }
        other => panic!("{other}"),
    }
    // The SDK's error is kept as the source, and the message does not repeat it.
    let source_error = std::error::Error::source(&err).expect("the SDK error");
    assert!(!err.to_string().contains(&source_error.to_string()));
    assert_eq!(source.stats().retries, 2);
}

#[tokio::test]
async fn unexpected_or_missing_ids() {
    let stranger = mock!(Client::get_metric_data).then_output(|| {
        GetMetricDataOutput::builder()
            .metric_data_results(result("someone_else", &[0], StatusCode::Complete))
            .build()
    });
    let source1 = source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::Sequential,
        &[&stranger]
    ));
    assert!(matches!(
        fetch(&source1, vec![sum("requests")]).await,
        Err(FetchError::Service(ServiceError::InvalidResponse { .. }))
    ));

    let missing = mock!(Client::get_metric_data).then_output(|| {
        GetMetricDataOutput::builder()
            .metric_data_results(result("requests", &[0], StatusCode::Complete))
            .build()
    });
    let source2 = source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::Sequential,
        &[&missing]
    ));
    let got = fetch(&source2, vec![sum("requests"), sum("errors")])
        .await
        .unwrap();
    assert!(got[0].is_complete());
    assert!(
        matches!(&got[1].completeness, Completeness::Partial { reason } if reason.contains("no result"))
    );
}

#[tokio::test]
async fn twelve_hundred_series_take_three_calls() {
    // Echo one datapoint for every query asked: the source must spend the fewest calls the
    // limits allow (500 queries a call) and map every result home. The mock counts the calls
    // it answers, independently of the source's own stats.
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&answered);
    let echo = mock!(Client::get_metric_data).then_compute_output(move |request| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        assert!(request.metric_data_queries().len() <= 500);
        let mut output = GetMetricDataOutput::builder();
        for q in request.metric_data_queries() {
            output =
                output.metric_data_results(result(q.id().unwrap(), &[0], StatusCode::Complete));
        }
        output.build()
    });
    let source = source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::MatchAny,
        &[&echo]
    ));
    let queries: Vec<MetricQuery> = (0..1200)
        .map(|i| {
            let metric = Metric::new("AWS/EC2", "CPUUtilization")
                .unwrap()
                .with_dimension("InstanceId", format!("i-{i:08}"))
                .unwrap();
            MetricQuery::stat(
                &format!("cpu{i}"),
                metric,
                Statistic::Average,
                Period::MINUTE,
            )
            .unwrap()
        })
        .collect();
    let got = fetch(&source, queries).await.unwrap();
    assert!(
        got.iter()
            .enumerate()
            .all(|(i, s)| s.id.as_str() == format!("cpu{i}") && s.points.len() == 1)
    );
    assert_eq!(source.stats().calls, 3);
    assert_eq!(answered.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn bad_requests_are_refused_before_any_call() {
    let never =
        mock!(Client::get_metric_data).then_output(|| GetMetricDataOutput::builder().build());
    let source = source(mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::Sequential,
        &[&never]
    ));
    // One-second data from a month ago is not kept.
    let old = TimeRange::new(
        Utc::now() - TimeDelta::days(30),
        Utc::now() - TimeDelta::days(29),
    )
    .unwrap();
    let q = MetricQuery::stat(
        "fast",
        Metric::new("App", "Hits").unwrap(),
        Statistic::Sum,
        Period::new(1).unwrap(),
    )
    .unwrap();
    let err = source
        .fetch(&FetchRequest::new(vec![q], old).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, FetchError::BeyondRetention { id, period, .. } if id == "fast" && period.seconds() == 1),
        "{err}"
    );
    assert_eq!(source.stats().calls, 0);
}

/// `Messages` of the whole call ("as much of the operation as possible is still executed",
/// GetMetricData, Amazon CloudWatch API Reference) reach every series of the call, including
/// those the page has no result for: they are what explains the missing result.
#[tokio::test]
async fn call_messages_reach_series_without_a_result() {
    let rule = mock!(Client::get_metric_data).then_output(|| {
        GetMetricDataOutput::builder()
            .metric_data_results(result("requests", &[0], StatusCode::Complete))
            .messages(
                MessageData::builder()
                    .code("MaxMetricsExceeded")
                    .value("Maximum number of allowed metrics exceeded")
                    .build(),
            )
            .build()
    });
    let got = requests_and_errors(&rule).await;
    let want = "MaxMetricsExceeded: Maximum number of allowed metrics exceeded";
    assert_eq!(got[0].messages, [want]);
    assert_eq!(got[1].messages, [want], "the series without a result");
    match &got[1].completeness {
        Completeness::Partial { reason } => {
            assert!(
                reason.contains("no result") && reason.contains(want),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Two values for one timestamp of one query (across pages) cannot both be the period's
/// value: keeping either would be a silently wrong number, so the response is refused. The
/// same value twice is merely repeated and kept once.
#[tokio::test]
async fn one_timestamp_with_two_values_is_refused() {
    let pages = |second_value: f64| {
        two_pages(
            result("requests", &[0, 1], StatusCode::PartialData),
            MetricDataResult::builder()
                .id("requests")
                .timestamps(SdkDateTime::from_secs(
                    (hour_ago() + TimeDelta::minutes(1)).timestamp(),
                ))
                .values(second_value)
                .status_code(StatusCode::Complete)
                .build(),
        )
    };
    let repeated = fetch(&pages(1.0), vec![sum("requests")]).await.unwrap();
    assert_eq!(repeated[0].points.len(), 2);
    match fetch(&pages(7.0), vec![sum("requests")]).await {
        Err(FetchError::Service(ServiceError::InvalidResponse { reason, .. })) => {
            assert!(
                reason.contains("requests") && reason.contains('7'),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// Values CloudWatch refuses are refused before any call, each naming its index: a magnitude
/// under 8.515920e-109 (CloudWatch reads it as an invalid 0 and fails the whole call), and a
/// leap second, which panicked in the SDK's `DateTime`, is sent as the last nanosecond of its
/// second. Zero and the smallest magnitude taken are accepted.
#[tokio::test]
async fn the_sink_refuses_tiny_values_and_sends_a_leap_second() {
    use aws_sdk_cloudwatch::operation::put_metric_data::PutMetricDataOutput;
    use aws_telemetry::{CloudWatchSink, MetricSink, PutError};
    let rule =
        mock!(Client::put_metric_data).then_output(|| PutMetricDataOutput::builder().build());
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &[&rule]);
    let sink = CloudWatchSink::from_client(client, RetryPolicy::default());
    let metric = Metric::new("SLO/checkout", "BurnRate1h").unwrap();
    let now = Utc::now();
    for tiny in [5e-324, 1e-200, 8.5e-109, -1e-150] {
        let err = sink
            .put(&metric, &[(now, 1.0), (now, tiny)])
            .await
            .unwrap_err();
        assert!(
            matches!(err, PutError::InvalidSample { index: 1, .. }),
            "{tiny}: {err}"
        );
    }
    assert_eq!(rule.num_calls(), 0);
    let an_hour_ago = (now - TimeDelta::hours(1)).naive_utc();
    let leap = Utc.from_utc_datetime(
        &an_hour_ago
            .date()
            .and_hms_nano_opt(an_hour_ago.hour(), an_hour_ago.minute(), 59, 1_500_000_000)
            .unwrap(),
    );
    let samples = [(now, 0.0), (now, 8.515_920e-109), (now, -2.5), (leap, 1.0)];
    assert_eq!(sink.put(&metric, &samples).await.unwrap(), 1); // one call
    assert_eq!(rule.num_calls(), 1);
}
