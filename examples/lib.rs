//! Nothing to see: this package only carries the workspace's examples (`examples/*.rs`).
