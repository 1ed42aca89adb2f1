//! The crate's error type: one enum, each variant naming the rejected value and where it was.

use std::path::PathBuf;

use chrono::{DateTime, Utc};

/// A boxed error from a backend, kept as the `source` of [`Error`] variants.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in `aws-telemetry`.
///
/// Messages name the value and position; they never repeat the `source` error, which a
/// reporter prints from [`std::error::Error::source`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A query that cannot be asked: bad id, unknown reference, empty expression…
    #[error("query {id:?}: {reason}")]
    InvalidQuery {
        /// The query id as given.
        id: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A request with no query.
    #[error("the request has no query")]
    EmptyRequest,
    /// A time range that is empty or reversed.
    #[error("time range {start} .. {end} is empty or reversed")]
    InvalidTimeRange {
        /// Start of the range.
        start: DateTime<Utc>,
        /// End of the range.
        end: DateTime<Utc>,
    },
    /// A period CloudWatch does not accept.
    #[error("period of {seconds} s is invalid: {reason}")]
    InvalidPeriod {
        /// The period given.
        seconds: u32,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A statistic name that is not one of CloudWatch's.
    #[error(
        "unknown statistic {text:?}: expected Sum, Average, Minimum, Maximum, SampleCount, pNN or PR(:bound)"
    )]
    UnknownStatistic {
        /// The text given.
        text: String,
    },
    /// A metric name, namespace or dimension outside CloudWatch's rules.
    #[error("metric {field} {value:?} is invalid: {reason}")]
    InvalidMetric {
        /// Which part.
        field: &'static str,
        /// The value given.
        value: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A malformed line of a CSV file.
    #[error("{}:{line}: {reason}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// What was wrong.
        reason: String,
    },
    /// A file or directory could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The source cannot answer this kind of query (e.g. metric math in memory).
    #[error("{source_name} does not support {what}")]
    Unsupported {
        /// The source's name.
        source_name: &'static str,
        /// What it cannot do.
        what: &'static str,
    },
    /// The backend kept throttling past the retry budget (the seed's F1, on ourselves).
    #[error("{backend} throttled the request {attempts} times: {message}")]
    Throttled {
        /// The backend.
        backend: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The service's error code and message.
        message: String,
        /// The SDK error.
        #[source]
        source: BoxError,
    },
    /// The credentials lack a permission.
    #[error("{backend} denied access: {message}")]
    PermissionDenied {
        /// The backend.
        backend: &'static str,
        /// The service's error code and message.
        message: String,
        /// The SDK error.
        #[source]
        source: BoxError,
    },
    /// Any other backend failure (network, server error after retries, validation by the
    /// service).
    #[error("{backend} failed: {message}")]
    Backend {
        /// The backend.
        backend: &'static str,
        /// The service's error code and message, or the kind of failure.
        message: String,
        /// The SDK error.
        #[source]
        source: BoxError,
    },
    /// The backend answered something this crate cannot use (an id it did not ask for,
    /// timestamps and values of different lengths…).
    #[error("{backend} returned an unusable response: {reason}")]
    InvalidResponse {
        /// The backend.
        backend: &'static str,
        /// What was wrong.
        reason: String,
    },
    /// A series marked partial where complete data is needed (e.g. to count good and total
    /// events: a missing page would read as missing traffic).
    #[error("series {id:?} is incomplete: {reason}")]
    IncompleteData {
        /// The series' query id.
        id: String,
        /// Why the backend marked it partial.
        reason: String,
    },
    /// Fetched data rejected by `sli-core` (e.g. more errors than requests at a timestamp).
    #[error("fetched data is not a valid SLI input")]
    Sli(#[from] sli_core::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
