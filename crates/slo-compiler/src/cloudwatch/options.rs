//! [`CompileOptions`]: how [`compile`](super::compile) names and wires the alarms it generates
//! (prefix, SNS actions per severity and team, published windows, suppressor periods, the
//! scheduler role, the findings namespace), and their checks.

use std::collections::BTreeMap;

use sli_core::Owner;

use super::Signal;
use super::names::MAX_ACTIONS_PER_ALARM;
use crate::error::{CompileError, CompileProblem};
use crate::plan::Plan;

/// The SNS topics one team's pages and tickets go to.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::TeamActions;
/// let payments = TeamActions::new(["arn:aws:sns:us-east-1:123456789012:payments-page"],
///     ["arn:aws:sns:us-east-1:123456789012:payments-ticket"]);
/// assert_eq!(payments.page.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TeamActions {
    /// Topics notified by the page severity alarm.
    pub page: Vec<String>,
    /// Topics notified by the ticket severity alarm.
    pub ticket: Vec<String>,
}

impl TeamActions {
    /// Pages to `page`, tickets to `ticket`.
    pub fn new<P: Into<String>, T: Into<String>>(
        page: impl IntoIterator<Item = P>,
        ticket: impl IntoIterator<Item = T>,
    ) -> Self {
        Self {
            page: page.into_iter().map(Into::into).collect(),
            ticket: ticket.into_iter().map(Into::into).collect(),
        }
    }
}

/// How [`compile`](super::compile) names and wires what it generates.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::{CompileOptions, TeamActions};
/// let options = CompileOptions::new()
///     .with_page_actions(["arn:aws:sns:us-east-1:123456789012:page"])
///     .with_team_actions("payments".parse()?, TeamActions::new(
///         ["arn:aws:sns:us-east-1:123456789012:payments-page"], Vec::<String>::new()));
/// assert_eq!(options.prefix, "slo/");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompileOptions {
    /// Prepended to every alarm name (default `slo/`).
    pub prefix: String,
    /// SNS topic ARNs notified by the page severity alarm of SLOs without a team of their
    /// own in [`CompileOptions::team_actions`]: at most
    /// [`MAX_ACTIONS_PER_ALARM`](super::MAX_ACTIONS_PER_ALARM), as for every list of topics here.
    /// Every action here is checked by [`compile`](super::compile) to be a notification
    /// CloudWatch's composite alarms take: an SNS topic, a Lambda function, a Systems Manager
    /// OpsItem or an investigation group, by ARN (a partition, a region, a 12-digit account, a
    /// resource of that kind; an SNS topic or a Lambda function only for an SLO that notifies
    /// when resolved, whose actions are also the alarm's `OKActions`), at most
    /// [`MAX_ACTION_BYTES`](super::MAX_ACTION_BYTES); anything else is
    /// [`CompileProblem::InvalidAction`](crate::CompileProblem::InvalidAction).
    pub page_actions: Vec<String>,
    /// SNS topic ARNs notified by the ticket severity alarm (same rule).
    pub ticket_actions: Vec<String>,
    /// Per owning team ([`Routing::owner`](sli_core::Routing::owner)), the topics its SLOs'
    /// pages and tickets go to.
    pub team_actions: BTreeMap<Owner, TeamActions>,
    /// A namespace for windows CloudWatch cannot evaluate in one alarm (longer than
    /// [`MAX_NATIVE_WINDOW_SECONDS`](super::MAX_NATIVE_WINDOW_SECONDS), over a time-slice SLI, or of a tier with a sustain rule
    /// on a window longer than a minute): their alarms watch a metric that the caller
    /// publishes every minute with [`publish_windows`](super::publish_windows) through a
    /// [`MetricSink`](aws_telemetry::MetricSink). `None` (the default) refuses such windows with
    /// [`CompileProblem::WindowTooLong`], [`CompileProblem::NeedsPublishing`] or
    /// [`CompileProblem::Sustain`].
    pub published: Option<String>,
    /// `ActionsSuppressorWaitPeriod` of the severity alarms that have a suppressor, in
    /// seconds, a multiple of 60 (default 60): how long a notification waits for a suppressor
    /// that enters `ALARM` at the same moment (a maintenance window opening, a page starting).
    pub suppressor_wait_seconds: u32,
    /// `ActionsSuppressorExtensionPeriod`, in seconds, a multiple of 60 (default 60): how long
    /// after the suppressor leaves `ALARM` a still-firing alarm notifies.
    pub suppressor_extension_seconds: u32,
    /// The IAM role EventBridge Scheduler assumes to set maintenance alarms
    /// (`cloudwatch:SetAlarmState`); `None` (the default) makes the CloudFormation template
    /// create one.
    pub scheduler_role_arn: Option<String>,
    /// A namespace the failure-mode detectors' findings behind each SLO are published to
    /// ([`CompiledSlo::findings_metric`](super::CompiledSlo::findings_metric)): each SLO gets a
    /// `findings-page` and a `findings-ticket` alarm, members of its severity composites, so an
    /// SLO page and the findings behind it make one notification. `None` (the default): no
    /// findings alarms.
    pub findings: Option<String>,
}

