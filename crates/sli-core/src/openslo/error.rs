//! Errors and warnings of the OpenSLO importer and exporter, each with the document, field path,
//! line and column it is about.

use std::fmt;

/// Where in an OpenSLO file a problem sits.
///
/// `document` is the 0-based index of the YAML document in the file (the first `---` section is
/// document 0); `path` is the field path inside it (`spec.objectives[0].target`); `line` and
/// `column` are 1-based. A problem about a whole document has the path `""`. An error of
/// [`export`](super::export), which has no text to point into, names the definition's index as
/// `document` and the field's path, with `line` and `column` 0 (and its message leaves them
/// out).
///
/// # Example
/// ```
/// use sli_core::openslo::{parse, Mode};
///
/// let err = parse("apiVersion: openslo/v1\nkind: Gizmo\n", Mode::Strict).unwrap_err();
/// assert_eq!((err.location.document, err.location.line, err.location.column), (0, 2, 7));
/// assert_eq!(err.location.path, "kind");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Location {
    /// 0-based index of the YAML document in the file.
    pub document: usize,
    /// The field path inside the document, e.g. `spec.objectives[0].target`.
    pub path: String,
    /// 1-based line (0 for an error of `export`, which reads no text).
    pub line: usize,
    /// 1-based column (0 for an error of `export`).
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "document {}", self.document)?;
        if !self.path.is_empty() {
            write!(f, ", field {}", self.path)?;
        }
        if self.line == 0 {
            return Ok(());
        }
        write!(f, " (line {}, column {})", self.line, self.column)
    }
}

/// What is wrong with an OpenSLO file (or, as a warning, suspicious about it).
///
/// # Example
/// ```
/// use sli_core::openslo::{parse, Mode, Problem};
///
/// let yaml = "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {}\n";
/// let err = parse(yaml, Mode::Strict).unwrap_err();
/// assert!(matches!(err.problem, Problem::MissingField { field: "service" }));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The text is not YAML.
    #[error("YAML syntax error: {message}")]
    Syntax {
        /// The parser's message.
        message: String,
    },
    /// A document whose `apiVersion` is not `openslo/v1`.
    #[error(
        "apiVersion {found:?} is not supported: expected \"openslo/v1\" (openslo/v1alpha is read in lenient mode)"
    )]
    UnsupportedVersion {
        /// The version given.
        found: String,
    },
    /// A cap of [`Limits`](super::Limits) was reached: the input is refused rather than read
    /// without bound.
    #[error("{limit} exceed the cap of {max}")]
    LimitExceeded {
        /// Which cap: `input bytes`, `YAML nodes` (aliases and anchors count the nodes they
        /// copy), `nesting depth`, or `bytes of text copied into objectives' definitions` (an
        /// SLO's description and names, copied into the definition of each of its
        /// objectives: at most the input bytes' cap over the whole import).
        limit: &'static str,
        /// The cap.
        max: usize,
    },
    /// A `kind` OpenSLO v1 does not define, or one this importer does not handle.
    #[error("unknown kind {kind:?}")]
    UnknownKind {
        /// The kind given.
        kind: String,
    },
    /// A field the OpenSLO v1 schema does not define at this place.
    #[error("unknown field {field:?}")]
    UnknownField {
        /// The field name.
        field: String,
    },
    /// A required field is absent.
    #[error("required field {field:?} is missing")]
    MissingField {
        /// The field name.
        field: &'static str,
    },
    /// A field of the wrong YAML type.
    #[error("expected {expected}, found {found}")]
    WrongType {
        /// What the schema wants.
        expected: &'static str,
        /// What the document has.
        found: &'static str,
    },
    /// A value outside its domain.
    #[error("value {} is invalid: {reason}", crate::Excerpt(value))]
    InvalidValue {
        /// The value as written.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Two fields that exclude each other, or a field forbidden in this context.
    #[error("{reason}")]
    Conflict {
        /// What conflicts.
        reason: String,
    },
    /// A reference (`indicatorRef`, `conditionRef`, `alertPolicyRef`, `metricSourceRef`…) to an
    /// object the file does not define.
    #[error("{kind} {name:?} is not defined in this file")]
    MissingReference {
        /// The kind referred to.
        kind: &'static str,
        /// The name referred to.
        name: String,
    },
    /// Two objects of one kind with the same name.
    #[error("{kind} {name:?} is defined twice (first in document {first})")]
    DuplicateName {
        /// The kind.
        kind: &'static str,
        /// The name.
        name: String,
        /// The document of the first definition.
        first: usize,
    },
    /// Something OpenSLO expresses that `sli-core` cannot represent, so it is refused rather
    /// than approximated.
    #[error("not supported: {what}")]
    Unsupported {
        /// What.
        what: String,
    },
    /// A field the OpenSLO v1 specification allows here but that changes nothing in what is
    /// read (`op` or `value` on the objective of a ratio SLI): a warning in both modes.
    #[error("{reason}")]
    Ignored {
        /// The field.
        field: &'static str,
        /// Why it changes nothing.
        reason: String,
    },
    /// Something this importer reads beyond the OpenSLO v1 specification (an alert policy with
    /// several conditions, read as one tier each): a warning in both modes.
    #[error("beyond OpenSLO v1: {what}")]
    Extension {
        /// What, and how it is read.
        what: String,
    },
    /// A value read as something it does not say exactly: a field of an older form read as its
    /// OpenSLO v1 equivalent (lenient mode), a rolling month read as 30 days (both modes).
    #[error("{what}")]
    Mapped {
        /// What was read as what.
        what: String,
    },
    /// `sli-core` rejected the definition built from the document.
    #[error("{0}")]
    Core(crate::Error),
    /// An alert policy that `sli-core` flags: a condition that can never fire (threshold at or
    /// above `1 / (1 - target)`), a lookback window longer than the SLO window, no condition.
    #[error("alert policy: {0}")]
    Policy(crate::PolicyWarning),
}

/// An OpenSLO file that cannot be imported (or a definition that cannot be exported): what is
/// wrong, and where.
///
/// # Example
/// ```
/// use sli_core::openslo::{parse, Mode, Problem};
///
/// let err = parse("kind: SLO\n---\nkind: [unclosed\n", Mode::Lenient).unwrap_err();
/// assert!(matches!(err.problem, Problem::Syntax { .. }));
/// assert_eq!(err.location.document, 1);
/// assert!(err.to_string().starts_with("document 1"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[error("{location}: {problem}")]
pub struct Error {
    /// Where.
    pub location: Location,
    /// What.
    pub problem: Problem,
}

/// A problem that lenient mode accepted (or that is suspicious in any mode), and where it is.
///
/// # Example
/// ```
/// use sli_core::openslo::{parse, Mode, Problem};
///
/// let yaml = "apiVersion: openslo/v1\nkind: Service\nmetadata: {name: web, colour: blue}\n";
/// assert!(parse(yaml, Mode::Strict).is_err());
/// let import = parse(yaml, Mode::Lenient)?;
/// assert!(matches!(&import.warnings[0].problem, Problem::UnknownField { field } if field == "colour"));
/// # Ok::<(), sli_core::openslo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Warning {
    /// Where.
    pub location: Location,
    /// What.
    pub problem: Problem,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.problem)
    }
}
