//! The Alertmanager routing of the SLO alerts: pages and tickets to different receivers (per
//! owning team when the SLO has one), the alerts of one SLO in one notification, a ticket held
//! back while its SLO pages, notifications muted during the SLO's maintenance windows, and the
//! release-gate alerts to a receiver of their own. Findings of the failure-mode detectors
//! (`failure_modes::Finding::alertmanager_alert`) take the same routes: one labelled with an
//! SLO's id joins that SLO's notification; one of no SLO is grouped by mode and subject.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, TimeDelta, Timelike, Utc};
use sli_core::{
    FINDING_ALERT_NAME, FINDING_MODE_LABEL, MaintenanceWindows, RecurringWindow, day_name,
};

use super::Compiled;
use super::names;

mod inhibit;
mod options;

use crate::error::{CompileError, CompileProblem, Engine};
use crate::yaml::Node;
pub use options::AlertmanagerOptions;

/// An Alertmanager configuration (`alertmanager.yml`, which `amtool check-config` accepts as
/// it is) for SLO alerts whose owners and maintenance windows it does not know: see
/// [`Compiled::alertmanager`] for the configuration of compiled SLOs.
///
/// # Errors
/// [`CompileProblem::InvalidOption`] for options Alertmanager would refuse
/// ([`AlertmanagerOptions::check`]).
///
/// # Example
/// ```
/// use slo_compiler::prometheus::{alertmanager_routing, AlertmanagerOptions};
/// let yaml = alertmanager_routing(&AlertmanagerOptions::default())?;
/// assert!(yaml.contains("receiver: slo-page"));
/// assert!(yaml.contains(r#"- 'severity="ticket"'"#));
/// # Ok::<(), slo_compiler::CompileProblem>(())
/// ```
pub fn alertmanager_routing(options: &AlertmanagerOptions) -> Result<String, CompileProblem> {
    options.check()?;
    Ok(routing(options, &BTreeMap::new()))
}

/// What the routing needs of one SLO id.
#[derive(Default)]
struct SloRouting {
    owner: Option<String>,
    maintenance: Vec<MaintenanceWindows>,
}

