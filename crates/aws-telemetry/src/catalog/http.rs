//! M3: requests and their 5xx and 4xx responses, from API Gateway or an Application Load
//! Balancer.

use sli_core::catalog::HttpStatusCounts;
use sli_core::{Position, Series};

use super::{Signal, non_empty, union_rows};
use crate::error::{InputError, QueryError};
use crate::fetch::FetchedSeries;
use crate::metric::Metric;
use crate::query::{MetricQuery, Period, Statistic};

/// The metrics of the M3 error rate for one HTTP front door, `Sum` per period (one minute by
/// default): requests, server errors (5xx) and client errors (4xx).
///
/// | constructor | namespace | requests | 5xx | 4xx | dimensions |
/// |---|---|---|---|---|---|
/// | [`api_gateway_rest`](Self::api_gateway_rest) | `AWS/ApiGateway` | `Count` | `5XXError` | `4XXError` | `ApiName`, `Stage` |
/// | [`api_gateway_http`](Self::api_gateway_http) | `AWS/ApiGateway` | `Count` | `5xx` | `4xx` | `ApiId`, `Stage` |
/// | [`alb_targets`](Self::alb_targets) | `AWS/ApplicationELB` | `RequestCount` | `HTTPCode_Target_5XX_Count` | `HTTPCode_Target_4XX_Count` | `LoadBalancer` |
///
/// The ALB's `RequestCount` counts only requests for which the load balancer chose a target
/// ("Requests that are rejected before a target is chosen are not reflected in this metric",
/// the ELB user guide), so the preset reads the codes the targets returned.
/// [`with_load_balancer_5xx`](Self::with_load_balancer_5xx) adds the balancer's own 5xx
/// (`HTTPCode_ELB_5XX_Count`: 503 with no healthy target, 502, 504) to both the 5xx and the
/// requests, so that an outage in which no target answers counts as one; those the balancer
/// returned after choosing a target are then counted twice in the requests, which lowers
/// the error rate by at most their share.
///
/// A period with requests and no error point has no errors (CloudWatch omits them); a point
/// with more errors than requests is refused, naming it.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpErrorsSignal {
    requests: Metric,
    server_errors: Metric,
    client_errors: Metric,
    balancer_5xx: Option<Metric>,
    period: Period,
}

impl HttpErrorsSignal {
    fn new(requests: Metric, server_errors: Metric, client_errors: Metric) -> Self {
        Self {
            requests,
            server_errors,
            client_errors,
            balancer_5xx: None,
            period: Period::MINUTE,
        }
    }

    /// A REST API stage (API Gateway v1).
    ///
    /// # Errors
    /// [`QueryError::InvalidMetric`] for an empty or invalid name.
    pub fn api_gateway_rest(api_name: &str, stage: &str) -> Result<Self, QueryError> {
        let metric = |name| {
            Metric::new("AWS/ApiGateway", name)?
                .with_dimension("ApiName", api_name)?
                .with_dimension("Stage", stage)
        };
        Ok(Self::new(
            metric("Count")?,
            metric("5XXError")?,
            metric("4XXError")?,
        ))
    }

    /// An HTTP API stage (API Gateway v2).
    ///
    /// # Errors
    /// As [`HttpErrorsSignal::api_gateway_rest`].
    pub fn api_gateway_http(api_id: &str, stage: &str) -> Result<Self, QueryError> {
        let metric = |name| {
            Metric::new("AWS/ApiGateway", name)?
                .with_dimension("ApiId", api_id)?
                .with_dimension("Stage", stage)
        };
        Ok(Self::new(metric("Count")?, metric("5xx")?, metric("4xx")?))
    }

    /// An Application Load Balancer, by its `LoadBalancer` dimension
    /// (`app/checkout/50dc6c495c0c9188`): the codes its targets returned.
    ///
    /// # Errors
    /// As [`HttpErrorsSignal::api_gateway_rest`].
    pub fn alb_targets(load_balancer: &str) -> Result<Self, QueryError> {
        let metric = |name| {
            Metric::new("AWS/ApplicationELB", name)?.with_dimension("LoadBalancer", load_balancer)
        };
        Ok(Self::new(
            metric("RequestCount")?,
            metric("HTTPCode_Target_5XX_Count")?,
            metric("HTTPCode_Target_4XX_Count")?,
        ))
    }

    /// Adds the load balancer's own 5xx to the 5xx and the requests (see the type's
    /// documentation).
    ///
    /// # Errors
    /// [`QueryError::InvalidMetric`] for a signal that is not an
    /// Application Load Balancer's.
    pub fn with_load_balancer_5xx(mut self) -> Result<Self, QueryError> {
        if self.requests.namespace() != "AWS/ApplicationELB" {
            return Err(QueryError::InvalidMetric {
                field: "namespace",
                value: self.requests.namespace().to_owned(),
                reason: "only an Application Load Balancer has 5xx of its own (HTTPCode_ELB_5XX_Count)",
            });
        }
        let mut metric = Metric::new(self.requests.namespace(), "HTTPCode_ELB_5XX_Count")?;
        for d in self.requests.dimensions() {
            metric = metric.with_dimension(d.name(), d.value())?;
        }
        self.balancer_5xx = Some(metric);
        Ok(self)
    }

    /// Sums per `period` instead of per minute.
    #[must_use]
    pub fn with_period(mut self, period: Period) -> Self {
        self.period = period;
        self
    }

