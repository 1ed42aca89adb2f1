//! What reading and writing metrics can fail with: [`FetchError`], [`PutError`],
//! [`InputError`] and [`ReadError`], which joins them for the one-call reads.

use chrono::{DateTime, Utc};

use super::{QueryError, ServiceError};
use crate::query::{Period, Statistic};
use crate::range::TimeRange;

/// What [`MetricSource::fetch`](crate::MetricSource::fetch) can fail with.
///
/// A request is valid once built ([`FetchRequest::new`](crate::FetchRequest::new)), so what is
/// left is what a source refuses (a query beyond CloudWatch's retention, metric math where
/// it is not evaluated), a statistic beyond `f64`, and its backend's failures.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use aws_telemetry::{FetchError, FetchRequest, InMemorySource, MetricQuery, MetricSource, Period, TimeRange};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let math = MetricQuery::expression("ratio", "errors / requests", Period::MINUTE)?;
/// let request = FetchRequest::new(vec![math], TimeRange::new(t0, t0 + TimeDelta::hours(1))?)?;
/// let err = InMemorySource::new().fetch(&request).await.unwrap_err();
/// assert!(matches!(err, FetchError::Unsupported { .. }));
/// assert_eq!(err.to_string(), "InMemory does not support metric-math expressions (query \"ratio\")");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// A query reaching back further than CloudWatch keeps data at its period (sub-minute
    /// data 3 hours, one-minute data 15 days, five-minute data 63 days, and no data past 455
    /// days at any period: "Metrics retention", Amazon CloudWatch User Guide).
    #[error("query {id:?}: a period of {period} cannot read back to {start}: {reason}")]
    BeyondRetention {
        /// The query's id.
        id: String,
        /// Its period.
        period: Period,
        /// The start of the request's range.
        start: DateTime<Utc>,
        /// The retention rule and the period that would do.
        reason: &'static str,
    },
    /// A request with metric math that does not fit in one GetMetricData call (an
    /// expression reads only the queries of its own call).
    #[error(
        "a request with metric math must fit in one GetMetricData call: {count} queries, at most {max}"
    )]
    TooManyQueries {
        /// The queries in the request.
        count: usize,
        /// The most one call takes (500).
        max: usize,
    },
    /// A request with metric math holding a query whose period does not divide the longest
    /// period among its queries. Every query of such a request shares each call, and calls are
    /// cut at whole longest periods so that no period is split; a period that does not divide
    /// it would need a cut unit of their common multiple, which can be far longer than the
    /// request (and past what one call returns). Give the query a period that divides the
    /// longest one, or fetch it in a request of its own.
    #[error(
        "query {id:?}: a period of {period} does not divide the period {longest} of query {longest_id:?}: in a request with metric math every period must divide the longest"
    )]
    MathPeriodsNotNested {
        /// The query's id.
        id: String,
        /// Its period.
        period: Period,
        /// The query with the longest period.
        longest_id: String,
        /// The longest period.
        longest: Period,
    },
    /// A request with metric math whose queries return more than one GetMetricData call's
    /// datapoints over a single one of its longest periods (e.g. a one-year period beside a
    /// one-minute one: 525,600 datapoints), so that no call can hold a whole longest period.
    #[error(
        "query {id:?}: one period of {period} holds {datapoints} datapoints of the request's queries, more than the {max} one GetMetricData call returns"
    )]
    MathPeriodTooLong {
        /// The query with the longest period.
        id: String,
        /// The longest period.
        period: Period,
        /// The datapoints of all the request's queries in one longest period.
        datapoints: u64,
        /// The most one call returns (100,800).
        max: u64,
    },
    /// A request that would take more than 1,000 GetMetricData calls: a range much longer
    /// than the data CloudWatch keeps, or a great many queries over a long range at a short
    /// period. GetMetricData is billed per metric in every call, so such a request is refused
    /// before any call; split its range or its queries into several fetches.
    #[error(
        "the request ({queries} queries over {range}) needs more than {max} GetMetricData calls: split its range or its queries"
    )]
    TooManyCalls {
        /// The queries in the request.
        queries: usize,
        /// The request's time range.
        range: TimeRange,
        /// The most calls one fetch makes (1,000).
        max: usize,
    },
    /// A kind of query the source cannot answer (e.g. metric math in memory).
    #[error("{source_name} does not support {what} (query {id:?})")]
    Unsupported {
        /// The source's name.
        source_name: &'static str,
        /// What it cannot do.
        what: &'static str,
        /// The first query asking for it.
        id: String,
    },
    /// A statistic of finite samples beyond `f64`'s range (a `Sum` past `f64::MAX`).
    #[error("query {id:?}: the {statistic} of the period starting {at} overflows f64")]
    Overflow {
        /// The query's id.
        id: String,
        /// The statistic.
        statistic: Statistic,
        /// The start of the period.
        at: DateTime<Utc>,
    },
    /// The backend failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// What [`MetricSink::put`](crate::MetricSink::put) and
