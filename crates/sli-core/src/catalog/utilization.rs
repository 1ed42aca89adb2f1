//! M5, CPU utilisation: the average over intervals, judged against the healthy band with a
//! sustain rule, and reported as separate under- and over-provisioning findings.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Position, Result};
use crate::noise::{SustainFilter, Sustained};
use crate::series::Series;
use crate::span::Span;

/// 2^-64: samples scaled by it cannot sum past `f64::MAX` (see [`UtilizationRule::averages`]).
const SCALE_DOWN: f64 = 1.0 / 18_446_744_073_709_551_616.0;

/// Where a utilisation value sits against the M5 band.
///
/// # Example
/// ```
/// use sli_core::catalog::{BandPosition, UtilizationBand};
/// assert_eq!(UtilizationBand::default().classify(92.0)?, BandPosition::Above);
/// # Ok::<(), sli_core::Error>(())
/// ```
// Closed: a value is below, inside or above a band; there is no fourth place, so callers
// may match exhaustively.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BandPosition {
    /// Below the band: over-provisioned.
    Below,
    /// Inside the band: healthy.
    Within,
    /// Above the band: saturated or under-provisioned.
    Above,
}

/// The healthy CPU utilisation band, 40–70 % by default (the M5 row's starting target).
///
/// # Example
/// ```
/// use sli_core::catalog::{BandPosition, UtilizationBand};
/// let band = UtilizationBand::new(30.0, 60.0)?;
/// assert_eq!(band.classify(45.0)?, BandPosition::Within);
/// assert!(UtilizationBand::new(60.0, 30.0).is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawBand", into = "RawBand")]
pub struct UtilizationBand {
    low: f64,
    high: f64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBand {
    low: f64,
    high: f64,
}

impl TryFrom<RawBand> for UtilizationBand {
    type Error = Error;
    fn try_from(raw: RawBand) -> Result<Self> {
        Self::new(raw.low, raw.high)
    }
}

impl From<UtilizationBand> for RawBand {
    fn from(band: UtilizationBand) -> Self {
        Self {
            low: band.low,
            high: band.high,
        }
    }
}

impl Default for UtilizationBand {
    fn default() -> Self {
        Self {
            low: 40.0,
            high: 70.0,
        }
    }
}

impl UtilizationBand {
    /// A band `[low, high]` in percent.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `0 <= low < high <= 100`.
    pub fn new(low: f64, high: f64) -> Result<Self> {
        if !(0.0..100.0).contains(&low) {
            return Err(Error::InvalidParameter {
                field: "low",
                value: low,
                reason: "must be within [0, 100)",
            });
        }
        if !(high > low && high <= 100.0) {
            return Err(Error::InvalidParameter {
                field: "high",
                value: high,
                reason: "must be within (low, 100]",
            });
        }
        Ok(Self { low, high })
    }

    /// The lower edge, percent.
    pub const fn low(&self) -> f64 {
        self.low
    }

    /// The upper edge, percent.
    pub const fn high(&self) -> f64 {
        self.high
    }

    /// Classifies a utilisation percentage (the edges are inside the band).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for NaN or infinite values.
    pub fn classify(&self, percent: f64) -> Result<BandPosition> {
        if !percent.is_finite() {
            return Err(Error::InvalidValue {
                field: "utilization",
                value: percent,
                position: Position::NONE,
            });
        }
        Ok(if percent < self.low {
            BandPosition::Below
        } else if percent > self.high {
            BandPosition::Above
        } else {
            BandPosition::Within
        })
    }
}

/// The mean of the samples of one interval `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IntervalAverage {
    /// First instant of the interval (a multiple of its length since the Unix epoch).
    pub start: DateTime<Utc>,
    /// The instant after it.
    pub end: DateTime<Utc>,
    /// The mean of its samples, percent.
    pub mean: f64,
    /// How many samples it holds (at least one).
    pub samples: usize,
}

/// Which way capacity is off: the two findings of M5, reported apart.
// Closed: capacity is either too little or too much.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provisioning {
    /// Interval averages above the band, sustained: too little capacity (latency and
    /// saturation follow).
    UnderProvisioned,
    /// Interval averages below the band, sustained: capacity paid for and idle.
    OverProvisioned,
}

