//! [`RobustBaseline`]: the median and the median absolute deviation (MAD) of a trailing window,
//! a baseline that a few wild points cannot drag. Its sorted window's ranks, moves and MAD
//! search are in `sorted_window`.

use std::collections::VecDeque;

use super::median_of_sorted;
use super::sorted_window::{Distances, rank_below, replace_in_sorted};
#[cfg(doc)]
use crate::error::Error;
use crate::error::{Result, finite};

/// The MAD of normally distributed data is σ / 1.4826: this scales it to a σ estimate.
pub const MAD_TO_SIGMA: f64 = 1.4826;

/// The mean absolute deviation of normally distributed data is σ·√(2/π): this (√(π/2))
/// scales it to a σ estimate.
pub const MEAN_AD_TO_SIGMA: f64 = 1.253_314_137_315_500_3;

/// Median, MAD and mean absolute deviation over the last `capacity` values, updated one value
/// at a time.
///
/// Keeps the window in arrival order and in sorted order: O(capacity) per push (a memmove of
/// contiguous `f64`s, cheap at the sizes used), O(1) to read the median and the mean absolute
/// deviation, O(log capacity) at worst for the MAD. The MAD is an order statistic of two sorted
/// sequences (see [`RobustBaseline::mad`]); where it splits between them is remembered
/// (refreshed every 16 pushes, and at every read by the
/// [`AnomalyDetector`](crate::AnomalyDetector)), since one value in and one out move it little,
/// so a read finds it again with a short gallop from there rather than a full binary search.
/// The mean absolute deviation from the median is the sum of the upper half minus the sum of
/// the lower half over the count; both sums are updated in O(1) per push and recomputed once
/// per `capacity` pushes, and whenever a value that passed through them since is more than 16
/// times the window's largest magnitude (a spike that left), so rounding cannot drift (a series
/// whose level falls 16-fold within a window pays an O(capacity) recomputation each time it
/// does). Memory: `2 × capacity` values.
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
    pushed: u64,
    /// For the current window: how many of the distances up to and including the MAD's lower
    /// middle one come from the values below the median (see [`RobustBaseline::mad`]).
    mad_split: usize,
    /// Sums of the `len / 2` smallest and of the `len / 2` largest values, and of all
    /// magnitudes.
    lower_sum: f64,
    upper_sum: f64,
    abs_sum: f64,
    /// Pushes since the sums were last recomputed exactly.
    since_exact: usize,
    /// The largest magnitude that has entered the sums since they were last recomputed: the
    /// scale of the rounding they carry.
    scale_since_exact: f64,
}

impl RobustBaseline {
    /// A baseline over the last `capacity` values.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a capacity of 0 or above [`MAX_WINDOW`](super::MAX_WINDOW).
    pub fn new(capacity: usize) -> Result<Self> {
        super::check_window("capacity", capacity, 1, super::MAX_WINDOW)?;
        Ok(Self {
            capacity,
            arrival: VecDeque::with_capacity(capacity),
            sorted: Vec::with_capacity(capacity),
            pushed: 0,
            mad_split: 0,
            lower_sum: 0.0,
            upper_sum: 0.0,
            abs_sum: 0.0,
            since_exact: 0,
            scale_since_exact: 0.0,
        })
    }

    /// Adds a value, dropping the oldest when full.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN, infinite or out-of-range values (beyond
    /// [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE)); the baseline is unchanged.
    pub fn push(&mut self, value: f64) -> Result<()> {
        finite(value, self.pushed)?;
        self.push_valid(value);
        Ok(())
    }

