//! `sli-core`'s serde types read from arbitrary JSON (the first byte picks the type): each is
//! refused with an error, or is a value that writes back to JSON that reads back to the same
//! text (what a service stores, it can load again). SLOs and alert policies read together are
//! then evaluated: refused by `PolicyEvaluator::new` with a typed error, or swept and streamed
//! over a short series with a burst and a gap, giving the same alerts, finite burn rates and
//! a finite budget; a maintenance calendar read is validated and asked about a month.
#![no_main]

use chrono::{TimeDelta, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sli_core::{
    AlertGroup, AlertPolicy, AlertUpdate, BurnRate, CalendarWindow, Composite, Deploy,
    ErrorBudgetPolicy, Interval, MaintenanceWindows, Objective, PolicyEvaluator, ReleaseGate,
    Routing, Series, Slo, Span, Sustained, Window, Zone,
};

/// `text` as a `T`, and if it is one, its JSON read back to the same JSON.
fn read<T: Serialize + DeserializeOwned>(text: &str) -> Option<T> {
    let value: T = serde_json::from_str(text).ok()?;
    let json = serde_json::to_string(&value).expect("an accepted value does not serialise");
    let again: T = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("{json} (written from an accepted value) is refused: {e}"));
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        json,
        "a value read back differs"
    );
    Some(value)
}

/// Sweeps `slo` under `policy` over a short series and streams it: same alerts, finite
/// numbers.
fn evaluate(slo: &Slo, policy: &AlertPolicy) {
    let Ok(evaluator) = PolicyEvaluator::new(slo, policy, Span::MINUTE) else {
        return;
    };
    let t0 = Utc.with_ymd_and_hms(2024, 2, 28, 22, 0, 0).unwrap();
    let points = (0..400i64).filter(|m| !(200..230).contains(m)).map(|m| {
        let bad = if (100..140).contains(&m) { 60.0 } else { 1.0 };
        (t0 + TimeDelta::minutes(m), 100.0 - bad, 100.0)
    });
    let series = Series::from_counts(points).unwrap();
    let Ok(swept) = evaluator.sweep(&series) else {
        return;
    };
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

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match which % 16 {
        0 => {
            if let Some((slo, policy)) = read::<(Slo, AlertPolicy)>(text) {
                evaluate(&slo, &policy);
            }
        }
        1 => {
            if let Some(slo) = read::<Slo>(text) {
                evaluate(&slo, &AlertPolicy::workbook());
            }
        }
        2 => {
            if let Some(policy) = read::<AlertPolicy>(text) {
                evaluate(&sli_core::catalog::availability("fuzz"), &policy);
            }
        }
        3 => {
            if let Some(windows) = read::<MaintenanceWindows>(text) {
                if windows.validate().is_ok() {
                    let t0 = Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap();
                    for hour in 0..24 * 31 {
                        let _ = windows.is_suppressed(t0 + TimeDelta::hours(hour));
                    }
                }
            }
        }
        4 => {
            let _ = read::<Composite>(text);
        }
        5 => {
            let _ = read::<ReleaseGate>(text);
        }
        6 => {
            let _ = read::<Deploy>(text);
        }
        7 => {
            let _ = read::<Window>(text);
        }
        8 => {
            let _ = read::<CalendarWindow>(text);
        }
        9 => {
            let _ = read::<Interval>(text);
        }
        10 => {
            if let Some(zone) = read::<Zone>(text) {
                let _ = zone.offset_at(Utc.with_ymd_and_hms(2024, 3, 31, 1, 30, 0).unwrap());
            }
        }
        11 => {
            let _ = read::<Sustained>(text);
        }
        12 => {
            let _ = read::<AlertGroup<String>>(text);
        }
        13 => {
            let _ = read::<Routing>(text);
        }
        14 => {
            let _ = read::<ErrorBudgetPolicy>(text);
        }
        _ => {
            let _ = read::<Objective>(text);
            let _ = read::<BurnRate>(text);
        }
    }
});
