//! F1–F8 on real CloudWatch noise: the game-day drills of `failure_modes::gameday` (incidents
//! made by mechanisms at and near the guidance's thresholds, clean weeks full of nuisances)
//! over NAB `realAWSCloudwatch` series outside their labelled windows (`tests/data/nab/`).
//! Each test is the regression test of a defect the independent game days found; its doc says
//! which. The drills are deterministic for a seed, so a failure replays exactly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use chrono::TimeDelta;

use crate::common::{ZONES, f2_over_three_zones, zones_t0};
use failure_modes::gameday::{self, Background, BucketDrillInput, Drill, Tally};
use failure_modes::{
    AccessSample, ApiThrottling, BucketExposure, ColdStartLatency, ColdStartSignal,
    ConnectionSignal, CostRunaway, CredentialCompromise, DbConnectionExhaustion, Detector, Finding,
    NetworkPartition, PublicDataLeak, QuotaSignal, ServiceQuotaHit, Severity, ThrottleSignal,
    ZoneSignal,
};

const ELB: &str = include_str!("data/nab/elb_request_count_8c0756.csv");
const EC2: &str = include_str!("data/nab/ec2_cpu_utilization_5f5533.csv");
const RDS: &str = include_str!("data/nab/rds_cpu_utilization_cc0c53.csv");
const NETWORK: &str = include_str!("data/nab/ec2_network_in_257a54.csv");
const ONOFF_CPU: &str = include_str!("data/nab/ec2_cpu_utilization_fe7f93.csv");
const WINDOWS: &str = include_str!("data/nab/combined_windows.json");

/// The longest stretch of a series outside its labelled windows, as a background.
fn background(name: &str, csv: &str) -> Background {
    let values = stretches(name, csv)
        .into_iter()
        .max_by_key(Vec::len)
        .unwrap();
    Background::new(name, &values).unwrap()
}

/// The stretches of a series outside its labelled windows, in time order.
fn stretches(name: &str, csv: &str) -> Vec<Vec<f64>> {
    let rows: Vec<(&str, f64)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let (t, v) = l.split_once(',').unwrap();
            (t, v.trim().parse().unwrap())
        })
        .collect();
    let windows: BTreeMap<String, Vec<[String; 2]>> = serde_json::from_str(WINDOWS).unwrap();
    let spans = windows
        .iter()
        .find(|(k, _)| k.contains(name))
        .map(|(_, v)| v)
        .unwrap();
    let row = |stamp: &str| rows.iter().position(|(t, _)| *t == &stamp[..19]).unwrap();
    let mut cuts = vec![0];
    for [start, end] in spans {
        cuts.push(row(start));
        cuts.push(row(end) + 1);
    }
    cuts.push(rows.len());
    cuts.chunks(2)
        .map(|c| rows[c[0]..c[1]].iter().map(|(_, v)| *v).collect())
        .collect()
}

fn backgrounds() -> Vec<Background> {
    vec![
        background("elb_request_count_8c0756", ELB),
        background("ec2_cpu_utilization_5f5533", EC2),
        background("rds_cpu_utilization_cc0c53", RDS),
    ]
}

/// Runs every drill of every background and of seeds `0..seeds` through `run`.
fn tally<T>(
    seeds: u64,
    drills: impl Fn(&Background, u64) -> Vec<Drill<T>>,
    run: impl Fn(&Drill<T>) -> Vec<Finding>,
) -> Tally {
    let mut tally = Tally::default();
    for background in backgrounds() {
        for seed in 0..seeds {
            for drill in drills(&background, seed) {
                tally.add(&drill, &run(&drill));
            }
        }
    }
    tally
}

/// Every incident detected with the expected severity, and at most `per_week` false alarms per
/// detector-week of clean time (the target is 0.1, about five a year).
fn assert_clean(tally: &Tally, per_week: f64) {
    assert!(
        tally.detected == tally.incidents
            && tally.severity_agrees == tally.detected
            && tally.false_alarms_per_week() <= per_week,
        "{} of {} detected, {} with the expected severity, {} false alarms over {:.1} weeks:\n{}",
        tally.detected,
        tally.incidents,
        tally.severity_agrees,
        tally.false_alarms,
        tally.clean.as_seconds_f64() / (7.0 * 86_400.0),
        tally.notes.join("\n")
    );
}

/// F1 missed 1.5–3 % throttling at modest traffic (per-minute tests, no aggregation over
/// time), learned a sustained 1 % as normal within half an hour (minutes under the bar fed the
/// baseline), and ticketed deploy bursts. Now: 5-minute windows, a baseline that learns the
/// periods outside incidents only (weighted by their calls), bursts told apart from sustained
/// throttling.
#[test]
fn f1_throttling_on_real_noise() {
    let tally = tally(
        3,
        |b, seed| gameday::throttling(b, seed).unwrap(),
        |drill| {
            ApiThrottling::new(ThrottleSignal::lambda("api").unwrap(), Default::default())
                .unwrap()
                .detect(drill.inputs.clone())
                .unwrap()
        },
    );
    assert!(tally.incidents >= 12, "{}", tally.incidents);
    assert_clean(&tally, 0.1);
    assert!(tally.delay_quantile(0.9).unwrap() <= TimeDelta::minutes(15));
}

