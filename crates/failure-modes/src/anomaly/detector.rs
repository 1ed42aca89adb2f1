//! [`AnomalyDetector`] itself: the baseline, the short window, the verdict and the re-baselining
//! after a level shift; the records and the daily profile it consults are modules of their own.

use super::profile::DailyProfile;
use super::records::Records;
use super::{AnomalyConfig, MAX_Z, Spread};
#[cfg(doc)]
use super::{RecordKind, Season};
use crate::error::{Error, Result, finite};
use crate::stats::{Direction, MAD_TO_SIGMA, MEAN_AD_TO_SIGMA, RobustBaseline};

/// Why a point was flagged.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum AnomalyKind {
    /// One point far from the baseline, further than any point of the record window.
    Spike {
        /// Its robust z-score (signed).
        z: f64,
    },
    /// The short window's median moved away from the baseline further than ever in the record
    /// window: a level shift, after which the baseline restarts from the short window.
    Shift {
        /// Which way.
        direction: Direction,
        /// The shift in standard errors of the short window's median.
        z: f64,
    },
}

/// A flagged point.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
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

/// The last few values in arrival and in sorted order, for the short window's median: a
/// lighter [`RobustBaseline`] (no MAD, no sums), since it is read for its median only.
#[derive(Debug, Clone)]
struct ShortWindow {
    capacity: usize,
    arrival: std::collections::VecDeque<f64>,
    sorted: ShortSorted,
}

/// The short window's values in ascending order: for at most 16 values (an hour of
/// five-minute points is 12) in a fixed array of 12 or 16 replaced without a branch on the
/// values, otherwise walked.
#[derive(Debug, Clone)]
enum ShortSorted {
    Twelve(crate::stats::SmallSorted<12, 14>),
    Sixteen(crate::stats::SmallSorted<16, 18>),
    Walked(Vec<f64>),
}

impl ShortWindow {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            arrival: std::collections::VecDeque::with_capacity(capacity),
            sorted: match capacity {
                ..=12 => ShortSorted::Twelve(crate::stats::SmallSorted::new()),
                13..=16 => ShortSorted::Sixteen(crate::stats::SmallSorted::new()),
                _ => ShortSorted::Walked(Vec::with_capacity(capacity)),
            },
        }
    }

    fn push(&mut self, value: f64) {
        let old = if self.arrival.len() == self.capacity {
            self.arrival.pop_front()
        } else {
            None
        };
        self.arrival.push_back(value);
        match (&mut self.sorted, old) {
            (ShortSorted::Twelve(sorted), Some(old)) => sorted.replace(old, value),
            (ShortSorted::Twelve(sorted), None) => sorted.insert(value),
            (ShortSorted::Sixteen(sorted), Some(old)) => sorted.replace(old, value),
            (ShortSorted::Sixteen(sorted), None) => sorted.insert(value),
            (ShortSorted::Walked(sorted), Some(old)) => {
                crate::stats::replace_in_short_sorted(sorted, old, value);
            }
            (ShortSorted::Walked(sorted), None) => {
                let at = sorted.partition_point(|v| *v < value);
                sorted.insert(at, value);
            }
        }
    }

    fn is_full(&self) -> bool {
        self.arrival.len() == self.capacity
    }

    fn median(&self) -> Option<f64> {
        crate::stats::median_of_sorted(match &self.sorted {
            ShortSorted::Twelve(sorted) => sorted.values(self.arrival.len()),
            ShortSorted::Sixteen(sorted) => sorted.values(self.arrival.len()),
            ShortSorted::Walked(sorted) => sorted,
        })
    }

    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.arrival.iter().copied()
    }
}

