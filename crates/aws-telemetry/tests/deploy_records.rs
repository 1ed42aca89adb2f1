//! Deploys read from CloudTrail records: AWS's documented `UpdateStack` record, and records of
//! the ECS, Lambda and CloudFormation deploy calls with their request and response fields as
//! the APIs define them; records that are not deploys; and bad records as typed errors naming
//! the field, the origin and the index.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_telemetry::RecordError;
use aws_telemetry::deploys::cloudtrail::{parse_lines, parse_record};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use sli_core::{DeployOutcome, Rollout};

/// The `UpdateStack` record of the CloudFormation user guide ("Logging AWS CloudFormation API
/// calls with AWS CloudTrail"), as printed there.
const DOCUMENTED_UPDATE_STACK: &str = r#"{
  "eventVersion": "1.01",
  "userIdentity": {
    "type": "IAMUser",
    "principalId": "AIDAABCDEFGHIJKLNMOPQ",
    "arn": "arn:aws:iam::012345678910:user/Alice",
    "accountId": "012345678910",
    "accessKeyId": "AKIDEXAMPLE",
    "userName": "Alice"
  },
  "eventTime": "2014-03-24T21:04:29Z",
  "eventSource": "cloudformation.amazonaws.com",
  "eventName": "UpdateStack",
  "awsRegion": "us-east-1",
  "sourceIPAddress": "127.0.0.1",
  "userAgent": "aws-cli/1.2.11 Python/2.7.4 Linux/2.6.18-164.el5",
  "requestParameters": {
    "templateURL": "https://s3.amazonaws.com/Alice-dev/create_stack",
    "parameters": [
      {
        "parameterKey": "password"
      },
      {
        "parameterKey": "securitygroup"
      }
    ],
    "stackName": "my-test-stack"
  },
  "responseElements": {
    "stackId": "arn:aws:cloudformation:us-east-1:012345678910:stack/my-test-stack/a38e6a60-b397-11e3-b0fc-08002755629e"
  },
  "requestID": "def0bf5a-b397-11e3-bb75-a5b75389b02d",
  "eventID": "637707ce-e4a3-4af1-8edc-16e37e851b17"
}"#;

#[test]
fn the_documented_update_stack_record_is_a_stack_deploy() {
    let deploy = parse_record(DOCUMENTED_UPDATE_STACK, "guide", 0)
        .unwrap()
        .unwrap();
    assert_eq!(deploy.id(), "637707ce-e4a3-4af1-8edc-16e37e851b17");
    assert_eq!(deploy.service(), "cloudformation:my-test-stack");
    assert_eq!(
        deploy.started(),
        Utc.with_ymd_and_hms(2014, 3, 24, 21, 4, 29).unwrap()
    );
    assert_eq!(deploy.rollout(), Rollout::Direct);
    // The call starts the update; the record does not say when it ends.
    assert_eq!(deploy.outcome(), DeployOutcome::Unknown);
}

/// A record of `name` from `source` with these request parameters (and response, if any).
fn record(source: &str, name: &str, request: Value, response: Value) -> String {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111122223333:assumed-role/deployer/ci", "accountId": "111122223333"},
        "eventTime": "2026-03-02T14:00:00Z",
        "eventSource": source,
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "192.0.2.10",
        "requestParameters": request,
        "responseElements": response,
        "eventID": "3f2a1b0c-0000-4000-8000-000000000001",
        "eventType": "AwsApiCall",
        "readOnly": false,
    })
    .to_string()
}

fn read(source: &str, name: &str, request: Value, response: Value) -> Option<sli_core::Deploy> {
    parse_record(&record(source, name, request, response), "test", 7).unwrap()
}

