//! F7 public data leak: a bucket the public can read, and a spike of requests to it.

use std::collections::VecDeque;

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{Severity, Sustained};

use crate::detector::{Detector, MetricDetector, join};
use crate::episode::Episode;
use crate::error::{Result, count, fraction, positive};
use crate::finding::{Evidence, Finding, Rounded};
use crate::mode::FailureMode;
use crate::stats::{Ewma, RollingMax, poisson_tail_ge};
use aws_telemetry::{BucketExposure, Exposure};

/// Requests to a bucket in one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AccessSample {
    /// Start of the period.
    pub at: DateTime<Utc>,
    /// Requests (e.g. `GetRequests`).
    pub requests: f64,
}

/// Settings of [`PublicDataLeak`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct LeakConfig {
    significance: f64,
    min_ratio: f64,
    record_window: usize,
    min_baseline: f64,
    baseline_alpha: f64,
    warm_up: u32,
    sustain: Sustained,
    clear_after: u32,
    spike_memory: TimeDelta,
    exposure_severity: Severity,
    spike_severity: Severity,
}

crate::settings::settings!(LeakConfig {
    /// A period's requests must be this improbable under the bucket's Poisson baseline (1e-9:
    /// at one test a minute, one fluke in about 1,900 years a bucket if requests were Poisson;
    /// a round order of magnitude, see `docs/detectors.md`) …
    significance, with_significance: f64;
    /// … and at least this multiple of it …
    min_ratio, with_min_ratio: f64;
    /// … and more than any minute of this many periods before (a week: a bucket read in
    /// bursts — a nightly export, a CDN refill — has its own usual peaks). The spikes the
    /// habit rule remembers span the same window: a weekly job's burst is known only while
    /// the run before lies within it, so a run that starts later than the previous week's is
    /// judged afresh (give a weekly job's bucket eight days to cover it).
    record_window, with_record_window: usize;
    /// Floor of the baseline requests per period (one: a bucket read a few times a day still
    /// has to see dozens of requests in a minute to spike).
    min_baseline, with_min_baseline: f64;
    /// Weight of the newest period in the baseline (EWMA).
    baseline_alpha, with_baseline_alpha: f64;
    /// Periods seen before a spike can be judged.
    warm_up, with_warm_up: u32;
    /// N of M spiking periods before a spike counts.
    sustain, with_sustain: Sustained;
    /// Quiet periods that end a spike.
    clear_after, with_clear_after: u32;
    /// A spike that ended less than this long before the bucket is seen public is still
    /// reported with it (the scan that sees the exposure can come after the download).
    spike_memory, with_spike_memory: TimeDelta;
    /// Severity of a public bucket (page: a bucket exposed to the public is a security
    /// incident, by the [severity rule](crate#severities)).
    exposure_severity, with_exposure_severity: Severity;
    /// Severity of a spike of requests to a public bucket (page: data leaving now).
    spike_severity, with_spike_severity: Severity;
});

impl Default for LeakConfig {
    fn default() -> Self {
        Self {
            significance: 1e-9,
            min_ratio: 3.0,
            record_window: 7 * 1440,
            min_baseline: 1.0,
            baseline_alpha: 0.02,
            warm_up: 60,
            sustain: const { Sustained::of(2, 3) },
            clear_after: 15,
            spike_memory: TimeDelta::hours(1),
            exposure_severity: Severity::Page,
            spike_severity: Severity::Page,
        }
    }
}

/// The most spikes F7 remembers (a bucket's spikes over its record window, for its daily
/// habits): more than one an hour for a week would be no habit to learn.
pub const MAX_SPIKES_REMEMBERED: usize = 256;

/// How long a reported spike covers the spikes after it: a spike within a day of one already
/// reported on the same exposure, and under `min_ratio` times it in size and in length, is
/// that incident going on (the bursts of a public bucket whose read rate has grown, a leak
/// that comes back in waves), not a new page. After a day, a burst at the same time of day is
/// the bucket's habit ([`PastSpike::is_habit_for`]), and one at another hour is judged
/// afresh. A day: the period of the daily cycle, after which the habit rule has seen the hour.
const REPEAT_WINDOW: TimeDelta = TimeDelta::days(1);

