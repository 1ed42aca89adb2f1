//! Statistics over raw samples per period, as CloudWatch computes them: the reference the
//! in-memory and CSV sources answer with.
//!
//! As in CloudWatch, percentile statistics (`pNN` and `PR(..)`) are not available for a period
//! holding a negative sample: that period has no datapoint, as a period without samples has
//! none ("Percentile statistics are not available for metrics when any of the metric values
//! are negative numbers", `GetMetricStatistics`' `ExtendedStatistics`). `-0.0` is not
//! negative.

use chrono::{DateTime, Utc};

use crate::error::FetchError;
use crate::plan::{ceil_to, floor_to};
use crate::query::{Period, QueryId, Statistic};
use crate::range::TimeRange;

/// Aggregates time-ordered `samples` into periods aligned to the Unix epoch, keeping every
/// period that overlaps `range`, whole, when it holds at least one sample. This is what
/// CloudWatch answers for a start time on a period boundary, and what the CloudWatch adapter
/// asks for (it widens ranges to whole periods). Returns `(period start, statistic)` in time
/// order. A percentile statistic of a period holding a negative sample has no datapoint, as in
/// CloudWatch.
///
/// # Errors
/// [`FetchError::Overflow`] naming query `id` when a period's `Sum` of finite samples is
/// beyond `f64`'s range (its `Average` never is: it is rescaled instead).
pub(crate) fn aggregate(
    id: &QueryId,
    samples: &[(DateTime<Utc>, f64)],
    stat: Statistic,
    period: Period,
    range: TimeRange,
) -> Result<Vec<(DateTime<Utc>, f64)>, FetchError> {
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
            flush(current, &mut values, stat, seconds, &mut out).map_err(overflow(id, stat))?;
        }
        current = Some(bucket);
        values.push(value);
    }
    flush(current, &mut values, stat, seconds, &mut out).map_err(overflow(id, stat))?;
    Ok(out)
}

/// The error for a statistic of query `id` that overflowed in the period starting `at`.
fn overflow(id: &QueryId, statistic: Statistic) -> impl Fn(DateTime<Utc>) -> FetchError + '_ {
    move |at| FetchError::Overflow {
        id: id.to_string(),
        statistic,
        at,
    }
}

/// Appends the statistic of the period `bucket`; `Err(period start)` when it is not finite.
fn flush(
    bucket: Option<i64>,
    values: &mut Vec<f64>,
    stat: Statistic,
    seconds: i64,
    out: &mut Vec<(DateTime<Utc>, f64)>,
) -> Result<(), DateTime<Utc>> {
    let Some(bucket) = bucket else { return Ok(()) };
    if values.is_empty() {
        return Ok(());
    }
    if is_percentile(stat) && values.iter().any(|v| *v < 0.0) {
        // CloudWatch gives no percentile of a period with a negative sample.
        values.clear();
        return Ok(());
    }
    // A period that begins before chrono's first instant (a sample in the first period of
    // a length that does not divide the distance to the epoch) is stamped with that instant,
    // as `ceil_to` stamps one past the last with the last: no sample can be earlier.
    let start =
        DateTime::<Utc>::from_timestamp(bucket * seconds, 0).unwrap_or(DateTime::<Utc>::MIN_UTC);
    let value = statistic(values, stat);
    if !value.is_finite() {
        // Samples are finite, so only a sum past f64::MAX gets here.
        return Err(start);
    }
    out.push((start, value));
    values.clear();
    Ok(())
}

/// Whether CloudWatch counts `stat` among the percentile statistics, which it does not give
/// for a period holding a negative sample.
fn is_percentile(stat: Statistic) -> bool {
    matches!(
        stat,
        Statistic::Percentile(_) | Statistic::PercentileRank { .. }
    )
}

/// The sum of finite `values`: their [`compensated_sum`], or, when a partial sum passed
/// `f64::MAX` on the way (`[MAX, MAX, -MAX]`), the compensated sum of the values scaled down by
/// a power of two (exact, but for values near the subnormal range) that keeps every partial sum
/// in range, scaled back up. Identical to [`compensated_sum`] whenever that is finite; not
/// finite only when the sum itself is beyond `f64`'s range.
fn sum(values: &[f64]) -> f64 {
    let plain = compensated_sum(values.iter().copied());
    if plain.is_finite() {
        return plain;
    }
    // 2^k >= n: every partial sum of n values scaled by 2^-k is at most f64::MAX.
    let k = values.len().next_power_of_two().trailing_zeros();
    let Ok(k) = i32::try_from(k) else {
        return plain;
    };
    let scale = 2f64.powi(k);
    compensated_sum(values.iter().map(|v| v / scale)) * scale
}

