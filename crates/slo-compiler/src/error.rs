//! [`CompileError`]: which SLO, which field, which engine, and what is wrong.

use std::fmt;

use sli_core::Span;

/// The engine a compilation targets, named in every [`CompileError`].
///
/// # Example
/// ```
/// use slo_compiler::Engine;
/// assert_eq!(Engine::Prometheus.to_string(), "Prometheus");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Engine {
    /// CloudWatch alarms, dashboards and CloudFormation.
    CloudWatch,
    /// Prometheus (or Amazon Managed Service for Prometheus) rules, Alertmanager, Grafana.
    Prometheus,
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CloudWatch => "CloudWatch",
            Self::Prometheus => "Prometheus",
        })
    }
}

/// What is wrong, for [`CompileError`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CompileProblem {
    /// A generated alarm name CloudWatch would reject (too long, control characters, or a `"`
    /// that an alarm rule cannot quote).
    #[error("alarm name {name:?} is invalid: {reason}")]
    AlarmName {
        /// The name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A generated alarm description longer than CloudWatch's `AlarmDescription` allows
    /// ([`MAX_ALARM_DESCRIPTION`](crate::cloudwatch::MAX_ALARM_DESCRIPTION) characters): the
    /// SLO's name, its tier ids and the runbook URL and owner appended to it are too long together.
    #[error(
        "alarm {alarm:?}: its description is {length} characters, CloudWatch allows {max} (shorten the runbook URL, the SLO name or the tier ids)"
    )]
    AlarmDescription {
        /// The alarm.
        alarm: String,
        /// The description's length in characters.
        length: usize,
        /// CloudWatch's limit.
        max: usize,
    },
    /// A composite alarm whose rule names more alarms than PutCompositeAlarm allows
    /// ([`MAX_ALARMS_PER_RULE`](crate::cloudwatch::MAX_ALARMS_PER_RULE)): a severity alarm names
    /// one alarm per tier of its severity.
    #[error(
        "composite alarm {alarm:?}: its rule names {count} alarms, CloudWatch allows {max} (fewer tiers of one severity)"
    )]
    TooManyRuleAlarms {
        /// The composite alarm.
        alarm: String,
        /// The alarms its rule names.
        count: usize,
        /// CloudWatch's limit.
        max: usize,
    },
    /// A composite alarm whose rule is longer than PutCompositeAlarm allows
    /// ([`MAX_ALARM_RULE`](crate::cloudwatch::MAX_ALARM_RULE) characters).
    #[error(
        "composite alarm {alarm:?}: its rule is {length} characters, CloudWatch allows {max} (fewer tiers of one severity, or shorter names)"
    )]
    AlarmRuleLength {
        /// The composite alarm.
        alarm: String,
        /// The rule's length in characters.
        length: usize,
        /// CloudWatch's limit.
        max: usize,
    },
    /// Two generated alarms (or two SLOs' rules) with one name.
    #[error("name {name:?} is used twice")]
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A name the spec gives the engines, its service or its policy's name, that they cannot
    /// carry: empty (Prometheus drops a label with an empty value, so the alerts would lack
    /// the `sloth_service` or `policy` label they promise, and CloudWatch names would hold
    /// `//`), or holding a control character CloudFormation's template cannot carry.
    #[error("name {name:?} is invalid: {reason}")]
    InvalidName {
        /// The name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A dashboard name the engine would reject.
    #[error("dashboard name {name:?} is invalid: {reason}")]
    DashboardName {
        /// The name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// A window longer than a metric alarm can look back, with no published namespace.
    #[error(
        "tier {tier:?}: the {window} window is longer than the {max_seconds} s a CloudWatch alarm can look back; set CompileOptions::published to publish it as a metric"
    )]
    WindowTooLong {
        /// The tier.
        tier: String,
        /// The window.
        window: Span,
        /// The longest window an alarm can evaluate, in seconds.
        max_seconds: i64,
    },
    /// A window CloudWatch cannot compute in one alarm for another reason, with no published
    /// namespace.
    #[error(
        "tier {tier:?}: {reason}; set CompileOptions::published to publish the windowed ratio as a metric"
    )]
    NeedsPublishing {
        /// The tier.
        tier: String,
        /// Why.
        reason: String,
    },
    /// A window that is not a whole number of minutes.
    #[error("tier {tier:?}: window {window} is not a whole number of minutes")]
    WindowNotMinutes {
        /// The tier.
        tier: String,
        /// The window.
        window: Span,
    },
    /// More metrics, or more expressions, in one alarm than CloudWatch allows
    /// ([`MAX_METRICS_PER_ALARM`](crate::cloudwatch::MAX_METRICS_PER_ALARM) of each).
    #[error("alarm {alarm:?} needs {count} {kind}; CloudWatch allows {max}")]
    TooManyMetrics {
        /// The alarm.
        alarm: String,
        /// `metrics` (entries with a `MetricStat`) or `expressions`.
        kind: &'static str,
        /// Entries of that kind needed.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A sustain (N of M, OpenSLO `alertAfter`) rule the engine cannot evaluate as `sli-core`
    /// does, and why.
    #[error("tier {tier:?}: the sustain rule {rule} cannot be compiled: {reason}")]
    Sustain {
        /// The tier.
        tier: String,
        /// The rule, as `N of M`.
        rule: String,
        /// Why.
        reason: String,
    },
    /// Maintenance windows `sli-core` refuses to deploy
    /// ([`MaintenanceWindows::validate`](sli_core::MaintenanceWindows::validate): a window or
    /// chain of windows that never ends, longer than [`MAX_MAINTENANCE`](sli_core::MAX_MAINTENANCE)
    /// or of more than [`MAX_CHAINED_WINDOWS`](sli_core::MAX_CHAINED_WINDOWS) windows, or a
    /// window outside the years 0000 to 9999), naming the window's field.
    #[error("maintenance windows cannot be deployed")]
    Maintenance {
        /// What `sli-core` found, with the field.
        #[source]
        source: sli_core::MaintenanceError,
    },
    /// A recurring maintenance window in a zone the engine cannot name: EventBridge Scheduler
    /// and Alertmanager read time zones by IANA name, and a fixed offset (`+05:30`) has none.
    #[error(
        "maintenance zone {zone}: the engine reads time zones by IANA name, and a fixed offset has none (use a zone such as Asia/Kolkata)"
    )]
    MaintenanceZone {
        /// The zone, as written.
        zone: String,
    },
    /// A release gate that cannot be compiled (it can never fire, or looks back further than
    /// the SLO window).
    #[error("release gate: {reason}")]
    ReleaseGate {
        /// Why.
        reason: String,
    },
    /// A metric-math id that breaks CloudWatch's rule or collides with another.
    #[error("metric id {id:?}: {reason}")]
    MetricId {
        /// The id.
        id: String,
        /// Why.
        reason: &'static str,
    },
    /// A metric-math expression of a signal source that is empty or longer than CloudWatch's
    /// `Expression` allows (2,048 characters, CloudWatch API Reference, MetricDataQuery).
    #[error("metric-math expression {id:?} is {length} characters; CloudWatch takes 1 to {max}")]
    ExpressionLength {
        /// The id of the expression's entry (`good`, `bad`, `total`, `value`).
        id: String,
        /// Its length in characters.
        length: usize,
        /// CloudWatch's limit.
        max: usize,
    },
    /// A name or metric text holding `${`, written into a dashboard body that CloudFormation's
    /// `Fn::Sub` reads (it would take the text for a variable and fail the stack, or replace
    /// it), or into an alarm of the template, where cfn-lint takes it for a variable left
    /// outside `Fn::Sub` (E1029).
    #[error(
        "{text:?} holds \"${{\", which CloudFormation reads as a variable (Fn::Sub in a dashboard body, cfn-lint E1029 in an alarm)"
    )]
    SubVariable {
        /// The text.
        text: String,
    },
    /// An SLI, window or budgeting method the engine cannot express.
    #[error("not supported: {what}")]
    Unsupported {
        /// What.
        what: String,
    },
    /// A page or ticket action that is not one a composite alarm takes where it goes (an SNS
    /// topic, a Lambda function, an OpsItem or an investigation group, by ARN; an SNS topic or
    /// a Lambda function only, for an SLO that notifies when resolved).
    #[error("action {action:?} is refused: {reason}")]
    InvalidAction {
        /// The action (its first 200 characters).
        action: String,
        /// What is wrong with it.
        reason: String,
    },
    /// An OpenSLO metric source of another engine's type (Prometheus, Datadog…), or of a type
    /// the file does not say: each engine reads its own sources only.
    #[error("metric source type {} is not one this engine reads", source_type.as_deref().map_or_else(|| "unknown (a DataSource defined elsewhere)".to_owned(), |t| format!("{t:?}")))]
    SourceType {
        /// The source's type, `None` when neither the metric source nor a DataSource in the
        /// file gives it.
        source_type: Option<String>,
    },
    /// A metric source the engine would reject (from an OpenSLO metric source or a query).
    #[error("metric source {field}: {reason}")]
    InvalidMetric {
        /// Which source.
        field: String,
        /// Why.
        reason: String,
    },
    /// A field of an OpenSLO metric source that names a metric, statistic or query the engine
    /// refuses, with the refusal itself as the source.
    #[error("metric source {field}: {path} is refused")]
    InvalidSourceField {
        /// Which source (`good`, `bad`, `total`, `metric`).
        field: String,
        /// The field within the source's `spec` (`metricName`, `dimensions[0]`, `stat`,
        /// `query`).
        path: String,
        /// What the engine's query model refused.
        #[source]
        source: SourceFieldError,
    },
    /// A Prometheus label name or value the engine would reject, or that collides with one the
    /// compiler sets.
    #[error("label {name:?}: {reason}")]
    Label {
        /// The label name.
        name: String,
        /// Why.
        reason: String,
    },
    /// An option out of range.
    #[error("option {option}: {reason}")]
    InvalidOption {
        /// The option.
        option: &'static str,
        /// Why.
        reason: String,
    },
    /// `sli-core` rejected the SLO or its policy.
    #[error("{0}")]
    Core(sli_core::Error),
    /// A tier `sli-core` flags as useless: a threshold at or above `1 / (1 − target)` that can
    /// never fire, or a long window longer than the SLO window.
    #[error("alert policy: {0}")]
    Policy(sli_core::PolicyWarning),
    /// A CloudFormation template larger than CloudFormation takes
    /// ([`MAX_TEMPLATE_BYTES`](crate::cloudwatch::MAX_TEMPLATE_BYTES)).
    #[error(
        "the template is {bytes} bytes, CloudFormation takes at most {max} (split the SLOs with Compiled::cloudformation_stacks)"
    )]
    TemplateTooLarge {
        /// The template's size in bytes of compact JSON.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A `PrometheusRule` manifest larger than the Prometheus Operator can store
    /// ([`MAX_MANIFEST_BYTES`](crate::prometheus::MAX_MANIFEST_BYTES)): one SLO's rules share
    /// a group, never split, so its tiers alone can take a manifest past it.
    #[error(
        "PrometheusRule {manifest:?} is {bytes} bytes, Kubernetes stores at most {max} (fewer tiers in one SLO, or a smaller Options::max_file_bytes)"
    )]
    ManifestTooLarge {
        /// The manifest's `metadata.name`.
        manifest: String,
        /// Its size in bytes of YAML.
        bytes: usize,
        /// The limit.
        max: usize,
    },
    /// A CloudFormation template with nothing in it: CloudFormation refuses a template whose
    /// `Resources` is empty ("At least one Resources member must be defined", Template
    /// anatomy, AWS CloudFormation User Guide), and cfn-lint does not catch it.
    #[error(
        "no SLO and no dashboard to put in the template; CloudFormation requires at least one resource"
    )]
    EmptyTemplate,
    /// An alert policy with more tiers than the engine compiles for one SLO
    /// ([`MAX_TIERS`](crate::prometheus::MAX_TIERS) for Prometheus, the release gate's
    /// counted): each tier's windows get rules of their own, each writing the SLO's queries.
    #[error(
        "the alert policy has {count} tiers (the release gate's counted), the engine compiles at most {max} per SLO"
    )]
    TooManyTiers {
        /// The enabled tiers, and the release gate's.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A CloudFormation template with more resources than a stack may hold.
    #[error("{resources} resources exceed the {max} a CloudFormation template may hold")]
    TooManyResources {
        /// Resources needed.
        resources: usize,
        /// The limit.
        max: usize,
    },
}

