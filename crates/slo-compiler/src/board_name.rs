//! Dashboard names (CloudWatch) and uids (Grafana) the engines accept, for any service name.
//!
//! Both take ASCII letters, digits, `-` and `_` only: CloudWatch up to 255 characters
//! (PutDashboard's `DashboardName`), Grafana up to 40 (its `util.IsValidShortUID`, checked on
//! import and by the HTTP API). Valid OpenSLO service names (RFC 1123 labels, up to 63
//! characters) often exceed what is left of 40 after a prefix and a board's kind, and a
//! service named in another alphabet or with a `.` fits neither, so a name that would not fit
//! is derived: its characters the engine refuses become `-`, it is cut to fit, and 8
//! hexadecimal digits of a fixed hash of the whole name keep two names that share their
//! beginning apart. A name that fits as it is keeps the plain `{head}{service}-{kind}`.

/// The longest uid Grafana accepts.
pub(crate) const MAX_GRAFANA_UID: usize = 40;

/// The longest dashboard name CloudWatch accepts.
pub(crate) const MAX_CLOUDWATCH_NAME: usize = 255;

/// The part of a uid a derived service name ends with: `-` and 8 hexadecimal digits.
const HASH_SUFFIX: usize = 9;

fn is_uid_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Why `name` is not a dashboard name the engine accepts (at most `max` characters, each an
/// ASCII letter, digit, `-` or `_`), or `None` when it is one: for names built by hand.
pub(crate) fn name_problem(name: &str, max: usize) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.len() > max {
        Some("is too long")
    } else if !name.chars().all(is_uid_char) {
        Some("holds a character other than ASCII letters, digits, '-' and '_'")
    } else {
        None
    }
}

/// The name of `service`'s `kind` board, `{head}{service}-{kind}` in at most `max`
/// characters, or the plain name when `head` leaves no room for one (or holds a character
/// the engines refuse).
pub(crate) fn dashboard_name(
    head: &str,
    service: &str,
    kind: &str,
    max: usize,
) -> Result<String, String> {
    let plain = format!("{head}{service}-{kind}");
    if plain.len() <= max && plain.chars().all(is_uid_char) {
        return Ok(plain);
    }
    if !head.chars().all(is_uid_char) {
        return Err(plain);
    }
    // head, at least one character of the service, the hash, '-', kind.
    let room = max
        .checked_sub(head.len() + HASH_SUFFIX + 1 + kind.len())
        .filter(|&room| room > 0)
        .ok_or_else(|| plain.clone())?;
    let mut readable: String = service
        .chars()
        .map(|c| if is_uid_char(c) { c } else { '-' })
        .take(room)
        .collect();
    // `payments-` then `-b525…` would read `payments--b525…`.
    while readable.len() > 1 && readable.ends_with('-') {
        readable.pop();
    }
    Ok(format!(
        "{head}{readable}-{:08x}-{kind}",
        fnv1a(service.as_bytes()) as u32
    ))
}

/// FNV-1a, 64 bits: fixed by its definition, so a uid stays the same across Rust releases
/// and runs (std's hashers promise neither).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dashboard_uid(prefix: &str, service: &str, kind: &str) -> Result<String, String> {
        dashboard_name(&format!("{prefix}-"), service, kind, MAX_GRAFANA_UID)
    }

    #[test]
    fn a_name_that_fits_keeps_the_plain_uid() {
        assert_eq!(
            dashboard_uid("slo", "checkout", "executive").as_deref(),
            Ok("slo-checkout-executive")
        );
    }

    #[test]
    fn a_derived_uid_is_stable() {
        // Users link to dashboards by uid: a change here moves every such link.
        assert_eq!(
            dashboard_uid("slo", "payments-authorization-gateway", "executive").as_deref(),
            Ok("slo-payments-authoriz-b5252971-executive")
        );
    }

    #[test]
    fn fnv1a_matches_its_published_vectors() {
        // From the FNV reference test suite (draft-eastlake-fnv, fnv1a64 of "" and "a").
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn long_and_foreign_names_get_a_valid_distinct_uid() {
        let names = [
            "payments-authorization-gateway-eu-west-1",
            "payments-authorization-gateway-eu-west-2",
            "checkout.api v2",
            "checkout-api-v2",
            "zahlungsdienst-über-alles",
            &"x".repeat(63),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for name in names {
            for kind in ["executive", "oncall", "debug"] {
                let uid = dashboard_uid("slo", name, kind).unwrap();
                assert!(uid.len() <= MAX_GRAFANA_UID, "{uid}");
                assert!(uid.chars().all(is_uid_char), "{uid}");
                assert!(uid.starts_with("slo-") && uid.ends_with(kind), "{uid}");
                assert!(seen.insert(uid.clone()), "{uid} twice");
            }
        }
    }

    #[test]
    fn a_cloudwatch_name_keeps_all_it_can_of_the_service() {
        let name = |service: &str| dashboard_name("", service, "oncall", MAX_CLOUDWATCH_NAME);
        assert_eq!(name("checkout").as_deref(), Ok("checkout-oncall"));
        let dotted = name("checkout.api").unwrap();
        assert!(
            dotted.starts_with("checkout-api-") && dotted.ends_with("-oncall"),
            "{dotted}"
        );
        assert_ne!(dotted, name("checkout-api").unwrap());
        let long = name(&"s".repeat(300)).unwrap();
        assert_eq!(long.len(), MAX_CLOUDWATCH_NAME, "{long}");
    }

    #[test]
    fn a_prefix_leaving_no_room_is_refused() {
        assert!(dashboard_uid("slo.x", "checkout", "debug").is_err());
        // 19 + '-' + one character + '-' + 8 digits + '-' + "executive" = 40.
        assert!(dashboard_uid(&"p".repeat(20), "payments-authorization", "executive").is_err());
        let tight = dashboard_uid(&"p".repeat(19), "payments-authorization", "executive").unwrap();
        assert_eq!(tight.len(), MAX_GRAFANA_UID, "{tight}");
    }
}
