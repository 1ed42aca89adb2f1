//! Data sources as data: a `metricSource` of any type, its `spec` kept as written (an ordered
//! map with the position of every value), and the `DataSource` it names.
//!
//! OpenSLO leaves the fields of `metricSource.spec` to each source type ("anything that is
//! valid YAML can be put here"). Reading them is the business of the engine that evaluates the
//! SLI — a CloudWatch compiler reads `namespace` and `metricName`, a Prometheus one reads
//! `query` — so this crate keeps the spec exactly as written, exports it back unchanged, and
//! gives each compiler the positions it needs to name the document, field, line and column of
//! what it refuses.

use std::fmt;

use super::error::Location;
use super::yaml::{Kind, Node, Value};

/// A `metricSource`: what `metricSourceRef` names, the `type` written beside it, and its
/// `spec`.
///
/// The effective type is the `type` written here, else the referenced `DataSource`'s
/// ([`MetricSource::source_type`]).
///
/// # Example
/// ```
/// use sli_core::openslo::{MetricSource, SourceSpec, Value};
///
/// let source = MetricSource::inline("Prometheus", SourceSpec::new(vec![
///     ("query".into(), Value::String("sum(rate(http_requests_total[5m]))".into())),
/// ]));
/// assert_eq!(source.source_type(), Some("Prometheus"));
/// assert!(source.is_type("prometheus"));
/// assert_eq!(source.spec.get("query"), Some(&Value::String("sum(rate(http_requests_total[5m]))".into())));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MetricSource {
    /// `metricSourceRef`: the `DataSource` named, resolved when the file defines it.
    pub source_ref: Option<SourceRef>,
    /// `type` as written in the metric source (`None` when only the `DataSource` gives it).
    pub declared_type: Option<String>,
    /// `spec`, as written.
    pub spec: SourceSpec,
}

/// A `metricSourceRef`: the name, and the `DataSource` document when the file defines it.
///
/// # Example
/// ```
/// use sli_core::openslo::{DataSource, SourceRef, Value};
/// let r = SourceRef { name: "cw".into(), data_source: None };
/// assert!(r.data_source.is_none()); // defined elsewhere: the name is kept
/// # let _ = DataSource { name: "cw".into(), description: None, source_type: "CloudWatch".into(), connection_details: Value::Null };
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRef {
    /// The `DataSource` name.
    pub name: String,
    /// The `DataSource` document, when the file defines it.
    pub data_source: Option<DataSource>,
}

impl MetricSource {
    /// A metric source with an inline `type` and no `metricSourceRef`.
    pub fn inline(source_type: impl Into<String>, spec: SourceSpec) -> Self {
        Self {
            source_ref: None,
            declared_type: Some(source_type.into()),
            spec,
        }
    }

    /// The source type: the `type` written here, else the referenced `DataSource`'s; `None`
    /// when neither is known (a reference to a `DataSource` defined in another file, with no
    /// `type` beside it).
    pub fn source_type(&self) -> Option<&str> {
        self.declared_type.as_deref().or_else(|| {
            self.source_ref
                .as_ref()
                .and_then(|r| r.data_source.as_ref())
                .map(|ds| ds.source_type.as_str())
        })
    }

    /// Whether the source type is `name`, ignoring ASCII case (`CloudWatch`, `cloudwatch`).
    pub fn is_type(&self, name: &str) -> bool {
        self.source_type()
            .is_some_and(|t| t.eq_ignore_ascii_case(name))
    }

    /// The referenced `DataSource`, when the file defines it.
    pub fn data_source(&self) -> Option<&DataSource> {
        self.source_ref
            .as_ref()
            .and_then(|r| r.data_source.as_ref())
    }
}

/// A `DataSource` document.
///
/// # Example
/// ```
/// use sli_core::openslo::{DataSource, Value};
/// let ds = DataSource { name: "cw".into(), description: None, source_type: "CloudWatch".into(),
///                       connection_details: Value::Null };
/// assert_eq!(ds.name, "cw");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DataSource {
    /// `metadata.name`.
    pub name: String,
    /// `spec.description`.
    pub description: Option<String>,
    /// `spec.type`.
    pub source_type: String,
    /// `spec.connectionDetails`, as written.
    pub connection_details: Value,
}

