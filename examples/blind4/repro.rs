//! Minimal reproductions of the fourth blind game day's failing drills (`--repro`): no NAB
//! shape, default configs and presets, flat inputs; Poisson draws from a fixed seed where the
//! failure is about counts. Each prints what it expects and what the detector said.

use failure_modes::chrono::{Datelike, Duration};
use failure_modes::{
    AccessSample, ApiThrottling, AuditEvent, BucketExposure, ChargeSample, CompromiseConfig,
    CostConfig, CostRunaway, CredentialCompromise, Detector, Finding, Identity, LeakConfig,
    NetworkPartition, PartitionConfig, PublicDataLeak, ThrottleConfig, ThrottleSample,
    ThrottleSignal, ZoneObservation, ZoneSample, ZoneSignal,
};

use crate::{Res, Rng, at, t0};

fn show(name: &str, expected: &str, from: i64, fs: &[Finding]) {
    let fs: Vec<&Finding> = fs.iter().filter(|f| f.end >= at(from)).collect();
    println!(
        "{name}\n  expected: {expected}\n  actual: {} finding(s)",
        fs.len()
    );
    for f in fs.iter().take(4) {
        println!(
            "    {} at {} (start {}): {}",
            f.severity,
            f.end.format("%a %d %H:%M"),
            f.start.format("%H:%M"),
            f.evidence.detail.chars().take(170).collect::<String>()
        );
    }
}

/// F1: `calls` a minute, 0.05 % throttled for a day, then `share(minute since onset)` for
/// `len` minutes; Poisson throttles (seed `seed`).
fn throttling(calls: f64, len: i64, seed: u64, share: impl Fn(i64) -> f64) -> Res<Vec<Finding>> {
    let mut rng = Rng::new(seed);
    let mut det = ApiThrottling::new(
        ThrottleSignal::lambda("checkout")?,
        ThrottleConfig::default(),
    )?;
    let mut out = Vec::new();
    for m in 0..1440 + len + 60 {
        let s = if (1440..1440 + len).contains(&m) {
            share(m - 1440)
        } else {
            0.0005
        };
        out.extend(det.push(ThrottleSample {
            at: at(m),
            calls,
            throttled: rng.poisson(calls * s).min(calls),
        })?);
    }
    Ok(out)
}

/// F2: three zones of `n` requests a minute at 120 ms; zone b fails `share` of them with 5xx
/// for 30 minutes after a day (Poisson, seed `seed`).
fn partition(n: f64, share: f64, seed: u64) -> Res<Vec<Finding>> {
    let mut rng = Rng::new(seed);
    let names = ["a", "b", "c"];
    let mut det = NetworkPartition::new(
        ZoneSignal::alb("app/web/7", &names)?,
        PartitionConfig::default(),
    )?;
    let mut out = Vec::new();
    for m in 0..1440 + 90 {
        let bad = (1440..1470).contains(&m);
        let zones = (0..3)
            .map(|z| ZoneObservation {
                zone: names[z].into(),
                latency: Some(0.12),
                requests: n,
                errors: rng
                    .poisson(n * if z == 1 && bad { share } else { 0.0005 })
                    .min(n),
            })
            .collect();
        out.extend(det.push(ZoneSample { at: at(m), zones })?);
    }
    Ok(out)
}

fn app() -> Identity {
    Identity::new("AssumedRole").with_arn("arn:aws:sts::111122223333:assumed-role/app/i-0f00")
}

/// F4: the app role at 150 calls an hour, evenly, for 8 days; on day 8 a gap of `gap` hours of
/// no events before 11:00, then 600 calls in the 11:00 hour (bar 450: 1.33×).
fn burst_after_gap(gap: i64) -> Res<Vec<Finding>> {
    let mut det = CredentialCompromise::new(CompromiseConfig::default())?;
    let mut out = Vec::new();
    for h in 0..8 * 24 + 14 {
        if (8 * 24 + 11 - gap..8 * 24 + 11).contains(&h) {
            continue;
        }
        let n = if h == 8 * 24 + 11 { 600 } else { 150 };
        for i in 0..n {
            let t = at(h * 60) + Duration::milliseconds(i * 3_600_000 / n);
            out.extend(det.push(AuditEvent::new(
                t,
                "dynamodb.amazonaws.com",
                "GetItem",
                "eu-central-1",
                "10.1.2.3",
                app(),
            ))?);
        }
    }
    Ok(out)
}

/// F7: a public bucket (known from the start) read 20 a minute (Poisson, seed 1) for 8 days;
/// on day 8 `gap` minutes without a datapoint before 12:00, then 100 a minute for 20 minutes.
fn spike_after_gap(gap: i64) -> Res<Vec<Finding>> {
    let mut rng = Rng::new(1);
    let mut facts = BucketExposure::new("site-assets");
    facts.policy_is_public = Some(true);
    let mut det = PublicDataLeak::new(facts, LeakConfig::default())?;
    let _ = det.assess(t0());
    let onset = 8 * 1440 + 720;
    let mut out = Vec::new();
    for m in 0..onset + 60 {
        let usual = rng.poisson(20.0);
        if (onset - gap..onset).contains(&m) {
            continue;
        }
        let requests = if (onset..onset + 20).contains(&m) {
            100.0
        } else {
            usual
        };
        out.extend(det.push(AccessSample {
            at: at(m),
            requests,
        })?);
    }
    Ok(out)
}

