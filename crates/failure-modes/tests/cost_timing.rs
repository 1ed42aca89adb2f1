//! When F8 pages a runaway: as soon as the readings show it over the shortest stretch holding a
//! quarter of a usual day, wherever midnight falls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Datelike, Duration, TimeZone, Timelike, Utc};
use failure_modes::{ChargeSample, CostRunaway, Detector, Severity};

/// Probe A (2026-12-07): hourly readings of a flat 1 USD an hour from October, then 12 USD an
/// hour from `start_hour` on 15 November. The page is due at the first reading whose six-hour
/// stretch (a quarter of a day) holds five runaway hours: 61 / 6 = 10.2x, over the 9.5x bar
/// (10x less the 5 % tolerance). A runaway from midnight paged a reading late: the stretch from
/// 22:00 to 04:00 computed 0.24999999999999997 of a day and was passed over for seven hours
/// (62 / 7 = 8.9x, under the bar).
#[test]
fn f8_pages_a_runaway_after_five_readings_whatever_the_hour_it_starts() {
    for start_hour in 0..6 {
        let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
        let start = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
        let runaway_from = Utc
            .with_ymd_and_hms(2026, 11, 15, start_hour, 0, 0)
            .unwrap();
        let mut total = 0.0;
        let mut page = None;
        for h in 0..24 * 47 {
            let at = start + Duration::hours(h);
            if at.day() == 1 && at.hour() == 0 && h > 0 {
                total = 0.0;
            }
            total += if at >= runaway_from { 12.0 } else { 1.0 };
            let sample = ChargeSample {
                at,
                estimated_charges: total,
            };
            for finding in f8.push(sample).unwrap() {
                if finding.severity == Severity::Page && page.is_none() {
                    page = Some(finding.end);
                }
            }
        }
        assert_eq!(
            page,
            Some(runaway_from + Duration::hours(4)),
            "a runaway from {start_hour:02}:00"
        );
    }
}
