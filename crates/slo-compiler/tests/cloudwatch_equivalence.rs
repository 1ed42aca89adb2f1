//! The compiled alarms against `sli-core`, minute by minute: generated series with incidents,
//! gaps, quiet minutes and every missing-data policy are evaluated by the metric-math
//! interpreter (as CloudWatch would evaluate the alarms) and by `PolicyEvaluator::sweep`; the
//! tiers' alert intervals must be identical. Then what CloudWatch cannot express: typed errors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use aws_telemetry::{InMemorySource, Metric, Statistic};
use chrono::TimeDelta;
use common::{Rng, generate, t0, tier};
use sli_core::{
    AlertGroup, AlertInterval, AlertPolicy, AlertTier, Comparison, ErrorBudgetPolicy, EventCounts,
    Interval, MaintenanceError, MaintenanceWindows, MissingData, Objective, PartialWindows,
    PolicyEvaluator, RecurringWindow, ReleaseGate, Series, Severity, Sli, Slo, Span, Sustained,
    TierThreshold, Window, catalog, group_alerts,
};
use slo_compiler::cloudwatch::{
    AlarmMetric, AlarmState, CompileOptions, Compiled, DashboardOptions, MAX_RESOURCES, Signal,
    SignalSource, Simulator, Spec, States, compile, published_points,
};
use slo_compiler::{CompileProblem, SloSpec};

fn alb(name: &str) -> AlarmMetric {
    AlarmMetric {
        namespace: "AWS/ApplicationELB".into(),
        metric_name: name.into(),
        dimensions: Vec::new(),
    }
}

fn source(name: &str) -> SignalSource {
    SignalSource::Metric {
        metric: Metric::new("AWS/ApplicationELB", name).unwrap(),
        stat: Statistic::Sum,
    }
}

fn checkout_policy() -> AlertPolicy {
    AlertPolicy::new(vec![
        tier("page-fast", Severity::Page, 60, 5, 14.4),
        tier("page-slow", Severity::Page, 360, 30, 6.0),
        tier("ticket-fast", Severity::Ticket, 1440, 120, 3.0),
        tier("ticket-slow", Severity::Ticket, 3 * 1440, 360, 1.0),
    ])
    .with_partial_windows(PartialWindows::Evaluate)
}

/// Runs both evaluators and compares every tier's intervals; returns how many alerts fired.
fn check(
    slo: &Slo,
    policy: &AlertPolicy,
    spec: Spec,
    options: &CompileOptions,
    series: &Series<EventCounts>,
    feed: impl Fn(&mut Simulator, &Compiled),
) -> usize {
    let compiled = compile(&[spec], options).unwrap();
    let minutes = ((series.last_time() - t0()).num_minutes() + 1) as usize;
    let mut sim = Simulator::new(t0(), minutes).unwrap();
    feed(&mut sim, &compiled);
    let states: States = sim.run_slo(&compiled.slos[0]).unwrap();
    let alerts = PolicyEvaluator::new(slo, policy, Span::MINUTE)
        .unwrap()
        .sweep(series)
        .unwrap();
    let base = format!("slo/{}/burn-rate", slo.name);
    for tier in policy.enabled_tiers() {
        let expected: Vec<_> = alerts
            .iter()
            .filter(|a| a.tier == tier.id)
            .map(|a| (a.start, a.end))
            .collect();
        let name = format!("{base}/{}", tier.id);
        let got = sim.alarm_intervals(&states[&name]);
        assert_eq!(
            got, expected,
            "tier {} of {} ({:?})",
            tier.id, slo.name, slo.missing_data
        );
    }
    // A severity alarm is in ALARM exactly when one of its tiers is (the release gate is
    // no severity's).
    for severity in [Severity::Page, Severity::Ticket] {
        let tiers: Vec<_> = policy
            .enabled_tiers()
            .filter(|t| t.severity == severity && t.id != ReleaseGate::TIER_ID)
            .map(|t| format!("{base}/{}", t.id))
            .collect();
        if tiers.is_empty() {
            continue;
        }
        let name = format!(
            "{base}/severity-{}",
            if severity == Severity::Page {
                "page"
            } else {
                "ticket"
            }
        );
        for (i, state) in states[&name].iter().enumerate() {
            let any = tiers.iter().any(|t| states[t][i] == AlarmState::Alarm);
            assert_eq!(*state == AlarmState::Alarm, any);
        }
    }
    alerts.len()
}

