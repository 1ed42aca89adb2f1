//! From fetched series to `sli-core` inputs: good/total counts for event-ratio SLIs, threshold
//! SLIs from a percentile rank, and time-slice SLIs from a per-period percentile.

use chrono::{DateTime, Utc};
use sli_core::{EventCounts, MissingData, Position, Series, Sli};

use crate::error::InputError;
use crate::fetch::{Completeness, FetchedSeries};
use crate::plan::{ceil_to, floor_to};
use crate::range::TimeRange;

/// Refuses a series the backend marked partial: counts built from it would read missing data as
/// missing traffic.
pub(crate) fn complete(series: &FetchedSeries) -> Result<(), InputError> {
    match &series.completeness {
        Completeness::Complete => Ok(()),
        Completeness::Partial { reason } => Err(InputError::IncompleteData {
            id: series.id.to_string(),
            reason: reason.clone(),
        }),
    }
}

/// Pairs each point of `primary` with the point of `other` at the same timestamp, and builds
/// counts from each pair (`None` on the side that has no point there).
fn join(
    primary: &FetchedSeries,
    other: &FetchedSeries,
    combine: impl Fn(Option<f64>, Option<f64>, Position) -> Result<EventCounts, InputError>,
) -> Result<Option<Series<EventCounts>>, InputError> {
    complete(primary)?;
    complete(other)?;
    let mut points: Vec<(DateTime<Utc>, EventCounts)> = Vec::with_capacity(primary.points.len());
    let (mut i, mut j) = (0, 0);
    loop {
        let (at, p, o) = match (primary.points.get(i), other.points.get(j)) {
            (Some(&(pt, pv)), Some(&(ot, ov))) if pt == ot => {
                (i, j) = (i + 1, j + 1);
                (pt, Some(pv), Some(ov))
            }
            (Some(&(pt, pv)), Some(&(ot, _))) if pt < ot => {
                i += 1;
                (pt, Some(pv), None)
            }
            (Some(&(pt, pv)), None) => {
                i += 1;
                (pt, Some(pv), None)
            }
            (_, Some(&(ot, ov))) => {
                j += 1;
                (ot, None, Some(ov))
            }
            (None, None) => break,
        };
        points.push((at, combine(p, o, Position::point(points.len(), at))?));
    }
    if points.is_empty() {
        return Ok(None);
    }
    Ok(Some(Series::new(points)?))
}

/// The error for a point of one series with no partner point in the other.
fn unpaired(field: &'static str, value: f64, position: Position) -> sli_core::Error {
    sli_core::Error::InvalidValue {
        field,
        value,
        position,
    }
}

/// Event counts from a total series and a bad series, as AWS publishes them (ALB `RequestCount`
/// and `HTTPCode_Target_5XX_Count`, Lambda `Invocations` and `Errors`, both with `Sum`).
/// CloudWatch omits periods without errors, so a missing bad point is zero; a bad point without
/// a total is refused. `None` when both are empty.
///
/// # Errors
/// [`InputError::IncompleteData`] when either series is partial; [`InputError::Sli`] for more
/// bad events than total, negative or NaN values, or a bad point without a total, naming the
/// point.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use aws_telemetry::{counts_from_bad, FetchedSeries, QueryId};
///
/// let t = |m| Utc.with_ymd_and_hms(2024, 5, 1, 0, m, 0).unwrap();
/// let total = FetchedSeries::new(QueryId::new("requests")?, vec![(t(0), 1000.0), (t(1), 1200.0)]);
/// let bad = FetchedSeries::new(QueryId::new("errors")?, vec![(t(1), 6.0)]);
/// let counts = counts_from_bad(&total, &bad)?.unwrap();
/// assert_eq!(counts.sum()?.bad(), 6.0);
/// assert_eq!(counts.sum()?.total(), 2200.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn counts_from_bad(
    total: &FetchedSeries,
    bad: &FetchedSeries,
) -> Result<Option<Series<EventCounts>>, InputError> {
    join(total, bad, |total, bad, position| {
        let Some(total) = total else {
            return Err(unpaired(
                "bad count without a total count",
                bad.unwrap_or(f64::NAN),
                position,
            )
            .into());
        };
        let bad = bad.unwrap_or(0.0);
        // `total - bad` would hide a NaN or negative bad count: check it by itself first.
        EventCounts::new_at(0.0, bad, position)?;
        Ok(EventCounts::new_at(total - bad, total, position)?)
    })
}

