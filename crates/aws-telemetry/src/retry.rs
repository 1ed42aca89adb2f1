//! [`RetryPolicy`]: how the SDK adapters retry throttled and failed calls.

use std::time::Duration;

/// Retries of throttled and failed calls: bounded exponential backoff with full jitter (the
/// SDK's standard retry strategy, "Retry behavior", AWS SDKs and Tools Reference Guide),
/// applied by every adapter (CloudWatch, CloudTrail, CodeDeploy, S3, Service Quotas, RDS, Cost
/// Explorer).
///
/// An options struct: start from [`RetryPolicy::default`] and change what you need with the
/// `with_*` methods.
///
/// # Example
/// ```
/// use std::time::Duration;
/// use aws_telemetry::RetryPolicy;
///
/// let patient = RetryPolicy::default().with_max_attempts(8);
/// assert_eq!(patient.max_attempts(), 8);
/// assert_eq!(patient.initial_backoff(), Duration::from_millis(100));
/// assert_eq!(RetryPolicy::default().with_max_attempts(0).max_attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Five attempts, backing off from 100 ms up to 20 s.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// The same policy with `attempts` per call, the first included (at least 1; 1 disables
    /// retries).
    #[must_use]
    pub const fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = if attempts == 0 { 1 } else { attempts };
        self
    }

    /// The same policy with `backoff` before the first retry; each retry doubles it, with
    /// full jitter, up to [`RetryPolicy::max_backoff`].
    #[must_use]
    pub const fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The same policy with `backoff` as the longest wait between attempts.
    #[must_use]
    pub const fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Attempts per call, the first included.
    pub const fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The backoff before the first retry.
    pub const fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest backoff.
    pub const fn max_backoff(&self) -> Duration {
        self.max_backoff
    }
}
