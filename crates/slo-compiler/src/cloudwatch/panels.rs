//! The panels about a service's AWS resources (cost, logs, deploys, databases, scaling,
//! containers, traces), described once and drawn by both dashboard writers: CloudWatch's
//! widgets ([`super::dashboard`]) and Grafana's CloudWatch data source
//! ([`crate::prometheus::GrafanaOptions::with_aws_panels`]).
//!
//! Every metric named here is one AWS documents (namespace, name and the exact dimension set
//! it publishes under); every Logs Insights query reads a documented log format. The crate's
//! test `dashboard_panels` evaluates each panel over a fixture of that data.

use aws_telemetry::Metric;
use aws_telemetry::deploys::cloudtrail::DEPLOY_EVENTS;

use super::dashboard::{DashboardOptions, SlowQueryLog};

/// Which of the three dashboards a panel belongs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Board {
    Executive,
    OnCall,
    Debug,
}

/// One metric a panel reads: its query id, the statistic and whether it is drawn.
#[derive(Debug, Clone)]
pub(crate) struct PanelMetric {
    pub id: String,
    pub metric: Metric,
    pub stat: String,
    pub visible: bool,
}

/// What a panel asks for.
#[derive(Debug, Clone)]
pub(crate) enum PanelQuery {
    /// Metrics at `period` seconds, and metric-math expressions over their ids, each
    /// `(id, expression, label)` and drawn.
    Metrics {
        metrics: Vec<PanelMetric>,
        expressions: Vec<(String, String, String)>,
        period: i64,
        /// A region the metrics live in whatever the dashboard's (billing: `us-east-1`).
        region: Option<&'static str>,
    },
    /// A CloudWatch Logs Insights query over the log groups, drawn as `view`.
    Logs {
        log_groups: Vec<String>,
        query: String,
        view: LogsView,
    },
}

/// How a logs panel is drawn: rows of events, or counts per bin over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogsView {
    Table,
    TimeSeries,
}

/// A panel: where it goes, its title and its query.
#[derive(Debug, Clone)]
pub(crate) struct AwsPanel {
    pub board: Board,
    pub title: String,
    pub query: PanelQuery,
}

/// The Logs Insights filter of an error line: the word `error` (not `errors=0` nor
/// `terror`), exceptions, fatal errors, panics and Lambda's `Task timed out`, in any case. The
/// word's edges are spelled out rather than `\b`, which not every regular-expression dialect
/// reads alike.
pub const ERROR_PATTERN: &str =
    r"/(?i)((^|[^a-z])error([^a-z]|$)|exception|fatal|panic|task timed out)/";

/// The Logs Insights query of the on-call dashboard's recent errors.
pub(crate) fn recent_errors_query() -> String {
    format!(
        "fields @timestamp, @log, @message | filter @message like {ERROR_PATTERN} \
         | sort @timestamp desc | limit 50"
    )
}

/// The Logs Insights query of error lines per five minutes.
pub(crate) fn errors_per_bin_query() -> String {
    format!("filter @message like {ERROR_PATTERN} | stats count(*) as errors by bin(5m)")
}

/// The calls the deploys panel lists, by event source: the CloudTrail deploy adapter's
/// (`aws_telemetry::deploys::cloudtrail::DEPLOY_EVENTS`) and CodeDeploy's `CreateDeployment`.
fn deploy_events() -> Vec<(&'static str, Vec<&'static str>)> {
    let mut by_source: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for &(source, name) in DEPLOY_EVENTS
        .iter()
        .chain([("codedeploy.amazonaws.com", "CreateDeployment")].iter())
    {
        match by_source.iter_mut().find(|(s, _)| *s == source) {
            Some((_, names)) => names.push(name),
            None => by_source.push((source, vec![name])),
        }
    }
    by_source
}

/// The Logs Insights query of recent deploys over CloudTrail records delivered to CloudWatch
/// Logs: each deploy call by its event source and name (`UpdateService` alone would also
/// match App Runner's), failed calls shown with their `errorCode`. As the CloudTrail deploy
/// adapter reads them, an ECS `UpdateService` is a deploy only with a new task definition or a
/// forced deployment: Application Auto Scaling's calls change only the desired count.
pub(crate) fn recent_deploys_query() -> String {
    let clauses: Vec<String> = deploy_events()
        .into_iter()
        .map(|(source, names)| {
            let names: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
            // A JSON `true` read as text or as 1, whichever Logs Insights makes of it.
            let rollout = if source == "ecs.amazonaws.com" {
                " and (ispresent(requestParameters.taskDefinition) \
                 or requestParameters.forceNewDeployment like /^(?i)(true|1)$/)"
            } else {
                ""
            };
            format!(
                "(eventSource = \"{source}\" and eventName in [{}]{rollout})",
                names.join(", ")
            )
        })
        .collect();
    format!(
        "fields @timestamp, eventSource, eventName, userIdentity.arn, errorCode \
         | filter {} | sort @timestamp desc | limit 50",
        clauses.join(" or ")
    )
}

