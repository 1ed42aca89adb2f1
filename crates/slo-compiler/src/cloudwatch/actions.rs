//! The alarm actions CloudWatch takes for a page or a ticket, checked before an alarm names
//! them: CloudFormation and `PutCompositeAlarm` refuse any other, and only when the stack is
//! deployed or the alarm put.

use super::Signal;
use crate::error::{CompileError, CompileProblem};
use crate::plan::Plan;

/// The longest action CloudWatch takes, in bytes: `AlarmActions` and `OKActions` members have
/// "Maximum length of 1024" (CloudWatch API Reference, PutMetricAlarm, PutCompositeAlarm).
pub const MAX_ACTION_BYTES: usize = 1_024;

/// Where an action goes on the composite severity alarm that notifies a page or a ticket: its
/// `AlarmActions`, or also its `OKActions` (`SloSpec::notify_resolved`), whose valid values
/// are fewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Use {
    /// `AlarmActions` only.
    Alarm,
    /// `AlarmActions` and `OKActions`.
    AlarmAndOk,
}

/// What a composite alarm's `AlarmActions` may be, from the valid values the API Reference
/// lists for them (PutCompositeAlarm): all of them notify someone. The same page's
/// introduction also says composite alarms can create Incident Manager incidents, but its list
/// of valid values gives no response-plan form for them (PutMetricAlarm's does): such actions
/// are refused here rather than guessed.
const ALARM_ACTIONS: &str = "an SNS topic (arn:aws:sns:region:account-id:topic), a Lambda function \
     (arn:aws:lambda:region:account-id:function:name), a Systems Manager OpsItem \
     (arn:aws:ssm:region:account-id:opsitem:severity) or an investigation group \
     (arn:aws:aiops:region:account-id:investigation-group/id)";

/// What a composite alarm's `OKActions` may be (PutCompositeAlarm): the actions of an SLO that
/// notifies when it is resolved go there too.
const OK_ACTIONS: &str = "an SNS topic (arn:aws:sns:region:account-id:topic) or a Lambda \
     function (arn:aws:lambda:region:account-id:function:name)";

/// Why `action` is not one a composite alarm takes where `used` puts it, if it is not.
pub(super) fn problem(action: &str, used: Use) -> Option<String> {
    if action.len() > MAX_ACTION_BYTES {
        return Some(format!(
            "{} bytes, more than the {MAX_ACTION_BYTES} CloudWatch takes",
            action.len()
        ));
    }
    let valid = match used {
        Use::Alarm => ALARM_ACTIONS,
        Use::AlarmAndOk => OK_ACTIONS,
    };
    let mut parts = action.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Some(format!("not an ARN; page and ticket actions are {valid}"));
    };
    let taken = match used {
        Use::Alarm => matches!(service, "sns" | "lambda" | "ssm" | "aiops"),
        Use::AlarmAndOk => matches!(service, "sns" | "lambda"),
    };
    if !taken {
        let whose = match used {
            Use::Alarm => "a composite alarm's AlarmActions",
            Use::AlarmAndOk => {
                "a composite alarm's OKActions, where an SLO that notifies when resolved puts them"
            }
        };
        return Some(format!(
            "a {service:?} action is not one of {whose}; they are {valid}"
        ));
    }
    if !is_partition(partition) {
        return Some(format!("partition {partition:?} is not an AWS partition"));
    }
    if !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())) {
        return Some(format!("account {account:?} is not a 12-digit account id"));
    }
    if region.is_empty()
        || !region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Some(format!("region {region:?} is not a region name"));
    }
    let resource_ok = match service {
        // "Topic names must be made up of only uppercase and lowercase ASCII letters, numbers,
        // underscores, and hyphens, and must be between 1 and 256 characters long. For a FIFO
        // topic, the name must end with the .fifo suffix" (Amazon SNS API Reference,
        // CreateTopic).
        "sns" => {
            let name = resource.strip_suffix(".fifo").unwrap_or(resource);
            (1..=256).contains(&resource.len()) && is_name(name)
        }
        // function:name, function:name:version or function:name:alias.
        "lambda" => {
            resource
                .strip_prefix("function:")
                .is_some_and(|rest| match rest.split_once(':') {
                    Some((name, qualifier)) => is_name(name) && is_qualifier(qualifier),
                    None => is_name(rest),
                })
        }
        // opsitem:severity, severity 1 to 4, with an optional #CATEGORY=category-name.
        "ssm" => resource.strip_prefix("opsitem:").is_some_and(|rest| {
            let (severity, category) = match rest.split_once('#') {
                Some((severity, category)) => (severity, Some(category)),
                None => (rest, None),
            };
            matches!(severity, "1" | "2" | "3" | "4")
                && category
                    .is_none_or(|c| c.strip_prefix("CATEGORY=").is_some_and(|n| !n.is_empty()))
        }),
        // investigation-group/ID as the AIOps API writes it (the CloudWatch User Guide,
        // "Configure alarms to create investigations", with an optional #DEDUPE_STRING=…), or
        // investigation-group:ID as PutCompositeAlarm's list of valid values writes it.
        _ => resource
            .strip_prefix("investigation-group/")
            .or_else(|| resource.strip_prefix("investigation-group:"))
            .is_some_and(|rest| {
                let (id, dedupe) = match rest.split_once('#') {
                    Some((id, dedupe)) => (id, Some(dedupe)),
                    None => (rest, None),
                };
                is_name(id)
                    && dedupe.is_none_or(|d| {
                        d.strip_prefix("DEDUPE_STRING=")
                            .is_some_and(|v| !v.is_empty())
                    })
            }),
    };
    (!resource_ok).then(|| {
        format!("{resource:?} is not a resource a {service} action names; page and ticket actions are {valid}")
    })
}