fn feed_counts(series: &Series<EventCounts>) -> impl Fn(&mut Simulator, &Compiled) + '_ {
    move |sim, _| {
        sim.insert(
            &alb("RequestCount"),
            series.iter().map(|(at, c)| (at, c.total())),
        );
        sim.insert(
            &alb("HTTPCode_Target_5XX_Count"),
            series.iter().map(|(at, c)| (at, c.bad())),
        );
        sim.insert(
            &alb("GoodCount"),
            series.iter().map(|(at, c)| (at, c.good())),
        );
    }
}

#[test]
fn alarms_agree_with_sli_core_minute_by_minute() {
    let mut fired = 0;
    for seed in 1..=4u64 {
        let series = Series::from_counts(generate(seed, 5 * 1440)).unwrap();
        for (missing, min_events) in [
            (MissingData::Skip, 0.0),
            (MissingData::Good, 0.0),
            (MissingData::Bad, 0.0),
            (MissingData::Skip, 2000.0),
        ] {
            let mut slo = Slo::new(
                "checkout",
                Objective::new(0.999).unwrap(),
                Window::rolling(Span::from_days(30).unwrap()),
                Sli::EventRatio,
            );
            slo.missing_data = missing;
            slo.min_events = min_events;
            // Burn-rate thresholds, and the Workbook's budget fractions scaled to the window.
            let mut workbook = AlertPolicy::workbook();
            workbook.partial_windows = PartialWindows::Evaluate;
            for (policy, signal) in [
                (
                    checkout_policy(),
                    Signal::Bad {
                        bad: source("HTTPCode_Target_5XX_Count"),
                        total: source("RequestCount"),
                    },
                ),
                (
                    workbook,
                    Signal::Good {
                        good: source("GoodCount"),
                        total: source("RequestCount"),
                    },
                ),
            ] {
                let spec = SloSpec::new(slo.clone(), policy.clone(), signal);
                fired += check(
                    &slo,
                    &policy,
                    spec,
                    &CompileOptions::default(),
                    &series,
                    feed_counts(&series),
                );
            }
        }
    }
    assert!(
        fired > 50,
        "the generated incidents must fire alerts: {fired}"
    );
}

#[test]
fn metric_math_sources_agree_too() {
    // good = invocations - errors, as an OpenSLO metric-math source would say.
    let series = Series::from_counts(generate(42, 2 * 1440)).unwrap();
    let lambda = |name: &str| Metric::new("AWS/Lambda", name).unwrap();
    let signal = Signal::Good {
        good: SignalSource::Expression {
            expression: "invocations - errors".into(),
            metrics: vec![
                ("invocations".into(), lambda("Invocations"), Statistic::Sum),
                ("errors".into(), lambda("Errors"), Statistic::Sum),
            ],
        },
        total: SignalSource::Metric {
            metric: lambda("Invocations"),
            stat: Statistic::Sum,
        },
    };
    let slo = Slo::new(
        "orders",
        Objective::new(0.995).unwrap(),
        Window::rolling(Span::from_days(28).unwrap()),
        Sli::EventRatio,
    );
    let mut policy = checkout_policy();
    policy.tiers.truncate(3);
    let spec = SloSpec::new(slo.clone(), policy.clone(), signal);
    let at = |name: &str| AlarmMetric {
        namespace: "AWS/Lambda".into(),
        metric_name: name.into(),
        dimensions: Vec::new(),
    };
    let fired = check(
        &slo,
        &policy,
        spec,
        &CompileOptions::default(),
        &series,
        |sim, _| {
            sim.insert(
                &at("Invocations"),
                series.iter().map(|(t, c)| (t, c.total())),
            );
            sim.insert(&at("Errors"), series.iter().map(|(t, c)| (t, c.bad())));
        },
    );
    assert!(fired > 0);
}

/// An 8-day window: longer than the 7 days an alarm can look back.
fn long_policy() -> AlertPolicy {
    AlertPolicy::new(vec![AlertTier::new(
        "ticket-week",
        Severity::Ticket,
        Span::from_days(8).unwrap(),
        Span::from_hours(12).unwrap(),
        TierThreshold::BurnRate(1.0),
    )])
    .with_partial_windows(PartialWindows::Evaluate)
}

