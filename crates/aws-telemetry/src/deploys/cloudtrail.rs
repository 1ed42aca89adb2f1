//! Deploys read from CloudTrail records: the API calls that release new code or configuration
//! to a service. Pure: no feature needed. The records come from a trail's delivered log files
//! ([`parse_log`], [`read_log_file`]: no 90-day horizon, no request rate), from CloudWatch Logs
//! lines ([`parse_lines`]), or through `CloudTrailSource` (feature `cloudtrail`), which looks
//! these calls up with `LookupEvents`.
//!
//! | record (`eventSource`, `eventName`) | deploy | service | rollout, outcome |
//! |---|---|---|---|
//! | `ecs.amazonaws.com` `UpdateService` with a `taskDefinition` or `forceNewDeployment: true` | a rolling update | `ecs:CLUSTER/SERVICE` | direct, end unknown |
//! | `lambda.amazonaws.com` `UpdateFunctionCode20150331v2` | new code for `$LATEST` | `lambda:FUNCTION` | direct, end unknown |
//! | `lambda.amazonaws.com` `PublishVersion20150331` | a new version | `lambda:FUNCTION` | direct, end unknown |
//! | `lambda.amazonaws.com` `UpdateAlias20150331` moving `functionVersion` | an alias switch | `lambda:FUNCTION` | direct, complete at once |
//! | the same with `routingConfig.additionalVersionWeights` | a weighted alias | `lambda:FUNCTION` | canary (the weights' sum), end unknown |
//! | `cloudformation.amazonaws.com` `UpdateStack`, `ExecuteChangeSet` | a stack update | `cloudformation:STACK` | direct, end unknown |
//!
//! A record is the call that starts a rollout, not its end: ECS replaces tasks, CloudFormation
//! updates resources, Lambda finishes the update asynchronously. Only an alias switch without
//! weights takes effect when the call returns. `UpdateService` calls that change only the
//! desired count (scaling) or other settings are not deploys, nor are calls that failed
//! (`errorCode` set: nothing changed) or Lambda dry runs. The deploy's id is the record's
//! `eventID`.
//!
//! Fields are read as the APIs define them (the record's `requestParameters` are the call's
//! request, its `responseElements` the response): ECS `UpdateService` (`cluster`, `service`,
//! `taskDefinition`, `forceNewDeployment`), Lambda `UpdateFunctionCode`, `PublishVersion` and
//! `UpdateAlias` (`functionName`, `name`, `functionVersion`, `routingConfig`), CloudFormation
//! `UpdateStack` and `ExecuteChangeSet` (`stackName`), and against CloudTrail's documented
//! record of `UpdateStack` (CloudFormation user guide, "Logging AWS CloudFormation API calls
//! with AWS CloudTrail"). Lambda's event names carry the API version (`UpdateFunctionCode20150331v2`);
//! the bare names are accepted too.
//!
//! ```
//! use aws_telemetry::deploys::cloudtrail::parse_record;
//! use sli_core::DeployOutcome;
//!
//! let deploy = parse_record(r#"{"eventVersion":"1.08","eventTime":"2026-03-02T14:00:00Z",
//!     "eventSource":"lambda.amazonaws.com","eventName":"UpdateAlias20150331","awsRegion":"eu-west-1",
//!     "eventID":"0f6a9c1e-8c4e-4d55-9e4e-1b2f3a4b5c6d",
//!     "requestParameters":{"functionName":"checkout","name":"live","functionVersion":"7"}}"#,
//!     "example", 0)?.unwrap();
//! assert_eq!(deploy.service(), "lambda:checkout");
//! assert!(matches!(deploy.outcome(), DeployOutcome::Complete { .. }));
//! # Ok::<(), aws_telemetry::RecordError>(())
//! ```

use chrono::{DateTime, Utc};
use std::path::Path;

use serde_json::Value;
use sli_core::{Deploy, DeployOutcome, Rollout};

