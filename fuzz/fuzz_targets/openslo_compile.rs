//! Arbitrary OpenSLO text through `sli_core::openslo::parse` (lenient, so that more of it
//! reaches the compiler) and then every engine of `slo-compiler`: CloudWatch alarms,
//! dashboards and CloudFormation templates (with and without published windows, split at
//! CloudFormation's limits and at a small resource cap); Prometheus rule files (default
//! options and a small file and group size), `PrometheusRule` manifests, Alertmanager routing
//! and Grafana dashboards. A typed error or output, never a panic, a hang or unbounded
//! memory; and what comes out holds to the limits the crate documents:
//!
//! * every template and dashboard body is JSON that reads back to itself, a template at most
//!   `MAX_TEMPLATE_BYTES` compact and `MAX_RESOURCES` resources, each alarm in one template;
//! * alarm names, descriptions, rules, metrics and actions within CloudWatch's limits;
//!   dashboard names at most 255 characters of `[A-Za-z0-9_-]`, Grafana uids at most 40, all
//!   distinct;
//! * `Compiled::files_yaml` writes the same files as `Compiled::files`;
//! * compiling twice gives the same bytes.
#![no_main]

use std::collections::BTreeSet;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use sli_core::openslo::{Mode, SloDefinition, parse};
use slo_compiler::{cloudwatch, prometheus};

