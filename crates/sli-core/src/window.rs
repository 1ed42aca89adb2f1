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
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, FixedOffset, LocalResult, Months, NaiveDate, NaiveDateTime, Offset,
    TimeDelta, TimeZone, Utc,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::span::Span;

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

/// The time zone a calendar window follows: UTC, a fixed offset, or an IANA zone with its
/// daylight-saving rules.
///
/// Written and parsed as `UTC`, `±HH:MM` or an IANA name (`America/New_York`,
/// `Etc/GMT-2`); serialised the same way. A whole-hour fixed offset is written with its IANA
/// name (`+02:00` as `Etc/GMT-2`), which OpenSLO's `timeZone` requires.
///
/// # Example
/// ```
/// use sli_core::Zone;
///
/// let ny: Zone = "America/New_York".parse()?;
/// assert_eq!(ny.to_string(), "America/New_York");
/// assert_eq!("+05:30".parse::<Zone>()?.to_string(), "+05:30");
/// assert_eq!("+02:00".parse::<Zone>()?, "Etc/GMT-2".parse::<Zone>()?);
/// assert_eq!("Etc/UTC".parse::<Zone>()?, Zone::UTC);
/// assert!("Mars/Olympus_Mons".parse::<Zone>().is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Zone(ZoneKind);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ZoneKind {
    Utc,
    Fixed(FixedOffset),
    Iana(chrono_tz::Tz),
}

impl Zone {
    /// Coordinated Universal Time.
    pub const UTC: Self = Self(ZoneKind::Utc);

    /// A fixed offset from UTC (no daylight saving time).
    pub fn fixed(offset: FixedOffset) -> Self {
        if offset.local_minus_utc() == 0 {
            Self::UTC
        } else {
            Self(ZoneKind::Fixed(offset))
        }
    }

    /// The offset from UTC in force at `at`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        match self.0 {
            ZoneKind::Utc => Utc.fix(),
            ZoneKind::Fixed(offset) => offset,
            ZoneKind::Iana(tz) => tz.offset_from_utc_datetime(&at.naive_utc()).fix(),
        }
    }

    /// The civil time at `at`, or `None` past the ends of chrono's range.
    pub(crate) fn local(&self, at: DateTime<Utc>) -> Option<NaiveDateTime> {
        at.naive_utc().checked_add_offset(self.offset_at(at))
    }

    /// The instant a civil time names: the earlier of two (a fall-back fold), and in a
    /// spring-forward gap the time read with the offset in force before the gap.
    pub(crate) fn instant(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let tz = match self.0 {
            ZoneKind::Utc => return Some(local.and_utc()),
            ZoneKind::Fixed(offset) => {
                return local.checked_sub_offset(offset).map(|t| t.and_utc());
            }
            ZoneKind::Iana(tz) => tz,
        };
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.to_utc()),
            LocalResult::None => {
                // In a gap: the offset of the day before (transitions are months apart).
                let before = local.checked_sub_signed(TimeDelta::days(1))?;
                let offset = match tz.from_local_datetime(&before) {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.offset().fix(),
                    LocalResult::None => return None,
                };
                local.checked_sub_offset(offset).map(|t| t.and_utc())
            }
        }
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self::UTC
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ZoneKind::Utc => f.write_str("UTC"),
            ZoneKind::Fixed(offset) => {
                let s = offset.local_minus_utc();
                if s % 3_600 == 0 && (-14 * 3_600..=12 * 3_600).contains(&s) {
                    // The IANA name of a whole-hour offset (POSIX signs: Etc/GMT-2 is UTC+2).
                    return write!(f, "Etc/GMT{:+}", -s / 3_600);
                }
                let sign = if s < 0 { '-' } else { '+' };
                let a = s.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", a / 3_600, a % 3_600 / 60)?;
                if a % 60 != 0 {
                    write!(f, ":{:02}", a % 60)?;
                }
                Ok(())
            }
            ZoneKind::Iana(tz) => f.write_str(tz.name()),
        }
    }
}

impl FromStr for Zone {
    type Err = Error;

