//! The M3–M6 measurements of `sli_core::catalog` read from CloudWatch: each a [`Signal`],
//! the `GetMetricData` queries for an AWS resource and how their results become the catalog's
//! inputs, through any [`MetricSource`] (CloudWatch, a CSV replay, memory).
//!
//! | row | signal | reads | gives |
//! |---|---|---|---|
//! | M3 error rate | [`HttpErrorsSignal`] | API Gateway `Count`/`5XXError`/`4XXError`, ALB `RequestCount`/`HTTPCode_Target_5XX_Count`/`HTTPCode_Target_4XX_Count` | `Series<HttpStatusCounts>` |
//! | M4 Lambda success | [`LambdaSignal`] | `Invocations`, `Errors`, `Throttles`, `AsyncEventsDropped`, `DeadLetterErrors`, `DestinationDeliveryFailures` | `Series<LambdaMetrics>` |
//! | M5 CPU utilisation | [`CpuSignal`] | `AWS/EC2` or `AWS/ECS` `CPUUtilization` | `Series<f64>`, percent |
//! | M6 DB latency | [`DbLatencySignal`] | `AWS/RDS` `ReadLatency`, `WriteLatency`; `DBLoad`, `DBLoadCPU` with Performance Insights | `Series<DbLatencyReading>`, milliseconds |
//!
//! M1, M2 and M7 are good/total counts: [`CountsQuery`](crate::CountsQuery) reads them.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use aws_telemetry::catalog::{read_signal, HttpErrorsSignal};
//! use aws_telemetry::InMemorySource;
//! use sli_core::catalog::ClientErrors;
//!
//! let signal = HttpErrorsSignal::api_gateway_rest("orders", "prod")?;
//! let source = InMemorySource::new(); // or a CloudWatchSource, a CsvSource
//! let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
//! source.insert(signal.requests().clone(), [(t0, 1000.0)])?;
//! source.insert(signal.server_errors().clone(), [(t0, 2.0)])?;
//! source.insert(signal.client_errors().clone(), [(t0, 600.0)])?;
//! // Without an async runtime, over the source's span (`fetch_signal` in async code).
//! let minutes = read_signal(&source, &signal, None)?;
//! let counts = ClientErrors::default().counts(&minutes)?; // the 600 4xx burn nothing
//! assert_eq!(counts.sum()?.error_ratio(), Some(0.002));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod cpu;
mod db_latency;
mod http;
mod lambda;

use std::collections::BTreeMap;
use std::fmt::Debug;

use chrono::{DateTime, Utc};

use crate::blocking::{BlockingSource, fetch_blocking};
use crate::error::{InputError, QueryError, ReadError};
use crate::fetch::{FetchRequest, FetchedSeries};
use crate::query::MetricQuery;
use crate::range::TimeRange;
use crate::sli_input::complete;
use crate::source::MetricSource;

pub use cpu::CpuSignal;
pub use db_latency::{DbLatencyReading, DbLatencySignal, db_latency_counts};
pub use http::HttpErrorsSignal;
pub use lambda::LambdaSignal;

/// A measurement read from metrics: the queries to ask, and what their answers become.
///
/// Implemented by the signals of this module; implement it for your own to read them with
/// [`read_signal`] and [`fetch_signal`].
pub trait Signal: Debug {
    /// What the answers become, e.g. `Series<HttpStatusCounts>`.
    type Output;

    /// The queries, with distinct ids.
    ///
    /// # Errors
    /// A [`QueryError`] when a query cannot be built.
    fn queries(&self) -> Result<Vec<MetricQuery>, QueryError>;

    /// The output from the series a source returned for [`Signal::queries`], found by id.
    ///
    /// # Errors
    /// An [`InputError`]: [`InputError::NoData`] when there is nothing to read,
    /// [`InputError::MissingSeries`], [`InputError::DuplicateSeries`] or
    /// [`InputError::IncompleteData`] for a series missing, given twice or partial, and the
    /// signal's own checks.
    fn read(&self, fetched: &[FetchedSeries]) -> Result<Self::Output, InputError>;
}

/// Fetches `signal` over `range` (the source's span when `None`) and reads it.
///
/// # Errors
/// A [`ReadError`]: [`ReadError::UnknownSpan`] without a range from a source that reports no
/// span; [`Signal::queries`]'s, the source's and [`Signal::read`]'s errors.
pub async fn fetch_signal<S, G>(
    source: &S,
    signal: &G,
    range: Option<TimeRange>,
) -> Result<G::Output, ReadError>
where
    S: MetricSource + ?Sized,
    G: Signal,
{
    let request = request(source, signal, range)?;
    let fetched = source.fetch(&request).await?;
    Ok(signal.read(&fetched)?)
}

/// [`fetch_signal`] on the calling thread, for sources that need no async runtime (see
/// [`fetch_blocking`]).
///
/// # Errors
/// As [`fetch_signal`].
pub fn read_signal<S, G>(
    source: &S,
    signal: &G,
    range: Option<TimeRange>,
) -> Result<G::Output, ReadError>
where
    S: BlockingSource + ?Sized,
    G: Signal,
{
    let request = request(source, signal, range)?;
    Ok(signal.read(&fetch_blocking(source, &request)?)?)
}

fn request<S: MetricSource + ?Sized, G: Signal + ?Sized>(
    source: &S,
    signal: &G,
    range: Option<TimeRange>,
) -> Result<FetchRequest, ReadError> {
    let range = match range {
        Some(range) => range,
        None => source.span().ok_or_else(|| ReadError::UnknownSpan {
            source_name: source.to_string(),
        })?,
    };
    Ok(FetchRequest::new(signal.queries()?, range)?)
}

/// The series of `fetched` with id `id`, which must be complete.
fn find<'a>(fetched: &'a [FetchedSeries], id: &str) -> Result<&'a FetchedSeries, InputError> {
    let series = FetchedSeries::by_id(fetched, id)?;
    complete(series)?;
    Ok(series)
}

/// One row per timestamp present in any of the series `ids`, with each series' value there,
/// or `None` where it has none (CloudWatch omits periods without data: AWS counts that are
/// zero are often not reported at all).
type Rows = Vec<(DateTime<Utc>, Vec<Option<f64>>)>;

fn union_rows(fetched: &[FetchedSeries], ids: &[&str]) -> Result<Rows, InputError> {
    let mut rows: BTreeMap<DateTime<Utc>, Vec<Option<f64>>> = BTreeMap::new();
    for (slot, id) in ids.iter().enumerate() {
        for &(at, value) in &find(fetched, id)?.points {
            rows.entry(at).or_insert_with(|| vec![None; ids.len()])[slot] = Some(value);
        }
    }
    Ok(rows.into_iter().collect())
}

/// `Err(NoData)` for an empty result.
fn non_empty<T>(rows: Vec<T>, what: impl FnOnce() -> String) -> Result<Vec<T>, InputError> {
    if rows.is_empty() {
        return Err(InputError::NoData { what: what() });
    }
    Ok(rows)
}
