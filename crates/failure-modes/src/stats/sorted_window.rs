//! The sorted-window machinery of [`RobustBaseline`](super::RobustBaseline): a value's rank in a
//! sorted window by counting in blocks, the replacement of one value by another with one move of
//! the values between them, and the MAD as an order statistic of two sorted sequences of
//! distances, found by galloping from where it was before.

use super::median_of_sorted;

/// Replaces one copy of `old` (which `sorted` holds) by `value`, keeping `sorted` sorted and
/// shifting only the values between the two positions (one memmove of, on average, a third of
/// the window instead of a removal and an insertion that each move half of it).
pub(super) fn replace_in_sorted(sorted: &mut [f64], old: f64, value: f64) {
    let (from, to) = ranks_below(sorted, old, value);
    if to > from {
        // Values in (from, to) are >= old and < value: slide them down over `old`.
        sorted.copy_within(from + 1..to, from);
        if let Some(slot) = sorted.get_mut(to - 1) {
            *slot = value;
        }
    } else {
        // to <= from: values in [to, from) are >= value and < old: slide them up.
        sorted.copy_within(to..from, to + 1);
        if let Some(slot) = sorted.get_mut(to) {
            *slot = value;
        }
    }
}

/// The distances `|x − m|` of a sorted, non-empty window from its median `m`, as two
/// non-decreasing sequences: `left(i) = m − below[last − i]` walking left from the median, and
/// `right(j) = above[j] − m` walking right.
pub(super) struct Distances<'a> {
    median: f64,
    pub(super) below: &'a [f64],
    pub(super) above: &'a [f64],
}

impl<'a> Distances<'a> {
    /// The distances of a sorted window from its median; `None` when it is empty.
    #[inline]
    pub(super) fn of(sorted: &'a [f64]) -> Option<Self> {
        let median = median_of_sorted(sorted)?;
        let (below, above) = sorted.split_at(sorted.len() / 2);
        Some(Self {
            median,
            below,
            above,
        })
    }

    #[inline]
    pub(super) fn left(&self, i: usize) -> f64 {
        self.median - self.below[self.below.len() - 1 - i]
    }

    #[inline]
    pub(super) fn right(&self, j: usize) -> f64 {
        self.above[j] - self.median
    }

    /// The zero-based rank of the lower middle distance.
    #[inline]
    pub(super) fn k(&self) -> usize {
        (self.below.len() + self.above.len() - 1) / 2
    }

    /// How many of the `k + 1` smallest distances come from `left`: the first `i` where
    /// `left(i)` is not below the last distance taken from `right`, `right(k − i)`. The search
    /// starts from `hint` (the answer for a window that differed by a value or two) and gallops
    /// out from it: O(log distance) rather than O(log len).
    #[inline]
    pub(super) fn split_near(&self, hint: usize) -> usize {
        let (k, nr) = (self.k(), self.above.len());
        let lo = (k + 1).saturating_sub(nr);
        let hi = self.below.len().min(k + 1);
        // lo <= i < hi <= k + 1 and i >= k + 1 − nr, so 0 <= k − i < nr.
        let pred = |i| self.left(i) < self.right(k - i);
        // Between two reads the split moves by a step or two: when `pred` holds at
        // `hint − 3` and fails at `hint + 2`, the answer is `hint − 2` plus the number of the
        // four probes between where it holds (a prefix, `pred` being monotone), counted
        // without a branch to mispredict. Otherwise the gallop finds it from the hint.
        if hint >= lo + 3 && hint + 2 < hi && pred(hint - 3) && !pred(hint + 2) {
            return hint - 2 + (hint - 2..hint + 2).filter(|&i| pred(i)).count();
        }
        partition_point_near(lo, hi, hint, pred)
    }

    /// [`Distances::split_near`] and [`Distances::mad`] of its split, at once. Where the split
    /// lies within two of `hint` (the common case between two reads), the six distances
    /// either side of the hint on each side are loaded once, as two arrays, and both the
    /// split and the middle pair come from them without a branch or a bounds check a probe;
    /// otherwise, the two calls.
    #[inline]
    pub(super) fn split_and_mad_near(&self, hint: usize) -> (usize, f64) {
        if let Some(found) = self.split_and_mad_within_two(hint) {
            return found;
        }
        let split = self.split_near(hint);
        (split, self.mad(split))
    }

