//! Sloth's naming and label conventions, and Prometheus's rules for names.

use sli_core::Severity;

/// Sloth's error ratio series, suffixed with the window: `slo:sli_error:ratio_rate5m`.
pub(crate) const ERROR_RATIO_PREFIX: &str = "slo:sli_error:ratio_rate";
/// The events of the total over a window, for SLOs with a minimum (not in Sloth).
pub(crate) const TOTAL_PREFIX: &str = "slo:sli_total:increase";
/// A window's state where missing data keeps the last one (not in Sloth).
pub(crate) const WINDOW_STATE: &str = "slo:window_breach:state";
/// Sloth's label of the SLO's id (`<service>-<slo>`).
pub(crate) const ID: &str = "sloth_id";
/// Sloth's label of the service.
pub(crate) const SERVICE: &str = "sloth_service";
/// Sloth's label of the SLO.
pub(crate) const SLO: &str = "sloth_slo";
/// Sloth's label of a recording's window.
pub(crate) const WINDOW: &str = "sloth_window";
/// Sloth's label of an alert's severity (`page`, `ticket`).
pub(crate) const SEVERITY: &str = "sloth_severity";
/// The burn-rate threshold of a window state.
pub(crate) const BURN_RATE: &str = "burn_rate";
/// A tier's condition, 1 or 0, recorded every minute for an `N of M` sustain rule (not in
/// Sloth).
pub(crate) const TIER_STATE: &str = "slo:tier_breach:state";
/// The label of an alert's owning team (the Prometheus community's convention, e.g. the
/// kube-prometheus mixins route on `team`).
pub(crate) const TEAM: &str = "team";

/// The labels every series and alert of one SLO carries: `sloth_id`, `sloth_service`,
/// `sloth_slo`, in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Labels(Vec<(String, String)>);

impl Labels {
    pub(crate) fn id(&self) -> &str {
        &self.0[0].1
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &(String, String)> + '_ {
        self.0.iter()
    }

    pub(crate) fn to_vec(&self) -> Vec<(String, String)> {
        self.0.clone()
    }
}

/// Sloth's labels of an SLO: its id is `<service>-<slo>`.
pub(crate) fn slo_labels(service: &str, slo: &str) -> Labels {
    Labels(vec![
        (ID.into(), format!("{service}-{slo}")),
        (SERVICE.into(), service.into()),
        (SLO.into(), slo.into()),
    ])
}

/// `page` or `ticket`.
pub(crate) const fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Page => "page",
        Severity::Ticket => "ticket",
    }
}

/// Whether `name` is a valid metric (and alert) name: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
pub(crate) fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Whether `prefix` can start group and file names.
pub(crate) fn is_group_prefix(prefix: &str) -> bool {
    !prefix.is_empty()
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
