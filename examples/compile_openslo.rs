//! Compiles an OpenSLO v1 file for CloudWatch or Prometheus; prints one line per SLO on
//! stderr. A file it cannot accept exits non-zero with the document, field, line and column.
//!
//! Run: `cargo run -p sre-examples --example compile_openslo -- docs/examples/checkout.openslo.yaml`
//! or `… -- --engine prometheus docs/examples/checkout.prometheus.openslo.yaml`
//!
//! Options:
//! * `--engine cloudwatch` (default): one CloudFormation template (JSON) on stdout with the
//!   burn-rate alarms and the executive, on-call and debug dashboards (past 500 resources,
//!   CloudFormation's limit per stack, a JSON array of templates).
//!   * `--page-topic ARN`, `--ticket-topic ARN`: the SNS topics of the page and ticket alarms.
//!   * `--publish NAMESPACE` (default `SLO/Published`): the namespace of windows CloudWatch
//!     cannot evaluate in one alarm (over 7 days, or over a time-slice SLI), which a job must
//!     publish every minute (`slo_compiler::cloudwatch::publish_windows`); `--no-publish`
//!     refuses them instead.
//! * `--engine prometheus`: the rule file on stdout, as `promtool check rules` takes it.
//!   * `--namespace NS`: the namespace of the `PrometheusRule` manifests.
//! * `--out DIR`: every artefact as files instead of stdout. CloudWatch: `cloudformation-<n>.json`.
//!   Prometheus: `rules/` (rule files, split as the compiler splits them), `manifests/`
//!   (`PrometheusRule`s), `alertmanager.yml` (routing), `dashboards/` (Grafana), `tests/`
//!   (`promtool test rules` files: the SRE Workbook's 15 % of errors for 10 minutes and a full
//!   outage for each SLO whose queries are counters with `=` matchers, expected alerts from
//!   `sli-core`; run `promtool test rules DIR/tests/*.yml`).
//! * `--lenient`: accept what the official OpenSLO examples contain, with warnings.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{TimeDelta, TimeZone, Utc};
use sli_core::openslo::{Limits, Mode, SloDefinition, parse};
use sli_core::{EventCounts, Series};
use slo_compiler::{cloudwatch, prometheus};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    CloudWatch,
    Prometheus,
}

struct Args {
    file: String,
    mode: Mode,
    engine: Engine,
    out: Option<PathBuf>,
    cloudwatch: cloudwatch::CompileOptions,
    manifests: prometheus::ManifestOptions,
}

const USAGE: &str = "usage: compile_openslo FILE [--engine cloudwatch|prometheus] [--out DIR] [--lenient] [--page-topic ARN] [--ticket-topic ARN] [--publish NAMESPACE | --no-publish] [--namespace NS]";

fn args() -> Result<Args, String> {
    let mut file = None;
    let mut args = Args {
        file: String::new(),
        mode: Mode::Strict,
        engine: Engine::CloudWatch,
        out: None,
        cloudwatch: cloudwatch::CompileOptions::new().with_published("SLO/Published"),
        manifests: prometheus::ManifestOptions::default(),
    };
    let mut it = sre_examples::utf8_args()?.into_iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--lenient" => args.mode = Mode::Lenient,
            "--engine" => {
                args.engine = match value("--engine")?.as_str() {
                    "cloudwatch" => Engine::CloudWatch,
                    "prometheus" => Engine::Prometheus,
                    other => {
                        return Err(format!(
                            "unknown engine {other:?} (cloudwatch or prometheus)"
                        ));
                    }
                }
            }
            "--out" => args.out = Some(PathBuf::from(value("--out")?)),
            "--page-topic" => args.cloudwatch.page_actions.push(value("--page-topic")?),
            "--ticket-topic" => args
                .cloudwatch
                .ticket_actions
                .push(value("--ticket-topic")?),
            "--publish" => args.cloudwatch.published = Some(value("--publish")?),
            "--no-publish" => args.cloudwatch.published = None,
            "--namespace" => args.manifests.namespace = Some(value("--namespace")?),
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument {arg}\n{USAGE}")),
        }
    }
    args.file = file.ok_or(USAGE)?;
    Ok(args)
}

