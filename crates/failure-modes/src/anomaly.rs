//! [`AnomalyDetector`]: the generic streaming detector for one metric: spikes and sustained
//! level shifts, each raised only when it is the most surprising thing the series has done in
//! a week and not something it does every day at that hour, with a fast re-baselining after a
//! confirmed level shift.

use crate::error::{Error, Result, finite};
use crate::stats::{Direction, RobustBaseline, RollingMax};

/// Settings of [`AnomalyDetector`], in points of the series (the defaults are for 5-minute
/// CloudWatch data: 12 points an hour, 288 a day).
///
/// Every window length is a calendar span chosen a priori (an hour, half a day, a day, a week);
/// the three constants marked *chosen on training folds* are the ones the cross-validated NAB
/// protocol (`examples/nab_eval.rs --cv`) picks among a small grid on the training files
/// only, and the defaults are the values every fold picked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalyConfig {
    /// Values in the trailing baseline (median and spread): 288 = one day of 5-minute points,
    /// so a daily cycle is inside the baseline's spread rather than an anomaly.
    pub baseline: usize,
    /// Values in the short window whose median is compared with the baseline to see a level
    /// shift: 12 = one hour, long enough that one wild point is not a shift, short enough to
    /// report it early. Records are also kept per short window (see `record_window`).
    pub short_window: usize,
    /// Values seen before anything is judged: half a baseline, so the median and the spread
    /// mean something.
    pub warm_up: usize,
    /// Values seen after a level shift before anything is judged again (against a baseline of
    /// only post-shift values): 24 = two hours.
    pub rewarm: usize,
    /// A point must lie this many robust σ from the baseline median to be a spike. Only a
    /// floor; what makes a spike is beating the record. 3 (chosen on training folds).
    pub spike_sigma: f64,
    /// The short window's median must lie this many standard errors (robust σ × 1.25 / √n, the
    /// standard error of a median of `n` normal values) from the baseline median to be a
    /// level shift. 2 (chosen on training folds).
    pub shift_sigma: f64,
    /// Span of the record a spike or a shift must beat: 2016 = one week (chosen on training
    /// folds among 3.5 days, a week and two weeks). Every series has its own usual excursions
    /// (a nightly batch job, a bursty disk); only something more surprising than anything of
    /// the last week is raised, which adapts the threshold to each series' tails without a
    /// distributional assumption, while old incidents age out.
    pub record_window: usize,
    /// Points after an alert during which no other alert is raised: one day, one incident.
    pub refractory: usize,
    /// Learned daily seasonality, or `None` for a series without one.
    pub season: Option<Season>,
}

/// The daily seasonality [`AnomalyDetector`] learns: a spike is not raised when the series made
/// one at least as large at about the same time of day on one of the previous `days` days (a
/// nightly backup, a daily report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Season {
    /// Points in a day (288 for 5-minute data, 1440 for 1-minute data).
    pub period: usize,
    /// Slots a day is cut into (24: hours); a spike is compared with the same slot and its
    /// two neighbours, so a job that drifts by up to a slot is still recognised.
    pub slots: usize,
    /// Days remembered (7: a week).
    pub days: usize,
}

impl Default for Season {
    fn default() -> Self {
        Self {
            period: 288,
            slots: 24,
            days: 7,
        }
    }
}

impl Default for AnomalyConfig {
    fn default() -> Self {
        Self {
            baseline: 288,
            short_window: 12,
            warm_up: 144,
            rewarm: 24,
            spike_sigma: 3.0,
            shift_sigma: 2.0,
            record_window: 2016,
            refractory: 288,
            season: Some(Season::default()),
        }
    }
}

impl AnomalyConfig {
    /// The same spans for a series with one point every `seconds` (the defaults are for 300):
    /// an hour, half a day, two hours, a day and a week converted to points, rounded, at least
    /// one each.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a period of 0 or above one hour (the short window would
    /// hold a single point).
    ///
    /// # Example
    /// ```
    /// use failure_modes::AnomalyConfig;
    ///
    /// let minutely = AnomalyConfig::for_period(60)?;
    /// assert_eq!((minutely.short_window, minutely.baseline), (60, 1440));
    /// assert_eq!(minutely.season.unwrap().period, 1440);
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn for_period(seconds: u32) -> Result<Self> {
        if seconds == 0 || seconds > 3600 {
            return Err(Error::InvalidConfig {
                field: "period",
                value: f64::from(seconds),
                reason: "must be within 1..=3600 seconds",
            });
        }
        let points = |span: u32| ((f64::from(span) / f64::from(seconds)).round() as usize).max(1);
        let day = points(86_400);
        Ok(Self {
            baseline: day,
            short_window: points(3600),
            warm_up: points(43_200),
            rewarm: points(7200),
            record_window: points(7 * 86_400),
            refractory: day,
            season: Some(Season {
                period: day,
                ..Season::default()
            }),
            ..Self::default()
        })
    }
}

