//! The routing's inhibit rules: a page holds back the tickets of the same root cause while it
//! fires.

use sli_core::FINDING_ALERT_NAME;

use super::matcher;
use crate::prometheus::names;
use crate::yaml::Node;

/// The failure modes whose findings are security incidents (`failure_modes::FailureMode`'s
/// `is_security`: F4 credential compromise, F7 public data): their tickets are never held.
const SECURITY_MODES: &str = "F4|F7";

/// Two rules, `alerts` matching the SLO alerts by name:
/// * an SLO's page holds its tickets (only an SLO with an id: `equal` reads two missing ids as
///   equal, so a finding of no SLO would otherwise hold every other);
/// * a finding's page holds the tickets of findings of the same mode, subject, team and SLO
///   (or none): F3 tickets days ahead of a quota and pages when it is reached, F6 opens both
///   when usage jumps, and a finding of no SLO notified twice. Its subject must not be empty
///   (Alertmanager deletes empty labels, and a page without one would hold every ticket of its
///   mode without one). Security findings' tickets are never held: F4's and F7's findings on
///   one subject are different evidence (a new region, a sign-in without MFA; a public bucket,
///   a download spike), not one condition escalating. Findings carry no account or region: on
///   an Alertmanager fed by several accounts, put the account in the subject or the team.
pub(super) fn rules(alerts: &Node) -> Node {
    let finding = || matcher("alertname", FINDING_ALERT_NAME);
    let severity = |s: &str| matcher("severity", s);
    let names = |labels: &[&str]| Node::Seq(labels.iter().map(|l| Node::str(*l)).collect());
    Node::Seq(vec![
        Node::map([
            (
                "source_matchers",
                Node::Seq(vec![
                    alerts.clone(),
                    severity("page"),
                    Node::str(format!("{}=~\".+\"", names::ID)),
                ]),
            ),
            (
                "target_matchers",
                Node::Seq(vec![alerts.clone(), severity("ticket")]),
            ),
            ("equal", names(&[names::ID])),
        ]),
        Node::map([
            (
                "source_matchers",
                Node::Seq(vec![
                    finding(),
                    severity("page"),
                    Node::str("subject=~\".+\""),
                ]),
            ),
            (
                "target_matchers",
                Node::Seq(vec![
                    finding(),
                    severity("ticket"),
                    Node::str(format!("failure_mode!~\"{SECURITY_MODES}\"")),
                ]),
            ),
            (
                "equal",
                names(&["failure_mode", "subject", "team", names::ID]),
            ),
        ]),
    ])
}
