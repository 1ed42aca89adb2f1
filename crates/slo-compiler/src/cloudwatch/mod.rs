//! SLOs as CloudWatch alarms and dashboards: CloudWatch, AWS's own distributed metrics engine,
//! then evaluates thousands of SLOs continuously. Pure, typed and serialisable; applying them
//! through the API is `apply` (feature `apply`).
//!
//! * [`compile`]: per SLO and alert policy, one metric-math alarm per window of each tier, a
//!   composite alarm per tier, one per severity with the caller's SNS actions.
//! * [`Compiled::dashboards`]: executive, on-call and debug dashboards per service.
//! * [`Compiled::cloudformation`]: one template holding them all.
//! * [`Simulator`]: an interpreter of the metric math and alarm rules emitted, to check, minute
//!   by minute, that CloudWatch would alert exactly when `sli-core` does (the crate's test
//!   `cloudwatch_semantics` holds each construct it interprets against the AWS documentation
//!   of the function it stands for).
//! * [`publish_windows`]: windows an alarm cannot look back over, published as metrics.
//!
//! ```
//! use aws_telemetry::{Metric, Statistic};
//! use slo_compiler::SloSpec;
//! use slo_compiler::cloudwatch::{compile, CompileOptions, DashboardOptions, Signal, SignalSource};
//! use sli_core::{catalog, AlertPolicy};
//!
//! let alb = |name| Metric::new("AWS/ApplicationELB", name);
//! let spec = SloSpec::new(catalog::availability("checkout"), AlertPolicy::default(), Signal::Bad {
//!     bad: SignalSource::Metric { metric: alb("HTTPCode_Target_5XX_Count")?, stat: Statistic::Sum },
//!     total: SignalSource::Metric { metric: alb("RequestCount")?, stat: Statistic::Sum },
//! });
//! let options = CompileOptions::new().with_page_actions(["arn:aws:sns:us-east-1:123456789012:page"]);
//! let compiled = compile(&[spec], &options)?;
//! let template = compiled.cloudformation(&compiled.dashboards(&DashboardOptions::default())?)?;
//! assert!(template["Resources"].as_object().unwrap().len() > 10);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How CloudWatch evaluates a burn-rate window
//! A window of `W` is an alarm whose metrics have `Period = W` and one evaluation period:
//! CloudWatch sums the counts over the last `W` and the alarm compares. CloudWatch allows
//! `Period × EvaluationPeriods` up to 7 days for periods of an hour or more, so the Workbook's
//! 3-day ticket window is a native alarm with `Period = 259200`. A longer window (or any window
//! over a time-slice SLI, whose per-minute judgements one alarm cannot sum) is refused with a
//! typed error unless [`CompileOptions::published`] names a namespace; then its alarm watches a
//! metric that [`publish_windows`] computes and puts through a
//! [`MetricSink`](aws_telemetry::MetricSink) every minute.

mod actions;
#[cfg(feature = "apply")]
mod apply;
mod compile;
mod compiled;
mod dashboard;
mod findings;
mod maintenance;
mod model;
mod names;
#[cfg(feature = "openslo")]
mod openslo;
mod options;
pub(crate) mod panels;
mod publish;
mod signal;
mod simulate;
mod template;

