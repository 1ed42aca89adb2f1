//! The failure-mode detectors fed arbitrary push sequences: the first byte picks the detector,
//! the rest is a sequence of observations (time steps forward, sometimes back or repeated;
//! values from the extremes of f64 as well as ordinary ones). Each push gives findings or a
//! typed error, never a panic or a hang; a detector stays usable after an error.
#![no_main]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use failure_modes::{
    AccessSample, AnomalyConfig, AnomalyDetector, ApiThrottling, AuditEvent, BucketExposure,
    ChargeSample, ColdStartLatency, ColdStartSample, ColdStartSignal, ConnectionSample,
    ConnectionSignal, CostRunaway, CredentialCompromise, DbConnectionExhaustion, Detector,
    Identity, NetworkPartition, PublicDataLeak, QuotaSample, QuotaSignal, ServiceQuotaHit,
    ThrottleSample, ThrottleSignal, ZoneObservation, ZoneSample, ZoneSignal,
};
use libfuzzer_sys::fuzz_target;

/// Reads the input a few bytes at a time; `None` once it runs out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> Option<u8> {
        let (first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*first)
    }

    /// Values that matter: the extremes and specials of f64, small counts, raw bit patterns.
    fn f64(&mut self) -> Option<f64> {
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
            _ => f64::from_le_bytes([
                self.u8()?,
                self.u8()?,
                self.u8()?,
                self.u8()?,
                self.u8()?,
                self.u8()?,
                self.u8()?,
                self.u8()?,
            ]),
        })
    }

    /// The next time: mostly a step forward, sometimes a repeat, a step back or a leap.
    fn time(&mut self, now: &mut DateTime<Utc>) -> Option<DateTime<Utc>> {
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

/// Pushes every observation `next` reads until the input runs out; errors are fine, panics
/// are not.
fn feed<D: Detector>(mut detector: D, mut next: impl FnMut() -> Option<D::Input>) {
    let mut pushes = 0;
    while let Some(input) = next() {
        if let Ok(findings) = detector.push(input) {
            for f in findings {
                assert!(f.end >= f.start, "a finding that ends before it starts");
            }
        }
        pushes += 1;
        if pushes > 20_000 {
            break;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let Some(which) = input.u8() else {
        return;
    };
    let mut now = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let input = &mut input;
    let now = &mut now;
    match which % 10 {
        0 => feed(
            ApiThrottling::new(ThrottleSignal::lambda("f").unwrap(), Default::default()).unwrap(),
            || {
                Some(ThrottleSample {
                    at: input.time(now)?,
                    calls: input.f64()?,
                    throttled: input.f64()?,
                })
            },
        ),
        1 => feed(
            NetworkPartition::new(
                ZoneSignal::alb("app/x/1", &["a", "b", "c"]).unwrap(),
                Default::default(),
            )
            .unwrap(),
            || {
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
            },
        ),
        2 => feed(
            ServiceQuotaHit::new(
                QuotaSignal::resource_count("q", 10.0, "EC2", "vCPU", "Standard/OnDemand").unwrap(),
                Default::default(),
            )
            .unwrap(),
            || {
                Some(QuotaSample {
                    at: input.time(now)?,
                    usage: input.f64()?,
                })
            },
        ),
        3 => feed(
            CredentialCompromise::new(Default::default()).unwrap(),
            || {
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
            },
        ),
        4 => feed(
            ColdStartLatency::new(ColdStartSignal::lambda("f").unwrap(), Default::default())
                .unwrap(),
            || {
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
            },
        ),
        5 => feed(
            DbConnectionExhaustion::new(
                ConnectionSignal::rds("db", 100.0).unwrap(),
                Default::default(),
            )
            .unwrap(),
            || {
                Some(ConnectionSample {
                    at: input.time(now)?,
                    connections: input.f64()?,
                    upstream: if input.u8()? % 2 == 0 {
                        None
                    } else {
                        Some(input.f64()?)
                    },
                })
            },
        ),
        6 => feed(
            PublicDataLeak::new(
                BucketExposure::new("b").with_policy_is_public(input.u8().unwrap_or(0) % 2 == 0),
                Default::default(),
            )
            .unwrap(),
            || {
                Some(AccessSample {
                    at: input.time(now)?,
                    requests: input.f64()?,
                })
            },
        ),
        7 => feed(CostRunaway::new("USD", Default::default()).unwrap(), || {
            Some(ChargeSample {
                at: input.time(now)?,
                estimated_charges: input.f64()?,
            })
        }),
        _ => {
            let mut anomaly = AnomalyDetector::new(AnomalyConfig::default()).unwrap();
            let mut pushes = 0;
            while let Some(value) = input.f64() {
                let _ = anomaly.push(value);
                pushes += 1;
                if pushes > 20_000 {
                    break;
                }
            }
        }
    }
});
