//! `PolicyEvaluator::burn_rates_at` against the streaming evaluator: the same burns, bit for
//! bit, at every instant of random series (gaps, silences, fractional counts, calendar SLOs).

// Test code: a failed expectation should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use sli_core::{
    AlertPolicy, AlertTier, CalendarPeriod, Error, EventCounts, Objective, PolicyEvaluator, Series,
    Severity, Sli, Slo, Span, TierThreshold, Window, catalog,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
}

/// Short windows, so that small series cover every case: windows full, partial, past a gap.
fn small_policy() -> AlertPolicy {
    let m = |k| Span::from_minutes(k).unwrap();
    AlertPolicy::new(vec![
        AlertTier::new(
            "a",
            Severity::Page,
            m(10),
            m(2),
            TierThreshold::BurnRate(8.0),
        ),
        AlertTier::new(
            "b",
            Severity::Ticket,
            m(60),
            m(10),
            TierThreshold::BurnRate(1.0),
        ),
    ])
}

/// What a streaming evaluator reports at `at`: every point stamped before `at` pushed, then,
/// when the last of them ends before `at`, an empty step ending at `at` (a gap is a run of
/// empty steps, so this is the same state as time passing without data).
fn streamed_at(
    evaluator: &PolicyEvaluator,
    series: &Series<EventCounts>,
    at: DateTime<Utc>,
) -> Vec<sli_core::WindowBurn> {
    let step = evaluator.step().as_time_delta();
    let mut stream = evaluator.streaming();
    let mut last = None;
    for (t, counts) in series.iter().take_while(|(t, _)| *t < at) {
        stream.push(t, *counts).unwrap();
        last = Some(t);
    }
    if let Some(last) = last
        && last + step < at
    {
        stream.push(at - step, EventCounts::ZERO).unwrap();
    }
    stream.burn_rates()
}

/// Points `gap` steps apart (mostly 1–3, sometimes hours), some empty, some with fractional
/// bad counts.
fn points() -> impl Strategy<Value = Vec<(i64, f64, f64)>> {
    let gap = prop_oneof![20 => 1i64..=3, 1 => 60i64..=400];
    let point = (gap, 0u32..=200, 0u32..=100, 0u32..=3);
    prop::collection::vec(point, 1..150).prop_map(|raw| {
        let mut minute = 0;
        raw.into_iter()
            .map(|(gap, total, bad_pct, fraction)| {
                minute += gap;
                let total = f64::from(total);
                let bad =
                    (total * f64::from(bad_pct) / 100.0 + f64::from(fraction) / 4.0).min(total);
                (minute, total - bad, total)
            })
            .collect()
    })
}

