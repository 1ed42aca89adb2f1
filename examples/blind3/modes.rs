//! The eight runners of the third blind game day, one table-driven loop per mode over the
//! nuisance families × the two shapes (see DRILLS.md for the mechanisms and magnitudes).

use failure_modes::chrono::{Datelike, Duration, Timelike, Weekday};
use failure_modes::{
    AccessSample, ApiThrottling, AuditEvent, BucketExposure, ChargeSample, ColdStartConfig,
    ColdStartLatency, ColdStartSample, ColdStartSignal, CompromiseConfig, ConnectionConfig,
    ConnectionSample, ConnectionSignal, CostConfig, CostRunaway, CredentialCompromise,
    DbConnectionExhaustion, Detector, Identity, LeakConfig, NetworkPartition, PartitionConfig,
    PublicDataLeak, Quota, QuotaConfig, QuotaSample, QuotaSignal, ServiceQuotaHit, Severity,
    SignInOutcome, ThrottleConfig, ThrottleSample, ThrottleSignal, UsageMetric, ZoneObservation,
    ZoneSample, ZoneSignal,
};

use crate::{Drill, Env, FAMILIES, Family, Plan, Res, Rng, Shape, at, t0};

/// Every drill of every mode.
pub(crate) fn all(shapes: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let mut out = Vec::new();
    for (i, run) in [f1, f2, f3, f4, f5, f6, f7, f8].into_iter().enumerate() {
        out.extend(run(shapes, seed * 1_000_003 + 10_000 * (i as u64 + 1))?);
    }
    Ok(out)
}

/// A mode's timing: first day of events, shift factor, (near, incident) lengths in minutes,
/// (clean, incident) drill days.
type Timing = (i64, f64, (i64, i64), (i64, i64));

/// The drills of one mode: (shape index, drill, plan, generator) for each family and shape.
fn cases<'a>(
    mode: &'static str,
    shapes: &'a [Shape; 2],
    seed: u64,
    (day0, shift, lens, days): Timing,
    sev: Severity,
) -> impl Iterator<Item = (usize, &'a Shape, Drill, Plan, Rng)> {
    shapes.iter().enumerate().flat_map(move |(si, shape)| {
        FAMILIES
            .iter()
            .enumerate()
            .map(move |(fi, &(family, label))| {
                let mut rng = Rng::new(seed + 100 * si as u64 + fi as u64);
                let plan = Plan::new(family, &mut rng, day0, shift, lens, days);
                let name = format!("[{} {label}]", &shape.name[20..]);
                let drill = Drill::new(mode, name, &plan, sev);
                (si, shape, drill, plan, rng)
            })
    })
}

/// Runs `det` over the plan's minutes at `step`, one sample per present minute.
fn play<D: Detector>(
    mut d: Drill,
    det: &mut D,
    (plan, shape, rng): (&Plan, &Shape, &mut Rng),
    step: i64,
    mut sample: impl FnMut(&Env, &mut Rng, i64) -> D::Input,
) -> Res<Drill> {
    for m in (0..plan.days * 1440).step_by(step as usize) {
        let e = plan.env(shape, rng, m);
        if e.present {
            let s = sample(&e, rng, m);
            d.findings.extend(det.push(s)?);
        }
    }
    Ok(d)
}

/// `near` × `k_near`, `inc` × `k_inc`, else 1.
fn bump(e: &Env, k_near: f64, k_inc: f64) -> f64 {
    if e.inc {
        k_inc
    } else if e.near {
        k_near
    } else {
        1.0
    }
}

fn f1(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = ThrottleConfig::default();
    let min = cfg.min_ratio();
    let timing = (3, 2.0, (360, 120), (14, 7));
    let mut out = Vec::new();
    for (si, shape, d, plan, mut rng) in cases("F1", sh, seed, timing, Severity::Ticket) {
        let signal = if si == 0 {
            ThrottleSignal::lambda("checkout")?
        } else {
            ThrottleSignal::dynamodb("orders", "Query")?
        };
        let mut det = ApiThrottling::new(signal, cfg)?;
        out.push(play(
            d,
            &mut det,
            (&plan, shape, &mut rng),
            1,
            |e, rng, m| {
                let calls = rng.poisson(600.0 * e.load);
                let share = if e.inc || e.near {
                    bump(e, 0.85, 1.3) * min
                } else {
                    0.0005
                };
                ThrottleSample {
                    at: at(m),
                    calls,
                    throttled: rng.poisson(calls * share).min(calls),
                }
            },
        )?);
    }
    Ok(out)
}

