//! Where a month-to-date reading stands in its month: the month's reset, a reading out of line
//! with it (a fall that is not the reset, the old month's total after it), and the one-off
//! charges declared for a day. What is done with a reading held as out of line (passed over,
//! or read as a credit) is `push`'s.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use super::CostRunaway;

impl CostRunaway {
    /// The one-off amount declared for `day`.
    pub(super) fn one_off_on(&self, day: NaiveDate) -> f64 {
        self.one_offs
            .iter()
            .filter(|c| c.day == day)
            .map(|c| c.amount)
            .sum()
    }

    /// Whether a fall to `charges` is plainly a reset, not a reading published late (a total
    /// a few hours old): it falls by more than the ticket multiple of a usual day (or before
    /// one is known), or lands nearer where a month starts (nothing, or the one-off charges
    /// `declared` for the month's closed days, with or without `date`'s) than the last
    /// reading (a small old month). Any other first fall is held for a reading: the next one,
    /// still below the old month's total, is the reset.
    fn fall_is_reset(&self, charges: f64, declared: f64, date: NaiveDate) -> bool {
        let fall = self.month_to_date - charges;
        self.expected_daily
            .is_none_or(|daily| fall > self.config.ticket_multiple * daily)
            || [0.0, declared, declared + self.one_off_on(date)]
                .into_iter()
                .any(|start| (charges - start).abs() < fall)
    }

    /// Whether `date` is in another month than the day being read (or none is).
    pub(super) fn opens_month(&self, date: NaiveDate) -> bool {
        self.day
            .is_none_or(|d| (d.year(), d.month()) != (date.year(), date.month()))
    }

    /// The one-off charges the month has declared for its closed days once `date` opens after
    /// `day`: none on the 1st or in another month, else those so far and `day`'s.
    pub(super) fn declared_once_open(&self, day: NaiveDate, date: NaiveDate) -> f64 {
        if date.day() == 1 || date.month() != day.month() {
            0.0
        } else {
            self.declared_this_month + self.one_off_on(day)
        }
    }

    /// Whether a reading is out of line with the month: a fall that cannot be its reset, or
    /// the old month's total back after the reset (see `push`).
    pub(super) fn out_of_line(&self, charges: f64, at: DateTime<Utc>, new_day: bool) -> bool {
        let date = if new_day {
            at.date_naive()
        } else {
            self.calendar.date
        };
        let new_month = self.opens_month(date);
        // The month's declared charges of its closed days once `date` is open.
        let declared = match self.day {
            Some(day) if new_day => self.declared_once_open(day, date),
            _ => self.declared_this_month,
        };
        if charges < self.month_to_date {
            let may_reset = date.day() <= 2 && (new_month || !self.reset_seen);
            !(may_reset && self.fall_is_reset(charges, declared, date))
        } else {
            !new_month
                && self
                    .old_month_total
                    .is_some_and(|(_, reset)| at - reset < TimeDelta::days(1))
                && self.shows_old_month(charges, declared, date)
        }
    }

    /// Whether `charges`, read within a day after the reset, is the old month's total
    /// published late: risen by more than the ticket multiple of a usual day, to within a
    /// usual day of the old month's total (a reading is published less than a day behind;
    /// before a usual day is known, nearer it than the last reading), and nearer it than the
    /// month's declared charges.
    fn shows_old_month(&self, charges: f64, declared: f64, date: NaiveDate) -> bool {
        let Some((old, _)) = self.old_month_total else {
            return false;
        };
        let rise = charges - self.month_to_date;
        let to_old = (charges - old).abs();
        let (implausible, near) = match self.expected_daily {
            Some(daily) => (rise > self.config.ticket_multiple * daily, to_old <= daily),
            None => (true, to_old < rise),
        };
        implausible
            && near
            && [declared, declared + self.one_off_on(date)]
                .into_iter()
                .all(|charge| charge <= 0.0 || to_old < (charges - charge).abs())
    }

    /// Whether `charges`, read on one of a month's first two days before its reset was seen,
    /// is the new month's first reading: a fall (one that is not plainly a reset,
    /// `fall_is_reset`, was held for a reading first), or, when one-off charges are declared
    /// for this month so far, a reading nearer to them than to the last one and risen by more
    /// than the ticket multiple of a usual day since it. A charge dated in the new month shows
    /// only in the new month's total, and one larger than the old month's total hides the
    /// fall; between readings a few hours apart either month moves by a few hours' spend, so
    /// the nearer of the two readings it can be is the one it is. When the charge is within a
    /// couple of days' spend of the old month's total the two cannot be told apart, and
    /// reading it as the old month going on costs nothing (its rise stays under a ticket),
    /// while a reset read too early would hide the real one. The charges declared so far are
    /// those of the month's closed days, with or without today's (which may not have landed
    /// yet when the readings are more than a day behind).
    pub(super) fn is_reset(&self, charges: f64, date: NaiveDate) -> bool {
        if charges < self.month_to_date {
            return true;
        }
        let rise = charges - self.month_to_date;
        let implausible = self
            .expected_daily
            .is_none_or(|daily| rise > self.config.ticket_multiple * daily);
        let before_today = self.declared_this_month;
        implausible
            && [before_today, before_today + self.one_off_on(date)]
                .into_iter()
                .any(|declared| declared > 0.0 && (charges - declared).abs() < rise)
    }
}
