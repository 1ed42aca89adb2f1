//! `nab::load` reads label files given on the command line (`nab_eval`, `gameday`): windows
//! it cannot score are refused, naming the file and window.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use sre_examples::nab;

/// A corpus of one file, ten rows a minute apart, labelled with `windows` (row pairs).
fn corpus(name: &str, windows: &[(usize, usize)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nab-load-{}-{name}", std::process::id()));
    std::fs::create_dir_all(dir.join("k")).unwrap();
    let stamp = |row: usize| format!("2014-02-14 14:{:02}:00", 10 + row);
    let mut csv = String::from("timestamp,value\n");
    for row in 0..10 {
        csv.push_str(&format!("{},{row}\n", stamp(row)));
    }
    std::fs::write(dir.join("k/a.csv"), csv).unwrap();
    let spans: Vec<[String; 2]> = windows
        .iter()
        .map(|&(start, end)| {
            [
                format!("{}.000000", stamp(start)),
                format!("{}.000000", stamp(end)),
            ]
        })
        .collect();
    let labels = serde_json::json!({ "k/a.csv": spans });
    std::fs::write(dir.join("combined_windows.json"), labels.to_string()).unwrap();
    dir
}

#[test]
fn windows_reversed_out_of_order_or_overlapping_are_refused() {
    // Found by the hostile-input probe: a window ending before it started made `score`
    // subtract past zero (a panic in debug builds, a huge window in release), and windows out
    // of order were looked up by bisection, silently wrong.
    for (name, windows) in [
        ("reversed", &[(5, 3)][..]),
        ("unordered", &[(6, 7), (1, 2)]),
        ("overlapping", &[(1, 4), (4, 6)]),
    ] {
        let dir = corpus(name, windows);
        let err = nab::load(&dir).unwrap_err().to_string();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(err.starts_with("k/a.csv: window"), "{name}: {err}");
    }
    let dir = corpus("ordered", &[(1, 2), (3, 3), (6, 9)]);
    let loaded = nab::load(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(loaded.unwrap()[0].windows, [(1, 2), (3, 3), (6, 9)]);
}
