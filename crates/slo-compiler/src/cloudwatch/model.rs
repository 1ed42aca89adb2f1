//! Typed CloudWatch definitions: metric alarms, composite alarms and dashboards, serialised
//! with CloudFormation's property names (`AWS::CloudWatch::Alarm`, `::CompositeAlarm`,
//! `::Dashboard`).

use serde::{Deserialize, Serialize};

/// A metric as an alarm names it.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::{AlarmDimension, AlarmMetric};
/// let m = AlarmMetric { namespace: "AWS/ApplicationELB".into(), metric_name: "RequestCount".into(),
///     dimensions: vec![AlarmDimension { name: "LoadBalancer".into(), value: "app/web/1".into() }] };
/// let json = serde_json::to_value(&m).unwrap();
/// assert_eq!(json["MetricName"], "RequestCount");
/// ```
// Plain data: CloudWatch's Metric (namespace, name, dimensions), closed by the API.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmMetric {
    /// The namespace.
    pub namespace: String,
    /// The metric name.
    pub metric_name: String,
    /// The dimensions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dimensions: Vec<AlarmDimension>,
}

/// A dimension of an [`AlarmMetric`].
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::AlarmDimension;
/// let d = AlarmDimension { name: "FunctionName".into(), value: "orders".into() };
/// assert_eq!(serde_json::to_string(&d).unwrap(), r#"{"Name":"FunctionName","Value":"orders"}"#);
/// ```
// Plain data: CloudWatch's Dimension, a name and a value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmDimension {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// A metric, a statistic and a period.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::{AlarmMetric, MetricStat};
/// let s = MetricStat::new(AlarmMetric { namespace: "N".into(), metric_name: "M".into(),
///     dimensions: vec![] }, 3600, "Sum");
/// assert_eq!(serde_json::to_value(&s).unwrap()["Period"], 3600);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MetricStat {
    /// The metric.
    pub metric: AlarmMetric,
    /// The period in seconds: the alarm window for burn-rate alarms.
    pub period: u32,
    /// The statistic (`Sum`, `Maximum`, `p99`…).
    pub stat: String,
}

impl MetricStat {
    /// `stat` of `metric` over periods of `period` seconds.
    pub fn new(metric: AlarmMetric, period: u32, stat: impl Into<String>) -> Self {
        Self {
            metric,
            period,
            stat: stat.into(),
        }
    }
}

/// One entry of a metric-math alarm's `Metrics`: a metric or an expression.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::MetricDataQuery;
/// let q = MetricDataQuery::expression("excess", "bad - 0.0144 * total", "errors above 14.4x", true);
/// assert_eq!(serde_json::to_value(&q).unwrap()["ReturnData"], true);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MetricDataQuery {
    /// The id other expressions use.
    pub id: String,
    /// A metric-math expression (exclusive with `metric_stat`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// A metric (exclusive with `expression`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_stat: Option<MetricStat>,
    /// A human-readable label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The period of an expression, in seconds (CloudFormation needs it on expressions of
    /// alarms whose metrics have a period other than the default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<u32>,
    /// Whether the alarm watches this entry (exactly one per alarm).
    pub return_data: bool,
}

impl MetricDataQuery {
    /// A metric entry.
    pub fn metric(id: impl Into<String>, stat: MetricStat) -> Self {
        Self {
            id: id.into(),
            expression: None,
            metric_stat: Some(stat),
            label: None,
            period: None,
            return_data: false,
        }
    }

    /// An expression entry.
    pub fn expression(
        id: impl Into<String>,
        expression: impl Into<String>,
        label: impl Into<String>,
        return_data: bool,
    ) -> Self {
        Self {
            id: id.into(),
            expression: Some(expression.into()),
            metric_stat: None,
            label: Some(label.into()),
            period: None,
            return_data,
        }
    }
}

