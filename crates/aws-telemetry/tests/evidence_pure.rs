//! The feature-free parts of the evidence sources: the `max_connections` formula evaluator and
//! instance-class memory table, daily spend from `EstimatedCharges`, and the in-memory audit,
//! exposure, quota, connection-limit and cost sources behind their object-safe traits.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use aws_telemetry::{
    AuditEvent, AuditSource, BucketExposure, ConnectionLimit, ConnectionLimitError,
    ConnectionLimitSource, CostSource, DailyCost, DateRange, ExposureSource, FormulaError,
    Identity, InMemoryAuditSource, InMemoryConnectionLimitSource, InMemoryCostSource,
    InMemoryExposureSource, InMemoryQuotaSource, InputError, MAX_FORMULA_DEPTH, Quota, QuotaSource,
    ServiceError, TimeRange, daily_spend, evaluate_max_connections, instance_class_memory,
    proxy_max_connections_metric,
};
use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};

const GIB: u64 = 1 << 30;

#[test]
fn formulas_of_the_engines_evaluate() {
    let m = 8 * GIB; // db.r6g.large is 16, db.m6g.large 8
    // MySQL / MariaDB default.
    assert_eq!(
        evaluate_max_connections("{DBInstanceClassMemory/12582880}", m).unwrap(),
        682.0
    );
    // PostgreSQL default: the smaller of the two.
    assert_eq!(
        evaluate_max_connections("LEAST({DBInstanceClassMemory/9531392},5000)", m).unwrap(),
        901.0
    );
    assert_eq!(
        evaluate_max_connections("LEAST({DBInstanceClassMemory/9531392},5000)", 512 * GIB).unwrap(),
        5000.0
    );
    assert_eq!(
        evaluate_max_connections("GREATEST({DBInstanceClassMemory/9531392},1000)", m).unwrap(),
        1000.0
    );
    assert_eq!(
        evaluate_max_connections("SUM({DBInstanceClassMemory/12582880},100)", m).unwrap(),
        782.0
    );
    // Nesting, spaces, case of function names, multiplication, plain integers.
    assert_eq!(
        evaluate_max_connections(
            " least( {DBInstanceClassMemory*2/25165760} , greatest(10, 20) ) ",
            m
        )
        .unwrap(),
        20.0
    );
    assert_eq!(
        evaluate_max_connections("{DBInstanceClassMemory*3/4/12582880}", m).unwrap(),
        512.0
    );
    assert_eq!(evaluate_max_connections("1500", m).unwrap(), 1500.0);
    // Braces truncate, as RDS does: 8 GiB / 1e9 = 8.59 -> 8.
    assert_eq!(
        evaluate_max_connections("{DBInstanceClassMemory/1000000000}", m).unwrap(),
        8.0
    );
}

#[test]
fn unsupported_formulas_are_typed_errors_naming_them() {
    for (formula, reason) in [
        (
            "GREATEST({log(DBInstanceClassMemory/805306368)*45},{log(DBInstanceClassMemory/8187281408)*1000})",
            "log",
        ),
        (
            "{DBInstanceVCPU*100}",
            "at byte 1: unsupported term \"DBInstanceVCPU\"",
        ),
        ("{DBInstanceClassMemory/0}", "divides by zero at byte 23"),
        ("{DBInstanceClassMemory/12582880", "expected '}'"),
        ("LEAST({DBInstanceClassMemory/9531392},5000", "expected ')'"),
        ("100 200", "at byte 4: unexpected text"),
        ("", "expected a value"),
        ("0", "not a positive number"),
        ("-5", "expected a value"),
        (
            "{DBInstanceClassMemory/12582880000000}",
            "not a positive number",
        ),
        ("MAX(1,2)", "MAX"),
        // A plain number is the parameter, an integer: not truncated like a braced one.
        ("0.4", "0.4 is not a whole number of connections"),
        (
            "LEAST({DBInstanceClassMemory/9531392},1.5)",
            "1.5 is not a whole number",
        ),
    ] {
        let err = evaluate_max_connections(formula, 8 * GIB).unwrap_err();
        let recorded = match &err {
            FormulaError::Unsupported { formula, .. }
            | FormulaError::DivisionByZero { formula, .. }
            | FormulaError::NotPositive { formula, .. } => formula,
            other => panic!("{formula}: {other:?}"),
        };
        assert_eq!(recorded, formula);
        assert!(err.to_string().contains(reason), "{formula}: {err}");
    }
}

