//! F4 credential compromise: unusual IAM and API activity per principal, from CloudTrail
//! events.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use sli_core::Severity;

use crate::detector::Detector;
use crate::error::{Error, Result, fraction, positive};
use crate::finding::{Evidence, Finding};
use crate::mode::FailureMode;
use crate::stats::{Ewma, poisson_upper_tail};
use aws_telemetry::{AuditEvent, Identity};

/// Settings of [`CredentialCompromise`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompromiseConfig {
    /// How long a principal is watched before its regions, volume and habits count as known.
    pub learning: TimeDelta,
    /// An hour's calls (or denials) must be this improbable under the principal's Poisson
    /// baseline to be a burst (or a storm).
    pub significance: f64,
    /// Fewer calls in an hour are never a burst.
    pub min_burst: u64,
    /// Fewer denied calls in an hour are never a storm.
    pub min_denied: u64,
    /// Floor of the hourly call rate (a principal that calls once a day can still call 20
    /// times in an hour without being suspicious).
    pub min_hourly_calls: f64,
    /// Floor of the hourly denial rate.
    pub min_hourly_denied: f64,
    /// Weight of the newest hour in the hourly rates (EWMA).
    pub rate_alpha: f64,
}

impl Default for CompromiseConfig {
    fn default() -> Self {
        Self {
            learning: TimeDelta::days(7),
            significance: 1e-9,
            min_burst: 100,
            min_denied: 20,
            min_hourly_calls: 5.0,
            min_hourly_denied: 1.0,
            rate_alpha: 0.05,
        }
    }
}

/// Hours of silence fed to the rates after a quiet spell, at most a week: longer silences
/// change nothing more.
const MAX_QUIET_HOURS: i64 = 168;

/// Services whose events CloudTrail records in us-east-1 whatever region the caller works in:
/// a first IAM call is not a new region.
const GLOBAL_SOURCES: [&str; 8] = [
    "iam.amazonaws.com",
    "sts.amazonaws.com",
    "signin.amazonaws.com",
    "organizations.amazonaws.com",
    "cloudfront.amazonaws.com",
    "route53.amazonaws.com",
    "support.amazonaws.com",
    "health.amazonaws.com",
];

/// Who the habits belong to: a role for its sessions (each CI run or instance is a new session
/// of the same role), else the identity's principal.
fn principal_key(identity: &Identity) -> &str {
    let principal = identity.principal();
    if identity.kind == "AssumedRole"
        && let Some((role, _session)) = principal.rsplit_once('/')
        && role.contains(":assumed-role/")
    {
        return role;
    }
    principal
}

#[derive(Debug, Clone)]
struct Principal {
    first_seen: DateTime<Utc>,
    regions: BTreeSet<String>,
    mints_credentials: bool,
    hour: i64,
    calls: u64,
    denied: u64,
    call_rate: Ewma,
    denied_rate: Ewma,
    burst_reported: bool,
    storm_reported: bool,
}

/// F4: a principal doing what it has not done before, each rule a page (a security incident).
///
/// After a principal has been seen for [`CompromiseConfig::learning`]:
/// * **new region**: a call in a region it never used;
/// * **burst**: its calls in the current hour are improbable under a Poisson law with its
///   hourly rate (EWMA over past hours, floored), judged as the events arrive;
/// * **AccessDenied storm**: the same for its denied calls;
/// * **unusual credential minting**: `CreateAccessKey`, `CreateLoginProfile` or
///   `UpdateLoginProfile` by a principal that never did so while learning.
///
/// At any time, a successful `ConsoleLogin` of an IAM user or root whose record says MFA was
/// not used (federated sign-ins record `MFAUsed: No` by design).
///
/// A role's sessions share one history (the session name is dropped from
/// `assumed-role/ROLE/SESSION`); events of global services (IAM, STS, sign-in, Organizations,
/// CloudFront, Route 53, Support, Health), which CloudTrail records in us-east-1, never count
/// as a new region. Principals are kept for the detector's life (one small entry each).
///
/// Events must come in time order (equal times are fine); calls made by AWS services
/// (`userIdentity.type = AWSService`) are ignored. Evidence score: `-log10` of the tail
/// probability for bursts and storms, 1 for rule matches.
///
/// # Example
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{AuditEvent, CredentialCompromise, Detector, Identity};
///
/// let ci = Identity { kind: "IAMUser".into(), user_name: Some("ci".into()), ..Identity::default() };
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// let mut events: Vec<_> = (0..24 * 10)
///     .map(|h| AuditEvent::new(t0 + Duration::hours(h), "s3.amazonaws.com", "PutObject",
///                              "eu-west-1", "198.51.100.4", ci.clone()))
///     .collect();
/// events.push(AuditEvent::new(t0 + Duration::days(10), "ec2.amazonaws.com", "RunInstances",
///                             "ap-southeast-2", "203.0.113.9", ci.clone()));
/// let findings = CredentialCompromise::new(Default::default())?.detect(events)?;
/// assert_eq!(findings.len(), 1);
/// assert!(findings[0].evidence.detail.contains("ap-southeast-2"));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CredentialCompromise {
    config: CompromiseConfig,
    principals: HashMap<String, Principal>,
    last: Option<DateTime<Utc>>,
}

