//! The messages between the page and its engine workers.
//!
//! Every request carries a job id chosen by the pool; a worker answers with zero or more
//! progress events and then exactly one final event for that job. The protocol is versioned:
//! a page and a worker built from different versions (say, a stale cached worker script) refuse
//! each other in the hello instead of misreading each other's messages.

use genesis_engine::data::{DatasetMeta, DateOrder, ParseReport};
use genesis_engine::run::RunOutcome;
use genesis_engine::strategy::rules::Plot;
use genesis_optimizer::journal::Header;
use genesis_optimizer::{TrialOutcome, TrialRecord, TrialTicket};
use genesis_study::folds::FoldSpec;
use genesis_study::objective::Objective;
use genesis_study::replay::ReplayReport;
use genesis_study::selection::Selection;
use genesis_study::validation::ValidationResult;
use genesis_study::walkforward::{FoldRun, WalkForwardHeader};
use genesis_study::{BaseSource, StudyConfig, StudyPlan};

use crate::workers::job_error::JobError;
use crate::workers::json_text::Json;
use genesis_engine::features::{FeatureParams, Pivot};
use serde::{Deserialize, Serialize};

/// Bumped whenever a message's shape changes.
pub const PROTOCOL_VERSION: u32 = 8;

/// A dataset's id: the hex content hash of its candles.
pub type DatasetId = String;

/// A job sent to a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ToWorker {
    pub job_id: u64,
    pub request: Request,
}

/// An event a worker sends back about a job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FromWorker {
    pub job_id: u64,
    pub event: Event,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// The first message to every worker: the page's protocol version.
    Hello { protocol: u32 },
    /// Test hook: the worker panics while handling it, as a bug in a trial would. The pool must
    /// notice, fail the job with the panic's message, and replace the worker.
    Crash,
    /// Parse and validate a candle file; answers [`Event::Dataset`].
    ParseFile {
        name: String,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        is_lenient: bool,
        /// The day/month order of year-last dates; `None` lets the data decide.
        #[serde(default)]
        date_order: Option<DateOrder>,
    },
    /// Generate the built-in demo dataset; answers [`Event::Dataset`].
    Demo,
    /// Generate `n_bars` of synthetic data with the demo's parameters (benchmarks, tests);
    /// answers [`Event::Dataset`].
    Synth { n_bars: usize },
    /// Make a stored dataset available to this worker (the pool sends it once per worker,
    /// before the first job that needs it); answers [`Event::Loaded`].
    LoadDataset {
        id: DatasetId,
        /// The columns in [`crate::storage::colfile`] format.
        #[serde(with = "serde_bytes")]
        columns: Vec<u8>,
    },
    /// Resample a loaded dataset to a higher timeframe; answers [`Event::Dataset`].
    Resample {
        dataset: DatasetId,
        target_ms: i64,
        name: String,
    },
    /// The chart overlays of a loaded dataset; answers [`Event::Overlays`].
    Overlays {
        dataset: DatasetId,
        params: FeatureParams,
    },
    /// Validates a strategy config (YAML text); answers [`Event::Config`].
    CheckConfig { yaml: String },
    /// Runs a backtest of a config over a loaded dataset, optionally within a time window
    /// (UTC ms, `to` exclusive); answers [`Event::Backtest`].
    Backtest {
        dataset: DatasetId,
        yaml: String,
        from_ts_ms: Option<i64>,
        to_ts_ms: Option<i64>,
    },
    /// Checks a search space (YAML) against a base config (YAML): every leaf must be a key
    /// the config knows, with values it accepts; answers [`Event::Space`].
    CheckSpace {
        space_yaml: String,
        base_yaml: String,
    },
    /// Resolves a study against its base config and a loaded dataset, and runs one trial end
    /// to end (preflight) before any work starts; answers [`Event::StudyPlan`].
    PlanStudy {
        dataset: DatasetId,
        /// The page's listing of the dataset (its symbol may have been edited).
        dataset_meta: DatasetMeta,
        config: Json<StudyConfig>,
        base_source: BaseSource,
        base_yaml: String,
    },
    /// Runs one trial of a study; answers [`Event::Trial`].
    RunTrial {
        dataset: DatasetId,
        objective: Json<Objective>,
        ticket: Json<TrialTicket>,
        /// Test hook: the worker panics inside this trial, as a bug would.
        #[serde(default)]
        should_panic: bool,
    },
    /// Re-runs a trial on the out-of-sample window and judges it; answers
    /// [`Event::Validation`].
    Validate {
        dataset: DatasetId,
        plan: Json<StudyPlan>,
        record: Json<TrialRecord>,
    },
    /// Cuts a loaded dataset into walk-forward folds and builds the run's header (every
    /// fold's plan checked); answers [`Event::WalkForwardPlan`].
    PlanWalkForward {
        dataset: DatasetId,
        dataset_name: String,
        name: String,
        spec: FoldSpec,
        config: Json<StudyConfig>,
        base_source: BaseSource,
        base_yaml: String,
    },
    /// The deflated Sharpe ratio and PBO of a study from its records; answers
    /// [`Event::Overfitting`].
    Overfitting {
        header: Json<Header>,
        records: Json<Vec<TrialRecord>>,
    },
    /// Runs fold `fold` of a walk-forward run on its own (its study one trial at a time,
    /// its validation, choice and test run); answers [`Event::WalkForwardFold`].
    WalkForwardFold {
        dataset: DatasetId,
        header: Json<WalkForwardHeader>,
        fold: usize,
    },
    /// Replays a stored trial: the full backtest of its effective config on the in-sample
    /// window, and every stored number compared bit for bit; answers [`Event::Replay`].
    Replay {
        dataset: DatasetId,
        plan: Json<StudyPlan>,
        header: Json<Header>,
        /// The trial and, for a duplicate, its original.
        records: Json<Vec<TrialRecord>>,
        number: u64,
    },
    /// Reads and checks an imported study file (bundle or Optuna journal); answers
    /// [`Event::ImportedStudy`].
    ImportStudy {
        file_name: String,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// Times one benchmark workload `repeats` times; answers [`Event::Bench`].
    Bench {
        workload: BenchWorkload,
        repeats: u32,
    },
    /// CSV bytes of `n_bars` synthetic bars (benchmarks); answers [`Event::Bytes`].
    SynthCsv { n_bars: usize },
    /// The worker's WebAssembly memory size; answers [`Event::Memory`].
    Memory,
}