/// A streaming anomaly detector: push values in time order, evenly spaced, get an [`Anomaly`]
/// when one is seen. No look-ahead: the decision at a point uses that point and earlier ones
/// only.
///
/// Each point is judged against a trailing baseline of [`AnomalyConfig::baseline`] values: its
/// median `m` and a robust σ `s` (by default the larger of 1.4826 × MAD and 1.2533 × the mean
/// absolute deviation, see [`Spread`]).
/// * A **spike**: `|x − m| / s` is at least [`AnomalyConfig::spike_sigma`], beyond the record
///   of the last [`AnomalyConfig::record_window`] points (a week; see [`RecordKind`]), and
///   larger than the series' own excursions at this time of day on the previous days (the
///   learned [`Season`]).
/// * A **level shift**: the median of the last [`AnomalyConfig::short_window`] values lies at
///   least [`AnomalyConfig::shift_sigma`] standard errors from `m`, beyond the record of the
///   short windows of the record window. A shift is then confirmed as the new normal: the
///   baseline restarts from the short window's values and the records from nothing, so the
///   detector judges the new level after [`AnomalyConfig::rewarm`] points instead of a day.
///
/// One alert per [`AnomalyConfig::refractory`] points. Memory is bounded and allocated up
/// front: `2 × baseline + short_window` values and the short window's sorted copy (`short_window`
/// values, or a fixed 14 or 18 when it holds at most 12 or 16), the records (one entry per short window
/// of the record window, at most four of them) and `slots × (max(days, 7 × weeks) + 2)`
/// values for the season: about 11 KiB with the defaults.
///
/// Values beyond [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE) (CloudWatch's range), NaN and
/// infinities are refused with a typed error, and the detector is then unchanged.
///
/// Measured on real labelled CloudWatch series (NAB), out of sample: see `docs/detectors.md`.
///
/// # Example
/// ```
/// use failure_modes::{AnomalyConfig, AnomalyDetector, AnomalyKind};
///
/// let config = AnomalyConfig::default().with_baseline(50).with_warm_up(50).with_season(None);
/// let mut detector = AnomalyDetector::new(config)?;
/// let mut alerts = Vec::new();
/// for i in 0..200u64 {
///     let value = if i == 150 { 400.0 } else { 40.0 + (i % 5) as f64 };
///     if let Some(a) = detector.push(value)? {
///         alerts.push((a.index, matches!(a.kind, AnomalyKind::Spike { .. })));
///     }
/// }
/// assert_eq!(alerts, [(150, true)]);
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct AnomalyDetector {
    config: AnomalyConfig,
    baseline: RobustBaseline,
    /// The short window, when level shifts are judged.
    short: Option<ShortWindow>,
    records: Option<Records>,
    profile: Option<DailyProfile>,
    /// Values the baseline must hold before anything is judged (`warm_up`, then `rewarm`
    /// after a shift).
    needed: usize,
    seen: u64,
    quiet_until: u64,
    /// `1.25 / √short_window`: the standard error of the short window's median, in σ.
    median_error: f64,
    /// The median, σ, z and level of the last point judged, for the bit-identity checker
    /// (`anomaly::bit_identity`) to compare across versions of the hot path.
    #[cfg(test)]
    pub(super) last_judged: Option<[f64; 4]>,
}

impl AnomalyDetector {
    /// A detector with no history.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero window, a short window longer than the baseline,
    /// non-positive thresholds or an invalid [`Season`].
    pub fn new(config: AnomalyConfig) -> Result<Self> {
        for (field, value) in [
            ("spike_sigma", Some(config.spike_sigma)),
            ("shift_sigma", config.shift_sigma),
        ] {
            if let Some(value) = value
                && !(value.is_finite() && value > 0.0)
            {
                return Err(Error::InvalidConfig {
                    field,
                    value,
                    reason: "must be positive and finite",
                });
            }
        }
        for (field, value) in [
            ("baseline", config.baseline),
            ("short_window", config.short_window),
            ("record_window", config.record_window.unwrap_or(1)),
        ] {
            crate::stats::check_window(field, value, 1, crate::stats::MAX_WINDOW)?;
        }
        if config.short_window > config.baseline {
            return Err(Error::InvalidConfig {
                field: "short_window",
                value: config.short_window as f64,
                reason: "cannot exceed the baseline",
            });
        }
        Ok(Self {
            baseline: RobustBaseline::new(config.baseline)?,
            short: config
                .shift_sigma
                .map(|_| ShortWindow::new(config.short_window)),
            records: Self::fresh_records(&config)?,
            profile: config.season.map(DailyProfile::new).transpose()?,
            needed: config.warm_up.clamp(1, config.baseline),
            seen: 0,
            quiet_until: 0,
            median_error: 1.25 / (config.short_window as f64).sqrt(),
            config,
            #[cfg(test)]
            last_judged: None,
        })
    }

