//! The fourth blind game day: incidents at 1.0–1.5× the documented thresholds, the
//! ticket/page boundary, detection delay, low traffic, several incidents in a week, gaps and
//! the first hours after start, on two NAB shapes with default configurations
//! (`examples/blind4/DRILLS.md` holds the drill table and the scoring rule).
//!
//! `cargo run --release -p sre-examples --example blind4_gameday -- ../shared/data/nab-aws
//! [--seed N] [--repro]`

use std::error::Error;

use failure_modes::chrono::{DateTime, Duration, TimeZone, Utc};
use failure_modes::{Finding, Severity};

#[path = "blind4/modes.rs"]
mod modes;
#[path = "blind4/repro.rs"]
mod repro;

pub(crate) type Res<T> = Result<T, Box<dyn Error>>;

/// Monday 2026-10-05 00:00 UTC, minute 0 of every drill.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0).unwrap()
}

pub(crate) fn at(m: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(m)
}

/// splitmix64 with the draws the drills need.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn below(&mut self, n: i64) -> i64 {
        (self.uniform() * n as f64) as i64
    }
    pub(crate) fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-12), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    pub(crate) fn poisson(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        if mean > 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0);
        }
        let (l, mut k, mut p) = ((-mean).exp(), 0.0, 1.0);
        loop {
            p *= self.uniform();
            if p <= l {
                return k;
            }
            k += 1.0;
        }
    }
}

/// A NAB series as a traffic shape: median 1, clamped to [0.2, 3], labelled windows replaced by
/// the same time one day away.
pub(crate) struct Shape {
    pub(crate) name: String,
    v: Vec<f64>,
}

impl Shape {
    fn load(dir: &str, name: &str) -> Res<Self> {
        let text = std::fs::read_to_string(format!("{dir}/realAWSCloudwatch/{name}.csv"))?;
        let rows: Vec<(String, f64)> = text
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(t, v)| Ok((t.to_string(), v.trim().parse::<f64>()?)))
            .collect::<Res<_>>()?;
        let windows = std::fs::read_to_string(format!("{dir}/combined_windows.json"))?;
        let json: serde_json::Value = serde_json::from_str(&windows)?;
        let mut bad = vec![false; rows.len()];
        if let Some(ws) = json[format!("realAWSCloudwatch/{name}.csv")].as_array() {
            for w in ws {
                let (a, b) = (w[0].as_str().unwrap_or(""), w[1].as_str().unwrap_or(""));
                for (i, (t, _)) in rows.iter().enumerate() {
                    if t.as_str() >= &a[..19] && t.as_str() <= &b[..19] {
                        bad[i] = true;
                    }
                }
            }
        }
        let n = rows.len();
        let raw: Vec<f64> = (0..n)
            .map(|i| {
                let j = [i + 288, i.wrapping_sub(288), i + 576, i.wrapping_sub(576)]
                    .into_iter()
                    .find(|&j| j < n && !bad[j])
                    .unwrap_or(i);
                rows[if bad[i] { j } else { i }].1
            })
            .collect();
        let mut sorted = raw.clone();
        sorted.sort_by(f64::total_cmp);
        let med = sorted[n / 2].max(1e-9);
        let v = raw.iter().map(|x| (x / med).clamp(0.2, 3.0)).collect();
        Ok(Self {
            name: name.to_string(),
            v,
        })
    }

    /// The shape at minute `m` times a daily cycle (0.3 at 03:00, 1 at 15:00) and weekends 0.6.
    pub(crate) fn at(&self, m: i64) -> f64 {
        let h = (m % 1440) as f64 / 60.0;
        let cycle = 0.65 - 0.35 * (std::f64::consts::TAU * (h - 3.0) / 24.0).cos();
        let weekend = if (m / 1440) % 7 >= 5 { 0.6 } else { 1.0 };
        self.v[(m / 5) as usize % self.v.len()] * cycle * weekend
    }
}

/// One scored point of a drill: detected when a finding ends in [onset, latest]; its delay is
/// counted from `from` (after a gap, when the data shows it); `end` bounds the severity check.
#[derive(Debug, Clone)]
pub(crate) struct Check {
    pub(crate) onset: i64,
    pub(crate) from: i64,
    pub(crate) latest: i64,
    pub(crate) end: i64,
    pub(crate) sev: Severity,
}

/// A drill run: its checks, span and findings.
pub(crate) struct Drill {
    pub(crate) mode: &'static str,
    pub(crate) name: String,
    pub(crate) checks: Vec<Check>,
    pub(crate) span: i64,
    pub(crate) grace: i64,
    pub(crate) findings: Vec<Finding>,
}

fn minute(t: DateTime<Utc>) -> i64 {
    (t - t0()).num_minutes()
}

