//! The PromQL of one SLO's rules: selectors of the recorded series, thresholds, the condition
//! each window fires on under the SLO's missing-data policy, and the window states that keep
//! their last value. Built by concatenation of parts written once per SLO: the compiler writes
//! tens of megabytes of it for ten thousand SLOs.

use sli_core::{MissingData, Span};

use super::names::{self, Labels};
use super::query::Signal;
use super::rules::RecordingRule;
use crate::plan::Plan;

/// A condition: a window with a burn-rate threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Condition {
    pub(super) window: Span,
    pub(super) burn: f64,
}

/// PromQL's string literal for `value`.
pub(super) fn quote(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string()
}

/// The matchers of the SLO's labels, `sloth_id="…",sloth_service="…",sloth_slo="…"`.
pub(super) fn matchers(labels: &Labels) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={}", quote(v)))
        .collect::<Vec<_>>()
        .join(",")
}

/// The compiler's view of one spec: checked, with its labels and conditions.
pub(super) struct Slo<'a> {
    pub(super) plan: Plan<'a, Signal>,
    pub(super) labels: Labels,
    /// [`matchers`] of `labels`, computed once.
    pub(super) matchers: String,
    /// The budget as `sli-core` works it out (`1 − target` on the target's decimal), printed in
    /// full, so that PromQL multiplies the same two numbers `sli-core` does.
    pub(super) budget_expr: String,
    pub(super) min_events: Option<f64>,
    /// The windows and burn rates as written, computed once.
    pub(super) text: Texts,
}

/// Windows (`5m`) and burn rates (`14.4`) as the rules write them, written once per SLO.
#[derive(Default)]
pub(super) struct Texts {
    pub(super) windows: Vec<(Span, String)>,
    pub(super) burns: Vec<(u64, String)>,
}

impl Texts {
    pub(super) fn window(&self, w: Span) -> std::borrow::Cow<'_, str> {
        self.windows
            .iter()
            .find(|(s, _)| *s == w)
            .map_or_else(|| w.to_string().into(), |(_, t)| t.as_str().into())
    }

    pub(super) fn burn(&self, b: f64) -> std::borrow::Cow<'_, str> {
        self.burns
            .iter()
            .find(|(bits, _)| *bits == b.to_bits())
            .map_or_else(|| b.to_string().into(), |(_, t)| t.as_str().into())
    }
}

/// The concatenation of `parts`, allocated once (the compiler's expressions are built from
/// many pieces, for thousands of SLOs).
pub(super) fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

impl Slo<'_> {
    /// `metric{<SLO labels>,sloth_window="<window>"}`.
    fn windowed(&self, metric: &str, window: &str) -> String {
        cat(&[
            metric,
            window,
            "{",
            &self.matchers,
            ",",
            names::WINDOW,
            "=\"",
            window,
            "\"}",
        ])
    }

    pub(super) fn ratio(&self, window: Span) -> String {
        self.windowed(names::ERROR_RATIO_PREFIX, &self.text.window(window))
    }

    pub(super) fn total(&self, window: Span) -> String {
        self.windowed(names::TOTAL_PREFIX, &self.text.window(window))
    }

    pub(super) fn state(&self, c: Condition) -> String {
        cat(&[
            names::WINDOW_STATE,
            "{",
            &self.matchers,
            ",",
            names::WINDOW,
            "=\"",
            &self.text.window(c.window),
            "\",",
            names::BURN_RATE,
            "=\"",
            &self.text.burn(c.burn),
            "\"}",
        ])
    }

    pub(super) fn threshold(&self, burn: f64) -> String {
        cat(&["(", &self.text.burn(burn), " * ", &self.budget_expr, ")"])
    }

    /// The vector of a condition when it fires: empty when it does not.
    pub(super) fn firing(&self, c: Condition) -> String {
        let ratio = self.ratio(c.window);
        let above = cat(&[&ratio, " > ", &self.threshold(c.burn)]);
        match (self.plan.spec.slo.missing_data, self.min_events) {
            (MissingData::Good, None) => above,
            (MissingData::Good, Some(m)) => cat(&[
                "(",
                &above,
                ") and (",
                &self.total(c.window),
                " >= ",
                &m.to_string(),
                ")",
            ]),
            (MissingData::Bad, None) => cat(&["(", &above, ") or (", &ratio, " != ", &ratio, ")"]),
            (MissingData::Bad, Some(m)) => {
                let total = self.total(c.window);
                let m = m.to_string();
                cat(&[
                    "((", &above, ") and (", &total, " >= ", &m, ")) or (", &total, " < ", &m, ")",
                ])
            }
            (MissingData::Skip, _) => cat(&[&self.state(c), " == 1"]),
        }
    }

    /// A window state that keeps its last value while the window has no data: 1 or 0 from
    /// the window when it has data, else the state recorded one evaluation before.
    pub(super) fn state_rule(&self, c: Condition) -> RecordingRule {
        let ratio = self.ratio(c.window);
        let has_data = match self.min_events {
            None => cat(&[&ratio, " == ", &ratio]),
            Some(m) => cat(&[&self.total(c.window), " >= ", &m.to_string()]),
        };
        RecordingRule {
            record: names::WINDOW_STATE.into(),
            expr: cat(&[
                "((",
                &ratio,
                " > bool ",
                &self.threshold(c.burn),
                ") and (",
                &has_data,
                "))\nor ignoring (",
                names::BURN_RATE,
                ")\n",
                &self.state(c),
            ]),
            labels: vec![(names::BURN_RATE.into(), self.text.burn(c.burn).into_owned())],
        }
    }
}
