//! M9 per deploy: [`DeployCheck`] places a window before and after each [`Deploy`] of a
//! service and tests the post-deploy error delta with [`deployment_regression`], keeping
//! canary and partial deploys apart from full ones and handling overlapping deploys
//! explicitly.
//!
//! # What each report tests
//! A deploy's traffic goes through up to three phases, and each is read for what it is:
//! * **before**: the service's counts just before the deploy started: the baseline.
//! * **rollout**, from the start until the rollout settled: old and new versions serve side
//!   by side (a canary's share, a rolling update's updated targets). The fleet's counts there
//!   dilute the new version's errors by the old version's traffic, so a significant rise is a
//!   regression but no rise proves nothing ([`Mixing::Rollout`]).
//! * **settled**, from the end of the rollout on: a [complete](DeployOutcome::Complete)
//!   deploy's new version serves all traffic, and only then does a clean fleet test clear it.
//!   After a [partial](DeployOutcome::Partial) deploy the fleet stays mixed
//!   ([`Mixing::Partial`]): a partial deploy is never reported as a clean full one. After a
//!   rollback the old version is back, so nothing is tested there.
//!
//! When the caller also has counts of the new version's own traffic (a canary's target group,
//! a Lambda version's `ExecutedVersion` metrics, [`ServiceCounts::with_new_version`]), they are
//! tested from the deploy's start to the end of its settled window: those counts are not
//! diluted, so a clean result there clears a canary or a partial deploy. For overlapping
//! deploys, the counts given for the last of them are read.
//!
//! # Overlapping deploys
//! A deploy that starts while an earlier deploy of the same service may still be rolling out
//! (before it settled or, when its end is unknown, within its after window) cannot be told
//! apart from it: both are reported together, in one [`DeployReport`] naming every deploy,
//! with the baseline before the first and the settled window after the last (a later deploy
//! supersedes what an earlier one rolled out). Otherwise windows never cross another deploy:
//! an after window ends where the next deploy starts, and a before window starts no earlier
//! than the previous deploy settled.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::counts::EventCounts;
use crate::deploy::{DeployVerdict, deployment_regression};
use crate::deploy_event::{Deploy, DeployOutcome};
use crate::error::{Error, Result};
use crate::series::Series;
use crate::span::Span;
use crate::window::Interval;

/// The default length of the before and after windows: one hour.
///
/// One hour is the long window of the SRE Workbook's fastest paging tier (2 % of a 30-day
/// budget spent in an hour, a burn rate of 14.4; *The Site Reliability Workbook*, chapter 5,
/// "Alerting on SLOs"): a regression large enough to page shows within it. Both windows have
/// the same length and touch the deploy, so that both samples come from the same part of the
/// daily traffic cycle.
pub const DEFAULT_WINDOW: Span = Span::HOUR;

/// The default minimum number of events in each window: 100.
///
/// With `n` events and no error, the 95 % upper confidence bound on the error ratio is about
/// `3 / n` (the "rule of three": Hanley and Lippman-Hand, *JAMA* 249(13), 1983). Under 100
/// events a clean window cannot even rule out a 3 % error ratio, so a "no regression" from it
/// would say nothing; the window is reported as too small instead.
pub const DEFAULT_MIN_EVENTS: u64 = 100;

/// The default significance level: 0.01.
///
/// A clean deploy is flagged by chance with at most about this probability; at 0.01 a team
/// deploying twenty times a week sees a false regression about once in five weeks, where 0.05
/// would give one a week, against a target of "100 % no regressions". A deploy's windows
/// (rollout, settled, new version) are each tested at this over the number tested
/// (Bonferroni), since any one rejecting flags the deploy.
pub const DEFAULT_ALPHA: f64 = 0.01;

/// Error counts of one service, per period: the whole fleet's, and optionally each deploy's
/// new version's own (traffic the new version alone served).
///
/// A point at `t` counts the period `[t, t + period)`, as CloudWatch stamps its periods. A
/// window takes only the periods that lie entirely inside it, so a period that straddles a
/// deploy's start counts on neither side.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceCounts {
    period: Span,
    fleet: Series<EventCounts>,
    new_version: BTreeMap<String, Series<EventCounts>>,
}

