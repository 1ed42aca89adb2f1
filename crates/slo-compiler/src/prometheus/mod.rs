//! SLOs as Prometheus rules, for Prometheus or Amazon Managed Service for Prometheus (on EKS,
//! with Grafana): the engine evaluates them continuously, as Sloth's and Pyrra's rules do.
//!
//! * [`compile`]: per SLO, the error ratio over every window its policy uses, the
//!   multi-window multi-burn-rate alerts (`severity` `page` or `ticket`), the absent-data
//!   alert and the error-budget rules, under Sloth's names and labels.
//! * [`Compiled::files`]: rule files as Prometheus's `rule_files` loads them, groups and files
//!   split by [`Options::max_rules_per_group`] and [`Options::max_file_bytes`];
//!   [`Compiled::prometheus_rules`]: the same as `PrometheusRule` manifests for the Prometheus
//!   Operator.
//! * [`alertmanager_routing`]: the Alertmanager routes sending pages and tickets to different
//!   receivers.
//! * [`Compiled::dashboards`]: executive, on-call and debug dashboards for Grafana.
//! * [`unit_tests`]: `promtool test rules` files whose input series are the per-minute counts
//!   of a `sli-core` series and whose expected alerts are `PolicyEvaluator::sweep`'s.
//!
//! ```
//! use slo_compiler::SloSpec;
//! use slo_compiler::prometheus::{compile, Options, Query, Signal};
//! use sli_core::{catalog, AlertPolicy};
//!
//! let spec = SloSpec::new(catalog::availability("checkout"), AlertPolicy::default(), Signal::Bad {
//!     bad: Query::template(r#"sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))"#)?,
//!     total: Query::template(r#"sum(rate(http_requests_total{job="checkout"}[{{.window}}]))"#)?,
//! });
//! let compiled = compile(&[spec], &Options::default())?;
//! let files = compiled.files();
//! assert_eq!(files.len(), 1);
//! let yaml = files[0].to_yaml();
//! assert!(yaml.contains("record: slo:sli_error:ratio_rate30m"));
//! assert!(yaml.contains("alert: ErrorBudgetBurn"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How the rules mean what `sli-core` means
//! A window fires when `bad > burn × budget × total` in `sli-core`; the rules compare the
//! window's error ratio with `(burn * budget)`, the same product computed by PromQL from the
//! same two numbers (the budget written as `sli-core` works it out, `1 − target` on the
//! target's decimal: `0.001` for 99.9 %, where PromQL's `1 - 0.999` would give
//! `0.0010000000000000009`). Counters give each window's events exactly when their samples sit on
//! the window's edges, which is how the generated `promtool` tests feed them: a per-minute
//! count stamped `t` (covering `[t, t + 1m)`) is the counter's increase from its sample at `t`
//! to its sample at `t + 1m`, and Prometheus evaluates at `t + 1m`, the instant `sli-core`
//! knows the point. A window reaching before a counter's first sample holds what the counter
//! has counted since (a counter starts at zero, so Prometheus does not extrapolate it): that
//! is `sli-core`'s `PartialWindows::Evaluate`; a policy's `NoData` differs only during the
//! first long window of a new series.
//!
//! # Where the rules differ from Sloth's, and why
//! * The error ratio over the SLO window is computed from the queries over that window, not
//!   averaged from five-minute ratios: an average of ratios weighs a quiet night like a busy
//!   day. Its rules sit in a group of their own, evaluated every [`Options::budget_interval`].
//! * Counter queries use `increase`: their ratio is the ratio of event counts, rounded once.
//! * One alert per tier, not one per severity, so that each tier's alerts start and end when
//!   `sli-core` says; the alert's labels name the tier and the policy.
//! * Missing data is the SLO's choice (`slo:window_breach:state` keeps a window's last state
//!   where it says `Skip`), and a minimum number of events is honoured
//!   (`slo:sli_total:increase<window>`). Sloth's rules treat a window without events as good.
//! * An absent-data alert (`SLOMetricAbsent`, Pyrra's name) fires when the total has no
//!   series: without it, a broken scrape looks like a quiet service.

mod alertmanager;
mod compile;
mod compiled;
mod expr;
mod grafana;
mod limits;
mod names;
#[cfg(feature = "openslo")]
mod openslo;
mod operator;
mod options;
mod promtool;
mod query;
mod re2;
mod rules;

