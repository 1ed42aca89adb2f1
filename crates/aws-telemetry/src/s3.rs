//! The S3 bucket exposure adapter: [`S3ExposureSource`], an
//! [`ExposureSource`](crate::ExposureSource) on `aws-sdk-s3`.

use std::fmt;

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::config::Region;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types as s3;

use crate::error::ServiceError;
use crate::exposure::{
    AclGrant, BucketExposure, ExposureSource, Grantee, ObjectOwnership, Permission,
    PublicAccessBlock,
};
use crate::retry::RetryPolicy;
use crate::sdk::{Attempts, NextTokens, display_with_region, map_sdk_error, with_retry};

const BACKEND: &str = "S3";

/// The ACL group of anyone on the internet.
pub const ALL_USERS_URI: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
/// The ACL group of anyone with an AWS account.
pub const AUTHENTICATED_USERS_URI: &str =
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
/// The ACL group of S3 server access log delivery.
pub const LOG_DELIVERY_URI: &str = "http://acs.amazonaws.com/groups/s3/LogDelivery";

/// The most buckets [`S3ExposureSource`] reads: 1,000,000, the highest general purpose bucket
/// quota S3 grants an account on request (10,000 by default; "General purpose bucket quotas,
/// limitations, and restrictions", Amazon S3 User Guide). Each bucket costs four calls.
pub const MAX_BUCKETS: usize = 1_000_000;

/// The `MaxBuckets` [`S3ExposureSource`] asks `ListBuckets` for: 10,000, the API's maximum.
/// Asking makes the listing paginated, which S3 requires of accounts whose bucket quota is
/// above 10,000 (it refuses them an unpaginated `ListBuckets`).
pub const LIST_BUCKETS_PAGE: i32 = 10_000;

/// The most `ListBuckets` pages [`S3ExposureSource`] reads: 1,000. [`MAX_BUCKETS`] at
/// [`LIST_BUCKETS_PAGE`] a page are 100 pages; the rest is room for an S3-compatible endpoint
/// that pages ten times smaller than asked. A listing that hands out a new
/// `ContinuationToken` on every page used to be followed forever.
pub const MAX_LIST_BUCKETS_PAGES: usize = 1_000;

/// An [`ExposureSource`] reading S3: `ListBuckets` ([`LIST_BUCKETS_PAGE`] buckets a page, every
/// page up to [`MAX_LIST_BUCKETS_PAGES`]; a `ContinuationToken` returned twice, one still set
/// after that many pages, or more than [`MAX_BUCKETS`] buckets listed is
/// [`ServiceError::InvalidResponse`], not a loop), then for each bucket
/// `GetBucketPolicyStatus`, `GetPublicAccessBlock`, `GetBucketAcl` and
/// `GetBucketOwnershipControls`, sent to the bucket's own region when `ListBuckets` names it.
///
/// A configuration that is not set is `None`, not a failure: `NoSuchBucketPolicy` gives
/// `policy_is_public: None`, `NoSuchPublicAccessBlockConfiguration` gives
/// `public_access_block: None`, `OwnershipControlsNotFoundError` gives
/// `object_ownership: None`. The block settings read are the bucket's (the account-level
/// block, from S3 Control, is not read). Every other error (denied access, a bucket deleted
/// while listing …) is returned, naming the bucket. Throttling (`SlowDown`) and server errors
/// are retried by the SDK ([`RetryPolicy`]). Calls are sequential: one per page, and 4 per
/// bucket.
///
/// For an emulator or an S3-compatible endpoint, build the client with
/// `force_path_style(true)` and pass it to [`S3ExposureSource::from_client`].
///
/// # Example
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use aws_telemetry::{Exposure, ExposureSource, S3ExposureSource};
///
/// let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
/// for bucket in S3ExposureSource::new(&config).buckets().await? {
///     if let Exposure::Public(reasons) = bucket.exposure() {
///         println!("{}: {}", bucket.bucket, reasons.join("; "));
///     }
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct S3ExposureSource {
    client: Client,
}

impl S3ExposureSource {
    /// A source from the caller's SDK configuration, with the default [`RetryPolicy`].
    pub fn new(config: &aws_config::SdkConfig) -> Self {
        Self::from_client(Client::new(config), RetryPolicy::default())
    }

    /// A source from a ready client; `retry` replaces the client's retry configuration.
    pub fn from_client(client: Client, retry: RetryPolicy) -> Self {
        Self {
            client: with_retry!(Client, client, retry),
        }
    }

