//! Every panel of the dashboards, CloudWatch's and Grafana's, run over a fixture of the data it
//! reads (`tests/data/dashboards/`): metrics as AWS services publish them (namespace, name and
//! the exact dimension set, each with the page documenting it) and log events in the formats AWS
//! delivers (Lambda's runtime lines, CloudTrail records, RDS slow query logs).
//!
//! * A metric a panel names that no fixture series publishes fails the test (CloudWatch
//!   matches the dimension set exactly, so a wrong or missing dimension reads nothing).
//! * Each metric panel's value is computed from the fixture's raw samples (the statistic over
//!   the panel's period ending at the fixture's end; expressions by the crate's metric-math
//!   interpreter, [`slo_compiler::cloudwatch::Expr`]) and compared with the value worked out
//!   by hand.
//! * Each Logs Insights query runs over the log fixture through the interpreter in
//!   `logs_insights/`, which
//!   implements only the commands the dashboards use, as the Logs Insights query syntax page
//!   describes them (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html>):
//!   `SOURCE`, `fields`, `filter` with `like /regex/`, `=`, `in [...]`, `ispresent()`, `and`,
//!   `or` and parentheses, `parse` with a regular expression's named groups, `sort` (numbers
//!   compared as numbers), `limit`, and `stats count(*) by bin()`; JSON log events' fields
//!   are discovered with nested names joined by `.`. No Logs Insights engine runs here: moto's
//!   `StartQuery` ignores `filter` and `parse` (its `logs_query` module reads only `fields`,
//!   `sort` and `limit`), so this interpreter is the nearest check, and it is ours.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
#[path = "logs_insights/mod.rs"]
mod logs_insights;

use std::collections::BTreeMap;

use aws_telemetry::Metric;
use chrono::{TimeZone, Utc};
use common::alb_availability;
use logs_insights::{Event, Row, column, run_query};
use serde_json::Value;
use sli_core::{AlertPolicy, Deploy};
use slo_compiler::CompileProblem;
use slo_compiler::cloudwatch::{self, CompileOptions, DashboardOptions, Expr, SlowQueryLog};

// ---------------------------------------------------------------------------------------------
// Fixtures

struct Series {
    namespace: String,
    name: String,
    dimensions: BTreeMap<String, String>,
    /// (minutes before the fixture's end, value): raw samples.
    points: Vec<(i64, f64)>,
}

fn metrics_fixture() -> Vec<Series> {
    let doc: Value =
        serde_json::from_str(include_str!("data/dashboards/cloudwatch_metrics.json")).unwrap();
    doc["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Series {
            namespace: s["namespace"].as_str().unwrap().into(),
            name: s["metric"].as_str().unwrap().into(),
            dimensions: s["dimensions"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().into()))
                .collect(),
            points: s["points"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (p[0].as_i64().unwrap(), p[1].as_f64().unwrap()))
                .collect(),
        })
        .collect()
}

fn logs_fixture() -> BTreeMap<String, Vec<Event>> {
    let doc: Value = serde_json::from_str(include_str!("data/dashboards/logs.json")).unwrap();
    doc["groups"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(group, events)| {
            let events = events
                .as_array()
                .unwrap()
                .iter()
                .map(|e| Event {
                    time: e["time"].as_i64().unwrap(),
                    message: e["message"].as_str().unwrap().into(),
                })
                .collect();
            (group.clone(), events)
        })
        .collect()
}

fn alb(name: &str) -> Metric {
    Metric::new("AWS/ApplicationELB", name)
        .unwrap()
        .with_dimension("LoadBalancer", "app/checkout/50dc6c495c0c9188")
        .unwrap()
}

fn deploy() -> Deploy {
    Deploy::new(
        "d-42",
        "ecs:prod/checkout",
        Utc.with_ymd_and_hms(2024, 12, 5, 10, 1, 40).unwrap(),
    )
    .unwrap()
}

/// The options naming every resource the fixtures hold.
fn aws_options() -> DashboardOptions {
    DashboardOptions::new()
        .with_latency(alb("TargetResponseTime"))
        .with_db_instance("checkout-db")
        .with_slow_query_log("checkout-db", SlowQueryLog::Postgres)
        .with_slow_query_log("orders-db", SlowQueryLog::MySql)
        .with_autoscaling_group("checkout-asg")
        .with_ecs_service("prod", "checkout")
        .with_lambda_function("checkout-worker")
        .with_log_group("/aws/lambda/checkout")
        .with_cloudtrail_log_group("/aws/cloudtrail/management")
        .with_application_signals("checkout", "ecs:prod")
        .with_remote_service("payments")
        .with_deploys([deploy()])
}

