//! F4 credential compromise: unusual IAM and API activity per principal, from CloudTrail
//! events.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use chrono::{DateTime, TimeDelta, Utc};
use sli_core::Severity;

use crate::detector::Detector;
use crate::error::{Error, Result, fraction, positive};
use crate::finding::{Evidence, Finding};
use crate::mode::FailureMode;
use aws_telemetry::{AuditEvent, Identity};

/// Settings of [`CredentialCompromise`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct CompromiseConfig {
    learning: TimeDelta,
    burst_multiple: f64,
    overall_multiple: f64,
    min_burst: u32,
    min_denied: u32,
    daily_decay: f64,
    idle_eviction: TimeDelta,
    max_principals: usize,
    severity: Severity,
}

crate::settings::settings!(CompromiseConfig {
    /// How long a principal is watched before its regions, volume and habits count as known (a
    /// week: every weekday and the weekend once).
    learning, with_learning: TimeDelta;
    /// An hour's calls are a burst when they exceed this multiple of the principal's busiest
    /// such hour (same hour of the day ± 1, weekday or weekend) …
    burst_multiple, with_burst_multiple: f64;
    /// … and this multiple of its busiest hour of all (a deploy role bursts at any hour; its
    /// bursts are its habit) …
    overall_multiple, with_overall_multiple: f64;
    /// … and number at least this many.
    min_burst, with_min_burst: u32;
    /// An hour's denied calls are a storm when they exceed `burst_multiple` × the principal's
    /// busiest hour of denials and number at least this many.
    min_denied, with_min_denied: u32;
    /// How much of a past peak survives each day (0.98: a peak halves in about five weeks, so
    /// a principal's habits follow its workload).
    daily_decay, with_daily_decay: f64;
    /// A principal not seen for this long is forgotten (and learned again if it comes back).
    idle_eviction, with_idle_eviction: TimeDelta;
    /// At most this many principals are kept; beyond, the longest idle are forgotten first.
    max_principals, with_max_principals: usize;
    /// Severity of every F4 finding (page: a security incident, by the [severity rule](crate#severities)).
    severity, with_severity: Severity;
});

impl Default for CompromiseConfig {
    fn default() -> Self {
        Self {
            learning: TimeDelta::days(7),
            burst_multiple: 3.0,
            overall_multiple: 1.5,
            min_burst: 100,
            min_denied: 20,
            daily_decay: 0.98,
            idle_eviction: TimeDelta::days(30),
            max_principals: 100_000,
            severity: Severity::Page,
        }
    }
}

/// Regions kept per principal: more than AWS has (a principal seen in more is reported for
/// each new one, but no more are stored).
pub const MAX_REGIONS: usize = 48;

/// The longest principal (ARN, or user name or key id without one) [`CredentialCompromise`]
/// keeps: 2,048 bytes, the longest ARN IAM allows. A longer one is refused
/// ([`Error::InvalidInput`] naming `identity` with the length): stored as a key, it would make
/// the detector's memory grow with the text of the records it reads.
pub const MAX_PRINCIPAL_BYTES: usize = 2048;

/// The longest region name [`CredentialCompromise`] keeps: 64 bytes (AWS's are under 20). A
/// longer one is refused ([`Error::InvalidInput`] naming `region` with the length).
pub const MAX_REGION_BYTES: usize = 64;

/// Known regions listed in a new-region finding's text: a finding's evidence stays small
/// however many regions the principal has used.
const REGIONS_SHOWN: usize = 5;

/// Services whose events CloudTrail records in us-east-1 whatever region the caller works in:
/// a first IAM call is not a new region.
const GLOBAL_SOURCES: [&str; 8] = [
    "iam.amazonaws.com",
    "sts.amazonaws.com",
    "signin.amazonaws.com",
    "organizations.amazonaws.com",
    "cloudfront.amazonaws.com",
    "route53.amazonaws.com",
    "support.amazonaws.com",
    "health.amazonaws.com",
];

