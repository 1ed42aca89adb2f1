//! The metric drills of the second blind game day on rates and latencies: F1, F2 and F5.

use failure_modes::aws_telemetry::Period;
use failure_modes::chrono::Duration;
use failure_modes::{
    ApiThrottling, ColdStartConfig, ColdStartLatency, ColdStartSample, ColdStartSignal,
    NetworkPartition, PartitionConfig, Severity, ThrottleConfig, ThrottleSample, ThrottleSignal,
    ZoneObservation, ZoneSample, ZoneSignal,
};

use crate::metrics::{Res, drill, hour, play};
use crate::{Drill, Rng, Shapes2, cycle, t0};

/// An incident: onset minute, length in minutes, expected severity.
type Inc = Option<(i64, i64, Severity)>;

/// All drills of F1, F2 and F5.
pub(crate) fn drills(sh: &Shapes2) -> Res<Vec<Drill>> {
    let mut out = f1(sh)?;
    out.extend(f2(sh)?);
    out.extend(f5(sh)?);
    Ok(out)
}

/// `true` from `onset` for `len` minutes.
fn within(m: i64, onset: i64, len: i64) -> bool {
    (onset..onset + len).contains(&m)
}

/// The load factor at minute `m`: the shape times the daily and weekly cycle.
fn load(shape: &crate::Shape, m: i64) -> f64 {
    shape.at(m, 0) * cycle(t0() + Duration::minutes(m))
}

/// An F1 drill: name, DynamoDB preset (else Lambda), period in minutes, calls per period at the
/// day's peak, nights of a few calls a minute, the throttled share per minute, the incident,
/// days.
type F1Case = (
    String,
    bool,
    i64,
    f64,
    bool,
    Box<dyn Fn(i64) -> f64>,
    Inc,
    i64,
);

fn f1(sh: &Shapes2) -> Res<Vec<Drill>> {
    let cfg = ThrottleConfig::default();
    let (min, page) = (cfg.min_ratio(), cfg.page_ratio());
    let onset = 2 * 1440 + 14 * 60;
    let usual = 0.0005;
    let step = move |share: f64, len: i64| -> Box<dyn Fn(i64) -> f64> {
        Box::new(move |m| if within(m, onset, len) { share } else { usual })
    };
    let t = Severity::Ticket;
    let mut cases: Vec<F1Case> = vec![
        (
            "D-1a sustained 1 % (min_ratio) for 6 h, ~1,500 calls/min".into(),
            true,
            1,
            1500.0,
            false,
            step(min, 360),
            Some((onset, 360, t)),
            4,
        ),
        (
            format!(
                "D-1e 1.1x min_ratio ({:.2} %) 3 h, 5-min periods",
                110.0 * min
            ),
            true,
            5,
            400.0,
            false,
            step(1.1 * min, 180),
            Some((onset, 180, t)),
            4,
        ),
        (
            format!("D-1f 0.9x min_ratio ({:.2} %) 6 h (nuisance)", 90.0 * min),
            true,
            1,
            1500.0,
            false,
            step(0.9 * min, 360),
            None,
            4,
        ),
        (
            format!(
                "D-1g 1.1x page_ratio ({:.0} %) 1 h, ~30 calls/min",
                110.0 * page
            ),
            false,
            1,
            30.0,
            false,
            step(1.1 * page, 60),
            Some((onset, 60, Severity::Page)),
            4,
        ),
        (
            format!(
                "D-1h 0.9x page_ratio ({:.0} %) 1 h, ~300 calls/min",
                90.0 * page
            ),
            false,
            1,
            300.0,
            false,
            step(0.9 * page, 60),
            Some((onset, 60, t)),
            4,
        ),
        (
            "D-1i clean 2 weeks: quiet nights, daily deploy burst 3 min at 20 %".into(),
            true,
            1,
            1500.0,
            true,
            Box::new(move |m| {
                if within(m % 1440, 16 * 60, 3) {
                    0.2
                } else {
                    usual
                }
            }),
            None,
            14,
        ),
    ];
    for (label, share) in [("D-1b", 0.015), ("D-1c", 0.02), ("D-1d", 0.03)] {
        cases.push((
            format!("{label} {:.1} % for 2 h at ~60 calls/min", 100.0 * share),
            false,
            1,
            60.0,
            false,
            step(share, 120),
            Some((onset, 120, t)),
            4,
        ));
    }
    let mut out = Vec::new();
    for (i, (name, dynamo, period, calls, quiet, share, inc, days)) in cases.into_iter().enumerate()
    {
        let mut rng = Rng::new(1100 + i as u64);
        let mut signal = if dynamo {
            ThrottleSignal::dynamodb("orders", "Query")?
        } else {
            ThrottleSignal::lambda("resize")?
        };
        signal.period = Period::new(60 * period as u32)?;
        let mut det = ApiThrottling::new(signal, cfg)?;
        out.push(play(
            drill("F1", name, days, inc),
            &mut det,
            period,
            |m, at| {
                let night = if quiet && hour(m) < 5 { 0.004 } else { 1.0 };
                let calls = rng.poisson(calls * load(&sh.api, m) * night);
                let throttled = rng.poisson(calls * share(m)).min(calls);
                Some(ThrottleSample {
                    at,
                    calls,
                    throttled,
                })
            },
        )?);
    }
    Ok(out)
}

