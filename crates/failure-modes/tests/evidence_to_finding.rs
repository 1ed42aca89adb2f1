//! End to end from the evidence sources of `aws-telemetry` to findings, with nothing
//! assembled by hand: F3 from a Service Quotas answer, F4 from CloudTrail (gzip'd log files as
//! delivered to S3, and `LookupEvents`), F6 from RDS' parameter group, F7 from S3's exposure
//! facts (the mock layer always, moto when `scripts/test.sh` runs the emulator), F8 from
//! `EstimatedCharges` and from Cost Explorer. SDK answers come from the SDK's mock layer, in
//! the API references' shapes; series from the `scenarios` game days, stored in an
//! `InMemorySource` under the metrics the detector asks for.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use common::store;

use std::io::Write;
use std::time::Duration;

use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_telemetry::{
    AuditEvent, AuditSource, CloudTrailSource, ConnectionLimitSource, CostExplorerSource,
    CostSource, ExposureSource, InMemoryAuditSource, InMemorySource, QuotaSource, RdsLimitSource,
    RetryPolicy, S3ExposureSource, ServiceQuotasSource, TimeRange, daily_spend,
};
use chrono::{DateTime, Datelike, NaiveDate, SecondsFormat, TimeDelta, TimeZone, Utc};
use failure_modes::scenarios::{GameDay, Incident};
use failure_modes::{
    ChargeSample, ConnectionSignal, CostRunaway, CredentialCompromise, DbConnectionExhaustion,
    Detector, Exposure, FailureMode, Finding, MetricDetector, PublicDataLeak, QuotaSignal,
    ServiceQuotaHit, run,
};
use serde_json::{Value, json};
use sli_core::Severity;

fn retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(2))
}

fn http(status: u16, content_type: &'static str, body: String) -> HttpResponse {
    let mut response = HttpResponse::new(status.try_into().unwrap(), SdkBody::from(body));
    response.headers_mut().insert("content-type", content_type);
    response
}

fn monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 5, 0, 0, 0).unwrap()
}

fn during(findings: &[Finding], incident: &Incident, severity: Severity) -> bool {
    findings.iter().any(|f| {
        f.severity == severity
            && f.start >= incident.start
            && f.start <= incident.start + incident.duration + TimeDelta::hours(1)
    })
}

#[tokio::test]
async fn f3_from_service_quotas_and_usage_metric() {
    let quota = mock!(aws_sdk_servicequotas::Client::get_service_quota).then_http_response(|| {
        http(200, "application/x-amz-json-1.1", r#"{"Quota": {
            "ServiceCode": "ec2", "ServiceName": "Amazon Elastic Compute Cloud (Amazon EC2)",
            "QuotaArn": "arn:aws:servicequotas:us-east-1:123456789012:ec2/L-1216C47A",
            "QuotaCode": "L-1216C47A", "QuotaName": "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances",
            "Value": 1000.0, "Unit": "None", "Adjustable": true, "GlobalQuota": false,
            "UsageMetric": {"MetricNamespace": "AWS/Usage", "MetricName": "ResourceCount",
                "MetricDimensions": {"Class": "Standard/OnDemand", "Resource": "vCPU", "Service": "EC2", "Type": "Resource"},
                "MetricStatisticRecommendation": "Maximum"}}}"#.to_owned())
    });
    let client = mock_client!(aws_sdk_servicequotas, RuleMode::Sequential, &[&quota]);
    let quota = ServiceQuotasSource::from_client(client, retries())
        .quota("ec2", "L-1216C47A")
        .await
        .unwrap();
    let signal = QuotaSignal::from_quota(&quota).unwrap();
    assert_eq!(signal.limit, 1000.0);

    // Fourteen days of usage at 5 minutes, a leak from day 9, stored under the quota's metric.
    let game = GameDay::new(monday(), TimeDelta::minutes(5), 14 * 288, 3).unwrap();
    let incident = Incident::new(
        monday() + TimeDelta::days(9) + TimeDelta::hours(10),
        TimeDelta::days(2),
        0.6,
    );
    let samples = game.quota(1000.0, Some(incident));
    let make = || ServiceQuotaHit::new(signal.clone(), Default::default()).unwrap();
    let queries = make().queries().unwrap();
    let metrics = InMemorySource::new();
    store(
        &metrics,
        &queries,
        &queries[0].id().to_string(),
        samples.iter().map(|s| (s.at, s.usage)).collect(),
    );
    let range = TimeRange::new(monday(), monday() + TimeDelta::days(14)).unwrap();
    let found = run(&mut make(), &metrics, range).await.unwrap();
    assert_eq!(found, make().detect(samples).unwrap());
    assert!(found.iter().all(|f| f.mode == FailureMode::ServiceQuotaHit));
    assert!(
        during(&found, &incident, Severity::Ticket) || during(&found, &incident, Severity::Page),
        "{found:?}"
    );
    assert!(
        found.iter().all(|f| f.start >= incident.start),
        "nothing before the leak: {found:?}"
    );
}

