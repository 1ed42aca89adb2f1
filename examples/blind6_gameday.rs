//! Sixth blind game day: F3, F5, F7, F8 and `MetricAnomalies` through the CloudWatch pipeline
//! (an `InMemorySource` holding data as CloudWatch stores it, each detector's `queries()` /
//! `observations()`, `failure_modes::run` and `DetectorSet::run` as a scheduler calls them,
//! then the noise reduction). The drills and their expected outcomes are in
//! `examples/blind6/DRILLS.md`, written before any run.
//!
//! `cargo run --release -p sre-examples --example blind6_gameday -- /work/shared/data/nab-aws --seed N [--notes]`

// A harness: a failure should stop the run loudly; kept as its blind author wrote it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::type_complexity,
    clippy::cloned_ref_to_slice_refs
)]

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use failure_modes::aws_telemetry::{
    AclGrant, BucketExposure, ExposureSource, FetchError, FetchRequest, FetchedSeries, Grantee,
    InMemoryExposureSource, Permission, QueryKind,
};
use failure_modes::chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Timelike, Utc};
use failure_modes::sli_core::Interval;
use failure_modes::{
    AlertInterval, AnomalySignal, ColdStartLatency, ColdStartSignal, CostRunaway, DEFAULT_HOLD,
    DetectorSet, FailureMode, Finding, InMemorySource, MaintenanceWindows, Metric, MetricAnomalies,
    MetricDetector, MetricSource, OneOffCharge, Period, PublicDataLeak, QuotaSignal,
    ServiceQuotaHit, Severity, Statistic, TimeRange, group_by_root_cause, outside_maintenance, run,
};

type Res<T> = Result<T, Box<dyn std::error::Error>>;
type T = DateTime<Utc>;

// ---------------------------------------------------------------- small tools

/// Polls a future that completes without a runtime (`InMemorySource` is a `BlockingSource`).
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// splitmix64, seeded per drill.
#[derive(Debug, Clone)]
struct Rng(u64);
impl Rng {
    fn new(seed: u64, salt: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }
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
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unif()
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn normal(&mut self) -> f64 {
        let u1 = self.unif().max(1e-300);
        let u2 = self.unif();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    fn poisson(&mut self, lambda: f64) -> f64 {
        if lambda < 30.0 {
            let l = (-lambda).exp();
            let (mut k, mut p) = (0.0, 1.0);
            loop {
                p *= self.unif();
                if p <= l {
                    return k;
                }
                k += 1.0;
            }
        }
        (lambda + lambda.sqrt() * self.normal()).round().max(0.0)
    }
}

fn min(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

fn t0() -> T {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
}

/// A clean stretch (no row inside a labelled window) of `len` rows of a NAB series, divided
/// by its median; tiled from the longest clean run when no run is long enough.
fn nab_shape(all: &[sre_examples::nab::Series], key: &str, len: usize, rng: &mut Rng) -> Vec<f64> {
    let s = all
        .iter()
        .find(|s| s.key.contains(key))
        .expect("NAB series");
    let n = s.values.len();
    let mut starts = Vec::new();
    let mut longest = (0, 0);
    let mut run_start = None;
    for i in 0..=n {
        let clean = i < n && !s.in_window(i);
        match (clean, run_start) {
            (true, None) => run_start = Some(i),
            (false, Some(st)) => {
                if i - st > longest.1 - longest.0 {
                    longest = (st, i);
                }
                if i - st >= len {
                    starts.extend(st..=i - len);
                }
                run_start = None;
            }
            _ => {}
        }
    }
    let vals: Vec<f64> = if starts.is_empty() {
        let part = &s.values[longest.0..longest.1];
        (0..len).map(|i| part[i % part.len()]).collect()
    } else {
        let st = starts[rng.below(starts.len() as u64) as usize];
        s.values[st..st + len].to_vec()
    };
    let mut sorted = vals.clone();
    sorted.sort_by(f64::total_cmp);
    let med = sorted[len / 2].max(1e-9);
    vals.iter().map(|v| v / med).collect()
}

fn metric_of<D: MetricDetector>(d: &D, name: &str) -> Metric {
    for q in d.queries().expect("queries") {
        if let QueryKind::Stat { metric, .. } = q.kind()
            && metric.name() == name
        {
            return metric.clone();
        }
    }
    panic!("no query for {name}")
}

// ---------------------------------------------------------------- the tampering source

#[derive(Debug, Clone, Copy)]
enum Bad {
    Value(f64),
    Duplicate,
}

#[derive(Debug, Default)]
struct Tamper {
    inner: InMemorySource,
    rule: Mutex<Option<(String, Bad)>>,
}
impl std::fmt::Display for Tamper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tamper({})", self.inner)
    }
}
impl MetricSource for Tamper {
    fn fetch<'life0, 'life1, 'async_trait>(
        &'life0 self,
        request: &'life1 FetchRequest,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<FetchedSeries>, FetchError>> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        'life1: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let mut out = self.inner.fetch(request).await?;
            let rule = self.rule.lock().unwrap().clone();
            if let Some((name, bad)) = rule {
                for (q, series) in request.queries().iter().zip(out.iter_mut()) {
                    if let QueryKind::Stat { metric, .. } = q.kind()
                        && metric.name() == name
                        && let Some(&(at, v)) = series.points.last()
                    {
                        match bad {
                            Bad::Value(x) => {
                                let i = series.points.len() - 1;
                                series.points[i] = (at, x);
                            }
                            Bad::Duplicate => series.points.push((at, v)),
                        }
                    }
                }
            }
            Ok(out)
        })
    }
}

// ---------------------------------------------------------------- findings and checks

