//! Minimal reproductions of the third blind game day's failing drills (`--repro`): no NAB
//! shape, default configs; inputs constant or a fixed-seed Poisson where the failure is about
//! sampling noise. Each prints what it expects and what the detector said.

use failure_modes::chrono::{Datelike, Duration};
use failure_modes::{
    AccessSample, ApiThrottling, BucketExposure, ChargeSample, CostConfig, CostRunaway, Detector,
    Finding, LeakConfig, PublicDataLeak, Quota, QuotaConfig, QuotaSample, QuotaSignal,
    ServiceQuotaHit, ThrottleConfig, ThrottleSample, ThrottleSignal, UsageMetric,
};

use crate::{Res, Rng, at, t0};

fn show(name: &str, expected: &str, findings: &[Finding]) {
    println!(
        "{name}\n  expected: {expected}\n  actual: {} finding(s)",
        findings.len()
    );
    for f in findings.iter().take(6) {
        println!(
            "    {} at {} (start {}): {}",
            f.severity,
            f.end.format("%a %m-%d %H:%M"),
            f.start.format("%H:%M"),
            f.evidence.detail
        );
    }
}

/// A public bucket (known from the start, not scored) read at `rate(m)` a minute.
fn leak(days: i64, rate: impl Fn(i64) -> f64) -> Res<Vec<Finding>> {
    let mut facts = BucketExposure::new("site-assets");
    facts.policy_is_public = Some(true);
    let mut det = PublicDataLeak::new(facts, LeakConfig::default())?;
    let _ = det.assess(t0());
    let mut out = Vec::new();
    for m in 0..days * 1440 {
        out.extend(det.push(AccessSample {
            at: at(m),
            requests: rate(m).round(),
        })?);
    }
    Ok(out)
}

/// A bursty bucket: `base` a minute, 3.5× for minutes 0–4 of every half hour.
fn bursty(base: f64, m: i64) -> f64 {
    if m % 30 < 5 { 3.5 * base } else { base }
}

