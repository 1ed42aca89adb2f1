//! Findings behind an SLO as alarms (with [`CompileOptions::findings`](super::CompileOptions)):
//! a metric alarm per severity over a metric the caller publishes a finding to, a member of the
//! SLO's severity composite, so an SLO page and the findings behind it are one notification
//! (the composite is already in `ALARM`), a finding alone notifies through the SLO's topics, and
//! a ticket finding waits while the SLO pages (the ticket composite's suppressor).

use aws_telemetry::Metric;
use sli_core::Severity;

use super::model::{MetricAlarm, MetricDataQuery, MetricStat, TreatMissingData};
use crate::error::CompileProblem;

/// How long a published finding keeps its alarm in `ALARM`: an hour, the time an on-call
/// engineer takes to act on it (`failure_modes::DEFAULT_HOLD`, the hold of the in-process
/// grouping). A finding is one datapoint; the alarm judges one-minute periods and needs one
/// breaching period among the last 60 (`DatapointsToAlarm` 1 of `EvaluationPeriods` 60), an
/// hour that slides with every minute whatever the clock.
pub const FINDING_HOLD_SECONDS: u32 = 3600;

/// The name of the metric findings are published to (dimensions `SLO` and `Severity`).
pub const FINDINGS_METRIC: &str = "Findings";

/// `Ok` when the caller can publish to `namespace` (the value of `option`): PutMetricData
/// refuses the `AWS/` namespaces, reserved for AWS's own metrics, so alarms over such a
/// metric could never see a datapoint.
pub(super) fn publishable(option: &'static str, namespace: &str) -> Result<(), CompileProblem> {
    if namespace.starts_with("AWS/") {
        return Err(CompileProblem::InvalidOption {
            option,
            reason: format!(
                "namespace {namespace:?}: AWS/ namespaces are reserved for AWS's own metrics"
            ),
        });
    }
    Ok(())
}

/// The metric a finding of `severity` behind SLO `slo` is published to, in `namespace`.
pub(super) fn findings_metric(
    namespace: &str,
    slo: &str,
    severity: Severity,
) -> Result<Metric, CompileProblem> {
    publishable("findings", namespace)?;
    Metric::new(namespace, FINDINGS_METRIC)
        .and_then(|m| m.with_dimension("SLO", slo))
        .and_then(|m| m.with_dimension("Severity", severity.to_string()))
        .map_err(|e| CompileProblem::InvalidOption {
            option: "findings",
            reason: format!("namespace {namespace:?}: {e}"),
        })
}

/// The alarm `name` in `ALARM` for [`FINDING_HOLD_SECONDS`] after a finding is published to
/// `metric`; without findings (missing data) it is `OK`.
pub(super) fn findings_alarm(
    name: &str,
    slo: &str,
    severity: Severity,
    metric: &Metric,
) -> MetricAlarm {
    let mut watched = MetricDataQuery::metric(
        "findings",
        MetricStat {
            metric: metric.into(),
            period: 60,
            stat: "Maximum".into(),
        },
    );
    watched.return_data = true;
    let mut alarm = MetricAlarm::new(name, vec![watched], "GreaterThanThreshold", 0.0);
    alarm.evaluation_periods = FINDING_HOLD_SECONDS / 60;
    alarm.datapoints_to_alarm = 1;
    alarm.treat_missing_data = TreatMissingData::NotBreaching;
    alarm.alarm_description = Some(format!(
        "SLO {slo}: a {severity} finding behind it (a failure-mode detector's, published to {} {FINDINGS_METRIC}) within the last hour.",
        metric.namespace()
    ));
    alarm
}
