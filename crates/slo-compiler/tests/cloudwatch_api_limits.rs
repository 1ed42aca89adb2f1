//! Valid SLO specs whose CloudWatch output the AWS APIs would refuse, held to the limits the API
//! references document (cfn-lint checks the resource schemas only, not what PutMetricAlarm,
//! PutCompositeAlarm or CloudFormation's `Fn::Sub` refuse). Each spec is refused at compile
//! time with a typed error naming the value and the limit; the spec just inside the limit
//! compiles.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// The closures return the crate's own `Result<_, CompileError>`, large by design (see lib.rs).
#![allow(clippy::result_large_err)]

use crate::common;

use aws_telemetry::{Metric, Statistic};
use common::{alb_availability, tier};
use sli_core::{AlertPolicy, MissingData, Severity, Sustained};
use slo_compiler::cloudwatch::{
    CompileOptions, Dashboard, DashboardOptions, MAX_RESOURCES, MAX_TEMPLATE_BYTES, Signal,
    SignalSource, Spec, TeamActions, compile,
};
use slo_compiler::{CompileError, CompileProblem, SloSpec};

fn alb(name: &str) -> Metric {
    Metric::new("AWS/ApplicationELB", name).unwrap()
}

fn spec(policy: AlertPolicy) -> Spec {
    alb_availability(policy, alb)
}

fn topics(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("arn:aws:sns:us-east-1:123456789012:topic-{i}"))
        .collect()
}

/// PutMetricAlarm: for a period under an hour, `Period × EvaluationPeriods` is at most a day.
/// A sustain rule of M minutes puts `EvaluationPeriods = M` on one-minute alarms.
#[test]
fn a_sustain_rule_longer_than_a_day_of_minutes_is_refused() {
    let sustained = |m: u32| {
        let mut policy = AlertPolicy::default();
        policy.tiers[0].sustain = Some(Sustained::new(m, m).unwrap());
        let mut spec = spec(policy);
        // A sustain rule counts each minute's judgement: missing data must be judged.
        spec.slo.missing_data = MissingData::Good;
        compile(&[spec], &CompileOptions::new().with_published("App/SLO"))
    };
    let compiled = sustained(1_440).unwrap();
    let alarm = &compiled.slos[0].metric_alarms[0];
    assert_eq!(alarm.evaluation_periods, 1_440);
    assert!(
        alarm
            .metrics
            .iter()
            .filter_map(|m| m.metric_stat.as_ref())
            .all(|m| m.period == 60)
    );
    let err = sustained(1_441).unwrap_err();
    assert_eq!(err.field, "tier page-fast alertAfter");
    let CompileProblem::Sustain { tier, rule, reason } = &err.problem else {
        panic!("{err}");
    };
    assert_eq!(
        (tier.as_str(), rule.as_str()),
        ("page-fast", "1441 of 1441")
    );
    assert!(reason.contains("86400"), "{reason}");
}

/// PutCompositeAlarm: `AlarmActions` and `OKActions` hold at most five ARNs.
#[test]
fn more_than_five_topics_for_one_severity_are_refused() {
    let run = |options: CompileOptions| compile(&[spec(AlertPolicy::default())], &options);
    let five = run(CompileOptions::new()
        .with_page_actions(topics(5))
        .with_ticket_actions(topics(5)))
    .unwrap();
    assert!(five.composite_alarms().all(|c| c.alarm_actions.len() <= 5));
    let option = |err: CompileError| match err.problem {
        CompileProblem::InvalidOption { option, reason } => (option, reason),
        other => panic!("{other}"),
    };
    let (name, reason) =
        option(run(CompileOptions::new().with_page_actions(topics(6))).unwrap_err());
    assert_eq!(name, "page_actions");
    assert!(reason.contains('6') && reason.contains('5'), "{reason}");
    let (name, _) = option(run(CompileOptions::new().with_ticket_actions(topics(6))).unwrap_err());
    assert_eq!(name, "ticket_actions");
    let team = CompileOptions::new().with_team_actions(
        "payments".parse().unwrap(),
        TeamActions::new(topics(1), topics(7)),
    );
    let (name, reason) = option(run(team).unwrap_err());
    assert_eq!(name, "team_actions");
    assert!(
        reason.contains("payments") && reason.contains('7'),
        "{reason}"
    );
}

