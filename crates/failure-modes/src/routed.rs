//! [`Routed`]: a detector whose every finding carries the owning team and the runbook, set once.

use aws_telemetry::{FetchedSeries, MetricQuery, TimeRange};
use chrono::{DateTime, Utc};
use sli_core::Routing;

use crate::detector::{Detector, MetricDetector};
use crate::error::Result;
use crate::finding::Finding;
use crate::mode::FailureMode;

/// A detector with a [`Routing`]: every finding it reports carries the owner and the runbook,
/// so that a page reaches the team that owns the database, the bucket or the account, with the
/// link to what to do (the SRE Workbook, "On-Call": every alert links to its playbook).
///
/// It is a [`Detector`] with the wrapped one's input, and a [`MetricDetector`] when the wrapped
/// one is, so it goes wherever a detector goes: [`run`](crate::run), a
/// [`DetectorSet`](crate::DetectorSet) (`set.with(Routed::new(f6, routing))`), a
/// `Box<dyn Detector<Input = …>>`. It also wraps a boxed detector (`Box<dyn Detector<…>>` is a
/// [`Detector`]). A finding that already carries an owner or a runbook (one routed by an inner
/// `Routed`) keeps it; the routing fills in only what it lacks.
///
/// Only the trait's methods are routed: findings from a detector's own methods (F4's
/// `push_ref`, F7's `assess`) take [`Finding::with_routing`] through [`Routed::route`].
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::sli_core::Routing;
/// use failure_modes::{ConnectionSample, ConnectionSignal, DbConnectionExhaustion, Detector, Routed};
///
/// let routing = Routing::new()
///     .with_owner("db-team".parse()?)
///     .with_runbook("https://runbooks.example.com/orders-db".parse()?);
/// let f6 = DbConnectionExhaustion::new(ConnectionSignal::rds("orders", 400.0)?, Default::default())?;
/// // Boxed like any detector of the same input.
/// let mut detector: Box<dyn Detector<Input = ConnectionSample>> = Box::new(Routed::new(f6, routing));
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0).unwrap();
/// let mut findings = Vec::new();
/// for minute in 0..120 {
///     let connections = 100.0 + if minute > 60 { 4.0 * (minute - 60) as f64 } else { 0.0 };
///     let at = t0 + Duration::minutes(minute);
///     findings.extend(detector.push(ConnectionSample { at, connections, upstream: None })?);
/// }
/// assert!(!findings.is_empty());
/// for finding in &findings {
///     assert_eq!(finding.routing.owner.as_ref().map(|o| o.as_str()), Some("db-team"));
///     assert!(finding.to_string().contains("runbook: https://runbooks.example.com/orders-db"));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Routed<D> {
    detector: D,
    routing: Routing,
}

impl<D: Detector> Routed<D> {
    /// `detector`, its findings routed by `routing`.
    pub fn new(detector: D, routing: Routing) -> Self {
        Self { detector, routing }
    }
}

impl<D> Routed<D> {
    /// The routing its findings carry.
    pub fn routing(&self) -> &Routing {
        &self.routing
    }

    /// The wrapped detector.
    pub fn detector(&self) -> &D {
        &self.detector
    }

    /// The wrapped detector, to call its own methods (findings from those are not routed:
    /// pass them through [`Routed::route`]).
    pub fn detector_mut(&mut self) -> &mut D {
        &mut self.detector
    }

    /// The wrapped detector, unwrapped.
    pub fn into_inner(self) -> D {
        self.detector
    }

    /// `finding` with this routing's owner and runbook where it has none.
    pub fn route(&self, mut finding: Finding) -> Finding {
        if finding.routing.owner.is_none() {
            finding.routing.owner.clone_from(&self.routing.owner);
        }
        if finding.routing.runbook.is_none() {
            finding.routing.runbook.clone_from(&self.routing.runbook);
        }
        finding
    }

    fn route_all(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings.into_iter().map(|f| self.route(f)).collect()
    }
}

impl<D: Detector> Detector for Routed<D> {
    type Input = D::Input;

    fn mode(&self) -> FailureMode {
        self.detector.mode()
    }

    fn push(&mut self, input: Self::Input) -> Result<Vec<Finding>> {
        let findings = self.detector.push(input)?;
        Ok(self.route_all(findings))
    }
}

impl<D: MetricDetector> MetricDetector for Routed<D> {
    fn queries(&self) -> Result<Vec<MetricQuery>> {
        self.detector.queries()
    }

    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<Self::Input>> {
        self.detector.observations(fetched)
    }

    fn check_range(&self, range: &TimeRange) -> Result<()> {
        self.detector.check_range(range)
    }

    fn observed_at(input: &Self::Input) -> Option<DateTime<Utc>> {
        D::observed_at(input)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.detector.last_observed()
    }

    fn check(&self, inputs: &[Self::Input]) -> Result<()> {
        self.detector.check(inputs)
    }
}
