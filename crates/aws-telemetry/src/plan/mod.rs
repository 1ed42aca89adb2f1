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
mod tests;
