//! [`StreamingEvaluator`]: push one datapoint at a time, read burn rates, budget and firing
//! alerts. O(1) per step per window for a dense stream; memory O(points within the longest
//! window (or the SLO window, for the budget)), never O(steps) and never O(history), capped at
//! [`MAX_STREAM_POINTS`](super::history::MAX_STREAM_POINTS) by default.

use chrono::{DateTime, Utc};

use super::AlertInterval;
use super::evaluator::{
    NO_DATA, PolicyEvaluator, Resolved, TierTracker, burn_rate, check_evaluation_range,
    evaluation_instant, resolve_missing, window_state,
};
use super::history::History;
use crate::budget::ErrorBudget;
use crate::counts::{EventCounts, MAX_COUNT};
use crate::error::{Error, Position, Result};
use crate::series::{GridCursor, check_order};
use crate::span::Span;
use crate::window::{Interval, Window};

/// A change in alert state reported by [`StreamingEvaluator::push`].
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{catalog, AlertPolicy, AlertUpdate, EventCounts, PolicyEvaluator, Span};
///
/// let slo = catalog::availability("api");
/// let mut stream = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE)?.streaming();
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let mut log = Vec::new();
/// for m in 0..120 {
///     let good = if (60..65).contains(&m) { 0.0 } else { 1000.0 };
///     for update in stream.push(t0 + TimeDelta::minutes(m), EventCounts::new(good, 1000.0)?)? {
///         log.push(match update {
///             AlertUpdate::Fired(a) => format!("fired {}", a.tier),
///             AlertUpdate::Resolved(a) => format!("resolved {}", a.tier),
///         });
///     }
/// }
/// assert_eq!(log.first().map(String::as_str), Some("fired page-fast"));
/// assert!(log.contains(&"resolved page-fast".to_string()));
/// # Ok::<(), sli_core::Error>(())
/// ```
// Closed: an update either fires an alert or resolves one.
#[derive(Debug, Clone, PartialEq)]
pub enum AlertUpdate {
    /// A tier started firing (the alert has `end: None`).
    Fired(AlertInterval),
    /// A tier stopped firing (the alert has its `end`).
    Resolved(AlertInterval),
}

/// The burn rate over one window at the latest step.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{catalog, AlertPolicy, EventCounts, PolicyEvaluator, Span};
///
/// let slo = catalog::availability("api");
/// let mut stream = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE)?.streaming();
/// stream.push(Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), EventCounts::new(998.0, 1000.0)?)?;
/// let burns = stream.burn_rates();
/// assert_eq!(burns.len(), 7); // 5m, 30m, 1h, 2h, 6h, 1d, 3d
/// // Windows not yet full have no data (the default `PartialWindows::NoData`) only for alerting;
/// // the burn rate reads what there is.
/// assert!((burns[0].burn.unwrap() - 2.0).abs() < 1e-9);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct WindowBurn {
    /// The window length.
    pub window: Span,
    /// The burn rate, or `None` when the window holds no events.
    pub burn: Option<f64>,
}

#[derive(Debug, Clone)]
enum BudgetTracker {
    /// Rolling SLO window of this many steps.
    Rolling(usize),
    /// Calendar SLO window: the current period and the cumulative sums when it began.
    Calendar {
        period: Option<Interval>,
        start_bad: f64,
        start_total: f64,
    },
    /// The SLO window is not a whole number of steps: no budget is tracked.
    Unavailable,
}

