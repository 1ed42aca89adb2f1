//! `timeWindow`: rolling windows and calendar windows in a time zone, from a start time.

use std::num::NonZeroU32;

use chrono::{Datelike, NaiveDateTime, Timelike};

use super::error::Problem;
use super::field::*;
use crate::{CalendarPeriod, CalendarWindow, Span, Window, Zone};

pub(super) fn time_window(cx: &mut Cx<'_>, f: &F<'_>) -> Result<Window> {
    let items = f.items()?;
    let first = match items {
        [one] => f.index(0, one),
        [] => {
            return Err(f.err(Problem::MissingField {
                field: "timeWindow",
            }));
        }
        [_, second, ..] => {
            return Err(f.index(1, second).err(Problem::Unsupported {
                what: "more than one time window".into(),
            }));
        }
    };
    cx.keys(&first, &["duration", "isRolling", "calendar"])?;
    let duration_field = required(&first, "duration")?;
    let length = duration(cx, &duration_field)?;
    let calendar = optional(&first, "calendar");
    // `isRolling`: "if omitted assumed false if calendar is present" (the v1 spec).
    let rolling = match optional(&first, "isRolling") {
        Some(r) => cx.boolean(&r)?,
        None => calendar.is_none(),
    };
    if rolling {
        if let Some(c) = &calendar {
            cx.rule(
                c,
                Problem::Conflict {
                    reason: "calendar cannot be set when isRolling is true (ignored)".into(),
                },
            )?;
        }
        let seconds = match length.fixed_seconds() {
            Some(s) => s,
            None => {
                let seconds = length.sdk_seconds();
                cx.warn(
                    &duration_field,
                    Problem::Mapped {
                        what: format!(
                            "rolling window {}: a month, quarter or year has no fixed length; read as {} days, as the OpenSLO Go SDK does",
                            duration_field.text()?,
                            seconds / 86_400
                        ),
                    },
                );
                seconds
            }
        };
        let span = Span::from_seconds(seconds).map_err(|e| duration_field.err(Problem::Core(e)))?;
        return Ok(Window::Rolling(span));
    }
    if length.seconds.is_some() {
        return Err(duration_field.err(Problem::Unsupported {
            what: "a calendar window in seconds".into(),
        }));
    }
    if length.unit == CalendarPeriod::Minute {
        // The official timeslices example writes `1m` meaning a month.
        cx.warn(
            &duration_field,
            Problem::InvalidValue {
                value: duration_field.text()?.to_owned(),
                reason: "`m` is minutes: this calendar window is minutes long, not months (a month is `1M`)"
                    .into(),
            },
        );
    }
    let count = NonZeroU32::new(length.count).unwrap_or(NonZeroU32::MIN);
    let Some(calendar) = calendar else {
        cx.rule(&first, Problem::MissingField { field: "calendar" })?;
        return Ok(Window::Calendar(
            CalendarWindow::utc(length.unit).with_count(count),
        ));
    };
    cx.keys(&calendar, &["startTime", "timeZone"])?;
    let tz_field = required(&calendar, "timeZone")?;
    let zone_text = tz_field.text()?;
    let zone: Zone = zone_text
        .parse()
        .map_err(|e| tz_field.err(Problem::Core(e)))?;
    if zone_text.starts_with(['+', '-']) {
        cx.rule(
            &tz_field,
            Problem::InvalidValue {
                value: zone_text.to_owned(),
                reason: "timeZone is a name of the IANA time-zone database (Etc/GMT-2 for +02:00)"
                    .into(),
            },
        )?;
    }
    let start_field = required(&calendar, "startTime")?;
    let start_text = start_field.text()?;
    let start = match NaiveDateTime::parse_from_str(start_text, "%Y-%m-%d %H:%M:%S") {
        Ok(start) => start,
        Err(_) => {
            let start =
                NaiveDateTime::parse_from_str(start_text, "%Y-%m-%dT%H:%M:%S").map_err(|_| {
                    start_field.err(Problem::InvalidValue {
                        value: start_text.to_owned(),
                        reason: "expected a date and time as 2024-01-01 00:00:00".into(),
                    })
                })?;
            // ISO 8601's `T` is not the spec's format (Go's time.DateTime).
            cx.rule(
                &start_field,
                Problem::InvalidValue {
                    value: start_text.to_owned(),
                    reason: "startTime is written 2024-01-01 00:00:00, without a T".into(),
                },
            )?;
            start
        }
    };
    let aligned = CalendarWindow::new(length.unit, zone).with_count(count);
    // An anchor that starts an aligned period names the aligned window itself.
    let window = if count.get() == 1 && aligned_start(length.unit, start) {
        aligned
    } else {
        aligned.with_anchor(start)
    };
    Ok(Window::Calendar(window))
}

