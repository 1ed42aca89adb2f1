//! SLO + alert policy → recording rules per window, window states, multi-window alerts, the
//! absent-data alert and the error-budget rules.

use std::collections::{BTreeSet, HashMap};

use sli_core::{MissingData, Severity, Sli, Span, Window};

use super::Spec;
use super::compiled::{CompiledSlo, TierAlert};
use super::expr::{Condition, Slo, Texts, cat, matchers};
use super::limits::{check_selectors, check_tiers};
use super::names;
use super::options::{Options, check_options};
use super::query::Signal;
use super::rules::{AlertingRule, RecordingRule, Rule};
use crate::error::{CompileError, CompileProblem, Engine};
use crate::plan::{Plan, PlannedTier, decimal_percent, percent, sli_name};

/// What the specs of one SLO id compiled so far emitted (its later specs, other policies of
/// the same SLO, share the recordings).
struct Emitted<'a> {
    /// The service and SLO names the recordings are labelled with: `<service>-<slo>` is the
    /// id, so `a-b`/`c` and `a`/`b-c` share one, but not their labels.
    names: (&'a str, &'a str),
    signal: &'a Signal,
    ratios: BTreeSet<Span>,
    totals: BTreeSet<Span>,
    states: Vec<Condition>,
    absent: bool,
    budget: bool,
}

/// Compiles SLOs and their alert policies into Prometheus rules.
///
/// For each SLO: the error ratio over every window its policy uses
/// (`slo:sli_error:ratio_rate<window>`, Sloth's name, labels `sloth_id`, `sloth_service`,
/// `sloth_slo`, `sloth_window`), and one alert per tier (`ErrorBudgetBurn`, labels `severity`
/// and `sloth_severity` `page` or `ticket`, `tier`, `policy`) firing when the ratio over both
/// windows exceeds `burn × budget`, written as `(14.4 * 0.001)` with `sli-core`'s budget (the
/// target's decimal complement) so that PromQL computes the very product `sli-core` compares
/// with. A window without events (or with fewer
/// than the SLO's minimum) follows the SLO's [`MissingData`]: `Good` does not fire, `Bad`
/// fires, `Skip` keeps the window's last state (a recording rule reading its own previous
/// value). An absent-data alert fires when the total has no series for
/// [`Options::absent_for`]. The error-budget rules follow Sloth's names
/// (`slo:period_error_budget_remaining:ratio`…).
///
/// # Errors
/// [`CompileError`] naming the SLO, its document, the field and [`Engine::Prometheus`]: what
/// every engine refuses (see [`cloudwatch::compile`](crate::cloudwatch::compile)), a
/// time-slice SLI, a calendar window (PromQL ranges are fixed durations, so the budget of the
/// current calendar period has no rule), a minimum number of events over a total that is not a
/// counter, two specs of one SLO with different signals, two SLOs whose Sloth id
/// (`<service>-<slo>`) is the same (service `a-b` with SLO `c`, service `a` with SLO `b-c`),
/// options out of range. [`CompileProblem::TooManyTiers`] for a policy of more than
/// [`MAX_TIERS`](super::MAX_TIERS) tiers, and [`CompileProblem::InvalidSourceField`] with
/// [`QueryError::TooLong`](super::QueryError::TooLong) for a query longer than
/// [`MAX_QUERY_BYTES`](super::MAX_QUERY_BYTES): together they bound the rules of one spec
/// (about 8.1 MiB of query text at both caps; the rules used to grow as the product of the two,
/// unbounded).
///
/// # Example
/// ```
/// use slo_compiler::SloSpec;
/// use slo_compiler::prometheus::{compile, Options, Query, Signal};
/// use sli_core::{catalog, AlertPolicy, MissingData};
///
/// let mut slo = catalog::availability("checkout");
/// slo.missing_data = MissingData::Good;
/// let spec = SloSpec::new(slo, AlertPolicy::default(), Signal::Bad {
///     bad: Query::counter(r#"http_requests_total{job="checkout",code=~"5.."}"#)?,
///     total: Query::counter(r#"http_requests_total{job="checkout"}"#)?,
/// });
/// let compiled = compile(&[spec], &Options::default())?;
/// let slo = &compiled.slos[0];
/// assert_eq!(slo.id, "checkout-checkout");
/// assert_eq!(slo.windows.len(), 7); // 5m 30m 1h 2h 6h 1d 3d
/// assert_eq!(slo.tiers[0].labels.iter().find(|(k, _)| k == "severity").unwrap().1, "page");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn compile(specs: &[Spec], options: &Options) -> Result<super::Compiled, CompileError> {
    let mut slos = Vec::with_capacity(specs.len());
    // Per SLO id: the signal its rules were compiled from, and the rules already emitted.
    let mut seen: HashMap<String, Emitted<'_>> = HashMap::with_capacity(specs.len());
    for spec in specs {
        let plan = Plan::new(spec, Engine::Prometheus)?;
        check_options(&plan, options)?;
        let compiled = compile_one(plan, options, &mut seen)?;
        slos.push(compiled);
    }
    Ok(super::Compiled {
        slos,
        options: options.clone(),
    })
}

