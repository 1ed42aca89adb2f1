//! [`ServiceError`]: what a call to a backend can fail with, whichever operation made it.

use super::BoxError;

/// A call to a backend that failed: an AWS service through the SDK (the adapters map every
/// SDK error to one of these kinds), or the backend of a source of your own.
///
/// The kinds are what a caller can act on: wait and retry ([`Throttled`](Self::Throttled)),
/// fix the IAM policy ([`PermissionDenied`](Self::PermissionDenied)), ask for something that
/// exists ([`NotFound`](Self::NotFound)), or report the rest. The SDK's error is kept as the
/// `source`; the message is built from the service's error code and message, never from the
/// SDK error's `Display` (which says only "service error").
///
/// # Example
/// ```
/// use aws_telemetry::ServiceError;
///
/// let err = ServiceError::NotFound { backend: "ServiceQuotas", what: "quota ec2/L-0000".into() };
/// assert_eq!(err.to_string(), "ServiceQuotas has no quota ec2/L-0000");
/// assert_eq!(err.backend(), "ServiceQuotas");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The backend kept throttling past the retry budget ([`RetryPolicy`](crate::RetryPolicy)).
    #[error("{backend} throttled the request {attempts} times: {message}")]
    Throttled {
        /// The backend, e.g. `CloudWatch`.
        backend: &'static str,
        /// Attempts made, the first included.
        attempts: u32,
        /// The service's error code and message, e.g. `Throttling: Rate exceeded`.
        message: String,
        /// The SDK error.
        #[source]
        source: BoxError,
    },
    /// The credentials lack a permission (`AccessDenied`, `UnauthorizedOperation` …).
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
    /// The thing asked for does not exist in the backend (an unknown quota or DB instance, a
    /// parameter group without `max_connections`).
    #[error("{backend} has no {what}")]
    NotFound {
        /// The backend.
        backend: &'static str,
        /// What was asked for, e.g. `DB instance "orders"`.
        what: String,
    },
    /// Any other failure of a call: network, a server error after the retries, a request the
    /// service refused as invalid.
    #[error("{backend} failed: {message}")]
    Backend {
        /// The backend.
        backend: &'static str,
        /// The service's error code and message, or the kind of failure (`timed out` …).
        message: String,
        /// The SDK error.
        #[source]
        source: BoxError,
    },
    /// The backend answered something this crate cannot use: an id it did not ask for,
    /// timestamps and values of different lengths, a `NextToken` returned twice…
    #[error("{backend} returned an unusable response: {reason}")]
    InvalidResponse {
        /// The backend.
        backend: &'static str,
        /// What was wrong, naming the field and value.
        reason: String,
    },
}

impl ServiceError {
    /// The backend that failed, e.g. `CloudWatch`.
    pub fn backend(&self) -> &'static str {
        match self {
            Self::Throttled { backend, .. }
            | Self::PermissionDenied { backend, .. }
            | Self::NotFound { backend, .. }
            | Self::Backend { backend, .. }
            | Self::InvalidResponse { backend, .. } => backend,
        }
    }
}
