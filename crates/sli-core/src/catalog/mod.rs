//! The table "How to Measure AWS" (M1–M10) as ready-made definitions with its starting
//! targets, and the checks for the rows that are not SLOs.
//!
//! | row | here |
//! |---|---|
//! | M1 availability | [`availability`] |
//! | M2 latency p95 | [`latency_p95`] |
//! | M3 error rate | [`error_rate`], with [`HttpStatusCounts`] and [`ClientErrors`] (5xx only, or 5xx and 4xx) |
//! | M4 Lambda success | [`lambda_success`], with [`LambdaMetrics`] and [`LambdaFailures`] (throttles, dropped events, failed deliveries) |
//! | M5 CPU utilisation | [`UtilizationRule`]: interval averages, sustain rules, [`ProvisioningFinding`]s |
//! | M6 DB query latency | [`db_query_latency`] (per-query histograms), [`db_latency_minutes`] (CloudWatch's per-minute RDS latencies) |
//! | M7 throttling | [`throttling`] |
//! | M8 burn rate | [`burn_is_sustainable`]; the burn rates themselves: [`PolicyEvaluator`](crate::PolicyEvaluator) |
//! | M9 deployment success | [`deployment_regression`](crate::deployment_regression); per deploy, with canary and partial deploys kept apart: [`DeployCheck`](crate::DeployCheck) |
//! | M10 cost anomaly | [`cost_anomaly`] |
//!
//! `aws-telemetry`'s `catalog` module reads M3–M6 from CloudWatch, and its `CountsQuery` the
//! good/total counts of M1, M2 and M7. Every entry is a starting point: tune targets to your
//! users.

mod error_rate;
mod lambda;
mod utilization;

use serde::Serialize;

pub use error_rate::{ClientErrors, HttpStatusCounts};
pub use lambda::{LambdaFailures, LambdaMetrics};
pub use utilization::{
    BandPosition, IntervalAverage, Provisioning, ProvisioningFinding, UtilizationBand,
    UtilizationRule,
};

use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::sli::Sli;
use crate::slo::Slo;
use crate::span::Span;
use crate::window::Window;

/// One row of the measurement table.
///
/// # Example
/// ```
/// use sli_core::catalog::ENTRIES;
///
/// let m9 = ENTRIES.iter().find(|e| e.id == "M9").unwrap();
/// assert_eq!(m9.name, "Deployment success");
/// assert_eq!(m9.starting_target, "100% no regressions");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Entry {
    /// `"M1"` … `"M10"`.
    pub id: &'static str,
    /// Metric or SLI name.
    pub name: &'static str,
    /// What it tells you.
    pub tells: &'static str,
    /// How to measure it.
    pub measure: &'static str,
    /// The starting target.
    pub starting_target: &'static str,
    /// The gotcha.
    pub gotcha: &'static str,
}

/// The ten rows, in the table's order.
///
/// # Example
/// ```
/// for entry in sli_core::catalog::ENTRIES {
///     println!("{:>3} {:<24} target {:<28} gotcha: {}", entry.id, entry.name, entry.starting_target, entry.gotcha);
/// }
/// ```
pub const ENTRIES: [Entry; 10] = [
    Entry {
        id: "M1",
        name: "Availability SLI",
        tells: "Fraction of successful requests",
        measure: "Successful responses / total requests",
        starting_target: "99.9% for prod APIs",
        gotcha: "Dependent on counting retries",
    },
    Entry {
        id: "M2",
        name: "Latency p95",
        tells: "User-perceived delay",
        measure: "p95 of request duration per endpoint",
        starting_target: "< 300 ms for interactive",
        gotcha: "Cold starts and retries inflate p95",
    },
    Entry {
        id: "M3",
        name: "Error rate",
        tells: "Fraction of 5xx or 4xx on API",
        measure: "5xx count / total requests",
        starting_target: "< 0.1% for prod",
        gotcha: "Client-side errors can skew results",
    },
    Entry {
        id: "M4",
        name: "Lambda success rate",
        tells: "Function execution success",
        measure: "Successful invocations / total",
        starting_target: "99.9% typical",
        gotcha: "Retries may mask business failures",
    },
    Entry {
        id: "M5",
        name: "CPU utilization",
        tells: "Host or container load",
        measure: "Avg CPU over intervals",
        starting_target: "40-70% healthy range",
        gotcha: "Bursts may be normal with autoscale",
    },
    Entry {
        id: "M6",
        name: "DB query latency",
        tells: "DB responsiveness",
        measure: "p95 of query times",
        starting_target: "< 100 ms for OLTP",
        gotcha: "Long-running queries affect p95",
    },
    Entry {
        id: "M7",
        name: "Throttling rate",
        tells: "API or DB throttles",
        measure: "Throttle errors / requests",
        starting_target: "~0% on SLO-critical paths",
        gotcha: "Bursts create transient throttling",
    },
    Entry {
        id: "M8",
        name: "Error budget burn rate",
        tells: "Consumed reliability allowance",
        measure: "Error rate / SLO over time",
        starting_target: "Burn < 1x typical",
        gotcha: "Sudden spikes cause rapid burn",
    },
    Entry {
        id: "M9",
        name: "Deployment success",
        tells: "Stability after deploy",
        measure: "Post-deploy error delta",
        starting_target: "100% no regressions",
        gotcha: "Partial deploys can hide issues",
    },
    Entry {
        id: "M10",
        name: "Cost anomaly",
        tells: "Unexpected cost increases",
        measure: "Daily spend variance vs baseline",
        starting_target: "Alert at 2x trend",
        gotcha: "One-off invoices may distort",
    },
];

