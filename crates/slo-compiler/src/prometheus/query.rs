//! Where a Prometheus SLI's numbers come from: counters selected by a series selector, or
//! PromQL templates over a window (Sloth's `{{.window}}` convention).

use std::fmt;

use sli_core::Span;

use super::names::is_metric_name;

/// The longest query text the compiler takes, in bytes: a series selector as the rules print
/// it, or a template as written. A real selector is a few hundred bytes (a metric, a few
/// matchers, perhaps a regular expression alternating a few dozen values); 16 KiB leaves
/// room for hundreds of alternatives.
///
/// The rules write a query once per window (see [`compile`](super::compile())), so this cap,
/// with [`MAX_TIERS`](super::MAX_TIERS), bounds what one SLO compiles to: at most 2 × 64 tier
/// windows and the SLO window, each with an error ratio (3 queries for a good/total signal)
/// and, with a minimum of events, a total (1 more), about 4 × 129 × 16 KiB ≈ 8.1 MiB of query
/// text. A window's text (`5m`, at most 9 bytes) is no longer than the `{{.window}}`
/// placeholder it replaces in a template.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// Why a query was refused, for [`Query::counter`] and [`Query::template`].
///
/// # Example
/// ```
/// use slo_compiler::prometheus::{Query, QueryError};
/// assert!(matches!(Query::counter("http_requests_total{code=5}"), Err(QueryError::Selector { .. })));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// A series selector that is not `metric{label="value", …}`.
    #[error("selector {text:?} at character {at}: {reason}")]
    Selector {
        /// The selector.
        text: String,
        /// 0-based character offset of the problem.
        at: usize,
        /// Why.
        reason: &'static str,
    },
    /// A template without the window placeholder, or empty.
    #[error("query template {text:?}: {reason}")]
    Template {
        /// The template.
        text: String,
        /// Why.
        reason: &'static str,
    },
    /// A query longer than [`MAX_QUERY_BYTES`] (the text is not kept: it is the long part).
    #[error("a query of {length} bytes; the compiler takes at most {max}")]
    TooLong {
        /// The query's length in bytes.
        length: usize,
        /// The limit.
        max: usize,
    },
}

/// [`QueryError::TooLong`] for a `text` longer than [`MAX_QUERY_BYTES`].
pub(crate) fn check_length(text: &str) -> Result<(), QueryError> {
    if text.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong {
            length: text.len(),
            max: MAX_QUERY_BYTES,
        });
    }
    Ok(())
}

/// A label matcher of a series selector.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::{MatchOp, Query};
/// let q = Query::counter(r#"http_requests_total{job="api",code=~"5.."}"#)?;
/// let selector = q.selector().unwrap();
/// assert_eq!(selector.matchers[1].op, MatchOp::Regex);
/// # Ok::<(), slo_compiler::prometheus::QueryError>(())
/// ```
// Plain data: a PromQL label matcher is a name, an operator and a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    /// The label name.
    pub name: String,
    /// `=`, `!=`, `=~` or `!~`.
    pub op: MatchOp,
    /// The value (unescaped).
    pub value: String,
}

/// The operator of a [`Matcher`].
// Closed: the four label matchers of PromQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchOp {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `=~`
    Regex,
    /// `!~`
    NotRegex,
}

impl MatchOp {
    /// The operator as PromQL writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Equal => "=",
            Self::NotEqual => "!=",
            Self::Regex => "=~",
            Self::NotRegex => "!~",
        }
    }
}

/// A series selector: a metric name and label matchers.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::Query;
/// let q = Query::counter(r#"http_requests_total{job="api"}"#)?;
/// assert_eq!(q.selector().unwrap().to_string(), r#"http_requests_total{job="api"}"#);
/// # Ok::<(), slo_compiler::prometheus::QueryError>(())
/// ```
// Plain data: a PromQL selector is a metric name and its matchers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    /// The metric name.
    pub metric: String,
    /// The matchers, in order.
    pub matchers: Vec<Matcher>,
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.metric)?;
        if self.matchers.is_empty() {
            return Ok(());
        }
        f.write_str("{")?;
        for (i, m) in self.matchers.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(&m.name)?;
            f.write_str(m.op.as_str())?;
            write_quoted(f, &m.value)?;
        }
        f.write_str("}")
    }
}