/// The Logs Insights query of an instance's slowest statements in its slow query log.
pub(crate) fn slow_queries_query(log: SlowQueryLog) -> &'static str {
    match log {
        // MySQL/MariaDB slow query log: "# Query_time: 12.000345  Lock_time: …" per entry.
        SlowQueryLog::MySql => {
            r"parse @message /Query_time: (?<query_time>\d+(\.\d+)?)/ | filter ispresent(query_time) | fields @timestamp, query_time, @message | sort query_time desc | limit 20"
        }
        // PostgreSQL with log_min_duration_statement: "…LOG:  duration: 1523.402 ms  statement: …".
        SlowQueryLog::Postgres => {
            r"parse @message /duration: (?<duration_ms>\d+(\.\d+)?) ms/ | filter ispresent(duration_ms) | fields @timestamp, duration_ms, @message | sort duration_ms desc | limit 20"
        }
    }
}

/// The log group RDS publishes an instance's slow query log to.
pub(crate) fn slow_query_log_group(instance: &str, log: SlowQueryLog) -> String {
    match log {
        SlowQueryLog::MySql => format!("/aws/rds/instance/{instance}/slowquery"),
        SlowQueryLog::Postgres => format!("/aws/rds/instance/{instance}/postgresql"),
    }
}

/// A metric from names the options have already validated (see `DashboardOptions::check`).
fn metric(namespace: &str, name: &str, dimensions: &[(&str, &str)]) -> Option<Metric> {
    dimensions
        .iter()
        .try_fold(Metric::new(namespace, name).ok()?, |m, (d, v)| {
            m.with_dimension(*d, *v).ok()
        })
}

fn shown(id: String, metric: Metric, stat: &str) -> PanelMetric {
    PanelMetric {
        id,
        metric,
        stat: stat.to_owned(),
        visible: true,
    }
}

fn hidden(id: String, metric: Metric, stat: &str) -> PanelMetric {
    PanelMetric {
        visible: false,
        ..shown(id, metric, stat)
    }
}

fn metrics_panel(board: Board, title: &str, metrics: Vec<PanelMetric>) -> AwsPanel {
    AwsPanel {
        board,
        title: title.to_owned(),
        query: PanelQuery::Metrics {
            metrics,
            expressions: Vec::new(),
            period: 60,
            region: None,
        },
    }
}

/// One series per resource: `each(resource)` gives its metrics (`None` when a name is bad,
/// which `DashboardOptions::check` has ruled out).
fn per_resource<'a, T: 'a>(
    resources: impl IntoIterator<Item = &'a T>,
    prefix: &str,
    stat: &str,
    each: impl Fn(&T) -> Vec<Option<Metric>>,
) -> Vec<PanelMetric> {
    resources
        .into_iter()
        .flat_map(&each)
        .flatten()
        .enumerate()
        .map(|(i, m)| shown(format!("{prefix}{i}"), m, stat))
        .collect()
}

