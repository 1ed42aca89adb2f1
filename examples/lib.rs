//! Shared code of the workspace's examples (`examples/*.rs`; not published), and runs the code in the
//! workspace's documents as doctests: those documents live outside the published crates, so
//! their doctests run here rather than in a package that would not ship them.

// The workspace README's example and the guides' snippets.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct WorkspaceReadme;
#[cfg(doctest)]
#[doc = include_str!("../docs/guide-counts-to-paging.md")]
struct GuideCountsToPaging;
#[cfg(doctest)]
#[doc = include_str!("../docs/slo-as-code.md")]
struct SloAsCode;

pub mod nab;

/// The command line's arguments after the program's name, each as text: an argument that is
/// not UTF-8 is an error naming its position (`std::env::args` panics on one).
///
/// # Errors
/// The first argument that is not UTF-8, shown with its invalid bytes replaced.
pub fn utf8_args() -> Result<Vec<String>, String> {
    std::env::args_os()
        .skip(1)
        .enumerate()
        .map(|(i, arg)| {
            arg.into_string().map_err(|arg| {
                format!("argument {} is not UTF-8: {}", i + 1, arg.to_string_lossy())
            })
        })
        .collect()
}

/// `text` as part of a file name: ASCII letters, digits, `-` and `_` kept, anything else (a
/// path separator, a dot, a control character) written as `_`, so that a name read from a
/// document (an OpenSLO name, which lenient mode takes as it is) cannot lead out of the
/// directory it is written in.
///
/// ```
/// assert_eq!(sre_examples::file_stem("checkout-availability"), "checkout-availability");
/// assert_eq!(sre_examples::file_stem("../../etc/x"), "______etc_x");
/// ```
pub fn file_stem(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