    /// [`RobustBaseline::push`] of a value the caller has already checked with
    /// [`finite`](crate::error::finite), as the [`AnomalyDetector`](crate::AnomalyDetector)
    /// does once for all its parts.
    pub(crate) fn push_valid(&mut self, value: f64) {
        self.pushed += 1;
        if self.arrival.len() == self.capacity
            && let Some(old) = self.arrival.pop_front()
        {
            self.arrival.push_back(value);
            self.update_sums_replacing(old, value);
            replace_in_sorted(&mut self.sorted, old, value);
        } else {
            self.arrival.push_back(value);
            self.update_sums_inserting(value);
            let at = rank_below(&self.sorted, value);
            self.sorted.insert(at, value);
        }
        self.since_exact += 1;
        self.scale_since_exact = self.scale_since_exact.max(value.abs());
        // Recomputed once a window, and as soon as a value that passed through the sums
        // dwarfs the window: a spike leaving would otherwise leave its rounding behind (1e100
        // in and out of a sum of ones leaves 0), and the means would read it until the next
        // recomputation. A spike costs one O(capacity) recomputation when it leaves.
        if self.since_exact >= self.capacity
            || self.scale_since_exact > super::SCALE_BEFORE_RECOMPUTING * self.largest_magnitude()
        {
            self.recompute_sums();
        }
        // The split is found again from this hint on each read of the MAD; refreshing the hint
        // now and then keeps that search short without paying for it on every push.
        if self.pushed.is_multiple_of(16) {
            self.mad_split = self.find_mad_split();
        }
    }

    /// Forgets every value (as a new baseline), keeping the allocation.
    pub fn clear(&mut self) {
        self.arrival.clear();
        self.sorted.clear();
        self.mad_split = 0;
        self.recompute_sums();
    }

    /// The largest magnitude in the window (0 when empty): at one end of the sorted values.
    fn largest_magnitude(&self) -> f64 {
        match (self.sorted.first(), self.sorted.last()) {
            (Some(low), Some(high)) => low.abs().max(high.abs()),
            _ => 0.0,
        }
    }

    fn recompute_sums(&mut self) {
        let half = self.sorted.len() / 2;
        self.lower_sum = self.sorted[..half].iter().sum();
        self.upper_sum = self.sorted[self.sorted.len() - half..].iter().sum();
        self.abs_sum = self.sorted.iter().map(|v| v.abs()).sum();
        self.since_exact = 0;
        self.scale_since_exact = self.largest_magnitude();
    }

    /// The half sums after inserting `value` into the (not yet changed) sorted window.
    fn update_sums_inserting(&mut self, value: f64) {
        self.abs_sum += value.abs();
        let (n, s) = (self.sorted.len(), &self.sorted);
        let half = n / 2;
        if n % 2 == 1 {
            // Both halves grow by one: the middle value or the new one, whichever is nearer.
            self.lower_sum += value.min(s[half]);
            self.upper_sum += value.max(s[half]);
        } else if n > 0 {
            // The halves keep their size: the new value displaces the nearest one if it is
            // further out.
            let (largest_low, smallest_high) = (s[half - 1], s[n - half]);
            if value < largest_low {
                self.lower_sum += value - largest_low;
            }
            if value > smallest_high {
                self.upper_sum += value - smallest_high;
            }
        }
    }

    /// The half sums after replacing `old` by `value` in the (not yet changed) full window.
    fn update_sums_replacing(&mut self, old: f64, value: f64) {
        self.abs_sum += value.abs() - old.abs();
        let (n, s) = (self.sorted.len(), &self.sorted);
        let half = n / 2;
        if half == 0 {
            return;
        }
        // The sum of the `half` smallest: removing `old` (if a copy of it is among them, the
        // next value moves in), then adding `value` (if it is below the largest of them).
        let (mut lower, mut largest_low) = (self.lower_sum, s[half - 1]);
        if old <= largest_low {
            lower += s[half] - old;
            largest_low = s[half];
        }
        if value < largest_low {
            lower += value - largest_low;
        }
        // The same for the `half` largest, mirrored.
        let (mut upper, mut smallest_high) = (self.upper_sum, s[n - half]);
        if old >= smallest_high {
            upper += s[n - half - 1] - old;
            smallest_high = s[n - half - 1];
        }
        if value > smallest_high {
            upper += value - smallest_high;
        }
        self.lower_sum = lower;
        self.upper_sum = upper;
    }