#[test]
fn a_window_longer_than_seven_days_is_refused_without_a_published_namespace() {
    let slo = catalog::availability("checkout");
    let spec = SloSpec::new(
        slo,
        long_policy(),
        Signal::Bad {
            bad: source("HTTPCode_Target_5XX_Count"),
            total: source("RequestCount"),
        },
    );
    let err = compile(&[spec], &CompileOptions::default()).unwrap_err();
    assert!(
        matches!(
            &err.problem,
            CompileProblem::WindowTooLong { tier, max_seconds: 604_800, .. } if tier == "ticket-week"
        ),
        "{err}"
    );
    assert_eq!(err.field, "tier ticket-week lookbackWindow");
}

#[tokio::test]
async fn long_windows_are_published_through_a_metric_sink_and_agree() {
    let series = Series::from_counts(generate(7, 9 * 1440)).unwrap();
    let slo = catalog::availability("checkout");
    let policy = long_policy();
    let spec = SloSpec::new(
        slo.clone(),
        policy.clone(),
        Signal::Bad {
            bad: source("HTTPCode_Target_5XX_Count"),
            total: source("RequestCount"),
        },
    );
    let options = CompileOptions::new().with_published("SLO/Published");
    let compiled = compile(std::slice::from_ref(&spec), &options).unwrap();
    let slo_alarms = &compiled.slos[0];
    // The 8-day window is published; the 12-hour one stays a native alarm.
    assert_eq!(slo_alarms.published.len(), 1);
    assert_eq!(slo_alarms.published[0].window, Span::from_days(8).unwrap());
    let long = &slo_alarms.metric_alarms[0];
    assert_eq!(long.metrics.len(), 1);
    assert_eq!(
        long.metrics[0]
            .metric_stat
            .as_ref()
            .unwrap()
            .metric
            .namespace,
        "SLO/Published"
    );
    // Through the MetricSink: the in-memory sink receives the windowed series.
    let memory = InMemorySource::new();
    let calls = slo_compiler::cloudwatch::publish_windows(&memory, slo_alarms, &series)
        .await
        .unwrap();
    assert_eq!(calls, 1);
    assert_eq!(
        memory.metrics(),
        vec![slo_alarms.published[0].metric.clone()]
    );
    let fired = check(
        &slo,
        &policy,
        spec,
        &options,
        &series,
        feed_published(&series),
    );
    assert!(fired > 0);
}

#[test]
fn time_slice_slos_go_through_published_windows_and_agree() {
    // p99 latency per minute, judged against 300 ms.
    let mut rng = Rng(99);
    let values = Series::from_values(
        "p99",
        (0..3 * 1440).filter(|_| !rng.chance(30)).map(|m| {
            let slow = (600..700).contains(&(m % 1440));
            (
                t0() + TimeDelta::minutes(m),
                if slow { 450.0 } else { 120.0 },
            )
        }),
    )
    .unwrap();
    let sli = Sli::TimeSlice {
        comparison: Comparison::Below,
        threshold: 300.0,
        slice: Span::MINUTE,
    };
    for missing in [MissingData::Good, MissingData::Bad, MissingData::Skip] {
        let counts = sli.slice_counts(&values, missing).unwrap();
        let mut slo = Slo::new(
            "latency",
            Objective::new(0.99).unwrap(),
            Window::rolling(Span::from_days(7).unwrap()),
            sli.clone(),
        );
        slo.missing_data = missing;
        let mut policy = checkout_policy();
        policy.tiers.truncate(2);
        let signal = Signal::Value {
            value: SignalSource::Metric {
                metric: Metric::new("AWS/ApplicationELB", "TargetResponseTime").unwrap(),
                stat: "p99".parse().unwrap(),
            },
        };
        let spec = SloSpec::new(slo.clone(), policy.clone(), signal);
        let err = compile(std::slice::from_ref(&spec), &CompileOptions::default()).unwrap_err();
        assert!(matches!(
            err.problem,
            CompileProblem::NeedsPublishing { .. }
        ));
        let options = CompileOptions::new().with_published("SLO/Published");
        let fired = check(&slo, &policy, spec, &options, &counts, |sim, compiled| {
            insert_published(sim, compiled, &counts);
        });
        assert!(fired > 0, "{missing:?}");
    }
}

// ---- what CloudWatch cannot express --------------------------------------------------

fn spec(name: &str) -> Spec {
    let mut slo = catalog::availability(name);
    slo.name = name.into();
    SloSpec::new(
        slo,
        checkout_policy(),
        Signal::Bad {
            bad: source("HTTPCode_Target_5XX_Count"),
            total: source("RequestCount"),
        },
    )
}

