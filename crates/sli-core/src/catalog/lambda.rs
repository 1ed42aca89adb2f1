//! M4, Lambda success rate: successful invocations over invocations, and, when asked, the
//! failures that retries and asynchronous delivery hide from that ratio.

use serde::{Deserialize, Serialize};

use crate::counts::{EventCounts, check_count};
use crate::error::{Error, Position, Result};
use crate::series::Series;

/// One interval of a function's metrics, as Lambda publishes them in `AWS/Lambda` (each the
/// `Sum` over the interval). Plain data: [`LambdaFailures::counts`] checks it.
///
/// What each counts, from the Lambda developer guide ("Types of metrics for Lambda
/// functions"):
/// * `Invocations`: times the function code ran, successful or not. Each retry of an
///   asynchronous event is one more. Throttled requests are not invocations.
/// * `Errors`: invocations that ended in a function error (an exception, a timeout, an
///   out-of-memory): a retried event that fails twice then succeeds leaves two errors here.
/// * `Throttles`: requests refused for want of concurrency. Lambda retries throttled
///   asynchronous events for up to 6 hours, so a later success hides them from the ratio
///   above: they are in neither `Invocations` nor `Errors`.
/// * `AsyncEventsDropped`: asynchronous events dropped without a successful run (retries
///   exhausted, maximum event age reached, reserved concurrency 0), after they were sent to
///   the dead-letter queue or on-failure destination if one is set.
/// * `DeadLetterErrors`, `DestinationDeliveryFailures`: attempts to send an event to the
///   dead-letter queue, or to a destination, that failed: the event is not even kept.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LambdaMetrics {
    /// `Invocations`.
    pub invocations: f64,
    /// `Errors`.
    pub errors: f64,
    /// `Throttles`.
    pub throttles: f64,
    /// `AsyncEventsDropped`.
    pub async_events_dropped: f64,
    /// `DeadLetterErrors`.
    pub dead_letter_errors: f64,
    /// `DestinationDeliveryFailures`.
    pub destination_delivery_failures: f64,
}

impl LambdaMetrics {
    /// An interval with `invocations` and `errors` and none of the other counts.
    pub const fn new(invocations: f64, errors: f64) -> Self {
        Self {
            invocations,
            errors,
            throttles: 0.0,
            async_events_dropped: 0.0,
            dead_letter_errors: 0.0,
            destination_delivery_failures: 0.0,
        }
    }

    /// With `Throttles`.
    #[must_use]
    pub const fn with_throttles(mut self, throttles: f64) -> Self {
        self.throttles = throttles;
        self
    }

    /// With `AsyncEventsDropped`.
    #[must_use]
    pub const fn with_async_events_dropped(mut self, dropped: f64) -> Self {
        self.async_events_dropped = dropped;
        self
    }

    /// With `DeadLetterErrors`.
    #[must_use]
    pub const fn with_dead_letter_errors(mut self, errors: f64) -> Self {
        self.dead_letter_errors = errors;
        self
    }

    /// With `DestinationDeliveryFailures`.
    #[must_use]
    pub const fn with_destination_delivery_failures(mut self, failures: f64) -> Self {
        self.destination_delivery_failures = failures;
        self
    }
}

/// Which failures the M4 success rate counts beyond `Errors`.
///
/// By default it is the M4 row's "successful invocations / total": good = `Invocations` −
/// `Errors`, total = `Invocations`. Every failed attempt is bad, so a retry that succeeds does
/// not erase the failure before it. What that ratio cannot see are the failures that never
/// become an invocation or happen after the last one: "retries may mask business failures".
/// Each flag adds one such count to both bad and total events:
///
/// | flag | adds | a failure the default misses |
/// |---|---|---|
/// | `throttles` | `Throttles` | requests refused, then (asynchronous) retried until one ran |
/// | `dropped_events` | `AsyncEventsDropped` | events given up on: the business outcome failed |
/// | `failed_deliveries` | `DeadLetterErrors` + `DestinationDeliveryFailures` | failures that could not even be parked for replay |
///
/// The counts are of different things (requests, events, delivery attempts), so an event
/// dropped whose dead-letter delivery also failed counts twice: the flags err towards bad.
///
/// # Example
/// ```
/// use sli_core::catalog::{LambdaFailures, LambdaMetrics};
///
/// let minute = LambdaMetrics::new(1000.0, 4.0).with_throttles(6.0).with_async_events_dropped(2.0)
///     .with_dead_letter_errors(1.0);
/// let plain = LambdaFailures::default().counts(&minute)?;
/// assert_eq!((plain.good(), plain.total()), (996.0, 1000.0)); // 99.6 %
/// let all = LambdaFailures::ALL.counts(&minute)?;
/// assert_eq!((all.bad(), all.total()), (13.0, 1009.0));       // 996 / 1,009 = 98.7 %
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
#[serde(deny_unknown_fields)]
pub struct LambdaFailures {
    /// Count throttled requests as failures.
    pub throttles: bool,
    /// Count dropped asynchronous events as failures.
    pub dropped_events: bool,
    /// Count failed dead-letter and destination deliveries as failures.
    pub failed_deliveries: bool,
}

impl LambdaFailures {
    /// Only `Errors`: the M4 row as written.
    pub const ERRORS_ONLY: Self = Self {
        throttles: false,
        dropped_events: false,
        failed_deliveries: false,
    };

    /// Every failure Lambda publishes.
    pub const ALL: Self = Self {
        throttles: true,
        dropped_events: true,
        failed_deliveries: true,
    };

