//! [`IntradayProfile`]: how much of a day's spend the month-to-date readings show by each time
//! of day, learned from the days before, so that a part of today is compared with the same
//! part of past days (readings arrive a few times a day, each some hours behind the usage).

use std::collections::VecDeque;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use crate::stats::{insert_key, median_of_sorted_keys, replace_key, total_order_key};

/// Hours a day's curve is kept at: 0 (midnight) to 24.
const POINTS: usize = 25;

/// Readings of the day being learned, as (seconds since its midnight, spend since the day's
/// opening). The anchor (the previous day's last reading, at a negative time, spend 0) comes
/// first. At most a reading a minute is kept: more cannot change the curve's hourly points.
#[derive(Debug, Clone, Default)]
pub(super) struct DayCurve {
    points: Vec<(f64, f64)>,
}

impl DayCurve {
    /// A day opening with the reading at `anchor` (the last one of the day before).
    #[cfg(test)]
    pub(super) fn new(day: NaiveDate, anchor: Option<DateTime<Utc>>) -> Self {
        let mut curve = Self::default();
        curve.reopen(day, anchor);
        curve
    }

    /// Starts `day` afresh, with the reading at `anchor` (the last one of the day before),
    /// keeping the allocation.
    pub(super) fn reopen(&mut self, day: NaiveDate, anchor: Option<DateTime<Utc>>) {
        self.points.clear();
        let midnight = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        if let (Some(anchor), Some(midnight)) = (anchor, midnight) {
            self.points
                .push(((anchor - midnight).as_seconds_f64(), 0.0));
        }
    }

    pub(super) fn record(&mut self, seconds: f64, spent: f64) {
        let full = self.points.len() > 24 * 60;
        match self.points.last_mut() {
            Some(last) if seconds - last.0 < 60.0 || full => *last = (last.0, spent),
            _ => self.points.push((seconds, spent)),
        }
    }

    /// The share of `total` shown at each hour 0..=24, interpolated between readings (before
    /// the first reading the curve rises from the anchor; after the last it stays).
    fn shares(&self, total: f64) -> Option<[f64; POINTS]> {
        if total <= 0.0 || self.points.len() < 2 {
            return None;
        }
        let mut shares = [0.0; POINTS];
        // The points are in time order: the first after each hour only moves forward.
        let mut after = 0;
        for (hour, share) in shares.iter_mut().enumerate() {
            let t = hour as f64 * 3600.0;
            while self.points.get(after).is_some_and(|p| p.0 <= t) {
                after += 1;
            }
            let value = match (
                after.checked_sub(1).map(|i| self.points[i]),
                self.points.get(after),
            ) {
                (Some(a), Some(b)) => a.1 + (b.1 - a.1) * (t - a.0) / (b.0 - a.0).max(1.0),
                (Some(a), None) => a.1,
                (None, _) => 0.0,
            };
            *share = (value / total).clamp(0.0, 1.0);
        }
        Some(shares)
    }
}

/// The median share of a day's spend shown by each hour, over the last `days` learned days
/// (interpolated between hours). Memory: `25 × (2 × days + 1)` values.
#[derive(Debug, Clone)]
pub(super) struct IntradayProfile {
    days: VecDeque<[f64; POINTS]>,
    capacity: usize,
    /// Days needed before the profile is used instead of the fallback.
    minimum: usize,
    /// The publication lag assumed by the fallback.
    lag: TimeDelta,
    /// Each hour's shares over the learned days as their `total_order_key`s, in ascending
    /// order (`f64::total_cmp`'s), kept with `days`: a day learned is one value replaced per
    /// hour, not a median taken afresh.
    sorted: [Vec<i64>; POINTS],
    /// The median share at each hour over the learned days, computed when a day is learned.
    medians: [f64; POINTS],
}

impl IntradayProfile {
    pub(super) fn new(capacity: usize, lag: TimeDelta) -> Self {
        Self {
            days: VecDeque::with_capacity(capacity),
            capacity: capacity.max(1),
            minimum: 3.min(capacity.max(1)),
            lag,
            sorted: std::array::from_fn(|_| Vec::with_capacity(capacity.max(1))),
            medians: [0.0; POINTS],
        }
    }

