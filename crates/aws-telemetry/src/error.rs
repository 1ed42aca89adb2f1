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
    /// A malformed line of a CSV file, printed `file:line:column: reason` (or `file:line:
    /// reason` when the whole line is at fault).
    #[error(
        "{}:{line}{}: {reason}",
        path.display(),
        column.map(|c| format!(":{c}")).unwrap_or_default()
    )]
    Csv {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// The 1-based column (field) number, when one field is at fault.
        column: Option<usize>,
        /// What was wrong.
        reason: String,
    },
    /// An input larger than a documented bound (a CSV file's bytes, a directory's files).
    #[error("{}: {what} {value} exceeds the limit of {max}", path.display())]
    InputTooLarge {
        /// The file or directory.
        path: PathBuf,
        /// What was measured, e.g. `file size in bytes`.
        what: &'static str,
        /// The value measured (at least `max + 1` when reading stopped at the bound).
        value: u64,
        /// The bound.
        max: u64,
    },
    /// A read with no data to answer: the metrics asked for hold no sample in the range.
    #[error("no data: {what}")]
    NoData {
        /// What was asked for, and where.
        what: String,
    },
    /// A read without a time range from a source that reports no span: it holds no data, or
    /// cannot tell without a query (CloudWatch). Give the range.
    #[error(
        "{source_name} reports no span for its data (it holds none, or cannot tell): give a time range"
    )]
    UnknownSpan {
        /// The source, as it displays itself.
        source_name: String,
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
    /// A CloudTrail record that cannot be read as an [`AuditEvent`](crate::AuditEvent): not
    /// JSON, a required field missing or of the wrong type, a bad `eventTime`.
    #[error("{origin}: record {index}: {reason}")]
    AuditRecord {
        /// The file, or `LookupEvents`, or the caller's label for the text.
        origin: String,
        /// The 0-based index of the record in `Records`, or the 0-based line number for
        /// one-record-per-line input.
        index: usize,
        /// What was wrong.
        reason: String,
    },
    /// A CloudTrail log that cannot be read at all: bad gzip, not JSON, no `Records` array.
    #[error("{origin}: {reason}")]
    AuditLog {
        /// The file, or the caller's label for the bytes.
        origin: String,
        /// What was wrong.
        reason: String,
    },
    /// A `max_connections` parameter value this crate cannot evaluate.
    #[error("max_connections formula {formula:?} cannot be evaluated: {reason}")]
    Formula {
        /// The parameter value as the parameter group holds it.
        formula: String,
        /// Why.
        reason: String,
    },
    /// An RDS instance class missing from the memory table
    /// ([`instance_class_memory`](crate::instance_class_memory)).
    #[error("instance class {class:?} is not in the memory table")]
    UnknownInstanceClass {
        /// The class, e.g. `db.r6g.large`.
        class: String,
    },
    /// A date range that is empty or reversed (end is exclusive).
    #[error("date range {start} .. {end} is empty or reversed")]
    InvalidDateRange {
        /// First day.
        start: chrono::NaiveDate,
        /// Day after the last.
        end: chrono::NaiveDate,
    },
    /// A value that cannot be used: NaN, infinite or negative where an amount is needed.
    #[error("{what} at {at} is {value}, not a finite amount >= 0")]
    InvalidValue {
        /// What the value is, e.g. `EstimatedCharges`.
        what: &'static str,
        /// When.
        at: DateTime<Utc>,
        /// The value.
        value: f64,
    },
    /// The thing asked for does not exist in the source (an unknown instance or quota).
    #[error("{backend} has no {what}")]
    NotFound {
        /// The source.
        backend: &'static str,
        /// What was asked for, e.g. `DB instance "orders"`.
        what: String,
    },
    /// An input that would make memory or output grow past a documented cap (the cap's
    /// constant names it, e.g. [`MAX_LOG_BYTES`](crate::audit::MAX_LOG_BYTES)).
    #[error("{origin}: {what} would exceed the limit of {limit} (at least {requested})")]
    LimitExceeded {
        /// The capped quantity.
        what: &'static str,
        /// The cap.
        limit: u64,
        /// What the input asked for, at least (reading stops just past the cap).
        requested: u64,
        /// The file, or the caller's label for the input.
        origin: String,
    },
    /// A statistic of finite samples whose value is beyond `f64`'s range (a `Sum` past
    /// `f64::MAX`).
    #[error("{what} of the period starting {at} overflows f64")]
    Overflow {
        /// The statistic.
        what: &'static str,
        /// The start of the period.
        at: DateTime<Utc>,
    },
    /// A deploy event that cannot be read: a CloudTrail deploy call that names no resource,
    /// a CodeDeploy deployment that ends before it starts, a field of the wrong type.
    #[error("{origin}: record {index}: {field} {reason}")]
    DeployRecord {
        /// The file, `LookupEvents`, `CodeDeploy`, or the caller's label.
        origin: String,
        /// The 0-based index of the record (the line, or the position in the listing).
        index: usize,
        /// The field at fault, e.g. `requestParameters.service`, `completeTime`.
        field: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// Fetched data rejected by `sli-core` (e.g. more errors than requests at a timestamp).
    #[error("fetched data is not a valid SLI input")]
    Sli(#[from] sli_core::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
