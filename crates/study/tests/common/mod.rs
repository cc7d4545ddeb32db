//! Shared helpers: the demo data, plans over the genesis and sma_cross presets, a counting
//! evaluator and a fake clock.
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use genesis_engine::data::synth::{generate, SynthParams};
use genesis_engine::data::{Candles, DatasetMeta};
use genesis_engine::features::FeatureStore;
use genesis_engine::strategy::StrategyConfig;
use genesis_optimizer::{
    JournalBackend, MemoryJournal, SearchSpace, StopPolicy, Study, TrialOutcome, TrialTicket,
};
use genesis_study::runner::run_parallel;
use genesis_study::{BaseSource, Evaluate, Objective, StudyConfig, StudyPlan};

/// The demo dataset (17,278 hourly bars, seed 42), generated once per test binary.
pub fn demo() -> Arc<Candles> {
    static DEMO: OnceLock<Arc<Candles>> = OnceLock::new();
    Arc::clone(DEMO.get_or_init(|| Arc::new(generate(&SynthParams::demo()).unwrap())))
}

/// A shorter demo for the tests that run many studies.
pub fn short_demo(n_bars: usize) -> Arc<Candles> {
    Arc::new(
        generate(&SynthParams {
            n_bars,
            ..SynthParams::demo()
        })
        .unwrap(),
    )
}

/// The genesis search space shipped in `config/optimizer/`.
pub const GENESIS_SPACE: &str = include_str!("../../../../config/optimizer/genesis_tpe.yaml");
pub const SMA_SPACE: &str = include_str!("../../../../config/optimizer/sma_cross.yaml");

pub fn space(yaml: &str) -> SearchSpace {
    SearchSpace::from_yaml_str(yaml).unwrap_or_else(|e| panic!("{e}"))
}

pub fn preset(name: &str) -> StrategyConfig {
    StrategyConfig::preset(name).unwrap()
}

/// A plan over `candles` with the preset as base, the space, seed and split.
pub fn plan(
    candles: &Candles,
    preset_name: &str,
    space_yaml: &str,
    seed: u64,
    split: Option<f64>,
) -> StudyPlan {
    let mut config = StudyConfig::new("test", space(space_yaml), seed);
    config.in_sample_fraction = split;
    config.symbol = Some("DEMO".into());
    if split.is_some() {
        config.validation.top_k = 3;
    }
    StudyPlan::new(
        config,
        BaseSource::Preset {
            name: preset_name.into(),
        },
        preset(preset_name),
        DatasetMeta::new("demo.csv", candles),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

pub fn budget(n: u64) -> StopPolicy {
    StopPolicy {
        max_trials: Some(n),
        ..StopPolicy::default()
    }
}

/// An objective that counts its calls.
pub struct Counting {
    pub inner: Objective,
    pub calls: AtomicUsize,
}

impl Counting {
    pub fn new(inner: Objective) -> Counting {
        Counting {
            inner,
            calls: AtomicUsize::new(0),
        }
    }

    pub fn n_calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl Evaluate for Counting {
    fn evaluate(&self, store: &mut FeatureStore, ticket: &TrialTicket) -> TrialOutcome {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.evaluate(store, ticket)
    }
}

/// A clock that advances 1 ms per reading.
pub struct FakeClock(AtomicI64);

impl FakeClock {
    pub fn new() -> FakeClock {
        FakeClock(AtomicI64::new(1_700_000_000_000))
    }

    pub fn now(&self) -> i64 {
        self.0.fetch_add(1, Ordering::SeqCst)
    }
}

/// Runs `study` with `n_jobs` threads to its stop policy.
pub fn run_threads<B: JournalBackend, E: Evaluate>(
    study: &mut Study<B>,
    evaluator: &E,
    candles: &Arc<Candles>,
    n_jobs: usize,
) {
    let clock = FakeClock::new();
    let cancel = AtomicBool::new(false);
    run_parallel(
        study,
        evaluator,
        candles,
        n_jobs,
        &|| clock.now(),
        &cancel,
        |_| {},
    )
    .unwrap_or_else(|e| panic!("{e}"));
}

/// A new in-memory study of `plan` with `budget` trials, run with `n_jobs` threads.
pub fn run_study(
    plan: &StudyPlan,
    candles: &Arc<Candles>,
    n_trials: u64,
    n_jobs: usize,
) -> Study<MemoryJournal> {
    let mut study = Study::create(plan.study_spec(), MemoryJournal::new()).unwrap();
    study.set_stop_policy(budget(n_trials));
    run_threads(&mut study, &plan.objective(), candles, n_jobs);
    study
}

pub fn canonical<B: JournalBackend>(study: &Study<B>) -> String {
    study.log().unwrap().canonical_jsonl()
}

/// Compares `journal` with the golden file at `relative` (from this crate), or writes it under
/// `UPDATE_GOLDEN`; `what` names the study in the failure.
pub fn check_golden_journal(relative: &str, journal: &str, what: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, journal).unwrap();
    }
    let golden = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
    assert!(
        golden == journal,
        "{what} differs from {} (UPDATE_GOLDEN=1 rewrites it after an intended change)",
        path.display()
    );
}
