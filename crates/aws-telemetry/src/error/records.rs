//! What reading files and records can fail with: [`CsvError`] for CSV recordings,
//! [`RecordError`] for CloudTrail logs and records (and the deploys read from them).

use std::path::PathBuf;

use super::QueryError;

/// What loading a [`CsvSource`](crate::CsvSource) can fail with: the file (and line and
/// column) at fault, or the bound it would pass.
///
/// Messages read `file:line:column: reason` (`file:line: reason` when the whole line is at
/// fault), as compilers print them.
///
/// # Example
/// ```
/// use aws_telemetry::{CsvError, CsvSource};
///
/// let err = CsvSource::from_bytes("checkout.csv", b"timestamp,good\n2024-05-01T00:00:00Z,n/a\n", "Checkout")
///     .unwrap_err();
/// assert!(matches!(err, CsvError::Malformed { line: 2, column: Some(2), .. }));
/// assert_eq!(err.to_string(), "checkout.csv:2:2: value \"n/a\" in column \"good\" is not a number");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CsvError {
    /// A file or directory could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An input larger than a documented bound (a file's bytes, a source's bytes, a
    /// directory's files).
    #[error("{}: {what} {value} exceeds the limit of {max}", path.display())]
    TooLarge {
        /// The file or directory.
        path: PathBuf,
        /// What was measured, e.g. `file size in bytes`.
        what: &'static str,
        /// The value measured (at least `max + 1` when reading stopped at the bound).
        value: u64,
        /// The bound.
        max: u64,
    },
    /// A malformed line: a field that is not a timestamp or a number, a wrong field count, an
    /// unclosed quote, a line past the bounds…
    #[error(
        "{}:{line}{}: {reason}",
        path.display(),
        column.map(|c| format!(":{c}")).unwrap_or_default()
    )]
    Malformed {
        /// The file.
        path: PathBuf,
        /// The 1-based line number.
        line: usize,
        /// The 1-based column (field) number, when one field is at fault.
        column: Option<usize>,
        /// What was wrong, naming the value.
        reason: String,
    },
    /// A column header (or, for the single-metric layouts, the file's stem) that cannot name a
    /// metric.
    #[error(
        "{}:{line}{}: {} {name:?} cannot name a metric",
        path.display(),
        column.map(|c| format!(":{c}")).unwrap_or_default(),
        if column.is_some() { "column" } else { "the file name" }
    )]
    MetricName {
        /// The file.
        path: PathBuf,
        /// The 1-based line of the header (1 for a file named after its metric).
        line: usize,
        /// The 1-based column, `None` when the file's stem names the metric.
        column: Option<usize>,
        /// The name.
        name: String,
        /// Why [`Metric::new`](crate::Metric::new) refused it (boxed to keep the error small).
        #[source]
        source: Box<QueryError>,
    },
    /// A metric that another file of the same source already has.
    #[error(
        "{}:{line}:{column}: metric {name:?} is also in {}: load the files as separate sources or rename the column",
        path.display(),
        other.display()
    )]
    DuplicateMetric {
        /// The file.
        path: PathBuf,
        /// The 1-based line of its header.
        line: usize,
        /// The 1-based column.
        column: usize,
        /// The metric's name.
        name: String,
        /// The file that has it too.
        other: PathBuf,
    },
}

/// What reading CloudTrail records can fail with: log files as delivered to S3, one record
/// per line, single records (`LookupEvents`' `CloudTrailEvent`), and the deploys read from
/// them; also a CodeDeploy deployment that cannot be a deploy.
///
/// `origin` is the file, `LookupEvents`, `CodeDeploy` or the caller's label; `index` the
/// 0-based position of the record in `Records` (or its line, for one record per line).
///
/// # Example
/// ```
/// use aws_telemetry::RecordError;
///
/// let record = r#"{"eventTime":"yesterday","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"eu-west-1"}"#;
/// let err = aws_telemetry::audit::parse_record(record, "trail.jsonl", 4).unwrap_err();
/// assert!(matches!(err, RecordError::Time { index: 4, field: "eventTime", .. }));
/// assert_eq!(err.to_string(), "trail.jsonl: record 4: eventTime \"yesterday\" is not an RFC 3339 time");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// A log file could not be read.
    #[error("cannot read {}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Bytes that start as gzip but do not inflate.
    #[error("{origin}: not valid gzip")]
    Gzip {
        /// The file or label.
        origin: String,
        /// The decompression error.
        #[source]
        source: std::io::Error,
    },
    /// A log that is not `{"Records": [...]}`: not JSON (or naming a key twice), not an
    /// object, or without a `Records` array.
    #[error("{origin} is not a CloudTrail log: {reason}")]
    Log {
        /// The file or label.
        origin: String,
        /// What is wrong.
        reason: &'static str,
        /// The JSON error, when the text is not JSON.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// A record that is not a CloudTrail record: not JSON (or naming a key twice), not an
    /// object, a required field (`eventTime`, `eventSource`, `eventName`, `awsRegion`)
    /// missing or mistyped, or a CloudTrail Insights event where a call is expected.
    #[error("{origin}: record {index} {reason}")]
    Record {
        /// The file or label.
        origin: String,
        /// The record's 0-based index (or line).
        index: usize,
        /// What is wrong, e.g. `is not JSON`, `lacks a required field, or has one of the
        /// wrong type`.
        reason: &'static str,
        /// The JSON error, when there is one.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// A field of a record with a value this crate cannot read.
    #[error("{origin}: record {index}: {field} {reason}")]
    Field {
        /// The file or label.
        origin: String,
        /// The record's 0-based index (or line).
        index: usize,
        /// The field at fault, e.g. `additionalEventData.MFAUsed`, `requestParameters.service`.
        field: &'static str,
        /// What is wrong with it, naming the value.
        reason: String,
    },
    /// A time field that is not an RFC 3339 time.
    #[error("{origin}: record {index}: {field} {value:?} is not an RFC 3339 time")]
    Time {
        /// The file or label.
        origin: String,
        /// The record's 0-based index (or line).
        index: usize,
        /// The field, e.g. `eventTime`.
        field: &'static str,
        /// The value as written.
        value: String,
        /// The parse error.
        #[source]
        source: chrono::ParseError,
    },
    /// A deploy read from a record that `sli-core` refuses.
    #[error("{origin}: record {index}: not a valid deploy")]
    Deploy {
        /// The file or label.
        origin: String,
        /// The record's 0-based index (or line).
        index: usize,
        /// Why `sli-core` refused it.
        #[source]
        source: sli_core::Error,
    },
    /// A log larger than the bound it is read with
    /// ([`MAX_LOG_BYTES`](crate::audit::MAX_LOG_BYTES) by default).
    #[error("{origin}: {what} would exceed the limit of {limit} (at least {requested})")]
    LimitExceeded {
        /// The file or label.
        origin: String,
        /// The capped quantity.
        what: &'static str,
        /// The cap.
        limit: u64,
        /// What the input asked for, at least (reading stops just past the cap).
        requested: u64,
    },
}