/// Writes `value` as a PromQL (Go) double-quoted string.
fn write_quoted(f: &mut impl fmt::Write, value: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in value.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            '\r' => f.write_str("\\r")?,
            c if c.is_control() => write!(f, "\\u{:04x}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

impl Selector {
    /// The series a test can write for this selector: its metric and equality matchers, or
    /// `None` when another matcher (a regex, a negation) leaves the labels to the caller.
    pub fn concrete_series(&self) -> Option<String> {
        if !self.matchers.iter().all(|m| m.op == MatchOp::Equal) {
            return None;
        }
        // A label given twice (with one value: the parser refuses two) is written once, since
        // a series holds each label once.
        let mut matchers: Vec<Matcher> = Vec::with_capacity(self.matchers.len());
        for m in &self.matchers {
            if !matchers.iter().any(|kept| kept.name == m.name) {
                matchers.push(m.clone());
            }
        }
        Some(
            Self {
                metric: self.metric.clone(),
                matchers,
            }
            .to_string(),
        )
    }
}

/// Whether `name` is a valid Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
pub(crate) fn is_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

struct Cursor<'a> {
    text: &'a str,
    chars: Vec<char>,
    at: usize,
}

impl Cursor<'_> {
    fn fail(&self, reason: &'static str) -> QueryError {
        QueryError::Selector {
            text: self.text.to_owned(),
            at: self.at,
            reason,
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn word(&mut self, extra: char) -> String {
        let start = self.at;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == extra)
        {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    fn quoted(&mut self) -> Result<String, QueryError> {
        let Some(quote) = self.peek().filter(|c| matches!(c, '"' | '\'')) else {
            return Err(self.fail("expected a quoted value"));
        };
        self.at += 1;
        let mut value = String::new();
        loop {
            match self.peek() {
                None => return Err(self.fail("unterminated string")),
                Some(c) if c == quote => {
                    self.at += 1;
                    return Ok(value);
                }
                Some('\\') => {
                    self.at += 1;
                    let escaped = match self.peek() {
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some(c @ ('\\' | '"' | '\'')) => c,
                        _ => return Err(self.fail("unsupported escape")),
                    };
                    value.push(escaped);
                    self.at += 1;
                }
                Some(c) => {
                    value.push(c);
                    self.at += 1;
                }
            }
        }
    }
}

/// Words PromQL's lexer reads as a keyword or a number wherever they stand, case aside, so that
/// they cannot name a metric in a selector (`sum`, `by`, `offset` and the other aggregation
/// keywords can: the grammar takes them as metric identifiers, as `promtool` 2.42 shows).
const RESERVED_NAMES: [&str; 8] = [
    "atan2",
    "bool",
    "group_left",
    "group_right",
    "ignoring",
    "inf",
    "nan",
    "on",
];

fn parse_selector(text: &str) -> Result<Selector, QueryError> {
    let mut p = Cursor {
        text,
        chars: text.chars().collect(),
        at: 0,
    };
    p.skip_space();
    let metric = p.word(':');
    if !is_metric_name(&metric) {
        return Err(p.fail("expected a metric name"));
    }
    if RESERVED_NAMES.contains(&metric.to_ascii_lowercase().as_str()) {
        p.at -= metric.chars().count();
        return Err(p.fail(
            "a PromQL keyword or number (bool, on, ignoring, group_left, group_right, atan2, inf, nan) cannot be a bare metric name",
        ));
    }
    p.skip_space();
    let mut matchers = Vec::new();
    if p.peek() == Some('{') {
        p.at += 1;
        loop {
            p.skip_space();
            if p.peek() == Some('}') {
                p.at += 1;
                break;
            }
            let name_at = p.at;
            let name = p.word('\0');
            if !is_label_name(&name) {
                return Err(p.fail("expected a label name"));
            }
            if name == "__name__" {
                p.at = name_at;
                return Err(p.fail(
                    "a __name__ matcher beside the metric name, which PromQL refuses (it sets the name twice)",
                ));
            }
            p.skip_space();
            let op = match (p.peek(), p.chars.get(p.at + 1).copied()) {
                (Some('='), Some('~')) => MatchOp::Regex,
                (Some('!'), Some('~')) => MatchOp::NotRegex,
                (Some('!'), Some('=')) => MatchOp::NotEqual,
                (Some('='), _) => MatchOp::Equal,
                _ => return Err(p.fail("expected =, !=, =~ or !~")),
            };
            p.at += op.as_str().len();
            p.skip_space();
            let value_at = p.at;
            let value = p.quoted()?;
            let problem = match op {
                MatchOp::Regex | MatchOp::NotRegex => super::re2::problem(&value),
                MatchOp::Equal => matchers
                    .iter()
                    .any(|m: &Matcher| m.op == op && m.name == name && m.value != value)
                    .then_some("a second value for a label matched with =: no series can match"),
                MatchOp::NotEqual => None,
            };
            if let Some(reason) = problem {
                p.at = value_at;
                return Err(p.fail(reason));
            }
            matchers.push(Matcher { name, op, value });
            p.skip_space();
            match p.peek() {
                Some(',') => p.at += 1,
                Some('}') => {}
                _ => return Err(p.fail("expected , or }")),
            }
        }
    }
    p.skip_space();
    if p.at != p.chars.len() {
        return Err(p.fail("unexpected text after the selector"));
    }
    Ok(Selector { metric, matchers })
}

/// The placeholder Sloth's queries use for the window, and the forms accepted for it.
const WINDOW_PLACEHOLDERS: [&str; 2] = ["{{.window}}", "{{ .window }}"];

/// How one source of events (bad, good or total) is queried over a window.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::Query;
/// use sli_core::Span;
///
/// let counter = Query::counter(r#"http_requests_total{job="api"}"#)?;
/// assert_eq!(counter.over(Span::HOUR), r#"sum(increase(http_requests_total{job="api"}[1h]))"#);
/// let sloth = Query::template(r#"sum(rate(http_requests_total{job="api"}[{{.window}}]))"#)?;
/// assert_eq!(sloth.over(Span::HOUR), r#"sum(rate(http_requests_total{job="api"}[1h]))"#);
/// # Ok::<(), slo_compiler::prometheus::QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Query {
    /// A counter: the events over a window are `sum(increase(<selector>[<window>]))`.
    Counter(Selector),
    /// A PromQL expression with `{{.window}}` where the window goes (Sloth's `errorQuery` and
    /// `totalQuery`), giving events, or events per second, over the window: only their ratio
    /// is used, so an SLO with a minimum number of events needs its total as a counter.
    Template(String),
}

impl Query {
    /// A counter selected by `selector` (`metric{label="value",…}`).
    ///
    /// # Errors
    /// [`QueryError::Selector`] for anything but a metric name with optional matchers, and for
    /// what PromQL refuses in one: a keyword or number as the metric name (`bool`, `inf`…), a
    /// `__name__` matcher, a regular expression Go's RE2 syntax refuses (a backreference,
    /// lookaround, unbalanced parentheses…). Also two values for one label matched with `=`,
    /// which PromQL loads but no series can match (the SLO would count nothing).
    /// [`QueryError::TooLong`] for a selector longer than [`MAX_QUERY_BYTES`].
    pub fn counter(selector: &str) -> Result<Self, QueryError> {
        check_length(selector)?;
        parse_selector(selector).map(Self::Counter)
    }

    /// A template with `{{.window}}` (or `{{ .window }}`) where the window goes.
    ///
    /// # Errors
    /// [`QueryError::Template`] for an empty template, one without the placeholder, or one
    /// holding a control character other than a line break or a tab;
    /// [`QueryError::TooLong`] for one longer than [`MAX_QUERY_BYTES`].
    pub fn template(text: &str) -> Result<Self, QueryError> {
        check_length(text)?;
        let fail = |reason| QueryError::Template {
            text: text.to_owned(),
            reason,
        };
        if text.trim().is_empty() {
            return Err(fail("is empty"));
        }
        if !WINDOW_PLACEHOLDERS.iter().any(|p| text.contains(p)) {
            return Err(fail("has no {{.window}} placeholder"));
        }
        if text
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(fail("contains a control character"));
        }
        Ok(Self::Template(text.trim().to_owned()))
    }

    /// The query over `window` (Prometheus's duration syntax: `5m`, `1h`, `30d`).
    pub fn over(&self, window: Span) -> String {
        match self {
            Self::Counter(selector) => {
                use fmt::Write as _;
                let mut out = String::with_capacity(64);
                out.push_str("sum(increase(");
                let _ = write!(out, "{selector}[{window}]))");
                out
            }
            Self::Template(text) => {
                let window = window.to_string();
                WINDOW_PLACEHOLDERS
                    .iter()
                    .fold(text.clone(), |t, p| t.replace(p, &window))
            }
        }
    }

    /// The query's text cut where the window goes, to render over many windows cheaply.
    pub(crate) fn parts(&self) -> QueryParts {
        match self {
            Self::Counter(selector) => {
                QueryParts(vec![format!("sum(increase({selector}["), "]))".to_owned()])
            }
            Self::Template(text) => {
                let mut parts = vec![text.clone()];
                for placeholder in WINDOW_PLACEHOLDERS {
                    parts = parts
                        .iter()
                        .flat_map(|p| p.split(placeholder).map(str::to_owned))
                        .collect();
                }
                QueryParts(parts)
            }
        }
    }

    /// The selector of a counter query.
    pub fn selector(&self) -> Option<&Selector> {
        match self {
            Self::Counter(selector) => Some(selector),
            Self::Template(_) => None,
        }
    }

    /// Whether the query counts events (a counter), rather than giving a rate or a value.
    pub fn counts_events(&self) -> bool {
        matches!(self, Self::Counter(_))
    }
}

/// A query's text cut where the window goes: `parts.join(window)` is the query over it.
#[derive(Debug, Clone)]
pub(crate) struct QueryParts(Vec<String>);

impl QueryParts {
    /// Appends the query over `window` (as Prometheus writes durations) to `out`.
    pub(crate) fn write(&self, out: &mut String, window: &str) {
        for (i, part) in self.0.iter().enumerate() {
            if i > 0 {
                out.push_str(window);
            }
            out.push_str(part);
        }
    }
}

/// Where a Prometheus SLI's numbers come from: bad (or good) events and all events.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::{Query, Signal};
/// let signal = Signal::Bad {
///     bad: Query::counter(r#"http_requests_total{code=~"5.."}"#)?,
///     total: Query::counter("http_requests_total")?,
/// };
/// assert_eq!(signal.total().selector().unwrap().metric, "http_requests_total");
/// # Ok::<(), slo_compiler::prometheus::QueryError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Signal {
    /// Bad events and all events (Sloth's `errorQuery` and `totalQuery`).
    Bad {
        /// Bad events.
        bad: Query,
        /// All events.
        total: Query,
    },
    /// Good events and all events.
    Good {
        /// Good events.
        good: Query,
        /// All events.
        total: Query,
    },
}

