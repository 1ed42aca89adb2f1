//! Maintenance windows that suppress alerts: one-off intervals and recurring windows, and the
//! check that no chain of them silences alerts for longer than a bound.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::alert::AlertInterval;
use crate::maintenance::{MaintenanceError, RecurringWindow};
use crate::window::Interval;

/// Planned maintenance during which alerts are suppressed: one-off intervals and
/// [`RecurringWindow`]s (weekly, at a local time, in a zone).
///
/// An alert that starts inside a maintenance window is dropped when it also ends inside it, and
/// otherwise re-starts when the maintenance ends (marked as suppressed), so that an incident that
/// outlasts the maintenance still pages. This is what CloudWatch does with a composite alarm's
/// `ActionsSuppressor` (its actions run once the suppressor leaves `ALARM` if the composite is
/// still in `ALARM`) and Alertmanager with a route's `mute_time_intervals` (a firing alert is
/// notified once the interval ends).
///
/// # Example
/// ```
/// use chrono::{NaiveTime, TimeZone, Utc, Weekday};
/// use sli_core::{Interval, MaintenanceWindows, RecurringWindow, Span, Zone};
///
/// let t = |h| Utc.with_ymd_and_hms(2024, 5, 1, h, 0, 0).unwrap();
/// let planned = MaintenanceWindows::new([Interval::new(t(2), t(4))?]);
/// assert!(planned.is_suppressed(t(3)) && !planned.is_suppressed(t(4)));
/// // Every Wednesday 22:00-23:00 UTC too (1 May 2024 is a Wednesday).
/// let weekly = planned.with_recurring(RecurringWindow::weekly([Weekday::Wed],
///     NaiveTime::from_hms_opt(22, 0, 0).unwrap(), Span::HOUR, Zone::UTC)?);
/// assert!(weekly.is_suppressed(t(22)) && !weekly.is_suppressed(t(23)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "RawMaintenanceWindows")]
pub struct MaintenanceWindows {
    windows: Vec<Interval>,
    /// The one-off windows merged where they overlap or touch, by start: a lookup is a binary
    /// search, not a scan, and a chain of back-to-back windows is one span however long.
    #[serde(skip)]
    merged: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    recurring: Vec<RecurringWindow>,
}

/// The serialized form: the one-off windows in any order, sorted on the way in as
/// [`MaintenanceWindows::new`] sorts them (suppression looks them up by start).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMaintenanceWindows {
    windows: Vec<Interval>,
    #[serde(default)]
    recurring: Vec<RecurringWindow>,
}

impl From<RawMaintenanceWindows> for MaintenanceWindows {
    fn from(raw: RawMaintenanceWindows) -> Self {
        let mut windows = Self::new(raw.windows);
        windows.recurring = raw.recurring;
        windows
    }
}

/// The most windows one maintenance may chain (windows that overlap or follow one another,
/// one-off and recurring occurrences together): [`MaintenanceWindows::validate`] refuses more,
/// and [`MaintenanceWindows::suppress`] follows at most this many steps from one alert's start
/// (a week of back-to-back hourly occurrences is 168; a chain of one-off windows, merged when
/// built, is one step).
pub const MAX_CHAINED_WINDOWS: usize = 1_000;

/// A chain of maintenance windows that overlap or touch, followed span by span in order of
/// start: refused once longer than its reach or than [`MAX_CHAINED_WINDOWS`] windows.
struct Chain {
    max: crate::Span,
    reach: TimeDelta,
    /// The chain so far: its start, its end, and how many windows it holds.
    run: Option<(DateTime<Utc>, DateTime<Utc>, usize)>,
}

impl Chain {
    fn new(max: crate::Span) -> Self {
        Self {
            max,
            reach: max.as_time_delta(),
            run: None,
        }
    }

    fn push(
        &mut self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> std::result::Result<(), MaintenanceError> {
        let (from, to, count) = match self.run {
            Some((from, to, count)) if start <= to => (from, to.max(end), count + 1),
            _ => (start, end, 1),
        };
        self.run = Some((from, to, count));
        if to - from > self.reach || count > MAX_CHAINED_WINDOWS {
            return Err(MaintenanceError::NeverEnds {
                field: "end",
                reason: format!(
                    "{count} windows that overlap or follow one another make one maintenance \
                     from {} on, longer than {} or than {MAX_CHAINED_WINDOWS} windows",
                    from.to_rfc3339(),
                    self.max,
                ),
            });
        }
        Ok(())
    }
}

impl MaintenanceWindows {
    /// Maintenance windows from intervals (overlaps allowed).
    pub fn new(windows: impl IntoIterator<Item = Interval>) -> Self {
        let mut windows: Vec<Interval> = windows.into_iter().collect();
        windows.sort_by_key(|w| w.start());
        let mut merged: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for w in &windows {
            match merged.last_mut() {
                Some((_, end)) if w.start() <= *end => *end = (*end).max(w.end()),
                _ => merged.push((w.start(), w.end())),
            }
        }
        Self {
            windows,
            merged,
            recurring: Vec::new(),
        }
    }

