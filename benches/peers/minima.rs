//! The generic `AnomalyDetector` timed for A/B comparisons on a shared, noisy machine: the
//! bench's series (`parts/anomaly_detector`: 100,000 points) cut into chunks of 2,000 points and
//! the fleet's kind of series (2,000 of the 10,000, 1,440 points each, a fresh detector each)
//! timed one by one, each chunk or series keeping its fastest of several runs. A chunk lasts
//! about 0.2 ms, less than a scheduler's time slice, so its minimum is what an idle core gives;
//! criterion's means, on a machine whose other core is busy and whose load is above 2, move by
//! 10 % between two runs of one binary.
//!
//! Run the binaries of the two versions alternately:
//! `cargo run --release -p sre-benches --bin minima -- [runs]`.

// A measurement program: failures stop it loudly.
#![allow(clippy::unwrap_used, missing_docs)]

use std::time::Instant;

use failure_modes::{AnomalyConfig, AnomalyDetector};
use sre_benches::cpu_series;

/// Pushes `values` into `detector`, returning the seconds taken and the alerts raised.
fn timed(detector: &mut AnomalyDetector, values: &[f64]) -> (f64, usize) {
    let start = Instant::now();
    let alerts = values
        .iter()
        .filter(|&&v| detector.push(v).unwrap().is_some())
        .count();
    (start.elapsed().as_secs_f64(), alerts)
}

fn main() {
    let runs: usize = std::env::args().nth(1).map_or(20, |r| r.parse().unwrap());
    const CHUNK: usize = 2000;
    let values = cpu_series(1, 100_000);
    let fleet: Vec<Vec<f64>> = (0..2000).map(|s| cpu_series(s, 1440)).collect();
    let mut chunk_best = vec![f64::INFINITY; values.len() / CHUNK];
    let mut series_best = vec![f64::INFINITY; fleet.len()];
    let mut alerts = 0;
    for _ in 0..runs {
        let mut detector = AnomalyDetector::new(AnomalyConfig::default()).unwrap();
        for (best, chunk) in chunk_best.iter_mut().zip(values.chunks_exact(CHUNK)) {
            let (seconds, raised) = timed(&mut detector, chunk);
            *best = best.min(seconds);
            alerts += raised;
        }
        for (best, series) in series_best.iter_mut().zip(&fleet) {
            // The detector's construction is part of the fleet sweep's work.
            let start = Instant::now();
            let mut detector = AnomalyDetector::new(AnomalyConfig::default()).unwrap();
            let (_, raised) = timed(&mut detector, series);
            *best = best.min(start.elapsed().as_secs_f64());
            alerts += raised;
        }
    }
    let chunks: f64 = chunk_best.iter().sum();
    let sweep: f64 = series_best.iter().sum();
    let fleet_points = (fleet.len() * 1440) as f64;
    println!(
        "series of 100,000 points: {:.2} M points/s; fleet: {:.2} M points/s, 14.4 M points in {:.3} s ({alerts} alerts)",
        values.len() as f64 / chunks / 1e6,
        fleet_points / sweep / 1e6,
        sweep / fleet_points * 14.4e6,
    );
}
