//! A small interpreter of the metric-math subset the compiler emits ([`Expr`]), of composite
//! alarm rules, and a minute-by-minute simulation of alarms over recorded or generated
//! per-minute datapoints: what CloudWatch would decide, to check against `sli-core`. Which
//! reading of CloudWatch's documentation each construct rests on is tested, with the AWS page
//! cited, by the crate's test `cloudwatch_semantics`.

mod expr;
mod rule;

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

pub use expr::{BinOp, Expr, MathError};

use super::compiled::CompiledSlo;
use super::model::{AlarmMetric, CompositeAlarm, MetricAlarm, TreatMissingData};
use expr::ids;
use rule::{parse_rule, rule_holds};

/// An alarm's state.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::AlarmState;
/// assert_ne!(AlarmState::Alarm, AlarmState::Ok);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlarmState {
    /// `OK`
    Ok,
    /// `ALARM`
    Alarm,
    /// `INSUFFICIENT_DATA`
    InsufficientData,
}

/// Per-minute datapoints of metrics (one value per metric per minute at most), and the
/// minute-by-minute evaluation of alarms over them, as CloudWatch evaluates alarms: every
/// minute, each metric aggregated over its period ending at the evaluation minute.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use slo_compiler::cloudwatch::{AlarmMetric, AlarmState, CompositeAlarm, MetricAlarm, MetricDataQuery, MetricStat, Simulator, TreatMissingData};
///
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// let errors = AlarmMetric { namespace: "App".into(), metric_name: "Errors".into(), dimensions: vec![] };
/// let mut sim = Simulator::new(t0, 10);
/// sim.insert(&errors, (0..10).map(|m| (t0 + TimeDelta::minutes(m), if m >= 5 { 3.0 } else { 0.0 })));
/// let mut e = MetricDataQuery::metric("e", MetricStat { metric: errors, period: 120, stat: "Sum".into() });
/// e.return_data = true;
/// let alarm = MetricAlarm { alarm_name: "errors".into(), alarm_description: None, actions_enabled: false,
///     alarm_actions: vec![], ok_actions: vec![], metrics: vec![e], comparison_operator: "GreaterThanThreshold".into(),
///     threshold: 5.0, evaluation_periods: 1, datapoints_to_alarm: 1, treat_missing_data: TreatMissingData::Ignore };
/// let states = sim.run(&[alarm], &[])?;
/// // At the end of minute 6, minutes 5 and 6 hold 6 errors: above 5.
/// assert_eq!(states["errors"][5], AlarmState::Ok);
/// assert_eq!(states["errors"][6], AlarmState::Alarm);
/// # Ok::<(), slo_compiler::cloudwatch::MathError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Simulator {
    origin: DateTime<Utc>,
    minutes: usize,
    data: HashMap<AlarmMetric, Vec<Option<f64>>>,
}

/// Per alarm, its state at each evaluation instant (the end of each minute).
pub type States = HashMap<String, Vec<AlarmState>>;

impl Simulator {
    /// `minutes` minutes of data starting at `origin`.
    pub fn new(origin: DateTime<Utc>, minutes: usize) -> Self {
        Self {
            origin,
            minutes,
            data: HashMap::new(),
        }
    }

    /// The instant of evaluation `index`: the end of minute `index`.
    pub fn instant(&self, index: usize) -> DateTime<Utc> {
        self.origin + TimeDelta::minutes(i64::try_from(index).unwrap_or(i64::MAX / 120) + 1)
    }

    /// Adds datapoints of `metric` (outside the simulated minutes, or off the minute grid, they
    /// are ignored; a later value at the same minute replaces an earlier one).
    pub fn insert(
        &mut self,
        metric: &AlarmMetric,
        points: impl IntoIterator<Item = (DateTime<Utc>, f64)>,
    ) {
        let minutes = self.minutes;
        let values = self
            .data
            .entry(metric.clone())
            .or_insert_with(|| vec![None; minutes]);
        for (at, v) in points {
            let offset = at - self.origin;
            if offset.num_seconds() % 60 != 0 {
                continue;
            }
            if let Ok(i) = usize::try_from(offset.num_minutes())
                && i < minutes
            {
                values[i] = Some(v);
            }
        }
    }

    /// The statistic of `metric` over the `period_minutes` minutes ending with minute `i`.
    fn stat(
        &self,
        metric: &AlarmMetric,
        stat: &str,
        period_minutes: usize,
        i: usize,
        prefix: &HashMap<AlarmMetric, (Vec<f64>, Vec<u32>)>,
    ) -> Result<Option<f64>, MathError> {
        let lo = (i + 1).saturating_sub(period_minutes);
        if stat == "Sum" || stat == "SampleCount" || stat == "Average" {
            let Some((sums, counts)) = prefix.get(metric) else {
                return Ok(None);
            };
            let n = counts[i + 1] - counts[lo];
            if n == 0 {
                return Ok(None);
            }
            let sum = sums[i + 1] - sums[lo];
            return Ok(Some(match stat {
                "Sum" => sum,
                "SampleCount" => f64::from(n),
                _ => sum / f64::from(n),
            }));
        }
        let Some(values) = self.data.get(metric) else {
            return Ok(None);
        };
        let present = values[lo..=i].iter().flatten().copied();
        Ok(match stat {
            "Maximum" => present.reduce(f64::max),
            "Minimum" => present.reduce(f64::min),
            other => {
                return Err(MathError::Unsupported {
                    what: format!("statistic {other} over per-minute values"),
                });
            }
        })
    }