#[derive(Debug, Clone, PartialEq)]
struct F {
    mode: String,
    sev: Severity,
    subject: String,
    start: T,
    end: T,
    forecast: Option<T>,
    detail: String,
}
fn rec(f: &Finding) -> F {
    F {
        mode: f.mode.id().to_string(),
        sev: f.severity,
        subject: f.subject.clone(),
        start: f.start,
        end: f.end,
        forecast: f.forecast,
        detail: f.evidence.detail.clone(),
    }
}
fn same(a: &[F], b: &[F]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            (&x.mode, x.sev, &x.subject, x.start, x.end, x.forecast)
                == (&y.mode, y.sev, &y.subject, y.start, y.end, y.forecast)
        })
}
fn show(fs: &[F]) -> String {
    if fs.is_empty() {
        return "none".into();
    }
    fs.iter()
        .map(|f| {
            format!(
                "{} {} {} start {} end {}{} [{}]",
                f.mode,
                f.sev,
                f.subject,
                f.start.format("%m-%d %H:%M"),
                f.end.format("%m-%d %H:%M:%S"),
                f.forecast
                    .map(|t| format!(" forecast {}", t.format("%m-%d %H:%M")))
                    .unwrap_or_default(),
                f.detail
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One expected finding.
#[derive(Debug, Clone)]
struct Exp {
    sev: Severity,
    /// The incident's start (delays are measured from it).
    at: T,
    start_from: T,
    start_to: T,
    latest: T,
    /// Extra condition on the finding, with its name.
    cond: Option<(&'static str, fn(&F) -> bool)>,
}

#[derive(Debug, Default, Clone)]
struct Tally {
    expected: u32,
    detected: u32,
    false_alarms: u32,
    sev_agree: u32,
    sev_total: u32,
    delays: Vec<i64>,
    checks: u32,
    failed: Vec<String>,
}
impl Tally {
    fn fail(&mut self, s: String) {
        self.failed.push(s);
    }
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            self.failed.push(what());
        }
    }
}

/// Matches findings against expectations; findings with a severity in `allowed` that match no
/// expectation are neither false alarms nor failures.
fn judge(t: &mut Tally, drill: &str, found: &[F], exps: &[Exp], allowed: &[(Severity, T, T)]) {
    let mut used = vec![false; found.len()];
    for e in exps {
        t.expected += 1;
        t.checks += 1;
        // Prefer a finding of the expected severity whose start is in the window.
        let pick = (0..found.len())
            .filter(|&i| !used[i] && found[i].start >= e.start_from && found[i].start <= e.start_to)
            .min_by_key(|&i| (found[i].sev != e.sev, found[i].end));
        let Some(i) = pick else {
            t.fail(format!(
                "{drill}: expected a {} (start in [{}, {}], detected by {}), got {}",
                e.sev,
                e.start_from.format("%m-%d %H:%M"),
                e.start_to.format("%m-%d %H:%M"),
                e.latest.format("%m-%d %H:%M"),
                show(found)
            ));
            continue;
        };
        used[i] = true;
        let f = &found[i];
        t.sev_total += 1;
        if f.sev == e.sev {
            t.sev_agree += 1;
        } else {
            t.fail(format!(
                "{drill}: severity {} where {} expected: {}",
                f.sev,
                e.sev,
                show(&[f.clone()])
            ));
        }
        if f.end > e.latest {
            t.fail(format!(
                "{drill}: detected {} after the latest acceptable {}: {}",
                f.end.format("%m-%d %H:%M"),
                e.latest.format("%m-%d %H:%M"),
                show(&[f.clone()])
            ));
        } else {
            t.detected += 1;
        }
        t.delays.push((f.end - e.at).num_minutes());
        if let Some((name, c)) = e.cond {
            t.check(c(f), || {
                format!(
                    "{drill}: condition '{name}' fails on {}",
                    show(&[f.clone()])
                )
            });
        }
    }
    for (i, f) in found.iter().enumerate() {
        // Amended 2026-12-07: an allowed severity only counts near the incident (in the
        // first version a page drill's allowance hid false tickets weeks before it).
        if !used[i]
            && !allowed
                .iter()
                .any(|&(sev, from, to)| f.sev == sev && f.start >= from && f.start <= to)
        {
            t.false_alarms += 1;
            t.fail(format!(
                "{drill}: unexpected finding {}",
                show(&[f.clone()])
            ));
        }
    }
}

// ---------------------------------------------------------------- scheduling

/// Ranges of a scheduler: a backfill `[from, backfill_end)`, then a run every `every` over
/// `[now − lag − window, now − lag)` until `now` passes `until`.
fn schedule(
    from: T,
    backfill_end: T,
    every: TimeDelta,
    window: TimeDelta,
    lag: TimeDelta,
    until: T,
) -> Vec<TimeRange> {
    let mut out = vec![TimeRange::new(from, backfill_end).unwrap()];
    // Runs at whole multiples of `every` after the backfill's end (a cron schedule).
    let mut now = backfill_end + every;
    while now <= until {
        out.push(TimeRange::new(now - lag - window, now - lag).unwrap());
        now += every;
    }
    out
}

/// Runs `det` over the ranges; a run refused is recorded, and the same range is run again
/// with the tampering (if any) removed. Returns the findings and the errors' texts with their
/// run index.
fn run_ranges<D: MetricDetector>(
    det: &mut D,
    src: &Tamper,
    ranges: &[TimeRange],
    tamper_at: Option<(usize, &str, Bad)>,
    mut before: impl FnMut(&mut D, usize, &TimeRange),
    mut after: impl FnMut(&mut D, usize, &TimeRange) -> Vec<F>,
) -> (Vec<F>, Vec<(usize, String)>) {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, r) in ranges.iter().enumerate() {
        before(det, i, r);
        if let Some((k, name, bad)) = tamper_at
            && k == i
        {
            *src.rule.lock().unwrap() = Some((name.to_string(), bad));
        }
        let res = block_on(run(det, src, *r));
        *src.rule.lock().unwrap() = None;
        match res {
            Ok(fs) => out.extend(fs.iter().map(rec)),
            Err(e) => {
                errs.push((i, format!("{e:?} / {e}")));
                // Mended: the same range again.
                match block_on(run(det, src, *r)) {
                    Ok(fs) => out.extend(fs.iter().map(rec)),
                    Err(e) => errs.push((i, format!("AGAIN {e:?} / {e}"))),
                }
            }
        }
        out.extend(after(det, i, r));
    }
    (out, errs)
}

fn no_before<D>(_: &mut D, _: usize, _: &TimeRange) {}
fn no_after<D>(_: &mut D, _: usize, _: &TimeRange) -> Vec<F> {
    Vec::new()
}

/// Index of the first range whose run (on the control) gave a finding.
fn first_finding_run<D: MetricDetector + Clone>(
    fresh: &D,
    src: &Tamper,
    ranges: &[TimeRange],
) -> Option<usize> {
    let mut d = fresh.clone();
    for (i, r) in ranges.iter().enumerate() {
        if let Ok(fs) = block_on(run(&mut d, src, *r))
            && !fs.is_empty()
        {
            return Some(i);
        }
    }
    None
}

// ---------------------------------------------------------------- F3

#[derive(Clone, Copy, PartialEq, Debug)]
enum Q {
    Clean,
    Warn,
    Blocked,
    Leak,
    /// The leak with a 3-hour hole one day in (amendment 9).
    LeakHole,
}
const LIMIT: f64 = 1000.0;

/// Puts a quota drill's usage (one sample a minute) into `src`; returns the detector and the
/// incident time and level.
fn f3_data(
    kind: Q,
    name: &str,
    start: T,
    src: &InMemorySource,
    nab: &[sre_examples::nab::Series],
    rng: &mut Rng,
) -> (ServiceQuotaHit, T, T) {
    let days = match kind {
        Q::Clean => 7,
        Q::Warn | Q::Blocked => 4,
        Q::Leak | Q::LeakHole => 8,
    };
    let rows = days * 288;
    let shape = nab_shape(nab, "rds_cpu_utilization_cc0c53", rows, rng);
    let (lo, hi) = shape
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let signal =
        QuotaSignal::resource_count(name, LIMIT, "EC2", name, "Standard/OnDemand").unwrap();
    let det = ServiceQuotaHit::new(signal, Default::default()).unwrap();
    let metric = metric_of(&det, "ResourceCount");
    let step_at = start + TimeDelta::days(3) + min(5 * rng.below(72) as i64);
    let level = match kind {
        Q::Warn => rng.range(0.80, 0.84),
        Q::Blocked => rng.range(1.00, 1.02),
        _ => 0.0,
    };
    let mut samples = Vec::new();
    for m in 0..(days * 1440) as i64 {
        let at = start + min(m);
        let u = (shape[(m / 5) as usize] - lo) / (hi - lo).max(1e-9);
        let noise = 3.0 * rng.normal();
        let v = match kind {
            Q::Clean => {
                if at >= start + TimeDelta::days(2) + TimeDelta::hours(10)
                    && at < start + TimeDelta::days(2) + TimeDelta::hours(11) + min(30)
                {
                    continue; // a 90-minute hole
                }
                let step = if at >= start + TimeDelta::days(4) {
                    0.05
                } else {
                    0.0
                };
                LIMIT * (0.30 + 0.20 * u + step) + noise
            }
            Q::Warn | Q::Blocked => {
                if at >= step_at && at < step_at + TimeDelta::hours(6) {
                    LIMIT * level + noise.abs()
                } else {
                    LIMIT * (0.30 + 0.20 * u) + noise
                }
            }
            Q::Leak | Q::LeakHole => {
                let hole = step_at + TimeDelta::days(1);
                if kind == Q::LeakHole && at >= hole && at < hole + TimeDelta::hours(3) {
                    continue;
                }
                let days_in = (at - step_at).num_minutes() as f64 / 1440.0;
                let leak = if days_in > 0.0 {
                    (0.07 * days_in).min(0.35)
                } else {
                    0.0
                };
                // Peak near 50 % before the leak: a cycle between 40 % and 50 %.
                LIMIT * (0.40 + 0.10 * u + leak) + noise
            }
        };
        samples.push((at, v.max(0.0).round()));
    }
    src.insert(metric, samples).unwrap();
    (det, step_at, start + TimeDelta::days(days as i64))
}

fn f3_drills(seed: u64, nab: &[sre_examples::nab::Series], t: &mut Tally, store: &mut Store) {
    for (k, kind) in [Q::Clean, Q::Warn, Q::Blocked, Q::Leak, Q::LeakHole]
        .into_iter()
        .enumerate()
    {
        let mut rng = Rng::new(seed, 300 + k as u64);
        let src = Tamper::default();
        let name = format!("vcpu{k}");
        let (fresh, step, end) = f3_data(kind, &name, t0(), &src.inner, nab, &mut rng);
        let ranges = schedule(
            t0(),
            t0() + TimeDelta::days(3),
            min(10),
            min(60),
            min(5),
            end,
        );
        let mut det = fresh.clone();
        let (found, errs) = run_ranges(&mut det, &src, &ranges, None, no_before, no_after);
        let drill = format!("F3-{kind:?}");
        t.check(errs.is_empty(), || format!("{drill}: run errors {errs:?}"));
        // Split check: one run over the whole stretch.
        let mut one = fresh.clone();
        let whole = block_on(run(&mut one, &src, TimeRange::new(t0(), end).unwrap()))
            .map(|v| v.iter().map(rec).collect::<Vec<_>>());
        match whole {
            Ok(w) => t.check(same(&w, &found), || {
                format!(
                    "{drill}: split: one run {} vs scheduled {}",
                    show(&w),
                    show(&found)
                )
            }),
            Err(e) => t.fail(format!("{drill}: one run failed: {e}")),
        }
        let exps: Vec<Exp> = match kind {
            Q::Clean => vec![],
            Q::Warn => vec![Exp {
                sev: Severity::Ticket,
                at: step,
                start_from: step,
                start_to: step + min(30),
                latest: step + min(30),
                cond: None,
            }],
            // Condition added 2026-12-07 after the first runs (see DRILLS.md): over the
            // quota, a forecast of when usage "will reach it" must not lie in the future.
            Q::Blocked => vec![Exp {
                sev: Severity::Page,
                at: step,
                start_from: step - min(5),
                start_to: step + min(30),
                latest: step + min(30),
                cond: Some(("over the quota: no forecast in the future", |f: &F| {
                    f.forecast.is_none_or(|x| x <= f.end)
                })),
            }],
            Q::Leak => vec![Exp {
                sev: Severity::Ticket,
                at: step,
                start_from: step,
                start_to: step + TimeDelta::days(4),
                latest: step + TimeDelta::days(4),
                cond: Some(("a forecast, usage under 80 %", |f: &F| f.forecast.is_some())),
            }],
            Q::LeakHole => vec![Exp {
                sev: Severity::Ticket,
                at: step,
                start_from: step,
                start_to: step + TimeDelta::days(4) + TimeDelta::hours(12),
                latest: step + TimeDelta::days(4) + TimeDelta::hours(12),
                cond: None,
            }],
        };
        let allowed = if kind == Q::Blocked {
            vec![(Severity::Ticket, step - min(5), step + min(30))]
        } else {
            vec![]
        };
        judge(t, &drill, &found, &exps, &allowed);
        if kind == Q::Warn {
            // Bad data: 1e300 in the run that first finds the step.
            if let Some(k) = first_finding_run(&fresh, &src, &ranges) {
                let mut d = fresh.clone();
                let (got, errs) = run_ranges(
                    &mut d,
                    &src,
                    &ranges,
                    Some((k, "ResourceCount", Bad::Value(1e300))),
                    no_before,
                    no_after,
                );
                let named = errs
                    .first()
                    .is_some_and(|(_, e)| e.to_lowercase().contains("usage"));
                t.check(errs.len() == 1 && named, || {
                    format!("bad-F3: expected one error naming the usage, got {errs:?}")
                });
                store.notes.push(format!("bad-F3 errors: {errs:?}"));
                t.check(same(&got, &found), || {
                    format!(
                        "bad-F3: after mending, findings {} vs control {}",
                        show(&got),
                        show(&found)
                    )
                });
            } else {
                t.fail("bad-F3: no run with a finding to tamper".into());
            }
            store.f3_warn = found.clone();
        }
        store.notes.push(format!("{drill}: {}", show(&found)));
    }
}

// ---------------------------------------------------------------- F5

#[derive(Clone, Copy, PartialEq, Debug)]
enum C {
    Clean,
    Burst,
    Threshold,
}

fn f5_data(
    kind: C,
    function: &str,
    start: T,
    src: &InMemorySource,
    nab: &[sre_examples::nab::Series],
    rng: &mut Rng,
) -> (ColdStartLatency, T, T) {
    let minutes = 600i64;
    let shape = nab_shape(nab, "elb_request_count_8c0756", (minutes / 5) as usize, rng);
    let det = ColdStartLatency::new(
        ColdStartSignal::lambda(function).unwrap(),
        Default::default(),
    )
    .unwrap();
    let (dur, conc, init) = (
        metric_of(&det, "Duration"),
        metric_of(&det, "ConcurrentExecutions"),
        det.queries()
            .unwrap()
            .iter()
            .find_map(|q| match q.kind() {
                QueryKind::Stat { metric, .. } if metric.namespace() == "LambdaInsights" => {
                    Some(metric.clone())
                }
                _ => None,
            })
            .expect("init query"),
    );
    let burst = start + TimeDelta::hours(6) + min(rng.below(30) as i64);
    let (ratio, crise) = match kind {
        C::Burst => (rng.range(2.0, 2.5), 3.0),
        C::Threshold => (rng.range(1.6, 1.7), 1.6),
        C::Clean => (2.0, 1.0),
    };
    let (mut d, mut c, mut i) = (Vec::new(), Vec::new(), Vec::new());
    let mut avg: Option<f64> = None; // EWMA (0.05) of the base concurrency, as the docs' "recent average"
    for m in 0..minutes {
        let at = start + min(m);
        let s = shape[(m / 5) as usize].clamp(0.4, 1.7);
        let mut n = (120.0 * s).round() as usize;
        let mut mult = 1.0;
        let mut cmult = 1.0;
        let mut init_ms = None;
        match kind {
            C::Clean => {
                let idle = start + TimeDelta::hours(4);
                if at >= idle && at < idle + min(25) {
                    n = 0;
                } else if at >= idle + min(25) && at < idle + min(27) {
                    mult = 2.0;
                    cmult = 3.0;
                    init_ms = Some(500.0);
                }
                let reg = start + TimeDelta::hours(7);
                if at >= reg && at < reg + min(15) {
                    mult = 2.0;
                }
            }
            C::Burst | C::Threshold => {
                if at >= burst && at < burst + min(12) {
                    mult = ratio;
                    cmult = crise;
                    if kind == C::Burst {
                        init_ms = Some(rng.range(400.0, 700.0));
                    }
                }
            }
        }
        if n == 0 {
            continue; // idle: no Duration, no ConcurrentExecutions
        }
        for j in 0..n {
            let ms = 120.0 * (0.25 * rng.normal()).exp() * mult;
            d.push((
                at + TimeDelta::milliseconds((j as i64 * 59_000) / n as i64),
                ms,
            ));
        }
        let base = (10.0 * s + rng.normal()).round().max(2.0);
        let a = avg.unwrap_or(base);
        // Amended 2026-12-07 after the first run: a rise (or a flat line) is relative to the
        // recent average, not to this minute's NAB-shaped base (harness error: the threshold
        // drill's 1.6x of a low minute was under 1.3x of the average, and the clean drill's
        // regression rode on a traffic rise that doubled concurrency).
        let value = if mult != 1.0 || cmult != 1.0 {
            (a * cmult).round()
        } else {
            base
        };
        c.push((at + TimeDelta::seconds(30), value));
        avg = Some(0.95 * a + 0.05 * value);
        if let Some(x) = init_ms {
            i.push((at + TimeDelta::seconds(20), x));
        }
    }
    src.insert(dur, d).unwrap();
    src.insert(conc, c).unwrap();
    if !i.is_empty() {
        src.insert(init, i).unwrap();
    }
    (det, burst, start + min(minutes))
}

fn f5_drills(seed: u64, nab: &[sre_examples::nab::Series], t: &mut Tally, store: &mut Store) {
    let start = t0() + TimeDelta::days(1);
    for (k, kind) in [C::Clean, C::Burst, C::Threshold].into_iter().enumerate() {
        let mut rng = Rng::new(seed, 500 + k as u64);
        let src = Tamper::default();
        let function = format!("resize{k}");
        let (fresh, burst, end) = f5_data(kind, &function, start, &src.inner, nab, &mut rng);
        let ranges = schedule(start, start + min(150), min(5), min(60), min(1), end);
        let mut det = fresh.clone();
        let (found, errs) = run_ranges(&mut det, &src, &ranges, None, no_before, no_after);
        let drill = format!("F5-{kind:?}");
        t.check(errs.is_empty(), || format!("{drill}: run errors {errs:?}"));
        let mut one = fresh.clone();
        match block_on(run(&mut one, &src, TimeRange::new(start, end).unwrap())) {
            Ok(w) => {
                let w: Vec<F> = w.iter().map(rec).collect();
                t.check(same(&w, &found), || {
                    format!(
                        "{drill}: split: one run {} vs scheduled {}",
                        show(&w),
                        show(&found)
                    )
                });
            }
            Err(e) => t.fail(format!("{drill}: one run failed: {e}")),
        }
        let exps = match kind {
            C::Clean => vec![],
            _ => vec![Exp {
                sev: Severity::Ticket,
                at: burst,
                start_from: burst,
                start_to: burst + min(2),
                latest: burst + min(5),
                cond: None,
            }],
        };
        judge(t, &drill, &found, &exps, &[]);
        if kind == C::Burst {
            if let Some(k) = first_finding_run(&fresh, &src, &ranges) {
                let mut d = fresh.clone();
                let (got, errs) = run_ranges(
                    &mut d,
                    &src,
                    &ranges,
                    Some((k, "Duration", Bad::Value(f64::NAN))),
                    no_before,
                    no_after,
                );
                let named = errs.first().is_some_and(|(_, e)| {
                    let e = e.to_lowercase();
                    e.contains("p95") || e.contains("latency") || e.contains("duration")
                });
                t.check(errs.len() == 1 && named, || {
                    format!("bad-F5: expected one error naming the latency, got {errs:?}")
                });
                store.notes.push(format!("bad-F5 errors: {errs:?}"));
                t.check(same(&got, &found), || {
                    format!(
                        "bad-F5: after mending, findings {} vs control {}",
                        show(&got),
                        show(&found)
                    )
                });
            } else {
                t.fail("bad-F5: no run with a finding to tamper".into());
            }
            store.f5_burst = found.clone();
        }
        store.notes.push(format!("{drill}: {}", show(&found)));
    }
}

// ---------------------------------------------------------------- F7

#[derive(Clone, Copy, PartialEq, Debug)]
enum L {
    Private,
    PublicSpike,
    SpikeBeforeScan,
    Sparse,
}

struct F7Drill {
    det: PublicDataLeak,
    grant: Option<T>,
    spike: Option<T>,
    end: T,
}

fn f7_data(
    kind: L,
    bucket: &str,
    start: T,
    days: i64,
    src: &InMemorySource,
    nab: &[sre_examples::nab::Series],
    rng: &mut Rng,
) -> F7Drill {
    let minutes = days * 1440;
    let shape = nab_shape(nab, "elb_request_count_8c0756", (minutes / 5) as usize, rng);
    let det = PublicDataLeak::new(BucketExposure::new(bucket), Default::default()).unwrap();
    let metric = metric_of(&det, "GetRequests");
    let d2 = start + TimeDelta::days(2);
    let (grant, spike, spike_len) = match kind {
        L::Private => (None, None, 0),
        L::PublicSpike => (
            Some(d2 + TimeDelta::hours(10) + min(rng.below(50) as i64)),
            Some(d2 + TimeDelta::hours(14) + min(rng.below(40) as i64)),
            20,
        ),
        L::SpikeBeforeScan => (
            Some(d2 + TimeDelta::hours(9) + min(5)),
            Some(d2 + TimeDelta::hours(9) + min(10 + rng.below(5) as i64)),
            20,
        ),
        L::Sparse => (
            Some(start + TimeDelta::days(1) + TimeDelta::hours(12)),
            Some(d2 + TimeDelta::hours(3) + min(rng.below(40) as i64)),
            10,
        ),
    };
    let sparse = kind == L::Sparse;
    let mut lambdas = Vec::new();
    for m in 0..minutes {
        let at = start + min(m);
        let s = shape[(m / 5) as usize].clamp(0.3, 3.0);
        let mut lambda = if sparse { 0.3 } else { 40.0 * s };
        let export = !sparse && at.hour() == 2 && at.minute() < 20;
        if export {
            lambda *= 20.0;
        }
        lambdas.push((at, lambda, export));
    }
    let mut counts: Vec<(T, f64)> = lambdas
        .iter()
        .map(|&(at, l, _)| (at, rng.poisson(l)))
        .collect();
    let export_max = counts
        .iter()
        .zip(&lambdas)
        .filter(|(_, l)| l.2)
        .map(|(c, _)| c.1)
        .fold(0.0, f64::max);
    if let Some(sp) = spike {
        for (k, (at, l, _)) in lambdas.iter().enumerate() {
            if *at >= sp && *at < sp + min(spike_len) {
                let lam = if sparse {
                    60.0
                } else {
                    (5.0 * l).max(1.5 * export_max)
                };
                counts[k].1 = rng.poisson(lam);
            }
        }
    }
    // A minute without a request publishes no datapoint.
    src.insert(metric, counts.into_iter().filter(|c| c.1 > 0.0))
        .unwrap();
    F7Drill {
        det,
        grant,
        spike,
        end: start + min(minutes),
    }
}

/// Runs F7 as the scheduler does: every 5 minutes over the last hour; on the hour, after the
/// run, the exposure source's facts (as of `now`) are scanned at the end of the run's range.
fn f7_schedule(
    d: &mut PublicDataLeak,
    bucket: &str,
    src: &Tamper,
    start: T,
    end: T,
    grant: Option<T>,
    tamper: Option<(usize, &str, Bad)>,
) -> (Vec<F>, Vec<(usize, String)>, Vec<TimeRange>) {
    let ranges = schedule(
        start,
        start + TimeDelta::hours(2),
        min(5),
        min(60),
        min(1),
        end,
    );
    let exposure = InMemoryExposureSource::new();
    exposure.put(BucketExposure::new(bucket));
    let lag = min(1);
    let (found, errs) = run_ranges(
        d,
        src,
        &ranges,
        tamper,
        |_, _, r| {
            let now = r.end() + lag;
            if grant.is_some_and(|g| now >= g) {
                exposure.put(
                    BucketExposure::new(bucket)
                        .with_acl_grant(AclGrant::new(Grantee::AllUsers, Permission::Read)),
                );
            }
        },
        |det, _, r| {
            let now = r.end() + lag;
            if now.minute() != 0 {
                return Vec::new();
            }
            let facts = block_on(exposure.buckets()).unwrap();
            let facts = facts.into_iter().find(|b| b.bucket == bucket).unwrap();
            match det.scan(r.end() - TimeDelta::seconds(1), facts) {
                Ok(fs) => fs.iter().map(rec).collect(),
                Err(e) => vec![F {
                    mode: "SCAN-ERROR".into(),
                    sev: Severity::Page,
                    subject: bucket.into(),
                    start: now,
                    end: now,
                    forecast: None,
                    detail: e.to_string(),
                }],
            }
        },
    );
    (found, errs, ranges)
}

fn f7_drills(seed: u64, nab: &[sre_examples::nab::Series], t: &mut Tally, store: &mut Store) {
    let start = t0();
    for (k, kind) in [L::Private, L::PublicSpike, L::SpikeBeforeScan, L::Sparse]
        .into_iter()
        .enumerate()
    {
        let mut rng = Rng::new(seed, 700 + k as u64);
        let src = Tamper::default();
        let bucket = format!("exports-{k}");
        let dr = f7_data(kind, &bucket, start, 3, &src.inner, nab, &mut rng);
        let mut det = dr.det.clone();
        let (found, errs, ranges) =
            f7_schedule(&mut det, &bucket, &src, start, dr.end, dr.grant, None);
        let drill = format!("F7-{kind:?}");
        t.check(errs.is_empty(), || format!("{drill}: run errors {errs:?}"));
        let hour_after = |g: T| {
            // The first scan after the grant: the run at the next full hour, scanned at its range end − 1 s.
            let next = g.with_minute(0).unwrap().with_second(0).unwrap() + TimeDelta::hours(1);
            next - min(1) - TimeDelta::seconds(1)
        };
        let exps: Vec<Exp> = match kind {
            L::Private => vec![],
            L::PublicSpike | L::Sparse => {
                let (g, s) = (dr.grant.unwrap(), dr.spike.unwrap());
                vec![
                    Exp {
                        sev: Severity::Page,
                        at: g,
                        start_from: g - TimeDelta::hours(1),
                        start_to: hour_after(g),
                        latest: g + TimeDelta::hours(1),
                        cond: Some(("the exposure", |f: &F| f.detail.contains("public"))),
                    },
                    Exp {
                        sev: Severity::Page,
                        at: s,
                        start_from: s,
                        start_to: s + min(3),
                        latest: s + min(5),
                        cond: None,
                    },
                ]
            }
            L::SpikeBeforeScan => {
                let (g, s) = (dr.grant.unwrap(), dr.spike.unwrap());
                let scan = hour_after(g);
                vec![
                    Exp {
                        sev: Severity::Page,
                        at: g,
                        start_from: g - TimeDelta::hours(1),
                        start_to: scan,
                        latest: scan,
                        cond: Some(("the exposure", |f: &F| f.detail.contains("public"))),
                    },
                    Exp {
                        sev: Severity::Page,
                        at: s,
                        start_from: s,
                        start_to: s + min(3),
                        latest: scan,
                        cond: None,
                    },
                ]
            }
        };
        // The exposure's finding starts where the detector says; match it by a wide window.
        judge(t, &drill, &found, &exps, &[]);
        if kind == L::PublicSpike {
            if let Some(k) = ranges
                .iter()
                .position(|r| dr.spike.is_some_and(|s| r.end() > s + min(5)))
            {
                let mut d = dr.det.clone();
                let (got, errs, _) = f7_schedule(
                    &mut d,
                    &bucket,
                    &src,
                    start,
                    dr.end,
                    dr.grant,
                    Some((k, "GetRequests", Bad::Value(-3.0))),
                );
                let named = errs
                    .first()
                    .is_some_and(|(_, e)| e.to_lowercase().contains("request"));
                t.check(errs.len() == 1 && named, || {
                    format!("bad-F7: expected one error naming the requests, got {errs:?}")
                });
                store.notes.push(format!("bad-F7 errors: {errs:?}"));
                t.check(same(&got, &found), || {
                    format!(
                        "bad-F7: after mending, findings {} vs control {}",
                        show(&got),
                        show(&found)
                    )
                });
            }
            store.f7_public = found.clone();
        }
        store.notes.push(format!("{drill}: {}", show(&found)));
    }
}

// ---------------------------------------------------------------- F8

#[derive(Clone, Copy, PartialEq, Debug)]
enum K {
    /// The first model: every reading 4-8 h behind, at random (DRILLS.md as written).
    CleanJitter,
    /// Diagnostic variants of the clean drill (added after the first run): a steady lag and
    /// no dropped reading; a steady lag with the dropped readings.
    CleanSteady,
    CleanDrops,
    Clean,
    Ticket,
    Page,
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn f8_data(kind: K, src: &InMemorySource, rng: &mut Rng) -> (CostRunaway, T, T, T) {
    let det = CostRunaway::new("USD", Default::default()).unwrap();
    let metric = metric_of(&det, "EstimatedCharges");
    let sim_start = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let first = Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2026, 11, 16, 0, 0, 0).unwrap();
    let runaway = Utc.with_ymd_and_hms(2026, 11, 10, 0, 0, 0).unwrap()
        + TimeDelta::hours(rng.below(7) as i64);
    let k = match kind {
        K::Clean | K::CleanJitter | K::CleanSteady | K::CleanDrops => 1.0,
        K::Ticket => rng.range(2.4, 2.8),
        K::Page => rng.range(12.0, 15.0),
    };
    // Hourly spend.
    let hours = (end - sim_start).num_hours();
    let profile = |h: u32| if (8..20).contains(&h) { 1.5 } else { 0.5 };
    let norm: f64 = (0..24).map(profile).sum::<f64>() / 24.0;
    let mut spend = Vec::new();
    let mut daily = 0.0;
    for h in 0..hours {
        let at = sim_start + TimeDelta::hours(h);
        if at.hour() == 0 {
            let d = (at - sim_start).num_days() as f64;
            let wk = if at.weekday().number_from_monday() >= 6 {
                0.6
            } else {
                1.0
            };
            daily = 100.0 * (1.0 + 0.003 * d) * wk * (1.0 + 0.08 * rng.normal()).max(0.5);
        }
        let mut x = daily / 24.0 * profile(at.hour()) / norm;
        if !matches!(
            kind,
            K::Clean | K::CleanJitter | K::CleanSteady | K::CleanDrops
        ) && at >= runaway
            && at < runaway + TimeDelta::hours(48)
        {
            x *= k;
        }
        if at == Utc.with_ymd_and_hms(2026, 10, 20, 10, 0, 0).unwrap() {
            x += 1500.0;
        }
        if at == Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() {
            x += 6000.0;
        }
        spend.push((at, x));
    }
    // Month-to-date as of an instant (spend of whole hours before it, in its month).
    let mtd = |asof: T| -> f64 {
        let ms = Utc
            .with_ymd_and_hms(asof.year(), asof.month(), 1, 0, 0, 0)
            .unwrap();
        spend
            .iter()
            .filter(|(at, _)| *at >= ms && *at + TimeDelta::hours(1) <= asof)
            .map(|p| p.1)
            .sum()
    };
    let mut readings = Vec::new();
    let mut asof_prev = first - TimeDelta::hours(8);
    let mut d = first;
    while d < end {
        let skip = rng.below(28) as i64; // one reading in 28 (about one a week) dropped
        for (j, h) in [3i64, 9, 15, 21].into_iter().enumerate() {
            if j as i64 == skip && kind != K::CleanSteady {
                continue;
            }
            let at = d + TimeDelta::hours(h) + min(rng.range(-40.0, 40.0) as i64);
            // Amended 2026-12-07 after the first run (see DRILLS.md): a steady lag of about
            // 6 h, one reading in ten late by 4-6 h more; `CleanJitter` keeps the first model.
            let lag = if kind == K::CleanJitter {
                TimeDelta::minutes(rng.range(240.0, 480.0) as i64)
            } else if rng.below(10) == 0 && !matches!(kind, K::CleanSteady | K::CleanDrops) {
                TimeDelta::minutes(rng.range(600.0, 720.0) as i64)
            } else {
                TimeDelta::minutes(rng.range(340.0, 380.0) as i64)
            };
            let asof = (at - lag).max(asof_prev);
            asof_prev = asof;
            readings.push((at, (mtd(asof) * 100.0).round() / 100.0));
        }
        d += TimeDelta::days(1);
    }
    src.insert(metric, readings).unwrap();
    (det, first, end, runaway)
}

fn f8_drills(seed: u64, t: &mut Tally, store: &mut Store) {
    let support = OneOffCharge {
        day: day(2026, 11, 1),
        amount: 6000.0,
        description: "Enterprise support, annual".into(),
    };
    let plan = OneOffCharge {
        day: day(2026, 10, 20),
        amount: 1500.0,
        description: "Savings Plan purchase".into(),
    };
    for (k, kind) in [
        K::CleanJitter,
        K::CleanSteady,
        K::CleanDrops,
        K::Clean,
        K::Ticket,
        K::Page,
    ]
    .into_iter()
    .enumerate()
    {
        let mut rng = Rng::new(seed, 800 + k as u64);
        let src = Tamper::default();
        let (fresh, first, end, runaway) = f8_data(kind, &src.inner, &mut rng);
        // Every 6 hours over the last 24.
        let mut ranges = Vec::new();
        let mut now = first + TimeDelta::days(1);
        while now <= end {
            ranges.push(TimeRange::new(now - TimeDelta::days(1), now).unwrap());
            now += TimeDelta::hours(6);
        }
        let declare =
            |det: &mut CostRunaway, _: usize, r: &TimeRange, errs: &Mutex<Vec<String>>| {
                if r.end().date_naive() == plan.day
                    && r.end().hour() == 0
                    && let Err(e) = det.declare(plan.clone())
                {
                    errs.lock()
                        .unwrap()
                        .push(format!("declare during runs: {e}"));
                }
            };
        let derr = Mutex::new(Vec::new());
        let mut det = fresh.clone();
        let drill = format!("F8-{kind:?}");
        if let Err(e) = det.declare(support.clone()) {
            t.fail(format!("{drill}: declare before runs: {e}"));
        }
        let (found, errs) = run_ranges(
            &mut det,
            &src,
            &ranges,
            None,
            |d, i, r| declare(d, i, r, &derr),
            no_after,
        );
        t.check(errs.is_empty() && derr.lock().unwrap().is_empty(), || {
            format!("{drill}: run errors {errs:?} {:?}", derr.lock().unwrap())
        });
        // A one-off declared for a day already judged is refused, naming it (docs of `declare`);
        // one for the latest reading's day is taken.
        if kind == K::Clean {
            let late = OneOffCharge {
                day: day(2026, 11, 3),
                amount: 700.0,
                description: "Marketplace, late".into(),
            };
            let err = det.declare(late).map_err(|e| e.to_string());
            t.check(
                err.as_ref().is_err_and(|e| e.contains("Marketplace, late")),
                || format!("F8 declare for a judged day: {err:?}"),
            );
            let today = OneOffCharge {
                day: day(2026, 11, 15),
                amount: 700.0,
                description: "Marketplace, today".into(),
            };
            let ok = det.declare(today).map_err(|e| e.to_string());
            t.check(ok.is_ok(), || {
                format!("F8 declare for the latest reading's day: {ok:?}")
            });
            store.notes.push(format!(
                "F8 declare late: {err:?}; for the latest day: {ok:?}"
            ));
        }
        // One run, both declared first.
        let mut one = fresh.clone();
        one.declare(support.clone()).unwrap();
        one.declare(plan.clone()).unwrap();
        match block_on(run(&mut one, &src, TimeRange::new(first, end).unwrap())) {
            Ok(w) => {
                let w: Vec<F> = w.iter().map(rec).collect();
                t.check(same(&w, &found), || {
                    format!(
                        "{drill}: split: one run {} vs scheduled {}",
                        show(&w),
                        show(&found)
                    )
                });
            }
            Err(e) => t.fail(format!("{drill}: one run failed: {e}")),
        }
        let exps = match kind {
            K::Clean | K::CleanJitter | K::CleanSteady | K::CleanDrops => vec![],
            K::Ticket => vec![Exp {
                sev: Severity::Ticket,
                at: runaway,
                start_from: runaway.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc(),
                start_to: runaway + TimeDelta::hours(30),
                latest: runaway + TimeDelta::hours(30),
                cond: None,
            }],
            K::Page => vec![Exp {
                sev: Severity::Page,
                at: runaway,
                start_from: runaway.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc()
                    - TimeDelta::days(1),
                start_to: runaway + TimeDelta::hours(30),
                latest: runaway + TimeDelta::hours(30),
                cond: None,
            }],
        };
        let rday = runaway.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
        let allowed = if kind == K::Page {
            vec![(
                Severity::Ticket,
                rday - TimeDelta::days(1),
                runaway + TimeDelta::hours(30),
            )]
        } else {
            vec![]
        };
        judge(t, &drill, &found, &exps, &allowed);
        if kind == K::Ticket {
            for (name, bad) in [
                ("bad-F8 duplicate", Bad::Duplicate),
                ("bad-F8 negative", Bad::Value(-50.0)),
            ] {
                if let Some(k) = ranges
                    .iter()
                    .position(|r| found.first().is_some_and(|f| r.end() > f.end))
                {
                    let mut d = fresh.clone();
                    d.declare(support.clone()).unwrap();
                    let derr = Mutex::new(Vec::new());
                    let (got, errs) = run_ranges(
                        &mut d,
                        &src,
                        &ranges,
                        Some((k, "EstimatedCharges", bad)),
                        |d, i, r| declare(d, i, r, &derr),
                        no_after,
                    );
                    let named = errs.first().is_some_and(|(_, e)| {
                        let e = e.to_lowercase();
                        match bad {
                            Bad::Duplicate => e.contains("duplicate"),
                            Bad::Value(_) => e.contains("charge"),
                        }
                    });
                    t.check(errs.len() == 1 && named, || {
                        format!("{name}: expected one typed error naming it, got {errs:?}")
                    });
                    store.notes.push(format!("{name} errors: {errs:?}"));
                    t.check(same(&got, &found), || {
                        format!(
                            "{name}: after mending, findings {} vs control {}",
                            show(&got),
                            show(&found)
                        )
                    });
                } else {
                    t.fail(format!("{name}: no finding to place the bad point after"));
                }
            }
        }
        store.notes.push(format!("{drill}: {}", show(&found)));
    }
}

// ---------------------------------------------------------------- MetricAnomalies

fn anomaly_data(
    name: &str,
    start: T,
    src: &InMemorySource,
    nab: &[sre_examples::nab::Series],
    rng: &mut Rng,
    spike_at: Option<T>,
) -> (MetricAnomalies, T, T) {
    let rows = 9 * 288;
    let shape = nab_shape(nab, "elb_request_count_8c0756", rows, rng);
    let metric = Metric::new("AWS/ApplicationELB", "RequestCount")
        .unwrap()
        .with_dimension("LoadBalancer", name)
        .unwrap();
    let signal = AnomalySignal::new(
        name,
        metric.clone(),
        Statistic::Sum,
        Period::new(300).unwrap(),
    );
    let det = MetricAnomalies::new(signal, FailureMode::NetworkPartition).unwrap();
    let top = shape.iter().cloned().fold(0.0, f64::max) * 48.0;
    let spike = start + TimeDelta::days(8) + min(5 * rng.below(144) as i64);
    let spike = spike_at.unwrap_or(spike);
    let mut pts = Vec::new();
    for (i, s) in shape.iter().enumerate() {
        let at = start + min(5 * i as i64);
        let hole = |d: i64| {
            at >= start + TimeDelta::days(d) + TimeDelta::hours(5)
                && at < start + TimeDelta::days(d) + TimeDelta::hours(6)
        };
        if hole(3) || hole(6) {
            continue;
        }
        let v = if at == spike {
            2.0 * top
        } else {
            (s * 48.0 * (1.0 + 0.02 * rng.normal())).round().max(0.0)
        };
        pts.push((at, v));
    }
    src.insert(metric, pts).unwrap();
    (det, spike, start + TimeDelta::days(9))
}

fn anomaly_drills(seed: u64, nab: &[sre_examples::nab::Series], t: &mut Tally, store: &mut Store) {
    let start = t0();
    let (spike, _) = anomaly_spike_time("app/web/1", start, seed, 900, nab);
    let mut rng = Rng::new(seed, 900);
    let src = Tamper::default();
    let spike_placed = spike.is_some();
    let (fresh, spike, end) = anomaly_data("app/web/1", start, &src.inner, nab, &mut rng, spike);
    let ranges = schedule(
        start,
        start + TimeDelta::days(7),
        min(15),
        min(60),
        min(5),
        end,
    );
    let mut det = fresh.clone();
    let (found, errs) = run_ranges(&mut det, &src, &ranges, None, no_before, no_after);
    t.check(errs.is_empty(), || format!("anomaly: run errors {errs:?}"));
    let mut one = fresh.clone();
    match block_on(run(&mut one, &src, TimeRange::new(start, end).unwrap())) {
        Ok(w) => {
            let w: Vec<F> = w.iter().map(rec).collect();
            t.check(same(&w, &found), || {
                format!(
                    "anomaly: split: one run {} vs scheduled {}",
                    show(&w),
                    show(&found)
                )
            });
        }
        Err(e) => t.fail(format!("anomaly: one run failed: {e}")),
    }
    // The spike: one alert a day at most, so an alert in the 24 h before is a documented boundary.
    let before: Vec<&F> = found
        .iter()
        .filter(|f| f.end < spike && f.end > spike - TimeDelta::days(1))
        .collect();
    let others: Vec<F> = found.iter().filter(|f| f.start != spike).cloned().collect();
    if spike_placed && before.is_empty() {
        let at_spike: Vec<F> = found.iter().filter(|f| f.start == spike).cloned().collect();
        let exps = vec![Exp {
            sev: Severity::Ticket,
            at: spike,
            start_from: spike,
            start_to: spike,
            latest: spike,
            cond: Some(("filed under F2", |f: &F| f.mode == "F2")),
        }];
        judge(t, "anomaly-spike", &at_spike, &exps, &[]);
    } else {
        store.notes.push(format!(
            "anomaly-spike: BOUNDARY, an alert in the day before the spike: {}",
            show(&before.into_iter().cloned().collect::<Vec<_>>())
        ));
    }
    store.notes.push(format!(
        "anomaly: {} other alerts on the clean stretch (counted, not failed): {}",
        others.len(),
        show(&others)
    ));
    if let Some(k) = ranges.iter().position(|r| r.end() > spike + min(5)) {
        let mut d = fresh.clone();
        let (got, errs) = run_ranges(
            &mut d,
            &src,
            &ranges,
            Some((k, "RequestCount", Bad::Value(1e300))),
            no_before,
            no_after,
        );
        t.check(errs.len() == 1, || {
            format!("bad-anomaly: expected one typed error, got {errs:?}")
        });
        store.notes.push(format!("bad-anomaly errors: {errs:?}"));
        t.check(same(&got, &found), || {
            format!(
                "bad-anomaly: after mending, findings {} vs control {}",
                show(&got),
                show(&found)
            )
        });
    }
    store.anomaly = found;
}

/// Amended 2026-12-07 after the first run: the spike goes where the clean stretch (the same
/// seeded data without it) has no alert in the 24 h before, from day 7.5 on, so that "one
/// alert a day" does not hide it; `None` when there is no such time (a boundary).
fn anomaly_spike_time(
    name: &str,
    start: T,
    seed: u64,
    salt: u64,
    nab: &[sre_examples::nab::Series],
) -> (Option<T>, Vec<T>) {
    let scratch = InMemorySource::new();
    let mut rng = Rng::new(seed, salt);
    // A spike time outside the stretch: the clean data only.
    let (mut det, _, end) = anomaly_data(
        name,
        start,
        &scratch,
        nab,
        &mut rng,
        Some(start - TimeDelta::days(30)),
    );
    let alerts: Vec<T> = block_on(run(&mut det, &scratch, TimeRange::new(start, end).unwrap()))
        .map(|v| v.iter().map(|f| f.end).collect())
        .unwrap_or_default();
    let mut at = start + TimeDelta::days(7) + TimeDelta::hours(12);
    let hole =
        |at: T| (at - start).num_hours() % 24 == 5 && [3, 6].contains(&(at - start).num_days());
    while at < end - min(30) {
        if !hole(at)
            && alerts
                .iter()
                .all(|&a| a >= at || a < at - TimeDelta::days(1) - TimeDelta::hours(1))
            && alerts
                .iter()
                .all(|&a| a < at || a > at + TimeDelta::days(1))
        {
            return (Some(at), alerts);
        }
        at += min(5);
    }
    (None, alerts)
}

// ---------------------------------------------------------------- noise reduction and the set

#[derive(Default)]
struct Store {
    f3_warn: Vec<F>,
    f5_burst: Vec<F>,
    f7_public: Vec<F>,
    anomaly: Vec<F>,
    notes: Vec<String>,
}

fn to_finding(f: &F) -> Finding {
    let mode = FailureMode::ALL
        .into_iter()
        .find(|m| m.id() == f.mode)
        .unwrap_or(FailureMode::CostRunaway);
    Finding::new(
        mode,
        f.sev,
        f.subject.clone(),
        f.start,
        f.end,
        failure_modes::Evidence::new(0.0, 0.0, 0.0, 0.0, f.detail.clone()),
    )
}

fn noise_drills(t: &mut Tally, store: &Store) {
    // Maintenance: around F3-warn's ticket (dropped) and F7's pages (kept).
    if let (Some(f3), false) = (store.f3_warn.first(), store.f7_public.is_empty()) {
        let mut wins = vec![Interval::new(f3.end - min(10), f3.end + min(10)).unwrap()];
        for f in &store.f7_public {
            wins.push(Interval::new(f.end - min(10), f.end + min(10)).unwrap());
        }
        let windows = MaintenanceWindows::new(wins);
        let all: Vec<Finding> = store
            .f3_warn
            .iter()
            .chain(&store.f7_public)
            .map(to_finding)
            .collect();
        let kept = outside_maintenance(all, &windows);
        let f3_kept = kept
            .iter()
            .filter(|f| f.mode == FailureMode::ServiceQuotaHit)
            .count();
        let f7_kept = kept
            .iter()
            .filter(|f| f.mode == FailureMode::PublicDataLeak)
            .count();
        t.check(f3_kept == 0 && f7_kept == store.f7_public.len(), || {
            format!(
                "maintenance: kept {f3_kept} F3 (0 expected) and {f7_kept} F7 ({} expected)",
                store.f7_public.len()
            )
        });
    } else {
        t.fail("maintenance: missing F3-warn or F7 findings to test with".into());
    }
    // Grouping: F5's finding and an SLO page on the same key; F7 on another.
    if let Some(f5) = store.f5_burst.first() {
        let slo = AlertInterval::new(
            "resize latency, page",
            Severity::Page,
            f5.start + min(4),
            Some(f5.start + min(40)),
        );
        let mut findings = vec![("resize".to_string(), to_finding(f5))];
        if let Some(f7) = store.f7_public.first() {
            findings.push(("exports".to_string(), to_finding(f7)));
        }
        let groups = group_by_root_cause(vec![("resize".to_string(), slo)], findings, DEFAULT_HOLD);
        let resize = groups
            .iter()
            .filter(|g| g.key == "resize")
            .collect::<Vec<_>>();
        let want = if store.f7_public.is_empty() { 1 } else { 2 };
        t.check(
            groups.len() == want
                && resize.len() == 1
                && resize[0].alerts.len() == 2
                && resize[0].severity == Severity::Page,
            || {
                format!(
                    "grouping: {} groups ({want} expected), resize groups {:?}",
                    groups.len(),
                    resize
                        .iter()
                        .map(|g| (g.alerts.len(), g.severity))
                        .collect::<Vec<_>>()
                )
            },
        );
    } else {
        t.fail("grouping: no F5-burst finding to group".into());
    }
}

fn set_drill(seed: u64, nab: &[sre_examples::nab::Series], t: &mut Tally, store: &mut Store) {
    let src = InMemorySource::new();
    let start = t0();
    let mut r3 = Rng::new(seed, 1001);
    let (f3, step, _) = f3_data(Q::Warn, "set-vcpu", start, &src, nab, &mut r3);
    let mut r5 = Rng::new(seed, 1002);
    let (f5, burst, _) = f5_data(
        C::Burst,
        "set-resize",
        start + TimeDelta::days(3) - TimeDelta::hours(6),
        &src,
        nab,
        &mut r5,
    );
    let mut r7 = Rng::new(seed, 1003);
    let f7 = f7_data(L::Private, "set-exports", start, 4, &src, nab, &mut r7).det;
    let mut ra = Rng::new(seed, 1004);
    let (an, spike, _) = anomaly_data(
        "app/set/1",
        start - TimeDelta::days(5),
        &src,
        nab,
        &mut ra,
        None,
    );
    let until = start + TimeDelta::days(3) + TimeDelta::hours(7);
    let ranges = schedule(
        start - TimeDelta::days(5),
        start + TimeDelta::days(3) - TimeDelta::hours(4),
        min(10),
        min(60),
        min(5),
        until,
    );
    let mut set = DetectorSet::new()
        .with(f3.clone())
        .with(f5.clone())
        .with(f7.clone())
        .with(an.clone());
    let mut per: Vec<Vec<F>> = vec![Vec::new(); 4];
    let mut errs: Vec<Vec<String>> = vec![Vec::new(); 4];
    for r in &ranges {
        match block_on(set.run(&src, *r)) {
            Ok(results) => {
                for (i, res) in results.into_iter().enumerate() {
                    match res {
                        Ok(fs) => per[i].extend(fs.iter().map(rec)),
                        Err(e) => errs[i].push(format!("{r}: {e}")),
                    }
                }
            }
            Err(e) => t.fail(format!("set: run {r} failed: {e}")),
        }
    }
    // Each on its own, same ranges.
    let tam = Tamper {
        inner: src.clone(),
        rule: Mutex::new(None),
    };
    let own = |name: &str, got: Vec<F>, errs: Vec<(usize, String)>, t: &mut Tally, set_f: &[F]| {
        t.check(same(set_f, &got), || {
            format!(
                "set: {name} in the set {} vs alone {}",
                show(set_f),
                show(&got)
            )
        });
        let _ = errs;
    };
    let (g3, e3) = run_ranges(&mut f3.clone(), &tam, &ranges, None, no_before, no_after);
    own("F3", g3, e3, t, &per[0]);
    let (g5, e5) = run_ranges(&mut f5.clone(), &tam, &ranges, None, no_before, no_after);
    let e5_alone: Vec<String> = e5.iter().map(|e| e.1.clone()).collect();
    own("F5", g5, e5, t, &per[1]);
    let (g7, e7) = run_ranges(&mut f7.clone(), &tam, &ranges, None, no_before, no_after);
    own("F7", g7, e7, t, &per[2]);
    let (ga, ea) = run_ranges(&mut an.clone(), &tam, &ranges, None, no_before, no_after);
    own("anomaly", ga, ea, t, &per[3]);
    judge(
        t,
        "set F3-warn",
        &per[0],
        &[Exp {
            sev: Severity::Ticket,
            at: step,
            start_from: step,
            start_to: step + min(30),
            latest: step + min(30),
            cond: None,
        }],
        &[],
    );
    judge(
        t,
        "set F5-burst",
        &per[1],
        &[Exp {
            sev: Severity::Ticket,
            at: burst,
            start_from: burst,
            start_to: burst + min(2),
            latest: burst + min(5),
            cond: None,
        }],
        &[],
    );
    judge(t, "set F7-private", &per[2], &[], &[]);
    let spike_found = per[3].iter().any(|f| f.start == spike);
    store.notes.push(format!(
        "set: anomaly spike found: {spike_found}; anomaly findings {}",
        show(&per[3])
    ));
    for (i, e) in errs.iter().enumerate() {
        let nodata = e.iter().all(|x| x.contains("no datapoints"));
        t.check(nodata, || {
            format!("set: detector {i} errors other than NoData: {e:?}")
        });
        if !e.is_empty() {
            store.notes.push(format!(
                "set: detector {i}: {} runs with an error (first: {})",
                e.len(),
                e[0]
            ));
        }
    }
    let _ = e5_alone;
}

// ---------------------------------------------------------------- main

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .ok_or("usage: blind6_gameday NAB_DIR --seed N [--notes]")?;
    let seed: u64 = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(0);
    let notes = args.iter().any(|a| a == "--notes");
    let nab = sre_examples::nab::load(Path::new(dir))?;
    let mut store = Store::default();
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut t = Tally::default();
    f3_drills(seed, &nab, &mut t, &mut store);
    tallies.insert("F3", t);
    let mut t = Tally::default();
    f5_drills(seed, &nab, &mut t, &mut store);
    tallies.insert("F5", t);
    let mut t = Tally::default();
    f7_drills(seed, &nab, &mut t, &mut store);
    tallies.insert("F7", t);
    let mut t = Tally::default();
    f8_drills(seed, &mut t, &mut store);
    tallies.insert("F8", t);
    let mut t = Tally::default();
    anomaly_drills(seed, &nab, &mut t, &mut store);
    tallies.insert("anomaly", t);
    let mut t = Tally::default();
    noise_drills(&mut t, &store);
    set_drill(seed, &nab, &mut t, &mut store);
    tallies.insert("noise+set", t);
    println!("seed {seed}");
    println!(
        "{:<10} {:>9} {:>6} {:>8} {:>14} {:>7}  delays (min)",
        "mode", "detected", "false", "sev", "checks failed", "checks"
    );
    for (mode, t) in &tallies {
        println!(
            "{:<10} {:>4}/{:<4} {:>6} {:>4}/{:<3} {:>14} {:>7}  {:?}",
            mode,
            t.detected,
            t.expected,
            t.false_alarms,
            t.sev_agree,
            t.sev_total,
            t.failed.len(),
            t.checks,
            t.delays
        );
    }
    if notes {
        println!("\n--notes: failed checks");
        for (mode, t) in &tallies {
            for f in &t.failed {
                println!("  [{mode}] {f}");
            }
        }
        println!("\n--notes: findings per drill");
        for n in &store.notes {
            println!("  {n}");
        }
    }
    Ok(())
}
