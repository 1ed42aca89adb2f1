//! The statistical parts every detector is built from, each tested on its own.

mod baseline;
mod changepoint;
mod ewma;
mod extremes;
mod forecast;
mod linear;
mod peaks;
mod rate;
mod seasonal;
mod sorted_keys;
mod sorted_window;
mod tails;
mod window;

pub use baseline::{MAD_TO_SIGMA, MEAN_AD_TO_SIGMA, RobustBaseline};
pub use changepoint::{Cusum, Direction};
pub use ewma::Ewma;
pub use extremes::RollingMax;
pub use forecast::TrendForecast;
pub(crate) use linear::LineSums;
pub use linear::LinearTrend;
pub use peaks::DailyPeaks;
pub(crate) use rate::CountRate;
pub use seasonal::SeasonalBaseline;
pub(crate) use sorted_keys::{insert_key, median_of_sorted_keys, replace_key, total_order_key};
pub(crate) use tails::poisson_tail_ge;
pub use tails::{binomial_upper_tail, poisson_upper_tail};
pub(crate) use window::TrailingWindow;

use crate::error::{Error, Result};

/// The most values any window of these statistics holds: 2^20 (1,048,576: two years of
/// one-minute points, 8 MiB of values). A larger window (or `period × days` of a season) is a
/// configuration error, refused before anything is allocated, so a configuration read from
/// outside cannot ask for unbounded memory.
pub const MAX_WINDOW: usize = 1 << 20;

/// How many times a window's largest magnitude a value that passed through a running sum since
/// its last exact recomputation may be before the sum is recomputed (`RobustBaseline`,
/// `LinearTrend`): a power of two, so that the bound of
/// [`RobustBaseline::mean_abs_deviation`] is simple.
const SCALE_BEFORE_RECOMPUTING: f64 = 16.0;

/// The most values [`TrendForecast`] takes: 1,024 (its Theil–Sen slope is the median of all
/// `n (n − 1) / 2` pairwise slopes: about 520,000 at this bound, 4 MiB, each kept, and as
/// many again to select their median in).
pub const MAX_THEIL_SEN: usize = 1 << 10;

/// `Ok` when a window of `values` lies within `min..=max`, else the typed error naming `field`.
pub(crate) fn check_window(
    field: &'static str,
    values: usize,
    min: usize,
    max: usize,
) -> Result<()> {
    if values < min {
        return Err(Error::InvalidConfig {
            field,
            value: values as f64,
            reason: if min == 1 {
                "must be at least 1"
            } else {
                "a trend needs at least 2 points"
            },
        });
    }
    if values > max {
        return Err(Error::InvalidConfig {
            field,
            value: values as f64,
            reason: "exceeds the most values a window holds (stats::MAX_WINDOW, MAX_THEIL_SEN)",
        });
    }
    Ok(())
}

/// The median of `values`, sorting them in place; `None` when empty.
pub(crate) fn median_in_place(values: &mut [f64]) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    median_of_sorted(values)
}

/// The same median as [`median_in_place`], by selection rather than a full sort: O(n) rather
/// than O(n log n), for the medians taken often (the cost detector's intraday profile, the
/// Theil–Sen slopes). The values are left only partly ordered.
pub(crate) fn median_by_selection(values: &mut [f64]) -> Option<f64> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let (lower, upper, _) = values.select_nth_unstable_by(n / 2, f64::total_cmp);
    let upper = *upper;
    if n % 2 == 1 {
        return Some(upper);
    }
    // The largest of the lower half is the other middle value.
    let lower = lower.iter().copied().max_by(f64::total_cmp)?;
    Some(lower.midpoint(upper))
}

/// The median of already sorted values, correctly rounded (the middle value, or the mean of the
/// two middle ones rounded once to the nearest `f64`); `None` when empty.
pub(crate) fn median_of_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        // `midpoint` rounds once: `(a + b) / 2` overflows for two values near `f64::MAX`, and
        // halving each first rounds twice among subnormals (the median of two copies of
        // 5e-324 would be 0).
        _ => Some(sorted[n / 2 - 1].midpoint(sorted[n / 2])),
    }
}

#[cfg(test)]
mod median_tests {
    use super::*;