    /// The requests metric.
    pub fn requests(&self) -> &Metric {
        &self.requests
    }

    /// The 5xx metric.
    pub fn server_errors(&self) -> &Metric {
        &self.server_errors
    }

    /// The 4xx metric.
    pub fn client_errors(&self) -> &Metric {
        &self.client_errors
    }
}

const IDS: [&str; 4] = ["requests", "errors_5xx", "errors_4xx", "balancer_5xx"];

impl Signal for HttpErrorsSignal {
    type Output = Series<HttpStatusCounts>;

    fn queries(&self) -> Result<Vec<MetricQuery>, QueryError> {
        let mut metrics = vec![&self.requests, &self.server_errors, &self.client_errors];
        metrics.extend(&self.balancer_5xx);
        metrics
            .into_iter()
            .zip(IDS)
            .map(|(metric, id)| MetricQuery::stat(id, metric.clone(), Statistic::Sum, self.period))
            .collect()
    }

    fn read(&self, fetched: &[FetchedSeries]) -> Result<Self::Output, InputError> {
        let ids = &IDS[..3 + usize::from(self.balancer_5xx.is_some())];
        let rows = non_empty(union_rows(fetched, ids)?, || {
            format!("{} has no sample in the range", self.requests)
        })?;
        let points = rows
            .into_iter()
            .enumerate()
            .map(|(index, (at, values))| {
                let value = |i: usize| values.get(i).copied().flatten().unwrap_or(0.0);
                let balancer = value(3);
                let counts = HttpStatusCounts::new_at(
                    value(0) + balancer,
                    value(1) + balancer,
                    value(2),
                    Position::point(index, at),
                )?;
                Ok((at, counts))
            })
            .collect::<Result<Vec<_>, sli_core::Error>>()?;
        Ok(Series::new(points)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::read_signal;
    use crate::memory::InMemorySource;
    use chrono::{TimeDelta, TimeZone, Utc};
    use sli_core::catalog::ClientErrors;

    #[test]
    fn alb_minutes_with_an_outage_worked_by_hand() {
        let signal = HttpErrorsSignal::alb_targets("app/checkout/50dc6c495c0c9188")
            .unwrap()
            .with_load_balancer_5xx()
            .unwrap();
        let source = InMemorySource::new();
        let t = |m| Utc.with_ymd_and_hms(2024, 5, 1, 0, m, 0).unwrap();
        let put = |metric: &Metric, points: &[(u32, f64)]| {
            source
                .insert(metric.clone(), points.iter().map(|&(m, v)| (t(m), v)))
                .unwrap();
        };
        // Minute 0: 1,000 requests, 1 target 5xx, 40 target 4xx. Minute 1: no target answers:
        // no RequestCount, 300 load-balancer 503s. Minute 2: 500 requests, nothing else.
        put(signal.requests(), &[(0, 1000.0), (2, 500.0)]);
        put(signal.server_errors(), &[(0, 1.0)]);
        put(signal.client_errors(), &[(0, 40.0)]);
        let elb = Metric::new("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count")
            .unwrap()
            .with_dimension("LoadBalancer", "app/checkout/50dc6c495c0c9188")
            .unwrap();
        put(&elb, &[(1, 300.0)]);
        let minutes = read_signal(&source, &signal, None).unwrap();
        let rows: Vec<(f64, f64, f64)> = minutes
            .values()
            .iter()
            .map(|c| (c.requests(), c.server_errors(), c.client_errors()))
            .collect();
        assert_eq!(
            rows,
            [(1000.0, 1.0, 40.0), (300.0, 300.0, 0.0), (500.0, 0.0, 0.0)]
        );
        // 301 bad of 1,800, with 4xx good.
        let sum = ClientErrors::Good.counts(&minutes).unwrap().sum().unwrap();
        assert_eq!((sum.bad(), sum.total()), (301.0, 1800.0));
        // Without the balancer's codes the outage minute has no requests at all.
        let plain = HttpErrorsSignal::alb_targets("app/checkout/50dc6c495c0c9188").unwrap();
        assert_eq!(read_signal(&source, &plain, None).unwrap().len(), 2);
    }

    #[test]
    fn errors_without_requests_are_refused() {
        let signal = HttpErrorsSignal::api_gateway_rest("orders", "prod").unwrap();
        let source = InMemorySource::new();
        let t = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        source
            .insert(signal.requests().clone(), [(t, 10.0)])
            .unwrap();
        source
            .insert(
                signal.server_errors().clone(),
                [(t + TimeDelta::minutes(1), 3.0)],
            )
            .unwrap();
        let crate::ReadError::Input(InputError::Sli(err)) =
            read_signal(&source, &signal, None).unwrap_err()
        else {
            panic!("not an SLI input error");
        };
        assert!(
            err.to_string()
                .starts_with("5xx + 4xx exceed requests: 3 > 0 at point 1"),
            "{err}"
        );
        let queries = signal.queries().unwrap();
        assert_eq!(queries.len(), 3);
        assert_eq!(
            *queries[1].kind(),
            crate::query::QueryKind::Stat {
                metric: Metric::new("AWS/ApiGateway", "5XXError")
                    .unwrap()
                    .with_dimension("ApiName", "orders")
                    .unwrap()
                    .with_dimension("Stage", "prod")
                    .unwrap(),
                stat: Statistic::Sum,
                period: Period::MINUTE,
            }
        );
    }
}
