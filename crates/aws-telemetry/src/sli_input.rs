//! From fetched series to `sli-core` inputs: good/total counts for event-ratio SLIs, threshold
//! SLIs from a percentile rank, and time-slice SLIs from a per-period percentile.

use chrono::{DateTime, Utc};
use sli_core::{EventCounts, MissingData, Position, Series, Sli};

use crate::error::Result;
use crate::fetch::FetchedSeries;

/// Pairs each point of `primary` with the point of `other` at the same timestamp (or `None`),
/// and builds counts from each pair. Points of `other` with no primary point are passed with a
/// primary of zero, so that `combine` can refuse them.
fn join(
    primary: &FetchedSeries,
    other: &FetchedSeries,
    combine: impl Fn(f64, Option<f64>, Position) -> sli_core::Result<EventCounts>,
) -> Result<Option<Series<EventCounts>>> {
    let mut points: Vec<(DateTime<Utc>, EventCounts)> = Vec::with_capacity(primary.points.len());
    let (mut i, mut j) = (0, 0);
    while i < primary.points.len() || j < other.points.len() {
        let (p, o) = (primary.points.get(i), other.points.get(j));
        let (at, counts) = match (p, o) {
            (Some(&(pt, pv)), Some(&(ot, ov))) if pt == ot => {
                (i, j) = (i + 1, j + 1);
                (pt, combine(pv, Some(ov), Position::point(i - 1, pt))?)
            }
            (Some(&(pt, pv)), Some(&(ot, _))) if pt < ot => {
                i += 1;
                (pt, combine(pv, None, Position::point(i - 1, pt))?)
            }
            (Some(&(pt, pv)), None) => {
                i += 1;
                (pt, combine(pv, None, Position::point(i - 1, pt))?)
            }
            (_, Some(&(ot, ov))) => {
                j += 1;
                (ot, combine(0.0, Some(ov), Position::point(j - 1, ot))?)
            }
            (None, None) => break,
        };
        points.push((at, counts));
    }
    if points.is_empty() {
        return Ok(None);
    }
    Ok(Some(Series::new(points)?))
}

/// Event counts from a total series and a bad series, as AWS publishes them (ALB `RequestCount`
/// and `HTTPCode_Target_5XX_Count`, Lambda `Invocations` and `Errors`, both with `Sum`).
/// CloudWatch omits periods without errors, so a missing bad point is zero; a bad point without
/// a total is refused. `None` when both are empty.
///
/// # Errors
/// [`Error::Sli`](crate::Error::Sli) for more bad events than total, negative or NaN values, naming the
/// point.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use aws_telemetry::{counts_from_bad, Completeness, FetchedSeries, QueryId};
///
/// let t = |m| Utc.with_ymd_and_hms(2024, 5, 1, 0, m, 0).unwrap();
/// let series = |id: &str, points| FetchedSeries { id: QueryId::new(id).unwrap(), label: None, points, completeness: Completeness::Complete };
/// let total = series("requests", vec![(t(0), 1000.0), (t(1), 1200.0)]);
/// let bad = series("errors", vec![(t(1), 6.0)]);
/// let counts = counts_from_bad(&total, &bad)?.unwrap();
/// assert_eq!(counts.sum()?.bad(), 6.0);
/// assert_eq!(counts.sum()?.total(), 2200.0);
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
pub fn counts_from_bad(
    total: &FetchedSeries,
    bad: &FetchedSeries,
) -> Result<Option<Series<EventCounts>>> {
    join(total, bad, |total, bad, position| {
        let bad = bad.unwrap_or(0.0);
        EventCounts::new_at(total - bad, total, position).and_then(|c| {
            // `total - bad` hides a NaN or negative bad count; check it by itself too.
            EventCounts::new_at(0.0, bad, position).map(|_| c)
        })
    })
}

