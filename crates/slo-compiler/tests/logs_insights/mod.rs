//! An interpreter of the CloudWatch Logs Insights commands the dashboards' queries use, as the
//! query syntax page describes them
//! (<https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html>): `SOURCE`,
//! `fields`, `filter` with `like /regex/`, `=`, `in [...]`, `ispresent()`, `and`, `or` and
//! parentheses, `parse` with a regular expression's named groups, `sort` (numbers compared as
//! numbers), `limit`, and `stats count(*) by bin()`; JSON log events' fields are discovered
//! with nested names joined by `.`. Ours: no Logs Insights engine runs here (moto's
//! `StartQuery` ignores `filter` and `parse`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use regex_lite::Regex;
use serde_json::Value;

/// A log event: its time (milliseconds since the epoch) and message.
pub(crate) struct Event {
    pub(crate) time: i64,
    pub(crate) message: String,
}

pub(crate) type Row = BTreeMap<String, String>;

/// The fields Logs Insights discovers in an event: `@timestamp`, `@message`, `@log`, and a
/// JSON event's fields, nested names joined by `.`.
fn discover(group: &str, event: &Event) -> Row {
    fn flatten(prefix: &str, value: &Value, row: &mut Row) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    flatten(&name, v, row);
                }
            }
            Value::Null => {}
            Value::String(s) => {
                row.insert(prefix.to_owned(), s.clone());
            }
            other => {
                row.insert(prefix.to_owned(), other.to_string());
            }
        }
    }
    let mut row = Row::new();
    row.insert("@timestamp".into(), event.time.to_string());
    row.insert("@message".into(), event.message.clone());
    row.insert("@log".into(), group.to_owned());
    if let Ok(json @ Value::Object(_)) = serde_json::from_str::<Value>(&event.message) {
        flatten("", &json, &mut row);
    }
    row
}

/// Splits at `sep` outside quotes and `/regex/` literals.
fn split_outside(text: &str, sep: char) -> Vec<String> {
    let (mut parts, mut current) = (Vec::new(), String::new());
    let (mut quote, mut regex) = (None::<char>, false);
    for c in text.chars() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') if !regex => quote = Some(c),
            (None, '/') => regex = !regex,
            (None, _) if c == sep && !regex => {
                parts.push(current.trim().to_owned());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current.trim().to_owned());
    parts
}

fn regex_literal(text: &str) -> Regex {
    let inner = text
        .strip_prefix('/')
        .and_then(|t| t.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{text} is not a /regex/"));
    Regex::new(inner).unwrap()
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Word(String),
    Str(String),
    Regex(String),
    List(Vec<String>),
}

fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '"' => {
                let end = i + 1 + chars[i + 1..].iter().position(|&c| c == '"').unwrap();
                out.push(Token::Str(chars[i + 1..end].iter().collect()));
                i = end + 1;
            }
            '/' => {
                let end = i + 1 + chars[i + 1..].iter().position(|&c| c == '/').unwrap();
                out.push(Token::Regex(chars[i..=end].iter().collect()));
                i = end + 1;
            }
            '[' => {
                let end = i + chars[i..].iter().position(|&c| c == ']').unwrap();
                let inner: String = chars[i + 1..end].iter().collect();
                out.push(Token::List(
                    inner
                        .split(',')
                        .map(|s| s.trim().trim_matches('"').to_owned())
                        .collect(),
                ));
                i = end + 1;
            }
            _ => {
                let end = chars[i..]
                    .iter()
                    .position(|&c| " ()".contains(c))
                    .map_or(chars.len(), |p| i + p);
                out.push(Token::Word(chars[i..end].iter().collect()));
                i = end;
            }
        }
    }
    out
}

/// `filter`'s condition: `or` of `and` of comparisons, parenthesised groups and `ispresent`.
struct Condition<'a> {
    tokens: &'a [Token],
    at: usize,
}

