//! What F8 judges at a reading: today so far, the last 24 hours and the shortest recent
//! stretch holding a quarter of a day, each against the usual spend for it, and the findings
//! at the ticket and page multiples.

use chrono::{DateTime, TimeDelta, Utc};

use super::CostRunaway;
use super::windows::{Window, WindowStart};
use crate::finding::{Evidence, Finding, Rounded};
use crate::mode::FailureMode;

impl CostRunaway {
    /// The findings of the reading at `at` (month-to-date `charges`, the share of a usual day
    /// the readings show by then, today's spend so far and the last 24 hours' if known): none
    /// before a usual day is known or during the warm-up.
    pub(super) fn judge(
        &mut self,
        at: DateTime<Utc>,
        charges: f64,
        share: f64,
        spent_today: f64,
        last_day: Option<f64>,
    ) -> Vec<Finding> {
        let Some(expected) = self.expected_daily else {
            return Vec::new();
        };
        if self.days < self.config.warm_up_days {
            return Vec::new();
        }
        // Like with like: today so far against the part of a usual such weekday the readings
        // show by now, and the last 24 hours against a day of the same two weekdays (an
        // incident that straddles midnight).
        let (factor, yesterday) = (self.calendar.factor, self.calendar.yesterday);
        let today = (self.judged_today && share >= self.config.min_share).then_some((
            spent_today,
            expected * factor * share,
            WindowStart::Midnight,
        ));
        // The readings of the last 24 hours show usage up to the publication lag before them:
        // today's share of that usage is the share of the day the readings show now.
        let part = share;
        let day = last_day.map(|spent| {
            let usual = expected * (part * factor + (1.0 - part) * yesterday);
            (spent, usual, WindowStart::DayAgo)
        });
        // And the shortest recent stretch that holds a quarter of a usual day: a runaway is
        // plain within hours, even when it started in the middle of a day.
        let recent = self.recent_stretch(expected, share, 0.25);
        // The window with the highest multiple (the later one of equals), each multiple worked
        // out once.
        let mut worst: Option<(f64, Window)> = None;
        let mut weigh = |window: Option<Window>| {
            if let Some(window) = window {
                // Over a usual spend of almost nothing the ratio overflows: capped, as F5's.
                let multiple = match window.0 / window.1 {
                    m if m.is_infinite() => f64::MAX,
                    m => m,
                };
                if worst.is_none_or(|(highest, _)| multiple.total_cmp(&highest).is_ge()) {
                    worst = Some((multiple, window));
                }
            }
        };
        weigh(today);
        weigh(day);
        weigh(recent);
        let Some((multiple, (today, expected_so_far, start))) = worst else {
            return Vec::new();
        };
        let mut findings = Vec::new();
        for slot in 0..2 {
            let (severity, level) = if slot == 0 {
                (self.config.warning_severity, self.config.ticket_multiple)
            } else {
                (self.config.runaway_severity, self.config.page_multiple)
            };
            let threshold = level * (1.0 - self.config.tolerance);
            if multiple < threshold {
                // Cleared once the last 24 hours are back under it too (the shorter windows
                // come and go with the readings' cadence).
                if day.is_none_or(|(spent, usual, _)| spent / usual < threshold) {
                    self.cleared[slot] = true;
                }
                continue;
            }
            if self.reported[slot] || !self.cleared[slot] {
                continue;
            }
            self.reported[slot] = true;
            self.cleared[slot] = false;
            let midnight = self.calendar.midnight;
            let start = match start {
                WindowStart::Midnight => midnight,
                WindowStart::DayAgo => at - TimeDelta::days(1),
                WindowStart::At(then) => then,
            };
            let rolling = start != midnight;
            let forecast = self.month_end_forecast().unwrap_or(charges);
            findings.push(Finding::new(
                FailureMode::CostRunaway,
                severity,
                format!("account charges ({})", self.currency),
                start,
                at,
                Evidence {
                    observed: today,
                    baseline: expected_so_far,
                    threshold: threshold * expected_so_far,
                    score: multiple,
                    detail: if rolling {
                        format!(
                            "{} {c} spent from {} to {} against {} {c} usual for that time \
                             ({}x; trend {} {c} a day); month-end forecast {} {c}",
                            Amount(today),
                            start.format("%Y-%m-%d %H:%M"),
                            at.format("%Y-%m-%d %H:%M"),
                            Amount(expected_so_far),
                            Rounded(multiple),
                            Amount(expected),
                            Amount(forecast),
                            c = self.currency
                        )
                    } else {
                        format!(
                            "{} {c} spent today by {} ({:.0} % of a usual day shown) against {} \
                             {c} expected by then ({}x; trend {} {c} a day); month-end forecast \
                             {} {c}",
                            Amount(today),
                            at.format("%H:%M"),
                            100.0 * share,
                            Amount(expected_so_far),
                            Rounded(multiple),
                            Amount(expected),
                            Amount(forecast),
                            c = self.currency
                        )
                    },
                },
            ));
        }
        findings
    }
}

/// An amount of money as a finding's detail shows it: to the cent, or past 10^15 (a
/// quadrillion: no bill, but within the charges' range of 2^360) in scientific notation, so
/// that a hostile reading cannot make the sentence hundreds of digits long.
struct Amount(f64);

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.abs() < 1e15 {
            write!(f, "{:.2}", self.0)
        } else {
            write!(f, "{:.3e}", self.0)
        }
    }
}