/// Why a point was flagged.
#[derive(Debug, Clone, Copy, PartialEq)]
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
    sorted: Vec<f64>,
}

impl ShortWindow {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            arrival: std::collections::VecDeque::with_capacity(capacity),
            sorted: Vec::with_capacity(capacity),
        }
    }

    fn push(&mut self, value: f64) {
        if self.arrival.len() == self.capacity
            && let Some(old) = self.arrival.pop_front()
        {
            let at = self.sorted.partition_point(|v| *v < old);
            self.sorted.remove(at);
        }
        self.arrival.push_back(value);
        let at = self.sorted.partition_point(|v| *v < value);
        self.sorted.insert(at, value);
    }

    fn is_full(&self) -> bool {
        self.arrival.len() == self.capacity
    }

    fn median(&self) -> Option<f64> {
        crate::stats::median_of_sorted(&self.sorted)
    }

    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.arrival.iter().copied()
    }
}

/// Beyond this a robust z says only "never seen": a spread floored at `f64::MIN_POSITIVE`
/// (a metric flat at zero so far) would otherwise make the first non-zero value infinite.
const MAX_Z: f64 = 1e12;

/// The largest value of each record, kept per short window (block): the record a point must
/// beat is the largest of the completed blocks within the record window and of the current
/// block so far. Memory: one entry per block, at most `record_window / short_window + 1`.
#[derive(Debug, Clone)]
struct Record {
    blocks: RollingMax,
    current: f64,
    /// Values pushed since the record was last cleared.
    seen: u64,
}

impl Record {
    fn new(blocks: usize) -> Result<Self> {
        Ok(Self {
            blocks: RollingMax::new(blocks)?,
            current: 0.0,
            seen: 0,
        })
    }

    /// The record, `None` before any value.
    fn get(&self) -> Option<f64> {
        (self.seen > 0).then(|| {
            self.blocks
                .max()
                .map_or(self.current, |m| m.max(self.current))
        })
    }

    fn push(&mut self, value: f64) {
        self.current = self.current.max(value);
        self.seen += 1;
    }

    /// Closes the current block into the record window. Values are finite and at most
    /// [`MAX_Z`], so the push cannot fail.
    fn close_block(&mut self) -> Result<()> {
        self.blocks.push(self.current)?;
        self.current = 0.0;
        Ok(())
    }
}

/// The largest surprise seen at each slot of the day on each of the last days, and for each
/// slot the largest of itself and its two neighbours over those days (recomputed once a day).
/// Memory: `slots × (days + 2)` values.
#[derive(Debug, Clone)]
struct DailyProfile {
    season: Season,
    /// Completed days, oldest first, `slots` values each (a ring of `days` days).
    days: Vec<f64>,
    filled: usize,
    next_day: usize,
    today: Vec<f64>,
    explained: Vec<f64>,
}

impl DailyProfile {
    fn new(season: Season) -> Result<Self> {
        for (field, value) in [
            ("season.period", season.period),
            ("season.slots", season.slots),
            ("season.days", season.days),
        ] {
            if value == 0 {
                return Err(Error::InvalidConfig {
                    field,
                    value: 0.0,
                    reason: "must be at least 1",
                });
            }
        }
        if season.slots > season.period {
            return Err(Error::InvalidConfig {
                field: "season.slots",
                value: season.slots as f64,
                reason: "cannot exceed the points in a day",
            });
        }
        Ok(Self {
            days: vec![0.0; season.slots * season.days],
            filled: 0,
            next_day: 0,
            today: vec![0.0; season.slots],
            explained: vec![0.0; season.slots],
            season,
        })
    }

    fn slot(&self, index: u64) -> usize {
        let period = self.season.period as u64;
        ((index % period) * self.season.slots as u64 / period) as usize
    }

    /// The largest surprise at this slot or a neighbour on the remembered days.
    fn explained(&self, index: u64) -> f64 {
        self.explained.get(self.slot(index)).copied().unwrap_or(0.0)
    }

