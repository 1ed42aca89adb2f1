//! Statistics over raw samples per period, as CloudWatch computes them: the reference the
//! in-memory and CSV sources answer with.

use chrono::{DateTime, TimeDelta, Utc};

use crate::plan::{ceil_to, floor_to};
use crate::query::{Period, Statistic, TimeRange};

/// Aggregates time-ordered `samples` into periods aligned to the Unix epoch, keeping every
/// period that overlaps `range`, whole, when it holds at least one sample. This is what
/// CloudWatch answers for a start time on a period boundary, and what the CloudWatch adapter
/// asks for (it widens ranges to whole periods). Returns `(period start, statistic)` in time
/// order.
pub(crate) fn aggregate(
    samples: &[(DateTime<Utc>, f64)],
    stat: Statistic,
    period: Period,
    range: TimeRange,
) -> Vec<(DateTime<Utc>, f64)> {
    let seconds = i64::from(period.seconds());
    let bucket_of = |at: DateTime<Utc>| at.timestamp().div_euclid(seconds);
    let (start, end) = (
        floor_to(range.start(), seconds),
        ceil_to(range.end(), seconds),
    );
    let from = samples.partition_point(|(t, _)| *t < start);
    let to = samples.partition_point(|(t, _)| *t < end);
    let mut out = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    let mut current: Option<i64> = None;
    for &(at, value) in &samples[from..to] {
        let bucket = bucket_of(at);
        if current.is_some_and(|c| c != bucket) {
            flush(current, &mut values, stat, seconds, &mut out);
        }
        current = Some(bucket);
        values.push(value);
    }
    flush(current, &mut values, stat, seconds, &mut out);
    out
}

fn flush(
    bucket: Option<i64>,
    values: &mut Vec<f64>,
    stat: Statistic,
    seconds: i64,
    out: &mut Vec<(DateTime<Utc>, f64)>,
) {
    let Some(bucket) = bucket else { return };
    if values.is_empty() {
        return;
    }
    let start = DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(bucket * seconds);
    out.push((start, statistic(values, stat)));
    values.clear();
}

/// One statistic over a non-empty set of values (reordered in place for percentiles).
fn statistic(values: &mut [f64], stat: Statistic) -> f64 {
    let n = values.len() as f64;
    match stat {
        Statistic::Sum => values.iter().sum(),
        Statistic::Average => values.iter().sum::<f64>() / n,
        Statistic::Minimum => values.iter().copied().fold(f64::INFINITY, f64::min),
        Statistic::Maximum => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Statistic::SampleCount => n,
        Statistic::Percentile(p) => {
            // Nearest rank: the smallest value with at least p % of the values at or under it.
            values.sort_by(f64::total_cmp);
            let rank = ((p / 100.0 * n).ceil() as usize).clamp(1, values.len());
            values[rank - 1]
        }
        Statistic::PercentileRank { upper } => {
            100.0 * values.iter().filter(|v| **v <= upper).count() as f64 / n
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn statistics_over_one_period() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let samples: Vec<_> = (1..=100)
            .map(|i| (t0 + TimeDelta::milliseconds(i * 100), i as f64))
            .collect();
        let range = TimeRange::new(t0, t0 + TimeDelta::minutes(1)).unwrap();
        let one = |stat| aggregate(&samples, stat, Period::MINUTE, range)[0].1;
        assert_eq!(one(Statistic::Sum), 5050.0);
        assert_eq!(one(Statistic::Average), 50.5);
        assert_eq!(one(Statistic::Minimum), 1.0);
        assert_eq!(one(Statistic::Maximum), 100.0);
        assert_eq!(one(Statistic::SampleCount), 100.0);
        assert_eq!(one(Statistic::Percentile(95.0)), 95.0);
        assert_eq!(one(Statistic::Percentile(99.9)), 100.0);
        assert_eq!(one(Statistic::PercentileRank { upper: 30.0 }), 30.0);
    }

    #[test]
    fn an_unaligned_range_returns_whole_periods() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let samples: Vec<_> = (0..120)
            .map(|s| (t0 + TimeDelta::seconds(s), 1.0))
            .collect();
        let range =
            TimeRange::new(t0 + TimeDelta::seconds(30), t0 + TimeDelta::seconds(90)).unwrap();
        let out = aggregate(&samples, Statistic::Sum, Period::MINUTE, range);
        assert_eq!(out, vec![(t0, 60.0), (t0 + TimeDelta::minutes(1), 60.0)]);
    }

    #[test]
    fn periods_align_to_the_epoch_and_skip_empty_ones() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 30).unwrap();
        let samples = vec![
            (t0, 1.0),
            (t0 + TimeDelta::seconds(40), 2.0),
            (t0 + TimeDelta::minutes(5), 4.0),
        ];
        let range = TimeRange::new(t0 - TimeDelta::hours(1), t0 + TimeDelta::hours(1)).unwrap();
        let out = aggregate(&samples, Statistic::Sum, Period::MINUTE, range);
        let minute = |m| Utc.with_ymd_and_hms(2024, 5, 1, 0, m, 0).unwrap();
        assert_eq!(
            out,
            vec![(minute(0), 1.0), (minute(1), 2.0), (minute(5), 4.0)]
        );
    }
}
