//! M4: a Lambda function's invocations, errors, and the failures retries and asynchronous
//! delivery hide.

use sli_core::Series;
use sli_core::catalog::LambdaMetrics;

use super::{Signal, non_empty, union_rows};
use crate::error::Result;
use crate::fetch::FetchedSeries;
use crate::query::{Metric, MetricQuery, Period, Statistic};

/// The `AWS/Lambda` metrics of one function (dimension `FunctionName`), `Sum` per period
/// (one minute by default): `Invocations`, `Errors`, `Throttles`, `AsyncEventsDropped`,
/// `DeadLetterErrors` and `DestinationDeliveryFailures`, read into
/// [`LambdaMetrics`] for [`LambdaFailures`](sli_core::catalog::LambdaFailures).
///
/// Lambda publishes a metric only for periods with activity: a missing point is zero.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::catalog::{read_signal, LambdaSignal};
/// use aws_telemetry::InMemorySource;
/// use sli_core::catalog::LambdaFailures;
///
/// let signal = LambdaSignal::function("resize-images")?;
/// let source = InMemorySource::new();
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// source.insert(signal.metric("Invocations")?, [(t0, 500.0)])?;
/// source.insert(signal.metric("AsyncEventsDropped")?, [(t0, 3.0)])?;
/// let minutes = read_signal(&source, &signal, None)?;
/// assert_eq!(LambdaFailures::ERRORS_ONLY.series(&minutes)?.sum()?.bad(), 0.0);
/// assert_eq!(LambdaFailures::ALL.series(&minutes)?.sum()?.bad(), 3.0); // lost events count
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaSignal {
    function: String,
    period: Period,
}

/// The metric names, in the order of [`LambdaMetrics`]' fields, with their query ids.
const METRICS: [(&str, &str); 6] = [
    ("Invocations", "invocations"),
    ("Errors", "errors"),
    ("Throttles", "throttles"),
    ("AsyncEventsDropped", "async_events_dropped"),
    ("DeadLetterErrors", "dead_letter_errors"),
    (
        "DestinationDeliveryFailures",
        "destination_delivery_failures",
    ),
];

impl LambdaSignal {
    /// The function named `function` (all versions and aliases together).
    ///
    /// # Errors
    /// [`Error::InvalidMetric`](crate::Error::InvalidMetric) for an empty or invalid name.
    pub fn function(function: &str) -> Result<Self> {
        let signal = Self {
            function: function.to_owned(),
            period: Period::MINUTE,
        };
        signal.metric("Invocations")?;
        Ok(signal)
    }

    /// Sums per `period` instead of per minute.
    #[must_use]
    pub fn with_period(mut self, period: Period) -> Self {
        self.period = period;
        self
    }

    /// The function's metric `name` in `AWS/Lambda`.
    ///
    /// # Errors
    /// [`Error::InvalidMetric`](crate::Error::InvalidMetric) for an invalid name.
    pub fn metric(&self, name: &str) -> Result<Metric> {
        Metric::new("AWS/Lambda", name)?.with_dimension("FunctionName", self.function.as_str())
    }
}

impl Signal for LambdaSignal {
    type Output = Series<LambdaMetrics>;

    fn queries(&self) -> Result<Vec<MetricQuery>> {
        METRICS
            .iter()
            .map(|(name, id)| {
                MetricQuery::stat(id, self.metric(name)?, Statistic::Sum, self.period)
            })
            .collect()
    }

    fn read(&self, fetched: &[FetchedSeries]) -> Result<Self::Output> {
        let ids = METRICS.map(|(_, id)| id);
        let rows = non_empty(union_rows(fetched, &ids)?, || {
            format!(
                "function {:?} has no Lambda metric in the range",
                self.function
            )
        })?;
        let points = rows.into_iter().map(|(at, values)| {
            let value = |i: usize| values[i].unwrap_or(0.0);
            let metrics = LambdaMetrics::new(value(0), value(1))
                .with_throttles(value(2))
                .with_async_events_dropped(value(3))
                .with_dead_letter_errors(value(4))
                .with_destination_delivery_failures(value(5));
            (at, metrics)
        });
        Ok(Series::new(points)?)
    }
}
