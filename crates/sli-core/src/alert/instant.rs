//! [`PolicyEvaluator::burn_rates_at`]: the burn rate over every window of a policy at one
//! instant, from a whole series, without replaying it through a streaming evaluator.

use chrono::{DateTime, Utc};

use super::evaluator::{PolicyEvaluator, Resolved, burn_rate};
use super::stream::WindowBurn;
use crate::counts::{EventCounts, MAX_COUNT};
use crate::error::{Error, Position, Result};
use crate::series::{GridCursor, Series};
use crate::span::Span;

/// The policy's distinct windows, shortest first, each with its length in steps.
fn distinct_windows(r: &Resolved) -> Vec<(Span, usize)> {
    let mut windows: Vec<(Span, usize)> = Vec::new();
    for condition in &r.conditions {
        let window = Span::known_valid(r.step.seconds() * condition.steps as i64);
        if !windows.iter().any(|(w, _)| *w == window) {
            windows.push((window, condition.steps));
        }
    }
    windows.sort_by_key(|(w, _)| *w);
    windows
}

impl PolicyEvaluator {
    /// The burn rate over every distinct window of the policy at the instant `at`, read from
    /// a whole series: exactly what [`StreamingEvaluator::burn_rates`](super::StreamingEvaluator::burn_rates)
    /// reports once it has been fed every point known at `at` (and, when the last of them
    /// ended before `at`, the empty steps since).
    ///
    /// A point stamped `t` covers `[t, t + step)` and is known at `t + step`, so `at` is an
    /// evaluation instant: the series' first timestamp plus a whole number of steps (e.g.
    /// `series.last_time() + step` for "just after the last point"). Each window sums the
    /// points of its last `window / step` steps up to `at`; gaps are steps without events;
    /// a window reaching before the first point holds what the series has, as the streaming
    /// evaluator's does. At or before the first timestamp nothing is known: every burn is
    /// `None`.
    ///
    /// Costs one pass over the points before `at` (the sums are running totals from the first
    /// point, as the streaming evaluator keeps them, so that both give the same bits).
    ///
    /// # Errors
    /// [`Error::Misaligned`] when `at` is not on the evaluation grid, or when a point before
    /// `at` is off the step grid (as pushing it to a streaming evaluator would be);
    /// [`Error::CountOverflow`] when the events before `at` pass 2^53, as the streaming
    /// evaluator refuses them.
    ///
    /// # Example
    /// ```
    /// use chrono::{TimeDelta, TimeZone, Utc};
    /// use sli_core::{catalog, AlertPolicy, PolicyEvaluator, Series, Span};
    ///
    /// let slo = catalog::availability("checkout"); // 99.9 %: the error budget is 0.1 %
    /// let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE)?;
    /// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    /// // An hour of 1,000 requests a minute; 10 fail in the last minute.
    /// let series = Series::from_counts((0..60).map(|m| {
    ///     (t0 + TimeDelta::minutes(m), if m == 59 { 990.0 } else { 1000.0 }, 1000.0)
    /// }))?;
    /// let burns = evaluator.burn_rates_at(&series, t0 + TimeDelta::hours(1))?;
    /// // 5 minutes: 10 bad of 5,000 = 0.2 %, twice the budget. 1 hour: 10 of 60,000, a sixth.
    /// assert_eq!(burns[0].window, Span::from_minutes(5)?);
    /// assert!((burns[0].burn.unwrap() - 2.0).abs() < 1e-9);
    /// assert_eq!(burns[2].window, Span::HOUR);
    /// assert!((burns[2].burn.unwrap() - 1.0 / 6.0).abs() < 1e-9);
    /// # Ok::<(), sli_core::Error>(())
    /// ```
    pub fn burn_rates_at(
        &self,
        series: &Series<EventCounts>,
        at: DateTime<Utc>,
    ) -> Result<Vec<WindowBurn>> {
        let r = &*self.resolved;
        let windows = distinct_windows(r);
        let none = || {
            windows
                .iter()
                .map(|&(window, _)| WindowBurn { window, burn: None })
                .collect()
        };
        let origin = series.first_time();
        let step = r.step.seconds();
        let misaligned = || Error::Misaligned {
            at,
            origin,
            step_seconds: step,
            position: Position::NONE,
        };
        let elapsed = at - origin;
        if elapsed.subsec_nanos() != 0 || elapsed.num_seconds() % step != 0 {
            return Err(misaligned());
        }
        // Steps known at `at`: slots 0 ..= last.
        let Some(last) = usize::try_from(elapsed.num_seconds() / step)
            .ok()
            .and_then(|known| known.checked_sub(1))
        else {
            return Ok(none());
        };
        // Running totals after each point of a slot up to `last`, as the streaming evaluator
        // adds them (an empty step adds nothing).
        let mut grid = GridCursor::new(origin, r.step);
        let mut running: Vec<(usize, f64, f64)> = Vec::new();
        let (mut cum_bad, mut cum_total) = (0.0, 0.0);
        for (index, (t, counts)) in series.iter().enumerate() {
            // Known at `at` when `t + step <= at`, i.e. (on the grid) when `t < at`.
            if t >= at {
                break;
            }
            let slot = grid.slot(index, t)?;
            // Checked before adding, as the streaming evaluator checks: past 2^53 the sums
            // round, and the windows' differences of them were wrong with no error.
            if cum_total > MAX_COUNT - counts.total() {
                return Err(Error::CountOverflow {
                    value: cum_total + counts.total(),
                });
            }
            cum_bad += counts.bad();
            cum_total += counts.total();
            running.push((slot, cum_bad, cum_total));
        }
        // The running totals after slot `s`: those of the last point at or before it.
        let totals_after = |s: usize| {
            let known = running.partition_point(|&(slot, _, _)| slot <= s);
            known
                .checked_sub(1)
                .map_or((0.0, 0.0), |i| (running[i].1, running[i].2))
        };
        let (bad_now, total_now) = totals_after(last);
        let budget = r.objective.error_budget();
        Ok(windows
            .into_iter()
            .map(|(window, steps)| {
                let (bad, total) = if last >= steps {
                    let (lo_bad, lo_total) = totals_after(last - steps);
                    (bad_now - lo_bad, total_now - lo_total)
                } else {
                    (bad_now, total_now)
                };
                WindowBurn {
                    window,
                    burn: burn_rate(bad, total, budget),
                }
            })
            .collect())
    }
}
