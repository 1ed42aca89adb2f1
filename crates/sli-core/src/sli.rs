//! SLI kinds and the conversions that turn raw measurements into [`EventCounts`]: event ratios,
//! latency thresholds (from histogram buckets or a percentile rank) and time slices.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::counts::EventCounts;
use crate::error::{Error, Position, Result};
use crate::missing::MissingData;
use crate::series::{GridCursor, Series};
use crate::span::Span;

/// The most slices [`Sli::slice_counts`] (and `aws_telemetry::time_slice_counts`) write out,
/// filled-in slices included: 4,194,304, eight years of minutes or 48 days of seconds, about
/// 120 MB of counts. Two values a year apart at one-second slices would otherwise ask for
/// 31.5 million slices and 1.8 GiB; past the cap they get [`Error::LimitExceeded`].
pub const MAX_SLICES: usize = 1 << 22;

/// How a per-slice value is compared with its threshold in a time-slice SLI.
///
/// # Example
/// ```
/// use sli_core::Comparison;
/// assert!(Comparison::Below.is_good(299.0, 300.0) && !Comparison::Below.is_good(300.0, 300.0));
/// assert!(Comparison::AtMost.is_good(300.0, 300.0));
/// ```
// Closed: a threshold is either an upper or a lower bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    /// Good when `value < threshold` (e.g. p95 latency under 300 ms).
    Below,
    /// Good when `value <= threshold`.
    AtMost,
    /// Good when `value > threshold`.
    Above,
    /// Good when `value >= threshold` (e.g. availability at least 99 %).
    AtLeast,
}

impl Comparison {
    /// Whether `value` is good against `threshold`.
    pub fn is_good(self, value: f64, threshold: f64) -> bool {
        match self {
            Self::Below => value < threshold,
            Self::AtMost => value <= threshold,
            Self::Above => value > threshold,
            Self::AtLeast => value >= threshold,
        }
    }
}

/// What an SLI measures and how its good/total counts arise.
///
/// Every kind ends up as a [`Series`] of [`EventCounts`], which all evaluators take.
///
/// # Example
/// ```
/// use sli_core::{Sli, Comparison, Span};
///
/// let kinds = [
///     Sli::EventRatio,
///     Sli::Threshold { threshold: 300.0 },
///     Sli::TimeSlice { comparison: Comparison::Below, threshold: 300.0, slice: Span::MINUTE },
/// ];
/// for sli in kinds {
///     sli.validate()?;
///     let json = serde_json::to_string(&sli).unwrap();
///     assert_eq!(serde_json::from_str::<Sli>(&json).unwrap(), sli);
/// }
/// assert!(Sli::Threshold { threshold: f64::NAN }.validate().is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", from = "SliKeys")]
#[non_exhaustive]
pub enum Sli {
    /// Good events over total events, e.g. non-5xx responses over requests.
    EventRatio,
    /// Requests served at or under a latency `threshold` over all requests, read from cumulative
    /// histogram buckets ([`Sli::counts_from_histogram`]) or from a percentile rank
    /// ([`Sli::counts_from_percentile_rank`]).
    Threshold {
        /// The latency bound, in the unit of the measurements (e.g. milliseconds).
        threshold: f64,
    },
    /// The share of time slices whose value meets a per-slice objective, e.g. minutes whose p95
    /// latency is below 300 ms ([`Sli::slice_counts`]). Each slice becomes one event.
    TimeSlice {
        /// How each slice's value is judged.
        comparison: Comparison,
        /// The per-slice threshold.
        threshold: f64,
        /// The slice length (the period of the per-slice statistic).
        slice: Span,
    },
}

/// What [`Sli`] reads: its variants with a field list each, so that `deny_unknown_fields`
/// covers `event_ratio` too (serde does not apply it to an internally tagged enum's
/// variants without fields: `{"kind": "event_ratio", "threshold": 300}` read as an event
/// ratio, the threshold dropped).
#[derive(Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    deny_unknown_fields,
    expecting = "internally tagged enum Sli"
)]
enum SliKeys {
    EventRatio {},
    Threshold {
        threshold: f64,
    },
    TimeSlice {
        comparison: Comparison,
        threshold: f64,
        slice: Span,
    },
}

impl From<SliKeys> for Sli {
    fn from(keys: SliKeys) -> Self {
        match keys {
            SliKeys::EventRatio {} => Self::EventRatio,
            SliKeys::Threshold { threshold } => Self::Threshold { threshold },
            SliKeys::TimeSlice {
                comparison,
                threshold,
                slice,
            } => Self::TimeSlice {
                comparison,
                threshold,
                slice,
            },
        }
    }
}

