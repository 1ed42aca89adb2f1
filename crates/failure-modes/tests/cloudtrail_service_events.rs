//! F4 over CloudTrail records whose caller is AWS itself. CloudTrail logs `AwsServiceEvent`
//! records ("CloudTrail record contents", `eventType`: "The service generated an event related
//! to your trail", e.g. KMS rotating a key) with a `userIdentity` that has no `type`, only the
//! account and `invokedBy`. F4 ignores calls by AWS services; it used to read these as calls
//! by a principal (named by its empty type, or by `invokedBy`), learn its habits and page on
//! a key rotated in a region that principal had not "used".

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_telemetry::audit::parse_record;
use chrono::{TimeDelta, TimeZone, Utc};
use failure_modes::{CompromiseConfig, CredentialCompromise, Detector};
use serde_json::json;

#[test]
fn aws_service_events_are_not_a_principal_s_calls() {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let rotation = |hours: i64, region: &str| {
        let record = json!({
            "eventVersion": "1.08",
            "userIdentity": {"accountId": "123456789012", "invokedBy": "AWS Internal"},
            "eventTime": (t0 + TimeDelta::hours(hours)).to_rfc3339(),
            "eventSource": "kms.amazonaws.com", "eventName": "RotateKey",
            "awsRegion": region, "sourceIPAddress": "AWS Internal", "userAgent": "AWS Internal",
            "requestParameters": null, "responseElements": null,
            "eventID": format!("e-{hours}"), "readOnly": false,
            "eventType": "AwsServiceEvent", "managementEvent": true,
            "recipientAccountId": "123456789012", "eventCategory": "Management",
        });
        parse_record(&record.to_string(), "service-events", 0).unwrap()
    };
    let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
    let mut found = Vec::new();
    // A week of rotations in one region, then one in another.
    for hour in 0..24 * 8 {
        found.extend(f4.push(rotation(hour, "eu-west-1")).unwrap());
    }
    found.extend(f4.push(rotation(24 * 8, "ap-southeast-2")).unwrap());
    assert!(found.is_empty(), "{found:?}");
    assert_eq!(f4.principals(), 0);
}

/// Another account's role calling into this one is recorded as `AWSAccount` with the session's
/// principal id (`AROA…:session`) and no ARN. Its sessions share the role's habits, as
/// `AssumedRole` sessions do: one principal, not one per CI run.
#[test]
fn another_account_s_role_sessions_are_one_principal() {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
    for run in 0..5 {
        let record = json!({
            "eventVersion": "1.09",
            "userIdentity": {"type": "AWSAccount", "principalId": format!("AROAQRSTUVWXYZEXAMPLE:run-{run}"), "accountId": "444455556666"},
            "eventTime": (t0 + TimeDelta::hours(run)).to_rfc3339(),
            "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
            "awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.7",
            "eventType": "AwsApiCall",
        });
        let event = parse_record(&record.to_string(), "cross-account", 0).unwrap();
        assert!(f4.push(event).unwrap().is_empty());
    }
    assert_eq!(f4.principals(), 1);
}
