//! OpenSLO import and export: the checked-in example, bad input (typed errors naming the
//! document, field, line and column), the round trip as a property, and a bounded fuzz of the
//! parser over arbitrary input (it must never panic).

#![cfg(feature = "openslo")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use sli_core::openslo::{
    AlertPolicyDefinition, DataSource, Error, Import, Indicator, IndicatorMetric, Location,
    MetricSource, Mode, NotificationTarget, Problem, SloDefinition, SourceRef, SourceSpec, Value,
    export, parse,
};
use sli_core::{
    AlertPolicy, AlertTier, BudgetingMethod, CalendarPeriod, CalendarWindow, Comparison,
    MissingData, Objective, PolicyWarning, Severity, Sli, Slo, Span, Sustained, TierThreshold,
    Window,
};

// A copy of docs/examples/checkout.openslo.yaml: a test of this crate reads only files inside
// it, so that the published crate's tests run on their own.
const EXAMPLE: &str = include_str!("fixtures/openslo/checkout.openslo.yaml");

fn strict(text: &str) -> Result<Import, Error> {
    parse(text, Mode::Strict)
}

fn lenient(text: &str) -> Result<Import, Error> {
    parse(text, Mode::Lenient)
}

/// The warnings but the extension every import of the example reports (its policies have
/// several conditions, one tier each), for tests about another finding.
fn findings(import: &Import) -> Vec<&sli_core::openslo::Warning> {
    import
        .warnings
        .iter()
        .filter(|w| !matches!(w.problem, Problem::Extension { .. }))
        .collect()
}

fn origin(defs: Vec<SloDefinition>) -> Vec<SloDefinition> {
    defs.into_iter()
        .map(|d| SloDefinition { document: 0, ..d })
        .collect()
}

#[test]
fn example_file_imports_exactly() {
    let import = strict(EXAMPLE).unwrap();
    // Only the extension: two policies with several conditions (one tier each).
    let warnings: Vec<_> = import
        .warnings
        .iter()
        .map(|w| (&w.problem, w.location.path.as_str()))
        .collect();
    assert!(
        warnings.len() == 2
            && warnings
                .iter()
                .all(|(p, path)| matches!(p, Problem::Extension { .. })
                    && path.ends_with("conditions[1]")),
        "{warnings:?}"
    );
    let names: Vec<_> = import.slos.iter().map(|d| d.slo.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "checkout-availability",
            "checkout-latency",
            "orders-lambda-success"
        ]
    );
    let [availability, latency, orders] = &import.slos[..] else {
        panic!()
    };
    assert_eq!(availability.document, 9);
    assert_eq!(
        availability.slo.window,
        Window::rolling(Span::from_days(30).unwrap())
    );
    let tiers = &availability.alert_policies[0].policy.tiers;
    let windows: Vec<_> = tiers
        .iter()
        .map(|t| (t.long_window.to_string(), t.short_window.to_string()))
        .collect();
    assert_eq!(
        windows,
        [("1h", "5m"), ("6h", "30m"), ("1d", "2h"), ("3d", "6h")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert!(matches!(
        &availability.indicator.metric,
        IndicatorMetric::Ratio { bad: Some(bad), good: None, .. }
            if bad.data_source().unwrap().name == "cloudwatch-us-east-1"
                && bad.source_type() == Some("CloudWatch")
                && bad.declared_type.is_none()
    ));
    assert_eq!(
        availability.alert_policies[0].notification_targets,
        [NotificationTarget {
            name: "checkout-on-call".into(),
            target: "sns".into()
        }]
    );
    assert_eq!(
        latency.slo.sli,
        Sli::TimeSlice {
            comparison: Comparison::Below,
            threshold: 0.3,
            slice: Span::MINUTE
        }
    );
    assert_eq!(latency.slo.objective.target(), 0.99);
    assert_eq!(latency.slo.missing_data, MissingData::Good);
    assert_eq!(latency.alert_policies[0].policy.tiers[0].sustain, None);
    // alertAfter: N minutes of a sustained condition.
    let sustained = EXAMPLE.replace(
        "                threshold: 10\n                lookbackWindow: 1h\n",
        "                threshold: 10\n                lookbackWindow: 1h\n                alertAfter: 2m\n",
    );
    assert_eq!(
        strict(&sustained).unwrap().slos[1].alert_policies[0]
            .policy
            .tiers[0]
            .sustain,
        Some(Sustained::new(2, 2).unwrap())
    );
    assert_eq!(
        orders.slo.window,
        Window::Calendar(CalendarWindow::utc(CalendarPeriod::Month))
    );
    // alertWhenNoData: true and no annotation: missing data counts as bad.
    assert_eq!(orders.slo.missing_data, MissingData::Bad);
    assert_eq!(orders.slo.min_events, 10.0);
    assert_eq!(
        orders.alert_policies[0].policy.tiers[0].short_window,
        Span::from_minutes(10).unwrap()
    );
    // Data sources as data: the CloudWatch spec is kept as written, for the compiler to read.
    let IndicatorMetric::Ratio {
        good: Some(good), ..
    } = &orders.indicator.metric
    else {
        panic!("{:?}", orders.indicator.metric)
    };
    assert_eq!(good.declared_type.as_deref(), Some("CloudWatch"));
    assert_eq!(
        good.spec.get_str("expression"),
        Some("invocations - errors")
    );
    assert!(matches!(good.spec.get("metrics"), Some(Value::Seq(m)) if m.len() == 2));
    let stat = good.spec.location_of("metrics[1].stat").unwrap();
    assert_eq!(stat.document, 11);
    assert_eq!(stat.line, line_of(EXAMPLE, "invocations - errors") + 15);
}

/// SLOs that refer to one policy share it: it is mapped (and its findings reported) once, not
/// cloned per SLO (3,000 SLOs sharing a policy of 3,000 conditions took minutes).
#[test]
fn a_shared_policy_is_mapped_once() {
    let second = EXAMPLE.replacen(
        "---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: checkout-availability",
        "---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: checkout-availability-2\nspec:\n  service: checkout\n  indicatorRef: checkout-alb-errors\n  timeWindow:\n    - duration: 30d\n      isRolling: true\n  budgetingMethod: Occurrences\n  objectives:\n    - target: 0.999\n  alertPolicies:\n    - alertPolicyRef: multiwindow-burn\n---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: checkout-availability",
        1,
    );
    assert_ne!(second, EXAMPLE);
    let import = strict(&second).unwrap();
    let (a, b) = (&import.slos[0], &import.slos[1]);
    assert_eq!(b.slo.name, "checkout-availability");
    assert!(std::sync::Arc::ptr_eq(
        &a.alert_policies[0],
        &b.alert_policies[0]
    ));
    // A tier that never fires for 99.9 % is reported once, not once per SLO.
    let never = second.replacen("threshold: 14.4", "threshold: 1000", 1);
    let import = lenient(&never).unwrap();
    let findings = import
        .warnings
        .iter()
        .filter(|w| matches!(w.problem, Problem::Policy(PolicyWarning::NeverFires { .. })))
        .count();
    assert_eq!(findings, 1, "{:?}", import.warnings);
}

#[test]
fn calendar_month_is_not_thirty_days() {
    let import = strict(EXAMPLE).unwrap();
    let orders = &import.slos[2];
    let feb = chrono::DateTime::parse_from_rfc3339("2023-02-10T00:00:00Z")
        .unwrap()
        .to_utc();
    assert_eq!(orders.slo.window.length_at(feb).unwrap().num_days(), 28);
    // A rolling window in months has no fixed length: read as 30 days (the OpenSLO Go SDK's
    // month), with a warning in both modes.
    let rolling_month = EXAMPLE.replace("duration: 30d", "duration: 1M");
    for mode in [Mode::Strict, Mode::Lenient] {
        let import = parse(&rolling_month, mode).unwrap();
        assert_eq!(
            import.slos[0].slo.window,
            Window::rolling(Span::from_days(30).unwrap())
        );
        assert!(
            import
                .warnings
                .iter()
                .any(|w| w.location.path == "spec.timeWindow[0].duration"),
            "{:?}",
            import.warnings
        );
    }
}

/// Calendar windows as the official examples write them: an IANA zone and a start time that
/// is not aligned (Saturday noon in New York), in every unit.
#[test]
fn calendar_windows_in_real_time_zones() {
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    let weekly = EXAMPLE.replace(
        "        startTime: 2024-01-01 00:00:00\n        timeZone: UTC\n  budgetingMethod: Timeslices",
        "        startTime: 2022-01-01 12:00:00\n        timeZone: America/New_York\n  budgetingMethod: Timeslices",
    );
    assert_ne!(weekly, EXAMPLE);
    let import = strict(&weekly).unwrap();
    let window = import.slos[1].slo.window;
    // Saturday 9 March 2024 12:00 EST to Saturday 16 March 12:00 EDT: 167 hours.
    let w = window.containing(at("2024-03-12T00:00:00Z")).unwrap();
    assert_eq!(w.start(), at("2024-03-09T17:00:00Z"));
    assert_eq!(w.length().num_hours(), 167);
    // A quarter in Berlin; a year in Tokyo.
    for (duration, zone, inside, start, hours) in [
        (
            "1Q",
            "Europe/Berlin",
            "2024-05-05T00:00:00Z",
            "2024-03-31T22:00:00Z",
            91 * 24,
        ),
        (
            "1Y",
            "Asia/Tokyo",
            "2024-05-05T00:00:00Z",
            "2023-12-31T15:00:00Z",
            366 * 24,
        ),
        (
            "2d",
            "UTC",
            "2024-01-04T12:00:00Z",
            "2024-01-03T00:00:00Z",
            48,
        ),
    ] {
        let text = EXAMPLE
            .replace("    - duration: 1M\n", &format!("    - duration: {duration}\n"))
            .replacen(
                "        startTime: 2024-01-01 00:00:00\n        timeZone: UTC\n  budgetingMethod: Occurrences",
                &format!("        startTime: 2024-01-01 00:00:00\n        timeZone: {zone}\n  budgetingMethod: Occurrences"),
                1,
            );
        let import = strict(&text).unwrap();
        let w = import.slos[2].slo.window.containing(at(inside)).unwrap();
        assert_eq!(
            (w.start(), w.length().num_hours()),
            (at(start), hours),
            "{duration} {zone}"
        );
    }
    // `1m` on a calendar window is one minute: valid, with a pointed warning.
    let minute = EXAMPLE.replace("    - duration: 1M\n", "    - duration: 1m\n");
    let import = lenient(&minute).unwrap();
    assert!(
        import
            .warnings
            .iter()
            .any(|w| matches!(&w.problem, Problem::InvalidValue { reason, .. } if reason.contains("not months"))),
        "{:?}",
        import.warnings
    );
}

/// The line (1-based) of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).unwrap()].matches('\n').count() + 1
}

