//! The drills of the fourth blind game day: one case table per mode, one plan builder, one
//! scoring of checks, and a runner per mode that turns a plan into the detector's input.

use failure_modes::chrono::{Datelike, Duration, Weekday};
use failure_modes::{
    AccessSample, ApiThrottling, AuditEvent, BucketExposure, ChargeSample, ColdStartConfig,
    ColdStartLatency, ColdStartSample, ColdStartSignal, CompromiseConfig, ConnectionConfig,
    ConnectionSample, ConnectionSignal, CostConfig, CostRunaway, CredentialCompromise,
    DbConnectionExhaustion, Detector, Finding, Identity, LeakConfig, NetworkPartition,
    PartitionConfig, PublicDataLeak, Quota, QuotaConfig, QuotaSample, QuotaSignal, ServiceQuotaHit,
    Severity, SignInOutcome, ThrottleConfig, ThrottleSample, ThrottleSignal, UsageMetric,
    ZoneObservation, ZoneSample, ZoneSignal,
};

use crate::{Check, Drill, Res, Rng, Shape, at, t0};

use Severity::{Page, Ticket};

/// Every drill of every mode.
pub(crate) fn all(shapes: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let mut out = Vec::new();
    for run in [f1, f2, f3, f4, f5, f6, f7, f8] {
        out.extend(run(shapes, seed)?);
    }
    Ok(out)
}

/// A part of an incident: offset from the drill's onset, minutes, magnitude, expected
/// severity, mechanism, and the offset at which the delay starts counting (a ramp's).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ph {
    off: i64,
    len: i64,
    v: f64,
    sev: Severity,
    what: &'static str,
    from: i64,
}

fn ph(off: i64, len: i64, v: f64, sev: Severity, what: &'static str) -> Ph {
    Ph {
        off,
        len,
        v,
        sev,
        what,
        from: 0,
    }
}

#[derive(Clone, Copy, PartialEq)]
enum When {
    Day,
    Night,
    Weekend,
    Start(i64),
    Clean,
}

struct Case {
    name: String,
    when: When,
    phases: Vec<Ph>,
    /// (minutes before the onset, length) of a gap.
    gap: Option<(i64, i64)>,
    small: bool,
    /// At exactly a threshold: the latest detection is the incident's end (+ `extra`).
    boundary: bool,
}

fn case(name: &str, when: When, phases: Vec<Ph>) -> Case {
    Case {
        name: name.into(),
        when,
        phases,
        gap: None,
        small: false,
        boundary: false,
    }
}

/// A mode's timing and scoring constants (DRILLS.md).
struct Spec {
    mode: &'static str,
    /// Days of a drill, its incident day, days of a clean drill.
    days: i64,
    base: i64,
    clean: i64,
    /// Latest detection after the onset, per shape; boundary drills: after the end, per shape.
    delay: [i64; 2],
    extra: [i64; 2],
    grace: i64,
    /// Onsets rounded down to this many minutes (F4 hours, F8 days).
    align: i64,
    /// Offsets and length of the three incidents of `multi`.
    multi: ([i64; 3], i64),
    /// Minutes between samples: the delay counts from the first sample of the incident.
    step: i64,
}

