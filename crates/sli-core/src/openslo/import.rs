//! OpenSLO documents → [`SloDefinition`]s: the entry points.

use super::Mode;
use super::error::{Error, Location, Problem};
use super::field::*;
use super::refs::*;
use super::slo::*;
use super::yaml::{Caps, StreamError, parse_stream};
use super::{Import, Limits};

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
