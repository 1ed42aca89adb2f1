//! The drills of the blind game day that read facts rather than one metric: F4 (CloudTrail
//! events), F7 (bucket scans and requests) and F8 (month-to-date estimated charges).

use std::error::Error;

use failure_modes::chrono::{Datelike, Duration, NaiveDate, TimeZone, Timelike, Utc, Weekday};
use failure_modes::{
    AccessSample, AuditEvent, BucketExposure, ChargeSample, CompromiseConfig, CostConfig,
    CostRunaway, CredentialCompromise, Detector, Identity, LeakConfig, OneOffCharge,
    PublicDataLeak, Severity, SignInOutcome,
};

use crate::metrics::Shapes;
use crate::{Drill, Expect, Rng, t0};

type Res<T> = Result<T, Box<dyn Error>>;

/// F7: name, expected severity, public from the start, the minute a scan finds it public, and
/// a spike of reads (start, minutes, factor).
type LeakCase = (
    String,
    Option<Severity>,
    bool,
    Option<i64>,
    Option<(i64, i64, f64)>,
);

/// All drills of F4, F7 and F8.
pub(crate) fn drills(sh: &Shapes) -> Res<Vec<Drill>> {
    let mut out = f4(sh)?;
    out.extend(f7(sh)?);
    out.extend(f8()?);
    Ok(out)
}

fn expect(onset: i64, len: i64, severity: Option<Severity>) -> Expect {
    let at = |m: i64| t0() + Duration::minutes(m);
    match severity {
        Some(severity) => Expect::Incident {
            onset: at(onset),
            until: at(onset + len),
            severity,
        },
        None => Expect::Clean,
    }
}

/// The application role's and the deploy role's usual calls, hour `h` of the drill: the app's
/// hourly volume follows the traffic shape (half on weekends); the deploy role bursts 2,000
/// calls in one hour on weekdays, at an hour that moves day to day.
fn background(sh: &Shapes, rng: &mut Rng, h: i64) -> Vec<AuditEvent> {
    let start = t0() + Duration::hours(h);
    let weekend = matches!(start.weekday(), Weekday::Sat | Weekday::Sun);
    let app =
        Identity::new("AssumedRole").with_arn("arn:aws:sts::111122223333:assumed-role/app/i-0abc");
    let deploy = Identity::new("AssumedRole")
        .with_arn("arn:aws:sts::111122223333:assumed-role/deploy/ci-run");
    let alice = Identity::new("IAMUser")
        .with_user_name("alice")
        .with_arn("arn:aws:iam::111122223333:user/alice");
    let n =
        rng.poisson(120.0 * sh.traffic.at(h * 60, 900) * if weekend { 0.5 } else { 1.0 }) as i64;
    let mut out: Vec<AuditEvent> = (0..n)
        .map(|i| {
            AuditEvent::new(
                start + Duration::seconds(i * 3600 / n.max(1)),
                "dynamodb.amazonaws.com",
                "GetItem",
                "eu-west-1",
                "10.0.1.7",
                app.clone(),
            )
        })
        .collect();
    let day = h / 24;
    if !weekend && h % 24 == 8 + (day * 5) % 11 {
        out.extend((0..2000).map(|i| {
            AuditEvent::new(
                start + Duration::milliseconds(i * 1800),
                "cloudformation.amazonaws.com",
                "DescribeStacks",
                "eu-west-1",
                "10.0.9.9",
                deploy.clone(),
            )
        }));
    }
    if h % 24 == 9 && !weekend {
        // A console sign-in with MFA and an IAM read, recorded in us-east-1.
        out.push(
            AuditEvent::new(
                start + Duration::minutes(3),
                "signin.amazonaws.com",
                "ConsoleLogin",
                "us-east-1",
                "198.51.100.4",
                alice.clone(),
            )
            .with_sign_in(SignInOutcome::Success)
            .with_mfa(true),
        );
        out.push(AuditEvent::new(
            start + Duration::minutes(5),
            "iam.amazonaws.com",
            "ListRoles",
            "us-east-1",
            "198.51.100.4",
            alice.clone(),
        ));
    }
    if h % 24 == 13 {
        out.push(
            AuditEvent::new(
                start + Duration::minutes(7),
                "s3.amazonaws.com",
                "GetObject",
                "eu-west-1",
                "10.0.1.7",
                app.clone(),
            )
            .with_error("AccessDenied"),
        );
    }
    out.sort_by_key(|e| e.time);
    out
}

