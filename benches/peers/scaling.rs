//! Sweep time against history length: the batch sweep and the streaming evaluator over one
//! SLO's series of 10^3 … 10^7 one-minute points, best of several runs, printed as CSV
//! (`points,batch_seconds,streaming_seconds`) for `benches/peers/scaling.sh`.

// A measurement program: failures stop it loudly.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::time::Instant;

use sli_core::{AlertPolicy, PolicyEvaluator, Span, catalog};
use sre_benches::slo_series_of;

fn best_of(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let slo = catalog::availability("scaling");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE).unwrap();
    println!("points,batch_seconds,streaming_seconds");
    for exponent in 3..=7 {
        let points = 10usize.pow(exponent);
        let series = slo_series_of(11, points);
        let runs = (10_000_000 / points).clamp(3, 200);
        let batch = best_of(runs, || {
            black_box(evaluator.sweep(&series).unwrap());
        });
        let streaming = best_of(runs.min(20), || {
            let mut stream = evaluator.streaming();
            for (at, counts) in series.iter() {
                black_box(stream.push(at, *counts).unwrap());
            }
        });
        println!("{points},{batch},{streaming}");
    }
}
