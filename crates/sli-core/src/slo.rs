//! [`Slo`]: a complete SLO definition (what is measured, the target, the window, how the budget
//! is counted) and [`SloReport`], its state over a window of data.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::budget::{BudgetUnit, ErrorBudget};
use crate::budgeting::{Attainment, BudgetingMethod};
use crate::burn::BurnRate;
use crate::counts::EventCounts;
use crate::error::{Error, Result};
use crate::missing::MissingData;
use crate::objective::Objective;
use crate::series::Series;
use crate::sli::Sli;
use crate::span::Span;
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
#[non_exhaustive]
#[serde(deny_unknown_fields)]
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
    /// event counts. For the time-slice budgeting methods it counts slices.
    #[serde(default)]
    pub min_events: f64,
}

/// An SLO's state over one window of data.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{catalog, Series};
///
/// let slo = catalog::availability("api");
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let series = Series::from_counts((0..60).map(|m| (t0 + TimeDelta::minutes(m), 1000.0, 1000.0)))?;
/// let report = slo.report(&series, t0 + TimeDelta::hours(1))?;
/// assert_eq!(report.met, Some(true));
/// assert_eq!(report.exhausted_at, None); // nothing is burning
/// assert!((report.coverage - 1.0 / 720.0).abs() < 1e-12); // one hour of a 30-day window
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// When the budget runs out if spending continues at `burn_rate`: never (`None`) for a
    /// rolling window burning at 1x or less, or for a calendar window whose period ends first.
    pub exhausted_at: Option<DateTime<Utc>>,
    /// The share of the window the data spans, from the first datapoint to the report time
    /// (0 to 1). Below 1 the figures describe the data seen so far: an event budget's allowance
    /// is `(1 − target) × events seen`, so on a partial window its consumed fraction equals the
    /// average burn rate over the data; a time budget's allowance is always the whole window's
    /// `(1 − target) × length`.
    pub coverage: f64,
}

impl Slo {
    /// When the window's budget runs out if spending continues at `burn_rate` from `now`,
    /// `coverage` of the window having elapsed with data.
    ///
    /// The share of the whole window's budget spent so far is the consumed fraction for a time
    /// budget, and `consumed fraction × coverage` for an event budget (whose allowance counts
    /// only the events seen, so traffic is taken as spread evenly over the window). A rolling
    /// window forgets its oldest data as it moves, so at 1x or less its budget never runs out;
    /// above 1x the forecast ignores what will leave the window and is the earliest instant. A
    /// calendar window's budget resets when the period ends, so a forecast past the end is none.
    fn forecast_exhaustion(
        &self,
        budget: ErrorBudget,
        burn_rate: f64,
        coverage: f64,
        period: Interval,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let rate = BurnRate::new(burn_rate).ok()?;
        let spent = match budget.unit() {
            BudgetUnit::Events => budget.consumed_fraction() * coverage,
            BudgetUnit::Seconds => budget.consumed_fraction(),
        };
        let length = Span::from_time_delta(period.length()).ok()?;
        let at = if spent >= 1.0 {
            now
        } else {
            now.checked_add_signed(rate.time_to_exhaustion(length, 1.0 - spent)?)?
        };
        match self.window {
            Window::Rolling(_) if burn_rate <= 1.0 && spent < 1.0 => None,
            Window::Rolling(_) => Some(at),
            Window::Calendar(_) => (at < period.end()).then_some(at),
        }
    }

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

    /// The SLO with `budgeting` as its budgeting method.
    #[must_use]
    pub fn with_budgeting(mut self, budgeting: BudgetingMethod) -> Self {
        self.budgeting = budgeting;
        self
    }

    /// The SLO with `missing_data` as the treatment of windows without events.
    #[must_use]
    pub fn with_missing_data(mut self, missing_data: MissingData) -> Self {
        self.missing_data = missing_data;
        self
    }

