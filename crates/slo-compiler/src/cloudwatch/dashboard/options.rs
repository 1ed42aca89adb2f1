//! [`DashboardOptions`]: the service's AWS resources the dashboards show, checked against what
//! CloudWatch accepts, and the bounds on them.

use aws_telemetry::{Dimension, Metric, Statistic};
use sli_core::Deploy;

use crate::cloudwatch::panels;
use crate::error::CompileProblem;

/// The most deploys drawn as annotations on one dashboard (each is one marker on every
/// time series of the executive and on-call dashboards).
pub const MAX_DEPLOY_ANNOTATIONS: usize = 100;

/// The most resources of one kind a [`DashboardOptions`] names (log groups, RDS instances,
/// scaling groups, ECS services, Lambda functions, remote services, slow query logs): Logs
/// Insights reads at most 50 log groups in one query, and the same bound keeps every panel's
/// list of series readable (a scaling panel of 50 groups, 50 services and 50 functions draws
/// 250 lines).
pub const MAX_PER_OPTION: usize = 50;

/// The most alarms one alarm status widget lists (CloudWatch's limit); more are spread over
/// several widgets.
pub const MAX_ALARMS_PER_WIDGET: usize = 100;

/// Which slow query log an RDS instance publishes to CloudWatch Logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlowQueryLog {
    /// MySQL or MariaDB `slowquery` (`slow_query_log = 1`, `log_output = FILE`):
    /// `/aws/rds/instance/<id>/slowquery`.
    MySql,
    /// PostgreSQL's log with `log_min_duration_statement` set: `/aws/rds/instance/<id>/postgresql`.
    Postgres,
}

/// What the dashboards show beyond the SLOs themselves (all optional): the service's AWS
/// resources, each drawn on the dashboard whose audience needs it.
///
/// | option | dashboard | panel |
/// |---|---|---|
/// | (always) | executive | SLI, error budget, burn rate per SLO; estimated charges (cost trend); SLO alarm status (active incidents) |
/// | (always) | on-call | SLO alarm status; burn rate and bad events per SLO |
/// | [`latency`](Self::latency) | executive, debug | p50, p90, p99 |
/// | [`log_groups`](Self::log_groups) | on-call | recent error lines and error lines per 5 minutes (Logs Insights) |
/// | [`cloudtrail_log_group`](Self::cloudtrail_log_group) | on-call | recent deploys: ECS, Lambda, CloudFormation, CodeDeploy calls (Logs Insights over CloudTrail) |
/// | [`deploys`](Self::deploys) | executive, on-call | a marker per deploy on every time series |
/// | [`db_instances`](Self::db_instances) | on-call, debug | DB connections; DB load from Performance Insights |
/// | [`slow_query_logs`](Self::slow_query_logs) | debug | the slowest statements (Logs Insights) |
/// | [`autoscaling_groups`](Self::autoscaling_groups), [`ecs_services`](Self::ecs_services), [`lambda_functions`](Self::lambda_functions) | on-call | scaling events: desired and in-service capacity, task counts, concurrency |
/// | [`ecs_services`](Self::ecs_services) | debug | CPU and memory as % of reserved (Container Insights) |
/// | [`application_signals`](Self::application_signals), [`remote_services`](Self::remote_services) | debug | traced latency and faults; dependency latency (Application Signals, built on X-Ray traces) |
/// | [`dependencies`](Self::dependencies) | debug | any other dependency metric |
///
/// Environment variables are left out on purpose: no CloudWatch widget reads them, and they
/// often hold secrets that anyone allowed to read a dashboard could then read.
///
/// # Example
/// ```
/// use aws_telemetry::{Metric, Statistic};
/// use slo_compiler::cloudwatch::{DashboardOptions, SlowQueryLog};
/// let options = DashboardOptions::new()
///     .with_latency(Metric::new("AWS/ApplicationELB", "TargetResponseTime")?)
///     .with_db_instance("checkout-db")
///     .with_slow_query_log("checkout-db", SlowQueryLog::Postgres)
///     .with_log_group("/aws/lambda/checkout")
///     .with_ecs_service("prod", "checkout");
/// assert!(options.autoscaling_groups.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct DashboardOptions {
    /// A latency metric for the executive and debug dashboards (p50, p90, p99).
    pub latency: Option<Metric>,
    /// RDS instances (`DBInstanceIdentifier`) whose connections (on-call) and Performance
    /// Insights load (debug) are shown.
    pub db_instances: Vec<String>,
    /// Auto Scaling groups whose desired and in-service capacity the on-call dashboard shows.
    pub autoscaling_groups: Vec<String>,
    /// Dependency metrics for the debug dashboard: (label, metric, statistic).
    pub dependencies: Vec<(String, Metric, Statistic)>,
    /// The service's application log groups, searched for error lines.
    pub log_groups: Vec<String>,
    /// A log group CloudTrail delivers the account's management events to, searched for
    /// deploy calls.
    pub cloudtrail_log_group: Option<String>,
    /// Deploys to mark on the time series (at most [`MAX_DEPLOY_ANNOTATIONS`]; a dashboard is
    /// a fixed document, so these are the deploys known when it is compiled).
    pub deploys: Vec<Deploy>,
    /// RDS instances whose slow query log is published to CloudWatch Logs.
    pub slow_query_logs: Vec<(String, SlowQueryLog)>,
    /// ECS services as (cluster, service), with Container Insights enabled.
    pub ecs_services: Vec<(String, String)>,
    /// Lambda functions whose concurrency the on-call dashboard shows.
    pub lambda_functions: Vec<String>,
    /// The service as Application Signals names it: (service, environment), e.g.
    /// `("checkout", "eks:prod/default")`.
    pub application_signals: Option<(String, String)>,
    /// Services the Application Signals service calls (`RemoteService`), whose latency the
    /// debug dashboard shows.
    pub remote_services: Vec<String>,
}