impl Default for CompileOptions {
    fn default() -> Self {
        Self {
            prefix: "slo/".into(),
            page_actions: Vec::new(),
            ticket_actions: Vec::new(),
            team_actions: BTreeMap::new(),
            published: None,
            suppressor_wait_seconds: 60,
            suppressor_extension_seconds: 60,
            scheduler_role_arn: None,
            findings: None,
        }
    }
}

impl CompileOptions {
    /// The defaults: prefix `slo/`, no actions, no published namespace.
    pub fn new() -> Self {
        Self::default()
    }

    /// Alarm names start with `prefix`.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Pages of SLOs without a team of their own go to `topics`.
    #[must_use]
    pub fn with_page_actions<T: Into<String>>(
        mut self,
        topics: impl IntoIterator<Item = T>,
    ) -> Self {
        self.page_actions = topics.into_iter().map(Into::into).collect();
        self
    }

    /// Tickets of SLOs without a team of their own go to `topics`.
    #[must_use]
    pub fn with_ticket_actions<T: Into<String>>(
        mut self,
        topics: impl IntoIterator<Item = T>,
    ) -> Self {
        self.ticket_actions = topics.into_iter().map(Into::into).collect();
        self
    }

    /// `team`'s SLOs notify `actions`.
    #[must_use]
    pub fn with_team_actions(mut self, team: Owner, actions: TeamActions) -> Self {
        self.team_actions.insert(team, actions);
        self
    }

    /// Windows CloudWatch cannot evaluate in one alarm are published to `namespace` (yours:
    /// an `AWS/` namespace is refused when compiling, as PutMetricData refuses it).
    #[must_use]
    pub fn with_published(mut self, namespace: impl Into<String>) -> Self {
        self.published = Some(namespace.into());
        self
    }

    /// The suppressor's wait and extension periods, in seconds (multiples of 60).
    #[must_use]
    pub fn with_suppressor_periods(mut self, wait_seconds: u32, extension_seconds: u32) -> Self {
        self.suppressor_wait_seconds = wait_seconds;
        self.suppressor_extension_seconds = extension_seconds;
        self
    }

    /// Findings behind each SLO are published to `namespace` and join its notifications (not
    /// an `AWS/` namespace, as for [`with_published`](Self::with_published)).
    #[must_use]
    pub fn with_findings(mut self, namespace: impl Into<String>) -> Self {
        self.findings = Some(namespace.into());
        self
    }

    /// EventBridge Scheduler assumes `role_arn` to set maintenance alarms.
    #[must_use]
    pub fn with_scheduler_role(mut self, role_arn: impl Into<String>) -> Self {
        self.scheduler_role_arn = Some(role_arn.into());
        self
    }
}

/// Checks the options every SLO shares.
pub(super) fn check_options(
    plan: &Plan<'_, Signal>,
    options: &CompileOptions,
) -> Result<(), CompileError> {
    let actions = options
        .page_actions
        .iter()
        .chain(&options.ticket_actions)
        .chain(
            options
                .team_actions
                .values()
                .flat_map(|t| t.page.iter().chain(&t.ticket)),
        );
    super::actions::check(plan, actions, super::actions::Use::Alarm)?;
    // "AlarmActions … Array Members: Maximum number of 5 items", and the same for OKActions
    // (CloudWatch API Reference, PutCompositeAlarm): a severity alarm notifies its topics as
    // both when OK transitions notify too.
    let lists = [
        ("page_actions", None, &options.page_actions),
        ("ticket_actions", None, &options.ticket_actions),
    ]
    .into_iter()
    .chain(options.team_actions.iter().flat_map(|(team, t)| {
        [
            ("team_actions", Some((team, "page")), &t.page),
            ("team_actions", Some((team, "ticket")), &t.ticket),
        ]
    }));
    for (option, team, topics) in lists {
        if topics.len() > MAX_ACTIONS_PER_ALARM {
            let whose = team.map_or_else(String::new, |(team, severity)| {
                format!("team {team}'s {severity} actions: ")
            });
            return Err(plan.fail(
                "actions",
                CompileProblem::InvalidOption {
                    option,
                    reason: format!(
                        "{whose}{} topics, and a CloudWatch alarm notifies at most {MAX_ACTIONS_PER_ALARM}",
                        topics.len()
                    ),
                },
            ));
        }
    }
    for (option, seconds) in [
        ("suppressor_wait_seconds", options.suppressor_wait_seconds),
        (
            "suppressor_extension_seconds",
            options.suppressor_extension_seconds,
        ),
    ] {
        if seconds % 60 != 0 {
            return Err(plan.fail(
                "options",
                CompileProblem::InvalidOption {
                    option,
                    reason: format!("{seconds} is not a whole number of minutes"),
                },
            ));
        }
    }
    Ok(())
}
