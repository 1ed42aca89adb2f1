//! The error-budget policy: who gets told, and when releases stop (after the Google SRE
//! Workbook's "Example Error Budget Policy").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::alert::Severity;
use crate::budget::ErrorBudget;
use crate::error::{Error, Result};
use crate::series::Series;
use crate::span::Span;

/// Something that happened, as reported by the caller (an incident tool, a security scanner…).
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{ErrorBudgetPolicy, Incident, PolicyInput, Severity};
///
/// let now = Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap();
/// let decide = |incidents: &[Incident]| ErrorBudgetPolicy::default()
///     .decide(&PolicyInput { incidents, ..Default::default() }, now).notify;
/// assert_eq!(decide(&[Incident::Security]), Some(Severity::Page));
/// assert_eq!(decide(&[Incident::CostWarning]), Some(Severity::Ticket));
/// assert_eq!(decide(&[Incident::CostRunaway]), Some(Severity::Page));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Incident {
    /// The service is entirely down.
    TotalOutage,
    /// Data was lost or corrupted.
    DataLoss,
    /// A security incident (e.g. credential compromise, public data exposure).
    Security,
    /// Low-severity errors or a non-urgent degradation.
    Degradation,
    /// A cost warning (e.g. spend above twice its trend).
    CostWarning,
    /// Spend running away (e.g. ten times its trend): someone must act now — budget
    /// actions, a kill switch — so it pages, as a cost warning does not. It freezes nothing:
    /// a release is rarely what burns the money, and stopping releases does not stop it.
    CostRunaway,
}

impl std::fmt::Display for Incident {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::TotalOutage => "total outage",
            Self::DataLoss => "data loss",
            Self::Security => "security incident",
            Self::Degradation => "degradation",
            Self::CostWarning => "cost warning",
            Self::CostRunaway => "cost runaway",
        })
    }
}

/// Why a [`Decision`] was taken.
///
/// # Example
/// ```
/// use chrono::Utc;
/// use sli_core::{ErrorBudget, ErrorBudgetPolicy, EventCounts, Objective, PolicyInput, Reason};
///
/// let budget = ErrorBudget::for_events(Objective::new(0.99)?, EventCounts::from_bad(30.0, 1000.0)?);
/// let decision = ErrorBudgetPolicy::default().decide(&PolicyInput { budget, ..Default::default() }, Utc::now());
/// assert!(matches!(decision.reasons[0], Reason::SloBreached { consumed_fraction } if consumed_fraction > 2.9));
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Reason {
    /// The SLO is breached: the window's budget is spent.
    SloBreached {
        /// Share of the budget spent (at least 1; infinite when none was allowed, written
        /// `null` by serde_json and read back from `null` or `"+Inf"`).
        #[serde(deserialize_with = "crate::infinite::or_infinity")]
        consumed_fraction: f64,
    },
    /// An incident that pages by itself (outage, data loss, security).
    PagingIncident {
        /// The incident.
        incident: Incident,
    },
    /// An incident worth a ticket (degradation, cost warning).
    TicketIncident {
        /// The incident.
        incident: Incident,
    },
    /// The burn rate stayed above the freeze threshold for at least the sustain duration.
    SustainedBurn {
        /// The lowest burn rate seen over the sustained stretch.
        burn_rate: f64,
        /// How long it has been above the threshold, in seconds.
        for_seconds: i64,
    },
}

impl std::fmt::Display for Reason {
    /// For people: `SLO breached: 312 % of the error budget spent`, `burn rate 4.11x for 1h2m`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::SloBreached { consumed_fraction } => write!(
                f,
                "SLO breached: {:.0} % of the error budget spent",
                100.0 * consumed_fraction
            ),
            Self::PagingIncident { incident } | Self::TicketIncident { incident } => {
                write!(f, "{incident}")
            }
            Self::SustainedBurn {
                burn_rate,
                for_seconds,
            } => {
                let minutes = for_seconds / 60;
                write!(f, "burn rate {burn_rate:.2}x for ")?;
                match (minutes / 60, minutes % 60) {
                    (0, m) => write!(f, "{m}m"),
                    (h, 0) => write!(f, "{h}h"),
                    (h, m) => write!(f, "{h}h{m}m"),
                }
            }
        }
    }
}

