//! Detectors for the classic AWS failure modes (F1–F8).
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod anomaly;
mod audit;
mod detector;
mod detectors;
mod episode;
mod error;
mod exposure;
mod finding;
mod mode;
pub mod scenarios;
pub mod stats;
mod timeline;

pub use anomaly::{Anomaly, AnomalyConfig, AnomalyDetector, AnomalyKind};
pub use audit::{AuditEvent, Identity};
pub use detector::{Detector, MetricDetector, run};
pub use detectors::cold_start::{
    ColdStartConfig, ColdStartLatency, ColdStartSample, ColdStartSignal,
};
pub use detectors::compromise::{CompromiseConfig, CredentialCompromise};
pub use detectors::connections::{
    ConnectionConfig, ConnectionSample, ConnectionSignal, DbConnectionExhaustion,
};
pub use detectors::cost::{ChargeSample, CostConfig, CostRunaway};
pub use detectors::exposure::{AccessSample, LeakConfig, PublicDataLeak};
pub use detectors::partition::{
    NetworkPartition, PartitionConfig, ZoneObservation, ZoneSample, ZoneSignal,
};
pub use detectors::quota::{QuotaConfig, QuotaSample, QuotaSignal, ServiceQuotaHit};
pub use detectors::throttling::{
    ApiThrottling, CallsMetric, ThrottleConfig, ThrottleSample, ThrottleSignal,
};
pub use error::{Error, Result};
pub use exposure::{
    AclGrant, BucketExposure, Exposure, Grantee, ObjectOwnership, Permission, PublicAccessBlock,
};
pub use finding::{Evidence, Finding};
pub use mode::FailureMode;
