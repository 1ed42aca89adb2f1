//! Who is told, and where they read what to do: a runbook URL and an owning team for anything
//! that alerts (an SLO's alarms and rules, a failure-mode finding).
//!
//! The SRE Workbook's chapter "On-Call" asks that every alert link to the playbook of what to
//! do; Prometheus' alerting conventions carry it as the `runbook_url` annotation and route on a
//! `team` label (Alertmanager's routing tree), CloudWatch carries it in the alarm description
//! and tags. [`Routing`] holds both, validated, so that every engine receives the same.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The alert name a failure-mode finding carries when it is sent to Alertmanager
/// (`failure_modes::Finding::alertmanager_alert`), and which the routing `slo-compiler`
/// compiles sends to the page and ticket receivers with the SLO alerts: a finding labelled with
/// an SLO's id joins that SLO's notification.
pub const FINDING_ALERT_NAME: &str = "FailureModeFinding";

/// The label naming a finding's failure mode (`F1` to `F8`) in the alert it is sent as, which
/// the compiled routing groups and inhibits on.
pub const FINDING_MODE_LABEL: &str = "failure_mode";

/// The failure modes whose findings are security incidents (F4 credential compromise, F7
/// public data; `failure_modes::FailureMode::is_security`), as [`FINDING_MODE_LABEL`] writes
/// them: the compiled routing never holds their tickets back behind a page.
pub const SECURITY_FINDING_MODES: [&str; 2] = ["F4", "F7"];

/// The longest runbook URL accepted, in bytes. A CloudWatch alarm description holds 1,024
/// characters (`PutMetricAlarm`'s `AlarmDescription`), and the runbook shares it with what the
/// alarm means; 512 leaves room for that.
pub const MAX_RUNBOOK_URL: usize = 512;

/// The longest owner (team) name accepted: it names Alertmanager receivers (`<owner>-page`) and
/// CloudWatch tag values, and is read on phones.
pub const MAX_OWNER: usize = 64;

/// A runbook or owner that cannot be used, naming the field and why.
///
/// # Example
/// ```
/// use sli_core::{RoutingError, RunbookUrl};
/// let err = "wiki/checkout".parse::<RunbookUrl>().unwrap_err();
/// assert!(matches!(err, RoutingError::InvalidRunbook { field: "runbook", .. }));
/// assert_eq!(err.to_string(),
///     "runbook \"wiki/checkout\" is not a URL: it must start with https:// or http://");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RoutingError {
    /// A runbook that is not an absolute `http(s)` URL.
    #[error("{field} {url:?} is not a URL: {reason}")]
    InvalidRunbook {
        /// The field (`runbook`).
        field: &'static str,
        /// The rejected text.
        url: String,
        /// Why.
        reason: &'static str,
    },
    /// An owner that cannot name a team in every engine.
    #[error("{field} {owner:?} is not a team name: {reason}")]
    InvalidOwner {
        /// The field (`owner`).
        field: &'static str,
        /// The rejected text.
        owner: String,
        /// Why.
        reason: &'static str,
    },
}

/// An absolute `https://` (or `http://`) URL of a runbook: what the person paged reads first.
///
/// Checked as RFC 3986 asks of a URL in a document: a scheme of `http` or `https`, a host of
/// letters, digits, `-` and `.` (or an IPv6 literal in brackets), an optional port, then only
/// printable ASCII without spaces, quotes, angle brackets or backslashes (other characters
/// percent-encoded), at most [`MAX_RUNBOOK_URL`] bytes, no user name or password.
///
/// # Example
/// ```
/// use sli_core::RunbookUrl;
/// let url: RunbookUrl = "https://wiki.example.com/runbooks/checkout#5xx".parse()?;
/// assert_eq!(url.as_str(), "https://wiki.example.com/runbooks/checkout#5xx");
/// assert!("https://wiki.example.com/run books".parse::<RunbookUrl>().is_err());
/// assert!("ftp://wiki.example.com/x".parse::<RunbookUrl>().is_err());
/// # Ok::<(), sli_core::RoutingError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RunbookUrl(String);