/// A sustained 1.5 % is never learned as normal: six hours of it are one incident, reported
/// once, and the same throttling an hour after it ends is reported again.
#[test]
fn f1_never_learns_an_open_incident() {
    let elb = background("elb_request_count_8c0756", ELB);
    let mut f1 =
        ApiThrottling::new(ThrottleSignal::lambda("api").unwrap(), Default::default()).unwrap();
    let t0 = chrono::DateTime::from_timestamp(1_791_158_400, 0).unwrap();
    let mut findings = Vec::new();
    let mut rng = failure_modes::scenarios::Rng::new(7);
    for m in 0..3 * 1440 {
        let at = t0 + TimeDelta::minutes(m as i64);
        let calls = rng.poisson(200.0 * elb.at(m));
        let share = if (1440..1800).contains(&m) || (1860..1920).contains(&m) {
            0.015
        } else {
            0.0
        };
        let throttled = rng.poisson(calls * share);
        findings.extend(
            f1.push(failure_modes::ThrottleSample {
                at,
                calls,
                throttled,
            })
            .unwrap(),
        );
    }
    let starts: Vec<i64> = findings
        .iter()
        .map(|f| (f.start - t0).num_minutes())
        .collect();
    assert_eq!(findings.len(), 2, "{findings:#?}");
    assert!(
        (1440..1460).contains(&starts[0]) && (1860..1880).contains(&starts[1]),
        "{starts:?}"
    );
}

/// F1 learnt an operation's own throttle rate from its periods under the 1 % bar only, so at a
/// few hundred calls a minute (where a period's share moves in steps of a third of a per cent)
/// a steady 0.85 % was learnt as little more than half of it, and the bar crossed by noise read
/// as improbable: the third blind game day's 0.85× nuisance was ticketed. Now every period
/// outside an open incident is learnt, whatever its share, weighted by its calls.
///
/// Three days of a steady 0.85 % on two real shapes at 300 calls a minute, ten seeds each: the
/// mean rate learnt must be within 10 % of the truth. The periods of open incidents (windows
/// that crossed 1 %) are still left out, which biases it low by a few per cent. The bound was
/// set after measuring: the old rule learnt 0.55 % on average (0.47–0.63 %), the new one 0.80 %
/// (0.68–0.87 %), and the findings over the 60 detector-days fell from 374 to 23.
#[test]
fn f1_learns_a_steady_throttle_under_the_bar() {
    const TRUE_RATE: f64 = 0.0085;
    let learnt: Vec<f64> = f1_at_300_calls_a_minute(3 * 1440, |_| TRUE_RATE)
        .iter()
        .map(|run| run.detector.baseline_rate())
        .collect();
    let mean = learnt.iter().sum::<f64>() / learnt.len() as f64;
    assert!(
        (mean / TRUE_RATE - 1.0).abs() < 0.1,
        "mean {mean}: {learnt:?}"
    );
}

/// A review's probe of the rule above before the learnt rate was weighted by calls: one period
/// of a single call, throttled (a share of 100 %), moved the learnt rate to 1.75 % at one
/// weight in fifty, and a 1.5 % incident an hour later, at about a thousand calls a minute,
/// was never reported (0 of 10 seeds). Weighted by its calls, that period counts for one call
/// in some fifty thousand.
#[test]
fn f1_a_period_of_one_throttled_call_does_not_hide_the_next_incident() {
    let shape = background("elb_request_count_8c0756", ELB);
    for seed in 0..10 {
        let mut f1 = lambda_f1();
        let mut rng = failure_modes::scenarios::Rng::new(seed);
        let mut findings = Vec::new();
        for m in 0..700 {
            let (calls, share) = match m {
                600 => (1.0, 1.0),
                610.. => (rng.poisson(1000.0 * shape.at(m)), 0.015),
                _ => (rng.poisson(1000.0 * shape.at(m)), 0.0005),
            };
            let throttled = if share == 1.0 {
                calls
            } else {
                rng.poisson(calls * share)
            };
            findings.extend(f1.push(throttle_sample(m, calls, throttled)).unwrap());
        }
        assert!(
            f1.baseline_rate() < 0.01,
            "seed {seed}: {}",
            f1.baseline_rate()
        );
        assert!(
            findings.iter().any(|f| f.start >= minute(610)),
            "seed {seed}: {findings:#?}"
        );
    }
}

/// The fourth blind game day: an incident at a ticket's share that grows into a block was
/// judged blocked over the whole incident, so 45 minutes at 1.5 % then 12 % paged only after
/// 2.5 hours more (and 30 % after two hours at 1.5 % never). The block is now judged on the
/// incident's current surge too (its windows at or over `page_ratio`, from the one that
/// crossed), once `sustain_periods` of its periods are over it on their own. On two NAB shapes
/// at 300 calls a minute (about 150 at the ELB shape's quiet hours) the page came 7–15 minutes
/// after the growth over 40 seeds each (a window needs about 5 minutes to cross, the surge 5
/// blocked periods more, and noise under the line restarts it); the 20-minute bound was set
/// after measuring (9–17 minutes with the rule first written). Ten seeds each here, and the
/// ticket before the growth.
#[test]
fn f1_an_incident_that_grows_into_a_block_pages() {
    let runs = f1_at_300_calls_a_minute(900, |m| match m {
        ..600 => 0.0005,
        600..645 => 0.015,
        _ => 0.12,
    });
    for F1Run {
        name,
        seed,
        findings,
        ..
    } in &runs
    {
        let first = |severity| findings.iter().find(|f| f.severity == severity);
        let (ticket, page) = (first(Severity::Ticket), first(Severity::Page));
        assert!(
            ticket.is_some_and(|t| t.end < minute(645)),
            "{name} seed {seed}: {findings:#?}"
        );
        assert!(
            page.is_some_and(|p| p.end >= minute(645) && p.end <= minute(665)),
            "{name} seed {seed}: {findings:#?}"
        );
    }
}

/// One run of F1 over `minutes` at about 300 calls a minute along a NAB shape.
struct F1Run {
    name: &'static str,
    seed: u64,
    detector: ApiThrottling,
    findings: Vec<Finding>,
}