/// [`InMemorySource::insert`](crate::InMemorySource::insert) can fail with.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::{InMemorySource, Metric, PutError};
///
/// let t = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let err = InMemorySource::new().insert(Metric::new("App", "Latency")?, [(t, 1.0), (t, f64::NAN)]).unwrap_err();
/// assert!(matches!(err, PutError::InvalidSample { index: 1, .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PutError {
    /// A namespace reserved for AWS services (`AWS/…`): custom metrics cannot be put there.
    #[error("namespace {namespace:?} is reserved for AWS services")]
    ReservedNamespace {
        /// The namespace.
        namespace: String,
    },
    /// A sample the destination refuses, refused before anything is written.
    #[error("sample {index} ({at}, {}) is invalid: {reason}", sli_core::ExactValue(*.value))]
    InvalidSample {
        /// Its 0-based position among the samples given.
        index: usize,
        /// Its timestamp.
        at: DateTime<Utc>,
        /// Its value.
        value: f64,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// The backend failed; samples of the calls before it were written.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// What turning fetched series into `sli-core` inputs can fail with: a series the backend
/// marked partial, a series missing, nothing to count, or values `sli-core` refuses.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::{counts_from_bad, Completeness, FetchedSeries, InputError, QueryId};
///
/// let t = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let total = FetchedSeries::new(QueryId::new("requests")?, vec![(t, 1000.0)])
///     .with_completeness(Completeness::Partial { reason: "PartialData".into() });
/// let bad = FetchedSeries::new(QueryId::new("errors")?, vec![]);
/// let err = counts_from_bad(&total, &bad).unwrap_err();
/// assert_eq!(err.to_string(), "series \"requests\" is incomplete: PartialData");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// A series marked partial where complete data is needed (e.g. to count good and total
    /// events: a missing page would read as missing traffic).
    #[error("series {id:?} is incomplete: {reason}")]
    IncompleteData {
        /// The series' query id.
        id: String,
        /// Why the backend marked it partial.
        reason: String,
    },
    /// A series the conversion needs is not among those fetched.
    #[error("no series with the query id {id:?} among those fetched")]
    MissingSeries {
        /// The query id.
        id: String,
    },
    /// Several series with one query id among those fetched: which one holds the data is
    /// not known, so none is read.
    #[error("{count} series with the query id {id:?} among those fetched, where one is expected")]
    DuplicateSeries {
        /// The query id.
        id: String,
        /// How many series carry it.
        count: usize,
    },
    /// Nothing to convert: the metrics asked for hold no sample in the range.
    #[error("no data: {what}")]
    NoData {
        /// What was asked for, and where.
        what: String,
    },
    /// A reading that cannot be used: NaN, infinite or negative where an amount is needed.
    #[error("{what} reading {index} ({at}) is {}, not a finite amount >= 0", sli_core::ExactValue(*.value))]
    InvalidValue {
        /// What the value is, e.g. `EstimatedCharges`.
        what: &'static str,
        /// Its 0-based position among the readings given.
        index: usize,
        /// When.
        at: DateTime<Utc>,
        /// The value.
        value: f64,
    },
    /// A percentile rank outside [0, 100] (or NaN) in the rank series given to
    /// [`threshold_counts`](crate::threshold_counts), naming the point.
    #[error("percentile rank {} is not within [0, 100]{position}", sli_core::ExactValue(*.value))]
    InvalidPercentileRank {
        /// The rank, in percent.
        value: f64,
        /// The point: its index among the joined points and its timestamp.
        position: sli_core::Position,
    },
    /// Fetched data `sli-core` refuses (more errors than requests at a timestamp, a NaN, an
    /// SLI of the wrong kind…), naming the point.
    #[error("fetched data is not a valid SLI input")]
    Sli(#[from] sli_core::Error),
}

/// What the one-call reads ([`read_counts`](crate::read_counts),
/// [`read_signal`](crate::catalog::read_signal) and their async forms) can fail with: each of
/// their steps' errors, kept whole, and a range they could not choose.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A read without a time range from a source that reports no span: it holds no data, or
    /// cannot tell without a query (CloudWatch). Give the range.
    #[error(
        "{source_name} reports no span for its data (it holds none, or cannot tell): give a time range"
    )]
    UnknownSpan {
        /// The source, as it displays itself.
        source_name: String,
    },
    /// The queries could not be built.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The fetch failed.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// What was fetched could not be converted.
    #[error(transparent)]
    Input(#[from] InputError),
}
