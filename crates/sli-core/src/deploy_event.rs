//! [`Deploy`]: one release of one service, placed in time, with how its traffic moved
//! ([`Rollout`]) and where it ended ([`DeployOutcome`]). The input of M9 per deploy
//! ([`DeployCheck`](crate::DeployCheck)); `aws-telemetry` reads them from CodeDeploy and from
//! CloudTrail.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The longest deploy id or service name accepted, in bytes. CodeDeploy ids are 11
/// characters, CloudTrail event ids 36, and the longest resource names M9 reads (ECS
/// `cluster/service` ARNs, Lambda function ARNs with a qualifier) stay under 300; 1,024 leaves
/// room and keeps a hostile record from holding megabytes per deploy.
pub const MAX_NAME_BYTES: usize = 1_024;

/// How traffic reached the new version.
///
/// Only [`Rollout::Canary`] and [`Rollout::Linear`] split traffic on purpose; during any
/// rollout, though, the fleet serves old and new versions side by side, so M9 never reads the
/// fleet's counts of a rollout as the new version's (see [`DeployCheck`](crate::DeployCheck)).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rollout {
    /// No traffic split held on purpose: all at once, in place target by target, or a
    /// blue/green cutover (CodeDeploy `AllAtOnce`, `OneAtATime`, `HalfAtATime`; an ECS rolling
    /// update; a Lambda alias moved to a new version).
    Direct,
    /// A share of the traffic goes to the new version for a while, then the rest (CodeDeploy
    /// `TimeBasedCanary`; a Lambda alias with `AdditionalVersionWeights`).
    Canary {
        /// The share of traffic on the new version during the canary step, in percent,
        /// strictly between 0 and 100.
        percent: f64,
    },
    /// Traffic moves in equal steps (CodeDeploy `TimeBasedLinear`).
    Linear {
        /// The share of traffic moved at each step, in percent, strictly between 0 and 100.
        percent: f64,
    },
}

impl fmt::Display for Rollout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Direct => f.write_str("direct"),
            Self::Canary { percent } => write!(f, "canary {percent}%"),
            Self::Linear { percent } => write!(f, "linear {percent}% steps"),
        }
    }
}

/// Where a deploy ended, and when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum DeployOutcome {
    /// Every target runs the new version and all traffic reaches it, from `at` on.
    Complete {
        /// When the rollout completed.
        at: DateTime<Utc>,
    },
    /// The deploy stopped part way and stayed so: some targets or some traffic on the new
    /// version, the rest on the old (a failed or stopped in-place deployment).
    Partial {
        /// When it stopped.
        at: DateTime<Utc>,
        /// The share of targets (or traffic) left on the new version, in (0, 1], when known.
        share: Option<f64>,
    },
    /// The traffic went back to the previous version at `at`: the new version served only
    /// from the deploy's start until then.
    RolledBack {
        /// When the traffic was back on the previous version.
        at: DateTime<Utc>,
    },
    /// Not known to have ended: still in progress, or the source does not say (a CloudTrail
    /// record is the API call that starts a rollout, not its end).
    Unknown,
}

impl DeployOutcome {
    /// When the deploy ended, if known.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        match *self {
            Self::Complete { at } | Self::Partial { at, .. } | Self::RolledBack { at } => Some(at),
            Self::Unknown => None,
        }
    }
}

