//! [`CloudWatchSink`]: publishes computed series (SLIs, burn rates, budgets) as custom metrics
//! through PutMetricData, so that CloudWatch alarms can watch them.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::MetricDatum;
use chrono::{DateTime, TimeDelta, Utc};

use super::RetryPolicy;
use super::convert::BACKEND;
use crate::error::PutError;
use crate::metric::Metric;
use crate::sdk::sdk_time;
use crate::sdk::{Attempts, display_with_region, map_sdk_error, with_retry};
use crate::sink::MetricSink;

/// At most this many datapoints in one PutMetricData call.
const MAX_DATUMS_PER_CALL: usize = 1000;
/// Payload budget of one call: below PutMetricData's 1 MB cap, with room for the envelope.
const MAX_PAYLOAD_BYTES: usize = 900_000;
/// CloudWatch refuses values beyond ±2^360 (the current PutMetricData reference; the older one
/// gave 1.174271e+108, 2^359, and this takes the current one at its word).
const MAX_ABS_VALUE: f64 = 2.348_542_582_773_833_2e108;
/// The smallest magnitude CloudWatch takes but zero: its older reference gives values "in the
/// range of 8.515920e-109 to 1.174271e+108 (Base 10)", and it refuses smaller ones (a
/// subnormal, 1e-200) as an invalid value of 0, failing the whole call after earlier batches
/// were written.
const MIN_ABS_VALUE: f64 = 8.515_920e-109;

/// Writes series to CloudWatch as custom metrics, batched within PutMetricData's limits: at most
/// 1,000 datapoints and well under 1 MB a call (datums are sized with their metric name and
/// dimensions), with the source's bounded retries.
///
/// # Example
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_telemetry::{CloudWatchSink, Metric};
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// use aws_telemetry::MetricSink;
/// let sink = CloudWatchSink::new(&config);
/// let burn = Metric::new("SLO/checkout", "BurnRate1h")?;
/// let calls = sink.put(&burn, &[(chrono::Utc::now(), 2.5)]).await?;
/// assert_eq!(calls, 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CloudWatchSink {
    client: Client,
}

impl CloudWatchSink {
    /// A sink from the caller's SDK configuration, with the default [`RetryPolicy`].
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(Client::new(config), RetryPolicy::default())
    }

    /// A sink from a ready client; `retry` replaces the client's retry configuration.
    pub fn from_client(client: Client, retry: RetryPolicy) -> Self {
        Self {
            client: with_retry!(Client, client, retry),
        }
    }
}

#[async_trait::async_trait]
impl MetricSink for CloudWatchSink {
    /// Publishes `samples` of `metric`; returns the number of calls made.
    ///
    /// # Errors
    /// [`PutError::ReservedNamespace`] for an `AWS/` namespace; [`PutError::InvalidSample`]
    /// for a NaN or infinite value, or a timestamp more than two weeks old or two hours ahead
    /// (CloudWatch refuses those: `PutMetricData`, Amazon CloudWatch API Reference), naming
    /// it; [`PutError::Service`] for the first failed call.
    async fn put(
        &self,
        metric: &Metric,
        samples: &[(DateTime<Utc>, f64)],
    ) -> Result<usize, PutError> {
        if metric.namespace().starts_with("AWS/") {
            return Err(PutError::ReservedNamespace {
                namespace: metric.namespace().to_owned(),
            });
        }
        let now = Utc::now();
        for (index, &(at, value)) in samples.iter().enumerate() {
            let reason = if !value.is_finite() || value.abs() > MAX_ABS_VALUE {
                "values must be finite and within ±2^360"
            } else if value != 0.0 && value.abs() < MIN_ABS_VALUE {
                "values other than zero must be at least 8.515920e-109 in magnitude"
            } else if at < now - TimeDelta::days(14) || at > now + TimeDelta::hours(2) {
                "timestamps must be within the last two weeks and the next two hours"
            } else {
                continue;
            };
            return Err(PutError::InvalidSample {
                index,
                at,
                value,
                reason,
            });
        }
        let sdk_metric = super::convert::to_sdk_metric(metric);
        // Every datum repeats the metric's name and dimensions: size batches by them.
        let datum_bytes = 64
            + metric.name().len()
            + metric
                .dimensions()
                .iter()
                .map(|d| d.name().len() + d.value().len() + 16)
                .sum::<usize>();
        let per_call = (MAX_PAYLOAD_BYTES / datum_bytes).clamp(1, MAX_DATUMS_PER_CALL);
        let mut calls = 0;
        for batch in samples.chunks(per_call) {
            let data: Vec<MetricDatum> = batch
                .iter()
                .map(|&(at, value)| {
                    MetricDatum::builder()
                        .metric_name(metric.name())
                        .set_dimensions(sdk_metric.dimensions.clone())
                        .timestamp(sdk_time(at))
                        .value(value)
                        .build()
                })
                .collect();
            let counter = Attempts::default();
            self.client
                .put_metric_data()
                .namespace(metric.namespace())
                .set_metric_data(Some(data))
                .customize()
                .interceptor(counter.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error(BACKEND, e, counter.count()))?;
            calls += 1;
        }
        Ok(calls)
    }
}

display_with_region!(CloudWatchSink, "CloudWatchSink");