    /// The facts of one bucket (four calls), in `region` when given.
    ///
    /// # Errors
    /// As [`ExposureSource::buckets`], for this bucket: the [`ServiceError`] of its first
    /// failed call, naming the bucket.
    pub async fn bucket(
        &self,
        bucket: &str,
        region: Option<&str>,
    ) -> Result<BucketExposure, ServiceError> {
        let region_override = || {
            let mut builder = aws_sdk_s3::config::Builder::default();
            if let Some(region) = region {
                builder = builder.region(Region::new(region.to_owned()));
            }
            builder
        };

        let attempts = Attempts::default();
        let policy = send_for_bucket!(
            self.client.get_bucket_policy_status(),
            bucket,
            region_override(),
            attempts
        );
        let policy_is_public = not_set_as_none(policy, "NoSuchBucketPolicy", bucket, &attempts)?
            .map(|out| {
                out.policy_status()
                    .and_then(s3::PolicyStatus::is_public)
                    .unwrap_or(false)
            });

        let attempts = Attempts::default();
        let block = send_for_bucket!(
            self.client.get_public_access_block(),
            bucket,
            region_override(),
            attempts
        );
        let public_access_block = not_set_as_none(
            block,
            "NoSuchPublicAccessBlockConfiguration",
            bucket,
            &attempts,
        )?
        .and_then(|out| {
            out.public_access_block_configuration().map(|c| {
                PublicAccessBlock::NONE
                    .with_block_public_acls(c.block_public_acls().unwrap_or(false))
                    .with_ignore_public_acls(c.ignore_public_acls().unwrap_or(false))
                    .with_block_public_policy(c.block_public_policy().unwrap_or(false))
                    .with_restrict_public_buckets(c.restrict_public_buckets().unwrap_or(false))
            })
        });

        let attempts = Attempts::default();
        let acl = send_for_bucket!(
            self.client.get_bucket_acl(),
            bucket,
            region_override(),
            attempts
        )
        .map_err(|e| in_bucket(map_sdk_error(BACKEND, e, attempts.count()), bucket))?;
        let acl_grants = acl
            .grants()
            .iter()
            .map(|g| grant(g, bucket))
            .collect::<Result<Vec<_>, _>>()?;

        let attempts = Attempts::default();
        let ownership = send_for_bucket!(
            self.client.get_bucket_ownership_controls(),
            bucket,
            region_override(),
            attempts
        );
        let object_ownership = match not_set_as_none(
            ownership,
            "OwnershipControlsNotFoundError",
            bucket,
            &attempts,
        )? {
            None => None,
            Some(out) => match out.ownership_controls().and_then(|c| c.rules().first()) {
                None => None,
                Some(rule) => Some(ownership_of(rule.object_ownership(), bucket)?),
            },
        };

        let mut facts = BucketExposure::new(bucket);
        facts.policy_is_public = policy_is_public;
        facts.public_access_block = public_access_block;
        facts.acl_grants = acl_grants;
        facts.object_ownership = object_ownership;
        Ok(facts)
    }
}

/// Sends a per-bucket request in the bucket's region, counting its attempts (each operation's
/// builder is its own type, hence a macro).
macro_rules! send_for_bucket {
    ($request:expr, $bucket:expr, $region:expr, $attempts:expr) => {
        $request
            .bucket($bucket)
            .customize()
            .config_override($region)
            .interceptor($attempts.clone())
            .send()
            .await
    };
}
use send_for_bucket;

/// Names the bucket in a backend error's message.
fn in_bucket(err: ServiceError, bucket: &str) -> ServiceError {
    match err {
        ServiceError::Throttled {
            backend,
            attempts,
            message,
            source,
        } => ServiceError::Throttled {
            backend,
            attempts,
            message: format!("bucket {bucket:?}: {message}"),
            source,
        },
        ServiceError::PermissionDenied {
            backend,
            message,
            source,
        } => ServiceError::PermissionDenied {
            backend,
            message: format!("bucket {bucket:?}: {message}"),
            source,
        },
        ServiceError::Backend {
            backend,
            message,
            source,
        } => ServiceError::Backend {
            backend,
            message: format!("bucket {bucket:?}: {message}"),
            source,
        },
        other => other,
    }
}

/// `Ok(None)` for the error code that means "not configured".
fn not_set_as_none<T, E, R>(
    result: std::result::Result<T, SdkError<E, R>>,
    not_set: &str,
    bucket: &str,
    attempts: &Attempts,
) -> Result<Option<T>, ServiceError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(err) if err.code() == Some(not_set) => Ok(None),
        Err(err) => Err(in_bucket(
            map_sdk_error(BACKEND, err, attempts.count()),
            bucket,
        )),
    }
}

