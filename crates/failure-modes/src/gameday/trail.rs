//! Drills for F4: three weeks of CloudTrail events of principals with habits, the
//! application's volume following the shape.

use aws_telemetry::{AuditEvent, Identity, SignInOutcome};
use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};
use sli_core::Severity;

use super::metrics::rng_for;
use super::{Background, Drill, DrillPlan, Expected, drill_start, incident_time};
use crate::error::Result;
use crate::mode::FailureMode;
use crate::scenarios::{Rng, sometimes_denied, stolen_key_launch};

fn user(name: &str) -> Identity {
    Identity::new("IAMUser")
        .with_arn(format!("arn:aws:iam::123456789012:user/{name}"))
        .with_account_id("123456789012")
        .with_user_name(name)
        .with_access_key_id(format!("AKIA{}", name.to_uppercase()))
}

fn role(name: &str, session: u64) -> Identity {
    Identity::new("AssumedRole")
        .with_arn(format!(
            "arn:aws:sts::123456789012:assumed-role/{name}/session-{session}"
        ))
        .with_account_id("123456789012")
}

/// `count` events spread at random over `minutes` from `from`.
fn spread(
    events: &mut Vec<AuditEvent>,
    rng: &mut Rng,
    from: DateTime<Utc>,
    minutes: i64,
    count: f64,
    make: &dyn Fn(DateTime<Utc>, &mut Rng) -> AuditEvent,
) {
    for _ in 0..rng.poisson(count.min(1e5)) as u64 {
        let second = (rng.uniform() * minutes as f64 * 60.0) as i64;
        let event = make(from + TimeDelta::seconds(second), rng);
        events.push(event);
    }
}