/// The sum of `values`, compensated (Neumaier's variant of Kahan summation), so that a long
/// run of samples of very different sizes adds up to the correctly rounded sum in practice,
/// not to whatever order of additions left.
fn compensated_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut compensation) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        compensation += if sum.abs() >= v.abs() {
            (sum - t) + v
        } else {
            (v - t) + sum
        };
        sum = t;
    }
    sum + compensation
}

/// The mean of finite `values`: their compensated sum over their count, or, when that sum
/// would pass `f64::MAX`, the compensated sum of each value over the count. The mean of finite
/// values is within their range, so it is always finite.
fn mean(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let sum = compensated_sum(values.iter().copied());
    if sum.is_finite() {
        sum / n
    } else {
        compensated_sum(values.iter().map(|v| v / n))
    }
}

/// One statistic over a non-empty set of values (reordered in place for percentiles).
fn statistic(values: &mut [f64], stat: Statistic) -> f64 {
    let n = values.len() as f64;
    match stat {
        Statistic::Sum => sum(values),
        Statistic::Average => mean(values),
        Statistic::Minimum => values.iter().copied().fold(f64::INFINITY, f64::min),
        Statistic::Maximum => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        Statistic::SampleCount => n,
        Statistic::Percentile(p) => {
            // Nearest rank: the smallest value with at least p % of the values at or under it.
            values.sort_by(f64::total_cmp);
            values[nearest_rank(p, values.len()) - 1]
        }
        Statistic::PercentileRank { upper } => {
            100.0 * values.iter().filter(|v| **v <= upper).count() as f64 / n
        }
    }
}

