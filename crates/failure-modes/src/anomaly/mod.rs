//! [`AnomalyDetector`]: the generic streaming detector for one metric: spikes and sustained
//! level shifts, each raised only when it is the most surprising thing the series has done in
//! a week and not something it does every day at that hour, with a fast re-baselining after a
//! confirmed level shift.

use crate::error::{Error, Result};

#[cfg(test)]
mod bit_identity;
mod detector;
mod profile;
mod records;
#[cfg(test)]
mod tests;
mod timed;

pub use detector::{Anomaly, AnomalyDetector, AnomalyKind};
pub use timed::{TimedAnomaly, TimedAnomalyDetector};

/// Settings of [`AnomalyDetector`], in points of the series (the defaults are for 5-minute
/// CloudWatch data: 12 points an hour, 288 a day).
///
/// Start from [`AnomalyConfig::default`] (or [`AnomalyConfig::for_period`] for another
/// period, or [`AnomalyConfig::median_mad`] for the plain trailing median/MAD z-score) and
/// change what you need with the `with_*` setters; each getter documents its setting. Values are
/// checked by [`AnomalyDetector::new`].
///
/// Every window length is a calendar span chosen a priori (an hour, half a day, a day, a week).
/// The defaults are what the cross-validated model selection on real labelled CloudWatch series
/// picks (`examples/nab_eval.rs --cv`: the detector family by its cross-validated score on the
/// training files, then `spike_sigma`, `shift_sigma` and `record_window` on the training files
/// only; figures in `docs/detectors.md`).
///
/// # Example
/// ```
/// use failure_modes::{AnomalyConfig, AnomalyDetector};
///
/// // One-minute data, and a spike must be six robust σ out.
/// let config = AnomalyConfig::for_period(60)?.with_spike_sigma(6.0);
/// assert_eq!(config.baseline(), 1440);
/// let detector = AnomalyDetector::new(config)?;
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct AnomalyConfig {
    baseline: usize,
    short_window: usize,
    warm_up: usize,
    rewarm: usize,
    spike_sigma: f64,
    shift_sigma: Option<f64>,
    record_window: Option<usize>,
    record_kind: RecordKind,
    spread: Spread,
    refractory: usize,
    season: Option<Season>,
}

crate::settings::settings!(AnomalyConfig {
    /// Values in the trailing baseline (median and spread): 288 = one day of 5-minute points,
    /// so a daily cycle is inside the baseline's spread rather than an anomaly.
    baseline, with_baseline: usize;
    /// Values in the short window whose median is compared with the baseline to see a level
    /// shift: 12 = one hour, long enough that one wild point is not a shift, short enough to
    /// report it early. Records are also kept per short window (see `record_window`).
    short_window, with_short_window: usize;
    /// Values seen before anything is judged: half a baseline, so the median and the spread
    /// mean something.
    warm_up, with_warm_up: usize;
    /// Values seen after a level shift before anything is judged again (against a baseline of
    /// only post-shift values): 24 = two hours.
    rewarm, with_rewarm: usize;
    /// A point must lie this many robust σ from the baseline median to be a spike: 3 (chosen
    /// on training folds). With a record rule this is only a floor; what makes a spike is
    /// beating the record.
    spike_sigma, with_spike_sigma: f64;
    /// The short window's median must lie this many standard errors (robust σ × 1.25 / √n, the
    /// standard error of a median of `n` normal values) from the baseline median to be a
    /// level shift: 2 (chosen on training folds). `None`: no level shifts, spikes only.
    shift_sigma, with_shift_sigma: Option<f64>;
    /// Span of the record a spike or a shift must beat: 2016 = one week (chosen on training
    /// folds among 3.5 days, a week and two weeks). Every series has its own usual excursions
    /// (a nightly batch job, a bursty disk); only something more surprising than anything of
    /// the last week is raised, which adapts the threshold to each series' tails without a
    /// distributional assumption, while old incidents age out. `None`: no record rule (the
    /// plain z-score).
    record_window, with_record_window: Option<usize>;
    /// What the record compares: surprises (robust z-scores, the default) or values.
    record_kind, with_record_kind: RecordKind;
    /// How the robust σ is estimated from the baseline.
    spread, with_spread: Spread;
    /// Points after an alert during which no other alert is raised: 288, one day (one
    /// incident, one alert).
    refractory, with_refractory: usize;
    /// Learned daily seasonality (and weekly, with [`Season::with_weeks`]), or `None` for a
    /// series without one.
    season, with_season: Option<Season>;
});

/// What the record of [`AnomalyConfig::record_window`] holds: what a spike or a shift must
/// beat to be raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordKind {
    /// The largest robust z-score (and level-shift score) of the record window: a spike must
    /// be the most surprising point of the week, judged against the spread of its own day.
    Surprise,
    /// The extreme values of the record window, in the spike's direction: a spike up must be
    /// above every value of the week, a spike down below every one (and a shift's short
    /// median beyond every short median of the week).
    Value,
}

/// How [`AnomalyDetector`] estimates the spread (a robust σ) of its baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Spread {
    /// `1.4826 × MAD`: the classic robust σ. Zero for a metric flat most of the time.
    Mad,
    /// The larger of `1.4826 × MAD` and `1.2533 × mean absolute deviation` (see
    /// [`RobustBaseline::spread`](crate::stats::RobustBaseline::spread)): stays positive for a disk idle most of the time.
    MadOrMeanDeviation,
}

