//! [`SloDefinition`]s → OpenSLO v1 YAML.

use chrono::Timelike;

use super::error::{Error, Location, Problem};
use super::field::{MIN_EVENTS, MISSING_DATA, SHORT_WINDOW, SLICE};
use super::yaml::{Value, emit};
use super::{
    AlertPolicyDefinition, DataSource, Indicator, IndicatorMetric, MetricSource, Object, RawType,
    SloDefinition,
};
use crate::{BudgetingMethod, Comparison, MissingData, PartialWindows, Sli, Span, Window};

type Result<T, E = Error> = std::result::Result<T, E>;

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn num(v: f64) -> Value {
    Value::Number(v.to_string())
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

/// Writes definitions as an OpenSLO v1 file: the `DataSource`s they reference, then one `SLO`
/// document per definition with its indicator, alert policies and conditions inline.
///
/// What OpenSLO has no field for travels as `sre-toolkit/…` annotations (missing-data policy,
/// minimum events, a short window other than 1/12 of the long one). Thresholds given as budget
/// fractions are written as the burn rates they mean for the SLO's window.
///
/// # Errors
/// [`Problem::Unsupported`], located at the definition's index (`document`) and field, for what
/// OpenSLO cannot say: a span that is not whole minutes, a disabled tier, an N-of-M sustain
/// rule with N ≠ M, a partial-window policy other than the default, an SLI kind that does not
/// match the indicator, two different data sources of one name.
///
/// # Example
/// ```
/// use sli_core::openslo::{export, parse, Mode, SloDefinition};
///
/// let yaml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"),
///     "/tests/fixtures/openslo/checkout.openslo.yaml")).unwrap();
/// let first = parse(&yaml, Mode::Strict)?;
/// let again = parse(&export(&first.slos)?, Mode::Strict)?;
/// // Equal but for the documents they came from.
/// let origin = |defs: Vec<SloDefinition>| -> Vec<_> {
///     defs.into_iter().map(|d| SloDefinition { document: 0, ..d }).collect() };
/// assert_eq!(origin(again.slos), origin(first.slos));
/// # Ok::<(), sli_core::openslo::Error>(())
/// ```
pub fn export(definitions: &[SloDefinition]) -> Result<String> {
    let mut sources: Vec<&DataSource> = Vec::new();
    let mut documents = Vec::new();
    for (index, def) in definitions.iter().enumerate() {
        let fail = |path: &str, what: String| Error {
            location: Location {
                document: index,
                path: path.to_owned(),
                line: 0,
                column: 0,
            },
            problem: Problem::Unsupported { what },
        };
        for source in metric_sources(&def.indicator) {
            if source.source_ref.is_none() && source.declared_type.is_none() {
                return Err(fail(
                    "spec.indicator",
                    "a metric source with neither metricSourceRef nor type".into(),
                ));
            }
            if let Some(ds) = source.data_source() {
                match sources.iter().find(|d| d.name == ds.name) {
                    Some(known) if *known != ds => {
                        return Err(fail(
                            "spec.indicator",
                            format!("two different data sources are named {:?}", ds.name),
                        ));
                    }
                    Some(_) => {}
                    None => sources.push(ds),
                }
            }
        }
        documents.push(slo_document(def, &fail)?);
    }
    let mut out = String::new();
    for ds in sources {
        let mut spec = Vec::new();
        if let Some(d) = &ds.description {
            spec.push(("description", s(d)));
        }
        spec.push(("type", s(&ds.source_type)));
        if ds.connection_details != Value::Null {
            spec.push(("connectionDetails", ds.connection_details.clone()));
        }
        push_document(
            &mut out,
            map(vec![
                ("apiVersion", s("openslo/v1")),
                ("kind", s("DataSource")),
                ("metadata", map(vec![("name", s(&ds.name))])),
                ("spec", map(spec)),
            ]),
        );
    }
    for document in documents {
        push_document(&mut out, document);
    }
    Ok(out)
}

fn push_document(out: &mut String, document: Value) {
    out.push_str("---\n");
    emit(out, &document);
}

fn metric_sources(indicator: &Indicator) -> Vec<&MetricSource> {
    match &indicator.metric {
        IndicatorMetric::Ratio {
            good, bad, total, ..
        } => good.iter().chain(bad.iter()).chain([total]).collect(),
        IndicatorMetric::RawRatio { raw, .. } => vec![raw],
        IndicatorMetric::Threshold { metric } => vec![metric],
    }
}

fn duration(span: Span, path: &str, fail: &dyn Fn(&str, String) -> Error) -> Result<Value> {
    if span.seconds() % 60 != 0 {
        return Err(fail(
            path,
            format!("span {span}: OpenSLO durations are whole minutes"),
        ));
    }
    Ok(s(&span.to_string()))
}

/// A `timeSliceWindow`: a duration shorthand in whole minutes, else a number of minutes (the
/// spec: "Default interpretation of unit if specified as a number in minutes"; 150 s is 2.5).
fn slice_window(slice: Span) -> Value {
    if slice.seconds() % 60 == 0 {
        s(&slice.to_string())
    } else {
        num(slice.seconds() as f64 / 60.0)
    }
}

fn slo_document(def: &SloDefinition, fail: &dyn Fn(&str, String) -> Error) -> Result<Value> {
    let slo = &def.slo;
    let mut annotations = vec![(
        MISSING_DATA,
        s(match slo.missing_data {
            MissingData::Good => "good",
            MissingData::Bad => "bad",
            MissingData::Skip => "skip",
        }),
    )];
    if slo.min_events != 0.0 {
        annotations.push((MIN_EVENTS, s(&slo.min_events.to_string())));
    }
    let mut objective = vec![("target", num(slo.objective.target()))];
    match (&slo.sli, &def.indicator.metric) {
        (Sli::EventRatio, IndicatorMetric::Ratio { .. } | IndicatorMetric::RawRatio { .. }) => {}
        (
            Sli::TimeSlice {
                comparison,
                threshold,
                slice,
            },
            IndicatorMetric::Threshold { .. },
        ) => {
            let op = match comparison {
                Comparison::Below => "lt",
                Comparison::AtMost => "lte",
                Comparison::Above => "gt",
                Comparison::AtLeast => "gte",
            };
            objective.insert(0, ("op", s(op)));
            objective.insert(1, ("value", num(*threshold)));
            match slo.budgeting {
                BudgetingMethod::Occurrences => {
                    if *slice != Span::MINUTE {
                        annotations.push((SLICE, duration(*slice, "metadata.annotations", fail)?));
                    }
                }
                BudgetingMethod::Timeslices { slice: s, .. }
                | BudgetingMethod::RatioTimeslices { slice: s } => {
                    if s != *slice {
                        return Err(fail(
                            "spec.objectives[0].timeSliceWindow",
                            "a threshold SLI's slice differs from the budgeting slice".into(),
                        ));
                    }
                }
            }
        }
        _ => {
            return Err(fail(
                "spec.indicator",
                format!(
                    "SLI kind {:?} does not match the indicator's metric",
                    slo.sli
                ),
            ));
        }
    }
    let method = match slo.budgeting {
        BudgetingMethod::Occurrences => "Occurrences",
        BudgetingMethod::Timeslices {
            slice,
            slice_target,
        } => {
            objective.push(("timeSliceTarget", num(slice_target)));
            objective.push(("timeSliceWindow", slice_window(slice)));
            "Timeslices"
        }
        BudgetingMethod::RatioTimeslices { slice } => {
            objective.push(("timeSliceWindow", slice_window(slice)));
            "RatioTimeslices"
        }
    };
    let window = match slo.window {
        Window::Rolling(span) => map(vec![
            (
                "duration",
                duration(span, "spec.timeWindow[0].duration", fail)?,
            ),
            ("isRolling", Value::Bool(true)),
        ]),
        Window::Calendar(c) => {
            // The default anchor (a Monday, the 1st of a year) when the window is aligned.
            // A leap second (chrono's nanoseconds past 10^9) as the second before: `%S` writes
            // it as 60, which Go's time parser refuses.
            let start = c.anchor.map_or_else(
                || "2024-01-01 00:00:00".to_owned(),
                |a| {
                    let a = a
                        .with_nanosecond(a.nanosecond().min(999_999_999))
                        .unwrap_or(a);
                    a.format("%Y-%m-%d %H:%M:%S").to_string()
                },
            );
            map(vec![
                ("duration", s(&format!("{}{}", c.count, c.period.unit()))),
                ("isRolling", Value::Bool(false)),
                (
                    "calendar",
                    map(vec![
                        ("startTime", s(&start)),
                        ("timeZone", s(&c.zone.to_string())),
                    ]),
                ),
            ])
        }
    };
    let mut metadata = vec![("name", s(&slo.name))];
    if let Some(d) = &def.display_name {
        metadata.push(("displayName", s(d)));
    }
    metadata.push(("annotations", map(annotations)));
    let mut spec = Vec::new();
    if let Some(d) = &def.description {
        spec.push(("description", s(d)));
    }
    spec.push(("service", s(&def.service)));
    spec.push(("indicator", indicator(&def.indicator)));
    spec.push(("timeWindow", Value::Seq(vec![window])));
    spec.push(("budgetingMethod", s(method)));
    spec.push(("objectives", Value::Seq(vec![map(objective)])));
    if !def.alert_policies.is_empty() {
        let period = slo.window.nominal_length();
        let policies = def
            .alert_policies
            .iter()
            .enumerate()
            .map(|(i, p)| alert_policy(p, period, i, fail))
            .collect::<Result<Vec<_>>>()?;
        spec.push(("alertPolicies", Value::Seq(policies)));
    }
    Ok(map(vec![
        ("apiVersion", s("openslo/v1")),
        ("kind", s("SLO")),
        ("metadata", map(metadata)),
        ("spec", map(spec)),
    ]))
}

fn indicator(indicator: &Indicator) -> Value {
    let holder = |m: &MetricSource| map(vec![("metricSource", metric_source(m))]);
    let metric = match &indicator.metric {
        IndicatorMetric::Ratio {
            counter,
            good,
            bad,
            total,
        } => {
            let mut r = vec![("counter", Value::Bool(*counter))];
            if let Some(g) = good {
                r.push(("good", holder(g)));
            }
            if let Some(b) = bad {
                r.push(("bad", holder(b)));
            }
            r.push(("total", holder(total)));
            ("ratioMetric", map(r))
        }
        IndicatorMetric::RawRatio { raw, raw_type } => (
            "ratioMetric",
            map(vec![
                (
                    "rawType",
                    s(match raw_type {
                        RawType::Success => "success",
                        RawType::Failure => "failure",
                    }),
                ),
                ("raw", holder(raw)),
            ]),
        ),
        IndicatorMetric::Threshold { metric } => ("thresholdMetric", holder(metric)),
    };
    let mut spec = Vec::new();
    if let Some(d) = &indicator.description {
        spec.push(("description", s(d)));
    }
    spec.push(metric);
    map(vec![
        ("metadata", map(vec![("name", s(&indicator.name))])),
        ("spec", map(spec)),
    ])
}

/// The metric source as written: `metricSourceRef` and `type` where they were given (`type`
/// always when there is no reference), `spec` unchanged.
fn metric_source(m: &MetricSource) -> Value {
    let mut entries = Vec::new();
    if let Some(r) = &m.source_ref {
        entries.push(("metricSourceRef", s(&r.name)));
    }
    if let Some(t) = &m.declared_type {
        entries.push(("type", s(t)));
    }
    entries.push(("spec", m.spec.to_value()));
    map(entries)
}

fn alert_policy(
    p: &AlertPolicyDefinition,
    period: Span,
    index: usize,
    fail: &dyn Fn(&str, String) -> Error,
) -> Result<Value> {
    let path = format!("spec.alertPolicies[{index}]");
    if p.policy.partial_windows != PartialWindows::default() {
        return Err(fail(
            &path,
            "a partial-window policy other than the default".into(),
        ));
    }
    let mut conditions = Vec::new();
    for tier in &p.policy.tiers {
        if !tier.enabled {
            return Err(fail(&path, format!("disabled tier {:?}", tier.id)));
        }
        let mut condition = vec![
            ("kind", s("burnrate")),
            ("op", s("gt")),
            ("threshold", num(tier.burn_rate_threshold(period))),
            ("lookbackWindow", duration(tier.long_window, &path, fail)?),
        ];
        if let Some(rule) = tier.sustain {
            if rule.datapoints_to_alarm() != rule.evaluation_periods() {
                return Err(fail(
                    &path,
                    format!("tier {:?}: an N-of-M sustain rule with N ≠ M", tier.id),
                ));
            }
            let minutes = i64::from(rule.evaluation_periods());
            if minutes > 1 {
                let after = Span::from_minutes(minutes).map_err(|e| Error {
                    location: Location {
                        path: path.clone(),
                        ..Location::default()
                    },
                    problem: Problem::Core(e),
                })?;
                condition.push(("alertAfter", s(&after.to_string())));
            }
        }
        let derived = (tier.long_window.seconds() / 12 / 60).max(1) * 60;
        let mut metadata = vec![("name", s(&tier.id))];
        if tier.short_window.seconds() != derived {
            metadata.push((
                "annotations",
                map(vec![(
                    SHORT_WINDOW,
                    duration(tier.short_window, &path, fail)?,
                )]),
            ));
        }
        conditions.push(map(vec![
            ("kind", s("AlertCondition")),
            ("metadata", map(metadata)),
            (
                "spec",
                map(vec![
                    (
                        "severity",
                        s(match tier.severity {
                            crate::Severity::Page => "page",
                            crate::Severity::Ticket => "ticket",
                        }),
                    ),
                    ("condition", map(condition)),
                ]),
            ),
        ]));
    }
    let mut spec = Vec::new();
    if let Some(d) = &p.description {
        spec.push(("description", s(d)));
    }
    spec.push(("alertWhenNoData", Value::Bool(p.alert_when_no_data)));
    spec.push(("alertWhenResolved", Value::Bool(p.alert_when_resolved)));
    spec.push(("alertWhenBreaching", Value::Bool(p.alert_when_breaching)));
    spec.push(("conditions", Value::Seq(conditions)));
    // A required field in OpenSLO v1, written even empty (a policy built in code may name no
    // target: its alarms' actions are given to the compiler), so that strict mode reads the
    // file back.
    let targets = p
        .notification_targets
        .iter()
        .map(|t| {
            map(vec![
                ("kind", s("AlertNotificationTarget")),
                ("metadata", map(vec![("name", s(&t.name))])),
                ("spec", map(vec![("target", s(&t.target))])),
            ])
        })
        .collect();
    spec.push(("notificationTargets", Value::Seq(targets)));
    Ok(map(vec![
        ("kind", s("AlertPolicy")),
        ("metadata", map(vec![("name", s(&p.name))])),
        ("spec", map(spec)),
    ]))
}

/// Writes objects back as an OpenSLO file, one YAML document per object, each as it was read
/// (an `openslo/v1alpha` object in its v1 form): parsing the text gives the same objects and
/// definitions, and exporting them again the same text.
///
/// # Example
/// ```
/// use sli_core::openslo::{export_objects, parse, Mode};
///
/// let yaml = "- apiVersion: openslo/v1\n  kind: Service\n  metadata: {name: web, labels: {team: [a, b]}}\n";
/// let import = parse(yaml, Mode::Strict)?;
/// let text = export_objects(&import.objects);
/// assert_eq!(text, "---\napiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    team:\n      - a\n      - b\n");
/// assert_eq!(export_objects(&parse(&text, Mode::Strict)?.objects), text);
/// # Ok::<(), sli_core::openslo::Error>(())
/// ```
pub fn export_objects(objects: &[Object]) -> String {
    let mut out = String::new();
    for object in objects {
        push_document(&mut out, object.value.clone());
    }
    out
}
