//! The windows F8 judges over recent readings — the last 24 hours and the shortest stretch
//! holding a quarter of a day — and the calendar facts of the day being read, worked out once
//! a day so that a reading costs no date arithmetic.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};

use super::CostRunaway;

/// Readings kept for the spend of the last 24 hours (a reading a minute for a day and a half).
pub(super) const MAX_RECENT: usize = 2160;

/// A time as whole seconds since the epoch and nanoseconds within `0..1_000_000_000`: the
/// fields of the `TimeDelta` since the epoch, with its subtraction and `as_seconds_f64` done
/// in a few integer operations (chrono also checks its range, which no two `DateTime`s apart
/// can leave).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct EpochTime {
    secs: i64,
    nanos: i64,
}

impl EpochTime {
    /// `at`, `stamp` seconds and `nanos` nanoseconds after the epoch (`nanos` past a second
    /// during a leap second, which only chrono's own subtraction puts right).
    pub(super) fn new(at: DateTime<Utc>, stamp: i64, nanos: u32) -> Self {
        if nanos < 1_000_000_000 {
            return Self {
                secs: stamp,
                nanos: i64::from(nanos),
            };
        }
        let delta = at.signed_duration_since(DateTime::UNIX_EPOCH);
        // `num_seconds` and `subsec_nanos` round toward zero; the fields floor.
        let (secs, nanos) = (delta.num_seconds(), i64::from(delta.subsec_nanos()));
        if nanos < 0 {
            Self {
                secs: secs - 1,
                nanos: nanos + 1_000_000_000,
            }
        } else {
            Self { secs, nanos }
        }
    }

    /// A day (86,400 seconds) earlier.
    fn day_before(self) -> Self {
        Self {
            secs: self.secs - 86_400,
            ..self
        }
    }

    /// Seconds from `earlier`: `(self - earlier).as_seconds_f64()` on the `TimeDelta`s, bit
    /// for bit (the same borrow of a second into the nanoseconds, the same sum).
    fn seconds_since(self, earlier: Self) -> f64 {
        let (mut secs, mut nanos) = (self.secs - earlier.secs, self.nanos - earlier.nanos);
        if nanos < 0 {
            nanos += 1_000_000_000;
            secs -= 1;
        }
        // Readings stamped to the second (CloudWatch's are) are whole seconds apart: the sum
        // below would add +0 to a value that is not -0, which leaves it as it is, after a
        // division this skips.
        if nanos == 0 {
            return secs as f64;
        }
        secs as f64 + nanos as f64 / 1e9
    }
}

/// A recent reading on the continuous series: its time (and the same since the epoch), its
/// value, its day (days since the epoch) and the share of a usual day the readings showed
/// then, kept so that windows over the recent readings cost no date arithmetic.
#[derive(Debug, Clone, Copy)]
pub(super) struct Recent {
    pub(super) at: DateTime<Utc>,
    pub(super) since_epoch: EpochTime,
    pub(super) cumulative: f64,
    pub(super) day: i64,
    pub(super) share: f64,
}

/// The calendar facts of the day being read, worked out when its first reading comes.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct DayCalendar {
    pub(super) date: NaiveDate,
    /// Days since the epoch.
    pub(super) number: i64,
    pub(super) midnight: DateTime<Utc>,
    pub(super) day_of_month: u32,
    /// The weekday factors of the day and of the day before.
    pub(super) factor: f64,
    pub(super) yesterday: f64,
    /// The one-off charges declared for the day.
    pub(super) one_off: f64,
    /// Those of the day before that its readings never showed (published more than a day
    /// behind): due in this day's readings.
    pub(super) one_off_late: f64,
}

/// Where a window judged begins, made a time only for a finding.
#[derive(Debug, Clone, Copy)]
pub(super) enum WindowStart {
    Midnight,
    DayAgo,
    At(DateTime<Utc>),
}

/// A window judged: its spend, the usual spend for it, where it begins.
pub(super) type Window = (f64, f64, WindowStart);

/// Past same-weekday days a weekday's factor is the median of (four weeks).
pub(super) const WEEKDAY_MEMORY: usize = 4;

/// 1970-01-01 was a Thursday: a day `n` days after it is weekday `(n + 3) mod 7`, Monday 0.
pub(super) fn weekday_of(days_since_epoch: i64) -> usize {
    (days_since_epoch + 3).rem_euclid(7) as usize
}