/// An event in the CloudTrail record format, as CloudTrail writes it.
fn record(event: &AuditEvent) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": event.identity.kind,
            "principalId": event.identity.principal_id,
            "arn": event.identity.arn,
            "accountId": event.identity.account_id,
            "userName": event.identity.user_name,
            "accessKeyId": event.identity.access_key_id,
        },
        "eventTime": event.time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        "eventSource": event.source,
        "eventName": event.name,
        "awsRegion": event.region,
        "sourceIPAddress": event.source_ip,
        "userAgent": "aws-sdk-go-v2/1.30",
        "errorCode": event.error_code,
        "additionalEventData": event.mfa_used.map(|used| json!({"MFAUsed": if used { "Yes" } else { "No" }})),
        "requestParameters": null,
        "responseElements": null,
        "eventID": event.event_id,
        "eventType": "AwsApiCall",
        "recipientAccountId": "111122223333",
    })
}

fn compromise_game() -> (Vec<AuditEvent>, Incident, TimeRange) {
    let game = GameDay::new(monday(), TimeDelta::hours(1), 14 * 24, 5).unwrap();
    let incident = Incident::new(
        monday() + TimeDelta::days(9) + TimeDelta::hours(10),
        TimeDelta::hours(2),
        300.0,
    );
    let range = TimeRange::new(monday(), monday() + TimeDelta::days(14)).unwrap();
    (game.audit_events(Some(incident)), incident, range)
}

