//! Tests of the parent module.

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
    let range = TimeRange::new(t0 + TimeDelta::seconds(30), t0 + TimeDelta::minutes(3)).unwrap();
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
