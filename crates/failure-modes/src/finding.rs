//! [`Finding`]: what a detector reports: the evidence, with the failure mode's likely cause,
//! mitigation and signal.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sli_core::{Routing, Severity};

use crate::mode::FailureMode;

/// The numbers behind a finding: what was observed, what it was judged against, and how far
/// apart they are.
///
/// A plain output record: its fields are public to read. Detectors build it; others can with
/// [`Evidence::new`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
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

impl Evidence {
    /// Evidence with these values and one sentence saying which crossed what.
    pub fn new(
        observed: f64,
        baseline: f64,
        threshold: f64,
        score: f64,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            observed,
            baseline,
            threshold,
            score,
            detail: detail.into(),
        }
    }
}

/// A number as evidence text shows it to people: whole from 100 up (with thousands
/// separators), three significant digits below (`813.8334271626727` → `814`, `0.0123456` →
/// `0.0123`), and in scientific notation where that would take more than 17 decimals
/// (`1.23e-300`, not `0`) or from 10^18 up. The exact value stays in the [`Evidence`] fields.
///
/// # Example
/// ```
/// use failure_modes::Rounded;
///
/// assert_eq!(Rounded(813.8334271626727).to_string(), "814");
/// assert_eq!(Rounded(1_234_567.8).to_string(), "1,234,568");
/// assert_eq!(Rounded(12.345).to_string(), "12.3");
/// assert_eq!(Rounded(0.5).to_string(), "0.5");
/// assert_eq!(Rounded(-0.001234).to_string(), "-0.00123");
/// assert_eq!(Rounded(1.234e-300).to_string(), "1.23e-300");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rounded(pub f64);

impl std::fmt::Display for Rounded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = self.0;
        if !value.is_finite() || value == 0.0 {
            return write!(f, "{value}");
        }
        let magnitude = value.abs();
        if magnitude >= 100.0 {
            if magnitude >= 1e18 {
                return write!(f, "{value:.3e}");
            }
            let whole = format!("{:.0}", magnitude);
            let digits = whole.len();
            let mut text = String::with_capacity(digits + digits / 3 + 1);
            if value < 0.0 {
                text.push('-');
            }
            for (i, digit) in whole.chars().enumerate() {
                if i > 0 && (digits - i) % 3 == 0 {
                    text.push(',');
                }
                text.push(digit);
            }
            return f.write_str(&text);
        }
        // Three significant digits, trailing zeros dropped; past 17 decimals (below 1e-15)
        // a fixed format would cut them off (1e-300 printed as 0).
        let decimals = (2 - magnitude.log10().floor() as i32).max(0) as usize;
        if decimals > 17 {
            return write!(f, "{value:.2e}");
        }
        let text = format!("{value:.decimals$}");
        let text = if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.')
        } else {
            &text
        };
        f.write_str(text)
    }
}

/// One detected occurrence of a failure mode: a plain output record whose fields are public
/// to read (a detector builds it; [`Finding::new`] for others).
///
/// # Example
/// ```
/// use failure_modes::chrono::{TimeZone, Utc};
/// use failure_modes::{Evidence, FailureMode, Finding};
/// use failure_modes::Severity;
///
/// let at = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
/// let finding = Finding::new(FailureMode::CostRunaway, Severity::Ticket, "account", at, at,
///     Evidence::new(900.0, 300.0, 600.0, 3.0, "spend today 900 USD vs trend 300 USD"));
/// assert_eq!(finding.mitigation(), "Budget alerts and kill switches");
/// assert!(finding.to_string().starts_with("F8 Cost runaway [ticket] account"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Finding {
    /// Which failure mode.
    pub mode: FailureMode,
    /// Page or ticket, by the [severity rule](crate#severities) (see
    /// [`FailureMode::default_severity`] and each detector).
    pub severity: Severity,
    /// What it concerns: an operation, an availability zone, a principal, a bucket, a quota, a
    /// function, a database, an account.
    pub subject: String,
    /// When the condition began: the first bad observation of the incident, among the last M
    /// observations of the N-of-M rule that opened it (F4 bursts: the start of the hour
    /// counted; F8: midnight UTC of the day counted).
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
    /// Whom to notify and the runbook to link: empty unless set ([`Finding::with_routing`],
    /// or for every finding of a detector, [`Routed`](crate::Routed)). Left out of the
    /// serialized finding when empty.
    #[serde(skip_serializing_if = "Routing::is_empty")]
    pub routing: Routing,
}

