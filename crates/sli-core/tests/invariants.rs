//! Property tests of the invariants `sli-core` promises.

// Test code: a failed expectation should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use sli_core::{
    AlertInterval, AlertPolicy, AlertTier, AlertUpdate, CalendarPeriod, ErrorBudget, EventCounts,
    MissingData, Objective, PartialWindows, PolicyEvaluator, Series, Severity, Sli, Slo, Span,
    Sustained, TierThreshold, Window,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

/// A policy with short windows so that small random series cross every transition.
fn small_policy(sustain: Option<Sustained>, partial_windows: PartialWindows) -> AlertPolicy {
    let m = |k| Span::from_minutes(k).unwrap();
    let mut tiers = vec![
        AlertTier::new(
            "fast",
            Severity::Page,
            m(10),
            m(2),
            TierThreshold::BurnRate(8.0),
        ),
        AlertTier::new(
            "mid",
            Severity::Page,
            m(30),
            m(5),
            TierThreshold::BudgetConsumed(0.05),
        ),
        AlertTier::new(
            "slow",
            Severity::Ticket,
            m(60),
            m(10),
            TierThreshold::BurnRate(1.0),
        ),
    ];
    tiers[1].sustain = sustain;
    AlertPolicy::new(tiers).with_partial_windows(partial_windows)
}

/// Points with random gaps (mostly 1–3 steps, sometimes hours), traffic (including none) and
/// error bursts, in whole counts.
fn count_points() -> impl Strategy<Value = Vec<(i64, f64, f64)>> {
    points_with(false)
}

/// As [`count_points`], with fractional bad counts when `fractional`.
fn points_with(fractional: bool) -> impl Strategy<Value = Vec<(i64, f64, f64)>> {
    let gap = prop_oneof![20 => 1i64..=3, 1 => 100i64..=3000];
    let point = (gap, 0u32..=200, 0u32..=100, prop::bool::weighted(0.2));
    prop::collection::vec(point, 1..300).prop_map(move |raw| {
        let mut slot = 0;
        raw.into_iter()
            .map(|(gap, total, bad_pct, burst)| {
                slot += gap;
                let total = f64::from(total);
                let share = if burst {
                    f64::from(bad_pct) / 100.0
                } else {
                    0.0
                };
                let bad = if fractional {
                    total * share
                } else {
                    (total * share).floor()
                };
                (slot, total - bad, total)
            })
            .collect()
    })
}

fn to_series(points: &[(i64, f64, f64)]) -> Series<EventCounts> {
    Series::from_counts(
        points
            .iter()
            .map(|&(slot, good, total)| (t0() + TimeDelta::minutes(slot), good, total)),
    )
    .unwrap()
}

fn streamed(evaluator: &PolicyEvaluator, series: &Series<EventCounts>) -> Vec<AlertInterval> {
    let mut stream = evaluator.streaming();
    let mut done = Vec::new();
    for (at, counts) in series.iter() {
        for update in stream.push(at, *counts).unwrap() {
            if let AlertUpdate::Resolved(alert) = update {
                done.push(alert.clone());
            }
        }
    }
    done.extend(stream.firing().cloned());
    done.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(rank(&a.tier).cmp(&rank(&b.tier)))
    });
    done
}

fn rank(tier: &str) -> usize {
    [
        "fast",
        "mid",
        "slow",
        "page-fast",
        "page-slow",
        "ticket-fast",
        "ticket-slow",
    ]
    .iter()
    .position(|t| *t == tier)
    .unwrap()
}

fn missing_policy() -> impl Strategy<Value = MissingData> {
    prop_oneof![
        Just(MissingData::Good),
        Just(MissingData::Bad),
        Just(MissingData::Skip)
    ]
}

