//! Playing a game day: a detector over the clean and the faulty telemetry, and the
//! [`Outcome`].

use chrono::{DateTime, TimeDelta};

use super::{GameDay, Incident};
use crate::detector::Detector;
use crate::error::Result;
use crate::finding::Finding;
use crate::mode::FailureMode;

/// What a detector did on a game day: false alarms on the clean run, and how long it took
/// to report the incident on the faulty one.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Outcome {
    /// Findings on the clean run, plus findings of the faulty run that end before the incident
    /// starts.
    pub false_alarms: usize,
    /// From the incident's start to the first finding at or after it (its `end`, the
    /// detection time); `None` when it was missed.
    pub detection_delay: Option<TimeDelta>,
    /// Every finding of the faulty run at or after the incident's start.
    pub findings: Vec<Finding>,
}

/// Plays a game day: runs a fresh detector from `make` over `clean` and another over `faulty`
/// (the same telemetry with `incident` injected) and reports the [`Outcome`].
///
/// # Errors
/// The first error of `make` or of the detector.
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::scenarios::{play, GameDay, Incident};
/// use failure_modes::{ColdStartLatency, ColdStartSignal};
///
/// let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
/// let day = GameDay::new(start, Duration::minutes(1), 2 * 1440, 1)?;
/// let burst = Incident::new(start + Duration::hours(30), Duration::minutes(30), 4.0);
/// let outcome = play(
///     || ColdStartLatency::new(ColdStartSignal::lambda("resize")?, Default::default()),
///     day.cold_starts(None),
///     day.cold_starts(Some(burst)),
///     &burst,
/// )?;
/// assert_eq!(outcome.false_alarms, 0);
/// assert!(outcome.detection_delay.unwrap() <= Duration::minutes(5));
/// # Ok::<(), failure_modes::Error>(())
/// ```
pub fn play<D: Detector>(
    make: impl FnMut() -> Result<D>,
    clean: Vec<D::Input>,
    faulty: Vec<D::Input>,
    incident: &Incident,
) -> Result<Outcome> {
    play_counting(make, clean, faulty, incident, |_| true)
}

/// [`play`], counting only the findings `counts` keeps (e.g. pages only).
///
/// # Errors
/// The first error of `make` or of the detector.
pub fn play_counting<D: Detector>(
    mut make: impl FnMut() -> Result<D>,
    clean: Vec<D::Input>,
    faulty: Vec<D::Input>,
    incident: &Incident,
    counts: impl Fn(&Finding) -> bool,
) -> Result<Outcome> {
    let clean_findings: Vec<Finding> = make()?.detect(clean)?.into_iter().filter(&counts).collect();
    let (before, findings): (Vec<Finding>, Vec<Finding>) = make()?
        .detect(faulty)?
        .into_iter()
        .filter(&counts)
        .partition(|f| f.end < incident.start);
    Ok(Outcome {
        false_alarms: clean_findings.len() + before.len(),
        detection_delay: findings.first().map(|f| f.end - incident.start),
        findings,
    })
}

