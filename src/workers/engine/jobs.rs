//! What the worker does for each request.

use genesis_engine::backtest::{Recording, Window};
use genesis_engine::data::{
    parse_with_progress, synth, Candles, DatasetMeta, DateOrder, ParseOptions,
};
use genesis_engine::features::{FeatureFrame, FeatureParams, FeatureStore};
use genesis_engine::run::run_backtest;
use genesis_engine::strategy::rules::{self, Plot};
use genesis_engine::strategy::{StrategyConfig, StrategyParams};

use super::{EngineWorker, Reporter};
use crate::storage::colfile;
use crate::workers::job_error::JobError;
use crate::workers::json_text::Json;
use crate::workers::protocol::{
    answer_hello, BacktestView, ConfigCheck, DatasetId, DatasetPayload, Event, OverlaySet, Request,
};

/// Runs `job` on a loaded dataset's feature store, or asks the pool to load the dataset
/// first (it then sends the job again).
fn with_store(
    worker: &mut EngineWorker,
    dataset: DatasetId,
    job: impl FnOnce(&mut FeatureStore) -> Event,
) -> Event {
    match worker.datasets.store(&dataset) {
        Some(store) => job(store),
        None => Event::NeedDataset(dataset),
    }
}

/// The name the demo dataset is listed under; the file name carries symbol and timeframe.
pub const DEMO_DATASET_NAME: &str = "demo-BTCUSD_1h.csv";

pub fn handle(worker: &mut EngineWorker, request: Request, reporter: &Reporter) -> Event {
    match request {
        Request::Hello { protocol } => answer_hello(protocol),
        Request::Crash => panic!("crash requested by the page (test hook)"),
        Request::ParseFile {
            name,
            bytes,
            is_lenient,
            date_order,
        } => parse_file(&name, bytes, is_lenient, date_order, reporter),
        Request::Demo => match synth::generate(&synth::SynthParams::demo()) {
            Ok(candles) => dataset_event(DEMO_DATASET_NAME, candles, None),
            Err(error) => Event::Failed(JobError::Data {
                file: DEMO_DATASET_NAME.to_string(),
                error,
            }),
        },
        Request::Synth { n_bars } => {
            let params = synth::SynthParams {
                n_bars,
                ..synth::SynthParams::demo()
            };
            let name = format!("synthetic-{n_bars}_1h.csv");
            match synth::generate(&params) {
                Ok(candles) => dataset_event(&name, candles, None),
                Err(error) => Event::Failed(JobError::Data { file: name, error }),
            }
        }
        Request::LoadDataset { id, columns } => load(worker, id, &columns),
        Request::Resample {
            dataset,
            target_ms,
            name,
        } => with_store(worker, dataset, |store| {
            match store.candles().resample(target_ms) {
                Ok(candles) => dataset_event(&name, candles, None),
                Err(error) => Event::Failed(JobError::Data { file: name, error }),
            }
        }),
        Request::Overlays { dataset, params } => {
            with_store(worker, dataset, |store| overlays(store, params))
        }
        Request::CheckConfig { yaml } => match StrategyConfig::from_yaml_str(&yaml, "config") {
            Ok(config) => Event::Config(config_check(&config)),
            Err(err) => Event::Failed(err.into()),
        },
        Request::Backtest {
            dataset,
            yaml,
            from_ts_ms,
            to_ts_ms,
        } => with_store(worker, dataset, |store| {
            backtest(store, &yaml, from_ts_ms, to_ts_ms)
        }),
        Request::CheckSpace {
            space_yaml,
            base_yaml,
        } => super::studies::check_space(&space_yaml, &base_yaml),
        Request::PlanStudy {
            dataset,
            dataset_meta,
            config,
            base_source,
            base_yaml,
        } => with_store(worker, dataset, |store| {
            super::studies::plan(store, dataset_meta, config.0, base_source, &base_yaml)
        }),
        Request::RunTrial {
            dataset,
            objective,
            ticket,
            should_panic,
        } => with_store(worker, dataset, |store| {
            if should_panic {
                panic!("trial {} panicked on purpose (test hook)", ticket.0.number);
            }
            Event::Trial(Json(Box::new(objective.0.evaluate(store, &ticket.0))))
        }),
        Request::Validate {
            dataset,
            plan,
            record,
        } => with_store(worker, dataset, |store| {
            super::studies::validate(store, &plan.0, &record.0)
        }),
        Request::PlanWalkForward {
            dataset,
            dataset_name,
            name,
            spec,
            config,
            base_source,
            base_yaml,
        } => with_store(worker, dataset, |store| {
            super::studies::plan_walkforward(
                store,
                &name,
                spec,
                config.0,
                base_source,
                &base_yaml,
                &dataset_name,
            )
        }),
        Request::Overfitting { header, records } => {
            super::studies::overfitting(&header.0, &records.0)
        }
        Request::WalkForwardFold {
            dataset,
            header,
            fold,
        } => with_store(
            worker,
            dataset,
            |store| match genesis_study::walkforward::run_fold(&header.0, fold, store) {
                Ok(run) => Event::WalkForwardFold(Json(Box::new(run))),
                Err(err) => Event::Failed(err.into()),
            },
        ),
        Request::Replay {
            dataset,
            plan,
            header,
            records,
            number,
        } => with_store(worker, dataset, |store| {
            super::studies::replay(store, &plan.0, header.0, records.0, number)
        }),
        Request::ImportStudy { file_name, bytes } => {
            use crate::sharing::bundle::{import_any, Imported};
            match import_any(&file_name, &bytes) {
                Ok(Imported::Study(imported)) => Event::ImportedStudy(imported),
                Ok(Imported::WalkForward(imported)) => Event::ImportedWalkForward(imported),
                Err(err) => Event::Failed(err.into()),
            }
        }
        Request::Bench { workload, repeats } => super::bench::run(workload, repeats),
        Request::SynthCsv { n_bars } => match super::bench::csv_bytes(n_bars) {
            Ok(bytes) => Event::Bytes(bytes),
            Err(message) => Event::failed(message),
        },
        Request::Memory => Event::Memory(super::bench::wasm_memory_bytes()),
    }
}

