//! Windows longer than an alarm can look back (or over time-slice SLIs): computed here and
//! published every minute through a [`MetricSink`], for the alarm that watches them.

use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{EventCounts, Series, Span};

use aws_telemetry::{MetricSink, PutError};

use super::compiled::{CompiledSlo, PublishedWindow};

/// Timestamped values of one metric.
pub type Points = Vec<(DateTime<Utc>, f64)>;

/// The datapoints to publish for one window: for each minute of `series` (a minute grid from
/// its first point; gaps hold no events), `bad − ratio_threshold × total` over the window that
/// ends with that minute, stamped at the minute's start; nothing for a window with fewer events
/// than `min_events` (or none), and, when `full_windows_only`, for a window reaching before the
/// first point. The sums are running sums in the order `sli-core`'s evaluators add them, so the
/// alarm fires exactly when `sli-core` does.
///
/// Memory is one entry per point of `series` and one output per minute whose window holds a
/// point (at most the points × the window's minutes), however far apart the points lie.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use slo_compiler::cloudwatch::window_points;
/// use sli_core::{Series, Span};
///
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let series = Series::from_counts((0..3).map(|m| (t0 + TimeDelta::minutes(m), 90.0, 100.0)))?;
/// let points = window_points(&series, Span::from_minutes(2)?, 0.05, 0.0, true);
/// assert_eq!(points, vec![(t0 + TimeDelta::minutes(1), 20.0 - 0.05 * 200.0), (t0 + TimeDelta::minutes(2), 20.0 - 0.05 * 200.0)]);
/// # Ok::<(), sli_core::Error>(())
/// ```
pub fn window_points(
    series: &Series<EventCounts>,
    window: Span,
    ratio_threshold: f64,
    min_events: f64,
    full_windows_only: bool,
) -> Points {
    let origin = series.first_time();
    let minute = |at: DateTime<Utc>| {
        let offset = (at - origin).num_seconds();
        (offset % 60 == 0)
            .then(|| usize::try_from(offset / 60).ok())
            .flatten()
    };
    // The running sums after each point on the grid, in order: the sums over any span of
    // minutes are differences of two of them. Kept per point, not per minute, so two points
    // years apart cost two entries, not a slot for every minute between them.
    let mut marks: Vec<(usize, f64, f64)> = Vec::new();
    let (mut cum_bad, mut cum_total) = (0.0, 0.0);
    for (at, counts) in series.iter() {
        let Some(slot) = minute(at) else { continue };
        cum_bad += counts.bad();
        cum_total += counts.total();
        marks.push((slot, cum_bad, cum_total));
    }
    let Some(&(last, _, _)) = marks.last() else {
        return Vec::new();
    };
    let steps = usize::try_from(window.seconds() / 60)
        .unwrap_or(usize::MAX)
        .max(1);
    let min = if min_events > 0.0 {
        min_events
    } else {
        f64::MIN_POSITIVE
    };
    // The sums of the points before minute `k`, found from `*from` on (`k` only grows).
    let before = |from: &mut usize, k: usize| {
        while *from < marks.len() && marks[*from].0 < k {
            *from += 1;
        }
        match from.checked_sub(1) {
            Some(i) => (marks[i].1, marks[i].2),
            None => (0.0, 0.0),
        }
    };
    let (mut upper, mut lower) = (0, 0);
    let mut out = Vec::new();
    // Only the minutes whose window holds a point can hold events (`min` is positive): for
    // each point, the minutes from it until the window has slid past it.
    let mut i = 0;
    for &(slot, _, _) in &marks {
        i = i.max(slot);
        let until = slot.saturating_add(steps - 1).min(last);
        while i <= until {
            if !(full_windows_only && i + 1 < steps) {
                let lo = (i + 1).saturating_sub(steps);
                let (bad_to, total_to) = before(&mut upper, i + 1);
                let (bad_from, total_from) = before(&mut lower, lo);
                let (b, t) = (bad_to - bad_from, total_to - total_from);
                if t >= min {
                    let at =
                        origin + TimeDelta::minutes(i64::try_from(i).unwrap_or(i64::MAX / 120));
                    out.push((at, b - ratio_threshold * t));
                }
            }
            i += 1;
        }
    }
    out
}

/// What to publish for each published window of `slo`, from the SLO's per-minute counts.
///
/// # Example
/// ```
/// # use slo_compiler::cloudwatch::{published_points, CompiledSlo};
/// # fn f(slo: &CompiledSlo, s: &sli_core::Series<sli_core::EventCounts>) { let _ = published_points(slo, s); }
/// ```
pub fn published_points(
    slo: &CompiledSlo,
    series: &Series<EventCounts>,
) -> Vec<(PublishedWindow, Points)> {
    slo.published
        .iter()
        .map(|w| {
            let points = window_points(
                series,
                w.window,
                w.ratio_threshold,
                slo.min_events,
                slo.full_windows_only,
            );
            (w.clone(), points)
        })
        .collect()
}

