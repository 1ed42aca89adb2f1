//! [`MetricAnomalies`]: the generic detector on one plain CloudWatch metric, reporting
//! [`Finding`]s, so that its alerts go where F1–F8's go (maintenance windows, grouping by root
//! cause, routing, [`DetectorSet`](crate::DetectorSet)).

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic};
use chrono::{DateTime, Utc};
use sli_core::Severity;

use crate::anomaly::{AnomalyConfig, AnomalyKind, TimedAnomaly, TimedAnomalyDetector};
use crate::detector::{Detector, MetricDetector, join};
use crate::error::Result;
use crate::finding::{Evidence, Finding, Rounded};
use crate::mode::FailureMode;
use crate::stats::Direction;

/// The one CloudWatch metric [`MetricAnomalies`] reads.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AnomalySignal {
    /// What the finding names (an instance, a queue, a load balancer).
    pub subject: String,
    /// The metric.
    pub metric: Metric,
    /// Its statistic (`Average` for a utilisation, `Sum` for a count).
    pub statistic: Statistic,
    /// The period of its points.
    pub period: Period,
}

impl AnomalySignal {
    /// `metric`'s `statistic` every `period`, named `subject` in findings.
    pub fn new(
        subject: impl Into<String>,
        metric: Metric,
        statistic: Statistic,
        period: Period,
    ) -> Self {
        Self {
            subject: subject.into(),
            metric,
            statistic,
            period,
        }
    }
}

/// The generic detector ([`TimedAnomalyDetector`]) on one plain metric, its alerts reported as
/// [`Finding`]s of the failure mode the metric stands for.
///
/// The generic detector's question is "is this the most unusual point of the week" (see
/// [`AnomalyDetector`](crate::AnomalyDetector)); it does not know what the metric means. The
/// caller says which [`FailureMode`] its findings are filed under (the likely cause, mitigation
/// and signal they carry, and what [`group_by_root_cause`](crate::group_by_root_cause) groups
/// them by) and their severity: a [`Severity::Ticket`] by default, because an unusual point is
/// not by itself an SLO breach, an outage, data loss or a security incident, the page cases of
/// the [severity rule](crate#severities).
///
/// A finding's evidence is in robust z-scores: `observed` and `score` the |z| of the point (a
/// spike) or of the last `short_window` points' median (a level shift, in standard errors),
/// `baseline` 0, `threshold` the configured bar (`spike_sigma` or `shift_sigma`); `detail`
/// gives the values in the metric's units. A spike starts and ends at its point; a shift starts
/// `short_window − 1` periods before its point, where the window whose median moved begins
/// when no period in it is missing. Missing periods are skipped by
/// time ([`TimedAnomalyDetector`]). State: the generic detector's, allocated up front, whose
/// windows hold more points at shorter periods (about 11 KiB at 5-minute points, the
/// [`AnomalyDetector`](crate::AnomalyDetector) defaults).
///
/// # Example
/// ```
/// use failure_modes::chrono::{TimeDelta, TimeZone, Utc};
/// use failure_modes::{
///     AnomalySignal, Detector, FailureMode, Metric, MetricAnomalies, Period, Severity, Statistic,
/// };
///
/// let metric = Metric::new("AWS/RDS", "ReadLatency")?.with_dimension("DBInstanceIdentifier", "orders")?;
/// let signal = AnomalySignal::new("rds:orders", metric, Statistic::Average, Period::new(300)?);
/// let mut detector = MetricAnomalies::new(signal, FailureMode::DbConnectionExhaustion)?;
/// let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
/// // Two days of a steady latency with a little noise, then one point ten times higher.
/// let points = (0..576i64).map(|i| {
///     let value = if i == 500 { 0.05 } else { 0.005 + 0.0001 * (i % 7) as f64 };
///     (t0 + TimeDelta::minutes(5 * i), value)
/// });
/// let findings = detector.detect(points)?;
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].start, t0 + TimeDelta::minutes(2500));
/// assert_eq!((findings[0].mode, findings[0].severity), (FailureMode::DbConnectionExhaustion, Severity::Ticket));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct MetricAnomalies {
    signal: AnomalySignal,
    mode: FailureMode,
    severity: Severity,
    detector: TimedAnomalyDetector,
}

