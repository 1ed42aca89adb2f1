//! Audit events (F4): [`AuditEvent`], the fields of a CloudTrail record that the credential
//! compromise detector reads, as the toolkit's own type; the CloudTrail record format parser
//! ([`parse_log`], [`read_log_file`], [`parse_lines`], [`parse_record`]); and the
//! [`AuditSource`] trait with its in-memory implementation [`InMemoryAuditSource`]. The
//! `LookupEvents` adapter is `CloudTrailSource` (feature `cloudtrail`).
//!
//! ```
//! use aws_telemetry::audit::{parse_log, AuditSource, InMemoryAuditSource};
//! use aws_telemetry::TimeRange;
//! use chrono::{TimeZone, Utc};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let log = br#"{"Records":[{"eventTime":"2026-11-02T03:04:05Z","eventSource":"iam.amazonaws.com",
//!     "eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.9",
//!     "userIdentity":{"type":"IAMUser","userName":"ci","accountId":"111122223333"}}]}"#;
//! let source = InMemoryAuditSource::new();
//! source.extend(parse_log(log, "example.json")?);
//! let day = TimeRange::new(
//!     Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap(),
//!     Utc.with_ymd_and_hms(2026, 11, 3, 0, 0, 0).unwrap(),
//! )?;
//! let events = source.events(&day).await?;
//! assert!(events[0].creates_credentials());
//! # Ok::<(), aws_telemetry::Error>(())
//! # }).unwrap();
//! ```

mod records;
mod strict_json;

use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use records::{
    CloudTrailRecord, MAX_LOG_BYTES, UserIdentity, parse_lines, parse_log, parse_log_with_limit,
    parse_record, read_log_file,
};

use crate::error::Result;
use crate::query::TimeRange;

/// Who made a call (CloudTrail's `userIdentity`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Identity {
    /// `userIdentity.type`: `Root`, `IAMUser`, `AssumedRole`, `FederatedUser`, `AWSService` …
    pub kind: String,
    /// `userIdentity.arn`, when present.
    pub arn: Option<String>,
    /// `userIdentity.accountId`.
    pub account_id: Option<String>,
    /// `userIdentity.userName` (IAM users and root).
    pub user_name: Option<String>,
    /// `userIdentity.accessKeyId`, when the call was signed with a key.
    pub access_key_id: Option<String>,
}

impl Identity {
    /// The name findings use for the principal: the ARN, else the user name, else the kind.
    pub fn principal(&self) -> &str {
        self.arn
            .as_deref()
            .or(self.user_name.as_deref())
            .unwrap_or(&self.kind)
    }
}

/// The result of a console sign-in (`ConsoleLogin`, `CheckMfa` …): CloudTrail's
/// `responseElements.ConsoleLogin`. A failed sign-in carries no `errorCode`: only this and
/// `errorMessage` (e.g. `"Failed authentication"`) say it failed ("AWS Management Console
/// sign-in events", AWS CloudTrail User Guide).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SignInOutcome {
    /// `"Success"`.
    Success,
    /// `"Failure"`.
    Failure,
}

/// One API call or console sign-in, from a CloudTrail record.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::{AuditEvent, Identity};
///
/// let event = AuditEvent::new(
///     Utc.with_ymd_and_hms(2026, 11, 2, 3, 4, 5).unwrap(),
///     "signin.amazonaws.com", "ConsoleLogin", "us-east-1", "203.0.113.7",
///     Identity { kind: "IAMUser".into(), user_name: Some("alice".into()), ..Identity::default() },
/// ).with_mfa(false);
/// assert!(event.is_console_login_without_mfa());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    /// `eventTime`.
    pub time: DateTime<Utc>,
    /// `eventSource`, e.g. `iam.amazonaws.com`.
    pub source: String,
    /// `eventName`, e.g. `CreateAccessKey`.
    pub name: String,
    /// `awsRegion`.
    pub region: String,
    /// `sourceIPAddress` (an IP, or a service name for calls made by AWS services).
    pub source_ip: String,
    /// `userIdentity`.
    pub identity: Identity,
    /// `errorCode`, e.g. `AccessDenied`, when the call failed.
    pub error_code: Option<String>,
    /// `errorMessage`, e.g. `Failed authentication` (a failed console sign-in has a message and
    /// no code).
    #[serde(default)]
    pub error_message: Option<String>,
    /// `responseElements`, as sent (`null` and absent are `None`).
    #[serde(default)]
    pub response_elements: Option<serde_json::Value>,
    /// For a console sign-in, its result (`responseElements.ConsoleLogin`; a sign-in record
    /// with an `errorMessage` and no result is a [`SignInOutcome::Failure`]).
    #[serde(default)]
    pub sign_in: Option<SignInOutcome>,
    /// `additionalEventData.MFAUsed` (`"Yes"` / `"No"`), for console sign-ins.
    pub mfa_used: Option<bool>,
    /// `eventID`, when known.
    pub event_id: Option<String>,
}

