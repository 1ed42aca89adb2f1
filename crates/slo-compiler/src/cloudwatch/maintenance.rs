//! Maintenance windows on CloudWatch: a maintenance alarm that EventBridge Scheduler sets to
//! `ALARM` when a window opens and to `OK` when it closes (`cloudwatch:SetAlarmState`, a
//! universal target), named as the `ActionsSuppressor` of the SLO's severity composites.
//!
//! The alarm watches a metric nothing publishes, with `TreatMissingData: ignore`, so that
//! CloudWatch keeps the state the schedules set ("ignore – the current alarm state is
//! maintained", Amazon CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing
//! data"). Recurring windows become cron expressions in the window's own time zone
//! (`ScheduleExpressionTimezone`), so EventBridge Scheduler keeps their local hours across
//! daylight saving time; one-off windows become `at()` expressions in UTC.

use chrono::{NaiveTime, Timelike, Weekday};
use serde::Serialize;
use sli_core::{MaintenanceWindows, RecurringWindow, Zone};

use super::model::{
    AlarmDimension, AlarmMetric, MetricAlarm, MetricDataQuery, MetricStat, TreatMissingData,
};
use crate::error::CompileProblem;

/// The state a schedule sets the maintenance alarm to.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::ScheduledState;
/// assert_eq!(ScheduledState::Alarm.as_str(), "ALARM");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum ScheduledState {
    /// A window opens: `ALARM` (notifications suppressed).
    Alarm,
    /// A window closes: `OK`.
    Ok,
}

impl ScheduledState {
    /// `ALARM` or `OK`, as `SetAlarmState`'s `StateValue` spells them.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Alarm => "ALARM",
            Self::Ok => "OK",
        }
    }
}

/// One EventBridge Scheduler schedule (`AWS::Scheduler::Schedule`) setting the maintenance
/// alarm's state.
///
/// # Example
/// ```
/// # use slo_compiler::cloudwatch::MaintenanceSchedule;
/// # fn f(s: &MaintenanceSchedule) -> (&str, &str) { (&s.expression, &s.timezone) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MaintenanceSchedule {
    /// `cron(0 2 ? * SUN *)` or `at(2024-05-01T02:00:00)`.
    pub expression: String,
    /// The IANA zone the expression is read in (`ScheduleExpressionTimezone`).
    pub timezone: String,
    /// The state it sets.
    pub state: ScheduledState,
    /// The maintenance alarm it sets.
    pub alarm_name: String,
    /// What it is, for people.
    pub description: String,
}

/// The maintenance alarm of one SLO and the schedules that drive it.
///
/// # Example
/// ```
/// # use slo_compiler::cloudwatch::Maintenance;
/// # fn f(m: &Maintenance) -> usize { m.schedules.len() }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Maintenance {
    /// The alarm the schedules set and the severity composites name as `ActionsSuppressor`.
    pub alarm: MetricAlarm,
    /// The schedules, opening and closing each window.
    pub schedules: Vec<MaintenanceSchedule>,
}

/// EventBridge's day names in cron expressions.
const fn cron_day(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "MON",
        Weekday::Tue => "TUE",
        Weekday::Wed => "WED",
        Weekday::Thu => "THU",
        Weekday::Fri => "FRI",
        Weekday::Sat => "SAT",
        Weekday::Sun => "SUN",
    }
}

/// The IANA name EventBridge Scheduler takes for `zone`.
fn timezone(zone: Zone) -> Result<String, CompileProblem> {
    let name = zone.to_string();
    if name.starts_with(['+', '-']) {
        return Err(CompileProblem::MaintenanceZone { zone: name });
    }
    Ok(name)
}

/// A cron expression firing at `time` on `days`, in the schedule's zone.
fn cron(time: NaiveTime, days: impl Iterator<Item = Weekday>) -> String {
    let days: Vec<&str> = days.map(cron_day).collect();
    format!(
        "cron({} {} ? * {} *)",
        time.minute(),
        time.hour(),
        days.join(",")
    )
}