/// Where each value of a spec sits: the node's line and column and, for a sequence or a
/// mapping, its items' (index-aligned with the [`Value`]).
#[derive(Debug, Clone)]
struct Positions {
    line: usize,
    column: usize,
    children: Vec<Self>,
}

impl Positions {
    fn of(node: &Node) -> Self {
        let children = match &node.kind {
            Kind::Scalar { .. } => Vec::new(),
            Kind::Seq(items) => items.iter().map(Self::of).collect(),
            Kind::Map(entries) => entries.iter().map(|(_, v)| Self::of(v)).collect(),
        };
        Self {
            line: node.line,
            column: node.column,
            children,
        }
    }
}

/// The `spec` of a metric source, as written: an ordered map of any YAML, with the position of
/// every value when it was parsed from a file.
///
/// Equality compares the values only: a spec parsed from a file equals the same spec built in
/// code, or parsed from an exported copy whose lines differ.
///
/// # Example
/// ```
/// use sli_core::openslo::{parse, IndicatorMetric, Mode, Value};
///
/// let yaml = r#"
/// apiVersion: openslo/v1
/// kind: SLO
/// metadata: {name: lag}
/// spec:
///   service: pipeline
///   indicator:
///     metadata: {name: lag}
///     spec:
///       thresholdMetric:
///         metricSource:
///           type: Prometheus
///           spec:
///             query: max(kafka_consumergroup_lag)
///             labels: [{name: topic, value: orders}]
///   timeWindow: [{duration: 1d, isRolling: true}]
///   budgetingMethod: Occurrences
///   objectives: [{op: lt, value: 100, target: 0.99}]
/// "#;
/// let import = parse(yaml, Mode::Strict)?;
/// let IndicatorMetric::Threshold { metric } = &import.slos[0].indicator.metric else { unreachable!() };
/// assert_eq!(metric.spec.get("query"), Some(&Value::String("max(kafka_consumergroup_lag)".into())));
/// let at = metric.spec.location_of("labels[0].value").unwrap();
/// assert_eq!((at.line, at.column), (15, 43));
/// assert_eq!(at.path, "spec.indicator.spec.thresholdMetric.metricSource.spec.labels[0].value");
/// # Ok::<(), sli_core::openslo::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct SourceSpec {
    entries: Vec<(String, Value)>,
    /// Where the `spec` mapping itself sits, when parsed.
    origin: Option<Location>,
    /// One per entry, when parsed.
    positions: Option<Vec<Positions>>,
}

impl PartialEq for SourceSpec {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl SourceSpec {
    /// A spec built in code (no positions).
    pub fn new(entries: Vec<(String, Value)>) -> Self {
        Self {
            entries,
            origin: None,
            positions: None,
        }
    }

    /// A parsed spec: `node` must be a mapping (checked by the caller).
    pub(super) fn parsed(node: &Node, origin: Location) -> Self {
        let Kind::Map(map) = &node.kind else {
            return Self::new(Vec::new());
        };
        let (entries, positions) = super::yaml::first_of_each_key(map)
            .map(|(k, v)| ((k, v.to_value()), Positions::of(v)))
            .unzip();
        Self {
            entries,
            origin: Some(origin),
            positions: Some(positions),
        }
    }

    /// The entries, in document order.
    pub fn entries(&self) -> &[(String, Value)] {
        &self.entries
    }

