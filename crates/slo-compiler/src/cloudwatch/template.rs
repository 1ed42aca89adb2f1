//! One CloudFormation template (JSON) holding the alarms and dashboards.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Value, json};

use super::Compiled;
use super::compiled::CompiledSlo;
use super::dashboard::{check_literal, written_text};
use super::model::Dashboard;
use crate::board_name::{MAX_CLOUDWATCH_NAME, name_problem};
use crate::error::{CompileError, CompileProblem, Engine};

/// CloudFormation's limit on resources in one template.
pub const MAX_RESOURCES: usize = 500;
/// CloudFormation's limit on a template's size, in bytes of the compact JSON that
/// `Value::to_string` writes: "Template body size in an Amazon S3 object … 1 MB" (AWS
/// CloudFormation User Guide, CloudFormation quotas; cfn-lint's E1002 counts 1,000,000 bytes).
/// A `CreateStack` request carrying the body itself (`TemplateBody`) takes at most 51,200
/// bytes: larger templates go through S3 (`TemplateURL`).
pub const MAX_TEMPLATE_BYTES: usize = 1_000_000;

/// A logical id: the name's letters and digits in CamelCase, unique in the template.
fn logical_id(kind: &str, name: &str, taken: &mut BTreeSet<String>) -> String {
    let mut id = String::from(kind);
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id.truncate(240);
    let mut candidate = id.clone();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{id}{n}");
        n += 1;
    }
    candidate
}

fn serialise<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Resources of one SLO: its alarms and maintenance schedules.
fn resources_of(slo: &CompiledSlo) -> usize {
    slo.metric_alarms.len()
        + slo.composite_alarms.len()
        + slo.maintenance.as_ref().map_or(0, |m| m.schedules.len())
}

/// The role EventBridge Scheduler assumes to set the maintenance alarms: `SetAlarmState` on
/// alarms named `…/maintenance` only, assumed by the scheduler of this account only.
fn scheduler_role() -> Value {
    json!({
        "Type": "AWS::IAM::Role",
        "Properties": {
            "Description": "EventBridge Scheduler sets the SLO maintenance alarms (cloudwatch:SetAlarmState)",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Principal": {"Service": "scheduler.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                }],
            },
            "Policies": [{
                "PolicyName": "set-maintenance-alarms",
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Allow",
                        "Action": "cloudwatch:SetAlarmState",
                        "Resource": {"Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:*/maintenance"},
                    }],
                },
            }],
        }
    })
}

/// The variables a dashboard body may hold: the ones the compiler writes and
/// [`Dashboard::body_for`] fills in.
const BODY_VARIABLES: [&str; 2] = ["${AWS::Region}", "${AWS::AccountId}"];

/// Dashboards are plain data and may be built by hand, so what the compiler guarantees for
/// its own is checked again here: a name CloudWatch accepts, given once, and no `${` in a
/// body but the variables [`BODY_VARIABLES`] (the body goes through `Fn::Sub`, which would
/// fail the stack on any other, or replace it silently).
fn check_dashboards(dashboards: &[Dashboard]) -> Result<(), CompileError> {
    // The position names the dashboard: the name itself may be what is wrong (empty, or
    // holding a line break), and the problem quotes it.
    let error = |index: usize, part: &str, problem| {
        CompileError::new(
            Engine::CloudWatch,
            "",
            None,
            format!("dashboards[{index}].{part}"),
            problem,
        )
    };
    let mut names = BTreeSet::new();
    for (index, dashboard) in dashboards.iter().enumerate() {
        let name = dashboard.name.as_str();
        if let Some(reason) = name_problem(name, MAX_CLOUDWATCH_NAME) {
            return Err(error(
                index,
                "name",
                CompileProblem::DashboardName {
                    name: name.to_owned(),
                    reason,
                },
            ));
        }
        if !names.insert(name) {
            return Err(error(
                index,
                "name",
                CompileProblem::DuplicateName {
                    name: name.to_owned(),
                },
            ));
        }
        let body = dashboard.body.to_string();
        let mut rest = body.as_str();
        while let Some(at) = rest.find("${") {
            rest = &rest[at..];
            match BODY_VARIABLES.iter().find(|v| rest.starts_with(**v)) {
                Some(variable) => rest = &rest[variable.len()..],
                None => {
                    let text: String = rest.chars().take(64).collect();
                    return Err(error(index, "body", CompileProblem::SubVariable { text }));
                }
            }
        }
    }
    Ok(())
}

