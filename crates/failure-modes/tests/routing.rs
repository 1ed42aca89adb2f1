//! Findings carry the owning team and the runbook of their detector ([`Routed`]), through a
//! [`DetectorSet`], serde and the notification text; grouped with SLO alerts, a notification
//! goes to the SLO's owner first, else to the findings'.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use failure_modes::sli_core::{Routing, RoutingError};
use failure_modes::{
    AlertInterval, ApiThrottling, DEFAULT_HOLD, Detector, DetectorSet, Evidence, FailureMode,
    Finding, InMemorySource, MetricSink, Routed, Severity, ThrottleSample, ThrottleSignal,
    TimeRange, group_by_root_cause_routed,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
}

fn routing(owner: &str, runbook: &str) -> Routing {
    Routing::new()
        .with_owner(owner.parse().unwrap())
        .with_runbook(runbook.parse().unwrap())
}

fn throttled_samples() -> impl Iterator<Item = ThrottleSample> {
    (0..60).map(|m| ThrottleSample {
        at: t0() + Duration::minutes(m),
        calls: 1000.0,
        throttled: if m >= 30 { 300.0 } else { 0.0 },
    })
}

fn f1(operation: &str) -> ApiThrottling {
    ApiThrottling::new(
        ThrottleSignal::lambda(operation).unwrap(),
        Default::default(),
    )
    .unwrap()
}

#[test]
fn a_routed_detector_stamps_every_finding_and_an_unrouted_one_none() {
    let payments = routing("payments", "https://runbooks.example.com/throttling");
    let mut routed = Routed::new(f1("checkout"), payments.clone());
    let findings = routed.detect(throttled_samples()).unwrap();
    assert!(!findings.is_empty());
    for finding in &findings {
        assert_eq!(finding.routing, payments);
        let text = finding.to_string();
        assert!(text.contains("; owner: payments;"), "{text}");
        assert!(
            text.ends_with("; runbook: https://runbooks.example.com/throttling)"),
            "{text}"
        );
    }
    assert_eq!(Detector::mode(&routed), FailureMode::ApiThrottling);

    let plain = f1("checkout").detect(throttled_samples()).unwrap();
    assert_eq!(plain.len(), findings.len());
    for finding in &plain {
        assert!(finding.routing.is_empty());
        let text = finding.to_string();
        assert!(
            !text.contains("owner:") && !text.contains("runbook:"),
            "{text}"
        );
    }
    // Routing changes nothing else.
    let without: Vec<Finding> = findings
        .into_iter()
        .map(|f| f.with_routing(Routing::new()))
        .collect();
    assert_eq!(without, plain);
}

#[test]
fn a_boxed_detector_can_be_routed_and_an_inner_routing_wins() {
    let inner = Routing::new().with_owner("api-team".parse().unwrap());
    let outer = routing("platform", "https://runbooks.example.com/all");
    let boxed: Box<dyn Detector<Input = ThrottleSample>> =
        Box::new(Routed::new(f1("checkout"), inner));
    let mut detector = Routed::new(boxed, outer);
    let findings = detector.detect(throttled_samples()).unwrap();
    assert!(!findings.is_empty());
    for finding in findings {
        // The inner routing's owner is kept; the outer one fills in the missing runbook.
        assert_eq!(finding.routing.owner.unwrap().as_str(), "api-team");
        assert_eq!(
            finding.routing.runbook.unwrap().as_str(),
            "https://runbooks.example.com/all"
        );
    }
}

#[tokio::test]
async fn a_detector_set_routes_each_detector_by_its_own_routing() {
    let (checkout, search) = (
        ThrottleSignal::lambda("checkout").unwrap(),
        ThrottleSignal::lambda("search").unwrap(),
    );
    let source = InMemorySource::new();
    for sample in throttled_samples() {
        for signal in [&checkout, &search] {
            source
                .put(&signal.calls, &[(sample.at, sample.calls)])
                .await
                .unwrap();
            source
                .put(&signal.throttles, &[(sample.at, sample.throttled)])
                .await
                .unwrap();
        }
    }
    let payments = routing("payments", "https://runbooks.example.com/checkout");
    let mut set = DetectorSet::new()
        .with(Routed::new(
            ApiThrottling::new(checkout, Default::default()).unwrap(),
            payments.clone(),
        ))
        .with(ApiThrottling::new(search, Default::default()).unwrap());
    let range = TimeRange::new(t0(), t0() + Duration::minutes(60)).unwrap();
    let results = set.run(&source, range).await.unwrap();
    let routed = results[0].as_ref().unwrap();
    let plain = results[1].as_ref().unwrap();
    assert!(!routed.is_empty() && !plain.is_empty());
    assert!(routed.iter().all(|f| f.routing == payments));
    assert!(plain.iter().all(|f| f.routing.is_empty()));
}

fn finding(subject: &str, at: DateTime<Utc>) -> Finding {
    Finding::new(
        FailureMode::NetworkPartition,
        Severity::Page,
        subject,
        at,
        at,
        Evidence::new(0.9, 0.1, 0.15, 9.0, "5xx 90 % vs 10 %"),
    )
}

