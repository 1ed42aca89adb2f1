//! F7 public data leak: a bucket the public can read, and a spike of requests to it.

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{Severity, Sustained};

use crate::detector::{Detector, MetricDetector, join};
use crate::episode::Episode;
use crate::error::{Result, count, fraction, positive};
use crate::finding::{Evidence, Finding};
use crate::mode::FailureMode;
use crate::stats::{Ewma, poisson_upper_tail};
use crate::timeline::{Step, Timeline};
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
pub struct LeakConfig {
    /// A period's requests must be this improbable under the bucket's Poisson baseline …
    pub significance: f64,
    /// … and at least this multiple of it, to be a spike.
    pub min_ratio: f64,
    /// Floor of the baseline requests per period.
    pub min_baseline: f64,
    /// Weight of the newest period in the baseline (EWMA).
    pub baseline_alpha: f64,
    /// Periods seen before a spike can be judged.
    pub warm_up: u32,
    /// N of M spiking periods before a page.
    pub sustain: Sustained,
    /// Quiet periods that end a spike.
    pub clear_after: u32,
    /// A longer silence restarts the warm-up.
    pub max_gap: TimeDelta,
}

impl Default for LeakConfig {
    fn default() -> Self {
        Self {
            significance: 1e-9,
            min_ratio: 3.0,
            min_baseline: 1.0,
            baseline_alpha: 0.02,
            warm_up: 60,
            sustain: const { Sustained::of(2, 3) },
            clear_after: 15,
            max_gap: TimeDelta::minutes(30),
        }
    }
}

/// F7: a publicly accessible bucket, and people using that.
///
/// The bucket's [`BucketExposure`] facts decide whether it is public. A public bucket is a
/// finding on the first observation (ticket: misconfigured, nobody seen exploiting it yet); a
/// public bucket whose requests spike — improbable under a Poisson law with the bucket's usual
/// rate and at least [`LeakConfig::min_ratio`] × it, sustained — pages (data loss in
/// progress). Spikes on a private bucket are not F7. Update the facts with
/// [`PublicDataLeak::set_exposure`] when they change. Evidence score: `-log10` of the tail.
///
/// Signal: `AWS/S3` `GetRequests` (`Sum`, dimensions `BucketName` and `FilterId`, 60 s; S3
/// publishes request metrics only for buckets with a request-metrics filter, here one named
/// `EntireBucket`).
///
/// # Example
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{AccessSample, AclGrant, BucketExposure, Detector, Grantee, Permission, PublicDataLeak};
/// use sli_core::Severity;
///
/// let mut facts = BucketExposure::new("exports");
/// facts.acl_grants.push(AclGrant { grantee: Grantee::AllUsers, permission: Permission::Read });
/// let mut f7 = PublicDataLeak::new(facts, Default::default())?;
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// let findings = f7.detect((0..200).map(|m| AccessSample {
///     at: t0 + Duration::minutes(m),
///     requests: if m >= 150 { 5000.0 } else { 20.0 + (m % 5) as f64 },
/// }))?;
/// assert_eq!(findings.len(), 2);
/// assert_eq!(findings[0].severity, Severity::Ticket);
/// assert_eq!(findings[1].severity, Severity::Page);
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PublicDataLeak {
    facts: BucketExposure,
    exposure: Exposure,
    reported_exposure: bool,
    config: LeakConfig,
    timeline: Timeline,
    baseline: Ewma,
    episode: Episode,
    seen: u32,
    period: Period,
}

impl PublicDataLeak {
    /// A detector for one bucket.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for a significance outside
    /// (0, 1] or non-positive ratios.
    pub fn new(facts: BucketExposure, config: LeakConfig) -> Result<Self> {
        fraction("significance", config.significance)?;
        positive("min_ratio", config.min_ratio)?;
        positive("min_baseline", config.min_baseline)?;
        Ok(Self {
            exposure: facts.exposure(),
            facts,
            reported_exposure: false,
            timeline: Timeline::new(config.max_gap),
            baseline: Ewma::new(config.baseline_alpha)?,
            episode: Episode::new(config.sustain, config.clear_after),
            config,
            seen: 0,
            period: Period::new(60)?,
        })
    }

    /// Replaces the facts (after a new scan); a bucket that becomes public is reported again.
    pub fn set_exposure(&mut self, facts: BucketExposure) {
        let exposure = facts.exposure();
        if exposure != self.exposure {
            self.reported_exposure = false;
        }
        self.exposure = exposure;
        self.facts = facts;
    }

    /// The current verdict.
    pub fn exposure(&self) -> &Exposure {
        &self.exposure
    }

    /// The ticket for a public bucket, once per exposure (also raised by the first
    /// [`Detector::push`]): for buckets without S3 request metrics, call this after each scan.
    ///
    /// ```
    /// use chrono::Utc;
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
            Severity::Ticket,
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
}

impl Detector for PublicDataLeak {
    type Input = AccessSample;

    fn mode(&self) -> FailureMode {
        FailureMode::PublicDataLeak
    }

    fn push(&mut self, sample: AccessSample) -> Result<Vec<Finding>> {
        let at = sample.at;
        let requests = count("requests", sample.requests, at)?;
        if self.timeline.check(at)? == Step::Restart {
            self.baseline = Ewma::new(self.config.baseline_alpha)?;
            self.episode.reset();
            self.seen = 0;
        }
        self.timeline.record(at);
        self.seen = self.seen.saturating_add(1);
        let usual = self
            .baseline
            .mean()
            .unwrap_or(0.0)
            .max(self.config.min_baseline);
        // The tail is costly and only matters past the ratio test.
        let tail = if requests >= self.config.min_ratio * usual {
            poisson_upper_tail(requests.round() as u64, usual)?
        } else {
            1.0
        };
        let spike = self.seen > self.config.warm_up && tail < self.config.significance;
        if !spike && !self.episode.is_open() {
            self.baseline.push(requests);
        }
        let opened = self.episode.update(spike, at);
        if !matches!(self.exposure, Exposure::Public(_)) {
            return Ok(Vec::new());
        }
        let mut findings: Vec<Finding> = self.assess(at).into_iter().collect();
        if let Some(start) = opened
            && let Exposure::Public(reasons) = &self.exposure
        {
            let reasons = reasons.join("; ");
            findings.push(Finding::new(
                FailureMode::PublicDataLeak,
                Severity::Page,
                &self.facts.bucket,
                start,
                at,
                Evidence {
                    observed: requests,
                    baseline: usual,
                    threshold: self.config.min_ratio * usual,
                    score: -tail.max(f64::MIN_POSITIVE).log10(),
                    detail: format!(
                        "{requests} requests against a usual {usual:.1} to a public bucket \
                         ({reasons}; Poisson tail {tail:.1e})"
                    ),
                },
            ));
        }
        Ok(findings)
    }
}

impl MetricDetector for PublicDataLeak {
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
