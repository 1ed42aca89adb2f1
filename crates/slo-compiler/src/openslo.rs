//! OpenSLO definitions (`sli_core::openslo`, feature `openslo`) → [`SloSpec`]s, one per alert
//! policy; each engine reads the metric sources into its own signal.

use sli_core::AlertPolicy;
use sli_core::openslo::SloDefinition;

use crate::error::CompileError;
use crate::spec::SloSpec;

/// One spec per alert policy of each definition (one with no tier for an SLO without
/// policies, which then has dashboards but no alerts), with the signal `signal` reads.
pub(crate) fn specs<S: Clone>(
    definitions: &[SloDefinition],
    signal: impl Fn(&SloDefinition) -> Result<S, CompileError>,
) -> Result<Vec<SloSpec<S>>, CompileError> {
    let mut out = Vec::new();
    for def in definitions {
        let mut base = SloSpec::new(
            def.slo.clone(),
            AlertPolicy {
                tiers: Vec::new(),
                ..AlertPolicy::default()
            },
            signal(def)?,
        );
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