    /// `UTC` (also `Etc/UTC`, `GMT`, `Z`), `±HH:MM` (or `±HH:MM:SS`), or an IANA zone name
    /// (`Etc/GMT±N` is the fixed offset it names).
    fn from_str(text: &str) -> Result<Self> {
        let invalid = || Error::InvalidZone {
            name: text.to_owned(),
        };
        match text {
            "UTC" | "Etc/UTC" | "Z" | "GMT" | "Etc/GMT" | "Etc/Zulu" | "Zulu" | "UCT"
            | "Etc/UCT" | "Universal" | "Etc/Universal" => return Ok(Self::UTC),
            _ => {}
        }
        if let Some(rest) = text.strip_prefix(['+', '-']) {
            let sign = if text.starts_with('-') { -1 } else { 1 };
            let mut parts = rest.split(':');
            let mut field = |max: i32| -> Result<i32> {
                match parts.next() {
                    Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
                        let v: i32 = p.parse().map_err(|_| invalid())?;
                        if v < max { Ok(v) } else { Err(invalid()) }
                    }
                    None => Ok(0),
                    Some(_) => Err(invalid()),
                }
            };
            let (h, m, s) = (field(24)?, field(60)?, field(60)?);
            if parts.next().is_some() || !rest.contains(':') {
                return Err(invalid());
            }
            let offset =
                FixedOffset::east_opt(sign * (h * 3_600 + m * 60 + s)).ok_or_else(invalid)?;
            return Ok(Self::fixed(offset));
        }
        if let Some(hours) = text.strip_prefix("Etc/GMT")
            && let Ok(hours) = hours.parse::<i32>()
            && (-14..=12).contains(&hours)
        {
            // A fixed offset by definition, whatever it is called.
            return FixedOffset::east_opt(-hours * 3_600)
                .map(Self::fixed)
                .ok_or_else(invalid);
        }
        text.parse::<chrono_tz::Tz>()
            .map(|tz| Self(ZoneKind::Iana(tz)))
            .map_err(|_| invalid())
    }
}

