//! The batch sweep: a series evaluated a block of slots at a time over running sums kept for
//! the longest window, with quiet blocks ruled out per tier, in a few comparisons, by an exact
//! bound.

use chrono::{DateTime, Utc};

use super::AlertInterval;
use super::evaluator::{
    BREACH, Condition, NO_DATA, Resolved, TierTracker, check_evaluation_range, evaluation_instant,
    resolve_missing, sort_alerts, window_state,
};
use super::prefix::{Prefix, PrefixSums};
use super::stream::AlertUpdate;
use crate::counts::EventCounts;
use crate::error::{Error, Result};
use crate::missing::MissingData;
use crate::series::{GridCursor, Series};

/// Points evaluated per block of the batch sweep: small enough for the state buffers to stay
/// in L1 cache and for quiet stretches to be ruled out block by block (`cannot_breach`), large
/// enough for the vectorised loops and the per-block bookkeeping to stay cheap (measured
/// between 32 and 2,048 on `benches/sli_sweep.rs`: 256 was fastest; since the run lengths
/// carry over between blocks, 512 runs 4 % fewer instructions and no faster).
const BLOCK: usize = 256;

/// The shortest run [`cannot_breach`] halves down to before giving up: a run halved from more
/// than 16 slots keeps at least 9, so halving never costs a block of 256 slots more than 29
/// passing checks (windows shorter than that are checked a window at a time), and the bound is
/// within a few percent of exact for windows of an hour or more.
const MIN_RUN: usize = 16;

/// One series' batch sweep, advanced a block of slots at a time.
#[derive(Debug)]
pub(super) struct BlockSweep<'s> {
    r: &'s Resolved,
    origin: DateTime<Utc>,
    /// Slots of the grid from the first point to the last.
    slots: usize,
    block_start: usize,
    prefix: PrefixSums<'s>,
    /// Per condition, the window states of the current block.
    states: Vec<[u8; BLOCK]>,
    /// Per condition, the state at the end of the previous block (for `MissingData::Skip`).
    last_state: Vec<bool>,
    trackers: Vec<TierTracker>,
    /// Per tier: cannot fire in the current block.
    quiet: Vec<bool>,
    /// Per condition: what the current block asks of its windows.
    needs: Vec<Need>,
    /// Per condition: the run length [`cannot_breach`] starts from in the next block.
    runs: Vec<usize>,
    alerts: Vec<AlertInterval>,
}

impl<'s> BlockSweep<'s> {
    /// Checks `series` against the policy and sets up its sweep; `None` when fewer than a
    /// quarter of its slots hold a point: the streaming evaluator sweeps such a series in
    /// memory O(points) and skips its gaps, where a block sweep would hold and visit every
    /// slot.
    ///
    /// # Errors
    /// [`Error::DateOutOfRange`], [`Error::Misaligned`] for the last point, and
    /// [`Error::WindowLongerThanData`] under `PartialWindows::Reject`.
    pub(super) fn new(r: &'s Resolved, series: &'s Series<EventCounts>) -> Result<Option<Self>> {
        Self::setup(r, series, true)
    }

    /// [`BlockSweep::new`], or with `sparse_to_streaming` false a block sweep whatever the
    /// density (tests compare it with the streaming evaluator on sparse series).
    pub(super) fn setup(
        r: &'s Resolved,
        series: &'s Series<EventCounts>,
        sparse_to_streaming: bool,
    ) -> Result<Option<Self>> {
        check_evaluation_range(series.last_time(), r.step)?;
        let last_slot = GridCursor::new(series.first_time(), r.step)
            .slot(series.len() - 1, series.last_time())?;
        if r.reject_short_series {
            let data_seconds = (last_slot as i64 + 1).saturating_mul(r.step.seconds());
            if let Some(t) = r
                .tiers
                .iter()
                .find(|t| t.tier.long_window.seconds() > data_seconds)
            {
                return Err(Error::WindowLongerThanData {
                    tier: t.tier.id.clone(),
                    window_seconds: t.tier.long_window.seconds(),
                    data_seconds,
                });
            }
        }
        if sparse_to_streaming && last_slot >= 4 * series.len() + 2 * BLOCK {
            // Mostly gaps: a dense sweep would spend memory and time on empty slots.
            return Ok(None);
        }
        Ok(Some(Self {
            r,
            origin: series.first_time(),
            slots: last_slot + 1,
            block_start: 0,
            prefix: PrefixSums::new(
                series,
                r.step,
                (r.longest + 2 * BLOCK).min(last_slot + 1),
                BLOCK + 1,
            ),
            states: vec![[0u8; BLOCK]; r.conditions.len()],
            last_state: vec![false; r.conditions.len()],
            trackers: r.tiers.iter().map(TierTracker::new).collect(),
            quiet: vec![false; r.tiers.len()],
            needs: vec![Need::States; r.conditions.len()],
            runs: r.conditions.iter().map(|c| c.steps).collect(),
            alerts: Vec::new(),
        }))
    }

