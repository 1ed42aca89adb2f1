//! Eighth blind game day: a season. Thirteen weeks of continuous operation per drill, with
//! organic growth, a holiday week, a new weekly batch job, a release step, month ends and the
//! quarter end, principals that come and go, and a handful of incidents late in the quarter.
//! See `examples/blind8/DRILLS.md` (written before this runner first ran).
//!
//! `cargo run --release -p sre-examples --example blind8_gameday -- --seed N [--verbose]`

use std::collections::HashMap;

use failure_modes::chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc, Weekday};
use failure_modes::{
    AccessSample, AclGrant, ApiThrottling, AuditEvent, BucketExposure, ChargeSample,
    ColdStartLatency, ColdStartSample, ColdStartSignal, ConnectionSample, ConnectionSignal,
    CostRunaway, CredentialCompromise, DbConnectionExhaustion, Detector, Finding, Grantee,
    Identity, NetworkPartition, OneOffCharge, Permission, PublicDataLeak, QuotaSample, QuotaSignal,
    ServiceQuotaHit, Severity, SignInOutcome, ThrottleSample, ThrottleSignal, ZoneObservation,
    ZoneSample, ZoneSignal,
};

const DATA: &str = "/work/shared/data/nab-aws";
const WEEKS: i64 = 13;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

// ---------------------------------------------------------------- randomness (own generator)

/// SplitMix64, seeded per drill and seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        Self(
            seed.wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(stream.wrapping_mul(0xD1B5_4A32_D192_ED03))
                ^ 0x5851_F42D_4C95_7F2D,
        )
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    fn normal(&mut self) -> f64 {
        let (u1, u2) = (self.uniform(), self.uniform());
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
    fn poisson(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        if mean < 30.0 {
            let limit = (-mean).exp();
            let mut k = 0.0;
            let mut p = self.uniform();
            while p > limit {
                k += 1.0;
                p *= self.uniform();
            }
            k
        } else {
            (mean + mean.sqrt() * self.normal()).round().max(0.0)
        }
    }
    /// Binomial(n, p) by its Poisson or normal approximation, capped at n.
    fn binomial(&mut self, n: f64, p: f64) -> f64 {
        let mean = n * p;
        let k = if mean < 30.0 {
            self.poisson(mean)
        } else {
            (mean + (mean * (1.0 - p)).sqrt() * self.normal())
                .round()
                .max(0.0)
        };
        k.min(n)
    }
}

// ---------------------------------------------------------------- traffic shapes (own loader)

/// The longest stretch of a NAB series outside its labelled windows, 5-minute values.
struct Shape {
    values: Vec<f64>,
    offset: usize,
    median: f64,
    p995: f64,
}

fn parse_time(s: &str) -> Res<DateTime<Utc>> {
    let naive = failure_modes::chrono::NaiveDateTime::parse_from_str(
        s.trim().trim_matches('"'),
        "%Y-%m-%d %H:%M:%S%.f",
    )
    .or_else(|_| {
        failure_modes::chrono::NaiveDateTime::parse_from_str(
            s.trim().trim_matches('"'),
            "%Y-%m-%d %H:%M:%S",
        )
    })?;
    Ok(Utc.from_utc_datetime(&naive))
}

impl Shape {
    fn load(file: &str, seed: u64) -> Res<Self> {
        let text = std::fs::read_to_string(format!("{DATA}/realAWSCloudwatch/{file}.csv"))?;
        let windows_json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
            format!("{DATA}/combined_windows.json"),
        )?)?;
        let mut windows = Vec::new();
        if let Some(list) = windows_json[format!("realAWSCloudwatch/{file}.csv")].as_array() {
            for w in list {
                let a = parse_time(w[0].as_str().ok_or("window start")?)?;
                let b = parse_time(w[1].as_str().ok_or("window end")?)?;
                windows.push((a, b));
            }
        }
        let mut best: Vec<f64> = Vec::new();
        let mut current: Vec<f64> = Vec::new();
        for line in text.lines().skip(1) {
            let mut parts = line.split(',');
            let (Some(ts), Some(v)) = (parts.next(), parts.next()) else {
                continue;
            };
            let t = parse_time(ts)?;
            let v: f64 = v.trim().parse()?;
            if windows.iter().any(|(a, b)| *a <= t && t <= *b) {
                if current.len() > best.len() {
                    best = std::mem::take(&mut current);
                }
                current.clear();
            } else {
                current.push(v);
            }
        }
        if current.len() > best.len() {
            best = current;
        }
        let mut sorted = best.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted[sorted.len() / 2].max(1e-9);
        let p995 = sorted[(sorted.len() as f64 * 0.995) as usize].max(1e-9);
        let offset = (seed as usize * 997) % best.len();
        Ok(Self {
            values: best,
            offset,
            median,
            p995,
        })
    }
    /// The i-th 5-minute point of the season: the stretch gone round as often as needed.
    fn at(&self, i: usize) -> f64 {
        self.values[(self.offset + i) % self.values.len()]
    }
    /// The point for time `t` of the season.
    fn at_time(&self, t: DateTime<Utc>) -> f64 {
        self.at(((t - t0()).num_minutes() / 5) as usize)
    }
    fn len(&self) -> usize {
        self.values.len()
    }
}

// ---------------------------------------------------------------- the season

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 6, 0, 0, 0).unwrap()
}
fn t_end() -> DateTime<Utc> {
    t0() + Duration::weeks(WEEKS)
}
fn week_start(k: i64) -> DateTime<Utc> {
    t0() + Duration::weeks(k - 1)
}
fn at(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap()
}
fn holiday(t: DateTime<Utc>) -> bool {
    t >= week_start(8) && t < week_start(9)
}
/// Growth over the quarter, the release step from week 6, the holiday week.
fn drift(t: DateTime<Utc>, growth: f64, with_holiday: bool) -> f64 {
    let frac = (t - t0()).num_seconds() as f64 / (t_end() - t0()).num_seconds() as f64;
    let mut f = 1.0 + growth * frac;
    if t >= week_start(6) {
        f *= 1.3;
    }
    if with_holiday && holiday(t) {
        f *= 0.4;
    }
    f
}
fn batch_era(t: DateTime<Utc>) -> bool {
    t >= week_start(5)
}
fn last_day_of_month(t: DateTime<Utc>) -> bool {
    (t + Duration::days(1)).month() != t.month()
}
fn weekday(t: DateTime<Utc>) -> bool {
    !matches!(t.weekday(), Weekday::Sat | Weekday::Sun)
}

