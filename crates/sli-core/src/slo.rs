//! [`Slo`]: a complete SLO definition (what is measured, the target, the window, how the budget
//! is counted) and [`SloReport`], its state over a window of data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::budget::ErrorBudget;
use crate::budgeting::{Attainment, BudgetingMethod};
use crate::counts::EventCounts;
use crate::error::{Error, Result};
use crate::missing::MissingData;
use crate::objective::Objective;
use crate::series::Series;
use crate::sli::Sli;
use crate::window::{Interval, Window};

/// A service level objective: an SLI, a target and the window it is measured over.
///
/// Serialises to and from JSON (or any serde format); deserialisation validates the target and
/// spans, and [`Slo::validate`] checks the rest.
///
/// # Example
/// ```
/// use sli_core::{Objective, Slo, Sli, Span, Window};
///
/// let slo = Slo::new("checkout-availability", Objective::from_percent(99.9)?,
///     Window::rolling(Span::from_days(30)?), Sli::EventRatio);
/// let json = serde_json::to_string(&slo).unwrap();
/// assert_eq!(serde_json::from_str::<Slo>(&json).unwrap(), slo);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Slo {
    /// A name unique among the caller's SLOs.
    pub name: String,
    /// The target.
    pub objective: Objective,
    /// The window the target applies to.
    pub window: Window,
    /// What is measured.
    pub sli: Sli,
    /// How the window's data becomes the SLI value.
    #[serde(default)]
    pub budgeting: BudgetingMethod,
    /// What a window or slice with no data counts as.
    #[serde(default)]
    pub missing_data: MissingData,
    /// Windows with fewer events than this are "no data" (a low-traffic guard); `0` means any
    /// event counts.
    #[serde(default)]
    pub min_events: f64,
}

/// An SLO's state over one window of data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloReport {
    /// The window evaluated.
    pub window: Interval,
    /// The first and last datapoint found in it, `None` when there were none. When it is
    /// shorter than the window, the figures cover only the data: nothing is extrapolated.
    pub data_span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Good out of total, in events or slices.
    pub attainment: Attainment,
    /// Whether the SLI meets the objective; `None` without data.
    pub met: Option<bool>,
    /// The error budget; `None` without data.
    pub budget: Option<ErrorBudget>,
    /// The burn rate averaged over the data in the window; `None` without data.
    pub burn_rate: Option<f64>,
    /// When the budget runs out if spending continues at `burn_rate` from the end of the data.
    pub exhausted_at: Option<DateTime<Utc>>,
}

impl Slo {
    /// An SLO with the default budgeting method (Occurrences), missing data skipped and no
    /// minimum event count.
    pub fn new(name: impl Into<String>, objective: Objective, window: Window, sli: Sli) -> Self {
        Self {
            name: name.into(),
            objective,
            window,
            sli,
            budgeting: BudgetingMethod::Occurrences,
            missing_data: MissingData::Skip,
            min_events: 0.0,
        }
    }

    /// Checks what types alone cannot: a finite non-negative `min_events`, a valid slice
    /// target, a non-empty name.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the field.
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::InvalidParameter {
                field: "name",
                value: f64::NAN,
                reason: "must not be empty",
            });
        }
        if !(self.min_events.is_finite() && self.min_events >= 0.0) {
            return Err(Error::InvalidParameter {
                field: "min_events",
                value: self.min_events,
                reason: "must be finite and non-negative",
            });
        }
        self.budgeting.validate()
    }

    /// The SLO's state over the window that holds `at` (the rolling window ending at `at`, or
    /// the calendar period containing `at`, up to `at`).
    ///
    /// # Errors
    /// As [`Slo::validate`] and [`BudgetingMethod::attainment`].
    ///
    /// # Example
    /// ```
    /// use chrono::{TimeDelta, TimeZone, Utc};
    /// use sli_core::{catalog, Series};
    ///
    /// let slo = catalog::availability("api"); // 99.9 % over 30 days
    /// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    /// let series = Series::from_counts((0..1440).map(|m| {
    ///     (t0 + TimeDelta::minutes(m), if m < 10 { 900.0 } else { 1000.0 }, 1000.0)
    /// }))?;
    /// let report = slo.report(&series, t0 + TimeDelta::days(1))?;
    /// let budget = report.budget.unwrap();
    /// assert!((budget.consumed_fraction() - 1000.0 / 1440.0).abs() < 1e-9);
    /// assert_eq!(report.met, Some(true));
    /// # Ok::<(), sli_core::Error>(())
    /// ```
    pub fn report(&self, series: &Series<EventCounts>, at: DateTime<Utc>) -> Result<SloReport> {
        self.validate()?;
        let full = self.window.containing(at)?;
        let window = if full.end > at {
            Interval::new(full.start, at)?
        } else {
            full
        };
        let attainment = self
            .budgeting
            .attainment(series, window, self.missing_data)?;
        let data = series.between(window.start, window.end);
        let ratio = attainment
            .ratio()
            .filter(|_| attainment.total >= self.min_events);
        let budget = ratio.and_then(|_| attainment.budget(self.objective, full.length()));
        let burn_rate = ratio.map(|r| (1.0 - r) / self.objective.error_budget());
        let period = self.window.nominal_length();
        let data_end = data.as_ref().map(|d| d.last_time());
        let exhausted_at = match (budget, burn_rate, data_end) {
            (Some(b), Some(rate), Some(end)) => crate::burn::BurnRate::new(rate)
                .ok()
                .and_then(|rate| b.exhausted_at(end, rate, period)),
            _ => None,
        };
        Ok(SloReport {
            window,
            data_span: data.map(|d| (d.first_time(), d.last_time())),
            met: ratio.map(|r| r >= self.objective.target()),
            attainment,
            budget,
            burn_rate,
            exhausted_at,
        })
    }
}
