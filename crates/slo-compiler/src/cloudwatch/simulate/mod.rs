//! A small interpreter of the metric-math subset the compiler emits ([`Expr`]), of composite
//! alarm rules, and a minute-by-minute simulation of alarms over recorded or generated
//! per-minute datapoints: what CloudWatch would decide, to check against `sli-core`. Which
//! reading of CloudWatch's documentation each construct rests on is tested, with the AWS page
//! cited, by the crate's test `cloudwatch_semantics`.

mod expr;
mod rule;
mod schedule;

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

pub use expr::{BinOp, Expr, MathError};

use super::compiled::CompiledSlo;
use super::maintenance::MaintenanceSchedule;
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
#[non_exhaustive]
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
/// let mut sim = Simulator::new(t0, 10)?;
/// sim.insert(&errors, (0..10).map(|m| (t0 + TimeDelta::minutes(m), if m >= 5 { 3.0 } else { 0.0 })));
/// let mut e = MetricDataQuery::metric("e", MetricStat::new(errors, 120, "Sum"));
/// e.return_data = true;
/// let mut alarm = MetricAlarm::new("errors", vec![e], "GreaterThanThreshold", 5.0);
/// alarm.treat_missing_data = TreatMissingData::Ignore;
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
    /// Per alarm set by schedules (`SetAlarmState`), its state at each evaluation instant.
    scheduled: HashMap<String, Vec<AlarmState>>,
}

/// Per alarm, its state at each evaluation instant (the end of each minute).
pub type States = HashMap<String, Vec<AlarmState>>;

/// The longest simulation [`Simulator::new`] takes, in minutes: 2^22, about eight years, the
/// cap `sli-core` puts on the series it sweeps ([`MAX_STREAM_POINTS`](sli_core::MAX_STREAM_POINTS))
/// and the Prometheus side on its promtool tests
/// ([`MAX_TEST_MINUTES`](crate::prometheus::MAX_TEST_MINUTES)): a simulation is checked
/// minute by minute against `sli-core` on the same series, and eight years hold several
/// windows of the longest SLO (a calendar year) beside the seven days an alarm looks back.
///
/// Every array is laid out a minute at a time, so at the cap a simulation holds 64 MiB per
/// inserted metric (16 bytes a minute), 48 MiB more per metric while [`Simulator::run`] sums
/// it, 64 MiB per metric alarm's watched values and 4 MiB per alarm's states; schedules are
/// walked a minute at a time, from eight days before the first minute.
pub const MAX_SIMULATED_MINUTES: usize = 1 << 22;

impl Simulator {
    /// `minutes` minutes of data starting at `origin`.
    ///
    /// # Errors
    /// [`MathError::TooManyMinutes`] beyond [`MAX_SIMULATED_MINUTES`]: every array of the
    /// simulation holds one entry a minute, and schedules are walked a minute at a time
    /// (`usize::MAX` minutes used to panic on allocating, or walk for days).
    pub fn new(origin: DateTime<Utc>, minutes: usize) -> Result<Self, MathError> {
        if minutes > MAX_SIMULATED_MINUTES {
            return Err(MathError::TooManyMinutes {
                minutes,
                max: MAX_SIMULATED_MINUTES,
            });
        }
        Ok(Self {
            origin,
            minutes,
            data: HashMap::new(),
            scheduled: HashMap::new(),
        })
    }

    /// Lets `schedules` set the states of the alarms they name, as EventBridge Scheduler's
    /// `SetAlarmState` does: each alarm they name keeps the state the latest schedule run at or
    /// before an evaluation instant set (`INSUFFICIENT_DATA` before any), in place of
    /// evaluating its metrics (the maintenance alarm's metric has no data and its missing data
    /// is ignored, so its state is whatever was set last). Runs are taken from eight days
    /// before the first minute, so that a window open at the start is open.
    ///
    /// A cron expression runs at every minute whose wall-clock time in the schedule's zone
    /// matches its minute, hour and day-of-week fields (our reading of EventBridge
    /// Scheduler's cron expressions, the subset the compiler emits: `cron(M H ? * DAYS *)`);
    /// `at(…)` runs once at that wall-clock time.
    ///
    /// # Errors
    /// [`MathError::Unsupported`] for an expression outside that subset or an unknown zone.
    pub fn set_schedules(&mut self, schedules: &[MaintenanceSchedule]) -> Result<(), MathError> {
        // Near chrono's first instant there is nothing earlier to take runs from.
        let from = self
            .origin
            .checked_sub_signed(TimeDelta::days(8))
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let until = self.instant(self.minutes.saturating_sub(1));
        let mut runs: HashMap<&str, Vec<(DateTime<Utc>, AlarmState)>> = HashMap::new();
        for s in schedules {
            let state = match s.state {
                super::maintenance::ScheduledState::Alarm => AlarmState::Alarm,
                super::maintenance::ScheduledState::Ok => AlarmState::Ok,
            };
            for at in schedule::runs(&s.expression, &s.timezone, from, until)? {
                runs.entry(&s.alarm_name).or_default().push((at, state));
            }
        }
        for (alarm, mut runs) in runs {
            runs.sort_by_key(|(at, _)| *at);
            let mut states = Vec::with_capacity(self.minutes);
            let mut next = 0;
            let mut state = AlarmState::InsufficientData;
            for i in 0..self.minutes {
                let now = self.instant(i);
                while let Some(&(at, s)) = runs.get(next)
                    && at <= now
                {
                    state = s;
                    next += 1;
                }
                states.push(state);
            }
            self.scheduled.insert(alarm.to_owned(), states);
        }
        Ok(())
    }

