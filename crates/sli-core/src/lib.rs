//! Pure SLI/SLO math for services on AWS: objectives, windows, error budgets, burn rates,
//! multi-window multi-burn-rate alerting, error-budget policy and alert noise reduction.
//!
//! No I/O, no async, no AWS SDK: feed it counts you already have (from CloudWatch through the
//! `aws-telemetry` crate, from Prometheus, from logs) and it tells you how much budget is left
//! and whether to page.
//!
//! ```
//! use chrono::{TimeDelta, TimeZone, Utc};
//! use sli_core::{catalog, AlertPolicy, PolicyEvaluator, Series, Span};
//!
//! let slo = catalog::availability("checkout"); // M1: 99.9 % of requests succeed, 30 days
//! let t0 = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();
//! // One day of per-minute (good, total) counts, with 20 minutes at 5 % errors.
//! let series = Series::from_counts((0..1440).map(|m| {
//!     let bad = if (600..620).contains(&m) { 50.0 } else { 0.0 };
//!     (t0 + TimeDelta::minutes(m), 1000.0 - bad, 1000.0)
//! }))?;
//! let report = slo.report(&series, t0 + TimeDelta::days(1))?;
//! println!("budget left: {:.1}%", 100.0 * report.budget.unwrap().remaining_fraction());
//! let alerts = PolicyEvaluator::new(&slo, &AlertPolicy::default(), Span::MINUTE)?.sweep(&series)?;
//! let page = alerts.iter().find(|a| a.tier == "page-fast").unwrap(); // 50x burn: page
//! assert_eq!(page.start, t0 + TimeDelta::minutes(618)); // after 18 bad minutes
//! # Ok::<(), sli_core::Error>(())
//! ```
//!
//! # Concepts
//! * [`Objective`]: a target strictly between 0 and 1; [`Objective::error_budget`] is `1 - target`.
//! * [`EventCounts`] and [`Series`]: validated good/total counts on strictly increasing
//!   timestamps. [`Sli`] converts latency histograms, percentile ranks and per-minute values
//!   into counts.
//! * [`Window`]: rolling ([`Span`]) or calendar-aligned ([`CalendarPeriod`]).
//! * [`BudgetingMethod`]: Occurrences, Timeslices or RatioTimeslices, as OpenSLO names them.
//! * [`ErrorBudget`] and [`BurnRate`]: allowed, consumed, remaining, and when it runs out.
//! * [`Composite`]: one objective over weighted SLOs (OpenSLO's composite SLOs).
//! * [`AlertPolicy`]: multi-window multi-burn-rate tiers as data, defaulting to the SRE
//!   Workbook's; [`PolicyEvaluator::sweep`] (batch) and [`StreamingEvaluator`] (one point at a
//!   time) give identical alerts.
//! * [`ErrorBudgetPolicy::decide`]: page, ticket or freeze releases, with reasons.
//! * Noise: [`Sustained`] (N of M), [`MaintenanceWindows`] (one-off and [`RecurringWindow`]s in
//!   a time zone), [`group_alerts`].
//! * Release gate: [`ReleaseGate`], the burn rate above which releases halt, as a tier the
//!   engines evaluate. Routing: [`Routing`], a [`RunbookUrl`] and an [`Owner`] for alerts.
//! * Statistics: [`wilson_interval`], [`clopper_pearson_interval`], [`breach_test`] and
//!   [`deployment_regression`] (M9).
//! * Deploys: [`Deploy`] events and M9 per deploy ([`DeployCheck`]): before/after windows,
//!   canary and partial deploys kept apart from full ones, overlapping deploys reported together.
//! * [`catalog`]: the M1–M10 table as ready-made SLOs and checks.
#![cfg_attr(
    feature = "openslo",
    doc = "* [`openslo`]: OpenSLO v1 YAML in and out, mapped to these types (feature `openslo`)."
)]
#![cfg_attr(
    not(feature = "openslo"),
    doc = "* `openslo`: OpenSLO v1 YAML in and out, mapped to these types (feature `openslo`)."
)]
//!
//! # Errors
//! Fallible functions return [`Error`], which names the rejected value and, for series, the
//! index and timestamp of the offending point. Three small families have their own enums, each
//! naming the rejected field: [`MaintenanceError`] (recurring maintenance windows),
//! [`GateError`] (the release gate) and [`RoutingError`] (runbook URLs and owners); the OpenSLO
//! reader returns `openslo::Error` with the document, field path, line and column, and the
//! writer the same with the definition's index and the field path.
//! Library code never panics on bad input.
//!
//! # Serde
//! Every type that validates its values validates them when deserialised too, with the error
//! its constructor gives. Configurations (an [`Slo`], its [`CalendarWindow`], [`AlertTier`]s,
//! [`MaintenanceWindows`], an [`ErrorBudgetPolicy`], a [`Routing`], …) refuse a key they do
//! not have, so that a misspelt one is an error rather than its default (an [`Sli`] of kind
//! `event_ratio` with a `threshold` too is refused, not read as an event ratio); records of
//! data whose every field is required ([`Deploy`], …) pass extra keys. JSON has no
//! infinity: where a value can be +∞ (a histogram's last [`Bucket`] bound, a
//! [`DeployVerdict::relative_risk`], a [`Reason::SloBreached`] fraction) serde_json writes it
//! as `null`, and `null` or `"+Inf"` reads back as +∞.
//!
#![doc = include_str!("../FEATURES.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Denied, not forbidden: one `unsafe` block, a prefetch hint in the batch sweep
// (`alert/prefetch.rs`), is allowed where it stands, with its proof of soundness beside it.
#![deny(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

