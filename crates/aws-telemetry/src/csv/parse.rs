//! The reader behind [`CsvSource`](super::CsvSource): line ends, the header, quoted fields,
//! timestamps and values, the per-line bounds, and errors naming the file, line and column.

use std::borrow::Cow;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::error::{CsvError, QueryError};
use crate::metric::Metric;

/// The longest line accepted, in bytes (line end excluded).
pub(super) const MAX_LINE_BYTES: usize = 64 * 1024;
/// The most columns a line may have, the timestamp column included.
pub(super) const MAX_COLUMNS: usize = 1024;

/// One value column of a file: its metric, where it sits, and its samples in time order.
#[derive(Debug)]
pub(super) struct Column {
    pub(super) metric: Metric,
    /// 1-based.
    pub(super) column: usize,
    /// The line of the header naming it (1 for a file without header).
    pub(super) line: usize,
    pub(super) samples: Vec<(DateTime<Utc>, f64)>,
}

/// Parses one file's bytes: a metric per value column, named by the header, or by `stem` for
/// the single-metric layouts (`timestamp,value` with that header or none).
pub(super) fn parse(
    path: &Path,
    stem: Option<&str>,
    namespace: &str,
    bytes: &[u8],
) -> Result<Vec<Column>, CsvError> {
    let fail = |line: usize, column: Option<usize>, reason: String| CsvError::Malformed {
        path: path.to_path_buf(),
        line,
        column,
        reason,
    };
    let located = |line: usize| move |fault: Fault| fault.at(path, line);
    let bytes = match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => rest,
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => {
            return Err(fail(
                1,
                None,
                "UTF-16 text (it starts with a UTF-16 byte-order mark): save the file as UTF-8"
                    .into(),
            ));
        }
        _ => bytes,
    };
    let mut layout: Option<Layout> = None;
    for (line, raw) in Lines::new(bytes) {
        if raw.len() > MAX_LINE_BYTES {
            return Err(fail(
                line,
                None,
                format!(
                    "the line has {} bytes, more than the limit of {MAX_LINE_BYTES}",
                    raw.len()
                ),
            ));
        }
        let text = std::str::from_utf8(raw).map_err(|e| {
            fail(
                line,
                None,
                format!("not UTF-8 (byte {} of the line)", e.valid_up_to() + 1),
            )
        })?;
        if text.trim().is_empty() {
            continue;
        }
        let fields =
            split_fields(text).map_err(|(column, reason)| fail(line, Some(column), reason))?;
        match &mut layout {
            Some(layout) => layout.push_row(&fields).map_err(located(line))?,
            None => {
                let (new, is_header) = Layout::from_first_line(line, &fields, stem, namespace)
                    .map_err(located(line))?;
                let layout = layout.insert(new);
                if !is_header {
                    layout.push_row(&fields).map_err(located(line))?;
                }
            }
        }
    }
    match layout {
        Some(layout) => Ok(layout.columns),
        // An empty file: its one metric, without samples.
        None => Ok(vec![Column {
            metric: single_metric(stem, namespace).map_err(located(1))?,
            column: 2,
            line: 1,
            samples: Vec::new(),
        }]),
    }
}

/// What is wrong with a line, located by column (1-based, `None` for the whole line).
#[derive(Debug)]
enum Fault {
    /// A field or line that does not read, described.
    Malformed(Option<usize>, String),
    /// A name (a header's column, or the file's stem) that cannot name a metric.
    MetricName {
        column: Option<usize>,
        name: String,
        source: QueryError,
    },
}

impl Fault {
    /// The error for this fault at `line` of `path`.
    fn at(self, path: &Path, line: usize) -> CsvError {
        let path = path.to_path_buf();
        match self {
            Self::Malformed(column, reason) => CsvError::Malformed {
                path,
                line,
                column,
                reason,
            },
            Self::MetricName {
                column,
                name,
                source,
            } => CsvError::MetricName {
                path,
                line,
                column,
                name,
                source: Box::new(source),
            },
        }
    }
}

/// The columns of a file, known from its first line.
#[derive(Debug)]
struct Layout {
    /// The column names shown in messages, timestamp column first.
    names: Vec<String>,
    columns: Vec<Column>,
    last: Option<DateTime<Utc>>,
}

