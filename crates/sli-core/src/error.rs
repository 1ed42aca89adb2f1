//! The crate's main error type: one enum, each variant naming the offending value and where it was.

use std::fmt;

use chrono::{DateTime, Utc};

/// Where in an input a bad value sat: the index of the datapoint and, when known, its timestamp.
///
/// Printed as ` at point 3 (2024-05-01T00:03:00Z)`, or as nothing when the value did not come
/// from a series.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{Error, Position, Series};
///
/// let t = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let err = Series::from_counts([(t, 1.0, 1.0), (t, 1.0, 1.0)]).unwrap_err();
/// assert!(matches!(err, Error::DuplicateTimestamp { position: Position { index: Some(1), .. }, .. }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Position {
    /// Zero-based index of the datapoint in the caller's input.
    pub index: Option<usize>,
    /// Timestamp of the datapoint.
    pub at: Option<DateTime<Utc>>,
}

impl Position {
    /// A position that names nothing (the value did not come from a series).
    pub const NONE: Self = Self {
        index: None,
        at: None,
    };

    /// The position of datapoint `index` stamped `at`.
    pub fn point(index: usize, at: DateTime<Utc>) -> Self {
        Self {
            index: Some(index),
            at: Some(at),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.index, self.at) {
            (Some(i), Some(at)) => write!(f, " at point {i} ({})", at.to_rfc3339()),
            (Some(i), None) => write!(f, " at point {i}"),
            (None, Some(at)) => write!(f, " at {}", at.to_rfc3339()),
            (None, None) => Ok(()),
        }
    }
}