#[test]
fn target_percent_of_100_names_document_field_line_and_column() {
    let text = EXAMPLE.replace("targetPercent: 99.5", "targetPercent: 100");
    let err = lenient(&text).unwrap_err();
    assert!(
        matches!(
            err.problem,
            Problem::Core(sli_core::Error::InvalidTarget { value: 100.0, .. })
        ),
        "{err}"
    );
    let Location {
        document,
        path,
        line,
        column,
        ..
    } = &err.location;
    assert_eq!(
        (*document, path.as_str(), *line, *column),
        (
            11,
            "spec.objectives[0].targetPercent",
            line_of(&text, "targetPercent: 100"),
            22, // `    - targetPercent: 100`
        )
    );
    let msg = err.to_string();
    assert!(
        msg.contains("document 11") && msg.contains("spec.objectives[0].targetPercent"),
        "{msg}"
    );
}

#[test]
fn missing_references_are_errors_in_both_modes() {
    for (from, to, kind, path) in [
        (
            "indicatorRef: checkout-alb-errors",
            "indicatorRef: nope",
            "SLI",
            "spec.indicatorRef",
        ),
        (
            "conditionRef: page-slow",
            "conditionRef: nope",
            "AlertCondition",
            "spec.conditions[1].conditionRef",
        ),
        (
            "alertPolicyRef: multiwindow-burn",
            "alertPolicyRef: nope",
            "AlertPolicy",
            "spec.alertPolicies[0].alertPolicyRef",
        ),
        (
            "targetRef: checkout-on-call\n---",
            "targetRef: nope\n---",
            "AlertNotificationTarget",
            "spec.notificationTargets[0].targetRef",
        ),
    ] {
        let text = EXAMPLE.replacen(from, to, 1);
        assert_ne!(text, EXAMPLE, "{from}");
        for mode in [Mode::Strict, Mode::Lenient] {
            let err = parse(&text, mode).unwrap_err();
            assert!(
                matches!(&err.problem, Problem::MissingReference { kind: k, name } if *k == kind && name == "nope"),
                "{err}"
            );
            assert_eq!(err.location.path, path);
            assert_eq!(
                err.location.line,
                line_of(&text, to.lines().next().unwrap())
            );
        }
    }
    let text = EXAMPLE.replacen(
        "metricSourceRef: cloudwatch-us-east-1",
        "metricSourceRef: elsewhere",
        1,
    );
    let err = strict(&text).unwrap_err();
    assert!(matches!(
        err.problem,
        Problem::MissingReference {
            kind: "DataSource",
            ..
        }
    ));
    assert_eq!(err.location.document, 2); // the SLI document, not the SLO
}

#[test]
fn unknown_kinds_and_fields() {
    let text =
        format!("{EXAMPLE}---\napiVersion: openslo/v1\nkind: Gizmo\nmetadata: {{name: g}}\n");
    let err = strict(&text).unwrap_err();
    assert!(matches!(&err.problem, Problem::UnknownKind { kind } if kind == "Gizmo"));
    assert_eq!(
        (err.location.document, err.location.path.as_str()),
        (12, "kind")
    );
    let import = lenient(&text).unwrap();
    assert_eq!(import.slos.len(), 3);
    assert!(matches!(&findings(&import)[..], [w] if w.location.document == 12));

    let text = EXAMPLE.replacen(
        "  budgetingMethod: Occurrences",
        "  budgetingMethod: Occurrences\n  colour: red",
        1,
    );
    let err = strict(&text).unwrap_err();
    assert!(matches!(&err.problem, Problem::UnknownField { field } if field == "colour"));
    assert_eq!(err.location.path, "spec.colour");
    assert_eq!(findings(&lenient(&text).unwrap()).len(), 1);

    let err = strict("apiVersion: openslo/v2alpha\nkind: SLO\n").unwrap_err();
    assert!(matches!(err.problem, Problem::UnsupportedVersion { .. }));
    let condition = EXAMPLE.replacen("kind: burnrate", "kind: errorrate", 1);
    assert!(matches!(
        lenient(&condition).unwrap_err().problem,
        Problem::UnknownKind { .. }
    ));
}

