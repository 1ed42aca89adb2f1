//! The CloudTrail record format, parsed with serde: log files as delivered to S3
//! (`{"Records": [...]}`, usually gzip'd), one record per line (CloudWatch Logs messages), and
//! single records (`LookupEvents`' `CloudTrailEvent` string). Pure: no feature needed.

use std::io::Read;
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::strict_json;
use super::{AuditEvent, Identity, SignInOutcome};
use crate::error::RecordError;

/// The largest CloudTrail log [`parse_log`] reads: 256 MiB of JSON, after gzip decompression.
/// CloudTrail delivers a file about every five minutes per region, a few MB at most
/// uncompressed; a gzip "bomb" of 1 MiB that inflates to 1 GiB is refused after 256 MiB read,
/// with [`RecordError::LimitExceeded`], instead of taking the memory. [`parse_log_with_limit`]
/// sets another cap.
pub const MAX_LOG_BYTES: u64 = 256 << 20;

/// `userIdentity` of a CloudTrail record: the fields F4 reads, and every other field kept in
/// [`UserIdentity::extra`] (`principalId`, `sessionContext`, `invokedBy` …).
///
/// A plain record of the log format, read with `serde`: fields are public; more may be typed
/// out of `extra`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    /// `type`: `Root`, `IAMUser`, `AssumedRole`, `FederatedUser`, `AWSService` …
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// `arn`.
    #[serde(default)]
    pub arn: Option<String>,
    /// `accountId`.
    #[serde(default)]
    pub account_id: Option<String>,
    /// `userName`.
    #[serde(default)]
    pub user_name: Option<String>,
    /// `accessKeyId`.
    #[serde(default)]
    pub access_key_id: Option<String>,
    /// Every other field, as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UserIdentity {
    /// The non-empty string at `key` of [`UserIdentity::extra`] (or at `key.inner`): CloudTrail
    /// writes `"principalId": ""` for anonymous callers, which names no one.
    fn text(&self, key: &str, inner: Option<&str>) -> Option<String> {
        let value = self.extra.get(key)?;
        let value = match inner {
            Some(inner) => value.get(inner)?,
            None => value,
        };
        value.as_str().filter(|s| !s.is_empty()).map(str::to_owned)
    }
}

