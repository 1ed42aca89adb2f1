//! Drills for F7: a bucket's requests following the shape, and its exposure scanned hourly.

use aws_telemetry::{AclGrant, BucketExposure, Grantee, Permission};
use chrono::{DateTime, TimeDelta, Timelike, Utc};
use sli_core::Severity;

use super::metrics::rng_for;
use super::{Background, Drill, DrillPlan, Expected, drill_start, incident_time};
use crate::detectors::exposure::AccessSample;
use crate::error::Result;
use crate::mode::FailureMode;

/// One observation of an F7 drill: a minute of requests, or an exposure scan's facts (feed
/// them to [`PublicDataLeak::push`](crate::PublicDataLeak) and
/// [`PublicDataLeak::scan`](crate::PublicDataLeak::scan) in order).
#[derive(Debug, Clone, PartialEq)]
pub enum BucketDrillInput {
    /// `GetRequests` of a minute (minutes without requests publish nothing).
    Access(AccessSample),
    /// A scan of the bucket's exposure facts.
    Scan(DateTime<Utc>, BucketExposure),
}

fn facts(public: bool) -> BucketExposure {
    let mut facts = BucketExposure::new("exports");
    if public {
        facts.acl_grants.push(AclGrant {
            grantee: Grantee::AllUsers,
            permission: Permission::Read,
        });
    }
    facts
}

/// F7: requests to a bucket at `base` × the shape a minute (0.3 — a sparse bucket whose
/// quiet minutes publish nothing —, 5 or 100 at the median, by seed), its exposure scanned
/// every hour. Nuisances: twice a week a batch job reads the private bucket at ×20 for 20
/// minutes. Drills: a clean week; the bucket made public with nobody noticing (a page: a
/// security incident); made public and downloaded at ×20 from 10 minutes later, before the
/// next scan sees it public (a page); downloaded at ×20 from a minute after a scan saw it
/// public (a page).
///
/// # Errors
/// None at present (the generator makes valid input).
pub fn bucket_leak(background: &Background, seed: u64) -> Result<Vec<Drill<BucketDrillInput>>> {
    let base = [0.3, 5.0, 100.0][(seed % 3) as usize];
    let variants = [
        "clean week",
        "made public, nobody downloads",
        "made public, downloaded before the scan sees it",
        "public, then downloaded",
    ];
    let plan = DrillPlan::new(
        FailureMode::PublicDataLeak,
        TimeDelta::days(7),
        TimeDelta::hours(2),
    );
    let mut drills = Vec::new();
    for (v, label) in variants.into_iter().enumerate() {
        let mut rng = rng_for(background, seed, 70 + v as u64);
        let batches: Vec<DateTime<Utc>> = (0..2).map(|_| incident_time(&mut rng, 1, 6)).collect();
        let exposed = (v > 0).then(|| incident_time(&mut rng, 3, 3));
        let spike_start = exposed.and_then(|at| match v {
            2 => Some(at + TimeDelta::minutes(10)),
            3 => Some(
                at + TimeDelta::hours(1) - TimeDelta::minutes(i64::from(at.minute()))
                    + TimeDelta::minutes(1),
            ),
            _ => None,
        });
        let mut inputs = Vec::new();
        for m in 0..7 * 1440 {
            let at = drill_start() + TimeDelta::minutes(m as i64);
            let public = exposed.is_some_and(|e| at >= e);
            if at.minute() == 0 {
                inputs.push(BucketDrillInput::Scan(at, facts(public)));
            }
            let mut rate = base * background.at(m);
            if batches
                .iter()
                .any(|b| at >= *b && at < *b + TimeDelta::minutes(20))
                && !public
            {
                rate *= 20.0;
            }
            if spike_start.is_some_and(|s| at >= s && at < s + TimeDelta::minutes(40)) {
                rate = rate.max(base) * 20.0;
            }
            let requests = rng.poisson(rate);
            if requests > 0.0 {
                inputs.push(BucketDrillInput::Access(AccessSample { at, requests }));
            }
        }
        let incident = exposed.map(|start| Expected {
            label: label.to_owned(),
            start,
            end: spike_start.map_or(start, |s| s + TimeDelta::minutes(40)),
            severity: Severity::Page,
            // The scan sees it within the hour.
            grace: TimeDelta::minutes(70),
        });
        drills.push(plan.drill(background, label, inputs, incident));
    }
    Ok(drills)
}