/// Event counts from a good series and a total series (e.g. `SuccessCount` and `Invocations`).
/// A missing good point is zero good events; a good point without a total is refused.
///
/// # Errors
/// As [`counts_from_bad`].
pub fn counts_from_good(
    good: &FetchedSeries,
    total: &FetchedSeries,
) -> Result<Option<Series<EventCounts>>, InputError> {
    join(total, good, |total, good, position| {
        let Some(total) = total else {
            return Err(unpaired(
                "good count without a total count",
                good.unwrap_or(f64::NAN),
                position,
            )
            .into());
        };
        Ok(EventCounts::new_at(good.unwrap_or(0.0), total, position)?)
    })
}

/// Counts of a threshold SLI from CloudWatch's percentile rank (`PR(:300)`, the percentage of
/// requests at or under 300) and `SampleCount` of the same metric and period. A period with
/// samples but no rank, or a rank but no samples, is refused.
///
/// # Errors
/// [`InputError::IncompleteData`] for a partial series;
/// [`InputError::InvalidPercentileRank`] for a rank outside [0, 100], naming the point;
/// [`InputError::Sli`] for a sample count that is negative or not finite or an unpaired point
/// (naming the point), or a SLI that is not [`Sli::Threshold`].
pub fn threshold_counts(
    sli: &Sli,
    rank_percent: &FetchedSeries,
    samples: &FetchedSeries,
) -> Result<Option<Series<EventCounts>>, InputError> {
    // The SLI's own checks (its kind, a finite threshold) first, on no point: the point checks
    // below are done here, so that their errors name the point.
    sli.counts_from_percentile_rank(0.0, 0.0)?;
    join(samples, rank_percent, |samples, rank, position| {
        match (samples, rank) {
            (Some(samples), Some(rank)) => {
                EventCounts::new_at(0.0, samples, position)?;
                if !(0.0..=100.0).contains(&rank) {
                    return Err(InputError::InvalidPercentileRank {
                        value: rank,
                        position,
                    });
                }
                Ok(sli.counts_from_percentile_rank(rank, samples)?)
            }
            (Some(0.0), None) => Ok(EventCounts::ZERO),
            (Some(samples), None) => {
                Err(unpaired("sample count without a percentile rank", samples, position).into())
            }
            (None, rank) => Err(unpaired(
                "percentile rank without a sample count",
                rank.unwrap_or(f64::NAN),
                position,
            )
            .into()),
        }
    })
}

