//! Findings and SLO alerts through a real Alertmanager (0.25, Debian's
//! `prometheus-alertmanager`, which `scripts/test.sh` installs and points `ALERTMANAGER` at)
//! running the routing `slo-compiler` compiles: an SLO's page and the finding behind it
//! (labelled with the SLO's id, routed to the SLO's owner) make one group, hence one
//! notification, at the owner's page receiver; a ticket finding behind the paging SLO is
//! inhibited; a finding of no SLO is a group of its own, its ticket inhibited while a page of
//! the same mode and subject fires (not a security finding's, not on another subject); a
//! security finding stays apart even when given an SLO id.
//! Without `ALERTMANAGER` the test prints SKIPPED.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use failure_modes::{DEFAULT_HOLD, Evidence, FailureMode, Finding, Severity};
use serde_json::{Value, json};
use sli_core::Routing;
use sli_core::openslo::{Mode, parse};
use slo_compiler::prometheus::{AlertmanagerOptions, Options, compile, specs_from_openslo};

/// An HTTP/1.0 exchange (no chunked bodies, the connection closes after the response).
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, body.to_owned())
}

/// An alert's failure mode (`F2`) if it is a finding, else its name.
fn alert_name(alert: &Value) -> String {
    let labels = &alert["labels"];
    labels["failure_mode"]
        .as_str()
        .or(labels["alertname"].as_str())
        .unwrap_or_default()
        .to_owned()
}

struct Alertmanager(Child);

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn finding(mode: FailureMode, severity: Severity, subject: &str, owner: Option<&str>) -> Finding {
    let now = Utc::now();
    let finding = Finding::new(
        mode,
        severity,
        subject,
        now - TimeDelta::minutes(5),
        now - TimeDelta::minutes(1),
        Evidence::new(1.0, 0.0, 1.0, 9.0, "drill"),
    );
    match owner {
        Some(team) => finding.with_routing(Routing::new().with_owner(team.parse().unwrap())),
        None => finding,
    }
}