#[test]
fn ecs_update_service_with_a_new_task_definition_is_a_rolling_deploy() {
    let deploy = read(
        "ecs.amazonaws.com",
        "UpdateService",
        json!({"cluster": "prod", "service": "web", "taskDefinition": "web:42"}),
        json!({"service": {"serviceName": "web", "deployments": [{"id": "ecs-svc/1234567890123456789", "status": "PRIMARY", "rolloutState": "IN_PROGRESS"}]}}),
    )
    .unwrap();
    assert_eq!(deploy.service(), "ecs:prod/web");
    assert_eq!(deploy.outcome(), DeployOutcome::Unknown);
    // ARNs of the service (with its cluster) and of the cluster, and the default cluster.
    let arn = read(
        "ecs.amazonaws.com",
        "UpdateService",
        json!({"service": "arn:aws:ecs:eu-west-1:111122223333:service/prod/web", "forceNewDeployment": true}),
        Value::Null,
    )
    .unwrap();
    assert_eq!(arn.service(), "ecs:prod/web");
    let cluster_arn = read(
        "ecs.amazonaws.com",
        "UpdateService",
        json!({"cluster": "arn:aws:ecs:eu-west-1:111122223333:cluster/prod", "service": "web", "forceNewDeployment": true}),
        Value::Null,
    )
    .unwrap();
    assert_eq!(cluster_arn.service(), "ecs:prod/web");
    let default = read(
        "ecs.amazonaws.com",
        "UpdateService",
        json!({"service": "web", "taskDefinition": "web:43"}),
        Value::Null,
    )
    .unwrap();
    assert_eq!(default.service(), "ecs:default/web");
}

#[test]
fn ecs_scaling_and_failed_calls_are_not_deploys() {
    let scale = json!({"cluster": "prod", "service": "web", "desiredCount": 6});
    assert_eq!(
        read("ecs.amazonaws.com", "UpdateService", scale, Value::Null),
        None
    );
    let not_forced = json!({"cluster": "prod", "service": "web", "forceNewDeployment": false});
    assert_eq!(
        read(
            "ecs.amazonaws.com",
            "UpdateService",
            not_forced,
            Value::Null
        ),
        None
    );
    let mut failed: Value = serde_json::from_str(&record(
        "ecs.amazonaws.com",
        "UpdateService",
        json!({"cluster": "prod", "service": "web", "taskDefinition": "web:42"}),
        Value::Null,
    ))
    .unwrap();
    failed["errorCode"] = json!("AccessDenied");
    assert_eq!(parse_record(&failed.to_string(), "test", 0).unwrap(), None);
    // Other calls are not deploys either.
    assert_eq!(
        read(
            "ecs.amazonaws.com",
            "CreateCluster",
            json!({"clusterName": "default"}),
            Value::Null
        ),
        None
    );
}

#[test]
fn lambda_code_versions_and_aliases() {
    let code = read(
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        json!({"functionName": "arn:aws:lambda:eu-west-1:111122223333:function:checkout", "publish": true}),
        json!({"functionName": "checkout", "functionArn": "arn:aws:lambda:eu-west-1:111122223333:function:checkout", "version": "8"}),
    )
    .unwrap();
    assert_eq!(code.service(), "lambda:checkout");
    assert_eq!(code.outcome(), DeployOutcome::Unknown);
    let publish = read(
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        json!({"functionName": "111122223333:function:checkout"}),
        Value::Null,
    )
    .unwrap();
    assert_eq!(publish.service(), "lambda:checkout");
    // The bare API name is read too.
    assert!(
        read(
            "lambda.amazonaws.com",
            "UpdateFunctionCode",
            json!({"functionName": "checkout"}),
            Value::Null
        )
        .is_some()
    );
    // A dry run changes nothing.
    assert_eq!(
        read(
            "lambda.amazonaws.com",
            "UpdateFunctionCode20150331v2",
            json!({"functionName": "checkout", "dryRun": true}),
            Value::Null
        ),
        None
    );
    // A weighted alias is a canary step; moving the alias to one version completes at once.
    let canary = read(
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        json!({"functionName": "checkout", "name": "live", "functionVersion": "7",
               "routingConfig": {"additionalVersionWeights": {"8": 0.1}}}),
        Value::Null,
    )
    .unwrap();
    assert_eq!(canary.rollout(), Rollout::Canary { percent: 10.0 });
    assert_eq!(canary.outcome(), DeployOutcome::Unknown);
    let promoted = read(
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        json!({"functionName": "checkout", "name": "live", "functionVersion": "8", "routingConfig": {"additionalVersionWeights": {}}}),
        Value::Null,
    )
    .unwrap();
    assert_eq!(promoted.rollout(), Rollout::Direct);
    assert_eq!(
        promoted.outcome(),
        DeployOutcome::Complete {
            at: promoted.started()
        }
    );
    // An alias update that moves no traffic (a new description) is not a deploy.
    assert_eq!(
        read(
            "lambda.amazonaws.com",
            "UpdateAlias20150331",
            json!({"functionName": "checkout", "name": "live", "description": "prod"}),
            Value::Null
        ),
        None
    );
}

