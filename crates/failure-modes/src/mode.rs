//! [`FailureMode`]: the eight classic AWS failure modes (F1–F8) this crate detects, with their
//! likely cause, mitigation and signal, as data (sources in the [crate docs](crate#sources)).

use serde::{Deserialize, Serialize};
use sli_core::Severity;

/// One classic AWS failure mode, with its likely cause, mitigation and signal.
///
/// The texts are short on purpose, so that a [`Finding`](crate::Finding) tells the on-call
/// engineer where to look and what usually helps.
///
/// # Example
/// ```
/// use failure_modes::FailureMode;
///
/// let f1 = FailureMode::ApiThrottling;
/// assert_eq!(f1.id(), "F1");
/// assert_eq!(f1.mitigation(), "Backoff and retries");
/// assert_eq!(FailureMode::ALL.len(), 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FailureMode {
    /// F1: control-plane or data-plane API calls refused for rate.
    ApiThrottling,
    /// F2: one availability zone or route diverging from its peers.
    NetworkPartition,
    /// F3: usage reaching an account limit.
    ServiceQuotaHit,
    /// F4: unauthorised use of credentials.
    CredentialCompromise,
    /// F5: Lambda cold starts slowing responses.
    ColdStartLatency,
    /// F6: a database running out of connections.
    DbConnectionExhaustion,
    /// F7: a bucket readable by the public.
    PublicDataLeak,
    /// F8: spend running away from its trend.
    CostRunaway,
}

impl FailureMode {
    /// The eight modes in table order.
    pub const ALL: [Self; 8] = [
        Self::ApiThrottling,
        Self::NetworkPartition,
        Self::ServiceQuotaHit,
        Self::CredentialCompromise,
        Self::ColdStartLatency,
        Self::DbConnectionExhaustion,
        Self::PublicDataLeak,
        Self::CostRunaway,
    ];

    /// The mode's id, `"F1"` … `"F8"`.
    pub fn id(self) -> &'static str {
        self.row()[0]
    }

    /// The failure mode's name.
    pub fn name(self) -> &'static str {
        self.row()[1]
    }

    /// What users or operators see.
    pub fn symptom(self) -> &'static str {
        self.row()[2]
    }

    /// The usual cause.
    pub fn likely_cause(self) -> &'static str {
        self.row()[3]
    }

    /// What to do about it.
    pub fn mitigation(self) -> &'static str {
        self.row()[4]
    }

    /// The observability signal that shows it.
    pub fn signal(self) -> &'static str {
        self.row()[5]
    }

    /// Whether the mode is a security incident (F4 credential compromise, F7 public data):
    /// planned work does not explain one, so maintenance windows and an SLO's page never hold
    /// its findings back.
    ///
    /// The modes are [`sli_core::SECURITY_FINDING_MODES`], which the routing `slo-compiler`
    /// compiles reads as well.
    ///
    /// # Example
    /// ```
    /// use failure_modes::FailureMode;
    /// assert!(FailureMode::PublicDataLeak.is_security());
    /// assert!(!FailureMode::CostRunaway.is_security());
    /// let security: Vec<_> = FailureMode::ALL.into_iter().filter(|m| m.is_security()).collect();
    /// assert_eq!(security, [FailureMode::CredentialCompromise, FailureMode::PublicDataLeak]);
    /// ```
    pub fn is_security(self) -> bool {
        // The list the compiled Alertmanager routing reads too, so the two cannot disagree.
        sli_core::SECURITY_FINDING_MODES.contains(&self.id())
    }

    /// The severity the [severity rule](crate#severities) gives the mode when nothing more specific is
    /// known: security incidents (F4, F7) page; F2 is an outage of a zone and pages; the rest
    /// start as tickets and each detector escalates to a page when its own evidence says the
    /// service is blocked (see each detector).
    pub fn default_severity(self) -> Severity {
        match self {
            Self::CredentialCompromise | Self::PublicDataLeak | Self::NetworkPartition => {
                Severity::Page
            }
            _ => Severity::Ticket,
        }
    }

    fn row(self) -> [&'static str; 6] {
        match self {
            Self::ApiThrottling => [
                "F1",
                "API throttling",
                "Provisioning errors",
                "High API call rate",
                "Backoff and retries",
                "API error rate",
            ],
            Self::NetworkPartition => [
                "F2",
                "Network partition",
                "High latency or 5xx",
                "AZ or route issues",
                "Route failover, multi-AZ",
                "Network latency spikes",
            ],
            Self::ServiceQuotaHit => [
                "F3",
                "Service quota hit",
                "Scaling blocked",
                "Reached account limits",
                "Request quota increase",
                "Throttled events",
            ],
            Self::CredentialCompromise => [
                "F4",
                "Credential compromise",
                "Unauthorized actions",
                "Exposed keys",
                "Rotate creds, revoke sessions",
                "Unusual IAM activity",
            ],
            Self::ColdStartLatency => [
                "F5",
                "Cold start latency",
                "Slow responses for functions",
                "Lambda cold starts",
                "Provisioned concurrency",
                "Increased p95 latency",
            ],
            Self::DbConnectionExhaustion => [
                "F6",
                "DB connection exhaustion",
                "DB errors and timeouts",
                "Too many connections",
                "Connection poolers, proxy",
                "Connection count spike",
            ],
            Self::PublicDataLeak => [
                "F7",
                "Public data leak",
                "Publicly accessible bucket",
                "Misconfigured ACL",
                "Apply policies and block public",
                "S3 access logs alerts",
            ],
            Self::CostRunaway => [
                "F8",
                "Cost runaway",
                "Sudden billing spike",
                "Misconfigured autoscaling/jobs",
                "Budget alerts and kill switches",
                "Unusual billing trend",
            ],
        }
    }
}

impl std::fmt::Display for FailureMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.id(), self.name())
    }
}
