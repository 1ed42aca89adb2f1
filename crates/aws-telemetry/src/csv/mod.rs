//! [`CsvSource`]: replays recorded CSV files (a column per metric, or the `timestamp,value`
//! layout of the NAB CloudWatch data), so that any SLO or detector can be backtested on
//! recorded series.

mod parse;

use std::collections::BTreeMap;
use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use async_trait::async_trait;

use crate::error::{CsvError, FetchError, QueryError};
use crate::fetch::{FetchRequest, FetchedSeries};
use crate::memory::InMemorySource;
use crate::metric::Metric;
use crate::range::TimeRange;
use crate::source::MetricSource;

/// Metrics read from CSV files, one metric per value column.
///
/// # Layout
/// The first column holds timestamps; every other column holds one metric's samples, named
/// by the header line, in the source's namespace:
///
/// ```text
/// timestamp,good,total
/// 2024-05-01T00:00:00Z,998,1000
/// 2024-05-01T00:01:00Z,1000,1000
/// ```
///
/// gives the metrics `good` and `total`. A file with one value column and no header, or the
/// header `timestamp,value` (the NAB recordings), gives one metric named by the file's stem
/// (`ec2_cpu_utilization_53ea38.csv` → `ec2_cpu_utilization_53ea38`).
///
/// * Timestamps: RFC 3339 (`2024-05-01T00:00:00Z`, any offset), or without offset, read as
///   UTC: `2024-05-01 00:00:00`, `2024-05-01T00:00:00` (with fractions of a second or not),
///   `2024-05-01 00:00`. They may repeat (samples of one instant) but not go backwards.
/// * Values: decimal numbers; an empty field is no sample at that instant (as CloudWatch
///   omits empty periods); NaN and infinities are refused.
/// * Fields are separated by commas and trimmed of spaces; a field in double quotes may hold
///   commas, with `""` for a quote inside (RFC 4180, on one line).
/// * Lines end with LF, CRLF or a lone CR; a UTF-8 byte-order mark is skipped; blank lines
///   (trailing ones included) are skipped; the last line needs no line end.
///
/// Values are samples: statistics are computed per period on fetch, as in
/// [`InMemorySource`], so a file of one value per minute fetched with `Sum` over 60 s returns
/// the file's values.
///
/// # Bounds
/// Everything read is held in memory (about 24 bytes per sample beside the file's bytes while
/// it is read), within these limits, each refused with a typed error naming the file:
///
/// | bound | limit | error |
/// |---|---|---|
/// | bytes of one file | [`CsvSource::MAX_FILE_BYTES`] (256 MiB) | [`CsvError::TooLarge`] |
/// | bytes of all files of a source | [`CsvSource::MAX_TOTAL_BYTES`] (1 GiB) | [`CsvError::TooLarge`] |
/// | `*.csv` files in a directory | [`CsvSource::MAX_FILES`] (4,096) | [`CsvError::TooLarge`] |
/// | bytes of one line | [`CsvSource::MAX_LINE_BYTES`] (64 KiB) | [`CsvError::Malformed`] naming the line |
/// | columns of one line | [`CsvSource::MAX_COLUMNS`] (1,024, timestamps included) | [`CsvError::Malformed`] naming the line and column |
///
/// # Example
/// ```
/// use aws_telemetry::{CsvSource, Metric};
///
/// let export = "timestamp,good,total\n2024-05-01T00:00:00Z,998,1000\n2024-05-01T00:01:00Z,1000,1000\n";
/// let source = CsvSource::from_bytes("checkout.csv", export.as_bytes(), "Checkout")?;
/// assert_eq!(source.metrics(), vec![Metric::new("Checkout", "good")?, Metric::new("Checkout", "total")?]);
/// assert_eq!(source.metric("good")?, Metric::new("Checkout", "good")?);
///
/// // Bad input names the file, line and column.
/// let err = CsvSource::from_bytes("checkout.csv", b"timestamp,good,total\n2024-05-01T00:00:00Z,998,n/a\n", "Checkout")
///     .unwrap_err();
/// assert_eq!(err.to_string(), "checkout.csv:2:3: value \"n/a\" in column \"total\" is not a number");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CsvSource {
    origin: PathBuf,
    namespace: String,
    memory: InMemorySource,
}

