//! `promtool test rules` files whose input series are a `sli-core` series of per-minute counts
//! and whose expected alerts are `PolicyEvaluator::sweep`'s: the engine's own test runner
//! checks that the rules alert when `sli-core` does.
//!
//! # Step convention
//! Evaluation `Xm` of the test is `X` minutes after the series' first point. A count stamped
//! `t` covers `[t, t + 1m)`, so it is the counter's increase from its sample at `t` to its
//! sample at `t + 1m`: the counter has a sample every minute from the first point's minute
//! (value 0) to one minute after the last point's, holding the sum of the counts before it,
//! and a minute without a point adds nothing. Prometheus evaluates the rules at `t + 1m`, the
//! instant `sli-core` knows the point, so an alert `sli-core` starts (or ends) at instant `s`
//! is firing (or no longer) at evaluation `(s − first point)` in minutes.

use std::collections::BTreeSet;

use sli_core::{EventCounts, PartialWindows, PolicyEvaluator, Series, Span, Window};

use super::Compiled;
use super::names;
use super::query::{Query, Signal};
use crate::yaml::Node;

/// The longest test [`unit_tests`] writes, in minutes from a case's first point to its last:
/// 2^22, about eight years. The counters are laid out a minute at a time (16 bytes a minute,
/// 64 MiB at the cap) before they are written, and promtool evaluates every minute; a case
/// of two points centuries apart used to allocate gigabytes.
pub const MAX_TEST_MINUTES: i64 = 1 << 22;

/// Why a test could not be generated.
///
/// # Example
/// ```
/// use slo_compiler::prometheus::UnitTestError;
/// let e = UnitTestError::UnknownSlo { index: 3 };
/// assert_eq!(e.to_string(), "no compiled SLO at index 3");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum UnitTestError {
    /// `slo` is not an index of [`Compiled::slos`].
    #[error("no compiled SLO at index {index}")]
    UnknownSlo {
        /// The index.
        index: usize,
    },
    /// A source whose test series cannot be derived: a template, or a selector with a
    /// matcher other than `=`; give [`TestCase::series`].
    #[error("SLO {slo:?}: the {role} query needs an explicit test series ({query})")]
    NeedsSeries {
        /// The SLO.
        slo: String,
        /// `bad`, `good` or `total`.
        role: &'static str,
        /// The query.
        query: String,
    },
    /// A series whose points are not one minute apart.
    #[error("SLO {slo:?}: the test series must have points on a one-minute grid ({reason})")]
    Series {
        /// The SLO.
        slo: String,
        /// Why.
        reason: String,
    },
    /// `sli-core` refused the SLO, its policy or the series.
    #[error("SLO {slo:?}: {source}")]
    Core {
        /// The SLO.
        slo: String,
        /// The error.
        #[source]
        source: sli_core::Error,
    },
}

/// One test: an SLO of the compiled rules, its per-minute counts, and the series the rules
/// read them from.
///
/// # Example
/// ```
/// # use slo_compiler::prometheus::TestCase;
/// # fn f(counts: &sli_core::Series<sli_core::EventCounts>) {
/// let case = TestCase::new("outage", 0, counts)
///     .with_series("http_errors_total{job=\"api\"}", "http_requests_total{job=\"api\"}");
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TestCase<'a> {
    /// The test's name.
    pub name: String,
    /// The index of the SLO in [`Compiled::slos`].
    pub slo: usize,
    /// Per-minute counts (gaps are minutes without events).
    pub counts: &'a Series<EventCounts>,
    /// The input series of the bad (or good) and the total queries, in promtool's notation
    /// (`metric{label="value"}`); `None` derives them from counter selectors whose matchers
    /// are all `=`.
    pub series: Option<(String, String)>,
}

impl<'a> TestCase<'a> {
    /// A test named `name` of the SLO at index `slo`, on `counts`, with series derived from
    /// the SLO's counter selectors.
    pub fn new(name: impl Into<String>, slo: usize, counts: &'a Series<EventCounts>) -> Self {
        Self {
            name: name.into(),
            slo,
            counts,
            series: None,
        }
    }

    /// The input series of the bad (or good) and the total queries, in promtool's notation.
    #[must_use]
    pub fn with_series(mut self, events: impl Into<String>, total: impl Into<String>) -> Self {
        self.series = Some((events.into(), total.into()));
        self
    }
}

