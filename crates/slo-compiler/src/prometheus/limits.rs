//! What bounds the rules of one spec: at most [`MAX_TIERS`] tiers, and queries of at most
//! [`MAX_QUERY_BYTES`](super::MAX_QUERY_BYTES), checked by [`compile`](super::compile()).

use super::query::{Query, Signal};
use crate::error::{CompileError, CompileProblem};
use crate::plan::Plan;

/// The most tiers one SLO's policy may have for [`compile`](super::compile()), the release
/// gate's counted. The multi-window, multi-burn-rate policies in use have a handful (the SRE
/// workbook's and Sloth's have four, `sli-core`'s default four); 64 leaves room for policies
/// written tier by tier per severity and window, and bounds the rules: each tier adds up to two windows, and
/// each window a recording rule writing the SLO's queries in full (see
/// [`MAX_QUERY_BYTES`](super::MAX_QUERY_BYTES) for the bytes this gives). The promtool tests
/// of [`unit_tests`](super::unit_tests()) grow as the square of the tiers (every alert firing
/// at every instant one starts or stops); at 64 tiers, about 16,000 listed alerts when each
/// alert starts and stops once (see its "Size").
///
/// The CloudWatch engine has no such cap of its own: its queries are metric-math expressions
/// CloudWatch caps at 2,048 characters, each tier adds a fixed number of alarms, and a
/// severity's composite alarm names at most
/// [`MAX_ALARMS_PER_RULE`](crate::cloudwatch::MAX_ALARMS_PER_RULE) tiers.
pub const MAX_TIERS: usize = 64;

/// Each counter's selector read again from its PromQL text: a `Selector` built field by field
/// skips the checks of [`Query::counter`](super::Query::counter), and promtool would refuse
/// the whole file for a regex outside RE2 or a name PromQL reads as a keyword.
pub(super) fn check_selectors(plan: &Plan<'_, Signal>) -> Result<(), CompileError> {
    let (events, total) = match &plan.spec.signal {
        Signal::Bad { bad, total } => (("bad", bad), total),
        Signal::Good { good, total } => (("good", good), total),
    };
    for (field, query) in [events, ("total", total)] {
        // A template is written as given; a counter as its selector prints, whose length
        // `Query::counter` checks.
        let checked = match query {
            Query::Counter(selector) => Query::counter(&selector.to_string()).map(drop),
            Query::Template(text) => super::query::check_length(text),
        };
        checked.map_err(|e| {
            plan.fail(
                "spec.indicator",
                CompileProblem::InvalidSourceField {
                    field: field.into(),
                    path: "query".into(),
                    source: e.into(),
                },
            )
        })?;
    }
    Ok(())
}

/// [`CompileProblem::TooManyTiers`] past [`MAX_TIERS`].
pub(super) fn check_tiers(plan: &Plan<'_, Signal>) -> Result<(), CompileError> {
    let count = plan.all_tiers().count();
    if count > MAX_TIERS {
        return Err(plan.fail(
            "spec.alertPolicies",
            CompileProblem::TooManyTiers {
                count,
                max: MAX_TIERS,
            },
        ));
    }
    Ok(())
}
