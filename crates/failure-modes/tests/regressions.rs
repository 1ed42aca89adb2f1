//! Minimal deterministic cases of defects fixed in F3 and F7, each able to fail if the fix
//! is undone (the game days' grace windows and finding counts hid them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use failure_modes::{
    AccessSample, BucketExposure, Detector, Finding, PublicDataLeak, QuotaSample, QuotaSignal,
    ServiceQuotaHit,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap()
}

fn public(public: bool) -> BucketExposure {
    let mut facts = BucketExposure::new("exports");
    facts.policy_is_public = Some(public);
    facts
}

fn is_spike(finding: &Finding) -> bool {
    finding.evidence.detail.contains("requests a minute")
}

/// F7, either order: the bucket is made public at 02:20, downloaded from 02:30 to 02:50 at
/// 5000 requests a minute (usually 20), and the hourly scan sees it public only at 03:00.
/// The scan reports the exposure and the download, the latter with its own start.
#[test]
fn f7_a_download_before_the_scan_saw_the_bucket_public_is_reported_with_the_scan() {
    let mut f7 = PublicDataLeak::new(public(false), Default::default()).unwrap();
    let download = t0() + Duration::minutes(150);
    let mut found = Vec::new();
    for m in 0..240 {
        let at = t0() + Duration::minutes(m);
        if m % 60 == 0 {
            found.extend(f7.scan(at, public(m >= 180)).unwrap());
        }
        let downloading = at >= download && at < download + Duration::minutes(20);
        found.extend(
            f7.push(AccessSample {
                at,
                requests: if downloading {
                    5000.0
                } else {
                    20.0 + (m % 5) as f64
                },
            })
            .unwrap(),
        );
    }
    let seen = t0() + Duration::hours(3);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(!is_spike(&found[0]) && found[0].start == seen, "{found:#?}");
    assert!(is_spike(&found[1]), "{found:#?}");
    assert_eq!((found[1].start, found[1].end), (download, seen));
}

/// F7, sparse bucket: three reads a day, hours apart (minutes without requests publish no
/// datapoint). A week later a 30-minute download — shorter than the 60-minute warm-up — is
/// reported: the silences count as minutes of history, not as a fresh start.
#[test]
fn f7_a_sparse_bucket_does_not_restart_its_warm_up() {
    let mut f7 = PublicDataLeak::new(public(true), Default::default()).unwrap();
    let download = 7 * 1440 + 10 * 60;
    let samples = (0..8 * 1440)
        .filter(|m| m % 480 == 7 || (download..download + 30).contains(m))
        .map(|m| AccessSample {
            at: t0() + Duration::minutes(m),
            requests: if m >= download { 40.0 } else { 2.0 },
        });
    let found = f7.detect(samples).unwrap();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(is_spike(&found[1]), "{found:#?}");
    assert_eq!(found[1].start, t0() + Duration::minutes(download));
}

/// F3 re-ticketed "exhaustion now" after a leak was fixed: usage falls back while the day's
/// peak (the trend's input) still remembers the leak. Usage swings daily between 30 % and 60 %
/// of the quota; from day 3 a leak adds 10 % a day, ticketed as it climbs; fixed at midnight of
/// day 6. The night after the fix is below the forecast share (the incident clears), and the
/// next morning's usage is back above it: nothing may be raised from the fix on.
#[test]
fn f3_a_fixed_leak_is_not_ticketed_again() {
    let signal =
        QuotaSignal::resource_count("vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand").unwrap();
    let mut f3 = ServiceQuotaHit::new(signal, Default::default()).unwrap();
    let day = 288;
    let fixed = 6 * day;
    let found = f3
        .detect((0..10 * day).map(|i| {
            let daily = 150.0 * (std::f64::consts::TAU * (i % day) as f64 / day as f64).sin();
            let leak = if (3 * day..fixed).contains(&i) {
                100.0 * (i - 3 * day) as f64 / day as f64
            } else {
                0.0
            };
            QuotaSample {
                at: t0() + Duration::minutes(5 * i as i64),
                usage: 450.0 + daily + leak,
            }
        }))
        .unwrap();
    let fixed_at = t0() + Duration::minutes(5 * fixed as i64);
    assert!(!found.is_empty(), "the leak is ticketed");
    assert!(found.iter().all(|f| f.end < fixed_at), "{found:#?}");
}

/// F7 (review of 2026-12-06): a leak cut short by making the bucket private mid-download was
/// learned into the record of the busiest minutes as the bucket's own burst (whether it was
/// decided by the exposure when the burst ended), so the same leak after the bucket was
/// exposed again two days later was no spike. A burst on a bucket public at any of its
/// minutes is never learned into the record.
#[test]
fn f7_a_leak_cut_short_by_making_the_bucket_private_is_not_learned() {
    let mut f7 = PublicDataLeak::new(public(true), Default::default()).unwrap();
    let leak =
        |at: DateTime<Utc>, from: DateTime<Utc>| at >= from && at < from + Duration::minutes(30);
    let (first, second) = (
        t0() + Duration::hours(10),
        t0() + Duration::days(2) + Duration::hours(15),
    );
    let mut spikes = Vec::new();
    for m in 0..3 * 1440 {
        let at = t0() + Duration::minutes(m);
        if at == first + Duration::minutes(20) {
            spikes.extend(f7.scan(at, public(false)).unwrap());
        }
        if at == second - Duration::hours(1) {
            spikes.extend(f7.scan(at, public(true)).unwrap());
        }
        let requests = if leak(at, first) || leak(at, second) {
            5000.0
        } else {
            20.0 + (m % 5) as f64
        };
        spikes.extend(f7.push(AccessSample { at, requests }).unwrap());
    }
    let starts: Vec<DateTime<Utc>> = spikes
        .iter()
        .filter(|f| is_spike(f))
        .map(|f| f.start)
        .collect();
    assert_eq!(starts, [first, second], "{spikes:#?}");
}
