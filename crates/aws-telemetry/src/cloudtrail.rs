//! The CloudTrail `LookupEvents` adapter: [`CloudTrailSource`], an
//! [`AuditSource`](crate::AuditSource) on `aws-sdk-cloudtrail`.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use sli_core::Deploy;
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::audit::{AuditEvent, AuditSource, parse_record};
use crate::deploys::cloudtrail::{DEPLOY_EVENTS, parse_record as parse_deploy_record};
use crate::deploys::{DeploySource, MAX_DEPLOYS, sort_deploys};
use crate::error::{EventSourceError, ServiceError};
use crate::range::TimeRange;
use crate::retry::RetryPolicy;
use crate::sdk::{Attempts, NextTokens, display_with_region, map_sdk_error, sdk_time, with_retry};

const BACKEND: &str = "CloudTrail";

/// `LookupEvents`' page size limit.
pub const LOOKUP_EVENTS_PAGE: i32 = 50;

/// `LookupEvents`' rate limit: 2 requests per second per account and region.
const MIN_INTERVAL: Duration = Duration::from_millis(500);

/// The most records one [`DeploySource::deploys`] call reads: 20,000, 400 pages of 50, which
/// take at least 200 s at 2 requests per second. ECS service auto scaling records an
/// `UpdateService` per scaling step, so the records read can far outnumber the deploys found;
/// past this bound the call stops with [`EventSourceError::LimitExceeded`] instead of paging
/// for an hour.
/// [`CloudTrailSource::with_max_deploy_records`] sets another.
pub const MAX_DEPLOY_RECORDS: usize = 20_000;

/// The most events one [`AuditSource::events`] call reads: 200,000, 4,000 pages of 50, which
/// take at least 2,000 s (33 minutes) at 2 requests per second and hold about 100 MB of
/// events. `LookupEvents` cannot keep up with an account making more (a range that long is
/// for CloudTrail's log files, [`parse_log`](crate::audit::parse_log)); past this bound the
/// call stops with [`EventSourceError::LimitExceeded`] instead of holding every event of the
/// range. [`CloudTrailSource::with_max_events`] sets another.
pub const MAX_AUDIT_EVENTS: usize = 200_000;

/// Spaces calls at least [`MIN_INTERVAL`] apart (a token bucket of size one), across every
/// clone of the source.
#[derive(Debug, Default)]
struct RateLimiter {
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    async fn acquire(&self) {
        let mut next = self.next.lock().await;
        let now = Instant::now();
        let at = match *next {
            Some(at) if at > now => {
                tokio::time::sleep_until(at).await;
                at
            }
            _ => now,
        };
        *next = Some(at + MIN_INTERVAL);
    }
}

/// An [`AuditSource`] reading CloudTrail's event history through `LookupEvents` (management
/// events of the last 90 days, in the client's region).
///
/// What the API imposes is handled here: pages of at most 50 events, followed through
/// `NextToken` (a token seen twice is an error, not a loop); at most 2 requests per second,
/// enforced client-side by a rate limiter shared by every clone of the source (share one
/// source per account and region); throttling (`ThrottlingException`) retried by the SDK's
/// standard retry strategy ([`RetryPolicy`]), then reported as [`ServiceError::Throttled`].
/// Each event's `CloudTrailEvent` (the record's
/// JSON, as a string) is parsed by [`parse_record`](crate::audit::parse_record), so events
/// read here and from log files are the same. Events come back oldest first; at most
/// [`MAX_AUDIT_EVENTS`] are read per call ([`with_max_events`](Self::with_max_events)).
///
/// # Example
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_telemetry::{AuditSource, CloudTrailSource, TimeRange};
/// use chrono::{TimeDelta, Utc};
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let source = CloudTrailSource::new(&config);
/// let now = Utc::now();
/// let events = source.events(&TimeRange::new(now - TimeDelta::hours(1), now)?).await?;
/// println!("{} events in the last hour", events.len());
/// # Ok(()) }
/// ```
///
/// # Deploys
/// It is also a [`DeploySource`]: one `LookupEvents` query per deploy call of
/// [`DEPLOY_EVENTS`](crate::deploys::cloudtrail::DEPLOY_EVENTS) (filtered by `EventName`,
/// so six queries at least, three seconds at the rate limit), each record read by
/// [`deploys::cloudtrail`](crate::deploys::cloudtrail). At most [`MAX_DEPLOY_RECORDS`]
/// records are read and [`MAX_DEPLOYS`] deploys returned per call.
#[derive(Debug, Clone)]
pub struct CloudTrailSource {
    client: Client,
    limiter: Arc<RateLimiter>,
    max_deploy_records: usize,
    max_events: usize,
}

