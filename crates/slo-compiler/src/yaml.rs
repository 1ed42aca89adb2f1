//! A small YAML writer for what the compiler emits (rule files, manifests, Alertmanager
//! configuration, promtool tests): block mappings and sequences of strings and numbers.
//!
//! Strings are written plain only when no YAML 1.1 or 1.2 reader (Prometheus, Alertmanager and
//! Kubernetes use go-yaml) can take them for anything but a string; as a literal block when
//! they span lines and a block keeps them exactly; otherwise double-quoted with JSON escapes,
//! which YAML reads the same way, and with every character a YAML reader would take for a
//! line break or refuse escaped.

use std::fmt::Write as _;

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    /// A string.
    Str(String),
    /// A number or boolean, written as given.
    Raw(String),
    /// A sequence.
    Seq(Vec<Self>),
    /// A mapping, in order.
    Map(Vec<(String, Self)>),
}

impl Node {
    /// A string node.
    pub(crate) fn str(s: impl Into<String>) -> Self {
        Self::Str(s.into())
    }

    /// A mapping from `(key, value)` pairs.
    pub(crate) fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Self)>) -> Self {
        Self::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A mapping of strings to strings.
    pub(crate) fn string_map<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k.to_owned(), Self::str(v)))
                .collect(),
        )
    }

    /// The document, ending with a newline.
    pub(crate) fn to_yaml(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    /// Appends the document to `out`.
    pub(crate) fn write_to(&self, out: &mut String) {
        match self {
            Self::Map(entries) if !entries.is_empty() => write_map(out, entries, 0),
            Self::Seq(items) if !items.is_empty() => write_seq(out, items, 0),
            scalar => {
                write_scalar(out, scalar, 0);
                out.push('\n');
            }
        }
    }
}

pub(crate) fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > 0 {
        let k = n.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        n -= k;
    }
}

fn write_map(out: &mut String, entries: &[(String, Node)], at: usize) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            indent(out, at);
        }
        write_string(out, key, at, false);
        out.push(':');
        write_value(out, value, at + 2);
    }
}