/// How long spikes on a bucket already public at the first sample go unreported (unless they
/// go on spiking past it): a day, one daily cycle of the bucket's own traffic.
const UNKNOWN_TRAFFIC: TimeDelta = TimeDelta::days(1);

/// A spike remembered over the record window: its first and latest spiking minute, its peak,
/// and whether it was reported on the current exposure.
#[derive(Debug, Clone, Copy)]
struct PastSpike {
    start: DateTime<Utc>,
    last: DateTime<Utc>,
    peak: f64,
    reported: bool,
}

impl PastSpike {
    /// Whether `spike` is within this one's margin: under `min_ratio` times its peak and its
    /// length — the margin a spike must clear over the usual rate, this one being what is
    /// usual (a download of an hour is no repeat of a burst of five minutes, once it has lasted
    /// three times as long). Lengths count spiking minutes, from the first to the latest.
    fn covers(&self, spike: &Spike, min_ratio: f64) -> bool {
        let minutes = |start: DateTime<Utc>, last: DateTime<Utc>| {
            (last - start).as_seconds_f64() / 60.0 + 1.0
        };
        spike.peak < min_ratio * self.peak
            && minutes(spike.start, spike.last_spiking) < min_ratio * minutes(self.start, self.last)
    }

    /// Whether `spike` is the habit this one shows: on a later day (at least 20 hours after),
    /// within an hour of the same time of day, and within its margin ([`covers`](Self::covers);
    /// without a margin, a daily burst varying by a few per cent paged whenever it topped the
    /// days before it). A bucket read in a daily burst (a nightly export, a CDN refill) pages
    /// on the first day, not on every one; a burst `min_ratio` times larger or longer, or one at
    /// another hour, is still a spike. The price: a leak repeated daily at the same hour, size
    /// and length pages once; and any spike of the record window, public or private, daily or
    /// not (a weekly refill two days before, on another weekday), hides a leak that starts
    /// within an hour of its time of day and stays under `min_ratio` times its size and
    /// length.
    fn is_habit_for(&self, spike: &Spike, min_ratio: f64) -> bool {
        let apart = (spike.start - self.start).num_minutes();
        let of_day = apart.rem_euclid(1440);
        apart >= 20 * 60 && (of_day <= 60 || of_day >= 1440 - 60) && self.covers(spike, min_ratio)
    }

    /// Whether `spike` repeats this one: starting after it and within [`REPEAT_WINDOW`], this
    /// one reported, and `spike` within its margin ([`covers`](Self::covers)).
    fn is_repeated_by(&self, spike: &Spike, min_ratio: f64) -> bool {
        self.reported
            && spike.start > self.start
            && spike.start - self.start <= REPEAT_WINDOW
            && self.covers(spike, min_ratio)
    }
}

/// A spike of requests: open, or recently over.
#[derive(Debug, Clone, Copy)]
struct Spike {
    start: DateTime<Utc>,
    /// The latest minute of the episode (spiking or in its quiet tail).
    last: DateTime<Utc>,
    /// The latest minute that itself spiked.
    last_spiking: DateTime<Utc>,
    peak: f64,
    usual: f64,
    tail: f64,
    reported: bool,
}

/// A burst kept out of the record while it goes on: its busiest minute, the quiet minutes
/// since, whether the bucket was public at any of its minutes, whether it was reported, and,
/// when it was not reported as that incident going on (a spike under `min_ratio` times one
/// reported within the day), that reported spike's peak. Once over it joins the record — the
/// bucket's usual peaks — unless it was a leak: reported, or cut short by making the bucket
/// private (public at a minute, private at its end); a leak's later wave joins it no higher
/// than the leak's reported peak, so that it never becomes the mark a new leak must beat.
#[derive(Debug, Clone, Copy, Default)]
struct HeldBurst {
    peak: f64,
    quiet: u32,
    public: bool,
    reported: bool,
    repeat_cap: Option<f64>,
}

impl HeldBurst {
    /// What the burst, now over, adds to the record of usual peaks, `public` saying whether
    /// the bucket is public now: nothing for a leak.
    fn usual_peak(&self, public: bool) -> Option<f64> {
        (!self.reported && (!self.public || public))
            .then(|| self.repeat_cap.map_or(self.peak, |cap| self.peak.min(cap)))
    }
}