/// One CloudTrail record as the log format has it ("CloudTrail record contents", AWS
/// CloudTrail User Guide): the fields F4 reads, typed, and every other field kept in
/// [`CloudTrailRecord::extra`], so that fields CloudTrail adds over time are carried, not
/// rejected.
///
/// A plain record of the log format, read with `serde`: fields are public; more may be typed
/// out of `extra`.
///
/// # Example
/// ```
/// use aws_telemetry::audit::CloudTrailRecord;
///
/// let record: CloudTrailRecord = serde_json::from_str(r#"{
///     "eventVersion": "1.08", "eventTime": "2014-03-06T21:22:54Z",
///     "eventSource": "ec2.amazonaws.com", "eventName": "StartInstances",
///     "awsRegion": "us-east-2", "sourceIPAddress": "205.251.233.176",
///     "userIdentity": {"type": "IAMUser", "userName": "Alice"},
///     "tlsDetails": {"tlsVersion": "TLSv1.2"}
/// }"#)?;
/// assert!(record.extra.contains_key("tlsDetails"));
/// let event = record.to_event("example.json", 0)?;
/// assert_eq!(event.identity.principal(), "Alice");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CloudTrailRecord {
    /// `eventTime`, as written (ISO 8601, UTC).
    pub event_time: String,
    /// `eventSource`.
    pub event_source: String,
    /// `eventName`.
    pub event_name: String,
    /// `awsRegion`.
    pub aws_region: String,
    /// `sourceIPAddress`.
    #[serde(rename = "sourceIPAddress", default)]
    pub source_ip_address: Option<String>,
    /// `userIdentity`.
    #[serde(default)]
    pub user_identity: Option<UserIdentity>,
    /// `errorCode`.
    #[serde(default)]
    pub error_code: Option<String>,
    /// `errorMessage`.
    #[serde(default)]
    pub error_message: Option<String>,
    /// `additionalEventData`, as sent (an object whose keys depend on the event).
    #[serde(default)]
    pub additional_event_data: Option<Value>,
    /// `eventID`.
    #[serde(rename = "eventID", default)]
    pub event_id: Option<String>,
    /// Every other field (`eventVersion`, `requestParameters`, `responseElements`,
    /// `tlsDetails` …), as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl CloudTrailRecord {
    /// The [`AuditEvent`] of this record. A record without `userIdentity` (CloudTrail Insights
    /// events) gets an [`Identity`] whose `kind` is empty; without `sourceIPAddress`, an empty
    /// `source_ip`. `MFAUsed` is read from `additionalEventData` when it is `"Yes"` or `"No"`;
    /// `errorMessage` and `responseElements` are carried, and a sign-in's result is read from
    /// `responseElements.ConsoleLogin` (`"Success"` or `"Failure"`; a sign-in with an
    /// `errorMessage` and no result failed).
    ///
    /// `origin` and `index` label errors: the file (or `LookupEvents`) and the record's
    /// position in it.
    ///
    /// # Errors
    /// [`RecordError::Time`] when `eventTime` is not an RFC 3339 time; [`RecordError::Field`]
    /// when `MFAUsed` is neither `"Yes"` nor `"No"`, or `responseElements.ConsoleLogin` is
    /// neither `"Success"` nor `"Failure"`.
    pub fn to_event(&self, origin: &str, index: usize) -> Result<AuditEvent, RecordError> {
        let field_error = |field, reason| RecordError::Field {
            origin: origin.to_owned(),
            index,
            field,
            reason,
        };
        let time = parse_time(&self.event_time, origin, index, "eventTime")?;
        let mfa_used = match self
            .additional_event_data
            .as_ref()
            .and_then(|data| data.get("MFAUsed"))
        {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s == "Yes" => Some(true),
            Some(Value::String(s)) if s == "No" => Some(false),
            Some(other) => {
                return Err(field_error(
                    "additionalEventData.MFAUsed",
                    format!("is {other}, not \"Yes\" or \"No\""),
                ));
            }
        };
        let identity = self
            .user_identity
            .as_ref()
            .map(|u| Identity {
                kind: u.kind.clone().unwrap_or_default(),
                arn: u.arn.clone(),
                account_id: u.account_id.clone(),
                user_name: u.user_name.clone(),
                access_key_id: u.access_key_id.clone().filter(|k| !k.is_empty()),
                principal_id: u.text("principalId", None),
                on_behalf_of: u.text("onBehalfOf", Some("userId")),
                invoked_by: u.text("invokedBy", None),
            })
            .unwrap_or_default();
        let response_elements = self
            .extra
            .get("responseElements")
            .filter(|v| !v.is_null())
            .cloned();
        let sign_in = match response_elements
            .as_ref()
            .and_then(|r| r.get("ConsoleLogin"))
        {
            None | Some(Value::Null) => (self.event_source == "signin.amazonaws.com"
                && self.error_message.is_some())
            .then_some(SignInOutcome::Failure),
            Some(Value::String(s)) if s == "Success" => Some(SignInOutcome::Success),
            Some(Value::String(s)) if s == "Failure" => Some(SignInOutcome::Failure),
            Some(other) => {
                return Err(field_error(
                    "responseElements.ConsoleLogin",
                    format!("is {other}, not \"Success\" or \"Failure\""),
                ));
            }
        };
        Ok(AuditEvent {
            time,
            source: self.event_source.clone(),
            name: self.event_name.clone(),
            region: self.aws_region.clone(),
            source_ip: self.source_ip_address.clone().unwrap_or_default(),
            identity,
            error_code: self.error_code.clone(),
            error_message: self.error_message.clone(),
            response_elements,
            sign_in,
            mfa_used,
            event_id: self.event_id.clone(),
            event_type: self
                .extra
                .get("eventType")
                .and_then(Value::as_str)
                .map(str::to_owned),
        })
    }
}

