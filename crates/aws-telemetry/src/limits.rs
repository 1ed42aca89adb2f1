//! Database connection limits (F6): [`ConnectionLimit`], an RDS instance's `max_connections`
//! evaluated for its instance class; the engine formula evaluator
//! ([`evaluate_max_connections`]) and the instance-class memory table
//! ([`instance_class_memory`]) it uses; the [`ConnectionLimitSource`] trait and its in-memory
//! implementation [`InMemoryConnectionLimitSource`]. The RDS adapter (`DescribeDBInstances`,
//! `DescribeDBParameters`) is `RdsLimitSource` (feature `rds`).
//!
//! Where an RDS Proxy sits in front of the database, the limit that matters is the proxy's:
//! read `AWS/RDS` `MaxDatabaseConnectionsAllowed` through a [`MetricSource`](crate::MetricSource)
//! ([`proxy_max_connections_metric`]) instead of evaluating the formula.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{ConnectionLimitError, FormulaError, QueryError, ServiceError};
use crate::metric::Metric;

const GIB: u64 = 1 << 30;

/// Nominal memory of an RDS instance class, in bytes, from the published instance class
/// tables (`db.t3.micro` 1 GiB … `db.r6i.32xlarge` 1,024 GiB), or `None` for a class not in
/// the table.
///
/// Covered: `db.t2`, `db.t3`, `db.t4g` (micro … 2xlarge); the general-purpose `db.m5`, `m5d`,
/// `m6g`, `m6gd`, `m6i`, `m6id`, `m7g`, `m7i`, `m8g` (4 GiB per vCPU) and memory-optimised
/// `db.r5`, `r5b`, `r5d`, `r6g`, `r6gd`, `r6i`, `r6id`, `r7g`, `r7i`, `r8g` (8 GiB per vCPU),
/// sizes large (2 vCPU) … 32xlarge (128 vCPU).
///
/// **An approximation.** The engine formulas read `DBInstanceClassMemory`, which is this
/// nominal memory less what RDS reserves for the operating system and its own processes (a
/// few hundred MiB on small classes). A limit computed from the nominal memory is therefore a
/// little *higher* than the engine's: treat it as an upper bound, or give the exact value with
/// [`ConnectionLimit::max_connections`] when you know it.
///
/// # Example
/// ```
/// use aws_telemetry::instance_class_memory;
/// assert_eq!(instance_class_memory("db.r6g.large"), Some(16 << 30));
/// assert_eq!(instance_class_memory("db.t3.micro"), Some(1 << 30));
/// assert_eq!(instance_class_memory("db.z9.huge"), None);
/// ```
pub fn instance_class_memory(class: &str) -> Option<u64> {
    let mut parts = class.strip_prefix("db.")?.split('.');
    let (family, size) = (parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    if matches!(family, "t2" | "t3" | "t4g") {
        let gib = match size {
            "micro" => 1,
            "small" => 2,
            "medium" => 4,
            "large" => 8,
            "xlarge" => 16,
            "2xlarge" => 32,
            _ => return None,
        };
        return Some(gib * GIB);
    }
    let per_vcpu = match family {
        "m5" | "m5d" | "m6g" | "m6gd" | "m6i" | "m6id" | "m7g" | "m7i" | "m8g" => 4,
        "r5" | "r5b" | "r5d" | "r6g" | "r6gd" | "r6i" | "r6id" | "r7g" | "r7i" | "r8g" => 8,
        _ => return None,
    };
    let vcpus = match size {
        "large" => 2,
        "xlarge" => 4,
        "2xlarge" => 8,
        "4xlarge" => 16,
        "8xlarge" => 32,
        "12xlarge" => 48,
        "16xlarge" => 64,
        "24xlarge" => 96,
        "32xlarge" => 128,
        _ => return None,
    };
    Some(per_vcpu * vcpus * GIB)
}

/// Evaluates a `max_connections` parameter value: a plain integer (`"500"`), a braced
/// expression over `DBInstanceClassMemory` with `*` and `/` (`"{DBInstanceClassMemory/12582880}"`,
/// the MySQL default), and `LEAST(…)`, `GREATEST(…)`, `SUM(…)` of those
/// (`"LEAST({DBInstanceClassMemory/9531392},5000)"`, the PostgreSQL default), as "Maximum
/// number of database connections" in the Amazon RDS User Guide writes them. A braced
/// expression is truncated to an integer, as RDS does. `memory` is `DBInstanceClassMemory` in
/// bytes.
///
/// # Errors
/// A [`FormulaError`] naming the formula: [`FormulaError::Unsupported`] with the byte
/// offset for anything else (e.g. Aurora's `log(…)` forms, other variables such as
/// `DBInstanceVCPU`, a syntax error); [`FormulaError::DivisionByZero`];
/// [`FormulaError::NotPositive`] for a result that is not a positive finite number, and
/// [`FormulaError::Unsupported`] for one that is not whole (`"1.5"`). A number
/// is written in digits (`NaN`, `inf` and numbers past `f64::MAX` such as `1e400` are
/// [`FormulaError::Unsupported`]: `LEAST(NaN,5)` was 5), and functions nest at most
/// [`MAX_FORMULA_DEPTH`] deep (a deeper formula is [`FormulaError::Unsupported`] at the
/// function that passes it, not a stack overflow).
///
/// # Example
/// ```
/// use aws_telemetry::evaluate_max_connections;
/// let memory = 16u64 << 30; // db.r6g.large, nominal
/// assert_eq!(evaluate_max_connections("{DBInstanceClassMemory/12582880}", memory)?, 1365.0);
/// assert_eq!(evaluate_max_connections("LEAST({DBInstanceClassMemory/9531392},5000)", memory)?, 1802.0);
/// assert_eq!(evaluate_max_connections("250", memory)?, 250.0);
/// assert!(evaluate_max_connections("GREATEST({log(DBInstanceClassMemory/805306368)*45},100)", memory).is_err());
/// # Ok::<(), aws_telemetry::FormulaError>(())
/// ```
pub fn evaluate_max_connections(formula: &str, memory: u64) -> Result<f64, FormulaError> {
    let fail = |fault: Fault| match fault {
        Fault::Unsupported { position, reason } => FormulaError::Unsupported {
            formula: formula.to_owned(),
            position,
            reason,
        },
        Fault::DivisionByZero { position } => FormulaError::DivisionByZero {
            formula: formula.to_owned(),
            position,
        },
    };
    let mut parser = Parser {
        text: formula.as_bytes(),
        at: 0,
        memory: memory as f64,
    };
    let value = parser.expr(0).map_err(fail)?;
    parser.skip_space();
    if parser.at != parser.text.len() {
        return Err(fail(Fault::Unsupported {
            position: parser.at,
            reason: "unexpected text".to_owned(),
        }));
    }
    if !value.is_finite() || value <= 0.0 {
        return Err(FormulaError::NotPositive {
            formula: formula.to_owned(),
            value,
        });
    }
    // Braced expressions are truncated; a plain number outside them is the parameter itself,
    // which RDS takes only as an integer: "0.4" connections is no limit to forecast against.
    if value.fract() != 0.0 {
        return Err(fail(Fault::Unsupported {
            position: 0,
            reason: format!(
                "{} is not a whole number of connections (a number outside braces is not \
                 truncated)",
                sli_core::ExactValue(value)
            ),
        }));
    }
    Ok(value)
}

/// What the parser stopped at, and where (a 0-based byte offset).
#[derive(Debug)]
enum Fault {
    Unsupported { position: usize, reason: String },
    DivisionByZero { position: usize },
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    memory: f64,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_space();
        if self.text.get(self.at) == Some(&c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// The fault `reason` at the current position.
    fn unsupported(&self, reason: String) -> Fault {
        Fault::Unsupported {
            position: self.at,
            reason,
        }
    }

    fn word(&mut self) -> &str {
        self.skip_space();
        let start = self.at;
        while self
            .text
            .get(self.at)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
        {
            self.at += 1;
        }
        std::str::from_utf8(&self.text[start..self.at]).unwrap_or("")
    }

    /// `expr := number | '{' product '}' | FUNC '(' expr (',' expr)* ')'`, within `depth`
    /// functions.
    fn expr(&mut self, depth: usize) -> Result<f64, Fault> {
        if self.eat(b'{') {
            let value = self.product()?;
            if !self.eat(b'}') {
                return Err(self.unsupported("expected '}'".to_owned()));
            }
            return Ok(value.trunc());
        }
        self.skip_space();
        let at = self.at;
        let word = self.word().to_owned();
        if word.is_empty() {
            return Err(self.unsupported("expected a value".to_owned()));
        }
        if starts_a_number(&word) {
            return number(&word, at);
        }
        let combine: fn(f64, f64) -> f64 = match word.to_ascii_uppercase().as_str() {
            "LEAST" => f64::min,
            "GREATEST" => f64::max,
            "SUM" => |a, b| a + b,
            _ => {
                return Err(Fault::Unsupported {
                    position: at,
                    reason: format!("unsupported function or value {word:?}"),
                });
            }
        };
        if depth == MAX_FORMULA_DEPTH {
            return Err(Fault::Unsupported {
                position: at,
                reason: format!("functions nested more than {MAX_FORMULA_DEPTH} deep"),
            });
        }
        if !self.eat(b'(') {
            return Err(self.unsupported(format!("expected '(' after {word}")));
        }
        let mut value = self.expr(depth + 1)?;
        while self.eat(b',') {
            value = combine(value, self.expr(depth + 1)?);
        }
        if !self.eat(b')') {
            return Err(self.unsupported("expected ')'".to_owned()));
        }
        Ok(value)
    }

    /// `product := factor (('*' | '/') factor)*`, inside braces.
    fn product(&mut self) -> Result<f64, Fault> {
        let mut value = self.factor()?;
        loop {
            if self.eat(b'*') {
                value *= self.factor()?;
            } else if self.eat(b'/') {
                self.skip_space();
                let position = self.at;
                let divisor = self.factor()?;
                if divisor == 0.0 {
                    return Err(Fault::DivisionByZero { position });
                }
                value /= divisor;
            } else {
                return Ok(value);
            }
        }
    }

    /// `factor := number | DBInstanceClassMemory`
    fn factor(&mut self) -> Result<f64, Fault> {
        self.skip_space();
        let at = self.at;
        let word = self.word().to_owned();
        if word == "DBInstanceClassMemory" {
            return Ok(self.memory);
        }
        if starts_a_number(&word) {
            return number(&word, at);
        }
        Err(Fault::Unsupported {
            position: at,
            reason: format!("unsupported term {word:?}"),
        })
    }
}

/// How deep [`evaluate_max_connections`] nests `LEAST`, `GREATEST` and `SUM`: the formulas RDS
/// documents nest one deep; the bound keeps the recursive parser's stack small on any thread
/// (200,000 nested `LEAST(` overflowed a 2 MiB stack and aborted the process).
pub const MAX_FORMULA_DEPTH: usize = 32;

/// Whether `word` is written as a number (a digit or a point first), not a name: `f64`'s
/// parser also reads `NaN`, `inf` and `infinity`.
fn starts_a_number(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_digit() || c == '.')
}

/// `word` as a finite number; one past `f64::MAX` (`1e400`) is refused, not read as infinity.
fn number(word: &str, position: usize) -> Result<f64, Fault> {
    match word.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        _ => Err(Fault::Unsupported {
            position,
            reason: format!("'{word}' is not a finite number"),
        }),
    }
}

