//! Tests of the parent module.

use super::*;

/// Caps far above what the tests' documents need (shared with the emitter's tests).
pub(super) const CAPS: Caps = Caps {
    input_bytes: 1 << 20,
    flow_bytes: 1 << 20,
    nodes: 100_000,
    depth: 64,
};

/// YAML 1.2's core schema reads these as numbers; a free-form value keeps them so, to be
/// written back unquoted. Quoted, they stay strings.
#[test]
fn free_form_numbers_follow_the_core_schema() {
    let numbers = [
        "0x1F", "0o17", ".inf", "-.Inf", "+.INF", ".nan", "1e400", "-2.5e-3", "7",
    ];
    let strings = [
        "0x", "0o8", "-.nan", "1.2.3", "0xZZ", "inf", "nan", "'7'", "\"0x1F\"",
    ];
    for (text, number) in numbers
        .iter()
        .map(|t| (t, true))
        .chain(strings.iter().map(|t| (t, false)))
    {
        let docs = parse_stream(&format!("v: {text}\n"), CAPS).unwrap();
        let Value::Map(entries) = docs[0].root.to_value() else {
            panic!("{text}")
        };
        assert_eq!(matches!(entries[0].1, Value::Number(_)), number, "{text}");
    }
}

/// Flow nesting past the scanner's 255 levels, under a depth cap set higher: the same
/// typed limit as the cap's, not a syntax error.
#[test]
fn flow_nesting_past_the_scanner_is_the_depth_limit() {
    let text = format!("{}1{}", "[".repeat(300), "]".repeat(300));
    let err = parse_stream(
        &text,
        Caps {
            depth: 1_000,
            ..CAPS
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            StreamError::Limit {
                limit: "nesting depth",
                max: 255,
                ..
            }
        ),
        "{err:?}"
    );
    let err = parse_stream(&text, Caps { depth: 64, ..CAPS }).unwrap_err();
    assert!(
        matches!(
            err,
            StreamError::Limit {
                limit: "nesting depth",
                max: 64,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn anchors_and_aliases_count_against_the_node_cap() {
    let text = "a: &x [1, 2, 3, 4]\nb: *x\nc: *x\n";
    let caps = |nodes| Caps { nodes, ..CAPS };
    // The root mapping, 3 keys, the anchored sequence (5), its copy for the aliases (5)
    // and the two expansions (5 each): 24 nodes.
    assert!(parse_stream(text, caps(24)).is_ok());
    assert!(matches!(
        parse_stream(text, caps(23)),
        Err(StreamError::Limit {
            limit: "YAML nodes",
            max: 23,
            ..
        })
    ));
    let docs = parse_stream(text, caps(24)).unwrap();
    let Kind::Map(entries) = &docs[0].root.kind else {
        panic!()
    };
    assert_eq!(entries[2].1.to_value(), entries[0].1.to_value());
    assert_eq!((entries[2].1.line, entries[2].1.column), (3, 4));
}

#[test]
fn long_flow_collections_are_found_before_parsing() {
    let long = |n: usize| format!("a: [{}1]\n", "1, ".repeat(n));
    assert_eq!(long_flow_collection(&long(10), 100), None);
    assert_eq!(long_flow_collection(&long(100), 100), Some((1, 4)));
    // Across lines, nested, and after a sequence indicator.
    let text = format!("x: 1\n- {{k: [{}]}}\n", "2,\n".repeat(60));
    assert_eq!(long_flow_collection(&text, 100), Some((2, 3)));
    assert_eq!(long_flow_collection(&text, 1_000), None);
    // Brackets that start no collection: in plain scalars, quotes, comments and block
    // scalars, however long the line.
    let padding = "y".repeat(500);
    for text in [
        format!("query: sum(rate(x[5m] {padding}))\n"),
        format!("q: \"[{padding}\"\n"),
        format!("q: '[{padding} '' ]'\n"),
        format!("a: 1 # [{padding}\n"),
        format!("q: |\n  [{padding}\n  more [\n\nb: 2\n"),
        format!("- >-\n    {{{padding}\nc: [1, 2]\n"),
    ] {
        assert_eq!(long_flow_collection(&text, 100), None, "{text}");
    }
    // A collection after a block scalar is still measured.
    let text = format!("q: |\n  x\nr: [{}]\n", "1,".repeat(100));
    assert_eq!(long_flow_collection(&text, 100), Some((3, 4)));
    let caps = Caps {
        flow_bytes: 100,
        ..CAPS
    };
    assert!(matches!(
        parse_stream(&long(100), caps),
        Err(StreamError::Limit {
            limit: "bytes in one flow collection",
            max: 100,
            line: 1,
            column: 4,
            ..
        })
    ));
}

#[test]
fn input_and_depth_caps() {
    let small = Caps {
        input_bytes: 8,
        ..CAPS
    };
    assert!(matches!(
        parse_stream("a: 123456", small),
        Err(StreamError::Limit {
            limit: "input bytes",
            max: 8,
            ..
        })
    ));
    let shallow = Caps { depth: 3, ..CAPS };
    assert!(parse_stream("[[[1]]]", shallow).is_ok());
    assert!(matches!(
        parse_stream("[[[[1]]]]", shallow),
        Err(StreamError::Limit {
            limit: "nesting depth",
            max: 3,
            line: 1,
            column: 4,
            ..
        })
    ));
}

#[test]
fn positions_and_documents() {
    let docs = parse_stream("a: 1\nb:\n  - x\n---\nc: \"2\"\n", CAPS).unwrap();
    assert_eq!(docs.len(), 2);
    let Kind::Map(entries) = &docs[0].root.kind else {
        panic!()
    };
    assert_eq!((entries[1].1.line, entries[1].1.column), (3, 3));
    let Kind::Map(entries) = &docs[1].root.kind else {
        panic!()
    };
    assert_eq!(entries[0].1.to_value(), Value::String("2".into()));
}

#[test]
fn merge_keys_are_expanded_and_bounded() {
    let docs = parse_stream(
        "a: &a {x: 1, y: 2}\nb: &b {y: 3, z: 4}\nc: {<<: *a, x: 9}\nd: {<<: [*a, *b], w: 0}\ne: {'<<': 1}\n",
        CAPS,
    )
    .unwrap();
    let root = docs[0].root.to_value();
    let text = |key: &str| {
        let mut out = String::new();
        emit(&mut out, root.get(key).unwrap());
        out
    };
    // The mapping's own keys win, then the first merged mapping's.
    assert_eq!(text("c"), "x: 9\ny: 2\n");
    assert_eq!(text("d"), "w: 0\nx: 1\ny: 2\nz: 4\n");
    // A quoted << is an ordinary key.
    assert_eq!(text("e"), "\"<<\": 1\n");
    let err = parse_stream("a: &a {x: 1}\nb: &b {y: 2}\nc: {<<: *a, <<: *b}\n", CAPS).unwrap_err();
    assert!(
        matches!(&err, StreamError::Syntax(e) if e.message.contains("appears twice in this mapping")),
        "{err:?}"
    );
    let err = parse_stream("a: {<<: 1}\n", CAPS).unwrap_err();
    assert!(
        matches!(&err, StreamError::Syntax(e) if e.message.contains("merge key")),
        "{err:?}"
    );
    // An alias to a sequence of mappings is refused (go-yaml refuses it), where the same
    // sequence written in place, or a sequence of aliases, is merged.
    let err = parse_stream("l: &l [{x: 1}]\nc: {<<: *l}\n", CAPS).unwrap_err();
    assert!(
        matches!(&err, StreamError::Syntax(e)
            if e.message.contains("not to a sequence") && (e.line, e.column) == (2, 9)),
        "{err:?}"
    );
    let docs = parse_stream("a: &a {x: 1}\nc: {<<: [{y: 2}, *a]}\n", CAPS).unwrap();
    let mut out = String::new();
    emit(&mut out, docs[0].root.to_value().get("c").unwrap());
    assert_eq!(out, "y: 2\nx: 1\n");
    // A sequence alias as an ordinary value is fine.
    parse_stream("l: &l [{x: 1}]\nc: {k: *l}\n", CAPS).unwrap();
    // A key twice in one merged mapping is refused (go-yaml refuses it), not decided
    // silently.
    let err = parse_stream(
        "spec: {<<: {budgetingMethod: Occurrences, budgetingMethod: Timeslices}}\n",
        CAPS,
    )
    .unwrap_err();
    assert!(
        matches!(&err, StreamError::Syntax(e)
            if e.message.contains("\"budgetingMethod\" appears twice") && (e.line, e.column) == (1, 43)),
        "{err:?}"
    );
    // A chain of merges alone (no alias in a sequence), each mapping the one before it
    // and one key more, holds about n²/2 nodes: the cap refuses it. (It guards the merge
    // chains' bound, which the aliases' charges give, not merge_keys itself.)
    let mut chain = String::from("a0: &a0 {k0: 0}\n");
    for i in 1..3_000 {
        chain.push_str(&format!("a{i}: &a{i} {{<<: *a{}, k{i}: 0}}\n", i - 1));
    }
    assert!(matches!(
        parse_stream(&chain, CAPS),
        Err(StreamError::Limit {
            limit: "YAML nodes",
            ..
        })
    ));
}

/// A review (2026-12-07): a 16 MiB scalar repeated by a thousand aliases counted a
/// thousand nodes and made 16 GB. A scalar now weighs a node per 64 bytes of its text, so
/// the copies count as the text they make.
#[test]
fn aliases_of_a_long_scalar_count_its_text() {
    let long = "x".repeat(64 * 1_000);
    let mut text = format!("a: &a {long}\nb:\n");
    for _ in 0..200 {
        text.push_str("  - *a\n");
    }
    // 200 copies of 1,001 nodes' weight pass a cap of 100,000; one copy does not.
    assert!(matches!(
        parse_stream(&text, CAPS),
        Err(StreamError::Limit {
            limit: "YAML nodes",
            ..
        })
    ));
    assert!(parse_stream(&format!("a: &a {long}\nb: [*a]\n"), CAPS).is_ok());
}

#[test]
fn alias_bomb_is_bounded() {
    let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 0..20 {
        let prev = if i == 0 {
            "a".to_string()
        } else {
            format!("a{}", i - 1)
        };
        text.push_str(&format!(
            "b{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
        ));
    }
    assert!(matches!(
        parse_stream(&text, CAPS),
        Err(StreamError::Limit {
            limit: "YAML nodes",
            ..
        })
    ));
}