#[test]
fn bad_names_and_limits_are_typed_errors() {
    let options = CompileOptions::default();
    let err = compile(&[spec(&"x".repeat(240))], &options).unwrap_err();
    assert!(
        matches!(err.problem, CompileProblem::AlarmName { .. }),
        "{err}"
    );
    assert_eq!(err.field, "metadata.name");
    let err = compile(&[spec("say \"hi\"")], &options).unwrap_err();
    assert!(
        matches!(err.problem, CompileProblem::AlarmName { reason, .. } if reason.contains("double quote"))
    );
    let err = compile(&[spec("tab\there")], &options).unwrap_err();
    assert!(matches!(err.problem, CompileProblem::AlarmName { .. }));
    let err = compile(&[spec("a"), spec("a")], &options).unwrap_err();
    assert!(matches!(err.problem, CompileProblem::DuplicateName { .. }));

    // Eleven metrics: a ten-metric expression and the total (an alarm takes ten metrics and
    // ten expressions, MetricDataQuery in the CloudWatch API Reference).
    let many = SignalSource::Expression {
        expression: "m0 + m1".into(),
        metrics: (0..10)
            .map(|i| {
                (
                    format!("m{i}"),
                    Metric::new("App", format!("Errors{i}")).unwrap(),
                    Statistic::Sum,
                )
            })
            .collect(),
    };
    let mut s = spec("many");
    s.signal = Signal::Bad {
        bad: many,
        total: source("RequestCount"),
    };
    let err = compile(&[s], &options).unwrap_err();
    assert!(
        matches!(
            err.problem,
            CompileProblem::TooManyMetrics {
                kind: "metrics",
                count: 11,
                max: 10,
                ..
            }
        ),
        "{err}"
    );

    // Sustain rules CloudWatch cannot evaluate as sli-core does: M of M minutes on a native
    // window of an hour (its datapoints are an hour apart), N of M below M (N of M of each
    // window is not N of M of both), and missing data kept (`ignore` keeps the alarm's
    // state, not each minute's judgement).
    let mut s = spec("sustained");
    s.slo.missing_data = MissingData::Good;
    s.policy.tiers[0].sustain = Some(Sustained::new(3, 3).unwrap());
    let err = compile(std::slice::from_ref(&s), &options).unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::Sustain { reason, .. } if reason.contains("published")),
        "{err}"
    );
    assert_eq!(err.field, "tier page-fast alertAfter");
    let published = CompileOptions::new().with_published("SLO/Published");
    assert!(compile(std::slice::from_ref(&s), &published).is_ok());
    s.policy.tiers[0].sustain = Some(Sustained::new(2, 3).unwrap());
    let err = compile(std::slice::from_ref(&s), &published).unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::Sustain { rule, reason, .. } if rule == "2 of 3" && reason.contains("N of M")),
        "{err}"
    );
    s.policy.tiers[0].sustain = Some(Sustained::new(3, 3).unwrap());
    s.slo.missing_data = MissingData::Skip;
    let err = compile(&[s], &published).unwrap_err();
    assert!(
        // It names the settings that choose missing data, in a document and in code.
        matches!(&err.problem, CompileProblem::Sustain { reason, .. } if reason.contains("ignore")
            && reason.contains("alertWhenNoData: true")
            && reason.contains("sre-toolkit/missing-data")
            && reason.contains("Slo::missing_data")),
        "{err}"
    );
    // A release gate that can never fire (4x is the most a 75 % objective can burn).
    let mut s = spec("gate");
    s.slo.objective = Objective::new(0.75).unwrap();
    s.policy.tiers.truncate(1);
    s.policy.tiers[0].threshold = TierThreshold::BurnRate(2.0);
    let s = s.with_release_gate(ErrorBudgetPolicy::default().release_gate().unwrap());
    let err = compile(&[s], &options).unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::ReleaseGate { reason } if reason.contains("never fire")),
        "{err}"
    );
    assert_eq!(err.field, "releaseGate");
    // Maintenance that never ends.
    let t = common::t0();
    let s = spec("forever").with_maintenance(MaintenanceWindows::new([Interval::new(
        t,
        t + TimeDelta::days(30),
    )
    .unwrap()]));
    let err = compile(&[s], &options).unwrap_err();
    assert!(
        matches!(
            &err.problem,
            CompileProblem::Maintenance {
                source: MaintenanceError::NeverEnds { field: "end", .. }
            }
        ),
        "{err}"
    );
    assert_eq!(err.field, "maintenance");
    let source = std::error::Error::source(&err.problem).expect("the typed source");
    assert!(source.to_string().contains("maintenance end"), "{source}");
    assert!(
        !err.to_string().contains("maintenance end"),
        "{err} repeats its source"
    );
    // A one-off window ending past year 9999: `at(10000-…)` is no EventBridge expression.
    let last = chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .unwrap()
        .and_hms_opt(23, 0, 0)
        .unwrap()
        .and_utc();
    let s = spec("far").with_maintenance(MaintenanceWindows::new([Interval::new(
        last,
        last + TimeDelta::hours(2),
    )
    .unwrap()]));
    let err = compile(&[s], &options).unwrap_err();
    assert!(
        matches!(
            &err.problem,
            CompileProblem::Maintenance {
                source: MaintenanceError::OutOfRange { field: "end", .. }
            }
        ),
        "{err}"
    );
    assert!(err.problem.to_string().contains("maintenance"), "{err}");
    // A recurring window in a fixed offset: EventBridge Scheduler needs an IANA zone.
    let s = spec("offset").with_maintenance(
        MaintenanceWindows::default().with_recurring(
            RecurringWindow::daily(
                chrono::NaiveTime::from_hms_opt(1, 0, 0).unwrap(),
                Span::HOUR,
                "+05:30".parse().unwrap(),
            )
            .unwrap(),
        ),
    );
    let err = compile(&[s], &options).unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::MaintenanceZone { zone } if zone == "+05:30"),
        "{err}"
    );
    assert_eq!(err.field, "maintenance");

    // A threshold above 1 / (1 - target) can never fire.
    let mut s = spec("never");
    s.policy.tiers[0].threshold = TierThreshold::BurnRate(1500.0);
    let err = compile(&[s], &options).unwrap_err();
    assert!(matches!(err.problem, CompileProblem::Policy(_)));
    assert_eq!(err.field, "tier page-fast threshold");

    let bad_action = CompileOptions::new().with_page_actions(["my-topic"]);
    assert!(matches!(
        compile(&[spec("a")], &bad_action).unwrap_err().problem,
        CompileProblem::InvalidAction { .. }
    ));
    // Any ARN was taken: an Auto Scaling policy (no page) or a topic name SNS refuses was
    // found only when CloudFormation deployed the stack.
    for (action, reason) in [
        (
            "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x",
            "is not one of a composite alarm's AlarmActions",
        ),
        (
            "arn:aws:sns:us-east-1:123456789012:on call",
            "is not a resource",
        ),
        ("arn:aws:sns:us-east-1:12345:page", "12-digit account"),
    ] {
        let err = compile(
            &[spec("a")],
            &CompileOptions::new().with_ticket_actions([action]),
        )
        .unwrap_err();
        assert_eq!(err.field, "actions");
        assert!(
            matches!(&err.problem, CompileProblem::InvalidAction { action: a, reason: r }
                if a == action && r.contains(reason)),
            "{err}"
        );
    }

    // An SLO that notifies when resolved puts its actions in OKActions too, which take SNS
    // topics and Lambda functions only: an OpsItem is refused there, taken otherwise.
    let opsitem =
        CompileOptions::new().with_page_actions(["arn:aws:ssm:us-east-1:123456789012:opsitem:1"]);
    compile(&[spec("a")], &opsitem).unwrap();
    let err = compile(&[spec("a").with_notify_resolved(true)], &opsitem).unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::InvalidAction { reason, .. } if reason.contains("OKActions")),
        "{err}"
    );

    // Dashboard names: letters, digits, - and _ only; a service named otherwise gets boards
    // named from it, which CloudWatch takes.
    let mut s = spec("svc");
    s.service = "check out".into();
    let compiled = compile(&[s], &options).unwrap();
    let names: Vec<String> = compiled
        .dashboards(&DashboardOptions::default())
        .unwrap()
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert_eq!(names.len(), 3);
    for name in &names {
        assert!(name.starts_with("check-out-"), "{name}");
        assert!(
            name.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{name}"
        );
    }
}