/// The spec allows `op` and `value` on any objective ("Only needed when using a
/// thresholdMetric"): on a ratio SLI they change nothing, a warning in both modes.
#[test]
fn op_on_a_ratio_sli_is_ignored_with_a_warning() {
    let text = EXAMPLE_SLO.replace(
        "objectives: [{target: 0.99}]",
        "objectives: [{op: gte, value: 3, target: 0.99}]",
    );
    for mode in [Mode::Strict, Mode::Lenient] {
        let import = parse(&text, mode).unwrap();
        assert_eq!(import.slos[0].slo.sli, Sli::EventRatio);
        let warnings: Vec<_> = import
            .warnings
            .iter()
            .map(|w| (w.location.path.as_str(), w.problem.to_string()))
            .collect();
        assert_eq!(
            warnings,
            [
                (
                    "spec.objectives[0].op",
                    "op compares a threshold SLI's values; it is ignored on a ratio SLI".to_string()
                ),
                (
                    "spec.objectives[0].value",
                    "value is the threshold a threshold SLI's values are compared with; it is ignored on a ratio SLI".to_string()
                )
            ]
        );
    }
}

#[test]
fn lookback_longer_than_the_slo_window() {
    // The weekly latency SLO with a 2-week lookback.
    let text = EXAMPLE.replacen(
        "lookbackWindow: 6h\n          - kind",
        "lookbackWindow: 2w\n          - kind",
        1,
    );
    let text = if text == EXAMPLE {
        EXAMPLE.replacen(
            "                threshold: 2\n                lookbackWindow: 6h",
            "                threshold: 2\n                lookbackWindow: 2w",
            1,
        )
    } else {
        text
    };
    assert_ne!(text, EXAMPLE);
    let err = strict(&text).unwrap_err();
    assert!(
        matches!(
            err.problem,
            Problem::Policy(PolicyWarning::WindowExceedsSloPeriod { .. })
        ),
        "{err}"
    );
    assert_eq!(err.location.document, 10);
    assert!(
        err.location.path.ends_with("condition.lookbackWindow"),
        "{err}"
    );
    assert_eq!(err.location.line, line_of(&text, "lookbackWindow: 2w"));
    let import = lenient(&text).unwrap();
    assert_eq!(findings(&import).len(), 1);
}

#[test]
fn a_threshold_that_can_never_fire() {
    // 99.9 %: the highest burn rate is 1000.
    let text = EXAMPLE.replacen("threshold: 14.4", "threshold: 1000", 1);
    let err = strict(&text).unwrap_err();
    assert!(
        matches!(
            err.problem,
            Problem::Policy(PolicyWarning::NeverFires {
                threshold: 1000.0,
                ..
            })
        ),
        "{err}"
    );
    // Named in the AlertCondition document that holds the threshold.
    assert_eq!(err.location.document, 4);
    assert_eq!(err.location.path, "spec.condition.threshold");
    assert_eq!(err.location.line, line_of(&text, "threshold: 1000"));
    assert!(lenient(&text).is_ok());
}

#[test]
fn other_bad_values() {
    let cases = [
        ("duration: 30d", "duration: 30x"),
        ("duration: 30d", "duration: 030d"),
        ("timeZone: UTC", "timeZone: Mars/Olympus_Mons"),
        ("duration: 1w", "duration: 1x"),
        (
            "startTime: 2024-01-01 00:00:00",
            "startTime: 2024-13-03 00:00:00",
        ),
        ("severity: page", "severity: sev0"),
        ("op: gt", "op: lt"),
        ("target: 0.999", "target: 1.5"),
        ("budgetingMethod: Occurrences", "budgetingMethod: Sometimes"),
        ("lookbackWindow: 1h", "lookbackWindow: 1m"),
    ];
    for (from, to) in cases {
        let text = EXAMPLE.replacen(from, to, 1);
        assert_ne!(text, EXAMPLE, "{from}");
        let err = lenient(&text).unwrap_err();
        let line = line_of(&text, to);
        assert_eq!(err.location.line, line, "{to}: {err}");
        assert!(err.location.column > 1, "{to}: {err}");
    }
    // Both target and targetPercent: a rule (strict), accepted when they agree.
    let both = EXAMPLE.replacen(
        "target: 0.999",
        "target: 0.999\n      targetPercent: 99.9",
        1,
    );
    assert!(strict(&both).is_err());
    assert_eq!(
        lenient(&both).unwrap().slos[0].slo.objective.target(),
        0.999
    );
    // Duplicate names.
    let dup = format!(
        "{EXAMPLE}---\napiVersion: openslo/v1\nkind: AlertCondition\nmetadata: {{name: page-fast}}\nspec: {{severity: page, condition: {{kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h}}}}\n"
    );
    assert!(matches!(
        strict(&dup).unwrap_err().problem,
        Problem::DuplicateName { first: 4, .. }
    ));
    let source = "---\napiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: other}\nspec: {type: CloudWatch, connectionDetails: {region: eu-west-1}}\n";
    let err = strict(&format!("{EXAMPLE}{source}{source}")).unwrap_err();
    assert!(matches!(
        err.problem,
        Problem::DuplicateName {
            kind: "DataSource",
            first: 12,
            ..
        }
    ));
    assert_eq!(err.location.document, 13);
    // Names must be RFC 1123 labels in strict mode.
    let upper = EXAMPLE.replacen("name: checkout-latency", "name: Checkout_Latency", 1);
    assert!(matches!(
        strict(&upper).unwrap_err().problem,
        Problem::InvalidValue { .. }
    ));
    assert!(lenient(&upper).is_ok());
}

/// `timeSliceWindow` given as a number: the spec reads it in minutes ("Default interpretation
/// of unit if specified as a number in minutes"); it was read as seconds, a 60× smaller slice.
#[test]
fn a_numeric_time_slice_window_is_minutes() {
    let text = EXAMPLE.replacen("timeSliceWindow: 1m", "timeSliceWindow: 5", 1);
    assert_ne!(text, EXAMPLE);
    let five = Span::from_minutes(5).unwrap();
    for import in [strict(&text).unwrap(), lenient(&text).unwrap()] {
        let latency = &import.slos[1].slo;
        assert!(
            matches!(latency.sli, Sli::TimeSlice { slice, .. } if slice == five),
            "{:?}",
            latency.sli
        );
        // And it writes back as the same five minutes.
        let again = strict(&export(&import.slos).unwrap()).unwrap();
        assert_eq!(again.slos[1].slo.sli, latency.sli);
    }
    // A fraction of a minute is a number too: 2.5 is 150 s, and writes back as 2.5.
    let half = EXAMPLE.replacen("timeSliceWindow: 1m", "timeSliceWindow: 2.5", 1);
    let import = strict(&half).unwrap();
    let latency = &import.slos[1].slo;
    assert!(
        matches!(latency.sli, Sli::TimeSlice { slice, .. } if slice.seconds() == 150),
        "{:?}",
        latency.sli
    );
    let yaml = export(&import.slos).unwrap();
    assert!(yaml.contains("timeSliceWindow: 2.5"), "{yaml}");
    assert_eq!(strict(&yaml).unwrap().slos[1].slo.sli, latency.sli);
    // Not a whole number of seconds: refused, saying why.
    let tiny = EXAMPLE.replacen("timeSliceWindow: 1m", "timeSliceWindow: 0.01", 1);
    let err = lenient(&tiny).unwrap_err();
    assert!(
        matches!(&err.problem, Problem::InvalidValue { value, reason } if value == "0.01" && reason.contains("whole number of seconds")),
        "{err}"
    );
    assert_eq!(err.location.line, line_of(&tiny, "timeSliceWindow: 0.01"));
}

