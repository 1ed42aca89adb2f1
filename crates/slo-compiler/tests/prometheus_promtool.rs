//! The Prometheus rules proven by Prometheus's own tooling: `promtool check rules` on every
//! generated file and `promtool test rules` on generated tests whose input series are the
//! per-minute counts `sli-core` evaluates and whose expected alerts are
//! `PolicyEvaluator::sweep`'s (the step convention: `slo_compiler::prometheus::unit_tests`).
//! Scenarios: the SRE Workbook's 15 % of errors for 10 minutes and a full outage, a slow burn,
//! gaps, low traffic, and the generated incidents the CloudWatch equivalence test feeds, under
//! every missing-data policy, with and without a minimum of events, from bad or good counts.
//! Then the same tests with every threshold moved by 1 %: promtool must fail them.
//!
//! `scripts/test.sh` installs promtool (Debian's `prometheus` package, extracted under
//! `target/`) and sets `PROMTOOL`; without it these tests print SKIPPED and pass without
//! running. The Alertmanager routing goes through `amtool` the same way (`AMTOOL`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::TimeDelta;
use common::{Rng, generate, t0};
use sli_core::{
    AlertPolicy, ErrorBudgetPolicy, EventCounts, MissingData, Objective, PartialWindows,
    PolicyEvaluator, Routing, Series, Sli, Slo, Span, Sustained, TierThreshold, Window,
};
use slo_compiler::SloSpec;
use slo_compiler::prometheus::{
    AlertmanagerOptions, Compiled, ManifestOptions, Options, Query, Signal, Spec, TestCase,
    alertmanager_routing, compile, unit_tests,
};

fn tool(var: &str, test: &str) -> Option<PathBuf> {
    match std::env::var_os(var) {
        Some(path) => Some(PathBuf::from(path)),
        None => {
            eprintln!(
                "SKIPPED {test}: {var} is not set (run `bash scripts/test.sh`, which installs it)"
            );
            None
        }
    }
}

