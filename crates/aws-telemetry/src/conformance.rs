//! The contract every [`MetricSource`](crate::MetricSource) must honour, as executable checks.
//!
//! Not stable API: it exists so that every source of this crate (and third-party ones) runs the
//! same checks. Load [`Fixture::samples`] into the source, then call [`Fixture::check_basic`]
//! and, for sources that compute extended statistics, [`Fixture::check_extended`]. Each returns
//! a description of the first broken rule.

use std::fmt::Write as _;
use std::path::Path;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

use crate::error::FetchError;
use crate::fetch::{FetchRequest, FetchedSeries};
use crate::metric::Metric;
use crate::query::{MetricQuery, Period, Statistic};
use crate::range::TimeRange;
use crate::source::DynMetricSource;

/// Raw samples of one metric, in time order.
pub type Samples = Vec<(DateTime<Utc>, f64)>;

/// The namespace of the fixture's metrics.
pub const NAMESPACE: &str = "Conformance";

/// Two hours of samples of two metrics, starting at an instant on a whole hour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixture {
    start: DateTime<Utc>,
}

impl Default for Fixture {
    /// Starting 2024-05-01T00:00:00Z.
    fn default() -> Self {
        Self {
            start: Utc
                .with_ymd_and_hms(2024, 5, 1, 0, 0, 0)
                .single()
                .unwrap_or(DateTime::UNIX_EPOCH),
        }
    }
}

fn requests_value(i: i64) -> f64 {
    (i % 7 + 1) as f64
}

fn latency_value(i: i64) -> f64 {
    (50 + (i * 37) % 400) as f64
}

impl Fixture {
    /// How far before chrono's last instant a fixture may start: its two hours and a margin
    /// for the checks' ranges past them.
    pub const LATEST_START: TimeDelta = TimeDelta::hours(4);

    /// A fixture starting at `start`, truncated to the whole hour (a source with retention
    /// limits, such as CloudWatch, needs one close to now). The fixture spans two hours: a
    /// start later than [`Fixture::LATEST_START`] before chrono's last instant is taken as that
    /// instant, so that every check's arithmetic stays in range.
    pub fn at(start: DateTime<Utc>) -> Self {
        let latest = DateTime::<Utc>::MAX_UTC - Self::LATEST_START;
        let start = start.min(latest);
        let hour = start.timestamp() - start.timestamp().rem_euclid(3600);
        Self {
            start: DateTime::from_timestamp(hour, 0).unwrap_or(start),
        }
    }

    /// The first instant.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The samples of the two metrics in [`NAMESPACE`]: `Requests`, one every 10 s, and
    /// `Latency`, one every 5 s.
    pub fn samples(&self) -> Vec<(Metric, Samples)> {
        samples(self.start)
    }

    /// Writes the samples as one `timestamp,value` file per metric into `dir`, for
    /// [`CsvSource`](crate::CsvSource).
    ///
    /// # Errors
    /// The I/O error of the first file that cannot be written.
    pub fn write_csv(&self, dir: &Path) -> std::io::Result<()> {
        write_csv(self.start, dir)
    }

    /// Every check: [`Fixture::check_basic`], [`Fixture::check_extended`],
    /// [`Fixture::check_expression_refusal`] and [`Fixture::check_span`].
    ///
    /// # Errors
    /// A description of the first rule the source broke.
    pub async fn check_all(&self, source: &DynMetricSource) -> Result<(), String> {
        self.check_basic(source).await?;
        self.check_extended(source).await?;
        self.check_expression_refusal(source).await?;
        self.check_span(source)
    }

    /// [`MetricSource::span`](crate::MetricSource::span) of a source holding only the
    /// fixture: `None` (unknown), or exactly from the first sample to 1 ns after the last.
    ///
    /// # Errors
    /// A description of the broken rule.
    pub fn check_span(&self, source: &DynMetricSource) -> Result<(), String> {
        let Some(span) = source.span() else {
            return Ok(());
        };
        let data = samples(self.start);
        let first = data
            .iter()
            .filter_map(|(_, s)| s.first())
            .map(|(t, _)| *t)
            .min();
        let last = data
            .iter()
            .filter_map(|(_, s)| s.last())
            .map(|(t, _)| *t)
            .max();
        let want = first
            .zip(last)
            .map(|(f, l)| (f, l + TimeDelta::nanoseconds(1)));
        if want != Some((span.start(), span.end())) {
            return Err(format!(
                "{source}: span {} .. {}, expected {want:?}",
                span.start(),
                span.end()
            ));
        }
        Ok(())
    }