impl Signal {
    /// The query of all events.
    pub fn total(&self) -> &Query {
        match self {
            Self::Bad { total, .. } | Self::Good { total, .. } => total,
        }
    }

    /// The parts of the bad (or good) and total queries, and whether the first is bad.
    pub(crate) fn parts(&self) -> SignalParts {
        match self {
            Self::Bad { bad, total } => SignalParts {
                events: bad.parts(),
                total: total.parts(),
                bad: true,
            },
            Self::Good { good, total } => SignalParts {
                events: good.parts(),
                total: total.parts(),
                bad: false,
            },
        }
    }
}

/// A signal's queries cut where the window goes (see [`Query::parts`]).
#[derive(Debug, Clone)]
pub(crate) struct SignalParts {
    pub(crate) events: QueryParts,
    pub(crate) total: QueryParts,
    pub(crate) bad: bool,
}

impl SignalParts {
    /// The error ratio over `window`: `(bad) / (total)`, or `((total) - (good)) / (total)`.
    pub(crate) fn error_ratio(&self, window: &str) -> String {
        let mut out = String::with_capacity(256);
        if self.bad {
            out.push('(');
            self.events.write(&mut out, window);
            out.push_str(")\n/\n(");
        } else {
            out.push_str("((");
            self.total.write(&mut out, window);
            out.push_str(") - (");
            self.events.write(&mut out, window);
            out.push_str("))\n/\n(");
        }
        self.total.write(&mut out, window);
        out.push(')');
        out
    }

