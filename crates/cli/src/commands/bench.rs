//! `genesis bench`: the standard workloads, timed natively.
//!
//! A workload is a name, its size and a closure that does the work once; the registry
//! ([`REGISTRY`]) lists functions that build workloads, so a new area (backtest, optimize,
//! features) adds one function to it. Each workload runs once to warm up, then `--repeats`
//! times; the minimum and the median are reported.

use std::sync::Arc;
use std::time::Instant;

use genesis_engine::backtest::{Recording, Window};
use genesis_engine::data::synth::{generate, SynthParams, DEMO_START_PRICE, DEMO_START_TS_MS};
use genesis_engine::data::timestamp::MS_PER_MINUTE;
use genesis_engine::data::{parse, write_csv, Candles, ParseOptions};
use genesis_engine::features::{
    bench_all, FeatureParams, FeatureStore, DEFAULT_MEMORY_LIMIT_BYTES,
};
use genesis_engine::run::run_backtest;
use genesis_engine::strategy::genesis::Model;
use genesis_engine::strategy::{GenesisModel, StrategyConfig, StrategyKind};
use serde::Serialize;

use super::data::read_file;
use crate::cli::BenchArgs;
use crate::error::CliError;

/// One unit of timed work.
pub struct Workload {
    pub name: String,
    /// Bars processed per run (for bars per second).
    pub n_bars: usize,
    /// Input bytes per run, when meaningful.
    pub n_bytes: usize,
    /// Trials per run, for the optimizer's workloads (0 otherwise).
    pub n_trials: usize,
    /// Does the work once.
    pub run: Box<dyn FnMut() -> Result<(), CliError>>,
}

/// Builds the workloads of one area.
type Builder = fn(&BenchArgs) -> Result<Vec<Workload>, CliError>;

/// Every area's workloads, in report order.
const REGISTRY: &[Builder] = &[parse_workloads, strategy_workloads, optimizer_workloads];

#[derive(Debug, Serialize)]
struct Timing {
    name: String,
    n_bars: usize,
    n_bytes: usize,
    repeats: usize,
    min_ms: f64,
    median_ms: f64,
    bars_per_second: f64,
    n_trials: usize,
    /// `min_ms / n_trials`, for the optimizer's workloads.
    #[serde(skip_serializing_if = "Option::is_none")]
    ms_per_trial: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trials_per_second: Option<f64>,
}

pub fn run(args: &BenchArgs) -> Result<(), CliError> {
    if args.repeats == 0 {
        return Err(CliError::input("--repeats: must be at least 1"));
    }
    let mut timings = Vec::new();
    for build in REGISTRY {
        for mut workload in build(args)? {
            if args
                .only
                .as_ref()
                .is_some_and(|only| !workload.name.contains(only.as_str()))
            {
                continue;
            }
            (workload.run)()?;
            let mut samples_ms = Vec::with_capacity(args.repeats);
            for _ in 0..args.repeats {
                let start = Instant::now();
                (workload.run)()?;
                samples_ms.push(start.elapsed().as_secs_f64() * 1e3);
            }
            samples_ms.sort_by(f64::total_cmp);
            let min_ms = samples_ms[0];
            let median_ms = samples_ms[samples_ms.len() / 2];
            let per_trial = (workload.n_trials > 0).then(|| min_ms / workload.n_trials as f64);
            let timing = Timing {
                name: workload.name,
                n_bars: workload.n_bars,
                n_bytes: workload.n_bytes,
                repeats: args.repeats,
                min_ms,
                median_ms,
                bars_per_second: workload.n_bars as f64 / (min_ms / 1e3),
                n_trials: workload.n_trials,
                ms_per_trial: per_trial,
                trials_per_second: per_trial.map(|ms| 1e3 / ms),
            };
            if !args.is_json {
                let trials = match (timing.ms_per_trial, timing.trials_per_second) {
                    (Some(ms), Some(rate)) => {
                        format!("   {ms:.4} ms/trial   {rate:.1} trials/s")
                    }
                    _ => String::new(),
                };
                println!(
                    "{:<28} {:>9} bars {:>11} bytes   min {:>9.3} ms   median {:>9.3} ms{trials}",
                    timing.name, timing.n_bars, timing.n_bytes, timing.min_ms, timing.median_ms
                );
            }
            timings.push(timing);
        }
    }
    if args.is_json {
        let doc = serde_json::json!({
            "ok": true,
            "engine_version": genesis_engine::ENGINE_VERSION,
            "workloads": timings,
        });
        println!("{doc}");
    }
    Ok(())
}