    /// With throttled requests counted as failures or not.
    #[must_use]
    pub const fn with_throttles(mut self, throttles: bool) -> Self {
        self.throttles = throttles;
        self
    }

    /// With dropped asynchronous events counted as failures or not.
    #[must_use]
    pub const fn with_dropped_events(mut self, dropped_events: bool) -> Self {
        self.dropped_events = dropped_events;
        self
    }

    /// With failed dead-letter and destination deliveries counted as failures or not.
    #[must_use]
    pub const fn with_failed_deliveries(mut self, failed_deliveries: bool) -> Self {
        self.failed_deliveries = failed_deliveries;
        self
    }

    /// The good and total events of one interval.
    ///
    /// # Errors
    /// As [`LambdaFailures::counts_at`].
    pub fn counts(&self, metrics: &LambdaMetrics) -> Result<EventCounts> {
        self.counts_at(metrics, Position::NONE)
    }

    /// The good and total events of one interval, `position` named in errors.
    ///
    /// # Errors
    /// [`Error::InvalidCount`] for a metric that is NaN, infinite, negative or above 2^53 (even
    /// one the flags leave out: it says the input is broken); [`Error::PartExceedsWhole`] for
    /// more errors than invocations.
    pub fn counts_at(&self, metrics: &LambdaMetrics, position: Position) -> Result<EventCounts> {
        let invocations = check_count("Invocations", metrics.invocations, position)?;
        let errors = check_count("Errors", metrics.errors, position)?;
        let throttles = check_count("Throttles", metrics.throttles, position)?;
        let dropped = check_count("AsyncEventsDropped", metrics.async_events_dropped, position)?;
        let dead_letter = check_count("DeadLetterErrors", metrics.dead_letter_errors, position)?;
        let destination = check_count(
            "DestinationDeliveryFailures",
            metrics.destination_delivery_failures,
            position,
        )?;
        if errors > invocations {
            return Err(Error::PartExceedsWhole {
                what: "Errors exceed Invocations",
                part: errors,
                whole: invocations,
                position,
            });
        }
        let extra = [
            (self.throttles, throttles),
            (self.dropped_events, dropped),
            (self.failed_deliveries, dead_letter + destination),
        ]
        .iter()
        .filter(|(counted, _)| *counted)
        .map(|(_, n)| n)
        .sum::<f64>();
        EventCounts::new_at(invocations - errors, invocations + extra, position)
    }

    /// The M4 SLI's counts for every point of `series`, each error naming its point.
    ///
    /// # Errors
    /// As [`LambdaFailures::counts_at`].
    pub fn series(&self, series: &Series<LambdaMetrics>) -> Result<Series<EventCounts>> {
        super::map_points(series, |position, metrics| {
            self.counts_at(metrics, position)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The M4 row worked by hand for an asynchronous image resizer over one hour: 10,000
    /// invocations of which 30 errors; 50 throttled requests retried later; 5 events dropped
    /// after their retries; 2 of those could not be written to the dead-letter queue either.
    #[test]
    fn retries_and_lost_events_count_when_asked() {
        let hour = LambdaMetrics {
            invocations: 10_000.0,
            errors: 30.0,
            throttles: 50.0,
            async_events_dropped: 5.0,
            dead_letter_errors: 2.0,
            destination_delivery_failures: 0.0,
        };
        let ratio = |failures: LambdaFailures| {
            let c = failures.counts(&hour).unwrap();
            (c.bad(), c.total())
        };
        // As written: 30 / 10,000 = 0.3 % failed, 99.7 % success, below the 99.9 % target.
        assert_eq!(ratio(LambdaFailures::ERRORS_ONLY), (30.0, 10_000.0));
        // Throttles: 80 / 10,050.
        let throttles = LambdaFailures {
            throttles: true,
            ..LambdaFailures::default()
        };
        assert_eq!(ratio(throttles), (80.0, 10_050.0));
        // Dropped events: 35 / 10,005.
        let dropped = LambdaFailures {
            dropped_events: true,
            ..LambdaFailures::default()
        };
        assert_eq!(ratio(dropped), (35.0, 10_005.0));
        // Everything: 30 + 50 + 5 + 2 = 87 of 10,057.
        assert_eq!(ratio(LambdaFailures::ALL), (87.0, 10_057.0));
    }

    #[test]
    fn broken_metrics_are_refused() {
        let more_errors = LambdaMetrics {
            invocations: 3.0,
            errors: 4.0,
            ..LambdaMetrics::default()
        };
        assert_eq!(
            LambdaFailures::ALL
                .counts(&more_errors)
                .unwrap_err()
                .to_string(),
            "Errors exceed Invocations: 4 > 3"
        );
        // A NaN in a metric the flags ignore still says the input is broken.
        let nan = LambdaMetrics {
            invocations: 3.0,
            dead_letter_errors: f64::NAN,
            ..LambdaMetrics::default()
        };
        assert!(matches!(
            LambdaFailures::ERRORS_ONLY.counts(&nan),
            Err(Error::InvalidCount {
                field: "DeadLetterErrors",
                ..
            })
        ));
        // No invocations but throttles: with throttles counted, all bad; without, no data.
        let throttled = LambdaMetrics {
            throttles: 7.0,
            ..LambdaMetrics::default()
        };
        assert_eq!(
            LambdaFailures::ALL
                .counts(&throttled)
                .unwrap()
                .error_ratio(),
            Some(1.0)
        );
        assert_eq!(
            LambdaFailures::ERRORS_ONLY
                .counts(&throttled)
                .unwrap()
                .error_ratio(),
            None
        );
    }
}
