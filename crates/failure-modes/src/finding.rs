//! [`Finding`]: what a detector reports, carrying the failure-mode table's guidance with the evidence.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sli_core::Severity;

use crate::mode::FailureMode;

/// The numbers behind a finding: what was observed, what it was judged against, and how far
/// apart they are.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// The value that crossed (a ratio, a latency, a count, a spend …; see `detail`).
    pub observed: f64,
    /// The baseline it was compared with (the zone's peers, the warm p95, the trailing spend …).
    pub baseline: f64,
    /// The line `observed` is judged against: the threshold it crossed, or for a finding
    /// raised by a forecast, the limit the trend is about to reach. Rule matches (F4's new
    /// region, key creation, sign-in without MFA) carry observed 1, baseline 0, threshold 1.
    pub threshold: f64,
    /// How strong the evidence is, on the detector's own scale: a robust z-score, a ratio to
    /// the baseline, or `-log10` of a tail probability (see each detector).
    pub score: f64,
    /// One sentence that says which values crossed what, in the units of the signal.
    pub detail: String,
}

/// One detected occurrence of a failure mode.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use failure_modes::{Evidence, FailureMode, Finding};
/// use sli_core::Severity;
///
/// let at = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
/// let finding = Finding::new(FailureMode::CostRunaway, Severity::Ticket, "account", at, at,
///     Evidence { observed: 900.0, baseline: 300.0, threshold: 600.0, score: 3.0,
///                detail: "spend today 900 USD vs trend 300 USD".into() });
/// assert_eq!(finding.mitigation(), "Budget alerts and kill switches");
/// assert!(finding.to_string().starts_with("F8 Cost runaway [Ticket] account"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Which failure mode.
    pub mode: FailureMode,
    /// Page or ticket, by the alerting guidance (see [`FailureMode::default_severity`]
    /// and each detector).
    pub severity: Severity,
    /// What it concerns: an operation, an availability zone, a principal, a bucket, a quota, a
    /// function, a database, an account.
    pub subject: String,
    /// When the condition began: the first bad observation of the incident (F4 bursts: the
    /// start of the hour counted; F8: midnight UTC of the day counted).
    pub start: DateTime<Utc>,
    /// The observation at which the detector decided (the detection time, no look-ahead).
    pub end: DateTime<Utc>,
    /// The values behind it.
    pub evidence: Evidence,
    /// When a forecast says a limit will be reached (quota, connections, month-end budget), if
    /// the detector forecasts one.
    pub forecast: Option<DateTime<Utc>>,
    /// The likely cause the failure-mode table gives.
    pub likely_cause: &'static str,
    /// The mitigation the failure-mode table gives.
    pub mitigation: &'static str,
    /// The observability signal the failure-mode table gives.
    pub signal: &'static str,
}

impl Finding {
    /// A finding with the table's cause, mitigation and signal for `mode`, and no forecast.
    pub fn new(
        mode: FailureMode,
        severity: Severity,
        subject: impl Into<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        evidence: Evidence,
    ) -> Self {
        Self {
            mode,
            severity,
            subject: subject.into(),
            start,
            end,
            evidence,
            forecast: None,
            likely_cause: mode.likely_cause(),
            mitigation: mode.mitigation(),
            signal: mode.signal(),
        }
    }

    /// The same finding with a forecast time.
    #[must_use]
    pub fn with_forecast(mut self, at: Option<DateTime<Utc>>) -> Self {
        self.forecast = at;
        self
    }

    /// The likely cause from the failure-mode table.
    pub fn likely_cause(&self) -> &'static str {
        self.likely_cause
    }

    /// The mitigation from the failure-mode table.
    pub fn mitigation(&self) -> &'static str {
        self.mitigation
    }

    /// The observability signal from the failure-mode table.
    pub fn signal(&self) -> &'static str {
        self.signal
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} [{:?}] {} {} .. {}: {} (mitigation: {})",
            self.mode,
            self.severity,
            self.subject,
            self.start.format("%Y-%m-%d %H:%M"),
            self.end.format("%Y-%m-%d %H:%M"),
            self.evidence.detail,
            self.mitigation
        )
    }
}
