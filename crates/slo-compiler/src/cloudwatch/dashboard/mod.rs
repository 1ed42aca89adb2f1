//! Dashboards per service, one per audience: executive, on-call, debug.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use aws_telemetry::Metric;
use chrono::SecondsFormat;
use sli_core::Deploy;

mod options;

pub use options::{
    DashboardOptions, MAX_ALARMS_PER_WIDGET, MAX_DEPLOY_ANNOTATIONS, MAX_PER_OPTION, SlowQueryLog,
};

use super::compiled::CompiledSlo;
use super::model::Dashboard;
use super::panels::{self, AwsPanel, Board, LogsView, PanelQuery};
use super::signal::{Signal, SignalSource};
use crate::board_name::{MAX_CLOUDWATCH_NAME, dashboard_name};
use crate::error::{CompileError, CompileProblem, Engine};

/// CloudWatch's limit on widgets per dashboard.
pub const MAX_WIDGETS: usize = 500;

fn metric_entry(metric: &Metric, stat: &str, id: &str, visible: bool) -> Value {
    let mut entry = vec![json!(metric.namespace()), json!(metric.name())];
    for d in metric.dimensions() {
        entry.push(json!(d.name()));
        entry.push(json!(d.value()));
    }
    entry.push(json!({"id": id, "stat": stat, "visible": visible}));
    Value::Array(entry)
}

fn source_entries(source: &SignalSource, id: &str, out: &mut Vec<Value>) {
    match source {
        SignalSource::Metric { metric, stat } => {
            out.push(metric_entry(metric, &stat.to_string(), id, false));
        }
        SignalSource::Expression {
            expression,
            metrics,
        } => {
            for (sub, metric, stat) in metrics {
                out.push(metric_entry(metric, &stat.to_string(), sub, false));
            }
            out.push(json!([{"expression": expression, "id": id, "visible": false}]));
        }
    }
}

/// The signal's entries and the expression of bad events (`None` for a value signal).
fn counts(slo: &CompiledSlo) -> Option<(Vec<Value>, &'static str)> {
    let mut entries = Vec::new();
    match &slo.signal {
        Signal::Good { good, total } => {
            source_entries(good, "good", &mut entries);
            source_entries(total, "total", &mut entries);
            Some((entries, "(total - good)"))
        }
        Signal::Bad { bad, total } => {
            source_entries(bad, "bad", &mut entries);
            source_entries(total, "total", &mut entries);
            Some((entries, "bad"))
        }
        Signal::Value { .. } => None,
    }
}

/// A metric's namespace, name and dimensions.
fn metric_text(m: &Metric) -> Vec<&str> {
    let mut text = vec![m.namespace(), m.name()];
    for d in m.dimensions() {
        text.extend([d.name(), d.value()]);
    }
    text
}

/// The names and metric text of `slo` that its dashboards write into their bodies (and its
/// alarms into theirs), with the field each comes from.
pub(in crate::cloudwatch) fn written_text(slo: &CompiledSlo) -> Vec<(&'static str, &str)> {
    // The service names the alarm widgets' titles.
    let mut out = vec![
        ("spec.service", slo.service.as_str()),
        ("metadata.name", slo.slo.as_str()),
    ];
    // Checked after the SLO's name, what an alarm name adds is the policy's name and the tier
    // ids (or the prefix option).
    out.extend(
        slo.composite_alarms
            .iter()
            .map(|c| ("spec.alertPolicies", c.alarm_name.as_str())),
    );
    let sources: Vec<&SignalSource> = match &slo.signal {
        Signal::Good { good, total } => vec![good, total],
        Signal::Bad { bad, total } => vec![bad, total],
        Signal::Value { value } => vec![value],
    };
    for source in sources {
        let text = match source {
            SignalSource::Metric { metric, .. } => metric_text(metric),
            SignalSource::Expression {
                expression,
                metrics,
            } => std::iter::once(expression.as_str())
                .chain(metrics.iter().flat_map(|(_, m, _)| metric_text(m)))
                .collect(),
        };
        out.extend(text.into_iter().map(|t| ("spec.indicator", t)));
    }
    out
}

/// Refuses `text` (with the field each comes from) holding `${`: the CloudFormation template
/// passes dashboard bodies to `Fn::Sub`, which reads `${Name}` as a variable ("To write a
/// dollar sign and curly braces (`${}`) literally, add an exclamation point", AWS
/// CloudFormation Template Reference, Fn::Sub), so such text fails the stack or is silently
/// replaced (and `Dashboard::body_for` fills in `${AWS::Region}` wherever it stands); in an
/// alarm's plain strings cfn-lint takes it for a parameter left outside `Fn::Sub` (E1029).
pub(in crate::cloudwatch) fn check_literal<'t>(
    slo: &CompiledSlo,
    text: impl IntoIterator<Item = (&'static str, &'t str)>,
) -> Result<(), CompileError> {
    for (field, text) in text {
        if text.contains("${") {
            return Err(CompileError::new(
                Engine::CloudWatch,
                &slo.slo,
                None,
                field,
                CompileProblem::SubVariable {
                    text: text.to_owned(),
                },
            ));
        }
    }
    Ok(())
}

