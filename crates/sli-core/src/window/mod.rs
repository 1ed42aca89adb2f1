//! SLO windows: rolling (a fixed span ending now) and calendar-aligned (days, weeks, months,
//! quarters or years in a time zone), and the [`Interval`] a window covers at a given instant.
//!
//! # Time zones
//! A calendar window runs from one local start to the next in its [`Zone`]: UTC, a fixed
//! offset, or an IANA zone with daylight saving time, where a day is 23, 24 or 25 hours as the
//! zone's rules say (`America/New_York` has a 23-hour 10 March 2024 and a 25-hour 3 November
//! 2024). Budgets and attainment use the true length of each window.
//!
//! The IANA database comes from `chrono-tz`, chosen over `jiff` on these grounds:
//! * fit: every instant in this crate's API is a `chrono::DateTime<Utc>`, and `chrono-tz`'s
//!   `Tz` is a `chrono::TimeZone`, so no conversion sits between a window and its callers
//!   (`jiff` has the better API, but would need a `Timestamp` ↔ `DateTime` conversion at every
//!   boundary and a second date-time vocabulary in the public API);
//! * purity and reproducibility: `chrono-tz` compiles the database into the binary, so a
//!   window's bounds do not depend on the machine (`jiff` by default reads the system's
//!   `/usr/share/zoneinfo` at run time: I/O in a crate that promises none, and results that
//!   change with the host's tzdata);
//! * build cost: `chrono-tz` 0.10 ships its tables pre-generated (no build script by default;
//!   its only other dependency is `phf`), measured at about 5 s of CPU in a debug build;
//! * maintenance: both are maintained; `chrono-tz` follows each tzdata release with a new
//!   version, so updating the rules is a dependency bump.
//!
//! A local time that a transition skips (02:30 on a spring-forward day) is read with the
//! offset in force before the gap, and one that occurs twice (01:30 on a fall-back day) as
//! the earlier: the "compatible" disambiguation of RFC 5545 and of ECMAScript Temporal.

use std::fmt;
use std::num::NonZeroU32;

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::span::Span;

mod rfc3339;
mod zone;

pub use rfc3339::{rfc3339_bounds, rfc3339_writable};
pub use zone::Zone;

