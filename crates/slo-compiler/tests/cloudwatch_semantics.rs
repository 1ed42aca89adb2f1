//! Each construct the CloudWatch simulator (`slo_compiler::cloudwatch::Simulator`)
//! interprets, held against the AWS documentation of the function it stands for. The
//! equivalence test (`cloudwatch_equivalence.rs`) proves the compiled alarms agree with
//! `sli-core` *under this simulator*; this file says what the simulator takes CloudWatch to do,
//! page by page, so a reader can see which assumptions no engine here can confirm.
//!
//! No engine here evaluates them: moto (the emulator `scripts/test.sh` starts) stores metric
//! alarms and dashboards but evaluates no metric math and has no composite alarms, and
//! `cfn-lint` checks the templates' structure, not their meaning. Every construct below is
//! therefore marked **documented** (the page states it), or **reading** (the page is silent
//! or loose and this is our interpretation; a real account would settle it).
//!
//! | construct | page | status |
//! |---|---|---|
//! | `Sum`, `SampleCount`, `Average`, `Minimum`, `Maximum` over a period | Statistics definitions | documented |
//! | a period with no datapoint has no value (not 0) | Statistics definitions; Configuring how CloudWatch alarms treat missing data | documented |
//! | `+ - * /` of series at equal timestamps; a number with a series | Metric math syntax and functions | documented |
//! | an operand without a datapoint at a timestamp gives no datapoint there | Metric math syntax and functions | reading |
//! | comparisons and `AND`/`OR` give 1 or 0 | Metric math syntax and functions | documented |
//! | `IF(c, t, f)`: `t` where `c` is not 0, else `f`; without `f`, no datapoint | Metric math syntax and functions (IF expression) | documented |
//! | a division by zero gives no datapoint | Metric math syntax and functions | reading |
//! | an alarm with `Period = W`, one evaluation period, judges the last `W` each minute, the period ending at the evaluation | Using Amazon CloudWatch alarms (alarm evaluation) | reading: CloudWatch evaluates on its own schedule and may wait for late data |
//! | `GreaterThanThreshold` … `LessThanOrEqualToThreshold` | PutMetricAlarm (API reference) | documented |
//! | `TreatMissingData` `breaching`, `notBreaching`, `ignore` (keep the state), `missing` | Configuring how CloudWatch alarms treat missing data | documented |
//! | composite rules `ALARM()`, `OK()`, `INSUFFICIENT_DATA()`, `AND`, `OR`, `NOT`, parentheses | Create a composite alarm; PutCompositeAlarm `AlarmRule` | documented |
//! | a composite changes state in the same minute as its children | Create a composite alarm | reading: a composite is re-evaluated when a child changes state, with a lag not modelled |
//! | a period reaching before a metric's first datapoint holds what exists | Statistics definitions | reading: `sli-core`'s `PartialWindows::Evaluate` |
//!
//! Pages (Amazon CloudWatch User Guide and API Reference):
//! * Statistics definitions: <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html>
//! * Metric math syntax and functions: <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html#metric-math-syntax>
//! * Using Amazon CloudWatch alarms: <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html>
//! * Configuring how CloudWatch alarms treat missing data: <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html>
//! * Create a composite alarm: <https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Composite_Alarm.html>
//! * PutMetricAlarm: <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html>
//! * PutCompositeAlarm: <https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutCompositeAlarm.html>

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use slo_compiler::cloudwatch::{
    AlarmMetric, AlarmState, CompositeAlarm, Expr, MathError, MetricAlarm, MetricDataQuery,
    MetricStat, Simulator, TreatMissingData,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap()
}

fn metric(name: &str) -> AlarmMetric {
    AlarmMetric {
        namespace: "Test".into(),
        metric_name: name.into(),
        dimensions: Vec::new(),
    }
}

