//! [`SloSpec`]: one SLO, one alert policy, and where the engine finds its numbers.

use sli_core::{AlertPolicy, MaintenanceWindows, ReleaseGate, Routing, Slo};

/// One SLO with one alert policy, and where its numbers come from in one engine: the input of
/// every backend. `S` is the engine's signal: [`cloudwatch::Signal`](crate::cloudwatch::Signal)
/// (metrics and metric math) or [`prometheus::Signal`](crate::prometheus::Signal) (PromQL).
///
/// Built with [`SloSpec::new`] and adjusted with the `with_*` setters (or field by field: the
/// fields hold validated types, and the compilers check the rest). The struct is
/// `non_exhaustive`, so that what every engine deploys alike can join it without breaking
/// callers.
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
/// let spec = spec
///     .with_routing(sli_core::Routing::new().with_owner("payments".parse()?))
///     .with_release_gate(sli_core::ErrorBudgetPolicy::default().release_gate()?);
/// assert_eq!(spec.release_gate.map(|g| g.burn_rate()), Some(4.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
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
    /// Who the alerts go to and which runbook they link: a `team` label and a `runbook_url`
    /// annotation on every rule (routed by Alertmanager), the owner's SNS topics and a
    /// runbook line in every alarm description on CloudWatch.
    pub routing: Routing,
    /// When notifications are held back: Alertmanager `mute_time_intervals` on the SLO's
    /// routes; on CloudWatch a maintenance alarm, set by EventBridge Scheduler, suppressing the
    /// severity alarms' actions.
    pub maintenance: MaintenanceWindows,
    /// Halt releases while the burn rate exceeds the gate's threshold over its sustain window:
    /// a CloudWatch alarm that CodeDeploy and CodePipeline read, a Prometheus alert that a
    /// pipeline or a progressive-delivery controller reads.
    pub release_gate: Option<ReleaseGate>,
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
            routing: Routing::default(),
            maintenance: MaintenanceWindows::default(),
            release_gate: None,
        }
    }

    /// The same spec for service `service` (groups dashboards; Sloth's `service`).
    #[must_use]
    pub fn with_service(mut self, service: impl Into<String>) -> Self {
        self.service = service.into();
        self
    }

    /// The same spec with its policy named `name` (part of the generated names).
    #[must_use]
    pub fn with_policy_name(mut self, name: impl Into<String>) -> Self {
        self.policy_name = name.into();
        self
    }

    /// The same spec notifying `OK` transitions too (or not).
    #[must_use]
    pub fn with_notify_resolved(mut self, notify: bool) -> Self {
        self.notify_resolved = notify;
        self
    }

    /// The same spec with its owner and runbook.
    #[must_use]
    pub fn with_routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
        self
    }

    /// The same spec with maintenance windows.
    #[must_use]
    pub fn with_maintenance(mut self, maintenance: MaintenanceWindows) -> Self {
        self.maintenance = maintenance;
        self
    }

    /// The same spec with a release gate.
    #[must_use]
    pub fn with_release_gate(mut self, gate: ReleaseGate) -> Self {
        self.release_gate = Some(gate);
        self
    }

    /// The policy the engines evaluate: the spec's, with the release gate's tier added when
    /// there is one. What `sli-core`'s `PolicyEvaluator` must be given to reproduce the
    /// compiled alerts, the gate included.
    pub fn evaluated_policy(&self) -> std::borrow::Cow<'_, AlertPolicy> {
        match &self.release_gate {
            Some(gate) => std::borrow::Cow::Owned(gate.with_policy(&self.policy)),
            None => std::borrow::Cow::Borrowed(&self.policy),
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
            routing: self.routing,
            maintenance: self.maintenance,
            release_gate: self.release_gate,
        }
    }
}