use crate::audit::records::{log_records, not_a_record, parse_time, read_log_bytes};
use crate::audit::{CloudTrailRecord, MAX_LOG_BYTES};
use crate::error::RecordError;

/// The calls read as deploys, as `(eventSource, eventName)` the way CloudTrail records them
/// (and `LookupEvents` matches them: exactly).
pub const DEPLOY_EVENTS: &[(&str, &str)] = &[
    ("ecs.amazonaws.com", "UpdateService"),
    ("lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
    ("lambda.amazonaws.com", "PublishVersion20150331"),
    ("lambda.amazonaws.com", "UpdateAlias20150331"),
    ("cloudformation.amazonaws.com", "UpdateStack"),
    ("cloudformation.amazonaws.com", "ExecuteChangeSet"),
];

fn record_error(
    origin: &str,
    index: usize,
    field: &'static str,
    reason: impl Into<String>,
) -> RecordError {
    RecordError::Field {
        origin: origin.to_owned(),
        index,
        field,
        reason: reason.into(),
    }
}

/// A Lambda event name without its API version suffix: `UpdateFunctionCode20150331v2` →
/// `UpdateFunctionCode`.
fn bare_lambda_name(name: &str) -> &str {
    let without_v = match name.rfind('v') {
        Some(at) if at + 1 < name.len() && name[at + 1..].bytes().all(|b| b.is_ascii_digit()) => {
            &name[..at]
        }
        _ => name,
    };
    let digits = without_v
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 8 {
        &without_v[..without_v.len() - 8]
    } else {
        name
    }
}

/// The text after `marker` up to the next `/` or `:` (an ARN's resource name), or the whole
/// text when it holds no `marker`.
fn after<'a>(text: &'a str, marker: &str) -> &'a str {
    match text.find(marker) {
        Some(at) => {
            let rest = &text[at + marker.len()..];
            rest.split(['/', ':']).next().unwrap_or(rest)
        }
        None => text,
    }
}

/// What one record reads as, before it is a [`Deploy`].
struct Reading {
    service: String,
    rollout: Rollout,
    outcome: DeployOutcome,
}

/// Reads a record's fields; `field` names the one at fault in errors.
struct Fields<'a> {
    record: &'a CloudTrailRecord,
    origin: &'a str,
    index: usize,
}