/// What an alarm does in a period without data: CloudWatch's `TreatMissingData`.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::TreatMissingData;
/// use sli_core::MissingData;
/// assert_eq!(TreatMissingData::from(MissingData::Skip), TreatMissingData::Ignore);
/// assert_eq!(serde_json::to_string(&TreatMissingData::NotBreaching).unwrap(), "\"notBreaching\"");
/// ```
// Closed: the four values CloudWatch's TreatMissingData takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TreatMissingData {
    /// Missing is breaching.
    Breaching,
    /// Missing is not breaching.
    NotBreaching,
    /// Keep the current state.
    Ignore,
    /// Go to `INSUFFICIENT_DATA`.
    Missing,
}

impl From<sli_core::MissingData> for TreatMissingData {
    fn from(missing: sli_core::MissingData) -> Self {
        match missing {
            sli_core::MissingData::Good => Self::NotBreaching,
            sli_core::MissingData::Bad => Self::Breaching,
            sli_core::MissingData::Skip => Self::Ignore,
        }
    }
}

impl TreatMissingData {
    /// The API's name for it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Breaching => "breaching",
            Self::NotBreaching => "notBreaching",
            Self::Ignore => "ignore",
            Self::Missing => "missing",
        }
    }
}

/// A tag on an alarm (`Key`, `Value`): the compilers tag alarms with their SLO's `Owner`.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::AlarmTag;
/// let tag = AlarmTag { key: "Owner".into(), value: "payments".into() };
/// assert_eq!(serde_json::to_string(&tag).unwrap(), r#"{"Key":"Owner","Value":"payments"}"#);
/// ```
// Plain data with public fields: the shape of the engine's own document, built by hand too.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AlarmTag {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// A metric-math alarm (`AWS::CloudWatch::Alarm` with `Metrics`), a plain record of
/// CloudFormation's properties. Burn-rate window alarms use `GreaterThanThreshold` with one
/// evaluation period, whose length is the window; a sustain rule (`N of M` minutes) makes
/// `EvaluationPeriods` M and `DatapointsToAlarm` N on alarms whose period is a minute.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::{MetricAlarm, TreatMissingData};
/// let mut alarm = MetricAlarm::new("slo/api/long-1h", vec![], "GreaterThanThreshold", 0.0);
/// alarm.treat_missing_data = TreatMissingData::Ignore;
/// let json = serde_json::to_value(&alarm).unwrap();
/// assert_eq!((json["TreatMissingData"].as_str(), json["EvaluationPeriods"].as_u64()), (Some("ignore"), Some(1)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct MetricAlarm {
    /// The name (unique in the account and region).
    pub alarm_name: String,
    /// What it watches, for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_description: Option<String>,
    /// Whether actions run.
    pub actions_enabled: bool,
    /// Actions on `ALARM`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<String>,
    /// Actions on `OK`.
    #[serde(default, rename = "OKActions", skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    /// The metrics and expressions; one has `return_data`.
    pub metrics: Vec<MetricDataQuery>,
    /// `GreaterThanThreshold`, …
    pub comparison_operator: String,
    /// The threshold.
    pub threshold: f64,
    /// Periods evaluated.
    pub evaluation_periods: u32,
    /// Breaching periods needed among them.
    pub datapoints_to_alarm: u32,
    /// What a period without data counts as.
    pub treat_missing_data: TreatMissingData,
    /// Tags (the SLO's owner).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<AlarmTag>,
}

impl MetricAlarm {
    /// An alarm named `name` on `metrics` (one with `return_data`), comparing with
    /// `comparison_operator` and `threshold`: one evaluation period, one datapoint to alarm,
    /// missing data missing (CloudWatch's default), no actions, no description, no tags.
    pub fn new(
        name: impl Into<String>,
        metrics: Vec<MetricDataQuery>,
        comparison_operator: impl Into<String>,
        threshold: f64,
    ) -> Self {
        Self {
            alarm_name: name.into(),
            alarm_description: None,
            actions_enabled: false,
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
            metrics,
            comparison_operator: comparison_operator.into(),
            threshold,
            evaluation_periods: 1,
            datapoints_to_alarm: 1,
            treat_missing_data: TreatMissingData::Missing,
            tags: Vec::new(),
        }
    }
}

