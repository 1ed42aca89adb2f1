//! Game days: realistic synthetic telemetry with an injected incident, for every detector.
//!
//! Teams are asked to "schedule chaos for failure modes and validate runbooks". This module
//! does it for alerting: generate a week of a service's telemetry — daily seasonality, traffic
//! growth, noise — with or without an [`Incident`], run a detector (yours or ours) over it, and
//! check it catches the incident within the delay you need and stays quiet without it. The
//! generators are deterministic for a seed, so a failing game day can be replayed.
//!
//! # Example
//! ```
//! use failure_modes::chrono::{Duration, TimeZone, Utc};
//! use failure_modes::scenarios::{GameDay, Incident};
//! use failure_modes::{ApiThrottling, Detector, ThrottleSignal};
//!
//! let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
//! let day = GameDay::new(start, Duration::minutes(1), 3 * 1440, 7)?;
//! let outage = Incident::new(start + Duration::days(2), Duration::hours(1), 0.2);
//! let detector = || ApiThrottling::new(ThrottleSignal::lambda("api").unwrap(), Default::default());
//!
//! assert!(detector()?.detect(day.throttling(None))?.is_empty());
//! let findings = detector()?.detect(day.throttling(Some(outage)))?;
//! assert!(findings[0].end - outage.start <= Duration::minutes(5));
//! # Ok::<(), failure_modes::Error>(())
//! ```

use std::f64::consts::TAU;

use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};

use crate::detector::Detector;
use crate::detectors::cold_start::ColdStartSample;
use crate::detectors::connections::ConnectionSample;
use crate::detectors::cost::ChargeSample;
use crate::detectors::exposure::AccessSample;
use crate::detectors::partition::{ZoneObservation, ZoneSample};
use crate::detectors::quota::QuotaSample;
use crate::detectors::throttling::ThrottleSample;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::mode::FailureMode;
use aws_telemetry::{AuditEvent, Identity};

/// A small deterministic random number generator (SplitMix64), so game days replay exactly
/// without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.uniform();
        let v = self.uniform();
        (-2.0 * u.ln()).sqrt() * (TAU * v).cos()
    }

    /// A Poisson count with this mean (exact below 30, normal approximation above).
    pub fn poisson(&mut self, mean: f64) -> f64 {
        if mean <= 0.0 {
            return 0.0;
        }
        if mean >= 30.0 {
            return (mean + mean.sqrt() * self.normal()).round().max(0.0);
        }
        let limit = (-mean).exp();
        let mut product = self.uniform();
        let mut k = 0.0;
        while product > limit {
            product *= self.uniform();
            k += 1.0;
        }
        k
    }
}

/// The shape of a service's load: a base rate, a daily cycle, growth and noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traffic {
    /// Mean level at the start.
    pub base: f64,
    /// Daily cycle as a share of the level: 0.5 swings between 0.5× and 1.5×, peaking at
    /// 15:00 UTC.
    pub daily_swing: f64,
    /// Growth per week as a share of the base (0.05 = 5 % a week).
    pub weekly_growth: f64,
    /// Relative noise (σ as a share of the level).
    pub noise: f64,
}

impl Default for Traffic {
    fn default() -> Self {
        Self {
            base: 1.0,
            daily_swing: 0.5,
            weekly_growth: 0.05,
            noise: 0.05,
        }
    }
}

impl Traffic {
    /// The expected level (no noise) at `at`, `elapsed` after the start.
    pub fn expected(&self, at: DateTime<Utc>, elapsed: TimeDelta) -> f64 {
        let hour = f64::from(at.num_seconds_from_midnight()) / 3600.0;
        let daily = 1.0 - self.daily_swing * (TAU * (hour - 3.0) / 24.0).cos();
        let weeks = elapsed.as_seconds_f64() / (7.0 * 86_400.0);
        self.base * daily * (1.0 + self.weekly_growth * weeks)
    }

    /// A noisy level, never negative.
    pub fn sample(&self, at: DateTime<Utc>, elapsed: TimeDelta, rng: &mut Rng) -> f64 {
        (self.expected(at, elapsed) * (1.0 + self.noise * rng.normal())).max(0.0)
    }
}

/// A fault injected into a game day: from `start`, for `duration`, with a magnitude whose
/// meaning each generator documents (a throttled share, a latency multiple, a traffic
/// multiple …).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Incident {
    /// When it begins.
    pub start: DateTime<Utc>,
    /// How long it lasts.
    pub duration: TimeDelta,
    /// How bad it is.
    pub magnitude: f64,
}

