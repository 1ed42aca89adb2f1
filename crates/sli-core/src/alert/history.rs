//! [`History`]: the running sums the streaming evaluator keeps, one entry per slot that
//! carried a datapoint, never one per step of the longest window.
//!
//! A window ending at slot `k` sums `cum(k) - cum(k - steps)`, where `cum(t)` is the running
//! sum after slot `t`: the sums of the latest entry at or before `t`. A dense stream (a point
//! every step) keeps its entries contiguous, and `cum(t)` is one subtraction and one read, as
//! in a plain ring. Gaps leave holes; then `cum(t)` is a binary search over the entries. Either
//! way memory is O(points in the longest window), not O(steps): a year-long window at one
//! second over two points a year apart holds two entries (in the 1 MiB set up front), where
//! a ring of steps held 31.5 million (483 MiB).

use crate::error::{Error, Result};

/// The most datapoints a [`StreamingEvaluator`](crate::StreamingEvaluator) keeps by default:
/// 4,194,304 (`2^22`), about 100 MB of sums: 48 days of one-second points, eight years of
/// one-minute points. It keeps the points inside its longest window (alert windows, and the
/// rolling SLO window for the budget); a push that would keep more is refused with
/// [`Error::LimitExceeded`]. [`PolicyEvaluator::streaming_with_limit`](crate::PolicyEvaluator::streaming_with_limit)
/// sets another cap.
pub const MAX_STREAM_POINTS: usize = 1 << 22;

/// Entries set up, and written through, when a history is built: enough for the longest
/// window's points up to 65,536 (1 MiB of sums: 30 days of one-minute points fit), so that a
/// dense stream of ordinary windows is resident from its first point (no push waits on a page
/// fault, and its memory is what it is after a week or after ten years); past that, the ring
/// doubles as points arrive. What is set up front never depends on the window's length beyond
/// that.
const PREALLOCATED: usize = 1 << 16;

