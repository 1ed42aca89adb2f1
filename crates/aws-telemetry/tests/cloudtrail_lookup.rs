//! CloudTrail `LookupEvents` through the SDK's mock layer (moto does not implement it):
//! 50-event pages followed through `NextToken`, the client-side limit of 2 requests per
//! second, throttling retried and then reported, unreadable `CloudTrailEvent` strings, and a
//! `NextToken` loop.

#![cfg(feature = "cloudtrail")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput;
use aws_sdk_cloudtrail::types::Event;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_telemetry::{
    AuditSource, CloudTrailSource, EventSourceError, RecordError, RetryPolicy, ServiceError,
    TimeRange,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
}

fn range() -> TimeRange {
    TimeRange::new(t0(), t0() + TimeDelta::hours(2)).unwrap()
}

/// An event as LookupEvents returns it: a few top-level fields and the record as a JSON string.
fn event(i: i64) -> Event {
    let time = t0() + TimeDelta::seconds(i * 60);
    let record = serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "arn": format!("arn:aws:iam::111122223333:user/u{}", i % 3), "accountId": "111122223333", "userName": format!("u{}", i % 3), "accessKeyId": "AKIAIOSFODNN7EXAMPLE"},
        "eventTime": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": "ec2.amazonaws.com",
        "eventName": "DescribeInstances",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.7",
        "eventID": format!("evt-{i}"),
        "eventType": "AwsApiCall",
        "readOnly": true,
    });
    Event::builder()
        .event_id(format!("evt-{i}"))
        .event_name("DescribeInstances")
        .event_source("ec2.amazonaws.com")
        .cloud_trail_event(record.to_string())
        .build()
}

/// A page of events newest first, as LookupEvents orders them.
fn page(from: i64, to: i64, next: Option<&str>) -> LookupEventsOutput {
    let builder =
        LookupEventsOutput::builder().set_events(Some((from..to).rev().map(event).collect()));
    match next {
        Some(token) => builder.next_token(token).build(),
        None => builder.build(),
    }
}

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

/// CloudTrail's throttling error in the AWS JSON 1.1 protocol.
fn throttled() -> HttpResponse {
    let mut response = HttpResponse::new(
        400.try_into().unwrap(),
        SdkBody::from(r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#),
    );
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    response
}

/// A client answering three pages of 50 at most, `page(from, to, ...)` each, the first two
/// with the next page's token (asked for with `MaxResults` 50), and the three rules.
fn three_pages(pages: [(i64, i64); 3]) -> (Client, [aws_smithy_mocks::Rule; 3]) {
    let [(a0, a1), (b0, b1), (c0, c1)] = pages;
    let first = mock!(Client::lookup_events)
        .match_requests(|r| r.next_token().is_none() && r.max_results() == Some(50))
        .then_output(move || page(a0, a1, Some("t2")));
    let second = mock!(Client::lookup_events)
        .match_requests(|r| r.next_token() == Some("t2") && r.max_results() == Some(50))
        .then_output(move || page(b0, b1, Some("t3")));
    let third = mock!(Client::lookup_events)
        .match_requests(|r| r.next_token() == Some("t3"))
        .then_output(move || page(c0, c1, None));
    let client = mock_client!(
        aws_sdk_cloudtrail,
        RuleMode::MatchAny,
        &[&first, &second, &third]
    );
    (client, [first, second, third])
}

#[tokio::test(start_paused = true)]
async fn pages_of_50_are_followed_at_2_requests_per_second() {
    let (client, [first, second, third]) = three_pages([(57, 107), (7, 57), (0, 7)]);
    let source = CloudTrailSource::from_client(client, fast_retries(3));
    let started = tokio::time::Instant::now();
    let events = source.events(&range()).await.unwrap();
    // Three calls at 2 per second: the third starts no earlier than 1 s after the first.
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        (first.num_calls(), second.num_calls(), third.num_calls()),
        (1, 1, 1)
    );
    assert_eq!(events.len(), 107);
    assert!(
        events.windows(2).all(|w| w[0].time < w[1].time),
        "oldest first"
    );
    assert_eq!(events[0].event_id.as_deref(), Some("evt-0"));
    assert_eq!(events[106].identity.user_name.as_deref(), Some("u1"));

    // A second lookup through a clone shares the limiter: it waits for the 500 ms slot.
    let clone = source.clone();
    let before = tokio::time::Instant::now();
    let _ = clone.events(&range()).await;
    assert!(
        before.elapsed() >= Duration::from_millis(500),
        "{:?}",
        before.elapsed()
    );
}

