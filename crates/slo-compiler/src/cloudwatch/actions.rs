//! The alarm actions CloudWatch takes for a page or a ticket, checked before an alarm names
//! them: CloudFormation and `PutMetricAlarm` refuse any other, and only when the stack is
//! deployed or the alarm put.

/// The longest action CloudWatch takes, in bytes: `AlarmActions` and `OKActions` members have
/// "Maximum length of 1024" (CloudWatch API Reference, PutMetricAlarm, PutCompositeAlarm).
pub const MAX_ACTION_BYTES: usize = 1_024;

/// What notifies someone, among the actions the CloudWatch API Reference lists as valid values
/// of `AlarmActions` (PutMetricAlarm, PutCompositeAlarm): the EC2, Auto Scaling and SWF
/// actions act on instances and scale groups, and are no page or ticket.
const NOTIFICATIONS: &str = "an SNS topic (arn:aws:sns:region:account-id:topic), a Lambda function \
     (arn:aws:lambda:region:account-id:function:name), a Systems Manager OpsItem \
     (arn:aws:ssm:region:account-id:opsitem:severity), an Incident Manager response plan \
     (arn:aws:ssm-incidents::account-id:response-plan:name) or an investigation group \
     (arn:aws:aiops:region:account-id:investigation-group:id)";

/// Why `action` is not a notification a CloudWatch alarm takes, if it is not.
pub(super) fn problem(action: &str) -> Option<String> {
    if action.len() > MAX_ACTION_BYTES {
        return Some(format!(
            "{} bytes, more than the {MAX_ACTION_BYTES} CloudWatch takes",
            action.len()
        ));
    }
    let mut parts = action.splitn(6, ':');
    let (Some("arn"), Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return Some(format!(
            "not an ARN; page and ticket actions are {NOTIFICATIONS}"
        ));
    };
    if !is_partition(partition) {
        return Some(format!("partition {partition:?} is not an AWS partition"));
    }
    if !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit())) {
        return Some(format!("account {account:?} is not a 12-digit account id"));
    }
    // Incident Manager's response plans are global: their ARNs have no region.
    let regional = service != "ssm-incidents";
    let region_ok = if regional {
        !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    } else {
        region.is_empty()
    };
    if !region_ok {
        return Some(if regional {
            format!("region {region:?} is not a region name")
        } else {
            format!("an Incident Manager response plan has no region, not {region:?}")
        });
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
        "ssm-incidents" => resource.strip_prefix("response-plan:").is_some_and(is_name),
        "aiops" => resource
            .strip_prefix("investigation-group:")
            .is_some_and(|id| !id.is_empty() && !id.contains(':')),
        other => {
            return Some(format!(
                "a {other:?} action does not notify anyone; page and ticket actions are {NOTIFICATIONS}"
            ));
        }
    };
    (!resource_ok).then(|| format!("{resource:?} is not a resource a {service} action names; page and ticket actions are {NOTIFICATIONS}"))
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
            "arn:aws:ssm:eu-west-1:123456789012:opsitem:2",
            "arn:aws:ssm:eu-west-1:123456789012:opsitem:1#CATEGORY=Availability",
            "arn:aws:ssm-incidents::123456789012:response-plan:checkout-outage",
            "arn:aws:aiops:us-east-1:123456789012:investigation-group:abc123",
        ] {
            assert_eq!(problem(action), None, "{action}");
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
            (
                "arn:aws:ssm-incidents:us-east-1:123456789012:response-plan:x",
                "has no region",
            ),
            ("arn:aws:automate:us-east-1:ec2:stop", "account \"ec2\""),
            (
                "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x",
                "does not notify anyone",
            ),
            (
                "arn:aws:swf:us-east-1:123456789012:action/actions/AWS_EC2.InstanceId.Stop/1.0",
                "does not notify anyone",
            ),
        ] {
            let found = problem(action).unwrap_or_default();
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
            problem(&long)
                .unwrap_or_default()
                .contains("more than the 1024")
        );
        let topic_257 = format!("arn:aws:sns:us-east-1:123456789012:{}", "t".repeat(257));
        assert!(problem(&topic_257).is_some());
    }
}