fn compiled() -> cloudwatch::Compiled {
    let spec = alb_availability(AlertPolicy::default(), alb);
    cloudwatch::compile(&[spec], &CompileOptions::new()).unwrap()
}

fn cloudwatch_dashboards() -> Vec<(String, Value)> {
    compiled()
        .dashboards(&aws_options())
        .unwrap()
        .into_iter()
        .map(|d| (d.name.clone(), d.body.clone()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Metrics

/// A statistic of raw samples, as the Statistics definitions page describes them; `pNN` by
/// nearest rank.
fn statistic(stat: &str, values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let sum: f64 = values.iter().sum();
    Some(match stat {
        "Sum" => sum,
        "Average" => sum / values.len() as f64,
        "Maximum" => sorted[sorted.len() - 1],
        "Minimum" => sorted[0],
        "SampleCount" => values.len() as f64,
        p if p.starts_with('p') => {
            let q: f64 = p[1..].parse().unwrap();
            let rank = ((q / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
            sorted[rank - 1]
        }
        other => panic!("statistic {other} is not one the fixture evaluator knows"),
    })
}

/// The statistic of a fixture series over the `period_s` ending at the fixture's end; `Err`
/// when no series has that namespace, name and exact dimension set.
fn read(
    fixture: &[Series],
    namespace: &str,
    name: &str,
    dimensions: &BTreeMap<String, String>,
    stat: &str,
    period_s: i64,
) -> Result<Option<f64>, String> {
    let series = fixture
        .iter()
        .find(|s| s.namespace == namespace && s.name == name && &s.dimensions == dimensions)
        .ok_or_else(|| format!("no fixture publishes {namespace} {name} {dimensions:?}"))?;
    let values: Vec<f64> = series
        .points
        .iter()
        .filter(|(minutes_before, _)| minutes_before * 60 < period_s)
        .map(|(_, v)| *v)
        .collect();
    Ok(statistic(stat, &values))
}

/// Metric-math expressions `(id, text)` over the values read so far.
fn evaluate(values: &mut BTreeMap<String, Option<f64>>, expressions: &[(String, String)]) {
    for (id, text) in expressions {
        let expr = Expr::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let known = values.clone();
        let value = expr
            .eval(&|name| known.get(name).copied().flatten())
            .unwrap();
        values.insert(id.clone(), value);
    }
}

/// The values of a CloudWatch metric widget, by query id (the shown expression's id is
/// `shown` when it has none of its own).
fn cloudwatch_widget(
    w: &Value,
    fixture: &[Series],
) -> Result<BTreeMap<String, Option<f64>>, String> {
    let period = w["properties"]["period"].as_i64().unwrap();
    let mut values = BTreeMap::new();
    let mut expressions = Vec::new();
    for entry in w["properties"]["metrics"].as_array().unwrap() {
        let entry = entry.as_array().unwrap();
        let options = entry.last().unwrap();
        if let Some(expression) = options.get("expression") {
            expressions.push((
                options["id"].as_str().unwrap().to_owned(),
                expression.as_str().unwrap().to_owned(),
            ));
            continue;
        }
        let names: Vec<&str> = entry[..entry.len() - 1]
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let dimensions = names[2..]
            .chunks(2)
            .map(|kv| (kv[0].to_owned(), kv[1].to_owned()))
            .collect();
        let stat = options["stat"].as_str().unwrap();
        let id = options
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| names[1].to_owned(), str::to_owned);
        values.insert(
            id,
            read(fixture, names[0], names[1], &dimensions, stat, period)?,
        );
    }
    evaluate(&mut values, &expressions);
    Ok(values)
}

/// The values of a Grafana panel reading the CloudWatch data source, by query id.
#[cfg(feature = "openslo")]
fn grafana_cloudwatch_panel(
    p: &Value,
    fixture: &[Series],
) -> Result<BTreeMap<String, Option<f64>>, String> {
    let mut values = BTreeMap::new();
    let mut expressions = Vec::new();
    for t in p["targets"].as_array().unwrap() {
        let id = t["id"].as_str().unwrap().to_owned();
        let period: i64 = t["period"].as_str().unwrap().parse().unwrap();
        if t["metricEditorMode"] == 1 {
            expressions.push((id, t["expression"].as_str().unwrap().to_owned()));
            continue;
        }
        let dimensions = t["dimensions"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                let v = v.as_array().unwrap();
                assert_eq!(v.len(), 1, "one value per dimension");
                (k.clone(), v[0].as_str().unwrap().to_owned())
            })
            .collect();
        let value = read(
            fixture,
            t["namespace"].as_str().unwrap(),
            t["metricName"].as_str().unwrap(),
            &dimensions,
            t["statistic"].as_str().unwrap(),
            period,
        )?;
        values.insert(id, value);
    }
    evaluate(&mut values, &expressions);
    Ok(values)
}

/// What each AWS panel shows over the fixture, worked out by hand: (title, id, value).
const EXPECTED: &[(&str, &str, f64)] = &[
    // the later of two billing readings 5 hours apart, both inside the 6-hour period
    ("Estimated charges (cost trend)", "cost", 131.5),
    // the larger of the minute's two samples
    ("DB connections", "c0", 87.0),
    // averages of the minute's samples: (3 + 5) / 2, (1 + 2) / 2, (2 + 3) / 2
    (
        "DB load (Performance Insights: active sessions, CPU and waiting)",
        "l0",
        4.0,
    ),
    (
        "DB load (Performance Insights: active sessions, CPU and waiting)",
        "l1",
        1.5,
    ),
    (
        "DB load (Performance Insights: active sessions, CPU and waiting)",
        "l2",
        2.5,
    ),
    ("Scaling events", "g0", 6.0),
    ("Scaling events", "g1", 4.0),
    ("Scaling events", "t0", 8.0),
    ("Scaling events", "t1", 7.0),
    // the last minute's 12, not the 30 a minute before
    ("Scaling events", "f0", 12.0),
    // 256 of 1,024 CPU units; 1,536 of 2,048 MiB
    (
        "prod/checkout: containers (Container Insights)",
        "cpu0",
        25.0,
    ),
    (
        "prod/checkout: containers (Container Insights)",
        "memory0",
        75.0,
    ),
    // p99 of ten samples by nearest rank is the largest; 2 + 1 faults
    (
        "checkout: traced latency p99 and faults (Application Signals)",
        "lat",
        900.0,
    ),
    (
        "checkout: traced latency p99 and faults (Application Signals)",
        "fault",
        3.0,
    ),
    (
        "checkout: dependency latency p99 (Application Signals)",
        "r0",
        250.0,
    ),
];

fn assert_expected(title: &str, values: &BTreeMap<String, Option<f64>>, seen: &mut Vec<String>) {
    for (t, id, want) in EXPECTED.iter().filter(|(t, ..)| *t == title) {
        let got = values.get(*id).copied().flatten();
        assert!(
            got.is_some_and(|g| (g - want).abs() < 1e-9),
            "{t} {id}: {got:?}, want {want}"
        );
        seen.push(format!("{t}/{id}"));
    }
}

fn assert_all_expected_seen(mut seen: Vec<String>) {
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), EXPECTED.len(), "panels checked: {seen:?}");
}

#[test]
fn every_cloudwatch_metric_widget_reads_published_metrics_and_shows_the_worked_value() {
    let fixture = metrics_fixture();
    let mut seen = Vec::new();
    let mut widgets = 0;
    for (dashboard, body) in cloudwatch_dashboards() {
        for w in body["widgets"].as_array().unwrap() {
            if w["type"] != "metric" {
                continue;
            }
            widgets += 1;
            let title = w["properties"]["title"].as_str().unwrap();
            let values = cloudwatch_widget(w, &fixture)
                .unwrap_or_else(|e| panic!("{dashboard}: {title}: {e}"));
            // Everything a widget draws has a value over the fixture.
            for entry in w["properties"]["metrics"].as_array().unwrap() {
                let options = entry.as_array().unwrap().last().unwrap();
                if options["visible"] != false {
                    let id = options["id"].as_str().unwrap();
                    assert!(
                        values[id].is_some(),
                        "{dashboard}: {title}: {id} has no value"
                    );
                }
            }
            assert_expected(title, &values, &mut seen);
            // The SLO's own panels: 5 bad of 1,000 requests in the window.
            if title == "checkout-availability: SLI over 30d" {
                assert!((values["shown"].unwrap() - 0.995).abs() < 1e-12);
            }
            if title == "Latency" {
                // p50, p90, p99 of ten samples by nearest rank
                assert_eq!(values["l0"], Some(0.5));
                assert_eq!(values["l1"], Some(0.9));
                assert_eq!(values["l2"], Some(2.0));
            }
        }
    }
    assert!(widgets >= 15, "{widgets} metric widgets");
    assert_all_expected_seen(seen);
}

#[test]
fn a_widget_naming_a_dimension_the_service_does_not_publish_reads_nothing() {
    // The check above is only as good as its failure: ECS publishes task counts per cluster
    // and service, so the same metric under the cluster alone is not found.
    let fixture = metrics_fixture();
    let only_cluster = [("ClusterName".to_owned(), "prod".to_owned())].into();
    let err = read(
        &fixture,
        "ECS/ContainerInsights",
        "RunningTaskCount",
        &only_cluster,
        "Maximum",
        60,
    )
    .unwrap_err();
    assert!(err.contains("RunningTaskCount"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Logs Insights

/// What each logs panel returns over the fixture, by title.
fn assert_logs_panel(title: &str, rows: &[Row]) -> bool {
    match title {
        "Recent errors (logs)" => {
            // newest first: the JSON error, the timeout, Python's traceback, Node's Invoke
            // Error; not `errors=0`, `terror-alerts`, `ErrorCount`, START/END/REPORT
            assert_eq!(
                column(rows, "@timestamp"),
                [
                    "1733393220000",
                    "1733393160000",
                    "1733393100000",
                    "1733392802000"
                ],
                "{title}"
            );
        }
        "Error lines per 5 minutes" => {
            // 10:00–10:05 one (Node), 10:05–10:10 three
            assert_eq!(column(rows, "errors"), ["1", "3"], "{title}");
            assert_eq!(
                column(rows, "bin"),
                ["1733392800000", "1733393100000"],
                "{title}"
            );
        }
        "Recent deploys (CloudTrail)" => {
            // newest first; the forced redeploy kept, Application Auto Scaling's scaling step,
            // App Runner's UpdateService and ECS's DescribeServices left out, the denied
            // UpdateService kept with its error code
            assert_eq!(
                column(rows, "eventName"),
                [
                    "UpdateService",
                    "UpdateStack",
                    "UpdateService",
                    "UpdateFunctionCode20150331v2",
                    "UpdateService"
                ],
                "{title}"
            );
            assert_eq!(
                column(rows, "eventID"),
                ["e8", "e6", "e5", "e2", "e1"],
                "{title}"
            );
            assert_eq!(
                column(rows, "errorCode"),
                ["", "", "AccessDenied", "", ""],
                "{title}"
            );
            assert_eq!(
                column(rows, "userIdentity.arn")[0],
                "arn:aws:sts::123456789012:assumed-role/deployer/ci"
            );
        }
        "checkout-db: slowest queries" => {
            // by duration as a number: 12003.5 > 2210.0 > 950.204 (as text, 950.204 would lead)
            assert_eq!(
                column(rows, "duration_ms"),
                ["12003.5", "2210.0", "950.204"],
                "{title}"
            );
        }
        "orders-db: slowest queries" => {
            assert_eq!(
                column(rows, "query_time"),
                ["12.500000", "8.000311"],
                "{title}"
            );
        }
        _ => return false,
    }
    true
}

const LOGS_PANELS: usize = 5;

#[test]
fn every_cloudwatch_logs_widget_returns_the_worked_rows() {
    let logs = logs_fixture();
    let mut checked = Vec::new();
    for (dashboard, body) in cloudwatch_dashboards() {
        for w in body["widgets"].as_array().unwrap() {
            if w["type"] != "log" {
                continue;
            }
            let title = w["properties"]["title"].as_str().unwrap();
            let query = w["properties"]["query"].as_str().unwrap();
            let rows = run_query(query, Vec::new(), &logs);
            assert!(
                assert_logs_panel(title, &rows),
                "{dashboard}: logs widget {title} has no worked answer"
            );
            checked.push(title.to_owned());
        }
    }
    assert_eq!(checked.len(), LOGS_PANELS, "{checked:?}");
}

#[test]
fn the_error_filter_is_case_blind_and_word_bounded() {
    let logs = BTreeMap::from([(
        "g".to_owned(),
        [
            "Error: boom",
            "WARN retrying",
            "mirror errored",
            "RuntimeException",
            "0 errors",
        ]
        .iter()
        .enumerate()
        .map(|(i, m)| Event {
            time: i as i64,
            message: (*m).to_owned(),
        })
        .collect(),
    )]);
    let rows = run_query(
        &format!("filter @message like {}", cloudwatch::ERROR_PATTERN),
        vec!["g".into()],
        &logs,
    );
    assert_eq!(
        column(&rows, "@message"),
        ["Error: boom", "RuntimeException"]
    );
}

// ---------------------------------------------------------------------------------------------
// Deploy annotations and bad input

#[test]
fn deploys_are_marked_on_every_time_series_of_the_executive_and_on_call_dashboards() {
    let mut marked = 0;
    for (name, body) in cloudwatch_dashboards() {
        for w in body["widgets"].as_array().unwrap() {
            if w["type"] != "metric" || w["properties"]["view"] != "timeSeries" {
                continue;
            }
            let marks = &w["properties"]["annotations"]["vertical"];
            if name.ends_with("-debug") {
                assert!(marks.is_null(), "{name}");
            } else {
                assert_eq!(marks[0]["value"], "2024-12-05T10:01:40Z", "{name}");
                assert!(marks[0]["label"].as_str().unwrap().contains("d-42"));
                marked += 1;
            }
        }
    }
    assert!(marked >= 5, "{marked}");
}

#[test]
fn bad_dashboard_options_are_typed_errors_naming_the_value() {
    let cases = [
        (
            DashboardOptions::new().with_log_group("/aws/lambda/check out"),
            "check out",
        ),
        (DashboardOptions::new().with_log_group(""), "\"\""),
        (
            DashboardOptions::new().with_ecs_service("prod", "${AWS::Region}"),
            "${AWS::Region}",
        ),
        (
            DashboardOptions::new().with_lambda_function(""),
            "FunctionName",
        ),
        (
            DashboardOptions::new().with_deploys(std::iter::repeat_n(
                deploy(),
                cloudwatch::MAX_DEPLOY_ANNOTATIONS + 1,
            )),
            "101 deploys",
        ),
        (
            (0..=cloudwatch::MAX_PER_OPTION).fold(DashboardOptions::new(), |o, i| {
                o.with_log_group(format!("/aws/lambda/f{i}"))
            }),
            "51 entries",
        ),
        (
            DashboardOptions::new().with_deploys([Deploy::new(
                "d-${AWS::AccountId}",
                "ecs:prod/checkout",
                Utc.with_ymd_and_hms(2024, 12, 5, 10, 1, 40).unwrap(),
            )
            .unwrap()]),
            "d-${AWS::AccountId}",
        ),
    ];
    let compiled = compiled();
    for (options, needle) in cases {
        let err = compiled.dashboards(&options).unwrap_err();
        assert!(
            matches!(err.problem, CompileProblem::InvalidOption { .. }),
            "{err}"
        );
        assert!(
            err.to_string().contains(needle),
            "{err} should name {needle}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Grafana: the same AWS panels through the CloudWatch data source, and the Kubernetes panels
// through promtool

/// The checkout SLOs of the Prometheus example, compiled.
#[cfg(feature = "openslo")]
fn prometheus_compiled() -> slo_compiler::prometheus::Compiled {
    use sli_core::openslo::{Mode, parse};
    use slo_compiler::prometheus::{Options, compile, specs_from_openslo};
    let import = parse(
        include_str!("data/checkout.prometheus.openslo.yaml"),
        Mode::Strict,
    )
    .unwrap();
    compile(
        &specs_from_openslo(&import.slos).unwrap(),
        &Options::default(),
    )
    .unwrap()
}

#[cfg(feature = "openslo")]
fn grafana_dashboards() -> Vec<slo_compiler::prometheus::GrafanaDashboard> {
    use slo_compiler::prometheus::GrafanaOptions;
    prometheus_compiled()
        .dashboards(
            &GrafanaOptions::default()
                .with_aws_panels(aws_options())
                .with_kubernetes_deployment("prod", "checkout"),
        )
        .unwrap()
}

#[cfg(feature = "openslo")]
fn grafana_panels() -> Vec<(String, Value)> {
    grafana_dashboards()
        .into_iter()
        .flat_map(|d| {
            let uid = d.uid.clone();
            d.json["panels"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |p| (uid.clone(), p.clone()))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(feature = "openslo")]
#[test]
fn every_grafana_cloudwatch_panel_reads_published_metrics_and_shows_the_worked_value() {
    let (fixture, logs) = (metrics_fixture(), logs_fixture());
    let (mut seen, mut logs_checked) = (Vec::new(), 0);
    for (uid, p) in grafana_panels() {
        if p["datasource"]["type"] != "cloudwatch" {
            continue;
        }
        let title = p["title"].as_str().unwrap();
        let target = &p["targets"][0];
        if target["queryMode"] == "Logs" {
            let groups = target["logGroupNames"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g.as_str().unwrap().to_owned())
                .collect();
            let rows = run_query(target["expression"].as_str().unwrap(), groups, &logs);
            assert!(assert_logs_panel(title, &rows), "{uid}: {title}");
            logs_checked += 1;
            continue;
        }
        let values = grafana_cloudwatch_panel(&p, &fixture)
            .unwrap_or_else(|e| panic!("{uid}: {title}: {e}"));
        for t in p["targets"].as_array().unwrap() {
            if t["hide"] != true {
                let id = t["id"].as_str().unwrap();
                assert!(values[id].is_some(), "{uid}: {title}: {id} has no value");
            }
        }
        assert_expected(title, &values, &mut seen);
    }
    assert_all_expected_seen(seen);
    assert_eq!(logs_checked, LOGS_PANELS);
}

/// Kubernetes series as kube-state-metrics and the kubelet's cAdvisor export them
/// (<https://github.com/kubernetes/kube-state-metrics/tree/main/docs/metrics>,
/// <https://kubernetes.io/docs/reference/instrumentation/metrics/>), over ten minutes, with a
/// second Deployment (`checkout-worker`) and a CronJob named like the Deployment whose pods
/// must not be read, and the pod-level cgroup series (`container=""`) that would double the
/// containers' sum.
#[cfg(feature = "openslo")]
const KUBE_SERIES: &[(&str, &str)] = &[
    (
        r#"kube_deployment_spec_replicas{namespace="prod",deployment="checkout"}"#,
        "4+0x10",
    ),
    (
        r#"kube_deployment_status_replicas_available{namespace="prod",deployment="checkout"}"#,
        "3+0x10",
    ),
    (
        r#"kube_deployment_spec_replicas{namespace="prod",deployment="checkout-worker"}"#,
        "9+0x10",
    ),
    (
        r#"container_cpu_usage_seconds_total{namespace="prod",pod="checkout-5d4f7c9b8-x2k9p",container="app"}"#,
        "0+30x10",
    ),
    (
        r#"container_cpu_usage_seconds_total{namespace="prod",pod="checkout-5d4f7c9b8-x2k9p",container=""}"#,
        "0+60x10",
    ),
    (
        r#"container_cpu_usage_seconds_total{namespace="prod",pod="checkout-worker-7c9d8f6b5-abcde",container="app"}"#,
        "0+120x10",
    ),
    (
        r#"container_memory_working_set_bytes{namespace="prod",pod="checkout-5d4f7c9b8-x2k9p",container="app"}"#,
        "268435456+0x10",
    ),
    // a CronJob named like the Deployment: its pods share the prefix, a Job owns them
    (
        r#"container_cpu_usage_seconds_total{namespace="prod",pod="checkout-28391234-q7xzk",container="report"}"#,
        "0+240x10",
    ),
    (
        r#"kube_pod_owner{namespace="prod",pod="checkout-28391234-q7xzk",owner_kind="Job",owner_name="checkout-28391234"}"#,
        "1+0x10",
    ),
    // the owners kube-state-metrics reports
    (
        r#"kube_pod_owner{namespace="prod",pod="checkout-5d4f7c9b8-x2k9p",owner_kind="ReplicaSet",owner_name="checkout-5d4f7c9b8"}"#,
        "1+0x10",
    ),
    (
        r#"kube_pod_owner{namespace="prod",pod="checkout-worker-7c9d8f6b5-abcde",owner_kind="ReplicaSet",owner_name="checkout-worker-7c9d8f6b5"}"#,
        "1+0x10",
    ),
    (
        r#"kube_pod_container_status_restarts_total{namespace="prod",pod="checkout-5d4f7c9b8-x2k9p",container="app"}"#,
        "0+0x5 1+0x5",
    ),
    // promtool's clock starts at 0: a rollout at 9 minutes, the one before at 0, and the
    // worker's at 9 minutes 10 seconds
    (
        r#"kube_replicaset_created{namespace="prod",replicaset="checkout-5d4f7c9b8"}"#,
        "540+0x10",
    ),
    (
        r#"kube_replicaset_created{namespace="prod",replicaset="checkout-6c8b7a9d4"}"#,
        "0+0x10",
    ),
    (
        r#"kube_replicaset_created{namespace="prod",replicaset="checkout-worker-7c9d8f6b5"}"#,
        "550+0x10",
    ),
];

/// What each Kubernetes query returns at ten minutes, worked out by hand: (title or
/// annotation, legend, labels, value).
#[cfg(feature = "openslo")]
const KUBE_EXPECTED: &[(&str, &str, &str, f64)] = &[
    (
        "checkout: replicas (scaling events)",
        "desired",
        r#"kube_deployment_spec_replicas{namespace="prod",deployment="checkout"}"#,
        4.0,
    ),
    (
        "checkout: replicas (scaling events)",
        "available",
        r#"kube_deployment_status_replicas_available{namespace="prod",deployment="checkout"}"#,
        3.0,
    ),
    // 30 CPU-seconds a minute is half a core; the pod cgroup, the worker and the CronJob left out
    (
        "checkout: container CPU (cores)",
        "{{pod}}",
        r#"{pod="checkout-5d4f7c9b8-x2k9p"}"#,
        0.5,
    ),
    (
        "checkout: container memory (working set)",
        "{{pod}}",
        r#"{pod="checkout-5d4f7c9b8-x2k9p"}"#,
        268_435_456.0,
    ),
    // one restart within the hour
    (
        "checkout: container restarts per hour",
        "{{pod}}",
        r#"{pod="checkout-5d4f7c9b8-x2k9p"}"#,
        1.0,
    ),
    // at ten minutes only the rollout of a minute ago is marked (its creation time)
    ("Deploys", "", r#"{replicaset="checkout-5d4f7c9b8"}"#, 540.0),
];

#[cfg(feature = "openslo")]
#[test]
fn the_kubernetes_panels_and_deploy_annotation_read_the_fixture_series_under_promtool() {
    use std::process::Command;
    let dashboards = grafana_dashboards();
    // (title, legend, expr) of every Kubernetes query
    let mut queries = Vec::new();
    for d in &dashboards {
        for p in d.json["panels"].as_array().unwrap() {
            for t in p["targets"].as_array().unwrap() {
                if let Some(expr) = t["expr"]
                    .as_str()
                    .filter(|e| e.contains("kube_") || e.contains("container_"))
                {
                    queries.push((
                        p["title"].as_str().unwrap().to_owned(),
                        t["legendFormat"].as_str().unwrap_or_default().to_owned(),
                        expr.to_owned(),
                    ));
                }
            }
        }
        for a in d.json["annotations"]["list"].as_array().unwrap() {
            queries.push((
                "Deploys".into(),
                String::new(),
                a["expr"].as_str().unwrap().to_owned(),
            ));
        }
    }
    queries.sort();
    queries.dedup();
    let tests: Vec<Value> = KUBE_EXPECTED
        .iter()
        .map(|(title, legend, labels, value)| {
            let (_, _, expr) = queries
                .iter()
                .find(|(t, l, _)| t == title && l == legend)
                .unwrap_or_else(|| panic!("no query {title} / {legend}: {queries:?}"));
            serde_json::json!({"expr": expr, "eval_time": "10m",
                               "exp_samples": [{"labels": labels, "value": value}]})
        })
        .collect();
    assert_eq!(
        tests.len(),
        queries.len(),
        "every Kubernetes query has a worked answer: {queries:?}"
    );
    let file = serde_json::json!({
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": KUBE_SERIES.iter().map(|(series, values)| serde_json::json!({"series": series, "values": values})).collect::<Vec<_>>(),
            "promql_expr_test": tests,
        }],
    });
    let Some(promtool) = std::env::var_os("PROMTOOL") else {
        eprintln!(
            "SKIPPED the Kubernetes panels under promtool: PROMTOOL is not set (run `bash scripts/test.sh`)"
        );
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard_panels");
    std::fs::create_dir_all(&dir).unwrap();
    // JSON is YAML: promtool reads the test file as it is.
    std::fs::write(dir.join("kube.test.yml"), file.to_string()).unwrap();
    let out = Command::new(&promtool)
        .args(["test", "rules", "kube.test.yml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The check fails when a panel's answer is off: the CPU panel without its container
    // filter would sum the pod cgroup too (1.5 cores).
    let mut wrong = file.clone();
    let cpu = wrong["tests"][0]["promql_expr_test"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["expr"].as_str().unwrap().contains("container_cpu"))
        .unwrap();
    cpu["expr"] = Value::String(
        cpu["expr"]
            .as_str()
            .unwrap()
            .replace(r#",container!="""#, ""),
    );
    std::fs::write(dir.join("wrong.test.yml"), wrong.to_string()).unwrap();
    let out = Command::new(&promtool)
        .args(["test", "rules", "wrong.test.yml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// The executive and on-call dashboards' active-incidents table reads `ALERTS` of the service:
/// under promtool, with the compiled rules and a total outage after an hour of clean traffic,
/// it lists the availability SLO's page; before the outage it lists no page, only the tickets
/// of the SLOs whose metrics are absent.
#[cfg(feature = "openslo")]
#[test]
fn the_active_incidents_table_lists_the_firing_slo_alerts_under_promtool() {
    use std::process::Command;
    let compiled = prometheus_compiled();
    let mut tables = Vec::new();
    for d in grafana_dashboards() {
        for p in d.json["panels"].as_array().unwrap() {
            if p["type"] == "table" && p["datasource"]["type"] == "prometheus" {
                tables.push(p["targets"][0]["expr"].as_str().unwrap().to_owned());
            }
        }
    }
    tables.dedup();
    assert_eq!(tables.len(), 1, "one active-incidents query: {tables:?}");
    let firing = &tables[0];
    let Some(promtool) = std::env::var_os("PROMTOOL") else {
        eprintln!(
            "SKIPPED the active-incidents table under promtool: PROMTOOL is not set (run `bash scripts/test.sh`)"
        );
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("dashboard_incidents");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut rule_files = Vec::new();
    for (name, yaml) in compiled.files_yaml() {
        std::fs::write(dir.join(&name), yaml).unwrap();
        rule_files.push(name);
    }
    let test = |at: &str, expr: String, samples: Value| serde_json::json!({"expr": expr, "eval_time": at, "exp_samples": samples});
    let file = serde_json::json!({
        "rule_files": rule_files,
        "evaluation_interval": "1m",
        "tests": [{
            "interval": "1m",
            "input_series": [
                {"series": r#"checkout_requests_total{job="checkout"}"#, "values": "0+100x80"},
                {"series": r#"checkout_request_errors_total{job="checkout"}"#, "values": "0+0x60 100+100x20"},
            ],
            "promql_expr_test": [
                // an hour of clean traffic: no page; the two SLOs whose series this test does
                // not feed are listed as tickets for their absent metrics
                test(
                    "59m",
                    format!("absent({},sloth_severity=\"page\"}})", firing.strip_suffix('}').unwrap()),
                    serde_json::json!([{"labels": r#"{alertstate="firing",sloth_service="checkout",sloth_severity="page"}"#, "value": 1}]),
                ),
                test(
                    "59m",
                    format!("count by (alertname, sloth_slo) ({firing})"),
                    serde_json::json!([
                        {"labels": r#"{alertname="SLOMetricAbsent",sloth_slo="checkout-latency"}"#, "value": 1},
                        {"labels": r#"{alertname="SLOMetricAbsent",sloth_slo="payments-availability"}"#, "value": 1},
                    ]),
                ),
                // after fifteen minutes of outage the availability SLO's alerts are listed, a
                // page among them (the latency SLO has no input and stays quiet)
                test(
                    "75m",
                    format!(
                        "count by (sloth_slo, sloth_severity) ({},sloth_severity=\"page\"}}) > bool 0",
                        firing.strip_suffix('}').unwrap()
                    ),
                    serde_json::json!([{"labels": r#"{sloth_slo="checkout-availability",sloth_severity="page"}"#, "value": 1}]),
                ),
            ],
        }],
    });
    std::fs::write(dir.join("incidents.test.yml"), file.to_string()).unwrap();
    let out = Command::new(&promtool)
        .args(["test", "rules", "incidents.test.yml"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[cfg(feature = "openslo")]
#[test]
fn a_kubernetes_name_that_is_not_a_dns_label_is_a_typed_error_naming_it() {
    use slo_compiler::prometheus::GrafanaOptions;
    let compiled = prometheus_compiled();
    for (namespace, deployment, needle) in [
        ("Prod", "checkout", "Prod"),
        ("prod", "checkout.v2", "checkout.v2"),
        ("prod", "", "\"\""),
    ] {
        let err = compiled
            .dashboards(
                &GrafanaOptions::default().with_kubernetes_deployment(namespace, deployment),
            )
            .unwrap_err();
        assert!(
            matches!(err.problem, CompileProblem::InvalidOption { .. }),
            "{err}"
        );
        assert!(
            err.to_string().contains(needle),
            "{err} should name {needle}"
        );
    }
    // and the AWS options are checked on this road too
    let err = compiled
        .dashboards(
            &GrafanaOptions::default()
                .with_aws_panels(DashboardOptions::new().with_log_group("no spaces allowed")),
        )
        .unwrap_err();
    assert!(err.to_string().contains("no spaces allowed"), "{err}");
}

#[test]
fn more_alarms_than_a_status_widget_holds_are_spread_over_several() {
    // 17 SLOs of one service, six composite alarms each: 102 alarms, two widgets.
    let specs: Vec<_> = (0..17)
        .map(|i| {
            let mut spec = alb_availability(AlertPolicy::default(), alb);
            spec.slo.name = format!("checkout-{i}");
            spec
        })
        .collect();
    let compiled = cloudwatch::compile(&specs, &CompileOptions::new()).unwrap();
    let dashboards = compiled.dashboards(&DashboardOptions::new()).unwrap();
    for d in &dashboards {
        let lists: Vec<usize> = d.body["widgets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["type"] == "alarm")
            .map(|w| w["properties"]["alarms"].as_array().unwrap().len())
            .collect();
        if d.name.ends_with("-debug") {
            assert!(lists.is_empty());
        } else {
            assert_eq!(lists, [cloudwatch::MAX_ALARMS_PER_WIDGET, 2], "{}", d.name);
        }
    }
}
