//! Seventh blind game day: F4 (credential compromise) through CloudTrail as a platform team
//! reads it. CloudTrail records (JSON log files, some as JSON lines) → `parse_log` /
//! `parse_lines` → an `InMemoryAuditSource` fed at each file's delivery time → scheduled,
//! overlapping `CredentialCompromise::run`s → maintenance windows, routing, grouping and the
//! error-budget policy. See `examples/blind7/DRILLS.md`.
//!
//! ```text
//! cargo run --release -p sre-examples --example blind7_gameday -- /work/shared/data/nab-aws --seed N [--notes]
//! ```

// A harness: a failure should stop the run loudly; kept as its blind author wrote it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::type_complexity,
    clippy::unusual_byte_groupings,
    clippy::collapsible_if
)]

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use failure_modes::aws_telemetry::audit::{parse_lines, parse_log, parse_record};
use failure_modes::aws_telemetry::{InMemoryAuditSource, RecordError};
use failure_modes::chrono::{DateTime, Datelike, Duration, TimeZone, Utc};
use failure_modes::sli_core::{ErrorBudgetPolicy, Incident, PolicyInput, Routing};
use failure_modes::{
    AuditEvent, CompromiseConfig, CredentialCompromise, DEFAULT_HOLD, Detector, Error, Finding,
    Identity, Interval, MaintenanceWindows, Severity, TimeRange, group_by_root_cause_routed,
    outside_maintenance,
};
use serde_json::{Value, json};

const ACCT: &str = "111122223333";
const KNOWN: [&str; 3] = [
    "deploy-prod",
    "arn:aws:iam::111122223333:user/release-bot",
    "arn:aws:iam::111122223333:role/deploy-stage",
];

// ---------------------------------------------------------------- small tools

/// Polls a future to completion: the in-memory source never waits on I/O.
fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

/// SplitMix64: the harness's own PRNG, deterministic per seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() // a Monday
}
fn at(day: i64, hour: i64, minute: i64) -> DateTime<Utc> {
    t0() + Duration::days(day) + Duration::hours(hour) + Duration::minutes(minute)
}
fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}
fn weekend(t: DateTime<Utc>) -> bool {
    t.weekday().num_days_from_monday() >= 5
}

// ---------------------------------------------------------------- NAB shapes

/// Hourly means of a NAB series outside its labelled windows, scaled to [0, 1] (5th–95th
/// percentile), as activity shapes.
fn nab_shapes(dir: &Path) -> Vec<(String, Vec<f64>)> {
    let windows: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("combined_windows.json")).expect("combined_windows.json"),
    )
    .expect("windows json");
    let parse_t = |s: &str| {
        failure_modes::chrono::NaiveDateTime::parse_from_str(&s[..19], "%Y-%m-%d %H:%M:%S")
            .ok()
            .map(|n| n.and_utc())
    };
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("realAWSCloudwatch"))
        .expect("realAWSCloudwatch")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    for f in files {
        let name = format!(
            "realAWSCloudwatch/{}",
            f.file_name().unwrap().to_string_lossy()
        );
        let labelled: Vec<(DateTime<Utc>, DateTime<Utc>)> = windows
            .get(&name)
            .and_then(|w| w.as_array())
            .map(|ws| {
                ws.iter()
                    .filter_map(|w| {
                        Some((parse_t(w.get(0)?.as_str()?)?, parse_t(w.get(1)?.as_str()?)?))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let text = std::fs::read_to_string(&f).expect("csv");
        let mut hours: BTreeMap<i64, (f64, u32)> = BTreeMap::new();
        for line in text.lines().skip(1) {
            let mut it = line.split(',');
            let (Some(t), Some(v)) = (it.next(), it.next()) else {
                continue;
            };
            let (Some(t), Ok(v)) = (parse_t(t), v.trim().parse::<f64>()) else {
                continue;
            };
            if labelled.iter().any(|(a, b)| t >= *a && t <= *b) {
                continue;
            }
            let e = hours
                .entry(t.timestamp().div_euclid(3600))
                .or_insert((0.0, 0));
            e.0 += v;
            e.1 += 1;
        }
        let vals: Vec<f64> = hours.values().map(|(s, n)| s / f64::from(*n)).collect();
        if vals.len() < 100 {
            continue;
        }
        let mut sorted = vals.clone();
        sorted.sort_by(f64::total_cmp);
        let lo = sorted[sorted.len() / 20];
        let hi = sorted[sorted.len() * 19 / 20];
        let span = (hi - lo).max(1e-9);
        out.push((
            name,
            vals.iter()
                .map(|v| ((v - lo) / span).clamp(0.0, 1.0))
                .collect(),
        ));
    }
    out
}

struct Shape<'a> {
    vals: &'a [f64],
    offset: usize,
}
impl Shape<'_> {
    fn at(&self, hour: i64) -> f64 {
        self.vals[(self.offset + hour as usize) % self.vals.len()]
    }
}

// ---------------------------------------------------------------- CloudTrail records

fn uuid(rng: &mut Rng) -> String {
    let a = rng.next();
    let b = rng.next();
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xffff,
        b >> 48,
        b & 0xffff_ffff_ffff
    )
}

fn iam_user(name: &str) -> Value {
    json!({"type": "IAMUser", "principalId": format!("AIDA{}", name.to_uppercase()),
        "arn": format!("arn:aws:iam::{ACCT}:user/{name}"), "accountId": ACCT,
        "accessKeyId": format!("AKIA{}", name.to_uppercase()), "userName": name})
}
fn role_session(role: &str, session: &str) -> Value {
    json!({"type": "AssumedRole", "principalId": format!("AROA{}:{session}", role.to_uppercase()),
        "arn": format!("arn:aws:sts::{ACCT}:assumed-role/{role}/{session}"), "accountId": ACCT,
        "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": format!("AROA{}", role.to_uppercase()),
            "arn": format!("arn:aws:iam::{ACCT}:role/{role}"), "accountId": ACCT, "userName": role},
            "attributes": {"creationDate": "2026-11-01T00:00:00Z", "mfaAuthenticated": "false"}}})
}
fn root() -> Value {
    json!({"type": "Root", "principalId": ACCT, "arn": format!("arn:aws:iam::{ACCT}:root"), "accountId": ACCT})
}

#[derive(Clone)]
struct Rec {
    t: DateTime<Utc>,
    v: Value,
    /// Delivered this many minutes late beyond the normal file delivery (D20).
    extra_late: i64,
}

fn call(
    rng: &mut Rng,
    t: DateTime<Utc>,
    src: &str,
    name: &str,
    region: &str,
    ip: &str,
    who: Value,
) -> Rec {
    let id = uuid(rng);
    Rec {
        t,
        v: json!({"eventVersion": "1.08", "userIdentity": who, "eventTime": ts(t), "eventSource": src,
            "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "userAgent": "aws-cli/2.15.0",
            "requestParameters": null, "responseElements": null, "requestID": uuid(rng), "eventID": id,
            "readOnly": name.starts_with("List") || name.starts_with("Describe") || name.starts_with("Get"),
            "eventType": "AwsApiCall", "managementEvent": true, "recipientAccountId": ACCT}),
        extra_late: 0,
    }
}
fn denied(
    rng: &mut Rng,
    t: DateTime<Utc>,
    src: &str,
    name: &str,
    region: &str,
    ip: &str,
    who: Value,
) -> Rec {
    let mut r = call(rng, t, src, name, region, ip, who);
    r.v["errorCode"] = json!("AccessDenied");
    r.v["errorMessage"] = json!(format!("User is not authorized to perform: {name}"));
    r
}
fn sign_in(rng: &mut Rng, t: DateTime<Utc>, ip: &str, who: Value, success: bool, mfa: bool) -> Rec {
    let mut v = json!({"eventVersion": "1.08", "userIdentity": who, "eventTime": ts(t),
        "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
        "sourceIPAddress": ip, "userAgent": "Mozilla/5.0", "requestParameters": null,
        "responseElements": {"ConsoleLogin": if success {"Success"} else {"Failure"}},
        "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home",
            "MobileVersion": "No", "MFAUsed": if mfa {"Yes"} else {"No"}},
        "eventID": uuid(rng), "readOnly": false, "eventType": "AwsConsoleSignIn",
        "managementEvent": true, "recipientAccountId": ACCT});
    if !success {
        v["errorMessage"] = json!("Failed authentication");
    }
    Rec {
        t,
        v,
        extra_late: 0,
    }
}

