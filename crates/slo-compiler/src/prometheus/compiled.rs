//! What [`compile`](super::compile) produced for one SLO: [`CompiledSlo`] and its
//! [`TierAlert`]s, plain output records.

use sli_core::{Severity, Span};

use super::Spec;
use super::rules::Rule;

/// One tier's alert as the rules raise it (the release gate's too): for tests and
/// dashboards, a plain output record.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct TierAlert {
    /// The alert's name ([`Options::alert_name`](super::Options::alert_name), or [`Options::gate_alert_name`](super::Options::gate_alert_name) for the
    /// release gate).
    pub alert: String,
    /// The tier.
    pub tier: String,
    /// Page or ticket.
    pub severity: Severity,
    /// The long window.
    pub long_window: Span,
    /// The short window.
    pub short_window: Span,
    /// The burn-rate threshold.
    pub burn: f64,
    /// The alert's labels, exactly as Prometheus sends them (sorted by name, the alert name
    /// not included).
    pub labels: Vec<(String, String)>,
    /// The alert's annotations.
    pub annotations: Vec<(String, String)>,
}

/// The rules of one SLO and alert policy: a plain output record.
///
/// # Example
/// ```
/// # use slo_compiler::prometheus::CompiledSlo;
/// # fn f(c: &CompiledSlo) -> usize { c.burn_rate_rules.len() + c.budget_rules.len() }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CompiledSlo {
    /// Sloth's `sloth_id`: `<service>-<slo>`.
    pub id: String,
    /// The SLO's name.
    pub slo: String,
    /// Its service.
    pub service: String,
    /// The alert policy's name.
    pub policy: String,
    /// Evaluated every minute, in this order: the error ratio of every window the policy uses,
    /// the events per window where a minimum applies, the window states where missing data
    /// keeps the last state, one alert per tier, the absent-data alert.
    pub burn_rate_rules: Vec<Rule>,
    /// Evaluated every [`Options::budget_interval`](super::Options::budget_interval): the error ratio over the SLO window, the
    /// objective, the error budget, the burn rates and the budget remaining, under Sloth's
    /// names.
    pub budget_rules: Vec<Rule>,
    /// Each tier's alert, then the release gate's.
    pub tiers: Vec<TierAlert>,
    /// The absent-data alert's labels (sorted, alert name not included).
    pub absent_labels: Vec<(String, String)>,
    /// The windows the policy uses, shortest first.
    pub windows: Vec<Span>,
    /// The SLO window.
    pub slo_window: Span,
    /// `1 − target`.
    pub error_budget: f64,
    /// The spec it was compiled from (for tests and dashboards).
    pub(crate) spec: Spec,
}
