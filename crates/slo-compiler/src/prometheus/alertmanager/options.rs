//! [`AlertmanagerOptions`]: the receivers and repeat intervals of the routing, and their
//! check against what Alertmanager loads.

use sli_core::FINDING_ALERT_NAME;

use crate::error::CompileProblem;

/// How the routes are wired.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::AlertmanagerOptions;
/// let options = AlertmanagerOptions::new().with_receivers("checkout-pagerduty", "checkout-jira");
/// assert_eq!(options.ticket_receiver, "checkout-jira");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AlertmanagerOptions {
    /// The receiver of pages of SLOs without an owner. Default `slo-page`.
    pub page_receiver: String,
    /// The receiver of tickets of SLOs without an owner. Default `slo-ticket`.
    pub ticket_receiver: String,
    /// The receiver of release-gate alerts (a webhook of the deployment pipeline, say).
    /// Default `slo-release-gate`.
    pub gate_receiver: String,
    /// The receiver of everything else (the top route's). Default `default`.
    pub default_receiver: String,
    /// The alert names routed to pages and tickets (the burn-rate and absent-data alerts'
    /// names, and [`FINDING_ALERT_NAME`](sli_core::FINDING_ALERT_NAME), the detectors'
    /// findings); [`Compiled::alertmanager`](crate::prometheus::Compiled::alertmanager) takes
    /// the first two from the compile options.
    pub alert_names: Vec<String>,
    /// The release-gate alert's name;
    /// [`Compiled::alertmanager`](crate::prometheus::Compiled::alertmanager) takes it from the
    /// compile options.
    pub gate_alert_name: String,
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
            gate_receiver: "slo-release-gate".into(),
            default_receiver: "default".into(),
            alert_names: vec![
                "ErrorBudgetBurn".into(),
                "SLOMetricAbsent".into(),
                FINDING_ALERT_NAME.into(),
            ],
            gate_alert_name: "SLOReleaseGate".into(),
            page_repeat: "1h".into(),
            ticket_repeat: "1d".into(),
        }
    }
}

impl AlertmanagerOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pages of SLOs without an owner go to `page`, tickets to `ticket`.
    #[must_use]
    pub fn with_receivers(mut self, page: impl Into<String>, ticket: impl Into<String>) -> Self {
        self.page_receiver = page.into();
        self.ticket_receiver = ticket.into();
        self
    }

    /// Release-gate alerts go to `receiver`.
    #[must_use]
    pub fn with_gate_receiver(mut self, receiver: impl Into<String>) -> Self {
        self.gate_receiver = receiver.into();
        self
    }

    /// Everything else goes to `receiver`.
    #[must_use]
    pub fn with_default_receiver(mut self, receiver: impl Into<String>) -> Self {
        self.default_receiver = receiver.into();
        self
    }

    /// Pages repeat every `page`, tickets every `ticket` (Alertmanager durations: `1h`, `1d`).
    #[must_use]
    pub fn with_repeat(mut self, page: impl Into<String>, ticket: impl Into<String>) -> Self {
        self.page_repeat = page.into();
        self.ticket_repeat = ticket.into();
        self
    }

    /// `Ok` when Alertmanager loads a configuration with these options: every receiver named
    /// (`missing name in receiver`), every repeat interval a Prometheus duration (`1h`,
    /// `1h30m`, `1d`: units y, w, d, h, m, s, ms, largest first, each at most once) within
    /// Go's range (292 years) and not zero (`repeat_interval cannot be zero`).
    ///
    /// # Errors
    /// [`CompileProblem::InvalidOption`] naming the option and its value.
    ///
    /// # Example
    /// ```
    /// use slo_compiler::prometheus::AlertmanagerOptions;
    /// assert!(AlertmanagerOptions::new().with_repeat("30m", "1d12h").check().is_ok());
    /// assert!(AlertmanagerOptions::new().with_repeat("1m1h", "1d").check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), CompileProblem> {
        for (option, name) in [
            ("page_receiver", &self.page_receiver),
            ("ticket_receiver", &self.ticket_receiver),
            ("gate_receiver", &self.gate_receiver),
            ("default_receiver", &self.default_receiver),
        ] {
            if name.is_empty() {
                return Err(CompileProblem::InvalidOption {
                    option,
                    reason: "a receiver needs a name".to_owned(),
                });
            }
        }
        for (option, text) in [
            ("page_repeat", &self.page_repeat),
            ("ticket_repeat", &self.ticket_repeat),
        ] {
            match duration_ms(text) {
                Some(0) => {
                    return Err(CompileProblem::InvalidOption {
                        option,
                        reason: format!("'{text}': a repeat interval cannot be zero"),
                    });
                }
                Some(_) => {}
                None => {
                    return Err(CompileProblem::InvalidOption {
                        option,
                        reason: format!(
                            "'{text}' is not a duration Alertmanager reads (such as 1h, 1h30m or \
                             1d, within 292 years)"
                        ),
                    });
                }
            }
        }
        Ok(())
    }
}

