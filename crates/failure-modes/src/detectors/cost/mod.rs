//! F8 cost runaway: daily spend from the month-to-date `EstimatedCharges`, against its
//! trailing trend, with a month-end forecast.

#[cfg(test)]
mod bit_identity;
mod config;
mod input;
mod intraday;
mod judge;
mod month;
mod source;
mod windows;

pub use config::{CostConfig, MAX_ONE_OFF_CHARGES, MAX_ONE_OFF_DESCRIPTION_BYTES};
pub use input::{ChargeSample, OneOffCharge};

use std::collections::VecDeque;

use chrono::{DateTime, Datelike, Months, NaiveDate, TimeDelta, Utc};

use crate::detector::Detector;
use crate::error::{Error, MAX_MAGNITUDE, Result, count, fraction, positive};
use crate::finding::Finding;
use crate::mode::FailureMode;
use crate::stats::{RobustBaseline, TrendForecast};
use intraday::{DayCurve, IntradayProfile};
use windows::{DayCalendar, Recent, WEEKDAY_MEMORY};

/// F8: spend running away from its trend.
///
/// `EstimatedCharges` is cumulative over the calendar month, published a few times a day some
/// hours behind usage. A day's spend is its last reading minus the previous day's last reading
/// (read at midnight on the line to the day's first reading when more than three usual
/// intervals separate them: an evening whose readings were not published).
/// The month's reset is found in the values, not the calendar: the first readings of the 1st
/// may still show the old month's total, and the first drop in the first two days of a month
/// is the reset (the old month's tail and the new month's start both count for that day; a
/// drop by less than the ticket multiple of a usual day that does not land nearer the month's
/// start, nothing or its declared one-off charges, than the last reading may be a late
/// reading, and is held for a reading first: the next one, still below, is the reset); so
/// is, when one-off charges are declared for the month so far, the first reading nearer to
/// them than to the last reading and risen by more than the ticket multiple of a usual day
/// (a charge larger than the whole old month hides the drop). Any other fall is held for one reading: a month-to-date total
/// falls only by a credit or refund, or when a reading is published late and shows an older
/// total than the one before it; so is, within a day after the reset, a reading risen by
/// more than the ticket multiple of a usual day to within a usual day of the old month's
/// total (the old month published late). The next reading is taken whatever it shows: back
/// in line, the held one was late and is passed over (read as spend, the hours it hid would
/// fall into the next stretch and make it look twice its usual, or the old month would read
/// as a day's spend); still below, the fall was a credit, read with it and not as spend: the
/// day is floored at zero. Two such readings in a row are not told apart: the second is
/// taken. A day whose opening is unknown — the first day seen (unless it opens with the
/// reset), or a day after a day without readings — is neither judged nor learned. Declared
/// [`OneOffCharge`]s are taken out of their day.
///
/// The trend is a Theil–Sen line over the last [`CostConfig::trailing_days`] completed days,
/// extrapolated to today and never below their median, with the weekly pattern taken out
/// (each weekday's usual spend against the trend, the median of its last four such days).
/// Like is compared with like: today's spend so far with the part of a usual such weekday the
/// readings should show by now, and the spend of the last 24 hours (read on the readings made
/// one continuous series across month resets) with a day of the same weekdays, so that an
/// incident straddling midnight is seen whole. What a reading shows
/// at each time of day (the share of a day's spend, given the publication lag and the daily
/// pattern) is learned from the previous days' readings ([`CostConfig::publish_lag`] stands in
/// for the first three days), and today is judged once that share reaches
/// [`CostConfig::min_share`]. At [`CostConfig::ticket_multiple`] × a warning and at
/// [`CostConfig::page_multiple`] × a runaway, each within [`CostConfig::tolerance`]; each once
/// per runaway (again only after a reading back under it), and a reported day is not
/// learned. The evidence gives the month-end forecast. Score: multiple of the trend.
///
/// Signal: `AWS/Billing` `EstimatedCharges`, dimension `Currency`, `Maximum`, 6 h — published
/// in us-east-1 only, a few times a day, when billing alerts are enabled. State: two weeks of
/// daily totals, their pairwise slopes and hourly shares, four weeks of weekday ratios (about
/// 8 KiB with the default 14 trailing days; the slopes, and the buffer their median is
/// selected in, grow as the square of [`CostConfig::trailing_days`], 8 MiB at its bound of
/// [`MAX_THEIL_SEN`](crate::stats::MAX_THEIL_SEN)), the readings of the last 24 hours and the
/// one just before them (56 bytes each, at most 2,160 of them: 1.4 KiB at hourly readings,
/// 118 KiB at one a minute), and the declared one-off charges (at most
/// [`MAX_ONE_OFF_CHARGES`]).
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{ChargeSample, CostRunaway, Detector};
///
/// let mut f8 = CostRunaway::new("USD", Default::default())?;
/// let start = Utc.with_ymd_and_hms(2026, 10, 20, 0, 0, 0).unwrap();
/// let mut total = 0.0;
/// let mut samples = Vec::new();
/// for hour in 0..24 * 20 {
///     let at = start + Duration::hours(hour);
///     if at.format("%d").to_string() == "01" && at.format("%H").to_string() == "00" { total = 0.0; }
///     let day = hour / 24;
///     total += if day == 17 { 40.0 } else { 4.0 }; // 96 a day, then a runaway job
///     samples.push(ChargeSample { at, estimated_charges: total });
/// }
/// let findings = f8.detect(samples)?;
/// // Nov 6: a ticket as soon as the readings show a quarter of a day at more than twice the
/// // trend (00:00, the runaway's first hour in), a page when they show ten times (05:00).
/// assert_eq!(findings.len(), 2);
/// assert_eq!(findings[0].end, Utc.with_ymd_and_hms(2026, 11, 6, 0, 0, 0).unwrap());
/// assert_eq!(findings[1].end, Utc.with_ymd_and_hms(2026, 11, 6, 5, 0, 0).unwrap());
/// assert_eq!(findings[1].severity, failure_modes::Severity::Page);
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CostRunaway {
    currency: String,
    config: CostConfig,
    /// When the latest reading taken was made (one held as out of line with the month is not
    /// taken: see `held_at`).
    last: Option<DateTime<Utc>>,
    day: Option<NaiveDate>,
    /// What the readings of `day` share, worked out once when the day opens (no date
    /// arithmetic per reading).
    calendar: DayCalendar,
    /// Month-to-date at the end of the previous day (0 on the 1st; read at midnight across a
    /// gap, see `close_day`), less the old month's total once the reset has been seen during
    /// the day.
    day_opening: f64,
    /// Latest month-to-date reading taken (one held as out of line with the month is not).
    month_to_date: f64,
    /// When the latest reading was made, if it was held (a fall, or the old month's total
    /// after the reset): the next reading is taken whatever it shows.
    held_at: Option<DateTime<Utc>>,
    /// The old month's total and when the reset was read, for a day after it: a reading back
    /// near that total was published late (readings are published less than a day behind).
    old_month_total: Option<(f64, DateTime<Utc>)>,
    trend: TrendForecast,
    median: RobustBaseline,
    profile: IntradayProfile,
    curve: DayCurve,
    days: usize,
    reported: [bool; 2],
    /// Per severity, `true` once a reading has been under its multiple since it was last
    /// reported: a runaway that goes on is reported once, not each day.
    cleared: [bool; 2],
    /// Expected spend per day, from the completed days.
    expected_daily: Option<f64>,
    /// `false` when today's opening is unknown.
    judged_today: bool,
    /// `true` once the reset has been seen in the current month's first days.
    reset_seen: bool,
    /// Spend of the months before the current one, and of declared one-off charges of the days
    /// before today: what makes the readings one continuous cumulative series.
    carried: f64,
    one_offs_past: f64,
    /// Recent readings on that continuous series, for the spend of the last 24 hours.
    recent: VecDeque<Recent>,
    /// The shortest interval between two readings so far, in seconds: a bound under the
    /// recent readings' median interval, so that an ordinary midnight skips working it out.
    shortest_interval: f64,
    /// Per weekday (Monday first), its last days' spend relative to the trend, and the factor
    /// they make (their median once there are two, else 1; recomputed when a day closes).
    weekdays: [VecDeque<f64>; 7],
    factors: [f64; 7],
    one_offs: Vec<OneOffCharge>,
    /// The one-off charges declared for this month's days already closed.
    declared_this_month: f64,
    /// The one-off charges declared for the day before, which its readings never showed
    /// (published more than a day behind): they are due in today's readings instead.
    one_off_late: f64,
}

