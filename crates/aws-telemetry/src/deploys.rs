//! Deploys (M9): the [`DeploySource`] trait and its in-memory implementation
//! [`InMemoryDeploySource`]; deploys read from CloudTrail records ([`cloudtrail`]: ECS
//! `UpdateService`, Lambda `UpdateFunctionCode` / `PublishVersion` / `UpdateAlias`,
//! CloudFormation `UpdateStack` / `ExecuteChangeSet`). The events are `sli-core`'s
//! [`Deploy`], which [`DeployCheck`](sli_core::DeployCheck) turns into M9 per deploy. The
//! adapters are `CodeDeploySource` (feature `codedeploy`) and `CloudTrailSource` (feature
//! `cloudtrail`, which is both an [`AuditSource`](crate::AuditSource) and a [`DeploySource`]).
//!
//! ```
//! use aws_telemetry::deploys::{DeploySource, InMemoryDeploySource};
//! use aws_telemetry::TimeRange;
//! use chrono::{TimeDelta, TimeZone, Utc};
//! use sli_core::{Deploy, DeployOutcome};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();
//! let source = InMemoryDeploySource::new();
//! source.extend([Deploy::new("d-1", "codedeploy:shop/checkout", t0)?
//!     .with_outcome(DeployOutcome::Complete { at: t0 + TimeDelta::minutes(9) })?])?;
//! let day = TimeRange::new(t0 - TimeDelta::hours(12), t0 + TimeDelta::hours(12))?;
//! assert_eq!(source.deploys(&day).await?[0].id(), "d-1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

pub mod cloudtrail;

use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use sli_core::Deploy;

use crate::error::{EventSourceError, RecordError};
use crate::range::TimeRange;

/// The most deploys one [`DeploySource::deploys`] call of this crate's adapters returns:
/// 10,000. A busy service deploys some tens of times a day, so 90 days of CloudTrail history
/// (`LookupEvents`' reach) stay well under it; past it the adapters stop reading and return
/// [`EventSourceError::LimitExceeded`] rather than hold an unbounded list. Each adapter can
/// set another.
pub const MAX_DEPLOYS: usize = 10_000;

/// A source of deploy events: CodeDeploy, CloudTrail, memory.
///
/// Object safe and `Send + Sync`, like [`MetricSource`](crate::MetricSource): hold it as
/// `Arc<dyn DeploySource>` ([`DynDeploySource`]). One required method; this crate's `Arc` and
/// `Box` forwarding is checked by `clippy::missing_trait_methods`, and wrappers should do the
/// same.
///
/// # Contract
/// `deploys` returns every deploy whose start is in `range` (start included, end excluded),
/// sorted by start, then by id; deploys of every service the source sees. A range without
/// deploys gives an empty list, not an error. Every implementation in this crate passes the
/// same checks ([`deploy_conformance`](crate::deploy_conformance)).
#[async_trait]
pub trait DeploySource: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// Every deploy that started in `range`, oldest first.
    ///
    /// # Errors
    /// An [`EventSourceError`]: a record the source read that cannot be a deploy, a bound on
    /// what one call reads, or its backend's failure. See each source.
    async fn deploys(&self, range: &TimeRange) -> Result<Vec<Deploy>, EventSourceError>;
}

/// A deploy source behind a pointer: `Arc<DynDeploySource>`.
pub type DynDeploySource = dyn DeploySource;

macro_rules! forward_deploy_source {
    ($($pointer:ident),*) => {$(
        #[async_trait]
        #[deny(clippy::missing_trait_methods)]
        impl<T: DeploySource + ?Sized> DeploySource for $pointer<T> {
            async fn deploys(&self, range: &TimeRange) -> Result<Vec<Deploy>, EventSourceError> {
                (**self).deploys(range).await
            }
        }
    )*};
}

forward_deploy_source!(Arc, Box);

/// Places `sli-core`'s refusal of a deploy at `origin` and `index`: its
/// [`InvalidDeploy`](sli_core::Error::InvalidDeploy) (field and reason) as a
/// [`RecordError::Field`], anything else as [`RecordError::Deploy`] with it as the source.
pub(crate) fn record_error(origin: &str, index: usize, error: sli_core::Error) -> RecordError {
    match error {
        sli_core::Error::InvalidDeploy { field, reason, .. } => RecordError::Field {
            origin: origin.to_owned(),
            index,
            field,
            reason,
        },
        source => RecordError::Deploy {
            origin: origin.to_owned(),
            index,
            source,
        },
    }
}

/// Sorts deploys as the [`DeploySource`] contract orders them: by start, then by id.
pub(crate) fn sort_deploys(deploys: &mut [Deploy]) {
    deploys.sort_by(|a, b| a.started().cmp(&b.started()).then(a.id().cmp(b.id())));
}

/// Deploys put in by the caller (e.g. from [`cloudtrail::parse_lines`]); clones share them.
/// It holds what it is given (each deploy's names are bounded by
/// [`sli_core::MAX_NAME_BYTES`]): the caller bounds how many.
///
/// See the [module example](self).
#[derive(Debug, Clone, Default)]
pub struct InMemoryDeploySource {
    deploys: Arc<RwLock<Vec<Deploy>>>,
}

impl InMemoryDeploySource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds deploys (in any order).
    ///
    /// # Errors
    /// [`RecordError::Field`] for the field `id`, with the deploy's index in `deploys`, when a
    /// deploy has the id of one already held or of an earlier one in `deploys`; nothing is
    /// added then.
    pub fn extend(&self, deploys: impl IntoIterator<Item = Deploy>) -> Result<(), RecordError> {
        let mut stored = self.deploys.write().unwrap_or_else(|e| e.into_inner());
        let mut ids: std::collections::HashSet<String> =
            stored.iter().map(|d| d.id().to_owned()).collect();
        let new: Vec<Deploy> = deploys.into_iter().collect();
        for (index, deploy) in new.iter().enumerate() {
            if !ids.insert(deploy.id().to_owned()) {
                return Err(RecordError::Field {
                    origin: "InMemoryDeploySource".to_owned(),
                    index,
                    field: "id",
                    reason: format!("{:?} is already held", deploy.id()),
                });
            }
        }
        stored.extend(new);
        sort_deploys(&mut stored);
        Ok(())
    }

    /// How many deploys it holds.
    pub fn len(&self) -> usize {
        self.deploys
            .read()
            .map_or_else(|e| e.into_inner().len(), |d| d.len())
    }

    /// `true` when it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Display for InMemoryDeploySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "InMemoryDeploySource({} deploys)", self.len())
    }
}

#[async_trait]
impl DeploySource for InMemoryDeploySource {
    async fn deploys(&self, range: &TimeRange) -> Result<Vec<Deploy>, EventSourceError> {
        let stored = self.deploys.read().unwrap_or_else(|e| e.into_inner());
        let from = stored.partition_point(|d| d.started() < range.start());
        let to = stored.partition_point(|d| d.started() < range.end());
        Ok(stored[from..to].to_vec())
    }
}
