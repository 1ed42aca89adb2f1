//! The `AlertPolicy`, `AlertCondition` and `AlertNotificationTarget` kinds, into
//! [`AlertPolicy`] tiers, and `sli-core`'s checks of a policy against an SLO.

use super::error::{Error, Location, Problem, Warning};
use super::field::*;
use super::refs::*;
use super::{AlertPolicyDefinition, Mode, NotificationTarget};
use crate::{AlertPolicy, AlertTier, PolicyWarning, Severity, Slo, Span, Sustained, TierThreshold};

/// Where a tier's fields sit, to name them in policy findings.
#[derive(Debug, Clone)]
pub(super) struct TierPlace {
    threshold: Location,
    lookback: Location,
}

pub(super) type Located = (Location, Vec<TierPlace>);

pub(super) fn alert_policy(
    cx: &mut Cx<'_>,
    catalog: &Catalog<'_>,
    root: &F<'_>,
) -> Result<(AlertPolicyDefinition, Located)> {
    let meta = metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(
        &spec,
        &[
            "description",
            "alertWhenNoData",
            "alertWhenResolved",
            "alertWhenBreaching",
            "conditions",
            "notificationTargets",
        ],
    )?;
    let flag = |cx: &mut Cx<'_>, key: &str, default: bool| -> Result<bool> {
        optional(&spec, key).map_or(Ok(default), |f| cx.boolean(&f))
    };
    let alert_when_no_data = flag(cx, "alertWhenNoData", false)?;
    let alert_when_resolved = flag(cx, "alertWhenResolved", false)?;
    let alert_when_breaching = flag(cx, "alertWhenBreaching", true)?;
    let description = description(cx, &spec)?;
    let conditions = required(&spec, "conditions")?;
    several_conditions(cx, &conditions)?;
    targets_required(cx, &spec)?;
    let mut tiers = Vec::new();
    let mut places = Vec::new();
    for (i, item) in conditions.items()?.iter().enumerate() {
        let item = conditions.index(i, item);
        item.map()?;
        let condition_root = referenced_or_inline(
            cx,
            item,
            "conditionRef",
            "AlertCondition",
            &catalog.conditions,
        )?;
        let (tier, place) = alert_condition(cx, &condition_root)?;
        if tiers.iter().any(|t: &AlertTier| t.id == tier.id) {
            return Err(condition_root.err(Problem::DuplicateName {
                kind: "AlertCondition",
                name: tier.id,
                first: condition_root.doc,
            }));
        }
        tiers.push(tier);
        places.push(place);
    }
    let mut notification_targets = Vec::new();
    if let Some(list) = optional(&spec, "notificationTargets") {
        for (i, item) in list.items()?.iter().enumerate() {
            let item = list.index(i, item);
            item.map()?;
            match optional(&item, "targetRef") {
                Some(r) => {
                    cx.keys(&item, &["targetRef"])?;
                    let target = referenced(&r, &catalog.targets, "AlertNotificationTarget")?;
                    let spec = required(&target, "spec")?;
                    notification_targets.push(NotificationTarget {
                        name: r.text()?.to_owned(),
                        target: required(&spec, "target")?.text()?.to_owned(),
                    });
                }
                None => {
                    cx.keys(&item, &["apiVersion", "kind", "metadata", "spec"])?;
                    let target = metadata(cx, &item)?;
                    let spec = required(&item, "spec")?;
                    notification_targets.push(NotificationTarget {
                        name: target.name,
                        target: target_spec(cx, &spec)?,
                    });
                }
            }
        }
    }
    let definition = AlertPolicyDefinition {
        name: meta.name,
        description,
        alert_when_no_data,
        alert_when_resolved,
        alert_when_breaching,
        notification_targets,
        policy: AlertPolicy {
            tiers,
            ..AlertPolicy::default()
        },
    };
    Ok((definition, (conditions.location(), places)))
}