#[tokio::test]
async fn events_outside_the_range_are_dropped_end_exclusive() {
    let rule = mock!(Client::lookup_events).then_output(|| page(0, 150, None));
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::Sequential, &[&rule]);
    let source = CloudTrailSource::from_client(client, fast_retries(1));
    // 120 minutes: events 0..120 are in, 120 (at the end) and after are not.
    let events = source.events(&range()).await.unwrap();
    assert_eq!(events.len(), 120);
    assert_eq!(events.last().unwrap().time, t0() + TimeDelta::minutes(119));
}

#[tokio::test]
async fn throttling_then_success_is_retried() {
    let rule = mock!(Client::lookup_events)
        .sequence()
        .http_response(throttled)
        .times(2)
        .output(|| page(0, 3, None))
        .build();
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::Sequential, &[&rule]);
    let source = CloudTrailSource::from_client(client, fast_retries(3));
    let events = source.events(&range()).await.unwrap();
    assert_eq!(events.len(), 3);
    assert_eq!(rule.num_calls(), 3);
}

#[tokio::test]
async fn throttling_past_the_retry_budget_is_a_typed_error() {
    let rule = mock!(Client::lookup_events)
        .sequence()
        .http_response(throttled)
        .times(3)
        .build();
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::Sequential, &[&rule]);
    let source = CloudTrailSource::from_client(client, fast_retries(3));
    match source.events(&range()).await.unwrap_err() {
        EventSourceError::Service(ServiceError::Throttled {
            backend,
            attempts,
            message,
            ..
        }) => {
            assert_eq!(backend, "CloudTrail");
            assert_eq!(attempts, 3);
            assert!(message.contains("ThrottlingException"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_unreadable_cloudtrail_event_names_its_position() {
    let rule = mock!(Client::lookup_events).then_output(|| {
        let mut events: Vec<Event> = (0..4).map(event).collect();
        events[2] = Event::builder()
            .event_id("broken")
            .cloud_trail_event("{\"eventTime\": 12")
            .build();
        LookupEventsOutput::builder()
            .set_events(Some(events))
            .build()
    });
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::Sequential, &[&rule]);
    let source = CloudTrailSource::from_client(client, fast_retries(1));
    match source.events(&range()).await.unwrap_err() {
        EventSourceError::Record(RecordError::Record { origin, index, .. }) => {
            assert_eq!(origin, "LookupEvents");
            assert_eq!(index, 2);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_next_token_loop_is_an_error_not_a_hang() {
    let rule = mock!(Client::lookup_events).then_output(|| page(0, 2, Some("same")));
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, &[&rule]);
    let source = CloudTrailSource::from_client(client, fast_retries(1));
    match source.events(&range()).await.unwrap_err() {
        EventSourceError::Service(ServiceError::InvalidResponse { reason, .. }) => {
            assert!(reason.contains("\"same\""), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(rule.num_calls(), 2);
}

/// A doc review (2026-12-07): the deploy path was capped, the audit path held every event of
/// the range. Past `with_max_events` the call stops, having read one page past the cap at
/// most, with `LimitExceeded` naming the cap.
#[tokio::test(start_paused = true)]
async fn events_past_the_cap_are_a_typed_error() {
    let n = std::sync::atomic::AtomicU32::new(0);
    let endless = mock!(Client::lookup_events).then_output(move || {
        let k = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        page(0, 50, Some(&format!("t{k}")))
    });
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, &[&endless]);
    let source = CloudTrailSource::from_client(client, fast_retries(1)).with_max_events(120);
    match source.events(&range()).await.unwrap_err() {
        EventSourceError::LimitExceeded {
            what,
            limit,
            requested,
            ..
        } => {
            assert_eq!(
                (what, limit, requested),
                ("CloudTrail events read", 120, 121)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(endless.num_calls(), 3);
    assert_eq!(aws_telemetry::MAX_AUDIT_EVENTS, 200_000);
}

/// The other side of the cap: exactly `with_max_events` events are read whole.
#[tokio::test(start_paused = true)]
async fn events_up_to_the_cap_are_read() {
    let (client, _) = three_pages([(70, 120), (20, 70), (0, 20)]);
    let source = CloudTrailSource::from_client(client, fast_retries(1)).with_max_events(120);
    assert_eq!(source.events(&range()).await.unwrap().len(), 120);
}