/// F7: a publicly accessible bucket, and people using that.
///
/// The bucket's [`BucketExposure`] facts decide whether it is public. A public bucket is a
/// finding as soon as it is seen — a security incident, [`LeakConfig::exposure_severity`] (a
/// page) —, once per exposure. A spike of requests — improbable under a Poisson law with the
/// bucket's usual rate, at least [`LeakConfig::min_ratio`] × it and above every minute of the
/// last [`LeakConfig::record_window`] periods (a bucket read in bursts has its own peaks),
/// sustained, and not under `min_ratio` × a spike (in size and in length) within an hour of
/// the same time of day on an earlier day of that window (a daily burst pages on its first
/// day), nor under `min_ratio` × a spike reported within the day before on the same exposure
/// (that incident going on) — on a public bucket is a second finding ([`LeakConfig::spike_severity`], a
/// page: data leaving now), in either order: a spike that began before the scan saw the
/// bucket public (and ended less than [`LeakConfig::spike_memory`] before) is reported with
/// the scan, with its own start. On a bucket already public at the first sample, a spike within
/// a day of it is reported only if it goes on spiking past that day: nothing is known yet of
/// the bucket's own bursts, and its exposure is paged at once (a bucket made public while
/// watched is judged at once). So feed a detector for an already public bucket a day of its
/// history before relying on its spike findings: one built afresh for each shorter run
/// reports the exposure only.
/// Spikes on a private bucket are not F7. Feed scans with [`PublicDataLeak::scan`] (or
/// [`PublicDataLeak::set_exposure`], reported at the next observation).
///
/// Minutes without requests publish no datapoint: a silence is read as zero requests (the
/// baseline decays through it), so a sparse bucket keeps its history instead of warming up
/// again after each quiet spell. Evidence score: `-log10` of the tail.
///
/// Signal: `AWS/S3` `GetRequests` (`Sum`, dimensions `BucketName` and `FilterId`, 60 s; S3
/// publishes request metrics only for buckets with a request-metrics filter, here one named
/// `EntireBucket`).
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{AccessSample, AclGrant, BucketExposure, Detector, Grantee, Permission, PublicDataLeak};
/// use failure_modes::Severity;
///
/// let mut facts = BucketExposure::new("exports");
/// let mut f7 = PublicDataLeak::new(facts.clone(), Default::default())?;
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// let mut findings = Vec::new();
/// for m in 0..200 {
///     let at = t0 + Duration::minutes(m);
///     if m == 120 {
///         // The hourly scan finds a grant to everyone.
///         facts.acl_grants.push(AclGrant::new(Grantee::AllUsers, Permission::Read));
///         findings.extend(f7.scan(at, facts.clone())?);
///     }
///     let requests = if m >= 150 { 5000.0 } else { 20.0 + (m % 5) as f64 };
///     findings.extend(f7.push(AccessSample { at, requests })?);
/// }
/// assert_eq!(findings.len(), 2);
/// assert!(findings[0].evidence.detail.contains("bucket is public"));
/// assert!(findings.iter().all(|f| f.severity == Severity::Page));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PublicDataLeak {
    facts: BucketExposure,
    exposure: Exposure,
    reported_exposure: bool,
    config: LeakConfig,
    last: Option<DateTime<Utc>>,
    baseline: Ewma,
    episode: Episode,
    seen: u32,
    spike: Option<Spike>,
    /// The largest requests of a minute, per hour, over the record window.
    record: RollingMax,
    /// The hours `record` spans.
    record_hours: i64,
    this_hour: (i64, f64),
    /// The spikes of the record window (the newest last, at most [`MAX_SPIKES_REMEMBERED`]):
    /// a spike at about the time of day of an earlier day's, and under `min_ratio` times it,
    /// is the bucket's habit; one within a day of a reported one, and under `min_ratio` times
    /// it, is that incident going on.
    spikes: VecDeque<PastSpike>,
    /// The burst under way or just over, kept out of the record until it is over.
    held_back: HeldBurst,
    /// Until when spikes go unreported (unless they go on past it): [`UNKNOWN_TRAFFIC`] from the
    /// first observation of a bucket already public then (nothing is known of its traffic;
    /// its exposure is paged at once).
    unreported_until: Option<DateTime<Utc>>,
    period: Period,
}

