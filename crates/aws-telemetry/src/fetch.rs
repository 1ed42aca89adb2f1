//! A fetch: the request (queries over one time range) and what comes back (one series per
//! query, in order, each with its completeness), plus what it cost.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sli_core::Series;

use crate::error::{Error, Result};
use crate::query::{MetricQuery, QueryId, TimeRange};

/// Many queries over one time range.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::{FetchRequest, Metric, MetricQuery, Period, Statistic, TimeRange};
///
/// let range = TimeRange::new(Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(),
///                            Utc.with_ymd_and_hms(2024, 5, 2, 0, 0, 0).unwrap())?;
/// let q = |id: &str, name: &str| MetricQuery::stat(id, Metric::new("AWS/ApplicationELB", name)?,
///     Statistic::Sum, Period::MINUTE);
/// let request = FetchRequest::new(vec![q("requests", "RequestCount")?, q("errors", "HTTPCode_Target_5XX_Count")?], range)?;
/// assert_eq!(request.queries().len(), 2);
/// assert!(FetchRequest::new(vec![q("a", "X")?, q("a", "Y")?], range).is_err()); // duplicate id
/// assert!(FetchRequest::new(vec![], range).is_err());
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchRequest {
    queries: Vec<MetricQuery>,
    range: TimeRange,
}

impl FetchRequest {
    /// A request for `queries` over `range`.
    ///
    /// # Errors
    /// [`Error::EmptyRequest`] without queries; [`Error::InvalidQuery`] for a repeated id.
    pub fn new(queries: Vec<MetricQuery>, range: TimeRange) -> Result<Self> {
        if queries.is_empty() {
            return Err(Error::EmptyRequest);
        }
        let mut seen = HashSet::with_capacity(queries.len());
        for q in &queries {
            if !seen.insert(q.id.as_str()) {
                return Err(Error::InvalidQuery {
                    id: q.id.to_string(),
                    reason: "the id is used by another query of the request".into(),
                });
            }
        }
        Ok(Self { queries, range })
    }

    /// The queries, in order.
    pub fn queries(&self) -> &[MetricQuery] {
        &self.queries
    }

    /// The time range.
    pub fn range(&self) -> TimeRange {
        self.range
    }
}

/// Whether a series holds everything the source has for its query and range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Completeness {
    /// All of it.
    Complete,
    /// Some of it; the reason says why (CloudWatch's `PartialData` or `InternalError` status and
    /// its messages).
    Partial {
        /// Why the data is partial.
        reason: String,
    },
}

impl std::fmt::Display for Completeness {
    /// `complete`, or `partial: ` and the reason.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Complete => f.write_str("complete"),
            Self::Partial { reason } => write!(f, "partial: {reason}"),
        }
    }
}

/// One query's result: timestamped values in increasing time order.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::{Completeness, FetchedSeries, QueryId};
///
/// let t = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let fetched = FetchedSeries { id: QueryId::new("requests")?, label: None,
///     points: vec![(t, 1200.0)], completeness: Completeness::Complete, messages: vec![] };
/// assert_eq!(fetched.to_series("requests")?.unwrap().len(), 1);
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FetchedSeries {
    /// The query's id.
    pub id: QueryId,
    /// The label the source gave the series.
    pub label: Option<String>,
    /// `(period start, value)` in increasing time order; empty when there was no data.
    pub points: Vec<(DateTime<Utc>, f64)>,
    /// Whether everything was returned.
    pub completeness: Completeness,
    /// What the backend said about this series (CloudWatch's `Messages`, e.g. an arithmetic
    /// error in metric math), even when complete.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<String>,
}

impl FetchedSeries {
    /// The points as a validated `sli-core` series, `None` when there are none.
    ///
    /// # Errors
    /// [`Error::Sli`] for NaN values or timestamps out of order.
    pub fn to_series(&self, field: &'static str) -> Result<Option<Series<f64>>> {
        if self.points.is_empty() {
            return Ok(None);
        }
        Ok(Some(Series::from_values(
            field,
            self.points.iter().copied(),
        )?))
    }

    /// `true` when the series is [`Completeness::Complete`].
    pub fn is_complete(&self) -> bool {
        self.completeness == Completeness::Complete
    }
}

/// What a fetch cost: API calls, retries and datapoints returned (the seed's F1 mitigation,
/// "backoff and retries", applied to ourselves).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FetchStats {
    /// Requests sent (pages included).
    pub calls: u64,
    /// Requests retried after throttling or a server error.
    pub retries: u64,
    /// Datapoints received.
    pub datapoints: u64,
}