/// Minutes of about 100 requests with `base_bad` failures, `bursts` of `(start, minutes,
/// percent failing)` and `silences` of `(start, minutes)` without traffic.
fn mostly_healthy(
    len: usize,
    bursts: &[(usize, usize, u32)],
    silences: &[(usize, usize)],
    base_bad: u32,
) -> Vec<(i64, f64, f64)> {
    (0..len)
        .map(|m| {
            let silent = silences.iter().any(|&(at, n)| (at..at + n).contains(&m));
            let total = if silent { 0.0 } else { 100.0 + (m % 7) as f64 };
            let pct = bursts
                .iter()
                .filter(|&&(at, n, _)| (at..at + n).contains(&m))
                .map(|&(_, _, p)| p)
                .max()
                .unwrap_or(0);
            let floor = if silent { 0.0 } else { f64::from(base_bad) };
            let bad = (total * f64::from(pct) / 100.0)
                .floor()
                .max(floor)
                .min(total);
            (m as i64, total - bad, total)
        })
        .collect()
}

/// The Workbook policy and a small one, for a 30-day SLO.
fn quiet_block_evaluators(
    target: f64,
    missing: MissingData,
    min_events: f64,
) -> Vec<PolicyEvaluator> {
    let window = Window::rolling(Span::from_days(30).unwrap());
    let mut slo = Slo::new(
        "q",
        Objective::new(target).unwrap(),
        window,
        Sli::EventRatio,
    );
    slo.missing_data = missing;
    slo.min_events = min_events;
    [
        AlertPolicy::workbook(),
        small_policy(None, PartialWindows::NoData),
    ]
    .iter()
    .map(|policy| PolicyEvaluator::new(&slo, policy, Span::MINUTE).unwrap())
    .collect()
}

/// Found by `quiet_block_skipping_equals_streaming`: a tier ruled out by its short window
/// while its long window is still filling (no data, carried over by `Skip`) must not leave
/// the long window's partial sums behind as its state.
#[test]
fn tier_ruled_out_by_its_short_window_keeps_the_long_window_without_data() {
    let points = mostly_healthy(1500, &[(0, 9, 94), (765, 6, 42)], &[], 3);
    assert_quiet_blocks_sweep_as_streamed(&points, 0.9645565776390674, MissingData::Skip);
}

/// Found by `quiet_block_skipping_equals_streaming` when blocks with missing data became
/// quiet under `Skip`: a tier ruled out by one window may leave its other window breaching and
/// then silent, and the silence (no data, carried over by `Skip`) must carry the breach, not
/// the state before the block.
#[test]
fn silence_after_a_burst_carries_the_breach_in_a_ruled_out_tier() {
    let points = mostly_healthy(2056, &[(1901, 34, 31)], &[(1935, 121)], 2);
    assert_quiet_blocks_sweep_as_streamed(&points, 0.99, MissingData::Skip);
}

