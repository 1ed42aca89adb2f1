//! The Cost Explorer adapter: [`CostExplorerSource`], a [`CostSource`](crate::CostSource) on
//! `aws-sdk-costexplorer`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use aws_sdk_costexplorer::Client;
use aws_sdk_costexplorer::types::{
    DateInterval, Dimension, DimensionValues, Expression, Granularity,
};
use chrono::NaiveDate;

use crate::cost::{CostSource, DailyCost};
use crate::error::ServiceError;
use crate::range::DateRange;
use crate::retry::RetryPolicy;
use crate::sdk::{Attempts, NextTokens, map_sdk_error, with_retry};

const BACKEND: &str = "CostExplorer";
const METRIC: &str = "UnblendedCost";

/// A [`CostSource`] reading Cost Explorer's `GetCostAndUsage` with `DAILY` granularity and
/// the `UnblendedCost` metric, for the whole account (no grouping), following
/// `NextPageToken` (a token returned twice is [`ServiceError::InvalidResponse`], not a billed
/// loop).
///
/// **Each request is billed** ($0.01 per `GetCostAndUsage` request, paginated pages
/// included, at the time of writing): [`CostExplorerSource::requests`] counts what this
/// source (and its clones) sent. Fetch a day once, not every minute: Cost Explorer data is
/// refreshed a few times a day. Throttling (`LimitExceededException`) is retried by the SDK
/// ([`RetryPolicy`]). Cost Explorer's endpoint is in us-east-1 whatever the account's region.
///
/// The answer is held to `GetCostAndUsage`'s shape for `DAILY` granularity, and an answer
/// that breaks it is [`ServiceError::InvalidResponse`] naming the `TimePeriod`, never summed
/// or guessed: a `TimePeriod` day not written `YYYY-MM-DD` with every digit (the API's
/// pattern), a result whose `TimePeriod` is not exactly one day (`End` is exclusive), a day
/// outside the range asked for, a day given twice with different figures (the same figures
/// twice count once), an amount that is not a finite number, or an amount without its `Unit`.
///
/// The spend is usage's: credits and refunds (`RECORD_TYPE` `Credit` and `Refund`, part of
/// `UnblendedCost` otherwise) are left out by the request's filter, since a runaway is spend
/// growing, which a credit covering it would hide (and a day credited below zero is no
/// spend: `failure_modes`' F8 refuses a negative day). [`including_credits_and_refunds`](Self::including_credits_and_refunds)
/// asks for the net cost instead; its negative amounts are passed through.
///
/// # Example
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_telemetry::{CostExplorerSource, CostSource, DateRange};
/// use chrono::NaiveDate;
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let source = CostExplorerSource::new(&config);
/// let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
/// for cost in source.daily_costs(&DateRange::new(day(1), day(27))?).await? {
///     println!("{cost}");
/// }
/// assert_eq!(source.requests(), 1); // $0.01
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CostExplorerSource {
    client: Client,
    requests: Arc<AtomicU64>,
    /// Credits and refunds counted in ([`CostExplorerSource::including_credits_and_refunds`]).
    net: bool,
}

impl CostExplorerSource {
    /// A source from the caller's SDK configuration, with the default [`RetryPolicy`].
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(Client::new(config), RetryPolicy::default())
    }

    /// A source from a ready client; `retry` replaces the client's retry configuration.
    pub fn from_client(client: Client, retry: RetryPolicy) -> Self {
        Self {
            client: with_retry!(Client, client, retry),
            requests: Arc::new(AtomicU64::new(0)),
            net: false,
        }
    }

    /// The source with credits and refunds counted in (the net `UnblendedCost`, as Cost
    /// Explorer's console shows it by default): a day can then be negative.
    #[must_use]
    pub fn including_credits_and_refunds(mut self) -> Self {
        self.net = true;
        self
    }

    /// `GetCostAndUsage` requests sent so far (attempts included: each is billed), by this
    /// source and its clones.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
}

impl fmt::Display for CostExplorerSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CostExplorer")
    }
}

fn invalid(reason: String) -> ServiceError {
    ServiceError::InvalidResponse {
        backend: BACKEND,
        reason,
    }
}

