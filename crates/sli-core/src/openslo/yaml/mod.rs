//! A YAML node tree with the line and column of every node, built from `saphyr-parser`'s event
//! stream, and a small emitter for the tree. Only what OpenSLO documents need: scalars,
//! sequences, mappings, anchors and aliases (expanded, with a bound), merge keys (`<<`, which
//! go-yaml reads), several documents.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Parser, ScalarStyle};

mod emit;
mod flow;

pub(super) use emit::emit;
use flow::long_flow_collection;

/// A YAML value without positions: what the importer keeps of metric-source specs it does not
/// interpret, and what the exporter writes.
///
/// # Example
/// ```
/// use sli_core::openslo::Value;
///
/// let v = Value::Map(vec![("query".into(), Value::String("up".into()))]);
/// assert_eq!(v.get("query"), Some(&Value::String("up".into())));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as written (`0.999`, `30`) so that nothing is lost in a round trip.
    Number(String),
    /// A string.
    String(String),
    /// A sequence.
    Seq(Vec<Self>),
    /// A mapping, in document order.
    Map(Vec<(String, Self)>),
}

impl Value {
    /// The value under `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Self> {
        match self {
            Self::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A scalar as the parser saw it: its text, and whether it was plain (unquoted), which decides
/// whether `30` is a number or a string.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Scalar { text: String, plain: bool },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A node and where it starts (1-based line and column).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub(super) kind: Kind,
    pub(super) line: usize,
    pub(super) column: usize,
}

/// One document of a stream.
#[derive(Debug)]
pub(super) struct Document {
    pub(super) root: Node,
}

/// A syntax error, with the document it occurred in.
#[derive(Debug)]
pub(super) struct SyntaxError {
    pub(super) document: usize,
    pub(super) line: usize,
    pub(super) column: usize,
    pub(super) message: String,
}

impl Node {
    pub(super) fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, plain: true } if is_null_text(text))
    }

    pub(super) fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Scalar { .. } if self.is_null() => "null",
            Kind::Scalar { text, plain: true } if parse_bool(text).is_some() => "a boolean",
            Kind::Scalar { text, plain: true } if parse_number(text).is_some() => "a number",
            Kind::Scalar { .. } => "a string",
            Kind::Seq(_) => "a sequence",
            Kind::Map(_) => "a mapping",
        }
    }

    /// The value without positions.
    pub(super) fn to_value(&self) -> Value {
        match &self.kind {
            Kind::Scalar { .. } if self.is_null() => Value::Null,
            Kind::Scalar { text, plain: true } => match parse_bool(text) {
                Some(b) => Value::Bool(b),
                None if is_core_number(text) => Value::Number(text.clone()),
                None => Value::String(text.clone()),
            },
            Kind::Scalar { text, .. } => Value::String(text.clone()),
            Kind::Seq(items) => Value::Seq(items.iter().map(Self::to_value).collect()),
            Kind::Map(entries) => Value::Map(
                first_of_each_key(entries)
                    .map(|(k, v)| (k, v.to_value()))
                    .collect(),
            ),
        }
    }
}

/// A mapping's entries with their keys as text, the first of a repeated key only, as
/// `SourceSpec::get` reads it: strict mode refuses the repetition, lenient mode warns and
/// keeps one copy, so that an export is a mapping go-yaml reads.
pub(super) fn first_of_each_key(entries: &[(Node, Node)]) -> impl Iterator<Item = (String, &Node)> {
    let mut seen = std::collections::HashSet::new();
    entries
        .iter()
        .map(|(k, v)| (key_text(k), v))
        .filter(move |(k, _)| seen.insert(k.clone()))
}

/// A mapping key as text (keys of OpenSLO documents are strings; others are shown as YAML).
pub(super) fn key_text(node: &Node) -> String {
    match &node.kind {
        Kind::Scalar { text, .. } => text.clone(),
        Kind::Seq(_) => "[…]".into(),
        Kind::Map(_) => "{…}".into(),
    }
}

