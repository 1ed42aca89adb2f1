//! The crate's error type.

use chrono::{DateTime, Utc};

/// Everything that can go wrong in `failure-modes`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value outside its domain.
    #[error("{field} = {} is invalid: {reason}", sli_core::ExactValue(*.value))]
    InvalidConfig {
        /// The field.
        field: &'static str,
        /// The rejected value.
        value: f64,
        /// Why.
        reason: &'static str,
    },
    /// A NaN, infinite or out-of-range input value (see [`MAX_MAGNITUDE`]), with its position
    /// in the stream.
    #[error("value {} at point {index} is invalid: {reason}", sli_core::ExactValue(*.value))]
    InvalidValue {
        /// The value.
        value: f64,
        /// Its zero-based position in the stream.
        index: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An input value outside its domain (a negative count, more throttled calls than calls,
    /// a NaN latency …), with the field and the time of the observation.
    #[error("{field} = {} at {at} is invalid: {reason}", sli_core::ExactValue(*.value))]
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
    /// A zone of an F2 sample that cannot be taken: named twice in one sample, one zone more
    /// than [`MAX_ZONES`](crate::MAX_ZONES) (the state per zone is bounded), or a name longer
    /// than [`MAX_ZONE_NAME`](crate::MAX_ZONE_NAME).
    #[error("zone '{zone}' at {at} is invalid: {reason}")]
    InvalidZone {
        /// The zone's name.
        zone: String,
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
    /// More than one fetched series has a query's id (a source that returned its pages
    /// unmerged): judging one of them would drop the others' datapoints unseen.
    #[error(
        "the fetched data has {count} series with id {id:?}; a source must return one per query"
    )]
    DuplicateSeries {
        /// The query id.
        id: String,
        /// How many series have it.
        count: usize,
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
    /// A declared one-off charge (F8) that cannot be taken into account.
    #[error("one-off charge {description:?} of {day} {reason}")]
    OneOffCharge {
        /// The charge's description.
        description: String,
        /// Its day.
        day: chrono::NaiveDate,
        /// What is wrong.
        reason: String,
    },
    /// A scan of another bucket given to an F7 detector
    /// ([`PublicDataLeak::scan`](crate::PublicDataLeak::scan),
    /// [`set_exposure`](crate::PublicDataLeak::set_exposure)): taken, its facts were reported
    /// under the other bucket's name and switched the detector's query to that bucket's
    /// requests, judged against this bucket's baseline. The detector is unchanged.
    #[error("the scan is of bucket {scanned:?}, not of this detector's bucket {bucket:?}")]
    OtherBucket {
        /// The detector's bucket.
        bucket: String,
        /// The bucket the scan is of (its first 64 characters and `…` when longer).
        scanned: String,
    },
    /// A query CloudWatch would refuse (an invalid id, metric or dimension), refused before
    /// any I/O.
    #[error(transparent)]
    Query(#[from] aws_telemetry::QueryError),
    /// Fetching the detector's series failed.
    #[error(transparent)]
    Fetch(#[from] aws_telemetry::FetchError),
    /// A run over a range that ends at or before the detector's last observation (a retry or
    /// a backfill after later ranges were run): a detector takes observations in time order,
    /// so it cannot judge that range any more.
    #[error(
        "the range ends at {end}, not after the detector's last observation at {last}: a \
         detector takes observations in time order, so it cannot judge this range any more"
    )]
    RangeBehind {
        /// The end of the range asked for.
        end: DateTime<Utc>,
        /// The time of the detector's last observation.
        last: DateTime<Utc>,
    },
    /// Reading audit events failed ([`CredentialCompromise::run`](crate::CredentialCompromise::run)).
    /// Boxed: the source's error is the largest of all, and every `push` returns this type
    /// (unboxed, it grew the `Result` from 80 to 104 bytes and F8 by about a tenth slower).
    #[error(transparent)]
    Events(Box<aws_telemetry::EventSourceError>),
}

impl From<aws_telemetry::EventSourceError> for Error {
    fn from(error: aws_telemetry::EventSourceError) -> Self {
        Self::Events(Box::new(error))
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The largest magnitude of a value the detectors and their parts accept: 2^360, the bound
/// CloudWatch puts on metric values ("Values must be in the range of -2^360 to 2^360",
/// `PutMetricData`, Amazon CloudWatch API Reference). Inside it, every sum, difference and
/// product a detector forms of a window of values stays finite, so no state can become
/// infinite or NaN; a finite value beyond it (say `f64::MAX`) is refused with a typed error
/// rather than allowed to overflow a median or a sum.
pub const MAX_MAGNITUDE: f64 = 2.348_542_582_773_833_2e108;

/// Why a value is refused, `None` when it is a valid metric value.
fn value_problem(value: f64) -> Option<&'static str> {
    if !value.is_finite() {
        Some("must be finite")
    } else if value.abs() > MAX_MAGNITUDE {
        Some("must be within ±2^360, the range of a CloudWatch metric value")
    } else {
        None
    }
}

/// `value` if finite and within [`MAX_MAGNITUDE`], else [`Error::InvalidValue`] at stream
/// position `index`.
pub(crate) fn finite(value: f64, index: u64) -> Result<f64> {
    match value_problem(value) {
        None => Ok(value),
        Some(reason) => Err(Error::InvalidValue {
            value,
            index,
            reason,
        }),
    }
}

impl Error {
    /// This error, when it is an [`Error::InvalidConfig`] from a part a detector builds from
    /// its config, named as the caller's config names it (`field`, set to `value`): the
    /// part's own parameter ("capacity", "alpha") says nothing to the caller.
    pub(crate) fn in_field(self, field: &'static str, value: f64) -> Self {
        match self {
            Self::InvalidConfig { reason, .. } => Self::InvalidConfig {
                field,
                value,
                reason,
            },
            other => other,
        }
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

/// Whether [`count`] takes `value`: finite, not negative and within [`MAX_MAGNITUDE`]. A few
/// comparisons, for a hot path that builds the error only when this is `false`.
#[inline]
pub(crate) fn is_count(value: f64) -> bool {
    (0.0..=MAX_MAGNITUDE).contains(&value)
}

/// `value` if finite, not negative and within [`MAX_MAGNITUDE`], else
/// [`Error::InvalidInput`].
pub(crate) fn count(field: &'static str, value: f64, at: DateTime<Utc>) -> Result<f64> {
    if is_count(value) {
        return Ok(value);
    }
    let reason = value_problem(value).unwrap_or("must not be negative");
    Err(Error::InvalidInput {
        field,
        value,
        at,
        reason,
    })
}

/// [`Error::InvalidConfig`] for the ticket threshold `field` when it is above the page
/// threshold `page`: its ticket would open after the page of the same incident (or never
/// before it), the wrong way round.
pub(crate) fn ticket_not_above_page(
    field: &'static str,
    ticket: f64,
    page: f64,
    reason: &'static str,
) -> Result<()> {
    if ticket <= page {
        Ok(())
    } else {
        Err(Error::InvalidConfig {
            field,
            value: ticket,
            reason,
        })
    }
}

/// The most periods a count of periods (a sustain, a quiet run that ends an incident) may
/// hold: a week of one-minute periods, the bound `sli_core::Sustained` puts on its window.
pub(crate) const MAX_PERIODS: u32 = 10_080;

/// `value` if a count of periods within `1..=MAX_PERIODS`, else [`Error::InvalidConfig`]
/// for `field`: no period would end an incident at once (or sustain one from nothing), and
/// a count past a week of minutes is a mistake, not a setting.
pub(crate) fn periods(field: &'static str, value: u32) -> Result<u32> {
    if (1..=MAX_PERIODS).contains(&value) {
        Ok(value)
    } else {
        Err(Error::InvalidConfig {
            field,
            value: f64::from(value),
            reason: "must be within 1..=10080 periods (a week of minutes)",
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
