//! Prometheus rule files as types: recording and alerting rules, groups, files, written as the
//! YAML `promtool check rules` reads.

use sli_core::Span;

#[cfg(test)]
use crate::yaml::Node;
use crate::yaml::{indent, write_string};

/// Writes `key: value` at `at`, the value a scalar.
fn scalar(out: &mut String, at: usize, key: &str, value: &str) {
    indent(out, at);
    out.push_str(key);
    out.push_str(": ");
    write_string(out, value, at + 2, true);
    out.push('\n');
}

/// Writes `key:` and its string map at `at` (nothing for an empty map).
fn string_map(out: &mut String, at: usize, key: &str, map: &[(String, String)]) {
    if map.is_empty() {
        return;
    }
    indent(out, at);
    out.push_str(key);
    out.push_str(":\n");
    for (k, v) in map {
        scalar(out, at + 2, k, v);
    }
}

/// Writes a group (`name`, `interval`, `rules`) as an item of a `groups:` sequence at `at`.
pub(crate) fn write_group<R: std::borrow::Borrow<Rule>>(
    out: &mut String,
    at: usize,
    name: &str,
    interval: Option<Span>,
    rules: &[R],
) {
    indent(out, at);
    out.push_str("- name: ");
    write_string(out, name, at + 4, false);
    out.push('\n');
    if let Some(interval) = interval {
        scalar(out, at + 2, "interval", &interval.to_string());
    }
    indent(out, at + 2);
    if rules.is_empty() {
        out.push_str("rules: []\n");
        return;
    }
    out.push_str("rules:\n");
    for rule in rules {
        rule.borrow().write_to(out, at + 4);
    }
}

/// A recording rule: `record`, `expr`, `labels`.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::RecordingRule;
/// let r = RecordingRule { record: "slo:objective:ratio".into(), expr: "vector(0.999)".into(), labels: vec![] };
/// assert_eq!(r.record, "slo:objective:ratio");
/// ```
// Plain data with public fields: the shape of the engine's own document, built by hand too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingRule {
    /// The series it records.
    pub record: String,
    /// The PromQL expression.
    pub expr: String,
    /// Labels set on the result.
    pub labels: Vec<(String, String)>,
}

/// An alerting rule: `alert`, `expr`, `for`, `labels`, `annotations`.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::AlertingRule;
/// let a = AlertingRule { alert: "SLOMetricAbsent".into(), expr: "absent(up)".into(), for_: None,
///     labels: vec![], annotations: vec![] };
/// assert!(a.for_.is_none());
/// ```
// Plain data with public fields: the shape of the engine's own document, built by hand too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertingRule {
    /// The alert name.
    pub alert: String,
    /// The PromQL expression: the alert fires for each series it returns.
    pub expr: String,
    /// How long the expression must hold before the alert fires (`None`: at once).
    pub for_: Option<Span>,
    /// Labels added to the alert.
    pub labels: Vec<(String, String)>,
    /// Annotations of the alert.
    pub annotations: Vec<(String, String)>,
}

/// A rule of a group.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::{RecordingRule, Rule};
/// let r = Rule::Record(RecordingRule { record: "a:b:c".into(), expr: "vector(1)".into(), labels: vec![] });
/// assert_eq!(r.expr(), "vector(1)");
/// ```
// Closed: Prometheus has recording and alerting rules, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// A recording rule.
    Record(RecordingRule),
    /// An alerting rule.
    Alert(AlertingRule),
}

impl Rule {
    /// The rule's expression.
    pub fn expr(&self) -> &str {
        match self {
            Self::Record(r) => &r.expr,
            Self::Alert(a) => &a.expr,
        }
    }

