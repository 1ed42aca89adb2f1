//! [`Cusum`]: Page's two-sided cumulative sum, for sustained shifts of level that no single
//! point reveals.

use crate::error::{Result, finite, positive};

/// Which way a change went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// The level rose.
    Up,
    /// The level fell.
    Down,
}

/// Two-sided CUSUM over standardised residuals: `S⁺ = max(0, S⁺ + z − k)`,
/// `S⁻ = max(0, S⁻ − z − k)`; a change is signalled when either exceeds `h`, and both restart.
///
/// The sums are kept in binary64, each step rounding twice, so a sum within a few ulps of `h`
/// per step since the last restart is a tie that rounding decides: residuals written in decimal
/// whose sum less the allowances is `h` in decimal (whose binary64 values exceed it by an ulp
/// or two) may signal a step later, or earlier, than exact arithmetic would.
/// `tools/differential/stats.py` counts these ties apart (none lies further than 2 ulps of `h`
/// a step).
///
/// # Example
/// ```
/// use failure_modes::stats::{Cusum, Direction};
///
/// let mut cusum = Cusum::new(0.5, 5.0)?;
/// assert_eq!(cusum.push(0.3)?, None); // noise
/// let mut signal = None;
/// for _ in 0..5 {
///     // a sustained +2σ shift
///     signal = signal.or(cusum.push(2.0)?);
/// }
/// assert_eq!(signal, Some(Direction::Up));
/// assert!(cusum.push(f64::NAN).is_err()); // refused, the sums unchanged
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Cusum {
    slack: f64,
    threshold: f64,
    up: f64,
    down: f64,
    /// Residuals offered so far, refused ones included: the position an error names.
    pushed: u64,
}

impl Cusum {
    /// A CUSUM with allowance `slack` (k, in σ) and decision threshold `threshold` (h, in σ).
    ///
    /// # Errors
    /// [`crate::Error::InvalidConfig`] unless both are positive and finite.
    pub fn new(slack: f64, threshold: f64) -> Result<Self> {
        Ok(Self {
            slack: positive("slack", slack)?,
            threshold: positive("threshold", threshold)?,
            up: 0.0,
            down: 0.0,
            pushed: 0,
        })
    }

    /// Adds a standardised residual; returns the direction of a detected change.
    ///
    /// # Errors
    /// [`crate::Error::InvalidValue`] for NaN, infinite or out-of-range residuals (beyond
    /// [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE)), with their position among the residuals
    /// offered; the sums are unchanged. (A NaN used to be skipped in silence, so a residual
    /// worked out from a zero σ left no trace.)
    pub fn push(&mut self, z: f64) -> Result<Option<Direction>> {
        let index = self.pushed;
        self.pushed += 1;
        finite(z, index)?;
        self.up = (self.up + z - self.slack).max(0.0);
        self.down = (self.down - z - self.slack).max(0.0);
        let signal = if self.up > self.threshold {
            Some(Direction::Up)
        } else if self.down > self.threshold {
            Some(Direction::Down)
        } else {
            None
        };
        if signal.is_some() {
            self.reset();
        }
        Ok(signal)
    }

    /// Forgets the accumulated evidence.
    pub fn reset(&mut self) {
        self.up = 0.0;
        self.down = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;

    /// A NaN residual (from a zero σ, say) was skipped in silence: the caller learned nothing
    /// was judged. It is refused now, with its position, and the sums are unchanged.
    #[test]
    fn residuals_out_of_range_are_refused_and_change_nothing() {
        let mut cusum = Cusum::new(0.5, 5.0).unwrap();
        for _ in 0..2 {
            assert_eq!(cusum.push(2.0).unwrap(), None);
        }
        for (offset, bad) in [f64::NAN, f64::INFINITY, -1e300].into_iter().enumerate() {
            match cusum.push(bad) {
                Err(Error::InvalidValue { index, .. }) => assert_eq!(index, offset as u64 + 2),
                other => panic!("{bad} gave {other:?}"),
            }
        }
        // 1.5 + 1.5 + 1.5 + 1.5 = 6 > 5: the fourth +2σ residual signals, the refused ones
        // having added nothing.
        assert_eq!(cusum.push(2.0).unwrap(), None);
        assert_eq!(cusum.push(2.0).unwrap(), Some(Direction::Up));
    }
}
