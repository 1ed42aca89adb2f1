//! A finding's text states what was observed: a floor or a bar the detector applied is named
//! as such, never given as the observed figure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, TimeZone, Utc};
use failure_modes::{Detector, NetworkPartition, ZoneObservation, ZoneSample, ZoneSignal};

/// F2's 5xx findings of zone `a`, failing 2 % from minute 150, with the other zones failing
/// `peer_errors` of their 1,000 requests a minute.
fn f2_5xx_details(peer_errors: f64) -> Vec<String> {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let signal = ZoneSignal::alb("app/lb/1", &["a", "b", "c"]).unwrap();
    let mut f2 = NetworkPartition::new(signal, Default::default()).unwrap();
    let mut details = Vec::new();
    for m in 0..200i64 {
        let zones = ["a", "b", "c"]
            .iter()
            .map(|z| ZoneObservation {
                zone: (*z).into(),
                latency: Some(0.1 + 0.001 * ((m * 7 + z.len() as i64) % 5) as f64),
                requests: 1000.0,
                errors: match (*z, m >= 150) {
                    ("a", true) => 20.0,
                    ("a", false) => 0.0,
                    _ => peer_errors,
                },
            })
            .collect();
        let sample = ZoneSample {
            at: t0 + Duration::minutes(m),
            zones,
        };
        for finding in f2.push(sample).unwrap() {
            details.push(finding.evidence.detail);
        }
    }
    details
}

/// Probe A (2026-12-07): the other zones failed 0 %, and the finding read "the other zones
/// failed 0.010 %", the floor the test takes for their rate. It states the 0 % and the floor.
#[test]
fn f2_states_the_peers_observed_5xx_rate_and_the_floor_when_taken() {
    let details = f2_5xx_details(0.0);
    assert_eq!(details.len(), 1, "{details:?}");
    assert!(
        details[0].contains("the other zones failed 0.000 % (counted as 0.010 %, the floor)"),
        "{}",
        details[0]
    );
    // Above the floor, the figure is theirs and no floor is named.
    let details = f2_5xx_details(1.0);
    assert_eq!(details.len(), 1, "{details:?}");
    assert!(
        details[0].contains("the other zones failed 0.100 % and"),
        "{}",
        details[0]
    );
}

/// A finding is one line of text whatever its subject holds: a user name with a line break (a
/// CloudTrail record is text anyone who can write to the trail's bucket can forge) is written
/// escaped, and cannot fake a finding's line of its own in a text notification or a log.
#[test]
fn a_line_break_in_a_subject_is_written_escaped() {
    use failure_modes::{AuditEvent, CredentialCompromise, Identity};

    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    let forged = "eve\nF7 [page] some-bucket 2026-11-02 09:00";
    let sign_in = AuditEvent::new(
        t0,
        "signin.amazonaws.com",
        "ConsoleLogin",
        "us-east-1",
        "203.0.113.9",
        Identity::new("IAMUser").with_user_name(forged),
    )
    .with_mfa(false);
    let findings = CredentialCompromise::new(Default::default())
        .unwrap()
        .detect(vec![sign_in])
        .unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(
        findings[0].subject, forged,
        "the subject itself is kept as read"
    );
    let text = findings[0].to_string();
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains(r"eve\nF7 [page] some-bucket"),
        "the break is shown escaped: {text}"
    );
    // A Unicode line separator, and a backslash that would fake an escape, are escaped too.
    let mut finding = findings[0].clone();
    finding.subject = "eve\u{2028}x \\n y".into();
    let text = finding.to_string();
    assert!(text.contains(r"eve\u{2028}x \\n y"), "{text}");
}