pub(crate) fn run() -> Res<()> {
    // R1: F7, a fresh public bucket read 5 → 20 a minute from 00:00 to 15:00 (then 20),
    // Poisson (seed 1), 3.5× in a fifth of the five-minute blocks at random (as shape 0's CPU
    // bursts); two days of the same habit.
    let mut rng = Rng::new(1);
    let blocks: Vec<bool> = (0..2 * 288).map(|_| rng.uniform() < 0.2).collect();
    let mut det = {
        let mut facts = BucketExposure::new("site-assets");
        facts.policy_is_public = Some(true);
        PublicDataLeak::new(facts, LeakConfig::default())?
    };
    let _ = det.assess(t0());
    let mut f = Vec::new();
    for m in 0..2 * 1440 {
        let base = 5.0 + 15.0 * ((m % 1440) as f64 / 900.0).min(1.0);
        let mean = if blocks[(m / 5) as usize] {
            3.5 * base
        } else {
            base
        };
        f.extend(det.push(AccessSample {
            at: at(m),
            requests: rng.poisson(mean),
        })?);
    }
    show(
        "R1 F7 fresh public bucket, 5 -> 20/min ramp 00-15 h, Poisson, 3.5x five-minute bursts in 20 % of blocks, 2 days",
        "none (the same habit on both days), at most the first burst",
        &f,
    );
    println!(
        "  on day 1: {}, on day 2: {}",
        f.iter().filter(|x| x.end < at(1440)).count(),
        f.iter().filter(|x| x.end >= at(1440)).count()
    );
    // R2: F7, the same bucket flat at 10/min with its bursts for 8 days, then its read rate
    // doubles for good (20/min, bursts 70) at day 8 12:00.
    let f = leak(10, |m| {
        bursty(if m >= 8 * 1440 + 720 { 20.0 } else { 10.0 }, m)
    })?;
    let after: Vec<Finding> = f.into_iter().filter(|x| x.end >= at(8 * 1440)).collect();
    show(
        "R2 F7 public bucket 10/min with 3.5x bursts every 30 min; read rate doubles at day 8 12:00",
        "none (a doubling is under min_ratio 3; the bursts are its habit)",
        &after,
    );
    // R6: F7, a public bucket read 20 a minute 08–20 h and 5 otherwise, with its 3.5× bursts
    // every half hour, for 8 days; then a leak at 4× the usual rate (20 a minute) for 30 min at
    // 02:00 on day 8.
    let leak_at = 8 * 1440 + 120;
    let f = leak(9, |m| {
        let base = if (480..1200).contains(&(m % 1440)) {
            20.0
        } else {
            5.0
        };
        if (leak_at..leak_at + 30).contains(&m) {
            4.0 * base
        } else {
            bursty(base, m)
        }
    })?;
    let after: Vec<Finding> = f.into_iter().filter(|x| x.end >= at(leak_at)).collect();
    show(
        "R6 F7 public bucket 20/min by day, 5 at night, 3.5x bursts every 30 min; night leak 4x (20/min) 30 min on day 8",
        "page (4x the usual rate, above min_ratio 3)",
        &after,
    );
    // R3: F3, usage 450 of a 1,000 quota, steps to 700 for good at day 4 09:00 (a deploy).
    let quota = Quota::new("lambda", "L-B99A9384", "Concurrent executions")
        .with_value(1000.0)
        .with_usage_metric(
            UsageMetric::new("AWS/Lambda", "ConcurrentExecutions").with_statistic("Maximum"),
        );
    let mut det = ServiceQuotaHit::new(QuotaSignal::from_quota(&quota)?, QuotaConfig::default())?;
    let mut f = Vec::new();
    for m in (0..14 * 1440).step_by(5) {
        let usage = if m >= 4 * 1440 + 540 { 700.0 } else { 450.0 };
        f.extend(det.push(QuotaSample { at: at(m), usage })?);
    }
    show(
        "R3 F3 usage 45 % of the quota, steps to 70 % for good at day 4 09:00 (flat before and after)",
        "none (70 % < warn 80 %, and flat: no climb)",
        &f,
    );
    // R4: F1, 1,000 calls a minute, 0.05 % throttled for a day, then 0.85 % (0.85× min_ratio)
    // for 6 hours; throttles Poisson (seed 1). And the same at 20,000 calls a minute.
    for calls in [300.0, 600.0, 1000.0, 20_000.0] {
        let mut rng = Rng::new(1);
        let mut det = ApiThrottling::new(
            ThrottleSignal::lambda("checkout")?,
            ThrottleConfig::default(),
        )?;
        let mut f = Vec::new();
        for m in 0..1440 + 360 {
            let share = if m >= 1440 { 0.0085 } else { 0.0005 };
            f.extend(det.push(ThrottleSample {
                at: at(m),
                calls,
                throttled: rng.poisson(calls * share),
            })?);
        }
        show(
            &format!(
                "R4 F1 {calls} calls/min, 0.85 % throttled (0.85x min_ratio) for 6 h after a day at 0.05 %"
            ),
            "none (the true share is under 1 %)",
            &f,
        );
    }
    // R5: F8, 10 USD/h flat, or bursty, readings every 6 h published 8 h late; 1.7× (0.85×
    // ticket_multiple) for 3 days from Oct 27.
    for cycle in [false, true] {
        let mut rng = Rng::new(1);
        let mut det = CostRunaway::new("USD", CostConfig::default())?;
        let mut f = Vec::new();
        let (mut total, mut month) = (0.0, t0().month());
        let onset = 22 * 24;
        for h in 8..35 * 24 {
            let u = h - 8;
            if at(u * 60).month() != month {
                (month, total) = (at(u * 60).month(), 0.0);
            }
            // Bursty: a fifth of the hours at 3× (as shape 0's CPU bursts), Poisson-free.
            let daily = if cycle && rng.uniform() < 0.2 {
                3.0
            } else {
                1.0
            };
            total += 10.0
                * daily
                * if (onset..onset + 72).contains(&u) {
                    1.7
                } else {
                    1.0
                };
            if h % 6 == 0 {
                f.extend(det.push(ChargeSample {
                    at: at(h * 60),
                    estimated_charges: total,
                })?);
            }
        }
        show(
            &format!(
                "R5 F8 10 USD/h {}, 6-hourly readings 8 h late, 1.7x for 3 days from {}",
                if cycle {
                    "bursty (20 % of hours 3x, seed 1)"
                } else {
                    "flat"
                },
                (t0() + Duration::hours(onset)).format("%a %m-%d")
            ),
            "none (1.7x < ticket_multiple 2)",
            &f,
        );
    }
    Ok(())
}
