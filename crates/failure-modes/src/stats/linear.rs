//! [`LinearTrend`]: a least-squares line over a sliding window, O(1) per value: the forecast
//! that runs on every point of a high-rate series (connections, quota usage), where the robust
//! [`TrendForecast`](super::TrendForecast) would cost O(window²).

use super::RollingMax;
use super::forecast::theil_sen_slope;
#[cfg(doc)]
use crate::error::Error;
use crate::error::{Result, finite};

/// Ordinary least squares over the last `capacity` values, the values at steps 0, 1, 2 …
///
/// From running sums `Σy` and `Σx·y`, refreshed once a window and whenever a value that passed
/// through them since is more than 16 times the window's largest magnitude (kept by a
/// [`RollingMax`] of magnitudes: at most `capacity` more values). Not exact: the slope is
/// a difference of products of those sums, accurate relative to the window's largest
/// magnitude, not to the slope itself (a nearly flat line on a large level has few correct
/// digits).
///
/// # Example
/// ```
/// use failure_modes::stats::LinearTrend;
///
/// let mut trend = LinearTrend::new(10)?;
/// for step in 0..20 {
///     trend.push(100.0 + 5.0 * f64::from(step))?;
/// }
/// assert!((trend.slope().unwrap() - 5.0).abs() < 1e-9);
/// // Last value 195; 500 is (500 - 195) / 5 = 61 steps away.
/// assert!((trend.steps_until(500.0).unwrap() - 61.0).abs() < 1e-9);
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct LinearTrend {
    capacity: usize,
    /// The window as a ring, allocated once: in order from `oldest` (0 until full).
    values: Vec<f64>,
    oldest: usize,
    sum: f64,
    /// Σ x·y with x the position in the window (0 = oldest).
    weighted_sum: f64,
    since_refresh: usize,
    /// The largest magnitude in the window, and the largest that has entered the sums since
    /// they were last refreshed (the scale of the rounding they carry).
    magnitudes: RollingMax,
    scale_since_refresh: f64,
    pushed: u64,
}

impl LinearTrend {
    /// A trend over the last `capacity` values (at least 2).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a capacity below 2 or above [`MAX_WINDOW`](super::MAX_WINDOW).
    pub fn new(capacity: usize) -> Result<Self> {
        super::check_window("capacity", capacity, 2, super::MAX_WINDOW)?;
        Ok(Self {
            capacity,
            values: Vec::with_capacity(capacity),
            oldest: 0,
            sum: 0.0,
            weighted_sum: 0.0,
            since_refresh: 0,
            magnitudes: RollingMax::new(capacity)?,
            scale_since_refresh: 0.0,
            pushed: 0,
        })
    }

    /// Adds the next value.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN or infinite values (the trend is unchanged).
    #[inline]
    pub fn push(&mut self, value: f64) -> Result<()> {
        finite(value, self.pushed)?;
        // Cannot fail for a value `finite` accepted; before any change, should it ever.
        self.magnitudes.push(value.abs())?;
        self.pushed += 1;
        // The sums in locals, stored once: updated in place, the compiler paired the two
        // stores into one load that waited for both (a stall of a dozen cycles a value).
        let (mut sum, mut weighted_sum) = (self.sum, self.weighted_sum);
        if self.values.len() == self.capacity
            && let Some(slot) = self.values.get_mut(self.oldest)
        {
            // Every remaining value moves one step left: Σx·y falls by their sum.
            let oldest = std::mem::replace(slot, value);
            sum -= oldest;
            weighted_sum -= sum;
            weighted_sum += (self.capacity - 1) as f64 * value;
            self.oldest += 1;
            if self.oldest == self.capacity {
                self.oldest = 0;
            }
        } else {
            weighted_sum += self.values.len() as f64 * value;
            self.values.push(value);
        }
        sum += value;
        (self.sum, self.weighted_sum) = (sum, weighted_sum);
        self.since_refresh += 1;
        self.scale_since_refresh = self.scale_since_refresh.max(value.abs());
        // Running sums drift by rounding; recomputing once per window keeps them exact enough
        // at O(1) amortised cost, and so does recomputing as soon as a value that passed
        // through them dwarfs the window: a spike leaving would otherwise leave its rounding
        // behind (1e100 in and out of a sum of small values leaves nothing of them).
        let largest = self.magnitudes.max().unwrap_or(0.0);
        if self.since_refresh >= self.capacity
            || self.scale_since_refresh > super::SCALE_BEFORE_RECOMPUTING * largest
        {
            self.refresh();
        }
        Ok(())
    }

    // Once a window: kept out of `push`, which is inlined into the detectors' loops.
    #[cold]
    fn refresh(&mut self) {
        self.sum = self.in_order().sum();
        self.weighted_sum = self.in_order().enumerate().map(|(x, y)| x as f64 * y).sum();
        self.since_refresh = 0;
        self.scale_since_refresh = self.magnitudes.max().unwrap_or(0.0);
    }

