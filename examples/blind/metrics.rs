//! The metric drills of the blind game day: F1, F2, F3, F5 and F6, one-minute (F3: five-minute)
//! samples shaped by real series, with default configurations and preset signals.

use std::error::Error;

use failure_modes::chrono::{DateTime, Duration, Utc};
use failure_modes::{
    ApiThrottling, ColdStartConfig, ColdStartLatency, ColdStartSample, ColdStartSignal, Detector,
    NetworkPartition, PartitionConfig, Severity, ThrottleConfig, ThrottleSample, ThrottleSignal,
    ZoneObservation, ZoneSample, ZoneSignal,
};

use crate::{Drill, Expect, Rng, Shape, t0};

/// The real series the drills take their shapes from.
#[derive(Debug)]
pub(crate) struct Shapes {
    /// Load balancer requests: traffic.
    pub(crate) traffic: Shape,
    /// EC2 CPU: usage of a quota.
    pub(crate) cpu: Shape,
    /// RDS CPU: database load.
    pub(crate) db: Shape,
    /// Network in: bucket reads.
    pub(crate) network: Shape,
}

pub(crate) type Res<T> = Result<T, Box<dyn Error>>;

/// A drill's name, its incident (onset and length in minutes, expected severity) if any, and
/// its mechanism.
pub(crate) type Case<F> = (String, Option<(i64, i64, Severity)>, F);

/// The minute of the day of `m`.
pub(crate) fn hour(m: i64) -> i64 {
    (m / 60) % 24
}

/// A drill that is an incident from `onset` (minutes) for `len` minutes, over `days` days.
pub(crate) fn drill(
    mode: &'static str,
    name: String,
    days: i64,
    incident: Option<(i64, i64, Severity)>,
) -> Drill {
    let at = |m: i64| t0() + Duration::minutes(m);
    Drill {
        mode,
        name,
        expect: match incident {
            Some((onset, len, severity)) => Expect::Incident {
                onset: at(onset),
                until: at(onset + len),
                severity,
            },
            None => Expect::Clean,
        },
        span: (t0(), at(days * 1440)),
        findings: Vec::new(),
    }
}

/// Runs `detector` over the minutes of `d`'s span at `step` minutes, each turned into a sample
/// by `sample` (`None`: no datapoint).
pub(crate) fn play<D: Detector>(
    mut d: Drill,
    detector: &mut D,
    step: i64,
    mut sample: impl FnMut(i64, DateTime<Utc>) -> Option<D::Input>,
) -> Res<Drill> {
    let end = (d.span.1 - d.span.0).num_minutes();
    for m in (0..end).step_by(step as usize) {
        if let Some(s) = sample(m, d.span.0 + Duration::minutes(m)) {
            d.findings.extend(detector.push(s)?);
        }
    }
    Ok(d)
}

/// All metric drills.
pub(crate) fn drills(sh: &Shapes) -> Res<Vec<Drill>> {
    let mut out = Vec::new();
    out.extend(f1(sh)?);
    out.extend(f2(sh)?);
    out.extend(crate::limits::f3(sh)?);
    out.extend(f5(sh)?);
    out.extend(crate::limits::f6(sh)?);
    Ok(out)
}