fn widget(kind: &str, title: &str, view: &str, metrics: Vec<Value>, period: i64) -> Value {
    json!({
        "type": kind,
        "width": 8,
        "height": 6,
        "properties": {
            "title": title,
            "view": view,
            "region": "${AWS::Region}",
            "period": period,
            "metrics": metrics,
        }
    })
}

fn with_expression(mut entries: Vec<Value>, expression: String, label: &str) -> Vec<Value> {
    entries.push(json!([{"expression": expression, "label": label, "id": "shown"}]));
    entries
}

fn alarm_arn(name: &str) -> String {
    format!("arn:aws:cloudwatch:${{AWS::Region}}:${{AWS::AccountId}}:alarm:{name}")
}

/// Alarm status widgets over `alarms` ([`MAX_ALARMS_PER_WIDGET`] each; none for no alarms),
/// listing those in `states`.
fn alarm_status(title: &str, alarms: &[String], states: &[&str]) -> Vec<Value> {
    let parts = alarms.chunks(MAX_ALARMS_PER_WIDGET);
    let several = parts.len() > 1;
    parts
        .enumerate()
        .map(|(i, chunk)| {
            let title = if several {
                format!(
                    "{title} ({}/{})",
                    i + 1,
                    alarms.len().div_ceil(MAX_ALARMS_PER_WIDGET)
                )
            } else {
                title.to_owned()
            };
            json!({"type": "alarm", "width": 24, "height": 4,
                   "properties": {"title": title, "alarms": chunk,
                                  "sortBy": "stateUpdatedTimestamp", "states": states}})
        })
        .collect()
}

/// A vertical annotation per deploy: when it started, labelled with what it was.
fn deploy_marks(deploys: &[Deploy]) -> Vec<Value> {
    deploys
        .iter()
        .map(|d| {
            json!({"label": d.to_string(),
                   "value": sli_core::rfc3339_writable(d.started())
                       .to_rfc3339_opts(SecondsFormat::Secs, true)})
        })
        .collect()
}

/// A widget drawing an AWS panel: a metric widget, or a Logs Insights table.
fn aws_widget(panel: &AwsPanel) -> Value {
    match &panel.query {
        PanelQuery::Metrics {
            metrics,
            expressions,
            period,
            region,
        } => {
            let mut entries: Vec<Value> = metrics
                .iter()
                .map(|m| metric_entry(&m.metric, &m.stat, &m.id, m.visible))
                .collect();
            entries.extend(expressions.iter().map(
                |(id, expression, label)| json!([{"expression": expression, "label": label, "id": id}]),
            ));
            let mut w = widget("metric", &panel.title, "timeSeries", entries, *period);
            if let Some(region) = region {
                w["properties"]["region"] = json!(region);
            }
            w
        }
        PanelQuery::Logs {
            log_groups,
            query,
            view,
        } => {
            let sources: String = log_groups
                .iter()
                .map(|g| format!("SOURCE '{g}' | "))
                .collect();
            let view = match view {
                LogsView::Table => "table",
                LogsView::TimeSeries => "timeSeries",
            };
            json!({"type": "log", "width": 24, "height": 6, "properties": {
                "title": panel.title, "region": "${AWS::Region}", "view": view,
                "query": format!("{sources}{query}")}})
        }
    }
}

fn latency_widget(title: &str, metric: &Metric) -> Value {
    let metrics = ["p50", "p90", "p99"]
        .iter()
        .enumerate()
        .map(|(i, p)| metric_entry(metric, p, &format!("l{i}"), true))
        .collect();
    widget("metric", title, "timeSeries", metrics, 60)
}

