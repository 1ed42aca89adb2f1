//! Grafana dashboards for the Prometheus rules: executive, on-call and debug per service, as
//! the dashboard JSON Grafana imports (schema version 38, Grafana 10), reading the series the
//! rules record.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use sli_core::Span;

mod aws;
mod kubernetes;

use super::CompiledSlo;
use super::names;
use super::query::Signal;
use crate::board_name::{self, MAX_GRAFANA_UID};
use crate::cloudwatch::DashboardOptions;
use crate::cloudwatch::panels::{self, Board, PanelQuery};
use crate::error::{CompileError, CompileProblem, Engine};
use aws::cloudwatch_panel;
use kubernetes::{check_kubernetes_name, kubernetes_panels};

/// What the dashboards show beyond the SLOs themselves.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::GrafanaOptions;
/// let options = GrafanaOptions::default().with_latency_histogram("http_request_duration_seconds");
/// assert_eq!(options.datasource_type, "prometheus");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GrafanaOptions {
    /// The data source plugin the dashboards' variable lists (`prometheus`, which Amazon
    /// Managed Grafana's Amazon Managed Service for Prometheus sources are).
    pub datasource_type: String,
    /// A latency histogram's base name (`<name>_bucket`), whose p50, p90 and p99 the executive
    /// and debug dashboards show.
    pub latency_histogram: Option<String>,
    /// The prefix of dashboard uids, `{prefix}-{service}-{kind}`. Default `slo`. Grafana
    /// takes at most 40 letters, digits, `-` and `_`: for a service name that does not fit,
    /// the uid keeps the name's beginning (other characters as `-`) and 8 hexadecimal digits of
    /// a fixed hash of the whole name, `slo-payments-authoriz-b5252971-executive` for
    /// `payments-authorization-gateway`.
    pub uid_prefix: String,
    /// The service's AWS resources, drawn through Grafana's CloudWatch data source (a
    /// dashboard variable `cloudwatch`): the same panels as the CloudWatch dashboards' (cost,
    /// recent errors and deploys from Logs Insights, DB connections and load, slow queries,
    /// scaling, Container Insights, Application Signals), see [`DashboardOptions`]. Its
    /// `deploys` are not drawn: Grafana keeps annotations in its database, not in the
    /// dashboard (with [`kubernetes`](Self::kubernetes), each rollout is an annotation).
    pub aws: Option<DashboardOptions>,
    /// A Kubernetes Deployment as (namespace, deployment), read from kube-state-metrics and
    /// the kubelet's cAdvisor metrics: replicas (scaling events, on-call), container CPU,
    /// memory and restarts (debug), and each new ReplicaSet as a deploy annotation.
    pub kubernetes: Option<(String, String)>,
}

impl Default for GrafanaOptions {
    fn default() -> Self {
        Self {
            datasource_type: "prometheus".into(),
            latency_histogram: None,
            uid_prefix: "slo".into(),
            aws: None,
            kubernetes: None,
        }
    }
}

impl GrafanaOptions {
    /// These options with the data source plugin `datasource_type`.
    #[must_use]
    pub fn with_datasource_type(mut self, datasource_type: impl Into<String>) -> Self {
        self.datasource_type = datasource_type.into();
        self
    }

    /// These options with the latency histogram `name` (`<name>_bucket`).
    #[must_use]
    pub fn with_latency_histogram(mut self, name: impl Into<String>) -> Self {
        self.latency_histogram = Some(name.into());
        self
    }

    /// These options with the AWS panels `aws` asks for, through the CloudWatch data source.
    #[must_use]
    pub fn with_aws_panels(mut self, aws: DashboardOptions) -> Self {
        self.aws = Some(aws);
        self
    }

    /// These options with the Kubernetes Deployment `deployment` in `namespace`.
    #[must_use]
    pub fn with_kubernetes_deployment(
        mut self,
        namespace: impl Into<String>,
        deployment: impl Into<String>,
    ) -> Self {
        self.kubernetes = Some((namespace.into(), deployment.into()));
        self
    }

    /// These options with dashboard uids starting with `prefix`.
    #[must_use]
    pub fn with_uid_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.uid_prefix = prefix.into();
        self
    }
}

/// A Grafana dashboard: its uid, title, and the JSON to import.
///
/// # Example
/// ```
/// # use slo_compiler::prometheus::GrafanaDashboard;
/// # fn f(d: &GrafanaDashboard) -> String { d.json.to_string() }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct GrafanaDashboard {
    /// The dashboard's uid.
    pub uid: String,
    /// Its title.
    pub title: String,
    /// The dashboard JSON (Dashboard → Import).
    pub json: Value,
}

