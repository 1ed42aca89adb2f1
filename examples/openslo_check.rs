//! Checks an OpenSLO file: imports it and prints one JSON object per imported object on stdout
//! (its kind and name; for an SLO its objectives, window and budgeting method), the warnings on
//! stderr, and exits non-zero with the document, field, line and column of an error.
//!
//! Run: `cargo run -p sre-examples --example openslo_check -- FILE... [--lenient]` (every file
//! is checked; any that fails fails the run).
//!
//! A file that holds no OpenSLO object (empty, comments only, or in lenient mode only objects
//! of unknown kinds) passes, as valid YAML, with the warning `no OpenSLO object in FILE` on
//! stderr: a glob that also matches an emptied file does not fail the run, and the warning keeps
//! a file given by mistake from passing unnoticed.
//!
//! `--lenient` accepts what the official OpenSLO examples contain (`op` on a ratio SLI,
//! `openslo/v1alpha`, …) and says what it read, and how, as warnings; known pitfalls get a
//! pointed one (`duration: 1m` on a calendar window is one minute, not one month).

use std::process::ExitCode;

use serde_json::{Value as Json, json};
use sli_core::openslo::{Import, Limits, Mode, Object, ObjectKind, SloDefinition, parse};
use sli_core::{BudgetingMethod, Window};

fn window(w: &Window) -> Json {
    match w {
        Window::Rolling(span) => json!({"rolling": span.to_string()}),
        Window::Calendar(c) => json!({
            "calendar": format!("{}{}", c.count, c.period.unit()),
            "timeZone": c.zone.to_string(),
            "startTime": c.anchor.map(|a| a.format("%Y-%m-%d %H:%M:%S").to_string()),
        }),
        other => json!({"window": other.to_string()}),
    }
}

fn method(m: &BudgetingMethod) -> Json {
    match m {
        BudgetingMethod::Occurrences => json!({"method": "Occurrences"}),
        BudgetingMethod::Timeslices {
            slice,
            slice_target,
        } => {
            json!({"method": "Timeslices", "timeSliceWindow": slice.to_string(), "timeSliceTarget": slice_target})
        }
        BudgetingMethod::RatioTimeslices { slice } => {
            json!({"method": "RatioTimeslices", "timeSliceWindow": slice.to_string()})
        }
        other => json!({"method": other.to_string()}),
    }
}

/// The definitions an SLO object gave: one per objective, named `<name>` or `<name>-<i>`.
fn definitions<'a>(import: &'a Import, object: &Object) -> Vec<&'a SloDefinition> {
    let prefix = format!("{}-", object.name);
    import
        .slos
        .iter()
        .filter(|d| {
            d.document == object.document
                && (d.slo.name == object.name || d.slo.name.starts_with(&prefix))
        })
        .collect()
}

fn line(import: &Import, object: &Object) -> Json {
    let mut out = json!({
        "kind": object.kind.name(),
        "name": object.name,
        "document": object.document,
    });
    if let Some(item) = object.item {
        out["item"] = json!(item);
    }
    if object.kind == ObjectKind::Slo {
        let defs = definitions(import, object);
        if let Some(first) = defs.first() {
            out["window"] = window(&first.slo.window);
            out["budgetingMethod"] = method(&first.slo.budgeting);
        }
        out["objectives"] = defs
            .iter()
            .map(|d| {
                json!({
                    "name": d.slo.name,
                    "target": d.slo.objective.target(),
                    "indicator": d.indicator.name,
                    "sourceTypes": d.indicator.metric_sources().map(|m| m.source_type()).collect::<Vec<_>>(),
                })
            })
            .collect();
    }
    out
}

fn run() -> Result<(), String> {
    let mut files = Vec::new();
    let mut mode = Mode::Strict;
    for arg in sre_examples::utf8_args()? {
        match arg.as_str() {
            "--lenient" => mode = Mode::Lenient,
            "--strict" => mode = Mode::Strict,
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            _ => files.push(arg),
        }
    }
    if files.is_empty() {
        return Err("usage: openslo_check FILE... [--lenient]".into());
    }
    // Every file is checked, and any that fails fails the run (`openslo_check *.yaml`).
    let mut failed = 0;
    for file in &files {
        if let Err(e) = check(file, mode) {
            eprintln!("error: {e}");
            failed += 1;
        }
    }
    match failed {
        0 => Ok(()),
        n => Err(format!("{n} of {} file(s) failed", files.len())),
    }
}

fn check(file: &str, mode: Mode) -> Result<(), String> {
    let text = sre_examples::read_text(file, Limits::default().max_input_bytes as u64)?;
    let import = parse(&text, mode).map_err(|e| format!("{file}: {e}"))?;
    for warning in &import.warnings {
        eprintln!("warning: {file}: {warning}");
    }
    if let Some(note) = no_object(file, &import) {
        eprintln!("warning: {note}");
    }
    let lines: String = import
        .objects
        .iter()
        .map(|object| format!("{}\n", line(&import, object)))
        .collect();
    sre_examples::print_all(&lines)
}

/// The warning for a file with no OpenSLO object, which passes but should not pass unnoticed.
fn no_object(file: &str, import: &Import) -> Option<String> {
    import
        .objects
        .is_empty()
        .then(|| format!("no OpenSLO object in {file}"))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_objects_gets_a_warning() {
        for text in ["", "# only a comment\n", "---\n---\n"] {
            let import = parse(text, Mode::Strict).unwrap();
            assert_eq!(
                no_object("x.yaml", &import).as_deref(),
                Some("no OpenSLO object in x.yaml")
            );
        }
        let import = parse(
            "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: web}\n",
            Mode::Strict,
        )
        .unwrap();
        assert_eq!(no_object("x.yaml", &import), None);
    }
}
