//! SLO + alert policy → burn-rate metric alarms, composite alarms per tier and per severity.

use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;
use sli_core::{AlertPolicy, AlertTier, PolicyEvaluator, Severity, Sli, Slo, Span};

use super::model::{
    AlarmDimension, AlarmMetric, CompositeAlarm, MetricAlarm, MetricDataQuery, MetricStat,
    TreatMissingData,
};
use crate::query::{Metric, Statistic};

/// CloudWatch's limit on entries in a metric-math alarm's `Metrics`.
pub const MAX_METRICS_PER_ALARM: usize = 10;
/// CloudWatch's limit on alarm name length.
pub const MAX_ALARM_NAME: usize = 255;
/// The longest window, in seconds, a metric alarm can look back: `Period × EvaluationPeriods`
/// is at most 7 days for periods of an hour or more (one day below an hour).
pub const MAX_NATIVE_WINDOW_SECONDS: i64 = 7 * 86_400;

/// A metric and statistic, or a metric-math expression over named metrics.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, Statistic};
/// use aws_telemetry::alarms::SignalSource;
/// let requests = SignalSource::Metric { metric: Metric::new("AWS/ApplicationELB", "RequestCount")?, stat: Statistic::Sum };
/// assert_eq!(requests.metric_count(), 1);
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum SignalSource {
    /// One metric.
    Metric {
        /// The metric.
        metric: Metric,
        /// Its statistic over the window (`Sum` for counts).
        stat: Statistic,
    },
    /// An expression over metrics named by id (ids: a lowercase letter, then letters, digits
    /// and `_`). Evaluated on the window's statistics, so it means the same as per minute only
    /// when it is linear (`a - b`, `a + b`), as count expressions are.
    Expression {
        /// The metric-math expression.
        expression: String,
        /// The metrics it names.
        metrics: Vec<(String, Metric, Statistic)>,
    },
}

impl SignalSource {
    /// Entries this source takes in an alarm's `Metrics` (an expression counts too).
    pub fn metric_count(&self) -> usize {
        match self {
            Self::Metric { .. } => 1,
            Self::Expression { metrics, .. } => metrics.len() + 1,
        }
    }
}

/// Where an SLI's numbers come from.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, Statistic};
/// use aws_telemetry::alarms::{Signal, SignalSource};
/// let alb = |name| Metric::new("AWS/ApplicationELB", name);
/// let signal = Signal::Bad {
///     bad: SignalSource::Metric { metric: alb("HTTPCode_Target_5XX_Count")?, stat: Statistic::Sum },
///     total: SignalSource::Metric { metric: alb("RequestCount")?, stat: Statistic::Sum },
/// };
/// assert!(signal.is_counts());
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Signal {
    /// Good and total event counts.
    Good {
        /// Good events.
        good: SignalSource,
        /// All events.
        total: SignalSource,
    },
    /// Bad and total event counts.
    Bad {
        /// Bad events.
        bad: SignalSource,
        /// All events.
        total: SignalSource,
    },
    /// A value per slice judged against a time-slice SLI's threshold (e.g. p99 latency per
    /// minute). CloudWatch cannot sum per-minute judgements over a window in one alarm, so
    /// these SLOs compile only with a published namespace ([`CompileOptions::published`]).
    Value {
        /// The value.
        value: SignalSource,
    },
}

impl Signal {
    /// Whether the signal is event counts (which CloudWatch can sum over a window natively).
    pub fn is_counts(&self) -> bool {
        !matches!(self, Self::Value { .. })
    }
}

/// One SLO with one alert policy, and where its numbers come from: the input of [`compile`].
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, Statistic};
/// use aws_telemetry::alarms::{Signal, SignalSource, SloAlarmSpec};
/// use sli_core::{catalog, AlertPolicy};
///
/// let alb = |name| Metric::new("AWS/ApplicationELB", name);
/// let spec = SloAlarmSpec::new(catalog::availability("checkout"), AlertPolicy::default(), Signal::Bad {
///     bad: SignalSource::Metric { metric: alb("HTTPCode_Target_5XX_Count")?, stat: Statistic::Sum },
///     total: SignalSource::Metric { metric: alb("RequestCount")?, stat: Statistic::Sum },
/// });
/// assert_eq!(spec.policy_name, "burn-rate");
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SloAlarmSpec {
    /// The SLO.
    pub slo: Slo,
    /// The service it belongs to (groups dashboards).
    pub service: String,
    /// The alert policy's name (part of the alarm names).
    pub policy_name: String,
    /// The alert policy.
    pub policy: AlertPolicy,
    /// Whether `OK` transitions notify too (OpenSLO `alertWhenResolved`).
    pub notify_resolved: bool,
    /// The numbers.
    pub signal: Signal,
    /// The document the SLO came from, to name it in errors.
    pub document: Option<usize>,
}

