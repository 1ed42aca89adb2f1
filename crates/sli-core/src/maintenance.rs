//! Recurring maintenance windows ("every Sunday 02:00–04:00 in Europe/Paris") and the bounds
//! every maintenance window must keep, for [`MaintenanceWindows`](crate::MaintenanceWindows).
//!
//! A window is written as people plan it: days of the week, a local start time and a
//! wall-clock duration in a [`Zone`]. Each occurrence runs from the local start to the local
//! start plus the duration, both read in the zone on that date, so a window keeps its local
//! hours across daylight saving time, as Alertmanager's `time_intervals` (with `location`) and
//! EventBridge Scheduler's cron expressions (with `ScheduleExpressionTimezone`) read theirs. A
//! local time a transition skips or repeats is read as [`Zone`] reads it (the earlier instant
//! of a repeated hour; a skipped one with the offset before the gap).
//!
//! On the two transition days the engines differ, from this module and from each other, for a
//! window whose start or end falls in the skipped or repeated hour. In Paris, on the
//! spring-forward day: this module reads a 02:30 start with the offset before the gap (03:30
//! summer time), so 02:30–04:00 is 03:30–04:00 and 02:30–03:30 is empty; EventBridge Scheduler
//! skips a cron time in the skipped hour, so its `ALARM` schedule does not run and nothing is
//! muted; Alertmanager compares local times of day and mutes 03:00–04:00. On the fall-back
//! day this module takes the earlier 02:30; EventBridge runs a repeated time once (AWS does
//! not say which pass); Alertmanager mutes both passes. A window that avoids the hours a zone
//! skips or repeats is read alike by all; they differ by zone and by season (in New York
//! 02:00–03:00 is skipped in spring and 01:00–02:00 repeated in autumn; in London 01:00–02:00
//! is skipped and repeated; in Paris 02:00–03:00 both times).

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::span::Span;
use crate::window::{Interval, Zone};

/// The longest one-off maintenance window accepted: a week. A maintenance that outlasts a
/// week is, to the person on call, alerts switched off: disable them instead, visibly.
pub const MAX_MAINTENANCE: Span = Span::known_valid(7 * 86_400);

/// A maintenance window that cannot be deployed, naming the field and why.
///
/// # Example
/// ```
/// use chrono::{NaiveTime, Weekday};
/// use sli_core::{MaintenanceError, RecurringWindow, Span, Zone};
///
/// // Every day for 24 hours: never over.
/// let err = RecurringWindow::daily(NaiveTime::from_hms_opt(2, 0, 0).unwrap(), Span::DAY, Zone::UTC)
///     .unwrap_err();
/// assert!(matches!(err, MaintenanceError::NeverEnds { field: "duration", .. }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MaintenanceError {
    /// A window whose occurrences cover all time (or a one-off longer than
    /// [`MAX_MAINTENANCE`]): alerts would never be delivered again.
    #[error("maintenance {field}: the window never ends ({reason})")]
    NeverEnds {
        /// The field at fault (`duration`, `end`).
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A recurring window on no day of the week.
    #[error("maintenance {field}: a recurring window needs at least one day of the week")]
    NoDays {
        /// `days`.
        field: &'static str,
    },
    /// A start time or duration that is not a whole number of minutes (the engines schedule
    /// by the minute).
    #[error("maintenance {field}: {value} is not a whole number of minutes")]
    NotWholeMinutes {
        /// `start` or `duration`.
        field: &'static str,
        /// The value as written.
        value: String,
    },
    /// A one-off window that starts or ends outside the years 0000 to 9999: the engines
    /// schedule by dates with four-digit years (EventBridge Scheduler's `at(…)`, RFC 3339),
    /// so it cannot be deployed.
    #[error(
        "maintenance {field}: {value} lies outside the years 0000 to 9999 an engine can schedule"
    )]
    OutOfRange {
        /// `start` or `end`.
        field: &'static str,
        /// The instant, as chrono writes it.
        value: String,
    },
    /// A day or a start time that cannot be read.
    #[error("maintenance {field}: cannot read {value:?} ({reason})")]
    Unreadable {
        /// The field.
        field: &'static str,
        /// The text.
        value: String,
        /// What was expected.
        reason: &'static str,
    },
}

