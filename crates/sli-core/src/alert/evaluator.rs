//! [`PolicyEvaluator`]: an alert policy resolved against one SLO and one series step, with the
//! batch sweep. The per-step logic it shares with the streaming evaluator lives here too, so
//! that both give bit-for-bit the same alerts.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::AlertInterval;
use super::policy::{AlertPolicy, AlertTier, PartialWindows, PolicyWarning};
use super::stream::{AlertUpdate, StreamingEvaluator};
use super::sweep::BlockSweep;
use crate::counts::EventCounts;
use crate::error::{Error, Result};
use crate::missing::MissingData;
use crate::noise::SustainFilter;
use crate::objective::Objective;
use crate::series::Series;
use crate::slo::Slo;
use crate::span::Span;

/// Window state codes: the window's bad ratio is above the threshold (`BREACH`), within it
/// (`0`), or unknown (`NO_DATA`).
pub(super) const BREACH: u8 = 1;
pub(super) const NO_DATA: u8 = 2;

/// One distinct (window length, threshold) pair; tiers share them where they coincide.
#[derive(Debug, Clone)]
pub(super) struct Condition {
    pub(super) steps: usize,
    /// Fire when `bad > ratio_threshold × total`: the burn-rate threshold times the budget.
    pub(super) ratio_threshold: f64,
}

#[derive(Debug, Clone)]
pub(super) struct ResolvedTier {
    pub(super) tier: AlertTier,
    pub(super) long: usize,
    pub(super) short: usize,
    pub(super) burn_threshold: f64,
    pub(super) budget_fraction: f64,
}

#[derive(Debug)]
pub(super) struct Resolved {
    pub(super) objective: Objective,
    pub(super) slo: Slo,
    pub(super) slo_period: Span,
    pub(super) step: Span,
    /// Events at or above which a window has data (`min_events`, or the smallest positive
    /// number when no minimum is set, so that one comparison covers both rules).
    pub(super) min_events: f64,
    pub(super) missing: MissingData,
    pub(super) conditions: Vec<Condition>,
    pub(super) tiers: Vec<ResolvedTier>,
    pub(super) longest: usize,
    /// Windows reaching before the first point have no data (`PartialWindows::NoData`/`Reject`).
    pub(super) partial_no_data: bool,
    pub(super) reject_short_series: bool,
    /// The longest sustain rule (`M` of N-of-M), in steps.
    pub(super) longest_sustain: usize,
    /// The latest timestamp whose evaluation instant is surely representable (two steps before
    /// the end of chrono's range): later ones go through [`check_evaluation_range`].
    pub(super) latest_point: DateTime<Utc>,
    pub(super) warnings: Vec<PolicyWarning>,
}

