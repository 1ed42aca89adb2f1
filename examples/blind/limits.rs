//! The drills of the blind game day on usage against a limit: F3 (a quota, five-minute
//! periods) and F6 (database connections, one-minute periods).

use failure_modes::{
    ConnectionConfig, ConnectionSample, ConnectionSignal, DbConnectionExhaustion, QuotaConfig,
    QuotaSample, QuotaSignal, ServiceQuotaHit, Severity,
};

use crate::metrics::{Case, Res, Shapes, drill, hour, play};
use crate::{Drill, Rng};

/// F3: vCPUs of a fleet against a quota of 1,000, five-minute periods.
pub(crate) fn f3(sh: &Shapes) -> Res<Vec<Drill>> {
    let cfg = QuotaConfig::default();
    let (warn, blocked) = (cfg.warn_share(), cfg.blocked_share());
    let onset = 4 * 1440 + 12 * 60;
    let limit = 1000.0;
    // The level the fleet would run at, or `None` for a gap, from the shaped usage.
    type Fx = Box<dyn Fn(i64, f64) -> Option<f64>>;
    let mut cases: Vec<Case<Fx>> = Vec::new();
    for (label, share, sev) in [
        (
            "just over warn_share (x1.05)",
            warn * 1.05,
            Severity::Ticket,
        ),
        (
            "midway warn..blocked",
            (warn + blocked) / 2.0,
            Severity::Ticket,
        ),
        ("at blocked_share", blocked, Severity::Page),
    ] {
        cases.push((
            format!("usage steps to {:.0} % ({label}) for 6 h", 100.0 * share),
            Some((onset, 360, sev)),
            Box::new(move |m, u| {
                Some(if (onset..onset + 360).contains(&m) {
                    share * limit
                } else {
                    u
                })
            }),
        ));
    }
    cases.push((
        "autoscaling leak: +1 vCPU/5 min, capped at 0.97 warn_share".into(),
        Some((onset, 2 * 1440, Severity::Ticket)),
        Box::new(move |m, u| {
            Some(if m >= onset {
                (u + (m - onset) as f64 / 5.0).min(0.97 * warn * limit)
            } else {
                u
            })
        }),
    ));
    cases.push((
        "clean 2 weeks: nightly batch to 75 % for 1 h".into(),
        None,
        Box::new(|m, u| Some(if hour(m) == 1 { 750.0 } else { u })),
    ));
    cases.push((
        "clean 2 weeks: release shifts usage +50 % (day 5)".into(),
        None,
        Box::new(|m, u| Some(if m >= 5 * 1440 { 1.5 * u } else { u })),
    ));
    cases.push((
        "clean 2 weeks: 6 h gaps every other day".into(),
        None,
        Box::new(|m, u| {
            if (m / 1440) % 2 == 1 && hour(m) < 6 {
                None
            } else {
                Some(u)
            }
        }),
    ));
    let mut out = Vec::new();
    for (i, (name, inc, f)) in cases.into_iter().enumerate() {
        let days = if inc.is_some() { 7 } else { 14 };
        let mut rng = Rng::new(300 + i as u64);
        let signal = QuotaSignal::resource_count(
            "On-Demand vCPU",
            limit,
            "EC2",
            "vCPU",
            "Standard/OnDemand",
        )?;
        let mut det = ServiceQuotaHit::new(signal, cfg)?;
        out.push(play(drill("F3", name, days, inc), &mut det, 5, |m, at| {
            let u = (350.0 * sh.cpu.at(m, 0).sqrt() + 5.0 * rng.normal())
                .clamp(50.0, 650.0)
                .round();
            f(m, u).map(|usage| QuotaSample {
                at,
                usage: usage.min(limit),
            })
        })?);
    }
    Ok(out)
}