/// F1: throttled share of a Lambda's calls; normal throttling 0.05 %.
fn f1(sh: &Shapes) -> Res<Vec<Drill>> {
    let cfg = ThrottleConfig::default();
    let (min, page) = (cfg.min_ratio(), cfg.page_ratio());
    let onset = 1440 + 14 * 60;
    type Fx = Box<dyn Fn(i64) -> (f64, f64)>;
    // `share` of the calls throttled for the hour from the onset, the usual 0.05 % otherwise.
    let for_an_hour = |share: f64| -> Fx {
        Box::new(move |m| {
            let throttled = if (onset..onset + 60).contains(&m) {
                share
            } else {
                0.0005
            };
            (1.0, throttled)
        })
    };
    let mut cases: Vec<Case<Fx>> = Vec::new();
    for k in [1.2, 2.0, 5.0] {
        let share = k * min;
        cases.push((
            format!(
                "throttling at {k}x min_ratio ({:.1} %) for 60 min",
                100.0 * share
            ),
            Some((onset, 60, Severity::Ticket)),
            for_an_hour(share),
        ));
    }
    let share = 1.2 * page;
    cases.push((
        format!(
            "throttling at 1.2x page_ratio ({:.0} %) for 60 min",
            100.0 * share
        ),
        Some((onset, 60, Severity::Page)),
        for_an_hour(share),
    ));
    cases.push((
        "retry storm ramping to 3x page_ratio over 30 min, retries add calls".into(),
        Some((onset, 60, Severity::Page)),
        Box::new(move |m| {
            if !(onset..onset + 60).contains(&m) {
                return (1.0, 0.0005);
            }
            let share = 3.0 * page * ((m - onset) as f64 / 30.0).min(1.0);
            (1.0 + 3.0 * share, share.max(0.0005))
        }),
    ));
    cases.push((
        "clean week: deploy bursts (3 min at 5x min_ratio, 2 min at 20 %)".into(),
        None,
        Box::new(move |m| {
            (
                1.0,
                match m % 1440 {
                    x if (600..603).contains(&x) => 5.0 * min,
                    x if (1080..1082).contains(&x) => 0.2,
                    _ => 0.0005,
                },
            )
        }),
    ));
    cases.push((
        "clean week: low night traffic (1 % of calls 00-06 h)".into(),
        None,
        Box::new(|m| (if hour(m) < 6 { 0.01 } else { 1.0 }, 0.0005)),
    ));
    cases.push((
        "clean week: 2 h gaps of missing data daily".into(),
        None,
        Box::new(|m| {
            (
                if (180..300).contains(&(m % 1440)) {
                    -1.0
                } else {
                    1.0
                },
                0.0005,
            )
        }),
    ));
    let mut out = Vec::new();
    for (i, (name, inc, f)) in cases.into_iter().enumerate() {
        let days = if inc.is_some() { 2 } else { 7 };
        let mut rng = Rng::new(100 + i as u64);
        let mut det = ApiThrottling::new(ThrottleSignal::lambda("checkout")?, cfg)?;
        out.push(play(drill("F1", name, days, inc), &mut det, 1, |m, at| {
            let (scale, share) = f(m);
            if scale < 0.0 {
                return None;
            }
            let calls = rng.poisson(800.0 * sh.traffic.at(m, 0) * scale);
            let throttled = rng.poisson(calls * share).min(calls);
            Some(ThrottleSample {
                at,
                calls,
                throttled,
            })
        })?);
    }
    Ok(out)
}

/// F2: three zones behind one load balancer; zone `b` is the one that fails.
fn f2(sh: &Shapes) -> Res<Vec<Drill>> {
    let cfg = PartitionConfig::default();
    let onset = 1440 + 10 * 60;
    // Per (minute, zone): (latency factor, error share, requests factor, answered?)
    type Fx = Box<dyn Fn(i64, usize) -> (f64, f64, f64, bool)>;
    const NORMAL: (f64, f64, f64, bool) = (1.0, 0.0005, 1.0, true);
    let during = move |m: i64| (onset..onset + 60).contains(&m);
    let mut cases: Vec<Case<Fx>> = Vec::new();
    for k in [1.2, 2.0, 5.0] {
        let r = k * cfg.peer_ratio();
        cases.push((
            format!("zone b latency {r:.1}x peers ({k}x peer_ratio) 60 min"),
            Some((onset, 60, Severity::Page)),
            Box::new(move |m, z| {
                if z == 1 && during(m) {
                    (r, 0.0005, 1.0, true)
                } else {
                    NORMAL
                }
            }),
        ));
    }
    for k in [1.2, 2.0, 5.0] {
        let e = k * cfg.min_error_ratio();
        cases.push((
            format!(
                "zone b 5xx {:.1} % ({k}x min_error_ratio) 60 min",
                100.0 * e
            ),
            Some((onset, 60, Severity::Page)),
            Box::new(move |m, z| {
                if z == 1 && during(m) {
                    (1.0, e, 1.0, true)
                } else {
                    NORMAL
                }
            }),
        ));
    }
    cases.push((
        "AZ partition: zone b targets unreachable (no latency, all 5xx)".into(),
        Some((onset, 60, Severity::Page)),
        Box::new(move |m, z| {
            if z == 1 && during(m) {
                (1.0, 1.0, 1.0, false)
            } else {
                NORMAL
            }
        }),
    ));
    cases.push((
        "clean week: nightly batch slows every zone 3x for 1 h".into(),
        None,
        Box::new(|m, _| {
            if hour(m) == 2 {
                (3.0, 0.0005, 1.0, true)
            } else {
                NORMAL
            }
        }),
    ));
    cases.push((
        "clean week: rolling deploy, each zone 3x slower for 3 min".into(),
        None,
        Box::new(|m, z| {
            if (900 + 3 * z as i64..903 + 3 * z as i64).contains(&(m % 1440)) {
                (3.0, 0.0005, 1.0, true)
            } else {
                NORMAL
            }
        }),
    ));
    cases.push((
        "clean week: low night traffic (2 % of requests 00-06 h)".into(),
        None,
        Box::new(|m, _| {
            if hour(m) < 6 {
                (1.0, 0.0005, 0.02, true)
            } else {
                NORMAL
            }
        }),
    ));
    cases.push((
        "clean week: release makes zone b 30 % slower for good (day 3)".into(),
        None,
        Box::new(|m, z| {
            if z == 1 && m >= 3 * 1440 {
                (1.3, 0.0005, 1.0, true)
            } else {
                NORMAL
            }
        }),
    ));
    cases.push((
        "clean week: 2 h gaps of missing data daily".into(),
        None,
        Box::new(|m, _| {
            if (180..300).contains(&(m % 1440)) {
                (1.0, 0.0005, -1.0, true)
            } else {
                NORMAL
            }
        }),
    ));
    let zones = ["a", "b", "c"];
    let mut out = Vec::new();
    for (i, (name, inc, f)) in cases.into_iter().enumerate() {
        let days = if inc.is_some() { 2 } else { 7 };
        let mut rng = Rng::new(200 + i as u64);
        let mut det = NetworkPartition::new(ZoneSignal::alb("app/shop/1", &zones)?, cfg)?;
        out.push(play(drill("F2", name, days, inc), &mut det, 1, |m, at| {
            let load = sh.traffic.at(m, 300);
            if f(m, 0).2 < 0.0 {
                return None;
            }
            let zones = zones
                .iter()
                .enumerate()
                .map(|(z, name)| {
                    let (lat, err, req, answered) = f(m, z);
                    let requests = rng.poisson(300.0 * load * req);
                    let own = [1.0, 1.05, 0.95][z];
                    let latency = 0.08
                        * own
                        * (1.0 + 0.2 * (load - 1.0).max(0.0))
                        * (0.08 * rng.normal()).exp()
                        * lat;
                    let errors = rng.poisson(requests * err).min(requests);
                    ZoneObservation {
                        zone: name.to_string(),
                        latency: answered.then_some(latency),
                        requests,
                        errors,
                    }
                })
                .collect();
            Some(ZoneSample { at, zones })
        })?);
    }
    Ok(out)
}

