//! `TimedAnomalyDetector`, the generic detector fed `(period start, value)` pairs on a `Period`
//! grid: a configuration and a period picked by the input, a first time anywhere in chrono's
//! range (its ends included, off the whole second, or in a leap second), then pushes whose
//! times step forward by 0, 1 or k periods, by a second or a nanosecond, back, or leap to
//! chrono's ends, with values from the extremes of f64 (NaN, infinities, subnormals, just
//! inside and outside `MAX_MAGNITUDE`). Some points go in batches through `detect`.
//!
//! Each push is checked against a model that computes in i128 nanoseconds, not with chrono:
//! a time not after the last accepted one is `OutOfOrder`, one off the first point's grid is
//! `InvalidInput` (field `at`; a time in or after a leap second may also be refused so), a
//! refused value `InvalidValue` at the index it would have had, and any error leaves the
//! detector as it was (its `Debug` for the first pushes, its `next_index` and what it does
//! next for all). An accepted time is on the grid after the last one, and moves `next_index`
//! to one past its period's index; an alert is at the pushed time, with that index, and
//! finite. `detect` gives what pushing the points one by one gives.
#![no_main]

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use failure_modes::{
    AnomalyConfig, AnomalyKind, Error, MAX_MAGNITUDE, Period, RecordKind, Season, TimedAnomaly,
    TimedAnomalyDetector,
};
use libfuzzer_sys::fuzz_target;

/// Pushes per input, batches included.
const MAX_PUSHES: usize = 5_000;

/// Pushes after which the detector's `Debug` is no longer compared across an error (it grows
/// with the windows).
const DEBUG_CHECKED: usize = 48;

/// Reads the input a few bytes at a time; `None` once it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    fn bytes<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (first, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*first)
    }

    /// Values: the specials and edges of f64 and of the detector's range, small counts, raw
    /// bit patterns.
    fn value(&mut self) -> Option<f64> {
        Some(match self.u8()? % 16 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => f64::MAX,
            4 => MAX_MAGNITUDE,
            5 => -MAX_MAGNITUDE,
            6 => f64::from_bits(MAX_MAGNITUDE.to_bits() + 1),
            7 => f64::from_bits(1),
            8 => f64::MIN_POSITIVE,
            9 => -0.0,
            10 => 1e15,
            11..=14 => f64::from(self.u8()?),
            _ => f64::from_le_bytes(self.bytes()?),
        })
    }

    /// The period: CloudWatch's short ones, the usual ones, the longest it takes, or minutes
    /// from the input.
    fn period(&mut self) -> Option<Period> {
        let seconds = match self.u8()? % 10 {
            0 => 1,
            1 => 5,
            2 => 10,
            3 => 30,
            4 => 60,
            5 => 300,
            6 => 3600,
            7 => 86_400,
            // The largest multiple of 60 within i32::MAX.
            8 => i32::MAX as u32 / 60 * 60,
            _ => 60 * u32::from(u16::from_le_bytes(self.bytes()?)).max(1),
        };
        Some(Period::new(seconds).expect("a valid period"))
    }

    /// The first time: an ordinary one, the epoch, chrono's ends and near them, off the whole
    /// second, a leap second, or seconds from the input.
    fn start(&mut self) -> Option<DateTime<Utc>> {
        let ordinary = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        Some(match self.u8()? % 10 {
            0 | 1 => ordinary,
            2 => DateTime::UNIX_EPOCH,
            3 => DateTime::<Utc>::MIN_UTC,
            4 => DateTime::<Utc>::MAX_UTC,
            5 => DateTime::<Utc>::MAX_UTC - TimeDelta::days(1),
            6 => DateTime::<Utc>::MIN_UTC + TimeDelta::days(1),
            7 => ordinary + TimeDelta::milliseconds(500),
            8 => NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_000_000_000)
                .unwrap()
                .and_utc(),
            _ => DateTime::from_timestamp(i64::from_le_bytes(self.bytes()?), 0).unwrap_or(ordinary),
        })
    }

    /// The next time from `now`: mostly a period on, sometimes the same, several periods on,
    /// back, off the grid, or a leap to (or past) chrono's ends; a step past them lands on the
    /// end.
    fn time(&mut self, op: u8, now: &mut DateTime<Utc>, period: Period) -> Option<DateTime<Utc>> {
        let p = period.as_time_delta();
        let step = match op % 16 {
            0 => TimeDelta::zero(),
            1..=5 => p,
            6 => p * i32::from(self.u8()?),
            7 => TimeDelta::try_seconds(
                i64::from(period.seconds()) * i64::from(u32::from_le_bytes(self.bytes()?)),
            )
            .unwrap_or(TimeDelta::MAX),
            8 => -p,
            9 => TimeDelta::seconds(1),
            10 => TimeDelta::seconds(-1),
            11 => TimeDelta::nanoseconds(1),
            12 => {
                *now = DateTime::<Utc>::MAX_UTC;
                return Some(*now);
            }
            13 => {
                *now = DateTime::<Utc>::MIN_UTC;
                return Some(*now);
            }
            14 => TimeDelta::try_seconds(i64::from_le_bytes(self.bytes()?)).unwrap_or(
                if self.u8()? % 2 == 0 {
                    TimeDelta::MAX
                } else {
                    TimeDelta::MIN
                },
            ),
            _ => {
                let periods = i64::from_le_bytes(self.bytes()?);
                i64::from(period.seconds())
                    .checked_mul(periods)
                    .and_then(TimeDelta::try_seconds)
                    .unwrap_or(if periods >= 0 {
                        TimeDelta::MAX
                    } else {
                        TimeDelta::MIN
                    })
            }
        };
        *now = now
            .checked_add_signed(step)
            .unwrap_or(if step >= TimeDelta::zero() {
                DateTime::<Utc>::MAX_UTC
            } else {
                DateTime::<Utc>::MIN_UTC
            });
        Some(*now)
    }

    /// The configuration: the defaults, the defaults for the period, or small windows so that
    /// alerts come early (with or without a season, a record of values, a plain z-score).
    fn config(&mut self, period: Period) -> Option<AnomalyConfig> {
        let small = AnomalyConfig::default()
            .with_baseline(8)
            .with_short_window(3)
            .with_warm_up(4)
            .with_rewarm(2)
            .with_refractory(0)
            .with_season(None);
        Some(match self.u8()? % 6 {
            0 => AnomalyConfig::default(),
            1 => AnomalyConfig::for_period(period.seconds()).unwrap_or_default(),
            2 => small,
            3 => small.with_season(Some(Season::new(8, 4, 2).with_weeks(1))),
            4 => small
                .with_record_window(Some(4))
                .with_record_kind(RecordKind::Value),
            _ => AnomalyConfig::median_mad(8, 1.0, 0),
        })
    }
}

