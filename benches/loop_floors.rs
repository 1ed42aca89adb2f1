//! What loops of the batch sweep's shapes cost on this machine, apart from the sweep: the
//! running sums it builds (a chain of additions, written to a ring), the same sums built as two
//! chains over the halves of each block, the chain unwritten, sums with no chain at all, a plain
//! copy, and sums of 16-slot chunks (what a two-level ring would build); and the running sums
//! with a stand-in for the sweep's per-block work after each block, without and with the
//! prefetch the sweep issues (its counts two blocks ahead, one hint per cache line). Over one
//! series (in cache) and over 100 distinct ones (69 MB, from memory), so that
//! `docs/performance.md` can say where the sweep's floor is with a command to show it.
//!
//! Run: `cargo bench -p sre-benches --bench loop_floors`

// Benchmark code: a failure should stop the run loudly.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use sli_core::{EventCounts, Series};
use sre_benches::{POINTS, slo_series};

/// The sweep's block and ring sizes (3-day window at one minute, rounded up to a power of two).
const BLOCK: usize = 256;
const RING: usize = 8192;

/// `[bad, total]` running sums, one block at a time, written to the ring: the sweep's loop.
fn running_sums_into_ring(counts: &[EventCounts], ring: &mut [[f64; 2]]) -> [f64; 2] {
    let [mut bad, mut total] = [0.0, 0.0];
    for (k, block) in counts.chunks(BLOCK).enumerate() {
        let at = (k * BLOCK) % RING;
        for (sum, c) in ring[at..at + block.len()].iter_mut().zip(block) {
            bad += c.bad();
            total += c.total();
            *sum = [bad, total];
        }
    }
    [bad, total]
}

/// Bytes in a cache line, and points of counts in one.
const LINE: usize = 64;
const POINTS_PER_LINE: usize = LINE / std::mem::size_of::<EventCounts>();

/// The sweep's prefetch distance, in points: two blocks.
const PREFETCH_AHEAD: usize = 2 * BLOCK;

/// A stand-in for the sweep's work on a block once its sums are built (ruling tiers out,
/// window states): a chain of dependent multiply-adds over a quarter of the block's sums
/// (`mul_add` is a call to libm's `fma` on the baseline target), 120–140 ns a block here,
/// near the sweep's per-block time in cache (0.4–0.5 ns a point, 100–130 ns a block).
fn block_work(sums: &[[f64; 2]]) -> f64 {
    sums.iter()
        .step_by(4)
        .fold(1.0, |x, [bad, total]| x.mul_add(0.5, bad - 1e-9 * total))
}