/// Publishes every published window of `slo` through `sink`; returns the calls made.
///
/// # Errors
/// The sink's.
///
/// # Example
/// ```
/// # use slo_compiler::cloudwatch::{publish_windows, CompiledSlo};
/// # async fn f(slo: &CompiledSlo, s: &sli_core::Series<sli_core::EventCounts>) -> Result<(), aws_telemetry::PutError> {
/// let memory = aws_telemetry::InMemorySource::new();
/// publish_windows(&memory, slo, s).await?;
/// # Ok(()) }
/// ```
pub async fn publish_windows(
    sink: &dyn MetricSink,
    slo: &CompiledSlo,
    series: &Series<EventCounts>,
) -> Result<usize, PutError> {
    let mut calls = 0;
    for (window, points) in published_points(slo, series) {
        if !points.is_empty() {
            calls += sink.put(&window.metric, &points).await?;
        }
    }
    Ok(calls)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The points as first written: a running sum for every minute from the first point to
    /// the last, each window a difference of two.
    fn per_minute(
        series: &Series<EventCounts>,
        window: Span,
        ratio_threshold: f64,
        min: f64,
        full: bool,
    ) -> Points {
        let origin = series.first_time();
        let slots: Vec<(usize, EventCounts)> = series
            .iter()
            .filter(|(at, _)| (*at - origin).num_seconds() % 60 == 0)
            .map(|(at, c)| (((at - origin).num_seconds() / 60) as usize, *c))
            .collect();
        let last = slots.last().unwrap().0;
        let (mut bad, mut total) = (vec![0.0; last + 2], vec![0.0; last + 2]);
        let (mut cb, mut ct, mut next) = (0.0, 0.0, 0);
        for (slot, c) in slots {
            for k in next + 1..=slot {
                (bad[k], total[k]) = (cb, ct);
            }
            cb += c.bad();
            ct += c.total();
            (bad[slot + 1], total[slot + 1]) = (cb, ct);
            next = slot + 1;
        }
        let steps = (window.seconds() / 60) as usize;
        let min = if min > 0.0 { min } else { f64::MIN_POSITIVE };
        (0..=last)
            .filter(|i| !(full && i + 1 < steps))
            .filter_map(|i| {
                let lo = (i + 1).saturating_sub(steps);
                let (b, t) = (bad[i + 1] - bad[lo], total[i + 1] - total[lo]);
                (t >= min).then(|| {
                    let at = origin + TimeDelta::minutes(i as i64);
                    (at, b - ratio_threshold * t)
                })
            })
            .collect()
    }

    #[test]
    fn points_are_those_of_a_running_sum_per_minute_to_the_bit() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        // Bursts of minutes with gaps of every length, a point off the grid, odd counts.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut points = Vec::new();
        let mut minute = 0i64;
        for _ in 0..400 {
            minute += 1 + (next() % 5) as i64 * (next() % 40) as i64;
            let total = (next() % 1000) as f64 / 7.0;
            let good = total - (next() % 13) as f64 / 3.0;
            points.push((t0 + TimeDelta::minutes(minute), good.max(0.0), total));
        }
        points.insert(3, (t0 + TimeDelta::seconds(90), 1.0, 2.0));
        points.sort_by_key(|p| p.0);
        let series = Series::from_counts(points).unwrap();
        for minutes in [1, 2, 5, 60, 1440] {
            let window = Span::from_minutes(minutes).unwrap();
            for (min, full) in [(0.0, false), (0.0, true), (50.0, false), (50.0, true)] {
                let fast = window_points(&series, window, 0.001, min, full);
                let slow = per_minute(&series, window, 0.001, min, full);
                assert_eq!(fast.len(), slow.len(), "{minutes} min, {min}, {full}");
                for (f, s) in fast.iter().zip(&slow) {
                    assert_eq!((f.0, f.1.to_bits()), (s.0, s.1.to_bits()));
                }
            }
        }
    }

    #[test]
    fn points_years_apart_cost_their_windows_not_the_minutes_between() {
        let t0 = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap();
        let t1 = Utc.with_ymd_and_hms(2900, 1, 1, 0, 0, 0).unwrap();
        let series = Series::from_counts([(t0, 9.0, 10.0), (t1, 5.0, 10.0)]).unwrap();
        // A thousand years is 5.3e8 minutes: a slot for each was 8 GiB. The first point's
        // window slides over three minutes; the series ends with the last point.
        let points = window_points(&series, Span::from_minutes(3).unwrap(), 0.01, 0.0, false);
        assert_eq!(points.len(), 4);
        assert_eq!(points[0], (t0, 1.0 - 0.1));
        assert_eq!(points[2], (t0 + TimeDelta::minutes(2), 1.0 - 0.1));
        assert_eq!(points[3], (t1, 5.0 - 0.1));
    }
}