// ---------------------------------------------------------------- scoring

#[derive(Clone)]
struct Incident {
    name: &'static str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    expected: Severity,
    latest: DateTime<Utc>,
}

struct Score {
    drill: &'static str,
    detected: usize,
    total: usize,
    delays: Vec<String>,
    severity_agree: usize,
    false_alarms: usize,
    week1_alarms: usize,
    clean_weeks: f64,
    peak_state: String,
    notes: Vec<String>,
}

fn score(
    drill: &'static str,
    findings: &[Finding],
    incidents: &[Incident],
    grace: Duration,
    verbose: bool,
) -> Score {
    let mut s = Score {
        drill,
        detected: 0,
        total: incidents.len(),
        delays: Vec::new(),
        severity_agree: 0,
        false_alarms: 0,
        week1_alarms: 0,
        clean_weeks: 0.0,
        peak_state: "not observable".into(),
        notes: Vec::new(),
    };
    for inc in incidents {
        if inc.name.starts_with("doc:") {
            let n = findings
                .iter()
                .filter(|f| f.end >= inc.start && f.end <= inc.end + grace)
                .count();
            s.total -= 1;
            s.notes.push(format!(
                "{} (documented to page, not scored): {n} finding(s)",
                inc.name
            ));
            continue;
        }
        let mine: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.end >= inc.start && f.end <= inc.end + grace)
            .collect();
        let top = mine.iter().map(|f| f.severity).max();
        let good = mine
            .iter()
            .filter(|f| f.severity == inc.expected)
            .map(|f| f.end)
            .min();
        let first = mine.iter().map(|f| f.end).min();
        match good {
            Some(t) if t <= inc.latest => {
                s.detected += 1;
                s.delays
                    .push(format!("{}:{}m", inc.name, (t - inc.start).num_minutes()));
            }
            Some(t) => {
                s.delays.push(format!(
                    "{}:LATE {}m",
                    inc.name,
                    (t - inc.start).num_minutes()
                ));
                s.notes.push(format!(
                    "{} detected late: {} at {} (latest acceptable {})",
                    inc.name, inc.expected, t, inc.latest
                ));
            }
            None => {
                s.delays.push(format!("{}:MISS", inc.name));
                s.notes.push(format!(
                    "{} missed at {}: findings {:?}, first at {:?}",
                    inc.name,
                    inc.expected,
                    mine.iter()
                        .map(|f| format!("{} {}", f.severity, f.end))
                        .collect::<Vec<_>>(),
                    first
                ));
            }
        }
        if top == Some(inc.expected) {
            s.severity_agree += 1;
        } else if let Some(top) = top {
            s.notes.push(format!(
                "{} severity: expected {}, highest reported {}",
                inc.name, inc.expected, top
            ));
        }
    }
    for f in findings {
        let attributed = incidents
            .iter()
            .any(|inc| f.end >= inc.start && f.end <= inc.end + grace);
        if attributed {
            continue;
        }
        if f.end < week_start(2) {
            s.week1_alarms += 1;
        } else {
            s.false_alarms += 1;
        }
        if verbose || s.false_alarms <= 3 {
            s.notes.push(format!("false alarm: {f}"));
        }
    }
    let mut clean = (t_end() - week_start(2)).num_seconds() as f64;
    for inc in incidents.iter().filter(|i| i.start >= week_start(2)) {
        clean -= ((inc.end + grace) - inc.start).num_seconds() as f64;
    }
    s.clean_weeks = clean / (7.0 * 86400.0);
    s
}

// ---------------------------------------------------------------- D1: F1

fn d1_throttling(seed: u64, verbose: bool) -> Res<Score> {
    throttling("D1 F1", [0.015, 0.15, 0.02], seed, verbose)
}

fn d7_throttling(seed: u64, verbose: bool) -> Res<Score> {
    throttling("D7 F1", [0.012, 0.12, 0.012], seed, verbose)
}

fn throttling(drill: &'static str, shares: [f64; 3], seed: u64, verbose: bool) -> Res<Score> {
    let shape = Shape::load("elb_request_count_8c0756", seed)?;
    let mut rng = Rng::new(seed, 1);
    let incidents = vec![
        Incident {
            name: "I1 ticket",
            start: at(9, 8, 14, 0),
            end: at(9, 8, 14, 30),
            expected: Severity::Ticket,
            latest: at(9, 8, 14, 15),
        },
        Incident {
            name: "I2 page",
            start: at(9, 23, 10, 0),
            end: at(9, 23, 10, 20),
            expected: Severity::Page,
            latest: at(9, 23, 10, 15),
        },
        Incident {
            name: "I3 ticket night",
            start: at(10, 2, 3, 0),
            end: at(10, 2, 3, 45),
            expected: Severity::Ticket,
            latest: at(10, 2, 3, 15),
        },
    ];
    let mut f1 = ApiThrottling::new(ThrottleSignal::lambda("orders-api")?, Default::default())?;
    let mut findings = Vec::new();
    let mut during = [(0.0, 0.0, 0.0); 3];
    let minutes = (t_end() - t0()).num_minutes();
    for m in 0..minutes {
        let t = t0() + Duration::minutes(m);
        let s = (shape.at_time(t) / shape.median).clamp(0.05, 6.0);
        let mut mean = 800.0 * s * drift(t, 0.6, true);
        let mut share = 0.0005;
        if last_day_of_month(t) && (18..20).contains(&t.hour()) {
            mean *= 2.0;
        }
        let mut calls = rng.poisson(mean);
        let mut throttled = rng.binomial(calls, share);
        if batch_era(t) && t.weekday() == Weekday::Sun && t.hour() == 2 {
            let extra = rng.poisson(3000.0);
            let p = if t.minute() < 3 { 0.05 } else { 0.005 };
            throttled += rng.binomial(extra, p);
            calls += extra;
        }
        for (i, (inc, incident_share)) in incidents.iter().zip(shares).enumerate() {
            if t >= inc.start && t < inc.end {
                share = incident_share;
                throttled = rng.binomial(calls, share);
                if t < inc.start + Duration::minutes(15) {
                    during[i].0 += calls;
                    during[i].1 += throttled;
                    during[i].2 += 1.0;
                }
            }
        }
        findings.extend(f1.push(ThrottleSample {
            at: t,
            calls,
            throttled,
        })?);
    }
    let mut sc = score(drill, &findings, &incidents, Duration::hours(2), verbose);
    sc.notes
        .push(format!("shape stretch {} points, looped", shape.len()));
    for (inc, (calls, throttled, n)) in incidents.iter().zip(during) {
        sc.notes.push(format!(
            "{}: first 15 min {:.0} calls/min, throttled share {:.3} %",
            inc.name,
            calls / n,
            100.0 * throttled / calls
        ));
    }
    Ok(sc)
}