/// An RDS instance's connection limit and what it was computed from.
///
/// A plain output record: fields are public to read; build one with
/// [`ConnectionLimit::evaluate`], since fields may be added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConnectionLimit {
    /// `DBInstanceIdentifier`.
    pub instance: String,
    /// `DBInstanceClass`, e.g. `db.r6g.large`.
    pub instance_class: String,
    /// `Engine`, e.g. `postgres`, `mysql`.
    pub engine: String,
    /// The DB parameter group the limit was read from.
    pub parameter_group: String,
    /// The `max_connections` parameter value as the group holds it (a number or a formula).
    pub formula: String,
    /// `DBInstanceClassMemory` used for the formula, in bytes (nominal: see
    /// [`instance_class_memory`]); `None` when the value is a plain number.
    pub memory: Option<u64>,
    /// The evaluated limit.
    pub max_connections: f64,
}

impl ConnectionLimit {
    /// Evaluates `formula` for `instance_class` with the nominal memory of
    /// [`instance_class_memory`].
    ///
    /// # Errors
    /// [`FormulaError::UnknownInstanceClass`] when the formula needs the memory of a class not
    /// in the table; otherwise as [`evaluate_max_connections`].
    ///
    /// # Example
    /// ```
    /// use aws_telemetry::ConnectionLimit;
    /// let limit = ConnectionLimit::evaluate("orders", "db.m6g.large", "mysql", "default.mysql8.0",
    ///     "{DBInstanceClassMemory/12582880}")?;
    /// assert_eq!(limit.max_connections, 682.0);
    /// assert_eq!(limit.to_string(), "orders (db.m6g.large, mysql): max_connections 682");
    /// # Ok::<(), aws_telemetry::FormulaError>(())
    /// ```
    pub fn evaluate(
        instance: &str,
        instance_class: &str,
        engine: &str,
        parameter_group: &str,
        formula: &str,
    ) -> Result<Self, FormulaError> {
        let uses_memory = formula.contains("DBInstanceClassMemory");
        let memory = if uses_memory {
            Some(instance_class_memory(instance_class).ok_or_else(|| {
                FormulaError::UnknownInstanceClass {
                    class: instance_class.to_owned(),
                }
            })?)
        } else {
            None
        };
        let max_connections = evaluate_max_connections(formula, memory.unwrap_or(0))?;
        Ok(Self {
            instance: instance.to_owned(),
            instance_class: instance_class.to_owned(),
            engine: engine.to_owned(),
            parameter_group: parameter_group.to_owned(),
            formula: formula.to_owned(),
            memory,
            max_connections,
        })
    }
}