/// The instant of a record's time field, which CloudTrail writes in RFC 3339 (UTC).
pub(crate) fn parse_time(
    value: &str,
    origin: &str,
    index: usize,
    field: &'static str,
) -> Result<DateTime<Utc>, RecordError> {
    DateTime::parse_from_rfc3339(value)
        .map(|at| at.with_timezone(&Utc))
        .map_err(|source| RecordError::Time {
            origin: origin.to_owned(),
            index,
            field,
            value: value.to_owned(),
            source,
        })
}

/// The error for record `index` of `origin` that is not a CloudTrail record.
pub(crate) fn not_a_record(
    origin: &str,
    index: usize,
    reason: &'static str,
    source: Option<serde_json::Error>,
) -> RecordError {
    RecordError::Record {
        origin: origin.to_owned(),
        index,
        reason,
        source,
    }
}

/// CloudTrail Insights events (`eventType` `AwsCloudTrailInsight`) describe unusual activity
/// in aggregate: they have no caller, and no top-level `eventSource` / `eventName`.
const INSIGHT: &str = "AwsCloudTrailInsight";

/// The top-level fields of a call that an Insights event does not have (its call is
/// described in aggregate under `insightDetails`), each with the error of a record that says
/// it is an Insights event and has it: skipped, that call would be hidden from every detector.
const CALL_FIELDS: [(&str, &str); 3] = [
    (
        "userIdentity",
        "has eventType AwsCloudTrailInsight and a userIdentity, which Insights events do not \
         have: a call marked as an Insights event is refused, not skipped",
    ),
    (
        "eventSource",
        "has eventType AwsCloudTrailInsight and a top-level eventSource, which Insights events \
         do not have: a call marked as an Insights event is refused, not skipped",
    ),
    (
        "eventName",
        "has eventType AwsCloudTrailInsight and a top-level eventName, which Insights events do \
         not have: a call marked as an Insights event is refused, not skipped",
    ),
];

/// The event of one record; `None` for an Insights event.
fn to_event(origin: &str, index: usize, value: Value) -> Result<Option<AuditEvent>, RecordError> {
    to_record(origin, index, value)?
        .map(|record| record.to_event(origin, index))
        .transpose()
}

/// One record of a log; `None` for an Insights event.
pub(crate) fn to_record(
    origin: &str,
    index: usize,
    value: Value,
) -> Result<Option<CloudTrailRecord>, RecordError> {
    let Value::Object(map) = &value else {
        return Err(not_a_record(origin, index, "is not a JSON object", None));
    };
    if map.get("eventType").and_then(Value::as_str) == Some(INSIGHT) {
        // Skipped only if it is one: a record that names a caller or a call and says it is an
        // Insights event would otherwise hide that call from every detector.
        if let Some((_, reason)) = CALL_FIELDS.into_iter().find(|(f, _)| map.contains_key(*f)) {
            return Err(not_a_record(origin, index, reason, None));
        }
        return Ok(None);
    }
    let record: CloudTrailRecord = serde_json::from_value(value).map_err(|e| {
        not_a_record(
            origin,
            index,
            "lacks a required field, or has one of the wrong type",
            Some(e),
        )
    })?;
    Ok(Some(record))
}

/// Parses one record: the JSON text of a single CloudTrail event, as `LookupEvents` returns in
/// `CloudTrailEvent` or a CloudWatch Logs message holds. `origin` and `index` only label errors.
///
/// # Errors
/// A [`RecordError`] naming `origin` and `index`: [`RecordError::Record`] for text that is
/// not a JSON object (or names a key twice, at any depth: the last would otherwise win
/// unseen), a missing or mistyped required field (`eventTime`, `eventSource`, `eventName`,
/// `awsRegion`), or a CloudTrail Insights event (which has no caller); as
/// [`CloudTrailRecord::to_event`] for a bad `eventTime`, `MFAUsed` or sign-in result.
///
/// # Example
/// ```
/// let event = aws_telemetry::audit::parse_record(
///     r#"{"eventTime":"2026-11-02T03:04:05Z","eventSource":"signin.amazonaws.com",
///         "eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7",
///         "userIdentity":{"type":"Root","accountId":"111122223333"},
///         "additionalEventData":{"MFAUsed":"No"}}"#,
///     "example", 0,
/// )?;
/// assert!(event.is_console_login_without_mfa());
/// # Ok::<(), aws_telemetry::RecordError>(())
/// ```
pub fn parse_record(json: &str, origin: &str, index: usize) -> Result<AuditEvent, RecordError> {
    let value = strict_json::from_str(json)
        .map_err(|e| not_a_record(origin, index, "is not JSON", Some(e)))?;
    to_event(origin, index, value)?.ok_or_else(|| {
        not_a_record(
            origin,
            index,
            "is a CloudTrail Insights event, not a call by a principal",
            None,
        )
    })
}

