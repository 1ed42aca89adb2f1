//! References between objects: every object indexed by kind and name, and `…Ref` fields
//! resolved against the index.

use std::collections::HashMap;

use super::error::Problem;
use super::field::*;
use super::{DataSource, ObjectKind};

/// An object in the index, and whether some SLO referred to it (the others are checked on
/// their own, once).
#[derive(Clone)]
pub(super) struct Entry<'a> {
    pub(super) f: F<'a>,
    pub(super) used: std::cell::Cell<bool>,
}

/// Objects of one kind by name.
pub(super) type Table<'a> = HashMap<String, Entry<'a>>;

/// The object a `…Ref` field names, from the documents of its kind.
pub(super) fn referenced<'a>(r: &F<'_>, table: &Table<'a>, kind: &'static str) -> Result<F<'a>> {
    let name = r.text()?;
    table
        .get(name)
        .map(|e| {
            e.used.set(true);
            e.f
        })
        .ok_or_else(|| {
            r.err(Problem::MissingReference {
                kind,
                name: name.to_owned(),
            })
        })
}

/// A list item that is either `{<ref_key>: name}`, resolved in `table`, or an inline object of
/// `kind`.
pub(super) fn referenced_or_inline<'a>(
    cx: &mut Cx<'_>,
    item: F<'a>,
    ref_key: &'static str,
    kind: &'static str,
    table: &Table<'a>,
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

/// Everything indexed by kind and name, with the document each came from.
#[derive(Default)]
pub(super) struct Catalog<'a> {
    pub(super) slis: Table<'a>,
    pub(super) policies: Table<'a>,
    pub(super) conditions: Table<'a>,
    pub(super) targets: Table<'a>,
    pub(super) services: Table<'a>,
    pub(super) sources: HashMap<String, (usize, DataSource)>,
    pub(super) slos: Vec<F<'a>>,
    /// Alert policies already mapped, by the address of their node: each SLO that refers to a
    /// policy shares it instead of mapping and cloning its tiers again.
    pub(super) mapped_policies: std::cell::RefCell<HashMap<usize, Shared>>,
    /// SLIs already imported for an `indicatorRef`, by the address of their node: each SLO
    /// that refers to one shares it instead of importing (and copying its queries) again.
    pub(super) mapped_slis: std::cell::RefCell<HashMap<usize, std::sync::Arc<super::Indicator>>>,
    /// (policy node, objective, SLO period) already checked: a policy's findings for one
    /// objective and period are reported once, however many SLOs share them.
    pub(super) checked_policies: std::cell::RefCell<std::collections::HashSet<(usize, u64, i64)>>,
}

/// A mapped alert policy and where its fields sit.
pub(super) type Shared = (
    std::sync::Arc<super::AlertPolicyDefinition>,
    std::rc::Rc<super::alert::Located>,
);

/// Indexes one object by kind and name, checks what every object of its kind must satisfy, and
/// says what it is: `None` for an object of a kind this importer does not know (lenient mode).
pub(super) fn index_document<'a>(
    cx: &mut Cx<'_>,
    catalog: &mut Catalog<'a>,
    root: &F<'a>,
) -> Result<Option<(ObjectKind, Meta)>> {
    root.map()?;
    let version = required(root, "apiVersion")?;
    if version.text()? != "openslo/v1" {
        return Err(version.err(Problem::UnsupportedVersion {
            found: version.text()?.to_owned(),
        }));
    }
    let kind_field = required(root, "kind")?;
    let kind = match ObjectKind::from_name(kind_field.text()?) {
        Some(kind) => kind,
        None => {
            cx.rule(
                &kind_field,
                Problem::UnknownKind {
                    kind: kind_field.text()?.to_owned(),
                },
            )?;
            return Ok(None);
        }
    };
    cx.keys(root, &["apiVersion", "kind", "metadata", "spec"])?;
    let meta = metadata(cx, root)?;
    let table = match kind {
        ObjectKind::Slo => {
            catalog.slos.push(*root);
            return Ok(Some((kind, meta)));
        }
        ObjectKind::Sli => &mut catalog.slis,
        ObjectKind::AlertPolicy => &mut catalog.policies,
        ObjectKind::AlertCondition => &mut catalog.conditions,
        ObjectKind::AlertNotificationTarget => &mut catalog.targets,
        ObjectKind::Service => &mut catalog.services,
        ObjectKind::DataSource => {
            let spec = required(root, "spec")?;
            cx.keys(&spec, &["description", "type", "connectionDetails"])?;
            if let Some(details) = optional(&spec, "connectionDetails") {
                cx.free_form(&details)?;
            }
            let source = DataSource {
                name: meta.name.clone(),
                description: description(cx, &spec)?,
                source_type: required(&spec, "type")?.text()?.to_owned(),
                connection_details: optional(&spec, "connectionDetails")
                    .map_or(super::Value::Null, |f| f.node.to_value()),
            };
            if optional(&spec, "connectionDetails").is_none() {
                cx.rule(
                    &spec,
                    Problem::MissingField {
                        field: "connectionDetails",
                    },
                )?;
            }
            if let Some((first, _)) = catalog.sources.get(&meta.name) {
                let first = *first;
                cx.rule(
                    root,
                    Problem::DuplicateName {
                        kind: kind.name(),
                        name: meta.name.clone(),
                        first,
                    },
                )?;
                return Ok(Some((kind, meta)));
            }
            catalog
                .sources
                .insert(meta.name.clone(), (root.doc, source));
            return Ok(Some((kind, meta)));
        }
    };
    if let Some(first) = table.get(&meta.name) {
        let first = first.f.doc;
        cx.rule(
            root,
            Problem::DuplicateName {
                kind: kind.name(),
                name: meta.name.clone(),
                first,
            },
        )?;
        return Ok(Some((kind, meta)));
    }
    match kind {
        ObjectKind::Service => {
            if let Some(spec) = optional(root, "spec") {
                cx.keys(&spec, &["description"])?;
                description(cx, &spec)?;
            }
        }
        ObjectKind::AlertNotificationTarget => {
            let spec = required(root, "spec")?;
            target_spec(cx, &spec)?;
        }
        _ => {}
    }
    table.insert(
        meta.name.clone(),
        Entry {
            f: *root,
            used: std::cell::Cell::new(false),
        },
    );
    Ok(Some((kind, meta)))
}

