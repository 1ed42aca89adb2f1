//! F8's outputs pinned to those of 74180d7c, before its speed work: the `Debug` of every
//! finding and error, and the bits of `month_end_forecast()` after every reading, over random
//! streams, must stay the same, byte for byte (FNV-1a of the text). A change meant to be only
//! faster must leave the digest as it is.
//!
//! The streams: hourly readings (every second stream, as the bench's), hourly with jitter and
//! nanoseconds, every few minutes, and irregular ones (minutes to half a day apart); each
//! reading showing the month's usage some hours behind (so the old month's total is still
//! read on the 1st, and the reset shows late), with a daily and weekly pattern, growth, noise
//! and spend from cents to millions a day; runaways (2x to 50x, hours to days), evenings and
//! days without readings, late readings (an older total), the old month's total after the
//! reset, credits, declared one-off charges (shown on their day, a day late, never, larger
//! than the month; and refused ones: past days, bad amounts), bad values (NaN, negative,
//! infinite, past 2^360), times out of order or repeated; under random settings (the
//! defaults every fourth stream).

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc};

use super::{ChargeSample, CostConfig, CostRunaway, OneOffCharge};
use crate::detector::Detector;

use crate::detectors::bit_identity_support::{Rng, fnv1a};

/// Random settings, the default ones every fourth stream.
fn config(rng: &mut Rng, k: u64) -> CostConfig {
    let base = CostConfig::default();
    if k.is_multiple_of(4) {
        return base;
    }
    let ticket = 1.0 + 3.0 * rng.uniform();
    let page = ticket * (1.0 + 9.0 * rng.uniform());
    let mut cfg = base
        .with_ticket_multiple(ticket)
        .with_page_multiple(page)
        .with_trailing_days(2 + rng.below(30) as usize)
        .with_warm_up_days(rng.below(15) as usize)
        .with_min_daily_spend([1.0, 0.01, 50.0, 1e-9][rng.below(4) as usize])
        .with_min_share(0.05 + 0.9 * rng.uniform())
        .with_tolerance(0.1 * rng.uniform())
        .with_publish_lag(TimeDelta::minutes(rng.below(20 * 60) as i64));
    if rng.chance(20) {
        // Refused settings, now and then.
        cfg = cfg.with_ticket_multiple([0.5, f64::NAN, page * 2.0][rng.below(3) as usize]);
    }
    if rng.chance(25) {
        cfg = cfg.with_trailing_days([0, 1, 2000][rng.below(3) as usize]);
    }
    cfg
}

/// The usage of the hour starting at `hour` (hours since the stream's start).
struct Usage {
    per_hour: f64,
    swing: f64,
    weekend: f64,
    growth: f64,
    noise: f64,
    /// Runaways: (first hour, hours, multiple).
    runaways: Vec<(i64, i64, f64)>,
}

impl Usage {
    fn hour(&self, rng: &mut Rng, hour: i64, weekday: u32) -> f64 {
        let day = (hour.rem_euclid(24) as f64 / 24.0) * std::f64::consts::TAU;
        let weekly = if weekday >= 5 { self.weekend } else { 1.0 };
        let mut usage = self.per_hour
            * (1.0 + self.swing * day.sin())
            * weekly
            * (1.0 + self.growth * hour as f64)
            * (1.0 + self.noise * (rng.uniform() - 0.5));
        for &(first, hours, multiple) in &self.runaways {
            if (first..first + hours).contains(&hour) {
                usage *= multiple;
            }
        }
        usage.max(0.0)
    }
}