const DATASOURCE: &str = "${datasource}";

struct Panels {
    panels: Vec<Value>,
    x: u64,
    y: u64,
}

impl Panels {
    fn new() -> Self {
        Self {
            panels: Vec::new(),
            x: 0,
            y: 0,
        }
    }

    /// Adds a panel `w` wide (of 24) and `h` high, flowing left to right.
    fn add(&mut self, mut panel: Value, w: u64, h: u64) {
        if self.x + w > 24 {
            self.x = 0;
            self.y += h;
        }
        panel["id"] = json!(self.panels.len() + 1);
        panel["gridPos"] = json!({"h": h, "w": w, "x": self.x, "y": self.y});
        self.x += w;
        self.panels.push(panel);
    }
}

fn target(expr: String, legend: &str, datasource: &Value) -> Value {
    json!({"refId": "A", "expr": expr, "legendFormat": legend, "datasource": datasource})
}

/// The `i`-th query id of a panel, as Grafana names them: A … Z, AA, AB, …
fn ref_id(mut i: usize) -> String {
    let mut id = Vec::new();
    loop {
        id.push(b'A' + u8::try_from(i % 26).unwrap_or(0));
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    id.reverse();
    String::from_utf8(id).unwrap_or_default()
}

fn panel(kind: &str, title: &str, targets: Vec<Value>, unit: &str, datasource: &Value) -> Value {
    let targets: Vec<Value> = targets
        .into_iter()
        .enumerate()
        .map(|(i, mut t)| {
            t["refId"] = json!(ref_id(i));
            t
        })
        .collect();
    json!({
        "type": kind,
        "title": title,
        "datasource": datasource,
        "targets": targets,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
    })
}

/// `{sloth_id="…"}` of an SLO.
fn filter(slo: &CompiledSlo) -> String {
    format!("{{{}={}}}", names::ID, label_value(&slo.id))
}

/// A label value as a PromQL string that Grafana leaves alone. Grafana replaces variables
/// (`$name`, `${name}`, `[[name]]`) anywhere in a query before sending it, this dashboard's
/// own `datasource` and its built-ins (`$__interval`, `$__range` …) among them, so an SLO or
/// service name holding one selected another series. PromQL reads `\u0024` as `$` and
/// `\u005b` as `[` in a string, and Grafana sees neither.
fn label_value(value: &str) -> String {
    serde_json::Value::String(value.to_owned())
        .to_string()
        .replace('$', r"\u0024")
        .replace('[', r"\u005b")
}

fn window_ratio(slo: &CompiledSlo, window: Span) -> String {
    format!("{}{window}{}", names::ERROR_RATIO_PREFIX, filter(slo))
}

/// Thresholds of a burn-rate panel: green below the lowest tier, then each tier's colour.
fn burn_thresholds(slo: &CompiledSlo) -> Value {
    let mut steps = vec![json!({"color": "green", "value": null})];
    let mut burns: Vec<(f64, &str)> = slo
        .tiers
        .iter()
        .map(|t| {
            let colour = match t.severity {
                sli_core::Severity::Page => "red",
                sli_core::Severity::Ticket => "orange",
            };
            (t.burn, colour)
        })
        .collect();
    burns.sort_by(|a, b| a.0.total_cmp(&b.0));
    steps.extend(
        burns
            .into_iter()
            .map(|(v, c)| json!({"color": c, "value": v})),
    );
    json!({"mode": "absolute", "steps": steps})
}

fn dashboard(
    uid: String,
    title: String,
    tags: &[&str],
    panels: Vec<Value>,
    annotations: Vec<Value>,
    options: &GrafanaOptions,
) -> GrafanaDashboard {
    let mut variables = vec![json!({
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": options.datasource_type,
        "hide": 0,
        "refresh": 1,
        "regex": "",
        "skipUrlSync": false,
        "options": [],
    })];
    if options.aws.is_some() {
        variables.push(json!({
            "name": "cloudwatch",
            "label": "CloudWatch",
            "type": "datasource",
            "query": "cloudwatch",
            "hide": 0,
            "refresh": 1,
            "regex": "",
            "skipUrlSync": false,
            "options": [],
        }));
    }
    let json = json!({
        "uid": uid,
        "title": title,
        "tags": tags,
        "timezone": "browser",
        "editable": true,
        "graphTooltip": 1,
        "schemaVersion": 38,
        "version": 1,
        "refresh": "1m",
        "time": {"from": "now-24h", "to": "now"},
        "templating": {"list": variables},
        "annotations": {"list": annotations},
        "links": [],
        "panels": panels,
    });
    GrafanaDashboard { uid, title, json }
}

pub(super) fn dashboards(
    slos: &[CompiledSlo],
    options: &GrafanaOptions,
) -> Result<Vec<GrafanaDashboard>, CompileError> {
    let first = slos.first().map(|s| s.slo.as_str()).unwrap_or_default();
    let fail = |problem| {
        CompileError::new(
            Engine::Prometheus,
            first,
            None,
            "dashboard options",
            problem,
        )
    };
    if let Some(aws) = &options.aws {
        aws.check().map_err(fail)?;
    }
    if let Some((namespace, deployment)) = &options.kubernetes {
        check_kubernetes_name("kubernetes namespace", namespace).map_err(fail)?;
        check_kubernetes_name("kubernetes deployment", deployment).map_err(fail)?;
    }
    let datasource = json!({"type": options.datasource_type, "uid": DATASOURCE});
    let mut by_service: BTreeMap<&str, Vec<&CompiledSlo>> = BTreeMap::new();
    for slo in slos {
        let entry = by_service.entry(&slo.service).or_default();
        // One SLO id once (several policies share its series).
        if !entry.iter().any(|s| s.id == slo.id) {
            entry.push(slo);
        }
    }
    let mut out = Vec::new();
    // A derived uid could equal another service's own: an import would overwrite one board.
    let mut uids = std::collections::BTreeSet::new();
    for (service, slos) in by_service {
        let service_filter = format!("{}={}", names::SERVICE, label_value(service));
        let mut executive = Panels::new();
        let mut oncall = Panels::new();
        let mut debug = Panels::new();
        let firing = format!("ALERTS{{alertstate=\"firing\",{service_filter}}}");
        executive.add(
            {
                let mut p = panel(
                    "table",
                    &format!("{service}: active SLO alerts"),
                    vec![json!({"expr": firing, "format": "table", "instant": true, "datasource": datasource})],
                    "none",
                    &datasource,
                );
                p["options"] = json!({"showHeader": true});
                p
            },
            24,
            5,
        );
        oncall.add(
            panel(
                "table",
                &format!("{service}: firing SLO alerts"),
                vec![json!({"expr": firing, "format": "table", "instant": true, "datasource": datasource})],
                "none",
                &datasource,
            ),
            24,
            5,
        );
        for slo in &slos {
            let name = &slo.slo;
            let f = filter(slo);
            let mut sli = panel(
                "stat",
                &format!("{name}: SLI over {}", slo.slo_window),
                vec![target(
                    format!("1 - {}", window_ratio(slo, slo.slo_window)),
                    "SLI",
                    &datasource,
                )],
                "percentunit",
                &datasource,
            );
            sli["fieldConfig"]["defaults"]["decimals"] = json!(3);
            executive.add(sli, 8, 6);
            let mut budget = panel(
                "gauge",
                &format!("{name}: error budget remaining"),
                vec![target(
                    format!("slo:period_error_budget_remaining:ratio{f}"),
                    "budget remaining",
                    &datasource,
                )],
                "percentunit",
                &datasource,
            );
            budget["fieldConfig"]["defaults"]["min"] = json!(0);
            budget["fieldConfig"]["defaults"]["max"] = json!(1);
            budget["fieldConfig"]["defaults"]["thresholds"] = json!({"mode": "absolute", "steps": [
                {"color": "red", "value": null}, {"color": "orange", "value": 0.25}, {"color": "green", "value": 0.5}]});
            executive.add(budget, 8, 6);
            let burns: Vec<Value> = slo
                .windows
                .iter()
                .map(|&w| {
                    target(
                        format!("{} / {}", window_ratio(slo, w), slo.error_budget),
                        &format!("burn rate over {w}"),
                        &datasource,
                    )
                })
                .collect();
            let mut burn = panel(
                "timeseries",
                &format!("{name}: burn rate per window"),
                burns,
                "none",
                &datasource,
            );
            burn["fieldConfig"]["defaults"]["thresholds"] = burn_thresholds(slo);
            burn["fieldConfig"]["defaults"]["custom"] =
                json!({"thresholdsStyle": {"mode": "line"}});
            executive.add(
                panel(
                    "timeseries",
                    &format!("{name}: burn rate (current)"),
                    vec![target(
                        format!("slo:current_burn_rate:ratio{f}"),
                        "burn rate",
                        &datasource,
                    )],
                    "none",
                    &datasource,
                ),
                8,
                6,
            );
            oncall.add(burn, 12, 8);
            let shortest = slo.windows.first().copied().unwrap_or(Span::HOUR);
            oncall.add(
                panel(
                    "timeseries",
                    &format!("{name}: error ratio over {shortest}"),
                    vec![target(
                        window_ratio(slo, shortest),
                        "error ratio",
                        &datasource,
                    )],
                    "percentunit",
                    &datasource,
                ),
                12,
                8,
            );
            let (events, label) = match &slo.spec.signal {
                Signal::Bad { bad, .. } => (bad.over(shortest), "bad events"),
                Signal::Good { good, .. } => (good.over(shortest), "good events"),
            };
            debug.add(
                panel(
                    "timeseries",
                    &format!("{name}: SLI inputs over {shortest}"),
                    vec![
                        target(events, label, &datasource),
                        target(
                            slo.spec.signal.total().over(shortest),
                            "all events",
                            &datasource,
                        ),
                    ],
                    "short",
                    &datasource,
                ),
                12,
                8,
            );
            debug.add(
                panel(
                    "timeseries",
                    &format!("{name}: error ratio per window"),
                    slo.windows
                        .iter()
                        .map(|&w| target(window_ratio(slo, w), &w.to_string(), &datasource))
                        .collect(),
                    "percentunit",
                    &datasource,
                ),
                12,
                8,
            );
        }
        if let Some(histogram) = &options.latency_histogram {
            let quantiles = |title: &str| {
                panel(
                    "timeseries",
                    title,
                    [0.5, 0.9, 0.99]
                        .iter()
                        .map(|q| {
                            target(
                                format!("histogram_quantile({q}, sum by (le) (rate({histogram}_bucket[5m])))"),
                                &format!("p{}", q * 100.0),
                                &datasource,
                            )
                        })
                        .collect(),
                    "s",
                    &datasource,
                )
            };
            executive.add(quantiles("Latency"), 12, 8);
            debug.add(quantiles("Latency percentiles"), 12, 8);
        }
        let mut annotations = Vec::new();
        if let Some((namespace, deployment)) = &options.kubernetes {
            let (on_call, debugging, deploys) =
                kubernetes_panels(namespace, deployment, &datasource);
            on_call.into_iter().for_each(|p| oncall.add(p, 12, 8));
            debugging.into_iter().for_each(|p| debug.add(p, 12, 8));
            annotations.push(deploys);
        }
        for aws in options.aws.iter().flat_map(panels::aws_panels) {
            let (board, width) = match (aws.board, &aws.query) {
                (Board::Executive, _) => (&mut executive, 12),
                (Board::OnCall, PanelQuery::Logs { .. }) => (&mut oncall, 24),
                (Board::OnCall, _) => (&mut oncall, 12),
                (Board::Debug, PanelQuery::Logs { .. }) => (&mut debug, 24),
                (Board::Debug, _) => (&mut debug, 12),
            };
            board.add(cloudwatch_panel(&aws), width, 8);
        }
        for (kind, panels) in [
            ("executive", executive),
            ("oncall", oncall),
            ("debug", debug),
        ] {
            let head = format!("{}-", options.uid_prefix);
            let uid = board_name::dashboard_name(&head, service, kind, MAX_GRAFANA_UID).map_err(|name| {
                CompileError::new(
                    Engine::Prometheus,
                    slos.first().map(|s| s.slo.as_str()).unwrap_or_default(),
                    None,
                    "uid_prefix",
                    CompileProblem::DashboardName {
                        name,
                        reason: "the uid prefix must be letters, digits, '-' and '_', short enough to leave room in Grafana's 40 characters for the service and the board",
                    },
                )
            })?;
            if !uids.insert(uid.clone()) {
                return Err(CompileError::new(
                    Engine::Prometheus,
                    slos.first().map(|s| s.slo.as_str()).unwrap_or_default(),
                    None,
                    "spec.service",
                    CompileProblem::DuplicateName { name: uid },
                ));
            }
            let marks = if kind == "debug" {
                Vec::new()
            } else {
                annotations.clone()
            };
            out.push(dashboard(
                uid,
                format!("{service} SLOs: {kind}"),
                &["slo", kind, service],
                panels.panels,
                marks,
                options,
            ));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn query_ids_never_repeat() {
        let ids: Vec<String> = (0..1000).map(super::ref_id).collect();
        assert_eq!(&ids[..3], ["A", "B", "C"]);
        assert_eq!(&ids[25..28], ["Z", "AA", "AB"]);
        assert_eq!(ids[26 + 26 * 26], "AAA");
        let unique: std::collections::BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
    }
}
