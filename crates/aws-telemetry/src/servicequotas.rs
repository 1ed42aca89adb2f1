//! The Service Quotas adapter: [`ServiceQuotasSource`], a [`QuotaSource`](crate::QuotaSource)
//! on `aws-sdk-servicequotas`.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_servicequotas::Client;
use aws_sdk_servicequotas::error::ProvideErrorMetadata;
use aws_sdk_servicequotas::types::ServiceQuota;

use crate::error::ServiceError;
use crate::quota::{Quota, QuotaSource, UsageMetric};
use crate::retry::RetryPolicy;
use crate::sdk::{Attempts, NextTokens, display_with_region, map_sdk_error, with_retry};

const BACKEND: &str = "ServiceQuotas";

/// The most `ListServiceQuotas` pages [`ServiceQuotasSource`] reads for one service: 1,000.
/// It asks for 100 quotas a page (the API's maximum); a service has a few hundred quotas, the
/// largest a few thousand, so 1,000 pages (100,000 quotas) leave room for pages far shorter
/// than asked (the API may return fewer results than the maximum while more remain). A
/// listing that hands out a new `NextToken` on every page used to be followed forever.
pub const MAX_SERVICE_QUOTA_PAGES: usize = 1_000;

/// A [`QuotaSource`] reading Service Quotas: `GetServiceQuota` for one quota (the applied
/// value, or the default where none was requested; an answer for another quota than the one
/// asked for is [`ServiceError::InvalidResponse`]), `ListServiceQuotas` (every page of 100, up
/// to [`MAX_SERVICE_QUOTA_PAGES`]; a `NextToken` returned twice or still set after that many
/// pages, a quota of another service than the one asked for, or a quota listed twice is
/// [`ServiceError::InvalidResponse`], not a loop, another service's limit or an undecided
/// one) for a service's. A quota without its codes, or with a value that is not a
/// finite number of at least 0 (the API reference's range), is
/// [`ServiceError::InvalidResponse`] too. `NoSuchResourceException` becomes [`ServiceError::NotFound`]; throttling
/// (`TooManyRequestsException`) is retried by the SDK ([`RetryPolicy`]). Service Quotas is
/// regional: the client's region is the one read.
///
/// # Example
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_telemetry::{QuotaSource, ServiceQuotasSource};
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let vcpus = ServiceQuotasSource::new(&config).quota("ec2", "L-1216C47A").await?;
/// println!("{}: {:?}", vcpus.name, vcpus.value);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ServiceQuotasSource {
    client: Client,
}

impl ServiceQuotasSource {
    /// A source from the caller's SDK configuration, with the default [`RetryPolicy`].
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(Client::new(config), RetryPolicy::default())
    }

    /// A source from a ready client; `retry` replaces the client's retry configuration.
    pub fn from_client(client: Client, retry: RetryPolicy) -> Self {
        Self {
            client: with_retry!(Client, client, retry),
        }
    }
}

display_with_region!(ServiceQuotasSource, "ServiceQuotas");

fn invalid(reason: String) -> ServiceError {
    ServiceError::InvalidResponse {
        backend: BACKEND,
        reason,
    }
}

