//! [`History`]: the running sums the streaming evaluator keeps, one entry per slot that
//! carried a datapoint, never one per step of the longest window.
//!
//! A window ending at slot `k` sums `cum(k) - cum(k - steps)`, where `cum(t)` is the running
//! sum after slot `t`: the sums of the latest entry at or before `t`. A dense stream (a point
//! every step) keeps its entries contiguous, and `cum(t)` is one subtraction and one read, as
//! in a plain ring. Gaps leave holes; then `cum(t)` is a binary search over the entries. Either
//! way memory is O(points in the longest window), not O(steps): a year-long window at one
//! second over two points a year apart holds two entries (in the 1.5 MB set up front), where
//! a ring of steps held 31.5 million (483 MiB).

use crate::error::{Error, Result};

/// The most datapoints a [`StreamingEvaluator`](crate::StreamingEvaluator) keeps by default:
/// 4,194,304 (`2^22`), about 100 MB of sums: 48 days of one-second points, eight years of
/// one-minute points. It keeps the points inside its longest window (alert windows, and the
/// rolling SLO window for the budget); a push that would keep more is refused with
/// [`Error::LimitExceeded`]. [`PolicyEvaluator::streaming_with_limit`](crate::PolicyEvaluator::streaming_with_limit)
/// sets another cap.
pub const MAX_STREAM_POINTS: usize = 1 << 22;

/// One slot that carried a datapoint, with the running sums after it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    slot: usize,
    sums: [f64; 2],
}

impl Entry {
    const EMPTY: Self = Self {
        slot: 0,
        sums: [0.0; 2],
    };
}

/// Entries set up, and written through, when a history is built: enough for the longest
/// window's points up to 65,536 (1.5 MB: 30 days of one-minute points fit), so that a dense
/// stream of ordinary windows is resident from its first point (no push waits on a page fault,
/// and its memory is what it is after a week or after ten years); past that, the ring doubles
/// as points arrive. What is set up front never depends on the window's length beyond that.
const PREALLOCATED: usize = 1 << 16;

/// The entries of the slots within reach, oldest first, in a ring that grows by doubling up to
/// what the window holds.
#[derive(Debug, Clone)]
pub(super) struct History {
    ring: Vec<Entry>,
    /// Ring position of the oldest entry, and the number of entries.
    head: usize,
    len: usize,
    /// Neighbouring entries whose slots are not consecutive (0: contiguous, direct lookups).
    holes: usize,
    /// The slots of the oldest and newest entries (`usize::MAX` and 0 when empty): a dense
    /// stream is pushed, trimmed and read from these alone.
    front_slot: usize,
    back_slot: usize,
    /// Entries older than `reach` slots before the latest are dropped, but the newest of them.
    reach: usize,
    max_points: usize,
}

impl History {
    /// An empty history for windows of at most `reach` slots, keeping at most `max_points`.
    pub(super) fn new(reach: usize, max_points: usize) -> Self {
        let max_points = max_points.max(2);
        // The window's points plus the one before them.
        let capacity = reach.saturating_add(2).min(max_points).min(PREALLOCATED);
        let mut ring = Vec::with_capacity(capacity);
        // `black_box` hides the zeros from the optimiser, which could otherwise turn the
        // writes back into an allocation of untouched zero pages.
        ring.resize(capacity, std::hint::black_box(Entry::EMPTY));
        Self {
            ring,
            head: 0,
            len: 0,
            holes: 0,
            front_slot: usize::MAX,
            back_slot: 0,
            reach,
            max_points,
        }
    }

    /// The ring position of entry `i` (`i < ring.len()`).
    #[inline]
    fn position(&self, i: usize) -> usize {
        let at = self.head + i;
        if at >= self.ring.len() {
            at - self.ring.len()
        } else {
            at
        }
    }

    #[inline]
    fn get(&self, i: usize) -> Entry {
        self.ring[self.position(i)]
    }

    /// Whether an entry for `slot` can be added within the cap (after dropping what falls out
    /// of reach). Changes nothing.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] when it cannot.
    #[inline]
    pub(super) fn check_room(&self, slot: usize) -> Result<()> {
        if self.len < self.max_points {
            return Ok(());
        }
        // Entries kept once `slot` is added: those after the newest one at least `reach`
        // before it (that one is kept too), and the new one.
        let oldest_kept = self
            .last_at_or_before(slot.saturating_sub(self.reach))
            .unwrap_or(0);
        let kept = self.len - oldest_kept + 1;
        if kept > self.max_points {
            return Err(Error::LimitExceeded {
                what: "datapoints kept by a streaming evaluator",
                limit: self.max_points as u64,
                requested: kept as u64,
            });
        }
        Ok(())
    }

