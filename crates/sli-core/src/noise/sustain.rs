//! Sustained thresholds: a condition counts only when it held on N of the last M datapoints.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// "N out of M": a condition counts only when it held on at least `datapoints_to_alarm` of the
/// last `evaluation_periods` datapoints, CloudWatch's `DatapointsToAlarm` / `EvaluationPeriods`.
/// `5 of 5` at one-minute resolution is "5 minutes sustained".
///
/// # Example
/// ```
/// use sli_core::Sustained;
///
/// let three_of_four = Sustained::new(3, 4)?;
/// let raw = [true, true, false, true, true, false, false];
/// assert_eq!(three_of_four.apply(&raw), [false, false, false, true, true, false, false]);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawSustained", into = "RawSustained")]
pub struct Sustained {
    datapoints_to_alarm: u32,
    evaluation_periods: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSustained {
    datapoints_to_alarm: u32,
    evaluation_periods: u32,
}

impl TryFrom<RawSustained> for Sustained {
    type Error = Error;
    fn try_from(raw: RawSustained) -> Result<Self> {
        Self::new(raw.datapoints_to_alarm, raw.evaluation_periods)
    }
}

impl From<Sustained> for RawSustained {
    fn from(s: Sustained) -> Self {
        Self {
            datapoints_to_alarm: s.datapoints_to_alarm,
            evaluation_periods: s.evaluation_periods,
        }
    }
}

impl Sustained {
    /// N out of M.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `1 <= n <= m <= 10_080` (a week of minutes).
    pub fn new(datapoints_to_alarm: u32, evaluation_periods: u32) -> Result<Self> {
        if evaluation_periods == 0 || evaluation_periods > 10_080 {
            return Err(Error::InvalidParameter {
                field: "evaluation_periods",
                value: f64::from(evaluation_periods),
                reason: "must be within 1..=10080",
            });
        }
        if datapoints_to_alarm == 0 || datapoints_to_alarm > evaluation_periods {
            return Err(Error::InvalidParameter {
                field: "datapoints_to_alarm",
                value: f64::from(datapoints_to_alarm),
                reason: "must be within 1..=evaluation_periods",
            });
        }
        Ok(Self {
            datapoints_to_alarm,
            evaluation_periods,
        })
    }

    /// N out of M for constants: `const FIVE_MINUTES: Sustained = Sustained::of(5, 5);` is
    /// checked by the compiler, so a library's defaults need no runtime error path.
    ///
    /// # Panics
    /// Unless `1 <= n <= m <= 10_080`; used in a `const` item, that is a compile error.
    ///
    /// ```
    /// use sli_core::Sustained;
    ///
    /// const THREE_OF_FIVE: Sustained = Sustained::of(3, 5);
    /// assert_eq!(THREE_OF_FIVE, Sustained::new(3, 5)?);
    /// # Ok::<(), sli_core::Error>(())
    /// ```
    #[allow(clippy::panic)]
    pub const fn of(datapoints_to_alarm: u32, evaluation_periods: u32) -> Self {
        if evaluation_periods == 0
            || evaluation_periods > 10_080
            || datapoints_to_alarm == 0
            || datapoints_to_alarm > evaluation_periods
        {
            panic!("Sustained::of needs 1 <= n <= m <= 10080");
        }
        Self {
            datapoints_to_alarm,
            evaluation_periods,
        }
    }

    /// N: how many datapoints must breach.
    pub const fn datapoints_to_alarm(&self) -> u32 {
        self.datapoints_to_alarm
    }

    /// M: how many recent datapoints are looked at.
    pub const fn evaluation_periods(&self) -> u32 {
        self.evaluation_periods
    }

    /// Applies the rule to a whole sequence of raw conditions.
    pub fn apply(&self, raw: &[bool]) -> Vec<bool> {
        let mut filter = SustainFilter::new(*self);
        raw.iter().map(|&r| filter.push(r)).collect()
    }
}

/// The streaming form of [`Sustained`]: O(1) per datapoint, memory of M bits.
///
/// # Example
/// ```
/// use sli_core::{SustainFilter, Sustained};
///
/// let mut five_minutes = SustainFilter::new(Sustained::new(5, 5)?);
/// let fired: Vec<bool> = (0..6).map(|_| five_minutes.push(true)).collect();
/// assert_eq!(fired, [false, false, false, false, true, true]);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SustainFilter {
    rule: Sustained,
    recent: Vec<bool>,
    next: usize,
    breaching: u32,
}

impl SustainFilter {
    /// A filter with no history.
    pub fn new(rule: Sustained) -> Self {
        Self {
            rule,
            recent: vec![false; rule.evaluation_periods as usize],
            next: 0,
            breaching: 0,
        }
    }

    /// Pushes the next raw condition; returns whether the sustained condition holds.
    #[inline]
    pub fn push(&mut self, raw: bool) -> bool {
        if let Some(slot) = self.recent.get_mut(self.next) {
            self.breaching -= u32::from(*slot);
            *slot = raw;
            self.breaching += u32::from(raw);
        }
        // Wrapping without a division (a detector pushes twice a sample).
        self.next += 1;
        if self.next >= self.recent.len() {
            self.next = 0;
        }
        self.breaching >= self.rule.datapoints_to_alarm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sustained_five_of_five() {
        let rule = Sustained::new(5, 5).unwrap();
        let raw: Vec<bool> = (0..12).map(|i| (2..9).contains(&i)).collect();
        let out = rule.apply(&raw);
        let first = out.iter().position(|&b| b).unwrap();
        assert_eq!(first, 6, "fires after 5 sustained points");
        assert!(!out[9], "drops as soon as one point clears");
        assert!(Sustained::new(6, 5).is_err());
        assert!(Sustained::new(0, 5).is_err());
    }
}
