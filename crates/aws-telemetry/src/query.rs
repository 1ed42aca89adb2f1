//! What to fetch: metrics, statistics, periods, query ids and time ranges, as the toolkit's own
//! types (no SDK type appears here), validated against CloudWatch's rules on construction.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A metric dimension, e.g. `LoadBalancer = app/checkout/50dc6c495c0c9188`.
///
/// CloudWatch's rules ([`Dimension` in the API reference](https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html)),
/// checked by [`Metric::with_dimension`]: names and values are ASCII only, without control
/// characters, with at least one character that is not whitespace; a name does not start
/// with a colon.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Dimension {
    /// Dimension name (1–255 characters).
    pub name: String,
    /// Dimension value (1–1024 characters).
    pub value: String,
}

/// A CloudWatch metric: namespace, name and dimensions.
///
/// # Example
/// ```
/// use aws_telemetry::Metric;
///
/// let requests = Metric::new("AWS/ApplicationELB", "RequestCount")?
///     .with_dimension("LoadBalancer", "app/checkout/50dc6c495c0c9188")?;
/// assert_eq!(requests.dimensions.len(), 1);
/// assert!(Metric::new("", "RequestCount").is_err());
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Metric {
    /// Namespace, e.g. `AWS/ApplicationELB` (1–255 characters).
    pub namespace: String,
    /// Metric name, e.g. `RequestCount` (1–255 characters).
    pub name: String,
    /// Dimensions, sorted by name (at most 30).
    pub dimensions: Vec<Dimension>,
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<()> {
    let reason = if value.is_empty() {
        "must not be empty"
    } else if value.chars().count() > max {
        "is too long"
    } else if value.chars().any(char::is_control) {
        "must not contain control characters"
    } else {
        return Ok(());
    };
    Err(Error::InvalidMetric {
        field,
        value: value.to_owned(),
        reason,
    })
}

/// The rules CloudWatch adds for dimension names and values to [`check_text`]'s: ASCII only,
/// not only whitespace, and (names) no leading colon.
fn check_dimension_text(field: &'static str, value: &str) -> Result<()> {
    let reason = if !value.is_ascii() {
        "must contain only ASCII characters"
    } else if value.chars().all(|c| c.is_ascii_whitespace()) {
        "must include at least one character that is not whitespace"
    } else if field == "dimension name" && value.starts_with(':') {
        "must not start with a colon"
    } else {
        return Ok(());
    };
    Err(Error::InvalidMetric {
        field,
        value: value.to_owned(),
        reason,
    })
}

impl Metric {
    /// A metric without dimensions.
    ///
    /// # Errors
    /// [`Error::InvalidMetric`] for an empty or too long namespace or name.
    pub fn new(namespace: impl Into<String>, name: impl Into<String>) -> Result<Self> {
        let (namespace, name) = (namespace.into(), name.into());
        check_text("namespace", &namespace, 255)?;
        check_text("name", &name, 255)?;
        Ok(Self {
            namespace,
            name,
            dimensions: Vec::new(),
        })
    }

    /// Adds a dimension (kept sorted by name; a repeated name replaces the value).
    ///
    /// # Errors
    /// [`Error::InvalidMetric`] for a bad name or value (see [`Dimension`] for CloudWatch's
    /// rules), or a 31st dimension.
    pub fn with_dimension(
        mut self,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Result<Self> {
        let (name, value) = (name.into(), value.into());
        check_text("dimension name", &name, 255)?;
        check_dimension_text("dimension name", &name)?;
        check_text("dimension value", &value, 1024)?;
        check_dimension_text("dimension value", &value)?;
        match self.dimensions.binary_search_by(|d| d.name.cmp(&name)) {
            Ok(i) => self.dimensions[i].value = value,
            Err(_) if self.dimensions.len() == 30 => {
                return Err(Error::InvalidMetric {
                    field: "dimensions",
                    value: name,
                    reason: "a metric has at most 30 dimensions",
                });
            }
            Err(i) => self.dimensions.insert(i, Dimension { name, value }),
        }
        Ok(self)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)?;
        for d in &self.dimensions {
            write!(f, " {}={}", d.name, d.value)?;
        }
        Ok(())
    }
}

/// A CloudWatch statistic, including extended statistics.
///
/// Written as CloudWatch writes them: `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount`,
/// `p95`, `p99.9`, and the percentile rank `PR(:300)` (the percentage of samples at or under
/// 300), which is what latency threshold SLIs need.
///
/// # Example
/// ```
/// use aws_telemetry::Statistic;
///
/// assert_eq!("p99.9".parse::<Statistic>()?, Statistic::Percentile(99.9));
/// assert_eq!("PR(:300)".parse::<Statistic>()?, Statistic::PercentileRank { upper: 300.0 });
/// assert_eq!(Statistic::PercentileRank { upper: 300.0 }.to_string(), "PR(:300)");
/// assert!("p101".parse::<Statistic>().is_err());
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum Statistic {
    /// Sum of the values.
    Sum,
    /// Mean of the values.
    Average,
    /// Smallest value.
    Minimum,
    /// Largest value.
    Maximum,
    /// Number of values.
    SampleCount,
    /// The percentile, in (0, 100], e.g. `95.0` for p95.
    Percentile(f64),
    /// The percentage of values at or under `upper`.
    PercentileRank {
        /// The inclusive upper bound.
        upper: f64,
    },
}

impl fmt::Display for Statistic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sum => f.write_str("Sum"),
            Self::Average => f.write_str("Average"),
            Self::Minimum => f.write_str("Minimum"),
            Self::Maximum => f.write_str("Maximum"),
            Self::SampleCount => f.write_str("SampleCount"),
            Self::Percentile(p) => write!(f, "p{p}"),
            Self::PercentileRank { upper } => write!(f, "PR(:{upper})"),
        }
    }
}