/// One sustained excursion out of the band.
///
/// Times follow the alerting convention of this crate: an interval is known at its end, so
/// `detected_at` is the end of the interval at which the sustain rule first held, and
/// `resolved_at` the end of the first interval at which it no longer did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProvisioningFinding {
    /// Under- or over-provisioned.
    pub kind: Provisioning,
    /// Start of the earliest out-of-band interval the sustain rule counted when it first held.
    pub since: DateTime<Utc>,
    /// When the sustain rule first held.
    pub detected_at: DateTime<Utc>,
    /// When it stopped holding; `None` while it still held at the last interval.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Mean of the interval averages from `since` until it stopped holding (intervals without
    /// samples left out), percent.
    pub mean: f64,
    /// The most extreme interval average over the same intervals: the highest when
    /// under-provisioned, the lowest when over-provisioned.
    pub extreme: f64,
    /// Intervals with samples over the same span.
    pub intervals: usize,
}

/// M5 as a check: CPU utilisation averaged over intervals, judged against a [`UtilizationBand`],
/// with a sustain rule per direction, so that a burst the autoscaler absorbs is not a finding.
///
/// The defaults, starting points to tune as the M5 row's own are:
/// * 5-minute intervals: the period of EC2 basic monitoring, so that every instance can be
///   judged; with detailed monitoring (1-minute samples) each interval averages five.
/// * Under-provisioned after 3 intervals of 3 above the band (15 minutes): longer than a
///   target-tracking scale-out takes to react (its alarm needs 3 one-minute datapoints) and
///   to bring capacity in service, so that bursts autoscaling handles pass unreported.
/// * Over-provisioned after 12 of 12 below the band (an hour): idle capacity costs money, not
///   users, and a quiet hour is the least that says the fleet, not the traffic, is too big.
///
/// Samples are values of a CPU percentage (CloudWatch `CPUUtilization` per period, `Average`);
/// intervals are aligned on the Unix epoch, each interval's average is the plain mean of its
/// samples (samples of equal periods weigh the same time). Intervals without samples are
/// neither above nor below the band. Values above 100 are accepted (an ECS service's tasks can
/// use more CPU than they reserve).
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::catalog::{Provisioning, UtilizationRule};
/// use sli_core::Series;
///
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// // Per-minute CPU: 20 minutes at 85 %, then an hour and a half at 20 %.
/// let cpu = Series::from_values("cpu", (0..110).map(|m| {
///     (t0 + TimeDelta::minutes(m), if m < 20 { 85.0 } else { 20.0 })
/// }))?;
/// let findings = UtilizationRule::default().evaluate(&cpu)?;
/// assert_eq!(findings[0].kind, Provisioning::UnderProvisioned);
/// assert_eq!(findings[0].detected_at, t0 + TimeDelta::minutes(15)); // 3 intervals of 5 min
/// assert_eq!(findings[0].resolved_at, Some(t0 + TimeDelta::minutes(25)));
/// assert_eq!(findings[1].kind, Provisioning::OverProvisioned);
/// assert_eq!(findings[1].since, t0 + TimeDelta::minutes(20));
/// assert_eq!(findings[1].detected_at, t0 + TimeDelta::minutes(80)); // 12 intervals below
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UtilizationRule {
    band: UtilizationBand,
    interval: Span,
    under: Sustained,
    over: Sustained,
}

impl Default for UtilizationRule {
    fn default() -> Self {
        Self {
            band: UtilizationBand::default(),
            interval: Span::known_valid(300),
            under: Sustained::of(3, 3),
            over: Sustained::of(12, 12),
        }
    }
}

impl UtilizationRule {
    /// A rule with `band` and `interval`, and the default sustain rules.
    pub fn new(band: UtilizationBand, interval: Span) -> Self {
        Self {
            band,
            interval,
            ..Self::default()
        }
    }

    /// How many intervals above the band (of how many) make an under-provisioning finding.
    #[must_use]
    pub fn with_under_sustain(mut self, rule: Sustained) -> Self {
        self.under = rule;
        self
    }

