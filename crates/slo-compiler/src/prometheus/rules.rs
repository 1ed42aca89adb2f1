//! Prometheus rule files as types: recording and alerting rules, groups, files, written as the
//! YAML `promtool check rules` reads.

use sli_core::Span;

use crate::yaml::Node;

/// A recording rule: `record`, `expr`, `labels`.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::RecordingRule;
/// let r = RecordingRule { record: "slo:objective:ratio".into(), expr: "vector(0.999)".into(), labels: vec![] };
/// assert_eq!(r.record, "slo:objective:ratio");
/// ```
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFile {
    /// A file name for it (`<prefix>-rules-<n>.yml`).
    pub name: String,
    /// The groups.
    pub groups: Vec<RuleGroup>,
}

impl RuleFile {
    pub(crate) fn to_node(&self) -> Node {
        Node::map([(
            "groups",
            Node::Seq(self.groups.iter().map(RuleGroup::to_node).collect()),
        )])
    }

    /// The file's YAML.
    pub fn to_yaml(&self) -> String {
        self.to_node().to_yaml()
    }
}
