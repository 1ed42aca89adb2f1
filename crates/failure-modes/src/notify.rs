//! Findings through the same noise reduction as SLO alerts (`sli_core::noise`): maintenance
//! windows suppress them, grouping by root cause puts an SLO's page and the findings behind it
//! (an F2 partition, an F6 pool exhaustion) into one notification, and each finding maps to
//! the incident an [`ErrorBudgetPolicy`](sli_core::ErrorBudgetPolicy) decides on.
//! [`group_by_root_cause_routed`] also says whom each notification goes to and which runbook
//! it links ([`Notification`]).

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{
    AlertGroup, AlertInterval, Incident, MaintenanceWindows, Routing, Severity, group_keyed,
};

use crate::finding::{Finding, OneLine};
use crate::mode::FailureMode;

/// How long after its detection a finding still counts as current when grouped with alerts
/// ([`group_by_root_cause`]): an hour, the time an on-call engineer takes to act on it. A
/// finding has a detection time but no end (detectors report an incident once).
pub const DEFAULT_HOLD: TimeDelta = TimeDelta::hours(1);

impl Finding {
    /// The finding as an alert interval, for `sli_core`'s grouping: tier `"F2 Network
    /// partition: subject"` (the subject on one line, as the finding's `Display` writes it), from the condition's start to `hold` after its detection, the
    /// evidence's threshold, the time to the forecast (if any) as time to exhaustion. A
    /// negative `hold` counts as none (the interval would end before it starts), and so does a
    /// detection before the start: the interval never ends before it starts.
    pub fn to_alert(&self, hold: TimeDelta) -> AlertInterval {
        AlertInterval::new(
            format!("{}: {}", self.mode, OneLine(&self.subject)),
            self.severity,
            self.start,
            Some(self.held_until(hold)),
        )
        .with_threshold(self.evidence.threshold)
        .with_time_to_exhaustion_seconds(
            self.forecast
                .map(|at| (at - self.end).as_seconds_f64().max(0.0)),
        )
    }

