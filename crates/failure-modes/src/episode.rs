//! [`Episode`]: turns a per-observation "this looks bad" into one finding per incident: it
//! opens after N of the last M observations were bad (as a CloudWatch alarm's "M out of N"
//! datapoints, e.g. a threshold sustained for 5 minutes) and closes after a run of good ones,
//! so an incident that lasts a day is reported once, not 1,440 times.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use sli_core::{Severity, SustainFilter, Sustained};

/// The sustain-then-hold state of one subject (an operation, a zone, a function …).
#[derive(Debug, Clone)]
pub(crate) struct Episode {
    rule: Sustained,
    sustain: SustainFilter,
    window: u32,
    clear_after: u32,
    good_run: u32,
    /// The bad observations among the last `window`, oldest first, each with the observations
    /// since the one before it: an incident starts at the first bad observation of the window
    /// that opens it, never at a blip that window no longer holds. Kept by bad observations
    /// only, so a good one costs nothing more, and only while no incident is open: at most N
    /// (the rule's datapoints to alarm; N in the window opens the incident), 16 bytes each.
    recent_bad: VecDeque<(u32, DateTime<Utc>)>,
    /// Observations from the oldest of `recent_bad` to the newest.
    recent_span: u64,
    open: bool,
}

impl Episode {
    /// Opens after `sustain` holds; closes after `clear_after` consecutive good observations.
    pub(crate) fn new(sustain: Sustained, clear_after: u32) -> Self {
        Self {
            rule: sustain,
            sustain: SustainFilter::new(sustain),
            window: sustain.evaluation_periods(),
            clear_after: clear_after.max(1),
            good_run: 0,
            recent_bad: VecDeque::new(),
            recent_span: 0,
            open: false,
        }
    }

    /// Feeds one observation; returns the time of the first bad observation of the incident
    /// (the first bad one among the last M that opened it) when this observation opens one.
    #[inline(always)]
    pub(crate) fn update(&mut self, bad: bool, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if bad {
            let since_last_bad = self.good_run.saturating_add(1);
            self.good_run = 0;
            // While open, no start is asked for: the bad observations of an incident cost
            // nothing more (closing forgets them).
            if !self.open {
                self.remember_bad(since_last_bad, at);
            }
        } else {
            self.good_run = self.good_run.saturating_add(1);
            if self.good_run >= self.clear_after && self.open {
                // A fresh window: the bad periods of the closed incident must not reopen it.
                self.open = false;
                self.recent_bad.clear();
                self.recent_span = 0;
                self.sustain = SustainFilter::new(self.rule);
            }
        }
        // Only a bad observation can complete the sustain rule (a good one never adds to its
        // count, and closing resets it), so an incident opens on one: the newest remembered.
        let sustained = self.sustain.push(bad);
        if sustained && !self.open {
            self.open = true;
            return Some(self.recent_bad.front().map_or(at, |&(_, first)| first));
        }
        None
    }

    /// Remembers a bad observation `since_last_bad` observations after the previous one, and
    /// forgets those the window ending at it no longer holds. Out of line: the per-sample path
    /// stays small for the good observations that are most of a stream.
    #[inline(never)]
    fn remember_bad(&mut self, since_last_bad: u32, at: DateTime<Utc>) {
        if !self.recent_bad.is_empty() {
            self.recent_span += u64::from(since_last_bad);
        }
        self.recent_bad.push_back((since_last_bad, at));
        while self.recent_span >= u64::from(self.window) {
            self.recent_bad.pop_front();
            let gap = self.recent_bad.front().map_or(0, |&(gap, _)| gap);
            self.recent_span = self.recent_span.saturating_sub(u64::from(gap));
        }
    }

    /// `true` while an incident is open (detectors freeze their baselines then, so that the
    /// incident does not become the new normal).
    pub(crate) fn is_open(&self) -> bool {
        self.open
    }

    /// Forgets everything (after a gap).
    pub(crate) fn reset(&mut self) {
        self.sustain = SustainFilter::new(self.rule);
        self.good_run = 0;
        self.recent_bad.clear();
        self.recent_span = 0;
        self.open = false;
    }
}

/// A ticket condition and a page condition on one subject, each its own [`Episode`], so a
/// ticket days ahead of a limit can be followed by a page when it is reached.
#[derive(Debug, Clone)]
pub(crate) struct Escalation {
    ticket: Episode,
    page: Episode,
}

impl Escalation {
    pub(crate) fn new(sustain: Sustained, clear_after: u32) -> Self {
        Self {
            ticket: Episode::new(sustain, clear_after),
            page: Episode::new(sustain, clear_after),
        }
    }

