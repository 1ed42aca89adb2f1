//! The CloudWatch adapter: [`CloudWatchSource`] reads through GetMetricData, [`CloudWatchSink`]
//! writes through PutMetricData. Built on `aws-sdk-cloudwatch`; the only SDK types in the
//! public API are the `Client` and `SdkConfig` the constructors take, so that callers keep their
//! credential chain, region and endpoint.

mod convert;
mod sink;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_cloudwatch::config::retry::RetryConfig;
use aws_sdk_cloudwatch::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_cloudwatch::types::{ScanBy, StatusCode};
use chrono::Utc;

pub use sink::CloudWatchSink;

use self::convert::{BACKEND, from_sdk_time, map_sdk_error, to_sdk_query, to_sdk_time};
use crate::error::{Error, Result};
use crate::fetch::{Completeness, FetchRequest, FetchStats, FetchedSeries};
use crate::plan::{Call, MAX_DATAPOINTS_PER_CALL, plan};
use crate::source::MetricSource;

/// Retries of throttled and failed calls: bounded exponential backoff with jitter, applied
/// through the SDK's standard retry strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The first backoff; each retry doubles it, with full jitter, up to `max_backoff`.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Five attempts, from 100 ms up to 20 s.
    fn default() -> Self {
        Self {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(20),
        }
    }
}

/// Counts attempts (calls plus retries) as they go out.
#[derive(Debug, Default)]
struct Counters {
    attempts: AtomicU64,
    calls: AtomicU64,
    datapoints: AtomicU64,
}

#[derive(Debug)]
struct AttemptCounter(Arc<Counters>);