/// F1 at 300 calls a minute along the ELB and a flat EC2 shape, ten seeds each, each minute's
/// calls Poisson and its throttles Poisson at `share(minute)` of them.
fn f1_at_300_calls_a_minute(minutes: usize, share: impl Fn(usize) -> f64) -> Vec<F1Run> {
    let mut runs = Vec::new();
    for (name, csv) in [
        ("elb_request_count_8c0756", ELB),
        ("ec2_cpu_utilization_5f5533", EC2),
    ] {
        let shape = background(name, csv);
        for seed in 0..10 {
            let mut detector = lambda_f1();
            let mut rng = failure_modes::scenarios::Rng::new(seed);
            let mut findings = Vec::new();
            for m in 0..minutes {
                let calls = rng.poisson(300.0 * shape.at(m));
                let throttled = rng.poisson(calls * share(m));
                findings.extend(detector.push(throttle_sample(m, calls, throttled)).unwrap());
            }
            runs.push(F1Run {
                name,
                seed,
                detector,
                findings,
            });
        }
    }
    runs
}

fn lambda_f1() -> ApiThrottling {
    ApiThrottling::new(ThrottleSignal::lambda("api").unwrap(), Default::default()).unwrap()
}

fn minute(m: usize) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_791_158_400, 0).unwrap() + TimeDelta::minutes(m as i64)
}

fn throttle_sample(m: usize, calls: f64, throttled: f64) -> failure_modes::ThrottleSample {
    failure_modes::ThrottleSample {
        at: minute(m),
        calls,
        throttled,
    }
}

/// F7 lost the page when the access spike started before the hourly exposure scan saw the
/// bucket public, kept restarting its warm-up on sparse buckets (minutes without requests
/// publish nothing), and only ticketed a public bucket. Now: a public bucket pages (a security
/// incident), a spike is reported with the scan that reveals the exposure, silences are zero
/// requests.
#[test]
fn f7_exposure_and_access_in_either_order_on_real_noise() {
    let tally = tally(
        3,
        |b, seed| gameday::bucket_leak(b, seed).unwrap(),
        |drill| {
            let mut f7 =
                PublicDataLeak::new(BucketExposure::new("exports"), Default::default()).unwrap();
            let mut found = Vec::new();
            for input in &drill.inputs {
                match input {
                    BucketDrillInput::Access(sample) => found.extend(f7.push(*sample).unwrap()),
                    BucketDrillInput::Scan(at, facts) => {
                        found.extend(f7.scan(*at, facts.clone()).unwrap());
                    }
                }
            }
            found
        },
    );
    assert!(tally.incidents >= 20, "{}", tally.incidents);
    assert_clean(&tally, 0.1);
}

/// Feeds an F7 drill's inputs (minutes of requests, hourly scans) and returns the findings.
fn run_f7(inputs: &[BucketDrillInput]) -> Vec<Finding> {
    let mut f7 = PublicDataLeak::new(BucketExposure::new("exports"), Default::default()).unwrap();
    let mut found = Vec::new();
    for input in inputs {
        match input {
            BucketDrillInput::Access(sample) => found.extend(f7.push(*sample).unwrap()),
            BucketDrillInput::Scan(at, facts) => found.extend(f7.scan(*at, facts.clone()).unwrap()),
        }
    }
    found
}

/// The spike findings of F7 (the exposure finding's detail starts with "bucket is public").
fn spikes(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.evidence.detail.contains("requests a minute"))
        .collect()
}

/// F7 paged the first bursts of a bucket already public when watching began (the second and
/// third blind game days: most of their F7 false alarms): nothing was known of its traffic,
/// so each burst at a new hour topped the record. Its exposure pages at once; its spikes are
/// reported from a day after the first sample. On the two bursty backgrounds (reads following
/// the series, 20 a minute at its median, at most 8 times that), public from the first minute,
/// downloaded at 600 a minute for 30 minutes at 15:00 on day 2: no spike is reported in the
/// first day, and the download is. (Whatever the rule, the network background's own burst at
/// 07:09 on day 2 pages too: larger than any minute of the day before, at an hour of its own,
/// it is a spike by the rule.)
#[test]
fn f7_a_bucket_public_from_the_start_pages_its_leak_not_its_first_bursts_on_real_noise() {
    let start = public_from_start();
    let leak = start + TimeDelta::hours(24 + 15);
    for background in [
        background("ec2_network_in_257a54", NETWORK),
        background("ec2_cpu_utilization_fe7f93", ONOFF_CPU),
    ] {
        let found = run_f7(&public_bucket_reads(&background, 3, |at| {
            (at >= leak && at < leak + TimeDelta::minutes(30)).then_some(600.0)
        }));
        let starts: Vec<_> = spikes(&found).iter().map(|f| f.start).collect();
        assert!(
            starts.contains(&leak) && starts.iter().all(|s| *s >= start + TimeDelta::days(1)),
            "{}: {found:#?}",
            background.name()
        );
    }
}

/// Where the public-from-the-start drills begin: Monday 2026-11-02.
fn public_from_start() -> chrono::DateTime<chrono::Utc> {
    chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 2, 0, 0, 0).unwrap()
}

/// `days` of reads of a bucket public from the first minute (a scan says so), following
/// `background` at 20 a minute at its median and at most 160, except where `download` gives
/// the minute's reads.
fn public_bucket_reads(
    background: &Background,
    days: i64,
    download: impl Fn(chrono::DateTime<chrono::Utc>) -> Option<f64>,
) -> Vec<BucketDrillInput> {
    let start = public_from_start();
    let mut public = BucketExposure::new("exports");
    public.policy_is_public = Some(true);
    let mut inputs = vec![BucketDrillInput::Scan(start, public)];
    for minute in 0..days * 1440 {
        let at = start + TimeDelta::minutes(minute);
        let usual = (20.0 * background.at(minute as usize))
            .clamp(0.0, 160.0)
            .round();
        inputs.push(BucketDrillInput::Access(failure_modes::AccessSample {
            at,
            requests: download(at).unwrap_or(usual),
        }));
    }
    inputs
}

