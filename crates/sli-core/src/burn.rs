//! [`BurnRate`]: how fast an error budget is being spent, relative to spending it exactly over
//! the SLO window.

use std::fmt;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use crate::counts::EventCounts;
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::span::Span;

/// The observed error ratio divided by the error budget ratio, `error_ratio / (1 - target)`.
///
/// A burn rate of 1 spends the whole budget in exactly one SLO window; 14.4 spends a 30-day
/// budget in 50 hours; with a 99.9 % objective a total outage burns at 1000.
///
/// # Example
/// ```
/// use sli_core::{BurnRate, EventCounts, Objective, Span};
///
/// let slo = Objective::new(0.999)?;
/// let burn = BurnRate::from_counts(EventCounts::new(9_856.0, 10_000.0)?, slo).unwrap();
/// assert!((burn.get() - 14.4).abs() < 1e-9);
/// // At 14.4x a 30-day budget lasts 50 hours.
/// let left = burn.time_to_exhaustion(Span::from_days(30)?, 1.0).unwrap();
/// assert_eq!(left.num_hours(), 50);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct BurnRate(f64);

impl BurnRate {
    /// A burn rate from its value.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for NaN, infinite or negative values.
    pub fn new(value: f64) -> Result<Self> {
        if value.is_finite() && value >= 0.0 {
            Ok(Self(value + 0.0))
        } else {
            Err(Error::InvalidParameter {
                field: "burn rate",
                value,
                reason: "must be finite and non-negative",
            })
        }
    }

    /// `error_ratio / (1 - target)`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `0 <= error_ratio <= 1`.
    pub fn from_error_ratio(error_ratio: f64, objective: Objective) -> Result<Self> {
        if !(0.0..=1.0).contains(&error_ratio) {
            return Err(Error::InvalidParameter {
                field: "error ratio",
                value: error_ratio,
                reason: "must be within [0, 1]",
            });
        }
        Self::new(error_ratio / objective.error_budget())
    }

    /// The burn rate of a set of counts, or `None` when there are no events.
    pub fn from_counts(counts: EventCounts, objective: Objective) -> Option<Self> {
        counts
            .error_ratio()
            .map(|ratio| Self(ratio / objective.error_budget()))
    }

    /// The value, e.g. `14.4`.
    pub const fn get(self) -> f64 {
        self.0
    }

    /// How long `remaining_fraction` of the budget of an SLO window of `slo_period` lasts at
    /// this burn rate: `remaining_fraction * slo_period / burn_rate`. `None` when the burn rate
    /// is zero (the budget is not being spent); zero when nothing remains.
    pub fn time_to_exhaustion(
        self,
        slo_period: Span,
        remaining_fraction: f64,
    ) -> Option<TimeDelta> {
        if self.0 <= 0.0 || remaining_fraction.is_nan() {
            return None;
        }
        let seconds = remaining_fraction.max(0.0) * slo_period.seconds() as f64 / self.0;
        seconds_to_delta(seconds)
    }
}

/// Rounds to the millisecond; `None` beyond chrono's range.
pub(crate) fn seconds_to_delta(seconds: f64) -> Option<TimeDelta> {
    let millis = (seconds * 1000.0).round();
    (millis.is_finite() && millis.abs() < 9.0e15).then(|| TimeDelta::milliseconds(millis as i64))
}

impl TryFrom<f64> for BurnRate {
    type Error = Error;
    fn try_from(value: f64) -> Result<Self> {
        Self::new(value)
    }
}

impl From<BurnRate> for f64 {
    fn from(burn: BurnRate) -> Self {
        burn.0
    }
}

impl fmt::Display for BurnRate {
    /// `14.4x`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rounded = (self.0 * 1e6).round() / 1e6;
        write!(f, "{rounded}x")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SRE Workbook, "Alerting on SLOs", Table 5-4 (burn rate → time to exhaust a 30-day
    /// budget): 1 → 30 days, 2 → 15 days, 10 → 3 days, 1000 → 43 minutes.
    #[test]
    fn workbook_table_5_4() {
        let month = Span::from_days(30).unwrap();
        let at = |b: f64| {
            BurnRate::new(b)
                .unwrap()
                .time_to_exhaustion(month, 1.0)
                .unwrap()
        };
        assert_eq!(at(1.0), TimeDelta::days(30));
        assert_eq!(at(2.0), TimeDelta::days(15));
        assert_eq!(at(10.0), TimeDelta::days(3));
        assert_eq!(at(1000.0).num_minutes(), 43);
        assert_eq!(
            BurnRate::new(0.0).unwrap().time_to_exhaustion(month, 1.0),
            None
        );
    }

    #[test]
    fn burn_of_total_outage_is_max() {
        let o = Objective::new(0.999).unwrap();
        let b = BurnRate::from_error_ratio(1.0, o).unwrap();
        assert!((b.get() - o.max_burn_rate()).abs() < 1e-9);
        assert!(BurnRate::from_error_ratio(1.5, o).is_err());
        assert!(BurnRate::new(f64::NAN).is_err());
        assert_eq!(BurnRate::from_counts(EventCounts::ZERO, o), None);
    }
}
