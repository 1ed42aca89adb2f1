//! Names and windows chosen to break the Prometheus road's output: what each one used to
//! produce, and what it gets now. Where `scripts/test.sh` sets `PROMTOOL` and `AMTOOL`, the
//! outputs also go through the engines' own checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use sli_core::{AlertPolicy, MissingData, catalog};
use slo_compiler::prometheus::{Options, Query, Signal, Spec, compile};
use slo_compiler::{CompileProblem, SloSpec};

fn spec(service: &str, slo: &str) -> Spec {
    let mut slo = catalog::availability(slo);
    slo.missing_data = MissingData::Good;
    SloSpec::new(
        slo,
        AlertPolicy::default(),
        Signal::Bad {
            bad: Query::counter(r#"http_requests_total{job="checkout",code=~"5.."}"#).unwrap(),
            total: Query::counter(r#"http_requests_total{job="checkout"}"#).unwrap(),
        },
    )
    .with_service(service)
}

/// `tool check <what> <file>` on `text`, when the environment names the tool: its output on
/// failure, `None` when it passed or is not installed.
fn engine_check(var: &str, args: &[&str], name: &str, text: &str) -> Option<String> {
    let Some(tool) = std::env::var_os(var) else {
        eprintln!("SKIPPED the {var} check of {name}: {var} is not set");
        return None;
    };
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("prometheus_hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    let out = Command::new(tool).args(args).arg(&file).output().unwrap();
    (!out.status.success()).then(|| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// Sloth's id is `<service>-<slo>`: service `a-b` with SLO `c` and service `a` with SLO `b-c`
/// share it. The second used to reuse the first's recordings, which carry the first's
/// `sloth_service` and `sloth_slo`, while its alerts selected its own: they read series nobody
/// recorded and could never fire.
#[test]
fn two_slos_with_one_sloth_id_are_refused() {
    let Err(err) = compile(&[spec("a-b", "c"), spec("a", "b-c")], &Options::default()) else {
        panic!("two SLOs with the id a-b-c compiled");
    };
    assert_eq!(err.slo, "b-c");
    assert!(
        matches!(&err.problem, CompileProblem::DuplicateName { name } if name == "a-b-c"),
        "{err}"
    );
    // One SLO under two policies still shares its recordings.
    let twice = compile(&[spec("a-b", "c"), spec("a-b", "c")], &Options::default()).unwrap();
    assert_eq!(twice.slos.len(), 2);
}

/// A one-off maintenance window with seconds used to be truncated to the minute in
/// Alertmanager's `time_intervals`: 23:59:30 to 00:00:30 wrote `00:00`-`00:00` for its second
/// day, and 10:00:10 to 10:00:20 `10:00`-`10:00`, which Alertmanager refuses to load ("start
/// time cannot be equal or greater than end time"). Such windows now cover their whole minutes.
#[test]
fn maintenance_windows_with_seconds_give_ranges_alertmanager_loads() {
    use chrono::{TimeZone, Utc};
    use sli_core::{Interval, MaintenanceWindows};
    use slo_compiler::prometheus::AlertmanagerOptions;
    let at = |d, h, m, s| Utc.with_ymd_and_hms(2024, 5, d, h, m, s).unwrap();
    for (start, end, ranges) in [
        (
            at(1, 23, 59, 30),
            at(2, 0, 0, 30),
            &[("23:59", "24:00"), ("00:00", "00:01")][..],
        ),
        (
            at(1, 10, 0, 10),
            at(1, 10, 0, 20),
            &[("10:00", "10:01")][..],
        ),
        // Whole minutes are written as they are.
        (at(1, 10, 0, 0), at(1, 10, 5, 0), &[("10:00", "10:05")][..]),
    ] {
        let window = MaintenanceWindows::new([Interval::new(start, end).unwrap()]);
        let compiled = compile(
            &[spec("svc", "api").with_maintenance(window)],
            &Options::default(),
        )
        .unwrap();
        let config = compiled
            .alertmanager(&AlertmanagerOptions::default())
            .unwrap();
        let written: Vec<(&str, &str)> = config
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- start_time: "))
            .zip(
                config
                    .lines()
                    .filter_map(|l| l.trim().strip_prefix("end_time: ")),
            )
            .map(|(s, e)| (s.trim_matches('\''), e.trim_matches('\'')))
            .collect();
        assert_eq!(written, ranges, "{start} to {end}:\n{config}");
        let failed = engine_check("AMTOOL", &["check-config"], "seconds.yml", &config);
        assert!(failed.is_none(), "{start} to {end}: {failed:?}\n{config}");
    }
}

/// Service and SLO names are label values, written into every rule. With a C1 control or
/// U+FFFE in one, `promtool check rules` refused the file ("control characters are not
/// allowed"); with U+2028 ("could not find expected ':'") too, since go-yaml reads it as a line
/// break. They are escaped now; the rules keep the names exactly.
#[test]
fn names_with_characters_yaml_breaks_on_give_rules_promtool_loads() {
    let specials = [
        '\u{81}', '\u{85}', '\u{2028}', '\u{2029}', '\u{7f}', '\u{feff}', '\u{fffe}',
    ];
    for (i, c) in specials.into_iter().enumerate() {
        let service = format!("svc{c}x");
        let compiled =
            compile(&[spec(&service, &format!("api\n{c}"))], &Options::default()).unwrap();
        for (name, text) in compiled.files_yaml() {
            assert!(!text.contains(c), "{c:?} written raw in {name}");
            let failed = engine_check(
                "PROMTOOL",
                &["check", "rules"],
                &format!("{i}-{name}"),
                &text,
            );
            assert!(failed.is_none(), "{c:?}: {failed:?}");
        }
    }
}

/// Selectors at the edge of what PromQL reads: `Query::counter` used to take the invalid ones
/// (`x{a=~"("}`, a backreference, lookaround, `__name__` beside the name, `inf`, `bool`…) and
/// promtool refused the whole file; the valid ones must still give rules promtool loads. Two
/// `=` values for one label PromQL loads, but no series can match it: refused as a lint.
#[test]
fn selectors_promql_reads_give_rules_promtool_loads_and_the_others_are_refused() {
    for refused in [
        r#"x{a=~"("}"#,
        r#"x{a=~"\\1"}"#,
        r#"x{a=~"(?=a)"}"#,
        r#"x{__name__="y"}"#,
        "inf",
        "nan",
        "bool",
        "on",
        r#"x{a="1",a="2"}"#,
    ] {
        let err = Query::counter(refused).unwrap_err();
        assert!(
            matches!(&err, slo_compiler::prometheus::QueryError::Selector { text, .. } if text == refused),
            "{err}"
        );
    }
    for (i, selector) in [
        r#"sum{code=~"\\p{Greek}|5..",method!~"(?i)get"}"#,
        r#"by{code!="500",code!="503"}"#,
        r#"offset{job="checkout",job="checkout"}"#,
    ]
    .into_iter()
    .enumerate()
    {
        let mut spec = spec("shop", "api");
        spec.signal = Signal::Bad {
            bad: Query::counter(selector).unwrap(),
            total: Query::counter(r#"requests_total{job="checkout"}"#).unwrap(),
        };
        let compiled = compile(&[spec], &Options::default()).unwrap();
        for (name, text) in compiled.files_yaml() {
            let failed = engine_check(
                "PROMTOOL",
                &["check", "rules"],
                &format!("selector-{i}-{name}"),
                &text,
            );
            assert!(failed.is_none(), "{selector}: {failed:?}");
        }
    }
}

/// A one-line YAML scalar as the writer puts it (plain, `'…'` or JSON's `"…"`), read back.
fn yaml_scalar(text: &str) -> String {
    if let Some(inner) = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
        inner.replace("''", "'")
    } else if text.starts_with('"') {
        serde_json::from_str(text).unwrap()
    } else {
        text.to_owned()
    }
}

/// A quoted matcher value as Alertmanager 0.25's parser (`pkg/labels/parse.go`) reads it:
/// `\"`, `\\` and `\n` are escapes, any other backslash is itself.
fn alertmanager_value(quoted: &str) -> String {
    let inner = quoted.strip_prefix('"').unwrap().strip_suffix('"').unwrap();
    let (mut out, mut chars) = (String::new(), inner.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, chars.peek()) {
            ('\\', Some('"' | '\\')) => out.push(chars.next().unwrap()),
            ('\\', Some('n')) => {
                chars.next();
                out.push('\n');
            }
            (c, _) => out.push(c),
        }
    }
    out
}

/// The maintenance mutes match alerts by `sloth_id`. The matcher used to be written as a JSON
/// string, whose `\t` (or `\u0001`) Alertmanager reads as a backslash and letters: the mute of
/// an SLO whose service or name held a tab matched no alert, and its maintenance paged.
#[test]
fn maintenance_mutes_match_ids_with_control_characters() {
    use chrono::{TimeDelta, TimeZone, Utc};
    use sli_core::{Interval, MaintenanceWindows};
    use slo_compiler::prometheus::AlertmanagerOptions;
    let start = Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap();
    let window = Interval::new(start, start + TimeDelta::hours(1)).unwrap();
    for service in [
        "svc\tx",
        "svc\u{1}x",
        "svc\\x",
        "svc\"x",
        "svc\nx",
        "svc\r\nx",
        "svc\\tx",
    ] {
        let compiled = compile(
            &[spec(service, "api").with_maintenance(MaintenanceWindows::new([window]))],
            &Options::default(),
        )
        .unwrap();
        let config = compiled
            .alertmanager(&AlertmanagerOptions::default())
            .unwrap();
        let ids: Vec<String> = config
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- "))
            .map(yaml_scalar)
            .filter_map(|m| {
                m.strip_prefix("sloth_id=")
                    .filter(|v| v.starts_with('"'))
                    .map(alertmanager_value)
            })
            .filter(|id| !id.is_empty())
            .collect();
        let id = format!("{service}-api");
        assert_eq!(ids, [id.clone(), id], "{config}");
        assert!(
            engine_check("AMTOOL", &["check-config"], "ids.yml", &config).is_none(),
            "{service:?}"
        );
    }
}

/// One receiver for pages and tickets (or a default receiver that is also the page receiver)
/// used to be declared twice, and Alertmanager refused the configuration: `notification config
/// name "oncall" is not unique`.
#[test]
fn a_receiver_named_for_several_routes_is_declared_once() {
    use slo_compiler::prometheus::{AlertmanagerOptions, alertmanager_routing};
    let options = AlertmanagerOptions::new()
        .with_receivers("oncall", "oncall")
        .with_default_receiver("oncall");
    let config = alertmanager_routing(&options).unwrap();
    let declared: Vec<&str> = config
        .lines()
        .filter_map(|l| l.strip_prefix("  - name: "))
        .collect();
    assert_eq!(declared, ["oncall", "slo-release-gate"], "{config}");
    assert_eq!(config.matches("receiver: oncall").count(), 5, "{config}");
    let failed = engine_check("AMTOOL", &["check-config"], "receivers.yml", &config);
    assert!(failed.is_none(), "{failed:?}");
}

/// A promtool test lays its counters out a minute at a time: a case whose points lie
/// centuries apart used to allocate gigabytes (16 bytes a minute). Past
/// `MAX_TEST_MINUTES` it is refused before any allocation; at the cap it is written.
#[test]
fn a_test_case_past_the_minute_cap_is_refused() {
    use chrono::{TimeDelta, TimeZone, Utc};
    use sli_core::Series;
    use slo_compiler::prometheus::{MAX_TEST_MINUTES, TestCase, UnitTestError, unit_tests};
    let compiled = compile(&[spec("svc", "api")], &Options::default()).unwrap();
    let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    let case = |minutes: i64| {
        Series::from_counts([(t0, 1.0, 1.0), (t0 + TimeDelta::minutes(minutes), 1.0, 1.0)]).unwrap()
    };
    let test = |name: &str, counts| {
        unit_tests(
            &compiled,
            &["r.yml"],
            &[TestCase::new(name, 0, counts).with_series("bad", "all")],
        )
    };
    let long = case(MAX_TEST_MINUTES + 1);
    let err = test("long", &long).unwrap_err();
    assert!(
        matches!(&err, UnitTestError::Series { reason, .. } if reason.contains("MAX_TEST_MINUTES")),
        "{err}"
    );
    let longest = case(MAX_TEST_MINUTES);
    let written = test("cap", &longest).unwrap();
    // The total counter: 0, then 1 for every minute to the last point, then 2.
    let total = format!("'0 1+0x{} 2'", MAX_TEST_MINUTES - 1);
    assert!(written.contains(&total), "{written}");
}

/// A case starting at chrono's first instant used to panic (`DateTime - TimeDelta`
/// overflowed) placing the SLO window of its last evaluation; the window starts there now.
#[test]
fn a_test_case_at_the_start_of_time_is_written() {
    use chrono::{DateTime, TimeDelta, Utc};
    use sli_core::Series;
    use slo_compiler::prometheus::{TestCase, unit_tests};
    let compiled = compile(&[spec("svc", "api")], &Options::default()).unwrap();
    let first = DateTime::<Utc>::MIN_UTC;
    let counts =
        Series::from_counts((0..10).map(|m| (first + TimeDelta::minutes(m), 9.0, 10.0))).unwrap();
    let case = TestCase::new("first", 0, &counts).with_series("bad", "all");
    let written = unit_tests(&compiled, &["r.yml"], &[case]).unwrap();
    // The error budget remaining at the last evaluation is among the expectations.
    assert!(
        written.contains("slo:period_error_budget_remaining:ratio"),
        "{written}"
    );
}

/// Options Alertmanager refuses (`repeat_interval cannot be zero`, `not a valid duration
/// string`, `duration out of range`, `missing name in receiver`) are typed errors naming the
/// option, from both entry points; the ones it loads still go through amtool.
#[test]
fn alertmanager_options_amtool_refuses_are_typed_errors() {
    use slo_compiler::CompileProblem;
    use slo_compiler::prometheus::{AlertmanagerOptions, alertmanager_routing};
    let base = AlertmanagerOptions::new();
    for (options, option) in [
        (base.clone().with_repeat("banana", "1d"), "page_repeat"),
        (base.clone().with_repeat("1h", ""), "ticket_repeat"),
        (base.clone().with_repeat("0s", "1d"), "page_repeat"),
        (base.clone().with_repeat("1h", "1m1h"), "ticket_repeat"),
        (base.clone().with_repeat("293y", "1d"), "page_repeat"),
        (base.clone().with_receivers("", "jira"), "page_receiver"),
        (base.clone().with_default_receiver(""), "default_receiver"),
        (base.clone().with_gate_receiver(""), "gate_receiver"),
    ] {
        let err = alertmanager_routing(&options).unwrap_err();
        assert!(
            matches!(&err, CompileProblem::InvalidOption { option: o, .. } if *o == option),
            "{option}: {err}"
        );
        let compiled = compile(&[spec("svc", "api")], &Options::default()).unwrap();
        let err = compiled.alertmanager(&options).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("options, field alertmanager options"),
            "{err}"
        );
    }
    for (page, ticket) in [("1ms", "290y"), ("1h30m", "2w1d"), ("5m", "106751d")] {
        let config = alertmanager_routing(&base.clone().with_repeat(page, ticket)).unwrap();
        assert!(
            engine_check("AMTOOL", &["check-config"], "repeat.yml", &config).is_none(),
            "{page} {ticket}"
        );
    }
}

/// Prometheus expands an alerting rule's labels and annotations as Go templates. A service or
/// SLO name holding `{{` used to be written into them as it is: `{{{.window}}` made
/// `promtool check rules` refuse the file ("unexpected \"{\" in command"), and `{{.window}}`
/// or `{{ "x" }}` loaded and were expanded when the alert fired, so its `sloth_id` and
/// `sloth_slo` were not the SLO's (the maintenance mutes and the dashboards, which match them,
/// missed it). Found by `random_specs_engines`. The names are now written as templates that
/// expand to themselves; `promtool test rules` checks the fired alert's labels and
/// annotations are the names.
#[test]
fn names_with_template_delimiters_are_alert_labels_as_written() {
    use chrono::{TimeDelta, TimeZone, Utc};
    use sli_core::Series;
    use slo_compiler::prometheus::{Rule, TestCase, unit_tests};
    for (i, (service, slo)) in [
        ("svc{{x", "{{{.window}}"),
        ("svc", "{{.window}}"),
        ("{{ \"forged\" }}", "api}}{{"),
        ("a{", "{b"),
    ]
    .into_iter()
    .enumerate()
    {
        // Counters the test's input series can feed (the shared spec's total also selects
        // its bad series).
        let mut spec = spec(service, slo);
        spec.signal = Signal::Bad {
            bad: Query::counter(r#"errors_total{job="checkout"}"#).unwrap(),
            total: Query::counter(r#"requests_total{job="checkout"}"#).unwrap(),
        };
        let compiled = compile(&[spec], &Options::default()).unwrap();
        let tier = &compiled.slos[0].tiers[0];
        assert!(
            tier.labels.contains(&("sloth_slo".into(), slo.into())),
            "{:?}",
            tier.labels
        );
        // What Prometheus reads as template text: with the escapes taken out, no `{{` is left.
        for group in compiled.groups() {
            for rule in &group.rules {
                let Rule::Alert(alert) = rule else { continue };
                for (key, value) in alert.labels.iter().chain(&alert.annotations) {
                    assert!(
                        !value.replace(r#"{{"{{"}}"#, "").contains("{{"),
                        "{service:?} {slo:?}: {key}: {value}"
                    );
                }
            }
        }
        let Some(promtool) = std::env::var_os("PROMTOOL") else {
            eprintln!("SKIPPED the promtool checks of template names: PROMTOOL is not set");
            continue;
        };
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("prometheus_hostile")
            .join(format!("template-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        let files = compiled.files_yaml();
        assert_eq!(files.len(), 1);
        std::fs::write(dir.join("r.yml"), &files[0].1).unwrap();
        // Half an hour of clean traffic, then a full outage: page-fast fires.
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let counts = Series::from_counts((0..45).map(|m| {
            let good = if m < 30 { 100.0 } else { 0.0 };
            (t0 + TimeDelta::minutes(m), good, 100.0)
        }))
        .unwrap();
        let case = TestCase::new("outage", 0, &counts);
        let test = unit_tests(&compiled, &["r.yml"], &[case]).unwrap();
        assert!(test.contains("exp_labels"), "{test}");
        std::fs::write(dir.join("r.test.yml"), test).unwrap();
        for args in [
            &["check", "rules", "r.yml"][..],
            &["test", "rules", "r.test.yml"],
        ] {
            let out = Command::new(&promtool)
                .args(args)
                .current_dir(&dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{service:?} {slo:?}: promtool {args:?}:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// Grafana replaces variables (`$name`, `${name}`, `[[name]]`) anywhere in a panel's query
/// before it sends it, the dashboards' own `datasource` and Grafana's built-ins
/// (`$__interval` …) among them. An SLO whose name held one was written into the panels'
/// `sloth_id="…"` as it is, so Grafana queried another series and the panels were empty.
/// Label values now spell `$` and `[` as PromQL escapes (`\u0024`, `\u005b`); promtool shows
/// the selector still matches the SLO's series.
#[test]
fn dashboard_queries_hold_no_grafana_variables() {
    use slo_compiler::prometheus::GrafanaOptions;
    for (i, slo) in ["api$datasource", "x${__interval}y", "[[datasource]]"]
        .into_iter()
        .enumerate()
    {
        let compiled = compile(&[spec("svc", slo)], &Options::default()).unwrap();
        let mut found = Vec::new();
        for dashboard in compiled.dashboards(&GrafanaOptions::default()).unwrap() {
            found.extend(common::dashboard_exprs(&dashboard.json));
        }
        let id = format!("svc-{slo}");
        let selectors: Vec<&String> = found
            .iter()
            .filter(|e| e.starts_with("slo:sli_error:ratio_rate5m{") && e.ends_with('}'))
            .collect();
        assert!(!selectors.is_empty(), "{found:?}");
        for expr in &found {
            assert!(!expr.contains('$') && !expr.contains("[["), "{slo}: {expr}");
        }
        let Some(promtool) = std::env::var_os("PROMTOOL") else {
            eprintln!("SKIPPED the promtool check of {slo:?}: PROMTOOL is not set");
            continue;
        };
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join("prometheus_hostile")
            .join(format!("grafana-{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("none.yml"), "groups: []\n").unwrap();
        let series = format!(
            "slo:sli_error:ratio_rate5m{{sloth_id={}}}",
            serde_json::Value::String(id.clone())
        );
        let test = format!(
            "rule_files: [none.yml]\ntests:\n  - interval: 1m\n    input_series:\n      - series: {}\n        values: '1 1 1'\n    promql_expr_test:\n      - expr: {}\n        eval_time: 1m\n        exp_samples:\n          - labels: {}\n            value: 1\n",
            serde_json::Value::String(series.clone()),
            serde_json::Value::String(selectors[0].clone()),
            serde_json::Value::String(series)
        );
        std::fs::write(dir.join("t.yml"), test).unwrap();
        let out = Command::new(&promtool)
            .args(["test", "rules", "t.yml"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{slo:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// One SLO's rules share a group and a group is never split, so an SLO of 450 tiers (on longer
/// queries than these) made one `PrometheusRule` of 1,180,262 bytes, past the 512 KiB rule
/// file the Operator puts in a ConfigMap, without an error; the documented split at
/// `Options::max_file_bytes` promised otherwise. Within `MAX_TIERS` the manifest still passes
/// 512 KiB on long queries (one spec's rules reach about 8 MiB).
#[test]
// The closure returns the crate's own `Result<_, CompileError>`, large by design (see lib.rs).
#[allow(clippy::result_large_err)]
fn a_manifest_past_what_kubernetes_stores_is_refused_naming_the_slo() {
    use sli_core::{AlertTier, Severity, Span, TierThreshold};
    use slo_compiler::prometheus::{MAX_MANIFEST_BYTES, MAX_TIERS, ManifestOptions};
    // Every tier over windows of its own: each window records the error ratio, queries in full.
    let tiers = |count: usize| -> Vec<AlertTier> {
        (0..count)
            .map(|i| {
                let i = i64::try_from(i).unwrap();
                AlertTier::new(
                    format!("t{i}"),
                    Severity::Page,
                    Span::from_minutes(60 + 2 * i).unwrap(),
                    Span::from_minutes(5 + 2 * i).unwrap(),
                    TierThreshold::BurnRate(2.0),
                )
            })
            .collect()
    };
    let manifests = |padding: usize| {
        let mut spec = spec("shop", "tiers");
        spec.policy = AlertPolicy::new(tiers(MAX_TIERS));
        let job = "j".repeat(padding);
        spec.signal = Signal::Bad {
            bad: Query::counter(&format!(
                r#"http_requests_total{{job="{job}",code=~"5.."}}"#
            ))
            .unwrap(),
            total: Query::counter(&format!(r#"http_requests_total{{job="{job}"}}"#)).unwrap(),
        };
        compile(&[spec], &Options::default())
            .unwrap()
            .prometheus_rules(&ManifestOptions::default())
    };
    let fits = manifests(0).unwrap();
    assert!(fits.iter().all(|m| m.yaml.len() <= MAX_MANIFEST_BYTES));
    let err = match manifests(4_096) {
        Ok(m) => panic!(
            "manifests of {:?} bytes",
            m.iter().map(|m| m.yaml.len()).collect::<Vec<_>>()
        ),
        Err(err) => err,
    };
    assert_eq!(err.slo, "tiers");
    let CompileProblem::ManifestTooLarge { bytes, max, .. } = err.problem else {
        panic!("{err}");
    };
    assert!(bytes > max && max == MAX_MANIFEST_BYTES, "{bytes} {max}");
}

/// A selector built field by field skips `Query::counter`'s checks; `compile` reads it again
/// from its PromQL text, so a regex outside RE2 or a keyword as the metric name is refused
/// there, naming the query, instead of a rule file promtool refuses whole.
#[test]
fn a_selector_built_by_hand_is_checked_at_compile() {
    use slo_compiler::prometheus::{MatchOp, Matcher, Selector};
    for (metric, value) in [("http_requests_total", "("), ("bool", "5..")] {
        let mut spec = spec("shop", "checkout");
        spec.signal = Signal::Bad {
            bad: Query::Counter(Selector {
                metric: metric.into(),
                matchers: vec![Matcher {
                    name: "code".into(),
                    op: MatchOp::Regex,
                    value: value.into(),
                }],
            }),
            total: Query::counter("http_requests_total").unwrap(),
        };
        let err = compile(&[spec], &Options::default()).unwrap_err();
        assert!(
            matches!(&err.problem, CompileProblem::InvalidSourceField { field, .. } if field == "bad"),
            "{err}"
        );
    }
}
