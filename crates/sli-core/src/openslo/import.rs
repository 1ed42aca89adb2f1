//! OpenSLO v1 documents → [`SloDefinition`]s.

use std::collections::HashMap;

use std::num::NonZeroU32;

use chrono::{Datelike, NaiveDateTime, Timelike};

use super::error::{Error, Location, Problem, Warning};
use super::yaml::{
    Caps, Kind, Node, StreamError, key_text, parse_bool, parse_number, parse_stream,
};
use super::{
    AlertPolicyDefinition, DataSource, Import, Indicator, IndicatorMetric, Limits, MetricSource,
    Mode, NotificationTarget, RawType, SloDefinition, SourceRef, SourceSpec,
};
use crate::{
    AlertPolicy, AlertTier, BudgetingMethod, CalendarPeriod, CalendarWindow, Comparison,
    MissingData, Objective, PolicyWarning, Severity, Sli, Slo, Span, Sustained, TierThreshold,
    Window, Zone,
};

type Result<T, E = Error> = std::result::Result<T, E>;

/// Annotation keys this crate reads and writes for what OpenSLO has no field for.
pub(super) const SHORT_WINDOW: &str = "sre-toolkit/short-window";
pub(super) const MISSING_DATA: &str = "sre-toolkit/missing-data";
pub(super) const MIN_EVENTS: &str = "sre-toolkit/min-events";
pub(super) const SLICE: &str = "sre-toolkit/slice";

/// One segment of a field path; paths are linked lists on the stack, rendered only for errors.
#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Self>,
    seg: Seg<'a>,
}

impl Path<'_> {
    fn render(&self) -> String {
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
struct F<'a> {
    node: &'a Node,
    path: Path<'a>,
    doc: usize,
}

impl<'a> F<'a> {
    fn location(&self) -> Location {
        Location {
            document: self.doc,
            path: self.path.render(),
            line: self.node.line,
            column: self.node.column,
        }
    }

    fn err(&self, problem: Problem) -> Error {
        Error {
            location: self.location(),
            problem,
        }
    }

    fn key<'b>(&'b self, key: &'b str, node: &'b Node) -> F<'b> {
        F {
            node,
            path: Path {
                parent: Some(&self.path),
                seg: Seg::Key(key),
            },
            doc: self.doc,
        }
    }

    fn items(&self) -> Result<&'a [Node]> {
        match &self.node.kind {
            Kind::Seq(items) => Ok(items),
            _ => Err(self.err(Problem::WrongType {
                expected: "a sequence",
                found: self.node.type_name(),
            })),
        }
    }

    fn index<'b>(&'b self, i: usize, node: &'b Node) -> F<'b> {
        F {
            node,
            path: Path {
                parent: Some(&self.path),
                seg: Seg::Index(i),
            },
            doc: self.doc,
        }
    }

    fn map(&self) -> Result<&'a [(Node, Node)]> {
        match &self.node.kind {
            Kind::Map(entries) => Ok(entries),
            _ => Err(self.err(Problem::WrongType {
                expected: "a mapping",
                found: self.node.type_name(),
            })),
        }
    }

    /// The value under `key` of this mapping.
    fn get(&self, key: &str) -> Option<&'a Node> {
        match &self.node.kind {
            Kind::Map(entries) => entries
                .iter()
                .find(|(k, _)| matches!(&k.kind, Kind::Scalar { text, .. } if text == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    fn text(&self) -> Result<&'a str> {
        match &self.node.kind {
            Kind::Scalar { text, .. } if !self.node.is_null() => Ok(text),
            _ => Err(self.err(Problem::WrongType {
                expected: "a string",
                found: self.node.type_name(),
            })),
        }
    }
}

struct Cx<'w> {
    mode: Mode,
    warnings: &'w mut Vec<Warning>,
}

impl Cx<'_> {
    /// A rule of the OpenSLO specification: an error in strict mode, a warning in lenient mode.
    fn rule(&mut self, f: &F<'_>, problem: Problem) -> Result<()> {
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

    /// Something valid but suspicious: a warning in both modes.
    fn warn(&mut self, f: &F<'_>, problem: Problem) {
        self.warnings.push(Warning {
            location: f.location(),
            problem,
        });
    }

    /// Checks that the mapping `f` has only `allowed` keys, each once.
    fn keys(&mut self, f: &F<'_>, allowed: &[&str]) -> Result<()> {
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
    fn unique_keys(&mut self, f: &F<'_>) -> Result<()> {
        let entries = f.map()?;
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        for (k, _) in entries {
            let Kind::Scalar { text: key, .. } = &k.kind else {
                continue;
            };
            if !seen.insert(key) {
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

    fn number(&mut self, f: &F<'_>) -> Result<f64> {
        self.scalar(f, "a number", parse_number)
    }

    fn boolean(&mut self, f: &F<'_>) -> Result<bool> {
        self.scalar(f, "a boolean", parse_bool)
    }

    /// A plain scalar read by `parse`; a quoted one is accepted in lenient mode (a rule of the
    /// strict one), anything else is a type error.
    fn scalar<T>(
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
    fn name(&mut self, f: &F<'_>) -> Result<String> {
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

/// The object a `…Ref` field names, from the documents of its kind.
fn referenced<'a>(r: &F<'_>, table: &HashMap<String, F<'a>>, kind: &'static str) -> Result<F<'a>> {
    let name = r.text()?;
    table.get(name).copied().ok_or_else(|| {
        r.err(Problem::MissingReference {
            kind,
            name: name.to_owned(),
        })
    })
}

/// A list item that is either `{<ref_key>: name}`, resolved in `table`, or an inline object of
/// `kind`.
fn referenced_or_inline<'a>(
    cx: &mut Cx<'_>,
    item: F<'a>,
    ref_key: &'static str,
    kind: &'static str,
    table: &HashMap<String, F<'a>>,
) -> Result<F<'a>> {
    if let Some(r) = optional(&item, ref_key) {
        cx.keys(&item, &[ref_key])?;
        return referenced(&r, table, kind);
    }
    cx.keys(&item, &["apiVersion", "kind", "metadata", "spec"])?;
    let found = required(&item, "kind")?;
    if found.text()? != kind {
        return Err(found.err(Problem::UnknownKind {
            kind: found.text()?.to_owned(),
        }));
    }
    Ok(item)
}

fn required<'a>(f: &'a F<'a>, key: &'static str) -> Result<F<'a>> {
    f.map()?;
    match f.get(key) {
        Some(node) if !node.is_null() => Ok(f.key(key, node)),
        _ => Err(f.err(Problem::MissingField { field: key })),
    }
}

fn optional<'a>(f: &'a F<'a>, key: &'a str) -> Option<F<'a>> {
    f.get(key)
        .filter(|n| !n.is_null())
        .map(|node| f.key(key, node))
}

