//! [`Ewma`]: exponentially weighted mean and variance, O(1) per value.

use crate::error::{Result, finite, positive};

/// Exponentially weighted moving mean and variance with smoothing factor `alpha` in (0, 1].
///
/// # Example
/// ```
/// use failure_modes::stats::Ewma;
///
/// let mut ewma = Ewma::new(0.5)?;
/// ewma.push(10.0)?;
/// ewma.push(20.0)?;
/// assert_eq!(ewma.mean(), Some(15.0));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Ewma {
    alpha: f64,
    mean: Option<f64>,
    variance: f64,
    /// Values pushed (refused ones included): the position an error names.
    pushed: u64,
}

impl Ewma {
    /// An EWMA with smoothing factor `alpha` (weight of the newest value).
    ///
    /// # Errors
    /// [`crate::Error::InvalidConfig`] unless `0 < alpha <= 1`.
    pub fn new(alpha: f64) -> Result<Self> {
        let alpha = positive("alpha", alpha)?;
        if alpha > 1.0 {
            return Err(crate::Error::InvalidConfig {
                field: "alpha",
                value: alpha,
                reason: "must be at most 1",
            });
        }
        Ok(Self {
            alpha,
            mean: None,
            variance: 0.0,
            pushed: 0,
        })
    }

    /// Adds a value.
    ///
    /// # Errors
    /// [`crate::Error::InvalidValue`] for NaN, infinite or out-of-range values (beyond
    /// [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE), where `value − mean` could overflow to an
    /// infinite, then NaN, mean); the state is unchanged.
    pub fn push(&mut self, value: f64) -> Result<()> {
        let index = self.pushed;
        self.pushed += 1;
        finite(value, index)?;
        match self.mean {
            None => self.mean = Some(value),
            Some(mean) => {
                let delta = value - mean;
                let increment = self.alpha * delta;
                self.mean = Some(mean + increment);
                self.variance = (1.0 - self.alpha) * (self.variance + delta * increment);
            }
        }
        Ok(())
    }

    /// The same as pushing `count` zeros, in O(1): the mean and the variance decay.
    pub fn decay(&mut self, count: i64) {
        if let Some(mean) = self.mean {
            let keep = (1.0 - self.alpha).powi(count.clamp(0, i64::from(i32::MAX)) as i32);
            // k zeros: the mean shrinks by (1 − α)^k; the variance tends to what zeros leave.
            self.mean = Some(mean * keep);
            self.variance *= keep;
        }
    }

    /// The weighted mean, `None` before the first value.
    pub fn mean(&self) -> Option<f64> {
        self.mean
    }

    /// The weighted standard deviation: the square root of the variance kept, so below about
    /// 1.5e-154 (2^-511, whose square is the smallest normal `f64`) the variance underflows
    /// and this reads 0 or less than it should.
    pub fn std_dev(&self) -> f64 {
        self.variance.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finite values past the crate's range overflowed `value − mean` (found by
    /// `tools/differential/stats.py`: `f64::MAX` then `-f64::MAX` left an infinite mean, then
    /// NaN for good).
    #[test]
    fn values_past_the_range_cannot_make_the_state_infinite() {
        let mut ewma = Ewma::new(0.5).unwrap();
        let _ = ewma.push(1.0);
        let _ = ewma.push(f64::MAX);
        let _ = ewma.push(-f64::MAX);
        let _ = ewma.push(f64::NAN);
        let _ = ewma.push(3.0);
        let (mean, std_dev) = (ewma.mean().unwrap_or(f64::NAN), ewma.std_dev());
        assert!(mean.is_finite() && std_dev.is_finite(), "{mean} {std_dev}");
        // Refused with the position named, and without a change.
        let mut ewma = Ewma::new(0.5).unwrap();
        ewma.push(1.0).unwrap();
        let error = ewma.push(f64::MAX).unwrap_err();
        assert!(error.to_string().contains("at point 1"), "{error}");
        assert!(ewma.push(f64::NAN).is_err());
        ewma.push(3.0).unwrap();
        assert_eq!((ewma.mean(), ewma.std_dev()), (Some(2.0), 1.0));
    }
}