fn is_null_text(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

pub(super) fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Whether a scalar tagged `tag` is read as a plain scalar: a core-schema tag of a boolean,
/// an integer, a float or null (`!!float 0.99`, `!!float "0.99"`, `!!bool true`) says the
/// scalar is of that type whatever its quoting (YAML 1.2, "10.3 Core Schema"), so it is read
/// as a plain scalar of that type. Any other tag (`!!str`, a local tag) makes a string.
///
/// # Errors
/// The message for a core-schema tag whose text is not of its type (`!!float abc`,
/// `!!bool 0.99`), which a YAML processor cannot resolve: read as a string, it surfaced as a
/// misleading "found a quoted string". Integers are decimal only, floats finite decimals.
fn resolves_as_tagged(tag: &saphyr_parser::Tag, text: &str) -> Result<bool, String> {
    // `!!float` is the handle `tag:yaml.org,2002:` and the suffix `float`; the verbatim
    // `!<tag:yaml.org,2002:float>` comes as one or the other whole.
    let full = format!("{}{}", tag.handle, tag.suffix);
    let (ok, what) = match full.strip_prefix("tag:yaml.org,2002:") {
        Some("bool") => (parse_bool(text).is_some(), "a boolean"),
        // Decimal integers only, as `parse_number` reads no other base.
        Some("int") => {
            let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
            let decimal = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
            (decimal, "a decimal integer")
        }
        Some("float") => (parse_number(text).is_some(), "a finite decimal number"),
        Some("null") => (is_null_text(text), "null"),
        _ => return Ok(false),
    };
    if ok {
        Ok(true)
    } else {
        Err(format!(
            "the scalar {text:?} is tagged !!{} but is not {what}",
            tag.suffix.rsplit(':').next().unwrap_or(&tag.suffix)
        ))
    }
}

/// A YAML 1.2 core-schema number (decimal only; `.inf` and `.nan` are not numbers here).
pub(super) fn parse_number(text: &str) -> Option<f64> {
    let t = text.strip_prefix(['+', '-']).unwrap_or(text);
    let first = t.chars().next()?;
    if !(first.is_ascii_digit() || first == '.') {
        return None;
    }
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    text.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// The YAML scanner's message when flow collections nest deeper than it counts.
const SCANNER_NESTING_LIMIT: &str = "recursion limit exceeded";

/// The deepest flow nesting the YAML scanner follows (its level is a `u8`).
const MAX_FLOW_NESTING: usize = 255;

/// Whether a plain scalar is a number in YAML 1.2's core schema: what [`parse_number`] reads,
/// and also hexadecimal and octal integers, infinities, NaN and decimals beyond `f64`'s range.
/// Free-form values (a metric source's `spec`) keep such a number as written, so that it is
/// written back unquoted, a number to the reader after us.
pub(super) fn is_core_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits = |rest: Option<&str>, radix| {
        rest.is_some_and(|r| !r.is_empty() && r.chars().all(|c| c.is_digit(radix)))
    };
    parse_number(text).is_some()
        || matches!(unsigned, ".inf" | ".Inf" | ".INF")
        || matches!(text, ".nan" | ".NaN" | ".NAN")
        || digits(text.strip_prefix("0x"), 16)
        || digits(text.strip_prefix("0o"), 8)
        || (unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
            && unsigned
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
            && text.parse::<f64>().is_ok())
}

/// The text a node's weight stands for: a scalar counts as one node per this many bytes of
/// its text, so that the node cap bounds the text aliases copy as well as their structure
/// (at most `nodes` × 64 bytes of text).
pub(super) const TEXT_BYTES_PER_NODE: usize = 64;

/// The caps [`parse_stream`] applies, so that hostile input is a typed error within bounded
/// time and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Caps {
    pub(super) input_bytes: usize,
    pub(super) flow_bytes: usize,
    pub(super) nodes: usize,
    pub(super) depth: usize,
}

/// Why a stream was refused.
#[derive(Debug)]
pub(super) enum StreamError {
    Syntax(SyntaxError),
    /// A cap was reached: which, and its value.
    Limit {
        document: usize,
        line: usize,
        column: usize,
        limit: &'static str,
        max: usize,
    },
}

/// Whether a mapping key is YAML's merge key: a plain `<<` (a quoted one is a key like any).
fn is_merge_key(key: &Node) -> bool {
    matches!(&key.kind, Kind::Scalar { text, plain: true } if text == "<<")
}