/// F4: three weeks of CloudTrail from 2026-10-05. An application role (new session every six
/// hours) calls DynamoDB in eu-west-1 `base` × the shape times an hour (30, 120 or 400 at the
/// median, by seed), a worker role calls S3 a quarter as often; the deploy role (a known
/// deployer) runs one to four deploys a day at any hour, each 300–800 calls in ten minutes
/// across CloudFormation, ECS, ECR and IAM in eu-west-1 and us-east-1; a CI user pushes to ECR
/// hourly; two engineers sign in with MFA on weekday mornings (now and then after a mistyped
/// password) and call EC2 during office hours, 3 % denied; an admin rotates an access key on
/// day 2. Drills: a clean three weeks; after the week of learning, the CI user's key used from
/// ap-east-1 (300 calls an hour for two hours, a third denied, a new access key); the
/// application role probed from outside (200 denied calls in 20 minutes); an engineer's
/// console sign-in without MFA at 03:00 from a new address; an engineer's key enumerating
/// (2,000 calls in an hour). All pages: security incidents.
///
/// # Errors
/// None at present (the generator makes valid input).
pub fn audit_trail(background: &Background, seed: u64) -> Result<Vec<Drill<AuditEvent>>> {
    let base = [30.0, 120.0, 400.0][(seed % 3) as usize];
    let days = 21;
    let variants = [
        "clean weeks",
        "CI key used from a new region",
        "application role probed (AccessDenied storm)",
        "console sign-in without MFA",
        "engineer's key enumerating",
    ];
    let mut drills = Vec::new();
    for (v, label) in variants.into_iter().enumerate() {
        let mut rng = rng_for(background, seed, 40 + v as u64);
        let incident = (v > 0).then(|| incident_time(&mut rng, 9, 10));
        let (ci, alice, bob, carol) = (user("ci"), user("alice"), user("bob"), user("carol"));
        let mut events = Vec::new();
        for hour in 0..days * 24 {
            let at = drill_start() + TimeDelta::hours(hour as i64);
            let shape = background.mean(hour * 60, 60).min(10.0);
            let app = role("app", hour as u64 / 6);
            spread(&mut events, &mut rng, at, 60, base * shape, &|t, rng| {
                let name = if rng.uniform() < 0.7 {
                    "GetItem"
                } else {
                    "PutItem"
                };
                AuditEvent::new(
                    t,
                    "dynamodb.amazonaws.com",
                    name,
                    "eu-west-1",
                    "10.0.3.7",
                    app.clone(),
                )
            });
            let worker = role("worker", hour as u64 / 6);
            spread(
                &mut events,
                &mut rng,
                at,
                60,
                base * shape / 4.0,
                &|t, rng| {
                    let name = if rng.uniform() < 0.5 {
                        "GetObject"
                    } else {
                        "PutObject"
                    };
                    AuditEvent::new(
                        t,
                        "s3.amazonaws.com",
                        name,
                        "eu-west-1",
                        "10.0.4.2",
                        worker.clone(),
                    )
                },
            );
            spread(&mut events, &mut rng, at, 60, 6.0, &|t, _| {
                AuditEvent::new(
                    t,
                    "ecr.amazonaws.com",
                    "GetAuthorizationToken",
                    "eu-west-1",
                    "198.51.100.10",
                    ci.clone(),
                )
            });
            // Deploys: on average 2.5 a day, at any hour.
            if rng.uniform() < 2.5 / 24.0 {
                let deploy = role("deploy", hour as u64);
                let calls = 300.0 + 500.0 * rng.uniform();
                let from = at + TimeDelta::minutes((rng.next_u64() % 50) as i64);
                spread(&mut events, &mut rng, from, 10, calls, &|t, rng| {
                    let (source, name, region) = match rng.next_u64() % 5 {
                        0 => (
                            "cloudformation.amazonaws.com",
                            "DescribeStacks",
                            "eu-west-1",
                        ),
                        1 => ("ecs.amazonaws.com", "UpdateService", "eu-west-1"),
                        2 => ("ecr.amazonaws.com", "PutImage", "eu-west-1"),
                        3 => ("iam.amazonaws.com", "PassRole", "us-east-1"),
                        _ => (
                            "cloudformation.amazonaws.com",
                            "DescribeStackEvents",
                            "us-east-1",
                        ),
                    };
                    AuditEvent::new(t, source, name, region, "198.51.100.20", deploy.clone())
                });
            }
            let weekday = at.weekday().num_days_from_monday() < 5;
            if weekday && (9..18).contains(&at.hour()) {
                for person in [&alice, &bob] {
                    if at.hour() == 9 {
                        let ip = if person.user_name.as_deref() == Some("alice") {
                            "192.0.2.55"
                        } else {
                            "192.0.2.56"
                        };
                        let login = |t| {
                            AuditEvent::new(
                                t,
                                "signin.amazonaws.com",
                                "ConsoleLogin",
                                "us-east-1",
                                ip,
                                person.clone(),
                            )
                        };
                        if rng.uniform() < 0.15 {
                            events.push(
                                login(at + TimeDelta::minutes(1))
                                    .with_mfa(false)
                                    .with_sign_in(SignInOutcome::Failure),
                            );
                        }
                        events.push(
                            login(at + TimeDelta::minutes(2))
                                .with_mfa(true)
                                .with_sign_in(SignInOutcome::Success),
                        );
                    }
                    spread(&mut events, &mut rng, at, 60, 20.0, &|t, rng| {
                        let event = AuditEvent::new(
                            t,
                            "ec2.amazonaws.com",
                            "DescribeInstances",
                            "eu-west-1",
                            "192.0.2.55",
                            person.clone(),
                        );
                        sometimes_denied(event, rng, 0.03)
                    });
                }
            }
            if hour == 24 + 11 {
                events.push(AuditEvent::new(
                    at,
                    "iam.amazonaws.com",
                    "CreateAccessKey",
                    "us-east-1",
                    "192.0.2.57",
                    carol.clone(),
                ));
            }
            if let Some(start) = incident.filter(|i| at <= *i && *i < at + TimeDelta::hours(1)) {
                match v {
                    1 => {
                        for h in 0..2 {
                            spread(
                                &mut events,
                                &mut rng,
                                start + TimeDelta::hours(h),
                                60,
                                300.0,
                                &|t, rng| stolen_key_launch(t, rng, &ci),
                            );
                        }
                        events.push(AuditEvent::new(
                            start + TimeDelta::minutes(20),
                            "iam.amazonaws.com",
                            "CreateAccessKey",
                            "us-east-1",
                            "203.0.113.66",
                            ci.clone(),
                        ));
                    }
                    2 => {
                        let stolen = role("app", 9999);
                        spread(&mut events, &mut rng, start, 20, 200.0, &|t, rng| {
                            let (source, name) = if rng.uniform() < 0.5 {
                                ("iam.amazonaws.com", "ListUsers")
                            } else {
                                ("s3.amazonaws.com", "ListBuckets")
                            };
                            AuditEvent::new(
                                t,
                                source,
                                name,
                                "eu-west-1",
                                "203.0.113.77",
                                stolen.clone(),
                            )
                            .with_error("AccessDenied")
                        });
                    }
                    3 => {
                        let night = start
                            .date_naive()
                            .and_hms_opt(3, 0, 0)
                            .map_or(start, |t| t.and_utc())
                            .max(start);
                        events.push(
                            AuditEvent::new(
                                night,
                                "signin.amazonaws.com",
                                "ConsoleLogin",
                                "us-east-1",
                                "203.0.113.88",
                                bob.clone(),
                            )
                            .with_mfa(false)
                            .with_sign_in(SignInOutcome::Success),
                        );
                    }
                    _ => {
                        spread(&mut events, &mut rng, start, 60, 2000.0, &|t, rng| {
                            let name = [
                                "DescribeInstances",
                                "DescribeSecurityGroups",
                                "DescribeSnapshots",
                                "DescribeVolumes",
                            ][(rng.next_u64() % 4) as usize];
                            AuditEvent::new(
                                t,
                                "ec2.amazonaws.com",
                                name,
                                "eu-west-1",
                                "203.0.113.99",
                                alice.clone(),
                            )
                        });
                    }
                }
            }
        }
        let end = drill_start() + TimeDelta::days(days as i64);
        events.retain(|e| e.time < end);
        events.sort_by_key(|e| e.time);
        let incident = incident.map(|start| {
            let (start, minutes) = match v {
                3 => (
                    start
                        .date_naive()
                        .and_hms_opt(3, 0, 0)
                        .map_or(start, |t| t.and_utc())
                        .max(start),
                    1,
                ),
                1 => (start, 120),
                2 => (start, 20),
                _ => (start, 60),
            };
            Expected {
                label: label.to_owned(),
                start,
                end: start + TimeDelta::minutes(minutes),
                severity: Severity::Page,
                grace: TimeDelta::minutes(60),
            }
        });
        let plan = DrillPlan::new(
            FailureMode::CredentialCompromise,
            TimeDelta::days(days as i64),
            TimeDelta::days(7),
        );
        drills.push(plan.drill(background, label, events, incident));
    }
    Ok(drills)
}
