//! EventBridge Scheduler expressions, the subset the compiler emits: `cron(M H ? * DAYS *)`
//! and `at(YYYY-MM-DDTHH:MM:SS)`, read in a time zone (`ScheduleExpressionTimezone`).

use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike, Utc, Weekday};
use sli_core::Zone;

use super::expr::MathError;

fn unsupported(what: String) -> MathError {
    MathError::Unsupported { what }
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "MON" => Weekday::Mon,
        "TUE" => Weekday::Tue,
        "WED" => Weekday::Wed,
        "THU" => Weekday::Thu,
        "FRI" => Weekday::Fri,
        "SAT" => Weekday::Sat,
        "SUN" => Weekday::Sun,
        _ => return None,
    })
}

/// What a schedule expression matches, in local wall-clock time.
enum Pattern {
    Cron {
        minute: u32,
        hour: u32,
        days: Option<Vec<Weekday>>,
    },
    At(NaiveDateTime),
}

fn parse(expression: &str) -> Result<Pattern, MathError> {
    let bad = || unsupported(format!("schedule expression {expression:?}"));
    if let Some(inner) = expression
        .strip_prefix("at(")
        .and_then(|r| r.strip_suffix(')'))
    {
        return NaiveDateTime::parse_from_str(inner, "%Y-%m-%dT%H:%M:%S")
            .map(Pattern::At)
            .map_err(|_| bad());
    }
    let inner = expression
        .strip_prefix("cron(")
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(bad)?;
    let fields: Vec<&str> = inner.split(' ').collect();
    let [minute, hour, "?", "*", days, "*"] = fields[..] else {
        return Err(bad());
    };
    let minute: u32 = minute.parse().map_err(|_| bad())?;
    let hour: u32 = hour.parse().map_err(|_| bad())?;
    if minute > 59 || hour > 23 {
        return Err(bad());
    }
    let days = if days == "*" {
        None
    } else {
        Some(
            days.split(',')
                .map(|d| weekday(d).ok_or_else(bad))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    Ok(Pattern::Cron { minute, hour, days })
}

/// The instants in `[from, until]` (whole minutes) at which `expression` runs in `timezone`.
pub(super) fn runs(
    expression: &str,
    timezone: &str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, MathError> {
    let pattern = parse(expression)?;
    let zone: Zone = timezone
        .parse()
        .map_err(|_| unsupported(format!("time zone {timezone:?}")))?;
    let mut out = Vec::new();
    let mut at = from;
    while at <= until {
        let offset = TimeDelta::seconds(i64::from(zone.offset_at(at).local_minus_utc()));
        // Checked: the local time of chrono's first or last minutes may lie outside its range.
        let hit = at
            .naive_utc()
            .checked_add_signed(offset)
            .is_some_and(|local| match &pattern {
                Pattern::Cron { minute, hour, days } => {
                    local.minute() == *minute
                        && local.hour() == *hour
                        && days.as_ref().is_none_or(|d| d.contains(&local.weekday()))
                }
                Pattern::At(when) => local == *when,
            });
        if hit {
            out.push(at);
        }
        let Some(next) = at.checked_add_signed(TimeDelta::minutes(1)) else {
            break;
        };
        at = next;
    }
    Ok(out)
}
