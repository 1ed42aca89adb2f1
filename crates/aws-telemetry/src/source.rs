//! [`MetricSource`]: the one trait every telemetry backend implements.

use std::fmt::{Debug, Display};
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::FetchError;
use crate::fetch::{FetchRequest, FetchedSeries};
use crate::range::TimeRange;

/// A source of metric series: CloudWatch, a file replay, memory.
///
/// Object safe and `Send + Sync`: hold it as `Arc<dyn MetricSource>` ([`DynMetricSource`]).
/// One required method, [`MetricSource::fetch`]; the one provided method,
/// [`MetricSource::span`], answers `None` unless a source knows better, so a wrapper that
/// forgets to forward it loses an optimisation, never a result (this crate's `Arc` and `Box`
/// forwarding is checked by `clippy::missing_trait_methods`).
///
/// # Contract
/// `fetch` returns exactly one [`FetchedSeries`] per query, in request order, each carrying its
/// query's id, with points in increasing time order. Periods are aligned to the Unix epoch
/// (multiples of the period), and every period that overlaps the request's range is returned
/// whole: a range starting at 00:00:30 with 60 s periods starts with the 00:00 period, as
/// CloudWatch answers. A metric without data gives an empty, complete series, not an error.
/// Every implementation in this crate passes the same contract tests.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use aws_telemetry::{DynMetricSource, FetchRequest, InMemorySource, Metric, MetricQuery, Period, Statistic, TimeRange};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let memory = InMemorySource::new();
/// let requests = Metric::new("AWS/ApplicationELB", "RequestCount")?;
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// memory.insert(requests.clone(), (0..120).map(|s| (t0 + TimeDelta::seconds(s), 1.0)))?;
///
/// let source: Arc<DynMetricSource> = Arc::new(memory);
/// let query = MetricQuery::stat("requests", requests, Statistic::Sum, Period::MINUTE)?;
/// let range = TimeRange::new(t0, t0 + TimeDelta::minutes(2))?;
/// let fetched = source.fetch(&FetchRequest::new(vec![query], range)?).await?;
/// assert_eq!(fetched[0].points, vec![(t0, 60.0), (t0 + TimeDelta::minutes(1), 60.0)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[async_trait]
pub trait MetricSource: Debug + Display + Send + Sync + 'static {
    /// Fetches every query of `request` over its range.
    ///
    /// # Errors
    /// A [`FetchError`]: what the source refuses (metric math it does not evaluate, a range
    /// beyond its retention) before any I/O, a statistic beyond `f64`, or its backend's
    /// failure ([`FetchError::Service`]). See each source.
    async fn fetch(&self, request: &FetchRequest) -> Result<Vec<FetchedSeries>, FetchError>;

    /// The time range the source holds samples for, when it knows it without a query: from the
    /// first sample to just after the last (1 ns later), so that a fetch over it returns every
    /// sample. `None` when the source holds none, or cannot tell without asking (CloudWatch,
    /// whose retention is per resolution).
    ///
    /// # Example
    /// ```
    /// use chrono::{TimeDelta, TimeZone, Utc};
    /// use aws_telemetry::{InMemorySource, Metric, MetricSource};
    ///
    /// let memory = InMemorySource::new();
    /// assert_eq!(memory.span(), None);
    /// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    /// memory.insert(Metric::new("App", "Requests")?, [(t0, 1.0), (t0 + TimeDelta::hours(1), 1.0)])?;
    /// let span = memory.span().unwrap();
    /// assert_eq!((span.start(), span.end()), (t0, t0 + TimeDelta::hours(1) + TimeDelta::nanoseconds(1)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn span(&self) -> Option<TimeRange> {
        None
    }
}

/// A metric source behind a pointer: `Arc<DynMetricSource>`.
pub type DynMetricSource = dyn MetricSource;

macro_rules! forward_metric_source {
    ($($pointer:ident),*) => {$(
        #[async_trait]
        #[deny(clippy::missing_trait_methods)]
        impl<T: MetricSource + ?Sized> MetricSource for $pointer<T> {
            async fn fetch(&self, request: &FetchRequest) -> Result<Vec<FetchedSeries>, FetchError> {
                (**self).fetch(request).await
            }

            fn span(&self) -> Option<TimeRange> {
                (**self).span()
            }
        }
    )*};
}

forward_metric_source!(Arc, Box);
