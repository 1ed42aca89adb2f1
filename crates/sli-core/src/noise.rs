//! Noise reduction: sustained thresholds (N of M datapoints),
//! maintenance windows that suppress alerts, and grouping of alerts by a key.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::alert::{AlertInterval, Severity};
use crate::error::{Error, Result};
use crate::maintenance::{MaintenanceError, RecurringWindow};
use crate::window::Interval;

/// "N out of M": a condition counts only when it held on at least `datapoints_to_alarm` of the
/// last `evaluation_periods` datapoints, CloudWatch's `DatapointsToAlarm` / `EvaluationPeriods`.
/// `5 of 5` at one-minute resolution is "5 minutes sustained".
///
/// # Example
/// ```
/// use sli_core::Sustained;
///
/// let three_of_four = Sustained::new(3, 4)?;
/// let raw = [true, true, false, true, true, false, false];
/// assert_eq!(three_of_four.apply(&raw), [false, false, false, true, true, false, false]);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawSustained", into = "RawSustained")]
pub struct Sustained {
    datapoints_to_alarm: u32,
    evaluation_periods: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSustained {
    datapoints_to_alarm: u32,
    evaluation_periods: u32,
}

impl TryFrom<RawSustained> for Sustained {
    type Error = Error;
    fn try_from(raw: RawSustained) -> Result<Self> {
        Self::new(raw.datapoints_to_alarm, raw.evaluation_periods)
    }
}

impl From<Sustained> for RawSustained {
    fn from(s: Sustained) -> Self {
        Self {
            datapoints_to_alarm: s.datapoints_to_alarm,
            evaluation_periods: s.evaluation_periods,
        }
    }
}

impl Sustained {
    /// N out of M.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `1 <= n <= m <= 10_080` (a week of minutes).
    pub fn new(datapoints_to_alarm: u32, evaluation_periods: u32) -> Result<Self> {
        if evaluation_periods == 0 || evaluation_periods > 10_080 {
            return Err(Error::InvalidParameter {
                field: "evaluation_periods",
                value: f64::from(evaluation_periods),
                reason: "must be within 1..=10080",
            });
        }
        if datapoints_to_alarm == 0 || datapoints_to_alarm > evaluation_periods {
            return Err(Error::InvalidParameter {
                field: "datapoints_to_alarm",
                value: f64::from(datapoints_to_alarm),
                reason: "must be within 1..=evaluation_periods",
            });
        }
        Ok(Self {
            datapoints_to_alarm,
            evaluation_periods,
        })
    }

    /// N out of M for constants: `const FIVE_MINUTES: Sustained = Sustained::of(5, 5);` is
    /// checked by the compiler, so a library's defaults need no runtime error path.
    ///
    /// # Panics
    /// Unless `1 <= n <= m <= 10_080`; used in a `const` item, that is a compile error.
    ///
    /// ```
    /// use sli_core::Sustained;
    ///
    /// const THREE_OF_FIVE: Sustained = Sustained::of(3, 5);
    /// assert_eq!(THREE_OF_FIVE, Sustained::new(3, 5)?);
    /// # Ok::<(), sli_core::Error>(())
    /// ```
    #[allow(clippy::panic)]
    pub const fn of(datapoints_to_alarm: u32, evaluation_periods: u32) -> Self {
        if evaluation_periods == 0
            || evaluation_periods > 10_080
            || datapoints_to_alarm == 0
            || datapoints_to_alarm > evaluation_periods
        {
            panic!("Sustained::of needs 1 <= n <= m <= 10080");
        }
        Self {
            datapoints_to_alarm,
            evaluation_periods,
        }
    }

    /// N: how many datapoints must breach.
    pub const fn datapoints_to_alarm(&self) -> u32 {
        self.datapoints_to_alarm
    }

    /// M: how many recent datapoints are looked at.
    pub const fn evaluation_periods(&self) -> u32 {
        self.evaluation_periods
    }

