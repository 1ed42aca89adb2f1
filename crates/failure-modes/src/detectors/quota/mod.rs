//! F3 service quota hit: usage against the applied quota, with a trend forecast of when it
//! runs out.

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{Severity, Sustained};

use crate::detector::{Detector, MetricDetector, join};
use crate::episode::Escalation;
use crate::error::{Error, Result, count, fraction, positive};
use crate::finding::{Evidence, Finding, Rounded};
use crate::mode::FailureMode;
use crate::stats::{LineSums, LinearTrend, RollingMax};
use crate::timeline::{Step, Timeline, project, projection_delta};

/// The quota and the CloudWatch usage metric F3 reads.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct QuotaSignal {
    /// The quota's name, e.g. `"Running On-Demand Standard instances (vCPU)"`.
    pub quota: String,
    /// The applied quota value (from Service Quotas `GetServiceQuota`).
    pub limit: f64,
    /// The usage metric (usually in `AWS/Usage`), read with `Maximum`.
    pub usage: Metric,
    /// The period.
    pub period: Period,
}

impl QuotaSignal {
    /// An `AWS/Usage` `ResourceCount` metric (dimensions `Service`, `Type` = `Resource`,
    /// `Resource`, `Class`), `Maximum`, 300 s — the metric Service Quotas names for most
    /// resource quotas, e.g. `("EC2", "vCPU", "Standard/OnDemand")`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for a limit that is not positive;
    /// [`Error::Query`](crate::Error::Query) for names CloudWatch would refuse.
    pub fn resource_count(
        quota: &str,
        limit: f64,
        service: &str,
        resource: &str,
        class: &str,
    ) -> Result<Self> {
        positive("limit", limit)?;
        Ok(Self {
            quota: quota.to_owned(),
            limit,
            usage: Metric::new("AWS/Usage", "ResourceCount")?
                .with_dimension("Service", service)?
                .with_dimension("Type", "Resource")?
                .with_dimension("Resource", resource)?
                .with_dimension("Class", class)?,
            period: Period::new(300)?,
        })
    }
}

impl QuotaSignal {
    /// The signal of a quota as Service Quotas reports it (an
    /// [`aws_telemetry::QuotaSource`], e.g. `ServiceQuotasSource` or
    /// [`aws_telemetry::InMemoryQuotaSource`]): its name, applied value and usage metric, read
    /// with `Maximum` over 300 s.
    ///
    /// # Errors
    /// [`Error::UnusableFact`] for a quota without an applied value or without a usage metric,
    /// or whose usage metric Service Quotas recommends reading with a statistic other than
    /// `Maximum` (a rate quota's `Sum` per period is not comparable with the limit);
    /// [`Error::InvalidConfig`] for a limit that is not positive;
    /// [`Error::Query`] for names CloudWatch would refuse.
    ///
    /// # Example
    /// ```
    /// use failure_modes::{Quota, UsageMetric};
    /// use failure_modes::QuotaSignal;
    ///
    /// let quota = Quota::new("ec2", "L-1216C47A", "Running On-Demand Standard instances")
    ///     .with_value(1152.0)
    ///     .with_adjustable(true)
    ///     .with_unit("None")
    ///     .with_usage_metric(
    ///         UsageMetric::new("AWS/Usage", "ResourceCount")
    ///             .with_dimension("Service", "EC2")
    ///             .with_dimension("Resource", "vCPU")
    ///             .with_statistic("Maximum"),
    ///     );
    /// let signal = QuotaSignal::from_quota(&quota)?;
    /// assert_eq!(signal.limit, 1152.0);
    /// assert_eq!(signal.usage.name(), "ResourceCount");
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn from_quota(quota: &aws_telemetry::Quota) -> Result<Self> {
        let subject = || format!("quota {}/{}", quota.service_code, quota.quota_code);
        let limit = quota.value.ok_or_else(|| Error::UnusableFact {
            subject: subject(),
            reason: "Service Quotas gives no applied value".to_owned(),
        })?;
        let metric = quota
            .usage_metric
            .as_ref()
            .ok_or_else(|| Error::UnusableFact {
                subject: subject(),
                reason: "Service Quotas names no usage metric: usage cannot be fetched".to_owned(),
            })?;
        match metric.statistic()? {
            None | Some(Statistic::Maximum) => {}
            Some(other) => {
                return Err(Error::UnusableFact {
                    subject: subject(),
                    reason: format!(
                        "its usage metric is read with {other}, and F3 compares the Maximum with the limit"
                    ),
                });
            }
        }
        positive("limit", limit)?;
        Ok(Self {
            quota: quota.name.clone(),
            limit,
            usage: metric.metric()?,
            period: Period::new(300)?,
        })
    }
}

