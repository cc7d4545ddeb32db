//! The Genesis Lab engine: candles in, features, strategy decisions, trades, metrics and a
//! score out. Pure Rust with no web dependency: it never touches the DOM, the clock or global
//! randomness, so it runs identically natively and in WebAssembly.

#![forbid(unsafe_code)]

/// The backtest engine: the strategy interface, fills, trades and the equity curve.
pub mod backtest;
/// Candle data: parsing, validation, the dataset model.
pub mod data;
/// Indicators precomputed over whole columns, their cache and the default feature frame.
pub mod features;
/// Performance metrics of a backtest, JSON-safe.
pub mod metrics;
/// The one entry point from a strategy config to a scored backtest.
pub mod run;
/// The score that ranks runs and the constraints that mark them infeasible.
pub mod score;
/// Strategies, their YAML configuration and the embedded presets.
pub mod strategy;
/// A closed trade, its side and why it closed: below the backtest and the metrics.
pub mod trade;

/// The engine version; studies and caches record it, and workers report it in their hello.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
