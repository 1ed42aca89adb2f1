//! M3, error rate: server errors (5xx) over requests, with client errors (4xx) kept apart
//! unless the caller says they are the service's fault.

use serde::{Deserialize, Serialize};

use crate::counts::{EventCounts, MAX_COUNT, check_count};
use crate::error::{Error, Position, Result};
use crate::series::Series;

/// What client errors (HTTP 4xx) count as in the M3 error rate.
///
/// A 4xx is usually the caller's mistake (a bad request, a missing token, a rate limit doing its
/// job): the SRE Workbook's availability SLI counts "any HTTP status other than 500–599" as
/// success. But a storm of 4xx from one misbehaving client can then move the error rate, one way
/// or the other, and some 4xx are the service's own fault (a 404 from a link it serves). Choose:
///
/// | variant | bad | total | a 4xx storm from one client |
/// |---|---|---|---|
/// | [`Good`](ClientErrors::Good) (default) | 5xx | requests | burns nothing, dilutes the ratio |
/// | [`Excluded`](ClientErrors::Excluded) | 5xx | requests − 4xx | burns nothing, changes nothing |
/// | [`Bad`](ClientErrors::Bad) | 5xx + 4xx | requests | burns the budget |
///
/// # Example
/// ```
/// use sli_core::catalog::{ClientErrors, HttpStatusCounts};
///
/// // 1,000 requests: 2 server errors, and 600 client errors from one client's retry storm.
/// let minute = HttpStatusCounts::new(1000.0, 2.0, 600.0)?;
/// assert_eq!(minute.counts(ClientErrors::Good)?.error_ratio(), Some(0.002));     // 2 / 1000
/// assert_eq!(minute.counts(ClientErrors::Excluded)?.error_ratio(), Some(0.005)); // 2 / 400
/// assert_eq!(minute.counts(ClientErrors::Bad)?.error_ratio(), Some(0.602));      // 602 / 1000
/// assert_eq!(minute.client_error_ratio(), Some(0.6)); // reported apart, whatever the choice
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClientErrors {
    /// A 4xx is a request served as intended: good. The error rate is 5xx / requests, as the
    /// M3 row measures it.
    #[default]
    Good,
    /// 4xx responses are left out of the SLI: 5xx / (requests − 4xx). Neither the budget nor
    /// the ratio moves with client traffic that fails on its own account.
    Excluded,
    /// A 4xx is a failure: (5xx + 4xx) / requests, the M3 row's "fraction of 5xx or 4xx". Use it
    /// when client errors are the service's fault.
    Bad,
}

/// Requests over one interval with their server (5xx) and client (4xx) error counts, as HTTP
/// services publish them (API Gateway `Count`, `5XXError`, `4XXError`; ALB `RequestCount`,
/// `HTTPCode_Target_5XX_Count`, `HTTPCode_Target_4XX_Count`).
///
/// Every count is finite, non-negative and at most [`MAX_COUNT`], and `5xx + 4xx <= requests`.
///
/// # Example
/// ```
/// use sli_core::catalog::HttpStatusCounts;
///
/// let minute = HttpStatusCounts::new(1200.0, 3.0, 40.0)?;
/// assert_eq!(minute.server_error_ratio(), Some(0.0025));
/// assert!(HttpStatusCounts::new(10.0, 6.0, 5.0).is_err()); // 11 errors of 10 requests
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "RawStatusCounts", into = "RawStatusCounts")]
pub struct HttpStatusCounts {
    requests: f64,
    server_errors: f64,
    client_errors: f64,
}

#[derive(Serialize, Deserialize)]
struct RawStatusCounts {
    requests: f64,
    server_errors: f64,
    client_errors: f64,
}

impl TryFrom<RawStatusCounts> for HttpStatusCounts {
    type Error = Error;
    fn try_from(raw: RawStatusCounts) -> Result<Self> {
        Self::new(raw.requests, raw.server_errors, raw.client_errors)
    }
}

