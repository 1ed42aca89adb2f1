//! The generators: a [`GameDay`]'s telemetry for each failure mode, with or without an
//! [`Incident`].

use chrono::{Datelike, TimeDelta, Timelike};

use super::{GameDay, Incident, Traffic, active, emit, stolen_key_launch};
use crate::detectors::cold_start::ColdStartSample;
use crate::detectors::connections::ConnectionSample;
use crate::detectors::cost::ChargeSample;
use crate::detectors::exposure::AccessSample;
use crate::detectors::partition::{ZoneObservation, ZoneSample};
use crate::detectors::quota::QuotaSample;
use crate::detectors::throttling::ThrottleSample;
use aws_telemetry::{AuditEvent, Identity};

impl GameDay {
    /// F1: an operation called about 600 times a step at the mean, 0.1 % throttled. During
    /// the incident, `magnitude` is the throttled share.
    pub fn throttling(&self, incident: Option<Incident>) -> Vec<ThrottleSample> {
        let traffic = Traffic {
            base: 600.0,
            ..Traffic::default()
        };
        self.each(1, |at, elapsed, rng| {
            let calls = rng.poisson(traffic.expected(at, elapsed));
            let share = active(incident, at).map_or(0.001, |i| i.magnitude.clamp(0.0, 1.0));
            let throttled = rng.poisson(calls * share).min(calls);
            ThrottleSample {
                at,
                calls,
                throttled,
            }
        })
    }

    /// F2: a load balancer in `zones`, p95 latency about 80 ms rising with load, 0.05 % 5xx.
    /// During `incident` the first zone's latency is `magnitude` × and 5 % of its requests
    /// fail; during `surge` every zone's traffic and latency are `magnitude` × (a fleet-wide
    /// event that is not a partition).
    pub fn partition(
        &self,
        zones: &[&str],
        incident: Option<Incident>,
        surge: Option<Incident>,
    ) -> Vec<ZoneSample> {
        let traffic = Traffic {
            base: 300.0,
            ..Traffic::default()
        };
        self.each(2, |at, elapsed, rng| {
            let load = traffic.expected(at, elapsed);
            let surge_factor = active(surge, at).map_or(1.0, |s| s.magnitude);
            let zones = zones
                .iter()
                .enumerate()
                .map(|(index, zone)| {
                    let requests = rng.poisson(load * surge_factor);
                    let hit = active(incident, at).filter(|_| index == 0);
                    let latency = 0.08
                        * (1.0 + 0.3 * load / traffic.base)
                        * (0.08 * rng.normal()).exp()
                        * surge_factor
                        * hit.map_or(1.0, |i| i.magnitude);
                    let error_share = if hit.is_some() { 0.05 } else { 0.0005 };
                    ZoneObservation {
                        zone: (*zone).to_owned(),
                        latency: Some(latency),
                        requests,
                        errors: rng.poisson(requests * error_share).min(requests),
                    }
                })
                .collect();
            ZoneSample { at, zones }
        })
    }

    /// F3: whole units of a quota of `limit`, used at about 45 % with a daily cycle and growth.
    /// During the incident (a leak, a runaway scaling loop) usage climbs linearly by
    /// `magnitude` × `limit` and stays; usage never exceeds the limit.
    pub fn quota(&self, limit: f64, incident: Option<Incident>) -> Vec<QuotaSample> {
        let traffic = Traffic {
            base: 0.45 * limit,
            daily_swing: 0.3,
            weekly_growth: 0.02,
            noise: 0.02,
        };
        self.each(3, |at, elapsed, rng| {
            let leak = incident
                .filter(|i| at >= i.start)
                .map_or(0.0, |i| i.progress(at) * i.magnitude * limit);
            QuotaSample {
                at,
                usage: (traffic.sample(at, elapsed, rng) + leak).round().min(limit),
            }
        })
    }

    /// F5: a function at about 20 concurrent executions, p95 about 120 ms, with Lambda
    /// Insights reporting an occasional cold start. During the incident concurrency jumps
    /// `magnitude` × and p95 triples with long init durations.
    pub fn cold_starts(&self, incident: Option<Incident>) -> Vec<ColdStartSample> {
        let traffic = Traffic {
            base: 20.0,
            ..Traffic::default()
        };
        self.each(5, |at, elapsed, rng| {
            let concurrency = traffic.sample(at, elapsed, rng).round();
            let warm = 120.0 * (0.06 * rng.normal()).exp();
            match active(incident, at) {
                Some(i) => ColdStartSample {
                    at,
                    p95_ms: 3.0 * warm,
                    concurrency: (concurrency * i.magnitude).round(),
                    init_ms: Some(650.0 + 50.0 * rng.normal().abs()),
                },
                None => ColdStartSample {
                    at,
                    p95_ms: warm,
                    concurrency,
                    init_ms: (rng.uniform() < 0.2).then(|| 300.0 + 30.0 * rng.normal().abs()),
                },
            }
        })
    }

    /// F6: a database with `max_connections`, three connections per upstream execution plus a
    /// fixed 10, upstream at about 40 executions. During the incident upstream concurrency
    /// climbs linearly to `magnitude` × (a scale-out storm); connections never exceed the
    /// limit.
    pub fn connections(
        &self,
        max_connections: f64,
        incident: Option<Incident>,
    ) -> Vec<ConnectionSample> {
        let traffic = Traffic {
            base: 40.0,
            ..Traffic::default()
        };
        self.each(6, |at, elapsed, rng| {
            let scale =
                active(incident, at).map_or(1.0, |i| 1.0 + (i.magnitude - 1.0) * i.progress(at));
            let upstream = (traffic.sample(at, elapsed, rng) * scale).round();
            ConnectionSample {
                at,
                connections: (10.0 + 3.0 * upstream + rng.poisson(2.0)).min(max_connections),
                upstream: Some(upstream),
            }
        })
    }

