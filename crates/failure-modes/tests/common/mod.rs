//! Helpers shared by the integration tests that go from a `MetricSource` to findings.

use aws_telemetry::{InMemorySource, MetricQuery, QueryKind};
use chrono::{DateTime, Utc};

/// Stores `points` under the metric of the detector's query `id`.
///
/// # Panics
/// When no query has that id or it is a metric-math expression.
#[allow(clippy::unwrap_used, clippy::panic)]
pub(crate) fn store(
    source: &InMemorySource,
    queries: &[MetricQuery],
    id: &str,
    points: Vec<(DateTime<Utc>, f64)>,
) {
    let query = queries.iter().find(|q| q.id().as_str() == id).unwrap();
    let QueryKind::Stat { metric, .. } = query.kind() else {
        panic!("{id} is not a metric")
    };
    source.insert(metric.clone(), points).unwrap();
}
