//! Differential: `PolicyEvaluator::sweep` (a block sweep over every slot for a dense series,
//! the streaming evaluator for a sparse one) against the streaming evaluator fed one point at
//! a time, on series built from fuzz input (gaps, zero traffic, bursts, fractional counts),
//! SLO windows, missing-data policies, minimum events and sustain rules. They must give the
//! same alerts, bit for bit; the budget and burn rates must stay finite and within range.
#![no_main]

use chrono::{TimeDelta, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use sli_core::{
    AlertPolicy, AlertTier, AlertUpdate, CalendarPeriod, MissingData, Objective, PartialWindows,
    PolicyEvaluator, Series, Severity, Sli, Slo, Span, Sustained, TierThreshold, Window,
};

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let (Some(a), Some(b), Some(c)) = (input.u8(), input.u8(), input.u8()) else {
        return;
    };
    let target = [0.9, 0.99, 0.999, 0.9999][usize::from(a % 4)];
    let window = match (a / 4) % 4 {
        0 => Window::rolling(Span::from_hours(6).unwrap()),
        1 => Window::rolling(Span::from_days(30).unwrap()),
        2 => Window::calendar(CalendarPeriod::Day),
        _ => Window::calendar(CalendarPeriod::Month),
    };
    let mut slo = Slo::new(
        "fuzz",
        Objective::new(target).unwrap(),
        window,
        Sli::EventRatio,
    );
    slo.missing_data = [MissingData::Good, MissingData::Bad, MissingData::Skip][usize::from(b % 3)];
    slo.min_events = [0.0, 1.0, 25.0][usize::from((b / 3) % 3)];
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
    if c % 2 == 0 {
        tiers[1].sustain = Some(Sustained::new(1 + u32::from(c / 2 % 3), 3).unwrap());
    }
    let partial_windows = if c / 8 % 2 == 0 {
        PartialWindows::NoData
    } else {
        PartialWindows::Evaluate
    };
    let policies = [
        AlertPolicy::new(tiers).with_partial_windows(partial_windows),
        AlertPolicy::workbook().with_partial_windows(partial_windows),
    ];
    // Points: a gap (mostly one step), a total and a bad share.
    let t0 = Utc.with_ymd_and_hms(2024, 1, 31, 22, 0, 0).unwrap();
    let mut slot = 0i64;
    let mut points = Vec::new();
    while let (Some(gap), Some(total), Some(bad)) = (input.u8(), input.u8(), input.u8()) {
        if !points.is_empty() {
            slot += match gap % 16 {
                0..=11 => 1,
                12 | 13 => i64::from(gap),
                14 => 600 + 7 * i64::from(gap),
                _ => 20_000,
            };
        }
        let total = f64::from(total) * if bad % 5 == 0 { 0.5 } else { 1.0 };
        let bad = (total * f64::from(bad) / 255.0).min(total);
        points.push((t0 + TimeDelta::minutes(slot), total - bad, total));
        if points.len() >= 1_500 {
            break;
        }
    }
    if points.is_empty() {
        return;
    }
    let series = Series::from_counts(points).unwrap();
    for policy in &policies {
        let evaluator = PolicyEvaluator::new(&slo, policy, Span::MINUTE).unwrap();
        let swept = evaluator.sweep(&series).unwrap();
        let mut stream = evaluator.streaming();
        let mut streamed = Vec::new();
        for (at, counts) in series.iter() {
            for update in stream.push(at, *counts).unwrap() {
                if let AlertUpdate::Resolved(done) = update {
                    streamed.push(done.clone());
                }
            }
        }
        streamed.extend(stream.firing().cloned());
        streamed.sort_by_key(|a| (a.start, policy.tiers.iter().position(|t| t.id == a.tier)));
        assert_eq!(swept, streamed, "sweep and streaming disagree");
        for burn in stream.burn_rates() {
            assert!(
                burn.burn.is_none_or(|b| b.is_finite() && b >= 0.0),
                "{burn:?}"
            );
        }
        if let Some(budget) = stream.budget() {
            let left = budget.remaining_fraction();
            assert!(left.is_finite() && left <= 1.0, "{left}");
        }
    }
});
