//! Detectors for the classic AWS failure modes (F1–F8).
//!
//! **In progress.** Built so far: the shared statistical parts ([`stats`]: robust baseline,
//! seasonal baseline, EWMA, CUSUM change points, Poisson and binomial tails, a robust trend
//! forecast with time to a limit) and the generic streaming [`AnomalyDetector`] the
//! failure-mode detectors will build on, measured on the NAB CloudWatch data by
//! `examples/nab_eval.rs`. Not built yet: the `Detector` trait with its `Finding`s and the eight
//! detectors F1–F8.
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod anomaly;
mod error;
pub mod stats;

pub use anomaly::{Anomaly, AnomalyConfig, AnomalyDetector, AnomalyKind};
pub use error::{Error, Result};
