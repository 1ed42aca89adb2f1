//! OpenSLO definitions (`sli_core::openslo`, feature `openslo`) → [`SloAlarmSpec`]s.

use sli_core::AlertPolicy;
use sli_core::openslo::{
    CloudWatchQuery, IndicatorMetric, MetricQuery, MetricSource, SloDefinition,
};

use super::compile::{CompileError, CompileProblem, Signal, SignalSource, SloAlarmSpec};
use crate::query::{Metric, Statistic};

fn metric(
    namespace: &str,
    name: &str,
    dimensions: &[(String, String)],
) -> Result<Metric, crate::Error> {
    let mut m = Metric::new(namespace, name)?;
    for (k, v) in dimensions {
        m = m.with_dimension(k.clone(), v.clone())?;
    }
    Ok(m)
}

fn source(
    def: &SloDefinition,
    field: &str,
    m: &MetricSource,
) -> Result<SignalSource, CompileError> {
    let fail = |problem| CompileError {
        slo: def.slo.name.clone(),
        document: Some(def.document),
        field: format!("spec.indicator.spec.{field}.metricSource"),
        problem,
    };
    let invalid = |e: crate::Error| {
        fail(CompileProblem::InvalidMetric {
            field: field.to_owned(),
            reason: e.to_string(),
        })
    };
    let MetricQuery::CloudWatch(query) = &m.query else {
        return Err(fail(CompileProblem::Unsupported {
            what: format!("metric source type {:?} (CloudWatch only)", m.source_type),
        }));
    };
    Ok(match query {
        CloudWatchQuery::Stat {
            namespace,
            metric_name,
            dimensions,
            stat,
            ..
        } => SignalSource::Metric {
            metric: metric(namespace, metric_name, dimensions).map_err(invalid)?,
            stat: stat.parse::<Statistic>().map_err(invalid)?,
        },
        CloudWatchQuery::Expression {
            expression,
            metrics,
            ..
        } => SignalSource::Expression {
            expression: expression.clone(),
            metrics: metrics
                .iter()
                .map(|m| {
                    Ok((
                        m.id.clone(),
                        metric(&m.namespace, &m.metric_name, &m.dimensions).map_err(invalid)?,
                        m.stat.parse::<Statistic>().map_err(invalid)?,
                    ))
                })
                .collect::<Result<_, CompileError>>()?,
        },
    })
}

/// One [`SloAlarmSpec`] per alert policy of each definition (one with no tier for an SLO
/// without policies, which then has dashboards but no alarms).
///
/// # Errors
/// [`CompileError`] naming the SLO, its document and the metric source: a source that is not
/// CloudWatch, a raw ratio (a ratio of ratios is not an SLI CloudWatch can sum), a metric or
/// statistic CloudWatch would reject.
///
/// # Example
/// ```
/// use aws_telemetry::alarms::specs_from_openslo;
/// use sli_core::openslo::{parse, Mode};
///
/// let yaml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/../../docs/examples/checkout.openslo.yaml")).unwrap();
/// let specs = specs_from_openslo(&parse(&yaml, Mode::Strict)?.slos)?;
/// assert_eq!(specs.len(), 3);
/// assert_eq!(specs[0].policy_name, "multiwindow-burn");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn specs_from_openslo(
    definitions: &[SloDefinition],
) -> Result<Vec<SloAlarmSpec>, CompileError> {
    let mut out = Vec::new();
    for def in definitions {
        let signal = match &def.indicator.metric {
            IndicatorMetric::Ratio {
                good: Some(good),
                total,
                ..
            } => Signal::Good {
                good: source(def, "ratioMetric.good", good)?,
                total: source(def, "ratioMetric.total", total)?,
            },
            IndicatorMetric::Ratio {
                bad: Some(bad),
                total,
                ..
            } => Signal::Bad {
                bad: source(def, "ratioMetric.bad", bad)?,
                total: source(def, "ratioMetric.total", total)?,
            },
            IndicatorMetric::Threshold { metric } => Signal::Value {
                value: source(def, "thresholdMetric", metric)?,
            },
            _ => {
                return Err(CompileError {
                    slo: def.slo.name.clone(),
                    document: Some(def.document),
                    field: "spec.indicator.spec.ratioMetric".into(),
                    problem: CompileProblem::Unsupported {
                        what: "a raw ratio metric: CloudWatch cannot sum ratios over a window into an error ratio".into(),
                    },
                });
            }
        };
        let base = SloAlarmSpec {
            slo: def.slo.clone(),
            service: def.service.clone(),
            policy_name: "none".into(),
            policy: AlertPolicy {
                tiers: Vec::new(),
                ..AlertPolicy::default()
            },
            notify_resolved: false,
            signal,
            document: Some(def.document),
        };
        if def.alert_policies.is_empty() {
            out.push(base);
            continue;
        }
        for p in &def.alert_policies {
            out.push(SloAlarmSpec {
                policy_name: p.name.clone(),
                policy: p.policy.clone(),
                notify_resolved: p.alert_when_resolved,
                ..base.clone()
            });
        }
    }
    Ok(out)
}