// ---------------------------------------------------------------- D2: F3

fn d2_quota(seed: u64, verbose: bool) -> Res<Score> {
    let shape = Shape::load("grok_asg_anomaly", seed)?;
    let mut rng = Rng::new(seed, 2);
    let signal =
        QuotaSignal::resource_count("On-Demand vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand")?;
    let mut f3 = ServiceQuotaHit::new(signal, Default::default())?;
    let mut incidents = vec![
        Incident {
            name: "I1 90%",
            start: at(9, 8, 15, 0),
            end: at(9, 8, 18, 0),
            expected: Severity::Ticket,
            latest: at(9, 8, 16, 0),
        },
        Incident {
            name: "I2 100%",
            start: at(9, 24, 11, 0),
            end: at(9, 24, 13, 0),
            expected: Severity::Page,
            latest: at(9, 24, 12, 0),
        },
    ];
    let leak_start = at(9, 28, 0, 0);
    let mut leak_crossed: Option<DateTime<Utc>> = None;
    let mut findings = Vec::new();
    let periods = (t_end() - t0()).num_minutes() / 5;
    for p in 0..periods {
        let t = t0() + Duration::minutes(5 * p);
        let s = (shape.at(p as usize) / shape.p995).clamp(0.0, 1.1);
        let mut usage = 1000.0 * 0.30 * s * drift(t, 0.6, true) * (1.0 + 0.02 * rng.normal());
        if batch_era(t) && t.weekday() == Weekday::Sat && (1..7).contains(&t.hour()) {
            usage += 100.0;
        }
        if t >= incidents[0].start && t < incidents[0].end {
            usage = 900.0 + (3.0 * rng.normal()).round();
        }
        if t >= incidents[1].start && t < incidents[1].end {
            usage = 1000.0;
        }
        if t >= leak_start {
            let over = leak_crossed.is_none_or(|c| t < c + Duration::hours(6));
            if over {
                usage += 60.0 * (t - leak_start).num_seconds() as f64 / 86400.0;
            }
        }
        let usage = usage.round().clamp(0.0, 1000.0);
        if t >= leak_start && leak_crossed.is_none() && usage >= 800.0 {
            leak_crossed = Some(t);
        }
        findings.extend(f3.push(QuotaSample { at: t, usage })?);
    }
    let crossed = leak_crossed.ok_or("the leak never crossed 80 %")?;
    incidents.push(Incident {
        name: "I3 leak",
        start: leak_start,
        end: crossed + Duration::hours(6),
        expected: Severity::Ticket,
        latest: crossed + Duration::hours(1),
    });
    let mut sc = score("D2 F3", &findings, &incidents, Duration::hours(2), verbose);
    sc.notes.push(format!(
        "leak crossed 80% at {crossed}; shape stretch {} points, looped",
        shape.len()
    ));
    Ok(sc)
}

// ---------------------------------------------------------------- D3: F4

const ACCOUNT: &str = "111122223333";

fn call(t: DateTime<Utc>, identity: &Identity, name: &str, region: &str, ip: &str) -> AuditEvent {
    AuditEvent::new(t, "ec2.amazonaws.com", name, region, ip, identity.clone())
}

fn sign_in(t: DateTime<Utc>, identity: &Identity, mfa: bool) -> AuditEvent {
    AuditEvent::new(
        t,
        "signin.amazonaws.com",
        "ConsoleLogin",
        "us-east-1",
        "198.51.100.7",
        identity.clone(),
    )
    .with_sign_in(SignInOutcome::Success)
    .with_mfa(mfa)
}

fn user(name: &str) -> Identity {
    Identity::new("IAMUser")
        .with_user_name(name)
        .with_account_id(ACCOUNT)
        .with_arn(format!("arn:aws:iam::{ACCOUNT}:user/{name}"))
}

fn role(name: &str, session: &str) -> Identity {
    Identity::new("AssumedRole")
        .with_account_id(ACCOUNT)
        .with_arn(format!(
            "arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session}"
        ))
}

/// Hourly values of a shape, normalised to their median and clipped.
fn hourly(shape: &Shape, lo: f64, hi: f64) -> Vec<f64> {
    let hours = (WEEKS * 7 * 24) as usize;
    let sums: Vec<f64> = (0..hours)
        .map(|h| (0..12).map(|i| shape.at(h * 12 + i)).sum::<f64>())
        .collect();
    let mut sorted = sums.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2].max(1e-9);
    sums.iter().map(|v| (v / median).clamp(lo, hi)).collect()
}

fn d3_compromise(seed: u64, verbose: bool) -> Res<Score> {
    compromise("D3 F4", 2.0, 1.5, at(9, 8, 3, 0), seed, verbose)
}

fn d10_compromise(seed: u64, verbose: bool) -> Res<Score> {
    compromise("D10 F4", 2.0, 1.5, at(10, 2, 3, 0), seed, verbose)
}

