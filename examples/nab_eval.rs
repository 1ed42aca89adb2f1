//! Runs the generic anomaly detector over every labelled series of a NAB-style folder
//! (`DATA_DIR/combined_windows.json` and the CSV files it names), streaming, with no look-ahead
//! and a fresh detector per file, and writes the alerts as `file,timestamp` for
//! `shared/tools/nab_score.py`.
//!
//! ```text
//! # in sample: the default configuration on every file
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws /tmp/in.csv
//! # out of sample, leave one file out, model selection included: for each held-out file, the
//! # detector family is the one with the best cross-validated score on the other files (an
//! # inner leave-one-file-out), and its constants are the best on those files; the held-out
//! # file's labels are never read for its own run
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws /tmp/cv.csv --cv
//! # the same with K outer folds (files in key order, file i in fold i mod K)
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws /tmp/cv3.csv --folds 3
//! # one family only (its constants still chosen on the training files), e.g. the default's:
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws /tmp/cv-rs.csv --cv --family record-surprise
//! # how much a score owes to the a-priori refractory period (a day): every run with another
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws /tmp/r.csv --refractory 216
//! # rows ten minutes apart read as a missing point (AnomalyDetector::skip) instead of the next
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws /tmp/g.csv --skip-gaps
//! python3 ../shared/tools/nab_score.py /tmp/cv.csv
//! ```
//!
//! The candidate families, each a configuration of [`AnomalyDetector`] with a small grid of
//! constants (every other constant fixed a priori):
//! * `median-mad`: the plain trailing median/MAD z-score with a 12-hour cooldown
//!   ([`AnomalyConfig::median_mad`]): baseline of half a day, a day or three days, threshold
//!   3, 4, 5, 6 or 8 σ;
//! * `record-surprise`: spikes and level shifts that beat the week's most surprising point,
//!   with the learned daily profile and re-baselining ([`RecordKind::Surprise`]):
//!   `spike_sigma` and `shift_sigma` in {2, 3, 4}, `record_window` in {3.5 days, a week, two
//!   weeks};
//! * `record-value`: the same with records of values ([`RecordKind::Value`]): a spike must go
//!   beyond every value of the record window; same grid.
//!
//! The totals printed here come from a port of the scorer (`examples/nab.rs`); the script is
//! the reference, and `--check` runs it on the written file to confirm they agree.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

use failure_modes::{AnomalyConfig, AnomalyDetector, RecordKind};
use sre_examples::nab::{self, Score, Series};

/// One candidate of the model selection: a family and one configuration of it.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    family: &'static str,
    config: AnomalyConfig,
}

/// The candidates the cross-validation chooses among (the module docs list them).
fn grid() -> Vec<Candidate> {
    let mut grid = Vec::new();
    for baseline in [144, 288, 864] {
        for sigma in [3.0, 4.0, 5.0, 6.0, 8.0] {
            grid.push(Candidate {
                family: "median-mad",
                config: AnomalyConfig::median_mad(baseline, sigma, 144),
            });
        }
    }
    for (family, kind) in [
        ("record-surprise", RecordKind::Surprise),
        ("record-value", RecordKind::Value),
    ] {
        for spike_sigma in [2.0, 3.0, 4.0] {
            for shift_sigma in [2.0, 3.0, 4.0] {
                for record_window in [1008, 2016, 4032] {
                    grid.push(Candidate {
                        family,
                        config: AnomalyConfig::default()
                            .with_record_kind(kind)
                            .with_spike_sigma(spike_sigma)
                            .with_shift_sigma(Some(shift_sigma))
                            .with_record_window(Some(record_window)),
                    });
                }
            }
        }
    }
    grid
}

/// The candidates' alert rows and scores on every file, computed once: `runs[c][file]`.
type Runs = Vec<Vec<(Vec<usize>, Score)>>;

/// The candidate among `members` with the best summed score on `files` (the first on a tie).
fn best_on(runs: &Runs, members: &[usize], files: &[usize]) -> Option<(f64, usize)> {
    let mut best: Option<(f64, usize)> = None;
    for &c in members {
        let mut total = Score::default();
        for &file in files {
            total.add(&runs[c][file].1);
        }
        let value = total.normalised();
        if best.is_none_or(|(b, _)| value > b + 1e-12) {
            best = Some((value, c));
        }
    }
    best
}

/// The leave-one-file-out score of a family on `files`: each file scored with the
/// configuration that is best on the others.
fn inner_cv(runs: &Runs, members: &[usize], files: &[usize]) -> f64 {
    let mut total = Score::default();
    for &held in files {
        let rest: Vec<usize> = files.iter().copied().filter(|f| *f != held).collect();
        if let Some((_, c)) = best_on(runs, members, &rest) {
            total.add(&runs[c][held].1);
        }
    }
    total.normalised()
}

/// A family chosen by [`select_family`]: its name, its members (indices into the grid) and
/// every family's inner cross-validated score.
type Selection = (&'static str, Vec<usize>, Vec<(&'static str, f64)>);