    /// `hold` after the detection, at least the detection (a negative hold made intervals and
    /// Alertmanager alerts that end before they start, and two of one incident fell into two
    /// groups), at most chrono's last instant. A finding whose detection precedes its start
    /// (its fields are public) is held from its start instead: its interval and alert end no
    /// earlier than they start, which Alertmanager requires of every alert it is posted.
    pub(crate) fn held_until(&self, hold: TimeDelta) -> DateTime<Utc> {
        self.end
            .max(self.start)
            .checked_add_signed(hold.max(TimeDelta::zero()))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The incident an [`ErrorBudgetPolicy`](sli_core::ErrorBudgetPolicy) decides on, so that
    /// the policy notifies at the finding's own severity (a default or a caller's override):
    /// a paged credential compromise or public data (F4, F7) is a security incident; a paged
    /// cost runaway (F8) a [`CostRunaway`](Incident::CostRunaway), a ticketed one a cost
    /// warning; any other page an outage of the part of the service the finding names (a
    /// zone, an operation, a database: a page says it is failing now); any other ticket a
    /// degradation — a security finding a caller chose to ticket (a bucket meant to be
    /// public) included, so it freezes no release.
    ///
    /// # Example
    /// ```
    /// use failure_modes::chrono::Utc;
    /// use failure_modes::{BucketExposure, PublicDataLeak};
    /// use failure_modes::sli_core::{ErrorBudgetPolicy, Incident, PolicyInput, Severity};
    ///
    /// let mut facts = BucketExposure::new("exports");
    /// facts.policy_is_public = Some(true);
    /// let finding = PublicDataLeak::new(facts, Default::default())?.assess(Utc::now()).unwrap();
    /// let incidents = [finding.policy_incident()];
    /// assert_eq!(incidents[0], Incident::Security);
    /// let policy = ErrorBudgetPolicy { freeze_on_security: true, ..Default::default() };
    /// let decision = policy.decide(&PolicyInput { incidents: &incidents, ..Default::default() }, Utc::now());
    /// assert_eq!(decision.notify, Some(Severity::Page));
    /// assert!(decision.freeze_releases);
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn policy_incident(&self) -> Incident {
        match (self.mode, self.severity) {
            (mode, Severity::Page) if mode.is_security() => Incident::Security,
            (FailureMode::CostRunaway, Severity::Page) => Incident::CostRunaway,
            (FailureMode::CostRunaway, Severity::Ticket) => Incident::CostWarning,
            (_, Severity::Page) => Incident::TotalOutage,
            (_, Severity::Ticket) => Incident::Degradation,
        }
    }
}

/// The findings not detected inside a maintenance window. Security findings (F4, F7) are kept
/// whatever the window: planned work explains latency, errors, throttling and spend, not a
/// stranger's credentials or a public bucket. A finding costs one lookup, a binary search of
/// the one-off windows and a look at each recurring one
/// ([`MaintenanceWindows::is_suppressed`]).
///
/// This is not quite what [`MaintenanceWindows::suppress`] does with SLO alerts: it keeps an
/// alert that outlasts the window and restarts it at the window's end, while a finding
/// detected inside a window is dropped here even if its condition goes on after it (a
/// detector reports an incident once, so nothing follows when the window closes). To have
/// such findings notified at the window's end, pass the intervals of the findings that are
/// not security findings through `suppress` instead (`f.to_alert(DEFAULT_HOLD)` for each `f`
/// whose `f.mode.is_security()` is false; keep the security findings as they are). It keeps
/// those whose [hold](DEFAULT_HOLD) outlasts the window, starting at its end, but it judges
/// an interval by its start (the condition's), not by the detection, and gives alert
/// intervals, not findings.
///
/// # Example
/// ```
/// use failure_modes::chrono::{TimeDelta, TimeZone, Utc};
/// use failure_modes::{outside_maintenance, Evidence, FailureMode, Finding};
/// use failure_modes::{Interval, MaintenanceWindows, Severity};
///
/// let t = |h| Utc.with_ymd_and_hms(2026, 11, 2, h, 0, 0).unwrap();
/// let evidence = Evidence::new(0.0, 0.0, 0.0, 0.0, "");
/// let finding = |mode, at| Finding::new(mode, Severity::Page, "x", at, at, evidence.clone());
/// let windows = MaintenanceWindows::new([Interval::new(t(2), t(4))?]);
/// let kept = outside_maintenance(
///     vec![
///         finding(FailureMode::NetworkPartition, t(3)),     // a zone drained for maintenance
///         finding(FailureMode::CredentialCompromise, t(3)), // never explained by maintenance
///         finding(FailureMode::NetworkPartition, t(5)),
///     ],
///     &windows,
/// );
/// assert_eq!(kept.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn outside_maintenance(findings: Vec<Finding>, windows: &MaintenanceWindows) -> Vec<Finding> {
    findings
        .into_iter()
        .filter(|f| f.mode.is_security() || !windows.is_suppressed(f.end))
        .collect()
}

/// SLO alerts and findings grouped by root cause: each comes with its key (the zone, the
/// database, the dependency it points at), and those with equal keys whose intervals overlap
/// become one notification at the highest severity ([`sli_core::group_keyed`]), in start
/// order. A finding counts as current from its start to `hold` after its detection
/// ([`DEFAULT_HOLD`]). Security findings (F4, F7) are grouped among themselves only, never
/// with an SLO's alerts or other findings: a compromised key or a public bucket is not news
/// for the SLO's owner to read inside a page about latency, and the compiled Alertmanager
/// routing keeps them apart the same way.
///
/// # Example
/// ```
/// use failure_modes::chrono::{TimeDelta, TimeZone, Utc};
/// use failure_modes::{group_by_root_cause, DEFAULT_HOLD, Evidence, FailureMode, Finding};
/// use failure_modes::{AlertInterval, Severity};
///
/// let t = |m| Utc.with_ymd_and_hms(2026, 11, 2, 10, m, 0).unwrap();
/// let slo_page = AlertInterval::new("checkout availability, page", Severity::Page, t(7), Some(t(40)))
///     .with_threshold(14.4);
/// let evidence = Evidence::new(0.9, 0.1, 0.15, 9.0, "");
/// let partition = Finding::new(FailureMode::NetworkPartition, Severity::Page, "eu-west-1a", t(0), t(4), evidence);
/// let groups = group_by_root_cause(vec![("eu-west-1a", slo_page)], vec![("eu-west-1a", partition)], DEFAULT_HOLD);
/// assert_eq!(groups.len(), 1); // one notification: the SLO page and the partition behind it
/// assert_eq!(groups[0].alerts.len(), 2);
/// ```
pub fn group_by_root_cause<K: Ord + Clone>(
    slo_alerts: Vec<(K, AlertInterval)>,
    findings: Vec<(K, Finding)>,
    hold: TimeDelta,
) -> Vec<AlertGroup<K>> {
    let (security, others) = apart_from_slos(findings);
    let as_alerts = |findings: Vec<(K, Finding)>| {
        findings
            .into_iter()
            .map(|(k, f)| (k, f.to_alert(hold)))
            .collect::<Vec<_>>()
    };
    let mut alerts = slo_alerts;
    alerts.extend(as_alerts(others));
    let mut groups = group_keyed(alerts);
    groups.extend(group_keyed(as_alerts(security)));
    groups.sort_by_key(|g| g.start);
    groups
}