/// The standard case list: k10/k12/k15 at `t` (severity `ts`), p10/p12 at `p`, grow, multi,
/// night, weekend, small, gap, start, clean, plus `extra`.
#[allow(clippy::too_many_arguments)]
fn standard(
    spec: &Spec,
    (what, len): (&'static str, i64),
    t: [f64; 3],
    ts: Severity,
    p: &[f64],
    grow: Vec<Ph>,
    gap: (i64, i64),
    start: (i64, Ph),
    extra: Vec<Case>,
) -> Vec<Case> {
    let one = |v: f64, sev| vec![ph(0, len, v, sev, what)];
    let mut out = vec![
        Case {
            boundary: true,
            ..case("k10", When::Day, one(t[0], ts))
        },
        case("k12", When::Day, one(t[1], ts)),
        case("k15", When::Day, one(t[2], ts)),
    ];
    for (i, &v) in p.iter().enumerate() {
        out.push(Case {
            boundary: i == 0,
            ..case(["p10", "p12"][i], When::Day, one(v, Page))
        });
    }
    let (offs, mlen) = spec.multi;
    out.push(case("grow", When::Day, grow));
    out.push(case(
        "multi",
        When::Day,
        offs.iter().map(|&o| ph(o, mlen, t[2], ts, what)).collect(),
    ));
    out.push(case("night", When::Night, one(t[2], ts)));
    out.push(case("weekend", When::Weekend, one(t[2], ts)));
    out.push(Case {
        small: true,
        ..case("small", When::Day, one(t[2], ts))
    });
    out.push(Case {
        gap: Some(gap),
        ..case(
            "gap",
            When::Day,
            vec![ph(0, len + (gap.1 - gap.0).max(0), t[2], ts, what)],
        )
    });
    out.push(case("start", When::Start(start.0), vec![start.1]));
    out.push(case("clean", When::Clean, vec![]));
    out.extend(extra);
    out
}

/// A drill's timeline: span, absolute phases, gaps, small, deploy shift.
pub(crate) struct Plan {
    span: i64,
    phases: Vec<Ph>,
    gaps: Vec<(i64, i64)>,
    small: bool,
    shift: Option<i64>,
}

/// One minute of a plan.
pub(crate) struct Env {
    load: f64,
    present: bool,
    ph: Option<(Ph, i64)>,
}

impl Env {
    /// The incident's magnitude now (a ramp rises from 1 to `v` over half its length).
    fn val(&self) -> Option<f64> {
        self.ph.map(|(p, since)| {
            if p.what == "ramp" {
                1.0 + (p.v - 1.0) * (since as f64 / (p.len / 2) as f64).min(1.0)
            } else {
                p.v
            }
        })
    }
    fn what(&self) -> &'static str {
        self.ph.map_or("", |(p, _)| p.what)
    }
}

impl Plan {
    fn in_gap(&self, m: i64) -> bool {
        self.gaps.iter().any(|&(s, l)| (s..s + l).contains(&m))
    }
    fn env(&self, shape: &Shape, rng: &mut Rng, m: i64) -> Env {
        let tail = if rng.uniform() < 0.01 { 2.0 } else { 1.0 };
        let missing = rng.uniform() < 0.005;
        let shift = if self.shift.is_some_and(|s| m >= s) {
            1.3
        } else {
            1.0
        };
        let small = if self.small { 0.1 } else { 1.0 };
        Env {
            load: shape.at(m) * tail * shift * small,
            present: !missing && !self.in_gap(m),
            ph: self
                .phases
                .iter()
                .find(|p| (p.off..p.off + p.len).contains(&m))
                .map(|p| (*p, m - p.off)),
        }
    }
}

/// The plan and the checks of `c` (DRILLS.md, "Scoring").
fn plan(spec: &Spec, c: &Case, si: usize, rng: &mut Rng) -> (Plan, Vec<Check>) {
    let b = spec.base * 1440;
    let onset = match c.when {
        When::Day => b + 600 + rng.below(360),
        When::Night => b + 120 + rng.below(120),
        When::Weekend => {
            (spec.base..).find(|d| d % 7 == 5).unwrap_or(0) * 1440 + 660 + rng.below(300)
        }
        When::Start(m) => m,
        When::Clean => 0,
    } / spec.align
        * spec.align;
    let phases: Vec<Ph> = c
        .phases
        .iter()
        .map(|p| Ph {
            off: onset + p.off,
            ..*p
        })
        .collect();
    let last = phases.iter().map(|p| p.off + p.len).max().unwrap_or(0);
    let clean = c.when == When::Clean;
    let span = if clean {
        spec.clean * 1440
    } else {
        (spec.days * 1440).max((last / 1440 + 2) * 1440)
    };
    let gaps: Vec<(i64, i64)> = c.gap.map(|(bf, l)| (onset - bf, l)).into_iter().collect();
    let shift = clean.then(|| (1 + rng.below(4)) * 1440 + 600);
    // Consecutive phases of one severity are one incident.
    let mut groups: Vec<Vec<Ph>> = Vec::new();
    for p in &phases {
        match groups.last_mut() {
            Some(g) if g[g.len() - 1].off + g[g.len() - 1].len == p.off && g[0].sev == p.sev => {
                g.push(*p)
            }
            _ => groups.push(vec![*p]),
        }
    }
    let mut checks: Vec<Check> = groups
        .iter()
        .map(|g| {
            let (on, end) = (g[0].off, g[g.len() - 1].off + g[g.len() - 1].len);
            let resumed = gaps
                .iter()
                .filter(|&&(s, l)| (s..s + l).contains(&on))
                .map(|&(s, l)| s + l)
                .max()
                .unwrap_or(on);
            let from = (resumed.max(on + g[0].from) + spec.step - 1) / spec.step * spec.step;
            let latest = if g[0].what == "expose" {
                (on / 60 + 1) * 60 + 1
            } else if c.boundary {
                end + spec.extra[si]
            } else {
                from + spec.delay[si]
            };
            Check {
                onset: on,
                from,
                latest,
                end,
                sev: g[0].sev,
            }
        })
        .collect();
    for i in 1..checks.len() {
        if checks[i - 1].sev == Ticket && checks[i].sev == Page {
            checks[i - 1].latest = checks[i - 1].latest.min(checks[i].onset);
        }
    }
    let p = Plan {
        span,
        phases,
        gaps,
        small: c.small,
        shift,
    };
    (p, checks)
}

