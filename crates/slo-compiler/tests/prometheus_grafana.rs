//! The Grafana dashboards of the Prometheus road, checked against what Grafana imports: every
//! field of every dashboard must survive a round trip through Grafana's own dashboard schema
//! (the `grafana-foundation-sdk` package, generated from Grafana's schema by Grafana's `cog`;
//! `tools/engines/grafana_check.py`), every panel query must parse as PromQL (`promtool check
//! rules` on the queries as rules), and every `slo:` series a panel reads must be one the
//! rules record.
//!
//! `scripts/test.sh` sets `GRAFANA_CHECK` and `PROMTOOL`; without them the external checks
//! print SKIPPED (the consistency checks run anyway).

#![cfg(feature = "openslo")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use sli_core::openslo::{Mode, parse};
use slo_compiler::cloudwatch::{DashboardOptions, SlowQueryLog};
use slo_compiler::prometheus::{GrafanaOptions, Options, compile, specs_from_openslo};

fn queries(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "expr" {
                    out.push(v.as_str().unwrap().to_owned());
                } else {
                    queries(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| queries(v, out)),
        _ => {}
    }
}

#[test]
fn dashboards_are_what_grafana_imports_and_read_recorded_series() {
    let import = parse(
        include_str!("data/checkout.prometheus.openslo.yaml"),
        Mode::Strict,
    )
    .unwrap();
    let compiled = compile(
        &specs_from_openslo(&import.slos).unwrap(),
        &Options::default(),
    )
    .unwrap();
    let dashboards = compiled
        .dashboards(
            &GrafanaOptions::default()
                .with_latency_histogram("http_request_duration_seconds")
                // the AWS panels (CloudWatch data source) and the Kubernetes ones, whose
                // queries `dashboard_panels.rs` runs over fixtures; here Grafana's schema
                // must take them
                .with_aws_panels(
                    DashboardOptions::new()
                        .with_db_instance("checkout-db")
                        .with_slow_query_log("checkout-db", SlowQueryLog::Postgres)
                        .with_log_group("/aws/eks/prod/checkout")
                        .with_cloudtrail_log_group("/aws/cloudtrail/management")
                        .with_application_signals("checkout", "eks:prod/default")
                        .with_remote_service("payments"),
                )
                .with_kubernetes_deployment("prod", "checkout"),
        )
        .unwrap();
    assert_eq!(
        dashboards
            .iter()
            .map(|d| d.uid.as_str())
            .collect::<Vec<_>>(),
        [
            "slo-checkout-executive",
            "slo-checkout-oncall",
            "slo-checkout-debug"
        ]
    );
    // Every slo: series a panel reads is recorded by the rules.
    let rules: String = compiled.files().iter().map(|f| f.to_yaml()).collect();
    let recorded: BTreeSet<&str> = rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- record: "))
        .collect();
    let mut all = Vec::new();
    for d in &dashboards {
        queries(&d.json, &mut all);
    }
    assert!(all.len() > 20, "{}", all.len());
    for q in &all {
        for word in q.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '_')) {
            if word.starts_with("slo:") {
                assert!(
                    recorded.contains(word),
                    "{word} is read by a panel but not recorded"
                );
            }
        }
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("grafana");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for d in &dashboards {
        let path = dir.join(format!("{}.json", d.uid));
        std::fs::write(&path, serde_json::to_string_pretty(&d.json).unwrap()).unwrap();
        files.push(path);
    }
    match std::env::var_os("PROMTOOL") {
        None => eprintln!("SKIPPED the panel queries' PromQL check: PROMTOOL is not set"),
        Some(promtool) => {
            let rules = format!(
                "groups:\n  - name: panels\n    rules:\n{}",
                all.iter()
                    .enumerate()
                    .map(|(i, q)| format!(
                        "      - record: dashboard:panel_{i}:query\n        expr: {}\n",
                        serde_json::Value::String(q.clone())
                    ))
                    .collect::<String>()
            );
            std::fs::write(dir.join("panels.rules.yml"), rules).unwrap();
            let out = Command::new(promtool)
                .args(["check", "rules", "panels.rules.yml"])
                .current_dir(&dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
    let Some(check) = std::env::var_os("GRAFANA_CHECK") else {
        eprintln!(
            "SKIPPED the dashboards' schema check: GRAFANA_CHECK is not set (run `bash scripts/test.sh`)"
        );
        return;
    };
    let out = Command::new(&check).args(&files).output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.matches(": OK").count(), dashboards.len(), "{text}");
    // The check sees a field Grafana's schema does not have.
    let mut odd = dashboards[0].json.clone();
    odd["panels"][0]["gridPosition"] = odd["panels"][0]["gridPos"].clone();
    let path = dir.join("odd.json");
    std::fs::write(&path, odd.to_string()).unwrap();
    let out = Command::new(&check).arg(&path).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("gridPosition"));
}
