//! Benchmark workloads timed inside the worker, where the engine really runs in the browser.
//! The worker (app code, not the engine) reads the clock: `performance.now()`.

use std::sync::Arc;

use genesis_engine::backtest::{Recording, Window};
use genesis_engine::data::synth::{generate, SynthParams};
use genesis_engine::data::{parse, write_csv, Candles, ParseOptions};
use genesis_engine::features::{FeatureFrame, FeatureParams, FeatureStore};
use genesis_engine::run::run_backtest;
use genesis_engine::strategy::StrategyConfig;
use wasm_bindgen::JsCast;

use crate::workers::protocol::{BenchResult, BenchWorkload, Event};

fn now_ms() -> f64 {
    js_sys::global()
        .dyn_into::<web_sys::WorkerGlobalScope>()
        .ok()
        .and_then(|scope| scope.performance())
        .map_or(0.0, |p| p.now())
}

fn synth_candles(n_bars: usize) -> Result<Candles, String> {
    generate(&SynthParams {
        n_bars,
        ..SynthParams::demo()
    })
    .map_err(|e| e.to_string())
}

pub fn csv_bytes(n_bars: usize) -> Result<Vec<u8>, String> {
    let candles = synth_candles(n_bars)?;
    let mut bytes = Vec::with_capacity(n_bars * 60);
    write_csv(&candles, &mut bytes).map_err(|e| e.to_string())?;
    Ok(bytes)
}

/// Runs `work` once to warm up, then `repeats` times, timing each run.
fn time(repeats: u32, work: impl FnMut() -> Result<(), String>) -> Result<Vec<f64>, String> {
    time_batched(repeats, 1, work)
}

/// Like `time`, but each sample times `batch` runs and records their mean: a worker's clock
/// is coarsened to 0.1 ms without cross-origin isolation, too coarse for sub-millisecond work.
fn time_batched(
    repeats: u32,
    batch: u32,
    mut work: impl FnMut() -> Result<(), String>,
) -> Result<Vec<f64>, String> {
    work()?;
    let batch = batch.max(1);
    let mut samples_ms = Vec::with_capacity(repeats as usize);
    for _ in 0..repeats.max(1) {
        let start = now_ms();
        for _ in 0..batch {
            work()?;
        }
        samples_ms.push((now_ms() - start) / f64::from(batch));
    }
    Ok(samples_ms)
}

pub fn run(workload: BenchWorkload, repeats: u32) -> Event {
    let samples = match workload {
        BenchWorkload::ParseDemoCsv => csv_bytes(17_278).and_then(|bytes| {
            time(repeats, || {
                parse(&bytes, &ParseOptions::default())
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        }),
        BenchWorkload::PrecomputeFeatures => synth_candles(17_278).and_then(|candles| {
            let candles = Arc::new(candles);
            let params = FeatureParams::default();
            time(repeats, || {
                let mut store = FeatureStore::new(candles.clone());
                FeatureFrame::compute(&mut store, &params)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        }),
        BenchWorkload::CompileRules => {
            let text =
                genesis_engine::strategy::presets::text("rules_sma_cross").unwrap_or_default();
            time_batched(repeats, 25, || {
                StrategyConfig::from_yaml_str(text, "rules_sma_cross")
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
        }
        BenchWorkload::BacktestGenesis
        | BenchWorkload::BacktestSmaCross
        | BenchWorkload::BacktestRulesSmaCross
        | BenchWorkload::BacktestRulesSmaCrossCold => {
            let preset = match workload {
                BenchWorkload::BacktestGenesis => "genesis",
                BenchWorkload::BacktestSmaCross => "sma_cross",
                _ => "rules_sma_cross",
            };
            synth_candles(17_278).and_then(|candles| {
                let config = StrategyConfig::preset(preset).map_err(|e| e.to_string())?;
                let window = Window::all(&candles);
                // Features ready: the warm-up run fills the store, as trials share it; the
                // cold workload's store keeps nothing (memory bound 0).
                let mut store = if workload == BenchWorkload::BacktestRulesSmaCrossCold {
                    FeatureStore::with_memory_limit(Arc::new(candles), 0)
                } else {
                    FeatureStore::new(Arc::new(candles))
                };
                time_batched(repeats, 25, || {
                    run_backtest(&mut store, &config, window, Recording::MetricsOnly)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
            })
        }
    };
    match samples {
        Ok(samples_ms) => Event::Bench(BenchResult {
            samples_ms,
            wasm_memory_bytes: wasm_memory_bytes(),
        }),
        Err(message) => Event::failed(format!("bench {}: {message}", workload.name())),
    }
}

pub fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map(|m| {
            m.buffer()
                .dyn_into::<js_sys::ArrayBuffer>()
                .map_or(0, |b| b.byte_length())
        })
        .unwrap_or(0) as u64
}