    /// The window's values, oldest first.
    fn in_order(&self) -> impl Iterator<Item = &f64> {
        let (newer, older) = self.values.split_at(self.oldest);
        older.iter().chain(newer)
    }

    /// How many values the window holds.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// `true` before the first value.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Change per step, `None` before two values.
    pub fn slope(&self) -> Option<f64> {
        self.sums().slope()
    }

    /// The running sums the line is fitted from, to read the window's slope later (a few
    /// loads: cheap enough to keep one per value).
    pub(crate) fn sums(&self) -> LineSums {
        LineSums {
            len: self.values.len(),
            sum: self.sum,
            weighted_sum: self.weighted_sum,
        }
    }

    /// The fitted value at the latest step, `None` before two values.
    pub fn level(&self) -> Option<f64> {
        self.slope().map(|slope| self.level_on(slope))
    }

    /// The fitted value at the newest point, on the line of this `slope` (the window's).
    fn level_on(&self, slope: f64) -> f64 {
        let n = self.values.len() as f64;
        let intercept = (self.sum - slope * n * (n - 1.0) / 2.0) / n;
        intercept + slope * (n - 1.0)
    }

    /// The Theil–Sen slopes (medians of pairwise slopes) of the older and the more recent half
    /// of the window (the middle value, with an odd count, goes to the recent half), `None`
    /// before four values. O(window²): for the rare moment a forecast is about to be made, not
    /// for every value.
    pub(crate) fn half_slopes(&self) -> Option<(f64, f64)> {
        let n = self.values.len();
        if n < 4 {
            return None;
        }
        let values: Vec<f64> = self.in_order().copied().collect();
        let (older, recent) = values.split_at(n / 2);
        Some((theil_sen_slope(older)?, theil_sen_slope(recent)?))
    }

    /// Steps until the line reaches `limit` when the climb is sustained: the latest of the
    /// three forecasts made from the window's fitted level with the least-squares slope of the
    /// whole window and the Theil–Sen slopes of its older and its recent half (robust: a few
    /// minutes of burst inside a half do not tilt it). A steady climb (a leak, a scale-out
    /// that goes on) gives three alike; a step leaves one half flat, and a climb that has
    /// levelled off leaves the recent half flat: neither is a forecast. `Some(0.0)` when the
    /// fitted level is already at the limit. O(window²), as [`half_slopes`](Self::half_slopes).
    pub(crate) fn sustained_steps_until(&self, limit: f64) -> Option<f64> {
        if self.steps_until(limit)? <= 0.0 {
            return Some(0.0);
        }
        let (older, recent) = self.half_slopes()?;
        self.later_steps_until(limit, Some(older.min(recent)))
    }

    /// The later of two forecasts of when the line reaches `limit`: its own
    /// ([`steps_until`](Self::steps_until)), and the one from its fitted level at `slope`
    /// (another window's). `None` unless both rise: a climb must hold in both.
    pub(crate) fn later_steps_until(&self, limit: f64, slope: Option<f64>) -> Option<f64> {
        let (steps, level) = self.steps_and_level(limit)?;
        let slope = slope.filter(|slope| *slope > 0.0)?;
        Some(steps.max((limit - level) / slope))
    }

    /// Steps from the latest value until the line reaches `limit`: 0 when the fitted level is
    /// already there, `None` when the line does not rise towards it (or before two values).
    pub fn steps_until(&self, limit: f64) -> Option<f64> {
        self.steps_and_level(limit).map(|(steps, _)| steps)
    }

    /// [`steps_until`](Self::steps_until) and the fitted level it starts from, from one slope.
    fn steps_and_level(&self, limit: f64) -> Option<(f64, f64)> {
        let slope = self.slope()?;
        let level = self.level_on(slope);
        if level >= limit {
            Some((0.0, level))
        } else if slope > 0.0 {
            Some(((limit - level) / slope, level))
        } else {
            None
        }
    }
}

/// A [`LinearTrend`]'s window as its running sums, taken at one moment
/// ([`LinearTrend::sums`]): its slope can be read from them afterwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LineSums {
    len: usize,
    sum: f64,
    weighted_sum: f64,
}

impl LineSums {
    /// The window's change per step, `None` with fewer than two values.
    pub(crate) fn slope(self) -> Option<f64> {
        let n = self.len as f64;
        if n < 2.0 {
            return None;
        }
        let sum_x = n * (n - 1.0) / 2.0;
        let sum_xx = (n - 1.0) * n * (2.0 * n - 1.0) / 6.0;
        Some((n * self.weighted_sum - sum_x * self.sum) / (n * sum_xx - sum_x * sum_x))
    }
}

#[cfg(test)]
mod tests {
    use super::super::SCALE_BEFORE_RECOMPUTING;
    use super::*;

