//! Memory that grows with a window is O(points in the window that carry data), not O(steps):
//! measured with a counting allocator. Each case was reproduced before the fix (a hostile-input
//! probe): a year-long rolling SLO at one-second steps allocated a 483 MiB ring up front; a
//! window of a hundred years aborted the process on a 25 GB allocation; `sweep` of a sparse
//! series went the same way.
//!
//! One test function, so that no other test allocates while a case is measured.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// This test binary's global allocator forwards to the system's and counts bytes: implementing
// `GlobalAlloc` takes `unsafe`, here and in no library code.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{TimeDelta, TimeZone, Utc};
use sli_core::{
    AlertPolicy, Error, EventCounts, Objective, PartialWindows, PolicyEvaluator, Series, Sli, Slo,
    Span, Window,
};

/// The system allocator, counting the bytes live and the most ever live since `reset`.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s
// contract; the counters are atomics and never affect what is returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: the caller's obligations for `alloc` (a non-zero size) pass on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this `layout`, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The most bytes live at once while `f` runs, above what was live before.
fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - before)
}

const MIB: usize = 1 << 20;

/// What an evaluator sets up front whatever its window (65,536 entries of 24 bytes, 1.5 MiB),
/// with room for the rest of the evaluator.
const UP_FRONT: usize = 2 * MIB;

fn slo(window: Span) -> Slo {
    Slo::new(
        "hostile",
        Objective::new(0.999).unwrap(),
        Window::rolling(window),
        Sli::EventRatio,
    )
}

#[test]
fn state_grows_with_points_not_with_steps() {
    let t0 = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let counts = EventCounts::new(99.0, 100.0).unwrap();

    // A year-long rolling SLO at one-second steps, two points a year apart.
    let year = slo(Span::from_days(365).unwrap());
    let evaluator = PolicyEvaluator::new(&year, &AlertPolicy::default(), Span::SECOND).unwrap();
    let (_, peak) = peak_of(|| {
        let mut stream = evaluator.streaming();
        stream.push(t0, counts).unwrap();
        stream.push(t0 + TimeDelta::days(365), counts).unwrap();
        stream.budget()
    });
    assert!(peak < UP_FRONT, "a year at one second took {peak} bytes");

    // The longest window a span allows (100 years) at one second: 3.2 billion steps.
    let century = slo(Span::from_days(100 * 366).unwrap());
    let evaluator = PolicyEvaluator::new(&century, &AlertPolicy::default(), Span::SECOND).unwrap();
    let (_, peak) = peak_of(|| {
        let mut stream = evaluator.streaming();
        for day in [0, 1, 400, 20_000] {
            stream.push(t0 + TimeDelta::days(day), counts).unwrap();
        }
    });
    assert!(peak < UP_FRONT, "a century at one second took {peak} bytes");

    // The batch sweep of a sparse series (hands it to the streaming evaluator), with windows
    // evaluated while they fill (they are years long).
    let policy = AlertPolicy::default().with_partial_windows(PartialWindows::Evaluate);
    let evaluator = PolicyEvaluator::new(&year, &policy, Span::SECOND).unwrap();
    let sparse =
        Series::from_counts((0..1_000).map(|i| (t0 + TimeDelta::hours(7 * i), 0.0, 1000.0)))
            .unwrap();
    let (alerts, peak) = peak_of(|| evaluator.sweep(&sparse).unwrap());
    assert!(!alerts.is_empty(), "total failure pages");
    assert!(peak < 4 * MIB, "a sparse sweep took {peak} bytes");

    // A dense stream keeps its points: 30 days of one-minute points take about 1 MB, and a
    // cap below that is refused with a typed error naming it.
    let month = slo(Span::from_days(30).unwrap());
    let evaluator = PolicyEvaluator::new(&month, &AlertPolicy::default(), Span::MINUTE).unwrap();
    let (_, peak) = peak_of(|| {
        let mut stream = evaluator.streaming();
        for m in 0..43_200 {
            stream.push(t0 + TimeDelta::minutes(m), counts).unwrap();
        }
    });
    assert!(peak < 4 * MIB, "30 dense days took {peak} bytes");
    let mut capped = evaluator.streaming_with_limit(10_000);
    let refused = (0..20_000)
        .map(|m| capped.push(t0 + TimeDelta::minutes(m), counts).map(|_| ()))
        .find_map(Result::err)
        .unwrap();
    assert!(
        matches!(
            refused,
            Error::LimitExceeded {
                limit: 10_000,
                requested: 10_001,
                ..
            }
        ),
        "{refused:?}"
    );
    // Refused without a trace: the next minute after the last kept one is still refused,
    // and the evaluator still reads its ten thousand points.
    assert!(
        capped
            .push(t0 + TimeDelta::minutes(10_000), counts)
            .is_err()
    );
    assert_eq!(capped.last_time(), Some(t0 + TimeDelta::minutes(9_999)));
}
