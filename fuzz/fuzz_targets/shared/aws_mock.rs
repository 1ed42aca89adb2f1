//! What the targets that serve AWS answers through the SDK's mock layer share
//! (`get_metric_data`, `costexplorer`, `servicequotas`): the input reader, an HTTP response of
//! fuzzed status and body for the SDK's own decoder, the retry policy and the runtime.
#![allow(dead_code)] // each target reads the input its own way

use std::time::Duration;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::body::SdkBody;
use aws_telemetry::RetryPolicy;

/// Reads the input a few bytes at a time; zeros once it runs out.
pub struct Bytes<'a>(pub &'a [u8]);

impl Bytes<'_> {
    pub fn u8(&mut self) -> u8 {
        let (first, rest) = self.0.split_first().map_or((0, &[][..]), |(f, r)| (*f, r));
        self.0 = rest;
        first
    }

    /// Up to 15 bytes of the input as text, invalid UTF-8 replaced.
    pub fn text(&mut self) -> String {
        let len = usize::from(self.u8() % 16).min(self.0.len());
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8_lossy(text).into_owned()
    }

    /// An extreme or telling value (NaN, the infinities, `f64::MAX`, -0, -1, 1152) seven
    /// times in ten, else any bits.
    pub fn f64(&mut self) -> f64 {
        match self.u8() % 10 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => f64::MAX,
            4 => -0.0,
            5 => -1.0,
            6 => 1152.0,
            _ => f64::from_le_bytes(std::array::from_fn(|_| self.u8())),
        }
    }
}

/// An HTTP response of `status` (200 when it is not one) with `body` and `headers`, for the
/// SDK to decode.
pub fn http_response(
    status: u16,
    body: Vec<u8>,
    headers: &[(&'static str, &'static str)],
) -> HttpResponse {
    let mut response = HttpResponse::new(
        status
            .try_into()
            .unwrap_or_else(|_| 200.try_into().unwrap()),
        SdkBody::from(body),
    );
    for (name, value) in headers {
        response.headers_mut().insert(*name, *value);
    }
    response
}

/// Two attempts, no waiting: a retried answer is served again at once.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(0))
        .with_max_backoff(Duration::from_millis(0))
}

/// A runtime on the fuzzing thread.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