/// A half-open interval of time `[start, end)`, never empty.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::Interval;
///
/// let t = |h| Utc.with_ymd_and_hms(2024, 5, 1, h, 0, 0).unwrap();
/// let maintenance = Interval::new(t(2), t(4))?;
/// assert!(maintenance.contains(t(2)) && !maintenance.contains(t(4)));
/// assert!(Interval::new(t(4), t(2)).is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawInterval", into = "RawInterval")]
pub struct Interval {
    // Private, so that no path (a struct literal, a field assignment, a document) can make an
    // empty or reversed interval: `new` and serde's `try_from` are the only ways in.
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInterval {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TryFrom<RawInterval> for Interval {
    type Error = Error;
    fn try_from(raw: RawInterval) -> Result<Self> {
        Self::new(raw.start, raw.end)
    }
}

impl From<Interval> for RawInterval {
    fn from(i: Interval) -> Self {
        Self {
            start: i.start,
            end: i.end,
        }
    }
}

impl Interval {
    /// The interval `[start, end)`.
    ///
    /// # Errors
    /// [`Error::InvalidDuration`] when `end <= start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self> {
        if end <= start {
            return Err(Error::InvalidDuration {
                what: "interval",
                seconds: (end - start).num_milliseconds() as f64 / 1000.0,
                reason: "end must be after start",
            });
        }
        Ok(Self { start, end })
    }

    /// The first instant inside the interval.
    pub const fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after the interval.
    pub const fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// `end - start`.
    pub fn length(&self) -> TimeDelta {
        self.end - self.start
    }

    /// `true` when `start <= at < end`.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// `true` when the two intervals share at least one instant.
    pub fn overlaps(&self, other: &Self) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The calendar unit of a calendar-aligned window.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{CalendarPeriod, Window};
///
/// let sunday = Utc.with_ymd_and_hms(2024, 5, 5, 12, 0, 0).unwrap();
/// let week = Window::calendar(CalendarPeriod::Week).containing(sunday)?;
/// assert_eq!(week.start(), Utc.with_ymd_and_hms(2024, 4, 29, 0, 0, 0).unwrap()); // Monday
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CalendarPeriod {
    /// A minute: OpenSLO's `m` on a calendar window (60 seconds from the anchor, whatever the
    /// zone's offset does).
    Minute,
    /// An hour (3,600 seconds from the anchor).
    Hour,
    /// A civil day, midnight to midnight (23 to 25 hours where daylight saving time changes).
    Day,
    /// An ISO week, Monday 00:00 to the next Monday 00:00.
    Week,
    /// A calendar month, the 1st 00:00 to the next 1st 00:00 (28 to 31 days).
    Month,
    /// A calendar quarter: January, April, July or October 1st to the next (90 to 92 days).
    Quarter,
    /// A calendar year, January 1st to the next (365 or 366 days).
    Year,
}

impl CalendarPeriod {
    /// The OpenSLO duration unit: `d`, `w`, `M`, `Q` or `Y`.
    pub const fn unit(self) -> char {
        match self {
            Self::Minute => 'm',
            Self::Hour => 'h',
            Self::Day => 'd',
            Self::Week => 'w',
            Self::Month => 'M',
            Self::Quarter => 'Q',
            Self::Year => 'Y',
        }
    }

    /// Seconds (minutes, hours), whole civil days (days, weeks) or whole months (months,
    /// quarters, years) in one period.
    const fn step(self) -> Step {
        match self {
            Self::Minute => Step::Seconds(60),
            Self::Hour => Step::Seconds(3_600),
            Self::Day => Step::Days(1),
            Self::Week => Step::Days(7),
            Self::Month => Step::Months(1),
            Self::Quarter => Step::Months(3),
            Self::Year => Step::Months(12),
        }
    }
}

#[derive(Clone, Copy)]
enum Step {
    Seconds(u32),
    Days(u32),
    Months(u32),
}

/// A window aligned to the civil calendar of a [`Zone`]: each day, week, month, quarter or
/// year — or each run of `count` of them — from one local start to the next.
///
/// Periods start at local midnight, weeks on Monday, months on the 1st, quarters on January,
/// April, July and October 1st, years on January 1st, unless an `anchor` says otherwise: the
/// local start of one period (OpenSLO's `calendar.startTime`), from which periods follow one
/// another in both directions (a weekly window anchored at Saturday 2022-01-01 12:00 runs
/// Saturday noon to Saturday noon).
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{CalendarPeriod, CalendarWindow, Zone};
///
/// // The New York day of the spring-forward change has 23 hours.
/// let day = CalendarWindow::new(CalendarPeriod::Day, "America/New_York".parse()?);
/// let march_10 = day.containing(Utc.with_ymd_and_hms(2024, 3, 10, 12, 0, 0).unwrap())?;
/// assert_eq!(march_10.start(), Utc.with_ymd_and_hms(2024, 3, 10, 5, 0, 0).unwrap()); // 00:00 EST
/// assert_eq!(march_10.length().num_hours(), 23);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawCalendarWindow", into = "RawCalendarWindow")]
#[non_exhaustive]
pub struct CalendarWindow {
    /// The calendar unit.
    pub period: CalendarPeriod,
    /// How many units one window spans (`2` for OpenSLO's `2w`).
    pub count: NonZeroU32,
    /// The time zone whose civil calendar the window follows.
    pub zone: Zone,
    /// The local start of one period; `None` for the aligned starts described above.
    pub anchor: Option<NaiveDateTime>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendarWindow {
    period: CalendarPeriod,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    count: u32,
    /// Absent: UTC (or the older offset); `null` is refused, as before it was optional.
    #[serde(default, deserialize_with = "present_zone")]
    zone: Option<Zone>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    anchor: Option<NaiveDateTime>,
    /// The form before zones: a fixed offset in seconds east of UTC, read only without a
    /// `zone` (both at once would leave one of them unused).
    #[serde(default, skip_serializing)]
    utc_offset_seconds: Option<i32>,
}

const fn one() -> u32 {
    1
}

/// A `zone` that is present: a zone, never `null`.
fn present_zone<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<Zone>, D::Error> {
    Zone::deserialize(d).map(Some)
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if signature
const fn is_one(n: &u32) -> bool {
    *n == 1
}

impl TryFrom<RawCalendarWindow> for CalendarWindow {
    type Error = Error;
    fn try_from(raw: RawCalendarWindow) -> Result<Self> {
        let count = NonZeroU32::new(raw.count).ok_or(Error::InvalidParameter {
            field: "count",
            value: 0.0,
            reason: "a calendar window spans at least one period",
        })?;
        let zone = match (raw.zone, raw.utc_offset_seconds) {
            (Some(_), Some(_)) => {
                return Err(Error::InvalidField {
                    field: "utc_offset_seconds",
                    reason: "given beside zone: give the zone alone (an offset is a zone such as \"+05:30\")",
                });
            }
            (None, Some(seconds)) => Zone::fixed(FixedOffset::east_opt(seconds).ok_or(
                Error::InvalidParameter {
                    field: "utc_offset_seconds",
                    value: f64::from(seconds),
                    reason: "must be strictly within ±24 hours",
                },
            )?),
            (zone, None) => zone.unwrap_or_default(),
        };
        Ok(Self {
            period: raw.period,
            count,
            zone,
            anchor: raw.anchor,
        })
    }
}

impl From<CalendarWindow> for RawCalendarWindow {
    fn from(w: CalendarWindow) -> Self {
        Self {
            period: w.period,
            count: w.count.get(),
            zone: Some(w.zone),
            anchor: w.anchor,
            utc_offset_seconds: None,
        }
    }
}

/// The default anchor: Monday 1 January 2024, 00:00, which starts a day, an ISO week, a month,
/// a quarter and a year.
fn default_anchor() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap_or(NaiveDate::MIN)
        .and_time(chrono::NaiveTime::MIN)
}

impl CalendarWindow {
    /// One `period` at a time in `zone`, aligned.
    pub const fn new(period: CalendarPeriod, zone: Zone) -> Self {
        Self {
            period,
            count: NonZeroU32::MIN,
            zone,
            anchor: None,
        }
    }

    /// A calendar window in UTC.
    pub const fn utc(period: CalendarPeriod) -> Self {
        Self::new(period, Zone::UTC)
    }

    /// A calendar window in a fixed offset from UTC.
    ///
    /// # Errors
    /// None today: every [`FixedOffset`] is within ±24 hours. Kept fallible for callers of
    /// earlier versions.
    pub fn with_offset(period: CalendarPeriod, offset: FixedOffset) -> Result<Self> {
        Ok(Self::new(period, Zone::fixed(offset)))
    }

    /// The same window spanning `count` periods.
    #[must_use]
    pub const fn with_count(mut self, count: NonZeroU32) -> Self {
        self.count = count;
        self
    }

    /// The same window with periods starting at the local time `anchor`.
    #[must_use]
    pub const fn with_anchor(mut self, anchor: NaiveDateTime) -> Self {
        self.anchor = Some(anchor);
        self
    }

    /// The local start of the `k`-th period after the anchor (`k` may be negative).
    fn start(&self, anchor: NaiveDateTime, k: i64) -> Option<NaiveDateTime> {
        match self.period.step() {
            Step::Seconds(seconds) => {
                let seconds = k.checked_mul(i64::from(seconds) * i64::from(self.count.get()))?;
                anchor.checked_add_signed(TimeDelta::try_seconds(seconds)?)
            }
            Step::Days(days) => {
                let days = k.checked_mul(i64::from(days) * i64::from(self.count.get()))?;
                anchor.checked_add_signed(TimeDelta::try_days(days)?)
            }
            Step::Months(months) => {
                let months = k.checked_mul(i64::from(months) * i64::from(self.count.get()))?;
                let n = Months::new(u32::try_from(months.unsigned_abs()).ok()?);
                if months >= 0 {
                    anchor.checked_add_months(n)
                } else {
                    anchor.checked_sub_months(n)
                }
            }
        }
    }

    /// The calendar period that contains `at`.
    ///
    /// # Errors
    /// [`Error::DateOutOfRange`] when the period around `at` (or its start or end) falls
    /// outside the range of dates chrono represents, e.g. at [`DateTime::<Utc>::MAX_UTC`].
    pub fn containing(&self, at: DateTime<Utc>) -> Result<Interval> {
        let out_of_range = || Error::DateOutOfRange {
            at,
            what: "the calendar period around it",
        };
        let anchor = self.anchor.unwrap_or_else(default_anchor);
        if let Step::Seconds(seconds) = self.period.step() {
            // Minutes and hours follow the clock of the anchor's instant, not the civil one.
            let step = i64::from(seconds) * i64::from(self.count.get());
            let origin = self.zone.instant(anchor).ok_or_else(out_of_range)?;
            let k = floor_seconds(at - origin).div_euclid(step);
            let start = k
                .checked_mul(step)
                .and_then(TimeDelta::try_seconds)
                .and_then(|d| origin.checked_add_signed(d))
                .ok_or_else(out_of_range)?;
            let end = TimeDelta::try_seconds(step)
                .and_then(|d| start.checked_add_signed(d))
                .ok_or_else(out_of_range)?;
            return Interval::new(start, end);
        }
        let local = self.zone.local(at).ok_or_else(out_of_range)?;
        // A first guess at the number of periods from the anchor, then a step or two to fix
        // it: month lengths and clamped days (an anchor on the 31st) make the guess approximate.
        let guess = match self.period.step() {
            Step::Seconds(_) => 0,
            Step::Days(days) => {
                let step = i64::from(days) * i64::from(self.count.get()) * 86_400;
                floor_seconds(local - anchor).div_euclid(step)
            }
            Step::Months(months) => {
                let elapsed = (i64::from(local.year()) - i64::from(anchor.year())) * 12
                    + i64::from(local.month0())
                    - i64::from(anchor.month0());
                elapsed.div_euclid(i64::from(months) * i64::from(self.count.get()))
            }
        };
        // The steps compare instants, not local times: a fold repeats local times and a gap
        // moves a skipped start later, so the period whose local bounds hold `local` need not
        // hold `at` (St. John's fell back at 00:01: 23:31 read twice is after the next day began).
        let instant_of = |k: i64| {
            self.start(anchor, k)
                .and_then(|local| self.zone.instant(local))
                .ok_or_else(out_of_range)
        };
        let mut k = guess;
        let mut start = instant_of(k)?;
        while start > at {
            k -= 1;
            start = instant_of(k)?;
        }
        let mut end = instant_of(k + 1)?;
        while end <= at {
            k += 1;
            start = end;
            end = instant_of(k + 1)?;
        }
        Interval::new(start, end)
    }
}

impl fmt::Display for CalendarWindow {
    /// `1M in America/New_York`, `2w in UTC from 2022-01-01 12:00:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{} in {}", self.count, self.period.unit(), self.zone)?;
        if let Some(anchor) = self.anchor {
            write!(f, " from {}", anchor.format("%Y-%m-%d %H:%M:%S"))?;
        }
        Ok(())
    }
}

/// The period over which an SLO is measured and its error budget is spent.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{CalendarPeriod, Span, Window};
///
/// let at = Utc.with_ymd_and_hms(2024, 2, 10, 12, 0, 0).unwrap();
/// let month = Window::calendar(CalendarPeriod::Month);
/// let feb = month.containing(at)?;
/// assert_eq!(feb.length().num_days(), 29); // 2024 is a leap year
///
/// let rolling = Window::rolling(Span::from_days(28)?);
/// assert_eq!(rolling.containing(at)?.end(), at);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Window {
    /// The span that ends at the instant of evaluation, e.g. the last 30 days.
    Rolling(Span),
    /// The calendar period that contains the instant of evaluation.
    Calendar(CalendarWindow),
}

impl fmt::Display for Window {
    /// `rolling 30d`, or the calendar window: `calendar 1M in America/New_York`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rolling(span) => write!(f, "rolling {span}"),
            Self::Calendar(calendar) => write!(f, "calendar {calendar}"),
        }
    }
}

