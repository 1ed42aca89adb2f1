//! M6: an RDS instance's read and write latency per minute, and its database load where
//! Performance Insights is enabled.

use chrono::{DateTime, Utc};
use sli_core::{EventCounts, MissingData, Series, Sli};

use super::{Signal, non_empty, union_rows};
use crate::error::{InputError, QueryError};
use crate::fetch::FetchedSeries;
use crate::metric::Metric;
use crate::query::{MetricQuery, Period, Statistic};

/// One minute of an RDS instance, latencies in milliseconds.
///
/// A plain output record of [`DbLatencySignal`]: its fields are public to read; build one
/// with [`DbLatencyReading::new`] and [`DbLatencyReading::with_load`], since more metrics may
/// be added.
///
/// # Example
/// ```
/// use aws_telemetry::catalog::DbLatencyReading;
/// let minute = DbLatencyReading::new(Some(4.0), Some(130.0)).with_load(Some(3.5), Some(0.5));
/// assert_eq!(minute.worst_ms(), Some(130.0));
/// assert_eq!(minute.load_not_cpu(), Some(3.0)); // sessions waiting on I/O, locks…
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct DbLatencyReading {
    /// `ReadLatency`: the average time per read I/O, in milliseconds.
    pub read_ms: Option<f64>,
    /// `WriteLatency`: the average time per write I/O, in milliseconds.
    pub write_ms: Option<f64>,
    /// `DBLoad`: average active sessions (with Performance Insights; 0 when it published no
    /// point: it publishes only when there is load).
    pub load: Option<f64>,
    /// `DBLoadCPU`: average active sessions running on or waiting for CPU.
    pub load_cpu: Option<f64>,
}

impl DbLatencyReading {
    /// A minute with these latencies (`None` where the metric published no point), without
    /// load figures.
    pub fn new(read_ms: Option<f64>, write_ms: Option<f64>) -> Self {
        Self {
            read_ms,
            write_ms,
            load: None,
            load_cpu: None,
        }
    }

    /// The same minute with Performance Insights' `DBLoad` and `DBLoadCPU`.
    #[must_use]
    pub fn with_load(mut self, load: Option<f64>, load_cpu: Option<f64>) -> Self {
        self.load = load;
        self.load_cpu = load_cpu;
        self
    }

    /// The slower of the read and write latencies, `None` when neither was published; NaN
    /// when either is NaN (`f64::max` would drop it, and judge the minute by the other).
    pub fn worst_ms(&self) -> Option<f64> {
        match (self.read_ms, self.write_ms) {
            (Some(r), Some(w)) if r.is_nan() || w.is_nan() => Some(f64::NAN),
            (Some(r), Some(w)) => Some(r.max(w)),
            (r, w) => r.or(w),
        }
    }

    /// `DBLoad − DBLoadCPU`: active sessions waiting on something other than CPU (I/O,
    /// locks, the network): where long-running queries show. NaN when either is NaN.
    pub fn load_not_cpu(&self) -> Option<f64> {
        let waiting = self.load? - self.load_cpu?;
        Some(if waiting.is_nan() {
            waiting
        } else {
            waiting.max(0.0)
        })
    }
}

/// M6 from CloudWatch for one RDS instance (`AWS/RDS`, dimension `DBInstanceIdentifier`),
/// per minute: `ReadLatency` and `WriteLatency` (`Average`), and with
/// [`with_performance_insights`](Self::with_performance_insights) `DBLoad` and `DBLoadCPU`
/// (`Average`), through any [`MetricSource`](crate::MetricSource).
///
/// The RDS user guide defines `ReadLatency`/`WriteLatency` as "the average amount of time
/// taken per disk I/O operation", in **seconds**: this signal converts them to milliseconds,
/// the unit of [`sli_core::catalog::db_latency_minutes`]. They are per I/O, not per query, and
/// averaged over the minute: [`db_latency_counts`] judges each minute by its slower latency.
/// `DBLoad` is Performance Insights' average active sessions, published "only if there is
/// load on the DB instance" (the RDS user guide, "Amazon CloudWatch metrics for Amazon RDS
/// Performance Insights"): a minute without a point is read as 0 sessions.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use aws_telemetry::catalog::{db_latency_counts, read_signal, DbLatencySignal};
/// use aws_telemetry::InMemorySource;
/// use sli_core::{catalog, MissingData};
///
/// let signal = DbLatencySignal::rds_instance("orders-db")?.with_performance_insights();
/// let source = InMemorySource::new();
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let minute = |m| t0 + TimeDelta::minutes(m);
/// // 20 minutes at 2 ms reads and 5 ms writes, then 5 minutes of 250 ms writes.
/// source.insert(signal.metric("ReadLatency")?, (0..25).map(|m| (minute(m), 0.002)))?;
/// source.insert(signal.metric("WriteLatency")?, (0..25).map(|m| (minute(m), if m < 20 { 0.005 } else { 0.25 })))?;
/// source.insert(signal.metric("DBLoad")?, [(minute(22), 6.0)])?;
/// let readings = read_signal(&source, &signal, None)?;
/// assert_eq!(readings.values()[22].write_ms, Some(250.0));
/// assert_eq!(readings.values()[21].load, Some(0.0)); // no point: no load
/// let slo = catalog::db_latency_minutes("orders-db");
/// let counts = db_latency_counts(&slo.sli, &readings, MissingData::Skip)?;
/// assert_eq!((counts.sum()?.good(), counts.sum()?.total()), (20.0, 25.0)); // 80 % of minutes
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DbLatencySignal {
    instance: String,
    performance_insights: bool,
}

