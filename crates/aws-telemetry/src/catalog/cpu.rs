//! M5: CPU utilisation of an EC2 instance, an Auto Scaling group or an ECS service.

use sli_core::Series;

use super::{Signal, find, non_empty};
use crate::error::{InputError, QueryError};
use crate::fetch::FetchedSeries;
use crate::metric::Metric;
use crate::query::{MetricQuery, Period, Statistic};

/// `CPUUtilization` (percent, `Average` per period) of one compute resource, for
/// [`UtilizationRule`](sli_core::catalog::UtilizationRule).
///
/// | constructor | namespace | dimensions | default period |
/// |---|---|---|---|
/// | [`ec2_instance`](Self::ec2_instance) | `AWS/EC2` | `InstanceId` | 5 minutes (basic monitoring; 1 minute with detailed monitoring) |
/// | [`ec2_auto_scaling_group`](Self::ec2_auto_scaling_group) | `AWS/EC2` | `AutoScalingGroupName` | 5 minutes |
/// | [`ecs_service`](Self::ecs_service) | `AWS/ECS` | `ClusterName`, `ServiceName` | 1 minute |
///
/// An ECS service's `CPUUtilization` is the CPU its tasks use over the CPU their task
/// definitions reserve (the ECS developer guide, "Amazon ECS service utilization metrics"): it
/// can exceed 100 % when tasks may use more than they reserve.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use aws_telemetry::catalog::{read_signal, CpuSignal};
/// use aws_telemetry::InMemorySource;
/// use sli_core::catalog::{Provisioning, UtilizationRule};
///
/// let signal = CpuSignal::ecs_service("prod", "checkout")?;
/// let source = InMemorySource::new();
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// // Two hours at 15 %: the service reserves far more than it uses.
/// source.insert(signal.metric().clone(), (0..120).map(|m| (t0 + TimeDelta::minutes(m), 15.0)))?;
/// let cpu = read_signal(&source, &signal, None)?;
/// let findings = UtilizationRule::default().evaluate(&cpu)?;
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].kind, Provisioning::OverProvisioned);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CpuSignal {
    metric: Metric,
    period: Period,
}

impl CpuSignal {
    /// One EC2 instance, e.g. `i-0abcd1234efgh5678`.
    ///
    /// # Errors
    /// [`QueryError::InvalidMetric`] for an empty or invalid value.
    pub fn ec2_instance(instance_id: &str) -> Result<Self, QueryError> {
        Self::ec2("InstanceId", instance_id)
    }

    /// The instances of an EC2 Auto Scaling group: `AWS/EC2` `CPUUtilization` by its
    /// `AutoScalingGroupName` dimension, aggregated over the group's instances.
    ///
    /// # Errors
    /// As [`CpuSignal::ec2_instance`].
    pub fn ec2_auto_scaling_group(group: &str) -> Result<Self, QueryError> {
        Self::ec2("AutoScalingGroupName", group)
    }

    fn ec2(dimension: &str, value: &str) -> Result<Self, QueryError> {
        Ok(Self {
            metric: Metric::new("AWS/EC2", "CPUUtilization")?.with_dimension(dimension, value)?,
            period: Period::new(300)?,
        })
    }

    /// An ECS service (Fargate or EC2 launch type).
    ///
    /// # Errors
    /// As [`CpuSignal::ec2_instance`].
    pub fn ecs_service(cluster: &str, service: &str) -> Result<Self, QueryError> {
        Ok(Self {
            metric: Metric::new("AWS/ECS", "CPUUtilization")?
                .with_dimension("ClusterName", cluster)?
                .with_dimension("ServiceName", service)?,
            period: Period::MINUTE,
        })
    }

    /// Averages per `period` instead of the default.
    #[must_use]
    pub fn with_period(mut self, period: Period) -> Self {
        self.period = period;
        self
    }

    /// The metric read.
    pub fn metric(&self) -> &Metric {
        &self.metric
    }
}

impl Signal for CpuSignal {
    type Output = Series<f64>;

    fn queries(&self) -> Result<Vec<MetricQuery>, QueryError> {
        Ok(vec![MetricQuery::stat(
            "cpu",
            self.metric.clone(),
            Statistic::Average,
            self.period,
        )?])
    }

    fn read(&self, fetched: &[FetchedSeries]) -> Result<Self::Output, InputError> {
        let points = non_empty(find(fetched, "cpu")?.points.clone(), || {
            format!("{} has no sample in the range", self.metric)
        })?;
        Ok(Series::from_values("CPUUtilization", points)?)
    }
}
