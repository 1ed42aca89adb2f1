//! Game days on real noise: each failure mode's telemetry made by a mechanism (a rate limit, a
//! connection pool, a quota, a billing pipeline, principals with habits) driven by a **real**
//! CloudWatch series as the traffic shape, with incidents at and near the detectors' documented
//! thresholds and clean weeks full of nuisances that must not fire. A detector is scored on
//! what it finds: incidents detected, detection delay, false alarms per detector-week and
//! whether the severity is the one the [severity rule](crate#severities) asks for.
//!
//! The library reads no file: the caller gives each [`Background`] as values (for example the
//! stretches of the NAB `realAWSCloudwatch` series outside their labelled windows, as
//! `examples/gameday.rs` does, or any metric of their own). [`crate::scenarios`] stays for quick
//! synthetic examples; this module is the evidence.
//!
//! # Example
//! ```
//! use failure_modes::gameday::{self, Background, Tally};
//! use failure_modes::{ApiThrottling, Detector, ThrottleSignal};
//!
//! // Any real series works as a shape; this one is a made-up daily cycle.
//! let values: Vec<f64> = (0..2016).map(|i| 100.0 + 50.0 * ((i % 288) as f64 / 45.8).sin()).collect();
//! let background = Background::new("example", &values)?;
//! let mut tally = Tally::default();
//! for drill in gameday::throttling(&background, 1)? {
//!     let mut f1 = ApiThrottling::new(ThrottleSignal::lambda("api")?, Default::default())?;
//!     let findings = f1.detect(drill.inputs.clone())?;
//!     tally.add(&drill, &findings);
//! }
//! assert!(tally.incidents > 0);
//! # Ok::<(), failure_modes::Error>(())
//! ```

mod bucket;
mod cost;
mod metrics;
mod trail;

use chrono::{DateTime, TimeDelta, Utc};
use sli_core::Severity;

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::mode::FailureMode;
use crate::scenarios::Rng;

pub use bucket::{BucketDrillInput, bucket_leak};
pub use cost::charges;
pub use metrics::{cold_starts, connections, partition, quota, throttling};
pub use trail::audit_trail;

/// A real series used as the shape of a service's load: values at a fixed period (5 minutes
/// for NAB and most CloudWatch data), scaled so that their median (their mean, for a series
/// idle most of the time) is 1 and floored at 2 % of it. Drills longer than the series go
/// round it again.
#[derive(Debug, Clone, PartialEq)]
pub struct Background {
    name: String,
    shape: Vec<f64>,
    period_minutes: u32,
}

impl Background {
    /// A 5-minute background.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for less than a day of values, values that are NaN, infinite
    /// or negative, or all zero.
    pub fn new(name: impl Into<String>, values: &[f64]) -> Result<Self> {
        Self::with_period(name, values, 5)
    }

    /// A background sampled every `period_minutes`.
    ///
    /// # Errors
    /// As [`Background::new`], and for a period of 0.
    pub fn with_period(
        name: impl Into<String>,
        values: &[f64],
        period_minutes: u32,
    ) -> Result<Self> {
        let invalid = |value: f64, reason| Error::InvalidConfig {
            field: "background",
            value,
            reason,
        };
        if period_minutes == 0 {
            return Err(invalid(0.0, "the period must be at least a minute"));
        }
        if values.len() * (period_minutes as usize) < 1440 {
            return Err(invalid(
                values.len() as f64,
                "needs at least a day of values",
            ));
        }
        if let Some(bad) = values.iter().find(|v| !v.is_finite() || **v < 0.0) {
            return Err(invalid(*bad, "values must be finite and not negative"));
        }
        let mut sorted = values.to_vec();
        let mut median = crate::stats::median_in_place(&mut sorted).unwrap_or(0.0);
        if median <= 0.0 {
            // A metric idle most of the time (a disk, a batch host): scaled by its mean.
            median = values.iter().sum::<f64>() / values.len() as f64;
        }
        if median <= 0.0 {
            return Err(invalid(median, "the values must not all be zero"));
        }
        Ok(Self {
            name: name.into(),
            shape: values.iter().map(|v| (v / median).max(0.02)).collect(),
            period_minutes,
        })
    }

    /// The name given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The shape `minute` minutes into a drill: interpolated between samples, round the series
    /// again past its end.
    pub fn at(&self, minute: usize) -> f64 {
        let period = self.period_minutes as usize;
        let n = self.shape.len();
        let (i, frac) = (minute / period, (minute % period) as f64 / period as f64);
        let (a, b) = (self.shape[i % n], self.shape[(i + 1) % n]);
        a + (b - a) * frac
    }