/// Metadata of an object.
struct Meta {
    name: String,
    display_name: Option<String>,
    annotations: Vec<(String, String)>,
}

fn metadata(cx: &mut Cx<'_>, object: &F<'_>) -> Result<Meta> {
    let m = required(object, "metadata")?;
    cx.keys(&m, &["name", "displayName", "labels", "annotations"])?;
    let name = cx.name(&required(&m, "name")?)?;
    let display_name = optional(&m, "displayName")
        .map(|f| f.text().map(str::to_owned))
        .transpose()?;
    if let Some(labels) = optional(&m, "labels") {
        cx.unique_keys(&labels)?;
    }
    let mut annotations = Vec::new();
    if let Some(a) = optional(&m, "annotations") {
        cx.unique_keys(&a)?;
        for (k, v) in a.map()? {
            let key = key_text(k);
            let value = a.key(&key, v);
            annotations.push((key.clone(), value.text()?.to_owned()));
        }
    }
    Ok(Meta {
        name,
        display_name,
        annotations,
    })
}

fn annotation<'m>(meta: &'m Meta, key: &str) -> Option<&'m str> {
    meta.annotations
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// A duration in OpenSLO shorthand: a positive whole number and one of `m h d w M Q Y`
/// (`s` in lenient mode, with a warning), kept with its unit.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Duration {
    count: u32,
    unit: CalendarPeriod,
    /// Seconds, for `s` only (lenient mode).
    seconds: Option<u32>,
}

impl Duration {
    /// The fixed length of `m h d w` (and `s`); `None` for months, quarters and years.
    fn fixed_seconds(self) -> Option<i64> {
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
    fn sdk_seconds(self) -> i64 {
        let days = match self.unit {
            CalendarPeriod::Month => 30,
            CalendarPeriod::Quarter => 90,
            CalendarPeriod::Year => 365,
            _ => return self.fixed_seconds().unwrap_or(0),
        };
        i64::from(self.count) * days * 86_400
    }
}

fn duration(cx: &mut Cx<'_>, f: &F<'_>) -> Result<Duration> {
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
        _ => return Err(invalid("unknown unit: expected m, h, d, w, M, Q or Y")),
    };
    Ok(Duration {
        count: n,
        unit,
        seconds: None,
    })
}

/// A duration that must have a fixed length, as a [`Span`].
fn fixed_span(cx: &mut Cx<'_>, f: &F<'_>) -> Result<Span> {
    match duration(cx, f)?.fixed_seconds() {
        Some(s) => Span::from_seconds(s).map_err(|e| f.err(Problem::Core(e))),
        None => Err(f.err(Problem::Unsupported {
            what: "a duration in months, quarters or years has no fixed length here".into(),
        })),
    }
}

/// Everything indexed by kind and name, with the document each came from.
#[derive(Default)]
struct Catalog<'a> {
    slis: HashMap<String, F<'a>>,
    policies: HashMap<String, F<'a>>,
    conditions: HashMap<String, F<'a>>,
    targets: HashMap<String, F<'a>>,
    services: HashMap<String, F<'a>>,
    sources: HashMap<String, (usize, DataSource)>,
    slos: Vec<F<'a>>,
}

const ROOT: Path<'static> = Path {
    parent: None,
    seg: Seg::Root,
};

/// Parses an OpenSLO v1 file of one or more YAML documents.
///
/// # Errors
/// [`Error`] with the document, field path, line and column: YAML syntax, unknown kinds and
/// fields (strict), missing or mistyped fields, references to undefined objects, values outside
/// their domain (`targetPercent: 100`, a lookback window longer than the SLO window in strict
/// mode, a condition that can never fire in strict mode), and what `sli-core` cannot represent.
///
/// # Example
/// ```
/// use sli_core::openslo::{parse, Mode, Problem};
///
/// let yaml = "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: api\nspec:\n  service: api\n  indicatorRef: missing\n";
/// let err = parse(yaml, Mode::Lenient).unwrap_err();
/// assert!(matches!(err.problem, Problem::MissingReference { kind: "SLI", .. }));
/// assert_eq!((err.location.path.as_str(), err.location.line), ("spec.indicatorRef", 7));
/// ```
pub fn parse(text: &str, mode: Mode) -> Result<Import> {
    parse_with_limits(text, mode, Limits::default())
}