impl Condition<'_> {
    fn next(&mut self) -> Token {
        self.at += 1;
        self.tokens[self.at - 1].clone()
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w == word)
    }

    fn or(&mut self, row: &Row) -> bool {
        let mut value = self.and(row);
        while self.peek_word("or") {
            self.at += 1;
            value |= self.and(row);
        }
        value
    }

    fn and(&mut self, row: &Row) -> bool {
        let mut value = self.atom(row);
        while self.peek_word("and") {
            self.at += 1;
            value &= self.atom(row);
        }
        value
    }

    fn atom(&mut self, row: &Row) -> bool {
        match self.next() {
            Token::Open => {
                let value = self.or(row);
                assert_eq!(self.next(), Token::Close);
                value
            }
            Token::Word(w) if w == "ispresent" => {
                assert_eq!(self.next(), Token::Open);
                let Token::Word(field) = self.next() else {
                    panic!("ispresent of a non-field")
                };
                assert_eq!(self.next(), Token::Close);
                row.contains_key(&field)
            }
            Token::Word(field) => {
                let value = row.get(&field);
                match (self.next(), self.next()) {
                    (Token::Word(op), Token::Regex(re)) if op == "like" => {
                        value.is_some_and(|v| regex_literal(&re).is_match(v))
                    }
                    (Token::Word(op), Token::Str(s)) if op == "=" => value == Some(&s),
                    (Token::Word(op), Token::List(items)) if op == "in" => {
                        value.is_some_and(|v| items.contains(v))
                    }
                    other => panic!("condition {other:?} is not one the interpreter knows"),
                }
            }
            other => panic!("unexpected {other:?} in a condition"),
        }
    }
}

/// Runs a Logs Insights query over `groups` of the fixture; rows hold every field (the
/// projection of `fields` is the display, not checked here).
pub(crate) fn run_query(
    query: &str,
    mut groups: Vec<String>,
    logs: &BTreeMap<String, Vec<Event>>,
) -> Vec<Row> {
    let commands = split_outside(query, '|');
    let mut rows: Option<Vec<Row>> = None;
    for command in commands {
        let (verb, rest) = command.split_once(' ').unwrap_or((&command, ""));
        if verb == "SOURCE" {
            groups.push(rest.trim_matches('\'').to_owned());
            continue;
        }
        let current = rows.get_or_insert_with(|| {
            groups
                .iter()
                .flat_map(|g| {
                    logs.get(g)
                        .unwrap_or_else(|| panic!("no fixture log group {g}"))
                        .iter()
                        .map(move |e| discover(g, e))
                })
                .collect()
        });
        match verb {
            "fields" => {}
            "filter" => {
                let tokens = tokens(rest);
                current.retain(|row| {
                    let mut c = Condition {
                        tokens: &tokens,
                        at: 0,
                    };
                    let keep = c.or(row);
                    assert_eq!(c.at, tokens.len(), "condition {rest} not read to its end");
                    keep
                });
            }
            "parse" => {
                let (field, re) = rest.split_once(' ').unwrap();
                let re = regex_literal(re.trim());
                let names: Vec<&str> = re.capture_names().flatten().collect();
                for row in current.iter_mut() {
                    let captured: Vec<(String, String)> = row
                        .get(field)
                        .and_then(|v| re.captures(v))
                        .map(|caps| {
                            names
                                .iter()
                                .filter_map(|n| {
                                    caps.name(n)
                                        .map(|m| ((*n).to_owned(), m.as_str().to_owned()))
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    row.extend(captured);
                }
            }
            "sort" => {
                let (field, order) = rest.split_once(' ').unwrap_or((rest, "asc"));
                current.sort_by(|a, b| {
                    let (a, b) = (a.get(field), b.get(field));
                    let numbers = a
                        .and_then(|a| a.parse::<f64>().ok())
                        .zip(b.and_then(|b| b.parse::<f64>().ok()));
                    match numbers {
                        Some((x, y)) => x.total_cmp(&y),
                        None => a.cmp(&b),
                    }
                });
                if order.trim() == "desc" {
                    current.reverse();
                }
            }
            "limit" => current.truncate(rest.trim().parse().unwrap()),
            "stats" => {
                let re = Regex::new(r"^count\(\*\) as (\w+) by bin\((\d+)m\)$").unwrap();
                let caps = re
                    .captures(rest)
                    .unwrap_or_else(|| panic!("stats {rest} is not one the interpreter knows"));
                let (name, minutes) = (&caps[1], caps[2].parse::<i64>().unwrap());
                let mut bins: BTreeMap<i64, usize> = BTreeMap::new();
                for row in current.iter() {
                    let t: i64 = row["@timestamp"].parse().unwrap();
                    *bins.entry(t - t.rem_euclid(minutes * 60_000)).or_default() += 1;
                }
                *current = bins
                    .into_iter()
                    .map(|(bin, n)| {
                        Row::from([
                            ("bin".into(), bin.to_string()),
                            (name.into(), n.to_string()),
                        ])
                    })
                    .collect();
            }
            other => panic!("command {other} is not one the interpreter knows"),
        }
    }
    rows.unwrap_or_default()
}

pub(crate) fn column(rows: &[Row], field: &str) -> Vec<String> {
    rows.iter()
        .map(|r| r.get(field).cloned().unwrap_or_default())
        .collect()
}
