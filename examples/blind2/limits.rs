//! The drills of the second blind game day on usage against a limit: F3 (a quota) and F6
//! (database connections).

use failure_modes::aws_telemetry::Period;
use failure_modes::chrono::Duration;
use failure_modes::{
    ConnectionConfig, ConnectionSample, ConnectionSignal, DbConnectionExhaustion, Quota,
    QuotaConfig, QuotaSample, QuotaSignal, ServiceQuotaHit, Severity, UsageMetric,
};

use crate::metrics::{Res, drill, play};
use crate::{Drill, Rng, Shapes2, cycle, t0};

/// Usage (a share of the limit) per minute from the usual share; `None`: no datapoint.
type Fx = Box<dyn Fn(i64, f64) -> Option<f64>>;

/// A drill: name, incident (onset, minutes, severity), days, period in minutes, behaviour.
type Case = (String, Option<(i64, i64, Severity)>, i64, i64, Fx);

/// All drills of F3 and F6.
pub(crate) fn drills(sh: &Shapes2) -> Res<Vec<Drill>> {
    let mut out = f3(sh)?;
    out.extend(f6(sh)?);
    Ok(out)
}

/// A nightly batch from 01:00: a 40-minute ramp to `share`, held 30 minutes.
fn nightly(share: f64) -> Fx {
    Box::new(move |m, u| {
        let x = m % 1440 - 60;
        Some(match x {
            0..40 => u.max(share * (x as f64 + 1.0) / 40.0),
            40..70 => share,
            _ => u,
        })
    })
}

/// `share` of the limit from `onset` for `len` minutes.
fn step(onset: i64, len: i64, share: f64) -> Fx {
    Box::new(move |m, u| {
        Some(if (onset..onset + len).contains(&m) {
            share
        } else {
            u
        })
    })
}

/// The usual share at minute `m`: 15-45 % with the shape, the day and the week.
fn usual(shape: &crate::Shape, rng: &mut Rng, m: i64) -> f64 {
    let c = cycle(t0() + Duration::minutes(m));
    (0.12 + 0.25 * c * shape.at(m, 0).sqrt() + 0.01 * rng.normal()).clamp(0.05, 0.5)
}

fn f3(sh: &Shapes2) -> Res<Vec<Drill>> {
    let cfg = QuotaConfig::default();
    let warn = cfg.warn_share();
    let onset = 4 * 1440 + 12 * 60;
    let leak = 5 * 1440 + 9 * 60;
    let t = Severity::Ticket;
    let cases: Vec<Case> = vec![
        (
            "D-3a clean 2 weeks: nightly batch ramps to 75 % of the quota".into(),
            None,
            14,
            5,
            nightly(0.75),
        ),
        (
            "D-3b leak +6/period to 85 % from day 5 09:00, fixed day 6 09:00".into(),
            Some((leak, 1440, t)),
            14,
            5,
            Box::new(move |m, u| {
                Some(if (leak..leak + 1440).contains(&m) {
                    (u + 0.006 * ((m - leak) / 5) as f64).min(0.85)
                } else {
                    u
                })
            }),
        ),
        (
            format!("D-3c {:.0} % (1.1x warn_share) for 6 h", 110.0 * warn),
            Some((onset, 360, t)),
            7,
            5,
            step(onset, 360, 1.1 * warn),
        ),
        (
            format!(
                "D-3d {:.0} % (0.9x warn_share) for 6 h (nuisance)",
                90.0 * warn
            ),
            None,
            7,
            5,
            step(onset, 360, 0.9 * warn),
        ),
        (
            "D-3e at the quota for 1 h".into(),
            Some((onset, 60, Severity::Page)),
            7,
            5,
            step(onset, 60, 1.0),
        ),
        (
            "D-3f clean 2 weeks, EC2 vCPU 2,000 (resource_count)".into(),
            None,
            14,
            5,
            Box::new(|_, u| Some(u)),
        ),
    ];
    let mut out = Vec::new();
    for (i, (name, inc, days, period, f)) in cases.into_iter().enumerate() {
        let mut rng = Rng::new(1300 + i as u64);
        let (signal, limit) = if name.starts_with("D-3f") {
            let s = QuotaSignal::resource_count(
                "Running On-Demand Standard instances",
                2000.0,
                "EC2",
                "vCPU",
                "Standard/OnDemand",
            )?;
            (s, 2000.0)
        } else {
            let quota = Quota::new("lambda", "L-B99A9384", "Concurrent executions")
                .with_value(1000.0)
                .with_usage_metric(
                    UsageMetric::new("AWS/Lambda", "ConcurrentExecutions")
                        .with_statistic("Maximum"),
                );
            (QuotaSignal::from_quota(&quota)?, 1000.0)
        };
        let mut det = ServiceQuotaHit::new(signal, cfg)?;
        out.push(play(
            drill("F3", name, days, inc),
            &mut det,
            period,
            |m, at| {
                let u = usual(&sh.usage, &mut rng, m);
                f(m, u).map(|share| QuotaSample {
                    at,
                    usage: (share * limit).round().min(limit),
                })
            },
        )?);
    }
    Ok(out)
}

