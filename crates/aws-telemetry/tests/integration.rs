//! The integration tests of `aws-telemetry`, one binary: every module below was a test binary of
//! its own, each linking the AWS SDK, which took about a gigabyte of disk and a minute of
//! links a build. The files stay where they were; `cargo test -p aws-telemetry --test integration
//! <module>::` runs one of them.

mod catalog_signals;
mod cloudtrail_deploys;
mod cloudtrail_lookup;
mod cloudtrail_records;
mod cloudwatch_emulator;
mod cloudwatch_faults;
mod codedeploy_emulator;
mod codedeploy_mock;
mod contract;
mod deploy_contract;
mod deploy_records;
mod evidence_pure;
mod hostile_audit;
mod paging_caps;
mod quotas_rds_cost_mock;
mod s3_exposure;
