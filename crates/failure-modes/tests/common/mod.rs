//! Helpers shared by the integration tests: storing a detector's metrics in a `MetricSource`,
//! and running F2 over three zones.

use aws_telemetry::{InMemorySource, MetricQuery, QueryKind};
use chrono::{DateTime, Utc};

/// Stores `points` under the metric of the detector's query `id`.
///
/// # Panics
/// When no query has that id or it is a metric-math expression.
#[allow(clippy::unwrap_used, clippy::panic)]
pub(crate) fn store(
    source: &InMemorySource,
    queries: &[MetricQuery],
    id: &str,
    points: Vec<(DateTime<Utc>, f64)>,
) {
    let query = queries.iter().find(|q| q.id().as_str() == id).unwrap();
    let QueryKind::Stat { metric, .. } = query.kind() else {
        panic!("{id} is not a metric")
    };
    source.insert(metric.clone(), points).unwrap();
}

/// The three zones of [`f2_over_three_zones`].
pub(crate) const ZONES: [&str; 3] = ["a", "b", "c"];

/// The first minute of [`f2_over_three_zones`].
#[allow(clippy::unwrap_used)]
pub(crate) fn zones_t0() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(1_791_158_400, 0).unwrap()
}

/// F2 (defaults) run over `minutes` one-minute samples of the three [`ZONES`] from
/// [`zones_t0`], each zone's (latency, requests, errors) at minute `m` from
/// `observe(m, zone, rng)`, the generator seeded with `seed`.
#[allow(clippy::unwrap_used)]
pub(crate) fn f2_over_three_zones(
    minutes: usize,
    seed: u64,
    mut observe: impl FnMut(usize, usize, &mut failure_modes::scenarios::Rng) -> (f64, f64, f64),
) -> Vec<failure_modes::Finding> {
    use failure_modes::{Detector, ZoneObservation, ZoneSample};
    let mut rng = failure_modes::scenarios::Rng::new(seed);
    let samples: Vec<ZoneSample> = (0..minutes)
        .map(|m| ZoneSample {
            at: zones_t0() + chrono::TimeDelta::minutes(m as i64),
            zones: ZONES
                .iter()
                .enumerate()
                .map(|(z, zone)| {
                    let (latency, requests, errors) = observe(m, z, &mut rng);
                    ZoneObservation {
                        zone: (*zone).to_owned(),
                        latency: Some(latency),
                        requests,
                        errors,
                    }
                })
                .collect(),
        })
        .collect();
    let signal = failure_modes::ZoneSignal::alb("app/shop/1", &ZONES).unwrap();
    failure_modes::NetworkPartition::new(signal, Default::default())
        .unwrap()
        .detect(samples)
        .unwrap()
}
