//! The same contract checks against every local source: same fixture, same results.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use aws_telemetry::conformance::Fixture;
use aws_telemetry::{CsvSource, DynMetricSource, InMemorySource};

fn memory() -> Arc<DynMetricSource> {
    let source = InMemorySource::new();
    for (metric, samples) in Fixture::default().samples() {
        source.insert(metric, samples).unwrap();
    }
    Arc::new(source)
}

fn csv() -> Arc<DynMetricSource> {
    // Under target/tmp, which cargo provides to integration tests, so that no run leaves a
    // directory behind in the system's temporary directory.
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("aws-telemetry-contract-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Fixture::default().write_csv(&dir).unwrap();
    Arc::new(CsvSource::from_dir(&dir, aws_telemetry::conformance::NAMESPACE).unwrap())
}

#[tokio::test]
async fn in_memory_source_honours_the_contract() {
    Fixture::default().check_all(&*memory()).await.unwrap();
}

#[tokio::test]
async fn csv_source_honours_the_contract() {
    Fixture::default().check_all(&*csv()).await.unwrap();
}

#[tokio::test]
async fn a_broken_source_is_caught() {
    // A source that drops the last query must fail the contract: the checks can fail.
    #[derive(Debug)]
    struct DropsLast(InMemorySource);
    impl std::fmt::Display for DropsLast {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("DropsLast")
        }
    }
    #[async_trait::async_trait]
    impl aws_telemetry::MetricSource for DropsLast {
        async fn fetch(
            &self,
            r: &aws_telemetry::FetchRequest,
        ) -> aws_telemetry::Result<Vec<aws_telemetry::FetchedSeries>> {
            let mut out = self.0.fetch(r).await?;
            out.pop();
            Ok(out)
        }
    }
    let inner = InMemorySource::new();
    for (metric, samples) in Fixture::default().samples() {
        inner.insert(metric, samples).unwrap();
    }
    let err = Fixture::default()
        .check_basic(&DropsLast(inner))
        .await
        .unwrap_err();
    assert!(err.contains("request order"), "{err}");
}

#[tokio::test]
async fn nab_files_replay() {
    // The real recorded CloudWatch series shipped beside the project, when present.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/nab-aws/realAWSCloudwatch");
    if !dir.is_dir() {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED nab_files_replay: {} not found",
            dir.display()
        );
        return;
    }
    let source = CsvSource::from_dir(&dir, "NAB").unwrap();
    assert_eq!(source.metrics().len(), 12);
}
