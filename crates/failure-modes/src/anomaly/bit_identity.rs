//! The bit-identity checker of [`AnomalyDetector`]'s hot path: a digest of everything it
//! reports (alerts, errors) and works out (the raw bits of the median, σ, z and level at every
//! judged point) over the NAB AWS series and synthetic streams under several configurations,
//! compared with the digests the code gave before the speed work of issue 16. A change meant to
//! be only faster must leave every digest as it is.
//!
//! Part of every test run (about 1.5 s in debug): `cargo test -p failure-modes --lib
//! bit_identity`. The NAB series are read from `NAB_AWS_DIR`, by default
//! `../shared/data/nab-aws/realAWSCloudwatch` beside the repository, where the other NAB tests
//! look; where that folder is absent (a packaged crate) only the synthetic digests are
//! compared, and the test says so on stderr. A mismatch prints the table of digests the code
//! gives now.

use super::*;
use crate::MAX_MAGNITUDE;
// SplitMix64 (the game days' generator), for the synthetic streams.
use crate::scenarios::Rng;

/// FNV-1a over 64-bit words: enough to tell two runs apart, no dependency.
struct Digest(u64);

impl Digest {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn word(&mut self, word: u64) {
        for byte in word.to_le_bytes() {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn float(&mut self, value: f64) {
        self.word(value.to_bits());
    }
}

const POINTS: usize = 4000;

/// Named synthetic streams: the shapes the hot path must treat alike before and after.
fn synthetic() -> Vec<(&'static str, Vec<f64>)> {
    let mut rng = Rng::new(16);
    let mut walk = 100.0;
    let random_walk = (0..POINTS)
        .map(|_| {
            walk += rng.uniform() - 0.5;
            walk
        })
        .collect();
    let flat = vec![42.0; POINTS];
    let zeros = (0..POINTS)
        .map(|i| match i % 97 {
            0 => 1.0,
            k if k % 2 == 0 => 0.0,
            _ => -0.0,
        })
        .collect();
    let spikes = (0..POINTS)
        .map(|i| {
            let noise = (rng.next_u64() % 100) as f64 / 10.0;
            if rng.next_u64().is_multiple_of(150) {
                noise * 100.0 + 500.0
            } else if i % 1000 == 999 {
                -300.0
            } else {
                50.0 + noise
            }
        })
        .collect();
    let mut level = 10.0;
    let shifts = (0..POINTS)
        .map(|i| {
            if i % 700 == 350 {
                level += (rng.uniform() - 0.4) * 40.0;
            }
            level + rng.uniform()
        })
        .collect();
    let huge = (0..POINTS)
        .map(|i| {
            let sign = if rng.next_u64().is_multiple_of(2) {
                1.0
            } else {
                -1.0
            };
            match i % 11 {
                0 => MAX_MAGNITUDE * sign,
                1 => 1e-300,
                _ => sign * MAX_MAGNITUDE * (0.9 + 0.1 * rng.uniform()),
            }
        })
        .collect();
    let near_max = (0..POINTS)
        .map(|i| {
            if i % 500 == 250 {
                MAX_MAGNITUDE
            } else {
                1e100 * (1.0 + rng.uniform())
            }
        })
        .collect();
    let daily_integers = (0..POINTS)
        .map(|i| {
            let cycle = 50.0 + 30.0 * (i as f64 / 288.0 * std::f64::consts::TAU).sin();
            (cycle + (rng.next_u64() % 20) as f64).round()
        })
        .collect();
    let subnormal = (0..POINTS)
        .map(|_| f64::from_bits(rng.next_u64() % 64))
        .collect();
    let bursts = (0..POINTS)
        .map(|i| {
            if (i / 40) % 9 == 0 {
                1e6 + (rng.next_u64() % 1000) as f64
            } else {
                0.0
            }
        })
        .collect();
    // A nightly job: the same spike at the same time each day of 288 points, which the
    // learned season comes to explain.
    let daily_job = (0..POINTS)
        .map(|i| {
            let job = if i % 288 == 100 {
                30.0 + (i / 288) as f64
            } else {
                0.0
            };
            10.0 + rng.uniform() + job
        })
        .collect();
    // Refused values in the middle of a stream: the detector must be unchanged after each.
    let with_bad = (0..POINTS)
        .map(|i| match i % 613 {
            7 => f64::NAN,
            8 => f64::INFINITY,
            9 => MAX_MAGNITUDE * 2.0,
            _ => 20.0 + (rng.next_u64() % 7) as f64,
        })
        .collect();
    vec![
        ("random_walk", random_walk),
        ("flat", flat),
        ("signed_zeros", zeros),
        ("spikes", spikes),
        ("level_shifts", shifts),
        ("near_max_magnitude", huge),
        ("large_with_max", near_max),
        ("daily_integers", daily_integers),
        ("subnormal", subnormal),
        ("bursts", bursts),
        ("daily_job", daily_job),
        ("with_bad_values", with_bad),
    ]
}

/// The NAB AWS series' values, by file name; empty when the folder is absent.
fn nab() -> Vec<(String, Vec<f64>)> {
    let dir = std::env::var("NAB_AWS_DIR").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/nab-aws/realAWSCloudwatch"
        )
        .to_owned()
    });
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("{dir} absent: the NAB digests are not compared");
        return Vec::new();
    };
    let mut names: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let values = text
                .lines()
                .skip(1)
                .map(|row| row.split_once(',').unwrap().1.trim().parse().unwrap())
                .collect();
            (path.display().to_string(), values)
        })
        .collect()
}

