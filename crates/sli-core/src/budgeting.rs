//! Budgeting methods, named as OpenSLO names them: how a window's counts become the SLI value
//! that is compared with the objective.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::budget::ErrorBudget;
use crate::counts::EventCounts;
use crate::error::{Error, Result};
use crate::missing::MissingData;
use crate::objective::Objective;
use crate::series::Series;
use crate::span::Span;
use crate::window::Interval;

/// Scores one slice's counts against the slice target: 1 or 0 for `Timeslices`, the success
/// ratio for `RatioTimeslices`, `None` for a slice without events.
type SliceScore = fn(EventCounts, f64) -> Option<f64>;

/// How an SLO's attainment is computed over its window (OpenSLO's `budgetingMethod`).
///
/// * `Occurrences` (the default): good events / total events over the window, weighted by
///   traffic. Never a mean of per-interval ratios, which under-states errors when traffic is
///   uneven (a failing busy hour weighs more than a quiet one).
/// * `Timeslices`: good slices / slices, a slice being good when its own ratio is at least
///   `slice_target`; the budget is bad *time*.
/// * `RatioTimeslices`: the mean of the slices' success ratios; the budget is bad time
///   weighted by each slice's error ratio.
///
/// Slices without events are resolved by the SLO's [`MissingData`] policy; one bad slice
/// costs one slice, never the whole window.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{BudgetingMethod, MissingData, Objective, Series, Span, Interval};
///
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let m = |k| t0 + TimeDelta::minutes(k);
/// // A quiet minute that fails completely and a busy minute that is clean.
/// let series = Series::from_counts([(m(0), 0.0, 10.0), (m(1), 990.0, 990.0)])?;
/// let window = Interval::new(t0, m(2))?;
/// let occurrences = BudgetingMethod::Occurrences.attainment(&series, window, MissingData::Skip)?;
/// assert_eq!(occurrences.ratio(), Some(0.99));
/// let ratio_slices = BudgetingMethod::RatioTimeslices { slice: Span::MINUTE }
///     .attainment(&series, window, MissingData::Skip)?;
/// assert_eq!(ratio_slices.ratio(), Some(0.5));
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "method", from = "BudgetingMethodKeys")]
#[non_exhaustive]
pub enum BudgetingMethod {
    /// Event-weighted: bad events / total events.
    #[default]
    Occurrences,
    /// Share of good slices, a slice being good when its ratio reaches `slice_target`.
    Timeslices {
        /// Slice length (OpenSLO `timeSliceWindow`).
        slice: Span,
        /// Ratio a slice must reach to be good (OpenSLO `timeSliceTarget`), in (0, 1].
        slice_target: f64,
    },
    /// Mean of the slices' success ratios.
    RatioTimeslices {
        /// Slice length.
        slice: Span,
    },
}

/// What [`BudgetingMethod`] reads: its variants with a field list each, so that
/// `deny_unknown_fields` covers `Occurrences` too (serde does not apply it to an internally
/// tagged enum's variants without fields).
#[derive(Deserialize)]
#[serde(
    tag = "method",
    deny_unknown_fields,
    expecting = "internally tagged enum BudgetingMethod"
)]
enum BudgetingMethodKeys {
    Occurrences {},
    Timeslices { slice: Span, slice_target: f64 },
    RatioTimeslices { slice: Span },
}

impl From<BudgetingMethodKeys> for BudgetingMethod {
    fn from(keys: BudgetingMethodKeys) -> Self {
        match keys {
            BudgetingMethodKeys::Occurrences {} => Self::Occurrences,
            BudgetingMethodKeys::Timeslices {
                slice,
                slice_target,
            } => Self::Timeslices {
                slice,
                slice_target,
            },
            BudgetingMethodKeys::RatioTimeslices { slice } => Self::RatioTimeslices { slice },
        }
    }
}

