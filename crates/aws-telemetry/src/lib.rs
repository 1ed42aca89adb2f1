//! Telemetry sources for the SRE toolkit.
//!
//! **Not built yet.** This crate will hold the async `MetricSource` trait, its in-memory and
//! CSV-replay sources and the CloudWatch adapter (tracked in the project's `aws-telemetry`
//! issue). It exists now so that the workspace layout is fixed; it exports nothing.
#![forbid(unsafe_code)]
