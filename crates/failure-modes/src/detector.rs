//! The [`Detector`] trait every F1–F8 detector implements, [`MetricDetector`] for those that
//! read CloudWatch metrics, and [`run`], which fetches their metrics from any
//! [`MetricSource`] and feeds them through.

use std::collections::BTreeMap;
use std::fmt;

use aws_telemetry::{FetchRequest, FetchedSeries, MetricQuery, MetricSource, TimeRange};
use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::mode::FailureMode;

/// A detector of one failure mode, fed one observation at a time in time order.
///
/// Each push uses that observation and earlier ones only (no look-ahead), so the same detector
/// serves streaming use and backtests. Bad input (NaN, negative counts, observations out of
/// order) is refused with a typed [`Error`] and leaves the detector unchanged; a detector that
/// has not yet seen enough history to judge reports nothing (its documented warm-up), never a
/// guess.
///
/// `Debug` and `Send` are supertraits, as for `object_store::ObjectStore`: a detector can be
/// held as `Box<dyn Detector<Input = …>>`, printed while debugging a platform tool, and moved to
/// another thread or task with its state; the metric-based ones also go into a
/// [`DetectorSet`](crate::DetectorSet).
pub trait Detector: fmt::Debug + Send {
    /// One observation: a sample of the detector's metrics at one time, an audit event, …
    type Input;

    /// The failure mode it detects.
    fn mode(&self) -> FailureMode;

    /// Feeds the next observation; returns the findings it opens (usually none).
    ///
    /// # Errors
    /// A typed error for a bad observation, the detector unchanged: [`Error::InvalidInput`] or
    /// [`Error::OutOfOrder`] in general; some detectors name more precisely (F2's
    /// [`Error::InvalidZone`], the generic detector's [`Error::InvalidValue`]). Each
    /// implementation's docs list its own.
    fn push(&mut self, input: Self::Input) -> Result<Vec<Finding>>;

    /// Feeds every observation in order and collects the findings.
    ///
    /// # Errors
    /// The first error of [`Detector::push`]. The observations before it have been taken, and
    /// the findings they opened are not returned: push one at a time to keep them. [`run`]
    /// checks fetched observations before it pushes any.
    fn detect<I>(&mut self, inputs: I) -> Result<Vec<Finding>>
    where
        I: IntoIterator<Item = Self::Input>,
        Self: Sized,
    {
        let mut findings = Vec::new();
        for input in inputs {
            findings.extend(self.push(input)?);
        }
        Ok(findings)
    }
}

/// A boxed detector is a detector: `Box<dyn Detector<Input = …>>` goes where a detector goes
/// (into a [`Routed`](crate::Routed), through [`Detector::detect`]).
impl<D: Detector + ?Sized> Detector for Box<D> {
    type Input = D::Input;

    fn mode(&self) -> FailureMode {
        (**self).mode()
    }

    fn push(&mut self, input: Self::Input) -> Result<Vec<Finding>> {
        (**self).push(input)
    }
}

/// A detector whose observations are CloudWatch metrics: it names the queries it needs and
/// builds its observations from what a [`MetricSource`] returns for them.
pub trait MetricDetector: Detector {
    /// The `GetMetricData` queries for the detector's signal (namespace, metric, dimensions,
    /// statistic and period are documented on each detector's signal type).
    ///
    /// # Errors
    /// [`Error::Query`] if a query cannot be built (an invalid id or metric).
    fn queries(&self) -> Result<Vec<MetricQuery>>;

    /// The observations, in time order, from the fetched series of [`MetricDetector::queries`].
    ///
    /// # Errors
    /// [`Error::MissingSeries`], [`Error::NoData`] or [`Error::IncompleteData`] when the data
    /// cannot be judged; [`Error::OutOfOrder`] for a series whose timestamps do not increase
    /// (a second value at one time would be dropped unseen); [`Error::DuplicateSeries`] for
    /// two series with one id (one would be dropped unseen).
    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<Self::Input>>;

    /// Checks that the detector's settings fit the range [`run`] is asked to cover (F8: every
    /// declared one-off charge within it). The default accepts any range.
    ///
    /// # Errors
    /// A typed error naming what does not fit.
    fn check_range(&self, range: &TimeRange) -> Result<()> {
        let _ = range;
        Ok(())
    }

    /// When `input` was observed, the start of its period: [`run`] refuses observations
    /// whose times do not increase and skips those an earlier run judged. `None` (the
    /// default, for a detector of your own) leaves both to [`Detector::push`].
    fn observed_at(input: &Self::Input) -> Option<DateTime<Utc>> {
        let _ = input;
        None
    }

    /// The time of the last observation the detector took, `None` before the first (and by
    /// default). [`run`] and [`DetectorSet::run`](crate::DetectorSet::run) skip fetched
    /// observations at or before it (an earlier run took them), and refuse a range that ends
    /// at or before it.
    fn last_observed(&self) -> Option<DateTime<Utc>> {
        None
    }