/// The workloads `cargo xtask bench` times inside a worker (SPEC §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BenchWorkload {
    /// Parse the demo dataset's 17,278 bars from CSV bytes.
    ParseDemoCsv,
    /// Precompute every default feature on the demo dataset.
    PrecomputeFeatures,
    /// One `genesis` preset backtest on the demo dataset, features ready.
    BacktestGenesis,
    /// One `sma_cross` preset backtest on the demo dataset, features ready.
    BacktestSmaCross,
    /// One `rules_sma_cross` preset backtest (the same trades from rules), indicators cached.
    BacktestRulesSmaCross,
    /// The same with nothing cached: the rules' indicators computed every run.
    BacktestRulesSmaCrossCold,
    /// Reading, checking and compiling the `rules_sma_cross` preset.
    CompileRules,
}

impl BenchWorkload {
    pub const ALL: [BenchWorkload; 7] = [
        BenchWorkload::ParseDemoCsv,
        BenchWorkload::PrecomputeFeatures,
        BenchWorkload::BacktestGenesis,
        BenchWorkload::BacktestSmaCross,
        BenchWorkload::BacktestRulesSmaCross,
        BenchWorkload::BacktestRulesSmaCrossCold,
        BenchWorkload::CompileRules,
    ];

    /// The name `genesis bench` uses for the same workload natively.
    pub fn name(self) -> &'static str {
        match self {
            BenchWorkload::ParseDemoCsv => "parse_csv_17278",
            BenchWorkload::PrecomputeFeatures => "features_all_17278",
            BenchWorkload::BacktestGenesis => "backtest_genesis_17278",
            BenchWorkload::BacktestSmaCross => "backtest_sma_cross_17278",
            BenchWorkload::BacktestRulesSmaCross => "backtest_rules_sma_cross_17278",
            BenchWorkload::BacktestRulesSmaCrossCold => "backtest_rules_sma_cross_17278_cold",
            BenchWorkload::CompileRules => "rules_compile_sma_cross",
        }
    }

    /// The SPEC §9 target in the browser.
    pub fn target(self) -> &'static str {
        match self {
            BenchWorkload::ParseDemoCsv => "",
            BenchWorkload::PrecomputeFeatures => "< 5 ms",
            BenchWorkload::BacktestGenesis => "< 1.5 ms",
            BenchWorkload::BacktestSmaCross => ">= 1000x backtesting.py",
            BenchWorkload::BacktestRulesSmaCross => "within 2x of backtest_sma_cross_17278",
            BenchWorkload::BacktestRulesSmaCrossCold => "",
            BenchWorkload::CompileRules => "< 1 ms",
        }
    }
}