    /// Records the surprise of point `index`, and closes the day after its last point.
    fn record(&mut self, index: u64, z: f64) {
        let slot = self.slot(index);
        if let Some(max) = self.today.get_mut(slot) {
            *max = max.max(z);
        }
        if (index + 1).is_multiple_of(self.season.period as u64) {
            self.close_day();
        }
    }

    fn close_day(&mut self) {
        let slots = self.season.slots;
        let start = self.next_day * slots;
        if let Some(day) = self.days.get_mut(start..start + slots) {
            day.copy_from_slice(&self.today);
        }
        self.today.fill(0.0);
        self.next_day = (self.next_day + 1) % self.season.days;
        self.filled = (self.filled + 1).min(self.season.days);
        for (slot, explained) in self.explained.iter_mut().enumerate() {
            let mut max = 0.0f64;
            for day in self.days.chunks_exact(slots).take(self.filled) {
                for neighbour in [slots - 1, 0, 1] {
                    max = max.max(day[(slot + neighbour) % slots]);
                }
            }
            *explained = max;
        }
    }
}

/// A streaming anomaly detector: push values in time order, evenly spaced, get an [`Anomaly`]
/// when one is seen. No look-ahead: the decision at a point uses that point and earlier ones
/// only.
///
/// Each point is judged against a trailing baseline of [`AnomalyConfig::baseline`] values: its
/// median `m` and a robust σ `s` (the larger of 1.4826 × MAD and 1.2533 × the mean absolute
/// deviation, see [`RobustBaseline::spread`]).
/// * A **spike**: `|x − m| / s` is at least [`AnomalyConfig::spike_sigma`], larger than any
///   point's of the record window (a week), and larger than the series' own excursions at this
///   time of day on the previous days (the learned [`Season`]).
/// * A **level shift**: the median of the last [`AnomalyConfig::short_window`] values lies at
///   least [`AnomalyConfig::shift_sigma`] standard errors from `m`, further than any short
///   window of the record window. A shift is then confirmed as the new normal: the baseline
///   restarts from the short window's values and the records from nothing, so the detector
///   judges the new level after [`AnomalyConfig::rewarm`] points instead of a day.
///
/// One alert per [`AnomalyConfig::refractory`] points. Memory is bounded and allocated up
/// front: `2 × baseline + 2 × short_window` values, two records of one entry per short window
/// of the record window, and `slots × (days + 2)` values for the season: about 11 KiB with the
/// defaults.
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
/// let config = AnomalyConfig { baseline: 50, warm_up: 50, season: None, ..AnomalyConfig::default() };
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
    short: ShortWindow,
    spikes: Record,
    shifts: Record,
    profile: Option<DailyProfile>,
    /// Values the baseline must hold before anything is judged (`warm_up`, then `rewarm`
    /// after a shift).
    needed: usize,
    seen: u64,
    quiet_until: u64,
    /// `1.25 / √short_window`: the standard error of the short window's median, in σ.
    median_error: f64,
}