/// The most a share of a usual day ([`Recent::share`], the profile's) can be off by its
/// roundings: 2^-40 of a day. A share is a spend within the day (the month-to-date less the
/// day's opening) over the day's total, interpolated between readings and taken as a median:
/// about ten roundings, each at most half an ulp of the month-to-date, so under 2^-44 of the
/// day while the day spends at least a hundredth of the month so far, and under 2^-40 while
/// it spends a 1,600th. Still a trillionth of a day's spend, far below anything the readings
/// publish (cents): no stretch the readings can tell from a quarter is taken for one.
pub(super) const SHARE_ROUNDING: f64 = 1.0 / (1u64 << 40) as f64;

impl CostRunaway {
    /// The usual spend, in days at the trend, of the whole days strictly between days
    /// `first` and `last` (days since the epoch): each its weekday's factor. O(1) for any gap.
    fn whole_days_between(&self, first: i64, last: i64) -> f64 {
        let days = last - first - 1;
        if days <= 0 {
            return 0.0;
        }
        let weeks = (days / 7) as f64 * self.factors.iter().sum::<f64>();
        weeks
            + (1..=days % 7)
                .map(|d| self.factors[weekday_of(first + d)])
                .sum::<f64>()
    }

    /// How `day`'s weekday usually spends against the trend (weekends are often cheaper): the
    /// median of its last days' ratios once it has two, else 1.
    pub(super) fn weekday_factor(&self, day: NaiveDate) -> f64 {
        self.factors[day.weekday().num_days_from_monday() as usize]
    }

    /// Where a reading at `at` falls: its day (days since the epoch), its time since the epoch
    /// and its seconds since midnight. Within the day being read, the day's number is the
    /// calendar's (`timestamp` is the day's number × 86,400 plus the seconds since midnight),
    /// so that only a day's first reading costs date arithmetic.
    pub(super) fn place(&self, at: DateTime<Utc>) -> (i64, EpochTime, f64) {
        let (utc, nanos) = (at.naive_utc(), at.timestamp_subsec_nanos());
        let of_day = i64::from(utc.time().num_seconds_from_midnight());
        let number = if self.day == Some(utc.date()) {
            self.calendar.number
        } else {
            at.timestamp().div_euclid(86_400)
        };
        let since_epoch = EpochTime::new(at, number * 86_400 + of_day, nanos);
        // On a whole second, `of_day + 0 / 1e9` is `of_day`: the division skipped.
        let seconds = if nanos == 0 {
            of_day as f64
        } else {
            of_day as f64 + f64::from(nanos) / 1e9
        };
        (number, since_epoch, seconds)
    }

    /// The calendar of the day `number` days after the epoch, `date`.
    pub(super) fn calendar(&self, date: NaiveDate, number: i64, at: DateTime<Utc>) -> DayCalendar {
        DayCalendar {
            date,
            number,
            midnight: date.and_hms_opt(0, 0, 0).map_or(at, |d| d.and_utc()),
            day_of_month: date.day(),
            factor: self.factors[weekday_of(number)],
            yesterday: self.factors[weekday_of(number - 1)],
            one_off: self.one_off_on(date),
            one_off_late: self.one_off_late,
        }
    }

    /// Whether `gap` (seconds) is more than `times` the median interval between the recent
    /// readings (the last day's); `false` with fewer than three of them. Worked out when a day
    /// closes: the median only when the gap passes `times` the shortest interval seen (no more
    /// than the median), which a gap of about one interval (every ordinary midnight) does not.
    pub(super) fn gap_is_unusual(&self, gap: f64, times: f64) -> bool {
        gap > times * self.shortest_interval
            && self
                .usual_reading_interval()
                .is_some_and(|usual| gap > times * usual)
    }

    /// The median interval, in seconds, between the recent readings (the last day's), `None`
    /// with fewer than three of them.
    fn usual_reading_interval(&self) -> Option<f64> {
        let mut intervals: Vec<f64> = self
            .recent
            .iter()
            .zip(self.recent.iter().skip(1))
            .map(|(before, after)| after.since_epoch.seconds_since(before.since_epoch))
            .collect();
        if intervals.len() < 2 {
            return None;
        }
        crate::stats::median_by_selection(&mut intervals)
    }