/// A parse workload over bytes held in memory.
fn parse_workload(name: String, bytes: Vec<u8>) -> Result<Workload, CliError> {
    let n_bars = parse(&bytes, &ParseOptions::default())
        .map_err(|err| CliError::input(format!("{name}: {err}")))?
        .candles
        .len();
    let n_bytes = bytes.len();
    Ok(Workload {
        name,
        n_bars,
        n_bytes,
        n_trials: 0,
        run: Box::new(move || {
            let parsed = parse(&bytes, &ParseOptions::default()).map_err(|err| {
                CliError::Internal(anyhow::anyhow!("parse failed mid-bench: {err}"))
            })?;
            std::hint::black_box(parsed);
            Ok(())
        }),
    })
}

fn synth_csv(n_bars: usize, timeframe_ms: i64) -> Result<Vec<u8>, CliError> {
    let candles = generate(&SynthParams {
        n_bars,
        timeframe_ms,
        seed: 42,
        start_ts_ms: DEMO_START_TS_MS,
        start_price: DEMO_START_PRICE,
    })
    .map_err(|err| CliError::Internal(err.into()))?;
    let mut bytes = Vec::new();
    write_csv(&candles, &mut bytes)?;
    Ok(bytes)
}

/// Parsing synthetic CSV from memory: the demo size and a million one-minute bars
/// (SPEC §9: under 1.5 s in the browser), plus `--data FILE` when given.
fn parse_workloads(args: &BenchArgs) -> Result<Vec<Workload>, CliError> {
    let mut workloads = Vec::new();
    let wanted = |name: &str| {
        args.only
            .as_ref()
            .is_none_or(|only| name.contains(only.as_str()))
    };
    if wanted("parse_csv_17278") {
        workloads.push(parse_workload(
            "parse_csv_17278".to_string(),
            synth_csv(17_278, 60 * MS_PER_MINUTE)?,
        )?);
    }
    if wanted("parse_csv_1000000") {
        workloads.push(parse_workload(
            "parse_csv_1000000".to_string(),
            synth_csv(1_000_000, MS_PER_MINUTE)?,
        )?);
    }
    if let Some(path) = &args.data {
        let name = format!("parse_file {}", path.display());
        if wanted(&name) {
            workloads.push(parse_workload(name, read_file(path)?)?);
        }
    }
    Ok(workloads)
}

/// The demo dataset (17,278 hourly bars, seed 42) in memory.
fn demo_candles() -> Result<Arc<Candles>, CliError> {
    generate(&SynthParams::demo())
        .map(Arc::new)
        .map_err(|err| CliError::Internal(err.into()))
}

