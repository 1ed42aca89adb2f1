//! Severities follow the alerting guidance by default (page for outages and security
//! incidents, ticket for low-severity errors, degradations and cost warnings) and each
//! detector's can be overridden.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, TimeZone, Utc};
use failure_modes::{
    AccessSample, ApiThrottling, BucketExposure, Detector, LeakConfig, PublicDataLeak,
    ThrottleConfig, ThrottleSample, ThrottleSignal,
};
use sli_core::Severity;

fn throttled(config: ThrottleConfig, share: f64) -> Vec<Severity> {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let mut f1 = ApiThrottling::new(ThrottleSignal::lambda("api").unwrap(), config).unwrap();
    f1.detect((0..60).map(|m| ThrottleSample {
        at: t0 + Duration::minutes(m),
        calls: 1000.0,
        throttled: if m >= 30 { 1000.0 * share } else { 0.0 },
    }))
    .unwrap()
    .iter()
    .map(|f| f.severity)
    .collect()
}

#[test]
fn throttling_tickets_then_pages_when_blocked_and_can_be_told_otherwise() {
    assert_eq!(
        throttled(ThrottleConfig::default(), 0.03),
        [Severity::Ticket]
    );
    assert_eq!(
        throttled(ThrottleConfig::default(), 0.3),
        [Severity::Ticket, Severity::Page]
    );
    // A team whose throttled operation is its checkout: every sustained throttle pages.
    let strict = ThrottleConfig::default().with_severity(Severity::Page);
    assert_eq!(throttled(strict, 0.03), [Severity::Page]);
}

#[test]
fn a_public_bucket_pages_by_default_and_can_be_a_ticket() {
    let mut facts = BucketExposure::new("website-assets");
    facts.policy_is_public = Some(true);
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let sample = AccessSample {
        at: t0,
        requests: 3.0,
    };
    let mut f7 = PublicDataLeak::new(facts.clone(), LeakConfig::default()).unwrap();
    assert_eq!(f7.push(sample).unwrap()[0].severity, Severity::Page);
    // A bucket meant to serve a public website: the exposure is expected, a ticket is enough.
    let relaxed = LeakConfig::default().with_exposure_severity(Severity::Ticket);
    let mut f7 = PublicDataLeak::new(facts, relaxed).unwrap();
    assert_eq!(f7.push(sample).unwrap()[0].severity, Severity::Ticket);
}