impl AuditEvent {
    /// A successful call with no MFA information and no event id.
    pub fn new(
        time: DateTime<Utc>,
        source: impl Into<String>,
        name: impl Into<String>,
        region: impl Into<String>,
        source_ip: impl Into<String>,
        identity: Identity,
    ) -> Self {
        Self {
            time,
            source: source.into(),
            name: name.into(),
            region: region.into(),
            source_ip: source_ip.into(),
            identity,
            error_code: None,
            error_message: None,
            response_elements: None,
            sign_in: None,
            mfa_used: None,
            event_id: None,
        }
    }

    /// The same event with a console sign-in result (a failure also gets CloudTrail's
    /// `errorMessage`, `"Failed authentication"`, unless it has one).
    #[must_use]
    pub fn with_sign_in(mut self, outcome: SignInOutcome) -> Self {
        self.sign_in = Some(outcome);
        if outcome == SignInOutcome::Failure && self.error_message.is_none() {
            self.error_message = Some("Failed authentication".to_owned());
        }
        self
    }

    /// The same event, failed with `code`.
    #[must_use]
    pub fn with_error(mut self, code: impl Into<String>) -> Self {
        self.error_code = Some(code.into());
        self
    }

    /// The same event with `MFAUsed` known.
    #[must_use]
    pub fn with_mfa(mut self, used: bool) -> Self {
        self.mfa_used = Some(used);
        self
    }

    /// `true` when the call was refused for lack of permission (`AccessDenied`,
    /// `UnauthorizedOperation`, `Client.UnauthorizedOperation`, `AccessDeniedException`).
    pub fn is_access_denied(&self) -> bool {
        matches!(
            self.error_code.as_deref(),
            Some(
                "AccessDenied"
                    | "AccessDeniedException"
                    | "UnauthorizedOperation"
                    | "Client.UnauthorizedOperation"
            )
        )
    }

    /// `true` for a console sign-in that succeeded: its result says so, or (an event built
    /// without one) it carries neither an error code nor an error message.
    pub fn is_successful_console_login(&self) -> bool {
        self.name == "ConsoleLogin"
            && match self.sign_in {
                Some(outcome) => outcome == SignInOutcome::Success,
                None => self.error_code.is_none() && self.error_message.is_none(),
            }
    }

    /// `true` for a console sign-in that failed (a wrong password, a wrong MFA code).
    pub fn is_failed_console_login(&self) -> bool {
        self.name == "ConsoleLogin" && !self.is_successful_console_login()
    }

    /// `true` for a successful console sign-in whose record says MFA was not used. A failed
    /// sign-in is never one, whatever its `MFAUsed` says.
    pub fn is_console_login_without_mfa(&self) -> bool {
        self.is_successful_console_login() && self.mfa_used == Some(false)
    }

    /// `true` for calls that mint long-lived credentials: `CreateAccessKey`,
    /// `CreateLoginProfile`, `UpdateLoginProfile`.
    pub fn creates_credentials(&self) -> bool {
        self.source == "iam.amazonaws.com"
            && matches!(
                self.name.as_str(),
                "CreateAccessKey" | "CreateLoginProfile" | "UpdateLoginProfile"
            )
    }
}

/// A source of audit events: CloudTrail `LookupEvents`, parsed log files, memory.
///
/// Object safe and `Send + Sync`, like [`MetricSource`](crate::MetricSource): hold it as
/// `Arc<dyn AuditSource>`.
#[async_trait]
pub trait AuditSource: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// Every event whose time is in `range` (start included, end excluded), oldest first.
    ///
    /// # Errors
    /// Backend-specific: see each source.
    async fn events(&self, range: &TimeRange) -> Result<Vec<AuditEvent>>;
}

/// Audit events put in by the caller (e.g. from [`read_log_file`]); clones share them.
///
/// See the [module example](self).
#[derive(Debug, Clone, Default)]
pub struct InMemoryAuditSource {
    events: Arc<RwLock<Vec<AuditEvent>>>,
}

impl InMemoryAuditSource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds events (in any order).
    pub fn extend(&self, events: impl IntoIterator<Item = AuditEvent>) {
        let mut stored = self.events.write().unwrap_or_else(|e| e.into_inner());
        stored.extend(events);
        stored.sort_by_key(|e| e.time);
    }

    /// How many events it holds.
    pub fn len(&self) -> usize {
        self.events
            .read()
            .map_or_else(|e| e.into_inner().len(), |e| e.len())
    }

    /// `true` when it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for InMemoryAuditSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InMemoryAuditSource({} events)", self.len())
    }
}

#[async_trait]
impl AuditSource for InMemoryAuditSource {
    async fn events(&self, range: &TimeRange) -> Result<Vec<AuditEvent>> {
        let stored = self.events.read().unwrap_or_else(|e| e.into_inner());
        Ok(stored
            .iter()
            .filter(|e| e.time >= range.start() && e.time < range.end())
            .cloned()
            .collect())
    }
}