/// Evaluates an alert policy one datapoint at a time, with exactly the results of
/// [`PolicyEvaluator::sweep`] on the same points.
///
/// Points must arrive in time order on the step grid that starts at the first point; a gap is
/// evaluated as steps with no events, stepping only where a window changes (a point leaves it)
/// and the sustain rules settle, so a long gap costs no more than the points before it.
///
/// # Resource limits
/// It keeps the running sums of the points within its longest window: the longest alert
/// window, or the rolling SLO window for [`StreamingEvaluator::budget`]: 16 bytes a point (24
/// once a gap makes it keep each point's slot too), and gaps hold nothing. Room for up to
/// 65,536 points (1 MiB: 30 days of one-minute points) is set up and written through when it
/// is built, so that an ordinary dense stream is resident
/// from its first point; beyond that it grows as points arrive. Memory is O(points in that
/// window), whatever the window's length in steps. A push that would keep more than
/// [`MAX_STREAM_POINTS`](crate::MAX_STREAM_POINTS) (or the cap given to
/// [`PolicyEvaluator::streaming_with_limit`]) is refused with [`Error::LimitExceeded`], and the
/// evaluator is unchanged.
///
/// Window sums are differences of running totals since the first point. With whole counts they
/// are exact until the running total of events reaches 2^53 (then `push` returns
/// [`Error::CountOverflow`]: 17,000 years at a million events a minute); with fractional counts
/// their rounding grows with the running total.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{catalog, AlertPolicy, AlertUpdate, EventCounts, PolicyEvaluator, Span};
///
/// let slo = catalog::availability("checkout");
/// let mut stream = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE)?.streaming();
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let minute = |m| t0 + TimeDelta::minutes(m);
/// for m in 0..60 {
///     assert!(stream.push(minute(m), EventCounts::new(1000.0, 1000.0)?)?.is_empty());
/// }
/// // A minute of total outage after an hour of clean traffic: 1.7 % errors over the hour.
/// let updates = stream.push(minute(60), EventCounts::new(0.0, 1000.0)?)?;
/// assert!(matches!(&updates[0], AlertUpdate::Fired(a) if a.tier == "page-fast"));
/// assert_eq!(stream.firing().count(), 1);
/// assert!(stream.budget().unwrap().is_exhausted());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct StreamingEvaluator {
    evaluator: PolicyEvaluator,
    origin: Option<DateTime<Utc>>,
    grid: Option<GridCursor>,
    last_pushed: Option<DateTime<Utc>>,
    pushed: usize,
    next_slot: usize,
    cum_bad: f64,
    cum_total: f64,
    /// Running sums after each slot that carried a point, within the longest window.
    history: History,
    last_state: Vec<bool>,
    trackers: Vec<TierTracker>,
    updates: Vec<AlertUpdate>,
    budget: BudgetTracker,
}

/// The slots a streaming evaluator reads back: the longest window or the rolling SLO window
/// (for the budget), whichever is longer.
fn reach(r: &Resolved) -> usize {
    let budget_steps = match r.slo.window {
        Window::Rolling(span) => span.steps_of(r.step).unwrap_or(0),
        Window::Calendar(_) => 0,
    };
    r.longest.max(budget_steps)
}

impl StreamingEvaluator {
    pub(super) fn new(evaluator: PolicyEvaluator, max_points: usize) -> Self {
        let r = &*evaluator.resolved;
        let budget = match r.slo.window {
            Window::Rolling(span) => span
                .steps_of(r.step)
                .map_or(BudgetTracker::Unavailable, BudgetTracker::Rolling),
            Window::Calendar(_) => BudgetTracker::Calendar {
                period: None,
                start_bad: 0.0,
                start_total: 0.0,
            },
        };
        Self {
            origin: None,
            grid: None,
            last_pushed: None,
            pushed: 0,
            next_slot: 0,
            cum_bad: 0.0,
            cum_total: 0.0,
            history: History::new(reach(r), max_points),
            last_state: vec![false; r.conditions.len()],
            trackers: r.tiers.iter().map(TierTracker::new).collect(),
            updates: Vec::new(),
            budget,
            evaluator,
        }
    }

    /// Pushes the datapoint stamped `at` and returns the alerts that fired or resolved.
    ///
    /// # Errors
    /// [`Error::Unordered`] / [`Error::DuplicateTimestamp`] when `at` is not after the last
    /// point; [`Error::Misaligned`] when it is off the step grid; [`Error::LimitExceeded`] when
    /// keeping it would pass the evaluator's cap on points; [`Error::CountOverflow`] when the
    /// running total of events would pass 2^53; [`Error::DateOutOfRange`] when `at` is too
    /// near the end of chrono's range. The evaluator is unchanged by a rejected point.
    pub fn push(&mut self, at: DateTime<Utc>, counts: EventCounts) -> Result<&[AlertUpdate]> {
        self.updates.clear();
        let position = Position::point(self.pushed, at);
        if let Some(previous) = self.last_pushed {
            check_order(previous, at, position)?;
        }
        let step = self.evaluator.resolved.step;
        if at > self.evaluator.resolved.latest_point {
            check_evaluation_range(at, step)?;
        }
        if self.cum_total > MAX_COUNT - counts.total() {
            return Err(Error::CountOverflow {
                value: self.cum_total + counts.total(),
            });
        }
        // A rejected point leaves no trace: the cursor remembers only the last slot it read
        // (a cache, whatever point it came from), and nothing else changes before this.
        let grid = self.grid.get_or_insert_with(|| GridCursor::new(at, step));
        let slot = grid.slot(self.pushed, at)?;
        self.history.check_room(slot)?;
        let origin = *self.origin.get_or_insert(at);
        if self.next_slot < slot {
            self.fill_gap(origin, slot);
        }
        self.advance(origin, Some(counts));
        self.last_pushed = Some(at);
        self.pushed += 1;
        Ok(&self.updates)
    }

