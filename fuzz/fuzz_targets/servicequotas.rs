//! `ServiceQuotasSource::quota` (GetServiceQuota) and `::quotas` (ListServiceQuotas, paged)
//! over answers built from fuzz input, served by the SDK's mock layer: either the raw AWS JSON
//! 1.1 body of the HTTP response (the SDK's decoder, then the adapter; the same body for every
//! page and attempt), or decoded answers built field by field (service and quota codes absent,
//! empty, of the quota asked for in any case or of another; values NaN, infinite, huge,
//! negative or absent; units; usage metrics whole, empty or half given; next tokens repeated
//! or not). Typed errors or quotas, never a panic or a hang. What the adapter and its trait
//! document holds: the quota returned is the one asked for (codes compared without regard to
//! ASCII case); a service's quotas are that service's, as served and in order, none twice;
//! codes are not empty; values are finite and at least 0; a next token is followed once, never
//! twice.
#![no_main]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use aws_sdk_servicequotas::Client;
use aws_sdk_servicequotas::operation::get_service_quota::GetServiceQuotaOutput;
use aws_sdk_servicequotas::operation::list_service_quotas::{
    ListServiceQuotasInput, ListServiceQuotasOutput,
};
use aws_sdk_servicequotas::types::{MetricInfo, ServiceQuota};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_telemetry::{Quota, QuotaSource, ServiceError, ServiceQuotasSource};
use libfuzzer_sys::fuzz_target;

#[path = "shared/aws_mock.rs"]
mod aws_mock;

use aws_mock::Bytes;

/// The answer to serve: raw bytes (status, body) for every request, or decoded answers (one
/// quota, or list pages in turn with an empty last page once they run out).
enum Answer {
    Raw(u16, Vec<u8>),
    One(GetServiceQuotaOutput),
    Pages(VecDeque<ListServiceQuotasOutput>),
}

static ANSWER: Mutex<Option<Answer>> = Mutex::new(None);

/// Responses handed out (attempts included), whatever the mode.
static SERVED: AtomicU64 = AtomicU64::new(0);

/// The list requests of the decoded mode and the pages answered to them, in order.
static EXCHANGES: Mutex<Vec<(ListServiceQuotasInput, ListServiceQuotasOutput)>> =
    Mutex::new(Vec::new());

fn is_raw() -> bool {
    matches!(*ANSWER.lock().unwrap(), Some(Answer::Raw(..)))
}

fn raw_response() -> HttpResponse {
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
}

struct Setup {
    runtime: tokio::runtime::Runtime,
    source: ServiceQuotasSource,
}

fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let raw_one = mock!(Client::get_service_quota)
            .match_requests(|_| is_raw())
            .then_http_response(raw_response);
        let raw_list = mock!(Client::list_service_quotas)
            .match_requests(|_| is_raw())
            .then_http_response(raw_response);
        let one = mock!(Client::get_service_quota)
            .match_requests(|_| !is_raw())
            .then_output(|| {
                SERVED.fetch_add(1, Ordering::Relaxed);
                match ANSWER.lock().unwrap().as_ref() {
                    Some(Answer::One(output)) => output.clone(),
                    _ => GetServiceQuotaOutput::builder().build(),
                }
            });
        let list = mock!(Client::list_service_quotas)
            .match_requests(|_| !is_raw())
            .then_compute_output(|input| {
                SERVED.fetch_add(1, Ordering::Relaxed);
                let page = match ANSWER.lock().unwrap().as_mut() {
                    Some(Answer::Pages(pages)) => pages.pop_front(),
                    _ => None,
                }
                .unwrap_or_else(|| ListServiceQuotasOutput::builder().build());
                EXCHANGES
                    .lock()
                    .unwrap()
                    .push((input.clone(), page.clone()));
                page
            });
        let client = mock_client!(
            aws_sdk_servicequotas,
            RuleMode::MatchAny,
            &[&raw_one, &raw_list, &one, &list]
        );
        let retry = aws_mock::fast_retries();
        Setup {
            runtime: aws_mock::runtime(),
            source: ServiceQuotasSource::from_client(client, retry),
        }
    })
}

