//! The routing's inhibit rules: a page holds back the tickets of the same root cause while it
//! fires.

use sli_core::{FINDING_ALERT_NAME, FINDING_MODE_LABEL, SECURITY_FINDING_MODES};

use super::matcher;
use crate::prometheus::names;
use crate::yaml::Node;

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
                    // Security findings' tickets are never held.
                    Node::str(format!(
                        "{FINDING_MODE_LABEL}!~\"{}\"",
                        SECURITY_FINDING_MODES.join("|")
                    )),
                ]),
            ),
            (
                "equal",
                names(&[FINDING_MODE_LABEL, "subject", "team", names::ID]),
            ),
        ]),
    ])
}