fn d12_compromise(seed: u64, verbose: bool) -> Res<Score> {
    compromise("D12 F4", 2.0, 1.5, at(9, 21, 3, 0), seed, verbose)
}

fn d11_compromise(seed: u64, verbose: bool) -> Res<Score> {
    SESSIONS.with(|s| s.set(true));
    let r = compromise("D11 F4", 2.0, 1.5, at(9, 8, 3, 0), seed, verbose);
    SESSIONS.with(|s| s.set(false));
    r
}

thread_local! {
    /// D11: role session names that change (daily for the app, per deploy for CI).
    static SESSIONS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn d8_compromise(seed: u64, verbose: bool) -> Res<Score> {
    compromise("D8 F4", 1.2, 1.2, at(9, 8, 3, 0), seed, verbose)
}

fn compromise(
    drill: &'static str,
    burst_x: f64,
    storm_x: f64,
    alice_back: DateTime<Utc>,
    seed: u64,
    verbose: bool,
) -> Res<Score> {
    let app_shape = hourly(&Shape::load("ec2_network_in_257a54", seed)?, 0.2, 5.0);
    let bob_shape = hourly(&Shape::load("rds_cpu_utilization_cc0c53", seed)?, 0.3, 3.0);
    let mut rng = Rng::new(seed, 4);
    let mut f4 = CredentialCompromise::new(Default::default())?;
    let app = role("orders-app", "i-0abc");
    let ci = role("ci-deployer", "build");
    let billing = role("billing-report", "monthly");
    let (alice, bob, carol) = (user("alice"), user("bob"), user("carol"));
    let root = Identity::new("Root")
        .with_account_id(ACCOUNT)
        .with_arn(format!("arn:aws:iam::{ACCOUNT}:root"));
    let incidents = vec![
        Incident {
            name: "I1 new region",
            start: alice_back,
            end: alice_back + Duration::minutes(10),
            expected: Severity::Page,
            latest: alice_back + Duration::minutes(1),
        },
        Incident {
            name: "I2 burst",
            start: at(9, 16, 14, 0),
            end: at(9, 16, 14, 30),
            expected: Severity::Page,
            latest: at(9, 16, 15, 0),
        },
        Incident {
            name: "I3 denials",
            start: at(9, 22, 9, 0),
            end: at(9, 22, 9, 20),
            expected: Severity::Page,
            latest: at(9, 22, 10, 0),
        },
        Incident {
            name: "I4 root no MFA",
            start: at(10, 1, 2, 0),
            end: at(10, 1, 2, 1),
            expected: Severity::Page,
            latest: at(10, 1, 2, 1),
        },
    ];
    let mut findings = Vec::new();
    let mut bob_max: f64 = 0.0;
    let mut denial_max: f64 = 0.0;
    let mut peak_principals = 0;
    let mut events_total = 0usize;
    let mut deploys = 0u64;
    let mut ci_days: HashMap<i64, Vec<(u32, f64)>> = HashMap::new();
    let hours = WEEKS * 7 * 24;
    for h in 0..hours {
        let t = t0() + Duration::hours(h);
        let mut ev: Vec<AuditEvent> = Vec::new();
        let rotating = SESSIONS.with(std::cell::Cell::get);
        let day_index = (t - t0()).num_days();
        let app = if rotating {
            role("orders-app", &format!("i-{day_index:08x}"))
        } else {
            app.clone()
        };
        let spread = |rng: &mut Rng, n: f64, span_s: u64| -> Vec<DateTime<Utc>> {
            (0..n as u64)
                .map(|_| t + Duration::seconds(rng.below(span_s) as i64))
                .collect()
        };
        // orders-app role
        let quarter_end = t.month() == 9 && t.day() == 30;
        let mean = 400.0
            * app_shape[h as usize]
            * drift(t, 0.6, true)
            * if quarter_end { 2.0 } else { 1.0 };
        let n = rng.poisson(mean);
        for at in spread(&mut rng, n, 3600) {
            ev.push(call(at, &app, "DescribeInstances", "us-east-1", "10.0.1.5"));
        }
        let denials = rng.poisson(0.5);
        let storm = t == incidents[2].start;
        if storm {
            let k = (storm_x * (3.0 * denial_max).max(20.0)).ceil();
            for at in spread(&mut rng, k, 1200) {
                ev.push(
                    call(at, &app, "GetSecretValue", "us-east-1", "10.0.1.5")
                        .with_error("AccessDenied"),
                );
            }
        }
        for at in spread(&mut rng, denials, 3600) {
            ev.push(
                call(at, &app, "GetSecretValue", "us-east-1", "10.0.1.5")
                    .with_error("AccessDenied"),
            );
        }
        if !storm {
            denial_max = denial_max.max(denials);
        }
        let office = weekday(t) && (9..18).contains(&t.hour());
        // alice, until she leaves on Mon 2026-08-24
        if office && t < at(8, 24, 18, 0) {
            let n = rng.poisson(25.0 * drift(t, 0.0, true));
            for at in spread(&mut rng, n, 3600) {
                let region = if rng.uniform() < 0.2 {
                    "eu-west-1"
                } else {
                    "us-east-1"
                };
                ev.push(call(
                    at,
                    &alice,
                    "DescribeInstances",
                    region,
                    "203.0.113.10",
                ));
            }
        }
        // bob
        if office {
            if t.hour() == 9 {
                ev.push(sign_in(t + Duration::seconds(30), &bob, true));
            }
            let n = rng.poisson(40.0 * bob_shape[h as usize] * drift(t, 0.6, true));
            for at in spread(&mut rng, n, 3600) {
                ev.push(call(
                    at,
                    &bob,
                    "DescribeInstances",
                    "us-east-1",
                    "203.0.113.11",
                ));
            }
            if t == incidents[1].start {
                let k = (burst_x * (3.0 * bob_max).max(100.0)).ceil();
                for at in spread(&mut rng, k, 1800) {
                    ev.push(call(at, &bob, "ListBuckets", "us-east-1", "192.0.2.66"));
                }
            } else {
                bob_max = bob_max.max(n);
            }
        }
        // ci-deployer from week 5: 1-3 deploys a weekday at hours 08-20
        if batch_era(t) && weekday(t) {
            let day = (t - t0()).num_days();
            let plan = ci_days.entry(day).or_insert_with(|| {
                let k = 1 + rng.below(3);
                (0..k)
                    .map(|_| (8 + rng.below(13) as u32, 150.0 + rng.below(151) as f64))
                    .collect()
            });
            let plan = plan.clone();
            for (hour, size) in plan {
                if hour == t.hour() {
                    deploys += 1;
                    let ci = if rotating {
                        role("ci-deployer", &format!("build-{deploys}"))
                    } else {
                        ci.clone()
                    };
                    let start = t + Duration::minutes(rng.below(45) as i64);
                    for _ in 0..size as u64 {
                        let at = start + Duration::seconds(rng.below(900) as i64);
                        ev.push(call(at, &ci, "UpdateService", "us-east-1", "10.0.9.9"));
                    }
                }
            }
        }
        // billing-report on the 1st of each month at 03:00 (from August)
        if t.day() == 1 && t.hour() == 3 && t.month() >= 8 {
            for at in spread(&mut rng, 500.0, 1800) {
                ev.push(call(
                    at,
                    &billing,
                    "GetCostAndUsage",
                    "us-east-1",
                    "10.0.7.7",
                ));
            }
        }
        // carol at the quarter end
        if t.month() == 9 && (29..=30).contains(&t.day()) && (10..16).contains(&t.hour()) {
            if t.hour() == 10 {
                ev.push(sign_in(t + Duration::seconds(10), &carol, true));
            }
            let n = rng.poisson(50.0);
            for at in spread(&mut rng, n, 3600) {
                ev.push(call(
                    at,
                    &carol,
                    "GetCostAndUsage",
                    "us-east-1",
                    "203.0.113.12",
                ));
            }
        }
        // incidents I1 and I4
        if t == incidents[0].start {
            ev.push(call(
                t,
                &alice,
                "ListBuckets",
                "ap-southeast-1",
                "192.0.2.99",
            ));
            for at in spread(&mut rng, 29.0, 600) {
                ev.push(call(
                    at,
                    &alice,
                    "GetObject",
                    "ap-southeast-1",
                    "192.0.2.99",
                ));
            }
        }
        if t == incidents[3].start {
            ev.push(sign_in(t, &root, false));
        }
        ev.sort_by_key(|e| e.time);
        events_total += ev.len();
        for e in ev {
            findings.extend(f4.push(e)?);
        }
        peak_principals = peak_principals.max(f4.principals());
    }
    let mut sc = score(drill, &findings, &incidents, Duration::hours(1), verbose);
    sc.peak_state = format!(
        "principals() peak {peak_principals}, end {}",
        f4.principals()
    );
    sc.notes.push(format!("{events_total} events"));
    Ok(sc)
}

// ---------------------------------------------------------------- D4: F6

fn d4_connections(seed: u64, verbose: bool) -> Res<Score> {
    let shape = Shape::load("rds_cpu_utilization_cc0c53", seed)?;
    let mut rng = Rng::new(seed, 6);
    let mut f6 = DbConnectionExhaustion::new(
        ConnectionSignal::rds("orders-db", 1000.0)?,
        Default::default(),
    )?;
    let leak_start = at(9, 8, 14, 0);
    let mut incidents = vec![
        Incident {
            name: "I2 97%",
            start: at(9, 23, 10, 0),
            end: at(9, 23, 10, 20),
            expected: Severity::Page,
            latest: at(9, 23, 10, 10),
        },
        Incident {
            name: "I3 88% night",
            start: at(10, 2, 3, 0),
            end: at(10, 2, 4, 0),
            expected: Severity::Ticket,
            latest: at(10, 2, 3, 10),
        },
    ];
    let mut leak_level: Option<f64> = None;
    let mut leak_crossed: Option<DateTime<Utc>> = None;
    let mut leak_end: Option<DateTime<Utc>> = None;
    let mut findings = Vec::new();
    let minutes = (t_end() - t0()).num_minutes();
    for m in 0..minutes {
        let t = t0() + Duration::minutes(m);
        let s = (shape.at_time(t) / shape.p995).clamp(0.0, 1.2);
        let mut c = 1000.0 * (0.10 + 0.20 * s) * drift(t, 0.5, true) * (1.0 + 0.01 * rng.normal());
        if batch_era(t) && t.weekday() == Weekday::Sun {
            let since = i64::from(t.hour() * 60 + t.minute()) - 120;
            let add = match since {
                0..45 => 120.0 * since as f64 / 45.0,
                45..165 => 120.0,
                165..210 => 120.0 * (210 - since) as f64 / 45.0,
                _ => 0.0,
            };
            c += add;
        }
        if last_day_of_month(t) && t.hour() >= 22 {
            c += 80.0;
        }
        if t >= leak_start && leak_end.is_none_or(|e| t < e) {
            let level = leak_level.get_or_insert(c);
            *level = (*level + 10.0).min(900.0);
            c = c.max(*level + 2.0 * rng.normal());
            if leak_crossed.is_none() && c >= 800.0 {
                leak_crossed = Some(t);
            }
            if *level >= 900.0 && leak_end.is_none() {
                leak_end = Some(t + Duration::minutes(30));
            }
        }
        if t >= incidents[0].start && t < incidents[0].end {
            c = 970.0 + 2.0 * rng.normal();
        }
        if t >= incidents[1].start && t < incidents[1].end {
            c = 880.0 + 2.0 * rng.normal();
        }
        let c = c.round().clamp(0.0, 1000.0);
        findings.extend(f6.push(ConnectionSample {
            at: t,
            connections: c,
            upstream: None,
        })?);
    }
    let crossed = leak_crossed.ok_or("leak never crossed 80 %")?;
    incidents.insert(
        0,
        Incident {
            name: "I1 leak",
            start: leak_start,
            end: leak_end.ok_or("leak never ended")?,
            expected: Severity::Ticket,
            latest: crossed + Duration::minutes(10),
        },
    );
    let mut sc = score("D4 F6", &findings, &incidents, Duration::hours(2), verbose);
    sc.notes.push(format!("leak crossed 80% at {crossed}"));
    Ok(sc)
}

// ---------------------------------------------------------------- D5: F8

struct CostDrill {
    name: &'static str,
    fixed: f64,
    variable: f64,
    growth: f64,
    invoice: DateTime<Utc>,
    multiples: [f64; 3],
}

fn d5_cost(seed: u64, verbose: bool) -> Res<Score> {
    cost(
        CostDrill {
            name: "D5 F8",
            fixed: 600.0,
            variable: 400.0,
            growth: 0.8,
            invoice: at(9, 30, 0, 0),
            multiples: [3.0, 12.0, 2.4],
        },
        seed,
        verbose,
    )
}

fn d6_cost(seed: u64, verbose: bool) -> Res<Score> {
    cost(
        CostDrill {
            name: "D6 F8",
            fixed: 100.0,
            variable: 900.0,
            growth: 1.0,
            invoice: at(10, 1, 0, 0),
            multiples: [2.4, 12.0, 2.4],
        },
        seed,
        verbose,
    )
}

fn cost(d: CostDrill, seed: u64, verbose: bool) -> Res<Score> {
    let shape = Shape::load("ec2_cpu_utilization_c6585a", seed)?;
    let mut rng = Rng::new(seed, 8);
    let mut f8 = CostRunaway::new("USD", Default::default())?;
    f8.declare(OneOffCharge {
        day: d.invoice.date_naive(),
        amount: 30_000.0,
        description: "Quarterly invoice (enterprise support)".into(),
    })?;
    let incidents = vec![
        Incident {
            name: "I1 ticket 2d",
            start: at(9, 8, 0, 0),
            end: at(9, 10, 0, 0),
            expected: Severity::Ticket,
            latest: at(9, 9, 0, 0),
        },
        Incident {
            name: "I2 page 1d",
            start: at(9, 22, 0, 0),
            end: at(9, 23, 0, 0),
            expected: Severity::Page,
            latest: at(9, 23, 0, 0),
        },
        Incident {
            name: "I3 ticket 3d",
            start: at(9, 28, 0, 0),
            end: at(10, 1, 0, 0),
            expected: Severity::Ticket,
            latest: at(9, 29, 0, 0),
        },
    ];
    // six-hour means of the shape, normalised to their median
    let blocks = (WEEKS * 7 * 4) as usize;
    let means: Vec<f64> = (0..blocks)
        .map(|b| (0..72).map(|i| shape.at(b * 72 + i)).sum::<f64>() / 72.0)
        .collect();
    let mut sorted = means.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2].max(1e-12);
    let mut findings = Vec::new();
    let mut month_total = 0.0;
    let mut peak_one_offs = 0;
    let mut last_usual = 0.0;
    for (b, mean) in means.iter().enumerate() {
        let t = t0() + Duration::hours(6 * b as i64);
        if t.day() == 1 && t.hour() == 0 {
            month_total = 0.0;
        }
        let variable = d.variable * drift(t, d.growth, true) * (mean / median).clamp(0.3, 3.0);
        let usual_day = d.fixed + d.variable * drift(t, d.growth, false);
        let mut spend = (d.fixed + variable) / 4.0 * (1.0 + 0.03 * rng.normal());
        if batch_era(t) && t.weekday() == Weekday::Sat && t.hour() == 0 {
            spend += 250.0;
        }
        if t == d.invoice {
            spend += 30_000.0;
        }
        for (inc, mult) in incidents.iter().zip(d.multiples) {
            if t >= inc.start && t < inc.end {
                spend += (mult - 1.0) * usual_day / 4.0;
            }
        }
        month_total += spend;
        last_usual = usual_day;
        peak_one_offs = peak_one_offs.max(f8.one_off_charges().len());
        findings.extend(f8.push(ChargeSample {
            at: t,
            estimated_charges: (month_total * 100.0_f64).round() / 100.0,
        })?);
    }
    let mut sc = score(d.name, &findings, &incidents, Duration::days(1), verbose);
    sc.peak_state = format!(
        "one_off_charges() peak {peak_one_offs}, end {}",
        f8.one_off_charges().len()
    );
    sc.notes.push(format!(
        "at the end: month to date {:.0}, month-end forecast {:?}, my usual day (no shape) {:.0} x 27 days left = {:.0}",
        month_total,
        f8.month_end_forecast().map(|v| v.round()),
        last_usual,
        month_total + 27.0 * last_usual
    ));
    Ok(sc)
}