/// What to do now.
///
/// # Example
/// ```
/// use chrono::Utc;
/// use sli_core::{Decision, ErrorBudget, ErrorBudgetPolicy, EventCounts, Incident, Objective, PolicyInput};
///
/// // Nothing wrong: nobody is told and releases go on.
/// let calm = ErrorBudgetPolicy::default().decide(&PolicyInput::default(), Utc::now());
/// assert_eq!(calm, Decision::default());
/// assert_eq!(calm.to_string(), "no action");
///
/// let breached = ErrorBudgetPolicy::default().decide(&PolicyInput {
///     budget: ErrorBudget::for_events(Objective::new(0.99)?, EventCounts::from_bad(30.0, 1000.0)?),
///     incidents: &[Incident::Security],
///     ..Default::default()
/// }, Utc::now());
/// assert_eq!(breached.to_string(),
///     "page; releases frozen (SLO breached: 300 % of the error budget spent; security incident)");
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Decision {
    /// Whom to tell: page, ticket, or nobody.
    pub notify: Option<Severity>,
    /// Stop releases until the budget recovers.
    pub freeze_releases: bool,
    /// Every reason behind the decision.
    pub reasons: Vec<Reason>,
}

impl std::fmt::Display for Decision {
    /// For people: `page; releases frozen (SLO breached: 104 % of the error budget spent)`,
    /// `no action`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.notify, self.freeze_releases) {
            (None, false) => f.write_str("no action")?,
            (Some(severity), false) => write!(f, "{severity}")?,
            (None, true) => f.write_str("releases frozen")?,
            (Some(severity), true) => write!(f, "{severity}; releases frozen")?,
        }
        for (i, reason) in self.reasons.iter().enumerate() {
            f.write_str(if i == 0 { " (" } else { "; " })?;
            write!(f, "{reason}")?;
        }
        if !self.reasons.is_empty() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// What the policy looks at.
///
/// # Example
/// ```
/// use chrono::Utc;
/// use sli_core::{ErrorBudget, ErrorBudgetPolicy, EventCounts, Incident, Objective, PolicyInput};
///
/// let input = PolicyInput {
///     budget: ErrorBudget::for_events(Objective::new(0.999)?, EventCounts::new(99_990.0, 100_000.0)?),
///     burn_history: None,
///     incidents: &[Incident::Degradation],
/// };
/// assert!(!ErrorBudgetPolicy::default().decide(&input, Utc::now()).freeze_releases);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PolicyInput<'a> {
    /// The SLO's budget over its window (`None` without data).
    pub budget: Option<ErrorBudget>,
    /// Recent burn rates, e.g. the 1-hour burn every minute (from the streaming evaluator).
    pub burn_history: Option<&'a Series<f64>>,
    /// Incidents currently open.
    pub incidents: &'a [Incident],
}

/// The default error-budget policy: page on SLO breach, total outage, data loss or a security
/// incident; ticket on low-severity degradation and cost warnings; halt releases when the burn
/// rate stays above 4x for a sustained time, or the budget is spent.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{ErrorBudgetPolicy, PolicyInput, Series, Severity};
///
/// let policy = ErrorBudgetPolicy::default(); // > 4x for 1 hour freezes releases
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let burn = Series::from_values("burn", (0..=60).map(|m| (t0 + TimeDelta::minutes(m), 5.0)))?;
/// let input = PolicyInput { burn_history: Some(&burn), ..Default::default() };
/// let decision = policy.decide(&input, t0 + TimeDelta::minutes(61));
/// assert!(decision.freeze_releases);
/// assert_eq!(decision.notify, None);
/// // A day later the same history is stale: it freezes nothing.
/// assert!(!policy.decide(&input, t0 + TimeDelta::days(1)).freeze_releases);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawPolicy", into = "RawPolicy")]
pub struct ErrorBudgetPolicy {
    /// Freeze releases when the burn rate stays above this (default 4x). [`new`](Self::new)
    /// and deserialising refuse a value that is not positive and finite; a policy written as
    /// a struct literal is not checked, and [`decide`](Self::decide) freezes nothing on the
    /// burn rate when this is not positive and finite (check one with
    /// [`validate`](Self::validate)).
    pub freeze_burn_rate: f64,
    /// …for at least this long.
    pub sustained_for: Span,
    /// Freeze releases when the budget is spent.
    pub freeze_when_exhausted: bool,
    /// Burn samples further apart than this break a sustained stretch: a gap in the history is
    /// not evidence that the burn went on.
    pub max_sample_gap: Span,
    /// Freeze releases while a security incident is open (off by default: the guidance pages
    /// for security incidents; whether a release may go out during one is each team's call).
    pub freeze_on_security: bool,
}