/// F8: 10 USD an hour flat from Oct 5, hourly readings `lag` hours late; × `k` from day 15
/// 00:00 (usage time) for 2 days.
fn runaway(k: f64, lag: i64) -> Res<Vec<Finding>> {
    let mut det = CostRunaway::new("USD", CostConfig::default())?;
    let (mut total, mut month, mut out) = (0.0, t0().month(), Vec::new());
    for h in lag..19 * 24 {
        let u = h - lag;
        if at(u * 60).month() != month {
            (month, total) = (at(u * 60).month(), 0.0);
        }
        total += 10.0
            * if (15 * 24..17 * 24).contains(&u) {
                k
            } else {
                1.0
            };
        out.extend(det.push(ChargeSample {
            at: at(h * 60),
            estimated_charges: total,
        })?);
    }
    Ok(out)
}

pub(crate) fn run() -> Res<()> {
    let day = 1440;
    show(
        "R1 F1 1,000 calls/min; 1.5 % throttled 45 min, then 12 % for 45 min (after a day at 0.05 %)",
        "ticket, then page within 15 min of 12 % (page_ratio 10 %)",
        day,
        &throttling(1000.0, 90, 1, |s| if s < 45 { 0.015 } else { 0.12 })?,
    );
    show(
        "R1b the same growth, 12 % held for 4 h",
        "page within 15 min of 12 %",
        day,
        &throttling(1000.0, 285, 1, |s| if s < 45 { 0.015 } else { 0.12 })?,
    );
    show(
        "R1d 1.5 % for 2 h, then 30 % for 45 min",
        "page within 15 min of 30 %",
        day,
        &throttling(1000.0, 165, 1, |s| if s < 120 { 0.015 } else { 0.30 })?,
    );
    show(
        "R1c control: 12 % throttled from the start for 45 min",
        "page",
        day,
        &throttling(1000.0, 45, 1, |_| 0.12)?,
    );
    show(
        "R2 F1 1,000 calls/min, exactly 10 % throttled for 60 min",
        "page (at page_ratio)",
        day,
        &throttling(1000.0, 60, 1, |_| 0.10)?,
    );
    for seed in 1..=3 {
        show(
            &format!("R3 F1 100 calls/min (a night), 1.5 % throttled for 60 min (seed {seed})"),
            "ticket by 00:15 (5 periods + slack)",
            day,
            &throttling(100.0, 60, seed, |_| 0.015)?,
        );
    }
    for (n, share) in [(40.0, 0.015), (40.0, 0.03), (200.0, 0.015)] {
        show(
            &format!(
                "R4 F2 3 zones x {n} requests/min at 120 ms; zone b {} % 5xx for 30 min (seed 1)",
                share * 100.0
            ),
            "page by 00:10 (5xx over 5 periods >= 1 %, 4 of 5)",
            day,
            &partition(n, share, 1)?,
        );
    }
    // Sweeps: the first finding's minute after onset over seeds 1-10 ("-": none by the end).
    let first = |fs: &[Finding], from: i64| {
        fs.iter()
            .map(|f| (f.end - at(from)).num_minutes())
            .find(|&m| m >= 0)
            .map_or("-".to_string(), |m| m.to_string())
    };
    for n in [40.0, 70.0, 100.0, 150.0] {
        let mins: Vec<String> = (1..=10)
            .map(|seed| Ok(first(&partition(n, 0.015, seed)?, day)))
            .collect::<Res<_>>()?;
        println!(
            "R4s F2 {n} req/zone/min, zone b 1.5 % 5xx for 30 min: first page after {mins:?} min"
        );
    }
    for calls in [100.0, 200.0, 400.0, 1000.0] {
        let mins: Vec<String> = (1..=10)
            .map(|seed| Ok(first(&throttling(calls, 60, seed, |_| 0.015)?, day)))
            .collect::<Res<_>>()?;
        println!(
            "R3s F1 {calls} calls/min, 1.5 % throttled for 60 min: first ticket after {mins:?} min"
        );
    }
    for gap in [0, 1, 6] {
        show(
            &format!(
                "R5 F4 app role 150 calls/h for 8 days; {gap} h without events, then 600 calls in the 11:00 hour"
            ),
            "page in the 11:00 hour (600 > 3 x 150 and > 1.5 x 150 and >= 100)",
            8 * day + 11 * 60,
            &burst_after_gap(gap)?,
        );
    }
    for gap in [0, 30, 90] {
        show(
            &format!(
                "R6 F7 public bucket 20/min for 8 days; {gap} min without datapoints, then 100/min for 20 min at 12:00"
            ),
            "page by 12:05 (5x the usual, above the week's busiest minute, Poisson tail << 1e-9)",
            8 * day + 720 - 120,
            &spike_after_gap(gap)?,
        );
    }
    for (k, lag) in [(10.0, 4), (12.0, 4), (10.0, 8)] {
        show(
            &format!(
                "R7 F8 10 USD/h flat, hourly readings {lag} h late, {k}x from day 15 00:00 for 2 days"
            ),
            "ticket, then page (page_multiple 10)",
            15 * day,
            &runaway(k, lag)?,
        );
    }
    Ok(())
}
