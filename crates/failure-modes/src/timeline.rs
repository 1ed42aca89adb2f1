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
    /// A timeline allowing gaps up to `max_gap`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming `max_gap` when it is not positive: every observation
    /// would then follow a gap, and a detector would restart its warm-up at each one and never
    /// report anything.
    pub(crate) fn new(max_gap: TimeDelta) -> Result<Self> {
        crate::error::positive("max_gap", max_gap.as_seconds_f64())?;
        Ok(Self {
            last: None,
            max_gap,
        })
    }

    /// Checks `at` without recording it.
    pub(crate) fn check(&self, at: DateTime<Utc>) -> Result<Step> {
        match self.last {
            None => Ok(Step::Restart),
            Some(previous) if at <= previous => Err(Error::OutOfOrder { previous, at }),
            Some(previous) if gap(previous, at) > self.max_gap => Ok(Step::Restart),
            Some(_) => Ok(Step::Next),
        }
    }

    /// The latest observation's time, `None` before the first.
    pub(crate) fn last(&self) -> Option<DateTime<Utc>> {
        self.last
    }

    /// Records `at` as the latest observation (after [`Timeline::check`] accepted it).
    pub(crate) fn record(&mut self, at: DateTime<Utc>) {
        self.last = Some(at);
    }
}

/// `at − previous`, as chrono works it out, without its date arithmetic when both fall on one
/// day (as all but one sample a day do): the days between them are then none, and the
/// difference is that of their times of day alone (leap seconds included, as chrono counts
/// them).
fn gap(previous: DateTime<Utc>, at: DateTime<Utc>) -> TimeDelta {
    let (previous, at) = (previous.naive_utc(), at.naive_utc());
    if previous.date() == at.date() {
        at.time() - previous.time()
    } else {
        at - previous
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
    fn the_gap_is_chronos_difference() {
        let t0 = Utc.with_ymd_and_hms(2026, 12, 31, 22, 0, 0).unwrap();
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .unwrap()
            .and_utc();
        for previous in [
            t0,
            leap,
            leap - TimeDelta::hours(1),
            DateTime::<Utc>::MIN_UTC,
        ] {
            for later in [1, 59, 60, 3599, 7200, 7201, 86_399, 86_400, 400 * 86_400] {
                for nanos in [0, 1, 999_999_999] {
                    let at = previous + TimeDelta::new(later, nanos).unwrap();
                    assert_eq!(gap(previous, at), at - previous, "{previous} {at}");
                }
            }
            let at = leap + TimeDelta::milliseconds(300);
            assert_eq!(gap(leap, at), at - leap);
        }
    }

    #[test]
    fn order_duplicates_and_gaps() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut line = Timeline::new(TimeDelta::minutes(10)).unwrap();
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