#[test]
fn serde_keeps_the_routing_and_leaves_out_an_empty_one() {
    let plain = serde_json::to_value(finding("eu-west-1a", t0())).unwrap();
    assert!(plain.get("routing").is_none(), "{plain}");
    let routed = finding("eu-west-1a", t0())
        .with_routing(routing("network", "https://runbooks.example.com/az"));
    let json = serde_json::to_value(routed).unwrap();
    assert_eq!(
        json["routing"],
        serde_json::json!({"runbook": "https://runbooks.example.com/az", "owner": "network"})
    );
}

#[test]
fn a_runbook_that_is_not_a_url_is_refused_naming_the_field() {
    let err = serde_json::from_str::<Routing>(r#"{"runbook": "wiki/az", "owner": "network"}"#)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with(r#"runbook "wiki/az" is not a URL"#),
        "{err}"
    );
    let err = "wiki/az"
        .parse::<failure_modes::sli_core::RunbookUrl>()
        .unwrap_err();
    assert!(matches!(
        err,
        RoutingError::InvalidRunbook {
            field: "runbook",
            ..
        }
    ));
}

#[test]
fn a_notification_goes_to_the_slo_owner_first_else_to_the_findings_owner() {
    let t = |m| t0() + Duration::minutes(m);
    let payments = routing("payments", "https://runbooks.example.com/checkout");
    let network = routing("network", "https://runbooks.example.com/az");
    let storage = Routing::new().with_owner("storage".parse().unwrap());
    let page = |start, end| AlertInterval::new("checkout, page", Severity::Page, start, Some(end));
    let notifications = group_by_root_cause_routed(
        vec![
            // The SLO pages while zone a partitions: the SLO's owner is told.
            ("zone-a", page(t(7), t(40)), payments.clone()),
            // Later in zone a, an SLO without routing pages with a partition behind it.
            ("zone-a", page(t(300), t(330)), Routing::new()),
        ],
        vec![
            (
                "zone-a",
                finding("eu-west-1a", t(0)).with_routing(network.clone()),
            ),
            (
                "zone-a",
                finding("eu-west-1a", t(290)).with_routing(storage.clone()),
            ),
            (
                "zone-a",
                finding("eu-west-1a", t(295)).with_routing(network.clone()),
            ),
            ("zone-b", finding("eu-west-1b", t(10))),
        ],
        DEFAULT_HOLD,
    );
    assert_eq!(notifications.len(), 3);
    let first = &notifications[0];
    assert_eq!(first.group.key, "zone-a");
    assert_eq!(first.group.alerts.len(), 2);
    assert_eq!(first.findings.len(), 1);
    assert_eq!(first.routing, payments);

    let unrouted = &notifications[1];
    assert_eq!(unrouted.group.key, "zone-b");
    assert!(unrouted.routing.is_empty());

    let later = &notifications[2];
    assert_eq!(later.group.key, "zone-a");
    assert_eq!(later.group.alerts.len(), 3);
    assert_eq!(later.findings.len(), 2);
    // No SLO routing: the first finding's owner; its runbook from the first finding with one.
    assert_eq!(later.routing.owner, storage.owner);
    assert_eq!(later.routing.runbook, network.runbook);
}

/// A compromised key keyed with an SLO's page (the caller's key says "checkout") is not read
/// inside that page by the SLO's owner: it is a notification of its own, to its own owner, as
/// the compiled Alertmanager routing keeps it; a partition keyed alike still joins the page.
#[test]
fn a_security_finding_is_never_grouped_with_an_slo_page() {
    let t = |m| t0() + Duration::minutes(m);
    let payments = routing("payments", "https://runbooks.example.com/checkout");
    let security = Routing::new().with_owner("security".parse().unwrap());
    let page = AlertInterval::new("checkout, page", Severity::Page, t(5), Some(t(40)));
    let compromise = Finding::new(
        FailureMode::CredentialCompromise,
        Severity::Page,
        "ci-deployer",
        t(10),
        t(10),
        Evidence::new(1.0, 0.0, 1.0, 1.0, "CreateAccessKey from a new region"),
    )
    .with_routing(security.clone());
    let findings = vec![
        ("checkout", finding("eu-west-1a", t(0))),
        ("checkout", compromise.clone()),
    ];
    let notifications = group_by_root_cause_routed(
        vec![("checkout", page.clone(), payments.clone())],
        findings.clone(),
        DEFAULT_HOLD,
    );
    assert_eq!(notifications.len(), 2, "{notifications:#?}");
    assert_eq!(notifications[0].group.alerts.len(), 2);
    assert_eq!(notifications[0].routing, payments);
    assert_eq!(notifications[1].findings, [compromise]);
    assert_eq!(notifications[1].routing, security);
    let groups =
        failure_modes::group_by_root_cause(vec![("checkout", page)], findings, DEFAULT_HOLD);
    let sizes: Vec<_> = groups.iter().map(|g| g.alerts.len()).collect();
    assert_eq!(sizes, [2, 1]);
}