    /// How many intervals below the band (of how many) make an over-provisioning finding.
    #[must_use]
    pub fn with_over_sustain(mut self, rule: Sustained) -> Self {
        self.over = rule;
        self
    }

    /// The band.
    pub const fn band(&self) -> UtilizationBand {
        self.band
    }

    /// The averaging interval.
    pub const fn interval(&self) -> Span {
        self.interval
    }

    /// The average of every interval that holds samples, in time order.
    ///
    /// # Errors
    /// [`Error::InvalidValue`] for a NaN or infinite sample, naming it;
    /// [`Error::DateOutOfRange`] for a sample whose interval ends past chrono's last instant.
    pub fn averages(&self, samples: &Series<f64>) -> Result<Vec<IntervalAverage>> {
        let seconds = self.interval.seconds();
        let mut out: Vec<IntervalAverage> = Vec::new();
        // (interval, sum, sum × 2^-64, samples): the scaled sum gives the mean when samples
        // near f64::MAX sum past it (scaling by a power of two is exact for any value that
        // matters beside them), so the mean is never infinite for finite samples.
        let mut current: Option<(i64, f64, f64, usize)> = None;
        for (index, (at, &value)) in samples.iter().enumerate() {
            if !value.is_finite() {
                return Err(Error::InvalidValue {
                    field: "utilization",
                    value,
                    position: Position::point(index, at),
                });
            }
            let bucket = at.timestamp().div_euclid(seconds);
            match &mut current {
                Some((b, sum, scaled, n)) if *b == bucket => {
                    *sum += value;
                    *scaled += value * SCALE_DOWN;
                    *n += 1;
                }
                _ => {
                    if let Some(done) = current.replace((bucket, value, value * SCALE_DOWN, 1)) {
                        out.push(self.average(done)?);
                    }
                }
            }
        }
        if let Some(done) = current {
            out.push(self.average(done)?);
        }
        Ok(out)
    }

    fn average(
        &self,
        (bucket, sum, scaled, samples): (i64, f64, f64, usize),
    ) -> Result<IntervalAverage> {
        let seconds = self.interval.seconds();
        // The bucket's start is at or before a sample and may lie before chrono's first
        // instant (an interval that does not divide the distance to the epoch): it is then
        // stamped with that instant. Its end may lie past chrono's last instant: an error (a
        // sample in chrono's last interval used to panic on either overflow).
        let start = bucket
            .checked_mul(seconds)
            .and_then(TimeDelta::try_seconds)
            .and_then(|offset| DateTime::<Utc>::UNIX_EPOCH.checked_add_signed(offset))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let end = start
            .checked_add_signed(self.interval.as_time_delta())
            .ok_or(Error::DateOutOfRange {
                at: start,
                what: "the end of the averaging interval",
            })?;
        Ok(IntervalAverage {
            start,
            end,
            mean: if sum.is_finite() {
                sum / samples as f64
            } else {
                // The mean lies within the samples' range: rounding cannot take it past it.
                (scaled / samples as f64 / SCALE_DOWN).clamp(-f64::MAX, f64::MAX)
            },
            samples,
        })
    }

    /// The under- and over-provisioning findings over `samples`, ordered by detection time.
    ///
    /// # Errors
    /// As [`UtilizationRule::averages`].
    pub fn evaluate(&self, samples: &Series<f64>) -> Result<Vec<ProvisioningFinding>> {
        let averages = self.averages(samples)?;
        let mut under = Tracker::new(Provisioning::UnderProvisioned, self.under);
        let mut over = Tracker::new(Provisioning::OverProvisioned, self.over);
        // After this many empty intervals both sustain rules have settled: more change nothing.
        let settle = self
            .under
            .evaluation_periods()
            .max(self.over.evaluation_periods()) as usize;
        let length = self.interval.as_time_delta();
        let mut findings = Vec::new();
        let mut previous: Option<DateTime<Utc>> = None;
        for average in &averages {
            if let Some(previous) = previous {
                let empty = ((average.start - previous).num_seconds() / self.interval.seconds()
                    - 1)
                .clamp(0, settle as i64);
                for k in 1..=empty {
                    let start = previous + length * k as i32;
                    for tracker in [&mut under, &mut over] {
                        findings.extend(tracker.push(start, start + length, None));
                    }
                }
            }
            let position = self.band.classify(average.mean)?;
            let (above, below) = (
                position == BandPosition::Above,
                position == BandPosition::Below,
            );
            findings.extend(under.push(average.start, average.end, Some((above, average.mean))));
            findings.extend(over.push(average.start, average.end, Some((below, average.mean))));
            previous = Some(average.start);
        }
        findings.extend(under.open.take());
        findings.extend(over.open.take());
        findings.sort_by_key(|f| (f.detected_at, f.kind));
        Ok(findings)
    }
}

