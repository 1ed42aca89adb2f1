//! [`PrefixSums`]: running sums of bad and total events over the slot grid, kept for the last
//! few slots only. The batch sweep only reads windows ending in its current block, so it needs
//! the sums from the longest window back to the block's end — not the whole series: memory is
//! O(longest window) and the sums stay in cache however long the history.

use chrono::{DateTime, Utc};

use super::prefetch::{LINE, prefetch};
use crate::counts::{EventCounts, MAX_COUNT};
use crate::error::{Error, Result};
use crate::series::{GridCursor, Series};
use crate::span::Span;

/// How far ahead of the summing loop the counts are prefetched, in points: two blocks of the
/// batch sweep (8 KiB of counts). In alternating runs over 100 series read from memory, one
/// block ahead was a few percent slower than two, and four no faster than two.
const PREFETCH_AHEAD: usize = 512;

/// Points of counts in one cache line: the summing loop asks for one line in this many points.
const POINTS_PER_LINE: usize = LINE / std::mem::size_of::<EventCounts>();
const _: () = assert!(
    POINTS_PER_LINE > 0,
    "a point's counts fit in one cache line"
);

/// Running sums over the slot grid, held in a ring: prefix index `p` holds `[bad, total]`
/// summed over slots `0 .. p` (index 0 is before the first slot) at position `p & mask`. Bad
/// and total sit side by side so that one loop with two independent additions per point builds
/// them. The ring's first `mirror` positions are repeated after its end, so that every range a
/// reader asks for is one slice (for straight loops) wherever it starts. A ring rather than a
/// buffer slid now and then: a few times smaller (the longest window's worth rounded up to a
/// power of two: 135 KB for the Workbook's 3-day window at one minute), so it stays in the L2
/// cache, and nothing is copied but the mirror.
#[derive(Debug)]
pub(super) struct PrefixSums<'s> {
    times: &'s [DateTime<Utc>],
    values: &'s [EventCounts],
    grid: GridCursor,
    /// Point `k` is slot `k` (the series is dense on the grid): no timestamp need be read.
    dense: bool,
    /// The next point to add, and its slot once known.
    next_point: usize,
    next_slot: Option<usize>,
    /// `capacity` ring positions (a power of two), then the mirror of the first `mirror`.
    ring: Vec<[f64; 2]>,
    capacity: usize,
    mirror: usize,
    /// The next prefix index to be computed.
    next: usize,
    cumulative: [f64; 2],
    /// How many points have had their total added exactly, checked before each addition
    /// against [`MAX_COUNT`], and that total: kept only once `cumulative` reaches the bound.
    checked: (usize, f64),
    /// Whether the summing loop prefetches ahead; always, but for tests of the path without.
    prefetch: bool,
}

/// A read-only view of the sums held: what the sweep's loops read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prefix<'p> {
    ring: &'p [[f64; 2]],
    mask: usize,
}

impl<'s> PrefixSums<'s> {
    /// Sums over `series` on the `step` grid, for a reader that asks only for prefix indices
    /// at most `reach` before the last one computed (the ring holds at least `reach + 1`), and
    /// for ranges of at most `longest_range` indices.
    pub(super) fn new(
        series: &'s Series<EventCounts>,
        step: Span,
        reach: usize,
        longest_range: usize,
    ) -> Self {
        let capacity = (reach + 1).next_power_of_two();
        let mirror = longest_range.min(capacity);
        // Filled as the first lap goes (no zeroing of a ring about to be overwritten), then
        // mirrored; prefix index 0, before the first slot, is in place.
        let mut ring = Vec::with_capacity(capacity + mirror);
        ring.push([0.0, 0.0]);
        Self {
            times: series.times(),
            values: series.values(),
            grid: GridCursor::new(series.first_time(), step),
            dense: series.is_dense_on(step),
            next_point: 0,
            next_slot: None,
            ring,
            capacity,
            mirror,
            next: 1,
            cumulative: [0.0, 0.0],
            checked: (0, 0.0),
            prefetch: true,
        }
    }

    /// The same sums, built without prefetching (to test that path against the other).
    #[cfg(test)]
    fn without_prefetch(mut self) -> Self {
        self.prefetch = false;
        self
    }

