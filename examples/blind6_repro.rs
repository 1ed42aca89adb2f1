//! Minimal reproductions for the sixth blind game day's F8 findings (`examples/blind6/RESULTS.md`):
//! a clean account, 96 USD a day read every hour as in `CostRunaway`'s doc example, with
//! (1) the last 11 readings of one day missing, (2) one day's last reading published late
//! (showing the total of 6 hours earlier). Expected: no finding (spend never changes).
//! (3) F3's page at 101 % of the quota, whose forecast lies in the future.
//!
//! `cargo run --release -p sre-examples --example blind6_repro`

use failure_modes::chrono::{Duration, TimeZone, Timelike, Utc};
use failure_modes::{
    ChargeSample, CostRunaway, Detector, QuotaSample, QuotaSignal, ServiceQuotaHit, Severity,
};

fn readings(skip: impl Fn(i64) -> bool, late: impl Fn(i64) -> Option<i64>) -> Vec<ChargeSample> {
    let start = Utc.with_ymd_and_hms(2026, 10, 20, 0, 0, 0).unwrap();
    let mut out = Vec::new();
    let mut total = 0.0;
    let mut totals = Vec::new();
    for hour in 0..24 * 20 {
        let at = start + Duration::hours(hour);
        if at.format("%d").to_string() == "01" && at.hour() == 0 {
            total = 0.0;
        }
        total += 4.0; // 96 a day, every day
        totals.push(total);
        if skip(hour) {
            continue;
        }
        let shown = late(hour).map_or(total, |h| totals[(hour - h) as usize]);
        out.push(ChargeSample {
            at,
            estimated_charges: shown,
        });
    }
    out
}

fn main() -> Result<(), failure_modes::Error> {
    let day = 16; // 2026-11-05
    // (1) The day's readings from 13:00 on are missing (publication skipped them).
    let mut f8 = CostRunaway::new("USD", Default::default())?;
    let found = f8.detect(readings(|h| h / 24 == day && h % 24 >= 13, |_| None))?;
    println!("(1) missing evening readings: {} finding(s)", found.len());
    for f in &found {
        println!("    {f}");
    }
    // (2) The day's last reading (23:00) shows the total of 17:00 (published 6 hours late).
    let mut f8 = CostRunaway::new("USD", Default::default())?;
    let found = f8.detect(readings(|_| false, |h| (h == day * 24 + 23).then_some(6)))?;
    println!("(2) one late reading: {} finding(s)", found.len());
    for f in &found {
        println!("    {f}");
    }
    // (3) F3: three days of a daily cycle peaking at 50 % of the quota, then usage steps to
    // 101 %: the page says the usage is over the quota and gives a forecast of when it will
    // reach it, in the future.
    let signal = QuotaSignal::resource_count("vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand")?;
    let mut f3 = ServiceQuotaHit::new(signal, Default::default())?;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let found = f3.detect((0..(4 * 288)).map(|i| {
        let at = t0 + Duration::minutes(5 * i);
        let cycle = 400.0 + 100.0 * (std::f64::consts::PI * (i % 288) as f64 / 288.0).sin();
        QuotaSample {
            at,
            usage: if i >= 3 * 288 { 1010.0 } else { cycle },
        }
    }))?;
    for f in found.iter().filter(|f| f.severity == Severity::Page) {
        println!(
            "(3) F3 page at {}: forecast {:?}; {}",
            f.end, f.forecast, f.evidence.detail
        );
    }
    Ok(())
}