impl CostRunaway {
    /// A detector for the account's charges in `currency` (the `Currency` dimension, e.g.
    /// `"USD"`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for multiples, spend or shares that are not positive, a
    /// `ticket_multiple` below 1 or above `page_multiple`, or fewer than 2 trailing days;
    /// [`Error::Query`] for a currency CloudWatch would refuse as a dimension value (empty,
    /// blank, not ASCII, control characters, past 1,024 characters).
    pub fn new(currency: &str, config: CostConfig) -> Result<Self> {
        // Checked now, as the other detectors' names are: found only when the query was
        // built, a bad currency reached a push-only caller's findings.
        aws_telemetry::Dimension::new("Currency", currency)?;
        // A multiple of the trend below 1 would flag ordinary days (spend at its trend).
        if !(config.ticket_multiple.is_finite() && config.ticket_multiple >= 1.0) {
            return Err(Error::InvalidConfig {
                field: "ticket_multiple",
                value: config.ticket_multiple,
                reason: "must be at least 1 (a multiple of the trend) and finite",
            });
        }
        positive("page_multiple", config.page_multiple)?;
        crate::error::ticket_not_above_page(
            "ticket_multiple",
            config.ticket_multiple,
            config.page_multiple,
            "must not be above page_multiple",
        )?;
        positive("min_daily_spend", config.min_daily_spend)?;
        // A floor past the charges' own range would make the month-end forecast (the floor
        // times the days left) infinite.
        if config.min_daily_spend > MAX_MAGNITUDE {
            return Err(Error::InvalidConfig {
                field: "min_daily_spend",
                value: config.min_daily_spend,
                reason: "must be within 2^360, the range of the charges it floors",
            });
        }
        fraction("min_share", config.min_share)?;
        if !(0.0..0.5).contains(&config.tolerance) {
            return Err(Error::InvalidConfig {
                field: "tolerance",
                value: config.tolerance,
                reason: "must be within [0, 0.5)",
            });
        }
        if config.publish_lag < TimeDelta::zero() || config.publish_lag >= TimeDelta::days(1) {
            return Err(Error::InvalidConfig {
                field: "publish_lag",
                value: config.publish_lag.as_seconds_f64(),
                reason: "must be within [0, 1 day)",
            });
        }
        Ok(Self {
            currency: currency.to_owned(),
            // Named as the caller set it: the parts' own parameter is their "capacity".
            trend: TrendForecast::new(config.trailing_days)
                .map_err(|e| e.in_field("trailing_days", config.trailing_days as f64))?,
            median: RobustBaseline::new(config.trailing_days)
                .map_err(|e| e.in_field("trailing_days", config.trailing_days as f64))?,
            profile: IntradayProfile::new(config.trailing_days, config.publish_lag),
            curve: DayCurve::default(),
            config,
            last: None,
            held_at: None,
            old_month_total: None,
            day: None,
            calendar: DayCalendar::default(),
            day_opening: 0.0,
            month_to_date: 0.0,
            days: 0,
            reported: [false; 2],
            cleared: [true; 2],
            judged_today: true,
            expected_daily: None,
            reset_seen: false,
            carried: 0.0,
            one_offs_past: 0.0,
            recent: VecDeque::new(),
            shortest_interval: f64::INFINITY,
            weekdays: Default::default(),
            factors: [1.0; 7],
            one_offs: Vec::new(),
            declared_this_month: 0.0,
            one_off_late: 0.0,
        })
    }