pub(super) fn template(
    slos: &[&CompiledSlo],
    dashboards: &[Dashboard],
    role_arn: Option<&str>,
) -> Result<Value, CompileError> {
    let needs_role = role_arn.is_none() && slos.iter().any(|s| s.maintenance.is_some());
    let count: usize = slos.iter().map(|s| resources_of(s)).sum::<usize>()
        + dashboards.len()
        + usize::from(needs_role);
    if count == 0 {
        return Err(CompileError::new(
            Engine::CloudWatch,
            "",
            None,
            "template",
            CompileProblem::EmptyTemplate,
        ));
    }
    if count > MAX_RESOURCES {
        return Err(CompileError::new(
            Engine::CloudWatch,
            slos.first().map(|s| s.slo.as_str()).unwrap_or_default(),
            None,
            "template",
            CompileProblem::TooManyResources {
                resources: count,
                max: MAX_RESOURCES,
            },
        ));
    }
    check_dashboards(dashboards)?;
    let mut taken = BTreeSet::new();
    let mut ids: HashMap<&str, String> = HashMap::new();
    let mut resources = BTreeMap::new();
    let role = if needs_role {
        let id = logical_id("Role", "SloMaintenanceScheduler", &mut taken);
        resources.insert(id.clone(), scheduler_role());
        json!({"Fn::GetAtt": [id, "Arn"]})
    } else {
        json!(role_arn.unwrap_or_default())
    };
    for slo in slos {
        check_literal(slo, alarm_text(slo))?;
        for alarm in &slo.metric_alarms {
            let id = logical_id("Alarm", &alarm.alarm_name, &mut taken);
            ids.insert(&alarm.alarm_name, id.clone());
            resources.insert(
                id,
                json!({"Type": "AWS::CloudWatch::Alarm", "Properties": serialise(alarm)}),
            );
        }
        for composite in &slo.composite_alarms {
            let id = logical_id("Composite", &composite.alarm_name, &mut taken);
            let depends: Vec<&String> = composite
                .children()
                .into_iter()
                .chain(composite.actions_suppressor.as_deref())
                .filter_map(|child| ids.get(child))
                .collect();
            let resource = json!({
                "Type": "AWS::CloudWatch::CompositeAlarm",
                "DependsOn": depends,
                "Properties": serialise(composite),
            });
            ids.insert(&composite.alarm_name, id.clone());
            resources.insert(id, resource);
        }
        for (i, schedule) in slo
            .maintenance
            .iter()
            .flat_map(|m| m.schedules.iter())
            .enumerate()
        {
            let id = logical_id(
                "Schedule",
                &format!("{} {i}", schedule.alarm_name),
                &mut taken,
            );
            let input = json!({
                "AlarmName": schedule.alarm_name,
                "StateValue": schedule.state.as_str(),
                "StateReason": schedule.description,
            });
            let mut depends = Vec::new();
            if let Some(alarm) = ids.get(schedule.alarm_name.as_str()) {
                depends.push(alarm.clone());
            }
            resources.insert(
                id,
                json!({
                    "Type": "AWS::Scheduler::Schedule",
                    "DependsOn": depends,
                    "Properties": {
                        "Description": schedule.description,
                        "ScheduleExpression": schedule.expression,
                        "ScheduleExpressionTimezone": schedule.timezone,
                        "FlexibleTimeWindow": {"Mode": "OFF"},
                        "State": "ENABLED",
                        "Target": {
                            "Arn": "arn:aws:scheduler:::aws-sdk:cloudwatch:setAlarmState",
                            "RoleArn": role,
                            "Input": input.to_string(),
                        },
                    }
                }),
            );
        }
    }
    for dashboard in dashboards {
        let id = logical_id("Dashboard", &dashboard.name, &mut taken);
        resources.insert(
            id,
            json!({
                "Type": "AWS::CloudWatch::Dashboard",
                "Properties": {
                    "DashboardName": dashboard.name,
                    "DashboardBody": {"Fn::Sub": dashboard.body.to_string()},
                }
            }),
        );
    }
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": format!("SLO burn-rate alarms and dashboards for {} SLO(s), generated by slo-compiler", slos.len()),
        "Resources": resources,
    });
    let bytes = json_bytes(&template);
    if bytes > MAX_TEMPLATE_BYTES {
        return Err(CompileError::new(
            Engine::CloudWatch,
            slos.first().map(|s| s.slo.as_str()).unwrap_or_default(),
            None,
            "template",
            CompileProblem::TemplateTooLarge {
                bytes,
                max: MAX_TEMPLATE_BYTES,
            },
        ));
    }
    Ok(template)
}

