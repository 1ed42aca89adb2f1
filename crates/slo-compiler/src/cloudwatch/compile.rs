//! SLO + alert policy → burn-rate metric alarms, composite alarms per tier, per severity and
//! for the release gate, and the maintenance alarm that suppresses notifications.

use std::collections::BTreeSet;

use aws_telemetry::Metric;
use sli_core::{MissingData, Severity, Sli, Span};

use super::Compiled;
use super::Spec;
use super::compiled::{CompiledSlo, PublishedWindow, WindowRole, severity_name};
use super::findings::{findings_alarm, findings_metric};
use super::maintenance::maintenance;
use super::model::{
    AlarmTag, CompositeAlarm, MetricAlarm, MetricDataQuery, MetricStat, TreatMissingData,
};
use super::names::{
    MAX_METRICS_PER_ALARM, MAX_NATIVE_WINDOW_SECONDS, MAX_SUB_HOUR_EVALUATION_SECONDS,
    alarm_metric, check_alarm_description, check_alarm_name, check_alarm_rule, check_signal,
    source_entries,
};
use super::options::{CompileOptions, check_options};
use super::signal::Signal;
use crate::error::{CompileError, CompileProblem, Engine};
use crate::plan::{POLICY_NAME_FIELD, Plan, PlannedTier, SERVICE_FIELD, percent, sli_name};

/// Compiles SLOs and their alert policies into CloudWatch alarms.
///
/// For each enabled tier of each policy: one metric-math alarm per window (long, then short)
/// whose metrics have the window as their period and one evaluation period, firing when the
/// error ratio over the window divided by the error budget exceeds the tier's burn-rate
/// threshold — written `IF(total > 0, bad − threshold × budget × total) > 0` so that CloudWatch
/// decides exactly as `sli-core` does (`bad > threshold × budget × total`, no division to round
/// at the boundary) and a window without events is missing data; then a composite alarm per
/// tier (`ALARM(long) AND ALARM(short)`), and one per severity over its tiers
/// (`ALARM(tier) OR …`) carrying the severity's actions: one notification per SLO and severity
/// however many of its tiers fire. `TreatMissingData` follows the SLO's
/// [`MissingData`](sli_core::MissingData). Thresholds given as budget fractions are scaled to
/// the SLO window exactly as [`PolicyEvaluator`](sli_core::PolicyEvaluator) scales them.
///
/// * A tier's sustain rule `M of M` (OpenSLO `alertAfter`, the "5 minutes sustained" of
///   noise reduction) becomes `EvaluationPeriods = DatapointsToAlarm = M` on both window
///   alarms, whose datapoints are then a minute apart: published windows (one-minute alarms
///   over a published metric) or one-minute windows. All of M minutes of both windows is
///   exactly all of M minutes of the tier.
/// * A release gate ([`SloSpec::release_gate`](crate::SloSpec::release_gate)) is a tier of its
///   own, `<prefix><slo>/<policy>/release-gate`, with no actions: the alarm CodeDeploy's
///   deployment groups and CodePipeline's stage conditions read.
/// * The ticket alarm's actions are suppressed while the page alarm is in `ALARM` (one
///   notification for the tiers of one SLO), and both while a maintenance window is open:
///   the maintenance alarm, which EventBridge Scheduler sets, is their `ActionsSuppressor`.
/// * The owner ([`Routing`](sli_core::Routing)) picks the team's topics and tags every alarm
///   `Owner`; the runbook ends every description.
///
/// # Errors
/// [`CompileError`] naming the SLO, its document and the field: invalid names, a tier that
/// can never fire or looks back further than the SLO window, a window over seven days or over a
/// time-slice SLI without [`CompileOptions::published`], more than ten metrics (or ten
/// expressions) in an alarm, a sustain rule CloudWatch cannot evaluate as `sli-core` does
/// ([`CompileProblem::Sustain`]: N of M, or more than a day of minutes), maintenance windows
/// that never end, a release gate that can never fire, invalid policies (through `sli-core`),
/// actions that are not ARNs; and among the others [`CompileProblem`] lists: a recurring
/// maintenance window in a fixed offset ([`CompileProblem::MaintenanceZone`]), options
/// CloudWatch would refuse (more than 5 actions, suppressor seconds that are not whole
/// minutes: [`CompileProblem::InvalidOption`]), an alarm description, composite rule or
/// alarm count past CloudWatch's limits ([`CompileProblem::AlarmDescription`],
/// [`CompileProblem::AlarmRuleLength`], [`CompileProblem::TooManyRuleAlarms`]), and two
/// SLOs compiling to one name ([`CompileProblem::DuplicateName`]).
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
///     Some("IF(total > 0, bad - 0.014400000000000001 * total)"));
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
    Ok(Compiled {
        slos,
        scheduler_role_arn: options.scheduler_role_arn.clone(),
    })
}