impl PublicDataLeak {
    /// A detector for one bucket.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for a significance outside
    /// (0, 1], non-positive ratios, a negative `spike_memory`, a `record_window` of 0 or of
    /// more hours than `stats::MAX_WINDOW`, or a `clear_after` outside `1..=10080`; [`Error::Query`](crate::Error::Query) for a bucket name CloudWatch would
    /// refuse as a dimension value (empty, blank, not ASCII, control characters, past 1,024
    /// characters).
    pub fn new(facts: BucketExposure, config: LeakConfig) -> Result<Self> {
        if config.record_window == 0 {
            // Rounded up to whole hours of maxima, 0 quietly became an hour's record.
            return Err(crate::Error::InvalidConfig {
                field: "record_window",
                value: 0.0,
                reason: "must be at least 1 period",
            });
        }
        // Checked now, as the other detectors' names are: found only when the query was
        // built, a bad name reached a push-only caller's findings as their subject.
        aws_telemetry::Dimension::new("BucketName", facts.bucket.as_str())?;
        crate::error::periods("clear_after", config.clear_after)?;
        if config.spike_memory < TimeDelta::zero() {
            return Err(crate::Error::InvalidConfig {
                field: "spike_memory",
                value: config.spike_memory.as_seconds_f64(),
                reason: "must not be negative",
            });
        }
        fraction("significance", config.significance)?;
        positive("min_ratio", config.min_ratio)?;
        positive("min_baseline", config.min_baseline)?;
        Ok(Self {
            exposure: facts.exposure(),
            facts,
            reported_exposure: false,
            baseline: Ewma::new(config.baseline_alpha)
                .map_err(|e| e.in_field("baseline_alpha", config.baseline_alpha))?,
            episode: Episode::new(config.sustain, config.clear_after),
            config,
            last: None,
            seen: 0,
            spike: None,
            record: RollingMax::new(config.record_window.div_ceil(60).max(1))
                .map_err(|e| e.in_field("record_window", config.record_window as f64))?,
            record_hours: config.record_window.div_ceil(60).max(1) as i64,
            this_hour: (i64::MIN, 0.0),
            spikes: VecDeque::new(),
            held_back: HeldBurst::default(),
            unreported_until: None,
            period: Period::new(60)?,
        })
    }

    /// Replaces the facts (after a new scan); a bucket that becomes public is reported again,
    /// at the next observation. [`PublicDataLeak::scan`] reports at once.
    ///
    /// # Errors
    /// [`Error::OtherBucket`](crate::Error::OtherBucket) for facts about another bucket than
    /// the detector's (the detector is unchanged).
    pub fn set_exposure(&mut self, facts: BucketExposure) -> Result<()> {
        if facts.bucket != self.facts.bucket {
            // A detector watches one bucket: its baseline, record and spikes are that bucket's,
            // and its query is built from the bucket it holds.
            let scanned = if facts.bucket.chars().count() > 64 {
                facts.bucket.chars().take(64).chain(['…']).collect()
            } else {
                facts.bucket
            };
            return Err(crate::Error::OtherBucket {
                bucket: self.facts.bucket.clone(),
                scanned,
            });
        }
        let exposure = facts.exposure();
        if exposure != self.exposure {
            self.reported_exposure = false;
            self.unreported_until = None;
            // A new exposure is a new incident: its spikes are judged afresh.
            for spike in &mut self.spikes {
                spike.reported = false;
            }
        }
        self.exposure = exposure;
        self.facts = facts;
        Ok(())
    }

