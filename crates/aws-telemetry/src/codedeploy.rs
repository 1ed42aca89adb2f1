//! The CodeDeploy adapter: [`CodeDeploySource`], a [`DeploySource`](crate::DeploySource) on
//! `aws-sdk-codedeploy`.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_codedeploy::Client;
use aws_sdk_codedeploy::types::{
    ComputePlatform, DeploymentInfo, DeploymentStatus, TimeRange as SdkTimeRange,
};
use chrono::TimeDelta;
use sli_core::{Deploy, DeployOutcome, Rollout};

use crate::deploys::{DeploySource, MAX_DEPLOYS, record_error, sort_deploys};
use crate::error::{EventSourceError, RecordError, ServiceError};
use crate::range::TimeRange;
use crate::retry::RetryPolicy;
use crate::sdk::{
    Attempts, NextTokens, chrono_time, display_with_region, map_sdk_error, sdk_time, with_retry,
};

const BACKEND: &str = "CodeDeploy";

/// `BatchGetDeployments`' limit: at most 25 deployment ids per call.
pub const BATCH_GET_DEPLOYMENTS_MAX: usize = 25;

/// How long before a range's start a deployment may have been created and still start in it:
/// one hour. `ListDeployments` filters on the creation time, and a deployment waits in
/// `Created` or `Queued` while another deployment of its group runs; an hour covers a queue
/// behind a long in-place deployment. A deployment queued longer than that before starting
/// in the range is missed.
pub const QUEUE_ALLOWANCE: TimeDelta = TimeDelta::hours(1);

/// A [`DeploySource`] reading deployments of CodeDeploy deployment groups.
///
/// Per call: `ListDeployments` for each group over the range (widened by
/// [`QUEUE_ALLOWANCE`]), following `NextToken` (a token seen twice is an error, not a loop);
/// `BatchGetDeployments` in batches of [`BATCH_GET_DEPLOYMENTS_MAX`]; `GetDeploymentConfig`
/// once per deployment configuration named, for its traffic routing. At most
/// [`MAX_DEPLOYS`] deployments are read ([`CodeDeploySource::with_max_deploys`] sets
/// another); past that, [`EventSourceError::LimitExceeded`].
///
/// Each deployment becomes a [`Deploy`] named by its deployment id, of service
/// `codedeploy:APPLICATION/GROUP`, starting at its `startTime` (its `createTime` if it has
/// none):
/// * rollout: the configuration's `TimeBasedCanary` → [`Rollout::Canary`],
///   `TimeBasedLinear` → [`Rollout::Linear`], anything else (`AllAtOnce`, the EC2/on-premises
///   configurations, none) → [`Rollout::Direct`];
/// * outcome: `Succeeded` → [`DeployOutcome::Complete`] at `completeTime`; `Failed` or
///   `Stopped` with a rollback deployment named in `rollbackInfo` →
///   [`DeployOutcome::RolledBack`]; otherwise `Failed` or `Stopped` →
///   [`DeployOutcome::Partial`], with the share of instances that succeeded
///   (`deploymentOverview`) on the EC2/on-premises platform, unknown on Lambda and ECS (where
///   the traffic share at the stop is not in the record); `InProgress`, `Baking`, `Ready`, or
///   no `completeTime` → [`DeployOutcome::Unknown`]. `Created` and `Queued` deployments have
///   served nothing yet and are left out.
///
/// # Example
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_telemetry::{CodeDeploySource, DeploySource, TimeRange};
/// use chrono::{TimeDelta, Utc};
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// let source = CodeDeploySource::new(&config, "shop", "checkout-prod");
/// let now = Utc::now();
/// let deploys = source.deploys(&TimeRange::new(now - TimeDelta::days(7), now)?).await?;
/// println!("{} deploys this week", deploys.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct CodeDeploySource {
    client: Client,
    groups: Vec<(String, String)>,
    max_deploys: usize,
}

impl CodeDeploySource {
    /// A source for one deployment group from the caller's SDK configuration, with the
    /// default [`RetryPolicy`].
    pub fn new(
        config: &aws_config::SdkConfig,
        application: impl Into<String>,
        group: impl Into<String>,
    ) -> Self {
        Self::from_client(
            Client::new(config),
            RetryPolicy::default(),
            application,
            group,
        )
    }