    /// See [`check_basic`].
    ///
    /// # Errors
    /// A description of the first rule the source broke.
    pub async fn check_basic(&self, source: &DynMetricSource) -> Result<(), String> {
        check_basic(self.start, source).await
    }

    /// See [`check_extended`].
    ///
    /// # Errors
    /// A description of the first rule the source broke.
    pub async fn check_extended(&self, source: &DynMetricSource) -> Result<(), String> {
        check_extended(self.start, source).await
    }

    /// See [`check_expression_refusal`].
    ///
    /// # Errors
    /// A description of the broken rule.
    pub async fn check_expression_refusal(&self, source: &DynMetricSource) -> Result<(), String> {
        check_expression_refusal(self.start, source).await
    }
}

fn samples(t0: DateTime<Utc>) -> Vec<(Metric, Samples)> {
    // Constant names, valid by CloudWatch's rules.
    let metric = |name| Metric::known(NAMESPACE, name);
    vec![
        (
            metric("Requests"),
            (0..720)
                .map(|i| (t0 + TimeDelta::seconds(10 * i), requests_value(i)))
                .collect(),
        ),
        (
            metric("Latency"),
            (0..1440)
                .map(|i| (t0 + TimeDelta::seconds(5 * i), latency_value(i)))
                .collect(),
        ),
    ]
}

fn write_csv(start: DateTime<Utc>, dir: &Path) -> std::io::Result<()> {
    for (metric, samples) in samples(start) {
        let mut text = String::from("timestamp,value\n");
        for (at, value) in samples {
            let _ = writeln!(text, "{},{value}", at.to_rfc3339());
        }
        std::fs::write(dir.join(format!("{}.csv", metric.name())), text)?;
    }
    Ok(())
}

fn query(id: &str, name: &str, stat: Statistic, period: u32) -> Result<MetricQuery, String> {
    let metric = Metric::new(NAMESPACE, name).map_err(|e| e.to_string())?;
    let period = Period::new(period).map_err(|e| e.to_string())?;
    MetricQuery::stat(id, metric, stat, period).map_err(|e| e.to_string())
}

async fn fetch(
    start: DateTime<Utc>,
    source: &DynMetricSource,
    queries: Vec<MetricQuery>,
    from_minute: i64,
    minutes: i64,
) -> Result<Vec<FetchedSeries>, String> {
    let t0 = start + TimeDelta::minutes(from_minute);
    let range = TimeRange::new(t0, t0 + TimeDelta::minutes(minutes)).map_err(|e| e.to_string())?;
    let request = FetchRequest::new(queries, range).map_err(|e| e.to_string())?;
    source
        .fetch(&request)
        .await
        .map_err(|e| format!("{source}: fetch failed: {e}"))
}

/// Expected values of `stat` per period, computed here independently of any source. As in
/// CloudWatch, a percentile statistic of a period holding a negative sample has no value.
fn expected(
    samples: &[(DateTime<Utc>, f64)],
    stat: Statistic,
    period: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, f64)> {
    let mut out = Vec::new();
    let mut bucket_start = from;
    while bucket_start < to {
        let bucket_end = bucket_start + TimeDelta::seconds(period);
        let mut values: Vec<f64> = samples
            .iter()
            .filter(|(t, _)| *t >= bucket_start && *t < bucket_end)
            .map(|(_, v)| *v)
            .collect();
        values.sort_by(f64::total_cmp);
        // CloudWatch has no percentile statistic of a period with a negative sample (the
        // smallest, once sorted).
        let no_percentile = values.first().is_some_and(|v| *v < 0.0)
            && matches!(
                stat,
                Statistic::Percentile(_) | Statistic::PercentileRank { .. }
            );
        if !values.is_empty() && !no_percentile {
            let n = values.len() as f64;
            let value = match stat {
                Statistic::Sum => values.iter().sum(),
                Statistic::Average => values.iter().sum::<f64>() / n,
                Statistic::Minimum => values[0],
                Statistic::Maximum => values[values.len() - 1],
                Statistic::SampleCount => n,
                Statistic::Percentile(p) => values[reference_rank(p, values.len()) - 1],
                Statistic::PercentileRank { upper } => {
                    100.0 * values.iter().filter(|v| **v <= upper).count() as f64 / n
                }
            };
            out.push((bucket_start, value));
        }
        bucket_start = bucket_end;
    }
    out
}