/// [`parse`] with caps other than the [`Limits::default`] ones.
///
/// # Errors
/// As [`parse`].
///
/// # Example
/// ```
/// use sli_core::openslo::{parse_with_limits, Limits, Mode, Problem};
///
/// let limits = Limits { max_nodes: 10, ..Limits::default() };
/// let err = parse_with_limits("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", Mode::Lenient, limits).unwrap_err();
/// assert!(matches!(err.problem, Problem::LimitExceeded { limit: "YAML nodes", max: 10 }));
/// ```
pub fn parse_with_limits(text: &str, mode: Mode, limits: Limits) -> Result<Import> {
    let caps = Caps {
        input_bytes: limits.max_input_bytes,
        nodes: limits.max_nodes,
        depth: limits.max_depth,
    };
    let documents = parse_stream(text, caps).map_err(|e| match e {
        StreamError::Syntax(e) => Error {
            location: Location {
                document: e.document,
                path: String::new(),
                line: e.line,
                column: e.column,
            },
            problem: Problem::Syntax { message: e.message },
        },
        StreamError::Limit {
            document,
            line,
            column,
            limit,
            max,
        } => Error {
            location: Location {
                document,
                path: String::new(),
                line,
                column,
            },
            problem: Problem::LimitExceeded { limit, max },
        },
    })?;
    let mut warnings = Vec::new();
    let mut cx = Cx {
        mode,
        warnings: &mut warnings,
    };
    let mut catalog = Catalog::default();
    let roots: Vec<F<'_>> = documents
        .iter()
        .enumerate()
        .map(|(doc, d)| F {
            node: &d.root,
            path: ROOT,
            doc,
        })
        .collect();
    for root in &roots {
        index_document(&mut cx, &mut catalog, root)?;
    }
    let mut slos = Vec::new();
    let slo_docs = catalog.slos.clone();
    for slo in &slo_docs {
        slos.extend(import_slo(&mut cx, &catalog, slo)?);
    }
    Ok(Import { slos, warnings })
}

fn index_document<'a>(cx: &mut Cx<'_>, catalog: &mut Catalog<'a>, root: &F<'a>) -> Result<()> {
    if root.node.is_null() {
        return Ok(()); // an empty document
    }
    root.map()?;
    let version = required(root, "apiVersion")?;
    if version.text()? != "openslo/v1" {
        return Err(version.err(Problem::UnsupportedVersion {
            found: version.text()?.to_owned(),
        }));
    }
    let kind_field = required(root, "kind")?;
    let kind = kind_field.text()?;
    let (kind_name, allowed): (&'static str, &[&str]) = match kind {
        "SLO" => ("SLO", &["apiVersion", "kind", "metadata", "spec"]),
        "SLI" => ("SLI", &["apiVersion", "kind", "metadata", "spec"]),
        "AlertPolicy" => ("AlertPolicy", &["apiVersion", "kind", "metadata", "spec"]),
        "AlertCondition" => (
            "AlertCondition",
            &["apiVersion", "kind", "metadata", "spec"],
        ),
        "AlertNotificationTarget" => (
            "AlertNotificationTarget",
            &["apiVersion", "kind", "metadata", "spec"],
        ),
        "Service" => ("Service", &["apiVersion", "kind", "metadata", "spec"]),
        "DataSource" => ("DataSource", &["apiVersion", "kind", "metadata", "spec"]),
        other => {
            return cx.rule(
                &kind_field,
                Problem::UnknownKind {
                    kind: other.to_owned(),
                },
            );
        }
    };
    cx.keys(root, allowed)?;
    let meta = metadata(cx, root)?;
    let map = match kind_name {
        "SLO" => {
            catalog.slos.push(*root);
            return Ok(());
        }
        "SLI" => &mut catalog.slis,
        "AlertPolicy" => &mut catalog.policies,
        "AlertCondition" => &mut catalog.conditions,
        "AlertNotificationTarget" => &mut catalog.targets,
        "Service" => &mut catalog.services,
        _ => {
            let spec = required(root, "spec")?;
            cx.keys(&spec, &["description", "type", "connectionDetails"])?;
            let source = DataSource {
                name: meta.name.clone(),
                description: optional(&spec, "description")
                    .map(|f| f.text().map(str::to_owned))
                    .transpose()?,
                source_type: required(&spec, "type")?.text()?.to_owned(),
                connection_details: optional(&spec, "connectionDetails")
                    .map_or(super::Value::Null, |f| f.node.to_value()),
            };
            if let Some((first, _)) = catalog.sources.get(&meta.name) {
                let first = *first;
                return cx.rule(
                    root,
                    Problem::DuplicateName {
                        kind: kind_name,
                        name: meta.name,
                        first,
                    },
                );
            }
            catalog.sources.insert(meta.name, (root.doc, source));
            return Ok(());
        }
    };
    if let Some(first) = map.get(&meta.name) {
        let first = first.doc;
        return cx.rule(
            root,
            Problem::DuplicateName {
                kind: kind_name,
                name: meta.name,
                first,
            },
        );
    }
    match kind_name {
        "Service" => {
            if let Some(spec) = optional(root, "spec") {
                cx.keys(&spec, &["description"])?;
            }
        }
        "AlertNotificationTarget" => {
            let spec = required(root, "spec")?;
            cx.keys(&spec, &["description", "target"])?;
            required(&spec, "target")?.text()?;
        }
        _ => {}
    }
    map.insert(meta.name, *root);
    Ok(())
}