    /// The window's values, oldest first.
    pub fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.arrival.iter().copied()
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
    #[inline]
    pub fn median(&self) -> Option<f64> {
        median_of_sorted(&self.sorted)
    }

    /// The median absolute deviation from the median, exact, in O(1) and without allocating.
    ///
    /// With `h = len / 2`, the distances `m − x[h−1], m − x[h−2], …` (walking left from the
    /// median) and `x[h] − m, x[h+1] − m, …` (walking right) are two non-decreasing sequences
    /// whose union is the multiset of all `|x − m|`; its median is an order statistic of the
    /// union, found from how many of its smallest elements come from the left sequence (worked
    /// out by [`RobustBaseline::push`]). Each distance is the same floating-point number the
    /// naive `|x − m|` gives, so the result is identical.
    pub fn mad(&self) -> Option<f64> {
        let distances = self.distances()?;
        Some(distances.mad(distances.split_near(self.mad_split)))
    }

    /// [`RobustBaseline::mad`], remembering where its order statistic split so that the next
    /// read (after a push or two) finds it again in a step or two: for a caller that reads the
    /// MAD at every point.
    #[inline]
    pub(crate) fn mad_remembering_split(&mut self) -> Option<f64> {
        let distances = self.distances()?;
        let (split, mad) = distances.split_and_mad_near(self.mad_split);
        self.mad_split = split;
        Some(mad)
    }