/// The seasonality [`AnomalyDetector`] learns: a spike is not raised when the series made one at
/// least as large at about the same time of day on one of the previous `days` days (a nightly
/// backup, a daily report), or on the same day of the week in one of the previous `weeks` weeks
/// (a Sunday backup, a Monday-morning batch).
///
/// Days are counted from the detector's first point: day 7 is day 0's weekday.
///
/// # Example
/// ```
/// use failure_modes::Season;
///
/// // Hourly slots of a day of 5-minute points, a week of days remembered.
/// assert_eq!(Season::default(), Season::new(288, 24, 7));
/// // Each day of the week remembered for four weeks as well.
/// assert_eq!(Season::default().with_weeks(4).weeks(), 4);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Season {
    period: usize,
    slots: usize,
    days: usize,
    weeks: usize,
}

impl Season {
    /// A season of `period` points a day, cut into `slots` slots, remembered for `days` days,
    /// and no weeks (see [`with_weeks`](Self::with_weeks)). Checked by
    /// [`AnomalyDetector::new`]: each at least 1, no more slots than points, a day of at most
    /// [`MAX_WINDOW`](crate::stats::MAX_WINDOW) points (a week of one-second points), and at
    /// most `MAX_WINDOW` slots remembered.
    #[must_use]
    pub const fn new(period: usize, slots: usize, days: usize) -> Self {
        Self {
            period,
            slots,
            days,
            weeks: 0,
        }
    }

    /// The same season remembering each day of the week for `weeks` weeks as well: a spike is
    /// also compared with the same slots (and their neighbours) 7, 14, … days before. 0 (the
    /// default): daily seasonality only, which with 7 days already covers the same weekday a
    /// week before. It costs nothing per point (the ring of completed days is kept longer).
    ///
    /// Not on by default: on real CloudWatch series (NAB's twelve, each gone round to eight
    /// weeks, with a weekly hour-long job added) it raised more alerts in weeks 3–8 than the
    /// daily season alone (96 against 71), because a spike it explains starts no refractory
    /// period, and a level shift the period would have swallowed is then confirmed and restarts
    /// the records (`docs/detectors.md`).
    #[must_use]
    pub const fn with_weeks(mut self, weeks: usize) -> Self {
        self.weeks = weeks;
        self
    }

    /// Weeks each day of the week is remembered beyond the days (0 by default).
    #[must_use]
    pub const fn weeks(&self) -> usize {
        self.weeks
    }

    /// Points in a day (288 for 5-minute data, 1440 for 1-minute data).
    #[must_use]
    pub const fn period(&self) -> usize {
        self.period
    }

    /// Slots a day is cut into (24: hours); a spike is compared with the same slot and its two
    /// neighbours, so a job that drifts by up to a slot is still recognised.
    #[must_use]
    pub const fn slots(&self) -> usize {
        self.slots
    }

    /// Days remembered (7: a week).
    #[must_use]
    pub const fn days(&self) -> usize {
        self.days
    }
}

impl Default for Season {
    fn default() -> Self {
        Self::new(288, 24, 7)
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
            shift_sigma: Some(2.0),
            record_window: Some(2016),
            record_kind: RecordKind::Surprise,
            spread: Spread::MadOrMeanDeviation,
            refractory: 288,
            season: Some(Season::default()),
        }
    }
}

impl AnomalyConfig {
    /// The plain trailing median/MAD z-score: a point `sigma` robust σ (`1.4826 × MAD`) from
    /// the median of the last `baseline` points is an anomaly, then nothing for `cooldown`
    /// points. No level shifts, no record, no seasons: the simplest robust detector, and one of
    /// the candidates the model selection compares (`docs/detectors.md`).
    ///
    /// # Example
    /// ```
    /// use failure_modes::{AnomalyConfig, AnomalyDetector};
    ///
    /// // A day of 5-minute points, 5 σ, one alert per 12 hours at most.
    /// let mut detector = AnomalyDetector::new(AnomalyConfig::median_mad(288, 5.0, 144))?;
    /// let flagged = (0..400u64)
    ///     .filter_map(|i| detector.push(if i == 300 { 90.0 } else { 40.0 + (i % 7) as f64 }).transpose())
    ///     .collect::<Result<Vec<_>, _>>()?;
    /// assert_eq!(flagged.len(), 1);
    /// assert_eq!(flagged[0].index, 300);
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    #[must_use]
    pub fn median_mad(baseline: usize, sigma: f64, cooldown: usize) -> Self {
        Self {
            baseline,
            warm_up: baseline / 2,
            spike_sigma: sigma,
            shift_sigma: None,
            record_window: None,
            spread: Spread::Mad,
            refractory: cooldown,
            season: None,
            ..Self::default()
        }
    }

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
    /// assert_eq!((minutely.short_window(), minutely.baseline()), (60, 1440));
    /// assert_eq!(minutely.season().map(|s| s.period()), Some(1440));
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
            record_window: Some(points(7 * 86_400)),
            refractory: day,
            season: Some(Season {
                period: day,
                ..Season::default()
            }),
            ..Self::default()
        })
    }
}

/// Beyond this a robust z says only "never seen": a spread floored at `f64::MIN_POSITIVE`
/// (a metric flat at zero so far) would otherwise make the first non-zero value infinite.
const MAX_Z: f64 = 1e12;
