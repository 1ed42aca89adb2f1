//! Blind round 5, minimal reproduction: a bad point late in one fetch makes `judge_fetched`
//! (and so `run` and `DetectorSet::run`) return only the error, although the observations
//! before it were pushed: the finding they opened reaches no caller, and the detector has
//! advanced, so the range cannot be retried.
//!
//! `cargo run --release -p sre-examples --example blind5_repro`

use failure_modes::chrono::{Duration, TimeZone, Utc};
use failure_modes::{
    ApiThrottling, Detector, DetectorSet, FetchedDetector, FetchedSeries, InMemorySource,
    MetricSink, QueryId, ThrottleSample, ThrottleSignal, TimeRange, run,
};

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let at = |m: i64| t0 + Duration::minutes(m);
    // Lambda: 1,000 invocations a minute; 5 % throttled from minute 90 to 119; minute 150's
    // Invocations value is NaN (a broken source, or a hand-made one).
    let calls: Vec<_> = (0..200)
        .map(|m| (at(m), if m == 150 { f64::NAN } else { 1000.0 }))
        .collect();
    let throttles: Vec<_> = (90..120).map(|m| (at(m), 50.0)).collect();
    let series = |calls: Vec<_>,
                  throttles: Vec<_>|
     -> Result<Vec<FetchedSeries>, Box<dyn std::error::Error>> {
        Ok(vec![
            FetchedSeries::new(QueryId::new("calls")?, calls),
            FetchedSeries::new(QueryId::new("throttles")?, throttles),
        ])
    };

    // What the first 150 minutes alone report: a ticket opened at minute 90.
    let mut alone = ApiThrottling::new(ThrottleSignal::lambda("checkout")?, Default::default())?;
    let expected = alone.detect((0..150).map(|m| ThrottleSample {
        at: at(m),
        calls: 1000.0 + if (90..120).contains(&m) { 50.0 } else { 0.0 },
        throttled: if (90..120).contains(&m) { 50.0 } else { 0.0 },
    }))?;
    println!(
        "minutes 0..150 alone: {} finding(s): {}",
        expected.len(),
        expected
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" | ")
    );

    // The same data through the fetched path, the bad point at minute 150.
    let mut f1 = ApiThrottling::new(ThrottleSignal::lambda("checkout")?, Default::default())?;
    let first = f1.judge_fetched(&series(calls.clone(), throttles.clone())?);
    println!(
        "judge_fetched with NaN at minute 150: {:?}",
        first.as_ref().map(Vec::len).map_err(ToString::to_string)
    );

    // Retrying the range without the bad point: refused, the detector is past minute 149.
    let mut fixed = calls;
    fixed.remove(150);
    let retry = f1.judge_fetched(&series(fixed, throttles)?);
    println!(
        "retry without the bad point: {:?}",
        retry.as_ref().map(Vec::len).map_err(ToString::to_string)
    );

    // Through `run` and `DetectorSet::run` on an InMemorySource: CloudWatch stores a negative
    // value of a custom calls metric as it stores any other; here minute 150 holds -1.
    let signal = ThrottleSignal::lambda("checkout")?;
    let source = InMemorySource::new();
    for m in 0..200 {
        let throttled = if (90..120).contains(&m) { 50.0 } else { 0.0 };
        block_on(source.put(
            &signal.calls,
            &[(at(m), if m == 150 { -1.0 } else { 1000.0 })],
        ))?;
        if throttled > 0.0 {
            block_on(source.put(&signal.throttles, &[(at(m), throttled)]))?;
        }
    }
    let range = TimeRange::new(at(0), at(200))?;
    let mut f1 = ApiThrottling::new(signal.clone(), Default::default())?;
    let ran = block_on(run(&mut f1, &source, range));
    println!(
        "run: {:?}",
        ran.as_ref().map(Vec::len).map_err(ToString::to_string)
    );
    let again = block_on(run(&mut f1, &source, TimeRange::new(at(0), at(150))?));
    println!(
        "run again over minutes 0..150: {:?}",
        again.as_ref().map(Vec::len).map_err(ToString::to_string)
    );
    let mut set = DetectorSet::new().with(ApiThrottling::new(signal, Default::default())?);
    let results = block_on(set.run(&source, range))?;
    println!(
        "DetectorSet::run: {:?}",
        results[0]
            .as_ref()
            .map(Vec::len)
            .map_err(ToString::to_string)
    );
    Ok(())
}
