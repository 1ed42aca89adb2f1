//! [`Options`]: how [`compile`](super::compile) names, groups and splits the rules it
//! generates (alert names, label prefix, absent-data and budget intervals, group and file
//! limits), and their checks.

use sli_core::Span;

use super::names;
use super::query::Signal;
use crate::error::{CompileError, CompileProblem};
use crate::plan::Plan;

/// How [`compile`](super::compile) names, groups and splits what it generates.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::Options;
/// let options = Options::new().with_max_rules_per_group(200);
/// assert_eq!(options.alert_name, "ErrorBudgetBurn");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// The name of every burn-rate alert (the SLO, tier and severity are labels), as Pyrra
    /// names its own. Default `ErrorBudgetBurn`.
    pub alert_name: String,
    /// The name of the absent-data alerts. Default `SLOMetricAbsent`.
    pub absent_alert_name: String,
    /// The name of the release-gate alerts. Default `SLOReleaseGate`.
    pub gate_alert_name: String,
    /// How long an SLO's total must be absent before its absent-data alert fires. Default 10
    /// minutes.
    pub absent_for: Span,
    /// The evaluation interval of the error-budget groups, whose rules read the whole SLO
    /// window. Default 5 minutes. (The burn-rate groups are evaluated every minute: their
    /// windows are whole minutes and their alerts start and end on the minute, as `sli-core`'s.)
    pub budget_interval: Span,
    /// The most rules in one group. An SLO's burn-rate rules always share a group (its alerts
    /// read the ratios recorded in the same evaluation), so a group holds whole SLOs. Default
    /// 500 (see [`Compiled::groups`](super::Compiled::groups)).
    pub max_rules_per_group: usize,
    /// The largest rule file, in bytes of YAML: files (and `PrometheusRule` manifests, one per
    /// file) are split at group boundaries below it. Default 512 KiB, half of the 1 MiB
    /// Kubernetes allows a ConfigMap, where the Prometheus Operator mounts rule files.
    pub max_file_bytes: usize,
    /// Prefix of group and file names. Default `slo`.
    pub prefix: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            alert_name: "ErrorBudgetBurn".into(),
            absent_alert_name: "SLOMetricAbsent".into(),
            gate_alert_name: "SLOReleaseGate".into(),
            absent_for: Span::from_minutes(10).unwrap_or(Span::HOUR),
            budget_interval: Span::from_minutes(5).unwrap_or(Span::HOUR),
            max_rules_per_group: 500,
            max_file_bytes: 512 * 1024,
            prefix: "slo".into(),
        }
    }
}

impl Options {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Burn-rate alerts are named `name`.
    #[must_use]
    pub fn with_alert_name(mut self, name: impl Into<String>) -> Self {
        self.alert_name = name.into();
        self
    }

    /// Absent-data alerts are named `name`.
    #[must_use]
    pub fn with_absent_alert_name(mut self, name: impl Into<String>) -> Self {
        self.absent_alert_name = name.into();
        self
    }

    /// Release-gate alerts are named `name`.
    #[must_use]
    pub fn with_gate_alert_name(mut self, name: impl Into<String>) -> Self {
        self.gate_alert_name = name.into();
        self
    }

    /// The absent-data alert waits `span`.
    #[must_use]
    pub fn with_absent_for(mut self, span: Span) -> Self {
        self.absent_for = span;
        self
    }

    /// Error-budget groups are evaluated every `span`.
    #[must_use]
    pub fn with_budget_interval(mut self, span: Span) -> Self {
        self.budget_interval = span;
        self
    }

    /// At most `max` rules in a group.
    #[must_use]
    pub fn with_max_rules_per_group(mut self, max: usize) -> Self {
        self.max_rules_per_group = max;
        self
    }

    /// Rule files of at most `max` bytes.
    #[must_use]
    pub fn with_max_file_bytes(mut self, max: usize) -> Self {
        self.max_file_bytes = max;
        self
    }

    /// Group and file names start with `prefix`.
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }
}

/// Checks the options every SLO shares.
pub(super) fn check_options(
    plan: &Plan<'_, Signal>,
    options: &Options,
) -> Result<(), CompileError> {
    let invalid = |option, reason: &str| {
        plan.fail(
            "options",
            CompileProblem::InvalidOption {
                option,
                reason: reason.to_owned(),
            },
        )
    };
    if options.max_rules_per_group == 0 {
        return Err(invalid("max_rules_per_group", "must be at least 1"));
    }
    if options.max_file_bytes == 0 {
        return Err(invalid("max_file_bytes", "must be at least 1"));
    }
    for (option, name) in [
        ("alert_name", &options.alert_name),
        ("absent_alert_name", &options.absent_alert_name),
        ("gate_alert_name", &options.gate_alert_name),
    ] {
        if !names::is_metric_name(name) {
            return Err(invalid(option, "must be a valid metric name"));
        }
    }
    if !names::is_group_prefix(&options.prefix) {
        return Err(invalid(
            "prefix",
            "must be letters, digits, '-' and '_' (it names files)",
        ));
    }
    Ok(())
}
