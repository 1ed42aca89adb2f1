//! [`AnomalyDetector`]: the generic streaming detector the failure-mode detectors build on:
//! spikes against a robust baseline, and sustained level shifts by CUSUM, with a refractory
//! period so that one incident raises one alert.

use crate::error::{Result, finite, positive};
use crate::stats::{Cusum, Direction, RobustBaseline};

/// Settings of [`AnomalyDetector`]. Defaults are chosen a priori for 5-minute CloudWatch data
/// (one day of baseline), not fitted to any labelled series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalyConfig {
    /// Values in the trailing baseline (288 = one day of 5-minute points).
    pub baseline: usize,
    /// Values seen before any alert may be raised (the baseline must mean something).
    pub warm_up: usize,
    /// A point this many robust σ from the baseline median is a spike.
    pub spike_sigma: f64,
    /// CUSUM allowance k, in robust σ.
    pub shift_slack: f64,
    /// CUSUM decision threshold h, in robust σ.
    pub shift_threshold: f64,
    /// Points after an alert during which no other alert is raised.
    pub refractory: usize,
    /// Floor of the robust σ, as a share of the baseline median's magnitude (a flat metric
    /// would otherwise make any wiggle infinitely surprising).
    pub min_relative_spread: f64,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        Self {
            baseline: 288,
            warm_up: 288,
            spike_sigma: 6.0,
            shift_slack: 1.0,
            shift_threshold: 12.0,
            refractory: 288,
            min_relative_spread: 0.01,
        }
    }
}

/// Why a point was flagged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnomalyKind {
    /// One point far from the baseline.
    Spike {
        /// Its robust z-score.
        z: f64,
    },
    /// A sustained shift of level.
    Shift {
        /// Which way.
        direction: Direction,
    },
}

/// A flagged point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anomaly {
    /// Zero-based position in the stream.
    pub index: u64,
    /// The value.
    pub value: f64,
    /// The baseline median it was judged against.
    pub baseline: f64,
    /// What was seen.
    pub kind: AnomalyKind,
}

/// A streaming anomaly detector: push values in time order, get an [`Anomaly`] when one is
/// seen. No look-ahead: the decision at a point uses that point and earlier ones only.
///
/// # Example
/// ```
/// use failure_modes::{AnomalyConfig, AnomalyDetector};
///
/// let config = AnomalyConfig { baseline: 50, warm_up: 50, ..AnomalyConfig::default() };
/// let mut detector = AnomalyDetector::new(config)?;
/// let mut alerts = Vec::new();
/// for i in 0..200u64 {
///     let value = if i == 150 { 400.0 } else { 40.0 + (i % 5) as f64 };
///     if let Some(a) = detector.push(value)? {
///         alerts.push(a.index);
///     }
/// }
/// assert_eq!(alerts, [150]);
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AnomalyDetector {
    config: AnomalyConfig,
    baseline: RobustBaseline,
    cusum: Cusum,
    seen: u64,
    quiet_until: u64,
}

impl AnomalyDetector {
    /// A detector with no history.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for a zero baseline or non-positive thresholds.
    pub fn new(config: AnomalyConfig) -> Result<Self> {
        positive("spike_sigma", config.spike_sigma)?;
        positive("min_relative_spread", config.min_relative_spread)?;
        Ok(Self {
            baseline: RobustBaseline::new(config.baseline)?,
            cusum: Cusum::new(config.shift_slack, config.shift_threshold)?,
            config,
            seen: 0,
            quiet_until: 0,
        })
    }

    /// Pushes the next value.
    ///
    /// # Errors
    /// [`Error::InvalidValue`](crate::Error::InvalidValue) for NaN or infinite values, with their position; the detector
    /// is unchanged.
    pub fn push(&mut self, value: f64) -> Result<Option<Anomaly>> {
        finite(value, self.seen)?;
        let index = self.seen;
        self.seen += 1;
        let judged = match self.baseline.median() {
            Some(median) => {
                let floor = self.config.min_relative_spread * median.abs().max(f64::MIN_POSITIVE);
                self.baseline.robust_z(value, floor).map(|z| (median, z))
            }
            None => None,
        };
        self.baseline.push(value)?;
        let Some((median, z)) = judged else {
            return Ok(None);
        };
        // Clamp what one point can add to the CUSUM: a spike is the spike rule's business.
        let shift = self
            .cusum
            .push(z.clamp(-self.config.spike_sigma, self.config.spike_sigma));
        let warmed_up = self.seen > self.config.warm_up as u64;
        if !warmed_up || index < self.quiet_until {
            return Ok(None);
        }
        let kind = if z.abs() >= self.config.spike_sigma {
            AnomalyKind::Spike { z }
        } else if let Some(direction) = shift {
            AnomalyKind::Shift { direction }
        } else {
            return Ok(None);
        };
        self.quiet_until = index + 1 + self.config.refractory as u64;
        self.cusum.reset();
        Ok(Some(Anomaly {
            index,
            value,
            baseline: median,
            kind,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    fn config() -> AnomalyConfig {
        AnomalyConfig {
            baseline: 100,
            warm_up: 100,
            refractory: 50,
            ..AnomalyConfig::default()
        }
    }

    #[test]
    fn level_shift_is_caught_once() {
        let mut d = AnomalyDetector::new(config()).unwrap();
        let alerts: Vec<_> = (0..400u64)
            .filter_map(|i| {
                let noise = ((i * 7919) % 11) as f64 / 10.0;
                let level = if i >= 250 { 60.0 } else { 50.0 };
                d.push(level + noise).unwrap()
            })
            .collect();
        assert!(
            !alerts.is_empty(),
            "a +10 shift on noise of ~1 must be seen"
        );
        assert!(
            alerts[0].index >= 250 && alerts[0].index < 270,
            "{alerts:?}"
        );
    }

    #[test]
    fn clean_noise_raises_nothing() {
        let mut d = AnomalyDetector::new(config()).unwrap();
        let alerts = (0..2000u64)
            .filter_map(|i| d.push(50.0 + ((i * 7919) % 11) as f64 / 10.0).unwrap())
            .count();
        assert_eq!(alerts, 0);
    }

    #[test]
    fn bad_input_is_typed() {
        let mut d = AnomalyDetector::new(config()).unwrap();
        assert!(matches!(
            d.push(f64::NAN),
            Err(Error::InvalidValue { index: 0, .. })
        ));
        let bad = AnomalyConfig {
            spike_sigma: 0.0,
            ..config()
        };
        assert!(AnomalyDetector::new(bad).is_err());
    }
}