/// An [`AlertPolicy`] resolved for one [`Slo`] and one datapoint step: burn-rate thresholds
/// scaled to the SLO window, windows converted to whole steps, shared windows de-duplicated.
///
/// [`PolicyEvaluator::sweep`] evaluates a whole series at once; [`PolicyEvaluator::streaming`]
/// returns a [`StreamingEvaluator`] fed one point at a time. Both give the same alerts.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{catalog, AlertPolicy, PolicyEvaluator, Series, Span};
///
/// let slo = catalog::availability("checkout"); // 99.9 % over 30 days
/// let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE)?;
///
/// // Two clean hours, then every request fails for 10 minutes.
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let series = Series::from_counts((0..150).map(|m| {
///     let bad = if (120..130).contains(&m) { 1000.0 } else { 0.0 };
///     (t0 + TimeDelta::minutes(m), 1000.0 - bad, 1000.0)
/// }))?;
/// let alerts = evaluator.sweep(&series)?;
/// let page = alerts.iter().find(|a| a.tier == "page-fast").unwrap();
/// assert_eq!(page.start, t0 + TimeDelta::minutes(121)); // known at the end of the first bad minute
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PolicyEvaluator {
    pub(super) resolved: Arc<Resolved>,
}

impl PolicyEvaluator {
    /// Resolves `policy` for `slo` on a series of datapoints `step` apart.
    ///
    /// # Errors
    /// [`Error::InvalidPolicy`] when the policy is invalid ([`AlertPolicy::validate`]) or a
    /// window of an enabled tier is not a whole number of steps; as [`Slo::validate`] for the
    /// SLO ([`Error::InvalidField`] for an empty name, [`Error::InvalidParameter`] for an
    /// invalid `min_events`).
    pub fn new(slo: &Slo, policy: &AlertPolicy, step: Span) -> Result<Self> {
        slo.validate()?;
        let slo_period = slo.window.nominal_length();
        let warnings = policy.validate(slo.objective, slo_period)?;
        let budget = slo.objective.error_budget();
        let mut conditions: Vec<Condition> = Vec::new();
        // Conditions by (steps, threshold bits): found in constant time, however many tiers.
        let mut index: HashMap<(usize, u64), usize> = HashMap::new();
        let mut condition_for = |tier: &AlertTier, window: Span, threshold: f64| -> Result<usize> {
            let steps = window.steps_of(step).ok_or_else(|| Error::InvalidPolicy {
                tier: tier.id.clone(),
                reason: format!("window {window} is not a whole number of {step} steps"),
            })?;
            // `+ 0.0` makes -0.0 and 0.0 one key, as `==` would (thresholds are never NaN).
            let ratio_threshold = threshold * budget + 0.0;
            Ok(*index
                .entry((steps, ratio_threshold.to_bits()))
                .or_insert_with(|| {
                    conditions.push(Condition {
                        steps,
                        ratio_threshold,
                    });
                    conditions.len() - 1
                }))
        };
        let mut tiers = Vec::new();
        for tier in policy.enabled_tiers() {
            let burn_threshold = tier.burn_rate_threshold(slo_period);
            let long = condition_for(tier, tier.long_window, burn_threshold)?;
            let short = condition_for(tier, tier.short_window, burn_threshold)?;
            tiers.push(ResolvedTier {
                tier: tier.clone(),
                long,
                short,
                burn_threshold,
                budget_fraction: tier.budget_fraction(slo_period),
            });
        }
        let longest = conditions.iter().map(|c| c.steps).max().unwrap_or(1);
        let longest_sustain = tiers
            .iter()
            .filter_map(|t| t.tier.sustain)
            .map(|s| s.evaluation_periods() as usize)
            .max()
            .unwrap_or(0);
        Ok(Self {
            resolved: Arc::new(Resolved {
                objective: slo.objective,
                slo: slo.clone(),
                slo_period,
                step,
                min_events: if slo.min_events > 0.0 {
                    slo.min_events
                } else {
                    f64::MIN_POSITIVE
                },
                missing: slo.missing_data,
                conditions,
                tiers,
                longest,
                partial_no_data: policy.partial_windows != PartialWindows::Evaluate,
                reject_short_series: policy.partial_windows == PartialWindows::Reject,
                longest_sustain,
                latest_point: DateTime::<Utc>::MAX_UTC - step.as_time_delta() * 2,
                warnings,
            }),
        })
    }

    /// Warnings raised when the policy was resolved (e.g. a tier that can never fire).
    pub fn warnings(&self) -> &[PolicyWarning] {
        &self.resolved.warnings
    }

    /// The datapoint step.
    pub fn step(&self) -> Span {
        self.resolved.step
    }

    /// The SLO window length the thresholds were scaled to.
    pub fn slo_period(&self) -> Span {
        self.resolved.slo_period
    }

    /// The enabled tiers with their burn-rate thresholds for this SLO window.
    pub fn thresholds(&self) -> impl Iterator<Item = (&AlertTier, f64)> + '_ {
        self.resolved
            .tiers
            .iter()
            .map(|t| (&t.tier, t.burn_threshold))
    }

    /// A streaming evaluator with no history, keeping at most
    /// [`MAX_STREAM_POINTS`](crate::MAX_STREAM_POINTS) points.
    pub fn streaming(&self) -> StreamingEvaluator {
        StreamingEvaluator::new(self.clone(), super::history::MAX_STREAM_POINTS)
    }

    /// A streaming evaluator with no history, keeping at most `max_points` points (the points
    /// within its longest window; at least 2): a push that would keep more is refused with
    /// [`Error::LimitExceeded`].
    ///
    /// # Example
    /// ```
    /// use chrono::{TimeDelta, TimeZone, Utc};
    /// use sli_core::{catalog, AlertPolicy, Error, EventCounts, PolicyEvaluator, Span};
    ///
    /// let slo = catalog::availability("api"); // 30 days: 43,200 one-minute points
    /// let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE)?;
    /// let mut stream = evaluator.streaming_with_limit(1_000);
    /// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    /// for m in 0..1_000 {
    ///     stream.push(t0 + TimeDelta::minutes(m), EventCounts::new(10.0, 10.0)?)?;
    /// }
    /// let refused = stream.push(t0 + TimeDelta::minutes(1_000), EventCounts::new(10.0, 10.0)?);
    /// assert!(matches!(refused, Err(Error::LimitExceeded { limit: 1_000, .. })));
    /// # Ok::<(), sli_core::Error>(())
    /// ```
    pub fn streaming_with_limit(&self, max_points: usize) -> StreamingEvaluator {
        StreamingEvaluator::new(self.clone(), max_points)
    }

    /// Evaluates the whole series and returns every alert, ordered by start time, then by the
    /// tier's position in the policy. Alerts still firing at the last point have `end: None`.
    ///
    /// Gaps between datapoints are minutes with no events (CloudWatch omits empty periods);
    /// windows reaching before the first point hold only what the series has.
    ///
    /// A series with data in at least a quarter of its slots is swept a block of slots at a
    /// time, in memory O(longest window) (at most four times the series' length); a sparser
    /// one through the streaming evaluator, in memory O(points in the longest window) and in
    /// time O(points), however long its gaps.
    ///
    /// # Errors
    /// [`Error::Misaligned`] when a timestamp is not on the step grid starting at the first
    /// point; [`Error::LimitExceeded`] when a sparse series keeps more than
    /// [`MAX_STREAM_POINTS`](crate::MAX_STREAM_POINTS) points within its longest window;
    /// [`Error::CountOverflow`] when the series' events pass 2^53, as the streaming evaluator
    /// refuses them; [`Error::WindowLongerThanData`] under [`PartialWindows::Reject`] when a
    /// tier's long window is longer than the series; [`Error::DateOutOfRange`] when an
    /// evaluation would reach past chrono's range.
    pub fn sweep(&self, series: &Series<EventCounts>) -> Result<Vec<AlertInterval>> {
        match BlockSweep::new(&self.resolved, series)? {
            Some(sweep) => sweep.run(),
            None => self.sweep_sparse(series),
        }
    }

    /// The sweep of a mostly empty series, through the streaming evaluator.
    pub(super) fn sweep_sparse(&self, series: &Series<EventCounts>) -> Result<Vec<AlertInterval>> {
        let mut stream = self.streaming();
        let mut alerts = Vec::new();
        for (at, counts) in series.iter() {
            for update in stream.push(at, *counts)? {
                if let AlertUpdate::Resolved(done) = update {
                    alerts.push(done.clone());
                }
            }
        }
        alerts.extend(stream.firing().cloned());
        sort_alerts(&mut alerts, &self.resolved);
        Ok(alerts)
    }
}

/// Checks that the evaluation instant of a point at `last` (`last + step`) can be represented,
/// so that no later time arithmetic can overflow.
pub(super) fn check_evaluation_range(last: DateTime<Utc>, step: Span) -> Result<()> {
    last.checked_add_signed(step.as_time_delta() * 2)
        .map(|_| ())
        .ok_or(Error::DateOutOfRange {
            at: last,
            what: "the evaluation instant (timestamp + step)",
        })
}

/// Orders alerts by start, then by tier position: the order both evaluators report.
pub(super) fn sort_alerts(alerts: &mut [AlertInterval], r: &Resolved) {
    // Tier ranks looked up in a map: a scan of the tiers per comparison would make many alerts
    // of a policy with many tiers quadratic.
    let ranks: HashMap<&str, usize> = r
        .tiers
        .iter()
        .enumerate()
        .map(|(i, t)| (t.tier.id.as_str(), i))
        .collect();
    let rank = |id: &str| ranks.get(id).copied().unwrap_or(usize::MAX);
    alerts.sort_by_cached_key(|a| (a.start, rank(&a.tier)));
}

/// The instant datapoint `index` is known: the end of the period it covers.
pub(super) fn evaluation_instant(origin: DateTime<Utc>, step: Span, index: usize) -> DateTime<Utc> {
    let seconds = step
        .seconds()
        .saturating_mul(i64::try_from(index + 1).unwrap_or(i64::MAX));
    origin + chrono::TimeDelta::seconds(seconds)
}

/// The state of one window: the single definition both evaluators use.
#[inline]
pub(super) fn window_state(bad: f64, total: f64, ratio_threshold: f64, min_events: f64) -> u8 {
    // Branch-free so that the batch loops vectorise: BREACH (1), within (0) or NO_DATA (2).
    let has_data = u8::from(total >= min_events);
    (u8::from(bad > ratio_threshold * total) & has_data) | ((has_data ^ 1) << 1)
}

/// Replaces [`NO_DATA`] by the missing-data policy's answer; returns the last state, which a
/// `Skip` policy carries into the next block.
pub(super) fn resolve_missing(states: &mut [u8], missing: MissingData, mut last: bool) -> bool {
    match missing {
        MissingData::Good | MissingData::Bad => {
            let fill = u8::from(missing == MissingData::Bad);
            for s in states.iter_mut() {
                *s = if *s == NO_DATA { fill } else { *s };
            }
            last = states.last().map_or(last, |&s| s == BREACH);
        }
        MissingData::Skip if !states.contains(&NO_DATA) => {
            last = states.last().map_or(last, |&s| s == BREACH);
        }
        MissingData::Skip => {
            for s in states.iter_mut() {
                if *s == NO_DATA {
                    *s = u8::from(last);
                }
                last = *s == BREACH;
            }
        }
    }
    last
}

/// Burn rate of `bad` out of `total` events against the error `budget` (a fraction); `None`
/// without events. The single definition of the evaluators' burn figures.
#[inline]
pub(super) fn burn_rate(bad: f64, total: f64, budget: f64) -> Option<f64> {
    (total > 0.0).then(|| bad / total / budget)
}

/// Raises an open alert's peak burn to `burn` if that is higher.
#[inline]
fn raise_peak(open: &mut AlertInterval, burn: f64) {
    open.peak_burn = Some(open.peak_burn.map_or(burn, |p| p.max(burn)));
}

/// The open/close logic of one tier, shared by both evaluators.
#[derive(Debug, Clone)]
pub(super) struct TierTracker {
    sustain: Option<SustainFilter>,
    pub(super) open: Option<AlertInterval>,
}

impl TierTracker {
    pub(super) fn new(tier: &ResolvedTier) -> Self {
        Self {
            sustain: tier.tier.sustain.map(SustainFilter::new),
            open: None,
        }
    }

    /// Whether [`TierTracker::step`] has anything to do for this raw condition.
    #[inline]
    pub(super) fn wants(&self, fires: bool) -> bool {
        fires || self.open.is_some() || self.sustain.is_some()
    }

    /// Whether steps where the condition fires can only raise the open alert's peak burn:
    /// an alert is open and, without a sustain filter, such a step neither opens nor closes
    /// anything.
    #[inline]
    pub(super) fn holds_open(&self) -> bool {
        self.sustain.is_none() && self.open.is_some()
    }

    /// Steps through a run of steps where the condition fires, while [`Self::holds_open`]:
    /// `long_sums` gives each step's `(bad, total)` over the long window, and the open alert's
    /// peak burn rises to the run's highest (the same burns as step by step, the maximum
    /// taken in another order).
    pub(super) fn hold_firing(
        &mut self,
        r: &Resolved,
        long_sums: impl Iterator<Item = (f64, f64)>,
    ) {
        let budget = r.objective.error_budget();
        let peak = long_sums
            .filter_map(|(bad, total)| burn_rate(bad, total, budget))
            .reduce(f64::max);
        if let (Some(open), Some(peak)) = (self.open.as_mut(), peak) {
            raise_peak(open, peak);
        }
    }

    /// Advances one step. `at()` gives the step's evaluation instant (worked out only when an
    /// alert opens or closes: most steps of an open alert do neither), `sums(steps)` gives
    /// `(bad, total)` over the last `steps` slots.
    pub(super) fn step(
        &mut self,
        r: &Resolved,
        tier: &ResolvedTier,
        at: impl FnOnce() -> DateTime<Utc>,
        raw: bool,
        sums: impl Fn(usize) -> (f64, f64),
    ) -> Option<AlertUpdate> {
        let fires = match &mut self.sustain {
            Some(filter) => filter.push(raw),
            None => raw,
        };
        let budget = r.objective.error_budget();
        let burn = |steps| {
            let (bad, total) = sums(steps);
            burn_rate(bad, total, budget)
        };
        let long_steps = r.conditions[tier.long].steps;
        match (&mut self.open, fires) {
            (None, false) => None,
            (None, true) => {
                let long_burn = burn(long_steps);
                let alert = AlertInterval {
                    tier: tier.tier.id.clone(),
                    severity: tier.tier.severity,
                    start: at(),
                    end: None,
                    long_burn,
                    short_burn: burn(r.conditions[tier.short].steps),
                    peak_burn: long_burn,
                    threshold: tier.burn_threshold,
                    budget_fraction: tier.budget_fraction,
                    time_to_exhaustion_seconds: long_burn
                        .filter(|b| *b > 0.0)
                        .map(|b| r.slo_period.seconds() as f64 / b),
                    suppressed: false,
                };
                self.open = Some(alert.clone());
                Some(AlertUpdate::Fired(alert))
            }
            (Some(open), true) => {
                if let Some(b) = burn(long_steps) {
                    raise_peak(open, b);
                }
                None
            }
            (Some(_), false) => {
                let mut done = self.open.take()?;
                done.end = Some(at());
                Some(AlertUpdate::Resolved(done))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::noise::Sustained;
    use crate::{AlertTier, CalendarPeriod, Severity, Sli, TierThreshold, Window};
    use chrono::{TimeDelta, TimeZone};
    use proptest::prelude::*;

    fn policy(sustain: Option<Sustained>, partial_windows: PartialWindows) -> AlertPolicy {
        let m = |k| Span::from_minutes(k).unwrap();
        let mut tiers = vec![
            AlertTier::new(
                "fast",
                Severity::Page,
                m(10),
                m(2),
                TierThreshold::BurnRate(8.0),
            ),
            AlertTier::new(
                "mid",
                Severity::Page,
                m(30),
                m(5),
                TierThreshold::BudgetConsumed(0.05),
            ),
            AlertTier::new(
                "slow",
                Severity::Ticket,
                m(60),
                m(10),
                TierThreshold::BurnRate(1.0),
            ),
        ];
        tiers[1].sustain = sustain;
        AlertPolicy {
            tiers,
            partial_windows,
        }
    }

    proptest! {
        /// The streaming evaluator skips the steady stretches of a gap; a block sweep visits
        /// every slot. On sparse series (which `sweep` hands to the streaming evaluator) both
        /// must give the same alerts, bit for bit: gaps from one step to days, sustain rules,
        /// every missing-data policy, both partial-window modes.
        #[test]
        fn streaming_with_skipped_gaps_equals_a_sweep_of_every_slot(
            gaps in prop::collection::vec(
                (prop_oneof![3 => 1usize..=3, 1 => 4usize..200, 1 => 200usize..5_000], 0u32..=100, 0u32..=100, prop::bool::weighted(0.3)),
                1..120,
            ),
            sustain in prop::option::of((1u32..=4, 0u32..=3).prop_map(|(n, extra)| Sustained::new(n, n + extra).unwrap())),
            missing in prop_oneof![Just(MissingData::Good), Just(MissingData::Bad), Just(MissingData::Skip)],
            partial in prop_oneof![Just(PartialWindows::NoData), Just(PartialWindows::Evaluate)],
            min_events in prop_oneof![Just(0.0), 1.0f64..50.0],
            calendar in any::<bool>(),
        ) {
            let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
            let mut slot = 0usize;
            let points: Vec<_> = gaps
                .iter()
                .enumerate()
                .map(|(i, &(gap, total, bad_pct, burst))| {
                    if i > 0 {
                        slot += gap;
                    }
                    let total = f64::from(total);
                    let bad = if burst { (total * f64::from(bad_pct) / 100.0).floor() } else { 0.0 };
                    (t0 + TimeDelta::minutes(slot as i64), total - bad, total)
                })
                .collect();
            let series = Series::from_counts(points).unwrap();
            let window = if calendar {
                Window::calendar(CalendarPeriod::Day)
            } else {
                Window::rolling(Span::from_hours(6).unwrap())
            };
            let mut slo = Slo::new("p", Objective::new(0.99).unwrap(), window, Sli::EventRatio);
            slo.missing_data = missing;
            slo.min_events = min_events;
            for evaluator in [
                PolicyEvaluator::new(&slo, &policy(sustain, partial), Span::MINUTE).unwrap(),
                PolicyEvaluator::new(&slo, &AlertPolicy { partial_windows: partial, ..AlertPolicy::workbook() }, Span::MINUTE).unwrap(),
            ] {
                let every_slot = BlockSweep::setup(&evaluator.resolved, &series, false)
                    .unwrap()
                    .unwrap()
                    .run()
                    .unwrap();
                let streamed = evaluator.sweep_sparse(&series).unwrap();
                prop_assert_eq!(&every_slot, &streamed);
                // And the budget read at the end counts exactly the points of the last six
                // hours (whole counts: exact): the history kept what the window needs.
                let mut stream = evaluator.streaming();
                for (at, counts) in series.iter() {
                    stream.push(at, *counts).unwrap();
                }
                if !calendar {
                    let since = series.last_time() - TimeDelta::hours(6);
                    let (good, total) = series
                        .iter()
                        .filter(|(at, _)| *at > since)
                        .fold((0.0, 0.0), |(g, t), (_, c)| (g + c.good(), t + c.total()));
                    let expected = EventCounts::new(good, total)
                        .ok()
                        .and_then(|c| crate::ErrorBudget::for_events(slo.objective, c));
                    prop_assert_eq!(stream.budget(), expected);
                }
            }
        }
    }
}
