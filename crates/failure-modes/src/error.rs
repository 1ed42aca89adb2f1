//! The crate's error type.

use chrono::{DateTime, Utc};

/// Everything that can go wrong in `failure-modes`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value outside its domain.
    #[error("{field} = {value} is invalid: {reason}")]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why.
        reason: &'static str,
    },
    /// A NaN or infinite input value, with its position in the stream.
    #[error("value {value} at point {index} is not finite")]
    InvalidValue {
        /// The value.
        value: f64,
        /// Its zero-based position in the stream.
        index: u64,
    },
    /// An input value outside its domain (a negative count, more throttled calls than calls,
    /// a NaN latency …), with the field and the time of the observation.
    #[error("{field} = {value} at {at} is invalid: {reason}")]
    InvalidInput {
        /// The field.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// The observation's timestamp.
        at: DateTime<Utc>,
        /// Why.
        reason: &'static str,
    },
    /// An observation not later than the one before it.
    #[error("observation at {at} does not follow the previous one at {previous}{}", if at == previous { " (duplicate timestamp)" } else { " (out of order)" })]
    OutOfOrder {
        /// The previous observation's time.
        previous: DateTime<Utc>,
        /// The offending observation's time.
        at: DateTime<Utc>,
    },
    /// A series a detector needs is missing from what was fetched.
    #[error("the fetched data has no series with id {id:?}")]
    MissingSeries {
        /// The query id.
        id: String,
    },
    /// A series a detector cannot work without came back with no datapoints over the whole
    /// range: no traffic at all, or (more often) a metric name or dimension that does not
    /// exist. Nothing can be judged, so nothing is reported as fine.
    #[error(
        "the series {id:?} has no datapoints in the range (no traffic, or a wrong metric name or dimension?)"
    )]
    NoData {
        /// The query id.
        id: String,
    },
    /// A fetched series is incomplete (CloudWatch `PartialData` or an error status): a detector
    /// does not judge on part of the data.
    #[error("series {id:?} is incomplete: {reason}")]
    IncompleteData {
        /// The query id.
        id: String,
        /// What the source said.
        reason: String,
    },
    /// A fact from an evidence source that a detector cannot be built from: a quota without an
    /// applied value or usage metric, a usage metric read with another statistic …
    #[error("{subject}: {reason}")]
    UnusableFact {
        /// What the fact is about, e.g. `quota ec2/L-1216C47A`.
        subject: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The telemetry layer failed (fetching, or building a query).
    #[error(transparent)]
    Telemetry(#[from] aws_telemetry::Error),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `value` if finite, else [`Error::InvalidValue`] at stream position `index`.
pub(crate) fn finite(value: f64, index: u64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::InvalidValue { value, index })
    }
}

pub(crate) fn positive(field: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::InvalidConfig {
            field,
            value,
            reason: "must be positive and finite",
        })
    }
}

/// `value` if finite and not negative, else [`Error::InvalidInput`].
pub(crate) fn count(field: &'static str, value: f64, at: DateTime<Utc>) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::InvalidInput {
            field,
            value,
            at,
            reason: "must be a finite, non-negative number",
        })
    }
}

/// `value` if in (0, 1], else [`Error::InvalidConfig`] for `field`.
pub(crate) fn fraction(field: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 && value <= 1.0 {
        Ok(value)
    } else {
        Err(Error::InvalidConfig {
            field,
            value,
            reason: "must be in (0, 1]",
        })
    }
}
