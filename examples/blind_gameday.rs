//! An independent ("blind") game day for the F1–F8 detectors, written from the seed's table and
//! the crate's public API only: real CloudWatch series from the NAB corpus (stretches outside
//! their labelled windows) shape traffic, latency and usage; incidents are made by mechanisms
//! at and near the default thresholds; clean weeks carry nuisances that must not fire. Every
//! detector runs with its default configuration and a preset signal, as a user would run it.
//!
//! `cargo run --release -p sre-examples --example blind_gameday -- ../shared/data/nab-aws`
//!
//! The drills and the severities they expect are listed in `examples/blind/DRILLS.md`, written
//! before the first run.

#[path = "blind/events.rs"]
mod events;
#[path = "blind/limits.rs"]
mod limits;
#[path = "blind/metrics.rs"]
mod metrics;

use std::error::Error;
use std::path::PathBuf;

use failure_modes::chrono::{DateTime, Duration, TimeZone, Utc};
use failure_modes::{Finding, Severity};

/// The start of every drill: a Monday, 00:00 UTC.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A traffic shape from a real series: its values over their median, clamped to [0.1, 10],
/// read back and forth (no jump where the stretch ends).
#[derive(Debug)]
pub(crate) struct Shape {
    values: Vec<f64>,
}

impl Shape {
    /// The longest run of rows of `series` after its probation and outside its labelled
    /// windows.
    fn from_series(series: &sre_examples::nab::Series) -> Self {
        let (mut best, mut run) = ((0, 0), None::<usize>);
        for row in series.probation()..=series.values.len() {
            let clean = row < series.values.len() && !series.in_window(row);
            match (clean, run) {
                (true, None) => run = Some(row),
                (false, Some(start)) => {
                    if row - start > best.1 - best.0 {
                        best = (start, row);
                    }
                    run = None;
                }
                _ => {}
            }
        }
        let raw = &series.values[best.0..best.1];
        let mut sorted = raw.to_vec();
        sorted.sort_by(f64::total_cmp);
        let median = sorted
            .get(sorted.len() / 2)
            .copied()
            .unwrap_or(1.0)
            .max(1e-9);
        Self {
            values: raw.iter().map(|v| (v / median).clamp(0.1, 10.0)).collect(),
        }
    }

    /// The shape at `minute` minutes from the drill's start (one NAB row per 5 minutes),
    /// starting `offset` rows in.
    pub(crate) fn at(&self, minute: i64, offset: usize) -> f64 {
        let n = self.values.len().max(2);
        let i = (minute.max(0) as usize / 5 + offset) % (2 * n - 2);
        self.values[if i < n { i } else { 2 * n - 2 - i }]
    }
}

/// A small deterministic generator (xorshift64*), so that each drill is reproducible.
#[derive(Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// Uniform in [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Standard normal (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-12);
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
    /// Poisson with mean `mean` (Knuth below 30, normal approximation above).
    pub(crate) fn poisson(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0);
        }
        let (limit, mut k, mut p) = ((-mean).exp(), 0.0, 1.0);
        loop {
            p *= self.uniform();
            if p <= limit {
                return k;
            }
            k += 1.0;
        }
    }
}

/// What a drill expects.
#[derive(Debug)]
pub(crate) enum Expect {
    /// An incident from `onset` to `until`, whose worst finding should have this severity.
    Incident {
        onset: DateTime<Utc>,
        until: DateTime<Utc>,
        severity: Severity,
    },
    /// A clean stretch: any finding is a false alarm.
    Clean,
}

/// One drill's run.
#[derive(Debug)]
pub(crate) struct Drill {
    /// F1 … F8.
    pub(crate) mode: &'static str,
    /// What it plays.
    pub(crate) name: String,
    /// The verdict it expects.
    pub(crate) expect: Expect,
    /// The stretch it covers.
    pub(crate) span: (DateTime<Utc>, DateTime<Utc>),
    /// What the detector reported.
    pub(crate) findings: Vec<Finding>,
}

/// How long after an incident ends a finding still counts as its detection.
fn slack(mode: &str) -> Duration {
    if mode == "F8" {
        Duration::days(1)
    } else {
        Duration::hours(2)
    }
}