    fn fresh_records(config: &AnomalyConfig) -> Result<Option<Records>> {
        config
            .record_window
            .map(|window| Records::new(config.record_kind, window, config.short_window))
            .transpose()
    }

    /// The configuration.
    pub fn config(&self) -> &AnomalyConfig {
        &self.config
    }

    /// Pushes the next value.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN, infinite or out-of-range values (beyond
    /// [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE)), with their position; the detector is
    /// unchanged.
    pub fn push(&mut self, value: f64) -> Result<Option<Anomaly>> {
        // Validated once here: every part below takes only values within range, so nothing
        // after this line can fail and leave the detector half updated.
        finite(value, self.seen)?;
        #[cfg(test)]
        {
            self.last_judged = None;
        }
        let index = self.seen;
        self.seen = self.seen.saturating_add(1);
        if let Some(short) = self.short.as_mut() {
            short.push(value);
        }
        let judged = if self.baseline.len() >= self.needed {
            // Pushes the value into the baseline once it has read it.
            self.judge(index, value)?
        } else {
            // The profile counts days from the first point, judged or not.
            if let Some(profile) = self.profile.as_mut() {
                profile.record(index, 0.0);
            }
            // Checked on entry.
            self.baseline.push_valid(value);
            None
        };
        if let Some(anomaly) = judged {
            self.quiet_until = index
                .saturating_add(1)
                .saturating_add(self.config.refractory as u64);
            if matches!(anomaly.kind, AnomalyKind::Shift { .. }) {
                // The short window (this value included) becomes the baseline, whatever it
                // held.
                self.rebaseline()?;
            }
        }
        Ok(judged)
    }

    /// Records that the next `count` points of the series are missing (CloudWatch publishes no
    /// datapoint for a period without data): the stream's index moves on by `count`, so that
    /// the season keeps each later point at its own time of day and the refractory period
    /// counts the missing points as time. Nothing is judged or learnt: the baseline, the short
    /// window and the records hold the last values received (the record window counts values
    /// received, not time). Cost: O(1) within a day; a gap that ends days stores at most
    /// `max(days, 7 × weeks) + 1` of them and works out the next day's comparison once,
    /// whatever `count`. The index saturates at `u64::MAX` (past it, the refractory period no
    /// longer separates alerts).
    ///
    /// A caller reading timestamped data (`aws_telemetry`'s series) skips
    /// `(t − previous) / period − 1` points before each value.
    ///
    /// # Example
    /// ```
    /// use failure_modes::{AnomalyConfig, AnomalyDetector};
    ///
    /// let mut detector = AnomalyDetector::new(AnomalyConfig::default())?;
    /// detector.push(40.0)?;
    /// detector.skip(11); // an hour without datapoints
    /// assert_eq!(detector.next_index(), 12);
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn skip(&mut self, count: u64) {
        if count == 0 {
            return;
        }
        let from = self.seen;
        if let Some(profile) = self.profile.as_mut() {
            profile.skip(from, count);
        }
        self.seen = self.seen.saturating_add(count);
    }

    /// The index the next value pushed will have: the values accepted plus the points
    /// skipped. A refused value does not move it; skip it if it stood for a point of the
    /// series.
    #[must_use]
    pub fn next_index(&self) -> u64 {
        self.seen
    }