    /// The same windows and `window`, recurring.
    #[must_use]
    pub fn with_recurring(mut self, window: RecurringWindow) -> Self {
        self.recurring.push(window);
        self
    }

    /// The one-off windows, by start.
    pub fn once(&self) -> &[Interval] {
        &self.windows
    }

    /// The recurring windows.
    pub fn recurring(&self) -> &[RecurringWindow] {
        &self.recurring
    }

    /// Whether there is no window at all.
    pub fn is_empty(&self) -> bool {
        self.windows.is_empty() && self.recurring.is_empty()
    }

    /// Checks what an engine must be able to deploy: no one-off window longer than
    /// [`MAX_MAINTENANCE`](crate::MAX_MAINTENANCE), none starting or ending outside the years
    /// 0000 to 9999 (recurring windows are checked alone when built), and no chain of windows
    /// that overlap or follow one another, one-off and recurring together, longer than
    /// `MAX_MAINTENANCE` either. [`suppress`](Self::suppress) is exact for windows this accepts.
    ///
    /// Cost: each recurring window's occurrences over a year, and over the two weeks around
    /// each one-off window (merged where they meet), are followed in order; memory stays
    /// within the windows themselves and a week of occurrences (720 recurring and 400 one-off
    /// windows: about 4 M occurrences, 5.5 MB, a few seconds in a debug build).
    ///
    /// # Errors
    /// [`MaintenanceError::OutOfRange`] naming `start` or `end` of the first window outside
    /// those years; else [`MaintenanceError::NeverEnds`] naming the field `end` of the first
    /// window, or chain of windows, longer than `MAX_MAINTENANCE` or of more than
    /// [`MAX_CHAINED_WINDOWS`] windows.
    pub fn validate(&self) -> std::result::Result<(), MaintenanceError> {
        let (first, last) = crate::window::rfc3339_bounds();
        let writable = |t: DateTime<Utc>| first <= t && t <= last;
        for w in &self.windows {
            for (field, at) in [("start", w.start()), ("end", w.end())] {
                if !writable(at) {
                    return Err(MaintenanceError::OutOfRange {
                        field,
                        value: at.to_rfc3339(),
                    });
                }
            }
        }
        let max = crate::maintenance::MAX_MAINTENANCE;
        if let Some(w) = self
            .windows
            .iter()
            .find(|w| w.length() > max.as_time_delta())
        {
            return Err(MaintenanceError::NeverEnds {
                field: "end",
                reason: format!(
                    "the window from {} to {} is longer than {max}",
                    w.start().to_rfc3339(),
                    w.end().to_rfc3339()
                ),
            });
        }
        self.check_chains(max)
    }

    /// No maintenance, as `suppress` follows it (windows that overlap or touch, one-off and
    /// recurring), longer than `max` or of more than [`MAX_CHAINED_WINDOWS`] windows, so that
    /// `suppress` follows every chain to its end: 52 back-to-back weeks passed one by one, and
    /// two daily windows of 12 hours covered all time, which `suppress` ended after its 1,000
    /// steps as if the maintenance were over. Recurring windows repeat weekly, so a year (2024:
    /// both DST changes of every zone) shows their longest chain; the one-off windows are
    /// swept once, with the recurring occurrences within `max` of them (one-off windows linked
    /// by occurrences are one chain). Time O(R × D) for R recurring windows and D the days
    /// within `max` of a one-off window (366 at least, when R is not zero); the spans are
    /// generated and sorted a piece of `max` at a time, so memory is O(W + R × 15) for W
    /// one-off windows (all spans at once took 108 MB for a 90 KB document, a probe found).
    fn check_chains(&self, max: crate::Span) -> std::result::Result<(), MaintenanceError> {
        let reach = max.as_time_delta();
        let mut chain = Chain::new(max);
        if self.recurring.is_empty() {
            return self
                .merged
                .iter()
                .try_for_each(|&(start, end)| chain.push(start, end));
        }
        let year = Utc
            .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
            .single()
            .zip(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).single());
        if let Some((from, to)) = year {
            self.sweep(&mut chain, from, to, false)?;
        }
        // The ranges within `max` of a one-off window, merged, each swept once.
        let mut chain = Chain::new(max);
        let mut around: Option<(DateTime<Utc>, DateTime<Utc>)> = None;
        for &(start, end) in &self.merged {
            let from = start
                .checked_sub_signed(reach)
                .unwrap_or(DateTime::<Utc>::MIN_UTC);
            let to = end
                .checked_add_signed(reach)
                .unwrap_or(DateTime::<Utc>::MAX_UTC);
            around = match around {
                Some((a, b)) if from <= b => Some((a, b.max(to))),
                Some((a, b)) => {
                    self.sweep(&mut chain, a, b, true)?;
                    Some((from, to))
                }
                None => Some((from, to)),
            };
        }
        match around {
            Some((a, b)) => self.sweep(&mut chain, a, b, true),
            None => Ok(()),
        }
    }

