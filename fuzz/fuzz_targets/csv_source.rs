//! `CsvSource` over one file of arbitrary bytes, then every statistic fetched over the whole
//! range it covers: typed errors (file and line) or series, never a panic.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use aws_telemetry::{
    CsvSource, FetchRequest, MetricQuery, MetricSource, Period, Statistic, TimeRange,
};
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;

/// One directory per fuzzing process, its one file rewritten for each input.
fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("sre-fuzz-csv-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    std::fs::write(dir().join("metric.csv"), data).unwrap();
    let Ok(source) = CsvSource::from_dir(dir(), "Fuzz") else {
        return;
    };
    let Some(metric) = source.metrics().into_iter().next() else {
        return;
    };
    let range = TimeRange::new(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC).unwrap();
    for (i, stat) in [
        Statistic::Sum,
        Statistic::Average,
        Statistic::Minimum,
        Statistic::Maximum,
        Statistic::SampleCount,
        Statistic::Percentile(99.9),
        Statistic::PercentileRank { upper: 1.0 },
    ]
    .into_iter()
    .enumerate()
    {
        let query =
            MetricQuery::stat(&format!("q{i}"), metric.clone(), stat, Period::MINUTE).unwrap();
        let request = FetchRequest::new(vec![query], range).unwrap();
        if let Ok(series) = runtime().block_on(source.fetch(&request)) {
            for s in &series {
                assert!(
                    s.points.windows(2).all(|w| w[0].0 < w[1].0),
                    "periods out of order"
                );
                assert!(
                    s.points.iter().all(|(_, v)| v.is_finite()),
                    "{stat}: a non-finite value"
                );
            }
        }
    }
});
