//! [`Series`]: timestamped datapoints in strictly increasing time order, checked on build.

use chrono::{DateTime, Utc};

use crate::counts::EventCounts;
use crate::error::{Error, Position, Result};
use crate::span::Span;

/// A non-empty sequence of datapoints with strictly increasing timestamps.
///
/// Construction rejects empty input, timestamps out of order and duplicate timestamps, naming
/// the offending point; once built, a series can be trusted by every evaluator.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use sli_core::{EventCounts, Series};
///
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let minute = chrono::TimeDelta::minutes(1);
/// let series = Series::from_counts([
///     (t0, 999.0, 1000.0),
///     (t0 + minute, 990.0, 1000.0),
/// ])?;
/// assert_eq!(series.len(), 2);
/// assert_eq!(series.sum()?, EventCounts::new(1989.0, 2000.0)?);
///
/// // Out of order: rejected with the position of the offending point.
/// let err = Series::from_counts([(t0 + minute, 1.0, 1.0), (t0, 1.0, 1.0)]).unwrap_err();
/// assert!(err.to_string().contains("point 1"));
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Series<T> {
    times: Vec<DateTime<Utc>>,
    values: Vec<T>,
    /// `Some(d)` when every point lies at `first_time() + k * d` seconds for consecutive `k`
    /// (worked out once on build, so that sweeps of evenly spaced series, nearly all of them,
    /// need not decode a timestamp per point).
    even_seconds: Option<i64>,
}

impl<T> Series<T> {
    /// A series from `(timestamp, value)` points.
    ///
    /// # Errors
    /// [`Error::EmptySeries`], [`Error::Unordered`] or [`Error::DuplicateTimestamp`].
    pub fn new(points: impl IntoIterator<Item = (DateTime<Utc>, T)>) -> Result<Self> {
        let (times, values): (Vec<_>, Vec<_>) = points.into_iter().unzip();
        Self::from_parts(times, values)
    }

    /// A series from parallel vectors of timestamps and values.
    ///
    /// # Errors
    /// As [`Series::new`]; [`Error::InvalidParameter`] when the lengths differ.
    pub fn from_parts(times: Vec<DateTime<Utc>>, values: Vec<T>) -> Result<Self> {
        if times.len() != values.len() {
            return Err(Error::InvalidParameter {
                field: "values.len()",
                value: values.len() as f64,
                reason: "must equal the number of timestamps",
            });
        }
        if times.is_empty() {
            return Err(Error::EmptySeries { what: "series" });
        }
        for (index, pair) in times.windows(2).enumerate() {
            check_order(pair[0], pair[1], Position::point(index + 1, pair[1]))?;
        }
        Ok(Self::checked(times, values))
    }

    /// A series from timestamps already known to be strictly increasing.
    fn checked(times: Vec<DateTime<Utc>>, values: Vec<T>) -> Self {
        let even_seconds = even_spacing(&times);
        Self {
            times,
            values,
            even_seconds,
        }
    }

    /// `true` when the points fill the grid `first_time() + k * step` with no gap, so that
    /// point `k` is slot `k` (a single point always does).
    pub(crate) fn is_dense_on(&self, step: Span) -> bool {
        self.times.len() == 1 || self.even_seconds == Some(step.seconds())
    }

    /// Number of datapoints (at least one).
    pub fn len(&self) -> usize {
        self.times.len()
    }

    /// Always `false`: a series has at least one point. Present for API symmetry.
    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// The timestamps, strictly increasing.
    pub fn times(&self) -> &[DateTime<Utc>] {
        &self.times
    }

    /// The values, in timestamp order.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// `(timestamp, value)` pairs in order.
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (DateTime<Utc>, &T)> + ExactSizeIterator + '_ {
        self.times.iter().copied().zip(self.values.iter())
    }

    /// The first timestamp.
    pub fn first_time(&self) -> DateTime<Utc> {
        self.times[0]
    }

    /// The last timestamp.
    pub fn last_time(&self) -> DateTime<Utc> {
        self.times[self.times.len() - 1]
    }

    /// The points with `start <= timestamp < end`, or `None` when there are none.
    pub fn between(&self, start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Self>
    where
        T: Clone,
    {
        let from = self.times.partition_point(|t| *t < start);
        let to = self.times.partition_point(|t| *t < end);
        (from < to).then(|| Self {
            times: self.times[from..to].to_vec(),
            values: self.values[from..to].to_vec(),
            // A run of evenly spaced points is evenly spaced.
            even_seconds: self.even_seconds,
        })
    }

    /// Checks that every timestamp lies on the grid `first_time() + k * step` and returns each
    /// point's grid index `k`.
    ///
    /// # Errors
    /// [`Error::Misaligned`] naming the first point off the grid.
    pub fn grid_indices(&self, step: Span) -> Result<Vec<usize>> {
        let mut grid = GridCursor::new(self.first_time(), step);
        self.times
            .iter()
            .enumerate()
            .map(|(index, &at)| grid.slot(index, at))
            .collect()
    }
}