    /// Makes prefix indices up to `upto` available (and those `reach` before it).
    ///
    /// # Errors
    /// [`Error::Misaligned`] for a point off the grid; [`Error::CountOverflow`] when the running
    /// total passes [`MAX_COUNT`].
    pub(super) fn advance(&mut self, upto: usize) -> Result<()> {
        if self.dense {
            // Decided once per call, not per line: the loops are compiled with and without.
            if self.prefetch {
                self.extend_dense::<true>(upto);
            } else {
                self.extend_dense::<false>(upto);
            }
        }
        while self.next <= upto {
            // The next prefix index closes slot `slot`.
            let slot = self.next - 1;
            if self.next_slot.is_none()
                && let (Some(&at), true) = (
                    self.times.get(self.next_point),
                    self.next_point < self.values.len(),
                )
            {
                self.next_slot = Some(self.grid.slot(self.next_point, at)?);
            }
            if self.next_slot == Some(slot)
                && let Some(counts) = self.values.get(self.next_point)
            {
                self.cumulative[0] += counts.bad();
                self.cumulative[1] += counts.total();
                self.next_point += 1;
                self.next_slot = None;
            }
            self.store(self.cumulative);
        }
        if self.cumulative[1] >= MAX_COUNT {
            self.check_exact_total()?;
        }
        Ok(())
    }

    /// At the bound, the totals taken so far added again, each checked before it is added as
    /// the streaming evaluator checks it: added as they come, 2^53 + 1 rounds to 2^53 and
    /// passed, and a bad minute after 2^53 events went unseen. Rare (a running total at 2^53),
    /// and each point is checked once.
    fn check_exact_total(&mut self) -> Result<()> {
        for counts in &self.values[self.checked.0..self.next_point] {
            if self.checked.1 > MAX_COUNT - counts.total() {
                return Err(Error::CountOverflow {
                    value: self.checked.1 + counts.total(),
                });
            }
            self.checked.1 += counts.total();
        }
        self.checked.0 = self.next_point;
        Ok(())
    }

    /// Adds the sums up to prefix index `upto` when point `k` is slot `k`: straight loops over
    /// stretches of the ring, appended to it on the first lap and overwritten after.
    fn extend_dense<const PREFETCH: bool>(&mut self, upto: usize) {
        // Prefix index `p` closes slot `p - 1`, that is point `p - 1`.
        let last = (upto + 1).min(self.values.len() + 1);
        while self.next < last {
            let at = self.next & (self.capacity - 1);
            let len = (last - self.next).min(self.capacity - at);
            let points = &self.values[self.next - 1..self.next - 1 + len];
            let ahead = self
                .values
                .get(self.next - 1 + PREFETCH_AHEAD..)
                .unwrap_or_default();
            let [mut bad, mut total] = self.cumulative;
            let mut add = |counts: &EventCounts| {
                bad += counts.bad();
                total += counts.total();
                [bad, total]
            };
            // One prefetch per cache line of counts, for the line `PREFETCH_AHEAD` points on,
            // so that the reads of later blocks overlap the sweep's work on this one.
            let mut later = ahead.iter().step_by(POINTS_PER_LINE);
            let mut prefetch_next = || {
                if PREFETCH && let Some(later) = later.next() {
                    prefetch(later);
                }
            };
            let mut lines = points.chunks_exact(POINTS_PER_LINE);
            if at == self.ring.len() {
                // The first lap: `extend` appends without writing the ring twice.
                for line in &mut lines {
                    prefetch_next();
                    self.ring.extend(line.iter().map(&mut add));
                }
                self.ring.extend(lines.remainder().iter().map(&mut add));
            } else {
                let mut sums = self.ring[at..at + len].chunks_exact_mut(POINTS_PER_LINE);
                for (line_sums, line) in (&mut sums).zip(&mut lines) {
                    prefetch_next();
                    for (sum, counts) in line_sums.iter_mut().zip(line) {
                        *sum = add(counts);
                    }
                }
                for (sum, counts) in sums.into_remainder().iter_mut().zip(lines.remainder()) {
                    *sum = add(counts);
                }
            }
            self.cumulative = [bad, total];
            self.next += len;
            self.next_point += len;
            self.mirror_from(at, at + len);
        }
    }

    /// Stores the sums of the next prefix index.
    fn store(&mut self, sums: [f64; 2]) {
        let at = self.next & (self.capacity - 1);
        if at == self.ring.len() {
            self.ring.push(sums);
        } else {
            self.ring[at] = sums;
        }
        self.next += 1;
        self.mirror_from(at, at + 1);
    }

    /// Repeats ring positions `from .. to`, just written, in the mirror: all of it once the
    /// first lap is complete, the part of them it covers after that.
    fn mirror_from(&mut self, from: usize, to: usize) {
        if self.ring.len() == self.capacity {
            self.ring.extend_from_within(..self.mirror);
        } else if from < self.mirror && self.ring.len() > self.capacity {
            let to = to.min(self.mirror);
            self.ring.copy_within(from..to, self.capacity + from);
        }
    }

    /// The sums held.
    pub(super) fn view(&self) -> Prefix<'_> {
        Prefix {
            ring: &self.ring,
            mask: self.capacity - 1,
        }
    }
}

impl<'p> Prefix<'p> {
    /// A view of prefix sums built elsewhere, from prefix index 0 (for unit tests of readers).
    #[cfg(test)]
    pub(super) fn from_sums(sums: &'p [[f64; 2]]) -> Self {
        Self {
            ring: sums,
            mask: usize::MAX,
        }
    }