/// The toolkit's [`Quota`] of the SDK's.
fn to_quota(quota: &ServiceQuota) -> Result<Quota, ServiceError> {
    // The API reference gives both codes a length of at least 1: an empty one names no quota.
    let (service_code, quota_code) = match (quota.service_code(), quota.quota_code()) {
        (Some(s), Some(q)) if !s.is_empty() && !q.is_empty() => (s.to_owned(), q.to_owned()),
        _ => {
            return Err(invalid(format!(
                "a quota without ServiceCode or QuotaCode (ServiceCode {:?}, QuotaCode {:?}, QuotaName {:?})",
                quota.service_code().unwrap_or_default(),
                quota.quota_code().unwrap_or_default(),
                quota.quota_name().unwrap_or_default()
            )));
        }
    };
    let usage_metric = match quota.usage_metric() {
        None => None,
        Some(info) => match (info.metric_namespace(), info.metric_name()) {
            (Some(namespace), Some(name)) => Some(UsageMetric {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
                dimensions: info
                    .metric_dimensions()
                    .map(|d| d.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                statistic: info.metric_statistic_recommendation().map(str::to_owned),
            }),
            // Service Quotas sends an empty UsageMetric for quotas without one.
            (None, None) => None,
            _ => {
                return Err(invalid(format!(
                    "quota {service_code}/{quota_code}: a usage metric without namespace or name"
                )));
            }
        },
    };
    // A quota's value is documented with a minimum of 0 (`ServiceQuota`, `QuotaUtilizationInfo`
    // in the API reference); a negative limit would read any usage as under it.
    if let Some(value) = quota.value()
        && !(value.is_finite() && value >= 0.0)
    {
        return Err(invalid(format!(
            "quota {service_code}/{quota_code}: value {value} (a quota is a finite number of at least 0)"
        )));
    }
    Ok(Quota {
        name: quota.quota_name().unwrap_or(&quota_code).to_owned(),
        service_code,
        quota_code,
        value: quota.value(),
        adjustable: quota.adjustable(),
        unit: quota.unit().map(str::to_owned),
        usage_metric,
    })
}

#[async_trait]
impl QuotaSource for ServiceQuotasSource {
    async fn quota(&self, service_code: &str, quota_code: &str) -> Result<Quota, ServiceError> {
        let attempts = Attempts::default();
        let output = self
            .client
            .get_service_quota()
            .service_code(service_code)
            .quota_code(quota_code)
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await;
        let output = match output {
            Ok(output) => output,
            Err(err) if err.code() == Some("NoSuchResourceException") => {
                return Err(ServiceError::NotFound {
                    backend: BACKEND,
                    what: format!("quota {service_code}/{quota_code}"),
                });
            }
            Err(err) => return Err(map_sdk_error(BACKEND, err, attempts.count())),
        };
        let quota = output.quota().ok_or_else(|| {
            invalid(format!(
                "GetServiceQuota {service_code}/{quota_code}: no Quota"
            ))
        })?;
        let quota = to_quota(quota)?;
        // An answer for another quota would be read as the limit of the one asked for. Codes
        // are compared without regard to case, so that only a different quota is refused.
        if !quota.service_code.eq_ignore_ascii_case(service_code)
            || !quota.quota_code.eq_ignore_ascii_case(quota_code)
        {
            return Err(invalid(format!(
                "GetServiceQuota {service_code}/{quota_code} answered for quota {}/{}",
                quota.service_code, quota.quota_code
            )));
        }
        Ok(quota)
    }

    async fn quotas(&self, service_code: &str) -> Result<Vec<Quota>, ServiceError> {
        let mut quotas: Vec<Quota> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut token: Option<String> = None;
        let mut tokens = NextTokens::default()
            .with_max_pages(MAX_SERVICE_QUOTA_PAGES, "MAX_SERVICE_QUOTA_PAGES");
        loop {
            let attempts = Attempts::default();
            let page = self
                .client
                .list_service_quotas()
                .service_code(service_code)
                .max_results(100)
                .set_next_token(token.take())
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error(BACKEND, e, attempts.count()))?;
            for quota in page.quotas() {
                let quota = to_quota(quota)?;
                // Another service's quota would be taken for one of this service's (the trait
                // promises the service's quotas). Codes compared as `quota` compares them.
                if !quota.service_code.eq_ignore_ascii_case(service_code) {
                    return Err(invalid(format!(
                        "ListServiceQuotas {service_code} answered with quota {}/{}",
                        quota.service_code, quota.quota_code
                    )));
                }
                // A quota listed twice, perhaps with two values, leaves its limit undecided.
                if let Some(&earlier) = seen.get(&quota.quota_code.to_ascii_lowercase()) {
                    let value =
                        |q: &Quota| q.value.map_or("no value".to_owned(), |v| v.to_string());
                    return Err(invalid(format!(
                        "ListServiceQuotas {service_code} listed quota {} twice ({} and {})",
                        quota.quota_code,
                        value(&quotas[earlier]),
                        value(&quota),
                    )));
                }
                seen.insert(quota.quota_code.to_ascii_lowercase(), quotas.len());
                quotas.push(quota);
            }
            token = tokens.follow(BACKEND, page.next_token())?;
            if token.is_none() {
                break;
            }
        }
        Ok(quotas)
    }
}