/// Usage in one period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuotaSample {
    /// Start of the period.
    pub at: DateTime<Utc>,
    /// Usage, in the quota's unit.
    pub usage: f64,
}

/// Settings of [`ServiceQuotaHit`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct QuotaConfig {
    blocked_share: f64,
    warn_share: f64,
    horizon: TimeDelta,
    forecast_from_share: f64,
    peak_window: usize,
    trend_window: usize,
    sustain: Sustained,
    clear_after: u32,
    max_gap: TimeDelta,
    warning_severity: Severity,
    blocked_severity: Severity,
}

crate::settings::settings!(QuotaConfig {
    /// Usage at this share of the limit blocks scaling: page.
    blocked_share, with_blocked_share: f64;
    /// Usage at this share of the limit is a ticket whatever the trend (0.8: AWS Trusted
    /// Advisor's service limit checks warn at 80 % of a limit).
    warn_share, with_warn_share: f64;
    /// A forecast of exhaustion within this horizon is a ticket …
    horizon, with_horizon: TimeDelta;
    /// … once usage is at least this share of the limit (a forecast from 2 % of a quota is
    /// mostly noise).
    forecast_from_share, with_forecast_from_share: f64;
    /// Periods over which the peak is taken (one day: usage peaks daily, and it is the peak
    /// that hits the quota).
    peak_window, with_peak_window: usize;
    /// Periods in the trend window over those peaks. A forecast needs the line to rise over
    /// this window and over the one before it (one day each: a step in usage raises the peak
    /// in one of two days only, and on a daily cycle every whole day holds one morning ramp).
    /// Forecasts start once one peak window and two trend windows have been seen (the first
    /// day's peak rises with the day's ramp and says nothing about growth).
    trend_window, with_trend_window: usize;
    /// N of M bad periods before a finding.
    sustain, with_sustain: Sustained;
    /// Good periods that end an incident.
    clear_after, with_clear_after: u32;
    /// A longer silence restarts the trend.
    max_gap, with_max_gap: TimeDelta;
    /// Severity at `warn_share` or a forecast within `horizon` (ticket: a quota increase takes
    /// days to weeks to be granted, so it is a work item, not an emergency).
    warning_severity, with_warning_severity: Severity;
    /// Severity at `blocked_share` (page: scaling is blocked, an outage for whatever needs
    /// the capacity).
    blocked_severity, with_blocked_severity: Severity;
});

impl Default for QuotaConfig {
    fn default() -> Self {
        Self {
            blocked_share: 1.0,
            warn_share: 0.8,
            horizon: TimeDelta::days(7),
            forecast_from_share: 0.5,
            peak_window: 288,
            trend_window: 288,
            sustain: const { Sustained::of(3, 3) },
            clear_after: 12,
            max_gap: TimeDelta::hours(2),
            warning_severity: Severity::Ticket,
            blocked_severity: Severity::Page,
        }
    }
}

/// F3: usage reaching an account limit.
///
/// Page when usage reaches [`QuotaConfig::blocked_share`] of the limit (scaling is blocked
/// now). Ticket when usage passes [`QuotaConfig::warn_share`], or when a least-squares trend
/// of the daily peak (the maximum over [`QuotaConfig::peak_window`] periods) over the last
/// [`QuotaConfig::trend_window`] periods reaches the limit within [`QuotaConfig::horizon`],
/// and so does the line at the slope of the trend window before it (the later of the two
/// forecasts decides). Trending the peak rather than the raw usage keeps a daily cycle from
/// reading as growth: the morning ramp of a service is not a leak; asking two windows in a
/// row to rise keeps a step (a deploy, a load test, a weekday after a weekend) from reading as
/// one; and it is extrapolated only while usage is near the day's peak, so that a leak fixed
/// (usage falling while the day's peak remembers it) is not re-reported as "exhaustion now".
/// The finding's `forecast` is the exhaustion time on the current window's line (the best
/// estimate of the date; the later one that decided the ticket is the cautious one); at or
/// over the quota there is none (it is reached) and the detail ends ", reached". Each
/// severity is reported once per incident, so a ticket days ahead can be followed by a page.
/// The forecast counts one sample per [`QuotaSignal::period`]: feed samples at that cadence
/// (gaps shorter than `max_gap` stretch it).
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{Detector, QuotaSample, QuotaSignal, ServiceQuotaHit};
/// use failure_modes::Severity;
///
/// let signal = QuotaSignal::resource_count("On-Demand vCPU", 1000.0, "EC2", "vCPU", "Standard/OnDemand")?;
/// let mut f3 = ServiceQuotaHit::new(signal, Default::default())?;
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// // Growing 1 vCPU per 10 minutes from 300: a ticket days ahead, a page at the limit.
/// let findings = f3.detect((0..1500).map(|i| QuotaSample {
///     at: t0 + Duration::minutes(5 * i),
///     usage: (300.0 + 0.5 * i as f64).min(1000.0),
/// }))?;
/// assert_eq!(findings[0].severity, Severity::Ticket);
/// assert!(findings[0].forecast.is_some());
/// assert_eq!(findings.last().unwrap().severity, Severity::Page);
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ServiceQuotaHit {
    signal: QuotaSignal,
    config: QuotaConfig,
    timeline: Timeline,
    peak: RollingMax,
    trend: LinearTrend,
    /// The trend's sums after each of the last `trend_window` samples: the oldest is the
    /// window before the current one.
    earlier: SumsRing,
    seen: usize,
    escalation: Escalation,
}

