//! [`InMemorySource`]: series put in by the caller, answered like CloudWatch would. The
//! reference implementation of [`MetricSource`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sli_core::Series;

use crate::aggregate::aggregate;
use crate::error::{FetchError, PutError};
use crate::fetch::{FetchRequest, FetchedSeries};
use crate::metric::Metric;
use crate::query::QueryKind;
use crate::range::TimeRange;
use crate::source::MetricSource;

type Samples = Vec<(DateTime<Utc>, f64)>;

/// Raw samples per metric, held in memory; statistics are computed per period on fetch, as
/// CloudWatch computes them (a period holding a negative sample has no percentile statistic,
/// `pNN` or `PR(..)`).
///
/// Clones share the same data (as `object_store`'s `InMemory` does); [`InMemorySource::fork`]
/// makes an independent copy. Metric-math expressions are not evaluated
/// ([`FetchError::Unsupported`]).
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::{InMemorySource, Metric};
///
/// let memory = InMemorySource::new();
/// let t = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// memory.insert(Metric::new("App", "Latency")?, [(t, 120.0)])?;
/// assert!(memory.insert(Metric::new("App", "Latency")?, [(t, f64::NAN)]).is_err());
/// assert_eq!(memory.to_string(), "InMemory(1 metrics)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default, Clone)]
pub struct InMemorySource {
    metrics: Arc<RwLock<BTreeMap<Metric, Samples>>>,
}

impl InMemorySource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds samples of `metric` (merged with what is there, in time order).
    ///
    /// # Errors
    /// [`PutError::InvalidSample`] for a NaN or infinite value, naming its position in
    /// `samples`; nothing is added then.
    pub fn insert(
        &self,
        metric: Metric,
        samples: impl IntoIterator<Item = (DateTime<Utc>, f64)>,
    ) -> Result<(), PutError> {
        let new: Samples = samples.into_iter().collect();
        if let Some((index, &(at, value))) =
            new.iter().enumerate().find(|(_, (_, v))| !v.is_finite())
        {
            return Err(PutError::InvalidSample {
                index,
                at,
                value,
                reason: "values must be finite",
            });
        }
        self.append_checked(metric, new);
        Ok(())
    }

    /// Adds samples whose values are known to be finite (merged, in time order).
    pub(crate) fn append_checked(&self, metric: Metric, mut new: Samples) {
        let mut metrics = self
            .metrics
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let stored = metrics.entry(metric).or_default();
        // Stable sorts: samples with equal timestamps keep their insertion order.
        new.sort_by_key(|(at, _)| *at);
        // Samples arriving in time order (a sink's puts, a stream one at a time) are appended
        // in O(new), not re-sorted with everything held: n single inserts cost O(n), not
        // O(n²).
        let in_order = match (stored.last(), new.first()) {
            (Some((last, _)), Some((first, _))) => last <= first,
            _ => true,
        };
        stored.append(&mut new);
        if !in_order {
            stored.sort_by_key(|(at, _)| *at);
        }
    }

    /// Adds a validated series of samples.
    ///
    /// # Errors
    /// As [`InMemorySource::insert`].
    pub fn insert_series(&self, metric: Metric, series: &Series<f64>) -> Result<(), PutError> {
        self.insert(metric, series.iter().map(|(at, v)| (at, *v)))
    }

    /// An independent copy of the current data.
    pub fn fork(&self) -> Self {
        let metrics = self
            .metrics
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        Self {
            metrics: Arc::new(RwLock::new(metrics.clone())),
        }
    }

    /// The metrics held, in order.
    pub fn metrics(&self) -> Vec<Metric> {
        let metrics = self
            .metrics
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        metrics.keys().cloned().collect()
    }

    pub(crate) fn answer(
        &self,
        request: &FetchRequest,
        source_name: &'static str,
    ) -> Result<Vec<FetchedSeries>, FetchError> {
        let metrics = self
            .metrics
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        request
            .queries()
            .iter()
            .map(|query| {
                let points = match query.kind() {
                    QueryKind::Stat {
                        metric,
                        stat,
                        period,
                    } => metrics
                        .get(metric)
                        .map(|samples| {
                            aggregate(query.id(), samples, *stat, *period, request.range())
                        })
                        .transpose()?
                        .unwrap_or_default(),
                    QueryKind::Expression { .. } => {
                        return Err(FetchError::Unsupported {
                            source_name,
                            what: "metric-math expressions",
                            id: query.id().to_string(),
                        });
                    }
                };
                let series = FetchedSeries::new(query.id().clone(), points);
                Ok(match query.label() {
                    Some(label) => series.with_label(label),
                    None => series,
                })
            })
            .collect()
    }
}

impl fmt::Display for InMemorySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let metrics = self
            .metrics
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        write!(f, "InMemory({} metrics)", metrics.len())
    }
}

#[async_trait]
impl MetricSource for InMemorySource {
    async fn fetch(&self, request: &FetchRequest) -> Result<Vec<FetchedSeries>, FetchError> {
        self.answer(request, "InMemory")
    }

    fn span(&self) -> Option<TimeRange> {
        let metrics = self
            .metrics
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let first = metrics
            .values()
            .filter_map(|s| s.first())
            .map(|(t, _)| *t)
            .min()?;
        let last = metrics
            .values()
            .filter_map(|s| s.last())
            .map(|(t, _)| *t)
            .max()?;
        span_of(first, last)
    }
}

/// The range `[first, last + 1 ns)`; at the end of chrono's range, `[first, last)` when that is
/// not empty.
pub(crate) fn span_of(first: DateTime<Utc>, last: DateTime<Utc>) -> Option<TimeRange> {
    let end = last
        .checked_add_signed(chrono::TimeDelta::nanoseconds(1))
        .unwrap_or(last);
    TimeRange::new(first, end).ok()
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone};

    use super::*;

    fn held(memory: &InMemorySource, metric: &Metric) -> Samples {
        let metrics = memory.metrics.read().unwrap();
        metrics.get(metric).cloned().unwrap_or_default()
    }

    #[test]
    fn inserts_in_any_order_are_held_in_time_order_ties_in_insertion_order() {
        let memory = InMemorySource::new();
        let metric = Metric::new("App", "Latency").unwrap();
        let t = |m| Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap() + TimeDelta::minutes(m);
        memory
            .insert(metric.clone(), [(t(5), 1.0), (t(3), 2.0)])
            .unwrap();
        memory.insert(metric.clone(), [(t(5), 3.0)]).unwrap(); // in order: appended
        memory
            .insert(metric.clone(), [(t(4), 4.0), (t(9), 5.0)])
            .unwrap(); // merged
        memory
            .insert(metric.clone(), [(t(9), 6.0), (t(0), 7.0)])
            .unwrap(); // unsorted batch
        let expected = [
            (t(0), 7.0),
            (t(3), 2.0),
            (t(4), 4.0),
            (t(5), 1.0),
            (t(5), 3.0),
            (t(9), 5.0),
            (t(9), 6.0),
        ];
        assert_eq!(held(&memory, &metric), expected);
        // A hundred thousand single inserts in time order (quadratic before: each re-sorted
        // everything held).
        let stream = Metric::new("App", "Stream").unwrap();
        for m in 0..100_000 {
            memory.insert(stream.clone(), [(t(m), m as f64)]).unwrap();
        }
        let samples = held(&memory, &stream);
        assert_eq!(samples.len(), 100_000);
        assert!(samples.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