impl Compiled {
    /// The Alertmanager configuration (`alertmanager.yml`, which `amtool check-config`
    /// accepts as it is) of these SLOs:
    ///
    /// * pages (`severity="page"`) to [`AlertmanagerOptions::page_receiver`] and tickets to
    ///   [`AlertmanagerOptions::ticket_receiver`], or, for an SLO with an owner
    ///   ([`Routing::owner`](sli_core::Routing::owner), the `team` label), to `<team>-page`
    ///   and `<team>-ticket`;
    /// * grouped by SLO and severity, so that the tiers of one SLO, and its absent-data alert,
    ///   make one notification (the SLO is the root cause they share); an inhibition holds
    ///   back an SLO's tickets while it pages, and another a finding's ticket while a finding
    ///   of the same mode, subject, team and SLO (or none) pages, security findings' tickets
    ///   excepted;
    /// * muted during the SLO's maintenance windows: a `time_intervals` entry per SLO
    ///   (recurring windows as weekdays and times in their `location`, one-off windows as
    ///   dates in UTC, widened to whole minutes: a window from 10:00:10 to 10:00:20 mutes
    ///   10:00 to 10:01) named in `mute_time_intervals` of the SLO's routes. Alertmanager sends a
    ///   muted alert that is still firing once the interval ends;
    /// * release-gate alerts to [`AlertmanagerOptions::gate_receiver`], never muted.
    ///
    /// The receivers have no integration: merge the routes into your tree and give each its
    /// PagerDuty, Opsgenie, Slack or SNS configuration.
    ///
    /// # Errors
    /// [`CompileProblem::Maintenance`] for maintenance windows
    /// [`MaintenanceWindows::validate`](sli_core::MaintenanceWindows::validate) refuses (a
    /// window or chain of windows longer than [`MAX_MAINTENANCE`](sli_core::MAX_MAINTENANCE)
    /// or of more than [`MAX_CHAINED_WINDOWS`](sli_core::MAX_CHAINED_WINDOWS) windows, a
    /// window outside the years 0000 to 9999); [`CompileProblem::MaintenanceZone`] for a
    /// recurring window in a fixed offset such as `+05:30`, which Alertmanager's time
    /// intervals cannot name; [`CompileProblem::InvalidOption`] for options Alertmanager would
    /// refuse ([`AlertmanagerOptions::check`]), in an error naming no SLO.
    ///
    /// # Example
    /// ```
    /// use slo_compiler::SloSpec;
    /// use slo_compiler::prometheus::{compile, AlertmanagerOptions, Options, Query, Signal};
    /// use sli_core::{catalog, AlertPolicy, Routing};
    ///
    /// let spec = SloSpec::new(catalog::availability("checkout"), AlertPolicy::default(), Signal::Bad {
    ///     bad: Query::counter(r#"http_requests_total{code="500"}"#)?,
    ///     total: Query::counter(r#"http_requests_total{code="all"}"#)?,
    /// }).with_routing(Routing::new().with_owner("payments".parse()?));
    /// let yaml = compile(&[spec], &Options::default())?.alertmanager(&AlertmanagerOptions::default())?;
    /// assert!(yaml.contains("receiver: payments-page"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn alertmanager(&self, options: &AlertmanagerOptions) -> Result<String, CompileError> {
        options.check().map_err(|problem| {
            CompileError::new(
                Engine::Prometheus,
                "",
                None,
                "alertmanager options",
                problem,
            )
        })?;
        let mut slos: BTreeMap<String, SloRouting> = BTreeMap::new();
        for slo in &self.slos {
            let spec = &slo.spec;
            spec.maintenance.validate().map_err(|e| {
                CompileError::new(
                    Engine::Prometheus,
                    &spec.slo.name,
                    spec.document,
                    "maintenance",
                    CompileProblem::Maintenance { source: e },
                )
            })?;
            // Alertmanager's `location` is an IANA name; a fixed offset such as +05:30 has none
            // (whole-hour offsets are the `Etc/GMT±h` zones already).
            if let Some(zone) = spec
                .maintenance
                .recurring()
                .iter()
                .map(|r| r.zone().to_string())
                .find(|name| name.starts_with(['+', '-']))
            {
                return Err(CompileError::new(
                    Engine::Prometheus,
                    &spec.slo.name,
                    spec.document,
                    "maintenance",
                    CompileProblem::MaintenanceZone { zone },
                ));
            }
            let entry = slos.entry(slo.id.clone()).or_default();
            if let Some(owner) = &spec.routing.owner {
                entry.owner = Some(owner.as_str().to_owned());
            }
            if !spec.maintenance.is_empty() {
                entry.maintenance.push(spec.maintenance.clone());
            }
        }
        let options = AlertmanagerOptions {
            alert_names: vec![
                self.options.alert_name.clone(),
                self.options.absent_alert_name.clone(),
                FINDING_ALERT_NAME.into(),
            ],
            gate_alert_name: self.options.gate_alert_name.clone(),
            ..options.clone()
        };
        Ok(routing(&options, &slos))
    }
}

/// `label="value"` as Alertmanager's matcher parser reads it back: it unescapes `\"`, `\\`
/// and `\n` only, and keeps any other backslash as written, so a JSON string's `\t` or
/// `\u0001` would match a backslash, not the character. Every other character is written as it
/// is (the YAML writer escapes what YAML needs).
fn matcher(label: &str, value: &str) -> Node {
    let mut text = String::with_capacity(label.len() + value.len() + 3);
    text.push_str(label);
    text.push_str("=\"");
    for c in value.chars() {
        match c {
            '"' => text.push_str("\\\""),
            '\\' => text.push_str("\\\\"),
            '\n' => text.push_str("\\n"),
            c => text.push(c),
        }
    }
    text.push('"');
    Node::str(text)
}