    /// Adds the running sums after `slot`, later than every slot held, dropping the entries
    /// no window can read any more. The caller checked [`History::check_room`].
    #[inline]
    pub(super) fn push(&mut self, slot: usize, sums: [f64; 2]) {
        let reach_from = slot.saturating_sub(self.reach);
        // The oldest entry is never read once the next one is at or before every window's
        // start (every later lookup then lands on that one or later).
        if self.holes == 0 {
            // Contiguous: the entries up to `reach_from` but the last of them go at once.
            if self.len >= 2 && reach_from > self.front_slot {
                let drop = (reach_from - self.front_slot).min(self.len - 1);
                self.drop_front(drop);
            }
        } else {
            while self.len >= 2 && self.get(1).slot <= reach_from {
                if self.get(1).slot != self.front_slot + 1 {
                    self.holes -= 1;
                }
                self.drop_front(1);
            }
        }
        if self.len == self.ring.len() {
            self.grow();
        }
        if self.len > 0 && self.back_slot + 1 != slot {
            self.holes += 1;
        }
        let at = self.position(self.len);
        self.ring[at] = Entry { slot, sums };
        if self.len == 0 {
            self.front_slot = slot;
        }
        self.back_slot = slot;
        self.len += 1;
    }

    /// Drops the `count` oldest entries (fewer than all).
    #[inline]
    fn drop_front(&mut self, count: usize) {
        self.head = self.position(count);
        self.len -= count;
        self.front_slot = self.ring[self.head].slot;
    }

    /// Doubles the ring (from 16 entries), oldest entry first.
    #[cold]
    fn grow(&mut self) {
        let capacity = (2 * self.ring.len()).max(16);
        let mut ring = Vec::with_capacity(capacity);
        ring.extend((0..self.len).map(|i| self.get(i)));
        ring.resize(capacity, Entry::EMPTY);
        self.ring = ring;
        self.head = 0;
    }

    /// The index of the newest entry at or before slot `t`, if any.
    #[inline]
    fn last_at_or_before(&self, t: usize) -> Option<usize> {
        if t < self.front_slot {
            return None; // before the first entry, or no entry at all
        }
        if self.holes == 0 {
            return Some((t - self.front_slot).min(self.len - 1));
        }
        // Binary search for the first entry after `t`.
        let (mut lo, mut hi) = (0, self.len);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.get(mid).slot <= t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Some(lo - 1)
    }

    /// The running sums after slot `t`: those of the newest entry at or before it, or zero
    /// before the first.
    #[inline]
    pub(super) fn sums_at(&self, t: usize) -> [f64; 2] {
        self.last_at_or_before(t)
            .map_or([0.0; 2], |i| self.get(i).sums)
    }

    /// The first slot after `t` at which [`History::sums_at`] changes (the slot of the first
    /// entry after `t`), if any.
    pub(super) fn next_change_after(&self, t: usize) -> Option<usize> {
        let next = self.last_at_or_before(t).map_or(0, |i| i + 1);
        (next < self.len).then(|| self.get(next).slot)
    }

    /// Entries held (for tests of the bound).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[allow(clippy::needless_range_loop)] // slots are what is compared
        /// Oracle: a dense array of the running sums of every slot. Whatever the gaps, every
        /// slot within reach reads the same sums, and the first change after it is found.
        #[test]
        fn lookups_equal_a_dense_array_of_slots(
            gaps in prop::collection::vec(prop_oneof![3 => Just(1usize), 1 => 1usize..40], 1..300),
            reach in 1usize..80,
        ) {
            let mut history = History::new(reach, usize::MAX);
            let mut dense: Vec<[f64; 2]> = Vec::new();
            let (mut slot, mut cum) = (0usize, [0.0, 0.0]);
            let mut changes = Vec::new();
            for (i, gap) in gaps.iter().enumerate() {
                if i > 0 {
                    slot += gap;
                }
                while dense.len() < slot {
                    dense.push(cum);
                }
                cum = [cum[0] + (i % 3) as f64, cum[1] + 1.0 + i as f64];
                dense.push(cum);
                changes.push(slot);
                history.push(slot, cum);
                for t in slot.saturating_sub(reach)..=slot {
                    prop_assert_eq!(history.sums_at(t), dense[t], "slot {} after {}", t, slot);
                    let expected = changes.iter().copied().find(|&c| c > t);
                    prop_assert_eq!(history.next_change_after(t), expected);
                }
                // Memory: the entries within reach, plus the one before them.
                let within = changes.iter().filter(|&&c| c + reach > slot).count();
                prop_assert!(history.len() <= within + 1, "{} entries, {} within reach", history.len(), within);
            }
        }
    }

    #[test]
    fn the_cap_refuses_a_point_before_anything_changes() {
        let mut history = History::new(1_000, 4);
        for slot in 0..4 {
            history.check_room(slot).unwrap();
            history.push(slot, [0.0, slot as f64]);
        }
        let err = history.check_room(4).unwrap_err();
        assert!(
            matches!(
                err,
                Error::LimitExceeded {
                    limit: 4,
                    requested: 5,
                    ..
                }
            ),
            "{err:?}"
        );
        // Far enough on, the old points fall out of reach and there is room again.
        history.check_room(1_002).unwrap();
        history.push(1_002, [0.0, 9.0]);
        assert!(history.len() <= 3);
    }
}
