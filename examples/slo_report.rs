//! The main job: 30 days of a checkout service's per-minute request counts (embedded in the
//! repository, `examples/data/checkout_30d.csv`), evaluated against a 99.9 % availability SLO:
//! budget, burn rates, the multi-window multi-burn-rate alerts with their detection times, the
//! error-budget policy's decision, and a check that the streaming evaluator agrees.
//!
//! Run: `cargo run --release -p sre-examples --example slo_report`

use std::error::Error;
use std::fmt::Write as _;
use std::time::Instant;

use aws_telemetry::{CountsQuery, CsvSource, read_counts};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{
    AlertPolicy, AlertUpdate, ErrorBudgetPolicy, EventCounts, PolicyEvaluator, PolicyInput, Series,
    Span, breach_test, catalog, deployment_regression, group_alerts,
};

/// The data, compiled into the binary.
const CHECKOUT_30D: &str = include_str!("data/checkout_30d.csv");

/// The incidents `generate_checkout.py` injected: (start, end, error rate).
const INCIDENTS: [(&str, &str, &str); 2] = [
    (
        "2024-05-18T14:05:00Z",
        "2024-05-18T14:30:00Z",
        "bad deploy, 8 % errors",
    ),
    (
        "2024-05-24T05:00:00Z",
        "2024-05-25T01:00:00Z",
        "degraded dependency, 0.5 % errors",
    ),
];

/// The per-minute counts: the file's `good` and `total` columns, read as CSV.
fn parse(csv: &str) -> Result<Series<EventCounts>, Box<dyn Error>> {
    let source = CsvSource::from_bytes("checkout_30d.csv", csv.as_bytes(), "Checkout")?;
    let query = CountsQuery::good_total(source.metric("good")?, source.metric("total")?);
    Ok(read_counts(&source, &query)?)
}