/// The sustain rule of one direction over the intervals, and its open finding.
#[derive(Debug)]
struct Tracker {
    kind: Provisioning,
    filter: SustainFilter,
    /// The last M intervals: start, out of band, average (`None` without samples).
    recent: VecDeque<(DateTime<Utc>, bool, Option<f64>)>,
    periods: usize,
    open: Option<ProvisioningFinding>,
    sum: f64,
}

impl Tracker {
    fn new(kind: Provisioning, rule: Sustained) -> Self {
        let periods = rule.evaluation_periods() as usize;
        Self {
            kind,
            filter: SustainFilter::new(rule),
            recent: VecDeque::with_capacity(periods + 1),
            periods,
            open: None,
            sum: 0.0,
        }
    }

    /// Pushes the interval `[start, end)`: `(out of band, average)`, or `None` without samples.
    /// Returns the finding it closes, if any.
    fn push(
        &mut self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        sample: Option<(bool, f64)>,
    ) -> Option<ProvisioningFinding> {
        let out = sample.is_some_and(|(out, _)| out);
        let mean = sample.map(|(_, mean)| mean);
        self.recent.push_back((start, out, mean));
        if self.recent.len() > self.periods {
            self.recent.pop_front();
        }
        let holds = self.filter.push(out);
        match (&mut self.open, holds) {
            (None, true) => {
                let since_index = self.recent.iter().position(|(_, out, _)| *out)?;
                let since = self.recent[since_index].0;
                let mut finding = ProvisioningFinding {
                    kind: self.kind,
                    since,
                    detected_at: end,
                    resolved_at: None,
                    mean: 0.0,
                    extreme: f64::NAN,
                    intervals: 0,
                };
                self.sum = 0.0;
                let means: Vec<f64> = self
                    .recent
                    .iter()
                    .skip(since_index)
                    .filter_map(|(_, _, m)| *m)
                    .collect();
                for m in means {
                    self.add(&mut finding, m);
                }
                self.open = Some(finding);
                None
            }
            (Some(_), true) => {
                if let (Some(m), Some(mut finding)) = (mean, self.open.take()) {
                    self.add(&mut finding, m);
                    self.open = Some(finding);
                }
                None
            }
            (Some(_), false) => {
                let mut done = self.open.take()?;
                done.resolved_at = Some(end);
                Some(done)
            }
            (None, false) => None,
        }
    }

