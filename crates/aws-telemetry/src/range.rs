//! The ranges a source is asked over: [`TimeRange`] (instants, for metrics, audit events and
//! deploys) and [`DateRange`] (UTC days, for daily cost). Neither can be empty, whichever way
//! it is built.

use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::QueryError;

/// The half-open time range `[start, end)` of a fetch; never empty.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use aws_telemetry::{QueryError, TimeRange};
///
/// let start = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let end = Utc.with_ymd_and_hms(2024, 5, 31, 0, 0, 0).unwrap();
/// let may = TimeRange::new(start, end)?;
/// assert_eq!(may.length().num_days(), 30);
/// assert_eq!(may.to_string(), "[2024-05-01T00:00:00Z, 2024-05-31T00:00:00Z)");
/// assert!(TimeRange::new(end, start).is_err());
///
/// // A document is held to the same rule.
/// let reversed = r#"{"start": "2024-05-31T00:00:00Z", "end": "2024-05-01T00:00:00Z"}"#;
/// let err = serde_json::from_str::<TimeRange>(reversed).unwrap_err();
/// assert!(err.to_string().starts_with(&TimeRange::new(end, start).unwrap_err().to_string()));
/// # Ok::<(), QueryError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "TimeRangeFields")]
pub struct TimeRange {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

/// A [`TimeRange`] as a document has it, before validation.
#[derive(Deserialize)]
struct TimeRangeFields {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl TryFrom<TimeRangeFields> for TimeRange {
    type Error = QueryError;

    fn try_from(fields: TimeRangeFields) -> Result<Self, QueryError> {
        Self::new(fields.start, fields.end)
    }
}

impl TimeRange {
    /// The range `[start, end)`.
    ///
    /// # Errors
    /// [`QueryError::InvalidTimeRange`] when `end <= start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, QueryError> {
        if end <= start {
            return Err(QueryError::InvalidTimeRange { start, end });
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

    /// `true` when `at` is inside: `start <= at < end`.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }
}

impl fmt::Display for TimeRange {
    /// `[start, end)` in RFC 3339, e.g. `[2024-05-01T00:00:00Z, 2024-05-31T00:00:00Z)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "[{}, {})",
            self.start.to_rfc3339_opts(SecondsFormat::AutoSi, true),
            self.end.to_rfc3339_opts(SecondsFormat::AutoSi, true)
        )
    }
}

/// A half-open range of UTC days `[start, end)`, as Cost Explorer's `TimePeriod` takes them;
/// never empty.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use aws_telemetry::{DateRange, QueryError};
///
/// let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
/// let range = DateRange::new(day(1), day(8))?;
/// assert_eq!(range.days(), 7);
/// assert_eq!(range.to_string(), "[2026-11-01, 2026-11-08)");
/// assert!(matches!(DateRange::new(day(8), day(8)), Err(QueryError::InvalidDateRange { .. })));
/// # Ok::<(), QueryError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "DateRangeFields")]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

/// A [`DateRange`] as a document has it, before validation.
#[derive(Deserialize)]
struct DateRangeFields {
    start: NaiveDate,
    end: NaiveDate,
}

impl TryFrom<DateRangeFields> for DateRange {
    type Error = QueryError;

    fn try_from(fields: DateRangeFields) -> Result<Self, QueryError> {
        Self::new(fields.start, fields.end)
    }
}

impl DateRange {
    /// The days from `start` up to `end`, which is excluded.
    ///
    /// # Errors
    /// [`QueryError::InvalidDateRange`] when `end <= start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self, QueryError> {
        if end <= start {
            return Err(QueryError::InvalidDateRange { start, end });
        }
        Ok(Self { start, end })
    }

    /// The first day.
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// The day after the last.
    pub const fn end(&self) -> NaiveDate {
        self.end
    }

    /// How many days it holds (at least 1).
    pub fn days(&self) -> u64 {
        // `end > start`, so the difference is positive.
        (self.end - self.start).num_days().unsigned_abs()
    }

    /// `true` when `day` is inside: `start <= day < end`.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }
}

impl fmt::Display for DateRange {
    /// `[start, end)`, e.g. `[2026-11-01, 2026-11-08)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.start, self.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn deserializing_a_time_range_checks_what_new_checks() {
        let t = |h| Utc.with_ymd_and_hms(2024, 5, 1, h, 0, 0).unwrap();
        for (start, end) in [(t(2), t(1)), (t(1), t(1))] {
            let json = serde_json::json!({ "start": start, "end": end }).to_string();
            let err = serde_json::from_str::<TimeRange>(&json)
                .unwrap_err()
                .to_string();
            let want = TimeRange::new(start, end).unwrap_err();
            assert_eq!(want, QueryError::InvalidTimeRange { start, end });
            assert!(err.starts_with(&want.to_string()), "{err}");
        }
        let ok = TimeRange::new(t(1), t(2)).unwrap();
        let back: TimeRange = serde_json::from_str(&serde_json::to_string(&ok).unwrap()).unwrap();
        assert_eq!(back, ok);
        assert!(ok.contains(t(1)) && !ok.contains(t(2)));
    }

    #[test]
    fn deserializing_a_date_range_checks_what_new_checks() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        for (start, end) in [(d(9), d(8)), (d(8), d(8))] {
            let json = serde_json::json!({ "start": start, "end": end }).to_string();
            let err = serde_json::from_str::<DateRange>(&json)
                .unwrap_err()
                .to_string();
            let want = DateRange::new(start, end).unwrap_err();
            assert_eq!(want, QueryError::InvalidDateRange { start, end });
            assert!(err.starts_with(&want.to_string()), "{err}");
        }
        let ok = DateRange::new(d(1), d(3)).unwrap();
        let back: DateRange = serde_json::from_str(&serde_json::to_string(&ok).unwrap()).unwrap();
        assert_eq!(back, ok);
        assert_eq!(ok.days(), 2);
        assert!(ok.contains(d(2)) && !ok.contains(d(3)));
    }
}