/// Runs every case of `list` on both shapes; `drive` turns a plan into findings.
fn run(
    spec: &Spec,
    list: &[Case],
    shapes: &[Shape; 2],
    seed: u64,
    mut drive: impl FnMut(usize, &Case, &Plan, &Shape, &mut Rng) -> Res<Vec<Finding>>,
) -> Res<Vec<Drill>> {
    let mut out = Vec::new();
    let mode_no = u64::from(spec.mode.as_bytes()[1]);
    for (si, shape) in shapes.iter().enumerate() {
        for (ci, c) in list.iter().enumerate() {
            let mut rng =
                Rng::new(seed * 1_000_003 + mode_no * 10_000 + si as u64 * 100 + ci as u64);
            let (p, checks) = plan(spec, c, si, &mut rng);
            let findings = drive(si, c, &p, shape, &mut rng)?;
            out.push(Drill {
                mode: spec.mode,
                name: format!("[S{} {} seed {seed}]", si + 1, c.name),
                checks,
                span: p.span,
                grace: spec.grace,
                findings,
            });
        }
    }
    Ok(out)
}

/// One sample every `step` minutes where the plan has a datapoint.
fn play<D: Detector>(
    det: &mut D,
    p: &Plan,
    shape: &Shape,
    rng: &mut Rng,
    step: i64,
    mut sample: impl FnMut(&Env, &mut Rng, i64) -> D::Input,
) -> Res<Vec<Finding>> {
    let mut out = Vec::new();
    for m in (0..p.span).step_by(step as usize) {
        let e = p.env(shape, rng, m);
        if e.present {
            let s = sample(&e, rng, m);
            out.extend(det.push(s)?);
        }
    }
    Ok(out)
}

const MULTI: ([i64; 3], i64) = ([0, 1740, 3480], 60);

fn metric_spec(mode: &'static str, delay: i64, grace: i64) -> Spec {
    Spec {
        mode,
        days: 4,
        base: 3,
        clean: 7,
        delay: [delay; 2],
        extra: [0; 2],
        grace,
        align: 1,
        multi: MULTI,
        step: 1,
    }
}

fn f1(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = ThrottleConfig::default();
    let (t, pg) = (cfg.min_ratio(), cfg.page_ratio());
    let spec = metric_spec("F1", 15, 60);
    let list = standard(
        &spec,
        ("share", 60),
        [t, 1.2 * t, 1.5 * t],
        Ticket,
        &[pg, 1.2 * pg],
        vec![
            ph(0, 45, 1.5 * t, Ticket, "share"),
            ph(45, 45, 1.2 * pg, Page, "share"),
        ],
        (30, 45),
        (135, ph(0, 60, 1.5 * t, Ticket, "share")),
        vec![],
    );
    run(&spec, &list, sh, seed, |_, _, p, shape, rng| {
        let mut det = ApiThrottling::new(ThrottleSignal::lambda("checkout")?, cfg)?;
        play(&mut det, p, shape, rng, 1, |e, rng, m| {
            let calls = rng.poisson((600.0 * e.load).max(100.0));
            let share = e.val().unwrap_or(0.0005);
            ThrottleSample {
                at: at(m),
                calls,
                throttled: rng.poisson(calls * share).min(calls),
            }
        })
    })
}

