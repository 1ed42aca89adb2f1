//! F2 network partition: the availability zone whose latency or 5xx rate diverges from its
//! peers at the same moment and from its own history, which a fleet-wide traffic rise does not.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use aws_telemetry::{FetchedSeries, MetricQuery, Statistic};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{Severity, Sustained};

use crate::detector::{Detector, MetricDetector, join_any};
use crate::episode::Episode;
use crate::error::{Error, MAX_MAGNITUDE, Result, count, fraction, is_count, positive};
use crate::finding::{Evidence, Finding, Rounded};
use crate::mode::FailureMode;
use crate::stats::{CountRate, MAD_TO_SIGMA, TrailingWindow, binomial_upper_tail, median_in_place};
use crate::timeline::{Step, Timeline};

mod signal;

pub use signal::{ZoneMetrics, ZoneSignal};

/// The most zones one [`NetworkPartition`] tracks: 32. A region has at most six availability
/// zones and a load balancer spans a handful more with Local Zones. Zones are never forgotten:
/// a sample bringing a 33rd distinct name is refused with [`Error::InvalidZone`], as is a name
/// longer than [`MAX_ZONE_NAME`] bytes, so a detector fed arbitrary names holds at most
/// `32 × (2 ×` [`PartitionConfig::baseline`] `× 8 bytes + name + the 5xx window)`, about
/// 32 × 2.5 KiB with the defaults.
pub const MAX_ZONES: usize = 32;

/// The longest zone name taken, in bytes: 1,024, CloudWatch's limit on a dimension value.
pub const MAX_ZONE_NAME: usize = 1024;

/// The least rate of 5xx the other zones are taken to fail at when a zone's 5xx are tested
/// against them (0.01 %): five minutes of a few dozen requests often hold no error at all, and
/// two stray errors in 140 requests would be improbable against 0. A finding's text states the
/// rate they did fail at, and this floor when it was taken instead.
const PEER_RATE_FLOOR: f64 = 1e-4;

/// One zone in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneObservation {
    /// The availability zone.
    pub zone: String,
    /// Latency (any consistent unit and statistic, e.g. p95 seconds); `None` when the load
    /// balancer reported none although requests came (no target answered: the 5xx tell).
    pub latency: Option<f64>,
    /// Requests served.
    pub requests: f64,
    /// Requests answered with a 5xx, by the targets or by the load balancer itself.
    pub errors: f64,
}

/// All zones in one period.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneSample {
    /// Start of the period.
    pub at: DateTime<Utc>,
    /// One observation per zone; zones without traffic may be absent.
    pub zones: Vec<ZoneObservation>,
}

/// Settings of [`NetworkPartition`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct PartitionConfig {
    peer_ratio: f64,
    own_sigma: f64,
    baseline: usize,
    min_relative_spread: f64,
    min_requests: f64,
    min_error_ratio: f64,
    significance: f64,
    error_window: usize,
    sustain: Sustained,
    clear_after: u32,
    max_gap: TimeDelta,
    severity: Severity,
}

