//! [`BucketExposure`]: the facts about one S3 bucket that decide whether the public can read
//! it, as the toolkit's own type, and the verdict they give.
//!
//! The S3 adapter (`GetBucketPolicyStatus`, `GetPublicAccessBlock`, `GetBucketAcl`,
//! `GetBucketOwnershipControls`) lives with the other AWS adapters; this is the shape both
//! sides meet in. `None` means "not configured" (the API's `NoSuch…` errors), not "unknown".

use serde::{Deserialize, Serialize};

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
    /// A canonical user or account.
    Account(String),
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
                reasons.push(format!("the ACL grants {:?} to {group}", grant.permission));
            }
        }
        if reasons.is_empty() {
            Exposure::Private
        } else {
            Exposure::Public(reasons)
        }
    }
}