impl SloAlarmSpec {
    /// A spec whose service is the SLO's name and whose policy is named `burn-rate`.
    pub fn new(slo: Slo, policy: AlertPolicy, signal: Signal) -> Self {
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
}

/// How [`compile`] names and wires what it generates.
///
/// # Example
/// ```
/// use aws_telemetry::alarms::CompileOptions;
/// let options = CompileOptions {
///     page_actions: vec!["arn:aws:sns:us-east-1:123456789012:page".into()],
///     ..CompileOptions::default()
/// };
/// assert_eq!(options.prefix, "slo/");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileOptions {
    /// Prepended to every alarm name (default `slo/`).
    pub prefix: String,
    /// SNS topic ARNs notified by the page severity alarm.
    pub page_actions: Vec<String>,
    /// SNS topic ARNs notified by the ticket severity alarm.
    pub ticket_actions: Vec<String>,
    /// A namespace for windows CloudWatch cannot evaluate in one alarm (longer than
    /// [`MAX_NATIVE_WINDOW_SECONDS`], or over a time-slice SLI): their alarms watch a metric that the
    /// caller publishes every minute with [`publish_windows`](super::publish_windows) through
    /// a [`MetricSink`](crate::MetricSink). `None` (the default) refuses such windows with
    /// [`CompileProblem::WindowTooLong`] or [`CompileProblem::NeedsPublishing`].
    pub published: Option<String>,
}

impl Default for CompileOptions {
    fn default() -> Self {
        Self {
            prefix: "slo/".into(),
            page_actions: Vec::new(),
            ticket_actions: Vec::new(),
            published: None,
        }
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
    /// Two generated alarms with one name.
    #[error("alarm name {name:?} is generated twice")]
    DuplicateAlarmName {
        /// The name.
        name: String,
    },
    /// A dashboard name CloudWatch would reject.
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
    /// More than [`MAX_METRICS_PER_ALARM`] entries in one alarm.
    #[error("alarm {alarm:?} needs {count} metrics and expressions; CloudWatch allows {max}")]
    TooManyMetrics {
        /// The alarm.
        alarm: String,
        /// Entries needed.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A sustain (N of M, OpenSLO `alertAfter`) rule on a tier: the tier fires when both
    /// windows breach, and a composite alarm has no N-of-M rule, so it cannot be expressed.
    #[error("tier {tier:?}: a sustain rule ({rule}) cannot be expressed by a composite alarm")]
    Sustain {
        /// The tier.
        tier: String,
        /// The rule, as `N of M`.
        rule: String,
    },
    /// A metric-math id that breaks CloudWatch's rule or collides with another.
    #[error("metric id {id:?}: {reason}")]
    MetricId {
        /// The id.
        id: String,
        /// Why.
        reason: &'static str,
    },
    /// An SLI or budgeting method the compiler cannot express.
    #[error("not supported: {what}")]
    Unsupported {
        /// What.
        what: String,
    },
    /// An action that is not an ARN.
    #[error("action {action:?} is not an ARN")]
    InvalidAction {
        /// The action.
        action: String,
    },
    /// An OpenSLO metric source of another engine's type (Prometheus, Datadog…), or of a type
    /// the file does not say: this compiler reads CloudWatch sources only.
    #[error("metric source type {} is not CloudWatch", source_type.as_deref().map_or_else(|| "unknown (a DataSource defined elsewhere)".to_owned(), |t| format!("{t:?}")))]
    SourceType {
        /// The source's type, `None` when neither the metric source nor a DataSource in the
        /// file gives it.
        source_type: Option<String>,
    },
    /// A metric CloudWatch would reject (from an OpenSLO metric source).
    #[error("metric source {field}: {reason}")]
    InvalidMetric {
        /// Which source.
        field: String,
        /// Why.
        reason: String,
    },
    /// `sli-core` rejected the SLO or its policy.
    #[error("{0}")]
    Core(sli_core::Error),
    /// A tier `sli-core` flags as useless: a threshold at or above `1 / (1 − target)` that can
    /// never fire, or a long window longer than the SLO window.
    #[error("alert policy: {0:?}")]
    Policy(sli_core::PolicyWarning),
    /// A CloudFormation template with more resources than a stack may hold.
    #[error("{resources} resources exceed the {max} a CloudFormation template may hold")]
    TooManyResources {
        /// Resources needed.
        resources: usize,
        /// The limit.
        max: usize,
    },
}

/// An SLO that cannot be compiled: which one (and its document), the field at fault, and why.
///
/// # Example
/// ```
/// use aws_telemetry::alarms::{compile, CompileOptions, CompileProblem, Signal, SignalSource, SloAlarmSpec};
/// use aws_telemetry::{Metric, Statistic};
/// use sli_core::catalog;
///
/// let m = SignalSource::Metric { metric: Metric::new("App", "Requests")?, stat: Statistic::Sum };
/// let mut spec = SloAlarmSpec::new(catalog::availability("checkout"), Default::default(),
///     Signal::Good { good: m.clone(), total: m });
/// spec.slo.name = "x".repeat(300);
/// let err = compile(&[spec], &CompileOptions::default()).unwrap_err();
/// assert!(matches!(err.problem, CompileProblem::AlarmName { .. }));
/// assert_eq!(err.field, "metadata.name");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct CompileError {
    /// The SLO's name.
    pub slo: String,
    /// The document it came from, when known.
    pub document: Option<usize>,
    /// The field at fault (an OpenSLO path where one applies).
    pub field: String,
    /// What.
    pub problem: CompileProblem,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SLO {:?}", self.slo)?;
        if let Some(d) = self.document {
            write!(f, " (document {d})")?;
        }
        write!(f, ", field {}: {}", self.field, self.problem)
    }
}

