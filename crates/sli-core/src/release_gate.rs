//! The release gate: "if the error budget burn rate stays above 4x, halt releases" (the SRE
//! Workbook's example error-budget policy freezes releases when the budget is being spent too
//! fast) as an alert condition an engine can evaluate and a deployment tool can read.
//!
//! A [`ReleaseGate`] is a burn-rate threshold over a sustain window. It is evaluated as a
//! multi-window tier ([`ReleaseGate::tier`]): the burn over the sustain window must exceed the
//! threshold (the "sustained" part), and so must the burn over a short window of 1/12 of it,
//! the SRE Workbook's ratio, so that the gate opens again soon after the burn stops instead of
//! a whole sustain window later. `PolicyEvaluator` evaluates that tier exactly as the compiled
//! CloudWatch alarms and Prometheus rules do.

use serde::{Deserialize, Serialize};

use crate::alert::{AlertPolicy, AlertTier, Severity, TierThreshold};
use crate::budget_policy::ErrorBudgetPolicy;
use crate::span::Span;

/// Why a release gate cannot be built, naming the field.
///
/// # Example
/// ```
/// use sli_core::{GateError, ReleaseGate, Span};
/// let err = ReleaseGate::new(4.0, Span::MINUTE).unwrap_err();
/// assert!(matches!(err, GateError::SustainTooShort { field: "sustain", .. }));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// A burn-rate threshold that is not positive and finite.
    #[error("release gate {field}: {} must be positive and finite", crate::ExactValue(*.value))]
    BurnRate {
        /// `burn_rate`.
        field: &'static str,
        /// The value.
        value: f64,
    },
    /// No sustain window: a gate without one would freeze releases on a single bad minute.
    #[error("release gate {field}: a release gate needs a sustain window (e.g. \"1h\")")]
    NoSustainWindow {
        /// `sustain`.
        field: &'static str,
    },
    /// A sustain window shorter than two minutes (its short window would not be shorter than
    /// itself) or not a whole number of minutes.
    #[error("release gate {field}: {sustain} {reason}")]
    SustainTooShort {
        /// `sustain`.
        field: &'static str,
        /// The window.
        sustain: Span,
        /// Why.
        reason: &'static str,
    },
}

/// Halt releases while the burn rate exceeds `burn_rate` over the sustain window (and over
/// its short window, 1/12 of it).
///
/// # Example
/// ```
/// use sli_core::{ErrorBudgetPolicy, ReleaseGate, Span};
///
/// let gate = ErrorBudgetPolicy::default().release_gate()?; // 4x over 1 hour
/// assert_eq!((gate.burn_rate(), gate.sustain()), (4.0, Span::HOUR));
/// assert_eq!(gate.short_window(), Span::from_minutes(5)?);
/// let tier = gate.tier();
/// assert_eq!((tier.id.as_str(), tier.long_window), (ReleaseGate::TIER_ID, Span::HOUR));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGate", into = "RawGate")]
pub struct ReleaseGate {
    burn_rate: f64,
    sustain: Span,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGate {
    burn_rate: f64,
    #[serde(default)]
    sustain: Option<Span>,
}

impl TryFrom<RawGate> for ReleaseGate {
    type Error = GateError;
    fn try_from(raw: RawGate) -> Result<Self, GateError> {
        let sustain = raw
            .sustain
            .ok_or(GateError::NoSustainWindow { field: "sustain" })?;
        Self::new(raw.burn_rate, sustain)
    }
}

impl From<ReleaseGate> for RawGate {
    fn from(gate: ReleaseGate) -> Self {
        Self {
            burn_rate: gate.burn_rate,
            sustain: Some(gate.sustain),
        }
    }
}

impl ReleaseGate {
    /// The id of the gate's tier, in alerts and in the names the compilers give it.
    pub const TIER_ID: &'static str = "release-gate";

    /// A gate at `burn_rate` over `sustain`.
    ///
    /// # Errors
    /// [`GateError::BurnRate`] unless the rate is positive and finite;
    /// [`GateError::SustainTooShort`] for a window under two minutes or with seconds.
    pub fn new(burn_rate: f64, sustain: Span) -> Result<Self, GateError> {
        if !(burn_rate.is_finite() && burn_rate > 0.0) {
            return Err(GateError::BurnRate {
                field: "burn_rate",
                value: burn_rate,
            });
        }
        let reason = if sustain.seconds() % 60 != 0 {
            "is not a whole number of minutes"
        } else if sustain.seconds() < 120 {
            "is shorter than two minutes: its short window would not be shorter than it"
        } else {
            return Ok(Self { burn_rate, sustain });
        };
        Err(GateError::SustainTooShort {
            field: "sustain",
            sustain,
            reason,
        })
    }

    /// The burn-rate threshold.
    pub fn burn_rate(&self) -> f64 {
        self.burn_rate
    }

    /// The sustain window (the tier's long window).
    pub fn sustain(&self) -> Span {
        self.sustain
    }

    /// 1/12 of the sustain window, in whole minutes, at least one minute.
    pub fn short_window(&self) -> Span {
        let minutes = (self.sustain.seconds() / 60 / 12).max(1);
        Span::known_valid(minutes * 60)
    }

    /// The gate as an alert tier (id [`ReleaseGate::TIER_ID`], a ticket, never paged on its
    /// own): what `PolicyEvaluator` and the compilers evaluate.
    pub fn tier(&self) -> AlertTier {
        AlertTier::new(
            Self::TIER_ID,
            Severity::Ticket,
            self.sustain,
            self.short_window(),
            TierThreshold::BurnRate(self.burn_rate),
        )
    }

    /// `policy` with the gate's tier added, to evaluate the gate beside the policy's tiers.
    pub fn with_policy(&self, policy: &AlertPolicy) -> AlertPolicy {
        let mut policy = policy.clone();
        policy.tiers.push(self.tier());
        policy
    }
}

impl ErrorBudgetPolicy {
    /// The release gate of this policy: its freeze burn rate over its sustain window.
    ///
    /// # Errors
    /// [`GateError`] when the policy's rate or sustain window cannot make a gate.
    pub fn release_gate(&self) -> Result<ReleaseGate, GateError> {
        ReleaseGate::new(self.freeze_burn_rate, self.sustained_for)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_gates_name_their_field() {
        assert!(matches!(
            ReleaseGate::new(f64::NAN, Span::HOUR),
            Err(GateError::BurnRate {
                field: "burn_rate",
                ..
            })
        ));
        assert!(matches!(
            ReleaseGate::new(4.0, Span::from_seconds(150).unwrap()),
            Err(GateError::SustainTooShort { .. })
        ));
        let gate = ReleaseGate::new(4.0, Span::from_minutes(2).unwrap()).unwrap();
        assert_eq!(gate.short_window(), Span::MINUTE);
    }

    #[test]
    fn serde_gives_the_constructors_errors() {
        let err = serde_json::from_str::<ReleaseGate>(r#"{"burn_rate": 4.0}"#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&GateError::NoSustainWindow { field: "sustain" }.to_string()),
            "{err}"
        );
        let err = serde_json::from_str::<ReleaseGate>(r#"{"burn_rate": -1, "sustain": "1h"}"#)
            .unwrap_err();
        let direct = ReleaseGate::new(-1.0, Span::HOUR).unwrap_err();
        assert!(err.to_string().starts_with(&direct.to_string()), "{err}");
        let gate: ReleaseGate =
            serde_json::from_str(r#"{"burn_rate": 4.0, "sustain": "30m"}"#).unwrap();
        assert_eq!(gate.short_window(), Span::from_minutes(2).unwrap());
    }
}
