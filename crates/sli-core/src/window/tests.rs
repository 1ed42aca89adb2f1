//! Windows, zones and intervals against hand-computed calendars.

use chrono::TimeZone;

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
    let day = Window::Calendar(CalendarWindow::with_offset(CalendarPeriod::Day, plus2).unwrap());
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

/// The window returned holds the instant asked about, also where the local clock repeats or
/// skips the local time of a period's start (found by `tools/differential/windows.py`: the
/// period was chosen by comparing local times, which a fold and a gap do not order).
#[test]
fn the_window_holds_the_instant_across_folds_and_gaps() {
    let hms = |y, m, d, h, mi, s| Utc.with_ymd_and_hms(y, m, d, h, mi, s).unwrap();
    // St. John's fell back at 00:01 on 7 November 2010: 02:31 UTC is 23:01 NST on the 6th,
    // read a second time, after the 7th began (00:00 NDT, 02:30 UTC).
    let at = hms(2010, 11, 7, 2, 31, 0);
    let w = window(CalendarPeriod::Day, "America/St_Johns", at);
    assert!(w.contains(at), "{w:?}");
    assert_eq!(
        (w.start, w.end),
        (hms(2010, 11, 7, 2, 30, 0), hms(2010, 11, 8, 3, 30, 0))
    );
    // Days from 02:30 in New York: on 10 March 2024 02:30 is skipped and read as 07:30 UTC,
    // so 07:00 UTC (03:00 EDT) is still in the day that began on the 9th.
    let daily = CalendarWindow::new(CalendarPeriod::Day, zone("America/New_York")).with_anchor(
        NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap(),
    );
    let at = hms(2024, 3, 10, 7, 0, 0);
    let w = daily.containing(at).unwrap();
    assert_eq!(
        (w.start, w.end),
        (hms(2024, 3, 9, 7, 30, 0), hms(2024, 3, 10, 7, 30, 0))
    );
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
        serde_json::from_str(r#"{"calendar":{"period":"day","utc_offset_seconds":3600}}"#).unwrap();
    let Window::Calendar(c) = old else { panic!() };
    assert_eq!(c.zone.to_string(), "Etc/GMT-1");
    assert!(serde_json::from_str::<Window>(r#"{"calendar":{"period":"day","count":0}}"#).is_err());
    assert!(
        serde_json::from_str::<Window>(r#"{"calendar":{"period":"day","zone":"Nowhere/X"}}"#)
            .is_err()
    );
}

/// An instant a fraction of a second before the anchor (2024-01-01 by default) belongs to the
/// period before it: whole seconds were rounded toward zero, so 22:59:59.5 on New Year's Eve
/// 2023 fell in [23:00, 00:00) and a report at such an instant was refused.
#[test]
fn periods_before_the_anchor_hold_their_instant() {
    let periods = [
        CalendarPeriod::Minute,
        CalendarPeriod::Hour,
        CalendarPeriod::Day,
        CalendarPeriod::Week,
    ];
    let anchor = utc(2024, 1, 1, 0);
    for period in periods {
        for zone_name in ["UTC", "Asia/Kolkata"] {
            let calendar = CalendarWindow::new(period, zone(zone_name));
            for ms in [
                -500,
                -1,
                -59_999,
                -60_000_250,
                -3_600_000_001,
                1,
                500,
                86_399_999,
            ] {
                for offset_days in [-800i64, -1, 0, 400] {
                    let at = anchor + TimeDelta::days(offset_days) + TimeDelta::milliseconds(ms);
                    let found = calendar.containing(at).unwrap();
                    assert!(found.contains(at), "{period:?} {zone_name} {at}: {found:?}");
                }
            }
        }
    }
    let hour = Window::calendar(CalendarPeriod::Hour)
        .containing(
            Utc.with_ymd_and_hms(2023, 12, 31, 22, 59, 59).unwrap() + TimeDelta::milliseconds(500),
        )
        .unwrap();
    assert_eq!(
        (hour.start(), hour.end()),
        (utc(2023, 12, 31, 22), utc(2023, 12, 31, 23))
    );
}