/// Feature precompute and backtests on the demo data (SPEC §9): every default feature on a
/// cold store (target under 2 ms), the `genesis` model pass over ready features, one
/// `genesis` and one `sma_cross` backtest of the presets
/// with features ready (targets under 0.5 ms, and 1,000 times faster than backtesting.py's
/// ~260 ms). The backtests go through `run_backtest`, the entry point every caller uses;
/// the warm-up run fills the store, so the timed runs read cached features.
fn strategy_workloads(args: &BenchArgs) -> Result<Vec<Workload>, CliError> {
    let wanted = |name: &str| {
        args.only
            .as_ref()
            .is_none_or(|only| name.contains(only.as_str()))
    };
    let names = [
        "features_all_17278",
        "genesis_model_17278",
        "backtest_genesis_17278",
        "backtest_sma_cross_17278",
        "backtest_rules_sma_cross_17278",
        "backtest_rules_sma_cross_17278_cold",
        "rules_compile_sma_cross",
    ];
    if !names.iter().any(|name| wanted(name)) {
        return Ok(Vec::new());
    }
    let candles = demo_candles()?;
    let n_bars = candles.len();
    let mut workloads = Vec::new();
    if wanted(names[0]) {
        let candles = Arc::clone(&candles);
        let params = FeatureParams::default();
        workloads.push(Workload {
            name: names[0].to_string(),
            n_bars,
            n_bytes: 0,
            n_trials: 0,
            run: Box::new(move || {
                let frame = bench_all(&candles, &params)
                    .map_err(|err| CliError::Internal(anyhow::anyhow!("{err}")))?;
                std::hint::black_box(frame);
                Ok(())
            }),
        });
    }
    if wanted(names[1]) {
        // The pass a trial pays once when it changes the model's weights or feature
        // parameters (features already computed); later runs read it from the store.
        let mut store = FeatureStore::new(Arc::clone(&candles));
        let features = FeatureParams::default();
        let model = Model::default();
        workloads.push(Workload {
            name: names[1].to_string(),
            n_bars,
            n_bytes: 0,
            n_trials: 0,
            run: Box::new(move || {
                let computed = GenesisModel::compute(&mut store, &features, &model)
                    .map_err(|err| CliError::Internal(anyhow::anyhow!("{err}")))?;
                std::hint::black_box(computed);
                Ok(())
            }),
        });
    }
    // (name, preset, memory bound of the store): a bound of 0 keeps nothing, so the cold
    // rules run computes its SMAs every time; the dataset's hash is computed once, as a
    // worker's store does.
    for (name, preset, memory_limit) in [
        (names[2], "genesis", DEFAULT_MEMORY_LIMIT_BYTES),
        (names[3], "sma_cross", DEFAULT_MEMORY_LIMIT_BYTES),
        (names[4], "rules_sma_cross", DEFAULT_MEMORY_LIMIT_BYTES),
        (names[5], "rules_sma_cross", 0),
    ] {
        if !wanted(name) {
            continue;
        }
        let config = StrategyConfig::preset(preset)
            .map_err(|err| CliError::Internal(anyhow::anyhow!("{err}")))?;
        let mut store = FeatureStore::with_memory_limit(Arc::clone(&candles), memory_limit);
        let window = Window::all(&candles);
        workloads.push(Workload {
            name: name.to_string(),
            n_bars,
            n_bytes: 0,
            n_trials: 0,
            run: Box::new(move || {
                let outcome = run_backtest(&mut store, &config, window, Recording::MetricsOnly)
                    .map_err(|err| CliError::Internal(anyhow::anyhow!("{err}")))?;
                std::hint::black_box(outcome);
                Ok(())
            }),
        });
    }
    if wanted(names[6]) {
        // Reading, checking and compiling the preset's rules (every key, the program).
        let text = genesis_engine::strategy::presets::text("rules_sma_cross").unwrap_or_default();
        workloads.push(Workload {
            name: names[6].to_string(),
            n_bars: 0,
            n_bytes: text.len(),
            n_trials: 0,
            run: Box::new(move || {
                let config = StrategyConfig::from_yaml_str(text, "rules_sma_cross")
                    .map_err(|err| CliError::Internal(anyhow::anyhow!("{err}")))?;
                std::hint::black_box(config);
                Ok(())
            }),
        });
    }
    Ok(workloads)
}

