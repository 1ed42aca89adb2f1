//! Service quotas (F3): [`Quota`], an applied quota and the CloudWatch usage metric Service
//! Quotas names for it, as the toolkit's own type; the [`QuotaSource`] trait and its
//! in-memory implementation [`InMemoryQuotaSource`]. The Service Quotas adapter
//! (`GetServiceQuota`, `ListServiceQuotas`) is `ServiceQuotasSource` (feature
//! `servicequotas`).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::query::{Metric, Statistic};

/// The CloudWatch metric that measures a quota's usage (Service Quotas' `UsageMetric`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageMetric {
    /// `MetricNamespace`, usually `AWS/Usage`.
    pub namespace: String,
    /// `MetricName`, e.g. `ResourceCount` or `CallCount`.
    pub name: String,
    /// `MetricDimensions`, e.g. `Service` = `EC2`, `Type` = `Resource`, `Resource` = `vCPU`,
    /// `Class` = `Standard/OnDemand`.
    pub dimensions: BTreeMap<String, String>,
    /// `MetricStatisticRecommendation`, e.g. `Maximum`, when given.
    pub statistic: Option<String>,
}

impl UsageMetric {
    /// The metric as a [`Metric`] this crate's sources can fetch.
    ///
    /// # Errors
    /// [`Error::InvalidMetric`] for names or dimensions CloudWatch would refuse.
    pub fn metric(&self) -> Result<Metric> {
        self.dimensions
            .iter()
            .try_fold(Metric::new(&self.namespace, &self.name)?, |m, (k, v)| {
                m.with_dimension(k, v)
            })
    }

    /// The recommended statistic as a [`Statistic`], when one is given.
    ///
    /// # Errors
    /// [`Error::UnknownStatistic`] for a name CloudWatch does not have.
    pub fn statistic(&self) -> Result<Option<Statistic>> {
        self.statistic.as_deref().map(str::parse).transpose()
    }
}

/// One quota, as Service Quotas reports it.
///
/// # Example
/// ```
/// use std::collections::BTreeMap;
/// use aws_telemetry::{Quota, UsageMetric};
///
/// let quota = Quota {
///     service_code: "ec2".into(),
///     quota_code: "L-1216C47A".into(),
///     name: "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances".into(),
///     value: Some(1152.0),
///     adjustable: true,
///     unit: Some("None".into()),
///     usage_metric: Some(UsageMetric {
///         namespace: "AWS/Usage".into(),
///         name: "ResourceCount".into(),
///         dimensions: BTreeMap::from([
///             ("Class".into(), "Standard/OnDemand".into()),
///             ("Resource".into(), "vCPU".into()),
///             ("Service".into(), "EC2".into()),
///             ("Type".into(), "Resource".into()),
///         ]),
///         statistic: Some("Maximum".into()),
///     }),
/// };
/// let metric = quota.usage_metric.as_ref().unwrap().metric()?;
/// assert_eq!(metric.dimensions.len(), 4);
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quota {
    /// `ServiceCode`, e.g. `ec2`, `lambda`.
    pub service_code: String,
    /// `QuotaCode`, e.g. `L-1216C47A`.
    pub quota_code: String,
    /// `QuotaName`.
    pub name: String,
    /// `Value`: the applied value (the default where none was requested); `None` when the
    /// service does not say.
    pub value: Option<f64>,
    /// `Adjustable`: whether an increase can be requested.
    pub adjustable: bool,
    /// `Unit`, e.g. `None`, `Count`, `Count/Second`.
    pub unit: Option<String>,
    /// `UsageMetric`, when Service Quotas names one.
    pub usage_metric: Option<UsageMetric>,
}

/// A source of applied quotas: Service Quotas, memory.
///
/// Object safe and `Send + Sync`: hold it as `Arc<dyn QuotaSource>`.
#[async_trait]
pub trait QuotaSource: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// One quota (`GetServiceQuota`).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the service has no such quota; otherwise backend-specific.
    async fn quota(&self, service_code: &str, quota_code: &str) -> Result<Quota>;

    /// Every quota of a service (`ListServiceQuotas`), in the order the source gives them.
    ///
    /// # Errors
    /// Backend-specific: see each source.
    async fn quotas(&self, service_code: &str) -> Result<Vec<Quota>>;
}

/// Quotas put in by the caller; clones share them.
///
/// # Example
/// ```
/// use aws_telemetry::{InMemoryQuotaSource, Quota, QuotaSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let source = InMemoryQuotaSource::new();
/// source.put(Quota {
///     service_code: "lambda".into(), quota_code: "L-B99A9384".into(),
///     name: "Concurrent executions".into(), value: Some(1000.0), adjustable: true,
///     unit: None, usage_metric: None,
/// });
/// assert_eq!(source.quota("lambda", "L-B99A9384").await?.value, Some(1000.0));
/// assert!(source.quota("lambda", "L-0000").await.is_err());
/// # Ok::<(), aws_telemetry::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct InMemoryQuotaSource {
    quotas: Arc<RwLock<BTreeMap<(String, String), Quota>>>,
}

impl InMemoryQuotaSource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a quota, replacing one with the same service and quota codes.
    pub fn put(&self, quota: Quota) {
        self.quotas
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                (quota.service_code.clone(), quota.quota_code.clone()),
                quota,
            );
    }
}

impl fmt::Display for InMemoryQuotaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.quotas.read().map_or(0, |q| q.len());
        write!(f, "InMemoryQuotaSource({count} quotas)")
    }
}

#[async_trait]
impl QuotaSource for InMemoryQuotaSource {
    async fn quota(&self, service_code: &str, quota_code: &str) -> Result<Quota> {
        self.quotas
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(service_code.to_owned(), quota_code.to_owned()))
            .cloned()
            .ok_or_else(|| Error::NotFound {
                backend: "InMemoryQuotaSource",
                what: format!("quota {service_code}/{quota_code}"),
            })
    }

    async fn quotas(&self, service_code: &str) -> Result<Vec<Quota>> {
        Ok(self
            .quotas
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|q| q.service_code == service_code)
            .cloned()
            .collect())
    }
}
