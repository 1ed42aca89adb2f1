//! F4's known deployers
//! ([`CredentialCompromise::with_known_deployers`](super::CredentialCompromise::with_known_deployers)),
//! held for lookup by hash.

use super::principal::Keyed;

/// The known deployers, held so that checking an event's principal takes at most four hash
/// lookups however many are listed: checked one entry at a time, 20,000 entries made 20,000
/// events take 140 s in a debug build (a hostile-input probe, 2026-12-07). What covers what
/// is [`Deployers::covers`]'s.
#[derive(Debug, Clone, Default)]
pub(super) struct Deployers {
    /// Every entry as given: the principal keyed by one is covered (an IAM user only by an
    /// entry with an ARN's colons), and a bare name (no colon) is a role's name.
    named: Keyed<()>,
    /// The entries that are role ARNs (`arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`), by the
    /// role's name, then its account: the partitions listed for that name and account (one,
    /// in practice; `None` for a prefix without a colon).
    roles: Keyed<Keyed<Vec<Option<Box<str>>>>>,
}

impl Deployers {
    pub(super) fn is_empty(&self) -> bool {
        self.named.is_empty()
    }

    /// Lists `entry`.
    pub(super) fn insert(&mut self, entry: &str) {
        if let Some((prefix, path_and_name)) = entry.split_once(":role/") {
            // Session ARNs drop the role's path: the name is its last part.
            let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
            let (partition, account) = partition_and_account(prefix);
            let partitions = self
                .roles
                .entry(name.into())
                .or_default()
                .entry(account.into())
                .or_default();
            if !partitions.iter().any(|p| p.as_deref() == partition) {
                partitions.push(partition.map(Into::into));
            }
        }
        self.named.insert(entry.into(), ());
    }

    /// Whether an entry covers the principal `key` (`role_session`: the event's identity is a
    /// role's session, see [`is_role_session`]): the same name, but a bare name (a role's) only
    /// a role's session, never another kind recorded without an ARN and keyed by a name (an IAM
    /// or federated user, a SAML or web identity user, an Identity Center user: anyone who may
    /// create one could name it after a deploy role); or, for the key of a role's sessions
    /// (`arn:PARTITION:sts::ACCOUNT:assumed-role/NAME`), a bare role name `NAME` or the role's
    /// ARN in the same partition and account.
    pub(super) fn covers(&self, key: &str, role_session: bool) -> bool {
        if self.named.contains_key(key) {
            // A key with a colon only equals an entry with one: an ARN, which names its kind.
            return role_session || key.contains(':');
        }
        let Some((session_prefix, role)) = key.split_once(":assumed-role/") else {
            return false;
        };
        if !role.contains(':') && self.named.contains_key(role) {
            return true;
        }
        let (partition, account) = partition_and_account(session_prefix);
        self.roles
            .get(role)
            .and_then(|accounts| accounts.get(account))
            .is_some_and(|partitions| partitions.iter().any(|p| p.as_deref() == partition))
    }
}

/// `true` for a role's session (`AssumedRole`), the one kind a bare deployer name (a role's
/// name) covers when it is recorded without an ARN.
pub(super) fn is_role_session(identity: &aws_telemetry::Identity) -> bool {
    identity.kind == "AssumedRole"
}

/// The partition and the account of an ARN's prefix (`arn:aws:iam::111122223333`): the
/// second field, and the last (the whole prefix when it has no colon).
fn partition_and_account(prefix: &str) -> (Option<&str>, &str) {
    let account = prefix.rsplit(':').next().unwrap_or(prefix);
    (prefix.split(':').nth(1), account)
}
