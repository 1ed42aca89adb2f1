//! [`PrefixSums`]: running sums of bad and total events over the slot grid, kept for a sliding
//! range of slots. The batch sweep only reads windows ending in its current block, so it needs
//! the sums from the longest window back to the block's end — not the whole series: memory is
//! O(longest window) and the sums stay in cache however long the history.

use chrono::{DateTime, Utc};

use crate::counts::{EventCounts, MAX_COUNT};
use crate::error::{Error, Result};
use crate::series::{GridCursor, Series};
use crate::span::Span;

/// Prefix indices dropped at once when the range slides: large enough that the copy of the
/// kept tail is negligible, small enough to stay in cache.
const CHUNK: usize = 1 << 15;

/// Prefix sums for prefix indices `base ..= base + len - 1`; index `p` holds `[bad, total]`
/// summed over slots `0 .. p` (index 0 is before the first slot). Bad and total sit side by
/// side so that one loop with two independent additions per point builds them.
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
    sums: Vec<[f64; 2]>,
    base: usize,
    cumulative: [f64; 2],
}

/// A read-only view of the sums held: what the sweep's loops read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prefix<'p> {
    sums: &'p [[f64; 2]],
    base: usize,
}

impl<'s> PrefixSums<'s> {
    /// Sums over `series` on the `step` grid, for a reader that keeps at most `reach` prefix
    /// indices before the last it asks for (so that the buffer is allocated once).
    pub(super) fn new(series: &'s Series<EventCounts>, step: Span, reach: usize) -> Self {
        let held = (reach + CHUNK + 1).min(series.len() + 1);
        let mut sums = Vec::with_capacity(held);
        sums.push([0.0, 0.0]);
        Self {
            times: series.times(),
            values: series.values(),
            grid: GridCursor::new(series.first_time(), step),
            dense: series.is_dense_on(step),
            next_point: 0,
            next_slot: None,
            sums,
            base: 0,
            cumulative: [0.0, 0.0],
        }
    }

    /// Makes prefix indices `keep_from ..= upto` available, forgetting older ones in chunks.
    ///
    /// # Errors
    /// [`Error::Misaligned`] for a point off the grid; [`Error::CountOverflow`] when the running
    /// total passes [`MAX_COUNT`].
    pub(super) fn advance(&mut self, keep_from: usize, upto: usize) -> Result<()> {
        if keep_from >= self.base + CHUNK {
            self.sums.drain(..keep_from - self.base);
            self.base = keep_from;
        }
        if self.dense {
            self.extend_dense(upto);
        }
        while self.base + self.sums.len() <= upto {
            // The next prefix index closes slot `slot`.
            let slot = self.base + self.sums.len() - 1;
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
            self.sums.push(self.cumulative);
        }
        if self.cumulative[1] > MAX_COUNT {
            return Err(Error::CountOverflow {
                value: self.cumulative[1],
            });
        }
        Ok(())
    }

    /// Adds the sums up to prefix index `upto` when point `k` is slot `k`: one straight loop
    /// (`extend` over a slice writes without a capacity check per point).
    fn extend_dense(&mut self, upto: usize) {
        // Prefix index `p` closes slot `p - 1`, that is point `p - 1`.
        let from = self.next_index() - 1;
        let points = self
            .values
            .get(from..upto.min(self.values.len()))
            .unwrap_or(&[]);
        let [mut bad, mut total] = self.cumulative;
        self.sums.extend(points.iter().map(|counts| {
            bad += counts.bad();
            total += counts.total();
            [bad, total]
        }));
        self.cumulative = [bad, total];
        self.next_point += points.len();
    }

    /// The next prefix index to be computed.
    fn next_index(&self) -> usize {
        self.base + self.sums.len()
    }

    /// The sums held.
    pub(super) fn view(&self) -> Prefix<'_> {
        Prefix {
            sums: &self.sums,
            base: self.base,
        }
    }
}

impl<'p> Prefix<'p> {
    /// A view of prefix sums built elsewhere, from prefix index 0 (for unit tests of readers).
    #[cfg(test)]
    pub(super) fn from_sums(sums: &'p [[f64; 2]]) -> Self {
        Self { sums, base: 0 }
    }

    /// `[bad, total]` over slots `0 .. p`.
    #[inline]
    pub(super) fn at(self, p: usize) -> [f64; 2] {
        self.sums[p - self.base]
    }

    /// The sums for prefix indices `from .. to`, for straight loops.
    #[inline]
    pub(super) fn range(self, from: usize, to: usize) -> &'p [[f64; 2]] {
        &self.sums[from - self.base..to - self.base]
    }

    /// `(bad, total)` over the `steps` slots ending at slot `i` (from the series start when
    /// the window reaches before it).
    #[inline]
    pub(super) fn window(self, i: usize, steps: usize) -> (f64, f64) {
        let ([hb, ht], [lb, lt]) = (self.at(i + 1), self.at((i + 1).saturating_sub(steps)));
        (hb - lb, ht - lt)
    }
}
