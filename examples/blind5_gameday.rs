//! Fifth blind game day: F1, F2 and F6 through the CloudWatch pipeline (data stored as
//! CloudWatch stores it in `InMemorySource`, read back by each detector's `queries()` /
//! `observations()` through `failure_modes::run`, `DetectorSet` and the noise reduction).
//! Drills and expectations: `examples/blind5/DRILLS.md` (written before any run).
//!
//! `cargo run --release -p sre-examples --example blind5_gameday -- /work/shared/data/nab-aws --seed N [--notes]`

// A harness: a failure should stop the run loudly; kept as its blind author wrote it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    clippy::use_self,
    clippy::needless_range_loop
)]

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use failure_modes::chrono::{DateTime, Duration, TimeZone, Timelike, Utc};
use failure_modes::{
    AlertInterval, ApiThrottling, Completeness, ConnectionSample, ConnectionSignal, DEFAULT_HOLD,
    DbConnectionExhaustion, DetectorSet, Error, FailureMode, FetchRequest, FetchedDetector,
    FetchedSeries, Finding, InMemorySource, Interval, MaintenanceWindows, Metric, MetricDetector,
    MetricSource, NetworkPartition, Period, QueryKind, Severity, ThrottleSample, ThrottleSignal,
    TimeRange, ZoneSample, ZoneSignal, group_by_root_cause, outside_maintenance, run,
};
use sre_examples::nab;

type Res<T> = std::result::Result<T, Box<dyn std::error::Error>>;