fn f2(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = PartitionConfig::default();
    let r = cfg.peer_ratio();
    let spec = metric_spec("F2", 10, 60);
    let ramp = Ph {
        from: 20,
        ..ph(0, 60, 1.5 * r, Page, "ramp")
    };
    let list = standard(
        &spec,
        ("lat", 30),
        [r, 1.2 * r, 1.5 * r],
        Page,
        &[],
        vec![ramp],
        (30, 40),
        (135, ph(0, 30, 1.5 * r, Page, "lat")),
        vec![
            Case {
                boundary: true,
                ..case("e10", When::Day, vec![ph(0, 30, 0.01, Page, "5xx")])
            },
            case("e15", When::Day, vec![ph(0, 30, 0.015, Page, "5xx")]),
            case(
                "e15-night",
                When::Night,
                vec![ph(0, 30, 0.015, Page, "5xx")],
            ),
        ],
    );
    let names = ["a", "b", "c"];
    run(&spec, &list, sh, seed, |_, _, p, shape, rng| {
        let mut det = NetworkPartition::new(ZoneSignal::alb("app/web/7", &names)?, cfg)?;
        play(&mut det, p, shape, rng, 1, |e, rng, m| {
            let n: Vec<f64> = (0..3)
                .map(|_| rng.poisson((200.0 * e.load).max(30.0)))
                .collect();
            let mut lat: Vec<f64> = (0..3)
                .map(|z| {
                    let spread = 0.06 + 0.6 / (n[z] + 1.0).sqrt();
                    0.12 * [1.0, 1.04, 0.97][z]
                        * (1.0 + 0.15 * e.load)
                        * (spread * rng.normal()).exp()
                })
                .collect();
            let mut err: Vec<f64> = n.iter().map(|&k| rng.poisson(k * 0.0005).min(k)).collect();
            match (e.what(), e.val()) {
                ("5xx", Some(v)) => err[1] = rng.poisson(n[1] * v).min(n[1]),
                (_, Some(v)) => lat[1] = v * (lat[0] + lat[2]) / 2.0,
                _ => {}
            }
            ZoneSample {
                at: at(m),
                zones: (0..3)
                    .map(|z| ZoneObservation {
                        zone: names[z].to_string(),
                        latency: Some(lat[z]),
                        requests: n[z],
                        errors: err[z],
                    })
                    .collect(),
            }
        })
    })
}

/// F3 and F6: the usual share of the limit, 40–55 % with the load.
fn usual_share(e: &Env, rng: &mut Rng) -> f64 {
    0.40 + 0.1 * e.load.min(1.5) + 0.005 * rng.normal()
}

fn f3(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = QuotaConfig::default();
    let w = cfg.warn_share();
    let spec = Spec {
        multi: ([0, 1740, 3480], 120),
        step: 5,
        ..metric_spec("F3", 15, 60)
    };
    let list = standard(
        &spec,
        ("use", 120),
        [w, 1.1 * w, 1.2 * w],
        Ticket,
        &[1.0],
        vec![
            ph(0, 60, 1.1 * w, Ticket, "use"),
            ph(60, 60, 1.0, Page, "use"),
        ],
        (30, 90),
        (10, ph(0, 120, 1.1 * w, Ticket, "use")),
        vec![],
    );
    run(&spec, &list, sh, seed, |_, _, p, shape, rng| {
        let quota = Quota::new("lambda", "L-B99A9384", "Concurrent executions")
            .with_value(1000.0)
            .with_usage_metric(
                UsageMetric::new("AWS/Lambda", "ConcurrentExecutions").with_statistic("Maximum"),
            );
        let mut det = ServiceQuotaHit::new(QuotaSignal::from_quota(&quota)?, cfg)?;
        play(&mut det, p, shape, rng, 5, |e, rng, m| QuotaSample {
            at: at(m),
            usage: (1000.0 * e.val().unwrap_or_else(|| usual_share(e, rng)))
                .round()
                .min(1000.0),
        })
    })
}

fn f6(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = ConnectionConfig::default();
    let (w, pg) = (cfg.warn_share(), cfg.page_share());
    let spec = metric_spec("F6", 5, 60);
    let list = standard(
        &spec,
        ("conn", 60),
        [w, 1.1 * w, 1.15 * w],
        Ticket,
        &[pg, 1.0],
        vec![
            ph(0, 30, 0.85, Ticket, "conn"),
            ph(30, 30, 0.97, Page, "conn"),
        ],
        (30, 90),
        (10, ph(0, 60, 1.1 * w, Ticket, "conn")),
        vec![],
    );
    run(&spec, &list, sh, seed, |_, _, p, shape, rng| {
        let mut det = DbConnectionExhaustion::new(ConnectionSignal::rds("ledger", 1000.0)?, cfg)?;
        play(&mut det, p, shape, rng, 1, |e, rng, m| ConnectionSample {
            at: at(m),
            connections: (1000.0 * e.val().unwrap_or_else(|| usual_share(e, rng)))
                .round()
                .min(1000.0),
            upstream: None,
        })
    })
}

