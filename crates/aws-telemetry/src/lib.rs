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
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```
//!
//! # Without an async runtime
//! Local sources answer on the calling thread: [`read_counts`] turns two metrics into the
//! `Series<EventCounts>` every `sli-core` evaluator takes, [`fetch_blocking`] runs any request,
//! and [`MetricSource::span`] says what range a source holds.
//!
//! ```
//! use aws_telemetry::{read_counts, CountsQuery, CsvSource};
//!
//! let export = "timestamp,good,total\n2024-05-01T00:00:00Z,998,1000\n2024-05-01T00:01:00Z,1000,1000\n";
//! let source = CsvSource::from_bytes("checkout.csv", export.as_bytes(), "Checkout")?; // or from_file
//! let counts = read_counts(&source, &CountsQuery::good_total(source.metric("good")?, source.metric("total")?))?;
//! assert_eq!(counts.sum()?.bad(), 2.0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Sources and sinks
//! * [`InMemorySource`]: samples put in by the caller (also a [`MetricSink`]); the reference.
//! * [`CsvSource`]: replays CSV files, a metric per column named by its header
//!   (`timestamp,good,total`), or `timestamp,value` files such as the NAB CloudWatch recordings.
#![cfg_attr(
    feature = "cloudwatch",
    doc = "* [`CloudWatchSource`] / [`CloudWatchSink`]: GetMetricData and PutMetricData through `aws-sdk-cloudwatch` (feature `cloudwatch`)."
)]
#![cfg_attr(
    not(feature = "cloudwatch"),
    doc = "* `CloudWatchSource` / `CloudWatchSink`: GetMetricData and PutMetricData through `aws-sdk-cloudwatch`, with the `cloudwatch` feature."
)]
//!
//! Every source passes the same contract checks (`aws_telemetry::conformance`, hidden from these
//! docs because it is not stable API; third-party sources may run it too).
//!
//! # Evidence beyond metrics
//! Five failure modes and M9 need facts that are not metric series. Each has a small object-safe
//! async trait (like [`MetricSource`]: `Send + Sync`, held as `Arc<dyn …>`), an in-memory
//! implementation, and an SDK adapter behind its own feature. The traits and their types need
//! no feature and hold no SDK type. Permissions and the cost of each call: `docs/permissions.md`.
//!
//! | trait | in memory | facts | for |
//! |---|---|---|---|
//! | [`AuditSource`] | [`InMemoryAuditSource`] | [`AuditEvent`]s, from CloudTrail records ([`audit`]: log files, gzip'd or not, JSON lines) | F4 |
//! | [`ExposureSource`] | [`InMemoryExposureSource`] | one [`BucketExposure`] per bucket | F7 |
//! | [`QuotaSource`] | [`InMemoryQuotaSource`] | [`Quota`]: applied value and [`UsageMetric`] | F3 |
//! | [`ConnectionLimitSource`] | [`InMemoryConnectionLimitSource`] | [`ConnectionLimit`]: `max_connections` evaluated ([`evaluate_max_connections`]) | F6 |
//! | [`CostSource`] | [`InMemoryCostSource`] | [`DailyCost`]; [`daily_spend`] derives it from `EstimatedCharges` | F8 |
//! | [`DeploySource`] | [`InMemoryDeploySource`] | `sli_core::Deploy`s: rollout, outcome; from CloudTrail records ([`deploys::cloudtrail`]) | M9 per deploy ([`sli_core::DeployCheck`]) |
//!
//! The adapters, each retrying throttling through the SDK ([`RetryPolicy`]) and mapping SDK
//! errors to [`ServiceError`] kinds:
#![cfg_attr(
    feature = "cloudtrail",
    doc = "* [`CloudTrailSource`] (feature `cloudtrail`): `LookupEvents`, 50-event pages, at most 2 requests per second; audit events and deploys."
)]
#![cfg_attr(
    not(feature = "cloudtrail"),
    doc = "* `CloudTrailSource` (feature `cloudtrail`): `LookupEvents`, 50-event pages, at most 2 requests per second; audit events and deploys."
)]
#![cfg_attr(
    feature = "codedeploy",
    doc = "* [`CodeDeploySource`] (feature `codedeploy`): `ListDeployments`, `BatchGetDeployments`, `GetDeploymentConfig`; canary, linear and partial deployments told apart."
)]
#![cfg_attr(
    not(feature = "codedeploy"),
    doc = "* `CodeDeploySource` (feature `codedeploy`): `ListDeployments`, `BatchGetDeployments`, `GetDeploymentConfig`; canary, linear and partial deployments told apart."
)]
#![cfg_attr(
    feature = "s3",
    doc = "* [`S3ExposureSource`] (feature `s3`): `ListBuckets`, then `GetBucketPolicyStatus`, `GetPublicAccessBlock`, `GetBucketAcl`, `GetBucketOwnershipControls` per bucket."
)]
#![cfg_attr(
    not(feature = "s3"),
    doc = "* `S3ExposureSource` (feature `s3`): `ListBuckets`, then `GetBucketPolicyStatus`, `GetPublicAccessBlock`, `GetBucketAcl`, `GetBucketOwnershipControls` per bucket."
)]
#![cfg_attr(
    feature = "servicequotas",
    doc = "* [`ServiceQuotasSource`] (feature `servicequotas`): `GetServiceQuota`, `ListServiceQuotas`."
)]
#![cfg_attr(
    not(feature = "servicequotas"),
    doc = "* `ServiceQuotasSource` (feature `servicequotas`): `GetServiceQuota`, `ListServiceQuotas`."
)]
#![cfg_attr(
    feature = "rds",
    doc = "* [`RdsLimitSource`] (feature `rds`): `DescribeDBInstances`, `DescribeDBParameters`."
)]
#![cfg_attr(
    not(feature = "rds"),
    doc = "* `RdsLimitSource` (feature `rds`): `DescribeDBInstances`, `DescribeDBParameters`."
)]
#![cfg_attr(
    feature = "costexplorer",
    doc = "* [`CostExplorerSource`] (feature `costexplorer`): `GetCostAndUsage`, daily `UnblendedCost`; **billed per request**."
)]
#![cfg_attr(
    not(feature = "costexplorer"),
    doc = "* `CostExplorerSource` (feature `costexplorer`): `GetCostAndUsage`, daily `UnblendedCost`; **billed per request**."
)]
//!
#![doc = include_str!("../FEATURES.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// The README example runs as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

