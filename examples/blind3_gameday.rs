//! The third blind game day: ordinary operational nuisances that must not fire (deploy level
//! shifts, weekly cycles, missing points, heavy-tailed noise, values just under the documented
//! thresholds) and incidents placed right after a shift or a gap, for F1–F8 with default
//! configurations and preset signals. The drills and the scoring rule are in
//! `examples/blind3/DRILLS.md`, the results in `examples/blind3/RESULTS.md`.
//!
//! ```text
//! cargo run --release -p sre-examples --example blind3_gameday -- ../shared/data/nab-aws [--seed N]
//! ```

#[path = "blind3/modes.rs"]
mod modes;
#[path = "blind3/repro.rs"]
mod repro;

use std::error::Error;
use std::path::Path;

use failure_modes::chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc, Weekday};
use failure_modes::{Finding, Severity};
use sre_examples::nab;

pub(crate) type Res<T> = Result<T, Box<dyn Error>>;

/// Minute 0 of every drill: Monday 2026-10-05 00:00 UTC.
pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// The time at minute `m`.
pub(crate) fn at(m: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(m)
}

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }
    pub(crate) fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    pub(crate) fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-300), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    /// Student-t with 3 degrees of freedom.
    pub(crate) fn t3(&mut self) -> f64 {
        let chi: f64 = (0..3).map(|_| self.normal().powi(2)).sum();
        self.normal() / (chi / 3.0).sqrt()
    }
    pub(crate) fn poisson(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        if mean > 50.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0);
        }
        let (limit, mut p, mut k) = ((-mean).exp(), 1.0, 0.0);
        loop {
            p *= self.uniform();
            if p <= limit {
                return k;
            }
            k += 1.0;
        }
    }
    /// An integer in `0..n`.
    pub(crate) fn below(&mut self, n: i64) -> i64 {
        (self.uniform() * n as f64) as i64
    }
}

/// A NAB series as a multiplicative shape: value / median, clamped to [0.3, 3], labelled
/// windows replaced by 1, linearly interpolated to minutes and looped.
#[derive(Debug)]
pub(crate) struct Shape {
    pub(crate) name: String,
    factors: Vec<f64>,
}

impl Shape {
    fn load(dir: &Path, name: &str) -> Res<Self> {
        let s = nab::load(dir)?
            .into_iter()
            .find(|s| s.key.ends_with(&format!("{name}.csv")))
            .ok_or_else(|| format!("{name} not in {}", dir.display()))?;
        let mut clean: Vec<f64> = (0..s.values.len())
            .filter(|&r| !s.in_window(r))
            .map(|r| s.values[r])
            .collect();
        clean.sort_by(f64::total_cmp);
        let median = clean[clean.len() / 2].max(1e-9);
        let factors = (0..s.values.len())
            .map(|r| {
                if s.in_window(r) {
                    1.0
                } else {
                    (s.values[r] / median).clamp(0.3, 3.0)
                }
            })
            .collect();
        Ok(Self {
            name: name.into(),
            factors,
        })
    }
    pub(crate) fn at(&self, m: i64) -> f64 {
        let n = self.factors.len() as i64;
        let (i, f) = ((m / 5).rem_euclid(n), (m % 5) as f64 / 5.0);
        self.factors[i as usize] * (1.0 - f) + self.factors[((i + 1) % n) as usize] * f
    }
}

/// The nuisance families of DRILLS.md.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Family {
    ShiftUp,
    Shift6h,
    Weekly,
    Missing,
    Heavy,
    Near,
    All,
    IncAfterShift,
    IncAfterGap,
}

pub(crate) const FAMILIES: [(Family, &str); 9] = [
    (Family::ShiftUp, "a shift-up"),
    (Family::Shift6h, "b shift-6h"),
    (Family::Weekly, "c weekly"),
    (Family::Missing, "d missing"),
    (Family::Heavy, "e heavy"),
    (Family::Near, "f near"),
    (Family::All, "i all"),
    (Family::IncAfterShift, "g inc-after-shift"),
    (Family::IncAfterGap, "h inc-after-gap"),
];

/// One drill's plan: the nuisances, their times, the incident. Minutes from t0.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) family: Family,
    pub(crate) days: i64,
    /// Level shift: start, length, factor.
    pub(crate) shift: Option<(i64, i64, f64)>,
    pub(crate) weekly: bool,
    pub(crate) drop: f64,
    pub(crate) heavy: bool,
    /// Holes without data: start, length.
    pub(crate) holes: Vec<(i64, i64)>,
    /// The near-threshold nuisance: start, length.
    pub(crate) near: Option<(i64, i64)>,
    /// The incident: start, length.
    pub(crate) inc: Option<(i64, i64)>,
}

