//! Found by probe B2: a listing that hands out a new page token on every page (`ListBuckets`'
//! `ContinuationToken`, `ListServiceQuotas`' `NextToken`, `DescribeDBParameters`' `Marker`)
//! was followed forever, since only a token seen before was refused (12,158 `ListBuckets`
//! pages in ten seconds, and counting). Each listing now stops at a documented number of
//! pages, and S3's at a documented number of buckets, with
//! [`ServiceError::InvalidResponse`] naming the cap.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

#[allow(unused_imports)]
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
#[allow(unused_imports)]
use aws_telemetry::{RetryPolicy, ServiceError};

#[allow(dead_code)]
fn response(content_type: &'static str, body: String) -> HttpResponse {
    let mut response = HttpResponse::new(200.try_into().unwrap(), SdkBody::from(body));
    response.headers_mut().insert("content-type", content_type);
    response
}

/// The reason of an `InvalidResponse` from `backend`, or a panic.
#[allow(dead_code)]
fn invalid(error: ServiceError, backend: &str) -> String {
    match error {
        ServiceError::InvalidResponse { backend: b, reason } if b == backend => reason,
        other => panic!("{other:?}"),
    }
}

/// Far longer than the capped listings take here; without the caps they never ended.
#[allow(dead_code)]
const PATIENCE: Duration = Duration::from_secs(60);

#[cfg(feature = "s3")]
mod s3 {
    use super::*;
    use aws_sdk_s3::Client;
    use aws_telemetry::{
        ExposureSource, LIST_BUCKETS_PAGE, MAX_BUCKETS, MAX_LIST_BUCKETS_PAGES, S3ExposureSource,
    };

    /// A `ListBuckets` page of buckets `first..first + count`, with `token` when given.
    fn page(first: usize, count: usize, token: Option<String>) -> String {
        let mut body = String::from(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be</ID></Owner>
  <Buckets>"#,
        );
        for n in first..first + count {
            body.push_str("<Bucket><Name>logs-");
            body.push_str(&n.to_string());
            body.push_str("</Name></Bucket>");
        }
        body.push_str("</Buckets>");
        if let Some(token) = token {
            body.push_str("<ContinuationToken>");
            body.push_str(&token);
            body.push_str("</ContinuationToken>");
        }
        body.push_str("</ListAllMyBucketsResult>");
        body
    }

    #[tokio::test]
    async fn fresh_continuation_tokens_stop_at_max_list_buckets_pages() {
        let pages = Arc::new(AtomicUsize::new(0));
        let counter = pages.clone();
        let endless = mock!(Client::list_buckets)
            .match_requests(|r| r.max_buckets() == Some(LIST_BUCKETS_PAGE))
            .then_http_response(move || {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                response("application/xml", page(n, 1, Some(format!("token-{n}"))))
            });
        let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&endless]);
        let source =
            S3ExposureSource::from_client(client, RetryPolicy::default().with_max_attempts(1));
        let answer = tokio::time::timeout(PATIENCE, source.buckets())
            .await
            .expect("ListBuckets kept paging on fresh ContinuationTokens");
        let reason = invalid(answer.unwrap_err(), "S3");
        assert!(reason.contains("MAX_LIST_BUCKETS_PAGES"), "{reason}");
        assert!(
            reason.contains(&MAX_LIST_BUCKETS_PAGES.to_string()),
            "{reason}"
        );
        assert_eq!(pages.load(Ordering::Relaxed), MAX_LIST_BUCKETS_PAGES);
    }

    /// One page more than [`MAX_BUCKETS`] at [`LIST_BUCKETS_PAGE`] a page: refused before
    /// the bucket past the cap is kept (and before any of the four calls per bucket).
    #[tokio::test]
    async fn more_than_max_buckets_are_refused() {
        let per_page = usize::try_from(LIST_BUCKETS_PAGE).unwrap();
        let pages = Arc::new(AtomicUsize::new(0));
        let counter = pages.clone();
        let full = mock!(Client::list_buckets).then_http_response(move || {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            response(
                "application/xml",
                page(n * per_page, per_page, Some(format!("token-{n}"))),
            )
        });
        let client = mock_client!(aws_sdk_s3, RuleMode::MatchAny, &[&full]);
        let source =
            S3ExposureSource::from_client(client, RetryPolicy::default().with_max_attempts(1));
        let answer = tokio::time::timeout(PATIENCE, source.buckets())
            .await
            .expect("ListBuckets kept paging");
        let reason = invalid(answer.unwrap_err(), "S3");
        assert!(reason.contains("MAX_BUCKETS"), "{reason}");
        assert_eq!(pages.load(Ordering::Relaxed), MAX_BUCKETS / per_page + 1);
    }
}