// ---------------------------------------------------------------- D9: F7

fn public_facts(bucket: &str) -> BucketExposure {
    let mut facts = BucketExposure::new(bucket);
    facts
        .acl_grants
        .push(AclGrant::new(Grantee::AllUsers, Permission::Read));
    facts
}

fn d9a_static_assets(seed: u64, verbose: bool) -> Res<Score> {
    static_assets("D9a F7", 3, 1.5, false, seed, verbose)
}

fn d9c_static_assets(seed: u64, verbose: bool) -> Res<Score> {
    static_assets("D9c F7", 15, 1.2, true, seed, verbose)
}

fn static_assets(
    drill: &'static str,
    exfil_hour: u32,
    factor: f64,
    time_of_day_bar: bool,
    seed: u64,
    verbose: bool,
) -> Res<Score> {
    let shape = Shape::load("ec2_cpu_utilization_77c1ca", seed)?;
    let mut rng = Rng::new(seed, 9);
    let mut f7 = PublicDataLeak::new(public_facts("static-assets"), Default::default())?;
    let incidents = vec![
        Incident {
            name: "I0 standing exposure (week 1)",
            start: t0(),
            end: t0() + Duration::minutes(1),
            expected: Severity::Page,
            latest: t0() + Duration::minutes(1),
        },
        Incident {
            name: "doc: first weekly refill",
            start: at(8, 9, 2, 0),
            end: at(8, 9, 2, 40),
            expected: Severity::Page,
            latest: at(8, 9, 2, 45),
        },
        Incident {
            name: "I1 exfil",
            start: at(9, 8, exfil_hour, 0),
            end: at(9, 8, exfil_hour, 45),
            expected: Severity::Page,
            latest: at(9, 8, exfil_hour, 5),
        },
    ];
    let mut history: Vec<f64> = Vec::new();
    let mut findings = Vec::new();
    let mut refill_start = None;
    let mut exfil_rate = 0.0;
    let minutes = (t_end() - t0()).num_minutes();
    for m in 0..minutes {
        let t = t0() + Duration::minutes(m);
        let usual = 200.0 * (shape.at_time(t) / shape.median).clamp(0.2, 5.0) * drift(t, 0.6, true);
        let mut mean = usual;
        if batch_era(t) && t.weekday() == Weekday::Sun {
            if t.hour() == 2 && t.minute() == 0 {
                refill_start = Some(t + Duration::minutes(rng.below(11) as i64));
            }
            if refill_start.is_some_and(|r| t >= r && t < r + Duration::minutes(30)) {
                mean = 8.0 * usual;
            }
        }
        let i1 = &incidents[2];
        if t == i1.start {
            let week = history.len().saturating_sub(10_080);
            let record = history[week..].iter().copied().fold(0.0, f64::max);
            let mut habit: f64 = 0.0;
            if time_of_day_bar {
                for day in 1..=7 {
                    let centre = history.len() - day * 1440;
                    habit = habit.max(
                        history[centre.saturating_sub(60)..centre + 61]
                            .iter()
                            .copied()
                            .fold(0.0, f64::max),
                    );
                }
            }
            exfil_rate = factor * (3.0 * usual).max(record).max(3.0 * habit);
        }
        if t >= i1.start && t < i1.end {
            mean = exfil_rate;
        }
        let requests = rng.poisson(mean);
        history.push(requests);
        findings.extend(f7.push(AccessSample { at: t, requests })?);
    }
    let mut sc = score(drill, &findings, &incidents, Duration::hours(2), verbose);
    sc.notes.push(format!("exfil rate {exfil_rate:.0}/min"));
    Ok(sc)
}