fn dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `tool args…` in `dir`; returns (success, stdout + stderr).
fn run(tool: &Path, dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", tool.display()));
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// `promtool test rules equivalence.test.yml` in each directory, side by side.
fn run_tests(promtool: &Path, dirs: &[PathBuf]) -> Vec<(bool, String)> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = dirs
            .iter()
            .map(|dir| {
                scope.spawn(move || run(promtool, dir, &["test", "rules", "equivalence.test.yml"]))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// The SLO variants: each missing-data policy, a minimum of events, good or bad counts, and
/// two with sustain rules (`M of M` as `for:`, `N of M` as a recorded condition) and the
/// release gate. Each reads counters of its own, so that one test's input moves only its
/// SLO's alerts.
fn variants(threshold_factor: f64) -> Vec<Spec> {
    let variants = [
        ("skip", MissingData::Skip, 0.0, true),
        ("good", MissingData::Good, 0.0, false),
        ("bad", MissingData::Bad, 0.0, true),
        ("min-events", MissingData::Skip, 2000.0, false),
        ("min-events-bad", MissingData::Bad, 500.0, true),
        ("sustain", MissingData::Skip, 0.0, true),
        ("sustain-bad", MissingData::Bad, 0.0, false),
    ];
    variants
        .into_iter()
        .map(|(name, missing, min_events, from_bad)| {
            let mut slo = Slo::new(
                format!("checkout-{name}"),
                Objective::new(0.999).unwrap(),
                Window::rolling(Span::from_days(30).unwrap()),
                Sli::EventRatio,
            );
            slo.missing_data = missing;
            slo.min_events = min_events;
            let mut policy = AlertPolicy::workbook();
            policy.partial_windows = PartialWindows::Evaluate;
            for tier in &mut policy.tiers {
                if let TierThreshold::BudgetConsumed(f) = tier.threshold {
                    tier.threshold = TierThreshold::BudgetConsumed(f * threshold_factor);
                }
            }
            let metric = name.replace('-', "_");
            let counter = |kind: &str| {
                Query::counter(&format!("{metric}_{kind}_total{{service=\"checkout\"}}")).unwrap()
            };
            let signal = if from_bad {
                Signal::Bad {
                    bad: counter("errors"),
                    total: counter("requests"),
                }
            } else {
                Signal::Good {
                    good: counter("successes"),
                    total: counter("requests"),
                }
            };
            let sustained = name.starts_with("sustain");
            if sustained {
                // page-fast: the "5 minutes sustained" of noise reduction (`for: 4m`);
                // ticket-fast: 3 of the last 5 minutes (a recorded condition); page-slow 10
                // minutes on the second variant.
                policy.tiers[0].sustain = Some(Sustained::new(5, 5).unwrap());
                policy.tiers[2].sustain = Some(Sustained::new(3, 5).unwrap());
                if missing == MissingData::Bad {
                    policy.tiers[1].sustain = Some(Sustained::new(10, 10).unwrap());
                }
            }
            let mut spec = SloSpec::new(slo, policy, signal).with_service("shop");
            if sustained {
                spec = spec
                    .with_release_gate(ErrorBudgetPolicy::default().release_gate().unwrap())
                    .with_routing(
                        Routing::new()
                            .with_owner("payments".parse().unwrap())
                            .with_runbook("https://runbooks.example.com/checkout".parse().unwrap()),
                    );
            }
            spec
        })
        .collect()
}

fn minute_counts(per_minute: impl IntoIterator<Item = (i64, f64, f64)>) -> Series<EventCounts> {
    Series::from_counts(
        per_minute
            .into_iter()
            .map(|(m, good, total)| (t0() + TimeDelta::minutes(m), good, total)),
    )
    .unwrap()
}

/// The scenarios, per-minute (minute, good, total).
fn scenarios() -> Vec<(&'static str, Series<EventCounts>)> {
    let steady = |m: i64, bad_share: f64| {
        let total = 1000.0;
        (m, total - (total * bad_share).round(), total)
    };
    let mut rng = Rng(7);
    vec![
        (
            // The Workbook's example: 15 % of requests fail for 10 minutes.
            "workbook-15-percent-10-minutes",
            minute_counts((0..360).map(|m| {
                steady(
                    m,
                    if (120..130).contains(&m) {
                        0.15
                    } else {
                        0.0002
                    },
                )
            })),
        ),
        (
            // Errors rising steadily from 0 to 3 % over six hours: each tier starts when its
            // threshold is crossed, to the minute.
            "ramp",
            minute_counts((0..360).map(|m| {
                let total = 100_000.0;
                (m, total - (total * 0.03 * m as f64 / 360.0).round(), total)
            })),
        ),
        (
            "full-outage",
            minute_counts(
                (0..300).map(|m| steady(m, if (90..120).contains(&m) { 1.0 } else { 0.0 })),
            ),
        ),
        (
            // 0.4 % of errors for most of a day: four times the budget's pace, tickets, no page.
            "slow-burn",
            minute_counts((0..1440).map(|m| {
                steady(
                    m,
                    if (120..1200).contains(&m) {
                        0.004
                    } else {
                        0.0001
                    },
                )
            })),
        ),
        (
            // An incident with minutes of no traffic and minutes without a datapoint.
            "gaps",
            minute_counts(
                (0..600)
                    .filter(|m| !(200..215).contains(m) && m % 17 != 0)
                    .map(|m| {
                        if (150..260).contains(&m) && m % 5 == 0 {
                            (m, 0.0, 0.0)
                        } else {
                            steady(m, if (150..260).contains(&m) { 0.3 } else { 0.0 })
                        }
                    }),
            ),
        ),
        (
            // A handful of requests a minute, some failing, hours with none.
            "low-traffic",
            minute_counts((0..720).map(|m| {
                let total = if (200..300).contains(&m) {
                    0.0
                } else {
                    rng.below(4) as f64
                };
                let bad = if (400..460).contains(&m) {
                    total
                } else if rng.chance(20) {
                    total.min(1.0)
                } else {
                    0.0
                };
                (m, total - bad, total)
            })),
        ),
        ("generated", Series::from_counts(generate(1, 720)).unwrap()),
    ]
}

fn write_rules(compiled: &Compiled, dir: &Path) -> Vec<String> {
    compiled
        .files()
        .iter()
        .map(|file| {
            std::fs::write(dir.join(&file.name), file.to_yaml()).unwrap();
            file.name.clone()
        })
        .collect()
}

/// The alerts `sli-core` raises on `counts`: (tier, start, end) in minutes.
fn alerts(spec: &Spec, counts: &Series<EventCounts>) -> Vec<(String, i64, Option<i64>)> {
    PolicyEvaluator::new(&spec.slo, &spec.evaluated_policy(), Span::MINUTE)
        .unwrap()
        .sweep(counts)
        .unwrap()
        .into_iter()
        .map(|a| {
            (
                a.tier,
                (a.start - t0()).num_minutes(),
                a.end.map(|e| (e - t0()).num_minutes()),
            )
        })
        .collect()
}

/// Which scenarios each variant is tested on: every short one, and the longer ones (a day or
/// two of minutes, the slowest for promtool) on two variants each.
fn scenarios_of(variant: usize, scenario: &str) -> bool {
    match scenario {
        "slow-burn" => variant == 0 || variant == 3,
        "generated" => variant == 1 || variant == 2 || variant == 6,
        _ => true,
    }
}

/// Each variant in a directory of its own: its rule files and a test file of its scenarios.
/// Returns the directories and how many alerts `sli-core` expects.
fn write_variant_tests(
    root: &Path,
    specs: &[Spec],
    expectations: &[Spec],
    scenarios: &[(&str, Series<EventCounts>)],
    pick: impl Fn(usize, &str) -> bool,
) -> (Vec<PathBuf>, usize) {
    let mut dirs = Vec::new();
    let mut fired = 0;
    for (v, (spec, expected)) in specs.iter().zip(expectations).enumerate() {
        let dir = root.join(format!("variant-{v}"));
        std::fs::create_dir_all(&dir).unwrap();
        let compiled = compile(std::slice::from_ref(spec), &Options::default()).unwrap();
        let files = write_rules(&compiled, &dir);
        // Expectations from `expected` (the same spec, or one with moved thresholds), with
        // the labels and annotations of the rules under test: only the timing can differ.
        let mut wanted = compile(std::slice::from_ref(expected), &Options::default()).unwrap();
        for (w, real) in wanted.slos[0].tiers.iter_mut().zip(&compiled.slos[0].tiers) {
            w.labels = real.labels.clone();
            w.annotations = real.annotations.clone();
        }
        let cases: Vec<TestCase<'_>> = scenarios
            .iter()
            .filter(|(name, _)| pick(v, name))
            .map(|(name, counts)| {
                fired += alerts(expected, counts).len();
                TestCase::new(format!("{name} ({})", spec.slo.name), 0, counts)
            })
            .collect();
        if cases.is_empty() {
            continue;
        }
        let file_refs: Vec<&str> = files.iter().map(String::as_str).collect();
        let tests = unit_tests(&wanted, &file_refs, &cases).unwrap();
        std::fs::write(dir.join("equivalence.test.yml"), tests).unwrap();
        dirs.push(dir);
    }
    (dirs, fired)
}

#[test]
fn promtool_checks_the_rules_and_their_alerts_equal_sli_core() {
    let Some(promtool) = tool(
        "PROMTOOL",
        "promtool_checks_the_rules_and_their_alerts_equal_sli_core",
    ) else {
        return;
    };
    let root = dir("promtool-equivalence");
    let specs = variants(1.0);
    let scenarios = scenarios();
    // Every scenario makes some variant alert.
    for (name, counts) in &scenarios {
        assert!(
            specs.iter().any(|s| !alerts(s, counts).is_empty()),
            "{name} raises no alert"
        );
    }
    // The sustain rules and the gate change what fires: the comparison is not vacuous.
    let plain = |spec: &Spec| {
        let mut spec = spec.clone();
        spec.release_gate = None;
        for tier in &mut spec.policy.tiers {
            tier.sustain = None;
        }
        spec
    };
    for v in [5, 6] {
        assert!(
            scenarios
                .iter()
                .any(|(_, counts)| alerts(&specs[v], counts) != alerts(&plain(&specs[v]), counts)),
            "variant {v}: its sustain rules and gate change nothing"
        );
    }
    let sustained = compile(&specs[5..6], &Options::default()).unwrap();
    let yaml = &sustained.files_yaml()[0].1;
    assert!(yaml.contains("for: '4m'"), "M of M is `for:`: {yaml}");
    assert!(
        yaml.contains("record: slo:tier_breach:state"),
        "N of M is recorded"
    );
    assert!(yaml.contains("alert: SLOReleaseGate"));
    assert!(yaml.contains("runbook_url: https://runbooks.example.com/checkout"));
    let (dirs, fired) = write_variant_tests(&root, &specs, &specs, &scenarios, scenarios_of);
    assert!(fired >= 40, "{fired} alerts expected");
    for dir in &dirs {
        let files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.starts_with("slo-rules-"))
            .collect();
        let (ok, out) = run(
            &promtool,
            dir,
            &[
                &["check", "rules"][..],
                &files.iter().map(String::as_str).collect::<Vec<_>>(),
            ]
            .concat(),
        );
        assert!(ok, "promtool check rules in {}:\n{out}", dir.display());
    }
    for (dir, (ok, out)) in dirs.iter().zip(run_tests(&promtool, &dirs)) {
        assert!(
            ok,
            "promtool test rules in {}:\n{}",
            dir.display(),
            &out[..out.len().min(20_000)]
        );
    }
}

#[test]
fn promtool_fails_when_a_threshold_moves_by_one_percent() {
    let Some(promtool) = tool(
        "PROMTOOL",
        "promtool_fails_when_a_threshold_moves_by_one_percent",
    ) else {
        return;
    };
    let root = dir("promtool-moved");
    let specs = variants(1.0);
    let moved = variants(1.01);
    let scenarios = scenarios();
    // The cases whose alerts the move changes (the others would pass either way), among the
    // scenarios of ten hours or less (the longer ones cost promtool most).
    let changed = |v: usize, name: &str| {
        let counts = &scenarios.iter().find(|(n, _)| *n == name).unwrap().1;
        scenarios_of(v, name)
            && counts.len() <= 600
            && alerts(&specs[v], counts) != alerts(&moved[v], counts)
    };
    let changed_count: usize = (0..specs.len())
        .map(|v| scenarios.iter().filter(|(n, _)| changed(v, n)).count())
        .sum();
    assert!(
        changed_count >= 3,
        "a 1 % move must change some alert: {changed_count}"
    );
    // (a) expectations from the moved thresholds against the real rules;
    let (dirs, _) = write_variant_tests(
        &root.join("moved-expectations"),
        &specs,
        &moved,
        &scenarios,
        changed,
    );
    // (b) the real expectations against rules compiled from the moved thresholds.
    let (moved_dirs, _) = write_variant_tests(
        &root.join("moved-rules"),
        &moved,
        &specs,
        &scenarios,
        changed,
    );
    let all: Vec<PathBuf> = dirs.into_iter().chain(moved_dirs).collect();
    for (dir, (ok, out)) in all.iter().zip(run_tests(&promtool, &all)) {
        assert!(!ok, "promtool accepted a 1 % move in {}", dir.display());
        assert!(
            out.contains("FAILED") && out.contains("alertname: ErrorBudgetBurn"),
            "{out}"
        );
        eprintln!(
            "{}: promtool test rules failed, as it must:\n{}",
            dir.display(),
            &out[..out.len().min(1_500)]
        );
    }
}

#[test]
fn manifests_and_split_files_pass_promtool_and_routing_passes_amtool() {
    let Some(promtool) = tool(
        "PROMTOOL",
        "manifests_and_split_files_pass_promtool_and_routing_passes_amtool",
    ) else {
        return;
    };
    let dir = dir("promtool-split");
    // Small limits: many groups and files.
    let options = Options::new()
        .with_max_rules_per_group(40)
        .with_max_file_bytes(40_000);
    let many: Vec<Spec> = (0..30)
        .map(|i| {
            let mut spec = variants(1.0).swap_remove(i % 5);
            spec.slo.name = format!("{}-{i}", spec.slo.name);
            spec
        })
        .collect();
    let compiled = compile(&many, &options).unwrap();
    let groups = compiled.groups();
    assert!(
        groups
            .iter()
            .all(|g| g.rules.len() <= 40 || g.name.contains("burn-rate"))
    );
    let files = write_rules(&compiled, &dir);
    assert!(files.len() > 2, "{files:?}");
    let (ok, out) = run(
        &promtool,
        &dir,
        &[
            &["check", "rules"][..],
            &files.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat(),
    );
    assert!(ok, "{out}");
    assert!(out.matches("SUCCESS").count() == files.len(), "{out}");
    // Each manifest's spec is a rule file promtool accepts: written back from the manifest's
    // own text (everything under `spec:`, dedented), not from the rule file.
    let manifests = compiled
        .prometheus_rules(
            &ManifestOptions::default()
                .with_namespace("monitoring")
                .with_label("release", "kube-prometheus-stack"),
        )
        .unwrap();
    assert_eq!(manifests.len(), files.len());
    for m in &manifests {
        assert!(m.yaml.starts_with(
            "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n"
        ));
        let spec = m.yaml.split_once("\nspec:\n").unwrap().1;
        let dedented: String = spec
            .lines()
            .map(|l| l.strip_prefix("  ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        let path = format!("{}.spec.yml", m.name);
        std::fs::write(dir.join(&path), dedented).unwrap();
        let (ok, out) = run(&promtool, &dir, &["check", "rules", &path]);
        assert!(ok, "{}: {out}", m.name);
    }
    let Some(amtool) = tool("AMTOOL", "alertmanager routing") else {
        return;
    };
    std::fs::write(
        dir.join("plain.yml"),
        alertmanager_routing(&AlertmanagerOptions::default()).unwrap(),
    )
    .unwrap();
    let (ok, out) = run(&amtool, &dir, &["check-config", "plain.yml"]);
    assert!(ok, "{out}");
    // The compiled SLOs' routing: a team's SLO, maintenance windows (recurring in a zone,
    // crossing midnight; one-off over two UTC days), the release gate.
    let mut owned = variants(1.0).swap_remove(5);
    owned.maintenance = sli_core::MaintenanceWindows::new([sli_core::Interval::new(
        t0() + TimeDelta::hours(20),
        t0() + TimeDelta::hours(30),
    )
    .unwrap()])
    .with_recurring(
        sli_core::RecurringWindow::weekly(
            [chrono::Weekday::Sat, chrono::Weekday::Sun],
            chrono::NaiveTime::from_hms_opt(23, 0, 0).unwrap(),
            Span::from_hours(3).unwrap(),
            "Europe/Paris".parse().unwrap(),
        )
        .unwrap(),
    );
    let mut unowned = variants(1.0).swap_remove(1);
    unowned.maintenance = owned.maintenance.clone();
    let routed = compile(
        &[owned, unowned, variants(1.0).swap_remove(2)],
        &Options::default(),
    )
    .unwrap();
    let config = routed
        .alertmanager(&AlertmanagerOptions::default())
        .unwrap();
    assert!(config.contains("location: Europe/Paris"), "{config}");
    assert!(
        config.contains("end_time: '24:00'") || config.contains("end_time: \"24:00\""),
        "{config}"
    );
    std::fs::write(dir.join("alertmanager.yml"), &config).unwrap();
    let (ok, out) = run(&amtool, &dir, &["check-config", "alertmanager.yml"]);
    assert!(ok, "{out}\n{config}");
    // Pages and tickets reach different receivers; other alerts the default one.
    for (labels, receiver) in [
        (
            &[
                "alertname=ErrorBudgetBurn",
                "severity=page",
                "sloth_id=shop-a",
            ][..],
            "slo-page",
        ),
        (
            &[
                "alertname=ErrorBudgetBurn",
                "severity=ticket",
                "sloth_id=shop-a",
            ][..],
            "slo-ticket",
        ),
        (
            &["alertname=SLOMetricAbsent", "severity=ticket"][..],
            "slo-ticket",
        ),
        (&["alertname=Watchdog", "severity=page"][..], "default"),
        // The team's SLO reaches the team's receivers; its gate the pipeline's.
        (
            &[
                "alertname=ErrorBudgetBurn",
                "severity=page",
                "team=payments",
                "sloth_id=shop-checkout-sustain",
            ][..],
            "payments-page",
        ),
        (
            &[
                "alertname=SLOMetricAbsent",
                "severity=ticket",
                "team=payments",
                "sloth_id=shop-checkout-sustain",
            ][..],
            "payments-ticket",
        ),
        (
            &[
                "alertname=SLOReleaseGate",
                "team=payments",
                "sloth_id=shop-checkout-sustain",
            ][..],
            "slo-release-gate",
        ),
    ] {
        let args = [
            &["config", "routes", "test", "--config.file=alertmanager.yml"][..],
            labels,
        ]
        .concat();
        let (ok, out) = run(&amtool, &dir, &args);
        assert!(ok, "{labels:?}: {out}");
        // The receiver on stdout's line (amtool warns on stderr that the file overrides a URL).
        assert_eq!(
            out.lines().next().unwrap_or_default().trim(),
            receiver,
            "{labels:?}"
        );
    }
}

#[test]
fn absent_data_alert_fires_after_its_for_and_resolves() {
    let Some(promtool) = tool(
        "PROMTOOL",
        "absent_data_alert_fires_after_its_for_and_resolves",
    ) else {
        return;
    };
    let dir = dir("promtool-absent");
    let spec = variants(1.0).swap_remove(1); // missing data good: a ticket
    let compiled = compile(std::slice::from_ref(&spec), &Options::default()).unwrap();
    let files = write_rules(&compiled, &dir);
    // Counters scraped for 30 minutes, then gone for 40, then back. `rate` over 5m has no
    // sample pair from 5 minutes after the last scrape; the alert fires 10 minutes later.
    let values = |step: u32| {
        let mut v: Vec<String> = (0..=30).map(|m| (m * step).to_string()).collect();
        v.extend((0..40).map(|_| "_".to_owned()));
        v.extend((71..=100).map(|m| (m * step).to_string()));
        v.join(" ")
    };
    let labels = compiled.slos[0]
        .absent_labels
        .iter()
        .map(|(k, v)| format!("{k}: {v:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let test = format!(
        "rule_files: [{}]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      - series: 'good_successes_total{{service=\"checkout\"}}'\n        values: '{}'\n      - series: 'good_requests_total{{service=\"checkout\"}}'\n        values: '{}'\n    alert_rule_test:\n{}",
        files[0],
        values(100),
        values(100),
        [(44, false), (45, true), (70, true), (75, false)]
            .iter()
            .map(|(t, firing)| {
                let alerts = if *firing {
                    format!(
                        "\n          - exp_labels: {{{labels}}}\n            exp_annotations:\n              title: \"shop checkout-good SLO has no data.\"\n              summary: \"The total events of the shop checkout-good SLO have returned no series for 10m: its alerts cannot fire.\""
                    )
                } else {
                    " []".into()
                };
                format!("      - eval_time: {t}m\n        alertname: SLOMetricAbsent\n        exp_alerts:{alerts}\n")
            })
            .collect::<String>()
    );
    std::fs::write(dir.join("absent.test.yml"), test).unwrap();
    let (ok, out) = run(&promtool, &dir, &["test", "rules", "absent.test.yml"]);
    assert!(ok, "{out}");
}
