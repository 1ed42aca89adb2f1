//! Detectors for the classic AWS failure modes (F1–F8).
//!
//! **Not built yet.** This crate will hold one documented detector per row of the failure-mode
//! table (API throttling, network partition, quota, credential compromise, cold start, database
//! connection exhaustion, public data leak, cost runaway), tracked in the project's
//! `failure-modes` issue. It exists now so that the workspace layout is fixed; it exports nothing.
#![forbid(unsafe_code)]