pub use actions::MAX_ACTION_BYTES;
#[cfg(feature = "apply")]
pub use apply::{ApplyReport, apply};
pub use compile::compile;
pub use compiled::{CompiledSlo, PublishedWindow, WindowRole};
pub use dashboard::{
    DashboardOptions, MAX_ALARMS_PER_WIDGET, MAX_DEPLOY_ANNOTATIONS, MAX_PER_OPTION, MAX_WIDGETS,
    SlowQueryLog,
};
pub use findings::{FINDING_HOLD_SECONDS, FINDINGS_METRIC};
pub use maintenance::{Maintenance, MaintenanceSchedule, ScheduledState};
pub use model::{
    AlarmDimension, AlarmMetric, AlarmTag, CompositeAlarm, Dashboard, MetricAlarm, MetricDataQuery,
    MetricStat, TreatMissingData,
};
pub use names::{
    MAX_ACTIONS_PER_ALARM, MAX_ALARM_DESCRIPTION, MAX_ALARM_NAME, MAX_ALARM_RULE,
    MAX_ALARMS_PER_RULE, MAX_METRICS_PER_ALARM, MAX_NATIVE_WINDOW_SECONDS,
};
#[cfg(feature = "openslo")]
pub use openslo::{specs_from_openslo, warnings_from_openslo};
pub use options::{CompileOptions, TeamActions};
pub use panels::ERROR_PATTERN;
pub use publish::{Points, publish_windows, published_points, window_points};
pub use signal::{Signal, SignalSource};
pub use simulate::{AlarmState, BinOp, Expr, MAX_SIMULATED_MINUTES, MathError, Simulator, States};
pub use template::{MAX_RESOURCES, MAX_TEMPLATE_BYTES};

use crate::error::CompileError;

/// An SLO spec for CloudWatch: its signal names metrics and metric-math expressions.
pub type Spec = crate::SloSpec<Signal>;

/// What [`compile`] produced: one [`CompiledSlo`] per input spec, in order.
///
/// # Example
/// ```
/// # use slo_compiler::cloudwatch::Compiled;
/// # fn f(c: &Compiled) -> usize { c.slos.len() }
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[non_exhaustive]
pub struct Compiled {
    /// The SLOs' alarms.
    pub slos: Vec<CompiledSlo>,
    /// The role EventBridge Scheduler assumes ([`CompileOptions::scheduler_role_arn`]).
    #[serde(skip)]
    pub(crate) scheduler_role_arn: Option<String>,
}

impl Compiled {
    /// The executive, on-call and debug dashboards of each service, named
    /// `{service}-{kind}`. A name CloudWatch would refuse (other than letters, digits, `-` and
    /// `_`, or past 255 characters) becomes the service's beginning, those characters as `-`,
    /// and 8 hexadecimal digits of a fixed hash of the whole name (`checkout-api-…-oncall` for
    /// `checkout.api`), so every service gets its boards.
    ///
    /// # Errors
    /// [`CompileProblem::InvalidOption`](crate::CompileProblem::InvalidOption) for options
    /// CloudWatch would refuse (more entries than [`MAX_PER_OPTION`], more deploys than
    /// [`MAX_DEPLOY_ANNOTATIONS`], a bad log group, `${` in an option); [`CompileProblem::Unsupported`](crate::CompileProblem::Unsupported)
    /// past [`MAX_WIDGETS`] widgets; [`CompileProblem::SubVariable`](crate::CompileProblem::SubVariable)
    /// for an SLO, alarm or metric name holding `${`, which the template's `Fn::Sub` would read
    /// as a variable; [`CompileProblem::DuplicateName`](crate::CompileProblem::DuplicateName)
    /// for two boards of one name.
    ///
    /// # Example
    /// ```
    /// # use slo_compiler::cloudwatch::{Compiled, DashboardOptions};
    /// # fn f(c: &Compiled) -> Result<(), slo_compiler::CompileError> {
    /// let names: Vec<String> = c.dashboards(&DashboardOptions::default())?.into_iter().map(|d| d.name).collect();
    /// # Ok(()) }
    /// ```
    pub fn dashboards(&self, options: &DashboardOptions) -> Result<Vec<Dashboard>, CompileError> {
        dashboard::dashboards(&self.slos, options)
    }

    /// Every metric alarm.
    pub fn metric_alarms(&self) -> impl Iterator<Item = &MetricAlarm> + '_ {
        self.slos.iter().flat_map(|s| s.metric_alarms.iter())
    }

    /// Every composite alarm, children before parents.
    pub fn composite_alarms(&self) -> impl Iterator<Item = &CompositeAlarm> + '_ {
        self.slos.iter().flat_map(|s| s.composite_alarms.iter())
    }
}