#[cfg(feature = "servicequotas")]
mod service_quotas {
    use super::*;
    use aws_sdk_servicequotas::Client;
    use aws_telemetry::{MAX_SERVICE_QUOTA_PAGES, QuotaSource, ServiceQuotasSource};

    #[tokio::test]
    async fn fresh_next_tokens_stop_at_max_service_quota_pages() {
        let pages = Arc::new(AtomicUsize::new(0));
        let counter = pages.clone();
        let endless = mock!(Client::list_service_quotas).then_http_response(move || {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            // A new quota on every page: the same one would be refused as listed twice.
            response(
                "application/x-amz-json-1.1",
                format!(
                    r#"{{"NextToken": "token-{n}", "Quotas": [{{"ServiceCode": "ec2", "QuotaCode": "L-{n}", "Value": 5.0, "Adjustable": true, "GlobalQuota": false}}]}}"#
                ),
            )
        });
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, &[&endless]);
        let source =
            ServiceQuotasSource::from_client(client, RetryPolicy::default().with_max_attempts(1));
        let answer = tokio::time::timeout(PATIENCE, source.quotas("ec2"))
            .await
            .expect("ListServiceQuotas kept paging on fresh NextTokens");
        let reason = invalid(answer.unwrap_err(), "ServiceQuotas");
        assert!(reason.contains("MAX_SERVICE_QUOTA_PAGES"), "{reason}");
        assert_eq!(pages.load(Ordering::Relaxed), MAX_SERVICE_QUOTA_PAGES);
    }
}

#[cfg(feature = "rds")]
mod rds {
    use super::*;
    use aws_sdk_rds::Client;
    use aws_telemetry::{
        ConnectionLimitError, ConnectionLimitSource, MAX_DB_PARAMETER_PAGES, RdsLimitSource,
    };

    const INSTANCE: &str = r#"<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstancesResult><DBInstances><DBInstance>
    <DBInstanceIdentifier>orders</DBInstanceIdentifier>
    <DBInstanceClass>db.r6g.large</DBInstanceClass>
    <Engine>postgres</Engine>
    <DBParameterGroups><DBParameterGroup>
      <DBParameterGroupName>orders-pg16</DBParameterGroupName>
      <ParameterApplyStatus>in-sync</ParameterApplyStatus>
    </DBParameterGroup></DBParameterGroups>
  </DBInstance></DBInstances></DescribeDBInstancesResult>
</DescribeDBInstancesResponse>"#;

    #[tokio::test]
    async fn fresh_markers_stop_at_max_db_parameter_pages() {
        let instance = mock!(Client::describe_db_instances)
            .then_http_response(|| response("text/xml", INSTANCE.to_owned()));
        let pages = Arc::new(AtomicUsize::new(0));
        let counter = pages.clone();
        let endless = mock!(Client::describe_db_parameters).then_http_response(move || {
            let n = counter.fetch_add(1, Ordering::Relaxed);
            response(
                "text/xml",
                format!(
                    r#"<DescribeDBParametersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBParametersResult><Marker>marker-{n}</Marker><Parameters><Parameter>
    <ParameterName>parameter_{n}</ParameterName><ParameterValue>1</ParameterValue>
  </Parameter></Parameters></DescribeDBParametersResult>
</DescribeDBParametersResponse>"#
                ),
            )
        });
        let client = mock_client!(aws_sdk_rds, RuleMode::MatchAny, &[&instance, &endless]);
        let source =
            RdsLimitSource::from_client(client, RetryPolicy::default().with_max_attempts(1));
        let answer = tokio::time::timeout(PATIENCE, source.connection_limit("orders"))
            .await
            .expect("DescribeDBParameters kept paging on fresh markers");
        let reason = match answer.unwrap_err() {
            ConnectionLimitError::Service(e) => invalid(e, "RDS"),
            other => panic!("{other:?}"),
        };
        assert!(reason.contains("MAX_DB_PARAMETER_PAGES"), "{reason}");
        assert_eq!(pages.load(Ordering::Relaxed), MAX_DB_PARAMETER_PAGES);
    }
}
