//! Drills for F8: month-to-date charges as AWS publishes them, from a daily spend following
//! the shape.

use chrono::{DateTime, Datelike, TimeDelta, Utc};
use sli_core::Severity;

use super::metrics::rng_for;
use super::{Background, Drill, DrillPlan, Expected, drill_start, incident_time};
use crate::detectors::cost::{ChargeSample, OneOffCharge};
use crate::error::Result;
use crate::mode::FailureMode;

/// F8: eight weeks of `EstimatedCharges` from 2026-10-05, crossing two month ends. Usage is
/// `base` a day (20, 400 or 9,000 by seed) spread over the hours along the shape, 30 % lower
/// at weekends; readings come every 4 to 8 hours, each showing the month's usage up to 4
/// hours before it (the billing pipeline's lag), so the 1st's first readings still show the
/// old month. An annual support fee of 20 days' spend lands on 1 November, declared (the
/// returned one-off charges). Drills: clean weeks; a job left running at ×2.5 for a day, ×2.2
/// for three days, ×2 for a day (tickets: cost warnings); ×10 for a day (a page).
///
/// # Errors
/// None at present (the generator makes valid input).
pub fn charges(
    background: &Background,
    seed: u64,
) -> Result<Vec<(Vec<OneOffCharge>, Drill<ChargeSample>)>> {
    let base = [20.0, 400.0, 9000.0][(seed % 3) as usize];
    let lag = TimeDelta::hours(4);
    let variants: [(&str, f64, i64, Severity); 5] = [
        ("clean weeks", 1.0, 0, Severity::Ticket),
        ("×2.5 for a day", 2.5, 1, Severity::Ticket),
        ("×2.2 for three days", 2.2, 3, Severity::Ticket),
        ("×2 for a day", 2.0, 1, Severity::Ticket),
        ("×10 for a day", 10.0, 1, Severity::Page),
    ];
    let fee_day = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default();
    let fee = OneOffCharge {
        day: fee_day,
        amount: 20.0 * base,
        description: "Support, annual".to_owned(),
    };
    let mut drills = Vec::new();
    for (v, (label, multiple, days, severity)) in variants.into_iter().enumerate() {
        let mut rng = rng_for(background, seed, 80 + v as u64);
        let incident = (v > 0).then(|| incident_time(&mut rng, 25, 20));
        let span = TimeDelta::days(56);
        let end = drill_start() + span;
        // Usage per minute, cumulated per calendar month of usage.
        let usage_rate = |at: DateTime<Utc>, rng: &mut crate::scenarios::Rng| {
            let minute = (at - drill_start()).num_minutes() as usize;
            let weekend = if at.weekday().num_days_from_monday() >= 5 {
                0.7
            } else {
                1.0
            };
            let mut rate = base / 1440.0 * background.at(minute).min(4.0) * weekend;
            if incident.is_some_and(|i| at >= i && at < i + TimeDelta::days(days)) {
                rate *= multiple;
            }
            rate * (1.0 + 0.05 * rng.normal()).max(0.0)
        };
        let mut month_usage = 0.0;
        let mut usage_month = drill_start().month();
        let mut usage_at = drill_start() - lag;
        let mut readings = Vec::new();
        let mut at = drill_start() + TimeDelta::hours(2);
        while at < end {
            // Usage up to `at - lag` enters the published month-to-date.
            while usage_at < at - lag {
                if usage_at.month() != usage_month {
                    usage_month = usage_at.month();
                    month_usage = 0.0;
                }
                month_usage += usage_rate(usage_at, &mut rng) * 10.0;
                if usage_at.date_naive() == fee_day && usage_at.time() == chrono::NaiveTime::MIN {
                    month_usage += fee.amount;
                }
                usage_at += TimeDelta::minutes(10);
            }
            readings.push(ChargeSample {
                at,
                estimated_charges: month_usage,
            });
            at += TimeDelta::minutes(240 + (rng.next_u64() % 240) as i64);
        }
        let incident = incident.map(|start| Expected {
            label: label.to_owned(),
            start,
            end: start + TimeDelta::days(days),
            severity,
            // The day's readings arrive up to a day later.
            grace: TimeDelta::days(1),
        });
        let plan = DrillPlan::new(FailureMode::CostRunaway, span, TimeDelta::days(8));
        drills.push((
            vec![fee.clone()],
            plan.drill(background, label, readings, incident),
        ));
    }
    Ok(drills)
}