/// F5: a Lambda behind an API; warm p95 120 ms.
fn f5(sh: &Shapes) -> Res<Vec<Drill>> {
    let cfg = ColdStartConfig::default();
    let onset = 1440 + 12 * 60;
    // Per minute: (p95 factor, concurrency factor, init reported?)
    type Fx = Box<dyn Fn(i64) -> Option<(f64, f64, bool)>>;
    let mut cases: Vec<Case<Fx>> = Vec::new();
    for k in [1.2, 2.0, 5.0] {
        let r = k * cfg.min_ratio();
        cases.push((
            format!("cold starts: p95 {r:.1}x warm ({k}x min_ratio), 4x concurrency, 20 min"),
            Some((onset, 20, Severity::Ticket)),
            Box::new(move |m| {
                Some(if (onset..onset + 20).contains(&m) {
                    (r, 4.0, true)
                } else {
                    (1.0, 1.0, false)
                })
            }),
        ));
    }
    cases.push((
        "clean week: deploy, 2 min of inits and 3x p95 daily".into(),
        None,
        Box::new(|m| {
            Some(if (660..662).contains(&(m % 1440)) {
                (3.0, 3.0, true)
            } else {
                (1.0, 1.0, false)
            })
        }),
    ));
    cases.push((
        "clean week: release regresses p95 2x, no cold starts (day 3)".into(),
        None,
        Box::new(|m| {
            Some(if m >= 3 * 1440 {
                (2.0, 1.0, false)
            } else {
                (1.0, 1.0, false)
            })
        }),
    ));
    cases.push((
        "clean week: 2 h gaps of missing data daily".into(),
        None,
        Box::new(|m| {
            if (180..300).contains(&(m % 1440)) {
                None
            } else {
                Some((1.0, 1.0, false))
            }
        }),
    ));
    let mut out = Vec::new();
    for (i, (name, inc, f)) in cases.into_iter().enumerate() {
        let days = if inc.is_some() { 2 } else { 7 };
        let mut rng = Rng::new(500 + i as u64);
        let mut det =
            ColdStartLatency::new(ColdStartSignal::api_gateway("shop", "checkout")?, cfg)?;
        out.push(play(drill("F5", name, days, inc), &mut det, 1, |m, at| {
            let (p, c, init) = f(m)?;
            let load = sh.traffic.at(m, 600);
            let p95_ms =
                120.0 * (1.0 + 0.05 * (load - 1.0).max(0.0)) * (0.06 * rng.normal()).exp() * p;
            let concurrency = (rng.poisson(20.0 * load) * c).max(1.0);
            Some(ColdStartSample {
                at,
                p95_ms,
                concurrency,
                init_ms: init.then_some(700.0),
            })
        })?);
    }
    Ok(out)
}