/// What the drill's environment is at a minute.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env {
    /// Shape × daily × weekly × shift × noise.
    pub(crate) load: f64,
    /// The level-shift factor in force (1 without).
    pub(crate) level: f64,
    pub(crate) present: bool,
    pub(crate) near: bool,
    pub(crate) inc: bool,
}

pub(crate) fn within(m: i64, span: Option<(i64, i64)>) -> bool {
    span.is_some_and(|(s, l)| (s..s + l).contains(&m))
}

impl Plan {
    /// The plan of `family` for a mode whose events begin on `day0`, with its own shift
    /// factor, near-nuisance length and incident length (minutes), over `clean_days` (clean
    /// drills) or `inc_days`.
    pub(crate) fn new(
        family: Family,
        rng: &mut Rng,
        day0: i64,
        shift: f64,
        (near_len, inc_len): (i64, i64),
        (clean_days, inc_days): (i64, i64),
    ) -> Self {
        use Family::*;
        let incident = matches!(family, IncAfterShift | IncAfterGap);
        let days = if incident { inc_days } else { clean_days };
        let random_hour = |rng: &mut Rng, from_day: i64, span_days: i64| {
            from_day * 1440 + rng.below(span_days * 24) * 60 + rng.below(60)
        };
        let mut p = Self {
            family,
            days,
            shift: None,
            weekly: false,
            drop: 0.0,
            heavy: false,
            holes: Vec::new(),
            near: None,
            inc: None,
        };
        let weekly_holes = |rng: &mut Rng| {
            (0..(days + 6) / 7)
                .map(|w| (w * 10080 + rng.below(10080 - 360), 120 + rng.below(241)))
                .collect::<Vec<_>>()
        };
        match family {
            ShiftUp => p.shift = Some((random_hour(rng, day0, 3), i64::MAX / 4, shift)),
            Shift6h => p.shift = Some((random_hour(rng, day0, 3), 360, 0.6)),
            Weekly => p.weekly = true,
            Missing => {
                p.drop = 0.03;
                p.holes = weekly_holes(rng);
            }
            Heavy => p.heavy = true,
            Near => p.near = Some(((day0 + 1) * 1440 + 13 * 60, near_len)),
            All => {
                p.weekly = true;
                p.drop = 0.03;
                p.heavy = true;
                p.holes = weekly_holes(rng);
                p.shift = Some((random_hour(rng, day0, 3), i64::MAX / 4, shift));
            }
            IncAfterShift => {
                let s = random_hour(rng, day0 + 1, 1);
                p.shift = Some((s, i64::MAX / 4, shift));
                p.inc = Some((s + 30, inc_len));
            }
            IncAfterGap => {
                let s = random_hour(rng, day0 + 1, 1);
                p.holes = vec![(s, 240)];
                p.inc = Some((s + 240 + 15, inc_len));
            }
        }
        p
    }

    /// The environment at minute `m` (draws the noise and the dropped points from `rng`).
    pub(crate) fn env(&self, shape: &Shape, rng: &mut Rng, m: i64) -> Env {
        let t = at(m);
        let h = f64::from(t.hour()) + f64::from(t.minute()) / 60.0;
        let daily = 0.6 + 0.4 * (std::f64::consts::TAU * (h - 15.0) / 24.0).cos();
        let weekend = matches!(t.weekday(), Weekday::Sat | Weekday::Sun);
        let weekly = match (self.weekly, weekend, t.weekday()) {
            (false, true, _) => 0.8,
            (true, true, _) => 0.4,
            (true, false, Weekday::Mon) if h < 6.0 => 0.4,
            (true, false, Weekday::Mon) if h < 10.0 => 0.4 + 0.8 * (h - 6.0) / 4.0,
            (true, false, Weekday::Mon) if h < 12.0 => 1.2 - 0.2 * (h - 10.0) / 2.0,
            _ => 1.0,
        };
        let level = match self.shift {
            Some((s, l, f)) if (s..s.saturating_add(l)).contains(&m) => f,
            _ => 1.0,
        };
        let noise = self.noise(rng);
        let dropped = rng.uniform() < self.drop;
        Env {
            load: shape.at(m) * daily * weekly * level * noise.exp(),
            level,
            present: !dropped && !self.holes.iter().any(|&h| within(m, Some(h))),
            near: within(m, self.near),
            inc: within(m, self.inc),
        }
    }