fn import_slo(cx: &mut Cx<'_>, catalog: &Catalog<'_>, root: &F<'_>) -> Result<Vec<SloDefinition>> {
    let meta = metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(
        &spec,
        &[
            "description",
            "service",
            "indicator",
            "indicatorRef",
            "timeWindow",
            "budgetingMethod",
            "objectives",
            "alertPolicies",
        ],
    )?;
    let description = optional(&spec, "description")
        .map(|f| f.text().map(str::to_owned))
        .transpose()?;
    let service = required(&spec, "service")?.text()?.to_owned();
    let indicator = match (
        optional(&spec, "indicator"),
        optional(&spec, "indicatorRef"),
    ) {
        (Some(_), Some(r)) => {
            return Err(r.err(Problem::Conflict {
                reason: "indicator and indicatorRef exclude each other".into(),
            }));
        }
        (Some(inline), None) => {
            cx.keys(&inline, &["apiVersion", "kind", "metadata", "spec"])?;
            if let Some(kind) = optional(&inline, "kind")
                && kind.text()? != "SLI"
            {
                return Err(kind.err(Problem::UnknownKind {
                    kind: kind.text()?.to_owned(),
                }));
            }
            import_sli(cx, catalog, &inline)?
        }
        (None, Some(r)) => import_sli(cx, catalog, &referenced(&r, &catalog.slis, "SLI")?)?,
        (None, None) => return Err(spec.err(Problem::MissingField { field: "indicator" })),
    };
    let window = time_window(cx, &required(&spec, "timeWindow")?)?;
    let method_field = required(&spec, "budgetingMethod")?;
    let method = method_field.text()?;
    if !matches!(method, "Occurrences" | "Timeslices" | "RatioTimeslices") {
        return Err(method_field.err(Problem::InvalidValue {
            value: method.to_owned(),
            reason: "expected Occurrences, Timeslices or RatioTimeslices".into(),
        }));
    }
    let mut missing_data = MissingData::Skip;
    let mut missing_from_annotation = false;
    if let Some(text) = annotation(&meta, MISSING_DATA) {
        missing_from_annotation = true;
        missing_data = match text {
            "good" => MissingData::Good,
            "bad" => MissingData::Bad,
            "skip" => MissingData::Skip,
            _ => {
                return Err(root.err(Problem::InvalidValue {
                    value: text.to_owned(),
                    reason: format!("annotation {MISSING_DATA} must be good, bad or skip"),
                }));
            }
        };
    }
    let min_events = match annotation(&meta, MIN_EVENTS) {
        Some(text) => parse_number(text).filter(|v| *v >= 0.0).ok_or_else(|| {
            root.err(Problem::InvalidValue {
                value: text.to_owned(),
                reason: format!("annotation {MIN_EVENTS} must be a non-negative number"),
            })
        })?,
        None => 0.0,
    };
    let default_slice = match annotation(&meta, SLICE) {
        Some(text) => text
            .parse::<Span>()
            .map_err(|e| root.err(Problem::Core(e)))?,
        None => Span::MINUTE,
    };
    // Alert policies first: `alertWhenNoData` decides the missing-data policy.
    let mut policies = Vec::new();
    if let Some(list) = optional(&spec, "alertPolicies") {
        for (i, item) in list.items()?.iter().enumerate() {
            let item = list.index(i, item);
            item.map()?;
            let policy_root =
                referenced_or_inline(cx, item, "alertPolicyRef", "AlertPolicy", &catalog.policies)?;
            policies.push(alert_policy(cx, catalog, &policy_root)?);
        }
    }
    if !missing_from_annotation && policies.iter().any(|(p, _)| p.alert_when_no_data) {
        missing_data = MissingData::Bad;
    }
    let objectives = required(&spec, "objectives")?;
    let items = objectives.items()?;
    if items.is_empty() {
        return Err(objectives.err(Problem::MissingField {
            field: "objectives",
        }));
    }
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let o = objectives.index(i, item);
        cx.keys(
            &o,
            &[
                "displayName",
                "op",
                "value",
                "target",
                "targetPercent",
                "timeSliceTarget",
                "timeSliceWindow",
                "indicator",
                "indicatorRef",
                "compositeWeight",
            ],
        )?;
        for key in ["indicator", "indicatorRef", "compositeWeight"] {
            if let Some(f) = optional(&o, key) {
                return Err(f.err(Problem::Unsupported {
                    what: "composite SLOs (an indicator per objective)".into(),
                }));
            }
        }
        let objective = objective_target(cx, &o)?;
        let slice_window = optional(&o, "timeSliceWindow")
            .map(|f| -> Result<Span> {
                if let Kind::Scalar { text, plain: true } = &f.node.kind
                    && let Some(seconds) = parse_number(text)
                {
                    if seconds.fract() != 0.0 || seconds <= 0.0 || seconds > 1e9 {
                        return Err(f.err(Problem::InvalidValue {
                            value: text.clone(),
                            reason: "a slice of whole seconds is expected".into(),
                        }));
                    }
                    return Span::from_seconds(seconds as i64).map_err(|e| f.err(Problem::Core(e)));
                }
                fixed_span(cx, &f)
            })
            .transpose()?;
        let slice_target = optional(&o, "timeSliceTarget")
            .map(|f| cx.number(&f).map(|v| (v, f.location())))
            .transpose()?;
        let budgeting = match method {
            "Occurrences" => {
                for key in ["timeSliceTarget", "timeSliceWindow"] {
                    if let Some(f) = optional(&o, key) {
                        cx.rule(
                            &f,
                            Problem::Conflict {
                                reason: format!(
                                    "{key} applies only to the time-slice budgeting methods"
                                ),
                            },
                        )?;
                    }
                }
                BudgetingMethod::Occurrences
            }
            "Timeslices" => {
                let slice = slice_window.ok_or_else(|| {
                    o.err(Problem::MissingField {
                        field: "timeSliceWindow",
                    })
                })?;
                let (slice_target, at) = slice_target.ok_or_else(|| {
                    o.err(Problem::MissingField {
                        field: "timeSliceTarget",
                    })
                })?;
                let method = BudgetingMethod::Timeslices {
                    slice,
                    slice_target,
                };
                method.validate().map_err(|e| Error {
                    location: at,
                    problem: Problem::Core(e),
                })?;
                method
            }
            _ => {
                let slice = slice_window.ok_or_else(|| {
                    o.err(Problem::MissingField {
                        field: "timeSliceWindow",
                    })
                })?;
                if let Some(f) = optional(&o, "timeSliceTarget") {
                    cx.rule(
                        &f,
                        Problem::Conflict {
                            reason: "timeSliceTarget does not apply to RatioTimeslices".into(),
                        },
                    )?;
                }
                BudgetingMethod::RatioTimeslices { slice }
            }
        };
        let sli = match &indicator.metric {
            IndicatorMetric::Threshold { .. } => {
                let op = required(&o, "op")?;
                let comparison = match op.text()? {
                    "lt" => Comparison::Below,
                    "lte" => Comparison::AtMost,
                    "gt" => Comparison::Above,
                    "gte" => Comparison::AtLeast,
                    other => {
                        return Err(op.err(Problem::InvalidValue {
                            value: other.to_owned(),
                            reason: "expected lt, lte, gt or gte".into(),
                        }));
                    }
                };
                let threshold = cx.number(&required(&o, "value")?)?;
                let slice = match budgeting {
                    BudgetingMethod::Occurrences => default_slice,
                    BudgetingMethod::Timeslices { slice, .. }
                    | BudgetingMethod::RatioTimeslices { slice } => slice,
                };
                Sli::TimeSlice {
                    comparison,
                    threshold,
                    slice,
                }
            }
            _ => {
                for key in ["op", "value"] {
                    if let Some(f) = optional(&o, key) {
                        cx.rule(
                            &f,
                            Problem::Conflict {
                                reason: format!("{key} is forbidden on a ratio SLI (ignored)"),
                            },
                        )?;
                    }
                }
                Sli::EventRatio
            }
        };
        let name = if items.len() == 1 {
            meta.name.clone()
        } else {
            format!("{}-{i}", meta.name)
        };
        let slo = Slo {
            name,
            objective,
            window,
            sli,
            budgeting,
            missing_data,
            min_events,
        };
        slo.validate().map_err(|e| o.err(Problem::Core(e)))?;
        let mut alert_policies = Vec::new();
        for (definition, located) in &policies {
            check_policy(cx, &slo, definition, located)?;
            alert_policies.push(definition.clone());
        }
        out.push(SloDefinition {
            slo,
            display_name: meta.display_name.clone(),
            description: description.clone(),
            service: service.clone(),
            indicator: indicator.clone(),
            alert_policies,
            document: root.doc,
        });
    }
    Ok(out)
}