/// The metric of a file with one value column and no name for it: the file's stem.
fn single_metric(stem: Option<&str>, namespace: &str) -> Result<Metric, Fault> {
    let stem = stem.ok_or_else(|| {
        Fault::Malformed(
            None,
            "the file name is not UTF-8, so it cannot name the metric: add a header naming the value column"
                .to_owned(),
        )
    })?;
    Metric::new(namespace, stem).map_err(|source| Fault::MetricName {
        column: None,
        name: stem.to_owned(),
        source,
    })
}

impl Layout {
    /// The layout given by the first non-blank line, and whether that line is a header (a
    /// line whose first field is a timestamp is data, and the file has no header).
    fn from_first_line(
        line: usize,
        fields: &[Cow<'_, str>],
        stem: Option<&str>,
        namespace: &str,
    ) -> Result<(Self, bool), Fault> {
        let column = |metric, column| Column {
            metric,
            column,
            line,
            samples: Vec::new(),
        };
        if parse_timestamp(&fields[0]).is_some() {
            if fields.len() != 2 {
                return Err(Fault::Malformed(
                    None,
                    format!(
                        "{} fields but no header naming them: add a header line, e.g. timestamp,good,total",
                        fields.len()
                    ),
                ));
            }
            let layout = Self {
                names: vec!["timestamp".into(), "value".into()],
                columns: vec![column(single_metric(stem, namespace)?, 2)],
                last: None,
            };
            return Ok((layout, false));
        }
        if fields.len() < 2 {
            let hint = if fields[0].contains(';') {
                " (fields are separated by commas, not semicolons)"
            } else {
                ""
            };
            return Err(Fault::Malformed(
                None,
                format!(
                    "the first line is neither data (its first field {:?} is not a timestamp) nor a header naming a timestamp column and at least one value column{hint}",
                    fields[0]
                ),
            ));
        }
        let names: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        let mut columns = Vec::with_capacity(names.len() - 1);
        for (index, name) in names.iter().enumerate().skip(1) {
            let number = index + 1;
            if name.is_empty() {
                return Err(Fault::Malformed(
                    Some(number),
                    format!("column {number} has no name"),
                ));
            }
            if let Some(first) = names[1..index].iter().position(|n| n == name) {
                return Err(Fault::Malformed(
                    Some(number),
                    format!("duplicate column name {name:?} (also column {})", first + 2),
                ));
            }
            // A finite number where a name should be is a data line without a timestamp; `inf`,
            // `NaN` or `Infinity` (which `f64` also parses) are names a metric may have, and no
            // value a file may hold (non-finite values are refused anyway).
            if name.parse::<f64>().is_ok_and(f64::is_finite) {
                return Err(Fault::Malformed(
                    Some(number),
                    format!(
                        "the first line is neither a header (column {number} is named {name:?}, a number) nor data (its first field {:?} is not a timestamp)",
                        names[0]
                    ),
                ));
            }
        }
        if names.len() == 2 && names[1].eq_ignore_ascii_case("value") {
            columns.push(column(single_metric(stem, namespace)?, 2));
        } else {
            for (index, name) in names.iter().enumerate().skip(1) {
                let metric =
                    Metric::new(namespace, name.as_str()).map_err(|source| Fault::MetricName {
                        column: Some(index + 1),
                        name: name.clone(),
                        source,
                    })?;
                columns.push(column(metric, index + 1));
            }
        }
        Ok((
            Self {
                names,
                columns,
                last: None,
            },
            true,
        ))
    }

    /// Adds one data line's samples; an empty field is no sample.
    fn push_row(&mut self, fields: &[Cow<'_, str>]) -> Result<(), Fault> {
        if fields.len() != self.names.len() {
            return Err(Fault::Malformed(
                None,
                format!(
                    "expected {} fields ({}), found {}",
                    self.names.len(),
                    self.names.join(","),
                    fields.len()
                ),
            ));
        }
        let at = parse_timestamp(&fields[0]).ok_or_else(|| {
            Fault::Malformed(
                Some(1),
                format!(
                    "timestamp {:?} is neither RFC 3339 nor YYYY-MM-DD HH:MM[:SS]",
                    fields[0]
                ),
            )
        })?;
        if let Some(previous) = self.last
            && at < previous
        {
            return Err(Fault::Malformed(
                Some(1),
                format!("timestamp {at} is earlier than the line before ({previous})"),
            ));
        }
        // Checked before any sample is kept, so that a bad line adds nothing.
        let mut values = Vec::with_capacity(self.columns.len());
        for column in &self.columns {
            let field = fields[column.column - 1].as_ref();
            if field.is_empty() {
                values.push(None);
                continue;
            }
            let name = &self.names[column.column - 1];
            let value: f64 = field.parse().map_err(|_| {
                Fault::Malformed(
                    Some(column.column),
                    format!("value {field:?} in column {name:?} is not a number"),
                )
            })?;
            if !value.is_finite() {
                return Err(Fault::Malformed(
                    Some(column.column),
                    format!("value {field} in column {name:?} is not finite"),
                ));
            }
            values.push(Some(value));
        }
        for (column, value) in self.columns.iter_mut().zip(values) {
            if let Some(value) = value {
                column.samples.push((at, value));
            }
        }
        self.last = Some(at);
        Ok(())
    }
}

/// The lines of a file, numbered from 1, each without its line end: `\r\n`, `\n` and a lone
/// `\r` (old Mac OS, some spreadsheet exports) all end a line.
#[derive(Debug)]
struct Lines<'a> {
    rest: &'a [u8],
    number: usize,
}

impl<'a> Lines<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            rest: bytes,
            number: 0,
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        self.number += 1;
        let line = match self.rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(end) => {
                let line = &self.rest[..end];
                let crlf = self.rest[end] == b'\r' && self.rest.get(end + 1) == Some(&b'\n');
                self.rest = &self.rest[end + 1 + usize::from(crlf)..];
                line
            }
            None => std::mem::take(&mut self.rest),
        };
        Some((self.number, line))
    }
}

