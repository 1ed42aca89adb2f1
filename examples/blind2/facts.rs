//! The drills of the second blind game day that read facts rather than one metric: F4
//! (CloudTrail events), F7 (bucket scans and requests) and F8 (estimated charges).

use failure_modes::aws_telemetry::audit::parse_record;
use failure_modes::chrono::{Datelike, Duration, TimeZone, Timelike, Utc, Weekday};
use failure_modes::{
    AccessSample, AuditEvent, BucketExposure, ChargeSample, CompromiseConfig, CostConfig,
    CostRunaway, CredentialCompromise, Detector, Identity, LeakConfig, PublicDataLeak, Severity,
    SignInOutcome,
};

use crate::metrics::Res;
use crate::{Drill, Expect, Rng, Shapes2, cycle, t0};

/// All drills of F4, F7 and F8.
pub(crate) fn drills(sh: &Shapes2) -> Res<Vec<Drill>> {
    let mut out = f4(sh)?;
    out.extend(f7(sh)?);
    out.extend(f8()?);
    Ok(out)
}

fn incident(onset_m: i64, len: i64, severity: Option<Severity>) -> Expect {
    let at = |m: i64| t0() + Duration::minutes(m);
    severity.map_or(Expect::Clean, |severity| Expect::Incident {
        onset: at(onset_m),
        until: at(onset_m + len),
        severity,
    })
}

fn app() -> Identity {
    Identity::new("AssumedRole").with_arn("arn:aws:sts::111122223333:assumed-role/app/i-0f00")
}

fn ci() -> Identity {
    Identity::new("AssumedRole").with_arn("arn:aws:sts::111122223333:assumed-role/ci-deploy/run")
}

/// Hour `h`'s background: the app role's calls (the traffic shape with its daily peak and
/// weekends), the CI role's deploys (0-4 a day at random hours, nights and weekends too, 300-
/// 3,000 calls in ten minutes each), alice's weekday sign-in with MFA. Returns the events and
/// the app role's count.
fn background(sh: &Shapes2, rng: &mut Rng, deploys: &[(i64, i64)], h: i64) -> Vec<AuditEvent> {
    let start = t0() + Duration::hours(h);
    let n = rng.poisson(150.0 * sh.traffic.at(h * 60, 0) * cycle(start)) as i64;
    let mut out: Vec<AuditEvent> = (0..n)
        .map(|i| {
            AuditEvent::new(
                start + Duration::seconds(i * 3600 / n.max(1)),
                "dynamodb.amazonaws.com",
                "GetItem",
                "eu-central-1",
                "10.1.2.3",
                app(),
            )
        })
        .collect();
    for &(_, calls) in deploys.iter().filter(|(dh, _)| *dh == h) {
        out.extend((0..calls).map(|i| {
            AuditEvent::new(
                start + Duration::milliseconds(5 * 60_000 + i * 600_000 / calls),
                "cloudformation.amazonaws.com",
                "DescribeStackEvents",
                "eu-central-1",
                "10.1.9.9",
                ci(),
            )
        }));
    }
    let weekend = matches!(start.weekday(), Weekday::Sat | Weekday::Sun);
    if !weekend && start.hour() == 9 {
        out.push(
            AuditEvent::new(
                start + Duration::minutes(2),
                "signin.amazonaws.com",
                "ConsoleLogin",
                "us-east-1",
                "198.51.100.20",
                Identity::new("IAMUser")
                    .with_user_name("alice")
                    .with_arn("arn:aws:iam::111122223333:user/alice"),
            )
            .with_sign_in(SignInOutcome::Success)
            .with_mfa(true),
        );
    }
    out
}

/// A raw CloudTrail console sign-in record.
fn sign_in_record(at: &str, identity: &str, result: &str, mfa: &str, error: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{identity},"eventTime":"{at}","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.50","userAgent":"Mozilla/5.0","requestParameters":null,"responseElements":{{"ConsoleLogin":"{result}"}},"additionalEventData":{{"LoginTo":"https://console.aws.amazon.com/","MobileVersion":"No","MFAUsed":"{mfa}"}}{error},"eventID":"3f2c9c1e-0000-4000-8000-000000000001","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}}"#
    )
}

