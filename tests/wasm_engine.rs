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

/// A rules run's answer crosses the worker boundary whole: the page gets the plots the
/// worker computed with their warm-up (NaN) intact, which the codec carries as plain JS
/// numbers (JSON text would have made them `null`).
#[wasm_bindgen_test]
fn a_rules_backtest_answer_with_its_plots_crosses_the_worker_codec_intact() {
    use genesis_engine::strategy::rules::functions::Pane;
    use genesis_engine::strategy::rules::plots;
    use genesis_engine::strategy::StrategyParams;
    use genesis_lab::workers::codec::JsCodec;
    use genesis_lab::workers::protocol::{BacktestView, Event, FromWorker};
    use gloo_worker::Codec;

    let mut store = demo_store();
    let config = StrategyConfig::preset("rules_rsi_reversion").expect("preset");
    let window = Window::all(store.candles());
    let outcome = run_backtest(&mut store, &config, window, Recording::Full).expect("run");
    let StrategyParams::Rules(params) = config.params() else {
        panic!("a rules preset")
    };
    let plots = plots(&mut store, params).expect("plots");
    assert_eq!(plots.len(), 1);
    assert_eq!(
        (plots[0].name.as_str(), plots[0].pane),
        ("rsi", Pane::Below)
    );
    assert!(
        plots[0].values[0].is_nan(),
        "the RSI's warm-up is undefined"
    );
    let sent = FromWorker {
        job_id: 7,
        event: Event::Backtest(Box::new(BacktestView { outcome, plots })),
    };
    let received: FromWorker = JsCodec::decode(JsCodec::encode(&sent));
    let (Event::Backtest(sent_view), Event::Backtest(received_view)) =
        (&sent.event, &received.event)
    else {
        panic!("a backtest answer comes back a backtest answer")
    };
    assert_eq!(received_view.outcome, sent_view.outcome);
    assert_eq!(received_view.plots.len(), 1);
    // Every value the same, to the bit; an undefined one still undefined (a NaN's payload
    // is not a value).
    let (got, want) = (&received_view.plots[0].values, &sent_view.plots[0].values);
    assert_eq!(got.len(), want.len());
    for (bar, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(
            a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
            "bar {bar}: {a} != {b}"
        );
    }
    assert_eq!(received_view.plots[0].pane, Pane::Below);
}