fn f5(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = ColdStartConfig::default();
    let r = cfg.min_ratio();
    let spec = metric_spec("F5", 10, 60);
    let list = standard(
        &spec,
        ("p95", 20),
        [r, 1.2 * r, 1.5 * r],
        Ticket,
        &[],
        vec![
            ph(0, 10, 1.5 * r, Ticket, "p95"),
            ph(10, 10, 5.0, Ticket, "p95"),
        ],
        (30, 35),
        (135, ph(0, 20, 1.5 * r, Ticket, "p95")),
        vec![case("x5", When::Day, vec![ph(0, 20, 5.0, Ticket, "p95")])],
    );
    run(&spec, &list, sh, seed, |_, _, p, shape, rng| {
        let mut det = ColdStartLatency::new(ColdStartSignal::lambda("thumbnails")?, cfg)?;
        play(&mut det, p, shape, rng, 1, |e, rng, m| {
            let k = e.val();
            let concurrency =
                rng.poisson(25.0 * e.load).max(2.0) * if k.is_some() { 2.0 } else { 1.0 };
            let spread = 0.04 + 0.1 / concurrency.sqrt();
            ColdStartSample {
                at: at(m),
                p95_ms: 150.0 * (spread * rng.normal()).exp() * k.unwrap_or(1.0),
                concurrency,
                init_ms: k.map(|_| 800.0),
            }
        })
    })
}

/// The smallest count whose Poisson upper tail at `mean` is under 1e-9.
fn poisson_bar(mean: f64) -> f64 {
    let (mut k, mut pmf, mut cdf) = (0.0, (-mean).exp(), 0.0);
    while 1.0 - cdf - pmf >= 1e-9 && k < 1e6 {
        cdf += pmf;
        k += 1.0;
        pmf *= mean / k;
    }
    k + 1.0
}

fn f7(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = LeakConfig::default();
    let spec = Spec {
        days: 9,
        base: 8,
        multi: ([0, 1740, 3480], 20),
        ..metric_spec("F7", 5, 60)
    };
    let ramp = Ph {
        from: 5,
        ..ph(0, 20, 3.0, Page, "ramp")
    };
    let list = standard(
        &spec,
        ("spike", 20),
        [1.0, 1.2, 1.5],
        Page,
        &[],
        vec![ramp],
        (90, 0),
        (0, ph(0, 60, 1.0, Page, "public0")),
        vec![
            case("expose", When::Day, vec![ph(0, 600, 1.0, Page, "expose")]),
            case(
                "expose-night",
                When::Night,
                vec![ph(0, 600, 1.0, Page, "expose")],
            ),
        ],
    );
    run(&spec, &list, sh, seed, |_, c, p, shape, rng| {
        let exposure = c.name.starts_with("expose");
        let facts = |public: bool| {
            let mut f = BucketExposure::new("site-assets");
            f.policy_is_public = Some(public);
            f
        };
        let mut det = PublicDataLeak::new(facts(!exposure), cfg)?;
        let mut out = Vec::new();
        // A bucket public from the start: its exposure is scored only in the start drill.
        if let Some(f) = det.assess(t0())
            && c.name == "start"
        {
            out.push(f);
        }
        let (mut hist, mut bar) = (Vec::with_capacity(p.span as usize), None::<f64>);
        for m in 0..p.span {
            let e = p.env(shape, rng, m);
            if exposure && m % 60 == 0 {
                let public = p.phases.iter().any(|x| m >= x.off);
                out.extend(det.scan(at(m), facts(public))?);
            }
            let usual = rng.poisson(20.0 * e.load);
            let requests = match e.val() {
                Some(k) if !exposure && e.what() != "public0" => {
                    let b = *bar.get_or_insert_with(|| {
                        let n = hist.len();
                        let mean = hist[n.saturating_sub(60)..].iter().sum::<f64>() / 60.0;
                        let week = hist[n.saturating_sub(10080)..]
                            .iter()
                            .copied()
                            .fold(0.0, f64::max);
                        (3.0 * mean).max(week + 1.0).max(poisson_bar(mean))
                    });
                    (k * b).ceil()
                }
                _ => {
                    bar = None;
                    usual
                }
            };
            hist.push(usual);
            if e.present {
                out.extend(det.push(AccessSample {
                    at: at(m),
                    requests,
                })?);
            }
        }
        Ok(out)
    })
}

