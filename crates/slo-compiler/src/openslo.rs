//! OpenSLO definitions (`sli_core::openslo`, feature `openslo`) → [`SloSpec`]s, one per alert
//! policy; each engine reads the metric sources into its own signal.

use sli_core::AlertPolicy;
use sli_core::openslo::{MetricSource, SloDefinition, SourceSpec, Value};

use crate::error::{CompileError, CompileProblem, Engine, SourceFieldError};
use crate::spec::SloSpec;

/// One spec per alert policy of each definition (one with no tier for an SLO without
/// policies, which then has dashboards but no alerts), with the signal `signal` reads.
pub(crate) fn specs<S: Clone>(
    definitions: &[SloDefinition],
    signal: impl Fn(&SloDefinition) -> Result<S, CompileError>,
) -> Result<Vec<SloSpec<S>>, CompileError> {
    let mut out = Vec::new();
    for def in definitions {
        let mut base = SloSpec::new(def.slo.clone(), AlertPolicy::new(Vec::new()), signal(def)?);
        base.service = def.service.clone();
        base.policy_name = "none".into();
        base.document = Some(def.document);
        if def.alert_policies.is_empty() {
            out.push(base);
            continue;
        }
        for p in &def.alert_policies {
            let mut spec = base.clone();
            spec.policy_name = p.name.clone();
            spec.policy = p.policy.clone();
            spec.notify_resolved = p.alert_when_resolved;
            out.push(spec);
        }
    }
    Ok(out)
}

/// A field of a `metricSource.spec` that cannot be read, with its path in the spec.
pub(crate) struct SpecError {
    pub(crate) path: String,
    pub(crate) reason: String,
    /// The engine's own refusal, kept typed, when there is one.
    pub(crate) source: Option<SourceFieldError>,
}

/// A field whose value the engine's query model refuses, the refusal kept as the source.
pub(crate) fn refused(path: impl Into<String>, source: impl Into<SourceFieldError>) -> SpecError {
    SpecError {
        path: path.into(),
        reason: String::new(),
        source: Some(source.into()),
    }
}

pub(crate) fn spec_error(path: impl Into<String>, reason: impl Into<String>) -> SpecError {
    SpecError {
        path: path.into(),
        reason: reason.into(),
        source: None,
    }
}

/// The entries of a mapping, refusing keys outside `allowed` (a misspelt `dimension` would
/// otherwise name another metric without a word).
pub(crate) fn mapping<'v>(
    value: &'v Value,
    path: &str,
    allowed: &[&str],
) -> Result<&'v [(String, Value)], SpecError> {
    let Value::Map(entries) = value else {
        return Err(spec_error(path, "expected a mapping"));
    };
    if let Some((key, _)) = entries.iter().find(|(k, _)| !allowed.contains(&k.as_str())) {
        let at = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        return Err(spec_error(
            at,
            format!("unknown field of this source type (expected one of {allowed:?})"),
        ));
    }
    Ok(entries)
}

pub(crate) fn text<'v>(
    entries: &'v [(String, Value)],
    path: &str,
    key: &str,
) -> Result<&'v str, SpecError> {
    let at = || {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match entries.iter().find(|(k, _)| k == key).map(|(_, v)| v) {
        Some(Value::String(s) | Value::Number(s)) => Ok(s),
        Some(_) => Err(spec_error(at(), "expected a string")),
        None => Err(spec_error(at(), "required field is missing")),
    }
}

/// Reads the metric source at `field` of `def` with `read`, after checking its type is
/// `source_type` (any case): another engine's source is [`CompileProblem::SourceType`]; a spec
/// `read` refuses is [`CompileProblem::InvalidMetric`] at the field's path (line and column
/// in the message where the importer kept them).
pub(crate) fn read_source<T>(
    engine: Engine,
    source_type: &str,
    def: &SloDefinition,
    field: &str,
    m: &MetricSource,
    read: impl FnOnce(&SourceSpec) -> Result<T, SpecError>,
) -> Result<T, CompileError> {
    let fail = |at: String, problem| {
        CompileError::new(engine, &def.slo.name, Some(def.document), at, problem)
    };
    let base = format!("spec.indicator.spec.{field}.metricSource");
    if !m.is_type(source_type) {
        return Err(fail(
            base,
            CompileProblem::SourceType {
                source_type: m.source_type().map(str::to_owned),
            },
        ));
    }
    read(&m.spec).map_err(|e| {
        let at = m
            .spec
            .location_of(&e.path)
            .map_or_else(|| format!("{base}.spec.{}", e.path), |l| l.path);
        let problem = match e.source {
            Some(source) => CompileProblem::InvalidSourceField {
                field: field.to_owned(),
                path: e.path,
                source,
            },
            None => CompileProblem::InvalidMetric {
                field: field.to_owned(),
                reason: format!("{}: {}", e.path, e.reason),
            },
        };
        fail(at, problem)
    })
}
