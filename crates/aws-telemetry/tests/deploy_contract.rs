//! The deploy source contract against the in-memory source, and proof that the checks catch
//! broken sources.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use aws_telemetry::deploy_conformance::DeployFixture;
use aws_telemetry::{DeploySource, DynDeploySource, InMemoryDeploySource, TimeRange};
use sli_core::Deploy;

fn memory() -> InMemoryDeploySource {
    let source = InMemoryDeploySource::new();
    // In reverse, to check the source sorts.
    source
        .extend(DeployFixture::default().deploys().iter().rev().cloned())
        .unwrap();
    source
}

#[tokio::test]
async fn in_memory_source_honours_the_contract() {
    let fixture = DeployFixture::default();
    assert_eq!(fixture.deploys().len(), 8);
    fixture.check_all(&memory()).await.unwrap();
    // Behind Arc and Box too.
    let shared: Arc<DynDeploySource> = Arc::new(memory());
    fixture.check_all(&shared).await.unwrap();
    let boxed: Box<DynDeploySource> = Box::new(memory());
    fixture.check_all(&boxed).await.unwrap();
}

#[tokio::test]
async fn an_in_memory_source_refuses_a_second_deploy_with_one_id() {
    let source = memory();
    let again = DeployFixture::default().deploys()[3].clone();
    let err = source.extend([again]).unwrap_err();
    assert!(err.to_string().contains("d-A0000004"), "{err}");
    assert_eq!(source.len(), 8);
}

/// A source that breaks one rule of the contract.
#[derive(Debug)]
enum Broken {
    EndInclusive(InMemoryDeploySource),
    Unsorted(InMemoryDeploySource),
    ChangesOutcome(InMemoryDeploySource),
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Broken")
    }
}

#[async_trait::async_trait]
impl DeploySource for Broken {
    async fn deploys(
        &self,
        range: &TimeRange,
    ) -> Result<Vec<Deploy>, aws_telemetry::EventSourceError> {
        match self {
            Self::EndInclusive(inner) => {
                let wider = TimeRange::new(
                    range.start(),
                    range.end() + chrono::TimeDelta::nanoseconds(1),
                )
                .unwrap();
                inner.deploys(&wider).await
            }
            Self::Unsorted(inner) => {
                let mut all = inner.deploys(range).await?;
                all.reverse();
                Ok(all)
            }
            Self::ChangesOutcome(inner) => Ok(inner
                .deploys(range)
                .await?
                .into_iter()
                .map(|d| {
                    let id = d.id().to_owned();
                    Deploy::new(id, d.service(), d.started())
                        .unwrap()
                        .with_rollout(d.rollout())
                        .unwrap()
                })
                .collect()),
        }
    }
}

#[tokio::test]
async fn broken_sources_are_caught() {
    let fixture = DeployFixture::default();
    let err = fixture
        .check_all(&Broken::EndInclusive(memory()))
        .await
        .unwrap_err();
    assert!(err.contains("end excluded"), "{err}");
    let err = fixture
        .check_all(&Broken::Unsorted(memory()))
        .await
        .unwrap_err();
    assert!(err.contains("sorted by start"), "{err}");
    let err = fixture
        .check_all(&Broken::ChangesOutcome(memory()))
        .await
        .unwrap_err();
    assert!(err.contains("read as"), "{err}");
}
