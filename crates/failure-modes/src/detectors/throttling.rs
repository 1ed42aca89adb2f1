//! F1 API throttling: throttled calls against all calls, judged by a binomial tail against the
//! operation's own throttle rate and sustained before it is reported.

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{Severity, Sustained};

use crate::detector::{Detector, MetricDetector, join_any};
use crate::episode::Escalation;
use crate::error::{Error, Result, count, fraction, positive};
use crate::finding::{Evidence, Finding};
use crate::mode::FailureMode;
use crate::stats::{Ewma, binomial_upper_tail};
use crate::timeline::{Step, Timeline};

/// What the `calls` metric of a [`ThrottleSignal`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallsMetric {
    /// Every attempt, throttled or not.
    Attempts,
    /// Only calls that were not throttled (Lambda `Invocations` excludes throttled requests):
    /// attempts are calls + throttles.
    Successes,
}

/// The CloudWatch metrics F1 reads for one operation.
#[derive(Debug, Clone, PartialEq)]
pub struct ThrottleSignal {
    /// What the finding names (a function, a table and operation, an API).
    pub subject: String,
    /// Calls per period.
    pub calls: Metric,
    /// The statistic that counts calls on `calls` (`Sum`, or `SampleCount` of a latency
    /// metric).
    pub calls_statistic: Statistic,
    /// What `calls` counts.
    pub calls_metric: CallsMetric,
    /// Throttled calls per period, statistic `Sum`.
    pub throttles: Metric,
    /// The period of both.
    pub period: Period,
}

impl ThrottleSignal {
    /// Lambda: `AWS/Lambda` `Invocations` and `Throttles`, dimension `FunctionName`, `Sum`,
    /// 60 s.
    ///
    /// # Errors
    /// [`Error::Telemetry`] for a function name CloudWatch would refuse.
    pub fn lambda(function: &str) -> Result<Self> {
        let metric = |name: &str| {
            Metric::new("AWS/Lambda", name).and_then(|m| m.with_dimension("FunctionName", function))
        };
        Ok(Self {
            subject: format!("lambda:{function}"),
            calls: metric("Invocations")?,
            calls_statistic: Statistic::Sum,
            calls_metric: CallsMetric::Successes,
            throttles: metric("Throttles")?,
            period: Period::new(60)?,
        })
    }

    /// DynamoDB: `AWS/DynamoDB` `ThrottledRequests` (dimensions `TableName`, `Operation`) against
    /// the `SampleCount` of `SuccessfulRequestLatency` (the successful requests), 60 s.
    ///
    /// # Errors
    /// [`Error::Telemetry`] for names CloudWatch would refuse.
    pub fn dynamodb(table: &str, operation: &str) -> Result<Self> {
        let metric = |name: &str| {
            Metric::new("AWS/DynamoDB", name)
                .and_then(|m| m.with_dimension("TableName", table))
                .and_then(|m| m.with_dimension("Operation", operation))
        };
        Ok(Self {
            subject: format!("dynamodb:{table}:{operation}"),
            calls: metric("SuccessfulRequestLatency")?,
            calls_statistic: Statistic::SampleCount,
            calls_metric: CallsMetric::Successes,
            throttles: metric("ThrottledRequests")?,
            period: Period::new(60)?,
        })
    }
}

/// One period of an operation's calls.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleSample {
    /// Start of the period.
    pub at: DateTime<Utc>,
    /// Attempts (throttled ones included).
    pub calls: f64,
    /// Attempts refused for rate.
    pub throttled: f64,
}

/// Settings of [`ApiThrottling`]; the defaults follow the seed's guidance (5 minutes
/// sustained, tickets for low-severity errors).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleConfig {
    /// A share of throttled calls below this is never reported (retries absorb it).
    pub min_ratio: f64,
    /// At or above this share, the operation is effectively blocked: page.
    pub page_ratio: f64,
    /// A period is bad when its throttled count is this improbable under the operation's own
    /// baseline rate (binomial upper tail).
    pub significance: f64,
    /// The throttle rate assumed before any history, and the floor of the learned one.
    pub floor_rate: f64,
    /// Weight of the newest period in the baseline rate (EWMA).
    pub baseline_alpha: f64,
    /// Bad periods, N of M, before a finding (the seed's "5m sustained").
    pub sustain: Sustained,
    /// Good periods in a row that end an incident.
    pub clear_after: u32,
    /// Periods seen before any finding.
    pub warm_up: u32,
    /// A longer silence restarts the warm-up.
    pub max_gap: TimeDelta,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            min_ratio: 0.01,
            page_ratio: 0.10,
            significance: 1e-6,
            floor_rate: 1e-3,
            baseline_alpha: 0.02,
            sustain: const { Sustained::of(3, 5) },
            clear_after: 15,
            warm_up: 30,
            max_gap: TimeDelta::minutes(30),
        }
    }
}