/// An alarm watching `stat` of `m` over `period_minutes`, compared with `threshold`.
fn alarm(
    name: &str,
    m: &str,
    stat: &str,
    period_minutes: u32,
    comparison: &str,
    threshold: f64,
    missing: TreatMissingData,
) -> MetricAlarm {
    let mut q = MetricDataQuery::metric("m", MetricStat::new(metric(m), period_minutes * 60, stat));
    q.return_data = true;
    let mut alarm = MetricAlarm::new(name, vec![q], comparison, threshold);
    alarm.treat_missing_data = missing;
    alarm
}

fn states(
    sim: &Simulator,
    alarms: &[MetricAlarm],
    composites: &[CompositeAlarm],
    name: &str,
) -> Vec<AlarmState> {
    sim.run(alarms, composites).unwrap()[name].clone()
}

fn eval(text: &str, lookup: &[(&str, Option<f64>)]) -> Option<f64> {
    let e = Expr::parse(text).unwrap();
    e.eval(&|id| lookup.iter().find(|(k, _)| *k == id).and_then(|(_, v)| *v))
        .unwrap()
}

use AlarmState::{Alarm, InsufficientData as Insufficient, Ok as Fine};

/// Statistics definitions: Sum is the sum of the datapoints in the period, SampleCount their
/// number, Average Sum/SampleCount, Minimum and Maximum the extremes (**documented**). The
/// alarm judges the period ending at each evaluation, one evaluation a minute (**reading**).
#[test]
fn statistics_over_a_period() {
    let mut sim = Simulator::new(t0(), 6).unwrap();
    // Datapoints 1, 2, (none), 4, 8, 16 at minutes 0..6.
    sim.insert(
        &metric("x"),
        [(0, 1.0), (1, 2.0), (3, 4.0), (4, 8.0), (5, 16.0)]
            .map(|(m, v)| (t0() + TimeDelta::minutes(m), v)),
    );
    // Each statistic over the 3 minutes ending at minute 5 (4, 8, 16) and at minute 2 (1, 2:
    // minute 2 has no datapoint): the alarm is in ALARM at `>=` its value, not at `>`.
    let cases = [
        ("Sum", 28.0, 3.0),
        ("SampleCount", 3.0, 2.0),
        ("Average", 28.0 / 3.0, 1.5),
        ("Maximum", 16.0, 2.0),
        ("Minimum", 4.0, 1.0),
    ];
    for (stat, at_5, at_2) in cases {
        for (value, minute) in [(at_5, 5), (at_2, 2)] {
            let a = alarm(
                "a",
                "x",
                stat,
                3,
                "GreaterThanOrEqualToThreshold",
                value,
                TreatMissingData::Missing,
            );
            assert_eq!(
                states(&sim, &[a], &[], "a")[minute],
                Alarm,
                "{stat} at {minute}"
            );
            let a = alarm(
                "a",
                "x",
                stat,
                3,
                "GreaterThanThreshold",
                value,
                TreatMissingData::Missing,
            );
            assert_eq!(
                states(&sim, &[a], &[], "a")[minute],
                Fine,
                "{stat} at {minute}"
            );
        }
    }
    // Other statistics (percentiles) are not interpreted: an error, not a guess.
    let a = alarm(
        "a",
        "x",
        "p99",
        3,
        "GreaterThanThreshold",
        1.0,
        TreatMissingData::Missing,
    );
    assert!(matches!(
        sim.run(&[a], &[]),
        Err(MathError::Unsupported { .. })
    ));
}

/// Statistics definitions and the missing-data page: a period without datapoints has no value,
/// which `TreatMissingData` resolves (**documented**); a period reaching before the first
/// datapoint holds what exists (**reading**).
#[test]
fn a_period_without_datapoints_has_no_value() {
    let mut sim = Simulator::new(t0(), 5).unwrap();
    sim.insert(&metric("x"), [(t0() + TimeDelta::minutes(1), 5.0)]);
    // Period of one minute: minutes 0, 2, 3, 4 have no datapoint.
    let a = alarm(
        "a",
        "x",
        "Sum",
        1,
        "GreaterThanOrEqualToThreshold",
        0.0,
        TreatMissingData::Missing,
    );
    assert_eq!(
        states(&sim, &[a], &[], "a"),
        [
            Insufficient,
            Alarm,
            Insufficient,
            Insufficient,
            Insufficient
        ]
    );
    // A two-minute period ending at minute 1 reaches before the first datapoint: it sums 5.
    let a = alarm(
        "a",
        "x",
        "Sum",
        2,
        "GreaterThanOrEqualToThreshold",
        5.0,
        TreatMissingData::Missing,
    );
    assert_eq!(states(&sim, &[a], &[], "a")[1], Alarm);
}

