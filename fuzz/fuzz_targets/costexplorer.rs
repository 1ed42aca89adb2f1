//! `CostExplorerSource::daily_costs` over GetCostAndUsage answers built from fuzz input, served
//! by the SDK's mock layer: either the raw AWS JSON 1.1 body of the HTTP response (the SDK's
//! decoder, then the adapter; the same body for every page and attempt), or a sequence of
//! decoded pages built field by field (amounts as any text: NaN, infinities, huge, negative,
//! empty; units present, absent, empty or mixed; time periods of any length, in any order,
//! duplicated, outside the range or not dates; estimated flags; groups; next page tokens
//! repeated or not). Typed errors or days, never a panic or a hang. What the adapter
//! documents holds: days oldest first and at most one per day, inside the range asked for,
//! each a finite amount with its unit, taken as served, never summed or guessed; daily
//! `UnblendedCost` asked for over the range; every request (attempts included) counted as
//! billed; a next page token followed once, never twice.
#![no_main]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use aws_sdk_costexplorer::Client;
use aws_sdk_costexplorer::operation::get_cost_and_usage::{
    GetCostAndUsageInput, GetCostAndUsageOutput,
};
use aws_sdk_costexplorer::types::{DateInterval, Granularity, Group, MetricValue, ResultByTime};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_telemetry::{CostExplorerSource, CostSource, DateRange, ServiceError};
use chrono::{NaiveDate, TimeDelta};
use libfuzzer_sys::fuzz_target;

#[path = "shared/aws_mock.rs"]
mod aws_mock;

use aws_mock::Bytes;

const METRIC: &str = "UnblendedCost";

/// The answer to serve: raw bytes (status, body) for every request, or decoded pages in turn
/// (an empty last page once they run out).
enum Answer {
    Raw(u16, Vec<u8>),
    Decoded(VecDeque<GetCostAndUsageOutput>),
}

static ANSWER: Mutex<Option<Answer>> = Mutex::new(None);

/// Responses handed out (attempts included), whatever the mode.
static SERVED: AtomicU64 = AtomicU64::new(0);

/// The decoded mode's requests and the pages answered to them, in order.
static EXCHANGES: Mutex<Vec<(GetCostAndUsageInput, GetCostAndUsageOutput)>> =
    Mutex::new(Vec::new());

fn is_raw() -> bool {
    matches!(*ANSWER.lock().unwrap(), Some(Answer::Raw(..)))
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    source: CostExplorerSource,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let raw = mock!(Client::get_cost_and_usage)
            .match_requests(|_| is_raw())
            .then_http_response(|| {
                SERVED.fetch_add(1, Ordering::Relaxed);
                let (status, body) = match ANSWER.lock().unwrap().as_ref() {
                    Some(Answer::Raw(status, body)) => (*status, body.clone()),
                    _ => (200, Vec::new()),
                };
                aws_mock::http_response(
                    status,
                    body,
                    &[("content-type", "application/x-amz-json-1.1")],
                )
            });
        let decoded = mock!(Client::get_cost_and_usage)
            .match_requests(|_| !is_raw())
            .then_compute_output(|input| {
                SERVED.fetch_add(1, Ordering::Relaxed);
                let page = match ANSWER.lock().unwrap().as_mut() {
                    Some(Answer::Decoded(pages)) => pages.pop_front(),
                    _ => None,
                }
                .unwrap_or_else(|| GetCostAndUsageOutput::builder().build());
                EXCHANGES
                    .lock()
                    .unwrap()
                    .push((input.clone(), page.clone()));
                page
            });
        let client = mock_client!(aws_sdk_costexplorer, RuleMode::MatchAny, &[&raw, &decoded]);
        let retry = aws_mock::fast_retries();
        Setup {
            runtime: aws_mock::runtime(),
            source: CostExplorerSource::from_client(client, retry),
        }
    })
}

