//! [`CsvSource`]: replays recorded `timestamp,value` files (the layout of the NAB CloudWatch
//! data), so that any SLO or detector can be backtested on recorded series.

use std::fmt;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};

use crate::error::{Error, Result};
use crate::fetch::{FetchRequest, FetchedSeries};
use crate::memory::InMemorySource;
use crate::query::Metric;
use crate::source::MetricSource;

/// Every `*.csv` file of a directory, one metric each: namespace as given, metric name the
/// file's stem (`ec2_cpu_utilization_53ea38.csv` → `ec2_cpu_utilization_53ea38`).
///
/// Lines are `timestamp,value`; an optional header line starting with `timestamp` is skipped.
/// Timestamps are RFC 3339 (`2014-02-14T14:30:00Z`) or `YYYY-MM-DD HH:MM:SS`, read as UTC.
/// Values are samples: statistics are computed per period on fetch, as in
/// [`InMemorySource`], so a file of one value per 5 minutes fetched with `Average` over 300 s
/// returns the file's values.
///
/// # Example
/// ```
/// use aws_telemetry::{CsvSource, Metric};
///
/// let dir = std::env::temp_dir().join(format!("csv-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// std::fs::write(dir.join("cpu.csv"), "timestamp,value\n2014-02-14 14:30:00,41.5\n").unwrap();
/// let source = CsvSource::from_dir(&dir, "Recorded")?;
/// assert_eq!(source.metrics(), vec![Metric::new("Recorded", "cpu")?]);
///
/// std::fs::write(dir.join("bad.csv"), "2014-02-14 14:30:00,41.5\nyesterday,3\n").unwrap();
/// let err = CsvSource::from_dir(&dir, "Recorded").unwrap_err().to_string();
/// assert!(err.ends_with("bad.csv:2: timestamp \"yesterday\" is neither RFC 3339 nor YYYY-MM-DD HH:MM:SS"), "{err}");
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), aws_telemetry::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CsvSource {
    dir: PathBuf,
    memory: InMemorySource,
}

impl CsvSource {
    /// Loads every `*.csv` file of `dir` (not recursively), in file-name order.
    ///
    /// # Errors
    /// [`Error::Io`] when the directory or a file cannot be read; [`Error::Csv`] naming the file
    /// and line of the first malformed row (not UTF-8, wrong number of fields, bad timestamp,
    /// NaN or non-numeric value, timestamps going backwards).
    pub fn from_dir(dir: impl AsRef<Path>, namespace: &str) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(io(&dir))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "csv") && p.is_file())
            .collect();
        files.sort();
        let memory = InMemorySource::new();
        for path in files {
            let bytes = std::fs::read(&path).map_err(io(&path))?;
            let samples = parse(&path, &bytes)?;
            let stem = path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default();
            memory.insert(Metric::new(namespace, stem)?, samples)?;
        }
        Ok(Self { dir, memory })
    }

    /// The metrics loaded, one per file.
    pub fn metrics(&self) -> Vec<Metric> {
        self.memory.metrics()
    }
}

/// Parses one file's bytes into samples, naming the line of any error.
fn parse(path: &Path, bytes: &[u8]) -> Result<Vec<(DateTime<Utc>, f64)>> {
    let fail = |line: usize, reason: String| Error::Csv {
        path: path.to_path_buf(),
        line,
        reason,
    };
    let mut samples: Vec<(DateTime<Utc>, f64)> = Vec::new();
    for (index, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = index + 1;
        let text = std::str::from_utf8(raw)
            .map_err(|e| fail(line, format!("not UTF-8 (byte {})", e.valid_up_to())))?;
        let text = text.trim_end_matches('\r').trim();
        if text.is_empty() || (line == 1 && text.starts_with("timestamp")) {
            continue;
        }
        let fields: Vec<&str> = text.split(',').map(str::trim).collect();
        let [timestamp, value] = fields[..] else {
            return Err(fail(
                line,
                format!(
                    "expected 2 fields (timestamp,value), found {}",
                    fields.len()
                ),
            ));
        };
        let at = parse_timestamp(timestamp).ok_or_else(|| {
            fail(
                line,
                format!("timestamp {timestamp:?} is neither RFC 3339 nor YYYY-MM-DD HH:MM:SS"),
            )
        })?;
        let value: f64 = value
            .parse()
            .map_err(|_| fail(line, format!("value {value:?} is not a number")))?;
        if !value.is_finite() {
            return Err(fail(line, format!("value {value} is not finite")));
        }
        if let Some(&(previous, _)) = samples.last()
            && at < previous
        {
            return Err(fail(
                line,
                format!("timestamp {at} is earlier than the line before ({previous})"),
            ));
        }
        samples.push((at, value));
    }
    Ok(samples)
}

fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|t| t.and_utc())
        })
}

impl fmt::Display for CsvSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Csv({})", self.dir.display())
    }
}

#[async_trait]
impl MetricSource for CsvSource {
    async fn fetch(&self, request: &FetchRequest) -> Result<Vec<FetchedSeries>> {
        self.memory.answer(request, "Csv")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(bytes: &[u8]) -> String {
        parse(Path::new("f.csv"), bytes).unwrap_err().to_string()
    }

    #[test]
    fn malformed_rows_name_the_line() {
        assert_eq!(
            err(b"2014-02-14 14:30:00,1\n2014-02-14 14:35:00\n"),
            "f.csv:2: expected 2 fields (timestamp,value), found 1"
        );
        assert_eq!(
            err(b"2014-02-14 14:30:00,abc\n"),
            "f.csv:1: value \"abc\" is not a number"
        );
        assert_eq!(
            err(b"2014-02-14 14:30:00,NaN\n"),
            "f.csv:1: value NaN is not finite"
        );
        assert!(
            err(b"timestamp,value\n2014-02-14 14:30:00,1\n\xff\xfe,2\n")
                .starts_with("f.csv:3: not UTF-8")
        );
        assert!(
            err(b"2014-02-14 14:35:00,1\n2014-02-14 14:30:00,1\n")
                .starts_with("f.csv:2: timestamp")
        );
    }

    #[test]
    fn accepts_both_timestamp_forms_and_crlf() {
        let samples = parse(
            Path::new("f.csv"),
            b"timestamp,value\r\n2014-02-14 14:30:00,1.5\r\n2014-02-14T14:35:00Z,2\r\n",
        )
        .unwrap();
        assert_eq!(samples.len(), 2);
        assert_eq!(samples[1].1, 2.0);
    }
}
