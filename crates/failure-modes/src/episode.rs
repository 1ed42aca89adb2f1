//! [`Episode`]: turns a per-observation "this looks bad" into one finding per incident: it
//! opens after N of the last M observations were bad (as a CloudWatch alarm's "M out of N"
//! datapoints, e.g. a threshold sustained for 5 minutes) and closes after a run of good ones,
//! so an incident that lasts a day is reported once, not 1,440 times.

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
    first_bad: Option<DateTime<Utc>>,
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
            first_bad: None,
            open: false,
        }
    }

    /// Feeds one observation; returns the time of the first bad observation of the incident
    /// when this observation opens one.
    #[inline(always)]
    pub(crate) fn update(&mut self, bad: bool, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if bad {
            self.good_run = 0;
            self.first_bad.get_or_insert(at);
        } else {
            self.good_run = self.good_run.saturating_add(1);
            if self.good_run >= self.window && !self.open {
                self.first_bad = None;
            }
            if self.good_run >= self.clear_after && self.open {
                // A fresh window: the bad periods of the closed incident must not reopen it.
                self.open = false;
                self.first_bad = None;
                self.sustain = SustainFilter::new(self.rule);
            }
        }
        let sustained = self.sustain.push(bad);
        if sustained && !self.open {
            self.open = true;
            return self.first_bad.or(Some(at));
        }
        None
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
        self.first_bad = None;
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
