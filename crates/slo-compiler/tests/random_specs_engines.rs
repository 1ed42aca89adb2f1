//! Random but valid SLO specs, compiled for both engines and handed to the engines' own tools:
//! every rule file to `promtool check rules`, every Alertmanager configuration to
//! `amtool check-config`, every CloudFormation template to `cfn-lint`, every Grafana
//! dashboard to Grafana's schema. The specs are what a user may legally write: names with
//! unicode, quotes, colons and backslashes, long names, objectives from 0.98 to 0.99999999 and a few
//! at the edge of what a double holds,
//! rolling windows of an hour to 90 days, calendar windows in zones with odd offsets,
//! latency thresholds, sustain rules, a release gate, maintenance windows, owners and
//! runbooks. A spec the compiler accepts must give output the engine accepts, and no spec may
//! make it panic (a refusal is a typed error, which is fine).
//!
//! The specs come from proptest's strategies drawn with a fixed seed, so a run is
//! reproducible (`RANDOM_SPECS_SEED` and `RANDOM_SPECS_BATCHES` draw others, to explore); up
//! to four specs are compiled together, with random options, and the tools then run once
//! over all the files. Typed refusals are printed and counted, not failures. A spec name
//! holding `{{` was found this way (`prometheus_hostile.rs` keeps it).
//! `scripts/test.sh` installs the tools and sets `PROMTOOL`, `AMTOOL`, `CFN_LINT` and
//! `GRAFANA_CHECK`; a tool that is not set is SKIPPED with a message.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The compiler's own error type, passed through closures as it comes.
#![allow(clippy::result_large_err)]

use crate::common;
#[path = "random_specs_engines/strategies.rs"]
mod strategies;

use std::path::{Path, PathBuf};
use std::process::Command;

use aws_telemetry::{Metric, Statistic};
use common::generate;
use sli_core::{ErrorBudgetPolicy, Series};
use slo_compiler::SloSpec;
use slo_compiler::cloudwatch::{self, CompileOptions, DashboardOptions, SignalSource, TeamActions};
use slo_compiler::prometheus::{
    self, AlertmanagerOptions, GrafanaOptions, Options, Query, TestCase, unit_tests,
};
use strategies::{Batch, Drawn, draw};

/// How many specs one run draws (each compiled for both engines).
const BATCHES: usize = 150;
/// How many batches also go through `promtool test rules` (each takes seconds).
const PROMTOOL_TESTS: usize = 6;

fn spec<S>(d: &Drawn, signal: S) -> SloSpec<S> {
    let mut spec = SloSpec::new(d.slo.clone(), d.policy.clone(), signal)
        .with_service(d.service.clone())
        .with_routing(d.routing.clone())
        .with_maintenance(d.maintenance.clone());
    if d.gate {
        spec = spec.with_release_gate(ErrorBudgetPolicy::default().release_gate().unwrap());
    }
    spec
}

