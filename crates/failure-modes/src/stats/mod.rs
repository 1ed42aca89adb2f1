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
