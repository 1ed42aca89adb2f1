//! [`CostConfig`], the settings of [`CostRunaway`](super::CostRunaway), and the bound on
//! declared one-off charges.

use chrono::TimeDelta;
use sli_core::Severity;

/// Settings of [`CostRunaway`](super::CostRunaway).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct CostConfig {
    pub(super) ticket_multiple: f64,
    pub(super) page_multiple: f64,
    pub(super) trailing_days: usize,
    pub(super) warm_up_days: usize,
    pub(super) min_daily_spend: f64,
    pub(super) min_share: f64,
    pub(super) tolerance: f64,
    pub(super) publish_lag: TimeDelta,
    pub(super) warning_severity: Severity,
    pub(super) runaway_severity: Severity,
}

crate::settings::settings!(CostConfig {
    /// Today's spend at this multiple of the trend is a ticket (2: a cost warning at twice
    /// the trend).
    ticket_multiple, with_ticket_multiple: f64;
    /// At this multiple, something is burning money: page (kill switches).
    page_multiple, with_page_multiple: f64;
    /// Completed days in the trailing baseline (two weeks: both weekends in it).
    trailing_days, with_trailing_days: usize;
    /// Completed days seen before any finding (a week: every weekday once).
    warm_up_days, with_warm_up_days: usize;
    /// Spend below this per day is never a runaway (cents do not page anyone). Positive, and
    /// at most [`MAX_MAGNITUDE`](crate::MAX_MAGNITUDE) like the charges themselves.
    min_daily_spend, with_min_daily_spend: f64;
    /// Part of a day the readings must show before today is judged on its own: 50 %, so that
    /// the first readings of a day (a few hours of usage, and the end of the day before that
    /// publication lags behind) are not taken for the day. The last 24 hours are judged
    /// meanwhile.
    min_share, with_min_share: f64;
    /// How close to a multiple counts as reaching it: 5 %, so that a day at exactly twice its
    /// trend is reported, not missed half the time on the day-to-day noise of the estimate.
    tolerance, with_tolerance: f64;
    /// How far behind usage `EstimatedCharges` is published, assumed until the reading cadence
    /// has been learned (three days): zero by default, which only makes the first days'
    /// judgements cautious. After that, what each time of day shows is learned from the
    /// readings themselves.
    publish_lag, with_publish_lag: TimeDelta;
    /// Severity at `ticket_multiple` (ticket: a cost warning, by the [severity rule](crate#severities)).
    warning_severity, with_warning_severity: Severity;
    /// Severity at `page_multiple` (page: spend ten times its trend is an incident that needs
    /// the kill switch now, not a warning).
    runaway_severity, with_runaway_severity: Severity;
});

impl Default for CostConfig {
    fn default() -> Self {
        Self {
            ticket_multiple: 2.0,
            page_multiple: 10.0,
            trailing_days: 14,
            warm_up_days: 7,
            min_daily_spend: 1.0,
            min_share: 0.5,
            tolerance: 0.05,
            publish_lag: TimeDelta::zero(),
            warning_severity: Severity::Ticket,
            runaway_severity: Severity::Page,
        }
    }
}

/// One-off charges declared at most (a bound on what a caller can make the detector keep).
pub const MAX_ONE_OFF_CHARGES: usize = 1024;

/// The longest one-off charge description [`CostRunaway`](super::CostRunaway) keeps: 1,024
/// bytes, a line of text. A longer one is refused ([`Error::OneOffCharge`](crate::Error::OneOffCharge),
/// naming it by its first 64 characters): kept, it would make the detector's memory grow
/// with the text it is given.
pub const MAX_ONE_OFF_DESCRIPTION_BYTES: usize = 1024;