/// The `time_intervals` of maintenance windows.
fn intervals(windows: &[MaintenanceWindows]) -> Vec<Node> {
    let mut out = Vec::new();
    for w in windows {
        for once in w.once() {
            out.extend(utc_days(once.start(), once.end()));
        }
        for r in w.recurring() {
            out.extend(weekly(r));
        }
    }
    out
}

fn hhmm(minutes: i64) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// `times:` from `from` to `to` minutes of a day (nothing for the whole day).
fn times(from: i64, to: i64) -> Option<(&'static str, Node)> {
    (from > 0 || to < 1440).then(|| {
        (
            "times",
            Node::Seq(vec![Node::map([
                ("start_time", Node::str(hhmm(from))),
                ("end_time", Node::str(hhmm(to))),
            ])]),
        )
    })
}

/// A one-off window in UTC, one entry per UTC day it touches, widened to whole minutes:
/// Alertmanager's times are minutes and it refuses an empty range, which truncating a window
/// that ends within a minute of its start (or of a midnight) to the minute used to write.
fn utc_days(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<Node> {
    let mut out = Vec::new();
    let mut day = start.date_naive();
    while let Some(midnight) = day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()) {
        if midnight >= end {
            break;
        }
        let from = if start > midnight {
            i64::from(start.hour() * 60 + start.minute())
        } else {
            0
        };
        let to = if midnight
            .checked_add_signed(TimeDelta::days(1))
            .is_some_and(|next| end < next)
        {
            let past_the_minute = end.second() > 0 || end.nanosecond() > 0;
            i64::from(end.hour() * 60 + end.minute()) + i64::from(past_the_minute)
        } else {
            1440
        };
        let mut entry: Vec<(&str, Node)> = Vec::new();
        entry.extend(times(from, to));
        entry.push((
            "days_of_month",
            Node::Seq(vec![Node::str(day.day().to_string())]),
        ));
        entry.push((
            "months",
            Node::Seq(vec![Node::str(month_name(day.month()))]),
        ));
        entry.push(("years", Node::Seq(vec![Node::str(day.year().to_string())])));
        entry.push(("location", Node::str("UTC")));
        out.push(Node::map(entry));
        let Some(next) = day.succ_opt() else { break };
        day = next;
    }
    out
}

fn month_name(month: u32) -> &'static str {
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
    .get(month.saturating_sub(1) as usize)
    .copied()
    .unwrap_or("january")
}

/// A recurring window: per day it reaches (the day it starts, and the next ones when it
/// crosses midnight), the weekdays and wall-clock times, in its zone.
fn weekly(window: &RecurringWindow) -> Vec<Node> {
    let start = i64::from(window.start().hour() * 60 + window.start().minute());
    let end = start + window.duration().seconds() / 60;
    let mut out = Vec::new();
    let mut k = 0;
    while start - 1440 * k < 1440 && end - 1440 * k > 0 {
        let from = (start - 1440 * k).max(0);
        let to = (end - 1440 * k).min(1440);
        let days: Vec<Node> = window
            .days()
            .iter()
            .map(|d| {
                let mut d = *d;
                for _ in 0..k % 7 {
                    d = d.succ();
                }
                Node::str(day_name(d))
            })
            .collect();
        let mut entry: Vec<(&str, Node)> = Vec::new();
        entry.extend(times(from, to));
        entry.push(("weekdays", Node::Seq(days)));
        entry.push(("location", Node::str(window.zone().to_string())));
        out.push(Node::map(entry));
        k += 1;
    }
    out
}