/// The common distance in whole seconds of strictly increasing `times`, when every distance is
/// the same and all share their sub-second part.
fn even_spacing(times: &[DateTime<Utc>]) -> Option<i64> {
    let mut clock = EpochClock::default();
    let (first, nanos) = clock.read(*times.first()?);
    let (second, _) = clock.read(*times.get(1)?);
    let step = second - first;
    let mut expected = first;
    for &at in times {
        if clock.read(at) != (expected, nanos) {
            return None;
        }
        expected += step;
    }
    Some(step)
}

/// Checks that `at` comes strictly after `previous`.
pub(crate) fn check_order(
    previous: DateTime<Utc>,
    at: DateTime<Utc>,
    position: Position,
) -> Result<()> {
    if at == previous {
        return Err(Error::DuplicateTimestamp { at, position });
    }
    if at < previous {
        return Err(Error::Unordered {
            previous,
            at,
            position,
        });
    }
    Ok(())
}

/// Walks increasing timestamps along the grid `origin + k * step`, giving each its slot `k`.
#[derive(Debug, Clone)]
pub(crate) struct GridCursor {
    origin: DateTime<Utc>,
    origin_seconds: i64,
    origin_nanos: u32,
    step: Span,
    clock: EpochClock,
    previous: (i64, usize),
}

impl GridCursor {
    pub(crate) fn new(origin: DateTime<Utc>, step: Span) -> Self {
        let mut clock = EpochClock::default();
        let (origin_seconds, origin_nanos) = clock.read(origin);
        Self {
            origin,
            origin_seconds,
            origin_nanos,
            step,
            clock,
            previous: (i64::MIN, 0),
        }
    }

    /// The slot of `at`, which must not be before the previous timestamp given.
    #[inline]
    pub(crate) fn slot(&mut self, index: usize, at: DateTime<Utc>) -> Result<usize> {
        let (seconds, nanos) = self.clock.read(at);
        let offset = seconds - self.origin_seconds;
        let step = self.step.seconds();
        // The common case, the next slot, needs no division.
        if nanos == self.origin_nanos && offset == self.previous.0.wrapping_add(step) {
            self.previous = (offset, self.previous.1 + 1);
            return Ok(self.previous.1);
        }
        if nanos != self.origin_nanos || offset < 0 || offset % step != 0 {
            return Err(Error::Misaligned {
                at,
                origin: self.origin,
                step_seconds: step,
                position: Position::point(index, at),
            });
        }
        self.previous = (offset, (offset / step) as usize);
        Ok(self.previous.1)
    }
}

/// Reads timestamps as whole seconds since the epoch, remembering the last civil day: in a
/// series, consecutive points mostly share a day, and the day number is the costly part.
#[derive(Debug, Clone, Default)]
struct EpochClock {
    day: Option<chrono::NaiveDate>,
    day_start: i64,
}

impl EpochClock {
    fn read(&mut self, at: DateTime<Utc>) -> (i64, u32) {
        let naive = at.naive_utc();
        let date = naive.date();
        if self.day != Some(date) {
            self.day = Some(date);
            self.day_start = date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
        }
        let time = naive.time();
        (
            self.day_start + i64::from(chrono::Timelike::num_seconds_from_midnight(&time)),
            chrono::Timelike::nanosecond(&time),
        )
    }
}

impl Series<f64> {
    /// A series of measured values (latencies, utilisation, spend…).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a NaN or infinite value, and as [`Series::new`].
    pub fn from_values(
        field: &'static str,
        points: impl IntoIterator<Item = (DateTime<Utc>, f64)>,
    ) -> Result<Self> {
        let series = Self::new(points)?;
        for (index, (at, &value)) in series.iter().enumerate() {
            if !value.is_finite() {
                return Err(Error::InvalidValue {
                    field,
                    value,
                    position: Position::point(index, at),
                });
            }
        }
        Ok(series)
    }
}

impl Series<EventCounts> {
    /// A count series from `(timestamp, good, total)` points, each count checked.
    ///
    /// # Errors
    /// [`Error::InvalidCount`] or [`Error::GoodExceedsTotal`] naming the point, and as
    /// [`Series::new`].
    pub fn from_counts(
        points: impl IntoIterator<Item = (DateTime<Utc>, f64, f64)>,
    ) -> Result<Self> {
        let points = points
            .into_iter()
            .enumerate()
            .map(|(index, (at, good, total))| {
                EventCounts::new_at(good, total, Position::point(index, at)).map(|c| (at, c))
            })
            .collect::<Result<Vec<_>>>()?;
        Self::new(points)
    }

    /// The sum of all counts.
    ///
    /// # Errors
    /// [`Error::CountOverflow`] when the total exceeds 2^53.
    pub fn sum(&self) -> Result<EventCounts> {
        self.values
            .iter()
            .try_fold(EventCounts::ZERO, |acc, c| acc.checked_add(*c))
    }