fn f6(sh: &Shapes2) -> Res<Vec<Drill>> {
    let cfg = ConnectionConfig::default();
    let (warn, page) = (cfg.warn_share(), cfg.page_share());
    let onset = 2 * 1440 + 14 * 60;
    let t = Severity::Ticket;
    let limit = 1000.0;
    let cases: Vec<Case> = vec![
        (
            "D-6a clean 2 weeks: nightly batch ramps to 75 % of max_connections".into(),
            None,
            14,
            1,
            nightly(0.75),
        ),
        (
            format!("D-6b {:.0} % (1.1x warn_share) for 2 h", 110.0 * warn),
            Some((onset, 120, t)),
            4,
            1,
            step(onset, 120, 1.1 * warn),
        ),
        (
            format!(
                "D-6c {:.0} % (0.9x warn_share) for 2 h (nuisance)",
                90.0 * warn
            ),
            None,
            4,
            1,
            step(onset, 120, 0.9 * warn),
        ),
        (
            format!("D-6d {:.1} % (0.9x page_share) for 2 h", 90.0 * page),
            Some((onset, 120, t)),
            4,
            1,
            step(onset, 120, 0.9 * page),
        ),
        (
            "D-6e at max_connections for 30 min".into(),
            Some((onset, 30, Severity::Page)),
            4,
            1,
            step(onset, 30, 1.0),
        ),
        (
            "D-6f pool leak +2 connections/min until the limit".into(),
            Some((onset, 420, Severity::Page)),
            4,
            1,
            Box::new(move |m, u| {
                Some(if m >= onset {
                    (u + 0.002 * (m - onset) as f64).min(1.0)
                } else {
                    u
                })
            }),
        ),
        (
            "D-6g clean 2 weeks, 5-min periods".into(),
            None,
            14,
            5,
            Box::new(|_, u| Some(u)),
        ),
    ];
    let mut out = Vec::new();
    for (i, (name, inc, days, period, f)) in cases.into_iter().enumerate() {
        let mut rng = Rng::new(1600 + i as u64);
        let mut signal = ConnectionSignal::rds("ledger", limit)?;
        signal.period = Period::new(60 * period as u32)?;
        let mut det = DbConnectionExhaustion::new(signal, cfg)?;
        out.push(play(
            drill("F6", name, days, inc),
            &mut det,
            period,
            |m, at| {
                let u = usual(&sh.db, &mut rng, m);
                f(m, u).map(|share| ConnectionSample {
                    at,
                    connections: (share * limit).round().min(limit),
                    upstream: None,
                })
            },
        )?);
    }
    Ok(out)
}