    /// Checks `inputs`, pushed in this order after what the detector has taken, as
    /// [`Detector::push`] checks each, without taking any: `Ok` when push would refuse none
    /// (their order is checked apart). [`run`] checks the new observations of a fetch before it
    /// pushes the first, so that a bad one leaves the detector unchanged and no finding of the
    /// observations before it is lost. The default accepts everything.
    ///
    /// # Errors
    /// The error push would return for the first it would refuse.
    fn check(&self, inputs: &[Self::Input]) -> Result<()> {
        let _ = inputs;
        Ok(())
    }
}

/// [`Error::RangeBehind`] when `range` ends at or before `last`: every observation it holds
/// is before what the detector has taken.
pub(crate) fn not_behind(last: Option<DateTime<Utc>>, range: &TimeRange) -> Result<()> {
    match last {
        Some(last) if range.end() <= last => Err(Error::RangeBehind {
            end: range.end(),
            last,
        }),
        _ => Ok(()),
    }
}

/// The new observations of `fetched` (after the detector's last), checked before any is
/// pushed, then pushed: the body of [`run`] and of a [`DetectorSet`](crate::DetectorSet)'s
/// runs.
pub(crate) fn judge_new<D: MetricDetector>(
    detector: &mut D,
    fetched: &[FetchedSeries],
) -> Result<Vec<Finding>> {
    // Only the series of its own queries: a series under an id it did not ask for (a
    // source's extra, F6's upstream for a signal without one) is no evidence of it.
    let asked = detector.queries()?;
    let is_asked = |series: &FetchedSeries| asked.iter().any(|query| *query.id() == series.id);
    let own: Vec<FetchedSeries>;
    let fetched = if fetched.iter().all(is_asked) {
        fetched
    } else {
        own = fetched.iter().filter(|s| is_asked(s)).cloned().collect();
        &own
    };
    let observations = detector.observations(fetched)?;
    let judged_until = detector.last_observed();
    let mut previous: Option<DateTime<Utc>> = None;
    let mut new = Vec::with_capacity(observations.len());
    for input in observations {
        if let Some(at) = D::observed_at(&input) {
            // Checked on the whole batch before anything is skipped: an observation out of
            // order is an error, not one an earlier run judged.
            if let Some(previous) = previous
                && at <= previous
            {
                return Err(Error::OutOfOrder { previous, at });
            }
            previous = Some(at);
            if judged_until.is_some_and(|last| at <= last) {
                continue;
            }
        }
        new.push(input);
    }
    detector.check(&new)?;
    detector.detect(new)
}

/// Fetches a detector's metrics over `range` from `source` and runs the detector over them.
///
/// Runs can overlap, as a scheduler fetching the last hour every few minutes makes them:
/// observations at or before the detector's [last](MetricDetector::last_observed) are skipped,
/// so each period is judged once and its findings are not reported twice. A detector takes
/// observations in time order: a range that ends at or before its last observation is an
/// error ([`Error::RangeBehind`]), and once a range is run, the part of an earlier range that
/// failed and was not run again cannot be judged (run a failed range again before later
/// ones). A period CloudWatch was still aggregating when an earlier run read it
/// (the newest minute of a range ending now) is not read again: end ranges a period or two
/// before now.
///
/// A run is all or nothing for bad values: every new observation is
/// [checked](MetricDetector::check) before the first is pushed, so an error leaves the
/// detector as it was and the same range can be run again once the data is mended. (A
/// refusal that depends on the history, such as an F8 day whose spend passes ±2^360, can
/// still stop a run part way.)
///
/// # Errors
/// [`Error::RangeBehind`] for a range that ends at or before the detector's last
/// observation; [`Error::Fetch`] when fetching fails, then the errors of
/// [`MetricDetector::observations`], [`Error::OutOfOrder`] for observations whose times do
/// not increase, and the errors of [`MetricDetector::check`] and [`Detector::push`].
///
/// # Example
/// ```
/// use failure_modes::{InMemorySource, MetricSink, TimeRange};
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{run, ApiThrottling, ThrottleSignal};
///
/// # tokio_test();
/// # fn tokio_test() { tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let signal = ThrottleSignal::lambda("checkout")?;
/// let source = InMemorySource::new();
/// let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// for minute in 0..600 {
///     let at = start + Duration::minutes(minute);
///     let throttled = if minute >= 500 { 300.0 } else { 0.0 };
///     source.put(&signal.calls, &[(at, 1000.0)]).await?;
///     source.put(&signal.throttles, &[(at, throttled)]).await?;
/// }
/// let mut detector = ApiThrottling::new(signal, Default::default())?;
/// let range = TimeRange::new(start, start + Duration::minutes(600))?;
/// let findings = run(&mut detector, &source, range).await?;
/// // 30 % of calls refused from minute 500: a ticket and, the operation being blocked, a page.
/// assert_eq!(findings.len(), 2);
/// assert!(findings.iter().all(|f| f.start == start + Duration::minutes(500)));
/// assert!(findings[0].end <= start + Duration::minutes(505));
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap() }
/// ```
pub async fn run<D, S>(detector: &mut D, source: &S, range: TimeRange) -> Result<Vec<Finding>>
where
    D: MetricDetector,
    S: MetricSource + ?Sized,
{
    detector.check_range(&range)?;
    not_behind(detector.last_observed(), &range)?;
    let request = FetchRequest::new(detector.queries()?, range)?;
    let fetched = source.fetch(&request).await?;
    judge_new(detector, &fetched)
}