    #[test]
    fn selection_gives_the_sorted_median() {
        let mut state = 7u64;
        for n in 0..40 {
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1);
                    // Ties and signed zeros too.
                    [(state >> 40) as f64 - 8e6, 0.0, -0.0, 3.0][(state >> 20) as usize % 4]
                })
                .collect();
            let (mut a, mut b) = (values.clone(), values);
            let (sorted, selected) = (median_in_place(&mut a), median_by_selection(&mut b));
            assert_eq!(
                sorted.map(f64::to_bits),
                selected.map(f64::to_bits),
                "n = {n}"
            );
        }
        let mut big = [f64::MAX, f64::MAX];
        assert_eq!(median_by_selection(&mut big), Some(f64::MAX));
    }

    /// The mean of the two middle values is rounded once, also among subnormals, where
    /// halving each first rounds twice (found by `tools/differential/stats.py`).
    #[test]
    fn even_medians_of_subnormals_are_correctly_rounded() {
        let tiny = f64::from_bits(1); // 5e-324
        for (pair, want) in [
            ([tiny, tiny], tiny),
            ([tiny, f64::from_bits(5)], f64::from_bits(3)),
            ([-tiny, -tiny], -tiny),
            ([f64::MAX, f64::MAX], f64::MAX),
            ([-f64::MAX, f64::MAX], 0.0),
        ] {
            let got = [
                median_of_sorted(&pair),
                median_by_selection(&mut pair.clone()),
                median_of_sorted_keys(&pair.map(total_order_key)),
            ];
            assert_eq!(got, [Some(want); 3], "{pair:?}");
        }
    }
}

/// Replaces one copy of `old` (which `sorted` must hold) by `value`, keeping `sorted` sorted:
/// the same slice as removing the first value not below `old` and then inserting `value` before
/// the first value not below it. For short windows: it walks from `old`'s position to
/// `value`'s, moving each value passed by one, with no binary search and no call to `memmove`
/// (O(distance), which a window of a dozen values keeps small).
pub(crate) fn replace_in_short_sorted(sorted: &mut [f64], old: f64, value: f64) {
    // The first value not below `old`: a count, since the slice is sorted (no early exit to
    // mispredict).
    let mut at = sorted.iter().filter(|v| **v < old).count();
    if at >= sorted.len() {
        // `old` is not in the window: nothing to replace (unreachable for a caller that keeps
        // the window, but not worth a panic).
        return;
    }
    if old < value {
        // Values in (at, first not below `value`) slide down over `old`.
        while let Some(&next) = sorted.get(at + 1)
            && next < value
        {
            sorted[at] = next;
            at += 1;
        }
    } else {
        // Values in [first not below `value`, at) slide up over `old`.
        while at > 0 && sorted[at - 1] >= value {
            sorted[at] = sorted[at - 1];
            at -= 1;
        }
    }
    sorted[at] = value;
}

/// At most `N` values in ascending order, the unused places holding `+∞`: a short window's
/// sorted values, replaced with no branch on the values. [`replace_in_short_sorted`] walks
/// from the replaced value's place to the new one's and stops where the walk ends, an exit
/// the processor mispredicts about once a push; this counts the two places over the whole
/// array and rewrites each of its values by a select (the value itself, its neighbour below or
/// above, or the new one), the same values in the same places, bit for bit. `SLOTS` is
/// `N + 2` (checked when one is made): the array with a pad either side.
#[derive(Debug, Clone)]
pub(crate) struct SmallSorted<const N: usize, const SLOTS: usize> {
    /// The values at `1..=N`, with one `+∞` either side, read by the selects.
    slots: [f64; SLOTS],
}

impl<const N: usize, const SLOTS: usize> SmallSorted<N, SLOTS> {
    /// `GE[k][i]`: all ones where `i >= k`, else 0; a row's difference with another's is the
    /// mask of an index range, for [`SmallSorted::replace`]'s selects.
    const GE: [[u64; N]; SLOTS] = {
        assert!(SLOTS == N + 2, "SLOTS must be N + 2");
        let mut table = [[0; N]; SLOTS];
        let mut k = 0;
        while k < SLOTS {
            let mut i = k;
            while i < N {
                table[k][i] = u64::MAX;
                i += 1;
            }
            k += 1;
        }
        table
    };

    /// No values.
    pub(crate) fn new() -> Self {
        // Evaluated (and its `SLOTS == N + 2` checked) for each size at compile time.
        let _ = &Self::GE;
        Self {
            slots: [f64::INFINITY; SLOTS],
        }
    }

    /// The first `len` values, ascending.
    #[inline]
    pub(crate) fn values(&self, len: usize) -> &[f64] {
        self.slots.get(1..1 + len.min(N)).unwrap_or_default()
    }

    /// Inserts `value` (finite) before the first value not below it: the replacement of the
    /// first unused place, whose `+∞` is not below any value.
    #[inline]
    pub(crate) fn insert(&mut self, value: f64) {
        self.replace(f64::INFINITY, value);
    }