impl ServiceQuotaHit {
    /// A detector for `signal`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for shares outside (0, 1] (the
    /// blocked share may be above 1 for soft limits), a `warn_share` above `blocked_share`, a
    /// trend window below 2, a `peak_window` or `trend_window` above `stats::MAX_WINDOW`
    /// (2^20 periods), a `max_gap` that is not positive, a `clear_after` outside `1..=10080`.
    pub fn new(signal: QuotaSignal, config: QuotaConfig) -> Result<Self> {
        crate::error::periods("clear_after", config.clear_after)?;
        positive("limit", signal.limit)?;
        let timeline = Timeline::new(config.max_gap)?;
        positive("blocked_share", config.blocked_share)?;
        fraction("warn_share", config.warn_share)?;
        fraction("forecast_from_share", config.forecast_from_share)?;
        crate::error::ticket_not_above_page(
            "warn_share",
            config.warn_share,
            config.blocked_share,
            "must not be above blocked_share (the page share)",
        )?;
        positive("horizon", config.horizon.as_seconds_f64())?;
        Ok(Self {
            peak: RollingMax::new(config.peak_window)
                .map_err(|e| e.in_field("peak_window", config.peak_window as f64))?,
            trend: LinearTrend::new(config.trend_window)
                .map_err(|e| e.in_field("trend_window", config.trend_window as f64))?,
            earlier: SumsRing::new(config.trend_window),
            seen: 0,
            timeline,
            escalation: Escalation::new(config.sustain, config.clear_after),
            signal,
            config,
        })
    }
}

impl Detector for ServiceQuotaHit {
    type Input = QuotaSample;

    fn mode(&self) -> FailureMode {
        FailureMode::ServiceQuotaHit
    }