#[test]
fn cloudformation_respects_the_resource_limit() {
    let specs: Vec<_> = (0..40).map(|i| spec(&format!("slo-{i}"))).collect();
    let compiled = compile(&specs, &CompileOptions::default()).unwrap();
    let dashboards = compiled.dashboards(&DashboardOptions::default()).unwrap();
    // 40 SLOs x (8 + 4 + 2) = 560 alarms.
    let err = compiled.cloudformation(&dashboards).unwrap_err();
    assert!(matches!(
        err.problem,
        CompileProblem::TooManyResources {
            resources: 680,
            max: MAX_RESOURCES
        }
    ));
    let stacks = compiled
        .cloudformation_stacks(&dashboards, MAX_RESOURCES)
        .unwrap();
    assert_eq!(stacks.len(), 2);
    let total: usize = stacks
        .iter()
        .map(|t| t["Resources"].as_object().unwrap().len())
        .sum();
    assert_eq!(total, 560 + dashboards.len());
    // Composite alarms depend on the alarms they name.
    let first = stacks[0]["Resources"].as_object().unwrap();
    let composite = first
        .values()
        .find(|r| r["Type"] == "AWS::CloudWatch::CompositeAlarm")
        .unwrap();
    assert_eq!(composite["DependsOn"].as_array().unwrap().len(), 2);
}

