//! Times the OpenSLO importer outside unit tests (the machines are shared: run it on a quiet
//! one, in release): parsing speed on 10 MB of SLO documents, and the time and peak memory of
//! hostile or huge inputs, each case in a process of its own so that its peak is its own.
//!
//! Run: `cargo run --release -p sre-examples --example openslo_speed`
//! (`-- CASE` runs one case: `parse_10mb`, `parse_10mb_cloudwatch`, `shared_policy`, `nested_anchors`, `flat_50mb`, `flat_30mb`, `flat_30mb_lines`, `flat_kib_N`,
//! `keys_100k`, `deep_nesting`, `invalid_utf8`).

use std::hint::black_box;
use std::process::{Command, ExitCode};
use std::time::Instant;

use sli_core::openslo::{Mode, parse};
use sre_benches::{OpenSloSource, openslo_document};

/// Peak resident memory of this process, from /proc (Linux), in MiB.
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn input(case: &str) -> Option<String> {
    Some(match case {
        "parse_10mb" => {
            let mut text = String::new();
            let mut n = 0;
            while text.len() < 10 << 20 {
                text.push_str(&openslo_document(n, OpenSloSource::Prometheus));
                n += 1;
            }
            text
        }
        "parse_10mb_cloudwatch" => {
            let mut text = String::new();
            let mut n = 0;
            while text.len() < 10 << 20 {
                text.push_str(&openslo_document(n, OpenSloSource::CloudWatch));
                n += 1;
            }
            text
        }
        "shared_policy" => {
            // 3,000 SLOs referring to one policy of 3,000 conditions.
            let mut text = String::from(
                "apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: shared}\nspec:\n  conditions:\n",
            );
            for c in 0..3_000 {
                text.push_str(&format!("    - kind: AlertCondition\n      metadata: {{name: c{c}}}\n      spec: {{severity: page, condition: {{kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h}}}}\n"));
            }
            for s in 0..3_000 {
                text.push_str(&format!("---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {{name: s{s}}}\nspec:\n  service: web\n  indicator:\n    metadata: {{name: i{s}}}\n    spec:\n      ratioMetric:\n        good: {{metricSource: {{type: Prometheus, spec: {{query: good}}}}}}\n        total: {{metricSource: {{type: Prometheus, spec: {{query: total}}}}}}\n  timeWindow: [{{duration: 28d, isRolling: true}}]\n  budgetingMethod: Occurrences\n  objectives: [{{target: 0.999}}]\n  alertPolicies: [{{alertPolicyRef: shared}}]\n"));
            }
            text
        }
        "nested_anchors" => {
            // 100 levels, each anchoring the one below, over a sequence of 40,000 scalars: each
            // anchor keeps a copy, so the nodes grow as levels × items.
            let mut text = String::new();
            for depth in 0..100 {
                text.push_str(&format!("{}- &a{depth}\n", "  ".repeat(depth)));
            }
            text.push_str(&format!(
                "{}- [{}1]\n",
                "  ".repeat(100),
                "1,".repeat(40_000)
            ));
            text
        }
        "flat_50mb" => format!("[{}1]", "1,".repeat(25 << 20)),
        // Under the input cap: refused by the node cap instead.
        "flat_30mb" => format!("[{}1]", "1,".repeat(15 << 20)),
        "flat_30mb_lines" => format!("[{}1]", "1,\n".repeat(10 << 20)),
        "keys_100k" => {
            let mut text = String::from(
                "apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n",
            );
            for i in 0..100_000 {
                text.push_str(&format!("    k{i}: v\n"));
            }
            text
        }
        "deep_nesting" => format!("{}{}", "[".repeat(1 << 20), "]".repeat(1 << 20)),
        "invalid_utf8" => {
            String::from_utf8_lossy(&[0xff, 0xfe, b'a', b':', 0x80, b'\n'].repeat(1 << 20))
                .into_owned()
        }
        // `flat_kib_N`: one flow sequence of about N KiB, for the scaling of flow collections.
        _ => {
            let kib: usize = case.strip_prefix("flat_kib_")?.parse().ok()?;
            format!("[{}1]", "1,".repeat(kib * 512))
        }
    })
}

fn run_case(case: &str) -> Result<(), String> {
    let text = input(case).ok_or_else(|| format!("unknown case {case}"))?;
    let rounds = if case.starts_with("parse_10mb") { 5 } else { 1 };
    let mut best = f64::INFINITY;
    let mut outcome = String::new();
    for _ in 0..rounds {
        let start = Instant::now();
        let result = black_box(parse(black_box(&text), Mode::Lenient));
        best = best.min(start.elapsed().as_secs_f64());
        outcome = match result {
            Ok(import) => format!(
                "imported {} objects, {} SLOs, {} warnings",
                import.objects.len(),
                import.slos.len(),
                import.warnings.len()
            ),
            Err(e) => format!("error: {e}"),
        };
    }
    println!(
        "{case}: {:.1} MB in {:.3} s ({:.1} MB/s), peak {:.0} MiB; {outcome}",
        text.len() as f64 / 1e6,
        best,
        text.len() as f64 / 1e6 / best,
        peak_mib()
    );
    Ok(())
}

fn main() -> ExitCode {
    let cases = [
        "parse_10mb",
        "shared_policy",
        "nested_anchors",
        "flat_50mb",
        "flat_30mb",
        "flat_30mb_lines",
        "flat_kib_1000",
        "keys_100k",
        "deep_nesting",
        "invalid_utf8",
    ];
    let result = match std::env::args().nth(1) {
        Some(case) => run_case(&case),
        None => cases.iter().try_for_each(|case| {
            let exe = std::env::current_exe().map_err(|e| e.to_string())?;
            let status = Command::new(exe)
                .arg(case)
                .status()
                .map_err(|e| e.to_string())?;
            if status.success() {
                Ok(())
            } else {
                Err(format!("case {case} failed: {status}"))
            }
        }),
    };
    match result {
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

    /// The documents the benchmarks time are valid v1: strict mode reads them (the
    /// `slo_as_code` benchmark parses them strictly), warning only that their policies hold
    /// several conditions.
    #[test]
    fn the_timed_documents_import_strictly() {
        for source in [OpenSloSource::Prometheus, OpenSloSource::CloudWatch] {
            let text = openslo_document(7, source);
            let import = parse(&text, Mode::Strict).unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(import.slos.len(), 1);
            assert!(
                import
                    .warnings
                    .iter()
                    .all(|w| matches!(w.problem, sli_core::openslo::Problem::Extension { .. })),
                "{:?}",
                import.warnings
            );
        }
    }
}