/// `n` times spread uniformly in `[start, start + minutes)`, sorted.
fn spread(rng: &mut Rng, start: DateTime<Utc>, minutes: i64, n: usize) -> Vec<DateTime<Utc>> {
    let mut v: Vec<_> = (0..n)
        .map(|_| start + Duration::seconds(rng.below((minutes * 60) as u64) as i64))
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------- the world

const DAYS: i64 = 14;

#[derive(Debug, Clone)]
struct Expect {
    id: &'static str,
    theme: &'static str,
    /// A substring of the finding's subject naming the principal.
    who: String,
    first: DateTime<Utc>,
    latest_end: DateTime<Utc>,
    detail_has: Option<String>,
}

struct World {
    recs: Vec<Rec>,
    expects: Vec<Expect>,
    /// (name, principal substring) of principals that must never fire.
    quiet: Vec<(&'static str, String)>,
    maintenance: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    shapes_used: Vec<String>,
}

/// The k-th (1-based) time in `times` at or after `from` within the hour of `from`.
fn kth_in_hour(
    times: &[DateTime<Utc>],
    hour_start: DateTime<Utc>,
    k: usize,
) -> Option<DateTime<Utc>> {
    let mut v: Vec<_> = times
        .iter()
        .copied()
        .filter(|t| *t >= hour_start && *t < hour_start + Duration::hours(1))
        .collect();
    v.sort();
    v.get(k.saturating_sub(1)).copied()
}

/// The burst bar from the counts before `hour` (no decay: the most lenient bar): the smallest
/// count > 3× the same-day-type ±1h peak, > 1.5× the overall peak, ≥ 100.
fn burst_k(times: &[DateTime<Utc>], hour: DateTime<Utc>) -> usize {
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for t in times.iter().filter(|t| **t < hour) {
        *counts.entry(t.timestamp().div_euclid(3600)).or_default() += 1;
    }
    let h0 = hour.timestamp().div_euclid(3600);
    let hod = |h: i64| h.rem_euclid(24);
    let wk = |h: i64| weekend(Utc.timestamp_opt(h * 3600, 0).unwrap());
    let mut slot = 0usize;
    let mut overall = 0usize;
    for (h, c) in &counts {
        overall = overall.max(*c);
        let d = (hod(*h) - hod(h0)).rem_euclid(24);
        if wk(*h) == wk(h0) && (d == 0 || d == 1 || d == 23) {
            slot = slot.max(*c);
        }
    }
    let mut k = 100usize;
    while !(k as f64 > 3.0 * slot as f64 && k as f64 > 1.5 * overall as f64) {
        k += 1;
    }
    k
}

fn build_world(seed: u64, shapes: &[(String, Vec<f64>)]) -> World {
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xB17D_7);
    let mut recs: Vec<Rec> = Vec::new();
    let mut expects = Vec::new();
    let mut quiet = Vec::new();
    let mut shapes_used = Vec::new();
    let mut pick = |rng: &mut Rng| {
        let (name, vals) = &shapes[rng.below(shapes.len() as u64) as usize];
        shapes_used.push(name.clone());
        Shape {
            vals,
            offset: rng.below(vals.len() as u64) as usize,
        }
    };

    // orders-app: NAB-shaped eu-west-1 traffic; A1 new region on day 9; N7 global calls.
    let shape = pick(&mut rng);
    let ops = [
        "GetItem",
        "PutItem",
        "Query",
        "SendMessage",
        "GetObject",
        "PutObject",
    ];
    let srcs = ["dynamodb", "dynamodb", "dynamodb", "sqs", "s3", "s3"];
    let mut sessions = 0;
    for h in 0..DAYS * 24 {
        let n = (20.0 + 130.0 * shape.at(h)).round() as usize;
        if h % 6 == 0 {
            sessions += 1;
        }
        for t in spread(&mut rng, at(0, h, 0), 60, n) {
            let i = rng.below(ops.len() as u64) as usize;
            let who = role_session("orders-app", &format!("i-0abc{sessions:04}"));
            recs.push(call(
                &mut rng,
                t,
                &format!("{}.amazonaws.com", srcs[i]),
                ops[i],
                "eu-west-1",
                "10.0.3.17",
                who,
            ));
        }
        if h >= 8 * 24 && h % 5 == 0 {
            let t = at(0, h, rng.range(0, 59));
            let who = role_session("orders-app", &format!("i-0abc{sessions:04}"));
            recs.push(call(
                &mut rng,
                t,
                "iam.amazonaws.com",
                "GetRole",
                "us-east-1",
                "10.0.3.17",
                who.clone(),
            ));
            recs.push(call(
                &mut rng,
                t,
                "sts.amazonaws.com",
                "GetCallerIdentity",
                "us-east-1",
                "10.0.3.17",
                who,
            ));
        }
    }
    let a1 = at(9, rng.range(0, 23), rng.range(0, 40));
    let a1_times = spread(&mut rng, a1, 10, 30);
    let a1_first = a1_times[0];
    for t in a1_times {
        let who = role_session("orders-app", &format!("i-0abc{sessions:04}"));
        let op = ["ListBuckets", "DescribeInstances", "GetCallerIdentity"][rng.below(3) as usize];
        let src = ["s3", "ec2", "ec2"][rng.below(3) as usize];
        recs.push(call(
            &mut rng,
            t,
            &format!("{src}.amazonaws.com"),
            op,
            "ap-southeast-2",
            "203.0.113.66",
            who,
        ));
    }
    expects.push(Expect {
        id: "A1",
        theme: "A leaked key / new region",
        who: "orders-app".into(),
        first: a1_first,
        latest_end: a1_first,
        detail_has: Some("ap-southeast-2".into()),
    });

    // Humans: alice (A4, N4), bob (A2), carol (D20). Weekday console work with MFA sign-ins.
    for (name, ip) in [
        ("alice", "198.51.100.21"),
        ("bob", "198.51.100.22"),
        ("carol", "198.51.100.23"),
    ] {
        for d in 0..DAYS {
            if weekend(at(d, 0, 0)) {
                continue;
            }
            let start = at(d, 8, rng.range(0, 30));
            recs.push(sign_in(&mut rng, start, ip, iam_user(name), true, true));
            for h in 8..17 {
                let n = rng.range(5, 30) as usize;
                for t in spread(&mut rng, at(d, h, 31), 29, n) {
                    let op = [
                        "DescribeInstances",
                        "DescribeAlarms",
                        "GetMetricData",
                        "ListFunctions",
                    ][rng.below(4) as usize];
                    let src = ["ec2", "monitoring", "monitoring", "lambda"][rng.below(4) as usize];
                    recs.push(call(
                        &mut rng,
                        t,
                        &format!("{src}.amazonaws.com"),
                        op,
                        "eu-west-1",
                        ip,
                        iam_user(name),
                    ));
                }
            }
        }
    }
    // N4: alice's failed sign-ins (wrong password), during and after learning.
    for d in [2, 9, 12] {
        let t = at(d, 7, rng.range(0, 50));
        recs.push(sign_in(
            &mut rng,
            t,
            "198.51.100.21",
            iam_user("alice"),
            false,
            false,
        ));
        recs.push(sign_in(
            &mut rng,
            t + Duration::seconds(20),
            "198.51.100.21",
            iam_user("alice"),
            false,
            false,
        ));
    }
    // A4: alice signs in without MFA from a new IP on day 11 (a Friday).
    let a4 = at(11, rng.range(0, 23), rng.range(0, 59));
    recs.push(sign_in(
        &mut rng,
        a4,
        "192.0.2.200",
        iam_user("alice"),
        true,
        false,
    ));
    expects.push(Expect {
        id: "A4",
        theme: "A leaked key / new region",
        who: "alice".into(),
        first: a4,
        latest_end: a4,
        detail_has: None,
    });
    // A2: bob mints an access key on day 12 (Saturday? day 12 = Nov 14, a Saturday).
    let a2 = at(12, rng.range(0, 23), rng.range(0, 59));
    recs.push(call(
        &mut rng,
        a2,
        "iam.amazonaws.com",
        "CreateAccessKey",
        "us-east-1",
        "198.51.100.22",
        iam_user("bob"),
    ));
    expects.push(Expect {
        id: "A2",
        theme: "A leaked key / new region",
        who: "bob".into(),
        first: a2,
        latest_end: a2,
        detail_has: None,
    });
    // D20: carol's CreateAccessKey, delivered 40 minutes late.
    let d20 = at(10, rng.range(9, 15), rng.range(0, 59));
    let mut late = call(
        &mut rng,
        d20,
        "iam.amazonaws.com",
        "CreateAccessKey",
        "us-east-1",
        "198.51.100.23",
        iam_user("carol"),
    );
    late.extra_late = 40;
    recs.push(late);
    quiet.push((
        "D20 carol late CreateAccessKey (documented skip)",
        "carol".into(),
    ));

    // svc-reports: NAB-shaped traffic; A3 CreateLoginProfile on day 11.
    let shape = pick(&mut rng);
    for h in 0..DAYS * 24 {
        let n = (5.0 + 60.0 * shape.at(h)).round() as usize;
        for t in spread(&mut rng, at(0, h, 0), 60, n) {
            recs.push(call(
                &mut rng,
                t,
                "athena.amazonaws.com",
                "StartQueryExecution",
                "eu-west-1",
                "10.0.9.4",
                role_session("svc-reports", &format!("run-{}", h / 3)),
            ));
        }
    }
    let a3 = at(11, rng.range(0, 23), rng.range(0, 59));
    let mut r = call(
        &mut rng,
        a3,
        "iam.amazonaws.com",
        "CreateLoginProfile",
        "us-east-1",
        "10.0.9.4",
        role_session("svc-reports", "run-a3"),
    );
    r.v["requestParameters"] = json!({"userName": "backdoor", "passwordResetRequired": false});
    recs.push(r);
    expects.push(Expect {
        id: "A3",
        theme: "A leaked key / new region",
        who: "svc-reports".into(),
        first: a3,
        latest_end: a3,
        detail_has: None,
    });

    // Root: first seen day 9 with MFA (N9), A5 without MFA on day 12.
    let r9 = at(9, rng.range(9, 16), rng.range(0, 50));
    recs.push(sign_in(&mut rng, r9, "198.51.100.99", root(), true, true));
    for k in 0..5 {
        recs.push(call(
            &mut rng,
            r9 + Duration::minutes(k + 1),
            "billing.amazonaws.com",
            "GetAccountInformation",
            "us-east-1",
            "198.51.100.99",
            root(),
        ));
    }
    let a5 = at(12, rng.range(0, 23), rng.range(0, 59));
    recs.push(sign_in(&mut rng, a5, "192.0.2.201", root(), true, false));
    expects.push(Expect {
        id: "A5",
        theme: "A leaked key / new region",
        who: ":root".into(),
        first: a5,
        latest_end: a5,
        detail_has: None,
    });

    // ci-bot: light NAB-shaped traffic plus CI bursts; B1 recon on day 10 (a Thursday).
    let shape = pick(&mut rng);
    let mut ci_times = Vec::new();
    for h in 0..DAYS * 24 {
        let n = (20.0 * shape.at(h)).round() as usize;
        ci_times.extend(spread(&mut rng, at(0, h, 0), 60, n));
    }
    for d in 0..DAYS {
        let bursts = if weekend(at(d, 0, 0)) {
            1
        } else {
            rng.range(3, 6)
        };
        for _ in 0..bursts {
            let start = at(d, rng.range(0, 23), rng.range(0, 40));
            let size = if weekend(start) {
                rng.range(100, 200)
            } else {
                rng.range(100, 400)
            } as usize;
            ci_times.extend(spread(&mut rng, start, 20, size));
        }
    }
    let b1_hour = at(10, rng.range(0, 23), 0);
    let b1_start = b1_hour + Duration::minutes(rng.range(0, 15));
    ci_times.retain(|t| *t < b1_hour || *t >= b1_hour + Duration::hours(1)); // the hour is the attacker's
    let recon = spread(&mut rng, b1_start, 40, 4000);
    let k = burst_k(&ci_times, b1_hour);
    let b1_latest = kth_in_hour(&recon, b1_hour, k).unwrap_or(b1_hour + Duration::hours(1));
    for t in &ci_times {
        let op = [
            "PutObject",
            "GetObject",
            "UpdateFunctionCode",
            "DescribeStacks",
        ][rng.below(4) as usize];
        let src = ["s3", "s3", "lambda", "cloudformation"][rng.below(4) as usize];
        recs.push(call(
            &mut rng,
            *t,
            &format!("{src}.amazonaws.com"),
            op,
            "eu-west-1",
            "34.250.1.10",
            iam_user("ci-bot"),
        ));
    }
    for t in &recon {
        let (src, op) = [
            ("iam", "ListRoles"),
            ("iam", "ListUsers"),
            ("s3", "ListBuckets"),
            ("ec2", "DescribeInstances"),
            ("ec2", "DescribeSecurityGroups"),
            ("rds", "DescribeDBInstances"),
            ("lambda", "ListFunctions20150331"),
            ("secretsmanager", "ListSecrets"),
        ][rng.below(8) as usize];
        let region = if src == "iam" {
            "us-east-1"
        } else {
            "eu-west-1"
        };
        recs.push(call(
            &mut rng,
            *t,
            &format!("{src}.amazonaws.com"),
            op,
            region,
            "34.250.1.10",
            iam_user("ci-bot"),
        ));
    }
    ci_times.extend(recon.iter().copied());
    expects.push(Expect {
        id: "B1",
        theme: "B bursts / denial storms",
        who: "ci-bot".into(),
        first: recon[0],
        latest_end: b1_latest,
        detail_has: None,
    });

    // reporting-app: NAB-shaped 100–300 calls/h with 0–3 denials/h; B2 storm on day 10.
    let shape = pick(&mut rng);
    let b2_hour = at(10, rng.range(0, 23), 0);
    let mut den_times = Vec::new();
    for h in 0..DAYS * 24 {
        let n = (100.0 + 200.0 * shape.at(h)).round() as usize;
        let hs = at(0, h, 0);
        for t in spread(&mut rng, hs, 60, n) {
            recs.push(call(
                &mut rng,
                t,
                "s3.amazonaws.com",
                "GetObject",
                "eu-west-1",
                "10.0.5.5",
                role_session("reporting-app", "ecs-task-1"),
            ));
        }
        if hs == b2_hour {
            continue;
        }
        let nd = rng.below(4) as usize;
        for t in spread(&mut rng, hs, 60, nd) {
            den_times.push(t);
            recs.push(denied(
                &mut rng,
                t,
                "kms.amazonaws.com",
                "Decrypt",
                "eu-west-1",
                "10.0.5.5",
                role_session("reporting-app", "ecs-task-1"),
            ));
        }
    }
    let b2_start = b2_hour + Duration::minutes(rng.range(0, 10));
    let storm = spread(&mut rng, b2_start, 45, 150);
    let maxden = {
        let mut c: BTreeMap<i64, usize> = BTreeMap::new();
        for t in den_times.iter().filter(|t| **t < b2_hour) {
            *c.entry(t.timestamp().div_euclid(3600)).or_default() += 1;
        }
        c.values().copied().max().unwrap_or(0)
    };
    let k2 = (20usize).max((3 * maxden) + 1);
    for t in &storm {
        let op =
            ["GetSecretValue", "AssumeRole", "ListBuckets", "GetObject"][rng.below(4) as usize];
        let src = ["secretsmanager", "sts", "s3", "s3"][rng.below(4) as usize];
        recs.push(denied(
            &mut rng,
            *t,
            &format!("{src}.amazonaws.com"),
            op,
            "eu-west-1",
            "10.0.5.5",
            role_session("reporting-app", "ecs-task-1"),
        ));
    }
    expects.push(Expect {
        id: "B2",
        theme: "B bursts / denial storms",
        who: "reporting-app".into(),
        first: storm[0],
        latest_end: storm[k2 - 1],
        detail_has: None,
    });

    // N1 deploy-prod: first seen day 3, bursts at random hours.
    for d in 3..DAYS {
        for _ in 0..rng.range(1, 3) {
            let start = at(d, rng.range(0, 23), rng.range(0, 30));
            let size = rng.range(500, 3000) as usize;
            for t in spread(&mut rng, start, 25, size) {
                recs.push(call(
                    &mut rng,
                    t,
                    "cloudformation.amazonaws.com",
                    "DescribeStackEvents",
                    "eu-west-1",
                    "34.250.1.11",
                    role_session("deploy-prod", "gha-run"),
                ));
            }
        }
    }
    let big = at(11, rng.range(0, 23), rng.range(0, 20));
    for t in spread(&mut rng, big, 30, 6000) {
        recs.push(call(
            &mut rng,
            t,
            "ecs.amazonaws.com",
            "DescribeServices",
            "eu-west-1",
            "34.250.1.11",
            role_session("deploy-prod", "gha-big"),
        ));
    }
    quiet.push((
        "N1 deploy-prod known deployer",
        "assumed-role/deploy-prod".into(),
    ));
    // N1b deploy-stage: a known deployer given by its role ARN, first seen day 1, same kind of bursts.
    for d in 1..DAYS {
        for _ in 0..rng.range(1, 3) {
            let start = at(d, rng.range(0, 23), rng.range(0, 30));
            let size = rng.range(500, 3000) as usize;
            for t in spread(&mut rng, start, 25, size) {
                recs.push(call(
                    &mut rng,
                    t,
                    "cloudformation.amazonaws.com",
                    "DescribeStackEvents",
                    "eu-west-1",
                    "34.250.1.14",
                    role_session("deploy-stage", "gha-stage"),
                ));
            }
        }
    }
    let big2 = at(12, rng.range(0, 23), rng.range(0, 20));
    for t in spread(&mut rng, big2, 30, 6000) {
        recs.push(call(
            &mut rng,
            t,
            "ecs.amazonaws.com",
            "DescribeServices",
            "eu-west-1",
            "34.250.1.14",
            role_session("deploy-stage", "gha-big"),
        ));
    }
    quiet.push((
        "N1b deploy-stage known deployer by role ARN",
        "assumed-role/deploy-stage".into(),
    ));

    // A6: an IAM *user* named like the known deployer role, judged on volume.
    let mut u_times = Vec::new();
    for h in 0..DAYS * 24 {
        let hs = at(0, h, 0);
        let n = if weekend(hs) {
            rng.range(5, 15)
        } else if (8..18).contains(&(h % 24)) {
            rng.range(20, 60)
        } else {
            rng.range(5, 15)
        } as usize;
        u_times.extend(spread(&mut rng, hs, 60, n));
    }
    let a6_hour = at(10, rng.range(0, 23), 0);
    u_times.retain(|t| *t < a6_hour || *t >= a6_hour + Duration::hours(1));
    let a6s = a6_hour + Duration::minutes(rng.range(0, 20));
    let a6 = spread(&mut rng, a6s, 30, 3000);
    let k6 = burst_k(&u_times, a6_hour);
    let a6_latest = kth_in_hour(&a6, a6_hour, k6).unwrap_or(a6_hour + Duration::hours(1));
    for t in &u_times {
        recs.push(call(
            &mut rng,
            *t,
            "ecr.amazonaws.com",
            "BatchGetImage",
            "eu-west-1",
            "34.250.1.12",
            iam_user("deploy-prod"),
        ));
    }
    for t in &a6 {
        let (src, op) = [
            ("ec2", "DescribeInstances"),
            ("s3", "ListBuckets"),
            ("rds", "DescribeDBInstances"),
            ("secretsmanager", "ListSecrets"),
        ][rng.below(4) as usize];
        recs.push(call(
            &mut rng,
            *t,
            &format!("{src}.amazonaws.com"),
            op,
            "eu-west-1",
            "34.250.1.12",
            iam_user("deploy-prod"),
        ));
    }
    expects.push(Expect {
        id: "A6",
        theme: "B bursts / denial storms",
        who: "user/deploy-prod".into(),
        first: a6[0],
        latest_end: a6_latest,
        detail_has: None,
    });

    // A7 / N10: release-bot, a known deployer by user ARN: bursts are habit, a sign-in without MFA is not.
    for d in 0..DAYS {
        for _ in 0..rng.range(1, 2) {
            let start = at(d, rng.range(0, 23), rng.range(0, 30));
            let size = rng.range(500, 2500) as usize;
            for t in spread(&mut rng, start, 25, size) {
                recs.push(call(
                    &mut rng,
                    t,
                    "codedeploy.amazonaws.com",
                    "GetDeployment",
                    "eu-west-1",
                    "34.250.1.13",
                    iam_user("release-bot"),
                ));
            }
        }
    }
    let a7 = at(12, rng.range(0, 23), rng.range(0, 59));
    recs.push(sign_in(
        &mut rng,
        a7,
        "192.0.2.202",
        iam_user("release-bot"),
        true,
        false,
    ));
    expects.push(Expect {
        id: "A7",
        theme: "A leaked key / new region",
        who: "user/release-bot".into(),
        first: a7,
        latest_end: a7,
        detail_has: None,
    });

    // B3: inventory-app, a storm of EC2-style denial codes.
    let shape = pick(&mut rng);
    let b3_hour = at(11, rng.range(0, 23), 0);
    let mut den3 = Vec::new();
    for h in 0..DAYS * 24 {
        let hs = at(0, h, 0);
        let n = (150.0 + 150.0 * shape.at(h)).round() as usize;
        for t in spread(&mut rng, hs, 60, n) {
            recs.push(call(
                &mut rng,
                t,
                "ec2.amazonaws.com",
                "DescribeVolumes",
                "eu-west-1",
                "10.0.6.6",
                role_session("inventory-app", "lambda-inv"),
            ));
        }
        if hs == b3_hour {
            continue;
        }
        let nd = rng.below(3) as usize;
        for t in spread(&mut rng, hs, 60, nd) {
            den3.push(t);
            recs.push(denied(
                &mut rng,
                t,
                "ec2.amazonaws.com",
                "DescribeSnapshots",
                "eu-west-1",
                "10.0.6.6",
                role_session("inventory-app", "lambda-inv"),
            ));
        }
    }
    let maxden3 = {
        let mut c: BTreeMap<i64, usize> = BTreeMap::new();
        for t in den3.iter().filter(|t| **t < b3_hour) {
            *c.entry(t.timestamp().div_euclid(3600)).or_default() += 1;
        }
        c.values().copied().max().unwrap_or(0)
    };
    let b3s = b3_hour + Duration::minutes(rng.range(0, 15));
    let storm3 = spread(&mut rng, b3s, 40, 120);
    for t in &storm3 {
        let code = [
            "Client.UnauthorizedOperation",
            "UnauthorizedOperation",
            "AccessDeniedException",
        ][rng.below(3) as usize];
        let mut r = denied(
            &mut rng,
            *t,
            "ec2.amazonaws.com",
            "DescribeInstances",
            "eu-west-1",
            "10.0.6.6",
            role_session("inventory-app", "lambda-inv"),
        );
        r.v["errorCode"] = json!(code);
        recs.push(r);
    }
    expects.push(Expect {
        id: "B3",
        theme: "B bursts / denial storms",
        who: "inventory-app".into(),
        first: storm3[0],
        latest_end: storm3[20usize.max(3 * maxden3 + 1) - 1],
        detail_has: Some("denied".into()),
    });

    // A8 / N11: the learning boundary.
    for (name, first, probe) in [
        ("edge-early", at(2, 0, 0), at(9, 0, 1)),
        ("edge-late", at(2, 12, 0), at(9, 11, 59)),
    ] {
        recs.push(call(
            &mut rng,
            first,
            "s3.amazonaws.com",
            "GetObject",
            "eu-west-1",
            "10.0.4.4",
            iam_user(name),
        ));
        let mut t = first + Duration::minutes(30);
        while t < at(DAYS, 0, 0) {
            recs.push(call(
                &mut rng,
                t,
                "s3.amazonaws.com",
                "GetObject",
                "eu-west-1",
                "10.0.4.4",
                iam_user(name),
            ));
            t += Duration::hours(1);
        }
        recs.push(call(
            &mut rng,
            probe,
            "s3.amazonaws.com",
            "ListBuckets",
            "sa-east-1",
            "10.0.4.4",
            iam_user(name),
        ));
    }
    expects.push(Expect {
        id: "A8",
        theme: "A leaked key / new region",
        who: "user/edge-early".into(),
        first: at(9, 0, 1),
        latest_end: at(9, 0, 1),
        detail_has: Some("sa-east-1".into()),
    });
    quiet.push((
        "N11 edge-late new region 1 min before learning ends",
        "user/edge-late".into(),
    ));
    quiet.push((
        "N10 release-bot bursts (known deployer by ARN)",
        "user/release-bot-NEVER".into(),
    ));

    // N2 nightly-etl.
    for d in 0..DAYS {
        for h in 0..24 {
            let n = if h == 2 {
                (800.0 * (0.8 + 0.4 * rng.unit())) as usize
            } else {
                rng.range(2, 8) as usize
            };
            let minutes = if h == 2 { 40 } else { 60 };
            for t in spread(&mut rng, at(d, h, 0), minutes, n) {
                recs.push(call(
                    &mut rng,
                    t,
                    "glue.amazonaws.com",
                    "GetTable",
                    "eu-west-1",
                    "10.0.7.7",
                    role_session("nightly-etl", &format!("etl-{d}")),
                ));
            }
        }
    }
    quiet.push(("N2 nightly-etl daily batch", "nightly-etl".into()));

    // N5 federated and SAML sign-ins without MFA.
    for d in [3, 9, 10, 12] {
        let t = at(d, rng.range(8, 18), rng.range(0, 59));
        let fed = json!({"type": "FederatedUser", "principalId": format!("{ACCT}:dev-fed"),
            "arn": format!("arn:aws:sts::{ACCT}:federated-user/dev-fed"), "accountId": ACCT,
            "sessionContext": {"sessionIssuer": {"type": "IAMUser", "principalId": "AIDAFEDISSUER",
                "arn": format!("arn:aws:iam::{ACCT}:user/fed-broker"), "accountId": ACCT, "userName": "fed-broker"}}});
        recs.push(sign_in(&mut rng, t, "198.51.100.50", fed, true, false));
        let mut saml = role_session("sso-admins", "dana@example.com");
        saml["sessionContext"]["attributes"]["mfaAuthenticated"] = json!("false");
        recs.push(sign_in(
            &mut rng,
            t + Duration::minutes(3),
            "198.51.100.51",
            saml,
            true,
            false,
        ));
    }
    quiet.push(("N5 federated sign-in", "dev-fed".into()));
    quiet.push(("N5 SAML role sign-in", "sso-admins".into()));

    // N6 AWS service calls in many regions and AwsServiceEvents.
    for d in 0..DAYS {
        for region in ["eu-west-1", "us-west-2", "ap-northeast-1", "sa-east-1"] {
            if d >= 8 || region == "eu-west-1" {
                let t = at(d, rng.range(0, 23), rng.range(0, 59));
                let svc = json!({"type": "AWSService", "invokedBy": "autoscaling.amazonaws.com"});
                recs.push(call(
                    &mut rng,
                    t,
                    "ec2.amazonaws.com",
                    "RunInstances",
                    region,
                    "autoscaling.amazonaws.com",
                    svc,
                ));
                let t2 = at(d, rng.range(0, 23), rng.range(0, 59));
                let mut r = call(
                    &mut rng,
                    t2,
                    "kms.amazonaws.com",
                    "RotateKey",
                    region,
                    "AWS Internal",
                    json!({"accountId": ACCT, "invokedBy": "AWS Internal"}),
                );
                r.v["eventType"] = json!("AwsServiceEvent");
                recs.push(r);
            }
        }
    }
    quiet.push(("N6 AWS service calls", "autoscaling".into()));
    quiet.push(("N6 AwsServiceEvent", "AWS Internal".into()));

    // N8 key-rotator.
    for d in [1, 8, 13] {
        let t = at(d, 3, rng.range(0, 59));
        recs.push(call(
            &mut rng,
            t,
            "iam.amazonaws.com",
            "CreateAccessKey",
            "us-east-1",
            "10.0.8.8",
            role_session("key-rotator", "lambda-rot"),
        ));
        recs.push(call(
            &mut rng,
            t + Duration::seconds(30),
            "iam.amazonaws.com",
            "DeleteAccessKey",
            "us-east-1",
            "10.0.8.8",
            role_session("key-rotator", "lambda-rot"),
        ));
    }
    quiet.push(("N8 key-rotator", "key-rotator".into()));

    let maintenance = vec![
        (at(10, 0, 0), at(11, 0, 0)),
        (a1 - Duration::hours(1), a1 + Duration::hours(2)),
        (a4 - Duration::hours(1), a4 + Duration::hours(2)),
    ];
    recs.sort_by_key(|r| r.t);
    World {
        recs,
        expects,
        quiet,
        maintenance,
        shapes_used,
    }
}

// ---------------------------------------------------------------- delivery and the schedule

/// Log files of 5 minutes of event time, serialized as CloudTrail writes them, parsed back with
/// `parse_log` (or `parse_lines` for every 7th), each with its delivery time.
fn deliveries(
    world: &World,
    rng: &mut Rng,
    fails: &mut Vec<String>,
) -> Vec<(DateTime<Utc>, Vec<AuditEvent>)> {
    let mut files: BTreeMap<(i64, bool), Vec<&Rec>> = BTreeMap::new();
    for r in &world.recs {
        files
            .entry((r.t.timestamp().div_euclid(300), r.extra_late > 0))
            .or_default()
            .push(r);
    }
    let mut out = Vec::new();
    for (i, ((bucket, late), recs)) in files.into_iter().enumerate() {
        let origin = format!("{ACCT}_CloudTrail_eu-west-1_{bucket}.json");
        let parsed = if i % 7 == 3 {
            let text: String = recs.iter().map(|r| format!("{}\n", r.v)).collect();
            parse_lines(&text, &origin)
        } else {
            let body = json!({"Records": recs.iter().map(|r| r.v.clone()).collect::<Vec<_>>()});
            parse_log(body.to_string().as_bytes(), &origin)
        };
        match parsed {
            Ok(events) => {
                if events.len() != recs.len() {
                    fails.push(format!(
                        "parse {origin}: {} records gave {} events",
                        recs.len(),
                        events.len()
                    ));
                }
                let extra = recs.iter().map(|r| r.extra_late).max().unwrap_or(0);
                let base = Utc.timestamp_opt((bucket + 1) * 300, 0).unwrap();
                let delivered = base + Duration::minutes(rng.range(0, 9) + extra);
                let _ = late;
                out.push((delivered, events));
            }
            Err(e) => fails.push(format!("parse {origin}: unexpected error {e}")),
        }
    }
    out.sort_by_key(|(d, _)| *d);
    out
}

struct Reported {
    finding: Finding,
    now: DateTime<Utc>,
}

fn schedule(
    det: &mut CredentialCompromise,
    files: &[(DateTime<Utc>, Vec<AuditEvent>)],
    source: &InMemoryAuditSource,
    fails: &mut Vec<String>,
) -> Vec<Reported> {
    let mut out = Vec::new();
    let mut next = 0;
    let mut now = t0() + Duration::minutes(20);
    let end = t0() + Duration::days(DAYS) + Duration::minutes(40);
    while now <= end {
        while next < files.len() && files[next].0 <= now {
            source.extend(files[next].1.iter().cloned());
            next += 1;
        }
        let start = (now - Duration::minutes(75)).max(t0());
        let range = TimeRange::new(start, now - Duration::minutes(15)).expect("range");
        match block_on(det.run(source, range)) {
            Ok(fs) => out.extend(fs.into_iter().map(|finding| Reported { finding, now })),
            Err(e) => fails.push(format!("run at {now}: unexpected error {e}")),
        }
        now += Duration::minutes(5);
    }
    out
}

// ---------------------------------------------------------------- hostile records (child process)

fn rec_json(extra: &[(&str, Value)]) -> Value {
    let mut v = json!({"eventVersion": "1.08", "eventTime": "2026-11-02T03:04:05Z", "eventSource": "s3.amazonaws.com",
        "eventName": "ListBuckets", "awsRegion": "eu-west-1", "sourceIPAddress": "198.51.100.9",
        "userIdentity": {"type": "IAMUser", "userName": "zed", "arn": format!("arn:aws:iam::{ACCT}:user/zed")}});
    for (k, val) in extra {
        if val.is_null() && *k != "responseElements" {
            v.as_object_mut().unwrap().remove(*k);
        } else {
            v[*k] = val.clone();
        }
    }
    v
}

fn cause(e: &RecordError) -> String {
    std::error::Error::source(e)
        .map(|c| format!(" | cause: {c}"))
        .unwrap_or_default()
}

fn variant(e: &RecordError) -> String {
    match e {
        RecordError::Io { .. } => "Io".into(),
        RecordError::Gzip { .. } => "Gzip".into(),
        RecordError::Log { .. } => "Log".into(),
        RecordError::Record { .. } => "Record".into(),
        RecordError::Field { field, .. } => format!("Field({field})"),
        RecordError::Time { .. } => "Time".into(),
        RecordError::LimitExceeded { .. } => "LimitExceeded".into(),
        _ => "Other".into(),
    }
}

/// (id, expected outcome prefix, closure description). The child prints `OK …` or `ERR Variant: msg`.
const CASES: &[(&str, &str)] = &[
    ("D1", "ERR Record"),
    ("D2", "ERR Record"),
    ("D3a", "ERR Time"),
    ("D3b", "ERR Time"),
    ("D4", "OK 2026-11-02T03:04:05Z"),
    ("D5", "ERR Field(additionalEventData.MFAUsed)"),
    ("D6", "ERR Field("),
    ("D7", "ERR "),
    ("D8", "OK principal=martian-1"),
    ("D9a", "ERR Record"),
    ("D9b", "ERR Log"),
    ("D10a", "ERR Log"),
    ("D10b", "ERR Log"),
    ("D10c", "ERR Gzip"),
    ("D11", "ERR "),
    ("D12", "OK"),
    ("D14a", "OK 0 events"),
    ("D14b", "ERR Record"),
    ("D15a", "ERR "),
    ("D15b", "ERR "),
    ("D16", "OK pushed"),
    ("D17", "OK failed=true nomfa=false"),
];

fn run_case(id: &str) -> String {
    let one = |v: Value| parse_record(&v.to_string(), "case", 0);
    let show = |r: Result<AuditEvent, RecordError>| match r {
        Ok(e) => format!("OK {}", ts(e.time)),
        Err(e) => format!("ERR {}: {e}{}", variant(&e), cause(&e)),
    };
    let err = |e: RecordError| format!("ERR {}: {e}{}", variant(&e), cause(&e));
    match id {
        "D1" => show(one(rec_json(&[("eventTime", Value::Null)]))),
        "D2" => show(one(rec_json(&[("eventTime", json!(1_762_052_645))]))),
        "D3a" => show(one(rec_json(&[("eventTime", json!("yesterday"))]))),
        "D3b" => show(one(rec_json(&[(
            "eventTime",
            json!("2026-11-02T03:04:05"),
        )]))),
        "D4" => show(one(rec_json(&[(
            "eventTime",
            json!("2026-11-02T05:04:05+02:00"),
        )]))),
        "D5" => show(one(rec_json(&[
            ("additionalEventData", json!({"MFAUsed": "maybe"})),
            ("eventName", json!("ConsoleLogin")),
        ]))),
        "D6" => show(one(rec_json(&[
            ("responseElements", json!({"ConsoleLogin": "Perhaps"})),
            ("eventName", json!("ConsoleLogin")),
        ]))),
        "D7" => show(one(rec_json(&[("userIdentity", json!("root"))]))),
        "D8" => match one(rec_json(&[(
            "userIdentity",
            json!({"type": "Martian", "userName": "martian-1"}),
        )])) {
            Ok(e) => format!("OK principal={}", e.identity.principal()),
            Err(e) => err(e),
        },
        "D9a" => {
            let text = r#"{"eventTime":"2026-11-02T03:04:05Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","eventName":"ListUsers"}"#;
            show(parse_record(text, "case", 0))
        }
        "D9b" => {
            let text = r#"{"Records":[{"eventTime":"2026-11-02T03:04:05Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","eventName":"ListUsers"}]}"#;
            match parse_log(text.as_bytes(), "case") {
                Ok(v) => format!("OK {} events", v.len()),
                Err(e) => err(e),
            }
        }
        "D10a" => match parse_log(br#"{"Records":{"a":1}}"#, "case") {
            Ok(v) => format!("OK {} events", v.len()),
            Err(e) => err(e),
        },
        "D10b" => match parse_log(b"this is not json", "case") {
            Ok(v) => format!("OK {} events", v.len()),
            Err(e) => err(e),
        },
        "D10c" => match parse_log(
            &[
                0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x02,
            ],
            "case",
        ) {
            Ok(v) => format!("OK {} events", v.len()),
            Err(e) => err(e),
        },
        "D11" => {
            let depth = 100_000;
            let text = format!(
                r#"{{"Records":[{{"eventTime":"2026-11-02T03:04:05Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"eu-west-1","requestParameters":{}1{}}}]}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            );
            match parse_log(text.as_bytes(), "case") {
                Ok(v) => format!("OK {} events", v.len()),
                Err(e) => err(e),
            }
        }
        "D12" => match one(rec_json(&[("eventName", json!("A".repeat(1 << 20)))])) {
            Ok(e) => format!("OK name of {} bytes", e.name.len()),
            Err(e) => err(e),
        },
        "D14a" => {
            let text = r#"{"Records":[{"eventVersion":"1.08","eventTime":"2026-11-02T03:04:05Z","awsRegion":"us-east-1","eventID":"x","eventType":"AwsCloudTrailInsight","recipientAccountId":"111122223333","sharedEventID":"y","insightDetails":{"state":"Start","eventSource":"iam.amazonaws.com","eventName":"ListUsers","insightType":"ApiCallRateInsight"},"eventCategory":"Insight"}]}"#;
            match parse_log(text.as_bytes(), "case") {
                Ok(v) => format!("OK {} events", v.len()),
                Err(e) => err(e),
            }
        }
        "D14b" => {
            let text = r#"{"eventVersion":"1.08","eventTime":"2026-11-02T03:04:05Z","awsRegion":"us-east-1","eventID":"x","eventType":"AwsCloudTrailInsight","recipientAccountId":"111122223333","insightDetails":{"state":"Start","eventSource":"iam.amazonaws.com","eventName":"ListUsers"},"eventCategory":"Insight"}"#;
            show(parse_record(text, "case", 0))
        }
        "D15a" => show(one(rec_json(&[("sourceIPAddress", json!(19851))]))),
        "D15b" => show(one(rec_json(&[("eventID", json!(12345))]))),
        "D16" => match one(rec_json(&[("userIdentity", Value::Null)])) {
            Ok(e) => {
                let kind = e.identity.kind.clone();
                let mut det =
                    CredentialCompromise::new(CompromiseConfig::default()).expect("config");
                match det.push(e) {
                    Ok(f) => format!("OK pushed kind={kind:?} findings={}", f.len()),
                    Err(e) => format!("ERR push: {e}"),
                }
            }
            Err(e) => err(e),
        },
        "D17" => {
            let mut v = rec_json(&[
                ("eventSource", json!("signin.amazonaws.com")),
                ("eventName", json!("ConsoleLogin")),
                ("errorMessage", json!("Failed authentication")),
                ("additionalEventData", json!({"MFAUsed": "No"})),
            ]);
            v.as_object_mut().unwrap().remove("responseElements");
            match one(v) {
                Ok(e) => format!(
                    "OK failed={} nomfa={}",
                    e.is_failed_console_login(),
                    e.is_console_login_without_mfa()
                ),
                Err(e) => err(e),
            }
        }
        other => format!("ERR unknown case {other}"),
    }
}

fn hostile_parse(fails: &mut Vec<String>, lines: &mut Vec<String>) -> (usize, usize) {
    let exe = std::env::current_exe().expect("exe");
    let mut passed = 0;
    for (id, want) in CASES {
        let out = std::process::Command::new(&exe)
            .args(["--case", id])
            .output()
            .expect("spawn");
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let short: String = text.chars().take(260).collect();
        if !out.status.success() {
            fails.push(format!(
                "{id}: crashed ({}) stderr: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ));
        } else if !text.starts_with(want) {
            fails.push(format!("{id}: expected `{want}…`, got `{short}`"));
        } else {
            passed += 1;
        }
        lines.push(format!("  {id}: {short}"));
    }
    (passed, CASES.len())
}

/// D13: an over-long ARN / region in the source: typed error, detector unchanged, no loss.
fn hostile_run(fails: &mut Vec<String>) -> (usize, usize) {
    let mut checks = 0;
    let mut passed = 0;
    for (field, bad) in [
        (
            "identity",
            Identity::new("IAMUser")
                .with_arn(format!("arn:aws:iam::{ACCT}:user/{}", "x".repeat(4096))),
        ),
        (
            "region",
            Identity::new("IAMUser").with_arn(format!("arn:aws:iam::{ACCT}:user/good")),
        ),
    ] {
        let good = Identity::new("IAMUser").with_arn(format!("arn:aws:iam::{ACCT}:user/good"));
        let mk = |m: i64, who: Identity, region: &str| {
            AuditEvent::new(
                at(0, 1, m),
                "s3.amazonaws.com",
                "GetObject",
                region,
                "10.0.0.1",
                who,
            )
        };
        let mut events: Vec<AuditEvent> =
            (0..10).map(|m| mk(m, good.clone(), "eu-west-1")).collect();
        let bad_event = if field == "region" {
            mk(5, bad, &"r".repeat(100))
        } else {
            mk(5, bad, "eu-west-1")
        };
        let clean = InMemoryAuditSource::new();
        clean.extend(events.clone());
        events.push(bad_event);
        let dirty = InMemoryAuditSource::new();
        dirty.extend(events);
        let mut det = CredentialCompromise::new(CompromiseConfig::default()).expect("config");
        let range = TimeRange::new(at(0, 0, 0), at(0, 2, 0)).expect("range");
        checks += 3;
        match block_on(det.run(&dirty, range)) {
            Err(Error::InvalidInput { field: f, .. }) if f == field => passed += 1,
            Err(e) => fails.push(format!(
                "D13 {field}: expected InvalidInput naming {field}, got error {e}"
            )),
            Ok(fs) => fails.push(format!(
                "D13 {field}: expected InvalidInput, got Ok with {} findings",
                fs.len()
            )),
        }
        if det.principals() == 0 {
            passed += 1;
        } else {
            fails.push(format!(
                "D13 {field}: detector changed by a refused run ({} principals)",
                det.principals()
            ));
        }
        match block_on(det.run(&clean, range)) {
            Ok(_) if det.principals() == 1 => passed += 1,
            Ok(_) => fails.push(format!(
                "D13 {field}: rerun without the bad record: {} principals, expected 1",
                det.principals()
            )),
            Err(e) => fails.push(format!(
                "D13 {field}: rerun without the bad record failed: {e}"
            )),
        }
    }
    (passed, checks)
}

/// D13c: an ARN of exactly 2,048 bytes and a region of exactly 64 bytes are accepted.
fn hostile_bounds(fails: &mut Vec<String>) -> (usize, usize) {
    let prefix = format!("arn:aws:iam::{ACCT}:user/");
    let arn = format!("{prefix}{}", "x".repeat(2048 - prefix.len()));
    let region = "r".repeat(64);
    let source = InMemoryAuditSource::new();
    source.extend([
        AuditEvent::new(
            at(0, 1, 0),
            "s3.amazonaws.com",
            "GetObject",
            "eu-west-1",
            "10.0.0.1",
            Identity::new("IAMUser").with_arn(arn.clone()),
        ),
        AuditEvent::new(
            at(0, 1, 1),
            "s3.amazonaws.com",
            "GetObject",
            region.as_str(),
            "10.0.0.1",
            Identity::new("IAMUser").with_arn("arn:aws:iam::111122223333:user/b"),
        ),
    ]);
    let mut det = CredentialCompromise::new(CompromiseConfig::default()).expect("config");
    match block_on(det.run(
        &source,
        TimeRange::new(at(0, 0, 0), at(0, 2, 0)).expect("range"),
    )) {
        Ok(_) if det.principals() == 2 => (1, 1),
        Ok(_) => {
            fails.push(format!(
                "D13c: {} principals kept, expected 2",
                det.principals()
            ));
            (0, 1)
        }
        Err(e) => {
            fails.push(format!(
                "D13c: ARN of {} bytes / region of {} bytes refused: {e}",
                arn.len(),
                region.len()
            ));
            (0, 1)
        }
    }
}

// ---------------------------------------------------------------- main

fn key(f: &Finding) -> (String, DateTime<Utc>, String) {
    (f.subject.clone(), f.end, f.evidence.detail.clone())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--case") {
        println!("{}", run_case(&args[i + 1]));
        return;
    }
    let dir = PathBuf::from(
        args.get(1)
            .cloned()
            .unwrap_or_else(|| "/work/shared/data/nab-aws".into()),
    );
    let seed: u64 = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let notes = args.iter().any(|a| a == "--notes");

    let shapes = nab_shapes(&dir);
    assert!(!shapes.is_empty(), "no NAB series under {}", dir.display());
    let world = build_world(seed, &shapes);
    let mut fails: Vec<String> = Vec::new();
    let mut rng = Rng(seed ^ 0xDE11_7E5);
    let files = deliveries(&world, &mut rng, &mut fails);
    let n_events: usize = files.iter().map(|(_, e)| e.len()).sum();

    // The scheduled pipeline.
    let source = InMemoryAuditSource::new();
    let mut det = CredentialCompromise::new(CompromiseConfig::default())
        .expect("config")
        .with_known_deployers(KNOWN);
    let reported = schedule(&mut det, &files, &source, &mut fails);

    // Matching: each expectation against the findings on its principal.
    let mut results: BTreeMap<&str, (usize, usize, usize, usize, usize, Vec<i64>)> =
        BTreeMap::new(); // theme -> (det, exp, fa, sev_ok, n, delays)
    let mut used = vec![false; reported.len()];
    for e in &world.expects {
        let entry = results.entry(e.theme).or_default();
        entry.1 += 1;
        let hits: Vec<usize> = reported
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                r.finding.subject.contains(&e.who)
                    && r.finding.end >= e.first
                    && r.finding.end <= e.first + Duration::hours(3)
            })
            .map(|(i, _)| i)
            .collect();
        for &i in &hits {
            used[i] = true;
        }
        let Some(&i) = hits.first() else {
            fails.push(format!(
                "{} ({}): missed; incident from {}, latest acceptable end {}",
                e.id, e.who, e.first, e.latest_end
            ));
            continue;
        };
        let r = &reported[i];
        let f = &r.finding;
        entry.0 += 1;
        entry.4 += 1;
        entry.5.push((f.end - e.first).num_seconds());
        if f.severity == Severity::Page {
            entry.3 += 1;
        } else {
            fails.push(format!(
                "{}: severity {:?}, expected page",
                e.id, f.severity
            ));
        }
        if f.end > e.latest_end {
            fails.push(format!(
                "{}: detected at {} (end), latest acceptable {} ({} s late): {}",
                e.id,
                f.end,
                e.latest_end,
                (f.end - e.latest_end).num_seconds(),
                f.evidence.detail
            ));
        }
        if r.now > e.latest_end + Duration::minutes(20) {
            fails.push(format!(
                "{}: reported by the run at {}, later than {} + 20 min",
                e.id, r.now, e.latest_end
            ));
        }
        if let Some(s) = &e.detail_has {
            if !f.evidence.detail.contains(s.as_str()) {
                fails.push(format!(
                    "{}: detail does not name {s}: {}",
                    e.id, f.evidence.detail
                ));
            }
        }
        if hits.len() > 1 {
            fails.push(format!(
                "{}: {} findings for one incident: {}",
                e.id,
                hits.len(),
                hits.iter()
                    .map(|&i| format!(
                        "[{} {}]",
                        reported[i].finding.end, reported[i].finding.evidence.detail
                    ))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
    }
    let mut false_alarms = Vec::new();
    for (i, r) in reported.iter().enumerate() {
        if !used[i] {
            false_alarms.push(format!(
                "false alarm: {} [{}] at {} (reported {}): {}",
                r.finding.subject,
                if r.finding.severity == Severity::Page {
                    "page"
                } else {
                    "ticket"
                },
                r.finding.end,
                r.now,
                r.finding.evidence.detail
            ));
        }
    }
    for (name, who) in &world.quiet {
        let n = reported
            .iter()
            .filter(|r| r.finding.subject.contains(who.as_str()))
            .count();
        if n > 0 {
            fails.push(format!("{name}: {n} findings, expected none"));
        }
    }
    fails.extend(false_alarms.iter().cloned());

    // D21: the scheduled runs against `detect` over every event in time order.
    let mut all: Vec<AuditEvent> = files.iter().flat_map(|(_, e)| e.iter().cloned()).collect();
    all.sort_by_key(|e| e.time);
    let mut ref_det = CredentialCompromise::new(CompromiseConfig::default())
        .expect("config")
        .with_known_deployers(KNOWN);
    let mut d21 = (0, 1);
    match ref_det.detect(all.clone()) {
        Ok(reference) => {
            let mut a: Vec<_> = reported.iter().map(|r| key(&r.finding)).collect();
            let mut b: Vec<_> = reference.iter().map(key).collect();
            a.sort();
            b.sort();
            let only_ref: Vec<_> = b.iter().filter(|k| !a.contains(k)).collect();
            let only_run: Vec<_> = a.iter().filter(|k| !b.contains(k)).collect();
            // Documented difference: carol's late CreateAccessKey (D20) is skipped by run.
            let unexplained: Vec<_> = only_ref.iter().filter(|k| !k.0.contains("carol")).collect();
            if unexplained.is_empty() && only_run.is_empty() {
                d21.0 = 1;
            } else {
                fails.push(format!("D21: run vs detect differ: only in detect {unexplained:?}; only in run {only_run:?}"));
            }
            if !only_ref.iter().any(|k| k.0.contains("carol")) {
                fails.push("D20: detect over the same events did not report carol's CreateAccessKey (so the drill proves nothing)".into());
            }
        }
        Err(e) => fails.push(format!("D21: detect failed: {e}")),
    }

    // D18, D19 on the scheduled detector (after everything else).
    let mut dchecks = (0, 2);
    match block_on(det.run(
        &source,
        TimeRange::new(t0(), t0() + Duration::hours(1)).expect("range"),
    )) {
        Err(Error::RangeBehind { .. }) => dchecks.0 += 1,
        other => fails.push(format!(
            "D18: expected RangeBehind, got {:?}",
            other.map(|f| f.len())
        )),
    }
    let old = AuditEvent::new(
        t0(),
        "s3.amazonaws.com",
        "GetObject",
        "eu-west-1",
        "10.0.0.1",
        Identity::new("IAMUser").with_user_name("zed"),
    );
    match det.push(old) {
        Err(Error::OutOfOrder { .. }) => dchecks.0 += 1,
        other => fails.push(format!(
            "D19: expected OutOfOrder, got {:?}",
            other.map(|f| f.len())
        )),
    }
    let (hr_pass, hr_n) = hostile_run(&mut fails);
    let (hb_pass, hb_n) = hostile_bounds(&mut fails);
    let mut case_lines = Vec::new();
    let (hp_pass, hp_n) = hostile_parse(&mut fails, &mut case_lines);

    // Theme E: noise reduction.
    let findings: Vec<Finding> = reported.iter().map(|r| r.finding.clone()).collect();
    let mut e_checks = (0, 0);
    let windows = MaintenanceWindows::new(
        world
            .maintenance
            .iter()
            .map(|(a, b)| Interval::new(*a, *b).expect("interval")),
    );
    let kept = outside_maintenance(findings.clone(), &windows);
    e_checks.1 += 1;
    if kept.len() == findings.len() {
        e_checks.0 += 1
    } else {
        fails.push(format!(
            "E1: outside_maintenance kept {} of {} F4 findings",
            kept.len(),
            findings.len()
        ));
    }
    let routing = Routing::new()
        .with_owner("security".parse().expect("owner"))
        .with_runbook(
            "https://runbooks.example.com/f4-credential-compromise"
                .parse()
                .expect("runbook"),
        );
    let routed: Vec<(String, Finding)> = kept
        .iter()
        .map(|f| (f.subject.clone(), f.clone().with_routing(routing.clone())))
        .collect();
    let notes_n = group_by_root_cause_routed::<String>(Vec::new(), routed, DEFAULT_HOLD);
    e_checks.1 += 1;
    if !notes_n.is_empty()
        && notes_n
            .iter()
            .all(|n| n.routing == routing && n.group.severity == Severity::Page)
    {
        e_checks.0 += 1
    } else {
        fails.push(format!(
            "E2: {} notifications, routed to security at page: {}",
            notes_n.len(),
            notes_n.iter().filter(|n| n.routing == routing).count()
        ));
    }
    let incidents: Vec<Incident> = kept.iter().map(Finding::policy_incident).collect();
    e_checks.1 += 1;
    if incidents.iter().all(|i| *i == Incident::Security) {
        e_checks.0 += 1
    } else {
        fails.push(format!("E3: policy incidents {incidents:?}"));
    }
    let policy = ErrorBudgetPolicy {
        freeze_on_security: true,
        ..Default::default()
    };
    let decision = policy.decide(
        &PolicyInput {
            incidents: &incidents,
            ..Default::default()
        },
        t0() + Duration::days(DAYS),
    );
    e_checks.1 += 1;
    if decision.notify == Some(Severity::Page) && decision.freeze_releases {
        e_checks.0 += 1
    } else {
        fails.push(format!(
            "E3: policy decision notify {:?} freeze {}",
            decision.notify, decision.freeze_releases
        ));
    }
    let mut ticket_det =
        CredentialCompromise::new(CompromiseConfig::default().with_severity(Severity::Ticket))
            .expect("config")
            .with_known_deployers(KNOWN);
    e_checks.1 += 1;
    match ticket_det.detect(all) {
        Ok(t) => {
            if t.iter().all(|f| {
                f.severity == Severity::Ticket && f.policy_incident() != Incident::Security
            }) && !t.is_empty()
            {
                e_checks.0 += 1;
            } else {
                fails.push(format!(
                    "E4: ticket-severity detector: {} findings, {} at ticket, {} Security",
                    t.len(),
                    t.iter().filter(|f| f.severity == Severity::Ticket).count(),
                    t.iter()
                        .filter(|f| f.policy_incident() == Incident::Security)
                        .count()
                ));
            }
        }
        Err(e) => fails.push(format!("E4: detect failed: {e}")),
    }

    // Report.
    println!(
        "blind7 F4 game day, seed {seed}: {} CloudTrail records in {} files, {} findings reported by {} scheduled runs",
        n_events,
        files.len(),
        reported.len(),
        (DAYS * 288) as usize
    );
    println!("NAB shapes: {}", world.shapes_used.join(", "));
    println!(
        "| theme | detected/expected | false alarms | severity agree | delays (s, end − first incident event) |"
    );
    println!("|---|---|---|---|---|");
    for (theme, (d, n, _, sev, m, delays)) in &results {
        println!("| {theme} | {d}/{n} | - | {sev}/{m} | {delays:?} |");
    }
    let quiet_fails = world
        .quiet
        .iter()
        .filter(|(_, w)| {
            reported
                .iter()
                .any(|r| r.finding.subject.contains(w.as_str()))
        })
        .count();
    println!(
        "| C nuisances (principals that must stay quiet) | {}/{} quiet | {} | - | - |",
        world.quiet.len() - quiet_fails,
        world.quiet.len(),
        false_alarms.len()
    );
    println!("| D records: parse (child process) | {hp_pass}/{hp_n} | - | - | - |");
    println!("| D records: hostile in run (D13) | {hr_pass}/{hr_n} | - | - | - |");
    println!("| D records: limits exactly at the bound (D13c) | {hb_pass}/{hb_n} | - | - | - |");
    println!(
        "| D order: RangeBehind, OutOfOrder | {}/{} | - | - | - |",
        dchecks.0, dchecks.1
    );
    println!(
        "| D21 scheduled runs = detect in order | {}/{} | - | - | - |",
        d21.0, d21.1
    );
    println!(
        "| E noise reduction | {}/{} | - | - | - |",
        e_checks.0, e_checks.1
    );
    println!("failed checks: {}", fails.len());
    if notes {
        println!("--notes");
        for f in &fails {
            println!("  FAIL {f}");
        }
        println!("findings:");
        for r in &reported {
            println!("  reported {} | {}", r.now, r.finding);
        }
        println!("parse cases:");
        for l in &case_lines {
            println!("{l}");
        }
    }
}