/// Parses a file, dropping each large buffer as soon as it is no longer needed (the file's
/// bytes after parsing, the candles after encoding), so a million-bar file peaks at about the
/// file plus one copy of its columns.
fn parse_file(
    name: &str,
    bytes: Vec<u8>,
    is_lenient: bool,
    date_order: Option<DateOrder>,
    reporter: &Reporter,
) -> Event {
    let options = ParseOptions {
        date_order,
        ..if is_lenient {
            ParseOptions::lenient()
        } else {
            ParseOptions::default()
        }
    };
    let mut on_progress = |done: u64, total: u64| reporter.progress("parse", done, total);
    let parsed = parse_with_progress(&bytes, &options, &mut on_progress);
    drop(bytes);
    match parsed {
        Ok(parsed) => dataset_event(name, parsed.candles, Some(parsed.report)),
        Err(error) => Event::Failed(JobError::Data {
            file: name.to_string(),
            error,
        }),
    }
}

fn dataset_event(
    name: &str,
    candles: Candles,
    report: Option<genesis_engine::data::ParseReport>,
) -> Event {
    let meta = DatasetMeta::new(name, &candles);
    let columns = colfile::encode(candles.columns());
    drop(candles);
    Event::Dataset(Box::new(DatasetPayload {
        meta,
        report,
        columns,
    }))
}

fn load(worker: &mut EngineWorker, id: String, columns: &[u8]) -> Event {
    let candles = match colfile::decode(columns) {
        Ok(cols) => match Candles::from_columns(cols) {
            Ok(candles) => candles,
            Err(err) => return Event::failed(format!("stored dataset {id} is corrupt: {err}")),
        },
        Err(err) => return Event::failed(format!("stored dataset {id} is corrupt: {err}")),
    };
    let hash = candles.content_hash();
    if hash.0 != id {
        return Event::failed(format!(
            "stored dataset {id} is corrupt: its content hashes to {}",
            hash.short()
        ));
    }
    let n_bars = candles.len();
    worker.datasets.insert(id.clone(), candles);
    Event::Loaded { id, n_bars }
}

/// A full backtest through the engine's one entry point, exactly as the CLI runs it.
fn backtest(
    store: &mut FeatureStore,
    yaml: &str,
    from_ts_ms: Option<i64>,
    to_ts_ms: Option<i64>,
) -> Event {
    let config = match StrategyConfig::from_yaml_str(yaml, "config") {
        Ok(config) => config,
        Err(err) => return Event::Failed(err.into()),
    };
    let window = match Window::from_time_range(store.candles(), from_ts_ms, to_ts_ms) {
        Ok(window) => window,
        Err(err) => return Event::Failed(err.into()),
    };
    let outcome = match run_backtest(store, &config, window, Recording::Full) {
        Ok(outcome) => outcome,
        Err(err) => return Event::Failed(err.into()),
    };
    match rule_plots(store, &config) {
        Ok(plots) => Event::Backtest(Box::new(BacktestView { outcome, plots })),
        Err(err) => Event::Failed(err),
    }
}

/// What the page learns of a config the engine accepted.
pub fn config_check(config: &StrategyConfig) -> ConfigCheck {
    ConfigCheck {
        strategy: config.kind().as_str().to_string(),
        canonical_json: config.canonical_json(),
        fingerprint: config.fingerprint().to_string(),
        default_space: match config.params() {
            StrategyParams::Rules(params) => Some(rules::default_space(&params.spec)),
            _ => None,
        },
    }
}

/// The series a rules config plots, over every bar of the store's dataset; none for the
/// other strategies. The indicators come from the store's cache the run has just filled.
pub fn rule_plots(
    store: &mut FeatureStore,
    config: &StrategyConfig,
) -> Result<Vec<Plot>, JobError> {
    match config.params() {
        StrategyParams::Rules(params) => Ok(rules::plots(store, params)?),
        _ => Ok(Vec::new()),
    }
}

fn overlays(store: &mut FeatureStore, params: FeatureParams) -> Event {
    let frame = match FeatureFrame::compute(store, &params) {
        Ok(frame) => frame,
        Err(err) => return Event::Failed(err.into()),
    };
    let n = frame.n_bars();
    let last = n.saturating_sub(1);
    let fib_levels: Vec<f64> = frame
        .fib
        .levels
        .iter()
        .filter_map(|level| level.get(last))
        .collect();
    let leg_start = [
        frame.swings.high_bar.get(last),
        frame.swings.low_bar.get(last),
    ]
    .into_iter()
    .flatten()
    .fold(f64::INFINITY, f64::min);
    let fib_from_bar = if leg_start.is_finite() {
        leg_start as usize
    } else {
        last
    };
    Event::Overlays(Box::new(OverlaySet {
        ema_fast: frame.ema_fast.values().to_vec(),
        ema_slow: frame.ema_slow.values().to_vec(),
        bb_upper: frame.bollinger.upper.values().to_vec(),
        bb_mid: frame.bollinger.mid.values().to_vec(),
        bb_lower: frame.bollinger.lower.values().to_vec(),
        pivots: frame.pivots().to_vec(),
        fib_levels,
        fib_from_bar,
        params,
    }))
}