#[test]
fn a_formula_names_no_nan_or_infinity_and_numbers_past_f64_max_are_refused() {
    // Found by the hostile-input probe: f64's parser reads `NaN` and `inf`, and `LEAST` of a
    // NaN is the other argument, so `LEAST(NaN,5)` evaluated to 5.
    for (formula, at) in [
        ("LEAST(NaN,5)", 6),
        ("GREATEST(5,nan)", 11),
        ("LEAST(infinity,5)", 6),
        ("LEAST(1e400, 3)", 6),
        ("{DBInstanceClassMemory*NaN}", 23),
        ("{DBInstanceClassMemory/inf}", 23),
        ("1e400", 0),
    ] {
        match evaluate_max_connections(formula, 8 * GIB) {
            Err(FormulaError::Unsupported { position, .. }) => {
                assert_eq!(position, at, "{formula}")
            }
            other => panic!("{formula}: {other:?}"),
        }
    }
    assert_eq!(
        evaluate_max_connections("LEAST(.5e4,1e4)", 8 * GIB).unwrap(),
        5000.0
    );
}

#[test]
fn functions_nest_to_a_bound_not_to_a_stack_overflow() {
    // Found by the hostile-input probe: 200,000 nested `LEAST(` overflowed the stack and
    // aborted the process. Run on a small stack so that a recursion without the bound fails.
    let nested = |depth: usize| format!("{}7{}", "LEAST(".repeat(depth), ")".repeat(depth));
    let result = std::thread::Builder::new()
        .stack_size(256 << 10)
        .spawn(move || {
            let deepest = evaluate_max_connections(&nested(MAX_FORMULA_DEPTH), GIB);
            let deeper = evaluate_max_connections(&nested(MAX_FORMULA_DEPTH + 1), GIB);
            let hostile = evaluate_max_connections(&nested(200_000), GIB);
            (deepest, deeper, hostile)
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(result.0.unwrap(), 7.0);
    for err in [result.1.unwrap_err(), result.2.unwrap_err()] {
        match &err {
            FormulaError::Unsupported {
                position, reason, ..
            } => {
                assert_eq!(*position, 6 * MAX_FORMULA_DEPTH);
                assert!(reason.contains("nested more than 32"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn instance_class_memory_table() {
    for (class, gib) in [
        ("db.t3.micro", 1),
        ("db.t3.small", 2),
        ("db.t4g.medium", 4),
        ("db.t3.2xlarge", 32),
        ("db.m5.large", 8),
        ("db.m6g.xlarge", 16),
        ("db.m7g.16xlarge", 256),
        ("db.m6i.32xlarge", 512),
        ("db.r5.large", 16),
        ("db.r6g.2xlarge", 64),
        ("db.r6i.24xlarge", 768),
        ("db.r7g.12xlarge", 384),
    ] {
        assert_eq!(instance_class_memory(class), Some(gib * GIB), "{class}");
    }
    for class in [
        "r6g.large",
        "db.r6g",
        "db.r6g.large.extra",
        "db.x2g.large",
        "db.r6g.3xlarge",
        "db.serverless",
        "",
    ] {
        assert_eq!(instance_class_memory(class), None, "{class}");
    }
    match ConnectionLimit::evaluate(
        "legacy",
        "db.x1e.xlarge",
        "mysql",
        "g",
        "{DBInstanceClassMemory/12582880}",
    )
    .unwrap_err()
    {
        FormulaError::UnknownInstanceClass { class } => assert_eq!(class, "db.x1e.xlarge"),
        other => panic!("{other:?}"),
    }
    // A plain value needs no memory, so any class will do.
    let fixed = ConnectionLimit::evaluate("legacy", "db.x1e.xlarge", "mysql", "g", "2000").unwrap();
    assert_eq!((fixed.max_connections, fixed.memory), (2000.0, None));
}

#[test]
fn proxy_limit_metric_names_the_proxy() {
    let metric = proxy_max_connections_metric("orders-proxy", "default", "READ_WRITE").unwrap();
    assert_eq!(
        (metric.namespace(), metric.name()),
        ("AWS/RDS", "MaxDatabaseConnectionsAllowed")
    );
    assert_eq!(metric.dimensions().len(), 3);
    assert!(proxy_max_connections_metric("", "default", "READ_WRITE").is_err());
}

#[test]
fn daily_spend_is_the_difference_of_daily_maxima_and_resets_on_the_first() {
    let at = |m, d, h| Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap();
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let readings = vec![
        // Out of order on purpose: daily maxima do not depend on order.
        (at(10, 29, 18), 280.0),
        (at(10, 29, 6), 270.0),
        (at(10, 30, 6), 285.0),
        (at(10, 30, 18), 300.0),
        (at(10, 31, 6), 299.0),
        (at(10, 31, 12), 298.0), // a credit: floored at 0
        (at(11, 1, 0), 2.0),
        (at(11, 1, 18), 9.0), // reset: 9, not 9 - 299
        (at(11, 2, 6), 20.0),
        (at(11, 4, 6), 50.0), // Nov 3 missing: Nov 4 is left out
        (at(11, 5, 6), 60.0),
    ];
    let days = daily_spend(&readings, "USD").unwrap();
    let got: Vec<(NaiveDate, f64)> = days.iter().map(|d| (d.day, d.amount)).collect();
    assert_eq!(
        got,
        [
            (day(10, 30), 20.0),
            (day(10, 31), 0.0),
            (day(11, 1), 9.0),
            (day(11, 2), 11.0),
            (day(11, 5), 10.0)
        ]
    );
    assert!(days.iter().all(|d| d.estimated && d.unit == "USD"));
    assert_eq!(daily_spend(&[], "USD").unwrap(), vec![]);
    for bad in [f64::NAN, f64::INFINITY, -1.0] {
        match daily_spend(&[(at(11, 1, 0), 1.0), (at(11, 1, 6), bad)], "USD").unwrap_err() {
            InputError::InvalidValue {
                what,
                index,
                at: when,
                ..
            } => {
                assert_eq!(what, "EstimatedCharges");
                assert_eq!((index, when), (1, at(11, 1, 6)));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn in_memory_sources_behind_their_traits() {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
    let audit = InMemoryAuditSource::new();
    assert!(audit.is_empty());
    audit.extend((0..10).rev().map(|i| {
        AuditEvent::new(
            t0 + TimeDelta::minutes(i),
            "s3.amazonaws.com",
            "GetObject",
            "us-east-1",
            "192.0.2.1",
            Identity::default(),
        )
    }));
    let audit: Arc<dyn AuditSource> = Arc::new(audit);
    let range = TimeRange::new(t0 + TimeDelta::minutes(2), t0 + TimeDelta::minutes(5)).unwrap();
    let events = audit.events(&range).await.unwrap();
    let minutes: Vec<i64> = events.iter().map(|e| (e.time - t0).num_minutes()).collect();
    assert_eq!(minutes, [2, 3, 4], "sorted, end excluded");
    assert_eq!(audit.to_string(), "InMemoryAuditSource(10 events)");

    let exposure = InMemoryExposureSource::new();
    exposure.put(BucketExposure::new("b"));
    exposure.put(BucketExposure::new("a"));
    exposure.put(BucketExposure::new("b").with_policy_is_public(true));
    let exposure: Arc<dyn ExposureSource> = Arc::new(exposure);
    let buckets = exposure.buckets().await.unwrap();
    assert_eq!(buckets.len(), 2);
    assert_eq!(buckets[1].policy_is_public, Some(true));

    let quotas = InMemoryQuotaSource::new();
    for (service, code) in [("ec2", "L-1"), ("ec2", "L-2"), ("lambda", "L-3")] {
        quotas.put(Quota::new(service, code, code).with_value(1.0));
    }
    let quotas: Arc<dyn QuotaSource> = Arc::new(quotas);
    assert_eq!(quotas.quotas("ec2").await.unwrap().len(), 2);
    match quotas.quota("lambda", "L-9").await.unwrap_err() {
        ServiceError::NotFound { what, .. } => assert_eq!(what, "quota lambda/L-9"),
        other => panic!("{other:?}"),
    }

    let limits = InMemoryConnectionLimitSource::new();
    limits.put(
        ConnectionLimit::evaluate(
            "orders",
            "db.r6g.large",
            "mysql",
            "default.mysql8.0",
            "{DBInstanceClassMemory/12582880}",
        )
        .unwrap(),
    );
    let limits: Arc<dyn ConnectionLimitSource> = Arc::new(limits);
    assert_eq!(
        limits
            .connection_limit("orders")
            .await
            .unwrap()
            .max_connections,
        1365.0
    );
    assert!(matches!(
        limits.connection_limit("other").await.unwrap_err(),
        ConnectionLimitError::Service(ServiceError::NotFound { .. })
    ));

    let costs = InMemoryCostSource::new();
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    costs.extend((1..=9).map(|d| DailyCost::new(day(d), f64::from(d), "USD")));
    let costs: Arc<dyn CostSource> = Arc::new(costs);
    let got: Vec<f64> = costs
        .daily_costs(&DateRange::new(day(3), day(6)).unwrap())
        .await
        .unwrap()
        .iter()
        .map(|d| d.amount)
        .collect();
    assert_eq!(got, [3.0, 4.0, 5.0]);
    // A reversed range cannot reach a source: it is refused when built.
    assert_eq!(
        DateRange::new(day(6), day(3)).unwrap_err(),
        aws_telemetry::QueryError::InvalidDateRange {
            start: day(6),
            end: day(3)
        }
    );
}
