//! OpenSLO v1 import and export (feature `openslo`).
//!
//! [`parse`] reads `openslo/v1` objects of every kind (`SLO`, `SLI`, `AlertPolicy`,
//! `AlertCondition`, `AlertNotificationTarget`, `Service`, `DataSource`), in both forms the
//! specification and its Go SDK write (one object per YAML document, or a document that is a
//! list of objects), and `openslo/v1alpha` in lenient mode. Every object is kept as written
//! ([`Import::objects`], written back by [`export_objects`]); each SLO's references
//! (`indicatorRef`, `alertPolicyRef`, `conditionRef`, `targetRef`, `metricSourceRef`) are
//! resolved across documents and its objectives mapped into this crate's own [`Slo`] and
//! [`AlertPolicy`] ([`Import::slos`]), composite SLOs into [`CompositeDefinition`]s.
//! [`export`] writes definitions built in code as OpenSLO; `parse → export → parse` is the
//! identity, and so is `parse → export_objects → parse`.
//!
//! The definition types ([`SloDefinition`], [`Indicator`], [`AlertPolicyDefinition`], …)
//! mirror OpenSLO v1 documents field for field and keep public fields, so that documents can
//! be built in code and exported; a later version of the specification comes as a new minor
//! version of this crate. What parsing reports ([`Import`], [`Object`], [`Error`],
//! [`Warning`]) is `#[non_exhaustive]`: it may say more in a patch release.
//!
//! ```
//! use sli_core::openslo::{parse, Mode};
//! use sli_core::{Severity, Window, Span};
//!
//! let yaml = r#"
//! apiVersion: openslo/v1
//! kind: SLO
//! metadata:
//!   name: checkout-availability
//! spec:
//!   service: checkout
//!   indicator:
//!     metadata: {name: checkout-errors}
//!     spec:
//!       ratioMetric:
//!         counter: true
//!         bad:
//!           metricSource:
//!             type: CloudWatch
//!             spec: {namespace: AWS/ApplicationELB, metricName: HTTPCode_Target_5XX_Count, stat: Sum}
//!         total:
//!           metricSource:
//!             type: CloudWatch
//!             spec: {namespace: AWS/ApplicationELB, metricName: RequestCount, stat: Sum}
//!   timeWindow:
//!     - duration: 28d
//!       isRolling: true
//!   budgetingMethod: Occurrences
//!   objectives:
//!     - targetPercent: 99.9
//!   alertPolicies:
//!     - kind: AlertPolicy
//!       metadata: {name: fast-burn}
//!       spec:
//!         conditions:
//!           - kind: AlertCondition
//!             metadata: {name: page-1h}
//!             spec:
//!               severity: page
//!               condition: {kind: burnrate, op: gt, threshold: 14.4, lookbackWindow: 1h, alertAfter: 1m}
//!         notificationTargets:
//!           - kind: AlertNotificationTarget
//!             metadata: {name: on-call}
//!             spec: {target: sns}
//! "#;
//! let import = parse(yaml, Mode::Strict)?;
//! let def = &import.slos[0];
//! assert_eq!(def.slo.window, Window::rolling(Span::from_days(28).unwrap()));
//! assert_eq!(def.slo.objective.target(), 0.999);
//! let tier = &def.alert_policies[0].policy.tiers[0];
//! assert_eq!((tier.severity, tier.long_window, tier.short_window.to_string().as_str()),
//!            (Severity::Page, Span::HOUR, "5m")); // the short window is 1/12 of the long one
//! # Ok::<(), sli_core::openslo::Error>(())
//! ```
//!
//! # Mapping
//! | OpenSLO | here |
//! |---|---|
//! | `ratioMetric` `good`/`bad`/`total`, `raw` | [`Sli::EventRatio`], with the metric sources in [`IndicatorMetric`] |
//! | `metricSource` of any `type`, `metricSourceRef` | [`MetricSource`]: the type and the [`SourceSpec`] kept as written, with positions, for the engine's compiler to read (and refuse another engine's type) |
//! | `thresholdMetric` + objective `op`/`value` | [`Sli::TimeSlice`]: each datapoint (slice) is good or bad |
//! | `timeWindow` rolling `28d` | [`Window::Rolling`]; `M`, `Q`, `Y` are read as 30, 90 and 365 days, as the Go SDK reads them, with a warning |
//! | `timeWindow` calendar, any duration (`1m` … `2w`, `1M`, `1Q`, `1Y`) | [`Window::Calendar`]: periods from `startTime` in `timeZone`, an IANA zone with its daylight saving time (see [`Zone`]); `1m` gets a warning (minutes, not months) |
//! | objectives with their own `indicator`/`indicatorRef` and `compositeWeight` | one definition per objective, and a [`CompositeDefinition`] computed by [`Composite`] |
//! | `budgetingMethod`, `timeSliceTarget`, `timeSliceWindow` | [`BudgetingMethod`] |
//! | `target` / `targetPercent` | [`Objective`] (strictly between 0 and 1: `targetPercent: 100` is an error) |
//! | `AlertCondition` `burnrate`: `threshold`, `lookbackWindow`, `alertAfter`, `severity` | one [`AlertTier`]: burn-rate threshold, long window, sustain of `alertAfter` minutes; the short window is the annotation `sre-toolkit/short-window` or 1/12 of the long one (the SRE Workbook's ratio) |
//! | annotations `sre-toolkit/missing-data`, `sre-toolkit/min-events`, `sre-toolkit/slice` | [`Slo::missing_data`], [`Slo::min_events`], the slice of a threshold SLI under Occurrences |
//!
//! What `sli-core` cannot represent is refused with [`Problem::Unsupported`] (or, where the
//! meaning is kept, reported as a [`Warning`]): nothing is dropped silently, and the objects
//! keep every field as written. Condition `op: gte` is evaluated as `gt` (sli-core fires
//! strictly above the threshold) — an error in strict mode, a warning in lenient mode; `lt`
//! and `lte` are refused when an SLO uses the condition (an `AlertCondition` no SLO uses may
//! say anything the v1 rules allow). An alert policy may hold several conditions (the tiers
//! of a multi-window policy, one tier each), an extension: the v1 specification allows "max of
//! one condition", so each import of such a policy carries a [`Problem::Extension`] warning, in
//! either mode. `op` and `value` on the objective of a ratio SLI are valid v1 ("Only needed when
//! using a thresholdMetric") and change nothing: a [`Problem::Ignored`] warning in either mode.
//! An SLO without `timeWindow` (optional in v1) is refused: it is evaluated over a window.
//!
//! # Modes
//! [`Mode::Strict`] applies the OpenSLO v1 validation rules, as the specification and the Go
//! SDK state them (unknown fields, names that are not RFC 1123 labels, both `target` and
//! `targetPercent`, a `description` over 1050 characters in any kind, a good/bad ratio without
//! `counter`, more than one objective on a `thresholdMetric` SLI, an `AlertPolicy` without
//! `notificationTargets`, a `timeZone` that is not an IANA name, a `calendar` on a rolling
//! window, a condition that can never fire…), as errors naming the document, field, line and
//! column; `openslo/v1alpha` is refused. [`Mode::Lenient`] accepts what the official examples
//! contain, maps `openslo/v1alpha` to v1, and reports the same findings as
//! [`Import::warnings`]. Of the nine official examples (the specification's and the Go SDK's),
//! all import in lenient mode and five in strict mode: three have a ratio without `counter` and
//! one is `openslo/v1alpha`.
//!
//! A reference to an object that the file does not define is an error when an SLO needs it;
//! in an object no SLO uses it is kept by name (the Go SDK writes one file per kind).
//!
//! # Limits
//! [`Limits`] bounds the input size, the YAML nodes (aliases and anchors count what they
//! copy), the nesting and the length of flow collections, so that hostile YAML is a
//! [`Problem::LimitExceeded`] within bounded time and memory.
//!
//! # Why `saphyr-parser`
//! `serde_yaml` is archived; `serde_yml` was deprecated after soundness and maintenance
//! problems; `serde_norway` (a maintained `serde_yaml` fork) gives a position only for syntax
//! and type errors, not for the fields a semantic check rejects. `saphyr-parser` (the
//! maintained successor of `yaml-rust2`, YAML 1.2, no `unsafe`, two small dependencies) yields
//! every event with its line and column, so every error here — a missing reference or a
//! `targetPercent` of 100 as much as a syntax error — names its line and column.