mod aggregate;
pub mod audit;
mod blocking;
pub mod catalog;
#[cfg(feature = "cloudtrail")]
mod cloudtrail;
#[cfg(feature = "cloudwatch")]
mod cloudwatch;
#[cfg(feature = "codedeploy")]
mod codedeploy;
#[doc(hidden)]
pub mod conformance;
mod cost;
#[cfg(feature = "costexplorer")]
mod costexplorer;
mod csv;
#[doc(hidden)]
pub mod deploy_conformance;
pub mod deploys;
mod error;
pub mod exposure;
mod fetch;
mod limits;
mod memory;
mod metric;
#[cfg_attr(not(feature = "cloudwatch"), allow(dead_code))]
mod plan;
mod query;
mod quota;
mod range;
#[cfg(feature = "rds")]
mod rds;
mod retry;
#[cfg(feature = "s3")]
mod s3;
#[cfg(any(
    feature = "cloudwatch",
    feature = "cloudtrail",
    feature = "codedeploy",
    feature = "s3",
    feature = "servicequotas",
    feature = "rds",
    feature = "costexplorer"
))]
// Public for `slo-compiler`'s `apply` (the same error mapping and retries for the alarm API),
// hidden because it is not part of this crate's API: it may change in any release.
#[doc(hidden)]
pub mod sdk;
#[cfg(feature = "servicequotas")]
mod servicequotas;
mod sink;
mod sli_input;
mod source;

pub use audit::{AuditEvent, AuditSource, Identity, InMemoryAuditSource, SignInOutcome};
pub use blocking::{BlockingSource, CountsQuery, fetch_blocking, fetch_counts, read_counts};
#[cfg(feature = "cloudtrail")]
pub use cloudtrail::{CloudTrailSource, LOOKUP_EVENTS_PAGE, MAX_AUDIT_EVENTS, MAX_DEPLOY_RECORDS};
#[cfg(feature = "cloudwatch")]
pub use cloudwatch::{CloudWatchSink, CloudWatchSource};
#[cfg(feature = "codedeploy")]
pub use codedeploy::{BATCH_GET_DEPLOYMENTS_MAX, CodeDeploySource, QUEUE_ALLOWANCE};
pub use cost::{CostSource, DailyCost, InMemoryCostSource, daily_spend};
#[cfg(feature = "costexplorer")]
pub use costexplorer::CostExplorerSource;
pub use csv::CsvSource;
pub use deploys::{DeploySource, DynDeploySource, InMemoryDeploySource};
pub use error::{
    BoxError, ConnectionLimitError, CsvError, EventSourceError, FetchError, FormulaError,
    InputError, PutError, QueryError, ReadError, RecordError, ServiceError,
};
pub use exposure::{
    AclGrant, BucketExposure, Exposure, ExposureSource, Grantee, InMemoryExposureSource,
    ObjectOwnership, Permission, PublicAccessBlock,
};
pub use fetch::{Completeness, FetchRequest, FetchStats, FetchedSeries};
pub use limits::{
    ConnectionLimit, ConnectionLimitSource, InMemoryConnectionLimitSource, MAX_FORMULA_DEPTH,
    evaluate_max_connections, instance_class_memory, proxy_max_connections_metric,
};
pub use memory::InMemorySource;
pub use metric::{Dimension, Metric};
pub use query::{MetricQuery, Period, QueryId, QueryKind, Statistic};
pub use quota::{InMemoryQuotaSource, Quota, QuotaSource, UsageMetric};
pub use range::{DateRange, TimeRange};
#[cfg(feature = "rds")]
pub use rds::{MAX_DB_PARAMETER_PAGES, RdsLimitSource};
pub use retry::RetryPolicy;
#[cfg(feature = "s3")]
pub use s3::{
    ALL_USERS_URI, AUTHENTICATED_USERS_URI, LIST_BUCKETS_PAGE, LOG_DELIVERY_URI, MAX_BUCKETS,
    MAX_LIST_BUCKETS_PAGES, S3ExposureSource,
};
#[cfg(feature = "servicequotas")]
pub use servicequotas::{MAX_SERVICE_QUOTA_PAGES, ServiceQuotasSource};
pub use sink::MetricSink;
pub use sli_input::{counts_from_bad, counts_from_good, threshold_counts, time_slice_counts};
pub use source::{DynMetricSource, MetricSource};
