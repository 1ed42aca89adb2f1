//! `alarms::apply` through the real SDK: against the CloudWatch emulator (moto behind the RPC
//! v2 CBOR bridge, started by `scripts/test.sh`) for metric alarms and dashboards, created and
//! then updated idempotently; through the SDK's mock layer for composite alarms, which moto
//! does not implement, and for failures. The alarms of the alerting guidance (sustain rules,
//! the release gate's windows, the maintenance alarm, the owner's tag) go through the
//! emulator too.

#![cfg(feature = "apply")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::put_composite_alarm::PutCompositeAlarmOutput;
use aws_sdk_cloudwatch::operation::put_dashboard::PutDashboardOutput;
use aws_sdk_cloudwatch::operation::put_metric_alarm::PutMetricAlarmOutput;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_telemetry::{Metric, RetryPolicy, ServiceError, Statistic};
use sli_core::{AlertPolicy, catalog};
use slo_compiler::SloSpec;
use slo_compiler::cloudwatch::{
    CompileOptions, Compiled, Dashboard, DashboardOptions, Signal, SignalSource, apply, compile,
};

fn fast() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

fn compiled(name: &str) -> (Compiled, Vec<Dashboard>) {
    let alb = |n: &str| SignalSource::Metric {
        metric: Metric::new("AWS/ApplicationELB", n)
            .unwrap()
            .with_dimension("LoadBalancer", "app/checkout/50dc6c495c0c9188")
            .unwrap(),
        stat: Statistic::Sum,
    };
    let mut slo = catalog::availability(name);
    slo.name = name.into();
    let spec = SloSpec::new(
        slo,
        AlertPolicy::default(),
        Signal::Bad {
            bad: alb("HTTPCode_Target_5XX_Count"),
            total: alb("RequestCount"),
        },
    );
    let options = CompileOptions::new()
        .with_page_actions(["arn:aws:sns:us-east-1:123456789012:page"])
        .with_ticket_actions(["arn:aws:sns:us-east-1:123456789012:ticket"]);
    let compiled = compile(&[spec], &options).unwrap();
    let dashboards = compiled.dashboards(&DashboardOptions::default()).unwrap();
    (compiled, dashboards)
}

#[tokio::test]
async fn apply_puts_every_alarm_and_dashboard_through_the_sdk() {
    let (compiled, dashboards) = compiled("checkout");
    let metric = mock!(Client::put_metric_alarm)
        .match_requests(|r| {
            r.metrics().len() == 3
                && r.evaluation_periods() == Some(1)
                && r.threshold() == Some(0.0)
                && r.treat_missing_data() == Some("ignore")
                && r.alarm_actions().is_empty()
        })
        .then_output(|| PutMetricAlarmOutput::builder().build());
    let composite = mock!(Client::put_composite_alarm)
        .match_requests(|r| {
            let rule = r.alarm_rule().unwrap_or_default();
            let severity = r.alarm_name().is_some_and(|n| n.contains("/severity-"));
            // Tier composites: both windows; severity composites: their tiers, with actions.
            (rule.contains(" AND ") && !severity && r.alarm_actions().is_empty())
                || (severity && r.alarm_actions().len() == 1 && r.actions_enabled() == Some(true))
        })
        .then_output(|| PutCompositeAlarmOutput::builder().build());
    let dashboard = mock!(Client::put_dashboard)
        .match_requests(|r| {
            r.dashboard_body().is_some_and(|b| {
                serde_json::from_str::<serde_json::Value>(b).is_ok() && !b.contains("${AWS::")
            })
        })
        .then_output(|| PutDashboardOutput::builder().build());
    let client = mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::MatchAny,
        [&metric, &composite, &dashboard]
    );
    let report = apply(
        &client,
        fast(),
        compiled.metric_alarms(),
        compiled.composite_alarms(),
        &dashboards,
        "us-east-1",
        "123456789012",
    )
    .await
    .unwrap();
    assert_eq!(
        (
            report.metric_alarms,
            report.composite_alarms,
            report.dashboards
        ),
        (8, 6, 3)
    );
    assert_eq!(
        (
            metric.num_calls(),
            composite.num_calls(),
            dashboard.num_calls()
        ),
        (8, 6, 3)
    );
}