fn d9b_exports(seed: u64, verbose: bool) -> Res<Score> {
    let shape = Shape::load("ec2_cpu_utilization_77c1ca", seed)?;
    let mut rng = Rng::new(seed, 10);
    let mut f7 = PublicDataLeak::new(BucketExposure::new("exports"), Default::default())?;
    let incidents = vec![
        Incident {
            name: "I2 made public",
            start: at(9, 22, 10, 0),
            end: at(9, 22, 10, 1),
            expected: Severity::Page,
            latest: at(9, 22, 10, 1),
        },
        Incident {
            name: "I3 exfil 1.2x",
            start: at(9, 22, 10, 30),
            end: at(9, 22, 11, 0),
            expected: Severity::Page,
            latest: at(9, 22, 10, 35),
        },
    ];
    let mut history: Vec<f64> = Vec::new();
    let mut findings = Vec::new();
    let mut exfil_rate = 0.0;
    let minutes = (t_end() - t0()).num_minutes();
    for m in 0..minutes {
        let t = t0() + Duration::minutes(m);
        let usual = 40.0 * (shape.at_time(t) / shape.median).clamp(0.2, 5.0) * drift(t, 0.6, true);
        let mut mean = usual;
        if t.weekday() == Weekday::Sun && t.hour() == 4 && t.minute() < 20 {
            mean = 10.0 * usual;
        }
        if t == incidents[0].start {
            findings.extend(f7.scan(t, public_facts("exports"))?);
        }
        if t == incidents[1].start {
            let week = history.len().saturating_sub(10_080);
            let record = history[week..].iter().copied().fold(0.0, f64::max);
            exfil_rate = 1.2 * (3.0 * usual).max(record);
        }
        if t >= incidents[1].start && t < incidents[1].end {
            mean = exfil_rate;
        }
        let requests = rng.poisson(mean);
        history.push(requests);
        findings.extend(f7.push(AccessSample { at: t, requests })?);
    }
    let mut sc = score("D9b F7", &findings, &incidents, Duration::hours(2), verbose);
    sc.notes.push(format!(
        "exfil rate {exfil_rate:.0}/min; findings: {:?}",
        findings
            .iter()
            .map(|f| format!("{} {} {}", f.severity, f.end, f.evidence.detail))
            .collect::<Vec<_>>()
    ));
    Ok(sc)
}

