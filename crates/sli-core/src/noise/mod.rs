//! Noise reduction: sustained thresholds (N of M datapoints),
//! maintenance windows that suppress alerts, and grouping of alerts by a key.

mod grouping;
mod suppression;
mod sustain;

pub use grouping::{AlertGroup, group_alerts, group_keyed};
pub use suppression::{MAX_CHAINED_WINDOWS, MaintenanceWindows};
pub use sustain::{SustainFilter, Sustained};

/// Minute `m` of 2024-01-01 (UTC): the tests' clock.
#[cfg(test)]
fn t(m: u32) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono::Utc.with_ymd_and_hms(2024, 1, 1, 0, m, 0).unwrap()
}