    /// Declares a one-off charge: its amount is taken out of its day's spend.
    ///
    /// # Errors
    /// [`Error::OneOffCharge`] naming the charge for an amount that is not finite and positive
    /// or is past [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE) (2^360, the readings' bound),
    /// a day already judged (before the latest reading's day), a day more than a year after it
    /// (a wrong year: [`run`](crate::run) refuses such a charge on a detector that has read
    /// nothing yet, before it reads anything), a description longer than
    /// [`MAX_ONE_OFF_DESCRIPTION_BYTES`] (named by its first 64 characters), or more than
    /// [`MAX_ONE_OFF_CHARGES`] declared.
    ///
    /// # Example
    /// ```
    /// use failure_modes::chrono::NaiveDate;
    /// use failure_modes::{CostRunaway, OneOffCharge};
    ///
    /// let mut f8 = CostRunaway::new("USD", Default::default())?;
    /// f8.declare(OneOffCharge {
    ///     day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
    ///     amount: 15_000.0,
    ///     description: "Enterprise support, annual".into(),
    /// })?;
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn declare(&mut self, charge: OneOffCharge) -> Result<()> {
        let length = charge.description.len();
        if length > MAX_ONE_OFF_DESCRIPTION_BYTES {
            return Err(Error::OneOffCharge {
                description: charge.description.chars().take(64).chain(['…']).collect(),
                day: charge.day,
                reason: format!(
                    "has a description of {length} bytes, longer than \
                     MAX_ONE_OFF_DESCRIPTION_BYTES ({MAX_ONE_OFF_DESCRIPTION_BYTES})"
                ),
            });
        }
        let reason = if !(charge.amount.is_finite() && charge.amount > 0.0) {
            Some(format!(
                "amount {} must be positive and finite",
                sli_core::ExactValue(charge.amount)
            ))
        } else if charge.amount > MAX_MAGNITUDE {
            // Taken out of the readings, which are refused past it: two one-offs of 1e308 on
            // a day summed to infinity.
            Some(format!(
                "amount {} must be within 2^360, the range of the charges it is taken from",
                sli_core::ExactValue(charge.amount)
            ))
        } else if self.day.is_some_and(|day| charge.day < day) {
            Some(format!(
                "is dated {}, before {} (days already judged)",
                charge.day,
                self.day.map(|d| d.to_string()).unwrap_or_default()
            ))
        } else if let Some(day) = self.day
            && day
                .checked_add_days(chrono::Days::new(366))
                .is_some_and(|far| charge.day > far)
        {
            Some(format!(
                "is dated {}, more than a year after the last day read ({day}): a wrong year?",
                charge.day
            ))
        } else if self.one_offs.len() >= MAX_ONE_OFF_CHARGES {
            Some(format!(
                "more than {MAX_ONE_OFF_CHARGES} one-off charges declared"
            ))
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(Error::OneOffCharge {
                description: charge.description,
                day: charge.day,
                reason,
            });
        }
        let today = self.day == Some(charge.day);
        self.one_offs.push(charge);
        if today {
            self.calendar.one_off = self.one_off_on(self.calendar.date);
        }
        Ok(())
    }