fn routing(options: &AlertmanagerOptions, slos: &BTreeMap<String, SloRouting>) -> String {
    let names = options
        .alert_names
        .iter()
        .map(|n| regex_escape(n))
        .collect::<Vec<_>>()
        .join("|");
    let alerts = Node::str(format!("alertname=~\"{names}\""));
    let severity = |s: &str| matcher("severity", s);
    let mute_name = |id: &str| format!("maintenance-{id}");
    // Per SLO with maintenance, a route muting it; per team, a route to its receiver.
    let muted = |id: &str| {
        Node::map([
            ("matchers", Node::Seq(vec![matcher(names::ID, id)])),
            (
                "mute_time_intervals",
                Node::Seq(vec![Node::str(mute_name(id))]),
            ),
        ])
    };
    let teams: BTreeSet<&str> = slos.values().filter_map(|s| s.owner.as_deref()).collect();
    // The route of one severity: to the team's receiver when the alert names a team, with the
    // SLOs' maintenance mutes below (`slo_mutes`), else to `receiver`.
    let route = |receiver: &str,
                 level: &str,
                 repeat: &str,
                 mut matchers: Vec<Node>,
                 group_by: &[&str],
                 slo_mutes: bool| {
        let mut children = Vec::new();
        for team in &teams {
            let mutes: Vec<Node> = slos
                .iter()
                .filter(|(_, s)| {
                    slo_mutes && s.owner.as_deref() == Some(*team) && !s.maintenance.is_empty()
                })
                .map(|(id, _)| muted(id))
                .collect();
            let mut entries = vec![
                ("receiver", Node::str(format!("{team}-{level}"))),
                ("matchers", Node::Seq(vec![matcher(names::TEAM, team)])),
            ];
            if !mutes.is_empty() {
                entries.push(("routes", Node::Seq(mutes)));
            }
            children.push(Node::map(entries));
        }
        children.extend(
            slos.iter()
                .filter(|(_, s)| slo_mutes && s.owner.is_none() && !s.maintenance.is_empty())
                .map(|(id, _)| muted(id)),
        );
        matchers.push(severity(level));
        let mut entries = vec![
            ("receiver", Node::str(receiver)),
            ("matchers", Node::Seq(matchers)),
            (
                "group_by",
                Node::Seq(group_by.iter().map(|g| Node::str(*g)).collect()),
            ),
            ("repeat_interval", Node::str(repeat)),
        ];
        if !children.is_empty() {
            entries.push(("routes", Node::Seq(children)));
        }
        Node::map(entries)
    };
    // A finding of no SLO (no SLO id) is its own root cause: grouped by mode and subject. A
    // finding with an SLO id takes the SLO routes below and joins the SLO's notification.
    let lone_finding = || {
        vec![
            matcher("alertname", FINDING_ALERT_NAME),
            matcher(names::ID, ""),
        ]
    };
    let slo_group = [names::ID, "severity"];
    let finding_group = [FINDING_MODE_LABEL, "subject", "severity"];
    let gate = Node::map([
        ("receiver", Node::str(&options.gate_receiver)),
        (
            "matchers",
            Node::Seq(vec![matcher("alertname", &options.gate_alert_name)]),
        ),
        ("group_by", Node::Seq(vec![Node::str(names::ID)])),
        ("repeat_interval", Node::str(&options.page_repeat)),
    ]);
    let mut receiver_names = vec![
        options.default_receiver.clone(),
        options.page_receiver.clone(),
        options.ticket_receiver.clone(),
        options.gate_receiver.clone(),
    ];
    for team in &teams {
        receiver_names.push(format!("{team}-page"));
        receiver_names.push(format!("{team}-ticket"));
    }
    // Each receiver once: one receiver for pages and tickets is common, and Alertmanager
    // refuses a configuration naming a receiver twice.
    let mut named = BTreeSet::new();
    let receivers: Vec<Node> = receiver_names
        .iter()
        .filter(|name| named.insert(name.as_str()))
        .map(|name| Node::map([("name", Node::str(name))]))
        .collect();
    let mut config = vec![
        (
            "route",
            Node::map([
                ("receiver", Node::str(&options.default_receiver)),
                (
                    "routes",
                    Node::Seq(vec![
                        gate,
                        route(
                            &options.page_receiver,
                            "page",
                            &options.page_repeat,
                            lone_finding(),
                            &finding_group,
                            false,
                        ),
                        route(
                            &options.ticket_receiver,
                            "ticket",
                            &options.ticket_repeat,
                            lone_finding(),
                            &finding_group,
                            false,
                        ),
                        route(
                            &options.page_receiver,
                            "page",
                            &options.page_repeat,
                            vec![alerts.clone()],
                            &slo_group,
                            true,
                        ),
                        route(
                            &options.ticket_receiver,
                            "ticket",
                            &options.ticket_repeat,
                            vec![alerts.clone()],
                            &slo_group,
                            true,
                        ),
                    ]),
                ),
            ]),
        ),
        ("inhibit_rules", inhibit::rules(&alerts)),
    ];
    let maintained: Vec<Node> = slos
        .iter()
        .filter(|(_, s)| !s.maintenance.is_empty())
        .map(|(id, s)| {
            Node::map([
                ("name", Node::str(mute_name(id))),
                ("time_intervals", Node::Seq(intervals(&s.maintenance))),
            ])
        })
        .collect();
    if !maintained.is_empty() {
        config.push(("time_intervals", Node::Seq(maintained)));
    }
    config.push(("receivers", Node::Seq(receivers)));
    Node::map(config).to_yaml()
}

