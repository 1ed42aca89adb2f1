//! The second blind game day of the F1–F8 detectors: drills written from the public API and
//! the outside team's findings only (`examples/blind2/DRILLS.md`), default configurations,
//! backgrounds shaped by NAB series the first round did not use.
//!
//! Run: `cargo run --release -p sre-examples --example blind2_gameday -- ../shared/data/nab-aws`.
//! Prints per mode: incidents detected, false alarms per detector-week, severity agreement,
//! and one line per drill that failed; `--all` adds every drill's findings, `--seed N` replays
//! the drills on other noise, `--repro` runs the minimal reproductions of RESULTS.md instead.

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use failure_modes::chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc, Weekday};
use failure_modes::{Finding, Severity};

// The first blind round's helpers (`play`, `drill`, `hour`, their `Case` and `Res`), reused as
// they are; their own drills are not run here.
#[allow(dead_code)]
#[path = "blind/events.rs"]
mod events;
#[allow(dead_code)]
#[path = "blind/limits.rs"]
mod limits;
#[allow(dead_code)]
#[path = "blind/metrics.rs"]
mod metrics;

#[path = "blind2/facts.rs"]
mod facts;
#[path = "blind2/limits.rs"]
mod limits2;
#[path = "blind2/metrics.rs"]
mod metrics2;
#[path = "blind2/repro.rs"]
mod repro;

/// Monday 2026-11-02 00:00 UTC, minute 0 of every metric drill.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// What a drill should give.
#[derive(Debug, Clone)]
pub(crate) enum Expect {
    /// Nothing (a clean or nuisance drill).
    Clean,
    /// An incident from `onset` to `until`, reported at `severity`.
    Incident {
        onset: DateTime<Utc>,
        until: DateTime<Utc>,
        severity: Severity,
    },
}

/// One drill and what the detector said.
#[derive(Debug)]
pub(crate) struct Drill {
    pub(crate) mode: &'static str,
    pub(crate) name: String,
    pub(crate) expect: Expect,
    pub(crate) span: (DateTime<Utc>, DateTime<Utc>),
    pub(crate) findings: Vec<Finding>,
}

/// A small deterministic generator (SplitMix64) with the draws the drills need.
#[derive(Debug)]
pub(crate) struct Rng(u64);

/// Added to every drill's seed: `--seed N` replays the game day on other noise (0 is the
/// recorded run).
static SEED: AtomicU64 = AtomicU64::new(0);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        let seed = seed.wrapping_add(SEED.load(Ordering::Relaxed).wrapping_mul(100_000));
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u = self.uniform().max(1e-300);
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// A Poisson count of mean `mean` (Knuth below 30, the normal approximation above).
    pub(crate) fn poisson(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        if mean < 30.0 {
            let (limit, mut p, mut k) = ((-mean).exp(), 1.0, 0.0);
            loop {
                p *= self.uniform();
                if p <= limit {
                    return k;
                }
                k += 1.0;
            }
        }
        (mean + mean.sqrt() * self.normal()).round().max(0.0)
    }
}

/// A real series' shape: its five-minute values outside the labelled windows, over their
/// median, clamped to [0.25, 4], cycled.
#[derive(Debug, Clone)]
pub(crate) struct Shape(Vec<f64>);

impl Shape {
    fn load(all: &[sre_examples::nab::Series], name: &str) -> Result<Self, Box<dyn Error>> {
        let s = all
            .iter()
            .find(|s| s.key.ends_with(&format!("/{name}.csv")))
            .ok_or_else(|| format!("no NAB series {name}"))?;
        let kept: Vec<f64> = (0..s.values.len())
            .filter(|&r| !s.in_window(r))
            .map(|r| s.values[r])
            .collect();
        let mut sorted = kept.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted
            .get(sorted.len() / 2)
            .copied()
            .filter(|m| *m > 0.0)
            .ok_or("empty or zero series")?;
        Ok(Self(
            kept.iter().map(|v| (v / median).clamp(0.25, 4.0)).collect(),
        ))
    }

    /// The shape at minute `m`, `offset` minutes into the series.
    pub(crate) fn at(&self, m: i64, offset: i64) -> f64 {
        let n = self.0.len() as i64;
        self.0[(((m + offset) / 5).rem_euclid(n)) as usize]
    }
}

/// Diurnal (35 % at 02:00 to 100 % at 14:00 UTC) times weekly (weekends 60 %) cycle at `at`.
pub(crate) fn cycle(at: DateTime<Utc>) -> f64 {
    let h = f64::from(at.hour()) + f64::from(at.minute()) / 60.0;
    let day = 0.35 + 0.65 * 0.5 * (1.0 - ((h - 2.0) / 24.0 * std::f64::consts::TAU).cos());
    let week = if matches!(at.weekday(), Weekday::Sat | Weekday::Sun) {
        0.6
    } else {
        1.0
    };
    day * week
}

/// The series the drills take their shapes from (see DRILLS.md).
#[derive(Debug)]
pub(crate) struct Shapes2 {
    pub(crate) traffic: Shape,
    pub(crate) usage: Shape,
    pub(crate) db: Shape,
    pub(crate) reads: Shape,
    pub(crate) api: Shape,
}