impl Fields<'_> {
    fn object(&self, key: &str) -> Option<&serde_json::Map<String, Value>> {
        self.record.extra.get(key).and_then(Value::as_object)
    }

    fn request(&self, key: &str) -> Option<&Value> {
        self.object("requestParameters")
            .and_then(|p| p.get(key))
            .filter(|v| !v.is_null())
    }

    fn request_str(&self, field: &'static str, key: &str) -> Result<Option<&str>, RecordError> {
        match self.request(key) {
            None => Ok(None),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s)),
            Some(other) => Err(self.error(field, format!("is {other}, not a name"))),
        }
    }

    fn required_str(&self, field: &'static str, key: &str) -> Result<&str, RecordError> {
        self.request_str(field, key)?.ok_or_else(|| {
            self.error(
                field,
                format!(
                    "is missing: the {} record names no resource",
                    self.record.event_name
                ),
            )
        })
    }

    fn error(&self, field: &'static str, reason: impl Into<String>) -> RecordError {
        record_error(self.origin, self.index, field, reason)
    }

    fn ecs(&self) -> Result<Option<Reading>, RecordError> {
        let service = self.required_str("requestParameters.service", "service")?;
        let deploys = self.request("taskDefinition").is_some()
            || self.request("forceNewDeployment") == Some(&Value::Bool(true));
        if !deploys {
            return Ok(None);
        }
        // A service ARN is `service/CLUSTER/NAME` (or `service/NAME` in the old format).
        let (cluster, name) = match service.split_once(":service/") {
            Some((_, path)) => match path.split_once('/') {
                Some((cluster, name)) => (Some(cluster), name),
                None => (None, path),
            },
            None => (None, service),
        };
        let cluster = match cluster {
            Some(cluster) => cluster,
            None => self
                .request_str("requestParameters.cluster", "cluster")?
                .map_or("default", |c| after(c, ":cluster/")),
        };
        Ok(Some(direct(format!("ecs:{cluster}/{name}"))))
    }

    fn lambda_function(&self) -> Result<String, RecordError> {
        let from_response = self
            .object("responseElements")
            .and_then(|r| r.get("functionName"))
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty());
        let name = match from_response {
            Some(name) => name,
            None => self.required_str("requestParameters.functionName", "functionName")?,
        };
        let name = after(name, ":function:");
        if name.is_empty() {
            return Err(self.error("requestParameters.functionName", "names no function"));
        }
        Ok(format!("lambda:{name}"))
    }

    fn lambda(&self, call: &str, at: DateTime<Utc>) -> Result<Option<Reading>, RecordError> {
        if self.request("dryRun") == Some(&Value::Bool(true)) {
            return Ok(None);
        }
        match call {
            "UpdateFunctionCode" | "PublishVersion" => Ok(Some(direct(self.lambda_function()?))),
            "UpdateAlias" => {
                let weights = self
                    .request("routingConfig")
                    .and_then(|r| r.get("additionalVersionWeights"))
                    .filter(|w| !w.is_null());
                let moves = self.request("functionVersion").is_some() || weights.is_some();
                if !moves {
                    return Ok(None);
                }
                let service = self.lambda_function()?;
                let share = match weights {
                    None => None,
                    Some(Value::Object(w)) if w.is_empty() => None,
                    Some(Value::Object(w)) => Some(self.weight_sum(w)?),
                    Some(other) => {
                        return Err(self.error(
                            "requestParameters.routingConfig.additionalVersionWeights",
                            format!("is {other}, not an object of weights"),
                        ));
                    }
                };
                Ok(Some(match share {
                    // Weights back to none: the alias points at one version, at once.
                    None => Reading {
                        service,
                        rollout: Rollout::Direct,
                        outcome: DeployOutcome::Complete { at },
                    },
                    Some(share) => Reading {
                        service,
                        rollout: Rollout::Canary {
                            percent: sli_core::ExactValue(share).percent(),
                        },
                        outcome: DeployOutcome::Unknown,
                    },
                }))
            }
            _ => Ok(None),
        }
    }

    fn weight_sum(&self, weights: &serde_json::Map<String, Value>) -> Result<f64, RecordError> {
        let field = "requestParameters.routingConfig.additionalVersionWeights";
        let mut sum = 0.0;
        for (version, weight) in weights {
            match weight.as_f64() {
                Some(w) if (0.0..=1.0).contains(&w) => sum += w,
                _ => {
                    return Err(self.error(
                        field,
                        format!("version {version:?} has weight {weight}, not a number in [0, 1]"),
                    ));
                }
            }
        }
        if sum > 0.0 && sum < 1.0 {
            Ok(sum)
        } else {
            Err(self.error(
                field,
                format!("weights sum to {sum}, not strictly between 0 and 1"),
            ))
        }
    }

    fn cloudformation(&self) -> Result<Option<Reading>, RecordError> {
        let stack = self.required_str("requestParameters.stackName", "stackName")?;
        Ok(Some(direct(format!(
            "cloudformation:{}",
            after(stack, ":stack/")
        ))))
    }
}

fn direct(service: String) -> Reading {
    Reading {
        service,
        rollout: Rollout::Direct,
        outcome: DeployOutcome::Unknown,
    }
}

