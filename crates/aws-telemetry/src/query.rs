//! What to fetch: statistics, periods, query ids and queries, as the toolkit's own types (no
//! SDK type appears here), validated against CloudWatch's rules on construction and on
//! deserialization.

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use crate::error::QueryError;
use crate::metric::Metric;

/// A CloudWatch statistic, including extended statistics.
///
/// Written as CloudWatch writes them ("CloudWatch statistics definitions", Amazon CloudWatch
/// User Guide): `Sum`, `Average`, `Minimum`, `Maximum`, `SampleCount`, `p95`, `p99.9`, and the
/// percentile rank `PR(:300)` (the percentage of samples at or under 300), which is what
/// latency threshold SLIs need.
///
/// # Example
/// ```
/// use aws_telemetry::{QueryError, Statistic};
///
/// assert_eq!("p99.9".parse::<Statistic>()?, Statistic::Percentile(99.9));
/// assert_eq!("PR(:300)".parse::<Statistic>()?, Statistic::PercentileRank { upper: 300.0 });
/// assert_eq!(Statistic::PercentileRank { upper: 300.0 }.to_string(), "PR(:300)");
/// assert!(matches!("p101".parse::<Statistic>(), Err(QueryError::InvalidStatistic { .. })));
/// # Ok::<(), QueryError>(())
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

impl Statistic {
    /// The rule a statistic breaks, if any: a percentile outside (0, 100], a percentile-rank
    /// bound that is not finite.
    fn problem(self) -> Option<&'static str> {
        match self {
            Self::Percentile(p) if !(p > 0.0 && p <= 100.0) => {
                Some("a percentile must be within (0, 100]")
            }
            Self::PercentileRank { upper } if !upper.is_finite() => {
                Some("a percentile-rank bound must be finite")
            }
            _ => None,
        }
    }
}

impl fmt::Display for Statistic {
    /// As CloudWatch writes it: `Sum`, `p99.9`, `PR(:300)`.
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
    type Err = QueryError;

    /// # Errors
    /// [`QueryError::InvalidStatistic`] for a name that is not one of CloudWatch's, a
    /// percentile outside (0, 100], or a percentile-rank bound that is not a finite number.
    fn from_str(text: &str) -> Result<Self, QueryError> {
        let invalid = |reason| QueryError::InvalidStatistic {
            text: text.to_owned(),
            reason,
        };
        let unknown =
            || invalid("expected Sum, Average, Minimum, Maximum, SampleCount, pNN or PR(:bound)");
        let stat = match text {
            "Sum" => Self::Sum,
            "Average" => Self::Average,
            "Minimum" => Self::Minimum,
            "Maximum" => Self::Maximum,
            "SampleCount" => Self::SampleCount,
            _ => {
                if let Some(p) = text.strip_prefix('p') {
                    Self::Percentile(p.parse().map_err(|_| unknown())?)
                } else if let Some(bound) =
                    text.strip_prefix("PR(:").and_then(|t| t.strip_suffix(')'))
                {
                    Self::PercentileRank {
                        upper: bound.parse().map_err(|_| unknown())?,
                    }
                } else {
                    return Err(unknown());
                }
            }
        };
        match stat.problem() {
            Some(reason) => Err(invalid(reason)),
            None => Ok(stat),
        }
    }
}

impl TryFrom<String> for Statistic {
    type Error = QueryError;
    fn try_from(text: String) -> Result<Self, QueryError> {
        text.parse()
    }
}

impl From<Statistic> for String {
    fn from(s: Statistic) -> Self {
        s.to_string()
    }
}

