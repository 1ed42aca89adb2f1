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

/// Prefix sums for prefix indices `base ..= base + len - 1`; index `p` holds the sums over
/// slots `0 .. p` (index 0 is before the first slot).
#[derive(Debug)]
pub(super) struct PrefixSums<'s> {
    times: &'s [DateTime<Utc>],
    values: &'s [EventCounts],
    grid: GridCursor,
    /// The next point to add, and its slot once known.
    next_point: usize,
    next_slot: Option<usize>,
    bad: Vec<f64>,
    total: Vec<f64>,
    base: usize,
    cum_bad: f64,
    cum_total: f64,
}

impl<'s> PrefixSums<'s> {
    pub(super) fn new(series: &'s Series<EventCounts>, step: Span) -> Self {
        Self {
            times: series.times(),
            values: series.values(),
            grid: GridCursor::new(series.first_time(), step),
            next_point: 0,
            next_slot: None,
            bad: vec![0.0],
            total: vec![0.0],
            base: 0,
            cum_bad: 0.0,
            cum_total: 0.0,
        }
    }

    /// Makes prefix indices `keep_from ..= upto` available, forgetting older ones in chunks.
    ///
    /// # Errors
    /// [`Error::Misaligned`] for a point off the grid; [`Error::CountOverflow`] when the running
    /// total passes [`MAX_COUNT`].
    pub(super) fn advance(&mut self, keep_from: usize, upto: usize) -> Result<()> {
        if keep_from >= self.base + CHUNK {
            let drop = keep_from - self.base;
            self.bad.drain(..drop);
            self.total.drain(..drop);
            self.base = keep_from;
        }
        while self.base + self.bad.len() <= upto {
            // The next prefix index closes slot `slot`.
            let slot = self.base + self.bad.len() - 1;
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
                self.cum_bad += counts.bad();
                self.cum_total += counts.total();
                self.next_point += 1;
                self.next_slot = None;
            }
            self.bad.push(self.cum_bad);
            self.total.push(self.cum_total);
        }
        if self.cum_total > MAX_COUNT {
            return Err(Error::CountOverflow {
                value: self.cum_total,
            });
        }
        Ok(())
    }

    /// The sums held, starting at prefix index [`PrefixSums::base`].
    pub(super) fn bad(&self) -> &[f64] {
        &self.bad
    }

    /// As [`PrefixSums::bad`], for totals.
    pub(super) fn total(&self) -> &[f64] {
        &self.total
    }

    /// The prefix index of the first sum held.
    pub(super) fn base(&self) -> usize {
        self.base
    }
}