/// Timings of one workload, measured with the worker's `performance.now()`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BenchResult {
    pub samples_ms: Vec<f64>,
    /// The worker's WebAssembly memory after the runs: its high-water mark, since wasm memory
    /// never shrinks.
    pub wasm_memory_bytes: u64,
}

impl Request {
    /// The dataset a job needs loaded in the worker, if any.
    pub fn dataset(&self) -> Option<&DatasetId> {
        match self {
            Request::Resample { dataset, .. }
            | Request::Overlays { dataset, .. }
            | Request::Backtest { dataset, .. }
            | Request::PlanStudy { dataset, .. }
            | Request::RunTrial { dataset, .. }
            | Request::Validate { dataset, .. }
            | Request::WalkForwardFold { dataset, .. }
            | Request::PlanWalkForward { dataset, .. }
            | Request::Replay { dataset, .. } => Some(dataset),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// Interim progress of a long job.
    Progress(Progress),
    /// The answer to [`Request::Hello`].
    Hello(WorkerHello),
    /// The job failed; the worker is still healthy. The error keeps its type (a rejected
    /// file's problems, the config key) for the page to show.
    Failed(JobError),
    /// The worker panicked while running the job; it closes itself after sending this.
    Crashed(String),
    /// A new dataset (parsed, generated or resampled), ready to store.
    Dataset(Box<DatasetPayload>),
    /// A dataset is loaded in the worker.
    Loaded { id: DatasetId, n_bars: usize },
    /// The job needs a dataset the worker does not hold (never loaded, or evicted): the pool
    /// loads it and sends the job again.
    NeedDataset(DatasetId),
    /// Chart overlays.
    Overlays(Box<OverlaySet>),
    /// A valid config: its canonical form (every key, defaults filled in) and fingerprint.
    Config(ConfigCheck),
    /// A finished backtest with trades, equity curve, metrics, score and constraints, and the
    /// series a rules config plots.
    Backtest(Box<BacktestView>),
    /// A search space the base config accepts: its parameters (dotted paths).
    Space { parameters: Vec<String> },
    /// A study ready to run (preflight passed).
    StudyPlan(Json<Box<StudyPlan>>),
    /// One trial's outcome.
    Trial(Json<Box<TrialOutcome>>),
    /// A trial's out-of-sample verdict.
    Validation(Json<Box<ValidationResult>>),
    /// A walk-forward fold run on its own.
    WalkForwardFold(Json<Box<FoldRun>>),
    /// A walk-forward run's header.
    WalkForwardPlan(Json<Box<WalkForwardHeader>>),
    /// A study's overfitting figures.
    Overfitting(Json<Box<Selection>>),
    /// A replayed trial: the backtest and the comparison with what was stored, and the series
    /// a rules config plots. The plots cross as plain numbers, not in the JSON text: their
    /// warm-up is NaN, which JSON cannot carry.
    Replay {
        view: Json<Box<ReplayView>>,
        plots: Vec<Plot>,
    },
    /// A checked import, ready to store.
    ImportedStudy(Box<crate::sharing::bundle::ImportedStudy>),
    /// An imported walk-forward bundle, checked.
    ImportedWalkForward(Box<crate::sharing::bundle::ImportedWalkForward>),
    /// Benchmark timings.
    Bench(BenchResult),
    /// Raw bytes (a synthetic CSV file).
    Bytes(#[serde(with = "serde_bytes")] Vec<u8>),
    /// The worker's WebAssembly memory in bytes: its high-water mark, since it never shrinks.
    Memory(u64),
}

/// A finished backtest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestView {
    pub outcome: RunOutcome,
    /// A rules config's `plots`, each over every bar of the dataset (empty for the other
    /// strategies and for a rules config without plots).
    pub plots: Vec<Plot>,
}

/// A replayed trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplayView {
    pub outcome: RunOutcome,
    pub report: ReplayReport,
}

/// A config the engine accepted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConfigCheck {
    pub strategy: String,
    /// The canonical JSON of the config, as text (every key, defaults filled in).
    pub canonical_json: String,
    pub fingerprint: String,
    /// A search space over the config's own numbers, for the Optimize page to start from:
    /// a rules config's params from half to twice their values (`rules::default_space`);
    /// `None` for the other strategies, whose spaces are presets.
    pub default_space: Option<String>,
}

