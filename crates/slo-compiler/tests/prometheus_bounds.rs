//! The bounds on what one Prometheus spec compiles to: the rules write every query once per
//! window, so their size was (query length) × (tier windows), with no cap on either (a 64 KiB
//! selector and 800 tiers gave 211 MB of rule files), and the promtool tests grow as the
//! square of the tiers. [`MAX_TIERS`] and [`MAX_QUERY_BYTES`] cap the two factors.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeDelta, TimeZone, Utc};
use sli_core::{
    AlertPolicy, AlertTier, MissingData, Series, Severity, Span, TierThreshold, catalog,
};
use slo_compiler::prometheus::{
    MAX_QUERY_BYTES, MAX_TIERS, MatchOp, Matcher, Options, Query, QueryError, Selector, Signal,
    Spec, TestCase, compile, unit_tests,
};
use slo_compiler::{CompileError, CompileProblem, SloSpec, SourceFieldError};

/// `n` ticket tiers at `burn`, tier `k` over `stride × k + 2` and `stride × k + 1` minutes:
/// with a stride of 2, no two windows alike.
fn policy(n: usize, stride: i64, burn: f64) -> AlertPolicy {
    AlertPolicy::new(
        (0..n)
            .map(|k| {
                let k = i64::try_from(k).unwrap();
                AlertTier::new(
                    format!("t{k}"),
                    Severity::Ticket,
                    Span::from_minutes(stride * k + 2).unwrap(),
                    Span::from_minutes(stride * k + 1).unwrap(),
                    TierThreshold::BurnRate(burn),
                )
            })
            .collect(),
    )
}

fn spec(tiers: usize, signal: Signal) -> Spec {
    let mut slo = catalog::availability("api");
    slo.missing_data = MissingData::Good;
    SloSpec::new(slo, policy(tiers, 2, 1.0), signal)
}

