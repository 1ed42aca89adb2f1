//! Walking a YAML node tree with the field path of every node: required and optional fields,
//! the rules of strict and lenient mode, names, metadata and duration shorthands.

use super::Mode;
use super::error::{Error, Location, Problem, Warning};
use super::yaml::{Kind, Node, key_text, parse_bool, parse_number};
use crate::{CalendarPeriod, Span};

pub(super) type Result<T, E = Error> = std::result::Result<T, E>;

/// Annotation keys this crate reads and writes for what OpenSLO has no field for.
pub(super) const SHORT_WINDOW: &str = "sre-toolkit/short-window";
pub(super) const MISSING_DATA: &str = "sre-toolkit/missing-data";
pub(super) const MIN_EVENTS: &str = "sre-toolkit/min-events";
pub(super) const SLICE: &str = "sre-toolkit/slice";

/// One segment of a field path; paths are linked lists on the stack, rendered only for errors.
#[derive(Clone, Copy)]
pub(super) enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

#[derive(Clone, Copy)]
pub(super) struct Path<'a> {
    pub(super) parent: Option<&'a Self>,
    pub(super) seg: Seg<'a>,
}

impl Path<'_> {
    pub(super) fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut p = Some(self);
        while let Some(path) = p {
            segs.push(path.seg);
            p = path.parent;
        }
        let mut out = String::new();
        for seg in segs.iter().rev() {
            match seg {
                Seg::Root => {}
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => {
                    out.push('[');
                    out.push_str(&i.to_string());
                    out.push(']');
                }
            }
        }
        out
    }
}

/// A node and its path.
#[derive(Clone, Copy)]
pub(super) struct F<'a> {
    pub(super) node: &'a Node,
    pub(super) path: Path<'a>,
    pub(super) doc: usize,
}

impl<'a> F<'a> {
    pub(super) fn location(&self) -> Location {
        Location {
            document: self.doc,
            path: self.path.render(),
            line: self.node.line,
            column: self.node.column,
        }
    }

    pub(super) fn err(&self, problem: Problem) -> Error {
        Error {
            location: self.location(),
            problem,
        }
    }

    pub(super) fn key<'b>(&'b self, key: &'b str, node: &'b Node) -> F<'b> {
        F {
            node,
            path: Path {
                parent: Some(&self.path),
                seg: Seg::Key(key),
            },
            doc: self.doc,
        }
    }

    pub(super) fn items(&self) -> Result<&'a [Node]> {
        match &self.node.kind {
            Kind::Seq(items) => Ok(items),
            _ => Err(self.err(Problem::WrongType {
                expected: "a sequence",
                found: self.node.type_name(),
            })),
        }
    }

    pub(super) fn index<'b>(&'b self, i: usize, node: &'b Node) -> F<'b> {
        F {
            node,
            path: Path {
                parent: Some(&self.path),
                seg: Seg::Index(i),
            },
            doc: self.doc,
        }
    }

    pub(super) fn map(&self) -> Result<&'a [(Node, Node)]> {
        match &self.node.kind {
            Kind::Map(entries) => Ok(entries),
            _ => Err(self.err(Problem::WrongType {
                expected: "a mapping",
                found: self.node.type_name(),
            })),
        }
    }

    /// The value under `key` of this mapping.
    pub(super) fn get(&self, key: &str) -> Option<&'a Node> {
        match &self.node.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.kind, Kind::Scalar { text, .. } if text == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub(super) fn text(&self) -> Result<&'a str> {
        match &self.node.kind {
            Kind::Scalar { text, .. } if !self.node.is_null() => Ok(text),
            _ => Err(self.err(Problem::WrongType {
                expected: "a string",
                found: self.node.type_name(),
            })),
        }
    }
}

