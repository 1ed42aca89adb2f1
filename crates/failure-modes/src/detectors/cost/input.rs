//! What F8 is given: readings of the month-to-date charges ([`ChargeSample`]) and the
//! one-off charges a caller declares ([`OneOffCharge`]).

use chrono::{DateTime, Datelike, NaiveDate, Utc};

#[cfg(doc)]
use super::CostRunaway;
use crate::error::{Error, Result};

/// One reading of the month-to-date charges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChargeSample {
    /// When it was read.
    pub at: DateTime<Utc>,
    /// `EstimatedCharges`: spend since the 1st of the month (UTC), in the account's currency.
    pub estimated_charges: f64,
}

impl ChargeSample {
    /// Month-to-date readings from daily costs (an [`aws_telemetry::CostSource`], e.g. Cost
    /// Explorer's `GetCostAndUsage`): one reading at the last second of each day (UTC), the sum
    /// of that month's days so far, restarting on the 1st. Days are sorted first; a day missing
    /// from the input leaves a gap, which [`CostRunaway`] does not judge across.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an amount that is NaN, infinite or negative, or that brings
    /// the month's total past [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE);
    /// [`Error::UnusableFact`] for a day in another unit (currency) than the earliest day's.
    ///
    /// # Example
    /// ```
    /// use failure_modes::DailyCost;
    /// use failure_modes::chrono::NaiveDate;
    /// use failure_modes::ChargeSample;
    ///
    /// let cost = |m, d, amount| DailyCost::new(NaiveDate::from_ymd_opt(2026, m, d).unwrap(), amount, "USD");
    /// let readings = ChargeSample::from_daily_costs(&[cost(10, 31, 5.0), cost(11, 2, 3.0), cost(11, 1, 2.0)])?;
    /// let totals: Vec<f64> = readings.iter().map(|r| r.estimated_charges).collect();
    /// assert_eq!(totals, [5.0, 2.0, 5.0]);
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn from_daily_costs(days: &[aws_telemetry::DailyCost]) -> Result<Vec<Self>> {
        let mut sorted: Vec<&aws_telemetry::DailyCost> = days.iter().collect();
        sorted.sort_by_key(|d| d.day);
        let mut readings = Vec::with_capacity(sorted.len());
        let mut month = None;
        let mut total = 0.0;
        // A month's total adds days up: they must be in one currency.
        let unit = sorted.first().map(|d| d.unit.as_str());
        for day in sorted {
            let at = day
                .day
                .and_hms_opt(23, 59, 59)
                .map(|t| t.and_utc())
                .unwrap_or_default();
            if !day.amount.is_finite() || day.amount < 0.0 {
                return Err(Error::InvalidInput {
                    field: "amount",
                    value: day.amount,
                    at,
                    reason: "a day's cost must be finite and >= 0",
                });
            }
            if let Some(unit) = unit.filter(|&u| u != day.unit) {
                return Err(Error::UnusableFact {
                    subject: format!("the cost of {}", day.day),
                    reason: format!(
                        "is in {:?}, and the days before it in {unit:?}: a month's total cannot add two currencies",
                        day.unit
                    ),
                });
            }
            let this_month = (day.day.year(), day.day.month());
            if month != Some(this_month) {
                month = Some(this_month);
                total = 0.0;
            }
            total += day.amount;
            if total > crate::MAX_MAGNITUDE {
                // The detector refuses such a reading: say which day's cost took it there.
                return Err(Error::InvalidInput {
                    field: "amount",
                    value: day.amount,
                    at,
                    reason: "the month's total to this day passes the largest value a metric holds (MAX_MAGNITUDE)",
                });
            }
            readings.push(Self {
                at,
                estimated_charges: total,
            });
        }
        Ok(readings)
    }
}

/// A charge the caller knows is coming and is not a runaway: an annual support fee, a
/// reserved-instance or savings-plan purchase, a marketplace subscription. Declared to
/// [`CostRunaway::declare`], its amount is taken out of its day's spend, for judging and for
/// learning.
#[derive(Debug, Clone, PartialEq)]
pub struct OneOffCharge {
    /// The day (UTC) on which it shows in the month-to-date charges.
    pub day: NaiveDate,
    /// Its amount, in the detector's currency.
    pub amount: f64,
    /// What it is, for errors and evidence (e.g. `"Business support, annual"`).
    pub description: String,
}
