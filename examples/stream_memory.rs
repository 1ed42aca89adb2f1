//! Streams N one-minute datapoints through the streaming evaluator without keeping them, to show
//! that its memory does not grow with history: run it for several N under `/usr/bin/time -v`
//! and compare the maximum resident set sizes (see docs/performance.md).
//!
//! Run: `cargo run --release -p sre-examples --example stream_memory -- 10000000`

use std::error::Error;

use chrono::{TimeDelta, TimeZone, Utc};
use sli_core::{AlertPolicy, AlertUpdate, EventCounts, PolicyEvaluator, Span, catalog};

fn main() -> Result<(), Box<dyn Error>> {
    let points: u64 = std::env::args()
        .nth(1)
        .map_or(Ok(1_000_000), |n| n.parse())?;
    let slo = catalog::availability("stream");
    let mut stream = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE)?.streaming();
    let t0 = Utc
        .with_ymd_and_hms(2000, 1, 1, 0, 0, 0)
        .single()
        .ok_or("bad start")?;
    let (mut fired, mut at) = (0u64, t0);
    for m in 0..points {
        // Daily traffic, a 30-minute incident every ten days.
        let total = 500.0 + (m % 1440) as f64 / 4.0;
        let bad = if m % 14_400 < 30 {
            total * 0.1
        } else {
            (m % 7) as f64 * 0.01
        };
        for update in stream.push(at, EventCounts::from_bad(bad.floor(), total)?)? {
            fired += u64::from(matches!(update, AlertUpdate::Fired(_)));
        }
        at += TimeDelta::minutes(1);
    }
    let budget = stream.budget().map_or(f64::NAN, |b| b.remaining_fraction());
    println!(
        "{points} points, {fired} alerts fired, {:.1}% budget left at {}",
        100.0 * budget,
        at - TimeDelta::minutes(1)
    );
    Ok(())
}
