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
#[inline(always)]
pub(super) fn prefetch<T>(item: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};
        // SAFETY: `_mm_prefetch` is `unsafe` only because it needs the SSE target feature,
        // which every x86-64 CPU has (it is in the baseline target). The instruction is a
        // hint: it cannot fault, whatever the address, and neither reads into the program nor
        // writes anything; here the address is that of a live reference anyway.
        #[allow(unsafe_code)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T1>(std::ptr::from_ref(item).cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = item;
}
