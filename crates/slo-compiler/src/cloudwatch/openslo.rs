//! OpenSLO definitions (`sli_core::openslo`, feature `openslo`) with CloudWatch metric sources
//! → CloudWatch [`Spec`]s.

use sli_core::openslo::{
    CloudWatchQuery, IndicatorMetric, MetricQuery, MetricSource, SloDefinition,
};

use aws_telemetry::{Metric, Statistic};

use super::Spec;
use super::signal::{Signal, SignalSource};
use crate::error::{CompileError, CompileProblem, Engine};

fn metric(
    namespace: &str,
    name: &str,
    dimensions: &[(String, String)],
) -> Result<Metric, aws_telemetry::Error> {
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
    let fail = |problem| {
        CompileError::new(
            Engine::CloudWatch,
            &def.slo.name,
            Some(def.document),
            format!("spec.indicator.spec.{field}.metricSource"),
            problem,
        )
    };
    let invalid = |e: aws_telemetry::Error| {
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

/// One [`Spec`] per alert policy of each definition (one with no tier for an SLO
/// without policies, which then has dashboards but no alarms).
///
/// # Errors
/// [`CompileError`] naming the SLO, its document and the metric source: a source that is not
/// CloudWatch, a raw ratio (a ratio of ratios is not an SLI CloudWatch can sum), a metric or
/// statistic CloudWatch would reject.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::specs_from_openslo;
/// use sli_core::openslo::{parse, Mode};
///
/// let yaml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/tests/data/checkout.openslo.yaml")).unwrap();
/// let specs = specs_from_openslo(&parse(&yaml, Mode::Strict)?.slos)?;
/// assert_eq!(specs.len(), 3);
/// assert_eq!(specs[0].policy_name, "multiwindow-burn");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn specs_from_openslo(definitions: &[SloDefinition]) -> Result<Vec<Spec>, CompileError> {
    crate::openslo::specs(definitions, signal)
}

/// The CloudWatch signal of one definition.
fn signal(def: &SloDefinition) -> Result<Signal, CompileError> {
    Ok(match &def.indicator.metric {
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
            return Err(CompileError::new(
                    Engine::CloudWatch,
                    &def.slo.name,
                    Some(def.document),
                    "spec.indicator.spec.ratioMetric",
                    CompileProblem::Unsupported {
                        what: "a raw ratio metric: CloudWatch cannot sum ratios over a window into an error ratio".into(),
                    },
                ));
        }
    })
}