/// The fourth and eighth blind game days: a bucket public from the start (its exposure paged
/// at once), read in the bursts of a real series, paged a new burst about once a week, for
/// its spikes were never learned (121 false alarms in the fourth round). Bursts that are not
/// reported — the first day's, habits, repeats — now join the record of the busiest minutes
/// once over, as a private bucket's do. Two weeks of each bursty background with no leak:
/// the on/off CPU shape 7 spikes before, 0 since (asked at most 1); the network shape 2
/// either way (asked at most 2, one a week; the bounds set after measuring).
#[test]
fn f7_a_bursty_public_bucket_learns_its_bursts_on_real_noise() {
    for (background, most) in [
        (background("ec2_network_in_257a54", NETWORK), 2),
        (background("ec2_cpu_utilization_fe7f93", ONOFF_CPU), 1),
    ] {
        let found = run_f7(&public_bucket_reads(&background, 14, |_| None));
        let pages = spikes(&found).len();
        println!("{}: {pages} spikes in two weeks", background.name());
        assert!(pages <= most, "{}: {found:#?}", background.name());
    }
}

/// The either-order half of the F7 defect, which the tally above cannot see (the exposure
/// page from the next scan alone detects those drills): a download that began after the
/// bucket was made public but before the hourly scan saw it is reported as a spike, with its
/// own start, when the scan sees the bucket public. On each background (reads following the
/// series, 20 a minute at its median, at most 4 times that), private for three days with
/// hourly scans, made public at 03:00, downloaded at 400 a minute from 03:10 to 03:50 (above
/// every minute of the week, so a spike by the rule), seen public by the 04:00 scan. The
/// download's minutes used to enter the record of the busiest minutes while the bucket
/// looked private, so the second minute no longer topped the first and the spike was never
/// sustained.
#[test]
fn f7_a_download_before_the_scan_is_reported_with_its_own_start_on_real_noise() {
    let day3 = |h: i64, m: i64| {
        chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 5, 0, 0, 0).unwrap()
            + TimeDelta::hours(h)
            + TimeDelta::minutes(m)
    };
    let start = day3(-72, 0);
    for background in backgrounds() {
        let mut public = BucketExposure::new("exports");
        public.policy_is_public = Some(true);
        let mut inputs = Vec::new();
        for minute in 0..(72 + 5) * 60 {
            let at = start + TimeDelta::minutes(minute);
            if minute % 60 == 0 {
                let facts = if at > day3(3, 0) {
                    public.clone()
                } else {
                    BucketExposure::new("exports")
                };
                inputs.push(BucketDrillInput::Scan(at, facts));
            }
            let usual = (20.0 * background.at(minute as usize))
                .clamp(0.0, 80.0)
                .round();
            let download = at >= day3(3, 10) && at < day3(3, 50);
            inputs.push(BucketDrillInput::Access(failure_modes::AccessSample {
                at,
                requests: if download { 400.0 } else { usual },
            }));
        }
        let found = run_f7(&inputs);
        let spikes = spikes(&found);
        assert_eq!(spikes.len(), 1, "{}: {found:#?}", background.name());
        let spike = spikes[0];
        assert!(
            spike.start >= day3(3, 10) && spike.start <= day3(3, 12) && spike.end == day3(4, 0),
            "{}: {spike:#?}",
            background.name()
        );
    }
}

/// The sparse-bucket half of the F7 defect: a bucket read a few times a day (the NAB shape at
/// about six reads a day, minutes without requests publishing nothing, gaps of hours) keeps
/// its history, so a 30-minute download a week later — shorter than the warm-up — is judged
/// and reported, with its start.
#[test]
fn f7_a_sparse_bucket_keeps_its_warm_up_on_real_noise() {
    use chrono::TimeZone;
    use failure_modes::scenarios::Rng;
    for background in backgrounds() {
        for seed in 0..3 {
            let mut rng = Rng::new(seed);
            let mut facts = BucketExposure::new("exports");
            facts.policy_is_public = Some(true);
            let mut f7 = PublicDataLeak::new(facts, Default::default()).unwrap();
            let t0 = chrono::Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0).unwrap();
            let download = 7 * 1440 + 13 * 60 + 17;
            let samples = (0..8 * 1440).filter_map(|m| {
                let rate = if (download..download + 30).contains(&m) {
                    30.0
                } else {
                    0.004 * background.at(m)
                };
                let requests = rng.poisson(rate);
                (requests > 0.0).then(|| AccessSample {
                    at: t0 + TimeDelta::minutes(m as i64),
                    requests,
                })
            });
            let found = f7.detect(samples).unwrap();
            let name = background.name();
            assert_eq!(found.len(), 2, "{name} seed {seed}: {found:#?}");
            let spikes = spikes(&found);
            assert_eq!(spikes.len(), 1, "{name} seed {seed}: {found:#?}");
            let start = (spikes[0].start - t0).num_minutes();
            assert!(
                (download as i64..download as i64 + 3).contains(&start),
                "{name} seed {seed}: {start} {:#?}",
                spikes[0]
            );
        }
    }
}

