//! Every validated type stays valid through serde: a document carrying an invalid value gets
//! the same typed error the constructor gives, and a valid one round-trips unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sli_core::catalog::{HttpStatusCounts, UtilizationBand};
use sli_core::{
    BurnRate, CalendarWindow, Composite, Deploy, ErrorBudgetPolicy, EventCounts, Interval,
    Objective, Span, Sustained, Zone,
};
use std::fmt::Debug;

/// Deserializing `json` fails, and its message starts with the constructor's error message
/// (serde_json appends the position in the document).
#[allow(clippy::expect_used)] // a test helper: clippy's allow-expect-in-tests covers only #[test] fns
fn rejects_like<T: DeserializeOwned + Debug>(json: &str, constructor: sli_core::Error) {
    let err = serde_json::from_str::<T>(json).expect_err(json);
    let expected = constructor.to_string();
    assert!(
        err.to_string().starts_with(&expected),
        "{json}: serde said {err}, the constructor says {expected}"
    );
}

/// `value` serializes and deserializes back to itself.
#[allow(clippy::unwrap_used)] // a test helper, as above
fn round_trips<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: &T) {
    let json = serde_json::to_string(value).unwrap();
    assert_eq!(&serde_json::from_str::<T>(&json).unwrap(), value, "{json}");
}

#[test]
fn objective_out_of_range() {
    for bad in ["1.0", "0.0", "1.5", "-0.2"] {
        let constructor = Objective::new(bad.parse().unwrap()).unwrap_err();
        rejects_like::<Objective>(bad, constructor);
    }
    round_trips(&Objective::new(0.999).unwrap());
}

#[test]
fn burn_rate_negative() {
    rejects_like::<BurnRate>("-1.0", BurnRate::new(-1.0).unwrap_err());
    round_trips(&BurnRate::new(14.4).unwrap());
}

#[test]
fn event_counts_good_above_total_or_negative() {
    rejects_like::<EventCounts>(
        r#"{"good": 11.0, "total": 10.0}"#,
        EventCounts::new(11.0, 10.0).unwrap_err(),
    );
    rejects_like::<EventCounts>(
        r#"{"good": -1.0, "total": 10.0}"#,
        EventCounts::new(-1.0, 10.0).unwrap_err(),
    );
    round_trips(&EventCounts::new(9.0, 10.0).unwrap());
}

#[test]
fn interval_end_not_after_start() {
    let start = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
    let end = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    rejects_like::<Interval>(
        r#"{"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"}"#,
        Interval::new(start, end).unwrap_err(),
    );
    rejects_like::<Interval>(
        r#"{"start": "2026-01-02T00:00:00Z", "end": "2026-01-02T00:00:00Z"}"#,
        Interval::new(start, start).unwrap_err(),
    );
    round_trips(&Interval::new(end, start).unwrap());
}

#[test]
fn span_text_that_is_no_span() {
    for bad in ["0m", "30", "5 parsecs", "-5m", ""] {
        let constructor = bad.parse::<Span>().unwrap_err();
        rejects_like::<Span>(&format!("\"{bad}\""), constructor);
    }
    round_trips(&Span::from_days(28).unwrap());
}

#[test]
fn zone_unknown() {
    let constructor = "Mars/Olympus_Mons".parse::<Zone>().unwrap_err();
    rejects_like::<Zone>("\"Mars/Olympus_Mons\"", constructor);
    round_trips(&"America/New_York".parse::<Zone>().unwrap());
}

