//! The S3 exposure adapter. Against the emulator (moto, started by `scripts/test.sh`, which
//! sets `AWS_TELEMETRY_EMULATOR=1` and `AWS_ENDPOINT_URL`): buckets with a public policy, with
//! public access blocked, with a public ACL, with ACLs disabled, and with nothing configured,
//! read through the real SDK over HTTP (moto 5.2.5 implements every call the adapter makes:
//! ListBuckets, GetBucketPolicyStatus, GetPublicAccessBlock, GetBucketAcl,
//! GetBucketOwnershipControls). Outside that command the emulator tests print SKIPPED.
//! Through the SDK's mock layer: the `NoSuch…` errors as S3 sends them, grants to
//! `AuthenticatedUsers` and other groups, denied access naming the bucket, and throttling.

#![cfg(feature = "s3")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{
    BucketCannedAcl, ObjectOwnership as SdkOwnership, OwnershipControls, OwnershipControlsRule,
    PublicAccessBlockConfiguration,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_telemetry::{
    AclGrant, Exposure, ExposureSource, Grantee, ObjectOwnership, Permission, PublicAccessBlock,
    RetryPolicy, S3ExposureSource, ServiceError,
};

fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

/// A path-style S3 client on the emulator, or `None` (with a loud SKIPPED line) without one.
async fn emulator(test: &str) -> Option<Client> {
    if std::env::var("AWS_TELEMETRY_EMULATOR").as_deref() != Ok("1") {
        eprintln!("SKIPPED {test}: no S3 emulator (run `bash scripts/test.sh`, which starts one)");
        return None;
    }
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .load()
        .await;
    let s3 = aws_sdk_s3::config::Builder::from(&config)
        .force_path_style(true)
        .build();
    Some(Client::from_conf(s3))
}

fn public_policy(bucket: &str) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
            "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")
        }]
    })
    .to_string()
}

#[tokio::test]
async fn emulator_buckets_give_their_exposure_facts() {
    let Some(client) = emulator("emulator_buckets_give_their_exposure_facts").await else {
        return;
    };
    let prefix = format!(
        "exposure-{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    );
    let name = |suffix: &str| format!("{prefix}-{suffix}");
    for suffix in ["policy", "blocked", "acl", "enforced", "nothing"] {
        client
            .create_bucket()
            .bucket(name(suffix))
            .send()
            .await
            .unwrap();
    }
    // A public policy.
    client
        .put_bucket_policy()
        .bucket(name("policy"))
        .policy(public_policy(&name("policy")))
        .send()
        .await
        .unwrap();
    // The same policy, with all of Block Public Access on.
    client
        .put_bucket_policy()
        .bucket(name("blocked"))
        .policy(public_policy(&name("blocked")))
        .send()
        .await
        .unwrap();
    client
        .put_public_access_block()
        .bucket(name("blocked"))
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // A public-read ACL, and the same with ACLs disabled.
    for suffix in ["acl", "enforced"] {
        client
            .put_bucket_acl()
            .bucket(name(suffix))
            .acl(BucketCannedAcl::PublicRead)
            .send()
            .await
            .unwrap();
    }
    client
        .put_bucket_ownership_controls()
        .bucket(name("enforced"))
        .ownership_controls(
            OwnershipControls::builder()
                .rules(
                    OwnershipControlsRule::builder()
                        .object_ownership(SdkOwnership::BucketOwnerEnforced)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    let source = S3ExposureSource::from_client(client, fast_retries(3));
    let all = source.buckets().await.unwrap();
    let mine: Vec<_> = all
        .iter()
        .filter(|b| b.bucket.starts_with(&prefix))
        .collect();
    let names: Vec<&str> = mine.iter().map(|b| b.bucket.as_str()).collect();
    assert_eq!(
        names,
        [
            name("acl"),
            name("blocked"),
            name("enforced"),
            name("nothing"),
            name("policy")
        ],
        "every bucket, in name order"
    );
    let [acl, blocked, enforced, nothing, policy] = mine[..] else {
        unreachable!()
    };

    assert_eq!(policy.policy_is_public, Some(true));
    assert_eq!(
        policy.public_access_block, None,
        "NoSuchPublicAccessBlockConfiguration is not set"
    );
    assert_eq!(
        policy.object_ownership, None,
        "OwnershipControlsNotFoundError is not set"
    );
    assert!(matches!(policy.exposure(), Exposure::Public(ref r) if r[0].contains("policy")));

    assert_eq!(blocked.policy_is_public, Some(true));
    assert_eq!(blocked.public_access_block, Some(PublicAccessBlock::ALL));
    assert_eq!(blocked.exposure(), Exposure::Private);

    assert_eq!(acl.policy_is_public, None, "NoSuchBucketPolicy is not set");
    assert!(
        acl.acl_grants
            .contains(&AclGrant::new(Grantee::AllUsers, Permission::Read))
    );
    assert!(matches!(acl.exposure(), Exposure::Public(ref r) if r[0].contains("AllUsers")));

    assert_eq!(
        enforced.object_ownership,
        Some(ObjectOwnership::BucketOwnerEnforced)
    );
    assert!(
        enforced
            .acl_grants
            .iter()
            .any(|g| g.grantee == Grantee::AllUsers)
    );
    assert_eq!(enforced.exposure(), Exposure::Private, "ACLs are disabled");

    assert_eq!(nothing.policy_is_public, None);
    assert_eq!(nothing.public_access_block, None);
    assert_eq!(nothing.object_ownership, None);
    assert!(
        nothing
            .acl_grants
            .iter()
            .all(|g| matches!(g.grantee, Grantee::Account(_))),
        "{:?}",
        nothing.acl_grants
    );
    assert!(
        nothing
            .acl_grants
            .iter()
            .any(|g| g.permission == Permission::FullControl),
        "the owner's grant"
    );
    assert_eq!(nothing.exposure(), Exposure::Private);
}

fn s3_xml(status: u16, body: &'static str) -> HttpResponse {
    let mut response = HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body));
    response
        .headers_mut()
        .insert("content-type", "application/xml");
    response
}

fn s3_error(status: u16, code: &'static str) -> HttpResponse {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{code}</Message><BucketName>logs</BucketName><RequestId>4442587FB7D0A2F9</RequestId><HostId>abc</HostId></Error>"
    );
    let mut response = HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body));
    response
        .headers_mut()
        .insert("content-type", "application/xml");
    response
}

