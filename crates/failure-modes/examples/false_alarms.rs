//! False alarms of the generic [`AnomalyDetector`] on clean series, default settings, 5-minute
//! points: i.i.d. Gaussian noise, and a daily sine plus the same noise. Alerts per
//! detector-week after the first week (warm-up, and a record window not yet full), over
//! several seeds (`Rng::normal`, σ = 1 around 100; the sine's amplitude is 10).
//!
//! `cargo run -p failure-modes --example false_alarms [seeds] [weeks]`
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use failure_modes::scenarios::Rng;
use failure_modes::{AnomalyConfig, AnomalyDetector, AnomalyKind};

const WEEK: u64 = 2016;

/// Spikes and level shifts after the first week, for one seed.
fn alerts(seed: u64, weeks: u64, shape: impl Fn(u64) -> f64) -> (usize, usize) {
    let mut rng = Rng::new(seed);
    let mut detector = AnomalyDetector::new(AnomalyConfig::default()).unwrap();
    let alerts: Vec<_> = (0..(weeks + 1) * WEEK)
        .filter_map(|i| detector.push(shape(i) + rng.normal()).unwrap())
        .filter(|a| a.index >= WEEK)
        .collect();
    let spikes = alerts
        .iter()
        .filter(|a| matches!(a.kind, AnomalyKind::Spike { .. }))
        .count();
    (spikes, alerts.len() - spikes)
}

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>().unwrap());
    let seeds = args.next().unwrap_or(10);
    let weeks = args.next().unwrap_or(8);
    let sine = |i: u64| 100.0 + 10.0 * (std::f64::consts::TAU * (i % 288) as f64 / 288.0).sin();
    for (name, shape) in [
        ("gaussian", &(|_| 100.0) as &dyn Fn(u64) -> f64),
        ("daily sine + gaussian", &sine),
    ] {
        let per_seed: Vec<(usize, usize)> = (0..seeds).map(|s| alerts(s, weeks, shape)).collect();
        let spikes: usize = per_seed.iter().map(|c| c.0).sum();
        let shifts: usize = per_seed.iter().map(|c| c.1).sum();
        let totals: Vec<usize> = per_seed.iter().map(|c| c.0 + c.1).collect();
        let weeks = (seeds * weeks) as f64;
        println!(
            "{name}: {} alerts ({spikes} spikes, {shifts} shifts) in {weeks} detector-weeks = \
             {:.2} per week (spikes {:.2}, shifts {:.2}); per seed: {totals:?}",
            spikes + shifts,
            (spikes + shifts) as f64 / weeks,
            spikes as f64 / weeks,
            shifts as f64 / weeks,
        );
    }
}
