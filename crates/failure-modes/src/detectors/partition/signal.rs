//! [`ZoneSignal`]: the CloudWatch metrics F2 reads for one load balancer, per zone.

use aws_telemetry::{Dimension, Metric, Period};

use super::MAX_ZONES;
use crate::error::{Error, Result};

/// The CloudWatch metrics F2 reads: per zone, latency, requests and 5xx of one load balancer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ZoneSignal {
    /// The load balancer, as its `LoadBalancer` dimension (`app/name/id`).
    pub load_balancer: String,
    /// The availability zones to compare (at least 2).
    pub zones: Vec<String>,
    /// The period.
    pub period: Period,
}

impl ZoneSignal {
    /// An Application Load Balancer: `AWS/ApplicationELB` `TargetResponseTime` (`p95`),
    /// `RequestCount`, `HTTPCode_Target_5XX_Count` and `HTTPCode_ELB_5XX_Count` (the 502/503/504
    /// the load balancer returns when targets are unreachable) (`Sum`), dimensions
    /// `LoadBalancer` and `AvailabilityZone`, 60 s.
    ///
    /// The `AvailabilityZone` dimension is the zone of the load balancer node that took the
    /// request. With cross-zone load balancing (always on for ALB), a failure of one zone's
    /// targets is spread over every node, and this signal sees it fleet-wide rather than in
    /// one zone; per-zone target groups see it where it is.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for fewer than two zones, more than [`MAX_ZONES`] or a zone
    /// named twice; [`Error::Query`] for a load balancer or zone name CloudWatch would refuse
    /// as a dimension value (empty, blank, control characters, past 1,024 characters).
    pub fn alb(load_balancer: &str, zones: &[&str]) -> Result<Self> {
        // Checked now, as the other signals' names are: found only when the queries were
        // built, a bad name reached a push-only caller's findings as their subject.
        Dimension::new("LoadBalancer", load_balancer)?;
        if zones.len() < 2 {
            return Err(Error::InvalidConfig {
                field: "zones",
                value: zones.len() as f64,
                reason: "a zone can only diverge from at least one peer",
            });
        }
        if zones.len() > MAX_ZONES {
            return Err(Error::InvalidConfig {
                field: "zones",
                value: zones.len() as f64,
                reason: "more than MAX_ZONES (32)",
            });
        }
        if let Some(index) = (1..zones.len()).find(|&i| zones[..i].contains(&zones[i])) {
            return Err(Error::InvalidConfig {
                field: "zones",
                value: index as f64,
                reason: "names a zone twice (the value is the second one's position)",
            });
        }
        // The names after the count: 33 zones are refused as too many whatever their names.
        for zone in zones {
            Dimension::new("AvailabilityZone", *zone)?;
        }
        Ok(Self {
            load_balancer: load_balancer.to_owned(),
            zones: zones.iter().map(|z| (*z).to_owned()).collect(),
            period: Period::new(60)?,
        })
    }

    /// The metrics read for `zone`.
    ///
    /// # Errors
    /// [`Error::Query`](crate::Error::Query) for a name CloudWatch would refuse.
    ///
    /// # Example
    /// ```
    /// use failure_modes::ZoneSignal;
    ///
    /// let signal = ZoneSignal::alb("app/shop/1", &["eu-west-1a", "eu-west-1b"])?;
    /// let metrics = signal.zone_metrics("eu-west-1a")?;
    /// assert_eq!(metrics.latency.name(), "TargetResponseTime");
    /// assert_eq!(metrics.elb_5xx.name(), "HTTPCode_ELB_5XX_Count");
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn zone_metrics(&self, zone: &str) -> Result<ZoneMetrics> {
        Ok(ZoneMetrics {
            latency: self.metric("TargetResponseTime", zone)?,
            requests: self.metric("RequestCount", zone)?,
            target_5xx: self.metric("HTTPCode_Target_5XX_Count", zone)?,
            elb_5xx: self.metric("HTTPCode_ELB_5XX_Count", zone)?,
        })
    }

    fn metric(&self, name: &str, zone: &str) -> Result<Metric> {
        Ok(Metric::new("AWS/ApplicationELB", name)?
            .with_dimension("LoadBalancer", &self.load_balancer)?
            .with_dimension("AvailabilityZone", zone)?)
    }
}

/// The metrics F2 reads for one zone ([`ZoneSignal::zone_metrics`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ZoneMetrics {
    /// `TargetResponseTime`, read as `p95`.
    pub latency: Metric,
    /// `RequestCount`, read as `Sum`.
    pub requests: Metric,
    /// `HTTPCode_Target_5XX_Count`, read as `Sum`.
    pub target_5xx: Metric,
    /// `HTTPCode_ELB_5XX_Count`, read as `Sum`.
    pub elb_5xx: Metric,
}