const LIST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be</ID></Owner>
  <Buckets><Bucket><Name>logs</Name><CreationDate>2019-12-11T23:32:47+00:00</CreationDate><BucketRegion>eu-west-1</BucketRegion></Bucket></Buckets>
</ListAllMyBucketsResult>"#;

const ACL_AUTHENTICATED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be</ID></Owner>
  <AccessControlList>
    <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>
    <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AuthenticatedUsers</URI></Grantee><Permission>READ</Permission></Grant>
    <Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/s3/LogDelivery</URI></Grantee><Permission>WRITE</Permission></Grant>
  </AccessControlList>
</AccessControlPolicy>"#;

#[tokio::test]
async fn not_set_errors_are_none_and_groups_are_recognised() {
    let list = mock!(Client::list_buckets).then_http_response(|| s3_xml(200, LIST));
    let policy = mock!(Client::get_bucket_policy_status)
        .match_requests(|r| r.bucket() == Some("logs"))
        .then_http_response(|| s3_error(404, "NoSuchBucketPolicy"));
    let block = mock!(Client::get_public_access_block)
        .then_http_response(|| s3_error(404, "NoSuchPublicAccessBlockConfiguration"));
    let acl = mock!(Client::get_bucket_acl).then_http_response(|| s3_xml(200, ACL_AUTHENTICATED));
    let ownership = mock!(Client::get_bucket_ownership_controls)
        .then_http_response(|| s3_error(404, "OwnershipControlsNotFoundError"));
    let client = mock_client!(
        aws_sdk_s3,
        RuleMode::MatchAny,
        &[&list, &policy, &block, &acl, &ownership]
    );
    let buckets = S3ExposureSource::from_client(client, fast_retries(1))
        .buckets()
        .await
        .unwrap();
    assert_eq!(buckets.len(), 1);
    let logs = &buckets[0];
    assert_eq!(
        (
            logs.policy_is_public,
            logs.public_access_block,
            logs.object_ownership
        ),
        (None, None, None)
    );
    assert_eq!(
        logs.acl_grants[1..],
        [
            AclGrant::new(Grantee::AuthenticatedUsers, Permission::Read),
            AclGrant::new(Grantee::LogDelivery, Permission::Write),
        ]
    );
    match logs.exposure() {
        Exposure::Public(reasons) => {
            assert_eq!(reasons, ["the ACL grants READ to AuthenticatedUsers"])
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        (
            policy.num_calls(),
            block.num_calls(),
            acl.num_calls(),
            ownership.num_calls()
        ),
        (1, 1, 1, 1)
    );
}

#[tokio::test]
async fn other_errors_fail_and_name_the_bucket() {
    let list = mock!(Client::list_buckets).then_http_response(|| s3_xml(200, LIST));
    let policy = mock!(Client::get_bucket_policy_status)
        .then_http_response(|| s3_error(403, "AccessDenied"));
    let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&list, &policy]);
    match S3ExposureSource::from_client(client, fast_retries(1))
        .buckets()
        .await
        .unwrap_err()
    {
        ServiceError::PermissionDenied {
            backend, message, ..
        } => {
            assert_eq!(backend, "S3");
            assert!(
                message.starts_with("bucket \"logs\": AccessDenied"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }

    let throttled = mock!(Client::get_bucket_policy_status)
        .sequence()
        .http_response(|| s3_error(503, "SlowDown"))
        .times(2)
        .build();
    let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&throttled]);
    match S3ExposureSource::from_client(client, fast_retries(2))
        .bucket("logs", None)
        .await
        .unwrap_err()
    {
        ServiceError::Throttled {
            attempts, message, ..
        } => {
            assert_eq!(attempts, 2);
            assert!(message.contains("SlowDown"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

/// Found by probe C: a `ContinuationToken` handed back again paged `ListBuckets` forever (and
/// the bucket list grew without bound); it is an error on its second sighting, as in the
/// CloudTrail and CodeDeploy listings.
#[tokio::test]
async fn a_repeated_continuation_token_is_an_error_not_a_loop() {
    let looping = mock!(Client::list_buckets).then_http_response(|| {
        s3_xml(
            200,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be</ID></Owner>
  <Buckets><Bucket><Name>logs</Name><CreationDate>2019-12-11T23:32:47+00:00</CreationDate></Bucket></Buckets>
  <ContinuationToken>again</ContinuationToken>
</ListAllMyBucketsResult>"#,
        )
    });
    let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&looping]);
    let source = S3ExposureSource::from_client(client, fast_retries(1));
    let answer = tokio::time::timeout(Duration::from_secs(10), source.buckets())
        .await
        .expect("ListBuckets kept paging on a repeated ContinuationToken");
    match answer.unwrap_err() {
        ServiceError::InvalidResponse { backend, reason } => {
            assert_eq!(backend, "S3");
            assert!(reason.contains("ContinuationToken \"again\""), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(looping.num_calls(), 2);
}