fn f2(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = PartitionConfig::default();
    let r = cfg.peer_ratio();
    let timing = (3, 1.5, (360, 120), (14, 7));
    let names = ["a", "b", "c"];
    let mut out = Vec::new();
    for (_, shape, d, plan, mut rng) in cases("F2", sh, seed, timing, Severity::Page) {
        let mut det = NetworkPartition::new(ZoneSignal::alb("app/web/7", &names)?, cfg)?;
        out.push(play(
            d,
            &mut det,
            (&plan, shape, &mut rng),
            1,
            |e, rng, m| {
                // An upward shift is a rebalance: zone a takes more of the same traffic.
                let rebalance = e.level > 1.0;
                let load = if rebalance { e.load / e.level } else { e.load };
                let zones = (0..3)
                    .map(|z| {
                        let share = if rebalance { [1.5, 0.75, 0.75][z] } else { 1.0 };
                        let n = rng.poisson(200.0 * load * share);
                        let spread = 0.06 + 0.6 / (n + 1.0).sqrt();
                        let own = [1.0, 1.04, 0.97][z];
                        let moved = if rebalance && z == 0 { 1.15 } else { 1.0 };
                        let bad = if z == 1 {
                            bump(e, 0.85 * r, 1.3 * r)
                        } else {
                            1.0
                        };
                        let latency = 0.12
                            * own
                            * (1.0 + 0.15 * load)
                            * (spread * plan.unit(rng)).exp()
                            * moved
                            * bad;
                        ZoneObservation {
                            zone: names[z].to_string(),
                            latency: (n > 0.0).then_some(latency),
                            requests: n,
                            errors: rng.poisson(n * 0.0005).min(n),
                        }
                    })
                    .collect();
                ZoneSample { at: at(m), zones }
            },
        )?);
    }
    Ok(out)
}

/// F3 and F6: the share of the limit at a minute: 45 % (× the shift) with a little of the
/// load, 0.85× the warning share while near, 1.2× during the incident.
fn usage_share(e: &Env, warn: f64) -> f64 {
    if e.inc || e.near {
        return bump(e, 0.85, 1.2) * warn;
    }
    0.45 * e.level * (0.8 + 0.2 * (e.load / e.level).min(1.5))
}

fn f3(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = QuotaConfig::default();
    let timing = (3, 70.0 / 45.0, (360, 120), (14, 7));
    let mut out = Vec::new();
    for (_, shape, d, plan, mut rng) in cases("F3", sh, seed, timing, Severity::Ticket) {
        let quota = Quota::new("lambda", "L-B99A9384", "Concurrent executions")
            .with_value(1000.0)
            .with_usage_metric(
                UsageMetric::new("AWS/Lambda", "ConcurrentExecutions").with_statistic("Maximum"),
            );
        let mut det = ServiceQuotaHit::new(QuotaSignal::from_quota(&quota)?, cfg)?;
        out.push(play(
            d,
            &mut det,
            (&plan, shape, &mut rng),
            5,
            |e, _, m| QuotaSample {
                at: at(m),
                usage: (1000.0 * usage_share(e, cfg.warn_share()))
                    .round()
                    .min(1000.0),
            },
        )?);
    }
    Ok(out)
}

fn f6(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = ConnectionConfig::default();
    let timing = (3, 70.0 / 45.0, (360, 120), (14, 7));
    let mut out = Vec::new();
    for (_, shape, d, plan, mut rng) in cases("F6", sh, seed, timing, Severity::Page) {
        let mut det = DbConnectionExhaustion::new(ConnectionSignal::rds("ledger", 1000.0)?, cfg)?;
        out.push(play(
            d,
            &mut det,
            (&plan, shape, &mut rng),
            1,
            |e, _, m| ConnectionSample {
                at: at(m),
                connections: (1000.0 * usage_share(e, cfg.warn_share()))
                    .round()
                    .min(1000.0),
                upstream: None,
            },
        )?);
    }
    Ok(out)
}

