//! Grouping: alerts that share a key and overlap in time, reported as one notification.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::alert::{AlertInterval, Severity};

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
    use crate::noise::t;

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
