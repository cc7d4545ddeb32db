//! Where the engine and the optimizer meet.
//!
//! A study starts as the user's [`StudyChoices`] (sampler, pruner, split, validation,
//! checkpoints, stop policy), which the CLI's options and the browser's form both fill and
//! which map to a [`StudyConfig`] (space, settings, stop policy, windows, rule). Resolved
//! against an explicitly chosen base config ([`BaseSource`]: a preset, a file or the
//! current champion) and a dataset, it becomes a [`StudyPlan`]: the space is checked
//! against the config's keys and value ranges, and the plan's metadata (base config in
//! full, dataset, windows, checkpoints, rule, engine version) goes into the journal header,
//! so everything later (replay, validation, promotion, refine) works from the journal and
//! the data alone.
//!
//! - [`preflight`](crate::preflight::preflight) runs one trial end to end before any
//!   worker starts.
//! - The [`Objective`] turns a ticket into an outcome with a worker's own
//!   [`FeatureStore`](genesis_engine::features::FeatureStore): effective config
//!   ([`StrategyConfig::with_params`](genesis_engine::strategy::StrategyConfig::with_params)),
//!   a checkpointed backtest through the engine's one entry point, pruning, metrics. The
//!   same call runs in a native thread and in a browser web worker.
//! - [`runner::run_parallel`] (native) drives a study with worker threads.
//! - [`validation`] re-runs the best in-sample trials out of sample and records the verdict
//!   on each trial; [`champion`] promotes only a trial that passed, with provenance and
//!   rollback; [`replay`] re-runs any stored trial and compares every number bit for bit;
//!   [`refine`] narrows the space around the best trials into a child study.
//!
//! The crate never reads the clock (times come in as arguments) and uses no randomness of
//! its own; the sampler's comes from the study's seed. It builds for
//! `wasm32-unknown-unknown`, where the thread runner and the champion file store are left
//! out.
//!
//! ```
//! use std::sync::Arc;
//! use genesis_engine::data::synth::{generate, SynthParams};
//! use genesis_engine::data::DatasetMeta;
//! use genesis_engine::features::FeatureStore;
//! use genesis_engine::strategy::StrategyConfig;
//! use genesis_optimizer::{driver, MemoryJournal, SearchSpace, StopPolicy, Study};
//! use genesis_study::{preflight::preflight, BaseSource, StudyConfig, StudyPlan};
//!
//! let candles = Arc::new(generate(&SynthParams { n_bars: 2_000, ..SynthParams::demo() })?);
//! let space = SearchSpace::from_yaml_str(
//!     "fast_period: {type: int, low: 5, high: 15}\nslow_period: {type: int, low: 20, high: 60, step: 5}\n",
//! )?;
//! let mut config = StudyConfig::new("sma", space, 7);
//! config.in_sample_fraction = Some(0.7);
//! let plan = StudyPlan::new(
//!     config,
//!     BaseSource::Preset { name: "sma_cross".into() },
//!     StrategyConfig::preset("sma_cross")?,
//!     DatasetMeta::new("demo.csv", &candles),
//! )?;
//! let mut store = FeatureStore::new(Arc::clone(&candles));
//! preflight(&plan, &mut store)?;
//!
//! let mut study = Study::create(plan.study_spec(), MemoryJournal::new())?;
//! study.set_stop_policy(StopPolicy { max_trials: Some(10), ..StopPolicy::default() });
//! let objective = plan.objective();
//! driver::run_serial(&mut study, |ticket| objective.evaluate(&mut store, ticket), || 0)?;
//! assert_eq!(study.trials().filter(|t| t.duplicate_of.is_none()).count(), 10);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

/// Champions per (symbol, timeframe): promotion of validated trials, history, rollback.
pub mod champion;
/// The user's choices of sampler, pruner, split, validation, checkpoints and stop policy,
/// and their one mapping to a [`StudyConfig`] (the CLI's options and the browser's form).
pub mod choices;
/// The crate's error type.
pub mod error;
/// Walk-forward folds: train and test windows, and the stitched out-of-sample equity.
pub mod folds;
/// The objective: ticket in, backtest, outcome out.
pub mod objective;
/// Skill or selection: PSR, DSR, minimum track record length and PBO.
pub mod overfit;
/// The end-to-end check before any worker starts.
pub mod preflight;
/// Narrowing a finished study's space around its best trials.
pub mod refine;
/// Re-running stored trials and comparing every number bit for bit.
pub mod replay;
/// The native parallel runner (threads; not in wasm).
#[cfg(not(target_arch = "wasm32"))]
pub mod runner;
/// The overfitting statistics of a whole study, from what its trials kept.
pub mod selection;
/// Checking a search space against the base config.
pub mod space_check;
/// Study configuration, plan and journal metadata.
pub mod spec;
/// Out-of-sample validation of the best trials.
pub mod validation;
/// Walk-forward optimisation: a study per fold, its choice tested on the next window.
pub mod walkforward;

pub use champion::{Champion, ChampionBook};
pub use choices::{ObjectiveList, PrunerChoice, SamplerChoice, StudyChoices};
pub use error::{Result, StudyError};
pub use objective::{Evaluate, Objective, ObjectiveSpec, OBJECTIVE_METRICS};
pub use spec::{BaseSource, StudyConfig, StudyMetadata, StudyPlan, ValidationRule, Windows};