impl AnomalyDetector {
    /// A detector with no history.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a zero window, a short window longer than the baseline,
    /// non-positive thresholds or an invalid [`Season`].
    pub fn new(config: AnomalyConfig) -> Result<Self> {
        for (field, value) in [
            ("spike_sigma", config.spike_sigma),
            ("shift_sigma", config.shift_sigma),
        ] {
            if !(value.is_finite() && value > 0.0) {
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
            ("record_window", config.record_window),
        ] {
            if value == 0 {
                return Err(Error::InvalidConfig {
                    field,
                    value: 0.0,
                    reason: "must be at least 1",
                });
            }
        }
        if config.short_window > config.baseline {
            return Err(Error::InvalidConfig {
                field: "short_window",
                value: config.short_window as f64,
                reason: "cannot exceed the baseline",
            });
        }
        let blocks = config.record_window.div_ceil(config.short_window);
        Ok(Self {
            baseline: RobustBaseline::new(config.baseline)?,
            short: ShortWindow::new(config.short_window),
            spikes: Record::new(blocks)?,
            shifts: Record::new(blocks)?,
            profile: config.season.map(DailyProfile::new).transpose()?,
            needed: config.warm_up.clamp(1, config.baseline),
            seen: 0,
            quiet_until: 0,
            median_error: 1.25 / (config.short_window as f64).sqrt(),
            config,
        })
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
        let index = self.seen;
        self.seen += 1;
        self.short.push(value);
        let judged = if self.baseline.len() >= self.needed {
            self.judge(index, value)?
        } else {
            // The profile counts days from the first point, judged or not.
            if let Some(profile) = self.profile.as_mut() {
                profile.record(index, 0.0);
            }
            None
        };
        if let Some(anomaly) = judged {
            self.quiet_until = index
                .saturating_add(1)
                .saturating_add(self.config.refractory as u64);
            if matches!(anomaly.kind, AnomalyKind::Shift { .. }) {
                // The short window (this value included) becomes the baseline.
                self.rebaseline()?;
                return Ok(Some(anomaly));
            }
        }
        self.baseline.push(value)?;
        Ok(judged)
    }

    /// Judges `value` against the baseline and updates the records; the anomaly, if any and
    /// outside the refractory period.
    fn judge(&mut self, index: u64, value: f64) -> Result<Option<Anomaly>> {
        // Read afresh at every point: reusing them for three points, which would save most of
        // a point's cost, was measured at 60.19 out of sample on NAB against 64.94.
        let (Some(median), Some(spread)) = (self.baseline.median(), self.baseline.spread()) else {
            return Ok(None);
        };
        let floor = 1e-3 * self.baseline.mean_magnitude().unwrap_or(0.0);
        let sigma = spread.max(floor).max(f64::MIN_POSITIVE);
        let z = ((value - median) / sigma).clamp(-MAX_Z, MAX_Z);
        let level = match self.short.median() {
            Some(short) if self.short.is_full() => {
                ((short - median) / (self.median_error * sigma)).clamp(-MAX_Z, MAX_Z)
            }
            _ => 0.0,
        };
        let explained = self
            .profile
            .as_ref()
            .map_or(0.0, |profile| profile.explained(index));
        // A record is judged before the point joins it: it must beat the past, not itself.
        let spike = z.abs() >= self.config.spike_sigma
            && z.abs() > explained
            && self.spikes.get().is_some_and(|record| z.abs() > record);
        let shift = level.abs() >= self.config.shift_sigma
            && self.shifts.get().is_some_and(|record| level.abs() > record);
        self.spikes.push(z.abs());
        self.shifts.push(level.abs());
        if self
            .spikes
            .seen
            .is_multiple_of(self.config.short_window as u64)
        {
            self.spikes.close_block()?;
            self.shifts.close_block()?;
        }
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
        for value in self.short.values() {
            self.baseline.push(value)?;
        }
        let blocks = self.config.record_window.div_ceil(self.config.short_window);
        self.spikes = Record::new(blocks)?;
        self.shifts = Record::new(blocks)?;
        self.needed = self
            .config
            .rewarm
            .max(self.config.short_window)
            .min(self.config.baseline);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> AnomalyConfig {
        AnomalyConfig {
            baseline: 100,
            warm_up: 100,
            refractory: 50,
            season: None,
            ..AnomalyConfig::default()
        }
    }

    fn noise(i: u64) -> f64 {
        ((i * 7919) % 11) as f64 / 10.0
    }

    #[test]
    fn level_shift_is_caught_once_and_the_new_level_is_learned_fast() {
        let mut d = AnomalyDetector::new(config()).unwrap();
        // Noise in [0, 1] (robust σ about 0.44); a shift of 0.6 makes no single point a spike
        // (z < 3) but moves an hour's median by about five standard errors.
        let alerts: Vec<_> = (0..1200u64)
            .filter_map(|i| {
                let level = if i >= 250 { 50.6 } else { 50.0 };
                // A spike on the new level, an hour and a half after the shift: judged
                // against the new level, not lost in a baseline still half old.
                let spike = if i == 400 { 5.0 } else { 0.0 };
                d.push(level + noise(i) + spike).unwrap()
            })
            .collect();
        assert!(
            matches!(
                alerts[0].kind,
                AnomalyKind::Shift {
                    direction: Direction::Up,
                    ..
                }
            ),
            "{alerts:?}"
        );
        assert!(
            alerts[0].index >= 250 && alerts[0].index < 262,
            "{alerts:?}"
        );
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        assert_eq!(alerts[1].index, 400);
        assert!((alerts[1].baseline - 51.3).abs() < 0.2, "{alerts:?}");
    }

    #[test]
    fn clean_noise_raises_nothing() {
        let mut d = AnomalyDetector::new(config()).unwrap();
        let alerts = (0..5000u64)
            .filter_map(|i| d.push(50.0 + noise(i)).unwrap())
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
            season: None,
            ..AnomalyConfig::default()
        })
        .unwrap();
        let alerts: Vec<u64> = (0..1000u64)
            .filter_map(|i| {
                // A job: the same spike every 100 points, a little smaller each time.
                let job = if i % 100 == 0 && i > 0 {
                    100.0 - (i / 100) as f64
                } else {
                    0.0
                };
                let incident = if i == 950 { 1000.0 } else { 0.0 };
                d.push(50.0 + noise(i) + job + incident)
                    .unwrap()
                    .map(|a| a.index)
            })
            .collect();
        assert_eq!(alerts, [100, 950]);
    }

