//! The GetMetricData call planner: packs queries and splits the time range so that every call
//! stays within CloudWatch's limits (500 queries, 100,800 datapoints) with the fewest calls, and
//! checks periods against CloudWatch's retention tiers. Pure: no I/O, `now` is a parameter.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::error::FetchError;
use crate::fetch::FetchRequest;
use crate::query::{MetricQuery, Period, QueryKind};
use crate::range::TimeRange;

/// At most this many queries in one GetMetricData call.
pub(crate) const MAX_QUERIES_PER_CALL: usize = 500;
/// At most this many datapoints in one GetMetricData answer.
pub(crate) const MAX_DATAPOINTS_PER_CALL: u64 = 100_800;
/// At most this many GetMetricData calls for one fetch. GetMetricData is billed per metric in
/// every call, and a range is otherwise unbounded (chrono's whole range at 3,600 s plans 45,594
/// calls; a range ending far in the future at one minute, millions): past this the request is
/// refused before any call, for the caller to split. 1,000 calls hold 1,200 one-minute series
/// over 30 days (515 calls) and 500 hourly series over the 455 days CloudWatch keeps (55).
pub(crate) const MAX_CALLS_PER_FETCH: usize = 1_000;

/// One GetMetricData call: which queries (indices into the request), over which time range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Call {
    pub(crate) queries: Vec<usize>,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
}

/// Plans the calls for `request`, checking retention against `now`.
///
/// Queries are grouped by period; a request with metric math stays in one group, because an
/// expression can only read queries of its own call (see [`shape_math`] for what that asks of
/// its periods). For each group the planner picks the number of queries per call `k` and the
/// time chunk `T` periods with `k × T <= 100,800` that give the fewest calls,
/// `ceil(n / k) × ceil(P / T)` for `n` queries of `P` periods.
pub(crate) fn plan(request: &FetchRequest, now: DateTime<Utc>) -> Result<Vec<Call>, FetchError> {
    for query in request.queries() {
        check_retention(
            query.period(),
            request.range().start(),
            now,
            query.id().as_str(),
        )?;
    }
    shape(request)
}

/// `at` rounded down to a multiple of `seconds` since the Unix epoch.
pub(crate) fn floor_to(at: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    let t = at.timestamp();
    DateTime::from_timestamp(t - t.rem_euclid(seconds), 0).unwrap_or(at)
}