    /// Feeds `chain` the recurring occurrences overlapping `from..to` (and, with `once`, the
    /// merged one-off windows starting in it) in order of start, generated and sorted a piece
    /// of the chain's reach at a time: a piece holds the spans starting in it (the first piece
    /// also the occurrences starting before `from`, the last the spans starting at `to`, never
    /// a later range's one-off windows), as the whole range would, sorted, have given them.
    fn sweep(
        &self,
        chain: &mut Chain,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        once: bool,
    ) -> std::result::Result<(), MaintenanceError> {
        let mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        let mut a = from;
        loop {
            let b = a.checked_add_signed(chain.reach).map_or(to, |b| b.min(to));
            let (first, last) = (a == from, b == to);
            let starts_here = |start: DateTime<Utc>| (first || a <= start) && (last || start < b);
            spans.clear();
            if once {
                let lo = self.merged.partition_point(|&(start, _)| start < a);
                spans.extend(
                    self.merged[lo..]
                        .iter()
                        .take_while(|&&(start, _)| start < b || (last && start == b))
                        .copied(),
                );
            }
            if let Ok(piece) = Interval::new(a, b) {
                for r in &self.recurring {
                    spans.extend(
                        r.occurrences(piece)
                            .into_iter()
                            .map(|o| (o.start(), o.end()))
                            .filter(|&(start, _)| starts_here(start)),
                    );
                }
            }
            spans.sort_unstable();
            for &(start, end) in &spans {
                chain.push(start, end)?;
            }
            if last {
                return Ok(());
            }
            a = b;
        }
    }

    /// The latest end among the windows containing `at` (one-off windows merged, and the
    /// recurring windows' occurrences), if any does: a binary search of the one-off windows
    /// and a look at each recurring one.
    fn latest_end_containing(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let started = self.merged.partition_point(|&(start, _)| start <= at);
        let once = started
            .checked_sub(1)
            .map(|last| self.merged[last].1)
            .filter(|&end| at < end);
        let recurring = self
            .recurring
            .iter()
            .filter_map(|r| r.occurrence_at(at))
            .map(|w| w.end())
            .max();
        once.max(recurring)
    }

    /// Whether `at` is inside a maintenance window. It costs a binary search of the one-off
    /// windows and a look at each recurring one: O(log W + R).
    pub fn is_suppressed(&self, at: DateTime<Utc>) -> bool {
        self.latest_end_containing(at).is_some()
    }

    /// The end of the maintenance covering `at`, following back-to-back windows: one-off
    /// windows are merged already, so the steps are between them and recurring occurrences
    /// (at most [`MAX_CHAINED_WINDOWS`] of them).
    fn suppressed_until(&self, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut until: Option<DateTime<Utc>> = None;
        let mut probe = at;
        for _ in 0..MAX_CHAINED_WINDOWS {
            let Some(end) = self.latest_end_containing(probe) else {
                break;
            };
            until = Some(end);
            probe = end;
        }
        until
    }