crate::settings::settings!(PartitionConfig {
    /// A zone's latency must be at least this multiple of its peers' median (1.5, a round
    /// value) …
    peer_ratio, with_peer_ratio: f64;
    /// … and this many robust σ above what its own history predicts (its trailing median
    /// latency, or its trailing median ratio to its peers: see [`NetworkPartition`]; 4: a
    /// normal tail of 3 × 10⁻⁵, about one fluke minute in three weeks before the N-of-M rule).
    own_sigma, with_own_sigma: f64;
    /// The zone's own baselines (its latency, its ratio to its peers), in periods (120: two
    /// hours of one-minute periods, a round value); also the memory of its usual 5xx rate
    /// (each period weighted `1 / baseline`).
    baseline, with_baseline: usize;
    /// Floor of a baseline's spread, as a share of its median (a zone that never moved
    /// would otherwise make any change infinitely surprising).
    min_relative_spread, with_min_relative_spread: f64;
    /// A zone's latency is judged only in periods with at least this many requests (20: a p95
    /// of fewer rests on a single request; a quiet night's p95 is noise, not a partition).
    min_requests, with_min_requests: f64;
    /// A zone's 5xx share below this is never reported.
    min_error_ratio, with_min_error_ratio: f64;
    /// The 5xx count of the last `error_window` periods must be this improbable (binomial
    /// tail) at the higher of the peers' error rate over them and the zone's own usual rate:
    /// 1e-4, about one fluke a week at one test a minute, after the `min_error_ratio` gate.
    significance, with_significance: f64;
    /// Periods whose requests and 5xx are summed for the 5xx test (5: at 20 requests a minute,
    /// 3 % of failures is a handful of errors in five minutes, never in one).
    error_window, with_error_window: usize;
    /// N of M bad periods before a finding (4 of 5: a condition sustained for 5 minutes, so
    /// that a rolling deploy slowing one zone for a few minutes is not a partition).
    sustain, with_sustain: Sustained;
    /// Good periods that end an incident.
    clear_after, with_clear_after: u32;
    /// A longer silence ends any incident in progress (the zones' learned latencies are
    /// kept: a quiet night does not make the detector blind in the morning).
    max_gap, with_max_gap: TimeDelta;
    /// Severity of a partition (page: a zone's outage is an outage).
    severity, with_severity: Severity;
});

impl Default for PartitionConfig {
    fn default() -> Self {
        Self {
            peer_ratio: 1.5,
            own_sigma: 4.0,
            baseline: 120,
            min_relative_spread: 0.05,
            min_requests: 20.0,
            min_error_ratio: 0.01,
            significance: 1e-4,
            error_window: 5,
            sustain: const { Sustained::of(4, 5) },
            clear_after: 15,
            max_gap: TimeDelta::minutes(30),
            severity: Severity::Page,
        }
    }
}

#[derive(Debug, Clone)]
struct ZoneState {
    /// The zone's latency in the periods it was judged healthy.
    latency: TrailingWindow,
    /// The zone's latency over its peers' median in the same periods: how far it usually
    /// diverges from them.
    ratio: TrailingWindow,
    episode: Episode,
    /// The last `error_window` periods' (requests, errors, peers' requests, peers' errors).
    window: VecDeque<[f64; 4]>,
    /// The zone's own 5xx rate, learnt from the periods outside its incidents over about
    /// [`PartitionConfig::baseline`] periods.
    errors: CountRate,
}

/// What a zone's latency was judged against, with its median.
#[derive(Debug, Clone, Copy)]
enum Reference {
    OwnLatency(f64),
    RatioToPeers(f64),
}

impl ZoneState {
    /// How many robust σ this period lies above what the zone's history predicts, judged
    /// against the tighter of its two baselines (the smaller spread for its median); `None`
    /// until they are full.
    fn surprise(
        &self,
        latency: f64,
        ratio: f64,
        min_relative_spread: f64,
        scratch: &mut Vec<f64>,
    ) -> Option<(f64, Reference)> {
        // Both baselines learn the same periods, so they fill together.
        if !self.ratio.is_full() {
            return None;
        }
        let mut centre_and_spread = |baseline: &TrailingWindow| {
            let (median, mad) = baseline.median_and_mad(scratch)?;
            let spread = (MAD_TO_SIGMA * mad)
                .max(min_relative_spread * median.abs())
                .max(f64::MIN_POSITIVE);
            Some((median, spread))
        };
        let (own_median, own_spread) = centre_and_spread(&self.latency)?;
        let (usual_ratio, ratio_spread) = centre_and_spread(&self.ratio)?;
        // own_spread / own_median <= ratio_spread / usual_ratio, without dividing by a median.
        Some(if own_spread * usual_ratio <= ratio_spread * own_median {
            (
                (latency - own_median) / own_spread,
                Reference::OwnLatency(own_median),
            )
        } else {
            (
                (ratio - usual_ratio) / ratio_spread,
                Reference::RatioToPeers(usual_ratio),
            )
        })
    }