/// What can go wrong in `sli-core`'s counts, series, windows, SLOs and evaluators (maintenance
/// windows, the release gate, routing and OpenSLO have their own error types). Every variant
/// carries the value that was rejected.
///
/// # Example
/// ```
/// use sli_core::{EventCounts, Error};
///
/// let err = EventCounts::new(f64::NAN, 10.0).unwrap_err();
/// assert!(matches!(err, Error::InvalidCount { field: "good", .. }));
/// assert_eq!(err.to_string(), "good count NaN is not a finite number in [0, 2^53]");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An objective's target is not strictly between 0 and 1 (or 0 and 100 %).
    #[error("objective target {} {unit} must be strictly between {} and {}", crate::ExactValue(*.value), crate::ExactValue(*.low), crate::ExactValue(*.high))]
    InvalidTarget {
        /// The rejected value, as given.
        value: f64,
        /// `"(ratio)"` or `"(percent)"`: how the value was given.
        unit: &'static str,
        /// Lower bound (exclusive) in that unit.
        low: f64,
        /// Upper bound (exclusive) in that unit.
        high: f64,
    },
    /// A count is NaN, infinite, negative or above 2^53 (where `f64` stops counting exactly).
    #[error("{field} count {} is not a finite number in [0, 2^53]{position}", crate::ExactValue(*.value))]
    InvalidCount {
        /// Which count: `"good"`, `"total"`, a bucket name…
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Where it was.
        position: Position,
    },
    /// A measured value (latency, utilisation, spend…) that is NaN or infinite.
    #[error("{field} value {} is not a finite number{position}", crate::ExactValue(*.value))]
    InvalidValue {
        /// What the value measures.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Where it was.
        position: Position,
    },
    /// More good events than events.
    #[error("good count {} exceeds total count {}{position}", crate::ExactValue(*.good), crate::ExactValue(*.total))]
    GoodExceedsTotal {
        /// The good count.
        good: f64,
        /// The total count.
        total: f64,
        /// Where it was.
        position: Position,
    },
    /// A part of a count larger than its whole: more errors than requests, more failed
    /// invocations than invocations.
    #[error("{what}: {} > {}{position}", crate::ExactValue(*.part), crate::ExactValue(*.whole))]
    PartExceedsWhole {
        /// Which part exceeds which whole, e.g. `"5xx + 4xx exceed requests"`.
        what: &'static str,
        /// The part's value.
        part: f64,
        /// The whole's value.
        whole: f64,
        /// Where it was.
        position: Position,
    },
    /// Adding counts overflowed the exactly representable range.
    #[error("count sum {} overflows 2^53, where f64 stops counting exactly", crate::ExactValue(*.value))]
    CountOverflow {
        /// The sum that was too large.
        value: f64,
    },
    /// A series has no datapoints.
    #[error("{what} is empty")]
    EmptySeries {
        /// What was empty.
        what: &'static str,
    },
    /// A timestamp is earlier than the one before it.
    #[error("timestamps out of order: {at} comes after {previous}{position}")]
    Unordered {
        /// The previous timestamp.
        previous: DateTime<Utc>,
        /// The offending timestamp.
        at: DateTime<Utc>,
        /// Where it was.
        position: Position,
    },
    /// Two datapoints share a timestamp.
    #[error("duplicate timestamp {at}{position}")]
    DuplicateTimestamp {
        /// The repeated timestamp.
        at: DateTime<Utc>,
        /// Where the second occurrence was.
        position: Position,
    },
    /// A timestamp does not sit on the series' regular grid.
    #[error("timestamp {at} is not on the {step_seconds} s grid that starts at {origin}{position}")]
    Misaligned {
        /// The offending timestamp.
        at: DateTime<Utc>,
        /// The grid origin (the series' first timestamp).
        origin: DateTime<Utc>,
        /// The grid step in seconds.
        step_seconds: i64,
        /// Where it was.
        position: Position,
    },
    /// A window or step length that is zero, negative, not whole seconds, or too long.
    #[error("{what} of {} s is invalid: {reason}", crate::ExactValue(*.seconds))]
    InvalidDuration {
        /// Which duration (`"rolling window"`, `"step"`, `"short window"`…).
        what: &'static str,
        /// The length given, in (possibly fractional) seconds.
        seconds: f64,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A span written as text that does not parse (`"5y"`, `"1.5h"`, `"30"`).
    #[error("span {} is invalid: {reason}", crate::Excerpt(text))]
    InvalidSpanText {
        /// The text given.
        text: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A numeric parameter outside its domain (a negative burn-rate threshold, a confidence
    /// level of 1.2, a budget fraction of 0, …).
    #[error("{field} = {} is invalid: {reason}", crate::ExactValue(*.value))]
    InvalidParameter {
        /// The parameter's name.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// An alert policy that cannot be evaluated (duplicate tier ids, short window not shorter
    /// than the long one, a window not a multiple of the series step, …).
    #[error("alert tier {tier:?}: {reason}")]
    InvalidPolicy {
        /// The tier's id.
        tier: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Histogram buckets that are not cumulative, not sorted, or lack a `+Inf` bucket.
    #[error("histogram bucket {index} (le = {}): {reason}", crate::ExactValue(*.upper_bound))]
    InvalidHistogram {
        /// Index of the offending bucket.
        index: usize,
        /// Its upper bound.
        upper_bound: f64,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A latency threshold falls strictly between two bucket bounds and the caller asked for
    /// exact buckets only.
    #[error(
        "threshold {} falls between histogram bucket bounds {} and {}; choose BetweenBuckets::Interpolate or a bucket bound", crate::ExactValue(*.threshold), crate::ExactValue(*.lower), crate::ExactValue(*.upper)
    )]
    ThresholdBetweenBuckets {
        /// The requested threshold.
        threshold: f64,
        /// The nearest bucket bound below it.
        lower: f64,
        /// The nearest bucket bound above it.
        upper: f64,
    },
    /// A series shorter than an alert window, under [`PartialWindows::Reject`](crate::PartialWindows).
    #[error(
        "alert tier {tier:?}: its {window_seconds} s window is longer than the {data_seconds} s the series covers"
    )]
    WindowLongerThanData {
        /// The tier.
        tier: String,
        /// The tier's long window, in seconds.
        window_seconds: i64,
        /// The span the series covers (first point to the end of the last), in seconds.
        data_seconds: i64,
    },
    /// A definition field that is not a number and is invalid (an empty name, an SLI of the
    /// wrong kind for a conversion, `utc_offset_seconds` beside a `zone`, …).
    #[error("{field} is invalid: {reason}")]
    InvalidField {
        /// The field.
        field: &'static str,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A deploy event that cannot be used: no service, an empty id, an end before its start, a
    /// share or percentage out of range, an id given twice.
    #[error("deploy {id:?}: {field} {reason}")]
    InvalidDeploy {
        /// The deploy's id as given (cut to 64 characters).
        id: String,
        /// The field at fault, e.g. `"service"`, `"outcome.at"`.
        field: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// A timestamp too close to the ends of the supported date range for the arithmetic asked.
    #[error("timestamp {at} is too close to the end of the supported date range: {what}")]
    DateOutOfRange {
        /// The timestamp.
        at: DateTime<Utc>,
        /// What could not be computed.
        what: &'static str,
    },
    /// A time zone that is neither UTC, a `±HH:MM` offset nor a name of the IANA time-zone
    /// database.
    #[error("time zone {name:?} is not UTC, a ±HH:MM offset or an IANA time-zone name")]
    InvalidZone {
        /// The name given.
        name: String,
    },
    /// An input would make state or output grow past a documented cap (see each cap's
    /// constant, e.g. [`MAX_SLICES`](crate::MAX_SLICES)).
    #[error("{what}: {requested} would exceed the limit of {limit}")]
    LimitExceeded {
        /// The capped quantity, e.g. `"slices materialised"`.
        what: &'static str,
        /// The cap.
        limit: u64,
        /// What the input asked for (at least; counting may stop at the cap).
        requested: u64,
    },
    /// A statistical test that needs whole counts was given fractional ones.
    #[error("{field} count {} must be a whole number for an exact binomial test", crate::ExactValue(*.value))]
    NonIntegerCount {
        /// Which count.
        field: &'static str,
        /// The fractional value.
        value: f64,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