fn configs() -> Vec<(&'static str, AnomalyConfig)> {
    let default = AnomalyConfig::default();
    vec![
        ("default", default),
        ("median_mad", AnomalyConfig::median_mad(288, 5.0, 144)),
        ("no_season", default.with_season(None)),
        ("no_shift", default.with_shift_sigma(None)),
        ("spread_mad", default.with_spread(Spread::Mad)),
        ("record_value", default.with_record_kind(RecordKind::Value)),
        ("no_record", default.with_record_window(None)),
        ("minutely", AnomalyConfig::for_period(60).unwrap()),
        (
            "tiny",
            default
                .with_baseline(5)
                .with_short_window(2)
                .with_warm_up(1)
                .with_rewarm(1)
                .with_refractory(3)
                .with_record_window(Some(9))
                .with_season(Some(Season::new(7, 3, 2))),
        ),
        (
            "even_small",
            default
                .with_baseline(16)
                .with_short_window(4)
                .with_warm_up(8)
                .with_refractory(20)
                .with_season(None),
        ),
    ]
}

/// Every push's outcome and the judged point's internals, in order.
fn digest_of(config: AnomalyConfig, series: &[(impl AsRef<str>, Vec<f64>)]) -> u64 {
    let mut digest = Digest::new();
    for (_, values) in series {
        let mut detector = AnomalyDetector::new(config).unwrap();
        digest.word(values.len() as u64);
        for &value in values {
            match detector.push(value) {
                Err(_) => digest.word(2),
                Ok(None) => digest.word(0),
                Ok(Some(a)) => {
                    digest.word(1);
                    digest.word(a.index);
                    digest.float(a.value);
                    digest.float(a.baseline);
                    match a.kind {
                        AnomalyKind::Spike { z } => {
                            digest.word(10);
                            digest.float(z);
                        }
                        AnomalyKind::Shift { direction, z } => {
                            digest.word(11 + u64::from(direction == crate::stats::Direction::Up));
                            digest.float(z);
                        }
                    }
                }
            }
            match detector.last_judged.take() {
                Some(internals) => internals.iter().for_each(|v| digest.float(*v)),
                None => digest.word(3),
            }
        }
    }
    digest.0
}

/// The digests of the code before the speed work: (configuration, synthetic, NAB).
const STORED: &[(&str, u64, u64)] = &[
    ("default", 0xe104e31c8d5886b3, 0x65fda1c1be8c7b70),
    ("median_mad", 0xcf425579b52e4135, 0xb0935142fb4a7965),
    ("no_season", 0xe104e31c8d5886b3, 0x5a802f4b386d03e1),
    ("no_shift", 0x3dd1d698561ab9db, 0xe580331e0460882e),
    ("spread_mad", 0x2fbe3abe8c4d8ce6, 0xe40b02c7028c625c),
    ("record_value", 0x301c8099fd7a8909, 0xe651c4b78376e5ba),
    ("no_record", 0xffaefd80027083b7, 0xda18c6bfc9ff3686),
    ("minutely", 0xdea7ffaf13e5644a, 0x65514ef2ede44f8d),
    ("tiny", 0x74f3d0326496f73a, 0x542384ba01f86ec7),
    ("even_small", 0x64c8f6fd00392fbc, 0xc8ab93afacf77ac9),
];

#[test]
fn outputs_are_bit_identical_to_the_stored_digests() {
    let (synthetic, nab) = (synthetic(), nab());
    let now: Vec<(&str, u64, u64)> = configs()
        .into_iter()
        .map(|(name, config)| (name, digest_of(config, &synthetic), digest_of(config, &nab)))
        .collect();
    let table = now
        .iter()
        .map(|(name, s, n)| format!("    (\"{name}\", {s:#018x}, {n:#018x}),\n"))
        .collect::<String>();
    assert_eq!(now.len(), STORED.len(), "now:\n{table}");
    for ((name, s, n), (stored_name, stored_s, stored_n)) in now.iter().zip(STORED) {
        assert_eq!(name, stored_name);
        assert_eq!(s, stored_s, "{name}, synthetic streams; now:\n{table}");
        if !nab.is_empty() {
            assert_eq!(n, stored_n, "{name}, NAB series; now:\n{table}");
        }
    }
}