/// Configuring how CloudWatch alarms treat missing data: `breaching` → ALARM, `notBreaching`
/// → OK, `ignore` keeps the current state, `missing` → INSUFFICIENT_DATA (**documented**).
#[test]
fn treat_missing_data() {
    let mut sim = Simulator::new(t0(), 4).unwrap();
    // Breaching at minute 1, then no data.
    sim.insert(&metric("x"), [(t0() + TimeDelta::minutes(1), 10.0)]);
    let run = |missing| {
        let a = alarm("a", "x", "Sum", 1, "GreaterThanThreshold", 5.0, missing);
        states(&sim, &[a], &[], "a")
    };
    assert_eq!(
        run(TreatMissingData::Breaching),
        [Alarm, Alarm, Alarm, Alarm]
    );
    assert_eq!(
        run(TreatMissingData::NotBreaching),
        [Fine, Alarm, Fine, Fine]
    );
    assert_eq!(
        run(TreatMissingData::Ignore),
        [Insufficient, Alarm, Alarm, Alarm]
    );
    assert_eq!(
        run(TreatMissingData::Missing),
        [Insufficient, Alarm, Insufficient, Insufficient]
    );
}

/// PutMetricAlarm: `GreaterThanThreshold` is `>`, `GreaterThanOrEqualToThreshold` `>=`,
/// `LessThanThreshold` `<`, `LessThanOrEqualToThreshold` `<=` (**documented**). The
/// anomaly-detection comparisons are not interpreted.
#[test]
fn alarm_comparisons() {
    let mut sim = Simulator::new(t0(), 1).unwrap();
    sim.insert(&metric("x"), [(t0(), 5.0)]);
    for (comparison, threshold, expected) in [
        ("GreaterThanThreshold", 5.0, Fine),
        ("GreaterThanOrEqualToThreshold", 5.0, Alarm),
        ("LessThanThreshold", 5.0, Fine),
        ("LessThanOrEqualToThreshold", 5.0, Alarm),
        ("GreaterThanThreshold", 4.999, Alarm),
    ] {
        let a = alarm(
            "a",
            "x",
            "Sum",
            1,
            comparison,
            threshold,
            TreatMissingData::Missing,
        );
        assert_eq!(
            states(&sim, &[a], &[], "a")[0],
            expected,
            "{comparison} {threshold}"
        );
    }
    let a = alarm(
        "a",
        "x",
        "Sum",
        1,
        "LessThanLowerOrGreaterThanUpperThreshold",
        0.0,
        TreatMissingData::Missing,
    );
    assert!(matches!(
        sim.run(&[a], &[]),
        Err(MathError::Unsupported { .. })
    ));
}

/// Metric math syntax and functions: `+ - * /` between series and numbers, with `*` and `/`
/// before `+` and `-` (**documented**); where an operand has no datapoint there is none
/// (**reading**); a division by zero gives none (**reading**).
#[test]
fn arithmetic() {
    let at = |a: Option<f64>, b: Option<f64>| [("a", a), ("b", b)];
    assert_eq!(eval("a + b * 2 - 1", &at(Some(3.0), Some(4.0))), Some(10.0));
    assert_eq!(eval("(a + b) * 2", &at(Some(3.0), Some(4.0))), Some(14.0));
    assert_eq!(eval("a / b", &at(Some(3.0), Some(4.0))), Some(0.75));
    assert_eq!(eval("-a + 1e2", &at(Some(3.0), None)), Some(97.0));
    assert_eq!(eval("a - b", &at(Some(3.0), None)), None);
    assert_eq!(eval("a / b", &at(Some(3.0), Some(0.0))), None);
    // Functions other than IF are refused, not guessed.
    assert!(matches!(
        Expr::parse("FILL(a, 0)"),
        Err(MathError::Unsupported { .. })
    ));
    assert!(matches!(Expr::parse("a +"), Err(MathError::Syntax { .. })));
}