/// PutCompositeAlarm: a rule names at most 100 alarms, in at most 10,240 characters.
#[test]
fn a_severity_rule_past_put_composite_alarm_limits_is_refused() {
    let tiers = |n: usize, id: &dyn Fn(usize) -> String| {
        AlertPolicy::new(
            (0..n)
                .map(|i| tier(&id(i), Severity::Page, 60, 5, 14.4))
                .collect(),
        )
    };
    let short = |i: usize| format!("p{i}");
    let hundred = compile(&[spec(tiers(100, &short))], &CompileOptions::new()).unwrap();
    let page = hundred
        .composite_alarms()
        .find(|c| c.alarm_name == "slo/checkout/burn-rate/severity-page")
        .unwrap();
    assert_eq!(page.children().len(), 100);
    let err = compile(&[spec(tiers(101, &short))], &CompileOptions::new()).unwrap_err();
    assert_eq!(
        err.problem,
        CompileProblem::TooManyRuleAlarms {
            alarm: "slo/checkout/burn-rate/severity-page".into(),
            count: 101,
            max: 100,
        }
    );
    // 50 tiers of 200-character ids: each `ALARM("…")` is over 230 characters.
    let long = |i: usize| format!("{i:0>200}");
    let err = compile(&[spec(tiers(50, &long))], &CompileOptions::new()).unwrap_err();
    let CompileProblem::AlarmRuleLength { alarm, length, max } = &err.problem else {
        panic!("{err}");
    };
    assert_eq!(
        (alarm.as_str(), *max),
        ("slo/checkout/burn-rate/severity-page", 10_240)
    );
    assert!(*length > 10_240);
}

fn expression_spec(expression: String, id: &str) -> Spec {
    let mut s = spec(AlertPolicy::default());
    s.signal = Signal::Bad {
        bad: SignalSource::Expression {
            expression,
            metrics: vec![(
                id.to_owned(),
                alb("HTTPCode_Target_5XX_Count"),
                Statistic::Sum,
            )],
        },
        total: SignalSource::Metric {
            metric: alb("RequestCount"),
            stat: Statistic::Sum,
        },
    };
    s
}

/// MetricDataQuery: `Expression` is 1 to 2,048 characters, `Id` at most 255.
#[test]
fn a_metric_math_expression_or_id_past_the_api_limits_is_refused() {
    let padded = |length: usize| format!("e5xx{}", " + 0".repeat((length - 4) / 4));
    assert_eq!(padded(2_048).len(), 2_048);
    compile(
        &[expression_spec(padded(2_048), "e5xx")],
        &CompileOptions::new(),
    )
    .unwrap();
    let err = compile(
        &[expression_spec(padded(2_052), "e5xx")],
        &CompileOptions::new(),
    )
    .unwrap_err();
    assert_eq!(
        err.problem,
        CompileProblem::ExpressionLength {
            id: "bad".into(),
            length: 2_052,
            max: 2_048,
        }
    );
    let err = compile(
        &[expression_spec(String::new(), "e5xx")],
        &CompileOptions::new(),
    )
    .unwrap_err();
    assert!(matches!(
        err.problem,
        CompileProblem::ExpressionLength { length: 0, .. }
    ));
    let id = format!("e{}", "x".repeat(255));
    let err = compile(&[expression_spec(id.clone(), &id)], &CompileOptions::new()).unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::MetricId { id: got, .. } if *got == id),
        "{err}"
    );
    let id = format!("e{}", "x".repeat(254));
    compile(&[expression_spec(id.clone(), &id)], &CompileOptions::new()).unwrap();
}

