//! [`TrendForecast`]: a robust linear trend over recent values and when it crosses a limit, the
//! time-to-exhaustion behind quota (F3), connection (F6) and cost (F8) forecasts.

use std::collections::VecDeque;

use super::median_by_selection;
use super::sorted_keys::{insert_key, median_of_sorted_keys, replace_key, total_order_key};
#[cfg(doc)]
use crate::error::Error;
use crate::error::{Result, finite};

/// Theil–Sen trend over the last `capacity` evenly spaced values: the median of pairwise slopes,
/// which a few outliers cannot tilt. The pairwise slopes are kept sorted as values come and go
/// (a slope depends only on its two values and how many steps apart they are, so the window
/// sliding on does not change it): a push trades `capacity − 1` of the `capacity² / 2` slopes
/// kept (4 MiB at [`MAX_THEIL_SEN`](super::MAX_THEIL_SEN)), each found by binary search and
/// moved past the keys between its old and new places (O(capacity²) moves a push for a
/// steady series, O(capacity³) at worst for one that swings from one extreme to the other),
/// and works out the line, which is then read off in O(1). Keep the window to a few hundred
/// points.
///
/// # Example
/// ```
/// use failure_modes::stats::TrendForecast;
///
/// let mut usage = TrendForecast::new(10)?;
/// for v in [50.0, 52.0, 54.0, 56.0, 58.0, 60.0] {
///     usage.push(v)?;
/// }
/// assert_eq!(usage.slope(), Some(2.0));            // per step
/// assert_eq!(usage.steps_until(100.0), Some(20.0)); // 60 + 2 × 20 = 100
/// assert_eq!(usage.steps_until(40.0), Some(0.0));  // already past it
///
/// let mut draining = TrendForecast::new(10)?;
/// for v in [9.0, 8.0, 7.0] {
///     draining.push(v)?;
/// }
/// assert_eq!(draining.steps_until(100.0), None);    // a falling trend never gets there
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Clone)]
pub struct TrendForecast {
    capacity: usize,
    values: VecDeque<f64>,
    pushed: u64,
    /// Every pairwise slope of `values` as its `total_order_key`, in ascending order: the same
    /// multiset `theil_sen_slope` would build afresh, so the same median.
    slopes: Vec<i64>,
    /// `(level, slope)` of the values, worked out when one is pushed (nothing else changes
    /// them), and the buffer its level is selected in.
    line: Option<(f64, f64)>,
    projected: Vec<f64>,
}

impl std::fmt::Debug for TrendForecast {
    /// The window and its line; the pairwise slopes are kept as sort keys, meaningless to read
    /// (and up to half a million of them).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrendForecast")
            .field("capacity", &self.capacity)
            .field("values", &self.values)
            .field("pushed", &self.pushed)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

impl TrendForecast {
    /// A trend over the last `capacity` values (at least 2).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a capacity below 2 or above [`MAX_THEIL_SEN`](super::MAX_THEIL_SEN).
    pub fn new(capacity: usize) -> Result<Self> {
        super::check_window("capacity", capacity, 2, super::MAX_THEIL_SEN)?;
        Ok(Self {
            capacity,
            values: VecDeque::with_capacity(capacity),
            pushed: 0,
            slopes: Vec::new(),
            line: None,
            projected: Vec::with_capacity(capacity),
        })
    }

    /// Adds the next value.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN or infinite values.
    pub fn push(&mut self, value: f64) -> Result<()> {
        finite(value, self.pushed)?;
        let oldest = if self.values.len() == self.capacity {
            self.values.pop_front()
        } else {
            None
        };
        // Each value kept, `k` steps into the window, trades its slope from the oldest value
        // (`k + 1` steps before it) for its slope to the new one (`len - k` steps after it),
        // both computed as `theil_sen_slope` computes them: bit for bit the slopes it would
        // drop and add.
        let len = self.values.len();
        for (k, kept) in self.values.iter().enumerate() {
            let entering = total_order_key((value - kept) / (len - k) as f64);
            match oldest {
                Some(oldest) => replace_key(
                    &mut self.slopes,
                    total_order_key((kept - oldest) / (k + 1) as f64),
                    entering,
                ),
                None => insert_key(&mut self.slopes, entering),
            }
        }
        self.values.push_back(value);
        self.pushed += 1;
        self.line = self.slope().and_then(|slope| {
            // The level: the median of `value_i + slope × (last − i)`.
            let last = self.values.len() - 1;
            self.projected.clear();
            self.projected.extend(
                self.values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v + slope * (last - i) as f64),
            );
            median_by_selection(&mut self.projected).map(|level| (level, slope))
        });
        Ok(())
    }