/// The opening and closing schedules of a recurring window.
fn recurring(
    window: &RecurringWindow,
    alarm: &str,
) -> Result<[MaintenanceSchedule; 2], CompileProblem> {
    let timezone = timezone(window.zone())?;
    let start = window.start();
    let minutes = i64::from(start.hour() * 60 + start.minute()) + window.duration().seconds() / 60;
    let (day_shift, end_minute) = (minutes.div_euclid(1440), minutes.rem_euclid(1440));
    let end = NaiveTime::from_hms_opt(
        u32::try_from(end_minute / 60).unwrap_or(0),
        u32::try_from(end_minute % 60).unwrap_or(0),
        0,
    )
    .unwrap_or(NaiveTime::MIN);
    let shift = |d: Weekday| {
        let mut d = d;
        for _ in 0..day_shift.rem_euclid(7) {
            d = d.succ();
        }
        d
    };
    let schedule = |expression, state: ScheduledState, what: &str| MaintenanceSchedule {
        expression,
        timezone: timezone.clone(),
        state,
        alarm_name: alarm.to_owned(),
        description: format!("{what} the maintenance window {window}"),
    };
    Ok([
        schedule(
            cron(start, window.days().iter().copied()),
            ScheduledState::Alarm,
            "Opens",
        ),
        schedule(
            cron(end, window.days().iter().copied().map(shift)),
            ScheduledState::Ok,
            "Closes",
        ),
    ])
}

/// The maintenance alarm named `name` for `windows`, and its schedules; `None` without windows.
pub(super) fn maintenance(
    name: &str,
    slo: &str,
    windows: &MaintenanceWindows,
) -> Result<Option<Maintenance>, CompileProblem> {
    if windows.is_empty() {
        return Ok(None);
    }
    windows
        .validate()
        .map_err(|source| CompileProblem::Maintenance { source })?;
    let mut schedules = Vec::new();
    for w in windows.once() {
        // A leap second as 23:59:59: EventBridge Scheduler reads no second 60.
        let at = |t: chrono::DateTime<chrono::Utc>| {
            format!(
                "at({})",
                sli_core::rfc3339_writable(t).format("%Y-%m-%dT%H:%M:%S")
            )
        };
        for (expression, state, what) in [
            (at(w.start()), ScheduledState::Alarm, "Opens"),
            (at(w.end()), ScheduledState::Ok, "Closes"),
        ] {
            schedules.push(MaintenanceSchedule {
                expression,
                timezone: "UTC".into(),
                state,
                alarm_name: name.to_owned(),
                description: format!(
                    "{what} the maintenance window {} to {}",
                    w.start().to_rfc3339(),
                    w.end().to_rfc3339()
                ),
            });
        }
    }
    for w in windows.recurring() {
        schedules.extend(recurring(w, name)?);
    }
    let metric = AlarmMetric {
        namespace: "SLO/Maintenance".into(),
        metric_name: "MaintenanceWindow".into(),
        dimensions: vec![AlarmDimension {
            name: "SLO".into(),
            value: slo.to_owned(),
        }],
    };
    let mut watched = MetricDataQuery::metric(
        "maintenance",
        MetricStat {
            metric,
            period: 60,
            stat: "Maximum".into(),
        },
    );
    watched.return_data = true;
    let mut alarm = MetricAlarm::new(name, vec![watched], "GreaterThanThreshold", 0.0);
    alarm.treat_missing_data = TreatMissingData::Ignore;
    alarm.alarm_description = Some(format!(
        "Maintenance of SLO {slo}: in ALARM while a maintenance window is open (set by EventBridge Scheduler); suppresses the SLO's notifications. Nothing publishes its metric: with missing data ignored, the alarm keeps the state the schedules set."
    ));
    Ok(Some(Maintenance { alarm, schedules }))
}