    /// Every alert, ordered by start time, then by tier.
    pub(super) fn run(mut self) -> Result<Vec<AlertInterval>> {
        while !self.done() {
            self.evaluate_block()?;
        }
        Ok(self.finish())
    }

    fn done(&self) -> bool {
        self.block_start >= self.slots
    }

    fn block_end(&self) -> usize {
        (self.block_start + BLOCK).min(self.slots)
    }

    fn finish(mut self) -> Vec<AlertInterval> {
        self.alerts
            .extend(self.trackers.into_iter().filter_map(|t| t.open));
        sort_alerts(&mut self.alerts, self.r);
        self.alerts
    }

    /// Evaluates every window ending in the current block and moves to the next.
    ///
    /// # Errors
    /// [`Error::Misaligned`] for a point off the grid, [`Error::CountOverflow`] past 2^53.
    fn evaluate_block(&mut self) -> Result<()> {
        let end = self.block_end();
        // Windows ending in the block reach back at most `longest` slots, which the ring holds.
        self.prefix.advance(end)?;
        // Whether every slot of the block has data is worked out only if asked: a block where
        // every tier is ruled out does not ask under `MissingData::Good` or `Skip`.
        let mut data = DataCheck::Unknown;
        self.rule_out_quiet_tiers(&mut data);
        self.fill_states(&mut data);
        self.step_trackers();
        self.block_start = end;
        Ok(())
    }

    /// A tier that is idle and one of whose windows cannot breach anywhere in the block
    /// cannot fire in it (it needs both): its windows need not be evaluated slot by slot.
    /// Healthy stretches, nearly all of a series, cost O(1) per block; so do the days after an
    /// incident, when the long window still breaches but the short one has recovered.
    ///
    /// A window that cannot breach where it has data may still lack data somewhere, and then
    /// the missing-data policy decides: `Good` never breaches; `Skip` repeats the state before,
    /// which cannot breach if the state at the end of the previous block did not (every state
    /// with data in the block is within), and otherwise needs data in every slot; `Bad`
    /// breaches, so it needs data in every slot. A window still partial in the whole block
    /// (under `PartialWindows::NoData`) never has data, and the policy alone decides. Every
    /// state of a window ruled out is then within, the block's last one too: it carries over
    /// without being evaluated.
    fn rule_out_quiet_tiers(&mut self, data: &mut DataCheck) {
        let (r, sums) = (self.r, self.prefix.view());
        let (start, end) = (self.block_start, self.block_end());
        let last_state = &self.last_state;
        let (runs, needs) = (&mut self.runs, &mut self.needs);
        needs.fill(Need::LastState);
        let mut ruled_out = |c: usize| {
            if needs[c] == Need::Within {
                return true; // shared with a tier checked before
            }
            let condition = &r.conditions[c];
            // When every window ending in the block is partial, none has data: the policy
            // alone decides, and no window can breach where it has data.
            let all_partial = r.partial_no_data && end < condition.steps;
            let mut data_everywhere =
                || !all_partial && data.everywhere(sums, start, end, r.min_events);
            let no_data_within = match r.missing {
                MissingData::Good => true,
                MissingData::Skip => !last_state[c] || data_everywhere(),
                MissingData::Bad => data_everywhere(),
            };
            let within = no_data_within
                && (all_partial || cannot_breach(sums, condition, start, end, &mut runs[c]));
            if within {
                needs[c] = Need::Within;
            }
            within
        };
        for ((quiet, tier), tracker) in self.quiet.iter_mut().zip(&r.tiers).zip(&self.trackers) {
            *quiet = !tracker.wants(false) && (ruled_out(tier.long) || ruled_out(tier.short));
        }
        for (tier, _) in r
            .tiers
            .iter()
            .zip(&self.quiet)
            .filter(|(_, quiet)| !**quiet)
        {
            self.needs[tier.long] = Need::States;
            self.needs[tier.short] = Need::States;
        }
    }

