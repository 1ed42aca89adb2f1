//! Regression tests of the defects the independent ("blind") game day found
//! (`examples/blind_gameday.rs`, drills in `examples/blind/DRILLS.md`): each test is the
//! smallest replay of one drill's failure, and its doc says which.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use failure_modes::{ApiThrottling, Detector, ThrottleSample, ThrottleSignal};
use sli_core::Severity;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
}

/// Blind drill "F1 throttling at 1.2x page_ratio (12 %) for 60 min": an hour of 12 % throttled
/// calls — over the 10 % at which the operation counts as blocked — never paged when the
/// minutes just before it were busy. The incident's share counted every call of the window
/// that crossed the bar, the healthy minutes before the first throttled one included: four
/// busy healthy minutes held the hour's share under 10 %.
#[test]
fn f1_an_hour_over_the_page_ratio_pages_whatever_the_traffic_just_before_it() {
    let mut f1 = ApiThrottling::new(
        ThrottleSignal::lambda("checkout").unwrap(),
        Default::default(),
    )
    .unwrap();
    let findings = f1
        .detect((0..180).map(|m| {
            // A traffic peak of four minutes, then the incident at the usual traffic.
            let calls = if (116..120).contains(&m) {
                5000.0
            } else {
                1000.0
            };
            ThrottleSample {
                at: t0() + Duration::minutes(m),
                calls,
                throttled: if (120..180).contains(&m) { 120.0 } else { 0.0 },
            }
        }))
        .unwrap();
    let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
    assert_eq!(
        severities,
        [Severity::Ticket, Severity::Page],
        "{findings:#?}"
    );
    // Both name the first throttled minute as the start.
    assert!(
        findings
            .iter()
            .all(|f| f.start == t0() + Duration::minutes(120))
    );
}

/// The other side of the fix above: with the share counted from the first throttled period,
/// a burst of five minutes at a few dozen calls a minute (11 of 100 calls, nine of them in
/// three minutes) reached the page ratio, and the project's game day paged on such a night
/// blip. Blocked is judged as lasting is, outside the busiest three periods too.
#[test]
fn f1_a_five_minute_burst_at_low_traffic_is_not_a_block() {
    let mut f1 = ApiThrottling::new(
        ThrottleSignal::lambda("checkout").unwrap(),
        Default::default(),
    )
    .unwrap();
    let throttled = [3.0, 3.0, 3.0, 1.0, 1.0];
    let findings = f1
        .detect((0..120).map(|m| ThrottleSample {
            at: t0() + Duration::minutes(m),
            calls: 20.0,
            throttled: if (60..65).contains(&m) {
                throttled[m as usize - 60]
            } else {
                0.0
            },
        }))
        .unwrap();
    let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
    assert_eq!(severities, [Severity::Ticket], "{findings:#?}");
}

/// The page rule above, found by the session's review: the busiest three periods were taken
/// over the window that opened the incident, healthy lead included, but subtracted from the
/// incident's own calls. One busy healthy minute (1,000 calls) before the same kind of blip
/// made "the calls outside the busiest run" negative, clamped to 1, and the blip paged.
#[test]
fn f1_a_busy_minute_before_a_blip_does_not_make_it_a_block() {
    let mut f1 = ApiThrottling::new(
        ThrottleSignal::lambda("checkout").unwrap(),
        Default::default(),
    )
    .unwrap();
    let findings = f1
        .detect((0..120).map(|m| ThrottleSample {
            at: t0() + Duration::minutes(m),
            calls: if m == 59 { 1000.0 } else { 20.0 },
            throttled: match m {
                60 | 61 => 10.0,
                62 => 0.0,
                63..=90 => 1.0,
                _ => 0.0,
            },
        }))
        .unwrap();
    let severities: Vec<Severity> = findings.iter().map(|f| f.severity).collect();
    assert_eq!(severities, [Severity::Ticket], "{findings:#?}");
}

/// Also from the review of the fix: the incident's own calls were the window's running sum
/// less the healthy lead, and past 2^53 calls that sum had drifted from the lead summed
/// exactly, so the difference went negative and the share read 200 %. The own periods are
/// summed on their own now.
#[test]
fn f1_a_huge_healthy_minute_before_an_incident_leaves_its_share_a_share() {
    let mut f1 = ApiThrottling::new(
        ThrottleSignal::lambda("checkout").unwrap(),
        Default::default(),
    )
    .unwrap();
    let findings = f1
        .detect((0..90).map(|m| {
            let (calls, throttled) = match m {
                0..=55 => (10.0, 0.0),
                56 => (1e20, 1e17),
                57..=59 => (10.0, 0.0),
                _ => (10.0, 5.0),
            };
            ThrottleSample {
                at: t0() + Duration::minutes(m),
                calls,
                throttled,
            }
        }))
        .unwrap();
    assert!(!findings.is_empty());
    for finding in &findings {
        assert_eq!(finding.evidence.observed, 0.5, "{finding:#?}");
    }
}