    /// Applies the suppression to a list of alerts. An alert starting in maintenance is moved
    /// to its end, following back-to-back windows: any number of one-off windows, which are
    /// merged when built, and up to 1,000 steps between them and recurring occurrences (a
    /// recurring window that covers every instant would otherwise never end). Each step is a
    /// lookup of O(log W + R) for W one-off and R recurring windows.
    pub fn suppress(&self, alerts: Vec<AlertInterval>) -> Vec<AlertInterval> {
        alerts
            .into_iter()
            .filter_map(|mut alert| match self.suppressed_until(alert.start) {
                None => Some(alert),
                Some(until) if alert.end.is_some_and(|end| end <= until) => None,
                Some(until) => {
                    alert.start = until;
                    alert.suppressed = true;
                    Some(alert)
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Zone;
    use crate::alert::Severity;
    use crate::noise::t;
    use chrono::{NaiveTime, Weekday};

    /// `check_chains` as it was before it swept in pieces: every span of the year, and of the
    /// ranges around the one-off windows, collected, sorted and followed at once.
    fn chains_all_at_once(w: &MaintenanceWindows, max: crate::Span) -> bool {
        let reach = max.as_time_delta();
        let occurrences = |range: Interval| -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
            w.recurring
                .iter()
                .flat_map(|r| r.occurrences(range))
                .map(|o| (o.start(), o.end()))
                .collect()
        };
        let fine = |mut spans: Vec<(DateTime<Utc>, DateTime<Utc>)>| {
            spans.sort_unstable();
            let mut chain = Chain::new(max);
            spans.into_iter().all(|(s, e)| chain.push(s, e).is_ok())
        };
        if w.recurring.is_empty() {
            return fine(w.merged.clone());
        }
        let year = Interval::new(
            Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
        )
        .unwrap();
        if !fine(occurrences(year)) {
            return false;
        }
        let mut spans = w.merged.clone();
        let mut ranges: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
        for &(start, end) in &w.merged {
            let (from, to) = (start - reach, end + reach);
            match ranges.last_mut() {
                Some((_, b)) if from <= *b => *b = (*b).max(to),
                _ => ranges.push((from, to)),
            }
        }
        for (from, to) in ranges {
            spans.extend(occurrences(Interval::new(from, to).unwrap()));
        }
        fine(spans)
    }

    /// The sweep in pieces decides as the sweep of everything at once did, over 600 random
    /// sets of recurring windows (in four zones, two with DST) and one-off windows near and
    /// far from one another and from the occurrences.
    #[test]
    fn chains_swept_in_pieces_decide_as_all_at_once() {
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        let zones = ["UTC", "Europe/Paris", "America/New_York", "+05:30"];
        let days: Vec<Weekday> = std::iter::successors(Some(Weekday::Mon), |d| Some(d.succ()))
            .take(7)
            .collect();
        let (mut refused, mut accepted) = (0, 0);
        for _ in 0..600 {
            let mut windows = Vec::new();
            let base = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
            let mut at = base;
            for _ in 0..next(6) {
                at += TimeDelta::hours(i64::try_from(next(24 * 30)).unwrap());
                let length = TimeDelta::hours(1 + i64::try_from(next(24 * 5)).unwrap());
                windows.push(Interval::new(at, at + length).unwrap());
            }
            let mut w = MaintenanceWindows::new(windows);
            for _ in 0..next(3) {
                let on: Vec<Weekday> = days.iter().copied().filter(|_| next(3) == 0).collect();
                let start =
                    NaiveTime::from_hms_opt(u32::try_from(next(24)).unwrap(), 0, 0).unwrap();
                let hours = 1 + i64::try_from(next(100)).unwrap();
                let zone: Zone = zones[usize::try_from(next(4)).unwrap()].parse().unwrap();
                if let Ok(r) = RecurringWindow::weekly(
                    on,
                    start,
                    crate::Span::from_hours(hours).unwrap(),
                    zone,
                ) {
                    w = w.with_recurring(r);
                }
            }
            let max = crate::maintenance::MAX_MAINTENANCE;
            let swept = w.check_chains(max).is_ok();
            assert_eq!(swept, chains_all_at_once(&w, max), "{w:?}");
            if swept { accepted += 1 } else { refused += 1 }
        }
        // Both answers are exercised.
        assert!(
            refused > 50 && accepted > 50,
            "{refused} refused, {accepted} accepted"
        );
    }

    #[test]
    fn one_off_windows_outside_four_digit_years_cannot_be_deployed() {
        let at = |y: i32, h: u32| Utc.with_ymd_and_hms(y, 1, 1, h, 0, 0).unwrap();
        let windows = |a, b| MaintenanceWindows::new([Interval::new(a, b).unwrap()]);
        assert!(windows(at(9999, 0), at(9999, 5)).validate().is_ok());
        assert!(windows(at(0, 0), at(0, 5)).validate().is_ok());
        let err = windows(at(-1, 23), at(0, 1)).validate().unwrap_err();
        assert!(
            matches!(err, MaintenanceError::OutOfRange { field: "start", .. }),
            "{err}"
        );
        let last = Utc.with_ymd_and_hms(9999, 12, 31, 23, 0, 0).unwrap();
        let err = windows(last, at(10_000, 1)).validate().unwrap_err();
        assert!(
            matches!(err, MaintenanceError::OutOfRange { field: "end", .. }),
            "{err}"
        );
        assert!(err.to_string().contains("+10000-01-01"), "{err}");
    }

    #[test]
    fn maintenance_suppression() {
        let mw = MaintenanceWindows::new([Interval::new(t(10), t(20)).unwrap()]);
        let alerts = vec![
            AlertInterval::for_test("a", Severity::Page, t(12), Some(t(18))),
            AlertInterval::for_test("b", Severity::Page, t(15), Some(t(40))),
            AlertInterval::for_test("c", Severity::Page, t(5), Some(t(12))),
        ];
        let out = mw.suppress(alerts);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].tier, "b");
        assert_eq!(out[0].start, t(20));
        assert!(out[0].suppressed);
        assert_eq!(out[1].tier, "c");
        assert!(!out[1].suppressed);
    }
}