fn compare(
    source: &DynMetricSource,
    got: &FetchedSeries,
    want: &[(DateTime<Utc>, f64)],
) -> Result<(), String> {
    if got.points.len() != want.len() {
        return Err(format!(
            "{source}: query {} returned {} points, expected {}",
            got.id,
            got.points.len(),
            want.len()
        ));
    }
    for (g, w) in got.points.iter().zip(want) {
        if g.0 != w.0 || (g.1 - w.1).abs() > 1e-9 * w.1.abs().max(1.0) {
            return Err(format!(
                "{source}: query {} returned {g:?}, expected {w:?}",
                got.id
            ));
        }
    }
    if !got.is_complete() {
        return Err(format!(
            "{source}: query {} is marked {:?}",
            got.id, got.completeness
        ));
    }
    Ok(())
}

/// Sum, Average, Minimum, Maximum and SampleCount; one series per query in request order with
/// the query's id; an unknown metric as an empty complete series; the range clips periods.
async fn check_basic(t0: DateTime<Utc>, source: &DynMetricSource) -> Result<(), String> {
    let data = samples(t0);
    let (requests, latency) = (&data[0].1, &data[1].1);
    let queries = vec![
        query("latency_avg", "Latency", Statistic::Average, 300)?,
        query("requests_sum", "Requests", Statistic::Sum, 60)?,
        query("missing", "NoSuchMetric", Statistic::Sum, 60)?,
        query("latency_min", "Latency", Statistic::Minimum, 300)?,
        query("latency_max", "Latency", Statistic::Maximum, 300)?,
        query("latency_n", "Latency", Statistic::SampleCount, 60)?,
    ];
    let ids: Vec<String> = queries.iter().map(|q| q.id().to_string()).collect();
    let got = fetch(t0, source, queries, 0, 60).await?;
    let got_ids: Vec<String> = got.iter().map(|s| s.id.to_string()).collect();
    if got_ids != ids {
        return Err(format!(
            "{source}: results {got_ids:?} are not in request order {ids:?}"
        ));
    }
    let end = t0 + TimeDelta::hours(1);
    compare(
        source,
        &got[0],
        &expected(latency, Statistic::Average, 300, t0, end),
    )?;
    compare(
        source,
        &got[1],
        &expected(requests, Statistic::Sum, 60, t0, end),
    )?;
    compare(source, &got[2], &[])?;
    compare(
        source,
        &got[3],
        &expected(latency, Statistic::Minimum, 300, t0, end),
    )?;
    compare(
        source,
        &got[4],
        &expected(latency, Statistic::Maximum, 300, t0, end),
    )?;
    compare(
        source,
        &got[5],
        &expected(latency, Statistic::SampleCount, 60, t0, end),
    )?;
    // A later, shorter range: exactly its ten periods.
    let clipped = fetch(
        t0,
        source,
        vec![query("requests_sum", "Requests", Statistic::Sum, 60)?],
        30,
        10,
    )
    .await?;
    let from = t0 + TimeDelta::minutes(30);
    let clipped = clipped
        .first()
        .ok_or_else(|| format!("{source}: no series for one query"))?;
    compare(
        source,
        clipped,
        &expected(
            requests,
            Statistic::Sum,
            60,
            from,
            from + TimeDelta::minutes(10),
        ),
    )?;
    // A range off the period grid: every period it overlaps comes back whole.
    let odd_start = from + TimeDelta::seconds(30);
    let range =
        TimeRange::new(odd_start, odd_start + TimeDelta::minutes(10)).map_err(|e| e.to_string())?;
    let request = FetchRequest::new(
        vec![query("requests_sum", "Requests", Statistic::Sum, 60)?],
        range,
    )
    .map_err(|e| e.to_string())?;
    let odd = source
        .fetch(&request)
        .await
        .map_err(|e| format!("{source}: fetch failed: {e}"))?;
    let odd = odd
        .first()
        .ok_or_else(|| format!("{source}: no series for one query"))?;
    compare(
        source,
        odd,
        &expected(
            requests,
            Statistic::Sum,
            60,
            from,
            from + TimeDelta::minutes(11),
        ),
    )
}