/// A maintenance window that recurs every week on some days, at a local time, in a zone.
///
/// # Example
/// ```
/// use chrono::{NaiveTime, TimeZone, Utc, Weekday};
/// use sli_core::{RecurringWindow, Span};
///
/// // Sundays 02:00-04:00 in Paris: 00:00-02:00 UTC in summer, 01:00-03:00 UTC in winter.
/// let sunday = RecurringWindow::weekly([Weekday::Sun], NaiveTime::from_hms_opt(2, 0, 0).unwrap(),
///     Span::from_hours(2)?, "Europe/Paris".parse()?)?;
/// let july = Utc.with_ymd_and_hms(2024, 7, 7, 1, 30, 0).unwrap();
/// let january = Utc.with_ymd_and_hms(2024, 1, 7, 1, 30, 0).unwrap();
/// assert_eq!(sunday.occurrence_at(july).unwrap().end(), Utc.with_ymd_and_hms(2024, 7, 7, 2, 0, 0).unwrap());
/// assert_eq!(sunday.occurrence_at(january).unwrap().start(), Utc.with_ymd_and_hms(2024, 1, 7, 1, 0, 0).unwrap());
/// assert!(sunday.occurrence_at(Utc.with_ymd_and_hms(2024, 7, 7, 2, 0, 0).unwrap()).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawRecurring", into = "RawRecurring")]
pub struct RecurringWindow {
    /// Days of the week, Monday first, no repeats.
    days: Vec<Weekday>,
    start: NaiveTime,
    duration: Span,
    zone: Zone,
}

/// The serialised form: `{"days": ["sunday"], "start": "02:00", "duration": "2h", "zone": "Europe/Paris"}`
/// (days read as chrono reads them: `sun` or `sunday`, any case).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecurring {
    days: Vec<String>,
    start: String,
    duration: Span,
    #[serde(default)]
    zone: Zone,
}

impl TryFrom<RawRecurring> for RecurringWindow {
    type Error = MaintenanceError;
    fn try_from(raw: RawRecurring) -> Result<Self, MaintenanceError> {
        let days = raw
            .days
            .iter()
            .map(|d| {
                d.parse::<Weekday>()
                    .map_err(|_| MaintenanceError::Unreadable {
                        field: "days",
                        value: d.clone(),
                        reason: "a day of the week (mon, tue, …, sun)",
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let start = NaiveTime::parse_from_str(&raw.start, "%H:%M").map_err(|_| {
            MaintenanceError::Unreadable {
                field: "start",
                value: raw.start.clone(),
                reason: "a local time HH:MM",
            }
        })?;
        Self::weekly(days, start, raw.duration, raw.zone)
    }
}

impl From<RecurringWindow> for RawRecurring {
    fn from(w: RecurringWindow) -> Self {
        Self {
            days: w.days.iter().map(|d| day_name(*d).to_owned()).collect(),
            start: w.start.format("%H:%M").to_string(),
            duration: w.duration,
            zone: w.zone,
        }
    }
}

/// `monday`, `tuesday`, …: the names of days in a serialised [`RecurringWindow`], which are
/// also Alertmanager's `weekdays`.
///
/// # Example
/// ```
/// assert_eq!(sli_core::day_name(chrono::Weekday::Sun), "sunday");
/// ```
pub const fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "monday",
        Weekday::Tue => "tuesday",
        Weekday::Wed => "wednesday",
        Weekday::Thu => "thursday",
        Weekday::Fri => "friday",
        Weekday::Sat => "saturday",
        Weekday::Sun => "sunday",
    }
}

impl RecurringWindow {
    /// A window every week on `days`, from the local time `start` for `duration` (wall-clock),
    /// in `zone`.
    ///
    /// # Errors
    /// [`MaintenanceError::NoDays`] without a day; [`MaintenanceError::NotWholeMinutes`] for a
    /// start or duration with seconds; [`MaintenanceError::NeverEnds`] when the occurrences
    /// leave no time between them (the duration reaches the next selected day's start).
    pub fn weekly(
        days: impl IntoIterator<Item = Weekday>,
        start: NaiveTime,
        duration: Span,
        zone: Zone,
    ) -> Result<Self, MaintenanceError> {
        let mut days: Vec<Weekday> = days.into_iter().collect();
        days.sort_by_key(Weekday::num_days_from_monday);
        days.dedup();
        if days.is_empty() {
            return Err(MaintenanceError::NoDays { field: "days" });
        }
        if start.second() != 0 || start.nanosecond() != 0 {
            return Err(MaintenanceError::NotWholeMinutes {
                field: "start",
                value: start.to_string(),
            });
        }
        if duration.seconds() % 60 != 0 {
            return Err(MaintenanceError::NotWholeMinutes {
                field: "duration",
                value: duration.to_string(),
            });
        }
        // The longest gap, in days, from one selected day to the next (cyclically).
        let longest_gap = days
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let next = days[(i + 1) % days.len()];
                let gap = (7 + i64::from(next.num_days_from_monday())
                    - i64::from(d.num_days_from_monday()))
                    % 7;
                if gap == 0 { 7 } else { gap }
            })
            .max()
            .unwrap_or(7);
        if duration.seconds() >= longest_gap * 86_400 {
            return Err(MaintenanceError::NeverEnds {
                field: "duration",
                reason: format!(
                    "{duration} reaches the next window's start, {longest_gap} day(s) later"
                ),
            });
        }
        Ok(Self {
            days,
            start,
            duration,
            zone,
        })
    }

