//! Values kept as integers in the order of `f64::total_cmp` (one integer comparison), for the
//! medians kept up to date as values come and go: sorted for the cost detector's intraday
//! profile, one per pair for the Theil–Sen slopes of [`TrendForecast`](super::TrendForecast).

use super::median_of_sorted;

/// `value` as an integer in the order of `f64::total_cmp` (the transform `total_cmp` makes of
/// both sides): sorting and comparing these is sorting and comparing the values. Equal keys
/// are the same bits.
pub(crate) fn total_order_key(value: f64) -> i64 {
    let bits = value.to_bits() as i64;
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

/// The value whose [`total_order_key`] is `key` (the transform is its own inverse: it keeps
/// the sign bit and flips the others of negative values).
pub(crate) fn from_total_order_key(key: i64) -> f64 {
    f64::from_bits((key ^ ((((key >> 63) as u64) >> 1) as i64)) as u64)
}

/// [`median_of_sorted`] of the values of ascending keys: the median of the middle one or two
/// values, which is the median of all of them (and the same as `median_by_selection`'s).
pub(crate) fn median_of_sorted_keys(keys: &[i64]) -> Option<f64> {
    let n = keys.len();
    let middle = keys.get(n.saturating_sub(1) / 2..n / 2 + 1)?;
    match *middle {
        [one] => median_of_sorted(&[from_total_order_key(one)]),
        [lower, upper] => {
            median_of_sorted(&[from_total_order_key(lower), from_total_order_key(upper)])
        }
        _ => None,
    }
}

/// Inserts `new` into the ascending `keys`.
pub(crate) fn insert_key(keys: &mut Vec<i64>, new: i64) {
    let at = keys.partition_point(|&k| k < new);
    keys.insert(at, new);
}

/// Replaces `old` by `new` in the ascending `keys`, moving the keys between their places by
/// one: what removing `old` and inserting `new` makes (keys equal only for the same value have
/// one ascending order), without moving the rest. Both places are found by binary search.
/// When `old` is not there (a caller's mistake), `new` is only inserted.
pub(crate) fn replace_key(keys: &mut Vec<i64>, old: i64, new: i64) {
    let from = keys.partition_point(|&k| k < old);
    if keys.get(from) != Some(&old) {
        return insert_key(keys, new);
    }
    // Keys below `new`, `old` included when it is below.
    let to = keys.partition_point(|&k| k < new);
    // When `old` < `new` (`to > from`), the keys after `old` and below `new` move down one and
    // `new` goes last, at `to - 1`; otherwise the keys from `new`'s place to `old`'s move up
    // one and `new` goes first, at `to`. Written as arithmetic on `up` rather than as two
    // branches: which way a key moves is a coin toss a branch predictor loses half the time.
    let up = usize::from(to > from);
    let (low, high) = (from.min(to), from.max(to));
    keys.copy_within(low + up..high, low + 1 - up);
    keys[to - up] = new;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_order_as_total_cmp() {
        let values = [
            f64::NEG_INFINITY,
            -1e300,
            -2.5,
            -f64::MIN_POSITIVE,
            -0.0,
            0.0,
            f64::MIN_POSITIVE,
            0.25,
            3.0,
            1e300,
            f64::INFINITY,
            f64::NAN,
        ];
        for a in values {
            assert_eq!(
                from_total_order_key(total_order_key(a)).to_bits(),
                a.to_bits()
            );
            for b in values {
                assert_eq!(total_order_key(a).cmp(&total_order_key(b)), a.total_cmp(&b));
            }
        }
    }

    #[test]
    fn a_replacement_in_place_is_a_removal_and_an_insertion() {
        // Ties and signed zeros, the old value anywhere and the new one anywhere: the keys
        // moved in place are those a removal and an insertion make, and their median the
        // median taken afresh.
        let pool = [0.0, -0.0, 0.25, 0.25, 0.5, 1.0, 0.75, 0.1, -3.0].map(total_order_key);
        let mut state = 3u64;
        let mut pick = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            pool[(state >> 33) as usize % pool.len()]
        };
        for n in 1..9 {
            for _ in 0..500 {
                let mut keys: Vec<i64> = (0..n).map(|_| pick()).collect();
                keys.sort_unstable();
                let (old, new) = (keys[pick().unsigned_abs() as usize % n], pick());
                let mut expected = keys.clone();
                let at = expected.iter().position(|&k| k == old).unwrap();
                expected.remove(at);
                insert_key(&mut expected, new);
                replace_key(&mut keys, old, new);
                assert_eq!(keys, expected, "{old} -> {new}");
                let mut values: Vec<f64> = keys.iter().map(|&k| from_total_order_key(k)).collect();
                assert_eq!(
                    median_of_sorted_keys(&keys).map(f64::to_bits),
                    super::super::median_in_place(&mut values).map(f64::to_bits)
                );
            }
        }
        // Not there: only inserted.
        let mut keys = vec![1, 5];
        replace_key(&mut keys, 3, 4);
        assert_eq!(keys, [1, 4, 5]);
    }
}
