//! F8 cost runaway: daily spend from the month-to-date `EstimatedCharges`, against its
//! trailing trend, with a month-end forecast.

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use sli_core::Severity;

use crate::detector::{Detector, MetricDetector, join};
use crate::error::{Error, Result, count, positive};
use crate::finding::{Evidence, Finding};
use crate::mode::FailureMode;
use crate::stats::{RobustBaseline, TrendForecast};

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
    /// [`Error::InvalidInput`] for an amount that is NaN, infinite or negative.
    ///
    /// # Example
    /// ```
    /// use aws_telemetry::DailyCost;
    /// use chrono::NaiveDate;
    /// use failure_modes::ChargeSample;
    ///
    /// let cost = |m, d, amount| DailyCost {
    ///     day: NaiveDate::from_ymd_opt(2026, m, d).unwrap(), amount, unit: "USD".into(), estimated: false,
    /// };
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
            let this_month = (day.day.year(), day.day.month());
            if month != Some(this_month) {
                month = Some(this_month);
                total = 0.0;
            }
            total += day.amount;
            readings.push(Self {
                at,
                estimated_charges: total,
            });
        }
        Ok(readings)
    }
}

/// Settings of [`CostRunaway`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostConfig {
    /// Today's spend at this multiple of the trend is a ticket (the seed: "alert at 2x trend").
    pub ticket_multiple: f64,
    /// At this multiple, something is burning money: page (kill switches).
    pub page_multiple: f64,
    /// Completed days in the trailing baseline.
    pub trailing_days: usize,
    /// Completed days seen before any finding.
    pub warm_up_days: usize,
    /// Spend below this per day is never a runaway (cents do not page anyone).
    pub min_daily_spend: f64,
}

impl Default for CostConfig {
    fn default() -> Self {
        Self {
            ticket_multiple: 2.0,
            page_multiple: 10.0,
            trailing_days: 14,
            warm_up_days: 7,
            min_daily_spend: 1.0,
        }
    }
}

/// F8: spend running away from its trend.
///
/// `EstimatedCharges` is cumulative over the calendar month and resets on the 1st: a day's
/// spend is its last reading minus the previous day's last reading, and the first day of a
/// month starts from zero, so the reset is never a negative spend. A fall within a month (a
/// credit or refund) is not spend: the day is floored at zero. A day whose opening is unknown
/// — the first day seen (unless it is the 1st), or a day after a day without readings — is
/// neither judged nor learned.
///
/// The trend is a Theil–Sen line over the last [`CostConfig::trailing_days`] completed days,
/// extrapolated to today, and never below their median (a falling trend should not make a
/// normal day look like a spike). As readings arrive, today's spend so far is compared with it:
/// at [`CostConfig::ticket_multiple`] × a ticket (a cost warning, by the seed's guidance), at
/// [`CostConfig::page_multiple`] × a page; each once per day. The evidence gives the month-end
/// forecast: month to date plus the trend for each remaining day. Score: spend / trend.
///
/// Signal: `AWS/Billing` `EstimatedCharges`, dimension `Currency`, `Maximum`, 6 h — published
/// in us-east-1 only, a few times a day, when billing alerts are enabled.
///
/// # Example
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{ChargeSample, CostRunaway, Detector};
///
/// let mut f8 = CostRunaway::new("USD", Default::default())?;
/// let start = Utc.with_ymd_and_hms(2026, 10, 20, 0, 0, 0).unwrap();
/// let mut total = 0.0;
/// let mut samples = Vec::new();
/// for hour in 0..24 * 20 {
///     let at = start + Duration::hours(hour);
///     if at.format("%d").to_string() == "01" && at.format("%H").to_string() == "00" { total = 0.0; }
///     let day = hour / 24;
///     total += if day == 17 { 40.0 } else { 4.0 }; // 96 a day, then a runaway job
///     samples.push(ChargeSample { at, estimated_charges: total });
/// }
/// let findings = f8.detect(samples)?;
/// // Nov 6: a ticket once the day passes 2x the trend (04:00), a page at 10x (23:00).
/// assert_eq!(findings.len(), 2);
/// assert_eq!(findings[0].end, Utc.with_ymd_and_hms(2026, 11, 6, 4, 0, 0).unwrap());
/// assert_eq!(findings[1].severity, sli_core::Severity::Page);
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CostRunaway {
    currency: String,
    config: CostConfig,
    last: Option<DateTime<Utc>>,
    day: Option<NaiveDate>,
    /// Month-to-date at the end of the previous day (0 on the 1st).
    day_opening: f64,
    /// Latest month-to-date reading.
    month_to_date: f64,
    trend: TrendForecast,
    median: RobustBaseline,
    days: usize,
    reported: [bool; 2],
    /// Expected spend per day, from the completed days.
    expected_daily: Option<f64>,
    /// `false` when today's opening is unknown: the first day seen (unless the 1st), or a
    /// day after a day without readings (its first reading holds both days' spend).
    judged_today: bool,
}