    /// Evaluates metric alarms and then composite alarms (in order: a composite may name only
    /// alarms before it) at the end of every minute.
    ///
    /// # Errors
    /// [`MathError`] for an expression, statistic or rule outside the subset, or an unknown id.
    pub fn run(
        &self,
        metric_alarms: &[MetricAlarm],
        composites: &[CompositeAlarm],
    ) -> Result<States, MathError> {
        // Running sums per metric, as CloudWatch would aggregate minute datapoints.
        let prefix: HashMap<AlarmMetric, (Vec<f64>, Vec<u32>)> = self
            .data
            .iter()
            .map(|(m, values)| {
                let mut sums = vec![0.0; values.len() + 1];
                let mut counts = vec![0u32; values.len() + 1];
                for (k, v) in values.iter().enumerate() {
                    sums[k + 1] = sums[k] + v.unwrap_or(0.0);
                    counts[k + 1] = counts[k] + u32::from(v.is_some());
                }
                (m.clone(), (sums, counts))
            })
            .collect();
        let mut out: States = HashMap::new();
        for alarm in metric_alarms {
            let parsed: Vec<Option<Expr>> = alarm
                .metrics
                .iter()
                .map(|q| q.expression.as_deref().map(Expr::parse).transpose())
                .collect::<Result<_, _>>()?;
            let mut state = AlarmState::InsufficientData;
            let mut states = Vec::with_capacity(self.minutes);
            for i in 0..self.minutes {
                let mut values: HashMap<&str, Option<f64>> = HashMap::new();
                let mut watched = None;
                for (q, expr) in alarm.metrics.iter().zip(&parsed) {
                    let v = match (&q.metric_stat, expr) {
                        (Some(ms), _) => {
                            let minutes = (ms.period / 60).max(1) as usize;
                            self.stat(&ms.metric, &ms.stat, minutes, i, &prefix)?
                        }
                        (None, Some(e)) => {
                            let lookup = |id: &str| values.get(id).copied().flatten();
                            for id in ids(e) {
                                if !values.contains_key(id.as_str()) {
                                    return Err(MathError::UnknownId { id });
                                }
                            }
                            e.eval(&lookup)?
                        }
                        (None, None) => None,
                    };
                    values.insert(&q.id, v);
                    if q.return_data {
                        watched = Some(v);
                    }
                }
                let value = watched.flatten();
                state = match value {
                    Some(v) => {
                        let breach = match alarm.comparison_operator.as_str() {
                            "GreaterThanThreshold" => v > alarm.threshold,
                            "GreaterThanOrEqualToThreshold" => v >= alarm.threshold,
                            "LessThanThreshold" => v < alarm.threshold,
                            "LessThanOrEqualToThreshold" => v <= alarm.threshold,
                            other => {
                                return Err(MathError::Unsupported {
                                    what: format!("comparison {other}"),
                                });
                            }
                        };
                        if breach {
                            AlarmState::Alarm
                        } else {
                            AlarmState::Ok
                        }
                    }
                    None => match alarm.treat_missing_data {
                        TreatMissingData::Breaching => AlarmState::Alarm,
                        TreatMissingData::NotBreaching => AlarmState::Ok,
                        TreatMissingData::Ignore => state,
                        TreatMissingData::Missing => AlarmState::InsufficientData,
                    },
                };
                states.push(state);
            }
            out.insert(alarm.alarm_name.clone(), states);
        }
        for composite in composites {
            let rule = parse_rule(&composite.alarm_rule)?;
            let mut states = Vec::with_capacity(self.minutes);
            for i in 0..self.minutes {
                let now: HashMap<String, AlarmState> =
                    out.iter().map(|(name, s)| (name.clone(), s[i])).collect();
                states.push(if rule_holds(&rule, &now)? {
                    AlarmState::Alarm
                } else {
                    AlarmState::Ok
                });
            }
            out.insert(composite.alarm_name.clone(), states);
        }
        Ok(out)
    }

    /// [`Simulator::run`] over one compiled SLO's alarms.
    ///
    /// # Errors
    /// As [`Simulator::run`].
    pub fn run_slo(&self, slo: &CompiledSlo) -> Result<States, MathError> {
        self.run(&slo.metric_alarms, &slo.composite_alarms)
    }

    /// The intervals an alarm spent in `ALARM`: (first instant, first instant after; `None`
    /// while still in alarm at the end).
    pub fn alarm_intervals(
        &self,
        states: &[AlarmState],
    ) -> Vec<(DateTime<Utc>, Option<DateTime<Utc>>)> {
        let mut out = Vec::new();
        let mut open = None;
        for (i, s) in states.iter().enumerate() {
            match (open, *s == AlarmState::Alarm) {
                (None, true) => open = Some(self.instant(i)),
                (Some(start), false) => {
                    out.push((start, Some(self.instant(i))));
                    open = None;
                }
                _ => {}
            }
        }
        if let Some(start) = open {
            out.push((start, None));
        }
        out
    }
}
