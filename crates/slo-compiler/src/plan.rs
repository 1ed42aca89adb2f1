//! What every engine compiles alike: the alert policy resolved against the SLO exactly as
//! `sli-core`'s [`PolicyEvaluator`] resolves it (the release gate's tier included), and the
//! checks no engine can skip. The per-engine emitters start from a [`Plan`].

use std::borrow::Cow;

use sli_core::{
    AlertTier, BudgetingMethod, PolicyEvaluator, PolicyWarning, ReleaseGate, Sli, Span,
};

use crate::error::{CompileError, CompileProblem, Engine};
use crate::spec::SloSpec;

/// The field of [`SloSpec::service`] in errors.
pub(crate) const SERVICE_FIELD: &str = "spec.service";
/// The field of [`SloSpec::policy_name`] in errors: the OpenSLO alert policy's name.
pub(crate) const POLICY_NAME_FIELD: &str = "spec.alertPolicies.metadata.name";

/// One enabled tier with its thresholds for this SLO.
#[derive(Debug, Clone)]
pub(crate) struct PlannedTier<'a> {
    pub(crate) tier: Cow<'a, AlertTier>,
    /// The burn-rate threshold, scaled to the SLO window as `sli-core` scales it.
    pub(crate) burn: f64,
    /// `burn × (1 − target)`: the same product `sli-core` compares with, so the same rounding.
    pub(crate) ratio_threshold: f64,
}

impl PlannedTier<'_> {
    /// The tier's sustain rule when it asks for more than one datapoint.
    pub(crate) fn sustain(&self) -> Option<sli_core::Sustained> {
        self.tier.sustain.filter(|s| s.evaluation_periods() > 1)
    }

    /// `N of M`, for messages.
    pub(crate) fn sustain_text(&self) -> String {
        self.tier.sustain.map_or_else(String::new, |s| {
            format!("{} of {}", s.datapoints_to_alarm(), s.evaluation_periods())
        })
    }
}

/// A spec checked and resolved for one engine.
#[derive(Debug, Clone)]
pub(crate) struct Plan<'a, S> {
    pub(crate) spec: &'a SloSpec<S>,
    pub(crate) engine: Engine,
    /// `1 − target`.
    pub(crate) budget: f64,
    /// The SLO window's nominal length (a calendar month is 30 days, as in `sli-core`).
    pub(crate) slo_period: Span,
    pub(crate) tiers: Vec<PlannedTier<'a>>,
    /// The release gate's tier, when the spec has a gate.
    pub(crate) gate: Option<PlannedTier<'a>>,
}

/// What people call an SLI kind, for messages.
pub(crate) fn sli_name(sli: &Sli) -> &'static str {
    match sli {
        Sli::EventRatio => "an event-ratio SLI",
        Sli::Threshold { .. } => "a threshold SLI",
        Sli::TimeSlice { .. } => "a time-slice SLI",
        _ => "an SLI of a kind this compiler does not know",
    }
}

