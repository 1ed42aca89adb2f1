//! F4 credential compromise: unusual IAM and API activity per principal, from CloudTrail
//! events.

use chrono::{DateTime, NaiveDate, TimeDelta, Timelike, Utc};
use sli_core::Severity;

use crate::detector::Detector;
use crate::error::{Error, Result, fraction, positive};
use crate::finding::{Evidence, Finding};
use crate::mode::FailureMode;
use aws_telemetry::{AuditEvent, AuditSource, TimeRange};
use deployers::Deployers;
use principal::{Dormant, Keyed, Principal, principal_key};

mod deployers;
mod principal;
#[cfg(test)]
mod tests;

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
    /// A principal not seen for this long is forgotten but for its regions and whether it
    /// minted credentials. If it comes back after those were learned, a new region or
    /// credential minting is reported at once (a departed person's key used from a region its
    /// owner never used), while its volume is learned again for
    /// [`learning`](Self::learning): its hourly habits are gone, so a burst on its return is
    /// not judged.
    idle_eviction, with_idle_eviction: TimeDelta;
    /// At most this many principals are kept, and at most this many forgotten ones' regions;
    /// a new one beyond makes the longest idle be forgotten first (never the one whose event
    /// is being judged), and past as many forgotten ones the least recently seen go first
    /// (a key unused for longest, a departed person's among them).
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
/// Peaks are learned from every hour once it is over, a reported one too (the page has told
/// someone; a habit that changes for good pages once, not every day), and fade by
/// [`CompromiseConfig::daily_decay`] a day: a burst is judged against what the principal did
/// before it, never against itself. Principals named with
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
/// first). Of a forgotten principal its ARN, regions and credential minting are kept (at
/// most `max_principals` of them, the least recently seen dropped first): back, it is judged
/// for a new region or credential minting from when it was first seen, as if never
/// forgotten, and learned again for volume. A finding's text names at most five of the known
/// regions. The known deployers
/// are kept as given (see [`CredentialCompromise::with_known_deployers`]) and looked up by
/// hash: an event costs the same with 20,000 of them as with none.
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
    /// Principals forgotten, by key: at most `max_principals`, the least recently seen dropped
    /// first.
    dormant: Keyed<Dormant>,
    deployers: Deployers,
    last: Option<DateTime<Utc>>,
    /// The day of the last event judged and the timestamp of its midnight: events come in
    /// time order, so most fall on the day of the one before, whose timestamp is then its
    /// midnight's plus the seconds since (working it out from the date was about 26 of an
    /// event's 470 instructions).
    day: Option<(NaiveDate, i64)>,
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
            dormant: Keyed::default(),
            deployers: Deployers::default(),
            last: None,
            day: None,
            swept: i64::MIN,
        })
    }

    /// The same detector, never judging these principals on volume: a CI or deploy role's
    /// bursts are its job. Each entry is a role name (`deploy`: that role's sessions in any
    /// account), a role ARN (`arn:aws:iam::111122223333:role/ci/deploy`: that role's sessions
    /// in that account), or any principal's ARN as findings name it (a user's, a federated
    /// user's); new regions, credential minting and sign-ins without MFA are still reported for
    /// them. An entry without a colon is a role's name and covers a role's sessions only, never
    /// another principal keyed by that text when recorded without an ARN: not a user of the
    /// same name (IAM, federated, SAML, web identity or Identity Center: anyone who may create
    /// such a user chooses its name, and could otherwise name one after a deploy role and go
    /// unjudged), nor another account's caller keyed by its principal id or account. Those are
    /// always judged on volume.
    ///
    /// The list is configuration, not state learned from events: it is kept whole, however
    /// long (each entry's text and a hash slot; a role ARN's name, account and partition
    /// again, in small maps of their own: a few hundred bytes an entry at most beside its
    /// text), and an event's principal is checked against it by at most four hash lookups,
    /// whatever its length.
    #[must_use]
    pub fn with_known_deployers<S: AsRef<str>>(
        mut self,
        principals: impl IntoIterator<Item = S>,
    ) -> Self {
        for principal in principals {
            self.deployers.insert(principal.as_ref());
        }
        self
    }

    /// Reads the events of `range` from `source` and judges those after the last event the
    /// detector took: what [`run`](crate::run) is for the metric detectors.
    ///
    /// Runs can overlap, as a scheduler reading the last hour every few minutes makes them:
    /// events at or before the last one taken were in an earlier run's range (a range holds
    /// every event of its seconds) and are skipped. An event that reaches the source only
    /// after a later one was judged is skipped too, since a detector is fed in time order:
    /// CloudTrail delivers an event within about 15 minutes of it, so end each range 15
    /// minutes before now. A range that ends at or before the last event taken is an error
    /// ([`Error::RangeBehind`]): its events can no longer be judged. A run is all or nothing:
    /// every new event is checked (its order, its principal's and region's lengths) before the
    /// first is taken, so an error leaves the detector as it was.
    ///
    /// # Errors
    /// [`Error::RangeBehind`] for a range that ends at or before the last event taken;
    /// [`Error::Events`] when the source fails; [`Error::OutOfOrder`] for events it returns
    /// out of time order; [`Error::InvalidInput`] as [`Detector::push`].
    ///
    /// # Example
    /// ```
    /// use failure_modes::aws_telemetry::InMemoryAuditSource;
    /// use failure_modes::chrono::{Duration, TimeZone, Utc};
    /// use failure_modes::{AuditEvent, CredentialCompromise, Identity, TimeRange};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap();
    /// let source = InMemoryAuditSource::new();
    /// source.extend((0..120).map(|m| {
    ///     let who = Identity::new("IAMUser").with_arn("arn:aws:iam::123456789012:user/ci");
    ///     let at = t0 + Duration::minutes(m);
    ///     AuditEvent::new(at, "s3.amazonaws.com", "GetObject", "us-east-1", "10.0.0.1", who)
    /// }));
    /// let mut f4 = CredentialCompromise::new(Default::default())?;
    /// // The last hour, every 15 minutes: each event is judged once.
    /// for end in [60, 75, 90, 105, 120] {
    ///     let range = TimeRange::new(t0 + Duration::minutes(end - 60), t0 + Duration::minutes(end))?;
    ///     assert!(f4.run(&source, range).await?.is_empty());
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// # }).unwrap();
    /// ```
    pub async fn run<S>(&mut self, source: &S, range: TimeRange) -> Result<Vec<Finding>>
    where
        S: AuditSource + ?Sized,
    {
        crate::detector::not_behind(self.last, &range)?;
        let events = source.events(&range).await?;
        let mut previous = None;
        let mut new = Vec::with_capacity(events.len());
        for event in &events {
            if let Some(previous) = previous
                && event.time < previous
            {
                return Err(Error::OutOfOrder {
                    previous,
                    at: event.time,
                });
            }
            previous = Some(event.time);
            if self.last.is_some_and(|last| event.time <= last) {
                continue;
            }
            check_fields(event)?;
            new.push(event);
        }
        let mut findings = Vec::new();
        for event in new {
            findings.extend(self.push_ref(event)?);
        }
        Ok(findings)
    }

    /// How many principals it remembers.
    pub fn principals(&self) -> usize {
        self.principals.len()
    }

    /// Forgets principals idle for longer than the eviction age: run once an hour of event
    /// time, before the hour's first event is judged. That event's own principal may be among
    /// them: it then comes back at once, as any returning principal does.
    fn sweep_idle(&mut self, now: i64) {
        self.swept = now.div_euclid(3600);
        let oldest = now - self.config.idle_eviction.num_seconds();
        let idle: Vec<(Box<str>, Principal)> = self
            .principals
            .extract_if(|_, p| p.last_seen < oldest)
            .collect();
        self.forget(idle);
    }

    /// Keeps what [`Dormant`] holds of `forgotten` principals, within the cap of
    /// `max_principals` dormant ones: past it, the least recently seen are dropped (ties by
    /// name, so that the map's seeded order decides nothing) down to nine tenths of the cap,
    /// so that a trim, O(forgotten ones), comes at most once per tenth of the cap forgotten.
    fn forget(&mut self, forgotten: Vec<(Box<str>, Principal)>) {
        for (key, principal) in forgotten {
            self.dormant.insert(key, principal.into_dormant());
        }
        let cap = self.config.max_principals;
        if self.dormant.len() > cap {
            let excess = self.dormant.len() - (cap - cap / 10);
            let mut seen: Vec<(i64, &str)> = self
                .dormant
                .iter()
                .map(|(key, d)| (d.last_seen, &**key))
                .collect();
            let (_, &mut (last_seen, name), _) = seen.select_nth_unstable(excess - 1);
            let last_dropped: (i64, Box<str>) = (last_seen, name.into());
            drop(seen);
            self.dormant
                .retain(|key, d| (d.last_seen, &**key) > (last_dropped.0, &*last_dropped.1));
        }
    }

    /// Makes room for one more principal at the cap: run only before a principal is added,
    /// so the one being added is not yet in the map and cannot be dropped, and an event of a
    /// known principal never makes the detector forget others (it did, and dropped the event
    /// of the principal it forgot).
    fn make_room(&mut self) {
        if self.principals.len() >= self.config.max_principals {
            // Drop the longest idle tenth (at least one): amortised O(1) per new principal.
            // Among equally idle ones the first names go, so what is dropped never depends on
            // the map's seeded order.
            let mut seen: Vec<(i64, &str)> = self
                .principals
                .iter()
                .map(|(key, p)| (p.last_seen, &**key))
                .collect();
            let cut = (seen.len() / 10).max(1);
            let (_, &mut (idle_since, name), _) = seen.select_nth_unstable(cut - 1);
            let last_dropped: (i64, Box<str>) = (idle_since, name.into());
            drop(seen);
            let dropped: Vec<(Box<str>, Principal)> = self
                .principals
                .extract_if(|key, p| (p.last_seen, &**key) <= (last_dropped.0, &*last_dropped.1))
                .collect();
            self.forget(dropped);
        }
    }

    /// `at.timestamp()`, from the last event's day when `at` falls on it.
    #[inline]
    fn timestamp(&mut self, at: DateTime<Utc>) -> i64 {
        let naive = at.naive_utc();
        let (date, time) = (naive.date(), naive.time());
        let since_midnight = i64::from(time.num_seconds_from_midnight());
        match self.day {
            Some((day, midnight)) if day == date => midnight + since_midnight,
            _ => {
                let now = at.timestamp();
                self.day = Some((date, now - since_midnight));
                now
            }
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
        let key = check_fields(event)?;
        self.last = Some(at);
        if event.is_by_aws() {
            return Ok(Vec::new());
        }
        let now = self.timestamp(at);
        let deployer = !self.deployers.is_empty()
            && self
                .deployers
                .covers(key, deployers::is_role_session(&event.identity));
        if now.div_euclid(3600) != self.swept {
            self.sweep_idle(now);
        }
        // Most events: a known principal, found by one lookup of its ARN (the only one in the
        // function, which lets it be inlined). Every event is judged: a principal the sweep
        // just forgot is back with its regions (a returning principal's sign-in without MFA
        // was once dropped with it), one never seen is learned from this event.
        let principal = match self.principals.get_mut(key) {
            Some(principal) => principal,
            None => {
                // Taken before room is made: making room may trim the forgotten ones.
                let principal = match self.dormant.remove(key) {
                    Some(dormant) => Principal::returning(now, dormant),
                    None => Principal::new(now),
                };
                self.make_room();
                self.principals.entry(key.into()).or_insert(principal)
            }
        };
        Ok(judge(principal, event, now, deployer, &self.config))
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
    // Regions and minting are learned from the first sighting, before any forgetting.
    let knows_regions = now - principal.regions_since >= config.learning.num_seconds();
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
        if knows_regions {
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
        if knows_regions && !principal.mints_credentials {
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
        // The bar rounded down: the count is above the bar, so above its floor too (rounded to
        // the nearest, 3,891.6 read "3892 calls, more than the 3892 usual").
        detail: format!(
            "{observed} {what} this hour, more than the {:.0} {against} allows",
            bar.floor()
        ),
    }
}

/// The event's principal key, or the error that refuses the event: a principal or a region
/// longer than the detector keeps.
fn check_fields(event: &AuditEvent) -> Result<&str> {
    let key = principal_key(&event.identity);
    // Checked in place (a table of the two bounds was built on the stack for every event).
    let refuse = |field, length: usize, reason| {
        Err(Error::InvalidInput {
            field,
            value: length as f64,
            at: event.time,
            reason,
        })
    };
    if key.len() > MAX_PRINCIPAL_BYTES {
        return refuse(
            "identity",
            key.len(),
            "a principal longer than MAX_PRINCIPAL_BYTES (IAM's longest ARN)",
        );
    }
    if event.region.len() > MAX_REGION_BYTES {
        return refuse(
            "region",
            event.region.len(),
            "a region name longer than MAX_REGION_BYTES",
        );
    }
    if event.region.is_empty() {
        // Every CloudTrail record names its region; an empty one would be learnt and paged
        // as a new region named "".
        return refuse(
            "region",
            0,
            "is empty (every CloudTrail record names its region)",
        );
    }
    Ok(key)
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