/// F4: ten days of two roles and one user; the incident on day 9.
fn f4(sh: &Shapes) -> Res<Vec<Drill>> {
    let cfg = CompromiseConfig::default();
    let app =
        Identity::new("AssumedRole").with_arn("arn:aws:sts::111122223333:assumed-role/app/i-0abc");
    let alice = Identity::new("IAMUser")
        .with_user_name("alice")
        .with_arn("arn:aws:iam::111122223333:user/alice");
    let onset_h = 9 * 24 + 3;
    // The app's busiest hour over the learning days, as the detector can know it.
    let mut rng = Rng::new(400);
    let busiest = (0..9 * 24)
        .map(|h| {
            background(sh, &mut rng, h)
                .iter()
                .filter(|e| e.name == "GetItem")
                .count()
        })
        .max()
        .unwrap_or(1) as f64;
    let bar = cfg.burst_multiple().max(cfg.overall_multiple()) * busiest;
    type Fx = Box<dyn Fn(i64) -> Vec<AuditEvent>>;
    let mut cases: Vec<(String, Option<Severity>, i64, Fx)> = Vec::new();
    let at = move |h: i64| t0() + Duration::hours(h);
    let a = app.clone();
    cases.push((
        "app key used from a new region at 03:00 (20 calls)".into(),
        Some(Severity::Page),
        10,
        Box::new(move |h| {
            if h == onset_h {
                (0..20)
                    .map(|i| {
                        AuditEvent::new(
                            at(h) + Duration::minutes(i),
                            "s3.amazonaws.com",
                            "ListBuckets",
                            "ap-southeast-2",
                            "203.0.113.9",
                            a.clone(),
                        )
                    })
                    .collect()
            } else {
                vec![]
            }
        }),
    ));
    for k in [1.2, 2.0, 5.0] {
        let n = (k * bar).max(k * f64::from(cfg.min_burst())).ceil() as i64;
        let a = app.clone();
        cases.push((
            format!("app burst of {n} calls in an hour ({k}x the bar)"),
            Some(Severity::Page),
            10,
            Box::new(move |h| {
                if h == onset_h {
                    (0..n)
                        .map(|i| {
                            AuditEvent::new(
                                at(h) + Duration::milliseconds(i * 3_600_000 / n),
                                "s3.amazonaws.com",
                                "GetObject",
                                "eu-west-1",
                                "10.0.1.7",
                                a.clone(),
                            )
                        })
                        .collect()
                } else {
                    vec![]
                }
            }),
        ));
    }
    for k in [1.2, 2.0, 5.0] {
        let n = (k * f64::from(cfg.min_denied()))
            .max(k * cfg.burst_multiple() * 2.0)
            .ceil() as i64;
        let a = app.clone();
        cases.push((
            format!("AccessDenied storm: {n} denied calls in an hour ({k}x)"),
            Some(Severity::Page),
            10,
            Box::new(move |h| {
                if h == onset_h {
                    (0..n)
                        .map(|i| {
                            AuditEvent::new(
                                at(h) + Duration::seconds(i * 3600 / n),
                                "secretsmanager.amazonaws.com",
                                "GetSecretValue",
                                "eu-west-1",
                                "10.0.1.7",
                                a.clone(),
                            )
                            .with_error("AccessDenied")
                        })
                        .collect()
                } else {
                    vec![]
                }
            }),
        ));
    }
    let a = app.clone();
    cases.push((
        "app role creates an access key".into(),
        Some(Severity::Page),
        10,
        Box::new(move |h| {
            if h == onset_h {
                vec![AuditEvent::new(
                    at(h) + Duration::minutes(10),
                    "iam.amazonaws.com",
                    "CreateAccessKey",
                    "us-east-1",
                    "203.0.113.9",
                    a.clone(),
                )]
            } else {
                vec![]
            }
        }),
    ));
    cases.push((
        "alice signs in without MFA at 03:00".into(),
        Some(Severity::Page),
        10,
        Box::new(move |h| {
            if h == onset_h {
                vec![
                    AuditEvent::new(
                        at(h) + Duration::minutes(1),
                        "signin.amazonaws.com",
                        "ConsoleLogin",
                        "us-east-1",
                        "203.0.113.9",
                        alice.clone(),
                    )
                    .with_sign_in(SignInOutcome::Success)
                    .with_mfa(false),
                ]
            } else {
                vec![]
            }
        }),
    ));
    let newcomer =
        Identity::new("AssumedRole").with_arn("arn:aws:sts::111122223333:assumed-role/reports/job");
    cases.push((
        "clean 2 weeks: deploy bursts, weekends, IAM in us-east-1, a new role on day 10".into(),
        None,
        14,
        Box::new(move |h| {
            if h >= 10 * 24 && h % 24 >= 8 && h % 24 < 18 {
                (0..500)
                    .map(|i| {
                        AuditEvent::new(
                            at(h) + Duration::seconds(i * 7),
                            "athena.amazonaws.com",
                            "StartQueryExecution",
                            "eu-west-1",
                            "10.0.3.3",
                            newcomer.clone(),
                        )
                    })
                    .collect()
            } else {
                vec![]
            }
        }),
    ));
    let mut out = Vec::new();
    for (name, sev, days, extra) in cases {
        let mut rng = Rng::new(400);
        let mut det = CredentialCompromise::new(cfg)?;
        let mut d = Drill {
            mode: "F4",
            name,
            expect: expect(onset_h * 60, 60, sev),
            span: (t0(), at(days * 24)),
            findings: Vec::new(),
        };
        for h in 0..days * 24 {
            let mut events = background(sh, &mut rng, h);
            events.extend(extra(h));
            events.sort_by_key(|e| e.time);
            for e in events {
                d.findings.extend(det.push(e)?);
            }
        }
        out.push(d);
    }
    Ok(out)
}