    /// Counts one interval average into an open finding.
    fn add(&mut self, finding: &mut ProvisioningFinding, mean: f64) {
        self.sum += mean;
        finding.intervals += 1;
        finding.mean = self.sum / finding.intervals as f64;
        finding.extreme = match (self.kind, finding.extreme.is_nan()) {
            (_, true) => mean,
            (Provisioning::UnderProvisioned, false) => finding.extreme.max(mean),
            (Provisioning::OverProvisioned, false) => finding.extreme.min(mean),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// A sample in chrono's last interval used to panic (`DateTime + TimeDelta` overflowed)
    /// placing the interval's end; it is a typed error now, and the interval before it is not.
    #[test]
    fn an_interval_past_the_end_of_time_is_an_error_not_a_panic() {
        let last = DateTime::<Utc>::MAX_UTC;
        let rule = UtilizationRule::default();
        for at in [last, last - TimeDelta::seconds(30)] {
            let samples = Series::from_values("cpu", [(at, 50.0)]).unwrap();
            assert!(matches!(
                rule.averages(&samples),
                Err(Error::DateOutOfRange {
                    what: "the end of the averaging interval",
                    ..
                })
            ));
            assert!(rule.evaluate(&samples).is_err());
        }
        let earlier = last - TimeDelta::minutes(10);
        let samples = Series::from_values("cpu", [(earlier, 50.0)]).unwrap();
        let averages = rule.averages(&samples).unwrap();
        assert_eq!(averages.len(), 1);
        assert!(averages[0].start <= earlier && earlier < averages[0].end);
    }

    /// An interval that does not divide the distance from the epoch to chrono's first instant
    /// begins before it: placing its start panicked ('DateTime + TimeDelta overflowed').
    #[test]
    fn an_interval_beginning_before_the_first_instant_starts_there() {
        let rule = UtilizationRule::new(
            UtilizationBand::new(10.0, 80.0).unwrap(),
            Span::from_minutes(7919).unwrap(),
        );
        let first = DateTime::<Utc>::MIN_UTC;
        let samples = Series::from_values("cpu", [(first, 50.0)]).unwrap();
        let averages = rule.averages(&samples).unwrap();
        assert_eq!(averages[0].start, first);
        assert_eq!(averages[0].mean, 50.0);
    }

    /// Samples near `f64::MAX` summed past it: the mean came out infinite. It is their mean
    /// now, and an ordinary interval's mean is still its sum over its count, to the bit.
    #[test]
    fn samples_near_the_top_of_f64_average_to_their_mean() {
        let rule = UtilizationRule::default();
        let huge = f64::MAX / 2.0 * 1.5;
        let samples = Series::from_values("cpu", (0..5).map(|m| (t(m), huge))).unwrap();
        let averages = rule.averages(&samples).unwrap();
        assert_eq!(averages[0].mean, huge);
        let mixed = [1e308, 1.7e308, 3.0, 1.6e308, 0.5];
        let samples = Series::from_values("cpu", (0..5).zip(mixed).map(|(m, v)| (t(m), v)));
        let mean = rule.averages(&samples.unwrap()).unwrap()[0].mean;
        assert!((mean - 0.86e308).abs() <= 1e-15 * mean, "{mean}");
        let ordinary = [12.5, 99.9, 0.1, 47.0, 33.3];
        let samples = Series::from_values("cpu", (0..5).zip(ordinary).map(|(m, v)| (t(m), v)));
        let mean = rule.averages(&samples.unwrap()).unwrap()[0].mean;
        assert_eq!(
            mean.to_bits(),
            (ordinary.iter().sum::<f64>() / 5.0).to_bits()
        );
    }

    fn t(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap() + TimeDelta::minutes(minute)
    }

    /// Per-minute samples from a list of 5-minute intervals, each given by its five values.
    fn minutes(intervals: &[[f64; 5]]) -> Series<f64> {
        Series::from_values(
            "cpu",
            intervals
                .iter()
                .flatten()
                .enumerate()
                .map(|(m, v)| (t(m as i64), *v)),
        )
        .unwrap()
    }

    /// Worked by hand, with the default band (40–70 %) and 5-minute intervals, and a 2-of-3
    /// rule for both directions.
    #[test]
    fn sustained_excursions_worked_by_hand() {
        let intervals = [
            [50.0, 55.0, 60.0, 45.0, 40.0], // 0: mean 50, within
            [80.0, 90.0, 70.0, 85.0, 75.0], // 1: mean 80, above
            [60.0, 65.0, 70.0, 62.0, 68.0], // 2: mean 65, within
            [72.0, 74.0, 76.0, 78.0, 70.0], // 3: mean 74, above -> 2 of 3 (1, 3): detected at 20 min
            [71.0, 71.0, 71.0, 71.0, 71.0], // 4: mean 71, above
            [50.0, 50.0, 50.0, 50.0, 50.0], // 5: mean 50, within -> still 2 of 3 (3, 4)
            [50.0, 50.0, 50.0, 50.0, 50.0], // 6: within -> 1 of 3: resolved at 35 min
            [30.0, 35.0, 25.0, 30.0, 30.0], // 7: mean 30, below
            [10.0, 20.0, 30.0, 40.0, 50.0], // 8: mean 30, below -> detected at 45 min, since 35
            [38.0, 38.0, 38.0, 38.0, 38.0], // 9: mean 38, below, still open at the end
        ];
        let rule = UtilizationRule::default()
            .with_under_sustain(Sustained::new(2, 3).unwrap())
            .with_over_sustain(Sustained::new(2, 3).unwrap());
        let averages = rule.averages(&minutes(&intervals)).unwrap();
        let means: Vec<f64> = averages.iter().map(|a| a.mean).collect();
        assert_eq!(
            means,
            [50.0, 80.0, 65.0, 74.0, 71.0, 50.0, 50.0, 30.0, 30.0, 38.0]
        );
        let findings = rule.evaluate(&minutes(&intervals)).unwrap();
        assert_eq!(
            findings,
            [
                ProvisioningFinding {
                    kind: Provisioning::UnderProvisioned,
                    // The earliest above-band interval of the three counted: interval 1.
                    since: t(5),
                    detected_at: t(20),
                    resolved_at: Some(t(35)),
                    // Intervals 1 to 5 (interval 6 resolved it): (80 + 65 + 74 + 71 + 50) / 5.
                    mean: 68.0,
                    extreme: 80.0,
                    intervals: 5,
                },
                ProvisioningFinding {
                    kind: Provisioning::OverProvisioned,
                    since: t(35),
                    detected_at: t(45),
                    resolved_at: None,
                    // Intervals 7 to 9: (30 + 30 + 38) / 3.
                    mean: 98.0 / 3.0,
                    extreme: 30.0,
                    intervals: 3,
                },
            ]
        );
    }

    #[test]
    fn a_burst_absorbed_by_autoscaling_is_no_finding() {
        // One 5-minute interval at 95 %, then back in the band: 1 of 3 under the default rule.
        let mut intervals = vec![[55.0; 5]; 6];
        intervals[2] = [95.0; 5];
        let findings = UtilizationRule::default()
            .evaluate(&minutes(&intervals))
            .unwrap();
        assert!(findings.is_empty(), "{findings:?}");
        // The same burst held for 15 minutes is one.
        intervals[3] = [95.0; 5];
        intervals[4] = [95.0; 5];
        let findings = UtilizationRule::default()
            .evaluate(&minutes(&intervals))
            .unwrap();
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].kind, Provisioning::UnderProvisioned);
        assert_eq!((findings[0].since, findings[0].detected_at), (t(10), t(25)));
    }

