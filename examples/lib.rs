//! Shared code of the workspace's examples (`examples/*.rs`); not published.

pub mod nab;