/// Which window of a tier an alarm watches.
///
/// # Example
/// ```
/// use aws_telemetry::alarms::WindowRole;
/// assert_eq!(WindowRole::Long.as_str(), "long");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowRole {
    /// The long window.
    Long,
    /// The short window.
    Short,
}

impl WindowRole {
    /// `long` or `short`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Long => "long",
            Self::Short => "short",
        }
    }
}

/// A window whose alarm watches a published metric: what to publish, every minute.
///
/// # Example
/// ```
/// use aws_telemetry::alarms::PublishedWindow;
/// # fn f(p: &PublishedWindow) { let _ = (p.window, p.ratio_threshold); }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedWindow {
    /// The tier.
    pub tier: String,
    /// Long or short.
    pub role: WindowRole,
    /// The window.
    pub window: Span,
    /// The metric to publish: `bad − ratio_threshold × total` over the window ending at each
    /// minute's end, stamped at the minute's start; nothing when the window has fewer events
    /// than the SLO's minimum (or none).
    pub metric: Metric,
    /// The tier's burn-rate threshold × the error budget.
    pub ratio_threshold: f64,
}

/// The alarms of one SLO and alert policy.
///
/// # Example
/// ```
/// # use aws_telemetry::alarms::CompiledSlo;
/// # fn f(c: &CompiledSlo) -> usize { c.metric_alarms.len() + c.composite_alarms.len() }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompiledSlo {
    /// The SLO's name.
    pub slo: String,
    /// Its service.
    pub service: String,
    /// One alarm per window of each tier, long then short, tiers in policy order.
    pub metric_alarms: Vec<MetricAlarm>,
    /// One composite per tier (both windows), then one per severity over its tiers (page,
    /// then ticket), which carry the actions.
    pub composite_alarms: Vec<CompositeAlarm>,
    /// Windows whose alarms watch a published metric.
    pub published: Vec<PublishedWindow>,
    /// Burn-rate expressions for dashboards: (label, expression over `bad`/`good` and `total`).
    #[serde(skip)]
    pub(super) signal: Signal,
    #[serde(skip)]
    pub(super) budget: f64,
    #[serde(skip)]
    pub(super) window: Span,
    #[serde(skip)]
    pub(super) tiers: Vec<(String, Severity, Span, f64)>,
    #[serde(skip)]
    pub(super) min_events: f64,
    #[serde(skip)]
    pub(super) full_windows_only: bool,
}

