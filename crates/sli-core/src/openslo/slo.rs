//! The `SLO` kind: objectives, budgeting method and alert policies, into [`SloDefinition`]s.

use std::rc::Rc;
use std::sync::Arc;

use super::alert::*;
use super::error::{Error, Problem};
use super::field::*;
use super::refs::*;
use super::sli::*;
use super::time_window::*;
use super::yaml::{Kind, parse_number};
use super::{CompositeDefinition, Indicator, IndicatorMetric, SloDefinition};
use crate::{BudgetingMethod, Comparison, MissingData, Objective, Sli, Slo, Span};

pub(super) fn import_slo(
    cx: &mut Cx<'_>,
    catalog: &Catalog<'_>,
    root: &F<'_>,
) -> Result<(Vec<SloDefinition>, Option<CompositeDefinition>)> {
    let meta = metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(
        &spec,
        &[
            "description",
            "service",
            "indicator",
            "indicatorRef",
            "timeWindow",
            "budgetingMethod",
            "objectives",
            "alertPolicies",
        ],
    )?;
    let description = description(cx, &spec)?;
    let service = required(&spec, "service")?.text()?.to_owned();
    // A composite SLO has an indicator per objective instead of one for the SLO.
    let composite = optional(&spec, "objectives")
        .and_then(|o| o.items().ok())
        .unwrap_or_default()
        .iter()
        .any(|o| matches!(&o.kind, Kind::Map(entries) if entries.iter().any(|(k, v)| {
            matches!(&k.kind, Kind::Scalar { text, .. } if text == "indicator" || text == "indicatorRef")
                && !v.is_null()
        })));
    let shared = indicator_of(cx, catalog, &spec)?;
    match (&shared, composite) {
        (Some(_), true) => {
            return Err(spec.err(Problem::Conflict {
                reason: "an indicator on the SLO and on its objectives (a composite SLO) exclude each other".into(),
            }));
        }
        (None, false) => return Err(spec.err(Problem::MissingField { field: "indicator" })),
        _ => {}
    }
    // The spec: "timeWindow[ ] optional, TimeWindow is a list but accepting only exactly one
    // item". An SLO is evaluated over a window, so this importer needs one.
    let window_field = optional(&spec, "timeWindow").ok_or_else(|| {
        spec.err(Problem::Unsupported {
            what: "an SLO without timeWindow: OpenSLO v1 leaves timeWindow optional, but this importer needs one to evaluate the SLO over (e.g. timeWindow: [{duration: 28d, isRolling: true}])".into(),
        })
    })?;
    let window = time_window(cx, &window_field)?;
    let method_field = required(&spec, "budgetingMethod")?;
    let method = method_field.text()?;
    if !matches!(method, "Occurrences" | "Timeslices" | "RatioTimeslices") {
        return Err(method_field.err(Problem::InvalidValue {
            value: method.to_owned(),
            reason: "expected Occurrences, Timeslices or RatioTimeslices".into(),
        }));
    }
    let mut missing_data = MissingData::Skip;
    let mut missing_from_annotation = false;
    if let Some(a) = annotation(&meta, MISSING_DATA) {
        missing_from_annotation = true;
        missing_data = match a.value.as_str() {
            "good" => MissingData::Good,
            "bad" => MissingData::Bad,
            "skip" => MissingData::Skip,
            text => {
                return Err(a.err(Problem::InvalidValue {
                    value: text.to_owned(),
                    reason: format!("annotation {MISSING_DATA} must be good, bad or skip"),
                }));
            }
        };
    }
    let min_events = match annotation(&meta, MIN_EVENTS) {
        Some(a) => parse_number(&a.value)
            .filter(|v| *v >= 0.0)
            .ok_or_else(|| {
                a.err(Problem::InvalidValue {
                    value: a.value.clone(),
                    reason: format!("annotation {MIN_EVENTS} must be a non-negative number"),
                })
            })?,
        None => 0.0,
    };
    let default_slice = match annotation(&meta, SLICE) {
        Some(a) => a
            .value
            .parse::<Span>()
            .map_err(|e| a.err(Problem::Core(e)))?,
        None => Span::MINUTE,
    };
    // Alert policies first: `alertWhenNoData` decides the missing-data policy.
    let mut policies = Vec::new();
    if let Some(list) = optional(&spec, "alertPolicies") {
        for (i, item) in list.items()?.iter().enumerate() {
            let item = list.index(i, item);
            item.map()?;
            let policy_root =
                referenced_or_inline(cx, item, "alertPolicyRef", "AlertPolicy", &catalog.policies)?;
            let key = std::ptr::from_ref(policy_root.node) as usize;
            let cached = catalog.mapped_policies.borrow().get(&key).cloned();
            let shared = match cached {
                Some(shared) => shared,
                None => {
                    let (definition, located) = alert_policy(cx, catalog, &policy_root)?;
                    let shared = (Arc::new(definition), Rc::new(located));
                    catalog
                        .mapped_policies
                        .borrow_mut()
                        .insert(key, shared.clone());
                    shared
                }
            };
            policies.push((key, shared));
        }
    }
    if !missing_from_annotation && policies.iter().any(|(_, (p, _))| p.alert_when_no_data) {
        missing_data = MissingData::Bad;
    }
    let objectives = required(&spec, "objectives")?;
    let items = objectives.items()?;
    if items.is_empty() {
        return Err(objectives.err(Problem::MissingField {
            field: "objectives",
        }));
    }
    let mut out = Vec::new();
    let mut components = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let o = objectives.index(i, item);
        cx.keys(
            &o,
            &[
                "displayName",
                "op",
                "value",
                "target",
                "targetPercent",
                "timeSliceTarget",
                "timeSliceWindow",
                "indicator",
                "indicatorRef",
                "compositeWeight",
            ],
        )?;
        let own = indicator_of(cx, catalog, &o)?;
        let indicator = match (&own, &shared) {
            (Some(own), _) => own,
            (None, Some(shared)) => shared,
            (None, None) => {
                return Err(o.err(Problem::MissingField { field: "indicator" }));
            }
        };
        let weight = match optional(&o, "compositeWeight") {
            None => 1.0,
            Some(f) => {
                let w = cx.number(&f)?;
                if !(w.is_finite() && w > 0.0) {
                    return Err(f.err(Problem::InvalidValue {
                        value: w.to_string(),
                        reason: "a composite weight must be positive".into(),
                    }));
                }
                w
            }
        };
        let objective = objective_target(cx, &o)?;
        let slice_window = optional(&o, "timeSliceWindow")
            .map(|f| -> Result<Span> {
                // The spec: "Default interpretation of unit if specified as a number in
                // minutes" (`timeSliceWindow: 5` is five minutes).
                if let Kind::Scalar { text, plain: true } = &f.node.kind
                    && let Some(minutes) = parse_number(text)
                {
                    // A fraction of a minute is numeric too (2.5 is 150 s); slices are whole
                    // seconds, so the number must come to a whole number of seconds.
                    // (A tolerance of a microsecond keeps exported fractions, written with
                    // f64's shortest digits, readable: 7 s is 0.11666666666666667.)
                    let seconds = minutes * 60.0;
                    let whole = seconds.round();
                    if !(minutes > 0.0 && minutes <= 1e9) || whole < 1.0 || (seconds - whole).abs() > 1e-6 {
                        return Err(f.err(Problem::InvalidValue {
                            value: text.clone(),
                            reason: "a number is a slice in minutes, which must be positive and come to a whole number of seconds (2.5 is 150 s; 0.01 is 0.6 s)"
                                .into(),
                        }));
                    }
                    return Span::from_seconds(whole as i64).map_err(|e| f.err(Problem::Core(e)));
                }
                fixed_span(cx, &f)
            })
            .transpose()?;
        let slice_target = optional(&o, "timeSliceTarget")
            .map(|f| cx.number(&f).map(|v| (v, f.location())))
            .transpose()?;
        let budgeting = match method {
            "Occurrences" => {
                for key in ["timeSliceTarget", "timeSliceWindow"] {
                    if let Some(f) = optional(&o, key) {
                        cx.rule(
                            &f,
                            Problem::Conflict {
                                reason: format!(
                                    "{key} applies only to the time-slice budgeting methods"
                                ),
                            },
                        )?;
                    }
                }
                BudgetingMethod::Occurrences
            }
            "Timeslices" => {
                let slice = slice_window.ok_or_else(|| {
                    o.err(Problem::MissingField {
                        field: "timeSliceWindow",
                    })
                })?;
                let (slice_target, at) = slice_target.ok_or_else(|| {
                    o.err(Problem::MissingField {
                        field: "timeSliceTarget",
                    })
                })?;
                let method = BudgetingMethod::Timeslices {
                    slice,
                    slice_target,
                };
                method.validate().map_err(|e| Error {
                    location: at,
                    problem: Problem::Core(e),
                })?;
                method
            }
            _ => {
                let slice = slice_window.ok_or_else(|| {
                    o.err(Problem::MissingField {
                        field: "timeSliceWindow",
                    })
                })?;
                if let Some(f) = optional(&o, "timeSliceTarget") {
                    cx.rule(
                        &f,
                        Problem::Conflict {
                            reason: "timeSliceTarget does not apply to RatioTimeslices".into(),
                        },
                    )?;
                }
                BudgetingMethod::RatioTimeslices { slice }
            }
        };
        if i == 1
            && let Some(IndicatorMetric::Threshold { .. }) = shared.as_deref().map(|s| &s.metric)
        {
            // The spec (Notes (SLO)): "If `thresholdMetric` has been defined, only one
            // Threshold can be defined. However if using `ratioMetric` then any number of
            // Thresholds can be defined." Lenient mode keeps every objective.
            cx.rule(
                &o,
                Problem::Conflict {
                    reason: format!(
                        "an SLO whose SLI is a thresholdMetric has only one objective (OpenSLO v1: \"If thresholdMetric has been defined, only one Threshold can be defined\"); this one has {}",
                        items.len()
                    ),
                },
            )?;
        }
        let sli = match &indicator.metric {
            IndicatorMetric::Threshold { .. } => {
                let op = required(&o, "op")?;
                let comparison = match op.text()? {
                    "lt" => Comparison::Below,
                    "lte" => Comparison::AtMost,
                    "gt" => Comparison::Above,
                    "gte" => Comparison::AtLeast,
                    other => {
                        return Err(op.err(Problem::InvalidValue {
                            value: other.to_owned(),
                            reason: "expected lt, lte, gt or gte".into(),
                        }));
                    }
                };
                let threshold = cx.number(&required(&o, "value")?)?;
                let slice = match budgeting {
                    BudgetingMethod::Occurrences => default_slice,
                    BudgetingMethod::Timeslices { slice, .. }
                    | BudgetingMethod::RatioTimeslices { slice } => slice,
                };
                Sli::TimeSlice {
                    comparison,
                    threshold,
                    slice,
                }
            }
            _ => {
                // The spec allows both here: "op: lte | gte | lt | gt # conditional operator
                // used to compare the SLI against the value. Only needed when using a
                // thresholdMetric" (and the same of `value`). Valid, but it changes nothing.
                for (key, reason) in [
                    (
                        "op",
                        "op compares a threshold SLI's values; it is ignored on a ratio SLI",
                    ),
                    (
                        "value",
                        "value is the threshold a threshold SLI's values are compared with; it is ignored on a ratio SLI",
                    ),
                ] {
                    if let Some(f) = optional(&o, key) {
                        cx.warn(
                            &f,
                            Problem::Ignored {
                                field: key,
                                reason: reason.into(),
                            },
                        );
                    }
                }
                Sli::EventRatio
            }
        };
        let name = if items.len() == 1 {
            meta.name.clone()
        } else {
            format!("{}-{i}", meta.name)
        };
        let slo = Slo {
            name,
            objective,
            window,
            sli,
            budgeting,
            missing_data,
            min_events,
        };
        slo.validate().map_err(|e| o.err(Problem::Core(e)))?;
        let mut alert_policies = Vec::new();
        for (key, (definition, located)) in &policies {
            let checked = (
                *key,
                slo.objective.target().to_bits(),
                slo.window.nominal_length().seconds(),
            );
            if catalog.checked_policies.borrow_mut().insert(checked) {
                check_policy(cx, &slo, definition, located)?;
            }
            alert_policies.push(Arc::clone(definition));
        }
        if composite {
            components.push((slo.name.clone(), weight));
        }
        // What each objective's definition copies of the SLO's text is charged (the
        // indicator is shared): a long description times many objectives is bounded by the
        // input's size, not by the input's size times its objectives.
        cx.copy(
            &o,
            [
                slo.name.len(),
                service.len(),
                meta.display_name.as_ref().map_or(0, String::len),
                description.as_ref().map_or(0, String::len),
            ]
            .iter()
            .sum(),
        )?;
        out.push(SloDefinition {
            slo,
            display_name: meta.display_name.clone(),
            description: description.clone(),
            service: service.clone(),
            indicator: Arc::clone(indicator),
            alert_policies,
            document: root.doc,
        });
    }
    let composite = composite.then(|| CompositeDefinition {
        name: meta.name.clone(),
        document: root.doc,
        components,
    });
    Ok((out, composite))
}

