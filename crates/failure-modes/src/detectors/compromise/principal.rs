//! What F4 remembers of a principal (its hourly peaks, regions and bars), the key it is
//! remembered by, and the map that holds them.

use std::collections::HashMap;

use aws_telemetry::Identity;

use super::CompromiseConfig;

/// Who the habits belong to: a role for its sessions (each CI run or instance is a new session
/// of the same role), else the identity's principal. A session named by its principal id
/// alone (`AROA…:session`, another account's role calling into this one) is its role's too.
pub(super) fn principal_key(identity: &Identity) -> &str {
    let principal = identity.principal();
    if identity.kind == "AssumedRole"
        && let Some(role) = session_role(principal)
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

/// The part of an assumed-role ARN before its session (`…:assumed-role/ROLE` of
/// `…:assumed-role/ROLE/SESSION`): the text before the last `/`, when it contains
/// `:assumed-role/`. One backward pass over bytes: the marker is looked for where a session
/// ARN has it, just before the role's name, and searched for anywhere only when it is not
/// there (the generic substring search, and a `char` search comparing through `memcmp`,
/// were a third of the key's cost).
fn session_role(principal: &str) -> Option<&str> {
    const MARKER: &[u8] = b":assumed-role/";
    let bytes = principal.as_bytes();
    let session = bytes.iter().rposition(|&b| b == b'/')?;
    let role = &bytes[..session];
    let marked = match role.iter().rposition(|&b| b == b'/') {
        Some(name) if role[..=name].ends_with(MARKER) => true,
        _ => role.windows(MARKER.len()).any(|w| w == MARKER),
    };
    // `session` is the index of an ASCII byte: a character boundary.
    marked.then(|| &principal[..session])
}

/// The map of principals, hashed with a seed drawn for each map (foldhash's `RandomState`):
/// principal names come from other accounts too (a role session calling in is named by its
/// role), and with an unseeded hash a caller could choose names that all collide, making
/// every lookup scan the whole table (the hostile-input probe measured 20,000 such names at
/// 31.9 s against 0.21 s for ordinary ones). Nothing the detector reports depends on the
/// seed: eviction breaks ties by name, not by the map's order.
pub(super) type Keyed<V> = HashMap<Box<str>, V, foldhash::fast::RandomState>;

/// What the detector remembers of a principal: about 300 bytes, whatever it does.
#[derive(Debug, Clone)]
pub(super) struct Principal {
    pub(super) first_seen: i64,
    pub(super) last_seen: i64,
    /// The hour (since the epoch) being counted, and its calls and denials so far.
    pub(super) hour: i64,
    pub(super) calls: u32,
    pub(super) denied: u32,
    /// The busiest hour seen at each hour of the day, weekdays then weekends (decayed daily).
    pub(super) peaks: [f32; 48],
    /// The busiest hour of all, and of denials (decayed daily).
    pub(super) busiest: f32,
    pub(super) busiest_denied: f32,
    /// The day (since the epoch) the peaks were last decayed to.
    pub(super) decayed_to: i64,
    /// What this hour's calls and denials must exceed to be a burst or a storm.
    pub(super) burst_bar: f32,
    pub(super) storm_bar: f32,
    pub(super) regions: Vec<Box<str>>,
    pub(super) mints_credentials: bool,
    pub(super) burst_reported: bool,
    pub(super) storm_reported: bool,
    /// When its regions and credential minting began to be learned: `first_seen`, or, for a
    /// principal forgotten and back (see [`Dormant`]), when it was first seen before; those
    /// rules judge it once they have been learned for the learning period, its volume once
    /// `first_seen` has.
    pub(super) regions_since: i64,
}

/// What the detector keeps of a principal it forgot (idle past `idle_eviction`, or dropped at
/// the cap): its regions and whether it minted credentials, so that a key unused for months
/// that comes back from a region its owner never used is still a new region (a departed
/// person's credentials are the likeliest to be abused). Its hourly habits are not kept: they
/// are learned again.
#[derive(Debug, Clone)]
pub(super) struct Dormant {
    pub(super) regions_since: i64,
    pub(super) last_seen: i64,
    pub(super) regions: Vec<Box<str>>,
    pub(super) mints_credentials: bool,
}

impl Principal {
    /// What is kept of it once forgotten.
    pub(super) fn into_dormant(self) -> Dormant {
        Dormant {
            regions_since: self.regions_since,
            last_seen: self.last_seen,
            regions: self.regions,
            mints_credentials: self.mints_credentials,
        }
    }

    /// A forgotten principal back at `at`: its volume learned again, its regions and minting
    /// as learned before (judged once they have been learned for the learning period, as
    /// if it had never been forgotten: one dropped at the cap while learning is still
    /// learning).
    pub(super) fn returning(at: i64, dormant: Dormant) -> Self {
        Self {
            regions: dormant.regions,
            mints_credentials: dormant.mints_credentials,
            regions_since: dormant.regions_since,
            ..Self::new(at)
        }
    }
}

pub(super) fn slot(hour: i64) -> usize {
    // 1970-01-01 was a Thursday: day 0 is weekday 3 (Monday = 0).
    let day = hour.div_euclid(24);
    let weekend = (day + 3).rem_euclid(7) >= 5;
    usize::from(weekend) * 24 + hour.rem_euclid(24) as usize
}

impl Principal {
    pub(super) fn new(at: i64) -> Self {
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
            regions_since: at,
        }
    }

    /// Closes the counted hour into the peaks and opens `hour`, with its bars. A reported
    /// hour is learned too, once it is over: the page has told someone, and a habit that
    /// changes for good (a deploy grown to three times its size) pages once, not every day
    /// for as long as the daily decay takes to forget the old peaks — which, with the old
    /// peaks decaying and the paged ones never learned, was for ever.
    #[inline]
    pub(super) fn advance_to(&mut self, hour: i64, config: &CompromiseConfig) {
        // Most events fall in the hour being counted: checked where the event is judged.
        if hour > self.hour {
            self.open_hour(hour, config);
        }
    }

    /// [`Principal::advance_to`] a later hour.
    #[inline(never)]
    fn open_hour(&mut self, hour: i64, config: &CompromiseConfig) {
        let closed = slot(self.hour);
        let calls = self.calls as f32;
        self.peaks[closed] = self.peaks[closed].max(calls);
        self.busiest = self.busiest.max(calls);
        self.busiest_denied = self.busiest_denied.max(self.denied as f32);
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