/// `at` rounded up to a multiple of `seconds` since the Unix epoch, or the latest instant
/// chrono represents when that multiple is past it (no sample can be stamped later).
pub(crate) fn ceil_to(at: DateTime<Utc>, seconds: i64) -> DateTime<Utc> {
    let floor = floor_to(at, seconds);
    if floor == at {
        at
    } else {
        floor
            .checked_add_signed(TimeDelta::seconds(seconds))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// The calls for `request`, retention aside.
fn shape(request: &FetchRequest) -> Result<Vec<Call>, FetchError> {
    let has_math = request
        .queries()
        .iter()
        .any(|q| matches!(q.kind(), QueryKind::Expression { .. }));
    if has_math {
        return shape_math(request);
    }
    let range = request.range();
    let mut groups: Vec<(Period, Vec<usize>)> = Vec::new();
    for (index, query) in request.queries().iter().enumerate() {
        let period = query.period();
        match groups.iter_mut().find(|(p, _)| *p == period) {
            Some((_, members)) => members.push(index),
            None => groups.push((period, vec![index])),
        }
    }
    let mut calls = Calls::new(request);
    for (period, members) in groups {
        // The range is widened to whole periods aligned to the epoch, as CloudWatch aligns
        // them, and chunks are whole periods: no period is split between two calls, and every
        // period that overlaps the range is fetched whole.
        let seconds = i64::from(period.seconds());
        let start = floor_to(range.start(), seconds);
        let end = ceil_to(range.end(), seconds);
        let periods = periods_in(end - start, period.seconds());
        let (per_call, chunk_periods) = best_shape(members.len(), periods);
        // At most 100,800 periods of at most `i32::MAX` seconds: within `TimeDelta`'s range.
        let chunk = chunk_of(seconds, chunk_periods);
        for queries in members.chunks(per_call.max(1)) {
            push_chunks(&mut calls, queries, start, end, chunk)?;
        }
    }
    Ok(calls.calls)
}

/// The calls for a request with metric math: every query in every call, because an expression
/// reads only the queries of its own call.
///
/// A call boundary must not split a period of any query, so calls are cut at multiples of the
/// longest period, and every other period must divide it: then one longest period holds a
/// whole number of each query's periods, the range is widened by less than one longest period
/// at each end, and a call of `c` longest periods returns `c × Σ longest / pᵢ` datapoints.
/// Periods that do not divide the longest one would need a common multiple as the cut unit,
/// which can be astronomically long (the periods 60 s, 120 s, …, 3,600 s have one of over
/// 10^26 s) and widens the range by as much; such inputs are refused instead
/// ([`FetchError::MathPeriodsNotNested`]), as is a longest period whose datapoints alone pass
/// the 100,800 limit ([`FetchError::MathPeriodTooLong`]).
fn shape_math(request: &FetchRequest) -> Result<Vec<Call>, FetchError> {
    let queries = request.queries();
    if queries.len() > MAX_QUERIES_PER_CALL {
        return Err(FetchError::TooManyQueries {
            count: queries.len(),
            max: MAX_QUERIES_PER_CALL,
        });
    }
    let Some(longest) = queries.iter().max_by_key(|q| q.period().seconds()) else {
        return Ok(Vec::new());
    };
    let longest_s = longest.period().seconds();
    let mut per_longest: u64 = 0;
    for query in queries {
        let seconds = query.period().seconds();
        if !longest_s.is_multiple_of(seconds) {
            return Err(FetchError::MathPeriodsNotNested {
                id: query.id().to_string(),
                period: query.period(),
                longest_id: longest.id().to_string(),
                longest: longest.period(),
            });
        }
        // At most 500 terms of at most `i32::MAX`: no overflow.
        per_longest += u64::from(longest_s / seconds);
    }
    if per_longest > MAX_DATAPOINTS_PER_CALL {
        return Err(FetchError::MathPeriodTooLong {
            id: longest.id().to_string(),
            period: longest.period(),
            datapoints: per_longest,
            max: MAX_DATAPOINTS_PER_CALL,
        });
    }
    let range = request.range();
    let unit = i64::from(longest_s);
    let start = floor_to(range.start(), unit);
    let end = ceil_to(range.end(), unit);
    let units_per_call = MAX_DATAPOINTS_PER_CALL / per_longest;
    let chunk = chunk_of(unit, units_per_call);
    let all: Vec<usize> = (0..queries.len()).collect();
    let mut calls = Calls::new(request);
    push_chunks(&mut calls, &all, start, end, chunk)?;
    Ok(calls.calls)
}

/// `periods` periods of `seconds` seconds, or the longest `TimeDelta` when that is past it (a
/// chunk that long reaches the end of the range in one step).
fn chunk_of(seconds: i64, periods: u64) -> TimeDelta {
    i64::try_from(periods)
        .ok()
        .and_then(|periods| seconds.checked_mul(periods))
        .and_then(TimeDelta::try_seconds)
        .unwrap_or(TimeDelta::MAX)
}

/// Cuts `[start, end)` into calls of `chunk` for `queries`.
///
/// # Errors
/// [`FetchError::TooManyCalls`] as soon as the plan passes [`MAX_CALLS_PER_FETCH`], before the
/// rest is built: a range can hold more chunks than memory.
fn push_chunks(
    calls: &mut Calls<'_>,
    queries: &[usize],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    chunk: TimeDelta,
) -> Result<(), FetchError> {
    let mut from = start;
    while from < end {
        let to = from.checked_add_signed(chunk).map_or(end, |e| e.min(end));
        calls.push(Call {
            queries: queries.to_vec(),
            start: from,
            end: to,
        })?;
        from = to;
    }
    Ok(())
}

/// The calls planned so far, with the datapoints of each.
///
/// A call is packed into an earlier one spanning the same time range while they fit (500
/// queries, 100,800 datapoints): a short fetch of mixed periods then costs one call, not one per
/// period. The cap applies to the packed calls, which are the ones sent.
struct Calls<'a> {
    request: &'a FetchRequest,
    calls: Vec<Call>,
    datapoints: Vec<u64>,
}

impl<'a> Calls<'a> {
    fn new(request: &'a FetchRequest) -> Self {
        Self {
            request,
            calls: Vec::new(),
            datapoints: Vec::new(),
        }
    }

    fn push(&mut self, call: Call) -> Result<(), FetchError> {
        let datapoints: u64 = call
            .queries
            .iter()
            .map(|&i| {
                periods_in(
                    call.end - call.start,
                    self.request.queries()[i].period().seconds(),
                )
            })
            .sum();
        let fits = self
            .calls
            .iter()
            .zip(&self.datapoints)
            .position(|(m, &m_datapoints)| {
                m.start == call.start
                    && m.end == call.end
                    && m.queries.len() + call.queries.len() <= MAX_QUERIES_PER_CALL
                    && m_datapoints + datapoints <= MAX_DATAPOINTS_PER_CALL
            });
        match fits {
            Some(at) => {
                self.calls[at].queries.extend(call.queries);
                self.datapoints[at] += datapoints;
            }
            None if self.calls.len() == MAX_CALLS_PER_FETCH => {
                return Err(FetchError::TooManyCalls {
                    queries: self.request.queries().len(),
                    range: self.request.range(),
                    max: MAX_CALLS_PER_FETCH,
                });
            }
            None => {
                self.calls.push(call);
                self.datapoints.push(datapoints);
            }
        }
        Ok(())
    }
}

/// Drops the points of periods that do not overlap `range`, keeping every period that does,
/// whole: a call's range is widened to whole periods (with metric math, to whole longest periods
/// of the request, which can be a week for an hour's request), and CloudWatch answers for the
/// call's range, not the request's. `points` are `(period start, value)` of `period`.
pub(crate) fn clip_to_range(
    points: &mut Vec<(DateTime<Utc>, f64)>,
    period: Period,
    range: TimeRange,
) {
    let length = TimeDelta::seconds(i64::from(period.seconds()));
    points.retain(|(at, _)| {
        // A period ending past chrono's last instant ends after any range's start.
        *at < range.end()
            && at
                .checked_add_signed(length)
                .is_none_or(|end| end > range.start())
    });
}

/// The period each query's points are stamped at: its own for a statistic; for an
/// expression, the longest among the queries it names (statistics, and expressions resolved
/// the same way), since metric math stamps its result by its inputs' periods (an expression
/// over a weekly input comes back at the week's start, whatever its own period says). Names
/// inside quotes are labels, not ids. `METRICS(…)` stands for the request's statistics: their
/// longest period. An expression naming nothing (`SEARCH` sets its own period) keeps its own.
/// Linear in the expressions' length, with one map of the ids.
pub(crate) fn stamped_periods(request: &FetchRequest) -> Vec<Period> {
    let queries = request.queries();
    let ids: HashMap<&str, usize> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id().as_str(), i))
        .collect();
    let longest_stat = queries
        .iter()
        .filter(|q| matches!(q.kind(), QueryKind::Stat { .. }))
        .map(MetricQuery::period)
        .max();
    let mut stamped: Vec<Option<Period>> = vec![None; queries.len()];
    let mut resolver = Resolver {
        queries,
        ids: &ids,
        longest_stat,
        stamped: &mut stamped,
        visiting: Vec::new(),
    };
    (0..queries.len()).map(|i| resolver.period(i)).collect()
}

