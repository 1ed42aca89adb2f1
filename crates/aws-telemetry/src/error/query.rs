//! [`QueryError`]: building what to ask a source.

use chrono::{DateTime, NaiveDate, Utc};

/// A metric, dimension, statistic, period, query, time range or request that breaks
/// CloudWatch's rules (or this crate's), refused when it is built (by its constructor, or by
/// `serde` when it is deserialized: the same checks, the same error), before any I/O.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, QueryError};
///
/// let err = Metric::new("AWS/ApplicationELB", "").unwrap_err();
/// assert!(matches!(err, QueryError::InvalidMetric { field: "name", .. }));
/// assert_eq!(err.to_string(), "metric name \"\" is invalid: must not be empty");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// A namespace, metric name, dimension name or dimension value outside CloudWatch's rules.
    #[error("metric {field} {} is invalid: {reason}", sli_core::Excerpt(value))]
    InvalidMetric {
        /// Which part: `namespace`, `name`, `dimension name` or `dimension value`.
        field: &'static str,
        /// The value given.
        value: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A dimension past the most a metric has.
    #[error("dimension {name:?} would be one too many: a metric has at most {max} dimensions")]
    TooManyDimensions {
        /// The dimension that did not fit.
        name: String,
        /// The most a metric has (30).
        max: usize,
    },
    /// A deserialized metric naming a dimension twice (a document must say which value it
    /// means; [`Metric::with_dimension`](crate::Metric::with_dimension) replaces instead).
    #[error("dimension {name:?} is given twice")]
    DuplicateDimension {
        /// The dimension's name.
        name: String,
    },
    /// A statistic that is not one of CloudWatch's, or out of its range.
    #[error("statistic {} is invalid: {reason}", sli_core::Excerpt(text))]
    InvalidStatistic {
        /// The statistic as written.
        text: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A period CloudWatch does not accept.
    #[error("period of {seconds} s is invalid: {reason}")]
    InvalidPeriod {
        /// The period given, in seconds.
        seconds: u32,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A query id outside CloudWatch's rule for `MetricDataQuery.Id`.
    #[error(
        "query id {} is invalid: an id starts with a lowercase letter and holds only ASCII letters, digits and _ (at most 255)",
        sli_core::Excerpt(id)
    )]
    InvalidQueryId {
        /// The id given.
        id: String,
    },
    /// A query whose statistic or expression CloudWatch would refuse.
    #[error(
        "query {id:?}: {field} {} is invalid: {reason}",
        sli_core::Excerpt(value)
    )]
    InvalidQuery {
        /// The query's id.
        id: String,
        /// The part at fault: `stat` or `expression`.
        field: &'static str,
        /// Its value, as CloudWatch would be sent it.
        value: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A time range that is empty or reversed.
    #[error("time range {start} .. {end} is empty or reversed")]
    InvalidTimeRange {
        /// Start of the range.
        start: DateTime<Utc>,
        /// End of the range.
        end: DateTime<Utc>,
    },
    /// A date range that is empty or reversed (its end is exclusive).
    #[error("date range {start} .. {end} is empty or reversed")]
    InvalidDateRange {
        /// First day.
        start: NaiveDate,
        /// Day after the last.
        end: NaiveDate,
    },
    /// A request without a query.
    #[error("the request has no query")]
    EmptyRequest,
    /// A request with two queries of the same id (results are returned by id).
    #[error("query {index} of the request reuses the id {id:?}")]
    DuplicateQueryId {
        /// The id.
        id: String,
        /// The 0-based position of the second query with it.
        index: usize,
    },
    /// A metric name a source does not hold ([`CsvSource::metric`](crate::CsvSource::metric)).
    #[error("{source_name} has no metric {name:?} (it has {})", known.join(", "))]
    UnknownMetric {
        /// The name asked for.
        name: String,
        /// The source, as it displays itself.
        source_name: String,
        /// The names it holds.
        known: Vec<String>,
    },
}