/// What the alarms of `slo` write into the template as plain strings, with the field each
/// comes from: the names and metric text its dashboards write too, then the descriptions and
/// tags, whose only other text is the routing (runbook and owner).
fn alarm_text(slo: &CompiledSlo) -> impl Iterator<Item = (&'static str, &str)> {
    let described = slo
        .metric_alarms
        .iter()
        .map(|a| (&a.alarm_description, &a.tags))
        .chain(
            slo.composite_alarms
                .iter()
                .map(|c| (&c.alarm_description, &c.tags)),
        );
    let routing = described.flat_map(|(description, tags)| {
        description
            .as_deref()
            .into_iter()
            .chain(tags.iter().flat_map(|t| [t.key.as_str(), t.value.as_str()]))
            .map(|text| ("routing", text))
    });
    written_text(slo).into_iter().chain(routing)
}

impl Compiled {
    /// One CloudFormation template with every alarm and `dashboards`. Composite alarms depend
    /// on the alarms they name; dashboard bodies go through `Fn::Sub` for the region and
    /// account of the alarm ARNs.
    ///
    /// # Errors
    /// [`CompileProblem::TooManyResources`] beyond [`MAX_RESOURCES`], and
    /// [`CompileProblem::TemplateTooLarge`] beyond [`MAX_TEMPLATE_BYTES`]: split the SLOs with
    /// [`Compiled::cloudformation_stacks`]. [`CompileProblem::EmptyTemplate`] for no SLO and
    /// no dashboard (CloudFormation refuses a template without resources). For dashboards
    /// built by hand: [`CompileProblem::DashboardName`] for a name CloudWatch refuses,
    /// [`CompileProblem::DuplicateName`] for a name given twice, and
    /// [`CompileProblem::SubVariable`] for a body holding `${` other than `${AWS::Region}` and
    /// `${AWS::AccountId}`. [`CompileProblem::SubVariable`] too for an SLO whose alarms would
    /// hold `${` (in its name, its policy's name, a tier id, a metric or the routing), which
    /// cfn-lint reads as a parameter outside `Fn::Sub`, naming the field.
    ///
    /// # Example
    /// ```
    /// use aws_telemetry::{Metric, Statistic};
    /// use slo_compiler::SloSpec;
    /// use slo_compiler::cloudwatch::{compile, CompileOptions, DashboardOptions, Signal, SignalSource};
    /// use sli_core::catalog;
    ///
    /// let m = |n| SignalSource::Metric { metric: Metric::new("App", n).unwrap(), stat: Statistic::Sum };
    /// let spec = SloSpec::new(catalog::availability("api"), Default::default(),
    ///     Signal::Bad { bad: m("Errors"), total: m("Requests") });
    /// let compiled = compile(&[spec], &CompileOptions::default())?;
    /// let dashboards = compiled.dashboards(&DashboardOptions::default())?;
    /// let template = compiled.cloudformation(&dashboards)?;
    /// assert_eq!(template["Resources"].as_object().unwrap().len(), 8 + 6 + 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn cloudformation(&self, dashboards: &[Dashboard]) -> Result<Value, CompileError> {
        template(
            &self.slos.iter().collect::<Vec<_>>(),
            dashboards,
            self.scheduler_role_arn.as_deref(),
        )
    }

    /// Templates of at most `max_resources` resources each (at most [`MAX_RESOURCES`]) and at
    /// most [`MAX_TEMPLATE_BYTES`], an SLO's alarms always in one template, the dashboards in
    /// the last.
    ///
    /// # Errors
    /// [`CompileProblem::TooManyResources`] or [`CompileProblem::TemplateTooLarge`] when one
    /// SLO alone, or the dashboards, do not fit; the dashboards' own errors as for
    /// [`Compiled::cloudformation`]. No SLO and no dashboard is no template (an empty list),
    /// never a template without resources.
    ///
    /// # Example
    /// ```
    /// # use slo_compiler::cloudwatch::Compiled;
    /// # fn f(c: &Compiled) { let _ = c.cloudformation_stacks(&[], 500); }
    /// ```
    pub fn cloudformation_stacks(
        &self,
        dashboards: &[Dashboard],
        max_resources: usize,
    ) -> Result<Vec<Value>, CompileError> {
        let max = max_resources.min(MAX_RESOURCES);
        let mut out = Vec::new();
        let mut batch: Vec<&CompiledSlo> = Vec::new();
        let mut size = 0;
        let role = self.scheduler_role_arn.as_deref();
        // A template with maintenance windows holds their scheduler's role too.
        let needs_role = |maintained: bool| usize::from(role.is_none() && maintained);
        let mut maintained = false;
        for slo in &self.slos {
            let n = resources_of(slo);
            let with = maintained || slo.maintenance.is_some();
            if size + n + needs_role(with) > max && !batch.is_empty() {
                fit(&batch, &[], role, &mut out)?;
                batch.clear();
                size = 0;
                maintained = false;
            }
            batch.push(slo);
            size += n;
            maintained |= slo.maintenance.is_some();
        }
        if size + dashboards.len() + needs_role(maintained) > max && !batch.is_empty() {
            fit(&batch, &[], role, &mut out)?;
            batch.clear();
        }
        if !batch.is_empty() || !dashboards.is_empty() {
            fit(&batch, dashboards, role, &mut out)?;
        }
        Ok(out)
    }
}