#[tokio::test]
async fn f4_from_gzipped_cloudtrail_log_files() {
    let (events, incident, range) = compromise_game();
    // One gzip'd log object per hour, as CloudTrail delivers them to S3.
    let dir = std::env::temp_dir().join(format!("failure-modes-f4-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hours = events.chunk_by(|a, b| a.time.timestamp() / 3600 == b.time.timestamp() / 3600);
    for (files, hour) in hours.enumerate() {
        let name = format!(
            "111122223333_CloudTrail_us-east-1_{}_{files:016}.json.gz",
            hour[0].time.format("%Y%m%dT%H%MZ")
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let records: Vec<Value> = hour.iter().map(record).collect();
        gz.write_all(json!({ "Records": records }).to_string().as_bytes())
            .unwrap();
        std::fs::write(dir.join(name), gz.finish().unwrap()).unwrap();
    }
    let source = InMemoryAuditSource::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        source.extend(aws_telemetry::audit::read_log_file(entry.unwrap().path()).unwrap());
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let read = source.events(&range).await.unwrap();
    assert_eq!(read.len(), events.len());
    let found = CredentialCompromise::new(Default::default())
        .unwrap()
        .detect(read)
        .unwrap();
    assert_eq!(
        found,
        CredentialCompromise::new(Default::default())
            .unwrap()
            .detect(events)
            .unwrap()
    );
    assert!(during(&found, &incident, Severity::Page), "{found:?}");
}

#[tokio::test(start_paused = true)]
async fn f4_from_lookup_events() {
    let (events, incident, range) = compromise_game();
    // LookupEvents: newest first, 50 a page, the page's position as NextToken.
    let newest_first: Vec<String> = events.iter().rev().map(|e| record(e).to_string()).collect();
    let pages = newest_first.len().div_ceil(50);
    let rule = mock!(aws_sdk_cloudtrail::Client::lookup_events).then_compute_output(move |input| {
        assert_eq!(input.max_results(), Some(50));
        let page: usize = input.next_token().map_or(0, |t| t.parse().unwrap());
        let events = newest_first[page * 50..((page + 1) * 50).min(newest_first.len())]
            .iter()
            .map(|json| {
                aws_sdk_cloudtrail::types::Event::builder()
                    .cloud_trail_event(json)
                    .build()
            })
            .collect();
        let output = aws_sdk_cloudtrail::operation::lookup_events::LookupEventsOutput::builder()
            .set_events(Some(events));
        if (page + 1) * 50 < newest_first.len() {
            output.next_token((page + 1).to_string()).build()
        } else {
            output.build()
        }
    });
    let client = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, &[&rule]);
    let source = CloudTrailSource::from_client(client, retries());
    let started = tokio::time::Instant::now();
    let read = source.events(&range).await.unwrap();
    assert_eq!(rule.num_calls(), pages);
    assert!(
        started.elapsed() >= Duration::from_millis(500) * (pages as u32 - 1),
        "2 requests a second"
    );
    // The records say what CloudTrail says of each call: `eventType` AwsApiCall.
    let called: Vec<AuditEvent> = events
        .iter()
        .cloned()
        .map(|mut e| {
            e.event_type = Some("AwsApiCall".into());
            e
        })
        .collect();
    assert_eq!(read, called, "the same events, oldest first");
    let found = CredentialCompromise::new(Default::default())
        .unwrap()
        .detect(read)
        .unwrap();
    assert!(during(&found, &incident, Severity::Page), "{found:?}");
    assert!(found.iter().all(|f| f.severity == Severity::Page));
}

#[tokio::test]
async fn f6_from_the_rds_parameter_group() {
    let instance = mock!(aws_sdk_rds::Client::describe_db_instances).then_http_response(|| {
        http(200, "text/xml", r#"<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBInstancesResult><DBInstances><DBInstance>
    <DBInstanceIdentifier>orders</DBInstanceIdentifier><DBInstanceClass>db.t3.medium</DBInstanceClass>
    <Engine>postgres</Engine><EngineVersion>16.3</EngineVersion><DBInstanceStatus>available</DBInstanceStatus>
    <DBParameterGroups><DBParameterGroup><DBParameterGroupName>default.postgres16</DBParameterGroupName><ParameterApplyStatus>in-sync</ParameterApplyStatus></DBParameterGroup></DBParameterGroups>
  </DBInstance></DBInstances></DescribeDBInstancesResult>
  <ResponseMetadata><RequestId>01b2685a-b978-11d3-f272-7cd6cce12cc5</RequestId></ResponseMetadata>
</DescribeDBInstancesResponse>"#.to_owned())
    });
    let parameters = mock!(aws_sdk_rds::Client::describe_db_parameters).then_http_response(|| {
        http(200, "text/xml", r#"<DescribeDBParametersResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">
  <DescribeDBParametersResult><Parameters><Parameter>
    <ParameterName>max_connections</ParameterName><ParameterValue>LEAST({DBInstanceClassMemory/9531392},5000)</ParameterValue>
    <Description>Sets the maximum number of concurrent connections.</Description><Source>system</Source>
    <ApplyType>static</ApplyType><DataType>integer</DataType><AllowedValues>6-8388607</AllowedValues>
    <IsModifiable>true</IsModifiable><ApplyMethod>pending-reboot</ApplyMethod>
  </Parameter></Parameters></DescribeDBParametersResult>
</DescribeDBParametersResponse>"#.to_owned())
    });
    let client = mock_client!(aws_sdk_rds, RuleMode::MatchAny, &[&instance, &parameters]);
    let limit = RdsLimitSource::from_client(client, retries())
        .connection_limit("orders")
        .await
        .unwrap();
    assert_eq!(limit.max_connections, 450.0);
    let signal = ConnectionSignal::from_limit(&limit).unwrap();

    let game = GameDay::new(monday(), TimeDelta::minutes(1), 7 * 1440, 9).unwrap();
    let incident = Incident::new(
        monday() + TimeDelta::days(4) + TimeDelta::hours(10),
        TimeDelta::hours(2),
        4.0,
    );
    let samples = game.connections(limit.max_connections, Some(incident));
    let make = || DbConnectionExhaustion::new(signal.clone(), Default::default()).unwrap();
    let queries = make().queries().unwrap();
    let metrics = InMemorySource::new();
    store(
        &metrics,
        &queries,
        "connections",
        samples.iter().map(|s| (s.at, s.connections)).collect(),
    );
    let range = TimeRange::new(monday(), monday() + TimeDelta::days(7)).unwrap();
    let found = run(&mut make(), &metrics, range).await.unwrap();
    assert!(
        during(&found, &incident, Severity::Page) || during(&found, &incident, Severity::Ticket),
        "{found:?}"
    );
    assert!(found.iter().all(|f| f.start >= incident.start), "{found:?}");
}

async fn f7_from_facts(facts: aws_telemetry::BucketExposure) {
    assert!(matches!(facts.exposure(), Exposure::Public(_)));
    let game = GameDay::new(monday(), TimeDelta::minutes(1), 7 * 1440, 13).unwrap();
    let incident = Incident::new(
        monday() + TimeDelta::days(4) + TimeDelta::hours(10),
        TimeDelta::hours(1),
        20.0,
    );
    let samples = game.bucket_access(Some(incident));
    let make = || PublicDataLeak::new(facts.clone(), Default::default()).unwrap();
    let queries = make().queries().unwrap();
    let metrics = InMemorySource::new();
    store(
        &metrics,
        &queries,
        "requests",
        samples.iter().map(|s| (s.at, s.requests)).collect(),
    );
    let range = TimeRange::new(monday(), monday() + TimeDelta::days(7)).unwrap();
    let found = run(&mut make(), &metrics, range).await.unwrap();
    assert_eq!(found, make().detect(samples).unwrap());
    assert!(during(&found, &incident, Severity::Page), "{found:?}");
    // Two pages: the public bucket (a security incident, from the first minute) and the spike.
    assert_eq!(
        found
            .iter()
            .filter(|f| f.severity == Severity::Page)
            .count(),
        2,
        "{found:?}"
    );
    assert!(found[0].evidence.detail.starts_with("bucket is public"));
}

#[tokio::test]
async fn f7_from_s3_through_the_mock_layer() {
    let xml = |body: &'static str| move || http(200, "application/xml", body.to_owned());
    let not_set = |code: &'static str| {
        move || {
            http(
                404,
                "application/xml",
                format!(
                    "<Error><Code>{code}</Code><Message>{code}</Message><RequestId>1</RequestId></Error>"
                ),
            )
        }
    };
    let list = mock!(aws_sdk_s3::Client::list_buckets).then_http_response(xml(r#"<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>owner</ID></Owner><Buckets><Bucket><Name>exports</Name><CreationDate>2024-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets>
</ListAllMyBucketsResult>"#));
    let policy = mock!(aws_sdk_s3::Client::get_bucket_policy_status)
        .then_http_response(xml(r#"<PolicyStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsPublic>true</IsPublic></PolicyStatus>"#));
    let block = mock!(aws_sdk_s3::Client::get_public_access_block)
        .then_http_response(not_set("NoSuchPublicAccessBlockConfiguration"));
    let acl = mock!(aws_sdk_s3::Client::get_bucket_acl).then_http_response(xml(r#"<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Owner><ID>owner</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>owner</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList>
</AccessControlPolicy>"#));
    let ownership = mock!(aws_sdk_s3::Client::get_bucket_ownership_controls)
        .then_http_response(not_set("OwnershipControlsNotFoundError"));
    let client = mock_client!(
        aws_sdk_s3,
        RuleMode::MatchAny,
        &[&list, &policy, &block, &acl, &ownership]
    );
    let buckets = S3ExposureSource::from_client(client, retries())
        .buckets()
        .await
        .unwrap();
    assert_eq!(buckets.len(), 1);
    assert_eq!(buckets[0].policy_is_public, Some(true));
    f7_from_facts(buckets[0].clone()).await;
}

#[tokio::test]
async fn f7_from_s3_on_the_emulator() {
    if std::env::var("AWS_TELEMETRY_EMULATOR").as_deref() != Ok("1") {
        eprintln!(
            "SKIPPED f7_from_s3_on_the_emulator: no S3 emulator (run `bash scripts/test.sh`, which starts one)"
        );
        return;
    }
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .load()
        .await;
    let client = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let bucket = format!(
        "f7-{}-{}",
        std::process::id(),
        Utc::now().timestamp_millis()
    );
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    client
        .put_bucket_acl()
        .bucket(&bucket)
        .acl(aws_sdk_s3::types::BucketCannedAcl::PublicRead)
        .send()
        .await
        .unwrap();
    let source = S3ExposureSource::from_client(client, retries());
    let facts = source
        .buckets()
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.bucket == bucket)
        .unwrap();
    f7_from_facts(facts).await;
}

fn cost_game() -> (Vec<ChargeSample>, Incident) {
    let game = GameDay::new(monday(), TimeDelta::hours(1), 40 * 24, 21).unwrap();
    let incident = Incident::new(
        monday() + TimeDelta::days(30) + TimeDelta::hours(2),
        TimeDelta::hours(12),
        5.0,
    );
    (game.charges(Some(incident)), incident)
}

#[tokio::test]
async fn f8_from_estimated_charges() {
    let (readings, incident) = cost_game();
    let make = || CostRunaway::new("USD", Default::default()).unwrap();
    let queries = make().queries().unwrap();
    let metrics = InMemorySource::new();
    store(
        &metrics,
        &queries,
        "charges",
        readings
            .iter()
            .map(|r| (r.at, r.estimated_charges))
            .collect(),
    );
    let range = TimeRange::new(monday(), monday() + TimeDelta::days(40)).unwrap();
    let found = run(&mut make(), &metrics, range).await.unwrap();
    // One ticket, raised while the runaway's hours are in the readings: its window (today so
    // far, the last six or 24 hours) covers the runaway. A 6-hour `Maximum` is stamped with
    // its period's start and holds the period's last reading, so the reading that first shows
    // the runaway is stamped up to 6 hours before it began.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].severity, Severity::Ticket);
    assert!(
        found[0].start <= incident.start + incident.duration
            && found[0].end >= incident.start - TimeDelta::hours(6)
            && found[0].end <= incident.start + TimeDelta::days(1),
        "{found:?}"
    );

    // The daily spend of the same fetched series: the 1st of November is not negative, and
    // the runaway day stands out at more than twice the median day.
    let fetched = aws_telemetry::MetricSource::fetch(
        &metrics,
        &aws_telemetry::FetchRequest::new(queries, range).unwrap(),
    )
    .await
    .unwrap();
    let days = daily_spend(&fetched[0].points, "USD").unwrap();
    assert!(days.iter().all(|d| d.amount >= 0.0));
    let first = days
        .iter()
        .find(|d| d.day == NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())
        .unwrap();
    assert!(first.amount > 100.0 && first.amount < 500.0, "{first:?}");
    let mut amounts: Vec<f64> = days.iter().map(|d| d.amount).collect();
    amounts.sort_by(f64::total_cmp);
    let median = amounts[amounts.len() / 2];
    let runaway = days
        .iter()
        .find(|d| d.day == incident.start.date_naive())
        .unwrap();
    assert!(
        runaway.amount > 2.0 * median,
        "{runaway:?} vs median {median}"
    );
}

#[tokio::test]
async fn f8_from_cost_explorer() {
    let (readings, incident) = cost_game();
    // Cost Explorer's daily UnblendedCost for the same spend, in GetCostAndUsage's shape.
    let pairs: Vec<(DateTime<Utc>, f64)> = readings
        .iter()
        .map(|r| (r.at, r.estimated_charges))
        .collect();
    let days = daily_spend(&pairs, "USD").unwrap();
    let results: Vec<Value> = days
        .iter()
        .map(|d| {
            json!({
                "TimePeriod": {"Start": d.day.to_string(), "End": d.day.succ_opt().unwrap().to_string()},
                "Total": {"UnblendedCost": {"Amount": format!("{:.10}", d.amount), "Unit": "USD"}},
                "Groups": [], "Estimated": d.day.month() == 11,
            })
        })
        .collect();
    let body =
        json!({"GroupDefinitions": [], "ResultsByTime": results, "DimensionValueAttributes": []})
            .to_string();
    let rule = mock!(aws_sdk_costexplorer::Client::get_cost_and_usage)
        .then_http_response(move || http(200, "application/x-amz-json-1.1", body.clone()));
    let client = mock_client!(aws_sdk_costexplorer, RuleMode::Sequential, &[&rule]);
    let source = CostExplorerSource::from_client(client, retries());
    let start = monday().date_naive();
    let costs = source
        .daily_costs(&aws_telemetry::DateRange::new(start, start + TimeDelta::days(40)).unwrap())
        .await
        .unwrap();
    assert_eq!(source.requests(), 1, "one billed request");
    assert_eq!(costs.len(), days.len());

    let found = CostRunaway::new("USD", Default::default())
        .unwrap()
        .detect(ChargeSample::from_daily_costs(&costs).unwrap())
        .unwrap();
    // One reading a day, at its last second: the runaway day is judged when it closes.
    assert!(
        found
            .iter()
            .any(|f| f.start.date_naive() == incident.start.date_naive()
                && f.severity >= Severity::Ticket),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|f| f.start.date_naive() == incident.start.date_naive()),
        "{found:?}"
    );
}
