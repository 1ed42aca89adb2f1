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

use crate::error::ServiceError;

/// The four Block Public Access settings (bucket level, or the account's combined with it):
/// "Blocking public access to your Amazon S3 storage", Amazon S3 User Guide.
///
/// A plain record of the settings: fields are public; build one from [`PublicAccessBlock::ALL`]
/// or [`PublicAccessBlock::NONE`] and the `with_*` methods, since S3 may add settings.
///
/// # Example
/// ```
/// use aws_telemetry::PublicAccessBlock;
/// let acls_only = PublicAccessBlock::NONE.with_block_public_acls(true).with_ignore_public_acls(true);
/// assert!(acls_only.ignore_public_acls && !acls_only.restrict_public_buckets);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
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

    /// All four off.
    pub const NONE: Self = Self {
        block_public_acls: false,
        ignore_public_acls: false,
        block_public_policy: false,
        restrict_public_buckets: false,
    };

    /// The same settings with `BlockPublicAcls` set.
    #[must_use]
    pub const fn with_block_public_acls(mut self, on: bool) -> Self {
        self.block_public_acls = on;
        self
    }

    /// The same settings with `IgnorePublicAcls` set.
    #[must_use]
    pub const fn with_ignore_public_acls(mut self, on: bool) -> Self {
        self.ignore_public_acls = on;
        self
    }

    /// The same settings with `BlockPublicPolicy` set.
    #[must_use]
    pub const fn with_block_public_policy(mut self, on: bool) -> Self {
        self.block_public_policy = on;
        self
    }

    /// The same settings with `RestrictPublicBuckets` set.
    #[must_use]
    pub const fn with_restrict_public_buckets(mut self, on: bool) -> Self {
        self.restrict_public_buckets = on;
        self
    }
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

impl fmt::Display for Grantee {
    /// `AllUsers`, `AuthenticatedUsers`, `LogDelivery`, `account ID`, or `group URI`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AllUsers => f.write_str("AllUsers"),
            Self::AuthenticatedUsers => f.write_str("AuthenticatedUsers"),
            Self::LogDelivery => f.write_str("LogDelivery"),
            Self::Account(id) => write!(f, "account {id}"),
            Self::Group(uri) => write!(f, "group {uri}"),
        }
    }
}

/// An ACL grant's permission ("Access control list (ACL) overview", Amazon S3 User Guide).
// Exhaustive: the ACL permissions are a closed set, fixed by the S3 ACL model for over a
// decade, and S3 now steers away from ACLs altogether (`BucketOwnerEnforced`).
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
///
/// A plain record: fields are public; build one with [`AclGrant::new`], since fields may be
/// added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AclGrant {
    /// To whom.
    pub grantee: Grantee,
    /// What.
    pub permission: Permission,
}

impl AclGrant {
    /// A grant of `permission` to `grantee`.
    pub fn new(grantee: Grantee, permission: Permission) -> Self {
        Self {
            grantee,
            permission,
        }
    }
}

impl fmt::Display for AclGrant {
    /// `PERMISSION to grantee`, e.g. `READ to AllUsers`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.permission, self.grantee)
    }
}

/// `GetBucketOwnershipControls`' object ownership setting ("Controlling ownership of objects
/// and disabling ACLs for your bucket", Amazon S3 User Guide). S3 added
/// `BucketOwnerEnforced` in 2021, hence `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ObjectOwnership {
    /// ACLs are disabled: they grant nothing.
    BucketOwnerEnforced,
    /// The bucket owner owns objects uploaded with `bucket-owner-full-control`.
    BucketOwnerPreferred,
    /// The uploader owns the object.
    ObjectWriter,
}

impl fmt::Display for ObjectOwnership {
    /// As S3 spells it: `BucketOwnerEnforced`, `BucketOwnerPreferred`, `ObjectWriter`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BucketOwnerEnforced => "BucketOwnerEnforced",
            Self::BucketOwnerPreferred => "BucketOwnerPreferred",
            Self::ObjectWriter => "ObjectWriter",
        })
    }
}

