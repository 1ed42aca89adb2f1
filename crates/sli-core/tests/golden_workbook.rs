//! Golden numbers published by the Google SRE Workbook and Sloth, reproduced by `sli-core`.
//!
//! Sources:
//! * [W] Google SRE Workbook, chapter 5 "Alerting on SLOs",
//!   <https://sre.google/workbook/alerting-on-slos/>: Table 5-4 (burn rate → time to exhaust a
//!   30-day budget), Table 5-8 (recommended 99.9 % parameters: 1 h / 5 m at 14.4 for 2 %,
//!   6 h / 30 m at 6 for 5 %, 3 d / 6 h at 1 for 10 %), the detection-time formula of approach 4
//!   "(1 − SLO) / error ratio × alerting window size × burn rate", and approach 6's worked
//!   example (15 % errors for 10 minutes).
//! * [S] Sloth, `internal/alert/windows/google-30d.yaml` and `google-28d.yaml` (four tiers:
//!   2 % 1h/5m, 5 % 6h/30m, 10 % 1d/2h, 10 % 3d/6h), and the factors its test
//!   `internal/alert/alert_test.go` (`TestGenerateMWMBAlerts`) expects:
//!   30 d → 14.4, 6, 3, 1; 28 d → 13.44, 5.6000000000000005, 2.8000000000000003,
//!   0.9333333333333333.

// Test code: a failed expectation should stop the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sli_core::{
    AlertInterval, AlertPolicy, EventCounts, PolicyEvaluator, Series, Slo, Span, catalog,
};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 3, 1, 0, 0, 0).unwrap()
}

/// A series of `n` points `step` apart, 1000 requests each, with `bad(i)` failures.
fn series(n: i64, step: Span, bad: impl Fn(i64) -> f64) -> Series<EventCounts> {
    Series::from_counts((0..n).map(|i| {
        (
            t0() + step.as_time_delta() * i as i32,
            1000.0 - bad(i),
            1000.0,
        )
    }))
    .unwrap()
}

fn first<'a>(alerts: &'a [AlertInterval], tier: &str) -> &'a AlertInterval {
    alerts
        .iter()
        .find(|a| a.tier == tier)
        .unwrap_or_else(|| panic!("{tier} never fired: {alerts:?}"))
}

fn seconds(d: TimeDelta) -> f64 {
    d.num_milliseconds() as f64 / 1000.0
}

#[test]
fn sloth_burn_rate_factors_30d_and_28d() {
    let policy = AlertPolicy::workbook();
    let factors = |days| -> Vec<f64> {
        let period = Span::from_days(days).unwrap();
        policy
            .tiers
            .iter()
            .map(|t| t.burn_rate_threshold(period))
            .collect()
    };
    // [S] TestGenerateMWMBAlerts, 30-day window.
    for (got, want) in factors(30).iter().zip([14.4, 6.0, 3.0, 1.0]) {
        assert!((got - want).abs() < 1e-12, "30d: {got} vs {want}");
    }
    // [S] TestGenerateMWMBAlerts, 28-day window.
    for (got, want) in factors(28).iter().zip([
        13.44,
        5.6000000000000005,
        2.8000000000000003,
        0.9333333333333333,
    ]) {
        assert!((got - want).abs() < 1e-12, "28d: {got} vs {want}");
    }
    // [W] Table 5-8: budget consumed per tier.
    let fractions: Vec<f64> = policy
        .tiers
        .iter()
        .map(|t| t.budget_fraction(Span::from_days(30).unwrap()))
        .collect();
    assert_eq!(fractions, [0.02, 0.05, 0.10, 0.10]);
}