mod alert;
mod error;
mod export;
mod field;
mod import;
mod refs;
mod sli;
mod slo;
mod source;
mod time_window;
mod v1alpha;
mod yaml;

pub use error::{Error, Location, Problem, Warning};
pub use export::{export, export_objects};
pub use import::{parse, parse_with_limits};
pub use source::{DataSource, MetricSource, SourceRef, SourceSpec};
pub use yaml::Value;

use crate::{AlertPolicy, Composite, Slo};

#[cfg(doc)]
use crate::{AlertTier, BudgetingMethod, Objective, Sli, Window, Zone};

/// The caps [`parse`] applies, so that malformed or hostile YAML (alias bombs, deep nesting,
/// huge files) is a [`Problem::LimitExceeded`] error within bounded time and memory.
///
/// Every YAML node counts against `max_nodes`, and so does every node an alias expands to or
/// an anchor keeps a copy of; a scalar counts as one node per 64 bytes of its text (at least
/// one), so the text aliases copy is bounded too (at most `max_nodes` × 64 bytes, 128 MiB by
/// default). Parsing takes time linear in the input and memory linear in the nodes (about 50
/// bytes each, plus the text of the scalars), plus the parser's buffer of the
/// largest flow collection (bounded by `max_flow_bytes`). The defaults are far above any
/// real OpenSLO file (the official examples have a few hundred nodes; the 10 MB benchmark file
/// about half a million).
///
/// # Example
/// ```
/// use sli_core::openslo::Limits;
/// let limits = Limits::default();
/// assert_eq!((limits.max_input_bytes, limits.max_nodes, limits.max_depth), (32 << 20, 2_000_000, 128));
/// let tight = Limits::default().with_max_nodes(10_000).with_max_input_bytes(1 << 20);
/// assert_eq!((tight.max_nodes, tight.max_input_bytes), (10_000, 1 << 20));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Longest input accepted, in bytes (default 32 MiB).
    pub max_input_bytes: usize,
    /// Longest flow collection (`[…]`, `{…}`, JSON), in bytes (default 1 MiB): the YAML
    /// parser keeps every token of a flow collection until it closes, about 200 bytes of
    /// memory per byte, so this bounds its memory to about 200 MiB.
    pub max_flow_bytes: usize,
    /// Most YAML nodes, counting alias expansions and anchor copies, a scalar as one node per
    /// 64 bytes of its text (default 2,000,000).
    pub max_nodes: usize,
    /// Deepest nesting of sequences and mappings (default 128).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 32 << 20,
            max_flow_bytes: 1 << 20,
            max_nodes: 2_000_000,
            max_depth: 128,
        }
    }
}