/// One deploy of one service: an id naming it, the service it changed, when it started, how
/// its traffic moved and how it ended.
///
/// Built valid or not at all, through [`Deploy::new`] and the `with_*` methods or through
/// serde: the id and service are non-empty (and at most [`MAX_NAME_BYTES`]), an end is never
/// before the start, shares and percentages lie in their ranges.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{Deploy, DeployOutcome, Error, Rollout};
///
/// let start = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
/// let deploy = Deploy::new("d-4EXAMPLE1", "checkout", start)?
///     .with_rollout(Rollout::Canary { percent: 10.0 })?
///     .with_outcome(DeployOutcome::Complete { at: start + chrono::TimeDelta::minutes(10) })?;
/// assert_eq!(deploy.to_string(), "d-4EXAMPLE1 (checkout, canary 10%, complete)");
///
/// // A deploy without a service, or ending before it starts, is a typed error naming the field.
/// let err = Deploy::new("d-5EXAMPLE2", " ", start).unwrap_err();
/// assert!(matches!(err, Error::InvalidDeploy { field: "service", .. }));
/// let err = Deploy::new("d-5EXAMPLE2", "checkout", start)?
///     .with_outcome(DeployOutcome::RolledBack { at: start - chrono::TimeDelta::seconds(1) })
///     .unwrap_err();
/// assert!(matches!(err, Error::InvalidDeploy { field: "outcome.at", .. }));
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawDeploy", into = "RawDeploy")]
pub struct Deploy {
    id: String,
    service: String,
    started: DateTime<Utc>,
    rollout: Rollout,
    outcome: DeployOutcome,
}

#[derive(Serialize, Deserialize)]
struct RawDeploy {
    id: String,
    service: String,
    started: DateTime<Utc>,
    rollout: Rollout,
    outcome: DeployOutcome,
}

impl TryFrom<RawDeploy> for Deploy {
    type Error = Error;
    fn try_from(raw: RawDeploy) -> Result<Self> {
        Self::new(raw.id, raw.service, raw.started)?
            .with_rollout(raw.rollout)?
            .with_outcome(raw.outcome)
    }
}

impl From<Deploy> for RawDeploy {
    fn from(d: Deploy) -> Self {
        Self {
            id: d.id,
            service: d.service,
            started: d.started,
            rollout: d.rollout,
            outcome: d.outcome,
        }
    }
}

fn invalid(id: &str, field: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidDeploy {
        id: truncated(id),
        field,
        reason: reason.into(),
    }
}

/// `text` cut to 64 characters, for messages about names that are themselves too long.
fn truncated(text: &str) -> String {
    match text.char_indices().nth(64) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

fn check_name(id: &str, field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(invalid(id, field, "is empty"));
    }
    if value.len() > MAX_NAME_BYTES {
        return Err(invalid(
            id,
            field,
            format!("is {} bytes long, more than {MAX_NAME_BYTES}", value.len()),
        ));
    }
    Ok(())
}

fn check_percent(id: &str, percent: f64) -> Result<()> {
    if percent > 0.0 && percent < 100.0 {
        Ok(())
    } else {
        Err(invalid(
            id,
            "rollout.percent",
            format!("{percent} is not strictly between 0 and 100"),
        ))
    }
}

impl Deploy {
    /// A deploy of `service` named `id`, started at `started`, [`Rollout::Direct`] and of
    /// [`DeployOutcome::Unknown`] outcome until told otherwise.
    ///
    /// # Errors
    /// [`Error::InvalidDeploy`] naming `id` or `service` when it is empty, only whitespace, or
    /// longer than [`MAX_NAME_BYTES`].
    pub fn new(
        id: impl Into<String>,
        service: impl Into<String>,
        started: DateTime<Utc>,
    ) -> Result<Self> {
        let (id, service) = (id.into(), service.into());
        check_name(&id, "id", &id)?;
        check_name(&id, "service", &service)?;
        Ok(Self {
            id,
            service,
            started,
            rollout: Rollout::Direct,
            outcome: DeployOutcome::Unknown,
        })
    }

    /// The same deploy, with its traffic moved by `rollout`.
    ///
    /// # Errors
    /// [`Error::InvalidDeploy`] naming `rollout.percent` when a canary or linear percentage
    /// is not strictly between 0 and 100 (or is NaN).
    pub fn with_rollout(mut self, rollout: Rollout) -> Result<Self> {
        match rollout {
            Rollout::Canary { percent } | Rollout::Linear { percent } => {
                check_percent(&self.id, percent)?;
            }
            Rollout::Direct => {}
        }
        self.rollout = rollout;
        Ok(self)
    }

