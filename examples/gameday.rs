//! Plays the standard game day of every failure mode (`failure_modes::scenarios::play_mode`)
//! over many seeds and prints, per detector, false alarms per detector-week on clean data,
//! detections, and the median and worst detection delay: the table in `docs/detectors.md`.
//!
//! ```text
//! cargo run --release -p sre-examples --example gameday -- [SEEDS]
//! ```

use std::error::Error;

use chrono::TimeDelta;
use failure_modes::FailureMode;
use failure_modes::scenarios::play_mode;

fn main() -> Result<(), Box<dyn Error>> {
    let seeds: u64 = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20);
    println!(
        "| mode | detector-weeks clean | false alarms / detector-week | detected | median delay | worst delay |"
    );
    println!("|---|---|---|---|---|---|");
    for mode in FailureMode::ALL {
        let (mut false_alarms, mut weeks, mut delays) = (0, 0.0, Vec::new());
        for seed in 1..=seeds {
            let outcome = play_mode(mode, seed)?;
            false_alarms += outcome.false_alarms;
            // Clean data per seed: the clean run plus the faulty run before its incident.
            weeks += clean_weeks(mode);
            delays.extend(outcome.detection_delay);
        }
        delays.sort();
        let show = |d: Option<&TimeDelta>| {
            d.map_or("-".to_owned(), |d| format!("{} min", d.num_minutes()))
        };
        println!(
            "| {mode} | {weeks:.0} | {:.3} | {}/{seeds} | {} | {} |",
            false_alarms as f64 / weeks,
            delays.len(),
            show(delays.get(delays.len() / 2)),
            show(delays.last()),
        );
    }
    Ok(())
}

/// Weeks of clean telemetry per seed in `play_mode`: the whole clean run plus the faulty run
/// up to its incident.
fn clean_weeks(mode: FailureMode) -> f64 {
    let days = match mode {
        FailureMode::ServiceQuotaHit | FailureMode::CredentialCompromise => 14.0 + 9.4,
        FailureMode::CostRunaway => 28.0 + 19.4,
        _ => 7.0 + 4.4,
    };
    days / 7.0
}