/// The family with the best inner cross-validated score on `files`, its members, and each
/// family's inner score.
fn select_family(
    grid: &[Candidate],
    runs: &Runs,
    families: &[&'static str],
    files: &[usize],
) -> Option<Selection> {
    let members = |family: &str| -> Vec<usize> {
        (0..grid.len())
            .filter(|c| grid[*c].family == family)
            .collect()
    };
    let scores: Vec<(&'static str, f64)> = families
        .iter()
        .map(|family| (*family, inner_cv(runs, &members(family), files)))
        .collect();
    let mut best: Option<(f64, &'static str)> = None;
    for &(family, score) in &scores {
        if best.is_none_or(|(b, _)| score > b + 1e-12) {
            best = Some((score, family));
        }
    }
    best.map(|(_, family)| (family, members(family), scores))
}

/// The rows at which a fresh detector alerts. With `skip_gaps`, missing 5-minute points (a row
/// ten minutes after the one before: 13 in the twelve files) are skipped
/// ([`AnomalyDetector::skip`]), so that the detector's season keeps each row at its time of
/// day; without, rows are fed in order as evenly spaced points, NAB's own convention.
fn alerts(
    config: AnomalyConfig,
    series: &Series,
    skip_gaps: bool,
) -> Result<Vec<usize>, Box<dyn Error>> {
    let mut detector = AnomalyDetector::new(config)?;
    let mut rows = Vec::new();
    let mut previous: Option<chrono::NaiveDateTime> = None;
    for (row, (&value, time)) in series.values.iter().zip(&series.times).enumerate() {
        let time = chrono::NaiveDateTime::parse_from_str(time, "%Y-%m-%d %H:%M:%S")
            .map_err(|e| format!("{} row {row}: {time:?}: {e}", series.key))?;
        if let Some(previous) = previous.filter(|_| skip_gaps) {
            let missing = (time - previous).num_seconds() / 300 - 1;
            detector.skip(u64::try_from(missing).unwrap_or(0));
        }
        previous = Some(time);
        if detector.push(value)?.is_some() {
            rows.push(row);
        }
    }
    Ok(rows)
}

fn describe(candidate: &Candidate) -> String {
    let c = &candidate.config;
    match candidate.family {
        "median-mad" => format!(
            "{}: baseline {} sigma {} cooldown {}",
            candidate.family,
            c.baseline(),
            c.spike_sigma(),
            c.refractory()
        ),
        family => format!(
            "{family}: spike_sigma {} shift_sigma {} record_window {}",
            c.spike_sigma(),
            c.shift_sigma().unwrap_or(f64::NAN),
            c.record_window().unwrap_or(0)
        ),
    }
}

const USAGE: &str = "usage: nab_eval DATA_DIR OUT_CSV [--cv | --folds K] [--family NAME] [--refractory POINTS] [--skip-gaps] [--check [--scorer PATH]]";

/// The command line, every argument accounted for: a misspelt option or a third path is an
/// error, not silently an in-sample run.
struct Args {
    data_dir: String,
    out: String,
    /// `usize::MAX` for `--cv` (leave one file out).
    folds: Option<usize>,
    family: Option<String>,
    refractory: Option<usize>,
    skip_gaps: bool,
    check: bool,
    /// The scorer `--check` runs: `DATA_DIR/../../tools/nab_score.py` unless given (a corpus
    /// made elsewhere, such as `tools/nab_proxy`'s, names it).
    scorer: Option<PathBuf>,
}

impl Args {
    fn parse(args: Vec<String>) -> Result<Self, Box<dyn Error>> {
        let mut paths = Vec::new();
        let (mut folds, mut family, mut refractory, mut scorer) = (None, None, None, None);
        let (mut cv, mut skip_gaps, mut check) = (false, false, false);
        let mut it = args.into_iter();
        while let Some(arg) = it.next() {
            let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
            match arg.as_str() {
                "--cv" => cv = true,
                "--skip-gaps" => skip_gaps = true,
                "--check" => check = true,
                "--folds" => {
                    let text = value("--folds")?;
                    let k: usize = text.parse().map_err(|e| format!("--folds {text:?}: {e}"))?;
                    if k < 2 {
                        // One fold would train on nothing; zero folds holds nothing out.
                        return Err(format!(
                            "--folds {k}: cross-validation needs at least 2 folds (--cv holds out one file at a time)"
                        )
                        .into());
                    }
                    folds = Some(k);
                }
                "--family" => family = Some(value("--family")?),
                "--scorer" => scorer = Some(PathBuf::from(value("--scorer")?)),
                "--refractory" => {
                    let text = value("--refractory")?;
                    refractory = Some(
                        text.parse()
                            .map_err(|e| format!("--refractory {text:?}: {e}"))?,
                    );
                }
                other if other.starts_with("--") => {
                    return Err(format!("unknown option {other}\n{USAGE}").into());
                }
                _ => paths.push(arg),
            }
        }
        let [data_dir, out]: [String; 2] = paths.try_into().map_err(|paths: Vec<String>| {
            format!("{} paths given, 2 expected\n{USAGE}", paths.len())
        })?;
        if cv && folds.is_some() {
            return Err("--cv and --folds: give one".into());
        }
        let folds = folds.or(cv.then_some(usize::MAX));
        if family.is_some() && folds.is_none() {
            return Err(
                "--family chooses among families out of sample: give --cv or --folds".into(),
            );
        }
        if scorer.is_some() && !check {
            return Err("--scorer names the script --check runs: give --check".into());
        }
        Ok(Self {
            data_dir,
            out,
            folds,
            family,
            refractory,
            skip_gaps,
            check,
            scorer,
        })
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse(sre_examples::utf8_args()?)?;
    let (data_dir, out) = (&args.data_dir, &args.out);
    let skip_gaps = args.skip_gaps;
    // A refractory period other than the a-priori day, for every configuration run: to see
    // how much the score owes to that convention.
    let refractory = args.refractory;
    let adjust = |config: AnomalyConfig| match refractory {
        Some(points) => config.with_refractory(points),
        None => config,
    };
    let folds = args.folds;
    let corpus = nab::load(&PathBuf::from(data_dir))?;
    let mut rows_of: Vec<Vec<usize>> = Vec::new();
    match folds {
        None => {
            for series in &corpus {
                rows_of.push(alerts(adjust(AnomalyConfig::default()), series, skip_gaps)?);
            }
        }
        Some(k) => {
            if corpus.len() < 2 {
                return Err(format!(
                    "{data_dir}: cross-validation needs at least 2 series, found {}",
                    corpus.len()
                )
                .into());
            }
            let k = k.clamp(2, corpus.len());
            let mut grid = grid();
            if let Some(family) = &args.family {
                grid.retain(|c| c.family == family.as_str());
                if grid.is_empty() {
                    return Err(format!("no family {family}").into());
                }
            }
            let mut families: Vec<&'static str> = grid.iter().map(|c| c.family).collect();
            families.dedup();
            let mut runs: Runs = Vec::new();
            for candidate in &grid {
                let mut per_file = Vec::new();
                for series in &corpus {
                    let rows = alerts(adjust(candidate.config), series, skip_gaps)?;
                    let score = nab::score(series, &rows);
                    per_file.push((rows, score));
                }
                runs.push(per_file);
            }
            rows_of = vec![Vec::new(); corpus.len()];
            for fold in 0..k {
                let held_out = |file: usize| file % k == fold;
                let training: Vec<usize> = (0..corpus.len()).filter(|f| !held_out(*f)).collect();
                let (_, members, inner) =
                    select_family(&grid, &runs, &families, &training).ok_or("empty grid")?;
                let (trained, chosen) = best_on(&runs, &members, &training).ok_or("empty grid")?;
                let mut held = Score::default();
                let mut names = Vec::new();
                for (file, rows) in rows_of.iter_mut().enumerate() {
                    if held_out(file) {
                        rows.clone_from(&runs[chosen][file].0);
                        held.add(&runs[chosen][file].1);
                        let key = &corpus[file].key;
                        names.push(key.rsplit('/').next().unwrap_or(key));
                    }
                }
                let inner: Vec<String> = inner
                    .iter()
                    .map(|(f, score)| format!("{f} {score:.2}"))
                    .collect();
                eprintln!(
                    "fold {fold:2}: held out {} | families, cross-validated on the rest: {} | chosen: {} ({trained:.2} on the rest) | held out: windows {}/{} false alarms {} raw {:.3}",
                    names.join(", "),
                    inner.join(", "),
                    describe(&grid[chosen]),
                    held.detected,
                    held.windows,
                    held.false_alarms,
                    held.raw,
                );
            }
            // What the same selection picks on every file: the defaults must be this.
            let all: Vec<usize> = (0..corpus.len()).collect();
            let (_, members, inner) =
                select_family(&grid, &runs, &families, &all).ok_or("empty grid")?;
            let (score, chosen) = best_on(&runs, &members, &all).ok_or("empty grid")?;
            let inner: Vec<String> = inner
                .iter()
                .map(|(f, score)| format!("{f} {score:.2}"))
                .collect();
            eprintln!(
                "on all files: families, cross-validated: {} | selected: {} ({score:.2} in sample){}",
                inner.join(", "),
                describe(&grid[chosen]),
                if grid[chosen].config == AnomalyConfig::default() {
                    ", which is AnomalyConfig::default()"
                } else {
                    ", which is NOT AnomalyConfig::default()"
                }
            );
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
            // More folds than files is one file a fold: say how many were run.
            Some(k) => format!("out of sample, {} folds", k.min(corpus.len())),
        }
    );
    if args.check {
        let script = args
            .scorer
            .clone()
            .unwrap_or_else(|| PathBuf::from(data_dir).join("../../tools/nab_score.py"));
        if !script.is_file() {
            return Err(format!(
                "--check: no scorer at {} (give --scorer PATH)",
                script.display()
            )
            .into());
        }
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