pub(super) struct Cx<'w> {
    pub(super) mode: Mode,
    pub(super) warnings: &'w mut Vec<Warning>,
    /// Bytes of text the whole import may copy from one object into several results (an
    /// SLO's description and names into each objective's definition, the first included):
    /// [`Limits`]'s input bytes, whatever the input's own size.
    ///
    /// [`Limits`]: super::Limits
    pub(super) copy_limit: usize,
    /// Bytes copied so far, against `copy_limit`.
    pub(super) copied: usize,
}

impl<'w> Cx<'w> {
    /// A context in `mode` collecting `warnings`, copying at most `copy_limit` bytes.
    pub(super) fn new(mode: Mode, warnings: &'w mut Vec<Warning>, copy_limit: usize) -> Self {
        Self {
            mode,
            warnings,
            copy_limit,
            copied: 0,
        }
    }

    /// Charges `bytes` of copied text at `f`: [`Problem::LimitExceeded`] once the budget is
    /// spent.
    pub(super) fn copy(&mut self, f: &F<'_>, bytes: usize) -> Result<()> {
        self.copied = self.copied.saturating_add(bytes);
        if self.copied > self.copy_limit {
            return Err(f.err(Problem::LimitExceeded {
                limit: "bytes of text copied into objectives' definitions",
                max: self.copy_limit,
            }));
        }
        Ok(())
    }

    /// A rule of the OpenSLO specification: an error in strict mode, a warning in lenient mode.
    pub(super) fn rule(&mut self, f: &F<'_>, problem: Problem) -> Result<()> {
        match self.mode {
            Mode::Strict => Err(f.err(problem)),
            Mode::Lenient => {
                self.warnings.push(Warning {
                    location: f.location(),
                    problem,
                });
                Ok(())
            }
        }
    }

    /// A field the Go SDK requires but the specification gives a default for (a condition's
    /// `kind` and `op`): missing, an error in strict mode; in lenient mode the default is read,
    /// with a warning saying so.
    pub(super) fn defaulted(
        &mut self,
        f: &F<'_>,
        field: &'static str,
        read_as: &str,
    ) -> Result<()> {
        match self.mode {
            Mode::Strict => Err(f.err(Problem::MissingField { field })),
            Mode::Lenient => {
                self.warnings.push(Warning {
                    location: f.location(),
                    problem: Problem::Mapped {
                        what: format!("no {field:?}: read as {read_as}"),
                    },
                });
                Ok(())
            }
        }
    }

    /// Something valid but suspicious: a warning in both modes.
    pub(super) fn warn(&mut self, f: &F<'_>, problem: Problem) {
        self.warnings.push(Warning {
            location: f.location(),
            problem,
        });
    }

    /// Checks that the mapping `f` has only `allowed` keys, each once.
    pub(super) fn keys(&mut self, f: &F<'_>, allowed: &[&str]) -> Result<()> {
        for (k, _) in f.map()? {
            if matches!(&k.kind, Kind::Scalar { text, .. } if allowed.contains(&text.as_str())) {
                continue; // the common case, without allocating
            }
            let name = key_text(k);
            self.rule(
                &f.key(&name, k),
                Problem::UnknownField {
                    field: name.clone(),
                },
            )?;
        }
        self.unique_keys(f)
    }

    /// Checks that no key of the mapping `f` appears twice (YAML requires unique keys), in
    /// time linear in the number of keys.
    pub(super) fn unique_keys(&mut self, f: &F<'_>) -> Result<()> {
        /// Up to this many keys, comparing each with those before it is cheaper than hashing.
        const SMALL: usize = 16;
        let entries = f.map()?;
        let mut seen = std::collections::HashSet::new();
        for (i, (k, _)) in entries.iter().enumerate() {
            let Kind::Scalar { text: key, .. } = &k.kind else {
                continue;
            };
            let repeated = if entries.len() <= SMALL {
                entries[..i]
                    .iter()
                    .any(|(o, _)| matches!(&o.kind, Kind::Scalar { text, .. } if text == key))
            } else {
                !seen.insert(key.as_str())
            };
            if repeated {
                self.rule(
                    &f.key(key, k),
                    Problem::Conflict {
                        reason: format!("key {key:?} appears twice"),
                    },
                )?;
            }
        }
        Ok(())
    }