/// A time in nanoseconds since the epoch, leap seconds counted as chrono stores them.
fn nanos(t: DateTime<Utc>) -> i128 {
    i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
}

/// Whether `t` is in a leap second (chrono stores 23:59:60 as 23:59:59 and 1 to 2 s of
/// nanoseconds).
fn leap(t: DateTime<Utc>) -> bool {
    t.timestamp_subsec_nanos() >= 1_000_000_000
}

fn refused(value: f64) -> bool {
    !value.is_finite() || value.abs() > MAX_MAGNITUDE
}

/// What the detector must have taken: the first and the last accepted time and the index of
/// the next point.
#[derive(Clone, Copy, Debug)]
struct Model {
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    next_index: u64,
}

/// What a push must give, by the model.
enum Expected {
    OutOfOrder,
    /// Whole seconds and the nanoseconds of the last second past the grid.
    OffGrid {
        seconds: i128,
        nanos: i128,
    },
    Refused {
        index: u64,
    },
    Taken {
        index: u64,
    },
}

impl Model {
    fn expect(&self, period: Period, at: DateTime<Utc>, value: f64) -> Expected {
        let p = i128::from(period.seconds()) * 1_000_000_000;
        let index = match (self.first, self.last) {
            (Some(first), Some(last)) => {
                if nanos(at) <= nanos(last) {
                    return Expected::OutOfOrder;
                }
                let since = nanos(at) - nanos(first);
                if since % p != 0 {
                    return Expected::OffGrid {
                        seconds: since / 1_000_000_000 % i128::from(period.seconds()),
                        nanos: since % 1_000_000_000,
                    };
                }
                let gap = (nanos(at) - nanos(last)) / p;
                assert!(gap >= 1);
                let index = self
                    .next_index
                    .saturating_add(u64::try_from(gap - 1).unwrap());
                // The index counts periods from the first point.
                assert_eq!(i128::from(index), since / p, "{self:?} at {at}");
                index
            }
            _ => self.next_index,
        };
        if refused(value) {
            Expected::Refused { index }
        } else {
            Expected::Taken { index }
        }
    }
}

