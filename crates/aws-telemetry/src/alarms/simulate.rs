//! A small interpreter of the metric-math subset the compiler emits (numbers, metric ids,
//! `+ - * /`, comparisons, `AND`/`OR`, `IF`), of composite alarm rules, and a minute-by-minute
//! simulation of alarms over recorded or generated per-minute datapoints: what CloudWatch would
//! decide, to check against `sli-core`.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::compile::CompiledSlo;
use super::model::{AlarmMetric, CompositeAlarm, MetricAlarm, TreatMissingData};

/// An expression or rule the interpreter cannot read or evaluate.
///
/// # Example
/// ```
/// use aws_telemetry::alarms::{Expr, MathError};
/// assert!(matches!(Expr::parse("FILL(m1, 0)"), Err(MathError::Unsupported { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MathError {
    /// Not an expression of the subset.
    #[error("cannot parse {text:?} at character {at}: {reason}")]
    Syntax {
        /// The text.
        text: String,
        /// 0-based character offset.
        at: usize,
        /// Why.
        reason: &'static str,
    },
    /// A function or statistic outside the subset.
    #[error("not supported by the interpreter: {what}")]
    Unsupported {
        /// What.
        what: String,
    },
    /// An id no entry defines.
    #[error("unknown id {id:?}")]
    UnknownId {
        /// The id.
        id: String,
    },
}

/// A binary operator.
///
/// # Example
/// ```
/// use aws_telemetry::alarms::BinOp;
/// assert_ne!(BinOp::Add, BinOp::Sub);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `AND`, `&&`
    And,
    /// `OR`, `||`
    Or,
}

/// A parsed metric-math expression.
///
/// Evaluation follows CloudWatch at one timestamp: an operand without a datapoint makes the
/// result have none; `IF(c, a)` has none where `c` is false; comparisons and logic give 1 or 0;
/// a non-finite result (division by zero) has no datapoint.
///
/// # Example
/// ```
/// use aws_telemetry::alarms::Expr;
/// let e = Expr::parse("IF(total > 0, bad - 0.0144 * total)")?;
/// let at = |bad: f64, total: f64| e.eval(&|id| match id { "bad" => Some(bad), "total" => Some(total), _ => None });
/// assert_eq!(at(20.0, 1000.0)?, Some(20.0 - 0.0144 * 1000.0));
/// assert_eq!(at(0.0, 0.0)?, None); // no events: no datapoint
/// # Ok::<(), aws_telemetry::alarms::MathError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A number.
    Number(f64),
    /// A metric or expression id.
    Id(String),
    /// `-x`
    Neg(Box<Self>),
    /// `a op b`
    Binary(BinOp, Box<Self>, Box<Self>),
    /// `IF(condition, then[, else])`
    If(Box<Self>, Box<Self>, Option<Box<Self>>),
}