// ---------------------------------------------------------------- small tools

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn unif(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.unif().max(1e-300);
        let u2 = self.unif();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda < 30.0 {
            let l = (-lambda).exp();
            let (mut k, mut p) = (0u64, 1.0);
            loop {
                p *= self.unif();
                if p <= l {
                    return k;
                }
                k += 1;
            }
        }
        (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u64
    }
    fn binomial(&mut self, n: u64, p: f64) -> u64 {
        if n == 0 || p <= 0.0 {
            return 0;
        }
        let mean = n as f64 * p;
        if n < 60 {
            return (0..n).filter(|_| self.unif() < p).count() as u64;
        }
        if mean < 30.0 {
            return self.poisson(mean).min(n);
        }
        let sd = (mean * (1.0 - p)).sqrt();
        (mean + sd * self.normal()).round().clamp(0.0, n as f64) as u64
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
}
fn minute(m: i64) -> DateTime<Utc> {
    t0() + Duration::minutes(m)
}
fn hm(t: DateTime<Utc>) -> String {
    let d = t - t0();
    format!(
        "d{}+{:02}:{:02}:{:02}",
        d.num_days(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Raw samples as CloudWatch holds them, to be inserted all at once or as they arrive.
#[derive(Default, Clone)]
struct Store {
    samples: Vec<(DateTime<Utc>, usize, f64)>,
    metrics: Vec<Metric>,
}
impl Store {
    fn idx(&mut self, m: &Metric) -> usize {
        if let Some(i) = self.metrics.iter().position(|x| x == m) {
            return i;
        }
        self.metrics.push(m.clone());
        self.metrics.len() - 1
    }
    fn raw(&mut self, m: &Metric, at: DateTime<Utc>, v: f64) {
        let i = self.idx(m);
        self.samples.push((at, i, v));
    }
    /// A count in a minute: nothing at all when 0 (CloudWatch has no datapoint then), else 1–3
    /// raw samples at random seconds summing to it.
    fn count(&mut self, m: &Metric, minute_start: DateTime<Utc>, count: u64, rng: &mut Rng) {
        if count == 0 {
            return;
        }
        let k = (1 + rng.below(3)).min(count);
        let mut left = count;
        for j in 0..k {
            let part = if j + 1 == k {
                left
            } else {
                1 + rng.below(left - (k - j) + 1)
            };
            left -= part;
            let at = minute_start + Duration::milliseconds(rng.below(60_000) as i64);
            self.raw(m, at, part as f64);
        }
    }
    fn sort(&mut self) {
        self.samples
            .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    }
    fn source(&self) -> InMemorySource {
        let src = InMemorySource::new();
        self.feed(&src, 0, None);
        src
    }
    /// Inserts samples from `from` (index) before `until`; returns the new index.
    fn feed(&self, src: &InMemorySource, from: usize, until: Option<DateTime<Utc>>) -> usize {
        let mut per: BTreeMap<usize, Vec<(DateTime<Utc>, f64)>> = BTreeMap::new();
        let mut i = from;
        while i < self.samples.len() {
            let (at, m, v) = self.samples[i];
            if until.is_some_and(|u| at >= u) {
                break;
            }
            per.entry(m).or_default().push((at, v));
            i += 1;
        }
        for (m, pts) in per {
            src.insert(self.metrics[m].clone(), pts)
                .expect("finite samples");
        }
        i
    }
    fn merge(&mut self, other: &Store) {
        for (at, i, v) in &other.samples {
            let m = other.metrics[*i].clone();
            self.raw(&m, *at, *v);
        }
    }
}

// ---------------------------------------------------------------- NAB shapes

/// 4320 one-minute values (3 days), mean 1, floored at 0.2, from a clean stretch of a NAB file.
fn shape(all: &[nab::Series], prefer: &[&str], rng: &mut Rng, notes: &mut Vec<String>) -> Vec<f64> {
    let rows = 864;
    let cands: Vec<&nab::Series> = all
        .iter()
        .filter(|s| prefer.iter().any(|p| s.key.contains(p)) && s.values.len() > rows + 10)
        .collect();
    let s = cands[rng.below(cands.len() as u64) as usize];
    let valid: Vec<usize> = (0..s.values.len() - rows)
        .filter(|&st| (st..st + rows).all(|r| !s.in_window(r)))
        .collect();
    let start = if valid.is_empty() {
        notes.push(format!(
            "harness: no clean 3-day stretch in {}, using row 0",
            s.key
        ));
        0
    } else {
        valid[rng.below(valid.len() as u64) as usize]
    };
    let v = &s.values[start..start + rows + 1];
    let mut out = Vec::with_capacity(rows * 5);
    for m in 0..rows * 5 {
        let (i, f) = (m / 5, (m % 5) as f64 / 5.0);
        out.push(v[i] * (1.0 - f) + v[i + 1] * f);
    }
    let mean = out.iter().sum::<f64>() / out.len() as f64;
    let mean = if mean > 0.0 { mean } else { 1.0 };
    for x in &mut out {
        *x = (*x / mean).max(0.2);
    }
    notes.push(format!(
        "shape: {} rows {}..{}",
        s.key.rsplit('/').next().unwrap_or(""),
        start,
        start + rows
    ));
    out
}

// ---------------------------------------------------------------- results

#[derive(Default)]
struct Tally {
    // per mode: (detected, expected, false alarms, severity agree, severity total, delays)
    rows: BTreeMap<String, (u32, u32, u32, u32, u32, Vec<i64>)>,
    checks: u32,
    failed: Vec<String>,
    // per category: (checks, failed)
    cats: BTreeMap<String, (u32, u32)>,
}
impl Tally {
    fn check(&mut self, ok: bool, what: String) {
        self.checks += 1;
        let cat = if what.starts_with("S-") {
            "scheduler"
        } else if what.starts_with("B-") {
            "bad data"
        } else if what.starts_with("F1") {
            "F1"
        } else if what.starts_with("F2") {
            "F2"
        } else if what.starts_with("F6") {
            "F6"
        } else {
            "noise/set"
        };
        let c = self.cats.entry(cat.to_string()).or_default();
        c.0 += 1;
        c.1 += u32::from(!ok);
        if !ok {
            self.failed.push(what);
        }
    }
    fn row(&mut self, mode: &str) -> &mut (u32, u32, u32, u32, u32, Vec<i64>) {
        self.rows.entry(mode.to_string()).or_default()
    }
}

fn fdesc(f: &Finding) -> String {
    format!(
        "{} {:?} '{}' start {} det {} obs {:.4} thr {:.4}",
        f.mode.id(),
        f.severity,
        f.subject,
        hm(f.start),
        hm(f.end),
        f.evidence.observed,
        f.evidence.threshold
    )
}

fn short(e: &Error) -> String {
    let s = e.to_string();
    let variant = format!("{e:?}");
    let v = variant
        .split([' ', '{', '('])
        .next()
        .unwrap_or("")
        .to_string();
    format!("{v}: {s}")
}

/// An incident drill's verdict: expected severities each found with start in
/// [onset-2, onset+start_slack] and detection by `deadline[sev]`; anything else a false alarm.
#[allow(clippy::too_many_arguments)]
fn judge_incident(
    t: &mut Tally,
    mode: &str,
    drill: &str,
    res: &std::result::Result<Vec<Finding>, String>,
    onset: DateTime<Utc>,
    start_slack: i64,
    expect: &[(Severity, DateTime<Utc>)],
    earliest_ok: DateTime<Utc>,
    subject: Option<&str>,
) {
    INFO.with(|i| {
        i.borrow_mut().push(format!(
            "{drill}: onset {} -> {}",
            hm(onset),
            match res {
                Ok(f) => f.iter().map(fdesc).collect::<Vec<_>>().join(" | "),
                Err(e) => e.clone(),
            }
        ))
    });
    let findings = match res {
        Ok(f) => f,
        Err(e) => {
            let r = t.row(mode);
            r.1 += 1;
            t.check(false, format!("{drill}: error instead of findings: {e}"));
            return;
        }
    };
    let mut used = vec![false; findings.len()];
    for (sev, deadline) in expect {
        let r = t.row(mode);
        r.1 += 1;
        let hit = findings.iter().enumerate().find(|(i, f)| {
            !used[*i]
                && f.severity == *sev
                && f.end >= earliest_ok
                && f.end <= *deadline + Duration::minutes(30)
        });
        match hit {
            Some((i, f)) => {
                used[i] = true;
                let delay = (f.end - onset).num_minutes();
                let r = t.row(mode);
                r.0 += 1;
                r.3 += 1;
                r.4 += 1;
                r.5.push(delay);
                t.check(
                    f.end <= *deadline,
                    format!(
                        "{drill}: {sev:?} detected late: {} (deadline {})",
                        fdesc(f),
                        hm(*deadline)
                    ),
                );
                t.check(
                    f.start >= onset - Duration::minutes(2)
                        && f.start <= onset + Duration::minutes(start_slack),
                    format!(
                        "{drill}: {sev:?} start off the onset {}: {}",
                        hm(onset),
                        fdesc(f)
                    ),
                );
                if let Some(s) = subject {
                    t.check(
                        f.subject.contains(s),
                        format!("{drill}: subject '{}' does not name {s}", f.subject),
                    );
                }
            }
            None => {
                // found at another severity?
                let other = findings
                    .iter()
                    .enumerate()
                    .find(|(i, f)| !used[*i] && f.end >= earliest_ok);
                if let Some((i, f)) = other {
                    used[i] = true;
                    let r = t.row(mode);
                    r.0 += 1;
                    r.4 += 1;
                    r.5.push((f.end - onset).num_minutes());
                    t.check(
                        false,
                        format!("{drill}: expected {sev:?}, got {}", fdesc(f)),
                    );
                } else {
                    t.check(
                        false,
                        format!(
                            "{drill}: missed {sev:?} (onset {}, deadline {}); findings: {}",
                            hm(onset),
                            hm(*deadline),
                            findings.iter().map(fdesc).collect::<Vec<_>>().join(" | ")
                        ),
                    );
                }
            }
        }
    }
    for (i, f) in findings.iter().enumerate() {
        if !used[i] {
            t.row(mode).2 += 1;
            t.check(
                false,
                format!(
                    "{drill}: extra finding (false alarm or duplicate): {}",
                    fdesc(f)
                ),
            );
        }
    }
}

fn judge_clean(
    t: &mut Tally,
    mode: &str,
    drill: &str,
    res: &std::result::Result<Vec<Finding>, String>,
) {
    match res {
        Ok(f) => {
            t.row(mode).2 += f.len() as u32;
            t.check(
                f.is_empty(),
                format!(
                    "{drill}: {} false alarm(s): {}",
                    f.len(),
                    f.iter().map(fdesc).collect::<Vec<_>>().join(" | ")
                ),
            );
        }
        Err(e) => t.check(false, format!("{drill}: error on clean data: {e}")),
    }
}

fn run_once<D: MetricDetector>(
    mut d: D,
    store: &Store,
    range: TimeRange,
) -> std::result::Result<Vec<Finding>, String> {
    let src = store.source();
    block_on(run(&mut d, &src, range)).map_err(|e| short(&e))
}

// ---------------------------------------------------------------- F1

struct F1Gen {
    signal: ThrottleSignal,
    store: Store,
    throttled: Vec<u64>,
}

/// `level(m)` = throttle probability at minute m.
fn f1_gen(
    shape: &[f64],
    rate: f64,
    minutes: i64,
    level: &dyn Fn(i64) -> f64,
    rng: &mut Rng,
) -> F1Gen {
    f1_gen_named("checkout", shape, rate, minutes, level, rng)
}

fn f1_gen_named(
    function: &str,
    shape: &[f64],
    rate: f64,
    minutes: i64,
    level: &dyn Fn(i64) -> f64,
    rng: &mut Rng,
) -> F1Gen {
    let signal = ThrottleSignal::lambda(function).unwrap();
    let mut store = Store::default();
    let mut throttled = Vec::new();
    for m in 0..minutes {
        let a = rng.poisson(rate * shape[m as usize % shape.len()]);
        let th = rng.binomial(a, level(m));
        store.count(&signal.calls, minute(m), a - th, rng);
        store.count(&signal.throttles, minute(m), th, rng);
        throttled.push(th);
    }
    store.sort();
    F1Gen {
        signal,
        store,
        throttled,
    }
}

/// Amendment 2: the start may be as late as the first throttled minute at or after onset.
fn f1_slack(g: &F1Gen, onset: i64) -> i64 {
    let first = (onset as usize..g.throttled.len())
        .find(|&m| g.throttled[m] > 0)
        .map_or(onset, |m| m as i64);
    (first - onset).max(3)
}

/// DynamoDB: one `SuccessfulRequestLatency` raw sample per successful request, throttled
/// requests counted in `ThrottledRequests` (nothing when 0).
fn f1_ddb_gen(
    shape: &[f64],
    rate: f64,
    minutes: i64,
    level: &dyn Fn(i64) -> f64,
    rng: &mut Rng,
) -> F1Gen {
    let signal = ThrottleSignal::dynamodb("orders", "PutItem").unwrap();
    let mut store = Store::default();
    let mut throttled = Vec::new();
    for m in 0..minutes {
        let a = rng.poisson(rate * shape[m as usize % shape.len()]);
        let th = rng.binomial(a, level(m));
        for _ in 0..a - th {
            let at = minute(m) + Duration::milliseconds(rng.below(60_000) as i64);
            store.raw(&signal.calls, at, 4.0 + 4.0 * rng.unif());
        }
        store.count(&signal.throttles, minute(m), th, rng);
        throttled.push(th);
    }
    store.sort();
    F1Gen {
        signal,
        store,
        throttled,
    }
}

/// Amendment 5: the minute by which the data allow the documented sustain (≥ 4 throttled
/// minutes since the first, the newest ≥ 4 after it and throttled itself).
fn f1_sustain_minute(g: &F1Gen, onset: i64) -> i64 {
    let Some(first) = (onset as usize..g.throttled.len()).find(|&m| g.throttled[m] > 0) else {
        return onset;
    };
    let mut n = 0;
    for m in first..g.throttled.len() {
        if g.throttled[m] > 0 {
            n += 1;
            if n >= 4 && m >= first + 4 {
                return m as i64;
            }
        }
    }
    g.throttled.len() as i64
}

/// Amendment 5: deadlines of an F1 incident of `len` minutes.
fn f1_deadlines(
    g: &F1Gen,
    onset: i64,
    len: i64,
    registered: &[(Severity, i64)],
) -> Vec<(Severity, DateTime<Utc>)> {
    let m = f1_sustain_minute(g, onset);
    registered
        .iter()
        .map(|(s, d)| {
            let rule = if *s == Severity::Page { m + 15 } else { m + 5 };
            (*s, minute((onset + d).max(rule.min(onset + len))))
        })
        .collect()
}

fn f1_det(g: &F1Gen) -> ApiThrottling {
    ApiThrottling::new(g.signal.clone(), Default::default()).unwrap()
}

fn range_of(minutes: i64) -> TimeRange {
    TimeRange::new(minute(0), minute(minutes)).unwrap()
}

// ---------------------------------------------------------------- F2

const ZONES: [&str; 3] = ["us-east-1a", "us-east-1b", "us-east-1c"];

struct ZoneLevel {
    lat_mult: f64,
    target_p: f64,
    elb_p: f64,
}

fn f2_gen(
    shape: &[f64],
    rate: f64,
    minutes: i64,
    level: &dyn Fn(i64, usize) -> ZoneLevel,
    rng: &mut Rng,
) -> (ZoneSignal, Store) {
    let signal = ZoneSignal::alb("app/shop/50dc6c495c0c9188", &ZONES).unwrap();
    let mut store = Store::default();
    for z in 0..3 {
        let zm = signal.zone_metrics(ZONES[z]).unwrap();
        let zshift = 1.0 + 0.1 * z as f64;
        for m in 0..minutes {
            let sh = shape[m as usize % shape.len()];
            let lv = level(m, z);
            if lv.lat_mult == 0.0 {
                // drained (amendment 4): no request, no datapoint of this zone
                continue;
            }
            let req = rng.poisson(rate * sh * zshift);
            let t5 = rng.binomial(req, lv.target_p);
            let e5 = rng.binomial(req - t5, lv.elb_p);
            store.count(&zm.requests, minute(m), req, rng);
            store.count(&zm.target_5xx, minute(m), t5, rng);
            store.count(&zm.elb_5xx, minute(m), e5, rng);
            if req > 0 && lv.elb_p < 1.0 {
                let median = 0.12 * (1.0 + 0.3 * sh) * lv.lat_mult;
                for _ in 0..20 {
                    let v = median * (0.25 * rng.normal()).exp();
                    let at = minute(m) + Duration::milliseconds(rng.below(60_000) as i64);
                    store.raw(&zm.latency, at, v);
                }
            }
        }
    }
    store.sort();
    (signal, store)
}

fn normal_zone(_m: i64, _z: usize) -> ZoneLevel {
    ZoneLevel {
        lat_mult: 1.0,
        target_p: 0.0005,
        elb_p: 0.0,
    }
}

// ---------------------------------------------------------------- F6

/// Per-minute peaks of connections; `None` = agent down.
fn f6_peaks(shape: &[f64], minutes: i64, rng: &mut Rng) -> Vec<Option<f64>> {
    let (lo, hi) = shape
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &x| (a.min(x), b.max(x)));
    (0..minutes)
        .map(|m| {
            let s = (shape[m as usize % shape.len()] - lo) / (hi - lo).max(1e-9);
            Some(
                (400.0 * (0.2 + 0.3 * s) * (1.0 + 0.03 * rng.normal()))
                    .round()
                    .clamp(1.0, 399.0),
            )
        })
        .collect()
}

fn f6_store(signal: &ConnectionSignal, peaks: &[Option<f64>], rng: &mut Rng) -> Store {
    f6_store_up(signal, peaks, None, rng)
}

/// With the upstream concurrency (amendment 4), published in about 2/3 of the minutes, always
/// in `always`.
fn f6_store_up(
    signal: &ConnectionSignal,
    peaks: &[Option<f64>],
    always: Option<(i64, i64)>,
    rng: &mut Rng,
) -> Store {
    let mut store = Store::default();
    if let Some(up) = &signal.upstream {
        for (m, p) in peaks.iter().enumerate() {
            let must = always.is_some_and(|(a, b)| (a..b).contains(&(m as i64)));
            if !must && rng.below(3) == 0 {
                continue;
            }
            let c = (p.unwrap_or(100.0) / 5.0 * (1.0 + 0.05 * rng.normal()))
                .round()
                .max(1.0);
            for k in 0..3 {
                let at = minute(m as i64)
                    + Duration::seconds(20 * k)
                    + Duration::milliseconds(rng.below(900) as i64);
                store.raw(up, at, (c - 3.0 * rng.unif()).round().max(0.0));
            }
        }
    }
    for (m, p) in peaks.iter().enumerate() {
        let Some(p) = *p else { continue };
        let top = rng.below(6);
        for k in 0..6 {
            let v = if k == top {
                p
            } else {
                (p - 20.0 - 40.0 * rng.unif()).round().max(0.0)
            };
            let at = minute(m as i64)
                + Duration::seconds(10 * k as i64)
                + Duration::milliseconds(rng.below(900) as i64);
            store.raw(&signal.connections, at, v);
        }
    }
    store.sort();
    store
}

/// Ramp from the background at `onset` to `target` over 20 minutes, hold 40.
fn f6_incident(peaks: &mut [Option<f64>], onset: i64, target: f64) {
    let base = peaks[onset as usize].unwrap_or(150.0);
    for k in 0..60 {
        let m = (onset + k) as usize;
        let v = if k < 20 {
            base + (target - base) * (k + 1) as f64 / 20.0
        } else {
            target
        };
        peaks[m] = Some(v.round());
    }
}

fn first_at_or_above(peaks: &[Option<f64>], from: i64, level: f64) -> i64 {
    (from as usize..peaks.len())
        .find(|&m| peaks[m].is_some_and(|p| p >= level))
        .map_or(-1, |m| m as i64)
}

// ---------------------------------------------------------------- scheduler

trait At {
    fn at(&self) -> DateTime<Utc>;
}
impl At for ThrottleSample {
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
}
impl At for ZoneSample {
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
}
impl At for ConnectionSample {
    fn at(&self) -> DateTime<Utc> {
        self.at
    }
}

#[derive(Clone, Copy, Debug)]
enum Sched {
    Every15,
    Overlap5x60Raw,
    Overlap5x60Dedup,
    Mid15,
}

/// Runs a detector as a scheduler would, data arriving as it goes. Returns the findings, or
/// the first error with the run's time.
fn scheduled<D>(
    mut d: D,
    store: &Store,
    minutes: i64,
    sched: Sched,
) -> std::result::Result<(Vec<Finding>, u32), String>
where
    D: MetricDetector,
    D::Input: At,
{
    let nodata = std::cell::Cell::new(0u32);
    // a run whose series are all empty is `NoData` (documented): note it and go on
    let ok_or_nodata = |r: failure_modes::Result<Vec<Finding>>,
                        now: DateTime<Utc>|
     -> std::result::Result<Vec<Finding>, String> {
        match r {
            Ok(f) => Ok(f),
            Err(Error::NoData { .. }) => {
                nodata.set(nodata.get() + 1);
                Ok(Vec::new())
            }
            Err(e) => Err(format!("run at {}: {}", hm(now), short(&e))),
        }
    };
    let src = InMemorySource::new();
    let mut fed = 0usize;
    let mut out = Vec::new();
    let end = minute(minutes);
    let mut last_end = minute(0);
    let mut last_pushed: Option<DateTime<Utc>> = None;
    let step = match sched {
        Sched::Every15 | Sched::Mid15 => 15,
        _ => 5,
    };
    let mut k = 1;
    loop {
        let mut now = minute(step * k);
        if matches!(sched, Sched::Mid15) {
            now += Duration::seconds(30);
        }
        if now > end {
            break;
        }
        k += 1;
        fed = store.feed(&src, fed, Some(now));
        match sched {
            Sched::Every15 => {
                let r = TimeRange::new(last_end, now).unwrap();
                out.extend(ok_or_nodata(block_on(run(&mut d, &src, r)), now)?);
                last_end = now;
            }
            Sched::Mid15 => {
                let r = TimeRange::new(last_end, now).unwrap();
                out.extend(ok_or_nodata(block_on(run(&mut d, &src, r)), now)?);
                // the period holding `now` was pushed (partial): go on after it
                last_end = now - Duration::seconds(30) + Duration::minutes(1);
            }
            Sched::Overlap5x60Raw => {
                let start = (now - Duration::minutes(60)).max(minute(0));
                let r = TimeRange::new(start, now).unwrap();
                out.extend(ok_or_nodata(block_on(run(&mut d, &src, r)), now)?);
            }
            Sched::Overlap5x60Dedup => {
                let start = (now - Duration::minutes(60)).max(minute(0));
                let r = TimeRange::new(start, now).unwrap();
                let q = MetricDetector::queries(&d).map_err(|e| short(&e))?;
                let req = FetchRequest::new(q, r).map_err(|e| e.to_string())?;
                let fetched = block_on(src.fetch(&req)).map_err(|e| e.to_string())?;
                let obs = match d.observations(&fetched) {
                    Ok(o) => o,
                    Err(Error::NoData { .. }) => {
                        nodata.set(nodata.get() + 1);
                        continue;
                    }
                    Err(e) => return Err(format!("observations at {}: {}", hm(now), short(&e))),
                };
                for o in obs {
                    if last_pushed.is_some_and(|l| o.at() <= l) {
                        continue;
                    }
                    last_pushed = Some(o.at());
                    out.extend(
                        d.push(o)
                            .map_err(|e| format!("push at {}: {}", hm(now), short(&e)))?,
                    );
                }
            }
        }
    }
    Ok((out, nodata.get()))
}

fn same_findings(a: &[Finding], b: &[Finding], slack_min: i64) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.mode == y.mode
                && x.severity == y.severity
                && x.subject == y.subject
                && (x.start - y.start).num_minutes().abs() <= slack_min
                && (x.end - y.end).num_minutes().abs() <= slack_min
        })
}