/// F8 compared a partial day's spend with a whole day's trend (a 2.5× day read as 1.7×; 2.2×
/// for three days and exactly 2× were missed; a 10× day only ticketed), and knew nothing of
/// one-off charges. Now: like with like (today so far, the last 24 hours and the shortest
/// recent stretch holding a quarter of a day, each against what the readings usually show
/// for it, weekdays and publication lag learned), the month's reset found in the values, a
/// declared annual fee taken out.
#[test]
fn f8_like_with_like_on_real_noise() {
    let mut tally = Tally::default();
    for background in backgrounds() {
        for seed in 0..3 {
            for (one_offs, drill) in gameday::charges(&background, seed).unwrap() {
                let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
                for charge in one_offs {
                    f8.declare(charge).unwrap();
                }
                let found = f8.detect(drill.inputs.clone()).unwrap();
                tally.add(&drill, &found);
            }
        }
    }
    // Measured on these backgrounds: 32 of 36 found, 30 with the expected severity, 0.18 false
    // alarms a week: short of the targets (95 %, 0.1) and said so in docs/detectors.md; this
    // holds the line against regressions.
    assert!(tally.incidents >= 30, "{}", tally.incidents);
    assert!(
        tally.detected as f64 >= 0.85 * tally.incidents as f64
            && tally.severity_agrees as f64 >= 0.9 * tally.detected as f64
            && tally.false_alarms_per_week() <= 0.2,
        "{} of {} detected, {} with the expected severity, {:.3} false alarms a week:\n{}",
        tally.detected,
        tally.incidents,
        tally.severity_agrees,
        tally.false_alarms_per_week(),
        tally.notes.join("\n")
    );
}

/// Month-to-date charges from a real background's shape, published as AWS does (every 6
/// hours, showing usage up to 4 hours before), `base` a day; `runaway` multiplies the usage of
/// a span; `fee` lands with the first usage of 1 November.
fn billed(
    background: &Background,
    base: f64,
    runaway: Option<(chrono::DateTime<chrono::Utc>, TimeDelta, f64)>,
    fee: f64,
) -> Vec<failure_modes::ChargeSample> {
    use chrono::{Datelike, TimeZone, Utc};
    let start = Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0).unwrap();
    let lag = TimeDelta::hours(4);
    let (mut month, mut total, mut usage_at) = (10, 0.0, start - lag);
    let mut readings = Vec::new();
    let mut at = start + TimeDelta::hours(2);
    while at < start + TimeDelta::days(42) {
        while usage_at < at - lag {
            if usage_at.month() != month {
                (month, total) = (usage_at.month(), fee);
            }
            let minute = (usage_at - start).num_minutes().max(0) as usize;
            let times = runaway
                .filter(|(from, span, _)| usage_at >= *from && usage_at < *from + *span)
                .map_or(1.0, |(_, _, times)| times);
            total += base / 144.0 * background.at(minute).min(4.0) * times;
            usage_at += TimeDelta::minutes(10);
        }
        readings.push(failure_modes::ChargeSample {
            at,
            estimated_charges: total,
        });
        at += TimeDelta::hours(6);
    }
    readings
}

/// F8 found the month's reset only as a fall in the readings: a declared one-off charge on the
/// 1st larger than the whole old month (an annual fee on a small account) hid the fall, the
/// new month's first reading was read as the old month going on, the fee was never taken out
/// and the 1st was paged as a runaway of some hundred times its trend. Now the reading nearer
/// the declared charge than the last reading is the new month's. A runaway on that same day
/// must still be paged.
#[test]
fn f8_a_fee_larger_than_the_old_month_on_real_noise() {
    use chrono::{NaiveDate, TimeZone, Utc};
    use failure_modes::{OneOffCharge, Severity};
    let november = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
    for background in backgrounds() {
        let fee = || OneOffCharge {
            day: november,
            // Two months of spend: more than October's total whatever the shape.
            amount: 2.0 * 31.0 * 4.0 * 10.0,
            description: "Support, annual".into(),
        };
        let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
        f8.declare(fee()).unwrap();
        let clean = f8
            .detect(billed(&background, 10.0, None, fee().amount))
            .unwrap();
        assert!(
            !clean.iter().any(|f| f.end.date_naive() == november),
            "{}: {clean:?}",
            background.name()
        );
        let from = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
        f8.declare(fee()).unwrap();
        let found = f8
            .detect(billed(
                &background,
                10.0,
                Some((from, TimeDelta::days(1), 10.0)),
                fee().amount,
            ))
            .unwrap();
        assert!(
            found.iter().any(|f| f.severity == Severity::Page
                && f.end >= from
                && f.end <= from + TimeDelta::days(2)),
            "{}: {found:?}",
            background.name()
        );
    }
}

/// Issue 22: a known one-off charge must not raise a cost anomaly, and one dated outside the
/// range asked for is a typed error naming it.
#[test]
fn f8_one_off_charges() {
    use aws_telemetry::{InMemorySource, TimeRange};
    use chrono::{NaiveDate, TimeZone, Utc};
    use failure_modes::{ChargeSample, Error, MetricDetector, OneOffCharge};

    let day = NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
    let fee = || OneOffCharge {
        day,
        amount: 3000.0,
        description: "Reserved instances, 1 year upfront".into(),
    };
    // 100 a day, hourly readings; on the 18th the fee lands at 09:00.
    let start = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let mut total = 0.0;
    let readings: Vec<ChargeSample> = (0..24 * 24)
        .map(|h| {
            let at = start + TimeDelta::hours(h);
            total += 100.0 / 24.0;
            if at == day.and_hms_opt(9, 0, 0).unwrap().and_utc() {
                total += 3000.0;
            }
            ChargeSample {
                at,
                estimated_charges: total,
            }
        })
        .collect();
    let undeclared = CostRunaway::new("USD", Default::default())
        .unwrap()
        .detect(readings.clone())
        .unwrap();
    assert!(
        undeclared.iter().any(|f| f.end.date_naive() == day),
        "the fee undeclared is a runaway: {undeclared:?}"
    );
    let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
    f8.declare(fee()).unwrap();
    let declared = f8.detect(readings).unwrap();
    assert!(declared.is_empty(), "{declared:?}");

    // Declared for a day already judged, or outside the range fetched: typed errors naming it.
    let err = f8.declare(fee()).unwrap_err();
    assert!(
        matches!(&err, Error::OneOffCharge { description, .. } if description.starts_with("Reserved")),
        "{err}"
    );
    let mut f8 = CostRunaway::new("USD", Default::default()).unwrap();
    f8.declare(OneOffCharge {
        day: NaiveDate::from_ymd_opt(2062, 11, 1).unwrap(),
        ..fee()
    })
    .unwrap();
    let range = TimeRange::new(start, start + TimeDelta::days(30)).unwrap();
    let err = f8.check_range(&range).unwrap_err();
    assert!(err.to_string().contains("a wrong year"), "{err}");
    let err = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(failure_modes::run(&mut f8, &InMemorySource::new(), range))
        .unwrap_err();
    assert!(matches!(err, Error::OneOffCharge { .. }), "{err}");
}

