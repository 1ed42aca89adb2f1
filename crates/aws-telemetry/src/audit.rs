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
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

pub(crate) mod records;
pub(crate) mod strict_json;

use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use records::{
    CloudTrailRecord, MAX_LOG_BYTES, UserIdentity, parse_lines, parse_log, parse_log_with_limit,
    parse_record, read_log_file,
};

use crate::error::EventSourceError;
use crate::range::TimeRange;

/// Who made a call (CloudTrail's `userIdentity`, "CloudTrail userIdentity element", AWS
/// CloudTrail User Guide).
///
/// A plain record of what the event says: its fields are public to read; build one with
/// [`Identity::new`] and the `with_*` methods, since fields may be added.
///
/// # Example
/// ```
/// use aws_telemetry::Identity;
///
/// let alice = Identity::new("IAMUser").with_user_name("alice").with_account_id("111122223333");
/// assert_eq!(alice.principal(), "alice");
/// assert_eq!(alice.to_string(), "alice");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Identity {
    /// `userIdentity.type`: `Root`, `IAMUser`, `AssumedRole`, `FederatedUser`, `AWSService` …
    pub kind: String,
    /// `userIdentity.arn`, when present.
    pub arn: Option<String>,
    /// `userIdentity.accountId`.
    pub account_id: Option<String>,
    /// `userIdentity.userName` (IAM users and root; a web identity or SAML user's id at its
    /// provider).
    pub user_name: Option<String>,
    /// `userIdentity.accessKeyId`, when the call was signed with a key.
    pub access_key_id: Option<String>,
    /// `userIdentity.principalId`, when not empty: the caller's unique id (`AIDA…` for a user,
    /// `AROA…:session` for a role session, the calling principal of another account).
    pub principal_id: Option<String>,
    /// `userIdentity.onBehalfOf.userId`: the IAM Identity Center user a call was made for.
    pub on_behalf_of: Option<String>,
    /// `userIdentity.invokedBy`: the AWS service that made the call.
    pub invoked_by: Option<String>,
}

impl Identity {
    /// An identity of `kind` (`Root`, `IAMUser`, `AssumedRole` …) with nothing else known.
    pub fn new(kind: impl Into<String>) -> Self {
        Self {
            kind: kind.into(),
            ..Self::default()
        }
    }

    /// The same identity with its ARN.
    #[must_use]
    pub fn with_arn(mut self, arn: impl Into<String>) -> Self {
        self.arn = Some(arn.into());
        self
    }

    /// The same identity with its account id.
    #[must_use]
    pub fn with_account_id(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// The same identity with its user name.
    #[must_use]
    pub fn with_user_name(mut self, user_name: impl Into<String>) -> Self {
        self.user_name = Some(user_name.into());
        self
    }

    /// The same identity with the access key id the call was signed with.
    #[must_use]
    pub fn with_access_key_id(mut self, access_key_id: impl Into<String>) -> Self {
        self.access_key_id = Some(access_key_id.into());
        self
    }

    /// The same identity with its principal id (`userIdentity.principalId`).
    #[must_use]
    pub fn with_principal_id(mut self, principal_id: impl Into<String>) -> Self {
        self.principal_id = Some(principal_id.into());
        self
    }

    /// The name findings use for the principal, and F4 learns habits by: the ARN, else the
    /// user name, else the principal id, else the Identity Center user (`onBehalfOf.userId`),
    /// else the calling service (`invokedBy`), else the account, else the kind. Callers
    /// without an ARN (an IAM Identity Center user, a principal of another account, an
    /// anonymous S3 caller, a type CloudTrail cannot determine) are told apart by these; by
    /// their kind alone, every Identity Center user of an organisation would be one principal.
    ///
    /// A federated web identity or SAML user (`WebIdentityUser`, `SAMLUser`) is named by its
    /// principal id first: CloudTrail writes it `provider:user`, while the user name is the
    /// provider's id alone, which two providers (or two Cognito pools) can share.
    #[inline]
    pub fn principal(&self) -> &str {
        // Most records carry an ARN, first in either order.
        if let Some(arn) = &self.arn {
            return arn;
        }
        let (first, second) = if matches!(self.kind.as_str(), "WebIdentityUser" | "SAMLUser") {
            (&self.principal_id, &self.user_name)
        } else {
            (&self.user_name, &self.principal_id)
        };
        [
            &self.arn,
            first,
            second,
            &self.on_behalf_of,
            &self.invoked_by,
            &self.account_id,
        ]
        .into_iter()
        .find_map(Option::as_deref)
        .unwrap_or(&self.kind)
    }
}

impl fmt::Display for Identity {
    /// The [principal](Identity::principal).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.principal())
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

impl fmt::Display for SignInOutcome {
    /// As CloudTrail writes it: `Success`, `Failure`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Success => "Success",
            Self::Failure => "Failure",
        })
    }
}