impl Limits {
    /// These limits with `bytes` as the longest input accepted.
    #[must_use]
    pub const fn with_max_input_bytes(mut self, bytes: usize) -> Self {
        self.max_input_bytes = bytes;
        self
    }

    /// These limits with `bytes` as the longest flow collection.
    #[must_use]
    pub const fn with_max_flow_bytes(mut self, bytes: usize) -> Self {
        self.max_flow_bytes = bytes;
        self
    }

    /// These limits with at most `nodes` YAML nodes, alias expansions included.
    #[must_use]
    pub const fn with_max_nodes(mut self, nodes: usize) -> Self {
        self.max_nodes = nodes;
        self
    }

    /// These limits with nesting at most `depth` deep. Flow collections (`[…]`, `{…}`) nest
    /// at most 255 deep whatever the cap: the YAML parser's own limit, reported as the same
    /// [`Problem::LimitExceeded`] with a maximum of 255.
    #[must_use]
    pub const fn with_max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }
}

/// How strictly [`parse`] applies the OpenSLO v1 rules.
///
/// # Example
/// ```
/// use sli_core::openslo::Mode;
/// assert_eq!(Mode::default(), Mode::Strict);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// The OpenSLO v1 validation rules are errors.
    #[default]
    Strict,
    /// Accept what the official examples contain; rule violations become warnings.
    Lenient,
}