    /// Applies the rule to a whole sequence of raw conditions.
    pub fn apply(&self, raw: &[bool]) -> Vec<bool> {
        let mut filter = SustainFilter::new(*self);
        raw.iter().map(|&r| filter.push(r)).collect()
    }
}

/// The streaming form of [`Sustained`]: O(1) per datapoint, memory of M bits.
///
/// # Example
/// ```
/// use sli_core::{SustainFilter, Sustained};
///
/// let mut five_minutes = SustainFilter::new(Sustained::new(5, 5)?);
/// let fired: Vec<bool> = (0..6).map(|_| five_minutes.push(true)).collect();
/// assert_eq!(fired, [false, false, false, false, true, true]);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SustainFilter {
    rule: Sustained,
    recent: Vec<bool>,
    next: usize,
    breaching: u32,
}

impl SustainFilter {
    /// A filter with no history.
    pub fn new(rule: Sustained) -> Self {
        Self {
            rule,
            recent: vec![false; rule.evaluation_periods as usize],
            next: 0,
            breaching: 0,
        }
    }

    /// Pushes the next raw condition; returns whether the sustained condition holds.
    #[inline]
    pub fn push(&mut self, raw: bool) -> bool {
        if let Some(slot) = self.recent.get_mut(self.next) {
            self.breaching -= u32::from(*slot);
            *slot = raw;
            self.breaching += u32::from(raw);
        }
        // Wrapping without a division (a detector pushes twice a sample).
        self.next += 1;
        if self.next >= self.recent.len() {
            self.next = 0;
        }
        self.breaching >= self.rule.datapoints_to_alarm
    }
}

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

/// Alerts that share a grouping key and overlap in time, reported as one notification.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{group_alerts, AlertInterval, Severity};
///
/// let t = |m| Utc.with_ymd_and_hms(2024, 5, 1, 0, m, 0).unwrap();
/// let alert = |tier: &str, severity, start, end| AlertInterval::new(tier, severity, start, end);
/// let groups = group_alerts(vec![alert("slow", Severity::Ticket, t(0), None), alert("fast", Severity::Page, t(5), Some(t(9)))], |_| "api");
/// assert_eq!((groups[0].key, groups[0].severity, groups[0].end), ("api", Severity::Page, None));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertGroup<K> {
    /// The grouping key (an SLO name, a service, a root-cause tag…).
    pub key: K,
    /// The highest severity among the alerts.
    pub severity: Severity,
    /// The earliest start.
    pub start: DateTime<Utc>,
    /// The latest end (an alert's start where its end preceded it); `None` while any alert is
    /// still firing.
    pub end: Option<DateTime<Utc>>,
    /// The alerts merged into this group, in start order.
    pub alerts: Vec<AlertInterval>,
}

/// Groups alerts by `key`, merging those with equal keys whose intervals overlap or touch:
/// alerts of one root cause become one notification. A fast tier firing during a slow
/// tier's alert for the same SLO becomes one group at the higher severity. An alert whose
/// `end` precedes its `start` (its fields are public) counts as ending at its start, so the
/// groups do not depend on the order the alerts come in.
///
/// # Example
/// ```
/// # use chrono::{TimeZone, Utc};
/// use sli_core::{group_alerts, AlertInterval, Severity};
/// # let t = |m| Utc.with_ymd_and_hms(2024, 1, 1, 0, m, 0).unwrap();
/// # let alert = |tier: &str, severity, start, end| AlertInterval::new(tier, severity, start, end);
/// let alerts = vec![
///     alert("ticket-fast", Severity::Ticket, t(0), Some(t(30))),
///     alert("page-fast", Severity::Page, t(10), Some(t(20))),
/// ];
/// let groups = group_alerts(alerts, |_| "checkout");
/// assert_eq!(groups.len(), 1);
/// assert_eq!(groups[0].severity, Severity::Page);
/// ```
pub fn group_alerts<K: Ord + Clone>(
    alerts: Vec<AlertInterval>,
    key: impl Fn(&AlertInterval) -> K,
) -> Vec<AlertGroup<K>> {
    group_keyed(alerts.into_iter().map(|a| (key(&a), a)).collect())
}

