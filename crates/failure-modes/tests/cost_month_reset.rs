//! F8 across a month's reset hidden by a declared one-off charge: steady spend of 100 a day,
//! hourly readings published hours behind usage (the old month's total still grows past
//! midnight until the reset shows), and a fee dated the 1st that shows from the reset on.
//! Whatever the fee's size, a steady month whose reset shows on the 1st raises nothing around
//! it. (A reset that first shows on the 2nd, more than a day of lag, is recognised, but the
//! fee dated the 1st then lands in the 2nd's readings and is still reported: a known gap,
//! docs/detectors.md.)

// Test code: a failed expectation should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use failure_modes::chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use failure_modes::{ChargeSample, CostRunaway, Detector, Finding, OneOffCharge};

/// The findings of a steady 100-a-day account, the fee dated 1 November, each reading showing
/// the usage up to `lag_hours` before it (so the old month's total keeps being published
/// into November until the reset shows).
fn steady_month_with_fee(fee: f64, lag_hours: i64) -> Vec<Finding> {
    let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
    f8.declare(OneOffCharge {
        day: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        amount: fee,
        description: "annual support fee".into(),
    })
    .unwrap();
    let october: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let november = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let hourly = 100.0 / 24.0;
    let mut findings = Vec::new();
    for hour in lag_hours + 1..(40 * 24) {
        let at = october + Duration::hours(hour);
        let seen = at - Duration::hours(lag_hours);
        let charges = if seen < november {
            (seen - october).num_hours() as f64 * hourly
        } else {
            fee + (seen - november).num_hours() as f64 * hourly
        };
        findings.extend(
            f8.push(ChargeSample {
                at,
                estimated_charges: charges,
            })
            .unwrap(),
        );
    }
    findings
}

#[test]
fn a_fee_near_or_far_above_the_old_month_raises_nothing() {
    // October's total is 3,100. A fee of 3,090 lies between two of October's last readings
    // (one of them is nearer the fee than its predecessor: not a reset, as nothing rose more
    // than a usual day); 3,103 is within an hour's spend of the total (the months cannot be
    // told apart); 4,000 and 10,000 hide the fall.
    for fee in [3_090.0, 3_103.0, 4_000.0, 10_000.0] {
        for lag_hours in [1, 4, 8] {
            let findings = steady_month_with_fee(fee, lag_hours);
            assert!(
                findings.is_empty(),
                "fee {fee}, readings {lag_hours} h behind: {:?}",
                findings
                    .iter()
                    .map(|f| (f.severity, f.end, f.evidence.score))
                    .collect::<Vec<_>>()
            );
        }
    }
}