/// Pushes `(at, value)` to `d` and checks the outcome against `model`, which it updates.
fn push(
    d: &mut TimedAnomalyDetector,
    model: &mut Model,
    at: DateTime<Utc>,
    value: f64,
    debug: bool,
) -> Result<Option<TimedAnomaly>, Error> {
    let period = d.period();
    let before = debug.then(|| format!("{d:?}"));
    let expected = model.expect(period, at, value);
    let pushed = d.push(at, value);
    assert_eq!(d.period(), period);
    let leap_second = leap(at) || model.first.is_some_and(leap) || model.last.is_some_and(leap);
    match (&pushed, expected) {
        (Ok(found), Expected::Taken { index }) => {
            if let Some(last) = model.last {
                assert!(at > last, "{at} taken after {last}");
            }
            model.first.get_or_insert(at);
            model.last = Some(at);
            model.next_index = index.saturating_add(1);
            if let Some(found) = found {
                assert_eq!(found.at, at, "{found:?}");
                let a = &found.anomaly;
                assert_eq!(a.index, index, "{found:?}");
                let z = match a.kind {
                    AnomalyKind::Spike { z } | AnomalyKind::Shift { z, .. } => z,
                    _ => 0.0,
                };
                assert!(
                    a.value.is_finite() && a.baseline.is_finite() && z.is_finite(),
                    "{found:?}"
                );
                assert_eq!(a.value.to_bits(), value.to_bits(), "{found:?}");
            }
        }
        (Err(Error::OutOfOrder { previous, at: got }), Expected::OutOfOrder) => {
            assert_eq!((Some(*previous), *got), (model.last, at));
        }
        (
            Err(Error::InvalidInput {
                field,
                value: off,
                at: got,
                ..
            }),
            Expected::OffGrid { seconds, nanos },
        ) => {
            assert_eq!((*field, *got), ("at", at));
            // The seconds past the grid, the fraction included.
            let past = seconds as f64 + nanos as f64 / 1e9;
            assert_eq!(
                off.to_bits(),
                past.to_bits(),
                "off the grid of {:?}",
                model.first
            );
        }
        (
            Err(Error::InvalidValue {
                value: got,
                index: at_index,
                ..
            }),
            Expected::Refused { index },
        ) => {
            assert_eq!((got.to_bits(), *at_index), (value.to_bits(), index));
        }
        // A time in a leap second, or after one, may also be refused as such.
        (
            Err(Error::InvalidInput {
                field: "at",
                at: got,
                ..
            }),
            _,
        ) if leap_second && *got == at => {}
        (other, _) => panic!(
            "push({at}, {value}) after {model:?} with period {period}: {other:?} (next_index now \
             {}), expected {}",
            d.detector().next_index(),
            match model.expect(period, at, value) {
                Expected::OutOfOrder => "OutOfOrder".to_string(),
                Expected::OffGrid { seconds, nanos } => {
                    format!("off the grid by {seconds} s and {nanos} ns")
                }
                Expected::Refused { index } => format!("InvalidValue at {index}"),
                Expected::Taken { index } => format!("taken at {index}"),
            }
        ),
    }
    assert_eq!(
        d.detector().next_index(),
        model.next_index,
        "push({at}, {value})"
    );
    if pushed.is_err()
        && let Some(before) = before
    {
        assert_eq!(before, format!("{d:?}"), "changed by a refused push");
    }
    pushed
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let (Some(period), Some(mut now)) = (input.period(), input.start()) else {
        return;
    };
    let Some(config) = input.config(period) else {
        return;
    };
    let Ok(mut d) = TimedAnomalyDetector::new(config, period) else {
        return;
    };
    let mut model = Model {
        first: None,
        last: None,
        next_index: 0,
    };
    // The first point is at the first time.
    let mut first = true;
    let mut pushes = 0;
    while pushes < MAX_PUSHES {
        let Some(op) = input.u8() else { break };
        if op >= 250 {
            // A batch through `detect`, against pushing the same points one by one.
            let mut points = Vec::new();
            for _ in 0..2 * usize::from(op - 249) {
                let Some(at) = input.u8().and_then(|op| input.time(op, &mut now, period)) else {
                    break;
                };
                let Some(value) = input.value() else { break };
                points.push((at, value));
            }
            let mut one_by_one = d.clone();
            let mut model_after = model;
            let mut found = Vec::new();
            let mut error = None;
            for &(at, value) in &points {
                match push(&mut one_by_one, &mut model_after, at, value, false) {
                    Ok(f) => found.extend(f),
                    Err(e) => {
                        error = Some(e);
                        break;
                    }
                }
            }
            let detected = d.detect(&points);
            match (&detected, &error) {
                (Ok(got), None) => assert_eq!(got, &found),
                (Err(got), Some(e)) => assert_eq!(format!("{got:?}"), format!("{e:?}")),
                _ => panic!("detect({points:?}): {detected:?}, one by one {found:?} {error:?}"),
            }
            assert_eq!(d.detector().next_index(), model_after.next_index);
            model = model_after;
            pushes += points.len();
            continue;
        }
        let at = if first {
            first = false;
            now
        } else {
            let Some(at) = input.time(op, &mut now, period) else {
                break;
            };
            at
        };
        let Some(value) = input.value() else { break };
        let _ = push(&mut d, &mut model, at, value, pushes < DEBUG_CHECKED);
        pushes += 1;
    }
});
