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

use chrono::{DateTime, TimeDelta, Timelike, Utc};

use crate::error::{Error, Result};
use aws_telemetry::{AuditEvent, Identity};

mod play;
mod telemetry;

pub use play::{Outcome, play, play_counting, play_mode};

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

/// `event`, failed as `Client.UnauthorizedOperation` with probability `share`.
pub(crate) fn sometimes_denied(event: AuditEvent, rng: &mut Rng, share: f64) -> AuditEvent {
    if rng.uniform() < share {
        event.with_error("Client.UnauthorizedOperation")
    } else {
        event
    }
}

/// A stolen key at work: `RunInstances` by `identity` from a region and an address it never
/// used, a third of the calls denied (the thief probing what the key may do).
pub(crate) fn stolen_key_launch(
    at: DateTime<Utc>,
    rng: &mut Rng,
    identity: &Identity,
) -> AuditEvent {
    let event = AuditEvent::new(
        at,
        "ec2.amazonaws.com",
        "RunInstances",
        "ap-east-1",
        "203.0.113.66",
        identity.clone(),
    );
    sometimes_denied(event, rng, 0.33)
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
}