    /// The two sequences of distances of [`RobustBaseline::mad`]; `None` for an empty window.
    #[inline]
    fn distances(&self) -> Option<Distances<'_>> {
        Distances::of(&self.sorted)
    }

    /// Where the MAD's order statistic splits between the two sequences for the current
    /// window, found near where it split before the last push.
    fn find_mad_split(&self) -> usize {
        self.distances().map_or(0, |d| d.split_near(self.mad_split))
    }

    /// The mean absolute deviation from the median, `Σ |x − median| / len`, in O(1); `None`
    /// for an empty window.
    ///
    /// From running sums: within `32 × len` ulps of the window's largest magnitude (at most
    /// `len` updates since the last exact recomputation, each rounding a sum of at most `len`
    /// values no larger than 16 times that magnitude), so not exact, and not to the last ulp
    /// of a small deviation among large values.
    #[inline]
    pub fn mean_abs_deviation(&self) -> Option<f64> {
        let n = self.sorted.len();
        (n > 0).then(|| ((self.upper_sum - self.lower_sum) / n as f64).max(0.0))
    }

    /// The mean magnitude `Σ |x| / len`, in O(1); `None` for an empty window. From a running
    /// sum: within `16 × len` ulps of the window's largest magnitude (as
    /// [`RobustBaseline::mean_abs_deviation`]).
    #[inline]
    pub fn mean_magnitude(&self) -> Option<f64> {
        let n = self.sorted.len();
        (n > 0).then(|| (self.abs_sum / n as f64).max(0.0))
    }

    /// A robust estimate of σ: the larger of `1.4826 × MAD` and `1.2533 × mean absolute
    /// deviation` (each an estimate of σ for normal data). The MAD alone is zero for a metric
    /// that is flat most of the time and bursts now and then (a disk, a batch job), which would
    /// make every burst infinitely surprising; the mean absolute deviation alone is dragged by
    /// the bursts. `None` for an empty window.
    pub fn spread(&self) -> Option<f64> {
        Some((MAD_TO_SIGMA * self.mad()?).max(MEAN_AD_TO_SIGMA * self.mean_abs_deviation()?))
    }

    /// How many robust σ `value` lies from the median: `(value − median) / (1.4826 × MAD)`,
    /// with the MAD floored at `min_spread` (a flat baseline would otherwise make any change
    /// infinitely surprising). `None` before the first value.
    pub fn robust_z(&self, value: f64, min_spread: f64) -> Option<f64> {
        let median = self.median()?;
        let spread = (MAD_TO_SIGMA * self.mad()?).max(min_spread);
        Some((value - median) / spread)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // SplitMix64: shuffled test windows, the same sequence for a seed on every run.
    use crate::scenarios::Rng;

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

    fn naive_mad(window: &[f64]) -> Option<f64> {
        let mut sorted = window.to_vec();
        let median = super::super::median_in_place(&mut sorted)?;
        let mut deviations: Vec<f64> = sorted.iter().map(|v| (v - median).abs()).collect();
        super::super::median_in_place(&mut deviations)
    }

    #[test]
    fn mad_matches_the_naive_computation() {
        let mut rng = Rng::new(7);
        for capacity in 1..=40 {
            let mut b = RobustBaseline::new(capacity).unwrap();
            let mut window = std::collections::VecDeque::new();
            for step in 0..200 {
                // Mix continuous values, a few repeated levels (ties) and rare outliers.
                let value = match rng.next_u64() % 4 {
                    0 => (rng.next_u64() % 5) as f64,
                    1 => (rng.next_u64() % 1000) as f64 / 7.0,
                    2 => -((rng.next_u64() % 3) as f64) * 0.5,
                    _ if step % 17 == 0 => 1e6,
                    _ => 2.0,
                };
                b.push(value).unwrap();
                window.push_back(value);
                if window.len() > capacity {
                    window.pop_front();
                }
                let expected = naive_mad(window.make_contiguous());
                assert_eq!(b.mad(), expected, "capacity {capacity}, step {step}");
            }
        }
    }

    fn naive_mean_ad(window: &[f64]) -> Option<f64> {
        let mut sorted = window.to_vec();
        let median = super::super::median_in_place(&mut sorted)?;
        Some(sorted.iter().map(|v| (v - median).abs()).sum::<f64>() / sorted.len() as f64)
    }

    #[test]
    fn mean_abs_deviation_and_magnitude_match_the_naive_computation() {
        let mut rng = Rng::new(3);
        for capacity in 1..=30 {
            let mut b = RobustBaseline::new(capacity).unwrap();
            let mut window = std::collections::VecDeque::new();
            for step in 0..300 {
                let value = match rng.next_u64() % 5 {
                    0 => (rng.next_u64() % 4) as f64,
                    1 => (rng.next_u64() % 1000) as f64 / 8.0,
                    2 => -((rng.next_u64() % 3) as f64),
                    3 if step % 13 == 0 => 1e6,
                    _ => 2.0,
                };
                b.push(value).unwrap();
                window.push_back(value);
                if window.len() > capacity {
                    window.pop_front();
                }
                let w = window.make_contiguous();
                let (got, want) = (b.mean_abs_deviation().unwrap(), naive_mean_ad(w).unwrap());
                // Values are multiples of 1/8 below 2^20: every sum is exact.
                assert_eq!(got, want, "capacity {capacity}, step {step}");
                let magnitude = w.iter().map(|v| v.abs()).sum::<f64>() / w.len() as f64;
                assert_eq!(b.mean_magnitude().unwrap(), magnitude);
            }
        }
    }

    #[test]
    fn values_near_the_range_limit_keep_the_window_finite() {
        let mut b = RobustBaseline::new(4).unwrap();
        for v in [
            crate::MAX_MAGNITUDE,
            -crate::MAX_MAGNITUDE,
            crate::MAX_MAGNITUDE,
            0.0,
        ] {
            b.push(v).unwrap();
        }
        for read in [b.median(), b.mad(), b.mean_abs_deviation(), b.spread()] {
            assert!(read.is_some_and(f64::is_finite), "{read:?}");
        }
        // Beyond the range: refused, and the window is unchanged.
        let err = b.push(f64::MAX).unwrap_err();
        assert!(err.to_string().contains("2^360"), "{err}");
        assert_eq!(b.len(), 4);
        assert_eq!(b.median(), Some(crate::MAX_MAGNITUDE / 2.0));
    }

    /// A spike leaving the window must not leave its rounding behind in the running sums
    /// (found by `tools/differential/stats.py`: 1e100 then 1, 2, 3, 4 read a mean magnitude
    /// of 0 until the next exact recomputation).
    #[test]
    fn sums_forget_a_spike_that_left() {
        let mut b = RobustBaseline::new(4).unwrap();
        for v in [1e100, 1.0, 2.0, 3.0, 4.0] {
            b.push(v).unwrap();
        }
        assert_eq!(b.mean_magnitude(), Some(2.5));
        assert_eq!(b.mean_abs_deviation(), Some(1.0));
        // The same with the spike (the 9th push into a window of 8) leaving at the 17th push,
        // one after the periodic recomputation at the 16th, so only the spike rule clears it.
        let mut b = RobustBaseline::new(8).unwrap();
        for v in [
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1e100, 1.0, 1.0, 1.0,
        ] {
            b.push(v).unwrap();
        }
        for v in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0] {
            b.push(v).unwrap();
            let want = b.values().map(f64::abs).sum::<f64>() / 8.0;
            assert_eq!(b.mean_magnitude(), Some(want));
        }
    }

    #[test]
    fn the_split_is_the_same_from_any_hint() {
        let mut rng = Rng::new(13);
        for capacity in [1, 2, 5, 8, 33, 288] {
            let mut b = RobustBaseline::new(capacity).unwrap();
            for step in 0..400 {
                let value = match rng.next_u64() % 3 {
                    0 => (rng.next_u64() % 4) as f64,
                    _ => (rng.next_u64() % 500) as f64 / 3.0 + (step % 50) as f64,
                };
                b.push(value).unwrap();
                let d = b.distances().unwrap();
                let (k, nr) = (d.k(), d.above.len());
                let (lo, hi) = ((k + 1).saturating_sub(nr), d.below.len().min(k + 1));
                let want = (lo..hi)
                    .find(|&i| d.left(i) >= d.right(k - i))
                    .unwrap_or(hi);
                let mad = d.mad(want).to_bits();
                for hint in 0..b.len() + 3 {
                    assert_eq!(d.split_near(hint), want, "{capacity} {step} {hint}");
                    let (split, got) = d.split_and_mad_near(hint);
                    assert_eq!(
                        (split, got.to_bits()),
                        (want, mad),
                        "{capacity} {step} {hint}"
                    );
                }
            }
        }
    }

    #[test]
    fn mad_matches_the_naive_computation_over_a_day_of_noisy_cycles() {
        // The detectors' size: 288 five-minute points, a daily cycle with noise and plateaus,
        // so the split the MAD is found from moves by various distances between pushes.
        let mut rng = Rng::new(11);
        let mut b = RobustBaseline::new(288).unwrap();
        let mut window = std::collections::VecDeque::new();
        for step in 0..1500u64 {
            let cycle = 50.0 + 30.0 * (step as f64 / 288.0 * std::f64::consts::TAU).sin();
            let value = match rng.next_u64() % 10 {
                0 => 40.0,
                1 => cycle * 5.0,
                _ => (cycle + (rng.next_u64() % 2000) as f64 / 100.0).round(),
            };
            b.push(value).unwrap();
            window.push_back(value);
            if window.len() > 288 {
                window.pop_front();
            }
            assert_eq!(b.mad(), naive_mad(window.make_contiguous()), "step {step}");
        }
    }

    #[test]
    fn mad_of_constant_and_tiny_windows() {
        let mut b = RobustBaseline::new(4).unwrap();
        assert_eq!(b.mad(), None);
        b.push(3.0).unwrap();
        assert_eq!(b.mad(), Some(0.0));
        b.push(5.0).unwrap();
        assert_eq!(b.mad(), Some(1.0));
        for _ in 0..4 {
            b.push(2.0).unwrap();
        }
        assert_eq!(b.mad(), Some(0.0));
    }
}