/// A Prometheus duration (`model.ParseDuration`) in milliseconds: `0`, or numbers with the
/// units y (365 days), w, d, h, m, s, ms, largest first, each at most once; `None` for
/// anything else or past Go's `time.Duration` (2^63 − 1 ns).
fn duration_ms(text: &str) -> Option<u128> {
    const UNITS: [(&str, u128); 7] = [
        ("y", 365 * 86_400_000),
        ("w", 7 * 86_400_000),
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
        ("ms", 1),
    ];
    if text == "0" {
        return Some(0);
    }
    let (mut rest, mut total, mut next_unit) = (text, 0u128, 0);
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        // Leading zeros are read as Go reads them; more than 20 significant digits is past any
        // duration Go can hold.
        let significant = rest[..digits].trim_start_matches('0');
        if digits == 0 || significant.len() > 20 {
            return None;
        }
        let number: u128 = if significant.is_empty() {
            0
        } else {
            significant.parse().ok()?
        };
        rest = &rest[digits..];
        // "ms" before "m": the longest unit that matches, and units only in decreasing order.
        let (index, unit, scale) = UNITS
            .iter()
            .enumerate()
            .skip(next_unit)
            .filter(|(_, (u, _))| rest.starts_with(u))
            .max_by_key(|(_, (u, _))| u.len())
            .map(|(i, (u, s))| (i, *u, *s))?;
        rest = &rest[unit.len()..];
        total = total.checked_add(number.checked_mul(scale)?)?;
        next_unit = index + 1;
    }
    // Go's time.Duration counts nanoseconds in an i64.
    (!text.is_empty() && total.checked_mul(1_000_000)? <= i64::MAX as u128).then_some(total)
}

#[cfg(test)]
mod tests {
    use super::duration_ms;

    #[test]
    fn durations_as_alertmanager_reads_them() {
        // Accepted and refused by amtool 0.25's check-config as repeat_interval (zero is
        // read, then refused as a repeat interval: check() says so).
        for (text, ms) in [
            ("0", 0),
            ("0s", 0),
            ("1ms", 1),
            ("1h30m", 5_400_000),
            ("1d", 86_400_000),
            ("2w1d", 15 * 86_400_000),
            ("106751d", 106_751 * 86_400_000),
            ("290y", 290 * 365 * 86_400_000),
            ("1m5s10ms", 65_010),
            ("000000000000000000000001h", 3_600_000),
            ("00m", 0),
        ] {
            assert_eq!(duration_ms(text), Some(ms), "{text}");
        }
        for text in [
            "",
            "banana",
            "1m1h",
            "1h1h",
            "1",
            "h",
            "1.5h",
            "-1h",
            "1H",
            "106752d",
            "293y",
            "1 h",
            "99999999999999999999999y",
        ] {
            assert_eq!(duration_ms(text), None, "{text}");
        }
    }
}
