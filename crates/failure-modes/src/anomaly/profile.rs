//! The learned daily profile: the largest surprise at each time of day on the previous days,
//! and on the same day of the week in the previous weeks.

use super::Season;
use crate::error::{Error, Result};

/// For each slot of the day, the largest surprise at it or at its two neighbours on each of the
/// last `days` days and on the days 7, 14, … `7 × weeks` days before the coming one, and the
/// largest of those (recomputed once a day). The weekly memory costs nothing per point: it is
/// the same completed days, kept longer.
/// Memory: `slots × (max(days, 7 × weeks) + 2)` values.
#[derive(Debug, Clone)]
pub(super) struct DailyProfile {
    season: Season,
    /// Completed days, `slots` values each (a ring of `remembered` days): each slot's largest
    /// surprise with its two neighbours'.
    days: Vec<f64>,
    /// Days the ring holds: `max(days, 7 × weeks)`.
    remembered: usize,
    filled: usize,
    next_day: usize,
    today: Vec<f64>,
    explained: Vec<f64>,
    /// The next point's slot, kept up to date as points are recorded in order so that the
    /// common case needs no integer division (two of them a point otherwise).
    cursor: SlotCursor,
}

/// Where point `index` falls in the day, advanced one point at a time: its slot
/// `(index mod period) × slots / period` and whether it closes the day, with additions only.
#[derive(Debug, Clone)]
struct SlotCursor {
    index: u64,
    /// `index mod period`.
    in_day: u64,
    /// `in_day × slots`.
    scaled: u64,
    slot: usize,
    /// `(slot + 1) × period`: `scaled` at or beyond it moves to the next slot.
    next_slot_at: u64,
}

impl SlotCursor {
    fn new(period: u64) -> Self {
        Self {
            index: 0,
            in_day: 0,
            scaled: 0,
            slot: 0,
            next_slot_at: period,
        }
    }

    /// At point `index`, by division.
    fn at(index: u64, period: u64, slots: u64) -> Self {
        let in_day = index % period;
        let scaled = in_day * slots;
        let slot = scaled / period;
        Self {
            index,
            in_day,
            scaled,
            slot: slot as usize,
            next_slot_at: (slot + 1) * period,
        }
    }

    /// Moves to the next point. `slots <= period`, so a step moves at most one slot on.
    fn advance(&mut self, period: u64, slots: u64) {
        self.index = self.index.saturating_add(1);
        self.in_day += 1;
        if self.in_day == period {
            *self = Self {
                index: self.index,
                ..Self::new(period)
            };
        } else {
            self.scaled += slots;
            if self.scaled >= self.next_slot_at {
                self.slot += 1;
                self.next_slot_at = self.next_slot_at.saturating_add(period);
            }
        }
    }
}

impl DailyProfile {
    pub(super) fn new(season: Season) -> Result<Self> {
        // A day of at most `MAX_WINDOW` points keeps the slot arithmetic (`in_day × slots`)
        // far from overflowing, wherever `AnomalyDetector::skip` moves the index.
        crate::stats::check_window("season.period", season.period, 1, crate::stats::MAX_WINDOW)?;
        for (field, value) in [("season.slots", season.slots), ("season.days", season.days)] {
            crate::stats::check_window(field, value, 1, usize::MAX)?;
        }
        if season.slots > season.period {
            return Err(Error::InvalidConfig {
                field: "season.slots",
                value: season.slots as f64,
                reason: "cannot exceed the points in a day",
            });
        }
        let remembered = season.days.max(season.weeks.saturating_mul(7));
        crate::stats::check_window(
            if remembered == season.days {
                "season.days"
            } else {
                "season.weeks"
            },
            season.slots.saturating_mul(remembered),
            1,
            crate::stats::MAX_WINDOW,
        )?;
        Ok(Self {
            days: vec![0.0; season.slots * remembered],
            remembered,
            filled: 0,
            next_day: 0,
            today: vec![0.0; season.slots],
            explained: vec![0.0; season.slots],
            cursor: SlotCursor::new(season.period as u64),
            season,
        })
    }

    #[inline]
    pub(super) fn slot(&self, index: u64) -> usize {
        if index == self.cursor.index {
            return self.cursor.slot;
        }
        let period = self.season.period as u64;
        ((index % period) * self.season.slots as u64 / period) as usize
    }

    /// The largest surprise at this slot or a neighbour on the remembered days.
    #[inline]
    pub(super) fn explained(&self, index: u64) -> f64 {
        self.explained.get(self.slot(index)).copied().unwrap_or(0.0)
    }

    /// Records the surprise of point `index`, and closes the day after its last point.
    #[inline]
    pub(super) fn record(&mut self, index: u64, z: f64) {
        let slot = self.slot(index);
        if let Some(max) = self.today.get_mut(slot) {
            *max = max.max(z);
        }
        let period = self.season.period as u64;
        let closes_day = if index == self.cursor.index {
            self.cursor.in_day + 1 == period
        } else {
            (index + 1).is_multiple_of(period)
        };
        if index == self.cursor.index {
            self.cursor.advance(period, self.season.slots as u64);
        }
        if closes_day {
            self.close_day();
        }
    }