/// Expands the merge keys of a mapping (`<<: *base`, `<<: [*a, *b]`), as go-yaml (and so
/// `kubectl` and the OpenSLO Go tooling) does, following the YAML 1.1 merge-key type: the keys
/// of the mapping itself win, then those of the first mapping merged, then the next. The merged
/// entries are moved, not copied, so they are the nodes their alias was charged for: the node
/// cap bounds merges as it bounds aliases.
fn merge_keys(entries: &mut Vec<(Node, Node)>) -> Result<(), (usize, usize, String)> {
    if !entries.iter().any(|(k, _)| is_merge_key(k)) {
        return Ok(());
    }
    let mut merged = Vec::new();
    let mut own = Vec::with_capacity(entries.len());
    let mut merges = 0;
    for (key, value) in std::mem::take(entries) {
        if !is_merge_key(&key) {
            own.push((key, value));
            continue;
        }
        // `<<` twice in one mapping is a repeated key (go-yaml refuses it); `<<: [*a, *b]`
        // merges several.
        merges += 1;
        if merges > 1 {
            return Err((
                key.line,
                key.column,
                "the merge key (<<) appears twice in this mapping: merge several with <<: [*a, *b]"
                    .to_owned(),
            ));
        }
        let wrong = |node: &Node| {
            (
                node.line,
                node.column,
                "a merge key (<<) takes a mapping or a sequence of mappings".to_owned(),
            )
        };
        match value.kind {
            Kind::Map(from) => merged.push(from),
            Kind::Seq(items) => {
                for item in items {
                    match item.kind {
                        Kind::Map(from) => merged.push(from),
                        _ => return Err(wrong(&item)),
                    }
                }
            }
            Kind::Scalar { .. } => return Err(wrong(&value)),
        }
    }
    // Keys already present, hashed: comparing each merged key with every key before it made a
    // merge of 80,000 keys take a minute (a review, 2026-12-07).
    let text = |node: &Node| match &node.kind {
        Kind::Scalar { text, .. } => Some(text.clone()),
        _ => None,
    };
    let mut present: HashSet<String> = own.iter().filter_map(|(k, _)| text(k)).collect();
    for from in merged {
        let mut in_this = HashSet::with_capacity(from.len());
        for (key, value) in from {
            let Some(name) = text(&key) else {
                own.push((key, value));
                continue;
            };
            // A key twice in one merged mapping is refused in both modes, as go-yaml refuses
            // it: the field checks that warn of a mapping's own repeated key in lenient mode
            // never see a merged mapping, so which copy counts would be decided silently.
            if !in_this.insert(name.clone()) {
                return Err((
                    key.line,
                    key.column,
                    format!("key {name:?} appears twice in a mapping merged by <<"),
                ));
            }
            if present.insert(name) {
                own.push((key, value));
            }
        }
    }
    *entries = own;
    Ok(())
}

/// An open collection: the node being built, the pending key of a mapping, its anchor, and
/// the number of nodes in it so far.
struct Open {
    node: Node,
    pending: Option<Node>,
    anchor: usize,
    size: usize,
}