impl From<HttpStatusCounts> for RawStatusCounts {
    fn from(c: HttpStatusCounts) -> Self {
        Self {
            requests: c.requests,
            server_errors: c.server_errors,
            client_errors: c.client_errors,
        }
    }
}

impl HttpStatusCounts {
    /// `requests`, of which `server_errors` got a 5xx and `client_errors` a 4xx.
    ///
    /// # Errors
    /// [`Error::InvalidCount`] for a count that is NaN, infinite, negative or above
    /// [`MAX_COUNT`]; [`Error::PartExceedsWhole`] for errors that outnumber the requests.
    pub fn new(requests: f64, server_errors: f64, client_errors: f64) -> Result<Self> {
        Self::new_at(requests, server_errors, client_errors, Position::NONE)
    }

    /// As [`HttpStatusCounts::new`], with the position reported in errors.
    ///
    /// # Errors
    /// As [`HttpStatusCounts::new`].
    pub fn new_at(
        requests: f64,
        server_errors: f64,
        client_errors: f64,
        position: Position,
    ) -> Result<Self> {
        let requests = check_count("requests", requests, position)?;
        let server_errors = check_count("5xx", server_errors, position)?;
        let client_errors = check_count("4xx", client_errors, position)?;
        if server_errors + client_errors > requests {
            return Err(Error::PartExceedsWhole {
                what: "5xx + 4xx exceed requests",
                part: server_errors + client_errors,
                whole: requests,
                position,
            });
        }
        Ok(Self {
            requests,
            server_errors,
            client_errors,
        })
    }

    /// All requests.
    pub const fn requests(self) -> f64 {
        self.requests
    }

    /// Requests answered with a 5xx.
    pub const fn server_errors(self) -> f64 {
        self.server_errors
    }

    /// Requests answered with a 4xx.
    pub const fn client_errors(self) -> f64 {
        self.client_errors
    }

    /// 5xx / requests, `None` without requests.
    pub fn server_error_ratio(self) -> Option<f64> {
        (self.requests > 0.0).then(|| self.server_errors / self.requests)
    }

    /// 4xx / requests, `None` without requests: the client errors, kept apart from the SLI.
    pub fn client_error_ratio(self) -> Option<f64> {
        (self.requests > 0.0).then(|| self.client_errors / self.requests)
    }

    /// The good and total events of the M3 SLI, client errors counted as `client` says.
    ///
    /// # Errors
    /// None for counts built by this type; the `Result` carries [`EventCounts`]' own checks.
    pub fn counts(self, client: ClientErrors) -> Result<EventCounts> {
        let (bad, total) = match client {
            ClientErrors::Good => (self.server_errors, self.requests),
            ClientErrors::Excluded => (self.server_errors, self.requests - self.client_errors),
            ClientErrors::Bad => (self.server_errors + self.client_errors, self.requests),
        };
        EventCounts::new(total - bad, total)
    }

    /// The sum of two intervals' counts.
    ///
    /// # Errors
    /// [`Error::CountOverflow`] when the requests would exceed [`MAX_COUNT`].
    pub fn checked_add(self, other: Self) -> Result<Self> {
        if self.requests > MAX_COUNT - other.requests {
            return Err(Error::CountOverflow {
                value: self.requests + other.requests,
            });
        }
        Ok(Self {
            requests: self.requests + other.requests,
            server_errors: self.server_errors + other.server_errors,
            client_errors: self.client_errors + other.client_errors,
        })
    }
}

