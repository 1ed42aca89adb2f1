//! The generic detector's weekly memory ([`Season::with_weeks`]) against the daily season alone,
//! on real CloudWatch series: each NAB `realAWSCloudwatch` series gone round to eight weeks,
//! with an hour-long weekly job added (day 2, 03:00; its level 2 × (p99 − median) above the
//! series' 99th percentile, that excess moved by −7.5 % to +6.3 % from week to week). Prints,
//! per series and in total, the job's alerts and every alert from week 3 on. The labels are
//! not read.
//!
//! Run: `cargo run --release -p sre-examples --example season_weeks -- ../shared/data/nab-aws`

use std::error::Error;
use std::fmt::Write as _;
use std::path::PathBuf;

use failure_modes::{AnomalyConfig, AnomalyDetector, Season};
use sre_examples::nab;

const WEEK: usize = 2016;
const WEEKS: usize = 8;
/// The job's points in the week: day 2, 03:00 to 04:00.
const JOB: std::ops::Range<usize> = 2 * 288 + 36..2 * 288 + 48;

/// (alerts on the job or the hour after it, alerts from week 3 on).
fn run(values: &[f64], weeks: usize) -> Result<(usize, usize), Box<dyn Error>> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let p99 = sorted[sorted.len() * 99 / 100];
    let median = sorted[sorted.len() / 2];
    let config = AnomalyConfig::default().with_season(Some(Season::default().with_weeks(weeks)));
    let mut detector = AnomalyDetector::new(config)?;
    let (mut job, mut late) = (0, 0);
    for i in 0..WEEKS * WEEK {
        let value = values[i % values.len()];
        let week = i / WEEK;
        let jitter = 1.0 + 0.15 * (((week * 7919) % 13) as f64 / 13.0 - 0.5);
        let value = if JOB.contains(&(i % WEEK)) {
            value.max(p99 + 2.0 * (p99 - median) * jitter)
        } else {
            value
        };
        if let Some(anomaly) = detector.push(value)? {
            let at = anomaly.index as usize;
            job += usize::from((JOB.start..JOB.end + 12).contains(&(at % WEEK)));
            late += usize::from(at >= 2 * WEEK);
        }
    }
    Ok((job, late))
}

fn main() -> Result<(), Box<dyn Error>> {
    // Written whole at the end: a reader that stops early (`| head`) ends it quietly.
    let mut out = String::new();
    let dir: PathBuf = sre_examples::utf8_args()?
        .into_iter()
        .next()
        .ok_or("usage: season_weeks <shared/data/nab-aws>")?
        .into();
    let mut totals = [(0, 0); 2];
    writeln!(
        out,
        "| series | job alerts, daily | job alerts, + 4 weeks | alerts weeks 3-8, daily | + 4 weeks |"
    )?;
    writeln!(out, "|---|---|---|---|---|")?;
    for series in nab::load(&dir)? {
        let daily = run(&series.values, 0)?;
        let weekly = run(&series.values, 4)?;
        writeln!(
            out,
            "| {} | {}/{WEEKS} | {}/{WEEKS} | {} | {} |",
            series.key, daily.0, weekly.0, daily.1, weekly.1
        )?;
        for (total, (job, late)) in totals.iter_mut().zip([daily, weekly]) {
            total.0 += job;
            total.1 += late;
        }
    }
    writeln!(
        out,
        "| all | {} | {} | {} | {} |",
        totals[0].0, totals[1].0, totals[0].1, totals[1].1
    )?;
    sre_examples::print_all(&out)?;
    Ok(())
}
