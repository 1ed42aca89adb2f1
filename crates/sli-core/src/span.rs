//! [`Span`]: a positive length of time in whole seconds, the unit of windows, steps and slices.

use std::fmt;
use std::str::FromStr;

use chrono::TimeDelta;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The longest span accepted: 100 years, far beyond any SLO window, far below chrono's limits.
const MAX_SECONDS: i64 = 100 * 366 * 86_400;

/// A positive length of time in whole seconds: the length of a rolling window, of an alert
/// window, of a series step or of a time slice. It cannot be zero or negative, which a bare
/// [`TimeDelta`] can.
///
/// Written and parsed as a number followed by a unit: `s`, `m`, `h`, `d` or `w`
/// (`"30d"`, `"5m"`, `"90s"`); serialised the same way.
///
/// # Example
/// ```
/// use sli_core::Span;
///
/// let window: Span = "30d".parse()?;
/// assert_eq!(window.seconds(), 30 * 86_400);
/// assert_eq!(Span::from_minutes(5)?.to_string(), "5m");
/// assert!(Span::from_seconds(0).is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Span(i64);

impl Span {
    /// One second.
    pub const SECOND: Self = Self(1);
    /// One minute.
    pub const MINUTE: Self = Self(60);
    /// One hour.
    pub const HOUR: Self = Self(3_600);
    /// One day of 24 hours.
    pub const DAY: Self = Self(86_400);

    /// For lengths the crate itself computes from positive constants.
    pub(crate) const fn known_valid(seconds: i64) -> Self {
        debug_assert!(seconds > 0 && seconds <= MAX_SECONDS);
        Self(seconds)
    }

    /// A span of `seconds` seconds.
    ///
    /// # Errors
    /// [`Error::InvalidDuration`] unless `0 < seconds <= 100 years`.
    pub fn from_seconds(seconds: i64) -> Result<Self> {
        if seconds <= 0 {
            return Err(Error::InvalidDuration {
                what: "span",
                seconds: seconds as f64,
                reason: "must be positive",
            });
        }
        if seconds > MAX_SECONDS {
            return Err(Error::InvalidDuration {
                what: "span",
                seconds: seconds as f64,
                reason: "must be at most 100 years",
            });
        }
        Ok(Self(seconds))
    }

    /// A span of `minutes` minutes.
    ///
    /// # Errors
    /// As [`Span::from_seconds`].
    pub fn from_minutes(minutes: i64) -> Result<Self> {
        Self::from_seconds(minutes.saturating_mul(60))
    }

    /// A span of `hours` hours.
    ///
    /// # Errors
    /// As [`Span::from_seconds`].
    pub fn from_hours(hours: i64) -> Result<Self> {
        Self::from_seconds(hours.saturating_mul(3_600))
    }

    /// A span of `days` days of 24 hours.
    ///
    /// # Errors
    /// As [`Span::from_seconds`].
    pub fn from_days(days: i64) -> Result<Self> {
        Self::from_seconds(days.saturating_mul(86_400))
    }

    /// A span from a [`TimeDelta`].
    ///
    /// # Errors
    /// [`Error::InvalidDuration`] when the delta is not positive, not whole seconds, or longer
    /// than 100 years.
    pub fn from_time_delta(delta: TimeDelta) -> Result<Self> {
        if delta.subsec_nanos() != 0 {
            return Err(Error::InvalidDuration {
                what: "span",
                seconds: delta.num_milliseconds() as f64 / 1000.0,
                reason: "must be whole seconds",
            });
        }
        Self::from_seconds(delta.num_seconds())
    }

    /// The length in seconds (always positive).
    pub const fn seconds(self) -> i64 {
        self.0
    }

    /// The length as a [`TimeDelta`].
    pub fn as_time_delta(self) -> TimeDelta {
        TimeDelta::seconds(self.0)
    }

    /// How many times `step` fits in this span, if it fits a whole number of times.
    pub fn steps_of(self, step: Self) -> Option<usize> {
        (self.0 % step.0 == 0).then(|| usize::try_from(self.0 / step.0).ok())?
    }

    /// `self / other` as a real number.
    pub fn ratio_to(self, other: Self) -> f64 {
        self.0 as f64 / other.0 as f64
    }
}

impl fmt::Display for Span {
    /// The largest unit that divides the span exactly: `"30d"`, `"6h"`, `"90s"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(i64, &str); 4] = [(604_800, "w"), (86_400, "d"), (3_600, "h"), (60, "m")];
        for (size, unit) in UNITS {
            // Weeks only when they read better than days (`2w`, not `14d`, but `28d` stays).
            if self.0 % size == 0 && (unit != "w" || self.0 / size < 4) {
                return write!(f, "{}{unit}", self.0 / size);
            }
        }
        write!(f, "{}s", self.0)
    }
}

impl FromStr for Span {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let invalid = |reason| Error::InvalidSpanText {
            text: text.to_owned(),
            reason,
        };
        let text = text.trim();
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| invalid("missing unit (s, m, h, d or w)"))?;
        let (number, unit) = text.split_at(split);
        let number: i64 = number
            .parse()
            .map_err(|_| invalid("expected a whole number before the unit"))?;
        let scale = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 604_800,
            _ => return Err(invalid("unknown unit: expected s, m, h, d or w")),
        };
        Self::from_seconds(number.saturating_mul(scale))
    }
}

impl TryFrom<String> for Span {
    type Error = Error;
    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<Span> for String {
    fn from(span: Span) -> Self {
        span.to_string()
    }
}

impl From<Span> for TimeDelta {
    fn from(span: Span) -> Self {
        span.as_time_delta()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bounds probe (2026-12-07): a refused 10 MiB span text made a 10 MiB message.
    #[test]
    fn a_long_refused_text_makes_a_short_message() {
        let text = format!("{}y", "9".repeat(10 << 20));
        let message = text.parse::<Span>().unwrap_err().to_string();
        assert!(message.len() < 200, "{} bytes", message.len());
        assert!(
            message.contains("… (10485761 bytes) is invalid"),
            "{message}"
        );
    }

    #[test]
    fn parses_and_prints() {
        for (text, seconds) in [
            ("30d", 2_592_000),
            ("5m", 300),
            ("1h", 3_600),
            ("2w", 1_209_600),
        ] {
            let span: Span = text.parse().unwrap();
            assert_eq!(span.seconds(), seconds);
            assert_eq!(span.to_string(), text);
        }
        assert_eq!(Span::from_days(28).unwrap().to_string(), "28d");
        assert_eq!(Span::from_seconds(90).unwrap().to_string(), "90s");
    }

    #[test]
    fn rejects_bad_spans() {
        for text in ["0m", "-5m", "5", "m", "5y", "1.5h", ""] {
            assert!(text.parse::<Span>().is_err(), "{text}");
        }
        let err = "5y".parse::<Span>().unwrap_err().to_string();
        assert!(err.contains("\"5y\""), "{err}");
        assert!(Span::from_time_delta(TimeDelta::milliseconds(1500)).is_err());
        assert!(Span::from_days(365 * 200).is_err());
    }

    #[test]
    fn steps_of() {
        let hour = Span::from_hours(1).unwrap();
        assert_eq!(hour.steps_of(Span::from_minutes(1).unwrap()), Some(60));
        assert_eq!(hour.steps_of(Span::from_seconds(7).unwrap()), None);
    }
}
