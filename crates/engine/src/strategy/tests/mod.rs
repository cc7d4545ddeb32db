//! Strategy tests: config parsing and errors, presets, fingerprints, the genesis model, every
//! strategy on the demo data and on random data, the golden metrics of the presets, and
//! trade-by-trade parity with backtesting.py.

mod config;
mod genesis;
mod golden;
mod parity;
mod strategies;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::backtest::{Recording, Window};
use crate::data::synth::{generate, SynthParams};
use crate::data::Candles;
use crate::features::FeatureStore;
use crate::run::{run_backtest, RunOutcome};
use crate::strategy::StrategyConfig;

/// The demo dataset (17,278 hourly bars, seed 42), generated once per test binary.
pub(crate) fn demo() -> Arc<Candles> {
    static DEMO: OnceLock<Arc<Candles>> = OnceLock::new();
    Arc::clone(DEMO.get_or_init(|| {
        Arc::new(generate(&SynthParams::demo()).expect("the demo parameters are valid"))
    }))
}

/// `tests/golden/backtest/<name>` in the repository.
pub(crate) fn golden_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/golden/backtest")
        .join(name)
}

/// A config from YAML text that the test expects to be valid.
pub(super) fn yaml(text: &str) -> StrategyConfig {
    match StrategyConfig::from_yaml_str(text, "test.yaml") {
        Ok(config) => config,
        Err(err) => panic!("{err}\n{text}"),
    }
}

/// One full run over all of `candles`.
pub(crate) fn run_all(candles: &Arc<Candles>, config: &StrategyConfig) -> RunOutcome {
    let mut store = FeatureStore::new(Arc::clone(candles));
    run_backtest(&mut store, config, Window::all(candles), Recording::Full)
        .unwrap_or_else(|err| panic!("{err}"))
}

/// Final equity equals initial cash plus the sum of trade P&L, to rounding: the engine's
/// accounting promise, checked on every run these tests make.
pub(super) fn assert_equity_is_cash_plus_pnl(outcome: &RunOutcome) {
    let metrics = &outcome.report.metrics;
    let pnl: f64 = outcome.report.trades.iter().map(|trade| trade.pnl).sum();
    let expected = metrics.initial_equity + pnl;
    let tolerance = 1e-9 * metrics.initial_equity.max(expected.abs());
    assert!(
        (metrics.final_equity - expected).abs() <= tolerance,
        "final equity {} != initial {} + trade P&L {pnl}",
        metrics.final_equity,
        metrics.initial_equity
    );
}
