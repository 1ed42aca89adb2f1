//! [`TrendForecast`]: a robust linear trend over recent values and when it crosses a limit, the
//! time-to-exhaustion behind quota (F3), connection (F6) and cost (F8) forecasts.

use std::collections::VecDeque;

use super::median_by_selection;
use super::sorted_keys::{from_total_order_key, median_of_sorted_keys, total_order_key};
#[cfg(doc)]
use crate::error::Error;
use crate::error::{Result, finite};

/// Theil–Sen trend over the last `capacity` evenly spaced values: the median of pairwise slopes,
/// which a few outliers cannot tilt. The pairwise slopes are kept, one cell per pair of places in
/// the window's ring (a slope depends only on its two values and how many steps apart they are,
/// so the window sliding on does not change it): a push overwrites the `capacity − 1` cells of
/// the place the oldest value leaves to the new one (`capacity² / 2` cells in all, 4 MiB at
/// [`MAX_THEIL_SEN`](super::MAX_THEIL_SEN)). The median is found again from the last one: how
/// many slopes lie below it and equal it is kept up to date as cells change, so when the
/// median is still that slope nothing more is done, and otherwise it is selected among the
/// slopes on the side it moved to (one pass to gather them, a selection, one pass to count
/// around the new median: O(capacity²) a push; the buffer they are gathered in is as large
/// as the cells, another 4 MiB at the bound). The line is worked out once a push and then
/// read off in O(1). Keep the window to a few hundred points.
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
    /// Every pairwise slope of `values` as its `total_order_key`, the slope between the values
    /// at ring places `a < b` at `b (b − 1) / 2 + a`: the same multiset `theil_sen_slope` would
    /// build afresh, so the same median. While the window fills, the places are taken in order
    /// and the cells in use are a prefix.
    slopes: Vec<i64>,
    /// The ring place of the oldest value once the window is full (0 before).
    first: usize,
    /// A slope's key (the last median's lower middle slope) with how many slopes are below it
    /// and equal to it; `None` before the first median.
    pivot: Option<Pivot>,
    /// Where the slopes on one side of the pivot are gathered to select the median among them.
    gathered: Vec<i64>,
    /// `(level, slope)` of the values, worked out when one is pushed (nothing else changes
    /// them), and the buffer its level is sorted in (as keys).
    line: Option<(f64, f64)>,
    projected: Vec<i64>,
}

/// A key among the slopes and how many slopes are below it and equal to it.
#[derive(Debug, Clone, Copy)]
struct Pivot {
    key: i64,
    below: usize,
    equal: usize,
}

