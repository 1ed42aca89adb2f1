//! Reading a source without an async runtime: [`fetch_blocking`] for any request, and
//! [`read_counts`], from two metrics to a `Series<EventCounts>` in one call.

use std::future::Future;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use sli_core::{EventCounts, Series};

use crate::csv::CsvSource;
use crate::error::{FetchError, InputError, ReadError};
use crate::fetch::{FetchRequest, FetchedSeries};
use crate::memory::InMemorySource;
use crate::metric::Metric;
use crate::query::{MetricQuery, Period, Statistic};
use crate::range::TimeRange;
use crate::sli_input::{counts_from_bad, counts_from_good};
use crate::source::MetricSource;

/// A [`MetricSource`] whose [`fetch`](MetricSource::fetch) completes without an async
/// runtime, so that [`fetch_blocking`], [`read_counts`] and
/// [`read_signal`](crate::catalog::read_signal) can drive it on the calling thread.
///
/// [`InMemorySource`] and [`CsvSource`] are; the AWS SDK adapters (`CloudWatchSource` and the
/// others behind a feature) are not, because the SDK's HTTP client and timers need a tokio
/// runtime (without one the SDK panics): for them, call [`MetricSource::fetch`] or
/// [`fetch_counts`] inside a tokio runtime. The bound turns that mistake into a compile error.
///
/// Implement it for a source of your own that does no async I/O: its `fetch` future must
/// finish, or wake its waker, without help from a runtime.
///
/// # Example
/// ```
/// use aws_telemetry::{BlockingSource, InMemorySource};
/// fn takes_blocking(_: &dyn BlockingSource) {}
/// takes_blocking(&InMemorySource::new());
/// ```
pub trait BlockingSource: MetricSource {}

impl BlockingSource for InMemorySource {}
impl BlockingSource for CsvSource {}
impl<T: BlockingSource + ?Sized> BlockingSource for Arc<T> {}
impl<T: BlockingSource + ?Sized> BlockingSource for Box<T> {}

/// Fetches `request` from `source` on the calling thread, without an async runtime (see
/// [`BlockingSource`] for which sources can).
///
/// # Errors
/// The source's [`FetchError`].
///
/// # Example
/// ```
/// use aws_telemetry::{fetch_blocking, CsvSource, FetchRequest, MetricQuery, MetricSource, Period, Statistic};
///
/// let source = CsvSource::from_bytes("cpu.csv", b"timestamp,cpu\n2024-05-01 00:00:10,40\n2024-05-01 00:00:40,60\n", "Host")?;
/// let query = MetricQuery::stat("cpu", source.metric("cpu")?, Statistic::Average, Period::MINUTE)?;
/// let fetched = fetch_blocking(&source, &FetchRequest::new(vec![query], source.span().unwrap())?)?;
/// assert_eq!(fetched[0].points[0].1, 50.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn fetch_blocking<S: BlockingSource + ?Sized>(
    source: &S,
    request: &FetchRequest,
) -> Result<Vec<FetchedSeries>, FetchError> {
    block_on(source.fetch(request))
}

/// Which events the first metric of a [`CountsQuery`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counted {
    Good,
    Bad,
}

/// Two metrics read as event counts: good (or bad) events and all events, summed per period.
///
/// Built from the two metrics; the period defaults to one minute and the range to the
/// source's [`span`](MetricSource::span).
///
/// # Example
/// ```
/// use aws_telemetry::{CountsQuery, Metric, Period};
///
/// let alb = |name| Metric::new("AWS/ApplicationELB", name)?.with_dimension("LoadBalancer", "app/checkout/50dc6c495c0c9188");
/// let query = CountsQuery::bad_total(alb("HTTPCode_Target_5XX_Count")?, alb("RequestCount")?)
///     .with_period(Period::new(300)?);
/// assert_eq!(query.period(), Period::new(300)?);
/// # Ok::<(), aws_telemetry::QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CountsQuery {
    events: Metric,
    counted: Counted,
    total: Metric,
    period: Period,
    range: Option<TimeRange>,
}

impl CountsQuery {
    /// Good events and all events, e.g. the columns of a `timestamp,good,total` export, or
    /// a success count and its total.
    pub fn good_total(good: Metric, total: Metric) -> Self {
        Self::new(good, Counted::Good, total)
    }

