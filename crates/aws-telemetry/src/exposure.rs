//! Bucket exposure (F7): [`BucketExposure`], the facts about one S3 bucket that decide whether
//! the public can read it, as the toolkit's own type, and the verdict they give; the
//! [`ExposureSource`] trait and its in-memory implementation [`InMemoryExposureSource`]. The
//! S3 adapter (`ListBuckets`, then `GetBucketPolicyStatus`, `GetPublicAccessBlock`,
//! `GetBucketAcl` and `GetBucketOwnershipControls` per bucket) is `S3ExposureSource`
//! (feature `s3`). `None` means "not configured" (the API's `NoSuch…` errors), not "unknown".

use std::fmt;
use std::sync::{Arc, RwLock};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// The four Block Public Access settings (bucket level, or the account's combined with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PublicAccessBlock {
    /// `BlockPublicAcls`: new public ACLs are refused.
    pub block_public_acls: bool,
    /// `IgnorePublicAcls`: existing public ACLs are ignored.
    pub ignore_public_acls: bool,
    /// `BlockPublicPolicy`: new public policies are refused.
    pub block_public_policy: bool,
    /// `RestrictPublicBuckets`: access through a public policy is limited to AWS services and
    /// the owner's account.
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// All four on, as AWS recommends.
    pub const ALL: Self = Self {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
}

/// Who an ACL grant is to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Grantee {
    /// The `AllUsers` group: anyone on the internet.
    AllUsers,
    /// The `AuthenticatedUsers` group: anyone with any AWS account.
    AuthenticatedUsers,
    /// The log delivery group.
    LogDelivery,
    /// A canonical user or account (its canonical id, or the email address of the grant).
    Account(String),
    /// Another predefined group, by its URI.
    Group(String),
}

/// An ACL grant's permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Permission {
    /// `READ`: list (bucket) or read (object).
    Read,
    /// `WRITE`.
    Write,
    /// `READ_ACP`.
    ReadAcp,
    /// `WRITE_ACP`.
    WriteAcp,
    /// `FULL_CONTROL`.
    FullControl,
}

impl std::fmt::Display for Permission {
    /// The permission as S3 spells it: `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`, `FULL_CONTROL`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Read => "READ",
            Self::Write => "WRITE",
            Self::ReadAcp => "READ_ACP",
            Self::WriteAcp => "WRITE_ACP",
            Self::FullControl => "FULL_CONTROL",
        })
    }
}

/// One ACL grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AclGrant {
    /// To whom.
    pub grantee: Grantee,
    /// What.
    pub permission: Permission,
}

/// `GetBucketOwnershipControls`' object ownership setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ObjectOwnership {
    /// ACLs are disabled: they grant nothing.
    BucketOwnerEnforced,
    /// The bucket owner owns objects uploaded with `bucket-owner-full-control`.
    BucketOwnerPreferred,
    /// The uploader owns the object.
    ObjectWriter,
}

/// The facts about one bucket.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BucketExposure {
    /// The bucket name.
    pub bucket: String,
    /// `GetBucketPolicyStatus.IsPublic`; `None` when the bucket has no policy.
    pub policy_is_public: Option<bool>,
    /// The effective Block Public Access settings; `None` when none are configured.
    pub public_access_block: Option<PublicAccessBlock>,
    /// The bucket ACL's grants.
    pub acl_grants: Vec<AclGrant>,
    /// The object ownership setting; `None` when not configured.
    pub object_ownership: Option<ObjectOwnership>,
}

/// Why a bucket is public, or that it is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Exposure {
    /// Nothing makes it public.
    Private,
    /// Readable (or writable) by the public, with the reasons.
    Public(Vec<String>),
}

impl BucketExposure {
    /// A bucket with nothing configured (private: no policy, no public grant).
    pub fn new(bucket: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            ..Self::default()
        }
    }

    /// The verdict: a public policy counts unless `RestrictPublicBuckets` is on; a grant to
    /// `AllUsers` or `AuthenticatedUsers` counts unless `IgnorePublicAcls` is on or ACLs are
    /// disabled (`BucketOwnerEnforced`).
    ///
    /// # Example
    /// ```
    /// use aws_telemetry::{AclGrant, BucketExposure, Exposure, Grantee, Permission, PublicAccessBlock};
    ///
    /// let mut bucket = BucketExposure::new("exports");
    /// bucket.acl_grants.push(AclGrant { grantee: Grantee::AllUsers, permission: Permission::Read });
    /// assert!(matches!(bucket.exposure(), Exposure::Public(_)));
    /// bucket.public_access_block = Some(PublicAccessBlock::ALL);
    /// assert_eq!(bucket.exposure(), Exposure::Private);
    /// ```
    pub fn exposure(&self) -> Exposure {
        let block = self.public_access_block.unwrap_or_default();
        let mut reasons = Vec::new();
        if self.policy_is_public == Some(true) && !block.restrict_public_buckets {
            reasons.push("the bucket policy is public".to_owned());
        }
        let acls_apply = !block.ignore_public_acls
            && self.object_ownership != Some(ObjectOwnership::BucketOwnerEnforced);
        if acls_apply {
            for grant in &self.acl_grants {
                let group = match grant.grantee {
                    Grantee::AllUsers => "AllUsers",
                    Grantee::AuthenticatedUsers => "AuthenticatedUsers",
                    _ => continue,
                };
                reasons.push(format!("the ACL grants {} to {group}", grant.permission));
            }
        }
        if reasons.is_empty() {
            Exposure::Private
        } else {
            Exposure::Public(reasons)
        }
    }
}

/// A source of bucket exposure facts: S3, memory.
///
/// Object safe and `Send + Sync`: hold it as `Arc<dyn ExposureSource>`.
#[async_trait]
pub trait ExposureSource: fmt::Debug + fmt::Display + Send + Sync + 'static {
    /// One [`BucketExposure`] per bucket of the account, in bucket name order.
    ///
    /// # Errors
    /// Backend-specific: see each source. A configuration that is not set is `None` in the
    /// facts, never an error.
    async fn buckets(&self) -> Result<Vec<BucketExposure>>;
}

/// Bucket facts put in by the caller; clones share them.
///
/// # Example
/// ```
/// use aws_telemetry::exposure::{ExposureSource, InMemoryExposureSource};
/// use aws_telemetry::{BucketExposure, Exposure};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let source = InMemoryExposureSource::new();
/// let mut exports = BucketExposure::new("exports");
/// exports.policy_is_public = Some(true);
/// source.put(exports);
/// source.put(BucketExposure::new("backups"));
/// let buckets = source.buckets().await?;
/// assert_eq!(buckets[0].bucket, "backups");
/// assert!(matches!(buckets[1].exposure(), Exposure::Public(_)));
/// # Ok::<(), aws_telemetry::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone, Default)]
pub struct InMemoryExposureSource {
    buckets: Arc<RwLock<std::collections::BTreeMap<String, BucketExposure>>>,
}

impl InMemoryExposureSource {
    /// An empty source.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a bucket's facts, replacing those of a bucket of the same name.
    pub fn put(&self, facts: BucketExposure) {
        self.buckets
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(facts.bucket.clone(), facts);
    }
}

impl fmt::Display for InMemoryExposureSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.buckets.read().map_or(0, |b| b.len());
        write!(f, "InMemoryExposureSource({count} buckets)")
    }
}

#[async_trait]
impl ExposureSource for InMemoryExposureSource {
    async fn buckets(&self) -> Result<Vec<BucketExposure>> {
        Ok(self
            .buckets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect())
    }
}