/// The (service, quota) codes asked for.
const ASKED: [(&str, &str); 5] = [
    ("ec2", "L-1216C47A"),
    ("lambda", "L-B99A9384"),
    ("EC2", "l-1216c47a"),
    ("ec2", "L-0000"),
    ("", ""),
];

/// A code as answered: the one asked for, in its own or another case, another, empty or none.
fn code(input: &mut Bytes<'_>, asked: &str, other: &str) -> Option<String> {
    match input.u8() % 8 {
        0 => None,
        1 => Some(String::new()),
        2 => Some(asked.to_ascii_uppercase()),
        3 => Some(asked.to_ascii_lowercase()),
        4 => Some(other.to_owned()),
        5 => Some(input.text()),
        _ => Some(asked.to_owned()),
    }
}

fn text(input: &mut Bytes<'_>, usual: &str) -> Option<String> {
    match input.u8() % 4 {
        0 => None,
        1 => Some(input.text()),
        _ => Some(usual.to_owned()),
    }
}

fn usage_metric(input: &mut Bytes<'_>) -> Option<MetricInfo> {
    let which = input.u8();
    if which % 4 == 0 {
        return None;
    }
    let mut metric = MetricInfo::builder()
        .set_metric_namespace(text(input, "AWS/Usage"))
        .set_metric_name(text(input, "ResourceCount"))
        .set_metric_statistic_recommendation(text(input, "Maximum"));
    for _ in 0..input.u8() % 4 {
        metric = metric.metric_dimensions(input.text(), input.text());
    }
    Some(metric.build())
}

fn quota(input: &mut Bytes<'_>, (service, code_asked): (&str, &str)) -> ServiceQuota {
    ServiceQuota::builder()
        .set_service_code(code(input, service, "lambda"))
        .set_quota_code(code(input, code_asked, "L-B99A9384"))
        .set_quota_name(text(input, "Running On-Demand Standard instances"))
        .set_value((input.u8() % 8 != 0).then(|| input.f64()))
        .set_unit(text(input, "None"))
        .adjustable(input.u8() % 2 == 0)
        .global_quota(input.u8() % 2 == 0)
        .set_usage_metric(usage_metric(input))
        .build()
}

fn pages(input: &mut Bytes<'_>, asked: (&str, &str)) -> VecDeque<ListServiceQuotasOutput> {
    let mut pages = VecDeque::new();
    for _ in 0..1 + input.u8() % 4 {
        let mut page = ListServiceQuotasOutput::builder();
        for _ in 0..input.u8() % 7 {
            page = page.quotas(quota(input, asked));
        }
        page = match input.u8() % 8 {
            0..=2 => page,
            3 => page.next_token(""),
            token => page.next_token(format!("t{}", token % 3)),
        };
        pages.push_back(page.build());
    }
    pages
}

/// The toolkit's quota is the SDK's, field by field.
fn same(quota: &Quota, served: &ServiceQuota) -> bool {
    Some(quota.service_code.as_str()) == served.service_code()
        && Some(quota.quota_code.as_str()) == served.quota_code()
        && quota.value.map(f64::to_bits) == served.value().map(f64::to_bits)
        && quota.unit.as_deref() == served.unit()
        && quota.adjustable == served.adjustable()
        && quota.name == served.quota_name().unwrap_or(quota.quota_code.as_str())
}

fn check(quota: &Quota) {
    assert!(
        quota.value.is_none_or(|v| v.is_finite() && v >= 0.0),
        "{quota}: value not finite or negative"
    );
    assert!(
        !quota.service_code.is_empty() && !quota.quota_code.is_empty(),
        "{quota}: a code is empty"
    );
}