    /// The SLO with a minimum number of events a window needs before it is judged (fewer is
    /// treated as missing data); [`Slo::validate`] checks it.
    #[must_use]
    pub fn with_min_events(mut self, min_events: f64) -> Self {
        self.min_events = min_events;
        self
    }

    /// Checks what types alone cannot: a finite non-negative `min_events`, a valid slice
    /// target, a non-empty name.
    ///
    /// # Errors
    /// [`Error::InvalidField`] naming `name` for an empty one; [`Error::InvalidParameter`]
    /// naming the field for a bad `min_events` or a bad number in the SLI (its threshold, its
    /// slice target).
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::InvalidField {
                field: "name",
                reason: "must not be empty",
            });
        }
        self.sli.validate()?;
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
    /// As [`Slo::validate`] and [`BudgetingMethod::attainment`]; [`Error::DateOutOfRange`]
    /// when the window holding `at` reaches past chrono's range.
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
        // The window of the last instant before `at`: at a calendar boundary (June 1st 00:00)
        // that is the period just ended (May), not an empty new one.
        let before =
            at.checked_sub_signed(TimeDelta::nanoseconds(1))
                .ok_or(Error::DateOutOfRange {
                    at,
                    what: "the instant before the report time",
                })?;
        let full = match self.window {
            Window::Rolling(_) => self.window.containing(at)?,
            Window::Calendar(_) => self.window.containing(before)?,
        };
        let window = if full.end() > at {
            Interval::new(full.start(), at)?
        } else {
            full
        };
        let attainment = self
            .budgeting
            .attainment(series, window, self.missing_data)?;
        let data = series.between(window.start(), window.end());
        let ratio = attainment
            .ratio()
            .filter(|_| attainment.total >= self.min_events);
        let budget = ratio.and_then(|_| attainment.budget(self.objective, full.length()));
        // From the bad share, `(total - good) / total` (exact subtraction for good >= total / 2),
        // not `1 - good / total`, whose cancellation keeps only a few digits of a small error
        // ratio; the same expression as `BurnRate::from_counts`.
        let burn_rate = ratio.map(|_| {
            (attainment.total - attainment.good) / attainment.total / self.objective.error_budget()
        });
        let coverage = data.as_ref().map_or(0.0, |d| {
            let covered = (window.end() - d.first_time()).num_seconds() as f64;
            (covered / full.length().num_seconds() as f64).clamp(0.0, 1.0)
        });
        let exhausted_at = match (budget, burn_rate) {
            (Some(b), Some(rate)) => {
                self.forecast_exhaustion(b, rate, coverage, full, window.end())
            }
            _ => None,
        };
        Ok(SloReport {
            coverage,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::CalendarPeriod;
    use chrono::TimeZone;

    fn minutes(from: DateTime<Utc>, n: i64, bad: f64) -> Series<EventCounts> {
        Series::from_counts((0..n).map(|m| (from + TimeDelta::minutes(m), 1000.0 - bad, 1000.0)))
            .unwrap()
    }

    #[test]
    fn report_at_calendar_boundary_is_the_period_just_ended() {
        let may = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let june = Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap();
        let slo = Slo::new(
            "m",
            Objective::new(0.999).unwrap(),
            Window::calendar(CalendarPeriod::Month),
            Sli::EventRatio,
        );
        let series = minutes(may, 31 * 1440, 0.5);
        let report = slo.report(&series, june).unwrap();
        assert_eq!(report.window, Interval::new(may, june).unwrap());
        assert!((report.coverage - 1.0).abs() < 1e-12);
        assert!((report.budget.unwrap().consumed_fraction() - 0.5).abs() < 1e-9);
        // Burning at 0.5x, the month ends before the budget does.
        assert_eq!(report.exhausted_at, None);
    }

    /// Near the ends of chrono's range the calendar period cannot be computed: a typed error,
    /// not a panic.
    #[test]
    fn report_at_the_end_of_time_is_an_error() {
        let slo = Slo::new(
            "m",
            Objective::new(0.999).unwrap(),
            Window::calendar(CalendarPeriod::Month),
            Sli::EventRatio,
        );
        let series = minutes(Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(), 10, 0.0);
        for at in [DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC] {
            assert!(matches!(
                slo.report(&series, at),
                Err(Error::DateOutOfRange { .. })
            ));
        }
    }

    /// A calendar day in New York with the spring-forward change has 23 hours: a time budget
    /// is 23 hours' worth.
    #[test]
    fn dst_day_budget_is_23_hours() {
        let ny = crate::window::CalendarWindow::new(
            CalendarPeriod::Day,
            "America/New_York".parse().unwrap(),
        );
        let mut slo = Slo::new(
            "d",
            Objective::new(0.99).unwrap(),
            Window::Calendar(ny),
            Sli::EventRatio,
        );
        slo.budgeting = BudgetingMethod::Timeslices {
            slice: Span::MINUTE,
            slice_target: 0.99,
        };
        // 00:00 EST on 10 March 2024 is 05:00 UTC; the day ends at 04:00 UTC on the 11th.
        let start = Utc.with_ymd_and_hms(2024, 3, 10, 5, 0, 0).unwrap();
        let series = minutes(start, 23 * 60, 0.0);
        let report = slo.report(&series, start + TimeDelta::hours(23)).unwrap();
        assert_eq!(report.window.length(), TimeDelta::hours(23));
        let budget = report.budget.unwrap();
        // 1 % of 23 hours.
        assert!(
            (budget.allowed() - 0.01 * 23.0 * 3600.0).abs() < 1e-6,
            "{budget:?}"
        );
    }

    #[test]
    fn rolling_budget_below_1x_never_runs_out() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let slo = Slo::new(
            "r",
            Objective::new(0.999).unwrap(),
            Window::rolling(Span::from_days(30).unwrap()),
            Sli::EventRatio,
        );
        let calm = slo
            .report(&minutes(t0, 1440, 0.5), t0 + TimeDelta::days(1))
            .unwrap();
        assert_eq!(calm.exhausted_at, None);
        assert!((calm.coverage - 1.0 / 30.0).abs() < 1e-9);
        // One day at 2x spends 2/30 of the window's budget: the rest lasts 30 d × (28/30) / 2
        // = 14 days more, at the earliest.
        let hot = slo
            .report(&minutes(t0, 1440, 2.0), t0 + TimeDelta::days(1))
            .unwrap();
        let budget = hot.budget.unwrap();
        assert!(
            (budget.consumed_fraction() - 2.0).abs() < 1e-9,
            "{budget:?}"
        );
        let at = hot.exhausted_at.unwrap();
        assert!(
            (at - (t0 + TimeDelta::days(15))).num_seconds().abs() <= 1,
            "{at}"
        );
    }

    /// The report's burn rate is the error ratio over the budget, to the last bit: it was
    /// `1 - good / total`, which loses the error ratio's digits to cancellation (one bad
    /// request in 10^9 read 1.0000000827e-9, found by `tools/differential/budgets.py`).
    #[test]
    fn report_burn_rate_keeps_the_digits_of_a_small_error_ratio() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        // A target of 1/2 is exact in binary, so only the burn rate's own arithmetic shows.
        let objective = Objective::new(0.5).unwrap();
        let slo = Slo::new("s", objective, Window::rolling(Span::DAY), Sli::EventRatio);
        let counts = EventCounts::new(1e9 - 1.0, 1e9).unwrap();
        let series = Series::from_counts([(t0, counts.good(), counts.total())]).unwrap();
        let report = slo.report(&series, t0 + TimeDelta::hours(1)).unwrap();
        assert_eq!(report.burn_rate, Some(2e-9));
        assert_eq!(
            report.burn_rate,
            BurnRate::from_counts(counts, objective).map(BurnRate::get)
        );
    }
}