fn series_of(points: &[(i64, f64, f64)]) -> Series<EventCounts> {
    Series::from_counts(
        points
            .iter()
            .map(|&(m, good, total)| (t0() + TimeDelta::minutes(m), good, total)),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn burn_rates_at_equal_the_streaming_evaluators(
        points in points(),
        calendar in any::<bool>(),
        probes in prop::collection::vec(0usize..10_000, 4),
    ) {
        // A one-day rolling SLO (or a calendar month): the streaming evaluator's ring holds a
        // day of steps, so that hundreds of them stay cheap.
        let mut slo = Slo::new(
            "api",
            Objective::new(0.999).unwrap(),
            Window::rolling(Span::DAY),
            Sli::EventRatio,
        );
        if calendar {
            slo.window = Window::calendar(CalendarPeriod::Month);
        }
        let evaluator = PolicyEvaluator::new(&slo, &small_policy(), Span::MINUTE).unwrap();
        let series = series_of(&points);
        let step = TimeDelta::minutes(1);
        let first = series.first_time();
        let end = series.last_time() + TimeDelta::minutes(70);
        let instants = (end - first).num_minutes() + 2;
        // Every instant, against one streaming evaluator walked forward a step at a time (a
        // step without a point pushed as an empty one, which is what a gap is).
        let mut stream = evaluator.streaming();
        let mut next = series.iter().peekable();
        prop_assert_eq!(
            evaluator.burn_rates_at(&series, first - step).unwrap(),
            stream.burn_rates()
        );
        for k in 0..instants - 1 {
            let t = first + step * k as i32;
            match next.peek() {
                Some(&(pt, counts)) if pt == t => {
                    stream.push(t, *counts).unwrap();
                    next.next();
                }
                _ => {
                    stream.push(t, EventCounts::ZERO).unwrap();
                }
            }
            let at = t + step;
            prop_assert_eq!(
                evaluator.burn_rates_at(&series, at).unwrap(),
                stream.burn_rates(),
                "at {}",
                at
            );
        }
        // A few instants against a fresh evaluator fed only the series' own points.
        for probe in probes {
            let at = first + step * (probe as i64 % instants) as i32;
            prop_assert_eq!(
                evaluator.burn_rates_at(&series, at).unwrap(),
                streamed_at(&evaluator, &series, at),
                "at {}",
                at
            );
        }
    }
}

#[test]
fn the_workbook_windows_at_the_end_of_a_day() {
    // The default policy's seven windows, worked by hand: a 99.9 % SLO (budget 0.001), a day of
    // 1,000 requests a minute, and 30 bad requests in each of the last 3 minutes.
    let slo = catalog::availability("checkout");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE).unwrap();
    let series = Series::from_counts((0..1440).map(|m| {
        let bad = if m >= 1437 { 30.0 } else { 0.0 };
        (t0() + TimeDelta::minutes(m), 1000.0 - bad, 1000.0)
    }))
    .unwrap();
    let at = t0() + TimeDelta::days(1);
    let burns = evaluator.burn_rates_at(&series, at).unwrap();
    let got: Vec<(i64, f64)> = burns
        .iter()
        .map(|w| (w.window.seconds() / 60, w.burn.unwrap()))
        .collect();
    // 90 bad requests; a window of w minutes holds 1,000 × w requests (the 3-day window holds
    // the whole day, 1,440 minutes), so its burn is 90 / (1,000 w) / 0.001 = 90 / w.
    let want = [
        (5, 18.0),
        (30, 3.0),
        (60, 1.5),
        (120, 0.75),
        (360, 0.25),
        (1440, 0.0625),
        (4320, 0.0625),
    ];
    assert_eq!(got.len(), want.len());
    for ((w, burn), (ww, wburn)) in got.iter().zip(want) {
        assert_eq!(*w, ww);
        assert!((burn - wburn).abs() < 1e-9, "{w} min: {burn} vs {wburn}");
    }
    // Ten minutes later, with no data since: the 5-minute window is empty (no data), the
    // 30-minute one holds the 90 bad requests and 20,000 requests.
    let later = evaluator
        .burn_rates_at(&series, at + TimeDelta::minutes(10))
        .unwrap();
    assert_eq!(later[0].burn, None);
    assert!((later[1].burn.unwrap() - 90.0 / 20_000.0 / 0.001).abs() < 1e-9);
}

#[test]
fn instants_off_the_grid_are_refused() {
    let slo = Slo::new(
        "x",
        Objective::new(0.99).unwrap(),
        Window::rolling(Span::from_days(1).unwrap()),
        Sli::EventRatio,
    );
    let evaluator = PolicyEvaluator::new(&slo, &small_policy(), Span::MINUTE).unwrap();
    let series = series_of(&[(0, 1.0, 1.0), (1, 1.0, 1.0)]);
    assert!(matches!(
        evaluator.burn_rates_at(&series, t0() + TimeDelta::seconds(90)),
        Err(Error::Misaligned { .. })
    ));
    // Before the first point is known, every window is empty.
    let before = evaluator.burn_rates_at(&series, t0()).unwrap();
    assert!(before.iter().all(|w| w.burn.is_none()));
    assert_eq!(
        evaluator
            .burn_rates_at(&series, t0() - TimeDelta::hours(1))
            .unwrap(),
        before
    );
}
