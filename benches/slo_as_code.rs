//! SLOs as code: compiling 10,000 SLOs (100 services of 100, the Workbook's four tiers each)
//! into CloudWatch alarms, then with dashboards and CloudFormation templates; into Prometheus
//! rules, then rendered as rule files (YAML, groups and files split); parsing 10 MB of OpenSLO
//! YAML (multi-document, indicators and alert policies inline), and exporting it back.
//!
//! Run: `cargo bench -p sre-benches --bench slo_as_code`

// Benchmark code: a failure should stop the run loudly.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use aws_telemetry::{Metric, Statistic};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sli_core::openslo::{Mode, export, parse};
use sli_core::{AlertPolicy, catalog};
use slo_compiler::SloSpec;
use slo_compiler::cloudwatch::{
    CompileOptions, DashboardOptions, MAX_RESOURCES, Signal, SignalSource, Spec, compile,
};
use slo_compiler::prometheus;
use sre_benches::{OpenSloSource, openslo_document};

const SLOS: usize = 10_000;

fn specs() -> Vec<Spec> {
    (0..SLOS)
        .map(|i| {
            let lb = format!("app/svc-{}/{i:016x}", i / 100);
            let alb = |name: &str| SignalSource::Metric {
                metric: Metric::new("AWS/ApplicationELB", name)
                    .unwrap()
                    .with_dimension("LoadBalancer", lb.clone())
                    .unwrap(),
                stat: Statistic::Sum,
            };
            let mut spec = SloSpec::new(
                catalog::availability(format!("svc-{}-slo-{i}", i / 100)),
                AlertPolicy::default(),
                Signal::Bad {
                    bad: alb("HTTPCode_Target_5XX_Count"),
                    total: alb("RequestCount"),
                },
            );
            spec.slo.name = format!("svc-{}-slo-{i}", i / 100);
            spec.service = format!("svc-{}", i / 100);
            spec
        })
        .collect()
}

fn options() -> CompileOptions {
    CompileOptions::new()
        .with_page_actions(["arn:aws:sns:us-east-1:123456789012:page"])
        .with_ticket_actions(["arn:aws:sns:us-east-1:123456789012:ticket"])
}

fn compile_bench(c: &mut Criterion) {
    let specs = specs();
    let options = options();
    let mut group = c.benchmark_group("slo_as_code/compile");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SLOS as u64));
    group.bench_function("alarms_10k_slos", |b| {
        b.iter(|| black_box(compile(black_box(&specs), &options).unwrap()))
    });
    group.bench_function("alarms_dashboards_templates_10k_slos", |b| {
        b.iter(|| {
            let compiled = compile(black_box(&specs), &options).unwrap();
            let dashboards = compiled.dashboards(&DashboardOptions::default()).unwrap();
            black_box(
                compiled
                    .cloudformation_stacks(&dashboards, MAX_RESOURCES)
                    .unwrap(),
            )
        })
    });
    group.finish();
}

/// The same 10,000 SLOs with Prometheus counters (the default missing-data policy, `Skip`,
/// so every window state is recorded too: the largest rule set per SLO).
fn prometheus_specs() -> Vec<prometheus::Spec> {
    specs()
        .into_iter()
        .enumerate()
        .map(|(i, spec)| {
            let counter = |kind: &str| {
                prometheus::Query::counter(&format!(
                    "http_requests_{kind}_total{{service=\"svc-{}\",slo=\"{i}\"}}",
                    i / 100
                ))
                .unwrap()
            };
            spec.with_signal(prometheus::Signal::Bad {
                bad: counter("errors"),
                total: counter("all"),
            })
        })
        .collect()
}

fn prometheus_bench(c: &mut Criterion) {
    let specs = prometheus_specs();
    let options = prometheus::Options::default();
    let mut group = c.benchmark_group("slo_as_code/prometheus");
    group.sample_size(10);
    group.throughput(Throughput::Elements(SLOS as u64));
    group.bench_function("rules_10k_slos", |b| {
        b.iter(|| black_box(prometheus::compile(black_box(&specs), &options).unwrap()))
    });
    group.bench_function("rule_files_yaml_10k_slos", |b| {
        b.iter(|| {
            let compiled = prometheus::compile(black_box(&specs), &options).unwrap();
            let bytes: usize = compiled.files_yaml().iter().map(|(_, y)| y.len()).sum();
            black_box(bytes)
        })
    });
    group.finish();
}

fn parse_bench(c: &mut Criterion) {
    let mut text = String::new();
    let mut n = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&openslo_document(n, OpenSloSource::CloudWatch));
        n += 1;
    }
    let slos = parse(&text, Mode::Strict).unwrap().slos;
    assert_eq!(slos.len(), n);
    let mut group = c.benchmark_group("slo_as_code/openslo");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse_10mb", |b| {
        b.iter(|| black_box(parse(black_box(&text), Mode::Strict).unwrap()))
    });
    let exported = export(&slos).unwrap();
    group.throughput(Throughput::Bytes(exported.len() as u64));
    group.bench_function("export_10mb", |b| {
        b.iter(|| black_box(export(black_box(&slos)).unwrap()))
    });
    group.finish();
}

criterion_group!(benches, compile_bench, prometheus_bench, parse_bench);
criterion_main!(benches);
