//! [`TimedAnomalyDetector`]: the generic detector fed `(period start, value)` pairs, as
//! CloudWatch returns them, with the missing periods skipped by time.

use aws_telemetry::Period;
use chrono::{DateTime, TimeDelta, Utc};

use super::{Anomaly, AnomalyConfig, AnomalyDetector};
use crate::error::{Error, Result, finite};

/// An [`Anomaly`] with the time of its point.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct TimedAnomaly {
    /// The start of the period the point stands for.
    pub at: DateTime<Utc>,
    /// What was seen; its `index` counts periods from the first point, missing ones included.
    pub anomaly: Anomaly,
}

/// An [`AnomalyDetector`] fed timestamped values at a fixed [`Period`]: CloudWatch returns no
/// datapoint for a period without data, and each missing period is skipped
/// ([`AnomalyDetector::skip`]), so that the learned season stays at the time of day of the
/// first point and the refractory period counts time, not values.
///
/// Timestamps must increase and lie on the period grid of the first one (a multiple of the
/// period after it); otherwise [`Error::OutOfOrder`] or [`Error::InvalidInput`], and the
/// detector is unchanged, as it is for a refused value.
///
/// # Example
/// ```
/// use failure_modes::aws_telemetry::Period;
/// use failure_modes::chrono::{TimeDelta, TimeZone, Utc};
/// use failure_modes::{AnomalyConfig, TimedAnomalyDetector};
///
/// let config = AnomalyConfig::default().with_baseline(50).with_warm_up(50).with_season(None);
/// let mut detector = TimedAnomalyDetector::new(config, Period::new(300)?)?;
/// let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
/// // Every third period missing, and a spike at period 150.
/// let points: Vec<_> = (0..200i64)
///     .filter(|i| i % 3 != 1)
///     .map(|i| (t0 + TimeDelta::minutes(5 * i), if i == 150 { 400.0 } else { 40.0 + (i % 5) as f64 }))
///     .collect();
/// let found = detector.detect(&points)?;
/// assert_eq!(found.len(), 1);
/// assert_eq!((found[0].at, found[0].anomaly.index), (t0 + TimeDelta::minutes(750), 150));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct TimedAnomalyDetector {
    detector: AnomalyDetector,
    period: Period,
    /// The first point's time and the last one's, once a point was taken.
    span: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

impl TimedAnomalyDetector {
    /// A detector with no history, for points `period` apart. The configuration's windows are
    /// in points of that period ([`AnomalyConfig::for_period`] converts calendar spans).
    ///
    /// # Errors
    /// As [`AnomalyDetector::new`].
    pub fn new(config: AnomalyConfig, period: Period) -> Result<Self> {
        Ok(Self {
            detector: AnomalyDetector::new(config)?,
            period,
            span: None,
        })
    }

    /// The detector underneath.
    pub fn detector(&self) -> &AnomalyDetector {
        &self.detector
    }

    /// The period the points are apart.
    pub fn period(&self) -> Period {
        self.period
    }

    /// Pushes the value of the period starting at `at`, skipping the periods missing since the
    /// last one.
    ///
    /// # Errors
    /// * [`Error::OutOfOrder`] for a time not after the last one's;
    /// * [`Error::InvalidInput`] (field `at`, the value being the seconds past the grid) for a
    ///   time off the period grid of the first point;
    /// * [`Error::InvalidValue`] for a value [`AnomalyDetector::push`] refuses.
    ///
    /// The detector is unchanged after an error.
    pub fn push(&mut self, at: DateTime<Utc>, value: f64) -> Result<Option<TimedAnomaly>> {
        let missing = self.missing_before(at, value)?;
        self.detector.skip(missing);
        let found = self.detector.push(value)?;
        self.span = spanned(self.span, at);
        Ok(found.map(|anomaly| TimedAnomaly { at, anomaly }))
    }

    /// The periods missing before `at`, or the error [`push`](Self::push) returns for
    /// `(at, value)`; nothing changes.
    fn missing_before(&self, at: DateTime<Utc>, value: f64) -> Result<u64> {
        missing_before(
            self.span,
            self.detector.next_index(),
            self.period,
            at,
            value,
        )
    }

    /// Checks `points`, pushed in this order, as [`push`](Self::push) would, without pushing
    /// any: the first one it would refuse, with the error it would give.
    pub(crate) fn check(&self, points: &[(DateTime<Utc>, f64)]) -> Result<()> {
        let (mut span, mut next) = (self.span, self.detector.next_index());
        for &(at, value) in points {
            let missing = missing_before(span, next, self.period, at, value)?;
            next = next.saturating_add(missing).saturating_add(1);
            span = spanned(span, at);
        }
        Ok(())
    }

    /// The start of the last period pushed, `None` before the first.
    pub(crate) fn last_at(&self) -> Option<DateTime<Utc>> {
        self.span.map(|(_, last)| last)
    }

    /// Pushes `points` (`(period start, value)` in increasing time order, as
    /// [`FetchedSeries::points`](aws_telemetry::FetchedSeries::points)) and returns what was
    /// found.
    ///
    /// # Errors
    /// The first error of [`push`](Self::push); the points before it are taken.
    pub fn detect(&mut self, points: &[(DateTime<Utc>, f64)]) -> Result<Vec<TimedAnomaly>> {
        let mut found = Vec::new();
        for &(at, value) in points {
            found.extend(self.push(at, value)?);
        }
        Ok(found)
    }
}

/// The periods missing before `at` for a detector whose points so far span `span` and whose
/// next index is `next_index`, or the error [`TimedAnomalyDetector::push`] returns for
/// `(at, value)`.
fn missing_before(
    span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    next_index: u64,
    period: Period,
    at: DateTime<Utc>,
    value: f64,
) -> Result<u64> {
    let period = i64::from(period.seconds());
    let missing = match span {
        None => 0,
        Some((first, last)) => {
            // Not after `last` in time: chrono orders 00:00:00 after the leap second
            // 23:59:60 before it, but no time passes between them (the fuzz target's
            // leap-second input made a period of -1, skipped as 2^64 - 1 points).
            let step = at - last;
            if step <= TimeDelta::zero() {
                return Err(Error::OutOfOrder { previous: last, at });
            }
            let since_first = at - first;
            let off_grid = since_first.num_seconds().rem_euclid(period);
            let nanos = since_first.subsec_nanos();
            if off_grid != 0 || nanos != 0 {
                return Err(Error::InvalidInput {
                    field: "at",
                    // The seconds past the grid, fractions included.
                    value: off_grid as f64 + f64::from(nanos) / 1e9,
                    at,
                    reason: "is not a whole number of periods after the first point",
                });
            }
            // At least one period after `last`: time has passed, both on the grid.
            u64::try_from(step.num_seconds() / period - 1)
                .map_err(|_| Error::OutOfOrder { previous: last, at })?
        }
    };
    // Checked here, before the skip, so that a refused value leaves everything unchanged.
    finite(value, next_index.saturating_add(missing))?;
    Ok(missing)
}

/// The first and last times of the points pushed, once `at` is pushed after those of `span`.
fn spanned(
    span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    at: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    Some((span.map_or(at, |(first, _)| first), at))
}