    /// A scan's facts at `at`: replaces them and returns what they reveal — the public bucket,
    /// and a spike of requests under way or ended within [`LeakConfig::spike_memory`].
    ///
    /// # Errors
    /// [`Error::OutOfOrder`](crate::Error::OutOfOrder) for a scan before the latest
    /// observation; [`Error::OtherBucket`](crate::Error::OtherBucket) for a scan of another
    /// bucket. Either leaves the detector unchanged.
    ///
    /// ```
    /// use failure_modes::chrono::{TimeZone, Utc};
    /// use failure_modes::{BucketExposure, PublicDataLeak};
    ///
    /// let mut f7 = PublicDataLeak::new(BucketExposure::new("exports"), Default::default())?;
    /// let at = Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap();
    /// assert!(f7.scan(at, BucketExposure::new("exports"))?.is_empty());
    /// let mut public = BucketExposure::new("exports");
    /// public.policy_is_public = Some(true);
    /// assert_eq!(f7.scan(at + chrono::Duration::hours(1), public)?.len(), 1);
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn scan(&mut self, at: DateTime<Utc>, facts: BucketExposure) -> Result<Vec<Finding>> {
        if let Some(previous) = self.last
            && at < previous
        {
            return Err(crate::Error::OutOfOrder { previous, at });
        }
        self.set_exposure(facts)?;
        Ok(self.report(at, None))
    }

    /// The current verdict.
    pub fn exposure(&self) -> &Exposure {
        &self.exposure
    }

    /// The finding for a public bucket, once per exposure (also raised by the first
    /// [`Detector::push`] and by [`PublicDataLeak::scan`]): for buckets without S3 request
    /// metrics, call this after each scan.
    ///
    /// ```
    /// use failure_modes::chrono::Utc;
    /// use failure_modes::{BucketExposure, PublicDataLeak};
    ///
    /// let mut facts = BucketExposure::new("exports");
    /// facts.policy_is_public = Some(true);
    /// let mut f7 = PublicDataLeak::new(facts, Default::default())?;
    /// assert!(f7.assess(Utc::now()).is_some());
    /// assert!(f7.assess(Utc::now()).is_none()); // reported once
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn assess(&mut self, at: DateTime<Utc>) -> Option<Finding> {
        let Exposure::Public(reasons) = &self.exposure else {
            return None;
        };
        if self.reported_exposure {
            return None;
        }
        self.reported_exposure = true;
        Some(Finding::new(
            FailureMode::PublicDataLeak,
            self.config.exposure_severity,
            &self.facts.bucket,
            at,
            at,
            Evidence {
                observed: 1.0,
                baseline: 0.0,
                threshold: 1.0,
                score: 1.0,
                detail: format!("bucket is public: {}", reasons.join("; ")),
            },
        ))
    }

    /// What is to report at `at` on a public bucket: the exposure, and the spike (open, or
    /// ended within the memory) not yet reported; `requests` is the current period's, if any.
    fn report(&mut self, at: DateTime<Utc>, requests: Option<f64>) -> Vec<Finding> {
        if !matches!(self.exposure, Exposure::Public(_)) {
            return Vec::new();
        }
        let mut findings: Vec<Finding> = self.assess(at).into_iter().collect();
        let memory = self.config.spike_memory;
        let min_ratio = self.config.min_ratio;
        let habitual = |spike: &Spike| {
            self.spikes.iter().any(|earlier| {
                earlier.is_habit_for(spike, min_ratio) || earlier.is_repeated_by(spike, min_ratio)
            })
        };
        // Before a day of an already public bucket's traffic has been seen, a spike is reported
        // only if it goes on spiking past that day.
        let known = |s: &Spike| {
            self.unreported_until
                .is_none_or(|until| s.last_spiking >= until)
        };
        let due = self
            .spike
            .as_ref()
            .is_some_and(|s| !s.reported && at - s.last <= memory && known(s) && !habitual(s));
        // A leak's later wave, not reported as that incident going on, joins the record no
        // higher than the leak's reported peak.
        // (A spike reported now is no usual peak at all: nothing to cap.)
        if let Some(spike) = self
            .spike
            .as_ref()
            .filter(|_| !due && self.held_back.peak > 0.0)
        {
            let repeated = self
                .spikes
                .iter()
                .filter(|earlier| earlier.is_repeated_by(spike, min_ratio))
                .map(|earlier| earlier.peak)
                .reduce(f64::min);
            if let Some(cap) = repeated {
                let held = &mut self.held_back;
                held.repeat_cap = Some(held.repeat_cap.map_or(cap, |c| c.min(cap)));
            }
        }
        if due && let Some(spike) = self.spike.as_mut() {
            spike.reported = true;
            // A leak is not one of the bucket's usual peaks.
            if self.held_back.peak > 0.0 {
                self.held_back.reported = true;
            }
            // The newest remembered spike is this one.
            if let Some(newest) = self.spikes.back_mut() {
                newest.reported = true;
            }
            // Joined only for a finding: most minutes of a public bucket report nothing.
            let reasons = match &self.exposure {
                Exposure::Public(reasons) => reasons.join("; "),
                _ => String::new(),
            };
            findings.push(Finding::new(
                FailureMode::PublicDataLeak,
                self.config.spike_severity,
                &self.facts.bucket,
                spike.start,
                at,
                Evidence {
                    observed: requests.unwrap_or(spike.peak).max(spike.peak),
                    baseline: spike.usual,
                    threshold: self.config.min_ratio * spike.usual,
                    score: -spike.tail.max(f64::MIN_POSITIVE).log10(),
                    detail: format!(
                        "up to {} requests a minute against a usual {}, since {}, to a public \
                         bucket ({reasons}; Poisson tail {:.1e})",
                        Rounded(spike.peak),
                        Rounded(spike.usual),
                        spike.start.format("%Y-%m-%d %H:%M"),
                        spike.tail
                    ),
                },
            ));
        }
        findings
    }
}

