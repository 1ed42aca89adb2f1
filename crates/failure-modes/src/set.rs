//! [`DetectorSet`]: a heterogeneous set of metric detectors, held as trait objects and run over
//! one [`MetricSource`] with one fetch.

use std::fmt;

use chrono::{DateTime, Utc};

use aws_telemetry::{
    FetchRequest, FetchedSeries, MetricQuery, MetricSource, QueryId, QueryKind, TimeRange,
};

use crate::detector::{Detector, MetricDetector};
use crate::error::Result;
use crate::finding::Finding;
use crate::mode::FailureMode;

/// A detector judged from fetched CloudWatch series, behind a trait object: the object-safe
/// face of every [`MetricDetector`] (F1–F3, F5–F8), so that a platform tool can hold
/// detectors of different modes in one collection ([`DetectorSet`]) and hand them across
/// threads.
///
/// It is implemented for every `MetricDetector` (whose supertraits include `Debug` and `Send`);
/// there is nothing to implement by hand.
pub trait FetchedDetector: fmt::Debug + Send {
    /// The failure mode it detects.
    fn mode(&self) -> FailureMode;

    /// The `GetMetricData` queries it reads ([`MetricDetector::queries`]).
    ///
    /// # Errors
    /// As [`MetricDetector::queries`].
    fn queries(&self) -> Result<Vec<MetricQuery>>;

    /// Checks that its settings fit the range ([`MetricDetector::check_range`]).
    ///
    /// # Errors
    /// As [`MetricDetector::check_range`].
    fn check_range(&self, range: &TimeRange) -> Result<()>;

    /// Builds its observations from the fetched series of its queries and pushes the new ones
    /// through, in time order; the findings they open. As [`run`](crate::run): observations
    /// at or before the detector's last are skipped, and every new one is checked before the
    /// first is pushed.
    ///
    /// # Errors
    /// As [`run`](crate::run) after the fetch.
    fn judge_fetched(&mut self, fetched: &[FetchedSeries]) -> Result<Vec<Finding>>;

    /// The time of the last observation it took ([`MetricDetector::last_observed`]).
    fn last_observed(&self) -> Option<DateTime<Utc>>;
}

impl<D: MetricDetector> FetchedDetector for D {
    fn mode(&self) -> FailureMode {
        Detector::mode(self)
    }

    fn queries(&self) -> Result<Vec<MetricQuery>> {
        MetricDetector::queries(self)
    }

    fn check_range(&self, range: &TimeRange) -> Result<()> {
        MetricDetector::check_range(self, range)
    }

    fn judge_fetched(&mut self, fetched: &[FetchedSeries]) -> Result<Vec<Finding>> {
        crate::detector::judge_new(self, fetched)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        MetricDetector::last_observed(self)
    }
}

/// `dyn FetchedDetector`, the type a heterogeneous collection holds.
pub type DynFetchedDetector = dyn FetchedDetector;