/// Findings, each with its root-cause key.
type KeyedFindings<K> = Vec<(K, Finding)>;

/// The security findings (F4, F7), grouped among themselves only, and the others. A
/// compromised key or a public bucket goes to whoever answers for security, not into an SLO's
/// notification to the service's owner under the SLO's name: the compiled Alertmanager routing
/// keeps them apart the same way ([`Finding::alertmanager_alert`] never gives one an SLO id).
fn apart_from_slos<K>(findings: KeyedFindings<K>) -> (KeyedFindings<K>, KeyedFindings<K>) {
    findings
        .into_iter()
        .partition(|(_, f)| f.mode.is_security())
}

/// One notification of [`group_by_root_cause_routed`]: the group, the findings in it, and
/// whom it goes to with the runbook it links.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Notification<K> {
    /// The SLO alerts and findings of one root cause, as [`group_by_root_cause`] gives them
    /// (the findings as alert intervals, [`Finding::to_alert`]).
    pub group: AlertGroup<K>,
    /// The findings in the group, whole (evidence, mitigation, their own routing), in start
    /// order.
    pub findings: Vec<Finding>,
    /// Whom to notify and the runbook to link, field by field: the owner of the first SLO
    /// alert (in start order) whose SLO has one, else of the first finding that has one; the
    /// runbook likewise. Empty when nothing in the group is routed (the engines' default
    /// receivers).
    pub routing: Routing,
}

/// [`group_by_root_cause`], each SLO alert with its SLO's [`Routing`] (`SloSpec`'s in
/// `slo-compiler`), each finding with its own ([`Finding::routing`], set by
/// [`Routed`](crate::Routed)): one [`Notification`] per group, routed to the SLO's owner first,
/// since the page is about the SLO the owner answers for, else to the owner of the findings
/// behind it (a finding alone, or with unrouted SLO alerts). Security findings make
/// notifications of their own, as there, routed by their own routing.
///
/// # Example
/// ```
/// use failure_modes::chrono::{TimeZone, Utc};
/// use failure_modes::sli_core::Routing;
/// use failure_modes::{group_by_root_cause_routed, DEFAULT_HOLD, Evidence, FailureMode, Finding};
/// use failure_modes::{AlertInterval, Severity};
///
/// let t = |m| Utc.with_ymd_and_hms(2026, 11, 2, 10, m, 0).unwrap();
/// let payments = Routing::new()
///     .with_owner("payments".parse()?)
///     .with_runbook("https://runbooks.example.com/checkout".parse()?);
/// let network = Routing::new().with_owner("network".parse()?);
/// let slo_page = AlertInterval::new("checkout availability, page", Severity::Page, t(7), Some(t(40)));
/// let evidence = Evidence::new(0.9, 0.1, 0.15, 9.0, "");
/// let partition = |at| Finding::new(FailureMode::NetworkPartition, Severity::Page, "eu-west-1a", at, at,
///     evidence.clone()).with_routing(network.clone());
/// let notifications = group_by_root_cause_routed(
///     vec![("eu-west-1a", slo_page, payments.clone())],
///     vec![("eu-west-1a", partition(t(0))), ("eu-west-1b", partition(t(0)))],
///     DEFAULT_HOLD,
/// );
/// assert_eq!(notifications.len(), 2);
/// // The SLO page and the partition behind it: one notification, to the SLO's owner.
/// assert_eq!(notifications[0].group.alerts.len(), 2);
/// assert_eq!(notifications[0].routing, payments);
/// // A finding alone goes to its own owner.
/// assert_eq!(notifications[1].routing, network);
/// # Ok::<(), failure_modes::sli_core::RoutingError>(())
/// ```
pub fn group_by_root_cause_routed<K: Ord + Clone>(
    slo_alerts: Vec<(K, AlertInterval, Routing)>,
    findings: Vec<(K, Finding)>,
    hold: TimeDelta,
) -> Vec<Notification<K>> {
    let (security, others) = apart_from_slos(findings);
    let mut notifications = routed_groups(slo_alerts, others, hold);
    notifications.extend(routed_groups(Vec::new(), security, hold));
    notifications.sort_by_key(|n| n.group.start);
    notifications
}

