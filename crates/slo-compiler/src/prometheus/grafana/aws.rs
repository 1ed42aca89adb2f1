//! The AWS panels of the CloudWatch dashboards, drawn through Grafana's CloudWatch data source
//! (a dashboard variable `cloudwatch`).

use serde_json::{Value, json};

use super::panel;
use crate::cloudwatch::panels::{AwsPanel, LogsView, PanelQuery};

const CLOUDWATCH: &str = "${cloudwatch}";

/// A panel drawing an AWS panel through Grafana's CloudWatch data source.
pub(super) fn cloudwatch_panel(aws: &AwsPanel) -> Value {
    let datasource = json!({"type": "cloudwatch", "uid": CLOUDWATCH});
    match &aws.query {
        PanelQuery::Metrics {
            metrics,
            expressions,
            period,
            region,
        } => {
            let region = region.unwrap_or("default");
            let mut targets: Vec<Value> = metrics
                .iter()
                .map(|m| {
                    let dimensions: serde_json::Map<String, Value> = m
                        .metric
                        .dimensions()
                        .iter()
                        .map(|d| (d.name().to_owned(), json!([d.value()])))
                        .collect();
                    json!({"datasource": datasource, "queryMode": "Metrics",
                           "metricQueryType": 0, "metricEditorMode": 0,
                           "namespace": m.metric.namespace(), "metricName": m.metric.name(),
                           "dimensions": dimensions, "matchExact": true, "statistic": m.stat,
                           "period": period.to_string(), "region": region, "id": m.id,
                           "hide": !m.visible})
                })
                .collect();
            targets.extend(expressions.iter().map(|(id, expression, label)| {
                json!({"datasource": datasource, "queryMode": "Metrics", "metricQueryType": 0,
                       "metricEditorMode": 1, "expression": expression, "id": id,
                       "label": label, "period": period.to_string(), "region": region})
            }));
            panel("timeseries", &aws.title, targets, "short", &datasource)
        }
        PanelQuery::Logs {
            log_groups,
            query,
            view,
        } => panel(
            match view {
                LogsView::Table => "table",
                LogsView::TimeSeries => "timeseries",
            },
            &aws.title,
            vec![
                json!({"datasource": datasource, "queryMode": "Logs", "region": "default",
                        "logGroupNames": log_groups, "expression": query}),
            ],
            "none",
            &datasource,
        ),
    }
}