fn compile_one<'a>(
    plan: Plan<'a, Signal>,
    options: &Options,
    seen: &mut HashMap<String, Emitted<'a>>,
) -> Result<CompiledSlo, CompileError> {
    let spec = plan.spec;
    let slo = &spec.slo;
    if !matches!(slo.sli, Sli::EventRatio) {
        return Err(plan.fail(
            "spec.indicator",
            CompileProblem::Unsupported {
                what: format!(
                    "{}: the Prometheus rules count events (a ratio of good or bad to total)",
                    sli_name(&slo.sli)
                ),
            },
        ));
    }
    check_tiers(&plan)?;
    check_selectors(&plan)?;
    let slo_window = match slo.window {
        Window::Rolling(span) => span,
        // A calendar window, or any window that is not a fixed span.
        _ => {
            return Err(plan.fail(
                "spec.timeWindow",
                CompileProblem::Unsupported {
                    what: "a calendar window: PromQL ranges are fixed durations, so no rule computes the budget of the current calendar period (compile a rolling window of the same length instead)".into(),
                },
            ));
        }
    };
    let min_events = (slo.min_events > 0.0).then_some(slo.min_events);
    if min_events.is_some() && !spec.signal.total().counts_events() {
        return Err(plan.fail(
            "spec.indicator.spec.ratioMetric.total",
            CompileProblem::Unsupported {
                what: "a minimum number of events over a total given as a template: only a counter says how many events a window holds".into(),
            },
        ));
    }
    let labels = names::slo_labels(&spec.service, &slo.name);
    let id = labels.id().to_owned();
    let emitted = seen.entry(id.clone()).or_insert_with(|| Emitted {
        names: (&spec.service, &slo.name),
        signal: &spec.signal,
        ratios: BTreeSet::new(),
        totals: BTreeSet::new(),
        states: Vec::new(),
        absent: false,
        budget: false,
    });
    // Another SLO's recordings under this id carry other labels: this SLO's alerts, which
    // select its own labels, would read series nobody records and never fire.
    if emitted.signal != &spec.signal || emitted.names != (spec.service.as_str(), slo.name.as_str())
    {
        return Err(plan.fail(
            "metadata.name",
            CompileProblem::DuplicateName { name: id.clone() },
        ));
    }
    let target = slo.objective.target();
    let mut windows: Vec<Span> = Vec::new();
    let mut conditions: Vec<Condition> = Vec::new();
    for t in plan.all_tiers() {
        for window in [t.tier.long_window, t.tier.short_window] {
            if !windows.contains(&window) {
                windows.push(window);
            }
            let c = Condition {
                window,
                burn: t.burn,
            };
            if !conditions.contains(&c) {
                conditions.push(c);
            }
        }
    }
    windows.sort();
    let text = Texts {
        windows: windows.iter().map(|w| (*w, w.to_string())).collect(),
        burns: plan
            .all_tiers()
            .map(|t| (t.burn.to_bits(), t.burn.to_string()))
            .collect(),
    };
    let s = Slo {
        matchers: matchers(&labels),
        labels,
        // sli-core's budget, the target's decimal complement rounded once, printed in full
        // (the shortest text that reads back as it): PromQL's `1 - 0.999` would be binary
        // arithmetic on the target, 0.0010000000000000009, not the 0.001 sli-core compares with.
        budget_expr: format!("{}", slo.objective.error_budget()),
        min_events,
        plan,
        text,
    };
    let plan = &s.plan;
    let mut rules = Vec::new();
    let parts = spec.signal.parts();
    let window_labels = |window: Span| {
        let mut l = Vec::with_capacity(4);
        l.extend(s.labels.iter().cloned());
        l.push((names::WINDOW.into(), s.text.window(window).into_owned()));
        l
    };
    for &window in &windows {
        if emitted.ratios.insert(window) {
            rules.push(Rule::Record(RecordingRule {
                record: cat(&[names::ERROR_RATIO_PREFIX, &s.text.window(window)]),
                expr: parts.error_ratio(&s.text.window(window)),
                labels: window_labels(window),
            }));
        }
        if min_events.is_some() && emitted.totals.insert(window) {
            rules.push(Rule::Record(RecordingRule {
                record: cat(&[names::TOTAL_PREFIX, &s.text.window(window)]),
                expr: parts.total(&s.text.window(window)),
                labels: window_labels(window),
            }));
        }
    }
    if slo.missing_data == MissingData::Skip {
        for &c in &conditions {
            if !emitted.states.contains(&c) {
                emitted.states.push(c);
                let mut rule = s.state_rule(c);
                rule.labels.splice(0..0, window_labels(c.window));
                rules.push(Rule::Record(rule));
            }
        }
    }
    let mut tiers = Vec::new();
    for t in &plan.tiers {
        let (alert, tier_rules) = tier_rules(&s, t, slo_window, options, false);
        tiers.push(alert);
        rules.extend(tier_rules);
    }
    if let Some(gate) = &plan.gate {
        let (alert, gate_rules) = tier_rules(&s, gate, slo_window, options, true);
        tiers.push(alert);
        rules.extend(gate_rules);
    }
    let absent_severity = names::severity(if slo.missing_data == MissingData::Bad {
        Severity::Page
    } else {
        Severity::Ticket
    });
    let mut absent_labels = s.labels.to_vec();
    absent_labels.push(("severity".into(), absent_severity.into()));
    absent_labels.extend(team_label(spec));
    absent_labels.sort();
    let shortest = windows
        .first()
        .copied()
        .unwrap_or(Span::from_minutes(5).unwrap_or(Span::HOUR));
    if !std::mem::replace(&mut emitted.absent, true) {
        rules.push(Rule::Alert(AlertingRule {
            alert: options.absent_alert_name.clone(),
            expr: format!("absent({})", parts.total(&shortest.to_string())),
            for_: Some(options.absent_for),
            labels: as_templates(absent_labels.clone()),
            annotations: as_templates(vec![
                (
                    "title".into(),
                    format!("{} {} SLO has no data.", spec.service, slo.name),
                ),
                (
                    "summary".into(),
                    format!(
                        "The total events of the {} {} SLO have returned no series for {}: its alerts cannot fire.",
                        spec.service, slo.name, options.absent_for
                    ),
                ),
            ]
            .into_iter()
            .chain(runbook_annotation(spec))),
        }));
    }
    let mut budget_rules = Vec::new();
    if !std::mem::replace(&mut emitted.budget, true) {
        let base = s.labels.to_vec();
        let on = format!(
            "on ({}, {}, {}) group_left",
            names::ID,
            names::SERVICE,
            names::SLO
        );
        let record = |record: &str, expr: String, labels: Vec<(String, String)>| {
            Rule::Record(RecordingRule {
                record: record.into(),
                expr,
                labels,
            })
        };
        if !windows.contains(&slo_window) {
            budget_rules.push(record(
                &format!("{}{slo_window}", names::ERROR_RATIO_PREFIX),
                parts.error_ratio(&slo_window.to_string()),
                window_labels(slo_window),
            ));
        }
        let filter = format!("{{{}}}", s.matchers);
        budget_rules.push(record(
            "slo:objective:ratio",
            format!("vector({target})"),
            base.clone(),
        ));
        budget_rules.push(record(
            "slo:error_budget:ratio",
            format!("vector({})", s.budget_expr),
            base.clone(),
        ));
        budget_rules.push(record(
            "slo:time_period:days",
            format!("vector({})", slo_window.seconds() as f64 / 86_400.0),
            base.clone(),
        ));
        if let Some(&shortest) = windows.first() {
            budget_rules.push(record(
                "slo:current_burn_rate:ratio",
                format!(
                    "{}\n/ {on}\nslo:error_budget:ratio{filter}",
                    s.ratio(shortest)
                ),
                base.clone(),
            ));
        }
        budget_rules.push(record(
            "slo:period_burn_rate:ratio",
            format!(
                "{}\n/ {on}\nslo:error_budget:ratio{filter}",
                s.ratio(slo_window)
            ),
            base.clone(),
        ));
        budget_rules.push(record(
            "slo:period_error_budget_remaining:ratio",
            format!("1 - slo:period_burn_rate:ratio{filter}"),
            base.clone(),
        ));
        let mut info = base.clone();
        info.push(("sloth_objective".into(), decimal_percent(target)));
        budget_rules.push(record("sloth_slo_info", "vector(1)".into(), info));
    }
    Ok(CompiledSlo {
        id,
        slo: slo.name.clone(),
        service: spec.service.clone(),
        policy: spec.policy_name.clone(),
        burn_rate_rules: rules,
        budget_rules,
        tiers,
        absent_labels,
        windows,
        slo_window,
        error_budget: plan.budget,
        spec: spec.clone(),
    })
}