impl ServiceCounts {
    /// The fleet's counts, one point per `period`.
    pub fn new(period: Span, fleet: Series<EventCounts>) -> Self {
        Self {
            period,
            fleet,
            new_version: BTreeMap::new(),
        }
    }

    /// The same counts, plus those of the new version of deploy `deploy_id` alone (same
    /// period): a canary's target group, a Lambda version's `ExecutedVersion` metrics.
    #[must_use]
    pub fn with_new_version(
        mut self,
        deploy_id: impl Into<String>,
        counts: Series<EventCounts>,
    ) -> Self {
        self.new_version.insert(deploy_id.into(), counts);
        self
    }

    /// The counts of the periods entirely inside `window`.
    fn sum(&self, series: &Series<EventCounts>, window: Interval) -> Result<EventCounts> {
        let times = series.times();
        let from = times.partition_point(|t| *t < window.start());
        let mut sum = EventCounts::ZERO;
        for (at, counts) in times[from..].iter().zip(&series.values()[from..]) {
            if later(*at, self.period) > window.end() {
                break;
            }
            sum = sum.checked_add(*counts)?;
        }
        Ok(sum)
    }
}

/// Which window of a [`DeployReport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WindowKind {
    /// The baseline, before the deploy.
    Before,
    /// The fleet during the rollout.
    Rollout,
    /// The fleet once the rollout settled.
    Settled,
    /// The new version's own traffic.
    NewVersion,
}

/// Why counts that showed no significant rise cannot clear the deploy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mixing {
    /// During the rollout the fleet served both versions: the new version's share of the
    /// fleet's errors is diluted by the old version's traffic.
    Rollout,
    /// The deploy stopped part way: the fleet still serves both versions.
    Partial {
        /// The share of targets or traffic on the new version, when known.
        share: Option<f64>,
    },
    /// The deploy is not known to have completed (no end in the event, and no
    /// [`DeployCheck::assuming_settled_within`]): its after window may still be a rollout.
    CompletionUnknown,
}

/// Why a test (or a whole report) has no verdict.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Inconclusive {
    /// A window holds fewer events than [`DeployCheck::with_min_events`] asks.
    TooFewEvents {
        /// The window.
        window: WindowKind,
        /// The events it holds.
        events: f64,
        /// The minimum.
        needed: u64,
    },
    /// No significant rise, in counts that mix the two versions.
    Mixed {
        /// How they mix.
        mixing: Mixing,
    },
    /// A window has no room: the previous deploy settled when this one started, or no window
    /// after the deploy could be placed.
    NoWindow {
        /// The window.
        window: WindowKind,
    },
}

/// The M9 status of one test or of a whole report.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum M9Status {
    /// The error ratio rose significantly.
    Regressed,
    /// No significant rise, in counts that show the new version alone.
    NoRegression,
    /// Neither, and why.
    Inconclusive(Inconclusive),
}

/// One window tested against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct WindowTest {
    /// Which window.
    pub kind: WindowKind,
    /// Its time range.
    pub window: Interval,
    /// The counts in it.
    pub counts: EventCounts,
    /// The test's verdict, when both windows held enough events.
    pub verdict: Option<DeployVerdict>,
    /// The significance level the window was tested at: the check's alpha over the number of
    /// the deploy's windows that could be judged (Bonferroni), so that the deploy, flagged if
    /// any of them rejects, is flagged by chance with probability at most about the alpha.
    pub alpha: f64,
    /// What the verdict means for the deploy.
    pub status: M9Status,
}

