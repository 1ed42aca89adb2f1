//! The metric-math subset the compiler emits: numbers, metric ids, `+ - * /`, comparisons,
//! `AND`/`OR` and `IF`, parsed and evaluated at one timestamp.

/// An expression or rule the interpreter cannot read or evaluate.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::{Expr, MathError};
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
    /// A simulation longer than [`MAX_SIMULATED_MINUTES`](crate::cloudwatch::MAX_SIMULATED_MINUTES),
    /// refused by [`Simulator::new`](crate::cloudwatch::Simulator::new).
    #[error("a simulation of {minutes} minutes; the simulator takes at most {max}")]
    TooManyMinutes {
        /// The minutes asked for.
        minutes: usize,
        /// The limit.
        max: usize,
    },
}

/// A binary operator.
///
/// # Example
/// ```
/// use slo_compiler::cloudwatch::BinOp;
/// assert_ne!(BinOp::Add, BinOp::Sub);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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
/// use slo_compiler::cloudwatch::Expr;
/// let e = Expr::parse("IF(total > 0, bad - 0.0144 * total)")?;
/// let at = |bad: f64, total: f64| e.eval(&|id| match id { "bad" => Some(bad), "total" => Some(total), _ => None });
/// assert_eq!(at(20.0, 1000.0)?, Some(20.0 - 0.0144 * 1000.0));
/// assert_eq!(at(0.0, 0.0)?, None); // no events: no datapoint
/// # Ok::<(), slo_compiler::cloudwatch::MathError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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

/// A cursor over the text of an expression or rule, shared by both parsers.
pub(super) struct Parser<'a> {
    pub(super) text: &'a str,
    pub(super) chars: Vec<char>,
    pub(super) at: usize,
    pub(super) depth: usize,
}

impl Parser<'_> {
    pub(super) fn err(&self, reason: &'static str) -> MathError {
        MathError::Syntax {
            text: self.text.to_owned(),
            at: self.at,
            reason,
        }
    }

    pub(super) fn skip(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    pub(super) fn eat(&mut self, token: &str) -> bool {
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

/// The ids an expression names.
pub(super) fn ids(e: &Expr) -> Vec<String> {
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
