//! The CloudTrail record format parser on records in the shape of the CloudTrail User Guide's
//! examples ("CloudTrail log file examples", "CloudTrail record contents": an IAM user's
//! StartLogging and StartInstances, console sign-ins with and without MFA, an assumed role
//! refused with `Client.UnauthorizedOperation`, a root sign-in, an Insights event), on
//! generated records, on gzip'd log files as CloudTrail delivers them, on one record per line,
//! and on malformed input, which must give typed errors (file, record index), never a panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use aws_telemetry::audit::{CloudTrailRecord, parse_lines, parse_log, parse_record, read_log_file};
use aws_telemetry::{RecordError, SignInOutcome};
use chrono::{TimeZone, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};

const DOCUMENTED: &str = include_str!("data/cloudtrail_documented.json");

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn documented_records_parse_into_events() {
    let events = parse_log(DOCUMENTED.as_bytes(), "documented.json").unwrap();
    // Seven records; the Insights event has no caller and is skipped.
    assert_eq!(events.len(), 6);

    let start_logging = &events[0];
    assert_eq!(
        start_logging.time,
        Utc.with_ymd_and_hms(2023, 7, 19, 21, 33, 41).unwrap()
    );
    assert_eq!(start_logging.source, "cloudtrail.amazonaws.com");
    assert_eq!(start_logging.name, "StartLogging");
    assert_eq!(start_logging.region, "us-east-1");
    assert_eq!(start_logging.source_ip, "192.0.2.0");
    assert_eq!(start_logging.identity.kind, "IAMUser");
    assert_eq!(
        start_logging.identity.arn.as_deref(),
        Some("arn:aws:iam::123456789012:user/Saanvi_Sarkar")
    );
    assert_eq!(
        start_logging.identity.account_id.as_deref(),
        Some("123456789012")
    );
    assert_eq!(
        start_logging.identity.user_name.as_deref(),
        Some("Saanvi_Sarkar")
    );
    assert_eq!(
        start_logging.identity.access_key_id.as_deref(),
        Some("AKIAIOSFODNN7EXAMPLE")
    );
    assert_eq!(start_logging.error_code, None);
    assert_eq!(start_logging.mfa_used, None);
    assert_eq!(
        start_logging.event_id.as_deref(),
        Some("0c9f3a52-7e61-4b8e-8d07-EXAMPLE3b5e2")
    );

    assert_eq!(events[1].name, "StartInstances");

    let login = &events[2];
    assert_eq!(login.mfa_used, Some(false));
    assert!(login.is_console_login_without_mfa());
    assert_eq!(login.sign_in, Some(SignInOutcome::Success));
    assert_eq!(
        login.response_elements,
        Some(json!({"ConsoleLogin": "Success"}))
    );
    // A failed sign-in with MFA: CloudTrail sets errorMessage, not errorCode.
    assert_eq!(events[3].mfa_used, Some(true));
    assert!(!events[3].is_console_login_without_mfa());
    assert_eq!(events[3].sign_in, Some(SignInOutcome::Failure));
    assert_eq!(
        events[3].error_message.as_deref(),
        Some("Failed authentication")
    );
    assert!(events[3].is_failed_console_login());

    let refused = &events[4];
    assert_eq!(refused.identity.kind, "AssumedRole");
    assert_eq!(
        refused.identity.user_name, None,
        "assumed roles have no userName"
    );
    assert_eq!(
        refused.error_code.as_deref(),
        Some("Client.UnauthorizedOperation")
    );
    assert!(refused.is_access_denied());

    let root = &events[5];
    assert_eq!(root.identity.kind, "Root");
    assert_eq!(
        root.identity.access_key_id, None,
        "an empty accessKeyId is no key"
    );
    assert_eq!(root.identity.principal(), "arn:aws:iam::123456789012:root");
    assert!(root.is_console_login_without_mfa());
}