/// What one SLO's alarms share: names, routing text, tags, the missing-data treatment.
struct Context<'p, 'a> {
    plan: &'p Plan<'a, Signal>,
    options: &'p CompileOptions,
    base: String,
    treat: TreatMissingData,
    /// ` Runbook: … Owner: ….`, appended to descriptions.
    routing: String,
    tags: Vec<AlarmTag>,
}

/// The alarms of one tier (or of the release gate).
struct TierAlarms {
    metric_alarms: Vec<MetricAlarm>,
    composite: CompositeAlarm,
    published: Vec<PublishedWindow>,
}

fn compile_one(
    plan: &Plan<'_, Signal>,
    options: &CompileOptions,
) -> Result<CompiledSlo, CompileError> {
    let spec = plan.spec;
    let slo = &spec.slo;
    check_options(plan, options)?;
    match (&slo.sli, &spec.signal) {
        (Sli::EventRatio, Signal::Good { .. } | Signal::Bad { .. }) => {}
        (Sli::TimeSlice { slice, .. }, Signal::Value { .. }) if *slice == Span::MINUTE => {}
        (sli, _) => {
            return Err(plan.fail(
                "spec.indicator",
                CompileProblem::Unsupported {
                    what: format!(
                        "{} with this metric source (event ratios from counts, or time slices of one minute from a value)",
                        sli_name(sli)
                    ),
                },
            ));
        }
    }
    check_signal(&spec.signal).map_err(|p| plan.fail("spec.indicator", p))?;
    let mut routing = String::new();
    if let Some(runbook) = &spec.routing.runbook {
        routing.push_str(" Runbook: ");
        routing.push_str(runbook.as_str());
    }
    if let Some(owner) = &spec.routing.owner {
        routing.push_str(" Owner: ");
        routing.push_str(owner.as_str());
    }
    let tags = spec
        .routing
        .owner
        .iter()
        .map(|o| AlarmTag {
            key: "Owner".into(),
            value: o.as_str().to_owned(),
        })
        .collect();
    let ctx = Context {
        plan,
        options,
        base: format!("{}{}/{}", options.prefix, slo.name, spec.policy_name),
        treat: TreatMissingData::from(slo.missing_data),
        routing,
        tags,
    };
    let base = &ctx.base;
    let maintenance_name = format!("{base}/maintenance");
    let maintenance = maintenance(&maintenance_name, &slo.name, &spec.maintenance)
        .map_err(|p| plan.fail("maintenance", p))?;
    if maintenance.is_some() {
        check_alarm_name(&maintenance_name).map_err(|p| plan.fail("metadata.name", p))?;
    }
    let mut metric_alarms = Vec::new();
    let mut composite_alarms = Vec::new();
    let mut published = Vec::new();
    let mut tiers = Vec::new();
    if let Some(m) = &maintenance {
        let mut alarm = m.alarm.clone();
        alarm.tags.clone_from(&ctx.tags);
        metric_alarms.push(alarm);
    }
    for planned in &plan.tiers {
        let alarms = tier_alarms(&ctx, planned)?;
        metric_alarms.extend(alarms.metric_alarms);
        composite_alarms.push(alarms.composite);
        published.extend(alarms.published);
        tiers.push((
            planned.tier.id.clone(),
            planned.tier.severity,
            planned.tier.long_window,
            planned.burn,
        ));
    }
    let release_gate = match &plan.gate {
        Some(gate) => {
            let alarms = tier_alarms(&ctx, gate)?;
            metric_alarms.extend(alarms.metric_alarms);
            let name = alarms.composite.alarm_name.clone();
            composite_alarms.push(alarms.composite);
            published.extend(alarms.published);
            Some(name)
        }
        None => None,
    };
    let team = spec
        .routing
        .owner
        .as_ref()
        .and_then(|o| options.team_actions.get(o));
    // Per severity, the alarm of the findings behind the SLO (with `CompileOptions::findings`).
    let mut findings = Vec::new();
    if let Some(namespace) = &options.findings {
        for severity in [Severity::Page, Severity::Ticket] {
            let metric = findings_metric(namespace, &slo.name, severity)
                .map_err(|p| plan.fail("options.findings", p))?;
            let name = format!("{base}/findings-{severity}");
            check_alarm_name(&name).map_err(|p| plan.fail("metadata.name", p))?;
            let mut alarm = findings_alarm(&name, &slo.name, severity, &metric);
            alarm.tags.clone_from(&ctx.tags);
            metric_alarms.push(alarm);
            findings.push((severity, metric));
        }
    }
    let has_page =
        !findings.is_empty() || plan.tiers.iter().any(|t| t.tier.severity == Severity::Page);
    let page_name = format!("{base}/{}", severity_name(Severity::Page));
    for severity in [Severity::Page, Severity::Ticket] {
        let mut members: Vec<String> = plan
            .tiers
            .iter()
            .filter(|t| t.tier.severity == severity)
            .map(|t| t.tier.id.clone())
            .collect();
        if !findings.is_empty() {
            members.push(format!("findings-{severity}"));
        }
        if members.is_empty() {
            continue;
        }
        let name = format!("{base}/{}", severity_name(severity));
        check_alarm_name(&name).map_err(|p| plan.fail("metadata.name", p))?;
        let actions = match (severity, team) {
            (Severity::Page, Some(team)) => team.page.clone(),
            (Severity::Ticket, Some(team)) => team.ticket.clone(),
            (Severity::Page, None) => options.page_actions.clone(),
            (Severity::Ticket, None) => options.ticket_actions.clone(),
        };
        // Tickets wait while the SLO pages; everything waits while maintenance is open.
        let suppressor = match (severity, has_page, &maintenance) {
            (Severity::Ticket, true, Some(_)) => {
                let name = format!("{base}/suppress-ticket");
                check_alarm_name(&name).map_err(|p| plan.fail("metadata.name", p))?;
                let mut either = CompositeAlarm::new(
                    &name,
                    format!("ALARM(\"{page_name}\") OR ALARM(\"{maintenance_name}\")"),
                );
                either.alarm_description = Some(format!(
                    "SLO {}: while it pages or a maintenance window is open, its ticket alarm stays silent.",
                    slo.name
                ));
                either.tags.clone_from(&ctx.tags);
                composite_alarms.push(either);
                Some(name)
            }
            (Severity::Ticket, true, None) => Some(page_name.clone()),
            (_, _, Some(_)) => Some(maintenance_name.clone()),
            _ => None,
        };
        let mut alarm = CompositeAlarm::new(
            name,
            members
                .iter()
                .map(|id| format!("ALARM(\"{base}/{id}\")"))
                .collect::<Vec<_>>()
                .join(" OR "),
        );
        let what = if findings.is_empty() {
            ""
        } else {
            " or a finding behind it"
        };
        alarm.alarm_description = Some(format!(
            "SLO {}: {severity} when any of its {severity} tiers fires{what}.{}",
            slo.name, ctx.routing
        ));
        alarm.actions_enabled = !actions.is_empty();
        if spec.notify_resolved {
            // OKActions take fewer kinds of action than AlarmActions (check_options checked).
            super::actions::check(plan, &actions, super::actions::Use::AlarmAndOk)?;
            alarm.ok_actions.clone_from(&actions);
        }
        alarm.alarm_actions = actions;
        if suppressor.is_some() {
            alarm.actions_suppressor_wait_period = Some(options.suppressor_wait_seconds);
            alarm.actions_suppressor_extension_period = Some(options.suppressor_extension_seconds);
        }
        alarm.actions_suppressor = suppressor;
        alarm.tags.clone_from(&ctx.tags);
        composite_alarms.push(alarm);
    }
    let described = metric_alarms
        .iter()
        .map(|a| (&a.alarm_name, &a.alarm_description))
        .chain(
            composite_alarms
                .iter()
                .map(|a| (&a.alarm_name, &a.alarm_description)),
        )
        .chain(
            maintenance
                .iter()
                .map(|m| (&m.alarm.alarm_name, &m.alarm.alarm_description)),
        );
    for (name, description) in described {
        check_alarm_description(name, description.as_deref())
            .map_err(|p| plan.fail("routing", p))?;
    }
    for composite in &composite_alarms {
        check_alarm_rule(composite).map_err(|p| plan.fail("spec.alertPolicies", p))?;
    }
    // The service titles dashboard widgets: serde_json writes DEL and the C1 controls raw,
    // which CloudFormation's YAML 1.1 reader (and cfn-lint) refuse in a template, so it is
    // held to the alarm names' rule (checked after them: the service defaults to the SLO's
    // name, whose alarm names say more).
    if spec.service.chars().any(char::is_control) {
        return Err(plan.fail(
            SERVICE_FIELD,
            CompileProblem::InvalidName {
                name: spec.service.clone(),
                reason: "contains a control character",
            },
        ));
    }
    Ok(CompiledSlo {
        slo: slo.name.clone(),
        service: spec.service.clone(),
        metric_alarms,
        composite_alarms,
        published,
        release_gate,
        maintenance,
        findings,
        signal: spec.signal.clone(),
        budget: plan.budget,
        window: plan.slo_period,
        tiers,
        gate_burn: plan.gate.as_ref().map(|g| g.burn),
        min_events: slo.min_events,
        full_windows_only: spec.policy.partial_windows != sli_core::PartialWindows::Evaluate,
    })
}

