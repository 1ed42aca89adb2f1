//! OpenSLO definitions (`sli_core::openslo`, feature `openslo`) with Prometheus metric sources
//! → Prometheus [`Spec`]s.
//!
//! A Prometheus `metricSource.spec` holds one field, `query`, as in the OpenSLO examples:
//!
//! ```yaml
//! # a counter (the SLI says `counter: true`): a series selector, optionally in sum()
//! spec: {query: 'sum(http_requests_total{job="checkout",code=~"5.."})'}
//! # or Sloth's form: the events (or events per second) over {{.window}}
//! spec: {query: 'sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))'}
//! ```

use sli_core::openslo::{IndicatorMetric, MetricSource, SloDefinition, SourceSpec};

use super::Spec;
use super::query::{Query, Signal};
use crate::error::{CompileError, CompileProblem, Engine};
use crate::openslo::{SpecError, mapping, read_source, refused, spec_error, text};

/// The query of a Prometheus `metricSource.spec`; `counter` is the SLI's `counter`.
fn prometheus(spec: &SourceSpec, counter: bool) -> Result<Query, SpecError> {
    let value = spec.to_value();
    let entries = mapping(&value, "", &["query"])?;
    let query = text(entries, "", "query")?.trim();
    if query.contains("{{") {
        return Query::template(query).map_err(|e| refused("query", e));
    }
    if !counter {
        return Err(spec_error(
            "query",
            "without {{.window}}, a query must select a counter (the SLI's `counter: true`): the rules take its increase over each window",
        ));
    }
    // `sum(<selector>)` is the sum of the selected counters: the rules sum their increases.
    let selector = query
        .strip_prefix("sum(")
        .and_then(|rest| rest.strip_suffix(')'))
        .unwrap_or(query);
    Query::counter(selector).map_err(|e| {
        spec_error(
            "query",
            format!("{e}; a counter query is a series selector, optionally in sum(), or a query with {{{{.window}}}}"),
        )
    })
}

fn source(
    def: &SloDefinition,
    field: &str,
    m: &MetricSource,
    counter: bool,
) -> Result<Query, CompileError> {
    read_source(Engine::Prometheus, "prometheus", def, field, m, |spec| {
        prometheus(spec, counter)
    })
}

/// The Prometheus signal of one definition.
fn signal(def: &SloDefinition) -> Result<Signal, CompileError> {
    let unsupported = |field: &str, what: &str| {
        CompileError::new(
            Engine::Prometheus,
            &def.slo.name,
            Some(def.document),
            field,
            CompileProblem::Unsupported { what: what.into() },
        )
    };
    match &def.indicator.metric {
        IndicatorMetric::Ratio {
            counter,
            good: Some(good),
            total,
            ..
        } => Ok(Signal::Good {
            good: source(def, "ratioMetric.good", good, *counter)?,
            total: source(def, "ratioMetric.total", total, *counter)?,
        }),
        IndicatorMetric::Ratio {
            counter,
            bad: Some(bad),
            total,
            ..
        } => Ok(Signal::Bad {
            bad: source(def, "ratioMetric.bad", bad, *counter)?,
            total: source(def, "ratioMetric.total", total, *counter)?,
        }),
        IndicatorMetric::Threshold { .. } => Err(unsupported(
            "spec.indicator.spec.thresholdMetric",
            "a threshold (time-slice) SLI: the Prometheus rules count events",
        )),
        _ => Err(unsupported(
            "spec.indicator.spec.ratioMetric.raw",
            "a raw ratio metric: a ratio of ratios over a window is not the window's error ratio",
        )),
    }
}