/// The templates of `slos` and `dashboards` (these last): one, or, past
/// [`MAX_TEMPLATE_BYTES`], those of each half (the dashboards apart from a lone SLO). Only a
/// template over the limit is built twice.
fn fit(
    slos: &[&CompiledSlo],
    dashboards: &[Dashboard],
    role: Option<&str>,
    out: &mut Vec<Value>,
) -> Result<(), CompileError> {
    match template(slos, dashboards, role) {
        Err(e) if matches!(e.problem, CompileProblem::TemplateTooLarge { .. }) => {
            if slos.len() > 1 {
                let (first, second) = slos.split_at(slos.len() / 2);
                fit(first, &[], role, out)?;
                fit(second, dashboards, role, out)
            } else if !slos.is_empty() && !dashboards.is_empty() {
                fit(slos, &[], role, out)?;
                fit(&[], dashboards, role, out)
            } else {
                Err(e)
            }
        }
        template => {
            out.push(template?);
            Ok(())
        }
    }
}

/// Counts the bytes of JSON written to it.
struct Counter(usize);

impl std::io::Write for Counter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The bytes of `value` as compact JSON (`Value::to_string`), without writing them out.
fn json_bytes(value: &Value) -> usize {
    let mut counter = Counter(0);
    // Writing to a counter cannot fail, nor can serialising a `Value`.
    let _ = serde_json::to_writer(&mut counter, value);
    counter.0
}
