//! The NAB `realAWSCloudwatch` corpus (`shared/data/nab-aws`): loading the series with their
//! labelled windows, and the NAB standard-profile score of a detector's alert rows, ported
//! from `shared/tools/nab_score.py` (that script stays the reference: `nab_eval` writes its
//! alerts for it, and its totals agree with [`score`] to 1e-9, checked by `nab_eval --check`).

use std::error::Error;
use std::path::Path;

/// The largest file read, in bytes: as [`aws_telemetry::CsvSource::MAX_FILE_BYTES`] (the
/// corpus's largest is 128 KiB).
const MAX_FILE_BYTES: u64 = aws_telemetry::CsvSource::MAX_FILE_BYTES;

/// One labelled series.
#[derive(Debug, Clone)]
pub struct Series {
    /// The key of the labels file, e.g. `realAWSCloudwatch/ec2_cpu_utilization_53ea38.csv`.
    pub key: String,
    /// The timestamps as written in the file (alerts are written back with them).
    pub times: Vec<String>,
    /// The values.
    pub values: Vec<f64>,
    /// Labelled anomaly windows as inclusive row ranges, in order.
    pub windows: Vec<(usize, usize)>,
}

impl Series {
    /// Rows NAB ignores at the start: `min(floor(0.15 × rows), 750)`.
    pub fn probation(&self) -> usize {
        ((0.15 * self.values.len() as f64).floor() as usize).min(750)
    }

    /// `true` when `row` is inside a labelled window.
    pub fn in_window(&self, row: usize) -> bool {
        self.windows.iter().any(|&(s, e)| (s..=e).contains(&row))
    }
}

/// Every series of `DIR/combined_windows.json` with its data file `DIR/<key>`, sorted by key.
///
/// # Errors
/// A message naming the file and line for anything unreadable.
pub fn load(dir: &Path) -> Result<Vec<Series>, Box<dyn Error>> {
    let labels = dir.join("combined_windows.json");
    let text = crate::read_text(&labels, MAX_FILE_BYTES)?;
    let windows: std::collections::BTreeMap<String, Vec<[String; 2]>> =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", labels.display()))?;
    let mut out = Vec::new();
    for (key, spans) in windows {
        let path = dir.join(&key);
        let data = crate::read_text(&path, MAX_FILE_BYTES)?;
        let (mut times, mut values) = (Vec::new(), Vec::new());
        for (line, row) in data.lines().enumerate().skip(1) {
            let Some((time, value)) = row.split_once(',') else {
                return Err(
                    format!("{}:{}: expected timestamp,value", path.display(), line + 1).into(),
                );
            };
            times.push(time.trim().to_owned());
            values.push(
                value
                    .trim()
                    .parse()
                    .map_err(|e| format!("{}:{}: {e}", path.display(), line + 1))?,
            );
        }
        let row = |stamp: &str| -> Result<usize, Box<dyn Error>> {
            // Windows are written `YYYY-MM-DD HH:MM:SS.ffffff`; the data without fractions.
            let stamp = stamp.get(..19).unwrap_or(stamp);
            times
                .iter()
                .position(|t| t == stamp)
                .ok_or_else(|| format!("{key}: window bound {stamp} is not a data row").into())
        };
        let windows = spans
            .iter()
            .map(|[start, end]| Ok((row(start)?, row(end)?)))
            .collect::<Result<Vec<_>, Box<dyn Error>>>()?;
        // `score` finds a row's window by bisection and measures windows as `end - start`:
        // windows out of order or overlapping scored silently wrong, and one ending before it
        // starts overflowed.
        for (k, pair) in windows.iter().enumerate() {
            let after_previous = k == 0 || windows[k - 1].1 < pair.0;
            if pair.1 < pair.0 || !after_previous {
                let [start, end] = &spans[k];
                return Err(format!(
                    "{key}: window {k} [{start}, {end}] ends before it starts, or does not \
                     follow the window before it"
                )
                .into());
            }
        }
        out.push(Series {
            key,
            times,
            values,
            windows,
        });
    }
    Ok(out)
}

/// A file's (or a sum of files') NAB standard-profile figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    /// Unnormalised score.
    pub raw: f64,
    /// The score of a detector that never alerts.
    pub null: f64,
    /// The score of a perfect detector.
    pub perfect: f64,
    /// Windows scored.
    pub windows: usize,
    /// Windows with an alert.
    pub detected: usize,
    /// Alert rows outside every window, after probation.
    pub false_alarms: usize,
}

impl Score {
    /// Adds another file's figures (NAB normalises the corpus over the summed figures).
    pub fn add(&mut self, other: &Self) {
        self.raw += other.raw;
        self.null += other.null;
        self.perfect += other.perfect;
        self.windows += other.windows;
        self.detected += other.detected;
        self.false_alarms += other.false_alarms;
    }

    /// The normalised score: 0 for the null detector, 100 for the perfect one.
    pub fn normalised(&self) -> f64 {
        if self.perfect == self.null {
            0.0
        } else {
            100.0 * (self.raw - self.null) / (self.perfect - self.null)
        }
    }
}

/// NAB's scaled sigmoid `2 / (1 + e^{5y}) − 1`.
fn sigma(y: f64) -> f64 {
    let z = 5.0 * y;
    if z > 700.0 {
        -1.0
    } else {
        2.0 / (1.0 + z.exp()) - 1.0
    }
}

/// The standard-profile score (A_TP = 1, A_FP = 0.11, A_FN = 1) of alerts at `rows` of
/// `series`, as `nab_score.py` computes it.
pub fn score(series: &Series, rows: &[usize]) -> Score {
    let (a_tp, a_fp, a_fn) = (1.0, 0.11, 1.0);
    let probation = series.probation();
    let windows = &series.windows;
    let mut first: Vec<Option<usize>> = vec![None; windows.len()];
    let mut result = Score::default();
    let mut rows = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    for &row in rows.iter().filter(|r| **r >= probation) {
        let k = windows.partition_point(|w| w.1 < row);
        if windows.get(k).is_some_and(|w| w.0 <= row) {
            if first[k].is_none_or(|f| row < f) {
                first[k] = Some(row);
            }
            continue;
        }
        result.false_alarms += 1;
        result.raw += match k.checked_sub(1).map(|p| windows[p]) {
            None => -a_fp,
            Some((start, end)) => {
                let x = (row - end) as f64 / ((end - start) as f64).max(1.0);
                if x > 3.0 { -a_fp } else { a_fp * sigma(x) }
            }
        };
    }
    for (k, &(start, end)) in windows.iter().enumerate() {
        if end < probation {
            continue;
        }
        result.windows += 1;
        result.raw += match first[k] {
            Some(row) => {
                result.detected += 1;
                let y = -((end - row + 1) as f64) / (end - start + 1) as f64;
                a_tp * sigma(y) / sigma(-1.0)
            }
            None => -a_fn,
        };
    }
    result.null = -a_fn * result.windows as f64;
    result.perfect = a_tp * result.windows as f64;
    result
}