fn invalid(bucket: &str, reason: String) -> ServiceError {
    ServiceError::InvalidResponse {
        backend: BACKEND,
        reason: format!("bucket {bucket:?}: {reason}"),
    }
}

fn grant(grant: &s3::Grant, bucket: &str) -> Result<AclGrant, ServiceError> {
    let grantee = grant
        .grantee()
        .ok_or_else(|| invalid(bucket, "an ACL grant without a grantee".to_owned()))?;
    let grantee = match (grantee.uri(), grantee.id(), grantee.email_address()) {
        (Some(ALL_USERS_URI), _, _) => Grantee::AllUsers,
        (Some(AUTHENTICATED_USERS_URI), _, _) => Grantee::AuthenticatedUsers,
        (Some(LOG_DELIVERY_URI), _, _) => Grantee::LogDelivery,
        (Some(uri), _, _) => Grantee::Group(uri.to_owned()),
        (None, Some(id), _) | (None, None, Some(id)) => Grantee::Account(id.to_owned()),
        (None, None, None) => {
            return Err(invalid(
                bucket,
                "an ACL grantee with no URI, id or email".to_owned(),
            ));
        }
    };
    let permission = match grant.permission() {
        Some(s3::Permission::Read) => Permission::Read,
        Some(s3::Permission::Write) => Permission::Write,
        Some(s3::Permission::ReadAcp) => Permission::ReadAcp,
        Some(s3::Permission::WriteAcp) => Permission::WriteAcp,
        Some(s3::Permission::FullControl) => Permission::FullControl,
        Some(other) => {
            return Err(invalid(
                bucket,
                format!("an ACL grant with permission {:?}", other.as_str()),
            ));
        }
        None => {
            return Err(invalid(
                bucket,
                "an ACL grant without a permission".to_owned(),
            ));
        }
    };
    Ok(AclGrant::new(grantee, permission))
}

fn ownership_of(
    value: &s3::ObjectOwnership,
    bucket: &str,
) -> Result<ObjectOwnership, ServiceError> {
    match value {
        s3::ObjectOwnership::BucketOwnerEnforced => Ok(ObjectOwnership::BucketOwnerEnforced),
        s3::ObjectOwnership::BucketOwnerPreferred => Ok(ObjectOwnership::BucketOwnerPreferred),
        s3::ObjectOwnership::ObjectWriter => Ok(ObjectOwnership::ObjectWriter),
        other => Err(invalid(
            bucket,
            format!("object ownership {:?}", other.as_str()),
        )),
    }
}

display_with_region!(S3ExposureSource, "S3");

#[async_trait]
impl ExposureSource for S3ExposureSource {
    async fn buckets(&self) -> Result<Vec<BucketExposure>, ServiceError> {
        let mut names: Vec<(String, Option<String>)> = Vec::new();
        let mut token: Option<String> = None;
        let mut tokens = NextTokens::named("ContinuationToken")
            .with_max_pages(MAX_LIST_BUCKETS_PAGES, "MAX_LIST_BUCKETS_PAGES");
        loop {
            let attempts = Attempts::default();
            let page = self
                .client
                .list_buckets()
                .max_buckets(LIST_BUCKETS_PAGE)
                .set_continuation_token(token.take())
                .customize()
                .interceptor(attempts.clone())
                .send()
                .await
                .map_err(|e| map_sdk_error(BACKEND, e, attempts.count()))?;
            if names.len() + page.buckets().len() > MAX_BUCKETS {
                return Err(ServiceError::InvalidResponse {
                    backend: BACKEND,
                    reason: format!(
                        "ListBuckets listed more than {MAX_BUCKETS} buckets (MAX_BUCKETS, the highest bucket quota S3 grants)"
                    ),
                });
            }
            for bucket in page.buckets() {
                let name = bucket.name().ok_or_else(|| {
                    invalid(
                        "?",
                        "ListBuckets returned a bucket without a name".to_owned(),
                    )
                })?;
                names.push((name.to_owned(), bucket.bucket_region().map(str::to_owned)));
            }
            token = tokens.follow(BACKEND, page.continuation_token())?;
            if token.is_none() {
                break;
            }
        }
        names.sort();
        let mut buckets = Vec::with_capacity(names.len());
        for (name, region) in &names {
            buckets.push(self.bucket(name, region.as_deref()).await?);
        }
        Ok(buckets)
    }
}