    /// Learns a closed day from its readings and its total spend.
    pub(super) fn learn(&mut self, curve: &DayCurve, total: f64) {
        let Some(shares) = curve.shares(total) else {
            return;
        };
        let oldest = if self.days.len() == self.capacity {
            self.days.pop_front()
        } else {
            None
        };
        self.days.push_back(shares);
        for (hour, (column, median)) in self.sorted.iter_mut().zip(&mut self.medians).enumerate() {
            let new = total_order_key(shares[hour]);
            match &oldest {
                Some(oldest) => replace_key(column, total_order_key(oldest[hour]), new),
                None => insert_key(column, new),
            }
            *median = median_of_sorted_keys(column).unwrap_or(0.0);
        }
    }

    /// The share of a day's spend the readings show `seconds` after midnight: the median of
    /// the learned days, or, before `minimum` of them, the share of the day elapsed `lag`
    /// ago.
    pub(super) fn share_at(&self, seconds: f64) -> f64 {
        let hours = (seconds / 3600.0).clamp(0.0, 24.0);
        if self.days.len() < self.minimum {
            return ((seconds - self.lag.as_seconds_f64()) / 86_400.0).clamp(0.0, 1.0);
        }
        // Between hours, the hourly medians interpolated. `hours` is within [0, 24] and not -0
        // (`seconds` is a sum of non-negative terms): its whole part is `hours as usize`, and
        // `hours - whole` is `hours.fract()` (defined as `self - self.trunc()`) bit for bit,
        // without the calls to `floor` and `trunc`.
        let whole = hours as usize;
        let (hour, frac) = (whole.min(POINTS - 1), hours - whole as f64);
        let next = (hour + 1).min(POINTS - 1);
        self.medians[hour] + (self.medians[next] - self.medians[hour]) * frac
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sorted_columns_give_the_medians_of_the_last_days() {
        // More days than the profile keeps, each with its own cadence: the medians kept
        // sorted as days come and go equal medians taken afresh over the last 14 days.
        let day = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let mut profile = IntradayProfile::new(14, TimeDelta::zero());
        let mut learned = Vec::new();
        for d in 0..30i64 {
            let date = (day + TimeDelta::days(d)).date_naive();
            let mut curve =
                DayCurve::new(date, Some(day + TimeDelta::days(d) - TimeDelta::hours(5)));
            let step = 3 + d % 5;
            for h in (0..24).step_by(step as usize) {
                curve.record(h as f64 * 3600.0, (h as f64 + (d % 7) as f64) * 10.0);
            }
            learned.push(curve.shares(240.0).unwrap());
            profile.learn(&curve, 240.0);
        }
        for hour in 0..POINTS {
            let mut column: Vec<f64> = learned[learned.len() - 14..]
                .iter()
                .map(|s| s[hour])
                .collect();
            let expected = crate::stats::median_in_place(&mut column).unwrap();
            assert_eq!(
                profile.share_at(hour as f64 * 3600.0),
                expected,
                "hour {hour}"
            );
        }
    }

    #[test]
    fn a_lagged_reading_cadence_is_learned() {
        // Readings every 6 hours, each showing the spend up to 4 hours earlier, of a flat
        // spend: at 12:00 the readings show 8/24 of the day.
        let day = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let mut profile = IntradayProfile::new(14, TimeDelta::zero());
        for d in 0..5 {
            let date = (day + TimeDelta::days(d)).date_naive();
            let mut curve =
                DayCurve::new(date, Some(day + TimeDelta::days(d) - TimeDelta::hours(6)));
            for h in [0.0, 6.0, 12.0, 18.0] {
                // Shown spend = usage up to h - 4 since the anchor's usage (-6 - 4 = -10).
                curve.record(h * 3600.0, (h - 4.0 + 10.0) / 24.0 * 240.0);
            }
            profile.learn(&curve, 240.0);
        }
        assert!((profile.share_at(12.0 * 3600.0) - 18.0 / 24.0).abs() < 1e-9);
        assert!((profile.share_at(15.0 * 3600.0) - 21.0 / 24.0).abs() < 1e-9);
        // Without history: the elapsed share, minus the lag.
        let fresh = IntradayProfile::new(14, TimeDelta::hours(4));
        assert!((fresh.share_at(12.0 * 3600.0) - 8.0 / 24.0).abs() < 1e-9);
    }
}
