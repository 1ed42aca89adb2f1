//! [`RobustBaseline`]: the median and the median absolute deviation (MAD) of a trailing window,
//! a baseline that a few wild points cannot drag.

use std::collections::VecDeque;

use super::{median_in_place, median_of_sorted};
use crate::error::{Error, Result, finite};

/// The MAD of normally distributed data is σ / 1.4826: this scales it to a σ estimate.
pub const MAD_TO_SIGMA: f64 = 1.4826;

/// Median and MAD over the last `capacity` values, updated one value at a time.
///
/// Keeps the window in arrival order and in sorted order: O(capacity) per push (a memmove),
/// O(1) to read the median, O(capacity) for the MAD.
///
/// # Example
/// ```
/// use failure_modes::stats::RobustBaseline;
///
/// let mut baseline = RobustBaseline::new(5)?;
/// for v in [10.0, 11.0, 9.0, 10.0, 1000.0] {
///     baseline.push(v)?;
/// }
/// assert_eq!(baseline.median(), Some(10.0)); // the outlier does not move it
/// assert_eq!(baseline.mad(), Some(1.0));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RobustBaseline {
    capacity: usize,
    arrival: VecDeque<f64>,
    sorted: Vec<f64>,
    scratch: Vec<f64>,
    pushed: u64,
}

impl RobustBaseline {
    /// A baseline over the last `capacity` values.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a capacity of 0.
    pub fn new(capacity: usize) -> Result<Self> {
        if capacity == 0 {
            return Err(Error::InvalidConfig {
                field: "capacity",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        Ok(Self {
            capacity,
            arrival: VecDeque::with_capacity(capacity),
            sorted: Vec::with_capacity(capacity),
            scratch: Vec::with_capacity(capacity),
            pushed: 0,
        })
    }

    /// Adds a value, dropping the oldest when full.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN or infinite values (the baseline is unchanged).
    pub fn push(&mut self, value: f64) -> Result<()> {
        finite(value, self.pushed)?;
        self.pushed += 1;
        if self.arrival.len() == self.capacity
            && let Some(old) = self.arrival.pop_front()
        {
            let at = self.sorted.partition_point(|v| *v < old);
            self.sorted.remove(at);
        }
        self.arrival.push_back(value);
        let at = self.sorted.partition_point(|v| *v < value);
        self.sorted.insert(at, value);
        Ok(())
    }

    /// How many values the window holds.
    pub fn len(&self) -> usize {
        self.sorted.len()
    }

    /// `true` before the first value.
    pub fn is_empty(&self) -> bool {
        self.sorted.is_empty()
    }

    /// `true` once the window is full.
    pub fn is_full(&self) -> bool {
        self.sorted.len() == self.capacity
    }

    /// The median of the window.
    pub fn median(&self) -> Option<f64> {
        median_of_sorted(&self.sorted)
    }

    /// The median absolute deviation from the median.
    pub fn mad(&mut self) -> Option<f64> {
        let median = self.median()?;
        self.scratch.clear();
        self.scratch
            .extend(self.sorted.iter().map(|v| (v - median).abs()));
        median_in_place(&mut self.scratch)
    }

    /// How many robust σ `value` lies from the median: `(value − median) / (1.4826 × MAD)`,
    /// with the MAD floored at `min_spread` (a flat baseline would otherwise make any change
    /// infinitely surprising). `None` before the first value.
    pub fn robust_z(&mut self, value: f64, min_spread: f64) -> Option<f64> {
        let median = self.median()?;
        let spread = (MAD_TO_SIGMA * self.mad()?).max(min_spread);
        Some((value - median) / spread)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_slides_and_rejects_nan() {
        let mut b = RobustBaseline::new(3).unwrap();
        for v in [1.0, 2.0, 3.0, 4.0] {
            b.push(v).unwrap();
        }
        assert_eq!(b.median(), Some(3.0));
        assert!(b.push(f64::NAN).is_err());
        assert_eq!(b.len(), 3);
        assert!(RobustBaseline::new(0).is_err());
    }

    #[test]
    fn robust_z_floors_the_spread() {
        let mut b = RobustBaseline::new(10).unwrap();
        for _ in 0..10 {
            b.push(5.0).unwrap();
        }
        assert_eq!(b.robust_z(7.0, 0.5), Some(4.0));
    }
}
