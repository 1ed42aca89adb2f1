//! The statistical parts every detector is built from, each tested on its own.

mod baseline;
mod changepoint;
mod ewma;
mod extremes;
mod forecast;
mod linear;
mod peaks;
mod seasonal;
mod tails;

pub use baseline::{MAD_TO_SIGMA, MEAN_AD_TO_SIGMA, RobustBaseline};
pub use changepoint::{Cusum, Direction};
pub use ewma::Ewma;
pub use extremes::RollingMax;
pub use forecast::TrendForecast;
pub use linear::LinearTrend;
pub use peaks::DailyPeaks;
pub use seasonal::SeasonalBaseline;
pub use tails::{binomial_upper_tail, poisson_upper_tail};

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
    // As `median_of_sorted`: halves first, so that two values near `f64::MAX` do not overflow.
    Some(lower / 2.0 + upper / 2.0)
}

/// The median of already sorted values; `None` when empty.
pub(crate) fn median_of_sorted(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        // Halves first: `(a + b) / 2` overflows for two values near `f64::MAX`.
        _ => Some(sorted[n / 2 - 1] / 2.0 + sorted[n / 2] / 2.0),
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
}