/// One [`Spec`] per alert policy of each definition (one with no tier for an SLO without
/// policies, which then has its error-budget rules but no alerts).
///
/// # Errors
/// [`CompileError`] naming the SLO, its document, the field and [`Engine::Prometheus`]: a
/// source of another type ([`CompileProblem::SourceType`]), a spec field other than `query`,
/// a query that is neither a counter's selector (with `counter: true`) nor a `{{.window}}`
/// template, a raw ratio or a threshold SLI.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::{compile, specs_from_openslo, Options, Query, Signal};
/// use sli_core::openslo::{parse, Mode};
///
/// let yaml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/tests/data/checkout.prometheus.openslo.yaml")).unwrap();
/// let specs = specs_from_openslo(&parse(&yaml, Mode::Strict)?.slos)?;
/// assert!(matches!(&specs[0].signal, Signal::Bad { bad: Query::Counter(_), .. }));
/// let rules = compile(&specs, &Options::default())?;
/// assert!(rules.files()[0].to_yaml().contains("slo:sli_error:ratio_rate1h"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn specs_from_openslo(definitions: &[SloDefinition]) -> Result<Vec<Spec>, CompileError> {
    crate::openslo::specs(definitions, signal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sli_core::openslo::{Mode, parse};

    fn slo(counter: bool, bad: &str, total: &str) -> String {
        format!(
            "apiVersion: openslo/v1\nkind: SLO\nmetadata: {{name: web}}\nspec:\n  service: web\n  indicator:\n    metadata: {{name: web}}\n    spec:\n      ratioMetric:\n        counter: {counter}\n        bad:\n          metricSource:\n{bad}        total:\n          metricSource:\n{total}  timeWindow: [{{duration: 28d, isRolling: true}}]\n  budgetingMethod: Occurrences\n  objectives: [{{target: 0.99}}]\n"
        )
    }

    fn source(spec: &str) -> String {
        format!("            type: Prometheus\n            spec:\n{spec}")
    }

    #[test]
    fn counters_templates_and_refusals() {
        let total = source("              query: sum(http_requests_total{job=\"web\"})\n");
        let bad =
            source("              query: 'sum(http_requests_total{job=\"web\",code=~\"5..\"})'\n");
        let defs = parse(&slo(true, &bad, &total), Mode::Strict).unwrap().slos;
        let specs = specs_from_openslo(&defs).unwrap();
        let Signal::Bad {
            bad: Query::Counter(s),
            ..
        } = &specs[0].signal
        else {
            panic!("{:?}", specs[0].signal)
        };
        assert_eq!(
            s.to_string(),
            r#"http_requests_total{job="web",code=~"5.."}"#
        );

        // Sloth's templates, counter or not.
        let t = |q: &str| source(&format!("              query: '{q}'\n"));
        let templated = slo(
            false,
            &t("sum(rate(http_requests_total{code=~\"5..\"}[{{.window}}]))"),
            &t("sum(rate(http_requests_total[{{.window}}]))"),
        );
        let specs = specs_from_openslo(&parse(&templated, Mode::Strict).unwrap().slos).unwrap();
        assert!(matches!(
            &specs[0].signal,
            Signal::Bad {
                bad: Query::Template(_),
                ..
            }
        ));

        // A plain query without counter: true cannot be summed over a window.
        let err = specs_from_openslo(&parse(&slo(false, &bad, &total), Mode::Strict).unwrap().slos)
            .unwrap_err();
        assert_eq!(err.engine, Engine::Prometheus);
        assert!(
            matches!(err.problem, CompileProblem::InvalidMetric { .. }),
            "{err}"
        );
        assert!(
            err.field
                .ends_with("ratioMetric.bad.metricSource.spec.query"),
            "{}",
            err.field
        );

        // Another engine's source, and an unknown field, are named.
        let cw = "            type: CloudWatch\n            spec: {namespace: N, metricName: M, stat: Sum}\n";
        let err = specs_from_openslo(&parse(&slo(true, cw, &total), Mode::Strict).unwrap().slos)
            .unwrap_err();
        assert_eq!(
            err.problem,
            CompileProblem::SourceType {
                source_type: Some("CloudWatch".into())
            }
        );
        let odd = source("              promql: up\n");
        let err = specs_from_openslo(&parse(&slo(true, &odd, &total), Mode::Strict).unwrap().slos)
            .unwrap_err();
        assert!(err.field.ends_with("spec.promql"), "{}", err.field);
    }
}