    /// The states of every window ending in the block that a tier reads; the last state of the
    /// others.
    fn fill_states(&mut self, data: &mut DataCheck) {
        let (r, sums) = (self.r, self.prefix.view());
        let (start, end) = (self.block_start, self.block_end());
        for (((condition, state), last), need) in r
            .conditions
            .iter()
            .zip(&mut self.states)
            .zip(&mut self.last_state)
            .zip(&self.needs)
        {
            if *need == Need::Within {
                // Every state in the block is within once the missing-data policy has spoken
                // (see `rule_out_quiet_tiers`), the last one too.
                *last = false;
                continue;
            }
            if *need == Need::LastState {
                // Only the block's last state carries over (for missing-data resolution
                // later). The window may still be partial (a tier is ruled out by its short
                // window while its long one fills), and then it has no data. Under `Skip`,
                // a last window without data carries the block's last state with data, which
                // need not be within: the tier may have been ruled out by its other window.
                // A partial window is followed only by partial ones back to the series start.
                let partial = |i: usize| r.partial_no_data && i + 1 < condition.steps;
                let state_at = |i: usize| {
                    if partial(i) {
                        NO_DATA
                    } else {
                        let (bad, total) = sums.window(i, condition.steps);
                        window_state(bad, total, condition.ratio_threshold, r.min_events)
                    }
                };
                let mut i = end - 1;
                let mut state = state_at(i);
                while state == NO_DATA
                    && r.missing == MissingData::Skip
                    && i > start
                    && !partial(i - 1)
                {
                    i -= 1;
                    state = state_at(i);
                }
                *last = resolve_missing(&mut [state], r.missing, *last);
                continue;
            }
            let out = &mut state[..end - start];
            let min = r.min_events;
            let partial_in_block = start + 1 < condition.steps;
            if partial_in_block && r.partial_no_data {
                window_states::<true, true>(sums, condition, min, start, out);
                *last = resolve_missing(out, r.missing, *last);
            } else if data.everywhere(sums, start, end, min) {
                window_states::<false, false>(sums, condition, min, start, out);
                *last = out.last().is_some_and(|&s| s == BREACH);
            } else {
                window_states::<true, false>(sums, condition, min, start, out);
                *last = resolve_missing(out, r.missing, *last);
            }
        }
    }

    /// Moves every tier that is not quiet through the block, opening and closing alerts.
    fn step_trackers(&mut self) {
        if self.quiet.iter().all(|&quiet| quiet) {
            return;
        }
        let (r, sums) = (self.r, self.prefix.view());
        let (start, end) = (self.block_start, self.block_end());
        let len = end - start;
        let mut fires = [0u8; BLOCK];
        let fires = &mut fires[..len];
        for ((tier, tracker), quiet) in r.tiers.iter().zip(&mut self.trackers).zip(&self.quiet) {
            if *quiet {
                continue;
            }
            for ((f, l), s) in fires
                .iter_mut()
                .zip(&self.states[tier.long])
                .zip(&self.states[tier.short])
            {
                *f = l & s;
            }
            let mut offset = 0;
            while offset < len {
                if !tracker.wants(fires[offset] == BREACH) {
                    // Idle tier: jump to the next step where it fires.
                    match fires[offset..].iter().position(|&f| f == BREACH) {
                        Some(skip) => offset += skip,
                        None => break,
                    }
                }
                if fires[offset] == BREACH && tracker.holds_open() {
                    // A run of steps that keep an alert open: taken at once.
                    let firing = fires[offset..].iter().take_while(|&&f| f == BREACH).count();
                    let long_steps = r.conditions[tier.long].steps;
                    let run = start + offset..start + offset + firing;
                    tracker.hold_firing(r, run.map(|i| sums.window(i, long_steps)));
                    offset += firing;
                    continue;
                }
                let i = start + offset;
                let window = |steps| sums.window(i, steps);
                let at = || evaluation_instant(self.origin, r.step, i);
                if let Some(AlertUpdate::Resolved(done)) =
                    tracker.step(r, tier, at, fires[offset] == BREACH, window)
                {
                    self.alerts.push(done);
                }
                offset += 1;
            }
        }
    }
}