impl CsvSource {
    /// The largest file read, in bytes: 256 MiB.
    pub const MAX_FILE_BYTES: u64 = 256 << 20;
    /// The most bytes one source reads, all files together: 1 GiB.
    pub const MAX_TOTAL_BYTES: u64 = 1 << 30;
    /// The most `*.csv` files [`CsvSource::from_dir`] reads from one directory.
    pub const MAX_FILES: usize = 4096;
    /// The longest line accepted, in bytes (line end excluded): 64 KiB.
    pub const MAX_LINE_BYTES: usize = parse::MAX_LINE_BYTES;
    /// The most columns a line may have, the timestamp column included.
    pub const MAX_COLUMNS: usize = parse::MAX_COLUMNS;

    /// Loads every `*.csv` file of `dir` (not recursively), in file-name order, each metric in
    /// `namespace`.
    ///
    /// # Errors
    /// A [`CsvError`]: [`CsvError::Io`] when the directory or a file cannot be read;
    /// [`CsvError::Malformed`] naming the file, line and column of the first malformed field
    /// (see the type's layout); [`CsvError::MetricName`] for a header or file name that cannot
    /// name a metric; [`CsvError::DuplicateMetric`] for a column whose metric another file
    /// already has; [`CsvError::TooLarge`] past a bound.
    pub fn from_dir(dir: impl AsRef<Path>, namespace: &str) -> Result<Self, CsvError> {
        let dir = dir.as_ref().to_path_buf();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(io(&dir))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "csv") && p.is_file())
            .collect();
        if files.len() > Self::MAX_FILES {
            return Err(CsvError::TooLarge {
                path: dir,
                what: "number of *.csv files",
                value: files.len() as u64,
                max: Self::MAX_FILES as u64,
            });
        }
        files.sort();
        let mut loader = Loader::new(namespace);
        for path in &files {
            let bytes = loader.read(path)?;
            loader.add(path, &bytes)?;
        }
        Ok(loader.finish(dir))
    }

    /// Loads one file, each metric in `namespace`.
    ///
    /// # Errors
    /// As [`CsvSource::from_dir`].
    pub fn from_file(path: impl AsRef<Path>, namespace: &str) -> Result<Self, CsvError> {
        let path = path.as_ref();
        let mut loader = Loader::new(namespace);
        let bytes = loader.read(path)?;
        loader.add(path, &bytes)?;
        Ok(loader.finish(path.to_path_buf()))
    }

    /// Loads CSV text already in memory (e.g. from `include_bytes!`); `name` stands for its file
    /// name in errors and, for the single-metric layouts, names the metric by its stem.
    ///
    /// # Errors
    /// As [`CsvSource::from_dir`], without the I/O.
    pub fn from_bytes(
        name: impl AsRef<Path>,
        bytes: &[u8],
        namespace: &str,
    ) -> Result<Self, CsvError> {
        let name = name.as_ref();
        let mut loader = Loader::new(namespace);
        loader.count(name, bytes.len() as u64)?;
        loader.add(name, bytes)?;
        Ok(loader.finish(name.to_path_buf()))
    }

    /// The metrics loaded, in order.
    pub fn metrics(&self) -> Vec<Metric> {
        self.memory.metrics()
    }

    /// The metric loaded under `name` (a column's header, or a file's stem).
    ///
    /// # Errors
    /// [`QueryError::UnknownMetric`] listing the names there are.
    pub fn metric(&self, name: &str) -> Result<Metric, QueryError> {
        let metrics = self.metrics();
        if let Some(found) = metrics.iter().find(|m| m.name() == name) {
            return Ok(found.clone());
        }
        Err(QueryError::UnknownMetric {
            name: name.to_owned(),
            source_name: self.to_string(),
            known: metrics.iter().map(|m| m.name().to_owned()).collect(),
        })
    }
}

/// The I/O error for `path`.
fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CsvError + use<> {
    let path = path.to_path_buf();
    move |source| CsvError::Io { path, source }
}

/// Files read into one source: their metrics, which file holds each, and the bytes read.
#[derive(Debug)]
struct Loader {
    namespace: String,
    memory: InMemorySource,
    owners: BTreeMap<Metric, PathBuf>,
    total_bytes: u64,
}