    /// Replaces one copy of `old` by `value`: as [`replace_in_short_sorted`], the first value
    /// not below `old` removed, then `value` inserted before the first value not below it.
    #[inline]
    pub(crate) fn replace(&mut self, old: f64, value: f64) {
        let slots = &self.slots;
        let body = &slots[1..=N];
        // `old`'s place and the count of values below `value`: where `old` < `value` one of
        // those is `old` itself, and `value` goes a place lower once it has left.
        let from = body.iter().filter(|v| **v < old).count();
        let below = body.iter().filter(|v| **v < value).count();
        let to = below - usize::from(below > from);
        // from <= N and to < N: every row below is in the table.
        let (ge_from, ge_after_from) = (&Self::GE[from], &Self::GE[from + 1]);
        let (ge_to, ge_after_to) = (&Self::GE[to], &Self::GE[to + 1]);
        let new = value.to_bits();
        let mut out = [0u64; N];
        for (i, out) in out.iter_mut().enumerate() {
            let (lower, same, upper) = (
                slots[i].to_bits(),
                slots[i + 1].to_bits(),
                slots[i + 2].to_bits(),
            );
            // `value` at `to`; from <= i < to: the value above slides down over `old`;
            // to < i <= from: the value below slides up; elsewhere the value stays.
            let at = ge_to[i] & !ge_after_to[i];
            let down = ge_from[i] & !ge_to[i];
            let up = ge_after_to[i] & !ge_after_from[i];
            *out = (same & !(at | down | up)) | (upper & down) | (lower & up) | (new & at);
        }
        for (slot, bits) in self.slots[1..=N].iter_mut().zip(out) {
            *slot = f64::from_bits(bits);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sorted windows with ties and both zeros.
    fn windows() -> Vec<Vec<f64>> {
        let mut windows = vec![
            Vec::new(),
            vec![-0.0],
            vec![0.0, 0.0, 1.0],
            // Equal under `<`, different bits: a sorted window may hold them in any order.
            vec![-1.0, 0.0, -0.0, 0.0, -0.0, 2.0],
        ];
        for len in [1, 2, 11, 12, 13, 15, 16, 31] {
            let mut w: Vec<f64> = (0..len)
                .map(|i| f64::from((i * 37 % 23) as u32) - 9.0)
                .collect();
            w.sort_by(f64::total_cmp);
            windows.push(w);
        }
        windows
    }

    fn small_sorted_replaces_as_the_walk_does<const N: usize, const SLOTS: usize>() {
        for w in windows().into_iter().filter(|w| w.len() <= N) {
            // Built by insertion, as a filling window is.
            let mut small = SmallSorted::<N, SLOTS>::new();
            let mut walked: Vec<f64> = Vec::new();
            for &v in &w {
                small.insert(v);
                let at = walked.partition_point(|x| *x < v);
                walked.insert(at, v);
            }
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(small.values(w.len())), bits(&walked), "{w:?}");
            for &old in &w {
                for value in [-100.0, -9.0, -0.0, 0.0, 0.5, 3.0, 13.0, 1e9] {
                    let (mut got, mut want) = (small.clone(), walked.clone());
                    got.replace(old, value);
                    replace_in_short_sorted(&mut want, old, value);
                    assert_eq!(
                        bits(got.values(w.len())),
                        bits(&want),
                        "{old} -> {value} in {w:?}"
                    );
                }
            }
        }
        // Sliding windows of every capacity, as the detector's short window slides: the
        // oldest value replaced by the newest, thousands of times, ties and signed zeros
        // among them, checked after every push.
        let stream: Vec<f64> = (0u64..4_000)
            .map(|i| {
                let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59;
                match h {
                    0 => -0.0,
                    1 => 0.0,
                    2 => crate::MAX_MAGNITUDE,
                    3 => -crate::MAX_MAGNITUDE,
                    4 => f64::MIN_POSITIVE / 4.0,
                    _ => (h % 9) as f64 - 4.0,
                }
            })
            .collect();
        for capacity in 1..=N {
            let mut small = SmallSorted::<N, SLOTS>::new();
            let mut walked: Vec<f64> = Vec::new();
            for (i, &v) in stream.iter().enumerate() {
                if i < capacity {
                    small.insert(v);
                    let at = walked.partition_point(|x| *x < v);
                    walked.insert(at, v);
                } else {
                    small.replace(stream[i - capacity], v);
                    replace_in_short_sorted(&mut walked, stream[i - capacity], v);
                }
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(
                    bits(small.values(walked.len())),
                    bits(&walked),
                    "capacity {capacity}, push {i}"
                );
            }
        }
    }

    #[test]
    fn the_small_sorted_windows_replace_as_the_walk_does() {
        small_sorted_replaces_as_the_walk_does::<12, 14>();
        small_sorted_replaces_as_the_walk_does::<16, 18>();
    }

    #[test]
    fn replacing_in_a_short_window_is_removing_then_inserting() {
        for w in windows()
            .into_iter()
            .filter(|w| !w.is_empty() && w.len() < 40)
        {
            for &old in &w {
                for value in [-100.0, -9.0, -0.0, 0.0, 0.5, 3.0, 13.0, 1e9] {
                    let mut expected = w.clone();
                    let at = expected.partition_point(|v| *v < old);
                    expected.remove(at);
                    let at = expected.partition_point(|v| *v < value);
                    expected.insert(at, value);
                    let mut got = w.clone();
                    replace_in_short_sorted(&mut got, old, value);
                    // Bit for bit: which zero sits where must not change either.
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&got), bits(&expected), "{old} -> {value} in {w:?}");
                }
            }
        }
    }
}