/// CloudFormation's `Fn::Sub` reads `${…}` in the dashboard body as a variable: an SLO, alarm
/// or metric name holding `${` would fail the stack or be silently replaced.
#[test]
fn text_holding_a_sub_variable_is_refused_in_dashboards() {
    let dashboards = |s: Spec| {
        compile(&[s], &CompileOptions::new())
            .unwrap()
            .dashboards(&DashboardOptions::default())
    };
    dashboards(spec(AlertPolicy::default())).unwrap();
    let mut named = spec(AlertPolicy::default()).with_service("checkout");
    named.slo.name = "checkout-${Env}".into();
    let err = dashboards(named).unwrap_err();
    assert_eq!(err.field, "metadata.name");
    assert!(err.to_string().contains("checkout-${Env}"), "{err}");
    let mut dimensioned = spec(AlertPolicy::default());
    dimensioned.signal = sub_variable_in_a_dimension();
    let err = dashboards(dimensioned).unwrap_err();
    assert!(err.to_string().contains("app/${AWS::Region}/1"), "{err}");
    // The service names the alarm widgets' titles: since any service gets a dashboard name,
    // one holding `${` reached the body (found by the session's review).
    let serviced = spec(AlertPolicy::default()).with_service("checkout-${Env}");
    let err = dashboards(serviced).unwrap_err();
    assert_eq!(err.field, "spec.service");
    assert!(err.to_string().contains("checkout-${Env}"), "{err}");
}

/// A 5xx signal whose load balancer dimension holds `${AWS::Region}`.
fn sub_variable_in_a_dimension() -> Signal {
    Signal::Bad {
        bad: SignalSource::Metric {
            metric: alb("HTTPCode_Target_5XX_Count")
                .with_dimension("LoadBalancer", "app/${AWS::Region}/1")
                .unwrap(),
            stat: Statistic::Sum,
        },
        total: SignalSource::Metric {
            metric: alb("RequestCount"),
            stat: Statistic::Sum,
        },
    }
}

/// cfn-lint reads `${` in an alarm's name, description or rule as a parameter left outside
/// `Fn::Sub` (E1029): a template without dashboards, whose alarms held `${AWS::Region}` from
/// the SLO's name, passed where the dashboards refused the same text.
#[test]
fn an_alarm_holding_a_sub_variable_is_refused_by_the_template() {
    let template = |s: Spec| {
        compile(&[s], &CompileOptions::new())
            .unwrap()
            .cloudformation(&[])
    };
    template(spec(AlertPolicy::default())).unwrap();
    let mut named = spec(AlertPolicy::default()).with_service("checkout");
    named.slo.name = "${AWS::Region}".into();
    let err = template(named).unwrap_err();
    assert_eq!(err.field, "metadata.name", "{err}");
    assert!(
        matches!(&err.problem, CompileProblem::SubVariable { text } if text == "${AWS::Region}"),
        "{err}"
    );
    let policy = spec(AlertPolicy::default()).with_policy_name("burn-${Env}");
    let err = template(policy).unwrap_err();
    assert_eq!(err.field, "spec.alertPolicies", "{err}");
    let mut policy = AlertPolicy::default();
    policy.tiers[0].id = "page-${Env}".into();
    let err = template(spec(policy)).unwrap_err();
    assert_eq!(err.field, "spec.alertPolicies", "{err}");
    assert!(err.to_string().contains("page-${Env}"), "{err}");
    let mut dimensioned = spec(AlertPolicy::default());
    dimensioned.signal = sub_variable_in_a_dimension();
    let err = template(dimensioned).unwrap_err();
    assert_eq!(err.field, "spec.indicator", "{err}");
    // The split templates check them too.
    let mut named = spec(AlertPolicy::default()).with_service("checkout");
    named.slo.name = "${AWS::Region}".into();
    let err = compile(&[named], &CompileOptions::new())
        .unwrap()
        .cloudformation_stacks(&[], MAX_RESOURCES)
        .unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::SubVariable { .. }),
        "{err}"
    );
}

/// DEL and the C1 controls in the service reached the dashboards' bodies raw (serde_json does
/// not escape them), and cfn-lint could not read the template ("unacceptable character
/// #x007f"): the service is held to the alarm names' rule, no control character.
#[test]
fn a_service_with_a_control_character_is_refused() {
    for service in ["shop\u{7f}", "shop\u{85}", "shop\n"] {
        let serviced = spec(AlertPolicy::default()).with_service(service);
        let err = compile(&[serviced], &CompileOptions::new()).unwrap_err();
        assert_eq!(err.field, "spec.service", "{err}");
        assert!(
            matches!(&err.problem, CompileProblem::InvalidName { name, .. } if name == service),
            "{err}"
        );
    }
}