/// A policy as a document holds it, checked as [`ErrorBudgetPolicy::new`] checks it: a
/// document with a burn rate of `-1` (which froze releases on any sustained data) used to be
/// taken as it was.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    freeze_burn_rate: f64,
    sustained_for: Span,
    freeze_when_exhausted: bool,
    max_sample_gap: Span,
    #[serde(default)]
    freeze_on_security: bool,
}

impl TryFrom<RawPolicy> for ErrorBudgetPolicy {
    type Error = Error;
    fn try_from(raw: RawPolicy) -> Result<Self> {
        Ok(Self {
            freeze_when_exhausted: raw.freeze_when_exhausted,
            max_sample_gap: raw.max_sample_gap,
            freeze_on_security: raw.freeze_on_security,
            ..Self::new(raw.freeze_burn_rate, raw.sustained_for)?
        })
    }
}

impl From<ErrorBudgetPolicy> for RawPolicy {
    fn from(policy: ErrorBudgetPolicy) -> Self {
        Self {
            freeze_burn_rate: policy.freeze_burn_rate,
            sustained_for: policy.sustained_for,
            freeze_when_exhausted: policy.freeze_when_exhausted,
            max_sample_gap: policy.max_sample_gap,
            freeze_on_security: policy.freeze_on_security,
        }
    }
}

impl Default for ErrorBudgetPolicy {
    fn default() -> Self {
        Self {
            freeze_burn_rate: 4.0,
            sustained_for: Span::HOUR,
            freeze_when_exhausted: true,
            max_sample_gap: Span::known_valid(300),
            freeze_on_security: false,
        }
    }
}

impl ErrorBudgetPolicy {
    /// A policy freezing releases above `freeze_burn_rate` sustained for `sustained_for`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless the burn rate is positive and finite.
    pub fn new(freeze_burn_rate: f64, sustained_for: Span) -> Result<Self> {
        let policy = Self {
            freeze_burn_rate,
            sustained_for,
            ..Self::default()
        };
        policy.validate()?;
        Ok(policy)
    }

