//! Tail probabilities of counts: how surprising is this many events (a burst of API calls, of
//! throttles) given a baseline rate?

use crate::error::{Error, Result};

/// `P(X >= k)` for `X ~ Poisson(mean)`: exact or saddle-point, bounded in time and accurate for
/// any count and mean ([`sli_core::poisson_upper_tail`]; `statrs`' `Poisson::sf`, used before,
/// took seconds a value near a mean of 10^15 and never returned past 2^53).
///
/// # Errors
/// [`Error::InvalidConfig`] for a mean that is not positive and finite.
///
/// # Example
/// ```
/// use failure_modes::stats::poisson_upper_tail;
/// // 20 calls where 5 are usual: about 1 in 2.9 million.
/// assert!(poisson_upper_tail(20, 5.0)? < 1e-6);
/// assert_eq!(poisson_upper_tail(0, 5.0)?, 1.0);
/// # Ok::<(), failure_modes::Error>(())
/// ```
pub fn poisson_upper_tail(k: u64, mean: f64) -> Result<f64> {
    // A u64 is whole and finite: only the mean can be refused. Past 2^53 the cast rounds to
    // the nearest double (up to 2^11 away), far below anything a mean that large resolves.
    poisson_tail_ge(k as f64, mean)
}

/// [`poisson_upper_tail`] of a whole count held as `f64` (a metric's sum, which may pass
/// `u64::MAX`: cast, it would saturate and compare a smaller count with the mean).
pub(crate) fn poisson_tail_ge(k: f64, mean: f64) -> Result<f64> {
    sli_core::poisson_upper_tail(k, mean)
        .map_err(|e| config_error(e, "mean", mean, "must be positive and finite"))
}

/// `P(X >= k)` for `X ~ Binomial(n, p)`: e.g. `k` throttled calls out of `n` when the usual
/// throttle ratio is `p`. Exact or saddle-point, bounded in time and accurate for any counts up
/// to 2^53 ([`sli_core::binomial_upper_tail`]).
///
/// # Errors
/// [`Error::InvalidConfig`] unless `0 <= p <= 1` and the counts are at most 2^53.
///
/// # Example
/// ```
/// use failure_modes::stats::binomial_upper_tail;
/// // 30 throttles in 1,000 calls where 1 % is usual: about 1 in 10 million.
/// assert!(binomial_upper_tail(30, 1_000, 0.01)? < 1e-6);
/// # Ok::<(), failure_modes::Error>(())
/// ```
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> Result<f64> {
    sli_core::binomial_upper_tail(k, n, p)
        .map_err(|e| config_error(e, "p", p, "must be within [0, 1]"))
}

/// sli-core's refusal of a tail's parameter as this crate's `InvalidConfig`: its own field,
/// value and reason when it names them, else `field` = `value` with `reason`.
fn config_error(
    error: sli_core::Error,
    field: &'static str,
    value: f64,
    reason: &'static str,
) -> Error {
    match error {
        sli_core::Error::InvalidParameter {
            field,
            value,
            reason,
        } => Error::InvalidConfig {
            field,
            value,
            reason,
        },
        _ => Error::InvalidConfig {
            field,
            value,
            reason,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `statrs`' `Binomial::sf` stops its continued fraction after 140 iterations and returns
    /// the unconverged value for large counts: `P(X ≥ n/2)` of a fair coin came out below one
    /// half, and a tail a little above the mean above it.
    #[test]
    fn large_counts_give_the_converged_tail() {
        // For even n, P(X >= n/2) = (1 + P(X = n/2)) / 2, and P(X = n/2) ≈ √(2 / (π n)).
        let n = 1_000_000u64;
        let pmf = (2.0 / (std::f64::consts::PI * n as f64)).sqrt() * (1.0 - 1.0 / (4.0 * n as f64));
        let tail = binomial_upper_tail(n / 2, n, 0.5).unwrap();
        assert!((tail - (1.0 + pmf) / 2.0).abs() < 1e-9, "{tail}");
        // 100 counts above the mean of 10^7 fair trials (0.063 σ): just under one half.
        let tail = binomial_upper_tail(5_000_100, 10_000_000, 0.5).unwrap();
        assert!(tail < 0.5 && tail > 0.47, "{tail}");
        // Throttles: 1,160 of 100,000 calls where 1 % is usual is 5 σ out.
        let tail = binomial_upper_tail(1_160, 100_000, 0.01).unwrap();
        assert!(tail > 1e-8 && tail < 1e-5, "{tail}");
    }

    #[test]
    fn edges_and_bad_parameters() {
        assert_eq!(binomial_upper_tail(0, 10, 0.3).unwrap(), 1.0);
        assert_eq!(binomial_upper_tail(11, 10, 0.3).unwrap(), 0.0);
        assert_eq!(binomial_upper_tail(1, 10, 0.0).unwrap(), 0.0);
        assert_eq!(binomial_upper_tail(10, 10, 1.0).unwrap(), 1.0);
        for p in [-0.1, 1.1, f64::NAN] {
            assert!(matches!(
                binomial_upper_tail(1, 10, p),
                Err(Error::InvalidConfig { field: "p", .. })
            ));
        }
    }
}