/// F4 paged on ordinary workloads (7.7 false alarms per detector-week): its hourly Poisson test
/// around a running mean took an application's daily peak and every CI deploy burst for a
/// compromise. Now: per-principal peaks by hour of day (weekdays and weekends apart), a
/// principal's own bursts at any hour are its habit (a reported hour is learned once it is
/// over:
/// `blind_gameday::f4_a_habit_that_grows_for_good_pages_once`).
#[test]
fn f4_habits_on_real_noise() {
    // One seed (the quietest traffic level): three weeks of CloudTrail per drill is the
    // slowest of these tests in a debug build.
    let tally = tally(
        1,
        |b, seed| gameday::audit_trail(b, seed).unwrap(),
        |drill| {
            CredentialCompromise::new(Default::default())
                .unwrap()
                .detect(drill.inputs.clone())
                .unwrap()
        },
    );
    assert!(tally.incidents >= 12, "{}", tally.incidents);
    assert_clean(&tally, 0.1);
    assert!(tally.delay_quantile(0.9).unwrap() <= TimeDelta::minutes(15));
}

/// F2 was blind for about two hours after a gap of more than 30 minutes (it forgot every
/// zone's latency) and had no minimum-traffic guard (night-time p95 noise paged). Now: a
/// silence ends incidents but keeps the zones' baselines, latency is judged from 20 requests a
/// period, 5xx are summed over five periods, 4 of 5 periods sustain.
#[test]
fn f2_survives_gaps_and_low_traffic_on_real_noise() {
    let tally = tally(
        3,
        |b, seed| gameday::partition(b, seed).unwrap(),
        |drill| {
            let signal = ZoneSignal::alb("app/shop/1", &["a", "b", "c"]).unwrap();
            NetworkPartition::new(signal, Default::default())
                .unwrap()
                .detect(drill.inputs.clone())
                .unwrap()
        },
    );
    assert!(tally.incidents >= 30, "{}", tally.incidents);
    assert!(
        tally
            .notes
            .iter()
            .all(|n| !n.contains("after an hour of silence")),
        "{:#?}",
        tally.notes
    );
    assert_clean(&tally, 0.1);
}

/// Three zones at about 40 requests a minute each along a NAB shape, 0.05 % 5xx, for three
/// days; when `failing`, zone b fails 1.5 % of its requests for 30 minutes from day 2, 12:00.
/// Returns the findings.
fn zones_at_low_traffic(traffic: &Background, seed: u64, failing: bool) -> Vec<Finding> {
    f2_over_three_zones(3 * 1440, seed, |m, z, rng| {
        let requests = rng.poisson(40.0 * traffic.at(m));
        let share = if failing && z == 1 && (2160..2190).contains(&m) {
            0.015
        } else {
            0.0005
        };
        let latency = 0.12 * (0.1 * rng.normal()).exp();
        (
            latency,
            requests,
            rng.poisson(requests * share).min(requests),
        )
    })
}

/// The fourth blind game day: a zone failing 1.5 % of 40 requests a minute for 30 minutes
/// was never paged on 5 of 10 seeds. A period counted as failing only with an error of its
/// own, which at 0.6 errors a minute holds under half the time, and the sustain rule asks 4 of
/// 5. The newer half of the 5-minute window now has to fail instead; and so that two stray
/// errors in 140 requests do not page, the 5xx must be improbable at the zone's own usual rate
/// as well as at the peers' (at this traffic their five minutes often hold no error, and the
/// floor of 0.01 % alone made those two errors improbable). On two NAB shapes, ten seeds each:
/// no finding in three clean days, and the failing zone paged within its 30 minutes. Measured
/// when the test was written: 17 of 20 paged in time (10 and 7), against 14 (10 and 4) before
/// the change; the bound of 16 was set after measuring.
#[test]
fn f2_a_zone_failing_at_low_traffic_is_paged_and_stray_errors_are_not() {
    let mut paged = 0;
    for (name, csv) in [
        ("elb_request_count_8c0756", ELB),
        ("ec2_cpu_utilization_5f5533", EC2),
    ] {
        let shape = background(name, csv);
        for seed in 0..10 {
            let clean = zones_at_low_traffic(&shape, seed, false);
            assert!(clean.is_empty(), "{name} seed {seed}: {clean:#?}");
            let failing = zones_at_low_traffic(&shape, seed, true);
            let onset = zones_t0() + TimeDelta::minutes(2160);
            let page = failing
                .iter()
                .find(|f| f.subject.ends_with('b') && f.end >= onset);
            if page.is_some_and(|p| p.end <= onset + TimeDelta::minutes(30)) {
                paged += 1;
            }
        }
    }
    assert!(paged >= 16, "{paged} of 20 paged within the incident");
}