    /// Whether the zone fails at `ratio` now: its newest periods of the error window that hold
    /// at least `1 / ratio` requests between them (the newest period at least, the newer half
    /// of the window, rounded up, at most) hold the whole 5xx `ratio` asks of their requests,
    /// and at least one.
    fn failing_now(&self, ratio: f64) -> bool {
        let (mut requests, mut errors) = (0.0, 0.0);
        let half = self.window.len().div_ceil(2);
        for period in self.window.iter().rev().take(half) {
            requests += period[0];
            errors += period[1];
            if requests * ratio >= 1.0 {
                break;
            }
        }
        errors >= (requests * ratio).floor().max(1.0)
    }

    fn slide(&mut self, capacity: usize, period: [f64; 4]) -> [f64; 4] {
        if self.window.len() == capacity {
            self.window.pop_front();
        }
        self.window.push_back(period);
        self.window.iter().fold([0.0; 4], |mut sum, p| {
            for (s, v) in sum.iter_mut().zip(p) {
                *s += v;
            }
            sum
        })
    }
}

/// F2: one zone diverging from its peers and from itself.
///
/// A period is bad for a zone when either
/// * its latency is at least [`PartitionConfig::peer_ratio`] × the median of the other zones'
///   latency at the same time (a fleet-wide rise moves the peers too), **and**
///   [`PartitionConfig::own_sigma`] robust σ above what the zone's own history predicts (a
///   zone that is always a little slower is not flagged); or
/// * over the last [`PartitionConfig::error_window`] periods, its 5xx share is at least
///   [`PartitionConfig::min_error_ratio`] and its 5xx count improbable (binomial tail) at
///   the peers' pooled error rate over those periods and at the zone's own usual rate (its
///   5xx among its requests in the periods outside its incidents whose 5xx were not
///   improbable, weighted by requests over about [`PartitionConfig::baseline`] periods, and
///   counted up to `min_error_ratio`), and the zone failing now: its newest periods holding
///   enough requests to show one error at `min_error_ratio` (this period alone from
///   `1 / min_error_ratio` requests; at most the newer half of the window) hold the whole
///   errors `min_error_ratio` asks of them, and at least one.
///
/// The zone's history gives two predictions, each a trailing median over
/// [`PartitionConfig::baseline`] healthy periods: its own latency, and its ratio to its peers'
/// median (the period is then judged by that ratio). A burst of traffic slows every zone
/// alike: it widens the spread of the zone's own latency, which a partition then has to clear,
/// but leaves the ratio where it was; on calm traffic the ratio carries the peers' sampling
/// noise besides the zone's own (their median is one more noisy p95), and the zone's own
/// latency is the tighter. Each period is judged against the one whose spread, relative to its
/// median, is the smaller over the baseline: the better prediction for this zone and this
/// traffic, chosen from the history alone.
///
/// Latency is judged only in periods with at least [`PartitionConfig::min_requests`] requests
/// (a quiet night's p95 is noise). Sustained N of M, one finding per incident per zone,
/// [`PartitionConfig::severity`] (a page: a zone outage is an outage). A silence longer than
/// [`PartitionConfig::max_gap`] ends incidents but keeps each zone's baselines,
/// so the detector is not blind after a quiet night. Evidence score: the latency ratio to
/// peers, or `-log10` of the 5xx tail.
///
/// State per zone: the two baselines (`2 ×` [`PartitionConfig::baseline`] values, kept in
/// arrival order; their medians and MADs are worked out by selection only in a period where
/// the zone is already [`PartitionConfig::peer_ratio`] × its peers, so learning costs O(1) a
/// period), the [`PartitionConfig::error_window`] periods of the 5xx test and its own 5xx
/// rate (two averages); at most
/// [`MAX_ZONES`] zones.
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{Detector, NetworkPartition, ZoneObservation, ZoneSample, ZoneSignal};
///
/// let signal = ZoneSignal::alb("app/shop/1", &["a", "b", "c"])?;
/// let mut f2 = NetworkPartition::new(signal, Default::default())?;
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// let sample = |m: i64| ZoneSample {
///     at: t0 + Duration::minutes(m),
///     zones: ["a", "b", "c"].iter().enumerate().map(|(i, z)| ZoneObservation {
///         zone: z.to_string(),
///         latency: Some(if *z == "b" && m >= 200 { 0.9 } else { 0.1 + 0.01 * ((m + i as i64) % 3) as f64 }),
///         requests: 1000.0,
///         errors: 1.0,
///     }).collect(),
/// };
/// let findings = f2.detect((0..260).map(sample))?;
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].subject, "b");
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct NetworkPartition {
    signal: ZoneSignal,
    config: PartitionConfig,
    timeline: Timeline,
    zones: BTreeMap<String, ZoneState>,
    scratch: Vec<f64>,
}