impl Loader {
    fn new(namespace: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            memory: InMemorySource::new(),
            owners: BTreeMap::new(),
            total_bytes: 0,
        }
    }

    /// Counts `bytes` of `path` against the bounds.
    fn count(&mut self, path: &Path, bytes: u64) -> Result<(), CsvError> {
        if bytes > CsvSource::MAX_FILE_BYTES {
            return Err(CsvError::TooLarge {
                path: path.to_path_buf(),
                what: "file size in bytes",
                value: bytes,
                max: CsvSource::MAX_FILE_BYTES,
            });
        }
        self.total_bytes += bytes;
        if self.total_bytes > CsvSource::MAX_TOTAL_BYTES {
            return Err(CsvError::TooLarge {
                path: path.to_path_buf(),
                what: "bytes read by one source",
                value: self.total_bytes,
                max: CsvSource::MAX_TOTAL_BYTES,
            });
        }
        Ok(())
    }

    /// Reads a file, stopping one byte past the bound (whatever its metadata says: a file can
    /// grow while it is read, and a device has no size).
    fn read(&mut self, path: &Path) -> Result<Vec<u8>, CsvError> {
        let file = std::fs::File::open(path).map_err(io(path))?;
        let mut bytes = Vec::new();
        file.take(CsvSource::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io(path))?;
        self.count(path, bytes.len() as u64)?;
        Ok(bytes)
    }

    /// Parses one file's bytes and keeps its metrics.
    fn add(&mut self, path: &Path, bytes: &[u8]) -> Result<(), CsvError> {
        let stem = path.file_stem().and_then(|s| s.to_str());
        for column in parse::parse(path, stem, &self.namespace, bytes)? {
            if let Some(other) = self.owners.get(&column.metric) {
                return Err(CsvError::DuplicateMetric {
                    path: path.to_path_buf(),
                    line: column.line,
                    column: column.column,
                    name: column.metric.name().to_owned(),
                    other: other.clone(),
                });
            }
            self.owners
                .insert(column.metric.clone(), path.to_path_buf());
            self.memory.append_checked(column.metric, column.samples);
        }
        Ok(())
    }

    fn finish(self, origin: PathBuf) -> CsvSource {
        CsvSource {
            origin,
            namespace: self.namespace,
            memory: self.memory,
        }
    }
}

impl fmt::Display for CsvSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Csv({}, namespace {})",
            self.origin.display(),
            self.namespace
        )
    }
}

#[async_trait]
impl MetricSource for CsvSource {
    async fn fetch(&self, request: &FetchRequest) -> Result<Vec<FetchedSeries>, FetchError> {
        self.memory.answer(request, "Csv")
    }

    fn span(&self) -> Option<TimeRange> {
        self.memory.span()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_metric_in_two_files_is_refused() {
        let dir = std::env::temp_dir().join(format!("csv-two-files-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("a.csv"),
            "timestamp,good,total\n2024-05-01 00:00,1,1\n",
        )
        .unwrap();
        std::fs::write(dir.join("b.csv"), "timestamp,total\n2024-05-01 00:00,1\n").unwrap();
        let err = CsvSource::from_dir(&dir, "Ns").unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        let want = format!(
            "b.csv:1:2: metric \"total\" is also in {}: load the files as separate sources or rename the column",
            dir.join("a.csv").display()
        );
        assert!(err.ends_with(&want), "{err}");
    }

    #[test]
    fn unknown_metric_lists_the_names() {
        let source = CsvSource::from_bytes("x.csv", b"timestamp,good,total\n", "Ns").unwrap();
        assert_eq!(
            source.metric("bad").unwrap_err().to_string(),
            "Csv(x.csv, namespace Ns) has no metric \"bad\" (it has good, total)"
        );
        // A header without rows: the metrics exist, with no data and no span.
        assert_eq!(source.metrics().len(), 2);
        assert_eq!(source.span(), None);
    }

    #[test]
    fn file_bounds_are_enforced() {
        let mut loader = Loader::new("Ns");
        let err = loader
            .count(Path::new("big.csv"), CsvSource::MAX_FILE_BYTES + 1)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "big.csv: file size in bytes 268435457 exceeds the limit of 268435456"
        );
        for _ in 0..4 {
            loader
                .count(Path::new("a.csv"), CsvSource::MAX_FILE_BYTES)
                .unwrap();
        }
        assert!(matches!(
            loader.count(Path::new("e.csv"), 1),
            Err(CsvError::TooLarge {
                what: "bytes read by one source",
                ..
            })
        ));
    }
}
