//! The same contract checks against every local source: same fixture, same results.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use aws_telemetry::conformance::Fixture;
use aws_telemetry::{CsvSource, DynMetricSource, InMemorySource, MetricSource};

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
        ) -> Result<Vec<aws_telemetry::FetchedSeries>, aws_telemetry::FetchError> {
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
async fn a_wrong_span_is_caught() {
    // A source that reports a span it does not hold must fail the contract.
    #[derive(Debug)]
    struct WrongSpan(InMemorySource);
    impl std::fmt::Display for WrongSpan {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("WrongSpan")
        }
    }
    #[async_trait::async_trait]
    impl aws_telemetry::MetricSource for WrongSpan {
        async fn fetch(
            &self,
            r: &aws_telemetry::FetchRequest,
        ) -> Result<Vec<aws_telemetry::FetchedSeries>, aws_telemetry::FetchError> {
            self.0.fetch(r).await
        }
        fn span(&self) -> Option<aws_telemetry::TimeRange> {
            let span = self.0.span()?;
            aws_telemetry::TimeRange::new(span.start(), span.end() - chrono::TimeDelta::seconds(1))
                .ok()
        }
    }
    let inner = InMemorySource::new();
    for (metric, samples) in Fixture::default().samples() {
        inner.insert(metric, samples).unwrap();
    }
    let err = Fixture::default()
        .check_span(&WrongSpan(inner))
        .unwrap_err();
    assert!(err.contains("span"), "{err}");
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
    // Every data line becomes one sample: counted here from the files themselves.
    let request_all = |metric: aws_telemetry::Metric| {
        let query = aws_telemetry::MetricQuery::stat(
            "n",
            metric,
            aws_telemetry::Statistic::SampleCount,
            aws_telemetry::Period::new(60 * 60 * 24 * 366).unwrap(),
        )
        .unwrap();
        aws_telemetry::FetchRequest::new(vec![query], source.span().unwrap()).unwrap()
    };
    for metric in source.metrics() {
        let text = std::fs::read_to_string(dir.join(format!("{}.csv", metric.name()))).unwrap();
        let lines = text.lines().filter(|l| !l.trim().is_empty()).count() - 1;
        let fetched = source.fetch(&request_all(metric.clone())).await.unwrap();
        let samples: f64 = fetched[0].points.iter().map(|(_, n)| n).sum();
        assert_eq!(samples, lines as f64, "{}", metric.name());
    }
}

#[tokio::test]
async fn a_fixture_at_the_end_of_time_still_checks() {
    // Found in a read: `Fixture::at` near chrono's last instant panicked on its own
    // arithmetic. It moves back, and the in-memory source still honours the contract there.
    use chrono::{DateTime, Utc};
    let fixture = Fixture::at(DateTime::<Utc>::MAX_UTC);
    assert!(fixture.start() <= DateTime::<Utc>::MAX_UTC - Fixture::LATEST_START);
    let source = InMemorySource::new();
    for (metric, samples) in fixture.samples() {
        source.insert(metric, samples).unwrap();
    }
    fixture.check_all(&source).await.unwrap();
}