    /// Checks what [`new`](Self::new) checks, for a policy built as a struct literal (its
    /// fields are public).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless the burn rate is positive and finite.
    ///
    /// # Example
    /// ```
    /// use sli_core::ErrorBudgetPolicy;
    ///
    /// let policy = ErrorBudgetPolicy { freeze_burn_rate: -1.0, ..Default::default() };
    /// assert!(policy.validate().is_err());
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.freezes_on_burn() {
            return Ok(());
        }
        Err(Error::InvalidParameter {
            field: "freeze_burn_rate",
            value: self.freeze_burn_rate,
            reason: "must be positive and finite",
        })
    }

    fn freezes_on_burn(&self) -> bool {
        self.freeze_burn_rate.is_finite() && self.freeze_burn_rate > 0.0
    }

    /// Decides what to do at `at`, with every reason.
    ///
    /// Burn samples after `at` are not known yet and are ignored. A sustained burn freezes
    /// releases only while it is current: its last sample at most
    /// [`max_sample_gap`](Self::max_sample_gap) before `at`, so a history that stopped (a
    /// source that went quiet, a stale cache) cannot keep releases frozen. A burn rate to
    /// freeze at that is not positive and finite (a struct literal [`validate`](Self::validate)
    /// refuses) freezes nothing on the burn: `-1` froze releases on any sustained data.
    pub fn decide(&self, input: &PolicyInput<'_>, at: DateTime<Utc>) -> Decision {
        let mut decision = Decision::default();
        let notify = |decision: &mut Decision, severity: Severity, reason: Reason| {
            decision.notify = decision.notify.max(Some(severity));
            decision.reasons.push(reason);
        };
        if let Some(budget) = input.budget.filter(ErrorBudget::is_exhausted) {
            notify(
                &mut decision,
                Severity::Page,
                Reason::SloBreached {
                    consumed_fraction: budget.consumed_fraction(),
                },
            );
            decision.freeze_releases |= self.freeze_when_exhausted;
        }
        for &incident in input.incidents {
            match incident {
                Incident::TotalOutage
                | Incident::DataLoss
                | Incident::Security
                | Incident::CostRunaway => {
                    notify(
                        &mut decision,
                        Severity::Page,
                        Reason::PagingIncident { incident },
                    );
                    decision.freeze_releases |=
                        self.freeze_on_security && incident == Incident::Security;
                }
                Incident::Degradation | Incident::CostWarning => {
                    notify(
                        &mut decision,
                        Severity::Ticket,
                        Reason::TicketIncident { incident },
                    );
                }
            }
        }
        if let Some((since, last, lowest)) = input
            .burn_history
            .filter(|_| self.freezes_on_burn())
            .and_then(|h| self.sustained_above(h, at))
        {
            let held = last - since;
            let current = at - last <= self.max_sample_gap.as_time_delta();
            if current && held >= self.sustained_for.as_time_delta() {
                decision.freeze_releases = true;
                decision.reasons.push(Reason::SustainedBurn {
                    burn_rate: lowest,
                    for_seconds: held.num_seconds(),
                });
            }
        }
        decision
    }

    /// The trailing run of burn rates above the threshold among the samples up to `at`, with
    /// no gap longer than `max_sample_gap`: its first and last instants and its lowest value.
    fn sustained_above(
        &self,
        history: &Series<f64>,
        at: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>, f64)> {
        let mut run: Option<(DateTime<Utc>, DateTime<Utc>, f64)> = None;
        for (t, &burn) in history.iter().rev().skip_while(|(t, _)| *t > at) {
            // A NaN sample (a history built with `Series::new` is not checked) is a missing
            // one: the gap rule decides whether the run goes on across it.
            if burn.is_nan() {
                continue;
            }
            let gap_too_long =
                run.is_some_and(|(later, _, _)| later - t > self.max_sample_gap.as_time_delta());
            // Written so that a NaN threshold (the fields are public) is never exceeded, where
            // `burn <= threshold` let it hold releases frozen.
            let above = burn > self.freeze_burn_rate;
            if !above || gap_too_long {
                break;
            }
            run = Some(match run {
                None => (t, t, burn),
                Some((_, last, low)) => (t, last, low.min(burn)),
            });
        }
        run
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::counts::EventCounts;
    use crate::objective::Objective;
    use chrono::{TimeDelta, TimeZone};

    fn t(m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + TimeDelta::minutes(m)
    }

    #[test]
    fn breach_pages_and_freezes() {
        let budget = ErrorBudget::for_events(
            Objective::new(0.999).unwrap(),
            EventCounts::from_bad(2.0, 1000.0).unwrap(),
        );
        let d = ErrorBudgetPolicy::default().decide(
            &PolicyInput {
                budget,
                ..Default::default()
            },
            t(0),
        );
        assert_eq!(d.notify, Some(Severity::Page));
        assert!(d.freeze_releases);
        assert!(matches!(d.reasons[0], Reason::SloBreached { .. }));
    }

    #[test]
    fn incidents_by_severity() {
        let policy = ErrorBudgetPolicy::default();
        let ticket = policy.decide(
            &PolicyInput {
                incidents: &[Incident::Degradation],
                ..Default::default()
            },
            t(0),
        );
        assert_eq!(ticket.notify, Some(Severity::Ticket));
        let page = policy.decide(
            &PolicyInput {
                incidents: &[Incident::Degradation, Incident::DataLoss],
                ..Default::default()
            },
            t(0),
        );
        assert_eq!(page.notify, Some(Severity::Page));
        assert_eq!(page.reasons.len(), 2);
        assert!(!page.freeze_releases);
    }

    #[test]
    fn a_security_incident_freezes_releases_only_when_asked() {
        let input = PolicyInput {
            incidents: &[Incident::Security],
            ..Default::default()
        };
        let default = ErrorBudgetPolicy::default().decide(&input, t(0));
        assert_eq!(default.notify, Some(Severity::Page));
        assert!(!default.freeze_releases);
        let strict = ErrorBudgetPolicy {
            freeze_on_security: true,
            ..ErrorBudgetPolicy::default()
        };
        assert!(strict.decide(&input, t(0)).freeze_releases);
        let outage = PolicyInput {
            incidents: &[Incident::TotalOutage],
            ..Default::default()
        };
        assert!(!strict.decide(&outage, t(0)).freeze_releases);
    }

    /// A NaN burn rate, or a NaN threshold, used to count as above the threshold: an hour of
    /// NaN samples froze releases (reason: a sustained burn of NaN).
    #[test]
    fn nan_is_no_evidence_of_burn() {
        let nan = Series::new((0..=70).map(|m| (t(m), f64::NAN))).unwrap();
        let input = PolicyInput {
            burn_history: Some(&nan),
            ..Default::default()
        };
        assert_eq!(
            ErrorBudgetPolicy::default().decide(&input, t(71)),
            Decision::default()
        );
        // A NaN among burning samples is a missing one: a minute's gap does not end an
        // hour's burn, a gap longer than `max_sample_gap` of NaN does.
        let burning = |nan: std::ops::Range<i64>| {
            Series::new((0..=70).map(|m| (t(m), if nan.contains(&m) { f64::NAN } else { 6.0 })))
                .unwrap()
        };
        let decide = |history: &Series<f64>| {
            let input = PolicyInput {
                burn_history: Some(history),
                ..Default::default()
            };
            ErrorBudgetPolicy::default()
                .decide(&input, t(71))
                .freeze_releases
        };
        assert!(decide(&burning(40..41)));
        let gap = ErrorBudgetPolicy::default().max_sample_gap.seconds() / 60;
        assert!(!decide(&burning(40..41 + gap)));
        let hot = Series::from_values("burn", (0..=70).map(|m| (t(m), 6.0))).unwrap();
        let nan_threshold = ErrorBudgetPolicy {
            freeze_burn_rate: f64::NAN,
            ..ErrorBudgetPolicy::default()
        };
        let input = PolicyInput {
            burn_history: Some(&hot),
            ..Default::default()
        };
        assert!(!nan_threshold.decide(&input, t(71)).freeze_releases);
        assert!(
            ErrorBudgetPolicy::default()
                .decide(&input, t(71))
                .freeze_releases
        );
        // A doc review (2026-12-07): a struct literal's burn rate of -1 counted every sample
        // as above it, so any sustained history froze releases, a quiet one included.
        let quiet = Series::from_values("burn", (0..=70).map(|m| (t(m), 0.0))).unwrap();
        let negative = ErrorBudgetPolicy {
            freeze_burn_rate: -1.0,
            ..ErrorBudgetPolicy::default()
        };
        let input = PolicyInput {
            burn_history: Some(&quiet),
            ..Default::default()
        };
        assert_eq!(negative.decide(&input, t(71)), Decision::default());
        assert!(negative.validate().is_err() && nan_threshold.validate().is_err());
        ErrorBudgetPolicy::default().validate().unwrap();
    }

    #[test]
    fn burn_must_be_sustained() {
        let policy = ErrorBudgetPolicy::default();
        // Above 4x for 59 minutes only, after a dip.
        let short = Series::from_values(
            "burn",
            (0..=70).map(|m| (t(m), if m < 11 { 1.0 } else { 6.0 })),
        )
        .unwrap();
        assert!(
            !policy
                .decide(
                    &PolicyInput {
                        burn_history: Some(&short),
                        ..Default::default()
                    },
                    t(71),
                )
                .freeze_releases
        );
        let long = Series::from_values(
            "burn",
            (0..=70).map(|m| (t(m), if m < 10 { 1.0 } else { 6.0 })),
        )
        .unwrap();
        let long_input = PolicyInput {
            burn_history: Some(&long),
            ..Default::default()
        };
        let d = policy.decide(&long_input, t(71));
        assert!(d.freeze_releases);
        assert!(matches!(
            d.reasons[0],
            Reason::SustainedBurn {
                for_seconds: 3600,
                ..
            }
        ));
        assert!(ErrorBudgetPolicy::new(0.0, Span::HOUR).is_err());
        // Two samples an hour apart are not a sustained hour.
        let sparse = Series::from_values("burn", [(t(0), 6.0), (t(60), 6.0)]).unwrap();
        let d = policy.decide(
            &PolicyInput {
                burn_history: Some(&sparse),
                ..Default::default()
            },
            t(61),
        );
        assert!(!d.freeze_releases);
        // Stale history freezes nothing: ten minutes after its last sample (the gap allowed
        // is five), and seen from before the run was long enough (later samples unknown).
        assert!(!policy.decide(&long_input, t(80)).freeze_releases);
        assert!(policy.decide(&long_input, t(75)).freeze_releases);
        assert!(!policy.decide(&long_input, t(60)).freeze_releases);
        let at_70 = policy.decide(&long_input, t(70));
        assert!(at_70.freeze_releases);
        assert!(matches!(
            at_70.reasons[0],
            Reason::SustainedBurn {
                for_seconds: 3600,
                ..
            }
        ));
    }
}