/// F1: an operation whose calls are throttled well beyond its own normal rate, sustained.
///
/// Per period: the throttled share must exceed [`ThrottleConfig::min_ratio`] and the
/// throttled count must be improbable (binomial upper tail below
/// [`ThrottleConfig::significance`]) for the operation's baseline rate: an EWMA of the shares
/// of its periods that were not bad, floored at [`ThrottleConfig::floor_rate`]. A few
/// throttles in a quiet minute are not significant, and a steady share under `min_ratio` that
/// retries absorb becomes the baseline; a share above `min_ratio` from the start is reported
/// (a ticket that stays open while it lasts), since it is never learned as normal.
///
/// Severity: a ticket once bad periods are sustained, escalated to a page when the share also
/// reaches [`ThrottleConfig::page_ratio`] (the operation is effectively blocked); each once per
/// incident. Nothing is reported during the warm-up; an incident that began in it is reported
/// when it ends, with its true start. Evidence score: `-log10` of the tail probability.
///
/// # Example
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{ApiThrottling, Detector, ThrottleSample, ThrottleSignal};
///
/// let mut f1 = ApiThrottling::new(ThrottleSignal::lambda("checkout")?, Default::default())?;
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// let samples = (0..120).map(|m| ThrottleSample {
///     at: t0 + Duration::minutes(m),
///     calls: 1000.0,
///     throttled: if m >= 90 { 50.0 } else { 1.0 },
/// });
/// let findings = f1.detect(samples)?;
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].start, t0 + Duration::minutes(90));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ApiThrottling {
    signal: ThrottleSignal,
    config: ThrottleConfig,
    timeline: Timeline,
    baseline: Ewma,
    escalation: Escalation,
    /// Incidents that opened during the warm-up, reported when it ends.
    pending: Vec<(Severity, DateTime<Utc>)>,
    seen: u32,
}

impl ApiThrottling {
    /// A detector for `signal`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for ratios outside (0, 1] or a non-positive significance.
    pub fn new(signal: ThrottleSignal, config: ThrottleConfig) -> Result<Self> {
        fraction("min_ratio", config.min_ratio)?;
        fraction("page_ratio", config.page_ratio)?;
        fraction("significance", config.significance)?;
        fraction("floor_rate", config.floor_rate)?;
        positive("max_gap", config.max_gap.as_seconds_f64())?;
        Ok(Self {
            signal,
            timeline: Timeline::new(config.max_gap),
            baseline: Ewma::new(config.baseline_alpha)?,
            escalation: Escalation::new(config.sustain, config.clear_after),
            pending: Vec::new(),
            config,
            seen: 0,
        })
    }
}

impl Detector for ApiThrottling {
    type Input = ThrottleSample;

    fn mode(&self) -> FailureMode {
        FailureMode::ApiThrottling
    }

    fn push(&mut self, sample: ThrottleSample) -> Result<Vec<Finding>> {
        let at = sample.at;
        let calls = count("calls", sample.calls, at)?;
        let throttled = count("throttled", sample.throttled, at)?;
        if throttled > calls {
            return Err(Error::InvalidInput {
                field: "throttled",
                value: throttled,
                at,
                reason: "exceeds the calls of the period",
            });
        }
        if self.timeline.check(at)? == Step::Restart {
            self.baseline = Ewma::new(self.config.baseline_alpha)?;
            self.escalation.reset();
            self.pending.clear();
            self.seen = 0;
        }
        self.timeline.record(at);
        self.seen = self.seen.saturating_add(1);
        let rate = self
            .baseline
            .mean()
            .unwrap_or(0.0)
            .max(self.config.floor_rate);
        let ratio = if calls > 0.0 { throttled / calls } else { 0.0 };
        // The tail is costly and only matters past the ratio test.
        let tail = if ratio >= self.config.min_ratio {
            binomial_upper_tail(throttled.round() as u64, calls.round() as u64, rate)?
        } else {
            1.0
        };
        let bad = tail < self.config.significance;
        if !bad && !self.escalation.is_open() && calls > 0.0 {
            self.baseline.push(ratio);
        }
        let blocked = bad && ratio >= self.config.page_ratio;
        self.pending
            .extend(self.escalation.update(bad, blocked, at));
        if self.seen <= self.config.warm_up {
            return Ok(Vec::new());
        }
        if !self.escalation.is_open() {
            // Whatever opened during the warm-up is over: nothing to report now.
            self.pending.clear();
        }
        if self.pending.is_empty() {
            return Ok(Vec::new()); // the common case: no text to format
        }
        let evidence = Evidence {
            observed: ratio,
            baseline: rate,
            threshold: self.config.min_ratio,
            score: -tail.max(f64::MIN_POSITIVE).log10(),
            detail: format!(
                "{throttled} of {calls} calls throttled ({:.2} %) against a baseline of {:.3} % \
                 (binomial tail {tail:.1e})",
                100.0 * ratio,
                100.0 * rate
            ),
        };
        Ok(self
            .pending
            .drain(..)
            .map(|(severity, start)| {
                let threshold = match severity {
                    Severity::Page => self.config.page_ratio,
                    _ => self.config.min_ratio,
                };
                Finding::new(
                    FailureMode::ApiThrottling,
                    severity,
                    &self.signal.subject,
                    start,
                    at,
                    Evidence {
                        threshold,
                        ..evidence.clone()
                    },
                )
            })
            .collect())
    }
}

impl MetricDetector for ApiThrottling {
    fn queries(&self) -> Result<Vec<MetricQuery>> {
        let s = &self.signal;
        Ok(vec![
            MetricQuery::stat("calls", s.calls.clone(), s.calls_statistic, s.period)?,
            MetricQuery::stat("throttles", s.throttles.clone(), Statistic::Sum, s.period)?,
        ])
    }

    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<ThrottleSample>> {
        // CloudWatch returns no datapoint for a period without throttles, and none for calls
        // that only count successes when every call was throttled: both are zeros, so rows come
        // from either series.
        let rows = join_any(fetched, &["calls", "throttles"])?;
        Ok(rows
            .into_iter()
            .map(|(at, values)| {
                let (counted, throttled) = (values[0].unwrap_or(0.0), values[1].unwrap_or(0.0));
                let calls = match self.signal.calls_metric {
                    CallsMetric::Attempts => counted,
                    CallsMetric::Successes => counted + throttled,
                };
                ThrottleSample {
                    at,
                    calls,
                    throttled,
                }
            })
            .collect())
    }
}
