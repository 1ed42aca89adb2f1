//! The integration tests of `slo-compiler`, one binary: every module below was a test binary of
//! its own, most linking the AWS SDK (about half a gigabyte of disk and half a minute of
//! links a build). The files stay where they were; `cargo test -p slo-compiler --all-features
//! --test integration <module>::` runs one of them.

mod cloudwatch_api_limits;
mod cloudwatch_apply;
mod cloudwatch_cfn_lint;
mod cloudwatch_equivalence;
mod cloudwatch_findings;
mod cloudwatch_golden;
mod cloudwatch_semantics;
mod common;
mod dashboard_panels;
mod prometheus_bounds;
mod prometheus_grafana;
mod prometheus_hostile;
mod prometheus_promtool;
mod random_specs_engines;
