//! OpenSLO definitions (`sli_core::openslo`, feature `openslo`) with CloudWatch metric sources
//! → CloudWatch [`Spec`]s.

use aws_telemetry::{Metric, Statistic};
use sli_core::openslo::{IndicatorMetric, MetricSource, SloDefinition, SourceSpec, Value};

use super::Spec;
use super::signal::{Signal, SignalSource};
use crate::error::{CompileError, CompileProblem, Engine};
use crate::openslo::{SpecError, mapping, read_source, refused, spec_error, text};

/// `namespace`, `metricName`, `dimensions` (`[{name, value}]`) and `stat` of one metric.
fn metric(entries: &[(String, Value)], path: &str) -> Result<(Metric, Statistic), SpecError> {
    let invalid = |field: &str, e: aws_telemetry::QueryError| {
        let at = if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        refused(at, e)
    };
    let mut m = Metric::new(
        text(entries, path, "namespace")?,
        text(entries, path, "metricName")?,
    )
    .map_err(|e| invalid("metricName", e))?;
    if let Some((_, dimensions)) = entries.iter().find(|(k, _)| k == "dimensions") {
        let dims_path = if path.is_empty() {
            "dimensions".to_owned()
        } else {
            format!("{path}.dimensions")
        };
        let Value::Seq(items) = dimensions else {
            return Err(spec_error(
                dims_path,
                "expected a sequence of {name, value}",
            ));
        };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{dims_path}[{i}]");
            let d = mapping(item, &at, &["name", "value"])?;
            m = m
                .with_dimension(text(d, &at, "name")?, text(d, &at, "value")?)
                .map_err(|e| refused(at.clone(), e))?;
        }
    }
    let stat = text(entries, path, "stat")?
        .parse::<Statistic>()
        .map_err(|e| invalid("stat", e))?;
    Ok((m, stat))
}

/// A CloudWatch `metricSource.spec`: one metric, or a metric-math `expression` over
/// `metrics` named by `id`; `region` is accepted but not used ([`warnings_from_openslo`] says
/// so).
///
/// ```yaml
/// spec: {namespace: AWS/ApplicationELB, metricName: RequestCount, stat: Sum,
///        dimensions: [{name: LoadBalancer, value: app/web/123}]}
/// spec:
///   expression: "m1 + m2"
///   metrics:
///     - {id: m1, namespace: AWS/ApplicationELB, metricName: HTTPCode_Target_5XX_Count, stat: Sum}
///     - {id: m2, namespace: AWS/ApplicationELB, metricName: HTTPCode_ELB_5XX_Count, stat: Sum}
/// ```
fn cloudwatch(spec: &SourceSpec) -> Result<SignalSource, SpecError> {
    let value = spec.to_value();
    if spec.get("expression").is_none() {
        let e = mapping(
            &value,
            "",
            &["region", "namespace", "metricName", "dimensions", "stat"],
        )?;
        let (metric, stat) = metric(e, "")?;
        return Ok(SignalSource::Metric { metric, stat });
    }
    let e = mapping(&value, "", &["region", "expression", "metrics"])?;
    let expression = text(e, "", "expression")?.to_owned();
    let Some((_, Value::Seq(list))) = e.iter().find(|(k, _)| k == "metrics") else {
        return Err(spec_error("metrics", "required: a sequence of metrics"));
    };
    let mut metrics = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let at = format!("metrics[{i}]");
        let m = mapping(
            item,
            &at,
            &["id", "namespace", "metricName", "dimensions", "stat"],
        )?;
        let id = text(m, &at, "id")?.to_owned();
        let (metric, stat) = metric(m, &at)?;
        metrics.push((id, metric, stat));
    }
    Ok(SignalSource::Expression {
        expression,
        metrics,
    })
}

fn source(
    def: &SloDefinition,
    field: &str,
    m: &MetricSource,
) -> Result<SignalSource, CompileError> {
    read_source(Engine::CloudWatch, "cloudwatch", def, field, m, cloudwatch)
}

/// One [`Spec`] per alert policy of each definition (one with no tier for an SLO without
/// policies, which then has dashboards but no alarms).
///
/// # Errors
/// [`CompileError`] naming the SLO, its document and the metric source: a source that is not
/// CloudWatch ([`CompileProblem::SourceType`]), a raw ratio (a ratio of ratios is not an SLI
/// CloudWatch can sum), a field of the spec it does not know, a metric or statistic
/// CloudWatch would reject.
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

