//! CloudTrail input built to hurt: a gzip bomb and JSON naming a key twice. Each was
//! reproduced by a hostile-input probe before it was fixed (1 MiB of gzip inflating to 1 GiB
//! took 1.1 GiB of memory; a second `"eventName"` or `"Records"` silently won).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;

use aws_telemetry::RecordError;
use aws_telemetry::audit::{
    MAX_LOG_BYTES, parse_lines, parse_log, parse_log_with_limit, parse_record,
};
use flate2::Compression;
use flate2::write::GzEncoder;

/// The message of the error `err` keeps as its source (the JSON reader's), if any.
fn cause(err: &RecordError) -> String {
    std::error::Error::source(err).map_or_else(String::new, |e| e.to_string())
}

const RECORD: &str = r#"{"eventTime":"2026-11-02T03:04:05Z","eventSource":"iam.amazonaws.com","eventName":"CreateAccessKey","awsRegion":"us-east-1","userIdentity":{"type":"IAMUser","userName":"ci"}}"#;

/// `inflated` bytes of zeros, gzip'd (a few KiB per MiB).
fn bomb(inflated: usize) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..inflated >> 20 {
        encoder.write_all(&zeros).unwrap();
    }
    encoder.finish().unwrap()
}

#[test]
fn a_gzip_bomb_stops_at_the_cap() {
    let cap = 1 << 20;
    let bytes = bomb(16 << 20);
    assert!(bytes.len() < 64 << 10, "{} bytes of gzip", bytes.len());
    let err = parse_log_with_limit(&bytes, "bomb.json.gz", cap).unwrap_err();
    assert!(
        matches!(
            &err,
            RecordError::LimitExceeded { limit, requested, origin, .. }
                if *limit == cap && *requested == cap + 1 && origin == "bomb.json.gz"
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("decompressed"), "{err}");
}

#[test]
fn plain_json_past_the_cap_is_refused_and_the_default_cap_is_documented() {
    let log = format!(r#"{{"Records":[{RECORD}]}}"#);
    assert_eq!(parse_log(log.as_bytes(), "ok.json").unwrap().len(), 1);
    let err = parse_log_with_limit(log.as_bytes(), "big.json", 16).unwrap_err();
    assert!(
        matches!(err, RecordError::LimitExceeded { limit: 16, .. }),
        "{err:?}"
    );
    assert_eq!(MAX_LOG_BYTES, 256 * 1024 * 1024);
    // Exactly at the cap is fine, gzip'd or not.
    let exact = log.len() as u64;
    assert!(parse_log_with_limit(log.as_bytes(), "exact.json", exact).is_ok());
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(log.as_bytes()).unwrap();
    let gz = encoder.finish().unwrap();
    assert!(parse_log_with_limit(&gz, "exact.json.gz", exact).is_ok());
    assert!(parse_log_with_limit(&gz, "short.json.gz", exact - 1).is_err());
}

#[test]
fn a_second_records_array_is_refused_not_obeyed() {
    let log = format!(r#"{{"Records":[{RECORD}],"Records":[]}}"#);
    let err = parse_log(log.as_bytes(), "twice.json").unwrap_err();
    assert!(
        matches!(
            &err,
            RecordError::Log {
                reason: "not JSON",
                source: Some(_),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(cause(&err).contains("duplicate key \"Records\""), "{err:?}");
}

#[test]
fn a_second_event_name_cannot_hide_a_credential_creation() {
    let record = RECORD.replace(
        r#""eventName":"CreateAccessKey""#,
        r#""eventName":"CreateAccessKey","eventName":"GetObject""#,
    );
    for (err, index) in [
        (parse_record(&record, "lookup", 3).unwrap_err(), 3),
        (
            parse_lines(&format!("{RECORD}\n{record}\n"), "lines").unwrap_err(),
            1,
        ),
    ] {
        assert!(
            matches!(&err, RecordError::Record { index: i, .. } if *i == index),
            "{err:?}"
        );
        assert!(
            cause(&err).contains("duplicate key \"eventName\""),
            "{err:?}"
        );
    }
    // In a log file the whole file is refused, with the line and column of the key.
    let err = parse_log(
        format!(r#"{{"Records":[{RECORD},{record}]}}"#).as_bytes(),
        "f",
    )
    .unwrap_err();
    assert!(matches!(&err, RecordError::Log { .. }), "{err:?}");
    assert!(
        cause(&err).contains("duplicate key \"eventName\"") && cause(&err).contains("column"),
        "{err:?}"
    );
    // Nested objects too: a second userName inside userIdentity.
    let nested = RECORD.replace(r#""userName":"ci""#, r#""userName":"ci","userName":"x""#);
    assert!(parse_record(&nested, "lookup", 0).is_err());
}