impl CredentialCompromise {
    /// A detector with no history.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a non-positive learning period, significance or floors.
    pub fn new(config: CompromiseConfig) -> Result<Self> {
        positive("learning", config.learning.as_seconds_f64())?;
        fraction("significance", config.significance)?;
        positive("min_hourly_calls", config.min_hourly_calls)?;
        positive("min_hourly_denied", config.min_hourly_denied)?;
        Ewma::new(config.rate_alpha)?;
        Ok(Self {
            config,
            principals: HashMap::new(),
            last: None,
        })
    }

    /// How many principals it has seen.
    pub fn principals(&self) -> usize {
        self.principals.len()
    }
}

impl Principal {
    fn new(at: DateTime<Utc>, alpha: f64) -> Result<Self> {
        Ok(Self {
            first_seen: at,
            regions: BTreeSet::new(),
            mints_credentials: false,
            hour: at.timestamp().div_euclid(3600),
            calls: 0,
            denied: 0,
            call_rate: Ewma::new(alpha)?,
            denied_rate: Ewma::new(alpha)?,
            burst_reported: false,
            storm_reported: false,
        })
    }

    /// Closes the hours before `hour` into the rates.
    fn advance_to(&mut self, hour: i64) {
        if hour <= self.hour {
            return;
        }
        // An hour already reported as a burst or storm is not normal: it stays out of the rates.
        if !self.burst_reported {
            self.call_rate.push(self.calls as f64);
        }
        if !self.storm_reported {
            self.denied_rate.push(self.denied as f64);
        }
        for _ in 1..(hour - self.hour).min(MAX_QUIET_HOURS) {
            self.call_rate.push(0.0);
            self.denied_rate.push(0.0);
        }
        self.hour = hour;
        self.calls = 0;
        self.denied = 0;
        self.burst_reported = false;
        self.storm_reported = false;
    }
}

fn finding(event: &AuditEvent, start: DateTime<Utc>, evidence: Evidence) -> Finding {
    Finding::new(
        FailureMode::CredentialCompromise,
        Severity::Page,
        event.identity.principal(),
        start,
        event.time,
        evidence,
    )
}

fn rule(detail: String) -> Evidence {
    Evidence {
        observed: 1.0,
        baseline: 0.0,
        threshold: 1.0,
        score: 1.0,
        detail,
    }
}

impl Detector for CredentialCompromise {
    type Input = AuditEvent;

    fn mode(&self) -> FailureMode {
        FailureMode::CredentialCompromise
    }

