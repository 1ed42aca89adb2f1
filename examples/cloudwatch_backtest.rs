//! Backtests an availability SLO on an Application Load Balancer's CloudWatch metrics: fetches
//! `RequestCount` and `HTTPCode_Target_5XX_Count` (Sum) for the last N days through
//! `CloudWatchSource`, turns them into `sli-core` counts and prints the SLO report, the alerts
//! the SRE Workbook policy would have raised, and what the fetch cost.
//!
//! The endpoint, region and credentials come from the standard AWS chain (`AWS_ENDPOINT_URL`,
//! `AWS_REGION`, profiles…), so the same command runs against an account or the emulator:
//!
//! ```text
//! cargo run -p sre-examples --features cloudwatch --example cloudwatch_backtest -- \
//!     --load-balancer app/checkout/50dc6c495c0c9188 [--days 30] [--namespace AWS/ApplicationELB]
//! ```
//!
//! `--seed-synthetic` first publishes two days of synthetic per-minute counts (with an incident)
//! under the given namespace, which must not be `AWS/…`: it is how `scripts/test.sh` runs this
//! example against the emulator.

use std::error::Error;

use aws_config::BehaviorVersion;
use aws_telemetry::{
    CloudWatchSink, CloudWatchSource, FetchRequest, Metric, MetricQuery, MetricSink, MetricSource,
    Period, Statistic, TimeRange, counts_from_bad,
};
use chrono::{DateTime, TimeDelta, Utc};
use sli_core::{AlertPolicy, PolicyEvaluator, Span, catalog};

struct Args {
    load_balancer: String,
    namespace: String,
    days: i64,
    seed: bool,
}

fn args() -> Result<Args, Box<dyn Error>> {
    let mut args = Args {
        load_balancer: String::new(),
        namespace: "AWS/ApplicationELB".into(),
        days: 30,
        seed: false,
    };
    let mut it = sre_examples::utf8_args()?.into_iter();
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--load-balancer" => {
                args.load_balancer = it.next().ok_or("--load-balancer needs a value")?
            }
            "--namespace" => args.namespace = it.next().ok_or("--namespace needs a value")?,
            "--days" => args.days = it.next().ok_or("--days needs a value")?.parse()?,
            "--seed-synthetic" => args.seed = true,
            other => return Err(format!("unknown argument {other:?}").into()),
        }
    }
    if args.load_balancer.is_empty() {
        return Err("--load-balancer is required".into());
    }
    if !(1..=455).contains(&args.days) {
        return Err("--days must be within 1..=455 (CloudWatch keeps 15 months)".into());
    }
    Ok(args)
}

/// The finest period CloudWatch keeps for data that old.
fn period_for(days: i64) -> Result<Period, Box<dyn Error>> {
    Ok(Period::new(match days {
        ..=14 => 60,
        15..=62 => 300,
        _ => 3600,
    })?)
}

async fn seed(
    sink: &CloudWatchSink,
    requests: &Metric,
    errors: &Metric,
    now: DateTime<Utc>,
) -> Result<(), Box<dyn Error>> {
    let minutes = 2 * 1440;
    let start = now - TimeDelta::minutes(minutes);
    let (mut total, mut bad) = (Vec::new(), Vec::new());
    for m in 0..minutes {
        let at = start + TimeDelta::minutes(m);
        let n = 600.0
            + 400.0
                * ((m % 1440) as f64 / 1440.0 * std::f64::consts::TAU)
                    .sin()
                    .abs();
        total.push((at, n.round()));
        // Ten minutes of a 20 % failure rate in the middle of the second day.
        if (2160..2170).contains(&m) {
            bad.push((at, (n * 0.2).round()));
        }
    }
    let calls = sink.put(requests, &total).await? + sink.put(errors, &bad).await?;
    println!(
        "seeded {} + {} datapoints in {calls} PutMetricData calls",
        total.len(),
        bad.len()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = args()?;
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let metric = |name: &str| {
        Metric::new(args.namespace.as_str(), name)?
            .with_dimension("LoadBalancer", args.load_balancer.as_str())
    };
    let (requests, errors) = (
        metric("RequestCount")?,
        metric("HTTPCode_Target_5XX_Count")?,
    );
    let now = Utc::now();
    let now = DateTime::from_timestamp(now.timestamp() - now.timestamp() % 60, 0)
        .ok_or("clock out of range")?;
    if args.seed {
        seed(&CloudWatchSink::new(&config), &requests, &errors, now).await?;
    }

    let source = CloudWatchSource::new(&config);
    let period = period_for(args.days)?;
    let range = TimeRange::new(now - TimeDelta::days(args.days), now)?;
    let queries = vec![
        MetricQuery::stat("requests", requests, Statistic::Sum, period)?,
        MetricQuery::stat("errors", errors, Statistic::Sum, period)?,
    ];
    let fetched = source.fetch(&FetchRequest::new(queries, range)?).await?;
    for series in &fetched {
        println!(
            "{}: {} datapoints, {}",
            series.id,
            series.points.len(),
            series.completeness
        );
    }
    let Some(counts) = counts_from_bad(&fetched[0], &fetched[1])? else {
        println!(
            "no RequestCount data for {} in the last {} days",
            args.load_balancer, args.days
        );
        return Ok(());
    };

    let slo = catalog::availability(format!("{} availability", args.load_balancer));
    let report = slo.report(&counts, now)?;
    println!(
        "\nSLO {}: {} over {}",
        slo.name,
        slo.objective,
        slo.window.nominal_length()
    );
    println!(
        "attainment  {:.4}%",
        100.0 * report.attainment.ratio().unwrap_or(f64::NAN)
    );
    if let Some(budget) = report.budget {
        println!(
            "budget      {:.1}% spent, {:.1}% left (data covers {:.1}% of the window)",
            100.0 * budget.consumed_fraction(),
            100.0 * budget.remaining_fraction(),
            100.0 * report.coverage
        );
    }
    let step = Span::from_seconds(i64::from(period.seconds()))?;
    let alerts = PolicyEvaluator::new(&slo, &AlertPolicy::default(), step)?.sweep(&counts)?;
    println!("alerts      {}", alerts.len());
    for a in &alerts {
        println!(
            "  {:<12} {:<6} {} -> {} (long burn {:.1}x)",
            a.tier,
            a.severity,
            a.start,
            a.end
                .map_or_else(|| "still firing".to_owned(), |end| end.to_string()),
            a.long_burn.unwrap_or(0.0)
        );
    }
    let stats = source.stats();
    println!(
        "\ncost: {} GetMetricData calls, {} retries, {} datapoints",
        stats.calls, stats.retries, stats.datapoints
    );
    Ok(())
}