/// A timestamp, the required series' values and the optional series' values where present.
pub(crate) type JoinedRow = (DateTime<Utc>, Vec<f64>, Vec<Option<f64>>);

/// Joins fetched series on their timestamps: one row per timestamp of the first `required`
/// series present in all of them, with the `optional` series' values where they have one.
pub(crate) fn join(
    fetched: &[FetchedSeries],
    required: &[&str],
    optional: &[&str],
) -> Result<Vec<JoinedRow>> {
    let find = |id: &str| find_series(fetched, id);
    type Slots = (Vec<Option<f64>>, Vec<Option<f64>>);
    let mut by_time: BTreeMap<DateTime<Utc>, Slots> = BTreeMap::new();
    for (slot, id) in required.iter().enumerate() {
        let series = find(id)?.ok_or_else(|| Error::MissingSeries {
            id: (*id).to_owned(),
        })?;
        if series.points.is_empty() {
            return Err(Error::NoData {
                id: (*id).to_owned(),
            });
        }
        increasing(series)?;
        for &(at, value) in &series.points {
            let row = by_time
                .entry(at)
                .or_insert_with(|| (vec![None; required.len()], vec![None; optional.len()]));
            row.0[slot] = Some(value);
        }
    }
    for (slot, id) in optional.iter().enumerate() {
        if let Some(series) = find(id)? {
            increasing(series)?;
            for &(at, value) in &series.points {
                if let Some(row) = by_time.get_mut(&at) {
                    row.1[slot] = Some(value);
                }
            }
        }
    }
    Ok(by_time
        .into_iter()
        .filter_map(|(at, (required, optional))| {
            let required: Option<Vec<f64>> = required.into_iter().collect();
            required.map(|values| (at, values, optional))
        })
        .collect())
}

/// The one fetched series with query id `id`, if any: refused when incomplete, or when more
/// than one has the id (taking the first would drop the others' points unseen).
fn find_series<'a>(fetched: &'a [FetchedSeries], id: &str) -> Result<Option<&'a FetchedSeries>> {
    let mut matching = fetched.iter().filter(|s| s.id.as_str() == id);
    let Some(series) = matching.next() else {
        return Ok(None);
    };
    let others = matching.count();
    if others > 0 {
        return Err(Error::DuplicateSeries {
            id: id.to_owned(),
            count: others + 1,
        });
    }
    if !series.is_complete() {
        return Err(Error::IncompleteData {
            id: id.to_owned(),
            reason: format!("{} {}", series.completeness, series.messages.join("; ")),
        });
    }
    Ok(Some(series))
}

/// [`Error::OutOfOrder`] at the first timestamp of `series` not after the one before it: rows
/// are joined by time, where a second value at one time would replace the first unseen.
fn increasing(series: &FetchedSeries) -> Result<()> {
    match series.points.windows(2).find(|pair| pair[1].0 <= pair[0].0) {
        Some(pair) => Err(Error::OutOfOrder {
            previous: pair[0].0,
            at: pair[1].0,
        }),
        None => Ok(()),
    }
}

/// A timestamp and each series' value there, if it has one.
pub(crate) type AnyRow = (DateTime<Utc>, Vec<Option<f64>>);

/// Joins fetched series on the union of their timestamps: one row per timestamp present in any
/// of them, with each series' value where it has one. At least one series must have data.
pub(crate) fn join_any(fetched: &[FetchedSeries], ids: &[&str]) -> Result<Vec<AnyRow>> {
    let mut by_time: BTreeMap<DateTime<Utc>, Vec<Option<f64>>> = BTreeMap::new();
    for (slot, id) in ids.iter().enumerate() {
        let Some(series) = find_series(fetched, id)? else {
            return Err(Error::MissingSeries {
                id: (*id).to_owned(),
            });
        };
        increasing(series)?;
        for &(at, value) in &series.points {
            by_time.entry(at).or_insert_with(|| vec![None; ids.len()])[slot] = Some(value);
        }
    }
    if by_time.is_empty() {
        return Err(Error::NoData { id: ids.join(", ") });
    }
    Ok(by_time.into_iter().collect())
}