impl NetworkPartition {
    /// Refuses a sample whose zones cannot be taken (see [`Detector::push`]'s errors), without
    /// changing anything; `added` are the zones that samples to be pushed before it bring.
    fn check_zones(&self, sample: &ZoneSample, added: &BTreeSet<&str>) -> Result<()> {
        let at = sample.at;
        let mut new_zones = added.len();
        let may_overflow = self.zones.len() + new_zones + sample.zones.len() > MAX_ZONES;
        for (index, zone) in sample.zones.iter().enumerate() {
            let invalid = |reason| Error::InvalidZone {
                zone: zone.zone.clone(),
                at,
                reason,
            };
            if zone.zone.len() > MAX_ZONE_NAME {
                // The error names it by its start: it may be any length.
                return Err(Error::InvalidZone {
                    zone: zone.zone.chars().take(64).chain(['…']).collect(),
                    at,
                    reason: "longer than MAX_ZONE_NAME (1,024 bytes)",
                });
            }
            if sample.zones[..index].iter().any(|z| z.zone == zone.zone) {
                return Err(invalid("named twice in one sample"));
            }
            // Looked up only when this sample could bring the count past the bound: the
            // common case (the same few zones every period) costs no lookup here.
            if may_overflow
                && !self.zones.contains_key(&zone.zone)
                && !added.contains(zone.zone.as_str())
            {
                new_zones += 1;
                if self.zones.len() + new_zones > MAX_ZONES {
                    return Err(invalid("one zone more than MAX_ZONES (32)"));
                }
            }
            if let Some(latency) = zone.latency {
                count("latency", latency, at)?;
            }
            count("requests", zone.requests, at)?;
            count("errors", zone.errors, at)?;
            if zone.requests * self.config.error_window as f64 > sli_core::MAX_COUNT {
                return Err(Error::InvalidInput {
                    field: "requests",
                    value: zone.requests,
                    at,
                    reason: "too many to count exactly over the 5xx window (2^53 in all)",
                });
            }
            if zone.errors > zone.requests {
                return Err(Error::InvalidInput {
                    field: "errors",
                    value: zone.errors,
                    at,
                    reason: "exceeds the zone's requests",
                });
            }
        }
        Ok(())
    }