/// Three zones behind one load balancer, one sample a minute for `days` over `traffic`: each
/// zone takes `rate` × the shape in requests; latency grows with load, the same in every zone
/// (80 ms, + 20 % per unit of load up to 5), times each zone's own sampling noise (a p95 of
/// fewer requests is noisier). From hour 6, every 12 hours one zone (in turn) is ×1.6 slower
/// for 45 minutes when `incidents`. Returns the incidents missed and the findings outside them.
fn zones_through_bursts(
    traffic: &Background,
    days: usize,
    rate: f64,
    incidents: bool,
) -> (Vec<String>, Vec<Finding>) {
    let t0 = zones_t0();
    let slow_zone = |m: usize| {
        (incidents && m >= 360 && (m - 360) % 720 < 45).then(|| (m - 360) / 720 % ZONES.len())
    };
    let found = f2_over_three_zones(days * 1440, 3, |m, z, rng| {
        let shape = traffic.at(m);
        let requests = rng.poisson(rate * shape);
        let noise = 0.05 + 0.6 / requests.max(1.0).sqrt();
        let slow = if slow_zone(m) == Some(z) { 1.6 } else { 1.0 };
        let latency = 0.08 * (1.0 + 0.2 * shape.min(5.0)) * slow * (noise * rng.normal()).exp();
        (latency, requests, 0.0)
    });
    let mut missed = Vec::new();
    let mut matched = vec![false; found.len()];
    for start in (360..days * 1440).step_by(720).filter(|_| incidents) {
        let (from, to) = (
            t0 + TimeDelta::minutes(start as i64),
            t0 + TimeDelta::minutes(start as i64 + 55),
        );
        let zone = ZONES[slow_zone(start).unwrap()];
        let hit = found
            .iter()
            .position(|f| f.subject == zone && f.end >= from && f.end <= to);
        match hit {
            Some(i) => matched[i] = true,
            None => missed.push(format!("{zone} at {from}")),
        }
    }
    let others = found
        .into_iter()
        .zip(matched)
        .filter(|(_, m)| !m)
        .map(|(f, _)| f)
        .collect();
    (missed, others)
}

/// F2 missed ×1.6 one-zone latency on bursty backgrounds (8 of the game days' 12 misses): it
/// asked the zone to be 4 robust σ above its *own* 2-hour median latency, and on a bursty
/// background that σ is inflated by the traffic-driven swings that move every zone alike.
/// Now a zone may also be judged by its ratio to its peers' median, whose spread a burst
/// leaves where it was, whichever of the two its history shows to be the tighter. At 100
/// requests a zone and minute: on the bursty stretch of `ec2_network_in_257a54` (hourly
/// bursts to 14× its median) the old rule missed 5 of these 10 incidents; on its calm
/// stretch, where the ratio carries the peers' sampling noise too and the zone's own latency
/// is the tighter, the ratio alone missed 3 of 14 and nothing is lost now. The same traffic
/// without incidents raises nothing.
#[test]
fn f2_judges_a_zone_against_its_peers_through_traffic_bursts() {
    let stretches = stretches("ec2_network_in_257a54", NETWORK);
    let bursty = Background::new("bursty", &stretches[0]).unwrap();
    let calm = background("ec2_network_in_257a54", NETWORK);
    for (traffic, days) in [(&bursty, 5), (&calm, 7)] {
        let (missed, others) = zones_through_bursts(traffic, days, 100.0, true);
        assert!(
            missed.is_empty() && others.is_empty(),
            "{}: missed {missed:?}; other findings {others:#?}",
            traffic.name()
        );
        let (_, clean) = zones_through_bursts(traffic, days, 100.0, false);
        assert!(clean.is_empty(), "{}: {clean:#?}", traffic.name());
    }
}

/// F3 extrapolated short trends through normal ramps and re-ticketed "exhaustion now" after a
/// leak was fixed. Now: the daily peak is trended and only near it, and a nightly batch climb
/// is not growth.
#[test]
fn f3_leaks_and_ramps_on_real_noise() {
    let tally = tally(
        3,
        |b, seed| gameday::quota(b, seed).unwrap(),
        |drill| {
            let signal =
                QuotaSignal::resource_count("vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand")
                    .unwrap();
            ServiceQuotaHit::new(signal, Default::default())
                .unwrap()
                .detect(drill.inputs.clone())
                .unwrap()
        },
    );
    assert!(tally.incidents >= 25, "{}", tally.incidents);
    assert_clean(&tally, 0.1);
}

/// F3 read a deploy's step in usage as a trend to exhaustion (third blind game day: a step from
/// 45 % to 70 % of the quota, up to seven tickets a drill). Usage follows a real background
/// (35 % of the quota at its median, at most 52 %), and at 09:00 on day 4 a deploy raises it
/// by 45 % for good, its peaks staying under the 80 % warning: no finding, on any background.
#[test]
fn f3_a_deploy_step_on_real_noise_is_not_a_trend() {
    use chrono::{DateTime, Duration};
    use failure_modes::QuotaSample;
    let t0 = DateTime::from_timestamp(1_791_158_400, 0).unwrap();
    let step = (4 * 24 + 9) * 12;
    for traffic in backgrounds() {
        let usage = |p: usize| {
            let raised = if p >= step { 1.45 } else { 1.0 };
            (350.0 * traffic.at(5 * p).min(1.5) * raised).round()
        };
        assert!((0..10 * 288).all(|p| usage(p) < 800.0));
        let signal =
            QuotaSignal::resource_count("vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand")
                .unwrap();
        let found = ServiceQuotaHit::new(signal, Default::default())
            .unwrap()
            .detect((0..10 * 288).map(|p| QuotaSample {
                at: t0 + Duration::minutes(5 * p as i64),
                usage: usage(p),
            }))
            .unwrap();
        assert!(found.is_empty(), "{}: {found:#?}", traffic.name());
    }
}

/// F5 was blind for about two hours after a gap of more than 30 minutes (it forgot its warm
/// baseline). Now the baseline survives silences.
#[test]
fn f5_survives_gaps_on_real_noise() {
    let tally = tally(
        3,
        |b, seed| gameday::cold_starts(b, seed).unwrap(),
        |drill| {
            ColdStartLatency::new(
                ColdStartSignal::lambda("resize").unwrap(),
                Default::default(),
            )
            .unwrap()
            .detect(drill.inputs.clone())
            .unwrap()
        },
    );
    assert!(tally.incidents >= 20, "{}", tally.incidents);
    assert_clean(&tally, 0.1);
}