    /// Evaluates the empty slots before `slot`. Between two slots where some window's sums
    /// change (a point leaving it, a window filling up), every window state is constant, and
    /// once the longest sustain rule has seen that many steps, so is every tier: such stretches
    /// are skipped at once. A gap costs O(points in the longest window × windows × the
    /// longest sustain rule) evaluations, not O(its length).
    fn fill_gap(&mut self, origin: DateTime<Utc>, slot: usize) {
        let settle = self.evaluator.resolved.longest_sustain + 1;
        let mut quiet = 0;
        let mut change = self.next_change();
        while self.next_slot < slot {
            if self.next_slot >= change {
                quiet = 0;
            }
            if quiet >= settle {
                self.next_slot = change.min(slot);
                continue;
            }
            self.advance(origin, None);
            quiet += 1;
            if self.next_slot > change {
                change = self.next_change();
            }
        }
    }

    /// The first slot after the last one evaluated at which, without new points, some window's
    /// sums or partial state change.
    fn next_change(&self) -> usize {
        let r = &*self.evaluator.resolved;
        let Some(k) = self.next_slot.checked_sub(1) else {
            return 0;
        };
        let mut next = usize::MAX;
        for c in &r.conditions {
            if r.partial_no_data && k + 1 < c.steps {
                next = next.min(c.steps - 1);
            }
            if k >= c.steps {
                // The window ending at `j` subtracts the sums after `j - steps`.
                if let Some(entry) = self.history.next_change_after(k - c.steps) {
                    next = next.min(entry + c.steps);
                }
            } else {
                next = next.min(c.steps);
            }
        }
        next
    }

    /// Evaluates the next slot with `counts` (`None`: an empty slot of a gap).
    fn advance(&mut self, origin: DateTime<Utc>, counts: Option<EventCounts>) {
        let k = self.next_slot;
        let step = self.evaluator.resolved.step;
        if matches!(self.budget, BudgetTracker::Calendar { .. }) {
            self.track_calendar_budget(evaluation_instant(origin, step, k) - step.as_time_delta());
        }
        let r = &*self.evaluator.resolved;
        let dense = if let Some(counts) = counts {
            self.cum_bad += counts.bad();
            self.cum_total += counts.total();
            self.history.push(k, [self.cum_bad, self.cum_total])
        } else {
            self.history.dense_at(k)
        };
        let history = &self.history;
        let (cum_bad, cum_total) = (self.cum_bad, self.cum_total);
        let slot = Slot {
            r,
            k,
            at: || evaluation_instant(origin, step, k),
        };
        let state = (
            &mut self.last_state[..],
            &mut self.trackers[..],
            &mut self.updates,
        );
        // Same subtraction as the batch sweep's prefix sums, so the sums are bit-identical. A
        // dense stream reads its sums as a plain ring would, one with gaps by slot: chosen
        // once per slot, each with its own copy of the loop.
        if dense {
            slot.evaluate(state, |steps: usize| {
                let [lo_bad, lo_total] = if k < steps {
                    [0.0, 0.0]
                } else {
                    history.sums_back(steps)
                };
                (cum_bad - lo_bad, cum_total - lo_total)
            });
        } else {
            slot.evaluate(state, |steps: usize| {
                let [lo_bad, lo_total] = if k < steps {
                    [0.0, 0.0]
                } else {
                    history.sums_at(k - steps)
                };
                (cum_bad - lo_bad, cum_total - lo_total)
            });
        }
        self.next_slot += 1;
    }