/// F7: a bucket read ~15 times a minute (shaped by a network series).
fn f7(sh: &Shapes) -> Res<Vec<Drill>> {
    let cfg = LeakConfig::default();
    let public = || {
        let mut facts = BucketExposure::new("exports");
        facts.policy_is_public = Some(true);
        facts
    };
    let onset = 1440 + 12 * 60;
    // (name, expected, public from the start?, scan minute making it public, spike (start, len, factor))
    let mut cases: Vec<LeakCase> = Vec::new();
    cases.push((
        "bucket made public by a policy at 12:00 (scan)".into(),
        Some(Severity::Page),
        false,
        Some(onset),
        None,
    ));
    for k in [1.2, 2.0, 5.0] {
        cases.push((
            format!(
                "public bucket read at {:.0}x usual ({k}x min_ratio) for 30 min",
                k * cfg.min_ratio()
            ),
            Some(Severity::Page),
            true,
            None,
            Some((onset, 30, k * cfg.min_ratio())),
        ));
    }
    cases.push((
        "made public, read at 20x for 20 min, then scanned 45 min later".into(),
        Some(Severity::Page),
        false,
        Some(onset + 65),
        Some((onset, 20, 20.0)),
    ));
    cases.push((
        "clean week: private bucket, nightly export 40x for 15 min".into(),
        None,
        false,
        None,
        None,
    ));
    let mut out = Vec::new();
    for (i, (name, sev, from_start, scan, spike)) in cases.into_iter().enumerate() {
        let days = if sev.is_some() { 2 } else { 7 };
        let mut rng = Rng::new(700 + i as u64);
        let facts = if from_start {
            public()
        } else {
            BucketExposure::new("exports")
        };
        let mut det = PublicDataLeak::new(facts, cfg)?;
        let (onset_m, len) = spike.map_or((scan.unwrap_or(0), 60), |s| (s.0, s.1));
        let mut d = Drill {
            mode: "F7",
            name,
            expect: expect(onset_m, len, sev),
            span: (t0(), t0() + Duration::days(days)),
            findings: Vec::new(),
        };
        for m in 0..days * 1440 {
            let at = t0() + Duration::minutes(m);
            if scan == Some(m) {
                d.findings.extend(det.scan(at, public())?);
            }
            let factor = match spike {
                Some((s, l, f)) if (s..s + l).contains(&m) => f,
                None if sev.is_none() && (120..135).contains(&(m % 1440)) => 40.0,
                _ => 1.0,
            };
            let requests = rng.poisson(15.0 * sh.network.at(m, 0).min(3.0) * factor);
            let found = det.push(AccessSample { at, requests })?;
            // A bucket public before the drill began is reported at the first observation:
            // that known exposure is not what the spike drills measure.
            d.findings
                .extend(found.into_iter().filter(|_| !(from_start && m == 0)));
        }
        out.push(d);
    }
    Ok(out)
}

