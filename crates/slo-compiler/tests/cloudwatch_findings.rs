//! Findings behind an SLO in CloudWatch (`CompileOptions::with_findings`), under the project's
//! CloudWatch simulator: a page finding alone notifies once through the SLO's page alarm; a page
//! finding during the SLO's own page adds no notification (one notification for the page and
//! the findings behind it); a ticket finding is held while the SLO pages; a ticket finding alone
//! notifies once. The same template is linted by cfn-lint in `cloudwatch_cfn_lint.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use aws_telemetry::Metric;
use chrono::{DateTime, TimeDelta, Utc};
use common::{alb_availability, t0, tier};
use sli_core::{AlertPolicy, PartialWindows, Severity};
use slo_compiler::cloudwatch::{
    AlarmMetric, CompileOptions, CompiledSlo, FINDING_HOLD_SECONDS, Simulator, compile,
};

const MINUTES: usize = 720;

fn alb(name: &str) -> Metric {
    Metric::new("AWS/ApplicationELB", name).unwrap()
}

fn compiled(findings: bool) -> CompiledSlo {
    let policy = AlertPolicy::new(vec![
        tier("page-fast", Severity::Page, 60, 5, 14.4),
        tier("ticket-slow", Severity::Ticket, 360, 30, 6.0),
    ])
    .with_partial_windows(PartialWindows::Evaluate);
    let spec = alb_availability(policy, alb);
    let mut options = CompileOptions::new()
        .with_page_actions(["arn:aws:sns:us-east-1:123456789012:page"])
        .with_ticket_actions(["arn:aws:sns:us-east-1:123456789012:ticket"])
        .with_suppressor_periods(0, 0);
    if findings {
        options = options.with_findings("SLO/Findings");
    }
    compile(&[spec], &options).unwrap().slos.remove(0)
}

fn at(minute: i64) -> DateTime<Utc> {
    t0() + TimeDelta::minutes(minute)
}

/// Page and ticket notifications over twelve hours of 1,000 requests a minute with a total
/// outage from minute 300 to 329, and the findings published at the given minutes.
fn notifications(
    slo: &CompiledSlo,
    findings: &[(Severity, i64)],
) -> (Vec<DateTime<Utc>>, Vec<DateTime<Utc>>) {
    let mut sim = Simulator::new(t0(), MINUTES).unwrap();
    let minutes = 0..i64::try_from(MINUTES).unwrap();
    sim.insert(
        &AlarmMetric::from(&alb("RequestCount")),
        minutes.clone().map(|m| (at(m), 1000.0)),
    );
    sim.insert(
        &AlarmMetric::from(&alb("HTTPCode_Target_5XX_Count")),
        minutes.map(|m| (at(m), if (300..330).contains(&m) { 1000.0 } else { 0.0 })),
    );
    for &(severity, minute) in findings {
        let metric = slo.findings_metric(severity).unwrap();
        sim.insert(&AlarmMetric::from(metric), [(at(minute), 1.0)]);
    }
    let states = sim.run_slo(slo).unwrap();
    let of = |severity| {
        sim.notifications(&states, slo.severity_alarm(severity).unwrap())
            .unwrap()
    };
    (of(Severity::Page), of(Severity::Ticket))
}

#[test]
fn an_slo_page_and_the_findings_behind_it_notify_once() {
    let without = compiled(false);
    let with = compiled(true);
    assert!(without.findings.is_empty() && without.findings_metric(Severity::Page).is_none());
    assert_eq!(with.metric_alarms.len(), without.metric_alarms.len() + 2);
    // With nothing published, the findings alarms change no notification.
    let (page, ticket) = notifications(&without, &[]);
    assert_eq!(notifications(&with, &[]), (page.clone(), ticket.clone()));
    assert_eq!(page.len(), 1, "the outage pages once: {page:?}");
    assert_eq!(
        ticket.len(),
        1,
        "and tickets once its page is over: {ticket:?}"
    );
    assert!(page[0] >= at(300) && page[0] < at(305), "{page:?}");

    let (page_f, ticket_f) = notifications(
        &with,
        &[
            (Severity::Page, 100),   // alone: pages
            (Severity::Page, 310),   // behind the SLO's page: no second page
            (Severity::Ticket, 320), // while the SLO pages: held
            (Severity::Ticket, 600), // alone: a ticket
        ],
    );
    assert_eq!(page_f, [sim_instant(100), page[0]], "{page_f:?}");
    // The page finding at 310 holds the page alarm for an hour (to minute 369): the outage's
    // ticket and the ticket finding at 320 wait until the page is over, then make one ticket
    // (both still current); the ticket finding at 600 is a ticket of its own.
    let hold = i64::from(FINDING_HOLD_SECONDS / 60);
    assert_eq!(ticket_f.len(), 2, "{ticket_f:?}");
    assert_eq!(ticket_f[0], sim_instant(310 + hold), "{ticket_f:?}");
    assert_eq!(ticket_f[1], sim_instant(600), "{ticket_f:?}");
}

/// The instant at which the simulator evaluates minute `m` (its end).
fn sim_instant(m: i64) -> DateTime<Utc> {
    at(m + 1)
}

#[test]
fn a_findings_namespace_cloudwatch_refuses_is_a_typed_error() {
    let spec = alb_availability(AlertPolicy::default(), alb);
    let err = compile(
        &[spec],
        &CompileOptions::new().with_findings("AWS/Findings"),
    )
    .unwrap_err();
    assert_eq!(err.field, "options.findings");
    assert!(err.to_string().contains("AWS/Findings"), "{err}");
}

#[test]
fn a_tier_named_like_a_findings_alarm_is_a_typed_error() {
    let policy = AlertPolicy::new(vec![tier("findings-page", Severity::Page, 60, 5, 14.4)]);
    let spec = alb_availability(policy, alb);
    let options = CompileOptions::new().with_findings("SLO/Findings");
    let err = compile(std::slice::from_ref(&spec), &options).unwrap_err();
    assert!(
        matches!(&err.problem, slo_compiler::CompileProblem::DuplicateName { name } if name.ends_with("/findings-page")),
        "{err}"
    );
    // Without the option the tier's name is free.
    assert!(compile(&[spec], &CompileOptions::new()).is_ok());
}