/// Splits a line into fields, trimmed of spaces; a field in double quotes may hold commas,
/// and `""` inside it is one quote (RFC 4180, on one line). Fails with the 1-based column.
fn split_fields(text: &str) -> Result<Vec<Cow<'_, str>>, (usize, String)> {
    let mut fields: Vec<Cow<'_, str>> = Vec::new();
    let mut rest = text;
    loop {
        let column = fields.len() + 1;
        if column > MAX_COLUMNS {
            return Err((
                column,
                format!("more than {MAX_COLUMNS} columns, the limit"),
            ));
        }
        let start = rest.trim_start();
        let Some(quoted) = start.strip_prefix('"') else {
            match start.find(',') {
                Some(comma) => {
                    fields.push(Cow::Borrowed(start[..comma].trim_end()));
                    rest = &start[comma + 1..];
                    continue;
                }
                None => {
                    fields.push(Cow::Borrowed(start.trim_end()));
                    return Ok(fields);
                }
            }
        };
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        let mut closed_at = None;
        while let Some((i, c)) = chars.next() {
            if c != '"' {
                value.push(c);
            } else if quoted[i + 1..].starts_with('"') {
                value.push('"');
                chars.next();
            } else {
                closed_at = Some(i + 1);
                break;
            }
        }
        let Some(closed_at) = closed_at else {
            return Err((
                column,
                "a quoted field is not closed on its line (fields cannot span lines)".into(),
            ));
        };
        fields.push(Cow::Owned(value.trim().to_owned()));
        let after = quoted[closed_at..].trim_start();
        if after.is_empty() {
            return Ok(fields);
        }
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None => {
                return Err((
                    column,
                    "text after the closing quote of a quoted field".into(),
                ));
            }
        }
    }
}

