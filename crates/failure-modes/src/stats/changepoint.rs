//! [`Cusum`]: Page's two-sided cumulative sum, for sustained shifts of level that no single
//! point reveals.

use crate::error::{Result, positive};

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
/// assert_eq!(cusum.push(0.3), None);          // noise
/// let signal = (0..5).find_map(|_| cusum.push(2.0)); // a sustained +2σ shift
/// assert_eq!(signal, Some(Direction::Up));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Cusum {
    slack: f64,
    threshold: f64,
    up: f64,
    down: f64,
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
        })
    }

    /// Adds a standardised residual; returns the direction of a detected change.
    pub fn push(&mut self, z: f64) -> Option<Direction> {
        if !z.is_finite() {
            return None;
        }
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
        signal
    }

    /// Forgets the accumulated evidence.
    pub fn reset(&mut self) {
        self.up = 0.0;
        self.down = 0.0;
    }
}
