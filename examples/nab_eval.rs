//! Runs the generic anomaly detector over every labelled series of a NAB-style folder
//! (`DATA_DIR/combined_windows.json` and the CSV files it names), streaming, with no look-ahead
//! and a fresh detector per file, and writes the alerts as `file,timestamp` for
//! `shared/tools/nab_score.py`.
//!
//! ```text
//! # in sample: the default configuration on every file
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws /tmp/in.csv
//! # out of sample, leave one file out: each file's alerts come from the configuration that
//! # scores best on the other files; the held-out file's labels are never read for its own run
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws /tmp/cv.csv --cv
//! # the same with K folds (files in key order, file i in fold i mod K)
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws /tmp/cv3.csv --folds 3
//! python3 ../shared/tools/nab_score.py /tmp/cv.csv
//! ```
//!
//! The grid the cross-validation chooses from is the three constants of [`AnomalyConfig`]
//! marked as chosen on training folds: `spike_sigma` and `shift_sigma` in {2, 3, 4} and
//! `record_window` in {3.5 days, a week, two weeks}; every other constant is fixed a priori.
//! The totals printed here come from a port of the scorer (`examples/nab.rs`); the script is
//! the reference, and `--check` runs it on the written file to confirm they agree.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

use failure_modes::{AnomalyConfig, AnomalyDetector};
use sre_examples::nab::{self, Score, Series};

/// The configurations the cross-validation chooses among, the default among them.
fn grid() -> Vec<AnomalyConfig> {
    let mut grid = Vec::new();
    for spike_sigma in [2.0, 3.0, 4.0] {
        for shift_sigma in [2.0, 3.0, 4.0] {
            for record_window in [1008, 2016, 4032] {
                grid.push(AnomalyConfig {
                    spike_sigma,
                    shift_sigma,
                    record_window,
                    ..AnomalyConfig::default()
                });
            }
        }
    }
    grid
}

/// The rows at which a fresh detector alerts.
fn alerts(config: AnomalyConfig, series: &Series) -> Result<Vec<usize>, Box<dyn Error>> {
    let mut detector = AnomalyDetector::new(config)?;
    let mut rows = Vec::new();
    for (row, &value) in series.values.iter().enumerate() {
        if detector.push(value)?.is_some() {
            rows.push(row);
        }
    }
    Ok(rows)
}

fn describe(config: &AnomalyConfig) -> String {
    format!(
        "spike_sigma {} shift_sigma {} record_window {}",
        config.spike_sigma, config.shift_sigma, config.record_window
    )
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(data_dir), Some(out)) = (args.first(), args.get(1)) else {
        return Err("usage: nab_eval DATA_DIR OUT_CSV [--cv | --folds K] [--check]".into());
    };
    let flag = |name: &str| args.iter().any(|a| a == name);
    let folds: Option<usize> = match args.iter().position(|a| a == "--folds") {
        Some(i) => Some(args.get(i + 1).ok_or("--folds needs a number")?.parse()?),
        None if flag("--cv") => Some(usize::MAX),
        None => None,
    };
    let corpus = nab::load(&PathBuf::from(data_dir))?;
    let mut rows_of: Vec<Vec<usize>> = Vec::new();
    match folds {
        None => {
            for series in &corpus {
                rows_of.push(alerts(AnomalyConfig::default(), series)?);
            }
        }
        Some(k) => {
            let k = k.clamp(2, corpus.len());
            let grid = grid();
            // Every configuration's alerts and score on every file, computed once.
            let mut runs: Vec<Vec<(Vec<usize>, Score)>> = Vec::new();
            for config in &grid {
                let mut per_file = Vec::new();
                for series in &corpus {
                    let rows = alerts(*config, series)?;
                    let score = nab::score(series, &rows);
                    per_file.push((rows, score));
                }
                runs.push(per_file);
            }
            rows_of = vec![Vec::new(); corpus.len()];
            for fold in 0..k {
                let held_out = |file: usize| file % k == fold;
                let mut best: Option<(f64, usize)> = None;
                for (c, per_file) in runs.iter().enumerate() {
                    let mut training = Score::default();
                    for (file, (_, score)) in per_file.iter().enumerate() {
                        if !held_out(file) {
                            training.add(score);
                        }
                    }
                    let value = training.normalised();
                    if best.is_none_or(|(b, _)| value > b + 1e-12) {
                        best = Some((value, c));
                    }
                }
                let (training, chosen) = best.ok_or("empty grid")?;
                let names: Vec<&str> = (0..corpus.len())
                    .filter(|f| held_out(*f))
                    .map(|f| corpus[f].key.rsplit('/').next().unwrap_or(&corpus[f].key))
                    .collect();
                eprintln!(
                    "fold {fold}: held out {} | chosen on the rest ({training:.2}): {}",
                    names.join(", "),
                    describe(&grid[chosen])
                );
                for (file, rows) in rows_of.iter_mut().enumerate() {
                    if held_out(file) {
                        rows.clone_from(&runs[chosen][file].0);
                    }
                }
            }
        }
    }
    let mut csv = String::from("file,timestamp\n");
    let mut total = Score::default();
    for (series, rows) in corpus.iter().zip(&rows_of) {
        let score = nab::score(series, rows);
        total.add(&score);
        eprintln!(
            "{:48} windows {}/{} false alarms {:2} raw {:7.3}",
            series.key, score.detected, score.windows, score.false_alarms, score.raw
        );
        for &row in rows {
            writeln!(csv, "{},{}", series.key, series.times[row])?;
        }
    }
    std::fs::write(out, csv).map_err(|e| format!("{out}: {e}"))?;
    eprintln!(
        "{} alerts written to {out}: windows {}/{}, false alarms {}, NAB standard {:.2} ({})",
        rows_of.iter().map(Vec::len).sum::<usize>(),
        total.detected,
        total.windows,
        total.false_alarms,
        total.normalised(),
        match folds {
            None => "in sample".to_owned(),
            Some(usize::MAX) => "out of sample, leave one file out".to_owned(),
            Some(k) => format!("out of sample, {k} folds"),
        }
    );
    if flag("--check") {
        let script = PathBuf::from(data_dir).join("../../tools/nab_score.py");
        let output = std::process::Command::new("python3")
            .arg(&script)
            .arg(out)
            .arg("--labels")
            .arg(data_dir)
            .arg("--quiet")
            .output()
            .map_err(|e| format!("{}: {e}", script.display()))?;
        let text = String::from_utf8_lossy(&output.stdout);
        eprint!("nab_score.py: {text}");
        let theirs: f64 = text
            .rsplit("nab=")
            .next()
            .and_then(|s| s.trim().parse().ok())
            .ok_or("no nab= in the script's output")?;
        if (theirs - total.normalised()).abs() > 0.006 {
            return Err(format!(
                "the port says {:.4}, the script {theirs}",
                total.normalised()
            )
            .into());
        }
    }
    Ok(())
}
