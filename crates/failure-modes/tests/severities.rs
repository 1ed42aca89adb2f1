//! Severities follow the alerting guidance by default (page for outages and security
//! incidents, ticket for low-severity errors, degradations and cost warnings) and each
//! detector's can be overridden.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, TimeZone, Utc};
use failure_modes::{
    AccessSample, ApiThrottling, AuditEvent, BucketExposure, ChargeSample, ColdStartConfig,
    ColdStartLatency, ColdStartSample, ColdStartSignal, CompromiseConfig, ConnectionConfig,
    ConnectionSample, ConnectionSignal, CostConfig, CostRunaway, CredentialCompromise,
    DbConnectionExhaustion, Detector, Identity, LeakConfig, NetworkPartition, PartitionConfig,
    PublicDataLeak, QuotaConfig, QuotaSample, QuotaSignal, ServiceQuotaHit, ThrottleConfig,
    ThrottleSample, ThrottleSignal, ZoneObservation, ZoneSample, ZoneSignal,
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

/// Runs `fire` with the default settings and with each override of a severity setting, and
/// checks the severities of the findings: `default` for the defaults, each row's own for its
/// override (which must differ from `default`, or the row proves nothing).
fn assert_overrides<C: Default>(
    fire: impl Fn(C) -> Vec<Severity>,
    default: &[Severity],
    overrides: Vec<(&str, C, Vec<Severity>)>,
) {
    assert_eq!(fire(C::default()), default, "defaults");
    let wrong: Vec<String> = overrides
        .into_iter()
        .filter_map(|(setting, config, expected)| {
            assert_ne!(
                expected, default,
                "{setting}: the override must change something"
            );
            let got = fire(config);
            (got != expected).then(|| format!("{setting}: {got:?}, not {expected:?}"))
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("; "));
}

fn minutes(m: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + Duration::minutes(m)
}

#[test]
fn f1_every_severity_setting_is_on_its_finding() {
    let fire = |config: ThrottleConfig| throttled(config, 0.3);
    assert_overrides(
        fire,
        &[Severity::Ticket, Severity::Page],
        vec![
            (
                "severity",
                ThrottleConfig::default().with_severity(Severity::Page),
                vec![Severity::Page, Severity::Page],
            ),
            (
                "blocked_severity",
                ThrottleConfig::default().with_blocked_severity(Severity::Ticket),
                vec![Severity::Ticket, Severity::Ticket],
            ),
        ],
    );
}

#[test]
fn f2_every_severity_setting_is_on_its_finding() {
    let fire = |config: PartitionConfig| {
        let signal = ZoneSignal::alb("app/shop/1", &["a", "b", "c"]).unwrap();
        let mut f2 = NetworkPartition::new(signal, config).unwrap();
        let sample = |m: i64| ZoneSample {
            at: minutes(m),
            zones: ["a", "b", "c"]
                .iter()
                .enumerate()
                .map(|(i, z)| ZoneObservation {
                    zone: (*z).to_owned(),
                    latency: Some(if *z == "b" && m >= 200 {
                        0.9
                    } else {
                        0.1 + 0.01 * ((m + i as i64) % 3) as f64
                    }),
                    requests: 1000.0,
                    errors: 1.0,
                })
                .collect(),
        };
        severities(f2.detect((0..260).map(sample)).unwrap())
    };
    assert_overrides(
        fire,
        &[Severity::Page],
        vec![(
            "severity",
            PartitionConfig::default().with_severity(Severity::Ticket),
            vec![Severity::Ticket],
        )],
    );
}

#[test]
fn f3_every_severity_setting_is_on_its_finding() {
    // 5-minute usage: normal, then at 85 % of the limit (a ticket), then at the limit (a page).
    let fire = |config: QuotaConfig| {
        let signal =
            QuotaSignal::resource_count("vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand")
                .unwrap();
        let mut f3 = ServiceQuotaHit::new(signal, config).unwrap();
        severities(
            f3.detect((0..60).map(|i| QuotaSample {
                at: minutes(5 * i),
                usage: match i {
                    0..20 => 500.0,
                    20..40 => 850.0,
                    _ => 1000.0,
                },
            }))
            .unwrap(),
        )
    };
    assert_overrides(
        fire,
        &[Severity::Ticket, Severity::Page],
        vec![
            (
                "warning_severity",
                QuotaConfig::default().with_warning_severity(Severity::Page),
                vec![Severity::Page, Severity::Page],
            ),
            (
                "blocked_severity",
                QuotaConfig::default().with_blocked_severity(Severity::Ticket),
                vec![Severity::Ticket, Severity::Ticket],
            ),
        ],
    );
}

#[test]
fn f4_every_severity_setting_is_on_its_finding() {
    // A CI user writing from one region for ten days, then launching instances from another.
    let fire = |config: CompromiseConfig| {
        let ci = Identity::new("IAMUser").with_user_name("ci");
        let mut events: Vec<_> = (0..24 * 10)
            .map(|h| {
                AuditEvent::new(
                    minutes(60 * h),
                    "s3.amazonaws.com",
                    "PutObject",
                    "eu-west-1",
                    "198.51.100.4",
                    ci.clone(),
                )
            })
            .collect();
        events.push(AuditEvent::new(
            minutes(60 * 24 * 10),
            "ec2.amazonaws.com",
            "RunInstances",
            "ap-southeast-2",
            "203.0.113.9",
            ci,
        ));
        severities(
            CredentialCompromise::new(config)
                .unwrap()
                .detect(events)
                .unwrap(),
        )
    };
    assert_overrides(
        fire,
        &[Severity::Page],
        vec![(
            "severity",
            CompromiseConfig::default().with_severity(Severity::Ticket),
            vec![Severity::Ticket],
        )],
    );
}

#[test]
fn f5_every_severity_setting_is_on_its_finding() {
    // A burst of cold starts: p95 latency up with the initialisations.
    let fire = |config: ColdStartConfig| {
        let mut f5 =
            ColdStartLatency::new(ColdStartSignal::lambda("resize").unwrap(), config).unwrap();
        severities(
            f5.detect((0..300).map(|m| {
                let burst = (200..215).contains(&m);
                ColdStartSample {
                    at: minutes(m),
                    p95_ms: if burst { 900.0 } else { 120.0 + (m % 7) as f64 },
                    concurrency: if burst { 80.0 } else { 10.0 },
                    init_ms: burst.then_some(650.0),
                }
            }))
            .unwrap(),
        )
    };
    assert_overrides(
        fire,
        &[Severity::Ticket],
        vec![(
            "severity",
            ColdStartConfig::default().with_severity(Severity::Page),
            vec![Severity::Page],
        )],
    );
}

#[test]
fn f6_every_severity_setting_is_on_its_finding() {
    // Lambda scales out from minute 100 and every instance opens 5 connections: a warning,
    // then the limit near.
    let fire = |config: ConnectionConfig| {
        let signal = ConnectionSignal::rds("orders-db", 1000.0).unwrap();
        let mut f6 = DbConnectionExhaustion::new(signal, config).unwrap();
        severities(
            f6.detect((0..200).map(|m| {
                let concurrency = if m < 100 {
                    40.0
                } else {
                    40.0 + 2.0 * (m - 100) as f64
                };
                ConnectionSample {
                    at: minutes(m),
                    connections: 5.0 * concurrency,
                    upstream: Some(concurrency),
                }
            }))
            .unwrap(),
        )
    };
    assert_overrides(
        fire,
        &[Severity::Ticket, Severity::Page],
        vec![
            (
                "warning_severity",
                ConnectionConfig::default().with_warning_severity(Severity::Page),
                vec![Severity::Page, Severity::Page],
            ),
            (
                "critical_severity",
                ConnectionConfig::default().with_critical_severity(Severity::Ticket),
                vec![Severity::Ticket, Severity::Ticket],
            ),
        ],
    );
}

#[test]
fn f7_every_severity_setting_is_on_its_finding() {
    // A public bucket (the exposure finding), then a download spike on it (the spike finding)
    // once a day has passed (a bucket public at the first sample is given a day).
    let fire = |config: LeakConfig| {
        let mut facts = BucketExposure::new("exports");
        facts.policy_is_public = Some(true);
        let mut f7 = PublicDataLeak::new(facts, config).unwrap();
        let findings = f7
            .detect((0..1440 + 200).map(|m| AccessSample {
                at: minutes(m),
                requests: if m >= 1440 + 150 {
                    5000.0
                } else {
                    20.0 + (m % 5) as f64
                },
            }))
            .unwrap();
        assert!(findings[1].evidence.detail.contains("requests a minute"));
        severities(findings)
    };
    assert_overrides(
        fire,
        &[Severity::Page, Severity::Page],
        vec![
            (
                "exposure_severity",
                LeakConfig::default().with_exposure_severity(Severity::Ticket),
                vec![Severity::Ticket, Severity::Page],
            ),
            (
                "spike_severity",
                LeakConfig::default().with_spike_severity(Severity::Ticket),
                vec![Severity::Page, Severity::Ticket],
            ),
        ],
    );
}

#[test]
fn f8_every_severity_setting_is_on_its_finding() {
    // 96 a day, then a day at ten times that: a warning, then a runaway.
    let fire = |config: CostConfig| {
        let mut f8 = CostRunaway::new("USD", config).unwrap();
        let start = Utc.with_ymd_and_hms(2026, 10, 20, 0, 0, 0).unwrap();
        let mut total = 0.0;
        let samples: Vec<_> = (0..24 * 20)
            .map(|hour| {
                let at = start + Duration::hours(hour);
                if at == Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() {
                    total = 0.0;
                }
                total += if hour / 24 == 17 { 40.0 } else { 4.0 };
                ChargeSample {
                    at,
                    estimated_charges: total,
                }
            })
            .collect();
        severities(f8.detect(samples).unwrap())
    };
    assert_overrides(
        fire,
        &[Severity::Ticket, Severity::Page],
        vec![
            (
                "warning_severity",
                CostConfig::default().with_warning_severity(Severity::Page),
                vec![Severity::Page, Severity::Page],
            ),
            (
                "runaway_severity",
                CostConfig::default().with_runaway_severity(Severity::Ticket),
                vec![Severity::Ticket, Severity::Ticket],
            ),
        ],
    );
}

fn severities(findings: Vec<failure_modes::Finding>) -> Vec<Severity> {
    findings.iter().map(|f| f.severity).collect()
}