fn counters() -> Signal {
    Signal::Bad {
        bad: Query::counter(r#"http_requests_total{code="500"}"#).unwrap(),
        total: Query::counter(r#"http_requests_total{code="all"}"#).unwrap(),
    }
}

fn refused(spec: &Spec) -> CompileError {
    match compile(std::slice::from_ref(spec), &Options::default()) {
        Ok(_) => panic!("compiled"),
        Err(e) => e,
    }
}

/// A selector whose printed text is exactly `bytes` long.
fn selector_text(bytes: usize) -> String {
    let head = r#"http_requests_total{job=""#;
    let tail = r#""}"#;
    format!(
        "{head}{}{tail}",
        "a".repeat(bytes - head.len() - tail.len())
    )
}

#[test]
fn more_tiers_than_max_tiers_are_refused_the_release_gate_counted() {
    assert!(compile(&[spec(MAX_TIERS, counters())], &Options::default()).is_ok());
    let err = refused(&spec(MAX_TIERS + 1, counters()));
    assert_eq!(
        (err.field.as_str(), err.problem),
        (
            "spec.alertPolicies",
            CompileProblem::TooManyTiers {
                count: MAX_TIERS + 1,
                max: MAX_TIERS
            }
        )
    );
    let gate = sli_core::ErrorBudgetPolicy::default()
        .release_gate()
        .unwrap();
    let gated = spec(MAX_TIERS, counters()).with_release_gate(gate);
    assert!(matches!(
        refused(&gated).problem,
        CompileProblem::TooManyTiers { count, .. } if count == MAX_TIERS + 1
    ));
    let gated = spec(MAX_TIERS - 1, counters()).with_release_gate(gate);
    assert!(compile(&[gated], &Options::default()).is_ok());
}

fn too_long(err: &CompileError) -> Option<usize> {
    match &err.problem {
        CompileProblem::InvalidSourceField {
            source: SourceFieldError::Prometheus(QueryError::TooLong { length, max }),
            ..
        } if *max == MAX_QUERY_BYTES => Some(*length),
        _ => None,
    }
}

#[test]
fn queries_longer_than_max_query_bytes_are_refused_however_they_are_built() {
    let at_cap = selector_text(MAX_QUERY_BYTES);
    assert!(Query::counter(&at_cap).is_ok());
    let over = selector_text(MAX_QUERY_BYTES + 1);
    assert_eq!(
        Query::counter(&over),
        Err(QueryError::TooLong {
            length: MAX_QUERY_BYTES + 1,
            max: MAX_QUERY_BYTES
        })
    );
    let template = format!(
        "sum(rate(x[{{{{.window}}}}])) + {}",
        "0".repeat(MAX_QUERY_BYTES)
    );
    assert!(matches!(
        Query::template(&template),
        Err(QueryError::TooLong { .. })
    ));
    // Built without the constructors: compile checks the text the rules would write.
    let long = Selector {
        metric: "http_requests_total".into(),
        matchers: vec![Matcher {
            name: "job".into(),
            op: MatchOp::Equal,
            value: "a".repeat(MAX_QUERY_BYTES),
        }],
    };
    let signal = Signal::Bad {
        bad: Query::Counter(long),
        total: Query::counter("http_requests_total").unwrap(),
    };
    let err = refused(&spec(4, signal));
    assert!(too_long(&err).is_some_and(|l| l > MAX_QUERY_BYTES), "{err}");
    let signal = Signal::Good {
        good: Query::counter("http_requests_total").unwrap(),
        total: Query::Template(template.clone()),
    };
    let err = refused(&spec(4, signal));
    assert_eq!(too_long(&err), Some(template.len()), "{err}");
}

#[test]
fn one_spec_at_both_caps_compiles_within_the_documented_bound() {
    // A good/total signal writes three queries per error ratio, and a minimum of events one
    // more total per window: the largest rules a spec can have.
    let text = selector_text(MAX_QUERY_BYTES);
    let mut spec = spec(
        MAX_TIERS,
        Signal::Good {
            good: Query::counter(&text).unwrap(),
            total: Query::counter(&text).unwrap(),
        },
    );
    spec.slo = spec.slo.with_min_events(10.0);
    let compiled = compile(&[spec], &Options::default()).unwrap();
    let bytes: usize = compiled.files_yaml().iter().map(|(_, t)| t.len()).sum();
    // 2 × 64 tier windows and the SLO window, 4 queries each, and the absent-data alert's
    // total: about 8.1 MiB of queries, and the rest of the rules around them.
    let windows = 2 * MAX_TIERS + 1;
    assert_eq!(compiled.slos[0].windows.len(), windows - 1);
    assert!(bytes > 4 * (windows - 1) * MAX_QUERY_BYTES, "{bytes}");
    assert!(bytes < 9 << 20, "{bytes} bytes");
}

#[test]
fn promtool_tests_at_max_tiers_list_at_most_the_documented_alerts() {
    // Tier k needs its whole window bad (burn 999 of at most 1000): after a clean hour and
    // more, an outage starts the tiers one minute after another, and they all stay firing.
    let mut slo = catalog::availability("api");
    slo.missing_data = MissingData::Good;
    let spec = SloSpec::new(slo, policy(MAX_TIERS, 1, 999.0), counters());
    let compiled = compile(&[spec], &Options::default()).unwrap();
    let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    let clean = i64::try_from(MAX_TIERS).unwrap() + 5;
    let counts = Series::from_counts((0..2 * clean + 10).map(|m| {
        let good = if m < clean { 1000.0 } else { 0.0 };
        (t0 + TimeDelta::minutes(m), good, 1000.0)
    }))
    .unwrap();
    let test = unit_tests(
        &compiled,
        &["slo-rules-1.yml"],
        &[TestCase::new("outage", 0, &counts)],
    )
    .unwrap();
    let listed = test.matches("exp_labels").count();
    // Every tier fires, so the listing is quadratic (here about 64²/2 … 64²), and within
    // (4 × 64 + 1) × 64.
    assert!(listed >= MAX_TIERS * MAX_TIERS / 2, "{listed}");
    assert!(listed <= (4 * MAX_TIERS + 1) * MAX_TIERS, "{listed}");
}
