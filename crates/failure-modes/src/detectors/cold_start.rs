//! F5 cold start latency: a function's p95 duration rising above its warm baseline together
//! with a rise in concurrency (new execution environments) or reported init durations.

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{Severity, Sustained};

use crate::detector::{Detector, MetricDetector, join};
use crate::episode::Episode;
use crate::error::{Result, count, positive};
use crate::finding::{Evidence, Finding, Rounded};
use crate::mode::FailureMode;
use crate::stats::{Ewma, RobustBaseline};
use crate::timeline::{Step, Timeline};

/// The CloudWatch metrics F5 reads for one function.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ColdStartSignal {
    /// The function name.
    pub function: String,
    /// The latency whose p95 is judged.
    pub latency: Metric,
    /// Concurrent executions, read with `Maximum`: `AWS/Lambda` `ConcurrentExecutions`.
    pub concurrency: Metric,
    /// Init durations, read with `Maximum`: `LambdaInsights` `init_duration` (published only
    /// where Lambda Insights is enabled; optional).
    pub init_duration: Metric,
    /// The period.
    pub period: Period,
}

impl ColdStartSignal {
    /// The function's own `AWS/Lambda` `Duration` (`p95`), with `ConcurrentExecutions`
    /// (`Maximum`), dimension `FunctionName`, 60 s; and, where Lambda Insights is enabled,
    /// `LambdaInsights` `init_duration` (`Maximum`, dimension `function_name`).
    ///
    /// `Duration` does not include the init phase: it rises with cold starts only through the
    /// first invocation's extra work (lazy loading, connections). When the function serves an
    /// API, [`ColdStartSignal::api_gateway`] judges the latency callers see, init included.
    ///
    /// # Errors
    /// [`Error::Query`](crate::Error::Query) for a name CloudWatch would refuse.
    pub fn lambda(function: &str) -> Result<Self> {
        Ok(Self {
            function: function.to_owned(),
            latency: Metric::new("AWS/Lambda", "Duration")?
                .with_dimension("FunctionName", function)?,
            concurrency: Metric::new("AWS/Lambda", "ConcurrentExecutions")?
                .with_dimension("FunctionName", function)?,
            init_duration: Metric::new("LambdaInsights", "init_duration")?
                .with_dimension("function_name", function)?,
            period: Period::new(60)?,
        })
    }

    /// The latency callers see through API Gateway: `AWS/ApiGateway` `Latency` (`p95`,
    /// dimension `ApiName`), with the function's concurrency and init durations as in
    /// [`ColdStartSignal::lambda`].
    ///
    /// # Errors
    /// [`Error::Query`](crate::Error::Query) for a name CloudWatch would refuse.
    pub fn api_gateway(api: &str, function: &str) -> Result<Self> {
        Ok(Self {
            latency: Metric::new("AWS/ApiGateway", "Latency")?.with_dimension("ApiName", api)?,
            ..Self::lambda(function)?
        })
    }
}

/// One period of a function.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColdStartSample {
    /// Start of the period.
    pub at: DateTime<Utc>,
    /// p95 duration, milliseconds.
    pub p95_ms: f64,
    /// Concurrent executions (maximum in the period).
    pub concurrency: f64,
    /// Longest init duration in the period, milliseconds, when Lambda Insights reports one.
    pub init_ms: Option<f64>,
}

/// Settings of [`ColdStartLatency`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ColdStartConfig {
    baseline: usize,
    min_ratio: f64,
    min_sigma: f64,
    min_relative_spread: f64,
    concurrency_rise: f64,
    concurrency_alpha: f64,
    sustain: Sustained,
    clear_after: u32,
    max_gap: TimeDelta,
    severity: Severity,
}

crate::settings::settings!(ColdStartConfig {
    /// The warm p95 baseline, in periods (120: two hours of one-minute periods, a round
    /// value; the median of 120 values moves by about 0.11 σ of noise).
    baseline, with_baseline: usize;
    /// p95 must be at least this multiple of the warm median (1.5, a round value) …
    min_ratio, with_min_ratio: f64;
    /// … and this many robust σ above it (4: a normal tail of 3 × 10⁻⁵, about one fluke
    /// minute in three weeks before the N-of-M rule; heavier tails make flukes more common).
    min_sigma, with_min_sigma: f64;
    /// Floor of the warm spread, as a share of its median.
    min_relative_spread, with_min_relative_spread: f64;
    /// Concurrency at least this multiple of its recent average counts as a scale-out (1.3, a
    /// round value).
    concurrency_rise, with_concurrency_rise: f64;
    /// Weight of the newest period in the concurrency average (EWMA; 0.05 remembers about
    /// 1/α = 20 periods, a round value).
    concurrency_alpha, with_concurrency_alpha: f64;
    /// N of M bad periods before a finding (3 of 5, a round value: most of five minutes).
    sustain, with_sustain: Sustained;
    /// Good periods that end an incident.
    clear_after, with_clear_after: u32;
    /// A longer silence ends any incident in progress (the warm baseline is kept).
    max_gap, with_max_gap: TimeDelta;
    /// Severity (ticket: a non-urgent degradation; a breached latency SLO pages through the
    /// SLO's own alerting).
    severity, with_severity: Severity;
});