/// The nearest rank of percentile `p` among `n` values, 1 to `n`: the smallest `r` with
/// `r / n ≥ p / 100`. `p × n / 100` is rounded twice on the way (0.07 × 100 is
/// 7.000000000000001), so a product within a few ulps of a whole number is that number;
/// taking its ceiling put p7 of 100 values at the 8th.
fn nearest_rank(p: f64, n: usize) -> usize {
    let exact = p * n as f64 / 100.0;
    let whole = exact.round();
    let rank = if (exact - whole).abs() <= 4.0 * f64::EPSILON * whole.abs() {
        whole
    } else {
        exact.ceil()
    };
    (rank as usize).clamp(1, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn id() -> QueryId {
        QueryId::new("q").unwrap()
    }

    #[test]
    fn statistics_over_one_period() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let samples: Vec<_> = (1..=100)
            .map(|i| (t0 + TimeDelta::milliseconds(i * 100), i as f64))
            .collect();
        let range = TimeRange::new(t0, t0 + TimeDelta::minutes(1)).unwrap();
        let one = |stat| aggregate(&id(), &samples, stat, Period::MINUTE, range).unwrap()[0].1;
        assert_eq!(one(Statistic::Sum), 5050.0);
        assert_eq!(one(Statistic::Average), 50.5);
        assert_eq!(one(Statistic::Minimum), 1.0);
        assert_eq!(one(Statistic::Maximum), 100.0);
        assert_eq!(one(Statistic::SampleCount), 100.0);
        assert_eq!(one(Statistic::Percentile(95.0)), 95.0);
        assert_eq!(one(Statistic::Percentile(99.9)), 100.0);
        assert_eq!(one(Statistic::PercentileRank { upper: 30.0 }), 30.0);
    }

    /// Every percentile in tenths, against the nearest rank in whole numbers (`⌈k·n/1000⌉` for
    /// p = k/10): p7 of 100 values was the 8th, and four more tenths were a rank too high.
    #[test]
    fn nearest_rank_agrees_with_integer_arithmetic() {
        for n in [1usize, 3, 7, 10, 100, 1000, 4097] {
            for k in 1..=1000usize {
                let expected = (k * n).div_ceil(1000).max(1);
                assert_eq!(
                    nearest_rank(k as f64 / 10.0, n),
                    expected,
                    "p{} of {n}",
                    k as f64 / 10.0
                );
            }
        }
    }

    #[test]
    fn an_unaligned_range_returns_whole_periods() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let samples: Vec<_> = (0..120)
            .map(|s| (t0 + TimeDelta::seconds(s), 1.0))
            .collect();
        let range =
            TimeRange::new(t0 + TimeDelta::seconds(30), t0 + TimeDelta::seconds(90)).unwrap();
        let out = aggregate(&id(), &samples, Statistic::Sum, Period::MINUTE, range).unwrap();
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
        let out = aggregate(&id(), &samples, Statistic::Sum, Period::MINUTE, range).unwrap();
        let minute = |m| Utc.with_ymd_and_hms(2024, 5, 1, 0, m, 0).unwrap();
        assert_eq!(
            out,
            vec![(minute(0), 1.0), (minute(1), 2.0), (minute(5), 4.0)]
        );
    }

    #[test]
    fn the_average_of_finite_values_is_finite_and_a_sum_past_f64_max_is_an_error() {
        // Found by the hostile-input probe: the average of [f64::MAX, f64::MAX] was `inf`.
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let samples = vec![
            (t0, f64::MAX),
            (t0 + TimeDelta::seconds(1), f64::MAX),
            (t0 + TimeDelta::seconds(2), f64::MAX / 2.0),
        ];
        let range = TimeRange::new(t0, t0 + TimeDelta::minutes(1)).unwrap();
        let average =
            aggregate(&id(), &samples, Statistic::Average, Period::MINUTE, range).unwrap();
        assert_eq!(average, vec![(t0, f64::MAX / 6.0 * 5.0)]);
        let sum = aggregate(&id(), &samples, Statistic::Sum, Period::MINUTE, range).unwrap_err();
        assert!(
            matches!(&sum, FetchError::Overflow { statistic: Statistic::Sum, at, id } if *at == t0 && id == "q"),
            "{sum}"
        );
    }

    #[test]
    fn sums_are_compensated() {
        // 1e16 + 1 + 1 + ... - 1e16: plain left-to-right addition drops every 1.
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let mut values = vec![1e16];
        values.extend(std::iter::repeat_n(1.0, 10));
        values.push(-1e16);
        assert_eq!(values.iter().sum::<f64>(), 0.0);
        let samples: Vec<_> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (t0 + TimeDelta::seconds(i as i64), *v))
            .collect();
        let range = TimeRange::new(t0, t0 + TimeDelta::minutes(1)).unwrap();
        let sum = aggregate(&id(), &samples, Statistic::Sum, Period::MINUTE, range).unwrap();
        assert_eq!(sum, vec![(t0, 10.0)]);
    }

    #[test]
    fn a_sum_finite_in_the_end_is_not_an_overflow() {
        // Found by probe C: [MAX, MAX, -MAX] overflowed on the way (and the compensation
        // became NaN), though the exact sum is MAX. A sum beyond range still is an error.
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let range = TimeRange::new(t0, t0 + TimeDelta::minutes(1)).unwrap();
        let at = |i: i64| t0 + TimeDelta::seconds(i);
        // One sample a second, in the order given.
        let samples = |values: &[f64]| -> Vec<_> {
            values
                .iter()
                .enumerate()
                .map(|(i, v)| (at(i as i64), *v))
                .collect()
        };
        let sum_of = |values: &[f64]| {
            aggregate(
                &id(),
                &samples(values),
                Statistic::Sum,
                Period::MINUTE,
                range,
            )
            .unwrap()
        };
        for (values, want) in [
            (vec![f64::MAX, f64::MAX, -f64::MAX], f64::MAX),
            (vec![f64::MAX, f64::MAX, -f64::MAX, -f64::MAX, 3.0], 3.0),
            (
                vec![-f64::MAX, -f64::MAX, f64::MAX / 2.0, f64::MAX],
                -f64::MAX / 2.0,
            ),
        ] {
            assert_eq!(sum_of(&values), vec![(t0, want)], "{values:?}");
        }
        let past = [(at(0), f64::MAX), (at(1), f64::MAX), (at(2), -1.0)];
        assert!(aggregate(&id(), &past, Statistic::Sum, Period::MINUTE, range).is_err());
        // Where the running sum stays in range, the result is the compensated sum's, bit for
        // bit.
        let values = [0.1, 0.2, 0.3, 1e16, -1e16, 7.0];
        assert_eq!(
            sum_of(&values)[0].1.to_bits(),
            compensated_sum(values).to_bits()
        );
    }

    #[test]
    fn no_percentile_of_a_period_with_a_negative_sample() {
        // Found by probe C: p50 of [-5, 10] was -5 and PR(:0) was 50; CloudWatch gives no
        // percentile statistic when a value is negative. Other statistics are unchanged, and
        // -0.0 is not negative.
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let minute = TimeDelta::minutes(1);
        let samples = vec![
            (t0, -5.0),
            (t0 + TimeDelta::seconds(1), 10.0),
            (t0 + minute, -0.0),
            (t0 + minute + TimeDelta::seconds(1), 4.0),
        ];
        let range = TimeRange::new(t0, t0 + minute * 2).unwrap();
        for stat in [
            Statistic::Percentile(50.0),
            Statistic::PercentileRank { upper: 0.0 },
        ] {
            let out = aggregate(&id(), &samples, stat, Period::MINUTE, range).unwrap();
            assert_eq!(out.len(), 1, "{stat}: {out:?}");
            assert_eq!(out[0].0, t0 + minute, "{stat}");
        }
        let min = aggregate(&id(), &samples, Statistic::Minimum, Period::MINUTE, range).unwrap();
        assert_eq!(min, vec![(t0, -5.0), (t0 + minute, -0.0)]);
    }

    #[test]
    fn the_mean_stays_within_the_values() {
        // Oracle: the mean of finite values lies between their minimum and maximum. Values
        // drawn (by a fixed LCG) among huge, tiny and extreme ones, in batches of 1 to 64.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            state
        };
        for _ in 0..2_000 {
            let len = (next() % 64 + 1) as usize;
            let values: Vec<f64> = (0..len)
                .map(|_| match next() % 4 {
                    0 => f64::MAX,
                    1 => -f64::MAX,
                    2 => ((next() >> 11) as f64 / (1u64 << 52) as f64 - 1.0) * f64::MAX,
                    _ => (next() % 1000) as f64 - 500.0,
                })
                .collect();
            let m = mean(&values);
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            assert!(
                m.is_finite() && lo <= m && m <= hi,
                "{m} outside [{lo}, {hi}]: {values:?}"
            );
        }
    }

    #[test]
    fn a_range_ending_at_the_last_representable_instant_does_not_panic() {
        // Found by the hostile-input probe: rounding the end up to a whole period panicked.
        let end = DateTime::<Utc>::MAX_UTC;
        let at = end - TimeDelta::seconds(1);
        let range = TimeRange::new(end - TimeDelta::hours(1), end).unwrap();
        let out = aggregate(&id(), &[(at, 3.0)], Statistic::Sum, Period::MINUTE, range).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].1, 3.0);
    }

    #[test]
    fn a_period_beginning_before_the_first_representable_instant_does_not_panic() {
        // Found by the hostile-input probe: a sample at chrono's first instant, under a period
        // that does not divide its distance to the epoch (7,919 minutes), fell in a period
        // starting before that instant, and stamping the period panicked on overflow.
        let first = DateTime::<Utc>::MIN_UTC;
        let period = Period::new(60 * 7_919).unwrap();
        assert_ne!(first.timestamp() % i64::from(period.seconds()), 0);
        let range = TimeRange::new(first, first + TimeDelta::hours(1)).unwrap();
        let samples = [(first, 2.0), (first + TimeDelta::seconds(1), 3.0)];
        for stat in [Statistic::Sum, Statistic::Percentile(50.0)] {
            let out = aggregate(&id(), &samples, stat, period, range).unwrap();
            assert_eq!(out.len(), 1, "{stat}");
            assert_eq!(out[0].0, first, "{stat}");
        }
        let sum = aggregate(&id(), &samples, Statistic::Sum, period, range).unwrap();
        assert_eq!(sum[0].1, 5.0);
    }
}