fn app() -> Identity {
    Identity::new("AssumedRole").with_arn("arn:aws:sts::111122223333:assumed-role/app/i-0f00")
}

fn user(name: &str) -> Identity {
    Identity::new("IAMUser")
        .with_user_name(name)
        .with_arn(format!("arn:aws:iam::111122223333:user/{name}"))
}

/// F4's documented burst bar for hour `h` from the hourly counts before it.
fn burst_bar(cfg: &CompromiseConfig, counts: &[f64], h: usize) -> f64 {
    let weekend = |k: usize| matches!(at(k as i64 * 60).weekday(), Weekday::Sat | Weekday::Sun);
    let decayed = |k: usize| counts[k] * cfg.daily_decay().powf((h - k) as f64 / 24.0);
    let near = |k: usize| {
        let d = (k % 24).abs_diff(h % 24);
        d.min(24 - d) <= 1
    };
    let same = (0..h)
        .filter(|&k| weekend(k) == weekend(h) && near(k))
        .map(decayed)
        .fold(0.0, f64::max);
    let overall = (0..h).map(decayed).fold(0.0, f64::max);
    (cfg.burst_multiple() * same)
        .max(cfg.overall_multiple() * overall)
        .max(f64::from(cfg.min_burst()))
}

fn f4(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = CompromiseConfig::default();
    let spec = Spec {
        mode: "F4",
        days: 10,
        base: 8,
        clean: 14,
        delay: [65; 2],
        extra: [5; 2],
        grace: 120,
        align: 60,
        multi: ([0, 1740, 3480], 60),
        step: 1,
    };
    let list = standard(
        &spec,
        ("burst", 60),
        [1.0, 1.2, 1.5],
        Page,
        &[],
        vec![ph(0, 60, 1.0, Page, "burst"), ph(60, 60, 1.5, Page, "deny")],
        (360, 0),
        (30, ph(0, 60, 1.0, Page, "nomfa")),
        vec![
            Case {
                boundary: true,
                ..case("deny10", When::Day, vec![ph(0, 60, 1.0, Page, "deny")])
            },
            case("deny15", When::Day, vec![ph(0, 60, 1.5, Page, "deny")]),
            case("region", When::Day, vec![ph(0, 60, 1.0, Page, "region")]),
            case(
                "nomfa-night",
                When::Night,
                vec![ph(0, 60, 1.0, Page, "nomfa")],
            ),
            case(
                "multi-kinds",
                When::Day,
                vec![
                    ph(0, 60, 1.5, Page, "burst"),
                    ph(1740, 60, 1.5, Page, "deny"),
                    ph(3480, 60, 1.0, Page, "region"),
                ],
            ),
        ],
    );
    run(&spec, &list, sh, seed, |_, _, p, shape, rng| {
        let hours = (p.span / 60) as usize;
        let envs: Vec<Env> = (0..hours)
            .map(|h| p.env(shape, rng, h as i64 * 60))
            .collect();
        let mut counts: Vec<f64> = envs.iter().map(|e| rng.poisson(150.0 * e.load)).collect();
        let mut denied: Vec<f64> = (0..hours)
            .map(|_| f64::from(u8::from(rng.uniform() < 5.0 / 24.0)))
            .collect();
        for h in 0..hours {
            if p.in_gap(h as i64 * 60) {
                (counts[h], denied[h]) = (0.0, 0.0);
            }
            match (envs[h].what(), envs[h].val()) {
                ("burst", Some(k)) => {
                    let all: Vec<f64> = (0..h).map(|j| counts[j] + denied[j]).collect();
                    counts[h] = (k * burst_bar(&cfg, &all, h)).floor() + 1.0 - denied[h];
                }
                ("deny", Some(k)) => {
                    let busiest = (0..h)
                        .map(|j| denied[j] * cfg.daily_decay().powf((h - j) as f64 / 24.0))
                        .fold(0.0, f64::max);
                    let bar = (cfg.burst_multiple() * busiest).max(f64::from(cfg.min_denied()));
                    denied[h] = (k * bar).floor() + 1.0;
                }
                _ => {}
            }
        }
        let mut det = CredentialCompromise::new(cfg)?;
        let mut out = Vec::new();
        for h in 0..hours {
            if p.in_gap(h as i64 * 60) {
                continue;
            }
            let start = at(h as i64 * 60);
            let spread =
                |n: f64, i: i64| start + Duration::milliseconds(i * 3_600_000 / (n as i64).max(1));
            let call = |t, region: &str| {
                AuditEvent::new(
                    t,
                    "dynamodb.amazonaws.com",
                    "GetItem",
                    region,
                    "10.1.2.3",
                    app(),
                )
            };
            let mut ev: Vec<AuditEvent> = (0..counts[h] as i64)
                .map(|i| call(spread(counts[h], i), "eu-central-1"))
                .collect();
            ev.extend((0..denied[h] as i64).map(|i| {
                AuditEvent::new(
                    spread(denied[h], i),
                    "s3.amazonaws.com",
                    "GetObject",
                    "eu-central-1",
                    "10.1.2.3",
                    app(),
                )
                .with_error("AccessDenied")
            }));
            let login = |t, who: &str, mfa| {
                AuditEvent::new(
                    t,
                    "signin.amazonaws.com",
                    "ConsoleLogin",
                    "us-east-1",
                    "198.51.100.20",
                    user(who),
                )
                .with_sign_in(SignInOutcome::Success)
                .with_mfa(mfa)
            };
            if !matches!(start.weekday(), Weekday::Sat | Weekday::Sun) && h % 24 == 9 {
                ev.push(login(start + Duration::minutes(2), "alice", true));
            }
            if let Some((ph, since)) = envs[h].ph {
                match ph.what {
                    "region" if since == 0 => {
                        ev.extend(
                            (0..30)
                                .map(|i| call(start + Duration::minutes(10 + i), "ap-southeast-2")),
                        );
                    }
                    "nomfa" if since == 0 => {
                        ev.push(login(at(ph.off) + Duration::minutes(1), "bob", false))
                    }
                    _ => {}
                }
            }
            ev.sort_by_key(|e| e.time);
            for e in ev {
                out.extend(det.push(e)?);
            }
        }
        Ok(out)
    })
}