// ---- sustain rules, the release gate, maintenance and routing ------------------------

/// Generated counts whose first `clean` minutes have traffic and no errors: CloudWatch reads
/// the minutes before an alarm's first datapoint as missing (breaching, when missing data is
/// bad), `sli-core` starts with no history; after M clean minutes both agree.
fn clean_start(seed: u64, minutes: i64, clean: i64) -> Series<EventCounts> {
    let mut points = generate(seed, minutes);
    points.retain(|(t, _, _)| (*t - t0()).num_minutes() >= clean);
    points.extend((0..clean).map(|m| (t0() + TimeDelta::minutes(m), 1000.0, 1000.0)));
    points.sort_by_key(|(t, _, _)| *t);
    Series::from_counts(points).unwrap()
}

/// Inserts the windows the compiled SLO publishes, computed from `series`, into `sim`.
fn insert_published(sim: &mut Simulator, compiled: &Compiled, series: &Series<EventCounts>) {
    for (window, points) in published_points(&compiled.slos[0], series) {
        sim.insert(&(&window.metric).into(), points);
    }
}

fn feed_published(series: &Series<EventCounts>) -> impl Fn(&mut Simulator, &Compiled) + '_ {
    move |sim, compiled| {
        feed_counts(series)(sim, compiled);
        insert_published(sim, compiled, series);
    }
}

#[test]
fn sustain_rules_and_the_release_gate_agree_with_sli_core() {
    let mut fired = 0;
    let mut sustained_alarms = 0;
    for seed in 11..=13u64 {
        let series = clean_start(seed, 3 * 1440, 30);
        for missing in [MissingData::Good, MissingData::Bad] {
            let mut slo = catalog::availability("checkout");
            slo.missing_data = missing;
            let mut policy = checkout_policy();
            policy.tiers.truncate(3);
            // The "5 minutes sustained" of noise reduction, and a longer one on a ticket.
            policy.tiers[0].sustain = Some(Sustained::new(5, 5).unwrap());
            policy.tiers[2].sustain = Some(Sustained::new(30, 30).unwrap());
            let spec = SloSpec::new(
                slo.clone(),
                policy,
                Signal::Bad {
                    bad: source("HTTPCode_Target_5XX_Count"),
                    total: source("RequestCount"),
                },
            )
            .with_release_gate(ErrorBudgetPolicy::default().release_gate().unwrap());
            let evaluated = spec.evaluated_policy().into_owned();
            let options = CompileOptions::new().with_published("SLO/Published");
            let compiled = compile(std::slice::from_ref(&spec), &options).unwrap();
            let alarms = &compiled.slos[0].metric_alarms;
            sustained_alarms += alarms.iter().filter(|a| a.evaluation_periods > 1).count();
            assert!(alarms.iter().any(|a| a.evaluation_periods == 5
                && a.datapoints_to_alarm == 5
                && a.metrics[0].metric_stat.as_ref().unwrap().period == 60));
            assert_eq!(
                compiled.slos[0].release_gate.as_deref(),
                Some("slo/checkout/burn-rate/release-gate")
            );
            fired += check(
                &slo,
                &evaluated,
                spec,
                &options,
                &series,
                feed_published(&series),
            );
        }
    }
    assert_eq!(sustained_alarms, 3 * 2 * 4);
    assert!(fired > 20, "the generated incidents must fire: {fired}");
}

