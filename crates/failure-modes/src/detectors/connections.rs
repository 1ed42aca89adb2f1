//! F6 DB connection exhaustion: connections against the engine's limit, the minute a trend
//! reaches it, and whether they rise with upstream concurrency.

use aws_telemetry::{FetchedSeries, Metric, MetricQuery, Period, Statistic};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{Severity, Sustained};

use crate::detector::{Detector, MetricDetector, join};
use crate::episode::Escalation;
use crate::error::{Result, count, fraction, positive};
use crate::finding::{Evidence, Finding, Rounded};
use crate::mode::FailureMode;
use crate::stats::{DailyPeaks, LinearTrend};
use crate::timeline::{Step, Timeline, project};

/// The CloudWatch metrics F6 reads.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnectionSignal {
    /// The database, as its `DBInstanceIdentifier`.
    pub instance: String,
    /// The engine's connection limit (`max_connections`, evaluated for the instance class).
    pub max_connections: f64,
    /// Open connections, read with `Maximum`: `AWS/RDS` `DatabaseConnections` of the instance.
    pub connections: Metric,
    /// The upstream whose concurrency drives connections, if any: a Lambda function name.
    pub upstream_function: Option<String>,
    /// The upstream concurrency, read with `Maximum` (`AWS/Lambda` `ConcurrentExecutions` of
    /// `upstream_function`), if any.
    pub upstream: Option<Metric>,
    /// The period.
    pub period: Period,
}

impl ConnectionSignal {
    /// `AWS/RDS` `DatabaseConnections` (`Maximum`, dimension `DBInstanceIdentifier`), 60 s.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for a limit that is not positive.
    pub fn rds(instance: &str, max_connections: f64) -> Result<Self> {
        positive("max_connections", max_connections)?;
        Ok(Self {
            instance: instance.to_owned(),
            max_connections,
            connections: Metric::new("AWS/RDS", "DatabaseConnections")?
                .with_dimension("DBInstanceIdentifier", instance)?,
            upstream_function: None,
            upstream: None,
            period: Period::new(60)?,
        })
    }

    /// [`ConnectionSignal::rds`] with the limit an [`aws_telemetry::ConnectionLimitSource`]
    /// evaluated (e.g. `RdsLimitSource`, from the parameter group's `max_connections`).
    ///
    /// # Errors
    /// As [`ConnectionSignal::rds`].
    ///
    /// # Example
    /// ```
    /// use failure_modes::ConnectionLimit;
    /// use failure_modes::ConnectionSignal;
    ///
    /// let limit = ConnectionLimit::evaluate("orders", "db.t3.medium", "postgres",
    ///     "default.postgres16", "LEAST({DBInstanceClassMemory/9531392},5000)")?;
    /// let signal = ConnectionSignal::from_limit(&limit)?;
    /// assert_eq!((signal.instance.as_str(), signal.max_connections), ("orders", 450.0));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_limit(limit: &aws_telemetry::ConnectionLimit) -> Result<Self> {
        Self::rds(&limit.instance, limit.max_connections)
    }

    /// The same, with `AWS/Lambda` `ConcurrentExecutions` (`Maximum`) of `function` as the
    /// upstream concurrency.
    ///
    /// # Errors
    /// [`Error::Query`](crate::Error::Query) for a function name CloudWatch would refuse.
    ///
    /// # Example
    /// ```
    /// use failure_modes::ConnectionSignal;
    ///
    /// let signal = ConnectionSignal::rds("orders", 450.0)?.with_lambda_upstream("checkout")?;
    /// assert_eq!(signal.connections.name(), "DatabaseConnections");
    /// assert_eq!(signal.upstream.unwrap().name(), "ConcurrentExecutions");
    /// # Ok::<(), failure_modes::Error>(())
    /// ```
    pub fn with_lambda_upstream(mut self, function: &str) -> Result<Self> {
        self.upstream = Some(
            Metric::new("AWS/Lambda", "ConcurrentExecutions")?
                .with_dimension("FunctionName", function)?,
        );
        self.upstream_function = Some(function.to_owned());
        Ok(self)
    }
}

/// One period of a database.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConnectionSample {
    /// Start of the period.
    pub at: DateTime<Utc>,
    /// Open connections (maximum in the period).
    pub connections: f64,
    /// Upstream concurrency in the period, when known.
    pub upstream: Option<f64>,
}

/// Settings of [`DbConnectionExhaustion`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct ConnectionConfig {
    warn_share: f64,
    page_share: f64,
    ticket_horizon: TimeDelta,
    forecast_from_share: f64,
    trend_window: usize,
    sustain: Sustained,
    clear_after: u32,
    max_gap: TimeDelta,
    daily_decay: f64,
    warning_severity: Severity,
    critical_severity: Severity,
}