/// The aggregation period of a query, in seconds: 1, 5, 10 or 30 (high resolution), or a
/// multiple of 60, as CloudWatch requires (`MetricStat.Period`, Amazon CloudWatch API
/// Reference).
///
/// # Example
/// ```
/// use aws_telemetry::{Period, QueryError};
/// assert_eq!(Period::new(300)?.seconds(), 300);
/// assert_eq!(Period::new(300)?.to_string(), "300 s");
/// assert!(Period::new(7).is_err());
/// assert!(serde_json::from_str::<Period>("7").is_err());
/// # Ok::<(), QueryError>(())
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
    /// [`QueryError::InvalidPeriod`] unless 1, 5, 10, 30 or a positive multiple of 60 that
    /// fits CloudWatch's 32-bit signed field.
    pub fn new(seconds: u32) -> Result<Self, QueryError> {
        if seconds > i32::MAX as u32 {
            return Err(QueryError::InvalidPeriod {
                seconds,
                reason: "must fit CloudWatch's 32-bit signed period",
            });
        }
        if matches!(seconds, 1 | 5 | 10 | 30) || (seconds > 0 && seconds.is_multiple_of(60)) {
            Ok(Self(seconds))
        } else {
            Err(QueryError::InvalidPeriod {
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

impl fmt::Display for Period {
    /// The seconds, e.g. `60 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} s", self.0)
    }
}

impl TryFrom<u32> for Period {
    type Error = QueryError;
    fn try_from(seconds: u32) -> Result<Self, QueryError> {
        Self::new(seconds)
    }
}

impl From<Period> for u32 {
    fn from(p: Period) -> Self {
        p.0
    }
}

/// A query id: starts with a lowercase letter, then ASCII letters, digits and underscores, at
/// most 255 characters (CloudWatch's rule for `MetricDataQuery.Id`).
///
/// # Example
/// ```
/// use aws_telemetry::QueryId;
/// assert!(QueryId::new("requests_5xx").is_ok());
/// assert!(QueryId::new("5xx").is_err());
/// assert!(serde_json::from_str::<QueryId>("\"5xx\"").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QueryId(String);

impl QueryId {
    /// A query id.
    ///
    /// # Errors
    /// [`QueryError::InvalidQueryId`] when the id breaks CloudWatch's rule.
    pub fn new(id: impl Into<String>) -> Result<Self, QueryError> {
        let id = id.into();
        let mut chars = id.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if first_ok && rest_ok && id.len() <= 255 {
            Ok(Self(id))
        } else {
            Err(QueryError::InvalidQueryId { id })
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
    type Error = QueryError;
    fn try_from(id: String) -> Result<Self, QueryError> {
        Self::new(id)
    }
}

impl From<QueryId> for String {
    fn from(id: QueryId) -> Self {
        id.0
    }
}

/// What one query asks for. CloudWatch may add kinds of query (Metrics Insights has), hence
/// `#[non_exhaustive]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
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

impl QueryKind {
    /// The period of the result.
    pub fn period(&self) -> Period {
        match self {
            Self::Stat { period, .. } | Self::Expression { period, .. } => *period,
        }
    }
}

impl fmt::Display for QueryKind {
    /// `Sum of AWS/ApplicationELB/RequestCount per 60 s`, or `errors / requests per 60 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Stat {
                metric,
                stat,
                period,
            } => write!(f, "{stat} of {metric} per {period}"),
            Self::Expression { expression, period } => write!(f, "{expression} per {period}"),
        }
    }
}

/// One query: an id, what to fetch, and an optional label. Valid once built: its statistic
/// is within CloudWatch's ranges and its expression is not empty, whether it was built by
/// [`MetricQuery::stat`], [`MetricQuery::expression`], [`MetricQuery::new`] or `serde`.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, MetricQuery, Period, QueryError, Statistic};
///
/// let q = MetricQuery::stat("requests", Metric::new("AWS/ApplicationELB", "RequestCount")?,
///     Statistic::Sum, Period::MINUTE)?.with_label("Requests");
/// assert_eq!(q.id().as_str(), "requests");
/// assert_eq!(q.to_string(), "requests: Sum of AWS/ApplicationELB/RequestCount per 60 s");
/// let p150 = MetricQuery::stat("slow", Metric::new("App", "Latency")?, Statistic::Percentile(150.0), Period::MINUTE);
/// assert!(matches!(p150, Err(QueryError::InvalidQuery { field: "stat", .. })));
/// # Ok::<(), QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MetricQueryFields")]
pub struct MetricQuery {
    id: QueryId,
    kind: QueryKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
}

/// A [`MetricQuery`] as a document has it, before the query-level checks.
#[derive(Deserialize)]
struct MetricQueryFields {
    id: QueryId,
    kind: QueryKind,
    #[serde(default)]
    label: Option<String>,
}

impl TryFrom<MetricQueryFields> for MetricQuery {
    type Error = QueryError;

    fn try_from(fields: MetricQueryFields) -> Result<Self, QueryError> {
        let query = Self::new(fields.id, fields.kind)?;
        Ok(Self {
            label: fields.label,
            ..query
        })
    }
}

impl MetricQuery {
    /// A query of `kind`, answered under `id`.
    ///
    /// # Errors
    /// [`QueryError::InvalidQuery`] for a percentile outside (0, 100], a percentile-rank
    /// bound that is not finite, or an empty expression.
    pub fn new(id: QueryId, kind: QueryKind) -> Result<Self, QueryError> {
        let invalid = |field, value: String, reason| QueryError::InvalidQuery {
            id: id.to_string(),
            field,
            value,
            reason,
        };
        match &kind {
            QueryKind::Stat { stat, .. } => {
                if let Some(reason) = stat.problem() {
                    return Err(invalid("stat", stat.to_string(), reason));
                }
            }
            QueryKind::Expression { expression, .. } => {
                if expression.trim().is_empty() {
                    return Err(invalid(
                        "expression",
                        expression.clone(),
                        "must not be empty",
                    ));
                }
            }
        }
        Ok(Self {
            id,
            kind,
            label: None,
        })
    }

    /// A statistic query.
    ///
    /// # Errors
    /// [`QueryError::InvalidQueryId`] for a bad id; [`QueryError::InvalidQuery`] for a
    /// percentile outside (0, 100] or a percentile-rank bound that is not finite.
    pub fn stat(
        id: &str,
        metric: Metric,
        stat: Statistic,
        period: Period,
    ) -> Result<Self, QueryError> {
        Self::new(
            QueryId::new(id)?,
            QueryKind::Stat {
                metric,
                stat,
                period,
            },
        )
    }

    /// A metric-math query.
    ///
    /// # Errors
    /// [`QueryError::InvalidQueryId`] for a bad id; [`QueryError::InvalidQuery`] for an empty
    /// expression.
    pub fn expression(
        id: &str,
        expression: impl Into<String>,
        period: Period,
    ) -> Result<Self, QueryError> {
        Self::new(
            QueryId::new(id)?,
            QueryKind::Expression {
                expression: expression.into(),
                period,
            },
        )
    }

    /// The same query with a human label (CloudWatch's `Label`).
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The id results are returned under.
    pub fn id(&self) -> &QueryId {
        &self.id
    }

    /// What is fetched.
    pub fn kind(&self) -> &QueryKind {
        &self.kind
    }

    /// The label, if one was given.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The query's period.
    pub fn period(&self) -> Period {
        self.kind.period()
    }
}

impl fmt::Display for MetricQuery {
    /// `id: kind`, e.g. `requests: Sum of AWS/ApplicationELB/RequestCount per 60 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.id, self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused<T: serde::de::DeserializeOwned + fmt::Debug>(json: &str) -> String {
        serde_json::from_str::<T>(json).unwrap_err().to_string()
    }

    #[test]
    fn statistics_parse_and_print_alike() {
        for text in [
            "Sum",
            "Average",
            "Minimum",
            "Maximum",
            "SampleCount",
            "p95",
            "p99.9",
            "PR(:300)",
            "PR(:0.25)",
        ] {
            assert_eq!(text.parse::<Statistic>().unwrap().to_string(), text);
        }
        for (text, reason) in [
            ("p0", "a percentile must be within (0, 100]"),
            ("p101", "a percentile must be within (0, 100]"),
            ("pNaN", "a percentile must be within (0, 100]"),
            ("PR(:inf)", "a percentile-rank bound must be finite"),
            (
                "Median",
                "expected Sum, Average, Minimum, Maximum, SampleCount, pNN or PR(:bound)",
            ),
            (
                "PR(:x)",
                "expected Sum, Average, Minimum, Maximum, SampleCount, pNN or PR(:bound)",
            ),
        ] {
            let err = text.parse::<Statistic>().unwrap_err();
            assert_eq!(
                err,
                QueryError::InvalidStatistic {
                    text: text.into(),
                    reason
                }
            );
            // serde goes through the same parse.
            let json = serde_json::to_string(text).unwrap();
            assert!(refused::<Statistic>(&json).starts_with(&err.to_string()));
        }
    }

    #[test]
    fn deserializing_a_period_or_an_id_checks_what_new_checks() {
        for seconds in [0u32, 7, 61, u32::MAX] {
            let want = Period::new(seconds).unwrap_err();
            assert!(refused::<Period>(&seconds.to_string()).starts_with(&want.to_string()));
        }
        assert_eq!(
            serde_json::from_str::<Period>("300").unwrap(),
            Period::new(300).unwrap()
        );
        for id in ["", "5xx", "Upper", "a-b", "é", &"a".repeat(256)] {
            let want = QueryId::new(id).unwrap_err();
            assert_eq!(want, QueryError::InvalidQueryId { id: id.into() });
            let json = serde_json::to_string(id).unwrap();
            assert!(refused::<QueryId>(&json).starts_with(&want.to_string()));
        }
    }

    #[test]
    fn deserializing_a_query_checks_what_the_constructors_check() {
        let metric = r#"{"namespace":"App","name":"Latency"}"#;
        let latency = Metric::new("App", "Latency").unwrap();
        let p150 = Statistic::Percentile(150.0);
        // The statistic's own parse refuses "p150" first; a document cannot carry it past.
        let json = format!(
            r#"{{"id":"slow","kind":{{"kind":"stat","metric":{metric},"stat":"p150","period":60}}}}"#
        );
        assert!(
            refused::<MetricQuery>(&json)
                .starts_with(&"p150".parse::<Statistic>().unwrap_err().to_string())
        );
        // Built in code, the query refuses it.
        assert_eq!(
            MetricQuery::stat("slow", latency.clone(), p150, Period::MINUTE).unwrap_err(),
            QueryError::InvalidQuery {
                id: "slow".into(),
                field: "stat",
                value: "p150".into(),
                reason: "a percentile must be within (0, 100]"
            }
        );
        // An empty expression, in code and in a document.
        let empty = MetricQuery::expression("ratio", "  ", Period::MINUTE).unwrap_err();
        let json = r#"{"id":"ratio","kind":{"kind":"expression","expression":"  ","period":60}}"#;
        assert!(
            refused::<MetricQuery>(json).starts_with(&empty.to_string()),
            "{}",
            refused::<MetricQuery>(json)
        );
        // A bad id, a bad period, a bad metric inside a query.
        let json = format!(
            r#"{{"id":"Bad","kind":{{"kind":"stat","metric":{metric},"stat":"Sum","period":60}}}}"#
        );
        assert!(
            refused::<MetricQuery>(&json)
                .starts_with(&QueryId::new("Bad").unwrap_err().to_string())
        );
        let json = format!(
            r#"{{"id":"q","kind":{{"kind":"stat","metric":{metric},"stat":"Sum","period":7}}}}"#
        );
        assert!(
            refused::<MetricQuery>(&json).starts_with(&Period::new(7).unwrap_err().to_string())
        );
        // A valid query round-trips, its label with it.
        let q = MetricQuery::stat("slow", latency, Statistic::Percentile(99.0), Period::MINUTE)
            .unwrap()
            .with_label("p99");
        let back: MetricQuery = serde_json::from_str(&serde_json::to_string(&q).unwrap()).unwrap();
        assert_eq!(back, q);
        assert_eq!(back.label(), Some("p99"));
    }

    #[test]
    fn display() {
        let q = MetricQuery::expression("ratio", "errors / requests", Period::new(300).unwrap())
            .unwrap();
        assert_eq!(q.to_string(), "ratio: errors / requests per 300 s");
    }
}
