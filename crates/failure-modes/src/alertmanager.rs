//! Findings as Alertmanager alerts, so they reach the routing `slo-compiler` compiles
//! (`prometheus::Compiled::alertmanager`): a finding labelled with an SLO's id joins that SLO's
//! notification (the routes group by SLO id and severity), is muted in the SLO's maintenance
//! windows, and, as a ticket, is held while the SLO pages; a finding of no SLO is grouped by
//! mode and subject.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde_json::{Map, Value, json};
use sli_core::{FINDING_ALERT_NAME, FINDING_MODE_LABEL};

use crate::finding::{Finding, OneLine};

/// The label holding the SLO's id (Sloth's `sloth_id`, as the compiled rules and routes name it).
pub const SLO_ID_LABEL: &str = "sloth_id";

impl Finding {
    /// The finding as an alert Alertmanager's API takes (`POST /api/v2/alerts`, one
    /// `postableAlert`): labels `alertname` ([`FINDING_ALERT_NAME`]), `failure_mode` (`F2`),
    /// `subject`, `severity` (`page`/`ticket`), `team` (the routing's owner, if any) and, for a
    /// finding behind an SLO, [`SLO_ID_LABEL`] = `slo_id`; annotations `summary`,
    /// `description` (the evidence), `likely_cause`, `mitigation` and `runbook_url` (if any),
    /// the summary's subject and the description on one line as the finding's `Display` writes
    /// them (a line break escaped as `\n`; the `subject` label keeps the subject as read);
    /// `startsAt` the condition's start, `endsAt` `hold` after the detection
    /// ([`DEFAULT_HOLD`](crate::DEFAULT_HOLD): a finding has no end of its own; a negative
    /// `hold` counts as none). Alertmanager reads times as RFC 3339, which writes years 0000
    /// to 9999 only: an instant outside them (a hold of centuries, a hostile timestamp) is
    /// written as the nearest one RFC 3339 can write, never as chrono's `+262142-…`, and a
    /// leap second as `23:59:59`, never `23:59:60` ([`sli_core::rfc3339_writable`]): Go's time
    /// parser refuses both, and Alertmanager the whole post with them.
    ///
    /// Alertmanager deletes labels whose value is empty: an empty `slo_id` attaches no SLO,
    /// and a finding with an empty `subject` arrives without that label (groups by subject
    /// then merge it with others).
    ///
    /// To join an SLO's notification the finding must also reach the SLO's receiver: route it
    /// with the SLO's owner (the `team` label), or with none when the SLO has none.
    ///
    /// A security finding (F4, F7) is never attached to an SLO, whatever `slo_id` says:
    /// planned work does not explain it, so neither the SLO's maintenance window nor its page
    /// may hold it back (as [`outside_maintenance`](crate::outside_maintenance) keeps it).
    ///
    /// # Example
    /// ```
    /// use failure_modes::chrono::{TimeZone, Utc};
    /// use failure_modes::{DEFAULT_HOLD, Evidence, FailureMode, Finding, Severity};
    /// let t = Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
    /// let partition = Finding::new(FailureMode::NetworkPartition, Severity::Page, "eu-west-1a",
    ///     t, t, Evidence::new(0.9, 0.1, 0.15, 9.0, "5xx 90 % in eu-west-1a"));
    /// let alert = partition.alertmanager_alert(Some("checkout-availability"), DEFAULT_HOLD);
    /// assert_eq!(alert["labels"]["alertname"], "FailureModeFinding");
    /// assert_eq!(alert["labels"]["sloth_id"], "checkout-availability");
    /// assert_eq!(alert["endsAt"], "2026-11-02T11:00:00Z");
    /// ```
    pub fn alertmanager_alert(&self, slo_id: Option<&str>, hold: TimeDelta) -> Value {
        let mut labels = Map::new();
        labels.insert("alertname".into(), json!(FINDING_ALERT_NAME));
        labels.insert(FINDING_MODE_LABEL.into(), json!(self.mode.id()));
        labels.insert("subject".into(), json!(self.subject));
        labels.insert("severity".into(), json!(self.severity.to_string()));
        if let Some(owner) = &self.routing.owner {
            labels.insert("team".into(), json!(owner.as_str()));
        }
        // Alertmanager deletes a label whose value is empty: an empty `slo_id` is no SLO.
        if let (Some(id), false) = (slo_id.filter(|id| !id.is_empty()), self.mode.is_security()) {
            labels.insert(SLO_ID_LABEL.into(), json!(id));
        }
        let mut annotations = Map::new();
        // Annotations are read by people, through text templates that JSON's escapes do not
        // reach: the subject and the detail (which can come from the records read) on one
        // line, as `Display` writes them. Labels keep the subject as read: they are matched.
        annotations.insert(
            "summary".into(),
            json!(format!("{}: {}", self.mode, OneLine(&self.subject))),
        );
        annotations.insert(
            "description".into(),
            json!(OneLine(&self.evidence.detail).to_string()),
        );
        annotations.insert("likely_cause".into(), json!(self.likely_cause));
        annotations.insert("mitigation".into(), json!(self.mitigation));
        if let Some(runbook) = &self.routing.runbook {
            annotations.insert("runbook_url".into(), json!(runbook.as_str()));
        }
        let at = |t: DateTime<Utc>| {
            sli_core::rfc3339_writable(t).to_rfc3339_opts(SecondsFormat::Secs, true)
        };
        json!({
            "labels": labels,
            "annotations": annotations,
            "startsAt": at(self.start),
            "endsAt": at(self.held_until(hold)),
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use sli_core::{Routing, Severity};

    use super::*;
    use crate::finding::Evidence;
    use crate::mode::FailureMode;
    use crate::notify::DEFAULT_HOLD;

    fn finding(mode: FailureMode) -> Finding {
        let t = Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).unwrap();
        Finding::new(
            mode,
            Severity::Ticket,
            "x",
            t,
            t,
            Evidence::new(1.0, 0.0, 1.0, 1.0, "d"),
        )
    }

    /// A subject taken from forged records (a user name with a line break) could fake a
    /// second line in a text notification built from the annotations: they carry it on one
    /// line, as `Display` does; the label keeps it as read, since routes match it.
    #[test]
    fn annotations_and_the_grouping_tier_are_one_line() {
        let mut f = finding(FailureMode::CredentialCompromise);
        f.subject = "mallory\nF4 [page] admin: all clear".to_owned();
        f.evidence.detail = "sign-in by mallory\u{2028}resolved".to_owned();
        let alert = f.alertmanager_alert(None, DEFAULT_HOLD);
        assert_eq!(alert["labels"]["subject"], f.subject.as_str());
        assert_eq!(
            alert["annotations"]["summary"],
            "F4 Credential compromise: mallory\\nF4 [page] admin: all clear"
        );
        assert_eq!(
            alert["annotations"]["description"],
            "sign-in by mallory\\u{2028}resolved"
        );
        let tier = f.to_alert(DEFAULT_HOLD).tier;
        assert!(!tier.contains('\n'), "{tier}");
        assert!(
            tier.ends_with("mallory\\nF4 [page] admin: all clear"),
            "{tier}"
        );
    }

    #[test]
    fn a_negative_hold_counts_as_none() {
        // Found by the hostile-input probe: `endsAt` came before `startsAt`, and two alerts of
        // one finding each ended before they started, so grouping split them in two.
        let f = finding(FailureMode::ServiceQuotaHit);
        for hold in [TimeDelta::hours(-5), TimeDelta::MIN] {
            let alert = f.alertmanager_alert(None, hold);
            assert_eq!(alert["endsAt"], alert["startsAt"], "{hold}");
            assert_eq!(f.to_alert(hold).end, Some(f.end));
            let groups = crate::group_by_root_cause(
                Vec::new(),
                vec![("k", f.clone()), ("k", f.clone())],
                hold,
            );
            assert_eq!(groups.len(), 1, "{hold}");
        }
        // A hold past chrono's last instant ends there.
        assert_eq!(
            f.to_alert(TimeDelta::MAX).end,
            Some(chrono::DateTime::<Utc>::MAX_UTC)
        );
    }

    #[test]
    fn times_rfc3339_cannot_write_are_written_as_its_nearest() {
        // chrono wrote a hold past year 9999 as `+262142-12-31T23:59:59Z`: Go's RFC 3339
        // parser, and so Alertmanager, refuses it and the whole post with it.
        let f = finding(FailureMode::ServiceQuotaHit);
        let alert = f.alertmanager_alert(None, TimeDelta::MAX);
        assert_eq!(alert["endsAt"], "9999-12-31T23:59:59Z");
        assert_eq!(alert["startsAt"], "2026-11-02T10:00:00Z");
        let far = |year| Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0).unwrap();
        let mut early = f.clone();
        (early.start, early.end) = (far(-40), far(-40));
        let alert = early.alertmanager_alert(None, TimeDelta::hours(1));
        assert_eq!(alert["startsAt"], "0000-01-01T00:00:00Z");
        assert_eq!(alert["endsAt"], "0000-01-01T00:00:00Z");
        for alert in [alert, f.alertmanager_alert(None, TimeDelta::MAX)] {
            for key in ["startsAt", "endsAt"] {
                let text = alert[key].as_str().unwrap();
                assert!(DateTime::parse_from_rfc3339(text).is_ok(), "{text}");
                assert_eq!(text.len(), 20, "{text}");
            }
        }
    }

    #[test]
    fn a_leap_second_is_written_as_the_second_before() {
        // chrono writes 23:59:60, which Go's time parser (second 0-59) refuses: Alertmanager
        // then drops the whole post, a paged finding beside this one included.
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_milli_opt(23, 59, 59, 1_500))
            .unwrap()
            .and_utc();
        let mut f = finding(FailureMode::DbConnectionExhaustion);
        (f.start, f.end) = (leap, leap);
        let alert = f.alertmanager_alert(None, TimeDelta::zero());
        assert_eq!(alert["startsAt"], "2016-12-31T23:59:59Z");
        assert_eq!(alert["endsAt"], "2016-12-31T23:59:59Z");
    }