fn f5(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = ColdStartConfig::default();
    let r = cfg.min_ratio();
    let timing = (3, 1.5, (180, 30), (14, 7));
    let mut out = Vec::new();
    for (_, shape, d, plan, mut rng) in cases("F5", sh, seed, timing, Severity::Ticket) {
        let mut det = ColdStartLatency::new(ColdStartSignal::lambda("thumbnails")?, cfg)?;
        out.push(play(
            d,
            &mut det,
            (&plan, shape, &mut rng),
            1,
            |e, rng, m| {
                let concurrency = (rng.poisson(25.0 * e.load) * bump(e, 2.0, 3.0)).max(1.0);
                let spread = 0.04 + 0.1 / concurrency.sqrt();
                let deploy = if e.level > 1.0 { 1.2 } else { 1.0 };
                ColdStartSample {
                    at: at(m),
                    p95_ms: 150.0
                        * (spread * plan.unit(rng)).exp()
                        * deploy
                        * bump(e, 0.85 * r, 1.3 * r),
                    concurrency,
                    init_ms: (e.near || e.inc).then_some(800.0),
                }
            },
        )?);
    }
    Ok(out)
}

fn f7(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = LeakConfig::default();
    let r = cfg.min_ratio();
    let timing = (3, 2.0, (30, 30), (14, 7));
    let mut out = Vec::new();
    for (si, shape, mut d, plan, mut rng) in cases("F7", sh, seed, timing, Severity::Page) {
        // Spikes on a private bucket are not F7 (its docs): shape 1's spikes must not fire.
        if si == 1 {
            d.expect = None;
        }
        let mut facts = BucketExposure::new("site-assets");
        facts.policy_is_public = Some(si == 0);
        let mut det = PublicDataLeak::new(facts, cfg)?;
        // A bucket known public from the start: that known exposure is not what is scored.
        let _ = det.assess(t0());
        out.push(play(
            d,
            &mut det,
            (&plan, shape, &mut rng),
            1,
            |e, rng, m| AccessSample {
                at: at(m),
                requests: rng.poisson(20.0 * e.load * bump(e, 0.85 * r, 1.3 * r)),
            },
        )?);
    }
    Ok(out)
}

/// The first minute of the day after minute `m`'s.
fn next_midnight(m: i64) -> i64 {
    (m / 1440 + 1) * 1440
}

fn f8(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = CostConfig::default();
    let tm = cfg.ticket_multiple();
    let timing = (21, 1.4, (3 * 1440, 1440), (42, 42));
    let mut out = Vec::new();
    for (si, shape, mut d, mut plan, mut rng) in cases("F8", sh, seed, timing, Severity::Ticket) {
        // Daily incidents: from the midnight after the shift, or a day without readings then
        // the incident day; the near nuisance from midnight.
        match plan.family {
            Family::IncAfterShift => {
                let s = plan.shift.map_or(0, |s| s.0);
                plan.inc = Some((next_midnight(s), 1440));
            }
            Family::IncAfterGap => {
                let s = next_midnight(plan.holes[0].0) - 1440;
                plan.holes = vec![(s, 1440)];
                plan.inc = Some((s + 1440, 1440));
            }
            Family::Near => plan.near = plan.near.map(|(s, l)| (s / 1440 * 1440, l)),
            _ => {}
        }
        d = Drill::new("F8", d.name, &plan, Severity::Ticket);
        let (every, lag) = if si == 0 { (6, 8) } else { (1, 4) };
        let hours = plan.days * 24;
        let envs: Vec<Env> = (0..hours)
            .map(|h| plan.env(shape, &mut rng, h * 60))
            .collect();
        let spend = |e: &Env| {
            let usual = 10.0 * (0.5 + 0.5 * e.load / e.level);
            if e.inc {
                usual * 1.3 * tm
            } else {
                usual * e.level * bump(e, 0.85 * tm, 1.0)
            }
        };
        let mut det = CostRunaway::new("USD", cfg)?;
        let (mut month, mut total) = (t0().month(), 0.0);
        for h in lag..hours {
            let usage = (h - lag) as usize;
            if at(usage as i64 * 60).month() != month {
                (month, total) = (at(usage as i64 * 60).month(), 0.0);
            }
            total += spend(&envs[usage]);
            if h % every == 0 && envs[h as usize].present {
                d.findings.extend(det.push(ChargeSample {
                    at: at(h * 60),
                    estimated_charges: total,
                })?);
            }
        }
        out.push(d);
    }
    Ok(out)
}