crate::settings::settings!(ConnectionConfig {
    /// At this share of the limit, a ticket (0.8: the 80 % at which AWS Trusted Advisor's
    /// service limit checks warn, borrowed; RDS documents no threshold of its own).
    warn_share, with_warn_share: f64;
    /// At this share of the limit, new connections are about to fail: page (0.95, a round
    /// value: 5 % of the limit left).
    page_share, with_page_share: f64;
    /// A trend reaching the limit within this time is a ticket …
    ticket_horizon, with_ticket_horizon: TimeDelta;
    /// Forecasts are judged only above this share (a trend from an idle database says little;
    /// 0.5 is a round value).
    forecast_from_share, with_forecast_from_share: f64;
    /// Periods in the trend window (60: an hour of one-minute periods, as long as the ticket
    /// horizon, so that a trend is never extrapolated further ahead than it has been watched;
    /// each half must show the climb on its own).
    trend_window, with_trend_window: usize;
    /// N of M bad periods before a finding.
    sustain, with_sustain: Sustained;
    /// Good periods that end an incident.
    clear_after, with_clear_after: u32;
    /// A longer silence restarts the trend.
    max_gap, with_max_gap: TimeDelta;
    /// How much of a past day's peak survives each day in the profile of usual peaks (0.98:
    /// halved in about five weeks).
    daily_decay, with_daily_decay: f64;
    /// Severity at `warn_share` or a trend reaching the limit within `ticket_horizon` (ticket:
    /// a degradation to come, not yet errors).
    warning_severity, with_warning_severity: Severity;
    /// Severity at `page_share` (page: new connections are failing or about to, an outage of
    /// whatever needs the database).
    critical_severity, with_critical_severity: Severity;
});

impl Default for ConnectionConfig {
    fn default() -> Self {
        Self {
            warn_share: 0.8,
            page_share: 0.95,
            ticket_horizon: TimeDelta::hours(1),
            forecast_from_share: 0.5,
            trend_window: 60,
            sustain: const { Sustained::of(3, 5) },
            clear_after: 15,
            max_gap: TimeDelta::minutes(30),
            daily_decay: 0.98,
            warning_severity: Severity::Ticket,
            critical_severity: Severity::Page,
        }
    }
}

/// F6: a database running out of connections.
///
/// Ticket at [`ConnectionConfig::warn_share`] of the limit or when a sustained climb over the
/// last [`ConnectionConfig::trend_window`] periods reaches the limit within
/// [`ConnectionConfig::ticket_horizon`]; page at [`ConnectionConfig::page_share`] (a forecast
/// is a ticket: nothing fails yet). Sustained means the whole window's least-squares line and
/// the robust (Theil–Sen) lines of its older and its recent half all rise, and the forecast is
/// the latest of the three, each drawn from the window's fitted level: a leak or a scale-out
/// that goes on climbs alike in both halves, while a burst's step leaves one half flat and a
/// climb that has levelled off leaves the recent half flat (a burst up to a plateau is a
/// level shift, not a trend towards exhaustion). A trend is extrapolated only from a level
/// above the busiest of the previous days at this hour ([`DailyPeaks`]) by more than 5 % of
/// the limit: a nightly batch that climbs to 75 % of the limit every night is the database's
/// habit, not a leak (forecasts start after a day of history); and a fast climb (the limit
/// within half the ticket horizon) back to a level held before at another hour is left to
/// the thresholds, which see it within minutes. Severities are
/// [`ConnectionConfig::warning_severity`] and [`ConnectionConfig::critical_severity`]. The
/// finding's `forecast` is the minute the trend reaches the limit; the evidence says whether connections rise with upstream concurrency
/// (connections per unit of concurrency over the trend window), the signature of a pool per
/// function instance, which a connection proxy fixes. The forecast counts one sample per
/// [`ConnectionSignal::period`]: feed samples at that cadence.
///
/// # Example
/// ```
/// use failure_modes::chrono::{Duration, TimeZone, Utc};
/// use failure_modes::{ConnectionSample, ConnectionSignal, DbConnectionExhaustion, Detector};
/// use failure_modes::Severity;
///
/// let signal = ConnectionSignal::rds("orders-db", 1000.0)?;
/// let mut f6 = DbConnectionExhaustion::new(signal, Default::default())?;
/// let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
/// // Lambda scales out from minute 100: every new instance opens 5 connections.
/// let findings = f6.detect((0..200).map(|m| {
///     let concurrency = if m < 100 { 40.0 } else { 40.0 + 2.0 * (m - 100) as f64 };
///     ConnectionSample { at: t0 + Duration::minutes(m), connections: 5.0 * concurrency,
///                        upstream: Some(concurrency) }
/// }))?;
/// assert_eq!(findings[0].severity, Severity::Ticket);
/// assert!(findings[0].evidence.detail.contains("per unit of upstream concurrency"));
/// assert!(findings.iter().any(|f| f.severity == Severity::Page));
/// # Ok::<(), failure_modes::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct DbConnectionExhaustion {
    signal: ConnectionSignal,
    config: ConnectionConfig,
    timeline: Timeline,
    connections: LinearTrend,
    /// Connections and upstream concurrency on the rows that have both, so that their slopes
    /// cover the same periods.
    paired: (LinearTrend, LinearTrend),
    escalation: Escalation,
    /// The busiest connections of previous days at each hour.
    usual: DailyPeaks,
}

