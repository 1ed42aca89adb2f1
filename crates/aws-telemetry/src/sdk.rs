//! Plumbing shared by the SDK adapters (compiled with any of their features): the retry
//! configuration of a [`RetryPolicy`], attempt counting, and SDK errors mapped to
//! [`ServiceError`] kinds. Public so that the toolkit's other crates that call AWS (the SLO compiler's
//! `apply`) report failures with the same kinds; the SDK types here are the smithy runtime's,
//! which every `aws-sdk-*` client shares.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aws_smithy_runtime_api::box_error::BoxError as SmithyBoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;

use crate::error::{BoxError, ServiceError};
use crate::retry::RetryPolicy;

/// An instant as the SDKs send it. chrono writes a leap second as a second's nanoseconds past
/// 10^9 (23:59:59 and 1.5 × 10^9 ns for 23:59:60.5), which the SDK's `DateTime` asserts
/// against (a panic); AWS APIs have no leap seconds, so it is sent as the last nanosecond of
/// that second.
#[cfg(any(feature = "cloudwatch", feature = "cloudtrail", feature = "codedeploy"))]
pub(crate) fn sdk_time(at: chrono::DateTime<chrono::Utc>) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs_and_nanos(
        at.timestamp(),
        at.timestamp_subsec_nanos().min(999_999_999),
    )
}

/// An instant an SDK returned; `None` outside chrono's range (never produced by AWS).
#[cfg(any(feature = "cloudwatch", feature = "codedeploy"))]
pub(crate) fn chrono_time(
    at: &aws_smithy_types::DateTime,
) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp(at.secs(), at.subsec_nanos())
}

/// The SDK's standard retry configuration for `policy`.
///
/// # Example
/// ```
/// use aws_telemetry::RetryPolicy;
/// let config = aws_telemetry::sdk::retry_config(RetryPolicy::default());
/// assert_eq!(config.max_attempts(), 5);
/// ```
pub fn retry_config(policy: RetryPolicy) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(policy.max_attempts().max(1))
        .with_initial_backoff(policy.initial_backoff())
        .with_max_backoff(policy.max_backoff())
}

/// Counts the attempts of one operation (its first try and its retries): an interceptor
/// installed on each request (`.customize().interceptor(attempts.clone())`) so that concurrent
/// calls do not mix their counts.
///
/// # Example
/// ```
/// let attempts = aws_telemetry::sdk::Attempts::default();
/// assert_eq!(attempts.count(), 0);
/// ```
#[derive(Debug, Default, Clone)]
pub struct Attempts(Arc<AtomicU64>);

impl Attempts {
    /// Attempts counted so far.
    pub fn count(&self) -> u32 {
        u32::try_from(self.0.load(Ordering::Relaxed)).unwrap_or(u32::MAX)
    }
}

impl Intercept for Attempts {
    fn name(&self) -> &'static str {
        "aws_telemetry::Attempts"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), SmithyBoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Maps an SDK error to an actionable kind ([`ServiceError::Throttled`],
/// [`ServiceError::PermissionDenied`], [`ServiceError::Backend`]), with the service's code and
/// message (never the `SdkError` Display,
/// which says only "service error"), `attempts` (from [`Attempts`]) and the error as source.
///
/// # Example
/// ```
/// use aws_smithy_runtime_api::client::result::SdkError;
/// use aws_smithy_types::error::ErrorMetadata;
/// use aws_smithy_types::error::metadata::ProvideErrorMetadata;
///
/// #[derive(Debug)]
/// struct ServiceError(ErrorMetadata);
/// impl std::fmt::Display for ServiceError {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("service error") }
/// }
/// impl std::error::Error for ServiceError {}
/// impl ProvideErrorMetadata for ServiceError {
///     fn meta(&self) -> &ErrorMetadata { &self.0 }
/// }
///
/// let meta = ErrorMetadata::builder().code("Throttling").message("Rate exceeded").build();
/// let err = SdkError::service_error(ServiceError(meta), ());
/// let mapped = aws_telemetry::sdk::map_sdk_error("CloudWatch", err, 5);
/// assert_eq!(mapped.to_string(), "CloudWatch throttled the request 5 times: Throttling: Rate exceeded");
/// ```
pub fn map_sdk_error<E, R>(
    backend: &'static str,
    err: SdkError<E, R>,
    attempts: u32,
) -> ServiceError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    let code = err.code().unwrap_or("").to_owned();
    let message = match (err.code(), err.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        (None, Some(message)) => message.to_owned(),
        (None, None) => match &err {
            SdkError::TimeoutError(_) => "timed out".to_owned(),
            SdkError::DispatchFailure(_) => "the request could not be sent".to_owned(),
            SdkError::ResponseError(_) => "the response could not be read".to_owned(),
            SdkError::ConstructionFailure(_) => "the request could not be built".to_owned(),
            _ => "unknown error".to_owned(),
        },
    };
    let source: BoxError = Box::new(err);
    if matches!(
        code.as_str(),
        "Throttling"
            | "ThrottlingException"
            | "RequestLimitExceeded"
            | "TooManyRequestsException"
            | "SlowDown"
            | "LimitExceededException"
    ) {
        ServiceError::Throttled {
            backend,
            attempts,
            message,
            source,
        }
    } else if matches!(
        code.as_str(),
        "AccessDenied"
            | "AccessDeniedException"
            | "UnauthorizedOperation"
            | "InvalidClientTokenId"
            | "UnrecognizedClientException"
    ) {
        ServiceError::PermissionDenied {
            backend,
            message,
            source,
        }
    } else {
        ServiceError::Backend {
            backend,
            message,
            source,
        }
    }
}

