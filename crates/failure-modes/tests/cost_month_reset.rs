//! F8 across a month's reset hidden by a declared one-off charge: steady spend of 100 a day,
//! hourly readings published hours behind usage (the old month's total still grows past
//! midnight until the reset shows), and a fee dated the 1st that shows from the reset on.
//! Whatever the fee's size, a steady month whose reset shows on the 1st raises nothing around
//! it, nor does one whose reset and fee first show on the 2nd (more than a day of lag); a
//! runaway behind such a late fee is still paged.

// Test code: a failed expectation should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use failure_modes::chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use failure_modes::{ChargeSample, CostRunaway, Detector, Finding, OneOffCharge};

/// The findings of a steady 100-a-day account with a fee dated 1 November, each reading
/// showing the usage up to `lag_hours` before it (so the old month's total keeps being
/// published into November until the reset shows), and ten times the usual spend through
/// November's `runaway_day`.
fn month_with_fee(fee: f64, lag_hours: i64, runaway_day: Option<u32>) -> Vec<Finding> {
    month_with_fees(&[(1, fee)], lag_hours, runaway_day)
}

/// The same with declared fees `(November day, amount)`, each landing at its day's start.
fn month_with_fees(fees: &[(u32, f64)], lag_hours: i64, runaway_day: Option<u32>) -> Vec<Finding> {
    let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
    for &(day, amount) in fees {
        f8.declare(OneOffCharge {
            day: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            amount,
            description: "annual support fee".into(),
        })
        .unwrap();
    }
    let october: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let november = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let nov = |day: u32| november + Duration::days(i64::from(day) - 1);
    let usage = |hour: DateTime<Utc>| {
        let runaway = runaway_day.is_some_and(|day| hour >= nov(day) && hour < nov(day + 1));
        if runaway { 1000.0 / 24.0 } else { 100.0 / 24.0 }
    };
    // Month-to-date as published at `seen`: the fees landed by then, and the usage of the
    // month's whole hours before it.
    let month_to_date = |seen: DateTime<Utc>| {
        let start = if seen < november { october } else { november };
        let landed: f64 = fees
            .iter()
            .filter(|(day, _)| seen >= november && seen >= nov(*day))
            .map(|(_, amount)| amount)
            .sum();
        landed
            + (0..(seen - start).num_hours())
                .map(|h| usage(start + Duration::hours(h)))
                .sum::<f64>()
    };
    let mut findings = Vec::new();
    for hour in lag_hours + 1..(40 * 24) {
        let at = october + Duration::hours(hour);
        findings.extend(
            f8.push(ChargeSample {
                at,
                estimated_charges: month_to_date(at - Duration::hours(lag_hours)),
            })
            .unwrap(),
        );
    }
    findings
}

/// Asserts that a steady month with `fees` raises nothing under each of `lags` (hours).
fn assert_quiet(fees: &[(u32, f64)], lags: &[i64]) {
    for &lag_hours in lags {
        let findings = month_with_fees(fees, lag_hours, None);
        assert!(
            findings.is_empty(),
            "fees {fees:?}, readings {lag_hours} h behind: {:?}",
            shown(&findings)
        );
    }
}

/// What a finding shows in a failure message: severity, time and multiple.
fn shown(findings: &[Finding]) -> Vec<(failure_modes::Severity, DateTime<Utc>, f64)> {
    findings
        .iter()
        .map(|f| (f.severity, f.end, f.evidence.score))
        .collect()
}

#[test]
fn a_fee_near_or_far_above_the_old_month_raises_nothing() {
    // October's total is 3,100. A fee of 3,090 lies between two of October's last readings
    // (one of them is nearer the fee than its predecessor: not a reset, as nothing rose more
    // than a usual day); 3,103 is within an hour's spend of the total (the months cannot be
    // told apart); 4,000 and 10,000 hide the fall.
    for fee in [3_090.0, 3_103.0, 4_000.0, 10_000.0] {
        assert_quiet(&[(1, fee)], &[1, 4, 8]);
    }
}

#[test]
fn a_fee_dated_the_first_that_shows_only_on_the_second_raises_nothing() {
    // More than a day of publication lag: the 1st's readings still show October, the reset and
    // the fee dated the 1st show first on the 2nd. The fee was never in the 1st's readings, so
    // it is the 2nd's to take out.
    for fee in [500.0, 3_000.0, 10_000.0] {
        assert_quiet(&[(1, fee)], &[25, 30]);
    }
}

#[test]
fn a_runaway_behind_a_late_fee_is_still_paged() {
    // The fee taken out of the 2nd's readings is the fee only: ten times the usual spend on
    // the 2nd (or the 3rd) under the same lag is still a page.
    for fee in [500.0, 10_000.0] {
        for day in [2, 3] {
            let findings = month_with_fee(fee, 30, Some(day));
            assert!(
                findings
                    .iter()
                    .any(|f| f.severity == failure_modes::Severity::Page),
                "fee {fee}, runaway on November {day}: {:?}",
                shown(&findings)
            );
        }
    }
}

#[test]
fn late_fees_on_two_days_in_a_row_raise_nothing() {
    // Fees dated the 1st and the 2nd, both shown a day late: the 2nd's readings show the
    // 1st's fee but not yet its own, the 3rd's show the 2nd's. Each is taken out where it
    // lands (the late one first); the 1st's was paged when the two were taken out as one.
    for (first, second) in [(500.0, 800.0), (3_000.0, 200.0), (10_000.0, 10_000.0)] {
        assert_quiet(&[(1, first), (2, second)], &[25, 30]);
    }
}
