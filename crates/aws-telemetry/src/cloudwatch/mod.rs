//! The CloudWatch adapter: [`CloudWatchSource`] reads through GetMetricData, [`CloudWatchSink`]
//! writes through PutMetricData. Built on `aws-sdk-cloudwatch`; the only SDK types in the
//! public API are the `Client` and `SdkConfig` the constructors take, so that callers keep their
//! credential chain, region and endpoint.

mod convert;
mod sink;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{ScanBy, StatusCode};
use chrono::Utc;

pub use sink::CloudWatchSink;

use crate::retry::RetryPolicy;

use self::convert::{BACKEND, to_sdk_query};
use crate::error::{FetchError, ServiceError};
use crate::fetch::{Completeness, FetchRequest, FetchStats, FetchedSeries};
use crate::plan::{Call, MAX_DATAPOINTS_PER_CALL, clip_to_range, plan, stamped_periods};
use crate::sdk::{Attempts, chrono_time, display_with_region, map_sdk_error, sdk_time, with_retry};
use crate::source::MetricSource;

/// The per-call datapoint cap in the SDK's integer type (100,800 fits an `i32`).
const MAX_DATAPOINTS_PER_CALL_I32: i32 = MAX_DATAPOINTS_PER_CALL as i32;

/// What the source's fetches cost so far, for [`CloudWatchSource::stats`].
#[derive(Debug, Default)]
struct Counters {
    calls: AtomicU64,
    retries: AtomicU64,
    datapoints: AtomicU64,
}

impl Counters {
    fn add(&self, stats: FetchStats) {
        self.calls.fetch_add(stats.calls, Ordering::Relaxed);
        self.retries.fetch_add(stats.retries, Ordering::Relaxed);
        self.datapoints
            .fetch_add(stats.datapoints, Ordering::Relaxed);
    }
}

/// A [`MetricSource`] reading CloudWatch through GetMetricData.
///
/// What the API imposes is handled here: queries are packed into calls of at most 500 and the
/// time range split so that no call exceeds 100,800 datapoints, with the fewest calls those
/// limits allow for each period (queries of different periods share a call when they fit);
/// ranges are widened to whole, epoch-aligned periods, so no period is split between calls, and
/// the answer is clipped back to the periods that overlap the request's range; a request with
/// metric math shares every call among all its queries, so each period must divide the longest
/// ([`FetchError::MathPeriodsNotNested`]) and one longest period of every query must fit one
/// call ([`FetchError::MathPeriodTooLong`]);
/// `NextToken` pages are followed and merged in time order (one timestamp with two different
/// values is refused as [`ServiceError::InvalidResponse`]); results are mapped back by query id,
/// never by position; `PartialData` on the last page, and `InternalError` or `Forbidden` on any
/// page, make the series [`Completeness::Partial`], and every message the service sends is
/// kept on its series (the call's own `Messages` on every series of the call); periods are
/// checked against CloudWatch's retention tiers before any call
/// ([`FetchError::BeyondRetention`]), and a fetch makes at most 1,000 calls
/// ([`FetchError::TooManyCalls`] before any call past that); throttling and server errors are retried with bounded
/// exponential backoff ([`RetryPolicy`]), then reported as [`FetchError::Service`].
/// [`CloudWatchSource::fetch_with_stats`] reports what one fetch cost, [`CloudWatchSource::stats`]
/// the running total.
///
/// # Example
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_telemetry::CloudWatchSource;
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let source = CloudWatchSource::new(&config);
/// println!("{source}");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CloudWatchSource {
    client: Client,
    counters: Arc<Counters>,
}

