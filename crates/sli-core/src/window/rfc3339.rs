//! The instants RFC 3339 writers for machines (Alertmanager, Go's time parser, CloudWatch,
//! EventBridge Scheduler) can put down: four-digit years and no second 60.

use chrono::{DateTime, NaiveDate, Timelike, Utc};

/// The first and last instants RFC 3339 (and so Alertmanager, Go's time parser and
/// EventBridge Scheduler's `at(…)`) can write: 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z.
/// chrono writes instants outside them with a sign and more digits (`+10000-…`), which those
/// readers refuse.
///
/// # Example
/// ```
/// let (first, last) = sli_core::rfc3339_bounds();
/// assert_eq!(first.to_rfc3339(), "0000-01-01T00:00:00+00:00");
/// assert_eq!(last.to_rfc3339(), "9999-12-31T23:59:59+00:00");
/// ```
pub fn rfc3339_bounds() -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |y, m, d, h, mi, s| {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|day| day.and_hms_opt(h, mi, s))
            .map(|t| t.and_utc())
    };
    (
        at(0, 1, 1, 0, 0, 0).unwrap_or(DateTime::<Utc>::MIN_UTC),
        at(9999, 12, 31, 23, 59, 59).unwrap_or(DateTime::<Utc>::MAX_UTC),
    )
}

/// `at` as a writer for machines can put it in RFC 3339: clamped to [`rfc3339_bounds`], and a
/// leap second (chrono's nanoseconds past 10^9, written `23:59:60`) moved to the last
/// nanosecond of the second before it. Go's time parser (and so Alertmanager), CloudWatch and
/// EventBridge Scheduler refuse a second of 60.
///
/// # Example
/// ```
/// use chrono::{NaiveDate, SecondsFormat};
///
/// let leap = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap()
///     .and_hms_milli_opt(23, 59, 59, 1_500).unwrap().and_utc();
/// assert_eq!(leap.to_rfc3339_opts(SecondsFormat::Secs, true), "2016-12-31T23:59:60Z");
/// let written = sli_core::rfc3339_writable(leap).to_rfc3339_opts(SecondsFormat::Secs, true);
/// assert_eq!(written, "2016-12-31T23:59:59Z");
/// ```
pub fn rfc3339_writable(at: DateTime<Utc>) -> DateTime<Utc> {
    let (first, last) = rfc3339_bounds();
    let at = at.clamp(first, last);
    match at.nanosecond() {
        0..=999_999_999 => at,
        _ => at.with_nanosecond(999_999_999).unwrap_or(at),
    }
}
