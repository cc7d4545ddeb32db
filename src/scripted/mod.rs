//! Runs the app scripts for a user or a test: the one-click demo and the benchmark workloads.

/// The browser benchmark workloads.
pub mod bench;
/// The one-click demo.
pub mod demo;
