//! `CodeDeploySource` with the real SDK over HTTP against moto in server mode, started by
//! `scripts/test.sh` (which sets `AWS_TELEMETRY_EMULATOR=1`, `AWS_ENDPOINT_URL` and test
//! credentials); elsewhere these tests print SKIPPED and pass without running.
//!
//! What moto models is the listing: `CreateDeployment`, then `ListDeployments` (filtered by
//! creation time) and `BatchGetDeployments` on the wire. It never starts a deployment (every
//! one stays `Created`, with no start or end) and has no `GetDeploymentConfig`, so the deploys
//! themselves, their rollouts and outcomes, are tested on the SDK's mock layer
//! (`codedeploy_mock.rs`).

#![cfg(feature = "codedeploy")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aws_config::{BehaviorVersion, Region};
use aws_sdk_codedeploy::Client;
use aws_sdk_codedeploy::types::{
    BundleType, ComputePlatform, RevisionLocation, RevisionLocationType, S3Location,
};
use aws_telemetry::{CodeDeploySource, DeploySource, RetryPolicy, TimeRange};
use chrono::{TimeDelta, Utc};

async fn emulator(test: &str) -> Option<aws_config::SdkConfig> {
    if std::env::var("AWS_TELEMETRY_EMULATOR").as_deref() != Ok("1") {
        eprintln!("SKIPPED {test}: no emulator (run `bash scripts/test.sh`, which starts moto)");
        return None;
    }
    Some(
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .load()
            .await,
    )
}

#[tokio::test]
async fn deployments_are_listed_over_http_and_unstarted_ones_left_out() {
    let Some(config) =
        emulator("deployments_are_listed_over_http_and_unstarted_ones_left_out").await
    else {
        return;
    };
    let client = Client::new(&config);
    let application = format!("shop-{}", std::process::id());
    client
        .create_application()
        .application_name(&application)
        .compute_platform(ComputePlatform::Server)
        .send()
        .await
        .unwrap();
    client
        .create_deployment_group()
        .application_name(&application)
        .deployment_group_name("checkout")
        .service_role_arn("arn:aws:iam::123456789012:role/codedeploy")
        .send()
        .await
        .unwrap();
    let revision = RevisionLocation::builder()
        .revision_type(RevisionLocationType::S3)
        .s3_location(
            S3Location::builder()
                .bucket("releases")
                .key("checkout.zip")
                .bundle_type(BundleType::Zip)
                .build(),
        )
        .build();
    let created = client
        .create_deployment()
        .application_name(&application)
        .deployment_group_name("checkout")
        .deployment_config_name("CodeDeployDefault.OneAtATime")
        .revision(revision)
        .send()
        .await
        .unwrap();
    let id = created.deployment_id().unwrap().to_owned();

    // The wire: moto lists the deployment for a range around now, and describes it.
    let now = Utc::now();
    let around = TimeRange::new(now - TimeDelta::hours(1), now + TimeDelta::hours(1)).unwrap();
    let listed = client
        .list_deployments()
        .application_name(&application)
        .deployment_group_name("checkout")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.deployments(), std::slice::from_ref(&id));
    let described = client
        .batch_get_deployments()
        .deployment_ids(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(described.deployments_info().len(), 1);

    // The source reads the same listing: the deployment has not started (moto never starts
    // one), so it is no deploy yet; no GetDeploymentConfig is asked (moto has none).
    let source = CodeDeploySource::from_client(
        client.clone(),
        RetryPolicy::default(),
        application.clone(),
        "checkout",
    );
    assert_eq!(source.deploys(&around).await.unwrap(), vec![]);
}
