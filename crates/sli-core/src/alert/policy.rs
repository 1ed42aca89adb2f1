//! Alert policies as data: tiers of (long window, short window, threshold), with the SRE
//! Workbook's defaults expressed as budget fractions so they scale to any SLO window.

use std::collections::HashSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::noise::Sustained;
use crate::objective::Objective;
use crate::span::Span;

/// How urgent an alert is: page a human now, or file a ticket for working hours (the two
/// severities of the Google SRE Workbook's "Alerting on SLOs").
///
/// # Example
/// ```
/// use sli_core::Severity;
/// assert!(Severity::Page > Severity::Ticket); // the more urgent compares higher
/// ```
// Closed: the alerting guidance has two severities, and routing matches on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Low-severity degradation, non-urgent: a ticket.
    Ticket,
    /// SLO breach, outage, data loss, security incident: page.
    Page,
}

impl std::fmt::Display for Severity {
    /// `page` or `ticket`, as the `severity` label of alerting rules spells them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Ticket => "ticket",
            Self::Page => "page",
        })
    }
}

/// When a tier fires, expressed either way the SRE Workbook does.
///
/// # Example
/// ```
/// use sli_core::{AlertTier, Severity, Span, TierThreshold};
///
/// let month = Span::from_days(30)?;
/// let by_budget = AlertTier::new("fast", Severity::Page, Span::HOUR, Span::from_minutes(5)?,
///     TierThreshold::BudgetConsumed(0.02));
/// assert!((by_budget.burn_rate_threshold(month) - 14.4).abs() < 1e-12);
/// let by_rate = AlertTier::new("fast", Severity::Page, Span::HOUR, Span::from_minutes(5)?,
///     TierThreshold::BurnRate(14.4));
/// assert!((by_rate.budget_fraction(month) - 0.02).abs() < 1e-12);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TierThreshold {
    /// Fire when this share of the SLO window's budget (e.g. `0.02`) would be spent within the
    /// long window: a burn rate of `fraction × SLO window / long window`. Scales with the SLO
    /// window, which is why the defaults use it.
    BudgetConsumed(f64),
    /// Fire above this burn rate, whatever the SLO window.
    BurnRate(f64),
}

/// One tier of a multi-window, multi-burn-rate policy: it fires when the burn rate over both its
/// long and its short window is above its threshold.
///
/// The long window makes the alert significant; the short window makes it reset soon after the
/// errors stop (the Workbook suggests 1/12 of the long window).
///
/// # Example
/// ```
/// use sli_core::{AlertPolicy, AlertTier, Objective, Severity, Span, Sustained, TierThreshold};
///
/// let mut tier = AlertTier::new("checkout-fast", Severity::Page, Span::HOUR,
///     Span::from_minutes(5)?, TierThreshold::BurnRate(14.4));
/// tier.sustain = Some(Sustained::new(2, 2)?); // two consecutive minutes
/// let policy = AlertPolicy::new(vec![tier]);
/// assert!(policy.validate(Objective::new(0.999)?, Span::from_days(30)?)?.is_empty());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(deny_unknown_fields)]
pub struct AlertTier {
    /// Stable identifier, carried on every alert so callers can de-duplicate.
    pub id: String,
    /// Page or ticket.
    pub severity: Severity,
    /// The long window (e.g. `1h`).
    pub long_window: Span,
    /// The short window (e.g. `5m`), shorter than the long one.
    pub short_window: Span,
    /// The threshold.
    pub threshold: TierThreshold,
    /// Require the condition on N of the last M datapoints before firing (noise reduction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sustain: Option<Sustained>,
    /// A disabled tier is kept in the policy but never evaluated.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
}

const fn enabled_by_default() -> bool {
    true
}

impl AlertTier {
    /// An enabled tier with no sustain requirement.
    pub fn new(
        id: impl Into<String>,
        severity: Severity,
        long_window: Span,
        short_window: Span,
        threshold: TierThreshold,
    ) -> Self {
        Self {
            id: id.into(),
            severity,
            long_window,
            short_window,
            threshold,
            sustain: None,
            enabled: true,
        }
    }