/// `count` streams; the text of everything F8 gives back.
fn streams(count: u64) -> String {
    let mut out = String::new();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for k in 0..count {
        let cfg = config(&mut rng, k);
        let mut f8 = match CostRunaway::new("USD", cfg) {
            Ok(d) => d,
            Err(e) => {
                writeln!(out, "{k} new {e:?}").unwrap();
                continue;
            }
        };
        writeln!(out, "stream {k} {cfg:?}").unwrap();
        let start = Utc
            .with_ymd_and_hms(
                [2026, 2016, 2027, 2024][rng.below(4) as usize],
                1 + rng.below(12) as u32,
                1 + rng.below(28) as u32,
                rng.below(24) as u32,
                0,
                0,
            )
            .unwrap();
        let days = if k.is_multiple_of(5) {
            60 + rng.below(40)
        } else {
            20 + rng.below(40)
        } as i64;
        let hours = days * 24;
        // How readings come: hourly (half the streams), hourly with jitter, every few
        // minutes, or irregularly.
        let cadence = match k % 8 {
            0 | 2 | 4 | 6 => 0,
            1 | 5 => 1,
            3 => 2,
            _ => 3,
        };
        let lag_hours = [0, 0, 2, 4, 8, 20, 30][rng.below(7) as usize] as f64
            + if rng.chance(2) { rng.uniform() } else { 0.0 };
        let scale = 10f64.powf(-2.0 + 8.0 * rng.uniform()) / 24.0;
        let mut usage = Usage {
            per_hour: scale,
            swing: 0.5 * rng.uniform(),
            weekend: 0.3 + 0.7 * rng.uniform(),
            growth: (rng.uniform() - 0.3) * 1e-3,
            noise: 0.4 * rng.uniform(),
            runaways: Vec::new(),
        };
        for _ in 0..rng.below(4) {
            let first = (24 * 8 + rng.below(hours as u64)) as i64;
            let length = [1, 3, 6, 12, 30, 80][rng.below(6) as usize];
            let multiple = [2.0, 3.0, 10.0, 50.0, 1.5][rng.below(5) as usize];
            usage.runaways.push((first, length, multiple));
        }
        // The usage hour by hour, and the one-off charges that land (first hour, amount).
        let mut hourly = Vec::with_capacity(hours as usize + 48);
        for h in 0..hours + 48 {
            let at = start + TimeDelta::hours(h);
            hourly.push(usage.hour(&mut rng, h, at.weekday().num_days_from_monday()));
        }
        let mut landed: Vec<(DateTime<Utc>, f64)> = Vec::new();
        let mut credits: Vec<(DateTime<Utc>, f64)> = Vec::new();
        // Declared one-off charges, made before the readings or along them.
        let mut declarations: Vec<(i64, OneOffCharge)> = Vec::new();
        for _ in 0..rng.below(5) {
            let day_offset = rng.below(days as u64 + 2) as i64;
            let day = (start + TimeDelta::days(day_offset)).date_naive();
            let amount = match rng.below(6) {
                0 => scale * 24.0 * 100.0,
                1 => scale * 24.0 * (1.0 + 5.0 * rng.uniform()),
                2 => scale * 24.0 * 1000.0,
                3 => [f64::NAN, -5.0, 0.0, 1e300][rng.below(4) as usize],
                _ => scale * 24.0 * 20.0 * rng.uniform(),
            };
            // Shown at its day's start, some hours into it, a day late, or never.
            let midnight = day.and_hms_opt(0, 0, 0).unwrap().and_utc();
            match rng.below(5) {
                0 => {}
                1 => landed.push((midnight + TimeDelta::hours(30), amount)),
                2 => landed.push((midnight + TimeDelta::hours(rng.below(24) as i64), amount)),
                _ => landed.push((midnight, amount)),
            }
            // Declared before the readings (at reading 0), or when a reading of some hour
            // before or after the day has been made.
            let when = if rng.chance(2) {
                0
            } else {
                (day_offset * 24 + rng.below(72) as i64 - 48).max(0)
            };
            let description = if rng.chance(30) {
                "x".repeat(2000)
            } else {
                format!("fee {k}")
            };
            declarations.push((
                when,
                OneOffCharge {
                    day,
                    amount,
                    description,
                },
            ));
        }
        declarations.sort_by_key(|(when, _)| *when);
        for _ in 0..rng.below(3) {
            let at = start + TimeDelta::hours(rng.below(hours as u64) as i64);
            credits.push((at, scale * 24.0 * 3.0 * rng.uniform()));
        }
        landed.retain(|(_, a)| a.is_finite() && *a > 0.0 && *a < 1e200);
        // Month-to-date as published at `seen`: the month of `seen` (UTC), the usage of its
        // whole hours before `seen`, the one-offs landed and the credits given by then.
        let prefix: Vec<f64> = std::iter::once(0.0)
            .chain(hourly.iter().scan(0.0, |sum, u| {
                *sum += u;
                Some(*sum)
            }))
            .collect();
        let month_to_date = |seen: DateTime<Utc>| -> f64 {
            let first = NaiveDate::from_ymd_opt(seen.year(), seen.month(), 1)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
                .and_utc()
                .max(start);
            let from = (first - start).num_hours().clamp(0, hours + 47) as usize;
            let to = (seen - start).num_hours().clamp(0, hours + 47) as usize;
            let used = prefix[to] - prefix[from.min(to)];
            let in_month = |t: &DateTime<Utc>| *t >= first && *t <= seen;
            let fees: f64 = landed
                .iter()
                .filter(|(t, _)| in_month(t))
                .map(|x| x.1)
                .sum();
            let credit: f64 = credits
                .iter()
                .filter(|(t, _)| in_month(t))
                .map(|x| x.1)
                .sum();
            (used + fees - credit).max(0.0)
        };
        let lag = TimeDelta::milliseconds((lag_hours * 3_600_000.0) as i64);
        let mut at = start;
        let mut i = 0usize;
        let mut reading_hour = 0i64;
        while at < start + TimeDelta::hours(hours) {
            while declarations
                .first()
                .is_some_and(|(when, _)| *when <= reading_hour)
            {
                let (_, charge) = declarations.remove(0);
                match f8.declare(charge) {
                    Ok(()) => writeln!(out, "{i} declared").unwrap(),
                    Err(e) => writeln!(out, "{i} declare {e:?}").unwrap(),
                }
            }
            let mut value = month_to_date(at - lag);
            // Late readings (an older total), the old month's total, bad values.
            match rng.below(300) {
                0..=2 => {
                    value = month_to_date(at - lag - TimeDelta::hours(1 + rng.below(8) as i64))
                }
                3 => value = f64::NAN,
                4 => value = -1.0,
                5 => value = f64::INFINITY,
                6 => value = 1e300,
                7 => value *= 0.5,
                _ => {}
            }
            if (at - lag).day() == 1 && rng.chance(6) {
                value = month_to_date(at - lag - TimeDelta::hours(12));
            }
            let mut when = at;
            match rng.below(400) {
                0 => when -= TimeDelta::hours(2),
                1 => when -= TimeDelta::seconds(1),
                _ => {}
            }
            match f8.push(ChargeSample {
                at: when,
                estimated_charges: value,
            }) {
                Ok(findings) => {
                    for f in findings {
                        writeln!(out, "{i} {f:?}").unwrap();
                    }
                }
                Err(e) => writeln!(out, "{i} err {e:?}").unwrap(),
            }
            writeln!(
                out,
                "{i} forecast {:?}",
                f8.month_end_forecast().map(f64::to_bits)
            )
            .unwrap();
            i += 1;
            // The next reading.
            let step = match cadence {
                0 => TimeDelta::hours(1),
                1 => TimeDelta::nanoseconds(
                    3_600_000_000_000 + rng.below(1_200_000_000_000) as i64 - 600_000_000_000,
                ),
                2 => TimeDelta::minutes(5 + rng.below(20) as i64),
                _ => TimeDelta::seconds(60 + rng.below(12 * 3600) as i64),
            };
            at += step;
            // Evenings and days without readings.
            match rng.below(500) {
                0 => at += TimeDelta::hours(5 + rng.below(6) as i64),
                1 => at += TimeDelta::days(1 + rng.below(3) as i64),
                _ => {}
            }
            reading_hour = (at - start).num_hours();
        }
    }
    out
}

#[test]
fn f8_findings_errors_and_forecasts_are_those_of_74180d7c() {
    let text = streams(240);
    let digest = fnv1a(&text);
    // What the streams reach: findings of both severities, refusals, forecasts.
    let tickets = text.matches("severity: Ticket").count();
    let pages = text.matches("severity: Page").count();
    let errors = text.matches(" err ").count();
    let refused = text.matches(" declare ").count();
    let forecasts = text.matches("forecast Some").count();
    let lines = text.lines().count();
    eprintln!(
        "F8 bit identity: {lines} lines, {tickets} tickets, {pages} pages, {errors} errors, \
         {refused} declarations refused, {forecasts} forecasts, digest {digest:#018x}"
    );
    assert_eq!(
        (tickets, pages, errors, refused, forecasts, lines),
        (1080, 453, 4039, 130, 258_527, 273_899)
    );
    assert_eq!(
        digest, 0xaf55_424c_5708_17d9,
        "F8's findings, errors or forecasts changed"
    );
}