/// The kinds of OpenSLO v1 object.
///
/// # Example
/// ```
/// use sli_core::openslo::ObjectKind;
/// assert_eq!(ObjectKind::from_name("AlertPolicy"), Some(ObjectKind::AlertPolicy));
/// assert_eq!(ObjectKind::Sli.name(), "SLI");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ObjectKind {
    /// `SLO`.
    Slo,
    /// `SLI`.
    Sli,
    /// `AlertPolicy`.
    AlertPolicy,
    /// `AlertCondition`.
    AlertCondition,
    /// `AlertNotificationTarget`.
    AlertNotificationTarget,
    /// `Service`.
    Service,
    /// `DataSource`.
    DataSource,
}

impl ObjectKind {
    /// Every kind, in the order of the v1 specification.
    pub const ALL: [Self; 7] = [
        Self::DataSource,
        Self::Slo,
        Self::Sli,
        Self::AlertPolicy,
        Self::AlertCondition,
        Self::AlertNotificationTarget,
        Self::Service,
    ];

    /// The `kind` as written.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Slo => "SLO",
            Self::Sli => "SLI",
            Self::AlertPolicy => "AlertPolicy",
            Self::AlertCondition => "AlertCondition",
            Self::AlertNotificationTarget => "AlertNotificationTarget",
            Self::Service => "Service",
            Self::DataSource => "DataSource",
        }
    }

    /// The kind a `kind` field names (case-sensitive, as in the specification).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One object of a file, of any kind, as written (an `openslo/v1alpha` object as mapped to
/// v1): what [`export_objects`] writes back.
///
/// # Example
/// ```
/// use sli_core::openslo::{parse, Mode, ObjectKind};
///
/// let yaml = "- apiVersion: openslo/v1\n  kind: Service\n  metadata: {name: web}\n  spec: {description: The web tier}\n";
/// let import = parse(yaml, Mode::Strict)?;
/// let web = &import.objects[0];
/// assert_eq!((web.kind, web.name.as_str(), web.item), (ObjectKind::Service, "web", Some(0)));
/// assert_eq!(web.value.get("spec").and_then(|s| s.get("description")).is_some(), true);
/// # Ok::<(), sli_core::openslo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Object {
    /// The kind.
    pub kind: ObjectKind,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.displayName`.
    pub display_name: Option<String>,
    /// The 0-based index of the YAML document it is in.
    pub document: usize,
    /// Its index in the document's top-level sequence, for the Go SDK's form (a document that
    /// is a list of objects); `None` for a document that is one object.
    pub item: Option<usize>,
    /// The whole object, in v1 form.
    pub value: Value,
}

/// What [`parse`] found: one definition per SLO objective, and the warnings.
///
/// # Example
/// ```
/// use sli_core::openslo::{parse, Mode};
/// let import = parse("", Mode::Strict)?;
/// assert!(import.slos.is_empty() && import.warnings.is_empty());
/// # Ok::<(), sli_core::openslo::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct Import {
    /// Every object of the file, of every kind, in order.
    pub objects: Vec<Object>,
    /// The SLOs, in document order (an SLO with several objectives gives one definition per
    /// objective, named `<name>-<objective name or index>`).
    pub slos: Vec<SloDefinition>,
    /// The composite SLOs (an indicator and a `compositeWeight` per objective): each of their
    /// objectives is also one of `slos`.
    pub composites: Vec<CompositeDefinition>,
    /// What lenient mode accepted, and what is suspicious in any mode.
    pub warnings: Vec<Warning>,
}

