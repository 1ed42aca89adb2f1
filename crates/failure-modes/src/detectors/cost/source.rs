//! F8 fed from a [`MetricSource`](aws_telemetry::MetricSource): the query for
//! `AWS/Billing` `EstimatedCharges` and the readings from what it returns.

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic, TimeRange};
use chrono::{DateTime, Days, NaiveDate, Utc};

use super::{ChargeSample, CostRunaway};
use crate::detector::{MetricDetector, join};
use crate::error::{Error, Result, count};

impl MetricDetector for CostRunaway {
    fn observed_at(input: &ChargeSample) -> Option<DateTime<Utc>> {
        Some(input.at)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.latest()
    }

    fn check(&self, inputs: &[ChargeSample]) -> Result<()> {
        inputs.iter().try_for_each(|input| {
            count("estimated_charges", input.estimated_charges, input.at).map(drop)
        })
    }

    /// No declared one-off charge may be dated more than a year after `range`: no bill is
    /// declared that far ahead, so it is a wrong year (2062 for 2026), and the charge it
    /// stands for would be read as a runaway. Any other date is taken: a charge on a day
    /// already read is past, one on a day no run read (a scheduler that missed a day) is
    /// dropped when the detector passes it, and one after `range` is for a later run, so
    /// scheduled runs over a day at a time keep their one-offs.
    fn check_range(&self, range: &TimeRange) -> Result<()> {
        let last = range.end().date_naive();
        let too_far = last
            .checked_add_days(Days::new(366))
            .unwrap_or(NaiveDate::MAX);
        match self.one_offs.iter().find(|c| c.day > too_far) {
            Some(charge) => Err(Error::OneOffCharge {
                description: charge.description.clone(),
                day: charge.day,
                reason: format!(
                    "is dated more than a year after the range, which ends on {last}: a wrong year?"
                ),
            }),
            None => Ok(()),
        }
    }

    fn queries(&self) -> Result<Vec<MetricQuery>> {
        Ok(vec![MetricQuery::stat(
            "charges",
            Metric::new("AWS/Billing", "EstimatedCharges")?
                .with_dimension("Currency", &self.currency)?,
            Statistic::Maximum,
            Period::new(21_600)?,
        )?])
    }

    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<ChargeSample>> {
        Ok(join(fetched, &["charges"], &[])?
            .into_iter()
            .map(|(at, values, _)| ChargeSample {
                at,
                estimated_charges: values[0],
            })
            .collect())
    }
}
