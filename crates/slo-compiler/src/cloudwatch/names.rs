//! CloudWatch's naming rules and limits, and the `Metrics` entries of a signal source.

use std::collections::BTreeSet;

use aws_telemetry::Metric;

use super::model::{AlarmDimension, AlarmMetric, CompositeAlarm, MetricDataQuery, MetricStat};
use super::signal::{Signal, SignalSource};
use crate::error::CompileProblem;

/// CloudWatch's limit on entries of each kind in a metric-math alarm's `Metrics`: "A single
/// PutMetricAlarm call can include up to 20 MetricDataQuery structures in the array. The 20
/// structures can include as many as 10 structures that contain a MetricStat parameter to
/// retrieve a metric, and as many as 10 structures that contain the Expression parameter"
/// (CloudWatch API Reference, MetricDataQuery).
pub const MAX_METRICS_PER_ALARM: usize = 10;
/// CloudWatch's limit on the topics one alarm notifies per state change (`AlarmActions`,
/// `OKActions`: "Maximum number of 5 items", CloudWatch API Reference, PutMetricAlarm and
/// PutCompositeAlarm).
pub const MAX_ACTIONS_PER_ALARM: usize = 5;
/// CloudWatch's limit on the alarms one composite alarm's rule names: "The rule expression of
/// a composite alarm can include as many as 100 underlying alarms" (CloudWatch API Reference,
/// PutCompositeAlarm).
pub const MAX_ALARMS_PER_RULE: usize = 100;
/// CloudWatch's limit on a composite alarm's `AlarmRule`, in characters: "The maximum length
/// is 10240 characters" (CloudWatch API Reference, PutCompositeAlarm).
pub const MAX_ALARM_RULE: usize = 10_240;
/// MetricDataQuery's `Id`: "Minimum length of 1. Maximum length of 255" (CloudWatch API
/// Reference, MetricDataQuery).
const MAX_METRIC_ID: usize = 255;
/// MetricDataQuery's `Expression`: "Minimum length of 1. Maximum length of 2048" (CloudWatch
/// API Reference, MetricDataQuery).
pub(super) const MAX_EXPRESSION: usize = 2_048;
/// CloudWatch's limit on alarm name length.
pub const MAX_ALARM_NAME: usize = 255;
/// CloudWatch's limit on an alarm's `AlarmDescription`, in characters.
pub const MAX_ALARM_DESCRIPTION: usize = 1_024;
/// The longest window, in seconds, a metric alarm can look back: `Period × EvaluationPeriods`
/// is at most 7 days for periods of an hour or more (one day below an hour).
pub const MAX_NATIVE_WINDOW_SECONDS: i64 = 7 * 86_400;
/// The longest `Period × EvaluationPeriods`, in seconds, of an alarm whose period is under an
/// hour: "For alarms with a period of less than one hour (3,600 seconds), the total evaluation
/// period can't be longer than one day (86,400 seconds)" (CloudWatch API Reference,
/// PutMetricAlarm, `EvaluationPeriods`). A sustain rule of M minutes is M one-minute periods.
pub(super) const MAX_SUB_HOUR_EVALUATION_SECONDS: u64 = 86_400;

/// Checks an alarm name against CloudWatch's rules and what an alarm rule can quote.
pub(super) fn check_alarm_name(name: &str) -> Result<(), CompileProblem> {
    let reason = if name.is_empty() {
        "must not be empty"
    } else if name.chars().count() > MAX_ALARM_NAME {
        "is longer than 255 characters"
    } else if name.chars().any(char::is_control) {
        "contains a control character"
    } else if name.contains('"') {
        "contains a double quote, which an alarm rule cannot quote"
    } else {
        return Ok(());
    };
    Err(CompileProblem::AlarmName {
        name: name.to_owned(),
        reason,
    })
}

/// Checks an alarm's description against CloudWatch's length limit.
pub(super) fn check_alarm_description(
    alarm: &str,
    description: Option<&str>,
) -> Result<(), CompileProblem> {
    let length = description.map_or(0, |d| d.chars().count());
    if length > MAX_ALARM_DESCRIPTION {
        return Err(CompileProblem::AlarmDescription {
            alarm: alarm.to_owned(),
            length,
            max: MAX_ALARM_DESCRIPTION,
        });
    }
    Ok(())
}

/// Checks a composite alarm's rule against PutCompositeAlarm's limits: the alarms it names,
/// then its length (a severity alarm names one alarm per tier of its severity).
pub(super) fn check_alarm_rule(alarm: &CompositeAlarm) -> Result<(), CompileProblem> {
    let count = alarm.children().len();
    if count > MAX_ALARMS_PER_RULE {
        return Err(CompileProblem::TooManyRuleAlarms {
            alarm: alarm.alarm_name.clone(),
            count,
            max: MAX_ALARMS_PER_RULE,
        });
    }
    let length = alarm.alarm_rule.chars().count();
    if length > MAX_ALARM_RULE {
        return Err(CompileProblem::AlarmRuleLength {
            alarm: alarm.alarm_name.clone(),
            length,
            max: MAX_ALARM_RULE,
        });
    }
    Ok(())
}

