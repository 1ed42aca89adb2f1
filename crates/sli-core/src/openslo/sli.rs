//! The `SLI` kind and its metric sources.

use super::error::Problem;
use super::field::*;
use super::refs::*;
use super::{Indicator, IndicatorMetric, MetricSource, RawType, SourceRef, SourceSpec};

/// An `SLI` (or an inline indicator). With `resolve`, a `metricSourceRef` that names no
/// `DataSource` of the file and has no `type` beside it is an error (the SLI is evaluated);
/// without, it is kept by name (a standalone SLI of a file that others complete).
pub(super) fn import_sli(
    cx: &mut Cx<'_>,
    catalog: &Catalog<'_>,
    root: &F<'_>,
    resolve: bool,
) -> Result<Indicator> {
    let meta = metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(&spec, &["description", "thresholdMetric", "ratioMetric"])?;
    let description = description(cx, &spec)?;
    let metric = match (
        optional(&spec, "thresholdMetric"),
        optional(&spec, "ratioMetric"),
    ) {
        (Some(_), Some(r)) => {
            return Err(r.err(Problem::Conflict {
                reason: "thresholdMetric and ratioMetric exclude each other".into(),
            }));
        }
        (None, None) => {
            return Err(spec.err(Problem::MissingField {
                field: "ratioMetric",
            }));
        }
        (Some(t), None) => IndicatorMetric::Threshold {
            metric: metric_holder(cx, catalog, &t, resolve)?,
        },
        (None, Some(r)) => {
            cx.keys(&r, &["counter", "good", "bad", "total", "rawType", "raw"])?;
            let counter = match optional(&r, "counter") {
                Some(c) => cx.boolean(&c)?,
                None => false,
            };
            match optional(&r, "raw") {
                Some(raw) => {
                    for key in ["good", "bad", "total"] {
                        if let Some(f) = optional(&r, key) {
                            return Err(f.err(Problem::Conflict {
                                reason: format!("{key} and raw exclude each other"),
                            }));
                        }
                    }
                    let raw_type = required(&r, "rawType")?;
                    let raw_type = match raw_type.text()? {
                        "success" => RawType::Success,
                        "failure" => RawType::Failure,
                        other => {
                            return Err(raw_type.err(Problem::InvalidValue {
                                value: other.to_owned(),
                                reason: "expected success or failure".into(),
                            }));
                        }
                    };
                    IndicatorMetric::RawRatio {
                        raw: metric_holder(cx, catalog, &raw, resolve)?,
                        raw_type,
                    }
                }
                None => {
                    // The spec's schema gives `counter: true | false` without a default ("true
                    // if the metric is a monotonically increasing counter, or false, if it is a
                    // single number that can arbitrarily go up or down"), the v1 JSON schema
                    // (openslo.com/schemas/v1/parts/sli-spec.schema.json) lists it as required
                    // beside `total`, and the two readings of one query differ: a rule of
                    // strict mode; lenient reads false.
                    if optional(&r, "counter").is_none() {
                        cx.rule(&r, Problem::MissingField { field: "counter" })?;
                    }
                    // Read in the spec's order (good or bad, then total), so that the first
                    // error reported is the first a reader of the document meets.
                    let good = optional(&r, "good")
                        .map(|f| metric_holder(cx, catalog, &f, resolve))
                        .transpose()?;
                    let bad = optional(&r, "bad")
                        .map(|f| metric_holder(cx, catalog, &f, resolve))
                        .transpose()?;
                    let total = metric_holder(cx, catalog, &required(&r, "total")?, resolve)?;
                    if good.is_some() == bad.is_some() {
                        return Err(r.err(Problem::Conflict {
                            reason: "a ratio metric needs exactly one of good and bad".into(),
                        }));
                    }
                    IndicatorMetric::Ratio {
                        counter,
                        good,
                        bad,
                        total,
                    }
                }
            }
        }
    };
    Ok(Indicator {
        name: meta.name,
        description,
        metric,
    })
}

