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
    let Some(last) = minute(series.last_time()) else {
        return Vec::new();
    };
    let mut bad = vec![0.0f64; last + 2];
    let mut total = vec![0.0f64; last + 2];
    let (mut cum_bad, mut cum_total) = (0.0, 0.0);
    let mut next = 0;
    for (at, counts) in series.iter() {
        let Some(slot) = minute(at) else { continue };
        for k in next + 1..=slot {
            bad[k] = cum_bad;
            total[k] = cum_total;
        }
        cum_bad += counts.bad();
        cum_total += counts.total();
        bad[slot + 1] = cum_bad;
        total[slot + 1] = cum_total;
        next = slot + 1;
    }
    let steps = usize::try_from(window.seconds() / 60)
        .unwrap_or(usize::MAX)
        .max(1);
    let min = if min_events > 0.0 {
        min_events
    } else {
        f64::MIN_POSITIVE
    };
    let mut out = Vec::new();
    for i in 0..=last {
        if full_windows_only && i + 1 < steps {
            continue;
        }
        let lo = (i + 1).saturating_sub(steps);
        let (b, t) = (bad[i + 1] - bad[lo], total[i + 1] - total[lo]);
        if t >= min {
            let at = origin + TimeDelta::minutes(i64::try_from(i).unwrap_or(i64::MAX / 120));
            out.push((at, b - ratio_threshold * t));
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