impl fmt::Display for ConnectionLimit {
    /// `instance (class, engine): max_connections N`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}, {}): max_connections {}",
            self.instance, self.instance_class, self.engine, self.max_connections
        )
    }
}

/// `AWS/RDS` `MaxDatabaseConnectionsAllowed` of an RDS Proxy (dimensions `ProxyName`,
/// `TargetGroup`, `TargetRole`, e.g. `"default"`, `"READ_WRITE"`): the connection limit the
/// proxy enforces, to read through a [`MetricSource`](crate::MetricSource) where a proxy
/// exists, instead of the engine formula.
///
/// # Errors
/// [`QueryError::InvalidMetric`] for names CloudWatch would refuse.
pub fn proxy_max_connections_metric(
    proxy: &str,
    target_group: &str,
    target_role: &str,
) -> Result<Metric, QueryError> {
    Metric::new("AWS/RDS", "MaxDatabaseConnectionsAllowed")?
        .with_dimension("ProxyName", proxy)?
        .with_dimension("TargetGroup", target_group)?
        .with_dimension("TargetRole", target_role)
}

/// A source of database connection limits: RDS, memory.
///
/// Object safe and `Send + Sync`: hold it as `Arc<dyn ConnectionLimitSource>`.
#[async_trait]
pub trait ConnectionLimitSource: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// The limit of one instance (by `DBInstanceIdentifier`).
    ///
    /// # Errors
    /// A [`ConnectionLimitError`]: [`ServiceError::NotFound`] (as
    /// [`ConnectionLimitError::Service`]) for an unknown instance, or a parameter group
    /// without `max_connections`; [`ConnectionLimitError::Formula`] when the limit cannot be
    /// evaluated; otherwise the backend's [`ServiceError`].
    async fn connection_limit(
        &self,
        instance: &str,
    ) -> Result<ConnectionLimit, ConnectionLimitError>;
}

