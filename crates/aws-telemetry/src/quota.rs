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

use crate::error::{QueryError, ServiceError};
use crate::metric::Metric;
use crate::query::Statistic;

/// The CloudWatch metric that measures a quota's usage (Service Quotas' `MetricInfo`,
/// "Service Quotas integration with Amazon CloudWatch metrics", Service Quotas User Guide).
///
/// A plain record of what Service Quotas says, unchecked (it is checked when it becomes a
/// [`Metric`]): fields are public; build one with [`UsageMetric::new`] and the `with_*`
/// methods, since fields may be added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// The metric `name` in `namespace`, without dimensions or recommended statistic.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.into(),
            dimensions: BTreeMap::new(),
            statistic: None,
        }
    }

    /// The same metric with a dimension (replacing one of the same name).
    #[must_use]
    pub fn with_dimension(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.dimensions.insert(name.into(), value.into());
        self
    }

    /// The same metric with its `MetricStatisticRecommendation`, e.g. `Maximum`.
    #[must_use]
    pub fn with_statistic(mut self, statistic: impl Into<String>) -> Self {
        self.statistic = Some(statistic.into());
        self
    }

    /// The metric as a [`Metric`] this crate's sources can fetch.
    ///
    /// # Errors
    /// [`QueryError::InvalidMetric`] or [`QueryError::TooManyDimensions`] for names or
    /// dimensions CloudWatch would refuse.
    pub fn metric(&self) -> Result<Metric, QueryError> {
        self.dimensions
            .iter()
            .try_fold(Metric::new(&self.namespace, &self.name)?, |m, (k, v)| {
                m.with_dimension(k, v)
            })
    }

    /// The recommended statistic as a [`Statistic`], when one is given.
    ///
    /// # Errors
    /// [`QueryError::InvalidStatistic`] for a name CloudWatch does not have.
    pub fn statistic(&self) -> Result<Option<Statistic>, QueryError> {
        self.statistic.as_deref().map(str::parse).transpose()
    }
}

/// One quota, as Service Quotas reports it (`ServiceQuota`, Service Quotas API Reference).
///
/// A plain record of what Service Quotas says: fields are public; build one with
/// [`Quota::new`] and the `with_*` methods, since fields may be added.
///
/// # Example
/// ```
/// use aws_telemetry::{Quota, UsageMetric};
///
/// let quota = Quota::new("ec2", "L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances")
///     .with_value(1152.0)
///     .with_adjustable(true)
///     .with_unit("None")
///     .with_usage_metric(
///         UsageMetric::new("AWS/Usage", "ResourceCount")
///             .with_dimension("Class", "Standard/OnDemand")
///             .with_dimension("Resource", "vCPU")
///             .with_dimension("Service", "EC2")
///             .with_dimension("Type", "Resource")
///             .with_statistic("Maximum"),
///     );
/// let metric = quota.usage_metric.as_ref().unwrap().metric()?;
/// assert_eq!(metric.dimensions().len(), 4);
/// assert_eq!(quota.to_string(), "ec2/L-1216C47A (Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances): 1152 None");
/// # Ok::<(), aws_telemetry::QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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

impl Quota {
    /// The quota `quota_code` of `service_code`, named `name`, not adjustable, with no value,
    /// unit or usage metric known.
    pub fn new(
        service_code: impl Into<String>,
        quota_code: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            service_code: service_code.into(),
            quota_code: quota_code.into(),
            name: name.into(),
            value: None,
            adjustable: false,
            unit: None,
            usage_metric: None,
        }
    }

    /// The same quota with its applied value.
    #[must_use]
    pub fn with_value(mut self, value: f64) -> Self {
        self.value = Some(value);
        self
    }

    /// The same quota, adjustable or not.
    #[must_use]
    pub fn with_adjustable(mut self, adjustable: bool) -> Self {
        self.adjustable = adjustable;
        self
    }

    /// The same quota with its unit, e.g. `Count`.
    #[must_use]
    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// The same quota with the metric that measures its usage.
    #[must_use]
    pub fn with_usage_metric(mut self, usage_metric: UsageMetric) -> Self {
        self.usage_metric = Some(usage_metric);
        self
    }
}

impl fmt::Display for Quota {
    /// `service/code (name): value unit`, e.g. `lambda/L-B99A9384 (Concurrent executions):
    /// 1000`; `no value` when the service gives none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} ({}): ",
            self.service_code, self.quota_code, self.name
        )?;
        match self.value {
            Some(value) => write!(f, "{value}")?,
            None => f.write_str("no value")?,
        }
        if let Some(unit) = &self.unit {
            write!(f, " {unit}")?;
        }
        Ok(())
    }
}

/// A source of applied quotas: Service Quotas, memory.
///
/// Object safe and `Send + Sync`: hold it as `Arc<dyn QuotaSource>`.
#[async_trait]
pub trait QuotaSource: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// One quota (`GetServiceQuota`).
    ///
    /// # Errors
    /// [`ServiceError::NotFound`] when the service has no such quota; otherwise the backend's
    /// [`ServiceError`].
    async fn quota(&self, service_code: &str, quota_code: &str) -> Result<Quota, ServiceError>;

    /// Every quota of a service (`ListServiceQuotas`), in the order the source gives them.
    ///
    /// # Errors
    /// The backend's [`ServiceError`].
    async fn quotas(&self, service_code: &str) -> Result<Vec<Quota>, ServiceError>;
}

/// Quotas put in by the caller; clones share them.
///
/// # Example
/// ```
/// use aws_telemetry::{InMemoryQuotaSource, Quota, QuotaSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let source = InMemoryQuotaSource::new();
/// source.put(Quota::new("lambda", "L-B99A9384", "Concurrent executions").with_value(1000.0));
/// assert_eq!(source.quota("lambda", "L-B99A9384").await?.value, Some(1000.0));
/// assert!(source.quota("lambda", "L-0000").await.is_err());
/// # Ok::<(), aws_telemetry::ServiceError>(())
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
    async fn quota(&self, service_code: &str, quota_code: &str) -> Result<Quota, ServiceError> {
        self.quotas
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(service_code.to_owned(), quota_code.to_owned()))
            .cloned()
            .ok_or_else(|| ServiceError::NotFound {
                backend: "InMemoryQuotaSource",
                what: format!("quota {service_code}/{quota_code}"),
            })
    }

    async fn quotas(&self, service_code: &str) -> Result<Vec<Quota>, ServiceError> {
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
