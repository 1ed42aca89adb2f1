//! Compiles an OpenSLO v1 file into one CloudFormation template (JSON, on stdout) holding the
//! burn-rate alarms and the executive, on-call and debug dashboards; prints one line per SLO on
//! stderr. A file it cannot accept exits non-zero with the document, field, line and column.
//!
//! Run: `cargo run -p sre-examples --example compile_openslo -- docs/examples/checkout.openslo.yaml`
//!
//! Options:
//! * `--lenient`: accept what the official OpenSLO examples contain, with warnings.
//! * `--page-topic ARN`, `--ticket-topic ARN`: the SNS topics of the page and ticket alarms.
//! * `--publish NAMESPACE` (default `SLO/Published`): the namespace of windows CloudWatch cannot
//!   evaluate in one alarm (over 7 days, or over a time-slice SLI), which a job must publish every
//!   minute (`slo_compiler::cloudwatch::publish_windows`); `--no-publish` refuses them instead.
//!
//! Past 500 resources (CloudFormation's limit per stack) the output is a JSON array of templates.

use std::process::ExitCode;

use sli_core::openslo::{Mode, parse};
use slo_compiler::cloudwatch::{
    CompileOptions, DashboardOptions, MAX_RESOURCES, compile, specs_from_openslo,
};

struct Args {
    file: String,
    mode: Mode,
    options: CompileOptions,
}

fn args() -> Result<Args, String> {
    let mut file = None;
    let mut mode = Mode::Strict;
    let mut options = CompileOptions {
        published: Some("SLO/Published".into()),
        ..CompileOptions::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--lenient" => mode = Mode::Lenient,
            "--page-topic" => options.page_actions.push(value("--page-topic")?),
            "--ticket-topic" => options.ticket_actions.push(value("--ticket-topic")?),
            "--publish" => options.published = Some(value("--publish")?),
            "--no-publish" => options.published = None,
            _ if arg.starts_with("--") => return Err(format!("unknown option {arg}")),
            _ if file.is_none() => file = Some(arg),
            _ => return Err(format!("unexpected argument {arg}")),
        }
    }
    Ok(Args {
        file: file.ok_or("usage: compile_openslo FILE [--lenient] [--page-topic ARN] [--ticket-topic ARN] [--publish NAMESPACE | --no-publish]")?,
        mode,
        options,
    })
}

fn window(w: &sli_core::Window) -> String {
    match w {
        sli_core::Window::Rolling(span) => format!("a rolling {span}"),
        sli_core::Window::Calendar(c) => format!("each calendar {:?} ({})", c.period, c.zone),
    }
}

fn run() -> Result<(), String> {
    let args = args()?;
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file))?;
    let import = parse(&text, args.mode).map_err(|e| format!("{}: {e}", args.file))?;
    for warning in &import.warnings {
        eprintln!("warning: {}: {warning}", args.file);
    }
    let specs = specs_from_openslo(&import.slos).map_err(|e| format!("{}: {e}", args.file))?;
    let compiled = compile(&specs, &args.options).map_err(|e| format!("{}: {e}", args.file))?;
    for (spec, slo) in specs.iter().zip(&compiled.slos) {
        let published = if slo.published.is_empty() {
            String::new()
        } else {
            format!(
                ", {} window(s) to publish every minute to {}",
                slo.published.len(),
                args.options.published.as_deref().unwrap_or_default()
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
        .dashboards(&DashboardOptions::default())
        .map_err(|e| format!("{}: {e}", args.file))?;
    let stacks = compiled
        .cloudformation_stacks(&dashboards, MAX_RESOURCES)
        .map_err(|e| format!("{}: {e}", args.file))?;
    let out = match <[_; 1]>::try_from(stacks) {
        Ok([one]) => one,
        Err(many) => {
            eprintln!(
                "{} templates: more than {MAX_RESOURCES} resources",
                many.len()
            );
            serde_json::Value::Array(many)
        }
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
    );
    Ok(())
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