/// The entries of the slots within reach, oldest first: their running sums in a ring that
/// grows by doubling up to what the window holds, and, while the entries are not contiguous,
/// their slots beside them (a contiguous run needs only its first slot, so a dense stream
/// writes and reads 16 bytes a point, as a plain ring of sums would).
#[derive(Debug, Clone)]
pub(super) struct History {
    sums: Vec<[f64; 2]>,
    /// The slot of each entry, at the same ring positions; kept only while `holes > 0`
    /// (`slotted`), and filled in from `front_slot` when the first hole appears.
    slots: Vec<usize>,
    slotted: bool,
    /// Ring position of the oldest entry, and the number of entries.
    head: usize,
    len: usize,
    /// Neighbouring entries whose slots are not consecutive (0: contiguous, direct lookups).
    holes: usize,
    /// The slots of the oldest and newest entries (`usize::MAX` and 0 when empty), and the
    /// ring position of the newest.
    front_slot: usize,
    back_slot: usize,
    back_position: usize,
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
        let mut sums = Vec::with_capacity(capacity);
        // `black_box` hides the zeros from the optimiser, which could otherwise turn the
        // writes back into an allocation of untouched zero pages.
        sums.resize(capacity, std::hint::black_box([0.0; 2]));
        Self {
            sums,
            slots: Vec::new(),
            slotted: false,
            head: 0,
            len: 0,
            holes: 0,
            front_slot: usize::MAX,
            back_slot: 0,
            back_position: 0,
            reach,
            max_points,
        }
    }

    /// The ring position of entry `i` (`i < capacity`).
    #[inline]
    fn position(&self, i: usize) -> usize {
        let at = self.head + i;
        if at >= self.sums.len() {
            at - self.sums.len()
        } else {
            at
        }
    }

    /// The slot of entry `i`.
    #[inline]
    fn slot(&self, i: usize) -> usize {
        if self.slotted {
            self.slots[self.position(i)]
        } else {
            self.front_slot + i
        }
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
    /// no window can read any more, and returns [`History::dense_at`]`(slot)`. The caller
    /// checked [`History::check_room`].
    #[inline]
    pub(super) fn push(&mut self, slot: usize, sums: [f64; 2]) -> bool {
        // A dense stream's push: the next slot after a contiguous run. At most the oldest
        // entries fall out of reach (one per push, once the window is full).
        if self.holes == 0 && !self.slotted && self.len > 0 && slot == self.back_slot + 1 {
            let reach_from = slot.saturating_sub(self.reach);
            if reach_from > self.front_slot && self.len >= 2 {
                let drop = (reach_from - self.front_slot).min(self.len - 1);
                self.front_slot += drop;
                self.head = self.position(drop);
                self.len -= drop;
            }
            if self.len == self.sums.len() {
                self.grow();
            }
            let at = self.position(self.len);
            self.sums[at] = sums;
            self.back_slot = slot;
            self.back_position = at;
            self.len += 1;
            return true;
        }
        self.push_any(slot, sums);
        self.holes == 0
    }

    /// [`History::push`] for every other case: the first entry, a gap, entries with holes.
    fn push_any(&mut self, slot: usize, sums: [f64; 2]) {
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
            while self.len >= 2 && self.slot(1) <= reach_from {
                if self.slot(1) != self.front_slot + 1 {
                    self.holes -= 1;
                }
                self.drop_front(1);
            }
        }
        if self.len == self.sums.len() {
            self.grow();
        }
        if self.len > 0 && self.back_slot + 1 != slot {
            if !self.slotted {
                self.write_slots();
            }
            self.holes += 1;
        }
        let at = self.position(self.len);
        self.sums[at] = sums;
        if self.slotted {
            if self.holes == 0 {
                // Contiguous again: the slots follow from the first one.
                self.slotted = false;
            } else {
                self.slots[at] = slot;
            }
        }
        if self.len == 0 {
            self.front_slot = slot;
        }
        self.back_slot = slot;
        self.back_position = at;
        self.len += 1;
    }

    /// Whether [`History::sums_back`] may be used at slot `k`: the entries are contiguous and
    /// the newest is `k` (a dense stream, at each push).
    #[inline(always)]
    pub(super) fn dense_at(&self, k: usize) -> bool {
        self.holes == 0 && self.len > 0 && self.back_slot == k
    }

    /// The running sums after slot `k - steps`, when [`History::dense_at`]`(k)` and
    /// `steps <= k`: the entry `steps` before the newest, found as in a plain ring. The
    /// lookup of the dense stream, the evaluator's hot path.
    #[inline(always)]
    pub(super) fn sums_back(&self, steps: usize) -> [f64; 2] {
        // `k - steps` is at or after the oldest entry: the oldest is the first point (slot 0)
        // until entries are dropped, and then the newest at or before `k - reach`.
        let at = if self.back_position >= steps {
            self.back_position - steps
        } else {
            self.back_position + self.sums.len() - steps
        };
        // Always in bounds (`steps` is below the number of entries); `get` spares the panic
        // branch in the hot loop.
        self.sums.get(at).copied().unwrap_or_default()
    }

    /// Writes the slots of a contiguous run, before its first hole.
    #[cold]
    fn write_slots(&mut self) {
        self.slots.resize(self.sums.len(), 0);
        for i in 0..self.len {
            let at = self.position(i);
            self.slots[at] = self.front_slot + i;
        }
        self.slotted = true;
    }

    /// Drops the `count` oldest entries (fewer than all).
    #[inline]
    fn drop_front(&mut self, count: usize) {
        self.front_slot = self.slot(count);
        self.head = self.position(count);
        self.len -= count;
    }

    /// Doubles the ring (from 16 entries), oldest entry first.
    #[cold]
    fn grow(&mut self) {
        let capacity = (2 * self.sums.len()).max(16);
        let mut sums = Vec::with_capacity(capacity);
        sums.extend((0..self.len).map(|i| self.sums[self.position(i)]));
        sums.resize(capacity, [0.0; 2]);
        if self.slotted {
            let mut slots = Vec::with_capacity(capacity);
            slots.extend((0..self.len).map(|i| self.slots[self.position(i)]));
            slots.resize(capacity, 0);
            self.slots = slots;
        } else {
            self.slots = Vec::new();
        }
        self.sums = sums;
        self.head = 0;
        self.back_position = self.len.saturating_sub(1);
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
            if self.slot(mid) <= t {
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
            .map_or([0.0; 2], |i| self.sums[self.position(i)])
    }

    /// The first slot after `t` at which [`History::sums_at`] changes (the slot of the first
    /// entry after `t`), if any.
    pub(super) fn next_change_after(&self, t: usize) -> Option<usize> {
        let next = self.last_at_or_before(t).map_or(0, |i| i + 1);
        (next < self.len).then(|| self.slot(next))
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
            gaps in prop::collection::vec(prop_oneof![12 => Just(1usize), 1 => 1usize..40], 1..300),
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
                if history.dense_at(slot) {
                    for steps in 0..=reach.min(slot) {
                        prop_assert_eq!(history.sums_back(steps), dense[slot - steps], "{} back from {}", steps, slot);
                    }
                }
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