impl Detector for PublicDataLeak {
    type Input = AccessSample;

    fn mode(&self) -> FailureMode {
        FailureMode::PublicDataLeak
    }

    fn push(&mut self, sample: AccessSample) -> Result<Vec<Finding>> {
        let at = sample.at;
        let requests = count("requests", sample.requests, at)?;
        if let Some(previous) = self.last
            && at <= previous
        {
            return Err(crate::Error::OutOfOrder { previous, at });
        }
        // Minutes without a datapoint had no requests: the baseline decays through them, at
        // most a week's worth (beyond that it is at its floor anyway).
        if let Some(previous) = self.last {
            let period = self.period.as_time_delta();
            let missing = ((at - previous).num_seconds() / period.num_seconds().max(1) - 1)
                .clamp(0, 7 * 1440);
            for _ in 0..missing.min(64) {
                self.baseline.push(0.0)?;
            }
            if missing > 64 {
                self.baseline.decay(missing - 64);
            }
            self.seen = self.seen.saturating_add(missing as u32);
            if missing > 0 {
                self.episode.reset();
                // Quiet minutes for a held burst too: judged as at the last of them.
                self.quiet_for(missing as u32, at - period);
            }
        }
        if self.last.is_none() && matches!(self.exposure, Exposure::Public(_)) {
            self.unreported_until = at.checked_add_signed(UNKNOWN_TRAFFIC);
        }
        self.last = Some(at);
        self.seen = self.seen.saturating_add(1);
        let usual = self
            .baseline
            .mean()
            .unwrap_or(0.0)
            .max(self.config.min_baseline);
        // The tail is costly and only matters past the ratio test.
        let tail = if requests >= self.config.min_ratio * usual {
            poisson_tail_ge(requests.round(), usual)?
        } else {
            1.0
        };
        let record = self.record.max().unwrap_or(0.0).max(self.this_hour.1);
        let spiking =
            self.seen > self.config.warm_up && tail < self.config.significance && requests > record;
        // A private bucket's bursts are its habits (a spike there is not F7): its rate is
        // learned, and its busiest minute joins the record of the busiest minutes once the
        // burst is over (its spike closed, then `clear_after` quiet minutes more) — not while
        // it goes on: the first minute would be the mark the next must beat, so a download on
        // a bucket not yet seen public (the scan comes hourly) could never be sustained, and
        // the scan that reveals the exposure would find no spike to report with it. A public
        // bucket's bursts join it the same way unless reported (`HeldBurst::usual_peak`): its
        // first day's and its habits are its usual peaks, a reported leak's later waves up to
        // the leak's peak; a leak is not, and a burst that recurs is also known by its time
        // of day.
        let public = matches!(self.exposure, Exposure::Public(_));
        let in_spike = spiking || self.episode.is_open();
        if !public || !in_spike {
            self.baseline.push(requests)?;
        }
        // The hour's peak, closed into the record when the hour changes.
        let hour = at.timestamp().div_euclid(3600);
        if hour != self.this_hour.0 {
            if self.this_hour.0 != i64::MIN {
                self.record.push(self.this_hour.1)?;
                // Hours without a datapoint had no requests: their busiest minute is 0, so
                // the record spans the last `record_window` of time, not of hours with data
                // (at most a whole record's worth of pushes).
                let empty = (hour - self.this_hour.0 - 1).clamp(0, self.record_hours);
                for _ in 0..empty {
                    self.record.push(0.0)?;
                }
            }
            self.this_hour = (hour, 0.0);
        }
        if in_spike {
            let held = &mut self.held_back;
            held.peak = held.peak.max(requests);
            held.quiet = 0;
            held.public |= public;
        } else {
            self.this_hour.1 = self.this_hour.1.max(requests);
            self.quiet_for(1, at);
        }
        if let Some(start) = self.episode.update(spiking, at) {
            self.spike = Some(Spike {
                start,
                last: at,
                last_spiking: at,
                peak: requests,
                usual,
                tail,
                reported: false,
            });
            let window = TimeDelta::minutes(self.config.record_window as i64);
            while self
                .spikes
                .front()
                .is_some_and(|earlier| at - earlier.start > window)
                || self.spikes.len() >= MAX_SPIKES_REMEMBERED
            {
                self.spikes.pop_front();
            }
            self.spikes.push_back(PastSpike {
                start,
                last: at,
                peak: requests,
                reported: false,
            });
        } else if let Some(spike) = self.spike.as_mut().filter(|_| self.episode.is_open()) {
            spike.last = at;
            spike.peak = spike.peak.max(requests);
            spike.tail = spike.tail.min(tail);
            if spiking {
                spike.last_spiking = at;
            }
            if let Some(newest) = self.spikes.back_mut() {
                newest.peak = spike.peak;
                newest.last = spike.last_spiking;
            }
        }
        Ok(self.report(at, Some(requests)))
    }
}