impl<'a, S> Plan<'a, S> {
    /// Checks `spec` and resolves its policy and release gate.
    ///
    /// # Errors
    /// What `sli-core` rejects or warns about (a tier that can never fire or looks back
    /// further than the SLO window), an event-ratio SLI budgeted other than by occurrences,
    /// a window that is not a whole number of minutes, a release gate that can never fire, an
    /// empty service or policy name; each naming the field at fault.
    pub(crate) fn new(spec: &'a SloSpec<S>, engine: Engine) -> Result<Self, CompileError> {
        let slo = &spec.slo;
        let fail = |field: &str, problem| {
            CompileError::new(engine, &slo.name, spec.document, field, problem)
        };
        for tier in spec.policy.enabled_tiers() {
            for window in [tier.long_window, tier.short_window] {
                if window.seconds() % 60 != 0 {
                    return Err(fail(
                        &format!("tier {} lookbackWindow", tier.id),
                        CompileProblem::WindowNotMinutes {
                            tier: tier.id.clone(),
                            window,
                        },
                    ));
                }
            }
        }
        // `PolicyEvaluator::new` validates the SLO too, but its error cannot tell an SLO
        // field from a policy field: validated first, each names its own.
        slo.validate()
            .map_err(|e| fail(slo_field(&e), CompileProblem::Core(e)))?;
        for (field, name) in [
            (SERVICE_FIELD, &spec.service),
            (POLICY_NAME_FIELD, &spec.policy_name),
        ] {
            if name.trim().is_empty() {
                return Err(fail(
                    field,
                    CompileProblem::InvalidName {
                        name: name.clone(),
                        reason: "must not be empty",
                    },
                ));
            }
        }
        let evaluator = PolicyEvaluator::new(slo, &spec.policy, Span::MINUTE)
            .map_err(|e| fail("spec.alertPolicies", CompileProblem::Core(e)))?;
        for warning in evaluator.warnings() {
            let field = match warning {
                PolicyWarning::NeverFires { tier, .. } => format!("tier {tier} threshold"),
                PolicyWarning::WindowExceedsSloPeriod { tier, .. } => {
                    format!("tier {tier} lookbackWindow")
                }
                _ => continue, // no enabled tier: nothing to compile, nothing wrong
            };
            return Err(fail(&field, CompileProblem::Policy(warning.clone())));
        }
        if matches!(slo.sli, Sli::EventRatio) && slo.budgeting != BudgetingMethod::Occurrences {
            return Err(fail(
                "spec.budgetingMethod",
                CompileProblem::Unsupported {
                    what: format!(
                        "{} over event counts: the compiled rules count events (Occurrences)",
                        slo.budgeting
                    ),
                },
            ));
        }
        let budget = slo.objective.error_budget();
        let mut tiers = Vec::new();
        for (tier, burn) in evaluator.thresholds() {
            // `thresholds` borrows the evaluator; the policy holds the same tier.
            let Some(tier) = spec.policy.tiers.iter().find(|t| t.id == tier.id) else {
                continue;
            };
            tiers.push(PlannedTier {
                tier: Cow::Borrowed(tier),
                burn,
                ratio_threshold: burn * budget,
            });
        }
        let gate = match &spec.release_gate {
            Some(gate) => Some(
                plan_gate(spec, gate, evaluator.slo_period())
                    .map_err(|p| fail("releaseGate", p))?,
            ),
            None => None,
        };
        Ok(Self {
            spec,
            engine,
            budget,
            slo_period: evaluator.slo_period(),
            tiers,
            gate,
        })
    }

    /// The enabled tiers, then the release gate's.
    pub(crate) fn all_tiers(&self) -> impl Iterator<Item = &PlannedTier<'a>> + '_ {
        self.tiers.iter().chain(self.gate.iter())
    }

    /// An error about this SLO.
    pub(crate) fn fail(&self, field: impl Into<String>, problem: CompileProblem) -> CompileError {
        CompileError::new(
            self.engine,
            &self.spec.slo.name,
            self.spec.document,
            field,
            problem,
        )
    }
}

/// The spec field holding what [`sli_core::Slo::validate`] refused (an OpenSLO path where
/// one applies).
fn slo_field(error: &sli_core::Error) -> &'static str {
    let field = match error {
        sli_core::Error::InvalidField { field, .. }
        | sli_core::Error::InvalidParameter { field, .. } => *field,
        _ => "",
    };
    match field {
        "name" => "metadata.name",
        "threshold" => "spec.objectives.value",
        "slice_target" => "spec.objectives.timeSliceTarget",
        "min_events" => "min_events",
        _ => "spec",
    }
}

/// The gate's tier, resolved as `PolicyEvaluator` resolves it beside no other tier.
fn plan_gate<S>(
    spec: &SloSpec<S>,
    gate: &ReleaseGate,
    slo_period: Span,
) -> Result<PlannedTier<'static>, CompileProblem> {
    let tier = gate.tier();
    if spec.policy.tiers.iter().any(|t| t.id == tier.id) {
        return Err(CompileProblem::ReleaseGate {
            reason: format!(
                "the policy already has a tier named {:?}, the gate's",
                ReleaseGate::TIER_ID
            ),
        });
    }
    if gate.sustain() > slo_period {
        return Err(CompileProblem::ReleaseGate {
            reason: format!(
                "its sustain window {} is longer than the SLO window {slo_period}",
                gate.sustain()
            ),
        });
    }
    let mut policy = spec.policy.clone();
    policy.tiers = vec![tier];
    let evaluator =
        PolicyEvaluator::new(&spec.slo, &policy, Span::MINUTE).map_err(CompileProblem::Core)?;
    if let Some(PolicyWarning::NeverFires { max_burn_rate, .. }) = evaluator
        .warnings()
        .iter()
        .find(|w| matches!(w, PolicyWarning::NeverFires { .. }))
    {
        return Err(CompileProblem::ReleaseGate {
            reason: format!(
                "its threshold {}x is at or above {max_burn_rate}x, the highest burn rate the objective allows: it can never fire",
                gate.burn_rate()
            ),
        });
    }
    let budget = spec.slo.objective.error_budget();
    let (tier, burn) = evaluator
        .thresholds()
        .next()
        .map(|(t, b)| (t.clone(), b))
        .ok_or_else(|| CompileProblem::ReleaseGate {
            reason: "sli-core resolved no tier for it".into(),
        })?;
    Ok(PlannedTier {
        tier: Cow::Owned(tier),
        burn,
        ratio_threshold: burn * budget,
    })
}