// This crate's README example runs as a doctest (the workspace README and the guides run as
// doctests of the unpublished `sre-examples` package, since they live outside this package).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

mod alert;
mod binomial;
mod budget;
mod budget_policy;
mod budgeting;
mod burn;
pub mod catalog;
mod composite;
mod confidence;
mod counts;
mod deploy;
mod deploy_check;
mod deploy_event;
mod error;
mod exact_value;
mod excerpt;
mod infinite;
mod maintenance;
mod missing;
mod noise;
mod objective;
#[cfg(feature = "openslo")]
#[cfg_attr(docsrs, doc(cfg(feature = "openslo")))]
pub mod openslo;
mod release_gate;
mod routing;
mod series;
mod sli;
mod slo;
mod span;
mod window;

pub use alert::{
    AlertInterval, AlertPolicy, AlertTier, AlertUpdate, MAX_STREAM_POINTS, PartialWindows,
    PolicyEvaluator, PolicyWarning, Severity, StreamingEvaluator, TierThreshold, WindowBurn,
};
pub use binomial::{binomial_upper_tail, poisson_upper_tail};
pub use budget::{BudgetUnit, ErrorBudget};
pub use budget_policy::{Decision, ErrorBudgetPolicy, Incident, PolicyInput, Reason};
pub use budgeting::{Attainment, BudgetingMethod};
pub use burn::BurnRate;
pub use composite::{Composite, CompositeReport};
pub use confidence::{
    BreachTest, BreachVerdict, RatioInterval, breach_test, clopper_pearson_interval,
    wilson_interval,
};
pub use counts::{EventCounts, MAX_COUNT};
pub use deploy::{DeployTest, DeployVerdict, deployment_regression};
pub use deploy_check::{
    DEFAULT_ALPHA, DEFAULT_MIN_EVENTS, DEFAULT_WINDOW, DeployCheck, DeployReport, Inconclusive,
    M9Status, Mixing, ServiceCounts, WindowKind, WindowTest,
};
pub use deploy_event::{Deploy, DeployOutcome, MAX_NAME_BYTES, Rollout};
pub use error::{Error, Position, Result};
pub use exact_value::ExactValue;
pub use excerpt::{EXCERPT_CHARS, Excerpt};
pub use maintenance::{MAX_MAINTENANCE, MaintenanceError, RecurringWindow, day_name};
pub use missing::MissingData;
pub use noise::{
    AlertGroup, MAX_CHAINED_WINDOWS, MaintenanceWindows, SustainFilter, Sustained, group_alerts,
    group_keyed,
};
pub use objective::Objective;
pub use release_gate::{GateError, ReleaseGate};
pub use routing::{
    FINDING_ALERT_NAME, FINDING_MODE_LABEL, MAX_OWNER, MAX_RUNBOOK_URL, Owner, Routing,
    RoutingError, RunbookUrl, SECURITY_FINDING_MODES,
};
pub use series::Series;
pub use sli::{BetweenBuckets, Bucket, Comparison, MAX_SLICES, Sli};
pub use slo::{Slo, SloReport};
pub use span::Span;
pub use window::{
    CalendarPeriod, CalendarWindow, Interval, Window, Zone, rfc3339_bounds, rfc3339_writable,
};
