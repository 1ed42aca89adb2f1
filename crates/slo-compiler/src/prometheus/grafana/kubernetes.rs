//! A Kubernetes Deployment's panels, from kube-state-metrics and the kubelet's cAdvisor
//! metrics: replicas, containers, restarts, and each rollout as an annotation.

use serde_json::{Value, json};

use super::{panel, target};
use crate::error::CompileProblem;
use crate::prometheus::operator::is_dns_name;

/// A Kubernetes name Grafana's queries can hold unescaped: a DNS-1123 label.
pub(super) fn check_kubernetes_name(what: &'static str, name: &str) -> Result<(), CompileProblem> {
    let ok = is_dns_name(name, false);
    if ok {
        Ok(())
    } else {
        Err(CompileProblem::InvalidOption {
            option: what,
            reason: format!(
                "{name:?} is not a DNS-1123 label (1 to 63 of a-z, 0-9 and '-', \
                 starting and ending with a letter or digit)"
            ),
        })
    }
}

/// The Kubernetes panels: (on-call, debug) panels and the deploy annotation.
pub(super) fn kubernetes_panels(
    namespace: &str,
    deployment: &str,
    datasource: &Value,
) -> (Vec<Value>, Vec<Value>, Value) {
    let deployment_filter = format!("namespace=\"{namespace}\",deployment=\"{deployment}\"");
    // A Deployment's pods are those its ReplicaSets (`<deployment>-<hash>`) own: joined on
    // kube-state-metrics' `kube_pod_owner`, so a CronJob's or another Deployment's pods with
    // the same prefix are not read.
    let owned = format!(
        "on (namespace, pod) group_left() max by (namespace, pod) (kube_pod_owner{{namespace=\"{namespace}\",owner_kind=\"ReplicaSet\",owner_name=~\"{deployment}-[a-z0-9]+\"}})"
    );
    let containers = format!("namespace=\"{namespace}\",container!=\"\"");
    let scaling = panel(
        "timeseries",
        &format!("{deployment}: replicas (scaling events)"),
        vec![
            target(
                format!("kube_deployment_spec_replicas{{{deployment_filter}}}"),
                "desired",
                datasource,
            ),
            target(
                format!("kube_deployment_status_replicas_available{{{deployment_filter}}}"),
                "available",
                datasource,
            ),
        ],
        "short",
        datasource,
    );
    let debug = vec![
        panel(
            "timeseries",
            &format!("{deployment}: container CPU (cores)"),
            vec![target(
                format!(
                    "sum by (pod) (rate(container_cpu_usage_seconds_total{{{containers}}}[5m]) * {owned})"
                ),
                "{{pod}}",
                datasource,
            )],
            "short",
            datasource,
        ),
        panel(
            "timeseries",
            &format!("{deployment}: container memory (working set)"),
            vec![target(
                format!(
                    "sum by (pod) (container_memory_working_set_bytes{{{containers}}} * {owned})"
                ),
                "{{pod}}",
                datasource,
            )],
            "bytes",
            datasource,
        ),
        panel(
            "timeseries",
            &format!("{deployment}: container restarts per hour"),
            vec![target(
                format!(
                    "sum by (pod) (increase(kube_pod_container_status_restarts_total{{namespace=\"{namespace}\"}}[1h]) * {owned})"
                ),
                "{{pod}}",
                datasource,
            )],
            "short",
            datasource,
        ),
    ];
    // Each new ReplicaSet of the Deployment is a rollout. Grafana marks where an annotation
    // query's series is non-zero, so the series exists only in the two minutes after the
    // ReplicaSet's creation: a mark at the deploy, its text the series' labels (the
    // ReplicaSet). Grafana's `useValueForTime` would place it exactly and `titleFormat` would
    // word it, but the dashboard schema has neither field.
    let annotation = json!({
        "name": "Deploys",
        "datasource": datasource,
        "enable": true,
        "hide": false,
        "iconColor": "blue",
        "expr": format!(
            "max by (replicaset) (kube_replicaset_created{{namespace=\"{namespace}\",replicaset=~\"{deployment}-[a-z0-9]+\"}} > time() - 120)"
        ),
    });
    (vec![scaling], debug, annotation)
}