fn objective_target(cx: &mut Cx<'_>, o: &F<'_>) -> Result<Objective> {
    let target = optional(o, "target")
        .map(|f| cx.number(&f).map(|v| (v, f)))
        .transpose()?;
    let percent = optional(o, "targetPercent")
        .map(|f| cx.number(&f).map(|v| (v, f)))
        .transpose()?;
    match (target, percent) {
        (Some((t, tf)), Some((p, pf))) => {
            if (t * 100.0 - p).abs() > 1e-9 {
                return Err(pf.err(Problem::Conflict {
                    reason: format!("target {t} and targetPercent {p} disagree"),
                }));
            }
            cx.rule(
                &pf,
                Problem::Conflict {
                    reason: "target and targetPercent exclude each other (target used)".into(),
                },
            )?;
            Objective::new(t).map_err(|e| tf.err(Problem::Core(e)))
        }
        (Some((t, tf)), None) => Objective::new(t).map_err(|e| tf.err(Problem::Core(e))),
        (None, Some((p, pf))) => Objective::from_percent(p).map_err(|e| pf.err(Problem::Core(e))),
        (None, None) => Err(o.err(Problem::MissingField { field: "target" })),
    }
}

fn time_window(cx: &mut Cx<'_>, f: &F<'_>) -> Result<Window> {
    let items = f.items()?;
    let first = match items {
        [one] => f.index(0, one),
        [] => {
            return Err(f.err(Problem::MissingField {
                field: "timeWindow",
            }));
        }
        [_, second, ..] => {
            return Err(f.index(1, second).err(Problem::Unsupported {
                what: "more than one time window".into(),
            }));
        }
    };
    cx.keys(&first, &["duration", "isRolling", "calendar"])?;
    let duration_field = required(&first, "duration")?;
    let length = duration(cx, &duration_field)?;
    let calendar = optional(&first, "calendar");
    // `isRolling`: "if omitted assumed false if calendar is present" (the v1 spec).
    let rolling = match optional(&first, "isRolling") {
        Some(r) => cx.boolean(&r)?,
        None => calendar.is_none(),
    };
    if rolling {
        if let Some(c) = &calendar {
            cx.rule(
                c,
                Problem::Conflict {
                    reason: "calendar cannot be set when isRolling is true (ignored)".into(),
                },
            )?;
        }
        let seconds = match length.fixed_seconds() {
            Some(s) => s,
            None => {
                let seconds = length.sdk_seconds();
                cx.warn(
                    &duration_field,
                    Problem::InvalidValue {
                        value: duration_field.text()?.to_owned(),
                        reason: format!(
                            "a rolling window in months, quarters or years has no fixed length: read as {} days, as the OpenSLO Go SDK does",
                            seconds / 86_400
                        ),
                    },
                );
                seconds
            }
        };
        let span = Span::from_seconds(seconds).map_err(|e| duration_field.err(Problem::Core(e)))?;
        return Ok(Window::Rolling(span));
    }
    if length.seconds.is_some() {
        return Err(duration_field.err(Problem::Unsupported {
            what: "a calendar window in seconds".into(),
        }));
    }
    if length.unit == CalendarPeriod::Minute {
        // The official timeslices example writes `1m` meaning a month.
        cx.warn(
            &duration_field,
            Problem::InvalidValue {
                value: duration_field.text()?.to_owned(),
                reason: "`m` is minutes: this calendar window is minutes long, not months (a month is `1M`)"
                    .into(),
            },
        );
    }
    let count = NonZeroU32::new(length.count).unwrap_or(NonZeroU32::MIN);
    let Some(calendar) = calendar else {
        cx.rule(&first, Problem::MissingField { field: "calendar" })?;
        return Ok(Window::Calendar(
            CalendarWindow::utc(length.unit).with_count(count),
        ));
    };
    cx.keys(&calendar, &["startTime", "timeZone"])?;
    let tz_field = required(&calendar, "timeZone")?;
    let zone_text = tz_field.text()?;
    let zone: Zone = zone_text
        .parse()
        .map_err(|e| tz_field.err(Problem::Core(e)))?;
    if zone_text.starts_with(['+', '-']) {
        cx.rule(
            &tz_field,
            Problem::InvalidValue {
                value: zone_text.to_owned(),
                reason: "timeZone is a name of the IANA time-zone database (Etc/GMT-2 for +02:00)"
                    .into(),
            },
        )?;
    }
    let start_field = required(&calendar, "startTime")?;
    let start_text = start_field.text()?;
    let start = match NaiveDateTime::parse_from_str(start_text, "%Y-%m-%d %H:%M:%S") {
        Ok(start) => start,
        Err(_) => {
            let start =
                NaiveDateTime::parse_from_str(start_text, "%Y-%m-%dT%H:%M:%S").map_err(|_| {
                    start_field.err(Problem::InvalidValue {
                        value: start_text.to_owned(),
                        reason: "expected a date and time as 2024-01-01 00:00:00".into(),
                    })
                })?;
            // ISO 8601's `T` is not the spec's format (Go's time.DateTime).
            cx.rule(
                &start_field,
                Problem::InvalidValue {
                    value: start_text.to_owned(),
                    reason: "startTime is written 2024-01-01 00:00:00, without a T".into(),
                },
            )?;
            start
        }
    };
    let aligned = CalendarWindow::new(length.unit, zone).with_count(count);
    // An anchor that starts an aligned period names the aligned window itself.
    let window = if count.get() == 1 && aligned_start(length.unit, start) {
        aligned
    } else {
        aligned.with_anchor(start)
    };
    Ok(Window::Calendar(window))
}