fn write_seq(out: &mut String, items: &[Node], at: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            indent(out, at);
        }
        out.push_str("- ");
        match item {
            Node::Map(entries) if !entries.is_empty() => write_map(out, entries, at + 2),
            Node::Seq(inner) if !inner.is_empty() => write_seq(out, inner, at + 2),
            scalar => {
                write_scalar(out, scalar, at + 2);
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:` (a space and a scalar, or a nested block on the next lines).
fn write_value(out: &mut String, value: &Node, at: usize) {
    match value {
        Node::Map(entries) if !entries.is_empty() => {
            out.push('\n');
            indent(out, at);
            write_map(out, entries, at);
        }
        Node::Seq(items) if !items.is_empty() => {
            out.push('\n');
            indent(out, at);
            write_seq(out, items, at);
        }
        scalar => {
            out.push(' ');
            write_scalar(out, scalar, at);
            out.push('\n');
        }
    }
}

fn write_scalar(out: &mut String, node: &Node, at: usize) {
    match node {
        Node::Str(s) => write_string(out, s, at, true),
        Node::Raw(s) => out.push_str(s),
        Node::Seq(_) => out.push_str("[]"),
        Node::Map(_) => out.push_str("{}"),
    }
}

/// Words YAML 1.1 (go-yaml v2) reads as booleans or null.
const RESERVED: [&str; 14] = [
    "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "nan", ".nan", "inf", ".inf",
];

fn is_plain(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == b'_' || first == b'/')
        && bytes[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/' | b':'))
        && !s.ends_with(':')
        && !(s.len() <= 5 && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)))
}

/// What one pass over a string finds, for choosing how to write it.
struct Scan {
    /// A control character other than a newline or a tab, or a character a YAML reader takes
    /// for a line break or refuses ([`escaped`]).
    control: bool,
    /// A newline.
    newline: bool,
    /// A single quote.
    quote: bool,
}

/// One branch-free pass over the bytes (the compiler writes tens of megabytes of
/// expressions), and a look at the characters only for non-ASCII text, where control
/// characters (U+0080..U+009F, U+2028…) are rare.
fn scan(s: &str) -> Scan {
    let (control, newline, quote) = s.as_bytes().iter().fold((0u8, 0u8, 0u8), |(c, n, q), &b| {
        (
            c | (u8::from(b < 0x20) & u8::from(b != b'\n') & u8::from(b != b'\t'))
                | u8::from(b == 0x7f),
            n | u8::from(b == b'\n'),
            q | u8::from(b == b'\''),
        )
    });
    Scan {
        control: control != 0 || (!s.is_ascii() && s.chars().any(escaped)),
        newline: newline != 0,
        quote: quote != 0,
    }
}

/// The characters written as `\uXXXX` escapes in a double-quoted scalar: control characters
/// (U+0080..U+009F among them, which go-yaml, Prometheus's and Alertmanager's reader, refuses:
/// "control characters are not allowed"), the line breaks of YAML 1.1 that are not ASCII
/// (U+0085, U+2028, U+2029: go-yaml folds them, or breaks a block, where they stand raw), the
/// byte-order mark, and U+FFFE and U+FFFF, which YAML does not allow. Newlines and tabs have
/// forms of their own.
fn escaped(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// `s` as a double-quoted scalar: a JSON string (a YAML double-quoted scalar with the same
/// meaning), with what JSON leaves raw but YAML must not see raw escaped as well.
fn write_double_quoted(out: &mut String, s: &str) {
    let json = serde_json::Value::String(s.to_owned()).to_string();
    if json.is_ascii() && !json.contains('\u{7f}') {
        out.push_str(&json);
        return;
    }
    for c in json.chars() {
        if escaped(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
}

/// Writes `s` as a literal block (`|-`) whose lines sit at `at`, or returns `false` (writing
/// nothing) when a block would not keep it exactly: a line other than the first starting
/// with a space (the first sets the block's indentation), trailing spaces (a reader keeps
/// them, an editor may not), a leading or trailing blank.
fn write_literal_block(out: &mut String, s: &str, at: usize) -> bool {
    let bytes = s.as_bytes();
    if matches!(bytes.first(), Some(b' ' | b'\t' | b'\n'))
        || matches!(bytes.last(), Some(b' ' | b'\t' | b'\n'))
    {
        return false;
    }
    let mark = out.len();
    out.push_str("|-");
    for line in s.split('\n') {
        if matches!(line.as_bytes().last(), Some(b' ' | b'\t')) {
            out.truncate(mark);
            return false;
        }
        out.push('\n');
        if !line.is_empty() {
            indent(out, at);
            out.push_str(line);
        }
    }
    true
}

/// Writes `s` as a scalar whose continuation lines (of a literal block) sit at `at`.
pub(crate) fn write_string(out: &mut String, s: &str, at: usize, block_allowed: bool) {
    if is_plain(s) {
        out.push_str(s);
        return;
    }
    let scan = scan(s);
    if scan.control {
        write_double_quoted(out, s);
    } else if scan.newline {
        if !(block_allowed && write_literal_block(out, s, at)) {
            write_double_quoted(out, s);
        }
    } else if scan.quote {
        out.push('\'');
        for (i, part) in s.split('\'').enumerate() {
            if i > 0 {
                out.push_str("''");
            }
            out.push_str(part);
        }
        out.push('\'');
    } else {
        out.push('\'');
        out.push_str(s);
        out.push('\'');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_that_could_be_misread_are_quoted() {
        let doc = Node::map([
            ("a", Node::str("5m")),
            ("b", Node::str("yes")),
            ("c", Node::str("slo:sli_error:ratio_rate5m")),
            ("d", Node::str("x: y")),
            ("e", Node::str("")),
            ("f", Node::Raw("1.5".into())),
        ]);
        assert_eq!(
            doc.to_yaml(),
            "a: '5m'\nb: 'yes'\nc: slo:sli_error:ratio_rate5m\nd: 'x: y'\ne: ''\nf: 1.5\n"
        );
    }

    /// Raw, these used to reach go-yaml (the Prometheus and Alertmanager reader), which
    /// refuses a C1 control, DEL or U+FFFE ("control characters are not allowed") and takes
    /// U+0085, U+2028 and U+2029 for line breaks (`promtool check rules`: "could not find
    /// expected ':'" for a label value holding U+2028).
    #[test]
    fn characters_yaml_reads_as_breaks_or_refuses_are_escaped() {
        for value in [
            "a\u{2028}b",
            "a\u{2029}b",
            "a\u{85}b",
            "a\u{81}b",
            "a\u{9f}b",
            "a\u{7f}b",
            "a\u{feff}b",
            "a\u{fffe}b",
            "a\u{ffff}b",
            "it's\u{2028}",
            "line\u{2028}\nnext",
            "é\u{2028}\u{1}",
        ] {
            let yaml = Node::map([("v", Node::str(value))]).to_yaml();
            let scalar = yaml
                .strip_prefix("v: ")
                .unwrap()
                .strip_suffix('\n')
                .unwrap();
            assert!(
                !scalar.chars().any(escaped),
                "{value:?} written raw: {yaml:?}"
            );
            // YAML's double-quoted escapes are JSON's: the scalar reads back as the value.
            assert_eq!(serde_json::from_str::<String>(scalar).unwrap(), value);
        }
        // Other text outside ASCII is written as it is.
        assert_eq!(
            Node::map([("v", Node::str("café ✓"))]).to_yaml(),
            "v: 'café ✓'\n"
        );
    }

    #[test]
    fn nested_blocks_and_literal_strings() {
        let doc = Node::map([(
            "groups",
            Node::Seq(vec![Node::map([
                ("name", Node::str("g")),
                (
                    "rules",
                    Node::Seq(vec![Node::map([("expr", Node::str("a\nor b"))])]),
                ),
            ])]),
        )]);
        assert_eq!(
            doc.to_yaml(),
            "groups:\n  - name: g\n    rules:\n      - expr: |-\n          a\n          or b\n"
        );
        // A first line indented more than the next cannot be a literal block.
        let odd = Node::map([("expr", Node::str("  a\nb"))]);
        assert_eq!(odd.to_yaml(), "expr: \"  a\\nb\"\n");
        let quoted = Node::map([("expr", Node::str("it's {a=\"b\"}"))]);
        assert_eq!(quoted.to_yaml(), "expr: 'it''s {a=\"b\"}'\n");
    }
}