/// M9 for one deploy, or for several overlapping deploys of one service evaluated together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeployReport {
    /// The service.
    pub service: String,
    /// The deploys this report covers, oldest first: one, or several that overlapped.
    pub deploys: Vec<Deploy>,
    /// When the (last) rollout settled: its end, the assumed end, or `None` when unknown.
    pub settled_at: Option<DateTime<Utc>>,
    /// `true` when `settled_at` comes from [`DeployCheck::assuming_settled_within`], not from
    /// the event.
    pub settled_assumed: bool,
    /// The baseline window, `None` when there was no room for one.
    pub before: Option<Interval>,
    /// The counts in the baseline window.
    pub before_counts: EventCounts,
    /// The fleet during the rollout, when the rollout lasted.
    pub rollout: Option<WindowTest>,
    /// The fleet after the rollout settled, for complete and partial deploys.
    pub settled: Option<WindowTest>,
    /// The new version's own traffic, when its counts were given.
    pub new_version: Option<WindowTest>,
    /// The verdict: regressed when any test shows a significant rise; no regression when a
    /// test of undiluted counts shows none; inconclusive otherwise.
    pub status: M9Status,
}

impl DeployReport {
    /// `true` when the report covers several overlapping deploys.
    pub fn is_overlapping(&self) -> bool {
        self.deploys.len() > 1
    }

    /// The ids of the deploys it covers.
    pub fn ids(&self) -> Vec<&str> {
        self.deploys.iter().map(Deploy::id).collect()
    }
}

/// M9 per deploy: windows, minimum events and significance for
/// [`deployment_regression`] run around each deploy of a service.
///
/// # Example
/// A canary that regressed on its own traffic while the fleet's counts hid it, then a clean
/// full deploy a day later:
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{Deploy, DeployCheck, DeployOutcome, Inconclusive, M9Status, Mixing, Rollout};
/// use sli_core::{Series, ServiceCounts, Span};
///
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
/// let minute = |m: i64| t0 + TimeDelta::minutes(m);
/// // 1,000 requests a minute and 1 error, for two days. The canary takes 10 % of the traffic
/// // from minute 120 to 130 and fails 6 of its 1,000 requests (0.6 %, six times the baseline).
/// let canary_bad = |m: i64| if (120..126).contains(&m) { 1.0 } else { 0.0 };
/// let fleet = Series::from_counts((0..2880).map(|m| {
///     let bad = 1.0 + canary_bad(m);
///     (minute(m), 1000.0 - bad, 1000.0)
/// }))?;
/// let canary = Series::from_counts((120..130).map(|m| (minute(m), 100.0 - canary_bad(m), 100.0)))?;
/// let counts = ServiceCounts::new(Span::MINUTE, fleet).with_new_version("d-1", canary);
/// let deploys = [
///     Deploy::new("d-1", "checkout", minute(120))?
///         .with_rollout(Rollout::Canary { percent: 10.0 })?
///         .with_outcome(DeployOutcome::RolledBack { at: minute(130) })?,
///     Deploy::new("d-2", "checkout", minute(1560))?
///         .with_outcome(DeployOutcome::Complete { at: minute(1570) })?,
/// ];
/// let reports = DeployCheck::default().evaluate(&deploys, "checkout", &counts)?;
///
/// assert_eq!(reports[0].ids(), ["d-1"]);
/// // The fleet's 0.16 % during the canary is no significant rise: diluted, so not a clearance...
/// let rollout = reports[0].rollout.unwrap();
/// assert_eq!(rollout.status, M9Status::Inconclusive(Inconclusive::Mixed { mixing: Mixing::Rollout }));
/// // ...while the canary's own traffic shows the regression.
/// assert_eq!(reports[0].new_version.unwrap().status, M9Status::Regressed);
/// assert_eq!(reports[0].status, M9Status::Regressed);
///
/// assert_eq!(reports[1].ids(), ["d-2"]);
/// assert_eq!(reports[1].status, M9Status::NoRegression); // the hour after it completed
/// # Ok::<(), sli_core::Error>(())
/// ```
// No serde: a deserialised check could carry an alpha that `with_alpha` refuses.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeployCheck {
    before: Span,
    after: Span,
    min_events: u64,
    alpha: f64,
    assume_settled_within: Option<Span>,
}