fn minutes(d: TimeDelta) -> String {
    let s = d.num_seconds();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    } else {
        format!("{}m", s / 60)
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    // The report is written whole at the end, so that a reader that stops early
    // (`slo_report | head -1`) ends it quietly (`print_all`).
    let mut out = String::new();
    let series = parse(CHECKOUT_30D)?;
    let slo = catalog::availability("checkout");
    let policy = AlertPolicy::default();
    let end = series.last_time() + TimeDelta::minutes(1);

    writeln!(
        out,
        "SLO {}: {} of requests succeed over a rolling {}",
        slo.name,
        slo.objective,
        slo.window.nominal_length()
    )?;
    writeln!(
        out,
        "data: {} minutes from {} to {}\n",
        series.len(),
        series.first_time(),
        end
    )?;

    let report = slo.report(&series, end)?;
    let budget = report.budget.ok_or("no traffic in the window")?;
    writeln!(
        out,
        "attainment        {:.5}%  (objective met: {})",
        100.0 * report.attainment.ratio().unwrap_or(0.0),
        report.met == Some(true)
    )?;
    writeln!(
        out,
        "error budget      {:.0} bad requests allowed, {:.0} spent ({:.1}%), {:.1}% left",
        budget.allowed(),
        budget.consumed(),
        100.0 * budget.consumed_fraction(),
        100.0 * budget.remaining_fraction()
    )?;
    writeln!(
        out,
        "30-day burn rate  {:.3}x",
        report.burn_rate.unwrap_or(0.0)
    )?;
    match report.exhausted_at {
        Some(at) => writeln!(out, "budget runs out   {at} at that rate")?,
        None => writeln!(out, "budget runs out   never at that rate")?,
    }
    let breach = breach_test(series.sum()?, slo.objective, 0.95)?.ok_or("no traffic")?;
    writeln!(
        out,
        "breach test       error ratio {:.5}% in [{:.5}%, {:.5}%] at 95%: {}\n",
        100.0 * breach.error_ratio,
        100.0 * breach.interval.lower,
        100.0 * breach.interval.upper,
        breach.verdict
    )?;

    let evaluator = PolicyEvaluator::new(&slo, &policy, Span::MINUTE)?;
    writeln!(
        out,
        "policy (burn-rate thresholds for a {} window):",
        evaluator.slo_period()
    )?;
    for (tier, threshold) in evaluator.thresholds() {
        writeln!(
            out,
            "  {:<12} {:<7} long {:>3} short {:>3}  > {:>5.2}x  ({:.0}% of budget)",
            tier.id,
            tier.severity.to_string(),
            tier.long_window.to_string(),
            tier.short_window.to_string(),
            threshold,
            100.0 * tier.budget_fraction(evaluator.slo_period())
        )?;
    }

    let started = Instant::now();
    let alerts = evaluator.sweep(&series)?;
    let sweep_time = started.elapsed();
    writeln!(
        out,
        "\nalerts ({} points swept in {:.2} ms):",
        series.len(),
        sweep_time.as_secs_f64() * 1e3
    )?;
    for alert in &alerts {
        let incident = INCIDENTS
            .iter()
            .filter_map(|(s, _, what)| Some((s.parse::<DateTime<Utc>>().ok()?, *what)))
            .rfind(|(s, _)| *s <= alert.start);
        let detection = incident.map_or(
            "(no injected incident before it)".to_string(),
            |(s, what)| {
                format!(
                    "detected {} after start of {what}",
                    minutes(alert.start - s)
                )
            },
        );
        writeln!(
            out,
            "  {:<12} {:<7} {} -> {}  long {:>6.1}x short {:>6.1}x peak {:>6.1}x  {detection}",
            alert.tier,
            alert.severity.to_string(),
            alert.start.format("%m-%d %H:%M"),
            alert
                .end
                .map_or("firing".into(), |e| e.format("%m-%d %H:%M").to_string()),
            alert.long_burn.unwrap_or(0.0),
            alert.short_burn.unwrap_or(0.0),
            alert.peak_burn.unwrap_or(0.0)
        )?;
        if let Some(left) = alert.time_to_exhaustion() {
            writeln!(
                out,
                "  {:<12} tier = {:.0}% of budget; a full budget lasts {} at that burn",
                "",
                100.0 * alert.budget_fraction,
                minutes(left)
            )?;
        }
    }
    for (s, e, what) in INCIDENTS {
        writeln!(out, "  injected: {s} .. {e}  {what}")?;
    }
    let groups = group_alerts(alerts.clone(), |_| slo.name.clone());
    writeln!(
        out,
        "\n{} alerts group into {} notifications by SLO:",
        alerts.len(),
        groups.len()
    )?;
    for g in &groups {
        writeln!(
            out,
            "  {} from {} ({} tiers)",
            g.severity,
            g.start.format("%m-%d %H:%M"),
            g.alerts.len()
        )?;
    }

    // The streaming evaluator, fed one minute at a time, must agree with the sweep.
    let mut stream = evaluator.streaming();
    let mut streamed = Vec::new();
    let mut burn_1h = Vec::new();
    for (at, counts) in series.iter() {
        for update in stream.push(at, *counts)? {
            if let AlertUpdate::Resolved(done) = update {
                streamed.push(done.clone());
            }
        }
        let one_hour = stream
            .burn_rates()
            .into_iter()
            .find(|w| w.window == Span::HOUR);
        burn_1h.push((at, one_hour.and_then(|w| w.burn).unwrap_or(0.0)));
    }
    streamed.extend(stream.firing().cloned());
    streamed.sort_by(|a, b| (a.start, &a.tier).cmp(&(b.start, &b.tier)));
    let mut batch = alerts.clone();
    batch.sort_by(|a, b| (a.start, &a.tier).cmp(&(b.start, &b.tier)));
    writeln!(
        out,
        "\nstreaming evaluator agrees with the sweep: {}",
        streamed == batch
    )?;
    // Asked of the whole series at its end, without a replay: the same burn rates.
    let at_end = evaluator.burn_rates_at(&series, end)?;
    writeln!(
        out,
        "burn rates at {end} from the series agree with the streaming evaluator: {}",
        at_end == stream.burn_rates()
    )?;
    writeln!(out, "current burn rates:")?;
    for w in stream.burn_rates() {
        writeln!(
            out,
            "  {:>4}: {}",
            w.window.to_string(),
            w.burn.map_or("no data".into(), |b| format!("{b:.3}x"))
        )?;
    }

    // The error-budget policy at the worst moment of the deploy incident, and now.
    let decide = |until: DateTime<Utc>| -> Result<_, Box<dyn Error>> {
        let history = Series::from_values(
            "burn 1h",
            burn_1h.iter().copied().filter(|(t, _)| *t < until),
        )?;
        let upto = series
            .between(series.first_time(), until)
            .ok_or("no data")?;
        let budget = slo.report(&upto, until)?.budget;
        Ok(ErrorBudgetPolicy::default().decide(
            &PolicyInput {
                budget,
                burn_history: Some(&history),
                incidents: &[],
            },
            until,
        ))
    };
    let during: DateTime<Utc> = "2024-05-18T15:10:00Z".parse()?;
    writeln!(
        out,
        "\nerror-budget policy at {during}: {}",
        decide(during)?
    )?;
    writeln!(out, "error-budget policy now: {}", decide(end)?)?;

    // M9: did the deploy at 14:05 on day 17 regress? Compare the hour before with 25 minutes after.
    let deploy: DateTime<Utc> = INCIDENTS[0].0.parse()?;
    let window_sum = |from: DateTime<Utc>, to: DateTime<Utc>| {
        series.between(from, to).map(|s| s.sum()).transpose()
    };
    let before =
        window_sum(deploy - TimeDelta::hours(1), deploy)?.ok_or("no data before deploy")?;
    let after =
        window_sum(deploy, deploy + TimeDelta::minutes(25))?.ok_or("no data after deploy")?;
    let verdict = deployment_regression(before, after, 0.01)?;
    let p_value = if verdict.p_value > 0.0 {
        format!("{:.2e}", verdict.p_value)
    } else {
        "< 1e-300".into()
    };
    writeln!(
        out,
        "\nM9 deploy check at {deploy}: error ratio {:.3}% -> {:.3}%, p {p_value} ({}), regressed: {}",
        100.0 * verdict.before_error_ratio,
        100.0 * verdict.after_error_ratio,
        verdict.test,
        verdict.regressed
    )?;
    sre_examples::print_all(&out)?;
    Ok(())
}