fn sched_drills<D>(
    t: &mut Tally,
    name: &str,
    make: &dyn Fn() -> D,
    store: &Store,
    minutes: i64,
    reference: &std::result::Result<Vec<Finding>, String>,
) where
    D: MetricDetector,
    D::Input: At,
{
    let reference = match reference {
        Ok(r) => r.clone(),
        Err(e) => {
            t.check(false, format!("S-{name}: the reference run failed: {e}"));
            return;
        }
    };
    for sched in [
        Sched::Every15,
        Sched::Overlap5x60Raw,
        Sched::Overlap5x60Dedup,
        Sched::Mid15,
    ] {
        let res = catch_unwind(AssertUnwindSafe(|| {
            scheduled(make(), store, minutes, sched)
        }));
        let drill = format!("S-{name}-{sched:?}");
        let res = match res {
            Ok(r) => r,
            Err(_) => {
                t.check(false, format!("{drill}: PANIC"));
                continue;
            }
        };
        let slack = if matches!(sched, Sched::Mid15) { 2 } else { 0 };
        let res = res.map(|(f, nodata)| {
            if nodata > 0 {
                sched_note(
                    t,
                    &drill,
                    &format!("{nodata} run(s) answered NoData (documented), scheduler went on"),
                );
            }
            f
        });
        match (&res, sched) {
            (Err(e), Sched::Overlap5x60Raw) => {
                let documented = e.contains("OutOfOrder");
                t.check(
                    documented,
                    format!("{drill}: error not the documented OutOfOrder: {e}"),
                );
                t.rows.entry("scheduler".into()).or_default();
                sched_note(t, &drill, &format!("error (expected, documented): {e}"));
            }
            (Err(e), _) => t.check(false, format!("{drill}: error: {e}")),
            (Ok(f), Sched::Overlap5x60Raw) => {
                t.check(
                    same_findings(f, &reference, 0),
                    format!(
                        "{drill}: overlapping runs accepted but findings differ: {} vs one run {}",
                        f.iter().map(fdesc).collect::<Vec<_>>().join(" | "),
                        reference.iter().map(fdesc).collect::<Vec<_>>().join(" | ")
                    ),
                );
            }
            (Ok(f), _) => {
                if slack > 0 {
                    sched_note(
                        t,
                        &drill,
                        &format!(
                            "exactly the one run's findings: {}{}",
                            same_findings(f, &reference, 0),
                            if same_findings(f, &reference, 0) {
                                String::new()
                            } else {
                                format!(
                                    " ({} vs one run {})",
                                    f.iter().map(fdesc).collect::<Vec<_>>().join(" | "),
                                    reference.iter().map(fdesc).collect::<Vec<_>>().join(" | ")
                                )
                            }
                        ),
                    );
                }
                t.check(
                    same_findings(f, &reference, slack),
                    format!(
                        "{drill}: findings differ from one run: {} vs {}",
                        f.iter().map(fdesc).collect::<Vec<_>>().join(" | "),
                        reference.iter().map(fdesc).collect::<Vec<_>>().join(" | ")
                    ),
                );
            }
        }
    }
}

