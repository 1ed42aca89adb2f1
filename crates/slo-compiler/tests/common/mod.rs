//! Shared by the equivalence tests of both engines: the start instant, a small deterministic
//! generator, and per-minute counts with incidents, quiet minutes and gaps.

#![allow(dead_code, clippy::unwrap_used)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap()
}

/// A small deterministic generator (SplitMix64).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub(crate) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }
}

/// Per-minute (good, total) with incidents of random length and severity, quiet minutes (no
/// events) and gaps (no datapoint at all).
pub(crate) fn generate(seed: u64, minutes: i64) -> Vec<(DateTime<Utc>, f64, f64)> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    let mut incident: Option<(i64, f64)> = None;
    for m in 0..minutes {
        if incident.is_none() && rng.chance(3) {
            let length = 5 + rng.below(400) as i64;
            let rate = [0.002, 0.01, 0.05, 0.3, 1.0][rng.below(5) as usize];
            incident = Some((m + length, rate));
        }
        if let Some((end, _)) = incident
            && m >= end
        {
            incident = None;
        }
        if rng.chance(20) {
            continue; // a gap: no datapoint
        }
        let total = if rng.chance(10) {
            0.0
        } else {
            (50 + rng.below(950)) as f64
        };
        let rate = incident.map_or(0.0005, |(_, r)| r);
        let bad = (total * rate).floor() + if rng.chance(100) { 1.0 } else { 0.0 };
        let bad = bad.min(total);
        out.push((t0() + TimeDelta::minutes(m), total - bad, total));
    }
    out
}

/// A burn-rate tier over `long` and `short` minutes.
pub(crate) fn tier(
    id: &str,
    severity: sli_core::Severity,
    long: i64,
    short: i64,
    burn: f64,
) -> sli_core::AlertTier {
    sli_core::AlertTier::new(
        id,
        severity,
        sli_core::Span::from_minutes(long).unwrap(),
        sli_core::Span::from_minutes(short).unwrap(),
        sli_core::TierThreshold::BurnRate(burn),
    )
}

/// The checkout availability SLO under `policy`, over an ALB's 5xx and request counts (sums),
/// `metric` naming each.
pub(crate) fn alb_availability(
    policy: sli_core::AlertPolicy,
    metric: impl Fn(&str) -> aws_telemetry::Metric,
) -> slo_compiler::cloudwatch::Spec {
    use slo_compiler::cloudwatch::{Signal, SignalSource};
    let sum = |name| SignalSource::Metric {
        metric: metric(name),
        stat: aws_telemetry::Statistic::Sum,
    };
    slo_compiler::SloSpec::new(
        sli_core::catalog::availability("checkout"),
        policy,
        Signal::Bad {
            bad: sum("HTTPCode_Target_5XX_Count"),
            total: sum("RequestCount"),
        },
    )
}

/// Maintenance from `t0` for four hours, and every Sunday 01:30–04:00 in Paris.
pub(crate) fn sunday_maintenance(t0: DateTime<Utc>) -> sli_core::MaintenanceWindows {
    sli_core::MaintenanceWindows::new([
        sli_core::Interval::new(t0, t0 + TimeDelta::hours(4)).unwrap()
    ])
    .with_recurring(
        sli_core::RecurringWindow::weekly(
            [chrono::Weekday::Sun],
            chrono::NaiveTime::from_hms_opt(1, 30, 0).unwrap(),
            sli_core::Span::from_minutes(150).unwrap(),
            "Europe/Paris".parse().unwrap(),
        )
        .unwrap(),
    )
}

/// Every `expr` of a dashboard's JSON (Grafana's panel queries), in document order.
pub(crate) fn dashboard_exprs(json: &serde_json::Value) -> Vec<String> {
    fn walk(json: &serde_json::Value, out: &mut Vec<String>) {
        match json {
            serde_json::Value::Object(map) => map.iter().for_each(|(key, value)| match value {
                serde_json::Value::String(expr) if key == "expr" => out.push(expr.clone()),
                _ => walk(value, out),
            }),
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(json, &mut out);
    out
}
