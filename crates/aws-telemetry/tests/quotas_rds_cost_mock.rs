//! Service Quotas, RDS and Cost Explorer through the SDK's mock layer (moto does not model
//! them), with HTTP bodies in the shapes of the API references: AWS JSON 1.1 for Service
//! Quotas and Cost Explorer, the RDS query protocol's XML for RDS. The SDK deserializes them
//! as it would a real answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

#[allow(unused_imports)]
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
#[allow(unused_imports)]
use aws_telemetry::{ConnectionLimitError, RetryPolicy, ServiceError};

#[allow(dead_code)]
fn fast_retries(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

#[allow(dead_code)]
fn json(status: u16, body: &'static str) -> HttpResponse {
    let mut response = HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body));
    response
        .headers_mut()
        .insert("content-type", "application/x-amz-json-1.1");
    response
}

#[allow(dead_code)]
fn xml(status: u16, body: &'static str) -> HttpResponse {
    let mut response = HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body));
    response.headers_mut().insert("content-type", "text/xml");
    response
}

#[cfg(feature = "servicequotas")]
mod service_quotas {
    use super::*;
    use aws_sdk_servicequotas::Client;
    use aws_telemetry::{QuotaSource, ServiceQuotasSource, Statistic};

    const EC2_VCPU: &str = r#"{"Quota": {
        "Adjustable": true, "GlobalQuota": false,
        "QuotaArn": "arn:aws:servicequotas:us-east-1:123456789012:ec2/L-1216C47A",
        "QuotaCode": "L-1216C47A",
        "QuotaName": "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
        "ServiceCode": "ec2", "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
        "Unit": "None", "Value": 1152.0, "QuotaAppliedAtLevel": "ACCOUNT",
        "UsageMetric": {
            "MetricNamespace": "AWS/Usage", "MetricName": "ResourceCount",
            "MetricDimensions": {"Class": "Standard/OnDemand", "Resource": "vCPU", "Service": "EC2", "Type": "Resource"},
            "MetricStatisticRecommendation": "Maximum"
        }
    }}"#;

    #[tokio::test]
    async fn get_service_quota_gives_value_and_usage_metric() {
        let rule = mock!(Client::get_service_quota)
            .match_requests(|r| {
                r.service_code() == Some("ec2") && r.quota_code() == Some("L-1216C47A")
            })
            .then_http_response(|| json(200, EC2_VCPU));
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::Sequential, &[&rule]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        let quota = source.quota("ec2", "L-1216C47A").await.unwrap();
        assert_eq!(quota.value, Some(1152.0));
        assert!(quota.adjustable);
        assert_eq!(quota.unit.as_deref(), Some("None"));
        assert_eq!(
            quota.name,
            "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances"
        );
        let usage = quota.usage_metric.unwrap();
        let metric = usage.metric().unwrap();
        assert_eq!(
            (metric.namespace(), metric.name()),
            ("AWS/Usage", "ResourceCount")
        );
        let dims: Vec<(&str, &str)> = metric
            .dimensions()
            .iter()
            .map(|d| (d.name(), d.value()))
            .collect();
        assert_eq!(
            dims,
            [
                ("Class", "Standard/OnDemand"),
                ("Resource", "vCPU"),
                ("Service", "EC2"),
                ("Type", "Resource")
            ]
        );
        assert_eq!(usage.statistic().unwrap(), Some(Statistic::Maximum));
    }

    #[tokio::test]
    async fn list_service_quotas_follows_next_token_and_keeps_quotas_without_metric() {
        let first = mock!(Client::list_service_quotas)
            .match_requests(|r| r.next_token().is_none() && r.service_code() == Some("lambda"))
            .then_http_response(|| json(200, r#"{"NextToken": "p2", "Quotas": [
                {"ServiceCode": "lambda", "QuotaCode": "L-B99A9384", "QuotaName": "Concurrent executions", "Value": 1000.0, "Unit": "None", "Adjustable": true, "GlobalQuota": false,
                 "UsageMetric": {"MetricNamespace": "AWS/Lambda", "MetricName": "ConcurrentExecutions", "MetricDimensions": {}, "MetricStatisticRecommendation": "Maximum"}}
            ]}"#));
        let second = mock!(Client::list_service_quotas)
            .match_requests(|r| r.next_token() == Some("p2"))
            .then_http_response(|| json(200, r#"{"Quotas": [
                {"ServiceCode": "lambda", "QuotaCode": "L-2ACBD22F", "QuotaName": "Function and layer storage", "Value": 75.0, "Unit": "Gigabytes", "Adjustable": true, "GlobalQuota": false}
            ]}"#));
        let client = mock_client!(
            aws_sdk_servicequotas,
            RuleMode::MatchAny,
            &[&first, &second]
        );
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        let quotas = source.quotas("lambda").await.unwrap();
        assert_eq!(quotas.len(), 2);
        assert_eq!(
            quotas[0].usage_metric.as_ref().unwrap().name,
            "ConcurrentExecutions"
        );
        assert!(
            quotas[0]
                .usage_metric
                .as_ref()
                .unwrap()
                .dimensions
                .is_empty()
        );
        assert_eq!(quotas[1].usage_metric, None);
        assert_eq!(quotas[1].unit.as_deref(), Some("Gigabytes"));
    }

    #[tokio::test]
    async fn unknown_quota_is_not_found_and_throttling_is_typed() {
        let missing = mock!(Client::get_service_quota).then_http_response(|| {
            json(400, r#"{"__type": "NoSuchResourceException", "Message": "The request failed because the specified service doesn't exist."}"#)
        });
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::Sequential, &[&missing]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        match source.quota("ec2", "L-00000000").await.unwrap_err() {
            ServiceError::NotFound { backend, what } => {
                assert_eq!(backend, "ServiceQuotas");
                assert_eq!(what, "quota ec2/L-00000000");
            }
            other => panic!("{other:?}"),
        }

        let throttled = mock!(Client::get_service_quota)
            .sequence()
            .http_response(|| {
                json(
                    400,
                    r#"{"__type": "TooManyRequestsException", "Message": "Rate exceeded"}"#,
                )
            })
            .times(2)
            .http_response(|| json(200, EC2_VCPU))
            .build();
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::Sequential, &[&throttled]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(3));
        assert_eq!(
            source.quota("ec2", "L-1216C47A").await.unwrap().value,
            Some(1152.0)
        );
        assert_eq!(throttled.num_calls(), 3);

        let denied = mock!(Client::list_service_quotas).then_http_response(|| {
            json(400, r#"{"__type": "AccessDeniedException", "Message": "not authorized to perform servicequotas:ListServiceQuotas"}"#)
        });
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::Sequential, &[&denied]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        assert!(matches!(
            source.quotas("ec2").await.unwrap_err(),
            ServiceError::PermissionDenied { .. }
        ));
    }

    /// Found by probe C: a `NextToken` handed back again paged `ListServiceQuotas` forever
    /// (and the quota list grew without bound).
    #[tokio::test]
    async fn a_repeated_next_token_is_an_error_not_a_loop() {
        let looping = mock!(Client::list_service_quotas).then_http_response(|| {
            // No quotas: the same quota on every page would be refused as listed twice first.
            json(200, r#"{"NextToken": "again", "Quotas": []}"#)
        });
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, &[&looping]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        let answer = tokio::time::timeout(Duration::from_secs(10), source.quotas("ec2"))
            .await
            .expect("ListServiceQuotas kept paging on a repeated NextToken");
        match answer.unwrap_err() {
            ServiceError::InvalidResponse { backend, reason } => {
                assert_eq!(backend, "ServiceQuotas");
                assert!(reason.contains("NextToken \"again\""), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(looping.num_calls(), 2);
    }

    /// Found by probe C: a `GetServiceQuota` answer for another quota was taken as the one
    /// asked for. The codes are compared without regard to case.
    #[tokio::test]
    async fn an_answer_for_another_quota_is_refused() {
        let other = mock!(Client::get_service_quota).then_http_response(|| {
            json(200, r#"{"Quota": {"ServiceCode": "lambda", "QuotaCode": "L-B99A9384", "QuotaName": "Concurrent executions", "Value": 1000.0, "Adjustable": true, "GlobalQuota": false}}"#)
        });
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, &[&other]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        match source.quota("ec2", "L-1216C47A").await.unwrap_err() {
            ServiceError::InvalidResponse { backend, reason } => {
                assert_eq!(backend, "ServiceQuotas");
                assert!(reason.contains("ec2/L-1216C47A"), "{reason}");
                assert!(reason.contains("lambda/L-B99A9384"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let same = mock!(Client::get_service_quota).then_http_response(|| json(200, EC2_VCPU));
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, &[&same]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        assert_eq!(
            source.quota("EC2", "l-1216c47a").await.unwrap().quota_code,
            "L-1216C47A"
        );
    }

    /// Found by the `servicequotas` fuzz target: a `ListServiceQuotas` answer holding a quota
    /// of another service (or of none, `ServiceCode` empty) was returned as one of the
    /// service's quotas. The codes are compared without regard to case, as for one quota.
    #[tokio::test]
    async fn a_listed_quota_of_another_service_is_refused() {
        let mixed = mock!(Client::list_service_quotas).then_http_response(|| {
            json(200, r#"{"Quotas": [
                {"ServiceCode": "ec2", "QuotaCode": "L-1216C47A", "QuotaName": "vCPUs", "Value": 5.0, "Adjustable": true, "GlobalQuota": false},
                {"ServiceCode": "lambda", "QuotaCode": "L-B99A9384", "QuotaName": "Concurrent executions", "Value": 1000.0, "Adjustable": true, "GlobalQuota": false}
            ]}"#)
        });
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, &[&mixed]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        match source.quotas("EC2").await.unwrap_err() {
            ServiceError::InvalidResponse { backend, reason } => {
                assert_eq!(backend, "ServiceQuotas");
                assert!(reason.contains("EC2"), "{reason}");
                assert!(reason.contains("lambda/L-B99A9384"), "{reason}");
            }
            other => panic!("{other:?}"),
        }

        let unnamed = mock!(Client::list_service_quotas).then_http_response(|| {
            json(200, r#"{"Quotas": [{"ServiceCode": "", "QuotaCode": "", "Adjustable": false, "GlobalQuota": false}]}"#)
        });
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, &[&unnamed]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        assert!(matches!(
            source.quotas("lambda").await.unwrap_err(),
            ServiceError::InvalidResponse { .. }
        ));

        let same = mock!(Client::list_service_quotas).then_http_response(|| {
            json(200, r#"{"Quotas": [
                {"ServiceCode": "ec2", "QuotaCode": "L-1216C47A", "QuotaName": "vCPUs", "Value": 5.0, "Adjustable": true, "GlobalQuota": false}
            ]}"#)
        });
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, &[&same]);
        let source = ServiceQuotasSource::from_client(client, fast_retries(1));
        assert_eq!(source.quotas("EC2").await.unwrap()[0].service_code, "ec2");
    }

    async fn listed(body: &'static str) -> Result<Vec<aws_telemetry::Quota>, ServiceError> {
        let rule = mock!(Client::list_service_quotas).then_http_response(move || json(200, body));
        let client = mock_client!(aws_sdk_servicequotas, RuleMode::MatchAny, &[&rule]);
        ServiceQuotasSource::from_client(client, fast_retries(1))
            .quotas("ec2")
            .await
    }

    /// A quota listed twice (here with two values, its code's case aside) leaves its limit
    /// undecided; the list is refused and names both values.
    #[tokio::test]
    async fn a_quota_listed_twice_is_refused() {
        let reason = match listed(
            r#"{"Quotas": [
                {"ServiceCode": "ec2", "QuotaCode": "L-1216C47A", "QuotaName": "vCPUs", "Value": 5.0, "Adjustable": true, "GlobalQuota": false},
                {"ServiceCode": "ec2", "QuotaCode": "L-34B43A08", "QuotaName": "Spot vCPUs", "Value": 6.0, "Adjustable": true, "GlobalQuota": false},
                {"ServiceCode": "ec2", "QuotaCode": "l-1216c47a", "QuotaName": "vCPUs", "Value": 1152.0, "Adjustable": true, "GlobalQuota": false}
            ]}"#,
        )
        .await
        {
            Err(ServiceError::InvalidResponse { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason.contains("l-1216c47a twice (5 and 1152)"), "{reason}");
    }

    /// The API reference gives a quota's value a minimum of 0 and each code a length of at
    /// least 1; a negative limit or an empty code is refused, not passed on.
    #[tokio::test]
    async fn a_negative_value_or_an_empty_code_is_refused() {
        let reason = match listed(
            r#"{"Quotas": [{"ServiceCode": "ec2", "QuotaCode": "L-1216C47A", "QuotaName": "vCPUs", "Value": -1.0, "Adjustable": true, "GlobalQuota": false}]}"#,
        )
        .await
        {
            Err(ServiceError::InvalidResponse { reason, .. }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(reason.contains("ec2/L-1216C47A: value -1"), "{reason}");
        assert!(matches!(
            listed(r#"{"Quotas": [{"ServiceCode": "ec2", "QuotaCode": "", "Value": 5.0, "Adjustable": true, "GlobalQuota": false}]}"#).await,
            Err(ServiceError::InvalidResponse { .. })
        ));
        // Zero is in the documented range (F3 refuses it later, as a limit it cannot divide by).
        let zero = listed(
            r#"{"Quotas": [{"ServiceCode": "ec2", "QuotaCode": "L-1216C47A", "Value": 0.0, "Adjustable": true, "GlobalQuota": false}]}"#,
        )
        .await
        .unwrap();
        assert_eq!(zero[0].value, Some(0.0));
    }
}

#[cfg(feature = "rds")]
mod rds {
    use super::*;
    use aws_sdk_rds::Client;
    use aws_telemetry::{ConnectionLimitSource, RdsLimitSource};

    const INSTANCE: &str = r#"<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstancesResult>
    <DBInstances>
      <DBInstance>
        <DBInstanceIdentifier>orders</DBInstanceIdentifier>
        <DBInstanceClass>db.r6g.large</DBInstanceClass>
        <Engine>postgres</Engine>
        <EngineVersion>16.3</EngineVersion>
        <DBInstanceStatus>available</DBInstanceStatus>
        <AllocatedStorage>100</AllocatedStorage>
        <MultiAZ>true</MultiAZ>
        <DBParameterGroups>
          <DBParameterGroup>
            <DBParameterGroupName>orders-pg16</DBParameterGroupName>
            <ParameterApplyStatus>in-sync</ParameterApplyStatus>
          </DBParameterGroup>
        </DBParameterGroups>
        <Endpoint><Address>orders.abcdefghijkl.us-east-1.rds.amazonaws.com</Address><Port>5432</Port></Endpoint>
      </DBInstance>
    </DBInstances>
  </DescribeDBInstancesResult>
  <ResponseMetadata><RequestId>5e60c46d-a844-11e4-bb68-17f36418e58f</RequestId></ResponseMetadata>
</DescribeDBInstancesResponse>"#;

    const PARAMETERS_PAGE_1: &str = r#"<DescribeDBParametersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBParametersResult>
    <Marker>bWF4X3dhbF9zZW5kZXJz</Marker>
    <Parameters>
      <Parameter>
        <ParameterName>log_min_duration_statement</ParameterName>
        <Description>Sets the minimum execution time above which statements will be logged.</Description>
        <Source>user</Source>
        <ApplyType>dynamic</ApplyType>
        <DataType>integer</DataType>
        <AllowedValues>-1-2147483647</AllowedValues>
        <IsModifiable>true</IsModifiable>
        <ParameterValue>500</ParameterValue>
        <ApplyMethod>immediate</ApplyMethod>
      </Parameter>
    </Parameters>
  </DescribeDBParametersResult>
  <ResponseMetadata><RequestId>8c40488f-b9ff-11d3-a15e-7ac49293f4fa</RequestId></ResponseMetadata>
</DescribeDBParametersResponse>"#;

    const PARAMETERS_PAGE_2: &str = r#"<DescribeDBParametersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBParametersResult>
    <Parameters>
      <Parameter>
        <ParameterName>max_connections</ParameterName>
        <Description>Sets the maximum number of concurrent connections.</Description>
        <Source>system</Source>
        <ApplyType>static</ApplyType>
        <DataType>integer</DataType>
        <AllowedValues>6-8388607</AllowedValues>
        <IsModifiable>true</IsModifiable>
        <ParameterValue>LEAST({DBInstanceClassMemory/9531392},5000)</ParameterValue>
        <ApplyMethod>pending-reboot</ApplyMethod>
      </Parameter>
    </Parameters>
  </DescribeDBParametersResult>
  <ResponseMetadata><RequestId>8c40488f-b9ff-11d3-a15e-7ac49293f4fb</RequestId></ResponseMetadata>
</DescribeDBParametersResponse>"#;

    fn rules(
        parameters_2: &'static str,
    ) -> (
        aws_smithy_mocks::Rule,
        aws_smithy_mocks::Rule,
        aws_smithy_mocks::Rule,
    ) {
        let instance = mock!(Client::describe_db_instances)
            .match_requests(|r| r.db_instance_identifier() == Some("orders"))
            .then_http_response(|| xml(200, INSTANCE));
        let page1 = mock!(Client::describe_db_parameters)
            .match_requests(|r| {
                r.db_parameter_group_name() == Some("orders-pg16") && r.marker().is_none()
            })
            .then_http_response(|| xml(200, PARAMETERS_PAGE_1));
        let page2 = mock!(Client::describe_db_parameters)
            .match_requests(|r| r.marker() == Some("bWF4X3dhbF9zZW5kZXJz"))
            .then_http_response(move || xml(200, parameters_2));
        (instance, page1, page2)
    }

    #[tokio::test]
    async fn max_connections_is_found_across_pages_and_evaluated() {
        let (instance, page1, page2) = rules(PARAMETERS_PAGE_2);
        let client = mock_client!(
            aws_sdk_rds,
            RuleMode::MatchAny,
            &[&instance, &page1, &page2]
        );
        let source = RdsLimitSource::from_client(client, fast_retries(1));
        let limit = source.connection_limit("orders").await.unwrap();
        assert_eq!(limit.instance_class, "db.r6g.large");
        assert_eq!(limit.engine, "postgres");
        assert_eq!(limit.parameter_group, "orders-pg16");
        assert_eq!(limit.formula, "LEAST({DBInstanceClassMemory/9531392},5000)");
        assert_eq!(limit.memory, Some(16 << 30));
        // 17,179,869,184 / 9,531,392 = 1802.4 -> 1802, below 5000.
        assert_eq!(limit.max_connections, 1802.0);
        assert_eq!(
            (instance.num_calls(), page1.num_calls(), page2.num_calls()),
            (1, 1, 1)
        );
    }

    #[tokio::test]
    async fn an_unsupported_formula_is_a_typed_error_naming_it() {
        const AURORA: &str = r#"<DescribeDBParametersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBParametersResult><Parameters><Parameter>
    <ParameterName>max_connections</ParameterName>
    <ParameterValue>GREATEST({log(DBInstanceClassMemory/805306368)*45},{log(DBInstanceClassMemory/8187281408)*1000})</ParameterValue>
    <Source>system</Source><DataType>integer</DataType><IsModifiable>true</IsModifiable>
  </Parameter></Parameters></DescribeDBParametersResult>
</DescribeDBParametersResponse>"#;
        let (instance, page1, page2) = rules(AURORA);
        let client = mock_client!(
            aws_sdk_rds,
            RuleMode::MatchAny,
            &[&instance, &page1, &page2]
        );
        let source = RdsLimitSource::from_client(client, fast_retries(1));
        match source.connection_limit("orders").await.unwrap_err() {
            ConnectionLimitError::Formula { instance, source } => {
                assert_eq!(instance, "orders");
                let aws_telemetry::FormulaError::Unsupported {
                    formula, reason, ..
                } = source
                else {
                    panic!("{source:?}");
                };
                assert!(formula.starts_with("GREATEST({log("), "{formula}");
                assert!(reason.contains("log"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn unknown_instance_and_missing_parameter_are_not_found() {
        let missing = mock!(Client::describe_db_instances).then_http_response(|| {
            xml(404, r#"<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <Error><Type>Sender</Type><Code>DBInstanceNotFound</Code><Message>DBInstance ghost not found.</Message></Error>
  <RequestId>6c7b1a2e-0000-4000-8000-000000000000</RequestId>
</ErrorResponse>"#)
        });
        let client = mock_client!(aws_sdk_rds, RuleMode::Sequential, &[&missing]);
        let source = RdsLimitSource::from_client(client, fast_retries(1));
        match source.connection_limit("ghost").await.unwrap_err() {
            ConnectionLimitError::Service(ServiceError::NotFound { what, .. }) => {
                assert_eq!(what, "DB instance \"ghost\"")
            }
            other => panic!("{other:?}"),
        }

        const NO_MAX: &str = r#"<DescribeDBParametersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBParametersResult><Parameters><Parameter>
    <ParameterName>work_mem</ParameterName><ParameterValue>4096</ParameterValue>
  </Parameter></Parameters></DescribeDBParametersResult>
</DescribeDBParametersResponse>"#;
        let (instance, page1, page2) = rules(NO_MAX);
        let client = mock_client!(
            aws_sdk_rds,
            RuleMode::MatchAny,
            &[&instance, &page1, &page2]
        );
        let source = RdsLimitSource::from_client(client, fast_retries(1));
        match source.connection_limit("orders").await.unwrap_err() {
            ConnectionLimitError::Service(ServiceError::NotFound { what, .. }) => {
                assert_eq!(what, "max_connections in parameter group \"orders-pg16\"")
            }
            other => panic!("{other:?}"),
        }
    }

    /// Found by probe C: a `Marker` handed back again paged `DescribeDBParameters` forever.
    #[tokio::test]
    async fn a_repeated_marker_is_an_error_not_a_loop() {
        const SAME_MARKER: &str = r#"<DescribeDBParametersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBParametersResult>
    <Marker>again</Marker>
    <Parameters><Parameter><ParameterName>work_mem</ParameterName><ParameterValue>4096</ParameterValue></Parameter></Parameters>
  </DescribeDBParametersResult>
</DescribeDBParametersResponse>"#;
        let instance =
            mock!(Client::describe_db_instances).then_http_response(|| xml(200, INSTANCE));
        let looping =
            mock!(Client::describe_db_parameters).then_http_response(|| xml(200, SAME_MARKER));
        let client = mock_client!(aws_sdk_rds, RuleMode::MatchAny, &[&instance, &looping]);
        let source = RdsLimitSource::from_client(client, fast_retries(1));
        let answer =
            tokio::time::timeout(Duration::from_secs(10), source.connection_limit("orders"))
                .await
                .expect("DescribeDBParameters kept paging on a repeated Marker");
        match answer.unwrap_err() {
            ConnectionLimitError::Service(ServiceError::InvalidResponse { backend, reason }) => {
                assert_eq!(backend, "RDS");
                assert!(reason.contains("Marker \"again\""), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(looping.num_calls(), 2);
    }

    /// Found by probe C: RDS stores identifiers in lowercase and answers `Orders` with the
    /// instance `orders`, which was then not found among the answer.
    #[tokio::test]
    async fn a_mixed_case_identifier_finds_the_instance() {
        let instance =
            mock!(Client::describe_db_instances).then_http_response(|| xml(200, INSTANCE));
        let (_, page1, page2) = rules(PARAMETERS_PAGE_2);
        let client = mock_client!(
            aws_sdk_rds,
            RuleMode::MatchAny,
            &[&instance, &page1, &page2]
        );
        let source = RdsLimitSource::from_client(client, fast_retries(1));
        let limit = source.connection_limit("Orders").await.unwrap();
        assert_eq!(limit.max_connections, 1802.0);
        assert_eq!(limit.instance_class, "db.r6g.large");
    }
}

#[cfg(feature = "costexplorer")]
mod cost_explorer {
    use super::*;
    use aws_sdk_costexplorer::Client;
    use aws_sdk_costexplorer::types::Granularity;
    use aws_telemetry::{CostExplorerSource, CostSource};
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn range(start: NaiveDate, end: NaiveDate) -> aws_telemetry::DateRange {
        aws_telemetry::DateRange::new(start, end).unwrap()
    }

    /// The filter `{"Not": {"Dimensions": {"Key": "RECORD_TYPE", "Values": ["Credit",
    /// "Refund"]}}}`: usage's spend, which a credit would otherwise hide.
    fn leaves_out_credits(filter: Option<&aws_sdk_costexplorer::types::Expression>) -> bool {
        use aws_sdk_costexplorer::types::Dimension;
        filter
            .and_then(|f| f.not())
            .and_then(|not| not.dimensions())
            .is_some_and(|d| {
                d.key() == Some(&Dimension::RecordType)
                    && d.values() == ["Credit".to_owned(), "Refund".to_owned()]
            })
    }

    /// Net of credits and refunds when asked: no filter, and a credited day below zero is
    /// passed through.
    #[tokio::test]
    async fn credits_and_refunds_are_left_out_unless_asked_for() {
        let net = mock!(Client::get_cost_and_usage)
            .match_requests(|r| r.filter().is_none())
            .then_http_response(|| json(200, r#"{
                "GroupDefinitions": [],
                "ResultsByTime": [
                    {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {"UnblendedCost": {"Amount": "-400", "Unit": "USD"}}, "Groups": [], "Estimated": false}
                ],
                "DimensionValueAttributes": []
            }"#));
        let client = mock_client!(aws_sdk_costexplorer, RuleMode::MatchAny, &[&net]);
        let source = CostExplorerSource::from_client(client, fast_retries(1))
            .including_credits_and_refunds();
        let days = source.daily_costs(&range(day(1), day(2))).await.unwrap();
        assert_eq!(days[0].amount, -400.0);
        assert_eq!(net.num_calls(), 1);
    }

    #[tokio::test]
    async fn daily_unblended_cost_across_pages_with_billed_requests_counted() {
        let first = mock!(Client::get_cost_and_usage)
            .match_requests(|r| {
                r.next_page_token().is_none()
                    && r.granularity() == Some(&Granularity::Daily)
                    && r.metrics() == ["UnblendedCost".to_owned()]
                    && leaves_out_credits(r.filter())
                    && r.time_period().map(|p| (p.start(), p.end())) == Some(("2026-11-01", "2026-11-04"))
            })
            .then_http_response(|| json(200, r#"{
                "GroupDefinitions": [],
                "ResultsByTime": [
                    {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {"UnblendedCost": {"Amount": "96.4213370154", "Unit": "USD"}}, "Groups": [], "Estimated": false},
                    {"TimePeriod": {"Start": "2026-11-02", "End": "2026-11-03"}, "Total": {"UnblendedCost": {"Amount": "101.07", "Unit": "USD"}}, "Groups": [], "Estimated": false}
                ],
                "DimensionValueAttributes": [],
                "NextPageToken": "page-2"
            }"#));
        let second = mock!(Client::get_cost_and_usage)
            .match_requests(|r| r.next_page_token() == Some("page-2"))
            .then_http_response(|| json(200, r#"{
                "GroupDefinitions": [],
                "ResultsByTime": [
                    {"TimePeriod": {"Start": "2026-11-03", "End": "2026-11-04"}, "Total": {"UnblendedCost": {"Amount": "0", "Unit": "USD"}}, "Groups": [], "Estimated": true}
                ],
                "DimensionValueAttributes": []
            }"#));
        let client = mock_client!(aws_sdk_costexplorer, RuleMode::MatchAny, &[&first, &second]);
        let source = CostExplorerSource::from_client(client, fast_retries(1));
        let days = source.daily_costs(&range(day(1), day(4))).await.unwrap();
        assert_eq!(days.len(), 3);
        assert_eq!(days[0].day, day(1));
        assert!((days[0].amount - 96.421_337_015_4).abs() < 1e-9);
        assert_eq!(days[0].unit, "USD");
        assert!(!days[0].estimated);
        assert_eq!(days[2].amount, 0.0);
        assert!(days[2].estimated);
        assert_eq!(source.requests(), 2, "two billed requests");
    }

    #[tokio::test]
    async fn bad_amounts_ranges_and_throttling_are_typed() {
        let rule = mock!(Client::get_cost_and_usage).then_http_response(|| json(200, r#"{
            "ResultsByTime": [{"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {"UnblendedCost": {"Amount": "lots", "Unit": "USD"}}, "Estimated": false}]
        }"#));
        let client = mock_client!(aws_sdk_costexplorer, RuleMode::Sequential, &[&rule]);
        let source = CostExplorerSource::from_client(client, fast_retries(1));
        match source
            .daily_costs(&range(day(1), day(2)))
            .await
            .unwrap_err()
        {
            ServiceError::InvalidResponse { reason, .. } => {
                assert!(reason.contains("\"lots\""), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        // An empty range cannot be built, so it never reaches a billed call.
        assert!(aws_telemetry::DateRange::new(day(2), day(2)).is_err());
        assert_eq!(source.requests(), 1);

        let throttled = mock!(Client::get_cost_and_usage)
            .sequence()
            .http_response(|| json(400, r#"{"__type": "LimitExceededException", "Message": "You have exceeded the rate limit."}"#))
            .times(2)
            .build();
        let client = mock_client!(aws_sdk_costexplorer, RuleMode::Sequential, &[&throttled]);
        let source = CostExplorerSource::from_client(client, fast_retries(2));
        match source
            .daily_costs(&range(day(1), day(2)))
            .await
            .unwrap_err()
        {
            ServiceError::Throttled { attempts, .. } => assert_eq!(attempts, 2),
            other => panic!("{other:?}"),
        }
        assert_eq!(source.requests(), 2, "every attempt is billed");
    }

    /// Found by probe C: a `NextPageToken` handed back again paged forever, each page billed
    /// (2,813 requests in 2 s).
    #[tokio::test]
    async fn a_repeated_next_page_token_is_an_error_not_a_billed_loop() {
        let looping = mock!(Client::get_cost_and_usage).then_http_response(|| json(200, r#"{
            "ResultsByTime": [{"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {"UnblendedCost": {"Amount": "1", "Unit": "USD"}}, "Estimated": false}],
            "NextPageToken": "again"
        }"#));
        let client = mock_client!(aws_sdk_costexplorer, RuleMode::MatchAny, &[&looping]);
        let source = CostExplorerSource::from_client(client, fast_retries(1));
        let answer = tokio::time::timeout(
            Duration::from_secs(10),
            source.daily_costs(&range(day(1), day(2))),
        )
        .await
        .expect("Cost Explorer kept paging on a repeated NextPageToken");
        match answer.unwrap_err() {
            ServiceError::InvalidResponse { backend, reason } => {
                assert_eq!(backend, "CostExplorer");
                assert!(reason.contains("NextPageToken \"again\""), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(source.requests(), 2, "two billed requests, not thousands");
    }

    /// The days of `body`'s answer for 2026-11-01..2026-11-03, or its error's reason.
    async fn answer(body: &'static str) -> Result<Vec<(NaiveDate, f64)>, String> {
        let rule = mock!(Client::get_cost_and_usage).then_http_response(move || json(200, body));
        let client = mock_client!(aws_sdk_costexplorer, RuleMode::MatchAny, &[&rule]);
        let source = CostExplorerSource::from_client(client, fast_retries(1));
        match source.daily_costs(&range(day(1), day(3))).await {
            Ok(days) => Ok(days.iter().map(|d| (d.day, d.amount)).collect()),
            Err(ServiceError::InvalidResponse { reason, .. }) => Err(reason),
            Err(other) => panic!("{other:?}"),
        }
    }

    /// Found by probe C: every result became a day, so a day given twice was counted twice
    /// downstream (month-to-date over-counted), a day outside the range was kept, and a
    /// month-long `TimePeriod` was taken as one day's spend.
    #[tokio::test]
    async fn results_are_one_per_day_of_the_range() {
        let twice = answer(r#"{"ResultsByTime": [
            {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {"UnblendedCost": {"Amount": "5", "Unit": "USD"}}, "Estimated": false},
            {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {"UnblendedCost": {"Amount": "7", "Unit": "USD"}}, "Estimated": false}
        ]}"#).await.unwrap_err();
        assert!(
            twice.contains("TimePeriod 2026-11-01..2026-11-02 given twice"),
            "{twice}"
        );

        let outside = answer(r#"{"ResultsByTime": [
            {"TimePeriod": {"Start": "2026-12-25", "End": "2026-12-26"}, "Total": {"UnblendedCost": {"Amount": "9", "Unit": "USD"}}, "Estimated": false}
        ]}"#).await.unwrap_err();
        assert!(
            outside.contains("TimePeriod 2026-12-25..2026-12-26 is outside"),
            "{outside}"
        );

        let month = answer(r#"{"ResultsByTime": [
            {"TimePeriod": {"Start": "2026-11-01", "End": "2026-12-01"}, "Total": {"UnblendedCost": {"Amount": "300", "Unit": "USD"}}, "Estimated": false}
        ]}"#).await.unwrap_err();
        assert!(
            month.contains("TimePeriod 2026-11-01..2026-12-01 is not one day"),
            "{month}"
        );

        // The same figures twice (on two pages, say) are one day; days come out in order.
        let days = answer(r#"{"ResultsByTime": [
            {"TimePeriod": {"Start": "2026-11-02", "End": "2026-11-03"}, "Total": {"UnblendedCost": {"Amount": "-1.5", "Unit": "USD"}}, "Estimated": true},
            {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {"UnblendedCost": {"Amount": "5", "Unit": "USD"}}, "Estimated": false},
            {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {"UnblendedCost": {"Amount": "5", "Unit": "USD"}}, "Estimated": false}
        ]}"#).await.unwrap();
        assert_eq!(days, vec![(day(1), 5.0), (day(2), -1.5)]);
    }

    /// Found by probe C: an amount without its `Unit` was labelled USD.
    #[tokio::test]
    async fn an_amount_without_a_unit_is_refused() {
        let reason = answer(r#"{"ResultsByTime": [
            {"TimePeriod": {"Start": "2026-11-01", "End": "2026-11-02"}, "Total": {"UnblendedCost": {"Amount": "5"}}, "Estimated": false}
        ]}"#).await.unwrap_err();
        assert!(
            reason.contains("TimePeriod 2026-11-01..2026-11-02"),
            "{reason}"
        );
        assert!(reason.contains("without a Unit"), "{reason}");
    }

    /// Cost Explorer writes a `DateInterval` day with every digit (`\d{4}-\d{2}-\d{2}`);
    /// chrono's `%Y-%m-%d` alone read `2026-11-1` and `+2026-11-01` as days.
    #[tokio::test]
    async fn a_day_not_written_yyyy_mm_dd_is_refused() {
        for (start, end) in [
            ("2026-11-1", "2026-11-02"),
            ("2026-11-01", "2026-11-2"),
            ("+2026-11-01", "2026-11-02"),
            ("2026-11-01 ", "2026-11-02"),
            ("2026-11-01T00:00:00Z", "2026-11-02"),
        ] {
            let body = format!(
                r#"{{"ResultsByTime": [{{"TimePeriod": {{"Start": "{start}", "End": "{end}"}}, "Total": {{"UnblendedCost": {{"Amount": "5", "Unit": "USD"}}}}, "Estimated": false}}]}}"#
            );
            let reason = answer(Box::leak(body.into_boxed_str())).await.unwrap_err();
            assert!(
                reason.contains("not a date written YYYY-MM-DD"),
                "{start}..{end}: {reason}"
            );
        }
    }
}