impl CompiledSlo {
    /// The name of the severity composite alarm for `severity`, if the policy has such tiers.
    pub fn severity_alarm(&self, severity: Severity) -> Option<&CompositeAlarm> {
        let suffix = severity_name(severity);
        self.composite_alarms
            .iter()
            .find(|c| c.alarm_name.ends_with(&format!("/{suffix}")))
    }
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Page => "severity-page",
        Severity::Ticket => "severity-ticket",
    }
}

/// A share as a short percentage (`0.1`, not `0.10000000000000009`).
fn percent(share: f64) -> String {
    let text = format!("{:.6}", share * 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Checks an alarm name against CloudWatch's rules and what an alarm rule can quote.
pub(super) fn check_alarm_name(name: &str) -> Result<(), CompileProblem> {
    let reason = if name.is_empty() {
        "must not be empty"
    } else if name.chars().count() > MAX_ALARM_NAME {
        "is longer than 255 characters"
    } else if name.chars().any(char::is_control) {
        "contains a control character"
    } else if name.contains('"') {
        "contains a double quote, which an alarm rule cannot quote"
    } else {
        return Ok(());
    };
    Err(CompileProblem::AlarmName {
        name: name.to_owned(),
        reason,
    })
}

fn check_id(id: &str) -> Result<(), CompileProblem> {
    let mut chars = id.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CompileProblem::MetricId {
            id: id.to_owned(),
            reason: "ids start with a lowercase letter, then letters, digits and _",
        })
    }
}

pub(super) fn alarm_metric(metric: &Metric) -> AlarmMetric {
    AlarmMetric {
        namespace: metric.namespace.clone(),
        metric_name: metric.name.clone(),
        dimensions: metric
            .dimensions
            .iter()
            .map(|d| AlarmDimension {
                name: d.name.clone(),
                value: d.value.clone(),
            })
            .collect(),
    }
}

/// The `Metrics` entries of a source under `id`, at `period` seconds.
fn source_entries(
    source: &SignalSource,
    id: &str,
    period: u32,
    ids: &mut BTreeSet<String>,
) -> Result<Vec<MetricDataQuery>, CompileProblem> {
    let mut claim = |id: &str| {
        check_id(id)?;
        if ids.insert(id.to_owned()) {
            Ok(())
        } else {
            Err(CompileProblem::MetricId {
                id: id.to_owned(),
                reason: "is used twice in one alarm",
            })
        }
    };
    claim(id)?;
    Ok(match source {
        SignalSource::Metric { metric, stat } => vec![MetricDataQuery::metric(
            id,
            MetricStat {
                metric: alarm_metric(metric),
                period,
                stat: stat.to_string(),
            },
        )],
        SignalSource::Expression {
            expression,
            metrics,
        } => {
            let mut out = Vec::new();
            for (sub, metric, stat) in metrics {
                claim(sub)?;
                out.push(MetricDataQuery::metric(
                    sub,
                    MetricStat {
                        metric: alarm_metric(metric),
                        period,
                        stat: stat.to_string(),
                    },
                ));
            }
            out.push(MetricDataQuery::expression(
                id,
                expression.as_str(),
                id,
                false,
            ));
            out
        }
    })
}

