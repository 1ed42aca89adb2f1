//! [`MetricSink`]: where computed series (SLIs, burn rates, budgets) are published, so that
//! alarms can watch them. One small trait; [`InMemorySource`](crate::InMemorySource) is the
//! in-memory implementation, `CloudWatchSink` (feature `cloudwatch`) the real one.

use std::fmt::{Debug, Display};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::memory::InMemorySource;
use crate::query::Metric;

/// A destination for metric samples.
///
/// # Example
/// ```
/// use chrono::Utc;
/// use aws_telemetry::{InMemorySource, Metric, MetricSink};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let memory = InMemorySource::new();
/// let burn = Metric::new("SLO/checkout", "BurnRate1h")?;
/// memory.put(&burn, &[(Utc::now(), 2.5)]).await?;
/// assert_eq!(memory.metrics(), vec![burn]);
/// # Ok::<(), aws_telemetry::Error>(())
/// # }).unwrap();
/// ```
#[async_trait]
pub trait MetricSink: Debug + Display + Send + Sync + 'static {
    /// Publishes `samples` of `metric`; returns the number of backend calls made.
    ///
    /// # Errors
    /// Backend-specific; invalid samples are refused before any call.
    async fn put(&self, metric: &Metric, samples: &[(DateTime<Utc>, f64)]) -> Result<usize>;
}

#[async_trait]
impl MetricSink for InMemorySource {
    async fn put(&self, metric: &Metric, samples: &[(DateTime<Utc>, f64)]) -> Result<usize> {
        self.insert(metric.clone(), samples.iter().copied())?;
        Ok(1)
    }
}
