//! [`DailyPeaks`]: the busiest value a metric reached at each hour of the day on previous days,
//! so that a climb it makes every night (a batch job, a backup) is known as usual.

use chrono::{DateTime, Timelike, Utc};

#[cfg(any(doc, test))]
use crate::error::Error;
use crate::error::{Result, finite, fraction};

/// The largest value seen in each hour of the day over previous days, fading by a factor each
/// day so that old habits give way to new ones. Today's values join at midnight: what the
/// series does now is judged against the days before, never against itself. Memory: 48 values
/// (`f64`: in `f32` a value above `f32::MAX`, within the crate's range, read back infinite).
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::stats::DailyPeaks;
///
/// let mut peaks = DailyPeaks::new(1.0)?;
/// let day = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
/// // Every night at 02:00 a batch holds 300 connections.
/// for d in 0..3 {
///     peaks.record(day + Duration::days(d) + Duration::hours(2), 300.0)?;
///     peaks.record(day + Duration::days(d) + Duration::hours(14), 100.0)?;
/// }
/// let tonight = day + Duration::days(3) + Duration::hours(2);
/// assert_eq!(peaks.usual(tonight), Some(300.0));
/// assert_eq!(peaks.usual(tonight + Duration::hours(12)), Some(100.0));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DailyPeaks {
    /// Previous days' peaks per hour, and today's so far.
    past: [f64; 24],
    today: [f64; 24],
    /// The day (since the epoch) `today` belongs to; `None` before any value.
    day: Option<i64>,
    days: u32,
    decay: f64,
    /// The largest of `past`, kept with it.
    past_max: f64,
    /// Values offered so far, refused ones included: the position an error names.
    recorded: u64,
}

impl DailyPeaks {
    /// Peaks fading by `daily_decay` a day (1 keeps them, 0.98 halves them in about five weeks).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a decay outside (0, 1].
    pub fn new(daily_decay: f64) -> Result<Self> {
        fraction("daily_decay", daily_decay)?;
        Ok(Self {
            past: [0.0; 24],
            today: [0.0; 24],
            day: None,
            days: 0,
            decay: daily_decay,
            past_max: 0.0,
            recorded: 0,
        })
    }

    fn roll_to(&mut self, day: i64) {
        match self.day {
            Some(current) if day > current => {
                let fade = self.decay.powi((day - current).min(3650) as i32);
                for (past, today) in self.past.iter_mut().zip(&mut self.today) {
                    *past = past.max(*today) * fade;
                    *today = 0.0;
                }
                self.past_max = self.past.iter().copied().fold(0.0, f64::max);
                self.days = self.days.saturating_add(1);
                self.day = Some(day);
            }
            None => self.day = Some(day),
            Some(_) => {}
        }
    }

    /// Records a value at `at`. Values of a day earlier than the latest are ignored (a peak
    /// is learned for days to come, and those days have passed); values below zero never
    /// raise a peak, which starts at zero (the counts and levels this keeps are not negative).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN, infinite or out-of-range values (beyond
    /// [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE)), with their position among the values
    /// recorded; the peaks are unchanged. (They used to be skipped in silence.)
    pub fn record(&mut self, at: DateTime<Utc>, value: f64) -> Result<()> {
        let index = self.recorded;
        self.recorded += 1;
        finite(value, index)?;
        let day = at.timestamp().div_euclid(86_400);
        if self.day.is_some_and(|current| day < current) {
            return Ok(());
        }
        self.roll_to(day);
        let slot = &mut self.today[at.hour() as usize];
        *slot = slot.max(value);
        Ok(())
    }

    /// The busiest value of previous days at `at`'s hour or the hours either side; `None`
    /// before a whole day has been seen.
    pub fn usual(&self, at: DateTime<Utc>) -> Option<f64> {
        let day = at.timestamp().div_euclid(86_400);
        let current = self.day?;
        if day == current && self.days == 0 {
            return None;
        }
        let hour = at.hour() as usize;
        let value = |slot: usize| {
            if day > current {
                // Nothing recorded yet on `at`'s day: today's values are past too.
                self.past[slot].max(self.today[slot])
                    * self.decay.powi((day - current).min(3650) as i32)
            } else {
                self.past[slot]
            }
        };
        Some(
            [23, 0, 1]
                .iter()
                .map(|d| value((hour + d) % 24))
                .fold(0.0, f64::max),
        )
    }

    /// The busiest value of previous days at any hour; `None` before a whole day has been seen.
    pub fn busiest(&self, at: DateTime<Utc>) -> Option<f64> {
        let day = at.timestamp().div_euclid(86_400);
        let current = self.day?;
        if day == current && self.days == 0 {
            return None;
        }
        let busiest = if day > current {
            self.today.iter().copied().fold(self.past_max, f64::max)
                * self.decay.powi((day - current).min(3650) as i32)
        } else {
            self.past_max
        };
        Some(busiest)
    }

    /// Whole days seen.
    pub fn days(&self) -> u32 {
        self.days
    }
}

#[cfg(test)]
mod f64_tests {
    use chrono::{Duration, TimeZone, Utc};

    use super::*;

    /// Peaks were kept in `f32`: a value above `f32::MAX` (within the crate's range, up to
    /// 2^360) read back infinite, and 1,000,000,001 connections read 1,000,000,000.
    #[test]
    fn peaks_keep_the_values_recorded() {
        let day = Utc.with_ymd_and_hms(2026, 11, 2, 3, 0, 0).unwrap();
        for value in [1e100, 1_000_000_001.0, 0.1] {
            let mut peaks = DailyPeaks::new(1.0).unwrap();
            peaks.record(day, value).unwrap();
            let tomorrow = day + Duration::days(1);
            assert_eq!(peaks.usual(tomorrow), Some(value));
            assert_eq!(peaks.busiest(tomorrow), Some(value));
        }
    }

    /// A NaN or infinite value was skipped in silence: a caller that fed a broken reading
    /// learned nothing and was not told.
    #[test]
    fn values_out_of_range_are_refused_with_their_position() {
        let day = Utc.with_ymd_and_hms(2026, 11, 2, 3, 0, 0).unwrap();
        let mut peaks = DailyPeaks::new(1.0).unwrap();
        peaks.record(day, 5.0).unwrap();
        for (offset, bad) in [f64::NAN, f64::INFINITY, -f64::INFINITY, 1e300]
            .into_iter()
            .enumerate()
        {
            match peaks.record(day, bad) {
                Err(Error::InvalidValue { index, .. }) => assert_eq!(index, offset as u64 + 1),
                other => panic!("{bad} gave {other:?}"),
            }
        }
        peaks.record(day, 7.0).unwrap();
        assert_eq!(peaks.usual(day + Duration::days(1)), Some(7.0));
    }
}
