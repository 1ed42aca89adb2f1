//! Noise reduction: sustained thresholds (N of M datapoints),
//! maintenance windows that suppress alerts, and grouping of alerts by a key.

mod grouping;
mod suppression;
mod sustain;

pub use grouping::{AlertGroup, group_alerts, group_keyed};
pub use suppression::{MAX_CHAINED_WINDOWS, MaintenanceWindows};
pub use sustain::{SustainFilter, Sustained};