/// The state of [`stamped_periods`]: the periods found so far, and the expressions being
/// resolved (a cycle ends at the expression's own period).
struct Resolver<'r> {
    queries: &'r [MetricQuery],
    ids: &'r HashMap<&'r str, usize>,
    longest_stat: Option<Period>,
    stamped: &'r mut [Option<Period>],
    visiting: Vec<usize>,
}

impl Resolver<'_> {
    fn period(&mut self, index: usize) -> Period {
        let query = &self.queries[index];
        if let Some(known) = self.stamped[index] {
            return known;
        }
        let QueryKind::Expression { expression, .. } = query.kind() else {
            return query.period();
        };
        if self.visiting.contains(&index) {
            return query.period();
        }
        self.visiting.push(index);
        let unquoted = without_quoted(expression);
        let mut named = if unquoted.contains("METRICS(") {
            self.longest_stat
        } else {
            None
        };
        for token in unquoted
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|t| !t.is_empty())
        {
            if let Some(&other) = self.ids.get(token).filter(|&&other| other != index) {
                let period = self.period(other);
                named = Some(named.map_or(period, |p| p.max(period)));
            }
        }
        self.visiting.pop();
        let period = named.unwrap_or(query.period());
        self.stamped[index] = Some(period);
        period
    }
}

/// `text` with every '…' and "…" literal (backslash escapes included) blanked out.
fn without_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                out.push(' ');
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(' ');
            }
            None => out.push(c),
        }
    }
    out
}

/// How many periods of `period` seconds cover `length` (the last one may be partial).
pub(crate) fn periods_in(length: TimeDelta, period: u32) -> u64 {
    let seconds = length.num_seconds().max(1) as u64;
    seconds.div_ceil(u64::from(period))
}

/// `(queries per call, periods per time chunk)` minimising `ceil(n / k) × ceil(P / T)`.
fn best_shape(queries: usize, periods: u64) -> (usize, u64) {
    let mut best = (1usize, MAX_DATAPOINTS_PER_CALL, u64::MAX);
    for k in 1..=queries.min(MAX_QUERIES_PER_CALL) {
        let t = (MAX_DATAPOINTS_PER_CALL / k as u64).min(periods).max(1);
        let calls = (queries.div_ceil(k) as u64).saturating_mul(periods.div_ceil(t));
        // Ties go to fewer, longer time chunks (fewer queries repeated across calls).
        if calls < best.2 || (calls == best.2 && t > best.1) {
            best = (k, t, calls);
        }
    }
    (best.0, best.1)
}