/// The AWS panels `options` ask for, in board order.
pub(crate) fn aws_panels(options: &DashboardOptions) -> Vec<AwsPanel> {
    let mut out = Vec::new();
    let mut cost = metrics_panel(
        Board::Executive,
        "Estimated charges (cost trend)",
        metric("AWS/Billing", "EstimatedCharges", &[("Currency", "USD")])
            .map(|m| vec![shown("cost".into(), m, "Maximum")])
            .unwrap_or_default(),
    );
    if let PanelQuery::Metrics { period, region, .. } = &mut cost.query {
        *period = 21_600; // billing publishes a few times a day
        *region = Some("us-east-1"); // billing metrics live there
    }
    out.push(cost);
    if !options.log_groups.is_empty() {
        out.push(AwsPanel {
            board: Board::OnCall,
            title: "Recent errors (logs)".into(),
            query: PanelQuery::Logs {
                log_groups: options.log_groups.clone(),
                query: recent_errors_query(),
                view: LogsView::Table,
            },
        });
        out.push(AwsPanel {
            board: Board::OnCall,
            title: "Error lines per 5 minutes".into(),
            query: PanelQuery::Logs {
                log_groups: options.log_groups.clone(),
                query: errors_per_bin_query(),
                view: LogsView::TimeSeries,
            },
        });
    }
    if let Some(trail) = &options.cloudtrail_log_group {
        out.push(AwsPanel {
            board: Board::OnCall,
            title: "Recent deploys (CloudTrail)".into(),
            query: PanelQuery::Logs {
                log_groups: vec![trail.clone()],
                query: recent_deploys_query(),
                view: LogsView::Table,
            },
        });
    }
    if !options.db_instances.is_empty() {
        let db = |name| {
            move |id: &String| vec![metric("AWS/RDS", name, &[("DBInstanceIdentifier", id)])]
        };
        out.push(metrics_panel(
            Board::OnCall,
            "DB connections",
            per_resource(
                &options.db_instances,
                "c",
                "Maximum",
                db("DatabaseConnections"),
            ),
        ));
        // Performance Insights publishes the database load (average active sessions) to
        // CloudWatch; its per-statement breakdown is only in the Performance Insights API.
        out.push(metrics_panel(
            Board::Debug,
            "DB load (Performance Insights: active sessions, CPU and waiting)",
            per_resource(&options.db_instances, "l", "Average", |id: &String| {
                ["DBLoad", "DBLoadCPU", "DBLoadNonCPU"]
                    .map(|name| metric("AWS/RDS", name, &[("DBInstanceIdentifier", id)]))
                    .to_vec()
            }),
        ));
    }
    for (instance, log) in &options.slow_query_logs {
        out.push(AwsPanel {
            board: Board::Debug,
            title: format!("{instance}: slowest queries"),
            query: PanelQuery::Logs {
                log_groups: vec![slow_query_log_group(instance, *log)],
                query: slow_queries_query(*log).to_owned(),
                view: LogsView::Table,
            },
        });
    }
    let mut scaling = per_resource(&options.autoscaling_groups, "g", "Maximum", |g: &String| {
        ["GroupDesiredCapacity", "GroupInServiceInstances"]
            .map(|name| metric("AWS/AutoScaling", name, &[("AutoScalingGroupName", g)]))
            .to_vec()
    });
    scaling.extend(per_resource(
        &options.ecs_services,
        "t",
        "Maximum",
        |(cluster, service): &(String, String)| {
            ["DesiredTaskCount", "RunningTaskCount"]
                .map(|name| {
                    metric(
                        "ECS/ContainerInsights",
                        name,
                        &[("ClusterName", cluster), ("ServiceName", service)],
                    )
                })
                .to_vec()
        },
    ));
    scaling.extend(per_resource(
        &options.lambda_functions,
        "f",
        "Maximum",
        |f: &String| {
            vec![metric(
                "AWS/Lambda",
                "ConcurrentExecutions",
                &[("FunctionName", f)],
            )]
        },
    ));
    if !scaling.is_empty() {
        out.push(metrics_panel(Board::OnCall, "Scaling events", scaling));
    }
    for (i, (cluster, service)) in options.ecs_services.iter().enumerate() {
        let dims = [("ClusterName", cluster.as_str()), ("ServiceName", service)];
        let mut metrics = Vec::new();
        let mut expressions = Vec::new();
        for (kind, used, reserved) in [
            ("cpu", "CpuUtilized", "CpuReserved"),
            ("memory", "MemoryUtilized", "MemoryReserved"),
        ] {
            for (id, name) in [
                (format!("{kind}u{i}"), used),
                (format!("{kind}r{i}"), reserved),
            ] {
                if let Some(m) = metric("ECS/ContainerInsights", name, &dims) {
                    metrics.push(hidden(id, m, "Sum"));
                }
            }
            expressions.push((
                format!("{kind}{i}"),
                format!("100 * {kind}u{i} / {kind}r{i}"),
                format!("{kind} % of reserved"),
            ));
        }
        out.push(AwsPanel {
            board: Board::Debug,
            title: format!("{cluster}/{service}: containers (Container Insights)"),
            query: PanelQuery::Metrics {
                metrics,
                expressions,
                period: 60,
                region: None,
            },
        });
    }
    if let Some((service, environment)) = &options.application_signals {
        let dims = [("Environment", environment.as_str()), ("Service", service)];
        out.push(metrics_panel(
            Board::Debug,
            &format!("{service}: traced latency p99 and faults (Application Signals)"),
            [("lat", "Latency", "p99"), ("fault", "Fault", "Sum")]
                .into_iter()
                .filter_map(|(id, name, stat)| {
                    metric("ApplicationSignals", name, &dims).map(|m| shown(id.into(), m, stat))
                })
                .collect(),
        ));
        if !options.remote_services.is_empty() {
            out.push(metrics_panel(
                Board::Debug,
                &format!("{service}: dependency latency p99 (Application Signals)"),
                per_resource(&options.remote_services, "r", "p99", |remote: &String| {
                    vec![metric(
                        "ApplicationSignals",
                        "Latency",
                        &[
                            ("Environment", environment.as_str()),
                            ("RemoteService", remote),
                            ("Service", service),
                        ],
                    )]
                }),
            ));
        }
    }
    for (i, (label, metric, stat)) in options.dependencies.iter().enumerate() {
        out.push(metrics_panel(
            Board::Debug,
            label,
            vec![shown(format!("d{i}"), metric.clone(), &stat.to_string())],
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deploys_query_names_every_deploy_call_with_its_source() {
        let q = recent_deploys_query();
        for (source, name) in DEPLOY_EVENTS {
            let clause_start = q.find(&format!("eventSource = \"{source}\"")).unwrap();
            let clause = &q[clause_start..q[clause_start..].find(')').unwrap() + clause_start];
            assert!(
                clause.contains(&format!("\"{name}\"")),
                "{name} not under {source}"
            );
        }
        assert!(q.contains("\"CreateDeployment\""));
    }
}
