//! Shared inputs of the workspace's benchmarks (`benches/*.rs`) and of the side-by-side peer
//! comparison (`benches/peers/`): the same generated series everywhere, so every figure is
//! measured on the same data.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sli_core::{EventCounts, Series};

/// Thirty days of one-minute points.
pub const POINTS: usize = 30 * 1440;

/// The first timestamp of every generated series.
pub fn origin() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0)
        .single()
        .unwrap_or_default()
}

/// A deterministic 30-day series of whole request counts with daily traffic, background errors
/// and one 30-minute incident whose day depends on `seed`, so a sweep does real alert work.
///
/// # Panics
/// Never for the generated values (they are finite, ordered and good <= total).
pub fn slo_series(seed: u64) -> Series<EventCounts> {
    slo_series_of(seed, POINTS)
}

/// [`slo_series`] with `points` one-minute points (the incident is placed only if it fits).
///
/// # Panics
/// Never for the generated values.
#[allow(clippy::unwrap_used)]
pub fn slo_series_of(seed: u64, points: usize) -> Series<EventCounts> {
    let t0 = origin();
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let incident = 1440 * (3 + seed as usize % 20);
    Series::from_counts((0..points).map(|m| {
        let daily = 0.5 + 0.5 * ((m % 1440) as f64 / 1440.0 * std::f64::consts::TAU).cos();
        let total = (250.0 + 950.0 * daily + 20.0 * next()).round();
        let rate = if (incident..incident + 30).contains(&m) {
            0.08
        } else {
            0.0002
        };
        let bad = (total * rate + next()).floor().min(total);
        (t0 + TimeDelta::minutes(m as i64), total - bad, total)
    }))
    .unwrap()
}

/// A CPU-like metric: a daily cycle, Gaussian noise and rare spikes, for the detector
/// benchmarks and their peer.
pub fn cpu_series(seed: u64, points: usize) -> Vec<f64> {
    // SplitMix64 and Box–Muller, self-contained so the peer script can be checked against it.
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

/// The metric source of an [`openslo_document`]'s indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenSloSource {
    /// Prometheus queries, a calendar month in New York, two conditions (about 1.6 kB).
    Prometheus,
    /// CloudWatch ALB metrics, a rolling 28 days, four conditions (about 1.9 kB): the
    /// document `benches/slo_as_code.rs` parses and compiles.
    CloudWatch,
}

/// SLO number `i` as one OpenSLO document with its indicator and alert policy inline (100
/// SLOs a service): what the OpenSLO benchmarks and `examples/openslo_speed.rs` parse, so
/// their figures are measured on the same text.
pub fn openslo_document(i: usize, source: OpenSloSource) -> String {
    let (source_type, bad, total, time_window, conditions) = match source {
        OpenSloSource::Prometheus => (
            "Prometheus",
            format!(
                r#"query: sum(rate(http_requests_total{{service="checkout-{i}",code=~"5.."}}[5m]))"#
            ),
            format!(r#"query: sum(rate(http_requests_total{{service="checkout-{i}"}}[5m]))"#),
            concat!(
                "    - duration: 1M\n      isRolling: false\n      calendar:\n",
                "        startTime: 2024-01-01 00:00:00\n        timeZone: America/New_York\n",
            ),
            &[
                ("page-fast", "page", "14.4", "1h"),
                ("ticket-slow", "ticket", "1", "3d"),
            ][..],
        ),
        OpenSloSource::CloudWatch => (
            "CloudWatch",
            cloudwatch_metric(i, "HTTPCode_Target_5XX_Count"),
            cloudwatch_metric(i, "RequestCount"),
            "    - duration: 28d\n      isRolling: true\n",
            &[
                ("page-fast", "page", "14.4", "1h"),
                ("page-slow", "page", "6", "6h"),
                ("ticket-fast", "ticket", "3", "1d"),
                ("ticket-slow", "ticket", "1", "3d"),
            ][..],
        ),
    };
    let mut text = format!(
        r#"---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-{i}
  displayName: Checkout {i}
spec:
  description: 99.9 % of checkout requests succeed.
  service: checkout-{service}
  indicator:
    metadata:
      name: checkout-errors-{i}
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: {source_type}
            spec:
              {bad}
        total:
          metricSource:
            type: {source_type}
            spec:
              {total}
  timeWindow:
{time_window}  budgetingMethod: Occurrences
  objectives:
    - targetPercent: 99.9
  alertPolicies:
    - kind: AlertPolicy
      metadata:
        name: burn-{i}
      spec:
        alertWhenResolved: true
        notificationTargets: [{{kind: AlertNotificationTarget, metadata: {{name: on-call-{i}}}, spec: {{target: sns}}}}]
        conditions:
"#,
        service = i / 100
    );
    for (name, severity, threshold, window) in conditions {
        text.push_str(&format!(
            r#"          - kind: AlertCondition
            metadata:
              name: {name}
            spec:
              severity: {severity}
              condition: {{kind: burnrate, op: gt, threshold: {threshold}, lookbackWindow: {window}}}
"#
        ));
    }
    text
}

/// A CloudWatch metric source's `spec` body (after its first key's indentation) for SLO `i`.
fn cloudwatch_metric(i: usize, metric: &str) -> String {
    format!(
        "namespace: AWS/ApplicationELB
              metricName: {metric}
              dimensions:
                - name: LoadBalancer
                  value: app/checkout-{i}/50dc6c495c0c9188
              stat: Sum"
    )
}
