//! [`MissingData`]: what a window or slice without data counts as.

use serde::{Deserialize, Serialize};

use crate::counts::EventCounts;

/// What to do with a time slice, or an alert window, that has no data (or fewer events than the
/// minimum): the same choice as CloudWatch's `TreatMissingData`.
///
/// | here | CloudWatch | a slice counts as | an alert window |
/// |---|---|---|---|
/// | `Good` | `notBreaching` | a good slice | does not fire |
/// | `Bad` | `breaching` | a bad slice | fires |
/// | `Skip` | `ignore` | nothing | keeps its last state |
///
/// The default is `Skip`: no data is not evidence either way.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use sli_core::{Comparison, MissingData, Series, Sli, Span};
///
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let p95 = Series::from_values("p95", [(t0, 100.0), (t0 + TimeDelta::minutes(2), 100.0)])?;
/// let sli = Sli::TimeSlice { comparison: Comparison::Below, threshold: 300.0, slice: Span::MINUTE };
/// // The missing minute 1 is a bad minute under `Bad`, and no minute at all under `Skip`.
/// assert_eq!(sli.slice_counts(&p95, MissingData::Bad)?.sum()?.bad(), 1.0);
/// assert_eq!(sli.slice_counts(&p95, MissingData::Skip)?.sum()?.total(), 2.0);
/// assert_eq!(MissingData::Good.cloudwatch_name(), "notBreaching");
/// # Ok::<(), sli_core::Error>(())
/// ```
// Closed: missing data counts as good, as bad, or not at all; there is no other reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MissingData {
    /// Count as good (`notBreaching`).
    Good,
    /// Count as bad (`breaching`).
    Bad,
    /// Leave out (`ignore`).
    #[default]
    Skip,
}

impl MissingData {
    /// The slice a missing slice counts as, or `None` to leave it out.
    pub fn as_slice(self) -> Option<EventCounts> {
        match self {
            Self::Good => Some(EventCounts::new_const(1.0, 1.0)),
            Self::Bad => Some(EventCounts::new_const(0.0, 1.0)),
            Self::Skip => None,
        }
    }

    /// The name CloudWatch's `TreatMissingData` uses for the same choice.
    pub const fn cloudwatch_name(self) -> &'static str {
        match self {
            Self::Good => "notBreaching",
            Self::Bad => "breaching",
            Self::Skip => "ignore",
        }
    }
}