/// Percentiles and percentile ranks (`p95`, `p99`, `PR(:300)`) per minute.
async fn check_extended(t0: DateTime<Utc>, source: &DynMetricSource) -> Result<(), String> {
    let data = samples(t0);
    let latency = &data[1].1;
    let stats = [
        Statistic::Percentile(95.0),
        Statistic::Percentile(99.0),
        Statistic::PercentileRank { upper: 300.0 },
    ];
    let queries = stats
        .iter()
        .enumerate()
        .map(|(i, s)| query(&format!("q{i}"), "Latency", *s, 60))
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<String> = queries.iter().map(|q| q.id().to_string()).collect();
    let got = fetch(t0, source, queries, 0, 30).await?;
    let got_ids: Vec<String> = got.iter().map(|s| s.id.to_string()).collect();
    if got_ids != ids {
        return Err(format!(
            "{source}: results {got_ids:?} are not the queries {ids:?}"
        ));
    }
    for (series, stat) in got.iter().zip(stats) {
        compare(
            source,
            series,
            &expected(latency, stat, 60, t0, t0 + TimeDelta::minutes(30)),
        )?;
    }
    Ok(())
}

/// Metric math: either evaluated, or refused with [`FetchError::Unsupported`] before any result.
async fn check_expression_refusal(
    t0: DateTime<Utc>,
    source: &DynMetricSource,
) -> Result<(), String> {
    let range = TimeRange::new(t0, t0 + TimeDelta::minutes(5)).map_err(|e| e.to_string())?;
    let queries = vec![
        query("requests", "Requests", Statistic::Sum, 60)?,
        MetricQuery::expression("doubled", "requests * 2", Period::MINUTE)
            .map_err(|e| e.to_string())?,
    ];
    let request = FetchRequest::new(queries, range).map_err(|e| e.to_string())?;
    match source.fetch(&request).await {
        Ok(series) if series.len() != 2 => {
            Err(format!("{source}: {} series for 2 queries", series.len()))
        }
        Ok(series) => {
            // Evaluated: twice the requests, period by period.
            let doubled: Vec<(DateTime<Utc>, f64)> = series[0]
                .points
                .iter()
                .map(|(t, v)| (*t, 2.0 * v))
                .collect();
            if series[0].points.is_empty() || series[1].points != doubled {
                return Err(format!(
                    "{source}: metric math evaluated to {:?}, expected {doubled:?}",
                    series[1].points
                ));
            }
            Ok(())
        }
        Err(FetchError::Unsupported { .. }) => Ok(()),
        Err(e) => Err(format!("{source}: unexpected error for metric math: {e}")),
    }
}

/// The nearest rank of percentile `p` among `n` values, worked out apart from the sources'
/// own: `⌈p·n/100⌉` in integers, from the decimal `p` is written as (99.9 is 999/10), so that
/// no rounding of `p · n` can move it.
fn reference_rank(p: f64, n: usize) -> usize {
    let text = format!("{p}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let rank = format!("{whole}{fraction}")
        .parse::<u128>()
        .ok()
        .zip(
            u32::try_from(fraction.len())
                .ok()
                .and_then(|f| 10u128.checked_pow(f)),
        )
        .and_then(|(digits, scale)| {
            Some(
                digits
                    .checked_mul(n as u128)?
                    .div_ceil(scale.checked_mul(100)?),
            )
        })
        // A percentile with more decimals than u128 holds is below any rank but the first.
        .unwrap_or(1);
    usize::try_from(rank).unwrap_or(n).clamp(1, n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference agrees with CloudWatch (and so with the in-memory and CSV sources): no
    /// percentile statistic of a period holding a negative sample, found by probe C.
    #[test]
    fn the_reference_has_no_percentile_of_a_period_with_a_negative_sample() {
        let t0 = Fixture::default().start();
        let minute = TimeDelta::minutes(1);
        let samples = vec![(t0, -5.0), (t0 + minute, -0.0), (t0 + minute, 4.0)];
        for stat in [
            Statistic::Percentile(50.0),
            Statistic::PercentileRank { upper: 0.0 },
        ] {
            let want = expected(&samples, stat, 60, t0, t0 + minute * 2);
            assert_eq!(want.len(), 1, "{stat}: {want:?}");
            assert_eq!(want[0].0, t0 + minute, "{stat}");
        }
        assert_eq!(
            expected(&samples, Statistic::Minimum, 60, t0, t0 + minute * 2),
            vec![(t0, -5.0), (t0 + minute, -0.0)]
        );
    }
}
