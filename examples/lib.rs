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