impl Default for ColdStartConfig {
    fn default() -> Self {
        Self {
            baseline: 120,
            min_ratio: 1.5,
            min_sigma: 4.0,
            min_relative_spread: 0.05,
            concurrency_rise: 1.3,
            concurrency_alpha: 0.05,
            sustain: const { Sustained::of(3, 5) },
            clear_after: 15,
            max_gap: TimeDelta::minutes(30),
            severity: Severity::Ticket,
        }
    }
}

/// F5: slow responses from Lambda cold starts.
///
/// A period is bad when p95 duration is at least [`ColdStartConfig::min_ratio`] × and
/// [`ColdStartConfig::min_sigma`] robust σ above the warm baseline (the trailing median of
/// good periods) **and** the slowness is tied to cold starts: concurrency is at least
/// [`ColdStartConfig::concurrency_rise`] × its recent average, or Lambda Insights reports
/// init durations. Slowness without either is a latency regression of another cause (the
/// SLO's business), not F5. Sustained, severity ticket (a non-urgent degradation; a breached
/// latency SLO pages through `sli-core`). Evidence score: p95 / warm median.
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{ColdStartLatency, ColdStartSample, ColdStartSignal, Detector};
///
/// let mut f5 = ColdStartLatency::new(ColdStartSignal::lambda("resize")?, Default::default())?;
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// let findings = f5.detect((0..300).map(|m| {
///     let burst = (200..215).contains(&m);
///     ColdStartSample {
///         at: t0 + Duration::minutes(m),
///         p95_ms: if burst { 900.0 } else { 120.0 + (m % 7) as f64 },
///         concurrency: if burst { 80.0 } else { 10.0 },
///         init_ms: burst.then_some(650.0),
///     }
/// }))?;
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].start, t0 + Duration::minutes(200));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ColdStartLatency {
    signal: ColdStartSignal,
    config: ColdStartConfig,
    timeline: Timeline,
    warm: RobustBaseline,
    concurrency: Ewma,
    episode: Episode,
}

impl ColdStartLatency {
    /// A detector for `signal`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for non-positive ratios or
    /// `max_gap`, a zero baseline, or a `clear_after` outside `1..=10080`.
    pub fn new(signal: ColdStartSignal, config: ColdStartConfig) -> Result<Self> {
        crate::error::periods("clear_after", config.clear_after)?;
        positive("min_ratio", config.min_ratio)?;
        let timeline = Timeline::new(config.max_gap)?;
        positive("min_sigma", config.min_sigma)?;
        positive("min_relative_spread", config.min_relative_spread)?;
        positive("concurrency_rise", config.concurrency_rise)?;
        Ok(Self {
            signal,
            timeline,
            warm: RobustBaseline::new(config.baseline)
                .map_err(|e| e.in_field("baseline", config.baseline as f64))?,
            concurrency: Ewma::new(config.concurrency_alpha)
                .map_err(|e| e.in_field("concurrency_alpha", config.concurrency_alpha))?,
            episode: Episode::new(config.sustain, config.clear_after),
            config,
        })
    }
}

impl Detector for ColdStartLatency {
    type Input = ColdStartSample;

    fn mode(&self) -> FailureMode {
        FailureMode::ColdStartLatency
    }

    fn push(&mut self, sample: ColdStartSample) -> Result<Vec<Finding>> {
        let at = sample.at;
        let (p95, concurrency, init) = checked_sample(&sample)?;
        if self.timeline.check(at)? == Step::Restart {
            // After a silence (a quiet night publishes nothing): an incident in progress ends,
            // but the warm latency and usual concurrency hold: the detector is not blind.
            self.episode.reset();
        }
        self.timeline.record(at);
        let usual_concurrency = self.concurrency.mean();
        let scaled_out = usual_concurrency
            .is_some_and(|usual| concurrency >= self.config.concurrency_rise * usual.max(1.0));
        let median = self.warm.median().unwrap_or(0.0);
        // An init as long as a warm request is what a caller notices; a short one is not the
        // cause of a slow p95.
        let cold = scaled_out || init.is_some_and(|ms| ms >= median);
        let floor = (self.config.min_relative_spread * median).max(f64::MIN_POSITIVE);
        let z = if self.warm.is_full() {
            self.warm.robust_z(p95, floor)
        } else {
            None
        };
        let slow =
            p95 >= self.config.min_ratio * median && z.is_some_and(|z| z >= self.config.min_sigma);
        let bad = slow && cold;
        // Learn everything that is not a cold-start incident: a slowdown of another cause (a
        // deploy, a slower dependency) becomes the new warm normal instead of freezing it.
        if !bad && !self.episode.is_open() {
            self.warm.push(p95)?;
            self.concurrency.push(concurrency)?;
        }
        let Some(start) = self.episode.update(bad, at) else {
            return Ok(Vec::new());
        };
        let cause = match (init, scaled_out) {
            (Some(ms), true) => format!(
                "concurrency {concurrency} vs a usual {:.1}, init durations up to {ms} ms",
                usual_concurrency.unwrap_or(0.0)
            ),
            (Some(ms), false) => format!("init durations up to {ms} ms"),
            (None, _) => format!(
                "concurrency {} vs a usual {}",
                Rounded(concurrency),
                Rounded(usual_concurrency.unwrap_or(0.0))
            ),
        };
        Ok(vec![Finding::new(
            FailureMode::ColdStartLatency,
            self.config.severity,
            &self.signal.function,
            start,
            at,
            Evidence {
                observed: p95,
                baseline: median,
                threshold: self.config.min_ratio * median,
                // Over a warm median of almost nothing the ratio overflows: capped as for
                // a median of zero, so that the evidence stays a number.
                score: if median > 0.0 {
                    (p95 / median).min(f64::MAX)
                } else {
                    f64::MAX
                },
                detail: format!(
                    "p95 {} ms against a warm {} ms; {cause}",
                    Rounded(p95),
                    Rounded(median)
                ),
            },
        )])
    }
}