    /// A detector for `signal`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] for non-positive ratios, sigmas, baselines or `max_gap`, a
    /// `min_requests` that is negative or not finite, or a `clear_after` outside `1..=10080`.
    pub fn new(signal: ZoneSignal, config: PartitionConfig) -> Result<Self> {
        crate::error::periods("clear_after", config.clear_after)?;
        positive("peer_ratio", config.peer_ratio)?;
        let timeline = Timeline::new(config.max_gap)?;
        positive("own_sigma", config.own_sigma)?;
        positive("min_relative_spread", config.min_relative_spread)?;
        fraction("min_error_ratio", config.min_error_ratio)?;
        crate::stats::check_window(
            "error_window",
            config.error_window,
            1,
            crate::stats::MAX_WINDOW,
        )?;
        fraction("significance", config.significance)?;
        crate::stats::check_window("baseline", config.baseline, 1, crate::stats::MAX_WINDOW)?;
        // NaN would judge no period's latency (no count is at least NaN), silently.
        if !(config.min_requests.is_finite() && config.min_requests >= 0.0) {
            return Err(Error::InvalidConfig {
                field: "min_requests",
                value: config.min_requests,
                reason: "must be finite and not negative",
            });
        }
        Ok(Self {
            signal,
            timeline,
            config,
            zones: BTreeMap::new(),
            scratch: Vec::new(),
        })
    }

    /// The median latency of the zones other than `skip` that reported one.
    fn peers(&mut self, sample: &ZoneSample, skip: usize) -> Option<f64> {
        self.scratch.clear();
        self.scratch.extend(
            sample
                .zones
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .filter_map(|(_, z)| z.latency),
        );
        median_in_place(&mut self.scratch)
    }
}

impl Detector for NetworkPartition {
    type Input = ZoneSample;

    fn mode(&self) -> FailureMode {
        FailureMode::NetworkPartition
    }