    /// Moves on past `count` missing points from `from` (the index the next point would have
    /// had): each day that ends within the gap is stored, with what it had seen, and the days
    /// that had no point at all are stored empty (they explain nothing); what explains the next
    /// day is then worked out once. At most one more day stored than the days remembered,
    /// whatever the gap (the ring is then empty): `O(slots × (remembered + 1 + days + weeks))`.
    pub(super) fn skip(&mut self, from: u64, count: u64) {
        let period = self.season.period as u64;
        let next = from.saturating_add(count);
        let closes = next / period - from / period;
        if closes > 0 {
            for _ in 0..closes.min(self.remembered as u64 + 1) {
                self.store_day();
            }
            self.explain_next_day();
        }
        self.cursor = SlotCursor::at(next, period, self.season.slots as u64);
    }

    fn close_day(&mut self) {
        self.store_day();
        self.explain_next_day();
    }

    /// Stores today's neighbourhood maxima as the newest remembered day and starts a new day.
    fn store_day(&mut self) {
        let slots = self.season.slots;
        let start = self.next_day * slots;
        if let Some(day) = self.days.get_mut(start..start + slots) {
            // Each slot's neighbourhood (itself and the slots before and after, wrapping around
            // the day) is what `explained` is made of: taken once when the day closes rather
            // than for every remembered day at every close (504 maxima a day with the
            // defaults, now 72 and 168). Surprises are non-negative, so the maxima come out
            // the same in any grouping.
            for (slot, stored) in day.iter_mut().enumerate() {
                let before = slot.checked_sub(1).unwrap_or(slots - 1);
                let after = if slot + 1 == slots { 0 } else { slot + 1 };
                *stored = [before, slot, after]
                    .into_iter()
                    .fold(0.0f64, |max, neighbour| max.max(self.today[neighbour]));
            }
        }
        self.today.fill(0.0);
        self.next_day = (self.next_day + 1) % self.remembered;
        self.filled = (self.filled + 1).min(self.remembered);
    }

    /// What explains the coming day: the maxima of the remembered days it is compared with.
    fn explain_next_day(&mut self) {
        let slots = self.season.slots;
        let newest = (self.next_day + self.remembered - 1) % self.remembered;
        self.explained.fill(0.0);
        // Days back from the one just closed: the last `days`, then the coming day's weekday
        // in each remembered week (7 k days before the coming day: 7 k − 1 before this one; a
        // day in both is taken twice, which changes no maximum).
        let filled = self.filled;
        let recent = 0..self.season.days.min(filled);
        let weekdays = (1..=self.season.weeks)
            .map(|week| 7 * week - 1)
            .take_while(|&back| back < filled);
        for back in recent.chain(weekdays) {
            let at = (newest + self.remembered - back) % self.remembered;
            let day = self
                .days
                .get(at * slots..(at + 1) * slots)
                .unwrap_or_default();
            for (explained, &stored) in self.explained.iter_mut().zip(day) {
                *explained = explained.max(stored);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slot_cursor_agrees_with_the_division() {
        for (period, slots) in [
            (288, 24),
            (1440, 24),
            (7, 7),
            (7, 3),
            (10, 1),
            (1, 1),
            (5, 4),
        ] {
            let season = Season::new(period, slots, 2);
            let mut profile = DailyProfile::new(season).unwrap();
            for index in 0..(3 * period as u64 + 5) {
                let expected = ((index % period as u64) * slots as u64 / period as u64) as usize;
                assert_eq!(profile.cursor.index, index);
                assert_eq!(profile.slot(index), expected, "{period}/{slots} at {index}");
                assert_eq!(
                    profile.cursor.in_day + 1 == period as u64,
                    (index + 1).is_multiple_of(period as u64)
                );
                profile.record(index, index as f64);
            }
            // Out of order, the division answers.
            assert_eq!(profile.slot(period as u64 - 1), slots - 1);
        }
    }

    /// Three days of 12 one-point slots, points `0..points` recorded, a surprise of 5 at 3.
    fn surprise_at_3(points: u64) -> DailyProfile {
        let mut profile = DailyProfile::new(Season::new(12, 12, 3)).unwrap();
        for index in 0..points {
            profile.record(index, if index == 3 { 5.0 } else { 0.0 });
        }
        profile
    }

    #[test]
    fn a_skip_closes_the_days_it_spans_and_no_more_than_remembered() {
        let mut profile = surprise_at_3(6);
        // Days 0 (from index 6) to 3 missing: four closes, day 0 with its surprise of 5 and
        // three empty days, so that nothing of day 0 is remembered on day 4.
        profile.skip(6, 44);
        assert_eq!(profile.explained(51), 0.0);
        // The cursor is at the next point (day 4, slot 2), for the additions-only path.
        assert_eq!(
            (
                profile.cursor.index,
                profile.cursor.slot,
                profile.cursor.in_day
            ),
            (50, 2, 2)
        );
        // A gap of a day and a half from a fresh day 0: day 0 closes with its surprise and day
        // 1 closes empty; day 0 explains day 2.
        let mut profile = surprise_at_3(6);
        profile.skip(6, 18);
        assert_eq!(profile.explained(27), 5.0);
        assert_eq!(profile.explained(28), 5.0);
        assert_eq!(profile.explained(29), 0.0);
        // A gap across one midnight closes one day: the three remembered are days 0 to 2, and
        // day 0's surprise still explains day 3.
        let mut profile = surprise_at_3(30);
        profile.skip(30, 8);
        assert_eq!(profile.explained(39), 5.0);
    }
}