/// A composite SLO: the definitions of its objectives (in [`Import::slos`]) and their
/// `compositeWeight`s (1 when not given), evaluated together by [`Composite`].
///
/// # Example
/// ```
/// use sli_core::openslo::{parse, Mode};
///
/// let yaml = r#"
/// apiVersion: openslo/v1
/// kind: SLO
/// metadata: {name: checkout-journey}
/// spec:
///   service: checkout
///   timeWindow: [{duration: 28d, isRolling: true}]
///   budgetingMethod: Occurrences
///   objectives:
///     - target: 0.999
///       compositeWeight: 2
///       indicator:
///         metadata: {name: api-errors}
///         spec:
///           ratioMetric:
///             counter: false
///             bad: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_errors[5m]))'}}}
///             total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests[5m]))'}}}
///     - target: 0.99
///       indicatorRef: search-latency
/// ---
/// apiVersion: openslo/v1
/// kind: SLI
/// metadata: {name: search-latency}
/// spec:
///   ratioMetric:
///     counter: false
///     good: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(search_fast[5m]))'}}}
///     total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(search[5m]))'}}}
/// "#;
/// let import = parse(yaml, Mode::Strict)?;
/// let journey = &import.composites[0];
/// assert_eq!(journey.components, [("checkout-journey-0".to_string(), 2.0), ("checkout-journey-1".to_string(), 1.0)]);
/// let composite = journey.composite(&import.slos).unwrap()?;
/// assert_eq!(composite.components()[1].0.objective.target(), 0.99);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CompositeDefinition {
    /// `metadata.name` of the SLO.
    pub name: String,
    /// The 0-based document index of the SLO.
    pub document: usize,
    /// The names of the objectives' definitions, with their weights.
    pub components: Vec<(String, f64)>,
}

impl CompositeDefinition {
    /// The [`Composite`] of these components, found by name in `definitions`; `None` when one
    /// is missing.
    ///
    /// # Errors
    /// As [`Composite::new`].
    pub fn composite(
        &self,
        definitions: &[SloDefinition],
    ) -> Option<std::result::Result<Composite, crate::Error>> {
        let components = self
            .components
            .iter()
            .map(|(name, weight)| {
                definitions
                    .iter()
                    .find(|d| d.slo.name == *name)
                    .map(|d| (d.slo.clone(), *weight))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Composite::new(components))
    }
}

/// One SLO objective with everything OpenSLO says about it.
///
/// # Example
/// ```
/// use sli_core::openslo::{IndicatorMetric, SloDefinition};
/// fn bad_metric(def: &SloDefinition) -> bool {
///     matches!(def.indicator.metric, IndicatorMetric::Ratio { bad: Some(_), .. })
/// }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SloDefinition {
    /// The SLO as `sli-core` evaluates it; its name is the OpenSLO `metadata.name`.
    pub slo: Slo,
    /// `metadata.displayName`.
    pub display_name: Option<String>,
    /// `spec.description`.
    pub description: Option<String>,
    /// `spec.service`.
    pub service: String,
    /// The indicator and its metric sources, shared by the definitions of one SLO's
    /// objectives and of the SLOs that refer to one SLI (not a copy each).
    pub indicator: std::sync::Arc<Indicator>,
    /// The alert policies, in order. A policy several SLOs refer to is shared, not copied.
    pub alert_policies: Vec<std::sync::Arc<AlertPolicyDefinition>>,
    /// The 0-based document index of the SLO in the file it came from (0 for definitions built
    /// in code).
    pub document: usize,
}

/// An SLI: its name and where its numbers come from.
///
/// # Example
/// ```
/// use sli_core::openslo::{Indicator, IndicatorMetric, MetricSource, RawType, SourceSpec, Value};
/// let raw = MetricSource::inline("Prometheus", SourceSpec::new(vec![("query".into(), Value::String("up".into()))]));
/// let sli = Indicator { name: "ratio".into(), description: None,
///                       metric: IndicatorMetric::RawRatio { raw, raw_type: RawType::Success } };
/// assert_eq!(sli.name, "ratio");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// `metadata.name` of the SLI.
    pub name: String,
    /// `spec.description`.
    pub description: Option<String>,
    /// The metric(s).
    pub metric: IndicatorMetric,
}