pub(super) fn alert_condition(cx: &mut Cx<'_>, root: &F<'_>) -> Result<(AlertTier, TierPlace)> {
    let meta = metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(&spec, &["description", "severity", "condition"])?;
    description(cx, &spec)?;
    let severity_field = required(&spec, "severity")?;
    let severity_text = severity_field.text()?;
    let severity = match severity_text.to_ascii_lowercase().as_str() {
        "page" => Severity::Page,
        "ticket" => Severity::Ticket,
        other @ ("critical" | "high" | "warning" | "medium" | "low" | "info") => {
            let severity = if matches!(other, "critical" | "high") {
                Severity::Page
            } else {
                Severity::Ticket
            };
            cx.rule(
                &severity_field,
                Problem::InvalidValue {
                    value: severity_text.to_owned(),
                    reason: format!("read as {severity:?}: severities here are page and ticket"),
                },
            )?;
            severity
        }
        _ => {
            return Err(severity_field.err(Problem::InvalidValue {
                value: severity_text.to_owned(),
                reason: "expected page or ticket".into(),
            }));
        }
    };
    let condition = required(&spec, "condition")?;
    cx.keys(
        &condition,
        &["kind", "op", "threshold", "lookbackWindow", "alertAfter"],
    )?;
    condition_kind(cx, &condition)?;
    match optional(&condition, "op") {
        None => cx.defaulted(&condition, "op", "gt")?,
        Some(op) => match op.text()? {
            "gt" => {}
            "gte" => cx.rule(
                &op,
                Problem::Unsupported {
                    what: "op gte: burn-rate tiers fire strictly above the threshold (read as gt)"
                        .into(),
                },
            )?,
            other => {
                return Err(op.err(Problem::Unsupported {
                    what: format!("op {other}: a burn-rate condition fires above its threshold"),
                }));
            }
        },
    }
    let threshold_field = required(&condition, "threshold")?;
    let threshold = cx.number(&threshold_field)?;
    if !(threshold.is_finite() && threshold > 0.0) {
        return Err(threshold_field.err(Problem::InvalidValue {
            value: threshold.to_string(),
            reason: "a burn-rate threshold must be positive".into(),
        }));
    }
    let lookback_field = required(&condition, "lookbackWindow")?;
    let long_window = fixed_span(cx, &lookback_field)?;
    let short_window = match annotation(&meta, SHORT_WINDOW) {
        Some(a) => a
            .value
            .parse::<Span>()
            .map_err(|e| a.err(Problem::Core(e)))?,
        None => {
            let minutes = long_window.seconds() / 12 / 60;
            Span::from_minutes(minutes.max(1)).map_err(|e| lookback_field.err(Problem::Core(e)))?
        }
    };
    if short_window >= long_window {
        return Err(lookback_field.err(Problem::Unsupported {
            what: format!(
                "lookback window {long_window} leaves no shorter window (short window {short_window})"
            ),
        }));
    }
    let sustain = match optional(&condition, "alertAfter") {
        None => None,
        Some(f) if is_zero_duration(&f)? => None,
        Some(f) => {
            let after = fixed_span(cx, &f)?;
            let minutes = after.steps_of(Span::MINUTE).ok_or_else(|| {
                f.err(Problem::Unsupported {
                    what: "alertAfter in whole minutes".into(),
                })
            })?;
            let n = u32::try_from(minutes).map_err(|_| {
                f.err(Problem::InvalidValue {
                    value: after.to_string(),
                    reason: "too long".into(),
                })
            })?;
            if n <= 1 {
                None // one minute: the first evaluation already fires
            } else {
                Some(Sustained::new(n, n).map_err(|e| f.err(Problem::Core(e)))?)
            }
        }
    };
    let mut tier = AlertTier::new(
        meta.name,
        severity,
        long_window,
        short_window,
        TierThreshold::BurnRate(threshold),
    );
    tier.sustain = sustain;
    Ok((
        tier,
        TierPlace {
            threshold: threshold_field.location(),
            lookback: lookback_field.location(),
        },
    ))
}

/// `sli-core`'s policy checks for one SLO: invalid tiers are errors; a tier that can never fire
/// or looks back further than the SLO window is an error in strict mode, a warning otherwise.
pub(super) fn check_policy(
    cx: &mut Cx<'_>,
    slo: &Slo,
    definition: &AlertPolicyDefinition,
    (conditions, places): &Located,
) -> Result<()> {
    let period = slo.window.nominal_length();
    let place = |tier: &str| {
        definition
            .policy
            .tiers
            .iter()
            .position(|t| t.id == tier)
            .and_then(|i| places.get(i))
    };
    let findings = definition
        .policy
        .validate(slo.objective, period)
        .map_err(|e| Error {
            location: conditions.clone(),
            problem: Problem::Core(e),
        })?;
    for finding in findings {
        let location = match &finding {
            PolicyWarning::NeverFires { tier, .. } => place(tier).map(|p| p.threshold.clone()),
            PolicyWarning::WindowExceedsSloPeriod { tier, .. } => {
                place(tier).map(|p| p.lookback.clone())
            }
            _ => None,
        }
        .unwrap_or_else(|| conditions.clone());
        let problem = Problem::Policy(finding);
        match cx.mode {
            Mode::Strict => return Err(Error { location, problem }),
            Mode::Lenient => cx.warnings.push(Warning { location, problem }),
        }
    }
    Ok(())
}

