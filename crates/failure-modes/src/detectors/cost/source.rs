//! F8 fed from a [`MetricSource`](aws_telemetry::MetricSource): the query for
//! `AWS/Billing` `EstimatedCharges` and the readings from what it returns.

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic, TimeRange};

use super::{ChargeSample, CostRunaway};
use crate::detector::{MetricDetector, join};
use crate::error::{Error, Result};

impl MetricDetector for CostRunaway {
    /// Every declared one-off charge must fall within `range`: one outside it can only be a
    /// mistake (a wrong year, a wrong account).
    fn check_range(&self, range: &TimeRange) -> Result<()> {
        let (first, last) = (range.start().date_naive(), range.end().date_naive());
        match self.one_offs.iter().find(|c| c.day < first || c.day > last) {
            Some(charge) => Err(Error::OneOffCharge {
                description: charge.description.clone(),
                day: charge.day,
                reason: format!("is dated outside the range {first} .. {last}"),
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
