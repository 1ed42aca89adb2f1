//! Writes random multi-window multi-burn-rate cases (a count series with gaps, a policy), with
//! the alerts of `PolicyEvaluator::sweep` and of the streaming evaluator, as JSON lines for
//! `tools/differential/alerts.py`, which re-derives the alerts from the documented semantics.
//!
//! `cargo run -p sli-core --example differential_alerts -- <seed> <cases> > cases.jsonl`

#[path = "differential/rng.rs"]
mod rng;

use chrono::{DateTime, TimeDelta, Utc};
use rng::Rng;
use serde_json::{Value, json};
use sli_core::{
    AlertInterval, AlertPolicy, AlertTier, AlertUpdate, EventCounts, MissingData, Objective,
    PartialWindows, PolicyEvaluator, Series, Severity, Sli, Slo, Span, Sustained, TierThreshold,
    Window,
};

const TARGETS: &[&str] = &[
    "0.9", "0.99", "0.995", "0.999", "0.9995", "0.9999", "0.99999",
];
const RATES: &[&str] = &["1", "2", "3", "6", "14.4", "0.5", "1.5", "10", "36"];

fn alert_json(a: &AlertInterval) -> Value {
    json!([
        a.tier,
        a.start.timestamp(),
        a.end.map(|e| e.timestamp()),
        a.long_burn,
        a.short_burn,
        a.peak_burn
    ])
}

fn main() -> Result<(), sli_core::Error> {
    let mut args = std::env::args().skip(1);
    let seed: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    let cases: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1_000);
    let mut rng = Rng(seed);
    let t0 = DateTime::<Utc>::from_timestamp(1_714_521_600, 0).unwrap_or_default();
    let step = Span::MINUTE;
    for _ in 0..cases {
        let target = *rng.pick(TARGETS);
        let objective = Objective::new(target.parse().unwrap_or(0.999))?;
        let slo_days = *rng.pick(&[1_i64, 7, 30]);
        let missing = *rng.pick(&[MissingData::Good, MissingData::Bad, MissingData::Skip]);
        let min_events = *rng.pick(&[0.0, 0.0, 1.0, 50.0]);
        let slo = Slo::new(
            "s",
            objective,
            Window::rolling(Span::from_days(slo_days)?),
            Sli::EventRatio,
        )
        .with_missing_data(missing)
        .with_min_events(min_events);
        let mut tiers = Vec::new();
        let mut tier_json = Vec::new();
        for i in 0..1 + rng.below(3) {
            let long = 2 + rng.below(40) as i64;
            let short = 1 + rng.below(long as u64 - 1) as i64;
            let (threshold, text) = if rng.below(3) == 0 {
                let f = *rng.pick(&["0.02", "0.05", "0.1", "0.001"]);
                (
                    TierThreshold::BudgetConsumed(f.parse().unwrap_or(0.02)),
                    json!({"budget": f}),
                )
            } else {
                let r = *rng.pick(RATES);
                (
                    TierThreshold::BurnRate(r.parse().unwrap_or(1.0)),
                    json!({"rate": r}),
                )
            };
            let mut tier = AlertTier::new(
                format!("t{i}"),
                Severity::Page,
                Span::from_minutes(long)?,
                Span::from_minutes(short)?,
                threshold,
            );
            let mut sustain = Value::Null;
            if rng.below(3) == 0 {
                let m = 1 + rng.below(5) as u32;
                let n = 1 + rng.below(u64::from(m)) as u32;
                tier = tier.with_sustain(Sustained::new(n, m)?);
                sustain = json!([n, m]);
            }
            tiers.push(tier);
            tier_json.push(json!({"id": format!("t{i}"), "long": long, "short": short,
                                  "threshold": text, "sustain": sustain}));
        }
        let partial = *rng.pick(&[PartialWindows::NoData, PartialWindows::Evaluate]);
        let policy = AlertPolicy::new(tiers).with_partial_windows(partial);
        // A series with gaps, quiet stretches, and bursts of errors at rates around the
        // thresholds, often in round numbers (ties between burn rate and threshold).
        let mut points = Vec::new();
        let mut slot = 0_i64;
        let mut rate = 0.0_f64;
        for _ in 0..20 + rng.below(200) {
            slot += if rng.below(6) == 0 {
                1 + rng.below(30) as i64
            } else {
                1
            };
            if rng.below(8) == 0 {
                rate = match rng.below(4) {
                    0 => 0.0,
                    1 => 1.0,
                    _ => rng.below(200) as f64 / 1000.0,
                };
            }
            let total = match rng.below(10) {
                0 => 0.0,
                1 => (1 + rng.below(10)) as f64,
                _ => (100 * (1 + rng.below(20))) as f64,
            };
            let bad = (total * rate).round().min(total);
            points.push((slot, total - bad, total));
        }
        let series = Series::from_counts(
            points
                .iter()
                .map(|&(k, good, total)| (t0 + TimeDelta::minutes(k), good, total)),
        )?;
        let evaluator = match PolicyEvaluator::new(&slo, &policy, step) {
            Ok(e) => e,
            Err(_) => continue,
        };
        let swept: Vec<Value> = evaluator.sweep(&series)?.iter().map(alert_json).collect();
        let mut stream = evaluator.streaming();
        let mut streamed = Vec::new();
        for (at, counts) in series.iter() {
            for update in stream.push(at, *counts)? {
                if let AlertUpdate::Resolved(done) = update {
                    streamed.push(done.clone());
                }
            }
        }
        streamed.extend(stream.firing().cloned());
        streamed.sort_by(|a, b| (a.start, &a.tier).cmp(&(b.start, &b.tier)));
        let streamed: Vec<Value> = streamed.iter().map(alert_json).collect();
        let _ = EventCounts::ZERO;
        println!(
            "{}",
            json!({"target": target, "slo_days": slo_days, "missing": format!("{missing:?}"),
                   "min_events": min_events, "partial": format!("{partial:?}"),
                   "tiers": tier_json, "t0": t0.timestamp(), "step": 60,
                   "points": points, "sweep": swept, "stream": streamed})
        );
    }
    Ok(())
}
