//! Hostile YAML: each input is a typed error (or an import) within bounded time and memory.

#![cfg(feature = "openslo")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sli_core::openslo::{Mode, Problem, parse};

/// Nested anchors: each level anchors the one below, so cloning every anchored node when it is
/// defined costs the square of the input.
#[test]
fn nested_anchors_are_bounded() {
    let depth = 100;
    let mut text = String::new();
    for i in 0..depth {
        text.push_str(&format!("{}- &a{i}\n", "  ".repeat(i)));
    }
    // A long sequence at the bottom, anchored 100 times over.
    text.push_str(&format!(
        "{}- [{}]\n",
        "  ".repeat(depth),
        vec!["1"; 20_000].join(",")
    ));
    let err = parse(&text, Mode::Lenient).unwrap_err();
    assert!(
        matches!(err.problem, Problem::LimitExceeded { .. }),
        "{err}"
    );
}

/// A flow sequence of 30 MB: the YAML parser would buffer all of it (gigabytes); refused by
/// the flow-collection cap before parsing, naming the bracket.
#[test]
fn a_huge_flow_collection_is_refused_before_parsing() {
    let text = format!("a: 1\nb: [{}1]", "1,".repeat(15 << 20));
    let err = parse(&text, Mode::Lenient).unwrap_err();
    assert!(
        matches!(
            err.problem,
            Problem::LimitExceeded {
                limit: "bytes in one flow collection",
                ..
            }
        ),
        "{err}"
    );
    assert_eq!((err.location.line, err.location.column), (2, 4));
}

#[test]
fn a_long_flat_sequence_is_refused_by_the_node_cap() {
    let text = "- 1\n".repeat(3_000_000);
    let err = parse(&text, Mode::Lenient).unwrap_err();
    assert!(
        matches!(
            err.problem,
            Problem::LimitExceeded {
                limit: "YAML nodes",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn input_over_the_size_cap_is_refused_before_parsing() {
    let text = " ".repeat(40 * 1024 * 1024);
    let err = parse(&text, Mode::Lenient).unwrap_err();
    assert!(
        matches!(
            err.problem,
            Problem::LimitExceeded {
                limit: "input bytes",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn many_keys_are_checked_in_linear_time() {
    // 100,000 distinct keys in one mapping: the duplicate check must not compare every pair.
    let mut text = String::from(
        "apiVersion: openslo/v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n",
    );
    for i in 0..100_000 {
        text.push_str(&format!("    k{i}: v\n"));
    }
    let import = parse(&text, Mode::Lenient).unwrap();
    assert!(import.warnings.is_empty());
    let dup = format!("{text}    k7: again\n");
    let import = parse(&dup, Mode::Lenient).unwrap();
    assert_eq!(import.warnings.len(), 1, "{:?}", import.warnings);
    assert!(parse(&dup, Mode::Strict).is_err());
}