/// `(metric, query id, multiplier)`: latencies in seconds become milliseconds.
const LATENCY: [(&str, &str, f64); 2] = [
    ("ReadLatency", "read_latency", 1000.0),
    ("WriteLatency", "write_latency", 1000.0),
];
const LOAD: [(&str, &str, f64); 2] = [
    ("DBLoad", "db_load", 1.0),
    ("DBLoadCPU", "db_load_cpu", 1.0),
];

impl DbLatencySignal {
    /// The instance `DBInstanceIdentifier`, without Performance Insights.
    ///
    /// # Errors
    /// [`QueryError::InvalidMetric`] for an empty or invalid identifier.
    pub fn rds_instance(instance: &str) -> Result<Self, QueryError> {
        let signal = Self {
            instance: instance.to_owned(),
            performance_insights: false,
        };
        signal.metric("ReadLatency")?;
        Ok(signal)
    }

    /// Reads `DBLoad` and `DBLoadCPU` too (the instance has Performance Insights enabled).
    #[must_use]
    pub fn with_performance_insights(mut self) -> Self {
        self.performance_insights = true;
        self
    }

    /// The instance's metric `name` in `AWS/RDS`.
    ///
    /// # Errors
    /// [`QueryError::InvalidMetric`] for an invalid name.
    pub fn metric(&self, name: &str) -> Result<Metric, QueryError> {
        Metric::new("AWS/RDS", name)?.with_dimension("DBInstanceIdentifier", self.instance.as_str())
    }

    fn metrics(&self) -> impl Iterator<Item = &(&'static str, &'static str, f64)> {
        let load: &[_] = if self.performance_insights {
            &LOAD
        } else {
            &[]
        };
        LATENCY.iter().chain(load)
    }
}

impl Signal for DbLatencySignal {
    type Output = Series<DbLatencyReading>;

    fn queries(&self) -> Result<Vec<MetricQuery>, QueryError> {
        self.metrics()
            .map(|(name, id, _)| {
                MetricQuery::stat(id, self.metric(name)?, Statistic::Average, Period::MINUTE)
            })
            .collect()
    }

    fn read(&self, fetched: &[FetchedSeries]) -> Result<Self::Output, InputError> {
        let ids: Vec<&str> = self.metrics().map(|(_, id, _)| *id).collect();
        let scales: Vec<f64> = self.metrics().map(|(_, _, scale)| *scale).collect();
        let rows = non_empty(union_rows(fetched, &ids)?, || {
            format!(
                "RDS instance {:?} has no latency in the range",
                self.instance
            )
        })?;
        let load = |value: Option<f64>| self.performance_insights.then(|| value.unwrap_or(0.0));
        let points = rows.into_iter().map(|(at, values)| {
            let value = |i: usize| values.get(i).copied().flatten().map(|v| v * scales[i]);
            let reading = DbLatencyReading {
                read_ms: value(0),
                write_ms: value(1),
                load: load(value(2)),
                load_cpu: load(value(3)),
            };
            (at, reading)
        });
        Ok(Series::new(points)?)
    }
}

/// The time-slice counts of an M6 SLI (e.g. [`db_latency_minutes`](sli_core::catalog::db_latency_minutes))
/// from readings: each minute judged by its slower latency ([`DbLatencyReading::worst_ms`]);
/// minutes with neither latency, and gaps, resolved by `missing`.
///
/// # Errors
/// [`InputError::Sli`] when `sli` is not a time-slice SLI, for a NaN latency, or
/// for readings off the SLI's slice grid; [`InputError::NoData`] when no
/// minute has a latency.
pub fn db_latency_counts(
    sli: &Sli,
    readings: &Series<DbLatencyReading>,
    missing: MissingData,
) -> Result<Series<EventCounts>, InputError> {
    let worst: Vec<(DateTime<Utc>, f64)> = readings
        .iter()
        .filter_map(|(at, r)| Some((at, r.worst_ms()?)))
        .collect();
    let worst = non_empty(worst, || "no minute has a read or write latency".to_owned())?;
    Ok(sli.slice_counts(&Series::from_values("DB latency", worst)?, missing)?)
}
