//! `CodeDeploySource` through the SDK's mock layer. moto's CodeDeploy (5.2.5, the version
//! scripts/test.sh pins) lists and describes deployments but never starts them (every
//! deployment stays `Created`, without start or end), does not page, and has no
//! `GetDeploymentConfig`: nothing this adapter reads beyond the listing. Here: the deploy
//! contract on the standard fixture (every rollout and outcome), batches of 25, one
//! configuration lookup per name, paging and its loop guard, deployments not yet started,
//! bad deployments as typed errors, and the bound on deployments read. What moto does model
//! (the listing on the wire) is tested in `codedeploy_emulator.rs`.

#![cfg(feature = "codedeploy")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use aws_sdk_codedeploy::Client;
use aws_sdk_codedeploy::operation::batch_get_deployments::BatchGetDeploymentsOutput;
use aws_sdk_codedeploy::operation::get_deployment_config::GetDeploymentConfigOutput;
use aws_sdk_codedeploy::operation::list_deployments::ListDeploymentsOutput;
use aws_sdk_codedeploy::primitives::DateTime as SdkDateTime;
use aws_sdk_codedeploy::types::{
    ComputePlatform, DeploymentConfigInfo, DeploymentInfo, DeploymentOverview, DeploymentStatus,
    RollbackInfo, TimeBasedCanary, TimeBasedLinear, TrafficRoutingConfig, TrafficRoutingType,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_telemetry::deploy_conformance::DeployFixture;
use aws_telemetry::{
    CodeDeploySource, DeploySource, EventSourceError, RecordError, RetryPolicy, ServiceError,
    TimeRange,
};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{Deploy, DeployOutcome, Rollout};

fn retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(1)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

fn sdk(at: DateTime<Utc>) -> SdkDateTime {
    SdkDateTime::from_secs(at.timestamp())
}

fn config_name(rollout: Rollout) -> String {
    match rollout {
        Rollout::Direct => "CodeDeployDefault.AllAtOnce".to_owned(),
        Rollout::Canary { percent } => format!("Canary{percent}"),
        Rollout::Linear { percent } => format!("Linear{percent}"),
        _ => unreachable!(),
    }
}

/// The deployment CodeDeploy would describe for `deploy`.
fn info(deploy: &Deploy) -> DeploymentInfo {
    let service = deploy.service().trim_start_matches("codedeploy:");
    let (application, group) = service.split_once('/').unwrap();
    let builder = DeploymentInfo::builder()
        .deployment_id(deploy.id())
        .application_name(application)
        .deployment_group_name(group)
        .deployment_config_name(config_name(deploy.rollout()))
        .create_time(sdk(deploy.started() - TimeDelta::seconds(5)))
        .start_time(sdk(deploy.started()));
    match deploy.outcome() {
        DeployOutcome::Complete { at } => builder
            .status(DeploymentStatus::Succeeded)
            .complete_time(sdk(at))
            .compute_platform(ComputePlatform::Lambda),
        DeployOutcome::RolledBack { at } => builder
            .status(DeploymentStatus::Failed)
            .complete_time(sdk(at))
            .compute_platform(ComputePlatform::Ecs)
            .rollback_info(
                RollbackInfo::builder()
                    .rollback_deployment_id(format!("{}-rb", deploy.id()))
                    .build(),
            ),
        DeployOutcome::Partial { at, share } => {
            // One instance of four succeeded: a quarter of the fleet runs the new revision.
            assert_eq!(share, Some(0.25));
            builder
                .status(DeploymentStatus::Stopped)
                .complete_time(sdk(at))
                .compute_platform(ComputePlatform::Server)
                .deployment_overview(
                    DeploymentOverview::builder()
                        .succeeded(1)
                        .failed(1)
                        .skipped(2)
                        .build(),
                )
        }
        _ => builder
            .status(DeploymentStatus::InProgress)
            .compute_platform(ComputePlatform::Server),
    }
    .build()
}

fn config_rule() -> Rule {
    mock!(Client::get_deployment_config)
        .then_output(|| GetDeploymentConfigOutput::builder().build())
}

/// Rules answering for `deployments`: listings per group in pages of three, batch gets of
/// what is asked, configurations by name.
fn rules(deployments: Vec<DeploymentInfo>) -> Vec<Rule> {
    let mut rules = Vec::new();
    let mut groups: Vec<(String, String)> = deployments
        .iter()
        .map(|d| {
            (
                d.application_name().unwrap().to_owned(),
                d.deployment_group_name().unwrap().to_owned(),
            )
        })
        .collect();
    groups.sort();
    groups.dedup();
    for (app, group) in groups {
        let ids: Vec<String> = deployments
            .iter()
            .filter(|d| {
                d.application_name() == Some(&app) && d.deployment_group_name() == Some(&group)
            })
            .map(|d| d.deployment_id().unwrap().to_owned())
            .collect();
        let pages: Vec<Vec<String>> = ids.chunks(3).map(<[String]>::to_vec).collect();
        for (page, ids) in pages.iter().enumerate() {
            let (app, group, ids) = (app.clone(), group.clone(), ids.clone());
            let token = (page > 0).then(|| format!("{app}/{group}/{page}"));
            let next = (page + 1 < pages.len()).then(|| format!("{app}/{group}/{}", page + 1));
            rules.push(
                mock!(Client::list_deployments)
                    .match_requests(move |r| {
                        r.application_name() == Some(&app)
                            && r.deployment_group_name() == Some(&group)
                            && r.create_time_range().is_some()
                            && r.next_token().map(str::to_owned) == token
                    })
                    .then_output(move || {
                        ListDeploymentsOutput::builder()
                            .set_deployments(Some(ids.clone()))
                            .set_next_token(next.clone())
                            .build()
                    }),
            );
        }
    }
    rules.push(
        mock!(Client::batch_get_deployments)
            .match_requests(|r| r.deployment_ids().len() <= 25)
            .then_output(move || BatchGetDeploymentsOutput::builder().build()),
    );
    rules
}

/// A client over `rules`, plus batch gets answered from `deployments` and the three
/// configurations of the fixture. Returns the client and the batch and config rules.
fn mocked(deployments: Vec<DeploymentInfo>) -> (Client, Vec<Rule>) {
    let mut all = rules(deployments.clone());
    all.pop(); // the placeholder batch rule: replaced by one that answers with the infos
    let batch = mock!(Client::batch_get_deployments)
        .match_requests(|r| r.deployment_ids().len() <= 25)
        .then_compute_output(move |r| {
            let asked = r.deployment_ids();
            BatchGetDeploymentsOutput::builder()
                .set_deployments_info(Some(
                    deployments
                        .iter()
                        .filter(|d| {
                            asked
                                .iter()
                                .any(|id| Some(id.as_str()) == d.deployment_id())
                        })
                        .cloned()
                        .collect(),
                ))
                .build()
        });
    all.push(batch);
    for (name, routing) in [
        (
            "CodeDeployDefault.AllAtOnce",
            TrafficRoutingConfig::builder()
                .r#type(TrafficRoutingType::AllAtOnce)
                .build(),
        ),
        (
            "Canary10",
            TrafficRoutingConfig::builder()
                .r#type(TrafficRoutingType::TimeBasedCanary)
                .time_based_canary(
                    TimeBasedCanary::builder()
                        .canary_percentage(10)
                        .canary_interval(5)
                        .build(),
                )
                .build(),
        ),
        (
            "Canary5",
            TrafficRoutingConfig::builder()
                .r#type(TrafficRoutingType::TimeBasedCanary)
                .time_based_canary(
                    TimeBasedCanary::builder()
                        .canary_percentage(5)
                        .canary_interval(15)
                        .build(),
                )
                .build(),
        ),
        (
            "Linear20",
            TrafficRoutingConfig::builder()
                .r#type(TrafficRoutingType::TimeBasedLinear)
                .time_based_linear(
                    TimeBasedLinear::builder()
                        .linear_percentage(20)
                        .linear_interval(2)
                        .build(),
                )
                .build(),
        ),
    ] {
        all.push(
            mock!(Client::get_deployment_config)
                .match_requests(move |r| r.deployment_config_name() == Some(name))
                .then_output(move || {
                    GetDeploymentConfigOutput::builder()
                        .deployment_config_info(
                            DeploymentConfigInfo::builder()
                                .deployment_config_name(name)
                                .traffic_routing_config(routing.clone())
                                .build(),
                        )
                        .build()
                }),
        );
    }
    let refs: Vec<&Rule> = all.iter().collect();
    (
        mock_client!(aws_sdk_codedeploy, RuleMode::MatchAny, &refs),
        all,
    )
}

fn fixture_source() -> (CodeDeploySource, Vec<Rule>) {
    let fixture = DeployFixture::default();
    let (client, rules) = mocked(fixture.deploys().iter().map(info).collect());
    let source = CodeDeploySource::from_client(client, retries(), "shop", "checkout")
        .with_group("shop", "search")
        .with_group("billing", "api");
    (source, rules)
}

#[tokio::test]
async fn codedeploy_honours_the_deploy_contract() {
    let (source, rules) = fixture_source();
    DeployFixture::default().check_all(&source).await.unwrap();
    assert!(source.to_string().starts_with("CodeDeploy"), "{source}");
    // Four configuration names, each asked at most once per call (three calls).
    let config_calls: usize = rules[rules.len() - 4..].iter().map(Rule::num_calls).sum();
    assert!(config_calls <= 12, "{config_calls}");
}

#[tokio::test]
async fn batches_hold_at_most_25_deployments_and_configs_are_asked_once() {
    let t0 = DateTime::parse_from_rfc3339("2026-03-02T00:00:00Z")
        .unwrap()
        .to_utc();
    let deploys: Vec<Deploy> = (0..30)
        .map(|i| {
            Deploy::new(
                format!("d-{i:08}"),
                "codedeploy:shop/checkout",
                t0 + TimeDelta::minutes(10 * i),
            )
            .unwrap()
            .with_rollout(Rollout::Canary { percent: 10.0 })
            .unwrap()
            .with_outcome(DeployOutcome::Complete {
                at: t0 + TimeDelta::minutes(10 * i + 5),
            })
            .unwrap()
        })
        .collect();
    let (client, rules) = mocked(deploys.iter().map(info).collect());
    let source = CodeDeploySource::from_client(client, retries(), "shop", "checkout");
    let range = TimeRange::new(t0, t0 + TimeDelta::days(1)).unwrap();
    let got = source.deploys(&range).await.unwrap();
    assert_eq!(got, deploys);
    let calls = |i: usize| rules[i].num_calls();
    // Ten listing pages of three, two batches (25 + 5), one configuration lookup.
    let listings: usize = (0..10).map(calls).sum();
    assert_eq!(listings, 10);
    assert_eq!(calls(10), 2);
    assert_eq!(calls(12), 1, "Canary10 asked once");
    assert_eq!(calls(11) + calls(13) + calls(14), 0);
}

#[tokio::test]
async fn unstarted_deployments_are_left_out_and_bad_ones_are_typed_errors() {
    let t0 = DateTime::parse_from_rfc3339("2026-03-02T00:00:00Z")
        .unwrap()
        .to_utc();
    let range = TimeRange::new(t0, t0 + TimeDelta::days(1)).unwrap();
    let queued = DeploymentInfo::builder()
        .deployment_id("d-QUEUED01")
        .application_name("shop")
        .deployment_group_name("checkout")
        .deployment_config_name("NoSuchConfig")
        .status(DeploymentStatus::Queued)
        .create_time(sdk(t0 + TimeDelta::minutes(1)))
        .build();
    let (client, _rules) = mocked(vec![queued.clone()]);
    let source = CodeDeploySource::from_client(client, retries(), "shop", "checkout");
    assert_eq!(source.deploys(&range).await.unwrap(), vec![]);

    // Completed before it started.
    let backwards = DeploymentInfo::builder()
        .deployment_id("d-BACKWARD")
        .application_name("shop")
        .deployment_group_name("checkout")
        .status(DeploymentStatus::Succeeded)
        .start_time(sdk(t0 + TimeDelta::minutes(10)))
        .complete_time(sdk(t0 + TimeDelta::minutes(9)))
        .build();
    let (client, _rules) = mocked(vec![queued, backwards]);
    let source = CodeDeploySource::from_client(client, retries(), "shop", "checkout");
    match source.deploys(&range).await.unwrap_err() {
        EventSourceError::Record(RecordError::Field {
            origin,
            index,
            field,
            reason,
        }) => {
            assert_eq!(
                (origin.as_str(), index, field),
                ("CodeDeploy", 1, "completeTime")
            );
            assert!(reason.contains("before the start"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn paging_is_bounded_and_a_token_loop_is_an_error() {
    let t0 = DateTime::parse_from_rfc3339("2026-03-02T00:00:00Z")
        .unwrap()
        .to_utc();
    let range = TimeRange::new(t0, t0 + TimeDelta::days(1)).unwrap();
    let (source, _rules) = fixture_source();
    match source
        .with_max_deploys(4)
        .deploys(&range)
        .await
        .unwrap_err()
    {
        EventSourceError::LimitExceeded { limit, what, .. } => {
            assert_eq!(limit, 4);
            assert_eq!(what, "CodeDeploy deployments listed");
        }
        other => panic!("{other:?}"),
    }
    let looping = mock!(Client::list_deployments).then_output(|| {
        ListDeploymentsOutput::builder()
            .deployments("d-1")
            .next_token("again")
            .build()
    });
    let client = mock_client!(
        aws_sdk_codedeploy,
        RuleMode::MatchAny,
        &[&looping, &config_rule()]
    );
    let source = CodeDeploySource::from_client(client, retries(), "shop", "checkout");
    match source.deploys(&range).await.unwrap_err() {
        EventSourceError::Service(ServiceError::InvalidResponse { reason, .. }) => {
            assert!(reason.contains("\"again\""), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(looping.num_calls(), 2);
}
