//! Drills for the metric detectors (F1, F2, F3, F5, F6): one-minute (F3: five-minute)
//! telemetry over a week, made by a mechanism driven by the background's shape.

use chrono::{DateTime, TimeDelta, Timelike, Utc};
use sli_core::Severity;

use super::{Background, Drill, DrillPlan, Expected, Unplaced, drill_start, incident_time, placed};
use crate::detectors::cold_start::ColdStartSample;
use crate::detectors::connections::ConnectionSample;
use crate::detectors::partition::{ZoneObservation, ZoneSample};
use crate::detectors::quota::QuotaSample;
use crate::detectors::throttling::ThrottleSample;
use crate::error::Result;
use crate::mode::FailureMode;
use crate::scenarios::Rng;

const WEEK: usize = 7 * 1440;

/// An incident of a drill: when, how long, which variant.
#[derive(Debug, Clone, Copy)]
struct Window {
    start: DateTime<Utc>,
    minutes: i64,
}

impl Window {
    fn contains(&self, at: DateTime<Utc>) -> bool {
        at >= self.start && at < self.start + TimeDelta::minutes(self.minutes)
    }

    fn progress(&self, at: DateTime<Utc>) -> f64 {
        ((at - self.start).num_minutes() as f64 / self.minutes.max(1) as f64).clamp(0.0, 1.0)
    }

    fn expected(&self, label: impl Into<String>, severity: Severity, grace: i64) -> Expected {
        Expected {
            label: label.into(),
            start: self.start,
            end: self.start + TimeDelta::minutes(self.minutes),
            severity,
            grace: TimeDelta::minutes(grace),
        }
    }
}

/// Minutes of a drill with their times.
fn minutes(count: usize) -> impl Iterator<Item = (usize, DateTime<Utc>)> {
    let start = drill_start();
    (0..count).map(move |m| (m, start + TimeDelta::minutes(m as i64)))
}

/// The random stream of one drill: its background, seed and variant.
pub(super) fn rng_for(background: &Background, seed: u64, salt: u64) -> Rng {
    let name: u64 = background
        .name()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
    Rng::new(name ^ seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt)
}

/// A nuisance of `length` minutes `per_day` times a day, each in its own part of the day (so
/// that two of them never merge into one longer event, which would be an incident).
fn nuisance_starts(rng: &mut Rng, days: usize, per_day: usize, length: i64) -> Vec<Window> {
    let part = 1440 / per_day.max(1) as u64;
    (0..days * per_day)
        .map(|i| Window {
            start: drill_start()
                + TimeDelta::days((i / per_day) as i64)
                + TimeDelta::minutes(
                    ((i % per_day) as u64 * part + rng.next_u64() % (part / 2).max(1)) as i64,
                ),
            minutes: length,
        })
        .collect()
}

/// Where a drill's incident goes: none (a clean drill), a window, or nowhere (no time tried
/// makes it observable at the drill's traffic: the drill is not run, and is counted as
/// [`Unplaced`]).
enum Placement {
    Clean,
    At(Window),
    Nowhere,
}

impl Placement {
    fn of(v: usize, at: Option<DateTime<Utc>>, minutes: i64) -> Self {
        match (v, at) {
            (0, _) => Self::Clean,
            (_, Some(start)) => Self::At(Window { start, minutes }),
            (_, None) => Self::Nowhere,
        }
    }
}

/// F1's variants: label, throttled share (negative: a retry storm), minutes, severity.
const F1_VARIANTS: [(&str, f64, i64, Severity); 5] = [
    ("clean week", 0.0, 0, Severity::Ticket),
    ("1.5 % throttled for 45 min", 0.015, 45, Severity::Ticket),
    ("3 % throttled for 30 min", 0.03, 30, Severity::Ticket),
    ("2 % throttled for 20 min", 0.02, 20, Severity::Ticket),
    ("retry storm against a rate limit", -1.0, 40, Severity::Page),
];

fn f1_base(seed: u64) -> f64 {
    [40.0, 200.0, 1500.0][(seed % 3) as usize]
}