/// Reads every record of a CloudTrail log file's content: `{"Records": [...]}`, gzip'd (as
/// CloudTrail delivers it to S3, detected by the gzip magic bytes) or not. `origin` labels
/// errors (the file name, the S3 key). CloudTrail Insights events (`eventType`
/// `AwsCloudTrailInsight`, no caller) are skipped; every other record must be readable.
///
/// At most [`MAX_LOG_BYTES`] of JSON are read (after decompression); JSON naming a key twice
/// in any object is refused, since the last would otherwise win unseen (a second `"Records"`
/// could empty the file, a second `"eventName"` hide a `CreateAccessKey`).
///
/// # Errors
/// A [`RecordError`]: [`RecordError::Gzip`] for gzip that does not inflate;
/// [`RecordError::Log`] for bytes that are not JSON, JSON without a `Records` array, or a key
/// named twice; [`RecordError::LimitExceeded`] past [`MAX_LOG_BYTES`]; as [`parse_record`],
/// with the record's index, for the first record that cannot be read.
///
/// # Example
/// ```
/// let log = br#"{"Records":[{"eventTime":"2026-11-02T03:04:05Z","eventSource":"iam.amazonaws.com",
///     "eventName":"CreateAccessKey","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.9",
///     "userIdentity":{"type":"IAMUser","userName":"ci"},"errorCode":"AccessDenied"}]}"#;
/// let events = aws_telemetry::audit::parse_log(log, "example.json")?;
/// assert!(events[0].is_access_denied());
/// # Ok::<(), aws_telemetry::RecordError>(())
/// ```
pub fn parse_log(bytes: &[u8], origin: &str) -> Result<Vec<AuditEvent>, RecordError> {
    parse_log_with_limit(bytes, origin, MAX_LOG_BYTES)
}

/// [`parse_log`] with a cap of `max_bytes` of JSON (after decompression) instead of
/// [`MAX_LOG_BYTES`].
///
/// # Errors
/// As [`parse_log`], with [`RecordError::LimitExceeded`] past `max_bytes`.
pub fn parse_log_with_limit(
    bytes: &[u8],
    origin: &str,
    max_bytes: u64,
) -> Result<Vec<AuditEvent>, RecordError> {
    let mut events = Vec::new();
    for (index, record) in log_records(bytes, origin, max_bytes)? {
        events.push(record.to_event(origin, index)?);
    }
    Ok(events)
}