/// A throttling error as CloudWatch sends it in the RPC v2 CBOR protocol.
fn throttled() -> HttpResponse {
    let mut body = vec![0xA2, 0x66];
    body.extend_from_slice(b"__type");
    body.push(0x6A);
    body.extend_from_slice(b"Throttling");
    body.push(0x67);
    body.extend_from_slice(b"message");
    body.push(0x6D);
    body.extend_from_slice(b"Rate exceeded");
    let mut response = HttpResponse::new(400.try_into().unwrap(), SdkBody::from(body));
    let headers = response.headers_mut();
    headers.insert("smithy-protocol", "rpc-v2-cbor");
    headers.insert("content-type", "application/cbor");
    headers.insert("x-amzn-query-error", "Throttling;Sender");
    response
}

#[tokio::test]
async fn a_throttled_composite_alarm_is_a_typed_error_after_the_retries() {
    let (compiled, _) = compiled("checkout");
    let metric =
        mock!(Client::put_metric_alarm).then_output(|| PutMetricAlarmOutput::builder().build());
    let composite = mock!(Client::put_composite_alarm).then_http_response(throttled);
    let client = mock_client!(
        aws_sdk_cloudwatch,
        RuleMode::MatchAny,
        [&metric, &composite]
    );
    let err = apply(
        &client,
        fast(),
        compiled.metric_alarms(),
        compiled.composite_alarms(),
        &[],
        "us-east-1",
        "123456789012",
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, ServiceError::Throttled { attempts: 2, .. }),
        "{err:?}"
    );
    assert_eq!(composite.num_calls(), 2); // one composite, tried twice
}

async fn emulator(test: &str) -> Option<aws_config::SdkConfig> {
    if std::env::var("AWS_TELEMETRY_EMULATOR").as_deref() != Ok("1") {
        eprintln!(
            "SKIPPED {test}: no CloudWatch emulator (run `bash scripts/test.sh`, which starts one)"
        );
        return None;
    }
    Some(
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .load()
            .await,
    )
}

#[tokio::test]
async fn apply_against_the_emulator_creates_then_updates_idempotently() {
    let Some(config) =
        emulator("apply_against_the_emulator_creates_then_updates_idempotently").await
    else {
        return;
    };
    let client = Client::new(&config);
    let (compiled, dashboards) = compiled("emulated-checkout");
    let prefix = "slo/emulated-checkout/";
    for round in 0..2 {
        // moto has no composite alarms: metric alarms and dashboards only.
        let report = apply(
            &client,
            fast(),
            compiled.metric_alarms(),
            [],
            &dashboards,
            "us-east-1",
            "123456789012",
        )
        .await
        .unwrap();
        assert_eq!(
            (report.metric_alarms, report.dashboards),
            (8, 3),
            "round {round}"
        );
        let described = client
            .describe_alarms()
            .alarm_name_prefix(prefix)
            .send()
            .await
            .unwrap();
        let alarms = described.metric_alarms();
        assert_eq!(
            alarms.len(),
            8,
            "round {round}: put twice, still eight alarms"
        );
        let fast_long = alarms
            .iter()
            .find(|a| a.alarm_name() == Some("slo/emulated-checkout/burn-rate/page-fast/long-1h"))
            .unwrap();
        assert_eq!(fast_long.threshold(), Some(0.0));
        assert_eq!(fast_long.evaluation_periods(), Some(1));
        assert_eq!(fast_long.treat_missing_data(), Some("ignore"));
        let metrics = fast_long.metrics();
        assert_eq!(metrics.len(), 3);
        let excess = metrics.iter().find(|m| m.id() == Some("excess")).unwrap();
        assert_eq!(
            excess.expression(),
            Some("IF(total > 0, bad - 0.014400000000000001 * total)")
        );
        let requests = metrics.iter().find(|m| m.id() == Some("total")).unwrap();
        assert_eq!(requests.metric_stat().unwrap().period(), Some(3600));
        for dashboard in &dashboards {
            let got = client
                .get_dashboard()
                .dashboard_name(&dashboard.name)
                .send()
                .await
                .unwrap();
            let body: serde_json::Value =
                serde_json::from_str(got.dashboard_body().unwrap()).unwrap();
            let expected: serde_json::Value =
                serde_json::from_str(&dashboard.body_for("us-east-1", "123456789012")).unwrap();
            assert_eq!(body, expected);
        }
    }
}