/// `team: <owner>`, when the SLO has an owner.
fn team_label(spec: &Spec) -> Option<(String, String)> {
    spec.routing
        .owner
        .as_ref()
        .map(|o| (names::TEAM.to_owned(), o.as_str().to_owned()))
}

/// Labels or annotations of an alerting rule, written so that each expands to its value:
/// Prometheus expands them as Go templates when the alert fires, and a service or SLO name
/// may hold `{{`, which would open an action (`{{{.window}}` failed to load; `{{.window}}`
/// loaded and gave the alert other labels than the SLO's). The values kept in
/// [`TierAlert`](super::TierAlert) stay as they are: they are what the fired alert carries.
fn as_templates(pairs: impl IntoIterator<Item = (String, String)>) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .map(|(key, value)| (key, value.replace("{{", r#"{{"{{"}}"#)))
        .collect()
}

/// `runbook_url: <url>`, when the SLO has a runbook.
fn runbook_annotation(spec: &Spec) -> Option<(String, String)> {
    spec.routing
        .runbook
        .as_ref()
        .map(|r| ("runbook_url".to_owned(), r.as_str().to_owned()))
}

/// The alert of one tier (or of the release gate), and the rules before it.
///
/// A sustain rule `M of M` is Prometheus's `for: (M-1)m`: the expression must hold at M
/// evaluations a minute apart, the first making the alert pending and the M-th firing it,
/// and the alert resolves at the first evaluation where it does not hold, as `sli-core`'s
/// sustain filter drops at the first clear minute. `N of M` with `N < M` records the tier's
/// condition every minute (`slo:tier_breach:state`, 1 or 0) and fires when the last M
/// recordings hold at least N ones (`sum_over_time` over `M-1` minutes and a half, so that
/// exactly M samples fall in the range whether its left end is closed, as in Prometheus 2,
/// or open, as in Prometheus 3).
fn tier_rules(
    s: &Slo<'_>,
    t: &PlannedTier<'_>,
    slo_window: Span,
    options: &Options,
    gate: bool,
) -> (TierAlert, Vec<Rule>) {
    let plan = &s.plan;
    let spec = plan.spec;
    let slo = &spec.slo;
    let tier = &t.tier;
    let severity = names::severity(tier.severity);
    let long = Condition {
        window: tier.long_window,
        burn: t.burn,
    };
    let short = Condition {
        window: tier.short_window,
        burn: t.burn,
    };
    let condition = cat(&[
        "max without (",
        names::WINDOW,
        ", ",
        names::BURN_RATE,
        ") (\n  (",
        &s.firing(long),
        ")\n  and ignoring (",
        names::WINDOW,
        ", ",
        names::BURN_RATE,
        ")\n  (",
        &s.firing(short),
        ")\n)",
    ]);
    // The SLO's labels come with the expression too; repeating them makes each rule
    // distinct, as `promtool check rules` asks of rules sharing an alert name.
    let mut rule_labels = s.labels.to_vec();
    if !gate {
        rule_labels.extend([
            ("severity".to_owned(), severity.to_owned()),
            (names::SEVERITY.to_owned(), severity.to_owned()),
        ]);
    }
    rule_labels.extend([
        ("tier".to_owned(), tier.id.clone()),
        ("policy".to_owned(), spec.policy_name.clone()),
    ]);
    rule_labels.extend(team_label(spec));
    let mut rules = Vec::new();
    let (expr, for_) = match t.sustain() {
        None => (condition, None),
        Some(rule) if rule.datapoints_to_alarm() == rule.evaluation_periods() => (
            condition,
            Span::from_minutes(i64::from(rule.evaluation_periods()) - 1).ok(),
        ),
        Some(rule) => {
            let mut state_labels = s.labels.to_vec();
            state_labels.extend([
                ("tier".to_owned(), tier.id.clone()),
                ("policy".to_owned(), spec.policy_name.clone()),
            ]);
            let selector = cat(&[
                names::TIER_STATE,
                "{",
                &s.matchers,
                ",tier=",
                &super::expr::quote(&tier.id),
                ",policy=",
                &super::expr::quote(&spec.policy_name),
                "}",
            ]);
            rules.push(Rule::Record(RecordingRule {
                record: names::TIER_STATE.into(),
                expr: cat(&["count(\n", &condition, "\n) or vector(0)"]),
                labels: state_labels,
            }));
            let range = format!("{}m30s", rule.evaluation_periods() - 1);
            (
                format!(
                    "sum_over_time({selector}[{range}]) >= {}",
                    rule.datapoints_to_alarm()
                ),
                None,
            )
        }
    };
    let sustained = t.sustain().map_or_else(String::new, |r| {
        format!(
            ", on {} of the last {} minutes",
            r.datapoints_to_alarm(),
            r.evaluation_periods()
        )
    });
    let budget_percent = percent(plan.budget);
    let mut annotations = if gate {
        vec![
            (
                "title".to_owned(),
                format!(
                    "{} {} SLO: releases halted, the error budget burns too fast.",
                    spec.service, slo.name
                ),
            ),
            (
                "summary".to_owned(),
                format!(
                    "{} {} SLO: the error ratio over {} and over {} is above {} times the error budget ({} %): halt releases.",
                    spec.service,
                    slo.name,
                    tier.long_window,
                    tier.short_window,
                    s.text.burn(t.burn),
                    budget_percent
                ),
            ),
        ]
    } else {
        vec![
            (
                "title".to_owned(),
                format!(
                    "({severity}) {} {} SLO error budget burn rate is too fast.",
                    spec.service, slo.name
                ),
            ),
            (
                "summary".to_owned(),
                format!(
                    "{} {} SLO: the error ratio over {} and over {} is above {} times the error budget ({} %){sustained}.",
                    spec.service,
                    slo.name,
                    tier.long_window,
                    tier.short_window,
                    s.text.burn(t.burn),
                    budget_percent
                ),
            ),
            (
                "description".to_owned(),
                format!(
                    "Tier {} of policy {}: at this rate {} % of the {} error budget is spent within {}.",
                    tier.id,
                    spec.policy_name,
                    percent(tier.budget_fraction(plan.slo_period)),
                    slo_window,
                    tier.long_window
                ),
            ),
        ]
    };
    annotations.extend(runbook_annotation(spec));
    let alert_name = if gate {
        &options.gate_alert_name
    } else {
        &options.alert_name
    };
    let mut labels = rule_labels.clone();
    labels.sort();
    let alert = TierAlert {
        alert: alert_name.clone(),
        tier: tier.id.clone(),
        severity: tier.severity,
        long_window: tier.long_window,
        short_window: tier.short_window,
        burn: t.burn,
        labels,
        annotations: annotations.clone(),
    };
    rules.push(Rule::Alert(AlertingRule {
        alert: alert_name.clone(),
        expr,
        for_,
        labels: as_templates(rule_labels),
        annotations: as_templates(annotations),
    }));
    (alert, rules)
}