// The listings of every adapter but CloudWatch's, which keeps its own set of tokens (its
// pages are merged in time order).
#[cfg(any(
    feature = "cloudtrail",
    feature = "codedeploy",
    feature = "costexplorer",
    feature = "servicequotas",
    feature = "rds",
    feature = "s3"
))]
mod paging {
    use crate::error::ServiceError;

    /// Follows the page tokens of one paginated listing (`NextToken`, `NextPageToken`, `Marker`,
    /// `ContinuationToken`), refusing a token seen before: a service that hands back an old token
    /// would otherwise page forever (and, for Cost Explorer, bill every page). With
    /// [`NextTokens::with_max_pages`], a token past the last page allowed is refused too: a
    /// service that hands out a new token on every page would page forever as well.
    #[derive(Debug)]
    pub(crate) struct NextTokens {
        field: &'static str,
        seen: std::collections::HashSet<String>,
        /// Pages whose token was followed.
        pages: usize,
        /// The most pages read, and the name of the constant that sets it, for errors.
        max_pages: Option<(usize, &'static str)>,
    }

    impl Default for NextTokens {
        /// Tokens named `NextToken` in errors.
        fn default() -> Self {
            Self::named("NextToken")
        }
    }

    impl NextTokens {
        /// Tokens of the response field `field` (e.g. `Marker`), which errors name.
        pub(crate) fn named(field: &'static str) -> Self {
            Self {
                field,
                seen: std::collections::HashSet::new(),
                pages: 0,
                max_pages: None,
            }
        }

        /// The same, reading at most `max` pages: a token after page `max` is refused, naming
        /// `cap`, the public constant that documents the limit.
        #[cfg(any(feature = "servicequotas", feature = "rds", feature = "s3"))]
        pub(crate) fn with_max_pages(mut self, max: usize, cap: &'static str) -> Self {
            self.max_pages = Some((max, cap));
            self
        }

        /// The token to ask with next, `None` when the listing is done (no token, or an empty
        /// one).
        ///
        /// # Errors
        /// [`ServiceError::InvalidResponse`] when `next` was returned before, naming the field and
        /// the token, or when it would start a page past the maximum, naming the maximum.
        pub(crate) fn follow(
            &mut self,
            backend: &'static str,
            next: Option<&str>,
        ) -> Result<Option<String>, ServiceError> {
            match next {
                Some(next) if !next.is_empty() => {
                    self.pages += 1;
                    if let Some((max, cap)) = self.max_pages
                        && self.pages >= max
                    {
                        return Err(ServiceError::InvalidResponse {
                            backend,
                            reason: format!(
                                "{} still set after {} pages; the listing is read up to {max} pages ({cap})",
                                self.field, self.pages
                            ),
                        });
                    }
                    if !self.seen.insert(next.to_owned()) {
                        return Err(ServiceError::InvalidResponse {
                            backend,
                            reason: format!("{} {next:?} returned twice", self.field),
                        });
                    }
                    Ok(Some(next.to_owned()))
                }
                _ => Ok(None),
            }
        }
    }
}
#[cfg(any(
    feature = "cloudtrail",
    feature = "codedeploy",
    feature = "costexplorer",
    feature = "servicequotas",
    feature = "rds",
    feature = "s3"
))]
pub(crate) use paging::NextTokens;

/// `client` rebuilt with the retry configuration of `retry`: every SDK client type has the same
/// builder methods but no shared trait, hence a macro. `with_retry!(Client, client, retry)`.
macro_rules! with_retry {
    ($client_type:ty, $client:expr, $retry:expr) => {{
        let config = $client
            .config()
            .to_builder()
            .retry_config($crate::sdk::retry_config($retry))
            .build();
        <$client_type>::from_conf(config)
    }};
}
pub(crate) use with_retry;

/// `Display` for a source holding an SDK `client`: its label and the client's region, e.g.
/// `CloudWatch(us-east-1)`. (Cost Explorer's source has no region to show: its endpoint is
/// in us-east-1 whatever the client's.)
#[cfg(any(
    feature = "cloudwatch",
    feature = "cloudtrail",
    feature = "codedeploy",
    feature = "servicequotas",
    feature = "rds",
    feature = "s3"
))]
macro_rules! display_with_region {
    ($source:ty, $label:literal) => {
        impl std::fmt::Display for $source {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.client.config().region() {
                    Some(region) => write!(f, concat!($label, "({})"), region),
                    None => f.write_str($label),
                }
            }
        }
    };
}
#[cfg(any(
    feature = "cloudwatch",
    feature = "cloudtrail",
    feature = "codedeploy",
    feature = "servicequotas",
    feature = "rds",
    feature = "s3"
))]
pub(crate) use display_with_region;

#[cfg(all(
    test,
    any(feature = "cloudwatch", feature = "cloudtrail", feature = "codedeploy")
))]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::sdk_time;

    /// 23:59:60.5 as chrono writes it (59 s and 1.5 × 10^9 ns) panicked in the SDK's
    /// `DateTime` when a sink put it or a source asked for it; it is sent as 23:59:59.999999999.
    #[test]
    fn a_leap_second_is_sent_as_the_last_nanosecond_of_its_second() {
        let leap = Utc.from_utc_datetime(
            &NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
                .unwrap(),
        );
        let sent = sdk_time(leap);
        assert_eq!(
            (sent.secs(), sent.subsec_nanos()),
            (leap.timestamp(), 999_999_999)
        );
        let plain = Utc.with_ymd_and_hms(2016, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(
            (sdk_time(plain).secs(), sdk_time(plain).subsec_nanos()),
            (plain.timestamp(), 0)
        );
    }
}
