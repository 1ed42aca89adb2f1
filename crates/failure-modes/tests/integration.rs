//! The integration tests of `failure-modes`, one binary: every module below was a test binary of
//! its own (the evidence tests linking the AWS SDK). The files stay where they were;
//! `cargo test -p failure-modes --all-features --test integration <module>::` runs one of them.

mod bad_input;
mod blind_gameday;
mod cloudtrail_service_events;
mod common;
mod config_extremes;
mod cost_month_reset;
mod cost_timing;
mod detector_set;
mod evidence_to_finding;
mod finding_text;
mod incident_start;
mod metric_anomaly;
mod real_backgrounds;
mod regressions;
mod routing;
mod scenarios;
mod scheduled_runs;
mod severities;
mod source_to_finding;
mod subjects;