impl std::fmt::Display for BudgetingMethod {
    /// OpenSLO's names: `Occurrences`, `Timeslices`, `RatioTimeslices`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Occurrences => "Occurrences",
            Self::Timeslices { .. } => "Timeslices",
            Self::RatioTimeslices { .. } => "RatioTimeslices",
        })
    }
}

/// An SLI's value over a window: `good` out of `total`, in events or slices.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{BudgetingMethod, Interval, MissingData, Objective, Series};
///
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let series = Series::from_counts([(t0, 998.0, 1000.0)])?;
/// let window = Interval::new(t0, t0 + TimeDelta::days(30))?;
/// let a = BudgetingMethod::Occurrences.attainment(&series, window, MissingData::Skip)?;
/// assert_eq!(a.ratio(), Some(0.998));
/// assert!(a.budget(Objective::new(0.999)?, window.length()).unwrap().is_exhausted());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attainment {
    /// Good events, or good slices (fractional for `RatioTimeslices`).
    pub good: f64,
    /// Events, or slices with data (plus missing slices the policy counts).
    pub total: f64,
    /// The slice length for time-slice methods; `None` for events.
    pub slice: Option<Span>,
}

impl Attainment {
    /// `good / total`, or `None` when there was no data.
    pub fn ratio(&self) -> Option<f64> {
        (self.total > 0.0).then(|| self.good / self.total)
    }

    /// The error budget this attainment spends for `objective` over a window of
    /// `window_length`: bad events for events, bad time for slices. `None` without data.
    pub fn budget(&self, objective: Objective, window_length: TimeDelta) -> Option<ErrorBudget> {
        if self.total <= 0.0 {
            return None;
        }
        match self.slice {
            None => {
                ErrorBudget::for_events(objective, EventCounts::new(self.good, self.total).ok()?)
            }
            Some(slice) => {
                let bad_seconds = (self.total - self.good) * slice.seconds() as f64;
                let bad_time = crate::burn::seconds_to_delta(bad_seconds)?;
                ErrorBudget::for_time(objective, window_length, bad_time).ok()
            }
        }
    }
}

impl BudgetingMethod {
    /// Checks the slice target of `Timeslices` is in (0, 1].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] otherwise.
    pub fn validate(&self) -> Result<()> {
        if let Self::Timeslices { slice_target, .. } = *self
            && !(slice_target > 0.0 && slice_target <= 1.0)
        {
            return Err(Error::InvalidParameter {
                field: "slice_target",
                value: slice_target,
                reason: "must be within (0, 1]",
            });
        }
        Ok(())
    }

    /// The attainment over the points of `series` inside `window`.
    ///
    /// Time slices are aligned to `window.start` and counted from the slice of the first
    /// datapoint in the window to the slice of the last: no slice before or after the data is
    /// invented.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an invalid slice target; [`Error::CountOverflow`].
    pub fn attainment(
        &self,
        series: &Series<EventCounts>,
        window: Interval,
        missing: MissingData,
    ) -> Result<Attainment> {
        self.validate()?;
        let Some(points) = series.between(window.start(), window.end()) else {
            return Ok(Attainment {
                good: 0.0,
                total: 0.0,
                slice: self.slice(),
            });
        };
        let (slice, score): (Span, SliceScore) = match *self {
            Self::Occurrences => {
                let sum = points.sum()?;
                return Ok(Attainment {
                    good: sum.good(),
                    total: sum.total(),
                    slice: None,
                });
            }
            Self::Timeslices { slice, .. } => (slice, |c, target| {
                c.success_ratio()
                    .map(|r| if r >= target { 1.0 } else { 0.0 })
            }),
            Self::RatioTimeslices { slice } => (slice, |c, _| c.success_ratio()),
        };
        let target = match *self {
            Self::Timeslices { slice_target, .. } => slice_target,
            _ => 0.0,
        };
        let slice_of =
            |at: DateTime<Utc>| ((at - window.start()).num_seconds() / slice.seconds()) as usize;
        let missing_score = match missing {
            MissingData::Good => Some(1.0),
            MissingData::Bad => Some(0.0),
            MissingData::Skip => None,
        };
        let (mut good, mut total) = (0.0, 0.0);
        let mut tally = |counts: EventCounts, empty_before: usize| {
            if let Some(m) = missing_score {
                // Slices without any datapoint, counted without visiting them one by one.
                good += m * empty_before as f64;
                total += empty_before as f64;
            }
            if let Some(s) = score(counts, target).or(missing_score) {
                good += s;
                total += 1.0;
            }
        };
        // Points are in time order: sum each slice's points, then score the slice.
        let mut current: Option<(usize, EventCounts)> = None;
        let mut empty_before = 0;
        for (at, counts) in points.iter() {
            let index = slice_of(at);
            current = match current {
                Some((open, sum)) if open == index => Some((open, sum.checked_add(*counts)?)),
                Some((open, sum)) => {
                    tally(sum, empty_before);
                    empty_before = index - open - 1;
                    Some((index, *counts))
                }
                None => Some((index, *counts)),
            };
        }
        if let Some((_, sum)) = current {
            tally(sum, empty_before);
        }
        Ok(Attainment {
            good,
            total,
            slice: Some(slice),
        })
    }