fn f4(sh: &Shapes2) -> Res<Vec<Drill>> {
    let cfg = CompromiseConfig::default();
    let days = 14;
    // The CI role's deploys: (hour, calls), drawn once.
    let mut rng = Rng::new(1400);
    let mut deploys = Vec::new();
    for d in 0..days {
        for _ in 0..(rng.uniform() * 5.0) as i64 {
            let h = d * 24 + (rng.uniform() * 24.0) as i64;
            deploys.push((h, 300 + (rng.uniform() * 2700.0) as i64));
        }
    }
    let onset_h = 9 * 24 + 3;
    // The app role's hourly counts (same seed as the runs): its decayed busiest hours at the
    // onset, as the documented burst bar reads them.
    let mut rng = Rng::new(1401);
    let counts: Vec<f64> = (0..onset_h + 1)
        .map(|h| {
            background(sh, &mut rng, &[], h)
                .iter()
                .filter(|e| e.name == "GetItem")
                .count() as f64
        })
        .collect();
    let decayed = |h: i64| counts[h as usize] * cfg.daily_decay().powf((onset_h - h) as f64 / 24.0);
    let weekday = |h: i64| {
        !matches!(
            (t0() + Duration::hours(h)).weekday(),
            Weekday::Sat | Weekday::Sun
        )
    };
    let same_hour = (0..onset_h - 23)
        .filter(|&h| weekday(h) && ((h % 24) - 3).abs() <= 1)
        .map(decayed)
        .fold(0.0, f64::max);
    let overall = (0..onset_h).map(decayed).fold(0.0, f64::max);
    let bar = (cfg.burst_multiple() * same_hour)
        .max(cfg.overall_multiple() * overall)
        .max(f64::from(cfg.min_burst()));
    let own = counts[onset_h as usize];
    let at = |h: i64| t0() + Duration::hours(h);
    let alice = r#"{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}"#;
    let root = r#"{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}"#;
    let when = at(onset_h) + Duration::minutes(4);
    let stamp = when.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let failed = parse_record(
        &sign_in_record(
            &stamp,
            alice,
            "Failure",
            "No",
            r#","errorMessage":"Failed authentication""#,
        ),
        "drill",
        0,
    )?;
    let root_ok = parse_record(
        &sign_in_record(&stamp, root, "Success", "No", ""),
        "drill",
        0,
    )?;
    let built = AuditEvent::new(
        when,
        "signin.amazonaws.com",
        "ConsoleLogin",
        "us-east-1",
        "203.0.113.50",
        Identity::new("IAMUser")
            .with_user_name("alice")
            .with_arn("arn:aws:iam::111122223333:user/alice"),
    )
    .with_sign_in(SignInOutcome::Failure)
    .with_mfa(false);
    let burst = |k: f64| -> Vec<AuditEvent> {
        let n = (k * bar - own).ceil().max(0.0) as i64;
        (0..n)
            .map(|i| {
                AuditEvent::new(
                    at(onset_h) + Duration::milliseconds(60_000 + i * 3_000_000 / n.max(1)),
                    "s3.amazonaws.com",
                    "GetObject",
                    "eu-central-1",
                    "10.1.2.3",
                    app(),
                )
            })
            .collect()
    };
    let sunday = 13 * 24 + 3;
    let new_region = (0..15)
        .map(|i| {
            AuditEvent::new(
                at(sunday) + Duration::minutes(10 + i),
                "ec2.amazonaws.com",
                "RunInstances",
                "ap-south-1",
                "203.0.113.77",
                ci(),
            )
        })
        .collect::<Vec<_>>();
    let cases: Vec<(String, Option<Severity>, i64, Vec<AuditEvent>)> =
        vec![
        (
            "D-4a clean 2 weeks: app daily peak, CI deploys at random hours".into(),
            None,
            onset_h,
            vec![],
        ),
        (
            "D-4b failed console sign-in (raw record: Failure, Failed authentication, MFAUsed No)"
                .into(),
            None,
            onset_h,
            vec![failed],
        ),
        (
            "D-4c failed console sign-in (builder: SignInOutcome::Failure, no MFA)".into(),
            None,
            onset_h,
            vec![built],
        ),
        (
            "D-4d root console sign-in without MFA (raw record)".into(),
            Some(Severity::Page),
            onset_h,
            vec![root_ok],
        ),
        (
            format!("D-4e app burst at 1.1x the bar ({:.0} calls in the hour)", 1.1 * bar),
            Some(Severity::Page),
            onset_h,
            burst(1.1),
        ),
        (
            format!("D-4f app burst at 0.9x the bar ({:.0} calls, nuisance)", 0.9 * bar),
            None,
            onset_h,
            burst(0.9),
        ),
        (
            "D-4g CI role calls RunInstances from ap-south-1, Sunday 03:00".into(),
            Some(Severity::Page),
            sunday,
            new_region,
        ),
    ];
    let mut out = Vec::new();
    for (name, sev, hour, extra) in cases {
        let mut rng = Rng::new(1401);
        let mut det = CredentialCompromise::new(cfg)?;
        let mut d = Drill {
            mode: "F4",
            name,
            expect: incident(hour * 60, 60, sev),
            span: (t0(), at(days * 24)),
            findings: Vec::new(),
        };
        for h in 0..days * 24 {
            let mut events = background(sh, &mut rng, &deploys, h);
            if h == hour {
                events.extend(extra.iter().cloned());
            }
            events.sort_by_key(|e| e.time);
            for e in events {
                d.findings.extend(det.push(e)?);
            }
        }
        out.push(d);
    }
    Ok(out)
}