/// Whether a local start time begins an aligned period of `unit`: a whole minute or hour,
/// midnight, a Monday, the 1st, a quarter's first day, January 1st.
fn aligned_start(unit: CalendarPeriod, start: NaiveDateTime) -> bool {
    let time = start.time().num_seconds_from_midnight();
    match unit {
        CalendarPeriod::Minute => time % 60 == 0,
        CalendarPeriod::Hour => time % 3_600 == 0,
        CalendarPeriod::Day => time == 0,
        CalendarPeriod::Week => time == 0 && start.weekday() == chrono::Weekday::Mon,
        CalendarPeriod::Month => time == 0 && start.day() == 1,
        CalendarPeriod::Quarter => time == 0 && start.day() == 1 && start.month0() % 3 == 0,
        CalendarPeriod::Year => time == 0 && start.ordinal() == 1,
    }
}

fn import_sli(cx: &mut Cx<'_>, catalog: &Catalog<'_>, root: &F<'_>) -> Result<Indicator> {
    let meta = metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(&spec, &["description", "thresholdMetric", "ratioMetric"])?;
    let description = optional(&spec, "description")
        .map(|f| f.text().map(str::to_owned))
        .transpose()?;
    let metric = match (
        optional(&spec, "thresholdMetric"),
        optional(&spec, "ratioMetric"),
    ) {
        (Some(_), Some(r)) => {
            return Err(r.err(Problem::Conflict {
                reason: "thresholdMetric and ratioMetric exclude each other".into(),
            }));
        }
        (None, None) => {
            return Err(spec.err(Problem::MissingField {
                field: "ratioMetric",
            }));
        }
        (Some(t), None) => IndicatorMetric::Threshold {
            metric: metric_holder(cx, catalog, &t)?,
        },
        (None, Some(r)) => {
            cx.keys(&r, &["counter", "good", "bad", "total", "rawType", "raw"])?;
            let counter = match optional(&r, "counter") {
                Some(c) => cx.boolean(&c)?,
                None => false,
            };
            match optional(&r, "raw") {
                Some(raw) => {
                    for key in ["good", "bad", "total"] {
                        if let Some(f) = optional(&r, key) {
                            return Err(f.err(Problem::Conflict {
                                reason: format!("{key} and raw exclude each other"),
                            }));
                        }
                    }
                    let raw_type = required(&r, "rawType")?;
                    let raw_type = match raw_type.text()? {
                        "success" => RawType::Success,
                        "failure" => RawType::Failure,
                        other => {
                            return Err(raw_type.err(Problem::InvalidValue {
                                value: other.to_owned(),
                                reason: "expected success or failure".into(),
                            }));
                        }
                    };
                    IndicatorMetric::RawRatio {
                        raw: metric_holder(cx, catalog, &raw)?,
                        raw_type,
                    }
                }
                None => {
                    if optional(&r, "counter").is_none() {
                        cx.rule(&r, Problem::MissingField { field: "counter" })?;
                    }
                    let total = metric_holder(cx, catalog, &required(&r, "total")?)?;
                    let good = optional(&r, "good")
                        .map(|f| metric_holder(cx, catalog, &f))
                        .transpose()?;
                    let bad = optional(&r, "bad")
                        .map(|f| metric_holder(cx, catalog, &f))
                        .transpose()?;
                    if good.is_some() == bad.is_some() {
                        return Err(r.err(Problem::Conflict {
                            reason: "a ratio metric needs exactly one of good and bad".into(),
                        }));
                    }
                    IndicatorMetric::Ratio {
                        counter,
                        good,
                        bad,
                        total,
                    }
                }
            }
        }
    };
    Ok(Indicator {
        name: meta.name,
        description,
        metric,
    })
}

