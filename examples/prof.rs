#![allow(clippy::unwrap_used, missing_docs)]
use chrono::{Duration, TimeZone, Utc};
use failure_modes::scenarios::{GameDay, Incident};
use failure_modes::*;
use std::hint::black_box;

fn cpu_series(seed: u64, points: usize) -> Vec<f64> {
    let mut state = seed;
    let mut uniform = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..points)
        .map(|i| {
            let daily = (i as f64 / 1440.0 * std::f64::consts::TAU).sin();
            let (u, v) = (1.0 - uniform(), uniform());
            let noise = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
            let spike = if uniform() < 0.001 { 40.0 } else { 0.0 };
            40.0 + 15.0 * daily + 3.0 * noise + spike
        })
        .collect()
}

fn run<D: Detector>(inputs: &[D::Input], make: impl Fn() -> D, reps: usize, points: usize)
where
    D::Input: Clone,
{
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..reps {
        let mut d = make();
        for i in inputs.iter().cloned() {
            n += d.push(i).unwrap().len();
        }
    }
    let el = t.elapsed().as_secs_f64();
    println!(
        "{n} findings, {:.1} M points/s",
        (inputs.len() * points * reps) as f64 / el / 1e6
    );
}

fn main() {
    let which = std::env::args().nth(1).unwrap();
    let reps: usize = std::env::args().nth(2).map_or(5, |s| s.parse().unwrap());
    let start = Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0).unwrap();
    let week = GameDay::new(start, Duration::minutes(1), 7 * 1440, 3).unwrap();
    let incident = Incident::new(start + Duration::days(4), Duration::hours(1), 4.0);
    let zones = ["a", "b", "c"];
    match which.as_str() {
        "f2" => run(
            &week.partition(&zones, Some(incident), None),
            || {
                NetworkPartition::new(
                    ZoneSignal::alb("app/x/1", &zones).unwrap(),
                    Default::default(),
                )
                .unwrap()
            },
            reps,
            9,
        ),
        "f3" => run(
            &week.quota(1000.0, Some(incident)),
            || {
                ServiceQuotaHit::new(
                    QuotaSignal::resource_count("q", 1000.0, "EC2", "vCPU", "Standard/OnDemand")
                        .unwrap(),
                    Default::default(),
                )
                .unwrap()
            },
            reps,
            1,
        ),
        "f4" => {
            let trail = GameDay::new(start, Duration::hours(1), 14 * 24, 3).unwrap();
            let events = trail.audit_events(Some(Incident {
                magnitude: 300.0,
                ..incident
            }));
            let t = std::time::Instant::now();
            let mut n = 0;
            for _ in 0..reps {
                let mut d = CredentialCompromise::new(Default::default()).unwrap();
                for e in &events {
                    n += d.push_ref(e).unwrap().len();
                }
            }
            println!(
                "{n} findings {:.1} M events/s",
                (events.len() * reps) as f64 / t.elapsed().as_secs_f64() / 1e6
            );
        }
        "f7" => {
            let mut facts = BucketExposure::new("b");
            facts.acl_grants.push(AclGrant {
                grantee: Grantee::AllUsers,
                permission: Permission::Read,
            });
            run(
                &week.bucket_access(Some(incident)),
                || PublicDataLeak::new(facts.clone(), Default::default()).unwrap(),
                reps,
                1,
            )
        }
        "f8" => {
            let year = GameDay::new(start, Duration::hours(1), 365 * 24, 3).unwrap();
            run(
                &year.charges(Some(incident)),
                || CostRunaway::new("USD", Default::default()).unwrap(),
                reps,
                1,
            )
        }
        "anomaly" => {
            let values = cpu_series(1, 100_000);
            let t = std::time::Instant::now();
            let mut n = 0;
            for _ in 0..reps {
                let mut d = AnomalyDetector::new(AnomalyConfig::default()).unwrap();
                for &v in &values {
                    n += usize::from(d.push(v).unwrap().is_some());
                }
            }
            println!(
                "{n} alerts {:.1} M points/s",
                (values.len() * reps) as f64 / t.elapsed().as_secs_f64() / 1e6
            );
        }
        "fleet" => {
            let fleet: Vec<Vec<f64>> = (0..1000u64).map(|s| cpu_series(s, 1440)).collect();
            let t = std::time::Instant::now();
            let mut n = 0;
            for _ in 0..reps {
                for series in &fleet {
                    let mut d = AnomalyDetector::new(AnomalyConfig::default()).unwrap();
                    for &v in series {
                        n += usize::from(d.push(v).unwrap().is_some());
                    }
                }
            }
            println!(
                "{n} alerts {:.3} s per 14.4 M",
                t.elapsed().as_secs_f64() / reps as f64 * 10.0
            );
        }
        _ => panic!(),
    }
    black_box(());
}