    /// A source for one deployment group from a ready client; `retry` replaces the client's
    /// retry configuration.
    pub fn from_client(
        client: Client,
        retry: RetryPolicy,
        application: impl Into<String>,
        group: impl Into<String>,
    ) -> Self {
        Self {
            client: with_retry!(Client, client, retry),
            groups: vec![(application.into(), group.into())],
            max_deploys: MAX_DEPLOYS,
        }
    }

    /// The same source, reading another deployment group too.
    #[must_use]
    pub fn with_group(mut self, application: impl Into<String>, group: impl Into<String>) -> Self {
        self.groups.push((application.into(), group.into()));
        self
    }

    /// The same source, reading at most `max` deployments per call instead of
    /// [`MAX_DEPLOYS`].
    #[must_use]
    pub fn with_max_deploys(mut self, max: usize) -> Self {
        self.max_deploys = max;
        self
    }

    /// The ids of the deployments of one group created in `range`.
    async fn list(
        &self,
        application: &str,
        group: &str,
        range: &TimeRange,
        ids: &mut Vec<String>,
    ) -> Result<(), EventSourceError> {
        let created = SdkTimeRange::builder()
            .start(sdk_time(range.start() - QUEUE_ALLOWANCE))
            .end(sdk_time(range.end()))
            .build();
        let mut token: Option<String> = None;
        let mut tokens = NextTokens::default();
        loop {
            let attempts = Attempts::default();
            let output = self
                .client
                .list_deployments()
                .application_name(application)
                .deployment_group_name(group)
                .create_time_range(created.clone())
                .set_next_token(token.take())
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error(BACKEND, e, attempts.count()))?;
            for id in output.deployments() {
                if ids.len() >= self.max_deploys {
                    return Err(EventSourceError::LimitExceeded {
                        what: "CodeDeploy deployments listed",
                        limit: self.max_deploys as u64,
                        requested: ids.len() as u64 + 1,
                        origin: format!("ListDeployments {application}/{group}"),
                    });
                }
                ids.push(id.clone());
            }
            token = tokens.follow(BACKEND, output.next_token())?;
            if token.is_none() {
                return Ok(());
            }
        }
    }

    /// The rollout of a deployment configuration, asked once per name.
    async fn rollout(
        &self,
        name: &str,
        cache: &mut HashMap<String, Rollout>,
    ) -> Result<Rollout, ServiceError> {
        if let Some(rollout) = cache.get(name) {
            return Ok(*rollout);
        }
        let attempts = Attempts::default();
        let output = self
            .client
            .get_deployment_config()
            .deployment_config_name(name)
            .customize()
            .interceptor(attempts.clone())
            .send()
            .await
            .map_err(|e| map_sdk_error(BACKEND, e, attempts.count()))?;
        let routing = output
            .deployment_config_info()
            .and_then(|c| c.traffic_routing_config());
        let canary = routing.and_then(|r| r.time_based_canary());
        let linear = routing.and_then(|r| r.time_based_linear());
        let rollout = match (canary, linear) {
            (Some(c), _) => Rollout::Canary {
                percent: f64::from(c.canary_percentage()),
            },
            (None, Some(l)) => Rollout::Linear {
                percent: f64::from(l.linear_percentage()),
            },
            (None, None) => Rollout::Direct,
        };
        cache.insert(name.to_owned(), rollout);
        Ok(rollout)
    }
}

display_with_region!(CodeDeploySource, "CodeDeploy");

/// The share of instances that run the new revision, from `deploymentOverview`.
fn instance_share(info: &DeploymentInfo) -> Option<f64> {
    if info.compute_platform() != Some(&ComputePlatform::Server) {
        return None;
    }
    let o = info.deployment_overview()?;
    let total =
        o.pending() + o.in_progress() + o.succeeded() + o.failed() + o.skipped() + o.ready();
    (o.succeeded() > 0 && total > 0).then(|| o.succeeded() as f64 / total as f64)
}

