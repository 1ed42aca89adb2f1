//! Blind round 7, minimal reproduction: a known-deployer entry that is a role name
//! (`with_known_deployers(["deploy-prod"])`) also exempts an IAM *user* named `deploy-prod`
//! from volume judgement. Run:
//! `cargo run --release -p sre-examples --example blind7_repro`

// A harness: a failure should stop the run loudly; kept as its blind author wrote it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    clippy::unusual_byte_groupings,
    clippy::collapsible_if
)]

use failure_modes::chrono::{Duration, TimeZone, Utc};
use failure_modes::{AuditEvent, CompromiseConfig, CredentialCompromise, Detector, Identity};

fn findings(who: &Identity, known: &[&str]) -> usize {
    findings_with(who, known, None).len()
}

fn findings_with(
    who: &Identity,
    known: &[&str],
    odd_region: Option<&str>,
) -> Vec<failure_modes::Finding> {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let call = |t| {
        AuditEvent::new(
            t,
            "ec2.amazonaws.com",
            "DescribeInstances",
            "eu-west-1",
            "10.0.0.1",
            who.clone(),
        )
    };
    // Ten days of 30 calls an hour, then 1,000 calls in the first half of the next hour.
    let mut events: Vec<_> = (0..24 * 10 * 30)
        .map(|i| call(t0 + Duration::seconds(i * 120)))
        .collect();
    let burst = t0 + Duration::days(10);
    match odd_region {
        None => events.extend((0..1000).map(|i| call(burst + Duration::seconds(i)))),
        Some(r) => events.push(AuditEvent::new(
            burst,
            "ec2.amazonaws.com",
            "DescribeInstances",
            r,
            "10.0.0.1",
            who.clone(),
        )),
    }
    let det = CredentialCompromise::new(CompromiseConfig::default())
        .unwrap()
        .with_known_deployers(known.iter().copied());
    let mut det = det;
    // Since the fix of R2 (maintainers, 2026-12-07) an empty region is a typed error: printed,
    // not unwrapped.
    det.detect(events).unwrap_or_else(|error| {
        println!("    refused: {error}");
        Vec::new()
    })
}

fn main() {
    let user = Identity::new("IAMUser")
        .with_user_name("deploy-prod")
        .with_arn("arn:aws:iam::111122223333:user/deploy-prod");
    let other_role = Identity::new("AssumedRole")
        .with_arn("arn:aws:sts::999988887777:assumed-role/deploy-prod/x");
    println!(
        "IAM user deploy-prod, no known deployers:              {} finding(s) (expected 1)",
        findings(&user, &[])
    );
    println!(
        "IAM user deploy-prod, known deployers [\"deploy-prod\"]: {} finding(s) (expected 1: the entry is a role name)",
        findings(&user, &["deploy-prod"])
    );
    println!(
        "IAM user deploy-prod, known deployers [\"deploy-pro\"]:  {} finding(s) (control)",
        findings(&user, &["deploy-pro"])
    );
    let session = Identity::new("AssumedRole")
        .with_arn("arn:aws:sts::111122223333:assumed-role/deploy-prod/x");
    println!(
        "R1 role session, known [role ARN]: {} finding(s) (expected 0)",
        findings(&session, &["arn:aws:iam::111122223333:role/deploy-prod"])
    );
    // R1 again, from CloudTrail records as CloudTrail writes an AssumedRole caller (sessionContext.sessionIssuer).
    let rec = r#"{"eventVersion":"1.08","eventTime":"2026-11-02T00:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1","sourceIPAddress":"10.0.0.1","userIdentity":{"type":"AssumedRole","principalId":"AROADEPLOYPROD:x","arn":"arn:aws:sts::111122223333:assumed-role/deploy-prod/x","accountId":"111122223333","accessKeyId":"ASIAX","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROADEPLOYPROD","arn":"arn:aws:iam::111122223333:role/deploy-prod","accountId":"111122223333","userName":"deploy-prod"}}}}"#;
    let parsed = failure_modes::aws_telemetry::audit::parse_record(rec, "r1", 0).unwrap();
    println!("R1 parsed record: identity {:?}", parsed.identity);
    println!(
        "R1 parsed identity, known [role ARN]: {} finding(s) (expected 0)",
        findings(
            &parsed.identity,
            &["arn:aws:iam::111122223333:role/deploy-prod"]
        )
    );
    println!(
        "R1 parsed identity, known [role name]: {} finding(s) (expected 0)",
        findings(&parsed.identity, &["deploy-prod"])
    );
    let r2 = findings_with(&user, &[], Some(""));
    println!(
        "R2 awsRegion \"\" after learning: {} finding(s): {:?}",
        r2.len(),
        r2.iter()
            .map(|f| f.evidence.detail.clone())
            .collect::<Vec<_>>()
    );
    println!(
        "role deploy-prod of ANOTHER account, known [\"deploy-prod\"]: {} finding(s) (docs ambiguous)",
        findings(&other_role, &["deploy-prod"])
    );
}