/// Whether a local start time begins an aligned period of `unit`: a whole minute or hour,
/// midnight, a Monday, the 1st, a quarter's first day, January 1st.
pub(super) fn aligned_start(unit: CalendarPeriod, start: NaiveDateTime) -> bool {
    let time = start.time().num_seconds_from_midnight();
    match unit {
        CalendarPeriod::Minute => time.is_multiple_of(60),
        CalendarPeriod::Hour => time.is_multiple_of(3_600),
        CalendarPeriod::Day => time == 0,
        CalendarPeriod::Week => time == 0 && start.weekday() == chrono::Weekday::Mon,
        CalendarPeriod::Month => time == 0 && start.day() == 1,
        CalendarPeriod::Quarter => {
            time == 0 && start.day() == 1 && start.month0().is_multiple_of(3)
        }
        CalendarPeriod::Year => time == 0 && start.ordinal() == 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openslo::Mode;

    fn window(text: &str, mode: Mode) -> (Result<Window>, usize) {
        let (w, warnings) = with_document(text, mode, |cx, root| {
            time_window(cx, &required(root, "timeWindow")?)
        });
        (w, warnings.len())
    }

    #[test]
    fn rolling_and_calendar_windows() {
        let (w, n) = window(
            "timeWindow: [{duration: 2w, isRolling: true}]",
            Mode::Strict,
        );
        assert_eq!(
            (w.unwrap(), n),
            (Window::rolling(Span::from_days(14).unwrap()), 0)
        );
        // A month rolling: 30 days, with a warning in both modes.
        let (w, n) = window(
            "timeWindow: [{duration: 1M, isRolling: true}]",
            Mode::Strict,
        );
        assert_eq!(
            (w.unwrap(), n),
            (Window::rolling(Span::from_days(30).unwrap()), 1)
        );
        // Calendar: an aligned start is the aligned window; another start anchors it.
        let aligned = "timeWindow: [{duration: 1M, calendar: {startTime: '2024-03-01 00:00:00', timeZone: Europe/Berlin}}]";
        let (w, _) = window(aligned, Mode::Strict);
        assert_eq!(
            w.unwrap(),
            Window::Calendar(CalendarWindow::new(
                CalendarPeriod::Month,
                "Europe/Berlin".parse().unwrap()
            ))
        );
        let (w, _) = window(&aligned.replace("03-01 00", "03-15 00"), Mode::Strict);
        let Window::Calendar(c) = w.unwrap() else {
            panic!()
        };
        assert_eq!(
            c.anchor.map(|a| a.to_string()).as_deref(),
            Some("2024-03-15 00:00:00")
        );
        // Rules: a calendar on a rolling window, a non-IANA zone, a T in the start time.
        for text in [
            "timeWindow: [{duration: 1d, isRolling: true, calendar: {startTime: '2024-01-01 00:00:00', timeZone: UTC}}]",
            "timeWindow: [{duration: 1d, isRolling: false, calendar: {startTime: '2024-01-01 00:00:00', timeZone: '+02:00'}}]",
            "timeWindow: [{duration: 1d, isRolling: false, calendar: {startTime: '2024-01-01T00:00:00', timeZone: UTC}}]",
            "timeWindow: [{duration: 1d, isRolling: false}]",
        ] {
            assert!(window(text, Mode::Strict).0.is_err(), "{text}");
            let (w, n) = window(text, Mode::Lenient);
            assert!(w.is_ok() && n == 1, "{text}");
        }
        // Two windows, a calendar window in seconds: refused.
        assert!(
            window(
                "timeWindow: [{duration: 1d, isRolling: true}, {duration: 2d, isRolling: true}]",
                Mode::Lenient
            )
            .0
            .is_err()
        );
        assert!(window("timeWindow: [{duration: 60s, calendar: {startTime: '2024-01-01 00:00:00', timeZone: UTC}}]", Mode::Lenient).0.is_err());
    }

    #[test]
    fn aligned_starts() {
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap();
        assert!(aligned_start(
            CalendarPeriod::Week,
            at("2024-01-01 00:00:00")
        ));
        assert!(!aligned_start(
            CalendarPeriod::Week,
            at("2024-01-02 00:00:00")
        ));
        assert!(aligned_start(
            CalendarPeriod::Quarter,
            at("2024-10-01 00:00:00")
        ));
        assert!(!aligned_start(
            CalendarPeriod::Quarter,
            at("2024-11-01 00:00:00")
        ));
        assert!(aligned_start(
            CalendarPeriod::Hour,
            at("2024-11-01 13:00:00")
        ));
        assert!(!aligned_start(
            CalendarPeriod::Year,
            at("2024-02-01 00:00:00")
        ));
    }
}