/// The regressions' check: with both policies of [`quiet_block_evaluators`] (no minimum of
/// events), the batch sweep reports what the streaming evaluator does.
fn assert_quiet_blocks_sweep_as_streamed(
    points: &[(i64, f64, f64)],
    target: f64,
    missing: MissingData,
) {
    let series = to_series(points);
    for evaluator in quiet_block_evaluators(target, missing, 0.0) {
        assert_eq!(
            evaluator.sweep(&series).unwrap(),
            streamed(&evaluator, &series)
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The batch sweep and the streaming evaluator report identical alerts, bit for bit: with
    /// gaps short and long, empty minutes, bursts, fractional counts, every missing-data policy,
    /// minimum-event guards, sustain rules, both partial-window modes and several SLO windows.
    #[test]
    fn streaming_equals_batch(
        points in prop_oneof![points_with(false), points_with(true)],
        target in prop_oneof![Just(0.99), Just(0.999), 0.9f64..0.9999],
        missing in missing_policy(),
        min_events in prop_oneof![Just(0.0), 1.0f64..300.0],
        sustain in prop::option::of((1u32..=3, 0u32..=2).prop_map(|(n, extra)| Sustained::new(n, n + extra).unwrap())),
        partial in prop_oneof![Just(PartialWindows::NoData), Just(PartialWindows::Evaluate)],
        window in prop_oneof![
            Just(Window::rolling(Span::from_hours(2).unwrap())),
            Just(Window::calendar(CalendarPeriod::Day)),
            Just(Window::rolling(Span::from_days(30).unwrap())),
        ],
    ) {
        let mut slo = Slo::new("p", Objective::new(target).unwrap(), window, Sli::EventRatio);
        slo.missing_data = missing;
        slo.min_events = min_events;
        let evaluator = PolicyEvaluator::new(&slo, &small_policy(sustain, partial), Span::MINUTE).unwrap();
        let series = to_series(&points);
        let batch = evaluator.sweep(&series).unwrap();
        prop_assert_eq!(&batch, &streamed(&evaluator, &series));
        // And the default Workbook policy on the same data.
        let mut workbook = AlertPolicy::workbook();
        workbook.partial_windows = partial;
        let workbook = PolicyEvaluator::new(&slo, &workbook, Span::MINUTE).unwrap();
        prop_assert_eq!(workbook.sweep(&series).unwrap(), streamed(&workbook, &series));
    }

    /// Long dense series, mostly healthy with rare bursts: the batch sweep rules out whole
    /// quiet blocks at once, and must still agree with the streaming evaluator, bit for bit,
    /// around every burst, silence and threshold edge.
    #[test]
    fn quiet_block_skipping_equals_streaming(
        len in 1500usize..5000,
        bursts in prop::collection::vec((0usize..5000, 1usize..400, 1u32..=100), 0..6),
        // Silences short, and longer than a block of the sweep (256 slots) and than the
        // shorter windows.
        silences in prop::collection::vec((0usize..5000, prop_oneof![1usize..200, 200usize..1500]), 0..3),
        base_bad in 0u32..=3,
        target in prop_oneof![Just(0.99), Just(0.999), 0.95f64..0.9999],
        missing in missing_policy(),
        min_events in prop_oneof![Just(0.0), Just(50.0)],
    ) {
        let series = to_series(&mostly_healthy(len, &bursts, &silences, base_bad));
        for evaluator in quiet_block_evaluators(target, missing, min_events) {
            prop_assert_eq!(evaluator.sweep(&series).unwrap(), streamed(&evaluator, &series));
        }
    }

    /// A burn rate of exactly 1 sustained over the whole SLO window spends the whole budget.
    /// Fractional bad counts (`total × (1 − target)`) round once per point when stored as
    /// `good = total − bad`, hence the relative tolerance; whole counts are exact (below).
    #[test]
    fn burn_one_over_window_spends_whole_budget(
        target in 0.5f64..0.99999,
        per_minute in 1.0f64..1e6,
        days in 1i64..=31,
    ) {
        let objective = Objective::new(target).unwrap();
        let slo = Slo::new("b", objective, Window::rolling(Span::from_days(days).unwrap()), Sli::EventRatio);
        let bad = per_minute * objective.error_budget();
        let n = days * 1440;
        let series = Series::from_counts((0..n).map(|m| (t0() + TimeDelta::minutes(m), per_minute - bad, per_minute))).unwrap();
        let report = slo.report(&series, t0() + TimeDelta::minutes(n)).unwrap();
        let budget = report.budget.unwrap();
        prop_assert!((budget.consumed_fraction() - 1.0).abs() < 1e-7, "{}", budget.consumed_fraction());
        prop_assert!((report.burn_rate.unwrap() - 1.0).abs() < 1e-7);
    }

    /// Budget fractions stay in range for valid input: consumed in [0, max burn], remaining
    /// at most 1, and consumed equals the counts' burn rate.
    #[test]
    fn budget_fractions_in_range(target in 0.01f64..0.99999, total in 1u32..1_000_000, bad_share in 0.0f64..=1.0) {
        let objective = Objective::new(target).unwrap();
        let total = f64::from(total);
        let counts = EventCounts::from_bad((total * bad_share).floor(), total).unwrap();
        let budget = ErrorBudget::for_events(objective, counts).unwrap();
        prop_assert!(budget.consumed_fraction() >= 0.0);
        prop_assert!(budget.consumed_fraction() <= objective.max_burn_rate() * (1.0 + 1e-12));
        prop_assert!(budget.remaining_fraction() <= 1.0);
        // The consumed fraction is the burn rate of the counts.
        let burn = sli_core::BurnRate::from_counts(counts, objective).unwrap().get();
        prop_assert!((budget.consumed_fraction() - burn).abs() <= 1e-9 * burn.max(1.0));
    }

    /// Merging count series is associative and commutative for whole counts.
    #[test]
    fn merge_is_associative(a in count_points(), b in count_points(), c in count_points()) {
        let (a, b, c) = (to_series(&a), to_series(&b), to_series(&c));
        let left = a.merge(&b).unwrap().merge(&c).unwrap();
        let right = a.merge(&b.merge(&c).unwrap()).unwrap();
        prop_assert_eq!(&left, &right);
        prop_assert_eq!(a.merge(&b).unwrap(), b.merge(&a).unwrap());
        prop_assert_eq!(left.sum().unwrap().total(), a.sum().unwrap().total() + b.sum().unwrap().total() + c.sum().unwrap().total());
    }

    /// The streaming evaluator's budget equals the report's for a rolling window.
    #[test]
    fn streaming_budget_matches_report(points in count_points()) {
        let slo = Slo::new("s", Objective::new(0.99).unwrap(), Window::rolling(Span::from_hours(2).unwrap()), Sli::EventRatio);
        let evaluator = PolicyEvaluator::new(&slo, &small_policy(None, PartialWindows::Evaluate), Span::MINUTE).unwrap();
        let series = to_series(&points);
        let mut stream = evaluator.streaming();
        for (at, counts) in series.iter() {
            stream.push(at, *counts).unwrap();
        }
        let report = slo.report(&series, series.last_time() + TimeDelta::minutes(1)).unwrap();
        match (stream.budget(), report.budget) {
            (Some(s), Some(r)) => prop_assert!((s.consumed_fraction() - r.consumed_fraction()).abs() < 1e-9),
            (s, r) => prop_assert_eq!(s.is_none(), r.is_none()),
        }
    }
}

/// With whole counts, 1 bad request in 1,000 every minute for 30 days against 99.9 % spends the
/// budget to within the rounding of `1 − 0.999` itself (a few ulps).
#[test]
fn burn_one_with_whole_counts_is_exact() {
    let objective = Objective::new(0.999).unwrap();
    let slo = Slo::new(
        "b",
        objective,
        Window::rolling(Span::from_days(30).unwrap()),
        Sli::EventRatio,
    );
    let n = 30 * 1440;
    let series =
        Series::from_counts((0..n).map(|m| (t0() + TimeDelta::minutes(m), 999.0, 1000.0))).unwrap();
    let report = slo.report(&series, t0() + TimeDelta::minutes(n)).unwrap();
    let budget = report.budget.unwrap();
    assert_eq!(budget.consumed(), 43_200.0);
    assert!(
        (budget.consumed_fraction() - 1.0).abs() < 1e-15,
        "{}",
        budget.consumed_fraction()
    );
}

#[test]
fn streaming_rejects_bad_points_without_changing_state() {
    let slo = Slo::new(
        "s",
        Objective::new(0.99).unwrap(),
        Window::rolling(Span::from_days(1).unwrap()),
        Sli::EventRatio,
    );
    let evaluator = PolicyEvaluator::new(
        &slo,
        &small_policy(None, PartialWindows::Evaluate),
        Span::MINUTE,
    )
    .unwrap();
    let mut stream = evaluator.streaming();
    let ok = EventCounts::new(10.0, 10.0).unwrap();
    stream.push(t0() + TimeDelta::minutes(5), ok).unwrap();
    assert!(matches!(
        stream.push(t0() + TimeDelta::minutes(5), ok),
        Err(sli_core::Error::DuplicateTimestamp { .. })
    ));
    assert!(matches!(
        stream.push(t0(), ok),
        Err(sli_core::Error::Unordered { .. })
    ));
    assert!(matches!(
        stream.push(t0() + TimeDelta::seconds(390), ok),
        Err(sli_core::Error::Misaligned { .. })
    ));
    assert_eq!(stream.last_time(), Some(t0() + TimeDelta::minutes(5)));
    stream.push(t0() + TimeDelta::minutes(6), ok).unwrap();
}

#[test]
fn windows_not_multiple_of_step_are_rejected() {
    let slo = Slo::new(
        "s",
        Objective::new(0.99).unwrap(),
        Window::rolling(Span::from_days(1).unwrap()),
        Sli::EventRatio,
    );
    let err = PolicyEvaluator::new(
        &slo,
        &AlertPolicy::workbook(),
        Span::from_seconds(7).unwrap(),
    )
    .unwrap_err();
    assert!(
        matches!(err, sli_core::Error::InvalidPolicy { .. }),
        "{err}"
    );
}

#[test]
fn missing_data_policies_differ_on_silence() {
    // Ten minutes of traffic, then silence: Bad fires on the silence, Good and Skip do not.
    let points: Vec<_> = (0..10)
        .map(|m| (m, 100.0, 100.0))
        .chain([(200, 100.0, 100.0)])
        .collect();
    let series = to_series(&points);
    let fired = |missing| {
        let mut slo = Slo::new(
            "s",
            Objective::new(0.99).unwrap(),
            Window::rolling(Span::from_days(30).unwrap()),
            Sli::EventRatio,
        );
        slo.missing_data = missing;
        PolicyEvaluator::new(
            &slo,
            &small_policy(None, PartialWindows::Evaluate),
            Span::MINUTE,
        )
        .unwrap()
        .sweep(&series)
        .unwrap()
    };
    assert!(!fired(MissingData::Bad).is_empty());
    assert!(fired(MissingData::Good).is_empty());
    assert!(fired(MissingData::Skip).is_empty());
}

/// A history far longer than the sweep keeps in memory (its prefix sums slide in chunks of
/// 32,768 slots), with incidents on both sides of several chunk boundaries and a long silence:
/// the batch sweep still equals the streaming evaluator.
#[test]
fn long_history_sliding_prefix_sums_equal_streaming() {
    let points: Vec<(i64, f64, f64)> = (0..150_000i64)
        .filter(|m| !(70_000..71_500).contains(m))
        .map(|m| {
            let total = 200.0 + (m % 13) as f64;
            let incident = [32_700, 65_500, 98_300, 131_000]
                .iter()
                .any(|&at| (at..at + 90).contains(&m));
            let bad = if incident {
                40.0
            } else {
                (m % 5 == 0) as u8 as f64
            };
            (m, total - bad, total)
        })
        .collect();
    let series = to_series(&points);
    let slo = Slo::new(
        "long",
        Objective::new(0.999).unwrap(),
        Window::rolling(Span::from_days(30).unwrap()),
        Sli::EventRatio,
    );
    for policy in [
        AlertPolicy::workbook(),
        small_policy(None, PartialWindows::NoData),
    ] {
        let evaluator = PolicyEvaluator::new(&slo, &policy, Span::MINUTE).unwrap();
        let batch = evaluator.sweep(&series).unwrap();
        assert!(batch.len() >= 4, "{batch:?}");
        assert_eq!(batch, streamed(&evaluator, &series));
    }
}

proptest! {
    /// Suppression by one-off maintenance windows (overlapping, nested, touching, in any
    /// order) agrees with a scan of every window, for every instant around their edges, and
    /// an alert is moved to the end of the maintenance chain a scan follows.
    #[test]
    fn maintenance_lookup_equals_a_scan(
        spans in prop::collection::vec((0i64..200, 1i64..60), 0..24),
        alert_ends in prop::collection::vec(prop::option::of(0i64..300), 1..8),
    ) {
        let at = |m: i64| t0() + TimeDelta::minutes(m);
        let intervals: Vec<sli_core::Interval> = spans
            .iter()
            .map(|&(start, len)| sli_core::Interval::new(at(start), at(start + len)).unwrap())
            .collect();
        let windows = sli_core::MaintenanceWindows::new(intervals.clone());
        let covering = |t| intervals.iter().filter(|w| w.contains(t)).map(|w| w.end()).max();
        for m in 0..270 {
            prop_assert_eq!(windows.is_suppressed(at(m)), covering(at(m)).is_some(), "minute {}", m);
        }
        for (i, end) in alert_ends.iter().enumerate() {
            let start = at(i as i64 * 37 % 260);
            let end = end.map(|e| at(e).max(start));
            let mut until = None;
            let mut probe = start;
            while let Some(e) = covering(probe) {
                until = Some(e);
                probe = e;
            }
            let alert = AlertInterval::new("tier", Severity::Page, start, end);
            let kept = windows.suppress(vec![alert.clone()]);
            match until {
                None => prop_assert_eq!(kept, vec![alert]),
                Some(u) if end.is_some_and(|e| e <= u) => prop_assert!(kept.is_empty()),
                Some(u) => {
                    prop_assert_eq!(kept.len(), 1);
                    prop_assert_eq!(kept[0].start, u);
                    prop_assert!(kept[0].suppressed);
                }
            }
        }
    }
}

/// 1,500 back-to-back one-minute windows and an alert inside them: dropped. The chain was
/// followed a thousand windows at most, so the alert came back mid-maintenance.
#[test]
fn a_long_chain_of_back_to_back_windows_is_one_maintenance() {
    let at = |m: i64| t0() + TimeDelta::minutes(m);
    let windows = sli_core::MaintenanceWindows::new(
        (0..1_500).map(|m| sli_core::Interval::new(at(m), at(m + 1)).unwrap()),
    );
    let alert = AlertInterval::new("tier", Severity::Page, at(5), Some(at(1_400)));
    assert_eq!(windows.suppress(vec![alert.clone()]), vec![]);
    let longer = AlertInterval::new("tier", Severity::Page, at(5), Some(at(1_600)));
    let kept = windows.suppress(vec![longer]);
    assert_eq!((kept[0].start, kept[0].suppressed), (at(1_500), true));
}

/// 2^53 events, then one bad event of one: the sweep summed 2^53 + 1 as 2^53, saw no event in
/// the last window and raised nothing, where streaming refuses the point; `burn_rates_at`
/// gave a burn of 0 for the same windows. All three now refuse it.
#[test]
fn events_past_two_to_the_53_are_refused_by_every_evaluator() {
    let slo = Slo::new(
        "x",
        Objective::new(0.999).unwrap(),
        Window::rolling(Span::from_days(30).unwrap()),
        Sli::EventRatio,
    )
    .with_missing_data(MissingData::Good);
    let tier = AlertTier::new(
        "t",
        Severity::Page,
        Span::from_minutes(5).unwrap(),
        Span::MINUTE,
        TierThreshold::BurnRate(1.0),
    );
    let policy = AlertPolicy::new(vec![tier]).with_partial_windows(PartialWindows::Evaluate);
    let evaluator = PolicyEvaluator::new(&slo, &policy, Span::MINUTE).unwrap();
    let max = 2f64.powi(53);
    let at = |m: i64| t0() + TimeDelta::minutes(m);
    for (dense, second) in [(false, at(10)), (true, at(1))] {
        let series = Series::from_counts([(t0(), max, max), (second, 0.0, 1.0)]).unwrap();
        assert!(
            matches!(
                evaluator.sweep(&series),
                Err(sli_core::Error::CountOverflow { .. })
            ),
            "dense {dense}"
        );
        assert!(matches!(
            evaluator.burn_rates_at(&series, second + TimeDelta::minutes(1)),
            Err(sli_core::Error::CountOverflow { .. })
        ));
        let mut stream = evaluator.streaming();
        stream.push(t0(), series.values()[0]).unwrap();
        assert!(stream.push(second, series.values()[1]).is_err());
    }
    // Exactly 2^53 is still within the bound, for all three.
    let exact = Series::from_counts([(t0(), max - 1.0, max - 1.0), (at(10), 0.0, 1.0)]).unwrap();
    let alerts = evaluator.sweep(&exact).unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert!(evaluator.burn_rates_at(&exact, at(11)).is_ok());
    let mut stream = evaluator.streaming();
    for (t, counts) in exact.iter() {
        stream.push(t, *counts).unwrap();
    }
}

/// Chains longer than a week are refused by `validate`, as one window of that length is: 52
/// back-to-back weeks (each within the cap) switched alerts off for a year, and two daily
/// windows of 12 hours covered all time, which `suppress` ended after its 1,000 steps as if
/// the maintenance were over.
#[test]
fn maintenance_chains_longer_than_a_week_are_refused() {
    use chrono::NaiveTime;
    use sli_core::{Interval, MaintenanceError, MaintenanceWindows, RecurringWindow, Zone};
    let week =
        |k: i64| Interval::new(t0() + TimeDelta::weeks(k), t0() + TimeDelta::weeks(k + 1)).unwrap();
    let never = |w: &MaintenanceWindows| {
        matches!(
            w.validate(),
            Err(MaintenanceError::NeverEnds { field: "end", .. })
        )
    };
    assert!(MaintenanceWindows::new([week(0)]).validate().is_ok());
    assert!(never(&MaintenanceWindows::new((0..52).map(week))));
    // Overlapping halves of eight days.
    let overlapping = MaintenanceWindows::new([
        Interval::new(t0(), t0() + TimeDelta::days(5)).unwrap(),
        Interval::new(t0() + TimeDelta::days(3), t0() + TimeDelta::days(8)).unwrap(),
    ]);
    assert!(never(&overlapping));
    let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let half_day = Span::from_hours(12).unwrap();
    let morning = RecurringWindow::daily(at(0), half_day, Zone::UTC).unwrap();
    let evening = RecurringWindow::daily(at(12), half_day, Zone::UTC).unwrap();
    let both = MaintenanceWindows::new([])
        .with_recurring(morning.clone())
        .with_recurring(evening);
    assert!(never(&both));
    let nightly = RecurringWindow::daily(at(1), Span::from_hours(2).unwrap(), Zone::UTC).unwrap();
    assert!(
        MaintenanceWindows::new([week(0)])
            .with_recurring(nightly)
            .validate()
            .is_ok()
    );
    // A one-off window that joins a recurring one past a week.
    let six_days = Interval::new(t0() + TimeDelta::hours(12), t0() + TimeDelta::days(7)).unwrap();
    assert!(never(
        &MaintenanceWindows::new([six_days]).with_recurring(morning)
    ));
    // One-off windows linked by recurring occurrences: each day's window ends where the next
    // day's occurrence starts (found by the review: checked one by one, each passed).
    let first_hour = RecurringWindow::daily(at(0), Span::HOUR, Zone::UTC).unwrap();
    let days = |n: i64| {
        MaintenanceWindows::new((0..n).map(|k| {
            Interval::new(
                t0() + TimeDelta::days(k) + TimeDelta::hours(1),
                t0() + TimeDelta::days(k + 1),
            )
            .unwrap()
        }))
        .with_recurring(first_hour.clone())
    };
    assert!(days(6).validate().is_ok());
    assert!(never(&days(10)));
    // A chain within a week but of more windows than `suppress` follows: 1,001 back-to-back
    // minutes, each a daily window.
    let minutes = (0..1_001u32).fold(MaintenanceWindows::new([]), |w, m| {
        let start = NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap();
        w.with_recurring(RecurringWindow::daily(start, Span::MINUTE, Zone::UTC).unwrap())
    });
    assert!(never(&minutes));
}