/// CloudWatch keeps sub-minute data 3 hours, one-minute data 15 days, five-minute data 63 days
/// and hourly data 455 days: a query reaching further back needs a coarser period, and one
/// reaching back past 455 days a later start (the periods before it would come back empty,
/// which reads as no traffic, not as missing data).
fn check_retention(
    period: Period,
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    id: &str,
) -> Result<(), FetchError> {
    let age = now - start;
    let seconds = period.seconds();
    let reason = if age > TimeDelta::days(455) {
        "CloudWatch keeps no data older than 455 days, at any period: start the range later"
    } else if seconds < 60 && age > TimeDelta::hours(3) {
        "periods under 60 s reach back only 3 hours (high-resolution retention)"
    } else if age > TimeDelta::days(63) && !seconds.is_multiple_of(3600) {
        "data older than 63 days is kept at 1-hour resolution: use a multiple of 3600 s"
    } else if age > TimeDelta::days(15) && !seconds.is_multiple_of(300) {
        "data older than 15 days is kept at 5-minute resolution: use a multiple of 300 s"
    } else {
        return Ok(());
    };
    Err(FetchError::BeyondRetention {
        id: id.to_owned(),
        period,
        start,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metric::Metric;
    use crate::query::{MetricQuery, Statistic};
    use crate::range::TimeRange;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap()
    }

    fn request(series: usize, range: TimeDelta, period: u32) -> FetchRequest {
        let queries = (0..series).map(|i| stat(i, period)).collect();
        let end = now() - TimeDelta::hours(1);
        FetchRequest::new(queries, TimeRange::new(end - range, end).unwrap()).unwrap()
    }

    fn lower_bound(series: usize, range: TimeDelta, period: u32) -> u64 {
        let dp = series as u64 * periods_in(range, period);
        dp.div_ceil(MAX_DATAPOINTS_PER_CALL)
            .max(series.div_ceil(MAX_QUERIES_PER_CALL) as u64)
    }

    fn check_limits(calls: &[Call], period: u32) {
        for call in calls {
            assert!(call.queries.len() <= MAX_QUERIES_PER_CALL);
            let dp = call.queries.len() as u64 * periods_in(call.end - call.start, period);
            assert!(dp <= MAX_DATAPOINTS_PER_CALL, "{dp}");
        }
    }

    #[test]
    fn twelve_hundred_series_for_an_hour_take_three_calls() {
        let calls = plan(&request(1200, TimeDelta::hours(1), 60), now()).unwrap();
        assert_eq!(calls.len(), 3);
        assert_eq!(
            calls.len() as u64,
            lower_bound(1200, TimeDelta::hours(1), 60)
        );
        check_limits(&calls, 60);
    }

    #[test]
    fn thirty_days_back_needs_five_minute_periods() {
        let month = TimeDelta::days(30);
        let now = now() + TimeDelta::days(1);
        let one = plan(&request(1, month, 60), now);
        // Thirty days back at one minute is beyond the 15-day retention tier.
        assert!(
            matches!(&one, Err(FetchError::BeyondRetention { id, period, .. }) if id == "q0" && period.seconds() == 60),
            "{one:?}"
        );
        let calls = plan(&request(1, month, 300), now).unwrap();
        assert_eq!(calls.len(), 1);
    }

    #[test]
    fn thirty_days_at_one_minute_within_retention_reaches_the_bound() {
        // Retention aside, 1,200 series x 43,200 minutes = 51,840,000 datapoints: the bound is
        // 515 calls, reached with 240 series x 7 hours per call.
        let range = TimeDelta::days(30);
        let calls = shape(&request(1200, range, 60)).unwrap();
        assert_eq!(calls.len(), 515);
        assert_eq!(calls.len() as u64, lower_bound(1200, range, 60));
        check_limits(&calls, 60);
        assert_eq!(shape(&request(1, range, 60)).unwrap().len(), 1);
        assert_eq!(shape(&request(2, range, 60)).unwrap().len(), 1);
        assert_eq!(shape(&request(3, range, 60)).unwrap().len(), 2);
    }

    #[test]
    fn every_query_and_instant_is_covered_once() {
        let req = request(37, TimeDelta::days(3), 60);
        let calls = plan(&req, now()).unwrap();
        for q in 0..37 {
            let mut spans: Vec<_> = calls
                .iter()
                .filter(|c| c.queries.contains(&q))
                .map(|c| (c.start, c.end))
                .collect();
            spans.sort();
            assert_eq!(spans.first().unwrap().0, req.range().start());
            assert_eq!(spans.last().unwrap().1, req.range().end());
            assert!(
                spans.windows(2).all(|w| w[0].1 == w[1].0),
                "gaps or overlaps for query {q}"
            );
        }
    }

    #[test]
    fn metric_math_stays_in_one_call_group() {
        let mut queries: Vec<MetricQuery> = request(2, TimeDelta::hours(1), 60).queries().to_vec();
        queries.push(MetricQuery::expression("ratio", "q0 / q1", Period::MINUTE).unwrap());
        let end = now() - TimeDelta::hours(1);
        let req = FetchRequest::new(
            queries,
            TimeRange::new(end - TimeDelta::hours(1), end).unwrap(),
        )
        .unwrap();
        let calls = plan(&req, now()).unwrap();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].queries, vec![0, 1, 2]);

        let mut many: Vec<MetricQuery> = request(500, TimeDelta::hours(1), 60).queries().to_vec();
        many.push(MetricQuery::expression("total", "SUM(METRICS())", Period::MINUTE).unwrap());
        let req = FetchRequest::new(
            many,
            TimeRange::new(end - TimeDelta::hours(1), end).unwrap(),
        )
        .unwrap();
        assert!(matches!(
            plan(&req, now()),
            Err(FetchError::TooManyQueries {
                count: 501,
                max: 500
            })
        ));
    }

    #[test]
    fn mixed_periods_share_a_call_when_they_fit() {
        let mut queries = request(1, TimeDelta::hours(1), 60).queries().to_vec();
        queries.extend(
            request(1, TimeDelta::hours(1), 120)
                .queries()
                .iter()
                .map(|q| {
                    MetricQuery::new(
                        crate::query::QueryId::new("slow").unwrap(),
                        q.kind().clone(),
                    )
                    .unwrap()
                }),
        );
        let end = now() - TimeDelta::hours(1);
        let req = FetchRequest::new(
            queries,
            TimeRange::new(end - TimeDelta::hours(1), end).unwrap(),
        )
        .unwrap();
        assert_eq!(plan(&req, now()).unwrap().len(), 1);
    }

    #[test]
    fn unaligned_ranges_are_widened_to_whole_periods() {
        let end = now() - TimeDelta::hours(1) + TimeDelta::seconds(30);
        let queries = request(1, TimeDelta::hours(1), 300).queries().to_vec();
        let req = FetchRequest::new(
            queries,
            TimeRange::new(end - TimeDelta::hours(1), end).unwrap(),
        )
        .unwrap();
        let calls = plan(&req, now()).unwrap();
        assert_eq!(calls[0].start.timestamp() % 300, 0);
        assert_eq!(calls.last().unwrap().end.timestamp() % 300, 0);
        assert!(
            calls[0].start <= req.range().start() && calls.last().unwrap().end >= req.range().end()
        );
    }

    #[test]
    fn math_chunks_never_split_a_longer_period() {
        // 9 queries at 60 s, one at 300 s and an expression, over 10 days: each chunk is a whole
        // number of 300 s periods.
        let end = now() - TimeDelta::hours(1);
        let mut queries = request(9, TimeDelta::days(10), 60).queries().to_vec();
        let mut kind = queries[0].kind().clone();
        if let QueryKind::Stat { period, .. } = &mut kind {
            *period = Period::new(300).unwrap();
        }
        queries.push(MetricQuery::new(crate::query::QueryId::new("slow").unwrap(), kind).unwrap());
        queries.push(MetricQuery::expression("total", "SUM(METRICS())", Period::MINUTE).unwrap());
        let req = FetchRequest::new(
            queries,
            TimeRange::new(end - TimeDelta::days(10), end).unwrap(),
        )
        .unwrap();
        let calls = plan(&req, now()).unwrap();
        assert!(calls.len() > 1);
        for call in &calls {
            assert_eq!(call.start.timestamp() % 300, 0, "{call:?}");
            assert_eq!(call.end.timestamp() % 300, 0, "{call:?}");
        }
    }

    /// Query `q{i}` of the queries [`request`] builds, at `period`.
    fn stat(i: usize, period: u32) -> MetricQuery {
        let metric = Metric::new("AWS/EC2", "CPUUtilization")
            .unwrap()
            .with_dimension("InstanceId", format!("i-{i:08}"))
            .unwrap();
        MetricQuery::stat(
            &format!("q{i}"),
            metric,
            Statistic::Average,
            Period::new(period).unwrap(),
        )
        .unwrap()
    }

    fn math_request(periods: &[u32], range: TimeDelta) -> FetchRequest {
        let mut queries: Vec<MetricQuery> = periods
            .iter()
            .enumerate()
            .map(|(i, &p)| stat(i, p))
            .collect();
        queries.push(MetricQuery::expression("e", "q0 * 2", Period::MINUTE).unwrap());
        let end = now() - TimeDelta::hours(1);
        FetchRequest::new(queries, TimeRange::new(end - range, end).unwrap()).unwrap()
    }

    /// Datapoints of `call`, each query at its own period.
    fn datapoints(request: &FetchRequest, call: &Call) -> u64 {
        call.queries
            .iter()
            .map(|&i| {
                periods_in(
                    call.end - call.start,
                    request.queries()[i].period().seconds(),
                )
            })
            .sum()
    }

    #[test]
    fn math_periods_that_do_not_divide_the_longest_are_refused() {
        // 60 s, 120 s, ..., 3,600 s: their common multiple overflowed i64 (a panic in debug
        // builds, `TimeDelta::seconds out of bounds` in release ones). 420 s is the first that
        // does not divide 3,600 s.
        let periods: Vec<u32> = (1..=60).map(|k| 60 * k).collect();
        let req = math_request(&periods, TimeDelta::hours(1));
        let err = plan(&req, now()).unwrap_err();
        assert!(
            matches!(&err, FetchError::MathPeriodsNotNested { id, period, longest_id, longest }
                if id == "q6" && period.seconds() == 420 && longest_id == "q59" && longest.seconds() == 3600),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "query \"q6\": a period of 420 s does not divide the period 3600 s of query \"q59\": in a request with metric math every period must divide the longest"
        );
        // 420 s beside 600 s needs a 4,200 s unit: refused too, not a range widened by 70 min.
        let err = plan(&math_request(&[420, 600], TimeDelta::hours(1)), now()).unwrap_err();
        assert!(
            matches!(err, FetchError::MathPeriodsNotNested { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn math_with_a_longest_period_past_one_call_is_refused() {
        // One year beside one minute: a call holding one whole year holds 525,600 minutes of
        // each of q0 and the expression (the plan asked for 1,051,201 datapoints in one call).
        let year = 3600 * 24 * 365;
        let req = math_request(&[60, year], TimeDelta::days(3));
        let err = plan(&req, now()).unwrap_err();
        assert!(
            matches!(&err, FetchError::MathPeriodTooLong { id, period, datapoints: 1_051_201, max: 100_800 }
                if id == "q1" && period.seconds() == year),
            "{err:?}"
        );
        // 400 one-minute queries beside a daily one: 576,000 one-minute datapoints in a day.
        let mut periods = vec![60; 400];
        periods.push(86_400);
        let err = plan(&math_request(&periods, TimeDelta::days(2)), now()).unwrap_err();
        assert!(
            matches!(err, FetchError::MathPeriodTooLong { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn math_calls_stay_within_the_limits_and_a_longest_period_of_the_range() {
        for (periods, range) in [
            (vec![60, 604_800], TimeDelta::hours(1)),
            (vec![60, 300, 3600], TimeDelta::days(10)),
            (vec![60; 300], TimeDelta::days(3)),
        ] {
            let req = math_request(&periods, range);
            let calls = plan(&req, now()).unwrap();
            let longest = TimeDelta::seconds(i64::from(*periods.iter().max().unwrap()));
            for call in &calls {
                assert_eq!(call.queries.len(), req.queries().len());
                assert!(
                    datapoints(&req, call) <= MAX_DATAPOINTS_PER_CALL,
                    "{call:?}"
                );
            }
            let (first, last) = (calls[0].start, calls.last().unwrap().end);
            assert!(first <= req.range().start() && req.range().start() - first < longest);
            assert!(last >= req.range().end() && last - req.range().end() < longest);
        }
    }

    /// An expression's points are stamped at its inputs' periods: over the weekly `q1` it is
    /// weekly, over `q0` a minute, whatever its own; over another expression, that one's;
    /// over all statistics (`METRICS()`), their longest; naming nothing (`SEARCH`, or ids only
    /// inside quotes), its own.
    #[test]
    fn an_expression_is_stamped_at_its_inputs_period() {
        let expression =
            |id: &str, text: &str| MetricQuery::expression(id, text, Period::MINUTE).unwrap();
        let queries = vec![
            stat(0, 60),
            stat(1, 604_800),
            stat(2, 3_600),
            expression("e_week", "q1 * 2"),
            expression("e_minute", "q0 / 60"),
            expression("e_both", "SUM([q0, q2])"),
            expression("e_all", "SUM(METRICS())"),
            expression("e_nested", "e_minute * 2"),
            expression(
                "e_search",
                r#"SUM(SEARCH('{AWS/EC2,InstanceId} MetricName="q1"', 'Average', 60))"#,
            ),
            expression("e_cycle", "e_cycle + q2"),
        ];
        let now = now();
        let range = TimeRange::new(now - TimeDelta::hours(1), now).unwrap();
        let request = FetchRequest::new(queries, range).unwrap();
        let stamped: Vec<u32> = stamped_periods(&request)
            .iter()
            .map(|p| p.seconds())
            .collect();
        assert_eq!(
            stamped,
            [
                60, 604_800, 3_600, 604_800, 60, 3_600, 604_800, 60, 60, 3_600
            ]
        );
    }

    #[test]
    fn clipping_keeps_exactly_the_periods_that_overlap_the_range() {
        let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
        let range =
            TimeRange::new(t0 + TimeDelta::seconds(30), t0 + TimeDelta::minutes(3)).unwrap();
        let at = |m: i64| t0 + TimeDelta::minutes(m);
        let mut points: Vec<_> = (-3..6).map(|m| (at(m), m as f64)).collect();
        clip_to_range(&mut points, Period::MINUTE, range);
        // 00:00 overlaps [00:00:30, 00:03); 00:03 starts at its end.
        assert_eq!(points, vec![(at(0), 0.0), (at(1), 1.0), (at(2), 2.0)]);
        // A weekly period starting before the range overlaps it.
        let week = Period::new(604_800).unwrap();
        let mut points = vec![
            (t0 - TimeDelta::days(8), 1.0),
            (t0 - TimeDelta::days(1), 2.0),
        ];
        clip_to_range(&mut points, week, range);
        assert_eq!(points, vec![(t0 - TimeDelta::days(1), 2.0)]);
        // The end of chrono's range does not overflow.
        let last = DateTime::<Utc>::MAX_UTC;
        let mut points = vec![(last - TimeDelta::seconds(1), 1.0)];
        clip_to_range(
            &mut points,
            week,
            TimeRange::new(last - TimeDelta::seconds(2), last).unwrap(),
        );
        assert_eq!(points.len(), 1);
    }

    #[test]
    fn a_request_needing_more_than_the_call_cap_is_refused() {
        let q = stat(0, 3600);
        // chrono's whole range at one hour planned 45,594 calls.
        let all = TimeRange::new(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC).unwrap();
        let req = FetchRequest::new(vec![q.clone()], all).unwrap();
        let err = shape(&req).unwrap_err();
        assert!(
            matches!(err, FetchError::TooManyCalls { queries: 1, range, max: 1000 } if range == all),
            "{err:?}"
        );
        // Within retention, a range running far into the future: refused before any call.
        let ahead = TimeRange::new(now() - TimeDelta::hours(1), DateTime::<Utc>::MAX_UTC).unwrap();
        let req = FetchRequest::new(vec![q], ahead).unwrap();
        assert!(matches!(
            plan(&req, now()),
            Err(FetchError::TooManyCalls { .. })
        ));
        // 4,000 one-minute series over 14 days need 4,000 x 20,160 / 100,800 = 800 calls; 6,000
        // need 1,200.
        let fortnight = TimeDelta::days(14);
        let calls = plan(&request(4000, fortnight, 60), now()).unwrap();
        assert_eq!(calls.len(), 800);
        let err = plan(&request(6000, fortnight, 60), now()).unwrap_err();
        assert!(
            matches!(err, FetchError::TooManyCalls { queries: 6000, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn data_older_than_455_days_is_refused_at_any_period() {
        let at = now();
        let hour = Period::new(3600).unwrap();
        assert!(check_retention(hour, at - TimeDelta::days(454), at, "q").is_ok());
        let err = check_retention(hour, at - TimeDelta::days(456), at, "q").unwrap_err();
        assert!(
            matches!(&err, FetchError::BeyondRetention { id, period, .. } if id == "q" && *period == hour),
            "{err:?}"
        );
        let day = Period::new(86_400).unwrap();
        assert!(check_retention(day, at - TimeDelta::days(800), at, "q").is_err());
        // A request from 1970 names its query.
        let queries = vec![stat(0, 86_400)];
        let since_1970 = TimeRange::new(DateTime::UNIX_EPOCH, at - TimeDelta::hours(1)).unwrap();
        let err = plan(&FetchRequest::new(queries, since_1970).unwrap(), at).unwrap_err();
        assert!(
            matches!(&err, FetchError::BeyondRetention { id, .. } if id == "q0"),
            "{err:?}"
        );
    }

    const PERIODS: [u32; 15] = [
        1, 5, 10, 30, 60, 120, 180, 300, 420, 600, 900, 3600, 7200, 86_400, 604_800,
    ];

    /// What `shape` may refuse a valid request for; anything else (or a panic) is a bug.
    fn is_a_refusal(err: &FetchError) -> bool {
        matches!(
            err,
            FetchError::TooManyQueries { .. }
                | FetchError::MathPeriodsNotNested { .. }
                | FetchError::MathPeriodTooLong { .. }
                | FetchError::TooManyCalls { .. }
        )
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// For any request the plan never panics, and a plan keeps every call within 500 queries
        /// and 100,800 datapoints, and the fetch within 1,000 calls; covers each query's range
        /// once, without gaps or overlaps, cut only at whole periods of the query; and spans
        /// less than one period beyond the range at each end: the query's own period, or with
        /// metric math (every query in every call) the longest period of the request.
        #[test]
        fn plans_stay_within_the_limits_and_cover_the_range(
            periods in proptest::collection::vec(proptest::sample::select(&PERIODS[..]), 1..600),
            math in proptest::option::weighted(0.4, proptest::sample::select(&PERIODS[..])),
            ago in 0i64..40_000_000,
            mantissa in 1i64..10,
            exponent in 0u32..9,
            nested in proptest::bool::weighted(0.9),
        ) {
            let mut periods = periods;
            let mut math = math;
            if let Some(m) = math.as_mut() {
                // Most requests with metric math the planner accepts: under 500 queries, each
                // period (the expression's too) a divisor of the longest, and long enough that
                // one longest period of every query fits one call. The rest are drawn as they
                // come, to be refused.
                periods.truncate(periods.len() / 5 + 1);
                let longest = periods.iter().copied().chain([*m]).max().unwrap_or(*m);
                let shortest_that_fits =
                    (periods.len() as u64 + 1) * u64::from(longest) / MAX_DATAPOINTS_PER_CALL + 1;
                if nested {
                    for p in periods.iter_mut().chain([m]) {
                        let at_least = u64::from(*p).max(shortest_that_fits);
                        *p = PERIODS
                            .iter()
                            .copied()
                            .filter(|&d| longest % d == 0 && u64::from(d) >= at_least)
                            .min()
                            .unwrap_or(longest);
                    }
                }
            }
            let mut queries: Vec<MetricQuery> =
                periods.iter().enumerate().map(|(i, &p)| stat(i, p)).collect();
            if let Some(p) = math {
                queries.push(
                    MetricQuery::expression("e", "q0 * 2", Period::new(p).unwrap()).unwrap(),
                );
            }
            let end = now() - TimeDelta::seconds(ago);
            let start = end - TimeDelta::seconds(mantissa * 10i64.pow(exponent));
            let req = FetchRequest::new(queries, TimeRange::new(start, end).unwrap()).unwrap();
            // Retention aside (it only refuses), so that long and old ranges reach the planner;
            // `plan` must not panic either.
            let _ = plan(&req, now());
            let calls = match shape(&req) {
                Ok(calls) => calls,
                Err(err) => {
                    proptest::prop_assert!(is_a_refusal(&err), "{err:?}");
                    return Ok(());
                }
            };
            proptest::prop_assert!(calls.len() <= MAX_CALLS_PER_FETCH);
            for call in &calls {
                proptest::prop_assert!(call.queries.len() <= MAX_QUERIES_PER_CALL);
                proptest::prop_assert!(datapoints(&req, call) <= MAX_DATAPOINTS_PER_CALL, "{call:?}");
            }
            let longest = req.queries().iter().map(|q| q.period().seconds()).max().unwrap();
            for (index, query) in req.queries().iter().enumerate() {
                let own = i64::from(query.period().seconds());
                let bound = TimeDelta::seconds(if math.is_some() { i64::from(longest) } else { own });
                let mut spans: Vec<_> = calls
                    .iter()
                    .filter(|c| c.queries.contains(&index))
                    .map(|c| (c.start, c.end))
                    .collect();
                spans.sort();
                proptest::prop_assert!(!spans.is_empty(), "query {index} in no call");
                let (first, last) = (spans[0].0, spans[spans.len() - 1].1);
                proptest::prop_assert!(first <= start && start - first < bound, "query {index}: {first}");
                proptest::prop_assert!(last >= end && last - end < bound, "query {index}: {last}");
                for pair in spans.windows(2) {
                    proptest::prop_assert_eq!(pair[0].1, pair[1].0, "query {}", index);
                }
                for (from, _) in &spans {
                    proptest::prop_assert_eq!(from.timestamp().rem_euclid(own), 0);
                }
            }
        }
    }

    #[test]
    fn retention_tiers() {
        let at = now();
        let p = |s| Period::new(s).unwrap();
        assert!(check_retention(p(1), at - TimeDelta::hours(2), at, "q").is_ok());
        assert!(check_retention(p(1), at - TimeDelta::hours(4), at, "q").is_err());
        assert!(check_retention(p(60), at - TimeDelta::days(14), at, "q").is_ok());
        assert!(check_retention(p(60), at - TimeDelta::days(16), at, "q").is_err());
        assert!(check_retention(p(300), at - TimeDelta::days(60), at, "q").is_ok());
        assert!(check_retention(p(300), at - TimeDelta::days(70), at, "q").is_err());
        assert!(check_retention(p(3600), at - TimeDelta::days(300), at, "q").is_ok());
    }
}