impl Default for DeployCheck {
    /// [`DEFAULT_WINDOW`] before and after, [`DEFAULT_MIN_EVENTS`], [`DEFAULT_ALPHA`], and no
    /// assumption about deploys whose end is unknown.
    fn default() -> Self {
        Self {
            before: DEFAULT_WINDOW,
            after: DEFAULT_WINDOW,
            min_events: DEFAULT_MIN_EVENTS,
            alpha: DEFAULT_ALPHA,
            assume_settled_within: None,
        }
    }
}

/// A deploy's end as the check reads it: its own, or the assumed one.
fn settle_of(deploy: &Deploy, assume: Option<Span>) -> Option<DateTime<Utc>> {
    deploy
        .outcome()
        .ended_at()
        .or_else(|| assume.map(|s| later(deploy.started(), s)))
}

/// `at + span`, or chrono's last instant when that is past it: a window reaching beyond the
/// representable range ends where time (and any data) does. A deploy near either end of
/// chrono's range used to panic on the overflow.
fn later(at: DateTime<Utc>, span: Span) -> DateTime<Utc> {
    at.checked_add_signed(span.as_time_delta())
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `at - span`, or chrono's first instant when that is before it.
fn earlier(at: DateTime<Utc>, span: Span) -> DateTime<Utc> {
    at.checked_sub_signed(span.as_time_delta())
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Deploys of one service that overlapped, evaluated together.
struct Group<'a> {
    members: Vec<&'a Deploy>,
    /// When the last member's rollout settled (the latest end of any member), if known.
    settled: Option<DateTime<Utc>>,
    /// Until when a later deploy cannot be told apart from this group's rollout.
    horizon: DateTime<Utc>,
}

impl Group<'_> {
    fn start(&self) -> DateTime<Utc> {
        self.members[0].started()
    }

    fn last(&self) -> &Deploy {
        self.members[self.members.len() - 1]
    }
}

impl DeployCheck {
    /// The defaults (see [`DeployCheck::default`]).
    pub fn new() -> Self {
        Self::default()
    }

    /// The same check with windows of `before` and `after`.
    #[must_use]
    pub fn with_windows(mut self, before: Span, after: Span) -> Self {
        self.before = before;
        self.after = after;
        self
    }

    /// The same check needing `min_events` events in a window before testing it.
    #[must_use]
    pub fn with_min_events(mut self, min_events: u64) -> Self {
        self.min_events = min_events;
        self
    }