    /// The mean shape over `minutes` minutes from `from`.
    pub fn mean(&self, from: usize, minutes: usize) -> f64 {
        let step = self.period_minutes as usize;
        let samples: Vec<f64> = (from..from + minutes.max(1))
            .step_by(step)
            .map(|m| self.at(m))
            .collect();
        samples.iter().sum::<f64>() / samples.len() as f64
    }
}

/// An incident a drill injected, and what the [severity rule](crate#severities) expects of it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Expected {
    /// What it is, e.g. `"2 % throttled"`.
    pub label: String,
    /// When it begins.
    pub start: DateTime<Utc>,
    /// When it ends: findings up to [`Expected::grace`] after it still count as its detection.
    pub end: DateTime<Utc>,
    /// The severity the [severity rule](crate#severities) asks for: page for SLO breaches, outages, data loss and
    /// security incidents; ticket for low-severity errors, degradations and cost warnings.
    pub severity: Severity,
    /// How long after `end` a finding is still this incident's (a daily cost is only known
    /// when the day's readings arrive).
    pub grace: TimeDelta,
}

impl Expected {
    fn covers(&self, at: DateTime<Utc>) -> bool {
        at >= self.start && at <= self.end + self.grace
    }
}

/// One game-day run: a detector's inputs over `start..end` and the incidents in them (none on
/// a clean week).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Drill<T> {
    /// The mode exercised.
    pub mode: FailureMode,
    /// Which background and variant, e.g. `"elb_request_count: 2 % throttled"`.
    pub name: String,
    /// The detector's inputs, in time order.
    pub inputs: Vec<T>,
    /// The injected incidents.
    pub incidents: Vec<Expected>,
    /// The first input's time.
    pub start: DateTime<Utc>,
    /// The end of the span.
    pub end: DateTime<Utc>,
    /// Time at the start during which findings are not counted (the detector's documented
    /// warm-up: nothing can be judged without history).
    pub warm_up: TimeDelta,
}

/// An incident a drill could not place: at none of the times tried (50 draws over days 3–5)
/// would the mechanism make it observable at the drill's traffic (a 1.5 % throttle rate on a
/// dozen calls an hour is not an incident anyone could see), so the drill was not run. Only F1,
/// F2 and F5 place their incidents so; at low traffic these modes are tested for false alarms
/// (the clean week still runs), and for detection only where an incident is observable.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Unplaced {
    /// The mode of the drill.
    pub mode: FailureMode,
    /// Which background and variant, as [`Drill::name`] would have been.
    pub name: String,
    /// Why no time fitted.
    pub reason: &'static str,
}

/// The incidents of `mode`'s drills on `background` with `seed` that were not placed, so not
/// run: what [`throttling`], [`partition`] and [`cold_starts`] leave out of the drills they
/// return (the other modes place every incident, and give none here).
pub fn unplaced(mode: FailureMode, background: &Background, seed: u64) -> Vec<Unplaced> {
    metrics::unplaced(mode, background, seed)
}

/// The tally of a mode's drills.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Tally {
    /// Incidents injected.
    pub incidents: usize,
    /// Incidents with at least one finding while they lasted (or within their grace).
    pub detected: usize,
    /// Delay from each detected incident's start to its first finding's detection time.
    pub delays: Vec<TimeDelta>,
    /// Detected incidents whose most severe finding has the expected severity.
    pub severity_agrees: usize,
    /// Findings outside every incident (after the warm-up).
    pub false_alarms: usize,
    /// Time outside incidents and warm-ups: what the false alarms are counted over.
    pub clean: TimeDelta,
    /// Incidents not placed, so not run ([`Unplaced`]): not in `incidents`.
    pub unplaced: usize,
    /// The drills with a miss, a false alarm or a wrong severity, and the incidents not
    /// placed, for a closer look.
    pub notes: Vec<String>,
}

