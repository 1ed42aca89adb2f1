//! The eight detectors, one module per row of the failure-mode table, and the generic one on a
//! plain metric ([`MetricAnomalies`](crate::MetricAnomalies)).

#[cfg(test)]
pub(crate) mod bit_identity_support;
pub(crate) mod cold_start;
pub(crate) mod compromise;
pub(crate) mod connections;
pub(crate) mod cost;
pub(crate) mod exposure;
pub(crate) mod metric_anomaly;
pub(crate) mod partition;
pub(crate) mod quota;
pub(crate) mod throttling;
