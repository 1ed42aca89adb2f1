//! The nine official OpenSLO examples (the spec repository's and the Go SDK's, copied under
//! `fixtures/openslo/official` with their licence): what each imports in each mode, and the
//! round trip of each.

#![cfg(feature = "openslo")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sli_core::openslo::{Import, Mode, ObjectKind, Problem, export_objects, parse};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/openslo/official"
);

fn read(name: &str) -> String {
    std::fs::read_to_string(format!("{DIR}/{name}")).unwrap()
}

const ALL: [&str; 9] = [
    "v1-low-traffic-timeslices-slo.yaml",
    "v1-occurrences-threshold-slo.yaml",
    "v1-ratio-timeslices-slo.yaml",
    "v1-sdk-alert-conditions.yaml",
    "v1-sdk-alert-policies.yaml",
    "v1-sdk-slis.yaml",
    "v1-sdk-slos.yaml",
    "v1-timeslices-calendar-slo.yaml",
    "v1alpha-sdk-slos.yaml",
];

/// Every file imports in lenient mode, with its objects in order.
#[test]
fn every_official_example_imports_leniently() {
    let expected: [(&str, &[(ObjectKind, &str)]); 9] = [
        (ALL[0], &[(ObjectKind::Slo, "service-availability")]),
        (ALL[1], &[(ObjectKind::Slo, "search-slo")]),
        (ALL[2], &[(ObjectKind::Slo, "main-page")]),
        (
            ALL[3],
            &[
                (ObjectKind::AlertCondition, "cpu-usage-breach"),
                (ObjectKind::AlertCondition, "latency-too-high"),
            ],
        ),
        (
            ALL[4],
            &[
                (ObjectKind::AlertPolicy, "low-priority"),
                (ObjectKind::AlertPolicy, "high-priority"),
                (ObjectKind::AlertPolicy, "medium-priority"),
            ],
        ),
        (
            ALL[5],
            &[
                (ObjectKind::Sli, "search-availability"),
                (ObjectKind::Sli, "end-user-response"),
                (ObjectKind::Sli, "wifi-client-satisfaction"),
                (ObjectKind::Sli, "annotator-throughput"),
            ],
        ),
        (ALL[6], &[(ObjectKind::Slo, "web-availability")]),
        (ALL[7], &[(ObjectKind::Slo, "service-availability")]),
        (
            ALL[8],
            &[
                (ObjectKind::Slo, "web-latency-threshold"),
                (ObjectKind::Slo, "web-availability-ratio"),
            ],
        ),
    ];
    for (file, objects) in expected {
        let import = parse(&read(file), Mode::Lenient).unwrap_or_else(|e| panic!("{file}: {e}"));
        let got: Vec<_> = import
            .objects
            .iter()
            .map(|o| (o.kind, o.name.as_str()))
            .collect();
        assert_eq!(got, objects, "{file}");
    }
}

/// Strict mode applies the v1 rules: a good/total ratio without `counter` (three files: the
/// spec's schema gives it no default) and `openslo/v1alpha` are refused with document, field,
/// line and column; the other five import. `op` on a ratio SLI (four files) is valid v1 ("Only
/// needed when using a thresholdMetric") and ignored, with a warning in either mode.
#[test]
fn strict_mode_refuses_what_the_v1_rules_refuse() {
    for file in [ALL[1], ALL[3], ALL[4], ALL[5], ALL[6]] {
        let import = parse(&read(file), Mode::Strict).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(!import.objects.is_empty(), "{file}");
    }
    let op = parse(&read(ALL[6]), Mode::Strict).unwrap();
    assert!(
        op.warnings.iter().any(
            |w| matches!(w.problem, Problem::Ignored { field: "op", .. })
                && (w.location.line, w.location.column) == (40, 13)
        ),
        "{:?}",
        op.warnings
    );
    for (file, line, column) in [(ALL[0], 14, 9), (ALL[2], 16, 9), (ALL[7], 16, 9)] {
        let err = parse(&read(file), Mode::Strict).unwrap_err();
        assert!(
            matches!(err.problem, Problem::MissingField { field: "counter" }),
            "{file}: {err}"
        );
        assert!(
            err.location.path.ends_with("spec.ratioMetric"),
            "{file}: {err}"
        );
        assert_eq!(
            (err.location.line, err.location.column),
            (line, column),
            "{file}: {err}"
        );
    }
    let err = parse(&read(ALL[8]), Mode::Strict).unwrap_err();
    assert!(
        matches!(err.problem, Problem::UnsupportedVersion { .. }),
        "{err}"
    );
    assert_eq!(
        (err.location.path.as_str(), err.location.line),
        ("[0].apiVersion", 1)
    );
}