/// F1 variant `v`'s random stream, deploy bursts and incident.
fn f1_plan(background: &Background, seed: u64, v: usize) -> (Rng, Vec<Window>, Placement) {
    let (_, share, length, _) = F1_VARIANTS[v];
    let base = f1_base(seed);
    let mut rng = rng_for(background, seed, 1 + v as u64);
    let bursts = nuisance_starts(&mut rng, 7, 2, 3);
    // Where the incident throttles at least 20 calls: fewer is nothing anyone could see.
    let throttles = |at: DateTime<Utc>| {
        let from = (at - drill_start()).num_minutes() as usize;
        let share = if share < 0.0 { 0.2 } else { share };
        base * background.mean(from, length as usize) * length as f64 * share
    };
    let at = if v > 0 {
        placed(&mut rng, 3, 3, |at| throttles(at) >= 20.0)
    } else {
        None
    };
    (rng, bursts, Placement::of(v, at, length))
}

/// F1: an operation called `base` × the shape times a minute (40, 200 or 1,500 at the median,
/// by seed), 0.05 % throttled as background, with deploy bursts of 2–3 minutes at 5–20 %
/// twice a day (the transient throttling that bursts create). Drills: a clean
/// week; 1.5 % for 45 minutes, 3 % for 30 minutes, 2 % for 20 minutes (tickets: low-severity
/// errors); a retry storm against a rate limit, demand ×1.5 over a cap at 1.15× the usual
/// demand, every refused call retried the next minute (a page: the operation is down for a
/// quarter of its callers).
///
/// # Errors
/// None at present (the generator makes valid input); kept for future variants.
pub fn throttling(background: &Background, seed: u64) -> Result<Vec<Drill<ThrottleSample>>> {
    let base = f1_base(seed);
    let plan = DrillPlan::new(
        FailureMode::ApiThrottling,
        TimeDelta::days(7),
        TimeDelta::hours(1),
    );
    let mut drills = Vec::new();
    for (v, (label, share, _, severity)) in F1_VARIANTS.into_iter().enumerate() {
        let (mut rng, bursts, placement) = f1_plan(background, seed, v);
        let incident = match placement {
            Placement::Clean => None,
            Placement::At(window) => Some(window),
            Placement::Nowhere => continue,
        };
        let mut retries = 0.0;
        let mut inputs = Vec::with_capacity(WEEK);
        for (m, at) in minutes(WEEK) {
            let demand = base * background.at(m);
            let mut calls = rng.poisson(demand);
            let mut throttled = rng.poisson(calls * 0.0005);
            if let Some(burst) = bursts.iter().find(|b| b.contains(at)) {
                let burst_share = 0.05 + 0.15 * (burst.start.minute() % 4) as f64 / 3.0;
                if (at - burst.start).num_minutes() < 2 + i64::from(burst.start.minute() % 2) {
                    throttled = rng.poisson(calls * burst_share);
                }
            }
            match incident.filter(|i| i.contains(at)) {
                Some(i) if share < 0.0 => {
                    // A cap at 1.15× the demand of the incident's start, demand ×1.5, and the
                    // refused calls of the last minute retried.
                    let cap = 1.15
                        * base
                        * background.at((i.start - drill_start()).num_minutes() as usize);
                    calls = rng.poisson(demand * 1.5) + retries;
                    throttled = (calls - cap).max(0.0).round();
                    retries = throttled;
                }
                Some(_) => throttled = rng.poisson(calls * share),
                None => retries = 0.0,
            }
            inputs.push(ThrottleSample {
                at,
                calls,
                throttled: throttled.min(calls),
            });
        }
        let incident = incident.map(|i| i.expected(label, severity, 10));
        drills.push(plan.drill(background, label, inputs, incident));
    }
    Ok(drills)
}

