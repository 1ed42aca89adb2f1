//! Detectors for the classic AWS failure modes (F1–F8), each reporting a [`Finding`] with
//! the mode, a severity (page or ticket, by the [severity rule](#severities)), when, the
//! evidence, and the mode's likely cause, mitigation and signal ([`FailureMode`]).
//!
//! | id | detector | reads | finding (default severity) |
//! |---|---|---|---|
//! | F1 | [`ApiThrottling`] | throttled vs all calls ([`ThrottleSignal`]) | 5-minute windows over 1 %, sustained, improbable at the operation's own rate (ticket; page from 10 %) |
//! | F2 | [`NetworkPartition`] | per-AZ latency, requests, 5xx ([`ZoneSignal`]) | one zone diverging from its peers *and* its own baseline, or failing (page) |
//! | F3 | [`ServiceQuotaHit`] | usage vs the applied quota ([`QuotaSignal`]) | 80 %, or the daily peak's trend reaching the quota (ticket); blocked (page) |
//! | F4 | [`CredentialCompromise`] | CloudTrail events ([`AuditEvent`]) | new region, a burst beyond the principal's peaks by hour of day (weekdays and weekends apart, UTC), AccessDenied storm, no-MFA sign-in, unusual key creation (page) |
//! | F5 | [`ColdStartLatency`] | Lambda p95, concurrency, init duration ([`ColdStartSignal`]) | p95 above the warm baseline, tied to cold starts (ticket) |
//! | F6 | [`DbConnectionExhaustion`] | connections vs `max_connections`, upstream concurrency ([`ConnectionSignal`]) | 80 % or an unusual climb's trend reaching the limit (ticket); 95 % (page) |
//! | F7 | [`PublicDataLeak`] | bucket facts ([`BucketExposure`]) and requests | public bucket (page: a security incident); public and spiking, in either order (page) |
//! | F8 | [`CostRunaway`] | month-to-date `EstimatedCharges` | spend at 2× trend, like with like (ticket), 10× (page); one-off charges declared; month-end forecast |
//!
//! Every detector implements [`Detector`]: push one observation at a time (streaming, no
//! look-ahead) or [`Detector::detect`] a whole series. The metric-based ones also implement
//! [`MetricDetector`]: they name their CloudWatch queries, and [`run`] fetches them from any
//! [`MetricSource`] (CloudWatch, CSV replay, in memory) and feeds them through; a
//! [`DetectorSet`] holds metric detectors of any modes as trait objects ([`FetchedDetector`],
//! `Send + Debug`) and runs them all over one source with one fetch request.
//! They are built from the shared parts in [`stats`] (robust baselines, daily peaks, EWMA,
//! CUSUM, Poisson and binomial tails, trends and forecasts); [`AnomalyDetector`] is the generic
//! detector for any plain metric, measured out of sample on real labelled CloudWatch data
//! (`docs/detectors.md`), and [`MetricAnomalies`] runs it on one CloudWatch metric as a
//! [`MetricDetector`] whose alerts are findings of the mode the caller files them under
//! (a ticket by default). Each severity follows the [severity rule](#severities) by default
//! and is a setting of the detector's config.
//! The facts that are not metrics come from `aws-telemetry`'s evidence sources (CloudTrail,
//! S3, Service Quotas, RDS, Cost Explorer, each behind its feature there):
//! [`AuditEvent`] and [`BucketExposure`] are its types, re-exported here, and
//! [`QuotaSignal::from_quota`], [`ConnectionSignal::from_limit`] and
//! [`ChargeSample::from_daily_costs`] build detector inputs from the others.
//! Findings go through the same noise reduction as SLO alerts: [`outside_maintenance`],
//! [`group_by_root_cause`] and [`Finding::policy_incident`] for an error-budget policy. A
//! finding carries a runbook and an owning team ([`Finding::routing`]) when its detector is
//! [`Routed`], and [`group_by_root_cause_routed`] says whom each [`Notification`] goes to.
//! [`gameday`] plays game days on real noise — any real series as the traffic shape,
//! incidents made by mechanisms, clean weeks full of nuisances — and tallies what a detector
//! (ours or yours) finds; [`scenarios`] generates quick synthetic ones for examples.
//! # Severities
//!
//! A finding pages when a person must act now, and is a ticket when the work can wait for
//! working hours, as the Google SRE book asks of every alert ("Monitoring Distributed
//! Systems", <https://sre.google/sre-book/monitoring-distributed-systems/>) and the SRE
//! Workbook applies to SLOs ("Alerting on SLOs",
//! <https://sre.google/workbook/alerting-on-slos/>): **page** for SLO breaches, total outages,
//! data loss and security incidents (a bucket exposed to the public is one); **ticket** for
//! low-severity errors that retries absorb, non-urgent degradations and cost warnings. Each
//! detector documents its default and why; each is a setting of its config.
//!
//! # Sources
//!
//! The failure modes and their mitigations are those of the AWS Well-Architected Reliability
//! Pillar (<https://docs.aws.amazon.com/wellarchitected/latest/reliability-pillar/welcome.html>):
//! throttling and retries with backoff (REL05-BP02,
//! <https://docs.aws.amazon.com/wellarchitected/latest/framework/rel05-bp02.html>), service
//! quotas (REL 1, <https://docs.aws.amazon.com/wellarchitected/latest/framework/rel-01.html>),
//! zonal impairments (Advanced Multi-AZ Resilience Patterns,
//! <https://docs.aws.amazon.com/whitepapers/latest/advanced-multi-az-resilience-patterns/availability-zone-independence.html>),
//! Lambda cold starts (<https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html>),
//! database connections and RDS Proxy (<https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html>),
//! S3 Block Public Access (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html>),
//! IAM credentials (<https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html>) and
//! estimated-charges monitoring (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/monitor_estimated_charges_with_cloudwatch.html>).
//!
//! The three crates this API is built on are re-exported as [`aws_telemetry`], [`sli_core`]
//! and [`chrono`], and their types the API uses most are re-exported here too; the rest (an
//! `AuditSource` to run F4 on, `sli_core::Incident`, the error sources) are reached through
//! the re-exported crates. So this crate is the only dependency its examples need.
//!
//! # Example
//! ```
//! use failure_modes::chrono::{Duration, TimeZone, Utc};
//! use failure_modes::{ConnectionSample, ConnectionSignal, DbConnectionExhaustion, Detector};
//!
//! let mut f6 = DbConnectionExhaustion::new(ConnectionSignal::rds("orders", 400.0)?, Default::default())?;
//! let t0 = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
//! for minute in 0..120 {
//!     let connections = 100.0 + if minute > 60 { 4.0 * (minute - 60) as f64 } else { 0.0 };
//!     let sample = ConnectionSample { at: t0 + Duration::minutes(minute), connections, upstream: None };
//!     for finding in f6.push(sample)? {
//!         println!("{finding}"); // F6 DB connection exhaustion [ticket] orders ...
//!         assert!(finding.evidence.observed >= 0.8 * 400.0); // 80 % of max_connections
//!         return Ok(());
//!     }
//! }
//! unreachable!("the climb is reported before the limit");
//! # Ok::<(), failure_modes::Error>(())
//! ```
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