impl Indicator {
    /// The metric sources: `good` or `bad` then `total`, or `raw`, or the threshold metric.
    pub fn metric_sources(&self) -> impl Iterator<Item = &MetricSource> {
        let (a, b, c) = match &self.metric {
            IndicatorMetric::Ratio {
                good, bad, total, ..
            } => (good.as_ref(), bad.as_ref(), Some(total)),
            IndicatorMetric::RawRatio { raw, .. } => (Some(raw), None, None),
            IndicatorMetric::Threshold { metric } => (Some(metric), None, None),
        };
        a.into_iter().chain(b).chain(c)
    }
}

/// The metric side of an SLI.
///
/// # Example
/// ```
/// use sli_core::openslo::{IndicatorMetric, RawType};
/// assert_ne!(RawType::Success, RawType::Failure);
/// # let _ = |m: IndicatorMetric| matches!(m, IndicatorMetric::Threshold { .. });
/// ```
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)] // definitions, built once: boxing would only add noise
pub enum IndicatorMetric {
    /// `ratioMetric` with `total` and exactly one of `good` and `bad`.
    Ratio {
        /// `counter`: whether the sources are monotonic counters.
        counter: bool,
        /// Good events.
        good: Option<MetricSource>,
        /// Bad events.
        bad: Option<MetricSource>,
        /// All events.
        total: MetricSource,
    },
    /// `ratioMetric.raw`: a precomputed ratio.
    RawRatio {
        /// The ratio's source.
        raw: MetricSource,
        /// Whether it is a success or a failure ratio.
        raw_type: RawType,
    },
    /// `thresholdMetric`: a value per datapoint compared with the objective's `op` and `value`.
    Threshold {
        /// The value's source.
        metric: MetricSource,
    },
}

/// `rawType` of a raw ratio metric.
///
/// # Example
/// ```
/// use sli_core::openslo::RawType;
/// assert_eq!(format!("{:?}", RawType::Failure), "Failure");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RawType {
    /// The ratio is of good events.
    Success,
    /// The ratio is of bad events.
    Failure,
}

/// An `AlertNotificationTarget`: its name and `spec.target`.
///
/// # Example
/// ```
/// use sli_core::openslo::NotificationTarget;
/// let t = NotificationTarget { name: "on-call".into(), target: "pagerduty".into() };
/// assert_eq!(t.target, "pagerduty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationTarget {
    /// `metadata.name`.
    pub name: String,
    /// `spec.target`.
    pub target: String,
}

/// An OpenSLO `AlertPolicy` as `sli-core` evaluates it: one [`AlertTier`] per burn-rate
/// condition, its id the condition's name.
///
/// # Example
/// ```
/// use sli_core::openslo::AlertPolicyDefinition;
/// use sli_core::AlertPolicy;
/// let p = AlertPolicyDefinition { name: "burn".into(), description: None, alert_when_no_data: false,
///     alert_when_resolved: true, alert_when_breaching: true, notification_targets: vec![],
///     policy: AlertPolicy::new(vec![]) };
/// assert!(p.policy.tiers.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AlertPolicyDefinition {
    /// `metadata.name`.
    pub name: String,
    /// `spec.description`.
    pub description: Option<String>,
    /// `alertWhenNoData`.
    pub alert_when_no_data: bool,
    /// `alertWhenResolved`.
    pub alert_when_resolved: bool,
    /// `alertWhenBreaching`.
    pub alert_when_breaching: bool,
    /// The notification targets (names and targets; the SNS topics are given to the compiler).
    pub notification_targets: Vec<NotificationTarget>,
    /// The tiers.
    pub policy: AlertPolicy,
}