    /// The total over `window`.
    pub(crate) fn total(&self, window: &str) -> String {
        let mut out = String::with_capacity(128);
        self.total.write(&mut out, window);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_parse_and_print_back() {
        let q =
            Query::counter(r#" http_requests_total { job = "api", code=~'5..' , path!="/a\"b" } "#)
                .unwrap();
        let s = q.selector().unwrap();
        assert_eq!(s.matchers.len(), 3);
        assert_eq!(s.matchers[2].value, "/a\"b");
        assert_eq!(
            s.to_string(),
            r#"http_requests_total{job="api",code=~"5..",path!="/a\"b"}"#
        );
        assert_eq!(s.concrete_series(), None);
        for bad in [
            "",
            "5xx",
            "a{b}",
            "a{b=}",
            "a{b=\"c\"",
            "a{b=\"c\" d=\"e\"}",
            "sum(a)",
            "a[5m]",
        ] {
            assert!(Query::counter(bad).is_err(), "{bad}");
        }
    }

    /// Each of these compiled, and `promtool check rules` refused the whole file.
    #[test]
    fn selectors_promql_refuses_are_refused_naming_what_is_wrong() {
        for (selector, at, reason) in [
            (r#"x{a=~"("}"#, 5, "parentheses"),
            (r#"x{a=~"\\1"}"#, 5, "backreference"),
            (r#"x{a=~"(?=a)"}"#, 5, "lookaround"),
            (r#"x{a!~"a**"}"#, 5, "repetition"),
            (r#"x{__name__="y"}"#, 2, "__name__"),
            (r#"x{a="1",b="2",a="3"}"#, 16, "no series can match"),
            ("inf", 0, "keyword or number"),
            (" NaN{a=\"1\"}", 1, "keyword or number"),
            ("bool", 0, "keyword or number"),
            ("Group_Left", 0, "keyword or number"),
        ] {
            match Query::counter(selector) {
                Err(QueryError::Selector {
                    text,
                    at: got_at,
                    reason: got,
                }) => {
                    assert_eq!((text.as_str(), got_at), (selector, at), "{got}");
                    assert!(got.contains(reason), "{selector}: {got}");
                }
                other => panic!("{selector}: {other:?}"),
            }
        }
    }

    #[test]
    fn what_promql_reads_stays_accepted_and_series_hold_each_label_once() {
        for selector in [
            "sum",
            "by",
            "offset",
            "info",
            r#"x{a!="1",a!="2"}"#,
            r#"x{a=~"\\p{Greek}|5..",b!~"(?i)get"}"#,
        ] {
            assert!(Query::counter(selector).is_ok(), "{selector}");
        }
        let q = Query::counter(r#"x{a="1",b="2",a="1"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            q.selector().and_then(Selector::concrete_series).as_deref(),
            Some(r#"x{a="1",b="2"}"#)
        );
    }

    #[test]
    fn templates_need_the_window() {
        assert!(Query::template("sum(rate(x[5m]))").is_err());
        assert!(Query::template("  ").is_err());
        let q = Query::template("sum(rate(x[{{ .window }}])) / sum(rate(y[{{.window}}]))").unwrap();
        assert_eq!(
            q.over(Span::from_days(3).unwrap()),
            "sum(rate(x[3d])) / sum(rate(y[3d]))"
        );
    }
}
