//! Strategies and their configuration.
//!
//! A strategy config is one YAML document
//! ([`StrategyConfig`](crate::strategy::StrategyConfig)): `strategy:` names the strategy,
//! `features:`, `backtest:` and `constraints:` hold the shared sections, and the strategy's
//! own keys sit at the top level. Five strategies are built in:
//!
//! - [`genesis`](crate::strategy::genesis): a transparent probability model (normalised
//!   trend, momentum, mean-reversion, Fibonacci and higher-timeframe signals, weighted,
//!   softmax) with the seeds' thresholds, volatility zones, risk map, trailing stop and max
//!   hold;
//! - [`sma_cross`](crate::strategy::sma_cross): backtesting.py's `SmaCross` example,
//!   always-in-market reversals;
//! - [`rsi_reversion`](crate::strategy::rsi_reversion),
//!   [`bollinger_breakout`](crate::strategy::bollinger_breakout),
//!   [`donchian_breakout`](crate::strategy::donchian_breakout): classic rules.
//!
//! Each is built against a [`crate::features::FeatureStore`]: it takes shared (`Arc`)
//! columns at construction and reads plain slices in `decide`, which allocates nothing, and
//! its `first_decision_bar` is its slowest feature's first valid bar. Presets live in
//! `config/strategy/*.yaml`, embedded by [`presets`](crate::strategy::presets).
//! [`crate::run::run_backtest`] is the one entry point that builds the strategy from a config
//! and runs it.
//!
//! ```
//! use std::sync::Arc;
//! use genesis_engine::backtest::{Recording, Window};
//! use genesis_engine::data::synth::{generate, SynthParams};
//! use genesis_engine::features::FeatureStore;
//! use genesis_engine::run::run_backtest;
//! use genesis_engine::strategy::StrategyConfig;
//!
//! let config = StrategyConfig::from_yaml_str(
//!     "strategy: sma_cross\nfast_period: 5\nslow_period: 30\n",
//!     "example.yaml",
//! )
//! .unwrap();
//! let candles = Arc::new(generate(&SynthParams { n_bars: 2_000, ..SynthParams::demo() }).unwrap());
//! let mut store = FeatureStore::new(Arc::clone(&candles));
//! let outcome =
//!     run_backtest(&mut store, &config, Window::all(&candles), Recording::MetricsOnly).unwrap();
//! assert!(outcome.report.metrics.n_trades > 0);
//!
//! let err = StrategyConfig::from_yaml_str("strategy: sma_cross\nfast_perod: 5\n", "my.yaml")
//!     .unwrap_err();
//! assert_eq!(err.to_string(), "my.yaml: fast_perod: unknown key; did you mean fast_period?");
//! ```

/// `bollinger_breakout`: a close outside the bands, back to the middle.
pub mod bollinger_breakout;
/// The config document: parsing, validation, canonical form, fingerprint, dotted merges.
pub mod config;
/// `donchian_breakout`: the turtle breakout rule.
pub mod donchian_breakout;
/// The one error type of configs and runs.
pub mod error;
/// `genesis`: the probability model, regimes, zones, risk map and exits.
pub mod genesis;
/// Dotted keys from serde errors, key suggestions, canonical JSON text.
pub mod keys;
/// The embedded presets of `config/strategy/`.
pub mod presets;
/// The one list of strategies: each one's definition, and everything derived from the list.
pub mod registry;
/// `rsi_reversion`: buy oversold, sell at the middle.
pub mod rsi_reversion;
pub mod rules;
/// `sma_cross`: backtesting.py's `SmaCross`.
pub mod sma_cross;

mod check;
mod simple;

pub use bollinger_breakout::{BollingerBreakout, BollingerBreakoutParams};
pub use config::{StrategyConfig, StrategyKind, StrategyParams};
pub use donchian_breakout::{DonchianBreakout, DonchianBreakoutParams};
pub use error::StrategyError;
pub use genesis::{Genesis, GenesisModel, GenesisParams};
pub use registry::{ConfigParams, Definition, Visitor};
pub use rsi_reversion::{RsiReversion, RsiReversionParams};
pub use simple::{Rules, SimpleRisk, WithRisk};
pub use sma_cross::{SmaCross, SmaCrossParams};

#[cfg(test)]
mod tests;