/// Limits put in by the caller; clones share them.
///
/// # Example
/// ```
/// use aws_telemetry::{ConnectionLimit, ConnectionLimitSource, InMemoryConnectionLimitSource};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let source = InMemoryConnectionLimitSource::new();
/// source.put(ConnectionLimit::evaluate("orders", "db.t3.medium", "postgres", "default.postgres16",
///     "LEAST({DBInstanceClassMemory/9531392},5000)")?);
/// assert_eq!(source.connection_limit("orders").await?.max_connections, 450.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct InMemoryConnectionLimitSource {
    limits: Arc<RwLock<BTreeMap<String, ConnectionLimit>>>,
}

impl InMemoryConnectionLimitSource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a limit, replacing that of the same instance.
    pub fn put(&self, limit: ConnectionLimit) {
        self.limits
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(limit.instance.clone(), limit);
    }
}

impl fmt::Display for InMemoryConnectionLimitSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.limits.read().map_or(0, |l| l.len());
        write!(f, "InMemoryConnectionLimitSource({count} instances)")
    }
}

#[async_trait]
impl ConnectionLimitSource for InMemoryConnectionLimitSource {
    async fn connection_limit(
        &self,
        instance: &str,
    ) -> Result<ConnectionLimit, ConnectionLimitError> {
        self.limits
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(instance)
            .cloned()
            .ok_or_else(|| {
                ServiceError::NotFound {
                    backend: "InMemoryConnectionLimitSource",
                    what: format!("DB instance {instance:?}"),
                }
                .into()
            })
    }
}