impl RunbookUrl {
    /// Checks `url`.
    ///
    /// # Errors
    /// [`RoutingError::InvalidRunbook`] naming the field `runbook` and the reason.
    pub fn new(url: impl Into<String>) -> Result<Self, RoutingError> {
        let url = url.into();
        match check_url(&url) {
            Ok(()) => Ok(Self(url)),
            Err(reason) => Err(RoutingError::InvalidRunbook {
                field: "runbook",
                url,
                reason,
            }),
        }
    }

    /// The URL.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn check_url(url: &str) -> Result<(), &'static str> {
    if url.len() > MAX_RUNBOOK_URL {
        return Err("it is longer than 512 bytes");
    }
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return Err("it must start with https:// or http://");
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        return Err("a user name or password does not belong in a runbook link");
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = v6.split_once(']').ok_or("an IPv6 host lacks its ]")?;
        if inside.is_empty() || !inside.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return Err("the IPv6 host is not hexadecimal digits and colons");
        }
        (inside, after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    if !authority.starts_with('[')
        && (!host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            || host.starts_with(['.', '-'])
            || host.contains(".."))
    {
        return Err("the host must be letters, digits, '-' and '.'");
    }
    if let Some(port) = port
        && (port.is_empty()
            || port.len() > 5
            || !port.bytes().all(|b| b.is_ascii_digit())
            || port.parse::<u32>().map_or(true, |p| p == 0 || p > 65_535))
    {
        return Err("the port must be a number from 1 to 65535");
    }
    // RFC 3986: what may stand unencoded in a path, query and fragment (and `%` escapes).
    let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b);
    if let Some(bad) = tail.bytes().find(|&b| !allowed(b)) {
        return Err(match bad {
            b' ' => "it contains a space (write %20)",
            b if b.is_ascii_control() => "it contains a control character",
            b if !b.is_ascii() => "it contains a non-ASCII character (percent-encode it)",
            _ => "it contains a character a URL must percent-encode (\" < > \\ ^ ` { | })",
        });
    }
    Ok(())
}

impl FromStr for RunbookUrl {
    type Err = RoutingError;
    fn from_str(text: &str) -> Result<Self, RoutingError> {
        Self::new(text)
    }
}

impl TryFrom<String> for RunbookUrl {
    type Error = RoutingError;
    fn try_from(text: String) -> Result<Self, RoutingError> {
        Self::new(text)
    }
}

impl From<RunbookUrl> for String {
    fn from(url: RunbookUrl) -> Self {
        url.0
    }
}

impl fmt::Display for RunbookUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The team that owns an SLO or a failure mode: alerts are routed to it.
///
/// 1 to [`MAX_OWNER`] ASCII letters, digits, `-`, `_` and `.`, starting with a letter or a
/// digit, so that the same name is a valid Prometheus label value, part of an Alertmanager
/// receiver name and a CloudWatch tag value.
///
/// # Example
/// ```
/// use sli_core::Owner;
/// let team: Owner = "payments-sre".parse()?;
/// assert_eq!(team.to_string(), "payments-sre");
/// assert!("payments team".parse::<Owner>().is_err());
/// # Ok::<(), sli_core::RoutingError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Owner(String);

