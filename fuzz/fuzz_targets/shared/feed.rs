//! The input reader and the observation streams of the `detectors` and `detector_configs`
//! targets: the first byte picks the detector, the rest is a sequence of observations (time
//! steps forward, sometimes back or repeated; values from the extremes of f64 as well as
//! ordinary ones; for the generic detector, gaps of missing points between values). Each push
//! gives findings or a typed error, never a panic or a hang; a detector stays usable after an
//! error; what it finds is finite and ends after it starts.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use failure_modes::{
    AccessSample, AnomalyConfig, AnomalyDetector, AnomalyKind, ApiThrottling, AuditEvent,
    BucketExposure, ChargeSample, ColdStartConfig, ColdStartLatency, ColdStartSample,
    ColdStartSignal, CompromiseConfig, ConnectionConfig, ConnectionSample, ConnectionSignal,
    CostConfig, CostRunaway, CredentialCompromise, DbConnectionExhaustion, Detector, Finding,
    Identity, LeakConfig, NetworkPartition, OneOffCharge, PartitionConfig, PublicDataLeak,
    QuotaConfig, QuotaSample, QuotaSignal, ServiceQuotaHit, ThrottleConfig, ThrottleSample,
    ThrottleSignal, ZoneObservation, ZoneSample, ZoneSignal,
};

/// Reads the input a few bytes at a time; `None` once it runs out.
pub struct Bytes<'a>(pub &'a [u8]);

impl Bytes<'_> {
    pub fn u8(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    /// The next eight bytes.
    fn bytes8(&mut self) -> Option<[u8; 8]> {
        let (first, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(*first)
    }

    /// Values that matter: the extremes and specials of f64, small counts, raw bit patterns.
    pub fn f64(&mut self) -> Option<f64> {
        Some(match self.u8()? % 12 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => -1.0,
            3 => f64::MAX,
            4 => f64::MAX / 3.0,
            5 => f64::MIN_POSITIVE,
            6 => 0.0,
            7 => 1e15,
            8..=10 => f64::from(self.u8()?),
            _ => f64::from_le_bytes(self.bytes8()?),
        })
    }

    /// Points of a gap for `AnomalyDetector::skip`, when the next byte is a skip marker (240 or
    /// above; below, a byte is left for the value it starts): the edges of a day of 5-minute
    /// points and of a week, a long gap, the saturating ones, or counts from the input.
    pub fn skip_count(&mut self) -> Option<u64> {
        let marker = self.0.first().copied().filter(|&b| b >= 240)?;
        self.u8();
        Some(match marker - 240 {
            0 => 1,
            1 => 5,
            2 => 287,
            3 => 288,
            4 => 289,
            5 => 2016,
            6 => 1_000_000,
            7 => u64::MAX / 2,
            8 => u64::MAX,
            9..=12 => u64::from(self.u8()?),
            13 | 14 => u64::from(u16::from_le_bytes([self.u8()?, self.u8()?])),
            _ => u64::from_le_bytes(self.bytes8()?),
        })
    }

    /// The next time: mostly a step forward, sometimes a repeat, a step back or a leap.
    pub fn time(&mut self, now: &mut DateTime<Utc>) -> Option<DateTime<Utc>> {
        let step = match self.u8()? % 16 {
            0 => TimeDelta::zero(),
            1 => TimeDelta::minutes(-1),
            2 => TimeDelta::days(400),
            3 => TimeDelta::seconds(1),
            _ => TimeDelta::minutes(1),
        };
        *now = now.checked_add_signed(step).unwrap_or(*now);
        Some(*now)
    }
}

/// The configuration of every detector, the defaults unless a target sets them.
#[derive(Default)]
pub struct Configs {
    pub throttle: ThrottleConfig,
    pub partition: PartitionConfig,
    pub quota: QuotaConfig,
    pub compromise: CompromiseConfig,
    pub cold_start: ColdStartConfig,
    pub connections: ConnectionConfig,
    pub leak: LeakConfig,
    pub cost: CostConfig,
    pub anomaly: AnomalyConfig,
    /// Whether F8's stream declares one-off charges between readings.
    pub one_off_charges: bool,
}