/// [`group_alerts`] with each alert's key given beside it: for alerts from several sources (an
/// SLO's burn-rate alerts and the failure-mode findings behind them) keyed by a root cause that
/// the alerts themselves do not carry.
///
/// # Example
/// ```
/// # use chrono::{TimeZone, Utc};
/// use sli_core::{group_keyed, AlertInterval, Severity};
/// # let t = |m| Utc.with_ymd_and_hms(2024, 1, 1, 0, m, 0).unwrap();
/// # let alert = |tier: &str, severity, start, end| AlertInterval::new(tier, severity, start, end);
/// let groups = group_keyed(vec![
///     ("zone-a", alert("checkout page", Severity::Page, t(5), Some(t(40)))),
///     ("zone-a", alert("F2 partition", Severity::Page, t(3), Some(t(20)))),
///     ("db", alert("F6 connections", Severity::Ticket, t(10), Some(t(15)))),
/// ]);
/// assert_eq!(groups.len(), 2);
/// assert_eq!(groups[0].alerts.len(), 2);
/// ```
pub fn group_keyed<K: Ord + Clone>(mut alerts: Vec<(K, AlertInterval)>) -> Vec<AlertGroup<K>> {
    alerts.sort_by_key(|(_, a)| a.start);
    let mut open: BTreeMap<K, AlertGroup<K>> = BTreeMap::new();
    let mut done = Vec::new();
    for (k, alert) in alerts {
        // An end before the start would close the group before an alert starting with it.
        let end = alert.end.map(|end| end.max(alert.start));
        match open.get_mut(&k) {
            Some(group) if group.end.is_none_or(|group_end| alert.start <= group_end) => {
                group.severity = group.severity.max(alert.severity);
                group.end = match (group.end, end) {
                    (Some(a), Some(b)) => Some(a.max(b)),
                    _ => None,
                };
                group.alerts.push(alert);
            }
            _ => {
                let group = AlertGroup {
                    key: k.clone(),
                    severity: alert.severity,
                    start: alert.start,
                    end,
                    alerts: vec![alert],
                };
                if let Some(previous) = open.insert(k, group) {
                    done.push(previous);
                }
            }
        }
    }
    done.extend(open.into_values());
    done.sort_by_key(|g| g.start);
    done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Zone;
    use chrono::{NaiveTime, TimeZone, Weekday};

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

    fn t(m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, m, 0).unwrap()
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
    fn sustained_five_of_five() {
        let rule = Sustained::new(5, 5).unwrap();
        let raw: Vec<bool> = (0..12).map(|i| (2..9).contains(&i)).collect();
        let out = rule.apply(&raw);
        let first = out.iter().position(|&b| b).unwrap();
        assert_eq!(first, 6, "fires after 5 sustained points");
        assert!(!out[9], "drops as soon as one point clears");
        assert!(Sustained::new(6, 5).is_err());
        assert!(Sustained::new(0, 5).is_err());
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

    #[test]
    fn grouping_splits_on_gaps_and_keys() {
        let alerts = vec![
            AlertInterval::for_test("x", Severity::Ticket, t(0), Some(t(5))),
            AlertInterval::for_test("y", Severity::Ticket, t(10), Some(t(15))),
            AlertInterval::for_test("z", Severity::Page, t(1), None),
        ];
        let by_tier_kind = group_alerts(alerts.clone(), |a| a.severity);
        assert_eq!(by_tier_kind.len(), 3);
        let one_key = group_alerts(alerts, |_| ());
        assert_eq!(one_key.len(), 1);
        assert_eq!(one_key[0].end, None);
        assert_eq!(one_key[0].severity, Severity::Page);
    }

    #[test]
    fn an_alert_ending_before_it_starts_groups_the_same_in_either_order() {
        // Two groups or one, by input order, when the first alert's end preceded its start.
        let backwards = AlertInterval::for_test("slo", Severity::Page, t(10), Some(t(5)));
        let finding = AlertInterval::for_test("F2", Severity::Ticket, t(10), Some(t(50)));
        for alerts in [
            vec![backwards.clone(), finding.clone()],
            vec![finding, backwards],
        ] {
            let groups = group_alerts(alerts, |_| "zone-a");
            assert_eq!(groups.len(), 1);
            assert_eq!((groups[0].start, groups[0].end), (t(10), Some(t(50))));
            assert_eq!(groups[0].severity, Severity::Page);
        }
        let alone = group_alerts(
            vec![AlertInterval::for_test(
                "slo",
                Severity::Page,
                t(10),
                Some(t(5)),
            )],
            |_| (),
        );
        assert_eq!(alone[0].end, Some(t(10)));
    }
}