/// A failed console sign-in whose record says `MFAUsed: No` (a wrong password for a user
/// without MFA) once read as a successful sign-in without MFA: the parser dropped
/// `errorMessage` and `responseElements`, and a failed sign-in has no `errorCode`.
#[test]
fn a_failed_sign_in_without_mfa_is_not_a_successful_one() {
    let root: Value = serde_json::from_str(DOCUMENTED).unwrap();
    let mut failed = root["Records"][3].clone();
    failed["additionalEventData"]["MFAUsed"] = json!("No");
    let event = parse_record(&failed.to_string(), "failed", 0).unwrap();
    assert_eq!(event.error_code, None);
    assert_eq!(
        event.error_message.as_deref(),
        Some("Failed authentication")
    );
    assert_eq!(event.sign_in, Some(SignInOutcome::Failure));
    assert_eq!(
        event.response_elements,
        Some(json!({"ConsoleLogin": "Failure"}))
    );
    assert!(event.is_failed_console_login());
    assert!(!event.is_successful_console_login());
    assert!(!event.is_console_login_without_mfa());
    // Without responseElements, the error message alone says it failed.
    failed.as_object_mut().unwrap().remove("responseElements");
    let event = parse_record(&failed.to_string(), "failed", 0).unwrap();
    assert_eq!(event.sign_in, Some(SignInOutcome::Failure));
    assert!(!event.is_console_login_without_mfa());
    // A result CloudTrail does not write is a typed error naming the field.
    failed["responseElements"] = json!({"ConsoleLogin": "Maybe"});
    let err = parse_record(&failed.to_string(), "failed", 7).unwrap_err();
    assert!(
        err.to_string().contains("responseElements.ConsoleLogin"),
        "{err}"
    );
    // An API call's response elements are carried as sent.
    let call = &parse_log(DOCUMENTED.as_bytes(), "documented.json").unwrap()[0];
    assert_eq!(call.sign_in, None);
    assert_eq!(
        call.response_elements.is_some(),
        !root["Records"][0]["responseElements"].is_null()
    );
}

#[test]
fn unknown_fields_are_kept_not_rejected() {
    let root: Value = serde_json::from_str(DOCUMENTED).unwrap();
    let first = root["Records"][0].clone();
    let record: CloudTrailRecord = serde_json::from_value(first).unwrap();
    for field in [
        "eventVersion",
        "userAgent",
        "requestParameters",
        "tlsDetails",
        "sessionCredentialFromConsole",
        "eventCategory",
    ] {
        assert!(record.extra.contains_key(field), "{field} kept");
    }
    assert_eq!(record.extra["tlsDetails"]["tlsVersion"], "TLSv1.2");
    let identity = record.user_identity.as_ref().unwrap();
    assert!(identity.extra.contains_key("principalId"));
    assert!(identity.extra.contains_key("sessionContext"));
    // A field CloudTrail may add tomorrow.
    let mut future = root["Records"][1].clone();
    future["brandNewField"] = json!({"nested": [1, 2, 3]});
    future["userIdentity"]["anotherNewField"] = json!("x");
    let record: CloudTrailRecord = serde_json::from_value(future).unwrap();
    assert_eq!(record.extra["brandNewField"]["nested"][2], 3);
    assert_eq!(
        record.to_event("documented", 0).unwrap().name,
        "StartInstances"
    );
    // And it serializes back with them.
    let back = serde_json::to_value(&record).unwrap();
    assert_eq!(back["brandNewField"]["nested"][0], 1);
    assert_eq!(back["eventName"], "StartInstances");
}