/// Builds the node tree of every document in `text`.
///
/// Every node counts against `caps.nodes`, and so does every node an alias or an anchor copies:
/// an anchored node is kept with its size, and an alias costs the size of what it expands to,
/// so neither nested anchors nor alias bombs can make more than `caps.nodes` nodes in all.
pub(super) fn parse_stream(text: &str, caps: Caps) -> Result<Vec<Document>, StreamError> {
    if text.len() > caps.input_bytes {
        return Err(StreamError::Limit {
            document: 0,
            line: 1,
            column: 1,
            limit: "input bytes",
            max: caps.input_bytes,
        });
    }
    if let Some((line, column)) = long_flow_collection(text, caps.flow_bytes) {
        return Err(StreamError::Limit {
            document: 0,
            line,
            column,
            limit: "bytes in one flow collection",
            max: caps.flow_bytes,
        });
    }
    let mut nodes: usize = 0;
    let mut documents = Vec::new();
    // Anchored nodes with their sizes.
    let mut anchors: HashMap<usize, (Node, usize)> = HashMap::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    for event in Parser::new_from_str(text) {
        let doc = documents.len();
        let (event, span) = event.map_err(|e| {
            let (line, column) = (e.marker().line(), e.marker().col() + 1);
            // The YAML parser counts flow nesting in a byte: past 255 levels it stops, before a
            // depth cap set higher than that could. It is the same limit, by another name.
            if e.info() == SCANNER_NESTING_LIMIT {
                return StreamError::Limit {
                    document: doc,
                    line,
                    column,
                    limit: "nesting depth",
                    max: caps.depth.min(MAX_FLOW_NESTING),
                };
            }
            StreamError::Syntax(SyntaxError {
                document: doc,
                line,
                column,
                message: e.info().to_owned(),
            })
        })?;
        let (line, column) = (span.start.line(), span.start.col() + 1);
        let at = |kind| Node { kind, line, column };
        let syntax = |message: String| {
            StreamError::Syntax(SyntaxError {
                document: doc,
                line,
                column,
                message,
            })
        };
        let limit = |limit, max| StreamError::Limit {
            document: doc,
            line,
            column,
            limit,
            max,
        };
        let mut charge = |count: usize| {
            nodes = nodes.saturating_add(count);
            if nodes > caps.nodes {
                Err(limit("YAML nodes", caps.nodes))
            } else {
                Ok(())
            }
        };
        let (node, size, anchor, aliased) = match event {
            Event::StreamStart | Event::StreamEnd | Event::Nothing | Event::DocumentStart(_) => {
                continue;
            }
            Event::DocumentEnd => {
                let root = root.take().unwrap_or_else(|| {
                    at(Kind::Scalar {
                        text: String::new(),
                        plain: true,
                    })
                });
                documents.push(Document { root });
                anchors.clear();
                continue;
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if stack.len() >= caps.depth {
                    return Err(limit("nesting depth", caps.depth));
                }
                charge(1)?;
                let kind = match event {
                    Event::SequenceStart(..) => Kind::Seq(Vec::new()),
                    _ => Kind::Map(Vec::new()),
                };
                stack.push(Open {
                    node: at(kind),
                    pending: None,
                    anchor,
                    size: 1,
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Open {
                    mut node,
                    pending: None,
                    anchor,
                    size,
                }) => {
                    if let Kind::Map(entries) = &mut node.kind {
                        merge_keys(entries).map_err(|(line, column, message)| {
                            StreamError::Syntax(SyntaxError {
                                document: doc,
                                line,
                                column,
                                message,
                            })
                        })?;
                    }
                    (node, size, anchor, false)
                }
                Some(Open {
                    pending: Some(key), ..
                }) => {
                    return Err(syntax(format!(
                        "mapping key {:?} has no value",
                        key_text(&key)
                    )));
                }
                None => return Err(syntax("unbalanced collection end".into())),
            },
            Event::Scalar(text, style, anchor, tag) => {
                // A scalar weighs a node per TEXT_BYTES_PER_NODE bytes of its text, at least
                // one: an alias copies the text, and counted as one node, a 16 MiB scalar
                // repeated by a thousand aliases made 16 GB (a review, 2026-12-07).
                let weight = 1 + text.len() / TEXT_BYTES_PER_NODE;
                charge(weight)?;
                let plain = match &tag {
                    None => style == ScalarStyle::Plain,
                    Some(tag) => resolves_as_tagged(tag, &text).map_err(syntax)?,
                };
                let text: Cow<'_, str> = text;
                (
                    at(Kind::Scalar {
                        text: text.into_owned(),
                        plain,
                    }),
                    weight,
                    anchor,
                    false,
                )
            }
            Event::Alias(id) => {
                let Some((node, size)) = anchors.get(&id) else {
                    return Err(syntax("alias to an unknown anchor".into()));
                };
                let size = *size;
                charge(size)?;
                let mut node = node.clone();
                node.line = line;
                node.column = column;
                (node, size, 0, true)
            }
        };
        if anchor != 0 {
            // The copy kept for later aliases is as many nodes again.
            charge(size)?;
            anchors.insert(anchor, (node.clone(), size));
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(open) => {
                open.size = open.size.saturating_add(size);
                match &mut open.node.kind {
                    Kind::Seq(items) => items.push(node),
                    Kind::Map(entries) => match open.pending.take() {
                        None => open.pending = Some(node),
                        Some(key) => {
                            // go-yaml takes `<<: [*a, *b]` but refuses `<<: *list`, an alias
                            // to a sequence; once expanded the two look alike, so it is
                            // refused here, where the alias is still known.
                            if aliased && matches!(node.kind, Kind::Seq(_)) && is_merge_key(&key) {
                                return Err(syntax(
                                    "a merge key (<<) takes an alias to a mapping, not to a \
                                     sequence: write <<: [*a, *b]"
                                        .into(),
                                ));
                            }
                            entries.push((key, node));
                        }
                    },
                    Kind::Scalar { .. } => {}
                }
            }
        }
    }
    Ok(documents)
}

#[cfg(test)]
mod tests;
