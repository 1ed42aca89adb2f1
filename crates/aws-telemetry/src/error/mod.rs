//! The crate's errors: one type per family of operations that fail alike, so that each function
//! returns only what it can produce (the rule of opentelemetry-rust's
//! [ADR 001](https://github.com/open-telemetry/opentelemetry-rust/blob/main/docs/adr/001_error_handling.md)).
//!
//! | family | returned by |
//! |---|---|
//! | [`QueryError`] | building what to ask: [`Metric`](crate::Metric), [`Dimension`](crate::Dimension), [`Statistic`](crate::Statistic), [`Period`](crate::Period), [`QueryId`](crate::QueryId), [`MetricQuery`](crate::MetricQuery), [`TimeRange`](crate::TimeRange), [`DateRange`](crate::DateRange), [`FetchRequest`](crate::FetchRequest), the catalog's signals |
//! | [`ServiceError`] | a call to a backend, whichever operation made it: throttled, permission denied, not found, failed, unusable answer |
//! | [`FetchError`] | [`MetricSource::fetch`](crate::MetricSource::fetch) |
//! | [`PutError`] | [`MetricSink::put`](crate::MetricSink::put), [`InMemorySource::insert`](crate::InMemorySource::insert) |
//! | [`InputError`] | fetched series turned into `sli-core` inputs: [`counts_from_bad`](crate::counts_from_bad) and its siblings, [`Signal::read`](crate::catalog::Signal::read), [`daily_spend`](crate::daily_spend) |
//! | [`ReadError`] | the one-call reads that build, fetch and convert: [`read_counts`](crate::read_counts), [`read_signal`](crate::catalog::read_signal) and their async forms |
//! | [`CsvError`] | [`CsvSource`](crate::CsvSource)'s constructors |
//! | [`RecordError`] | reading CloudTrail logs and records ([`audit`](crate::audit), [`deploys::cloudtrail`](crate::deploys::cloudtrail)) |
//! | [`EventSourceError`] | [`AuditSource`](crate::AuditSource), [`DeploySource`](crate::DeploySource) |
//! | [`FormulaError`] | evaluating a `max_connections` formula |
//! | [`ConnectionLimitError`] | [`ConnectionLimitSource`](crate::ConnectionLimitSource) |
//!
//! [`ExposureSource`](crate::ExposureSource), [`QuotaSource`](crate::QuotaSource) and
//! [`CostSource`](crate::CostSource) return [`ServiceError`]: their requests cannot be wrong
//! once built.
//!
//! Every message names the rejected value and where it was; none repeats its `source`, which a
//! reporter prints from [`std::error::Error::source`]. A family that contains another (a
//! [`FetchError`] holds a [`ServiceError`]) converts with `From` and keeps it as the source.

mod evidence;
mod fetch;
mod query;
mod records;
mod service;

pub use evidence::{ConnectionLimitError, EventSourceError, FormulaError};
pub use fetch::{FetchError, InputError, PutError, ReadError};
pub use query::QueryError;
pub use records::{CsvError, RecordError};
pub use service::ServiceError;

/// A boxed error from a backend, kept as the `source` of [`ServiceError`] variants.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;
