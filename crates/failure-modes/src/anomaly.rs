//! [`AnomalyDetector`]: the generic streaming detector the failure-mode detectors build on:
//! spikes against a robust baseline, and sustained level shifts by CUSUM, each raised only when
//! it is the most surprising thing the series has done in days, with a refractory period so that
//! one incident raises one alert.

use crate::error::{Result, finite, positive};
use crate::stats::{Cusum, Direction, RobustBaseline, RollingMax};

/// Settings of [`AnomalyDetector`], for 5-minute CloudWatch data.
///
/// The window lengths are calendar spans chosen a priori (a day, half a day, an hour). The
/// three thresholds (`spike_sigma`, `shift_slack`, `shift_threshold`) and `record_window` were
/// then chosen among a few round values on the NAB `realAWSCloudwatch` corpus; the detector
/// does much the same over neighbouring values (`examples/nab_eval.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalyConfig {
    /// Values in the trailing baseline: 288 = one day of 5-minute points, so a daily cycle is
    /// inside the baseline's spread rather than an anomaly.
    pub baseline: usize,
    /// Values seen before any alert may be raised: one baseline, so the median and the MAD
    /// mean something.
    pub warm_up: usize,
    /// A point must lie this many robust σ from the baseline median to be a spike. Only a floor
    /// (3 σ: ordinary noise is never a spike); what makes a spike is beating the record.
    pub spike_sigma: f64,
    /// CUSUM allowance k, in robust σ: 0.5 σ, the classic choice for detecting a 1 σ shift.
    pub shift_slack: f64,
    /// CUSUM decision threshold h, in robust σ: 8, about 16 points of a 1 σ shift or 3 of a
    /// 3 σ one.
    pub shift_threshold: f64,
    /// Points after an alert during which no other alert is raised: one day, one incident.
    pub refractory: usize,
    /// Floor of the robust σ, as a share of the baseline median's magnitude (a flat metric
    /// would otherwise make any wiggle infinitely surprising).
    pub min_relative_spread: f64,
    /// Points over which surprise is averaged to judge a sustained shift: 12 = one hour, long
    /// enough that one wild point does not make a shift, short enough to report it early.
    pub short_window: usize,
    /// Span of the record an alert must beat: 1008 = 3.5 days. Every series has its own usual
    /// excursions (a nightly batch job, a bursty disk); an alert is raised only for something
    /// more surprising than anything of the last few days, which adapts the threshold to each
    /// series' tails without a distributional assumption, while old incidents still age out.
    pub record_window: usize,
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        Self {
            baseline: 288,
            warm_up: 288,
            spike_sigma: 3.0,
            shift_slack: 0.5,
            shift_threshold: 8.0,
            refractory: 288,
            min_relative_spread: 0.01,
            short_window: 12,
            record_window: 1008,
        }
    }
}

/// Why a point was flagged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AnomalyKind {
    /// One point far from the baseline, further than any point of the record window.
    Spike {
        /// Its robust z-score.
        z: f64,
    },
    /// A sustained shift of level, more surprising over the short window than any of the
    /// record window.
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
/// Each point gets a robust z-score against the trailing median and MAD, and a surprise
/// `ln(1 + |z|)`. It is a [`AnomalyKind::Spike`] when `|z| >= spike_sigma` and its surprise
/// beats every surprise of the last `record_window` points; a [`AnomalyKind::Shift`] when the
/// CUSUM of the z-scores signals and the mean surprise of the last `short_window` points beats
/// every such mean of the record window. Records are kept only from the point the baseline is
/// full, so the wild z-scores of a young baseline do not set them.
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
    /// Surprises of the last `short_window` points (a ring, oldest at `short_next` once full),
    /// and their sum.
    short: Vec<f64>,
    short_next: usize,
    short_sum: f64,
    point_record: RollingMax,
    short_record: RollingMax,
    seen: u64,
    quiet_until: u64,
}

/// Beyond this a robust z says only "never seen": clamping keeps sums finite when a spread floor
/// of `f64::MIN_POSITIVE` divides a large value.
const MAX_Z: f64 = 1e12;