/// A date as text: mostly near the range's start, sometimes not a date at all.
fn date_text(input: &mut Bytes<'_>, day: NaiveDate) -> String {
    match input.u8() % 16 {
        0 => String::new(),
        1 => "2026-02-30".to_owned(),
        2 => day.format("%Y-%-m-%-d").to_string(),
        3 => format!(" {day}"),
        4 => format!("{day}T00:00:00Z"),
        5 => "+262142-12-31".to_owned(),
        6 => "-0001-12-31".to_owned(),
        7 => input.text(),
        _ => day.to_string(),
    }
}

/// A `TimePeriod`: a day of (or near) the range, usually a day long.
fn period(input: &mut Bytes<'_>, range: &DateRange) -> DateInterval {
    let offset = i64::from(input.u8() as i8 % 48);
    let start = range.start() + TimeDelta::days(offset);
    let length = match input.u8() % 8 {
        0 => 0,
        1 => -1,
        2 => 2,
        3 => 31,
        _ => 1,
    };
    let end = start + TimeDelta::days(length);
    DateInterval::builder()
        .start(date_text(input, start))
        .end(date_text(input, end))
        .build()
        .unwrap()
}

/// An `Amount` as Cost Explorer might write it, or as nothing should.
fn amount(input: &mut Bytes<'_>) -> Option<String> {
    let text = match input.u8() % 24 {
        0 => return None,
        1 => "",
        2 => "NaN",
        3 => "inf",
        4 => "-infinity",
        5 => "1e309",
        6 => "-1e309",
        7 => "1.7976931348623157e308",
        8 => "-0",
        9 => "0",
        10 => "-1.5",
        11 => "96.4213370154",
        12 => "0x10",
        13 => " 5",
        14 => "1_000",
        15 => "1e-400",
        16 => return Some("9".repeat(usize::from(input.u8()) * 2)),
        17 => return Some(input.text()),
        18 => {
            let bits = u64::from_le_bytes(std::array::from_fn(|_| input.u8()));
            return Some(f64::from_bits(bits).to_string());
        }
        _ => return Some(format!("{}.{:02}", input.u8(), input.u8() % 100)),
    };
    Some(text.to_owned())
}

fn unit(input: &mut Bytes<'_>) -> Option<String> {
    match input.u8() % 8 {
        0 => None,
        1 => Some(String::new()),
        2 => Some("EUR".to_owned()),
        3 => Some("usd".to_owned()),
        4 => Some(input.text()),
        _ => Some("USD".to_owned()),
    }
}

fn metric_value(input: &mut Bytes<'_>) -> MetricValue {
    MetricValue::builder()
        .set_amount(amount(input))
        .set_unit(unit(input))
        .build()
}

fn result(input: &mut Bytes<'_>, range: &DateRange) -> ResultByTime {
    let mut result = ResultByTime::builder()
        .set_time_period((input.u8() % 16 != 0).then(|| period(input, range)))
        .estimated(input.u8() % 2 == 0);
    result = match input.u8() % 8 {
        0 => result,
        1 => result.set_total(Some(Default::default())),
        2 => result.total("BlendedCost", metric_value(input)),
        3 => result
            .total("BlendedCost", metric_value(input))
            .total(METRIC, metric_value(input)),
        _ => result.total(METRIC, metric_value(input)),
    };
    for _ in 0..input.u8() % 3 {
        result = result.groups(
            Group::builder()
                .keys(input.text())
                .metrics(METRIC, metric_value(input))
                .build(),
        );
    }
    result.build()
}

fn decoded(input: &mut Bytes<'_>, range: &DateRange) -> VecDeque<GetCostAndUsageOutput> {
    let mut pages = VecDeque::new();
    for _ in 0..1 + input.u8() % 4 {
        let mut page = GetCostAndUsageOutput::builder();
        for _ in 0..input.u8() % 7 {
            page = page.results_by_time(result(input, range));
        }
        page = match input.u8() % 8 {
            0..=2 => page,
            3 => page.next_page_token(""),
            token => page.next_page_token(format!("t{}", token % 3)),
        };
        pages.push_back(page.build());
    }
    pages
}