fn app() -> Identity {
    Identity::new("AssumedRole").with_arn("arn:aws:sts::111122223333:assumed-role/app/i-0f00")
}

/// F4's documented burst bar for hour `h` from the hourly counts before it: max(burst ×
/// busiest same-day-type hour within ± 1 of h's, overall × busiest hour, min_burst), peaks
/// decayed by `daily_decay` per day.
fn burst_bar(cfg: &CompromiseConfig, counts: &[f64], h: usize) -> f64 {
    let weekend = |k: usize| matches!(at(k as i64 * 60).weekday(), Weekday::Sat | Weekday::Sun);
    let decayed = |k: usize| counts[k] * cfg.daily_decay().powf((h - k) as f64 / 24.0);
    let near_hour = |k: usize| {
        let d = (k % 24).abs_diff(h % 24);
        d.min(24 - d) <= 1
    };
    let same = (0..h)
        .filter(|&k| weekend(k) == weekend(h) && near_hour(k))
        .map(decayed)
        .fold(0.0, f64::max);
    let overall = (0..h).map(decayed).fold(0.0, f64::max);
    (cfg.burst_multiple() * same)
        .max(cfg.overall_multiple() * overall)
        .max(f64::from(cfg.min_burst()))
}

fn f4(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = CompromiseConfig::default();
    let timing = (9, 1.5, (180, 60), (14, 14));
    let mut out = Vec::new();
    for (_, shape, mut d, mut plan, mut rng) in cases("F4", sh, seed, timing, Severity::Page) {
        // Bursts are judged per clock hour: the incident is the next whole hour.
        plan.inc = plan.inc.map(|(s, l)| ((s + 59) / 60 * 60, l));
        d = Drill::new("F4", d.name, &plan, Severity::Page);
        let hours = (plan.days * 24) as usize;
        let envs: Vec<Env> = (0..hours)
            .map(|h| plan.env(shape, &mut rng, h as i64 * 60))
            .collect();
        let mut counts: Vec<f64> = envs
            .iter()
            .map(|e| {
                if e.present {
                    rng.poisson(150.0 * e.load)
                } else {
                    0.0
                }
            })
            .collect();
        // Near: each near hour at 0.85× the first near hour's bar; incident 1.3× its bar.
        let mut near_bar = None;
        for h in 0..hours {
            let e = &envs[h];
            if e.near || e.inc {
                let bar = if e.inc {
                    1.3 * burst_bar(&cfg, &counts, h)
                } else {
                    0.85 * *near_bar.get_or_insert_with(|| burst_bar(&cfg, &counts, h))
                };
                counts[h] = counts[h].max(bar.ceil());
            }
        }
        let mut det = CredentialCompromise::new(cfg)?;
        for (h, e) in envs.iter().enumerate() {
            if !e.present {
                continue;
            }
            let start = at(h as i64 * 60);
            let n = counts[h] as i64;
            let mut events: Vec<AuditEvent> = (0..n)
                .map(|i| {
                    AuditEvent::new(
                        start + Duration::milliseconds(i * 3_600_000 / n.max(1)),
                        "dynamodb.amazonaws.com",
                        "GetItem",
                        "eu-central-1",
                        "10.1.2.3",
                        app(),
                    )
                })
                .collect();
            if rng.uniform() < 5.0 / 24.0 {
                events.push(
                    AuditEvent::new(
                        start + Duration::minutes(rng.below(60)),
                        "s3.amazonaws.com",
                        "GetObject",
                        "eu-central-1",
                        "10.1.2.3",
                        app(),
                    )
                    .with_error("AccessDenied"),
                );
            }
            let weekend = matches!(start.weekday(), Weekday::Sat | Weekday::Sun);
            if !weekend && start.hour() == 9 {
                events.push(
                    AuditEvent::new(
                        start + Duration::minutes(2),
                        "signin.amazonaws.com",
                        "ConsoleLogin",
                        "us-east-1",
                        "198.51.100.20",
                        Identity::new("IAMUser")
                            .with_user_name("alice")
                            .with_arn("arn:aws:iam::111122223333:user/alice"),
                    )
                    .with_sign_in(SignInOutcome::Success)
                    .with_mfa(true),
                );
            }
            events.sort_by_key(|e| e.time);
            for ev in events {
                d.findings.extend(det.push(ev)?);
            }
        }
        out.push(d);
    }
    Ok(out)
}