/// A dashboard name derived for a service CloudWatch would refuse can equal another service's
/// own name; PutDashboard would then overwrite one board with the other.
#[test]
fn a_derived_dashboard_name_taken_by_another_service_is_refused() {
    let boards = |specs: &[Spec]| {
        compile(specs, &CompileOptions::new())
            .unwrap()
            .dashboards(&DashboardOptions::default())
    };
    let dotted = spec(AlertPolicy::default()).with_service("checkout.api");
    let derived = boards(std::slice::from_ref(&dotted)).unwrap()[0]
        .name
        .clone();
    let service = derived.strip_suffix("-executive").unwrap();
    assert!(service.starts_with("checkout-api-"), "{derived}");
    let mut twin = spec(AlertPolicy::default()).with_service(service);
    twin.slo.name = "twin".into();
    let err = boards(&[dotted, twin]).unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::DuplicateName { name } if *name == derived),
        "{err}"
    );
}

/// `Dashboard` is plain data that callers build by hand too; the template used to take its
/// name and body as given, so a body holding `${Env}` reached `Fn::Sub` (the stack fails: no
/// such parameter), and an invalid or repeated name reached PutDashboard.
#[test]
fn hand_built_dashboards_are_held_to_what_compiled_ones_are() {
    let compiled = compile(&[spec(AlertPolicy::default())], &CompileOptions::new()).unwrap();
    let board = |name: &str, text: &str| Dashboard {
        name: name.to_owned(),
        body: serde_json::json!({"widgets": [{"type": "text", "properties": {"markdown": text}}]}),
    };
    let template = |boards: &[Dashboard]| compiled.cloudformation(boards);
    // The variables the compiler writes itself, and no variable at all, pass.
    template(&[
        board("ops", "region ${AWS::Region}, account ${AWS::AccountId}"),
        board("ops-2", "plain text, a lone $ and { } braces"),
    ])
    .unwrap();
    for (text, shown) in [
        ("deployed to ${Env}", "${Env}"),
        ("${AWS::Region} then ${AWS::StackName}", "${AWS::StackName}"),
        ("escaped ${!Literal}", "${!Literal}"),
    ] {
        let err = template(&[board("fine", ""), board("ops", text)]).unwrap_err();
        assert_eq!(err.field, "dashboards[1].body", "{err}");
        assert!(
            matches!(&err.problem, CompileProblem::SubVariable { text } if text.starts_with(shown)),
            "{text}: {err}"
        );
    }
    for name in ["", "checkout.api", "board with spaces", &"x".repeat(256)] {
        let err = template(&[board(name, "")]).unwrap_err();
        assert!(
            matches!(&err.problem, CompileProblem::DashboardName { name: got, .. } if got == name),
            "{name:?}: {err}"
        );
    }
    template(&[board(&"x".repeat(255), "")]).unwrap();
    let err = template(&[board("ops", "a"), board("ops", "b")]).unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::DuplicateName { name } if name == "ops"),
        "{err}"
    );
    assert_eq!(err.field, "dashboards[1].name");
    // A name holding a line break is quoted by the problem, not written raw in the field.
    let err = template(&[board("ops\nforged: line", "")]).unwrap_err();
    assert!(!err.to_string().contains('\n'), "{err}");
    // The split templates check them too.
    let err = compiled
        .cloudformation_stacks(&[board("ops", "${Env}")], MAX_RESOURCES)
        .unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::SubVariable { .. }),
        "{err}"
    );
}

/// `count` SLOs of long (valid) names, dimensions and runbooks: about 2 KB per alarm resource.
fn wordy(count: usize) -> Vec<Spec> {
    (0..count)
        .map(|i| {
            let lb = format!("app/{}-{i}/0123456789abcdef", "x".repeat(200));
            let sum = |name| SignalSource::Metric {
                metric: alb(name)
                    .with_dimension("LoadBalancer", lb.clone())
                    .unwrap(),
                stat: Statistic::Sum,
            };
            let mut s = spec(AlertPolicy::default());
            s.slo.name = format!("{}-{i}", "checkout-service-availability".repeat(5));
            s.signal = Signal::Bad {
                bad: sum("HTTPCode_Target_5XX_Count"),
                total: sum("RequestCount"),
            };
            let runbook = format!("https://runbooks.example.com/{}", "r".repeat(400));
            s.with_routing(sli_core::Routing::new().with_runbook(runbook.parse().unwrap()))
        })
        .collect()
}

