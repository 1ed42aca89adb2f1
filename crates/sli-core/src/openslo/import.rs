//! OpenSLO documents → [`SloDefinition`]s: the entry points.

use super::Mode;
use super::alert::{check_condition, check_policy_structure};
use super::error::{Error, Location, Problem};
use super::field::*;
use super::refs::*;
use super::sli::import_sli;
use super::slo::*;
use super::v1alpha;
use super::yaml::{Caps, StreamError, parse_stream};
use super::yaml::{Kind, Node};
use super::{Import, Limits, Object};

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
/// let limits = Limits::default().with_max_nodes(10);
/// let err = parse_with_limits("[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]", Mode::Lenient, limits).unwrap_err();
/// assert!(matches!(err.problem, Problem::LimitExceeded { limit: "YAML nodes", max: 10 }));
/// ```
pub fn parse_with_limits(text: &str, mode: Mode, limits: Limits) -> Result<Import> {
    let caps = Caps {
        input_bytes: limits.max_input_bytes,
        flow_bytes: limits.max_flow_bytes,
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
    let mut cx = Cx::new(mode, &mut warnings, limits.max_input_bytes);
    // The objects: each document, or each item of a document that is a sequence (the Go SDK's
    // form); empty documents hold none.
    let mut places: Vec<(usize, Option<usize>, &Node)> = Vec::new();
    for (doc, d) in documents.iter().enumerate() {
        match &d.root.kind {
            Kind::Seq(items) => {
                places.extend(items.iter().enumerate().map(|(i, n)| (doc, Some(i), n)));
            }
            _ if d.root.is_null() => {}
            _ => places.push((doc, None, &d.root)),
        }
    }
    // `openslo/v1alpha` objects, mapped to v1 (lenient mode).
    let mut mapped: Vec<Option<Node>> = Vec::with_capacity(places.len());
    for &(doc, item, node) in &places {
        if !v1alpha::is_v1alpha(node) {
            mapped.push(None);
            continue;
        }
        let f = F {
            node,
            path: object_path(item),
            doc,
        };
        if mode == Mode::Strict {
            let version = required(&f, "apiVersion")?;
            return Err(version.err(Problem::UnsupportedVersion {
                found: "openslo/v1alpha".into(),
            }));
        }
        mapped.push(Some(v1alpha::to_v1(&mut cx, &f)?));
    }
    let roots: Vec<F<'_>> = places
        .iter()
        .zip(&mapped)
        .map(|(&(doc, item, node), mapped)| F {
            node: mapped.as_ref().unwrap_or(node),
            path: object_path(item),
            doc,
        })
        .collect();
    let mut catalog = Catalog::default();
    let mut objects = Vec::with_capacity(roots.len());
    for (root, &(_, item, _)) in roots.iter().zip(&places) {
        if let Some((kind, meta)) = index_document(&mut cx, &mut catalog, root)? {
            objects.push(Object {
                kind,
                name: meta.name,
                display_name: meta.display_name,
                document: root.doc,
                item,
                value: root.node.to_value(),
            });
        }
    }
    let mut slos = Vec::new();
    let mut composites = Vec::new();
    let slo_docs = catalog.slos.clone();
    for slo in &slo_docs {
        let (definitions, composite) = import_slo(&mut cx, &catalog, slo)?;
        slos.extend(definitions);
        composites.extend(composite);
    }
    check_unused(&mut cx, &catalog)?;
    Ok(Import {
        objects,
        slos,
        composites,
        warnings,
    })
}

/// Checks the objects no SLO of the file refers to against the v1 rules on their own (an SLO's
/// objects were checked, and mapped, with it). Their own references may name objects of
/// other files: the Go SDK writes one file per kind.
fn unused<'a>(table: &Table<'a>) -> Vec<F<'a>> {
    let mut entries: Vec<_> = table
        .values()
        .filter(|e| !e.used.get())
        .map(|e| e.f)
        .collect();
    // In document order, so that the first error is the first in the file.
    entries.sort_by_key(|f| (f.doc, f.node.line, f.node.column));
    entries
}

fn check_unused(cx: &mut Cx<'_>, catalog: &Catalog<'_>) -> Result<()> {
    for f in unused(&catalog.slis) {
        import_sli(cx, catalog, &f, false)?;
    }
    for f in unused(&catalog.conditions) {
        check_condition(cx, &f)?;
    }
    for f in unused(&catalog.policies) {
        check_policy_structure(cx, &f)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openslo::ObjectKind;

    #[test]
    fn documents_and_lists_of_objects() {
        let text = "---\n---\n- apiVersion: openslo/v1\n  kind: Service\n  metadata: {name: a}\n- apiVersion: openslo/v1\n  kind: Service\n  metadata: {name: b}\n---\napiVersion: openslo/v1\nkind: Service\nmetadata: {name: c}\n";
        let import = parse(text, Mode::Strict).unwrap();
        let places: Vec<_> = import
            .objects
            .iter()
            .map(|o| (o.kind, o.name.as_str(), o.document, o.item))
            .collect();
        assert_eq!(
            places,
            [
                (ObjectKind::Service, "a", 1, Some(0)),
                (ObjectKind::Service, "b", 1, Some(1)),
                (ObjectKind::Service, "c", 2, None)
            ]
        );
        // An error inside a list names the item.
        let bad = text.replace("metadata: {name: b}", "metadata: {name: b, colour: red}");
        let err = parse(&bad, Mode::Strict).unwrap_err();
        assert_eq!(
            (
                err.location.document,
                err.location.path.as_str(),
                err.location.line
            ),
            (1, "[1].metadata.colour", 8)
        );
    }

    #[test]
    fn unused_objects_are_checked_once() {
        // An unknown field in an SLI no SLO uses: one warning, not two.
        let text = "apiVersion: openslo/v1\nkind: SLI\nmetadata: {name: s}\nspec:\n  colour: red\n  thresholdMetric: {metricSource: {type: X, spec: {q: a}}}\n";
        let import = parse(text, Mode::Lenient).unwrap();
        assert_eq!(import.warnings.len(), 1, "{:?}", import.warnings);
        assert!(parse(text, Mode::Strict).is_err());
    }
}