    /// The declared one-off charges still to come or of today.
    pub fn one_off_charges(&self) -> &[OneOffCharge] {
        &self.one_offs
    }

    /// The time of the latest reading, taken or held.
    pub(super) fn latest(&self) -> Option<DateTime<Utc>> {
        self.held_at.or(self.last)
    }

    /// Expected spend for the next day: the trend, floored at the trailing median. Computed
    /// when a day closes, as nothing it depends on changes in between.
    fn compute_expected_daily(&self) -> Option<f64> {
        let median = self.median.median()?;
        let trend = self
            .trend
            .line()
            .map_or(median, |(level, slope)| level + slope);
        Some(trend.max(median).max(self.config.min_daily_spend))
    }

    /// Month-to-date plus the expected spend of each remaining day of the month, after the
    /// latest reading taken (a reading held as out of line with the month is not, until the
    /// next shows it was in line); `None` before the first completed day.
    pub fn month_end_forecast(&self) -> Option<f64> {
        let (last, expected) = (self.last?, self.expected_daily?);
        let today_spent = (self.month_to_date - self.day_opening).max(0.0);
        let remaining_today = (expected - today_spent).max(0.0);
        Some(self.month_to_date.max(0.0) + remaining_today + expected * remaining_days(last) as f64)
    }