/// F2's variants: label, latency multiple, 5xx share, minutes.
const F2_VARIANTS: [(&str, f64, f64, i64); 6] = [
    ("clean week", 1.0, 0.0, 0),
    ("one zone ×2 latency for 30 min", 2.0, 0.0, 30),
    ("one zone ×1.6 latency for 45 min", 1.6, 0.0, 45),
    ("one zone 3 % 5xx for 20 min", 1.0, 0.03, 20),
    ("one zone ×3 latency and 5 % 5xx for 20 min", 3.0, 0.05, 20),
    (
        "one zone ×2 latency 20 min after an hour of silence",
        2.0,
        0.0,
        30,
    ),
];

fn f2_base(seed: u64) -> f64 {
    [30.0, 300.0, 3000.0][(seed % 3) as usize]
}

/// F2 variant `v`'s random stream, nuisances (surges, fleet deploys, rolling deploys,
/// silences) and incident.
fn f2_plan(background: &Background, seed: u64, v: usize) -> (Rng, [Vec<Window>; 4], Placement) {
    let (_, _, _, length) = F2_VARIANTS[v];
    let base = f2_base(seed);
    let mut rng = rng_for(background, seed, 20 + v as u64);
    let surges = nuisance_starts(&mut rng, 7, 1, 30);
    let deploys = nuisance_starts(&mut rng, 7, 1, 15);
    let rolling = nuisance_starts(&mut rng, 7, 2, 3);
    let silences = nuisance_starts(&mut rng, 7, 1, 45);
    let busy = |at: DateTime<Utc>| {
        let from = (at - drill_start()).num_minutes() as usize;
        (0..length as usize).all(|m| base / 3.0 * background.at(from + m) >= 20.0)
    };
    let at = if v > 0 {
        placed(&mut rng, 3, 3, busy)
    } else {
        None
    };
    (
        rng,
        [surges, deploys, rolling, silences],
        Placement::of(v, at, length),
    )
}

/// F2: a load balancer over three zones, each taking a third of `base` × the shape requests a
/// minute (30, 300 or 3,000 at the median, by seed; the night's quiet hours of a spiky
/// background leave a handful), p95 latency 80 ms rising with load, noisier the fewer the
/// requests (a p95 of ten requests is one request), 0.05 % 5xx. Nuisances in every drill: a
/// fleet-wide surge (traffic ×1.8, latency ×1.4 everywhere) and a fleet deploy (latency ×1.3
/// everywhere) once a day, a rolling deploy slowing one zone ×1.5 for 3 minutes twice a day,
/// and a 45-minute silence of the metrics each night. Drills: a clean week; one zone ×2
/// latency for 30 min, ×1.6 for 45 min, 3 % 5xx for 20 min, ×3 latency and 5 % 5xx for
/// 20 min, ×2 latency 20 minutes after an hour of silence (all pages: a zone outage is an
/// outage). Incidents go where each zone takes at least 20 requests a minute.
///
/// # Errors
/// None at present (the generator makes valid input).
pub fn partition(background: &Background, seed: u64) -> Result<Vec<Drill<ZoneSample>>> {
    let base = f2_base(seed);
    let zones = ["a", "b", "c"];
    let plan = DrillPlan::new(
        FailureMode::NetworkPartition,
        TimeDelta::days(7),
        TimeDelta::hours(2),
    );
    let mut drills = Vec::new();
    for (v, (label, slow, failing, _)) in F2_VARIANTS.into_iter().enumerate() {
        let (mut rng, [surges, deploys, rolling, silences], placement) =
            f2_plan(background, seed, v);
        let incident = match placement {
            Placement::Clean => None,
            Placement::At(window) => Some(window),
            Placement::Nowhere => continue,
        };
        let hit_zone = (rng.next_u64() % 3) as usize;
        let mut inputs = Vec::with_capacity(WEEK);
        for (m, at) in minutes(WEEK) {
            if silences.iter().any(|s| s.contains(at)) && incident.is_none_or(|i| !i.contains(at)) {
                continue;
            }
            if v == 5
                && incident.is_some_and(|i| {
                    at >= i.start - TimeDelta::minutes(80) && at < i.start - TimeDelta::minutes(20)
                })
            {
                continue;
            }
            let shape = background.at(m);
            let surge = surges.iter().any(|s| s.contains(at));
            let fleet = if surge { 1.4 } else { 1.0 }
                * if deploys.iter().any(|d| d.contains(at)) {
                    1.3
                } else {
                    1.0
                };
            let mut observations = Vec::with_capacity(3);
            for (z, zone) in zones.iter().enumerate() {
                let requests = rng.poisson(base / 3.0 * shape * if surge { 1.8 } else { 1.0 });
                if requests == 0.0 {
                    continue;
                }
                let noise = 0.05 + 0.6 / requests.sqrt();
                let mut latency =
                    0.08 * (1.0 + 0.2 * shape.min(5.0)) * fleet * (noise * rng.normal()).exp();
                let mut error_share: f64 = 0.0005;
                if rolling
                    .iter()
                    .any(|r| r.contains(at) && r.start.minute() as usize % 3 == z)
                {
                    latency *= 1.5;
                }
                if z == hit_zone && incident.is_some_and(|i| i.contains(at)) {
                    latency *= slow;
                    error_share = error_share.max(failing);
                }
                observations.push(ZoneObservation {
                    zone: (*zone).to_owned(),
                    latency: Some(latency),
                    requests,
                    errors: rng.poisson(requests * error_share).min(requests),
                });
            }
            if !observations.is_empty() {
                inputs.push(ZoneSample {
                    at,
                    zones: observations,
                });
            }
        }
        let incident = incident.map(|i| i.expected(label, Severity::Page, 10));
        drills.push(plan.drill(background, label, inputs, incident));
    }
    Ok(drills)
}