    /// `[bad, total]` over slots `0 .. p`.
    #[inline]
    pub(super) fn at(self, p: usize) -> [f64; 2] {
        self.ring[p & self.mask]
    }

    /// The sums for prefix indices `from .. to`, for straight loops (at most the mirror's
    /// length of them).
    #[inline]
    pub(super) fn range(self, from: usize, to: usize) -> &'p [[f64; 2]] {
        let at = from & self.mask;
        &self.ring[at..at + (to - from)]
    }

    /// `(bad, total)` over the `steps` slots ending at slot `i` (from the series start when
    /// the window reaches before it).
    #[inline]
    pub(super) fn window(self, i: usize, steps: usize) -> (f64, f64) {
        let ([hb, ht], [lb, lt]) = (self.at(i + 1), self.at((i + 1).saturating_sub(steps)));
        (hb - lb, ht - lt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    proptest! {
        /// However the ring wraps, every index a reader may ask for, and every range up to
        /// the mirror's length, holds the running sums added one slot at a time.
        #[test]
        fn the_ring_holds_the_running_sums_within_reach(
            points in prop::collection::vec((0u32..4, 0.0f64..1.0, 0.0f64..10.0), 1..400),
            reach in 1usize..70,
            longest_range in 1usize..40,
            stride in 1usize..50,
            dense in any::<bool>(),
        ) {
            // Minutes with a gap of 0 to 3 empty slots before each point but the first, or
            // none (the sums then read no timestamp).
            let origin = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
            let mut slot = 0i64;
            let mut slots = Vec::new();
            let counts: Vec<_> = points
                .iter()
                .enumerate()
                .map(|(k, &(gap, good_share, total))| {
                    if k > 0 {
                        slot += if dense { 1 } else { i64::from(gap) + 1 };
                    }
                    slots.push(slot as usize);
                    (origin + chrono::TimeDelta::minutes(slot), good_share * total, total)
                })
                .collect();
            let series = Series::from_counts(counts.clone()).unwrap();
            // Reference: prefix index `p` sums slots `0 .. p`, one slot at a time.
            let mut expected = vec![[0.0, 0.0]];
            let mut next = 0;
            for s in 0..=slot as usize {
                let [mut bad, mut total] = *expected.last().unwrap();
                if slots.get(next) == Some(&s) {
                    bad += counts[next].2 - counts[next].1;
                    total += counts[next].2;
                    next += 1;
                }
                expected.push([bad, total]);
            }
            // With the prefetch hint (the production path) and without it: the same sums.
            for prefetching in [true, false] {
                let mut sums = PrefixSums::new(&series, Span::MINUTE, reach, longest_range);
                if !prefetching {
                    sums = sums.without_prefetch();
                }
                let mut upto = 0;
                while upto < expected.len() {
                    sums.advance(upto).unwrap();
                    let view = sums.view();
                    for p in upto.saturating_sub(reach)..=upto {
                        prop_assert_eq!(view.at(p), expected[p], "index {} after {}", p, upto);
                        let to = (p + longest_range).min(upto + 1);
                        prop_assert_eq!(view.range(p, to), &expected[p..to]);
                    }
                    upto += stride;
                }
            }
        }
    }

    #[test]
    #[allow(clippy::needless_range_loop)] // indices are what is compared
    fn prefetching_and_not_give_the_same_sums_over_many_lines() {
        // Long enough (5,000 dense points, the ring lapping many times) that the hint is
        // issued: the proptest above stays under `PREFETCH_AHEAD` points.
        let origin = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let series = Series::from_counts((0..5_000i64).map(|m| {
            let total = (m * 7919 % 1000) as f64;
            (
                origin + chrono::TimeDelta::minutes(m),
                total - (m % 3) as f64 * 0.25 * total / 2.0,
                total,
            )
        }))
        .unwrap();
        let (reach, longest) = (700, 257);
        let mut with = PrefixSums::new(&series, Span::MINUTE, reach, longest);
        let mut without = PrefixSums::new(&series, Span::MINUTE, reach, longest).without_prefetch();
        let (mut bad, mut total) = (0.0, 0.0);
        let mut expected = vec![[0.0, 0.0]];
        for c in series.values() {
            bad += c.bad();
            total += c.total();
            expected.push([bad, total]);
        }
        for upto in (256..=5_000).step_by(256).chain([5_000]) {
            with.advance(upto).unwrap();
            without.advance(upto).unwrap();
            for p in upto - reach.min(upto)..=upto {
                assert_eq!(with.view().at(p), expected[p], "index {p} after {upto}");
                assert_eq!(without.view().at(p), expected[p], "index {p} after {upto}");
            }
        }
    }
}
