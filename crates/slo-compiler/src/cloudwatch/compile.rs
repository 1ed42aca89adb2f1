//! SLO + alert policy → burn-rate metric alarms, composite alarms per tier and per severity.

use std::collections::BTreeSet;

use aws_telemetry::Metric;
use sli_core::{Severity, Sli, Span};

use super::Compiled;
use super::Spec;
use super::compiled::{CompiledSlo, PublishedWindow, WindowRole, severity_name};
use super::model::{CompositeAlarm, MetricAlarm, MetricDataQuery, MetricStat, TreatMissingData};
use super::names::{
    MAX_METRICS_PER_ALARM, MAX_NATIVE_WINDOW_SECONDS, alarm_metric, check_alarm_name,
    source_entries,
};
use super::signal::Signal;
use crate::error::{CompileError, CompileProblem, Engine};
use crate::plan::{Plan, percent};

/// How [`compile`] names and wires what it generates.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::CompileOptions;
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
    /// a [`MetricSink`](aws_telemetry::MetricSink). `None` (the default) refuses such windows with
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
/// SLO window exactly as [`PolicyEvaluator`](sli_core::PolicyEvaluator) scales them.
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
/// use slo_compiler::SloSpec;
/// use slo_compiler::cloudwatch::{compile, CompileOptions, Signal, SignalSource};
/// use sli_core::{catalog, AlertPolicy};
///
/// let alb = |name| Metric::new("AWS/ApplicationELB", name);
/// let spec = SloSpec::new(catalog::availability("checkout"), AlertPolicy::default(), Signal::Bad {
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
pub fn compile(specs: &[Spec], options: &CompileOptions) -> Result<Compiled, CompileError> {
    let mut names = BTreeSet::new();
    let mut slos = Vec::with_capacity(specs.len());
    for spec in specs {
        let plan = Plan::new(spec, Engine::CloudWatch)?;
        let compiled = compile_one(&plan, options)?;
        for name in compiled
            .metric_alarms
            .iter()
            .map(|a| &a.alarm_name)
            .chain(compiled.composite_alarms.iter().map(|a| &a.alarm_name))
        {
            if !names.insert(name.clone()) {
                return Err(plan.fail(
                    "metadata.name",
                    CompileProblem::DuplicateName { name: name.clone() },
                ));
            }
        }
        slos.push(compiled);
    }
    Ok(Compiled { slos })
}

