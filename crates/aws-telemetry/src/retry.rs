//! [`RetryPolicy`]: how the SDK adapters retry throttled and failed calls.

use std::time::Duration;

/// Retries of throttled and failed calls: bounded exponential backoff with jitter, applied
/// through the SDK's standard retry strategy by every adapter (CloudWatch, CloudTrail, S3,
/// Service Quotas, RDS, Cost Explorer).
///
/// # Example
/// ```
/// use std::time::Duration;
/// use aws_telemetry::RetryPolicy;
///
/// let patient = RetryPolicy { max_attempts: 8, ..RetryPolicy::default() };
/// assert_eq!(patient.initial_backoff, Duration::from_millis(100));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The first backoff; each retry doubles it, with full jitter, up to `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Five attempts, from 100 ms up to 20 s.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(20),
        }
    }
}