/// F3: usage of a quota of 1,000 following the shape (40 % of the quota at the median, at most
/// 60 %: autoscaling bounds it), growing 1 % a week, every five minutes over two weeks, with a
/// nightly batch from 01:00 ramping usage up to 75 % of the quota over two hours (a daily climb
/// a trend must not extrapolate). Drills: two clean weeks; a leak climbing over two days until
/// it hits the limit (a page: scaling is blocked; a ticket first is welcome); a scaling loop
/// reaching the limit in three hours (a page); a slow leak to 88 % at the daily peak over four
/// days, fixed there (a ticket, and nothing after the fix).
///
/// # Errors
/// None at present (the generator makes valid input).
pub fn quota(background: &Background, seed: u64) -> Result<Vec<Drill<QuotaSample>>> {
    const LIMIT: f64 = 1000.0;
    let points = 14 * 288;
    let usual = |m: usize| 0.4 * LIMIT * background.at(m).min(1.5);
    // The usual daily peak of the first week: leaks are sized against it.
    let peak = (0..7 * 288)
        .map(|p| usual(p * 5))
        .fold(0.0, f64::max)
        .max(0.75 * LIMIT);
    let variants: [(&str, f64, i64, bool, Severity); 4] = [
        ("clean weeks", 0.0, 0, false, Severity::Ticket),
        (
            "leak to the limit over 2 days",
            1.15 * LIMIT - peak,
            2 * 1440,
            false,
            Severity::Page,
        ),
        (
            "scaling loop to the limit in 3 h",
            1.1 * LIMIT - 0.4 * LIMIT,
            180,
            false,
            Severity::Page,
        ),
        (
            "slow leak to 88 %, fixed",
            0.88 * LIMIT - 0.6 * LIMIT,
            4 * 1440,
            true,
            Severity::Ticket,
        ),
    ];
    let plan = DrillPlan::new(
        FailureMode::ServiceQuotaHit,
        TimeDelta::days(14),
        TimeDelta::days(1),
    );
    let mut drills = Vec::new();
    for (v, (label, size, length, fixed, severity)) in variants.into_iter().enumerate() {
        let mut rng = rng_for(background, seed, 30 + v as u64);
        let incident = (v > 0).then(|| Window {
            start: incident_time(&mut rng, 6, 2),
            minutes: length,
        });
        let mut inputs = Vec::with_capacity(points);
        let mut reached = false;
        for p in 0..points {
            let m = p * 5;
            let at = drill_start() + TimeDelta::minutes(m as i64);
            let growth = 1.0 + 0.01 * m as f64 / WEEK as f64;
            let mut usage = usual(m) * growth;
            let minute_of_day = f64::from(at.hour() * 60 + at.minute());
            if (60.0..180.0).contains(&minute_of_day) {
                usage = usage.max(0.75 * LIMIT * (minute_of_day - 60.0) / 120.0);
            }
            if let Some(i) = incident.filter(|i| at >= i.start) {
                let leak = size * i.progress(at);
                if fixed && i.progress(at) >= 1.0 {
                    // Fixed: the leaked capacity is released over the next hour.
                    let after = (at - i.start - TimeDelta::minutes(i.minutes)).num_minutes() as f64;
                    usage += leak * (1.0 - after / 60.0).max(0.0);
                } else {
                    usage += leak;
                }
            }
            usage = (usage * (1.0 + 0.01 * rng.normal()))
                .round()
                .clamp(0.0, LIMIT);
            reached |= usage >= LIMIT;
            inputs.push(QuotaSample { at, usage });
        }
        let incident = incident.map(|i| {
            // The leak lasts until the limit stops it; findings within a day after count.
            let mut expected = i.expected(label, severity, 24 * 60);
            if !fixed && reached {
                expected.end = drill_start() + TimeDelta::days(14);
            }
            if !reached && !fixed {
                expected.severity = Severity::Ticket;
            }
            expected
        });
        drills.push(plan.drill(background, label, inputs, incident));
    }
    Ok(drills)
}