// ---------------------------------------------------------------- D13: F2

fn lognormal(rng: &mut Rng, sigma: f64) -> f64 {
    (sigma * rng.normal()).exp()
}

fn d13_partition(seed: u64, verbose: bool) -> Res<Score> {
    let shape = Shape::load("elb_request_count_8c0756", seed)?;
    let mut rng = Rng::new(seed, 13);
    let zones = ["a", "b", "c"];
    let weights = [1.0, 0.9, 1.1];
    let mut f2 =
        NetworkPartition::new(ZoneSignal::alb("app/orders/1", &zones)?, Default::default())?;
    let incidents = vec![
        Incident {
            name: "I1 b 1.8x",
            start: at(9, 8, 14, 0),
            end: at(9, 8, 14, 30),
            expected: Severity::Page,
            latest: at(9, 8, 14, 10),
        },
        Incident {
            name: "I2 c 5xx 2%",
            start: at(9, 23, 10, 0),
            end: at(9, 23, 10, 20),
            expected: Severity::Page,
            latest: at(9, 23, 10, 10),
        },
        Incident {
            name: "I3 a 2.5x night",
            start: at(10, 2, 3, 0),
            end: at(10, 2, 3, 30),
            expected: Severity::Page,
            latest: at(10, 2, 3, 10),
        },
    ];
    let mut findings = Vec::new();
    let minutes = (t_end() - t0()).num_minutes();
    for m in 0..minutes {
        let t = t0() + Duration::minutes(m);
        let s = (shape.at_time(t) / shape.median).clamp(0.2, 6.0);
        let mut load = s * drift(t, 0.6, true);
        if last_day_of_month(t) && (18..20).contains(&t.hour()) {
            load *= 2.0;
        }
        let batch = batch_era(t) && t.weekday() == Weekday::Sun && t.hour() == 2;
        let mut slow = if t >= week_start(6) { 1.15 } else { 1.0 };
        if batch {
            slow *= 1.4;
        }
        let shared = lognormal(&mut rng, 0.08);
        let mut obs = Vec::new();
        for (i, zone) in zones.iter().enumerate() {
            let mut requests = rng.poisson(300.0 * load * weights[i]);
            if batch {
                requests += rng.poisson(1000.0);
            }
            let mut latency =
                0.12 * (1.0 + 0.3 * load.min(3.0)) * slow * shared * lognormal(&mut rng, 0.05);
            let mut error_rate = 0.0002;
            if t >= incidents[0].start && t < incidents[0].end && *zone == "b" {
                latency *= 1.8;
            }
            if t >= incidents[1].start && t < incidents[1].end && *zone == "c" {
                error_rate = 0.02;
            }
            if t >= incidents[2].start && t < incidents[2].end && *zone == "a" {
                latency *= 2.5;
            }
            let errors = rng.binomial(requests, error_rate);
            obs.push(ZoneObservation {
                zone: (*zone).to_string(),
                latency: Some(latency),
                requests,
                errors,
            });
        }
        findings.extend(f2.push(ZoneSample { at: t, zones: obs })?);
    }
    Ok(score(
        "D13 F2",
        &findings,
        &incidents,
        Duration::hours(2),
        verbose,
    ))
}