impl DashboardOptions {
    /// No latency metric, databases, scaling groups or dependencies.
    pub fn new() -> Self {
        Self::default()
    }

    /// These options with `metric` as the service's latency.
    #[must_use]
    pub fn with_latency(mut self, metric: Metric) -> Self {
        self.latency = Some(metric);
        self
    }

    /// These options with one more RDS instance (`DBInstanceIdentifier`).
    #[must_use]
    pub fn with_db_instance(mut self, instance: impl Into<String>) -> Self {
        self.db_instances.push(instance.into());
        self
    }

    /// These options with one more Auto Scaling group.
    #[must_use]
    pub fn with_autoscaling_group(mut self, group: impl Into<String>) -> Self {
        self.autoscaling_groups.push(group.into());
        self
    }

    /// These options with one more dependency: a title, its latency metric and statistic.
    #[must_use]
    pub fn with_dependency(
        mut self,
        title: impl Into<String>,
        metric: Metric,
        stat: Statistic,
    ) -> Self {
        self.dependencies.push((title.into(), metric, stat));
        self
    }

    /// These options with one more application log group.
    #[must_use]
    pub fn with_log_group(mut self, group: impl Into<String>) -> Self {
        self.log_groups.push(group.into());
        self
    }

    /// These options reading deploys from the CloudTrail log group `group`.
    #[must_use]
    pub fn with_cloudtrail_log_group(mut self, group: impl Into<String>) -> Self {
        self.cloudtrail_log_group = Some(group.into());
        self
    }

    /// These options marking `deploys` on the time series.
    #[must_use]
    pub fn with_deploys(mut self, deploys: impl IntoIterator<Item = Deploy>) -> Self {
        self.deploys.extend(deploys);
        self
    }

    /// These options with the slow query log of RDS instance `instance`.
    #[must_use]
    pub fn with_slow_query_log(mut self, instance: impl Into<String>, log: SlowQueryLog) -> Self {
        self.slow_query_logs.push((instance.into(), log));
        self
    }

    /// These options with the ECS service `service` of `cluster`.
    #[must_use]
    pub fn with_ecs_service(
        mut self,
        cluster: impl Into<String>,
        service: impl Into<String>,
    ) -> Self {
        self.ecs_services.push((cluster.into(), service.into()));
        self
    }

    /// These options with one more Lambda function.
    #[must_use]
    pub fn with_lambda_function(mut self, function: impl Into<String>) -> Self {
        self.lambda_functions.push(function.into());
        self
    }

