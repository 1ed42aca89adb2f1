//! The records a spike or a shift must beat: the most surprising (or extreme) value of each
//! short window over the record window.

use super::RecordKind;
use crate::error::Result;
use crate::stats::RollingMax;

/// The largest value of each record, kept per short window (block): the record a point must
/// beat is the largest of the completed blocks within the record window and of the current
/// block so far. Memory: one entry per block, at most `record_window / short_window + 1`.
#[derive(Debug, Clone)]
struct Record {
    blocks: RollingMax,
    /// The largest of the completed blocks within the record window (`-∞` when none): it
    /// changes only when a block closes, so it is read from here rather than from `blocks` at
    /// every point.
    past: f64,
    current: f64,
    /// Values pushed since the record was last cleared.
    seen: u64,
}

impl Record {
    fn new(blocks: usize) -> Result<Self> {
        Ok(Self {
            blocks: RollingMax::new(blocks)?,
            past: f64::NEG_INFINITY,
            current: f64::NEG_INFINITY,
            seen: 0,
        })
    }

    /// The record, `None` before any value.
    #[inline]
    fn get(&self) -> Option<f64> {
        (self.seen > 0).then(|| self.past.max(self.current))
    }

    #[inline]
    fn push(&mut self, value: f64) {
        self.current = self.current.max(value);
        self.seen += 1;
    }

    /// Closes the current block into the record window. Values are finite and at most
    /// [`MAX_Z`](super::MAX_Z), so the push cannot fail.
    fn close_block(&mut self) -> Result<()> {
        if self.current > f64::NEG_INFINITY {
            self.blocks.push(self.current)?;
            self.past = self.blocks.max().unwrap_or(f64::NEG_INFINITY);
        }
        self.current = f64::NEG_INFINITY;
        Ok(())
    }
}

/// The records of [`AnomalyConfig::record_window`]: for [`RecordKind::Surprise`] the largest
/// |z| of spikes and shifts (`up` only); for [`RecordKind::Value`] the largest values (`up`)
/// and the largest negated values (`down`) of points and of short-window medians.
#[derive(Debug, Clone)]
pub(super) struct Records {
    kind: RecordKind,
    block: u64,
    /// Points left before the current block closes (`block` minus the points judged since the
    /// last close): a countdown rather than a division a point.
    until_close: u64,
    spike_up: Record,
    spike_down: Record,
    shift_up: Record,
    shift_down: Record,
}

impl Records {
    pub(super) fn new(kind: RecordKind, window: usize, block: usize) -> Result<Self> {
        let blocks = window.div_ceil(block);
        Ok(Self {
            kind,
            block: block as u64,
            until_close: block as u64,
            spike_up: Record::new(blocks)?,
            spike_down: Record::new(blocks)?,
            shift_up: Record::new(blocks)?,
            shift_down: Record::new(blocks)?,
        })
    }

    /// Whether a spike (value `value`, score `z`) and a shift (short median `short`, score
    /// `level`) beat their records; then the point joins the records. A record is judged
    /// before the point joins it: it must beat the past, not itself.
    #[inline]
    pub(super) fn judge(
        &mut self,
        value: f64,
        z: f64,
        short: Option<f64>,
        level: f64,
    ) -> Result<(bool, bool)> {
        fn beats(record: &Record, candidate: f64) -> bool {
            record.get().is_some_and(|r| candidate > r)
        }
        let verdict = match self.kind {
            RecordKind::Surprise => {
                let verdict = (
                    beats(&self.spike_up, z.abs()),
                    beats(&self.shift_up, level.abs()),
                );
                self.spike_up.push(z.abs());
                self.shift_up.push(level.abs());
                verdict
            }
            RecordKind::Value => {
                let spike = if z > 0.0 {
                    beats(&self.spike_up, value)
                } else {
                    beats(&self.spike_down, -value)
                };
                let shift = short.is_some_and(|short| {
                    if level > 0.0 {
                        beats(&self.shift_up, short)
                    } else {
                        beats(&self.shift_down, -short)
                    }
                });
                self.spike_up.push(value);
                self.spike_down.push(-value);
                if let Some(short) = short {
                    self.shift_up.push(short);
                    self.shift_down.push(-short);
                }
                (spike, shift)
            }
        };
        self.until_close -= 1;
        if self.until_close == 0 {
            self.until_close = self.block;
            for record in [
                &mut self.spike_up,
                &mut self.spike_down,
                &mut self.shift_up,
                &mut self.shift_down,
            ] {
                record.close_block()?;
            }
        }
        Ok(verdict)
    }
}