#[derive(Default)]
struct Score {
    checks: usize,
    detected: usize,
    agree: usize,
    delays: Vec<i64>,
    false_alarms: usize,
    minutes: i64,
}

impl Score {
    fn add(&mut self, d: &Drill, fails: &mut Vec<String>) {
        self.minutes += d.span;
        let ends: Vec<(i64, &Finding)> = d.findings.iter().map(|f| (minute(f.end), f)).collect();
        for c in &d.checks {
            self.checks += 1;
            let hit = ends.iter().find(|(m, _)| (c.onset..=c.latest).contains(m));
            let sev_ok = match c.sev {
                Severity::Ticket => !ends
                    .iter()
                    .any(|(m, f)| (c.onset..c.end).contains(m) && f.severity == Severity::Page),
                _ => true,
            } && ends
                .iter()
                .any(|(m, f)| (c.onset..=c.latest).contains(m) && f.severity == c.sev);
            if let Some((m, _)) = hit {
                self.detected += 1;
                self.delays.push((m - c.from).max(0));
                self.agree += usize::from(sev_ok);
            }
            if hit.is_none() || !sev_ok {
                fails.push(format!(
                    "  FAIL {} {}: expected {} from {} by {}; {}",
                    d.mode,
                    d.name,
                    c.sev,
                    at(c.from).format("%a %d %H:%M"),
                    at(c.latest).format("%a %d %H:%M"),
                    describe(&d.findings, c.onset - 60, c.end + d.grace)
                ));
            }
        }
        for (m, f) in &ends {
            let ok = d
                .checks
                .iter()
                .any(|c| (c.onset..=c.end.max(c.latest) + d.grace).contains(m));
            if !ok {
                self.false_alarms += 1;
                fails.push(format!(
                    "  FALSE {} {}: {} at {}: {}",
                    d.mode,
                    d.name,
                    f.severity,
                    f.end.format("%a %d %H:%M"),
                    f.evidence.detail.chars().take(140).collect::<String>()
                ));
            }
        }
    }

    fn line(&self, mode: &str) -> String {
        let mut d = self.delays.clone();
        d.sort_unstable();
        let q = |p: f64| {
            d.get(((d.len() as f64 - 1.0) * p).round() as usize)
                .copied()
        };
        let fmt = |x: Option<i64>| x.map_or("-".into(), |x| x.to_string());
        format!(
            "{mode}  detected {}/{} ({:.1} %)  delay p50 {} p90 {} min  false alarms {} ({:.3}/detector-week)  severity {}/{} ({:.1} %)",
            self.detected,
            self.checks,
            100.0 * self.detected as f64 / self.checks.max(1) as f64,
            fmt(q(0.5)),
            fmt(q(0.9)),
            self.false_alarms,
            self.false_alarms as f64 / (self.minutes as f64 / 10080.0),
            self.agree,
            self.detected,
            100.0 * self.agree as f64 / self.detected.max(1) as f64
        )
    }
}

/// The findings of `fs` ending in [from, to], briefly.
pub(crate) fn describe(fs: &[Finding], from: i64, to: i64) -> String {
    let inside: Vec<String> = fs
        .iter()
        .filter(|f| (from..=to).contains(&minute(f.end)))
        .take(3)
        .map(|f| {
            format!(
                "{} at {} (start {}): {}",
                f.severity,
                f.end.format("%a %d %H:%M"),
                f.start.format("%H:%M"),
                f.evidence.detail.chars().take(110).collect::<String>()
            )
        })
        .collect();
    if inside.is_empty() {
        "no finding".into()
    } else {
        inside.join(" | ")
    }
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--repro") {
        return repro::run();
    }
    let dir = args
        .first()
        .cloned()
        .unwrap_or("../shared/data/nab-aws".into());
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(0), |s| s.parse())?;
    let shapes = [
        Shape::load(&dir, "ec2_disk_write_bytes_c0d644")?,
        Shape::load(&dir, "rds_cpu_utilization_cc0c53")?,
    ];
    let drills = modes::all(&shapes, seed)?;
    println!(
        "blind4 seed {seed}: {} drills; S1 {}, S2 {}",
        drills.len(),
        shapes[0].name,
        shapes[1].name
    );
    let (mut fails, mut total) = (Vec::new(), Score::default());
    for mode in ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8"] {
        let (mut s, mut per) = (Score::default(), [Score::default(), Score::default()]);
        for d in drills.iter().filter(|d| d.mode == mode) {
            s.add(d, &mut fails);
            total.add(d, &mut Vec::new());
            per[usize::from(d.name.starts_with("[S2"))].add(d, &mut Vec::new());
        }
        println!("{}", s.line(mode));
        for (i, p) in per.iter().enumerate() {
            println!("{}", p.line(&format!("  {mode} S{}", i + 1)));
        }
    }
    println!("{}", total.line("all"));
    for f in fails {
        println!("{f}");
    }
    Ok(())
}
