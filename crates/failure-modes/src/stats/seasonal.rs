//! [`SeasonalBaseline`]: what a metric usually does at this time of day, from the same slot of
//! previous days (a CPU that peaks every afternoon is not anomalous every afternoon).

use std::collections::VecDeque;

use super::median_of_sorted;
#[cfg(doc)]
use crate::error::Error;
use crate::error::{Result, finite};

/// The median of the same slot over the last `days` seasons, fed one value per slot.
///
/// `period` is the number of slots in a season (288 five-minute slots in a day). The baseline for
/// the next slot is the median of the values seen at that slot in previous seasons; until one
/// season has passed there is none. Memory: `2 × period × days` values (each slot is kept in
/// arrival order and in sorted order, so that reading the median allocates nothing and costs
/// O(1), and a push costs O(days)).
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
    /// The same values, sorted, per slot.
    sorted: Vec<Vec<f64>>,
    next: usize,
    pushed: u64,
}

impl SeasonalBaseline {
    /// A baseline over `days` seasons of `period` slots.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero period or number of seasons, or more than
    /// [`MAX_WINDOW`](super::MAX_WINDOW) values in all.
    pub fn new(period: usize, days: usize) -> Result<Self> {
        for (field, value) in [("period", period), ("days", days)] {
            super::check_window(field, value, 1, usize::MAX)?;
        }
        super::check_window("period", period.saturating_mul(days), 1, super::MAX_WINDOW)?;
        Ok(Self {
            period,
            days,
            slots: vec![VecDeque::with_capacity(days); period],
            sorted: vec![Vec::with_capacity(days); period],
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
        let (Some(slot), Some(sorted)) = (
            self.slots.get_mut(self.next),
            self.sorted.get_mut(self.next),
        ) else {
            return Ok(());
        };
        if slot.len() == self.days
            && let Some(old) = slot.pop_front()
        {
            let at = sorted.partition_point(|v| *v < old);
            sorted.remove(at);
        }
        slot.push_back(value);
        let at = sorted.partition_point(|v| *v < value);
        sorted.insert(at, value);
        self.next = (self.next + 1) % self.period;
        self.pushed += 1;
        Ok(())
    }

    /// The median of previous seasons at the next slot, `None` before a full season.
    pub fn expected_next(&self) -> Option<f64> {
        median_of_sorted(self.sorted.get(self.next)?)
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

    #[test]
    fn median_follows_replaced_values() {
        let mut s = SeasonalBaseline::new(1, 3).unwrap();
        assert_eq!(s.expected_next(), None);
        for (v, expected) in [
            (5.0, 5.0),
            (1.0, 3.0),
            (9.0, 5.0),
            (9.0, 9.0),
            (0.0, 9.0),
            (0.0, 0.0),
        ] {
            s.push(v).unwrap();
            assert_eq!(s.expected_next(), Some(expected), "after {v}");
        }
    }
}
