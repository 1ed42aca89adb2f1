//! Multi-window multi-burn-rate evaluation over 30 days of one-minute data (43,200 points per
//! SLO) through the default four-tier, eight-window policy: batch sweep and streaming, for 1,
//! 100 and 10,000 SLOs, next to a plain pass over the same arrays (the memory-bandwidth floor).
//!
//! Run: `cargo bench -p sre-benches --bench sli_sweep`

// Benchmark code: a failure should stop the run loudly.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sli_core::{AlertPolicy, EventCounts, PolicyEvaluator, Series, Span, catalog};
use sre_benches::{POINTS, slo_series};

fn bench(c: &mut Criterion) {
    let slo = catalog::availability("bench");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE).unwrap();
    // 10,000 SLOs share 100 distinct series (69 MB instead of 6.9 GB): every SLO is still swept
    // on its own and reads its whole series, and 69 MB is far beyond any cache here.
    let distinct: Vec<Series<EventCounts>> = (0..100u64).map(slo_series).collect();
    for slos in [1usize, 100, 10_000] {
        let fleet: Vec<&Series<EventCounts>> = (0..slos).map(|i| &distinct[i % 100]).collect();
        let mut group = c.benchmark_group("sweep_30d_1m");
        group.throughput(Throughput::Elements((slos * POINTS) as u64));
        if slos >= 10_000 {
            // Seconds per iteration: ten samples are plenty.
            group.sample_size(10);
        }
        group.bench_with_input(
            BenchmarkId::new("single_pass_limit", slos),
            &fleet,
            |b, fleet| {
                b.iter(|| {
                    let mut sums = (0.0f64, 0.0f64);
                    for s in fleet {
                        for c in s.values() {
                            sums.0 += c.good();
                            sums.1 += c.total();
                        }
                    }
                    black_box(sums)
                })
            },
        );
        group.bench_with_input(BenchmarkId::new("batch", slos), &fleet, |b, fleet| {
            b.iter(|| {
                for s in fleet {
                    black_box(evaluator.sweep(s).unwrap());
                }
            })
        });
        group.bench_with_input(BenchmarkId::new("streaming", slos), &fleet, |b, fleet| {
            b.iter(|| {
                for s in fleet {
                    let mut stream = evaluator.streaming();
                    for (at, counts) in s.iter() {
                        black_box(stream.push(at, *counts).unwrap());
                    }
                }
            })
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