#[test]
fn an_slo_page_and_the_findings_behind_it_make_one_notification_in_alertmanager() {
    let Some(binary) = std::env::var_os("ALERTMANAGER") else {
        eprintln!("SKIPPED: ALERTMANAGER is not set (run `bash scripts/test.sh`)");
        return;
    };
    // The checkout SLOs, the availability SLO owned by the payments team.
    let import = parse(
        include_str!("../../docs/examples/checkout.prometheus.openslo.yaml"),
        Mode::Strict,
    )
    .unwrap();
    let mut specs = specs_from_openslo(&import.slos).unwrap();
    specs[0] = specs[0]
        .clone()
        .with_routing(Routing::new().with_owner("payments".parse().unwrap()));
    let compiled = compile(&specs, &Options::default()).unwrap();
    let slo_id = compiled.slos[0].id.clone();
    let config = compiled
        .alertmanager(&AlertmanagerOptions::default())
        .unwrap();

    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("alertmanager_grouping");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("alertmanager.yml"), &config).unwrap();
    let port = free_port();
    let _server = Alertmanager(
        Command::new(binary)
            .arg(format!(
                "--config.file={}",
                dir.join("alertmanager.yml").display()
            ))
            .arg(format!("--storage.path={}", dir.join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg("--cluster.listen-address=")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    let ready = || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
            && http(port, "GET", "/-/ready", None).0 == 200
    };
    while !ready() {
        assert!(Instant::now() < deadline, "Alertmanager did not start");
        std::thread::sleep(Duration::from_millis(200));
    }

    let page = json!({
        "labels": {"alertname": "ErrorBudgetBurn", "sloth_id": slo_id, "sloth_service": "checkout",
                   "sloth_slo": "checkout-availability", "severity": "page", "team": "payments"},
        "startsAt": (Utc::now() - TimeDelta::minutes(3)).to_rfc3339(),
    });
    let alerts = [
        page,
        // the partition behind the page, routed to the SLO's owner
        finding(
            FailureMode::NetworkPartition,
            Severity::Page,
            "eu-west-1a",
            Some("payments"),
        )
        .alertmanager_alert(Some(&slo_id), DEFAULT_HOLD),
        // a ticket behind the paging SLO: held while it pages
        finding(
            FailureMode::DbConnectionExhaustion,
            Severity::Ticket,
            "checkout-db",
            Some("payments"),
        )
        .alertmanager_alert(Some(&slo_id), DEFAULT_HOLD),
        // a quota nearing its limit, behind no SLO: a notification of its own
        finding(
            FailureMode::ServiceQuotaHit,
            Severity::Ticket,
            "lambda concurrency",
            None,
        )
        .alertmanager_alert(None, DEFAULT_HOLD),
        // the quota reached: its page holds the ticket above
        finding(
            FailureMode::ServiceQuotaHit,
            Severity::Page,
            "lambda concurrency",
            None,
        )
        .alertmanager_alert(None, DEFAULT_HOLD),
        // a quota of another subject: not held by that page
        finding(
            FailureMode::ServiceQuotaHit,
            Severity::Ticket,
            "ec2 vcpus",
            None,
        )
        .alertmanager_alert(None, DEFAULT_HOLD),
        // a security ticket on the principal the page below names: never held
        finding(
            FailureMode::CredentialCompromise,
            Severity::Ticket,
            "ci-deployer",
            None,
        )
        .alertmanager_alert(None, DEFAULT_HOLD),
        // a compromised key named with the SLO: security stays apart
        finding(
            FailureMode::CredentialCompromise,
            Severity::Page,
            "ci-deployer",
            None,
        )
        .alertmanager_alert(Some(&slo_id), DEFAULT_HOLD),
    ];
    let (status, body) = http(port, "POST", "/api/v2/alerts", Some(&json!(alerts)));
    assert_eq!(status, 200, "{body}");

    // The dispatcher files received alerts into groups asynchronously: read the groups once
    // all eight alerts are in them.
    let deadline = Instant::now() + Duration::from_secs(20);
    let groups = loop {
        let (status, body) = http(port, "GET", "/api/v2/alerts/groups", None);
        assert_eq!(status, 200, "{body}");
        let groups: Vec<Value> = serde_json::from_str(&body).unwrap();
        let filed: usize = groups
            .iter()
            .map(|g| g["alerts"].as_array().map_or(0, Vec::len))
            .sum();
        if filed == alerts.len() {
            break groups;
        }
        assert!(
            Instant::now() < deadline,
            "{filed} of {} alerts grouped: {body}",
            alerts.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let summary: Vec<(String, Vec<String>)> = groups
        .iter()
        .map(|g| {
            let mut names: Vec<String> = g["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .map(alert_name)
                .collect();
            names.sort();
            (g["receiver"]["name"].as_str().unwrap().to_owned(), names)
        })
        .collect();
    let groups_of = |member: &str| {
        let mut of: Vec<_> = summary
            .iter()
            .filter(|(_, names)| names.iter().any(|n| n == member))
            .cloned()
            .collect();
        of.sort();
        of
    };
    let group_of = |member: &str| {
        let of = groups_of(member);
        assert_eq!(of.len(), 1, "{member}: {summary:?}");
        of[0].clone()
    };
    // The SLO's page and the partition: one group at the owner's page receiver.
    assert_eq!(
        group_of("ErrorBudgetBurn"),
        (
            "payments-page".to_owned(),
            vec!["ErrorBudgetBurn".to_owned(), "F2".to_owned()]
        )
    );
    // The ticket behind it goes to the owner's ticket receiver, inhibited by the page.
    assert_eq!(
        group_of("F6"),
        ("payments-ticket".to_owned(), vec!["F6".to_owned()])
    );
    // The quota's ticket and page and the compromise each alone, at the default page/ticket
    // receivers (grouped by mode, subject and severity).
    let alone = |receiver: &str, mode: &str| (receiver.to_owned(), vec![mode.to_owned()]);
    assert_eq!(
        groups_of("F3"),
        [
            alone("slo-page", "F3"),
            alone("slo-ticket", "F3"),
            alone("slo-ticket", "F3")
        ]
    );
    assert_eq!(
        groups_of("F4"),
        [alone("slo-page", "F4"), alone("slo-ticket", "F4")]
    );
    assert_eq!(summary.len(), 7, "{summary:?}");

    // The inhibitor learns of the page asynchronously too: poll for the settled answer.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, body) = http(port, "GET", "/api/v2/alerts", None);
        let listed: Vec<Value> = serde_json::from_str(&body).unwrap();
        let mut inhibited: Vec<String> = listed
            .iter()
            .filter(|a| {
                a["status"]["inhibitedBy"]
                    .as_array()
                    .is_some_and(|by| !by.is_empty())
            })
            .map(|a| {
                format!(
                    "{} {}",
                    alert_name(a),
                    a["labels"]["subject"].as_str().unwrap_or("")
                )
            })
            .collect();
        inhibited.sort();
        // The F6 ticket by the SLO's page, the F3 ticket by the F3 page on its subject; not
        // the F3 ticket on another subject, nor the F4 ticket (security findings' never).
        let expected = ["F3 lambda concurrency", "F6 checkout-db"];
        if inhibited == expected || Instant::now() > deadline {
            assert_eq!(inhibited, expected, "{body}");
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}