pub use alertmanager::{AlertmanagerOptions, alertmanager_routing};
pub use compile::compile;
pub use compiled::{CompiledSlo, TierAlert};
pub use grafana::{GrafanaDashboard, GrafanaOptions};
pub use limits::MAX_TIERS;
#[cfg(feature = "openslo")]
pub use openslo::specs_from_openslo;
pub use operator::{MAX_MANIFEST_BYTES, Manifest, ManifestOptions};
pub use options::Options;
pub use promtool::{MAX_TEST_MINUTES, TestCase, UnitTestError, unit_tests};
pub use query::{MAX_QUERY_BYTES, MatchOp, Matcher, Query, QueryError, Selector, Signal};
use rules::write_group;
pub use rules::{AlertingRule, RecordingRule, Rule, RuleFile, RuleGroup};

use sli_core::Span;

/// A rule group before it owns its rules.
struct PlannedGroup<'a> {
    name: String,
    interval: Option<Span>,
    rules: Vec<&'a Rule>,
}

/// An SLO spec for Prometheus: its signal is PromQL.
pub type Spec = crate::SloSpec<Signal>;

/// What [`compile`] produced: one [`CompiledSlo`] per input spec, in order.
///
/// # Example
/// ```
/// # use slo_compiler::prometheus::Compiled;
/// # fn f(c: &Compiled) -> usize { c.slos.len() }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Compiled {
    /// The SLOs' rules.
    pub slos: Vec<CompiledSlo>,
    pub(crate) options: Options,
}

impl Compiled {
    /// The rule groups: burn-rate groups (every minute) holding whole SLOs, at most
    /// [`Options::max_rules_per_group`] rules each, then error-budget groups (every
    /// [`Options::budget_interval`]).
    ///
    /// Prometheus evaluates the rules of a group one after another, and groups side by side;
    /// a group whose evaluation outlasts its interval skips evaluations
    /// (`prometheus_rule_group_iterations_missed_total`). Capping the rules of a group keeps
    /// each evaluation short and lets the server spread SLOs over its cores. An SLO's
    /// burn-rate rules stay in one group, in order, so that its alerts read the ratios
    /// recorded in the same evaluation.
    pub fn groups(&self) -> Vec<RuleGroup> {
        self.planned_groups()
            .into_iter()
            .map(|g| RuleGroup {
                name: g.name,
                interval: g.interval,
                rules: g.rules.into_iter().cloned().collect(),
            })
            .collect()
    }