impl Tally {
    /// Adds one drill's findings.
    pub fn add<T>(&mut self, drill: &Drill<T>, findings: &[Finding]) {
        let counted = drill.start + drill.warm_up;
        let mut clean = drill.end - counted;
        for incident in &drill.incidents {
            self.incidents += 1;
            clean -= (incident.end + incident.grace).min(drill.end) - incident.start.max(counted);
            let matched: Vec<&Finding> =
                findings.iter().filter(|f| incident.covers(f.end)).collect();
            let Some(first) = matched.iter().min_by_key(|f| f.end) else {
                self.notes
                    .push(format!("{}: missed {}", drill.name, incident.label));
                continue;
            };
            self.detected += 1;
            self.delays
                .push((first.end - incident.start).max(TimeDelta::zero()));
            let severity = matched.iter().map(|f| f.severity).max();
            if severity == Some(incident.severity) {
                self.severity_agrees += 1;
            } else {
                let got = severity.map_or_else(|| "nothing".to_owned(), |s| s.to_string());
                self.notes.push(format!(
                    "{}: {} got {got}, expected {}",
                    drill.name, incident.label, incident.severity
                ));
            }
        }
        self.clean += clean.max(TimeDelta::zero());
        for finding in findings {
            if finding.end >= counted && !drill.incidents.iter().any(|i| i.covers(finding.end)) {
                self.false_alarms += 1;
                self.notes
                    .push(format!("{}: false alarm {finding}", drill.name));
            }
        }
    }

    /// Counts an incident that was not placed (it changes nothing else).
    pub fn add_unplaced(&mut self, unplaced: &Unplaced) {
        self.unplaced += 1;
        self.notes.push(format!(
            "{}: not placed ({})",
            unplaced.name, unplaced.reason
        ));
    }

    /// False alarms per detector-week of clean time.
    pub fn false_alarms_per_week(&self) -> f64 {
        let weeks = self.clean.as_seconds_f64() / (7.0 * 86_400.0);
        if weeks > 0.0 {
            self.false_alarms as f64 / weeks
        } else {
            0.0
        }
    }

    /// The `q` quantile (0.5 for the median) of the detection delays, `None` without any.
    pub fn delay_quantile(&self, q: f64) -> Option<TimeDelta> {
        let mut delays = self.delays.clone();
        delays.sort();
        let last = delays.len().checked_sub(1)?;
        delays
            .get(((last as f64) * q.clamp(0.0, 1.0)).round() as usize)
            .copied()
    }
}

/// The Monday every drill starts on (2026-10-05, so that two-month drills cross month ends).
pub(crate) fn drill_start() -> DateTime<Utc> {
    DateTime::from_timestamp(1_791_158_400, 0).unwrap_or_default()
}

/// What every drill of one mode shares: the mode, its span from [`drill_start`] and the
/// warm-up during which findings are not counted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DrillPlan {
    mode: FailureMode,
    span: TimeDelta,
    warm_up: TimeDelta,
}

impl DrillPlan {
    pub(crate) fn new(mode: FailureMode, span: TimeDelta, warm_up: TimeDelta) -> Self {
        Self {
            mode,
            span,
            warm_up,
        }
    }

    /// The drill of `background`'s variant `label`: its inputs, and the incident it injects
    /// (none in a clean drill).
    pub(crate) fn drill<T>(
        &self,
        background: &Background,
        label: &str,
        inputs: Vec<T>,
        incident: Option<Expected>,
    ) -> Drill<T> {
        Drill {
            mode: self.mode,
            name: format!("{}: {label}", background.name()),
            inputs,
            incidents: incident.into_iter().collect(),
            start: drill_start(),
            end: drill_start() + self.span,
            warm_up: self.warm_up,
        }
    }
}

/// Where a drill puts its incident: on day `first_day` or later, at a time of day the
/// drill's seed picks (so incidents fall at peaks, at night and in between).
pub(crate) fn incident_time(rng: &mut Rng, first_day: i64, days: i64) -> DateTime<Utc> {
    let day = first_day + (rng.next_u64() % days.max(1) as u64) as i64;
    let minute = (rng.next_u64() % 1440) as i64;
    drill_start() + TimeDelta::days(day) + TimeDelta::minutes(minute)
}