/// Checks an `AlertCondition` against the v1 rules alone (an object no SLO of the file uses):
/// `severity` any string, `condition.kind` burnrate, `op` one of lt, lte, gt and gte, a
/// numeric `threshold`, duration shorthands for `lookbackWindow` and `alertAfter`.
pub(super) fn check_condition(cx: &mut Cx<'_>, root: &F<'_>) -> Result<()> {
    metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(&spec, &["description", "severity", "condition"])?;
    description(cx, &spec)?;
    required(&spec, "severity")?.text()?;
    let condition = required(&spec, "condition")?;
    cx.keys(
        &condition,
        &["kind", "op", "threshold", "lookbackWindow", "alertAfter"],
    )?;
    condition_kind(cx, &condition)?;
    match optional(&condition, "op") {
        None => cx.defaulted(&condition, "op", "gt")?,
        Some(op) => {
            if !matches!(op.text()?, "lt" | "lte" | "gt" | "gte") {
                return Err(op.err(Problem::InvalidValue {
                    value: op.text()?.to_owned(),
                    reason: "expected lt, lte, gt or gte".into(),
                }));
            }
        }
    }
    cx.number(&required(&condition, "threshold")?)?;
    duration(cx, &required(&condition, "lookbackWindow")?)?;
    if let Some(after) = optional(&condition, "alertAfter")
        && !is_zero_duration(&after)?
    {
        duration(cx, &after)?;
    }
    Ok(())
}

/// A condition's `kind`: `burnrate`, the only kind v1 defines and the specification's default
/// (the Go SDK requires it, so its absence is a rule).
fn condition_kind(cx: &mut Cx<'_>, condition: &F<'_>) -> Result<()> {
    match optional(condition, "kind") {
        None => cx.defaulted(condition, "kind", "burnrate"),
        Some(kind) if kind.text()? == "burnrate" => Ok(()),
        Some(kind) => Err(kind.err(Problem::UnknownKind {
            kind: kind.text()?.to_owned(),
        })),
    }
}

/// `alertAfter: 0m` (any unit): the specification's default, no wait, where every other
/// duration must be positive.
fn is_zero_duration(f: &F<'_>) -> Result<bool> {
    let text = f.text()?;
    let digits = text.trim_end_matches(|c: char| "mhdwMQY".contains(c));
    Ok(text.len() == digits.len() + 1 && !digits.is_empty() && digits.bytes().all(|b| b == b'0'))
}

/// Checks an `AlertPolicy` against the v1 rules alone: its flags, and each condition and
/// notification target a reference or an inline object of the right kind.
pub(super) fn check_policy_structure(cx: &mut Cx<'_>, root: &F<'_>) -> Result<()> {
    metadata(cx, root)?;
    let spec = required(root, "spec")?;
    cx.keys(
        &spec,
        &[
            "description",
            "alertWhenNoData",
            "alertWhenResolved",
            "alertWhenBreaching",
            "conditions",
            "notificationTargets",
        ],
    )?;
    description(cx, &spec)?;
    for key in ["alertWhenNoData", "alertWhenResolved", "alertWhenBreaching"] {
        if let Some(f) = optional(&spec, key) {
            cx.boolean(&f)?;
        }
    }
    let conditions = required(&spec, "conditions")?;
    several_conditions(cx, &conditions)?;
    targets_required(cx, &spec)?;
    for (i, item) in conditions.items()?.iter().enumerate() {
        let item = conditions.index(i, item);
        if let Some(r) = optional(&item, "conditionRef") {
            cx.keys(&item, &["conditionRef"])?;
            cx.name(&r)?;
        } else {
            inline_kind(cx, &item, "AlertCondition")?;
            check_condition(cx, &item)?;
        }
    }
    if let Some(targets) = optional(&spec, "notificationTargets") {
        for (i, item) in targets.items()?.iter().enumerate() {
            let item = targets.index(i, item);
            if let Some(r) = optional(&item, "targetRef") {
                cx.keys(&item, &["targetRef"])?;
                cx.name(&r)?;
            } else {
                inline_kind(cx, &item, "AlertNotificationTarget")?;
                metadata(cx, &item)?;
                target_spec(cx, &required(&item, "spec")?)?;
            }
        }
    }
    Ok(())
}