/// What the SLO files mean, as `sli-core` evaluates them.
#[test]
fn official_slos_as_sli_core_evaluates_them() {
    use sli_core::{BudgetingMethod, CalendarPeriod, Comparison, Sli, Span, Window};
    let import = parse(&read(ALL[1]), Mode::Strict).unwrap();
    let search = &import.slos[0];
    assert_eq!(
        search.slo.window,
        Window::rolling(Span::from_days(14).unwrap())
    );
    assert_eq!(search.slo.budgeting, BudgetingMethod::Occurrences);
    assert!(
        matches!(search.slo.sli, Sli::TimeSlice { comparison: Comparison::Below, threshold, .. } if threshold == 500.0)
    );
    assert!(search.indicator.metric_sources().all(|m| m.is_type("Any")));

    let import = parse(&read(ALL[6]), Mode::Lenient).unwrap();
    let web = &import.slos[0];
    let Window::Calendar(c) = web.slo.window else {
        panic!()
    };
    assert_eq!(
        (c.period, c.zone.to_string().as_str()),
        (CalendarPeriod::Week, "America/New_York")
    );
    assert!(
        web.indicator
            .metric_sources()
            .all(|m| m.is_type("prometheus"))
    );
    // Two objectives of one SLO: one definition each.
    let import = parse(&read(ALL[7]), Mode::Lenient).unwrap();
    assert_eq!(import.slos.len(), 2);
    assert!(
        import
            .warnings
            .iter()
            .any(|w| w.to_string().contains("not months")),
        "{:?}",
        import.warnings
    );
    // v1alpha: both SLOs, mapped to v1 with a warning per mapped field.
    let import = parse(&read(ALL[8]), Mode::Lenient).unwrap();
    assert_eq!(import.slos.len(), 2);
    assert!(
        import
            .warnings
            .iter()
            .filter(|w| w.to_string().contains("v1alpha"))
            .count()
            >= 6,
        "{:#?}",
        import.warnings
    );
}

fn zero_documents(mut import: Import) -> Import {
    for d in &mut import.slos {
        d.document = 0;
    }
    for o in &mut import.objects {
        o.document = 0;
        o.item = None;
    }
    import.warnings.clear();
    import
}

/// parse → export → parse gives the same model, and export → parse → export the same text.
#[test]
fn official_examples_round_trip() {
    for file in ALL {
        let first = parse(&read(file), Mode::Lenient).unwrap();
        let text = export_objects(&first.objects);
        let second = parse(&text, Mode::Lenient).unwrap_or_else(|e| panic!("{file}: {e}\n{text}"));
        assert_eq!(
            zero_documents(second.clone()),
            zero_documents(first),
            "{file}"
        );
        assert_eq!(export_objects(&second.objects), text, "{file}");
    }
}

/// YAML's explicit core-schema tags say what a scalar is: `!!float 0.99` and `!!float "0.99"`
/// are the float 0.99, `!!bool true` the boolean (YAML 1.2, "10.3 Core Schema"; tools that
/// write YAML, and people making a type explicit, use them). Strict mode used to refuse them
/// ("expected a number, found a quoted string") and lenient mode to warn so. A `!!str` tag
/// still makes a string, which a number field refuses in strict mode.
#[test]
fn core_schema_tags_are_read_as_their_types() {
    // The calendar example without its objective's `op` (ignored, with a warning) and with
    // the `counter` strict mode requires.
    let base: String = read(ALL[7])
        .lines()
        .filter(|l| !l.trim_start().starts_with("op:"))
        .map(|l| {
            if l.trim_start() == "ratioMetric:" {
                format!(
                    "{l}\n{}  counter: true\n",
                    &l[..l.len() - l.trim_start().len()]
                )
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let want = parse(&base, Mode::Strict).unwrap();
    let target = base
        .lines()
        .find_map(|l| l.trim().strip_prefix("target: "))
        .and_then(|t| t.split('#').next())
        .unwrap()
        .trim()
        .to_owned();
    for (from, to) in [
        (
            format!("target: {target}"),
            format!("target: !!float {target}"),
        ),
        (
            format!("target: {target}"),
            format!("target: !!float \"{target}\""),
        ),
        (
            format!("target: {target}"),
            format!("target: !<tag:yaml.org,2002:float> {target}"),
        ),
        (
            "isRolling: false".to_owned(),
            "isRolling: !!bool false".to_owned(),
        ),
        (
            "isRolling: false".to_owned(),
            "isRolling: !!bool 'false'".to_owned(),
        ),
    ] {
        assert!(base.contains(&from), "{from}");
        let tagged = base.replace(&from, &to);
        let got = parse(&tagged, Mode::Strict).unwrap_or_else(|e| panic!("{to}: {e}"));
        assert_eq!(got.slos, want.slos, "{to}");
        assert_eq!(got.warnings, want.warnings, "{to}");
    }
    // A string where a number belongs is the wrong type.
    let tagged = base.replace(
        &format!("target: {target}"),
        &format!("target: !!str {target}"),
    );
    let err = parse(&tagged, Mode::Strict).unwrap_err();
    assert!(matches!(err.problem, Problem::WrongType { .. }), "{err}");
    // A core-schema tag its text does not fit is no YAML value at all (it was read as a
    // string, and reported as "found a quoted string"), in either mode.
    for (to, says) in [
        (
            format!("target: !!bool {target}"),
            "tagged !!bool but is not a boolean",
        ),
        (
            "target: !!float abc".to_owned(),
            "tagged !!float but is not a finite decimal number",
        ),
        (
            "target: !<tag:yaml.org,2002:int> 0x1F".to_owned(),
            "is not a decimal integer",
        ),
    ] {
        let tagged = base.replace(&format!("target: {target}"), &to);
        for mode in [Mode::Strict, Mode::Lenient] {
            let err = parse(&tagged, mode).unwrap_err();
            assert!(matches!(err.problem, Problem::Syntax { .. }), "{to}: {err}");
            assert!(err.to_string().contains(says), "{to}: {err}");
        }
    }
}
