//! A hint to the CPU to start loading memory that a loop will read soon: the one `unsafe`
//! block of the crate, for a measured gain (see [`prefetch`]).

/// Bytes the CPU moves between memory and its caches at a time: one cache line on x86-64,
/// the only target where [`prefetch`] does anything.
pub(super) const LINE: usize = 64;

/// Asks the CPU to start loading the cache line that holds `item` into its L2 cache, and
/// returns at once. It reads nothing into the program, so no result can change.
///
/// The batch sweep reads its counts straight from memory (a fleet's series are far larger
/// than the caches), and its work on each block between two summing loops leaves the memory
/// idle: the hardware prefetcher runs ahead of the loop's own reads only. Asked for two
/// blocks ahead, the lines are on their way while that work runs: 100 series read from
/// memory swept about 30 % faster, one in cache about 2 % slower (`benches/sli_sweep.rs`,
/// `benches/loop_floors.rs` and docs/performance.md give the figures). Where the instruction
/// is not available this does nothing.
///
/// # Why an `unsafe` block remains
/// On the toolchains the workspace supports (Rust 1.94.1 and later; checked on 1.95.0, whose
/// `core::arch::x86_64` documents `pub fn _mm_prefetch<const STRATEGY: i32>(p: *const i8)`
/// as "safe to use even though it takes a raw pointer argument ... cannot change the behavior
/// of the program, including not trapping on invalid pointers"), the intrinsic is a safe
/// function marked `#[target_feature(enable = "sse")]`. Since Rust 1.86 (target_feature 1.1)
/// such a function can be called without `unsafe` only from a function that itself enables the
/// feature with `#[target_feature]`, and rustc says so even when the build enables it
/// statically (E0133: "the sse target feature being enabled in the build configuration does
/// not remove the requirement"). Marking this function so would move the obligation to every
/// caller, up to the public API. The stable alternative, `core::hint::prefetch_read`, is still
/// unstable (`hint_prefetch`, rust-lang/rust#146941). So the block stays, with its one
/// obligation discharged by the `cfg` below: it is compiled only where `sse` is enabled for
/// the whole build (always, on x86-64: it is in the baseline), and elsewhere the function is
/// empty. Both paths, with and without the hint, are tested to compute the same sums
/// (`prefix::tests`).
#[inline(always)]
pub(super) fn prefetch<T>(item: &T) {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse"))]
    {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        // SAFETY: the callee is declared safe; its only precondition is the `sse` target
        // feature, which the `cfg` above guarantees is enabled for the whole build, so the
        // instruction exists on every CPU this code runs on. The instruction is a hint: it
        // cannot fault whatever the address, and neither reads into the program nor writes
        // anything; here the address is that of a live reference anyway.
        #[allow(unsafe_code)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T1>(std::ptr::from_ref(item).cast::<i8>());
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse")))]
    let _ = item;
}