/// The records of a CloudTrail log file (gzip'd or not, at most `max_bytes` of JSON), with
/// their index in its `Records` array; Insights events are skipped.
///
/// # Errors
/// As [`parse_log_with_limit`], before any record is interpreted.
pub(crate) fn log_records(
    bytes: &[u8],
    origin: &str,
    max_bytes: u64,
) -> Result<Vec<(usize, CloudTrailRecord)>, RecordError> {
    let log_error = |reason: &'static str, source: Option<serde_json::Error>| RecordError::Log {
        origin: origin.to_owned(),
        reason,
        source,
    };
    let too_large = |requested: u64| RecordError::LimitExceeded {
        what: "CloudTrail log bytes (decompressed)",
        limit: max_bytes,
        requested,
        origin: origin.to_owned(),
    };
    let inflated;
    let json = if bytes.starts_with(&[0x1f, 0x8b]) {
        // One byte past the cap is read, to tell "exactly at the cap" from "past it".
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .take(max_bytes.saturating_add(1))
            .read_to_end(&mut out)
            .map_err(|source| RecordError::Gzip {
                origin: origin.to_owned(),
                source,
            })?;
        if out.len() as u64 > max_bytes {
            return Err(too_large(out.len() as u64));
        }
        inflated = out;
        &inflated[..]
    } else {
        if bytes.len() as u64 > max_bytes {
            return Err(too_large(bytes.len() as u64));
        }
        bytes
    };
    let mut root: Map<String, Value> = match strict_json::from_slice(json) {
        Ok(Value::Object(root)) => root,
        Ok(_) => return Err(log_error("not a JSON object", None)),
        Err(e) => return Err(log_error("not JSON", Some(e))),
    };
    let records = match root.remove("Records") {
        Some(Value::Array(records)) => records,
        Some(_) => return Err(log_error("\"Records\" is not an array", None)),
        None => return Err(log_error("no \"Records\" array", None)),
    };
    let mut out = Vec::with_capacity(records.len());
    for (index, value) in records.into_iter().enumerate() {
        if let Some(record) = to_record(origin, index, value)? {
            out.push((index, record));
        }
    }
    Ok(out)
}

/// Reads a CloudTrail log file (gzip'd or not) with [`parse_log`], labelling errors with its
/// path.
///
/// # Errors
/// [`RecordError::Io`] when the file cannot be read; [`RecordError::LimitExceeded`] past
/// [`MAX_LOG_BYTES`] bytes; otherwise as [`parse_log`].
pub fn read_log_file(path: impl AsRef<Path>) -> Result<Vec<AuditEvent>, RecordError> {
    let (bytes, origin) = read_log_bytes(path.as_ref())?;
    parse_log(&bytes, &origin)
}

/// The bytes of a log file and its path as an origin, reading at most [`MAX_LOG_BYTES`] (a
/// larger file, gzip'd or not, would be refused by the parser anyway).
///
/// # Errors
/// [`RecordError::Io`] when the file cannot be read; [`RecordError::LimitExceeded`] past
/// [`MAX_LOG_BYTES`].
pub(crate) fn read_log_bytes(path: &Path) -> Result<(Vec<u8>, String), RecordError> {
    let io = |source| RecordError::Io {
        path: path.to_owned(),
        source,
    };
    let origin = path.display().to_string();
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io)?
        .take(MAX_LOG_BYTES.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > MAX_LOG_BYTES {
        return Err(RecordError::LimitExceeded {
            what: "CloudTrail log file bytes",
            limit: MAX_LOG_BYTES,
            requested: bytes.len() as u64,
            origin,
        });
    }
    Ok((bytes, origin))
}

/// Reads one record per line (CloudWatch Logs messages exported or streamed as JSON lines);
/// blank lines and CloudTrail Insights events are skipped. Errors carry the 0-based line
/// number as the index.
///
/// # Errors
/// As [`parse_record`], for the first line that is not a readable record.
///
/// # Example
/// ```
/// let lines = concat!(
///     r#"{"eventTime":"2026-11-02T03:04:05Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"eu-west-1"}"#, "\n",
///     "\n",
///     r#"{"eventTime":"2026-11-02T03:04:06Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#, "\n",
/// );
/// let err = aws_telemetry::audit::parse_lines(lines, "stream").unwrap_err();
/// assert_eq!(err.to_string(), "stream: record 2 lacks a required field, or has one of the wrong type");
/// let cause = std::error::Error::source(&err).unwrap();
/// assert!(cause.to_string().starts_with("missing field `awsRegion`"));
/// ```
pub fn parse_lines(text: &str, origin: &str) -> Result<Vec<AuditEvent>, RecordError> {
    let mut events = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value = strict_json::from_str(line)
            .map_err(|e| not_a_record(origin, index, "is not JSON", Some(e)))?;
        if let Some(event) = to_event(origin, index, value)? {
            events.push(event);
        }
    }
    Ok(events)
}