/// The facts about one bucket.
///
/// A plain record of what S3 reports: fields are public; build one with
/// [`BucketExposure::new`] and the `with_*` methods, since facts may be added.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct BucketExposure {
    /// The bucket name.
    pub bucket: String,
    /// `GetBucketPolicyStatus.IsPublic`; `None` when the bucket has no policy.
    pub policy_is_public: Option<bool>,
    /// The Block Public Access settings that apply to the bucket; `None` when none are
    /// configured. A setting on at either level blocks, so a caller that knows the
    /// account's settings passes each flag on at either; the S3 adapter reads the bucket's
    /// only (the account-level block, from S3 Control, is not read), which can only make a
    /// bucket look more public than it is.
    pub public_access_block: Option<PublicAccessBlock>,
    /// The bucket ACL's grants.
    pub acl_grants: Vec<AclGrant>,
    /// The object ownership setting; `None` when not configured.
    pub object_ownership: Option<ObjectOwnership>,
}

/// Why a bucket is public, or that it is not.
///
/// # Example
/// ```
/// use aws_telemetry::{AclGrant, BucketExposure, Grantee, Permission};
///
/// let bucket = BucketExposure::new("exports")
///     .with_acl_grant(AclGrant::new(Grantee::AllUsers, Permission::Read));
/// assert_eq!(bucket.exposure().to_string(), "public: the ACL grants READ to AllUsers");
/// assert_eq!(BucketExposure::new("backups").exposure().to_string(), "private");
/// ```
// Exhaustive: a verdict is public or it is not; what makes a bucket public is in the reasons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Exposure {
    /// Nothing makes it public.
    Private,
    /// Readable (or writable) by the public, with the reasons.
    Public(Vec<String>),
}

impl fmt::Display for Exposure {
    /// `private`, or `public: ` and the reasons, separated by `; `.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Private => f.write_str("private"),
            Self::Public(reasons) => write!(f, "public: {}", reasons.join("; ")),
        }
    }
}

impl BucketExposure {
    /// A bucket with nothing configured (private: no policy, no public grant).
    pub fn new(bucket: impl Into<String>) -> Self {
        Self {
            bucket: bucket.into(),
            ..Self::default()
        }
    }

    /// The same facts with `GetBucketPolicyStatus.IsPublic`.
    #[must_use]
    pub fn with_policy_is_public(mut self, is_public: bool) -> Self {
        self.policy_is_public = Some(is_public);
        self
    }

    /// The same facts with Block Public Access settings.
    #[must_use]
    pub fn with_public_access_block(mut self, block: PublicAccessBlock) -> Self {
        self.public_access_block = Some(block);
        self
    }

    /// The same facts with one more ACL grant.
    #[must_use]
    pub fn with_acl_grant(mut self, grant: AclGrant) -> Self {
        self.acl_grants.push(grant);
        self
    }

    /// The same facts with an object ownership setting.
    #[must_use]
    pub fn with_object_ownership(mut self, ownership: ObjectOwnership) -> Self {
        self.object_ownership = Some(ownership);
        self
    }

    /// The verdict: a public policy counts unless `RestrictPublicBuckets` is on; a grant to
    /// `AllUsers` or `AuthenticatedUsers` counts unless `IgnorePublicAcls` is on or ACLs are
    /// disabled (`BucketOwnerEnforced`).
    ///
    /// # Example
    /// ```
    /// use aws_telemetry::{AclGrant, BucketExposure, Exposure, Grantee, Permission, PublicAccessBlock};
    ///
    /// let bucket = BucketExposure::new("exports")
    ///     .with_acl_grant(AclGrant::new(Grantee::AllUsers, Permission::Read));
    /// assert!(matches!(bucket.exposure(), Exposure::Public(_)));
    /// let bucket = bucket.with_public_access_block(PublicAccessBlock::ALL);
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
    /// The backend's [`ServiceError`]. A configuration that is not set is `None` in the
    /// facts, never an error.
    async fn buckets(&self) -> Result<Vec<BucketExposure>, ServiceError>;
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
/// source.put(BucketExposure::new("exports").with_policy_is_public(true));
/// source.put(BucketExposure::new("backups"));
/// let buckets = source.buckets().await?;
/// assert_eq!(buckets[0].bucket, "backups");
/// assert!(matches!(buckets[1].exposure(), Exposure::Public(_)));
/// # Ok::<(), aws_telemetry::ServiceError>(())
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
    async fn buckets(&self) -> Result<Vec<BucketExposure>, ServiceError> {
        Ok(self
            .buckets
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect())
    }
}