/// A sample's p95, concurrency and init duration, or the error that refuses them.
fn checked_sample(sample: &ColdStartSample) -> Result<(f64, f64, Option<f64>)> {
    let at = sample.at;
    let p95 = count("p95_ms", sample.p95_ms, at)?;
    let concurrency = count("concurrency", sample.concurrency, at)?;
    let init = sample
        .init_ms
        .map(|v| count("init_ms", v, at))
        .transpose()?;
    Ok((p95, concurrency, init))
}

impl MetricDetector for ColdStartLatency {
    fn observed_at(input: &ColdStartSample) -> Option<DateTime<Utc>> {
        Some(input.at)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.timeline.last()
    }

    fn check(&self, inputs: &[ColdStartSample]) -> Result<()> {
        inputs
            .iter()
            .try_for_each(|input| checked_sample(input).map(drop))
    }

    fn queries(&self) -> Result<Vec<MetricQuery>> {
        // The latency of the signal: the function's Duration, or API Gateway's Latency.
        let s = &self.signal;
        Ok(vec![
            MetricQuery::stat(
                "p95",
                s.latency.clone(),
                Statistic::Percentile(95.0),
                s.period,
            )?,
            MetricQuery::stat(
                "concurrency",
                s.concurrency.clone(),
                Statistic::Maximum,
                s.period,
            )?,
            MetricQuery::stat(
                "init",
                s.init_duration.clone(),
                Statistic::Maximum,
                s.period,
            )?,
        ])
    }

    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<ColdStartSample>> {
        Ok(join(fetched, &["p95", "concurrency"], &["init"])?
            .into_iter()
            .map(|(at, values, optional)| ColdStartSample {
                at,
                p95_ms: values[0],
                concurrency: values[1],
                init_ms: optional[0],
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The queries read the signal's metrics: an API's latency when the signal says so (the
    /// function's `Duration` was queried whatever the signal).
    #[test]
    fn queries_read_the_signals_metrics() {
        let signal = ColdStartSignal::api_gateway("shop", "checkout").unwrap();
        assert_eq!(signal.concurrency.name(), "ConcurrentExecutions");
        let f5 = ColdStartLatency::new(signal.clone(), ColdStartConfig::default()).unwrap();
        let queries = f5.queries().unwrap();
        let aws_telemetry::QueryKind::Stat { metric, .. } = queries[0].kind() else {
            panic!("{queries:?}");
        };
        assert_eq!(metric, &signal.latency);
        assert_eq!(metric.namespace(), "AWS/ApiGateway");
    }

    /// A warm p95 of almost nothing (a subnormal number of milliseconds, as a broken exporter
    /// writes) made the score of the next cold start `p95 / median` overflow to infinity,
    /// which a finding's JSON writes as `null`. Found by the `detector_configs` fuzz target.
    #[test]
    fn the_score_stays_finite_over_a_warm_p95_of_almost_nothing() {
        use chrono::{TimeDelta, TimeZone, Utc};
        let mut f5 = ColdStartLatency::new(
            ColdStartSignal::lambda("f").unwrap(),
            ColdStartConfig::default(),
        )
        .unwrap();
        let t0 = Utc.with_ymd_and_hms(2026, 11, 2, 0, 0, 0).unwrap();
        let sample = |minute, p95_ms, concurrency, init_ms| ColdStartSample {
            at: t0 + TimeDelta::minutes(minute),
            p95_ms,
            concurrency,
            init_ms,
        };
        let mut findings = Vec::new();
        for minute in 0..200 {
            findings.extend(
                f5.push(sample(minute, f64::MIN_POSITIVE, 1.0, None))
                    .unwrap(),
            );
        }
        for minute in 200..230 {
            findings.extend(f5.push(sample(minute, 153.0, 153.0, Some(64.0))).unwrap());
        }
        assert!(!findings.is_empty(), "the cold start was not found");
        for f in &findings {
            assert!(f.evidence.score.is_finite(), "{:?}", f.evidence);
        }
    }
}