    fn push(&mut self, sample: ZoneSample) -> Result<Vec<Finding>> {
        let at = sample.at;
        self.check_zones(&sample, &BTreeSet::new())?;
        if self.timeline.check(at)? == Step::Restart {
            // After a silence: incidents end, but what each zone's latency usually is holds.
            for state in self.zones.values_mut() {
                state.episode.reset();
                state.window.clear();
            }
        }
        self.timeline.record(at);
        let (all_requests, all_errors) = sample
            .zones
            .iter()
            .fold((0.0, 0.0), |(r, e), z| (r + z.requests, e + z.errors));
        let mut findings = Vec::new();
        for (index, zone) in sample.zones.iter().enumerate() {
            let peer_latency = self.peers(&sample, index);
            let state = match self.zones.get_mut(&zone.zone) {
                Some(state) => state,
                None => self.zones.entry(zone.zone.clone()).or_insert(ZoneState {
                    latency: TrailingWindow::new(self.config.baseline),
                    ratio: TrailingWindow::new(self.config.baseline),
                    episode: Episode::new(self.config.sustain, self.config.clear_after),
                    window: VecDeque::with_capacity(self.config.error_window),
                    errors: CountRate::new(1.0 / self.config.baseline as f64),
                }),
            };
            let latency = zone.latency.unwrap_or(0.0);
            let enough = zone.requests >= self.config.min_requests;
            // A ratio only where both latencies are known and the peers' is positive (no
            // ratio to peers answering in no time).
            let latency_ratio = peer_latency
                .filter(|p| *p > 0.0 && zone.latency.is_some())
                .map(|p| latency / p)
                // A ratio past any metric's range (peers answering in next to no time) is no
                // measure either, and learning it would fail part-way through the sample.
                .filter(|r| *r <= MAX_MAGNITUDE);
            // The baselines' spreads are read only where the peer test passes: they decide
            // nothing elsewhere.
            let own = latency_ratio
                .filter(|r| enough && *r >= self.config.peer_ratio)
                .and_then(|r| {
                    state.surprise(
                        latency,
                        r,
                        self.config.min_relative_spread,
                        &mut self.scratch,
                    )
                });
            let latency_ratio = latency_ratio.unwrap_or(0.0);
            // Judged only past the peer test (above), so this is both tests passing.
            let slow_against = own.filter(|(z, _)| *z >= self.config.own_sigma);
            let slow = slow_against.is_some();
            let [requests, errors, peer_requests, peer_errors] = state.slide(
                self.config.error_window,
                [
                    zone.requests,
                    zone.errors,
                    all_requests - zone.requests,
                    all_errors - zone.errors,
                ],
            );
            // What the other zones failed, and the rate the test takes for them: never under
            // the floor (five minutes of a few dozen requests often hold no error).
            let peer_observed = if peer_requests > 0.0 {
                peer_errors / peer_requests
            } else {
                0.0
            };
            let peer_rate = peer_observed.max(PEER_RATE_FLOOR);
            // The 5xx must be improbable at the peers' rate now and at the zone's own usual
            // rate: at a few dozen requests a minute the peers' five minutes often hold no
            // error, and two stray errors in 140 requests are improbable at the floor alone.
            // The own rate counts up to `min_error_ratio`: a zone that usually fails more is
            // failing, and a failure that grew slowly enough to be learnt (a review's ramp to
            // 5 % over four hours) is still judged against the bar.
            let own_rate = state.errors.rate();
            let tested_rate = peer_rate.max(own_rate.min(self.config.min_error_ratio));
            let error_ratio = if requests > 0.0 {
                errors / requests
            } else {
                0.0
            };
            // The tail is costly and only matters past the ratio test; and only while the zone
            // is failing now (a burst of errors that ended is not an ongoing partition): its
            // newest periods that hold enough requests to show one error at
            // `min_error_ratio`, at most the newer half of the window, hold the errors the bar
            // asks of them. From a hundred requests a minute that is this period alone, and a
            // stray error after a burst is not the burst going on; at 40 a minute, whose
            // periods fail 1.5 % with an error in under half of them, this period alone was
            // never 4 of 5 (the fourth blind game day).
            let tail = if error_ratio >= self.config.min_error_ratio
                && state.failing_now(self.config.min_error_ratio)
            {
                binomial_upper_tail(
                    errors.round() as u64,
                    requests.round() as u64,
                    tested_rate.min(1.0),
                )?
            } else {
                1.0
            };
            let failing = tail < self.config.significance;
            let bad = slow || failing;
            // The zone's own rate learns the periods outside its incidents whose 5xx are not
            // improbable. A failure that starts slowly teaches it too, which is why it counts
            // only up to `min_error_ratio` (above). Learning only the periods whose window is
            // under the bar instead learnt nothing but zeros at a dozen requests a minute,
            // where one error puts a window over it.
            if !failing && !state.episode.is_open() {
                state.errors.push(zone.requests, zone.errors);
            }
            if let Some(ratio) = Some(latency_ratio)
                .filter(|r| *r > 0.0 && enough && !bad && !state.episode.is_open())
            {
                state.latency.push(latency)?;
                state.ratio.push(ratio)?;
            }
            if let Some(start) = state.episode.update(bad, at) {
                let evidence = if let Some((own_z, reference)) = slow_against {
                    Evidence {
                        observed: latency,
                        baseline: peer_latency.unwrap_or(0.0),
                        threshold: self.config.peer_ratio * peer_latency.unwrap_or(0.0),
                        score: latency_ratio,
                        detail: format!(
                            "latency {} is {}x the other zones' median {} \
                             and {own_z:.1} robust σ above {}",
                            Rounded(latency),
                            Rounded(latency_ratio),
                            Rounded(peer_latency.unwrap_or(0.0)),
                            match reference {
                                Reference::OwnLatency(median) => {
                                    format!("its own median {}", Rounded(median))
                                }
                                Reference::RatioToPeers(median) => {
                                    format!("its usual ratio to them ({}x)", Rounded(median))
                                }
                            }
                        ),
                    }
                } else {
                    Evidence {
                        observed: error_ratio,
                        baseline: tested_rate,
                        threshold: self.config.min_error_ratio,
                        score: -tail.max(f64::MIN_POSITIVE).log10(),
                        detail: format!(
                            "{} of {} requests failed with 5xx ({:.2} %) over {} periods while \
                             the other zones {}{} and its own usual rate is {:.3} % \
                             (binomial tail {tail:.1e} at the higher)",
                            Rounded(errors),
                            Rounded(requests),
                            100.0 * error_ratio,
                            state.window.len(),
                            if peer_requests > 0.0 {
                                format!("failed {:.3} %", 100.0 * peer_observed)
                            } else {
                                "served no requests".to_owned()
                            },
                            // The figure tested is not the one observed: say which it was.
                            if peer_observed < PEER_RATE_FLOOR {
                                format!(" (counted as {:.3} %, the floor)", 100.0 * PEER_RATE_FLOOR)
                            } else {
                                String::new()
                            },
                            100.0 * own_rate
                        ),
                    }
                };
                findings.push(Finding::new(
                    FailureMode::NetworkPartition,
                    self.config.severity,
                    &zone.zone,
                    start,
                    at,
                    evidence,
                ));
            }
        }
        Ok(findings)
    }
}

