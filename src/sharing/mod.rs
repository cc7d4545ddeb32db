//! What leaves the browser and comes back: study bundles, backtest setups in share links, and
//! the export and checked import of studies. Everything that arrives is hostile input.

/// Study bundles: export and checked import.
pub mod bundle;
/// Backtest setups shared in the URL.
pub mod links;

/// Export and import of studies from the Studies page.
#[cfg(target_arch = "wasm32")]
pub mod transfer;