/// Slice counts of a time-slice SLI from a per-period statistic (e.g. each minute's `p95`):
/// one event per period of `range`, good when the value meets the SLI's objective; periods
/// without a value (before the first point and after the last included) are resolved by
/// `missing`. `None` when there is nothing to count.
///
/// # Errors
/// [`InputError::IncompleteData`] for a partial series; [`InputError::Sli`] when the SLI is not
/// [`Sli::TimeSlice`], a timestamp is off the slice grid, or the slices written out (those
/// filled in included) would be more than [`sli_core::MAX_SLICES`]
/// ([`sli_core::Error::LimitExceeded`], checked before any is written).
pub fn time_slice_counts(
    sli: &Sli,
    values: &FetchedSeries,
    range: TimeRange,
    missing: MissingData,
) -> Result<Option<Series<EventCounts>>, InputError> {
    complete(values)?;
    let Sli::TimeSlice { slice, .. } = *sli else {
        return Err(sli_core::Error::InvalidField {
            field: "sli.kind",
            reason: "this conversion needs a time_slice SLI",
        }
        .into());
    };
    let seconds = slice.seconds();
    let (first, end) = (
        floor_to(range.start(), seconds),
        ceil_to(range.end(), seconds),
    );
    let inside: Vec<(DateTime<Utc>, f64)> = values
        .points
        .iter()
        .copied()
        .filter(|(t, _)| *t >= first && *t < end)
        .collect();
    let fill = missing.as_slice();
    if fill.is_some()
        && let Some(&(head, _)) = inside.first()
        && floor_to(head, seconds) != head
    {
        // Filled slices sit on the range's grid (whole slices from the epoch): a first value
        // off it would be a second slice within one of theirs (61 slices in an hour).
        let index = values.points.iter().position(|(t, _)| *t == head);
        return Err(sli_core::Error::Misaligned {
            at: head,
            origin: first,
            step_seconds: seconds,
            position: sli_core::Position::point(index.unwrap_or(0), head),
        }
        .into());
    }
    let slices = if fill.is_some() {
        usize::try_from((end - first).num_seconds() / seconds).unwrap_or(usize::MAX)
    } else {
        inside.len()
    };
    if slices > sli_core::MAX_SLICES {
        return Err(sli_core::Error::LimitExceeded {
            what: "slices materialised",
            limit: sli_core::MAX_SLICES as u64,
            requested: slices as u64,
        }
        .into());
    }
    let step = slice.as_time_delta();
    let mut points: Vec<(DateTime<Utc>, EventCounts)> = Vec::new();
    let push_gap =
        |from: DateTime<Utc>, to: DateTime<Utc>, points: &mut Vec<(DateTime<Utc>, EventCounts)>| {
            if let Some(fill) = fill {
                let mut at = Some(from);
                while let Some(now) = at.filter(|now| *now < to) {
                    points.push((now, fill));
                    at = now.checked_add_signed(step);
                }
            }
        };
    match (inside.first(), inside.last()) {
        (Some(&(head, _)), Some(&(tail, _))) => {
            push_gap(first, head, &mut points);
            let middle = sli.slice_counts(
                &Series::from_values("slice value", inside.iter().copied())?,
                missing,
            )?;
            points.extend(middle.iter().map(|(t, c)| (t, *c)));
            if let Some(after) = tail.checked_add_signed(step) {
                push_gap(after, end, &mut points);
            }
        }
        _ => push_gap(first, end, &mut points),
    }
    if points.is_empty() {
        return Ok(None);
    }
    Ok(Some(Series::new(points)?))
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
        FetchedSeries::new(QueryId::new("q").unwrap(), points)
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
        // A rank without a sample count is refused too.
        assert!(threshold_counts(&sli, &fetched(vec![(t(3), 50.0)]), &fetched(vec![])).is_err());
    }

    #[test]
    fn threshold_count_errors_name_the_point() {
        // Found by probe C: a bad sample count or rank gave no position, unlike
        // `counts_from_bad` and `counts_from_good`.
        let sli = Sli::Threshold { threshold: 300.0 };
        let samples = fetched(vec![(t(0), 10.0), (t(1), -10.0)]);
        let rank = fetched(vec![(t(0), 50.0), (t(1), 50.0)]);
        match threshold_counts(&sli, &rank, &samples).unwrap_err() {
            InputError::Sli(sli_core::Error::InvalidCount {
                value, position, ..
            }) => {
                assert_eq!(value, -10.0);
                assert_eq!(position, Position::point(1, t(1)));
            }
            other => panic!("{other:?}"),
        }
        let samples = fetched(vec![(t(0), 10.0), (t(1), 10.0)]);
        for bad in [100.000_000_1, -1.0, f64::NAN] {
            let rank = fetched(vec![(t(0), 50.0), (t(1), bad)]);
            let err = threshold_counts(&sli, &rank, &samples).unwrap_err();
            match &err {
                InputError::InvalidPercentileRank { value, position } => {
                    assert!(value.total_cmp(&bad).is_eq(), "{err}");
                    assert_eq!(*position, Position::point(1, t(1)));
                    assert!(err.to_string().contains("at point 1"), "{err}");
                }
                other => panic!("{other:?}"),
            }
        }
        // A SLI of another kind is refused before any point is looked at.
        assert!(matches!(
            threshold_counts(&Sli::EventRatio, &rank, &samples).unwrap_err(),
            InputError::Sli(sli_core::Error::InvalidField { .. })
        ));
    }

    #[test]
    fn slices_from_p95() {
        let sli = Sli::TimeSlice {
            comparison: Comparison::Below,
            threshold: 300.0,
            slice: Span::MINUTE,
        };
        let p95 = fetched(vec![(t(1), 120.0), (t(3), 900.0)]);
        let range = TimeRange::new(t(0), t(6)).unwrap();
        // Minutes 0, 2, 4 and 5 have no value: bad under `Bad`, so 1 good minute of 6 (an
        // outage at the end of the window counts).
        let counts = time_slice_counts(&sli, &p95, range, MissingData::Bad)
            .unwrap()
            .unwrap();
        assert_eq!(
            (counts.sum().unwrap().good(), counts.sum().unwrap().total()),
            (1.0, 6.0)
        );
        let skipped = time_slice_counts(&sli, &p95, range, MissingData::Skip)
            .unwrap()
            .unwrap();
        assert_eq!(skipped.sum().unwrap().total(), 2.0);
        let mut partial = p95.clone();
        partial.completeness = Completeness::Partial {
            reason: "PartialData".into(),
        };
        assert!(matches!(
            time_slice_counts(&sli, &partial, range, MissingData::Bad),
            Err(InputError::IncompleteData { .. })
        ));
    }

    #[test]
    fn a_value_off_the_slice_grid_is_refused_when_gaps_are_filled() {
        // Found by the hostile-input probe: filled minutes sit on whole minutes, the values
        // on the first value's own grid, so a first value at 00:02:30 made 7 slices of 6
        // minutes (00:02:00 filled, 00:02:30 measured).
        let sli = Sli::TimeSlice {
            comparison: Comparison::Below,
            threshold: 300.0,
            slice: Span::MINUTE,
        };
        let range = TimeRange::new(t(0), t(6)).unwrap();
        let half_past = t(2) + chrono::TimeDelta::seconds(30);
        let p95 = fetched(vec![(t(1), 100.0), (half_past, 100.0)]);
        for missing in [MissingData::Good, MissingData::Bad] {
            let off = fetched(vec![(half_past, 100.0)]);
            match time_slice_counts(&sli, &off, range, missing) {
                Err(InputError::Sli(sli_core::Error::Misaligned { at, origin, .. })) => {
                    assert_eq!((at, origin), (half_past, t(0)));
                }
                other => panic!("{missing:?}: {other:?}"),
            }
            // A later value off the grid is refused by the series' own grid check.
            assert!(time_slice_counts(&sli, &p95, range, missing).is_err());
            let on = fetched(vec![(t(2), 100.0)]);
            let counts = time_slice_counts(&sli, &on, range, missing)
                .unwrap()
                .unwrap();
            assert_eq!(counts.sum().unwrap().total(), 6.0);
        }
        // Nothing is filled under `Skip`: one slice per value.
        let off = fetched(vec![(half_past, 100.0)]);
        let skipped = time_slice_counts(&sli, &off, range, MissingData::Skip);
        assert_eq!(skipped.unwrap().unwrap().sum().unwrap().total(), 1.0);
    }

    #[test]
    fn a_range_ending_at_the_last_representable_instant_does_not_panic() {
        // Found by the hostile-input probe: rounding the range's end up to a whole slice
        // (`DateTime + TimeDelta`) panicked past chrono's last instant.
        let sli = Sli::TimeSlice {
            comparison: Comparison::Below,
            threshold: 300.0,
            slice: Span::MINUTE,
        };
        let end = DateTime::<Utc>::MAX_UTC;
        let start = end - chrono::TimeDelta::minutes(3);
        let last_minute =
            DateTime::from_timestamp(end.timestamp() - end.timestamp() % 60, 0).unwrap();
        let p95 = fetched(vec![(last_minute - chrono::TimeDelta::minutes(1), 100.0)]);
        let range = TimeRange::new(start, end).unwrap();
        let counts = time_slice_counts(&sli, &p95, range, MissingData::Bad)
            .unwrap()
            .unwrap();
        // The minutes from the start's to the last one: the value's minute is the good one.
        assert_eq!(counts.sum().unwrap().good(), 1.0);
        assert_eq!(counts.last_time(), last_minute);
    }

    #[test]
    fn slices_past_the_cap_are_refused_before_they_are_written() {
        let sli = Sli::TimeSlice {
            comparison: Comparison::Below,
            threshold: 300.0,
            slice: Span::SECOND,
        };
        let range = TimeRange::new(t(0), t(0) + chrono::TimeDelta::days(365)).unwrap();
        let err = time_slice_counts(&sli, &fetched(vec![(t(1), 1.0)]), range, MissingData::Bad)
            .unwrap_err();
        assert!(
            matches!(
                err,
                InputError::Sli(sli_core::Error::LimitExceeded {
                    requested: 31_536_000,
                    ..
                })
            ),
            "{err}"
        );
        // Without filling, the one value is all there is.
        let one = time_slice_counts(&sli, &fetched(vec![(t(1), 1.0)]), range, MissingData::Skip)
            .unwrap()
            .unwrap();
        assert_eq!(one.len(), 1);
    }
}