    /// A window every day from the local time `start` for `duration`, in `zone`.
    ///
    /// # Errors
    /// As [`RecurringWindow::weekly`]: a duration of a day or more never ends.
    pub fn daily(start: NaiveTime, duration: Span, zone: Zone) -> Result<Self, MaintenanceError> {
        Self::weekly(
            [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ],
            start,
            duration,
            zone,
        )
    }

    /// The days of the week, Monday first.
    pub fn days(&self) -> &[Weekday] {
        &self.days
    }

    /// The local start time.
    pub fn start(&self) -> NaiveTime {
        self.start
    }

    /// The wall-clock duration.
    pub fn duration(&self) -> Span {
        self.duration
    }

    /// The zone the start time is read in.
    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// The occurrence starting on the local date `date`, if `date` is one of the days.
    fn occurrence_on(&self, date: NaiveDate) -> Option<Interval> {
        if !self.days.contains(&date.weekday()) {
            return None;
        }
        let local = date.and_time(self.start);
        let end_local = local.checked_add_signed(self.duration.as_time_delta())?;
        let start = self.zone.instant(local)?;
        let end = self.zone.instant(end_local)?;
        Interval::new(start, end).ok()
    }

    /// The occurrence containing `at`, if any.
    pub fn occurrence_at(&self, at: DateTime<Utc>) -> Option<Interval> {
        let local = self.zone.local(at)?.date();
        // An occurrence containing `at` starts on its local date or on one of the days before,
        // as far back as the duration reaches (plus one for a zone's offset change).
        let back = self.duration.seconds() / 86_400 + 1;
        (0..=back)
            .filter_map(|k| local.checked_sub_signed(TimeDelta::days(k)))
            .filter_map(|date| self.occurrence_on(date))
            .filter(|o| o.contains(at))
            .max_by_key(|o| o.end())
    }

    /// The occurrences that overlap `range`, in order (at most one per day of the range).
    ///
    /// Time and memory grow with the range: one step per local day of it, and at most one
    /// 24-byte interval a day (a century is 36,525 steps and under 1 MiB). Ask for the range
    /// you will use; to test one instant, [`occurrence_at`](Self::occurrence_at) takes a
    /// handful of steps.
    pub fn occurrences(&self, range: Interval) -> Vec<Interval> {
        // A range reaching chrono's first or last instant has no local time there in a zone
        // ahead of or behind UTC: its dates run to chrono's first or last day (the range
        // itself bounds the occurrences kept). It returned nothing at all.
        let first = self
            .zone
            .local(range.start())
            .map_or(chrono::NaiveDate::MIN, |t| t.date());
        let last = self
            .zone
            .local(range.end())
            .map_or(chrono::NaiveDate::MAX, |t| t.date());
        let back = self.duration.seconds() / 86_400 + 1;
        // At chrono's first day there is nothing earlier to start from.
        let mut date = first
            .checked_sub_signed(TimeDelta::days(back))
            .unwrap_or(chrono::NaiveDate::MIN);
        let mut out = Vec::new();
        while date <= last {
            if let Some(o) = self.occurrence_on(date)
                && o.overlaps(&range)
            {
                out.push(o);
            }
            let Some(next) = date.succ_opt() else { break };
            date = next;
        }
        out
    }
}

