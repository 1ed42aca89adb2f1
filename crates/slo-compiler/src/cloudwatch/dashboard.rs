//! Dashboards per service, one per audience: executive, on-call, debug.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use aws_telemetry::{Metric, Statistic};

use super::compiled::CompiledSlo;
use super::model::Dashboard;
use super::signal::{Signal, SignalSource};
use crate::error::{CompileError, CompileProblem, Engine};

/// CloudWatch's limit on widgets per dashboard.
pub const MAX_WIDGETS: usize = 500;

/// What the dashboards show beyond the SLOs themselves (all optional).
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, Statistic};
/// use slo_compiler::cloudwatch::DashboardOptions;
/// let options = DashboardOptions::new()
///     .with_latency(Metric::new("AWS/ApplicationELB", "TargetResponseTime")?)
///     .with_db_instance("checkout-db");
/// assert!(options.autoscaling_groups.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct DashboardOptions {
    /// A latency metric for the executive and debug dashboards (p50, p90, p99).
    pub latency: Option<Metric>,
    /// RDS instances whose `DatabaseConnections` the on-call dashboard shows.
    pub db_instances: Vec<String>,
    /// Auto Scaling groups whose desired and in-service capacity the on-call dashboard shows.
    pub autoscaling_groups: Vec<String>,
    /// Dependency metrics for the debug dashboard: (label, metric, statistic).
    pub dependencies: Vec<(String, Metric, Statistic)>,
}

impl DashboardOptions {
    /// No latency metric, databases, scaling groups or dependencies.
    pub fn new() -> Self {
        Self::default()
    }

    /// These options with `metric` as the service's latency.
    #[must_use]
    pub fn with_latency(mut self, metric: Metric) -> Self {
        self.latency = Some(metric);
        self
    }

    /// These options with one more RDS instance (`DBInstanceIdentifier`).
    #[must_use]
    pub fn with_db_instance(mut self, instance: impl Into<String>) -> Self {
        self.db_instances.push(instance.into());
        self
    }

    /// These options with one more Auto Scaling group.
    #[must_use]
    pub fn with_autoscaling_group(mut self, group: impl Into<String>) -> Self {
        self.autoscaling_groups.push(group.into());
        self
    }

    /// These options with one more dependency: a title, its latency metric and statistic.
    #[must_use]
    pub fn with_dependency(
        mut self,
        title: impl Into<String>,
        metric: Metric,
        stat: Statistic,
    ) -> Self {
        self.dependencies.push((title.into(), metric, stat));
        self
    }
}

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

fn latency_widget(title: &str, metric: &Metric) -> Value {
    let metrics = ["p50", "p90", "p99"]
        .iter()
        .enumerate()
        .map(|(i, p)| metric_entry(metric, p, &format!("l{i}"), true))
        .collect();
    widget("metric", title, "timeSeries", metrics, 60)
}

/// Checks a dashboard name: letters, digits, `-` and `_`, at most 255.
fn check_name(name: &str) -> Result<(), CompileProblem> {
    let reason = if name.is_empty() || name.len() > 255 {
        "must be 1 to 255 characters"
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        "may contain only letters, digits, '-' and '_'"
    } else {
        return Ok(());
    };
    Err(CompileProblem::DashboardName {
        name: name.to_owned(),
        reason,
    })
}

/// The three dashboards of each service.
pub(super) fn dashboards(
    slos: &[CompiledSlo],
    options: &DashboardOptions,
) -> Result<Vec<Dashboard>, CompileError> {
    let mut by_service: BTreeMap<&str, Vec<&CompiledSlo>> = BTreeMap::new();
    for slo in slos {
        by_service.entry(&slo.service).or_default().push(slo);
    }
    let mut out = Vec::new();
    for (service, slos) in by_service {
        let first = slos.first().map(|s| s.slo.as_str()).unwrap_or_default();
        let fail =
            |problem| CompileError::new(Engine::CloudWatch, first, None, "spec.service", problem);
        let mut executive = Vec::new();
        let mut oncall = Vec::new();
        let mut debug = Vec::new();
        let mut alarms = Vec::new();
        for slo in &slos {
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
                            "label": format!("{id} ({severity:?})"), "value": threshold
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
        let mut cost = widget(
            "metric",
            "Estimated charges (cost trend)",
            "timeSeries",
            vec![
                json!(["AWS/Billing", "EstimatedCharges", "Currency", "USD", {"stat": "Maximum"}]),
            ],
            86_400,
        );
        cost["properties"]["region"] = json!("us-east-1"); // billing metrics live there
        executive.push(cost);
        oncall.insert(
            0,
            json!({"type": "alarm", "width": 24, "height": 4,
                   "properties": {"title": format!("{service}: SLO alarms"), "alarms": alarms}}),
        );
        if !options.db_instances.is_empty() {
            let metrics = options
                .db_instances
                .iter()
                .map(|db| json!(["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", db, {"stat": "Maximum"}]))
                .collect();
            oncall.push(widget(
                "metric",
                "DB connections",
                "timeSeries",
                metrics,
                60,
            ));
        }
        if !options.autoscaling_groups.is_empty() {
            let metrics = options
                .autoscaling_groups
                .iter()
                .flat_map(|g| {
                    ["GroupDesiredCapacity", "GroupInServiceInstances"].map(|m| {
                        json!(["AWS/AutoScaling", m, "AutoScalingGroupName", g, {"stat": "Maximum"}])
                    })
                })
                .collect();
            oncall.push(widget(
                "metric",
                "Scaling events",
                "timeSeries",
                metrics,
                60,
            ));
        }
        for (i, (label, metric, stat)) in options.dependencies.iter().enumerate() {
            debug.push(widget(
                "metric",
                label,
                "timeSeries",
                vec![metric_entry(
                    metric,
                    &stat.to_string(),
                    &format!("d{i}"),
                    true,
                )],
                60,
            ));
        }
        for (kind, widgets) in [
            ("executive", executive),
            ("oncall", oncall),
            ("debug", debug),
        ] {
            let name = format!("{service}-{kind}");
            check_name(&name).map_err(fail)?;
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