    /// F7: requests to a bucket, about 30 a step. During the incident, `magnitude` × (someone
    /// downloading everything).
    pub fn bucket_access(&self, incident: Option<Incident>) -> Vec<AccessSample> {
        let traffic = Traffic {
            base: 30.0,
            ..Traffic::default()
        };
        self.each(7, |at, elapsed, rng| {
            let factor = active(incident, at).map_or(1.0, |i| i.magnitude);
            AccessSample {
                at,
                requests: rng.poisson(traffic.expected(at, elapsed) * factor),
            }
        })
    }

    /// F8: hourly `EstimatedCharges` readings over the game day's span (whatever its step),
    /// about 240 a day with a daily cycle and growth, month-to-date and reset on the 1st.
    /// During the incident, spend per hour is `magnitude` × (a job left running).
    pub fn charges(&self, incident: Option<Incident>) -> Vec<ChargeSample> {
        let traffic = Traffic {
            base: 10.0,
            daily_swing: 0.3,
            weekly_growth: 0.02,
            noise: 0.1,
        };
        let mut rng = self.rng(8);
        let end = self.end();
        let mut at = self.start;
        let mut month_to_date = 0.0;
        let mut readings = Vec::new();
        while at < end {
            if at.day() == 1 && at.hour() == 0 {
                month_to_date = 0.0;
            }
            let factor = active(incident, at).map_or(1.0, |i| i.magnitude);
            month_to_date += traffic.sample(at, at - self.start, &mut rng) * factor;
            readings.push(ChargeSample {
                at,
                estimated_charges: month_to_date,
            });
            at += TimeDelta::hours(1);
        }
        readings
    }

    /// F4: CloudTrail events of three principals with habits — a CI user calling S3 and ECR in
    /// two regions around the clock, an application role in one region, a human who signs in
    /// with MFA on weekday mornings, sometimes hits AccessDenied, and created an access key on
    /// the second day. During the incident the CI user's key is used from `ap-east-1`:
    /// `magnitude` calls per hour, a third denied, and a new access key minted.
    pub fn audit_events(&self, incident: Option<Incident>) -> Vec<AuditEvent> {
        let mut rng = self.rng(4);
        let end = self.end();
        let user = |name: &str| {
            Identity::new("IAMUser")
                .with_arn(format!("arn:aws:iam::123456789012:user/{name}"))
                .with_account_id("123456789012")
                .with_user_name(name)
                .with_access_key_id(format!("AKIA{}", name.to_uppercase()))
        };
        let (ci, alice) = (user("ci"), user("alice"));
        let app = Identity::new("AssumedRole")
            .with_arn("arn:aws:sts::123456789012:assumed-role/app/i-0abc")
            .with_account_id("123456789012");
        let mut events = Vec::new();
        let mut hour = self.start;
        while hour < end {
            let working =
                hour.weekday().num_days_from_monday() < 5 && (9..18).contains(&hour.hour());
            emit(&mut events, &mut rng, hour, 40.0, &|at, rng| {
                let region = if rng.uniform() < 0.7 {
                    "eu-west-1"
                } else {
                    "us-east-1"
                };
                let (source, name) = if rng.uniform() < 0.5 {
                    ("s3.amazonaws.com", "PutObject")
                } else {
                    ("ecr.amazonaws.com", "GetAuthorizationToken")
                };
                AuditEvent::new(at, source, name, region, "198.51.100.10", ci.clone())
            });
            emit(&mut events, &mut rng, hour, 80.0, &|at, _| {
                AuditEvent::new(
                    at,
                    "dynamodb.amazonaws.com",
                    "GetItem",
                    "eu-west-1",
                    "10.0.3.7",
                    app.clone(),
                )
            });
            if working {
                emit(&mut events, &mut rng, hour, 15.0, &|at, rng| {
                    let event = AuditEvent::new(
                        at,
                        "ec2.amazonaws.com",
                        "DescribeInstances",
                        "eu-west-1",
                        "192.0.2.55",
                        alice.clone(),
                    );
                    if rng.uniform() < 0.03 {
                        event.with_error("AccessDenied")
                    } else {
                        event
                    }
                });
                if hour.hour() == 9 {
                    events.push(
                        AuditEvent::new(
                            hour + TimeDelta::minutes(2),
                            "signin.amazonaws.com",
                            "ConsoleLogin",
                            "us-east-1",
                            "192.0.2.55",
                            alice.clone(),
                        )
                        .with_mfa(true),
                    );
                }
            }
            if hour - self.start == TimeDelta::hours(24 + 10) {
                events.push(AuditEvent::new(
                    hour + TimeDelta::minutes(5),
                    "iam.amazonaws.com",
                    "CreateAccessKey",
                    "us-east-1",
                    "192.0.2.55",
                    alice.clone(),
                ));
            }
            if let Some(i) = active(incident, hour) {
                emit(&mut events, &mut rng, hour, i.magnitude, &|at, rng| {
                    stolen_key_launch(at, rng, &ci)
                });
                if hour == i.start {
                    events.push(AuditEvent::new(
                        hour + TimeDelta::minutes(20),
                        "iam.amazonaws.com",
                        "CreateAccessKey",
                        "us-east-1",
                        "203.0.113.66",
                        ci.clone(),
                    ));
                }
            }
            hour += TimeDelta::hours(1);
        }
        events.retain(|e| e.time < end);
        events.sort_by_key(|e| e.time);
        events
    }
}