impl PublicDataLeak {
    /// Counts `minutes` quiet minutes, the last at `at`, for the burst held out of the record,
    /// and lets it join the record (the hour's peak) once it is over: `clear_after` quiet
    /// minutes, and its spike no longer reportable.
    #[inline]
    fn quiet_for(&mut self, minutes: u32, at: DateTime<Utc>) {
        if self.held_back.peak <= 0.0 {
            return;
        }
        self.held_back.quiet = self.held_back.quiet.saturating_add(minutes);
        // A spike not yet reported can still be, until `spike_memory` after it (a scan that
        // sees the bucket public late): its burst waits that long to be judged.
        let reportable = || {
            self.spike
                .as_ref()
                .is_some_and(|s| !s.reported && at - s.last <= self.config.spike_memory)
        };
        if self.held_back.quiet >= self.config.clear_after && !reportable() {
            let public = matches!(self.exposure, Exposure::Public(_));
            if let Some(peak) = self.held_back.usual_peak(public) {
                self.this_hour.1 = self.this_hour.1.max(peak);
            }
            self.held_back = HeldBurst::default();
        }
    }
}

impl MetricDetector for PublicDataLeak {
    fn observed_at(input: &AccessSample) -> Option<DateTime<Utc>> {
        Some(input.at)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.last
    }

    fn check(&self, inputs: &[AccessSample]) -> Result<()> {
        inputs
            .iter()
            .try_for_each(|input| count("requests", input.requests, input.at).map(drop))
    }

    fn queries(&self) -> Result<Vec<MetricQuery>> {
        Ok(vec![MetricQuery::stat(
            "requests",
            Metric::new("AWS/S3", "GetRequests")?
                .with_dimension("BucketName", &self.facts.bucket)?
                .with_dimension("FilterId", "EntireBucket")?,
            Statistic::Sum,
            self.period,
        )?])
    }

    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<AccessSample>> {
        Ok(join(fetched, &["requests"], &[])?
            .into_iter()
            .map(|(at, values, _)| AccessSample {
                at,
                requests: values[0],
            })
            .collect())
    }
}
