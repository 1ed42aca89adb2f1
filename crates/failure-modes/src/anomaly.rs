//! [`AnomalyDetector`]: the generic streaming detector for one metric: spikes and sustained
//! level shifts, each raised only when it is the most surprising thing the series has done in
//! a week and not something it does every day at that hour, with a fast re-baselining after a
//! confirmed level shift.

use crate::error::{Error, Result, finite};
use crate::stats::{Direction, MAD_TO_SIGMA, RobustBaseline, RollingMax};

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
    /// Learned daily seasonality, or `None` for a series without one.
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
    /// [`RobustBaseline::spread`]): stays positive for a disk idle most of the time.
    MadOrMeanDeviation,
}

/// The daily seasonality [`AnomalyDetector`] learns: a spike is not raised when the series made
/// one at least as large at about the same time of day on one of the previous `days` days (a
/// nightly backup, a daily report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Season {
    period: usize,
    slots: usize,
    days: usize,
}

impl Season {
    /// A season of `period` points a day, cut into `slots` slots, remembered for `days` days.
    /// Checked by [`AnomalyDetector::new`]: each at least 1, and no more slots than points.
    #[must_use]
    pub const fn new(period: usize, slots: usize, days: usize) -> Self {
        Self {
            period,
            slots,
            days,
        }
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
    /// points. No level shifts, no record, no season: the simplest robust detector, and one of
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
            self.arrival.push_back(value);
            crate::stats::replace_in_short_sorted(&mut self.sorted, old, value);
            return;
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
            current: f64::NEG_INFINITY,
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
        if self.current > f64::NEG_INFINITY {
            self.blocks.push(self.current)?;
        }
        self.current = f64::NEG_INFINITY;
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
    /// The next point's slot, kept up to date as points are recorded in order so that the
    /// common case needs no integer division (two of them a point otherwise).
    cursor: SlotCursor,
}

/// Where point `index` falls in the day, advanced one point at a time: its slot
/// `(index mod period) × slots / period` and whether it closes the day, with additions only.
#[derive(Debug, Clone)]
struct SlotCursor {
    index: u64,
    /// `index mod period`.
    in_day: u64,
    /// `in_day × slots`.
    scaled: u64,
    slot: usize,
    /// `(slot + 1) × period`: `scaled` at or beyond it moves to the next slot.
    next_slot_at: u64,
}

impl SlotCursor {
    fn new(period: u64) -> Self {
        Self {
            index: 0,
            in_day: 0,
            scaled: 0,
            slot: 0,
            next_slot_at: period,
        }
    }