impl CloudWatchSource {
    /// A source from the caller's SDK configuration (credentials, region, endpoint), with the
    /// default [`RetryPolicy`].
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(Client::new(config), RetryPolicy::default())
    }

    /// A source from a ready client; `retry` replaces the client's retry configuration.
    pub fn from_client(client: Client, retry: RetryPolicy) -> Self {
        Self {
            client: with_retry!(Client, client, retry),
            counters: Arc::new(Counters::default()),
        }
    }

    /// What fetches through this source (and its clones) have cost so far, added up.
    pub fn stats(&self) -> FetchStats {
        FetchStats {
            calls: self.counters.calls.load(Ordering::Relaxed),
            retries: self.counters.retries.load(Ordering::Relaxed),
            datapoints: self.counters.datapoints.load(Ordering::Relaxed),
        }
    }

    /// [`MetricSource::fetch`], with what this one fetch cost.
    ///
    /// # Errors
    /// As [`MetricSource::fetch`].
    pub async fn fetch_with_stats(
        &self,
        request: &FetchRequest,
    ) -> Result<(Vec<FetchedSeries>, FetchStats), FetchError> {
        let calls = plan(request, Utc::now())?;
        let mut results: Vec<FetchedSeries> = request
            .queries()
            .iter()
            .map(|q| {
                let series = FetchedSeries::new(q.id().clone(), Vec::new());
                match q.label() {
                    Some(label) => series.with_label(label),
                    None => series,
                }
            })
            .collect();
        let mut stats = FetchStats::default();
        let mut outcome = Ok(());
        for call in &calls {
            outcome = self.run(request, call, &mut results, &mut stats).await;
            if outcome.is_err() {
                break;
            }
        }
        // A failed fetch still cost what it cost.
        self.counters.add(stats);
        outcome?;
        let stamped = stamped_periods(request);
        for (series, period) in results.iter_mut().zip(stamped) {
            merge_points(series)?;
            // The calls may span more than the request (whole periods; with metric math, whole
            // longest periods): keep only the periods the contract returns, each at the period
            // its points are stamped at (an expression's inputs').
            clip_to_range(&mut series.points, period, request.range());
        }
        Ok((results, stats))
    }

    /// Runs one planned call, following `NextToken`, into `results`.
    async fn run(
        &self,
        request: &FetchRequest,
        call: &Call,
        results: &mut [FetchedSeries],
        stats: &mut FetchStats,
    ) -> Result<(), ServiceError> {
        let queries: Vec<_> = call
            .queries
            .iter()
            .map(|&i| to_sdk_query(&request.queries()[i]))
            .collect();
        let by_id: HashMap<&str, usize> = call
            .queries
            .iter()
            .map(|&i| (request.queries()[i].id().as_str(), i))
            .collect();
        // Per query: the status to report, and whether it is final. `PartialData` on a page
        // says more pages follow, so a later page decides it; `InternalError` or `Forbidden`
        // on any page lost that page's data, and a later page's `Complete` does not bring it
        // back.
        let mut last_status: HashMap<usize, (Completeness, bool)> = HashMap::new();
        let mut token: Option<String> = None;
        let mut seen_tokens: HashSet<String> = HashSet::new();
        // The call's own `Messages`, from every page: they concern every query of the call,
        // and are what explains a query left without a result.
        let mut call_level: Vec<String> = Vec::new();
        loop {
            let counter = Attempts::default();
            let sent = self
                .client
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(sdk_time(call.start))
                .end_time(sdk_time(call.end))
                .scan_by(ScanBy::TimestampAscending)
                .max_datapoints(MAX_DATAPOINTS_PER_CALL_I32)
                .set_next_token(token.take())
                .customize()
                .interceptor(counter.clone())
                .send()
                .await;
            let attempts = counter.count();
            stats.calls += 1;
            stats.retries += u64::from(attempts.saturating_sub(1));
            let output = sent.map_err(|e| map_sdk_error(BACKEND, e, attempts))?;
            let call_messages: Vec<String> = output
                .messages()
                .iter()
                .map(|m| format!("{}: {}", m.code().unwrap_or("?"), m.value().unwrap_or("")))
                .collect();
            push_new(&mut call_level, call_messages.iter().cloned());
            let mut ids_in_page: HashSet<&str> = HashSet::new();
            for result in output.metric_data_results() {
                let id = result.id().unwrap_or_default();
                if !ids_in_page.insert(id) {
                    return Err(ServiceError::InvalidResponse {
                        backend: BACKEND,
                        reason: format!(
                            "several results for id {id:?} (expressions returning many series, such as SEARCH, are not supported)"
                        ),
                    });
                }
                let &index = by_id.get(id).ok_or_else(|| ServiceError::InvalidResponse {
                    backend: BACKEND,
                    reason: format!("a result for id {id:?}, which the call did not ask for"),
                })?;
                let (timestamps, values) = (result.timestamps(), result.values());
                if timestamps.len() != values.len() {
                    return Err(ServiceError::InvalidResponse {
                        backend: BACKEND,
                        reason: format!(
                            "{} timestamps and {} values for id {id:?}",
                            timestamps.len(),
                            values.len()
                        ),
                    });
                }
                for (at, value) in timestamps.iter().zip(values) {
                    let at = chrono_time(at).ok_or_else(|| ServiceError::InvalidResponse {
                        backend: BACKEND,
                        reason: format!("a timestamp out of range for id {id:?}"),
                    })?;
                    results[index].points.push((at, *value));
                }
                stats.datapoints += values.len() as u64;
                let messages: Vec<String> = result
                    .messages()
                    .iter()
                    .map(|m| format!("{}: {}", m.code().unwrap_or("?"), m.value().unwrap_or("")))
                    .chain(call_messages.iter().cloned())
                    .collect();
                let failed = !matches!(
                    result.status_code(),
                    Some(StatusCode::Complete | StatusCode::PartialData) | None
                );
                let status = match result.status_code() {
                    Some(StatusCode::Complete) | None => Completeness::Complete,
                    Some(other) => Completeness::Partial {
                        reason: std::iter::once(other.as_str().to_owned())
                            .chain(messages.iter().cloned())
                            .collect::<Vec<_>>()
                            .join("; "),
                    },
                };
                push_new(&mut results[index].messages, messages);
                if !last_status.get(&index).is_some_and(|(_, last)| *last) {
                    last_status.insert(index, (status, failed));
                }
            }
            match output.next_token() {
                Some(next) if !next.is_empty() => {
                    if !seen_tokens.insert(next.to_owned()) {
                        return Err(ServiceError::InvalidResponse {
                            backend: BACKEND,
                            reason: "the same NextToken twice".into(),
                        });
                    }
                    token = Some(next.to_owned());
                }
                _ => break,
            }
        }
        for &index in &call.queries {
            push_new(&mut results[index].messages, call_level.iter().cloned());
            let status = last_status
                .remove(&index)
                .map(|(status, _)| status)
                .unwrap_or_else(|| Completeness::Partial {
                    reason: std::iter::once(format!(
                        "no result for {} .. {}",
                        call.start, call.end
                    ))
                    .chain(call_level.iter().cloned())
                    .collect::<Vec<_>>()
                    .join("; "),
                });
            if let Completeness::Partial { .. } = status
                && results[index].is_complete()
            {
                results[index].completeness = status;
            }
        }
        Ok(())
    }
}