/// Per (minute, zone): latency factor, 5xx share, requests factor; `None`: no datapoint.
type ZoneFx = Box<dyn Fn(i64, usize) -> Option<(f64, f64, f64)>>;

/// An F2 drill: name, zones, period in minutes, requests per zone and period at the peak,
/// the behaviour, the incident, days.
type F2Case = (String, usize, i64, f64, ZoneFx, Inc, i64);

fn f2(sh: &Shapes2) -> Res<Vec<Drill>> {
    let cfg = PartitionConfig::default();
    let (ratio, err) = (cfg.peer_ratio(), cfg.min_error_ratio());
    let base = 0.0005;
    let onset = 1440 + 11 * 60;
    let gap = 1440 + 9 * 60;
    // A 45-minute gap at `gap`, then `bad` in zone `z` from `after` minutes past it, 60 min.
    let after_gap = move |after: i64, z: usize, lat: f64, e: f64| -> ZoneFx {
        let start = gap + 45 + after;
        Box::new(move |m, zone| {
            if within(m, gap, 45) {
                None
            } else if zone == z && within(m, start, 60) {
                Some((lat, e, 1.0))
            } else {
                Some((1.0, base, 1.0))
            }
        })
    };
    let zone_bad = move |z: usize, lat: f64, e: f64| -> ZoneFx {
        Box::new(move |m, zone| {
            Some(if zone == z && within(m, onset, 60) {
                (lat, e, 1.0)
            } else {
                (1.0, base, 1.0)
            })
        })
    };
    let p = Some((0, 60, Severity::Page));
    let at = |inc: Inc, start: i64| inc.map(|(_, l, s)| (start, l, s));
    let cases: Vec<F2Case> = vec![
        (
            "D-2a 45-min gap, then zone b p95 3x from 10 min after it".into(),
            3,
            1,
            200.0,
            after_gap(10, 1, 3.0, base),
            at(p, gap + 55),
            3,
        ),
        (
            "D-2b 45-min gap, then zone b p95 3x from 40 min after it".into(),
            3,
            1,
            200.0,
            after_gap(40, 1, 3.0, base),
            at(p, gap + 85),
            3,
        ),
        (
            "D-2c 45-min gap, then zone b 5 % 5xx from 25 min after it".into(),
            3,
            1,
            200.0,
            after_gap(25, 1, 1.0, 0.05),
            at(p, gap + 70),
            3,
        ),
        (
            format!(
                "D-2d 4 zones, zone c p95 {:.2}x peers (1.1x peer_ratio)",
                1.1 * ratio
            ),
            4,
            1,
            200.0,
            zone_bad(2, 1.1 * ratio, base),
            at(p, onset),
            3,
        ),
        (
            format!(
                "D-2e 4 zones, zone c p95 {:.2}x peers (0.9x, nuisance)",
                0.9 * ratio
            ),
            4,
            1,
            200.0,
            zone_bad(2, 0.9 * ratio, base),
            None,
            3,
        ),
        (
            format!(
                "D-2f 2 zones, zone b 5xx {:.2} % (1.1x min_error_ratio)",
                110.0 * err
            ),
            2,
            1,
            3000.0,
            zone_bad(1, 1.0, 1.1 * err),
            at(p, onset),
            3,
        ),
        (
            format!(
                "D-2g 2 zones, zone b 5xx {:.2} % (0.9x, nuisance)",
                90.0 * err
            ),
            2,
            1,
            3000.0,
            zone_bad(1, 1.0, 0.9 * err),
            None,
            3,
        ),
        (
            "D-2h 5-min periods, zone a p95 3x for 60 min".into(),
            3,
            5,
            1000.0,
            zone_bad(0, 3.0, base),
            at(p, onset),
            3,
        ),
        (
            "D-2i clean 2 weeks, nights of ~3 requests a minute per zone".into(),
            3,
            1,
            200.0,
            Box::new(move |m, _| {
                Some(if hour(m) < 6 {
                    (1.0, base, 3.0 / 200.0)
                } else {
                    (1.0, base, 1.0)
                })
            }),
            None,
            14,
        ),
    ];
    let names = ["a", "b", "c", "d"];
    let mut out = Vec::new();
    for (i, (name, zones, period, requests, f, inc, days)) in cases.into_iter().enumerate() {
        let mut rng = Rng::new(1200 + i as u64);
        let mut signal = ZoneSignal::alb("app/web/7", &names[..zones])?;
        signal.period = Period::new(60 * period as u32)?;
        let mut det = NetworkPartition::new(signal, cfg)?;
        out.push(play(
            drill("F2", name, days, inc),
            &mut det,
            period,
            |m, at| {
                f(m, 0)?;
                let l = load(&sh.traffic, m);
                let zones = (0..zones)
                    .map(|z| {
                        let (lat, e, req) = f(m, z).unwrap_or((1.0, base, 1.0));
                        let n = rng.poisson(requests * l * req);
                        // The p95 of a few requests is noisy: the spread shrinks with the count.
                        let spread = 0.06 + 0.6 / (n + 1.0).sqrt();
                        let own = [1.0, 1.04, 0.97, 1.02][z];
                        let latency =
                            0.12 * own * (1.0 + 0.15 * l) * (spread * rng.normal()).exp() * lat;
                        ZoneObservation {
                            zone: names[z].to_string(),
                            latency: (n > 0.0).then_some(latency),
                            requests: n,
                            errors: rng.poisson(n * e).min(n),
                        }
                    })
                    .collect();
                Some(ZoneSample { at, zones })
            },
        )?);
    }
    Ok(out)
}