/// A moved sustain rule or gate threshold is caught: the comparison is not vacuous.
#[test]
fn a_sustain_rule_off_by_one_minute_is_caught() {
    let series = clean_start(12, 3 * 1440, 30);
    let mut slo = catalog::availability("checkout");
    slo.missing_data = MissingData::Good;
    let mut policy = checkout_policy();
    policy.tiers.truncate(1);
    policy.tiers[0].sustain = Some(Sustained::new(5, 5).unwrap());
    let spec = SloSpec::new(
        slo.clone(),
        policy.clone(),
        Signal::Bad {
            bad: source("HTTPCode_Target_5XX_Count"),
            total: source("RequestCount"),
        },
    );
    let mut expected_policy = policy;
    expected_policy.tiers[0].sustain = Some(Sustained::new(6, 6).unwrap());
    let options = CompileOptions::new().with_published("SLO/Published");
    let result = std::panic::catch_unwind(|| {
        check(
            &slo,
            &expected_policy,
            spec,
            &options,
            &series,
            feed_published(&series),
        )
    });
    // It must fail on the tier's intervals, not on anything else along the way.
    let payload = result.expect_err("6 of 6 minutes must differ from 5 of 5");
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(
        message.contains("tier page-fast of checkout"),
        "failed for another reason: {message}"
    );
}

/// Alerts of one severity as the severity alarm sees them: overlapping or touching tiers
/// merged (`group_alerts`), each as an interval `MaintenanceWindows::suppress` takes.
fn episodes(alerts: &[AlertInterval], severity: Severity) -> Vec<AlertInterval> {
    let of: Vec<AlertInterval> = alerts
        .iter()
        .filter(|a| a.severity == severity && a.tier != ReleaseGate::TIER_ID)
        .cloned()
        .collect();
    group_alerts(of, |_| ())
        .into_iter()
        .map(|g: AlertGroup<()>| {
            let mut a = g.alerts[0].clone();
            a.start = g.start;
            a.end = g.end;
            a
        })
        .collect()
}

#[test]
fn maintenance_windows_and_paging_suppress_notifications_as_sli_core_does() {
    let mut notified = 0;
    let mut suppressed = 0;
    for seed in 21..=23u64 {
        let series = Series::from_counts(generate(seed, 7 * 1440)).unwrap();
        let end = series.last_time() + TimeDelta::days(1);
        let mut slo = catalog::availability("checkout");
        slo.missing_data = MissingData::Good;
        let policy = checkout_policy();
        // A one-off change on day 3, and every day 01:30-04:00 in Paris (CEST: 23:30-02:00
        // UTC the day before), crossing midnight in UTC.
        let maintenance = MaintenanceWindows::new([Interval::new(
            t0() + TimeDelta::hours(2 * 24 + 10),
            t0() + TimeDelta::hours(2 * 24 + 16),
        )
        .unwrap()])
        .with_recurring(
            RecurringWindow::daily(
                chrono::NaiveTime::from_hms_opt(1, 30, 0).unwrap(),
                Span::from_minutes(150).unwrap(),
                "Europe/Paris".parse().unwrap(),
            )
            .unwrap(),
        );
        let spec = SloSpec::new(
            slo.clone(),
            policy.clone(),
            Signal::Bad {
                bad: source("HTTPCode_Target_5XX_Count"),
                total: source("RequestCount"),
            },
        )
        .with_maintenance(maintenance.clone());
        let options = CompileOptions::new()
            .with_page_actions(["arn:aws:sns:us-east-1:123456789012:page"])
            .with_ticket_actions(["arn:aws:sns:us-east-1:123456789012:ticket"])
            .with_suppressor_periods(0, 0);
        let compiled = compile(std::slice::from_ref(&spec), &options).unwrap();
        let slo_alarms = &compiled.slos[0];
        let schedules = &slo_alarms.maintenance.as_ref().unwrap().schedules;
        assert_eq!(schedules.len(), 4);
        assert!(schedules.iter().any(|s| s.expression
            == "cron(30 1 ? * MON,TUE,WED,THU,FRI,SAT,SUN *)"
            && s.timezone == "Europe/Paris"));
        let minutes = ((series.last_time() - t0()).num_minutes() + 1) as usize;
        let mut sim = Simulator::new(t0(), minutes).unwrap();
        feed_counts(&series)(&mut sim, &compiled);
        sim.set_schedules(schedules).unwrap();
        let states = sim.run_slo(slo_alarms).unwrap();
        // The maintenance alarm is in ALARM exactly inside the windows.
        let maintenance_states = &states["slo/checkout/burn-rate/maintenance"];
        for (i, state) in maintenance_states.iter().enumerate() {
            assert_eq!(
                *state == AlarmState::Alarm,
                maintenance.is_suppressed(sim.instant(i)),
                "minute {i}"
            );
        }
        let alerts = PolicyEvaluator::new(&slo, &policy, Span::MINUTE)
            .unwrap()
            .sweep(&series)
            .unwrap();
        let pages = episodes(&alerts, Severity::Page);
        // Tickets wait while their SLO pages, as during maintenance.
        let paging: Vec<Interval> = pages
            .iter()
            .map(|p| Interval::new(p.start, p.end.unwrap_or(end)).unwrap())
            .collect();
        let mut ticket_quiet =
            MaintenanceWindows::new(maintenance.once().iter().copied().chain(paging));
        for r in maintenance.recurring() {
            ticket_quiet = ticket_quiet.with_recurring(r.clone());
        }
        for (severity, quiet) in [
            (Severity::Page, &maintenance),
            (Severity::Ticket, &ticket_quiet),
        ] {
            let episodes = episodes(&alerts, severity);
            let expected: Vec<_> = quiet
                .suppress(episodes.clone())
                .into_iter()
                .map(|a| a.start)
                .collect();
            suppressed += episodes.len() - expected.len()
                + quiet
                    .suppress(episodes)
                    .iter()
                    .filter(|a| a.suppressed)
                    .count();
            let composite = slo_alarms.severity_alarm(severity).unwrap();
            let got = sim.notifications(&states, composite).unwrap();
            assert_eq!(got, expected, "{severity} notifications, seed {seed}");
            notified += got.len();
        }
    }
    assert!(notified > 10, "{notified} notifications");
    assert!(suppressed > 0, "the windows must suppress something");
}

