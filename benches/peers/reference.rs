//! The Rust side of the peer comparison (`benches/peers/run.sh`).
//!
//! - `peer_reference OUT_DIR [SLOS]` writes the generated inputs for the Python peers, and
//!   the outputs of this toolkit and of the Rust crate peer on them (alert minutes and detector
//!   alerts), for `peers.py` to check the peers' outputs against.
//! - `peer_reference --time [SLOS]` times this toolkit, and the Rust crate peer of its
//!   detector, on the same inputs (generated again, deterministically) and prints the seconds
//!   as JSON on stdout. `peers.py` calls it
//!   once per round, alternating with its own timings, so that both sides see the same spells
//!   of a shared machine.

// A measurement program: failures stop it loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use failure_modes::stats::{Ewma, MAD_TO_SIGMA, RobustBaseline};
use nexus_stats::smoothing::WindowedMedianF64;
use nexus_stats::statistics::EwmaVarF64;
use sli_core::{AlertPolicy, EventCounts, PolicyEvaluator, Series, Slo, Span, catalog};
use sre_benches::{POINTS, cpu_series, origin, slo_series};

/// Settings of the reference detector both sides implement: a robust z-score against the
/// trailing median/MAD window, or a deviation from an EWMA beyond `SIGMA` of its spread.
const WINDOW: usize = 288;
const SIGMA: f64 = 6.0;
const ALPHA: f64 = 0.05;
const MIN_RELATIVE_SPREAD: f64 = 0.01;
const DETECTOR_POINTS: usize = 1_000_000;
/// The least time each job is timed for (see [`best_of`]), unless `PEERS_MIN_SECONDS` says
/// otherwise (0 for a fixed number of runs, as an instruction count under valgrind wants).
fn min_seconds() -> f64 {
    std::env::var("PEERS_MIN_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0)
}

/// The best of at least `runs` runs and of at least [`min_seconds`] of running: on a shared
/// machine a short job timed a few times sees fewer quiet moments than a long one, and the
/// ratios would favour whichever side ran longer (`peers.py` times its side the same way).
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> f64 {
    let (mut best, mut spent, mut done, least) = (f64::INFINITY, 0.0, 0, min_seconds());
    while done < runs || spent < least {
        let start = Instant::now();
        black_box(f());
        let elapsed = start.elapsed().as_secs_f64();
        best = best.min(elapsed);
        spent += elapsed;
        done += 1;
    }
    best
}

/// Indices of the points the reference detector flags.
fn reference_detector(values: &[f64]) -> Vec<usize> {
    let mut baseline = RobustBaseline::new(WINDOW).unwrap();
    let mut ewma = Ewma::new(ALPHA).unwrap();
    let mut alerts = Vec::new();
    for (i, &x) in values.iter().enumerate() {
        if baseline.is_full() {
            let median = baseline.median().unwrap();
            let z = baseline
                .robust_z(x, MIN_RELATIVE_SPREAD * median.abs())
                .unwrap();
            let mean = ewma.mean().unwrap();
            if z.abs() >= SIGMA || (x - mean).abs() > SIGMA * ewma.std_dev() {
                alerts.push(i);
            }
        }
        baseline.push(x).unwrap();
        ewma.push(x).unwrap();
    }
    alerts
}

/// The same detector built from a Rust crate's parts, as a team would take them off the shelf:
/// `nexus-stats`' `WindowedMedianF64` for the trailing median and MAD (which it finds by
/// sorting the window's distances on every read) and its `EwmaVarF64` for the EWMA.
fn crate_peer_detector(values: &[f64]) -> Vec<usize> {
    let mut window = WindowedMedianF64::new(WINDOW);
    let mut ewma = EwmaVarF64::builder()
        .alpha(ALPHA)
        .min_samples(1)
        .build()
        .unwrap();
    let mut alerts = Vec::new();
    for (i, &x) in values.iter().enumerate() {
        if window.is_primed() {
            let median = window.median().unwrap();
            let spread =
                (MAD_TO_SIGMA * window.mad().unwrap()).max(MIN_RELATIVE_SPREAD * median.abs());
            let mean = ewma.mean().unwrap();
            let std_dev = ewma.std_dev().unwrap();
            if ((x - median) / spread).abs() >= SIGMA || (x - mean).abs() > SIGMA * std_dev {
                alerts.push(i);
            }
        }
        window.update(x).unwrap();
        ewma.update(x).unwrap();
    }
    alerts
}

fn main() {
    const USAGE: &str = "usage: peer_reference OUT_DIR [SLOS] | peer_reference --time [SLOS]";
    let mut args = std::env::args().skip(1);
    let first = args.next().expect(USAGE);
    let slos: usize = args.next().map_or(100, |s| s.parse().expect(USAGE));

    let slo = catalog::availability("peer");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE).unwrap();
    let fleet: Vec<Series<EventCounts>> = (0..slos as u64).map(slo_series).collect();
    let cpu = cpu_series(7, DETECTOR_POINTS);
    if first == "--time" {
        println!("{}", time_all(&evaluator, &fleet, &cpu));
    } else {
        write_inputs_and_outputs(&PathBuf::from(first), &slo, &evaluator, &fleet, &cpu);
    }
}