/// CloudFormation: a template body in S3 is at most 1 MB; `cloudformation_stacks` splits by
/// size as well as by resource count, and `cloudformation` refuses a template past the size.
#[test]
fn templates_past_cloudformation_size_limit_are_split_or_refused() {
    let compiled = compile(&wordy(40), &CompileOptions::new()).unwrap();
    let stacks = compiled.cloudformation_stacks(&[], MAX_RESOURCES).unwrap();
    let mut resources = 0;
    for template in &stacks {
        let bytes = template.to_string().len();
        assert!(bytes <= MAX_TEMPLATE_BYTES, "{bytes} bytes");
        resources += template["Resources"].as_object().unwrap().len();
    }
    assert_eq!(resources, 40 * 14);
    let compiled = compile(&wordy(35), &CompileOptions::new()).unwrap();
    let err = compiled.cloudformation(&[]).unwrap_err();
    let CompileProblem::TemplateTooLarge { bytes, max } = err.problem else {
        panic!("{err}");
    };
    assert!(bytes > MAX_TEMPLATE_BYTES && max == MAX_TEMPLATE_BYTES);
    let compiled = compile(&wordy(20), &CompileOptions::new()).unwrap();
    assert!(compiled.cloudformation(&[]).is_ok());
}

/// CloudFormation refuses a template whose `Resources` is empty ("At least one Resources member
/// must be defined"), which cfn-lint lets through: nothing to deploy is a typed error for one
/// template and no template at all for stacks. `compile_openslo` on an empty file used to
/// print such a template.
#[test]
fn nothing_to_deploy_is_no_template_not_an_empty_one() {
    let compiled = compile(&[], &CompileOptions::new()).unwrap();
    let err = compiled.cloudformation(&[]).unwrap_err();
    assert!(
        matches!(err.problem, CompileProblem::EmptyTemplate),
        "{err}"
    );
    assert!(err.to_string().contains("at least one resource"), "{err}");
    assert!(
        compiled
            .cloudformation_stacks(&[], MAX_RESOURCES)
            .unwrap()
            .is_empty()
    );
    // A dashboard alone is something to deploy.
    let one = compile(&wordy(1), &CompileOptions::new()).unwrap();
    let dashboards = one.dashboards(&DashboardOptions::default()).unwrap();
    let stacks = compiled
        .cloudformation_stacks(&dashboards, MAX_RESOURCES)
        .unwrap();
    assert_eq!(stacks.len(), 1);
    assert_eq!(
        stacks[0]["Resources"].as_object().unwrap().len(),
        dashboards.len()
    );
}

/// A signal's ids and expressions are held to MetricDataQuery's rules whichever alarms read
/// them: a time-slice SLO's windows are all published, yet its dashboards carry the signal's
/// entries; and `shown`, the id of the dashboards' own expression, is reserved like `excess`.
#[test]
fn signal_ids_are_checked_when_every_window_is_published() {
    let expression = |id: &str| SignalSource::Expression {
        expression: format!("{id} * 1000"),
        metrics: vec![(
            id.to_owned(),
            Metric::new("App", "LatencySeconds").unwrap(),
            Statistic::Maximum,
        )],
    };
    let timeslice = |id: &str| {
        SloSpec::new(
            sli_core::catalog::db_latency_minutes("orders-db"),
            AlertPolicy::default(),
            Signal::Value {
                value: expression(id),
            },
        )
    };
    let published = CompileOptions::new().with_published("SLO/Published");
    compile(&[timeslice("seconds")], &published).unwrap();
    let err = compile(&[timeslice("Seconds")], &published).unwrap_err();
    assert_eq!(err.field, "spec.indicator");
    assert!(
        matches!(&err.problem, CompileProblem::MetricId { id, .. } if id == "Seconds"),
        "{err}"
    );
    let err = compile(&[timeslice("value")], &published).unwrap_err();
    assert!(
        matches!(&err.problem, CompileProblem::MetricId { id, .. } if id == "value"),
        "{err}"
    );
    for reserved in ["shown", "excess"] {
        let mut s = spec(AlertPolicy::default());
        s.signal = Signal::Bad {
            bad: expression(reserved),
            total: SignalSource::Metric {
                metric: alb("RequestCount"),
                stat: Statistic::Sum,
            },
        };
        let err = compile(&[s], &CompileOptions::new()).unwrap_err();
        assert!(
            matches!(&err.problem, CompileProblem::MetricId { id, .. } if id == reserved),
            "{err}"
        );
    }
}

