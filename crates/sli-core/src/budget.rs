//! [`ErrorBudget`]: how much unreliability an SLO allows over its window, how much is spent,
//! what remains and when it runs out.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::burn::BurnRate;
use crate::counts::EventCounts;
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::span::Span;

/// What an error budget is counted in.
///
/// # Example
/// ```
/// use chrono::TimeDelta;
/// use sli_core::{BudgetUnit, ErrorBudget, EventCounts, Objective};
///
/// let slo = Objective::new(0.999)?;
/// let events = ErrorBudget::for_events(slo, EventCounts::new(999.0, 1000.0)?).unwrap();
/// assert_eq!(events.unit(), BudgetUnit::Events);
/// let time = ErrorBudget::for_time(slo, TimeDelta::days(30), TimeDelta::minutes(5))?;
/// assert_eq!(time.unit(), BudgetUnit::Seconds);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum BudgetUnit {
    /// Bad events (event-ratio and threshold SLIs, budgeting method Occurrences).
    Events,
    /// Seconds of bad time (time-slice budgeting).
    Seconds,
}

/// The error budget of an SLO over one window.
///
/// For events, the allowance is `(1 - target) × events seen`; for time, it is
/// `(1 - target) × window length` (43.2 minutes for 99.9 % over 30 days).
/// `remaining` goes negative when the budget is overspent: that is reported, not clamped.
///
/// # Example
/// ```
/// use sli_core::{ErrorBudget, EventCounts, Objective};
///
/// let slo = Objective::new(0.999)?;
/// // 1,000,000 requests this window, 250 failed: a quarter of the 1,000 allowed.
/// let budget = ErrorBudget::for_events(slo, EventCounts::from_bad(250.0, 1e6)?).unwrap();
/// assert!((budget.allowed() - 1000.0).abs() < 1e-6);
/// assert_eq!(budget.consumed(), 250.0);
/// assert!((budget.remaining_fraction() - 0.75).abs() < 1e-9);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawBudget", into = "RawBudget")]
pub struct ErrorBudget {
    objective: Objective,
    unit: BudgetUnit,
    allowed: f64,
    consumed: f64,
}

/// [`ErrorBudget`] as written: deserialising checks what the constructors guarantee, that
/// the amount allowed is finite and positive and the amount consumed finite and not negative
/// (a negative consumption read as 150 % of the budget left, a budget of nothing allowed as an
/// infinite burn that froze releases).
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    objective: Objective,
    unit: BudgetUnit,
    allowed: f64,
    consumed: f64,
}

impl TryFrom<RawBudget> for ErrorBudget {
    type Error = Error;
    fn try_from(raw: RawBudget) -> Result<Self> {
        if !(raw.allowed.is_finite() && raw.allowed > 0.0) {
            return Err(Error::InvalidParameter {
                field: "allowed",
                value: raw.allowed,
                reason: "an error budget allows a finite, positive amount",
            });
        }
        if !(raw.consumed.is_finite() && raw.consumed >= 0.0) {
            return Err(Error::InvalidParameter {
                field: "consumed",
                value: raw.consumed,
                reason: "an error budget's consumption is finite and not negative",
            });
        }
        Ok(Self {
            objective: raw.objective,
            unit: raw.unit,
            allowed: raw.allowed,
            consumed: raw.consumed,
        })
    }
}

impl From<ErrorBudget> for RawBudget {
    fn from(b: ErrorBudget) -> Self {
        Self {
            objective: b.objective,
            unit: b.unit,
            allowed: b.allowed,
            consumed: b.consumed,
        }
    }
}

impl ErrorBudget {
    /// The budget of an event SLI given the window's counts so far; `None` when the window has
    /// no events (no data: neither spent nor intact).
    pub fn for_events(objective: Objective, counts: EventCounts) -> Option<Self> {
        (!counts.is_empty()).then(|| Self {
            objective,
            unit: BudgetUnit::Events,
            allowed: objective.budget_of(counts.total()),
            consumed: counts.bad(),
        })
    }

    /// The budget of a time-based SLI over a window of `window_length` in which `bad_time` was
    /// bad.
    ///
    /// # Errors
    /// [`Error::InvalidDuration`] when `window_length` is not positive or `bad_time` is
    /// negative.
    pub fn for_time(
        objective: Objective,
        window_length: TimeDelta,
        bad_time: TimeDelta,
    ) -> Result<Self> {
        if window_length <= TimeDelta::zero() {
            return Err(Error::InvalidDuration {
                what: "window length",
                seconds: seconds_of(window_length),
                reason: "must be positive",
            });
        }
        if bad_time < TimeDelta::zero() {
            return Err(Error::InvalidDuration {
                what: "bad time",
                seconds: seconds_of(bad_time),
                reason: "must not be negative",
            });
        }
        // To the nanosecond: in whole milliseconds a window and a bad time under one were
        // both 0, a budget of nothing with nothing spent.
        Ok(Self {
            objective,
            unit: BudgetUnit::Seconds,
            allowed: objective.budget_of(seconds_of(window_length)),
            consumed: seconds_of(bad_time),
        })
    }

    /// The objective this budget derives from.
    pub const fn objective(&self) -> Objective {
        self.objective
    }

    /// Events or seconds.
    pub const fn unit(&self) -> BudgetUnit {
        self.unit
    }

    /// Bad events (or seconds) allowed.
    pub const fn allowed(&self) -> f64 {
        self.allowed
    }

    /// Bad events (or seconds) so far.
    pub const fn consumed(&self) -> f64 {
        self.consumed
    }

    /// `allowed - consumed`; negative when overspent.
    pub fn remaining(&self) -> f64 {
        self.allowed - self.consumed
    }

