//! What the CloudWatch compiler produced for one SLO: its alarms and what dashboards need.

use serde::Serialize;
use sli_core::{Severity, Span};

use super::maintenance::Maintenance;
use super::model::{CompositeAlarm, MetricAlarm};
use super::signal::Signal;
use aws_telemetry::Metric;

/// Which window of a tier an alarm watches.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::WindowRole;
/// assert_eq!(WindowRole::Long.as_str(), "long");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum WindowRole {
    /// The long window.
    Long,
    /// The short window.
    Short,
}

impl WindowRole {
    /// `long` or `short`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Long => "long",
            Self::Short => "short",
        }
    }
}

/// A window whose alarm watches a published metric: what to publish, every minute.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::PublishedWindow;
/// # fn f(p: &PublishedWindow) { let _ = (p.window, p.ratio_threshold); }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PublishedWindow {
    /// The tier.
    pub tier: String,
    /// Long or short.
    pub role: WindowRole,
    /// The window.
    pub window: Span,
    /// The metric to publish: `bad − ratio_threshold × total` over the window ending at each
    /// minute's end, stamped at the minute's start; nothing when the window has fewer events
    /// than the SLO's minimum (or none).
    pub metric: Metric,
    /// The tier's burn-rate threshold × the error budget.
    pub ratio_threshold: f64,
}

/// The alarms of one SLO and alert policy: a plain output record (its public fields are what
/// was generated).
///
/// # Example
/// ```
/// # use slo_compiler::cloudwatch::CompiledSlo;
/// # fn f(c: &CompiledSlo) -> usize { c.metric_alarms.len() + c.composite_alarms.len() }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CompiledSlo {
    /// The SLO's name.
    pub slo: String,
    /// Its service.
    pub service: String,
    /// The maintenance alarm (when the SLO has maintenance windows), then one alarm per
    /// window of each tier, long then short, tiers in policy order, the release gate's last.
    pub metric_alarms: Vec<MetricAlarm>,
    /// One composite per tier (both windows), the release gate's, then one per severity over
    /// its tiers (page, then ticket), which carry the actions (with, before the ticket's, the
    /// composite suppressing it while the SLO pages or is in maintenance). Children come
    /// before their parents.
    pub composite_alarms: Vec<CompositeAlarm>,
    /// Windows whose alarms watch a published metric.
    pub published: Vec<PublishedWindow>,
    /// The release gate's composite alarm: what CodeDeploy and CodePipeline read.
    pub release_gate: Option<String>,
    /// The maintenance alarm and its EventBridge Scheduler schedules.
    pub maintenance: Option<Maintenance>,
    /// With [`CompileOptions::findings`](super::CompileOptions::findings): per severity, the
    /// metric a finding behind this SLO is published to (see [`CompiledSlo::findings_metric`]).
    pub findings: Vec<(Severity, Metric)>,
    /// Burn-rate expressions for dashboards: (label, expression over `bad`/`good` and `total`).
    #[serde(skip)]
    pub(super) signal: Signal,
    #[serde(skip)]
    pub(super) budget: f64,
    #[serde(skip)]
    pub(super) window: Span,
    #[serde(skip)]
    pub(super) tiers: Vec<(String, Severity, Span, f64)>,
    #[serde(skip)]
    pub(super) gate_burn: Option<f64>,
    #[serde(skip)]
    pub(super) min_events: f64,
    #[serde(skip)]
    pub(super) full_windows_only: bool,
}

impl CompiledSlo {
    /// The metric to publish a finding of `severity` behind this SLO to (compiled with
    /// [`CompileOptions::findings`](super::CompileOptions::findings)): one sample, `1` at the
    /// finding's detection, through a [`MetricSink`](aws_telemetry::MetricSink); the SLO's
    /// `findings-<severity>` alarm is then in `ALARM` for
    /// [`FINDING_HOLD_SECONDS`](super::FINDING_HOLD_SECONDS). `None` without that option.
    ///
    /// Leave security findings (credential compromise, public data) unattached: the SLO's
    /// maintenance window and page must not hold them back.
    ///
    /// # Example
    /// ```
    /// use aws_telemetry::{InMemorySource, Metric, MetricSink, Statistic};
    /// use chrono::Utc;
    /// use sli_core::{catalog, AlertPolicy, Severity};
    /// use slo_compiler::SloSpec;
    /// use slo_compiler::cloudwatch::{compile, CompileOptions, Signal, SignalSource};
    ///
    /// let alb = |name| Metric::new("AWS/ApplicationELB", name);
    /// let spec = SloSpec::new(catalog::availability("checkout"), AlertPolicy::default(), Signal::Bad {
    ///     bad: SignalSource::Metric { metric: alb("HTTPCode_Target_5XX_Count")?, stat: Statistic::Sum },
    ///     total: SignalSource::Metric { metric: alb("RequestCount")?, stat: Statistic::Sum },
    /// });
    /// let compiled = compile(&[spec], &CompileOptions::new().with_findings("SLO/Findings"))?;
    /// let metric = compiled.slos[0].findings_metric(Severity::Page).unwrap();
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let sink = InMemorySource::new(); // or aws_telemetry's CloudWatchSink
    /// sink.put(metric, &[(Utc::now(), 1.0)]).await?; // an F2 partition behind the SLO, say
    /// # Ok::<(), aws_telemetry::PutError>(())
    /// # }).unwrap();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn findings_metric(&self, severity: Severity) -> Option<&Metric> {
        self.findings
            .iter()
            .find(|(s, _)| *s == severity)
            .map(|(_, m)| m)
    }

    /// The name of the severity composite alarm for `severity`, if the policy has such tiers.
    pub fn severity_alarm(&self, severity: Severity) -> Option<&CompositeAlarm> {
        let suffix = severity_name(severity);
        self.composite_alarms
            .iter()
            .find(|c| c.alarm_name.ends_with(&format!("/{suffix}")))
    }
}

pub(super) fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Page => "severity-page",
        Severity::Ticket => "severity-ticket",
    }
}