/// Grace after an incident's end within which a detection still counts.
fn grace(mode: &str) -> Duration {
    match mode {
        "F3" => Duration::hours(6),
        "F8" => Duration::hours(24),
        _ => Duration::minutes(60),
    }
}

/// A finding on one line: severity, start, detection time, score, detail.
fn describe(f: &Finding) -> String {
    format!(
        "{:?} start {} detected {} score {:.2}: {}",
        f.severity,
        f.start.format("%m-%d %H:%M"),
        f.end.format("%m-%d %H:%M"),
        f.evidence.score,
        f.evidence.detail
    )
}

/// One drill's verdict: detected, severity agrees, its false alarms, and a line if it failed.
fn judge(d: &Drill) -> (Option<(bool, bool)>, usize, Option<String>) {
    let fmt = describe;
    match &d.expect {
        Expect::Clean => {
            let n = d.findings.len();
            let line = (n > 0).then(|| {
                format!(
                    "{} {}: expected none, got {n}: first {}",
                    d.mode,
                    d.name,
                    fmt(&d.findings[0])
                )
            });
            (None, n, line)
        }
        Expect::Incident {
            onset,
            until,
            severity,
        } => {
            let end = *until + grace(d.mode);
            let (hits, false_alarms): (Vec<&Finding>, Vec<&Finding>) = d
                .findings
                .iter()
                .partition(|f| f.end >= *onset && f.end <= end);
            let top = hits.iter().map(|f| f.severity).max_by_key(|s| match s {
                Severity::Page => 1,
                _ => 0,
            });
            let detected = top.is_some();
            let agrees = top == Some(*severity);
            let mut why = Vec::new();
            if !detected {
                why.push(format!("missed (expected {severity:?})"));
            } else if !agrees {
                why.push(format!(
                    "severity {:?}, expected {severity:?}: {}",
                    top.unwrap_or(Severity::Ticket),
                    hits.iter().map(|f| fmt(f)).collect::<Vec<_>>().join(" | ")
                ));
            }
            if let Some(f) = false_alarms.first() {
                why.push(format!(
                    "{} false alarm(s), first {}",
                    false_alarms.len(),
                    fmt(f)
                ));
            }
            let line =
                (!why.is_empty()).then(|| format!("{} {}: {}", d.mode, d.name, why.join("; ")));
            (Some((detected, agrees)), false_alarms.len(), line)
        }
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "../shared/data/nab-aws".into());
    if let Some(seed) = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
    {
        SEED.store(seed.parse()?, Ordering::Relaxed);
    }
    if args.iter().any(|a| a == "--repro") {
        return repro::run();
    }
    let all = sre_examples::nab::load(Path::new(&dir))?;
    let sh = Shapes2 {
        traffic: Shape::load(&all, "ec2_cpu_utilization_825cc2")?,
        usage: Shape::load(&all, "ec2_cpu_utilization_fe7f93")?,
        db: Shape::load(&all, "ec2_cpu_utilization_53ea38")?,
        reads: Shape::load(&all, "iio_us-east-1_i-a2eb1cd9_NetworkIn")?,
        api: Shape::load(&all, "grok_asg_anomaly")?,
    };
    let mut drills = metrics2::drills(&sh)?;
    drills.extend(limits2::drills(&sh)?);
    drills.extend(facts::drills(&sh)?);

    // Per mode: incidents, detected, severity agreeing, false alarms, drill-weeks.
    let mut table: BTreeMap<&str, (usize, usize, usize, usize, f64)> = BTreeMap::new();
    let mut failed = Vec::new();
    for d in &drills {
        let (verdict, false_alarms, line) = judge(d);
        let row = table.entry(d.mode).or_default();
        if let Some((detected, agrees)) = verdict {
            row.0 += 1;
            row.1 += usize::from(detected);
            row.2 += usize::from(detected && agrees);
        }
        row.3 += false_alarms;
        row.4 += (d.span.1 - d.span.0).num_minutes() as f64 / (7.0 * 1440.0);
        failed.extend(line);
    }
    println!(
        "| mode | drills | incidents detected | false alarms / detector-week | severity agreement |"
    );
    println!("|---|---|---|---|---|");
    for (mode, (n, det, agree, fa, weeks)) in &table {
        let drills = drills.iter().filter(|d| d.mode == *mode).count();
        println!(
            "| {mode} | {drills} | {det}/{n} | {fa} in {weeks:.1} weeks = {:.2} | {agree}/{det} |",
            *fa as f64 / weeks
        );
    }
    println!("\n{} failing drills:", failed.len());
    for line in &failed {
        println!("- {line}");
    }
    // `--all`: every drill's findings, passing drills too.
    if args.iter().any(|a| a == "--all") {
        for d in &drills {
            println!("\n{} {} ({} findings)", d.mode, d.name, d.findings.len());
            for f in &d.findings {
                println!("    {}", describe(f));
            }
        }
    }
    Ok(())
}