#[test]
fn the_longest_runbook_and_owner_fit_cloudwatch_description_limit() {
    // The longest runbook URL and owner, with an SLO name as long as alarm names allow: every
    // description stays within CloudWatch's 1,024 characters (the compiler checks each one and
    // refuses with `CompileProblem::AlarmDescription` otherwise).
    let runbook = format!(
        "https://wiki.example.com/{}",
        "r".repeat(sli_core::MAX_RUNBOOK_URL - 25)
    );
    let mut s = spec("checkout").with_routing(
        sli_core::Routing::new()
            .with_runbook(runbook.parse().unwrap())
            .with_owner("o".repeat(64).parse().unwrap()),
    );
    s.slo.name = format!("checkout-{}", "n".repeat(190));
    let compiled = compile(&[s], &CompileOptions::default()).unwrap();
    let slo = &compiled.slos[0];
    let longest = slo
        .metric_alarms
        .iter()
        .map(|a| &a.alarm_description)
        .chain(slo.composite_alarms.iter().map(|a| &a.alarm_description))
        .filter_map(|d| d.as_deref())
        .map(|d| d.chars().count())
        .max()
        .unwrap();
    assert!(
        longest > 700,
        "{longest}: the routing is in the descriptions"
    );
    assert!(
        longest <= slo_compiler::cloudwatch::MAX_ALARM_DESCRIPTION,
        "{longest}"
    );
}

#[test]
fn a_published_namespace_cloudwatch_refuses_is_a_typed_error() {
    // PutMetricData refuses AWS/ namespaces: the 8-day window could never be published.
    let spec = SloSpec::new(
        catalog::availability("checkout"),
        long_policy(),
        Signal::Bad {
            bad: source("HTTPCode_Target_5XX_Count"),
            total: source("RequestCount"),
        },
    );
    let err = compile(
        std::slice::from_ref(&spec),
        &CompileOptions::new().with_published("AWS/Published"),
    )
    .unwrap_err();
    assert!(
        matches!(
            &err.problem,
            slo_compiler::CompileProblem::InvalidOption {
                option: "published",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("AWS/Published"), "{err}");
    assert!(
        compile(
            &[spec],
            &CompileOptions::new().with_published("SLO/Published")
        )
        .is_ok()
    );
}