/// [W] approach 4: time to fire = (1 − SLO) / error ratio × window × burn rate. For a total
/// outage against 99.9 % on the 1 h / 14.4 tier: 0.001 × 3600 s × 14.4 = 51.84 s. On a
/// one-second grid the alert fires at the first evaluation past it, 52 s.
#[test]
fn detection_time_of_total_outage() {
    let slo = catalog::availability("api");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::workbook(), Span::SECOND).unwrap();
    let start = 3 * 3600; // three clean hours first
    let s = series(start + 3700, Span::SECOND, |i| {
        if i >= start { 1000.0 } else { 0.0 }
    });
    let alerts = evaluator.sweep(&s).unwrap();
    let page = first(&alerts, "page-fast");
    let incident = t0() + TimeDelta::seconds(start);
    let formula = 0.001 / 1.0 * 3600.0 * 14.4;
    let delay = seconds(page.start - incident);
    assert!(
        delay >= formula && delay <= formula + 1.0,
        "{delay} s vs {formula} s"
    );
    assert_eq!(delay, 52.0);
    // Every alert carries the tier's budget share and the time a full budget lasts at 1000x.
    assert_eq!(page.budget_fraction, 0.02);
    assert_eq!(page.threshold, 14.4);
    // Once the outage fills the 1 h window the burn is 1/(1 − 0.999) = 1000, and [W] Table 5-4:
    // at 1000x the 30-day budget lasts 43 minutes.
    assert!((page.peak_burn.unwrap() - 1000.0).abs() < 1e-6, "{page:?}");
    assert_eq!(page.end, None, "still firing at the end of the data");
    let at_peak = sli_core::BurnRate::new(page.peak_burn.unwrap()).unwrap();
    assert_eq!(
        at_peak
            .time_to_exhaustion(slo.window.nominal_length(), 1.0)
            .unwrap()
            .num_minutes(),
        43
    );
}

/// [W] approach 4 formula for a 10x error rate (1 % errors against 99.9 %): the 14.4 tier never
/// fires; the 6 h / 6 tier fires after 0.001 / 0.01 × 6 h × 6 = 3.6 h; both ticket tiers after
/// 0.1 × 24 h × 3 = 0.1 × 72 h × 1 = 7.2 h.
#[test]
fn detection_time_of_ten_x_burn() {
    let slo = catalog::availability("api");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::workbook(), Span::MINUTE).unwrap();
    let start = 3 * 1440; // three clean days, so every window is full of data
    let s = series(start + 600, Span::MINUTE, |i| {
        if i >= start { 10.0 } else { 0.0 }
    });
    let alerts = evaluator.sweep(&s).unwrap();
    assert!(alerts.iter().all(|a| a.tier != "page-fast"), "{alerts:?}");
    let incident = t0() + TimeDelta::minutes(start);
    for (tier, hours) in [
        ("page-slow", 3.6),
        ("ticket-fast", 7.2),
        ("ticket-slow", 7.2),
    ] {
        let delay = seconds(first(&alerts, tier).start - incident);
        let formula = hours * 3600.0;
        assert!(
            delay >= formula && delay <= formula + 60.0,
            "{tier}: {delay} s vs {formula} s"
        );
    }
}

/// [W] approach 6: "After experiencing 15% errors for 10 minutes, the short window average goes
/// over the alerting threshold immediately, and the long window average goes over the threshold
/// after 5 minutes … The short window average drops below the threshold 5 minutes after the
/// errors stop". Exactly: the 1 h window crosses 0.0144 after 0.0144 / 0.15 × 60 min = 5.76 min;
/// the 5 m window falls below it 5 × (1 − 0.0144 / 0.15) = 4.52 min after the errors stop.
#[test]
fn workbook_fifteen_percent_for_ten_minutes() {
    let slo = catalog::availability("api");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::workbook(), Span::SECOND).unwrap();
    let start = 2 * 3600;
    let s = series(start + 3600, Span::SECOND, |i| {
        if (start..start + 600).contains(&i) {
            150.0
        } else {
            0.0
        }
    });
    let alerts = evaluator.sweep(&s).unwrap();
    let page = first(&alerts, "page-fast");
    let incident = t0() + TimeDelta::seconds(start);
    let detect = seconds(page.start - incident);
    assert!(
        (5.76 * 60.0..=5.76 * 60.0 + 1.0).contains(&detect),
        "{detect}"
    );
    let reset = seconds(page.end.unwrap() - (incident + TimeDelta::minutes(10)));
    let formula = 5.0 * 60.0 * (1.0 - 0.0144 / 0.15);
    assert!(
        (formula..=formula + 1.0).contains(&reset),
        "{reset} vs {formula}"
    );
}

