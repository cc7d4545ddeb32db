//! The Genesis Lab optimizer: search spaces, samplers, pruners and the study journal.
//!
//! It knows nothing of trading. Parameters are dotted paths with values; the objective
//! belongs to the caller, who asks the [`Study`] for trials, runs them wherever it likes
//! (threads, web workers) and tells the outcomes back. Everything is deterministic: the same
//! seed gives the same study whatever the number of workers and however they are
//! scheduled, and a study resumed from its journal continues exactly as an uninterrupted
//! one (see [`study`] for how). The crate never reads the clock and never uses global
//! randomness; transcendental math goes through `libm`.
//!
//! ```
//! use genesis_optimizer::{
//!     AskOutcome, MemoryJournal, SearchSpace, SignatureInputs, StopPolicy, Study, StudySettings,
//!     StudySpec, TrialOutcome,
//! };
//!
//! let space = SearchSpace::from_yaml_str(
//!     "fast_period: {type: int, low: 5, high: 50}\nslow_period: {type: int, low: 20, high: 200, step: 5}\n",
//! )?;
//! let spec = StudySpec {
//!     name: "sma".into(),
//!     space,
//!     settings: StudySettings::new(42),
//!     signature_inputs: SignatureInputs::default(),
//!     metadata: serde_json::Value::Null,
//! };
//! let mut study = Study::create(spec, MemoryJournal::new())?;
//! study.set_stop_policy(StopPolicy { max_trials: Some(30), ..StopPolicy::default() });
//! while let AskOutcome::Trial(ticket) = study.ask(0)? {
//!     let fast = ticket.params["fast_period"].as_f64().unwrap_or(0.0);
//!     let slow = ticket.params["slow_period"].as_f64().unwrap_or(0.0);
//!     let value = -(fast - 12.0).powi(2) - (slow - 60.0).powi(2) / 10.0;
//!     study.tell(ticket.number, TrialOutcome::Complete {
//!         value,
//!         values: vec![],
//!         intermediate: vec![],
//!         constraint_violations: vec![],
//!         user_attrs: Default::default(),
//!     }, None)?;
//! }
//! assert_eq!(study.trials().filter(|t| t.duplicate_of.is_none()).count(), 30);
//! # Ok::<(), genesis_optimizer::OptimizerError>(())
//! ```

#![forbid(unsafe_code)]

/// The sampler-overhead workload for `genesis bench`.
pub mod bench;
/// A transport-agnostic loop for driving a study with a pool of workers.
pub mod driver;
/// The optimizer's error type.
pub mod error;
/// Export to Optuna's journal format and CSV; import of our own exports.
pub mod export;
/// The append-only study journal and its backends.
pub mod journal;
mod math;
/// Parameter values and their canonical form.
pub mod param;
/// Pareto fronts: non-domination ranks, hypervolume, hypervolume subset selection.
pub mod pareto;
/// Pruners and the per-checkpoint thresholds shipped with each trial.
pub mod pruner;
/// Per-trial random streams.
pub mod rng;
/// Samplers: grid, random, TPE.
pub mod sampler;
/// Study settings, stop policy and stop reasons.
pub mod settings;
/// The resume signature.
pub mod signature;
/// Search spaces: YAML parsing, distributions, sampler coordinates.
pub mod space;
/// The study: ask, tell, duplicates, stop policy, resume.
pub mod study;
/// Summaries: counts, durations, best and top trials, parameter importance.
pub mod summary;
/// Tickets, outcomes and records of trials.
pub mod trial;

pub use error::{OptimizerError, Result};
#[cfg(not(target_arch = "wasm32"))]
pub use journal::FileJournal;
pub use journal::{JournalBackend, JournalOp, MemoryJournal, StudyLog};
pub use param::{canonical_params, ParamValue, Params};
pub use pruner::{PruneThresholds, PrunerSettings};
pub use sampler::{Nsga2Settings, SamplerSettings, TpeSettings};
pub use settings::{Direction, StopPolicy, StopReason, StudySettings};
pub use signature::{Signature, SignatureInputs};
pub use space::SearchSpace;
pub use study::{AskOutcome, ResumeOptions, Study, StudySpec};
pub use trial::{Timing, TrialOutcome, TrialRecord, TrialState, TrialTicket};