/// The deploy a record stands for, `None` when it is not one (another call, a failed call, a
/// scaling-only `UpdateService`, a dry run). `origin` and `index` label errors.
///
/// # Errors
/// [`RecordError::Field`] naming the field and the record's `origin` and `index` when a
/// deploy call names no resource (`requestParameters.service`, `.functionName`,
/// `.stackName`), a field has the wrong type, alias weights are not in [0, 1], or the record
/// has no `eventID`; [`RecordError::Time`] when its `eventTime` is not an RFC 3339 time.
pub fn deploy_from_record(
    record: &CloudTrailRecord,
    origin: &str,
    index: usize,
) -> Result<Option<Deploy>, RecordError> {
    let fields = Fields {
        record,
        origin,
        index,
    };
    let source = record.event_source.as_str();
    let name = record.event_name.as_str();
    let is_deploy_call = match source {
        "ecs.amazonaws.com" => name == "UpdateService",
        "lambda.amazonaws.com" => matches!(
            bare_lambda_name(name),
            "UpdateFunctionCode" | "PublishVersion" | "UpdateAlias"
        ),
        "cloudformation.amazonaws.com" => matches!(name, "UpdateStack" | "ExecuteChangeSet"),
        _ => false,
    };
    if !is_deploy_call || record.error_code.is_some() {
        return Ok(None);
    }
    let at = parse_time(&record.event_time, origin, index, "eventTime")?;
    let reading = match source {
        "ecs.amazonaws.com" => fields.ecs()?,
        "lambda.amazonaws.com" => fields.lambda(bare_lambda_name(name), at)?,
        _ => fields.cloudformation()?,
    };
    let Some(reading) = reading else {
        return Ok(None);
    };
    let id = record
        .event_id
        .as_deref()
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| fields.error("eventID", "is missing: the deploy would have no id"))?;
    Deploy::new(id, reading.service, at)
        .and_then(|d| d.with_rollout(reading.rollout))
        .and_then(|d| d.with_outcome(reading.outcome))
        .map(Some)
        .map_err(|e| super::record_error(origin, index, e))
}

/// Parses one record's JSON (as `LookupEvents` returns it in `CloudTrailEvent`, or a line of a
/// CloudWatch Logs export) and reads it with [`deploy_from_record`].
///
/// # Errors
/// [`RecordError::Record`] for text that is not a CloudTrail record (as
/// [`audit::parse_record`](crate::audit::parse_record) reports it, a key named twice and an
/// Insights event that carries a call included); otherwise as [`deploy_from_record`]. An
/// Insights event without a call is `Ok(None)`.
pub fn parse_record(json: &str, origin: &str, index: usize) -> Result<Option<Deploy>, RecordError> {
    // Read as audit records are: a key named twice refused (serde_json keeps the last, so a
    // second `requestParameters` could hide a deploy or rename its service), and an Insights
    // event no deploy, unless it carries a call, which is refused.
    let value = crate::audit::strict_json::from_str(json)
        .map_err(|e| not_a_record(origin, index, "is not JSON, or names a key twice", Some(e)))?;
    let Some(record) = crate::audit::records::to_record(origin, index, value)? else {
        return Ok(None);
    };
    deploy_from_record(&record, origin, index)
}

/// The deploys of one record per line (CloudWatch Logs messages exported as JSON lines), in
/// start order; blank lines and records that are not deploys are skipped. Errors carry the
/// 0-based line number as the index.
///
/// # Errors
/// As [`parse_record`], for the first line that fails.
///
/// # Example
/// ```
/// let lines = concat!(
///     r#"{"eventTime":"2026-03-02T14:00:00Z","eventSource":"ecs.amazonaws.com","eventName":"UpdateService","awsRegion":"us-east-1","eventID":"e1","requestParameters":{"cluster":"prod","service":"web","desiredCount":4}}"#, "\n",
///     r#"{"eventTime":"2026-03-02T14:05:00Z","eventSource":"ecs.amazonaws.com","eventName":"UpdateService","awsRegion":"us-east-1","eventID":"e2","requestParameters":{"cluster":"prod","taskDefinition":"web:42"}}"#, "\n",
/// );
/// let err = aws_telemetry::deploys::cloudtrail::parse_lines(lines, "trail.jsonl").unwrap_err();
/// // The first line only scales the service; the second deploys, but names no service.
/// assert_eq!(err.to_string(), "trail.jsonl: record 1: requestParameters.service is missing: the UpdateService record names no resource");
/// ```
pub fn parse_lines(text: &str, origin: &str) -> Result<Vec<Deploy>, RecordError> {
    let mut deploys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(deploy) = parse_record(line, origin, index)? {
            deploys.push(deploy);
        }
    }
    super::sort_deploys(&mut deploys);
    Ok(deploys)
}