/// F8: hourly `EstimatedCharges` readings from Oct 5, spend ~10 USD an hour (weekends 70 %),
/// published `lag` hours behind usage; the incident from Nov 12 00:00 (usage time).
fn f8() -> Res<Vec<Drill>> {
    let cfg = CostConfig::default();
    let start = Utc
        .with_ymd_and_hms(2026, 10, 5, 0, 0, 0)
        .single()
        .ok_or("date")?;
    let onset = Utc
        .with_ymd_and_hms(2026, 11, 12, 0, 0, 0)
        .single()
        .ok_or("date")?;
    let onset_h = (onset - start).num_hours();
    // Per usage hour: the spend multiplier.
    type Fx = Box<dyn Fn(i64) -> f64>;
    let mut cases: Vec<(String, Option<Severity>, i64, Fx)> = Vec::new();
    let runaway = move |k: f64| -> Fx {
        Box::new(move |h| {
            if (onset_h..onset_h + 72).contains(&h) {
                k
            } else {
                1.0
            }
        })
    };
    for (k, sev) in [
        (1.2, Severity::Ticket),
        (2.0, Severity::Ticket),
        (5.0, Severity::Page),
    ] {
        let x = k * cfg.ticket_multiple();
        cases.push((
            format!("spend {x:.1}x trend ({k}x ticket_multiple) for 3 days"),
            Some(sev),
            6,
            runaway(x),
        ));
    }
    let x = 1.2 * cfg.page_multiple();
    cases.push((
        format!("spend {x:.0}x trend (1.2x page_multiple) for 3 days"),
        Some(Severity::Page),
        6,
        runaway(x),
    ));
    cases.push((
        "autoscaling loop doubles spend every 6 h (cap 64x)".into(),
        Some(Severity::Page),
        6,
        Box::new(move |h| {
            if (onset_h..onset_h + 72).contains(&h) {
                2f64.powi(((h - onset_h) / 6) as i32).min(64.0)
            } else {
                1.0
            }
        }),
    ));
    cases.push((
        "billing data 18 h late, spend 3x trend for 3 days".into(),
        Some(Severity::Ticket),
        18,
        runaway(3.0),
    ));
    cases.push((
        "clean 6 weeks: month reset, release +30 % (Oct 25), day without readings".into(),
        None,
        6,
        Box::new(move |h| if h >= 20 * 24 { 1.3 } else { 1.0 }),
    ));
    let mut out = Vec::new();
    for (i, (name, sev, lag, f)) in cases.into_iter().enumerate() {
        let mut rng = Rng::new(800 + i as u64);
        let mut det = CostRunaway::new("USD", cfg)?;
        let clean = sev.is_none();
        if clean {
            // An annual support fee, declared: not a runaway.
            det.declare(OneOffCharge {
                day: NaiveDate::from_ymd_opt(2026, 11, 16).ok_or("date")?,
                amount: 5000.0,
                description: "Business support, annual".into(),
            })?;
        }
        let hours = 42 * 24;
        let spend: Vec<f64> = (0..hours)
            .map(|h| {
                let at = start + Duration::hours(h);
                let weekend = matches!(at.weekday(), Weekday::Sat | Weekday::Sun);
                let diurnal = 1.0 + 0.3 * ((h % 24) as f64 / 24.0 * std::f64::consts::TAU).sin();
                10.0 * diurnal
                    * if weekend { 0.7 } else { 1.0 }
                    * (0.05 * rng.normal()).exp()
                    * f(h)
            })
            .collect();
        let mut d = Drill {
            mode: "F8",
            name,
            expect: Expect::Clean,
            span: (start, start + Duration::hours(hours)),
            findings: Vec::new(),
        };
        if let Some(severity) = sev {
            d.expect = Expect::Incident {
                onset,
                until: onset + Duration::hours(72),
                severity,
            };
        }
        let (mut month, mut total) = (start.month(), 0.0);
        for h in lag..hours {
            let at = start + Duration::hours(h);
            // The reading at `at` shows usage up to `at - lag`, in the month of that usage.
            let usage_at = start + Duration::hours(h - lag);
            if usage_at.month() != month {
                (month, total) = (usage_at.month(), 0.0);
            }
            total += spend[(h - lag) as usize];
            if clean && (at.month(), at.day()) == (10, 28) {
                continue;
            }
            if clean && (usage_at.month(), usage_at.day(), usage_at.hour()) == (11, 16, 12) {
                total += 5000.0;
            }
            d.findings.extend(det.push(ChargeSample {
                at,
                estimated_charges: total,
            })?);
        }
        out.push(d);
    }
    Ok(out)
}