/// Event counts from a good series and a total series (e.g. `SuccessCount` and `Invocations`).
/// A missing good point is zero good events.
///
/// # Errors
/// As [`counts_from_bad`].
pub fn counts_from_good(
    good: &FetchedSeries,
    total: &FetchedSeries,
) -> Result<Option<Series<EventCounts>>> {
    join(total, good, |total, good, position| {
        EventCounts::new_at(good.unwrap_or(0.0), total, position)
    })
}

/// Counts of a threshold SLI from CloudWatch's percentile rank (`PR(:300)`, the percentage of
/// requests at or under 300) and `SampleCount` of the same metric and period.
///
/// # Errors
/// [`Error::Sli`](crate::Error::Sli) for a rank outside [0, 100], a rank without a sample count, or a SLI
/// that is not [`Sli::Threshold`].
pub fn threshold_counts(
    sli: &Sli,
    rank_percent: &FetchedSeries,
    samples: &FetchedSeries,
) -> Result<Option<Series<EventCounts>>> {
    join(
        samples,
        rank_percent,
        |samples, rank, position| match rank {
            Some(rank) => sli.counts_from_percentile_rank(rank, samples),
            None if samples == 0.0 => Ok(EventCounts::ZERO),
            None => Err(sli_core::Error::InvalidValue {
                field: "percentile rank (missing for a period with samples)",
                value: f64::NAN,
                position,
            }),
        },
    )
}

/// Slice counts of a time-slice SLI from a per-period statistic (e.g. each minute's `p95`):
/// one event per period, good when the value meets the SLI's objective, periods without a value
/// resolved by `missing`. `None` when the series is empty.
///
/// # Errors
/// [`Error::Sli`](crate::Error::Sli) when the SLI is not [`Sli::TimeSlice`] or a timestamp is off the slice grid.
pub fn time_slice_counts(
    sli: &Sli,
    values: &FetchedSeries,
    missing: MissingData,
) -> Result<Option<Series<EventCounts>>> {
    match values.to_series("slice value")? {
        Some(series) => Ok(Some(sli.slice_counts(&series, missing)?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::Completeness;
    use crate::query::QueryId;
    use chrono::TimeZone;
    use sli_core::{Comparison, Span};

    fn t(m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 0, m, 0).unwrap()
    }

    fn fetched(points: Vec<(DateTime<Utc>, f64)>) -> FetchedSeries {
        FetchedSeries {
            id: QueryId::new("q").unwrap(),
            label: None,
            points,
            completeness: Completeness::Complete,
        }
    }

    #[test]
    fn bad_without_total_or_above_total_is_refused() {
        let total = fetched(vec![(t(0), 10.0)]);
        assert!(counts_from_bad(&total, &fetched(vec![(t(1), 1.0)])).is_err());
        assert!(counts_from_bad(&total, &fetched(vec![(t(0), 11.0)])).is_err());
        assert!(counts_from_bad(&total, &fetched(vec![(t(0), f64::NAN)])).is_err());
        assert_eq!(
            counts_from_bad(&fetched(vec![]), &fetched(vec![])).unwrap(),
            None
        );
    }

    #[test]
    fn threshold_from_rank() {
        let sli = Sli::Threshold { threshold: 300.0 };
        let rank = fetched(vec![(t(0), 99.0)]);
        let samples = fetched(vec![(t(0), 200.0), (t(1), 0.0)]);
        let counts = threshold_counts(&sli, &rank, &samples).unwrap().unwrap();
        assert_eq!(counts.sum().unwrap().good(), 198.0);
        assert!(threshold_counts(&sli, &fetched(vec![]), &fetched(vec![(t(0), 5.0)])).is_err());
    }

    #[test]
    fn slices_from_p95() {
        let sli = Sli::TimeSlice {
            comparison: Comparison::Below,
            threshold: 300.0,
            slice: Span::MINUTE,
        };
        let p95 = fetched(vec![(t(0), 120.0), (t(2), 900.0)]);
        let counts = time_slice_counts(&sli, &p95, MissingData::Bad)
            .unwrap()
            .unwrap();
        assert_eq!(
            (counts.sum().unwrap().good(), counts.sum().unwrap().total()),
            (1.0, 3.0)
        );
    }
}