/// The cell of the slope between the values at ring places `a` and `b` (`a != b`).
fn cell(a: usize, b: usize) -> usize {
    let (low, high) = if a < b { (a, b) } else { (b, a) };
    high * (high - 1) / 2 + low
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
            first: 0,
            pivot: None,
            gathered: Vec::new(),
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
        let full = self.values.len() == self.capacity;
        let oldest = if full { self.values.pop_front() } else { None };
        // The new value takes the oldest one's place in the ring (the next place while the
        // window fills); the kept values follow the oldest's place.
        let (place, mut kept_place) = if full {
            let place = self.first;
            self.first = self.next_place(place);
            (place, self.first)
        } else {
            (self.values.len(), 0)
        };
        // Each value kept, `k` steps into the window, trades its slope from the oldest value
        // (`k + 1` steps before it) for its slope to the new one (`len - k` steps after it),
        // both computed as `theil_sen_slope` computes them: bit for bit the slopes it would
        // drop and add. The pivot's counts follow.
        let len = self.values.len();
        let mut pivot = self.pivot;
        for (k, kept) in self.values.iter().enumerate() {
            let entering = total_order_key((value - kept) / (len - k) as f64);
            if let Some(p) = pivot.as_mut() {
                p.below += usize::from(entering < p.key);
                p.equal += usize::from(entering == p.key);
            }
            if oldest.is_some() {
                let at = cell(kept_place, place);
                if let Some(p) = pivot.as_mut() {
                    let leaving = self.slopes[at];
                    p.below -= usize::from(leaving < p.key);
                    p.equal -= usize::from(leaving == p.key);
                }
                self.slopes[at] = entering;
                kept_place = self.next_place(kept_place);
            } else {
                // While the window fills, the new place's cells come next, in order.
                self.slopes.push(entering);
            }
        }
        self.pivot = pivot;
        self.values.push_back(value);
        self.pushed += 1;
        self.line = self.median_slope().and_then(|slope| {
            // The level: the median of `value_i + slope × (last − i)`, sorted as keys (at a
            // few dozen values, faster than a selection by `f64::total_cmp`; the same median).
            let last = self.values.len() - 1;
            self.projected.clear();
            self.projected.extend(
                self.values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| total_order_key(v + slope * (last - i) as f64)),
            );
            self.projected.sort_unstable();
            median_of_sorted_keys(&self.projected).map(|level| (level, slope))
        });
        Ok(())
    }

    /// The ring place after `place`.
    fn next_place(&self, place: usize) -> usize {
        if place + 1 == self.capacity {
            0
        } else {
            place + 1
        }
    }

    /// The Theil–Sen slope per step, `None` with fewer than 2 values.
    pub fn slope(&self) -> Option<f64> {
        self.line.map(|(_, slope)| slope)
    }

    /// The median of the slopes kept (`None` with none), the pivot moved to its lower middle
    /// one: the median of the middle one or two slopes in order, as `median_by_selection`'s.
    fn median_slope(&mut self) -> Option<f64> {
        let n = self.slopes.len();
        let lower = (n.checked_sub(1)?) / 2;
        let key = self.order_statistic(lower);
        if n % 2 == 1 {
            return Some(from_total_order_key(key));
        }
        // The upper middle one: the same key when it is there more than once past the lower
        // middle place, else the smallest key above it.
        let upper = match self.pivot {
            Some(p) if p.below + p.equal > lower + 1 => key,
            _ => self
                .slopes
                .iter()
                .copied()
                .filter(|&k| k > key)
                .min()
                .unwrap_or(key),
        };
        Some(from_total_order_key(key).midpoint(from_total_order_key(upper)))
    }

    /// The key at `rank` (from 0) among the slopes in ascending order; the pivot becomes it,
    /// with its counts.
    fn order_statistic(&mut self, rank: usize) -> i64 {
        let slopes = &self.slopes;
        let beside = match self.pivot {
            Some(p) if p.below <= rank && rank < p.below + p.equal => return p.key,
            Some(p) if rank >= p.below + p.equal => select_beside(
                slopes,
                &mut self.gathered,
                p.key,
                true,
                rank - p.below - p.equal,
            ),
            Some(p) => select_beside(slopes, &mut self.gathered, p.key, false, p.below - 1 - rank),
            None => None,
        };
        // Without a pivot (the first median), or should its counts ever be off: selected among
        // all the slopes.
        let key = beside.unwrap_or_else(|| {
            self.gathered.clear();
            self.gathered.extend_from_slice(slopes);
            *self.gathered.select_nth_unstable(rank).1
        });
        let (below, equal) = slopes.iter().fold((0, 0), |(below, equal), &k| {
            (below + usize::from(k < key), equal + usize::from(k == key))
        });
        self.pivot = Some(Pivot { key, below, equal });
        key
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

/// The `nth` key (from 0) beside `pivot`, counted from it outward: the `nth` smallest of the
/// keys above it (`above`), or the `nth` largest of those below it; `None` when there are not
/// that many. The keys on that side are gathered into `gathered` (without a branch a key) and
/// the one wanted selected among them.
fn select_beside(
    keys: &[i64],
    gathered: &mut Vec<i64>,
    pivot: i64,
    above: bool,
    nth: usize,
) -> Option<i64> {
    // Every key is written before the ones gathered are read: only the length is set (the
    // same every push once the window is full, so no zeroing).
    gathered.resize(keys.len(), 0);
    let mut n = 0;
    if above {
        for &k in keys {
            gathered[n] = k;
            n += usize::from(k > pivot);
        }
    } else {
        for &k in keys {
            gathered[n] = k;
            n += usize::from(k < pivot);
        }
    }
    let rank = if above { nth } else { n.checked_sub(nth + 1)? };
    if rank >= n {
        return None;
    }
    Some(*gathered[..n].select_nth_unstable(rank).1)
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
        // Also a steady drift with a little noise (the pivot kept or moved a few places, as a
        // daily spend moves it) and one that switches between the two.
        for (capacity, kind) in [2, 3, 4, 5, 7, 14, 15, 40]
            .into_iter()
            .flat_map(|c| [(c, 0), (c, 1), (c, 2)])
        {
            let mut t = TrendForecast::new(capacity).unwrap();
            let mut window: VecDeque<f64> = VecDeque::new();
            for i in 0..300 {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                let wild = [(state >> 40) as f64 / 7.0 - 1e6, 0.0, -0.0, 3.0, 1e100]
                    [(state >> 20) as usize % 5];
                let drift = 240.0 + f64::from(i) * 0.3 + ((state >> 40) % 16) as f64;
                let v = match kind {
                    0 => wild,
                    1 => drift,
                    _ if (i / 25) % 2 == 0 => drift,
                    _ => wild,
                };
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
