//! `CloudTrailSource` as a `DeploySource`, through the SDK's mock layer (moto does not
//! implement `LookupEvents`): one lookup per deploy call filtered by `EventName`, records read
//! as deploys, the deploy contract, a record naming no resource as a typed error with its
//! position, and the bound on records read.

#![cfg(feature = "cloudtrail")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::operation::lookup_events::{LookupEventsInput, LookupEventsOutput};
use aws_sdk_cloudtrail::types::{Event, LookupAttributeKey};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_telemetry::deploy_conformance::DeployFixture;
use aws_telemetry::deploys::cloudtrail::DEPLOY_EVENTS;
use aws_telemetry::{
    CloudTrailSource, DeploySource, EventSourceError, RecordError, RetryPolicy, TimeRange,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};
use sli_core::{Deploy, DeployOutcome, Rollout};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap()
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(1)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

/// A record of `name` at minute `minute`.
fn record(id: &str, minute: i64, source: &str, name: &str, request: Value) -> Event {
    let time = t0() + TimeDelta::minutes(minute);
    let json = json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "accountId": "111122223333"},
        "eventTime": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "requestParameters": request,
        "responseElements": null,
        "eventID": id,
        "eventType": "AwsApiCall",
    });
    Event::builder()
        .event_id(id)
        .event_name(name)
        .cloud_trail_event(json.to_string())
        .build()
}

/// The event name a lookup filters on, if any.
fn filtered_name(input: &LookupEventsInput) -> Option<String> {
    let attributes = input.lookup_attributes();
    match attributes {
        [one] if *one.attribute_key() == LookupAttributeKey::EventName => {
            Some(one.attribute_value().to_owned())
        }
        _ => None,
    }
}