impl Finding {
    /// A finding with the likely cause, mitigation and signal of `mode`, and no forecast.
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
            routing: Routing::new(),
        }
    }

    /// The same finding with a forecast time.
    #[must_use]
    pub fn with_forecast(mut self, at: Option<DateTime<Utc>>) -> Self {
        self.forecast = at;
        self
    }

    /// The same finding with `routing`: the owning team it goes to and the runbook its reader
    /// opens first (replacing any routing it had).
    ///
    /// # Example
    /// ```
    /// use failure_modes::chrono::{TimeZone, Utc};
    /// use failure_modes::sli_core::{Routing, RoutingError, RunbookUrl};
    /// use failure_modes::{Evidence, FailureMode, Finding, Severity};
    ///
    /// let at = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let routing = Routing::new()
    ///     .with_owner("db-team".parse()?)
    ///     .with_runbook("https://runbooks.example.com/orders-db".parse()?);
    /// let finding = Finding::new(FailureMode::DbConnectionExhaustion, Severity::Ticket, "orders",
    ///     at, at, Evidence::new(330.0, 100.0, 320.0, 3.3, "330 of 400 connections"))
    ///     .with_routing(routing);
    /// assert!(finding.to_string().ends_with(
    ///     "; owner: db-team; runbook: https://runbooks.example.com/orders-db)"));
    ///
    /// // A runbook that is not a URL is refused when parsed, naming the field.
    /// let err = "wiki/orders-db".parse::<RunbookUrl>().unwrap_err();
    /// assert!(matches!(err, RoutingError::InvalidRunbook { field: "runbook", .. }));
    /// # Ok::<(), RoutingError>(())
    /// ```
    #[must_use]
    pub fn with_routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
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

/// One line: `F6 [ticket] orders 2026-11-02 09:00 .. 2026-11-02 09:00: <detail> (mitigation:
/// …; owner: …; runbook: …)`. A control character, a line separator or a bidirectional override
/// in the subject or the detail (which can come from the records a detector read) is written
/// escaped (a line break as `\n`, a backslash as `\\`), so that a finding cannot start a line
/// of its own in a text notification or a log, nor fake an escape.
impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} [{}] {} {} .. {}: {} (mitigation: {}",
            self.mode,
            self.severity,
            OneLine(&self.subject),
            self.start.format("%Y-%m-%d %H:%M"),
            self.end.format("%Y-%m-%d %H:%M"),
            OneLine(&self.evidence.detail),
            self.mitigation
        )?;
        if let Some(owner) = &self.routing.owner {
            write!(f, "; owner: {owner}")?;
        }
        if let Some(runbook) = &self.routing.runbook {
            write!(f, "; runbook: {runbook}")?;
        }
        f.write_str(")")
    }
}

/// Text written on one line: a control character, a line or paragraph separator (U+2028,
/// U+2029) and a bidirectional override or isolate (which can make a line read in another
/// order than it is written) escaped as Rust escapes them (a line break as `\n`, U+2028 as
/// `\u{2028}`, a backslash as `\\`, so that an escape cannot be faked); the rest as it is.
pub(crate) struct OneLine<'a>(pub(crate) &'a str);

impl std::fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write as _;
        for c in self.0.chars() {
            let escaped = c.is_control()
                || matches!(
                    c,
                    '\\'
                        | '\u{2028}'
                        | '\u{2029}'
                        | '\u{200E}'
                        | '\u{200F}'
                        | '\u{202A}'..='\u{202E}'
                        | '\u{2066}'..='\u{2069}'
                );
            if escaped {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}
