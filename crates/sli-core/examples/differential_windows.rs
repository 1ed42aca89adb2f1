//! Writes random calendar and rolling window cases, with sli-core's answers, as JSON lines for
//! `tools/differential/windows.py`, which recomputes each window from its definition with
//! Python's `zoneinfo` and compares.
//!
//! `cargo run -p sli-core --example differential_windows -- <seed> <cases> [end] > cases.jsonl`
//!
//! Half the instants are drawn near a change of the zone's UTC offset (found by bisection on
//! `Zone::offset_at`), and half the anchors at the local time of such a change, because that is
//! where a window's bounds are hardest to get right.

#[path = "differential/rng.rs"]
mod rng;

use rng::Rng;
use std::num::NonZeroU32;

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde_json::json;
use sli_core::{CalendarPeriod, CalendarWindow, Span, Window, Zone};

/// Zones with daylight saving time of every shape: 30-minute (Lord_Howe), 45-minute offsets
/// (Chatham), negative DST (Dublin, Casablanca), changes at midnight (Santiago, Havana, Beirut,
/// Asuncion), a skipped day (Apia), two-hour DST (Troll), and fixed offsets.
const ZONES: &[&str] = &[
    "UTC",
    "America/New_York",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "America/St_Johns",
    "America/Santiago",
    "America/Havana",
    "Asia/Beirut",
    "America/Asuncion",
    "Europe/London",
    "Europe/Dublin",
    "Africa/Casablanca",
    "Australia/Sydney",
    "Pacific/Apia",
    "Antarctica/Troll",
    "America/Adak",
    "Asia/Tehran",
    "Asia/Gaza",
    "America/Nuuk",
    "Asia/Kathmandu",
    "+05:45",
    "-09:30",
    "Etc/GMT+12",
];

const PERIODS: &[CalendarPeriod] = &[
    CalendarPeriod::Minute,
    CalendarPeriod::Hour,
    CalendarPeriod::Day,
    CalendarPeriod::Week,
    CalendarPeriod::Month,
    CalendarPeriod::Quarter,
    CalendarPeriod::Year,
];

fn instant(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).unwrap_or_default()
}

/// The first change of `zone`'s offset within a year after `from`, to the second.
fn next_change(zone: Zone, from: i64) -> Option<i64> {
    let offset = zone.offset_at(instant(from));
    let mut hi = from;
    while zone.offset_at(instant(hi)) == offset {
        hi += 86_400;
        if hi - from > 400 * 86_400 {
            return None;
        }
    }
    let mut lo = hi - 86_400;
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if zone.offset_at(instant(mid)) == offset {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(hi)
}

fn main() -> Result<(), sli_core::Error> {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let cases: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let mut rng = Rng(seed);
    // The tz database compiled in, which windows.py compares with the system's.
    println!(
        "{}",
        json!({"kind": "meta", "tzdata": chrono_tz::IANA_TZDB_VERSION})
    );
    // 1971 to 2037 by default: the years both tz databases hold explicit transitions for; a
    // third argument moves the end (seconds since the epoch), to compare the rules' far future.
    let lo = 31_536_000_i64;
    let hi: i64 = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_114_380_800);
    for _ in 0..cases {
        let name = ZONES[rng.below(ZONES.len() as u64) as usize];
        let zone: Zone = name.parse()?;
        let mut at = rng.range(lo, hi);
        let change = next_change(zone, at);
        if rng.below(2) == 0
            && let Some(change) = change
        {
            // Within a few hours of the change, often exactly on it or a second away.
            at = change
                + match rng.below(3) {
                    0 => rng.range(-1, 2),
                    _ => rng.range(-4 * 3_600, 4 * 3_600),
                };
        }
        let at_time = instant(at);
        let period = PERIODS[rng.below(PERIODS.len() as u64) as usize];
        let count = if rng.below(4) == 0 {
            rng.range(2, 5)
        } else {
            1
        } as u32;
        let anchor: Option<NaiveDateTime> = match rng.below(4) {
            0 => None,
            // The local time of an offset change, on some date before or after.
            1 => change.map(|c| {
                let local = instant(c).naive_utc()
                    + TimeDelta::seconds(i64::from(
                        zone.offset_at(instant(c - 1)).local_minus_utc(),
                    ));
                local
                    + TimeDelta::days(rng.range(-3_000, 3_000))
                    + TimeDelta::minutes(rng.range(-1, 2) * 30)
            }),
            _ => Some(
                instant(rng.range(lo, hi)).naive_utc()
                    - TimeDelta::seconds(rng.range(0, 86_400) % 60),
            ),
        };
        let mut window = CalendarWindow::new(period, zone)
            .with_count(NonZeroU32::new(count).unwrap_or(NonZeroU32::MIN));
        if let Some(anchor) = anchor {
            window = window.with_anchor(anchor);
        }
        let result = match window.containing(at_time) {
            Ok(i) => json!([i.start().timestamp(), i.end().timestamp()]),
            Err(e) => json!(e.to_string()),
        };
        let anchor_text = anchor.map(|a| a.format("%Y-%m-%dT%H:%M:%S").to_string());
        println!(
            "{}",
            json!({"kind": "calendar", "zone": name, "period": period.unit().to_string(),
                   "count": count, "anchor": anchor_text, "at": at, "got": result})
        );
        let span_seconds = rng.range(60, 400 * 86_400);
        if let Ok(span) = Span::from_seconds(span_seconds)
            && let Ok(i) = Window::rolling(span).containing(at_time)
        {
            println!(
                "{}",
                json!({"kind": "rolling", "span": span_seconds, "at": at,
                       "got": [i.start().timestamp(), i.end().timestamp()]})
            );
        }
    }
    Ok(())
}