/// The deploy of one deployment, `None` for one that has not started.
fn to_deploy(
    info: &DeploymentInfo,
    rollout: Rollout,
    index: usize,
) -> Result<Option<Deploy>, RecordError> {
    let origin = "CodeDeploy";
    let field_error = |field, reason: String| RecordError::Field {
        origin: origin.to_owned(),
        index,
        field,
        reason,
    };
    let status = info.status();
    if matches!(
        status,
        Some(DeploymentStatus::Created | DeploymentStatus::Queued)
    ) {
        return Ok(None);
    }
    let id = info
        .deployment_id()
        .ok_or_else(|| field_error("deploymentId", "is missing".to_owned()))?;
    let service = format!(
        "codedeploy:{}/{}",
        info.application_name().unwrap_or_default(),
        info.deployment_group_name().unwrap_or_default()
    );
    if info.deployment_group_name().is_none_or(str::is_empty) {
        return Err(field_error(
            "deploymentGroupName",
            format!("is missing from deployment {id}: the deployment names no service"),
        ));
    }
    let started = info
        .start_time()
        .or(info.create_time())
        .ok_or_else(|| field_error("startTime", format!("and createTime are missing from {id}")))?;
    let started = chrono_time(started)
        .ok_or_else(|| field_error("startTime", format!("{started} is out of range")))?;
    let completed = match info.complete_time() {
        Some(at) => Some(
            chrono_time(at)
                .ok_or_else(|| field_error("completeTime", format!("{at} is out of range")))?,
        ),
        None => None,
    };
    if let Some(at) = completed
        && at < started
    {
        return Err(field_error(
            "completeTime",
            format!(
                "{} is before the start {}",
                at.to_rfc3339(),
                started.to_rfc3339()
            ),
        ));
    }
    let rolled_back = info
        .rollback_info()
        .and_then(|r| r.rollback_deployment_id())
        .is_some_and(|r| !r.is_empty());
    let outcome = match (status, completed) {
        (Some(DeploymentStatus::Succeeded), Some(at)) => DeployOutcome::Complete { at },
        (Some(DeploymentStatus::Failed | DeploymentStatus::Stopped), Some(at)) if rolled_back => {
            DeployOutcome::RolledBack { at }
        }
        (Some(DeploymentStatus::Failed | DeploymentStatus::Stopped), Some(at)) => {
            DeployOutcome::Partial {
                at,
                share: instance_share(info),
            }
        }
        _ => DeployOutcome::Unknown,
    };
    Deploy::new(id, service, started)
        .and_then(|d| d.with_rollout(rollout))
        .and_then(|d| d.with_outcome(outcome))
        .map(Some)
        .map_err(|e| record_error(origin, index, e))
}

#[async_trait]
impl DeploySource for CodeDeploySource {
    async fn deploys(&self, range: &TimeRange) -> Result<Vec<Deploy>, EventSourceError> {
        let mut ids = Vec::new();
        for (application, group) in &self.groups {
            self.list(application, group, range, &mut ids).await?;
        }
        let mut configs = HashMap::new();
        let mut deploys = Vec::new();
        let mut index = 0;
        for batch in ids.chunks(BATCH_GET_DEPLOYMENTS_MAX) {
            let attempts = Attempts::default();
            let output = self
                .client
                .batch_get_deployments()
                .set_deployment_ids(Some(batch.to_vec()))
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error(BACKEND, e, attempts.count()))?;
            for info in output.deployments_info() {
                if matches!(
                    info.status(),
                    Some(DeploymentStatus::Created | DeploymentStatus::Queued)
                ) {
                    // Not started: no traffic yet, and no configuration to ask for.
                    index += 1;
                    continue;
                }
                let rollout = match info.deployment_config_name() {
                    Some(name) if !name.is_empty() => self.rollout(name, &mut configs).await?,
                    _ => Rollout::Direct,
                };
                if let Some(deploy) = to_deploy(info, rollout, index)?
                    && range.contains(deploy.started())
                {
                    deploys.push(deploy);
                }
                index += 1;
            }
        }
        sort_deploys(&mut deploys);
        Ok(deploys)
    }
}
