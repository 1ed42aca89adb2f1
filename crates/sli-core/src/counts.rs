//! [`EventCounts`]: good and total events over some interval, the input of every event SLI.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Position, Result};

/// The largest count accepted: 2^53, the last integer up to which `f64` counts exactly.
pub const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// Good and total events over some interval: `good <= total`, both finite and non-negative.
///
/// Counts are `f64` because CloudWatch returns sums as doubles and a threshold SLI read from a
/// percentile rank yields fractional good counts; whole counts up to [`MAX_COUNT`] are exact, so
/// sums of request counts are exact and merging is associative.
///
/// # Example
/// ```
/// use sli_core::EventCounts;
///
/// let minute = EventCounts::new(998.0, 1000.0)?;
/// assert_eq!(minute.bad(), 2.0);
/// assert_eq!(minute.error_ratio(), Some(0.002));
/// assert_eq!(EventCounts::ZERO.error_ratio(), None); // no events is "no data", not 0 %
/// assert!(EventCounts::new(5.0, 3.0).is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "RawCounts", into = "RawCounts")]
pub struct EventCounts {
    good: f64,
    total: f64,
}

#[derive(Serialize, Deserialize)]
struct RawCounts {
    good: f64,
    total: f64,
}

impl TryFrom<RawCounts> for EventCounts {
    type Error = Error;
    fn try_from(raw: RawCounts) -> Result<Self> {
        Self::new(raw.good, raw.total)
    }
}

impl From<EventCounts> for RawCounts {
    fn from(c: EventCounts) -> Self {
        Self {
            good: c.good,
            total: c.total,
        }
    }
}

/// `value` as a count: finite, in `[0, MAX_COUNT]`, `-0.0` made `0.0`.
pub(crate) fn check_count(field: &'static str, value: f64, position: Position) -> Result<f64> {
    if value.is_finite() && (0.0..=MAX_COUNT).contains(&value) {
        // Normalise -0.0 so that equal counts compare and print equal.
        Ok(value + 0.0)
    } else {
        Err(Error::InvalidCount {
            field,
            value,
            position,
        })
    }
}

impl EventCounts {
    /// No events at all.
    pub const ZERO: Self = Self {
        good: 0.0,
        total: 0.0,
    };

    /// For constants the crate knows to be valid.
    pub(crate) const fn new_const(good: f64, total: f64) -> Self {
        Self { good, total }
    }

    /// Counts of `good` events out of `total`.
    ///
    /// # Errors
    /// [`Error::InvalidCount`] for NaN, infinite, negative or too large counts;
    /// [`Error::GoodExceedsTotal`] when `good > total`.
    pub fn new(good: f64, total: f64) -> Result<Self> {
        Self::new_at(good, total, Position::NONE)
    }

    /// As [`EventCounts::new`], with the position reported in errors.
    ///
    /// # Errors
    /// As [`EventCounts::new`].
    pub fn new_at(good: f64, total: f64, position: Position) -> Result<Self> {
        let good = check_count("good", good, position)?;
        let total = check_count("total", total, position)?;
        if good > total {
            return Err(Error::GoodExceedsTotal {
                good,
                total,
                position,
            });
        }
        Ok(Self { good, total })
    }

    /// Counts from `bad` events out of `total`, as error metrics are usually published
    /// (e.g. ALB `HTTPCode_Target_5XX_Count` and `RequestCount`).
    ///
    /// # Errors
    /// As [`EventCounts::new`]; `bad > total` is reported as [`Error::InvalidCount`] for the
    /// negative good count it implies.
    pub fn from_bad(bad: f64, total: f64) -> Result<Self> {
        let bad = check_count("bad", bad, Position::NONE)?;
        let total = check_count("total", total, Position::NONE)?;
        Self::new(total - bad, total)
    }

    /// Good events.
    pub const fn good(self) -> f64 {
        self.good
    }

    /// All events.
    pub const fn total(self) -> f64 {
        self.total
    }

    /// Bad events: `total - good`.
    pub fn bad(self) -> f64 {
        self.total - self.good
    }

    /// `true` when there are no events.
    pub fn is_empty(self) -> bool {
        self.total == 0.0
    }

    /// `bad / total`, or `None` when there are no events ("no data" is neither 0 % nor 100 %).
    pub fn error_ratio(self) -> Option<f64> {
        (self.total > 0.0).then(|| self.bad() / self.total)
    }

    /// `good / total`, or `None` when there are no events.
    pub fn success_ratio(self) -> Option<f64> {
        (self.total > 0.0).then(|| self.good / self.total)
    }

    /// The sum of two intervals' counts.
    ///
    /// # Errors
    /// [`Error::CountOverflow`] when the total would exceed [`MAX_COUNT`].
    pub fn checked_add(self, other: Self) -> Result<Self> {
        // Compared before adding: past 2^53 the sum itself would round and hide the overflow.
        if self.total > MAX_COUNT - other.total {
            return Err(Error::CountOverflow {
                value: self.total + other.total,
            });
        }
        let total = self.total + other.total;
        Ok(Self {
            good: self.good + other.good,
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_counts() {
        assert!(matches!(
            EventCounts::new(f64::NAN, 1.0),
            Err(Error::InvalidCount { field: "good", .. })
        ));
        assert!(matches!(
            EventCounts::new(1.0, -1.0),
            Err(Error::InvalidCount { field: "total", .. })
        ));
        assert!(matches!(
            EventCounts::new(2.0, 1.0),
            Err(Error::GoodExceedsTotal { .. })
        ));
        assert!(EventCounts::new(0.0, f64::INFINITY).is_err());
        assert!(EventCounts::from_bad(3.0, 2.0).is_err());
    }

    #[test]
    fn no_events_is_no_data() {
        assert_eq!(EventCounts::ZERO.error_ratio(), None);
        assert_eq!(EventCounts::ZERO.success_ratio(), None);
    }

    #[test]
    fn from_bad_matches_new() {
        assert_eq!(
            EventCounts::from_bad(5.0, 100.0).unwrap(),
            EventCounts::new(95.0, 100.0).unwrap()
        );
    }

    #[test]
    fn overflow_is_an_error() {
        let big = EventCounts::new(0.0, MAX_COUNT).unwrap();
        assert!(matches!(
            big.checked_add(EventCounts::new(1.0, 1.0).unwrap()),
            Err(Error::CountOverflow { .. })
        ));
    }

    #[test]
    fn serde_validates() {
        assert!(serde_json::from_str::<EventCounts>(r#"{"good":3,"total":2}"#).is_err());
        let c: EventCounts = serde_json::from_str(r#"{"good":2,"total":3}"#).unwrap();
        assert_eq!(c.bad(), 1.0);
    }
}