/// Letters, digits, `-` and `_` only: what CloudWatch dashboard names and Grafana uids take.
fn is_board_name(name: &str, max: usize) -> bool {
    !name.is_empty()
        && name.len() <= max
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `value` written compact and read back: the same value.
fn round_trips(value: &Value) -> String {
    let text = value.to_string();
    let back: Value = serde_json::from_str(&text).expect("emitted JSON does not parse back");
    assert_eq!(&back, value, "emitted JSON does not read back to itself");
    text
}

/// An alarm's name and description within what PutMetricAlarm and PutCompositeAlarm take.
fn check_alarm_text(name: &str, description: Option<&str>) {
    assert!(name.chars().count() <= cloudwatch::MAX_ALARM_NAME, "{name}");
    assert!(description.is_none_or(|d| d.chars().count() <= cloudwatch::MAX_ALARM_DESCRIPTION));
}

/// Everything the CloudWatch engine writes for `slos`, as text; `None` when it refuses them.
fn cloudwatch_output(
    slos: &[SloDefinition],
    options: &cloudwatch::CompileOptions,
) -> Option<Vec<String>> {
    let specs = cloudwatch::specs_from_openslo(slos).ok()?;
    let compiled = cloudwatch::compile(&specs, options).ok()?;
    for alarm in compiled.metric_alarms() {
        check_alarm_text(&alarm.alarm_name, alarm.alarm_description.as_deref());
        let stats = alarm
            .metrics
            .iter()
            .filter(|m| m.metric_stat.is_some())
            .count();
        let expressions = alarm
            .metrics
            .iter()
            .filter(|m| m.expression.is_some())
            .count();
        assert!(
            stats <= cloudwatch::MAX_METRICS_PER_ALARM
                && expressions <= cloudwatch::MAX_METRICS_PER_ALARM,
            "{}: {stats} metrics, {expressions} expressions",
            alarm.alarm_name
        );
        assert!(alarm.alarm_actions.len() <= cloudwatch::MAX_ACTIONS_PER_ALARM);
        assert!(alarm.ok_actions.len() <= cloudwatch::MAX_ACTIONS_PER_ALARM);
        assert!(
            alarm.threshold.is_finite(),
            "{}: threshold {}",
            alarm.alarm_name,
            alarm.threshold
        );
        for m in &alarm.metrics {
            assert!(
                !m.id.is_empty() && m.id.len() <= 255,
                "metric id {:?}",
                m.id
            );
            assert!(
                m.expression
                    .as_ref()
                    .is_none_or(|e| !e.is_empty() && e.chars().count() <= 2_048),
                "{}: expression of {} characters",
                alarm.alarm_name,
                m.expression.as_ref().map_or(0, |e| e.chars().count())
            );
        }
    }
    for alarm in compiled.composite_alarms() {
        check_alarm_text(&alarm.alarm_name, alarm.alarm_description.as_deref());
        assert!(
            alarm.alarm_rule.chars().count() <= cloudwatch::MAX_ALARM_RULE,
            "{}: rule of {} characters",
            alarm.alarm_name,
            alarm.alarm_rule.chars().count()
        );
        assert!(alarm.children().len() <= cloudwatch::MAX_ALARMS_PER_RULE);
        assert!(alarm.alarm_actions.len() <= cloudwatch::MAX_ACTIONS_PER_ALARM);
        assert!(alarm.ok_actions.len() <= cloudwatch::MAX_ACTIONS_PER_ALARM);
    }
    let alarms: BTreeSet<&str> = compiled
        .metric_alarms()
        .map(|a| a.alarm_name.as_str())
        .chain(compiled.composite_alarms().map(|a| a.alarm_name.as_str()))
        .collect();
    assert_eq!(
        alarms.len(),
        compiled.metric_alarms().count() + compiled.composite_alarms().count(),
        "two alarms share a name"
    );
    let mut out = Vec::new();
    let Ok(dashboards) = compiled.dashboards(&cloudwatch::DashboardOptions::default()) else {
        return Some(out);
    };
    let mut names = BTreeSet::new();
    for d in &dashboards {
        assert!(is_board_name(&d.name, 255), "dashboard name {:?}", d.name);
        assert!(
            names.insert(d.name.clone()),
            "dashboard name {:?} twice",
            d.name
        );
        out.push(round_trips(&d.body));
    }
    for max in [cloudwatch::MAX_RESOURCES, 7] {
        let Ok(stacks) = compiled.cloudformation_stacks(&dashboards, max) else {
            continue;
        };
        let mut seen = BTreeSet::new();
        let mut boards = 0;
        for stack in &stacks {
            let text = round_trips(stack);
            assert!(
                text.len() <= cloudwatch::MAX_TEMPLATE_BYTES,
                "a template of {} bytes",
                text.len()
            );
            let resources = stack["Resources"]
                .as_object()
                .expect("a template without Resources");
            assert!(!resources.is_empty(), "a template without resources");
            // An SLO alone may need more than a small cap; never more than CloudFormation's.
            assert!(
                resources.len() <= cloudwatch::MAX_RESOURCES,
                "{} resources",
                resources.len()
            );
            for resource in resources.values() {
                match resource["Type"].as_str() {
                    Some("AWS::CloudWatch::Alarm" | "AWS::CloudWatch::CompositeAlarm") => {
                        let name = resource["Properties"]["AlarmName"]
                            .as_str()
                            .expect("an alarm without a name");
                        assert!(
                            seen.insert(name.to_string()),
                            "alarm {name} in two templates"
                        );
                    }
                    Some("AWS::CloudWatch::Dashboard") => boards += 1,
                    _ => {}
                }
            }
            out.push(text);
        }
        if !stacks.is_empty() {
            assert_eq!(
                seen.len(),
                alarms.len(),
                "alarms missing from the templates"
            );
            assert_eq!(
                boards,
                dashboards.len(),
                "dashboards missing from the templates"
            );
        }
    }
    Some(out)
}

/// Everything the Prometheus engine writes for `slos`, as text; `None` when it refuses them.
fn prometheus_output(slos: &[SloDefinition], options: &prometheus::Options) -> Option<Vec<String>> {
    let specs = prometheus::specs_from_openslo(slos).ok()?;
    let compiled = prometheus::compile(&specs, options).ok()?;
    let files: Vec<(String, String)> = compiled
        .files()
        .iter()
        .map(|f| (f.name.clone(), f.to_yaml()))
        .collect();
    assert_eq!(
        files,
        compiled.files_yaml(),
        "files_yaml and files disagree"
    );
    let mut out: Vec<String> = files.into_iter().map(|(_, yaml)| yaml).collect();
    if let Ok(manifests) = compiled.prometheus_rules(&prometheus::ManifestOptions::default()) {
        out.extend(manifests.into_iter().map(|m| m.yaml));
    }
    if let Ok(routing) = compiled.alertmanager(&prometheus::AlertmanagerOptions::default()) {
        out.push(routing);
    }
    if let Ok(dashboards) = compiled.dashboards(&prometheus::GrafanaOptions::default()) {
        let mut uids = BTreeSet::new();
        for d in &dashboards {
            assert!(is_board_name(&d.uid, 40), "Grafana uid {:?}", d.uid);
            assert!(uids.insert(d.uid.clone()), "Grafana uid {:?} twice", d.uid);
            assert_eq!(
                d.json["uid"].as_str(),
                Some(d.uid.as_str()),
                "the JSON's uid differs"
            );
            out.push(round_trips(&d.json));
        }
    }
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(import) = parse(text, Mode::Lenient) else {
        return;
    };
    if import.slos.is_empty() {
        return;
    }
    let slos = &import.slos;
    let mut small = prometheus::Options::default();
    small.max_file_bytes = 2_048;
    small.max_rules_per_group = 8;
    let cloudwatch_options = [
        cloudwatch::CompileOptions::new().with_published("SLO/Published"),
        cloudwatch::CompileOptions::new(),
    ];
    for options in &cloudwatch_options {
        let first = cloudwatch_output(slos, options);
        assert!(
            first == cloudwatch_output(slos, options),
            "CloudWatch output differs from one compile to the next"
        );
    }
    for options in [prometheus::Options::default(), small] {
        let first = prometheus_output(slos, &options);
        assert!(
            first == prometheus_output(slos, &options),
            "Prometheus output differs from one compile to the next"
        );
    }
});