#[test]
fn gzipped_log_files_are_read_from_disk() {
    let dir = std::env::temp_dir().join(format!("aws-telemetry-ct-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let gz = dir.join("123456789012_CloudTrail_us-east-1_20230719T2135Z_Mu0KsOhtH1ar15ZZ.json.gz");
    std::fs::write(&gz, gzip(DOCUMENTED.as_bytes())).unwrap();
    let plain = dir.join("plain.json");
    std::fs::write(&plain, DOCUMENTED).unwrap();
    let from_gz = read_log_file(&gz).unwrap();
    assert_eq!(from_gz, read_log_file(&plain).unwrap());
    assert_eq!(from_gz.len(), 6);

    // A truncated object: a typed error naming the file.
    let bytes = std::fs::read(&gz).unwrap();
    std::fs::write(&gz, &bytes[..bytes.len() / 2]).unwrap();
    match read_log_file(&gz).unwrap_err() {
        RecordError::Gzip { origin, .. } => {
            assert!(origin.ends_with(".json.gz"), "{origin}");
        }
        other => panic!("{other:?}"),
    }
    match read_log_file(dir.join("missing.json.gz")).unwrap_err() {
        RecordError::Io { path, .. } => assert!(path.ends_with("missing.json.gz")),
        other => panic!("{other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A deterministic generator (64-bit LCG) of realistic records.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn generated(count: usize, seed: u64) -> Vec<Value> {
    let mut rng = Lcg(seed);
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"];
    let calls = [
        ("s3.amazonaws.com", "GetObject"),
        ("iam.amazonaws.com", "CreateAccessKey"),
        ("ec2.amazonaws.com", "DescribeInstances"),
        ("signin.amazonaws.com", "ConsoleLogin"),
    ];
    let kinds = ["IAMUser", "AssumedRole", "Root"];
    (0..count)
        .map(|i| {
            let (source, name) = calls[rng.next(4) as usize];
            let kind = kinds[rng.next(3) as usize];
            let mut record = json!({
                "eventVersion": "1.10",
                "userIdentity": {"type": kind, "principalId": format!("AIDA{i:016}"), "arn": format!("arn:aws:iam::111122223333:user/u{}", i % 7), "accountId": "111122223333", "accessKeyId": format!("AKIA{i:016}"), "userName": format!("u{}", i % 7)},
                "eventTime": (Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + chrono::TimeDelta::seconds(i as i64 * 37)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "eventSource": source,
                "eventName": name,
                "awsRegion": regions[rng.next(4) as usize],
                "sourceIPAddress": format!("198.51.100.{}", rng.next(255)),
                "userAgent": "aws-sdk-rust/1.x",
                "requestParameters": {"n": i},
                "responseElements": null,
                "requestID": format!("req-{i}"),
                "eventID": format!("evt-{i}"),
                "eventType": "AwsApiCall",
                "recipientAccountId": "111122223333",
            });
            if rng.next(10) == 0 {
                record["errorCode"] = json!("AccessDenied");
                record["errorMessage"] = json!("User is not authorized");
            }
            if name == "ConsoleLogin" {
                record["additionalEventData"] = json!({"MFAUsed": if rng.next(2) == 0 { "Yes" } else { "No" }});
            }
            record
        })
        .collect()
}

#[test]
fn generated_records_round_trip_field_by_field() {
    let records = generated(2_000, 7);
    let file = serde_json::to_vec(&json!({ "Records": records })).unwrap();
    let events = parse_log(&gzip(&file), "generated.json.gz").unwrap();
    assert_eq!(events.len(), records.len());
    for (record, event) in records.iter().zip(&events) {
        assert_eq!(event.source, record["eventSource"]);
        assert_eq!(event.name, record["eventName"]);
        assert_eq!(event.region, record["awsRegion"]);
        assert_eq!(event.source_ip, record["sourceIPAddress"]);
        assert_eq!(event.identity.kind, record["userIdentity"]["type"]);
        assert_eq!(
            event.identity.access_key_id.as_deref(),
            record["userIdentity"]["accessKeyId"].as_str()
        );
        assert_eq!(event.error_code.as_deref(), record["errorCode"].as_str());
        assert_eq!(event.event_id.as_deref(), record["eventID"].as_str());
        assert_eq!(
            event.time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            record["eventTime"]
        );
        let mfa = record["additionalEventData"]["MFAUsed"]
            .as_str()
            .map(|v| v == "Yes");
        assert_eq!(event.mfa_used, mfa);
    }
    assert!(events.iter().any(|e| e.is_access_denied()));
    assert!(events.iter().any(|e| e.is_console_login_without_mfa()));
    assert!(events.iter().any(|e| e.creates_credentials()));
}

#[test]
fn one_record_per_line_as_cloudwatch_logs_messages() {
    let records = generated(50, 11);
    let mut text = String::new();
    for (i, record) in records.iter().enumerate() {
        text.push_str(&serde_json::to_string(record).unwrap());
        text.push('\n');
        if i % 10 == 0 {
            text.push_str("   \n");
        }
    }
    let events = parse_lines(&text, "/aws/cloudtrail/logs").unwrap();
    assert_eq!(events.len(), 50);
    assert_eq!(events[49].event_id.as_deref(), Some("evt-49"));
    // The same single record through parse_record (what LookupEvents returns).
    let one = parse_record(
        &serde_json::to_string(&records[3]).unwrap(),
        "LookupEvents",
        0,
    )
    .unwrap();
    assert_eq!(one, events[3]);
}

/// The error's message followed by those of its sources, as a reporter prints them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The origin and index of a record error, and its whole chain of messages.
fn record_error(
    result: Result<Vec<aws_telemetry::AuditEvent>, RecordError>,
) -> (String, usize, String) {
    let err = result.unwrap_err();
    let text = chain(&err);
    match err {
        RecordError::Record { origin, index, .. }
        | RecordError::Field { origin, index, .. }
        | RecordError::Time { origin, index, .. } => (origin, index, text),
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_records_are_typed_errors_with_file_and_index() {
    let mut records = generated(5, 3);
    records[2].as_object_mut().unwrap().remove("eventName");
    let file = serde_json::to_vec(&json!({ "Records": records })).unwrap();
    let (origin, index, reason) = record_error(parse_log(&file, "f.json"));
    assert_eq!((origin.as_str(), index), ("f.json", 2));
    assert!(reason.contains("eventName"), "{reason}");

    let mut records = generated(5, 3);
    records[4]["eventTime"] = json!("yesterday");
    let file = serde_json::to_vec(&json!({ "Records": records })).unwrap();
    let (_, index, reason) = record_error(parse_log(&file, "f.json"));
    assert_eq!(index, 4);
    assert!(reason.contains("eventTime \"yesterday\""), "{reason}");

    let mut records = generated(5, 3);
    records[1]["additionalEventData"] = json!({"MFAUsed": true});
    let file = serde_json::to_vec(&json!({ "Records": records })).unwrap();
    let (_, index, reason) = record_error(parse_log(&file, "f.json"));
    assert_eq!(index, 1);
    assert!(reason.contains("MFAUsed"), "{reason}");

    let mut records = generated(5, 3);
    records[0]["awsRegion"] = json!(42);
    records[3] = json!("not an object");
    let file = serde_json::to_vec(&json!({ "Records": records })).unwrap();
    assert_eq!(record_error(parse_log(&file, "f.json")).1, 0);

    let (_, index, reason) = record_error(parse_lines("{\"eventTime\":", "lines"));
    assert_eq!(index, 0);
    assert!(reason.contains("EOF"), "{reason}");

    let insight =
        serde_json::to_string(&serde_json::from_str::<Value>(DOCUMENTED).unwrap()["Records"][6])
            .unwrap();
    let err = parse_record(&insight, "LookupEvents", 9).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("LookupEvents: record 9 is a CloudTrail Insights event"),
        "{err}"
    );
}

#[test]
fn malformed_files_are_typed_errors() {
    for (bytes, expected) in [
        (&b""[..], "not JSON"),
        (&b"[1, 2]"[..], "not a JSON object"),
        (&b"{\"records\": []}"[..], "no \"Records\" array"),
        (&b"{\"Records\": {}}"[..], "\"Records\" is not an array"),
    ] {
        match parse_log(bytes, "bad.json").unwrap_err() {
            RecordError::Log { origin, reason, .. } => {
                assert_eq!(origin, "bad.json");
                assert_eq!(reason, expected);
            }
            other => panic!("{other:?}"),
        }
    }
    match parse_log(&[0x1f, 0x8b, 0x08, 0x00], "bad.json").unwrap_err() {
        RecordError::Gzip { origin, .. } => assert_eq!(origin, "bad.json"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        parse_log(b"{\"Records\": []}", "empty.json").unwrap(),
        vec![]
    );
}

#[test]
fn no_truncation_or_corruption_of_a_log_panics() {
    let gz = gzip(DOCUMENTED.as_bytes());
    for cut in (0..gz.len()).step_by(7) {
        let _ = parse_log(&gz[..cut], "cut.json.gz");
    }
    for cut in (0..DOCUMENTED.len()).step_by(13) {
        assert!(parse_log(&DOCUMENTED.as_bytes()[..cut], "cut.json").is_err());
    }
    let mut flipped = DOCUMENTED.as_bytes().to_vec();
    for i in (0..flipped.len()).step_by(29) {
        flipped[i] ^= 0x55;
        let _ = parse_log(&flipped, "flipped.json");
        flipped[i] ^= 0x55;
    }
}

/// The principal of every `userIdentity.type` the CloudTrail User Guide documents ("CloudTrail
/// userIdentity element"), two callers of each. Identities without `arn` or `userName` (an
/// IAM Identity Center user, another account, an anonymous caller, a type CloudTrail cannot
/// determine) used to be named by their type alone: every Identity Center user of an
/// organisation was one principal "IdentityCenterUser", every other account one "AWSAccount",
/// so F4 learnt one set of habits for all of them and named no one in its findings.
#[test]
fn every_documented_identity_type_names_its_own_principal() {
    let record = |identity: Value| {
        let record = json!({
            "eventVersion": "1.09", "eventTime": "2026-11-02T03:04:05Z",
            "eventSource": "s3.amazonaws.com", "eventName": "GetObject",
            "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7",
            "userIdentity": identity,
        });
        parse_record(&record.to_string(), "identities", 0).unwrap()
    };
    let pairs: [(&str, Value, Value, &str, &str); 10] = [
        (
            "IAMUser",
            json!({"type": "IAMUser", "principalId": "AIDAJ45Q7YFFAREXAMPLE", "arn": "arn:aws:iam::123456789012:user/Alice", "accountId": "123456789012", "accessKeyId": "", "userName": "Alice"}),
            json!({"type": "IAMUser", "principalId": "AIDAJ45Q7YFFBEXAMPLE", "arn": "arn:aws:iam::123456789012:user/Bob", "accountId": "123456789012", "userName": "Bob"}),
            "arn:aws:iam::123456789012:user/Alice",
            "arn:aws:iam::123456789012:user/Bob",
        ),
        (
            "Root",
            json!({"type": "Root", "principalId": "123456789012", "arn": "arn:aws:iam::123456789012:root", "accountId": "123456789012"}),
            json!({"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"}),
            "arn:aws:iam::123456789012:root",
            "arn:aws:iam::111122223333:root",
        ),
        (
            "AssumedRole",
            json!({"type": "AssumedRole", "principalId": "AROAIDPPEZS35WEXAMPLE:s1", "arn": "arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/s1", "accountId": "123456789012"}),
            json!({"type": "AssumedRole", "principalId": "AROAIDPPEZS35WEXAMPLE:s2", "arn": "arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/s2", "accountId": "123456789012"}),
            "arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/s1",
            "arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/s2",
        ),
        (
            "FederatedUser",
            json!({"type": "FederatedUser", "principalId": "123456789012:Bob", "arn": "arn:aws:sts::123456789012:federated-user/Bob", "accountId": "123456789012"}),
            json!({"type": "FederatedUser", "principalId": "123456789012:Carol", "arn": "arn:aws:sts::123456789012:federated-user/Carol", "accountId": "123456789012"}),
            "arn:aws:sts::123456789012:federated-user/Bob",
            "arn:aws:sts::123456789012:federated-user/Carol",
        ),
        (
            "IdentityCenterUser",
            json!({"type": "IdentityCenterUser", "accountId": "123456789012", "onBehalfOf": {"userId": "544894e8-80c1-707f-60e3-3ba6510dfac1", "identityStoreArn": "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}, "credentialId": "EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE"}),
            json!({"type": "IdentityCenterUser", "accountId": "123456789012", "onBehalfOf": {"userId": "f4e8a4c8-3001-70d1-29a5-fbe6c7e56b54", "identityStoreArn": "arn:aws:identitystore::123456789012:identitystore/d-9067642ac7"}, "credentialId": "EXAMPLEcd7Cm9pDrSQ9Xsa3CBUI3Tue7SCWo1fEXAMPLE"}),
            "544894e8-80c1-707f-60e3-3ba6510dfac1",
            "f4e8a4c8-3001-70d1-29a5-fbe6c7e56b54",
        ),
        (
            "AWSAccount",
            json!({"type": "AWSAccount", "principalId": "AIDAQRSTUVWXYZEXAMPLE", "accountId": "444455556666"}),
            json!({"type": "AWSAccount", "principalId": "AROAQRSTUVWXYZEXAMPLE:build", "accountId": "777788889999"}),
            "AIDAQRSTUVWXYZEXAMPLE",
            "AROAQRSTUVWXYZEXAMPLE:build",
        ),
        (
            // S3's anonymous requests: an empty principal id, the account "anonymous".
            "AWSAccount",
            json!({"type": "AWSAccount", "principalId": "", "accountId": "anonymous"}),
            json!({"type": "AWSAccount", "principalId": "", "accountId": "444455556666"}),
            "anonymous",
            "444455556666",
        ),
        (
            "WebIdentityUser",
            json!({"type": "WebIdentityUser", "principalId": "accounts.google.com:123", "userName": "123", "identityProvider": "accounts.google.com"}),
            json!({"type": "WebIdentityUser", "principalId": "graph.facebook.com:123", "userName": "123", "identityProvider": "graph.facebook.com"}),
            // Two providers' user "123": two people, not one.
            "accounts.google.com:123",
            "graph.facebook.com:123",
        ),
        (
            // The SAML example of the CloudTrail userIdentity element's documentation.
            "SAMLUser",
            json!({"type": "SAMLUser", "principalId": "Q4tGaDvX4ds+rVEH2fAs3XZ9CmA=:SamlExample", "userName": "SamlExample", "identityProvider": "Q4tGaDvX4ds+rVEH2fAs3XZ9CmA="}),
            json!({"type": "SAMLUser", "principalId": "bWVudHMvc2FtbC1vdGhlcg==:SamlExample", "userName": "SamlExample", "identityProvider": "bWVudHMvc2FtbC1vdGhlcg=="}),
            "Q4tGaDvX4ds+rVEH2fAs3XZ9CmA=:SamlExample",
            "bWVudHMvc2FtbC1vdGhlcg==:SamlExample",
        ),
        (
            "Unknown",
            json!({"type": "Unknown", "principalId": "AIDACKCEVSQ6C2EXAMPLE", "accountId": "123456789012"}),
            json!({"type": "Unknown", "principalId": "AIDACKCEVSQ6C3EXAMPLE", "accountId": "123456789012"}),
            "AIDACKCEVSQ6C2EXAMPLE",
            "AIDACKCEVSQ6C3EXAMPLE",
        ),
    ];
    for (kind, first, second, first_principal, second_principal) in pairs {
        let (first, second) = (record(first), record(second));
        assert_eq!(first.identity.kind, kind);
        assert_eq!(first.identity.principal(), first_principal, "{kind}");
        assert_eq!(second.identity.principal(), second_principal, "{kind}");
    }
    // An AWS service calling on its own account is named by the service.
    let service = record(json!({"type": "AWSService", "invokedBy": "config.amazonaws.com"}));
    assert_eq!(service.identity.principal(), "config.amazonaws.com");
}

/// A network activity event (`eventType` `AwsVpceEvent`, `eventCategory` `NetworkActivity`)
/// refused by a VPC endpoint policy carries `errorCode` `VpceAccessDenied` ("Logging network
/// activity events", CloudTrail User Guide): a refusal for lack of permission like the others.
/// It used to read as not refused, so F4's AccessDenied storm did not count calls that an
/// endpoint policy blocked.
#[test]
fn a_vpc_endpoint_policy_refusal_is_access_denied() {
    let record = json!({
        "eventVersion": "1.09",
        "userIdentity": {"type": "AWSAccount", "principalId": "AKIAIOSFODNN7EXAMPLE", "accountId": "777788889999"},
        "eventTime": "2024-07-15T23:57:12Z", "eventSource": "kms.amazonaws.com",
        "eventName": "ListKeys", "awsRegion": "us-east-1", "sourceIPAddress": "192.0.2.0",
        "errorCode": "VpceAccessDenied",
        "errorMessage": "The request was denied due to a VPC endpoint policy",
        "requestID": "899003b8-abc4-42bb-ad95-EXAMPLE0c374",
        "eventID": "7c6e3d04-0c3b-42f2-8589-EXAMPLE826c0", "eventType": "AwsVpceEvent",
        "recipientAccountId": "123456789012", "vpcEndpointId": "vpce-EXAMPLE08c1b6b9b7",
        "vpcEndpointAccountId": "123456789012", "eventCategory": "NetworkActivity",
    });
    let event = parse_record(&record.to_string(), "network", 0).unwrap();
    assert_eq!(event.event_type.as_deref(), Some("AwsVpceEvent"));
    assert!(event.is_access_denied());
    assert!(!event.is_by_aws(), "another account's call, not AWS's");
}

/// The documented Insights event is skipped; the same record with a caller or a call at the
/// top level is refused by index: skipped, a `CreateAccessKey` marked as an Insights event
/// was hidden from every detector.
#[test]
fn a_call_marked_as_an_insights_event_is_refused() {
    let mut log: Value = serde_json::from_str(DOCUMENTED).unwrap();
    let insight = log["Records"][6].clone();
    assert_eq!(insight["eventType"], "AwsCloudTrailInsight");
    for (field, value) in [
        (
            "userIdentity",
            json!({"type": "IAMUser", "userName": "mallory"}),
        ),
        ("eventSource", json!("iam.amazonaws.com")),
        ("eventName", json!("CreateAccessKey")),
    ] {
        let mut record = insight.clone();
        record[field] = value;
        log["Records"][6] = record;
        let err = parse_log(log.to_string().as_bytes(), "trail.json").unwrap_err();
        assert!(
            err.to_string().contains("record 6") && err.to_string().contains(field),
            "{err}"
        );
    }
}