impl CloudTrailSource {
    /// A source from the caller's SDK configuration, with the default [`RetryPolicy`].
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(Client::new(config), RetryPolicy::default())
    }

    /// A source from a ready client; `retry` replaces the client's retry configuration.
    pub fn from_client(client: Client, retry: RetryPolicy) -> Self {
        Self {
            client: with_retry!(Client, client, retry),
            limiter: Arc::new(RateLimiter::default()),
            max_deploy_records: MAX_DEPLOY_RECORDS,
            max_events: MAX_AUDIT_EVENTS,
        }
    }

    /// The same source, reading at most `max` events per [`AuditSource::events`] call instead
    /// of [`MAX_AUDIT_EVENTS`].
    #[must_use]
    pub fn with_max_events(mut self, max: usize) -> Self {
        self.max_events = max;
        self
    }

    /// The same source, reading at most `max` records per [`DeploySource::deploys`] call
    /// instead of [`MAX_DEPLOY_RECORDS`].
    #[must_use]
    pub fn with_max_deploy_records(mut self, max: usize) -> Self {
        self.max_deploy_records = max;
        self
    }

    /// Pages through `LookupEvents` over `range` (filtered by `attribute`), handing each
    /// event's record (the `CloudTrailEvent` JSON) to `each` with its running index; an error
    /// from `each` stops the paging.
    async fn lookup(
        &self,
        range: &TimeRange,
        attribute: Option<LookupAttribute>,
        mut each: impl FnMut(&str, usize) -> Result<(), EventSourceError> + Send,
    ) -> Result<(), EventSourceError> {
        let mut token: Option<String> = None;
        let mut tokens = NextTokens::default();
        let mut index = 0;
        loop {
            self.limiter.acquire().await;
            let attempts = Attempts::default();
            let output = self
                .client
                .lookup_events()
                .start_time(sdk_time(range.start()))
                .end_time(sdk_time(range.end()))
                .max_results(LOOKUP_EVENTS_PAGE)
                .set_lookup_attributes(attribute.clone().map(|a| vec![a]))
                .set_next_token(token.take())
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error(BACKEND, e, attempts.count()))?;
            for event in output.events() {
                let json =
                    event
                        .cloud_trail_event()
                        .ok_or_else(|| ServiceError::InvalidResponse {
                            backend: BACKEND,
                            reason: format!(
                                "event {index} ({:?}) has no CloudTrailEvent",
                                event.event_id().unwrap_or("?")
                            ),
                        })?;
                each(json, index)?;
                index += 1;
            }
            token = tokens.follow(BACKEND, output.next_token())?;
            if token.is_none() {
                return Ok(());
            }
        }
    }
}

display_with_region!(CloudTrailSource, "CloudTrail");

#[async_trait]
impl AuditSource for CloudTrailSource {
    async fn events(&self, range: &TimeRange) -> Result<Vec<AuditEvent>, EventSourceError> {
        let mut events = Vec::new();
        self.lookup(range, None, |json, index| {
            if index >= self.max_events {
                return Err(EventSourceError::LimitExceeded {
                    origin: "LookupEvents".to_owned(),
                    what: "CloudTrail events read",
                    limit: self.max_events as u64,
                    requested: index as u64 + 1,
                });
            }
            let parsed = parse_record(json, "LookupEvents", index)?;
            // LookupEvents' end time is inclusive; the trait's is not.
            if range.contains(parsed.time) {
                events.push(parsed);
            }
            Ok(())
        })
        .await?;
        // LookupEvents answers newest first: reverse, then a stable sort, so that events of
        // the same second keep CloudTrail's order.
        events.reverse();
        events.sort_by_key(|e| e.time);
        Ok(events)
    }
}

#[async_trait]
impl DeploySource for CloudTrailSource {
    async fn deploys(&self, range: &TimeRange) -> Result<Vec<Deploy>, EventSourceError> {
        let mut deploys = Vec::new();
        let mut read = 0;
        for (_, name) in DEPLOY_EVENTS {
            let attribute = LookupAttribute::builder()
                .attribute_key(LookupAttributeKey::EventName)
                .attribute_value(*name)
                .build()
                .map_err(|e| ServiceError::Backend {
                    backend: BACKEND,
                    message: "the request could not be built".to_owned(),
                    source: Box::new(e),
                })?;
            self.lookup(range, Some(attribute), |json, index| {
                read += 1;
                let origin = format!("LookupEvents {name}");
                if read > self.max_deploy_records {
                    return Err(EventSourceError::LimitExceeded {
                        what: "CloudTrail records read for deploys",
                        limit: self.max_deploy_records as u64,
                        requested: read as u64,
                        origin,
                    });
                }
                if let Some(deploy) = parse_deploy_record(json, &origin, index)?
                    && range.contains(deploy.started())
                {
                    if deploys.len() >= MAX_DEPLOYS {
                        return Err(EventSourceError::LimitExceeded {
                            what: "deploys returned",
                            limit: MAX_DEPLOYS as u64,
                            requested: MAX_DEPLOYS as u64 + 1,
                            origin,
                        });
                    }
                    deploys.push(deploy);
                }
                Ok(())
            })
            .await?;
        }
        sort_deploys(&mut deploys);
        Ok(deploys)
    }
}