/// One rule per deploy event name, answering with `events[name]` newest first (as
/// `LookupEvents` orders them), in pages of two.
fn rules(events: &BTreeMap<&'static str, Vec<Event>>) -> Vec<Rule> {
    DEPLOY_EVENTS
        .iter()
        .flat_map(|(_, name)| {
            let mut all = events.get(name).cloned().unwrap_or_default();
            all.reverse();
            let pages: Vec<Vec<Event>> = all.chunks(2).map(<[Event]>::to_vec).collect();
            let count = pages.len().max(1);
            (0..count)
                .map(|page| {
                    let events = pages.get(page).cloned().unwrap_or_default();
                    let token = if page == 0 {
                        None
                    } else {
                        Some(format!("{name}-{page}"))
                    };
                    let next = (page + 1 < count).then(|| format!("{name}-{}", page + 1));
                    mock!(Client::lookup_events)
                        .match_requests(move |r| {
                            filtered_name(r).as_deref() == Some(*name)
                                && r.next_token().map(str::to_owned) == token
                        })
                        .then_output(move || {
                            LookupEventsOutput::builder()
                                .set_events(Some(events.clone()))
                                .set_next_token(next.clone())
                                .build()
                        })
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

fn source(events: &BTreeMap<&'static str, Vec<Event>>) -> CloudTrailSource {
    let rules = rules(events);
    let refs: Vec<&Rule> = rules.iter().collect();
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, &refs);
    CloudTrailSource::from_client(client, fast_retries())
}

fn standard_events() -> BTreeMap<&'static str, Vec<Event>> {
    let ecs = "ecs.amazonaws.com";
    let lambda = "lambda.amazonaws.com";
    let cfn = "cloudformation.amazonaws.com";
    BTreeMap::from([
        (
            "UpdateService",
            vec![
                record(
                    "e-1",
                    60,
                    ecs,
                    "UpdateService",
                    json!({"cluster": "prod", "service": "web", "taskDefinition": "web:7"}),
                ),
                // Scaling: read, but not a deploy.
                record(
                    "e-2",
                    70,
                    ecs,
                    "UpdateService",
                    json!({"cluster": "prod", "service": "web", "desiredCount": 9}),
                ),
                record(
                    "e-3",
                    300,
                    ecs,
                    "UpdateService",
                    json!({"cluster": "prod", "service": "web", "forceNewDeployment": true}),
                ),
            ],
        ),
        (
            "UpdateFunctionCode20150331v2",
            vec![record(
                "e-4",
                120,
                lambda,
                "UpdateFunctionCode20150331v2",
                json!({"functionName": "checkout", "publish": true}),
            )],
        ),
        (
            "UpdateAlias20150331",
            vec![
                record(
                    "e-5",
                    121,
                    lambda,
                    "UpdateAlias20150331",
                    json!({"functionName": "checkout", "name": "live", "functionVersion": "7", "routingConfig": {"additionalVersionWeights": {"8": 0.05}}}),
                ),
                record(
                    "e-6",
                    131,
                    lambda,
                    "UpdateAlias20150331",
                    json!({"functionName": "checkout", "name": "live", "functionVersion": "8"}),
                ),
            ],
        ),
        (
            "UpdateStack",
            vec![record(
                "e-7",
                120,
                cfn,
                "UpdateStack",
                json!({"stackName": "shop"}),
            )],
        ),
    ])
}

#[tokio::test(start_paused = true)]
async fn deploy_calls_are_looked_up_by_name_and_read_as_deploys() {
    let source = source(&standard_events());
    let day = TimeRange::new(t0(), t0() + TimeDelta::days(1)).unwrap();
    let deploys = source.deploys(&day).await.unwrap();
    let ids: Vec<&str> = deploys.iter().map(Deploy::id).collect();
    // Sorted by start, then id; the scaling call is left out.
    assert_eq!(ids, ["e-1", "e-4", "e-7", "e-5", "e-6", "e-3"]);
    assert_eq!(deploys[0].service(), "ecs:prod/web");
    assert_eq!(deploys[3].rollout(), Rollout::Canary { percent: 5.0 });
    assert_eq!(
        deploys[4].outcome(),
        DeployOutcome::Complete {
            at: t0() + TimeDelta::minutes(131)
        }
    );
    // End excluded: a range ending at e-3's start leaves it out.
    let before = TimeRange::new(t0(), t0() + TimeDelta::minutes(300)).unwrap();
    assert_eq!(source.deploys(&before).await.unwrap().len(), 5);
}

#[tokio::test(start_paused = true)]
async fn cloudtrail_deploys_honour_the_contract() {
    let events = standard_events();
    let day = TimeRange::new(t0(), t0() + TimeDelta::days(1)).unwrap();
    // The fixture: what the records stand for, read independently of the adapter.
    let expected: Vec<Deploy> = events
        .values()
        .flatten()
        .filter_map(|e| {
            aws_telemetry::deploys::cloudtrail::parse_record(e.cloud_trail_event().unwrap(), "x", 0)
                .unwrap()
        })
        .collect();
    assert_eq!(expected.len(), 6);
    let fixture = DeployFixture::new(expected);
    fixture.check_all(&source(&events)).await.unwrap();
    assert!(fixture.span().unwrap().start() >= day.start());
}

#[tokio::test(start_paused = true)]
async fn a_deploy_record_naming_no_resource_is_an_error_with_its_position() {
    let mut events = standard_events();
    events.insert(
        "UpdateStack",
        vec![
            record(
                "e-8",
                10,
                "cloudformation.amazonaws.com",
                "UpdateStack",
                json!({"stackName": "a"}),
            ),
            record(
                "e-9",
                20,
                "cloudformation.amazonaws.com",
                "UpdateStack",
                json!({"templateURL": "https://example.com/t"}),
            ),
        ],
    );
    let day = TimeRange::new(t0(), t0() + TimeDelta::days(1)).unwrap();
    match source(&events).deploys(&day).await.unwrap_err() {
        EventSourceError::Record(RecordError::Field {
            origin,
            index,
            field,
            ..
        }) => {
            assert_eq!(origin, "LookupEvents UpdateStack");
            // Newest first: e-9 is the first record of the lookup.
            assert_eq!(index, 0);
            assert_eq!(field, "requestParameters.stackName");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn records_read_are_bounded() {
    let day = TimeRange::new(t0(), t0() + TimeDelta::days(1)).unwrap();
    // Eight records in all; at most five may be read.
    let tight = source(&standard_events()).with_max_deploy_records(5);
    match tight.deploys(&day).await.unwrap_err() {
        EventSourceError::LimitExceeded { limit, .. } => assert_eq!(limit, 5),
        other => panic!("{other:?}"),
    }
    let roomy = source(&standard_events()).with_max_deploy_records(8);
    assert_eq!(roomy.deploys(&day).await.unwrap().len(), 6);
}