/// The two window alarms of a tier and its composite.
fn tier_alarms(
    ctx: &Context<'_, '_>,
    planned: &PlannedTier<'_>,
) -> Result<TierAlarms, CompileError> {
    let plan = ctx.plan;
    let spec = plan.spec;
    let slo = &spec.slo;
    let tier = &planned.tier;
    let (burn, ratio_threshold) = (planned.burn, planned.ratio_threshold);
    let field = format!("tier {}", tier.id);
    let sustain = planned.sustain();
    if let Some(rule) = sustain {
        let refuse = |reason: &str| {
            plan.fail(
                format!("{field} alertAfter"),
                CompileProblem::Sustain {
                    tier: tier.id.clone(),
                    rule: planned.sustain_text(),
                    reason: reason.to_owned(),
                },
            )
        };
        if rule.datapoints_to_alarm() < rule.evaluation_periods() {
            return Err(refuse(
                "CloudWatch applies N of M to each window's alarm, and N of M minutes of each window is not N of M minutes of both windows; only M of M is (Prometheus compiles any N of M)",
            ));
        }
        // Both window alarms of a sustained tier have one-minute periods (published windows or
        // one-minute windows) and EvaluationPeriods = M.
        let range = u64::from(rule.evaluation_periods()) * 60;
        if range > MAX_SUB_HOUR_EVALUATION_SECONDS {
            return Err(refuse(&format!(
                "its alarms would evaluate {} one-minute periods ({range} s), and CloudWatch evaluates at most {MAX_SUB_HOUR_EVALUATION_SECONDS} s for periods under an hour (PutMetricAlarm); Prometheus compiles it",
                rule.evaluation_periods()
            )));
        }
        if slo.missing_data == MissingData::Skip {
            return Err(refuse(
                "with missing data kept (TreatMissingData ignore), CloudWatch keeps the alarm's state through missing datapoints rather than counting each minute's last judgement (choose missing data good or bad: in OpenSLO `alertWhenNoData: true` on the alert policy, which reads missing data as bad, or the SLO annotation `sre-toolkit/missing-data: good` or `bad`; in code `Slo::missing_data`; or compile for Prometheus)",
            ));
        }
    }
    let tier_name = format!("{}/{}", ctx.base, tier.id);
    let mut metric_alarms = Vec::new();
    let mut published = Vec::new();
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
        // N of M minutes needs datapoints a minute apart: a window's own alarm has one per
        // window length.
        let minute_datapoints = sustain.is_none() || window == Span::MINUTE;
        let native = spec.signal.is_counts()
            && window.seconds() <= MAX_NATIVE_WINDOW_SECONDS
            && minute_datapoints;
        let description = format!(
            "SLO {} ({}): error ratio over {window} / error budget ({} %) > {burn} (tier {}, {}, {} window).{}",
            slo.name,
            slo.objective,
            percent(plan.budget),
            tier.id,
            tier.severity,
            role.as_str(),
            ctx.routing
        );
        let metrics = if native {
            native_metrics(plan, seconds, ratio_threshold, burn, window)
                .map_err(|p| plan.fail("spec.indicator", p))?
        } else {
            let Some(namespace) = &ctx.options.published else {
                let problem = if !spec.signal.is_counts() {
                    CompileProblem::NeedsPublishing {
                        tier: tier.id.clone(),
                        reason: "a time-slice SLI's per-minute judgements cannot be summed over a window by one alarm".into(),
                    }
                } else if window.seconds() > MAX_NATIVE_WINDOW_SECONDS {
                    CompileProblem::WindowTooLong {
                        tier: tier.id.clone(),
                        window,
                        max_seconds: MAX_NATIVE_WINDOW_SECONDS,
                    }
                } else {
                    CompileProblem::Sustain {
                        tier: tier.id.clone(),
                        rule: planned.sustain_text(),
                        reason: format!(
                            "CloudWatch counts a window alarm's EvaluationPeriods in periods of the window ({window}), not in minutes; set CompileOptions::published to evaluate the window every minute"
                        ),
                    }
                };
                let field = if matches!(problem, CompileProblem::Sustain { .. }) {
                    format!("{field} alertAfter")
                } else {
                    format!("{field} lookbackWindow")
                };
                return Err(plan.fail(field, problem));
            };
            let metric = published_metric(namespace, plan, &tier.id, role, window)?;
            let mut entry = MetricDataQuery::metric(
                "excess",
                MetricStat::new(alarm_metric(&metric), 60, "Maximum"),
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
        // A signal gives at most two expressions and the alarm adds `excess`, so only the
        // metrics can pass ten today; both are checked so that a richer signal cannot slip by.
        let retrieved = metrics.iter().filter(|m| m.metric_stat.is_some()).count();
        for (kind, count) in [
            ("metrics", retrieved),
            ("expressions", metrics.len() - retrieved),
        ] {
            if count > MAX_METRICS_PER_ALARM {
                return Err(plan.fail(
                    "spec.indicator",
                    CompileProblem::TooManyMetrics {
                        alarm: name,
                        kind,
                        count,
                        max: MAX_METRICS_PER_ALARM,
                    },
                ));
            }
        }
        let mut alarm = MetricAlarm::new(name.clone(), metrics, "GreaterThanThreshold", 0.0);
        alarm.alarm_description = Some(description);
        alarm.treat_missing_data = ctx.treat;
        if let Some(rule) = sustain {
            alarm.evaluation_periods = rule.evaluation_periods();
            alarm.datapoints_to_alarm = rule.datapoints_to_alarm();
        }
        alarm.tags.clone_from(&ctx.tags);
        metric_alarms.push(alarm);
        window_names.push(name);
    }
    check_alarm_name(&tier_name).map_err(|p| plan.fail("metadata.name", p))?;
    let sustained = sustain.map_or_else(String::new, |_| {
        format!(" for {} minutes", planned.sustain_text())
    });
    let mut composite = CompositeAlarm::new(
        tier_name,
        window_names
            .iter()
            .map(|n| format!("ALARM(\"{n}\")"))
            .collect::<Vec<_>>()
            .join(" AND "),
    );
    composite.alarm_description = Some(if tier.id == sli_core::ReleaseGate::TIER_ID {
        format!(
            "SLO {}: release gate. In ALARM while the burn rate exceeds {burn}x over both {} and {}: releases halt (CodeDeploy alarm configuration, CodePipeline stage conditions).{}",
            slo.name, tier.long_window, tier.short_window, ctx.routing
        )
    } else {
        format!(
            "SLO {}: tier {} ({}) burns faster than {burn}x over both {} and {}{sustained}.{}",
            slo.name, tier.id, tier.severity, tier.long_window, tier.short_window, ctx.routing
        )
    });
    composite.tags.clone_from(&ctx.tags);
    Ok(TierAlarms {
        metric_alarms,
        composite,
        published,
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
    super::findings::publishable("published", namespace).map_err(|p| plan.fail("published", p))?;
    let metric = Metric::new(namespace, "ExcessBadEvents").map_err(|e| {
        plan.fail(
            "published",
            CompileProblem::InvalidMetric {
                field: "published namespace".into(),
                reason: e.to_string(),
            },
        )
    })?;
    // Each dimension value comes from a field of the spec, which the error names.
    [
        ("SLO", spec.slo.name.clone(), "metadata.name".to_owned()),
        (
            "Policy",
            spec.policy_name.clone(),
            POLICY_NAME_FIELD.to_owned(),
        ),
        ("Tier", tier.to_owned(), format!("tier {tier} id")),
        (
            "Window",
            format!("{}-{window}", role.as_str()),
            format!("tier {tier} lookbackWindow"),
        ),
    ]
    .into_iter()
    .try_fold(metric, |metric, (dimension, value, field)| {
        metric.with_dimension(dimension, value).map_err(|e| {
            plan.fail(
                field,
                CompileProblem::InvalidMetric {
                    field: format!("published dimension {dimension}"),
                    reason: e.to_string(),
                },
            )
        })
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
    metrics.push(MetricDataQuery::expression(
        "excess",
        format!("IF({guard}, {bad} - {ratio_threshold} * total)"),
        format!("bad events above {burn}x the budget over {window}"),
        true,
    ));
    Ok(metrics)
}

#[cfg(test)]
mod tests {
    use aws_telemetry::Statistic;
    use sli_core::{AlertPolicy, AlertTier, Severity, TierThreshold, Window, catalog};

    use super::*;
    use crate::SloSpec;
    use crate::cloudwatch::SignalSource;

    /// A spec whose only tier looks back 8 days, past what an alarm can: published.
    fn published_spec(slo_name: &str) -> Spec {
        let metric = |name| SignalSource::Metric {
            metric: Metric::new("AWS/ApplicationELB", name).unwrap_or_else(|e| panic!("{e}")),
            stat: Statistic::Sum,
        };
        let mut slo = catalog::availability(slo_name);
        slo.window = Window::Rolling(Span::from_days(30).unwrap_or_else(|e| panic!("{e}")));
        let tier = AlertTier::new(
            "t",
            Severity::Page,
            Span::from_days(8).unwrap_or_else(|e| panic!("{e}")),
            Span::HOUR,
            TierThreshold::BurnRate(1.0),
        );
        SloSpec::new(
            slo,
            AlertPolicy::new(vec![tier]),
            Signal::Bad {
                bad: metric("HTTPCode_Target_5XX_Count"),
                total: metric("RequestCount"),
            },
        )
    }

    #[test]
    fn a_published_dimension_refused_names_the_field_that_holds_it() {
        let options = CompileOptions::default().with_published("SLO/Published");
        assert!(compile(&[published_spec("checkout")], &options).is_ok());
        let Err(err) = compile(&[published_spec("café")], &options) else {
            panic!("a non-ASCII SLO name compiled as a dimension value");
        };
        assert_eq!(err.field, "metadata.name");
        assert!(
            matches!(&err.problem, CompileProblem::InvalidMetric { field, .. } if field == "published dimension SLO"),
            "{err}"
        );
    }
}