/// One API call or console sign-in, from a CloudTrail record ("CloudTrail record contents",
/// AWS CloudTrail User Guide).
///
/// A plain record of what CloudTrail says: its fields are public to read; build one with
/// [`AuditEvent::new`] and the `with_*` methods, since fields may be added.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::{AuditEvent, Identity};
///
/// let event = AuditEvent::new(
///     Utc.with_ymd_and_hms(2026, 11, 2, 3, 4, 5).unwrap(),
///     "signin.amazonaws.com", "ConsoleLogin", "us-east-1", "203.0.113.7",
///     Identity::new("IAMUser").with_user_name("alice"),
/// ).with_mfa(false);
/// assert!(event.is_console_login_without_mfa());
/// assert_eq!(event.to_string(), "2026-11-02T03:04:05Z signin.amazonaws.com ConsoleLogin by alice from 203.0.113.7");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// `eventType`, when known: `AwsApiCall`, `AwsConsoleSignIn`, `AwsConsoleAction`, or
    /// `AwsServiceEvent` for an event AWS generated itself (a KMS key rotated, another
    /// account's call on a resource you own), which no principal of yours made.
    #[serde(default)]
    pub event_type: Option<String>,
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
            event_type: None,
        }
    }

    /// Whether AWS made this call or generated this event: a `userIdentity.type` of
    /// `AWSService`, or an `eventType` of `AwsServiceEvent` (whose `userIdentity` has no type,
    /// only the account and `invokedBy`).
    #[inline]
    pub fn is_by_aws(&self) -> bool {
        self.identity.kind == "AWSService" || self.event_type.as_deref() == Some("AwsServiceEvent")
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

    /// The same event with CloudTrail's `errorMessage`.
    #[must_use]
    pub fn with_error_message(mut self, message: impl Into<String>) -> Self {
        self.error_message = Some(message.into());
        self
    }

    /// The same event with its `eventID`.
    #[must_use]
    pub fn with_event_id(mut self, event_id: impl Into<String>) -> Self {
        self.event_id = Some(event_id.into());
        self
    }

    /// The same event with `MFAUsed` known.
    #[must_use]
    pub fn with_mfa(mut self, used: bool) -> Self {
        self.mfa_used = Some(used);
        self
    }

    /// `true` when the call was refused for lack of permission (`AccessDenied`,
    /// `UnauthorizedOperation`, `Client.UnauthorizedOperation`, `AccessDeniedException`, or
    /// `VpceAccessDenied`, a VPC endpoint policy's refusal in a network activity event).
    #[inline]
    pub fn is_access_denied(&self) -> bool {
        matches!(
            self.error_code.as_deref(),
            Some(
                "AccessDenied"
                    | "AccessDeniedException"
                    | "UnauthorizedOperation"
                    | "Client.UnauthorizedOperation"
                    | "VpceAccessDenied"
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
    #[inline]
    pub fn is_console_login_without_mfa(&self) -> bool {
        // `MFAUsed` first: only sign-ins have it, and it is read without touching a name.
        self.mfa_used == Some(false) && self.is_successful_console_login()
    }

    /// `true` for calls that mint long-lived credentials: `CreateAccessKey`,
    /// `CreateLoginProfile`, `UpdateLoginProfile`.
    #[inline]
    pub fn creates_credentials(&self) -> bool {
        // The name first: its length alone rules out most calls, while every three-letter
        // service (`ec2`, `sts`, `kms` …) has the length of `iam.amazonaws.com`.
        matches!(
            self.name.as_str(),
            "CreateAccessKey" | "CreateLoginProfile" | "UpdateLoginProfile"
        ) && self.source == "iam.amazonaws.com"
    }
}

impl fmt::Display for AuditEvent {
    /// `time source name by principal from ip`, and `failed: code` when it failed, e.g.
    /// `2026-11-02T03:04:05Z iam.amazonaws.com CreateAccessKey by ci from 198.51.100.9`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} by {} from {}",
            self.time
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            self.source,
            self.name,
            self.identity,
            self.source_ip
        )?;
        if let Some(code) = &self.error_code {
            write!(f, " failed: {code}")?;
        }
        Ok(())
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
    /// An [`EventSourceError`]: a record the source read that cannot be used, or its
    /// backend's failure. See each source.
    async fn events(&self, range: &TimeRange) -> Result<Vec<AuditEvent>, EventSourceError>;
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
    async fn events(&self, range: &TimeRange) -> Result<Vec<AuditEvent>, EventSourceError> {
        let stored = self.events.read().unwrap_or_else(|e| e.into_inner());
        Ok(stored
            .iter()
            .filter(|e| range.contains(e.time))
            .cloned()
            .collect())
    }
}
