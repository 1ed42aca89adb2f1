//! What the CloudWatch compiler produced for one SLO: its alarms and what dashboards need.

use serde::Serialize;
use sli_core::{Severity, Span};

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

/// The alarms of one SLO and alert policy.
///
/// # Example
/// ```
/// # use slo_compiler::cloudwatch::CompiledSlo;
/// # fn f(c: &CompiledSlo) -> usize { c.metric_alarms.len() + c.composite_alarms.len() }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledSlo {
    /// The SLO's name.
    pub slo: String,
    /// Its service.
    pub service: String,
    /// One alarm per window of each tier, long then short, tiers in policy order.
    pub metric_alarms: Vec<MetricAlarm>,
    /// One composite per tier (both windows), then one per severity over its tiers (page,
    /// then ticket), which carry the actions.
    pub composite_alarms: Vec<CompositeAlarm>,
    /// Windows whose alarms watch a published metric.
    pub published: Vec<PublishedWindow>,
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
    pub(super) min_events: f64,
    #[serde(skip)]
    pub(super) full_windows_only: bool,
}

impl CompiledSlo {
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
