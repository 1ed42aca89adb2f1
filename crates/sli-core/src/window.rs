//! SLO windows: rolling (a fixed span ending now) and calendar-aligned (day, week, month in a
//! fixed UTC offset), and the [`Interval`] a window covers at a given instant.

use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, TimeDelta, TimeZone, Utc};
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
    /// First instant inside the interval.
    pub start: DateTime<Utc>,
    /// First instant after the interval.
    pub end: DateTime<Utc>,
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
/// assert_eq!(week.start, Utc.with_ymd_and_hms(2024, 4, 29, 0, 0, 0).unwrap()); // Monday
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CalendarPeriod {
    /// A civil day, midnight to midnight.
    Day,
    /// An ISO week, Monday 00:00 to the next Monday 00:00.
    Week,
    /// A calendar month, the 1st 00:00 to the next 1st 00:00 (28 to 31 days).
    Month,
}

/// A window aligned to the civil calendar in a fixed UTC offset, e.g. "each month in UTC".
///
/// Only fixed offsets are supported: an IANA zone with daylight saving time would give days of
/// 23 and 25 hours, and needs a time-zone database this crate does not carry.
///
/// # Example
/// ```
/// use chrono::{FixedOffset, TimeZone, Utc};
/// use sli_core::{CalendarPeriod, CalendarWindow};
///
/// let tokyo = CalendarWindow::with_offset(CalendarPeriod::Day, FixedOffset::east_opt(9 * 3600).unwrap())?;
/// let day = tokyo.containing(Utc.with_ymd_and_hms(2024, 5, 1, 20, 0, 0).unwrap())?;
/// assert_eq!(day.start, Utc.with_ymd_and_hms(2024, 5, 1, 15, 0, 0).unwrap()); // 00:00 JST
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CalendarWindow {
    /// Day, week or month.
    pub period: CalendarPeriod,
    /// Offset from UTC in seconds east (e.g. `3600` for UTC+1); `0` for UTC.
    #[serde(default)]
    pub utc_offset_seconds: i32,
}

impl CalendarWindow {
    /// A calendar window in UTC.
    pub const fn utc(period: CalendarPeriod) -> Self {
        Self {
            period,
            utc_offset_seconds: 0,
        }
    }

    /// A calendar window in a fixed offset from UTC.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the offset is not within ±24 hours.
    pub fn with_offset(period: CalendarPeriod, offset: FixedOffset) -> Result<Self> {
        let window = Self {
            period,
            utc_offset_seconds: offset.local_minus_utc(),
        };
        window.offset()?;
        Ok(window)
    }

    fn offset(&self) -> Result<FixedOffset> {
        FixedOffset::east_opt(self.utc_offset_seconds).ok_or(Error::InvalidParameter {
            field: "utc_offset_seconds",
            value: f64::from(self.utc_offset_seconds),
            reason: "must be strictly within ±24 hours",
        })
    }

    /// The calendar period that contains `at`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an offset out of range (possible only through
    /// deserialisation); [`Error::InvalidDuration`] at the far ends of chrono's range.
    pub fn containing(&self, at: DateTime<Utc>) -> Result<Interval> {
        let offset = self.offset()?;
        let local = at.with_timezone(&offset).date_naive();
        let first: NaiveDate = match self.period {
            CalendarPeriod::Day => local,
            CalendarPeriod::Week => {
                local - Days::new(u64::from(local.weekday().num_days_from_monday()))
            }
            CalendarPeriod::Month => local.with_day(1).unwrap_or(local),
        };
        let next = match self.period {
            CalendarPeriod::Day => first.checked_add_days(Days::new(1)),
            CalendarPeriod::Week => first.checked_add_days(Days::new(7)),
            CalendarPeriod::Month => first.checked_add_months(Months::new(1)),
        };
        let out_of_range = || Error::DateOutOfRange {
            at,
            what: "the calendar period around it",
        };
        let to_utc = |date: NaiveDate| {
            offset
                .from_local_datetime(&date.and_time(chrono::NaiveTime::MIN))
                .single()
                .map(|t| t.with_timezone(&Utc))
        };
        let start = to_utc(first).ok_or_else(out_of_range)?;
        let end = next.and_then(to_utc).ok_or_else(out_of_range)?;
        Interval::new(start, end)
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
/// assert_eq!(rolling.containing(at)?.end, at);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Window {
    /// The span that ends at the instant of evaluation, e.g. the last 30 days.
    Rolling(Span),
    /// The calendar period that contains the instant of evaluation.
    Calendar(CalendarWindow),
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

    /// The length used to scale alert thresholds: the span of a rolling window, 1 day or 7 days
    /// for calendar days and weeks, and 30 days for a calendar month.
    ///
    /// Alert tiers are defined as a share of the budget spent within an alert window, and the
    /// share a burn rate spends depends on the SLO period; a month of 28 to 31 days is scaled as
    /// 30 days, the period the SRE Workbook's table is written for. Budgets themselves always use
    /// the true length of each month ([`Window::length_at`]).
    pub fn nominal_length(&self) -> Span {
        const DAY: i64 = 86_400;
        let seconds = match self {
            Self::Rolling(span) => return *span,
            Self::Calendar(c) => match c.period {
                CalendarPeriod::Day => DAY,
                CalendarPeriod::Week => 7 * DAY,
                CalendarPeriod::Month => 30 * DAY,
            },
        };
        Span::known_valid(seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
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
        for w in [
            Window::rolling(Span::from_days(28).unwrap()),
            Window::calendar(CalendarPeriod::Month),
        ] {
            let json = serde_json::to_string(&w).unwrap();
            assert_eq!(serde_json::from_str::<Window>(&json).unwrap(), w);
        }
    }
}
