//! Every kind of CloudFormation template the CloudWatch compiler generates, linted by
//! `cfn-lint` (AWS's CloudFormation linter, from PyPI): zero errors and zero warnings. The
//! templates: the three SLOs of the OpenSLO example (native alarms, published windows of a
//! time-slice SLI, a metric-math source, dashboards), forty SLOs split into stacks under the
//! 500-resource limit, an SLO with every dashboard option, and an SLO with the alerting
//! guidance (sustain rules, a release gate, maintenance windows with their EventBridge
//! Scheduler schedules and role, an owner's topics, a runbook), and the example that wires its
//! release-gate alarm into a CodeDeploy deployment group and a CodePipeline stage condition.
//!
//! `scripts/test.sh` installs cfn-lint (pinned in `tools/engines/requirements.txt`)
//! and sets `CFN_LINT`; without it this test prints SKIPPED and passes without running.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::path::Path;
use std::process::Command;

use aws_telemetry::{Metric, Statistic};
use chrono::{TimeZone, Utc};
use sli_core::{AlertPolicy, ErrorBudgetPolicy, MissingData, Routing, Sustained, catalog};
use slo_compiler::SloSpec;
use slo_compiler::cloudwatch::{
    CompileOptions, DashboardOptions, MAX_RESOURCES, Signal, SignalSource, SlowQueryLog,
    TeamActions, compile,
};

/// The gate alarm of the alerting template, which the wiring example names.
const GATE_ALARM: &str = "slo/checkout/burn-rate/release-gate";

/// CodeDeploy and CodePipeline consuming the gate alarm, as docs/slo-as-code.md shows them.
const GATE_WIRING: &str = include_str!("data/release-gate.cloudformation.yaml");

fn options() -> CompileOptions {
    CompileOptions::new()
        .with_page_actions(["arn:aws:sns:us-east-1:123456789012:page"])
        .with_ticket_actions(["arn:aws:sns:us-east-1:123456789012:ticket"])
        .with_published("SLO/Published")
        // the findings alarms and their place in the severity composites, linted too
        .with_findings("SLO/Findings")
}

fn templates() -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    #[cfg(feature = "openslo")]
    {
        let import = sli_core::openslo::parse(
            include_str!("data/checkout.openslo.yaml"),
            sli_core::openslo::Mode::Strict,
        )
        .unwrap();
        let specs = slo_compiler::cloudwatch::specs_from_openslo(&import.slos).unwrap();
        let compiled = compile(&specs, &options()).unwrap();
        let dashboards = compiled.dashboards(&DashboardOptions::default()).unwrap();
        out.push((
            "openslo-example".to_owned(),
            compiled.cloudformation(&dashboards).unwrap(),
        ));
    }
    let alb = |name: &str, lb: &str| SignalSource::Metric {
        metric: Metric::new("AWS/ApplicationELB", name)
            .unwrap()
            .with_dimension("LoadBalancer", lb)
            .unwrap(),
        stat: Statistic::Sum,
    };
    let specs: Vec<_> = (0..40)
        .map(|i| {
            let lb = format!("app/svc-{i}/50dc6c495c0c9188");
            let mut spec = SloSpec::new(
                catalog::availability(format!("svc-{i}")),
                AlertPolicy::default(),
                Signal::Bad {
                    bad: alb("HTTPCode_Target_5XX_Count", &lb),
                    total: alb("RequestCount", &lb),
                },
            );
            spec.service = format!("team-{}", i % 3);
            spec
        })
        .collect();
    // The alerting guidance: sustain rules, a release gate, maintenance windows (recurring in
    // a zone, and one-off) with their schedules and the role that runs them, an owner with
    // topics of its own and a runbook.
    let mut policy = AlertPolicy::default();
    policy.tiers[0].sustain = Some(Sustained::new(5, 5).unwrap());
    policy.tiers[1].sustain = Some(Sustained::new(10, 10).unwrap());
    let lb = "app/checkout/50dc6c495c0c9188";
    let t0 = Utc.with_ymd_and_hms(2026, 12, 5, 22, 0, 0).unwrap();
    // (CloudWatch compiles M of M only, with missing data good or bad.)
    let alerting = SloSpec::new(
        catalog::availability("checkout").with_missing_data(MissingData::Good),
        policy,
        Signal::Bad {
            bad: alb("HTTPCode_Target_5XX_Count", lb),
            total: alb("RequestCount", lb),
        },
    )
    .with_release_gate(ErrorBudgetPolicy::default().release_gate().unwrap())
    .with_routing(
        Routing::new()
            .with_owner("payments".parse().unwrap())
            .with_runbook("https://runbooks.example.com/checkout".parse().unwrap()),
    )
    .with_maintenance(common::sunday_maintenance(t0));
    let team = options().with_team_actions(
        "payments".parse().unwrap(),
        TeamActions::new(
            ["arn:aws:sns:us-east-1:123456789012:payments-page"],
            ["arn:aws:sns:us-east-1:123456789012:payments-ticket"],
        ),
    );
    let compiled = compile(std::slice::from_ref(&alerting), &team).unwrap();
    let template = compiled.cloudformation(&[]).unwrap();
    let types: Vec<&str> = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|r| r["Type"].as_str())
        .collect();
    for kind in ["AWS::Scheduler::Schedule", "AWS::IAM::Role"] {
        assert!(types.contains(&kind), "no {kind} in {types:?}");
    }
    // The alarm the release-gate wiring (tests/data/release-gate.cloudformation.yaml) names.
    assert!(
        template["Resources"]
            .as_object()
            .unwrap()
            .values()
            .any(|r| r["Type"] == "AWS::CloudWatch::CompositeAlarm"
                && r["Properties"]["AlarmName"] == GATE_ALARM),
        "no composite alarm {GATE_ALARM}"
    );
    out.push(("alerting".to_owned(), template));

    let compiled = compile(&specs, &options()).unwrap();
    let dashboards = compiled
        .dashboards(
            &DashboardOptions::new()
                .with_latency(Metric::new("AWS/ApplicationELB", "TargetResponseTime").unwrap())
                .with_db_instance("checkout-db")
                .with_autoscaling_group("checkout-asg")
                .with_dependency(
                    "Payments API latency",
                    Metric::new("Payments", "Latency").unwrap(),
                    "p99".parse().unwrap(),
                )
                // every AWS panel (Logs Insights queries, deploy markers, Container
                // Insights, Application Signals), so the template holding them is linted
                .with_log_group("/aws/lambda/checkout")
                .with_cloudtrail_log_group("/aws/cloudtrail/management")
                .with_slow_query_log("checkout-db", SlowQueryLog::Postgres)
                .with_ecs_service("prod", "checkout")
                .with_lambda_function("checkout-worker")
                .with_application_signals("checkout", "ecs:prod")
                .with_remote_service("payments")
                .with_deploys([sli_core::Deploy::new(
                    "d-1",
                    "ecs:prod/checkout",
                    chrono::Utc::now(),
                )
                .unwrap()]),
        )
        .unwrap();
    for (i, template) in compiled
        .cloudformation_stacks(&dashboards, MAX_RESOURCES)
        .unwrap()
        .into_iter()
        .enumerate()
    {
        out.push((format!("stack-{i}"), template));
    }
    out
}

