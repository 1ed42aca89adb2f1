//! A fetch: the request (queries over one time range) and what comes back (one series per
//! query, in order, each with its completeness), plus what it cost.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sli_core::Series;

use crate::error::{InputError, QueryError};
use crate::query::{MetricQuery, QueryId};
use crate::range::TimeRange;

/// Many queries over one time range: at least one query, no two with the same id, whether
/// built by [`FetchRequest::new`] or by `serde`.
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
/// # Ok::<(), aws_telemetry::QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FetchRequestFields")]
pub struct FetchRequest {
    queries: Vec<MetricQuery>,
    range: TimeRange,
}

/// A [`FetchRequest`] as a document has it, before the request-level checks.
#[derive(Deserialize)]
struct FetchRequestFields {
    queries: Vec<MetricQuery>,
    range: TimeRange,
}

impl TryFrom<FetchRequestFields> for FetchRequest {
    type Error = QueryError;

    fn try_from(fields: FetchRequestFields) -> Result<Self, QueryError> {
        Self::new(fields.queries, fields.range)
    }
}

impl FetchRequest {
    /// A request for `queries` over `range`.
    ///
    /// # Errors
    /// [`QueryError::EmptyRequest`] without queries; [`QueryError::DuplicateQueryId`] for a
    /// repeated id.
    pub fn new(queries: Vec<MetricQuery>, range: TimeRange) -> Result<Self, QueryError> {
        if queries.is_empty() {
            return Err(QueryError::EmptyRequest);
        }
        let mut seen = HashSet::with_capacity(queries.len());
        for (index, q) in queries.iter().enumerate() {
            if !seen.insert(q.id().as_str()) {
                return Err(QueryError::DuplicateQueryId {
                    id: q.id().to_string(),
                    index,
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
/// A plain output record: its fields are public to read (and to adjust, in a source of your
/// own); build one with [`FetchedSeries::new`] and the `with_*` methods, since fields may be
/// added. A [`MetricSource`](crate::MetricSource) returns one per query, in request order.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::{Completeness, FetchedSeries, QueryId};
///
/// let t = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let fetched = FetchedSeries::new(QueryId::new("requests")?, vec![(t, 1200.0)]).with_label("Requests");
/// assert!(fetched.is_complete());
/// assert_eq!(fetched.to_series("requests")?.unwrap().len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// The complete series of query `id` with `points` (`(period start, value)` in increasing
    /// time order), without label or messages.
    pub fn new(id: QueryId, points: Vec<(DateTime<Utc>, f64)>) -> Self {
        Self {
            id,
            label: None,
            points,
            completeness: Completeness::Complete,
            messages: Vec::new(),
        }
    }

    /// The same series with a label.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The same series with `completeness`.
    #[must_use]
    pub fn with_completeness(mut self, completeness: Completeness) -> Self {
        self.completeness = completeness;
        self
    }

    /// The same series with a message from the backend added.
    #[must_use]
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.messages.push(message.into());
        self
    }

    /// The points as a validated `sli-core` series, `None` when there are none.
    ///
    /// # Errors
    /// [`InputError::Sli`] for NaN values or timestamps out of order.
    pub fn to_series(&self, field: &'static str) -> Result<Option<Series<f64>>, InputError> {
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

    /// The one series of `fetched` with query id `id`.
    ///
    /// # Errors
    /// [`InputError::MissingSeries`] when there is none, and [`InputError::DuplicateSeries`]
    /// when there are several: reading the first would silently drop what the others hold
    /// (a second page, a second source's answer).
    pub(crate) fn by_id<'a>(fetched: &'a [Self], id: &str) -> Result<&'a Self, InputError> {
        let mut found = fetched.iter().filter(|s| s.id.as_str() == id);
        let first = found
            .next()
            .ok_or_else(|| InputError::MissingSeries { id: id.to_owned() })?;
        let more = found.count();
        if more > 0 {
            return Err(InputError::DuplicateSeries {
                id: id.to_owned(),
                count: more + 1,
            });
        }
        Ok(first)
    }
}

/// What a fetch cost: API calls, retries and datapoints returned (bounded retries with
/// backoff, the AWS guidance for throttled APIs, applied to our own calls).
///
/// A plain output record: fields are public to read; more counters may be added.
///
/// # Example
/// ```
/// let stats = aws_telemetry::FetchStats::default();
/// assert_eq!(stats.to_string(), "0 calls, 0 retries, 0 datapoints");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FetchStats {
    /// Requests sent (pages included).
    pub calls: u64,
    /// Requests retried after throttling or a server error.
    pub retries: u64,
    /// Datapoints received.
    pub datapoints: u64,
}

impl std::fmt::Display for FetchStats {
    /// `N calls, N retries, N datapoints`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} calls, {} retries, {} datapoints",
            self.calls, self.retries, self.datapoints
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::Metric;
    use crate::query::{Period, Statistic};
    use chrono::TimeZone;

    #[test]
    fn deserializing_a_request_checks_what_new_checks() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let range = TimeRange::new(t0, t0 + chrono::TimeDelta::hours(1)).unwrap();
        let q = |id| {
            MetricQuery::stat(
                id,
                Metric::new("App", "Requests").unwrap(),
                Statistic::Sum,
                Period::MINUTE,
            )
            .unwrap()
        };
        let as_json = |queries: &[MetricQuery]| {
            serde_json::json!({ "queries": queries, "range": range }).to_string()
        };
        for queries in [vec![], vec![q("a"), q("b"), q("a")]] {
            let want = FetchRequest::new(queries.clone(), range).unwrap_err();
            let err = serde_json::from_str::<FetchRequest>(&as_json(&queries))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(&want.to_string()), "{err}");
        }
        assert_eq!(
            FetchRequest::new(vec![q("a"), q("b"), q("a")], range).unwrap_err(),
            QueryError::DuplicateQueryId {
                id: "a".into(),
                index: 2
            }
        );
        // A reversed range inside a request is refused by the range itself.
        let reversed = serde_json::json!({
            "queries": [q("a")],
            "range": { "start": range.end(), "end": range.start() },
        });
        let err = serde_json::from_str::<FetchRequest>(&reversed.to_string()).unwrap_err();
        let want = TimeRange::new(range.end(), range.start()).unwrap_err();
        assert!(err.to_string().starts_with(&want.to_string()), "{err}");
        // A valid request round-trips.
        let ok = FetchRequest::new(vec![q("a"), q("b")], range).unwrap();
        let back: FetchRequest =
            serde_json::from_str(&serde_json::to_string(&ok).unwrap()).unwrap();
        assert_eq!(back, ok);
    }
}