/// An SLO with sustain rules (5 of 5 on page-fast, 10 of 10 on page-slow), a release gate,
/// maintenance windows and an owner.
fn alerting(name: &str) -> Compiled {
    use chrono::{TimeZone, Utc};
    use sli_core::{ErrorBudgetPolicy, MissingData, Routing, Sustained};
    let alb = |n: &str| SignalSource::Metric {
        metric: Metric::new("AWS/ApplicationELB", n)
            .unwrap()
            .with_dimension("LoadBalancer", "app/checkout/50dc6c495c0c9188")
            .unwrap(),
        stat: Statistic::Sum,
    };
    let mut policy = AlertPolicy::default();
    policy.tiers[0].sustain = Some(Sustained::new(5, 5).unwrap());
    policy.tiers[1].sustain = Some(Sustained::new(10, 10).unwrap());
    let t0 = Utc.with_ymd_and_hms(2026, 12, 5, 22, 0, 0).unwrap();
    let spec = SloSpec::new(
        catalog::availability(name).with_missing_data(MissingData::Good),
        policy,
        Signal::Bad {
            bad: alb("HTTPCode_Target_5XX_Count"),
            total: alb("RequestCount"),
        },
    )
    .with_release_gate(ErrorBudgetPolicy::default().release_gate().unwrap())
    .with_routing(Routing::new().with_owner("payments".parse().unwrap()))
    .with_maintenance(common::sunday_maintenance(t0));
    // (Sustain rules count minutes: the windows are evaluated every minute on published
    // metrics.)
    compile(
        &[spec],
        &CompileOptions::new().with_published("SLO/Published"),
    )
    .unwrap()
}

#[tokio::test]
async fn the_alerting_alarms_go_through_the_emulator_as_compiled() {
    let Some(config) = emulator("the_alerting_alarms_go_through_the_emulator_as_compiled").await
    else {
        return;
    };
    let client = Client::new(&config);
    let compiled = alerting("emulated-alerting");
    let expected: Vec<_> = compiled.metric_alarms().collect();
    // The maintenance alarm, two windows for each of the four tiers, two for the gate.
    assert_eq!(expected.len(), 1 + 8 + 2);
    let report = apply(
        &client,
        fast(),
        compiled.metric_alarms(),
        [],
        &[],
        "us-east-1",
        "123456789012",
    )
    .await
    .unwrap();
    assert_eq!(report.metric_alarms, expected.len());
    let described = client
        .describe_alarms()
        .alarm_name_prefix("slo/emulated-alerting/")
        .send()
        .await
        .unwrap();
    let alarms = described.metric_alarms();
    assert_eq!(alarms.len(), expected.len());
    for want in &expected {
        let got = alarms
            .iter()
            .find(|a| a.alarm_name() == Some(want.alarm_name.as_str()))
            .unwrap_or_else(|| panic!("{} was not stored", want.alarm_name));
        assert_eq!(
            (got.evaluation_periods(), got.datapoints_to_alarm()),
            (
                Some(i32::try_from(want.evaluation_periods).unwrap()),
                Some(i32::try_from(want.datapoints_to_alarm).unwrap())
            ),
            "{}",
            want.alarm_name
        );
        assert_eq!(
            got.treat_missing_data(),
            Some(want.treat_missing_data.as_str()),
            "{}",
            want.alarm_name
        );
    }
    let by_name = |name: &str| {
        alarms
            .iter()
            .find(|a| a.alarm_name() == Some(name))
            .unwrap()
    };
    // Sustain: 5 of 5 and 10 of 10 on both windows of the sustained tiers.
    let base = "slo/emulated-alerting/burn-rate";
    for (alarm, n) in [
        ("page-fast/long-1h", 5),
        ("page-fast/short-5m", 5),
        ("page-slow/long-6h", 10),
        ("page-slow/short-30m", 10),
        ("release-gate/long-1h", 1),
    ] {
        let got = by_name(&format!("{base}/{alarm}"));
        assert_eq!(
            (got.evaluation_periods(), got.datapoints_to_alarm()),
            (Some(n), Some(n)),
            "{alarm}"
        );
    }
    // The maintenance alarm keeps the state its schedules set.
    let maintenance = by_name(&format!("{base}/maintenance"));
    assert_eq!(maintenance.treat_missing_data(), Some("ignore"));
    assert_eq!(maintenance.actions_enabled(), Some(false));
    // The owner's tag.
    let tags = client
        .list_tags_for_resource()
        .resource_arn(
            by_name(&format!("{base}/page-fast/long-1h"))
                .alarm_arn()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(
        tags.tags()
            .iter()
            .any(|t| t.key() == Some("Owner") && t.value() == Some("payments")),
        "{:?}",
        tags.tags()
    );
}