#[test]
fn cfn_lint_finds_nothing_in_any_generated_template() {
    let Some(cfn_lint) = std::env::var_os("CFN_LINT") else {
        eprintln!(
            "SKIPPED cfn_lint_finds_nothing_in_any_generated_template: CFN_LINT is not set (run `bash scripts/test.sh`, which installs it)"
        );
        return;
    };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cfn-lint");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let templates = templates();
    assert!(templates.len() >= 3);
    let mut paths = Vec::new();
    for (name, template) in &templates {
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(template).unwrap()).unwrap();
        paths.push(path);
    }
    // The release-gate wiring: the deployment group's alarm configuration and the pipeline's
    // entry condition both name the compiled gate alarm.
    assert_eq!(
        GATE_WIRING
            .matches(&format!("Name: {GATE_ALARM}\n"))
            .count(),
        2
    );
    let wiring = dir.join("release-gate.cloudformation.yaml");
    std::fs::write(&wiring, GATE_WIRING).unwrap();
    paths.push(wiring);
    let out = Command::new(&cfn_lint)
        .arg("--")
        .args(&paths)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    // Exit status 0: no error, no warning, no informational finding in any template.
    assert!(
        out.status.success(),
        "cfn-lint ({}) found problems:\n{text}",
        out.status
    );
    eprintln!("cfn-lint: {} templates, no finding", paths.len());

    // The linter reads what we emit: an alarm with a comparison CloudWatch does not have is
    // an error.
    let mut broken = templates[0].1.clone();
    let alarm = broken["Resources"]
        .as_object_mut()
        .unwrap()
        .values_mut()
        .find(|r| r["Type"] == "AWS::CloudWatch::Alarm")
        .unwrap();
    alarm["Properties"]["ComparisonOperator"] = "GreaterThan".into();
    let path = dir.join("broken.json");
    std::fs::write(&path, serde_json::to_string_pretty(&broken).unwrap()).unwrap();
    let out = Command::new(&cfn_lint)
        .arg("--")
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code().map(|c| c & 2),
        Some(2),
        "cfn-lint missed an invalid ComparisonOperator"
    );
}