    /// The Theil–Sen slope per step, `None` with fewer than 2 values.
    pub fn slope(&self) -> Option<f64> {
        median_of_sorted_keys(&self.slopes)
    }

    /// The trend line's value at the latest step: median of `value_i + slope × (last − i)`.
    pub fn level(&self) -> Option<f64> {
        self.line().map(|(level, _)| level)
    }

    /// `(level, slope)` together: the same values as [`TrendForecast::level`] and
    /// [`TrendForecast::slope`], and `None` when they are.
    pub fn line(&self) -> Option<(f64, f64)> {
        self.line
    }

    /// Steps from the latest value until the trend reaches `limit` from below: `Some(0.0)` when
    /// it already has, `None` when the trend is flat or falling (it never does).
    pub fn steps_until(&self, limit: f64) -> Option<f64> {
        let (level, slope) = self.line()?;
        if level >= limit {
            return Some(0.0);
        }
        (slope > 0.0).then(|| (limit - level) / slope)
    }
}

/// The Theil–Sen slope of `values` at steps 0, 1, 2 …: the median of the slopes between every
/// pair, `None` with fewer than 2 values. O(n²).
pub(crate) fn theil_sen_slope(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for (i, a) in values.iter().enumerate() {
        for (j, b) in values.iter().enumerate().skip(i + 1) {
            slopes.push((b - a) / (j - i) as f64);
        }
    }
    median_by_selection(&mut slopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outlier_does_not_tilt_the_trend() {
        let mut t = TrendForecast::new(20).unwrap();
        for i in 0..20 {
            t.push(if i == 10 { 1000.0 } else { 10.0 + i as f64 })
                .unwrap();
        }
        assert_eq!(t.slope(), Some(1.0));
        assert!(TrendForecast::new(1).is_err());
        assert!(t.push(f64::INFINITY).is_err());
    }

    #[test]
    fn kept_slopes_give_the_slope_taken_afresh() {
        // Ties, signed zeros and a spread of magnitudes, through windows of several sizes as
        // they fill and slide: the slope read off the kept slopes is, bit for bit, the median
        // of the slopes taken afresh over the window.
        let mut state = 11u64;
        for capacity in [2, 3, 14, 15, 40] {
            let mut t = TrendForecast::new(capacity).unwrap();
            let mut window: VecDeque<f64> = VecDeque::new();
            for _ in 0..200 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                let v = [(state >> 40) as f64 / 7.0 - 1e6, 0.0, -0.0, 3.0, 1e100]
                    [(state >> 20) as usize % 5];
                t.push(v).unwrap();
                if window.len() == capacity {
                    window.pop_front();
                }
                window.push_back(v);
                let afresh: Vec<f64> = window.iter().copied().collect();
                let slope = theil_sen_slope(&afresh);
                assert_eq!(
                    t.slope().map(f64::to_bits),
                    slope.map(f64::to_bits),
                    "capacity {capacity}, window {afresh:?}"
                );
                // And the level, the median of the values projected along that slope.
                let level = slope.and_then(|slope| {
                    let last = afresh.len() - 1;
                    let mut projected: Vec<f64> = afresh
                        .iter()
                        .enumerate()
                        .map(|(i, v)| v + slope * (last - i) as f64)
                        .collect();
                    median_by_selection(&mut projected)
                });
                assert_eq!(t.level().map(f64::to_bits), level.map(f64::to_bits));
            }
        }
    }
}