    /// Feeds both conditions; returns the severities that open now, with their start times.
    #[inline(always)]
    pub(crate) fn update(
        &mut self,
        ticket: bool,
        page: bool,
        at: DateTime<Utc>,
    ) -> impl Iterator<Item = (Severity, DateTime<Utc>)> + use<> {
        let (ticket, page) = self.update_each(ticket, page, at);
        let ticket = ticket.map(|s| (Severity::Ticket, s));
        let page = page.map(|s| (Severity::Page, s));
        ticket.into_iter().chain(page)
    }

    /// [`update`](Self::update) as the start times of the ticket and the page that open now:
    /// plain values, which a detector's per-sample path tests without an iterator's moves.
    #[inline(always)]
    pub(crate) fn update_each(
        &mut self,
        ticket: bool,
        page: bool,
        at: DateTime<Utc>,
    ) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        (self.ticket.update(ticket, at), self.page.update(page, at))
    }

    pub(crate) fn reset(&mut self) {
        self.ticket.reset();
        self.page.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeDelta, TimeZone};

    #[test]
    fn one_incident_opens_once_and_reopens_after_clearing() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut episode = Episode::new(Sustained::new(3, 5).unwrap(), 10);
        let bad = |i: i64| (10..40).contains(&i) || (60..70).contains(&i);
        let opened: Vec<_> = (0..100)
            .filter_map(|i| {
                let at = t0 + TimeDelta::minutes(i);
                episode.update(bad(i), at).map(|start| (start, at))
            })
            .collect();
        let m = |i| t0 + TimeDelta::minutes(i);
        assert_eq!(opened, [(m(10), m(12)), (m(60), m(62))]);
    }

    #[test]
    fn an_incident_starts_within_the_window_that_opened_it() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let m = |i| t0 + TimeDelta::minutes(i);
        // 3 of 5: a day of one bad minute in four (never 3 of 5), four good minutes, then a
        // sustained incident from minute 1,444. Its start is not the first blip of the day.
        let mut episode = Episode::new(Sustained::new(3, 5).unwrap(), 10);
        let bad = |i: i64| (i < 1_440 && i % 4 == 0) || i >= 1_444;
        let opened: Vec<_> = (0..1_460)
            .filter_map(|i| episode.update(bad(i), m(i)).map(|start| (start, m(i))))
            .collect();
        assert_eq!(opened, [(m(1_444), m(1_446))]);
        // A blip inside the opening window belongs to the incident.
        let mut episode = Episode::new(Sustained::new(3, 5).unwrap(), 10);
        let bad = |i: i64| i == 100 || i == 103 || i == 104;
        let opened: Vec<_> = (0..110)
            .filter_map(|i| episode.update(bad(i), m(i)).map(|start| (start, m(i))))
            .collect();
        assert_eq!(opened, [(m(100), m(104))]);
    }

    /// Against a reference that keeps every observation: an incident opens where the rule
    /// says, and starts at the first bad observation among the last M since the last close.
    #[test]
    fn starts_agree_with_a_reference_keeping_every_observation() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for case in 0..300 {
            let m = 1 + (next() % 8) as u32;
            let n = 1 + (next() % u64::from(m)) as u32;
            let clear_after = 1 + (next() % 12) as u32;
            let bad_share = next() % 100;
            let mut episode = Episode::new(Sustained::new(n, m).unwrap(), clear_after);
            let mut history: Vec<bool> = Vec::new();
            let (mut fresh_from, mut open, mut good_run) = (0, false, 0);
            for i in 0..400 {
                let bad = next() % 100 < bad_share;
                let at = t0 + TimeDelta::minutes(i);
                let got = episode.update(bad, at);
                history.push(bad);
                good_run = if bad { 0 } else { good_run + 1 };
                if !bad && open && good_run >= clear_after {
                    (open, fresh_from) = (false, history.len());
                }
                let from = fresh_from.max(history.len().saturating_sub(m as usize));
                let window = &history[from..];
                let want = if !open && window.iter().filter(|b| **b).count() >= n as usize {
                    open = true;
                    let first = window.iter().position(|b| *b).unwrap_or(0) + from;
                    Some(t0 + TimeDelta::minutes(first as i64))
                } else {
                    None
                };
                assert_eq!(
                    got, want,
                    "case {case} ({n} of {m}, clear after {clear_after}) at {i}"
                );
            }
        }
    }

    #[test]
    fn closing_quickly_does_not_reopen_on_the_old_bad_periods() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        // Clear after one good period, shorter than the 3-of-5 window.
        let mut episode = Episode::new(Sustained::new(3, 5).unwrap(), 1);
        let pattern = [
            true, true, true, false, true, false, true, false, false, false,
        ];
        let opened = pattern
            .iter()
            .enumerate()
            .filter_map(|(i, bad)| episode.update(*bad, t0 + TimeDelta::minutes(i as i64)))
            .count();
        assert_eq!(opened, 1);
    }
}