impl Intercept for AttemptCounter {
    fn name(&self) -> &'static str {
        "aws_telemetry::AttemptCounter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> std::result::Result<(), aws_sdk_cloudwatch::error::BoxError> {
        self.0.attempts.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// A [`MetricSource`] reading CloudWatch through GetMetricData.
///
/// What the API imposes is handled here: queries are packed into calls of at most 500 and the
/// time range split so that no call exceeds 100,800 datapoints, with the fewest calls those
/// limits allow; `NextToken` pages are followed and merged; results are mapped back by query id,
/// never by position; `PartialData`, `InternalError` and `Forbidden` statuses and the service's
/// messages become [`Completeness::Partial`]; periods are checked against CloudWatch's retention
/// tiers before any call; throttling and server errors are retried with bounded exponential
/// backoff ([`RetryPolicy`]). [`CloudWatchSource::stats`] reports the calls, retries and
/// datapoints spent.
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
        let counters = Arc::new(Counters::default());
        let config = client
            .config()
            .to_builder()
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(retry.max_attempts.max(1))
                    .with_initial_backoff(retry.initial_backoff)
                    .with_max_backoff(retry.max_backoff),
            )
            .interceptor(AttemptCounter(Arc::clone(&counters)))
            .build();
        Self {
            client: Client::from_conf(config),
            counters,
        }
    }

    /// What fetches through this source (and its clones) have cost so far.
    pub fn stats(&self) -> FetchStats {
        let calls = self.counters.calls.load(Ordering::Relaxed);
        FetchStats {
            calls,
            retries: self
                .counters
                .attempts
                .load(Ordering::Relaxed)
                .saturating_sub(calls),
            datapoints: self.counters.datapoints.load(Ordering::Relaxed),
        }
    }

    /// Runs one planned call, following `NextToken`, into `results`.
    async fn run(
        &self,
        request: &FetchRequest,
        call: &Call,
        results: &mut [FetchedSeries],
    ) -> Result<()> {
        let queries: Vec<_> = call
            .queries
            .iter()
            .map(|&i| to_sdk_query(&request.queries()[i]))
            .collect();
        let by_id: HashMap<&str, usize> = call
            .queries
            .iter()
            .map(|&i| (request.queries()[i].id.as_str(), i))
            .collect();
        let mut last_status: HashMap<usize, Completeness> = HashMap::new();
        let mut token: Option<String> = None;
        loop {
            let attempts_before = self.counters.attempts.load(Ordering::Relaxed);
            let sent = self
                .client
                .get_metric_data()
                .set_metric_data_queries(Some(queries.clone()))
                .start_time(to_sdk_time(call.start))
                .end_time(to_sdk_time(call.end))
                .scan_by(ScanBy::TimestampAscending)
                .max_datapoints(MAX_DATAPOINTS_PER_CALL as i32)
                .set_next_token(token.take())
                .send()
                .await;
            self.counters.calls.fetch_add(1, Ordering::Relaxed);
            let attempts =
                (self.counters.attempts.load(Ordering::Relaxed) - attempts_before) as u32;
            let output = sent.map_err(|e| map_sdk_error(e, attempts))?;
            let call_messages: Vec<String> = output
                .messages()
                .iter()
                .map(|m| format!("{}: {}", m.code().unwrap_or("?"), m.value().unwrap_or("")))
                .collect();
            for result in output.metric_data_results() {
                let id = result.id().unwrap_or_default();
                let &index = by_id.get(id).ok_or_else(|| Error::InvalidResponse {
                    backend: BACKEND,
                    reason: format!("a result for id {id:?}, which the call did not ask for"),
                })?;
                let (timestamps, values) = (result.timestamps(), result.values());
                if timestamps.len() != values.len() {
                    return Err(Error::InvalidResponse {
                        backend: BACKEND,
                        reason: format!(
                            "{} timestamps and {} values for id {id:?}",
                            timestamps.len(),
                            values.len()
                        ),
                    });
                }
                for (at, value) in timestamps.iter().zip(values) {
                    let at = from_sdk_time(at).ok_or_else(|| Error::InvalidResponse {
                        backend: BACKEND,
                        reason: format!("a timestamp out of range for id {id:?}"),
                    })?;
                    results[index].points.push((at, *value));
                }
                self.counters
                    .datapoints
                    .fetch_add(values.len() as u64, Ordering::Relaxed);
                let status = match result.status_code() {
                    Some(StatusCode::Complete) | None => Completeness::Complete,
                    Some(other) => {
                        let mut reasons = vec![other.as_str().to_owned()];
                        reasons.extend(result.messages().iter().map(|m| {
                            format!("{}: {}", m.code().unwrap_or("?"), m.value().unwrap_or(""))
                        }));
                        reasons.extend(call_messages.iter().cloned());
                        Completeness::Partial {
                            reason: reasons.join("; "),
                        }
                    }
                };
                last_status.insert(index, status);
            }
            match output.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        for &index in &call.queries {
            let status = last_status
                .remove(&index)
                .unwrap_or_else(|| Completeness::Partial {
                    reason: format!("no result for {} .. {}", call.start, call.end),
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

impl fmt::Display for CloudWatchSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.client.config().region() {
            Some(region) => write!(f, "CloudWatch({region})"),
            None => f.write_str("CloudWatch"),
        }
    }
}

#[async_trait]
impl MetricSource for CloudWatchSource {
    async fn fetch(&self, request: &FetchRequest) -> Result<Vec<FetchedSeries>> {
        let calls = plan(request, Utc::now())?;
        let mut results: Vec<FetchedSeries> = request
            .queries()
            .iter()
            .map(|q| FetchedSeries {
                id: q.id.clone(),
                label: q.label.clone(),
                points: Vec::new(),
                completeness: Completeness::Complete,
            })
            .collect();
        for call in &calls {
            self.run(request, call, &mut results).await?;
        }
        for series in &mut results {
            // Time chunks arrive in order, but pages need not: sort, and drop a period a chunk
            // boundary returned twice.
            series.points.sort_by_key(|(at, _)| *at);
            series.points.dedup_by_key(|(at, _)| *at);
        }
        Ok(results)
    }
}