    /// Checks free-form YAML (a metric source's `spec`, a data source's `connectionDetails`)
    /// as YAML requires of any mapping: each key once, and a key is text. Readers disagree on
    /// a repeated key (go-yaml refuses it, others keep the first or the last), so which query
    /// runs would be decided silently; a key written as a sequence or mapping has no text to
    /// look it up by.
    pub(super) fn free_form(&mut self, f: &F<'_>) -> Result<()> {
        match &f.node.kind {
            Kind::Scalar { .. } => Ok(()),
            Kind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.free_form(&f.index(i, item))?;
                }
                Ok(())
            }
            Kind::Map(entries) => {
                for (k, v) in entries {
                    let name = key_text(k);
                    if !matches!(k.kind, Kind::Scalar { .. }) {
                        self.rule(
                            &f.key(&name, k),
                            Problem::WrongType {
                                expected: "a key written as text",
                                found: k.type_name(),
                            },
                        )?;
                    }
                    self.free_form(&f.key(&name, v))?;
                }
                self.unique_keys(f)
            }
        }
    }

    pub(super) fn number(&mut self, f: &F<'_>) -> Result<f64> {
        self.scalar(f, "a number", parse_number)
    }

    pub(super) fn boolean(&mut self, f: &F<'_>) -> Result<bool> {
        self.scalar(f, "a boolean", parse_bool)
    }

    /// A plain scalar read by `parse`; a quoted one is accepted in lenient mode (a rule of the
    /// strict one), anything else is a type error.
    pub(super) fn scalar<T>(
        &mut self,
        f: &F<'_>,
        expected: &'static str,
        parse: fn(&str) -> Option<T>,
    ) -> Result<T> {
        let wrong = |found| f.err(Problem::WrongType { expected, found });
        match &f.node.kind {
            Kind::Scalar { text, plain } => match parse(text) {
                Some(v) if *plain => Ok(v),
                Some(v) => {
                    self.rule(
                        f,
                        Problem::WrongType {
                            expected,
                            found: "a quoted string",
                        },
                    )?;
                    Ok(v)
                }
                None => Err(wrong(f.node.type_name())),
            },
            _ => Err(wrong(f.node.type_name())),
        }
    }

    /// An RFC 1123 label, as OpenSLO requires of names.
    pub(super) fn name(&mut self, f: &F<'_>) -> Result<String> {
        let name = f.text()?;
        let ok = !name.is_empty()
            && name.len() <= 63
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !name.starts_with('-')
            && !name.ends_with('-');
        if !ok {
            self.rule(
                f,
                Problem::InvalidValue {
                    value: name.to_owned(),
                    reason: "a name must be an RFC 1123 label: at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit".into(),
                },
            )?;
        }
        Ok(name.to_owned())
    }
}

pub(super) fn required<'a>(f: &'a F<'a>, key: &'static str) -> Result<F<'a>> {
    f.map()?;
    match f.get(key) {
        Some(node) if !node.is_null() => Ok(f.key(key, node)),
        _ => Err(f.err(Problem::MissingField { field: key })),
    }
}

pub(super) fn optional<'a>(f: &'a F<'a>, key: &'a str) -> Option<F<'a>> {
    f.get(key)
        .filter(|n| !n.is_null())
        .map(|node| f.key(key, node))
}

/// Metadata of an object.
pub(super) struct Meta {
    pub(super) name: String,
    pub(super) display_name: Option<String>,
    pub(super) annotations: Vec<Annotation>,
}

/// One of an object's `metadata.annotations`, with where it is written (an error in its
/// value names its field, line and column, not the document's start).
pub(super) struct Annotation {
    pub(super) key: String,
    pub(super) value: String,
    pub(super) location: Location,
}

impl Annotation {
    pub(super) fn err(&self, problem: Problem) -> Error {
        Error {
            location: self.location.clone(),
            problem,
        }
    }
}