    /// Bad events and all events, as AWS publishes errors (ALB `HTTPCode_Target_5XX_Count`
    /// and `RequestCount`, Lambda `Errors` and `Invocations`). A period with requests but no
    /// error point is a period without errors, as CloudWatch omits them.
    pub fn bad_total(bad: Metric, total: Metric) -> Self {
        Self::new(bad, Counted::Bad, total)
    }

    fn new(events: Metric, counted: Counted, total: Metric) -> Self {
        Self {
            events,
            counted,
            total,
            period: Period::MINUTE,
            range: None,
        }
    }

    /// Sums per `period` instead of per minute.
    #[must_use]
    pub fn with_period(mut self, period: Period) -> Self {
        self.period = period;
        self
    }

    /// Reads `range` instead of the source's span (needed for sources that cannot tell their
    /// span, such as CloudWatch).
    #[must_use]
    pub fn over(mut self, range: TimeRange) -> Self {
        self.range = Some(range);
        self
    }

    /// The period counts are summed over.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The request for `source`: both metrics with `Sum` per period over the query's range.
    ///
    /// # Errors
    /// [`ReadError::UnknownSpan`] when no range was given and the source reports no span (it
    /// holds nothing, or cannot tell).
    pub fn request<S: MetricSource + ?Sized>(&self, source: &S) -> Result<FetchRequest, ReadError> {
        let range = match self.range {
            Some(range) => range,
            None => source.span().ok_or_else(|| ReadError::UnknownSpan {
                source_name: source.to_string(),
            })?,
        };
        let sum = |id, metric: &Metric| {
            MetricQuery::stat(id, metric.clone(), Statistic::Sum, self.period)
        };
        Ok(FetchRequest::new(
            vec![sum(EVENTS, &self.events)?, sum(TOTAL, &self.total)?],
            range,
        )?)
    }

    /// The counts from what a source returned for [`CountsQuery::request`].
    ///
    /// # Errors
    /// [`InputError::MissingSeries`] when `fetched` lacks a series of the request,
    /// [`InputError::DuplicateSeries`] when it holds one twice;
    /// [`InputError::NoData`] when the metrics hold no sample in the range; and as
    /// [`counts_from_good`] / [`counts_from_bad`].
    pub fn counts(&self, fetched: &[FetchedSeries]) -> Result<Series<EventCounts>, InputError> {
        let series = |id: &str| FetchedSeries::by_id(fetched, id);
        let (events, total) = (series(EVENTS)?, series(TOTAL)?);
        let counts = match self.counted {
            Counted::Good => counts_from_good(events, total)?,
            Counted::Bad => counts_from_bad(total, events)?,
        };
        counts.ok_or_else(|| InputError::NoData {
            what: format!(
                "{} and {} have no sample in the range",
                self.events, self.total
            ),
        })
    }
}

/// Reads event counts from `source` on the calling thread: `Sum` of both metrics of `query`
/// per period, joined into a `Series<EventCounts>` that every `sli-core` evaluator takes.
///
/// As [`fetch_blocking`], for a [`BlockingSource`]; [`fetch_counts`] is the
/// same read for async code (and the AWS SDK adapters).
///
/// # Errors
/// A [`ReadError`]: as [`CountsQuery::request`], the source's fetch, and
/// [`CountsQuery::counts`].
///
/// # Example
/// ```
/// use aws_telemetry::{read_counts, CountsQuery, CsvSource};
///
/// let export = "timestamp,good,total\n2024-05-01T00:00:00Z,998,1000\n2024-05-01T00:01:00Z,1000,1000\n";
/// let source = CsvSource::from_bytes("checkout.csv", export.as_bytes(), "Checkout")?;
/// let counts = read_counts(&source, &CountsQuery::good_total(source.metric("good")?, source.metric("total")?))?;
/// assert_eq!(counts.len(), 2);
/// assert_eq!(counts.sum()?.bad(), 2.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_counts<S: BlockingSource + ?Sized>(
    source: &S,
    query: &CountsQuery,
) -> Result<Series<EventCounts>, ReadError> {
    block_on(fetch_counts(source, query))
}