/// `spec` of an `AlertNotificationTarget`: `target`, and an optional `description`.
pub(super) fn target_spec(cx: &mut Cx<'_>, spec: &F<'_>) -> Result<String> {
    cx.keys(spec, &["description", "target"])?;
    description(cx, spec)?;
    Ok(required(spec, "target")?.text()?.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openslo::Mode;
    use crate::openslo::yaml::{Caps, parse_stream};

    fn catalog_of(text: &str, mode: Mode) -> (Result<Vec<Option<ObjectKind>>>, usize) {
        let caps = Caps {
            input_bytes: 1 << 20,
            flow_bytes: 1 << 20,
            nodes: 10_000,
            depth: 64,
        };
        let docs = parse_stream(text, caps).unwrap();
        let mut warnings = Vec::new();
        let mut cx = Cx::new(mode, &mut warnings, usize::MAX);
        let mut catalog = Catalog::default();
        let kinds = docs
            .iter()
            .enumerate()
            .map(|(doc, d)| {
                let f = F {
                    node: &d.root,
                    path: ROOT,
                    doc,
                };
                index_document(&mut cx, &mut catalog, &f).map(|k| k.map(|(k, _)| k))
            })
            .collect();
        (kinds, warnings.len())
    }

    #[test]
    fn objects_are_indexed_by_kind_and_name() {
        let text = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: prom}\nspec: {type: Prometheus, connectionDetails: {url: x}}\n---\napiVersion: openslo/v1\nkind: Gizmo\nmetadata: {name: g}\n";
        let (kinds, warnings) = catalog_of(text, Mode::Lenient);
        assert_eq!(
            kinds.unwrap(),
            [
                Some(ObjectKind::Service),
                Some(ObjectKind::DataSource),
                None
            ]
        );
        assert_eq!(warnings, 1); // the unknown kind
        assert!(catalog_of(text, Mode::Strict).0.is_err());
        let dup = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: web}\n---\napiVersion: openslo/v1\nkind: Service\nmetadata: {name: web}\n";
        let err = catalog_of(dup, Mode::Strict).0.unwrap_err();
        assert!(matches!(
            err.problem,
            Problem::DuplicateName { first: 0, .. }
        ));
        assert_eq!(err.location.document, 1);
        let v2 = "apiVersion: openslo/v2alpha\nkind: SLO\n";
        assert!(matches!(
            catalog_of(v2, Mode::Lenient).0.unwrap_err().problem,
            Problem::UnsupportedVersion { .. }
        ));
    }

    #[test]
    fn a_reference_marks_its_object_used() {
        let (out, _) = with_document("a: {ref: x}\nx: {}\n", Mode::Strict, |_, root| {
            let mut table = Table::new();
            let x = required(root, "x")?;
            table.insert(
                "x".into(),
                Entry {
                    f: x,
                    used: std::cell::Cell::new(false),
                },
            );
            let a = required(root, "a")?;
            let r = required(&a, "ref")?;
            let found = referenced(&r, &table, "Thing")?;
            let missing = referenced(&a, &table, "Thing");
            Ok((found.node.line, table["x"].used.get(), missing.is_err()))
        });
        assert_eq!(out.unwrap(), (2, true, true));
    }
}
