//! `openslo/v1alpha` objects, mapped to v1 in lenient mode with a warning for each field
//! mapped (Sloth and older tools still write v1alpha).
//!
//! | v1alpha | v1 |
//! |---|---|
//! | `timeWindows: [{unit: Week, count: 1, …}]` | `timeWindow: [{duration: 1w, …}]` |
//! | `indicator.thresholdMetric: {source, queryType, query}` | `indicator.spec.thresholdMetric.metricSource: {type: source, spec: {queryType, query}}` |
//! | `objectives[*].ratioMetrics: {good, total, incremental}` | `indicator.spec.ratioMetric: {counter: incremental, good, total}` (per objective when they differ) |
//! | `value` and `op` on a ratio objective | dropped (v1 forbids them) |
//! | `Timeslices` without `timeSliceWindow` | `timeSliceWindow: 1m` |

use super::error::Problem;
use super::field::{Cx, F, Result, optional, required};
use super::yaml::{Kind, Node};

fn scalar(text: &str, at: &Node) -> Node {
    Node {
        kind: Kind::Scalar {
            text: text.to_owned(),
            plain: true,
        },
        line: at.line,
        column: at.column,
    }
}

fn map(entries: Vec<(&str, Node)>, at: &Node) -> Node {
    Node {
        kind: Kind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (scalar(k, at), v))
                .collect(),
        ),
        line: at.line,
        column: at.column,
    }
}

fn seq(items: Vec<Node>, at: &Node) -> Node {
    Node {
        kind: Kind::Seq(items),
        line: at.line,
        column: at.column,
    }
}

/// Whether `node` is an object of `openslo/v1alpha`.
pub(super) fn is_v1alpha(node: &Node) -> bool {
    matches!(&node.kind, Kind::Map(entries) if entries.iter().any(|(k, v)| {
        matches!(&k.kind, Kind::Scalar { text, .. } if text == "apiVersion")
            && matches!(&v.kind, Kind::Scalar { text, .. } if text == "openslo/v1alpha")
    }))
}

fn mapped(cx: &mut Cx<'_>, f: &F<'_>, what: String) {
    cx.warn(
        f,
        Problem::Mapped {
            what: format!("openslo/v1alpha: {what}"),
        },
    );
}

/// `{source, queryType, query}` → `{metricSource: {type: source, spec: {queryType, query}}}`.
fn metric_source(cx: &mut Cx<'_>, f: &F<'_>) -> Result<Node> {
    cx.keys(f, &["source", "queryType", "query"])?;
    let source = required(f, "source")?;
    source.text()?;
    let mut spec = Vec::new();
    for key in ["queryType", "query"] {
        if let Some(v) = optional(f, key) {
            spec.push((key, v.node.clone()));
        }
    }
    Ok(map(
        vec![(
            "metricSource",
            map(
                vec![("type", source.node.clone()), ("spec", map(spec, f.node))],
                f.node,
            ),
        )],
        f.node,
    ))
}

/// `ratioMetrics: {good, total, incremental}` → an inline v1 indicator named `name`.
fn ratio_indicator(cx: &mut Cx<'_>, f: &F<'_>, name: &Node) -> Result<Node> {
    cx.keys(f, &["good", "total", "incremental"])?;
    let mut ratio = Vec::new();
    if let Some(incremental) = optional(f, "incremental") {
        ratio.push(("counter", incremental.node.clone()));
    }
    ratio.push(("good", metric_source(cx, &required(f, "good")?)?));
    ratio.push(("total", metric_source(cx, &required(f, "total")?)?));
    mapped(
        cx,
        f,
        "ratioMetrics read as an indicator's ratioMetric (incremental as counter)".into(),
    );
    Ok(map(
        vec![
            ("metadata", map(vec![("name", name.clone())], f.node)),
            (
                "spec",
                map(vec![("ratioMetric", map(ratio, f.node))], f.node),
            ),
        ],
        f.node,
    ))
}

