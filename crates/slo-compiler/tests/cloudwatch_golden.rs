//! Golden files: the alarms compiled from the three SLOs of docs/examples/checkout.openslo.yaml
//! (an ALB availability SLO with the Workbook's four tiers, a latency SLO over published
//! windows, a Lambda SLO from a metric-math source with a calendar month) and the whole
//! CloudFormation template, compared byte for byte with tests/golden/. They were generated once
//! and reviewed by hand; `UPDATE_GOLDEN=1 cargo test -p slo-compiler --features openslo --test
//! integration cloudwatch_golden::` regenerates them after a deliberate change (review the diff).

#![cfg(feature = "openslo")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use sli_core::openslo::{Mode, parse};
use slo_compiler::cloudwatch::{CompileOptions, DashboardOptions, compile, specs_from_openslo};

const EXAMPLE: &str = include_str!("data/checkout.openslo.yaml");

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/cloudwatch")
        .join(name);
    if std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_GOLDEN=1 creates it)", path.display()));
    assert!(
        expected == actual,
        "{} differs from the compiled output; if the change is deliberate, regenerate with UPDATE_GOLDEN=1 and review the diff",
        path.display()
    );
}

fn options() -> CompileOptions {
    CompileOptions::new()
        .with_page_actions(["arn:aws:sns:us-east-1:123456789012:checkout-page"])
        .with_ticket_actions(["arn:aws:sns:us-east-1:123456789012:checkout-ticket"])
        .with_published("SLO/Published")
}

#[test]
fn compiled_example_matches_the_golden_files() {
    let import = parse(EXAMPLE, Mode::Strict).unwrap();
    let specs = specs_from_openslo(&import.slos).unwrap();
    let compiled = compile(&specs, &options()).unwrap();
    assert_eq!(compiled.slos.len(), 3);
    for slo in &compiled.slos {
        let json = serde_json::to_string_pretty(slo).unwrap() + "\n";
        golden(&format!("{}.json", slo.slo), &json);
    }
    let dashboards = compiled.dashboards(&DashboardOptions::default()).unwrap();
    let template = compiled.cloudformation(&dashboards).unwrap();
    golden(
        "checkout.cloudformation.json",
        &(serde_json::to_string_pretty(&template).unwrap() + "\n"),
    );
}
