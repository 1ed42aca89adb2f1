//! Calendar windows anchored at a civil time the zone's clock skips or shows twice (OpenSLO's
//! `calendar.startTime`, e.g. `2022-03-13 02:30:00` in America/New_York). Such a start is one
//! instant (the offset before the gap; the earlier of a fold), and `containing` used to compare
//! civil times to find the period: an instant between that start and the civil time it names
//! got a period that did not contain it (03:07 EDT on 13 March: the period starting 03:30 EDT).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::num::NonZeroU32;

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use sli_core::{CalendarPeriod, CalendarWindow, Interval};

fn window(
    zone: &str,
    period: CalendarPeriod,
    count: u32,
    anchor: (i32, u32, u32, u32, u32),
) -> CalendarWindow {
    let (y, mo, d, h, mi) = anchor;
    CalendarWindow::new(period, zone.parse().unwrap())
        .with_count(NonZeroU32::new(count).unwrap())
        .with_anchor(
            NaiveDate::from_ymd_opt(y, mo, d)
                .unwrap()
                .and_hms_opt(h, mi, 0)
                .unwrap(),
        )
}

#[test]
fn an_instant_after_a_skipped_start_is_in_the_period_before_it() {
    let day = window(
        "America/New_York",
        CalendarPeriod::Day,
        1,
        (2022, 3, 13, 2, 30),
    );
    let at = Utc.with_ymd_and_hms(2022, 3, 13, 7, 7, 0).unwrap(); // 03:07 EDT
    let period = day.containing(at).unwrap();
    assert_eq!(
        (period.start(), period.end()),
        (
            Utc.with_ymd_and_hms(2022, 3, 12, 7, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2022, 3, 13, 7, 30, 0).unwrap()
        )
    );
    // 01:07 EST, after the fold's first 01:30 (EDT): the period that starts there.
    let day = window(
        "America/New_York",
        CalendarPeriod::Day,
        1,
        (2022, 11, 6, 1, 30),
    );
    let at = Utc.with_ymd_and_hms(2022, 11, 6, 6, 7, 0).unwrap();
    let period = day.containing(at).unwrap();
    assert_eq!(
        period.start(),
        Utc.with_ymd_and_hms(2022, 11, 6, 5, 30, 0).unwrap()
    );
    assert!(period.end() > at);
}

/// Every hour of two years, in zones with gaps and folds of an hour and of half an hour and
/// with a transition at midnight: the period holds the instant, and periods follow one
/// another without gap or overlap.
#[test]
fn periods_anchored_in_gaps_and_folds_hold_every_instant() {
    for (zone, anchor) in [
        ("America/New_York", (2022, 3, 13, 2, 30)),
        ("America/New_York", (2022, 11, 6, 1, 30)),
        ("Europe/London", (2022, 3, 27, 1, 15)),
        ("Australia/Lord_Howe", (2022, 4, 3, 1, 45)),
        ("America/Havana", (2022, 3, 13, 0, 0)),
        ("America/Santiago", (2022, 9, 11, 0, 0)),
    ] {
        for period in [
            CalendarPeriod::Day,
            CalendarPeriod::Week,
            CalendarPeriod::Month,
        ] {
            for count in [1, 2] {
                let w = window(zone, period, count, anchor);
                let t0 = Utc.with_ymd_and_hms(2021, 12, 1, 0, 7, 0).unwrap();
                let mut previous: Option<Interval> = None;
                for hour in 0..24 * 730 {
                    let at = t0 + TimeDelta::hours(hour);
                    let got = w.containing(at).unwrap();
                    assert!(got.contains(at), "{w}: {at} not in {got:?}");
                    if let Some(p) = previous.filter(|p| *p != got) {
                        assert_eq!(p.end(), got.start(), "{w}: {p:?} then {got:?}");
                    }
                    previous = Some(got);
                }
            }
        }
    }
}
