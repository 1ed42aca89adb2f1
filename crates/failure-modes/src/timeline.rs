//! [`Timeline`]: the order and gap check every time-series detector applies before it looks at
//! a value.

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::{Error, Result};

/// What a new observation's time means for the detector's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The next observation within the allowed gap.
    Next,
    /// The first observation, or the first after a gap longer than allowed (a clock jump, an
    /// outage of the metric): history from before it no longer describes "normal", so the
    /// detector starts its warm-up again.
    Restart,
}

/// Refuses observations out of order or duplicated and reports gaps.
#[derive(Debug, Clone)]
pub(crate) struct Timeline {
    last: Option<DateTime<Utc>>,
    max_gap: TimeDelta,
}

impl Timeline {
    pub(crate) fn new(max_gap: TimeDelta) -> Self {
        Self {
            last: None,
            max_gap,
        }
    }

    /// Checks `at` without recording it.
    pub(crate) fn check(&self, at: DateTime<Utc>) -> Result<Step> {
        match self.last {
            None => Ok(Step::Restart),
            Some(previous) if at <= previous => Err(Error::OutOfOrder { previous, at }),
            Some(previous) if at - previous > self.max_gap => Ok(Step::Restart),
            Some(_) => Ok(Step::Next),
        }
    }

    /// Records `at` as the latest observation (after [`Timeline::check`] accepted it).
    pub(crate) fn record(&mut self, at: DateTime<Utc>) {
        self.last = Some(at);
    }
}

/// The time `steps` periods of `period_seconds` after `at`, `None` when that is not a real
/// time (a trend barely rising projects centuries ahead; past ~300 years it is not a forecast).
pub(crate) fn project(at: DateTime<Utc>, steps: f64, period_seconds: f64) -> Option<DateTime<Utc>> {
    at.checked_add_signed(projection_delta(steps, period_seconds)?)
}

/// How far ahead [`project`] projects, `None` where it has no projection (the time it adds
/// to `at`, whose sum may still fall beyond chrono's range).
pub(crate) fn projection_delta(steps: f64, period_seconds: f64) -> Option<TimeDelta> {
    let seconds = steps * period_seconds;
    if !(0.0..1e10).contains(&seconds) {
        return None;
    }
    TimeDelta::try_seconds(seconds.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn projections_beyond_reason_are_none() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(project(t0, 10.0, 60.0), Some(t0 + TimeDelta::minutes(10)));
        assert_eq!(project(t0, 1e12, 60.0), None);
        assert_eq!(project(t0, f64::NAN, 60.0), None);
        assert_eq!(project(DateTime::<Utc>::MAX_UTC, 10.0, 60.0), None);
    }

    #[test]
    fn order_duplicates_and_gaps() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut line = Timeline::new(TimeDelta::minutes(10));
        assert_eq!(line.check(t0).unwrap(), Step::Restart);
        line.record(t0);
        assert!(matches!(line.check(t0), Err(Error::OutOfOrder { .. })));
        assert!(line.check(t0 - TimeDelta::minutes(1)).is_err());
        assert_eq!(line.check(t0 + TimeDelta::minutes(10)).unwrap(), Step::Next);
        assert_eq!(
            line.check(t0 + TimeDelta::minutes(11)).unwrap(),
            Step::Restart
        );
    }
}
