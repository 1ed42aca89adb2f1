//! `PrometheusRule` manifests (`monitoring.coreos.com/v1`) for the Prometheus Operator: the
//! rule files' groups as each manifest's `spec`.

use super::names;
use super::rules::{Rule, RuleFile};
use crate::error::{CompileError, CompileProblem, Engine};
use crate::yaml::Node;

/// The largest `PrometheusRule` manifest, in bytes of YAML: 512 KiB. The Prometheus Operator
/// puts a manifest's rule groups into a ConfigMap and refuses a rule file past half of the
/// 1 MiB Kubernetes stores in one (`maxConfigMapDataSize = MaxSecretSize × 0.5`, leaving room
/// for metadata); the manifest's YAML, a little longer than that rule file, is held to it.
pub const MAX_MANIFEST_BYTES: usize = 1 << 19;

/// How the manifests are named and labelled.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::ManifestOptions;
/// let options = ManifestOptions::default()
///     .with_namespace("monitoring")
///     .with_label("release", "kube-prometheus-stack");
/// assert_eq!(options.name, "slo-rules");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ManifestOptions {
    /// The manifests' name, suffixed `-<n>` (a DNS subdomain: lowercase letters, digits, `-`
    /// and `.`). Default `slo-rules`.
    pub name: String,
    /// The namespace (none: the one `kubectl apply` uses).
    pub namespace: Option<String>,
    /// Labels, e.g. those the `Prometheus` resource's `ruleSelector` matches.
    pub labels: Vec<(String, String)>,
}

impl Default for ManifestOptions {
    fn default() -> Self {
        Self {
            name: "slo-rules".into(),
            namespace: None,
            labels: Vec::new(),
        }
    }
}

impl ManifestOptions {
    /// These options with the manifests named after `name`.
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// These options with the manifests in `namespace`.
    #[must_use]
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Some(namespace.into());
        self
    }

    /// These options with one more label on the manifests (the operator's rule selector
    /// matches on them).
    #[must_use]
    pub fn with_label(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.push((name.into(), value.into()));
        self
    }
}

/// A `PrometheusRule` manifest.
///
/// # Example
/// ```
/// # use slo_compiler::prometheus::Manifest;
/// # fn f(m: &Manifest) -> &str { &m.yaml }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Manifest {
    /// `metadata.name`.
    pub name: String,
    /// The manifest, as `kubectl apply -f` takes it.
    pub yaml: String,
}

/// A DNS label (RFC 1123): at most 63 lowercase letters, digits and `-`, alphanumeric at
/// both ends; with `dots`, a subdomain of such labels, at most 253 characters.
pub(super) fn is_dns_name(name: &str, dots: bool) -> bool {
    let max = if dots { 253 } else { 63 };
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && label
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    name.len() <= max
        && if dots {
            name.split('.').all(label_ok)
        } else {
            label_ok(name)
        }
}

/// A Kubernetes label's name part or value: at most 63 letters, digits, `-`, `_` and `.`,
/// alphanumeric at both ends (a value may be empty).
fn is_label_part(text: &str, allow_empty: bool) -> bool {
    if text.is_empty() {
        return allow_empty;
    }
    let ends = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    text.len() <= 63
        && ends(text.chars().next())
        && ends(text.chars().last())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(super) fn manifests(
    files: &[RuleFile],
    options: &ManifestOptions,
) -> Result<Vec<Manifest>, CompileError> {
    let invalid = |option, reason: String| {
        CompileError::new(
            Engine::Prometheus,
            "",
            None,
            "manifest",
            CompileProblem::InvalidOption { option, reason },
        )
    };
    let longest = format!("{}-{}", options.name, files.len().max(1));
    if !is_dns_name(&longest, true) {
        return Err(invalid(
            "name",
            format!("{longest:?} is not a DNS subdomain name"),
        ));
    }
    if let Some(ns) = &options.namespace
        && !is_dns_name(ns, false)
    {
        return Err(invalid("namespace", format!("{ns:?} is not a DNS label")));
    }
    for (key, value) in &options.labels {
        let (prefix, name) = key.rsplit_once('/').unwrap_or(("", key));
        if !(is_label_part(name, false) && (prefix.is_empty() || is_dns_name(prefix, true)))
            || !is_label_part(value, true)
        {
            return Err(invalid(
                "labels",
                format!("{key:?}: {value:?} is not a Kubernetes label"),
            ));
        }
    }
    files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let name = format!("{}-{}", options.name, i + 1);
            let mut metadata = vec![("name", Node::str(&name))];
            if let Some(ns) = &options.namespace {
                metadata.push(("namespace", Node::str(ns)));
            }
            if !options.labels.is_empty() {
                metadata.push((
                    "labels",
                    Node::string_map(options.labels.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
                ));
            }
            let head = Node::map([
                ("apiVersion", Node::str("monitoring.coreos.com/v1")),
                ("kind", Node::str("PrometheusRule")),
                ("metadata", Node::map(metadata)),
            ]);
            let mut yaml = head.to_yaml();
            yaml.push_str("spec:\n");
            file.write_groups(&mut yaml, 2);
            if yaml.len() > MAX_MANIFEST_BYTES {
                return Err(too_large(file, name, yaml.len()));
            }
            Ok(Manifest { name, yaml })
        })
        .collect()
}

/// The error for the manifest `name` of `file`, `bytes` long, naming the SLO of its first
/// group: files split between groups, so a manifest past the limit is one group (one SLO's
/// rules, which are never split) unless `Options::max_file_bytes` lets more in.
fn too_large(file: &RuleFile, manifest: String, bytes: usize) -> CompileError {
    let slo = file
        .groups
        .iter()
        .flat_map(|g| &g.rules)
        .flat_map(|rule| match rule {
            Rule::Record(r) => &r.labels,
            Rule::Alert(a) => &a.labels,
        })
        .find(|(name, _)| name == names::SLO)
        .map_or("", |(_, value)| value.as_str());
    CompileError::new(
        Engine::Prometheus,
        slo,
        None,
        "manifest",
        CompileProblem::ManifestTooLarge {
            manifest,
            bytes,
            max: MAX_MANIFEST_BYTES,
        },
    )
}