    #[test]
    fn a_daily_job_is_learned_and_an_off_hours_spike_is_not() {
        // 12 points a day, a job at slot 3 every day, larger than anything else; the record
        // window is shorter than a day's spacing, so only the season can explain it.
        let season = Season {
            period: 12,
            slots: 12,
            days: 3,
        };
        let base = AnomalyConfig {
            baseline: 24,
            short_window: 4,
            warm_up: 24,
            record_window: 8,
            refractory: 4,
            season: Some(season),
            ..AnomalyConfig::default()
        };
        let run = |config: AnomalyConfig| -> Vec<u64> {
            let mut d = AnomalyDetector::new(config).unwrap();
            (0..240u64)
                .filter_map(|i| {
                    // A little smaller each day: each day's job is explained by the day before.
                    let value = match i {
                        200 => 60.0,
                        _ if i % 12 == 3 => 50.0 - (i / 12) as f64 * 0.5,
                        _ => 10.0 + noise(i),
                    };
                    d.push(value).unwrap().map(|a| a.index)
                })
                .collect()
        };
        let with_season = run(base);
        assert!(with_season.contains(&200), "{with_season:?}");
        assert!(
            with_season.iter().all(|i| *i == 200 || *i < 48),
            "{with_season:?}"
        );
        // Without the season, the job is raised again whenever the record has forgotten it.
        let without = run(AnomalyConfig {
            season: None,
            ..base
        });
        assert!(
            without.iter().filter(|i| **i % 12 == 3 && **i > 48).count() > 5,
            "{without:?}"
        );
    }

    #[test]
    fn bad_input_is_typed_and_leaves_the_detector_unchanged() {
        let mut d = AnomalyDetector::new(config()).unwrap();
        assert!(matches!(
            d.push(f64::NAN),
            Err(Error::InvalidValue { index: 0, .. })
        ));
        for bad in [
            AnomalyConfig {
                spike_sigma: 0.0,
                ..config()
            },
            AnomalyConfig {
                short_window: 0,
                ..config()
            },
            AnomalyConfig {
                short_window: 101,
                ..config()
            },
            AnomalyConfig {
                record_window: 0,
                ..config()
            },
            AnomalyConfig {
                season: Some(Season {
                    period: 10,
                    slots: 11,
                    days: 1,
                }),
                ..config()
            },
        ] {
            assert!(AnomalyDetector::new(bad).is_err(), "{bad:?}");
        }
    }

    /// Issue 17: finite values near `f64::MAX` overflowed the median into NaN, after which every
    /// push was refused; and the state changed before the error.
    #[test]
    fn values_near_f64_max_are_refused_without_bricking_the_detector() {
        let mut d = AnomalyDetector::new(config()).unwrap();
        let mut reference = AnomalyDetector::new(config()).unwrap();
        for i in 0..300u64 {
            let v = 50.0 + noise(i);
            assert_eq!(d.push(v).unwrap(), reference.push(v).unwrap());
            if i % 7 == 0 {
                for huge in [f64::MAX, -f64::MAX, 1e300] {
                    let err = d.push(huge).unwrap_err();
                    assert!(
                        matches!(err, Error::InvalidValue { index, .. } if index == i + 1),
                        "{err}"
                    );
                }
            }
        }
        // The refused values changed nothing: both detectors see the same incident alike.
        for i in 300..600u64 {
            let v = if i == 450 { 500.0 } else { 50.0 + noise(i) };
            assert_eq!(d.push(v).unwrap(), reference.push(v).unwrap());
        }
        // The largest accepted magnitudes keep every reading finite.
        let mut edge = AnomalyDetector::new(config()).unwrap();
        for i in 0..400u64 {
            let v = if i % 2 == 0 {
                crate::MAX_MAGNITUDE
            } else {
                -crate::MAX_MAGNITUDE
            };
            if let Some(a) = edge.push(v).unwrap() {
                assert!(a.baseline.is_finite(), "{a:?}");
            }
        }
        assert!(edge.push(1.0).is_ok());
    }
}