    /// The declared one-off charges the readings of the day show so far: each part once the
    /// day has added at least that much (a reading before a charge lands does not include
    /// it, and taking it out of such readings would hide the day's spend). The charges of the
    /// day before that its readings never showed come first (they were due earlier), then the
    /// day's own.
    fn shown_one_offs(&self) -> f64 {
        let rise = self.month_to_date - self.day_opening;
        let (late, own) = (self.calendar.one_off_late, self.calendar.one_off);
        if rise < late {
            return 0.0;
        }
        if rise >= late + own { late + own } else { late }
    }

    /// The spend so far of the day being read, less its one-off charges once they show.
    fn spent_today(&self) -> f64 {
        (self.month_to_date - self.day_opening - self.shown_one_offs()).max(0.0)
    }

    /// Closes the previous day `day` and opens `date`.
    fn close_day(
        &mut self,
        day: NaiveDate,
        date: NaiveDate,
        at: DateTime<Utc>,
        charges: f64,
    ) -> Result<()> {
        // Only whole days teach the baseline: not the first day seen, nor one after a day
        // without readings, nor a day reported as a runaway.
        if self.judged_today {
            // Within the charges' range: each reading is, but a day across the reset can
            // hold two months' totals, and a refusal here would come back at every later
            // reading (the day never closes). No bill comes near 2^360.
            let spent = self.spent_today().min(MAX_MAGNITUDE);
            self.profile.learn(&self.curve, spent);
            if self.reported == [false; 2] {
                // The trend follows days with the weekly pattern taken out; the pattern is
                // each weekday's spend relative to the trend it had when it closed.
                let weekday = day.weekday().num_days_from_monday() as usize;
                let factor = self.weekday_factor(day);
                if let Some(expected) = self.expected_daily {
                    let ratios = &mut self.weekdays[weekday];
                    if ratios.len() == WEEKDAY_MEMORY {
                        ratios.pop_front();
                    }
                    ratios.push_back(spent / expected);
                    if ratios.len() >= 2 {
                        let mut scratch = [0.0; WEEKDAY_MEMORY];
                        let n = ratios.len().min(WEEKDAY_MEMORY);
                        for (slot, ratio) in scratch.iter_mut().zip(ratios.iter()) {
                            *slot = *ratio;
                        }
                        self.factors[weekday] =
                            crate::stats::median_by_selection(&mut scratch[..n])
                                .unwrap_or(1.0)
                                .clamp(0.2, 5.0);
                    }
                }
                // A weekday factor under 1 could carry the spend past the range.
                let learned = (spent / factor).min(MAX_MAGNITUDE);
                self.trend.push(learned)?;
                self.median.push(learned)?;
                self.expected_daily = self.compute_expected_daily();
            }
            self.days += 1;
        }
        let shown = self.shown_one_offs();
        self.one_offs_past += shown;
        // A charge of this day that its readings never showed is in the next day's instead
        // (more than a day of publication lag: the 1st's fee first shows with the reset on
        // the 2nd). Carried one day only: one that never shows is not taken out of a later
        // runaway.
        let own = self.calendar.one_off;
        let own_shown = self.month_to_date - self.day_opening >= self.calendar.one_off_late + own;
        self.one_off_late = if !own_shown && (date - day).num_days() == 1 {
            own
        } else {
            0.0
        };
        // What this month has declared so far, for the reset that may first show on its 2nd.
        self.declared_this_month = self.declared_once_open(day, date);
        self.one_offs.retain(|c| c.day >= date);
        self.reported = [false; 2];
        // The opening is the last reading before midnight. When it came more than three usual
        // intervals before this one (three readings or more missing in a row, past the hours
        // by which billing publication moves), today's spend would hold the rest of
        // yesterday's (the sixth blind game day: a flat account ticketed at 1.92x after an
        // evening without readings): the opening is then read at midnight on the line from
        // that reading to this one, as the last day's window reads a day ago. Not across the
        // month's reset, which this reading may be (the 1st, and the 2nd before the reset
        // was seen). A declared charge due today (yesterday's not yet shown, or today's) that
        // this reading shows is not on the line: spread over both days, neither would take it
        // out (a review: 21.8x); it stays in today's spend, which takes it out.
        self.day_opening = self.month_to_date;
        let reset_passed = date.day() > 2 || (date.day() == 2 && self.reset_seen);
        if let Some(last) = self.last
            && self.gap_is_unusual((at - last).as_seconds_f64(), 3.0)
            && reset_passed
            && charges >= self.month_to_date
        {
            let midnight = date.and_hms_opt(0, 0, 0).map_or(at, |d| d.and_utc());
            let part = (midnight - last).as_seconds_f64() / (at - last).as_seconds_f64();
            let rise = charges - self.month_to_date;
            let due = self.one_off_late + self.one_off_on(date);
            let spend = if due > 0.0 && rise >= due {
                rise - due
            } else {
                rise
            };
            self.day_opening += spend * part.clamp(0.0, 1.0);
        }
        self.curve.reopen(date, self.last);
        self.judged_today = (date - day).num_days() == 1;
        Ok(())
    }
}

