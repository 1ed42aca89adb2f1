//! Nothing to see: this package only carries the workspace's benchmarks (`benches/*.rs`).