/// F5's variants: label, share of cold invocations, traffic multiple.
const F5_VARIANTS: [(&str, f64, f64); 4] = [
    ("clean week", 0.0, 1.0),
    ("environments recycled every few requests", 0.25, 1.0),
    ("burst ×4 without provisioned concurrency", 0.1, 4.0),
    (
        "recycled environments 20 min after an hour of silence",
        0.25,
        1.0,
    ),
];

fn f5_base(seed: u64) -> f64 {
    [20.0, 120.0, 1200.0][(seed % 3) as usize]
}

/// F5 variant `v`'s random stream, daily deploys and incident.
fn f5_plan(background: &Background, seed: u64, v: usize) -> (Rng, Vec<Window>, Placement) {
    let base = f5_base(seed);
    let mut rng = rng_for(background, seed, 50 + v as u64);
    let deploys = nuisance_starts(&mut rng, 7, 1, 1);
    // At least 20 invocations a minute through the incident: a p95 of fewer is noise.
    let busy = |at: DateTime<Utc>| {
        let from = (at - drill_start()).num_minutes() as usize;
        (0..30).all(|m| base * background.at(from + m) >= 20.0)
    };
    let at = if v > 0 {
        placed(&mut rng, 3, 3, busy)
    } else {
        None
    };
    (rng, deploys, Placement::of(v, at, 30))
}