/// One cumulative histogram bucket: `count` observations were `<= upper_bound`.
///
/// # Example
/// ```
/// use sli_core::{BetweenBuckets, Bucket, Sli};
///
/// let buckets = [Bucket::new(250.0, 90.0), Bucket::new(f64::INFINITY, 100.0)];
/// let counts = Sli::Threshold { threshold: 250.0 }.counts_from_histogram(&buckets, BetweenBuckets::Reject)?;
/// assert_eq!(counts.bad(), 10.0);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Bucket {
    /// The bucket's inclusive upper bound (`f64::INFINITY` for the last). JSON has no
    /// infinity: serde_json writes it as `null`, and `null` or `"+Inf"` reads back as it.
    #[serde(deserialize_with = "crate::infinite::or_infinity")]
    pub upper_bound: f64,
    /// Observations at or under the bound (cumulative, Prometheus `le` semantics).
    pub count: f64,
}

impl Bucket {
    /// The bucket `le = upper_bound` holding `count` observations (cumulative); the
    /// conversions that read buckets check them.
    pub const fn new(upper_bound: f64, count: f64) -> Self {
        Self { upper_bound, count }
    }
}

/// What to do when a latency threshold falls strictly between two bucket bounds.
///
/// # Example
/// ```
/// use sli_core::{BetweenBuckets, Bucket, Error, Sli};
///
/// let buckets = [Bucket::new(100.0, 50.0), Bucket::new(500.0, 90.0),
///                Bucket::new(f64::INFINITY, 100.0)];
/// let sli = Sli::Threshold { threshold: 300.0 };
/// let err = sli.counts_from_histogram(&buckets, BetweenBuckets::Reject).unwrap_err();
/// assert!(matches!(err, Error::ThresholdBetweenBuckets { lower: 100.0, upper: 500.0, .. }));
/// assert_eq!(sli.counts_from_histogram(&buckets, BetweenBuckets::Interpolate)?.good(), 70.0);
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum BetweenBuckets {
    /// Refuse: the good count is not known ([`Error::ThresholdBetweenBuckets`]).
    Reject,
    /// Interpolate linearly within the bucket, as Prometheus' `histogram_quantile` does.
    Interpolate,
}