    /// Writes the rule as an item of a `rules:` sequence at `at`: what [`Rule::to_node`]
    /// gives, written straight into `out` (rule files run to tens of megabytes).
    pub(crate) fn write_to(&self, out: &mut String, at: usize) {
        indent(out, at);
        out.push_str("- ");
        let inner = at + 2;
        let first = |out: &mut String, key: &str, value: &str| {
            out.push_str(key);
            out.push_str(": ");
            write_string(out, value, inner + 2, true);
            out.push('\n');
        };
        match self {
            Self::Record(r) => {
                first(out, "record", &r.record);
                scalar(out, inner, "expr", &r.expr);
                string_map(out, inner, "labels", &r.labels);
            }
            Self::Alert(a) => {
                first(out, "alert", &a.alert);
                scalar(out, inner, "expr", &a.expr);
                if let Some(duration) = a.for_ {
                    scalar(out, inner, "for", &duration.to_string());
                }
                string_map(out, inner, "labels", &a.labels);
                string_map(out, inner, "annotations", &a.annotations);
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn to_node(&self) -> Node {
        let labels = |labels: &[(String, String)]| {
            Node::string_map(labels.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        };
        match self {
            Self::Record(r) => {
                let mut entries = vec![
                    ("record", Node::str(&r.record)),
                    ("expr", Node::str(&r.expr)),
                ];
                if !r.labels.is_empty() {
                    entries.push(("labels", labels(&r.labels)));
                }
                Node::map(entries)
            }
            Self::Alert(a) => {
                let mut entries =
                    vec![("alert", Node::str(&a.alert)), ("expr", Node::str(&a.expr))];
                if let Some(duration) = a.for_ {
                    entries.push(("for", Node::str(duration.to_string())));
                }
                if !a.labels.is_empty() {
                    entries.push(("labels", labels(&a.labels)));
                }
                if !a.annotations.is_empty() {
                    entries.push(("annotations", labels(&a.annotations)));
                }
                Node::map(entries)
            }
        }
    }
}

/// A rule group: rules evaluated one after another, every `interval`.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::RuleGroup;
/// let g = RuleGroup { name: "slo-burn-rate-1".into(), interval: None, rules: vec![] };
/// assert!(g.rules.is_empty());
/// ```
// Plain data with public fields: the shape of the engine's own document, built by hand too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleGroup {
    /// The group's name, unique in a file.
    pub name: String,
    /// The evaluation interval (`None`: the server's global one).
    pub interval: Option<Span>,
    /// The rules, in evaluation order.
    pub rules: Vec<Rule>,
}

impl RuleGroup {
    /// Writes the group as an item of a `groups:` sequence at `at`.
    pub(crate) fn write_to(&self, out: &mut String, at: usize) {
        write_group(out, at, &self.name, self.interval, &self.rules);
    }

    #[cfg(test)]
    pub(crate) fn to_node(&self) -> Node {
        let mut entries = vec![("name", Node::str(&self.name))];
        if let Some(interval) = self.interval {
            entries.push(("interval", Node::str(interval.to_string())));
        }
        entries.push((
            "rules",
            Node::Seq(self.rules.iter().map(Rule::to_node).collect()),
        ));
        Node::map(entries)
    }
}

/// A rule file: what Prometheus's `rule_files` loads and `promtool check rules` checks, and
/// the `spec` of a `PrometheusRule`.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::{RuleFile, RuleGroup};
/// let file = RuleFile { name: "slo-rules-1.yml".into(),
///     groups: vec![RuleGroup { name: "g".into(), interval: None, rules: vec![] }] };
/// assert_eq!(file.to_yaml(), "groups:\n  - name: g\n    rules: []\n");
/// ```
// Plain data with public fields: the shape of the engine's own document, built by hand too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFile {
    /// A file name for it (`<prefix>-rules-<n>.yml`).
    pub name: String,
    /// The groups.
    pub groups: Vec<RuleGroup>,
}

impl RuleFile {
    /// A rule file named `name` holding `groups`.
    pub fn new(name: impl Into<String>, groups: Vec<RuleGroup>) -> Self {
        Self {
            name: name.into(),
            groups,
        }
    }

    #[cfg(test)]
    pub(crate) fn to_node(&self) -> Node {
        Node::map([(
            "groups",
            Node::Seq(self.groups.iter().map(RuleGroup::to_node).collect()),
        )])
    }

    /// The file's YAML.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        self.write_groups(&mut out, 0);
        out
    }

    /// Writes `groups:` and the groups at `at` (0 for a file, 2 under a manifest's `spec:`).
    pub(crate) fn write_groups(&self, out: &mut String, at: usize) {
        indent(out, at);
        if self.groups.is_empty() {
            out.push_str("groups: []\n");
            return;
        }
        out.push_str("groups:\n");
        for group in &self.groups {
            group.write_to(out, at + 2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct writer and the general one write the same text.
    #[test]
    fn written_like_the_node_writer() {
        let file = RuleFile {
            name: "f.yml".into(),
            groups: vec![
                RuleGroup {
                    name: "g-1".into(),
                    interval: Some(Span::MINUTE),
                    rules: vec![
                        Rule::Record(RecordingRule {
                            record: "slo:sli_error:ratio_rate5m".into(),
                            expr: "(sum(increase(a[5m])))\n/\n(sum(increase(b{c=\"d\"}[5m])))"
                                .into(),
                            labels: vec![
                                ("sloth_window".into(), "5m".into()),
                                ("x".into(), "it's".into()),
                            ],
                        }),
                        Rule::Alert(AlertingRule {
                            alert: "ErrorBudgetBurn".into(),
                            expr: "max without (w) (\n  (a > 1)\n)".into(),
                            for_: Some(Span::HOUR),
                            labels: vec![("severity".into(), "page".into())],
                            annotations: vec![("summary".into(), "a: b\nc".into())],
                        }),
                    ],
                },
                RuleGroup {
                    name: "empty".into(),
                    interval: None,
                    rules: vec![],
                },
            ],
        };
        assert_eq!(file.to_yaml(), file.to_node().to_yaml());
    }
}