/// The v1 README's own AlertCondition has no `op`, and the spec gives `kind` a default
/// (`burnrate`). The Go SDK requires both, so strict mode refuses them naming the field;
/// lenient mode reads the defaults and says so. `alertAfter: 0m` is the spec's default.
#[test]
fn a_condition_without_op_or_kind_and_a_zero_alert_after() {
    let condition = "    kind: burnrate\n    op: gt\n    threshold: 14.4\n";
    for (to, field) in [
        ("    kind: burnrate\n    threshold: 14.4\n", "op"),
        ("    op: gt\n    threshold: 14.4\n", "kind"),
    ] {
        let text = EXAMPLE.replacen(condition, to, 1);
        assert_ne!(text, EXAMPLE);
        let err = strict(&text).unwrap_err();
        assert!(
            matches!(err.problem, Problem::MissingField { field: f } if f == field),
            "{err}"
        );
        assert_eq!(err.location.path, "spec.condition");
        let import = lenient(&text).unwrap();
        let findings = findings(&import);
        assert_eq!(findings.len(), 1, "{:?}", import.warnings);
        assert!(
            findings[0].to_string().contains(&format!("no \"{field}\"")),
            "{}",
            import.warnings[0]
        );
        assert_eq!(import.slos, strict(EXAMPLE).unwrap().slos);
    }
    let zero = EXAMPLE.replace(
        "                threshold: 10\n                lookbackWindow: 1h\n",
        "                threshold: 10\n                lookbackWindow: 1h\n                alertAfter: 0m\n",
    );
    assert_ne!(zero, EXAMPLE);
    assert_eq!(strict(&zero).unwrap().slos, strict(EXAMPLE).unwrap().slos);
    let top = EXAMPLE.replacen(condition, &format!("{condition}    alertAfter: 0h\n"), 1);
    assert_eq!(strict(&top).unwrap().slos, strict(EXAMPLE).unwrap().slos);
    for bad in ["00", "0", "0s0m", "-0m"] {
        let text = EXAMPLE.replacen(condition, &format!("{condition}    alertAfter: {bad}\n"), 1);
        assert!(lenient(&text).is_err(), "{bad}");
    }
}

/// A key repeated inside a metric source's `spec` or a data source's `connectionDetails`:
/// readers disagree on which copy counts (go-yaml refuses the file), so which query runs was
/// decided silently. Now a rule like a repeated key elsewhere, and so is a key that is not text.
#[test]
fn repeated_or_structured_keys_in_free_form_specs() {
    let query = "          metricName: HTTPCode_Target_5XX_Count\n";
    let repeated = EXAMPLE.replacen(
        query,
        &format!("{query}          metricName: RequestCount\n"),
        1,
    );
    assert_ne!(repeated, EXAMPLE);
    let err = strict(&repeated).unwrap_err();
    assert!(
        matches!(&err.problem, Problem::Conflict { reason } if reason.contains("metricName")),
        "{err}"
    );
    assert_eq!(
        err.location.line,
        line_of(&repeated, "metricName: RequestCount")
    );
    let import = lenient(&repeated).unwrap();
    assert_eq!(findings(&import).len(), 1, "{:?}", import.warnings);
    // Lenient mode keeps the first copy only, so that the export is one go-yaml reads.
    let exported = export(&import.slos).unwrap();
    assert_eq!(
        exported
            .matches("metricName: HTTPCode_Target_5XX_Count")
            .count(),
        1
    );
    assert!(
        !exported.contains("metricName: RequestCount\n          metricName"),
        "{exported}"
    );
    assert!(strict(&exported).is_ok());
    // Deeper down too: a dimension written twice.
    let nested = EXAMPLE.replacen(
        "              value: app/checkout/50dc6c495c0c9188\n",
        "              value: app/checkout/50dc6c495c0c9188\n              value: app/other/1\n",
        1,
    );
    assert_ne!(nested, EXAMPLE);
    assert!(matches!(
        strict(&nested).unwrap_err().problem,
        Problem::Conflict { .. }
    ));
    let details = "    region: us-east-1\n";
    for to in [
        format!("{details}    region: eu-west-1\n"),
        format!("{details}    ? [a]\n    : 1\n"),
    ] {
        let text = EXAMPLE.replacen(details, &to, 1);
        assert_ne!(text, EXAMPLE);
        let err = strict(&text).unwrap_err();
        assert!(
            err.location.path.starts_with("spec.connectionDetails"),
            "{err}"
        );
        assert_eq!(findings(&lenient(&text).unwrap()).len(), 1);
    }
}

/// A bad `sre-toolkit/*` annotation is named by its field, line and column; the error named
/// the document's first line and no field.
#[test]
fn a_bad_annotation_names_its_field_and_line() {
    for (from, to) in [
        (
            "sre-toolkit/missing-data: good",
            "sre-toolkit/missing-data: bogus",
        ),
        (
            "sre-toolkit/min-events: \"10\"",
            "sre-toolkit/min-events: \"-1\"",
        ),
        (
            "sre-toolkit/short-window: 10m",
            "sre-toolkit/short-window: 10x",
        ),
    ] {
        let text = EXAMPLE.replacen(from, to, 1);
        assert_ne!(text, EXAMPLE, "{from}");
        let err = lenient(&text).unwrap_err();
        let key = to.split(':').next().unwrap();
        assert!(
            err.location
                .path
                .ends_with(&format!("metadata.annotations.{key}")),
            "{err}"
        );
        assert_eq!(err.location.line, line_of(&text, to), "{err}");
    }
}

// ---- round trip ------------------------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ./_-]{0,12}",
        "\\PC{0,12}",
        Just("true".to_string()),
        Just("1.5".to_string()),
        Just("null".to_string()),
        Just("- x: \"y\" # z".to_string()),
    ]
}

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,8}[a-z0-9]"
}

fn cloudwatch() -> impl Strategy<Value = MetricSource> {
    (
        text(),
        text(),
        proptest::collection::vec((text(), text()), 0..3),
        prop_oneof![Just("Sum"), Just("p99"), Just("Average")],
        proptest::option::of(text()),
    )
        .prop_map(|(namespace, metric_name, dimensions, stat, region)| {
            let mut spec = Vec::new();
            if let Some(r) = region {
                spec.push(("region".to_string(), Value::String(r)));
            }
            spec.push(("namespace".into(), Value::String(namespace)));
            spec.push(("metricName".into(), Value::String(metric_name)));
            if !dimensions.is_empty() {
                let dims = dimensions
                    .into_iter()
                    .map(|(n, v)| {
                        Value::Map(vec![
                            ("name".into(), Value::String(n)),
                            ("value".into(), Value::String(v)),
                        ])
                    })
                    .collect();
                spec.push(("dimensions".into(), Value::Seq(dims)));
            }
            spec.push(("stat".into(), Value::String(stat.into())));
            MetricSource::inline("CloudWatch", SourceSpec::new(spec))
        })
}

