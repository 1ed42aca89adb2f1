//! [`TrendForecast`]: a robust linear trend over recent values and when it crosses a limit, the
//! time-to-exhaustion behind quota (F3), connection (F6) and cost (F8) forecasts.

use std::collections::VecDeque;

use super::median_by_selection;
#[cfg(doc)]
use crate::error::Error;
use crate::error::{Result, finite};

/// Theil–Sen trend over the last `capacity` evenly spaced values: the median of pairwise slopes,
/// which a few outliers cannot tilt. O(capacity²) per estimate, so keep the window to a few
/// hundred points.
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
#[derive(Debug, Clone)]
pub struct TrendForecast {
    capacity: usize,
    values: VecDeque<f64>,
    pushed: u64,
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
        })
    }

    /// Adds the next value.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN or infinite values.
    pub fn push(&mut self, value: f64) -> Result<()> {
        finite(value, self.pushed)?;
        if self.values.len() == self.capacity {
            self.values.pop_front();
        }
        self.values.push_back(value);
        self.pushed += 1;
        Ok(())
    }

    /// The Theil–Sen slope per step, `None` with fewer than 2 values.
    pub fn slope(&self) -> Option<f64> {
        match self.values.as_slices() {
            (values, []) => theil_sen_slope(values),
            _ => theil_sen_slope(&self.values.iter().copied().collect::<Vec<f64>>()),
        }
    }

    /// The trend line's value at the latest step: median of `value_i + slope × (last − i)`.
    pub fn level(&self) -> Option<f64> {
        self.line().map(|(level, _)| level)
    }

    /// `(level, slope)` together, the slope computed once: the same values as
    /// [`TrendForecast::level`] and [`TrendForecast::slope`], and `None` when they are.
    pub fn line(&self) -> Option<(f64, f64)> {
        let slope = self.slope()?;
        self.level_on(slope).map(|level| (level, slope))
    }

    /// The level given the slope.
    fn level_on(&self, slope: f64) -> Option<f64> {
        let last = self.values.len().checked_sub(1)?;
        let mut projected: Vec<f64> = self
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| v + slope * (last - i) as f64)
            .collect();
        median_by_selection(&mut projected)
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
}