/// `{metricSource: {metricSourceRef?, type?, spec}}`: any source type, its spec kept as
/// written.
fn metric_holder(cx: &mut Cx<'_>, catalog: &Catalog<'_>, f: &F<'_>) -> Result<MetricSource> {
    cx.keys(f, &["metricSource"])?;
    let source = required(f, "metricSource")?;
    cx.keys(&source, &["metricSourceRef", "type", "spec"])?;
    let source_ref = match optional(&source, "metricSourceRef") {
        Some(r) => {
            let name = r.text()?;
            let data_source = catalog.sources.get(name).map(|(_, ds)| ds.clone());
            if data_source.is_none() && optional(&source, "type").is_none() {
                return Err(r.err(Problem::MissingReference {
                    kind: "DataSource",
                    name: name.to_owned(),
                }));
            }
            Some(SourceRef {
                name: name.to_owned(),
                data_source,
            })
        }
        None => None,
    };
    let declared_type = match optional(&source, "type") {
        Some(t) => {
            let text = t.text()?;
            if let Some(ds) = source_ref.as_ref().and_then(|r| r.data_source.as_ref())
                && text != ds.source_type
            {
                cx.rule(
                    &t,
                    Problem::Conflict {
                        reason: format!(
                            "type {text:?} differs from the DataSource's {:?}",
                            ds.source_type
                        ),
                    },
                )?;
            }
            Some(text.to_owned())
        }
        None if source_ref.is_none() => {
            return Err(source.err(Problem::MissingField { field: "type" }));
        }
        None => None,
    };
    let spec = required(&source, "spec")?;
    spec.map()?;
    Ok(MetricSource {
        source_ref,
        declared_type,
        spec: SourceSpec::parsed(spec.node, spec.location()),
    })
}

/// Where a tier's fields sit, to name them in policy findings.
#[derive(Debug, Clone)]
struct TierPlace {
    threshold: Location,
    lookback: Location,
}

type Located = (Location, Vec<TierPlace>);

fn alert_policy(
    cx: &mut Cx<'_>,
    catalog: &Catalog<'_>,
    root: &F<'_>,
) -> Result<(AlertPolicyDefinition, Located)> {
    let meta = metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(
        &spec,
        &[
            "description",
            "alertWhenNoData",
            "alertWhenResolved",
            "alertWhenBreaching",
            "conditions",
            "notificationTargets",
        ],
    )?;
    let flag = |cx: &mut Cx<'_>, key: &str, default: bool| -> Result<bool> {
        optional(&spec, key).map_or(Ok(default), |f| cx.boolean(&f))
    };
    let alert_when_no_data = flag(cx, "alertWhenNoData", false)?;
    let alert_when_resolved = flag(cx, "alertWhenResolved", false)?;
    let alert_when_breaching = flag(cx, "alertWhenBreaching", true)?;
    let conditions = required(&spec, "conditions")?;
    let mut tiers = Vec::new();
    let mut places = Vec::new();
    for (i, item) in conditions.items()?.iter().enumerate() {
        let item = conditions.index(i, item);
        item.map()?;
        let condition_root = referenced_or_inline(
            cx,
            item,
            "conditionRef",
            "AlertCondition",
            &catalog.conditions,
        )?;
        let (tier, place) = alert_condition(cx, &condition_root)?;
        if tiers.iter().any(|t: &AlertTier| t.id == tier.id) {
            return Err(condition_root.err(Problem::DuplicateName {
                kind: "AlertCondition",
                name: tier.id,
                first: condition_root.doc,
            }));
        }
        tiers.push(tier);
        places.push(place);
    }
    let mut notification_targets = Vec::new();
    if let Some(list) = optional(&spec, "notificationTargets") {
        for (i, item) in list.items()?.iter().enumerate() {
            let item = list.index(i, item);
            item.map()?;
            match optional(&item, "targetRef") {
                Some(r) => {
                    cx.keys(&item, &["targetRef"])?;
                    let target = referenced(&r, &catalog.targets, "AlertNotificationTarget")?;
                    let spec = required(&target, "spec")?;
                    notification_targets.push(NotificationTarget {
                        name: r.text()?.to_owned(),
                        target: required(&spec, "target")?.text()?.to_owned(),
                    });
                }
                None => {
                    cx.keys(&item, &["apiVersion", "kind", "metadata", "spec"])?;
                    let target = metadata(cx, &item)?;
                    let spec = required(&item, "spec")?;
                    cx.keys(&spec, &["description", "target"])?;
                    notification_targets.push(NotificationTarget {
                        name: target.name,
                        target: required(&spec, "target")?.text()?.to_owned(),
                    });
                }
            }
        }
    }
    let definition = AlertPolicyDefinition {
        name: meta.name,
        description: optional(&spec, "description")
            .map(|f| f.text().map(str::to_owned))
            .transpose()?,
        alert_when_no_data,
        alert_when_resolved,
        alert_when_breaching,
        notification_targets,
        policy: AlertPolicy {
            tiers,
            ..AlertPolicy::default()
        },
    };
    Ok((definition, (conditions.location(), places)))
}