/// The refusal behind [`CompileProblem::InvalidSourceField`], from the engine's query model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SourceFieldError {
    /// A CloudWatch metric, dimension or statistic `aws-telemetry` refuses.
    #[error(transparent)]
    CloudWatch(#[from] aws_telemetry::QueryError),
    /// A Prometheus query or template the compiler refuses.
    #[error(transparent)]
    Prometheus(#[from] crate::prometheus::QueryError),
}

/// An SLO that cannot be compiled: which one (and its document), the field at fault, the
/// engine, and why.
///
/// # Example
/// ```
/// use slo_compiler::{CompileProblem, Engine, SloSpec};
/// use slo_compiler::cloudwatch::{compile, CompileOptions, Signal, SignalSource};
/// use aws_telemetry::{Metric, Statistic};
/// use sli_core::catalog;
///
/// let m = SignalSource::Metric { metric: Metric::new("App", "Requests")?, stat: Statistic::Sum };
/// let mut spec = SloSpec::new(catalog::availability("checkout"), Default::default(),
///     Signal::Good { good: m.clone(), total: m });
/// spec.slo.name = "x".repeat(300);
/// let err = compile(&[spec], &CompileOptions::default()).unwrap_err();
/// assert!(matches!(err.problem, CompileProblem::AlarmName { .. }));
/// assert_eq!((err.field.as_str(), err.engine), ("metadata.name", Engine::CloudWatch));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub struct CompileError {
    /// The SLO's name; empty for an option every SLO shares.
    pub slo: String,
    /// The document it came from, when known.
    pub document: Option<usize>,
    /// The field at fault (an OpenSLO path where one applies).
    pub field: String,
    /// The engine that cannot express it.
    pub engine: Engine,
    /// What.
    pub problem: CompileProblem,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.slo.is_empty() {
            // An option every SLO shares.
            f.write_str("options")?;
        } else {
            write!(f, "SLO {:?}", self.slo)?;
        }
        if let Some(d) = self.document {
            write!(f, " (document {d})")?;
        }
        write!(
            f,
            ", field {}, for {}: {}",
            self.field, self.engine, self.problem
        )
    }
}

impl CompileError {
    /// An error about `slo` (and its `document`), `field`, for `engine`.
    pub(crate) fn new(
        engine: Engine,
        slo: &str,
        document: Option<usize>,
        field: impl Into<String>,
        problem: CompileProblem,
    ) -> Self {
        Self {
            slo: slo.to_owned(),
            document,
            field: field.into(),
            engine,
            problem,
        }
    }
}