/// A `DateInterval` day as Cost Explorer writes it, `YYYY-MM-DD` with every digit (its
/// pattern, `\d{4}-\d{2}-\d{2}`): chrono's `%Y-%m-%d` alone also reads `2026-1-5` or `+2026-01-05`.
fn parse_day(text: &str) -> Result<NaiveDate, String> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err("not a date written YYYY-MM-DD".to_owned());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| e.to_string())
}

#[async_trait]
impl CostSource for CostExplorerSource {
    async fn daily_costs(&self, range: &DateRange) -> Result<Vec<DailyCost>, ServiceError> {
        let period = DateInterval::builder()
            .start(range.start().format("%Y-%m-%d").to_string())
            .end(range.end().format("%Y-%m-%d").to_string())
            .build()
            .map_err(|e| ServiceError::Backend {
                backend: BACKEND,
                message: "the request could not be built".to_owned(),
                source: Box::new(e),
            })?;
        let usage_only = (!self.net).then(|| {
            let credits = DimensionValues::builder()
                .key(Dimension::RecordType)
                .values("Credit")
                .values("Refund")
                .build();
            let credits = Expression::builder().dimensions(credits).build();
            Expression::builder().not(credits).build()
        });
        let mut days: BTreeMap<NaiveDate, DailyCost> = BTreeMap::new();
        let mut token: Option<String> = None;
        let mut tokens = NextTokens::named("NextPageToken");
        loop {
            let attempts = Attempts::default();
            let sent = self
                .client
                .get_cost_and_usage()
                .time_period(period.clone())
                .granularity(Granularity::Daily)
                .metrics(METRIC)
                .set_filter(usage_only.clone())
                .set_next_page_token(token.take())
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await;
            self.requests
                .fetch_add(u64::from(attempts.count()), Ordering::Relaxed);
            let page = sent.map_err(|e| map_sdk_error(BACKEND, e, attempts.count()))?;
            for result in page.results_by_time() {
                let interval = result
                    .time_period()
                    .ok_or_else(|| invalid("a result without TimePeriod".to_owned()))?;
                let day = parse_day(interval.start()).map_err(|e| {
                    invalid(format!("TimePeriod.Start {:?}: {e}", interval.start()))
                })?;
                // DAILY granularity answers one result per day of the range, each from its
                // day to the next (End is exclusive): anything else would be summed or
                // counted twice downstream.
                let span = format!("TimePeriod {}..{}", interval.start(), interval.end());
                let end =
                    parse_day(interval.end()).map_err(|e| invalid(format!("{span}: End: {e}")))?;
                if day.succ_opt() != Some(end) {
                    return Err(invalid(format!("{span} is not one day")));
                }
                if !range.contains(day) {
                    return Err(invalid(format!(
                        "{span} is outside the range asked for, {}..{}",
                        range.start(),
                        range.end()
                    )));
                }
                let Some(value) = result.total().and_then(|t| t.get(METRIC)) else {
                    continue;
                };
                let amount_text = value.amount().unwrap_or_default();
                let amount: f64 = amount_text.parse().map_err(|_| {
                    invalid(format!(
                        "{day}: {METRIC} amount {amount_text:?} is not a number"
                    ))
                })?;
                if !amount.is_finite() {
                    return Err(invalid(format!("{day}: {METRIC} amount {amount_text:?}")));
                }
                // MetricValue carries its Unit with its Amount: a currency is not guessed.
                let unit = value.unit().filter(|u| !u.is_empty()).ok_or_else(|| {
                    invalid(format!(
                        "{span}: {METRIC} amount {amount_text:?} without a Unit"
                    ))
                })?;
                let cost = DailyCost::new(day, amount, unit).with_estimated(result.estimated());
                match days.get(&day) {
                    None => {
                        days.insert(day, cost);
                    }
                    // The same answer twice (e.g. on two pages) is one day.
                    Some(seen) if *seen == cost => {}
                    Some(seen) => {
                        return Err(invalid(format!(
                            "{span} given twice, as {seen} and as {cost}"
                        )));
                    }
                }
            }
            token = tokens.follow(BACKEND, page.next_page_token())?;
            if token.is_none() {
                break;
            }
        }
        Ok(days.into_values().collect())
    }
}