/// This toolkit's seconds on every job, best of several runs each, as a JSON object.
fn time_all(evaluator: &PolicyEvaluator, fleet: &[Series<EventCounts>], cpu: &[f64]) -> String {
    let limit = best_of(10, || {
        let mut sums = (0.0f64, 0.0f64);
        for s in fleet {
            for c in s.values() {
                sums.0 += c.good();
                sums.1 += c.total();
            }
        }
        sums
    });
    let batch = best_of(5, || {
        for s in fleet {
            black_box(evaluator.sweep(s).unwrap());
        }
    });
    let streaming = best_of(3, || {
        for s in fleet {
            let mut stream = evaluator.streaming();
            for (at, counts) in s.iter() {
                black_box(stream.push(at, *counts).unwrap());
            }
        }
    });
    let detector = best_of(5, || reference_detector(cpu));
    let crate_detector = best_of(1, || crate_peer_detector(cpu));
    eprintln!(
        "rust: {} SLOs x {POINTS} points: limit {limit:.4} s, batch {batch:.4} s, streaming {streaming:.4} s; detector {DETECTOR_POINTS} points {detector:.4} s, with nexus-stats {crate_detector:.4} s",
        fleet.len()
    );
    format!(
        "{{\"single_pass_limit\": {limit}, \"batch_sweep\": {batch}, \"streaming\": {streaming}, \"detector\": {detector}, \"detector_crate\": {crate_detector}}}"
    )
}

/// The inputs for the peers (`slo_counts.f64`, `cpu.f64`) and this toolkit's outputs on them
/// with the settings the peers need (`rust.json`), under `out`.
fn write_inputs_and_outputs(
    out: &Path,
    slo: &Slo,
    evaluator: &PolicyEvaluator,
    fleet: &[Series<EventCounts>],
    cpu: &[f64],
) {
    let slos = fleet.len();
    std::fs::create_dir_all(out).unwrap();
    // Inputs for the peers: good and total per SLO, little-endian f64.
    let mut raw = Vec::with_capacity(slos * 2 * POINTS * 8);
    for series in fleet {
        for c in series.values() {
            raw.extend_from_slice(&c.good().to_le_bytes());
        }
        for c in series.values() {
            raw.extend_from_slice(&c.total().to_le_bytes());
        }
    }
    std::fs::write(out.join("slo_counts.f64"), raw).unwrap();
    let raw: Vec<u8> = cpu.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(out.join("cpu.f64"), raw).unwrap();

    // Outputs for the peers to match: per SLO and tier, the minutes at which the tier fires.
    let step = 60;
    let mut json = String::from("{\n");
    let budget = slo.objective.error_budget();
    writeln!(
        json,
        "  \"slos\": {slos}, \"points\": {POINTS}, \"budget\": {budget},"
    )
    .unwrap();
    json.push_str("  \"tiers\": [");
    let tiers: Vec<String> = evaluator
        .thresholds()
        .map(|(tier, burn)| {
            format!(
                "{{\"id\": \"{}\", \"long\": {}, \"short\": {}, \"burn\": {burn}}}",
                tier.id,
                tier.long_window.seconds() / step,
                tier.short_window.seconds() / step
            )
        })
        .collect();
    json.push_str(&tiers.join(", "));
    json.push_str("],\n  \"alerts\": [");
    let mut per_slo = Vec::new();
    for series in fleet {
        let alerts = evaluator.sweep(series).unwrap();
        let spans: Vec<String> = alerts
            .iter()
            .map(|a| {
                // Evaluation instants are the ends of minutes: index = minutes since origin - 1.
                let index = |t: chrono::DateTime<chrono::Utc>| (t - origin()).num_minutes() - 1;
                let end = a.end.map_or(POINTS as i64, index);
                format!("[\"{}\", {}, {}]", a.tier, index(a.start), end)
            })
            .collect();
        per_slo.push(format!("[{}]", spans.join(", ")));
    }
    json.push_str(&per_slo.join(",\n    "));
    json.push_str("],\n");
    let cpu_alerts = reference_detector(cpu);
    let crate_alerts = crate_peer_detector(cpu);
    writeln!(
        json,
        "  \"detector\": {{\"window\": {WINDOW}, \"sigma\": {SIGMA}, \"alpha\": {ALPHA}, \"min_relative_spread\": {MIN_RELATIVE_SPREAD}, \"points\": {DETECTOR_POINTS}, \"alerts\": {cpu_alerts:?}, \"crate_peer_alerts\": {crate_alerts:?}}}"
    )
    .unwrap();
    json.push_str("}\n");
    let mut file = std::fs::File::create(out.join("rust.json")).unwrap();
    file.write_all(json.as_bytes()).unwrap();
    eprintln!(
        "rust: wrote the inputs and outputs of {slos} SLOs x {POINTS} points and {DETECTOR_POINTS} detector points ({} detector alerts) to {}",
        cpu_alerts.len(),
        out.display()
    );
}