/// What [`specs_from_openslo`] reads but cannot honour, one message per field: today a
/// CloudWatch metric source's `region`, which the compiled alarms and dashboards do not use
/// (they watch the metrics of the region the stack is deployed in). Each message names the SLO,
/// its document, the field and, where the importer kept them, its line and column; a caller
/// prints them as warnings (`compile_openslo` does).
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::warnings_from_openslo;
/// use sli_core::openslo::{parse, Mode};
///
/// let yaml = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: api}\nspec:\n  service: web\n  indicator:\n    metadata: {name: api}\n    spec:\n      thresholdMetric:\n        metricSource: {type: CloudWatch, spec: {region: ap-southeast-2, namespace: AWS/ApiGateway, metricName: Latency, stat: p99}}\n  timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n  objectives: [{op: lt, value: 300, target: 0.99}]\n";
/// let warnings = warnings_from_openslo(&parse(yaml, Mode::Strict)?.slos);
/// assert_eq!(warnings.len(), 1);
/// assert!(warnings[0].contains("region \"ap-southeast-2\" is not used"), "{}", warnings[0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn warnings_from_openslo(definitions: &[SloDefinition]) -> Vec<String> {
    let mut out = Vec::new();
    // Where each message's field sits: one message per field, however many objectives (one
    // definition each) share the indicator.
    let mut seen = std::collections::HashSet::new();
    for def in definitions {
        for source in def.indicator.metric_sources() {
            if !source.is_type("cloudwatch") {
                continue;
            }
            let Some(region) = source.spec.get_str("region") else {
                continue;
            };
            let at = match source.spec.location_of("region") {
                Some(l) if !seen.insert((l.document, l.line, l.column)) => continue,
                Some(l) => format!("field {} (line {}, column {})", l.path, l.line, l.column),
                // Built in code: no position to name or to tell copies apart.
                None => "its metric source's field region".to_owned(),
            };
            out.push(format!(
                "SLO {:?} (document {}), {at}: region {region:?} is not used: the alarms and dashboards watch the metrics of the region the stack is deployed in (deploy the stack in {region} to watch them there)",
                def.slo.name, def.document
            ));
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::SourceFieldError;
    use sli_core::openslo::{Mode, parse};

    fn slo(source: &str) -> String {
        format!(
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {{name: web}}\nspec:\n  service: web\n  indicator:\n    metadata: {{name: web}}\n    spec:\n      thresholdMetric:\n        metricSource:\n{source}  timeWindow: [{{duration: 1d, isRolling: true}}]\n  budgetingMethod: Occurrences\n  objectives: [{{op: lt, value: 0.3, target: 0.99}}]\n"
        )
    }

    /// A metric source's `region` is not used by the alarms or the dashboards: never dropped
    /// silently, a warning per field naming the region and where it is written.
    #[test]
    fn a_region_is_reported_not_dropped() {
        let yaml = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: api}\nspec:\n  service: web\n  indicator:\n    metadata: {name: api-sli}\n    spec:\n      ratioMetric:\n        counter: true\n        bad: {metricSource: {type: CloudWatch, spec: {region: ap-southeast-2, namespace: AWS/ApiGateway, metricName: 5XXError, stat: Sum}}}\n        total: {metricSource: {type: CloudWatch, spec: {region: ap-southeast-2, namespace: AWS/ApiGateway, metricName: Count, stat: Sum}}}\n  timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n  objectives: [{target: 0.999}, {target: 0.99}]\n";
        let defs = parse(yaml, Mode::Strict).unwrap().slos;
        assert_eq!(defs.len(), 2);
        assert!(specs_from_openslo(&defs).is_ok());
        let warnings = warnings_from_openslo(&defs);
        // bad and total, once each for the two objectives that share them.
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(
            warnings[0].contains("field spec.indicator.spec.ratioMetric.bad.metricSource.spec.region (line 11, column")
                && warnings[0].contains("region \"ap-southeast-2\" is not used")
                && warnings[0].contains("the region the stack is deployed in"),
            "{}",
            warnings[0]
        );
        let without = yaml.replace("region: ap-southeast-2, ", "");
        assert!(warnings_from_openslo(&parse(&without, Mode::Strict).unwrap().slos).is_empty());
    }

    #[test]
    fn another_engines_source_is_refused_by_type() {
        let yaml = slo("          type: Prometheus\n          spec: {query: up}\n");
        let defs = parse(&yaml, Mode::Strict).unwrap().slos;
        let err = specs_from_openslo(&defs).unwrap_err();
        assert_eq!(err.slo, "web");
        assert_eq!(
            err.problem,
            CompileProblem::SourceType {
                source_type: Some("Prometheus".into())
            }
        );
        assert!(err.to_string().contains("\"Prometheus\""), "{err}");
    }

    #[test]
    fn cloudwatch_spec_errors_name_the_field_and_line() {
        let yaml = slo(
            "          type: CloudWatch\n          spec:\n            namespace: AWS/ApplicationELB\n            metricName: TargetResponseTime\n            dimension: [{name: LoadBalancer, value: app/web/1}]\n            stat: p99\n",
        );
        let defs = parse(&yaml, Mode::Strict).unwrap().slos;
        let err = specs_from_openslo(&defs).unwrap_err();
        assert_eq!(
            err.field,
            "spec.indicator.spec.thresholdMetric.metricSource.spec.dimension"
        );
        assert!(
            matches!(err.problem, CompileProblem::InvalidMetric { .. }),
            "{err}"
        );
        // A statistic CloudWatch refuses: aws-telemetry's own error, kept as the source.
        let bad_stat = yaml
            .replace("dimension:", "dimensions:")
            .replace("stat: p99", "stat: p101");
        let err = specs_from_openslo(&parse(&bad_stat, Mode::Strict).unwrap().slos).unwrap_err();
        assert_eq!(
            err.field,
            "spec.indicator.spec.thresholdMetric.metricSource.spec.stat"
        );
        let CompileProblem::InvalidSourceField { path, source, .. } = &err.problem else {
            panic!("{err}");
        };
        assert_eq!(path, "stat");
        let expected = "p101".parse::<Statistic>().unwrap_err();
        assert_eq!(source, &SourceFieldError::CloudWatch(expected));
        assert!(std::error::Error::source(&err.problem).is_some(), "{err}");
        let ok = yaml.replace("dimension:", "dimensions:");
        let specs = specs_from_openslo(&parse(&ok, Mode::Strict).unwrap().slos).unwrap();
        assert!(matches!(
            &specs[0].signal,
            Signal::Value { value: SignalSource::Metric { metric, stat: Statistic::Percentile(p) } }
                if metric.dimensions().len() == 1 && *p == 99.0
        ));
    }
}