    /// Starts a new calendar period's budget when the point at `point_time` leaves the current
    /// one. Called before the point's counts are added.
    fn track_calendar_budget(&mut self, point_time: DateTime<Utc>) {
        let Window::Calendar(calendar) = self.evaluator.resolved.slo.window else {
            return;
        };
        if let BudgetTracker::Calendar {
            period,
            start_bad,
            start_total,
        } = &mut self.budget
            && period.is_none_or(|p| !p.contains(point_time))
        {
            *period = calendar.containing(point_time).ok();
            *start_bad = self.cum_bad;
            *start_total = self.cum_total;
        }
    }

    /// The timestamp of the last datapoint evaluated (pushed or filled in a gap).
    pub fn last_time(&self) -> Option<DateTime<Utc>> {
        let r = &*self.evaluator.resolved;
        let origin = self.origin?;
        let last = self.next_slot.checked_sub(1)?;
        Some(evaluation_instant(origin, r.step, last) - r.step.as_time_delta())
    }

    /// The burn rate over every distinct window of the policy at the latest step.
    pub fn burn_rates(&self) -> Vec<WindowBurn> {
        let r = &*self.evaluator.resolved;
        let budget = r.objective.error_budget();
        let mut seen: Vec<WindowBurn> = Vec::new();
        for condition in &r.conditions {
            let window = Span::known_valid(r.step.seconds() * condition.steps as i64);
            if seen.iter().any(|w| w.window == window) {
                continue;
            }
            let (bad, total) = self.window_sums(condition.steps);
            seen.push(WindowBurn {
                window,
                burn: burn_rate(bad, total, budget),
            });
        }
        seen.sort_by_key(|w| w.window);
        seen
    }

    fn window_sums(&self, steps: usize) -> (f64, f64) {
        let Some(k) = self.next_slot.checked_sub(1) else {
            return (0.0, 0.0);
        };
        if k >= steps {
            let [bad, total] = self.history.sums_at(k - steps);
            (self.cum_bad - bad, self.cum_total - total)
        } else {
            (self.cum_bad, self.cum_total)
        }
    }

    /// The error budget over the SLO window ending at the latest step (rolling), or over the
    /// calendar period so far (calendar); `None` before any event, or when a rolling SLO window
    /// is not a whole number of steps.
    pub fn budget(&self) -> Option<ErrorBudget> {
        let (bad, total) = match self.budget {
            BudgetTracker::Rolling(steps) => self.window_sums(steps),
            BudgetTracker::Calendar {
                start_bad,
                start_total,
                ..
            } => (self.cum_bad - start_bad, self.cum_total - start_total),
            BudgetTracker::Unavailable => return None,
        };
        let good = (total - bad).max(0.0);
        let counts = EventCounts::new(good, total).ok()?;
        ErrorBudget::for_events(self.evaluator.resolved.objective, counts)
    }

    /// The alerts firing now.
    pub fn firing(&self) -> impl Iterator<Item = &AlertInterval> + '_ {
        self.trackers.iter().filter_map(|t| t.open.as_ref())
    }
}

/// One slot to evaluate: the resolved policy, the slot's index and its evaluation instant.
struct Slot<'r, A> {
    r: &'r Resolved,
    k: usize,
    at: A,
}

impl<A: Fn() -> DateTime<Utc>> Slot<'_, A> {
    /// Every window's state at the slot, then every tier's step, with `sums(steps)` giving
    /// `(bad, total)` over the last `steps` slots.
    #[inline(always)]
    fn evaluate(
        &self,
        (last_state, trackers, updates): (&mut [bool], &mut [TierTracker], &mut Vec<AlertUpdate>),
        sums: impl Fn(usize) -> (f64, f64),
    ) {
        let (r, k) = (self.r, self.k);
        for (condition, last) in r.conditions.iter().zip(last_state.iter_mut()) {
            let (bad, total) = sums(condition.steps);
            let partial = r.partial_no_data && k + 1 < condition.steps;
            let mut state = [if partial {
                NO_DATA
            } else {
                window_state(bad, total, condition.ratio_threshold, r.min_events)
            }];
            *last = resolve_missing(&mut state, r.missing, *last);
        }
        for (tier, tracker) in r.tiers.iter().zip(trackers.iter_mut()) {
            let fires = last_state[tier.long] && last_state[tier.short];
            if tracker.wants(fires) {
                // Worked out before the call, not lazily as the sweep does: here the closure
                // costs more than the instant (callgrind: 166.4 M against 158.3 M instructions).
                let at = (self.at)();
                if let Some(update) = tracker.step(r, tier, || at, fires, &sums) {
                    updates.push(update);
                }
            }
        }
    }
}