/// A composite alarm (`AWS::CloudWatch::CompositeAlarm`): a rule over other alarms' states,
/// a plain record of CloudFormation's properties.
///
/// With an `ActionsSuppressor`, the composite takes no action while that alarm is in `ALARM`,
/// waits up to `ActionsSuppressorWaitPeriod` seconds after entering `ALARM` for the suppressor
/// to follow, and after the suppressor leaves `ALARM` waits `ActionsSuppressorExtensionPeriod`
/// seconds, then takes its actions if it is still in `ALARM` (Amazon CloudWatch User Guide,
/// "Suppressing composite alarm actions").
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::CompositeAlarm;
/// let mut c = CompositeAlarm::new("page", r#"ALARM("a") AND ALARM("b")"#);
/// c.alarm_actions = vec!["arn:aws:sns:us-east-1:123456789012:page".into()];
/// c.actions_enabled = true;
/// assert_eq!(c.children(), ["a", "b"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct CompositeAlarm {
    /// The name.
    pub alarm_name: String,
    /// What it means, for humans.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alarm_description: Option<String>,
    /// `ALARM("x") AND ALARM("y")`, `… OR …`.
    pub alarm_rule: String,
    /// Whether actions run.
    pub actions_enabled: bool,
    /// Actions on `ALARM`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alarm_actions: Vec<String>,
    /// Actions on `OK`.
    #[serde(default, rename = "OKActions", skip_serializing_if = "Vec::is_empty")]
    pub ok_actions: Vec<String>,
    /// The alarm whose `ALARM` state suppresses this one's actions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions_suppressor: Option<String>,
    /// Seconds to wait, after entering `ALARM`, for the suppressor to enter `ALARM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions_suppressor_wait_period: Option<u32>,
    /// Seconds to wait, after the suppressor leaves `ALARM`, before acting.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions_suppressor_extension_period: Option<u32>,
    /// Tags (the SLO's owner).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<AlarmTag>,
}

impl CompositeAlarm {
    /// A composite named `name` with `rule`: no actions, no suppressor, no description.
    pub fn new(name: impl Into<String>, rule: impl Into<String>) -> Self {
        Self {
            alarm_name: name.into(),
            alarm_description: None,
            alarm_rule: rule.into(),
            actions_enabled: false,
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
            actions_suppressor: None,
            actions_suppressor_wait_period: None,
            actions_suppressor_extension_period: None,
            tags: Vec::new(),
        }
    }

    /// The alarms the rule names, in order.
    pub fn children(&self) -> Vec<&str> {
        self.alarm_rule
            .split("ALARM(\"")
            .skip(1)
            .filter_map(|rest| rest.split_once("\")").map(|(name, _)| name))
            .collect()
    }
}

/// A dashboard: its name and body (the JSON CloudWatch takes). The body may contain
/// `${AWS::Region}` and `${AWS::AccountId}`, which CloudFormation substitutes (`Fn::Sub`) and
/// [`Dashboard::body_for`] fills in for the API, and no other `${`; the name is at most 255
/// ASCII letters, digits, `-` and `_`. Built by hand, it is checked for both when it goes into
/// a template ([`Compiled::cloudformation`](super::Compiled::cloudformation)).
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::Dashboard;
/// let d = Dashboard { name: "checkout-oncall".into(),
///     body: serde_json::json!({"widgets": [{"type": "alarm", "properties": {"alarms": ["arn:aws:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:x"]}}]}) };
/// assert!(d.body_for("eu-west-1", "123456789012").contains("eu-west-1:123456789012"));
/// ```
// Plain data with public fields: the shape of the engine's own document, built by hand too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// The name: letters, digits, `-` and `_`, at most 255.
    pub name: String,
    /// The dashboard body.
    pub body: serde_json::Value,
}

impl Dashboard {
    /// The body as the API takes it, with the region and account filled in.
    pub fn body_for(&self, region: &str, account: &str) -> String {
        self.body
            .to_string()
            .replace("${AWS::Region}", region)
            .replace("${AWS::AccountId}", account)
    }
}