/// A share as a short percentage (`0.1`, not `0.10000000000000009`), for descriptions.
pub(crate) fn percent(share: f64) -> String {
    let text = format!("{:.6}", share * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// `share × 100` written as the shortest decimal of `share` with its point moved two places:
/// `0.901` is `90.1`, where the float product `0.901 * 100.0` is `90.10000000000001`.
pub(crate) fn decimal_percent(share: f64) -> String {
    // Positional, as Sloth writes it: Rust's `{}` never switches to an exponent.
    sli_core::ExactValue(share).percent().to_string()
}

#[cfg(test)]
mod tests {
    use sli_core::{AlertPolicy, catalog};

    use super::*;
    use crate::prometheus::{Query, Signal};

    fn spec(slo: sli_core::Slo) -> SloSpec<Signal> {
        let counter = |s| Query::counter(s).unwrap_or_else(|e| panic!("{e}"));
        SloSpec::new(
            slo,
            AlertPolicy::default(),
            Signal::Bad {
                bad: counter(r#"http_requests_total{code="500"}"#),
                total: counter("http_requests_total"),
            },
        )
    }

    fn refused_field(spec: &SloSpec<Signal>) -> String {
        match Plan::new(spec, Engine::Prometheus) {
            Ok(_) => panic!("{spec:?} was planned"),
            Err(e) => e.field,
        }
    }

    #[test]
    fn an_invalid_slo_names_its_own_field_not_the_policy() {
        let mut slo = catalog::availability("checkout");
        slo.name = " ".into();
        assert_eq!(refused_field(&spec(slo)), "metadata.name");
        let slo = catalog::availability("checkout").with_min_events(f64::NAN);
        assert_eq!(refused_field(&spec(slo)), "min_events");
    }

    #[test]
    fn an_empty_service_or_policy_name_is_refused() {
        let checkout = || spec(catalog::availability("checkout"));
        assert_eq!(refused_field(&checkout().with_service("")), SERVICE_FIELD);
        assert_eq!(
            refused_field(&checkout().with_policy_name(" \t")),
            POLICY_NAME_FIELD
        );
        let Err(err) = Plan::new(&checkout().with_service(""), Engine::Prometheus) else {
            panic!("an empty service was planned");
        };
        assert!(matches!(
            err.problem,
            CompileProblem::InvalidName { ref name, .. } if name.is_empty()
        ));
    }

    #[test]
    fn sloth_objective_is_the_target_percentage_without_float_noise() {
        let mut slo = catalog::availability("checkout");
        slo.objective = sli_core::Objective::new(0.9905).unwrap_or_else(|e| panic!("{e}"));
        let compiled = crate::prometheus::compile(&[spec(slo)], &Default::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let objective = compiled.slos[0]
            .budget_rules
            .iter()
            .filter_map(|rule| match rule {
                crate::prometheus::Rule::Record(r) => {
                    r.labels.iter().find(|(name, _)| name == "sloth_objective")
                }
                _ => None,
            })
            .map(|(_, value)| value.as_str())
            .next();
        assert_eq!(objective, Some("99.05"));
    }

    #[test]
    fn decimal_percent_moves_the_point_of_the_shortest_decimal() {
        for (share, percent) in [
            (0.901, "90.1"),
            (0.9004, "90.04"),
            (0.999, "99.9"),
            (0.5, "50"),
            (0.07, "7"),
            (0.001, "0.1"),
            (0.000_012_5, "0.00125"),
            (1.0, "100"),
            (12.5, "1250"),
            (-0.25, "-25"),
            (0.999_999_999_999_999_9, "99.99999999999999"),
        ] {
            assert_eq!(decimal_percent(share), percent, "{share}");
        }
    }
}