/// Adds `messages` to `into`, each once (a message repeated on every page is one message).
fn push_new(into: &mut Vec<String>, messages: impl IntoIterator<Item = String>) {
    for message in messages {
        if !into.contains(&message) {
            into.push(message);
        }
    }
}

/// Puts a series' points, gathered from calls and pages, in time order. Time chunks arrive in
/// order, but pages need not; a timestamp repeated with the same value is kept once, with two
/// values it is refused: one period has one value, and keeping either would be a silently
/// wrong number.
fn merge_points(series: &mut FetchedSeries) -> Result<(), ServiceError> {
    series.points.sort_by_key(|(at, _)| *at);
    if let Some(pair) = series.points.windows(2).find(|pair| {
        let ((a_at, a), (b_at, b)) = (pair[0], pair[1]);
        a_at == b_at && a != b && !(a.is_nan() && b.is_nan())
    }) {
        return Err(ServiceError::InvalidResponse {
            backend: BACKEND,
            reason: format!(
                "two values ({} and {}) at {} for id \"{}\"",
                pair[0].1,
                pair[1].1,
                pair[0].0,
                series.id.as_str()
            ),
        });
    }
    series.points.dedup_by_key(|(at, _)| *at);
    Ok(())
}

display_with_region!(CloudWatchSource, "CloudWatch");

#[async_trait]
impl MetricSource for CloudWatchSource {
    async fn fetch(&self, request: &FetchRequest) -> Result<Vec<FetchedSeries>, FetchError> {
        Ok(self.fetch_with_stats(request).await?.0)
    }
}