impl Incident {
    /// An incident.
    pub fn new(start: DateTime<Utc>, duration: TimeDelta, magnitude: f64) -> Self {
        Self {
            start,
            duration,
            magnitude,
        }
    }

    /// `true` while it lasts.
    pub fn is_active(&self, at: DateTime<Utc>) -> bool {
        at >= self.start && (at - self.start) < self.duration
    }

    /// How far into it `at` is, 0 before and 1 at and after its end.
    pub fn progress(&self, at: DateTime<Utc>) -> f64 {
        let total = self.duration.as_seconds_f64().max(1.0);
        ((at - self.start).as_seconds_f64() / total).clamp(0.0, 1.0)
    }
}

/// Appends a Poisson number of events (mean `mean`) at random seconds of the hour from `at`.
fn emit(
    events: &mut Vec<AuditEvent>,
    rng: &mut Rng,
    at: DateTime<Utc>,
    mean: f64,
    make: &dyn Fn(DateTime<Utc>, &mut Rng) -> AuditEvent,
) {
    // A cap keeps an absurd magnitude from exhausting memory: a million events an hour is
    // beyond any principal CloudTrail has seen.
    for _ in 0..rng.poisson(mean.min(1e6)) as u64 {
        let second = (rng.uniform() * 3600.0) as i64;
        let event = make(at + TimeDelta::seconds(second), rng);
        events.push(event);
    }
}

fn active(incident: Option<Incident>, at: DateTime<Utc>) -> Option<Incident> {
    incident.filter(|i| i.is_active(at))
}

/// The most points a game day generates (a hundred million: three years of seconds).
pub const MAX_POINTS: usize = 100_000_000;

/// A stretch of a service's life: `points` observations `step` apart from `start`, with a
/// seed for its noise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GameDay {
    start: DateTime<Utc>,
    step: TimeDelta,
    points: usize,
    seed: u64,
}

impl GameDay {
    /// A game day.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a step that is not positive, no points, more than
    /// [`MAX_POINTS`], or a span that runs past the last representable time.
    pub fn new(start: DateTime<Utc>, step: TimeDelta, points: usize, seed: u64) -> Result<Self> {
        if step <= TimeDelta::zero() {
            return Err(Error::InvalidConfig {
                field: "step",
                value: step.as_seconds_f64(),
                reason: "must be positive",
            });
        }
        if points == 0 || points > MAX_POINTS {
            return Err(Error::InvalidConfig {
                field: "points",
                value: points as f64,
                reason: "must be within 1..=100,000,000",
            });
        }
        let span = i32::try_from(points)
            .ok()
            .and_then(|n| step.checked_mul(n))
            .and_then(|span| start.checked_add_signed(span));
        if span.is_none() {
            return Err(Error::InvalidConfig {
                field: "step",
                value: step.as_seconds_f64(),
                reason: "step × points runs past the last representable time",
            });
        }
        Ok(Self {
            start,
            step,
            points,
            seed,
        })
    }

    /// The first timestamp.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The end of the span (one step after the last timestamp).
    pub fn end(&self) -> DateTime<Utc> {
        self.start + self.step * self.points as i32
    }

    /// The observation times.
    pub fn timestamps(&self) -> impl Iterator<Item = DateTime<Utc>> + use<> {
        let (start, step) = (self.start, self.step);
        // `new` checked that the last timestamp exists.
        (0..self.points).map(move |i| start + step * i as i32)
    }

    /// An independent stream of randomness per generator.
    fn rng(&self, salt: u64) -> Rng {
        Rng::new(self.seed ^ salt.wrapping_mul(0x2545_F491_4F6C_DD1D))
    }

    fn each<T>(
        &self,
        salt: u64,
        mut f: impl FnMut(DateTime<Utc>, TimeDelta, &mut Rng) -> T,
    ) -> Vec<T> {
        let mut rng = self.rng(salt);
        self.timestamps()
            .map(|at| f(at, at - self.start, &mut rng))
            .collect()
    }

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
        let user = |name: &str| Identity {
            kind: "IAMUser".into(),
            arn: Some(format!("arn:aws:iam::123456789012:user/{name}")),
            account_id: Some("123456789012".into()),
            user_name: Some(name.into()),
            access_key_id: Some(format!("AKIA{}", name.to_uppercase())),
        };
        let (ci, alice) = (user("ci"), user("alice"));
        let app = Identity {
            kind: "AssumedRole".into(),
            arn: Some("arn:aws:sts::123456789012:assumed-role/app/i-0abc".into()),
            account_id: Some("123456789012".into()),
            ..Identity::default()
        };
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
                    let event = AuditEvent::new(
                        at,
                        "ec2.amazonaws.com",
                        "RunInstances",
                        "ap-east-1",
                        "203.0.113.66",
                        ci.clone(),
                    );
                    if rng.uniform() < 0.33 {
                        event.with_error("Client.UnauthorizedOperation")
                    } else {
                        event
                    }
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

/// What a detector did on a game day: false alarms on the clean run, and how long it took
/// to report the incident on the faulty one.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Outcome {
    /// Findings on the clean run, plus findings of the faulty run that end before the incident
    /// starts.
    pub false_alarms: usize,
    /// From the incident's start to the first finding at or after it (its `end`, the
    /// detection time); `None` when it was missed.
    pub detection_delay: Option<TimeDelta>,
    /// Every finding of the faulty run at or after the incident's start.
    pub findings: Vec<Finding>,
}