    /// The instant of evaluation `index`: the end of minute `index` (chrono's last instant for
    /// one past it).
    pub fn instant(&self, index: usize) -> DateTime<Utc> {
        i64::try_from(index)
            .ok()
            .and_then(|i| TimeDelta::try_minutes(i.checked_add(1)?))
            .and_then(|d| self.origin.checked_add_signed(d))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
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
            if let Some(states) = self.scheduled.get(&alarm.alarm_name) {
                out.insert(alarm.alarm_name.clone(), states.clone());
                continue;
            }
            let values = self.watched(alarm, &prefix)?;
            out.insert(alarm.alarm_name.clone(), self.judge(alarm, &values)?);
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

    /// The value of the entry an alarm watches (`ReturnData`), at the end of every minute.
    fn watched(
        &self,
        alarm: &MetricAlarm,
        prefix: &HashMap<AlarmMetric, (Vec<f64>, Vec<u32>)>,
    ) -> Result<Vec<Option<f64>>, MathError> {
        let parsed: Vec<Option<Expr>> = alarm
            .metrics
            .iter()
            .map(|q| q.expression.as_deref().map(Expr::parse).transpose())
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(self.minutes);
        for i in 0..self.minutes {
            let mut values: HashMap<&str, Option<f64>> = HashMap::new();
            let mut watched = None;
            for (q, expr) in alarm.metrics.iter().zip(&parsed) {
                let v = match (&q.metric_stat, expr) {
                    (Some(ms), _) => {
                        let minutes = (ms.period / 60).max(1) as usize;
                        self.stat(&ms.metric, &ms.stat, minutes, i, prefix)?
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
            out.push(watched.flatten());
        }
        Ok(out)
    }

    /// The alarm's state at the end of every minute from its watched values: the last
    /// `EvaluationPeriods` datapoints, one period apart, of which at least `DatapointsToAlarm`
    /// must breach. A missing datapoint (or one before the first minute) counts as breaching
    /// or not as `TreatMissingData` says ("Configuring how CloudWatch alarms treat missing
    /// data"); with one evaluation period, `ignore` keeps the state and `missing` goes to
    /// `INSUFFICIENT_DATA`.
    fn judge(
        &self,
        alarm: &MetricAlarm,
        values: &[Option<f64>],
    ) -> Result<Vec<AlarmState>, MathError> {
        let breaches = |v: f64| -> Result<bool, MathError> {
            Ok(match alarm.comparison_operator.as_str() {
                "GreaterThanThreshold" => v > alarm.threshold,
                "GreaterThanOrEqualToThreshold" => v >= alarm.threshold,
                "LessThanThreshold" => v < alarm.threshold,
                "LessThanOrEqualToThreshold" => v <= alarm.threshold,
                other => {
                    return Err(MathError::Unsupported {
                        what: format!("comparison {other}"),
                    });
                }
            })
        };
        let m = alarm.evaluation_periods.max(1) as usize;
        let n = alarm.datapoints_to_alarm.max(1) as usize;
        let period = alarm
            .metrics
            .iter()
            .find_map(|q| q.metric_stat.as_ref().map(|ms| ms.period))
            .or_else(|| alarm.metrics.iter().find_map(|q| q.period))
            .map_or(1, |p| (p / 60).max(1) as usize);
        let mut states = Vec::with_capacity(values.len());
        let mut state = AlarmState::InsufficientData;
        for i in 0..values.len() {
            state = if m == 1 {
                match values[i] {
                    Some(v) => {
                        if breaches(v)? {
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
                }
            } else {
                let mut breaching = 0;
                for k in 0..m {
                    let value = (i + 1).checked_sub(1 + k * period).and_then(|j| values[j]);
                    let breach = match (value, alarm.treat_missing_data) {
                        (Some(v), _) => breaches(v)?,
                        (None, TreatMissingData::Breaching) => true,
                        (None, TreatMissingData::NotBreaching) => false,
                        (None, other) => {
                            return Err(MathError::Unsupported {
                                what: format!(
                                    "a missing datapoint in an {n} of {m} alarm treating missing data as {}",
                                    other.as_str()
                                ),
                            });
                        }
                    };
                    breaching += usize::from(breach);
                }
                if breaching >= n {
                    AlarmState::Alarm
                } else {
                    AlarmState::Ok
                }
            };
            states.push(state);
        }
        Ok(states)
    }

    /// When `composite` takes its `ALARM` actions, given every alarm's states (from
    /// [`Simulator::run`]): at the instant it enters `ALARM`, or with an `ActionsSuppressor`,
    /// as "Suppressing composite alarm actions" (Amazon CloudWatch User Guide) describes it:
    /// not while the suppressor is in `ALARM`, nor when the suppressor enters `ALARM` within
    /// `ActionsSuppressorWaitPeriod` (otherwise the actions run once that wait is over, if the
    /// composite is still in `ALARM`); once the suppressor leaves `ALARM`, after
    /// `ActionsSuppressorExtensionPeriod`, if the composite is still in the same `ALARM` and
    /// the suppressor has not gone back. Periods are taken in whole minutes.
    ///
    /// # Errors
    /// [`MathError::UnknownId`] when `states` lacks the composite or its suppressor.
    pub fn notifications(
        &self,
        states: &States,
        composite: &CompositeAlarm,
    ) -> Result<Vec<DateTime<Utc>>, MathError> {
        let unknown = |id: &str| MathError::UnknownId { id: id.to_owned() };
        let own = states
            .get(&composite.alarm_name)
            .ok_or_else(|| unknown(&composite.alarm_name))?;
        let suppressor = match &composite.actions_suppressor {
            Some(name) => Some(states.get(name).ok_or_else(|| unknown(name))?),
            None => None,
        };
        let minutes = |seconds: Option<u32>| seconds.map_or(0, |s| (s / 60) as usize);
        let wait = minutes(composite.actions_suppressor_wait_period);
        let extension = minutes(composite.actions_suppressor_extension_period);
        let alarm_at = |i: usize| own.get(i) == Some(&AlarmState::Alarm);
        let suppressed_at =
            |i: usize| suppressor.is_some_and(|s| s.get(i) == Some(&AlarmState::Alarm));
        let mut out = Vec::new();
        let mut i = 0;
        while i < own.len() {
            if !alarm_at(i) || (i > 0 && alarm_at(i - 1)) {
                i += 1;
                continue;
            }
            // An ALARM episode starts at `i`; it ends at the first minute not in ALARM.
            let end = (i..own.len()).find(|&j| !alarm_at(j)).unwrap_or(own.len());
            let Some(_) = suppressor else {
                out.push(self.instant(i));
                i = end;
                continue;
            };
            // Waiting for the suppressor.
            let entered = (i..=i + wait).take_while(|&j| j < end).any(suppressed_at);
            if !entered {
                if i + wait < end {
                    out.push(self.instant(i + wait));
                }
                i = end;
                continue;
            }
            // Suppressed: act once the suppressor has been out of ALARM for the extension.
            let mut j = i;
            while j < end {
                if suppressed_at(j) {
                    j += 1;
                    continue;
                }
                let act = j + extension;
                if act < end && (j..=act).all(|k| !suppressed_at(k)) {
                    out.push(self.instant(act));
                    break;
                }
                j += 1;
            }
            i = end;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloudwatch::maintenance::{MaintenanceSchedule, ScheduledState};

    /// Runs are taken from eight days before the first minute: near chrono's first instant
    /// that subtraction panicked ('DateTime - TimeDelta overflowed'); near its last, so did
    /// placing the evaluation instants.
    #[test]
    fn schedules_and_instants_at_the_ends_of_time() {
        let schedule = MaintenanceSchedule {
            expression: "cron(0 2 ? * SUN *)".into(),
            timezone: "UTC".into(),
            state: ScheduledState::Alarm,
            alarm_name: "maintenance".into(),
            description: String::new(),
        };
        let first = DateTime::<Utc>::MIN_UTC + TimeDelta::days(1);
        let mut sim = Simulator::new(first, 10).unwrap();
        sim.set_schedules(std::slice::from_ref(&schedule)).unwrap();
        assert_eq!(sim.instant(0), first + TimeDelta::minutes(1));
        let last = DateTime::<Utc>::MAX_UTC - TimeDelta::minutes(5);
        let mut sim = Simulator::new(last, 10).unwrap();
        sim.set_schedules(&[schedule]).unwrap();
        assert_eq!(sim.instant(3), last + TimeDelta::minutes(4));
        assert_eq!(sim.instant(7), DateTime::<Utc>::MAX_UTC);
        assert_eq!(sim.instant(usize::MAX), DateTime::<Utc>::MAX_UTC);
    }

    /// `usize::MAX` minutes used to be taken: `insert` and `run` then panicked on allocating
    /// ("capacity overflow") and `set_schedules` walked about 10^11 minutes.
    #[test]
    fn minutes_beyond_the_cap_are_refused_before_anything_is_laid_out() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        for minutes in [MAX_SIMULATED_MINUTES + 1, usize::MAX] {
            assert_eq!(
                Simulator::new(t0, minutes).err(),
                Some(MathError::TooManyMinutes {
                    minutes,
                    max: MAX_SIMULATED_MINUTES
                })
            );
        }
        let sim = Simulator::new(t0, MAX_SIMULATED_MINUTES).unwrap();
        assert_eq!(
            sim.instant(MAX_SIMULATED_MINUTES - 1),
            t0 + TimeDelta::minutes(1 << 22)
        );
    }
}