/// An F7 drill: name, expected, days, known public from the start, minute made public (hourly
/// scans see it), reads a minute at the peak, sparse (minutes without reads publish nothing),
/// spike (start, minutes, factor; a factor above 50 is reads a minute instead), nightly burst.
type LeakCase = (
    String,
    Option<Severity>,
    i64,
    bool,
    Option<i64>,
    f64,
    bool,
    Option<(i64, i64, f64)>,
    Option<f64>,
);

fn f7(sh: &Shapes2) -> Res<Vec<Drill>> {
    let cfg = LeakConfig::default();
    let r = cfg.min_ratio();
    let public = || {
        let mut facts = BucketExposure::new("reports-archive");
        facts.policy_is_public = Some(true);
        facts
    };
    let made = 1440 + 11 * 60 + 30;
    let spike = 2 * 1440 + 15 * 60;
    let page = Some(Severity::Page);
    let cases: Vec<LeakCase> = vec![
        (
            "D-7a made public 11:30, read 20x from 11:30 for 60 min, scan at 12:00".into(),
            page,
            3,
            false,
            Some(made),
            15.0,
            false,
            Some((made, 60, 20.0)),
            None,
        ),
        (
            "D-7b sparse public bucket (~5 reads a day), 300 reads/min for 20 min on day 10".into(),
            page,
            14,
            true,
            None,
            5.0 / 1440.0,
            true,
            Some((10 * 1440 + 14 * 60, 20, 300.0 * 1440.0 / 5.0)),
            Some(30.0),
        ),
        (
            "D-7c sparse public bucket, clean 2 weeks, nightly sync of 30 reads".into(),
            None,
            14,
            true,
            None,
            5.0 / 1440.0,
            true,
            None,
            Some(30.0),
        ),
        (
            format!(
                "D-7d public bucket ~200 reads/min, {:.1}x usual (1.1x min_ratio) 30 min",
                1.1 * r
            ),
            page,
            4,
            true,
            None,
            200.0,
            false,
            Some((spike, 30, 1.1 * r)),
            None,
        ),
        (
            format!("D-7e as D-7d at {:.1}x usual (0.9x, nuisance)", 0.9 * r),
            None,
            4,
            true,
            None,
            200.0,
            false,
            Some((spike, 30, 0.9 * r)),
            None,
        ),
        (
            "D-7f clean 2 weeks, private bucket, nightly export 40x for 15 min".into(),
            None,
            14,
            false,
            None,
            15.0,
            false,
            None,
            Some(40.0),
        ),
    ];
    let mut out = Vec::new();
    for (i, (name, sev, days, from_start, made, rate, sparse, spike, nightly)) in
        cases.into_iter().enumerate()
    {
        let mut rng = Rng::new(1700 + i as u64);
        let mut det = PublicDataLeak::new(
            if from_start {
                public()
            } else {
                BucketExposure::new("reports-archive")
            },
            cfg,
        )?;
        // A bucket known public from the start: that known exposure is not what is scored.
        let _ = det.assess(t0());
        let (onset, len) = match (made, spike) {
            (Some(m), _) => (m, 30),
            (None, Some((s, l, _))) => (s, l),
            _ => (0, 0),
        };
        let mut d = Drill {
            mode: "F7",
            name,
            expect: incident(onset, len, sev),
            span: (t0(), t0() + Duration::days(days)),
            findings: Vec::new(),
        };
        for m in 0..days * 1440 {
            let at = t0() + Duration::minutes(m);
            if m % 60 == 0 && made.is_some_and(|p| m >= p) {
                d.findings.extend(det.scan(at, public())?);
            }
            let mut mean = rate * sh.reads.at(m, 0) * cycle(at);
            if let Some((s, l, f)) = spike
                && (s..s + l).contains(&m)
            {
                mean = if f > 50.0 { rate * f } else { mean * f };
            }
            // Nightly: a sync of `n` reads in one minute (sparse), or an export at `n`x for
            // 15 minutes.
            match nightly {
                Some(n) if sparse && m % 1440 == 130 => mean += n,
                Some(n) if !sparse && (120..135).contains(&(m % 1440)) => mean *= n,
                _ => {}
            }
            let requests = rng.poisson(mean);
            if sparse && requests == 0.0 {
                continue;
            }
            d.findings.extend(det.push(AccessSample { at, requests })?);
        }
        out.push(d);
    }
    Ok(out)
}