/// Plays a game day: runs a fresh detector from `make` over `clean` and another over `faulty`
/// (the same telemetry with `incident` injected) and reports the [`Outcome`].
///
/// # Errors
/// The first error of `make` or of the detector.
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::scenarios::{play, GameDay, Incident};
/// use failure_modes::{ColdStartLatency, ColdStartSignal};
///
/// let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
/// let day = GameDay::new(start, Duration::minutes(1), 2 * 1440, 1)?;
/// let burst = Incident::new(start + Duration::hours(30), Duration::minutes(30), 4.0);
/// let outcome = play(
///     || ColdStartLatency::new(ColdStartSignal::lambda("resize")?, Default::default()),
///     day.cold_starts(None),
///     day.cold_starts(Some(burst)),
///     &burst,
/// )?;
/// assert_eq!(outcome.false_alarms, 0);
/// assert!(outcome.detection_delay.unwrap() <= Duration::minutes(5));
/// # Ok::<(), failure_modes::Error>(())
/// ```
pub fn play<D: Detector>(
    make: impl FnMut() -> Result<D>,
    clean: Vec<D::Input>,
    faulty: Vec<D::Input>,
    incident: &Incident,
) -> Result<Outcome> {
    play_counting(make, clean, faulty, incident, |_| true)
}

/// [`play`], counting only the findings `counts` keeps (e.g. pages only).
///
/// # Errors
/// The first error of `make` or of the detector.
pub fn play_counting<D: Detector>(
    mut make: impl FnMut() -> Result<D>,
    clean: Vec<D::Input>,
    faulty: Vec<D::Input>,
    incident: &Incident,
    counts: impl Fn(&Finding) -> bool,
) -> Result<Outcome> {
    let clean_findings: Vec<Finding> = make()?.detect(clean)?.into_iter().filter(&counts).collect();
    let (before, findings): (Vec<Finding>, Vec<Finding>) = make()?
        .detect(faulty)?
        .into_iter()
        .filter(&counts)
        .partition(|f| f.end < incident.start);
    Ok(Outcome {
        false_alarms: clean_findings.len() + before.len(),
        detection_delay: findings.first().map(|f| f.end - incident.start),
        findings,
    })
}

