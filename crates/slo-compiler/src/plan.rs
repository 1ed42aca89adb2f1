//! What every engine compiles alike: the alert policy resolved against the SLO exactly as
//! `sli-core`'s [`PolicyEvaluator`] resolves it, and the checks no engine can skip. The
//! per-engine emitters start from a [`Plan`].

use sli_core::{AlertTier, BudgetingMethod, PolicyEvaluator, PolicyWarning, Sli, Span};

use crate::error::{CompileError, CompileProblem, Engine};
use crate::spec::SloSpec;

/// One enabled tier with its thresholds for this SLO.
#[derive(Debug, Clone)]
pub(crate) struct PlannedTier<'a> {
    pub(crate) tier: &'a AlertTier,
    /// The burn-rate threshold, scaled to the SLO window as `sli-core` scales it.
    pub(crate) burn: f64,
    /// `burn × (1 − target)`: the same product `sli-core` compares with, so the same rounding.
    pub(crate) ratio_threshold: f64,
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
}

impl<'a, S> Plan<'a, S> {
    /// Checks `spec` and resolves its policy.
    ///
    /// # Errors
    /// What `sli-core` rejects or warns about (a tier that can never fire or looks back
    /// further than the SLO window), an event-ratio SLI budgeted other than by occurrences,
    /// a sustain rule, a window that is not a whole number of minutes.
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
                        "{:?} over event counts: the compiled rules count events (Occurrences)",
                        slo.budgeting
                    ),
                },
            ));
        }
        let budget = slo.objective.error_budget();
        let mut tiers = Vec::new();
        for (tier, burn) in evaluator.thresholds() {
            if let Some(rule) = tier.sustain
                && rule.evaluation_periods() > 1
            {
                return Err(fail(
                    &format!("tier {} alertAfter", tier.id),
                    CompileProblem::Sustain {
                        tier: tier.id.clone(),
                        rule: format!(
                            "{} of {}",
                            rule.datapoints_to_alarm(),
                            rule.evaluation_periods()
                        ),
                    },
                ));
            }
            // `thresholds` borrows the evaluator; the policy holds the same tier.
            let Some(tier) = spec.policy.tiers.iter().find(|t| t.id == tier.id) else {
                continue;
            };
            tiers.push(PlannedTier {
                tier,
                burn,
                ratio_threshold: burn * budget,
            });
        }
        Ok(Self {
            spec,
            engine,
            budget,
            slo_period: evaluator.slo_period(),
            tiers,
        })
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

/// A share as a short percentage (`0.1`, not `0.10000000000000009`), for descriptions.
pub(crate) fn percent(share: f64) -> String {
    let text = format!("{:.6}", share * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
