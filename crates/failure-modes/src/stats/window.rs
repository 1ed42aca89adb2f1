//! [`TrailingWindow`]: the last `n` values, pushed in O(1), whose median and MAD are worked out
//! only when asked — for a detector that learns every period but reads its baseline rarely
//! (F2 reads a zone's only when the zone is already 1.5× slower than its peers).

use std::collections::VecDeque;

use super::median_by_selection;
use crate::error::{Result, finite};

/// The last `capacity` values in arrival order. [`TrailingWindow::median_and_mad`] gives the
/// same median and MAD as [`RobustBaseline`](super::RobustBaseline) over the same values, to
/// the bit for normal numbers (checked in the tests; the two may differ in the sign of a zero
/// median when the window holds both zeros, and in the last bit among subnormals), in O(n)
/// per read instead of O(log n + n moves) per push.
#[derive(Debug, Clone)]
pub(crate) struct TrailingWindow {
    values: VecDeque<f64>,
    capacity: usize,
    pushed: u64,
}

impl TrailingWindow {
    /// An empty window of `capacity` values (at least 1, as checked by the caller's config).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            values: VecDeque::with_capacity(capacity),
            capacity,
            pushed: 0,
        }
    }

    /// Adds `value`, dropping the oldest once full.
    ///
    /// # Errors
    /// [`Error::InvalidValue`](crate::Error::InvalidValue) for a NaN or infinite value, the
    /// window unchanged.
    pub(crate) fn push(&mut self, value: f64) -> Result<()> {
        finite(value, self.pushed)?;
        self.pushed += 1;
        if self.values.len() >= self.capacity {
            self.values.pop_front();
        }
        self.values.push_back(value);
        Ok(())
    }

    /// Whether the window holds `capacity` values.
    pub(crate) fn is_full(&self) -> bool {
        self.values.len() == self.capacity
    }

    /// The median and the median absolute deviation from it, using `scratch` (cleared first)
    /// for the selection; `None` when empty. The median's two middle values are averaged
    /// halves first and the MAD's as `(a + b) / 2`, as `RobustBaseline` does.
    pub(crate) fn median_and_mad(&self, scratch: &mut Vec<f64>) -> Option<(f64, f64)> {
        scratch.clear();
        scratch.extend(self.values.iter().copied());
        let median = median_by_selection(scratch)?;
        for value in scratch.iter_mut() {
            *value = (*value - median).abs();
        }
        let n = scratch.len();
        let (lower, upper, _) = scratch.select_nth_unstable_by(n / 2, f64::total_cmp);
        let upper = *upper;
        let mad = if n % 2 == 1 {
            upper
        } else {
            let lower = lower.iter().copied().max_by(f64::total_cmp)?;
            (lower + upper) / 2.0
        };
        Some((median, mad))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::RobustBaseline;

    #[test]
    fn the_same_median_and_mad_as_the_robust_baseline() {
        let mut state = 11u64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            state >> 11
        };
        for capacity in [1, 2, 3, 7, 120, 121] {
            let mut window = TrailingWindow::new(capacity);
            let mut baseline = RobustBaseline::new(capacity).unwrap();
            let mut scratch = Vec::new();
            for i in 0..2_000u64 {
                // Repeated values, heavy tails, a flat stretch and tiny steps.
                let r = next();
                let value = match i % 5 {
                    0 => (r % 7) as f64,
                    1 => (r as f64 / (1u64 << 53) as f64).powi(8) * 1e6,
                    2 if i > 1_000 && i < 1_300 => 0.25,
                    _ => 100.0 + (r % 1_000) as f64 * 1e-3,
                };
                window.push(value).unwrap();
                baseline.push(value).unwrap();
                assert_eq!(window.is_full(), baseline.is_full());
                let (median, mad) = window.median_and_mad(&mut scratch).unwrap();
                assert_eq!(median.to_bits(), baseline.median().unwrap().to_bits());
                assert_eq!(
                    mad.to_bits(),
                    baseline.mad().unwrap().to_bits(),
                    "{capacity} {i}"
                );
            }
        }
        assert!(
            TrailingWindow::new(3)
                .median_and_mad(&mut Vec::new())
                .is_none()
        );
        assert!(TrailingWindow::new(3).push(f64::NAN).is_err());
    }
}