/// Escapes what a regular expression would read as an operator.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::{TimeDelta, TimeZone, Utc};
    use sli_core::{AlertPolicy, Interval, MaintenanceError, MaintenanceWindows, catalog};

    use super::*;
    use crate::SloSpec;
    use crate::prometheus::{Options, Query, Signal, compile};

    #[test]
    fn a_maintenance_window_that_never_ends_is_a_typed_error_naming_the_field() {
        let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        let window = |days| {
            MaintenanceWindows::new([Interval::new(t0, t0 + TimeDelta::days(days)).unwrap()])
        };
        let spec = |maintenance| {
            SloSpec::new(
                catalog::availability("checkout"),
                AlertPolicy::default(),
                Signal::Bad {
                    bad: Query::counter(r#"http_requests_total{code="500"}"#).unwrap(),
                    total: Query::counter("http_requests_total").unwrap(),
                },
            )
            .with_maintenance(maintenance)
        };
        let options = AlertmanagerOptions::default();
        let compiled = compile(&[spec(window(1))], &Options::default()).unwrap();
        assert!(compiled.alertmanager(&options).is_ok());
        let compiled = compile(&[spec(window(30))], &Options::default()).unwrap();
        let err = compiled.alertmanager(&options).unwrap_err();
        assert_eq!(err.field, "maintenance");
        assert!(
            matches!(
                &err.problem,
                CompileProblem::Maintenance {
                    source: MaintenanceError::NeverEnds { field: "end", .. }
                }
            ),
            "{err}"
        );
        let source = std::error::Error::source(&err.problem).expect("the typed source");
        assert!(source.to_string().contains("never ends"), "{source}");

        // A one-off window past year 9999: `years` would name a year no engine schedules.
        let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        let compiled = compile(
            &[spec(MaintenanceWindows::new([Interval::new(
                far,
                far + TimeDelta::hours(1),
            )
            .unwrap()]))],
            &Options::default(),
        )
        .unwrap();
        let err = compiled.alertmanager(&options).unwrap_err();
        assert!(
            matches!(
                &err.problem,
                CompileProblem::Maintenance {
                    source: MaintenanceError::OutOfRange { field: "start", .. }
                }
            ),
            "{err}"
        );

        // A recurring window in a fixed offset: Alertmanager's `location` needs an IANA name.
        let daily = |zone: &str| {
            MaintenanceWindows::default().with_recurring(
                sli_core::RecurringWindow::daily(
                    chrono::NaiveTime::from_hms_opt(1, 0, 0).unwrap(),
                    sli_core::Span::HOUR,
                    zone.parse().unwrap(),
                )
                .unwrap(),
            )
        };
        let compiled = compile(&[spec(daily("+05:30"))], &Options::default()).unwrap();
        let err = compiled.alertmanager(&options).unwrap_err();
        assert_eq!(err.field, "maintenance");
        assert!(
            matches!(&err.problem, CompileProblem::MaintenanceZone { zone } if zone == "+05:30"),
            "{err}"
        );
        let compiled = compile(&[spec(daily("Asia/Kolkata"))], &Options::default()).unwrap();
        assert!(compiled.alertmanager(&options).is_ok());
    }
}