    /// The groups of [`Compiled::groups`], borrowing the rules.
    fn planned_groups(&self) -> Vec<PlannedGroup<'_>> {
        let mut groups = self.pack(|s| &s.burn_rate_rules, "burn-rate", Some(Span::MINUTE));
        groups.extend(self.pack(
            |s| &s.budget_rules,
            "budget",
            Some(self.options.budget_interval),
        ));
        groups
    }

    fn pack<'a>(
        &'a self,
        rules_of: impl Fn(&'a CompiledSlo) -> &'a Vec<Rule>,
        kind: &str,
        interval: Option<Span>,
    ) -> Vec<PlannedGroup<'a>> {
        let max = self.options.max_rules_per_group;
        let mut groups: Vec<PlannedGroup<'a>> = Vec::new();
        let mut current: Vec<&'a Rule> = Vec::new();
        let flush = |current: &mut Vec<&'a Rule>, groups: &mut Vec<PlannedGroup<'a>>| {
            if !current.is_empty() {
                groups.push(PlannedGroup {
                    name: format!("{}-{kind}-{}", self.options.prefix, groups.len() + 1),
                    interval,
                    rules: std::mem::take(current),
                });
            }
        };
        // An SLO id's specs (one per alert policy) share a group: their alerts read the ratios
        // the first of them records. Ids keep the order they first appear in.
        let mut order: Vec<&str> = Vec::new();
        let mut members: std::collections::HashMap<&str, Vec<&CompiledSlo>> =
            std::collections::HashMap::with_capacity(self.slos.len());
        for slo in &self.slos {
            let entry = members.entry(slo.id.as_str()).or_default();
            if entry.is_empty() {
                order.push(&slo.id);
            }
            entry.push(slo);
        }
        for id in order {
            let unit: Vec<&'a Rule> = members
                .get(id)
                .into_iter()
                .flatten()
                .flat_map(|slo| rules_of(slo).iter())
                .collect();
            if !current.is_empty() && current.len() + unit.len() > max {
                flush(&mut current, &mut groups);
            }
            current.extend(unit);
        }
        flush(&mut current, &mut groups);
        groups
    }

    /// The groups, each written once, and which file each goes to: a new file wherever the
    /// next group would take a file past [`Options::max_file_bytes`].
    fn packed_files(&self) -> Vec<(String, Vec<(PlannedGroup<'_>, String)>)> {
        let max = self.options.max_file_bytes;
        let header = "groups:\n".len();
        let name = |n: usize| format!("{}-rules-{n}.yml", self.options.prefix);
        let mut files: Vec<(String, Vec<(PlannedGroup<'_>, String)>)> = Vec::new();
        let mut current = Vec::new();
        let mut size = header;
        for group in self.planned_groups() {
            // Room for the expressions and about 400 bytes of keys, labels and annotations a rule.
            let mut text = String::with_capacity(
                group
                    .rules
                    .iter()
                    .map(|r| r.expr().len() + 400)
                    .sum::<usize>(),
            );
            write_group(&mut text, 2, &group.name, group.interval, &group.rules);
            if !current.is_empty() && size + text.len() > max {
                files.push((name(files.len() + 1), std::mem::take(&mut current)));
                size = header;
            }
            size += text.len();
            current.push((group, text));
        }
        if !current.is_empty() || files.is_empty() {
            files.push((name(files.len() + 1), current));
        }
        files
    }

    /// The rule files: the groups of [`Compiled::groups`], a new file wherever the next group
    /// would take a file past [`Options::max_file_bytes`] (a group larger than that alone
    /// gets a file of its own), named `<prefix>-rules-<n>.yml`.
    pub fn files(&self) -> Vec<RuleFile> {
        self.packed_files()
            .into_iter()
            .map(|(name, groups)| RuleFile {
                name,
                groups: groups
                    .into_iter()
                    .map(|(g, _)| RuleGroup {
                        name: g.name,
                        interval: g.interval,
                        rules: g.rules.into_iter().cloned().collect(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The rule files of [`Compiled::files`] as `(name, YAML)`: the fast way to write
    /// thousands of SLOs to disk. Each group is written once, straight into its file's
    /// buffer, and no rule is copied; a group that takes a file past
    /// [`Options::max_file_bytes`] moves (its text only) to the next file.
    pub fn files_yaml(&self) -> Vec<(String, String)> {
        const HEADER: &str = "groups:\n";
        let max = self.options.max_file_bytes;
        let name = |n: usize| format!("{}-rules-{n}.yml", self.options.prefix);
        // Room for a whole file (up to 4 MiB at once) and the group that overflows it.
        let buffer = || {
            let mut text = String::with_capacity(max.min(4 << 20) + (64 << 10));
            text.push_str(HEADER);
            text
        };
        let mut files = Vec::new();
        let mut current = buffer();
        let mut groups = 0usize;
        for group in self.planned_groups() {
            let mark = current.len();
            write_group(&mut current, 2, &group.name, group.interval, &group.rules);
            if groups > 0 && current.len() > max {
                let mut next = buffer();
                next.push_str(&current[mark..]);
                current.truncate(mark);
                files.push((name(files.len() + 1), std::mem::replace(&mut current, next)));
                groups = 1;
            } else {
                groups += 1;
            }
        }
        if groups == 0 {
            current.clear();
            current.push_str("groups: []\n");
        }
        files.push((name(files.len() + 1), current));
        files
    }

    /// The executive, on-call and debug Grafana dashboards of each service: the SLI over its
    /// window, the error budget remaining, burn rates per window with the tiers' thresholds,
    /// the firing SLO alerts (`ALERTS`), the SLI's inputs, latency percentiles of
    /// [`GrafanaOptions::latency_histogram`]. A data-source variable picks the Prometheus.
    ///
    /// # Errors
    /// [`CompileProblem::DashboardName`](crate::CompileProblem::DashboardName) when
    /// [`GrafanaOptions::uid_prefix`] holds characters a Grafana uid may not (other than
    /// letters, digits, `-` and `_`) or leaves no room in its 40 characters; a service name of
    /// any length or alphabet gets a uid (see [`GrafanaOptions::uid_prefix`]).
    pub fn dashboards(
        &self,
        options: &GrafanaOptions,
    ) -> Result<Vec<GrafanaDashboard>, crate::CompileError> {
        grafana::dashboards(&self.slos, options)
    }

    /// One `PrometheusRule` manifest per rule file (see [`Compiled::files`]).
    ///
    /// # Errors
    /// [`CompileProblem::InvalidOption`](crate::CompileProblem::InvalidOption) for a name or
    /// namespace Kubernetes would reject;
    /// [`CompileProblem::ManifestTooLarge`](crate::CompileProblem::ManifestTooLarge) for a
    /// manifest past [`MAX_MANIFEST_BYTES`], which the Operator could not store: one SLO's
    /// group is never split, so an SLO with hundreds of tiers can exceed it alone.
    pub fn prometheus_rules(
        &self,
        options: &ManifestOptions,
    ) -> Result<Vec<Manifest>, crate::CompileError> {
        operator::manifests(&self.files(), options)
    }
}