/// What every finding must hold to.
fn check(finding: &Finding) {
    assert!(
        finding.end >= finding.start,
        "a finding that ends before it starts"
    );
    let e = &finding.evidence;
    for (what, value) in [
        ("observed", e.observed),
        ("baseline", e.baseline),
        ("threshold", e.threshold),
        ("score", e.score),
    ] {
        assert!(
            value.is_finite(),
            "{:?} finding with {what} {value}: {}",
            finding.mode,
            e.detail
        );
    }
}

/// Pushes every observation `next` reads until the input runs out (at most `max` of them);
/// errors are fine, panics are not.
fn feed<D: Detector>(detector: D, max: usize, next: impl FnMut(&mut D) -> Option<D::Input>) {
    feed_checked(detector, max, next, |_| {});
}

/// [`feed`], with `after` checking the detector after each push, accepted or refused.
fn feed_checked<D: Detector>(
    mut detector: D,
    max: usize,
    mut next: impl FnMut(&mut D) -> Option<D::Input>,
    mut after: impl FnMut(&D),
) {
    let mut pushes = 0;
    while let Some(input) = next(&mut detector) {
        if let Ok(findings) = detector.push(input) {
            findings.iter().for_each(check);
        }
        after(&detector);
        pushes += 1;
        if pushes > max {
            break;
        }
    }
}