fn alert_condition(cx: &mut Cx<'_>, root: &F<'_>) -> Result<(AlertTier, TierPlace)> {
    let meta = metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(&spec, &["description", "severity", "condition"])?;
    let severity_field = required(&spec, "severity")?;
    let severity_text = severity_field.text()?;
    let severity = match severity_text.to_ascii_lowercase().as_str() {
        "page" => Severity::Page,
        "ticket" => Severity::Ticket,
        other @ ("critical" | "high" | "warning" | "medium" | "low" | "info") => {
            let severity = if matches!(other, "critical" | "high") {
                Severity::Page
            } else {
                Severity::Ticket
            };
            cx.rule(
                &severity_field,
                Problem::InvalidValue {
                    value: severity_text.to_owned(),
                    reason: format!("read as {severity:?}: severities here are page and ticket"),
                },
            )?;
            severity
        }
        _ => {
            return Err(severity_field.err(Problem::InvalidValue {
                value: severity_text.to_owned(),
                reason: "expected page or ticket".into(),
            }));
        }
    };
    let condition = required(&spec, "condition")?;
    cx.keys(
        &condition,
        &["kind", "op", "threshold", "lookbackWindow", "alertAfter"],
    )?;
    let kind = required(&condition, "kind")?;
    if kind.text()? != "burnrate" {
        return Err(kind.err(Problem::UnknownKind {
            kind: kind.text()?.to_owned(),
        }));
    }
    let op = required(&condition, "op")?;
    match op.text()? {
        "gt" => {}
        "gte" => cx.rule(
            &op,
            Problem::Unsupported {
                what: "op gte: burn-rate tiers fire strictly above the threshold (read as gt)"
                    .into(),
            },
        )?,
        other => {
            return Err(op.err(Problem::Unsupported {
                what: format!("op {other}: a burn-rate condition fires above its threshold"),
            }));
        }
    }
    let threshold_field = required(&condition, "threshold")?;
    let threshold = cx.number(&threshold_field)?;
    if !(threshold.is_finite() && threshold > 0.0) {
        return Err(threshold_field.err(Problem::InvalidValue {
            value: threshold.to_string(),
            reason: "a burn-rate threshold must be positive".into(),
        }));
    }
    let lookback_field = required(&condition, "lookbackWindow")?;
    let long_window = fixed_span(cx, &lookback_field)?;
    let short_window = match annotation(&meta, SHORT_WINDOW) {
        Some(text) => text
            .parse::<Span>()
            .map_err(|e| root.err(Problem::Core(e)))?,
        None => {
            let minutes = long_window.seconds() / 12 / 60;
            Span::from_minutes(minutes.max(1)).map_err(|e| lookback_field.err(Problem::Core(e)))?
        }
    };
    if short_window >= long_window {
        return Err(lookback_field.err(Problem::Unsupported {
            what: format!(
                "lookback window {long_window} leaves no shorter window (short window {short_window})"
            ),
        }));
    }
    let sustain = match optional(&condition, "alertAfter") {
        None => None,
        Some(f) => {
            let after = fixed_span(cx, &f)?;
            let minutes = after.steps_of(Span::MINUTE).ok_or_else(|| {
                f.err(Problem::Unsupported {
                    what: "alertAfter in whole minutes".into(),
                })
            })?;
            let n = u32::try_from(minutes).map_err(|_| {
                f.err(Problem::InvalidValue {
                    value: after.to_string(),
                    reason: "too long".into(),
                })
            })?;
            if n <= 1 {
                None // one minute: the first evaluation already fires
            } else {
                Some(Sustained::new(n, n).map_err(|e| f.err(Problem::Core(e)))?)
            }
        }
    };
    let mut tier = AlertTier::new(
        meta.name,
        severity,
        long_window,
        short_window,
        TierThreshold::BurnRate(threshold),
    );
    tier.sustain = sustain;
    Ok((
        tier,
        TierPlace {
            threshold: threshold_field.location(),
            lookback: lookback_field.location(),
        },
    ))
}

/// `sli-core`'s policy checks for one SLO: invalid tiers are errors; a tier that can never fire
/// or looks back further than the SLO window is an error in strict mode, a warning otherwise.
fn check_policy(
    cx: &mut Cx<'_>,
    slo: &Slo,
    definition: &AlertPolicyDefinition,
    (conditions, places): &Located,
) -> Result<()> {
    let period = slo.window.nominal_length();
    let place = |tier: &str| {
        definition
            .policy
            .tiers
            .iter()
            .position(|t| t.id == tier)
            .and_then(|i| places.get(i))
    };
    let findings = definition
        .policy
        .validate(slo.objective, period)
        .map_err(|e| Error {
            location: conditions.clone(),
            problem: Problem::Core(e),
        })?;
    for finding in findings {
        let location = match &finding {
            PolicyWarning::NeverFires { tier, .. } => place(tier).map(|p| p.threshold.clone()),
            PolicyWarning::WindowExceedsSloPeriod { tier, .. } => {
                place(tier).map(|p| p.lookback.clone())
            }
            _ => None,
        }
        .unwrap_or_else(|| conditions.clone());
        let problem = Problem::Policy(finding);
        match cx.mode {
            Mode::Strict => return Err(Error { location, problem }),
            Mode::Lenient => cx.warnings.push(Warning { location, problem }),
        }
    }
    Ok(())
}