impl FromStr for Statistic {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let unknown = || Error::UnknownStatistic {
            text: text.to_owned(),
        };
        Ok(match text {
            "Sum" => Self::Sum,
            "Average" => Self::Average,
            "Minimum" => Self::Minimum,
            "Maximum" => Self::Maximum,
            "SampleCount" => Self::SampleCount,
            _ => {
                if let Some(p) = text.strip_prefix('p') {
                    let p: f64 = p.parse().map_err(|_| unknown())?;
                    if !(p > 0.0 && p <= 100.0) {
                        return Err(unknown());
                    }
                    Self::Percentile(p)
                } else if let Some(bound) =
                    text.strip_prefix("PR(:").and_then(|t| t.strip_suffix(')'))
                {
                    let upper: f64 = bound.parse().map_err(|_| unknown())?;
                    if !upper.is_finite() {
                        return Err(unknown());
                    }
                    Self::PercentileRank { upper }
                } else {
                    return Err(unknown());
                }
            }
        })
    }
}

impl TryFrom<String> for Statistic {
    type Error = Error;
    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<Statistic> for String {
    fn from(s: Statistic) -> Self {
        s.to_string()
    }
}

/// The aggregation period of a query, in seconds: 1, 5, 10 or 30 (high resolution), or a
/// multiple of 60, as CloudWatch requires.
///
/// # Example
/// ```
/// use aws_telemetry::Period;
/// assert_eq!(Period::new(300)?.seconds(), 300);
/// assert!(Period::new(7).is_err());
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Period(u32);

impl Period {
    /// One minute, the resolution of standard AWS metrics.
    pub const MINUTE: Self = Self(60);

    /// A period of `seconds`.
    ///
    /// # Errors
    /// [`Error::InvalidPeriod`] unless 1, 5, 10, 30 or a positive multiple of 60.
    pub fn new(seconds: u32) -> Result<Self> {
        if seconds > i32::MAX as u32 {
            return Err(Error::InvalidPeriod {
                seconds,
                reason: "must fit CloudWatch's 32-bit signed period",
            });
        }
        if matches!(seconds, 1 | 5 | 10 | 30) || (seconds > 0 && seconds.is_multiple_of(60)) {
            Ok(Self(seconds))
        } else {
            Err(Error::InvalidPeriod {
                seconds,
                reason: "must be 1, 5, 10, 30 or a multiple of 60",
            })
        }
    }

    /// The period in seconds.
    pub const fn seconds(self) -> u32 {
        self.0
    }