    /// Records a reading on the continuous series and returns the spend of the 24 hours to
    /// it, when the readings reach back that far without a gap of a day.
    pub(super) fn spend_last_day(
        &mut self,
        at: DateTime<Utc>,
        since_epoch: EpochTime,
        charges: f64,
        share: f64,
    ) -> Option<f64> {
        let cumulative = self.carried + charges - self.one_offs_past - self.shown_one_offs();
        let day_ago = since_epoch.day_before();
        // Keep one reading at or before a day ago, drop the older ones.
        while self.recent.len() >= 2 && self.recent.get(1).is_some_and(|r| r.since_epoch <= day_ago)
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= MAX_RECENT {
            self.recent.pop_front();
        }
        if let Some(previous) = self.recent.back() {
            self.shortest_interval = self
                .shortest_interval
                .min(since_epoch.seconds_since(previous.since_epoch));
        }
        self.recent.push_back(Recent {
            at,
            since_epoch,
            cumulative,
            day: self.calendar.number,
            share,
        });
        let (before, after) = (self.recent.front()?, self.recent.get(1)?);
        // More than a day between the two: `after - before > 1 day`, exactly.
        if before.since_epoch > day_ago || after.since_epoch.day_before() > before.since_epoch {
            return None;
        }
        let span = after.since_epoch.seconds_since(before.since_epoch);
        let frac = day_ago.seconds_since(before.since_epoch) / span.max(1.0);
        let then =
            before.cumulative + (after.cumulative - before.cumulative) * frac.clamp(0.0, 1.0);
        Some((cumulative - then).max(0.0))
    }

    /// The shortest recent stretch that holds `quarter` of a usual day, against its usual
    /// spend.
    ///
    /// A stretch holds it when its part of a usual day is at least `quarter` less the error
    /// its shares can carry ([`SHARE_ROUNDING`] each, weighted by its day's factor). The shares
    /// are rounded quotients (a day's spend by an hour over the day's total, and medians of
    /// them): exactly six hours of a flat day, from 22:00 to 04:00, is
    /// `(1 - fl(23/24)) + fl(5/24)`, which is 0.24999999999999997 computed and, taken exactly,
    /// still 2.8e-17 short of a quarter (`fl(23/24)` rounds up more than `fl(5/24)` does), so
    /// no exact comparison of these numbers can see the quarter: the rounding is in the shares.
    /// Compared as computed, an hourly runaway that began at midnight paged a reading late.
    pub(super) fn recent_stretch(&self, expected: f64, share: f64, quarter: f64) -> Option<Window> {
        let today = self.calendar.number;
        let factor = self.calendar.factor;
        let shown_today = share * factor;
        let now = self.recent.back().map_or(0.0, |r| r.cumulative);
        for then in self.recent.iter().rev().skip(1) {
            let (part, weight) = if then.day == today {
                ((share - then.share) * factor, 2.0 * factor)
            } else {
                // Yesterday's factor is the calendar's (the factors change only when a day
                // closes, before the calendar is worked out).
                let then_factor = if then.day == today - 1 {
                    self.calendar.yesterday
                } else {
                    self.factors[weekday_of(then.day)]
                };
                // And the whole days between, which no reading showed (days of a publication
                // outage: their spend is in this stretch).
                let whole = self.whole_days_between(then.day, today);
                (
                    (1.0 - then.share) * then_factor + whole + shown_today,
                    then_factor + whole + factor,
                )
            };
            if part >= quarter - SHARE_ROUNDING * weight {
                return Some((
                    (now - then.cumulative).max(0.0),
                    expected * part,
                    WindowStart::At(then.at),
                ));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::EpochTime;
    use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

    fn epoch(at: DateTime<Utc>) -> EpochTime {
        EpochTime::new(at, at.timestamp(), at.timestamp_subsec_nanos())
    }

    /// `seconds_since` is chrono's subtraction and `as_seconds_f64`, to the bit: before and
    /// after the epoch, with nanoseconds either side, a day earlier, and in a leap second.
    #[test]
    fn seconds_between_epoch_times_are_chronos() {
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .map(|t| t.and_utc())
            .unwrap();
        let mut times = vec![leap, DateTime::UNIX_EPOCH];
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        for _ in 0..2000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let secs = (state % 8_000_000_000) as i64 - 4_000_000_000;
            let nanos = (state >> 33) as u32 % 1_000_000_000;
            times.push(DateTime::from_timestamp(secs, nanos).unwrap());
        }
        for pair in times.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert_eq!(
                epoch(a).seconds_since(epoch(b)).to_bits(),
                (a - b).as_seconds_f64().to_bits(),
                "{a} - {b}"
            );
            assert_eq!(
                epoch(a).day_before().seconds_since(epoch(b)).to_bits(),
                (a - TimeDelta::days(1) - b).as_seconds_f64().to_bits(),
                "{a} - 1 day - {b}"
            );
        }
    }
}
