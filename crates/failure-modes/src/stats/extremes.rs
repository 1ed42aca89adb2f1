//! [`RollingMax`]: the largest of the last `capacity` values, O(1) amortised per value: the
//! record a new observation must beat to be the most extreme thing seen in a while.

use std::collections::VecDeque;

#[cfg(doc)]
use crate::error::Error;
use crate::error::{Result, finite};

/// The maximum over a sliding window of the last `capacity` values (a monotonic deque: only
/// values that can still become the maximum are kept, so memory is at most `capacity` and
/// usually far less).
///
/// # Example
/// ```
/// use failure_modes::stats::RollingMax;
///
/// let mut record = RollingMax::new(3)?;
/// assert_eq!(record.max(), None);
/// for v in [5.0, 1.0, 2.0] {
///     record.push(v)?;
/// }
/// assert_eq!(record.max(), Some(5.0));
/// record.push(0.0)?; // 5.0 leaves the window
/// assert_eq!(record.max(), Some(2.0));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RollingMax {
    capacity: u64,
    /// (position, value), positions increasing and values strictly decreasing.
    candidates: VecDeque<(u64, f64)>,
    pushed: u64,
}

impl RollingMax {
    /// The maximum of the last `capacity` values.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a capacity of 0 or above [`MAX_WINDOW`](super::MAX_WINDOW).
    pub fn new(capacity: usize) -> Result<Self> {
        super::check_window("capacity", capacity, 1, super::MAX_WINDOW)?;
        Ok(Self {
            capacity: capacity as u64,
            candidates: VecDeque::new(),
            pushed: 0,
        })
    }

    /// Adds a value, forgetting the one that leaves the window.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN or infinite values (the window is unchanged).
    #[inline]
    pub fn push(&mut self, value: f64) -> Result<()> {
        finite(value, self.pushed)?;
        while self.candidates.back().is_some_and(|&(_, v)| v <= value) {
            self.candidates.pop_back();
        }
        self.candidates.push_back((self.pushed, value));
        self.pushed += 1;
        while self
            .candidates
            .front()
            .is_some_and(|&(at, _)| self.pushed - at > self.capacity)
        {
            self.candidates.pop_front();
        }
        Ok(())
    }

    /// The largest value in the window, `None` before the first.
    pub fn max(&self) -> Option<f64> {
        self.candidates.front().map(|&(_, v)| v)
    }

    /// How many values the window holds.
    pub fn len(&self) -> usize {
        self.pushed.min(self.capacity) as usize
    }

    /// `true` before the first value.
    pub fn is_empty(&self) -> bool {
        self.pushed == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_naive_window_maximum() {
        let mut r = RollingMax::new(5).unwrap();
        let values: Vec<f64> = (0..100u64).map(|i| ((i * 7919) % 23) as f64).collect();
        for (i, v) in values.iter().enumerate() {
            r.push(*v).unwrap();
            let from = (i + 1).saturating_sub(5);
            let naive = values[from..=i].iter().copied().fold(f64::MIN, f64::max);
            assert_eq!(r.max(), Some(naive), "at {i}");
        }
        assert_eq!(r.len(), 5);
        assert!(r.push(f64::INFINITY).is_err());
        assert!(RollingMax::new(0).is_err());
    }
}