/// Surprise of a robust z-score: grows like ln |z|, so that one reading off a flat metric (a z
/// in the millions) does not dominate a mean of surprises for a whole window.
fn surprise(z: f64) -> f64 {
    z.abs().ln_1p()
}

impl AnomalyDetector {
    /// A detector with no history.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for a zero baseline, short window
    /// or record window, or non-positive thresholds.
    pub fn new(config: AnomalyConfig) -> Result<Self> {
        positive("spike_sigma", config.spike_sigma)?;
        positive("min_relative_spread", config.min_relative_spread)?;
        if config.short_window == 0 {
            return Err(crate::Error::InvalidConfig {
                field: "short_window",
                value: 0.0,
                reason: "must be at least 1",
            });
        }
        Ok(Self {
            baseline: RobustBaseline::new(config.baseline)?,
            cusum: Cusum::new(config.shift_slack, config.shift_threshold)?,
            short: Vec::with_capacity(config.short_window),
            short_next: 0,
            short_sum: 0.0,
            point_record: RollingMax::new(config.record_window)?,
            short_record: RollingMax::new(config.record_window)?,
            config,
            seen: 0,
            quiet_until: 0,
        })
    }

    /// Pushes the next value.
    ///
    /// # Errors
    /// [`Error::InvalidValue`](crate::Error::InvalidValue) for NaN or infinite values, with
    /// their position; the detector is unchanged.
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
        let z = z.clamp(-MAX_Z, MAX_Z);
        let u = surprise(z);
        if let Some(old) = self.short.get_mut(self.short_next) {
            self.short_sum += u - *old;
            *old = u;
        } else {
            self.short.push(u);
            self.short_sum += u;
        }
        self.short_next = (self.short_next + 1) % self.config.short_window;
        let short_mean = self.short_sum / self.short.len() as f64;
        // Records are judged before the point joins them: it must beat the past, not itself.
        let point_record = self.point_record.max().is_none_or(|m| u > m);
        let short_record = self.short_record.max().is_none_or(|m| short_mean > m);
        if self.baseline.is_full() {
            self.point_record.push(u)?;
            self.short_record.push(short_mean)?;
        }
        // Clamp what one point can add to the CUSUM: a spike is the spike rule's business.
        let shift = self
            .cusum
            .push(z.clamp(-self.config.spike_sigma, self.config.spike_sigma));
        let warmed_up = self.seen > self.config.warm_up as u64;
        if !warmed_up || index < self.quiet_until {
            return Ok(None);
        }
        let kind = if point_record && z.abs() >= self.config.spike_sigma {
            AnomalyKind::Spike { z }
        } else if let Some(direction) = shift.filter(|_| short_record) {
            AnomalyKind::Shift { direction }
        } else {
            return Ok(None);
        };
        self.quiet_until = index
            .saturating_add(1)
            .saturating_add(self.config.refractory as u64);
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
    fn a_usual_spike_stops_alerting_and_a_bigger_one_does() {
        let mut d = AnomalyDetector::new(AnomalyConfig {
            baseline: 50,
            warm_up: 50,
            refractory: 10,
            record_window: 500,
            ..AnomalyConfig::default()
        })
        .unwrap();
        let alerts: Vec<u64> = (0..1000u64)
            .filter_map(|i| {
                let noise = ((i * 7919) % 11) as f64 / 10.0;
                // A nightly job: the same spike every 100 points, a little smaller each time.
                let job = if i % 100 == 0 && i > 0 {
                    100.0 - (i / 100) as f64
                } else {
                    0.0
                };
                let incident = if i == 950 { 1000.0 } else { 0.0 };
                d.push(50.0 + noise + job + incident)
                    .unwrap()
                    .map(|a| a.index)
            })
            .collect();
        assert_eq!(alerts, [100, 950]);
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
        for bad in [
            AnomalyConfig {
                short_window: 0,
                ..config()
            },
            AnomalyConfig {
                record_window: 0,
                ..config()
            },
        ] {
            assert!(AnomalyDetector::new(bad).is_err());
        }
    }
}
