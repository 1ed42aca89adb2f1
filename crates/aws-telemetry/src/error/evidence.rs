//! What the evidence sources can fail with beyond their backend's failures:
//! [`EventSourceError`] for audit events and deploys, [`FormulaError`] and
//! [`ConnectionLimitError`] for connection limits.

use super::{RecordError, ServiceError};

/// What [`AuditSource::events`](crate::AuditSource::events) and
/// [`DeploySource::deploys`](crate::DeploySource::deploys) can fail with: a record the source
/// read that cannot be used, a bound on what one call reads, or the backend's failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventSourceError {
    /// A record the source read cannot be used.
    #[error(transparent)]
    Record(#[from] RecordError),
    /// A call that would read or return more than its documented bound (e.g.
    /// [`MAX_DEPLOYS`](crate::deploys::MAX_DEPLOYS)).
    #[error("{origin}: {what} would exceed the limit of {limit} (at least {requested})")]
    LimitExceeded {
        /// Where: the listing, e.g. `ListDeployments shop/checkout`.
        origin: String,
        /// The capped quantity.
        what: &'static str,
        /// The cap.
        limit: u64,
        /// What the call would have taken, at least (reading stops just past the cap).
        requested: u64,
    },
    /// The backend failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// A `max_connections` parameter value that cannot be evaluated
/// ([`evaluate_max_connections`](crate::evaluate_max_connections),
/// [`ConnectionLimit::evaluate`](crate::ConnectionLimit::evaluate)).
///
/// # Example
/// ```
/// use aws_telemetry::{evaluate_max_connections, FormulaError};
///
/// let err = evaluate_max_connections("{DBInstanceVCPU*100}", 16 << 30).unwrap_err();
/// assert!(matches!(err, FormulaError::Unsupported { position: 1, .. }));
/// assert_eq!(err.to_string(),
///     "max_connections formula \"{DBInstanceVCPU*100}\" at byte 1: unsupported term \"DBInstanceVCPU\"");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FormulaError {
    /// Text the evaluator does not read: another variable or function (Aurora's `log(…)`,
    /// `DBInstanceVCPU`), or a syntax error.
    #[error("max_connections formula {formula:?} at byte {position}: {reason}")]
    Unsupported {
        /// The parameter value as the parameter group holds it.
        formula: String,
        /// The 0-based byte offset of the fault.
        position: usize,
        /// What was found, or expected.
        reason: String,
    },
    /// A division by zero.
    #[error("max_connections formula {formula:?} divides by zero at byte {position}")]
    DivisionByZero {
        /// The parameter value.
        formula: String,
        /// The 0-based byte offset of the divisor.
        position: usize,
    },
    /// A formula whose value is not a positive, finite number of connections.
    #[error("max_connections formula {formula:?} evaluates to {}, not a positive number", sli_core::ExactValue(*.value))]
    NotPositive {
        /// The parameter value.
        formula: String,
        /// What it evaluates to.
        value: f64,
    },
    /// A formula reading `DBInstanceClassMemory` for an instance class missing from the
    /// memory table ([`instance_class_memory`](crate::instance_class_memory)).
    #[error("instance class {class:?} is not in the memory table")]
    UnknownInstanceClass {
        /// The class, e.g. `db.z9.huge`.
        class: String,
    },
}

/// What [`ConnectionLimitSource::connection_limit`](crate::ConnectionLimitSource::connection_limit)
/// can fail with: a limit that cannot be evaluated, or the backend's failure (an unknown
/// instance is [`ServiceError::NotFound`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectionLimitError {
    /// The instance's `max_connections` cannot be evaluated.
    #[error("the connection limit of DB instance {instance:?} cannot be evaluated")]
    Formula {
        /// The instance (`DBInstanceIdentifier`).
        instance: String,
        /// Why.
        #[source]
        source: FormulaError,
    },
    /// The backend failed.
    #[error(transparent)]
    Service(#[from] ServiceError),
}
