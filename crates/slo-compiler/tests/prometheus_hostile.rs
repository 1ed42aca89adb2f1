//! Names and windows chosen to break the Prometheus road's output: what each one used to
//! produce, and what it gets now.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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