/// What a block asks of one condition's windows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Some tier that is not quiet reads them: every state in the block.
    States,
    /// Ruled out: no window ending in the block breaches, after the missing-data policy.
    Within,
    /// Not read in the block: only the last state, which carries over to the next.
    LastState,
}

/// Whether every slot of a block has data: worked out once, when first asked.
#[derive(Debug, Clone, Copy)]
enum DataCheck {
    Unknown,
    Known(bool),
}

impl DataCheck {
    /// Every slot in `start .. end` holds at least `min_events` events, as the difference of
    /// its prefix sums (the subtraction the windows read). Every window includes its own slot,
    /// so then no window ending in the block lacks data.
    fn everywhere(&mut self, sums: Prefix<'_>, start: usize, end: usize, min_events: f64) -> bool {
        match *self {
            Self::Known(answer) => answer,
            Self::Unknown => {
                let slot_totals = sums
                    .range(start + 1, end + 1)
                    .iter()
                    .zip(sums.range(start, end));
                let answer =
                    slot_totals.fold(true, |all, (hi, lo)| all & (hi[1] - lo[1] >= min_events));
                *self = Self::Known(answer);
                answer
            }
        }
    }
}

/// `true` when no window of `c` ending in slots `start..end` can breach, checked a run of at
/// most a window's length of slots at a time: within such a run every window is full and all
/// share at least one slot, so the events of all of them together (an upper bound of any one's
/// bad events) staying within the threshold applied to the slots they all share (a lower bound
/// of any one's total) rules the whole run out. Exact, not approximate: prefix sums never
/// decrease, and IEEE subtraction and multiplication by a non-negative threshold are monotone,
/// so the bounds hold as computed.
///
/// A run's bound is looser the longer the run is next to the window (a run as long as the
/// window shares a single slot; a service steadily burning 90 % of its budget is not ruled out
/// a whole block at a time against a 3-day window), so a run whose bound fails is halved, down
/// to [`MIN_RUN`] slots. `run` carries the length that held from one block to the next, so a
/// steady series settles on the longest length that holds instead of failing and halving in
/// every block; a block that held without halving lets the next try twice as long.
fn cannot_breach(
    sums: Prefix<'_>,
    c: &Condition,
    start: usize,
    end: usize,
    run: &mut usize,
) -> bool {
    if start + 1 < c.steps {
        return false; // windows not yet full
    }
    let (mut from, mut len, mut halved) = (start, *run, false);
    while from < end {
        let to = (from + len).min(end);
        if run_cannot_breach(sums, c, from, to) {
            from = to;
        } else if to - from > MIN_RUN {
            len = (to - from).div_ceil(2);
            halved = true;
        } else {
            *run = len;
            return false;
        }
    }
    *run = if halved { len } else { (2 * len).min(c.steps) };
    true
}

/// The bound of [`cannot_breach`] for windows ending in `from..to` (at most a window long).
#[inline]
fn run_cannot_breach(sums: Prefix<'_>, c: &Condition, from: usize, to: usize) -> bool {
    let most_bad = sums.at(to)[0] - sums.at(from + 1 - c.steps)[0];
    let least_total = sums.at(from + 1)[1] - sums.at(to - c.steps)[1];
    most_bad <= c.ratio_threshold * least_total
}