fn sched_note(t: &mut Tally, drill: &str, what: &str) {
    let _ = t;
    INFO.with(|i| i.borrow_mut().push(format!("{drill}: {what}")));
}

thread_local! {
    static INFO: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

// ---------------------------------------------------------------- bad data

fn stat_of(q: &failure_modes::MetricQuery) -> (String, String) {
    match q.kind() {
        QueryKind::Stat { metric, stat, .. } => (metric.name().to_string(), format!("{stat:?}")),
        _ => (String::new(), "expression".into()),
    }
}

fn bad_drill<D: MetricDetector + Clone>(
    t: &mut Tally,
    drill: &str,
    d: &D,
    src: &InMemorySource,
    range: TimeRange,
    alter: &dyn Fn(&mut Vec<FetchedSeries>, &[(String, String)]),
    expect: &[&str],
) {
    let q = MetricDetector::queries(d).unwrap();
    let names: Vec<(String, String)> = q.iter().map(stat_of).collect();
    let req = FetchRequest::new(q, range).unwrap();
    let mut fetched = block_on(src.fetch(&req)).unwrap();
    alter(&mut fetched, &names);
    let mut d = d.clone();
    let res = catch_unwind(AssertUnwindSafe(|| {
        FetchedDetector::judge_fetched(&mut d, &fetched)
    }));
    match res {
        Err(_) => t.check(false, format!("{drill}: PANIC")),
        Ok(Ok(f)) => t.check(
            false,
            format!(
                "{drill}: accepted silently, {} finding(s): {}",
                f.len(),
                f.iter().map(fdesc).collect::<Vec<_>>().join(" | ")
            ),
        ),
        Ok(Err(e)) => {
            let s = short(&e);
            t.check(
                expect.iter().any(|x| s.starts_with(x)),
                format!("{drill}: error {s}, expected one of {expect:?}"),
            );
            INFO.with(|i| i.borrow_mut().push(format!("{drill}: {s}")));
        }
    }
}

fn series_named<'a>(
    f: &'a mut [FetchedSeries],
    names: &[(String, String)],
    name: &str,
) -> &'a mut FetchedSeries {
    let i = names.iter().position(|n| n.0 == name).expect("query named");
    &mut f[i]
}