    /// The period as a [`TimeDelta`].
    pub fn as_time_delta(self) -> TimeDelta {
        TimeDelta::seconds(i64::from(self.0))
    }
}

impl TryFrom<u32> for Period {
    type Error = Error;
    fn try_from(seconds: u32) -> Result<Self> {
        Self::new(seconds)
    }
}

impl From<Period> for u32 {
    fn from(p: Period) -> Self {
        p.0
    }
}

/// A query id: starts with a lowercase letter, then letters, digits and underscores, at most
/// 255 characters (CloudWatch's rule for `MetricDataQuery.Id`).
///
/// # Example
/// ```
/// use aws_telemetry::QueryId;
/// assert!(QueryId::new("requests_5xx").is_ok());
/// assert!(QueryId::new("5xx").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QueryId(String);

impl QueryId {
    /// A query id.
    ///
    /// # Errors
    /// [`Error::InvalidQuery`] when the id breaks CloudWatch's rule.
    pub fn new(id: impl Into<String>) -> Result<Self> {
        let id = id.into();
        let mut chars = id.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if first_ok && rest_ok && id.len() <= 255 {
            Ok(Self(id))
        } else {
            Err(Error::InvalidQuery {
                id,
                reason: "an id starts with a lowercase letter and holds only letters, digits and _ (at most 255)"
                    .into(),
            })
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for QueryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for QueryId {
    type Error = Error;
    fn try_from(id: String) -> Result<Self> {
        Self::new(id)
    }
}

impl From<QueryId> for String {
    fn from(id: QueryId) -> Self {
        id.0
    }
}

/// What one query asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QueryKind {
    /// A statistic of a metric per period.
    Stat {
        /// The metric.
        metric: Metric,
        /// The statistic.
        stat: Statistic,
        /// The period.
        period: Period,
    },
    /// A metric-math expression over other queries' ids, e.g. `errors / requests`.
    Expression {
        /// The expression.
        expression: String,
        /// The period of the result.
        period: Period,
    },
}

/// One query: an id, what to fetch, and an optional label.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, MetricQuery, Period, Statistic};
///
/// let q = MetricQuery::stat("requests", Metric::new("AWS/ApplicationELB", "RequestCount")?,
///     Statistic::Sum, Period::MINUTE)?;
/// assert_eq!(q.id.as_str(), "requests");
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricQuery {
    /// The id results are returned under.
    pub id: QueryId,
    /// What is fetched.
    pub kind: QueryKind,
    /// A human label.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl MetricQuery {
    /// A statistic query.
    ///
    /// # Errors
    /// [`Error::InvalidQuery`] for a bad id or an invalid percentile.
    pub fn stat(id: &str, metric: Metric, stat: Statistic, period: Period) -> Result<Self> {
        Ok(Self {
            id: QueryId::new(id)?,
            kind: QueryKind::Stat {
                metric,
                stat,
                period,
            },
            label: None,
        })
    }

    /// A metric-math query.
    ///
    /// # Errors
    /// [`Error::InvalidQuery`] for a bad id or an empty expression.
    pub fn expression(id: &str, expression: impl Into<String>, period: Period) -> Result<Self> {
        let expression = expression.into();
        if expression.trim().is_empty() {
            return Err(Error::InvalidQuery {
                id: id.to_owned(),
                reason: "the expression is empty".into(),
            });
        }
        Ok(Self {
            id: QueryId::new(id)?,
            kind: QueryKind::Expression { expression, period },
            label: None,
        })
    }

    /// Checks what the public fields allow but CloudWatch refuses: a percentile outside
    /// (0, 100], a non-finite percentile-rank bound, an empty expression.
    ///
    /// # Errors
    /// [`Error::InvalidQuery`] naming the query.
    pub fn validate(&self) -> Result<()> {
        let invalid = |reason: &str| Error::InvalidQuery {
            id: self.id.to_string(),
            reason: reason.to_owned(),
        };
        match &self.kind {
            QueryKind::Stat {
                stat: Statistic::Percentile(p),
                ..
            } if !(*p > 0.0 && *p <= 100.0) => Err(invalid("a percentile must be within (0, 100]")),
            QueryKind::Stat {
                stat: Statistic::PercentileRank { upper },
                ..
            } if !upper.is_finite() => Err(invalid("a percentile-rank bound must be finite")),
            QueryKind::Expression { expression, .. } if expression.trim().is_empty() => {
                Err(invalid("the expression is empty"))
            }
            _ => Ok(()),
        }
    }

    /// The query's period.
    pub fn period(&self) -> Period {
        match &self.kind {
            QueryKind::Stat { period, .. } | QueryKind::Expression { period, .. } => *period,
        }
    }
}

/// The half-open time range `[start, end)` of a fetch.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::TimeRange;
///
/// let start = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let end = Utc.with_ymd_and_hms(2024, 5, 31, 0, 0, 0).unwrap();
/// assert_eq!(TimeRange::new(start, end)?.length().num_days(), 30);
/// assert!(TimeRange::new(end, start).is_err());
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TimeRange {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TimeRange {
    /// The range `[start, end)`.
    ///
    /// # Errors
    /// [`Error::InvalidTimeRange`] when `end <= start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self> {
        if end <= start {
            return Err(Error::InvalidTimeRange { start, end });
        }
        Ok(Self { start, end })
    }

    /// First instant inside.
    pub const fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// First instant after.
    pub const fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// `end - start`.
    pub fn length(&self) -> TimeDelta {
        self.end - self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dimensions_follow_cloudwatch_rules() {
        // Found by the hostile-input probe: whitespace-only and non-ASCII names and values
        // passed the validation that claims CloudWatch's rules.
        let metric = || Metric::new("AWS/ApplicationELB", "RequestCount").unwrap();
        for (name, value, field) in [
            ("   ", "v", "dimension name"),
            ("LoadBalancer", " \t ", "dimension value"),
            ("Région", "v", "dimension name"),
            ("LoadBalancer", "app/caf\u{e9}", "dimension value"),
            (":Name", "v", "dimension name"),
        ] {
            let err = metric().with_dimension(name, value).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidMetric { field: f, .. } if *f == field),
                "{name:?}={value:?}: {err:?}"
            );
        }
        // A colon inside a name, spaces around text and every printable ASCII are fine.
        let ok = metric()
            .with_dimension("Name:Part", " spaced value ")
            .unwrap()
            .with_dimension("Printable", "!\"#$%&'()*+,-./0-9:;<=>?@A-Z[\\]^_`a-z{|}~")
            .unwrap();
        assert_eq!(ok.dimensions.len(), 2);
    }
}