    /// The tier with a sustain rule: it fires only once `sustain` holds over its evaluations
    /// (e.g. 5 of 5 minutes, to avoid flapping).
    #[must_use]
    pub fn with_sustain(mut self, sustain: Sustained) -> Self {
        self.sustain = Some(sustain);
        self
    }

    /// The tier enabled or disabled (a disabled tier is kept but never evaluated).
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// The burn rate above which this tier fires, for an SLO window of `slo_period`.
    pub fn burn_rate_threshold(&self, slo_period: Span) -> f64 {
        match self.threshold {
            TierThreshold::BurnRate(rate) => rate,
            TierThreshold::BudgetConsumed(fraction) => {
                fraction * slo_period.ratio_to(self.long_window)
            }
        }
    }

    /// The share of the SLO window's budget spent within the long window at the threshold burn
    /// rate: `burn × long window / SLO window`.
    pub fn budget_fraction(&self, slo_period: Span) -> f64 {
        match self.threshold {
            TierThreshold::BudgetConsumed(fraction) => fraction,
            TierThreshold::BurnRate(rate) => rate * self.long_window.ratio_to(slo_period),
        }
    }
}

/// A condition that makes a policy suspicious without making it unusable.
///
/// # Example
/// ```
/// use sli_core::{AlertPolicy, Objective, PolicyWarning, Span};
///
/// // With a 90 % objective the burn rate cannot exceed 10: the 14.4x tier can never fire.
/// let warnings = AlertPolicy::default().validate(Objective::new(0.9)?, Span::from_days(30)?)?;
/// assert!(matches!(&warnings[0], PolicyWarning::NeverFires { tier, .. } if tier == "page-fast"));
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "warning", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PolicyWarning {
    /// The tier's burn-rate threshold is at or above the highest burn rate the objective allows,
    /// `1 / (1 - target)`: even a total outage cannot fire it.
    NeverFires {
        /// The tier.
        tier: String,
        /// Its burn-rate threshold.
        threshold: f64,
        /// The highest possible burn rate.
        max_burn_rate: f64,
    },
    /// The long window is longer than the SLO window.
    WindowExceedsSloPeriod {
        /// The tier.
        tier: String,
        /// Its long window.
        long_window: Span,
        /// The SLO window.
        slo_period: Span,
    },
    /// No tier is enabled: the policy never alerts.
    NoEnabledTier,
}

impl fmt::Display for PolicyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NeverFires {
                tier,
                threshold,
                max_burn_rate,
            } => write!(
                f,
                "tier {tier:?} can never fire: its burn-rate threshold {threshold} is at or above \
                 {max_burn_rate}, the highest burn rate the objective allows"
            ),
            Self::WindowExceedsSloPeriod {
                tier,
                long_window,
                slo_period,
            } => write!(
                f,
                "tier {tier:?}: its long window {long_window} is longer than the SLO window \
                 {slo_period}"
            ),
            Self::NoEnabledTier => f.write_str("no tier is enabled: the policy never alerts"),
        }
    }
}