impl DbConnectionExhaustion {
    /// A detector for `signal`.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`](crate::Error::InvalidConfig) for shares outside (0, 1], a
    /// `warn_share` above `page_share`, non-positive horizons or `max_gap`, a trend window
    /// below 2 or above twice [`MAX_THEIL_SEN`](crate::stats::MAX_THEIL_SEN) (2,048 values:
    /// each half is fitted by Theil–Sen, whose pairwise slopes grow as the square of the
    /// half), or a `clear_after` outside `1..=10080`.
    pub fn new(signal: ConnectionSignal, config: ConnectionConfig) -> Result<Self> {
        crate::error::periods("clear_after", config.clear_after)?;
        positive("max_connections", signal.max_connections)?;
        let timeline = Timeline::new(config.max_gap)?;
        fraction("warn_share", config.warn_share)?;
        fraction("page_share", config.page_share)?;
        fraction("forecast_from_share", config.forecast_from_share)?;
        crate::error::ticket_not_above_page(
            "warn_share",
            config.warn_share,
            config.page_share,
            "must not be above page_share",
        )?;
        positive("ticket_horizon", config.ticket_horizon.as_seconds_f64())?;
        // Each half of the window gets a Theil–Sen slope (its pairwise slopes: the square
        // of the half) when a forecast is near; the bound on Theil–Sen trends bounds each half.
        crate::stats::check_window(
            "trend_window",
            config.trend_window,
            2,
            2 * crate::stats::MAX_THEIL_SEN,
        )?;
        Ok(Self {
            connections: LinearTrend::new(config.trend_window)?,
            paired: (
                LinearTrend::new(config.trend_window)?,
                LinearTrend::new(config.trend_window)?,
            ),
            timeline,
            escalation: Escalation::new(config.sustain, config.clear_after),
            usual: DailyPeaks::new(config.daily_decay)?,
            signal,
            config,
        })
    }
}

impl Detector for DbConnectionExhaustion {
    type Input = ConnectionSample;

    fn mode(&self) -> FailureMode {
        FailureMode::DbConnectionExhaustion
    }