/// Compiles SLOs and their alert policies into CloudWatch alarms.
///
/// For each enabled tier of each policy: one metric-math alarm per window (long, then short)
/// whose metrics have the window as their period and one evaluation period, firing when the
/// error ratio over the window divided by the error budget exceeds the tier's burn-rate
/// threshold — written `IF(total > 0, bad − threshold × budget × total) > 0` so that CloudWatch
/// decides exactly as `sli-core` does (`bad > threshold × budget × total`, no division to round
/// at the boundary) and a window without events is missing data; then a composite alarm per
/// tier (`ALARM(long) AND ALARM(short)`), and one per severity over its tiers
/// (`ALARM(tier) OR …`) carrying the severity's actions. `TreatMissingData` follows the SLO's
/// [`MissingData`](sli_core::MissingData). Thresholds given as budget fractions are scaled to the
/// SLO window exactly as [`PolicyEvaluator`] scales them.
///
/// # Errors
/// [`CompileError`] naming the SLO, its document and the field: invalid names, a tier that
/// can never fire or looks back further than the SLO window, a window over seven days or over a time-slice SLI without [`CompileOptions::published`], more than ten
/// metrics in an alarm, a sustain rule, invalid policies (through `sli-core`), actions that are
/// not ARNs.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, Statistic};
/// use aws_telemetry::alarms::{compile, CompileOptions, Signal, SignalSource, SloAlarmSpec};
/// use sli_core::{catalog, AlertPolicy};
///
/// let alb = |name| Metric::new("AWS/ApplicationELB", name);
/// let spec = SloAlarmSpec::new(catalog::availability("checkout"), AlertPolicy::default(), Signal::Bad {
///     bad: SignalSource::Metric { metric: alb("HTTPCode_Target_5XX_Count")?, stat: Statistic::Sum },
///     total: SignalSource::Metric { metric: alb("RequestCount")?, stat: Statistic::Sum },
/// });
/// let compiled = compile(&[spec], &CompileOptions::default())?;
/// let slo = &compiled.slos[0];
/// assert_eq!(slo.metric_alarms.len(), 8); // four tiers, two windows each
/// assert_eq!(slo.composite_alarms.len(), 4 + 2); // per tier, then page and ticket
/// let fast = &slo.metric_alarms[0];
/// assert_eq!(fast.alarm_name, "slo/checkout/burn-rate/page-fast/long-1h");
/// // 14.4 × (1 − 0.999) as sli-core computes it, digit for digit.
/// assert_eq!(fast.metrics[2].expression.as_deref(),
///     Some("IF(total > 0, bad - 0.014400000000000013 * total)"));
/// assert_eq!(slo.composite_alarms[4].alarm_rule,
///     r#"ALARM("slo/checkout/burn-rate/page-fast") OR ALARM("slo/checkout/burn-rate/page-slow")"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compile(
    specs: &[SloAlarmSpec],
    options: &CompileOptions,
) -> Result<super::Compiled, CompileError> {
    let mut names = BTreeSet::new();
    let mut slos = Vec::with_capacity(specs.len());
    for spec in specs {
        let compiled = compile_one(spec, options)?;
        let fail = |problem| CompileError {
            slo: spec.slo.name.clone(),
            document: spec.document,
            field: "metadata.name".into(),
            problem,
        };
        for name in compiled
            .metric_alarms
            .iter()
            .map(|a| &a.alarm_name)
            .chain(compiled.composite_alarms.iter().map(|a| &a.alarm_name))
        {
            if !names.insert(name.clone()) {
                return Err(fail(CompileProblem::DuplicateAlarmName {
                    name: name.clone(),
                }));
            }
        }
        slos.push(compiled);
    }
    Ok(super::Compiled { slos })
}