// ---------------------------------------------------------------- main

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .ok_or("usage: blind5_gameday DIR --seed N [--notes]")?;
    let seed: u64 = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .map_or(Ok(0), |s| s.parse())?;
    let notes_on = args.iter().any(|a| a == "--notes");
    let only: Option<String> = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let want = |p: &str| only.as_deref().is_none_or(|o| p.starts_with(o));
    let all = nab::load(Path::new(dir))?;
    let mut rng = Rng(0xB11D_5000 ^ seed.wrapping_mul(0x9E37_79B9));
    let mut t = Tally::default();
    t.rows.entry("F1".into()).or_default();
    let mut shapes_used = Vec::new();
    let days3 = 4320i64;
    let days2 = 2880i64;

    // ---------------- F1
    let f1_shape = shape(
        &all,
        &["elb_request_count", "grok_asg", "ec2_network_in", "ec2_cpu"],
        &mut rng,
        &mut shapes_used,
    );
    let f1_rate = [300.0, 1000.0, 3000.0][rng.below(3) as usize];
    shapes_used.push(format!("F1 rate {f1_rate}/min"));
    let bg = 0.0005;
    let onset_f1 = 1440 + 360 + rng.below(2400) as i64; // day 2 06:00 .. day 3 22:00
    let q = MetricDetector::queries(&f1_det(&f1_gen(&f1_shape, 10.0, 1, &|_| 0.0, &mut Rng(1))))?;
    for qq in &q {
        let (n, s) = stat_of(qq);
        let ok = s == "Sum";
        t.check(ok, format!("F1 query {n} asks {s}, docs say Sum"));
    }
    if want("F1") {
        // clean with a 3-minute burst
        let burst = 1440 + 600 + rng.below(1400) as i64;
        let g = f1_gen(
            &f1_shape,
            f1_rate,
            days3,
            &|m| {
                if (burst..burst + 3).contains(&m) {
                    0.3
                } else {
                    bg
                }
            },
            &mut rng,
        );
        let res = run_once(f1_det(&g), &g.store, range_of(days3));
        judge_clean(&mut t, "F1", "F1-clean", &res);
        let g_clean = g;
        // empty throttles
        let g = f1_gen(&f1_shape, f1_rate, days3, &|_| 0.0, &mut rng);
        let res = run_once(f1_det(&g), &g.store, range_of(days3));
        judge_clean(&mut t, "F1", "F1-empty", &res);
        // incidents
        for (name, p, sevs) in [
            ("F1-1.5", 0.015, vec![(Severity::Ticket, 15)]),
            ("F1-4", 0.04, vec![(Severity::Ticket, 10)]),
            (
                "F1-15",
                0.15,
                vec![(Severity::Ticket, 10), (Severity::Page, 10)],
            ),
        ] {
            let g = f1_gen(
                &f1_shape,
                f1_rate,
                days3,
                &|m| {
                    if (onset_f1..onset_f1 + 60).contains(&m) {
                        p
                    } else {
                        bg
                    }
                },
                &mut rng,
            );
            let res = run_once(f1_det(&g), &g.store, range_of(days3));
            let exp = f1_deadlines(
                &g,
                onset_f1,
                60,
                &sevs
                    .iter()
                    .map(|(s, d)| (*s, *d as i64))
                    .collect::<Vec<_>>(),
            );
            judge_incident(
                &mut t,
                "F1",
                name,
                &res,
                minute(onset_f1),
                f1_slack(&g, onset_f1),
                &exp,
                minute(onset_f1),
                None,
            );
            if name == "F1-4" && want("F1") {
                let sig = g.signal.clone();
                sched_drills(
                    &mut t,
                    "F1-4",
                    &|| ApiThrottling::new(sig.clone(), Default::default()).unwrap(),
                    &g.store,
                    days3,
                    &res,
                );
            }
        }
        let res = run_once(f1_det(&g_clean), &g_clean.store, range_of(days3));
        let sig = g_clean.signal.clone();
        sched_drills(
            &mut t,
            "F1-clean",
            &|| ApiThrottling::new(sig.clone(), Default::default()).unwrap(),
            &g_clean.store,
            days3,
            &res,
        );
        // amendment 3: DynamoDB
        {
            let q = MetricDetector::queries(&ApiThrottling::new(
                ThrottleSignal::dynamodb("orders", "PutItem")?,
                Default::default(),
            )?)?;
            let stats: Vec<(String, String)> = q.iter().map(stat_of).collect();
            t.check(
                stats
                    .iter()
                    .any(|(n, s)| n == "SuccessfulRequestLatency" && s == "SampleCount")
                    && stats
                        .iter()
                        .any(|(n, s)| n == "ThrottledRequests" && s == "Sum"),
                format!("F1-ddb queries {stats:?}"),
            );
            let g = f1_ddb_gen(
                &f1_shape,
                300.0,
                days3,
                &|m| {
                    if (onset_f1..onset_f1 + 60).contains(&m) {
                        0.04
                    } else {
                        bg
                    }
                },
                &mut rng,
            );
            let res = run_once(f1_det(&g), &g.store, range_of(days3));
            judge_incident(
                &mut t,
                "F1",
                "F1-ddb-4",
                &res,
                minute(onset_f1),
                f1_slack(&g, onset_f1),
                &f1_deadlines(&g, onset_f1, 60, &[(Severity::Ticket, 10)]),
                minute(onset_f1),
                None,
            );
            let g = f1_ddb_gen(&f1_shape, 300.0, days3, &|_| bg, &mut rng);
            let res = run_once(f1_det(&g), &g.store, range_of(days3));
            judge_clean(&mut t, "F1", "F1-ddb-clean", &res);
        }
        // amendment 1
        let g = f1_gen(
            &f1_shape,
            f1_rate,
            days3,
            &|m| {
                if (onset_f1..onset_f1 + 30).contains(&m) {
                    1.0
                } else {
                    bg
                }
            },
            &mut rng,
        );
        let res = run_once(f1_det(&g), &g.store, range_of(days3));
        judge_incident(
            &mut t,
            "F1",
            "F1-block",
            &res,
            minute(onset_f1),
            f1_slack(&g, onset_f1),
            &f1_deadlines(
                &g,
                onset_f1,
                30,
                &[(Severity::Ticket, 10), (Severity::Page, 10)],
            ),
            minute(onset_f1),
            None,
        );
        {
            let sig = g.signal.clone();
            sched_drills(
                &mut t,
                "F1-block",
                &|| ApiThrottling::new(sig.clone(), Default::default()).unwrap(),
                &g.store,
                days3,
                &res,
            );
        }
        let g = f1_gen(&f1_shape, 3.0, days3, &|_| bg, &mut rng);
        let res = run_once(f1_det(&g), &g.store, range_of(days3));
        judge_clean(&mut t, "F1", "F1-low-clean", &res);
        let _ = &res;
        let g = f1_gen(
            &f1_shape,
            3.0,
            days3,
            &|m| {
                if (onset_f1..onset_f1 + 60).contains(&m) {
                    0.2
                } else {
                    bg
                }
            },
            &mut rng,
        );
        let res = run_once(f1_det(&g), &g.store, range_of(days3));
        judge_incident(
            &mut t,
            "F1",
            "F1-low-20",
            &res,
            minute(onset_f1),
            f1_slack(&g, onset_f1),
            &f1_deadlines(
                &g,
                onset_f1,
                60,
                &[(Severity::Ticket, 15), (Severity::Page, 15)],
            ),
            minute(onset_f1),
            None,
        );
    }

    // ---------------- F2
    let f2_shape = shape(
        &all,
        &["elb_request_count", "grok_asg", "ec2_network_in"],
        &mut rng,
        &mut shapes_used,
    );
    let f2_rate = [300.0, 600.0, 1500.0][rng.below(3) as usize];
    shapes_used.push(format!("F2 rate {f2_rate}/min per zone"));
    let onset_f2 = 1440 + 120 + rng.below(1200) as i64;
    {
        let (sig, _) = f2_gen(&f2_shape, 10.0, 1, &normal_zone, &mut Rng(1));
        let d = NetworkPartition::new(sig, Default::default())?;
        for qq in MetricDetector::queries(&d)? {
            let (n, s) = stat_of(&qq);
            let ok = if n == "TargetResponseTime" {
                s.contains("Percentile(95")
            } else {
                s == "Sum"
            };
            t.check(ok, format!("F2 query {n} asks {s}"));
        }
    }
    if want("F2") {
        let nuis_lat = 1440 + 200 + rng.below(1000) as i64;
        let blip = 1440 + 60 + rng.below(1300) as i64;
        let lvl = move |m: i64, z: usize| ZoneLevel {
            lat_mult: if (nuis_lat..nuis_lat + 30).contains(&m) {
                2.0
            } else {
                1.0
            },
            target_p: if z == 2 && (blip..blip + 2).contains(&m) {
                0.10
            } else {
                0.0005
            },
            elb_p: 0.0,
        };
        let (sig, store) = f2_gen(&f2_shape, f2_rate, days2, &lvl, &mut rng);
        let res = run_once(
            NetworkPartition::new(sig.clone(), Default::default())?,
            &store,
            range_of(days2),
        );
        judge_clean(&mut t, "F2", "F2-clean", &res);
        // amendment 4: zone c drained for 2 hours
        let drain = 1440 + 120 + rng.below(1000) as i64;
        let (sig, store) = f2_gen(
            &f2_shape,
            f2_rate,
            days2,
            &move |m, z| ZoneLevel {
                lat_mult: if z == 2 && (drain..drain + 120).contains(&m) {
                    0.0
                } else {
                    1.0
                },
                target_p: 0.0005,
                elb_p: 0.0,
            },
            &mut rng,
        );
        let res = run_once(
            NetworkPartition::new(sig.clone(), Default::default())?,
            &store,
            range_of(days2),
        );
        judge_clean(&mut t, "F2", "F2-drain", &res);
        type Lv = Box<dyn Fn(i64, usize) -> ZoneLevel>;
        let o = onset_f2;
        let inc = move |m: i64| (o..o + 30).contains(&m);
        let drills: Vec<(&str, Lv)> = vec![
            (
                "F2-5xx-2",
                Box::new(move |m, z| ZoneLevel {
                    lat_mult: 1.0,
                    target_p: if z == 1 && inc(m) { 0.02 } else { 0.0005 },
                    elb_p: 0.0,
                }),
            ),
            (
                "F2-5xx-6-elb",
                Box::new(move |m, z| ZoneLevel {
                    lat_mult: 1.0,
                    target_p: 0.0005,
                    elb_p: if z == 1 && inc(m) { 0.06 } else { 0.0 },
                }),
            ),
            (
                "F2-dead",
                Box::new(move |m, z| ZoneLevel {
                    lat_mult: 1.0,
                    target_p: if z == 1 && inc(m) { 0.0 } else { 0.0005 },
                    elb_p: if z == 1 && inc(m) { 1.0 } else { 0.0 },
                }),
            ),
            (
                "F2-lat",
                Box::new(move |m, z| ZoneLevel {
                    lat_mult: if z == 1 && inc(m) { 3.0 } else { 1.0 },
                    target_p: 0.0005,
                    elb_p: 0.0,
                }),
            ),
        ];
        for (name, lv) in drills {
            let (sig, store) = f2_gen(&f2_shape, f2_rate, days2, &*lv, &mut rng);
            let res = run_once(
                NetworkPartition::new(sig.clone(), Default::default())?,
                &store,
                range_of(days2),
            );
            judge_incident(
                &mut t,
                "F2",
                name,
                &res,
                minute(o),
                5,
                &[(Severity::Page, minute(o + 8))],
                minute(o),
                Some("us-east-1b"),
            );
            if name == "F2-5xx-2" || name == "F2-dead" {
                sched_drills(
                    &mut t,
                    name,
                    &|| NetworkPartition::new(sig.clone(), Default::default()).unwrap(),
                    &store,
                    days2,
                    &res,
                );
            }
        }
    }

    // ---------------- F6
    let f6_shape = shape(&all, &["rds_cpu", "ec2_cpu"], &mut rng, &mut shapes_used);
    let onset_f6 = 1440 + 240 + rng.below(2400) as i64;
    let f6_sig = ConnectionSignal::rds("orders-db", 400.0)?;
    {
        let d = DbConnectionExhaustion::new(f6_sig.clone(), Default::default())?;
        for qq in MetricDetector::queries(&d)? {
            let (n, s) = stat_of(&qq);
            t.check(
                s == "Maximum",
                format!("F6 query {n} asks {s}, docs say Maximum"),
            );
        }
    }
    // amendment 1: the documented sustain (N of M) delays a finding by N - 1 periods
    let n6 = i64::from(
        failure_modes::ConnectionConfig::default()
            .sustain()
            .datapoints_to_alarm(),
    ) - 1;
    let f6_det = |sig: &ConnectionSignal| {
        DbConnectionExhaustion::new(sig.clone(), Default::default()).unwrap()
    };
    if want("F6") {
        // clean with a step to 70 % and an agent outage
        let mut peaks = f6_peaks(&f6_shape, days3, &mut rng);
        let step = 1440 + 300 + rng.below(2400) as i64;
        for m in step..step + 15 {
            peaks[m as usize] = Some(280.0);
        }
        let gap = (step + 200 + rng.below(600) as i64).min(days3 - 60);
        for m in gap..gap + 45 {
            peaks[m as usize] = None;
        }
        let store = f6_store(&f6_sig, &peaks, &mut rng);
        let res = run_once(f6_det(&f6_sig), &store, range_of(days3));
        judge_clean(&mut t, "F6", "F6-clean", &res);
        // amendment 4: sparse upstream
        let up_sig = f6_sig.clone().with_lambda_upstream("checkout")?;
        let ustore = f6_store_up(&up_sig, &peaks, None, &mut rng);
        let ures = run_once(f6_det(&up_sig), &ustore, range_of(days3));
        judge_clean(&mut t, "F6", "F6-up-clean", &ures);
        sched_drills(&mut t, "F6-clean", &|| f6_det(&f6_sig), &store, days3, &res);

        for (name, target) in [("F6-85", 340.0), ("F6-97", 388.0)] {
            let mut peaks = f6_peaks(&f6_shape, days3, &mut rng);
            f6_incident(&mut peaks, onset_f6, target);
            let t80 = first_at_or_above(&peaks, onset_f6, 320.0);
            let mut exp = vec![(Severity::Ticket, minute(t80 + n6 + 1))];
            if target >= 380.0 {
                exp.push((
                    Severity::Page,
                    minute(first_at_or_above(&peaks, onset_f6, 380.0) + n6 + 1),
                ));
            }
            let store = f6_store(&f6_sig, &peaks, &mut rng);
            let res = run_once(f6_det(&f6_sig), &store, range_of(days3));
            judge_incident(
                &mut t,
                "F6",
                name,
                &res,
                minute(onset_f6),
                25,
                &exp,
                minute(onset_f6),
                None,
            );
            if name == "F6-85" {
                // average of the crossing minute is under 80 % by construction: note it
                sched_drills(&mut t, "F6-85", &|| f6_det(&f6_sig), &store, days3, &res);
                // amendment 4: sparse upstream
                let up_sig = f6_sig.clone().with_lambda_upstream("checkout")?;
                let ustore =
                    f6_store_up(&up_sig, &peaks, Some((onset_f6, onset_f6 + 60)), &mut rng);
                let ures = run_once(f6_det(&up_sig), &ustore, range_of(days3));
                judge_incident(
                    &mut t,
                    "F6",
                    "F6-up-85",
                    &ures,
                    minute(onset_f6),
                    25,
                    &exp,
                    minute(onset_f6),
                    None,
                );
                if let Ok(v) = &ures {
                    INFO.with(|i| {
                        i.borrow_mut().push(format!(
                            "F6-up-85 evidence: {}",
                            v.iter()
                                .map(|f| f.evidence.detail.clone())
                                .collect::<Vec<_>>()
                                .join(" | ")
                        ))
                    });
                }
                // gap
                let mut gp = peaks.clone();
                for m in t80 - 10..t80 + 10 {
                    gp[m as usize] = None;
                }
                let store = f6_store(&f6_sig, &gp, &mut rng);
                let res = run_once(f6_det(&f6_sig), &store, range_of(days3));
                judge_incident(
                    &mut t,
                    "F6",
                    "F6-gap",
                    &res,
                    minute(onset_f6),
                    40,
                    &[(Severity::Ticket, minute(t80 + 10 + n6 + 1))],
                    minute(onset_f6),
                    None,
                );
                // 5-minute basic monitoring
                let mut s5 = f6_sig.clone();
                s5.period = Period::new(300)?;
                let store = f6_store(&s5, &peaks, &mut rng);
                let p5 = t80 - t80.rem_euclid(5);
                let res = run_once(f6_det(&s5), &store, range_of(days3));
                judge_incident(
                    &mut t,
                    "F6",
                    "F6-5min",
                    &res,
                    minute(onset_f6 - onset_f6.rem_euclid(5)),
                    25,
                    &[(Severity::Ticket, minute(p5 + 5 * n6 + 5))],
                    minute(onset_f6 - 5),
                    None,
                );
            }
        }
    }

    // ---------------- noise reduction and DetectorSet
    if want("noise") {
        let o1 = 1440 + 120 + rng.below(300) as i64;
        let o2 = o1 + 240 + rng.below(300) as i64;
        let g1 = f1_gen(
            &f1_shape,
            f1_rate,
            days2,
            &|m| if (o1..o1 + 60).contains(&m) { 0.04 } else { bg },
            &mut rng,
        );
        let (zsig, zstore) = f2_gen(
            &f2_shape,
            f2_rate,
            days2,
            &|m, z| ZoneLevel {
                lat_mult: 1.0,
                target_p: if z == 1 && (o2..o2 + 30).contains(&m) {
                    0.02
                } else {
                    0.0005
                },
                elb_p: 0.0,
            },
            &mut rng,
        );
        let mut peaks = f6_peaks(&f6_shape, days2, &mut rng);
        let o6 = (o2 + 200).min(days2 - 70);
        f6_incident(&mut peaks, o6, 340.0);
        let s6 = f6_store(&f6_sig, &peaks, &mut rng);
        let mut all_store = g1.store.clone();
        all_store.merge(&zstore);
        all_store.merge(&s6);
        all_store.sort();
        let src = all_store.source();
        let r = range_of(days2);
        let f1s = block_on(run(&mut f1_det(&g1), &src, r)).map_err(|e| short(&e));
        let f2s = block_on(run(
            &mut NetworkPartition::new(zsig.clone(), Default::default())?,
            &src,
            r,
        ))
        .map_err(|e| short(&e));
        let f6s = block_on(run(&mut f6_det(&f6_sig), &src, r)).map_err(|e| short(&e));
        // DetectorSet
        let mut set = DetectorSet::new()
            .with(f1_det(&g1))
            .with(NetworkPartition::new(zsig.clone(), Default::default())?)
            .with(f6_det(&f6_sig));
        let nq = set.fetch_request(r)?.queries().len();
        let sep_q = MetricDetector::queries(&f1_det(&g1))?.len()
            + MetricDetector::queries(&NetworkPartition::new(zsig.clone(), Default::default())?)?
                .len()
            + MetricDetector::queries(&f6_det(&f6_sig))?.len();
        t.check(
            nq == sep_q,
            format!("DetectorSet request holds {nq} queries, separately {sep_q}"),
        );
        let set_res = block_on(set.run(&src, r));
        match set_res {
            Err(e) => t.check(false, format!("DetectorSet run failed: {}", short(&e))),
            Ok(rs) => {
                for (i, (name, sep)) in [("F1", &f1s), ("F2", &f2s), ("F6", &f6s)]
                    .iter()
                    .enumerate()
                {
                    let got = rs[i].as_ref().map_err(short).cloned();
                    let same = match (&got, sep) {
                        (Ok(a), Ok(b)) => a == b,
                        (Err(a), Err(b)) => a == b,
                        _ => false,
                    };
                    t.check(
                        same,
                        format!(
                            "DetectorSet {name}: {:?} vs alone {:?}",
                            got.as_ref()
                                .map(|v| v.iter().map(fdesc).collect::<Vec<_>>()),
                            sep.as_ref()
                                .map(|v| v.iter().map(fdesc).collect::<Vec<_>>())
                        ),
                    );
                }
            }
        }
        // S-set-15 (amendment 6)
        {
            let one = block_on(
                DetectorSet::new()
                    .with(f1_det(&g1))
                    .with(NetworkPartition::new(zsig.clone(), Default::default())?)
                    .with(f6_det(&f6_sig))
                    .run(&src, r),
            );
            let mut set = DetectorSet::new()
                .with(f1_det(&g1))
                .with(NetworkPartition::new(zsig.clone(), Default::default())?)
                .with(f6_det(&f6_sig));
            let live = InMemorySource::new();
            let (mut fed, mut last) = (0usize, minute(0));
            let mut got: Vec<Vec<Finding>> = vec![Vec::new(); 3];
            let mut errs: Vec<String> = Vec::new();
            let mut nodata = 0;
            for k in 1..=(days2 / 15) {
                let now = minute(15 * k);
                fed = all_store.feed(&live, fed, Some(now));
                match block_on(set.run(&live, TimeRange::new(last, now)?)) {
                    Err(e) => errs.push(format!("set at {}: {}", hm(now), short(&e))),
                    Ok(rs) => {
                        for (i, x) in rs.into_iter().enumerate() {
                            match x {
                                Ok(f) => got[i].extend(f),
                                Err(Error::NoData { .. }) => nodata += 1,
                                Err(e) => {
                                    errs.push(format!("detector {i} at {}: {}", hm(now), short(&e)))
                                }
                            }
                        }
                    }
                }
                last = now;
            }
            match one {
                Err(e) => t.check(
                    false,
                    format!("S-set-15: the one-shot set failed: {}", short(&e)),
                ),
                Ok(rs) => {
                    for (i, x) in rs.iter().enumerate() {
                        let want = x.as_ref().map_err(short).cloned().unwrap_or_default();
                        t.check(
                            same_findings(&got[i], &want, 0),
                            format!(
                                "S-set-15 detector {i}: windows {} vs one run {}",
                                got[i].iter().map(fdesc).collect::<Vec<_>>().join(" | "),
                                want.iter().map(fdesc).collect::<Vec<_>>().join(" | ")
                            ),
                        );
                    }
                }
            }
            t.check(errs.is_empty(), format!("S-set-15: errors {errs:?}"));
            INFO.with(|i| i.borrow_mut().push(format!("S-set-15: {nodata} detector-window(s) answered NoData, findings per detector {:?}", got.iter().map(Vec::len).collect::<Vec<_>>())));
        }
        // set-2xF1 (amendment 2)
        {
            let gb = f1_gen_named("search", &f1_shape, f1_rate, days2, &|_| bg, &mut rng);
            let mut st = g1.store.clone();
            st.merge(&gb.store);
            st.sort();
            let src2 = st.source();
            let a = block_on(run(&mut f1_det(&g1), &src2, r)).map_err(|e| short(&e));
            let b = block_on(run(&mut f1_det(&gb), &src2, r)).map_err(|e| short(&e));
            let mut set = DetectorSet::new().with(f1_det(&g1)).with(f1_det(&gb));
            match block_on(set.run(&src2, r)) {
                Err(e) => t.check(false, format!("set-2xF1: {}", short(&e))),
                Ok(rs) => {
                    for (i, sep) in [&a, &b].iter().enumerate() {
                        let got = rs[i].as_ref().map_err(short).cloned();
                        t.check(
                            &got == *sep,
                            format!(
                                "set-2xF1 detector {i}: {:?} vs alone {:?}",
                                got.as_ref()
                                    .map(|v| v.iter().map(fdesc).collect::<Vec<_>>()),
                                sep.as_ref()
                                    .map(|v| v.iter().map(fdesc).collect::<Vec<_>>())
                            ),
                        );
                    }
                    t.check(
                        a.as_ref().is_ok_and(|v| !v.is_empty())
                            && b.as_ref().is_ok_and(Vec::is_empty),
                        format!(
                            "set-2xF1: alone, checkout {:?} search {:?}",
                            a.as_ref().map(Vec::len),
                            b.as_ref().map(Vec::len)
                        ),
                    );
                }
            }
        }
        // maintenance
        match (&f1s, &f2s) {
            (Ok(a), Ok(b)) if !a.is_empty() && !b.is_empty() => {
                let first = a.iter().map(|f| f.end).min().unwrap();
                let last = a.iter().map(|f| f.end).max().unwrap();
                let w = MaintenanceWindows::new([Interval::new(
                    first - Duration::minutes(30),
                    last + Duration::minutes(1),
                )?]);
                let mut both = a.clone();
                both.extend(b.iter().cloned());
                let kept = outside_maintenance(both, &w);
                let k1 = kept
                    .iter()
                    .filter(|f| f.mode == FailureMode::ApiThrottling)
                    .count();
                let k2 = kept
                    .iter()
                    .filter(|f| f.mode == FailureMode::NetworkPartition)
                    .count();
                t.check(
                    k1 == 0 && k2 == b.len(),
                    format!(
                        "maintenance: kept F1 {k1} (want 0), F2 {k2} (want {})",
                        b.len()
                    ),
                );
                // grouping
                let zone_f: Vec<(String, Finding)> =
                    b.iter().map(|f| (f.subject.clone(), f.clone())).collect();
                let slo_page = AlertInterval::new(
                    "shop availability, page",
                    Severity::Page,
                    minute(o2 + 3),
                    Some(minute(o2 + 40)),
                );
                let other = AlertInterval::new(
                    "search latency, ticket",
                    Severity::Ticket,
                    minute(o2 + 3),
                    Some(minute(o2 + 40)),
                );
                let groups = group_by_root_cause(
                    vec![
                        ("us-east-1b".to_string(), slo_page),
                        ("other".to_string(), other),
                    ],
                    zone_f,
                    DEFAULT_HOLD,
                );
                let zg = groups.iter().find(|g| g.key == "us-east-1b");
                t.check(
                    groups.len() == 2
                        && zg.is_some_and(|g| {
                            g.alerts.len() == 1 + b.len() && g.severity == Severity::Page
                        }),
                    format!(
                        "grouping: {} groups: {}",
                        groups.len(),
                        groups
                            .iter()
                            .map(|g| format!(
                                "{}:{} alerts {:?}",
                                g.key,
                                g.alerts.len(),
                                g.severity
                            ))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
            _ => t.check(
                false,
                format!(
                    "noise: prerequisites missing: F1 {:?} F2 {:?}",
                    f1s.as_ref().map(Vec::len),
                    f2s.as_ref().map(Vec::len)
                ),
            ),
        }

        // ---------------- bad data
        let d1 = f1_det(&g1);
        let d6 = f6_det(&f6_sig);
        let mid = |f: &FetchedSeries| f.points.len() / 2;
        bad_drill(
            &mut t,
            "B-nan",
            &d1,
            &src,
            r,
            &|f, n| {
                let s = series_named(f, n, "Invocations");
                let i = mid(s);
                s.points[i].1 = f64::NAN;
            },
            &["InvalidInput", "InvalidValue"],
        );
        bad_drill(
            &mut t,
            "B-inf",
            &d6,
            &src,
            r,
            &|f, n| {
                let s = series_named(f, n, "DatabaseConnections");
                let i = mid(s);
                s.points[i].1 = f64::INFINITY;
            },
            &["InvalidInput", "InvalidValue"],
        );
        bad_drill(
            &mut t,
            "B-huge",
            &d1,
            &src,
            r,
            &|f, n| {
                let s = series_named(f, n, "Throttles");
                let i = mid(s);
                s.points[i].1 = 1e300;
            },
            &["InvalidInput", "InvalidValue"],
        );
        bad_drill(
            &mut t,
            "B-neg",
            &d1,
            &src,
            r,
            &|f, n| {
                let s = series_named(f, n, "Invocations");
                let i = mid(s);
                s.points[i].1 = -5.0;
            },
            &["InvalidInput"],
        );
        {
            // B-neg-comp (amendment 6): a minute with Throttles > 1
            let q = MetricDetector::queries(&d1)?;
            let names: Vec<(String, String)> = q.iter().map(stat_of).collect();
            let fetched = block_on(src.fetch(&FetchRequest::new(q, r)?))?;
            let th = &fetched[names.iter().position(|n| n.0 == "Throttles").unwrap()];
            if let Some(&(at, _)) = th.points.iter().find(|p| p.1 > 1.0) {
                bad_drill(
                    &mut t,
                    "B-neg-comp",
                    &d1,
                    &src,
                    r,
                    &move |f, n| {
                        let s = series_named(f, n, "Invocations");
                        if let Some(p) = s.points.iter_mut().find(|p| p.0 == at) {
                            p.1 = -1.0;
                        }
                    },
                    &["InvalidInput"],
                );
            } else {
                t.check(
                    false,
                    "B-neg-comp: harness found no minute with Throttles > 1".into(),
                );
            }
        }
        bad_drill(
            &mut t,
            "B-dup",
            &d1,
            &src,
            r,
            &|f, n| {
                let s = series_named(f, n, "Throttles");
                let i = mid(s);
                let p = s.points[i];
                s.points.insert(i, p);
            },
            &["OutOfOrder"],
        );
        bad_drill(
            &mut t,
            "B-dup6",
            &d6,
            &src,
            r,
            &|f, n| {
                let s = series_named(f, n, "DatabaseConnections");
                let i = mid(s);
                let p = s.points[i];
                s.points.insert(i, p);
            },
            &["OutOfOrder"],
        );
        bad_drill(
            &mut t,
            "B-dupseries",
            &d1,
            &src,
            r,
            &|f, n| {
                let s = series_named(f, n, "Throttles").clone();
                f.push(s);
            },
            &["DuplicateSeries"],
        );
        bad_drill(
            &mut t,
            "B-missing",
            &d1,
            &src,
            r,
            &|f, n| {
                let i = n.iter().position(|x| x.0 == "Throttles").unwrap();
                f.remove(i);
            },
            &["MissingSeries"],
        );
        bad_drill(
            &mut t,
            "B-partial",
            &d1,
            &src,
            r,
            &|f, n| {
                let s = series_named(f, n, "Invocations");
                let c = s.clone().with_completeness(Completeness::Partial {
                    reason: "PartialData".into(),
                });
                *s = c;
            },
            &["IncompleteData"],
        );
        let d2 = NetworkPartition::new(zsig.clone(), Default::default())?;
        bad_drill(
            &mut t,
            "B-f2-nan",
            &d2,
            &src,
            r,
            &|f, n| {
                let s = series_named(f, n, "TargetResponseTime");
                let i = mid(s);
                s.points[i].1 = f64::NAN;
            },
            &["InvalidInput", "InvalidValue"],
        );
        bad_drill(
            &mut t,
            "B-f2-missing",
            &d2,
            &src,
            r,
            &|f, n| {
                let i = n.iter().position(|x| x.0 == "RequestCount").unwrap();
                f.remove(i);
            },
            &["MissingSeries"],
        );
        // amendment 3: B-after / B-before
        {
            let src1 = g1.store.source();
            let q = MetricDetector::queries(&f1_det(&g1))?;
            let names: Vec<(String, String)> = q.iter().map(stat_of).collect();
            let fetched = block_on(src1.fetch(&FetchRequest::new(q, r)?))?;
            let ci = names.iter().position(|n| n.0 == "Invocations").unwrap();
            for (drill, bad_min) in [("B-after", o1 + 150), ("B-before", 600)] {
                let mut broken = fetched.clone();
                let pi = broken[ci]
                    .points
                    .iter()
                    .position(|p| p.0 >= minute(bad_min))
                    .unwrap();
                broken[ci].points[pi].1 = f64::NAN;
                let mut d = f1_det(&g1);
                let first = catch_unwind(AssertUnwindSafe(|| {
                    FetchedDetector::judge_fetched(&mut d, &broken)
                }));
                let first = match first {
                    Err(_) => {
                        t.check(false, format!("{drill}: PANIC"));
                        continue;
                    }
                    Ok(x) => x,
                };
                let err = match &first {
                    Ok(f) => {
                        t.check(
                            false,
                            format!("{drill}: NaN accepted, {} findings", f.len()),
                        );
                        continue;
                    }
                    Err(e) => short(e),
                };
                let mut fixed = fetched.clone();
                fixed[ci].points.remove(pi);
                let retry = FetchedDetector::judge_fetched(&mut d, &fixed).map_err(|e| short(&e));
                let found = retry.as_ref().is_ok_and(|v| {
                    v.iter()
                        .any(|f| f.start >= minute(o1 - 2) && f.start <= minute(o1 + 30))
                });
                INFO.with(|i| {
                    i.borrow_mut().push(format!(
                        "{drill}: first call {err}; retry of the range without the bad point: {:?}",
                        retry
                            .as_ref()
                            .map(|v| v.iter().map(fdesc).collect::<Vec<_>>())
                    ))
                });
                if drill == "B-before" && !found {
                    // the next scheduled range, as a platform would go on
                    let next = TimeRange::new(minute(bad_min + 1), minute(days2))?;
                    let nq = MetricDetector::queries(&d)?;
                    let nf = block_on(src1.fetch(&FetchRequest::new(nq, next)?))?;
                    let nres = FetchedDetector::judge_fetched(&mut d, &nf).map_err(|e| short(&e));
                    INFO.with(|i| {
                        i.borrow_mut().push(format!(
                            "{drill}: next range from the bad point on: {:?}",
                            nres.as_ref()
                                .map(|v| v.iter().map(fdesc).collect::<Vec<_>>())
                        ))
                    });
                }
                t.check(found, format!("{drill}: after `{err}` the range retried without the bad point gives {:?}: the incident's finding (onset {}) reached no caller",
                    retry.as_ref().map(|v| v.iter().map(fdesc).collect::<Vec<_>>()), hm(minute(o1))));
            }
        }
        // B-set: F1 on a function with no data, beside F6
        let mut set = DetectorSet::new()
            .with(ApiThrottling::new(
                ThrottleSignal::lambda("no-such-function")?,
                Default::default(),
            )?)
            .with(f6_det(&f6_sig));
        match catch_unwind(AssertUnwindSafe(|| block_on(set.run(&src, r)))) {
            Err(_) => t.check(false, "B-set: PANIC".into()),
            Ok(Err(e)) => t.check(false, format!("B-set: the whole set failed: {}", short(&e))),
            Ok(Ok(rs)) => {
                t.check(
                    rs[0].is_err(),
                    format!(
                        "B-set: F1 without data gave {:?}",
                        rs[0].as_ref().map(Vec::len)
                    ),
                );
                let same = match (&rs[1], &f6s) {
                    (Ok(a), Ok(b)) => a == b,
                    _ => false,
                };
                t.check(
                    same,
                    "B-set: F6's findings changed beside a broken F1".into(),
                );
                if let Err(e) = &rs[0] {
                    INFO.with(|i| i.borrow_mut().push(format!("B-set F1: {}", short(e))));
                }
            }
        }
    }

    // ---------------- report
    println!(
        "blind5 seed {seed}: {} checks, {} failed",
        t.checks,
        t.failed.len()
    );
    for s in &shapes_used {
        if !s.starts_with("harness") {
            println!("  {s}");
        }
    }
    println!(
        "  {:<10} {:>9} {:>6} {:>9} {:>12}",
        "mode", "det/exp", "false", "sev ok", "delays(min)"
    );
    for (mode, (d, e, fa, sa, st, delays)) in &t.rows {
        println!(
            "  {mode:<10} {:>9} {fa:>6} {:>9} {:>12}",
            format!("{d}/{e}"),
            format!("{sa}/{st}"),
            format!("{delays:?}")
        );
    }
    println!("  checks by category (passed/total):");
    for (cat, (n, f)) in &t.cats {
        println!("    {cat:<10} {}/{n}", n - f);
    }
    if notes_on {
        println!("notes (failed checks):");
        for f in &t.failed {
            println!("  FAIL {f}");
        }
        for s in &shapes_used {
            if s.starts_with("harness") {
                println!("  {s}");
            }
        }
        INFO.with(|i| {
            for s in i.borrow().iter() {
                println!("  info {s}");
            }
        });
    }
    Ok(())
}