/// Starts loading the line that holds `item` into L2, as `sli-core`'s sweep does.
#[inline(always)]
fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` needs SSE, which every x86-64 CPU has; a prefetch cannot fault
    // and neither reads into the program nor writes, and the address is a live reference's.
    #[allow(unsafe_code)]
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T1>(std::ptr::from_ref(item).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}

/// The running sums written to the ring, then [`block_work`] on each block: with `PREFETCH`,
/// each line of counts `PREFETCH_AHEAD` points on is asked for as the sums pass its offset.
fn sums_and_block_work<const PREFETCH: bool>(counts: &[EventCounts], ring: &mut [[f64; 2]]) -> f64 {
    let [mut bad, mut total] = [0.0, 0.0];
    let mut work = 0.0;
    for (k, block) in counts.chunks(BLOCK).enumerate() {
        let at = (k * BLOCK) % RING;
        let out = &mut ring[at..at + block.len()];
        let ahead = counts.get(k * BLOCK + PREFETCH_AHEAD..).unwrap_or_default();
        let mut later = ahead.iter().step_by(POINTS_PER_LINE);
        // Whole lines, then the rest, as the sweep's loop takes them.
        let mut line_sums = out.chunks_exact_mut(POINTS_PER_LINE);
        let mut lines = block.chunks_exact(POINTS_PER_LINE);
        let mut add = |sum: &mut [f64; 2], c: &EventCounts| {
            bad += c.bad();
            total += c.total();
            *sum = [bad, total];
        };
        for (sums, line) in (&mut line_sums).zip(&mut lines) {
            if PREFETCH && let Some(later) = later.next() {
                prefetch(later);
            }
            for (sum, c) in sums.iter_mut().zip(line) {
                add(sum, c);
            }
        }
        for (sum, c) in line_sums.into_remainder().iter_mut().zip(lines.remainder()) {
            add(sum, c);
        }
        work += block_work(out);
    }
    work + total
}

/// The same sums, written, built as two chains over the halves of each block: the second half
/// starts from the first half's total summed ahead, and is summed again in order when that
/// differs from where the first chain ended (fractional counts), so the sums stay the same.
fn two_chains_into_ring(counts: &[EventCounts], ring: &mut [[f64; 2]]) -> [f64; 2] {
    let add = |[bad, total]: [f64; 2], c: &EventCounts| [bad + c.bad(), total + c.total()];
    let mut start = [0.0, 0.0];
    for (k, block) in counts.chunks(BLOCK).enumerate() {
        let at = (k * BLOCK) % RING;
        let out = &mut ring[at..at + block.len()];
        let half = block.len() / 2;
        let (first, second) = block.split_at(half);
        let (out_first, out_second) = out.split_at_mut(half);
        // Summed with independent accumulators: not a chain the second one would wait for.
        let [bad, total] = four_accumulators(first);
        let predicted = [start[0] + bad, start[1] + total];
        let mut ahead = predicted;
        let mut behind = start;
        for ((o1, o2), (c1, c2)) in out_first
            .iter_mut()
            .zip(out_second.iter_mut())
            .zip(first.iter().zip(second))
        {
            behind = add(behind, c1);
            ahead = add(ahead, c2);
            *o1 = behind;
            *o2 = ahead;
        }
        if behind != predicted {
            ahead = behind;
            for (o, c) in out_second.iter_mut().zip(second) {
                ahead = add(ahead, c);
                *o = ahead;
            }
        } else if let (Some(o), Some(c)) = (out_second.last_mut(), second.get(half)) {
            // An odd block's last point, left over by the zip.
            ahead = add(ahead, c);
            *o = ahead;
        }
        start = ahead;
    }
    start
}

/// The same chain of additions, nothing written.
fn running_sums_only(counts: &[EventCounts]) -> [f64; 2] {
    let [mut bad, mut total] = [0.0, 0.0];
    for c in counts {
        bad += c.bad();
        total += c.total();
    }
    [bad, total]
}

/// Sums with four independent accumulators per lane: no chain between consecutive points.
fn four_accumulators(counts: &[EventCounts]) -> [f64; 2] {
    let mut acc = [[0.0f64; 2]; 4];
    let mut quads = counts.chunks_exact(4);
    for quad in &mut quads {
        for (a, c) in acc.iter_mut().zip(quad) {
            a[0] += c.bad();
            a[1] += c.total();
        }
    }
    for c in quads.remainder() {
        acc[0][0] += c.bad();
        acc[0][1] += c.total();
    }
    let lane = |l: usize| (acc[0][l] + acc[1][l]) + (acc[2][l] + acc[3][l]);
    [lane(0), lane(1)]
}

/// Every point copied into the ring: the loads and stores of the sweep's loop, no arithmetic.
fn copy_into_ring(counts: &[EventCounts], ring: &mut [[f64; 2]]) -> f64 {
    for (k, block) in counts.chunks(BLOCK).enumerate() {
        let at = (k * BLOCK) % RING;
        for (slot, c) in ring[at..at + block.len()].iter_mut().zip(block) {
            *slot = [c.good(), c.total()];
        }
    }
    ring[0][1]
}

/// Sums of 16-slot chunks, each added from zero and then onto the running total, one stored
/// per chunk: the chains are 16 additions long and independent of each other.
fn chunk_sums_of_16(counts: &[EventCounts], ring: &mut [[f64; 2]]) -> [f64; 2] {
    let mut running = [0.0, 0.0];
    for (k, chunk) in counts.chunks(16).enumerate() {
        let mut sum = [0.0f64, 0.0];
        for c in chunk {
            sum = [sum[0] + c.bad(), sum[1] + c.total()];
        }
        running = [running[0] + sum[0], running[1] + sum[1]];
        ring[k % RING] = running;
    }
    running
}

fn bench(c: &mut Criterion) {
    let distinct: Vec<Series<EventCounts>> = (0..100u64).map(slo_series).collect();
    let mut ring = vec![[0.0f64; 2]; RING];
    // The two-chain loop must write what the plain chain writes, or its timing means nothing.
    let mut two = vec![[0.0f64; 2]; RING];
    for s in &distinct[..3] {
        assert_eq!(
            running_sums_into_ring(s.values(), &mut ring),
            two_chains_into_ring(s.values(), &mut two)
        );
        assert_eq!(ring, two);
    }
    // The prefetch is a hint: both forms must compute the same.
    for s in &distinct[..3] {
        assert_eq!(
            sums_and_block_work::<false>(s.values(), &mut ring),
            sums_and_block_work::<true>(s.values(), &mut two)
        );
    }
    // One series swept 100 times stays in the 2 MiB L2 cache; 100 distinct ones do not.
    for (label, fleet) in [
        ("in_cache", vec![&distinct[0]; 100]),
        ("from_memory", distinct.iter().collect::<Vec<_>>()),
    ] {
        let mut group = c.benchmark_group("loop_floors_100_series");
        group.throughput(Throughput::Elements((100 * POINTS) as u64));
        let mut run = |name: &str, f: &mut dyn FnMut(&[EventCounts]) -> f64| {
            group.bench_function(BenchmarkId::new(name, label), |b| {
                b.iter(|| fleet.iter().map(|s| f(s.values())).sum::<f64>())
            });
        };
        run("running_sums_into_ring", &mut |v| {
            black_box(running_sums_into_ring(v, &mut ring))[1]
        });
        run("two_chains_into_ring", &mut |v| {
            black_box(two_chains_into_ring(v, &mut ring))[1]
        });
        run("sums_then_block_work", &mut |v| {
            black_box(sums_and_block_work::<false>(v, &mut ring))
        });
        run("sums_then_block_work_prefetched", &mut |v| {
            black_box(sums_and_block_work::<true>(v, &mut ring))
        });
        run("running_sums_only", &mut |v| {
            black_box(running_sums_only(v))[1]
        });
        run("four_accumulators", &mut |v| {
            black_box(four_accumulators(v))[1]
        });
        run("copy_into_ring", &mut |v| {
            black_box(copy_into_ring(v, &mut ring))
        });
        run("chunk_sums_of_16", &mut |v| {
            black_box(chunk_sums_of_16(v, &mut ring))[1]
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
