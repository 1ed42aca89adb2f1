//! F8 fed from a [`MetricSource`](aws_telemetry::MetricSource): the query for
//! `AWS/Billing` `EstimatedCharges` and the readings from what it returns.

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic, TimeRange};
use chrono::{DateTime, Utc};

use super::{ChargeSample, CostRunaway};
use crate::detector::{MetricDetector, join};
use crate::error::{Error, Result, count};

impl MetricDetector for CostRunaway {
    fn observed_at(input: &ChargeSample) -> Option<DateTime<Utc>> {
        Some(input.at)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.last
    }

    fn check(&self, input: &ChargeSample) -> Result<()> {
        count("estimated_charges", input.estimated_charges, input.at).map(drop)
    }

    /// No declared one-off charge may fall on a day the detector will never read: before
    /// `range` and after the last day it has read (any day before `range` for a detector that
    /// has read nothing). Such a charge can only be a mistake (a wrong year, a wrong account)
    /// or a gap between runs. A charge on a day the detector has read is past, and one after
    /// `range` is for a later run: scheduled runs over a day at a time keep their one-offs.
    fn check_range(&self, range: &TimeRange) -> Result<()> {
        let first = range.start().date_naive();
        let unread = |day| day < first && self.day.is_none_or(|read| day > read);
        match self.one_offs.iter().find(|c| unread(c.day)) {
            Some(charge) => Err(Error::OneOffCharge {
                description: charge.description.clone(),
                day: charge.day,
                reason: match self.day {
                    Some(read) => format!(
                        "is dated after the last day read ({read}) and before the range,                          which starts on {first}: no run reads it"
                    ),
                    None => format!("is dated before the range, which starts on {first}"),
                },
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