impl CostRunaway {
    /// A detector for the account's charges in `currency` (the `Currency` dimension, e.g.
    /// `"USD"`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for multiples or spend that are not positive, or fewer than 2
    /// trailing days.
    pub fn new(currency: &str, config: CostConfig) -> Result<Self> {
        positive("ticket_multiple", config.ticket_multiple)?;
        positive("page_multiple", config.page_multiple)?;
        positive("min_daily_spend", config.min_daily_spend)?;
        Ok(Self {
            currency: currency.to_owned(),
            trend: TrendForecast::new(config.trailing_days)?,
            median: RobustBaseline::new(config.trailing_days)?,
            config,
            last: None,
            day: None,
            day_opening: 0.0,
            month_to_date: 0.0,
            days: 0,
            reported: [false; 2],
            judged_today: true,
            expected_daily: None,
        })
    }

    /// Expected spend for the next day: the trend, floored at the trailing median. Computed
    /// when a day closes, as nothing it depends on changes in between.
    fn compute_expected_daily(&self) -> Option<f64> {
        let median = self.median.median()?;
        let trend = self
            .trend
            .level()
            .zip(self.trend.slope())
            .map_or(median, |(level, slope)| level + slope);
        Some(trend.max(median).max(self.config.min_daily_spend))
    }

    /// Month-to-date plus the expected spend of each remaining day of the month, after the
    /// latest reading; `None` before the first completed day.
    pub fn month_end_forecast(&self) -> Option<f64> {
        let (last, expected) = (self.last?, self.expected_daily?);
        let today_spent = (self.month_to_date - self.day_opening).max(0.0);
        let remaining_today = (expected - today_spent).max(0.0);
        Some(self.month_to_date + remaining_today + expected * remaining_days(last) as f64)
    }
}

/// Whole days after `at`'s day until the end of its month.
fn remaining_days(at: DateTime<Utc>) -> i64 {
    let date = at.date_naive();
    let first = date.with_day(1).unwrap_or(date);
    first
        .checked_add_months(Months::new(1))
        .map_or(0, |next| (next - date).num_days() - 1)
}

impl Detector for CostRunaway {
    type Input = ChargeSample;

    fn mode(&self) -> FailureMode {
        FailureMode::CostRunaway
    }

    fn push(&mut self, sample: ChargeSample) -> Result<Vec<Finding>> {
        let at = sample.at;
        let charges = count("estimated_charges", sample.estimated_charges, at)?;
        if let Some(previous) = self.last
            && at <= previous
        {
            return Err(Error::OutOfOrder { previous, at });
        }
        let date = at.date_naive();
        if let Some(day) = self.day
            && day != date
        {
            // Only whole days teach the baseline: not the first day seen (it opened before the
            // first reading) nor a day after a day without readings (it holds both days).
            if self.judged_today {
                let spent = (self.month_to_date - self.day_opening).max(0.0);
                self.trend.push(spent)?;
                self.median.push(spent)?;
                self.expected_daily = self.compute_expected_daily();
                self.days += 1;
            }
            self.reported = [false; 2];
            self.day_opening = self.month_to_date;
            self.judged_today = (date - day).num_days() == 1 || date.day() == 1;
        } else if self.day.is_none() {
            // The first reading: today's opening is known only on the 1st (the reset).
            self.judged_today = date.day() == 1;
        }
        if self
            .day
            .is_none_or(|day| (day.year(), day.month()) != (date.year(), date.month()))
        {
            self.day_opening = 0.0;
        }
        self.day = Some(date);
        self.last = Some(at);
        self.month_to_date = charges;
        let Some(expected) = self.expected_daily else {
            return Ok(Vec::new());
        };
        if self.days < self.config.warm_up_days || !self.judged_today {
            return Ok(Vec::new());
        }
        let today = (charges - self.day_opening).max(0.0);
        let mut findings = Vec::new();
        for (slot, severity, multiple) in [
            (0, Severity::Ticket, self.config.ticket_multiple),
            (1, Severity::Page, self.config.page_multiple),
        ] {
            if self.reported[slot] || today < multiple * expected {
                continue;
            }
            self.reported[slot] = true;
            let forecast = self.month_end_forecast().unwrap_or(charges);
            let day_start = date.and_hms_opt(0, 0, 0).map_or(at, |d| d.and_utc());
            findings.push(Finding::new(
                FailureMode::CostRunaway,
                severity,
                format!("account charges ({})", self.currency),
                day_start,
                at,
                Evidence {
                    observed: today,
                    baseline: expected,
                    threshold: multiple * expected,
                    score: today / expected,
                    detail: format!(
                        "{today:.2} {c} spent today against a trend of {expected:.2} {c} a day; \
                         month-end forecast {forecast:.2} {c}",
                        c = self.currency
                    ),
                },
            ));
        }
        Ok(findings)
    }
}

impl MetricDetector for CostRunaway {
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
