//! The failure-mode detectors, with their default configurations, fed arbitrary push
//! sequences (see `shared/feed.rs`): the first byte picks the detector, the rest is a sequence
//! of observations (time steps forward, sometimes back or repeated; values from the extremes
//! of f64 as well as ordinary ones). Each push gives findings or a typed error, never a panic
//! or a hang; a detector stays usable after an error; findings are finite and end after they
//! start.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "shared/feed.rs"]
mod feed;

use feed::{Bytes, Configs, run};

fuzz_target!(|data: &[u8]| {
    let mut input = Bytes(data);
    let Some(which) = input.u8() else {
        return;
    };
    run(which, &Configs::default(), &mut input, 20_000);
});