impl MetricAnomalies {
    /// A detector for `signal` with the default configuration for its period
    /// ([`AnomalyConfig::for_period`]), its findings filed under `mode`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for a period above an hour, which
    /// [`AnomalyConfig::for_period`] refuses.
    pub fn new(signal: AnomalySignal, mode: FailureMode) -> Result<Self> {
        let config = AnomalyConfig::for_period(signal.period.seconds())?;
        Self::with_config(signal, mode, config)
    }

    /// A detector for `signal` with `config`, whose windows count points of the signal's period.
    ///
    /// # Errors
    /// As [`AnomalyDetector::new`](crate::AnomalyDetector::new).
    pub fn with_config(
        signal: AnomalySignal,
        mode: FailureMode,
        config: AnomalyConfig,
    ) -> Result<Self> {
        Ok(Self {
            detector: TimedAnomalyDetector::new(config, signal.period)?,
            signal,
            mode,
            severity: Severity::Ticket,
        })
    }

    /// The same detector, its findings at `severity`.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// The signal read.
    pub fn signal(&self) -> &AnomalySignal {
        &self.signal
    }

    /// The detector underneath.
    pub fn detector(&self) -> &TimedAnomalyDetector {
        &self.detector
    }

    fn finding(&self, found: TimedAnomaly) -> Finding {
        let config = self.detector.detector().config();
        let anomaly = found.anomaly;
        let (z, bar, start, detail) = match anomaly.kind {
            AnomalyKind::Spike { z } => (
                z,
                config.spike_sigma(),
                found.at,
                format!(
                    "{} against a baseline median of {} (robust z {z:.1}; the most unusual point \
                     of the record window)",
                    Rounded(anomaly.value),
                    Rounded(anomaly.baseline)
                ),
            ),
            AnomalyKind::Shift { direction, z } => {
                // The short window's first point: the shift is its median's.
                let back =
                    i32::try_from(config.short_window().saturating_sub(1)).unwrap_or(i32::MAX);
                let start = self
                    .signal
                    .period
                    .as_time_delta()
                    .checked_mul(back)
                    .and_then(|span| found.at.checked_sub_signed(span))
                    .unwrap_or(DateTime::<Utc>::MIN_UTC);
                let way = match direction {
                    Direction::Up => "up",
                    Direction::Down => "down",
                };
                (
                    z,
                    config.shift_sigma().unwrap_or(f64::INFINITY),
                    start,
                    format!(
                        "the median of the last {} points moved {way} {:.1} standard errors from \
                         a baseline median of {} (now {}): a level shift, the baseline restarts \
                         from them",
                        config.short_window(),
                        z.abs(),
                        Rounded(anomaly.baseline),
                        Rounded(anomaly.value)
                    ),
                )
            }
        };
        Finding::new(
            self.mode,
            self.severity,
            &self.signal.subject,
            start,
            found.at,
            Evidence::new(z.abs(), 0.0, bar, z.abs(), detail),
        )
    }
}

impl Detector for MetricAnomalies {
    /// A period's start and the metric's value for it, as
    /// [`FetchedSeries::points`](aws_telemetry::FetchedSeries::points) holds them.
    type Input = (DateTime<Utc>, f64);

    fn mode(&self) -> FailureMode {
        self.mode
    }

    /// # Errors
    /// As [`TimedAnomalyDetector::push`]: a time out of order or off the period grid, or a
    /// value out of range; the detector is unchanged.
    fn push(&mut self, (at, value): (DateTime<Utc>, f64)) -> Result<Vec<Finding>> {
        Ok(self
            .detector
            .push(at, value)?
            .map(|found| self.finding(found))
            .into_iter()
            .collect())
    }
}

impl MetricDetector for MetricAnomalies {
    fn observed_at(input: &(DateTime<Utc>, f64)) -> Option<DateTime<Utc>> {
        Some(input.0)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.detector.last_at()
    }

    /// The value's range, and the time's place on the period grid of the first point pushed
    /// (points of a first run are placed on the grid of its first point as they are pushed).
    fn check(&self, inputs: &[(DateTime<Utc>, f64)]) -> Result<()> {
        self.detector.check(inputs)
    }

    fn queries(&self) -> Result<Vec<MetricQuery>> {
        let s = &self.signal;
        Ok(vec![MetricQuery::stat(
            "value",
            s.metric.clone(),
            s.statistic,
            s.period,
        )?])
    }

    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<(DateTime<Utc>, f64)>> {
        Ok(join(fetched, &["value"], &[])?
            .into_iter()
            .map(|(at, values, _)| (at, values[0]))
            .collect())
    }
}