/// Per minute: p95 factor, concurrency factor, init reported; `None`: no datapoint.
type ColdFx = Box<dyn Fn(i64) -> Option<(f64, f64, bool)>>;

/// An F5 drill: name, period in minutes, the behaviour, the incident, days.
type F5Case = (String, i64, ColdFx, Inc, i64);

fn f5(sh: &Shapes2) -> Res<Vec<Drill>> {
    let cfg = ColdStartConfig::default();
    let r = cfg.min_ratio();
    let gap = 1440 + 9 * 60;
    let onset = 1440 + 13 * 60;
    let after_gap = move |after: i64| -> ColdFx {
        let start = gap + 45 + after;
        Box::new(move |m| {
            if within(m, gap, 45) {
                None
            } else if within(m, start, 20) {
                Some((3.0, 4.0, true))
            } else {
                Some((1.0, 1.0, false))
            }
        })
    };
    let cold = move |k: f64, len: i64| -> ColdFx {
        Box::new(move |m| {
            Some(if within(m, onset, len) {
                (k, 4.0, true)
            } else {
                (1.0, 1.0, false)
            })
        })
    };
    let t = Severity::Ticket;
    let cases: Vec<F5Case> =
        vec![
        (
            "D-5a 45-min gap, cold starts 10 min after it (p95 3x, 4x concurrency, inits) 20 min"
                .into(),
            1,
            after_gap(10),
            Some((gap + 55, 20, t)),
            3,
        ),
        (
            "D-5b 45-min gap, cold starts 40 min after it, 20 min".into(),
            1,
            after_gap(40),
            Some((gap + 85, 20, t)),
            3,
        ),
        (
            format!("D-5c p95 {:.2}x warm (1.1x min_ratio), 4x concurrency, 30 min", 1.1 * r),
            1,
            cold(1.1 * r, 30),
            Some((onset, 30, t)),
            3,
        ),
        (
            format!("D-5d p95 {:.2}x warm (0.9x, nuisance), 4x concurrency, 30 min", 0.9 * r),
            1,
            cold(0.9 * r, 30),
            None,
            3,
        ),
        (
            "D-5e 5-min periods, p95 3x with 4x concurrency, 30 min".into(),
            5,
            cold(3.0, 30),
            Some((onset, 30, t)),
            3,
        ),
        (
            "D-5f clean 2 weeks, weekly cycle, quiet nights".into(),
            1,
            Box::new(|_| Some((1.0, 1.0, false))),
            None,
            14,
        ),
    ];
    let mut out = Vec::new();
    for (i, (name, period, f, inc, days)) in cases.into_iter().enumerate() {
        let mut rng = Rng::new(1500 + i as u64);
        let mut signal = ColdStartSignal::lambda("thumbnails")?;
        signal.period = Period::new(60 * period as u32)?;
        let mut det = ColdStartLatency::new(signal, cfg)?;
        out.push(play(
            drill("F5", name, days, inc),
            &mut det,
            period,
            |m, at| {
                let (p, c, init) = f(m)?;
                let l = load(&sh.api, m);
                let concurrency = (rng.poisson(25.0 * l) * c).max(1.0);
                let spread = 0.04 + 0.1 / concurrency.sqrt();
                Some(ColdStartSample {
                    at,
                    p95_ms: 150.0 * (spread * rng.normal()).exp() * p,
                    concurrency,
                    init_ms: init.then_some(800.0),
                })
            },
        )?);
    }
    Ok(out)
}