/// [`group_by_root_cause_routed`] over findings that may all join an SLO's group.
fn routed_groups<K: Ord + Clone>(
    slo_alerts: Vec<(K, AlertInterval, Routing)>,
    findings: Vec<(K, Finding)>,
    hold: TimeDelta,
) -> Vec<Notification<K>> {
    enum Source {
        Slo(Routing),
        Finding(Finding),
    }
    let mut alerts = Vec::with_capacity(slo_alerts.len() + findings.len());
    let mut sources = Vec::with_capacity(alerts.capacity());
    for (key, alert, routing) in slo_alerts {
        alerts.push((key, alert));
        sources.push(Source::Slo(routing));
    }
    for (key, finding) in findings {
        alerts.push((key, finding.to_alert(hold)));
        sources.push(Source::Finding(finding));
    }
    // `group_keyed` files the alerts of a key by start (a stable sort), into groups that follow
    // one another in time: the same order hands each group its sources.
    let mut order: Vec<usize> = (0..alerts.len()).collect();
    order.sort_by_key(|&i| alerts[i].1.start);
    let mut queues: BTreeMap<K, VecDeque<Source>> = BTreeMap::new();
    let mut sources: Vec<Option<Source>> = sources.into_iter().map(Some).collect();
    for i in order {
        if let Some(source) = sources[i].take() {
            queues
                .entry(alerts[i].0.clone())
                .or_default()
                .push_back(source);
        }
    }
    group_keyed(alerts)
        .into_iter()
        .map(|group| {
            let queue = queues.entry(group.key.clone()).or_default();
            let mut slo_routing = Vec::new();
            let mut findings = Vec::new();
            for source in queue.drain(..group.alerts.len().min(queue.len())) {
                match source {
                    Source::Slo(routing) => slo_routing.push(routing),
                    Source::Finding(finding) => findings.push(finding),
                }
            }
            let from_findings = findings.iter().map(|f| &f.routing);
            let routed: Vec<&Routing> = slo_routing.iter().chain(from_findings).collect();
            let mut routing = Routing::new();
            routing.owner = routed.iter().find_map(|r| r.owner.clone());
            routing.runbook = routed.iter().find_map(|r| r.runbook.clone());
            Notification {
                group,
                findings,
                routing,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use sli_core::{ErrorBudgetPolicy, PolicyInput, Severity};

    use crate::{Evidence, FailureMode, Finding};

    /// Found by the read-only audit of 2026-12-06: the policy ignored a finding's severity for
    /// F4, F7 and F8 — a paged F8 runaway (the kill switch) became a cost warning and a
    /// ticket; an F4 or F7 finding a caller had turned into a ticket still paged and froze
    /// releases. Now the policy notifies at the finding's severity, for every mode and both
    /// severities, and freezes releases (when asked) for a paged security finding only.
    #[test]
    fn the_policy_notifies_at_the_findings_own_severity() {
        let at = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let policy = ErrorBudgetPolicy {
            freeze_on_security: true,
            ..Default::default()
        };
        for mode in FailureMode::ALL {
            for severity in [Severity::Ticket, Severity::Page] {
                let evidence = Evidence::new(0.0, 0.0, 0.0, 0.0, "");
                let finding = Finding::new(mode, severity, "x", at, at, evidence);
                let incidents = [finding.policy_incident()];
                let input = PolicyInput {
                    incidents: &incidents,
                    ..Default::default()
                };
                let decision = policy.decide(&input, at);
                assert_eq!(decision.notify, Some(severity), "{mode} {severity}");
                let freeze = mode.is_security() && severity == Severity::Page;
                assert_eq!(decision.freeze_releases, freeze, "{mode} {severity}");
            }
        }
    }
}
