//! [`apply`]: creates or updates compiled alarms and dashboards through PutMetricAlarm,
//! PutCompositeAlarm and PutDashboard.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric as SdkMetric, MetricDataQuery as SdkQuery,
    MetricStat as SdkStat, Tag,
};

use aws_telemetry::sdk::{Attempts, map_sdk_error, retry_config};
use aws_telemetry::{RetryPolicy, ServiceError};

use super::model::{AlarmTag, CompositeAlarm, Dashboard, MetricAlarm, MetricDataQuery};

/// The SDK's tags (`None` without tags: PutMetricAlarm leaves the alarm's tags as they are
/// then).
fn to_sdk_tags(tags: &[AlarmTag]) -> Option<Vec<Tag>> {
    (!tags.is_empty()).then(|| {
        tags.iter()
            .map(|t| Tag::builder().key(&t.key).value(&t.value).build())
            .collect()
    })
}

/// The backend named in errors.
const BACKEND: &str = "CloudWatch";

/// What [`apply`] did.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::ApplyReport;
/// let report = ApplyReport::default();
/// assert_eq!(report.metric_alarms + report.composite_alarms + report.dashboards, 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ApplyReport {
    /// Metric alarms put.
    pub metric_alarms: usize,
    /// Composite alarms put.
    pub composite_alarms: usize,
    /// Dashboards put.
    pub dashboards: usize,
}

fn to_sdk_query(q: &MetricDataQuery) -> SdkQuery {
    let stat = q.metric_stat.as_ref().map(|ms| {
        SdkStat::builder()
            .metric(
                SdkMetric::builder()
                    .namespace(&ms.metric.namespace)
                    .metric_name(&ms.metric.metric_name)
                    .set_dimensions(Some(
                        ms.metric
                            .dimensions
                            .iter()
                            .map(|d| Dimension::builder().name(&d.name).value(&d.value).build())
                            .collect(),
                    ))
                    .build(),
            )
            .period(i32::try_from(ms.period).unwrap_or(i32::MAX))
            .stat(&ms.stat)
            .build()
    });
    SdkQuery::builder()
        .id(&q.id)
        .set_expression(q.expression.clone())
        .set_metric_stat(stat)
        .set_label(q.label.clone())
        .set_period(q.period.map(|p| i32::try_from(p).unwrap_or(i32::MAX)))
        .return_data(q.return_data)
        .build()
}

async fn put_metric_alarm(client: &Client, alarm: &MetricAlarm) -> Result<(), ServiceError> {
    let counter = Attempts::default();
    let operator = ComparisonOperator::from(alarm.comparison_operator.as_str());
    client
        .put_metric_alarm()
        .alarm_name(&alarm.alarm_name)
        .set_alarm_description(alarm.alarm_description.clone())
        .actions_enabled(alarm.actions_enabled)
        .set_alarm_actions(Some(alarm.alarm_actions.clone()))
        .set_ok_actions(Some(alarm.ok_actions.clone()))
        .set_metrics(Some(alarm.metrics.iter().map(to_sdk_query).collect()))
        .comparison_operator(operator)
        .threshold(alarm.threshold)
        .evaluation_periods(i32::try_from(alarm.evaluation_periods).unwrap_or(i32::MAX))
        .datapoints_to_alarm(i32::try_from(alarm.datapoints_to_alarm).unwrap_or(i32::MAX))
        .treat_missing_data(alarm.treat_missing_data.as_str())
        .set_tags(to_sdk_tags(&alarm.tags))
        .customize()
        .interceptor(counter.clone())
        .send()
        .await
        .map_err(|e| map_sdk_error(BACKEND, e, counter.count()))?;
    Ok(())
}