    #[test]
    fn a_silence_breaks_the_sustain_rule() {
        // Two intervals below, an hour without data, two below: never 3 of 3 in a row.
        let rule = UtilizationRule::default().with_over_sustain(Sustained::new(3, 3).unwrap());
        let mut points: Vec<(DateTime<Utc>, f64)> = (0..10).map(|m| (t(m), 10.0)).collect();
        points.extend((70..80).map(|m| (t(m), 10.0)));
        let series = Series::from_values("cpu", points).unwrap();
        assert!(rule.evaluate(&series).unwrap().is_empty());
        // A year of silence costs no more than the rule's window.
        let far = Series::from_values("cpu", [(t(0), 10.0), (t(0) + TimeDelta::days(365), 10.0)])
            .unwrap();
        assert!(rule.evaluate(&far).unwrap().is_empty());
    }

    #[test]
    fn bad_values_and_bands_are_refused() {
        let nan = Series::new([(t(0), 50.0), (t(1), f64::NAN)]).unwrap();
        let err = UtilizationRule::default().evaluate(&nan).unwrap_err();
        assert!(err.to_string().contains("point 1"), "{err}");
        assert!(serde_json::from_str::<UtilizationBand>(r#"{"low":70,"high":40}"#).is_err());
        let band = UtilizationBand::default();
        assert_eq!(band.classify(39.9).unwrap(), BandPosition::Below);
        assert_eq!(band.classify(70.0).unwrap(), BandPosition::Within);
        assert_eq!(band.classify(85.0).unwrap(), BandPosition::Above);
        assert!(band.classify(f64::NAN).is_err());
    }
}