pub(super) fn metadata(cx: &mut Cx<'_>, object: &F<'_>) -> Result<Meta> {
    let m = required(object, "metadata")?;
    cx.keys(&m, &["name", "displayName", "labels", "annotations"])?;
    let name = cx.name(&required(&m, "name")?)?;
    let display_name = match optional(&m, "displayName") {
        Some(f) => {
            let text = f.text()?;
            if text.chars().count() > 63 {
                cx.rule(
                    &f,
                    Problem::InvalidValue {
                        value: text.to_owned(),
                        reason: "a displayName has at most 63 characters".into(),
                    },
                )?;
            }
            Some(text.to_owned())
        }
        None => None,
    };
    if let Some(labels) = optional(&m, "labels") {
        cx.unique_keys(&labels)?;
    }
    let mut annotations = Vec::new();
    if let Some(a) = optional(&m, "annotations") {
        cx.unique_keys(&a)?;
        for (k, v) in a.map()? {
            let key = key_text(k);
            let value = a.key(&key, v);
            annotations.push(Annotation {
                value: value.text()?.to_owned(),
                location: value.location(),
                key,
            });
        }
    }
    Ok(Meta {
        name,
        display_name,
        annotations,
    })
}

/// An optional `description`: a string of at most 1,050 characters (a rule).
pub(super) fn description(cx: &mut Cx<'_>, spec: &F<'_>) -> Result<Option<String>> {
    let Some(f) = optional(spec, "description") else {
        return Ok(None);
    };
    let text = f.text()?;
    if text.chars().count() > 1_050 {
        cx.rule(
            &f,
            Problem::InvalidValue {
                value: format!("{}…", text.chars().take(40).collect::<String>()),
                reason: "a description has at most 1050 characters".into(),
            },
        )?;
    }
    Ok(Some(text.to_owned()))
}

pub(super) fn annotation<'m>(meta: &'m Meta, key: &str) -> Option<&'m Annotation> {
    meta.annotations.iter().find(|a| a.key == key)
}

/// A duration in OpenSLO shorthand: a positive whole number and one of `m h d w M Q Y`
/// (`s` in lenient mode, with a warning), kept with its unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Duration {
    pub(super) count: u32,
    pub(super) unit: CalendarPeriod,
    /// Seconds, for `s` only (lenient mode).
    pub(super) seconds: Option<u32>,
}

impl Duration {
    /// The fixed length of `m h d w` (and `s`); `None` for months, quarters and years.
    pub(super) fn fixed_seconds(self) -> Option<i64> {
        if let Some(s) = self.seconds {
            return Some(i64::from(s));
        }
        let unit = match self.unit {
            CalendarPeriod::Minute => 60,
            CalendarPeriod::Hour => 3_600,
            CalendarPeriod::Day => 86_400,
            CalendarPeriod::Week => 604_800,
            CalendarPeriod::Month | CalendarPeriod::Quarter | CalendarPeriod::Year => return None,
        };
        Some(i64::from(self.count) * unit)
    }

    /// The length the OpenSLO Go SDK gives a duration: a month is 30 days, a quarter 90 and a
    /// year 365.
    pub(super) fn sdk_seconds(self) -> i64 {
        let days = match self.unit {
            CalendarPeriod::Month => 30,
            CalendarPeriod::Quarter => 90,
            CalendarPeriod::Year => 365,
            _ => return self.fixed_seconds().unwrap_or(0),
        };
        i64::from(self.count) * days * 86_400
    }
}