/// An alert `sli-core` expects: its name, labels, annotations, start and end minute (`None`:
/// still firing at the end).
type Expected<'t> = (
    &'t str,
    &'t [(String, String)],
    &'t [(String, String)],
    i64,
    Option<i64>,
);

/// Counter values in promtool's notation: integer runs of one step as `a+bxn`.
fn values(cumulative: &[f64]) -> String {
    let mut out = Vec::new();
    let mut i = 0;
    let integral = |v: f64| v.fract() == 0.0 && v.abs() < 9.0e15;
    while i < cumulative.len() {
        let start = cumulative[i];
        let mut j = i;
        if integral(start) && i + 1 < cumulative.len() {
            let step = cumulative[i + 1] - start;
            while j + 1 < cumulative.len()
                && integral(cumulative[j + 1])
                && cumulative[j + 1] - cumulative[j] == step
            {
                j += 1;
            }
            if j > i + 1 {
                out.push(format!("{start}+{step}x{}", j - i));
                i = j + 1;
                continue;
            }
        }
        out.push(format!("{start}"));
        i += 1;
    }
    out.join(" ")
}

fn series_of(query: &Query, slo: &str, role: &'static str) -> Result<String, UnitTestError> {
    query
        .selector()
        .and_then(|s| s.concrete_series())
        .ok_or_else(|| UnitTestError::NeedsSeries {
            slo: slo.to_owned(),
            role,
            query: query.over(Span::MINUTE),
        })
}

/// Minutes from `origin` to `at`.
fn minutes(origin: chrono::DateTime<chrono::Utc>, at: chrono::DateTime<chrono::Utc>) -> i64 {
    (at - origin).num_minutes()
}

