//! Conversions between the toolkit's types and the SDK's, kept in one place so that no SDK type
//! leaks into the public API.

use aws_sdk_cloudwatch::types as cw;

use crate::metric::Metric;
use crate::query::{MetricQuery, QueryKind};

pub(super) const BACKEND: &str = "CloudWatch";

pub(super) fn to_sdk_metric(metric: &Metric) -> cw::Metric {
    cw::Metric::builder()
        .namespace(metric.namespace())
        .metric_name(metric.name())
        .set_dimensions(Some(
            metric
                .dimensions()
                .iter()
                .map(|d| {
                    cw::Dimension::builder()
                        .name(d.name())
                        .value(d.value())
                        .build()
                })
                .collect(),
        ))
        .build()
}

pub(super) fn to_sdk_query(query: &MetricQuery) -> cw::MetricDataQuery {
    let builder = cw::MetricDataQuery::builder()
        .id(query.id().as_str())
        .return_data(true);
    let builder = match query.label() {
        Some(label) => builder.label(label),
        None => builder,
    };
    match query.kind() {
        QueryKind::Stat {
            metric,
            stat,
            period,
        } => builder
            .metric_stat(
                cw::MetricStat::builder()
                    .metric(to_sdk_metric(metric))
                    .period(period.seconds() as i32)
                    .stat(stat.to_string())
                    .build(),
            )
            .build(),
        QueryKind::Expression { expression, period } => builder
            .expression(expression)
            .period(period.seconds() as i32)
            .build(),
    }
}