    #[test]
    fn a_security_finding_is_never_attached_to_an_slo() {
        for mode in [
            FailureMode::CredentialCompromise,
            FailureMode::PublicDataLeak,
        ] {
            let alert = finding(mode).alertmanager_alert(Some("checkout"), TimeDelta::hours(1));
            assert!(alert["labels"].get(SLO_ID_LABEL).is_none(), "{mode}");
        }
        let alert = finding(FailureMode::DbConnectionExhaustion)
            .alertmanager_alert(Some("checkout"), TimeDelta::hours(1));
        assert_eq!(alert["labels"][SLO_ID_LABEL], "checkout");
    }

    /// Alertmanager deletes empty labels; an empty SLO id writes none rather than one that
    /// silently does not join the SLO.
    #[test]
    fn an_empty_slo_id_attaches_no_slo() {
        let alert = finding(FailureMode::DbConnectionExhaustion)
            .alertmanager_alert(Some(""), TimeDelta::hours(1));
        assert!(alert["labels"].get(SLO_ID_LABEL).is_none(), "{alert}");
    }

    #[test]
    fn the_owner_and_runbook_become_the_team_label_and_the_runbook_annotation() {
        let routing = Routing::new()
            .with_owner("payments".parse().unwrap())
            .with_runbook("https://runbooks.example.com/db".parse().unwrap());
        let alert = finding(FailureMode::DbConnectionExhaustion)
            .with_routing(routing)
            .alertmanager_alert(None, TimeDelta::hours(1));
        assert_eq!(alert["labels"]["team"], "payments");
        assert_eq!(alert["labels"]["severity"], "ticket");
        assert_eq!(alert["labels"]["failure_mode"], "F6");
        assert_eq!(
            alert["annotations"]["runbook_url"],
            "https://runbooks.example.com/db"
        );
        assert!(alert["labels"].get(SLO_ID_LABEL).is_none());
    }
}