/// F6 extrapolated short trends through normal ramps: a nightly batch climbing to 75 % of
/// max_connections paged every night. Now forecasts start only above what the database does at
/// that hour, and they are tickets.
/// F6's game-day drills (three seeds) on `backgrounds`, tallied.
fn f6_tally(backgrounds: impl IntoIterator<Item = Background>) -> Tally {
    let mut tally = Tally::default();
    for background in backgrounds {
        for seed in 0..3 {
            for (limit, drill) in gameday::connections(&background, seed).unwrap() {
                let signal = ConnectionSignal::rds("orders", limit).unwrap();
                let found = DbConnectionExhaustion::new(signal, Default::default())
                    .unwrap()
                    .detect(drill.inputs.clone())
                    .unwrap();
                tally.add(&drill, &found);
            }
        }
    }
    tally
}

#[test]
fn f6_nightly_batches_on_real_noise() {
    let tally = f6_tally(backgrounds());
    assert!(tally.incidents >= 25, "{}", tally.incidents);
    assert_clean(&tally, 0.1);
}

/// F6 extrapolated a burst's ramp (0.32 false alarms per detector-week on the game days): on
/// backgrounds that sit low and then burst (network traffic, an on/off CPU) the pool climbs
/// to its reserved cap within minutes, at hours it never did, and the 30-minute least-squares
/// line through the step reached the limit "within the hour". Now a forecast needs a climb
/// sustained over an hour: the whole window's line and the robust lines of both its halves
/// must rise, so a step or a plateau is no forecast. Before: 36 false alarms over 21 weeks.
#[test]
fn f6_bursts_to_a_plateau_are_no_forecast_on_real_noise() {
    let tally = f6_tally([
        background("ec2_network_in_257a54", NETWORK),
        background("ec2_cpu_utilization_fe7f93", ONOFF_CPU),
    ]);
    assert!(tally.incidents >= 18, "{}", tally.incidents);
    assert_clean(&tally, 0.1);
}

/// A leak is still forecast: connections never returned, climbing steadily from 50 % of the
/// limit on top of the real network background, are ticketed with a forecast before they
/// cross 80 %.
#[test]
fn f6_a_steady_leak_is_still_forecast_on_real_noise() {
    use failure_modes::ConnectionSample;
    let network = background("ec2_network_in_257a54", NETWORK);
    let t0 = chrono::DateTime::from_timestamp(1_791_158_400, 0).unwrap();
    let limit = 1000.0;
    let mut rng = failure_modes::scenarios::Rng::new(11);
    let mut f6 = DbConnectionExhaustion::new(
        ConnectionSignal::rds("orders", limit).unwrap(),
        Default::default(),
    )
    .unwrap();
    let leak_start = 2 * 1440;
    let mut findings = Vec::new();
    for m in 0..3 * 1440 {
        let at = t0 + TimeDelta::minutes(m as i64);
        // The pool follows the traffic (10 % of the limit at its median, at most 25 %); from
        // day 2 a leak adds 0.5 % of the limit a minute (30 % an hour: the limit is forecast
        // within the hour from 70 %, twenty minutes before the 80 % threshold).
        let leaked = if m >= leak_start {
            5.0 * (m - leak_start) as f64
        } else {
            0.0
        };
        let connections = (100.0 * network.at(m).min(2.5) + leaked + rng.poisson(2.0)).min(limit);
        findings.extend(
            f6.push(ConnectionSample {
                at,
                connections: connections.round(),
                upstream: None,
            })
            .unwrap(),
        );
    }
    let first = findings.first().expect("the leak is reported");
    assert!(
        first.end >= t0 + TimeDelta::minutes(leak_start as i64),
        "{first}"
    );
    assert!(
        first.forecast.is_some() && first.evidence.score < 0.8,
        "{first}"
    );
}

/// Issue 17: F3 and F6 reported `baseline = NaN` after values near `f64::MAX`. Values beyond
/// CloudWatch's ±2^360 are refused; the largest accepted keep every number finite.
#[test]
fn f3_f6_evidence_stays_finite_at_the_range_limit() {
    use chrono::TimeZone;
    use failure_modes::{ConnectionSample, Error, MAX_MAGNITUDE, QuotaSample};
    let t0 = chrono::Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let signal =
        QuotaSignal::resource_count("q", MAX_MAGNITUDE, "EC2", "vCPU", "Standard/OnDemand")
            .unwrap();
    let mut f3 = ServiceQuotaHit::new(signal, Default::default()).unwrap();
    let mut f6 = DbConnectionExhaustion::new(
        ConnectionSignal::rds("db", MAX_MAGNITUDE).unwrap(),
        Default::default(),
    )
    .unwrap();
    let mut findings = Vec::new();
    for i in 0..1000 {
        let at = t0 + TimeDelta::minutes(5 * i);
        let value = if i % 7 == 0 { 0.0 } else { MAX_MAGNITUDE };
        assert!(matches!(
            f3.push(QuotaSample {
                at,
                usage: f64::MAX
            }),
            Err(Error::InvalidInput { .. })
        ));
        findings.extend(f3.push(QuotaSample { at, usage: value }).unwrap());
        let sample = ConnectionSample {
            at,
            connections: value,
            upstream: Some(value),
        };
        findings.extend(f6.push(sample).unwrap());
    }
    assert!(!findings.is_empty());
    for f in &findings {
        for number in [
            f.evidence.observed,
            f.evidence.baseline,
            f.evidence.threshold,
            f.evidence.score,
        ] {
            assert!(number.is_finite(), "{f:?}");
        }
    }
}