    fn push(&mut self, sample: QuotaSample) -> Result<Vec<Finding>> {
        let at = sample.at;
        let usage = count("usage", sample.usage, at)?;
        if self.timeline.check(at)? == Step::Restart {
            self.peak = RollingMax::new(self.config.peak_window)?;
            self.trend = LinearTrend::new(self.config.trend_window)?;
            self.earlier.clear();
            self.seen = 0;
            self.escalation.reset();
        }
        self.timeline.record(at);
        self.peak.push(usage)?;
        self.trend.push(self.peak.max().unwrap_or(usage))?;
        // The window that ended `trend_window` samples ago, before this sample's sums take
        // its place.
        let earlier = self.earlier.replace_oldest(self.trend.sums());
        let limit = self.signal.limit;
        let share = usage / limit;
        self.seen = self.seen.saturating_add(1);
        // Forecasts from near the day's peak only: after a leak is fixed, usage falls while the
        // day's peak still remembers it, and "exhaustion now" would be a false alarm.
        let forecasting = self.seen >= self.config.peak_window + 2 * self.config.trend_window
            && usage >= 0.9 * self.peak.max().unwrap_or(usage);
        // The forecast is worked out only where it can decide something (usage between the
        // forecast share and the warning share) or for a finding: the trend's divisions and the
        // date arithmetic are the most of a sample's cost.
        let trend = &self.trend;
        let signal_period = self.signal.period;
        let period = || signal_period.as_time_delta().as_seconds_f64();
        // The current window's line: the finding's exhaustion time.
        let steps = || {
            if forecasting {
                trend.steps_until(limit)
            } else {
                None
            }
        };
        // What decides a forecast ticket: the later of that line's forecast and the one at the
        // earlier window's slope, none unless both rise — also when the line is already at the
        // limit, which a least-squares line through a large step can overshoot to.
        let sustained_steps = || {
            if forecasting {
                trend.later_steps_until(limit, earlier.and_then(LineSums::slope))
            } else {
                None
            }
        };
        let exhaustion = || steps().and_then(|s| project(at, s, period()));
        // `when − at` is the projection's delta itself, so the horizon is judged without date
        // arithmetic; the time is worked out when within it (it may be beyond chrono's range)
        // or for a finding. Not for a time inside a leap second, where adding is not exact.
        let horizon = self.config.horizon;
        let within_horizon = || {
            let steps = sustained_steps();
            if at.timestamp_subsec_nanos() < 1_000_000_000 {
                steps
                    .and_then(|s| projection_delta(s, period()))
                    .is_some_and(|d| d <= horizon && at.checked_add_signed(d).is_some())
            } else {
                steps
                    .and_then(|s| project(at, s, period()))
                    .is_some_and(|when| when - at <= horizon)
            }
        };
        let blocked = share >= self.config.blocked_share;
        let warn = share >= self.config.warn_share
            || (share >= self.config.forecast_from_share && within_horizon());
        let (ticket, page) = self.escalation.update_each(warn, blocked, at);
        if ticket.is_none() && page.is_none() {
            // Most samples: the empty result built where it is returned, not copied there.
            return Ok(Vec::new());
        }
        let opened = ticket
            .map(|start| (Severity::Ticket, start))
            .into_iter()
            .chain(page.map(|start| (Severity::Page, start)));
        let mut findings = Vec::new();
        for (level, start) in opened {
            let severity = match level {
                Severity::Page => self.config.blocked_severity,
                _ => self.config.warning_severity,
            };
            // At or over the quota, it is reached: a line through the climb (which lags a
            // step) would still date it in the future (the sixth blind game day).
            let exhaustion = if share >= 1.0 { None } else { exhaustion() };
            let forecast_text = match exhaustion {
                Some(when) if when > at => format!(", projected to reach it at {when}"),
                Some(_) => String::new(),
                None if share >= 1.0 => ", reached".to_owned(),
                None => ", not rising towards it".to_owned(),
            };
            findings.push(
                Finding::new(
                    FailureMode::ServiceQuotaHit,
                    severity,
                    &self.signal.quota,
                    start,
                    at,
                    Evidence {
                        observed: usage,
                        baseline: self.trend.level().unwrap_or(usage),
                        // A forecast-triggered ticket crossed nothing yet: its line is the limit
                        // the trend reaches.
                        threshold: limit
                            * match level {
                                Severity::Page => self.config.blocked_share,
                                _ if share >= self.config.warn_share => self.config.warn_share,
                                _ => 1.0,
                            },
                        score: share,
                        detail: format!(
                            "usage {} is {:.1} % of the quota {}{forecast_text}",
                            Rounded(usage),
                            100.0 * share,
                            Rounded(limit)
                        ),
                    },
                )
                .with_forecast(exhaustion),
            );
        }
        Ok(findings)
    }
}

/// The last `capacity` [`LineSums`] in a ring allocated once (a `VecDeque` grew it from empty
/// for each detector and paid for its bookkeeping per sample).
#[derive(Debug, Clone)]
struct SumsRing {
    capacity: usize,
    sums: Vec<LineSums>,
    /// The oldest once full.
    oldest: usize,
}

impl SumsRing {
    fn new(capacity: usize) -> Self {
        Self {
            capacity,
            sums: Vec::with_capacity(capacity),
            oldest: 0,
        }
    }

    /// Adds `sums`; returns the oldest, which they replace, once `capacity` are held.
    #[inline(always)]
    fn replace_oldest(&mut self, sums: LineSums) -> Option<LineSums> {
        if let Some(slot) = self.sums.get_mut(self.oldest) {
            let oldest = std::mem::replace(slot, sums);
            self.oldest += 1;
            if self.oldest == self.capacity {
                self.oldest = 0;
            }
            Some(oldest)
        } else {
            self.sums.push(sums);
            if self.sums.len() < self.capacity {
                self.oldest = self.sums.len();
            } else {
                self.oldest = 0;
            }
            None
        }
    }

    fn clear(&mut self) {
        self.sums.clear();
        self.oldest = 0;
    }
}

impl MetricDetector for ServiceQuotaHit {
    fn observed_at(input: &QuotaSample) -> Option<DateTime<Utc>> {
        Some(input.at)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.timeline.last()
    }

    fn check(&self, inputs: &[QuotaSample]) -> Result<()> {
        inputs
            .iter()
            .try_for_each(|input| count("usage", input.usage, input.at).map(drop))
    }

    fn queries(&self) -> Result<Vec<MetricQuery>> {
        Ok(vec![MetricQuery::stat(
            "usage",
            self.signal.usage.clone(),
            Statistic::Maximum,
            self.signal.period,
        )?])
    }

    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<QuotaSample>> {
        Ok(join(fetched, &["usage"], &[])?
            .into_iter()
            .map(|(at, values, _)| QuotaSample {
                at,
                usage: values[0],
            })
            .collect())
    }
}

#[cfg(test)]
mod bit_identity;