fn f8(sh: &[Shape; 2], seed: u64) -> Res<Vec<Drill>> {
    let cfg = CostConfig::default();
    let (t, pg) = (cfg.ticket_multiple(), cfg.page_multiple());
    let spec = Spec {
        mode: "F8",
        days: 17,
        base: 15,
        clean: 35,
        delay: [26 * 60, 17 * 60],
        extra: [14 * 60, 5 * 60],
        grace: 2 * 1440,
        align: 1440,
        multi: ([0, 3 * 1440, 6 * 1440], 1440),
        step: 1,
    };
    let mut list = standard(
        &spec,
        ("spend", 2880),
        [t, 1.2 * t, 1.5 * t],
        Ticket,
        &[pg, 1.2 * pg],
        vec![
            ph(0, 1440, 1.5 * t, Ticket, "spend"),
            ph(1440, 1440, 1.2 * pg, Page, "spend"),
        ],
        (720, 1440),
        (8 * 1440, ph(0, 2880, 1.5 * t, Ticket, "spend")),
        vec![],
    );
    list.retain(|c| c.name != "night");
    run(&spec, &list, sh, seed, |si, c, p, shape, rng| {
        let (every, lag) = if si == 0 { (6, 8) } else { (1, 4) };
        let hours = p.span / 60;
        let envs: Vec<Env> = (0..hours).map(|h| p.env(shape, rng, h * 60)).collect();
        let rate = if c.small { 0.5 } else { 10.0 };
        let mut det = CostRunaway::new("USD", cfg)?;
        let (mut month, mut total, mut out) = (t0().month(), 0.0, Vec::new());
        for h in lag..hours {
            let u = h - lag;
            if at(u * 60).month() != month {
                (month, total) = (at(u * 60).month(), 0.0);
            }
            let e = &envs[u as usize];
            // The shape without its tail and the small factor: spend, not traffic.
            let base = shape.at(u * 60).min(3.0);
            total += rate * (0.5 + 0.5 * base) * e.val().unwrap_or(1.0);
            if h % every == 0 && !p.in_gap(h * 60) {
                out.extend(det.push(ChargeSample {
                    at: at(h * 60),
                    estimated_charges: total,
                })?);
            }
        }
        Ok(out)
    })
}