    /// The value under `key` (the first, if a key is repeated).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The text of a string (or number) under `key`.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        match self.get(key)? {
            Value::String(s) | Value::Number(s) => Some(s),
            _ => None,
        }
    }

    /// The spec as one [`Value::Map`].
    pub fn to_value(&self) -> Value {
        Value::Map(self.entries.clone())
    }

    /// Where the `spec` mapping sits in the file it was parsed from.
    pub fn location(&self) -> Option<&Location> {
        self.origin.as_ref()
    }

    /// Where the value at `path` sits (`"query"`, `"metrics[0].stat"`): document, full field
    /// path, line and column. `None` for a spec built in code or a path it does not have.
    pub fn location_of(&self, path: &str) -> Option<Location> {
        let origin = self.origin.as_ref()?;
        let positions = self.positions.as_ref()?;
        let mut segments = PathSegments { rest: path };
        let Segment::Key(first) = segments.next()? else {
            return None;
        };
        let index = self.entries.iter().position(|(k, _)| k == first)?;
        let (mut value, mut at) = (&self.entries[index].1, &positions[index]);
        for segment in segments {
            let i = match (segment, value) {
                (Segment::Key(key), Value::Map(entries)) => {
                    entries.iter().position(|(k, _)| k == key)?
                }
                (Segment::Index(i), Value::Seq(items)) if i < items.len() => i,
                _ => return None,
            };
            value = match value {
                Value::Map(entries) => &entries[i].1,
                Value::Seq(items) => &items[i],
                _ => return None,
            };
            at = at.children.get(i)?;
        }
        Some(Location {
            document: origin.document,
            path: format!("{}.{path}", origin.path),
            line: at.line,
            column: at.column,
        })
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        super::yaml::emit(&mut out, &self.to_value());
        f.write_str(out.trim_end())
    }
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

/// `a.b[2].c` → `a`, `b`, `2`, `c`.
struct PathSegments<'a> {
    rest: &'a str,
}

impl<'a> Iterator for PathSegments<'a> {
    type Item = Segment<'a>;

    fn next(&mut self) -> Option<Segment<'a>> {
        let rest = self.rest.strip_prefix('.').unwrap_or(self.rest);
        if rest.is_empty() {
            return None;
        }
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']')?;
            self.rest = &inner[end + 1..];
            return inner[..end].parse().ok().map(Segment::Index);
        }
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        self.rest = &rest[end..];
        Some(Segment::Key(&rest[..end]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openslo::yaml::{Caps, parse_stream};

    fn spec(text: &str) -> SourceSpec {
        let caps = Caps {
            input_bytes: 1 << 20,
            flow_bytes: 1 << 20,
            nodes: 10_000,
            depth: 32,
        };
        let docs = parse_stream(text, caps).unwrap();
        SourceSpec::parsed(
            &docs[0].root,
            Location {
                document: 3,
                path: "spec.x.spec".into(),
                line: 1,
                column: 1,
            },
        )
    }

    #[test]
    fn positions_follow_paths() {
        let s = spec("query: up\nmetrics:\n  - id: m1\n    stat: Sum\n  - {id: m2, stat: p99}\n");
        let at = s.location_of("metrics[1].stat").unwrap();
        assert_eq!((at.document, at.line, at.column), (3, 5, 20));
        assert_eq!(at.path, "spec.x.spec.metrics[1].stat");
        assert_eq!(s.location_of("metrics[0].id").unwrap().line, 3);
        assert_eq!(s.location_of("query").unwrap().column, 8);
        for missing in [
            "nope",
            "metrics[2]",
            "metrics[0].nope",
            "query.x",
            "[0]",
            "",
        ] {
            assert_eq!(s.location_of(missing), None, "{missing}");
        }
    }

    #[test]
    fn equality_ignores_positions() {
        let a = spec("query: up\n");
        let b = spec("\n\nquery:    up\n");
        assert_eq!(a, b);
        assert_eq!(
            a,
            SourceSpec::new(vec![("query".into(), Value::String("up".into()))])
        );
        assert_eq!(a.get_str("query"), Some("up"));
        assert_eq!(SourceSpec::new(Vec::new()).location_of("query"), None);
    }

    #[test]
    fn effective_type() {
        let ds = DataSource {
            name: "p".into(),
            description: None,
            source_type: "Prometheus".into(),
            connection_details: Value::Null,
        };
        let mut m = MetricSource {
            source_ref: Some(SourceRef {
                name: "p".into(),
                data_source: Some(ds),
            }),
            declared_type: None,
            spec: SourceSpec::new(Vec::new()),
        };
        assert_eq!(m.source_type(), Some("Prometheus"));
        m.declared_type = Some("Thanos".into());
        assert_eq!(m.source_type(), Some("Thanos"));
        m.declared_type = None;
        m.source_ref = Some(SourceRef {
            name: "elsewhere".into(),
            data_source: None,
        });
        assert_eq!(m.source_type(), None);
        assert!(!m.is_type("prometheus"));
    }
}