pub(super) fn duration(cx: &mut Cx<'_>, f: &F<'_>) -> Result<Duration> {
    let text = f.text()?;
    let invalid = |reason: &str| {
        f.err(Problem::InvalidValue {
            value: text.to_owned(),
            reason: reason.into(),
        })
    };
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| invalid("a duration needs a unit: m, h, d, w, M, Q or Y"))?;
    let (number, unit) = text.split_at(split);
    let n: u32 = number
        .parse()
        .map_err(|_| invalid("a duration starts with a whole number (at most 4294967295)"))?;
    if n == 0 || number.starts_with('0') {
        return Err(invalid(
            "a duration must be a positive whole number without leading zeros",
        ));
    }
    let unit = match unit {
        "m" => CalendarPeriod::Minute,
        "h" => CalendarPeriod::Hour,
        "d" => CalendarPeriod::Day,
        "w" => CalendarPeriod::Week,
        "M" => CalendarPeriod::Month,
        "Q" => CalendarPeriod::Quarter,
        "Y" => CalendarPeriod::Year,
        "s" => {
            cx.rule(
                f,
                Problem::InvalidValue {
                    value: text.to_owned(),
                    reason: "OpenSLO durations have no seconds unit".into(),
                },
            )?;
            return Ok(Duration {
                count: n,
                unit: CalendarPeriod::Minute,
                seconds: Some(n),
            });
        }
        _ => {
            // The spec: "a single–word string (no whitespaces) consisting of a positive integer
            // number followed by a case–sensitive single–character postfix".
            let why = if unit.starts_with(char::is_whitespace) {
                "no whitespace may stand between the number and the unit"
            } else if unit.starts_with(['.', ',']) {
                "the number must be whole (1.5w can be written 252h)"
            } else {
                "unknown unit"
            };
            return Err(invalid(&format!(
                "{why}: a duration is a positive whole number followed directly by one of the units m, h, d, w, M, Q, Y (e.g. 28d)"
            )));
        }
    };
    Ok(Duration {
        count: n,
        unit,
        seconds: None,
    })
}

/// A duration that must have a fixed length, as a [`Span`].
pub(super) fn fixed_span(cx: &mut Cx<'_>, f: &F<'_>) -> Result<Span> {
    match duration(cx, f)?.fixed_seconds() {
        Some(s) => Span::from_seconds(s).map_err(|e| f.err(Problem::Core(e))),
        None => Err(f.err(Problem::Unsupported {
            what: "a duration in months, quarters or years has no fixed length here".into(),
        })),
    }
}

pub(super) const ROOT: Path<'static> = Path {
    parent: None,
    seg: Seg::Root,
};

/// The root, as the parent of the items of a top-level sequence.
pub(super) static ROOT_PARENT: Path<'static> = ROOT;

/// The path of an object: the document itself, or item `i` of a top-level sequence (`[i]`).
pub(super) fn object_path(item: Option<usize>) -> Path<'static> {
    match item {
        None => ROOT,
        Some(i) => Path {
            parent: Some(&ROOT_PARENT),
            seg: Seg::Index(i),
        },
    }
}