/// The indicator of an SLO or of a composite's objective: `indicator` inline or `indicatorRef`.
///
/// Shared, not copied: an SLO's indicator is one value for all its objectives, and an SLI
/// referenced by several SLOs is imported once (an indicator holds its queries' text, and a
/// copy per objective let a 2 MiB document take 804 MiB, a probe found).
fn indicator_of(
    cx: &mut Cx<'_>,
    catalog: &Catalog<'_>,
    f: &F<'_>,
) -> Result<Option<Arc<Indicator>>> {
    match (optional(f, "indicator"), optional(f, "indicatorRef")) {
        (Some(_), Some(r)) => Err(r.err(Problem::Conflict {
            reason: "indicator and indicatorRef exclude each other".into(),
        })),
        (Some(inline), None) => {
            cx.keys(&inline, &["apiVersion", "kind", "metadata", "spec"])?;
            if let Some(kind) = optional(&inline, "kind")
                && kind.text()? != "SLI"
            {
                return Err(kind.err(Problem::UnknownKind {
                    kind: kind.text()?.to_owned(),
                }));
            }
            import_sli(cx, catalog, &inline, true).map(|i| Some(Arc::new(i)))
        }
        (None, Some(r)) => {
            let root = referenced(&r, &catalog.slis, "SLI")?;
            let key = std::ptr::from_ref(root.node) as usize;
            if let Some(shared) = catalog.mapped_slis.borrow().get(&key) {
                return Ok(Some(Arc::clone(shared)));
            }
            let shared = Arc::new(import_sli(cx, catalog, &root, true)?);
            catalog
                .mapped_slis
                .borrow_mut()
                .insert(key, Arc::clone(&shared));
            Ok(Some(shared))
        }
        (None, None) => Ok(None),
    }
}

