//! `sli_core::openslo::parse` on arbitrary text, in both modes: a typed error or an import,
//! never a panic, a hang or unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sli_core::openslo::{Mode, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for mode in [Mode::Strict, Mode::Lenient] {
        if let Ok(import) = parse(text, mode) {
            // Whatever was imported validates as the toolkit's own types say.
            for slo in &import.slos {
                assert!(
                    slo.slo.validate().is_ok(),
                    "an imported SLO fails validation"
                );
            }
        }
    }
});
