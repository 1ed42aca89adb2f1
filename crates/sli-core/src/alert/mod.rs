//! Multi-window, multi-burn-rate alerting: policies as data ([`AlertPolicy`]), a batch sweep
//! over a whole series and a streaming evaluator that agree exactly ([`PolicyEvaluator`],
//! [`StreamingEvaluator`]), and the alerts they produce ([`AlertInterval`]).
//!
//! # Semantics
//! Datapoints sit on a regular grid of `step` (a CloudWatch period); a point stamped `t`
//! covers `[t, t + step)` and is known at `t + step`, its *evaluation instant*. A window of `w`
//! at that instant sums the last `w / step` points; points before the series start are absent,
//! not extrapolated. A window whose event count is zero or below the minimum is *no data* and
//! is resolved by the [`MissingData`](crate::MissingData) policy. A window fires when
//! `bad > threshold × (1 − target) × total`, i.e. when its burn rate exceeds the tier's
//! threshold; a tier fires when both its windows fire (and its sustain rule, if any, holds).

mod evaluator;
mod history;
mod instant;
mod policy;
mod prefetch;
mod prefix;
mod stream;
mod sweep;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

pub use evaluator::PolicyEvaluator;
pub use history::MAX_STREAM_POINTS;
pub use policy::{AlertPolicy, AlertTier, PartialWindows, PolicyWarning, Severity, TierThreshold};
pub use stream::{AlertUpdate, StreamingEvaluator, WindowBurn};

/// One alert: a tier firing from `start` until `end`.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{catalog, AlertPolicy, PolicyEvaluator, Series, Severity, Span};
///
/// let slo = catalog::availability("api");
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// // An hour of clean traffic, then ten minutes of total outage, then recovery.
/// let series = Series::from_counts((0..120).map(|m| {
///     (t0 + TimeDelta::minutes(m), if (60..70).contains(&m) { 0.0 } else { 1000.0 }, 1000.0)
/// }))?;
/// let alerts = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE)?.sweep(&series)?;
/// let page = &alerts[0];
/// assert_eq!((page.tier.as_str(), page.severity), ("page-fast", Severity::Page));
/// assert_eq!(page.start, t0 + TimeDelta::minutes(61));
/// assert!(page.end.is_some() && page.budget_fraction == 0.02);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AlertInterval {
    /// The id of the tier that fired (stable across evaluations: use it to de-duplicate).
    pub tier: String,
    /// Page or ticket.
    pub severity: Severity,
    /// The evaluation instant at which the alert fired (its detection time).
    pub start: DateTime<Utc>,
    /// The evaluation instant at which it stopped firing (its reset time); `None` while firing.
    pub end: Option<DateTime<Utc>>,
    /// Burn rate over the long window when it fired (`None` when the window had no events and
    /// fired through [`MissingData::Bad`](crate::MissingData::Bad)).
    pub long_burn: Option<f64>,
    /// Burn rate over the short window when it fired.
    pub short_burn: Option<f64>,
    /// Highest long-window burn rate while it fired.
    pub peak_burn: Option<f64>,
    /// The tier's burn-rate threshold. JSON has no infinity or NaN: serde_json writes either
    /// as `null`, which reads back as NaN (an alert from elsewhere may carry any threshold).
    #[serde(deserialize_with = "null_as_nan")]
    pub threshold: f64,
    /// The share of the SLO window's budget the tier represents (e.g. `0.02`); `null` reads
    /// back as NaN, as for `threshold`.
    #[serde(deserialize_with = "null_as_nan")]
    pub budget_fraction: f64,
    /// How long a full budget lasts at the long-window burn rate seen when it fired, in seconds:
    /// `SLO window / long_burn`.
    pub time_to_exhaustion_seconds: Option<f64>,
    /// Set when a maintenance window delayed the alert's start
    /// ([`MaintenanceWindows`](crate::MaintenanceWindows)).
    #[serde(default)]
    pub suppressed: bool,
}

/// A number serde_json wrote as `null` (it writes infinities and NaN so) as NaN, so that an
/// alert it wrote reads back.
fn null_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl AlertInterval {
    /// [`AlertInterval::time_to_exhaustion_seconds`] as a duration (millisecond precision).
    pub fn time_to_exhaustion(&self) -> Option<TimeDelta> {
        self.time_to_exhaustion_seconds
            .and_then(crate::burn::seconds_to_delta)
    }

    /// How long the alert fired, if it has ended.
    pub fn duration(&self) -> Option<TimeDelta> {
        self.end.map(|end| end - self.start)
    }

    /// An alert of tier `tier` at `severity` from `start` to `end` (`None`: still firing) with
    /// no burn figures: how an alert from elsewhere (a detector's finding, an engine's alarm)
    /// joins [`group_alerts`](crate::group_alerts) and [`MaintenanceWindows`](crate::MaintenanceWindows)
    /// with the SLO alerts. Set the threshold and the time to exhaustion with the setters.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use sli_core::{AlertInterval, Severity};
    ///
    /// let at = Utc.with_ymd_and_hms(2024, 5, 1, 9, 0, 0).unwrap();
    /// let alert = AlertInterval::new("F6 DB connection exhaustion: orders", Severity::Page, at, None)
    ///     .with_threshold(0.9);
    /// assert!(alert.end.is_none() && alert.long_burn.is_none());
    /// ```
    pub fn new(
        tier: impl Into<String>,
        severity: Severity,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    ) -> Self {
        Self {
            tier: tier.into(),
            severity,
            start,
            end,
            long_burn: None,
            short_burn: None,
            peak_burn: None,
            threshold: 0.0,
            budget_fraction: 0.0,
            time_to_exhaustion_seconds: None,
            suppressed: false,
        }
    }

    /// With `threshold` as the value that was crossed.
    #[must_use]
    pub fn with_threshold(mut self, threshold: f64) -> Self {
        self.threshold = threshold;
        self
    }

    /// With the time until the budget (or the resource) runs out, in seconds.
    #[must_use]
    pub fn with_time_to_exhaustion_seconds(mut self, seconds: Option<f64>) -> Self {
        self.time_to_exhaustion_seconds = seconds;
        self
    }

    #[cfg(test)]
    pub(crate) fn for_test(
        tier: &str,
        severity: Severity,
        start: DateTime<Utc>,
        end: Option<DateTime<Utc>>,
    ) -> Self {
        Self::new(tier, severity, start, end)
    }
}