/// What an alert window that reaches before the first datapoint counts as.
///
/// A tier's meaning ("2 % of the budget burned within 1 hour") holds only for a full window: a
/// 3-day window over the first hour of a series would otherwise judge one hour as if it were
/// three days, and fire a ticket on a blip.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{catalog, AlertPolicy, PartialWindows, PolicyEvaluator, Series, Span};
///
/// let slo = catalog::availability("api");
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// // Ten minutes of data at 0.5 % errors: a blip, unless judged as if it were three days.
/// let series = Series::from_counts((0..10).map(|m| (t0 + TimeDelta::minutes(m), 995.0, 1000.0)))?;
/// let mut policy = AlertPolicy::default();
/// assert!(PolicyEvaluator::new(&slo, &policy, Span::MINUTE)?.sweep(&series)?.is_empty());
/// policy.partial_windows = PartialWindows::Evaluate;
/// assert!(!PolicyEvaluator::new(&slo, &policy, Span::MINUTE)?.sweep(&series)?.is_empty());
/// policy.partial_windows = PartialWindows::Reject;
/// assert!(PolicyEvaluator::new(&slo, &policy, Span::MINUTE)?.sweep(&series).is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PartialWindows {
    /// Until the series has run for a window's length, that window has no data (resolved by the
    /// SLO's [`MissingData`](crate::MissingData) policy). The default.
    ///
    /// Under [`MissingData::Bad`](crate::MissingData::Bad) that makes every tier fire from the
    /// first point of a new series (or a streaming evaluator started afresh) until its long
    /// window has filled, on clean traffic too, with burn rates of 0 in the alerts: "no data
    /// is bad" cannot tell the time before the series began from silence. CloudWatch, with
    /// missing data breaching, does the same over the windows this compiles to. For an SLO
    /// whose silence is an outage, start its evaluation with [`PartialWindows::Evaluate`], or
    /// hold its pages until the longest window has run.
    #[default]
    NoData,
    /// Evaluate the burn rate over the part of the window the series covers (nothing is
    /// extrapolated), as Prometheus rules do over a fresh series.
    Evaluate,
    /// As `NoData`, and a batch sweep over a series shorter than an enabled tier's long window
    /// is an error ([`Error::WindowLongerThanData`]). The streaming evaluator, which cannot know
    /// the length of what is to come, behaves as `NoData`.
    Reject,
}

/// A multi-window, multi-burn-rate alert policy: a list of tiers, evaluated independently.
///
/// `AlertPolicy::default()` is the SRE Workbook's recommendation in the four-tier form Sloth
/// generates: page when 2 % of the budget burns in 1 h (checked also over 5 m) or 5 % in 6 h
/// (30 m); ticket when 10 % burns in 1 d (2 h) or in 3 d (6 h). For a 30-day window these are
/// burn rates 14.4, 6, 3 and 1; for 28 days 13.44, 5.6, 2.8 and 0.933.
///
/// # Example
/// ```
/// use sli_core::{AlertPolicy, Objective, Span};
///
/// let policy = AlertPolicy::default();
/// let month = Span::from_days(30)?;
/// let rates: Vec<f64> = policy.tiers.iter().map(|t| t.burn_rate_threshold(month)).collect();
/// assert_eq!(rates, [14.4, 6.0, 3.0, 1.0]);
/// assert!(policy.validate(Objective::new(0.999)?, month)?.is_empty());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(deny_unknown_fields)]
pub struct AlertPolicy {
    /// The tiers, fastest first by convention.
    pub tiers: Vec<AlertTier>,
    /// How windows that reach before the first datapoint are treated.
    #[serde(default)]
    pub partial_windows: PartialWindows,
}

impl Default for AlertPolicy {
    fn default() -> Self {
        Self::workbook()
    }
}

impl AlertPolicy {
    /// A policy of `tiers`, with the default treatment of partial windows
    /// ([`PartialWindows::NoData`]).
    ///
    /// ```
    /// use sli_core::{AlertPolicy, AlertTier, PartialWindows, Severity, Span, TierThreshold};
    ///
    /// let page = AlertTier::new("page", Severity::Page, Span::HOUR, Span::from_minutes(5)?,
    ///     TierThreshold::BurnRate(14.4));
    /// let policy = AlertPolicy::new(vec![page]).with_partial_windows(PartialWindows::Evaluate);
    /// assert_eq!(policy.tiers.len(), 1);
    /// # Ok::<(), sli_core::Error>(())
    /// ```
    pub fn new(tiers: Vec<AlertTier>) -> Self {
        Self {
            tiers,
            partial_windows: PartialWindows::default(),
        }
    }

    /// The policy with `partial_windows` as the treatment of windows that reach before the
    /// first datapoint.
    #[must_use]
    pub fn with_partial_windows(mut self, partial_windows: PartialWindows) -> Self {
        self.partial_windows = partial_windows;
        self
    }