    /// The same deploy, ended as `outcome` says.
    ///
    /// # Errors
    /// [`Error::InvalidDeploy`] naming `outcome.at` when the end is before the start, or
    /// `outcome.share` when a partial share is not in (0, 1].
    pub fn with_outcome(mut self, outcome: DeployOutcome) -> Result<Self> {
        if let Some(at) = outcome.ended_at()
            && at < self.started
        {
            return Err(invalid(
                &self.id,
                "outcome.at",
                format!(
                    "{} is before the start {}",
                    at.to_rfc3339(),
                    self.started.to_rfc3339()
                ),
            ));
        }
        if let DeployOutcome::Partial {
            share: Some(share), ..
        } = outcome
            && !(share > 0.0 && share <= 1.0)
        {
            return Err(invalid(
                &self.id,
                "outcome.share",
                format!("{share} is not in (0, 1]"),
            ));
        }
        self.outcome = outcome;
        Ok(self)
    }

    /// The id naming the deploy (a CodeDeploy deployment id, a CloudTrail event id…).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The service it changed, as the source names it (a deployment group, an ECS
    /// `cluster/service`, a Lambda function, a CloudFormation stack).
    pub fn service(&self) -> &str {
        &self.service
    }

    /// When the new version started to receive traffic (or the rollout started).
    pub fn started(&self) -> DateTime<Utc> {
        self.started
    }

    /// How the traffic moved.
    pub fn rollout(&self) -> Rollout {
        self.rollout
    }

    /// Where it ended.
    pub fn outcome(&self) -> DeployOutcome {
        self.outcome
    }
}

impl fmt::Display for Deploy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let outcome = match self.outcome {
            DeployOutcome::Complete { .. } => "complete",
            DeployOutcome::Partial { .. } => "partial",
            DeployOutcome::RolledBack { .. } => "rolled back",
            DeployOutcome::Unknown => "end unknown",
        };
        write!(
            f,
            "{} ({}, {}, {outcome})",
            self.id, self.service, self.rollout
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap()
    }

    #[test]
    fn bad_fields_are_named() {
        let field = |r: Result<Deploy>| match r {
            Err(Error::InvalidDeploy { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(Deploy::new("", "svc", t0())), "id");
        assert_eq!(field(Deploy::new("d", "", t0())), "service");
        assert_eq!(field(Deploy::new("d", "x".repeat(1025), t0())), "service");
        let d = Deploy::new("d", "svc", t0()).unwrap();
        for percent in [0.0, 100.0, -1.0, f64::NAN] {
            assert_eq!(
                field(d.clone().with_rollout(Rollout::Linear { percent })),
                "rollout.percent"
            );
        }
        for share in [0.0, 1.5, f64::NAN] {
            assert_eq!(
                field(d.clone().with_outcome(DeployOutcome::Partial {
                    at: t0(),
                    share: Some(share)
                })),
                "outcome.share"
            );
        }
        let early = t0() - TimeDelta::seconds(1);
        assert_eq!(
            field(
                d.clone()
                    .with_outcome(DeployOutcome::Complete { at: early })
            ),
            "outcome.at"
        );
        // An end at the start is an instant switch, not an error.
        assert!(d.with_outcome(DeployOutcome::Complete { at: t0() }).is_ok());
    }

    #[test]
    fn serde_cannot_build_an_invalid_deploy() {
        let ok = Deploy::new("d-1", "svc", t0())
            .unwrap()
            .with_rollout(Rollout::Canary { percent: 10.0 })
            .unwrap()
            .with_outcome(DeployOutcome::Partial {
                at: t0() + TimeDelta::minutes(5),
                share: Some(0.5),
            })
            .unwrap();
        let json = serde_json::to_string(&ok).unwrap();
        assert_eq!(serde_json::from_str::<Deploy>(&json).unwrap(), ok);
        let backwards = json.replace("14:05:00Z", "13:05:00Z");
        assert_ne!(backwards, json);
        let err = serde_json::from_str::<Deploy>(&backwards).unwrap_err();
        assert!(err.to_string().contains("outcome.at"), "{err}");
        let nameless = json.replace("\"svc\"", "\"\"");
        let err = serde_json::from_str::<Deploy>(&nameless).unwrap_err();
        assert!(err.to_string().contains("service"), "{err}");
    }
}