/// F8: readings every `every` hours, `lag` hours behind usage, from Monday Oct 5; ~10 USD an
/// hour (weekends 70 %); the runaway from Wed Nov 11 00:00 (usage time) for `days` days.
fn f8() -> Res<Vec<Drill>> {
    let cfg = CostConfig::default();
    let (tm, pm) = (cfg.ticket_multiple(), cfg.page_multiple());
    let start = Utc
        .with_ymd_and_hms(2026, 10, 5, 0, 0, 0)
        .single()
        .ok_or("date")?;
    let onset = Utc
        .with_ymd_and_hms(2026, 11, 11, 0, 0, 0)
        .single()
        .ok_or("date")?;
    let t = Some(Severity::Ticket);
    let p = Some(Severity::Page);
    // name, expected, multiple, days, reading every (h), lag (h)
    let cases: Vec<(String, Option<Severity>, f64, i64, i64, i64)> = vec![
        ("D-8a a 2.5x day".into(), t, 2.5, 1, 6, 8),
        ("D-8b 2.2x for three days".into(), t, 2.2, 3, 6, 8),
        ("D-8c exactly 2x for a day".into(), t, 2.0, 1, 6, 8),
        ("D-8d a single 10x day".into(), p, 10.0, 1, 6, 8),
        (
            format!("D-8e {:.1}x day (1.1x page_multiple)", 1.1 * pm),
            p,
            1.1 * pm,
            1,
            6,
            8,
        ),
        (
            format!("D-8f {:.1}x day (0.9x page_multiple)", 0.9 * pm),
            t,
            0.9 * pm,
            1,
            6,
            8,
        ),
        (
            format!(
                "D-8g {:.1}x for three days (0.9x ticket_multiple, nuisance)",
                0.9 * tm
            ),
            None,
            0.9 * tm,
            3,
            6,
            8,
        ),
        (
            "D-8h clean 6 weeks, hourly readings, 4 h lag".into(),
            None,
            1.0,
            0,
            1,
            4,
        ),
    ];
    let mut out = Vec::new();
    for (i, (name, sev, k, days, every, lag)) in cases.into_iter().enumerate() {
        let mut rng = Rng::new(1800 + i as u64);
        let mut det = CostRunaway::new("USD", cfg)?;
        let hours = 46 * 24;
        let end = onset + Duration::days(days);
        let spend: Vec<f64> = (0..hours)
            .map(|h| {
                let at = start + Duration::hours(h);
                let weekend = matches!(at.weekday(), Weekday::Sat | Weekday::Sun);
                let diurnal = 1.0 + 0.3 * ((h % 24) as f64 / 24.0 * std::f64::consts::TAU).sin();
                let m = if at >= onset && at < end { k } else { 1.0 };
                10.0 * diurnal * if weekend { 0.7 } else { 1.0 } * (0.05 * rng.normal()).exp() * m
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
                until: end,
                severity,
            };
        }
        let (mut month, mut total) = (start.month(), 0.0);
        let mut next = lag;
        for h in lag..hours {
            let usage_at = start + Duration::hours(h - lag);
            if usage_at.month() != month {
                (month, total) = (usage_at.month(), 0.0);
            }
            total += spend[(h - lag) as usize];
            if h >= next {
                next += every;
                d.findings.extend(det.push(ChargeSample {
                    at: start + Duration::hours(h),
                    estimated_charges: total,
                })?);
            }
        }
        out.push(d);
    }
    Ok(out)
}