    /// The SRE Workbook's multi-window, multi-burn-rate table as four tiers (see the type docs).
    pub fn workbook() -> Self {
        let tier = |id: &str, severity, long, short, fraction| {
            AlertTier::new(
                id,
                severity,
                long,
                short,
                TierThreshold::BudgetConsumed(fraction),
            )
        };
        let minutes = |m: i64| Span::known_valid(m * 60);
        Self {
            tiers: vec![
                tier("page-fast", Severity::Page, Span::HOUR, minutes(5), 0.02),
                tier("page-slow", Severity::Page, minutes(360), minutes(30), 0.05),
                tier(
                    "ticket-fast",
                    Severity::Ticket,
                    Span::DAY,
                    minutes(120),
                    0.10,
                ),
                tier(
                    "ticket-slow",
                    Severity::Ticket,
                    minutes(3 * 1440),
                    minutes(360),
                    0.10,
                ),
            ],
            partial_windows: PartialWindows::NoData,
        }
    }

    /// The enabled tiers.
    pub fn enabled_tiers(&self) -> impl Iterator<Item = &AlertTier> + '_ {
        self.tiers.iter().filter(|t| t.enabled)
    }

    /// Checks the policy against an objective and SLO window.
    ///
    /// # Errors
    /// [`Error::InvalidPolicy`] for an empty or duplicate tier id, a short window not shorter
    /// than its long window, or a threshold that is not a positive finite number (a budget
    /// fraction must also be at most 1).
    ///
    /// Suspicious but usable settings come back as warnings: a tier that can never fire, a long
    /// window longer than the SLO window, no tier enabled.
    pub fn validate(&self, objective: Objective, slo_period: Span) -> Result<Vec<PolicyWarning>> {
        let mut warnings = Vec::new();
        // A set, not a scan of the tiers before: a policy of many tiers is checked in linear time.
        let mut ids = HashSet::with_capacity(self.tiers.len());
        for (index, tier) in self.tiers.iter().enumerate() {
            let invalid = |reason: String| Error::InvalidPolicy {
                tier: tier.id.clone(),
                reason,
            };
            if tier.id.trim().is_empty() {
                return Err(invalid(format!("tier {index} has an empty id")));
            }
            if !ids.insert(tier.id.as_str()) {
                return Err(invalid("duplicate tier id".into()));
            }
            if tier.short_window >= tier.long_window {
                return Err(invalid(format!(
                    "short window {} must be shorter than long window {}",
                    tier.short_window, tier.long_window
                )));
            }
            let (value, max) = match tier.threshold {
                TierThreshold::BudgetConsumed(f) => (f, 1.0),
                TierThreshold::BurnRate(r) => (r, f64::INFINITY),
            };
            if !(value.is_finite() && value > 0.0 && value <= max) {
                return Err(invalid(format!(
                    "threshold {} must be positive and finite (and a budget fraction at most 1)",
                    crate::ExactValue(value)
                )));
            }
            if !tier.enabled {
                continue;
            }
            let threshold = tier.burn_rate_threshold(slo_period);
            if threshold >= objective.max_burn_rate() {
                warnings.push(PolicyWarning::NeverFires {
                    tier: tier.id.clone(),
                    threshold,
                    max_burn_rate: objective.max_burn_rate(),
                });
            }
            if tier.long_window > slo_period {
                warnings.push(PolicyWarning::WindowExceedsSloPeriod {
                    tier: tier.id.clone(),
                    long_window: tier.long_window,
                    slo_period,
                });
            }
        }
        if self.enabled_tiers().next().is_none() {
            warnings.push(PolicyWarning::NoEnabledTier);
        }
        Ok(warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_firing_tier_is_warned() {
        // 99 %: the highest burn rate is 100; a 2 %-in-5-minutes tier needs 172.8.
        let mut policy = AlertPolicy::workbook();
        policy.tiers[0].long_window = Span::from_minutes(5).unwrap();
        policy.tiers[0].short_window = Span::MINUTE;
        let w = policy
            .validate(Objective::new(0.99).unwrap(), Span::from_days(30).unwrap())
            .unwrap();
        assert!(
            matches!(&w[..], [PolicyWarning::NeverFires { tier, .. }] if tier == "page-fast"),
            "{w:?}"
        );
    }

    #[test]
    fn invalid_tiers_are_errors() {
        let o = Objective::new(0.999).unwrap();
        let month = Span::from_days(30).unwrap();
        let mut p = AlertPolicy::workbook();
        p.tiers[1].id = "page-fast".into();
        assert!(matches!(
            p.validate(o, month),
            Err(Error::InvalidPolicy { .. })
        ));
        let mut p = AlertPolicy::workbook();
        p.tiers[0].short_window = Span::from_hours(2).unwrap();
        assert!(p.validate(o, month).is_err());
        let mut p = AlertPolicy::workbook();
        p.tiers[0].threshold = TierThreshold::BudgetConsumed(1.5);
        assert!(p.validate(o, month).is_err());
        let mut p = AlertPolicy::workbook();
        p.tiers[0].threshold = TierThreshold::BurnRate(f64::NAN);
        assert!(p.validate(o, month).is_err());
        let mut p = AlertPolicy::workbook();
        for t in &mut p.tiers {
            t.enabled = false;
        }
        assert_eq!(
            p.validate(o, month).unwrap(),
            vec![PolicyWarning::NoEnabledTier]
        );
    }

    #[test]
    fn serde_round_trip() {
        let p = AlertPolicy::workbook();
        let json = serde_json::to_string(&p).unwrap();
        assert!(json.contains(r#""long_window":"1h""#), "{json}");
        assert_eq!(serde_json::from_str::<AlertPolicy>(&json).unwrap(), p);
    }

    #[test]
    fn many_tiers_are_validated_and_resolved_in_linear_time() {
        // Found by the hostile-input probe: the duplicate-id scan compared every tier with
        // every earlier one (50,000 tiers took 4 s). 100,000 tiers, all distinct, then one
        // repeated at the end: a quadratic check would take minutes here.
        let tier = |i: usize| {
            AlertTier::new(
                format!("tier-{i}"),
                Severity::Ticket,
                Span::from_seconds(3_600 + 60 * (i as i64 % 1_000)).unwrap(),
                Span::MINUTE,
                TierThreshold::BurnRate(1.0 + (i / 1_000) as f64),
            )
        };
        let mut policy = AlertPolicy {
            tiers: (0..100_000).map(tier).collect(),
            partial_windows: PartialWindows::default(),
        };
        let objective = Objective::new(0.999).unwrap();
        let period = Span::from_days(30).unwrap();
        assert!(policy.validate(objective, period).is_ok());
        let slo = crate::catalog::availability("many");
        let evaluator = crate::PolicyEvaluator::new(&slo, &policy, Span::MINUTE).unwrap();
        assert_eq!(evaluator.thresholds().count(), 100_000);
        policy.tiers.push(tier(77_777));
        let err = policy.validate(objective, period).unwrap_err();
        assert_eq!(
            err,
            Error::InvalidPolicy {
                tier: "tier-77777".into(),
                reason: "duplicate tier id".into()
            }
        );
    }

    /// The highest burn rate of 99.9 % is 1000, the line between tiers that can fire and
    /// tiers that cannot (`bad > total` is impossible): with `1 − 0.999` read in binary it was
    /// 999.9999999999991, and a 999.9999999999995x tier, which fires on a total outage, was
    /// warned as never firing.
    #[test]
    fn the_highest_burn_rate_is_exact() {
        let objective = Objective::new(0.999).unwrap();
        assert_eq!(objective.max_burn_rate(), 1000.0);
        let warnings = |rate: f64| {
            let tier = AlertTier::new(
                "total-outage",
                Severity::Page,
                Span::HOUR,
                Span::from_minutes(5).unwrap(),
                TierThreshold::BurnRate(rate),
            );
            AlertPolicy::new(vec![tier])
                .validate(objective, Span::from_days(30).unwrap())
                .unwrap()
        };
        assert!(matches!(
            &warnings(1000.0)[..],
            [PolicyWarning::NeverFires { .. }]
        ));
        assert_eq!(warnings(999.999_999_999_999_5), []);
    }
}