    fn push(&mut self, sample: ConnectionSample) -> Result<Vec<Finding>> {
        let at = sample.at;
        let (connections, upstream) = checked_connections(&sample)?;
        if self.timeline.check(at)? == Step::Restart {
            self.connections = LinearTrend::new(self.config.trend_window)?;
            self.paired = (
                LinearTrend::new(self.config.trend_window)?,
                LinearTrend::new(self.config.trend_window)?,
            );
            self.escalation.reset();
        }
        self.timeline.record(at);
        self.connections.push(connections)?;
        if let Some(upstream) = upstream {
            self.paired.0.push(connections)?;
            self.paired.1.push(upstream)?;
        }
        let limit = self.signal.max_connections;
        let share = connections / limit;
        let period_s = self.signal.period.as_time_delta().as_seconds_f64();
        // A climb the database makes every day at this hour (a nightly batch) is not a trend
        // to extrapolate: forecasts only from a level above the previous days' at this hour.
        let (usual, busiest) = (self.usual.usual(at), self.usual.busiest(at));
        self.usual.record(at, connections)?;
        // Above it by 5 % of the limit: connection counts move by a few every minute.
        let margin = 0.05 * limit;
        let unusual = usual.is_some_and(|u| connections > u + margin);
        let new_territory = busiest.is_some_and(|b| connections > b + margin);
        let judged = share >= self.config.forecast_from_share && unusual;
        let horizon = self.config.ticket_horizon;
        let trend = &self.connections;
        let sustained_forecast = || {
            trend
                .sustained_steps_until(limit)
                .and_then(|steps| project(at, steps, period_s))
                // A fast climb back to a level the database has held before (a burst of work
                // at another hour) is left to the thresholds: they see it within minutes.
                .filter(|when| new_territory || *when - at >= horizon / 2)
        };
        // The sustained forecast is never earlier than the whole window's least-squares line
        // (O(1)): when that line is beyond the horizon there is no ticket to decide, and the
        // robust halves (O(window²)) wait until a finding needs the forecast for its evidence.
        let soon = judged
            && trend
                .steps_until(limit)
                .is_some_and(|steps| steps * period_s <= horizon.as_seconds_f64());
        let forecast = if soon { sustained_forecast() } else { None };
        let until = forecast.map(|when| when - at);
        let within = |horizon: TimeDelta| until.is_some_and(|d| d <= horizon);
        let ticket = share >= self.config.warn_share || within(self.config.ticket_horizon);
        // A forecast is a ticket: nothing fails yet, and a climb can stop (the severity rule
        // pages for outages, not for their prospect).
        let page = share >= self.config.page_share;
        let mut findings = Vec::new();
        let mut escalated = self.escalation.update(ticket, page, at).peekable();
        let forecast = match forecast {
            None if judged && !soon && escalated.peek().is_some() => sustained_forecast(),
            known => known,
        };
        for (level, start) in escalated {
            let severity = match level {
                Severity::Page => self.config.critical_severity,
                _ => self.config.warning_severity,
            };
            let coupling = match (self.paired.0.slope(), self.paired.1.slope()) {
                (Some(c), Some(u)) if upstream.is_some() && u > 0.0 && c > 0.0 => format!(
                    "; rising with upstream concurrency: {:.1} connections per unit of upstream \
                     concurrency (use a connection proxy or a smaller pool per instance)",
                    c / u
                ),
                _ => String::new(),
            };

            let when = forecast.map_or_else(String::new, |t| {
                format!(
                    ", the trend reaches the limit at {}",
                    t.format("%Y-%m-%d %H:%M")
                )
            });
            findings.push(
                Finding::new(
                    FailureMode::DbConnectionExhaustion,
                    severity,
                    &self.signal.instance,
                    start,
                    at,
                    Evidence {
                        observed: connections,
                        baseline: self.connections.level().unwrap_or(connections),
                        // A forecast-triggered finding crossed nothing yet: its line is the
                        // limit the trend reaches.
                        threshold: limit
                            * match level {
                                Severity::Page if share >= self.config.page_share => {
                                    self.config.page_share
                                }
                                Severity::Ticket if share >= self.config.warn_share => {
                                    self.config.warn_share
                                }
                                _ => 1.0,
                            },
                        score: share,
                        detail: format!(
                            "{} connections, {:.1} % of max_connections {}\
                             {when}{coupling}",
                            Rounded(connections),
                            100.0 * share,
                            Rounded(limit)
                        ),
                    },
                )
                .with_forecast(forecast),
            );
        }
        Ok(findings)
    }
}

/// A sample's connections and upstream demand, or the error that refuses them.
fn checked_connections(sample: &ConnectionSample) -> Result<(f64, Option<f64>)> {
    let at = sample.at;
    let connections = count("connections", sample.connections, at)?;
    let upstream = sample
        .upstream
        .map(|v| count("upstream", v, at))
        .transpose()?;
    Ok((connections, upstream))
}

impl MetricDetector for DbConnectionExhaustion {
    fn observed_at(input: &ConnectionSample) -> Option<DateTime<Utc>> {
        Some(input.at)
    }

    fn last_observed(&self) -> Option<DateTime<Utc>> {
        self.timeline.last()
    }

    fn check(&self, inputs: &[ConnectionSample]) -> Result<()> {
        inputs
            .iter()
            .try_for_each(|input| checked_connections(input).map(drop))
    }

    fn queries(&self) -> Result<Vec<MetricQuery>> {
        let s = &self.signal;
        let mut queries = vec![MetricQuery::stat(
            "connections",
            s.connections.clone(),
            Statistic::Maximum,
            s.period,
        )?];
        if let Some(upstream) = &s.upstream {
            queries.push(MetricQuery::stat(
                "upstream",
                upstream.clone(),
                Statistic::Maximum,
                s.period,
            )?);
        }
        Ok(queries)
    }

    fn observations(&self, fetched: &[FetchedSeries]) -> Result<Vec<ConnectionSample>> {
        Ok(join(fetched, &["connections"], &["upstream"])?
            .into_iter()
            .map(|(at, values, optional)| ConnectionSample {
                at,
                connections: values[0],
                upstream: optional[0],
            })
            .collect())
    }
}
