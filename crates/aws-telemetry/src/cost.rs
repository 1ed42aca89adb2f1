//! Daily cost (F8): [`DailyCost`], one day's spend; [`daily_spend`], which derives it from
//! CloudWatch's month-to-date `AWS/Billing` `EstimatedCharges`; the [`CostSource`] trait and
//! its in-memory implementation [`InMemoryCostSource`]. The Cost Explorer adapter
//! (`GetCostAndUsage`, daily, `UnblendedCost`) is `CostExplorerSource` (feature
//! `costexplorer`); **every Cost Explorer request is billed** ($0.01 per request).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{InputError, ServiceError};
use crate::range::DateRange;

/// One UTC day's spend.
///
/// A plain record of what the source reports: fields are public; build one with
/// [`DailyCost::new`] and [`DailyCost::with_estimated`], since fields may be added.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use aws_telemetry::DailyCost;
///
/// let day = DailyCost::new(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(), 12.5, "USD").with_estimated(true);
/// assert_eq!(day.to_string(), "2026-11-01: 12.50 USD (estimated)");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DailyCost {
    /// The day (UTC).
    pub day: NaiveDate,
    /// Spend on that day.
    pub amount: f64,
    /// Currency or unit, e.g. `USD`.
    pub unit: String,
    /// `true` when the figure is an estimate (Cost Explorer's `Estimated`, or any day derived
    /// from `EstimatedCharges`).
    pub estimated: bool,
}

impl DailyCost {
    /// `amount` spent on `day`, in `unit` (e.g. `USD`), final (not an estimate).
    pub fn new(day: NaiveDate, amount: f64, unit: impl Into<String>) -> Self {
        Self {
            day,
            amount,
            unit: unit.into(),
            estimated: false,
        }
    }

    /// The same day, marked as an estimate or not.
    #[must_use]
    pub fn with_estimated(mut self, estimated: bool) -> Self {
        self.estimated = estimated;
        self
    }
}

impl fmt::Display for DailyCost {
    /// `day: amount unit`, the amount to the cent, and ` (estimated)` for an estimate.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {:.2} {}", self.day, self.amount, self.unit)?;
        if self.estimated {
            f.write_str(" (estimated)")?;
        }
        Ok(())
    }
}

/// Daily spend from month-to-date `EstimatedCharges` readings (`AWS/Billing`, dimension
/// `Currency`, published in us-east-1 only), as fetched: `(time, value)` in any order.
///
/// A day's spend is the difference of daily maxima: the day's highest reading less the
/// previous day's highest. The charges reset on the 1st of each month (UTC), so the 1st's
/// spend is its own maximum, never a negative difference. A day within a month whose previous
/// day has no reading is left out (its rise covers several days, which cannot be told apart),
/// and a fall within a month (a credit or refund) is floored at zero spend: the same rules as
/// `failure_modes::CostRunaway`.
///
/// # Errors
/// [`InputError::InvalidValue`] for a reading that is NaN, infinite or negative, naming its
/// position.
///
/// # Example
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use aws_telemetry::daily_spend;
///
/// let at = |m, d, h| Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap();
/// let readings = [
///     (at(10, 30, 6), 290.0), (at(10, 30, 18), 300.0),
///     (at(10, 31, 6), 305.0), (at(10, 31, 18), 312.0),
///     (at(11, 1, 6), 4.0), (at(11, 1, 18), 11.0), // reset: 11, not -301
/// ];
/// let days = daily_spend(&readings, "USD")?;
/// assert_eq!(days.len(), 2); // Oct 30 has no previous day
/// assert_eq!(days[0].day, NaiveDate::from_ymd_opt(2026, 10, 31).unwrap());
/// assert_eq!(days[0].amount, 12.0);
/// assert_eq!(days[1].amount, 11.0);
/// # Ok::<(), aws_telemetry::InputError>(())
/// ```
pub fn daily_spend(
    readings: &[(DateTime<Utc>, f64)],
    unit: &str,
) -> Result<Vec<DailyCost>, InputError> {
    let mut maxima: BTreeMap<NaiveDate, f64> = BTreeMap::new();
    for (index, &(at, value)) in readings.iter().enumerate() {
        if !value.is_finite() || value < 0.0 {
            return Err(InputError::InvalidValue {
                what: "EstimatedCharges",
                index,
                at,
                value,
            });
        }
        let max = maxima.entry(at.date_naive()).or_insert(value);
        *max = max.max(value);
    }
    let mut days = Vec::with_capacity(maxima.len());
    let mut previous: Option<(NaiveDate, f64)> = None;
    for (&day, &max) in &maxima {
        let opening = if day.day() == 1 {
            Some(0.0)
        } else {
            previous
                .filter(|(prev, _)| prev.succ_opt() == Some(day))
                .map(|(_, prev_max)| prev_max)
        };
        if let Some(opening) = opening {
            days.push(DailyCost {
                day,
                amount: (max - opening).max(0.0),
                unit: unit.to_owned(),
                estimated: true,
            });
        }
        previous = Some((day, max));
    }
    Ok(days)
}

/// A source of daily cost: Cost Explorer, memory.
///
/// Object safe and `Send + Sync`: hold it as `Arc<dyn CostSource>`.
#[async_trait]
pub trait CostSource: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// Spend per day of `range`, oldest first; days the source has no figure for are left
    /// out.
    ///
    /// # Errors
    /// The backend's [`ServiceError`].
    async fn daily_costs(&self, range: &DateRange) -> Result<Vec<DailyCost>, ServiceError>;
}

/// Daily costs put in by the caller; clones share them.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use aws_telemetry::{CostSource, DailyCost, DateRange, InMemoryCostSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let source = InMemoryCostSource::new();
/// let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
/// source.extend((1..=5).map(|d| DailyCost::new(day(d), 10.0, "USD")));
/// assert_eq!(source.daily_costs(&DateRange::new(day(2), day(4))?).await?.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct InMemoryCostSource {
    days: Arc<RwLock<BTreeMap<NaiveDate, DailyCost>>>,
}

impl InMemoryCostSource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds days, replacing those already held for the same day.
    pub fn extend(&self, days: impl IntoIterator<Item = DailyCost>) {
        let mut stored = self.days.write().unwrap_or_else(|e| e.into_inner());
        for day in days {
            stored.insert(day.day, day);
        }
    }
}

impl fmt::Display for InMemoryCostSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.days.read().map_or(0, |d| d.len());
        write!(f, "InMemoryCostSource({count} days)")
    }
}

#[async_trait]
impl CostSource for InMemoryCostSource {
    async fn daily_costs(&self, range: &DateRange) -> Result<Vec<DailyCost>, ServiceError> {
        Ok(self
            .days
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .range(range.start()..range.end())
            .map(|(_, d)| d.clone())
            .collect())
    }
}