/// Reset after a long total outage is set by the short window: 5 m × (1 − 0.0144 / 1) =
/// 295.68 s, against the long window's 59.1 minutes ([W]: "Better reset time" of the
/// multiwindow approach).
#[test]
fn reset_time_after_outage() {
    let slo = catalog::availability("api");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::workbook(), Span::SECOND).unwrap();
    let start = 3600;
    let s = series(start + 2 * 3600 + 900, Span::SECOND, |i| {
        if (start..start + 7200).contains(&i) {
            1000.0
        } else {
            0.0
        }
    });
    let page = first(&evaluator.sweep(&s).unwrap(), "page-fast").clone();
    let errors_stop = t0() + TimeDelta::seconds(start + 7200);
    let reset = seconds(page.end.unwrap() - errors_stop);
    assert_eq!(reset, 296.0);
}

/// [W] approach 4: "The error budget consumed by the time the alert fires is: burn rate ×
/// alerting window size / period" = 14.4 × 1 h / 720 h = 2 %. Measured from the counts, the
/// budget spent when page-fast fires is 2 % plus at most one step.
#[test]
fn budget_consumed_when_page_fires() {
    let slo = catalog::availability("api");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::workbook(), Span::SECOND).unwrap();
    let start = 3600;
    let s = series(start + 300, Span::SECOND, |i| {
        if i >= start { 1000.0 } else { 0.0 }
    });
    let page = first(&evaluator.sweep(&s).unwrap(), "page-fast").clone();
    let bad_seconds = seconds(page.start - (t0() + TimeDelta::seconds(start)));
    // A 30-day budget at 1000 requests per second: 0.001 × 1000 × 2,592,000 bad requests.
    let consumed = bad_seconds * 1000.0 / (0.001 * 1000.0 * 2_592_000.0);
    let one_step = 1000.0 / (0.001 * 1000.0 * 2_592_000.0);
    assert!(
        consumed >= 0.02 && consumed <= 0.02 + one_step,
        "{consumed}"
    );
}

/// The reported time to exhaustion is the SLO window over the long-window burn at detection.
/// The 6 h / 6x tier fires as its long window crosses 6x, so a full 30-day budget lasts just
/// under 30 / 6 = 5 days; once the 1 % error rate (10x) fills the window, [W] Table 5-4's
/// "10 → 3 days" applies.
#[test]
fn time_to_exhaustion_on_alerts() {
    let slo: Slo = catalog::availability("api");
    let evaluator = PolicyEvaluator::new(&slo, &AlertPolicy::workbook(), Span::MINUTE).unwrap();
    let start = 3 * 1440;
    let s = series(start + 600, Span::MINUTE, |i| {
        if i >= start { 10.0 } else { 0.0 }
    });
    let alerts = evaluator.sweep(&s).unwrap();
    let page = first(&alerts, "page-slow");
    let days = seconds(page.time_to_exhaustion().unwrap()) / 86_400.0;
    assert!((4.95..5.0).contains(&days), "{days} days");
    let peak = sli_core::BurnRate::new(page.peak_burn.unwrap()).unwrap();
    assert!((peak.get() - 10.0).abs() < 1e-9, "{peak}");
    assert_eq!(
        peak.time_to_exhaustion(Span::from_days(30).unwrap(), 1.0),
        Some(TimeDelta::days(3))
    );
}
