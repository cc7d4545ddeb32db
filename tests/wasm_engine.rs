//! The engine in the browser gives the native engine's results bit for bit: the demo
//! backtests here, compiled to wasm and run in headless Chromium, must reproduce the golden
//! files the native tests write (`tests/golden/backtest/*.json`, floats stored as bits).
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use genesis_engine::backtest::{Recording, Window};
use genesis_engine::data::synth::{generate, SynthParams};
use genesis_engine::features::FeatureStore;
use genesis_engine::run::run_backtest;
use genesis_engine::strategy::StrategyConfig;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Every `"name": "0x…"` pair of the golden file's `bits` object, with the run's value.
fn assert_bits_match(golden: &str, outcome: &genesis_engine::run::RunOutcome) {
    let golden: serde_json::Value = serde_json::from_str(golden).expect("golden JSON");
    let bits = golden["bits"].as_object().expect("a bits object");
    assert!(bits.len() > 20, "the golden file lists the metrics");
    let ran = serde_json::json!({
        "metrics": outcome.report.metrics,
        "score": outcome.evaluation.score,
    });
    for (path, expected) in bits {
        let mut value = &ran;
        for key in path.split('.') {
            value = &value[key];
        }
        let expected = expected.as_str().expect("hex bits");
        let expected = u64::from_str_radix(expected.trim_start_matches("0x"), 16).expect("hex");
        let actual = value
            .as_f64()
            .unwrap_or_else(|| panic!("{path} is not a number in the wasm run: {value}"));
        assert_eq!(
            actual.to_bits(),
            expected,
            "{path}: wasm {actual:e} != native {:e}",
            f64::from_bits(expected)
        );
    }
    assert_eq!(
        golden["config_fingerprint"].as_str(),
        Some(outcome.config_fingerprint.as_str())
    );
}

fn demo_store() -> FeatureStore {
    FeatureStore::new(Arc::new(generate(&SynthParams::demo()).expect("demo data")))
}

#[wasm_bindgen_test]
fn the_genesis_demo_backtest_is_bit_identical_to_native() {
    let mut store = demo_store();
    let config = StrategyConfig::preset("genesis").expect("preset");
    let window = Window::all(store.candles());
    let outcome = run_backtest(&mut store, &config, window, Recording::Full).expect("run");
    assert_bits_match(include_str!("golden/backtest/demo_genesis.json"), &outcome);
}

#[wasm_bindgen_test]
fn the_sma_cross_demo_backtest_is_bit_identical_to_native() {
    let mut store = demo_store();
    let config = StrategyConfig::preset("sma_cross").expect("preset");
    let window = Window::all(store.candles());
    let outcome = run_backtest(&mut store, &config, window, Recording::Full).expect("run");
    assert_bits_match(
        include_str!("golden/backtest/demo_sma_cross.json"),
        &outcome,
    );
}