/// Refuses the first of `actions` a composite alarm does not take where `used` puts it, as
/// [`CompileProblem::InvalidAction`] on the field `actions`.
pub(super) fn check<'a>(
    plan: &Plan<'_, Signal>,
    actions: impl IntoIterator<Item = &'a String>,
    used: Use,
) -> Result<(), CompileError> {
    for action in actions {
        if let Some(reason) = problem(action, used) {
            return Err(plan.fail(
                "actions",
                CompileProblem::InvalidAction {
                    action: action.chars().take(200).collect(),
                    reason,
                },
            ));
        }
    }
    Ok(())
}

/// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso-b` …
fn is_partition(text: &str) -> bool {
    text == "aws"
        || text.strip_prefix("aws-").is_some_and(|rest| {
            !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        })
}

/// A Lambda version (`3`, `$LATEST`) or alias.
fn is_qualifier(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'$'))
}

/// Letters, digits, `_` and `-`, at least one.
fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_notifications_are_taken() {
        for action in [
            "arn:aws:sns:us-east-1:123456789012:page",
            "arn:aws:sns:us-east-1:123456789012:page.fifo",
            "arn:aws-cn:sns:cn-north-1:123456789012:page",
            "arn:aws-us-gov:sns:us-gov-west-1:123456789012:Page_2",
            "arn:aws:lambda:eu-west-1:123456789012:function:notify",
            "arn:aws:lambda:eu-west-1:123456789012:function:notify:3",
            "arn:aws:lambda:eu-west-1:123456789012:function:notify:$LATEST",
        ] {
            assert_eq!(problem(action, Use::Alarm), None, "{action}");
            assert_eq!(problem(action, Use::AlarmAndOk), None, "{action}");
        }
        // AlarmActions only (PutCompositeAlarm's OKActions take SNS and Lambda alone).
        for action in [
            "arn:aws:ssm:eu-west-1:123456789012:opsitem:2",
            "arn:aws:ssm:eu-west-1:123456789012:opsitem:1#CATEGORY=Availability",
            "arn:aws:aiops:us-east-1:123456789012:investigation-group:abc123",
            "arn:aws:aiops:us-east-1:123456789012:investigation-group/sMwwg1IogXdvL7UZ",
            "arn:aws:aiops:us-east-1:123456789012:investigation-group/sMwwg1IogXdvL7UZ#DEDUPE_STRING=checkout",
        ] {
            assert_eq!(problem(action, Use::Alarm), None, "{action}");
            let refused = problem(action, Use::AlarmAndOk).unwrap_or_default();
            assert!(refused.contains("OKActions"), "{action}: {refused}");
        }
    }

    #[test]
    fn anything_else_is_refused_with_its_reason() {
        for (action, reason) in [
            ("my-topic", "not an ARN"),
            ("arn:aws:sns:us-east-1:123456789012", "not an ARN"),
            (
                "arn:azure:sns:us-east-1:123456789012:page",
                "partition \"azure\"",
            ),
            ("arn:aws:sns:us-east-1:1234:page", "account \"1234\""),
            ("arn:aws:sns::123456789012:page", "region \"\""),
            (
                "arn:aws:sns:US East:123456789012:page",
                "region \"US East\"",
            ),
            (
                "arn:aws:sns:us-east-1:123456789012:my topic",
                "\"my topic\" is not a resource",
            ),
            (
                "arn:aws:sns:us-east-1:123456789012:",
                "\"\" is not a resource",
            ),
            (
                "arn:aws:sns:us-east-1:123456789012:a:b",
                "\"a:b\" is not a resource",
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:layer:x",
                "\"layer:x\" is not a resource",
            ),
            (
                "arn:aws:lambda:eu-west-1:123456789012:function:",
                "is not a resource",
            ),
            (
                "arn:aws:ssm:eu-west-1:123456789012:opsitem:5",
                "\"opsitem:5\"",
            ),
            (
                "arn:aws:ssm:eu-west-1:123456789012:opsitem:1#",
                "\"opsitem:1#\"",
            ),
            // Incident Manager response plans: in PutMetricAlarm's valid values, not in
            // PutCompositeAlarm's.
            (
                "arn:aws:ssm-incidents::123456789012:response-plan/checkout",
                "\"ssm-incidents\" action is not one of",
            ),
            (
                "arn:aws:automate:us-east-1:ec2:stop",
                "\"automate\" action is not one of",
            ),
            (
                "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x",
                "\"autoscaling\" action is not one of",
            ),
            (
                "arn:aws:swf:us-east-1:123456789012:action/actions/AWS_EC2.InstanceId.Stop/1.0",
                "\"swf\" action is not one of",
            ),
        ] {
            let found = problem(action, Use::Alarm).unwrap_or_default();
            assert!(
                found.contains(reason),
                "{action}: {found:?} should say {reason:?}"
            );
        }
        let long = format!(
            "arn:aws:sns:us-east-1:123456789012:{}",
            "t".repeat(MAX_ACTION_BYTES)
        );
        assert!(
            problem(&long, Use::Alarm)
                .unwrap_or_default()
                .contains("more than the 1024")
        );
        let topic_257 = format!("arn:aws:sns:us-east-1:123456789012:{}", "t".repeat(257));
        assert!(problem(&topic_257, Use::Alarm).is_some());
    }
}