    /// Moves to the next point. `slots <= period`, so a step moves at most one slot on.
    fn advance(&mut self, period: u64, slots: u64) {
        self.index = self.index.saturating_add(1);
        self.in_day += 1;
        if self.in_day == period {
            *self = Self {
                index: self.index,
                ..Self::new(period)
            };
        } else {
            self.scaled += slots;
            if self.scaled >= self.next_slot_at {
                self.slot += 1;
                self.next_slot_at = self.next_slot_at.saturating_add(period);
            }
        }
    }
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
            cursor: SlotCursor::new(season.period as u64),
            season,
        })
    }

    fn slot(&self, index: u64) -> usize {
        if index == self.cursor.index {
            return self.cursor.slot;
        }
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
        let period = self.season.period as u64;
        let closes_day = if index == self.cursor.index {
            self.cursor.in_day + 1 == period
        } else {
            (index + 1).is_multiple_of(period)
        };
        if index == self.cursor.index {
            self.cursor.advance(period, self.season.slots as u64);
        }
        if closes_day {
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
/// front: `2 × baseline + 2 × short_window` values, the records (one entry per short window
/// of the record window, at most four of them) and `slots × (days + 2)` values for the season:
/// about 11 KiB with the defaults.
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
}

/// The records of [`AnomalyConfig::record_window`]: for [`RecordKind::Surprise`] the largest
/// |z| of spikes and shifts (`up` only); for [`RecordKind::Value`] the largest values (`up`)
/// and the largest negated values (`down`) of points and of short-window medians.
#[derive(Debug, Clone)]
struct Records {
    kind: RecordKind,
    block: u64,
    /// Points left before the current block closes (`block` minus the points judged since the
    /// last close): a countdown rather than a division a point.
    until_close: u64,
    spike_up: Record,
    spike_down: Record,
    shift_up: Record,
    shift_down: Record,
}

impl Records {
    fn new(kind: RecordKind, window: usize, block: usize) -> Result<Self> {
        let blocks = window.div_ceil(block);
        Ok(Self {
            kind,
            block: block as u64,
            until_close: block as u64,
            spike_up: Record::new(blocks)?,
            spike_down: Record::new(blocks)?,
            shift_up: Record::new(blocks)?,
            shift_down: Record::new(blocks)?,
        })
    }

    /// Whether a spike (value `value`, score `z`) and a shift (short median `short`, score
    /// `level`) beat their records; then the point joins the records. A record is judged
    /// before the point joins it: it must beat the past, not itself.
    fn judge(
        &mut self,
        value: f64,
        z: f64,
        short: Option<f64>,
        level: f64,
    ) -> Result<(bool, bool)> {
        fn beats(record: &Record, candidate: f64) -> bool {
            record.get().is_some_and(|r| candidate > r)
        }
        let verdict = match self.kind {
            RecordKind::Surprise => {
                let verdict = (
                    beats(&self.spike_up, z.abs()),
                    beats(&self.shift_up, level.abs()),
                );
                self.spike_up.push(z.abs());
                self.shift_up.push(level.abs());
                verdict
            }
            RecordKind::Value => {
                let spike = if z > 0.0 {
                    beats(&self.spike_up, value)
                } else {
                    beats(&self.spike_down, -value)
                };
                let shift = short.is_some_and(|short| {
                    if level > 0.0 {
                        beats(&self.shift_up, short)
                    } else {
                        beats(&self.shift_down, -short)
                    }
                });
                self.spike_up.push(value);
                self.spike_down.push(-value);
                if let Some(short) = short {
                    self.shift_up.push(short);
                    self.shift_down.push(-short);
                }
                (spike, shift)
            }
        };
        self.until_close -= 1;
        if self.until_close == 0 {
            self.until_close = self.block;
            for record in [
                &mut self.spike_up,
                &mut self.spike_down,
                &mut self.shift_up,
                &mut self.shift_down,
            ] {
                record.close_block()?;
            }
        }
        Ok(verdict)
    }
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
        let index = self.seen;
        self.seen += 1;
        if let Some(short) = self.short.as_mut() {
            short.push(value);
        }
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

    /// The robust σ of the baseline, floored so that a flat baseline does not make every
    /// change infinitely surprising.
    fn sigma(&mut self) -> Option<f64> {
        // Read at every point: the MAD's split is remembered from one point to the next.
        let spread = match self.config.spread {
            Spread::Mad => MAD_TO_SIGMA * self.baseline.mad_remembering_split()?,
            Spread::MadOrMeanDeviation => self.baseline.spread_remembering_split()?,
        };
        let floor = 1e-3 * self.baseline.mean_magnitude().unwrap_or(0.0);
        Some(spread.max(floor).max(f64::MIN_POSITIVE))
    }

    /// Judges `value` against the baseline and updates the records; the anomaly, if any and
    /// outside the refractory period.
    fn judge(&mut self, index: u64, value: f64) -> Result<Option<Anomaly>> {
        // Read afresh at every point: reusing them for three points, which would save most of
        // a point's cost, was measured at 60.19 out of sample on NAB against 64.94.
        let (Some(median), Some(sigma)) = (self.baseline.median(), self.sigma()) else {
            return Ok(None);
        };
        let z = ((value - median) / sigma).clamp(-MAX_Z, MAX_Z);
        let short = self
            .short
            .as_ref()
            .filter(|short| short.is_full())
            .and_then(ShortWindow::median);
        let level = short.map_or(0.0, |short| {
            ((short - median) / (self.median_error * sigma)).clamp(-MAX_Z, MAX_Z)
        });
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
                self.baseline.push(value)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> AnomalyConfig {
        AnomalyConfig::default()
            .with_baseline(100)
            .with_warm_up(100)
            .with_refractory(50)
            .with_season(None)
    }

    #[test]
    fn the_slot_cursor_agrees_with_the_division() {
        for (period, slots) in [
            (288, 24),
            (1440, 24),
            (7, 7),
            (7, 3),
            (10, 1),
            (1, 1),
            (5, 4),
        ] {
            let season = Season::new(period, slots, 2);
            let mut profile = DailyProfile::new(season).unwrap();
            for index in 0..(3 * period as u64 + 5) {
                let expected = ((index % period as u64) * slots as u64 / period as u64) as usize;
                assert_eq!(profile.cursor.index, index);
                assert_eq!(profile.slot(index), expected, "{period}/{slots} at {index}");
                assert_eq!(
                    profile.cursor.in_day + 1 == period as u64,
                    (index + 1).is_multiple_of(period as u64)
                );
                profile.record(index, index as f64);
            }
            // Out of order, the division answers.
            assert_eq!(profile.slot(period as u64 - 1), slots - 1);
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
        let mut d = AnomalyDetector::new(
            AnomalyConfig::default()
                .with_baseline(50)
                .with_warm_up(50)
                .with_refractory(10)
                .with_record_window(Some(500))
                .with_season(None),
        )
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
        let season = Season::new(12, 12, 3);
        let base = AnomalyConfig::default()
            .with_baseline(24)
            .with_short_window(4)
            .with_warm_up(24)
            .with_record_window(Some(8))
            .with_refractory(4)
            .with_season(Some(season));
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
        let without = run(base.with_season(None));
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
            config().with_spike_sigma(0.0),
            config().with_shift_sigma(Some(f64::NAN)),
            config().with_short_window(0),
            config().with_short_window(101),
            config().with_record_window(Some(0)),
            config().with_season(Some(Season::new(10, 11, 1))),
        ] {
            assert!(AnomalyDetector::new(bad).is_err(), "{bad:?}");
        }
    }

    /// The plain median/MAD family: no record, no shift, no season; a point 5 σ out is
    /// flagged, then nothing during the cooldown, and again after it.
    #[test]
    fn median_mad_flags_every_outlier_outside_the_cooldown() {
        let mut d = AnomalyDetector::new(AnomalyConfig::median_mad(100, 5.0, 30)).unwrap();
        let alerts: Vec<u64> = (0..400u64)
            .filter_map(|i| {
                let v = if [200, 210, 250].contains(&i) {
                    80.0
                } else {
                    50.0 + noise(i)
                };
                d.push(v).unwrap().map(|a| a.index)
            })
            .collect();
        // 210 falls in the cooldown of 200; 250 does not, and is as large as 200 (no record).
        assert_eq!(alerts, [200, 250]);
    }

    /// Value records: a spike up must beat every value of the record window, however quiet
    /// the day it comes on.
    #[test]
    fn value_records_raise_only_new_extremes() {
        let base = config()
            .with_record_window(Some(600))
            .with_refractory(5)
            .with_shift_sigma(None);
        let run = |config: AnomalyConfig| -> Vec<u64> {
            let mut d = AnomalyDetector::new(config).unwrap();
            (0..900u64)
                .filter_map(|i| {
                    // Noisy at first, then quiet: the burst at 700 is smaller than the one at
                    // 300 but far more surprising against the quiet spread.
                    let noise = if i < 500 { 10.0 * noise(i) } else { noise(i) };
                    let burst = match i {
                        300 => 60.0,
                        700 => 40.0,
                        _ => 0.0,
                    };
                    d.push(50.0 + noise + burst).unwrap().map(|a| a.index)
                })
                .collect()
        };
        let by_value = run(base.with_record_kind(RecordKind::Value));
        assert!(
            by_value.contains(&300) && !by_value.contains(&700),
            "{by_value:?}"
        );
        let by_surprise = run(base.with_record_kind(RecordKind::Surprise));
        assert!(by_surprise.contains(&700), "{by_surprise:?}");
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