impl TryFrom<String> for Zone {
    type Error = Error;
    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<Zone> for String {
    fn from(zone: Zone) -> Self {
        zone.to_string()
    }
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
struct RawCalendarWindow {
    period: CalendarPeriod,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    count: u32,
    #[serde(default)]
    zone: Zone,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    anchor: Option<NaiveDateTime>,
    /// The form before zones: a fixed offset in seconds east of UTC.
    #[serde(default, skip_serializing)]
    utc_offset_seconds: Option<i32>,
}

const fn one() -> u32 {
    1
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
        let zone = match raw.utc_offset_seconds {
            Some(seconds) if raw.zone == Zone::UTC => Zone::fixed(
                FixedOffset::east_opt(seconds).ok_or(Error::InvalidParameter {
                    field: "utc_offset_seconds",
                    value: f64::from(seconds),
                    reason: "must be strictly within ±24 hours",
                })?,
            ),
            _ => raw.zone,
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
            zone: w.zone,
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
            let k = (at - origin).num_seconds().div_euclid(step);
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
                (local - anchor).num_seconds().div_euclid(step)
            }
            Step::Months(months) => {
                let elapsed = (i64::from(local.year()) - i64::from(anchor.year())) * 12
                    + i64::from(local.month0())
                    - i64::from(anchor.month0());
                elapsed.div_euclid(i64::from(months) * i64::from(self.count.get()))
            }
        };
        let mut k = guess;
        let mut start = self.start(anchor, k).ok_or_else(out_of_range)?;
        while start > local {
            k -= 1;
            start = self.start(anchor, k).ok_or_else(out_of_range)?;
        }
        let mut end = self.start(anchor, k + 1).ok_or_else(out_of_range)?;
        while end <= local {
            k += 1;
            start = end;
            end = self.start(anchor, k + 1).ok_or_else(out_of_range)?;
        }
        let start = self.zone.instant(start).ok_or_else(out_of_range)?;
        let end = self.zone.instant(end).ok_or_else(out_of_range)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn zone(name: &str) -> Zone {
        name.parse().unwrap()
    }

    fn window(period: CalendarPeriod, zone_name: &str, at: DateTime<Utc>) -> Interval {
        CalendarWindow::new(period, zone(zone_name))
            .containing(at)
            .unwrap()
    }

    #[test]
    fn calendar_month_lengths() {
        let month = Window::calendar(CalendarPeriod::Month);
        assert_eq!(month.length_at(utc(2023, 2, 5, 0)).unwrap().num_days(), 28);
        assert_eq!(month.length_at(utc(2024, 2, 5, 0)).unwrap().num_days(), 29);
        assert_eq!(
            month.length_at(utc(2024, 1, 31, 23)).unwrap().num_days(),
            31
        );
        assert_eq!(
            month.length_at(utc(2024, 12, 31, 23)).unwrap().num_days(),
            31
        );
        assert_eq!(month.nominal_length(), Span::from_days(30).unwrap());
    }

    #[test]
    fn week_starts_monday() {
        let week = Window::calendar(CalendarPeriod::Week);
        // 2024-05-01 is a Wednesday.
        let w = week.containing(utc(2024, 5, 1, 10)).unwrap();
        assert_eq!(w.start, utc(2024, 4, 29, 0));
        assert_eq!(w.end, utc(2024, 5, 6, 0));
    }

    #[test]
    fn fixed_offset_day() {
        let plus2 = FixedOffset::east_opt(2 * 3600).unwrap();
        let day =
            Window::Calendar(CalendarWindow::with_offset(CalendarPeriod::Day, plus2).unwrap());
        // 23:00 UTC on the 1st is 01:00 on the 2nd at UTC+2.
        let d = day.containing(utc(2024, 3, 1, 23)).unwrap();
        assert_eq!(d.start, utc(2024, 3, 1, 22));
        assert_eq!(d.end, utc(2024, 3, 2, 22));
        assert!(d.contains(utc(2024, 3, 1, 23)));
    }

    /// Daylight saving time, both ways, in two zones: each window's bounds and length worked
    /// out by hand from the zones' rules (US: second Sunday of March and first Sunday of
    /// November at 02:00 local; EU: last Sunday of March and of October at 01:00 UTC).
    #[test]
    fn dst_days_weeks_months_quarters_and_years() {
        use CalendarPeriod::{Day, Month, Quarter, Week, Year};
        let cases = [
            // New York, spring forward on Sunday 10 March 2024: 00:00 EST = 05:00 UTC, and
            // the next midnight is EDT = 04:00 UTC.
            (
                Day,
                "America/New_York",
                utc(2024, 3, 10, 12),
                utc(2024, 3, 10, 5),
                utc(2024, 3, 11, 4),
                23,
            ),
            // Fall back on Sunday 3 November 2024.
            (
                Day,
                "America/New_York",
                utc(2024, 11, 3, 12),
                utc(2024, 11, 3, 4),
                utc(2024, 11, 4, 5),
                25,
            ),
            // The day before each change is 24 hours.
            (
                Day,
                "America/New_York",
                utc(2024, 3, 9, 12),
                utc(2024, 3, 9, 5),
                utc(2024, 3, 10, 5),
                24,
            ),
            // Berlin, 31 March 2024 (CET → CEST) and 27 October 2024 (CEST → CET).
            (
                Day,
                "Europe/Berlin",
                utc(2024, 3, 31, 12),
                utc(2024, 3, 30, 23),
                utc(2024, 3, 31, 22),
                23,
            ),
            (
                Day,
                "Europe/Berlin",
                utc(2024, 10, 27, 12),
                utc(2024, 10, 26, 22),
                utc(2024, 10, 27, 23),
                25,
            ),
            // The ISO weeks holding them: 7 × 24 ∓ 1.
            (
                Week,
                "America/New_York",
                utc(2024, 3, 10, 12),
                utc(2024, 3, 4, 5),
                utc(2024, 3, 11, 4),
                167,
            ),
            (
                Week,
                "Europe/Berlin",
                utc(2024, 10, 27, 12),
                utc(2024, 10, 20, 22),
                utc(2024, 10, 27, 23),
                169,
            ),
            // March 2024 in New York: 31 × 24 − 1; November: 30 × 24 + 1.
            (
                Month,
                "America/New_York",
                utc(2024, 3, 15, 0),
                utc(2024, 3, 1, 5),
                utc(2024, 4, 1, 4),
                743,
            ),
            (
                Month,
                "America/New_York",
                utc(2024, 11, 15, 0),
                utc(2024, 11, 1, 4),
                utc(2024, 12, 1, 5),
                721,
            ),
            // Q1 2024: 91 days − 1 hour; Q4: 92 days + 1 hour.
            (
                Quarter,
                "America/New_York",
                utc(2024, 2, 29, 0),
                utc(2024, 1, 1, 5),
                utc(2024, 4, 1, 4),
                2183,
            ),
            (
                Quarter,
                "America/New_York",
                utc(2024, 12, 31, 12),
                utc(2024, 10, 1, 4),
                utc(2025, 1, 1, 5),
                2209,
            ),
            // 2024 (a leap year): the two changes cancel out.
            (
                Year,
                "America/New_York",
                utc(2024, 7, 4, 0),
                utc(2024, 1, 1, 5),
                utc(2025, 1, 1, 5),
                8784,
            ),
            (
                Year,
                "UTC",
                utc(2023, 7, 4, 0),
                utc(2023, 1, 1, 0),
                utc(2024, 1, 1, 0),
                8760,
            ),
        ];
        for (period, name, at, start, end, hours) in cases {
            let w = window(period, name, at);
            assert_eq!((w.start, w.end), (start, end), "{period:?} {name} {at}");
            assert_eq!(w.length().num_hours(), hours, "{period:?} {name} {at}");
            assert!(w.contains(at));
        }
    }

    /// An anchored window (OpenSLO's `startTime`): weeks from Saturday 1 January 2022, 12:00 in
    /// New York; and daily windows anchored in the gap and the fold of the changes.
    #[test]
    fn anchored_windows_across_dst() {
        let at = |y, m, d, h, mi| {
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(h, mi, 0)
                .unwrap()
        };
        let weekly = CalendarWindow::new(CalendarPeriod::Week, zone("America/New_York"))
            .with_anchor(at(2022, 1, 1, 12, 0));
        // Saturday 9 March 2024 12:00 EST (17:00 UTC) to Saturday 16 March 12:00 EDT (16:00).
        let w = weekly.containing(utc(2024, 3, 12, 12)).unwrap();
        assert_eq!(
            (w.start, w.end),
            (utc(2024, 3, 9, 17), utc(2024, 3, 16, 16))
        );
        assert_eq!(w.length().num_hours(), 167);
        // Before the anchor too.
        let w = weekly.containing(utc(2021, 12, 30, 0)).unwrap();
        assert_eq!(w.start, utc(2021, 12, 25, 17));
        // 02:30 does not exist on 10 March 2024 in New York: read with the offset before the
        // gap (EST), 07:30 UTC.
        let daily = CalendarWindow::new(CalendarPeriod::Day, zone("America/New_York"))
            .with_anchor(at(2024, 1, 1, 2, 30));
        let w = daily.containing(utc(2024, 3, 10, 12)).unwrap();
        let half = |y, m, d, h| utc(y, m, d, h) + TimeDelta::minutes(30);
        assert_eq!(
            (w.start, w.end),
            (half(2024, 3, 10, 7), half(2024, 3, 11, 6))
        );
        assert_eq!(w.length().num_minutes(), 23 * 60);
        // 01:30 occurs twice on 3 November 2024: the earlier (EDT, 05:30 UTC).
        let daily = CalendarWindow::new(CalendarPeriod::Day, zone("America/New_York"))
            .with_anchor(at(2024, 1, 1, 1, 30));
        let w = daily.containing(utc(2024, 11, 3, 12)).unwrap();
        assert_eq!(
            (w.start, w.end),
            (half(2024, 11, 3, 5), half(2024, 11, 4, 6))
        );
        assert_eq!(w.length().num_hours(), 25);
    }

    #[test]
    fn minutes_and_hours_follow_the_clock() {
        // An hourly window in New York across the spring-forward change: always 60 minutes.
        let hourly = CalendarWindow::new(CalendarPeriod::Hour, zone("America/New_York"));
        let w = hourly
            .containing(utc(2024, 3, 10, 7) + TimeDelta::minutes(10))
            .unwrap();
        assert_eq!((w.start, w.end), (utc(2024, 3, 10, 7), utc(2024, 3, 10, 8)));
        let minute = CalendarWindow::new(CalendarPeriod::Minute, zone("+05:30")).with_anchor(
            NaiveDate::from_ymd_opt(2022, 1, 1)
                .unwrap()
                .and_hms_opt(12, 0, 30)
                .unwrap(),
        );
        let w = minute.containing(utc(2024, 1, 1, 0)).unwrap();
        assert_eq!(w.start, utc(2024, 1, 1, 0) - TimeDelta::seconds(30));
        assert_eq!(w.length(), TimeDelta::minutes(1));
        assert!(
            CalendarWindow::new(CalendarPeriod::Hour, Zone::UTC)
                .containing(DateTime::<Utc>::MAX_UTC)
                .is_err()
        );
    }

    #[test]
    fn counts_and_month_anchors() {
        // Two-month windows from March: January–February, March–April…
        let two = CalendarWindow::utc(CalendarPeriod::Month)
            .with_count(NonZeroU32::new(2).unwrap())
            .with_anchor(
                NaiveDate::from_ymd_opt(2024, 3, 1)
                    .unwrap()
                    .and_time(chrono::NaiveTime::MIN),
            );
        let w = two.containing(utc(2024, 2, 10, 0)).unwrap();
        assert_eq!((w.start, w.end), (utc(2024, 1, 1, 0), utc(2024, 3, 1, 0)));
        // Monthly from the 31st: chrono clamps to the month's last day.
        let end_of = CalendarWindow::utc(CalendarPeriod::Month).with_anchor(
            NaiveDate::from_ymd_opt(2024, 1, 31)
                .unwrap()
                .and_time(chrono::NaiveTime::MIN),
        );
        let w = end_of.containing(utc(2024, 3, 10, 0)).unwrap();
        assert_eq!((w.start, w.end), (utc(2024, 2, 29, 0), utc(2024, 3, 31, 0)));
        let days = Window::Calendar(
            CalendarWindow::utc(CalendarPeriod::Day).with_count(NonZeroU32::new(3).unwrap()),
        );
        assert_eq!(days.nominal_length(), Span::from_days(3).unwrap());
        assert_eq!(days.length_at(utc(2024, 5, 5, 5)).unwrap().num_hours(), 72);
    }

    /// The ends of chrono's range are a typed error, never a panic (the calendar period around
    /// `DateTime::<Utc>::MAX_UTC` would end after it).
    #[test]
    fn far_ends_of_the_range_are_errors() {
        use CalendarPeriod::{Day, Month, Quarter, Week, Year};
        for at in [
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            DateTime::<Utc>::MAX_UTC - TimeDelta::hours(1),
            DateTime::<Utc>::MIN_UTC + TimeDelta::hours(1),
        ] {
            for period in [
                CalendarPeriod::Minute,
                CalendarPeriod::Hour,
                Day,
                Week,
                Month,
                Quarter,
                Year,
            ] {
                for z in [
                    "UTC",
                    "+14:00",
                    "-12:00",
                    "America/New_York",
                    "Pacific/Kiritimati",
                ] {
                    let w = CalendarWindow::new(period, zone(z));
                    if let Ok(i) = w.containing(at) {
                        assert!(i.contains(at), "{period:?} {z} {at}");
                    }
                }
            }
        }
        assert!(matches!(
            Window::calendar(CalendarPeriod::Month).containing(DateTime::<Utc>::MAX_UTC),
            Err(Error::DateOutOfRange { .. })
        ));
    }

    #[test]
    fn zones_parse_and_print() {
        for (text, printed) in [
            ("UTC", "UTC"),
            ("Etc/UTC", "UTC"),
            ("+00:00", "UTC"),
            ("+05:30", "+05:30"),
            ("-03:00", "Etc/GMT+3"),
            ("-03:30", "-03:30"),
            ("Europe/Berlin", "Europe/Berlin"),
            ("Etc/GMT-2", "Etc/GMT-2"),
        ] {
            assert_eq!(zone(text).to_string(), printed, "{text}");
        }
        for bad in [
            "",
            "+5",
            "+24:00",
            "+05:60",
            "America/Nowhere",
            "+05:30:00:00",
            "EST5EDT,M3",
        ] {
            assert!(
                matches!(bad.parse::<Zone>(), Err(Error::InvalidZone { .. })),
                "{bad}"
            );
        }
        // Etc/GMT-2 is two hours east of UTC (POSIX signs).
        let offset = zone("Etc/GMT-2").offset_at(utc(2024, 1, 1, 0));
        assert_eq!(offset.local_minus_utc(), 7_200);
    }

    #[test]
    fn rolling_window_ends_at_instant() {
        let w = Window::rolling(Span::from_days(30).unwrap());
        let at = utc(2024, 3, 31, 0);
        let i = w.containing(at).unwrap();
        assert_eq!(i.end, at);
        assert_eq!(i.length(), TimeDelta::days(30));
        assert!(!i.contains(at));
    }

    #[test]
    fn serde_round_trip() {
        let anchored = CalendarWindow::new(CalendarPeriod::Quarter, zone("Asia/Kolkata"))
            .with_count(NonZeroU32::new(2).unwrap())
            .with_anchor(
                NaiveDate::from_ymd_opt(2022, 2, 1)
                    .unwrap()
                    .and_time(chrono::NaiveTime::MIN),
            );
        for w in [
            Window::rolling(Span::from_days(28).unwrap()),
            Window::calendar(CalendarPeriod::Month),
            Window::Calendar(anchored),
        ] {
            let json = serde_json::to_string(&w).unwrap();
            assert_eq!(serde_json::from_str::<Window>(&json).unwrap(), w, "{json}");
        }
        // The earlier form, a fixed offset in seconds.
        let old: Window =
            serde_json::from_str(r#"{"calendar":{"period":"day","utc_offset_seconds":3600}}"#)
                .unwrap();
        let Window::Calendar(c) = old else { panic!() };
        assert_eq!(c.zone.to_string(), "Etc/GMT-1");
        assert!(
            serde_json::from_str::<Window>(r#"{"calendar":{"period":"day","count":0}}"#).is_err()
        );
        assert!(
            serde_json::from_str::<Window>(r#"{"calendar":{"period":"day","zone":"Nowhere/X"}}"#)
                .is_err()
        );
    }
}
