//! CloudTrail input: log files (`{"Records": [...]}`) plain and gzip'd, one record per line,
//! and single records, read as audit events and as deploys (`deploys::cloudtrail`). The first
//! byte picks the reader; the rest is the input (gzip'd here for the gzip reader, so that the
//! fuzzer explores the JSON inside, not only gzip headers). Typed errors only: no panic, no
//! hang, and never more than the decompression cap (the audit readers this target's 1 MiB,
//! the deploy reader its own 256 MiB, which it offers no way to lower).
#![no_main]

use std::io::Write;

use aws_telemetry::audit::{parse_lines, parse_log_with_limit, parse_record};
use aws_telemetry::deploys::cloudtrail as deploys;
use libfuzzer_sys::fuzz_target;

/// A small cap, so that a bomb in the corpus is refused quickly.
const CAP: u64 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 8 {
        0 => {
            let _ = parse_log_with_limit(rest, "fuzz.json", CAP);
        }
        1 => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(rest).unwrap();
            let bytes = gz.finish().unwrap();
            let plain = parse_log_with_limit(rest, "fuzz.json", CAP);
            let inflated = parse_log_with_limit(&bytes, "fuzz.json.gz", CAP);
            // Gzip'd or not, the same events (when the plain bytes are not themselves gzip).
            if !rest.starts_with(&[0x1f, 0x8b]) {
                assert_eq!(
                    plain.as_ref().ok(),
                    inflated.as_ref().ok(),
                    "gzip changed the answer"
                );
            }
        }
        2 => {
            // Raw bytes as they came: a truncated or corrupt gzip stream included.
            let mut bytes = vec![0x1f, 0x8b];
            bytes.extend_from_slice(rest);
            let _ = parse_log_with_limit(&bytes, "fuzz.json.gz", CAP);
        }
        3 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = parse_lines(text, "fuzz.jsonl");
            }
        }
        4 => {
            // Deploys share the log reader (gzip, cap, strict JSON) with the audit events.
            let _ = deploys::parse_log(rest, "fuzz.json");
        }
        5 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = deploys::parse_lines(text, "fuzz.jsonl");
            }
        }
        6 => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = deploys::parse_record(text, "fuzz", 0);
            }
        }
        _ => {
            if let Ok(text) = std::str::from_utf8(rest) {
                let _ = parse_record(text, "fuzz", 0);
            }
        }
    }
});