/// `series` with each value mapped by `f`, which is given the point's position for errors.
fn map_points<T, U>(
    series: &crate::series::Series<T>,
    f: impl Fn(crate::error::Position, &T) -> Result<U>,
) -> Result<crate::series::Series<U>> {
    let values = series
        .iter()
        .enumerate()
        .map(|(index, (at, value))| f(crate::error::Position::point(index, at), value))
        .collect::<Result<Vec<_>>>()?;
    crate::series::Series::from_parts(series.times().to_vec(), values)
}

fn thirty_days() -> Window {
    Window::rolling(Span::known_valid(30 * 86_400))
}

/// The targets below are literals strictly inside (0, 1).
fn objective(target: f64) -> Objective {
    Objective::known_valid(target)
}

/// M1: successful responses / total requests, 99.9 % over 30 days. Count retries once, at the
/// user's request, or retries will hide failures.
///
/// # Example
/// ```
/// let slo = sli_core::catalog::availability("checkout");
/// assert_eq!(slo.objective.to_string(), "99.9%");
/// ```
pub fn availability(name: impl Into<String>) -> Slo {
    Slo::new(name, objective(0.999), thirty_days(), Sli::EventRatio)
}

/// M2: latency p95 under 300 ms, as a threshold SLI: 95 % of requests at or under 300 ms over
/// 30 days (equivalent to "p95 <= 300 ms" over the window, and additive across instances,
/// unlike averaged percentiles). Cold starts and retries inflate it.
///
/// # Example
/// ```
/// use sli_core::{catalog, Sli};
/// let slo = catalog::latency_p95("checkout");
/// assert_eq!(slo.sli, Sli::Threshold { threshold: 300.0 });
/// assert_eq!(slo.objective.target(), 0.95);
/// ```
pub fn latency_p95(name: impl Into<String>) -> Slo {
    Slo::new(
        name,
        objective(0.95),
        thirty_days(),
        Sli::Threshold { threshold: 300.0 },
    )
}

/// M3: error rate under 0.1 %: 99.9 % of requests without a server error over 30 days.
///
/// Feed it [`ClientErrors::counts`] of [`HttpStatusCounts`]: 5xx over requests by default,
/// client errors (4xx) kept apart unless they are the service's fault (the row's gotcha,
/// "client-side errors can skew results").
///
/// # Example
/// ```
/// use sli_core::catalog::{self, ClientErrors, HttpStatusCounts};
///
/// let slo = catalog::error_rate("api");
/// assert!((slo.objective.error_budget() - 0.001).abs() < 1e-12);
/// let minute = HttpStatusCounts::new(1000.0, 2.0, 30.0)?.counts(ClientErrors::default())?;
/// assert_eq!(minute.error_ratio(), Some(0.002));
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn error_rate(name: impl Into<String>) -> Slo {
    Slo::new(name, objective(0.999), thirty_days(), Sli::EventRatio)
}

/// M4: Lambda invocations without `Errors`, 99.9 % over 30 days.
///
/// Feed it [`LambdaFailures::series`] of [`LambdaMetrics`]: by default every failed attempt is
/// bad (a retry that succeeds does not erase it); ask for throttles, dropped asynchronous events
/// and failed dead-letter or destination deliveries to count the failures retries and
/// asynchronous delivery hide (the row's gotcha, "retries may mask business failures").
///
/// # Example
/// ```
/// use sli_core::catalog::{self, LambdaFailures, LambdaMetrics};
///
/// let slo = catalog::lambda_success("resize-images");
/// assert_eq!(slo.objective.target(), 0.999);
/// let minute = LambdaMetrics::new(500.0, 1.0).with_async_events_dropped(1.0);
/// assert_eq!(LambdaFailures::ALL.counts(&minute)?.bad(), 2.0);
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn lambda_success(name: impl Into<String>) -> Slo {
    Slo::new(name, objective(0.999), thirty_days(), Sli::EventRatio)
}