/// The standard game day of each failure mode, run against its detector with default
/// settings: what `docs/detectors.md` reports and the scenario tests check.
///
/// | mode | telemetry | incident |
/// |---|---|---|
/// | F1 | 7 days, 1 min | 5 % of calls throttled for 1 h on day 5 |
/// | F2 | 7 days, 1 min, 3 zones; a fleet-wide ×2 surge for 1 h on day 3 in both runs | zone a ×3 latency and 5 % 5xx for 1 h on day 5 |
/// | F3 | 14 days, 5 min | a leak adding 60 % of the quota over 2 days from day 10 |
/// | F4 | 14 days of CloudTrail | the CI key used from a new region, 300 calls/h, for 2 h on day 10 |
/// | F5 | 7 days, 1 min | concurrency ×4 with cold starts for 30 min on day 5 |
/// | F6 | 7 days, 1 min, 500 connections max | upstream concurrency ramping ×4 over 2 h on day 5 |
/// | F7 | 7 days, 1 min, a public bucket | requests ×20 for 1 h on day 5 (the spike counts; the exposure's page is expected) |
/// | F8 | 28 days of hourly charges across a month end | spend ×5 for 12 h on day 20 |
///
/// Incidents start at 10:00 UTC; `seed` varies the noise.
///
/// # Errors
/// A detector error (none is expected: the generators produce valid input).
pub fn play_mode(mode: FailureMode, seed: u64) -> Result<Outcome> {
    use crate::detectors::{
        cold_start::{ColdStartLatency, ColdStartSignal},
        compromise::CredentialCompromise,
        connections::{ConnectionSignal, DbConnectionExhaustion},
        cost::CostRunaway,
        exposure::PublicDataLeak,
        partition::{NetworkPartition, ZoneSignal},
        quota::{QuotaSignal, ServiceQuotaHit},
        throttling::{ApiThrottling, ThrottleSignal},
    };
    use aws_telemetry::{AclGrant, BucketExposure, Grantee, Permission};

    // A Monday, so that the F8 run crosses the end of October.
    let start = DateTime::from_timestamp(1_791_158_400, 0).unwrap_or_default(); // 2026-10-05
    let day = |d: i64| start + TimeDelta::days(d) + TimeDelta::hours(10);
    let minutes = |days: usize| GameDay::new(start, TimeDelta::minutes(1), days * 1440, seed);
    match mode {
        FailureMode::ApiThrottling => {
            let game = minutes(7)?;
            let incident = Incident::new(day(4), TimeDelta::hours(1), 0.05);
            play(
                || ApiThrottling::new(ThrottleSignal::lambda("api")?, Default::default()),
                game.throttling(None),
                game.throttling(Some(incident)),
                &incident,
            )
        }
        FailureMode::NetworkPartition => {
            let game = minutes(7)?;
            let zones = ["a", "b", "c"];
            let incident = Incident::new(day(4), TimeDelta::hours(1), 3.0);
            let surge = Some(Incident::new(day(2), TimeDelta::hours(1), 2.0));
            play(
                || {
                    NetworkPartition::new(
                        ZoneSignal::alb("app/shop/1", &zones)?,
                        Default::default(),
                    )
                },
                game.partition(&zones, None, surge),
                game.partition(&zones, Some(incident), surge),
                &incident,
            )
        }
        FailureMode::ServiceQuotaHit => {
            let game = GameDay::new(start, TimeDelta::minutes(5), 14 * 288, seed)?;
            let limit = 1000.0;
            let incident = Incident::new(day(9), TimeDelta::days(2), 0.6);
            play(
                || {
                    ServiceQuotaHit::new(
                        QuotaSignal::resource_count(
                            "vCPU",
                            limit,
                            "EC2",
                            "vCPU",
                            "Standard/OnDemand",
                        )?,
                        Default::default(),
                    )
                },
                game.quota(limit, None),
                game.quota(limit, Some(incident)),
                &incident,
            )
        }
        FailureMode::CredentialCompromise => {
            let game = GameDay::new(start, TimeDelta::hours(1), 14 * 24, seed)?;
            let incident = Incident::new(day(9), TimeDelta::hours(2), 300.0);
            play(
                || CredentialCompromise::new(Default::default()),
                game.audit_events(None),
                game.audit_events(Some(incident)),
                &incident,
            )
        }
        FailureMode::ColdStartLatency => {
            let game = minutes(7)?;
            let incident = Incident::new(day(4), TimeDelta::minutes(30), 4.0);
            play(
                || ColdStartLatency::new(ColdStartSignal::lambda("resize")?, Default::default()),
                game.cold_starts(None),
                game.cold_starts(Some(incident)),
                &incident,
            )
        }
        FailureMode::DbConnectionExhaustion => {
            let game = minutes(7)?;
            let incident = Incident::new(day(4), TimeDelta::hours(2), 4.0);
            play(
                || {
                    DbConnectionExhaustion::new(
                        ConnectionSignal::rds("orders", 500.0)?,
                        Default::default(),
                    )
                },
                game.connections(500.0, None),
                game.connections(500.0, Some(incident)),
                &incident,
            )
        }
        FailureMode::PublicDataLeak => {
            let game = minutes(7)?;
            let incident = Incident::new(day(4), TimeDelta::hours(1), 20.0);
            let mut facts = BucketExposure::new("exports");
            facts.acl_grants.push(AclGrant {
                grantee: Grantee::AllUsers,
                permission: Permission::Read,
            });
            // Each run reports the public bucket once, as it should: only the spike's findings
            // are alarms.
            play_counting(
                || PublicDataLeak::new(facts.clone(), Default::default()),
                game.bucket_access(None),
                game.bucket_access(Some(incident)),
                &incident,
                |f| !f.evidence.detail.starts_with("bucket is public"),
            )
        }
        FailureMode::CostRunaway => {
            let game = GameDay::new(start, TimeDelta::hours(1), 28 * 24, seed)?;
            let incident = Incident::new(day(19), TimeDelta::hours(12), 5.0);
            play(
                || CostRunaway::new("USD", Default::default()),
                game.charges(None),
                game.charges(Some(incident)),
                &incident,
            )
        }
    }
}