/// Window states for slots `start .. start + out.len()`, written as straight loops over shifted
/// slices so that the compiler vectorises them. Without `CHECK_DATA` the caller guarantees that
/// every window has at least `min_events` events, and the states are the same as with it. With
/// `PARTIAL_NO_DATA`, windows not yet full are [`NO_DATA`].
fn window_states<const CHECK_DATA: bool, const PARTIAL_NO_DATA: bool>(
    sums: Prefix<'_>,
    c: &Condition,
    min_events: f64,
    start: usize,
    out: &mut [u8],
) {
    let end = start + out.len();
    // Slots before the window is full sum from the series start (no extrapolation).
    let full_from = (c.steps - 1).clamp(start, end);
    let state = |bad: f64, total: f64| {
        if CHECK_DATA {
            window_state(bad, total, c.ratio_threshold, min_events)
        } else {
            u8::from(bad > c.ratio_threshold * total)
        }
    };
    for (i, o) in (start..full_from).zip(out.iter_mut()) {
        *o = if PARTIAL_NO_DATA {
            NO_DATA
        } else {
            let [bad, total] = sums.at(i + 1);
            state(bad, total)
        };
    }
    if full_from < c.steps - 1 {
        return; // the whole block lies before the window first fills
    }
    let out = &mut out[full_from - start..];
    let hi = sums.range(full_from + 1, end + 1);
    let lo = sums.range(full_from + 1 - c.steps, end + 1 - c.steps);
    for ((o, hi), lo) in out.iter_mut().zip(hi).zip(lo) {
        *o = state(hi[0] - lo[0], hi[1] - lo[1]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Prefix sums of `(bad, total)` slots, as [`PrefixSums`] adds them.
    fn prefix_of(slots: &[(f64, f64)]) -> Vec<[f64; 2]> {
        let mut sums = vec![[0.0, 0.0]];
        let [mut bad, mut total] = [0.0, 0.0];
        for &(b, t) in slots {
            bad += b;
            total += t;
            sums.push([bad, total]);
        }
        sums
    }

    proptest! {
        /// Whatever run length a block starts from (the carried `run` is only a guess), a tier
        /// ruled out has no breaching window in the block, and the length carried on stays a
        /// valid run length.
        #[test]
        fn ruled_out_blocks_have_no_breaching_window(
            // Mostly a trickle of bad events, with bursts where every event is bad.
            slots in prop::collection::vec(
                (prop_oneof![9 => 0.0f64..0.01, 1 => Just(1.0)], 0.0f64..50.0),
                700,
            ),
            steps in prop_oneof![1usize..20, 20usize..300],
            threshold in prop_oneof![Just(0.0), 0.001f64..0.5],
            start_guess in 0usize..700,
            len in 1usize..=BLOCK,
            run_guess in 1usize..300,
        ) {
            let slots: Vec<(f64, f64)> = slots.iter().map(|&(f, t)| (f * t, t)).collect();
            let sums = prefix_of(&slots);
            let c = Condition { steps, ratio_threshold: threshold };
            let start = start_guess.max(steps - 1).min(slots.len() - 1);
            let end = (start + len).min(slots.len());
            let mut run = run_guess.min(steps);
            let ruled_out = cannot_breach(Prefix::from_sums(&sums), &c, start, end, &mut run);
            prop_assert!((1..=steps).contains(&run), "run {run} for a window of {steps}");
            if ruled_out {
                for i in start..end {
                    let (bad, total) = Prefix::from_sums(&sums).window(i, steps);
                    prop_assert!(bad <= threshold * total, "window ending at {i} breaches");
                }
            }
        }
    }

    #[test]
    fn a_run_as_long_as_the_window_is_halved_until_the_bound_holds() {
        // Steady traffic at a quarter of the threshold: a run of a whole window shares one
        // slot with every window in it and cannot be ruled out; half a window can.
        let slots = vec![(2.5, 100.0); 1_000];
        let sums = prefix_of(&slots);
        let view = Prefix::from_sums(&sums);
        let c = Condition {
            steps: 60,
            ratio_threshold: 0.1,
        };
        let mut run = 60;
        assert!(cannot_breach(view, &c, 256, 512, &mut run));
        assert_eq!(run, 30, "the next block starts from the length that held");
        // That length holds throughout the next block, which then lets the one after try longer.
        assert!(cannot_breach(view, &c, 512, 768, &mut run));
        assert_eq!(run, 60);
    }

    #[test]
    fn a_breaching_window_is_never_ruled_out() {
        let mut slots = vec![(0.0, 100.0); 1_000];
        slots[600] = (50.0, 100.0);
        let sums = prefix_of(&slots);
        let view = Prefix::from_sums(&sums);
        let c = Condition {
            steps: 60,
            ratio_threshold: 0.001,
        };
        let mut run = 60;
        assert!(!cannot_breach(view, &c, 512, 768, &mut run));
        assert!(
            run <= MIN_RUN,
            "gave up at {run} slots, not before {MIN_RUN}"
        );
        // The block before it, without bad events, is ruled out, here from runs of one slot.
        let mut run = 1;
        assert!(cannot_breach(view, &c, 256, 512, &mut run));
    }
}