impl Sli {
    /// Checks the thresholds are finite numbers.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the threshold.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Self::EventRatio => Ok(()),
            Self::Threshold { threshold } | Self::TimeSlice { threshold, .. }
                if !threshold.is_finite() =>
            {
                Err(Error::InvalidParameter {
                    field: "threshold",
                    value: threshold,
                    reason: "must be finite",
                })
            }
            Self::Threshold { .. } | Self::TimeSlice { .. } => Ok(()),
        }
    }

    /// Good/total counts of a threshold SLI from cumulative histogram buckets.
    ///
    /// Buckets must have increasing upper bounds, non-decreasing counts, and end with a
    /// `+Inf` bucket holding the total.
    ///
    /// # Errors
    /// [`Error::InvalidField`] naming `sli.kind` when the SLI is not [`Sli::Threshold`];
    /// [`Error::InvalidHistogram`] for malformed buckets; [`Error::ThresholdBetweenBuckets`]
    /// when the threshold is not a bucket bound and `between` is [`BetweenBuckets::Reject`].
    ///
    /// # Example
    /// ```
    /// use sli_core::{BetweenBuckets, Bucket, Sli};
    ///
    /// let buckets = [
    ///     Bucket::new(100.0, 700.0),
    ///     Bucket::new(300.0, 950.0),
    ///     Bucket::new(f64::INFINITY, 1000.0),
    /// ];
    /// let sli = Sli::Threshold { threshold: 300.0 };
    /// let counts = sli.counts_from_histogram(&buckets, BetweenBuckets::Reject)?;
    /// assert_eq!((counts.good(), counts.total()), (950.0, 1000.0));
    ///
    /// let between = Sli::Threshold { threshold: 200.0 };
    /// assert!(between.counts_from_histogram(&buckets, BetweenBuckets::Reject).is_err());
    /// let interpolated = between.counts_from_histogram(&buckets, BetweenBuckets::Interpolate)?;
    /// assert_eq!(interpolated.good(), 825.0);
    /// # Ok::<(), sli_core::Error>(())
    /// ```
    pub fn counts_from_histogram(
        &self,
        buckets: &[Bucket],
        between: BetweenBuckets,
    ) -> Result<EventCounts> {
        let threshold = self.threshold_bound()?;
        validate_buckets(buckets)?;
        let total = buckets.last().map_or(0.0, |b| b.count);
        let mut lower = Bucket {
            upper_bound: 0.0,
            count: 0.0,
        };
        for bucket in buckets {
            if bucket.upper_bound == threshold {
                return EventCounts::new(bucket.count, total);
            }
            if bucket.upper_bound > threshold {
                if threshold < lower.upper_bound {
                    // Below the first bound of a histogram with negative bounds: nothing known.
                    break;
                }
                return match between {
                    BetweenBuckets::Reject => Err(Error::ThresholdBetweenBuckets {
                        threshold,
                        lower: lower.upper_bound,
                        upper: bucket.upper_bound,
                    }),
                    BetweenBuckets::Interpolate
                        if bucket.upper_bound.is_infinite() || lower.upper_bound.is_infinite() =>
                    {
                        // Nothing is known inside a bucket with an infinite bound (+Inf above,
                        // or -Inf below): the honest lower bound.
                        EventCounts::new(lower.count, total)
                    }
                    BetweenBuckets::Interpolate => {
                        // Halved before subtracting, so that bounds of opposite signs near
                        // f64::MAX cannot overflow to an infinite width.
                        let share = (threshold / 2.0 - lower.upper_bound / 2.0)
                            / (bucket.upper_bound / 2.0 - lower.upper_bound / 2.0);
                        let good =
                            lower.count + share.clamp(0.0, 1.0) * (bucket.count - lower.count);
                        EventCounts::new(good.clamp(lower.count, bucket.count), total)
                    }
                };
            }
            lower = *bucket;
        }
        Err(Error::InvalidParameter {
            field: "threshold",
            value: threshold,
            reason: "is below the histogram's first bucket bound",
        })
    }

    /// Good/total counts of a threshold SLI from a percentile rank: `rank_percent` % of
    /// `sample_count` requests were at or under the threshold (CloudWatch's `PR(:300)`
    /// statistic with `SampleCount`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a rank outside [0, 100]; [`Error::InvalidField`] naming
    /// `sli.kind` for an SLI that is not [`Sli::Threshold`]; [`Error::InvalidCount`] for a bad
    /// sample count.
    pub fn counts_from_percentile_rank(
        &self,
        rank_percent: f64,
        sample_count: f64,
    ) -> Result<EventCounts> {
        self.threshold_bound()?;
        if !(0.0..=100.0).contains(&rank_percent) {
            return Err(Error::InvalidParameter {
                field: "percentile rank",
                value: rank_percent,
                reason: "must be within [0, 100]",
            });
        }
        let total = EventCounts::new(0.0, sample_count)?.total();
        EventCounts::new(rank_percent / 100.0 * total, total)
    }

    /// Turns a series of per-slice values (e.g. each minute's p95 latency) into slice counts:
    /// each slice is one event, good when its value meets the objective. Slices with no value
    /// are treated as `missing` says: a good slice, a bad slice, or no event at all.
    ///
    /// # Errors
    /// [`Error::InvalidField`] naming `sli.kind` when the SLI is not [`Sli::TimeSlice`];
    /// [`Error::InvalidValue`] for NaN values; [`Error::Misaligned`] for timestamps off the
    /// slice grid; [`Error::LimitExceeded`] when the slices written out, those filled in for
    /// missing values included, would be more than [`MAX_SLICES`].
    ///
    /// # Example
    /// ```
    /// use chrono::{TimeDelta, TimeZone, Utc};
    /// use sli_core::{Comparison, MissingData, Series, Sli, Span};
    ///
    /// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
    /// let m = |k| t0 + TimeDelta::minutes(k);
    /// let p95 = Series::from_values("p95", [(m(0), 120.0), (m(1), 450.0), (m(3), 200.0)])?;
    /// let sli = Sli::TimeSlice { comparison: Comparison::Below, threshold: 300.0, slice: Span::MINUTE };
    /// let slices = sli.slice_counts(&p95, MissingData::Bad)?;
    /// // Minute 2 has no value and counts as bad: 2 good minutes of 4.
    /// assert_eq!(slices.sum()?.good(), 2.0);
    /// assert_eq!(slices.sum()?.total(), 4.0);
    /// # Ok::<(), sli_core::Error>(())
    /// ```
    pub fn slice_counts(
        &self,
        values: &Series<f64>,
        missing: MissingData,
    ) -> Result<Series<EventCounts>> {
        let Self::TimeSlice {
            comparison,
            threshold,
            slice,
        } = *self
        else {
            return Err(not_kind("time_slice"));
        };
        self.validate()?;
        let origin = values.first_time();
        let mut grid = GridCursor::new(origin, slice);
        // Every slice up to the last point's is written out when missing ones are filled.
        let slices = if missing.as_slice().is_some() {
            let last = values.len() - 1;
            GridCursor::new(origin, slice)
                .slot(last, values.last_time())?
                .saturating_add(1)
        } else {
            values.len()
        };
        check_slices(slices)?;
        let mut points: Vec<(DateTime<Utc>, EventCounts)> = Vec::with_capacity(slices);
        let mut next_slot = 0usize;
        for (index, (at, &value)) in values.iter().enumerate() {
            let position = Position::point(index, at);
            if !value.is_finite() {
                return Err(Error::InvalidValue {
                    field: "slice value",
                    value,
                    position,
                });
            }
            let slot = grid.slot(index, at)?;
            if let Some(fill) = missing.as_slice() {
                for gap in next_slot..slot {
                    // `gap` is below `slot`, whose instant exists, so this cannot overflow.
                    let offset = TimeDelta::seconds(slice.seconds().saturating_mul(gap as i64));
                    points.push((origin + offset, fill));
                }
            }
            let good = if comparison.is_good(value, threshold) {
                1.0
            } else {
                0.0
            };
            points.push((at, EventCounts::new_at(good, 1.0, position)?));
            next_slot = slot + 1;
        }
        Series::new(points)
    }

    fn threshold_bound(&self) -> Result<f64> {
        match *self {
            Self::Threshold { threshold } if threshold.is_finite() => Ok(threshold),
            Self::Threshold { threshold } => Err(Error::InvalidParameter {
                field: "threshold",
                value: threshold,
                reason: "must be finite",
            }),
            _ => Err(not_kind("threshold")),
        }
    }
}