fn other_source() -> impl Strategy<Value = MetricSource> {
    (text(), any::<i32>(), any::<bool>(), 0u8..3).prop_map(|(query, n, b, reference)| {
        let spec = SourceSpec::new(vec![
            ("query".into(), Value::String(query)),
            ("step".into(), Value::Number(n.to_string())),
            ("flag".into(), Value::Bool(b)),
            (
                "list".into(),
                Value::Seq(vec![
                    Value::Null,
                    Value::Seq(vec![Value::Number("1.5".into())]),
                ]),
            ),
        ]);
        let data_source = DataSource {
            name: "prometheus-main".into(),
            description: Some("the main Prometheus".into()),
            source_type: "Prometheus".into(),
            connection_details: Value::Map(vec![(
                "url".into(),
                Value::String("http://prometheus:9090".into()),
            )]),
        };
        match reference {
            // Inline type.
            0 => MetricSource::inline("Prometheus", spec),
            // A DataSource of this file, its type implied.
            1 => MetricSource {
                source_ref: Some(SourceRef {
                    name: data_source.name.clone(),
                    data_source: Some(data_source),
                }),
                declared_type: None,
                spec,
            },
            // A DataSource of another file, with the type beside the reference.
            _ => MetricSource {
                source_ref: Some(SourceRef {
                    name: "defined-elsewhere".into(),
                    data_source: None,
                }),
                declared_type: Some("Prometheus".into()),
                spec,
            },
        }
    })
}

fn source() -> impl Strategy<Value = MetricSource> {
    prop_oneof![cloudwatch(), other_source()]
}

fn window() -> impl Strategy<Value = Window> {
    prop_oneof![
        (1i64..90).prop_map(|d| Window::rolling(Span::from_days(d).unwrap())),
        (1i64..48).prop_map(|h| Window::rolling(Span::from_hours(h).unwrap())),
        (
            prop_oneof![
                Just(CalendarPeriod::Day),
                Just(CalendarPeriod::Week),
                Just(CalendarPeriod::Month)
            ],
            prop_oneof![Just(0), Just(3_600), Just(-5 * 3_600), Just(19_800)],
        )
            .prop_map(|(p, offset)| Window::Calendar(
                CalendarWindow::with_offset(p, chrono::FixedOffset::east_opt(offset).unwrap())
                    .unwrap()
            )),
    ]
}

fn tier(id: String) -> impl Strategy<Value = AlertTier> {
    (
        prop_oneof![Just(5i64), Just(60), Just(360), Just(1440)],
        1u32..100,
        prop_oneof![Just(Severity::Page), Just(Severity::Ticket)],
        proptest::option::of(2u32..6),
        any::<bool>(),
    )
        .prop_map(move |(long, burn, severity, sustain, derived)| {
            let long_window = Span::from_minutes(long).unwrap();
            let short = if derived {
                (long / 12).max(1)
            } else {
                (long / 5).max(1)
            };
            let mut t = AlertTier::new(
                id.clone(),
                severity,
                long_window,
                Span::from_minutes(short.min(long - 1).max(1)).unwrap(),
                TierThreshold::BurnRate(f64::from(burn) / 10.0),
            );
            t.sustain = sustain.map(|n| Sustained::new(n, n).unwrap());
            t
        })
}

fn policy() -> impl Strategy<Value = AlertPolicyDefinition> {
    (
        name(),
        proptest::option::of(text()),
        any::<(bool, bool, bool)>(),
        proptest::collection::vec((name(), text()), 0..2),
        proptest::collection::btree_set(name(), 1..4),
    )
        .prop_flat_map(|(name, description, flags, targets, ids)| {
            let tiers: Vec<_> = ids.into_iter().map(tier).collect();
            (tiers,).prop_map(move |(tiers,)| AlertPolicyDefinition {
                name: name.clone(),
                description: description.clone(),
                alert_when_no_data: flags.0,
                alert_when_resolved: flags.1,
                alert_when_breaching: flags.2,
                notification_targets: targets
                    .iter()
                    .map(|(n, t)| NotificationTarget {
                        name: n.clone(),
                        target: t.clone(),
                    })
                    .collect(),
                policy: AlertPolicy::new(tiers),
            })
        })
}

fn definition() -> impl Strategy<Value = SloDefinition> {
    (
        name(),
        1u32..9999,
        window(),
        prop_oneof![Just(0u8), Just(1), Just(2)],
        (source(), source(), any::<bool>(), any::<bool>()),
        (-1000i32..1000, 0u8..4),
        prop_oneof![Just(0u8), Just(1), Just(2)],
        (
            prop_oneof![
                Just(MissingData::Good),
                Just(MissingData::Bad),
                Just(MissingData::Skip)
            ],
            0u32..3,
        ),
        (
            proptest::option::of(text()),
            proptest::option::of(text()),
            text(),
            name(),
        ),
        proptest::collection::vec(policy(), 0..3),
    )
        .prop_map(
            |(
                name,
                target,
                window,
                kind,
                (a, b, good, counter),
                (value, op),
                method,
                (missing_data, min_events),
                (display_name, description, service, sli_name),
                alert_policies,
            )| {
                let slice = Span::MINUTE;
                let budgeting = match method {
                    0 => BudgetingMethod::Occurrences,
                    1 => BudgetingMethod::Timeslices {
                        slice,
                        slice_target: 0.95,
                    },
                    _ => BudgetingMethod::RatioTimeslices { slice },
                };
                let (sli, metric) = if kind == 0 {
                    let comparison = [
                        Comparison::Below,
                        Comparison::AtMost,
                        Comparison::Above,
                        Comparison::AtLeast,
                    ][usize::from(op)];
                    (
                        Sli::TimeSlice {
                            comparison,
                            threshold: f64::from(value) / 8.0,
                            slice,
                        },
                        IndicatorMetric::Threshold { metric: a },
                    )
                } else {
                    let (good, bad) = if good {
                        (Some(a), None)
                    } else {
                        (None, Some(a))
                    };
                    (
                        Sli::EventRatio,
                        IndicatorMetric::Ratio {
                            counter,
                            good,
                            bad,
                            total: b,
                        },
                    )
                };
                SloDefinition {
                    slo: Slo::new(
                        name,
                        Objective::new(f64::from(target) / 10_000.0).unwrap(),
                        window,
                        sli,
                    )
                    .with_budgeting(budgeting)
                    .with_missing_data(missing_data)
                    .with_min_events(f64::from(min_events * 50)),
                    display_name,
                    description,
                    service,
                    indicator: std::sync::Arc::new(Indicator {
                        name: sli_name,
                        description: None,
                        metric,
                    }),
                    alert_policies: alert_policies
                        .into_iter()
                        .map(std::sync::Arc::new)
                        .collect(),
                    document: 0,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// export → parse gives back the definitions, and parse → export → parse is the identity.
    #[test]
    fn export_then_parse_is_identity(defs in proptest::collection::vec(definition(), 1..4)) {
        let mut defs = defs;
        for (i, d) in defs.iter_mut().enumerate() {
            d.slo.name = format!("{}-{i}", d.slo.name); // unique names
        }
        let yaml = export(&defs).unwrap();
        let first = lenient(&yaml).unwrap();
        // Export writes every field the v1 rules require (`notificationTargets` even empty,
        // `counter`): strict mode finds none missing. (Generated policies may have tiers that
        // can never fire, which strict mode refuses; that is the definitions', not the
        // export's, doing.)
        prop_assert!(
            first.warnings.iter().all(|w| !matches!(w.problem, Problem::MissingField { .. })),
            "{:?}", first.warnings
        );
        prop_assert_eq!(origin(first.slos.clone()), origin(defs));
        let again = lenient(&export(&first.slos).unwrap()).unwrap();
        prop_assert_eq!(origin(again.slos), origin(first.slos.clone()));
        // The objects as written: parse → export_objects → parse gives the same objects and
        // definitions, and export_objects → parse → export_objects the same text.
        let text = sli_core::openslo::export_objects(&first.objects);
        let objects = lenient(&text).unwrap();
        prop_assert_eq!(&objects.objects, &first.objects);
        prop_assert_eq!(origin(objects.slos), origin(first.slos));
        prop_assert_eq!(sli_core::openslo::export_objects(&objects.objects), text);
    }
}

/// The round trip above writes printable text only. A C1 control or U+FFFE used to be
/// written raw, which YAML does not allow and go-yaml (the OpenSLO tools' reader) refuses
/// ("control characters are not allowed"); they are escaped now, and read back the same.
#[test]
fn export_escapes_what_yaml_does_not_allow_raw() {
    let mut defs = strict(EXAMPLE).unwrap().slos;
    defs.truncate(1);
    for c in [
        '\u{80}', '\u{81}', '\u{9f}', '\u{fffe}', '\u{ffff}', '\u{85}', '\u{2028}',
    ] {
        let text = format!("a{c}b");
        defs[0].description = Some(text.clone());
        defs[0].display_name = Some(text.clone());
        let yaml = export(&defs).unwrap();
        assert!(!yaml.contains(c), "{c:?} written raw");
        let back = strict(&yaml).unwrap().slos;
        assert_eq!(back[0].description.as_deref(), Some(text.as_str()));
        assert_eq!(back[0].display_name.as_deref(), Some(text.as_str()));
    }
}

// ---- fuzz ------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// Arbitrary text: an error or an import, never a panic.
    #[test]
    fn parser_never_panics_on_arbitrary_text(text in "\\PC{0,300}") {
        let _ = lenient(&text);
        let _ = strict(&text);
    }

    /// Arbitrary bytes, decoded leniently.
    #[test]
    fn parser_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = lenient(&String::from_utf8_lossy(&bytes));
    }

    /// The example file with random edits (deletions, insertions of YAML punctuation), which
    /// reaches far deeper into the importer than random text.
    #[test]
    fn parser_never_panics_on_mutated_documents(
        edits in proptest::collection::vec((0usize..EXAMPLE.len(), 0usize..8, prop_oneof![
            Just(""), Just(":"), Just("- "), Just("\n"), Just("  "), Just("{"), Just("]"),
            Just("*a"), Just("&a "), Just("\""), Just("1M"), Just("!!int "), Just("---\n"),
        ]), 1..6)
    ) {
        let mut text = EXAMPLE.to_string();
        for (at, delete, insert) in edits {
            let mut at = at.min(text.len());
            while !text.is_char_boundary(at) { at -= 1; }
            let mut end = (at + delete).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(at..end.max(at), insert);
        }
        if let Err(err) = lenient(&text) {
            let syntax = matches!(err.problem, Problem::Syntax { .. });
            prop_assert!(err.location.line >= 1 || syntax, "{}", err);
        }
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(lenient(&text).is_err());
    let text = format!("a: {}", "- ".repeat(50_000));
    let _ = lenient(&text);
}

// ---- composite SLOs --------------------------------------------------------------------

const COMPOSITE: &str = r#"apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-journey
spec:
  service: checkout
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: availability
      target: 0.999
      compositeWeight: 2
      indicatorRef: availability
    - displayName: latency
      target: 0.99
      indicatorRef: latency
    - displayName: checkout
      targetPercent: 99.5
      compositeWeight: 1
      indicatorRef: availability
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: availability
spec:
  ratioMetric:
    counter: true
    bad:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total{code=~"5.."}[5m]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_requests_total[5m]))
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: latency
spec:
  ratioMetric:
    counter: true
    good:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_request_duration_seconds_bucket{le="0.3"}[5m]))
    total:
      metricSource:
        type: Prometheus
        spec:
          query: sum(rate(http_request_duration_seconds_count[5m]))