    /// These options with the service's Application Signals name and environment.
    #[must_use]
    pub fn with_application_signals(
        mut self,
        service: impl Into<String>,
        environment: impl Into<String>,
    ) -> Self {
        self.application_signals = Some((service.into(), environment.into()));
        self
    }

    /// These options with one more remote service of the Application Signals service.
    #[must_use]
    pub fn with_remote_service(mut self, service: impl Into<String>) -> Self {
        self.remote_services.push(service.into());
        self
    }

    /// Checks every name against what CloudWatch accepts, and the deploys against
    /// [`MAX_DEPLOY_ANNOTATIONS`].
    pub(crate) fn check(&self) -> Result<(), CompileProblem> {
        let invalid =
            |option: &'static str, value: &str, reason: String| CompileProblem::InvalidOption {
                option,
                reason: format!("{value:?} {reason}"),
            };
        let dimension = |option: &'static str, name: &str, value: &str| {
            if value.contains("${") {
                // The template's dashboard body goes through Fn::Sub.
                return Err(invalid(option, value, "holds \"${\"".into()));
            }
            Dimension::new(name, value)
                .map(drop)
                .map_err(|e| invalid(option, value, format!("is not a {name}: {e}")))
        };
        for (option, count) in [
            ("log_groups", self.log_groups.len()),
            ("db_instances", self.db_instances.len()),
            ("slow_query_logs", self.slow_query_logs.len()),
            ("autoscaling_groups", self.autoscaling_groups.len()),
            ("ecs_services", self.ecs_services.len()),
            ("lambda_functions", self.lambda_functions.len()),
            ("remote_services", self.remote_services.len()),
            ("dependencies", self.dependencies.len()),
        ] {
            if count > MAX_PER_OPTION {
                return Err(CompileProblem::InvalidOption {
                    option,
                    reason: format!("{count} entries; a dashboard shows at most {MAX_PER_OPTION}"),
                });
            }
        }
        for group in &self.log_groups {
            check_log_group(group).map_err(|reason| invalid("log_groups", group, reason.into()))?;
        }
        if let Some(group) = &self.cloudtrail_log_group {
            check_log_group(group)
                .map_err(|reason| invalid("cloudtrail_log_group", group, reason.into()))?;
        }
        for id in &self.db_instances {
            dimension("db_instances", "DBInstanceIdentifier", id)?;
        }
        for (id, log) in &self.slow_query_logs {
            dimension("slow_query_logs", "DBInstanceIdentifier", id)?;
            check_log_group(&panels::slow_query_log_group(id, *log))
                .map_err(|reason| invalid("slow_query_logs", id, reason.into()))?;
        }
        for group in &self.autoscaling_groups {
            dimension("autoscaling_groups", "AutoScalingGroupName", group)?;
        }
        for (cluster, service) in &self.ecs_services {
            dimension("ecs_services", "ClusterName", cluster)?;
            dimension("ecs_services", "ServiceName", service)?;
        }
        for function in &self.lambda_functions {
            dimension("lambda_functions", "FunctionName", function)?;
        }
        if let Some((service, environment)) = &self.application_signals {
            dimension("application_signals", "Service", service)?;
            dimension("application_signals", "Environment", environment)?;
        }
        for remote in &self.remote_services {
            dimension("remote_services", "RemoteService", remote)?;
        }
        for deploy in &self.deploys {
            // A deploy's label is written into the body, which the template passes to Fn::Sub.
            if deploy.id().contains("${") || deploy.service().contains("${") {
                return Err(invalid("deploys", deploy.id(), "holds \"${\"".into()));
            }
        }
        if self.deploys.len() > MAX_DEPLOY_ANNOTATIONS {
            return Err(CompileProblem::InvalidOption {
                option: "deploys",
                reason: format!(
                    "{} deploys; a dashboard marks at most {MAX_DEPLOY_ANNOTATIONS}",
                    self.deploys.len()
                ),
            });
        }
        Ok(())
    }
}

/// A CloudWatch Logs group name: 1 to 512 of letters, digits, `_ - / . #`.
fn check_log_group(name: &str) -> Result<(), &'static str> {
    if name.is_empty() || name.len() > 512 {
        Err("is not 1 to 512 characters long")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-/.#".contains(c))
    {
        Err("may hold only letters, digits and '_', '-', '/', '.', '#'")
    } else {
        Ok(())
    }
}
