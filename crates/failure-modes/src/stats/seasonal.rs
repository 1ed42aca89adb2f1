//! [`SeasonalBaseline`]: what a metric usually does at this time of day, from the same slot of
//! previous days (a CPU that peaks every afternoon is not anomalous every afternoon).

use std::collections::VecDeque;

use super::median_in_place;
use crate::error::{Error, Result, finite};

/// The median of the same slot over the last `days` seasons, fed one value per slot.
///
/// `period` is the number of slots in a season (288 five-minute slots in a day). The baseline for
/// the next slot is the median of the values seen at that slot in previous seasons; until one
/// season has passed there is none. Memory: `period × days` values.
///
/// # Example
/// ```
/// use failure_modes::stats::SeasonalBaseline;
///
/// // A "day" of 4 slots with a peak in slot 2, seen for 3 days.
/// let mut seasonal = SeasonalBaseline::new(4, 3)?;
/// for _ in 0..3 {
///     for v in [10.0, 10.0, 50.0, 10.0] {
///         seasonal.push(v)?;
///     }
/// }
/// assert_eq!(seasonal.expected_next(), Some(10.0)); // slot 0 comes next
/// seasonal.push(10.0)?;
/// seasonal.push(10.0)?;
/// assert_eq!(seasonal.expected_next(), Some(50.0)); // the usual peak
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SeasonalBaseline {
    period: usize,
    days: usize,
    /// The values of each slot, oldest season first.
    slots: Vec<VecDeque<f64>>,
    next: usize,
    pushed: u64,
}

impl SeasonalBaseline {
    /// A baseline over `days` seasons of `period` slots.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero period or number of seasons.
    pub fn new(period: usize, days: usize) -> Result<Self> {
        for (field, value) in [("period", period), ("days", days)] {
            if value == 0 {
                return Err(Error::InvalidConfig {
                    field,
                    value: 0.0,
                    reason: "must be at least 1",
                });
            }
        }
        Ok(Self {
            period,
            days,
            slots: vec![VecDeque::with_capacity(days); period],
            next: 0,
            pushed: 0,
        })
    }

    /// Records the value of the current slot and moves to the next.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN or infinite values (the slot is not advanced).
    pub fn push(&mut self, value: f64) -> Result<()> {
        finite(value, self.pushed)?;
        let slot = &mut self.slots[self.next];
        if slot.len() == self.days {
            slot.pop_front();
        }
        slot.push_back(value);
        self.next = (self.next + 1) % self.period;
        self.pushed += 1;
        Ok(())
    }

    /// The median of previous seasons at the next slot, `None` before a full season.
    pub fn expected_next(&self) -> Option<f64> {
        let slot = &self.slots[self.next];
        let mut values: Vec<f64> = slot.iter().copied().collect();
        median_in_place(&mut values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_last_days() {
        let mut s = SeasonalBaseline::new(2, 2).unwrap();
        for v in [1.0, 0.0, 3.0, 0.0, 5.0, 0.0] {
            s.push(v).unwrap();
        }
        // Slot 0 saw 1, 3, 5: the last two days are 3 and 5.
        assert_eq!(s.expected_next(), Some(4.0));
        assert!(s.push(f64::NAN).is_err());
        assert!(SeasonalBaseline::new(0, 1).is_err());
    }
}