fn window(w: &sli_core::Window) -> String {
    match w {
        sli_core::Window::Rolling(span) => format!("a rolling {span}"),
        other => format!("each {other}"),
    }
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn run_cloudwatch(args: &Args, slos: &[SloDefinition]) -> Result<(), String> {
    let at = |e: &dyn std::error::Error| format!("{}: {}", args.file, chain(e));
    let specs = cloudwatch::specs_from_openslo(slos).map_err(|e| at(&e))?;
    let compiled = cloudwatch::compile(&specs, &args.cloudwatch).map_err(|e| at(&e))?;
    for (spec, slo) in specs.iter().zip(&compiled.slos) {
        let published = if slo.published.is_empty() {
            String::new()
        } else {
            format!(
                ", {} window(s) to publish every minute to {}",
                slo.published.len(),
                args.cloudwatch.published.as_deref().unwrap_or_default()
            )
        };
        eprintln!(
            "{}: {} over {}, policy {} ({} tiers): {} metric alarms, {} composite alarms{published}",
            slo.slo,
            spec.slo.objective,
            window(&spec.slo.window),
            spec.policy_name,
            spec.policy.tiers.len(),
            slo.metric_alarms.len(),
            slo.composite_alarms.len(),
        );
    }
    let dashboards = compiled
        .dashboards(&cloudwatch::DashboardOptions::default())
        .map_err(|e| at(&e))?;
    let stacks = compiled
        .cloudformation_stacks(&dashboards, cloudwatch::MAX_RESOURCES)
        .map_err(|e| at(&e))?;
    // Indented when that still fits the size CloudFormation takes (which the compiler checks
    // on the compact form), compact otherwise.
    let json = |v: &serde_json::Value| {
        let pretty = serde_json::to_string_pretty(v).map_err(|e| e.to_string())?;
        if pretty.len() <= cloudwatch::MAX_TEMPLATE_BYTES {
            Ok(pretty)
        } else {
            serde_json::to_string(v).map_err(|e| e.to_string())
        }
    };
    if let Some(dir) = &args.out {
        for (i, stack) in stacks.iter().enumerate() {
            write(
                &dir.join(format!("cloudformation-{}.json", i + 1)),
                &json(stack)?,
            )?;
        }
        eprintln!("{} template(s) in {}", stacks.len(), dir.display());
        return Ok(());
    }
    let out = match <[_; 1]>::try_from(stacks) {
        Ok([one]) => one,
        Err(many) => {
            eprintln!(
                "{} templates (CloudFormation takes at most {} resources and {} bytes a template)",
                many.len(),
                cloudwatch::MAX_RESOURCES,
                cloudwatch::MAX_TEMPLATE_BYTES
            );
            serde_json::Value::Array(many)
        }
    };
    sre_examples::print_all(&format!("{}\n", json(&out)?))
}

/// Per-minute counts of a scenario: `bad_share` of 1,000 requests a minute failing.
fn scenario(minutes: i64, bad_share: impl Fn(i64) -> f64) -> Result<Series<EventCounts>, String> {
    let t0 = Utc
        .with_ymd_and_hms(2024, 5, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    Series::from_counts((0..minutes).map(|m| {
        let total = 1000.0;
        (
            t0 + TimeDelta::minutes(m),
            total - (total * bad_share(m)).round(),
            total,
        )
    }))
    .map_err(|e| e.to_string())
}

fn run_prometheus(args: &Args, slos: &[SloDefinition]) -> Result<(), String> {
    let at = |e: &dyn std::error::Error| format!("{}: {}", args.file, chain(e));
    let specs = prometheus::specs_from_openslo(slos).map_err(|e| at(&e))?;
    let options = prometheus::Options::default();
    let compiled = prometheus::compile(&specs, &options).map_err(|e| at(&e))?;
    for (spec, slo) in specs.iter().zip(&compiled.slos) {
        eprintln!(
            "{}: {} over {}, policy {} ({} tiers): {} burn-rate rules, {} error-budget rules",
            slo.slo,
            spec.slo.objective,
            window(&spec.slo.window),
            spec.policy_name,
            spec.policy.tiers.len(),
            slo.burn_rate_rules.len(),
            slo.budget_rules.len(),
        );
    }
    let files = compiled.files();
    let Some(dir) = &args.out else {
        // Every group in one file: promtool takes it as it is.
        let all = prometheus::RuleFile::new("slo-rules.yml", compiled.groups());
        if files.len() > 1 {
            eprintln!(
                "{} groups in one file on stdout; --out DIR splits them into {} files",
                all.groups.len(),
                files.len()
            );
        }
        return sre_examples::print_all(&all.to_yaml());
    };
    for file in &files {
        write(&dir.join("rules").join(&file.name), &file.to_yaml())?;
    }
    for m in compiled
        .prometheus_rules(&args.manifests)
        .map_err(|e| at(&e))?
    {
        write(
            &dir.join("manifests").join(format!("{}.yaml", m.name)),
            &m.yaml,
        )?;
    }
    write(
        &dir.join("alertmanager.yml"),
        &prometheus::alertmanager_routing(&prometheus::AlertmanagerOptions::default())
            .map_err(|e| e.to_string())?,
    )?;
    for d in compiled
        .dashboards(&prometheus::GrafanaOptions::default())
        .map_err(|e| at(&e))?
    {
        let json = serde_json::to_string_pretty(&d.json).map_err(|e| e.to_string())?;
        write(
            &dir.join("dashboards").join(format!("{}.json", d.uid)),
            &json,
        )?;
    }
    // promtool tests: the Workbook's 15 % for 10 minutes, and a full outage, after two clean
    // hours; for each SLO whose test series follow from its counters' selectors.
    let workbook = scenario(360, |m| if (120..130).contains(&m) { 0.15 } else { 0.0 })?;
    let outage = scenario(300, |m| if (120..150).contains(&m) { 1.0 } else { 0.0 })?;
    let rule_files: Vec<String> = files
        .iter()
        .map(|f| format!("../rules/{}", f.name))
        .collect();
    let rule_files: Vec<&str> = rule_files.iter().map(String::as_str).collect();
    let mut tests = 0;
    let mut test_files = std::collections::BTreeSet::new();
    for (i, slo) in compiled.slos.iter().enumerate() {
        let cases = [
            ("workbook-15-percent-10-minutes", &workbook),
            ("full-outage", &outage),
        ]
        .map(|(name, counts)| {
            prometheus::TestCase::new(format!("{name} ({} {})", slo.slo, slo.policy), i, counts)
        });
        match prometheus::unit_tests(&compiled, &rule_files, &cases) {
            Ok(yaml) => {
                // The id and policy are the OpenSLO names, which lenient mode takes as they
                // are (`../x`, `a/b`): a file name of their safe characters only, numbered
                // when two come out alike, so that nothing is written outside `tests/`.
                let mut name = format!(
                    "{}-{}",
                    sre_examples::file_stem(&slo.id),
                    sre_examples::file_stem(&slo.policy)
                );
                if !test_files.insert(name.clone()) {
                    name = format!("{name}-{i}");
                    test_files.insert(name.clone());
                }
                write(&dir.join("tests").join(format!("{name}.test.yml")), &yaml)?;
                tests += 1;
            }
            Err(prometheus::UnitTestError::NeedsSeries { .. }) => {
                eprintln!(
                    "{}: no promtool test (its queries are not counters with = matchers)",
                    slo.slo
                );
            }
            Err(e) => return Err(at(&e)),
        }
    }
    eprintln!(
        "{} rule file(s), {} manifest(s), alertmanager.yml, 3 dashboards per service, {tests} test file(s) in {}",
        files.len(),
        files.len(),
        dir.display()
    );
    Ok(())
}

fn run() -> Result<(), String> {
    let args = args()?;
    let text = sre_examples::read_text(&args.file, Limits::default().max_input_bytes as u64)?;
    let import = parse(&text, args.mode).map_err(|e| format!("{}: {e}", args.file))?;
    for warning in &import.warnings {
        eprintln!("warning: {}: {warning}", args.file);
    }
    if import.slos.is_empty() {
        // Rules or a template for nothing: CloudFormation refuses a template without
        // resources, and an empty rule file would hide a file given by mistake.
        return Err(format!("{}: no SLO to compile", args.file));
    }
    if args.engine == Engine::CloudWatch {
        for warning in cloudwatch::warnings_from_openslo(&import.slos) {
            eprintln!("warning: {}: {warning}", args.file);
        }
    }
    match args.engine {
        Engine::CloudWatch => run_cloudwatch(&args, &import.slos),
        Engine::Prometheus => run_prometheus(&args, &import.slos),
    }
}

/// An error and its sources, each once: "what failed: why: the cause".
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