fn check_id(id: &str) -> Result<(), CompileProblem> {
    let mut chars = id.chars();
    let reason = if !(chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        "ids start with a lowercase letter, then letters, digits and _"
    } else if id.len() > MAX_METRIC_ID {
        "is longer than the 255 characters CloudWatch allows"
    } else {
        return Ok(());
    };
    Err(CompileProblem::MetricId {
        id: id.to_owned(),
        reason,
    })
}

/// Checks the metric-math expression of entry `id` against MetricDataQuery's length limits.
fn check_expression(id: &str, expression: &str) -> Result<(), CompileProblem> {
    let length = expression.chars().count();
    if length == 0 || length > MAX_EXPRESSION {
        return Err(CompileProblem::ExpressionLength {
            id: id.to_owned(),
            length,
            max: MAX_EXPRESSION,
        });
    }
    Ok(())
}

pub(crate) fn alarm_metric(metric: &Metric) -> AlarmMetric {
    AlarmMetric {
        namespace: metric.namespace().to_owned(),
        metric_name: metric.name().to_owned(),
        dimensions: metric
            .dimensions()
            .iter()
            .map(|d| AlarmDimension {
                name: d.name().to_owned(),
                value: d.value().to_owned(),
            })
            .collect(),
    }
}

impl From<&Metric> for AlarmMetric {
    /// The alarm's form of a metric: its namespace, name and dimensions, as `MetricStat` takes
    /// them.
    fn from(metric: &Metric) -> Self {
        alarm_metric(metric)
    }
}

/// Ids the compiled output gives entries of its own: each window alarm's expression, and the
/// expression a dashboard widget draws over the signal's entries.
const RESERVED_IDS: [&str; 2] = ["excess", "shown"];

/// Checks a signal's ids and expressions once, whichever alarms read them: with every window
/// published no alarm does, yet the dashboards carry the entries all the same.
pub(super) fn check_signal(signal: &Signal) -> Result<(), CompileProblem> {
    let sources = match signal {
        Signal::Good { good, total } => vec![("good", good), ("total", total)],
        Signal::Bad { bad, total } => vec![("bad", bad), ("total", total)],
        Signal::Value { value } => vec![("value", value)],
    };
    let mut ids = BTreeSet::new();
    for (id, source) in sources {
        source_entries(source, id, 60, &mut ids)?;
    }
    match RESERVED_IDS.into_iter().find(|id| ids.contains(*id)) {
        Some(id) => Err(CompileProblem::MetricId {
            id: id.to_owned(),
            reason: "is reserved for the compiler's own expressions",
        }),
        None => Ok(()),
    }
}

/// The `Metrics` entries of a source under `id`, at `period` seconds.
pub(super) fn source_entries(
    source: &SignalSource,
    id: &str,
    period: u32,
    ids: &mut BTreeSet<String>,
) -> Result<Vec<MetricDataQuery>, CompileProblem> {
    let mut claim = |id: &str| {
        check_id(id)?;
        if ids.insert(id.to_owned()) {
            Ok(())
        } else {
            Err(CompileProblem::MetricId {
                id: id.to_owned(),
                reason: "is used twice in one alarm",
            })
        }
    };
    claim(id)?;
    Ok(match source {
        SignalSource::Metric { metric, stat } => vec![MetricDataQuery::metric(
            id,
            MetricStat {
                metric: alarm_metric(metric),
                period,
                stat: stat.to_string(),
            },
        )],
        SignalSource::Expression {
            expression,
            metrics,
        } => {
            check_expression(id, expression)?;
            let mut out = Vec::new();
            for (sub, metric, stat) in metrics {
                claim(sub)?;
                out.push(MetricDataQuery::metric(
                    sub,
                    MetricStat {
                        metric: alarm_metric(metric),
                        period,
                        stat: stat.to_string(),
                    },
                ));
            }
            out.push(MetricDataQuery::expression(
                id,
                expression.as_str(),
                id,
                false,
            ));
            out
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_description_past_cloudwatch_limit_is_a_typed_error_naming_the_alarm() {
        let at_limit = "d".repeat(MAX_ALARM_DESCRIPTION);
        assert!(check_alarm_description("slo/a", Some(&at_limit)).is_ok());
        assert!(check_alarm_description("slo/a", None).is_ok());
        let over = format!("{at_limit}é");
        assert_eq!(
            check_alarm_description("slo/a", Some(&over)),
            Err(CompileProblem::AlarmDescription {
                alarm: "slo/a".into(),
                length: MAX_ALARM_DESCRIPTION + 1,
                max: MAX_ALARM_DESCRIPTION,
            })
        );
    }
}