    /// [`Distances::split_and_mad_near`]'s common case: `None` unless the split lies in
    /// `hint − 2..=hint + 2`, with the six probes `hint − 3..=hint + 2` all within the range
    /// [`Distances::split_near`] searches.
    #[inline]
    fn split_and_mad_within_two(&self, hint: usize) -> Option<(usize, f64)> {
        let (k, nb, nr) = (self.k(), self.below.len(), self.above.len());
        let lo = (k + 1).saturating_sub(nr);
        let hi = nb.min(k + 1);
        if hint < lo + 3 || hint + 2 >= hi {
            return None;
        }
        // For t in 0..6, with i = hint − 3 + t: left(i) = m − below[nb − 1 − i] and
        // right(k − i) = above[k − i] − m, both read from the ends of these arrays backwards.
        // hint − 3 >= lo and hint + 2 < hi keep every index in range (as for `split_near`'s
        // probes).
        let below: &[f64; 6] = self
            .below
            .get(nb - hint - 3..nb - hint + 3)?
            .try_into()
            .ok()?;
        let above: &[f64; 6] = self
            .above
            .get(k - hint - 2..k - hint + 4)?
            .try_into()
            .ok()?;
        let m = self.median;
        let left = |t: usize| m - below[5 - t];
        let right = |t: usize| above[5 - t] - m;
        // `pred(i)` of `split_near` at i = hint − 3 + t.
        let pred = |t: usize| left(t) < right(t);
        if !pred(0) || pred(5) {
            return None;
        }
        // `pred` holds on a prefix: the split is the first t where it fails, 1..=5.
        let t = 1 + (1..5).filter(|&t| pred(t)).count();
        // `middle_pair` at the split i = hint − 3 + t, j = k + 1 − i: every term is in range.
        let lower = left(t - 1).max(right(t));
        let upper = left(t).min(right(t - 1));
        let mad = if (nb + nr) % 2 == 1 {
            lower
        } else {
            (lower + upper) / 2.0
        };
        Some((hint - 3 + t, mad))
    }

    /// The median of all the distances, given the split `i` of [`Distances::split_near`].
    #[inline]
    pub(super) fn mad(&self, i: usize) -> f64 {
        let (lower, upper) = self.middle_pair(i);
        if (self.below.len() + self.above.len()) % 2 == 1 {
            lower
        } else {
            (lower + upper) / 2.0
        }
    }

    /// The `k`-th and `(k + 1)`-th smallest distances, given the split `i` of
    /// [`Distances::split_near`]: the larger of the last distances taken from each side, and
    /// the smaller of the first left behind (`+∞` when none is).
    #[inline]
    pub(super) fn middle_pair(&self, i: usize) -> (f64, f64) {
        let j = self.k() + 1 - i;
        let last_left = if i > 0 {
            self.left(i - 1)
        } else {
            f64::NEG_INFINITY
        };
        let last_right = if j > 0 {
            self.right(j - 1)
        } else {
            f64::NEG_INFINITY
        };
        let next_left = if i < self.below.len() {
            self.left(i)
        } else {
            f64::INFINITY
        };
        let next_right = if j < self.above.len() {
            self.right(j)
        } else {
            f64::INFINITY
        };
        (last_left.max(last_right), next_left.min(next_right))
    }
}

/// Values per block of [`rank_below`]'s first pass: about the square root of the detectors'
/// windows (288), so that both passes are short.
const RANK_BLOCK: usize = 16;

/// How many values of `sorted` (finite, ascending) are below `x`: the same index as
/// `sorted.partition_point(|v| *v < x)`, found in two passes of independent comparisons
/// rather than a binary search, whose steps each wait for the previous load and, unless compiled
/// to conditional moves, take a branch the processor mispredicts half the time (twice a push,
/// the costliest step of one). The first pass counts the blocks of
/// [`RANK_BLOCK`] values whose last value is below `x`: since `v < x` holds on a prefix of a
/// sorted slice, every value of those `c` blocks is below `x` and the answer lies in block
/// `c` (or the partial block at the end), whose values the second pass counts.
pub(super) fn rank_below(sorted: &[f64], x: f64) -> usize {
    let below = sorted
        .chunks_exact(RANK_BLOCK)
        .filter(|block| block[RANK_BLOCK - 1] < x)
        .count();
    let start = below * RANK_BLOCK;
    let block = sorted.get(start..).unwrap_or_default();
    let block = &block[..block.len().min(RANK_BLOCK)];
    start + block.iter().filter(|v| **v < x).count()
}