impl Window {
    /// A rolling window of `span`.
    pub const fn rolling(span: Span) -> Self {
        Self::Rolling(span)
    }

    /// A calendar window in UTC.
    pub const fn calendar(period: CalendarPeriod) -> Self {
        Self::Calendar(CalendarWindow::utc(period))
    }

    /// The window that holds `at`: for a rolling window `[at - span, at)`, for a calendar window
    /// the calendar period around `at`.
    ///
    /// # Errors
    /// As [`CalendarWindow::containing`].
    pub fn containing(&self, at: DateTime<Utc>) -> Result<Interval> {
        match self {
            Self::Rolling(span) => {
                let start =
                    at.checked_sub_signed(span.as_time_delta())
                        .ok_or(Error::DateOutOfRange {
                            at,
                            what: "the start of the rolling window",
                        })?;
                Interval::new(start, at)
            }
            Self::Calendar(calendar) => calendar.containing(at),
        }
    }

    /// The length of the window that holds `at` (calendar months differ in length).
    ///
    /// # Errors
    /// As [`Window::containing`].
    pub fn length_at(&self, at: DateTime<Utc>) -> Result<TimeDelta> {
        Ok(self.containing(at)?.length())
    }

    /// The length used to scale alert thresholds: the span of a rolling window, and for a
    /// calendar window its count of 1 minute, 1 hour, 1 day, 7 days, 30 days (a month), 90 days (a quarter) or
    /// 365 days (a year), the lengths the OpenSLO Go SDK gives these units.
    ///
    /// Alert tiers are defined as a share of the budget spent within an alert window, and the
    /// share a burn rate spends depends on the SLO period; a month of 28 to 31 days is scaled as
    /// 30 days, the period the SRE Workbook's table is written for, and a day of 23 or 25 hours
    /// (daylight saving time) as 24. Budgets and attainment always use the true length of each
    /// window ([`Window::length_at`]).
    pub fn nominal_length(&self) -> Span {
        const DAY: i64 = 86_400;
        let (seconds, count) = match self {
            Self::Rolling(span) => return *span,
            Self::Calendar(c) => (
                match c.period {
                    CalendarPeriod::Minute => 60,
                    CalendarPeriod::Hour => 3_600,
                    CalendarPeriod::Day => DAY,
                    CalendarPeriod::Week => 7 * DAY,
                    CalendarPeriod::Month => 30 * DAY,
                    CalendarPeriod::Quarter => 90 * DAY,
                    CalendarPeriod::Year => 365 * DAY,
                },
                i64::from(c.count.get()),
            ),
        };
        // Spans stop at 100 years; a longer calendar window is scaled as 100 years.
        Span::from_seconds(seconds * count).unwrap_or(Span::known_valid(100 * 365 * DAY))
    }
}

/// Whole seconds in `d`, rounded down: `num_seconds` rounds toward zero, so half a second
/// before the anchor counted as the anchor's own period, and the period found did not hold
/// the instant.
fn floor_seconds(d: TimeDelta) -> i64 {
    d.num_seconds() - i64::from(d.subsec_nanos() < 0)
}

#[cfg(test)]
mod tests;