    /// The same check at significance level `alpha` for each deploy: each of its windows that
    /// can be judged is tested at `alpha` over their number ([`WindowTest::alpha`]).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `0 < alpha < 1`.
    pub fn with_alpha(mut self, alpha: f64) -> Result<Self> {
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(Error::InvalidParameter {
                field: "alpha",
                value: alpha,
                reason: "must be strictly between 0 and 1",
            });
        }
        self.alpha = alpha;
        Ok(self)
    }

    /// The same check, reading a deploy whose end is unknown (a CloudTrail call that starts an
    /// ECS rolling update) as complete `within` after its start; reports say so
    /// ([`DeployReport::settled_assumed`]). Without it, such a deploy can be found regressed
    /// but never cleared.
    #[must_use]
    pub fn assuming_settled_within(mut self, within: Span) -> Self {
        self.assume_settled_within = Some(within);
        self
    }

    /// M9 for each deploy of `service` among `deploys` (others are ignored), oldest first:
    /// one report per deploy, or per set of overlapping deploys.
    ///
    /// Time is `O(d log d + p)` for `d` deploys and `p` points; memory is the reports.
    ///
    /// # Errors
    /// [`Error::InvalidDeploy`] when two deploys of `service` share an id;
    /// [`Error::NonIntegerCount`] when a window's counts are fractional (the tests need whole
    /// counts); [`Error::CountOverflow`] when a window's sum passes 2^53.
    pub fn evaluate(
        &self,
        deploys: &[Deploy],
        service: &str,
        counts: &ServiceCounts,
    ) -> Result<Vec<DeployReport>> {
        let mut own: Vec<&Deploy> = deploys.iter().filter(|d| d.service() == service).collect();
        own.sort_by(|a, b| a.started().cmp(&b.started()).then(a.id().cmp(b.id())));
        let mut ids = HashSet::with_capacity(own.len());
        for deploy in &own {
            if !ids.insert(deploy.id()) {
                return Err(Error::InvalidDeploy {
                    id: deploy.id().to_owned(),
                    field: "id",
                    reason: format!("appears twice among the deploys of {service:?}"),
                });
            }
        }
        let groups = self.group(&own);
        let mut reports = Vec::with_capacity(groups.len());
        for (i, group) in groups.iter().enumerate() {
            let previous = i.checked_sub(1).map(|p| groups[p].horizon);
            let next = groups.get(i + 1).map(Group::start);
            reports.push(self.report(service, group, previous, next, counts)?);
        }
        Ok(reports)
    }

    /// Chains of deploys each starting no later than the rollout horizon of those before it.
    fn group<'a>(&self, sorted: &[&'a Deploy]) -> Vec<Group<'a>> {
        let mut groups: Vec<Group<'a>> = Vec::new();
        for &deploy in sorted {
            let settled = settle_of(deploy, self.assume_settled_within);
            let horizon = settled.unwrap_or_else(|| later(deploy.started(), self.after));
            match groups.last_mut() {
                Some(group) if deploy.started() <= group.horizon => {
                    group.members.push(deploy);
                    // The last deploy sets the final state; an earlier one still rolling out
                    // after it settled pushes the end later.
                    group.settled = settled.map(|s| group.settled.map_or(s, |g| g.max(s)));
                    group.horizon = group.horizon.max(horizon);
                }
                _ => groups.push(Group {
                    members: vec![deploy],
                    settled,
                    horizon,
                }),
            }
        }
        groups
    }

    fn report(
        &self,
        service: &str,
        group: &Group<'_>,
        previous_horizon: Option<DateTime<Utc>>,
        next_start: Option<DateTime<Utc>>,
        counts: &ServiceCounts,
    ) -> Result<DeployReport> {
        let start = group.start();
        let last = group.last();
        let cap = |end: DateTime<Utc>| next_start.map_or(end, |n| end.min(n));
        let window = |from: DateTime<Utc>, to: DateTime<Utc>| Interval::new(from, to).ok();

        let before_from = earlier(start, self.before);
        let before_from = previous_horizon.map_or(before_from, |h| h.max(before_from));
        let before = window(before_from, start);
        let before_counts = match before {
            Some(w) => counts.sum(&counts.fleet, w)?,
            None => EventCounts::ZERO,
        };
        let final_outcome = last.outcome();
        let rolled_back = matches!(final_outcome, DeployOutcome::RolledBack { .. });
        let rollout_end = cap(group
            .settled
            .unwrap_or_else(|| later(last.started(), self.after)));
        let settled_window = match group.settled {
            Some(at) if !rolled_back => window(at, cap(later(at, self.after))),
            _ => None,
        };
        let exposure_end = settled_window.map_or(rollout_end, |w| w.end());
        let settled_mixing = match final_outcome {
            DeployOutcome::Partial { share, .. } => Some(Mixing::Partial { share }),
            _ => None,
        };
        let rollout_mixing = if group.settled.is_some() {
            Mixing::Rollout
        } else {
            Mixing::CompletionUnknown
        };

        let rollout_window = window(start, rollout_end);
        let new_version_series = counts.new_version.get(last.id());
        let new_version_window = new_version_series.and(window(start, exposure_end));
        // Each window's counts first: the deploy is flagged if any window's test rejects, so
        // each is run at alpha over the number that can be judged (Bonferroni), and a clean
        // deploy is flagged with probability at most about alpha. At alpha each, three windows
        // flagged 23 of 600 clean canaries (3.8 %) at 0.01.
        let summed = |series: &Series<EventCounts>, w: Option<Interval>| {
            w.map(|w| counts.sum(series, w).map(|after| (w, after)))
                .transpose()
        };
        let rollout_counts = summed(&counts.fleet, rollout_window)?;
        let settled_counts = summed(&counts.fleet, settled_window)?;
        let new_version_counts = match new_version_series {
            Some(series) => summed(series, new_version_window)?,
            None => None,
        };
        let windows = [
            (WindowKind::Rollout, rollout_counts),
            (WindowKind::Settled, settled_counts),
            (WindowKind::NewVersion, new_version_counts),
        ];
        let judged = windows
            .iter()
            .filter(|(kind, c)| {
                c.is_some_and(|(_, after)| {
                    self.shortfall(*kind, before, before_counts, after)
                        .is_none()
                })
            })
            .count();
        let alpha = self.alpha / judged.max(1) as f64;
        let test = |kind, found: Option<(Interval, EventCounts)>, mixing| {
            found
                .map(|(w, after)| self.test(kind, w, after, before, before_counts, mixing, alpha))
                .transpose()
        };
        let rollout = test(WindowKind::Rollout, rollout_counts, Some(rollout_mixing))?;
        let settled = test(WindowKind::Settled, settled_counts, settled_mixing)?;
        let new_version = test(WindowKind::NewVersion, new_version_counts, None)?;
        let tests = [&settled, &new_version, &rollout];
        let statuses = || tests.iter().filter_map(|t| t.as_ref().map(|t| t.status));
        let status = if statuses().any(|s| s == M9Status::Regressed) {
            M9Status::Regressed
        } else if statuses().any(|s| s == M9Status::NoRegression) {
            M9Status::NoRegression
        } else {
            statuses()
                .next()
                .unwrap_or(M9Status::Inconclusive(Inconclusive::NoWindow {
                    window: WindowKind::Settled,
                }))
        };
        Ok(DeployReport {
            service: service.to_owned(),
            deploys: group.members.iter().map(|d| (*d).clone()).collect(),
            settled_at: group.settled,
            settled_assumed: group.settled.is_some()
                && matches!(final_outcome, DeployOutcome::Unknown),
            before,
            before_counts,
            rollout,
            settled,
            new_version,
            status,
        })
    }

    /// Why a window with `after` in it cannot be judged against the baseline, if it cannot:
    /// no baseline window, or too few events in either.
    fn shortfall(
        &self,
        kind: WindowKind,
        before: Option<Interval>,
        before_counts: EventCounts,
        after: EventCounts,
    ) -> Option<Inconclusive> {
        if before.is_none() {
            return Some(Inconclusive::NoWindow {
                window: WindowKind::Before,
            });
        }
        let needed = self.min_events as f64;
        [
            (WindowKind::Before, before_counts.total()),
            (kind, after.total()),
        ]
        .into_iter()
        .find(|&(_, events)| events < needed || events == 0.0)
        .map(|(window, events)| Inconclusive::TooFewEvents {
            window,
            events,
            needed: self.min_events,
        })
    }

    /// Tests `window`, with `after` in it, against the baseline at `alpha`. `mixing` says why
    /// a clean result does not clear the deploy (`None`: it does).
    #[allow(clippy::too_many_arguments)]
    fn test(
        &self,
        kind: WindowKind,
        window: Interval,
        after: EventCounts,
        before: Option<Interval>,
        before_counts: EventCounts,
        mixing: Option<Mixing>,
        alpha: f64,
    ) -> Result<WindowTest> {
        if let Some(why) = self.shortfall(kind, before, before_counts, after) {
            return Ok(WindowTest {
                kind,
                window,
                counts: after,
                verdict: None,
                alpha,
                status: M9Status::Inconclusive(why),
            });
        }
        let verdict = deployment_regression(before_counts, after, alpha)?;
        let status = match (verdict.regressed, mixing) {
            (true, _) => M9Status::Regressed,
            (false, None) => M9Status::NoRegression,
            (false, Some(mixing)) => M9Status::Inconclusive(Inconclusive::Mixed { mixing }),
        };
        Ok(WindowTest {
            kind,
            window,
            counts: after,
            verdict: Some(verdict),
            alpha,
            status,
        })
    }
}