/// The standard game day of each failure mode, run against its detector with default
/// settings: what `docs/detectors.md` reports and the scenario tests check.
///
/// | mode | telemetry | incident |
/// |---|---|---|
/// | F1 | 7 days, 1 min | 5 % of calls throttled for 1 h on day 5 |
/// | F2 | 7 days, 1 min, 3 zones; a fleet-wide ×2 surge for 1 h on day 3 in both runs | zone a ×3 latency and 5 % 5xx for 1 h on day 5 |
/// | F3 | 14 days, 5 min | a leak adding 60 % of the quota over 2 days from day 10 |
/// | F4 | 14 days of CloudTrail | the CI key used from a new region, 300 calls/h, for 2 h on day 10 |
/// | F5 | 7 days, 1 min | concurrency ×4 with cold starts for 30 min on day 5 |
/// | F6 | 7 days, 1 min, 500 connections max | upstream concurrency ramping ×4 over 2 h on day 5 |
/// | F7 | 7 days, 1 min, a public bucket | requests ×20 for 1 h on day 5 (the spike counts; the exposure's page is expected) |
/// | F8 | 28 days of hourly charges across a month end | spend ×5 for 12 h on day 20 |
///
/// Incidents start at 10:00 UTC; `seed` varies the noise.
///
/// # Errors
/// A detector error (none is expected: the generators produce valid input).
pub fn play_mode(mode: FailureMode, seed: u64) -> Result<Outcome> {
    use crate::detectors::{
        cold_start::{ColdStartLatency, ColdStartSignal},
        compromise::CredentialCompromise,
        connections::{ConnectionSignal, DbConnectionExhaustion},
        cost::CostRunaway,
        exposure::PublicDataLeak,
        partition::{NetworkPartition, ZoneSignal},
        quota::{QuotaSignal, ServiceQuotaHit},
        throttling::{ApiThrottling, ThrottleSignal},
    };
    use aws_telemetry::{AclGrant, BucketExposure, Grantee, Permission};

    // A Monday, so that the F8 run crosses the end of October.
    let start = DateTime::from_timestamp(1_791_158_400, 0).unwrap_or_default(); // 2026-10-05
    let day = |d: i64| start + TimeDelta::days(d) + TimeDelta::hours(10);
    let minutes = |days: usize| GameDay::new(start, TimeDelta::minutes(1), days * 1440, seed);
    match mode {
        FailureMode::ApiThrottling => {
            let game = minutes(7)?;
            let incident = Incident::new(day(4), TimeDelta::hours(1), 0.05);
            play(
                || ApiThrottling::new(ThrottleSignal::lambda("api")?, Default::default()),
                game.throttling(None),
                game.throttling(Some(incident)),
                &incident,
            )
        }
        FailureMode::NetworkPartition => {
            let game = minutes(7)?;
            let zones = ["a", "b", "c"];
            let incident = Incident::new(day(4), TimeDelta::hours(1), 3.0);
            let surge = Some(Incident::new(day(2), TimeDelta::hours(1), 2.0));
            play(
                || {
                    NetworkPartition::new(
                        ZoneSignal::alb("app/shop/1", &zones)?,
                        Default::default(),
                    )
                },
                game.partition(&zones, None, surge),
                game.partition(&zones, Some(incident), surge),
                &incident,
            )
        }
        FailureMode::ServiceQuotaHit => {
            let game = GameDay::new(start, TimeDelta::minutes(5), 14 * 288, seed)?;
            let limit = 1000.0;
            let incident = Incident::new(day(9), TimeDelta::days(2), 0.6);
            play(
                || {
                    ServiceQuotaHit::new(
                        QuotaSignal::resource_count(
                            "vCPU",
                            limit,
                            "EC2",
                            "vCPU",
                            "Standard/OnDemand",
                        )?,
                        Default::default(),
                    )
                },
                game.quota(limit, None),
                game.quota(limit, Some(incident)),
                &incident,
            )
        }
        FailureMode::CredentialCompromise => {
            let game = GameDay::new(start, TimeDelta::hours(1), 14 * 24, seed)?;
            let incident = Incident::new(day(9), TimeDelta::hours(2), 300.0);
            play(
                || CredentialCompromise::new(Default::default()),
                game.audit_events(None),
                game.audit_events(Some(incident)),
                &incident,
            )
        }
        FailureMode::ColdStartLatency => {
            let game = minutes(7)?;
            let incident = Incident::new(day(4), TimeDelta::minutes(30), 4.0);
            play(
                || ColdStartLatency::new(ColdStartSignal::lambda("resize")?, Default::default()),
                game.cold_starts(None),
                game.cold_starts(Some(incident)),
                &incident,
            )
        }
        FailureMode::DbConnectionExhaustion => {
            let game = minutes(7)?;
            let incident = Incident::new(day(4), TimeDelta::hours(2), 4.0);
            play(
                || {
                    DbConnectionExhaustion::new(
                        ConnectionSignal::rds("orders", 500.0)?,
                        Default::default(),
                    )
                },
                game.connections(500.0, None),
                game.connections(500.0, Some(incident)),
                &incident,
            )
        }
        FailureMode::PublicDataLeak => {
            let game = minutes(7)?;
            let incident = Incident::new(day(4), TimeDelta::hours(1), 20.0);
            let mut facts = BucketExposure::new("exports");
            facts
                .acl_grants
                .push(AclGrant::new(Grantee::AllUsers, Permission::Read));
            // Each run reports the public bucket once, as it should: only the spike's findings
            // are alarms.
            play_counting(
                || PublicDataLeak::new(facts.clone(), Default::default()),
                game.bucket_access(None),
                game.bucket_access(Some(incident)),
                &incident,
                |f| !f.evidence.detail.starts_with("bucket is public"),
            )
        }
        FailureMode::CostRunaway => {
            let game = GameDay::new(start, TimeDelta::hours(1), 28 * 24, seed)?;
            let incident = Incident::new(day(19), TimeDelta::hours(12), 5.0);
            play(
                || CostRunaway::new("USD", Default::default()),
                game.charges(None),
                game.charges(Some(incident)),
                &incident,
            )
        }
    }
}
