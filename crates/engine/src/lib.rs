//! The Genesis Lab engine: candles in, features, strategy decisions, trades, metrics and a
//! score out. Pure Rust with no web dependency: it never touches the DOM, the clock or global
//! randomness, so it runs identically natively and in WebAssembly.

/// Candle data: parsing, validation, the dataset model.
pub mod data;
/// Indicators precomputed over whole columns, their cache and the default feature frame.
pub mod features;

/// The engine version; studies and caches record it, and workers report it in their hello.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");