/// The study's workloads (SPEC §9): the TPE sampler's own cost per trial at 100, 500 and
/// 1,000 trials on the optimizer's benchmark space with a synthetic objective (target:
/// under 0.5 ms per trial at 1,000), and study throughput on the demo data: 200 TPE trials
/// of the `genesis` preset over `config/optimizer/genesis_tpe.yaml` with 1 and 2 worker
/// threads, each with its own feature store, through the same runner `genesis optimize`
/// uses (trials per second).
fn optimizer_workloads(args: &BenchArgs) -> Result<Vec<Workload>, CliError> {
    let wanted = |name: &str| {
        args.only
            .as_ref()
            .is_none_or(|only| name.contains(only.as_str()))
    };
    let mut workloads = Vec::new();
    for n_trials in [100u64, 500, 1_000] {
        let name = format!("tpe_overhead_{n_trials}");
        if !wanted(&name) {
            continue;
        }
        workloads.push(Workload {
            name,
            n_bars: 0,
            n_bytes: 0,
            n_trials: n_trials as usize,
            run: Box::new(move || {
                let report = genesis_optimizer::bench::sampler_overhead(n_trials, true, 42)
                    .map_err(|err| CliError::Internal(anyhow::anyhow!("{err}")))?;
                std::hint::black_box(report);
                Ok(())
            }),
        });
    }
    for (name, sampler) in [
        (
            "nsga2_overhead_1000",
            genesis_optimizer::SamplerSettings::Nsga2(genesis_optimizer::Nsga2Settings::default()),
        ),
        (
            "motpe_overhead_1000",
            genesis_optimizer::SamplerSettings::Tpe(genesis_optimizer::TpeSettings::default()),
        ),
    ] {
        if !wanted(name) {
            continue;
        }
        workloads.push(Workload {
            name: name.to_string(),
            n_bars: 0,
            n_bytes: 0,
            n_trials: 1_000,
            run: Box::new(move || {
                let report =
                    genesis_optimizer::bench::multi_objective_overhead(1_000, sampler.clone(), 42)
                        .map_err(|err| CliError::Internal(anyhow::anyhow!("{err}")))?;
                std::hint::black_box(report);
                Ok(())
            }),
        });
    }
    if wanted("pbo_16_blocks_1000_trials") {
        // Probability of backtest overfitting over 1,000 trials' per-block sums (16 blocks,
        // 12,870 partitions): what every study's report pays once.
        let mut sums = genesis_study::overfit::BlockSums::new(16);
        let mut state: u64 = 42;
        for trial in 0..1_000u64 {
            // A cheap deterministic generator: returns around a per-trial drift.
            let returns: Vec<f64> = (0..2_000)
                .map(|_| {
                    state = state
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    ((state >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.02
                        + (trial % 7) as f64 * 1e-5
                })
                .collect();
            sums.push_returns(&returns);
        }
        workloads.push(Workload {
            name: "pbo_16_blocks_1000_trials".to_string(),
            n_bars: 0,
            n_bytes: 0,
            n_trials: 1_000,
            run: Box::new(move || {
                let report = genesis_study::overfit::pbo(&sums)
                    .map_err(|err| CliError::Internal(anyhow::anyhow!("{err}")))?;
                std::hint::black_box(report);
                Ok(())
            }),
        });
    }
    // (name, preset, space, trials, worker threads)
    let studies: [(&str, &str, &str, u64, usize); 4] = [
        (
            "study_tpe_200_trials_1_job",
            "genesis",
            genesis_tpe_space(),
            200,
            1,
        ),
        (
            "study_tpe_200_trials_2_jobs",
            "genesis",
            genesis_tpe_space(),
            200,
            2,
        ),
        // A rules strategy against the built-in one it restates (issue 14: within 1.5×).
        (
            "study_tpe_1000_sma_cross",
            "sma_cross",
            StrategyKind::SmaCross.spaces()[0].1,
            1_000,
            1,
        ),
        (
            "study_tpe_1000_rules_sma_cross",
            "rules_sma_cross",
            StrategyKind::Rules.spaces()[0].1,
            1_000,
            1,
        ),
    ];
    if !studies.iter().any(|(name, ..)| wanted(name)) && !wanted(WALKFORWARD_WORKLOAD) {
        return Ok(workloads);
    }
    let candles = demo_candles()?;
    for (name, preset, space, n_trials, n_jobs) in studies {
        if wanted(name) {
            workloads.push(study_workload(
                name, preset, space, n_trials, n_jobs, &candles,
            )?);
        }
    }
    if wanted(WALKFORWARD_WORKLOAD) {
        workloads.push(walkforward_workload(&candles)?);
    }
    Ok(workloads)
}

/// Issue 15's walk-forward target: 5 rolling folds of 200 TPE trials of genesis on the demo
/// data (train 10,000 bars, test 1,455), 2 worker threads, journaled in memory.
const WALKFORWARD_WORKLOAD: &str = "walkforward_rolling_5_folds_200_trials_2_jobs";

fn walkforward_workload(candles: &Arc<Candles>) -> Result<Workload, CliError> {
    use genesis_study::folds::{FoldSpec, Length, Mode};
    use genesis_study::walkforward::{run::run_walkforward, MemoryWalkForward, WalkForwardHeader};
    let internal = |err: &dyn std::fmt::Display| {
        CliError::Internal(anyhow::anyhow!("{WALKFORWARD_WORKLOAD}: {err}"))
    };
    let space = genesis_optimizer::SearchSpace::from_yaml_str(genesis_tpe_space())
        .map_err(|err| internal(&err))?;
    let mut study = genesis_study::StudyConfig::new("bench", space, 42);
    study.stop.max_trials = Some(200);
    let spec = FoldSpec {
        mode: Mode::Rolling,
        train: Length::Bars(10_000),
        test: Length::Bars(1_455),
        step: None,
        gap_bars: 0,
    };
    let base = StrategyConfig::preset("genesis").map_err(|err| internal(&err))?;
    let header = WalkForwardHeader::new(
        "bench",
        spec,
        study,
        genesis_study::BaseSource::Preset {
            name: "genesis".into(),
        },
        base,
        "demo.csv",
        candles,
    )
    .map_err(|err| internal(&err))?;
    let candles = Arc::clone(candles);
    Ok(Workload {
        name: WALKFORWARD_WORKLOAD.to_string(),
        n_bars: candles.len(),
        n_bytes: 0,
        n_trials: 1_000,
        run: Box::new(move || {
            let start = Instant::now();
            let cancel = std::sync::atomic::AtomicBool::new(false);
            let log = run_walkforward(
                &header,
                &mut MemoryWalkForward::default(),
                &candles,
                2,
                &|| start.elapsed().as_millis() as i64,
                &cancel,
                |_| {},
            )
            .map_err(|err| internal(&err))?;
            std::hint::black_box(log);
            Ok(())
        }),
    })
}

/// `n_trials` TPE trials of `preset` over `space` on the demo data with `n_jobs` worker
/// threads, each with its own feature store, through the runner `genesis optimize` uses.
fn study_workload(
    name: &str,
    preset: &str,
    space: &str,
    n_trials: u64,
    n_jobs: usize,
    candles: &Arc<Candles>,
) -> Result<Workload, CliError> {
    let internal =
        |err: &dyn std::fmt::Display| CliError::Internal(anyhow::anyhow!("{name}: {err}"));
    let space =
        genesis_optimizer::SearchSpace::from_yaml_str(space).map_err(|err| internal(&err))?;
    let base = StrategyConfig::preset(preset).map_err(|err| internal(&err))?;
    let plan = genesis_study::StudyPlan::new(
        genesis_study::StudyConfig::new("bench", space, 42),
        genesis_study::BaseSource::Preset {
            name: preset.into(),
        },
        base,
        genesis_engine::data::DatasetMeta::new("demo.csv", candles),
    )
    .map_err(|err| internal(&err))?;
    let candles = Arc::clone(candles);
    Ok(Workload {
        name: name.to_string(),
        n_bars: candles.len(),
        n_bytes: 0,
        n_trials: n_trials as usize,
        run: Box::new(move || {
            let internal =
                |err: &dyn std::fmt::Display| CliError::Internal(anyhow::anyhow!("{err}"));
            let mut study = genesis_optimizer::Study::create(
                plan.study_spec(),
                genesis_optimizer::MemoryJournal::new(),
            )
            .map_err(|err| internal(&err))?;
            study.set_stop_policy(genesis_optimizer::StopPolicy {
                max_trials: Some(n_trials),
                ..Default::default()
            });
            let start = Instant::now();
            let cancel = std::sync::atomic::AtomicBool::new(false);
            genesis_study::runner::run_parallel(
                &mut study,
                &plan.objective(),
                &candles,
                n_jobs,
                &|| start.elapsed().as_millis() as i64,
                &cancel,
                |_| {},
            )
            .map_err(|err| internal(&err))?;
            std::hint::black_box(study.trials().count());
            Ok(())
        }),
    })
}

/// The genesis strategy's default search space (`config/optimizer/genesis_tpe.yaml`).
fn genesis_tpe_space() -> &'static str {
    genesis_engine::strategy::StrategyKind::Genesis.spaces()[0].1
}