mod alertmanager;
mod anomaly;
mod detector;
mod detectors;
mod episode;
mod error;
mod finding;
pub mod gameday;
mod mode;
mod notify;
mod routed;
pub mod scenarios;
mod set;
mod settings;
pub mod stats;
mod timeline;

pub use anomaly::{
    Anomaly, AnomalyConfig, AnomalyDetector, AnomalyKind, RecordKind, Season, Spread, TimedAnomaly,
    TimedAnomalyDetector,
};
pub use aws_telemetry::{
    AclGrant, BucketExposure, Exposure, Grantee, ObjectOwnership, Permission, PublicAccessBlock,
};
pub use aws_telemetry::{AuditEvent, Identity};
pub use detector::{Detector, MetricDetector, run};
pub use detectors::cold_start::{
    ColdStartConfig, ColdStartLatency, ColdStartSample, ColdStartSignal,
};
pub use detectors::compromise::{
    CompromiseConfig, CredentialCompromise, MAX_PRINCIPAL_BYTES, MAX_REGION_BYTES, MAX_REGIONS,
};
pub use detectors::connections::{
    ConnectionConfig, ConnectionSample, ConnectionSignal, DbConnectionExhaustion,
};
pub use detectors::cost::{
    ChargeSample, CostConfig, CostRunaway, MAX_ONE_OFF_CHARGES, MAX_ONE_OFF_DESCRIPTION_BYTES,
    OneOffCharge,
};
pub use detectors::exposure::{AccessSample, LeakConfig, MAX_SPIKES_REMEMBERED, PublicDataLeak};
pub use detectors::metric_anomaly::{AnomalySignal, MetricAnomalies};
pub use detectors::partition::{
    MAX_ZONE_NAME, MAX_ZONES, NetworkPartition, PartitionConfig, ZoneMetrics, ZoneObservation,
    ZoneSample, ZoneSignal,
};
pub use detectors::quota::{QuotaConfig, QuotaSample, QuotaSignal, ServiceQuotaHit};
pub use detectors::throttling::{
    ApiThrottling, CallsMetric, ThrottleConfig, ThrottleSample, ThrottleSignal,
};
pub use error::{Error, MAX_MAGNITUDE, Result};
pub use set::{DetectorSet, DynFetchedDetector, FetchedDetector};
// What this crate's API exposes and its examples use, so that one dependency suffices; the
// crates themselves for the rest (`failure_modes::sli_core::ErrorBudgetPolicy`).
pub use alertmanager::SLO_ID_LABEL;
pub use aws_telemetry;
pub use aws_telemetry::{
    Completeness, ConnectionLimit, DailyCost, Dimension, DynMetricSource, FetchRequest,
    FetchedSeries, InMemorySource, Metric, MetricQuery, MetricSink, MetricSource, Period, QueryId,
    QueryKind, Quota, SignInOutcome, Statistic, TimeRange, UsageMetric,
};
pub use chrono;
pub use finding::{Evidence, Finding, Rounded};
pub use mode::FailureMode;
pub use notify::{
    DEFAULT_HOLD, Notification, group_by_root_cause, group_by_root_cause_routed,
    outside_maintenance,
};
pub use routed::Routed;
pub use sli_core;
pub use sli_core::{
    AlertGroup, AlertInterval, Interval, MaintenanceWindows, Owner, RecurringWindow, Routing,
    RoutingError, RunbookUrl, Severity, Sustained,
};
