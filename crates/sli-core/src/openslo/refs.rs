//! References between objects: every object indexed by kind and name, and `…Ref` fields
//! resolved against the index.

use std::collections::HashMap;

use super::DataSource;
use super::error::Problem;
use super::field::*;

/// The object a `…Ref` field names, from the documents of its kind.
pub(super) fn referenced<'a>(
    r: &F<'_>,
    table: &HashMap<String, F<'a>>,
    kind: &'static str,
) -> Result<F<'a>> {
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
pub(super) fn referenced_or_inline<'a>(
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

/// Everything indexed by kind and name, with the document each came from.
#[derive(Default)]
pub(super) struct Catalog<'a> {
    pub(super) slis: HashMap<String, F<'a>>,
    pub(super) policies: HashMap<String, F<'a>>,
    pub(super) conditions: HashMap<String, F<'a>>,
    pub(super) targets: HashMap<String, F<'a>>,
    pub(super) services: HashMap<String, F<'a>>,
    pub(super) sources: HashMap<String, (usize, DataSource)>,
    pub(super) slos: Vec<F<'a>>,
}

pub(super) fn index_document<'a>(
    cx: &mut Cx<'_>,
    catalog: &mut Catalog<'a>,
    root: &F<'a>,
) -> Result<()> {
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