/// Runs `f` on the first document of `text`, as the importer would: for the unit tests of
/// each kind.
#[cfg(test)]
pub(super) fn with_document<T>(
    text: &str,
    mode: Mode,
    f: impl FnOnce(&mut Cx<'_>, &F<'_>) -> Result<T>,
) -> (Result<T>, Vec<Warning>) {
    let caps = super::yaml::Caps {
        input_bytes: 1 << 20,
        flow_bytes: 1 << 20,
        nodes: 100_000,
        depth: 64,
    };
    let docs = super::yaml::parse_stream(text, caps).expect("test YAML parses");
    let mut warnings = Vec::new();
    let mut cx = Cx::new(mode, &mut warnings, usize::MAX);
    let root = F {
        node: &docs[0].root,
        path: ROOT,
        doc: 0,
    };
    let out = f(&mut cx, &root);
    (out, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_keys_and_indices() {
        let (path, _) = with_document("a:\n  - b: {c: 1}\n", Mode::Strict, |_, root| {
            let a = required(root, "a")?;
            let items = a.items()?;
            let item = a.index(0, &items[0]);
            let b = required(&item, "b")?;
            let c = required(&b, "c")?;
            Ok((c.location().path, c.location().line, c.location().column))
        });
        assert_eq!(path.unwrap(), ("a[0].b.c".to_string(), 2, 12));
        let item = object_path(Some(3));
        assert_eq!(item.render(), "[3]");
    }

    #[test]
    fn rules_are_errors_in_strict_mode_and_warnings_in_lenient_mode() {
        let text = "name: Not_A_Label\nextra: 1\nn: '2'\n";
        let check = |cx: &mut Cx<'_>, root: &F<'_>| {
            cx.keys(root, &["name", "n"])?;
            let name = cx.name(&required(root, "name")?)?;
            let n = cx.number(&required(root, "n")?)?;
            Ok((name, n))
        };
        let (strict, _) = with_document(text, Mode::Strict, check);
        let err = strict.unwrap_err();
        assert!(matches!(&err.problem, Problem::UnknownField { field } if field == "extra"));
        assert_eq!(
            (err.location.line, err.location.path.as_str()),
            (2, "extra")
        );
        let (lenient, warnings) = with_document(text, Mode::Lenient, check);
        assert_eq!(lenient.unwrap(), ("Not_A_Label".to_string(), 2.0));
        assert_eq!(warnings.len(), 3, "{warnings:?}"); // field, name, quoted number
    }

    #[test]
    fn durations_keep_their_unit() {
        for (text, count, unit, fixed) in [
            ("d: 5m", 5, CalendarPeriod::Minute, Some(300)),
            ("d: 2w", 2, CalendarPeriod::Week, Some(1_209_600)),
            ("d: 1Q", 1, CalendarPeriod::Quarter, None),
            ("d: 3Y", 3, CalendarPeriod::Year, None),
        ] {
            let (d, _) = with_document(text, Mode::Strict, |cx, root| {
                duration(cx, &required(root, "d")?)
            });
            let d = d.unwrap();
            assert_eq!(
                (d.count, d.unit, d.fixed_seconds()),
                (count, unit, fixed),
                "{text}"
            );
        }
        for bad in [
            "d: 0d",
            "d: 01d",
            "d: 5",
            "d: 5x",
            "d: 99999999999d",
            "d: -1d",
        ] {
            let (d, _) = with_document(bad, Mode::Lenient, |cx, root| {
                duration(cx, &required(root, "d")?)
            });
            assert!(d.is_err(), "{bad}");
        }
        // Seconds: a rule.
        let (d, _) = with_document("d: 90s", Mode::Strict, |cx, root| {
            duration(cx, &required(root, "d")?)
        });
        assert!(d.is_err());
        let (d, w) = with_document("d: 90s", Mode::Lenient, |cx, root| {
            duration(cx, &required(root, "d")?)
        });
        assert_eq!((d.unwrap().fixed_seconds(), w.len()), (Some(90), 1));
        assert_eq!(
            Duration {
                count: 2,
                unit: CalendarPeriod::Month,
                seconds: None
            }
            .sdk_seconds(),
            60 * 86_400
        );
    }

    #[test]
    fn metadata_checks_names_lengths_and_unique_keys() {
        let text = "metadata:\n  name: web\n  displayName: Web\n  annotations: {a: '1', b: '2'}\n  labels: {team: [x, y]}\n";
        let (meta, w) = with_document(text, Mode::Strict, metadata);
        let meta = meta.unwrap();
        assert_eq!(
            (meta.name.as_str(), meta.display_name.as_deref()),
            ("web", Some("Web"))
        );
        assert_eq!(annotation(&meta, "b").map(|a| a.value.as_str()), Some("2"));
        assert_eq!(
            annotation(&meta, "b").map(|a| (a.location.path.as_str(), a.location.line)),
            Some(("metadata.annotations.b", 4))
        );
        assert!(w.is_empty());
        let long = format!(
            "metadata:\n  name: web\n  displayName: {}\n",
            "x".repeat(64)
        );
        assert!(with_document(&long, Mode::Strict, metadata).0.is_err());
        let dup = "metadata:\n  name: web\n  labels: {a: x, a: y}\n";
        let (meta, w) = with_document(dup, Mode::Lenient, metadata);
        assert!(meta.is_ok());
        assert!(matches!(&w[0].problem, Problem::Conflict { reason } if reason.contains("twice")));
    }
}