impl MetricDetector for NetworkPartition {
    fn observed_at(input: &ZoneSample) -> Option<DateTime<Utc>> {
        Some(input.at)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.timeline.last()
    }

    fn check(&self, inputs: &[ZoneSample]) -> Result<()> {
        let mut added = BTreeSet::new();
        for sample in inputs {
            self.check_zones(sample, &added)?;
            added.extend(
                sample
                    .zones
                    .iter()
                    .map(|zone| zone.zone.as_str())
                    .filter(|zone| !self.zones.contains_key(*zone)),
            );
        }
        Ok(())
    }

    fn queries(&self) -> Result<Vec<MetricQuery>> {
        let s = &self.signal;
        let mut queries = Vec::with_capacity(3 * s.zones.len());
        for (i, zone) in s.zones.iter().enumerate() {
            let metrics = s.zone_metrics(zone)?;
            queries.push(MetricQuery::stat(
                &format!("latency_{i}"),
                metrics.latency,
                Statistic::Percentile(95.0),
                s.period,
            )?);
            for (id, metric) in [
                (format!("requests_{i}"), metrics.requests),
                (format!("errors_{i}"), metrics.target_5xx),
                (format!("elb_errors_{i}"), metrics.elb_5xx),
            ] {
                queries.push(MetricQuery::stat(&id, metric, Statistic::Sum, s.period)?);
            }
        }
        Ok(queries)
    }

    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<ZoneSample>> {
        let mut by_time: BTreeMap<DateTime<Utc>, Vec<ZoneObservation>> = BTreeMap::new();
        for (i, zone) in self.signal.zones.iter().enumerate() {
            let ids = [
                format!("requests_{i}"),
                format!("latency_{i}"),
                format!("errors_{i}"),
                format!("elb_errors_{i}"),
            ];
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            // CloudWatch omits empty periods: no 5xx point means none; a zone with no data at
            // all took no traffic in the range and is simply absent.
            let rows = match join_any(fetched, &ids) {
                Err(Error::NoData { .. }) => continue,
                rows => rows?,
            };
            for (at, values) in rows {
                let requests = values[0].unwrap_or(0.0);
                let (target, elb) = (values[2].unwrap_or(0.0), values[3].unwrap_or(0.0));
                // A bad count is kept as it is, for the check to refuse by its value: summed,
                // a negative one would cancel the other, and `min` drops a NaN.
                let errors = match (is_count(target), is_count(elb)) {
                    (false, _) => target,
                    (true, false) => elb,
                    // The load balancer's own 5xx may include requests it never counted.
                    (true, true) => (target + elb).min(requests),
                };
                by_time.entry(at).or_default().push(ZoneObservation {
                    zone: zone.clone(),
                    latency: values[1],
                    requests,
                    errors,
                });
            }
        }
        if by_time.is_empty() {
            return Err(Error::NoData {
                id: "requests_0".to_owned(),
            });
        }
        Ok(by_time
            .into_iter()
            .map(|(at, zones)| ZoneSample { at, zones })
            .collect())
    }
}