/// The deploys of a CloudTrail log file as CloudTrail delivers it to S3 (`{"Records": [...]}`,
/// gzip'd or not, at most [`MAX_LOG_BYTES`] of JSON), in start
/// order: what a trail records, without `LookupEvents`' 90-day horizon and two requests a
/// second. Records that are not deploys (other calls, failed calls, scaling-only
/// `UpdateService`) and Insights events are skipped.
///
/// # Errors
/// As [`audit::parse_log`](crate::audit::parse_log) for the file; as [`deploy_from_record`],
/// with the record's index, for the first deploy record that cannot be read.
///
/// # Example
/// ```
/// let log = br#"{"Records":[
///   {"eventTime":"2026-03-02T14:00:00Z","eventSource":"ecs.amazonaws.com","eventName":"UpdateService","awsRegion":"us-east-1","eventID":"e1","requestParameters":{"cluster":"prod","service":"web","taskDefinition":"web:42"}},
///   {"eventTime":"2026-03-02T14:01:00Z","eventSource":"ecs.amazonaws.com","eventName":"DescribeServices","awsRegion":"us-east-1","eventID":"e2"}
/// ]}"#;
/// let deploys = aws_telemetry::deploys::cloudtrail::parse_log(log, "trail.json")?;
/// assert_eq!(deploys.len(), 1);
/// assert_eq!(deploys[0].id(), "e1");
/// # Ok::<(), aws_telemetry::RecordError>(())
/// ```
pub fn parse_log(bytes: &[u8], origin: &str) -> Result<Vec<Deploy>, RecordError> {
    let mut deploys = Vec::new();
    for (index, record) in log_records(bytes, origin, MAX_LOG_BYTES)? {
        if let Some(deploy) = deploy_from_record(&record, origin, index)? {
            deploys.push(deploy);
        }
    }
    super::sort_deploys(&mut deploys);
    Ok(deploys)
}

/// Reads a CloudTrail log file (gzip'd or not) with [`parse_log`], labelling errors with its
/// path.
///
/// # Errors
/// [`RecordError::Io`] when the file cannot be read; [`RecordError::LimitExceeded`] past
/// [`MAX_LOG_BYTES`] bytes; otherwise as [`parse_log`].
pub fn read_log_file(path: impl AsRef<Path>) -> Result<Vec<Deploy>, RecordError> {
    let (bytes, origin) = read_log_bytes(path.as_ref())?;
    parse_log(&bytes, &origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_names_lose_their_api_version() {
        assert_eq!(
            bare_lambda_name("UpdateFunctionCode20150331v2"),
            "UpdateFunctionCode"
        );
        assert_eq!(bare_lambda_name("PublishVersion20150331"), "PublishVersion");
        assert_eq!(bare_lambda_name("UpdateAlias"), "UpdateAlias");
        assert_eq!(bare_lambda_name("v2"), "v2");
        assert_eq!(bare_lambda_name("Get2015033"), "Get2015033");
    }

    #[test]
    fn arn_names() {
        assert_eq!(
            after(
                "arn:aws:lambda:us-west-2:123456789012:function:my-function",
                ":function:"
            ),
            "my-function"
        );
        assert_eq!(
            after("123456789012:function:my-function:live", ":function:"),
            "my-function"
        );
        assert_eq!(after("my-function", ":function:"), "my-function");
        assert_eq!(
            after(
                "arn:aws:cloudformation:us-east-1:012345678910:stack/my-test-stack/a38e6a60",
                ":stack/"
            ),
            "my-test-stack"
        );
    }
}
