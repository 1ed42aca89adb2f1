//! Telemetry sources for the SRE toolkit: the async [`MetricSource`] trait, its in-memory
//! ([`InMemorySource`]) and CSV-replay ([`CsvSource`]) implementations, and helpers that turn
//! fetched series into `sli-core` inputs.
//!
//! ```
//! use chrono::{TimeDelta, TimeZone, Utc};
//! use aws_telemetry::{counts_from_bad, FetchRequest, InMemorySource, Metric, MetricQuery, MetricSource, Period, Statistic, TimeRange};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let source = InMemorySource::new();
//! let alb = |name| Metric::new("AWS/ApplicationELB", name);
//! let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
//! source.insert(alb("RequestCount")?, (0..600).map(|s| (t0 + TimeDelta::seconds(s), 2.0)))?;
//! source.insert(alb("HTTPCode_Target_5XX_Count")?, [(t0 + TimeDelta::seconds(90), 3.0)])?;
//!
//! let sum = |id, name| MetricQuery::stat(id, alb(name)?, Statistic::Sum, Period::MINUTE);
//! let range = TimeRange::new(t0, t0 + TimeDelta::minutes(10))?;
//! let request = FetchRequest::new(vec![sum("requests", "RequestCount")?, sum("errors", "HTTPCode_Target_5XX_Count")?], range)?;
//! let fetched = source.fetch(&request).await?;
//! let counts = counts_from_bad(&fetched[0], &fetched[1])?.unwrap(); // a sli-core Series<EventCounts>
//! assert_eq!(counts.sum()?.bad(), 3.0);
//! assert_eq!(counts.sum()?.total(), 1200.0);
//! # Ok::<(), aws_telemetry::Error>(())
//! # }).unwrap();
//! ```
//!
//! # Sources and sinks
//! * [`InMemorySource`]: samples put in by the caller (also a [`MetricSink`]); the reference.
//! * [`CsvSource`]: replays `timestamp,value` files, e.g. the NAB CloudWatch recordings.
#![cfg_attr(
    feature = "cloudwatch",
    doc = "* [`CloudWatchSource`] / [`CloudWatchSink`]: GetMetricData and PutMetricData through `aws-sdk-cloudwatch` (feature `cloudwatch`)."
)]
#![cfg_attr(
    not(feature = "cloudwatch"),
    doc = "* `CloudWatchSource` / `CloudWatchSink`: GetMetricData and PutMetricData through `aws-sdk-cloudwatch`, with the `cloudwatch` feature."
)]
//!
//! Every source passes the same contract checks ([`conformance`]).
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod aggregate;
pub mod alarms;
#[cfg(feature = "cloudwatch")]
mod cloudwatch;
#[doc(hidden)]
pub mod conformance;
mod csv;
mod error;
mod fetch;
mod memory;
#[cfg_attr(not(feature = "cloudwatch"), allow(dead_code))]
mod plan;
mod query;
mod sink;
mod sli_input;
mod source;

#[cfg(feature = "cloudwatch")]
pub use cloudwatch::{CloudWatchSink, CloudWatchSource, RetryPolicy};
pub use csv::CsvSource;
pub use error::{BoxError, Error, Result};
pub use fetch::{Completeness, FetchRequest, FetchStats, FetchedSeries};
pub use memory::InMemorySource;
pub use query::{Dimension, Metric, MetricQuery, Period, QueryId, QueryKind, Statistic, TimeRange};
pub use sink::MetricSink;
pub use sli_input::{counts_from_bad, counts_from_good, threshold_counts, time_slice_counts};
pub use source::{DynMetricSource, MetricSource};