fn compile_one(spec: &SloAlarmSpec, options: &CompileOptions) -> Result<CompiledSlo, CompileError> {
    let slo = &spec.slo;
    let fail = |field: &str, problem| CompileError {
        slo: slo.name.clone(),
        document: spec.document,
        field: field.to_owned(),
        problem,
    };
    for action in options.page_actions.iter().chain(&options.ticket_actions) {
        if !action.starts_with("arn:") {
            return Err(fail(
                "actions",
                CompileProblem::InvalidAction {
                    action: action.clone(),
                },
            ));
        }
    }
    let evaluator = PolicyEvaluator::new(slo, &spec.policy, Span::MINUTE)
        .map_err(|e| fail("spec.alertPolicies", CompileProblem::Core(e)))?;
    for warning in evaluator.warnings() {
        let field = match warning {
            sli_core::PolicyWarning::NeverFires { tier, .. } => format!("tier {tier} threshold"),
            sli_core::PolicyWarning::WindowExceedsSloPeriod { tier, .. } => {
                format!("tier {tier} lookbackWindow")
            }
            _ => continue, // no enabled tier: nothing to compile, nothing wrong
        };
        return Err(fail(&field, CompileProblem::Policy(warning.clone())));
    }
    match (&slo.sli, &spec.signal) {
        (Sli::EventRatio, Signal::Good { .. } | Signal::Bad { .. }) => {}
        (Sli::TimeSlice { slice, .. }, Signal::Value { .. }) if *slice == Span::MINUTE => {}
        (sli, _) => {
            return Err(fail(
                "spec.indicator",
                CompileProblem::Unsupported {
                    what: format!(
                        "SLI {sli:?} with this metric source (event ratios from counts, or time slices of one minute from a value)"
                    ),
                },
            ));
        }
    }
    if let (Sli::EventRatio, budgeting) = (&slo.sli, slo.budgeting)
        && budgeting != sli_core::BudgetingMethod::Occurrences
    {
        return Err(fail(
            "spec.budgetingMethod",
            CompileProblem::Unsupported {
                what: format!("{budgeting:?} over event counts: alarms count events (Occurrences)"),
            },
        ));
    }
    let base = format!("{}{}/{}", options.prefix, slo.name, spec.policy_name);
    let budget = slo.objective.error_budget();
    let treat = TreatMissingData::from(slo.missing_data);
    let mut metric_alarms = Vec::new();
    let mut composite_alarms = Vec::new();
    let mut published = Vec::new();
    let mut tiers = Vec::new();
    let enabled: Vec<&AlertTier> = spec.policy.enabled_tiers().collect();
    for (tier, burn) in evaluator.thresholds() {
        let field = format!("tier {}", tier.id);
        if let Some(rule) = tier.sustain
            && rule.evaluation_periods() > 1
        {
            return Err(fail(
                &format!("{field} alertAfter"),
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
        // The ratio sli-core compares with: the same product, so the same rounding.
        let ratio_threshold = burn * budget;
        let tier_name = format!("{base}/{}", tier.id);
        let mut window_names = Vec::new();
        for (role, window) in [
            (WindowRole::Long, tier.long_window),
            (WindowRole::Short, tier.short_window),
        ] {
            let name = format!("{tier_name}/{}-{window}", role.as_str());
            check_alarm_name(&name).map_err(|p| fail("metadata.name", p))?;
            let seconds = u32::try_from(window.seconds())
                .ok()
                .filter(|s| s % 60 == 0)
                .ok_or_else(|| {
                    fail(
                        &format!("{field} lookbackWindow"),
                        CompileProblem::WindowNotMinutes {
                            tier: tier.id.clone(),
                            window,
                        },
                    )
                })?;
            let native = spec.signal.is_counts() && window.seconds() <= MAX_NATIVE_WINDOW_SECONDS;
            let description = format!(
                "SLO {} ({}): error ratio over {window} / error budget ({} %) > {burn} (tier {}, {:?}, {} window)",
                slo.name,
                slo.objective,
                percent(budget),
                tier.id,
                tier.severity,
                role.as_str()
            );
            let metrics = if native {
                native_metrics(spec, seconds, ratio_threshold, burn, window)
                    .map_err(|p| fail("spec.indicator", p))?
            } else {
                let Some(namespace) = &options.published else {
                    let problem = if spec.signal.is_counts() {
                        CompileProblem::WindowTooLong {
                            tier: tier.id.clone(),
                            window,
                            max_seconds: MAX_NATIVE_WINDOW_SECONDS,
                        }
                    } else {
                        CompileProblem::NeedsPublishing {
                            tier: tier.id.clone(),
                            reason: "a time-slice SLI's per-minute judgements cannot be summed over a window by one alarm".into(),
                        }
                    };
                    return Err(fail(&format!("{field} lookbackWindow"), problem));
                };
                let metric = Metric::new(namespace.clone(), "ExcessBadEvents")
                    .and_then(|m| m.with_dimension("SLO", slo.name.clone()))
                    .and_then(|m| m.with_dimension("Policy", spec.policy_name.clone()))
                    .and_then(|m| m.with_dimension("Tier", tier.id.clone()))
                    .and_then(|m| m.with_dimension("Window", format!("{}-{window}", role.as_str())))
                    .map_err(|e| {
                        fail(
                            "published",
                            CompileProblem::InvalidMetric {
                                field: "published namespace".into(),
                                reason: e.to_string(),
                            },
                        )
                    })?;
                let mut entry = MetricDataQuery::metric(
                    "excess",
                    MetricStat {
                        metric: alarm_metric(&metric),
                        period: 60,
                        stat: "Maximum".into(),
                    },
                );
                entry.return_data = true;
                entry.label = Some(format!(
                    "bad events above {burn}x the budget over {window} (published)"
                ));
                published.push(PublishedWindow {
                    tier: tier.id.clone(),
                    role,
                    window,
                    metric,
                    ratio_threshold,
                });
                vec![entry]
            };
            if metrics.len() > MAX_METRICS_PER_ALARM {
                return Err(fail(
                    "spec.indicator",
                    CompileProblem::TooManyMetrics {
                        alarm: name,
                        count: metrics.len(),
                        max: MAX_METRICS_PER_ALARM,
                    },
                ));
            }
            metric_alarms.push(MetricAlarm {
                alarm_name: name.clone(),
                alarm_description: Some(description),
                actions_enabled: false,
                alarm_actions: Vec::new(),
                ok_actions: Vec::new(),
                metrics,
                comparison_operator: "GreaterThanThreshold".into(),
                threshold: 0.0,
                evaluation_periods: 1,
                datapoints_to_alarm: 1,
                treat_missing_data: treat,
            });
            window_names.push(name);
        }
        check_alarm_name(&tier_name).map_err(|p| fail("metadata.name", p))?;
        composite_alarms.push(CompositeAlarm {
            alarm_name: tier_name.clone(),
            alarm_description: Some(format!(
                "SLO {}: tier {} ({:?}) burns faster than {burn}x over both {} and {}",
                slo.name, tier.id, tier.severity, tier.long_window, tier.short_window
            )),
            alarm_rule: window_names
                .iter()
                .map(|n| format!("ALARM(\"{n}\")"))
                .collect::<Vec<_>>()
                .join(" AND "),
            actions_enabled: false,
            alarm_actions: Vec::new(),
            ok_actions: Vec::new(),
        });
        tiers.push((tier.id.clone(), tier.severity, tier.long_window, burn));
    }
    for severity in [Severity::Page, Severity::Ticket] {
        let members: Vec<&&AlertTier> = enabled.iter().filter(|t| t.severity == severity).collect();
        if members.is_empty() {
            continue;
        }
        let name = format!("{base}/{}", severity_name(severity));
        check_alarm_name(&name).map_err(|p| fail("metadata.name", p))?;
        let actions = match severity {
            Severity::Page => options.page_actions.clone(),
            Severity::Ticket => options.ticket_actions.clone(),
        };
        composite_alarms.push(CompositeAlarm {
            alarm_name: name,
            alarm_description: Some(format!(
                "SLO {}: {:?} when any of its {:?} tiers fires",
                slo.name, severity, severity
            )),
            alarm_rule: members
                .iter()
                .map(|t| format!("ALARM(\"{base}/{}\")", t.id))
                .collect::<Vec<_>>()
                .join(" OR "),
            actions_enabled: !actions.is_empty(),
            ok_actions: if spec.notify_resolved {
                actions.clone()
            } else {
                Vec::new()
            },
            alarm_actions: actions,
        });
    }
    Ok(CompiledSlo {
        slo: slo.name.clone(),
        service: spec.service.clone(),
        metric_alarms,
        composite_alarms,
        published,
        signal: spec.signal.clone(),
        budget,
        window: slo.window.nominal_length(),
        tiers,
        min_events: slo.min_events,
        full_windows_only: spec.policy.partial_windows != sli_core::PartialWindows::Evaluate,
    })
}

/// The metrics of a window alarm CloudWatch evaluates itself.
fn native_metrics(
    spec: &SloAlarmSpec,
    period: u32,
    ratio_threshold: f64,
    burn: f64,
    window: Span,
) -> Result<Vec<MetricDataQuery>, CompileProblem> {
    let mut ids = BTreeSet::new();
    let (mut metrics, bad) = match &spec.signal {
        Signal::Good { good, total } => {
            let mut m = source_entries(good, "good", period, &mut ids)?;
            m.extend(source_entries(total, "total", period, &mut ids)?);
            (m, "(total - good)")
        }
        Signal::Bad { bad, total } => {
            let mut m = source_entries(bad, "bad", period, &mut ids)?;
            m.extend(source_entries(total, "total", period, &mut ids)?);
            (m, "bad")
        }
        Signal::Value { .. } => {
            return Err(CompileProblem::Unsupported {
                what: "a value signal in a native alarm".into(),
            });
        }
    };
    let guard = if spec.slo.min_events > 0.0 {
        format!("total >= {}", spec.slo.min_events)
    } else {
        "total > 0".to_owned()
    };
    let excess = MetricDataQuery::expression(
        "excess",
        format!("IF({guard}, {bad} - {ratio_threshold} * total)"),
        format!("bad events above {burn}x the budget over {window}"),
        true,
    );
    if ids.contains("excess") {
        return Err(CompileProblem::MetricId {
            id: "excess".into(),
            reason: "is reserved for the alarm's own expression",
        });
    }
    metrics.push(excess);
    Ok(metrics)
}