/// MetricDataQuery: "A single PutMetricAlarm call can include up to 20 MetricDataQuery
/// structures", at most 10 with a `MetricStat` and 10 with an `Expression`: an expression over
/// nine metrics and a total (ten metrics, three expressions with the alarm's own) compiles; one
/// more metric is refused, naming the kind.
#[test]
fn an_alarm_takes_ten_metrics_and_ten_expressions() {
    let over = |n: usize| {
        let mut s = spec(AlertPolicy::default());
        s.signal = Signal::Bad {
            bad: SignalSource::Expression {
                expression: (0..n)
                    .map(|i| format!("m{i}"))
                    .collect::<Vec<_>>()
                    .join(" + "),
                metrics: (0..n)
                    .map(|i| {
                        let metric = Metric::new("App", format!("Errors{i}")).unwrap();
                        (format!("m{i}"), metric, Statistic::Sum)
                    })
                    .collect(),
            },
            total: SignalSource::Metric {
                metric: alb("RequestCount"),
                stat: Statistic::Sum,
            },
        };
        compile(&[s], &CompileOptions::new())
    };
    let compiled = over(9).unwrap();
    assert_eq!(compiled.slos[0].metric_alarms[0].metrics.len(), 12);
    let err = over(10).unwrap_err();
    assert_eq!(
        err.problem,
        CompileProblem::TooManyMetrics {
            alarm: "slo/checkout/burn-rate/page-fast/long-1h".into(),
            kind: "metrics",
            count: 11,
            max: 10,
        }
    );
}

/// EventBridge Scheduler's `at(…)`, like CloudWatch's dashboard annotations, reads no second 60:
/// chrono formats a leap second as `23:59:60`. Both are written as the second before.
#[test]
fn a_leap_second_is_written_as_the_second_before() {
    use chrono::{NaiveDate, TimeZone, Utc};
    use sli_core::Deploy;
    use sli_core::{Interval, MaintenanceWindows};

    let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
        .and_then(|d| d.and_hms_milli_opt(23, 59, 59, 1_500))
        .unwrap()
        .and_utc();
    let start = Utc.with_ymd_and_hms(2016, 12, 31, 22, 0, 0).unwrap();
    let mut spec = spec(AlertPolicy::default());
    spec = spec.with_maintenance(MaintenanceWindows::new([
        Interval::new(start, leap).unwrap()
    ]));
    let compiled = compile(&[spec], &CompileOptions::new()).unwrap();
    let schedules = &compiled.slos[0].maintenance.as_ref().unwrap().schedules;
    let expressions: Vec<_> = schedules.iter().map(|s| s.expression.as_str()).collect();
    assert_eq!(
        expressions,
        ["at(2016-12-31T22:00:00)", "at(2016-12-31T23:59:59)"]
    );
    let options =
        DashboardOptions::new()
            .with_deploys([Deploy::new("d-1", "ecs:prod/checkout", leap).unwrap()]);
    let dashboards = compiled.dashboards(&options).unwrap();
    let marks: Vec<_> = dashboards
        .iter()
        .flat_map(|d| d.body["widgets"].as_array().unwrap())
        .filter_map(|w| w["properties"]["annotations"]["vertical"][0]["value"].as_str())
        .collect();
    assert!(!marks.is_empty());
    assert!(
        marks.iter().all(|m| *m == "2016-12-31T23:59:59Z"),
        "{marks:?}"
    );
}