/// A dataset as the worker hands it to the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetPayload {
    pub meta: DatasetMeta,
    /// The parse report, for files (absent for the demo and resampled data).
    pub report: Option<ParseReport>,
    /// The columns in [`crate::storage::colfile`] format.
    #[serde(with = "serde_bytes")]
    pub columns: Vec<u8>,
}

/// The feature overlays the price chart can show, computed in a worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverlaySet {
    pub ema_fast: Vec<f64>,
    pub ema_slow: Vec<f64>,
    pub bb_upper: Vec<f64>,
    pub bb_mid: Vec<f64>,
    pub bb_lower: Vec<f64>,
    pub pivots: Vec<Pivot>,
    /// The Fibonacci levels of the last confirmed leg as of the last bar, from the bar where
    /// that leg starts.
    pub fib_levels: Vec<f64>,
    pub fib_from_bar: usize,
    pub params: FeatureParams,
}

impl Event {
    /// A failure said in words (no engine error behind it).
    pub fn failed(message: String) -> Event {
        Event::Failed(JobError::Other(message))
    }

    /// Whether this event ends its job.
    pub fn is_final(&self) -> bool {
        !matches!(self, Event::Progress(_))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerHello {
    pub protocol: u32,
    pub engine_version: String,
}

/// How far a long job has come, in the job's own units (bytes parsed, trials done...).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub stage: String,
}

/// What a worker answers to a hello: its own version, or why it refuses the page's.
pub fn answer_hello(page_protocol: u32) -> Event {
    if page_protocol == PROTOCOL_VERSION {
        Event::Hello(WorkerHello {
            protocol: PROTOCOL_VERSION,
            engine_version: genesis_engine::ENGINE_VERSION.to_string(),
        })
    } else {
        Event::Failed(JobError::Other(format!(
            "protocol mismatch: the page speaks version {page_protocol}, this worker version \
             {PROTOCOL_VERSION}; reload the page to load matching files"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_reports_the_engine_version_and_refuses_other_protocols() {
        match answer_hello(PROTOCOL_VERSION) {
            Event::Hello(hello) => {
                assert_eq!(hello.protocol, PROTOCOL_VERSION);
                assert_eq!(hello.engine_version, genesis_engine::ENGINE_VERSION);
            }
            other => panic!("expected a hello, got {other:?}"),
        }
        match answer_hello(PROTOCOL_VERSION + 1) {
            Event::Failed(error) => {
                assert!(error.to_string().contains("protocol mismatch"), "{error}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn only_progress_leaves_a_job_open() {
        let progress = Event::Progress(Progress {
            done: 1,
            total: 2,
            stage: "parse".into(),
        });
        assert!(!progress.is_final());
        assert!(Event::Failed(JobError::Other("x".into())).is_final());
        assert!(Event::Crashed("x".into()).is_final());
    }
}