pub(super) fn objective_target(cx: &mut Cx<'_>, o: &F<'_>) -> Result<Objective> {
    let target = optional(o, "target")
        .map(|f| cx.number(&f).map(|v| (v, f)))
        .transpose()?;
    let percent = optional(o, "targetPercent")
        .map(|f| cx.number(&f).map(|v| (v, f)))
        .transpose()?;
    match (target, percent) {
        (Some((t, tf)), Some((p, pf))) => {
            if (t * 100.0 - p).abs() > 1e-9 {
                return Err(pf.err(Problem::Conflict {
                    reason: format!(
                        "target {} and targetPercent {} disagree",
                        crate::ExactValue(t),
                        crate::ExactValue(p)
                    ),
                }));
            }
            cx.rule(
                &pf,
                Problem::Conflict {
                    reason: "target and targetPercent exclude each other (target used)".into(),
                },
            )?;
            Objective::new(t).map_err(|e| tf.err(Problem::Core(e)))
        }
        (Some((t, tf)), None) => Objective::new(t).map_err(|e| tf.err(Problem::Core(e))),
        (None, Some((p, pf))) => Objective::from_percent(p).map_err(|e| pf.err(Problem::Core(e))),
        (None, None) => Err(o.err(Problem::MissingField { field: "target" })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openslo::Mode;

    const SLO: &str = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: web}\nspec:\n  service: web\n  indicator:\n    metadata: {name: errors}\n    spec:\n      ratioMetric:\n        counter: true\n        bad: {metricSource: {type: Prometheus, spec: {query: a}}}\n        total: {metricSource: {type: Prometheus, spec: {query: b}}}\n  timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.999\n    - targetPercent: 99\n";

    fn import(text: &str, mode: Mode) -> Result<(Vec<SloDefinition>, Option<CompositeDefinition>)> {
        with_document(text, mode, |cx, root| {
            import_slo(cx, &Catalog::default(), root)
        })
        .0
    }

    #[test]
    fn one_definition_per_objective() {
        let (defs, composite) = import(SLO, Mode::Strict).unwrap();
        let names: Vec<_> = defs
            .iter()
            .map(|d| (d.slo.name.as_str(), d.slo.objective.target()))
            .collect();
        assert_eq!(names, [("web-0", 0.999), ("web-1", 0.99)]);
        assert_eq!(composite, None);
        // target and targetPercent together: a rule, accepted when they agree.
        let both = SLO.replace(
            "    - target: 0.999\n",
            "    - target: 0.999\n      targetPercent: 99.9\n",
        );
        assert!(import(&both, Mode::Strict).is_err());
        assert!(import(&both, Mode::Lenient).is_ok());
        let disagree = SLO.replace(
            "    - target: 0.999\n",
            "    - target: 0.999\n      targetPercent: 99\n",
        );
        assert!(import(&disagree, Mode::Lenient).is_err());
    }

    #[test]
    fn threshold_objectives_need_op_and_value() {
        let threshold = SLO
            .replace("      ratioMetric:\n        counter: true\n        bad: {metricSource: {type: Prometheus, spec: {query: a}}}\n        total: {metricSource: {type: Prometheus, spec: {query: b}}}\n", "      thresholdMetric: {metricSource: {type: Prometheus, spec: {query: a}}}\n")
            .replace("    - target: 0.999\n    - targetPercent: 99\n", "    - {op: lte, value: 0.25, target: 0.99}\n");
        let (defs, _) = import(&threshold, Mode::Strict).unwrap();
        assert!(
            matches!(defs[0].slo.sli, Sli::TimeSlice { comparison: Comparison::AtMost, threshold, .. } if threshold == 0.25)
        );
        let no_op = threshold.replace("op: lte, ", "");
        assert!(matches!(
            import(&no_op, Mode::Lenient).unwrap_err().problem,
            Problem::MissingField { field: "op" }
        ));
    }
}
