//! Tail probabilities of counts: how surprising is this many events (a burst of API calls, of
//! throttles) given a baseline rate?

use statrs::distribution::{Binomial, DiscreteCDF, Poisson};

use crate::error::{Error, Result};

/// `P(X >= k)` for `X ~ Poisson(mean)`.
///
/// # Errors
/// [`Error::InvalidConfig`] for a mean that is not positive and finite.
///
/// # Example
/// ```
/// use failure_modes::stats::poisson_upper_tail;
/// // 20 calls where 5 are usual: about 1 in 2.5 million.
/// assert!(poisson_upper_tail(20, 5.0)? < 1e-6);
/// assert_eq!(poisson_upper_tail(0, 5.0)?, 1.0);
/// # Ok::<(), failure_modes::Error>(())
/// ```
pub fn poisson_upper_tail(k: u64, mean: f64) -> Result<f64> {
    let poisson = Poisson::new(mean).map_err(|_| Error::InvalidConfig {
        field: "mean",
        value: mean,
        reason: "must be positive and finite",
    })?;
    Ok(if k == 0 { 1.0 } else { poisson.sf(k - 1) })
}

/// `P(X >= k)` for `X ~ Binomial(n, p)`: e.g. `k` throttled calls out of `n` when the usual
/// throttle ratio is `p`.
///
/// # Errors
/// [`Error::InvalidConfig`] unless `0 <= p <= 1`.
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> Result<f64> {
    let binomial = Binomial::new(p, n).map_err(|_| Error::InvalidConfig {
        field: "p",
        value: p,
        reason: "must be within [0, 1]",
    })?;
    Ok(if k == 0 { 1.0 } else { binomial.sf(k - 1) })
}