/// The day a `TimePeriod.Start` names, read as the adapter documents it: `YYYY-MM-DD` with
/// every digit (the text is the day written back), so `2026-11-1` names none.
fn day_of(interval: Option<&DateInterval>) -> Option<NaiveDate> {
    let text = interval?.start();
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (day.format("%Y-%m-%d").to_string() == text).then_some(day)
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let mut input = Bytes(data);
    let mode = input.u8();
    let first = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() + TimeDelta::days(input.u8().into());
    let range = DateRange::new(
        first,
        first + TimeDelta::days(1 + i64::from(input.u8() % 62)),
    )
    .unwrap();
    let raw = mode % 2 == 0;
    let answer = if raw {
        let status = [200, 200, 200, 400, 500, 503][usize::from(mode / 2) % 6];
        Answer::Raw(status, input.0.to_vec())
    } else {
        Answer::Decoded(decoded(&mut input, &range))
    };
    *ANSWER.lock().unwrap() = Some(answer);
    EXCHANGES.lock().unwrap().clear();
    SERVED.store(0, Ordering::Relaxed);
    let billed = setup.source.requests();

    let answer = setup.runtime.block_on(setup.source.daily_costs(&range));

    let served = SERVED.load(Ordering::Relaxed);
    assert_eq!(
        setup.source.requests() - billed,
        served,
        "every request sent is counted as billed"
    );
    if let Ok(days) = &answer {
        for pair in days.windows(2) {
            assert!(pair[0].day < pair[1].day, "days out of order or repeated");
        }
        for day in days {
            assert!(range.contains(day.day), "{} outside {range}", day.day);
            assert!(day.amount.is_finite(), "{}: amount {}", day.day, day.amount);
            assert!(!day.unit.is_empty(), "{}: no unit", day.day);
        }
    }
    if raw {
        return;
    }

    // Decoded pages: what was asked for, and what was made of the answers.
    let exchanges = EXCHANGES.lock().unwrap();
    assert_eq!(exchanges.len() as u64, served, "a page is answered once");
    let mut previous: Option<&GetCostAndUsageOutput> = None;
    let mut sent = Vec::new();
    for (request, page) in exchanges.iter() {
        assert_eq!(request.granularity(), Some(&Granularity::Daily));
        assert_eq!(request.metrics(), [METRIC.to_owned()]);
        let asked = request.time_period().map(|p| (p.start(), p.end()));
        let start = range.start().to_string();
        let end = range.end().to_string();
        assert_eq!(asked, Some((start.as_str(), end.as_str())));
        let follows = previous
            .and_then(GetCostAndUsageOutput::next_page_token)
            .filter(|t| !t.is_empty());
        assert_eq!(
            request.next_page_token(),
            follows,
            "not the previous page's token"
        );
        if let Some(token) = request.next_page_token() {
            assert!(
                !sent.contains(&token),
                "NextPageToken {token:?} followed twice"
            );
            sent.push(token);
        }
        previous = Some(page);
    }
    match answer {
        Ok(days) => {
            let last = previous.and_then(GetCostAndUsageOutput::next_page_token);
            assert!(last.is_none_or(str::is_empty), "a page left unread");
            let served: Vec<&ResultByTime> = exchanges
                .iter()
                .flat_map(|(_, page)| page.results_by_time())
                .collect();
            // Every day is a served result's figures, whole.
            for day in &days {
                assert!(
                    served.iter().any(|r| {
                        let value = r.total().and_then(|t| t.get(METRIC));
                        day_of(r.time_period()) == Some(day.day)
                            && value
                                .and_then(MetricValue::amount)
                                .and_then(|a| a.parse::<f64>().ok())
                                == Some(day.amount)
                            && value.and_then(MetricValue::unit) == Some(day.unit.as_str())
                            && r.estimated() == day.estimated
                    }),
                    "{day} is no served result"
                );
            }
            // Every served figure is a day.
            for r in &served {
                if r.total().and_then(|t| t.get(METRIC)).is_some() {
                    let day = day_of(r.time_period()).expect("a figure of no day was taken");
                    assert!(days.iter().any(|d| d.day == day), "{day}'s figure left out");
                }
            }
        }
        Err(ServiceError::InvalidResponse { backend, .. }) => assert_eq!(backend, "CostExplorer"),
        Err(other) => panic!("a decoded answer gave {other:?}"),
    }
});
