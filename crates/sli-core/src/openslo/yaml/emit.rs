//! Writing a [`Value`] as block-style YAML that reads back as the same value.

use std::fmt::Write as _;

use super::{Value, is_core_number, is_null_text, parse_bool, parse_number};

/// Writes `value` as a block-style YAML document body (no `---`).
pub(in crate::openslo) fn emit(out: &mut String, value: &Value) {
    emit_at(out, value, 0);
}

fn emit_at(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Map(entries) if !entries.is_empty() => {
            for (i, (key, v)) in entries.iter().enumerate() {
                if i > 0 {
                    pad(out, indent);
                }
                write_string(out, key);
                out.push(':');
                emit_child(out, v, indent);
            }
        }
        Value::Seq(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    pad(out, indent);
                }
                out.push_str("- ");
                match v {
                    Value::Map(e) if !e.is_empty() => emit_at(out, v, indent + 2),
                    Value::Seq(s) if !s.is_empty() => emit_at(out, v, indent + 2),
                    _ => {
                        scalar(out, v);
                        out.push('\n');
                    }
                }
            }
        }
        _ => {
            scalar(out, value);
            out.push('\n');
        }
    }
}

fn emit_child(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Map(e) if !e.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            emit_at(out, v, indent + 2);
        }
        Value::Seq(s) if !s.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            emit_at(out, v, indent + 2);
        }
        _ => {
            out.push(' ');
            scalar(out, v);
            out.push('\n');
        }
    }
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn scalar(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if is_core_number(n) => out.push_str(n),
        Value::Number(n) | Value::String(n) => write_string(out, n),
        Value::Seq(_) => out.push_str("[]"),
        Value::Map(_) => out.push_str("{}"),
    }
}

/// A string, plain when that reads back as the same string, double-quoted otherwise.
fn write_string(out: &mut String, s: &str) {
    let plain_safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '/')
        && !is_null_text(s)
        && parse_bool(s).is_none()
        && parse_number(s).is_none();
    if plain_safe {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            // Every control character (C1 ones too: YAML does not allow them raw, and go-yaml,
            // the OpenSLO tools' reader, refuses them), the non-ASCII line breaks, the
            // byte-order mark, and U+FFFE and U+FFFF, which YAML does not allow either.
            c if c.is_control()
                || matches!(
                    c,
                    '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
                ) =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::super::parse_stream;
    use super::super::tests::CAPS;
    use super::*;

    #[test]
    fn emitted_strings_read_back() {
        for s in [
            "plain",
            "with space",
            "1.5",
            "true",
            "null",
            "",
            "a: b",
            "- x",
            "quote\"d",
            "line\nbreak",
            "ünï",
            "#x",
            "'",
            "\u{1}",
            "x\u{85}y",
            "\u{feff}",
            "0x1F",
            ".inf",
            ".nan",
            "1e400",
        ] {
            let value = Value::Map(vec![(s.to_string(), Value::String(s.to_string()))]);
            let mut out = String::new();
            emit(&mut out, &value);
            let docs = parse_stream(&out, CAPS).unwrap();
            assert_eq!(docs[0].root.to_value(), value, "{out}");
        }
    }

    /// YAML 1.2's numbers that `f64` does not read (hexadecimal, octal, infinities, NaN,
    /// beyond its range) are written unquoted and read back as numbers.
    #[test]
    fn emitted_core_numbers_read_back_as_numbers() {
        for n in [
            "0x1F", "0o17", ".inf", "-.Inf", ".nan", "1e400", "7", "-2.5",
        ] {
            let value = Value::Map(vec![("v".to_string(), Value::Number(n.to_string()))]);
            let mut out = String::new();
            emit(&mut out, &value);
            assert_eq!(out.trim_end(), format!("v: {n}"));
            let docs = parse_stream(&out, CAPS).unwrap();
            assert_eq!(docs[0].root.to_value(), value, "{out}");
        }
    }
}