/// Builds detector `which` (of 10) from `configs` and feeds it what `input` holds, at most
/// `max` observations. A detector the configuration refuses is a typed error: nothing to run.
pub fn run(which: u8, configs: &Configs, input: &mut Bytes, max: usize) {
    let mut now = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let now = &mut now;
    match which % 10 {
        0 => {
            let Ok(d) = ApiThrottling::new(ThrottleSignal::lambda("f").unwrap(), configs.throttle)
            else {
                return;
            };
            let floor = configs.throttle.floor_rate();
            feed_checked(
                d,
                max,
                |_| {
                    Some(ThrottleSample {
                        at: input.time(now)?,
                        calls: input.f64()?,
                        throttled: input.f64()?,
                    })
                },
                // The rate learnt is a share of throttled calls, never under the floor.
                |d| {
                    let rate = d.baseline_rate();
                    assert!(
                        rate.is_finite() && (floor..=1.0).contains(&rate),
                        "baseline_rate {rate} (floor {floor})"
                    );
                },
            )
        }
        1 => {
            let Ok(d) = NetworkPartition::new(
                ZoneSignal::alb("app/x/1", &["a", "b", "c"]).unwrap(),
                configs.partition,
            ) else {
                return;
            };
            feed(d, max, |_| {
                let at = input.time(now)?;
                let zones = (0..input.u8()? % 4)
                    .map(|_| {
                        Some(ZoneObservation {
                            zone: ["a", "b", "c", "d"][usize::from(input.u8()? % 4)].into(),
                            latency: if input.u8()? % 4 == 0 {
                                None
                            } else {
                                Some(input.f64()?)
                            },
                            requests: input.f64()?,
                            errors: input.f64()?,
                        })
                    })
                    .collect::<Option<Vec<_>>>()?;
                Some(ZoneSample { at, zones })
            })
        }
        2 => {
            let Ok(d) = ServiceQuotaHit::new(
                QuotaSignal::resource_count("q", 10.0, "EC2", "vCPU", "Standard/OnDemand").unwrap(),
                configs.quota,
            ) else {
                return;
            };
            feed(d, max, |_| {
                Some(QuotaSample {
                    at: input.time(now)?,
                    usage: input.f64()?,
                })
            })
        }
        3 => {
            let Ok(d) = CredentialCompromise::new(configs.compromise) else {
                return;
            };
            feed(d, max, |_| {
                let at = input.time(now)?;
                let pick = |i: u8, from: &[&str]| from[usize::from(i) % from.len()].to_string();
                let name = pick(
                    input.u8()?,
                    &[
                        "CreateAccessKey",
                        "GetObject",
                        "ConsoleLogin",
                        "AssumeRole",
                        "ListBuckets",
                    ],
                );
                let region = pick(input.u8()?, &["us-east-1", "eu-west-1", "ap-south-1", ""]);
                let user = pick(input.u8()?, &["alice", "bob", "ci", ""]);
                let mut event = AuditEvent::new(
                    at,
                    "iam.amazonaws.com",
                    name,
                    region,
                    "198.51.100.9",
                    Identity::new("IAMUser").with_user_name(user),
                );
                if input.u8()? % 3 == 0 {
                    event.error_code = Some("AccessDenied".into());
                }
                Some(event)
            })
        }
        4 => {
            let Ok(d) =
                ColdStartLatency::new(ColdStartSignal::lambda("f").unwrap(), configs.cold_start)
            else {
                return;
            };
            feed(d, max, |_| {
                Some(ColdStartSample {
                    at: input.time(now)?,
                    p95_ms: input.f64()?,
                    concurrency: input.f64()?,
                    init_ms: if input.u8()? % 2 == 0 {
                        None
                    } else {
                        Some(input.f64()?)
                    },
                })
            })
        }
        5 => {
            let Ok(d) = DbConnectionExhaustion::new(
                ConnectionSignal::rds("db", 100.0).unwrap(),
                configs.connections,
            ) else {
                return;
            };
            feed(d, max, |_| {
                Some(ConnectionSample {
                    at: input.time(now)?,
                    connections: input.f64()?,
                    upstream: if input.u8()? % 2 == 0 {
                        None
                    } else {
                        Some(input.f64()?)
                    },
                })
            })
        }
        6 => {
            let facts =
                BucketExposure::new("b").with_policy_is_public(input.u8().unwrap_or(0) % 2 == 0);
            let Ok(d) = PublicDataLeak::new(facts, configs.leak) else {
                return;
            };
            feed(d, max, |_| {
                Some(AccessSample {
                    at: input.time(now)?,
                    requests: input.f64()?,
                })
            })
        }
        7 => {
            let Ok(d) = CostRunaway::new("USD", configs.cost) else {
                return;
            };
            feed(d, max, |d| {
                if configs.one_off_charges && input.u8()? % 4 == 0 {
                    // A charge declared for a day around the next reading's: refused (past,
                    // not finite, too many) or taken out of that day's spend.
                    let day = now.date_naive() + TimeDelta::days(i64::from(input.u8()? % 8) - 2);
                    let amount = input.f64()?;
                    let _ = d.declare(OneOffCharge {
                        day,
                        amount,
                        description: "fuzz".into(),
                    });
                }
                let sample = ChargeSample {
                    at: input.time(now)?,
                    estimated_charges: input.f64()?,
                };
                assert!(
                    d.month_end_forecast().is_none_or(f64::is_finite),
                    "{:?}",
                    d.month_end_forecast()
                );
                Some(sample)
            })
        }
        _ => {
            let Ok(mut anomaly) = AnomalyDetector::new(configs.anomaly) else {
                return;
            };
            let mut pushes = 0;
            loop {
                // Missing points between values, when the input says so: the index moves on by
                // the gap (saturating), whatever the season.
                while let Some(count) = input.skip_count() {
                    let before = anomaly.next_index();
                    anomaly.skip(count);
                    assert_eq!(
                        anomaly.next_index(),
                        before.saturating_add(count),
                        "skip({count}) from {before}"
                    );
                }
                let Some(value) = input.f64() else {
                    break;
                };
                let before = anomaly.next_index();
                let pushed = anomaly.push(value);
                let after = anomaly.next_index();
                // An accepted value takes the next index; a refused one moves nothing.
                let expected = if pushed.is_ok() {
                    before.saturating_add(1)
                } else {
                    before
                };
                assert_eq!(
                    after, expected,
                    "next_index after pushing {value} at {before}"
                );
                if let Ok(Some(found)) = pushed {
                    let z = match found.kind {
                        AnomalyKind::Spike { z } | AnomalyKind::Shift { z, .. } => z,
                        _ => 0.0,
                    };
                    assert!(
                        found.value.is_finite() && found.baseline.is_finite() && z.is_finite(),
                        "{found:?}"
                    );
                    // The alert is the value just pushed, behind the next index, but at the
                    // saturated end, where the index stays at u64::MAX (documented).
                    assert_eq!(found.index, before, "{found:?}");
                    assert!(
                        found.index < after || after == u64::MAX,
                        "{found:?} at next_index {after}"
                    );
                }
                pushes += 1;
                if pushes > max {
                    break;
                }
            }
        }
    }
}