/// A `promtool test rules` file over `rule_files` (paths as promtool resolves them, relative
/// to the test file), one test per case: the counters of the case's counts as input series,
/// and, at each minute where a tier of the SLO starts or stops alerting and at the minute
/// before, the alerts `PolicyEvaluator::sweep` says are firing (the release gate's among them,
/// evaluated as its tier; sustain rules as `sli-core`'s sustain filter), labels and
/// annotations as the rules set them; at the last minute (for counter queries), the burn
/// rate and the error budget remaining over the SLO window from `sli-core`'s counts over that
/// window. The alerts of every compiled spec with the case's SLO id are expected (they read
/// the same series).
///
/// The sweep evaluates partial windows (`PartialWindows::Evaluate`), as a rule engine does
/// over a counter's first samples (see the [module docs](super)).
///
/// # Size
/// Each instant checked lists every alert firing then, so a case's checks grow as (alert
/// starts and stops) × (tiers firing together): as the square of the tiers when each starts
/// in turn and stays. [`compile`](super::compile()) takes at most
/// [`MAX_TIERS`](super::MAX_TIERS) tiers per spec, so for a spec whose alerts each start and
/// stop once a case checks at most 4 × 64 + 1 instants of at most 64 alerts each, about
/// 16,000 listed alerts (their labels and annotations, a few hundred bytes each). Alerts that
/// start many times add instants (up to the case's minutes, at most [`MAX_TEST_MINUTES`]),
/// and specs sharing the SLO id add their tiers.
///
/// # Errors
/// [`UnitTestError`]: an unknown SLO, series that cannot be derived, counts off the minute
/// grid or spanning more than [`MAX_TEST_MINUTES`], what `sli-core` refuses.
///
/// # Example
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use slo_compiler::SloSpec;
/// use slo_compiler::prometheus::{compile, unit_tests, Options, Query, Signal, TestCase};
/// use sli_core::{catalog, AlertPolicy, Series};
///
/// let spec = SloSpec::new(catalog::availability("api"), AlertPolicy::default(), Signal::Bad {
///     bad: Query::counter(r#"http_requests_total{code="500"}"#)?,
///     total: Query::counter(r#"http_requests_total{code="all"}"#)?,
/// });
/// let compiled = compile(&[spec], &Options::default())?;
/// let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
/// // An hour of clean traffic, then ten minutes of total outage.
/// let counts = Series::from_counts((0..120).map(|m| {
///     (t0 + TimeDelta::minutes(m), if (60..70).contains(&m) { 0.0 } else { 1000.0 }, 1000.0)
/// }))?;
/// let test = unit_tests(&compiled, &["slo-rules-1.yml"],
///     &[TestCase::new("outage", 0, &counts)])?;
/// assert!(test.contains("eval_time: '61m'")); // page-fast starts at the end of minute 60
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn unit_tests(
    compiled: &Compiled,
    rule_files: &[&str],
    cases: &[TestCase<'_>],
) -> Result<String, UnitTestError> {
    let mut tests = Vec::new();
    for case in cases {
        tests.push(one_test(compiled, case)?);
    }
    Ok(Node::map([
        (
            "rule_files",
            Node::Seq(rule_files.iter().map(|f| Node::str(*f)).collect()),
        ),
        ("evaluation_interval", Node::str("1m")),
        ("tests", Node::Seq(tests)),
    ])
    .to_yaml())
}

fn one_test(compiled: &Compiled, case: &TestCase<'_>) -> Result<Node, UnitTestError> {
    let target = compiled
        .slos
        .get(case.slo)
        .ok_or(UnitTestError::UnknownSlo { index: case.slo })?;
    let spec = &target.spec;
    let name = &spec.slo.name;
    let core = |source| UnitTestError::Core {
        slo: name.clone(),
        source,
    };
    let counts = case.counts;
    let origin = counts.first_time();
    // Cumulative counters: sample k (minute k) holds the counts of points before minute k.
    let last = minutes(origin, counts.last_time());
    if last > MAX_TEST_MINUTES {
        return Err(UnitTestError::Series {
            slo: name.clone(),
            reason: format!(
                "it spans {last} minutes, more than MAX_TEST_MINUTES ({MAX_TEST_MINUTES})"
            ),
        });
    }
    let samples = usize::try_from(last + 2).map_err(|_| UnitTestError::Series {
        slo: name.clone(),
        reason: "the series is too long".into(),
    })?;
    let mut events = vec![0.0f64; samples];
    let mut total = vec![0.0f64; samples];
    let is_bad = matches!(spec.signal, Signal::Bad { .. });
    for (at, c) in counts.iter() {
        let offset = at - origin;
        if offset.num_seconds() % 60 != 0 {
            return Err(UnitTestError::Series {
                slo: name.clone(),
                reason: format!("{at} is not a whole number of minutes after {origin}"),
            });
        }
        let k = usize::try_from(offset.num_minutes()).unwrap_or(0) + 1;
        events[k] += if is_bad { c.bad() } else { c.good() };
        total[k] += c.total();
    }
    for k in 1..samples {
        events[k] += events[k - 1];
        total[k] += total[k - 1];
    }
    let (events_series, total_series) = match &case.series {
        Some(pair) => pair.clone(),
        None => match &spec.signal {
            Signal::Bad { bad, total } => (
                series_of(bad, name, "bad")?,
                series_of(total, name, "total")?,
            ),
            Signal::Good { good, total } => (
                series_of(good, name, "good")?,
                series_of(total, name, "total")?,
            ),
        },
    };
    // The alerts every spec of this SLO id raises on these counts.
    let mut expected: Vec<Expected<'_>> = Vec::new();
    for slo in compiled.slos.iter().filter(|s| s.id == target.id) {
        let mut policy = slo.spec.evaluated_policy().into_owned();
        policy.partial_windows = PartialWindows::Evaluate;
        let alerts = PolicyEvaluator::new(&slo.spec.slo, &policy, Span::MINUTE)
            .and_then(|e| e.sweep(counts))
            .map_err(core)?;
        for alert in alerts {
            let Some(tier) = slo.tiers.iter().find(|t| t.tier == alert.tier) else {
                continue;
            };
            expected.push((
                &tier.alert,
                &tier.labels,
                &tier.annotations,
                minutes(origin, alert.start),
                alert.end.map(|end| minutes(origin, end)),
            ));
        }
    }
    let end = last + 1;
    let mut checks = BTreeSet::new();
    for (_, _, _, start, stop) in &expected {
        for t in [Some(start - 1), Some(*start), stop.map(|s| s - 1), *stop] {
            if let Some(t) = t.filter(|t| (1..=end).contains(t)) {
                checks.insert(t);
            }
        }
    }
    checks.insert(end);
    // Every alert name the SLO's rules raise is checked at every instant.
    let mut names: Vec<&str> = compiled
        .slos
        .iter()
        .filter(|s| s.id == target.id)
        .flat_map(|s| s.tiers.iter().map(|t| t.alert.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let alert_tests: Vec<Node> = checks
        .iter()
        .flat_map(|&t| names.iter().map(move |&name| (t, name)))
        .map(|(t, name)| {
            let firing: Vec<Node> = expected
                .iter()
                .filter(|(alert, _, _, start, stop)| {
                    *alert == name && *start <= t && stop.is_none_or(|s| t < s)
                })
                .map(|(_, labels, annotations, _, _)| {
                    let map = |pairs: &[(String, String)]| {
                        Node::string_map(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                    };
                    Node::map([
                        ("exp_labels", map(labels)),
                        ("exp_annotations", map(annotations)),
                    ])
                })
                .collect();
            Node::map([
                ("eval_time", Node::str(format!("{t}m"))),
                ("alertname", Node::str(name)),
                ("exp_alerts", Node::Seq(firing)),
            ])
        })
        .collect();
    let mut test = vec![
        ("name", Node::str(&case.name)),
        ("interval", Node::str("1m")),
        (
            "input_series",
            Node::Seq(vec![
                Node::map([
                    ("series", Node::str(events_series)),
                    ("values", Node::str(values(&events))),
                ]),
                Node::map([
                    ("series", Node::str(total_series)),
                    ("values", Node::str(values(&total))),
                ]),
            ]),
        ),
        ("alert_rule_test", Node::Seq(alert_tests)),
    ];
    // The error budget over the SLO window at the last evaluation, from `sli-core`'s counts
    // over the window, divided as the rules divide them (promtool compares values exactly,
    // so the arithmetic must be the rules'); with counters only, whose arithmetic is known.
    let counters = spec.signal.total().counts_events()
        && match &spec.signal {
            Signal::Bad { bad: q, .. } | Signal::Good { good: q, .. } => q.counts_events(),
        };
    if let (Window::Rolling(window), true) = (spec.slo.window, counters) {
        let now = origin + chrono::TimeDelta::minutes(end);
        // Within a window of chrono's first instant the window starts there (it used to
        // panic on the overflow).
        let since = now
            .checked_sub_signed(window.as_time_delta())
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        let in_window = counts
            .between(since, now)
            .map(|s| s.sum())
            .transpose()
            .map_err(core)?;
        if let Some(c) = in_window.filter(|c| c.total() > 0.0) {
            // `(bad) / (total)`, or `((total) - (good)) / (total)`; then divided by the budget
            // the rules write (`slo:error_budget:ratio`, sli-core's).
            let ratio = if is_bad {
                c.bad() / c.total()
            } else {
                (c.total() - c.good()) / c.total()
            };
            let burn = ratio / spec.slo.objective.error_budget();
            let mut labels: Vec<(String, String)> = target
                .absent_labels
                .iter()
                // Severity and team label the alerts, not the budget's records.
                .filter(|(k, _)| k != "severity" && k != names::TEAM)
                .cloned()
                .collect();
            labels.push((names::WINDOW.into(), window.to_string()));
            labels.sort();
            let selector = |metric: &str| {
                let inner = labels
                    .iter()
                    .map(|(k, v)| format!("{k}={}", serde_json::Value::String(v.clone())))
                    .collect::<Vec<_>>()
                    .join(",");
                format!("{metric}{{{inner}}}")
            };
            let expr_tests = [
                ("slo:period_burn_rate:ratio", burn),
                ("slo:period_error_budget_remaining:ratio", 1.0 - burn),
            ]
            .into_iter()
            .map(|(metric, value)| {
                Node::map([
                    ("expr", Node::str(selector(metric))),
                    ("eval_time", Node::str(format!("{end}m"))),
                    (
                        "exp_samples",
                        Node::Seq(vec![Node::map([
                            ("labels", Node::str(selector(metric))),
                            ("value", Node::Raw(format!("{value:?}"))),
                        ])]),
                    ),
                ])
            })
            .collect();
            test.push(("promql_expr_test", Node::Seq(expr_tests)));
        }
    }
    Ok(Node::map(test))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_values_compress_integer_runs() {
        assert_eq!(
            values(&[0.0, 10.0, 20.0, 30.0, 30.0, 31.5]),
            "0+10x3 30 31.5"
        );
        assert_eq!(values(&[0.0, 1.0]), "0 1");
        assert_eq!(values(&[5.0, 5.0, 5.0, 5.0]), "5+0x3");
    }
}