/// Metric detectors of any modes, run together over one source: one [`FetchRequest`] for the
/// whole set (one `GetMetricData` plan, so CloudWatch packs every detector's queries into the
/// fewest calls its limits allow), then each detector judges its own series.
///
/// Each detector's query ids are prefixed with its position (`d0_`, `d1_`, …) in the shared
/// request, so two detectors of the same mode never collide; each sees its series under its
/// own ids again.
///
/// A set runs its detectors on their metrics only and hands them out read-only: a detector
/// that also takes other facts, such as F7's exposure scans
/// ([`PublicDataLeak::scan`](crate::PublicDataLeak::scan)), is run beside a set, on the same
/// source, with [`run`](crate::run).
///
/// The set holds as many detectors as are added, and the request grows with them (each
/// detector's queries; every series fetched is held once, then handed to its detector);
/// `CloudWatchSource` splits a large request into `GetMetricData` calls of at most 500
/// queries.
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{
///     ApiThrottling, ConnectionSignal, DbConnectionExhaustion, DetectorSet, InMemorySource,
///     MetricSink, ThrottleSignal, TimeRange,
/// };
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (calls, db) = (ThrottleSignal::lambda("checkout")?, ConnectionSignal::rds("orders", 400.0)?);
/// let source = InMemorySource::new();
/// let start = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// for minute in 0..600 {
///     let at = start + Duration::minutes(minute);
///     source.put(&calls.calls, &[(at, 1000.0)]).await?;
///     source.put(&calls.throttles, &[(at, if minute >= 500 { 300.0 } else { 0.0 })]).await?;
///     source.put(&db.connections, &[(at, 100.0)]).await?;
/// }
/// let mut set = DetectorSet::new()
///     .with(ApiThrottling::new(calls, Default::default())?)
///     .with(DbConnectionExhaustion::new(db, Default::default())?);
/// let range = TimeRange::new(start, start + Duration::minutes(600))?;
/// // One request for the whole set: F1's two queries and F6's one.
/// let request = set.fetch_request(range)?;
/// assert_eq!(request.queries().len(), 3);
/// let results = set.run(&source, range).await?;
/// // 30 % of checkout's calls throttled from minute 500; a quiet database.
/// let opened_at_500 = |findings: &Vec<_>| {
///     !findings.is_empty()
///         && findings.iter().all(|f: &failure_modes::Finding| f.start == start + Duration::minutes(500))
/// };
/// assert!(results[0].as_ref().is_ok_and(opened_at_500));
/// assert!(results[1].as_ref().is_ok_and(|findings| findings.is_empty()));
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct DetectorSet {
    detectors: Vec<Box<DynFetchedDetector>>,
}

impl DetectorSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// The set with `detector` added.
    #[must_use]
    pub fn with(mut self, detector: impl FetchedDetector + 'static) -> Self {
        self.push(Box::new(detector));
        self
    }

    /// Adds a detector.
    pub fn push(&mut self, detector: Box<DynFetchedDetector>) {
        self.detectors.push(detector);
    }

    /// The detectors, in the order they were added.
    pub fn detectors(&self) -> &[Box<DynFetchedDetector>] {
        &self.detectors
    }

    /// How many detectors the set holds.
    pub fn len(&self) -> usize {
        self.detectors.len()
    }

    /// `true` for an empty set.
    pub fn is_empty(&self) -> bool {
        self.detectors.is_empty()
    }

    /// The one request that fetches every detector's series over `range`: each detector's
    /// queries, their ids prefixed with its position (`d0_calls`, `d1_connections`, …).
    ///
    /// # Errors
    /// A detector's query or range error; [`Error::Query`](crate::Error::Query) for an
    /// empty set, an id too long once prefixed (CloudWatch allows 255 characters), or a
    /// metric-math query (its expression names ids the set renames; no detector of this crate
    /// asks for one).
    pub fn fetch_request(&self, range: TimeRange) -> Result<FetchRequest> {
        let mut queries = Vec::new();
        for (position, detector) in self.detectors.iter().enumerate() {
            detector.check_range(&range)?;
            for query in detector.queries()? {
                if let QueryKind::Expression { expression, .. } = query.kind() {
                    return Err(aws_telemetry::QueryError::InvalidQuery {
                        id: query.id().to_string(),
                        field: "expression",
                        value: expression.clone(),
                        reason: "a detector set renames query ids, so it cannot run metric math \
                                 that refers to them",
                    }
                    .into());
                }
                let id = QueryId::new(format!("{}{}", prefix(position), query.id().as_str()))?;
                let mut renamed = MetricQuery::new(id, query.kind().clone())?;
                if let Some(label) = query.label() {
                    renamed = renamed.with_label(label);
                }
                queries.push(renamed);
            }
        }
        Ok(FetchRequest::new(queries, range)?)
    }

    /// Fetches every detector's series from `source` in one request
    /// ([`DetectorSet::fetch_request`]) and runs each detector over its own; one result per
    /// detector, in order, so that one detector's missing data does not hide the others'
    /// findings.
    ///
    /// # Errors
    /// Building the request (see [`DetectorSet::fetch_request`]) or fetching it
    /// ([`Error::Fetch`](crate::Error::Fetch)); a detector's own error is its entry (as
    /// [`run`](crate::run): [`Error::RangeBehind`](crate::Error::RangeBehind) for a range that
    /// ends at or before its last observation, a bad value, …).
    pub async fn run<S>(
        &mut self,
        source: &S,
        range: TimeRange,
    ) -> Result<Vec<Result<Vec<Finding>>>>
    where
        S: MetricSource + ?Sized,
    {
        let request = self.fetch_request(range)?;
        let fetched = source.fetch(&request).await?;
        let mut own: Vec<Vec<FetchedSeries>> = self.detectors.iter().map(|_| Vec::new()).collect();
        for mut series in fetched {
            // A series under an id the request did not ask for belongs to no detector.
            let Some((position, id)) = split_prefix(series.id.as_str()) else {
                continue;
            };
            let Some(slot) = own.get_mut(position) else {
                continue;
            };
            // `d0_` alone (or an id the source made up) is no detector's query either.
            let Ok(id) = QueryId::new(id) else {
                continue;
            };
            series.id = id;
            slot.push(series);
        }
        Ok(self
            .detectors
            .iter_mut()
            .zip(&own)
            .map(|(detector, series)| {
                crate::detector::not_behind(detector.last_observed(), &range)?;
                detector.judge_fetched(series)
            })
            .collect())
    }
}

/// The id prefix of the detector at `position` in a shared request.
fn prefix(position: usize) -> String {
    format!("d{position}_")
}

/// The detector position and the detector's own id of an id in a shared request, if it has
/// the form [`prefix`] gives (`d12_calls` is position 12's `calls`; `d012_calls` is nobody's).
fn split_prefix(id: &str) -> Option<(usize, &str)> {
    let (head, own) = id.strip_prefix('d')?.split_once('_')?;
    let position: usize = head.parse().ok()?;
    (position.to_string() == head).then_some((position, own))
}

#[cfg(test)]
mod tests {
    use super::{prefix, split_prefix};

    #[test]
    fn a_prefixed_id_splits_back_into_its_position_and_own_id() {
        for position in [0, 1, 9, 10, 12, 1000] {
            let id = format!("{}calls_total", prefix(position));
            assert_eq!(split_prefix(&id), Some((position, "calls_total")));
        }
        for foreign in [
            "calls",
            "d_calls",
            "dx_calls",
            "d012_calls",
            "e1_calls",
            "d1",
        ] {
            assert_eq!(split_prefix(foreign), None, "{foreign}");
        }
    }
}
