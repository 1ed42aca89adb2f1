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
/// // 1 − 0.999 from the decimal: 0.001, not the 0.0010000000000000009 of binary arithmetic.
/// assert_eq!(three_nines.error_budget(), 0.001);
/// assert!(Objective::new(1.0).is_err());
/// assert!(Objective::from_percent(150.0).is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Objective {
    target: f64,
    /// `1 − target`, worked out once from the decimal (see [`Objective::error_budget`]).
    budget: f64,
    /// `1 − target` as `digits / 10^places` (both exact in binary64), when it can be.
    scaled: Option<(f64, f64)>,
}

impl fmt::Debug for Objective {
    /// `Objective(0.999)`: the budget is a function of the target.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Objective").field(&self.target).finish()
    }
}

impl Objective {
    /// For literal targets the crate itself knows to be inside (0, 1).
    pub(crate) fn known_valid(target: f64) -> Self {
        let (budget, scaled) = decimal_complement(target);
        Self {
            target,
            budget,
            scaled,
        }
    }

    /// An objective from a ratio, e.g. `0.999`.
    ///
    /// # Errors
    /// [`Error::InvalidTarget`] unless `0 < target < 1`.
    pub fn new(target: f64) -> Result<Self> {
        if target > 0.0 && target < 1.0 {
            Ok(Self::known_valid(target))
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
        self.target
    }

    /// The target in percent, in (0, 100): its decimal with the point moved two places
    /// (0.07 is 7, where `0.07 * 100.0` is 7.000000000000001), as
    /// [`ExactValue::percent`](crate::ExactValue::percent) gives it.
    pub fn percent(self) -> f64 {
        shift_decimal(self.target, 2)
    }

    /// The error budget as a ratio: `1 - target`, the share of events allowed to be bad.
    ///
    /// Worked out from the decimal the target is written as (the shortest that reads back as
    /// it, as `from_percent` does) and rounded once: `1 - 0.999` is `0.001`, where binary
    /// arithmetic gives `0.0010000000000000009`, and `1 - 0.999999` is `1e-6`, not
    /// `1.0000000000287557e-6` (29 parts in a trillion off, enough to call an exactly spent
    /// budget unspent).
    pub const fn error_budget(self) -> f64 {
        self.budget
    }

    /// `(1 − target) × amount`, rounded once when `amount` is whole and the product of the
    /// budget's decimal digits by it is exact (below 2^53): so that a budget spent to the last
    /// event (`1 − 0.99999` of 7e7 events is 700) is exactly what was spent, where
    /// `error_budget() × amount` rounds twice (700.0000000000001).
    pub(crate) fn budget_of(self, amount: f64) -> f64 {
        if let Some((digits, scale)) = self.scaled {
            let product = digits * amount;
            if amount.fract() == 0.0 && product < crate::counts::MAX_COUNT {
                return product / scale;
            }
        }
        self.budget * amount
    }

    /// The highest burn rate possible under this objective: `1 / (1 - target)`, reached when
    /// every event is bad. An alert threshold above it can never fire.
    pub fn max_burn_rate(self) -> f64 {
        1.0 / self.error_budget()
    }
}

/// `1 − value` for `0 < value < 1`, computed on the shortest decimal that prints `value` and
/// rounded once, with that decimal as `(digits, 10^places)` when both are exact in binary64.
/// Past 38 decimals (targets below about 1e-21, whose complement rounds to 1 either way) it is
/// the binary `1 − value`.
fn decimal_complement(value: f64) -> (f64, Option<(f64, f64)>) {
    let text = format!("{value:e}");
    let exact = text.split_once('e').and_then(|(mantissa, exp)| {
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        // value = digits × 10^-places
        let places = u32::try_from(digits.len() as i64 - 1 - exp.parse::<i64>().ok()?).ok()?;
        let scaled: u128 = digits.parse().ok()?;
        let complement = 10_u128.checked_pow(places)?.checked_sub(scaled)?;
        let rounded: f64 = format!("{complement}e-{places}").parse().ok()?;
        // 10^22 is the last power of ten exact in binary64, 2^53 the last exact integer.
        // (Parsed, not `powi`, whose precision is unspecified.)
        let scale: f64 = format!("1e{places}").parse().ok()?;
        let exact = (places <= 22 && complement <= 1 << 53).then_some((complement as f64, scale));
        Some((rounded, exact))
    });
    exact.unwrap_or((1.0 - value, None))
}

/// `value × 10^exponent`, rounded once from the shortest decimal that prints `value`.
pub(crate) fn shift_decimal(value: f64, exponent: i32) -> f64 {
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
        objective.target
    }
}

impl fmt::Display for Objective {
    /// Prints the target in percent, e.g. `99.9%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The decimal of the target, not of `target * 100` (binary noise) nor a rounding of it
        // (0.999999999999 printed as 100%).
        write!(f, "{}%", crate::ExactValue(self.percent()))
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
        // Digits past the ninth are real, not rounded away; tiny targets in scientific form.
        assert_eq!(
            Objective::new(0.999_999_999_999).unwrap().to_string(),
            "99.9999999999%"
        );
        assert_eq!(
            Objective::new(0.9999999999999999).unwrap().to_string(),
            "99.99999999999999%"
        );
        assert_eq!(Objective::new(1e-22).unwrap().to_string(), "1e-20%");
        assert_eq!(Objective::new(0.07).unwrap().to_string(), "7%");
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