/// `{metricSource: {metricSourceRef?, type?, spec}}`: any source type, its spec kept as
/// written.
pub(super) fn metric_holder(
    cx: &mut Cx<'_>,
    catalog: &Catalog<'_>,
    f: &F<'_>,
    resolve: bool,
) -> Result<MetricSource> {
    cx.keys(f, &["metricSource"])?;
    let source = required(f, "metricSource")?;
    cx.keys(&source, &["metricSourceRef", "type", "spec"])?;
    let source_ref = match optional(&source, "metricSourceRef") {
        Some(r) => {
            let name = r.text()?;
            let data_source = catalog.sources.get(name).map(|(_, ds)| ds.clone());
            if resolve && data_source.is_none() && optional(&source, "type").is_none() {
                return Err(r.err(Problem::MissingReference {
                    kind: "DataSource",
                    name: name.to_owned(),
                }));
            }
            Some(SourceRef {
                name: name.to_owned(),
                data_source,
            })
        }
        None => None,
    };
    let declared_type = match optional(&source, "type") {
        Some(t) => {
            let text = t.text()?;
            if let Some(ds) = source_ref.as_ref().and_then(|r| r.data_source.as_ref())
                && text != ds.source_type
            {
                cx.rule(
                    &t,
                    Problem::Conflict {
                        reason: format!(
                            "type {text:?} differs from the DataSource's {:?}",
                            ds.source_type
                        ),
                    },
                )?;
            }
            Some(text.to_owned())
        }
        None if source_ref.is_none() => {
            return Err(source.err(Problem::MissingField { field: "type" }));
        }
        None => None,
    };
    let spec = required(&source, "spec")?;
    spec.map()?;
    cx.free_form(&spec)?;
    Ok(MetricSource {
        source_ref,
        declared_type,
        spec: SourceSpec::parsed(spec.node, spec.location()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openslo::Mode;

    fn sli(text: &str, resolve: bool) -> Result<Indicator> {
        with_document(text, Mode::Strict, |cx, root| {
            import_sli(cx, &Catalog::default(), root, resolve)
        })
        .0
    }

    const HEAD: &str = "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: s}\nspec:\n";

    #[test]
    fn the_three_forms_of_an_sli() {
        let ratio = sli(&format!("{HEAD}  ratioMetric:\n    counter: false\n    bad: {{metricSource: {{type: Datadog, spec: {{query: a}}}}}}\n    total: {{metricSource: {{type: Datadog, spec: {{query: b}}}}}}\n"), true).unwrap();
        assert!(matches!(
            ratio.metric,
            IndicatorMetric::Ratio {
                counter: false,
                good: None,
                bad: Some(_),
                ..
            }
        ));
        let raw = sli(&format!("{HEAD}  ratioMetric:\n    rawType: failure\n    raw: {{metricSource: {{type: Prometheus, spec: {{query: a}}}}}}\n"), true).unwrap();
        assert!(matches!(
            raw.metric,
            IndicatorMetric::RawRatio {
                raw_type: RawType::Failure,
                ..
            }
        ));
        let threshold = sli(&format!("{HEAD}  thresholdMetric: {{metricSource: {{type: AppDynamics, spec: {{metricPath: x}}}}}}\n"), true).unwrap();
        assert_eq!(threshold.metric_sources().count(), 1);
        // good and bad together, raw with total: refused.
        assert!(sli(&format!("{HEAD}  ratioMetric:\n    good: {{metricSource: {{type: X, spec: {{q: a}}}}}}\n    bad: {{metricSource: {{type: X, spec: {{q: a}}}}}}\n    total: {{metricSource: {{type: X, spec: {{q: b}}}}}}\n"), true).is_err());
    }

    /// With both `good` and `total` wrong, the error is `good`'s, the first in reading order
    /// (it was `total`'s, read first).
    #[test]
    fn the_first_error_in_reading_order_is_reported() {
        let err = sli(&format!("{HEAD}  ratioMetric:\n    counter: true\n    good: {{metricSource: {{spec: {{q: a}}}}}}\n    total: {{metricSource: {{spec: {{q: b}}}}}}\n"), true).unwrap_err();
        assert!(matches!(
            err.problem,
            Problem::MissingField { field: "type" }
        ));
        assert_eq!((err.location.line, err.location.column), (7, 26), "{err}");
        assert!(err.location.path.contains("good"), "{err}");
    }

    #[test]
    fn a_data_source_of_another_file() {
        let text = format!(
            "{HEAD}  thresholdMetric: {{metricSource: {{metricSourceRef: elsewhere, spec: {{query: a}}}}}}\n"
        );
        // Standalone: kept by name, type unknown.
        let standalone = sli(&text, false).unwrap();
        let source = standalone.metric_sources().next().unwrap();
        assert_eq!(source.source_ref.as_ref().unwrap().name, "elsewhere");
        assert_eq!(source.source_type(), None);
        // Evaluated by an SLO: an error, there being no type to go by.
        let err = sli(&text, true).unwrap_err();
        assert!(matches!(
            err.problem,
            Problem::MissingReference {
                kind: "DataSource",
                ..
            }
        ));
        // With a type beside it: fine either way.
        let typed = text.replace(
            "metricSourceRef: elsewhere,",
            "metricSourceRef: elsewhere, type: Prometheus,",
        );
        assert!(
            sli(&typed, true)
                .unwrap()
                .metric_sources()
                .all(|m| m.is_type("prometheus"))
        );
    }
}