/// Who the habits belong to: a role for its sessions (each CI run or instance is a new session
/// of the same role), else the identity's principal. A session named by its principal id
/// alone (`AROA…:session`, another account's role calling into this one) is its role's too.
fn principal_key(identity: &Identity) -> &str {
    let principal = identity.principal();
    if identity.kind == "AssumedRole"
        && let Some((role, _session)) = principal.rsplit_once('/')
        && role.contains(":assumed-role/")
    {
        return role;
    }
    if identity.principal_id.as_deref() == Some(principal)
        && principal.starts_with("AROA")
        && let Some((role, _session)) = principal.split_once(':')
    {
        return role;
    }
    principal
}

/// A small, fast, non-cryptographic hasher for principal keys (FxHash's multiply-rotate):
/// the map is keyed by ARNs the detector itself stores, and eviction bounds it, so a crafted
/// collision can slow it but not grow it.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Whole words read directly, the last partial one zero-padded: the same words as
        // copying each chunk into a zeroed word, without a call to `memcpy` a word.
        let mut words = bytes.chunks_exact(8);
        for word in words.by_ref() {
            let mut whole = [0u8; 8];
            whole.copy_from_slice(word);
            self.mix(u64::from_le_bytes(whole));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            // Little-endian, zero-padded: byte `i` at bits `8i..8i + 8`.
            let word = rest
                .iter()
                .enumerate()
                .fold(0u64, |word, (i, byte)| word | u64::from(*byte) << (8 * i));
            self.mix(word);
        }
    }

    // `str`'s `Hash` ends each key with this byte: one word, without the slice path.
    fn write_u8(&mut self, byte: u8) {
        self.mix(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl KeyHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type Keyed<V> = HashMap<Box<str>, V, BuildHasherDefault<KeyHasher>>;

/// What the detector remembers of a principal: about 300 bytes, whatever it does.
#[derive(Debug, Clone)]
struct Principal {
    first_seen: i64,
    last_seen: i64,
    /// The hour (since the epoch) being counted, and its calls and denials so far.
    hour: i64,
    calls: u32,
    denied: u32,
    /// The busiest hour seen at each hour of the day, weekdays then weekends (decayed daily).
    peaks: [f32; 48],
    /// The busiest hour of all, and of denials (decayed daily).
    busiest: f32,
    busiest_denied: f32,
    /// The day (since the epoch) the peaks were last decayed to.
    decayed_to: i64,
    /// What this hour's calls and denials must exceed to be a burst or a storm.
    burst_bar: f32,
    storm_bar: f32,
    regions: Vec<Box<str>>,
    mints_credentials: bool,
    burst_reported: bool,
    storm_reported: bool,
}

fn slot(hour: i64) -> usize {
    // 1970-01-01 was a Thursday: day 0 is weekday 3 (Monday = 0).
    let day = hour.div_euclid(24);
    let weekend = (day + 3).rem_euclid(7) >= 5;
    usize::from(weekend) * 24 + hour.rem_euclid(24) as usize
}

impl Principal {
    fn new(at: i64) -> Self {
        Self {
            first_seen: at,
            last_seen: at,
            hour: at.div_euclid(3600),
            calls: 0,
            denied: 0,
            peaks: [0.0; 48],
            busiest: 0.0,
            busiest_denied: 0.0,
            decayed_to: at.div_euclid(86_400),
            burst_bar: f32::INFINITY,
            storm_bar: f32::INFINITY,
            regions: Vec::new(),
            mints_credentials: false,
            burst_reported: false,
            storm_reported: false,
        }
    }

    /// Closes the counted hour into the peaks (unless it was reported: an incident is not a
    /// habit) and opens `hour`, with its bars.
    fn advance_to(&mut self, hour: i64, config: &CompromiseConfig) {
        if hour <= self.hour {
            return;
        }
        let closed = slot(self.hour);
        if !self.burst_reported {
            let calls = self.calls as f32;
            self.peaks[closed] = self.peaks[closed].max(calls);
            self.busiest = self.busiest.max(calls);
        }
        if !self.storm_reported {
            self.busiest_denied = self.busiest_denied.max(self.denied as f32);
        }
        let day = hour.div_euclid(24);
        if day > self.decayed_to {
            let keep = (config.daily_decay as f32).powi((day - self.decayed_to).min(3650) as i32);
            for peak in &mut self.peaks {
                *peak *= keep;
            }
            self.busiest *= keep;
            self.busiest_denied *= keep;
            self.decayed_to = day;
        }
        self.hour = hour;
        self.calls = 0;
        self.denied = 0;
        self.burst_reported = false;
        self.storm_reported = false;
        let now = slot(hour);
        let (half, base) = (now / 24 * 24, now % 24);
        let near = [23, 0, 1]
            .iter()
            .map(|d| self.peaks[half + (base + d) % 24])
            .fold(0.0f32, f32::max);
        let multiple = config.burst_multiple as f32;
        self.burst_bar = (multiple * near)
            .max(config.overall_multiple as f32 * self.busiest)
            .max(config.min_burst as f32 - 1.0);
        self.storm_bar = (multiple * self.busiest_denied).max(config.min_denied as f32 - 1.0);
    }
}

/// F4: a principal doing what it has not done before, each rule a security incident
/// ([`CompromiseConfig::severity`], a page).
///
/// After a principal has been seen for [`CompromiseConfig::learning`]:
/// * **new region**: a call in a region it never used;
/// * **burst**: its calls in the current hour exceed [`CompromiseConfig::burst_multiple`] × its
///   busiest hour at this hour of the day (± 1 hour; weekdays and weekends apart) and
///   [`CompromiseConfig::overall_multiple`] × its busiest hour of all, and number at least
///   [`CompromiseConfig::min_burst`]: its daily peak and a deploy role's bursts at any hour are
///   its habits, not bursts. Judged as events arrive, once per hour;
/// * **AccessDenied storm**: its denied calls this hour exceed `burst_multiple` × its busiest
///   hour of denials, and number at least [`CompromiseConfig::min_denied`];
/// * **unusual credential minting**: `CreateAccessKey`, `CreateLoginProfile` or
///   `UpdateLoginProfile` by a principal that never did so while learning.
///
/// Peaks are learned from every hour that was not reported (an incident does not become a
/// habit) and fade by [`CompromiseConfig::daily_decay`] a day. Principals named with
/// [`CredentialCompromise::with_known_deployers`] are never judged on volume (their other
/// rules still apply).
///
/// At any time, a successful `ConsoleLogin` of an IAM user or root whose record says MFA was
/// not used (federated sign-ins record `MFAUsed: No` by design; a failed sign-in is not a
/// sign-in, whatever its `MFAUsed`).
///
/// A role's sessions share one history (the session name is dropped from
/// `assumed-role/ROLE/SESSION`); events of global services (IAM, STS, sign-in, Organizations,
/// CloudFront, Route 53, Support, Health), which CloudTrail records in us-east-1, never count
/// as a new region. Calls made by AWS services (`userIdentity.type = AWSService`) and events AWS
/// generated (`eventType = AwsServiceEvent`) are ignored ([`AuditEvent::is_by_aws`]).
///
/// Bounded state: about 300 bytes per principal (48 hourly peaks, counters, at most
/// [`MAX_REGIONS`] regions), plus its ARN (at most [`MAX_PRINCIPAL_BYTES`]) and region names
/// (at most [`MAX_REGION_BYTES`] each; an event past either is refused); a principal idle for [`CompromiseConfig::idle_eviction`] is
/// forgotten, and at most [`CompromiseConfig::max_principals`] are kept (the longest idle go
/// first). A finding's text names at most five of the known regions.
///
/// Events must come in time order (equal times are fine). Evidence score: the multiple of the
/// bar for bursts and storms, 1 for rule matches.
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{AuditEvent, CredentialCompromise, Detector, Identity};
///
/// let ci = Identity::new("IAMUser").with_user_name("ci");
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// let mut events: Vec<_> = (0..24 * 10)
///     .map(|h| AuditEvent::new(t0 + Duration::hours(h), "s3.amazonaws.com", "PutObject",
///                              "eu-west-1", "198.51.100.4", ci.clone()))
///     .collect();
/// events.push(AuditEvent::new(t0 + Duration::days(10), "ec2.amazonaws.com", "RunInstances",
///                             "ap-southeast-2", "203.0.113.9", ci.clone()));
/// let findings = CredentialCompromise::new(Default::default())?.detect(events)?;
/// assert_eq!(findings.len(), 1);
/// assert!(findings[0].evidence.detail.contains("ap-southeast-2"));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CredentialCompromise {
    config: CompromiseConfig,
    principals: Keyed<Principal>,
    deployers: Vec<Box<str>>,
    last: Option<DateTime<Utc>>,
    /// The hour of the last sweep of idle principals.
    swept: i64,
}

impl CredentialCompromise {
    /// A detector with no history.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for a non-positive learning period, eviction age or cap,
    /// multiples below 1, or a decay outside (0, 1].
    pub fn new(config: CompromiseConfig) -> Result<Self> {
        positive("learning", config.learning.as_seconds_f64())?;
        positive("idle_eviction", config.idle_eviction.as_seconds_f64())?;
        positive("max_principals", config.max_principals as f64)?;
        fraction("daily_decay", config.daily_decay)?;
        for (field, value) in [
            ("burst_multiple", config.burst_multiple),
            ("overall_multiple", config.overall_multiple),
        ] {
            if !(value.is_finite() && value >= 1.0) {
                return Err(Error::InvalidConfig {
                    field,
                    value,
                    reason: "must be at least 1",
                });
            }
        }
        Ok(Self {
            config,
            principals: Keyed::default(),
            deployers: Vec::new(),
            last: None,
            swept: i64::MIN,
        })
    }

    /// The same detector, never judging these principals on volume: a CI or deploy role's
    /// bursts are its job. Each entry is a role name (`deploy`), a role or user ARN, or the
    /// principal as findings name it; new regions, credential minting and sign-ins without MFA
    /// are still reported for them.
    #[must_use]
    pub fn with_known_deployers<S: AsRef<str>>(
        mut self,
        principals: impl IntoIterator<Item = S>,
    ) -> Self {
        self.deployers
            .extend(principals.into_iter().map(|p| p.as_ref().into()));
        self
    }

    /// How many principals it remembers.
    pub fn principals(&self) -> usize {
        self.principals.len()
    }

    fn is_deployer(&self, key: &str) -> bool {
        self.deployers.iter().any(|d| {
            key == &**d
                || key
                    .strip_suffix(&**d)
                    .is_some_and(|rest| rest.ends_with('/'))
        })
    }

    /// Forgets principals idle for longer than the eviction age (once an hour of event time),
    /// and the longest idle when the cap is reached.
    fn evict(&mut self, now: i64) {
        let hour = now.div_euclid(3600);
        if hour != self.swept {
            self.swept = hour;
            let oldest = now - self.config.idle_eviction.num_seconds();
            self.principals.retain(|_, p| p.last_seen >= oldest);
        }
        if self.principals.len() >= self.config.max_principals {
            // Drop the longest idle tenth (at least one): amortised O(1) per new principal.
            let mut seen: Vec<i64> = self.principals.values().map(|p| p.last_seen).collect();
            let cut = (seen.len() / 10).max(1);
            let (_, threshold, _) = seen.select_nth_unstable(cut - 1);
            let threshold = *threshold;
            let mut dropped = 0;
            self.principals.retain(|_, p| {
                let keep = p.last_seen > threshold || dropped >= cut;
                dropped += usize::from(!keep);
                keep
            });
        }
    }

    /// Judges one event without taking it: the same as [`Detector::push`], for callers that
    /// keep their events (no copy is made).
    ///
    /// # Errors
    /// As [`Detector::push`].
    pub fn push_ref(&mut self, event: &AuditEvent) -> Result<Vec<Finding>> {
        let at = event.time;
        if let Some(previous) = self.last
            && at < previous
        {
            return Err(Error::OutOfOrder { previous, at });
        }
        let key = principal_key(&event.identity);
        for (field, length, max, reason) in [
            (
                "identity",
                key.len(),
                MAX_PRINCIPAL_BYTES,
                "a principal longer than MAX_PRINCIPAL_BYTES (IAM's longest ARN)",
            ),
            (
                "region",
                event.region.len(),
                MAX_REGION_BYTES,
                "a region name longer than MAX_REGION_BYTES",
            ),
        ] {
            if length > max {
                return Err(Error::InvalidInput {
                    field,
                    value: length as f64,
                    at,
                    reason,
                });
            }
        }
        self.last = Some(at);
        if event.is_by_aws() {
            return Ok(Vec::new());
        }
        let now = at.timestamp();
        let deployer = !self.deployers.is_empty() && self.is_deployer(key);
        let config = self.config;
        // Most events: a known principal, and no sweep due this hour. One lookup of its ARN.
        if now.div_euclid(3600) == self.swept
            && let Some(principal) = self.principals.get_mut(key)
        {
            return Ok(judge(principal, event, now, deployer, &config));
        }
        if !self.principals.contains_key(key) {
            self.evict(now);
            self.principals.insert(key.into(), Principal::new(now));
        } else if now.div_euclid(3600) != self.swept {
            self.evict(now);
        }
        let Some(principal) = self.principals.get_mut(key) else {
            return Ok(Vec::new());
        };
        Ok(judge(principal, event, now, deployer, &config))
    }
}

/// Judges one event of `principal` (its counters and habits updated first).
fn judge(
    principal: &mut Principal,
    event: &AuditEvent,
    now: i64,
    deployer: bool,
    config: &CompromiseConfig,
) -> Vec<Finding> {
    let at = event.time;
    principal.last_seen = now;
    principal.advance_to(now.div_euclid(3600), config);
    principal.calls = principal.calls.saturating_add(1);
    principal.denied = principal
        .denied
        .saturating_add(u32::from(event.is_access_denied()));
    let learned = now - principal.first_seen >= config.learning.num_seconds();
    let mut findings = Vec::new();
    let finding = |start: DateTime<Utc>, evidence: Evidence| {
        Finding::new(
            FailureMode::CredentialCompromise,
            config.severity,
            event.identity.principal(),
            start,
            at,
            evidence,
        )
    };

    // Federated and SSO sign-ins record MFAUsed = No (MFA happens at the identity
    // provider): the rule is for IAM users and root, as CIS's filter has it.
    if event.is_console_login_without_mfa()
        && matches!(event.identity.kind.as_str(), "IAMUser" | "Root")
    {
        findings.push(finding(
            at,
            rule(format!(
                "console sign-in without MFA from {}",
                event.source_ip
            )),
        ));
    }
    // Most events are in a known region: look before copying the name.
    let new_region = !principal.regions.iter().any(|r| **r == *event.region)
        && !GLOBAL_SOURCES.contains(&event.source.as_str());
    if new_region {
        if learned {
            let shown: Vec<&str> = principal
                .regions
                .iter()
                .take(REGIONS_SHOWN)
                .map(|r| &**r)
                .collect();
            let more = principal.regions.len().saturating_sub(REGIONS_SHOWN);
            findings.push(finding(
                at,
                rule(format!(
                    "{} in {}, a region this principal has not used before (known: {}{})",
                    event.name,
                    event.region,
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                )),
            ));
        }
        if principal.regions.len() < MAX_REGIONS {
            principal.regions.push(event.region.as_str().into());
        }
    }
    if event.creates_credentials() && event.error_code.is_none() {
        if learned && !principal.mints_credentials {
            findings.push(finding(
                at,
                rule(format!(
                    "{} by a principal that did not create credentials while learning",
                    event.name
                )),
            ));
        }
        principal.mints_credentials = true;
    }
    if learned {
        // Only a burst or a storm needs it: worked out when one is found.
        let hour_start = |principal: &Principal| {
            DateTime::from_timestamp(principal.hour * 3600, 0).unwrap_or(at)
        };
        if !deployer && !principal.burst_reported && principal.calls as f32 > principal.burst_bar {
            principal.burst_reported = true;
            findings.push(finding(
                hour_start(principal),
                volume(
                    principal.calls,
                    principal.burst_bar,
                    "calls",
                    "usual for this hour",
                ),
            ));
        }
        if !principal.storm_reported && principal.denied as f32 > principal.storm_bar {
            principal.storm_reported = true;
            findings.push(finding(
                hour_start(principal),
                volume(
                    principal.denied,
                    principal.storm_bar,
                    "denied calls",
                    "its busiest hour of denials",
                ),
            ));
        }
    }
    findings
}

fn rule(detail: String) -> Evidence {
    Evidence {
        observed: 1.0,
        baseline: 0.0,
        threshold: 1.0,
        score: 1.0,
        detail,
    }
}

fn volume(observed: u32, bar: f32, what: &str, against: &str) -> Evidence {
    let bar = f64::from(bar).max(0.0);
    Evidence {
        observed: f64::from(observed),
        baseline: bar,
        threshold: bar,
        score: f64::from(observed) / bar.max(1.0),
        detail: format!("{observed} {what} this hour, more than the {bar:.0} {against} allows"),
    }
}

impl Detector for CredentialCompromise {
    type Input = AuditEvent;

    fn mode(&self) -> FailureMode {
        FailureMode::CredentialCompromise
    }

    fn push(&mut self, event: AuditEvent) -> Result<Vec<Finding>> {
        self.push_ref(&event)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The hasher as it was first written: each chunk of 8 bytes copied into a zeroed word.
    fn hash_by_copied_chunks(mut state: u64, bytes: &[u8]) -> u64 {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            state = (state.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
        state
    }

    #[test]
    fn key_hasher_mixes_the_same_words_as_copied_chunks() {
        use std::hash::{BuildHasher, Hasher};
        // The map's iteration order (which principals an eviction at the cap drops first among
        // equally idle ones) follows the hash values: they must not change.
        let arn = "arn:aws:sts::123456789012:assumed-role/deploy-é/i-0abc";
        for end in 0..=arn.len() {
            let bytes = &arn.as_bytes()[..end];
            let mut hasher = KeyHasher::default();
            hasher.write(bytes);
            assert_eq!(
                hasher.finish(),
                hash_by_copied_chunks(0, bytes),
                "{end} bytes"
            );
        }
        // A `str` key: its bytes, then the 0xff that `Hash for str` appends.
        for key in ["", "ci", "arn:aws:iam::123456789012:user/alice", arn] {
            let expected = hash_by_copied_chunks(hash_by_copied_chunks(0, key.as_bytes()), &[0xff]);
            let hashed = BuildHasherDefault::<KeyHasher>::default().hash_one(key);
            assert_eq!(hashed, expected, "{key}");
        }
    }

    fn at(hour: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap() + TimeDelta::hours(hour)
    }

    fn role(session: &str) -> Identity {
        Identity::new("AssumedRole")
            .with_arn(format!("arn:aws:sts::1:assumed-role/deploy/{session}"))
    }

    #[test]
    fn role_sessions_share_a_history_and_global_services_are_not_regions() {
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
        let mut findings = Vec::new();
        for hour in 0..24 * 8 {
            let who = role(&format!("run-{hour}"));
            let event = AuditEvent::new(
                at(hour),
                "s3.amazonaws.com",
                "GetObject",
                "eu-west-1",
                "10.0.0.1",
                who,
            );
            findings.extend(f4.push(event).unwrap());
        }
        assert_eq!(f4.principals(), 1);
        // A first IAM call, logged in us-east-1, by a learned role: not a new region.
        let iam = AuditEvent::new(
            at(24 * 8),
            "iam.amazonaws.com",
            "GetRole",
            "us-east-1",
            "10.0.0.1",
            role("x"),
        );
        findings.extend(f4.push(iam).unwrap());
        assert!(findings.is_empty(), "{findings:?}");
        // A new session calling EC2 in a new region: the role's history applies.
        let ec2 = AuditEvent::new(
            at(24 * 8 + 1),
            "ec2.amazonaws.com",
            "RunInstances",
            "sa-east-1",
            "203.0.113.1",
            role("y"),
        );
        let found = f4.push(ec2).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].subject, "arn:aws:sts::1:assumed-role/deploy/y");
    }

    #[test]
    fn federated_sign_in_without_mfa_is_not_flagged_but_an_iam_user_is() {
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
        let login = |who: Identity| {
            AuditEvent::new(
                at(1),
                "signin.amazonaws.com",
                "ConsoleLogin",
                "us-east-1",
                "192.0.2.9",
                who,
            )
            .with_mfa(false)
        };
        assert!(
            f4.push(login(role("alice@example.com")))
                .unwrap()
                .is_empty()
        );
        let user = Identity::new("IAMUser").with_user_name("bob");
        assert_eq!(f4.push(login(user)).unwrap().len(), 1);
    }
}

#[cfg(test)]
mod bound_tests {
    use super::*;
    use chrono::TimeZone;

    fn user(name: &str) -> Identity {
        Identity::new("IAMUser").with_arn(format!("arn:aws:iam::1:user/{name}"))
    }

    /// Issue 17: new-region findings listed every region seen so far (60,000 events gave
    /// 14.5 GB of finding text), and every principal was kept forever (about 650 B each).
    #[test]
    fn evidence_and_principals_are_bounded() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let mut f4 = CredentialCompromise::new(CompromiseConfig {
            learning: TimeDelta::hours(1),
            ..CompromiseConfig::default()
        })
        .unwrap();
        let who = user("mallory");
        let mut text = 0;
        let mut findings = 0;
        for i in 0..60_000i64 {
            let event = AuditEvent::new(
                t0 + TimeDelta::seconds(2 * 3600 + i),
                "ec2.amazonaws.com",
                "DescribeInstances",
                format!("xx-region-{i}"),
                "203.0.113.1",
                who.clone(),
            );
            for f in f4.push(event).unwrap() {
                text += f.evidence.detail.len();
                findings += 1;
            }
        }
        // Every new region after the hour of learning is still a finding, each a short
        // sentence.
        assert_eq!(findings, 60_000 - 3600);
        assert!(text / findings < 200, "{} bytes a finding", text / findings);
        assert!(
            f4.principals
                .values()
                .all(|p| p.regions.len() <= MAX_REGIONS)
        );

        // Idle principals are forgotten after the eviction age; the cap holds at all times.
        let mut f4 = CredentialCompromise::new(CompromiseConfig {
            max_principals: 1000,
            ..CompromiseConfig::default()
        })
        .unwrap();
        for i in 0..5000i64 {
            let event = AuditEvent::new(
                t0 + TimeDelta::seconds(i),
                "s3.amazonaws.com",
                "GetObject",
                "eu-west-1",
                "10.0.0.1",
                user(&format!("u{i}")),
            );
            f4.push(event).unwrap();
            assert!(f4.principals() <= 1000);
        }
        let later = AuditEvent::new(
            t0 + TimeDelta::days(31),
            "s3.amazonaws.com",
            "GetObject",
            "eu-west-1",
            "10.0.0.1",
            user("late"),
        );
        f4.push(later).unwrap();
        assert_eq!(f4.principals(), 1);
    }

    #[test]
    fn a_failed_sign_in_without_mfa_is_not_a_sign_in_without_mfa() {
        let mut f4 = CredentialCompromise::new(CompromiseConfig::default()).unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 3, 0, 0).unwrap();
        let login = AuditEvent::new(
            t0,
            "signin.amazonaws.com",
            "ConsoleLogin",
            "us-east-1",
            "203.0.113.5",
            user("bob"),
        )
        .with_mfa(false);
        let failed = login
            .clone()
            .with_sign_in(aws_telemetry::SignInOutcome::Failure);
        assert!(f4.push(failed).unwrap().is_empty());
        let success = login.with_sign_in(aws_telemetry::SignInOutcome::Success);
        assert_eq!(f4.push(success).unwrap().len(), 1);
    }

    #[test]
    fn a_known_deployer_bursts_freely_and_others_do_not() {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let deploy = |session: &str| {
            Identity::new("AssumedRole")
                .with_arn(format!("arn:aws:sts::1:assumed-role/deploy/{session}"))
        };
        let run = |f4: CredentialCompromise| {
            let mut f4 = f4;
            let mut found = Vec::new();
            for h in 0..24 * 10 {
                // Ten calls an hour for ten days, then a deploy of 2,000 calls in an hour.
                let calls = if h == 24 * 9 + 3 { 2000 } else { 10 };
                for c in 0..calls {
                    let at = t0 + TimeDelta::hours(h) + TimeDelta::seconds(c);
                    let event = AuditEvent::new(
                        at,
                        "cloudformation.amazonaws.com",
                        "DescribeStacks",
                        "eu-west-1",
                        "198.51.100.2",
                        deploy("run"),
                    );
                    found.extend(f4.push(event).unwrap());
                }
            }
            found
        };
        let plain = run(CredentialCompromise::new(CompromiseConfig::default()).unwrap());
        assert_eq!(plain.len(), 1, "{plain:?}");
        assert!(
            plain[0].evidence.detail.contains("calls this hour"),
            "{plain:?}"
        );
        let allowed = run(CredentialCompromise::new(CompromiseConfig::default())
            .unwrap()
            .with_known_deployers(["deploy"]));
        assert!(allowed.is_empty(), "{allowed:?}");
    }
}