    /// The log of the traffic noise: 0.05·N(0,1), or 0.2·t₃ when heavy-tailed.
    pub(crate) fn noise(&self, rng: &mut Rng) -> f64 {
        if self.heavy {
            0.2 * rng.t3()
        } else {
            0.05 * rng.normal()
        }
    }

    /// A unit noise draw for latencies: N(0,1), or t₃ when heavy-tailed.
    pub(crate) fn unit(&self, rng: &mut Rng) -> f64 {
        if self.heavy { rng.t3() } else { rng.normal() }
    }
}

/// A drill with what it expects and what the detector said.
#[derive(Debug)]
pub(crate) struct Drill {
    pub(crate) mode: &'static str,
    pub(crate) name: String,
    /// Incident window for scoring [onset, until + grace], expected severity.
    pub(crate) expect: Option<(DateTime<Utc>, DateTime<Utc>, Severity)>,
    pub(crate) weeks: f64,
    pub(crate) findings: Vec<Finding>,
}

impl Drill {
    pub(crate) fn new(mode: &'static str, name: String, plan: &Plan, sev: Severity) -> Self {
        let grace = if mode == "F8" { 1440 } else { 60 };
        Self {
            mode,
            name,
            expect: plan.inc.map(|(s, l)| (at(s), at(s + l + grace), sev)),
            weeks: plan.days as f64 / 7.0,
            findings: Vec::new(),
        }
    }

    /// (detected, severity agrees, false alarms).
    fn score(&self) -> (bool, bool, Vec<&Finding>) {
        let inside = |f: &&Finding| {
            self.expect
                .is_some_and(|(s, u, _)| f.end >= s && f.end <= u)
        };
        let hits: Vec<&Finding> = self.findings.iter().filter(inside).collect();
        let fa = self.findings.iter().filter(|f| !inside(f)).collect();
        let top = hits.iter().map(|f| f.severity).max();
        let agrees = self.expect.is_some_and(|(_, _, s)| top == Some(s));
        (!hits.is_empty(), agrees, fa)
    }
}

fn line(f: &Finding) -> String {
    format!(
        "{} at {} (start {}): {}",
        f.severity,
        f.end.format("%a %m-%d %H:%M"),
        f.start.format("%a %m-%d %H:%M"),
        f.evidence.detail
    )
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--repro") {
        return repro::run();
    }
    let dir = args
        .first()
        .ok_or("usage: blind3_gameday NAB_DIR [--seed N] | --repro")?;
    let seed: u64 = match args.iter().position(|a| a == "--seed") {
        Some(i) => args.get(i + 1).ok_or("--seed N")?.parse()?,
        None => 0,
    };
    let shapes = [
        Shape::load(Path::new(dir), "ec2_cpu_utilization_77c1ca")?,
        Shape::load(Path::new(dir), "ec2_cpu_utilization_c6585a")?,
    ];
    let drills = modes::all(&shapes, seed)?;
    println!("seed {seed}");
    println!(
        "mode | incidents detected | severity agrees | false alarms | detector-weeks | FA/week"
    );
    let mut fails = Vec::new();
    for mode in ["F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8"] {
        let (mut n, mut det, mut agree, mut fa, mut weeks) = (0, 0, 0, 0, 0.0);
        for d in drills.iter().filter(|d| d.mode == mode) {
            let (hit, ok, alarms) = d.score();
            weeks += d.weeks;
            fa += alarms.len();
            if let Some((s, _, sev)) = d.expect {
                n += 1;
                det += usize::from(hit);
                agree += usize::from(ok);
                if !hit {
                    fails.push(format!(
                        "{mode} {}: expected {sev} from {}, missed",
                        d.name,
                        s.format("%a %m-%d %H:%M")
                    ));
                } else if !ok {
                    let got: Vec<String> = d.findings.iter().map(line).collect();
                    fails.push(format!(
                        "{mode} {}: expected {sev}, got {}",
                        d.name,
                        got.join(" | ")
                    ));
                }
            }
            for f in alarms {
                fails.push(format!(
                    "{mode} {}: expected none here, false alarm {}",
                    d.name,
                    line(f)
                ));
            }
        }
        println!(
            "{mode} | {det}/{n} | {agree}/{det} | {fa} | {weeks:.1} | {:.3}",
            fa as f64 / weeks
        );
    }
    println!("failing drills:");
    for f in fails {
        println!("  {f}");
    }
    Ok(())
}