/// RFC 3339 (`2024-05-01T00:00:00Z`, any offset), or a time without offset read as UTC:
/// `2024-05-01 00:00:00`, `2024-05-01T00:00:00` (fractions of a second allowed) or
/// `2024-05-01 00:00`.
pub(super) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .map(|at| at.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(bytes: &[u8]) -> Vec<Column> {
        parse(Path::new("f.csv"), Some("f"), "Ns", bytes).unwrap()
    }

    fn err(bytes: &[u8]) -> String {
        parse(Path::new("f.csv"), Some("f"), "Ns", bytes)
            .unwrap_err()
            .to_string()
    }

    fn samples(bytes: &[u8]) -> Vec<(DateTime<Utc>, f64)> {
        let mut columns = columns(bytes);
        assert_eq!(columns.len(), 1);
        columns.remove(0).samples
    }

    #[test]
    fn every_line_end_loads_the_same_rows() {
        let lf = b"timestamp,value\n2014-02-14 14:30:00,1.5\n2014-02-14 14:35:00,2\n";
        let want = samples(lf);
        assert_eq!(want.len(), 2);
        for (what, bytes) in [
            (
                "CRLF",
                &b"timestamp,value\r\n2014-02-14 14:30:00,1.5\r\n2014-02-14 14:35:00,2\r\n"[..],
            ),
            // The bug of issue 17: a file with lone CRs was one line, the header, and loaded as
            // zero points with Ok.
            (
                "CR",
                b"timestamp,value\r2014-02-14 14:30:00,1.5\r2014-02-14 14:35:00,2\r",
            ),
            (
                "BOM",
                b"\xEF\xBB\xBFtimestamp,value\n2014-02-14 14:30:00,1.5\n2014-02-14 14:35:00,2\n",
            ),
            (
                "no final newline",
                b"timestamp,value\n2014-02-14 14:30:00,1.5\n2014-02-14 14:35:00,2",
            ),
            (
                "trailing blank lines",
                b"timestamp,value\n2014-02-14 14:30:00,1.5\n2014-02-14 14:35:00,2\n\n\r\n  \n",
            ),
            (
                "mixed",
                b"timestamp,value\r\n2014-02-14 14:30:00,1.5\r2014-02-14 14:35:00,2\n",
            ),
        ] {
            assert_eq!(samples(bytes), want, "{what}");
        }
    }

    #[test]
    fn lone_crs_number_lines_as_lines() {
        assert_eq!(
            err(b"timestamp,value\r2014-02-14 14:30:00,1\r2014-02-14 14:35:00,x\r"),
            "f.csv:3:2: value \"x\" in column \"value\" is not a number"
        );
        // A CRLF is one line end, not two.
        assert_eq!(
            err(b"timestamp,value\r\n2014-02-14 14:30:00,1\r\n2014-02-14 14:35:00,x\r\n"),
            "f.csv:3:2: value \"x\" in column \"value\" is not a number"
        );
    }

    #[test]
    fn columns_are_named_by_the_header() {
        let got = columns(
            b"timestamp,good,total\n2024-05-01T00:00:00Z,998,1000\n2024-05-01T00:01:00Z,,1000\n",
        );
        let names: Vec<&str> = got.iter().map(|c| c.metric.name()).collect();
        assert_eq!(names, ["good", "total"]);
        // An empty cell is no sample.
        assert_eq!(got[0].samples.len(), 1);
        assert_eq!(got[1].samples.len(), 2);
        assert_eq!(got[0].samples[0].1, 998.0);
        // One value column named other than "value" is named by its header too.
        assert_eq!(
            columns(b"time,cpu\n2024-05-01 00:00,41\n")[0].metric.name(),
            "cpu"
        );
        // Without a header, or with `timestamp,value`, the file's stem names the metric.
        assert_eq!(columns(b"2024-05-01 00:00,41\n")[0].metric.name(), "f");
        assert_eq!(
            columns(b"Timestamp,Value\n2024-05-01 00:00,41\n")[0]
                .metric
                .name(),
            "f"
        );
        assert_eq!(columns(b"")[0].metric.name(), "f");
        // Names `f64` would also read as a number, but not a finite one, are names: CloudWatch
        // allows them, and no value a file may hold looks like them.
        let odd = columns(b"timestamp,inf,NaN,Infinity\n2024-05-01 00:00,1,2,3\n");
        let names: Vec<&str> = odd.iter().map(|c| c.metric.name()).collect();
        assert_eq!(names, ["inf", "NaN", "Infinity"]);
        assert_eq!(odd[2].samples[0].1, 3.0);
    }

    #[test]
    fn quoted_fields() {
        let got = columns(b"\"timestamp\",\"p95, ms\",\"say \"\"hi\"\"\"\n\"2024-05-01T00:00:00Z\", \"12.5\" ,3\n");
        assert_eq!(got[0].metric.name(), "p95, ms");
        assert_eq!(got[1].metric.name(), "say \"hi\"");
        assert_eq!(got[0].samples[0].1, 12.5);
        assert_eq!(
            err(b"timestamp,\"good\ntotal\n"),
            "f.csv:1:2: a quoted field is not closed on its line (fields cannot span lines)"
        );
        assert_eq!(
            err(b"timestamp,\"good\"x,total\n"),
            "f.csv:1:2: text after the closing quote of a quoted field"
        );
    }

    #[test]
    fn bad_input_names_line_and_column() {
        assert_eq!(
            err(b"timestamp,good,good\n"),
            "f.csv:1:3: duplicate column name \"good\" (also column 2)"
        );
        assert_eq!(
            err(b"timestamp,,total\n"),
            "f.csv:1:2: column 2 has no name"
        );
        assert_eq!(
            err(b"timestamp,good,total\n2024-05-01T00:00:00Z,998,lots\n"),
            "f.csv:2:3: value \"lots\" in column \"total\" is not a number"
        );
        assert_eq!(
            err(b"timestamp,good,total\n2024-05-01T00:00:00Z,NaN,1\n"),
            "f.csv:2:2: value NaN in column \"good\" is not finite"
        );
        assert_eq!(
            err(b"timestamp,good,total\n2024-05-01T00:00:00Z,1\n"),
            "f.csv:2: expected 3 fields (timestamp,good,total), found 2"
        );
        assert_eq!(
            err(b"timestamp,good\nyesterday,1\n"),
            "f.csv:2:1: timestamp \"yesterday\" is neither RFC 3339 nor YYYY-MM-DD HH:MM[:SS]"
        );
        assert!(
            err(b"2024-05-01 00:01,1\n2024-05-01 00:00,1\n")
                .starts_with("f.csv:2:1: timestamp 2024-05-01 00:00:00 UTC is earlier")
        );
        assert_eq!(
            err(b"2024-05-01 00:00,1,2\n"),
            "f.csv:1: 3 fields but no header naming them: add a header line, e.g. timestamp,good,total"
        );
        // A first line of bad data is not mistaken for a header.
        assert!(err(b"yesterday,3\n").starts_with("f.csv:1:2: the first line is neither a header"));
        assert!(
            err(b"timestamp;good;total\n")
                .ends_with("(fields are separated by commas, not semicolons)")
        );
        assert!(
            err(b"timestamp,value\n2014-02-14 14:30:00,1\n\xff\xfe,2\n")
                .starts_with("f.csv:3: not UTF-8")
        );
        assert!(err(b"\xFF\xFEt\x00").starts_with("f.csv:1: UTF-16 text"));
        let control =
            parse(Path::new("f.csv"), Some("f"), "Ns", b"timestamp,a\x07b\n").unwrap_err();
        assert_eq!(
            control.to_string(),
            "f.csv:1:2: column \"a\\u{7}b\" cannot name a metric"
        );
        let CsvError::MetricName { source, .. } = control else {
            panic!("{control}");
        };
        assert_eq!(*source, Metric::new("Ns", "a\u{7}b").unwrap_err());
        // A file named after its metric, whose stem cannot name one.
        let stem = parse(Path::new("\u{7}.csv"), Some("\u{7}"), "Ns", b"").unwrap_err();
        assert_eq!(
            stem.to_string(),
            "\u{7}.csv:1: the file name \"\\u{7}\" cannot name a metric"
        );
    }

    #[test]
    fn a_bad_line_adds_no_sample() {
        // Column 2 of line 3 is fine, column 3 is not: the error leaves nothing half-read
        // behind (the whole file is refused anyway, but the row is checked before it is kept).
        let mut layout = Layout::from_first_line(
            1,
            &split_fields("timestamp,good,total").unwrap(),
            None,
            "Ns",
        )
        .unwrap()
        .0;
        let row = split_fields("2024-05-01T00:00:00Z,1,x").unwrap();
        assert!(layout.push_row(&row).is_err());
        assert!(layout.columns.iter().all(|c| c.samples.is_empty()));
    }

    #[test]
    fn bounds() {
        let mut long = b"timestamp,value\n2024-05-01 00:00,".to_vec();
        long.extend(std::iter::repeat_n(b'1', MAX_LINE_BYTES));
        assert!(
            err(&long)
                .starts_with("f.csv:2: the line has 65553 bytes, more than the limit of 65536")
        );
        let mut wide = "timestamp".to_owned();
        for i in 0..MAX_COLUMNS {
            wide.push_str(&format!(",c{i}"));
        }
        assert_eq!(
            err(wide.as_bytes()),
            "f.csv:1:1025: more than 1024 columns, the limit"
        );
    }

    #[test]
    fn timestamp_forms() {
        let at = |s| parse_timestamp(s).map(|t| t.to_rfc3339());
        let want = Some("2024-05-01T12:30:00+00:00".to_owned());
        assert_eq!(at("2024-05-01T12:30:00Z"), want);
        assert_eq!(at("2024-05-01T14:30:00+02:00"), want);
        assert_eq!(at("2024-05-01 12:30:00"), want);
        assert_eq!(at("2024-05-01T12:30:00"), want);
        assert_eq!(at("2024-05-01 12:30"), want);
        assert_eq!(
            at("2024-05-01 12:30:00.250").unwrap(),
            "2024-05-01T12:30:00.250+00:00"
        );
        assert_eq!(at("1714566600"), None);
        assert_eq!(at("2024-05-01"), None);
    }
}
