//! The contract every [`DeploySource`](crate::DeploySource) must honour, as executable checks.
//!
//! Not stable API: it exists so that every deploy source of this crate (and third-party ones)
//! runs the same checks. Load [`DeployFixture::deploys`] into the source (or serve them from a
//! mock of its backend), then call [`DeployFixture::check_all`], which returns a description
//! of the first broken rule.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use sli_core::{Deploy, DeployOutcome, Rollout};

use crate::deploys::DynDeploySource;
use crate::range::TimeRange;

/// A set of deploys and the checks a source holding exactly them must pass.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployFixture {
    deploys: Vec<Deploy>,
}

impl Default for DeployFixture {
    /// [`DeployFixture::standard`] from 2026-03-02T00:00:00Z.
    fn default() -> Self {
        let start = Utc
            .with_ymd_and_hms(2026, 3, 2, 0, 0, 0)
            .single()
            .unwrap_or(DateTime::UNIX_EPOCH);
        Self::standard(start)
    }
}

fn at(start: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    start + TimeDelta::minutes(minutes)
}

impl DeployFixture {
    /// Checks for a source holding exactly `deploys` (in any order). The range checks need at
    /// least three distinct start times.
    pub fn new(deploys: Vec<Deploy>) -> Self {
        let mut deploys = deploys;
        crate::deploys::sort_deploys(&mut deploys);
        Self { deploys }
    }

    /// Eight deploys of three CodeDeploy deployment groups over a day from `start` (truncated
    /// to the minute): every rollout and outcome, two deploys at the same instant (ordered by
    /// id), overlapping deploys of one group.
    pub fn standard(start: DateTime<Utc>) -> Self {
        let start = DateTime::from_timestamp(start.timestamp() - start.timestamp() % 60, 0)
            .unwrap_or(start);
        let deploy = |id: &str, service: &str, minute: i64, rollout, outcome| {
            Deploy::new(id, service, at(start, minute))
                .and_then(|d| d.with_rollout(rollout))
                .and_then(|d| d.with_outcome(outcome))
        };
        let (checkout, search, api) = (
            "codedeploy:shop/checkout",
            "codedeploy:shop/search",
            "codedeploy:billing/api",
        );
        let complete = |minute| DeployOutcome::Complete {
            at: at(start, minute),
        };
        let deploys = [
            deploy("d-A0000001", checkout, 60, Rollout::Direct, complete(75)),
            deploy(
                "d-A0000002",
                search,
                60,
                Rollout::Canary { percent: 10.0 },
                complete(80),
            ),
            deploy(
                "d-A0000003",
                checkout,
                180,
                Rollout::Linear { percent: 20.0 },
                DeployOutcome::RolledBack { at: at(start, 190) },
            ),
            deploy(
                "d-A0000004",
                api,
                240,
                Rollout::Direct,
                DeployOutcome::Partial {
                    at: at(start, 250),
                    share: Some(0.25),
                },
            ),
            deploy("d-A0000005", api, 245, Rollout::Direct, complete(260)),
            deploy("d-A0000006", search, 600, Rollout::Direct, complete(600)),
            deploy(
                "d-A0000007",
                checkout,
                900,
                Rollout::Canary { percent: 5.0 },
                complete(930),
            ),
            deploy(
                "d-A0000008",
                checkout,
                1380,
                Rollout::Direct,
                DeployOutcome::Unknown,
            ),
        ];
        Self::new(deploys.into_iter().filter_map(Result::ok).collect())
    }

    /// The deploys, sorted by start, then by id.
    pub fn deploys(&self) -> &[Deploy] {
        &self.deploys
    }

    /// A range holding every deploy: from the first start to a day after the last.
    pub fn span(&self) -> Option<TimeRange> {
        let first = self.deploys.first()?.started();
        let last = self.deploys.last()?.started();
        TimeRange::new(first, last + TimeDelta::days(1)).ok()
    }

    /// Every check: all deploys over their span, in contract order and unchanged; a range
    /// that starts at one deploy's start (included) and ends at a later one's (excluded); and
    /// a range without deploys (an empty list, not an error).
    ///
    /// # Errors
    /// A description of the first rule the source broke.
    pub async fn check_all(&self, source: &DynDeploySource) -> Result<(), String> {
        let span = self
            .span()
            .ok_or_else(|| "the fixture holds no deploy".to_owned())?;
        self.check_range(source, span).await?;
        let mut starts: Vec<DateTime<Utc>> = self.deploys.iter().map(Deploy::started).collect();
        starts.dedup();
        if starts.len() < 3 {
            return Err("the fixture needs three distinct start times".to_owned());
        }
        let inner =
            TimeRange::new(starts[1], starts[starts.len() - 1]).map_err(|e| e.to_string())?;
        self.check_range(source, inner).await?;
        let last = starts[starts.len() - 1];
        let empty = TimeRange::new(last + TimeDelta::seconds(1), last + TimeDelta::hours(1))
            .map_err(|e| e.to_string())?;
        self.check_range(source, empty).await
    }

    async fn check_range(&self, source: &DynDeploySource, range: TimeRange) -> Result<(), String> {
        let want: Vec<&Deploy> = self
            .deploys
            .iter()
            .filter(|d| d.started() >= range.start() && d.started() < range.end())
            .collect();
        let got = source.deploys(&range).await.map_err(|e| {
            format!(
                "{source}: deploys {} .. {} failed: {e}",
                range.start(),
                range.end()
            )
        })?;
        let ids = |list: &mut dyn Iterator<Item = &Deploy>| -> Vec<String> {
            list.map(|d| d.id().to_owned()).collect()
        };
        let (got_ids, want_ids) = (ids(&mut got.iter()), ids(&mut want.iter().copied()));
        if got_ids != want_ids {
            return Err(format!(
                "{source}: deploys {} .. {} returned {got_ids:?}, expected {want_ids:?} (start included, end excluded, sorted by start then id)",
                range.start(),
                range.end()
            ));
        }
        for (g, w) in got.iter().zip(want) {
            if g != w {
                return Err(format!(
                    "{source}: deploy {} read as {g:?}, expected {w:?}",
                    w.id()
                ));
            }
        }
        Ok(())
    }
}