"#;

/// A composite read from OpenSLO and computed, against the figures worked by hand in
/// `sli_core::Composite`'s tests: A = 0.994125, T = 0.99575, 1.382… of the budget spent.
#[test]
fn composite_slo_is_computed_with_the_spec_weights() {
    let import = strict(COMPOSITE).unwrap();
    assert_eq!(import.slos.len(), 3);
    let journey = &import.composites[0];
    assert_eq!(
        journey.components,
        [
            ("checkout-journey-0".to_string(), 2.0),
            ("checkout-journey-1".to_string(), 1.0),
            ("checkout-journey-2".to_string(), 1.0)
        ]
    );
    let composite = journey.composite(&import.slos).unwrap().unwrap();
    let t = chrono::DateTime::parse_from_rfc3339("2024-05-01T00:00:00Z")
        .unwrap()
        .to_utc();
    let series =
        |bad: f64, total: f64| sli_core::Series::from_counts([(t, total - bad, total)]).unwrap();
    let (a, l, c) = (series(500.0, 1e6), series(200.0, 1e4), series(50.0, 2e4));
    let report = composite
        .report(&[&a, &l, &c], t + chrono::TimeDelta::hours(1))
        .unwrap();
    assert!((report.attainment.unwrap() - 0.994_125).abs() < 1e-12);
    assert!((report.target - 0.995_75).abs() < 1e-12);
    assert!((report.budget_consumed.unwrap() - 0.005_875 / 0.004_25).abs() < 1e-9);
    assert_eq!(report.met, Some(false));
    // Round trip of the objects.
    let text = sli_core::openslo::export_objects(&import.objects);
    let again = strict(&text).unwrap();
    assert_eq!(again.composites, import.composites);
    assert_eq!(origin(again.slos), origin(import.slos.clone()));
    assert_eq!(sli_core::openslo::export_objects(&again.objects), text);
    // Both an SLO indicator and per-objective ones: refused; a weight of 0 too.
    let both = COMPOSITE.replacen(
        "  service: checkout\n",
        "  service: checkout\n  indicatorRef: latency\n",
        1,
    );
    assert!(matches!(
        lenient(&both).unwrap_err().problem,
        Problem::Conflict { .. }
    ));
    let zero = COMPOSITE.replacen("compositeWeight: 2", "compositeWeight: 0", 1);
    let err = lenient(&zero).unwrap_err();
    assert_eq!(err.location.path, "spec.objectives[0].compositeWeight");
}

/// A calendar anchor on a leap second (chrono keeps it as 59 s and over 10^9 ns) is exported
/// as the second before: `23:59:60` is refused by Go's time parser, so by the Go SDK.
#[test]
fn a_leap_second_anchor_is_exported_as_the_second_before() {
    let mut import = strict(EXAMPLE).unwrap();
    let orders = &mut import.slos[2];
    let Window::Calendar(calendar) = &mut orders.slo.window else {
        panic!("the example's third SLO has a calendar window");
    };
    calendar.anchor = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
        .and_then(|d| d.and_hms_milli_opt(23, 59, 59, 1_500));
    let yaml = export(&import.slos).unwrap();
    assert!(yaml.contains("2016-12-31 23:59:59"), "{yaml}");
    assert!(!yaml.contains(":60"), "{yaml}");
}

// ---- The OpenSLO v1 rules the spec probe found unapplied or misworded -----------------------

/// An SLO with a threshold SLI and `n` objectives (the first `lt 2000`, the next `lt 5000`).
fn threshold_slo(objectives: usize) -> String {
    let mut text = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: lat}\nspec:\n  service: web\n  indicator:\n    metadata: {name: lat-sli}\n    spec:\n      thresholdMetric:\n        metricSource: {type: CloudWatch, spec: {namespace: CloudWatchSynthetics, metricName: Duration, stat: Average}}\n  timeWindow: [{duration: 7d, isRolling: true}]\n  budgetingMethod: Timeslices\n  objectives:\n".to_string();
    for i in 0..objectives {
        text.push_str(&format!(
            "    - {{op: lt, value: {}, target: 0.99, timeSliceTarget: 1, timeSliceWindow: 1m}}\n",
            2000 + 3000 * i
        ));
    }
    text
}

