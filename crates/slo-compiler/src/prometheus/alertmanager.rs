//! The Alertmanager routing of the SLO alerts: pages and tickets to different receivers, the
//! tiers of one SLO in one notification, a ticket held back while its SLO pages.

use super::names;
use crate::yaml::Node;

/// How the routes are wired.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::AlertmanagerOptions;
/// let options = AlertmanagerOptions { page_receiver: "checkout-pagerduty".into(), ..AlertmanagerOptions::default() };
/// assert_eq!(options.ticket_receiver, "slo-ticket");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertmanagerOptions {
    /// The receiver of pages. Default `slo-page`.
    pub page_receiver: String,
    /// The receiver of tickets. Default `slo-ticket`.
    pub ticket_receiver: String,
    /// The receiver of everything else (the top route's). Default `default`.
    pub default_receiver: String,
    /// The alert names routed (the burn-rate and absent-data alerts' names).
    pub alert_names: Vec<String>,
    /// How long to re-send a page that is still firing. Default `1h`.
    pub page_repeat: String,
    /// How long to re-send a ticket that is still firing. Default `1d`.
    pub ticket_repeat: String,
}

impl Default for AlertmanagerOptions {
    fn default() -> Self {
        Self {
            page_receiver: "slo-page".into(),
            ticket_receiver: "slo-ticket".into(),
            default_receiver: "default".into(),
            alert_names: vec!["ErrorBudgetBurn".into(), "SLOMetricAbsent".into()],
            page_repeat: "1h".into(),
            ticket_repeat: "1d".into(),
        }
    }
}

/// An Alertmanager configuration (`alertmanager.yml`, which `amtool check-config` accepts as
/// it is) whose routes send the SLO alerts with `severity="page"` to
/// [`AlertmanagerOptions::page_receiver`] and those with `severity="ticket"` to
/// [`AlertmanagerOptions::ticket_receiver`], grouped by SLO and severity (one notification for
/// the tiers of one SLO), with an inhibition holding back an SLO's tickets while it pages.
/// Its receivers have no integration yet: merge the routes into your tree and give each
/// receiver its PagerDuty, Opsgenie, Slack or SNS configuration.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::{alertmanager_routing, AlertmanagerOptions};
/// let yaml = alertmanager_routing(&AlertmanagerOptions::default());
/// assert!(yaml.contains("receiver: slo-page"));
/// assert!(yaml.contains(r#"- 'severity="ticket"'"#));
/// ```
pub fn alertmanager_routing(options: &AlertmanagerOptions) -> String {
    let names = options
        .alert_names
        .iter()
        .map(|n| regex_escape(n))
        .collect::<Vec<_>>()
        .join("|");
    let alerts = format!("alertname=~\"{names}\"");
    let route = |receiver: &str, severity: &str, repeat: &str| {
        Node::map([
            ("receiver", Node::str(receiver)),
            (
                "matchers",
                Node::Seq(vec![
                    Node::str(&alerts),
                    Node::str(format!("severity=\"{severity}\"")),
                ]),
            ),
            (
                "group_by",
                Node::Seq(vec![
                    Node::str("alertname"),
                    Node::str(names::ID),
                    Node::str("severity"),
                ]),
            ),
            ("repeat_interval", Node::str(repeat)),
        ])
    };
    let receiver = |name: &str| Node::map([("name", Node::str(name))]);
    let matchers = |severity: &str| {
        Node::Seq(vec![
            Node::str(&alerts),
            Node::str(format!("severity=\"{severity}\"")),
        ])
    };
    Node::map([
        (
            "route",
            Node::map([
                ("receiver", Node::str(&options.default_receiver)),
                (
                    "routes",
                    Node::Seq(vec![
                        route(&options.page_receiver, "page", &options.page_repeat),
                        route(&options.ticket_receiver, "ticket", &options.ticket_repeat),
                    ]),
                ),
            ]),
        ),
        (
            "inhibit_rules",
            Node::Seq(vec![Node::map([
                ("source_matchers", matchers("page")),
                ("target_matchers", matchers("ticket")),
                ("equal", Node::Seq(vec![Node::str(names::ID)])),
            ])]),
        ),
        (
            "receivers",
            Node::Seq(vec![
                receiver(&options.default_receiver),
                receiver(&options.page_receiver),
                receiver(&options.ticket_receiver),
            ]),
        ),
    ])
    .to_yaml()
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