#[test]
fn calendar_window_zero_periods_or_bad_zone() {
    let err = serde_json::from_str::<CalendarWindow>(r#"{"period": "month", "count": 0}"#)
        .expect_err("a window of zero months");
    assert!(err.to_string().contains("count"), "{err}");
    let zone_err = "Nowhere/City".parse::<Zone>().unwrap_err();
    rejects_like::<CalendarWindow>(r#"{"period": "month", "zone": "Nowhere/City"}"#, zone_err);
    let err =
        serde_json::from_str::<CalendarWindow>(r#"{"period": "day", "utc_offset_seconds": 90000}"#)
            .expect_err("an offset of 25 hours");
    assert!(err.to_string().contains("utc_offset_seconds"), "{err}");
}

#[test]
fn sustained_more_datapoints_than_periods() {
    rejects_like::<Sustained>(
        r#"{"datapoints_to_alarm": 6, "evaluation_periods": 5}"#,
        Sustained::new(6, 5).unwrap_err(),
    );
    rejects_like::<Sustained>(
        r#"{"datapoints_to_alarm": 0, "evaluation_periods": 5}"#,
        Sustained::new(0, 5).unwrap_err(),
    );
    round_trips(&Sustained::new(3, 5).unwrap());
}

#[test]
fn http_status_counts_errors_above_requests() {
    rejects_like::<HttpStatusCounts>(
        r#"{"requests": 10.0, "server_errors": 8.0, "client_errors": 5.0}"#,
        HttpStatusCounts::new(10.0, 8.0, 5.0).unwrap_err(),
    );
    round_trips(&HttpStatusCounts::new(10.0, 1.0, 2.0).unwrap());
}

#[test]
fn utilization_band_inverted() {
    rejects_like::<UtilizationBand>(
        r#"{"low": 90.0, "high": 20.0}"#,
        UtilizationBand::new(90.0, 20.0).unwrap_err(),
    );
    rejects_like::<UtilizationBand>(
        r#"{"low": 20.0, "high": 150.0}"#,
        UtilizationBand::new(20.0, 150.0).unwrap_err(),
    );
    round_trips(&UtilizationBand::new(20.0, 80.0).unwrap());
}

#[test]
fn deploy_without_a_service() {
    let started = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let valid = Deploy::new("d-1", "checkout", started).unwrap();
    let json = serde_json::to_string(&valid).unwrap();
    assert!(json.contains(r#""service":"checkout""#), "{json}");
    rejects_like::<Deploy>(
        &json.replace(r#""service":"checkout""#, r#""service":"  ""#),
        Deploy::new("d-1", "  ", started).unwrap_err(),
    );
    round_trips(&valid);
}

#[test]
fn composite_without_components_or_with_a_bad_weight() {
    rejects_like::<Composite>(r#"{"components": []}"#, Composite::new(vec![]).unwrap_err());
    let slo = sli_core::catalog::availability("checkout");
    let valid = Composite::new(vec![(slo.clone(), 2.0)]).unwrap();
    let json = serde_json::to_string(&valid).unwrap();
    let negative = json.replacen(",2.0]", ",-2.0]", 1);
    assert_ne!(negative, json, "{json}");
    rejects_like::<Composite>(&negative, Composite::new(vec![(slo, -2.0)]).unwrap_err());
    round_trips(&valid);
}

#[test]
fn maintenance_windows_in_any_order_are_sorted_as_the_constructor_sorts_them() {
    let t = |h| Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0).unwrap();
    let late = Interval::new(t(10), t(11)).unwrap();
    let early = Interval::new(t(2), t(3)).unwrap();
    let json = format!(
        r#"{{"windows": [{}, {}]}}"#,
        serde_json::to_string(&late).unwrap(),
        serde_json::to_string(&early).unwrap()
    );
    let read: sli_core::MaintenanceWindows = serde_json::from_str(&json).unwrap();
    assert_eq!(read, sli_core::MaintenanceWindows::new([late, early]));
    assert_eq!(read.once(), &[early, late]);
    assert!(read.is_suppressed(t(2)) && read.is_suppressed(t(10)) && !read.is_suppressed(t(5)));
    round_trips(&read);
}

/// `ErrorBudgetPolicy::new` refuses a burn rate that is not positive; a document holding one
/// used to be taken as written (a rate of -1 froze releases on any hour of data).
#[test]
fn error_budget_policy_burn_rate_not_positive() {
    for rate in ["-1", "0", "-0.0"] {
        let value: f64 = rate.parse().unwrap();
        rejects_like::<ErrorBudgetPolicy>(
            &format!(
                r#"{{"freeze_burn_rate":{rate},"sustained_for":"1h","freeze_when_exhausted":true,"max_sample_gap":"5m"}}"#
            ),
            ErrorBudgetPolicy::new(value, Span::HOUR).unwrap_err(),
        );
    }
    let policy = ErrorBudgetPolicy {
        freeze_on_security: true,
        ..ErrorBudgetPolicy::new(2.5, Span::from_minutes(30).unwrap()).unwrap()
    };
    round_trips(&policy);
    // `freeze_on_security` may be left out, as before.
    let read: ErrorBudgetPolicy = serde_json::from_str(
        r#"{"freeze_burn_rate":4,"sustained_for":"1h","freeze_when_exhausted":true,"max_sample_gap":"5m"}"#,
    )
    .unwrap();
    assert_eq!(read, ErrorBudgetPolicy::default());
}

/// serde_json writes an infinite or NaN threshold as `null`; the alert (and a group holding it)
/// must read back, with NaN where the number was not finite.
#[test]
fn an_alert_with_a_threshold_json_cannot_write_reads_back() {
    use sli_core::{AlertGroup, AlertInterval, Severity, group_alerts};
    let at = Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
    for threshold in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        let alert = AlertInterval::new("F6 connections: orders", Severity::Page, at, Some(at))
            .with_threshold(threshold);
        let json = serde_json::to_string(&alert).unwrap();
        let back: AlertInterval = serde_json::from_str(&json).unwrap();
        assert!(back.threshold.is_nan(), "{json}");
        let groups = group_alerts(vec![alert], |_| "orders".to_owned());
        let json = serde_json::to_string(&groups[0]).unwrap();
        let back: AlertGroup<String> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.alerts.len(), 1);
    }
    let finite = AlertInterval::new("slo", Severity::Ticket, at, None).with_threshold(14.4);
    round_trips(&finite);
}

/// A serde probe (2026-12-07): `ErrorBudget` derived `Deserialize` over its private fields,
/// so a document could hold what no constructor makes: a negative consumption read as 150 %
/// of the budget left, a budget of nothing allowed as an infinite burn that froze releases.
#[test]
fn error_budget_amounts_are_finite_and_not_negative() {
    use sli_core::ErrorBudget;
    for (json, field) in [
        (
            r#"{"objective":0.999,"unit":"seconds","allowed":2592.0,"consumed":-1296.0}"#,
            "consumed",
        ),
        (
            r#"{"objective":0.999,"unit":"events","allowed":-10.0,"consumed":0.0}"#,
            "allowed",
        ),
        (
            r#"{"objective":0.999,"unit":"seconds","allowed":0.0,"consumed":1.0}"#,
            "allowed",
        ),
    ] {
        let err = serde_json::from_str::<ErrorBudget>(json).expect_err(json);
        assert!(err.to_string().starts_with(&format!("{field} = ")), "{err}");
    }
    let budget = ErrorBudget::for_events(
        Objective::new(0.999).unwrap(),
        EventCounts::from_bad(250.0, 1e6).unwrap(),
    )
    .unwrap();
    round_trips(&budget);
}

/// A serde probe (2026-12-07): values whose one non-finite value is +∞ (a histogram's last
/// bound, a relative risk after no errors, a budget spent where none was allowed) are written
/// `null` by serde_json and did not read back; `null` and `"+Inf"` now read as +∞.
#[test]
fn infinite_values_read_back() {
    use sli_core::{Bucket, deployment_regression};
    use sli_core::{Decision, Reason};
    let buckets = vec![Bucket::new(250.0, 90.0), Bucket::new(f64::INFINITY, 100.0)];
    round_trips(&buckets);
    let prometheus: Vec<Bucket> = serde_json::from_str(
        r#"[{"upper_bound":250,"count":90},{"upper_bound":"+Inf","count":100}]"#,
    )
    .unwrap();
    assert_eq!(prometheus, buckets);
    assert!(
        serde_json::from_str::<Bucket>(r#"{"upper_bound":"inf","count":1}"#).is_err(),
        "only null and \"+Inf\" name infinity"
    );
    let verdict = deployment_regression(
        EventCounts::from_bad(0.0, 1000.0).unwrap(),
        EventCounts::from_bad(50.0, 1000.0).unwrap(),
        0.05,
    )
    .unwrap();
    assert_eq!(verdict.relative_risk, f64::INFINITY);
    round_trips(&verdict);
    let decision = Decision {
        reasons: vec![Reason::SloBreached {
            consumed_fraction: f64::INFINITY,
        }],
        ..Decision::default()
    };
    round_trips(&decision);
}

/// A serde probe (2026-12-07): a misspelt key in a configuration was dropped and its default
/// used (`"cout": 3` made a one-month window of a three-month one); the configuration types
/// now refuse a key they do not have.
#[test]
fn configurations_refuse_unknown_keys() {
    use sli_core::{AlertTier, RecurringWindow, Routing, Slo};
    let unknown = |err: serde_json::Error| {
        assert!(err.to_string().contains("unknown field"), "{err}");
    };
    unknown(serde_json::from_str::<CalendarWindow>(r#"{"period":"month","cout":3}"#).unwrap_err());
    unknown(
        serde_json::from_str::<RecurringWindow>(
            r#"{"days":["sat"],"start":"02:00","duration":"2h","zone_name":"Europe/Paris"}"#,
        )
        .unwrap_err(),
    );
    unknown(
        serde_json::from_str::<ErrorBudgetPolicy>(r#"{"freeze_on_securty":true}"#).unwrap_err(),
    );
    unknown(serde_json::from_str::<Routing>(r#"{"runbok":"https://x.example"}"#).unwrap_err());
    // Each still reads what it writes.
    let tier = serde_json::to_string(&sli_core::AlertPolicy::default().tiers[0]).unwrap();
    serde_json::from_str::<AlertTier>(&tier).unwrap();
    unknown(
        serde_json::from_str::<AlertTier>(&tier.replace("\"enabled\"", "\"enabeld\"")).unwrap_err(),
    );
    let slo = Slo::new(
        "checkout",
        Objective::new(0.999).unwrap(),
        sli_core::Window::Rolling(Span::from_days(28).unwrap()),
        sli_core::Sli::EventRatio,
    );
    let text = serde_json::to_string(&slo).unwrap();
    round_trips(&slo);
    unknown(
        serde_json::from_str::<Slo>(&text.replace("\"min_events\"", "\"min_event\"")).unwrap_err(),
    );
}

/// A serde probe (2026-12-07): a `CalendarWindow` with both a `zone` and the older
/// `utc_offset_seconds` used one and dropped the other silently (the offset even overrode an
/// explicit `"zone": "UTC"`); both at once are refused.
#[test]
fn calendar_window_zone_and_offset_are_not_both_given() {
    for zone in ["Europe/Paris", "UTC"] {
        let json = format!(r#"{{"period":"day","zone":"{zone}","utc_offset_seconds":-18000}}"#);
        let err = serde_json::from_str::<CalendarWindow>(&json).expect_err(&json);
        assert!(
            err.to_string().starts_with("utc_offset_seconds is invalid"),
            "{err}"
        );
    }
    // A zone given as null is no zone (the review: it read as UTC once zone became optional).
    assert!(serde_json::from_str::<CalendarWindow>(r#"{"period":"day","zone":null}"#).is_err());
    let offset: CalendarWindow =
        serde_json::from_str(r#"{"period":"day","utc_offset_seconds":-18000}"#).unwrap();
    assert_eq!(offset.zone, "-05:00".parse::<Zone>().unwrap());
}

/// The review of the same change: the SLI and budgeting method inside an `Slo`, tagged enums,
/// still passed a key they do not have (`"treshold"` beside a threshold SLI's `threshold`).
/// So did a variant without fields (`event_ratio`, `Occurrences`) until 2026-12-07: serde
/// does not apply `deny_unknown_fields` to an internally tagged enum's unit variants, and
/// `{"kind":"event_ratio","threshold":300}`, a threshold SLI with its kind mistyped, read as
/// an event ratio.
#[test]
fn slis_and_budgeting_methods_refuse_unknown_keys() {
    use sli_core::{BudgetingMethod, Sli};
    for text in [
        r#"{"kind":"event_ratio","threshold":300}"#,
        r#"{"threshold":300,"kind":"event_ratio"}"#,
    ] {
        let err = serde_json::from_str::<Sli>(text).expect_err(text);
        assert!(
            err.to_string()
                .starts_with("unknown field `threshold`, there are no fields"),
            "{text}: {err}"
        );
    }
    // The private enum these read through is not named in what a reader is told.
    let err = serde_json::from_str::<Sli>("null").unwrap_err();
    assert!(
        err.to_string().contains("internally tagged enum Sli"),
        "{err}"
    );
    let err = serde_json::from_str::<BudgetingMethod>("3").unwrap_err();
    assert!(
        err.to_string()
            .contains("internally tagged enum BudgetingMethod"),
        "{err}"
    );
    let err = serde_json::from_str::<BudgetingMethod>(r#"{"method":"Occurrences","slice":"1m"}"#)
        .expect_err("a slice beside Occurrences");
    assert!(err.to_string().contains("unknown field `slice`"), "{err}");
    assert_eq!(
        serde_json::from_str::<Sli>(r#"{"kind":"event_ratio"}"#).unwrap(),
        Sli::EventRatio
    );
    assert_eq!(
        serde_json::from_str::<BudgetingMethod>(r#"{"method":"Occurrences"}"#).unwrap(),
        BudgetingMethod::Occurrences
    );
    let err = serde_json::from_str::<Sli>(r#"{"kind":"threshold","threshold":300,"treshold":250}"#)
        .expect_err("a misspelt second threshold");
    assert!(err.to_string().contains("unknown field"), "{err}");
    let err = serde_json::from_str::<BudgetingMethod>(
        r#"{"method":"Timeslices","slice":"1m","slice_target":0.9,"slise":"5m"}"#,
    )
    .expect_err("a misspelt slice");
    assert!(err.to_string().contains("unknown field"), "{err}");
    for sli in [Sli::EventRatio, Sli::Threshold { threshold: 300.0 }] {
        round_trips(&sli);
    }
    round_trips(&BudgetingMethod::Occurrences);
}