fuzz_target!(|data: &[u8]| {
    let setup = setup();
    let mut input = Bytes(data);
    let mode = input.u8();
    let asked = ASKED[usize::from(input.u8()) % ASKED.len()];
    let (raw, list) = (mode % 2 == 0, mode & 2 != 0);
    let answer = if raw {
        let status = [200, 200, 200, 400, 500, 503][usize::from(mode / 4) % 6];
        Answer::Raw(status, input.0.to_vec())
    } else if list {
        Answer::Pages(pages(&mut input, asked))
    } else {
        let output = GetServiceQuotaOutput::builder()
            .set_quota((input.u8() % 8 != 0).then(|| quota(&mut input, asked)))
            .build();
        Answer::One(output)
    };
    let one = match &answer {
        Answer::One(output) => output.quota().cloned(),
        _ => None,
    };
    *ANSWER.lock().unwrap() = Some(answer);
    EXCHANGES.lock().unwrap().clear();
    SERVED.store(0, Ordering::Relaxed);
    let (service, quota_code) = asked;

    if !list {
        let answer = setup
            .runtime
            .block_on(setup.source.quota(service, quota_code));
        if let Ok(quota) = &answer {
            check(quota);
            assert!(
                quota.service_code.eq_ignore_ascii_case(service)
                    && quota.quota_code.eq_ignore_ascii_case(quota_code),
                "asked for {service}/{quota_code}, given {quota}"
            );
        }
        if raw {
            return;
        }
        assert_eq!(SERVED.load(Ordering::Relaxed), 1, "one GetServiceQuota");
        match answer {
            Ok(quota) => assert!(same(&quota, one.as_ref().unwrap()), "{quota} not as served"),
            Err(ServiceError::InvalidResponse { backend, .. }) => {
                assert_eq!(backend, "ServiceQuotas")
            }
            Err(other) => panic!("a decoded answer gave {other:?}"),
        }
        return;
    }

    let answer = setup.runtime.block_on(setup.source.quotas(service));
    if let Ok(quotas) = &answer {
        for (i, quota) in quotas.iter().enumerate() {
            check(quota);
            assert!(
                !quotas[..i]
                    .iter()
                    .any(|q| q.quota_code.eq_ignore_ascii_case(&quota.quota_code)),
                "{quota} listed twice"
            );
            assert!(
                quota.service_code.eq_ignore_ascii_case(service),
                "asked for the quotas of {service:?}, given {quota}"
            );
        }
    }
    if raw {
        return;
    }
    let exchanges = EXCHANGES.lock().unwrap();
    assert_eq!(
        exchanges.len() as u64,
        SERVED.load(Ordering::Relaxed),
        "a page is answered once"
    );
    let mut previous: Option<&ListServiceQuotasOutput> = None;
    let mut sent = Vec::new();
    for (request, page) in exchanges.iter() {
        assert_eq!(request.service_code(), Some(service));
        assert_eq!(request.max_results(), Some(100), "pages of 100");
        let follows = previous
            .and_then(ListServiceQuotasOutput::next_token)
            .filter(|t| !t.is_empty());
        assert_eq!(
            request.next_token(),
            follows,
            "not the previous page's token"
        );
        if let Some(token) = request.next_token() {
            assert!(!sent.contains(&token), "NextToken {token:?} followed twice");
            sent.push(token);
        }
        previous = Some(page);
    }
    match answer {
        Ok(quotas) => {
            let last = previous.and_then(ListServiceQuotasOutput::next_token);
            assert!(last.is_none_or(str::is_empty), "a page left unread");
            let served: Vec<&ServiceQuota> = exchanges
                .iter()
                .flat_map(|(_, page)| page.quotas())
                .collect();
            assert_eq!(quotas.len(), served.len(), "quotas added or left out");
            for (quota, served) in quotas.iter().zip(served) {
                assert!(
                    same(quota, served),
                    "{quota} not as served, or out of order"
                );
            }
        }
        Err(ServiceError::InvalidResponse { backend, .. }) => assert_eq!(backend, "ServiceQuotas"),
        Err(other) => panic!("a decoded answer gave {other:?}"),
    }
});