// ---------------------------------------------------------------- D14: F5

fn d14_cold_start(seed: u64, verbose: bool) -> Res<Score> {
    let shape = Shape::load("ec2_cpu_utilization_825cc2", seed)?;
    let mut rng = Rng::new(seed, 14);
    let mut f5 = ColdStartLatency::new(ColdStartSignal::lambda("resize")?, Default::default())?;
    let incidents = vec![
        Incident {
            name: "I1 1.8x",
            start: at(9, 8, 14, 0),
            end: at(9, 8, 14, 20),
            expected: Severity::Ticket,
            latest: at(9, 8, 14, 10),
        },
        Incident {
            name: "I2 3x",
            start: at(9, 23, 10, 0),
            end: at(9, 23, 10, 15),
            expected: Severity::Ticket,
            latest: at(9, 23, 10, 10),
        },
        Incident {
            name: "I3 2x night",
            start: at(10, 2, 3, 0),
            end: at(10, 2, 3, 20),
            expected: Severity::Ticket,
            latest: at(10, 2, 3, 10),
        },
    ];
    let cases = [(3.0, 800.0, 1.8), (5.0, 1200.0, 3.0), (3.0, 900.0, 2.0)];
    let mut findings = Vec::new();
    let minutes = (t_end() - t0()).num_minutes();
    for m in 0..minutes {
        let t = t0() + Duration::minutes(m);
        let s = (shape.at_time(t) / shape.median).clamp(0.2, 5.0);
        let mean = 20.0 * s * drift(t, 0.6, true);
        let mut concurrency = rng.poisson(mean).max(1.0);
        let mut p95 = 120.0 * (1.0 + 0.15 * mean / 20.0) * lognormal(&mut rng, 0.06);
        if t >= week_start(6) {
            p95 *= 1.25;
        }
        let mut init_ms = None;
        if batch_era(t) && t.weekday() == Weekday::Sun && t.hour() == 2 && t.minute() < 30 {
            concurrency *= 4.0;
            init_ms = Some(400.0);
            p95 *= 1.35;
        }
        for (inc, (conc_x, init, slow)) in incidents.iter().zip(cases) {
            if t >= inc.start && t < inc.end {
                concurrency *= conc_x;
                init_ms = Some(init);
                p95 *= slow;
            }
        }
        findings.extend(f5.push(ColdStartSample {
            at: t,
            p95_ms: p95,
            concurrency,
            init_ms,
        })?);
    }
    Ok(score(
        "D14 F5",
        &findings,
        &incidents,
        Duration::hours(2),
        verbose,
    ))
}

// ---------------------------------------------------------------- main

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let seed: u64 = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(0);
    let verbose = args.iter().any(|a| a == "--verbose");
    let only = args
        .iter()
        .position(|a| a == "--drill")
        .and_then(|i| args.get(i + 1))
        .cloned();
    println!(
        "blind8 season game day, seed {seed}, {WEEKS} weeks from {}",
        t0()
    );
    type Drill = fn(u64, bool) -> Res<Score>;
    let drills: [(&str, Drill); 16] = [
        ("D1", d1_throttling),
        ("D2", d2_quota),
        ("D3", d3_compromise),
        ("D4", d4_connections),
        ("D5", d5_cost),
        ("D6", d6_cost),
        ("D7", d7_throttling),
        ("D8", d8_compromise),
        ("D9a", d9a_static_assets),
        ("D9b", d9b_exports),
        ("D9c", d9c_static_assets),
        ("D10", d10_compromise),
        ("D11", d11_compromise),
        ("D12", d12_compromise),
        ("D13", d13_partition),
        ("D14", d14_cold_start),
    ];
    for (name, drill) in drills {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let s = drill(seed, verbose)?;
        println!(
            "{} seed {}: detected {}/{} [{}]; severity agree {}/{}; false alarms {} over {:.1} clean detector-weeks ({:.2}/wk), week-1 {}; state: {}",
            s.drill,
            seed,
            s.detected,
            s.total,
            s.delays.join(", "),
            s.severity_agree,
            s.total,
            s.false_alarms,
            s.clean_weeks,
            s.false_alarms as f64 / s.clean_weeks,
            s.week1_alarms,
            s.peak_state
        );
        for n in &s.notes {
            println!("    {n}");
        }
    }
    Ok(())
}