    fn push(&mut self, event: AuditEvent) -> Result<Vec<Finding>> {
        let at = event.time;
        if let Some(previous) = self.last
            && at < previous
        {
            return Err(Error::OutOfOrder { previous, at });
        }
        self.last = Some(at);
        if event.identity.kind == "AWSService" {
            return Ok(Vec::new());
        }
        let config = self.config;
        let key = principal_key(&event.identity);
        let principal = match self.principals.get_mut(key) {
            Some(state) => state,
            None => self
                .principals
                .entry(key.to_owned())
                .or_insert(Principal::new(at, config.rate_alpha)?),
        };
        let hour = at.timestamp().div_euclid(3600);
        principal.advance_to(hour);
        principal.calls += 1;
        principal.denied += u64::from(event.is_access_denied());
        let learned = at - principal.first_seen >= config.learning;
        let mut findings = Vec::new();

        // Federated and SSO sign-ins record MFAUsed = No (MFA happens at the identity
        // provider): the rule is for IAM users and root, as CIS's filter has it.
        if event.is_console_login_without_mfa()
            && matches!(event.identity.kind.as_str(), "IAMUser" | "Root")
        {
            findings.push(finding(
                &event,
                at,
                rule(format!(
                    "console sign-in without MFA from {}",
                    event.source_ip
                )),
            ));
        }
        // Most events are in a known region: look before cloning the name.
        let new_region = !GLOBAL_SOURCES.contains(&event.source.as_str())
            && !principal.regions.contains(&event.region);
        if new_region {
            principal.regions.insert(event.region.clone());
        }
        if learned && new_region {
            findings.push(finding(
                &event,
                at,
                rule(format!(
                    "{} in {}, a region this principal has not used before (known: {})",
                    event.name,
                    event.region,
                    principal
                        .regions
                        .iter()
                        .filter(|r| **r != event.region)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ));
        }
        if event.creates_credentials() && event.error_code.is_none() {
            if learned && !principal.mints_credentials {
                findings.push(finding(
                    &event,
                    at,
                    rule(format!(
                        "{} by a principal that did not create credentials while learning",
                        event.name
                    )),
                ));
            }
            principal.mints_credentials = true;
        }
        let hour_start = DateTime::from_timestamp(hour * 3600, 0).unwrap_or(at);
        let checks = [
            (
                principal.calls,
                principal
                    .call_rate
                    .mean()
                    .unwrap_or(0.0)
                    .max(config.min_hourly_calls),
                config.min_burst,
                &mut principal.burst_reported,
                "calls",
            ),
            (
                principal.denied,
                principal
                    .denied_rate
                    .mean()
                    .unwrap_or(0.0)
                    .max(config.min_hourly_denied),
                config.min_denied,
                &mut principal.storm_reported,
                "denied calls",
            ),
        ];
        for (observed, mean, minimum, reported, what) in checks {
            if !learned || *reported || observed < minimum {
                continue;
            }
            let tail = poisson_upper_tail(observed, mean)?;
            if tail < config.significance {
                *reported = true;
                findings.push(finding(
                    &event,
                    hour_start,
                    Evidence {
                        observed: observed as f64,
                        baseline: mean,
                        threshold: minimum as f64,
                        score: -tail.max(f64::MIN_POSITIVE).log10(),
                        detail: format!(
                            "{observed} {what} this hour against a usual {mean:.1} per hour \
                             (Poisson tail {tail:.1e})"
                        ),
                    },
                ));
            }
        }
        Ok(findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(hour: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + TimeDelta::hours(hour)
    }

    fn role(session: &str) -> Identity {
        Identity {
            kind: "AssumedRole".into(),
            arn: Some(format!("arn:aws:sts::1:assumed-role/deploy/{session}")),
            ..Identity::default()
        }
    }

    #[test]
    fn role_sessions_share_a_history_and_global_services_are_not_regions() {
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
        let mut findings = Vec::new();
        for hour in 0..24 * 8 {
            let who = role(&format!("run-{hour}"));
            let event = AuditEvent::new(
                at(hour),
                "s3.amazonaws.com",
                "GetObject",
                "eu-west-1",
                "10.0.0.1",
                who,
            );
            findings.extend(f4.push(event).unwrap());
        }
        assert_eq!(f4.principals(), 1);
        // A first IAM call, logged in us-east-1, by a learned role: not a new region.
        let iam = AuditEvent::new(
            at(24 * 8),
            "iam.amazonaws.com",
            "GetRole",
            "us-east-1",
            "10.0.0.1",
            role("x"),
        );
        findings.extend(f4.push(iam).unwrap());
        assert!(findings.is_empty(), "{findings:?}");
        // A new session calling EC2 in a new region: the role's history applies.
        let ec2 = AuditEvent::new(
            at(24 * 8 + 1),
            "ec2.amazonaws.com",
            "RunInstances",
            "sa-east-1",
            "203.0.113.1",
            role("y"),
        );
        let found = f4.push(ec2).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "arn:aws:sts::1:assumed-role/deploy/y");
    }

    #[test]
    fn federated_sign_in_without_mfa_is_not_flagged_but_an_iam_user_is() {
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
        let login = |who: Identity| {
            AuditEvent::new(
                at(1),
                "signin.amazonaws.com",
                "ConsoleLogin",
                "us-east-1",
                "192.0.2.9",
                who,
            )
            .with_mfa(false)
        };
        assert!(
            f4.push(login(role("alice@example.com")))
                .unwrap()
                .is_empty()
        );
        let user = Identity {
            kind: "IAMUser".into(),
            user_name: Some("bob".into()),
            ..Identity::default()
        };
        assert_eq!(f4.push(login(user)).unwrap().len(), 1);
    }
}