fn compile_one(
    plan: &Plan<'_, Signal>,
    options: &CompileOptions,
) -> Result<CompiledSlo, CompileError> {
    let spec = plan.spec;
    let slo = &spec.slo;
    for action in options.page_actions.iter().chain(&options.ticket_actions) {
        if !action.starts_with("arn:") {
            return Err(plan.fail(
                "actions",
                CompileProblem::InvalidAction {
                    action: action.clone(),
                },
            ));
        }
    }
    match (&slo.sli, &spec.signal) {
        (Sli::EventRatio, Signal::Good { .. } | Signal::Bad { .. }) => {}
        (Sli::TimeSlice { slice, .. }, Signal::Value { .. }) if *slice == Span::MINUTE => {}
        (sli, _) => {
            return Err(plan.fail(
                "spec.indicator",
                CompileProblem::Unsupported {
                    what: format!(
                        "SLI {sli:?} with this metric source (event ratios from counts, or time slices of one minute from a value)"
                    ),
                },
            ));
        }
    }
    let base = format!("{}{}/{}", options.prefix, slo.name, spec.policy_name);
    let treat = TreatMissingData::from(slo.missing_data);
    let mut metric_alarms = Vec::new();
    let mut composite_alarms = Vec::new();
    let mut published = Vec::new();
    let mut tiers = Vec::new();
    for planned in &plan.tiers {
        let (tier, burn, ratio_threshold) = (planned.tier, planned.burn, planned.ratio_threshold);
        let field = format!("tier {}", tier.id);
        let tier_name = format!("{base}/{}", tier.id);
        let mut window_names = Vec::new();
        for (role, window) in [
            (WindowRole::Long, tier.long_window),
            (WindowRole::Short, tier.short_window),
        ] {
            let name = format!("{tier_name}/{}-{window}", role.as_str());
            check_alarm_name(&name).map_err(|p| plan.fail("metadata.name", p))?;
            // Whole minutes (checked by the plan) that fit the API's 32-bit period.
            let seconds = u32::try_from(window.seconds()).map_err(|_| {
                plan.fail(
                    format!("{field} lookbackWindow"),
                    CompileProblem::WindowTooLong {
                        tier: tier.id.clone(),
                        window,
                        max_seconds: MAX_NATIVE_WINDOW_SECONDS,
                    },
                )
            })?;
            let native = spec.signal.is_counts() && window.seconds() <= MAX_NATIVE_WINDOW_SECONDS;
            let description = format!(
                "SLO {} ({}): error ratio over {window} / error budget ({} %) > {burn} (tier {}, {:?}, {} window)",
                slo.name,
                slo.objective,
                percent(plan.budget),
                tier.id,
                tier.severity,
                role.as_str()
            );
            let metrics = if native {
                native_metrics(plan, seconds, ratio_threshold, burn, window)
                    .map_err(|p| plan.fail("spec.indicator", p))?
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
                    return Err(plan.fail(format!("{field} lookbackWindow"), problem));
                };
                let metric = published_metric(namespace, plan, &tier.id, role, window)?;
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
                return Err(plan.fail(
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
        check_alarm_name(&tier_name).map_err(|p| plan.fail("metadata.name", p))?;
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
        let members: Vec<&str> = plan
            .tiers
            .iter()
            .filter(|t| t.tier.severity == severity)
            .map(|t| t.tier.id.as_str())
            .collect();
        if members.is_empty() {
            continue;
        }
        let name = format!("{base}/{}", severity_name(severity));
        check_alarm_name(&name).map_err(|p| plan.fail("metadata.name", p))?;
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
                .map(|id| format!("ALARM(\"{base}/{id}\")"))
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
        budget: plan.budget,
        window: plan.slo_period,
        tiers,
        min_events: slo.min_events,
        full_windows_only: spec.policy.partial_windows != sli_core::PartialWindows::Evaluate,
    })
}

/// The metric a published window's alarm watches, in `namespace`.
fn published_metric(
    namespace: &str,
    plan: &Plan<'_, Signal>,
    tier: &str,
    role: WindowRole,
    window: Span,
) -> Result<Metric, CompileError> {
    let spec = plan.spec;
    Metric::new(namespace, "ExcessBadEvents")
        .and_then(|m| m.with_dimension("SLO", spec.slo.name.clone()))
        .and_then(|m| m.with_dimension("Policy", spec.policy_name.clone()))
        .and_then(|m| m.with_dimension("Tier", tier))
        .and_then(|m| m.with_dimension("Window", format!("{}-{window}", role.as_str())))
        .map_err(|e| {
            plan.fail(
                "published",
                CompileProblem::InvalidMetric {
                    field: "published namespace".into(),
                    reason: e.to_string(),
                },
            )
        })
}

/// The metrics of a window alarm CloudWatch evaluates itself.
fn native_metrics(
    plan: &Plan<'_, Signal>,
    period: u32,
    ratio_threshold: f64,
    burn: f64,
    window: Span,
) -> Result<Vec<MetricDataQuery>, CompileProblem> {
    let spec = plan.spec;
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
    if ids.contains("excess") {
        return Err(CompileProblem::MetricId {
            id: "excess".into(),
            reason: "is reserved for the alarm's own expression",
        });
    }
    metrics.push(MetricDataQuery::expression(
        "excess",
        format!("IF({guard}, {bad} - {ratio_threshold} * total)"),
        format!("bad events above {burn}x the budget over {window}"),
        true,
    ));
    Ok(metrics)
}