    fn slice(&self) -> Option<Span> {
        match *self {
            Self::Occurrences => None,
            Self::Timeslices { slice, .. } | Self::RatioTimeslices { slice } => Some(slice),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn m(k: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + TimeDelta::minutes(k)
    }

    #[test]
    fn occurrences_weights_by_traffic() {
        // Mean of ratios would say 50 %; events say 99 %.
        let s = Series::from_counts([(m(0), 0.0, 10.0), (m(1), 990.0, 990.0)]).unwrap();
        let a = BudgetingMethod::Occurrences
            .attainment(&s, Interval::new(m(0), m(2)).unwrap(), MissingData::Skip)
            .unwrap();
        assert_eq!(a.ratio(), Some(0.99));
    }

    #[test]
    fn one_bad_slice_costs_one_slice() {
        let s =
            Series::from_counts((0..60).map(|k| (m(k), if k == 30 { 0.0 } else { 100.0 }, 100.0)))
                .unwrap();
        let method = BudgetingMethod::Timeslices {
            slice: Span::MINUTE,
            slice_target: 0.99,
        };
        let a = method
            .attainment(&s, Interval::new(m(0), m(60)).unwrap(), MissingData::Skip)
            .unwrap();
        assert_eq!((a.good, a.total), (59.0, 60.0));
        let budget = a
            .budget(Objective::new(0.999).unwrap(), TimeDelta::days(30))
            .unwrap();
        assert_eq!(budget.consumed(), 60.0); // one bad minute
    }

    #[test]
    fn empty_window_is_no_data() {
        let s = Series::from_counts([(m(0), 1.0, 1.0)]).unwrap();
        let a = BudgetingMethod::Occurrences
            .attainment(&s, Interval::new(m(10), m(20)).unwrap(), MissingData::Bad)
            .unwrap();
        assert_eq!(a.ratio(), None);
        assert_eq!(
            a.budget(Objective::new(0.9).unwrap(), TimeDelta::days(1)),
            None
        );
    }

    #[test]
    fn missing_slices_follow_policy() {
        let s = Series::from_counts([(m(0), 10.0, 10.0), (m(3), 10.0, 10.0)]).unwrap();
        let method = BudgetingMethod::RatioTimeslices {
            slice: Span::MINUTE,
        };
        let w = Interval::new(m(0), m(10)).unwrap();
        let at = |p| method.attainment(&s, w, p).unwrap();
        assert_eq!(at(MissingData::Skip).total, 2.0);
        assert_eq!(at(MissingData::Bad).ratio(), Some(0.5));
        assert_eq!(at(MissingData::Good).ratio(), Some(1.0));
    }

    #[test]
    fn rejects_bad_slice_target() {
        let method = BudgetingMethod::Timeslices {
            slice: Span::MINUTE,
            slice_target: 1.5,
        };
        assert!(method.validate().is_err());
    }
}
