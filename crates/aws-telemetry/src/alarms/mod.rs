//! SLOs as CloudWatch alarms and dashboards: CloudWatch, AWS's own distributed metrics engine,
//! then evaluates thousands of SLOs continuously, the way Sloth and Pyrra compile SLOs into
//! Prometheus rules. Pure, typed and serialisable, compiled without any feature.
#![cfg_attr(
    feature = "cloudwatch",
    doc = "Applying them through the API is [`apply`] (feature `cloudwatch`)."
)]
#![cfg_attr(
    not(feature = "cloudwatch"),
    doc = "Applying them through the API is `apply`, with the `cloudwatch` feature."
)]
//!
//! * [`compile`]: per SLO and alert policy, one metric-math alarm per window of each tier, a
//!   composite alarm per tier, one per severity with the caller's SNS actions.
//! * [`Compiled::dashboards`]: executive, on-call and debug dashboards per service.
//! * [`Compiled::cloudformation`]: one template holding them all.
//! * [`Simulator`]: an interpreter of the metric math and alarm rules emitted, to check, minute
//!   by minute, that CloudWatch would alert exactly when `sli-core` does.
//! * [`publish_windows`]: windows an alarm cannot look back over, published as metrics.
//!
//! ```
//! use aws_telemetry::{Metric, Statistic};
//! use aws_telemetry::alarms::{compile, CompileOptions, DashboardOptions, Signal, SignalSource, SloAlarmSpec};
//! use sli_core::{catalog, AlertPolicy};
//!
//! let alb = |name| Metric::new("AWS/ApplicationELB", name);
//! let spec = SloAlarmSpec::new(catalog::availability("checkout"), AlertPolicy::default(), Signal::Bad {
//!     bad: SignalSource::Metric { metric: alb("HTTPCode_Target_5XX_Count")?, stat: Statistic::Sum },
//!     total: SignalSource::Metric { metric: alb("RequestCount")?, stat: Statistic::Sum },
//! });
//! let options = CompileOptions { page_actions: vec!["arn:aws:sns:us-east-1:123456789012:page".into()], ..Default::default() };
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
//! metric that [`publish_windows`] computes and puts through a [`MetricSink`](crate::MetricSink)
//! every minute.

// Errors carry the SLO, document, field and problem by value: they are built once, on the
// failure path of a compile, and boxing them would only make matching on them clumsier.
#![allow(clippy::result_large_err)]

mod compile;
mod dashboard;
mod model;
#[cfg(feature = "openslo")]
mod openslo;
mod publish;
mod simulate;
mod template;

pub use compile::{
    CompileError, CompileOptions, CompileProblem, CompiledSlo, MAX_ALARM_NAME,
    MAX_METRICS_PER_ALARM, MAX_NATIVE_WINDOW_SECONDS, PublishedWindow, Signal, SignalSource,
    SloAlarmSpec, WindowRole, compile,
};
pub use dashboard::{DashboardOptions, MAX_WIDGETS};
pub use model::{
    AlarmDimension, AlarmMetric, CompositeAlarm, Dashboard, MetricAlarm, MetricDataQuery,
    MetricStat, TreatMissingData,
};
#[cfg(feature = "openslo")]
pub use openslo::specs_from_openslo;
pub use publish::{Points, publish_windows, published_points, window_points};
pub use simulate::{AlarmState, BinOp, Expr, MathError, Simulator, States};
pub use template::MAX_RESOURCES;

#[cfg(feature = "cloudwatch")]
pub use crate::cloudwatch::alarms::{ApplyReport, apply};

/// What [`compile`] produced: one [`CompiledSlo`] per input spec, in order.
///
/// # Example
/// ```
/// # use aws_telemetry::alarms::Compiled;
/// # fn f(c: &Compiled) -> usize { c.slos.len() }
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Compiled {
    /// The SLOs' alarms.
    pub slos: Vec<CompiledSlo>,
}

impl Compiled {
    /// The executive, on-call and debug dashboards of each service.
    ///
    /// # Errors
    /// [`CompileProblem::DashboardName`] for a service name CloudWatch would reject in a
    /// dashboard name; [`CompileProblem::Unsupported`] past [`MAX_WIDGETS`] widgets.
    ///
    /// # Example
    /// ```
    /// # use aws_telemetry::alarms::{Compiled, DashboardOptions};
    /// # fn f(c: &Compiled) -> Result<(), aws_telemetry::alarms::CompileError> {
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
