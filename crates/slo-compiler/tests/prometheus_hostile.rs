//! Names and windows chosen to break the Prometheus road's output: what each one used to
//! produce, and what it gets now. Where `scripts/test.sh` sets `PROMTOOL` and `AMTOOL`, the
//! outputs also go through the engines' own checks.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
