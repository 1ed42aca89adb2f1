//! SLOs compiled into the configuration of the engines teams already run, so that an engine
//! they operate evaluates thousands of SLOs continuously, past what one process can:
//!
//! | engine | module | what comes out | what proves it |
//! |---|---|---|---|
//! | CloudWatch | [`cloudwatch`] | metric-math alarms per window, composite alarms per tier and severity, dashboards, CloudFormation; `apply` through the API (feature `apply`) | `cfn-lint` on every template; the CloudWatch emulator for `apply`; an interpreter of the metric math checked minute by minute against `sli-core`, each construct held to the AWS documentation |
//! | Prometheus (and Amazon Managed Service for Prometheus) | [`prometheus`] | recording rules per window, multi-window multi-burn-rate alerts, error budget, absent-data alerts; rule files and `PrometheusRule` manifests; Alertmanager routing; Grafana dashboards | `promtool check rules` on every file; `promtool test rules` on generated tests whose alerts are `sli-core`'s, minute for minute |
//!
//! Every backend starts from the same [`SloSpec`] (an SLO from `sli-core`, an alert policy and
//! the engine's signal) and the same resolution of the policy ([`sli_core::PolicyEvaluator`]'s
//! thresholds, to the bit). What an engine cannot express is a [`CompileError`] naming the SLO,
//! the field and the [`Engine`], never a silently different rule.
//!
//! ```
//! use aws_telemetry::{Metric, Statistic};
//! use slo_compiler::SloSpec;
//! use slo_compiler::cloudwatch::{compile, CompileOptions, Signal, SignalSource};
//! use sli_core::{catalog, AlertPolicy};
//!
//! let alb = |name| SignalSource::Metric { metric: Metric::new("AWS/ApplicationELB", name).unwrap(), stat: Statistic::Sum };
//! let spec = SloSpec::new(catalog::availability("checkout"), AlertPolicy::default(),
//!     Signal::Bad { bad: alb("HTTPCode_Target_5XX_Count"), total: alb("RequestCount") });
//! let compiled = compile(&[spec], &CompileOptions::default())?;
//! assert_eq!(compiled.slos[0].metric_alarms.len(), 8);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
#![doc = include_str!("../FEATURES.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
// Errors carry the SLO, document, field and problem by value: they are built once, on the
// failure path of a compile, and boxing them would only make matching on them clumsier.
#![allow(clippy::result_large_err)]

// The README example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

mod board_name;
pub mod cloudwatch;
mod error;
#[cfg(feature = "openslo")]
mod openslo;
mod plan;
pub mod prometheus;
mod spec;
mod yaml;

pub use error::{CompileError, CompileProblem, Engine, SourceFieldError};
pub use spec::SloSpec;