/// The spec (Notes (AlertPolicy)): "conditions[ ] Alert Condition, an array, (max of one
/// condition), required field." Several conditions are the tiers of a multi-window,
/// multi-burn-rate policy, which this importer reads (and [`export`](super::export) writes) as
/// an extension: a warning in both modes, at the second condition.
fn several_conditions(cx: &mut Cx<'_>, conditions: &F<'_>) -> Result<()> {
    let items = conditions.items()?;
    if let [_, second, ..] = items {
        cx.warn(
            &conditions.index(1, second),
            Problem::Extension {
                what: format!(
                    "OpenSLO v1 allows one condition per AlertPolicy (\"max of one condition\"); each of these {} conditions is read as one tier of the policy",
                    items.len()
                ),
            },
        );
    }
    Ok(())
}

/// The spec (Notes (AlertPolicy)): "notificationTargets[ ] Alert Notification Target, required
/// field." A rule: an error in strict mode, a warning in lenient mode (the policy then notifies
/// no one the file names).
fn targets_required(cx: &mut Cx<'_>, spec: &F<'_>) -> Result<()> {
    if optional(spec, "notificationTargets").is_none() {
        cx.rule(
            spec,
            Problem::MissingField {
                field: "notificationTargets",
            },
        )?;
    }
    Ok(())
}

/// An inline object: the fields of an object and the `kind` expected.
fn inline_kind(cx: &mut Cx<'_>, item: &F<'_>, kind: &str) -> Result<()> {
    cx.keys(item, &["apiVersion", "kind", "metadata", "spec"])?;
    let found = required(item, "kind")?;
    if found.text()? != kind {
        return Err(found.err(Problem::UnknownKind {
            kind: found.text()?.to_owned(),
        }));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONDITION: &str = "apiVersion: openslo/v1\nkind: AlertCondition\nmetadata: {name: c}\nspec:\n  severity: page\n  condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}\n";

    #[test]
    fn a_condition_as_a_tier() {
        let (tier, _) = with_document(CONDITION, Mode::Strict, |cx, root| {
            alert_condition(cx, root)
        });
        let (tier, place) = tier.unwrap();
        assert_eq!(
            (tier.severity, tier.long_window, tier.short_window),
            (Severity::Page, Span::HOUR, Span::from_minutes(5).unwrap())
        );
        assert_eq!(tier.sustain, Some(Sustained::new(5, 5).unwrap()));
        assert_eq!(place.threshold.path, "spec.condition.threshold");
        // `lte` is valid v1 but no burn-rate tier: refused when an SLO uses it; accepted alone.
        let lte = CONDITION
            .replace("op: gt", "op: lte")
            .replace("severity: page", "severity: warning");
        let (tier, _) = with_document(&lte, Mode::Lenient, alert_condition);
        assert!(matches!(
            tier.unwrap_err().problem,
            Problem::Unsupported { .. }
        ));
        let (alone, warnings) = with_document(&lte, Mode::Strict, check_condition);
        assert!(alone.is_ok() && warnings.is_empty());
        let bad = CONDITION.replace("op: gt", "op: ne");
        assert!(
            with_document(&bad, Mode::Lenient, check_condition)
                .0
                .is_err()
        );
    }

    #[test]
    fn a_policy_checked_alone() {
        let policy = "apiVersion: openslo/v1\nkind: AlertPolicy\nmetadata: {name: p}\nspec:\n  alertWhenBreaching: true\n  conditions:\n    - conditionRef: defined-elsewhere\n    - kind: AlertCondition\n      metadata: {name: inline}\n      spec: {severity: sev1, condition: {kind: burnrate, op: gt, threshold: 2, lookbackWindow: 1h}}\n  notificationTargets:\n    - targetRef: on-call\n    - kind: AlertNotificationTarget\n      metadata: {name: mail}\n      spec: {target: email}\n";
        let (ok, warnings) = with_document(policy, Mode::Strict, |cx, root| {
            check_policy_structure(cx, root)
        });
        // Two conditions: read as two tiers, with a warning in either mode (the spec allows
        // one).
        assert!(ok.is_ok(), "{ok:?}");
        assert!(
            matches!(&warnings[..], [w] if matches!(&w.problem, Problem::Extension { what } if what.contains("max of one condition"))
                && w.location.path == "spec.conditions[1]"),
            "{warnings:?}"
        );
        let wrong = policy.replace("    - kind: AlertCondition\n", "    - kind: AlertPolicy\n");
        let (err, _) = with_document(&wrong, Mode::Lenient, |cx, root| {
            check_policy_structure(cx, root)
        });
        assert!(matches!(
            err.unwrap_err().problem,
            Problem::UnknownKind { .. }
        ));
    }
}