    /// The window became a ring in place of a `VecDeque` (for speed): the sums, the slope
    /// and the level must be the deque's to the bit, refreshes and spikes included.
    #[test]
    fn the_ring_keeps_the_deques_sums_to_the_bit() {
        use std::collections::VecDeque;
        // The deque version, as it was (sums updated in place, refreshed in deque order).
        struct Deque {
            values: VecDeque<f64>,
            sum: f64,
            weighted_sum: f64,
            since_refresh: usize,
            magnitudes: RollingMax,
            scale: f64,
        }
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for capacity in [2, 3, 7, 64] {
            let mut ring = LinearTrend::new(capacity).unwrap();
            let mut deque = Deque {
                values: VecDeque::new(),
                sum: 0.0,
                weighted_sum: 0.0,
                since_refresh: 0,
                magnitudes: RollingMax::new(capacity).unwrap(),
                scale: 0.0,
            };
            for i in 0..2_000 {
                let value = match i % 97 {
                    13 => 1e12 * random(),
                    _ => 1000.0 * random() - 300.0 + 0.1 * f64::from(i),
                };
                ring.push(value).unwrap();
                let d = &mut deque;
                d.magnitudes.push(value.abs()).unwrap();
                if d.values.len() == capacity
                    && let Some(oldest) = d.values.pop_front()
                {
                    d.sum -= oldest;
                    d.weighted_sum -= d.sum;
                }
                d.weighted_sum += d.values.len() as f64 * value;
                d.sum += value;
                d.values.push_back(value);
                d.since_refresh += 1;
                d.scale = d.scale.max(value.abs());
                let largest = d.magnitudes.max().unwrap_or(0.0);
                if d.since_refresh >= capacity || d.scale > SCALE_BEFORE_RECOMPUTING * largest {
                    d.sum = d.values.iter().sum();
                    d.weighted_sum = d.values.iter().enumerate().map(|(x, y)| x as f64 * y).sum();
                    d.since_refresh = 0;
                    d.scale = largest;
                }
                let sums = ring.sums();
                assert_eq!(
                    (sums.len, sums.sum.to_bits(), sums.weighted_sum.to_bits()),
                    (d.values.len(), d.sum.to_bits(), d.weighted_sum.to_bits()),
                    "capacity {capacity}, value {i}"
                );
                let ordered: Vec<f64> = ring.in_order().copied().collect();
                assert!(
                    ordered.iter().eq(d.values.iter()),
                    "capacity {capacity}, value {i}"
                );
            }
        }
    }

    #[test]
    fn sliding_sums_match_a_fresh_fit() {
        let mut sliding = LinearTrend::new(7).unwrap();
        let values: Vec<f64> = (0..50u32)
            .map(|i| f64::from(i * 37 % 11) + 0.5 * f64::from(i))
            .collect();
        for v in &values {
            sliding.push(*v).unwrap();
        }
        let mut fresh = LinearTrend::new(7).unwrap();
        for v in &values[values.len() - 7..] {
            fresh.push(*v).unwrap();
        }
        let (a, b) = (sliding.slope().unwrap(), fresh.slope().unwrap());
        assert!((a - b).abs() < 1e-9, "{a} vs {b}");
        assert!((sliding.level().unwrap() - fresh.level().unwrap()).abs() < 1e-9);
    }

    /// A spike leaving the window must not leave its rounding behind in the running sums
    /// (found by `tools/differential/stats.py`: after 1e100 left, a window of 1, 2, 3, 4 had a
    /// slope of about -1e100 until the next refresh).
    #[test]
    fn sums_forget_a_spike_that_left() {
        let mut trend = LinearTrend::new(4).unwrap();
        for v in [1e100, 1.0, 2.0, 3.0, 4.0] {
            trend.push(v).unwrap();
        }
        assert_eq!(trend.slope(), Some(1.0));
        assert_eq!(trend.level(), Some(4.0));
        assert_eq!(trend.steps_until(10.0), Some(6.0));
    }

    #[test]
    fn half_slopes_tell_a_steady_climb_from_a_step() {
        let mut steady = LinearTrend::new(20).unwrap();
        let mut step = LinearTrend::new(20).unwrap();
        assert_eq!(steady.half_slopes(), None);
        for i in 0..40u32 {
            steady.push(2.0 * f64::from(i)).unwrap();
            step.push(if i < 37 { 5.0 } else { 50.0 }).unwrap();
        }
        let (older, recent) = steady.half_slopes().unwrap();
        assert!((older - 2.0).abs() < 1e-9 && (recent - 2.0).abs() < 1e-9);
        // The step is in the recent half: the older half is flat, and three high values of
        // ten do not tilt the recent half's robust slope either.
        let (older, recent) = step.half_slopes().unwrap();
        assert!(
            older.abs() < 1e-9 && recent.abs() < 1e-9,
            "{older} {recent}"
        );
    }

    #[test]
    fn falling_or_flat_never_reaches() {
        let mut t = LinearTrend::new(5).unwrap();
        assert_eq!(t.slope(), None);
        for v in [5.0, 4.0, 3.0] {
            t.push(v).unwrap();
        }
        assert_eq!(t.steps_until(10.0), None);
        assert_eq!(t.steps_until(2.0), Some(0.0));
        assert!(t.push(f64::INFINITY).is_err());
        assert!(LinearTrend::new(1).is_err());
    }
}