/// Counters of their own for spec `j` of a batch (`slo="j"`), so that a promtool test of
/// one SLO moves no other SLO's alerts, with `=` matchers only, from which the tests derive
/// their input series.
fn prometheus_spec(j: usize, d: &Drawn) -> prometheus::Spec {
    let counter = |name: &str, extra: &str| {
        Query::counter(&format!(r#"{name}{{slo="{j}"{extra}}}"#)).unwrap()
    };
    let total = counter("requests_total", "");
    let signal = if let Some(threshold) = d.latency {
        prometheus::Signal::Good {
            good: counter(
                "request_duration_seconds_bucket",
                &format!(r#",le="{threshold}""#),
            ),
            total,
        }
    } else if d.good {
        prometheus::Signal::Good {
            good: counter("good_total", ""),
            total,
        }
    } else {
        prometheus::Signal::Bad {
            bad: counter("errors_total", ""),
            total,
        }
    };
    spec(d, signal)
}

fn cloudwatch_spec(d: &Drawn) -> cloudwatch::Spec {
    let alb = |name: &str| SignalSource::Metric {
        metric: Metric::new("AWS/ApplicationELB", name)
            .unwrap()
            .with_dimension("LoadBalancer", "app/checkout/50dc6c495c0c9188")
            .unwrap(),
        stat: Statistic::Sum,
    };
    let signal = if d.good {
        cloudwatch::Signal::Good {
            good: alb("HTTPCode_Target_2XX_Count"),
            total: alb("RequestCount"),
        }
    } else {
        cloudwatch::Signal::Bad {
            bad: alb("HTTPCode_Target_5XX_Count"),
            total: alb("RequestCount"),
        }
    };
    spec(d, signal)
}

fn tool(var: &str) -> Option<PathBuf> {
    let path = std::env::var_os(var).map(PathBuf::from);
    if path.is_none() {
        eprintln!(
            "SKIPPED the {var} checks of random specs: {var} is not set (run `bash scripts/test.sh`, which installs it)"
        );
    }
    path
}

/// Runs `tool args… files…` once over the batch (each tool takes many files and names the
/// one it refuses); its output when it fails.
fn refused(tool: &Path, args: &[&str], files: &[PathBuf]) -> Option<String> {
    refused_in(tool, Path::new("."), args, files)
}

/// [`refused`], run in `dir`.
fn refused_in(tool: &Path, dir: &Path, args: &[&str], files: &[PathBuf]) -> Option<String> {
    if files.is_empty() {
        return None;
    }
    let out = Command::new(tool)
        .args(args)
        .args(files)
        .current_dir(dir)
        .output()
        .unwrap();
    (!out.status.success()).then(|| {
        format!(
            "{} {}:\n{}{}",
            tool.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Compiles each spec for both engines (a panic is a failure naming the spec) and writes
/// what comes out; the files each tool must accept.
#[derive(Default)]
struct Outputs {
    rules: Vec<PathBuf>,
    tests: Vec<PathBuf>,
    alertmanager: Vec<PathBuf>,
    templates: Vec<PathBuf>,
    dashboards: Vec<PathBuf>,
}

/// Runs `f`, failing with the spec when it panics.
fn no_panic<T>(what: &str, i: usize, d: &Batch, f: impl FnOnce() -> T) -> T {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| panic!("{what} panicked on batch {i}: {d:#?}"))
}

fn prometheus_options(b: &Batch) -> (Options, AlertmanagerOptions) {
    let options = Options::new()
        .with_max_rules_per_group(b.max_rules_per_group)
        .with_max_file_bytes(b.max_file_bytes)
        .with_budget_interval(b.budget_interval)
        .with_absent_for(b.absent_for);
    let (page, ticket, gate, default) = b.receivers.clone();
    let alertmanager = AlertmanagerOptions::new()
        .with_receivers(page, ticket)
        .with_gate_receiver(gate)
        .with_default_receiver(default)
        .with_repeat(b.repeats.0.clone(), b.repeats.1.clone());
    (options, alertmanager)
}

fn cloudwatch_options(b: &Batch) -> CompileOptions {
    let mut options = CompileOptions::new()
        .with_page_actions(["arn:aws:sns:us-east-1:123456789012:page"])
        .with_ticket_actions(["arn:aws:sns:us-east-1:123456789012:ticket"]);
    if b.published {
        options = options.with_published("SLO/Published");
    }
    if b.teams {
        for owner in b.specs.iter().filter_map(|d| d.routing.owner.clone()) {
            let topic = |kind: &str| format!("arn:aws:sns:us-east-1:123456789012:{owner}-{kind}");
            options = options.with_team_actions(
                owner.clone(),
                TeamActions::new([topic("page")], [topic("ticket")]),
            );
        }
    }
    options
}

fn compile_all(batches: &[Batch], dir: &Path) -> (Outputs, Vec<String>) {
    let mut out = Outputs::default();
    // Typed refusals are allowed (a name too long for a Grafana uid, a window CloudWatch cannot
    // look back over): counted, and printed, so that a run shows what it did not check.
    let mut refusals = Vec::new();
    for (i, b) in batches.iter().enumerate() {
        let (options, alertmanager) = prometheus_options(b);
        let specs: Vec<_> = b
            .specs
            .iter()
            .enumerate()
            .map(|(j, d)| prometheus_spec(j, d))
            .collect();
        let compiled = no_panic("prometheus::compile", i, b, || {
            prometheus::compile(&specs, &options)
        });
        match compiled {
            Ok(compiled) => {
                let files = no_panic("files_yaml", i, b, || compiled.files_yaml());
                for (name, text) in &files {
                    out.rules.push(write(dir, &format!("{i}-{name}"), text));
                }
                // Each SLO through an incident: promtool's alerts must be sli-core's (for the
                // first few batches: promtool takes seconds a test).
                if out.tests.len() < PROMTOOL_TESTS {
                    let names: Vec<String> =
                        files.iter().map(|(n, _)| format!("{i}-{n}")).collect();
                    let names: Vec<&str> = names.iter().map(String::as_str).collect();
                    let counts: Vec<_> = (0..b.specs.len())
                        .map(|j| Series::from_counts(generate((i * 8 + j) as u64, 240)).unwrap())
                        .collect();
                    let cases: Vec<_> = counts
                        .iter()
                        .enumerate()
                        .map(|(j, counts)| TestCase::new(format!("{i}-{j}"), j, counts))
                        .collect();
                    match no_panic("unit_tests", i, b, || unit_tests(&compiled, &names, &cases)) {
                        Ok(text) => out.tests.push(write(dir, &format!("{i}.test.yml"), &text)),
                        Err(e) => refusals.push(format!("{i} unit tests: {e}")),
                    }
                }
                match no_panic("alertmanager", i, b, || {
                    compiled.alertmanager(&alertmanager)
                }) {
                    Ok(config) => {
                        out.alertmanager
                            .push(write(dir, &format!("{i}-alertmanager.yml"), &config))
                    }
                    Err(e) => refusals.push(format!("{i} alertmanager: {e}")),
                }
                match no_panic("dashboards", i, b, || {
                    compiled.dashboards(&GrafanaOptions::default())
                }) {
                    Ok(dashboards) => {
                        let mut exprs = Vec::new();
                        for (j, dashboard) in dashboards.iter().enumerate() {
                            let text = serde_json::to_string_pretty(&dashboard.json).unwrap();
                            out.dashboards.push(write(
                                dir,
                                &format!("{i}-{j}-dashboard.json"),
                                &text,
                            ));
                            // As JSON strings, which YAML reads as they are.
                            exprs.extend(
                                common::dashboard_exprs(&dashboard.json)
                                    .iter()
                                    .map(|e| serde_json::Value::from(e.as_str()).to_string()),
                            );
                        }
                        // The panels' PromQL, as promtool parses it: one recording rule each.
                        let rules: String = exprs
                            .iter()
                            .enumerate()
                            .map(|(n, e)| {
                                format!("      - record: dashboard_expr_{n}\n        expr: {e}\n")
                            })
                            .collect();
                        let text = format!("groups:\n  - name: dashboards\n    rules:\n{rules}");
                        out.rules
                            .push(write(dir, &format!("{i}-dashboard-exprs.yml"), &text));
                    }
                    Err(e) => refusals.push(format!("{i} grafana: {e}")),
                }
            }
            Err(e) => refusals.push(format!("{i} prometheus: {e}")),
        }
        // The batch, and each spec alone when the batch is refused (CloudWatch refuses more
        // than Prometheus: sustain rules, windows past an alarm's look-back).
        let specs: Vec<_> = b.specs.iter().map(cloudwatch_spec).collect();
        let mut units = vec![specs];
        let template = |unit: &[cloudwatch::Spec]| {
            no_panic("cloudwatch::compile", i, b, || {
                let compiled = cloudwatch::compile(unit, &cloudwatch_options(b))?;
                let dashboards = compiled.dashboards(&DashboardOptions::default())?;
                compiled.cloudformation(&dashboards)
            })
        };
        while let Some(unit) = units.pop() {
            match template(&unit) {
                Ok(template) => {
                    let text = serde_json::to_string_pretty(&template).unwrap();
                    let n = out.templates.len();
                    out.templates
                        .push(write(dir, &format!("{i}-{n}-template.json"), &text));
                }
                Err(e) if unit.len() > 1 => {
                    refusals.push(format!("{i} cloudwatch: {e}"));
                    units.extend(unit.into_iter().map(|s| vec![s]));
                }
                Err(e) => refusals.push(format!("{i} cloudwatch: {e}")),
            }
        }
    }
    (out, refusals)
}

#[test]
fn random_valid_specs_give_output_the_engines_accept() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("random_specs_engines");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let seed = std::env::var("RANDOM_SPECS_SEED").map_or(1, |s| s.parse().unwrap());
    let count = std::env::var("RANDOM_SPECS_BATCHES").map_or(BATCHES, |s| s.parse().unwrap());
    let drawn = draw(count, seed);
    let (out, refusals) = compile_all(&drawn, &dir);
    eprintln!(
        "{} batches: {} rule files, {} promtool tests, {} Alertmanager configurations, {} templates, {} dashboards; {} typed refusals:\n{}",
        drawn.len(),
        out.rules.len(),
        out.tests.len(),
        out.alertmanager.len(),
        out.templates.len(),
        out.dashboards.len(),
        refusals.len(),
        refusals.join("\n")
    );
    // Refusals are allowed, not the rule: a compiler that refused most specs would leave the
    // engines nothing to check and this test nothing to prove. Rules for at least half the
    // batches (Prometheus refuses least), as many dashboards as batches (every service name
    // gets a uid; a batch compiled to rules has three boards a service: 357 from 150 batches
    // on seed 1, 78 when long and non-ASCII names were refused), the other outputs for at
    // least a tenth (CloudWatch refuses long windows), and promtool tests once there are
    // batches to make them from.
    let n = drawn.len();
    let floors = [
        ("rule files", out.rules.len(), n / 2),
        (
            "Alertmanager configurations",
            out.alertmanager.len(),
            n / 10,
        ),
        ("templates", out.templates.len(), n / 10),
        ("dashboards", out.dashboards.len(), n),
        ("promtool tests", out.tests.len(), usize::from(n >= 8)),
    ];
    for (what, made, floor) in floors {
        assert!(
            made >= floor,
            "only {made} {what} from {n} batches (at least {floor} expected)"
        );
    }
    let mut failures = Vec::new();
    if let Some(promtool) = tool("PROMTOOL") {
        failures.extend(refused(&promtool, &["check", "rules"], &out.rules));
        // The tests name their rule files relative to the directory they run in.
        let tests: Vec<PathBuf> = out
            .tests
            .iter()
            .map(|t| PathBuf::from(t.file_name().unwrap()))
            .collect();
        failures.extend(refused_in(&promtool, &dir, &["test", "rules"], &tests));
    }
    if let Some(amtool) = tool("AMTOOL") {
        failures.extend(refused(&amtool, &["check-config"], &out.alertmanager));
    }
    if let Some(cfn_lint) = tool("CFN_LINT") {
        failures.extend(refused(&cfn_lint, &["--"], &out.templates));
    }
    if let Some(grafana) = tool("GRAFANA_CHECK") {
        failures.extend(refused(&grafana, &[], &out.dashboards));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
