//! [`Zone`]: the time zone a calendar window follows (UTC, a fixed offset or an IANA zone),
//! how it is written and parsed, and the local time ↔ instant conversions windows use.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The time zone a calendar window follows: UTC, a fixed offset, or an IANA zone with its
/// daylight-saving rules.
///
/// Written and parsed as `UTC`, `±HH:MM` or an IANA name (`America/New_York`,
/// `Etc/GMT-2`); serialised the same way. A whole-hour fixed offset is written with its IANA
/// name (`+02:00` as `Etc/GMT-2`), which OpenSLO's `timeZone` requires.
///
/// # Example
/// ```
/// use sli_core::Zone;
///
/// let ny: Zone = "America/New_York".parse()?;
/// assert_eq!(ny.to_string(), "America/New_York");
/// assert_eq!("+05:30".parse::<Zone>()?.to_string(), "+05:30");
/// assert_eq!("+02:00".parse::<Zone>()?, "Etc/GMT-2".parse::<Zone>()?);
/// assert_eq!("Etc/UTC".parse::<Zone>()?, Zone::UTC);
/// assert!("Mars/Olympus_Mons".parse::<Zone>().is_err());
/// # Ok::<(), sli_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Zone(ZoneKind);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ZoneKind {
    Utc,
    Fixed(FixedOffset),
    Iana(chrono_tz::Tz),
}

impl Zone {
    /// Coordinated Universal Time.
    pub const UTC: Self = Self(ZoneKind::Utc);

    /// A fixed offset from UTC (no daylight saving time).
    pub fn fixed(offset: FixedOffset) -> Self {
        if offset.local_minus_utc() == 0 {
            Self::UTC
        } else {
            Self(ZoneKind::Fixed(offset))
        }
    }

    /// The offset from UTC in force at `at`.
    pub fn offset_at(&self, at: DateTime<Utc>) -> FixedOffset {
        match self.0 {
            ZoneKind::Utc => Utc.fix(),
            ZoneKind::Fixed(offset) => offset,
            ZoneKind::Iana(tz) => tz.offset_from_utc_datetime(&at.naive_utc()).fix(),
        }
    }

    /// The civil time at `at`, or `None` past the ends of chrono's range.
    pub(crate) fn local(&self, at: DateTime<Utc>) -> Option<NaiveDateTime> {
        at.naive_utc().checked_add_offset(self.offset_at(at))
    }

    /// The instant a civil time names: the earlier of two (a fall-back fold), and in a
    /// spring-forward gap the time read with the offset in force before the gap.
    pub(crate) fn instant(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        let tz = match self.0 {
            ZoneKind::Utc => return Some(local.and_utc()),
            ZoneKind::Fixed(offset) => {
                return local.checked_sub_offset(offset).map(|t| t.and_utc());
            }
            ZoneKind::Iana(tz) => tz,
        };
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.to_utc()),
            LocalResult::None => {
                // In a gap: the offset of the day before (transitions are months apart).
                let before = local.checked_sub_signed(TimeDelta::days(1))?;
                let offset = match tz.from_local_datetime(&before) {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.offset().fix(),
                    LocalResult::None => return None,
                };
                local.checked_sub_offset(offset).map(|t| t.and_utc())
            }
        }
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self::UTC
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ZoneKind::Utc => f.write_str("UTC"),
            ZoneKind::Fixed(offset) => {
                let s = offset.local_minus_utc();
                if s % 3_600 == 0 && (-14 * 3_600..=12 * 3_600).contains(&s) {
                    // The IANA name of a whole-hour offset (POSIX signs: Etc/GMT-2 is UTC+2).
                    return write!(f, "Etc/GMT{:+}", -s / 3_600);
                }
                let sign = if s < 0 { '-' } else { '+' };
                let a = s.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", a / 3_600, a % 3_600 / 60)?;
                if a % 60 != 0 {
                    write!(f, ":{:02}", a % 60)?;
                }
                Ok(())
            }
            ZoneKind::Iana(tz) => f.write_str(tz.name()),
        }
    }
}

impl FromStr for Zone {
    type Err = Error;

    /// `UTC` (also `Etc/UTC`, `GMT`, `Z`), `±HH:MM` (or `±HH:MM:SS`), or an IANA zone name
    /// (`Etc/GMT±N` is the fixed offset it names).
    fn from_str(text: &str) -> Result<Self> {
        let invalid = || Error::InvalidZone {
            name: text.to_owned(),
        };
        match text {
            "UTC" | "Etc/UTC" | "Z" | "GMT" | "Etc/GMT" | "Etc/Zulu" | "Zulu" | "UCT"
            | "Etc/UCT" | "Universal" | "Etc/Universal" => return Ok(Self::UTC),
            _ => {}
        }
        if let Some(rest) = text.strip_prefix(['+', '-']) {
            let sign = if text.starts_with('-') { -1 } else { 1 };
            let mut parts = rest.split(':');
            let mut field = |max: i32| -> Result<i32> {
                match parts.next() {
                    Some(p) if p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
                        let v: i32 = p.parse().map_err(|_| invalid())?;
                        if v < max { Ok(v) } else { Err(invalid()) }
                    }
                    None => Ok(0),
                    Some(_) => Err(invalid()),
                }
            };
            let (h, m, s) = (field(24)?, field(60)?, field(60)?);
            if parts.next().is_some() || !rest.contains(':') {
                return Err(invalid());
            }
            let offset =
                FixedOffset::east_opt(sign * (h * 3_600 + m * 60 + s)).ok_or_else(invalid)?;
            return Ok(Self::fixed(offset));
        }
        if let Some(hours) = text.strip_prefix("Etc/GMT")
            && let Ok(hours) = hours.parse::<i32>()
            && (-14..=12).contains(&hours)
        {
            // A fixed offset by definition, whatever it is called.
            return FixedOffset::east_opt(-hours * 3_600)
                .map(Self::fixed)
                .ok_or_else(invalid);
        }
        text.parse::<chrono_tz::Tz>()
            .map(|tz| Self(ZoneKind::Iana(tz)))
            .map_err(|_| invalid())
    }
}

impl TryFrom<String> for Zone {
    type Error = Error;
    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<Zone> for String {
    fn from(zone: Zone) -> Self {
        zone.to_string()
    }
}
