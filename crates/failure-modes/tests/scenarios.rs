//! Game days per detector: each catches its standard incident within a stated delay and
//! raises nothing on the same telemetry without it (`failure_modes::scenarios::play_mode`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{Duration, TimeDelta, TimeZone, Utc};
use failure_modes::scenarios::{GameDay, Incident, play, play_mode};
use failure_modes::{
    BucketExposure, Detector, FailureMode, NetworkPartition, PublicDataLeak, ZoneSignal,
};
use sli_core::Severity;

/// The delay each detector promises on its standard game day (docs/detectors.md).
fn stated_delay(mode: FailureMode) -> TimeDelta {
    match mode {
        FailureMode::ApiThrottling
        | FailureMode::NetworkPartition
        | FailureMode::ColdStartLatency
        | FailureMode::PublicDataLeak => Duration::minutes(5),
        FailureMode::CredentialCompromise => Duration::minutes(1),
        // A climb is forecast once it is sustained over the trend window (an hour): the
        // standard scale-out (×4 over two hours) is ticketed about 50 minutes in, still before
        // it crosses 80 %.
        FailureMode::DbConnectionExhaustion => Duration::minutes(60),
        // A climb is forecast once the daily peak has risen over each of two whole days, so
        // that a step or a weekly cycle is no trend: the standard leak (60 % of the quota over
        // two days) is ticketed about a day in, as it crosses 80 % (half a day in, by the
        // forecast, when one day's climb was enough).
        FailureMode::ServiceQuotaHit => Duration::hours(30),
        FailureMode::CostRunaway => Duration::hours(8),
        _ => unreachable!(),
    }
}

#[test]
fn every_detector_catches_its_game_day_and_stays_quiet_without_it() {
    for mode in FailureMode::ALL {
        for seed in 1..=3 {
            let outcome = play_mode(mode, seed).unwrap();
            assert_eq!(outcome.false_alarms, 0, "{mode} seed {seed}: {outcome:?}");
            let delay = outcome
                .detection_delay
                .unwrap_or_else(|| panic!("{mode} seed {seed} missed the incident"));
            assert!(
                delay <= stated_delay(mode),
                "{mode} seed {seed}: {delay} > {}",
                stated_delay(mode)
            );
            let first = &outcome.findings[0];
            assert_eq!(first.mode, mode);
            assert_eq!(first.mitigation(), mode.mitigation());
            assert!(first.start <= first.end);
        }
    }
}

#[test]
fn findings_carry_the_expected_severity() {
    let page = |mode| {
        play_mode(mode, 9)
            .unwrap()
            .findings
            .iter()
            .any(|f| f.severity == Severity::Page)
    };
    // Security incidents and a zone outage page; a 5 % throttle is a ticket; a leak that
    // reaches the quota pages once scaling is blocked; a runaway ×5 is a ticket, not a page.
    assert!(page(FailureMode::CredentialCompromise));
    assert!(page(FailureMode::NetworkPartition));
    assert!(page(FailureMode::PublicDataLeak));
    assert!(page(FailureMode::ServiceQuotaHit));
    assert!(!page(FailureMode::ApiThrottling));
    assert!(!page(FailureMode::CostRunaway));
    let f4 = play_mode(FailureMode::CredentialCompromise, 9).unwrap();
    let details: Vec<&str> = f4
        .findings
        .iter()
        .map(|f| f.evidence.detail.as_str())
        .collect();
    assert!(
        details.iter().any(|d| d.contains("ap-east-1")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.contains("CreateAccessKey")),
        "{details:?}"
    );
    assert!(
        details.iter().any(|d| d.contains("denied calls")),
        "{details:?}"
    );
}

#[test]
fn a_fleet_wide_surge_is_not_a_partition() {
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let game = GameDay::new(start, Duration::minutes(1), 3 * 1440, 5).unwrap();
    let zones = ["a", "b", "c"];
    // Every zone three times slower for two hours: peers move together.
    let surge = Incident::new(start + Duration::hours(50), Duration::hours(2), 3.0);
    let mut f2 = NetworkPartition::new(
        ZoneSignal::alb("app/x/1", &zones).unwrap(),
        Default::default(),
    )
    .unwrap();
    assert!(
        f2.detect(game.partition(&zones, None, Some(surge)))
            .unwrap()
            .is_empty()
    );
    // The same slowdown in one zone only is found, and the zone is named.
    let mut f2 = NetworkPartition::new(
        ZoneSignal::alb("app/x/1", &zones).unwrap(),
        Default::default(),
    )
    .unwrap();
    let findings = f2
        .detect(game.partition(&zones, Some(surge), None))
        .unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].subject, "a");
}

#[test]
fn a_spike_on_a_private_bucket_is_not_a_leak() {
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let game = GameDay::new(start, Duration::minutes(1), 2 * 1440, 3).unwrap();
    let spike = Incident::new(start + Duration::hours(30), Duration::hours(1), 20.0);
    let outcome = play(
        || PublicDataLeak::new(BucketExposure::new("private"), Default::default()),
        game.bucket_access(None),
        game.bucket_access(Some(spike)),
        &spike,
    )
    .unwrap();
    assert_eq!(outcome.false_alarms, 0);
    assert_eq!(outcome.detection_delay, None);
}

#[test]
fn game_days_replay_exactly() {
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let a = GameDay::new(start, Duration::minutes(1), 500, 42).unwrap();
    let b = GameDay::new(start, Duration::minutes(1), 500, 43).unwrap();
    assert_eq!(a.throttling(None), a.throttling(None));
    assert_ne!(a.throttling(None), b.throttling(None));
    assert!(GameDay::new(start, Duration::zero(), 5, 1).is_err());
    assert!(GameDay::new(start, Duration::minutes(1), 0, 1).is_err());
    // A span past the last representable time is refused, not a panic later.
    assert!(GameDay::new(start, Duration::days(365 * 100_000), 10, 1).is_err());
}