#[derive(Debug, Default)]
struct Tally {
    incidents: usize,
    detected: usize,
    delays: Vec<f64>,
    agree: usize,
    false_alarms: usize,
    weeks: f64,
}

fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    (!sorted.is_empty()).then(|| sorted[((sorted.len() - 1) as f64 * q).round() as usize])
}

fn minutes(d: Duration) -> f64 {
    d.num_seconds() as f64 / 60.0
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: blind_gameday NAB_DIR")?,
    );
    let series = sre_examples::nab::load(&dir)?;
    let pick = |needle: &str| -> Result<Shape, Box<dyn Error>> {
        let s = series
            .iter()
            .find(|s| s.key.contains(needle))
            .ok_or(format!("no series {needle}"))?;
        Ok(Shape::from_series(s))
    };
    let shapes = metrics::Shapes {
        traffic: pick("elb_request_count_8c0756")?,
        cpu: pick("ec2_cpu_utilization_5f5533")?,
        db: pick("rds_cpu_utilization_cc0c53")?,
        network: pick("ec2_network_in_257a54")?,
    };
    let started = std::time::Instant::now();
    let mut drills = metrics::drills(&shapes)?;
    drills.extend(events::drills(&shapes)?);

    println!(
        "{:<4} {:<58} {:<8} {:<9} {:>9} {:>6}",
        "mode", "drill", "expect", "got", "delay min", "false"
    );
    let mut tallies: Vec<(&str, Tally)> = Vec::new();
    for d in &drills {
        if !tallies.iter().any(|(m, _)| *m == d.mode) {
            tallies.push((d.mode, Tally::default()));
        }
        let tally = &mut tallies
            .iter_mut()
            .find(|(m, _)| *m == d.mode)
            .ok_or("mode")?
            .1;
        let (expect, got, delay, false_alarms, clean_span) = match &d.expect {
            Expect::Clean => (
                "none".to_string(),
                "-".to_string(),
                None,
                d.findings.len(),
                d.span.1 - d.span.0,
            ),
            Expect::Incident {
                onset,
                until,
                severity,
            } => {
                let window_end = *until + slack(d.mode);
                let hits: Vec<&Finding> = d
                    .findings
                    .iter()
                    .filter(|f| f.end >= *onset && f.end <= window_end)
                    .collect();
                let before = d.findings.iter().filter(|f| f.end < *onset).count();
                tally.incidents += 1;
                let worst = hits.iter().map(|f| f.severity).max();
                let delay = hits
                    .iter()
                    .map(|f| minutes(f.end - *onset))
                    .reduce(f64::min);
                if let Some(delay) = delay {
                    tally.detected += 1;
                    tally.delays.push(delay);
                    tally.agree += usize::from(worst == Some(*severity));
                }
                let got = worst.map_or("missed".to_string(), |s| s.to_string());
                (severity.to_string(), got, delay, before, *onset - d.span.0)
            }
        };
        tally.false_alarms += false_alarms;
        tally.weeks += clean_span.num_seconds() as f64 / (7.0 * 86_400.0);
        let delay = delay.map_or("-".to_string(), |d| format!("{d:.0}"));
        println!(
            "{:<4} {:<58} {:<8} {:<9} {:>9} {:>6}",
            d.mode, d.name, expect, got, delay, false_alarms
        );
        if std::env::var_os("BLIND_VERBOSE").is_some() {
            for f in &d.findings {
                println!("       {f}");
            }
        }
    }
    println!();
    println!(
        "{:<4} {:>10} {:>9} {:>9} {:>14} {:>10}",
        "mode", "detected", "p50 min", "p90 min", "FA/det-week", "severity"
    );
    for (mode, mut t) in tallies {
        t.delays.sort_by(f64::total_cmp);
        let p = |q| percentile(&t.delays, q).map_or("-".to_string(), |v| format!("{v:.0}"));
        println!(
            "{:<4} {:>10} {:>9} {:>9} {:>14.2} {:>10}",
            mode,
            format!("{}/{}", t.detected, t.incidents),
            p(0.5),
            p(0.9),
            t.false_alarms as f64 / t.weeks.max(1e-9),
            format!("{}/{}", t.agree, t.detected)
        );
    }
    println!(
        "\n{} drills in {:.1} s",
        drills.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
