//! [`MetricSink`]: where computed series (SLIs, burn rates, budgets) are published, so that
//! alarms can watch them. One small trait; [`InMemorySource`](crate::InMemorySource) is the
//! in-memory implementation, `CloudWatchSink` (feature `cloudwatch`) the real one.

use std::fmt::{Debug, Display};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::PutError;
use crate::memory::InMemorySource;
use crate::metric::Metric;

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
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[async_trait]
pub trait MetricSink: Debug + Display + Send + Sync + 'static {
    /// Publishes `samples` of `metric`; returns the number of backend calls made.
    ///
    /// # Errors
    /// A [`PutError`]: samples (or a namespace) the destination refuses, before any call; or
    /// the backend's failure. See each sink.
    async fn put(
        &self,
        metric: &Metric,
        samples: &[(DateTime<Utc>, f64)],
    ) -> Result<usize, PutError>;
}

#[async_trait]
impl MetricSink for InMemorySource {
    /// Adds the samples, as [`InMemorySource::insert`]; one "call".
    async fn put(
        &self,
        metric: &Metric,
        samples: &[(DateTime<Utc>, f64)],
    ) -> Result<usize, PutError> {
        self.insert(metric.clone(), samples.iter().copied())?;
        Ok(1)
    }
}