impl fmt::Display for RecurringWindow {
    /// `sunday 02:00 for 2h (Europe/Paris)`, `monday, friday 23:30 for 1h (UTC)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, day) in self.days.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(day_name(*day))?;
        }
        write!(
            f,
            " {} for {} ({})",
            self.start.format("%H:%M"),
            self.duration,
            self.zone
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    /// A range reaching chrono's last instant in a zone ahead of UTC (its local time does not
    /// exist there) still has its occurrences: none were returned.
    #[test]
    fn a_range_to_chronos_end_keeps_its_occurrences() {
        let tokyo =
            RecurringWindow::daily(hm(2, 0), Span::HOUR, "Asia/Tokyo".parse().unwrap()).unwrap();
        let max = DateTime::<Utc>::MAX_UTC;
        let start = max - TimeDelta::days(10);
        let found = tokyo.occurrences(Interval::new(start, max).unwrap());
        assert!((9..=11).contains(&found.len()), "{found:?}");
        assert!(found.iter().all(|o| o.end() > start && o.start() < max));
        let new_york =
            RecurringWindow::daily(hm(2, 0), Span::HOUR, "America/New_York".parse().unwrap())
                .unwrap();
        let min = DateTime::<Utc>::MIN_UTC;
        let found = new_york.occurrences(Interval::new(min, min + TimeDelta::days(10)).unwrap());
        assert!((9..=11).contains(&found.len()), "{found:?}");
    }

    #[test]
    fn windows_that_never_end_are_refused() {
        let hour = Span::HOUR;
        assert!(
            RecurringWindow::daily(hm(23, 0), Span::from_hours(23).unwrap(), Zone::UTC).is_ok()
        );
        assert!(matches!(
            RecurringWindow::daily(hm(23, 0), Span::from_hours(24).unwrap(), Zone::UTC),
            Err(MaintenanceError::NeverEnds {
                field: "duration",
                ..
            })
        ));
        // Monday and Wednesday: the longest gap is five days (Wednesday to Monday).
        let mon_wed = [Weekday::Wed, Weekday::Mon];
        assert!(
            RecurringWindow::weekly(mon_wed, hm(0, 0), Span::from_days(4).unwrap(), Zone::UTC)
                .is_ok()
        );
        assert!(
            RecurringWindow::weekly(mon_wed, hm(0, 0), Span::from_days(5).unwrap(), Zone::UTC)
                .is_err()
        );
        assert!(matches!(
            RecurringWindow::weekly([], hm(0, 0), hour, Zone::UTC),
            Err(MaintenanceError::NoDays { .. })
        ));
        assert!(matches!(
            RecurringWindow::weekly(
                [Weekday::Sun],
                hm(0, 0),
                Span::from_seconds(90).unwrap(),
                Zone::UTC
            ),
            Err(MaintenanceError::NotWholeMinutes {
                field: "duration",
                ..
            })
        ));
    }

    #[test]
    fn occurrences_cross_midnight_and_keep_local_hours_across_dst() {
        let ny: Zone = "America/New_York".parse().unwrap();
        // Saturdays 23:00 for 3 hours in New York.
        let w =
            RecurringWindow::weekly([Weekday::Sat], hm(23, 0), Span::from_hours(3).unwrap(), ny)
                .unwrap();
        // Saturday 2024-11-02 23:00 EDT = 03:00Z; the clocks fall back at 02:00 EDT, so the
        // local 02:00 Sunday end is 07:00Z: four hours of real time.
        let o = w
            .occurrence_at(Utc.with_ymd_and_hms(2024, 11, 3, 5, 0, 0).unwrap())
            .unwrap();
        assert_eq!(
            o.start(),
            Utc.with_ymd_and_hms(2024, 11, 3, 3, 0, 0).unwrap()
        );
        assert_eq!(o.end(), Utc.with_ymd_and_hms(2024, 11, 3, 7, 0, 0).unwrap());
        let range = Interval::new(
            Utc.with_ymd_and_hms(2024, 10, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2024, 11, 1, 0, 0, 0).unwrap(),
        )
        .unwrap();
        let all = w.occurrences(range);
        assert_eq!(all.len(), 4); // Oct 5, 12, 19, 26
        assert!(all.iter().all(|o| o.length() == TimeDelta::hours(3)));
    }

    #[test]
    fn serde_round_trip_and_errors() {
        let json =
            r#"{"days":["sun","mon"],"start":"02:30","duration":"90m","zone":"Europe/Paris"}"#;
        let w: RecurringWindow = serde_json::from_str(json).unwrap();
        assert_eq!(w.days(), [Weekday::Mon, Weekday::Sun]);
        assert_eq!(w.to_string(), "monday, sunday 02:30 for 90m (Europe/Paris)");
        let back: RecurringWindow =
            serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(back, w);
        let never = r#"{"days":["sun"],"start":"02:00","duration":"7d"}"#;
        let err = serde_json::from_str::<RecurringWindow>(never).unwrap_err();
        let direct = RecurringWindow::weekly(
            [Weekday::Sun],
            hm(2, 0),
            Span::from_days(7).unwrap(),
            Zone::UTC,
        )
        .unwrap_err();
        assert!(err.to_string().starts_with(&direct.to_string()), "{err}");
        assert!(
            serde_json::from_str::<RecurringWindow>(
                r#"{"days":["someday"],"start":"02:00","duration":"1h"}"#
            )
            .is_err()
        );
    }
}