/// Creates or updates `metric_alarms`, then `composite_alarms` (in order: children before
/// parents, as [`Compiled::composite_alarms`](super::Compiled::composite_alarms) lists
/// them), then the `dashboards`, with `region` and `account` filled into the
/// dashboards' alarm ARNs. The Put operations replace an existing definition of the same name,
/// so applying the same definitions again changes nothing: `apply` is idempotent. The
/// maintenance alarms are put with the other metric alarms; their EventBridge Scheduler
/// schedules are not (another service's API): deploy them with
/// [`Compiled::cloudformation`](super::Compiled::cloudformation).
///
/// # Errors
/// The mapped SDK error of the first failed call ([`ServiceError::Throttled`] past the
/// retries, [`ServiceError::PermissionDenied`], [`ServiceError::Backend`]); what was put
/// before it stays.
///
/// # Example
/// ```no_run
/// # async fn run(compiled: slo_compiler::cloudwatch::Compiled) -> Result<(), Box<dyn std::error::Error>> {
/// use aws_telemetry::RetryPolicy;
/// use slo_compiler::cloudwatch::{apply, DashboardOptions};
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let client = aws_sdk_cloudwatch::Client::new(&config);
/// let dashboards = compiled.dashboards(&DashboardOptions::default())?;
/// let report = apply(&client, RetryPolicy::default(), compiled.metric_alarms(),
///     compiled.composite_alarms(), &dashboards, "us-east-1", "123456789012").await?;
/// println!("{} alarms", report.metric_alarms + report.composite_alarms);
/// # Ok(()) }
/// ```
pub async fn apply<'a>(
    client: &Client,
    retry: RetryPolicy,
    metric_alarms: impl IntoIterator<Item = &'a MetricAlarm>,
    composite_alarms: impl IntoIterator<Item = &'a CompositeAlarm>,
    dashboards: &[Dashboard],
    region: &str,
    account: &str,
) -> Result<ApplyReport, ServiceError> {
    let client = Client::from_conf(
        client
            .config()
            .to_builder()
            .retry_config(retry_config(retry))
            .build(),
    );
    let mut report = ApplyReport::default();
    for alarm in metric_alarms {
        put_metric_alarm(&client, alarm).await?;
        report.metric_alarms += 1;
    }
    for composite in composite_alarms {
        let counter = Attempts::default();
        client
            .put_composite_alarm()
            .alarm_name(&composite.alarm_name)
            .set_alarm_description(composite.alarm_description.clone())
            .alarm_rule(&composite.alarm_rule)
            .actions_enabled(composite.actions_enabled)
            .set_alarm_actions(Some(composite.alarm_actions.clone()))
            .set_ok_actions(Some(composite.ok_actions.clone()))
            .set_actions_suppressor(composite.actions_suppressor.clone())
            .set_actions_suppressor_wait_period(
                composite
                    .actions_suppressor_wait_period
                    .map(|s| i32::try_from(s).unwrap_or(i32::MAX)),
            )
            .set_actions_suppressor_extension_period(
                composite
                    .actions_suppressor_extension_period
                    .map(|s| i32::try_from(s).unwrap_or(i32::MAX)),
            )
            .set_tags(to_sdk_tags(&composite.tags))
            .customize()
            .interceptor(counter.clone())
            .send()
            .await
            .map_err(|e| map_sdk_error(BACKEND, e, counter.count()))?;
        report.composite_alarms += 1;
    }
    for dashboard in dashboards {
        let counter = Attempts::default();
        let output = client
            .put_dashboard()
            .dashboard_name(&dashboard.name)
            .dashboard_body(dashboard.body_for(region, account))
            .customize()
            .interceptor(counter.clone())
            .send()
            .await
            .map_err(|e| map_sdk_error(BACKEND, e, counter.count()))?;
        if let Some(message) = output
            .dashboard_validation_messages()
            .iter()
            .find_map(|m| m.message())
        {
            return Err(ServiceError::InvalidResponse {
                backend: BACKEND,
                reason: format!("dashboard {}: {message}", dashboard.name),
            });
        }
        report.dashboards += 1;
    }
    Ok(report)
}
