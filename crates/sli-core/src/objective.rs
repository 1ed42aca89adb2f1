//! [`Objective`]: the target of an SLO, a number strictly between 0 and 1.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The target of a service level objective: the share of good events (or good time) promised,
/// strictly between 0 and 1. `99.9 %` is `Objective::new(0.999)`.
///
/// A target of 0 would promise nothing and a target of 1 leaves no error budget, so that every
/// burn rate is infinite: both are rejected, as are NaN and anything outside (0, 1).
///
/// # Example
/// ```
/// use sli_core::Objective;
///
/// let three_nines = Objective::new(0.999)?;
/// assert_eq!(three_nines, Objective::from_percent(99.9)?);
/// assert!((three_nines.error_budget() - 0.001).abs() < 1e-15);
/// assert!(Objective::new(1.0).is_err());
/// assert!(Objective::from_percent(150.0).is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Objective(f64);

impl Objective {
    /// For literal targets the crate itself knows to be inside (0, 1).
    pub(crate) const fn known_valid(target: f64) -> Self {
        Self(target)
    }

    /// An objective from a ratio, e.g. `0.999`.
    ///
    /// # Errors
    /// [`Error::InvalidTarget`] unless `0 < target < 1`.
    pub fn new(target: f64) -> Result<Self> {
        if target > 0.0 && target < 1.0 {
            Ok(Self(target))
        } else {
            Err(Error::InvalidTarget {
                value: target,
                unit: "(ratio)",
                low: 0.0,
                high: 1.0,
            })
        }
    }

    /// An objective from a percentage, e.g. `99.9`.
    ///
    /// The ratio is the `f64` nearest to the decimal `percent / 100`, so `from_percent(99.9)`
    /// equals `new(0.999)` (plain division would give `0.9990000000000001`).
    ///
    /// # Errors
    /// [`Error::InvalidTarget`] unless `0 < percent < 100`.
    pub fn from_percent(percent: f64) -> Result<Self> {
        if !(percent > 0.0 && percent < 100.0) {
            return Err(Error::InvalidTarget {
                value: percent,
                unit: "(percent)",
                low: 0.0,
                high: 100.0,
            });
        }
        Self::new(shift_decimal(percent, -2))
    }

    /// The target as a ratio in (0, 1).
    pub const fn target(self) -> f64 {
        self.0
    }

    /// The target in percent, in (0, 100).
    pub fn percent(self) -> f64 {
        self.0 * 100.0
    }

    /// The error budget as a ratio: `1 - target`, the share of events allowed to be bad.
    pub fn error_budget(self) -> f64 {
        1.0 - self.0
    }

    /// The highest burn rate possible under this objective: `1 / (1 - target)`, reached when
    /// every event is bad. An alert threshold above it can never fire.
    pub fn max_burn_rate(self) -> f64 {
        1.0 / self.error_budget()
    }
}

/// `value × 10^exponent`, rounded once from the shortest decimal that prints `value`.
fn shift_decimal(value: f64, exponent: i32) -> f64 {
    let text = format!("{value:e}");
    let shifted = text.split_once('e').and_then(|(mantissa, exp)| {
        Some(format!(
            "{mantissa}e{}",
            exp.parse::<i32>().ok()? + exponent
        ))
    });
    shifted
        .and_then(|t| t.parse().ok())
        .unwrap_or(value * 10f64.powi(exponent))
}

impl TryFrom<f64> for Objective {
    type Error = Error;

    fn try_from(target: f64) -> Result<Self> {
        Self::new(target)
    }
}

impl From<Objective> for f64 {
    fn from(objective: Objective) -> Self {
        objective.0
    }
}

impl fmt::Display for Objective {
    /// Prints the target in percent, e.g. `99.9%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Round away the binary noise of `0.999 * 100` without hiding real digits.
        let percent = (self.0 * 100.0 * 1e9).round() / 1e9;
        write!(f, "{percent}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_degenerate_targets() {
        for bad in [0.0, 1.0, 1.5, -0.1, f64::NAN, f64::INFINITY] {
            let err = Objective::new(bad).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidTarget {
                        unit: "(ratio)",
                        ..
                    }
                ),
                "{bad}"
            );
        }
        for bad in [0.0, 100.0, 150.0, f64::NAN] {
            assert!(Objective::from_percent(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn percent_and_ratio_agree() {
        for (pct, ratio) in [
            (99.9, 0.999),
            (99.0, 0.99),
            (99.99, 0.9999),
            (50.0, 0.5),
            (99.95, 0.9995),
            (1e-5, 1e-7),
        ] {
            assert_eq!(Objective::from_percent(pct).unwrap().target(), ratio);
        }
    }

    #[test]
    fn displays_percent() {
        assert_eq!(Objective::new(0.999).unwrap().to_string(), "99.9%");
        assert_eq!(Objective::new(0.9995).unwrap().to_string(), "99.95%");
    }

    #[test]
    fn error_message_names_value() {
        let msg = Objective::new(1.5).unwrap_err().to_string();
        assert!(msg.contains("1.5"), "{msg}");
    }

    #[test]
    fn serde_rejects_out_of_range() {
        assert!(serde_json::from_str::<Objective>("1.5").is_err());
        let o: Objective = serde_json::from_str("0.995").unwrap();
        assert_eq!(o.target(), 0.995);
    }
}