    /// Every term of the robust σ but the MAD's: the mean absolute deviation's (with
    /// [`Spread::MadOrMeanDeviation`]) and the floors that keep a flat baseline from making
    /// every change infinitely surprising. σ is the larger of this and `1.4826 × MAD`: all the
    /// terms are maxima of positive numbers, so grouping them so gives σ to the bit.
    fn sigma_without_mad(&self) -> f64 {
        let mean_deviation = match self.config.spread {
            Spread::Mad => 0.0,
            Spread::MadOrMeanDeviation => {
                MEAN_AD_TO_SIGMA * self.baseline.mean_abs_deviation().unwrap_or(0.0)
            }
        };
        let floor = 1e-3 * self.baseline.mean_magnitude().unwrap_or(0.0);
        mean_deviation.max(floor).max(f64::MIN_POSITIVE)
    }

    /// Judges `value` against the baseline, pushes it into the baseline and updates the
    /// records; the anomaly, if any and outside the refractory period.
    ///
    /// The value joins the baseline as soon as the baseline's median, MAD and other terms have
    /// been read, before the point's divisions and records: the baseline's move then runs
    /// while they wait, and is done well before the next point reads the baseline. A level
    /// shift then restarts the baseline from the short window, whatever it holds.
    fn judge(&mut self, index: u64, value: f64) -> Result<Option<Anomaly>> {
        // Read afresh at every point: reusing them for three points, which would save most of
        // a point's cost, was measured at 60.19 out of sample on NAB against 64.94.
        let Some(median) = self.baseline.median() else {
            self.baseline.push_valid(value);
            return Ok(None);
        };
        let short = self
            .short
            .as_ref()
            .filter(|short| short.is_full())
            .and_then(ShortWindow::median);
        let without_mad = self.sigma_without_mad();
        // Read at every point: the MAD's split is remembered from one point to the next.
        let Some(mad) = self.baseline.mad_remembering_split() else {
            self.baseline.push_valid(value);
            return Ok(None);
        };
        // Checked on entry; nothing below reads the baseline.
        self.baseline.push_valid(value);
        let sigma = (MAD_TO_SIGMA * mad).max(without_mad);
        let z = ((value - median) / sigma).clamp(-MAX_Z, MAX_Z);
        let level = short.map_or(0.0, |short| {
            ((short - median) / (self.median_error * sigma)).clamp(-MAX_Z, MAX_Z)
        });
        #[cfg(test)]
        {
            self.last_judged = Some([median, sigma, z, level]);
        }
        let explained = self
            .profile
            .as_ref()
            .map_or(0.0, |profile| profile.explained(index));
        let (spike_record, shift_record) = match self.records.as_mut() {
            Some(records) => records.judge(value, z, short, level)?,
            None => (true, true),
        };
        let spike = z.abs() >= self.config.spike_sigma && z.abs() > explained && spike_record;
        let shift = self
            .config
            .shift_sigma
            .is_some_and(|sigma| level.abs() >= sigma)
            && shift_record;
        if let Some(profile) = self.profile.as_mut() {
            profile.record(index, z.abs());
        }
        if index < self.quiet_until {
            return Ok(None);
        }
        let kind = if shift {
            let direction = if level > 0.0 {
                Direction::Up
            } else {
                Direction::Down
            };
            AnomalyKind::Shift {
                direction,
                z: level,
            }
        } else if spike {
            AnomalyKind::Spike { z }
        } else {
            return Ok(None);
        };
        Ok(Some(Anomaly {
            index,
            value,
            baseline: median,
            kind,
        }))
    }

    /// A confirmed level shift: the baseline restarts from the short window's values, the
    /// records from nothing.
    fn rebaseline(&mut self) -> Result<()> {
        self.baseline.clear();
        if let Some(short) = self.short.as_ref() {
            for value in short.values() {
                // Each was checked when it was pushed.
                self.baseline.push_valid(value);
            }
        }
        self.records = Self::fresh_records(&self.config)?;
        self.needed = self
            .config
            .rewarm
            .max(self.config.short_window)
            .min(self.config.baseline);
        Ok(())
    }
}