/// F5: a function invoked `base` × the shape times a minute (20, 120 or 1,200 at the median, by
/// seed), 400 ms warm, 2 s of work per environment a minute (so concurrency follows traffic);
/// environments stay warm 10 minutes after their last use and every environment added starts
/// cold (800 ms of init, seen by the caller). A minute without invocations publishes no
/// datapoint (a quiet night of a sparse background leaves gaps of hours). Nuisances: a deploy a
/// day recycles every environment (a minute or two of cold starts). Drills: a clean week;
/// environments recycled every few requests for 30 minutes (a bad deploy setting, a memory
/// leak killing them), a quarter of invocations cold; provisioned concurrency removed before a
/// traffic burst ×4 for 30 minutes, a tenth of invocations cold; recycled environments 20
/// minutes after an hour without a datapoint (tickets: a non-urgent degradation). Incidents go
/// where the function is busy enough for a p95 to show them.
///
/// # Errors
/// None at present (the generator makes valid input).
pub fn cold_starts(background: &Background, seed: u64) -> Result<Vec<Drill<ColdStartSample>>> {
    let base = f5_base(seed);
    let plan = DrillPlan::new(
        FailureMode::ColdStartLatency,
        TimeDelta::days(7),
        TimeDelta::hours(2),
    );
    let mut drills = Vec::new();
    for (v, (label, cold_share, surge)) in F5_VARIANTS.into_iter().enumerate() {
        let (mut rng, deploys, placement) = f5_plan(background, seed, v);
        let incident = match placement {
            Placement::Clean => None,
            Placement::At(window) => Some(window),
            Placement::Nowhere => continue,
        };
        // Warm environments and the minute each was last used.
        let mut warm: Vec<i64> = Vec::new();
        let mut inputs = Vec::with_capacity(WEEK);
        for (m, at) in minutes(WEEK) {
            let minute = m as i64;
            let active = incident.filter(|i| i.contains(at));
            let silent = v == 3
                && incident.is_some_and(|i| {
                    at >= i.start - TimeDelta::minutes(80) && at < i.start - TimeDelta::minutes(20)
                });
            if silent {
                continue;
            }
            let rate = base * background.at(m) * active.map_or(1.0, |_| surge);
            if deploys.iter().any(|d| d.contains(at)) {
                warm.clear();
            }
            let invocations = rng.poisson(rate);
            warm.retain(|last| minute - last <= 10);
            if invocations == 0.0 {
                continue;
            }
            let concurrency = (invocations / 60.0 * 2.0 * (1.0 + 0.2 * rng.uniform()))
                .ceil()
                .max(1.0);
            let mut cold = (concurrency - warm.len() as f64).max(0.0);
            warm.sort_unstable_by(|a, b| b.cmp(a));
            warm.truncate(concurrency as usize);
            for slot in 0..concurrency as usize {
                match warm.get_mut(slot) {
                    Some(last) => *last = minute,
                    None => warm.push(minute),
                }
            }
            if active.is_some() {
                cold = cold.max(rng.poisson(invocations * cold_share));
            }
            let share = (cold / invocations).min(1.0);
            let noise = (0.05 + 0.3 / invocations.sqrt()) * rng.normal();
            let warm_p95 = 400.0 * noise.exp();
            let p95 = if share > 0.05 {
                warm_p95 + 800.0
            } else {
                warm_p95
            };
            let concurrency = concurrency
                + if active.is_some() {
                    cold.min(invocations)
                } else {
                    0.0
                };
            inputs.push(ColdStartSample {
                at,
                p95_ms: p95,
                concurrency,
                init_ms: (cold > 0.0).then(|| 800.0 * (1.0 + 0.1 * rng.normal().abs())),
            });
        }
        let incident = incident.map(|i| i.expected(label, Severity::Ticket, 10));
        drills.push(plan.drill(background, label, inputs, incident));
    }
    Ok(drills)
}