struct Parser<'a> {
    text: &'a str,
    chars: Vec<char>,
    at: usize,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, reason: &'static str) -> MathError {
        MathError::Syntax {
            text: self.text.to_owned(),
            at: self.at,
            reason,
        }
    }

    fn skip(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip();
        let n = token.chars().count();
        let matches = self.chars.len() >= self.at + n
            && self.chars[self.at..self.at + n]
                .iter()
                .zip(token.chars())
                .all(|(a, b)| *a == b);
        // A word operator must not run into an identifier.
        let word_end = !token.chars().all(char::is_alphabetic)
            || !self
                .chars
                .get(self.at + n)
                .is_some_and(|c| c.is_alphanumeric() || *c == '_');
        if matches && word_end {
            self.at += n;
        }
        matches && word_end
    }

    fn or(&mut self) -> Result<Expr, MathError> {
        let mut left = self.and()?;
        while self.eat("OR") || self.eat("||") {
            left = Expr::Binary(BinOp::Or, Box::new(left), Box::new(self.and()?));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, MathError> {
        let mut left = self.comparison()?;
        while self.eat("AND") || self.eat("&&") {
            left = Expr::Binary(BinOp::And, Box::new(left), Box::new(self.comparison()?));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<Expr, MathError> {
        let left = self.sum()?;
        for (token, op) in [
            (">=", BinOp::Ge),
            ("<=", BinOp::Le),
            ("==", BinOp::Eq),
            ("!=", BinOp::Ne),
            (">", BinOp::Gt),
            ("<", BinOp::Lt),
        ] {
            if self.eat(token) {
                return Ok(Expr::Binary(op, Box::new(left), Box::new(self.sum()?)));
            }
        }
        Ok(left)
    }

    fn sum(&mut self) -> Result<Expr, MathError> {
        let mut left = self.product()?;
        loop {
            let op = if self.eat("+") {
                BinOp::Add
            } else if self.eat("-") {
                BinOp::Sub
            } else {
                return Ok(left);
            };
            left = Expr::Binary(op, Box::new(left), Box::new(self.product()?));
        }
    }

    fn product(&mut self) -> Result<Expr, MathError> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat("*") {
                BinOp::Mul
            } else if self.eat("/") {
                BinOp::Div
            } else {
                return Ok(left);
            };
            left = Expr::Binary(op, Box::new(left), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Result<Expr, MathError> {
        self.depth += 1;
        if self.depth > 64 {
            return Err(self.err("nested too deeply"));
        }
        let out = if self.eat("-") {
            Ok(Expr::Neg(Box::new(self.unary()?)))
        } else {
            self.atom()
        };
        self.depth -= 1;
        out
    }

    fn atom(&mut self) -> Result<Expr, MathError> {
        self.skip();
        if self.eat("(") {
            let e = self.or()?;
            if !self.eat(")") {
                return Err(self.err("expected )"));
            }
            return Ok(e);
        }
        let start = self.at;
        let Some(&first) = self.chars.get(self.at) else {
            return Err(self.err("unexpected end"));
        };
        if first.is_ascii_digit() || first == '.' {
            while self
                .chars
                .get(self.at)
                .is_some_and(|c| c.is_ascii_digit() || *c == '.' || *c == 'e' || *c == 'E')
                || (self.at > start
                    && matches!(self.chars.get(self.at), Some('+' | '-'))
                    && matches!(self.chars.get(self.at - 1), Some('e' | 'E')))
            {
                self.at += 1;
            }
            let text: String = self.chars[start..self.at].iter().collect();
            return text
                .parse()
                .map(Expr::Number)
                .map_err(|_| self.err("bad number"));
        }
        if first.is_ascii_alphabetic() {
            while self
                .chars
                .get(self.at)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
            {
                self.at += 1;
            }
            let word: String = self.chars[start..self.at].iter().collect();
            if self.eat("(") {
                if word != "IF" {
                    return Err(MathError::Unsupported {
                        what: format!("function {word}"),
                    });
                }
                let condition = self.or()?;
                if !self.eat(",") {
                    return Err(self.err("expected ,"));
                }
                let then = self.or()?;
                let otherwise = if self.eat(",") {
                    Some(Box::new(self.or()?))
                } else {
                    None
                };
                if !self.eat(")") {
                    return Err(self.err("expected )"));
                }
                return Ok(Expr::If(Box::new(condition), Box::new(then), otherwise));
            }
            return Ok(Expr::Id(word));
        }
        Err(self.err("unexpected character"))
    }
}

impl Expr {
    /// Parses an expression of the subset.
    ///
    /// # Errors
    /// [`MathError::Syntax`], or [`MathError::Unsupported`] for a function other than `IF`.
    pub fn parse(text: &str) -> Result<Self, MathError> {
        let mut p = Parser {
            text,
            chars: text.chars().collect(),
            at: 0,
            depth: 0,
        };
        let e = p.or()?;
        p.skip();
        if p.at != p.chars.len() {
            return Err(p.err("unexpected text after the expression"));
        }
        Ok(e)
    }

    /// The value at one timestamp, `lookup` giving each id's datapoint (`None`: no datapoint).
    ///
    /// # Errors
    /// None today; the signature leaves room for ids that must exist.
    pub fn eval(&self, lookup: &dyn Fn(&str) -> Option<f64>) -> Result<Option<f64>, MathError> {
        let finite = |v: f64| v.is_finite().then_some(v);
        Ok(match self {
            Self::Number(v) => Some(*v),
            Self::Id(id) => lookup(id),
            Self::Neg(e) => e.eval(lookup)?.map(|v| -v),
            Self::If(c, then, otherwise) => match c.eval(lookup)? {
                None => None,
                Some(c) if c != 0.0 => then.eval(lookup)?,
                Some(_) => match otherwise {
                    Some(e) => e.eval(lookup)?,
                    None => None,
                },
            },
            Self::Binary(op, a, b) => {
                let (Some(a), Some(b)) = (a.eval(lookup)?, b.eval(lookup)?) else {
                    return Ok(None);
                };
                let truth = |t: bool| if t { 1.0 } else { 0.0 };
                finite(match op {
                    BinOp::Add => a + b,
                    BinOp::Sub => a - b,
                    BinOp::Mul => a * b,
                    BinOp::Div => a / b,
                    BinOp::Gt => truth(a > b),
                    BinOp::Ge => truth(a >= b),
                    BinOp::Lt => truth(a < b),
                    BinOp::Le => truth(a <= b),
                    BinOp::Eq => truth(a == b),
                    BinOp::Ne => truth(a != b),
                    BinOp::And => truth(a != 0.0 && b != 0.0),
                    BinOp::Or => truth(a != 0.0 || b != 0.0),
                })
            }
        })
    }
}

/// An alarm's state.
///
/// # Example
/// ```
/// use aws_telemetry::alarms::AlarmState;
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

/// A composite rule: `ALARM("x")`, `OK("x")`, `AND`, `OR`, `NOT`, parentheses.
#[derive(Debug, Clone, PartialEq)]
enum Rule {
    State(AlarmState, String),
    Not(Box<Self>),
    And(Box<Self>, Box<Self>),
    Or(Box<Self>, Box<Self>),
}

fn parse_rule(text: &str) -> Result<Rule, MathError> {
    fn or(p: &mut Parser<'_>) -> Result<Rule, MathError> {
        let mut left = and(p)?;
        while p.eat("OR") {
            left = Rule::Or(Box::new(left), Box::new(and(p)?));
        }
        Ok(left)
    }
    fn and(p: &mut Parser<'_>) -> Result<Rule, MathError> {
        let mut left = unary(p)?;
        while p.eat("AND") {
            left = Rule::And(Box::new(left), Box::new(unary(p)?));
        }
        Ok(left)
    }
    fn unary(p: &mut Parser<'_>) -> Result<Rule, MathError> {
        p.depth += 1;
        if p.depth > 64 {
            return Err(p.err("nested too deeply"));
        }
        let out = if p.eat("NOT") {
            Ok(Rule::Not(Box::new(unary(p)?)))
        } else if p.eat("(") {
            let r = or(p)?;
            if p.eat(")") {
                Ok(r)
            } else {
                Err(p.err("expected )"))
            }
        } else {
            let state = if p.eat("ALARM") {
                AlarmState::Alarm
            } else if p.eat("OK") {
                AlarmState::Ok
            } else if p.eat("INSUFFICIENT_DATA") {
                AlarmState::InsufficientData
            } else {
                return Err(p.err("expected ALARM, OK, INSUFFICIENT_DATA, NOT or ("));
            };
            if !p.eat("(\"") {
                return Err(p.err("expected (\""));
            }
            let start = p.at;
            while p.chars.get(p.at).is_some_and(|c| *c != '"') {
                p.at += 1;
            }
            let name: String = p.chars[start..p.at].iter().collect();
            if !p.eat("\")") {
                return Err(p.err("expected \")"));
            }
            Ok(Rule::State(state, name))
        };
        p.depth -= 1;
        out
    }
    let mut p = Parser {
        text,
        chars: text.chars().collect(),
        at: 0,
        depth: 0,
    };
    let r = or(&mut p)?;
    p.skip();
    if p.at != p.chars.len() {
        return Err(p.err("unexpected text after the rule"));
    }
    Ok(r)
}

fn rule_holds(rule: &Rule, states: &HashMap<String, AlarmState>) -> Result<bool, MathError> {
    Ok(match rule {
        Rule::State(state, name) => {
            let current = states
                .get(name)
                .ok_or_else(|| MathError::UnknownId { id: name.clone() })?;
            current == state
        }
        Rule::Not(r) => !rule_holds(r, states)?,
        Rule::And(a, b) => rule_holds(a, states)? && rule_holds(b, states)?,
        Rule::Or(a, b) => rule_holds(a, states)? || rule_holds(b, states)?,
    })
}

/// Per-minute datapoints of metrics (one value per metric per minute at most), and the
/// minute-by-minute evaluation of alarms over them, as CloudWatch evaluates alarms: every
/// minute, each metric aggregated over its period ending at the evaluation minute.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use aws_telemetry::alarms::{AlarmMetric, AlarmState, CompositeAlarm, MetricAlarm, MetricDataQuery, MetricStat, Simulator, TreatMissingData};
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
/// # Ok::<(), aws_telemetry::alarms::MathError>(())
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

fn ids(e: &Expr) -> Vec<String> {
    match e {
        Expr::Number(_) => Vec::new(),
        Expr::Id(id) => vec![id.clone()],
        Expr::Neg(e) => ids(e),
        Expr::Binary(_, a, b) => {
            let mut v = ids(a);
            v.extend(ids(b));
            v
        }
        Expr::If(c, a, b) => {
            let mut v = ids(c);
            v.extend(ids(a));
            if let Some(b) = b {
                v.extend(ids(b));
            }
            v
        }
    }
}