    /// `consumed / allowed`: 0 untouched, 1 exactly spent, above 1 overspent.
    pub fn consumed_fraction(&self) -> f64 {
        if self.allowed > 0.0 {
            self.consumed / self.allowed
        } else if self.consumed > 0.0 {
            f64::INFINITY
        } else {
            0.0
        }
    }

    /// `1 - consumed_fraction`; negative when overspent.
    pub fn remaining_fraction(&self) -> f64 {
        1.0 - self.consumed_fraction()
    }

    /// `true` once nothing remains.
    pub fn is_exhausted(&self) -> bool {
        self.consumed_fraction() >= 1.0
    }

    /// The instant the budget runs out if spending continues at `burn` from `now`, for an SLO
    /// window of `slo_period`: `now` when already exhausted, `None` when `burn` is zero.
    pub fn exhausted_at(
        &self,
        now: DateTime<Utc>,
        burn: BurnRate,
        slo_period: Span,
    ) -> Option<DateTime<Utc>> {
        if self.is_exhausted() {
            return Some(now);
        }
        burn.time_to_exhaustion(slo_period, self.remaining_fraction())
            .and_then(|left| now.checked_add_signed(left))
    }
}

/// `d` in seconds, to the nanosecond: nanoseconds over 10^9, one rounding while they fit in
/// 2^53 (104 days), where `as_seconds_f64` adds a rounded fraction to negative whole seconds
/// (-5 µs came out -5.000000000032756e-6).
fn seconds_of(d: TimeDelta) -> f64 {
    d.num_nanoseconds()
        .map_or_else(|| d.as_seconds_f64(), |ns| ns as f64 / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn time_budget_of_three_nines_month() {
        let o = Objective::new(0.999).unwrap();
        let b = ErrorBudget::for_time(o, TimeDelta::days(30), TimeDelta::minutes(10)).unwrap();
        assert!((b.allowed() - 43.2 * 60.0).abs() < 1e-6);
        assert!((b.consumed_fraction() - 600.0 / 2592.0).abs() < 1e-9);
        assert!(ErrorBudget::for_time(o, TimeDelta::days(30), TimeDelta::minutes(-1)).is_err());
        assert!(ErrorBudget::for_time(o, TimeDelta::zero(), TimeDelta::zero()).is_err());
        assert!(ErrorBudget::for_time(o, TimeDelta::days(-30), TimeDelta::zero()).is_err());
    }

    /// Under a millisecond is still time: a window of 999 µs half bad spends half of it over
    /// its allowance, where whole milliseconds made both 0.
    #[test]
    fn time_under_a_millisecond_counts() {
        let o = Objective::new(0.5).unwrap();
        let b = ErrorBudget::for_time(
            o,
            TimeDelta::microseconds(999),
            TimeDelta::microseconds(999),
        )
        .unwrap();
        assert_eq!((b.allowed(), b.consumed()), (0.0004995, 0.000999));
        assert!((b.consumed_fraction() - 2.0).abs() < 1e-12);
        let err =
            ErrorBudget::for_time(o, TimeDelta::microseconds(-5), TimeDelta::zero()).unwrap_err();
        assert!(err.to_string().contains("-5e-6 s"), "{err}");
    }

    #[test]
    fn overspent_is_reported() {
        let o = Objective::new(0.99).unwrap();
        let b = ErrorBudget::for_events(o, EventCounts::from_bad(30.0, 1000.0).unwrap()).unwrap();
        assert!(b.is_exhausted());
        assert!(b.remaining() < 0.0);
        assert!((b.consumed_fraction() - 3.0).abs() < 1e-9);
        let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            b.exhausted_at(now, BurnRate::new(1.0).unwrap(), Span::DAY),
            Some(now)
        );
    }

    #[test]
    fn exhaustion_forecast() {
        let o = Objective::new(0.999).unwrap();
        // Half the budget left at burn 2 over 30 days: 7.5 days.
        let b = ErrorBudget::for_events(o, EventCounts::from_bad(500.0, 1e6).unwrap()).unwrap();
        let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let at = b
            .exhausted_at(
                now,
                BurnRate::new(2.0).unwrap(),
                Span::from_days(30).unwrap(),
            )
            .unwrap();
        assert_eq!(at - now, TimeDelta::hours(180));
        assert_eq!(ErrorBudget::for_events(o, EventCounts::ZERO), None);
    }

    /// A budget spent to the last event is exhausted, whatever the target: `1 − target` was
    /// binary arithmetic on the target's double, 0.0010000000000000009 for 99.9 %, and one bad
    /// request in 1,000 read as 0.9999999999999991 of it, 8.9e-16 remaining (found by
    /// `tools/differential/budgets.py` against exact rationals).
    #[test]
    fn an_exactly_spent_budget_is_exhausted() {
        for (target, bad, total) in [
            (0.999, 1.0, 1000.0),
            (0.995, 20_000.0, 4e6),
            (0.98, 1.6e9, 8e10),
            (0.999_999, 4.0, 4e6),
            // 1e-5 × 7e7 is 700.0000000000001 in binary64, whichever 1e-5 it starts from.
            (0.999_99, 700.0, 7e7),
            (0.999_99, 8e6, 8e11),
        ] {
            let o = Objective::new(target).unwrap();
            let b = ErrorBudget::for_events(o, EventCounts::from_bad(bad, total).unwrap()).unwrap();
            assert_eq!(b.allowed(), bad, "{target}");
            assert_eq!(b.consumed_fraction(), 1.0, "{target}");
            assert!(b.is_exhausted(), "{target}");
        }
    }
}