/// [`rank_below`] of two values at once (a replaced value's and its replacement's): the first
/// pass reads each block's last value once for both, half the loads of two calls.
pub(super) fn ranks_below(sorted: &[f64], a: f64, b: f64) -> (usize, usize) {
    let (mut blocks_a, mut blocks_b) = (0, 0);
    for block in sorted.chunks_exact(RANK_BLOCK) {
        let last = block[RANK_BLOCK - 1];
        blocks_a += usize::from(last < a);
        blocks_b += usize::from(last < b);
    }
    let within = |blocks: usize, x: f64| {
        let start = blocks * RANK_BLOCK;
        let block = sorted.get(start..).unwrap_or_default();
        let block = &block[..block.len().min(RANK_BLOCK)];
        start + block.iter().filter(|v| **v < x).count()
    };
    (within(blocks_a, a), within(blocks_b, b))
}

/// The first index in `lo..hi` where `pred` (true, then false) is false, or `hi` (`lo` for an
/// empty range): found by galloping from `hint` to bracket it, then bisecting the bracket.
fn partition_point_near(lo: usize, hi: usize, hint: usize, pred: impl Fn(usize) -> bool) -> usize {
    let bisect = |mut a: usize, mut b: usize| {
        while a < b {
            let mid = a + (b - a) / 2;
            if pred(mid) {
                a = mid + 1;
            } else {
                b = mid;
            }
        }
        a
    };
    // `min` then `max` rather than `clamp`, which would panic on an empty range (lo > hi).
    let hint = hint.min(hi).max(lo);
    let mut step = 1;
    if hint < hi && pred(hint) {
        // The answer lies above `hint`: `pred` holds below `from`.
        let mut from = hint + 1;
        loop {
            let probe = from + step - 1;
            if probe >= hi {
                return bisect(from, hi);
            }
            if !pred(probe) {
                return bisect(from, probe);
            }
            from = probe + 1;
            step *= 2;
        }
    }
    // The answer is at or below `hint`: `pred` fails at `to` (or `to` is `hi`).
    let mut to = hint;
    while to > lo {
        let probe = to.saturating_sub(step).max(lo);
        if pred(probe) {
            return bisect(probe + 1, to);
        }
        to = probe;
        step *= 2;
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    // SplitMix64: shuffled test windows, the same sequence for a seed on every run.
    use crate::scenarios::Rng;

    #[test]
    fn rank_below_is_the_partition_point() {
        let mut rng = Rng::new(5);
        for len in 0..80 {
            // Few distinct levels (long runs of ties), both zeros, and a wider spread.
            let mut sorted: Vec<f64> = (0..len)
                .map(|_| match rng.next_u64() % 3 {
                    0 => [-0.0, 0.0, 1.0][(rng.next_u64() % 3) as usize],
                    1 => (rng.next_u64() % 7) as f64 - 3.0,
                    _ => (rng.next_u64() % 1000) as f64 / 10.0 - 50.0,
                })
                .collect();
            sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
            let probes = sorted
                .iter()
                .copied()
                .chain([-1e9, -0.0, 0.0, 0.5, 1e9, -3.0, 3.0]);
            let probes: Vec<f64> = probes.collect();
            for &x in &probes {
                let want = sorted.partition_point(|v| *v < x);
                assert_eq!(rank_below(&sorted, x), want, "{x} in {sorted:?}");
                for &y in &probes {
                    let want_y = sorted.partition_point(|v| *v < y);
                    assert_eq!(ranks_below(&sorted, x, y), (want, want_y), "{x}, {y}");
                }
            }
        }
    }

    #[test]
    fn the_gallop_finds_the_first_false_from_any_hint() {
        for lo in 0..4 {
            for hi in lo..lo + 20 {
                for answer in lo..=hi {
                    for hint in 0..hi + 4 {
                        let found = partition_point_near(lo, hi, hint, |i| {
                            assert!((lo..hi).contains(&i), "probed {i} outside {lo}..{hi}");
                            i < answer
                        });
                        assert_eq!(found, answer, "{lo}..{hi} from {hint}");
                    }
                }
            }
            // An empty range, even one given backwards, probes nothing.
            assert_eq!(
                partition_point_near(lo + 1, lo, 0, |_| unreachable!()),
                lo + 1
            );
        }
    }
}