/// [`Error::LimitExceeded`] when `slices` is more than [`MAX_SLICES`].
fn check_slices(slices: usize) -> Result<()> {
    if slices > MAX_SLICES {
        return Err(Error::LimitExceeded {
            what: "slices materialised",
            limit: MAX_SLICES as u64,
            requested: slices as u64,
        });
    }
    Ok(())
}

fn not_kind(kind: &'static str) -> Error {
    Error::InvalidField {
        field: "sli.kind",
        reason: match kind {
            "threshold" => "this conversion needs a threshold SLI",
            _ => "this conversion needs a time_slice SLI",
        },
    }
}

fn validate_buckets(buckets: &[Bucket]) -> Result<()> {
    let Some(last) = buckets.last() else {
        return Err(Error::EmptySeries { what: "histogram" });
    };
    let mut previous: Option<&Bucket> = None;
    for (index, bucket) in buckets.iter().enumerate() {
        let fail = |reason| Error::InvalidHistogram {
            index,
            upper_bound: bucket.upper_bound,
            reason,
        };
        if bucket.upper_bound.is_nan() {
            return Err(fail("upper bound is NaN"));
        }
        EventCounts::new(0.0, bucket.count)
            .map_err(|_| fail("count is not a finite non-negative number"))?;
        if let Some(p) = previous {
            if bucket.upper_bound <= p.upper_bound {
                return Err(fail("upper bounds must increase"));
            }
            if bucket.count < p.count {
                return Err(fail("counts must be cumulative (non-decreasing)"));
            }
        }
        previous = Some(bucket);
    }
    if last.upper_bound != f64::INFINITY {
        return Err(Error::InvalidHistogram {
            index: buckets.len() - 1,
            upper_bound: last.upper_bound,
            reason: "the last bucket must be +Inf and hold the total",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    fn b(upper_bound: f64, count: f64) -> Bucket {
        Bucket { upper_bound, count }
    }

    #[test]
    fn malformed_histograms() {
        let sli = Sli::Threshold { threshold: 100.0 };
        let reject = BetweenBuckets::Reject;
        assert!(matches!(
            sli.counts_from_histogram(
                &[b(100.0, 5.0), b(50.0, 6.0), b(f64::INFINITY, 7.0)],
                reject
            ),
            Err(Error::InvalidHistogram { index: 1, .. })
        ));
        assert!(matches!(
            sli.counts_from_histogram(
                &[b(100.0, 5.0), b(200.0, 4.0), b(f64::INFINITY, 7.0)],
                reject
            ),
            Err(Error::InvalidHistogram { index: 1, .. })
        ));
        assert!(matches!(
            sli.counts_from_histogram(&[b(100.0, 5.0), b(200.0, 6.0)], reject),
            Err(Error::InvalidHistogram { index: 1, .. })
        ));
        assert!(sli.counts_from_histogram(&[], reject).is_err());
        assert!(
            Sli::EventRatio
                .counts_from_histogram(&[b(f64::INFINITY, 1.0)], reject)
                .is_err()
        );
    }

    #[test]
    fn threshold_inside_inf_bucket_is_lower_bound() {
        let sli = Sli::Threshold { threshold: 1000.0 };
        let c = sli
            .counts_from_histogram(
                &[b(300.0, 90.0), b(f64::INFINITY, 100.0)],
                BetweenBuckets::Interpolate,
            )
            .unwrap();
        assert_eq!(c.good(), 90.0);
    }

    #[test]
    fn percentile_rank() {
        let sli = Sli::Threshold { threshold: 300.0 };
        let c = sli.counts_from_percentile_rank(99.5, 2000.0).unwrap();
        assert_eq!((c.good(), c.total()), (1990.0, 2000.0));
        assert!(sli.counts_from_percentile_rank(101.0, 10.0).is_err());
        assert!(sli.counts_from_percentile_rank(50.0, -1.0).is_err());
    }

    #[test]
    fn slice_counts_missing_policies() {
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let m = |k| t0 + TimeDelta::minutes(k);
        let values = Series::from_values("p95", [(m(0), 100.0), (m(3), 500.0)]).unwrap();
        let sli = Sli::TimeSlice {
            comparison: Comparison::Below,
            threshold: 300.0,
            slice: Span::MINUTE,
        };
        let sum = |p| sli.slice_counts(&values, p).unwrap().sum().unwrap();
        assert_eq!(
            (
                sum(MissingData::Good).good(),
                sum(MissingData::Good).total()
            ),
            (3.0, 4.0)
        );
        assert_eq!(
            (sum(MissingData::Bad).good(), sum(MissingData::Bad).total()),
            (1.0, 4.0)
        );
        assert_eq!(
            (
                sum(MissingData::Skip).good(),
                sum(MissingData::Skip).total()
            ),
            (1.0, 2.0)
        );
        let off_grid =
            Series::from_values("p95", [(m(0), 1.0), (t0 + TimeDelta::seconds(90), 1.0)]).unwrap();
        assert!(matches!(
            sli.slice_counts(&off_grid, MissingData::Skip),
            Err(Error::Misaligned { .. })
        ));
    }

    #[test]
    fn a_minus_infinity_bucket_is_not_interpolated() {
        // Found by the hostile-input probe: with a -Inf bucket below the threshold, the
        // interpolation share was inf/inf = NaN, and `NaN.min(total)` made every event good
        // (10 of 10), where only the 5 at or under 100 can be known good.
        let sli = Sli::Threshold { threshold: 50.0 };
        let buckets = [
            b(f64::NEG_INFINITY, 5.0),
            b(100.0, 10.0),
            b(f64::INFINITY, 12.0),
        ];
        let counts = sli
            .counts_from_histogram(&buckets, BetweenBuckets::Interpolate)
            .unwrap();
        assert_eq!((counts.good(), counts.total()), (5.0, 12.0));
    }

    #[test]
    fn interpolation_between_huge_bounds_stays_within_the_buckets() {
        let sli = Sli::Threshold { threshold: 0.0 };
        let buckets = [b(-f64::MAX, 2.0), b(f64::MAX, 6.0), b(f64::INFINITY, 6.0)];
        let counts = sli
            .counts_from_histogram(&buckets, BetweenBuckets::Interpolate)
            .unwrap();
        // Half way between -MAX and MAX: half of the 4 events in between.
        assert_eq!(counts.good(), 4.0);
    }

    #[test]
    fn slices_past_the_cap_are_refused_before_they_are_written() {
        // Found by the hostile-input probe: two values a year apart at one-second slices
        // wrote out 31.5 million slices (1.8 GiB) under a filling policy.
        let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let values =
            Series::from_values("p95", [(t0, 1.0), (t0 + TimeDelta::days(365), 2.0)]).unwrap();
        let sli = Sli::TimeSlice {
            comparison: Comparison::Below,
            threshold: 5.0,
            slice: Span::SECOND,
        };
        let err = sli.slice_counts(&values, MissingData::Bad).unwrap_err();
        assert_eq!(
            err,
            Error::LimitExceeded {
                what: "slices materialised",
                limit: MAX_SLICES as u64,
                requested: 365 * 86_400 + 1,
            }
        );
        // Without filling, only the two values are written.
        assert_eq!(
            sli.slice_counts(&values, MissingData::Skip).unwrap().len(),
            2
        );
    }
}
