//! Settings at the edge of what a detector accepts, found by the `detector_configs` fuzz
//! target: a setting is refused with a typed error naming it, or everything the detector
//! computes from it stays finite.

// Test code: a failed expectation should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use failure_modes::chrono::{Duration, TimeZone, Utc};
use failure_modes::{ChargeSample, CostConfig, CostRunaway, Detector, Error, MAX_MAGNITUDE};

/// F8's spend floor above the range of the charges it floors (`f64::MAX` was taken) made the
/// month-end forecast, a day's floor times the days left, infinite.
#[test]
fn f8_refuses_a_spend_floor_past_the_range_of_charges() {
    let config = CostConfig::default().with_min_daily_spend(f64::MAX);
    match CostRunaway::new("USD", config) {
        Err(Error::InvalidConfig {
            field: "min_daily_spend",
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    // The largest floor taken keeps the forecast finite.
    let config = CostConfig::default()
        .with_min_daily_spend(MAX_MAGNITUDE)
        .with_warm_up_days(0);
    let mut f8 = CostRunaway::new("USD", config).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 10, 2, 0, 0, 0).unwrap();
    for hour in 0..24 * 3 {
        f8.push(ChargeSample {
            at: start + Duration::hours(hour),
            estimated_charges: 100.0 * (1.0 + hour as f64) / 24.0,
        })
        .unwrap();
    }
    let forecast = f8
        .month_end_forecast()
        .expect("a forecast after three days");
    assert!(forecast.is_finite(), "{forecast}");
}

/// F8's spend floor of almost nothing (`f64::MIN_POSITIVE`), over an account that spent
/// nothing for days: the first 8 USD are an infinite multiple of the usual spend, which the
/// evidence score carried as `inf`. Capped at `f64::MAX`, as F5's.
#[test]
fn f8_score_stays_finite_over_a_floor_of_almost_nothing() {
    let config = CostConfig::default()
        .with_min_daily_spend(f64::MIN_POSITIVE)
        .with_warm_up_days(0);
    let mut f8 = CostRunaway::new("USD", config).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 10, 2, 0, 0, 0).unwrap();
    let mut findings = Vec::new();
    for hour in 0..24 * 5 {
        let charges = if hour < 24 * 4 { 0.0 } else { 8.0 };
        findings.extend(
            f8.push(ChargeSample {
                at: start + Duration::hours(hour),
                estimated_charges: charges,
            })
            .unwrap(),
        );
    }
    assert!(
        !findings.is_empty(),
        "8 USD after days of nothing raised nothing"
    );
    for f in &findings {
        assert!(f.evidence.score.is_finite(), "{:?}", f.evidence);
        // The capped multiple is written as 1.798e308, not its 309 digits.
        assert!(f.evidence.detail.len() < 300, "{}", f.evidence.detail);
    }
}

/// Charges at the top of their range (2^360) make amounts of 109 digits: a finding's
/// sentence writes them in scientific notation, and stays a sentence.
#[test]
fn f8_writes_amounts_past_a_quadrillion_in_scientific_notation() {
    let config = CostConfig::default().with_warm_up_days(2);
    let mut f8 = CostRunaway::new("USD", config).unwrap();
    let start = Utc.with_ymd_and_hms(2026, 10, 2, 0, 0, 0).unwrap();
    let mut findings = Vec::new();
    for hour in 0..24 * 6 {
        let charges = if hour < 24 * 5 {
            hour as f64
        } else {
            MAX_MAGNITUDE / 2.0
        };
        findings.extend(
            f8.push(ChargeSample {
                at: start + Duration::hours(hour),
                estimated_charges: charges,
            })
            .unwrap(),
        );
    }
    assert!(!findings.is_empty(), "a jump to 2^359 raised nothing");
    for f in &findings {
        let detail = &f.evidence.detail;
        assert!(
            detail.len() < 300 && detail.contains("e108 USD"),
            "{detail}"
        );
    }
}

/// Probe A (2026-12-07): F8's `trailing_days` outside what its trend and median hold was
/// refused under the parts' own parameter, `capacity`; the error names the setting and the
/// value set, as the other detectors' do.
#[test]
fn f8_trailing_days_errors_name_the_setting() {
    for days in [0, 1, 1025, usize::MAX] {
        match CostRunaway::new("USD", CostConfig::default().with_trailing_days(days)) {
            Err(Error::InvalidConfig { field, value, .. }) => {
                assert_eq!(field, "trailing_days", "{days}");
                assert_eq!(value, days as f64);
            }
            other => panic!("{days}: {other:?}"),
        }
    }
    assert!(CostRunaway::new("USD", CostConfig::default().with_trailing_days(2)).is_ok());
}

/// Probe A (2026-12-07): F7's `record_window` of 0 was rounded up to an hour of maxima and
/// taken; it is refused by name, as a window of 0 is everywhere else.
#[test]
fn f7_refuses_a_record_window_of_nothing() {
    use failure_modes::{BucketExposure, LeakConfig, PublicDataLeak};
    let f7 = |periods| {
        PublicDataLeak::new(
            BucketExposure::new("b"),
            LeakConfig::default().with_record_window(periods),
        )
    };
    match f7(0) {
        Err(Error::InvalidConfig { field, value, .. }) => {
            assert_eq!((field, value), ("record_window", 0.0));
        }
        other => panic!("{other:?}"),
    }
    assert!(f7(1).is_ok());
}

/// Probe A (2026-12-07): F8 took one-off charges of any finite amount (1e308 twice on a day
/// summed to infinity) while its readings are refused past 2^360; a one-off past it is
/// refused the same way, naming the charge.
#[test]
fn f8_refuses_a_one_off_past_the_range_of_charges() {
    use failure_modes::OneOffCharge;
    use failure_modes::chrono::NaiveDate;
    let mut f8 = CostRunaway::new("USD", CostConfig::default()).unwrap();
    let charge = |amount| OneOffCharge {
        day: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        amount,
        description: "support".into(),
    };
    for amount in [MAX_MAGNITUDE * 2.0, 1e200, f64::MAX] {
        match f8.declare(charge(amount)) {
            Err(Error::OneOffCharge { reason, .. }) => {
                assert!(reason.contains("2^360"), "{reason}");
            }
            other => panic!("{amount:e}: {other:?}"),
        }
    }
    assert!(f8.declare(charge(MAX_MAGNITUDE)).is_ok());
    assert_eq!(f8.one_off_charges().len(), 1);
}