/// The v1 form of a v1alpha `SLO` or `Service`.
pub(super) fn to_v1(cx: &mut Cx<'_>, root: &F<'_>) -> Result<Node> {
    root.map()?;
    let version = required(root, "apiVersion")?;
    mapped(cx, &version, "read as openslo/v1".into());
    let kind = required(root, "kind")?;
    let kind_text = kind.text()?;
    cx.keys(root, &["apiVersion", "kind", "metadata", "spec"])?;
    let metadata = required(root, "metadata")?;
    let name = required(&metadata, "name")?;
    let head = |spec: Node| {
        map(
            vec![
                ("apiVersion", scalar("openslo/v1", version.node)),
                ("kind", kind.node.clone()),
                ("metadata", metadata.node.clone()),
                ("spec", spec),
            ],
            root.node,
        )
    };
    match kind_text {
        "Service" => {
            let spec = optional(root, "spec")
                .map_or_else(|| map(Vec::new(), root.node), |s| s.node.clone());
            return Ok(head(spec));
        }
        "SLO" => {}
        other => {
            return Err(kind.err(Problem::UnknownKind {
                kind: format!("{other} (openslo/v1alpha defines SLO and Service)"),
            }));
        }
    }
    let spec = required(root, "spec")?;
    cx.keys(
        &spec,
        &[
            "timeWindows",
            "budgetingMethod",
            "description",
            "indicator",
            "service",
            "objectives",
        ],
    )?;
    let mut out: Vec<(&str, Node)> = Vec::new();
    for key in ["description", "service"] {
        if let Some(v) = optional(&spec, key) {
            out.push((key, v.node.clone()));
        }
    }
    // The indicator: a threshold metric on the spec, or ratio metrics on the objectives.
    let objectives = required(&spec, "objectives")?;
    let items = objectives.items()?;
    let ratios: Vec<Option<&Node>> = items
        .iter()
        .map(|o| {
            let o = F {
                node: o,
                path: objectives.path,
                doc: objectives.doc,
            };
            o.get("ratioMetrics").filter(|n| !n.is_null())
        })
        .collect();
    let shared_ratio = match ratios.first() {
        Some(Some(first))
            if ratios
                .iter()
                .all(|r| r.is_some_and(|r| r.to_value() == first.to_value())) =>
        {
            Some(*first)
        }
        _ => None,
    };
    let per_objective = shared_ratio.is_none() && ratios.iter().any(Option::is_some);
    if let Some(indicator) = optional(&spec, "indicator") {
        cx.keys(&indicator, &["thresholdMetric"])?;
        let threshold = required(&indicator, "thresholdMetric")?;
        let source = metric_source(cx, &threshold)?;
        mapped(
            cx,
            &threshold,
            "indicator.thresholdMetric read as indicator.spec.thresholdMetric.metricSource".into(),
        );
        out.push((
            "indicator",
            map(
                vec![
                    (
                        "metadata",
                        map(vec![("name", name.node.clone())], indicator.node),
                    ),
                    (
                        "spec",
                        map(vec![("thresholdMetric", source)], indicator.node),
                    ),
                ],
                indicator.node,
            ),
        ));
    } else if let Some(ratio) = shared_ratio {
        let f = objectives.index(0, &items[0]);
        let f = f.key("ratioMetrics", ratio);
        out.push(("indicator", ratio_indicator(cx, &f, name.node)?));
    }
    // timeWindows → timeWindow.
    let windows = required(&spec, "timeWindows")?;
    let mut timewindow = Vec::new();
    for (i, w) in windows.items()?.iter().enumerate() {
        let w = windows.index(i, w);
        cx.keys(&w, &["unit", "count", "isRolling", "calendar"])?;
        let unit = required(&w, "unit")?;
        let count_field = required(&w, "count")?;
        let count = cx.number(&count_field)?;
        if !(count >= 1.0 && count.fract() == 0.0 && count < 1e9) {
            return Err(count_field.err(Problem::InvalidValue {
                value: count.to_string(),
                reason: "count is a positive whole number".into(),
            }));
        }
        let count = count as u64;
        let duration = match unit.text()? {
            "Second" if count.is_multiple_of(60) => format!("{}m", count / 60),
            "Minute" => format!("{count}m"),
            "Hour" => format!("{count}h"),
            "Day" => format!("{count}d"),
            "Week" => format!("{count}w"),
            "Month" => format!("{count}M"),
            "Quarter" => format!("{count}Q"),
            "Year" => format!("{count}Y"),
            other => {
                return Err(unit.err(Problem::InvalidValue {
                    value: other.to_owned(),
                    reason: "expected Second (whole minutes), Day, Week, Month or Quarter".into(),
                }));
            }
        };
        mapped(
            cx,
            &unit,
            format!("unit and count read as duration {duration}"),
        );
        let mut entries = vec![("duration", scalar(&duration, unit.node))];
        for key in ["isRolling", "calendar"] {
            if let Some(v) = optional(&w, key) {
                entries.push((key, v.node.clone()));
            }
        }
        timewindow.push(map(entries, w.node));
    }
    mapped(cx, &windows, "timeWindows read as timeWindow".into());
    out.push(("timeWindow", seq(timewindow, windows.node)));
    let method = required(&spec, "budgetingMethod")?;
    out.push(("budgetingMethod", method.node.clone()));
    let timeslices = method.text()? == "Timeslices";
    // Objectives.
    let mut mapped_objectives = Vec::new();
    for (i, o) in items.iter().enumerate() {
        let o = objectives.index(i, o);
        cx.keys(
            &o,
            &[
                "displayName",
                "value",
                "ratioMetrics",
                "target",
                "timeSliceTarget",
                "op",
            ],
        )?;
        let ratio = ratios[i].is_some();
        let mut entries = Vec::new();
        for key in ["displayName", "op", "value", "target", "timeSliceTarget"] {
            let Some(v) = optional(&o, key) else { continue };
            if ratio && matches!(key, "op" | "value") {
                mapped(
                    cx,
                    &v,
                    format!("{key} on a ratio objective dropped (v1 forbids it)"),
                );
                continue;
            }
            entries.push((key, v.node.clone()));
        }
        if timeslices {
            mapped(
                cx,
                &o,
                "timeSliceWindow 1m assumed (v1alpha has none)".into(),
            );
            entries.push(("timeSliceWindow", scalar("1m", o.node)));
        }
        if per_objective && let Some(r) = ratios[i] {
            let f = o.key("ratioMetrics", r);
            entries.push(("indicator", ratio_indicator(cx, &f, name.node)?));
            mapped(
                cx,
                &f,
                "objectives with different ratioMetrics read as per-objective indicators".into(),
            );
        }
        mapped_objectives.push(map(entries, o.node));
    }
    out.push(("objectives", seq(mapped_objectives, objectives.node)));
    Ok(head(map(out, spec.node)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openslo::Mode;
    use crate::openslo::field::with_document;

    #[test]
    fn a_v1alpha_ratio_slo_in_v1_form() {
        let text = "apiVersion: openslo/v1alpha\nkind: SLO\nmetadata: {name: web}\nspec:\n  service: web\n  timeWindows: [{unit: Quarter, count: 1, isRolling: false, calendar: {startTime: '2022-01-01 00:00:00', timeZone: UTC}}]\n  budgetingMethod: Timeslices\n  objectives:\n    - target: 0.99\n      timeSliceTarget: 0.9\n      value: 1\n      ratioMetrics: {incremental: true, good: {source: datadog, queryType: query, query: a}, total: {source: datadog, queryType: query, query: b}}\n";
        assert!(is_v1alpha(
            &super::super::yaml::parse_stream(
                text,
                super::super::yaml::Caps {
                    input_bytes: 1 << 20,
                    flow_bytes: 1 << 20,
                    nodes: 1_000,
                    depth: 32
                }
            )
            .unwrap()[0]
                .root
        ));
        let (node, warnings) = with_document(text, Mode::Lenient, to_v1);
        let v = node.unwrap().to_value();
        let spec = v.get("spec").unwrap();
        assert_eq!(
            v.get("apiVersion"),
            Some(&crate::openslo::Value::String("openslo/v1".into()))
        );
        let duration = spec.get("timeWindow").and_then(|w| match w {
            crate::openslo::Value::Seq(s) => s[0].get("duration"),
            _ => None,
        });
        assert_eq!(duration, Some(&crate::openslo::Value::String("1Q".into())));
        let ratio = spec
            .get("indicator")
            .and_then(|i| i.get("spec"))
            .and_then(|s| s.get("ratioMetric"))
            .unwrap();
        assert_eq!(
            ratio.get("counter"),
            Some(&crate::openslo::Value::Bool(true))
        );
        assert!(
            ratio
                .get("good")
                .and_then(|g| g.get("metricSource"))
                .and_then(|m| m.get("type"))
                .is_some()
        );
        let crate::openslo::Value::Seq(objectives) = spec.get("objectives").unwrap() else {
            panic!()
        };
        assert_eq!(objectives[0].get("value"), None); // dropped
        assert!(objectives[0].get("timeSliceWindow").is_some()); // assumed
        // A warning per mapped field, each naming where it was.
        assert!(warnings.len() >= 6, "{warnings:?}");
        assert!(
            warnings
                .iter()
                .all(|w| matches!(w.problem, Problem::Mapped { .. }))
        );
        assert!(
            warnings
                .iter()
                .any(|w| w.location.path == "spec.objectives[0].value")
        );
    }
}