/// The spec: "If `thresholdMetric` has been defined, only one Threshold can be defined."
#[test]
fn a_threshold_sli_has_one_objective() {
    assert!(strict(&threshold_slo(1)).unwrap().warnings.is_empty());
    let two = threshold_slo(2);
    let err = strict(&two).unwrap_err();
    assert_eq!(
        (err.location.path.as_str(), err.location.line),
        ("spec.objectives[1]", line_of(&two, "value: 5000"))
    );
    assert!(
        matches!(&err.problem, Problem::Conflict { reason } if reason.contains("only one Threshold")),
        "{err}"
    );
    // Lenient: every objective kept, one warning.
    let import = lenient(&two).unwrap();
    assert_eq!(import.slos.len(), 2);
    assert_eq!(import.warnings.len(), 1, "{:?}", import.warnings);
    assert_eq!(import.warnings[0].location.path, "spec.objectives[1]");
}

const POLICY: &str = "apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: p}\nspec:\n  conditions:\n    - kind: AlertCondition\n      metadata: {name: fast}\n      spec: {severity: page, condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h}}\n  notificationTargets: [{kind: AlertNotificationTarget, metadata: {name: mail}, spec: {target: email}}]\n";

/// The spec: "notificationTargets[ ] Alert Notification Target, required field."
#[test]
fn an_alert_policy_needs_notification_targets() {
    assert!(strict(POLICY).unwrap().warnings.is_empty());
    let without = POLICY.replace(
        "  notificationTargets: [{kind: AlertNotificationTarget, metadata: {name: mail}, spec: {target: email}}]\n",
        "",
    );
    // Alone, and used by an SLO.
    let used = format!(
        "{without}---\n{}",
        EXAMPLE_SLO.replace(
            "  objectives:",
            "  alertPolicies: [{alertPolicyRef: p}]\n  objectives:"
        )
    );
    for text in [without.as_str(), used.as_str()] {
        let err = strict(text).unwrap_err();
        assert!(
            matches!(
                err.problem,
                Problem::MissingField {
                    field: "notificationTargets"
                }
            ),
            "{err}"
        );
        assert_eq!(
            (err.location.document, err.location.path.as_str()),
            (0, "spec")
        );
        let import = lenient(text).unwrap();
        assert!(
            import.warnings.iter().any(|w| matches!(
                w.problem,
                Problem::MissingField {
                    field: "notificationTargets"
                }
            )),
            "{:?}",
            import.warnings
        );
    }
    // Export writes the field even for a policy without targets (`[]`), so that strict mode
    // reads the file back.
    let mut defs = lenient(&used).unwrap().slos;
    assert!(defs[0].alert_policies[0].notification_targets.is_empty());
    let yaml = export(&defs).unwrap();
    assert!(yaml.contains("notificationTargets: []"), "{yaml}");
    let again = strict(&yaml).unwrap().slos;
    defs[0].document = again[0].document;
    assert_eq!(origin(again), origin(defs));
}

/// A ratio SLO with a good/total indicator, the SLO's own description and no policy.
const EXAMPLE_SLO: &str = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: d}\nspec:\n  description: fine\n  service: web\n  indicator:\n    metadata: {name: d-sli}\n    spec:\n      description: fine\n      ratioMetric:\n        counter: true\n        good: {metricSource: {type: Prometheus, spec: {query: 'sum(x_total{code=\"200\"})'}}}\n        total: {metricSource: {type: Prometheus, spec: {query: 'sum(x_total)'}}}\n  timeWindow: [{duration: 28d, isRolling: true}]\n  budgetingMethod: Occurrences\n  objectives: [{target: 0.99}]\n";

/// The spec gives every kind with a `description` the same limit ("contains at most 1050
/// characters"): SLO, SLI (standalone and inline), DataSource, AlertPolicy, AlertCondition.
#[test]
fn every_description_has_at_most_1050_characters() {
    let long = "x".repeat(1051);
    let ok = "y".repeat(1050);
    let source = "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\nspec:\n  description: fine\n  type: Prometheus\n  connectionDetails: {url: 'http://prom'}\n";
    let sli = "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: alone}\nspec:\n  description: fine\n  thresholdMetric: {metricSource: {type: Prometheus, spec: {query: up}}}\n";
    let condition = "apiVersion: openslo/v1\nkind: AlertCondition\nmetadata: {name: c}\nspec:\n  description: fine\n  severity: page\n  condition: {kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h}\n";
    let policy = POLICY.replace(
        "spec:\n  conditions:",
        "spec:\n  description: fine\n  conditions:",
    );
    let used_condition = format!(
        "{condition}---\n{}---\n{}",
        POLICY.replace(
            "    - kind: AlertCondition\n      metadata: {name: fast}\n      spec: {severity: page, condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h}}\n",
            "    - conditionRef: c\n"
        ),
        EXAMPLE_SLO.replace("  objectives:", "  alertPolicies: [{alertPolicyRef: p}]\n  objectives:")
    );
    for (what, text, nth, path) in [
        ("SLO", EXAMPLE_SLO.to_string(), 0, "spec.description"),
        (
            "inline SLI",
            EXAMPLE_SLO.to_string(),
            1,
            "spec.indicator.spec.description",
        ),
        ("SLI", sli.to_string(), 0, "spec.description"),
        ("DataSource", source.to_string(), 0, "spec.description"),
        ("AlertPolicy", policy.clone(), 0, "spec.description"),
        (
            "AlertCondition used by an SLO",
            used_condition.clone(),
            0,
            "spec.description",
        ),
    ] {
        assert!(strict(&text).is_ok(), "{what}: {:?}", strict(&text).err());
        let with = |value: &str| {
            let mut parts = text.split("description: fine");
            let mut out = parts.next().unwrap().to_string();
            for (i, rest) in parts.enumerate() {
                out.push_str("description: ");
                out.push_str(if i == nth { value } else { "fine" });
                out.push_str(rest);
            }
            out
        };
        assert!(strict(&with(&ok)).is_ok(), "{what}: 1050 characters");
        let too_long = with(&long);
        let err = strict(&too_long).unwrap_err();
        assert_eq!(err.location.path, path, "{what}: {err}");
        assert!(
            matches!(&err.problem, Problem::InvalidValue { reason, .. } if reason.contains("1050")),
            "{what}: {err}"
        );
        let import = lenient(&too_long).unwrap();
        assert_eq!(import.warnings.len(), 1, "{what}: {:?}", import.warnings);
    }
}

/// `counter` on a good/total or bad/total ratio: the spec's schema gives it no default, and a
/// counter and a gauge read differently. Strict mode refuses its absence; lenient reads false.
/// A raw ratio needs none ("ignored when using raw").
#[test]
fn counter_is_required_on_a_good_or_bad_ratio() {
    let without = EXAMPLE_SLO.replace("        counter: true\n", "");
    let err = strict(&without).unwrap_err();
    assert!(
        matches!(err.problem, Problem::MissingField { field: "counter" }),
        "{err}"
    );
    assert_eq!(
        (err.location.path.as_str(), err.location.line),
        (
            "spec.indicator.spec.ratioMetric",
            line_of(&without, "        good:")
        )
    );
    let import = lenient(&without).unwrap();
    assert!(matches!(
        import.slos[0].indicator.metric,
        IndicatorMetric::Ratio { counter: false, .. }
    ));
    assert_eq!(import.warnings.len(), 1, "{:?}", import.warnings);
    let raw = EXAMPLE_SLO.replace(
        "        counter: true\n        good: {metricSource: {type: Prometheus, spec: {query: 'sum(x_total{code=\"200\"})'}}}\n        total:",
        "        rawType: success\n        raw:",
    );
    assert!(strict(&raw).unwrap().warnings.is_empty());
}