impl ClientErrors {
    /// The M3 SLI's counts for every point of `series`, ready for any evaluator.
    ///
    /// # Errors
    /// As [`HttpStatusCounts::counts`].
    ///
    /// # Example
    /// ```
    /// use chrono::{TimeDelta, TimeZone, Utc};
    /// use sli_core::catalog::{ClientErrors, HttpStatusCounts};
    /// use sli_core::Series;
    ///
    /// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    /// let series = Series::new((0..3).map(|m| {
    ///     (t0 + TimeDelta::minutes(m), HttpStatusCounts::new(1000.0, 1.0, 50.0).unwrap())
    /// }))?;
    /// let counts = ClientErrors::Excluded.counts(&series)?;
    /// assert_eq!(counts.sum()?.total(), 2850.0);
    /// # Ok::<(), sli_core::Error>(())
    /// ```
    pub fn counts(self, series: &Series<HttpStatusCounts>) -> Result<Series<EventCounts>> {
        super::map_points(series, |_, c| c.counts(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone, Utc};

    /// The M3 row, worked by hand: an API serving 2,000 requests a minute with 1 server error
    /// (0.05 %, inside the 0.1 % target), hit for ten minutes by one client's storm of 3,000
    /// extra requests a minute, all refused with a 4xx.
    #[test]
    fn a_client_error_storm_burns_only_when_asked() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let series = Series::new((0..20).map(|m| {
            let storm = if (5..15).contains(&m) { 3000.0 } else { 0.0 };
            let counts = HttpStatusCounts::new(2000.0 + storm, 1.0, 10.0 + storm).unwrap();
            (t0 + TimeDelta::minutes(m), counts)
        }))
        .unwrap();
        let sum = |client: ClientErrors| client.counts(&series).unwrap().sum().unwrap();
        // Requests: 20 × 2,000 + 10 × 3,000 = 70,000; 5xx: 20; 4xx: 20 × 10 + 30,000 = 30,200.
        let good = sum(ClientErrors::Good);
        assert_eq!((good.bad(), good.total()), (20.0, 70_000.0));
        let excluded = sum(ClientErrors::Excluded);
        assert_eq!((excluded.bad(), excluded.total()), (20.0, 39_800.0));
        let bad = sum(ClientErrors::Bad);
        assert_eq!((bad.bad(), bad.total()), (30_220.0, 70_000.0));
        // Against the M3 target of 0.1 %: the storm leaves the server within its objective
        // unless 4xx count (20 / 39,800 = 0.050 %, 20 / 70,000 = 0.029 %, 30,220 / 70,000 = 43 %).
        let budget = crate::catalog::error_rate("api").objective.error_budget();
        assert!(excluded.error_ratio().unwrap() < budget);
        assert!(good.error_ratio().unwrap() < budget);
        assert!(bad.error_ratio().unwrap() > 400.0 * budget);
        // Outside the storm the exclusion changes the ratio only by the steady 10 4xx a minute:
        // 1 / 1,990 rather than 1 / 2,000.
        let quiet = series.values()[0];
        assert_eq!(
            quiet.counts(ClientErrors::Excluded).unwrap().error_ratio(),
            Some(1.0 / 1990.0)
        );
        assert_eq!(quiet.client_error_ratio(), Some(0.005));
    }

    #[test]
    fn counts_are_checked() {
        assert!(HttpStatusCounts::new(f64::NAN, 0.0, 0.0).is_err());
        assert!(HttpStatusCounts::new(10.0, -1.0, 0.0).is_err());
        let err = HttpStatusCounts::new(10.0, 6.0, 5.0).unwrap_err();
        assert_eq!(err.to_string(), "5xx + 4xx exceed requests: 11 > 10");
        assert_eq!(
            HttpStatusCounts::new(0.0, 0.0, 0.0)
                .unwrap()
                .server_error_ratio(),
            None
        );
        let all_4xx = HttpStatusCounts::new(5.0, 0.0, 5.0).unwrap();
        assert!(all_4xx.counts(ClientErrors::Excluded).unwrap().is_empty());
        assert!(
            serde_json::from_str::<HttpStatusCounts>(
                r#"{"requests":1,"server_errors":1,"client_errors":1}"#
            )
            .is_err()
        );
    }
}
