//! [`SloSpec`]: one SLO, one alert policy, and where the engine finds its numbers.

use sli_core::{AlertPolicy, Slo};

/// One SLO with one alert policy, and where its numbers come from in one engine: the input of
/// every backend. `S` is the engine's signal: [`cloudwatch::Signal`](crate::cloudwatch::Signal)
/// (metrics and metric math) or [`prometheus::Signal`](crate::prometheus::Signal) (PromQL).
///
/// Built with [`SloSpec::new`] and adjusted field by field: the struct is `non_exhaustive` so
/// that what every engine deploys alike (runbooks, owners, maintenance windows) can join it.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, Statistic};
/// use slo_compiler::SloSpec;
/// use slo_compiler::cloudwatch::{Signal, SignalSource};
/// use sli_core::{catalog, AlertPolicy};
///
/// let alb = |name| Metric::new("AWS/ApplicationELB", name);
/// let mut spec = SloSpec::new(catalog::availability("checkout"), AlertPolicy::default(), Signal::Bad {
///     bad: SignalSource::Metric { metric: alb("HTTPCode_Target_5XX_Count")?, stat: Statistic::Sum },
///     total: SignalSource::Metric { metric: alb("RequestCount")?, stat: Statistic::Sum },
/// });
/// spec.service = "shop".into();
/// assert_eq!(spec.policy_name, "burn-rate");
/// # Ok::<(), aws_telemetry::QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct SloSpec<S> {
    /// The SLO.
    pub slo: Slo,
    /// The service it belongs to (groups dashboards; Sloth's `service`).
    pub service: String,
    /// The alert policy's name (part of the generated names).
    pub policy_name: String,
    /// The alert policy.
    pub policy: AlertPolicy,
    /// Whether `OK` transitions notify too (OpenSLO `alertWhenResolved`).
    pub notify_resolved: bool,
    /// The numbers.
    pub signal: S,
    /// The document the SLO came from, to name it in errors.
    pub document: Option<usize>,
}

impl<S> SloSpec<S> {
    /// A spec whose service is the SLO's name and whose policy is named `burn-rate`.
    pub fn new(slo: Slo, policy: AlertPolicy, signal: S) -> Self {
        Self {
            service: slo.name.clone(),
            slo,
            policy_name: "burn-rate".into(),
            policy,
            notify_resolved: false,
            signal,
            document: None,
        }
    }

    /// The same SLO and policy with another engine's signal.
    pub fn with_signal<T>(self, signal: T) -> SloSpec<T> {
        SloSpec {
            slo: self.slo,
            service: self.service,
            policy_name: self.policy_name,
            policy: self.policy,
            notify_resolved: self.notify_resolved,
            signal,
            document: self.document,
        }
    }
}
