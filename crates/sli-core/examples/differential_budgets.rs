//! Writes random error-budget, burn-rate and composite cases, with sli-core's answers, as JSON
//! lines for `tools/differential/budgets.py`, which recomputes each with exact rationals
//! (`fractions.Fraction`) from the decimal targets and whole counts, and measures the error.
//!
//! `cargo run -p sli-core --example differential_budgets -- <seed> <cases> > cases.jsonl`

#[path = "differential/rng.rs"]
mod rng;

use chrono::{DateTime, TimeDelta};
use rng::Rng;
use serde_json::json;
use sli_core::{
    BurnRate, Composite, ErrorBudget, EventCounts, Objective, Series, Sli, Slo, Span, Window,
};

/// Targets as people write them, from 90 % to six nines.
const TARGETS: &[&str] = &[
    "0.9", "0.95", "0.99", "0.995", "0.999", "0.9995", "0.9999", "0.99995", "0.99999", "0.999999",
    "0.98", "0.997", "0.9975", "0.99975",
];

/// Whole counts: totals of every magnitude up to 10^12, and bad counts near the budget (an
/// exactly spent budget is common with round traffic) or anywhere below the total.
fn counts(rng: &mut Rng, target: &str) -> (f64, f64) {
    let total = 10_f64.powi(rng.below(13) as i32) * (1 + rng.below(9)) as f64;
    let digits = target.len() as i32 - 2;
    let allowed =
        total / 10_f64.powi(digits) * (10_f64.powi(digits) * (1.0 - target_f(target))).round();
    let bad = match rng.below(3) {
        0 => allowed.round() + rng.below(3) as f64 - 1.0,
        1 => (allowed * (1 + rng.below(20)) as f64).round(),
        _ => rng.below(total as u64 + 1) as f64,
    };
    (total - bad.clamp(0.0, total), total)
}

fn target_f(text: &str) -> f64 {
    text.parse().unwrap_or(0.5)
}

fn main() -> Result<(), sli_core::Error> {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let cases: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let mut rng = Rng(seed);
    let t0 = DateTime::from_timestamp(1_714_521_600, 0).unwrap_or_default();
    let window = Window::rolling(Span::from_days(30)?);
    for _ in 0..cases {
        let target = TARGETS[rng.below(TARGETS.len() as u64) as usize];
        let objective = Objective::new(target_f(target))?;
        let (good, total) = counts(&mut rng, target);
        let budget = ErrorBudget::for_events(objective, EventCounts::new(good, total)?);
        let burn = BurnRate::from_counts(EventCounts::new(good, total)?, objective);
        let slo = Slo::new("s", objective, window, Sli::EventRatio);
        let report = slo.report(
            &Series::from_counts([(t0, good, total)])?,
            t0 + TimeDelta::hours(1),
        )?;
        println!(
            "{}",
            json!({"kind": "budget", "target": target, "good": good, "total": total,
                   "error_budget": objective.error_budget(),
                   "allowed": budget.map(|b| b.allowed()),
                   "consumed_fraction": budget.map(|b| b.consumed_fraction()),
                   "remaining_fraction": budget.map(|b| b.remaining_fraction()),
                   "exhausted": budget.map(|b| b.is_exhausted()),
                   "burn": burn.map(BurnRate::get),
                   "report_burn": report.burn_rate, "report_met": report.met})
        );
        // A composite of two or three components with small whole weights.
        let n = 2 + rng.below(2) as usize;
        let mut parts = Vec::new();
        let mut series = Vec::new();
        for i in 0..n {
            let target = TARGETS[rng.below(TARGETS.len() as u64) as usize];
            let (good, total) = counts(&mut rng, target);
            let weight = (1 + rng.below(4)) as f64;
            parts.push((target, good, total, weight));
            let slo = Slo::new(
                format!("c{i}"),
                Objective::new(target_f(target))?,
                window,
                Sli::EventRatio,
            );
            series.push((slo, weight, Series::from_counts([(t0, good, total)])?));
        }
        let composite = Composite::new(series.iter().map(|(s, w, _)| (s.clone(), *w)).collect())?;
        let refs: Vec<&Series<EventCounts>> = series.iter().map(|(_, _, s)| s).collect();
        let r = composite.report(&refs, t0 + TimeDelta::hours(1))?;
        println!(
            "{}",
            json!({"kind": "composite", "parts": parts, "attainment": r.attainment,
                   "target": r.target, "budget_consumed": r.budget_consumed, "met": r.met})
        );
    }
    for _ in 0..cases / 4 {
        slices(&mut rng, t0)?;
    }
    Ok(())
}

/// A time-slice case: a minute series with gaps and empty minutes, a window that cuts it, a
/// slice of 1 to 10 minutes, and each budgeting method and missing-data policy.
fn slices(rng: &mut Rng, t0: DateTime<chrono::Utc>) -> Result<(), sli_core::Error> {
    let mut points = Vec::new();
    let mut minute = 0_i64;
    for _ in 0..1 + rng.below(60) {
        minute += 1 + if rng.below(4) == 0 {
            rng.below(15) as i64
        } else {
            0
        };
        let total = if rng.below(8) == 0 {
            0.0
        } else {
            (1 + rng.below(1000)) as f64
        };
        let bad = match rng.below(3) {
            0 => 0.0,
            1 => (total * 0.01).round(),
            _ => rng.below(total as u64 + 1) as f64,
        };
        points.push((minute, total - bad, total));
    }
    let series = Series::from_counts(
        points
            .iter()
            .map(|&(m, g, t)| (t0 + TimeDelta::minutes(m), g, t)),
    )?;
    let start = rng.below(minute as u64 + 1) as i64;
    let end = start + 1 + rng.below(minute as u64 + 10) as i64;
    let window =
        sli_core::Interval::new(t0 + TimeDelta::minutes(start), t0 + TimeDelta::minutes(end))?;
    let slice = Span::from_minutes(1 + rng.below(10) as i64)?;
    let slice_target = *rng.pick(&["0.9", "0.99", "0.95", "0.999", "0.5", "1"]);
    let missing = *rng.pick(&[
        sli_core::MissingData::Good,
        sli_core::MissingData::Bad,
        sli_core::MissingData::Skip,
    ]);
    for method in [
        sli_core::BudgetingMethod::Timeslices {
            slice,
            slice_target: target_f(slice_target),
        },
        sli_core::BudgetingMethod::RatioTimeslices { slice },
    ] {
        let a = method.attainment(&series, window, missing)?;
        println!(
            "{}",
            json!({"kind": "slices", "method": method.to_string(), "slice": slice.seconds() / 60,
                   "slice_target": slice_target, "missing": format!("{missing:?}"),
                   "window": [start, end], "points": points, "good": a.good, "total": a.total})
        );
    }
    Ok(())
}