/// F6: a database whose connections are 10 plus a pool of 3 per upstream execution, upstream
/// concurrency `base` × the shape (10, 40 or 100 at the median, by seed, at most 2.5× it:
/// the function's reserved concurrency), `max_connections` such that the function at its
/// reserved concurrency uses 70 % (about 30 % at the median).
/// A nightly batch from 02:00 opens connections up to 75 % of the limit over an hour, holds
/// them an hour, then closes them (a daily climb a trend must not extrapolate). Drills: a
/// clean week; a scale-out storm (upstream climbing over 30 minutes past what the limit allows:
/// new connections fail, a page); a leak (connections never returned, +55 % of the limit over
/// 6 hours: a page if it reaches 95 % of the limit, else a ticket); batch work held at 88 % for
/// an hour (a ticket).
///
/// # Errors
/// None at present (the generator makes valid input).
pub fn connections(
    background: &Background,
    seed: u64,
) -> Result<Vec<(f64, Drill<ConnectionSample>)>> {
    let base: f64 = [10.0, 40.0, 100.0][(seed % 3) as usize];
    // A database sized so that the function at its reserved concurrency uses 70 %.
    let limit = ((10.0 + 3.0 * 2.5 * base) / 0.7).round();
    let variants: [(&str, i64); 4] = [
        ("clean week", 0),
        ("scale-out storm past the limit", 30),
        ("connection leak over 6 h", 360),
        ("batch held at 88 %", 60),
    ];
    let plan = DrillPlan::new(
        FailureMode::DbConnectionExhaustion,
        TimeDelta::days(7),
        TimeDelta::hours(2),
    );
    let mut drills = Vec::new();
    for (v, (label, length)) in variants.into_iter().enumerate() {
        let mut rng = rng_for(background, seed, 60 + v as u64);
        let incident = (v > 0).then(|| Window {
            start: incident_time(&mut rng, 3, 3),
            minutes: length,
        });
        let mut inputs = Vec::with_capacity(WEEK);
        let mut peak = 0.0f64;
        for (m, at) in minutes(WEEK) {
            let mut upstream =
                (base * background.at(m).min(2.5) * (1.0 + 0.05 * rng.normal())).max(0.0);
            let minute_of_day = i64::from(at.hour() * 60 + at.minute());
            let batch_share = match minute_of_day {
                120..180 => (minute_of_day - 120) as f64 / 60.0,
                180..240 => 1.0,
                _ => 0.0,
            };
            let pool = 10.0 + 3.0 * upstream;
            // The batch tops connections up to 75 % of the limit, never beyond.
            let mut extra = ((0.75 * limit - pool) * batch_share).max(0.0);
            let active = incident.filter(|i| at >= i.start);
            match (v, active) {
                (1, Some(i)) if i.contains(at) => {
                    let target = 1.2 * (limit - 10.0) / 3.0;
                    upstream += (target - upstream).max(0.0) * i.progress(at);
                }
                (2, Some(i)) => extra += 0.55 * limit * i.progress(at),
                (3, Some(i)) if i.contains(at) => extra = extra.max(0.88 * limit - pool),
                _ => {}
            }
            let connections = (10.0 + 3.0 * upstream + extra + rng.poisson(2.0))
                .round()
                .min(limit);
            if incident.is_some_and(|i| at >= i.start) {
                peak = peak.max(connections);
            }
            inputs.push(ConnectionSample {
                at,
                connections,
                upstream: Some(upstream.round()),
            });
        }
        let incident = incident.map(|i| {
            let severity = if peak >= 0.95 * limit {
                Severity::Page
            } else {
                Severity::Ticket
            };
            let mut expected = i.expected(label, severity, 30);
            if v == 2 {
                // Leaked connections stay until someone restarts the clients.
                expected.end = drill_start() + TimeDelta::days(7);
            }
            expected
        });
        drills.push((limit, plan.drill(background, label, inputs, incident)));
    }
    Ok(drills)
}

/// The incidents of `mode`'s drills on `background` with `seed` that [`placed`] found no
/// observable time for (F1, F2 and F5 only: the other modes place every incident).
pub(super) fn unplaced(mode: FailureMode, background: &Background, seed: u64) -> Vec<Unplaced> {
    // The labels of the variants (past the clean one) whose plan places them nowhere.
    let nowhere = |labels: &[&'static str], plan: &dyn Fn(usize) -> Placement| -> Vec<&str> {
        (1..labels.len())
            .filter(|v| matches!(plan(*v), Placement::Nowhere))
            .map(|v| labels[v])
            .collect()
    };
    let (labels, reason): (Vec<&str>, &'static str) = match mode {
        FailureMode::ApiThrottling => (
            nowhere(&F1_VARIANTS.map(|v| v.0), &|v| {
                f1_plan(background, seed, v).2
            }),
            "it throttles fewer than 20 calls at every time tried",
        ),
        FailureMode::NetworkPartition => (
            nowhere(&F2_VARIANTS.map(|v| v.0), &|v| {
                f2_plan(background, seed, v).2
            }),
            "a zone takes fewer than 20 requests a minute within it at every time tried",
        ),
        FailureMode::ColdStartLatency => (
            nowhere(&F5_VARIANTS.map(|v| v.0), &|v| {
                f5_plan(background, seed, v).2
            }),
            "fewer than 20 invocations in a minute of it at every time tried",
        ),
        _ => (Vec::new(), ""),
    };
    labels
        .into_iter()
        .map(|label| Unplaced {
            mode,
            name: format!("{}: {label}", background.name()),
            reason,
        })
        .collect()
}