    /// Merges two count series (e.g. the same SLI from two regions): timestamps present in both
    /// are summed, the others kept. Merging is associative and commutative for whole counts.
    ///
    /// # Errors
    /// [`Error::CountOverflow`] when a sum exceeds 2^53.
    pub fn merge(&self, other: &Self) -> Result<Self> {
        let mut times = Vec::with_capacity(self.len() + other.len());
        let mut values = Vec::with_capacity(self.len() + other.len());
        let (mut i, mut j) = (0, 0);
        while i < self.len() || j < other.len() {
            let take = match (self.times.get(i), other.times.get(j)) {
                (Some(a), Some(b)) if a == b => {
                    let sum = self.values[i].checked_add(other.values[j])?;
                    (i, j) = (i + 1, j + 1);
                    (*a, sum)
                }
                (Some(a), Some(b)) if a < b => {
                    i += 1;
                    (*a, self.values[i - 1])
                }
                (Some(a), None) => {
                    i += 1;
                    (*a, self.values[i - 1])
                }
                (_, Some(b)) => {
                    j += 1;
                    (*b, other.values[j - 1])
                }
                (None, None) => break,
            };
            times.push(take.0);
            values.push(take.1);
        }
        Ok(Self::checked(times, values))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn t(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + TimeDelta::minutes(minute)
    }

    #[test]
    fn rejects_bad_series() {
        assert!(matches!(
            Series::<f64>::new([]),
            Err(Error::EmptySeries { .. })
        ));
        let dup = Series::new([(t(0), 1.0), (t(0), 2.0)]).unwrap_err();
        assert!(matches!(
            dup,
            Error::DuplicateTimestamp {
                position: Position { index: Some(1), .. },
                ..
            }
        ));
        assert!(matches!(
            Series::new([(t(1), 1.0), (t(0), 2.0)]),
            Err(Error::Unordered { .. })
        ));
        let nan = Series::from_values("latency", [(t(0), 1.0), (t(1), f64::NAN)]).unwrap_err();
        assert!(nan.to_string().contains("point 1"), "{nan}");
        let bad = Series::from_counts([(t(0), 1.0, 1.0), (t(1), 3.0, 2.0)]).unwrap_err();
        assert!(matches!(bad, Error::GoodExceedsTotal { .. }));
        assert!(bad.to_string().contains("point 1"), "{bad}");
    }

    #[test]
    fn grid_indices_and_misalignment() {
        let s = Series::new([(t(0), 1.0), (t(2), 1.0), (t(3), 1.0)]).unwrap();
        assert_eq!(s.grid_indices(Span::MINUTE).unwrap(), vec![0, 2, 3]);
        let err = s.grid_indices(Span::from_minutes(2).unwrap()).unwrap_err();
        assert!(matches!(err, Error::Misaligned { .. }));
    }

    #[test]
    fn dense_on_a_grid_only_when_evenly_spaced() {
        let minute = Span::MINUTE;
        let dense = Series::new((0..5).map(|m| (t(m), 1.0))).unwrap();
        assert!(dense.is_dense_on(minute));
        assert!(!dense.is_dense_on(Span::from_minutes(2).unwrap()));
        let gap = Series::new([(t(0), 1.0), (t(1), 1.0), (t(3), 1.0)]).unwrap();
        assert!(!gap.is_dense_on(minute));
        // Evenly spaced, but every other minute: dense on a two-minute grid only.
        let every_other = Series::new((0..4).map(|m| (t(2 * m), 1.0))).unwrap();
        assert!(every_other.is_dense_on(Span::from_minutes(2).unwrap()));
        assert!(!every_other.is_dense_on(minute));
        // A sub-second offset on one point breaks the grid.
        let off = t(2) + TimeDelta::milliseconds(500);
        let skewed = Series::new([(t(0), 1.0), (t(1), 1.0), (off, 1.0)]).unwrap();
        assert!(!skewed.is_dense_on(minute));
        assert!(Series::new([(t(7), 1.0)]).unwrap().is_dense_on(minute));
        // Slices keep the spacing; a merge works it out again.
        assert!(dense.between(t(1), t(4)).unwrap().is_dense_on(minute));
        let even = Series::from_counts([(t(0), 1.0, 1.0), (t(2), 1.0, 1.0)]).unwrap();
        let odd = Series::from_counts([(t(1), 1.0, 1.0), (t(3), 1.0, 1.0)]).unwrap();
        assert!(!odd.is_dense_on(minute));
        assert!(!even.is_dense_on(minute));
        assert!(even.merge(&odd).unwrap().is_dense_on(minute));
    }

    #[test]
    fn merge_sums_shared_points() {
        let a = Series::from_counts([(t(0), 1.0, 2.0), (t(2), 3.0, 3.0)]).unwrap();
        let b = Series::from_counts([(t(1), 5.0, 5.0), (t(2), 1.0, 4.0)]).unwrap();
        let m = a.merge(&b).unwrap();
        assert_eq!(m.times(), &[t(0), t(1), t(2)]);
        assert_eq!(m.values()[2], EventCounts::new(4.0, 7.0).unwrap());
    }

    #[test]
    fn between_is_half_open() {
        let s = Series::new([(t(0), 0), (t(1), 1), (t(2), 2)]).unwrap();
        let mid = s.between(t(1), t(2)).unwrap();
        assert_eq!(mid.values(), &[1]);
        assert!(s.between(t(5), t(6)).is_none());
    }
}