impl Owner {
    /// Checks `name`.
    ///
    /// # Errors
    /// [`RoutingError::InvalidOwner`] naming the field `owner` and the reason.
    pub fn new(name: impl Into<String>) -> Result<Self, RoutingError> {
        let name = name.into();
        let reason = if name.is_empty() {
            "it is empty"
        } else if name.len() > MAX_OWNER {
            "it is longer than 64 characters"
        } else if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            "it may hold only ASCII letters, digits, '-', '_' and '.'"
        } else if !name.as_bytes()[0].is_ascii_alphanumeric() {
            "it must start with a letter or a digit"
        } else {
            return Ok(Self(name));
        };
        Err(RoutingError::InvalidOwner {
            field: "owner",
            owner: name,
            reason,
        })
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Owner {
    type Err = RoutingError;
    fn from_str(text: &str) -> Result<Self, RoutingError> {
        Self::new(text)
    }
}

impl TryFrom<String> for Owner {
    type Error = RoutingError;
    fn try_from(text: String) -> Result<Self, RoutingError> {
        Self::new(text)
    }
}

impl From<Owner> for String {
    fn from(owner: Owner) -> Self {
        owner.0
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an alert goes and what its reader opens first: an owning team and a runbook, both
/// optional. An SLO spec carries one for its alarms and rules; a detector's finding can carry
/// one too, so that an SLO page and the findings behind it reach the same people.
///
/// # Example
/// ```
/// use sli_core::Routing;
/// let routing = Routing::new()
///     .with_owner("payments".parse()?)
///     .with_runbook("https://runbooks.example.com/checkout".parse()?);
/// assert_eq!(routing.owner.as_ref().map(|o| o.as_str()), Some("payments"));
/// let json = serde_json::to_string(&routing).unwrap();
/// assert_eq!(json, r#"{"runbook":"https://runbooks.example.com/checkout","owner":"payments"}"#);
/// // Deserialising checks the same rules as the constructors.
/// assert!(serde_json::from_str::<Routing>(r#"{"runbook":"see wiki"}"#).is_err());
/// # Ok::<(), sli_core::RoutingError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(deny_unknown_fields)]
pub struct Routing {
    /// The runbook to link from every notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook: Option<RunbookUrl>,
    /// The team the alerts go to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
}

impl Routing {
    /// No runbook, no owner: the engines' default receivers.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same routing with `runbook`.
    #[must_use]
    pub fn with_runbook(mut self, runbook: RunbookUrl) -> Self {
        self.runbook = Some(runbook);
        self
    }

    /// The same routing with `owner`.
    #[must_use]
    pub fn with_owner(mut self, owner: Owner) -> Self {
        self.owner = Some(owner);
        self
    }

    /// Whether neither a runbook nor an owner is set.
    pub fn is_empty(&self) -> bool {
        self.runbook.is_none() && self.owner.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_accepted_and_refused() {
        for ok in [
            "https://wiki.example.com",
            "http://10.0.0.1:8080/runbooks/a?b=c&d=%20e#f",
            "HTTPS://Example.COM/x",
            "https://[2001:db8::1]:443/x",
            "https://runbooks.example.com/checkout/5xx(old)",
        ] {
            assert!(RunbookUrl::new(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("", "https://"),
            ("wiki/checkout", "https://"),
            ("mailto:sre@example.com", "https://"),
            ("https://", "no host"),
            ("https:///path", "no host"),
            ("https://user:pw@example.com/x", "password"),
            ("https://exa mple.com/x", "host"),
            ("https://example.com:0/x", "port"),
            ("https://example.com:99999/x", "port"),
            ("https://example.com:/x", "port"),
            ("https://example.com/a b", "space"),
            ("https://example.com/a\nb", "control"),
            ("https://example.com/é", "non-ASCII"),
            ("https://example.com/<script>", "percent-encode"),
            ("https://[zz]/x", "IPv6"),
            ("https://-example.com", "host"),
        ] {
            let err = RunbookUrl::new(bad).unwrap_err();
            assert!(err.to_string().contains(why), "{bad}: {err}");
            assert!(
                matches!(&err, RoutingError::InvalidRunbook { field: "runbook", url, .. } if url == bad),
                "{bad}: {err}"
            );
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_RUNBOOK_URL));
        assert!(RunbookUrl::new(long).is_err());
    }

    #[test]
    fn owners_accepted_and_refused() {
        assert!(Owner::new("sre").is_ok());
        assert!(Owner::new("team_a.eu-1").is_ok());
        for bad in ["", "-sre", "a b", "équipe", &"x".repeat(65)] {
            assert!(
                matches!(
                    Owner::new(bad),
                    Err(RoutingError::InvalidOwner { field: "owner", .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn serde_gives_the_constructors_errors() {
        for (json, expected) in [
            (r#""not a url""#, RunbookUrl::new("not a url").unwrap_err()),
            (
                r#""https://a.example/ b""#,
                RunbookUrl::new("https://a.example/ b").unwrap_err(),
            ),
        ] {
            let err = serde_json::from_str::<RunbookUrl>(json).unwrap_err();
            assert_eq!(
                err.to_string().split(" at line").next(),
                Some(&*expected.to_string())
            );
        }
        let err = serde_json::from_str::<Owner>(r#""a b""#).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&Owner::new("a b").unwrap_err().to_string())
        );
    }
}