/// The async form of [`read_counts`].
///
/// # Errors
/// As [`read_counts`].
pub async fn fetch_counts<S: MetricSource + ?Sized>(
    source: &S,
    query: &CountsQuery,
) -> Result<Series<EventCounts>, ReadError> {
    let request = query.request(source)?;
    let fetched = source.fetch(&request).await?;
    Ok(query.counts(&fetched)?)
}

/// The query ids of a [`CountsQuery`]'s request.
const EVENTS: &str = "events";
const TOTAL: &str = "total";

/// Wakes the thread that polls.
#[derive(Debug)]
struct ThreadWaker(std::thread::Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Polls `future` to completion on this thread, parking it while the future waits.
fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone, Utc};

    #[test]
    fn a_future_woken_from_another_thread_completes() {
        // A future that is pending once and woken by another thread: the loop parks, then polls
        // again when unparked.
        struct Once(Option<std::thread::JoinHandle<()>>);
        impl Future for Once {
            type Output = u32;
            fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
                if self.0.is_some() {
                    return Poll::Ready(7);
                }
                let waker = cx.waker().clone();
                self.0 = Some(std::thread::spawn(move || waker.wake()));
                Poll::Pending
            }
        }
        assert_eq!(block_on(Once(None)), 7);
    }

    #[test]
    fn counts_from_bad_and_total() {
        let memory = InMemorySource::new();
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let metric = |name| Metric::new("AWS/Lambda", name).unwrap();
        // 10 invocations a minute for 3 minutes, sampled every 6 s; 2 errors in minute 1.
        memory
            .insert(
                metric("Invocations"),
                (0..30).map(|i| (t0 + TimeDelta::seconds(6 * i), 1.0)),
            )
            .unwrap();
        memory
            .insert(metric("Errors"), [(t0 + TimeDelta::seconds(61), 2.0)])
            .unwrap();
        let query = CountsQuery::bad_total(metric("Errors"), metric("Invocations"));
        let counts = read_counts(&memory, &query).unwrap();
        let by_minute: Vec<(f64, f64)> = counts
            .values()
            .iter()
            .map(|c| (c.good(), c.total()))
            .collect();
        assert_eq!(by_minute, [(10.0, 10.0), (8.0, 10.0), (10.0, 10.0)]);
        // Per 2 minutes: the first period holds both first minutes.
        let two = read_counts(
            &memory,
            &query.clone().with_period(Period::new(120).unwrap()),
        )
        .unwrap();
        assert_eq!(two.values()[0], EventCounts::new(18.0, 20.0).unwrap());
        // Nothing in the range: a typed error, not an empty series.
        let later = TimeRange::new(t0 + TimeDelta::days(1), t0 + TimeDelta::days(2)).unwrap();
        assert!(matches!(
            read_counts(&memory, &query.clone().over(later)),
            Err(ReadError::Input(InputError::NoData { .. }))
        ));
        // A source that cannot tell its span needs a range.
        assert!(matches!(
            read_counts(&InMemorySource::new(), &query),
            Err(ReadError::UnknownSpan { .. })
        ));
    }

    #[test]
    fn a_series_given_twice_is_refused_not_half_read() {
        // Found by the fourth session's probe of failure-modes: the first series of an id was
        // read and the others dropped, so errors arriving in a second answer were never counted.
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let metric = |name| Metric::new("AWS/Lambda", name).unwrap();
        let query = CountsQuery::bad_total(metric("Errors"), metric("Invocations"));
        let series = |id: &str, value: f64| {
            FetchedSeries::new(crate::QueryId::new(id).unwrap(), vec![(t0, value)])
        };
        let once = [series(EVENTS, 0.0), series(TOTAL, 10.0)];
        assert_eq!(query.counts(&once).unwrap().values()[0].bad(), 0.0);
        let twice = [
            series(EVENTS, 0.0),
            series(TOTAL, 10.0),
            series(EVENTS, 4.0),
        ];
        let err = query.counts(&twice).unwrap_err();
        assert!(
            matches!(&err, InputError::DuplicateSeries { id, count: 2 } if id == EVENTS),
            "{err}"
        );
        assert!(
            err.to_string().contains("2 series with the query id"),
            "{err}"
        );
    }
}
