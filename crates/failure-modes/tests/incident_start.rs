//! A finding's start is the first bad observation of the window that opened its incident, not
//! an earlier blip: a start dragged back a day made Alertmanager's `startsAt` a day early and
//! grouped an unrelated SLO page of the day before with the finding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use failure_modes::{
    AlertInterval, ConnectionSample, ConnectionSignal, DEFAULT_HOLD, DbConnectionExhaustion,
    Detector, Finding, Severity, group_by_root_cause,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
}

/// F6 on a pool of 400: an hour at 100 connections, then `hours` of one minute at 330 every
/// `every` minutes (never 3 of 5 minutes, so never an incident), four quiet minutes and a
/// sustained 330 from the returned instant.
fn blips_then_incident(every: i64, hours: i64) -> (Vec<Finding>, DateTime<Utc>) {
    let signal = ConnectionSignal::rds("orders", 400.0).unwrap();
    let mut f6 = DbConnectionExhaustion::new(signal, Default::default()).unwrap();
    let blips_end = 60 + hours * 60;
    let mut found = Vec::new();
    for m in 0..blips_end + 30 {
        let blip = m >= 60 && m < blips_end && (m - 60) % every == 0;
        let connections = if blip || m >= blips_end { 330.0 } else { 100.0 };
        let sample = ConnectionSample {
            at: t0() + Duration::minutes(m),
            connections,
            upstream: None,
        };
        found.extend(f6.push(sample).unwrap());
    }
    (found, t0() + Duration::minutes(blips_end))
}

#[test]
fn blips_before_an_incident_do_not_move_its_start() {
    for (every, hours) in [(3, 24), (4, 24), (5, 24), (5, 1), (6, 24)] {
        let (found, incident) = blips_then_incident(every, hours);
        assert!(!found.is_empty(), "every {every} min for {hours} h");
        // A blip inside the 3-of-5 window that opens the incident belongs to it.
        let window = Duration::minutes(4);
        for f in &found {
            assert!(
                f.start >= incident - window && f.start <= f.end,
                "every {every} min for {hours} h: {} starts at {}, the incident at {incident}",
                f.severity,
                f.start
            );
        }
    }
}

#[test]
fn a_page_of_the_day_before_is_not_grouped_with_the_finding() {
    let (found, _) = blips_then_incident(5, 24);
    let earlier = AlertInterval::new(
        "orders-db availability, page",
        Severity::Page,
        t0() + Duration::hours(3),
        Some(t0() + Duration::hours(4)),
    );
    let slo = vec![("orders", earlier)];
    let findings: Vec<_> = found.into_iter().map(|f| ("orders", f)).collect();
    let groups = group_by_root_cause(slo, findings, DEFAULT_HOLD);
    assert_eq!(groups.len(), 2, "{groups:#?}");
}