/// M6: database query p95 under 100 ms, from per-query latencies: 95 % of queries at or under
/// 100 ms over 30 days. Needs per-query counts (a latency histogram from the application or a
/// proxy): long-running queries count once each, as the row's gotcha warns.
///
/// # Example
/// ```
/// use sli_core::{catalog, Sli};
/// assert_eq!(catalog::db_query_latency("orders-db").sli, Sli::Threshold { threshold: 100.0 });
/// ```
pub fn db_query_latency(name: impl Into<String>) -> Slo {
    Slo::new(
        name,
        objective(0.95),
        thirty_days(),
        Sli::Threshold { threshold: 100.0 },
    )
}

/// M6 as CloudWatch can measure it for RDS: 95 % of minutes whose latency is at most 100 ms,
/// over 30 days.
///
/// RDS publishes `ReadLatency` and `WriteLatency` once a minute as the *average* time per disk
/// I/O, not per query (the RDS user guide, "Amazon CloudWatch metrics for Amazon RDS"), so no
/// per-query p95 exists there. What does: the 95th percentile of the per-minute values over
/// the window, which is at most 100 ms exactly when at least 95 % of the minutes are. That is
/// this time-slice SLI (nearest-rank percentile): each minute is one event, good when its
/// latency is at most 100 ms. `aws-telemetry`'s RDS reader converts the metrics' seconds to
/// the milliseconds of this threshold.
///
/// # Example
/// ```
/// use sli_core::{catalog, Comparison, Sli, Span};
/// let slo = catalog::db_latency_minutes("orders-db");
/// assert_eq!(slo.sli, Sli::TimeSlice { comparison: Comparison::AtMost, threshold: 100.0, slice: Span::MINUTE });
/// assert_eq!(slo.objective.target(), 0.95);
/// ```
pub fn db_latency_minutes(name: impl Into<String>) -> Slo {
    Slo::new(
        name,
        objective(0.95),
        thirty_days(),
        Sli::TimeSlice {
            comparison: crate::sli::Comparison::AtMost,
            threshold: 100.0,
            slice: Span::MINUTE,
        },
    )
}

/// M7: throttling "~0 % on SLO-critical paths", read as 99.99 % of calls not throttled over
/// 30 days (an objective of exactly 100 % leaves no budget and cannot be expressed). Bursts
/// create transient throttling: pair it with a sustained rule.
///
/// # Example
/// ```
/// let slo = sli_core::catalog::throttling("dynamodb-writes");
/// assert_eq!(slo.objective.target(), 0.9999);
/// ```
pub fn throttling(name: impl Into<String>) -> Slo {
    Slo::new(name, objective(0.9999), thirty_days(), Sli::EventRatio)
}

/// M8: burn rate under 1x is sustainable (the budget lasts the window).
///
/// # Example
/// ```
/// use sli_core::catalog::burn_is_sustainable;
/// assert!(burn_is_sustainable(0.8) && !burn_is_sustainable(1.5));
/// ```
pub fn burn_is_sustainable(burn_rate: f64) -> bool {
    burn_rate < 1.0
}

/// M10: daily spend at or above `factor` times its trailing baseline (default 2x the trend).
///
/// # Errors
/// [`Error::InvalidValue`] for a negative or non-finite spend or baseline;
/// [`Error::InvalidParameter`] for a factor that is not above 1.
///
/// # Example
/// ```
/// use sli_core::catalog::cost_anomaly;
/// assert!(cost_anomaly(250.0, 120.0, 2.0)?);
/// assert!(!cost_anomaly(200.0, 120.0, 2.0)?);
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn cost_anomaly(daily_spend: f64, baseline: f64, factor: f64) -> Result<bool> {
    for (field, value) in [("daily spend", daily_spend), ("baseline", baseline)] {
        if !(value.is_finite() && value >= 0.0) {
            return Err(Error::InvalidValue {
                field,
                value,
                position: Default::default(),
            });
        }
    }
    if !(factor.is_finite() && factor > 1.0) {
        return Err(Error::InvalidParameter {
            field: "factor",
            value: factor,
            reason: "must be finite and above 1",
        });
    }
    Ok(daily_spend >= factor * baseline && daily_spend > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_complete_and_ordered() {
        for (i, e) in ENTRIES.iter().enumerate() {
            assert_eq!(e.id, format!("M{}", i + 1));
        }
    }

    #[test]
    fn presets_are_valid() {
        for slo in [
            availability("a"),
            latency_p95("b"),
            error_rate("c"),
            lambda_success("d"),
            db_query_latency("e"),
            db_latency_minutes("e"),
            throttling("f"),
        ] {
            slo.validate().unwrap();
        }
        assert_eq!(availability("a").objective.target(), 0.999);
        assert_eq!(throttling("t").objective.target(), 0.9999);
    }

    #[test]
    fn cost() {
        assert!(cost_anomaly(-1.0, 1.0, 2.0).is_err());
        assert!(cost_anomaly(1.0, 1.0, 1.0).is_err());
        assert!(burn_is_sustainable(0.99) && !burn_is_sustainable(1.0));
    }
}