/// F6: an RDS instance with `max_connections` 1,000 behind a Lambda (5 connections per
/// instance).
pub(crate) fn f6(sh: &Shapes) -> Res<Vec<Drill>> {
    let cfg = ConnectionConfig::default();
    let (warn, page) = (cfg.warn_share(), cfg.page_share());
    let onset = 2 * 1440 + 14 * 60;
    let limit = 1000.0;
    type Fx = Box<dyn Fn(i64, f64) -> Option<f64>>;
    let mut cases: Vec<Case<Fx>> = Vec::new();
    for (label, share, sev) in [
        (
            "just over warn_share (x1.05)",
            warn * 1.05,
            Severity::Ticket,
        ),
        (
            "just over page_share (x1.01)",
            (page * 1.01).min(1.0),
            Severity::Page,
        ),
    ] {
        cases.push((
            format!(
                "connections step to {:.0} % ({label}) for 2 h",
                100.0 * share
            ),
            Some((onset, 120, sev)),
            Box::new(move |m, c| {
                Some(if (onset..onset + 120).contains(&m) {
                    share * limit
                } else {
                    c
                })
            }),
        ));
    }
    cases.push((
        "pool leak: +1.5 connections/min until the limit".into(),
        Some((onset, 600, Severity::Page)),
        Box::new(move |m, c| {
            Some(if m >= onset {
                (c + 1.5 * (m - onset) as f64).min(limit)
            } else {
                c
            })
        }),
    ));
    cases.push((
        "slow leak: +0.5/min, stops at 0.97 warn_share".into(),
        Some((onset, 900, Severity::Ticket)),
        Box::new(move |m, c| {
            Some(if m >= onset {
                (c + 0.5 * (m - onset) as f64).min(0.97 * warn * limit)
            } else {
                c
            })
        }),
    ));
    cases.push((
        "retry storm: upstream concurrency ramps 4x over 30 min".into(),
        Some((onset, 60, Severity::Page)),
        Box::new(move |m, c| {
            Some(if (onset..onset + 60).contains(&m) {
                (c * (1.0 + 3.0 * ((m - onset) as f64 / 30.0).min(1.0))).min(limit)
            } else {
                c
            })
        }),
    ));
    cases.push((
        "clean week: nightly batch ramps to 75 % for 1 h".into(),
        None,
        Box::new(|m, c| {
            Some(if hour(m) == 1 {
                c.max(750.0 * ((m % 60) as f64 / 20.0).min(1.0))
            } else {
                c
            })
        }),
    ));
    cases.push((
        "clean week: deploy drops then reconnects (x1.4 for 10 min)".into(),
        None,
        Box::new(|m, c| {
            Some(match m % 1440 {
                x if (900..905).contains(&x) => 0.2 * c,
                x if (905..915).contains(&x) => 1.4 * c,
                _ => c,
            })
        }),
    ));
    cases.push((
        "clean week: release shifts connections +50 % (day 3)".into(),
        None,
        Box::new(|m, c| Some(if m >= 3 * 1440 { 1.5 * c } else { c })),
    ));
    cases.push((
        "clean week: 2 h gaps of missing data daily".into(),
        None,
        Box::new(|m, c| {
            if (180..300).contains(&(m % 1440)) {
                None
            } else {
                Some(c)
            }
        }),
    ));
    let mut out = Vec::new();
    for (i, (name, inc, f)) in cases.into_iter().enumerate() {
        let days = if inc.is_some() { 4 } else { 7 };
        let mut rng = Rng::new(600 + i as u64);
        let signal = ConnectionSignal::rds("orders", limit)?.with_lambda_upstream("checkout")?;
        let mut det = DbConnectionExhaustion::new(signal, cfg)?;
        out.push(play(drill("F6", name, days, inc), &mut det, 1, |m, at| {
            let base = (250.0 * sh.db.at(m, 0).powf(0.7) + 8.0 * rng.normal())
                .clamp(20.0, 550.0)
                .round();
            let connections = f(m, base)?.round().min(limit);
            Some(ConnectionSample {
                at,
                connections,
                upstream: Some((connections / 5.0).round()),
            })
        })?);
    }
    Ok(out)
}