/// Whole days after `at`'s day until the end of its month.
fn remaining_days(at: DateTime<Utc>) -> i64 {
    let date = at.date_naive();
    let first = date.with_day(1).unwrap_or(date);
    first
        .checked_add_months(Months::new(1))
        .map_or(0, |next| (next - date).num_days() - 1)
}

impl Detector for CostRunaway {
    type Input = ChargeSample;

    fn mode(&self) -> FailureMode {
        FailureMode::CostRunaway
    }

    fn push(&mut self, sample: ChargeSample) -> Result<Vec<Finding>> {
        let at = sample.at;
        let charges = count("estimated_charges", sample.estimated_charges, at)?;
        if let Some(previous) = self.latest()
            && at <= previous
        {
            return Err(Error::OutOfOrder { previous, at });
        }
        // Calendar facts change only with the day: worked out at its first reading.
        let (number, since_epoch, seconds) = self.place(at);
        let new_day = self.day.is_none() || number != self.calendar.number;
        // A reading out of line with the month — a fall that is not the month's reset, or
        // the old month's total back after it — is held for one reading before it moves
        // anything (a day it would open is opened by the next reading taken, so an evening
        // without readings is still read across). The next reading is taken whatever it
        // shows: back in line, the held one was published late and is passed over; still
        // below, the fall was a credit, read with it (month-to-date totals lose nothing when
        // one is passed over).
        // (Only a fall, or a reading while the old month's total is remembered, can be.)
        let may_be_out_of_line = charges < self.month_to_date || self.old_month_total.is_some();
        if may_be_out_of_line && self.held_at.is_none() && self.out_of_line(charges, at, new_day) {
            self.held_at = Some(at);
            return Ok(Vec::new());
        }
        self.held_at = None;
        if new_day {
            let date = at.date_naive();
            match self.day {
                Some(day) => self.close_day(day, date, at, charges)?,
                None => {
                    // The first reading: today's opening is known only if it is the month's
                    // start.
                    self.judged_today = date.day() == 1;
                    self.curve.reopen(date, None);
                }
            }
            self.calendar = self.calendar(date, number, at);
            if self.opens_month(date) {
                self.old_month_total = None;
                if date.day() <= 2 {
                    self.reset_seen = false;
                }
            }
        }
        let date = self.calendar.date;
        let day_of_month = self.calendar.day_of_month;
        if day_of_month <= 2 && !self.reset_seen && self.is_reset(charges, date) {
            // The reset: the old month ended at the last reading, the new one starts from 0.
            // What today spent of the old month stays in today's spend.
            self.day_opening -= self.month_to_date;
            self.carried += self.month_to_date;
            self.old_month_total = Some((self.month_to_date, at));
            self.reset_seen = true;
        } else if day_of_month == 1 && self.day.is_none() {
            self.reset_seen = true;
        }
        if day_of_month > 2 {
            self.reset_seen = true;
        }
        if self
            .old_month_total
            .is_some_and(|(_, reset)| at - reset >= TimeDelta::days(1))
        {
            self.old_month_total = None;
        }
        self.day = Some(date);
        self.last = Some(at);
        self.month_to_date = charges;
        let share = self.profile.share_at(seconds);
        let spent_today = self.spent_today();
        self.curve.record(seconds, spent_today);
        let last_day = self.spend_last_day(at, since_epoch, charges, share);
        Ok(self.judge(at, charges, share, spent_today, last_day))
    }
}