/// The spec: "timeWindow[ ] optional". Refused all the same (an SLO is evaluated over a
/// window), with a message saying so.
#[test]
fn an_slo_without_a_time_window_is_refused_saying_why() {
    let without = EXAMPLE_SLO.replace("  timeWindow: [{duration: 28d, isRolling: true}]\n", "");
    for mode in [Mode::Strict, Mode::Lenient] {
        let err = parse(&without, mode).unwrap_err();
        assert_eq!(err.location.path, "spec");
        let message = err.to_string();
        assert!(
            message.contains("leaves timeWindow optional") && message.contains("needs one"),
            "{message}"
        );
    }
}

/// The spec: "conditions[ ] … (max of one condition)". Several conditions are read, one tier
/// each, with a warning in both modes naming the limit.
#[test]
fn several_conditions_in_a_policy_are_an_extension_with_a_warning() {
    let two = POLICY.replace(
        "  notificationTargets:",
        "    - kind: AlertCondition\n      metadata: {name: slow}\n      spec: {severity: ticket, condition: {kind: burnrate, op: gt, threshold: 1, lookbackWindow: 3d}}\n  notificationTargets:",
    );
    let used = format!(
        "{two}---\n{}",
        EXAMPLE_SLO.replace(
            "  objectives:",
            "  alertPolicies: [{alertPolicyRef: p}]\n  objectives:"
        )
    );
    for mode in [Mode::Strict, Mode::Lenient] {
        for text in [&two, &used] {
            let import = parse(text, mode).unwrap();
            assert!(
                matches!(&import.warnings[..], [w] if w.location.path == "spec.conditions[1]"
                    && matches!(&w.problem, Problem::Extension { what } if what.contains("max of one condition") && what.contains("one tier"))),
                "{:?}",
                import.warnings
            );
        }
        let import = parse(&used, mode).unwrap();
        assert_eq!(import.slos[0].alert_policies[0].policy.tiers.len(), 2);
    }
}

/// Duration messages say what is wrong; a rolling month is read as 30 days without being
/// called invalid.
#[test]
fn duration_messages_say_what_is_wrong() {
    for (duration, expected) in [
        ("1.5w", "the number must be whole"),
        ("'28 d'", "no whitespace"),
        ("28x", "unknown unit"),
    ] {
        let text = EXAMPLE_SLO.replace("duration: 28d", &format!("duration: {duration}"));
        let message = strict(&text).unwrap_err().to_string();
        assert!(
            message.contains(expected)
                && message
                    .contains("a positive whole number followed directly by one of the units"),
            "{duration}: {message}"
        );
    }
    let month = EXAMPLE_SLO.replace("duration: 28d", "duration: 1M");
    let import = strict(&month).unwrap();
    let warning = import.warnings[0].to_string();
    assert!(
        !warning.contains("invalid")
            && warning.contains("no fixed length")
            && warning.contains("30 days"),
        "{warning}"
    );
}

/// YAML merge keys, which go-yaml (and so kubectl and the OpenSLO Go tooling) reads: the
/// metric source of `total` is that of `good` with its own `spec`.
#[test]
fn yaml_merge_keys_are_expanded() {
    let text = "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: m}\nspec:\n  ratioMetric:\n    counter: true\n    good: {metricSource: &src {type: Prometheus, spec: {query: 'sum(x_total{code=\"200\"})'}}}\n    total: {metricSource: {<<: *src, spec: {query: 'sum(x_total)'}}}\n";
    let import = strict(text).unwrap();
    assert!(import.warnings.is_empty(), "{:?}", import.warnings);
    let total = import.objects[0]
        .value
        .get("spec")
        .and_then(|s| s.get("ratioMetric"))
        .and_then(|r| r.get("total"))
        .and_then(|t| t.get("metricSource"))
        .unwrap();
    assert_eq!(total.get("type"), Some(&Value::String("Prometheus".into())));
    assert_eq!(
        total.get("spec").and_then(|s| s.get("query")),
        Some(&Value::String("sum(x_total)".into()))
    );
}

/// A bounds probe (2026-12-07): each objective's definition held its own copy of the SLO's
/// indicator, queries and all, so two 1 MiB queries and 400 one-line objectives (a 2 MiB
/// document) took 804 MiB, past what `Limits` bounds. The definitions of one SLO's objectives,
/// and of the SLOs referring to one SLI, now share one indicator.
#[test]
fn an_indicator_is_shared_not_copied_per_objective() {
    let query = "x".repeat(64 * 1024);
    let mut text = format!(
        "apiVersion: openslo/v1\nkind: SLI\nmetadata: {{name: shared}}\nspec:\n  ratioMetric:\n    counter: true\n    good: {{metricSource: {{type: Prometheus, spec: {{query: '{query}'}}}}}}\n    total: {{metricSource: {{type: Prometheus, spec: {{query: '{query}'}}}}}}\n"
    );
    for slo in ["a", "b"] {
        text.push_str(&format!(
            "---\napiVersion: openslo/v1\nkind: SLO\nmetadata: {{name: {slo}}}\nspec:\n  service: web\n  indicatorRef: shared\n  timeWindow: [{{duration: 28d, isRolling: true}}]\n  budgetingMethod: Occurrences\n  objectives:\n"
        ));
        for i in 0..50 {
            text.push_str(&format!("    - {{target: 0.{}}}\n", 900 + i));
        }
    }
    let import = lenient(&text).unwrap();
    assert_eq!(import.slos.len(), 100);
    let first = &import.slos[0].indicator;
    assert!(
        import
            .slos
            .iter()
            .all(|d| std::sync::Arc::ptr_eq(&d.indicator, first)),
        "an indicator copied"
    );
}

/// The same probe: an SLO's description (kept in lenient mode however long) is copied into
/// each objective's definition; what is copied is held to `Limits::max_input_bytes` in all.
#[test]
fn text_copied_per_objective_is_bounded() {
    let description = "d".repeat(1 << 20);
    let mut text = format!(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {{name: a}}\nspec:\n  description: {description}\n  service: web\n  indicator:\n    metadata: {{name: i}}\n    spec:\n      ratioMetric:\n        counter: true\n        good: {{metricSource: {{type: Prometheus, spec: {{query: g}}}}}}\n        total: {{metricSource: {{type: Prometheus, spec: {{query: t}}}}}}\n  timeWindow: [{{duration: 28d, isRolling: true}}]\n  budgetingMethod: Occurrences\n  objectives:\n"
    );
    for i in 0..40 {
        text.push_str(&format!("    - {{target: 0.{}}}\n", 900 + i));
    }
    let limits = sli_core::openslo::Limits::default().with_max_input_bytes(8 << 20);
    let err = sli_core::openslo::parse_with_limits(&text, Mode::Lenient, limits).unwrap_err();
    assert!(
        matches!(
            err.problem,
            Problem::LimitExceeded {
                limit: "bytes of text copied into objectives' definitions",
                max: 0x80_0000
            }
        ),
        "{err}"
    );
    // Seven objectives copy 7 MiB: within the cap.
    let seven = text
        .lines()
        .take(text.lines().count() - 33)
        .collect::<Vec<_>>()
        .join("\n");
    let import = sli_core::openslo::parse_with_limits(&seven, Mode::Lenient, limits).unwrap();
    assert_eq!(import.slos.len(), 7);
}