/// The three dashboards of each service.
pub(super) fn dashboards(
    slos: &[CompiledSlo],
    options: &DashboardOptions,
) -> Result<Vec<Dashboard>, CompileError> {
    if let Err(problem) = options.check() {
        let first = slos.first().map(|s| s.slo.as_str()).unwrap_or_default();
        return Err(CompileError::new(
            Engine::CloudWatch,
            first,
            None,
            "dashboard options",
            problem,
        ));
    }
    let mut by_service: BTreeMap<&str, Vec<&CompiledSlo>> = BTreeMap::new();
    for slo in slos {
        by_service.entry(&slo.service).or_default().push(slo);
    }
    let mut out = Vec::new();
    // A derived name could equal another service's own (`checkout.api` and `checkout-api-<its
    // hash>`): PutDashboard would overwrite one board with the other.
    let mut names = std::collections::BTreeSet::new();
    for (service, slos) in by_service {
        let first = slos.first().map(|s| s.slo.as_str()).unwrap_or_default();
        let fail =
            |problem| CompileError::new(Engine::CloudWatch, first, None, "spec.service", problem);
        let mut executive = Vec::new();
        let mut oncall = Vec::new();
        let mut debug = Vec::new();
        let mut alarms = Vec::new();
        for slo in &slos {
            check_literal(slo, written_text(slo))?;
            let name = &slo.slo;
            let budget = slo.budget;
            let window = slo.window.seconds();
            alarms.extend(
                slo.composite_alarms
                    .iter()
                    .map(|c| alarm_arn(&c.alarm_name)),
            );
            match counts(slo) {
                Some((entries, bad)) => {
                    executive.push(widget(
                        "metric",
                        &format!("{name}: SLI over {}", slo.window),
                        "singleValue",
                        with_expression(entries.clone(), format!("1 - {bad} / total"), "SLI"),
                        window,
                    ));
                    executive.push(widget(
                        "metric",
                        &format!("{name}: error budget remaining"),
                        "singleValue",
                        with_expression(
                            entries.clone(),
                            format!("1 - {bad} / total / {budget}"),
                            "budget remaining",
                        ),
                        window,
                    ));
                    let mut burn = widget(
                        "metric",
                        &format!("{name}: burn rate (1h)"),
                        "timeSeries",
                        with_expression(
                            entries.clone(),
                            format!("{bad} / total / {budget}"),
                            "burn rate",
                        ),
                        3600,
                    );
                    burn["properties"]["annotations"] = json!({
                        "horizontal": slo.tiers.iter().map(|(id, severity, _, threshold)| json!({
                            "label": format!("{id} ({severity})"), "value": threshold
                        })).collect::<Vec<_>>()
                    });
                    executive.push(burn.clone());
                    oncall.push(burn);
                    oncall.push(widget(
                        "metric",
                        &format!("{name}: bad events per minute"),
                        "timeSeries",
                        with_expression(entries.clone(), (*bad).to_owned(), "bad events"),
                        60,
                    ));
                    debug.push(widget(
                        "metric",
                        &format!("{name}: SLI inputs per minute"),
                        "timeSeries",
                        entries
                            .into_iter()
                            .map(|mut e| {
                                if let Some(Value::Object(o)) =
                                    e.as_array_mut().and_then(|a| a.last_mut())
                                {
                                    o.insert("visible".into(), json!(true));
                                }
                                e
                            })
                            .collect(),
                        60,
                    ));
                }
                None => {
                    if let Signal::Value { value } = &slo.signal {
                        let mut entries = Vec::new();
                        source_entries(value, "value", &mut entries);
                        let shown = with_expression(entries, "value".into(), "value");
                        executive.push(widget(
                            "metric",
                            &format!("{name}: per-minute value"),
                            "timeSeries",
                            shown.clone(),
                            60,
                        ));
                        debug.push(widget(
                            "metric",
                            &format!("{name}: per-minute value"),
                            "timeSeries",
                            shown,
                            60,
                        ));
                    }
                }
            }
        }
        if let Some(latency) = &options.latency {
            executive.push(latency_widget("Latency", latency));
            debug.push(latency_widget("Latency percentiles", latency));
        }
        // Active incidents: the alarms in ALARM; on call, every state.
        executive.extend(alarm_status(
            &format!("{service}: active incidents (SLO alarms in ALARM)"),
            &alarms,
            &["ALARM"],
        ));
        let all_states = alarm_status(
            &format!("{service}: SLO alarms"),
            &alarms,
            &["ALARM", "INSUFFICIENT_DATA", "OK"],
        );
        oncall.splice(0..0, all_states);
        for panel in panels::aws_panels(options) {
            let board = match panel.board {
                Board::Executive => &mut executive,
                Board::OnCall => &mut oncall,
                Board::Debug => &mut debug,
            };
            board.push(aws_widget(&panel));
        }
        let marks = deploy_marks(&options.deploys);
        for w in executive.iter_mut().chain(oncall.iter_mut()) {
            if w["type"] == "metric" && w["properties"]["view"] == "timeSeries" && !marks.is_empty()
            {
                w["properties"]["annotations"]["vertical"] = Value::Array(marks.clone());
            }
        }
        for (kind, widgets) in [
            ("executive", executive),
            ("oncall", oncall),
            ("debug", debug),
        ] {
            // With no prefix there is always room, so this error is a guard only.
            let name = dashboard_name("", service, kind, MAX_CLOUDWATCH_NAME).map_err(|name| {
                fail(CompileProblem::DashboardName {
                    name,
                    reason: "may contain only letters, digits, '-' and '_', up to 255 characters",
                })
            })?;
            if !names.insert(name.clone()) {
                return Err(fail(CompileProblem::DuplicateName { name }));
            }
            if widgets.len() > MAX_WIDGETS {
                return Err(fail(CompileProblem::Unsupported {
                    what: format!(
                        "dashboard {name} needs {} widgets; CloudWatch allows {MAX_WIDGETS}",
                        widgets.len()
                    ),
                }));
            }
            out.push(Dashboard {
                name,
                body: json!({ "widgets": widgets }),
            });
        }
    }
    Ok(out)
}