#[test]
fn change_sets_and_stack_arns() {
    let deploy = read(
        "cloudformation.amazonaws.com",
        "ExecuteChangeSet",
        json!({"changeSetName": "release-42", "stackName": "arn:aws:cloudformation:eu-west-1:111122223333:stack/shop/a38e6a60-b397-11e3-b0fc-08002755629e"}),
        Value::Null,
    )
    .unwrap();
    assert_eq!(deploy.service(), "cloudformation:shop");
}

/// The error of a record, with its field.
fn error_field(source: &str, name: &str, request: Value) -> (&'static str, String) {
    match parse_record(&record(source, name, request, Value::Null), "trail.json", 7) {
        Err(e @ RecordError::Field { field, .. }) => (field, e.to_string()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_deploy_record_naming_no_resource_is_a_typed_error() {
    let (field, message) = error_field(
        "ecs.amazonaws.com",
        "UpdateService",
        json!({"cluster": "prod", "taskDefinition": "web:42"}),
    );
    assert_eq!(field, "requestParameters.service");
    assert!(
        message.starts_with("trail.json: record 7: requestParameters.service is missing"),
        "{message}"
    );
    let (field, _) = error_field(
        "lambda.amazonaws.com",
        "UpdateFunctionCode20150331v2",
        json!({"publish": true}),
    );
    assert_eq!(field, "requestParameters.functionName");
    let (field, _) = error_field(
        "cloudformation.amazonaws.com",
        "ExecuteChangeSet",
        json!({"changeSetName": "arn:aws:cloudformation:eu-west-1:111122223333:changeSet/release-42/1a2b"}),
    );
    assert_eq!(field, "requestParameters.stackName");
    // requestParameters null, as CloudTrail writes it for calls without parameters.
    let (field, _) = error_field("cloudformation.amazonaws.com", "UpdateStack", Value::Null);
    assert_eq!(field, "requestParameters.stackName");
    // Wrong types and weights.
    let (field, _) = error_field(
        "ecs.amazonaws.com",
        "UpdateService",
        json!({"service": 42, "forceNewDeployment": true}),
    );
    assert_eq!(field, "requestParameters.service");
    let (field, message) = error_field(
        "lambda.amazonaws.com",
        "UpdateAlias20150331",
        json!({"functionName": "f", "name": "live", "routingConfig": {"additionalVersionWeights": {"2": 1.5}}}),
    );
    assert_eq!(
        field,
        "requestParameters.routingConfig.additionalVersionWeights"
    );
    assert!(message.contains("1.5"), "{message}");
}

#[test]
fn a_deploy_without_an_event_id_or_time_is_a_typed_error() {
    let mut value: Value = serde_json::from_str(DOCUMENTED_UPDATE_STACK).unwrap();
    value.as_object_mut().unwrap().remove("eventID");
    match parse_record(&value.to_string(), "x", 3) {
        Err(RecordError::Field { field, index, .. }) => assert_eq!((field, index), ("eventID", 3)),
        other => panic!("{other:?}"),
    }
    let mut value: Value = serde_json::from_str(DOCUMENTED_UPDATE_STACK).unwrap();
    value["eventTime"] = json!("yesterday");
    match parse_record(&value.to_string(), "x", 3) {
        Err(RecordError::Time { field, value, .. }) => {
            assert_eq!((field, value.as_str()), ("eventTime", "yesterday"))
        }
        other => panic!("{other:?}"),
    }
    // Not a record at all.
    assert!(matches!(
        parse_record("[1, 2]", "x", 4),
        Err(RecordError::Record { index: 4, .. })
    ));
}

#[test]
fn lines_are_sorted_and_name_their_line() {
    let later = record(
        "lambda.amazonaws.com",
        "PublishVersion20150331",
        json!({"functionName": "checkout"}),
        Value::Null,
    )
    .replace("14:00:00Z", "15:00:00Z")
    .replace("000000000001", "000000000002");
    let text = format!(
        "{later}\n\n{}\n{}\n",
        DOCUMENTED_UPDATE_STACK.replace('\n', ""),
        record(
            "ecs.amazonaws.com",
            "UpdateService",
            json!({"service": "web", "desiredCount": 2}),
            Value::Null
        )
    );
    let deploys = parse_lines(&text, "stream").unwrap();
    assert_eq!(deploys.len(), 2);
    assert!(deploys[0].started() < deploys[1].started());
    let broken = format!(
        "{text}{}\n",
        record(
            "ecs.amazonaws.com",
            "UpdateService",
            json!({"taskDefinition": "web:1"}),
            Value::Null
        )
    );
    match parse_lines(&broken, "stream") {
        Err(RecordError::Field { index, origin, .. }) => {
            assert_eq!((index, origin.as_str()), (4, "stream"))
        }
        other => panic!("{other:?}"),
    }
}

/// From CloudTrail records to M9: an ECS deploy read from its `UpdateService` call is found
/// regressed when the fleet's errors rise, never cleared while its end is unknown, and cleared
/// once the caller says how long its rollouts take.
#[test]
fn cloudtrail_deploys_feed_m9_per_deploy() {
    use chrono::TimeDelta;
    use sli_core::{DeployCheck, Inconclusive, M9Status, Mixing, Series, ServiceCounts, Span};
    let deploy = read(
        "ecs.amazonaws.com",
        "UpdateService",
        json!({"cluster": "prod", "service": "web", "taskDefinition": "web:42"}),
        Value::Null,
    )
    .unwrap();
    let t0 = deploy.started() - TimeDelta::hours(2);
    let counts = |bad_after: f64| {
        let fleet = Series::from_counts((0..240).map(|m| {
            let at = t0 + TimeDelta::minutes(m);
            let bad = if at >= deploy.started() {
                bad_after
            } else {
                1.0
            };
            (at, 2000.0 - bad, 2000.0)
        }))
        .unwrap();
        ServiceCounts::new(Span::MINUTE, fleet)
    };
    let deploys = [deploy.clone()];
    let check = DeployCheck::default();
    let clean = &check
        .evaluate(&deploys, "ecs:prod/web", &counts(1.0))
        .unwrap()[0];
    assert_eq!(clean.ids(), [deploy.id()]);
    assert_eq!(
        clean.status,
        M9Status::Inconclusive(Inconclusive::Mixed {
            mixing: Mixing::CompletionUnknown
        })
    );
    let bad = &check
        .evaluate(&deploys, "ecs:prod/web", &counts(3.0))
        .unwrap()[0];
    assert_eq!(bad.status, M9Status::Regressed);
    let assumed = check.assuming_settled_within(Span::from_minutes(20).unwrap());
    let cleared = &assumed
        .evaluate(&deploys, "ecs:prod/web", &counts(1.0))
        .unwrap()[0];
    assert!(cleared.settled_assumed);
    assert_eq!(cleared.status, M9Status::NoRegression);
}

/// A log file as a trail delivers it to S3 (`{"Records": [...]}`, gzip'd): the documented
/// `UpdateStack`, an ECS deploy, a read-only call, a failed deploy call and an Insights event;
/// the deploys come out in start order, the rest skipped.
#[test]
fn a_delivered_log_file_gives_its_deploys_in_start_order() {
    use std::io::Write;
    let ecs = record(
        "ecs.amazonaws.com",
        "UpdateService",
        json!({"cluster": "prod", "service": "web", "taskDefinition": "web:42"}),
        json!({"service": {"serviceName": "web"}}),
    );
    let describe = record(
        "ecs.amazonaws.com",
        "DescribeServices",
        json!({"cluster": "prod", "services": ["web"]}),
        Value::Null,
    );
    let mut denied: Value = serde_json::from_str(&ecs).unwrap();
    denied["errorCode"] = json!("AccessDenied");
    denied["eventID"] = json!("denied");
    let insight = json!({"eventVersion": "1.07", "eventTime": "2026-03-02T14:00:00Z",
        "awsRegion": "us-east-1", "eventID": "i1", "eventType": "AwsCloudTrailInsight",
        "insightDetails": {"state": "Start", "eventSource": "ecs.amazonaws.com",
                           "eventName": "UpdateService", "insightType": "ApiCallRateInsight"}});
    let log = json!({"Records": [
        serde_json::from_str::<Value>(&ecs).unwrap(),
        serde_json::from_str::<Value>(DOCUMENTED_UPDATE_STACK).unwrap(),
        serde_json::from_str::<Value>(&describe).unwrap(),
        denied,
        insight,
    ]});
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(log.to_string().as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let deploys = aws_telemetry::deploys::cloudtrail::parse_log(&bytes, "trail.json.gz").unwrap();
    // 2014's stack update first, then the ECS deploy: each as its record alone reads
    let one = |json: &str| parse_record(json, "trail.json.gz", 0).unwrap().unwrap();
    assert_eq!(deploys, [one(DOCUMENTED_UPDATE_STACK), one(&ecs)]);

    // A deploy record naming no service is an error naming the record's index in the file.
    let mut nameless: Value = serde_json::from_str(&ecs).unwrap();
    nameless["requestParameters"] = json!({"cluster": "prod", "taskDefinition": "web:43"});
    let log = json!({"Records": [serde_json::from_str::<Value>(&describe).unwrap(), nameless]});
    let err = aws_telemetry::deploys::cloudtrail::parse_log(log.to_string().as_bytes(), "t.json")
        .unwrap_err();
    assert!(
        matches!(&err, RecordError::Field { index: 1, field, .. } if field.contains("service")),
        "{err}"
    );
    // Not a log: a typed error, not a panic.
    let err = aws_telemetry::deploys::cloudtrail::parse_log(b"[1, 2]", "t.json").unwrap_err();
    assert!(matches!(err, RecordError::Log { .. }), "{err}");
}

/// A key named twice, at the top or inside `requestParameters`: refused, as audit records are.
/// `serde_json` keeps the last copy, so the second `requestParameters` hid the deploy and a
/// second `service` renamed it.
#[test]
fn a_key_named_twice_is_refused() {
    let head = r#""eventTime":"2026-03-02T14:05:00Z","eventSource":"ecs.amazonaws.com","eventName":"UpdateService","awsRegion":"us-east-1","eventID":"e2""#;
    let deploy =
        r#""requestParameters":{"cluster":"prod","service":"web","taskDefinition":"web:42"}"#;
    assert!(
        parse_record(&format!("{{{head},{deploy}}}"), "x", 0)
            .unwrap()
            .is_some()
    );
    for record in [
        format!(
            r#"{{{head},{deploy},"requestParameters":{{"cluster":"prod","service":"web","desiredCount":4}}}}"#
        ),
        format!(
            r#"{{{head},"requestParameters":{{"cluster":"prod","service":"web","taskDefinition":"web:42","service":"api"}}}}"#
        ),
    ] {
        let err = parse_record(&record, "trail.json", 3).unwrap_err();
        assert!(matches!(err, RecordError::Record { .. }), "{err}");
        assert!(err.to_string().contains("record 3"), "{err}");
        assert!(parse_lines(&record, "trail.jsonl").is_err());
    }
}

/// An Insights event is no deploy; one that carries an `UpdateService` call is refused, as the
/// audit reader and `deploys::parse_log` refuse it (it was read as a deploy one at a time).
#[test]
fn a_call_marked_as_an_insights_event_is_no_deploy_and_refused() {
    let insight = json!({"eventVersion": "1.08", "eventTime": "2026-03-02T14:05:00Z",
        "awsRegion": "us-east-1", "eventID": "i1", "eventType": "AwsCloudTrailInsight",
        "insightDetails": {"state": "Start", "eventSource": "ecs.amazonaws.com",
                           "eventName": "UpdateService", "insightType": "ApiCallRateInsight"}});
    assert_eq!(parse_record(&insight.to_string(), "x", 0).unwrap(), None);
    let mut call = insight.clone();
    call["eventSource"] = json!("ecs.amazonaws.com");
    call["eventName"] = json!("UpdateService");
    call["requestParameters"] =
        json!({"cluster": "prod", "service": "web", "taskDefinition": "web:42"});
    let err = parse_record(&call.to_string(), "trail.json", 2).unwrap_err();
    assert!(
        err.to_string().contains("record 2") && err.to_string().contains("Insight"),
        "{err}"
    );
}