/// [`incident_time`], drawn again (up to 50 times) until `fits` accepts it: an incident is
/// only worth injecting where the mechanism makes it observable (a 1.5 % throttle rate on a
/// dozen calls an hour is not an incident anyone could see). `None` when no time fits.
pub(crate) fn placed(
    rng: &mut Rng,
    first_day: i64,
    days: i64,
    fits: impl Fn(DateTime<Utc>) -> bool,
) -> Option<DateTime<Utc>> {
    (0..50)
        .map(|_| incident_time(rng, first_day, days))
        .find(|at| fits(*at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Evidence;

    #[test]
    fn background_shape_interpolates_and_wraps() {
        let values: Vec<f64> = (0..288)
            .map(|i| if i < 144 { 10.0 } else { 30.0 })
            .collect();
        let b = Background::new("x", &values).unwrap();
        assert_eq!(b.at(0), 0.5);
        assert_eq!(b.at(144 * 5), 1.5);
        assert_eq!(b.at(143 * 5 + 2), 0.5 + 0.4);
        assert_eq!(b.at(288 * 5), b.at(0));
        assert!(Background::new("x", &values[..10]).is_err());
        assert!(Background::new("x", &vec![0.0; 300]).is_err());
    }

    #[test]
    fn tally_counts_misses_delays_severity_and_false_alarms() {
        let t0 = drill_start();
        let h = |n: i64| t0 + TimeDelta::hours(n);
        let drill = Drill::<()> {
            mode: FailureMode::ApiThrottling,
            name: "d".into(),
            inputs: vec![],
            incidents: vec![
                Expected {
                    label: "a".into(),
                    start: h(10),
                    end: h(11),
                    severity: Severity::Page,
                    grace: TimeDelta::zero(),
                },
                Expected {
                    label: "b".into(),
                    start: h(20),
                    end: h(21),
                    severity: Severity::Ticket,
                    grace: TimeDelta::zero(),
                },
            ],
            start: t0,
            end: h(24 * 7 + 1),
            warm_up: TimeDelta::hours(1),
        };
        let finding = |end, severity| {
            Finding::new(
                FailureMode::ApiThrottling,
                severity,
                "x",
                end,
                end,
                Evidence {
                    observed: 1.0,
                    baseline: 0.0,
                    threshold: 1.0,
                    score: 1.0,
                    detail: String::new(),
                },
            )
        };
        let findings = [
            finding(t0, Severity::Page), // in the warm-up
            finding(h(10) + TimeDelta::minutes(5), Severity::Ticket),
            finding(h(10) + TimeDelta::minutes(9), Severity::Page),
            finding(h(30), Severity::Ticket), // a false alarm
        ];
        let mut tally = Tally::default();
        tally.add(&drill, &findings);
        assert_eq!(
            (tally.incidents, tally.detected, tally.severity_agrees),
            (2, 1, 1)
        );
        assert_eq!(tally.delays, [TimeDelta::minutes(5)]);
        assert_eq!(tally.false_alarms, 1);
        assert_eq!(tally.clean, TimeDelta::hours(24 * 7 - 2));
        assert_eq!(tally.delay_quantile(0.5), Some(TimeDelta::minutes(5)));
    }

    /// Every incident variant is either run or counted as not placed: none is dropped unseen.
    #[test]
    fn incidents_not_placed_are_counted() {
        // A week idle but for one burst on its first day: scaled by its mean, the shape sits
        // at its floor (2 %) on days 3–5, where incidents go.
        let mut idle = vec![0.0; 7 * 288];
        idle[10] = 1000.0;
        let idle = Background::new("idle", &idle).unwrap();
        let cycle: Vec<f64> = (0..2016)
            .map(|i| 100.0 + 50.0 * ((i % 288) as f64 / 45.8).sin())
            .collect();
        let cycle = Background::new("cycle", &cycle).unwrap();
        let count = |b: &Background, seed| {
            let incidents = |n: usize| n - 1; // every mode has one clean week
            [
                (
                    incidents(throttling(b, seed).unwrap().len()),
                    unplaced(FailureMode::ApiThrottling, b, seed).len(),
                ),
                (
                    incidents(partition(b, seed).unwrap().len()),
                    unplaced(FailureMode::NetworkPartition, b, seed).len(),
                ),
                (
                    incidents(cold_starts(b, seed).unwrap().len()),
                    unplaced(FailureMode::ColdStartLatency, b, seed).len(),
                ),
            ]
        };
        // Seed 0 is the quietest traffic: nothing can be placed on the idle week.
        assert_eq!(count(&idle, 0), [(0, 4), (0, 5), (0, 3)]);
        // Seed 2 is the busiest: everything is placed on a daily cycle.
        assert_eq!(count(&cycle, 2), [(4, 0), (5, 0), (3, 0)]);
        for seed in 0..6 {
            for b in [&idle, &cycle] {
                let sums = count(b, seed).map(|(run, not)| run + not);
                assert_eq!(sums, [4, 5, 3], "{} seed {seed}", b.name());
            }
        }
        assert!(unplaced(FailureMode::ServiceQuotaHit, &idle, 0).is_empty());
        let mut tally = Tally::default();
        for u in unplaced(FailureMode::ApiThrottling, &idle, 0) {
            tally.add_unplaced(&u);
        }
        assert_eq!((tally.unplaced, tally.incidents), (4, 0));
        assert!(tally.notes[0].starts_with("idle: 1.5 % throttled for 45 min: not placed ("));
    }
}