/// Metric math syntax and functions: comparisons `== != <= >= < >` and logical `AND`/`&&`,
/// `OR`/`||` give 1 for true and 0 for false (**documented**).
#[test]
fn comparisons_and_logic() {
    let at = [("a", Some(3.0)), ("b", Some(4.0))];
    for (text, expected) in [
        ("a < b", 1.0),
        ("a > b", 0.0),
        ("a >= 3", 1.0),
        ("a <= 2", 0.0),
        ("a == 3", 1.0),
        ("a != 3", 0.0),
        ("a < b AND b < 5", 1.0),
        ("a > b && b < 5", 0.0),
        ("a > b OR b < 5", 1.0),
        ("a > b || b > 5", 0.0),
    ] {
        assert_eq!(eval(text, &at), Some(expected), "{text}");
    }
}

/// Metric math syntax and functions, IF expression: `IF(condition, trueValue, falseValue)`
/// takes `trueValue` where the condition is not 0 and `falseValue` where it is; without
/// `falseValue`, no datapoint where it is 0 (**documented**). The compiler writes
/// `IF(total > 0, bad - threshold * total)`: a window without events has no datapoint, which
/// `TreatMissingData` then resolves.
#[test]
fn if_expression() {
    let at = |total: f64| [("bad", Some(2.0)), ("total", Some(total))];
    assert_eq!(
        eval("IF(total > 0, bad - 0.5 * total)", &at(10.0)),
        Some(-3.0)
    );
    assert_eq!(eval("IF(total > 0, bad - 0.5 * total)", &at(0.0)), None);
    assert_eq!(eval("IF(total > 0, bad, 7)", &at(0.0)), Some(7.0));
    assert_eq!(eval("IF(total, bad, 7)", &at(3.0)), Some(2.0));
}

/// Create a composite alarm: `ALARM("name")` is true when the named alarm is in ALARM,
/// `OK("name")` and `INSUFFICIENT_DATA("name")` likewise, combined with `AND`, `OR`, `NOT` and
/// parentheses (**documented**); the composite changes in the same evaluation as its children
/// (**reading**).
#[test]
fn composite_rules() {
    let mut sim = Simulator::new(t0(), 4).unwrap();
    // a: ALARM at minutes 1 and 2; b: ALARM at 2 and 3.
    sim.insert(
        &metric("a"),
        (0..4).map(|m| {
            (
                t0() + TimeDelta::minutes(m),
                f64::from(u8::from((1..3).contains(&m))),
            )
        }),
    );
    sim.insert(
        &metric("b"),
        (0..4).map(|m| (t0() + TimeDelta::minutes(m), f64::from(u8::from(m >= 2)))),
    );
    let alarms = [
        alarm(
            "a",
            "a",
            "Sum",
            1,
            "GreaterThanThreshold",
            0.5,
            TreatMissingData::Missing,
        ),
        alarm(
            "b",
            "b",
            "Sum",
            1,
            "GreaterThanThreshold",
            0.5,
            TreatMissingData::Missing,
        ),
    ];
    let composite = |rule: &str| CompositeAlarm::new("c", rule);
    for (rule, expected) in [
        (r#"ALARM("a") AND ALARM("b")"#, [Fine, Fine, Alarm, Fine]),
        (r#"ALARM("a") OR ALARM("b")"#, [Fine, Alarm, Alarm, Alarm]),
        (r#"NOT ALARM("a")"#, [Alarm, Fine, Fine, Alarm]),
        (
            r#"OK("a") AND (ALARM("b") OR NOT OK("b"))"#,
            [Fine, Fine, Fine, Alarm],
        ),
    ] {
        assert_eq!(
            states(&sim, &alarms, &[composite(rule)], "c"),
            expected,
            "{rule}"
        );
    }
    assert!(sim.run(&alarms, &[composite(r#"ALARM("nope")"#)]).is_err());
}
