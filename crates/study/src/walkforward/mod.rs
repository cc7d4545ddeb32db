//! Walk-forward optimisation: a study per fold on its train window, its chosen trial run on
//! the fold's test window, and the test segments stitched into one out-of-sample record.
//!
//! - A run is a [`WalkForwardHeader`] (the folds, the study set-up every fold uses, the base
//!   config and the dataset) and a journal of [`WalkForwardOp`]s: each fold's study ops,
//!   tagged with the fold, then the fold's [`FoldOutcome`]. Folds run in order; a run
//!   stopped anywhere resumes from its journal exactly (a fold's study resumes as any study
//!   does), and the same seed gives the same journal with any number of workers.
//! - Fold `f`'s study is the set-up's study on the fold's train window, seeded from the
//!   run's seed and `f` ([`fold_seed`]). With an in-sample fraction, the train window is
//!   split: trials explore its first part and validation uses the rest, so validation never
//!   sees a test bar. The chosen trial is the best feasible one, or with validation on, the
//!   best whose validation passed; a fold without one sits out its test window (flat).
//! - Everything a fold chooses depends only on bars before its test window (the features
//!   are computed over the whole dataset, but every indicator reads only the past); the
//!   test window is read only by the chosen trial's test run.
//!
//! [`report`] turns the header and the outcomes into the report: the fold table, the
//! stitched out-of-sample equity and its metrics, walk-forward efficiency, parameter
//! stability and buy and hold over the same windows, from the journal alone.

use std::collections::BTreeMap;

use genesis_engine::backtest::{Recording, Window};
use genesis_engine::data::{Candles, DatasetMeta};
use genesis_engine::features::FeatureStore;
use genesis_engine::run::run_backtest;
use genesis_engine::strategy::StrategyConfig;
use genesis_engine::ENGINE_VERSION;
use genesis_optimizer::journal::JournalOp;
use genesis_optimizer::rng::TrialRng;
use genesis_optimizer::summary::top_trials;
use genesis_optimizer::{Params, ResumeOptions, Study, StudyLog};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StudyError};
use crate::folds::{Fold, FoldSpec};
use crate::objective::{metrics_attrs, FINGERPRINT_ATTR};
use crate::selection::{figures_of, TrialFigures};
use crate::space_check::check_space;
use crate::spec::{BaseSource, StudyConfig, StudyPlan, Windows};
use crate::validation::{recorded_validation, validate_top};

/// The report: fold table, stitched equity, efficiency, stability.
pub mod report;
/// The native runner and the walk-forward journal file (threads and files: not in wasm).
#[cfg(not(target_arch = "wasm32"))]
pub mod run;

/// The version of [`WalkForwardHeader`] this build writes and reads.
pub const WALKFORWARD_FORMAT: u32 = 1;

/// Fold `fold`'s study seed: a pure function of the run's seed and the fold.
pub fn fold_seed(seed: u64, fold: usize) -> u64 {
    TrialRng::new(seed, 0x5746_0000_0000_0000 | fold as u64).next_u64()
}

/// What a walk-forward run is: enough to rebuild every fold's study plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WalkForwardHeader {
    pub genesis_walkforward: u32,
    pub name: String,
    pub spec: FoldSpec,
    /// The folds, as `spec` cut the dataset.
    pub folds: Vec<Fold>,
    /// The study set-up every fold uses: space, sampler (with the run's seed), budget per
    /// fold, split of each train window for validation, checkpoints, validation, PBO blocks.
    pub study: StudyConfig,
    pub base_source: BaseSource,
    pub base_config: StrategyConfig,
    pub dataset: DatasetMeta,
    /// Where the data was read from, as given (a hint for commands that re-run folds).
    #[serde(default)]
    pub data_path: Option<String>,
    pub engine_version: String,
}

impl WalkForwardHeader {
    /// A run of `study` over the folds `spec` cuts from `candles`; every fold's plan is built
    /// once here, so a set-up a fold cannot take is refused before anything runs.
    pub fn new(
        name: &str,
        spec: FoldSpec,
        study: StudyConfig,
        base_source: BaseSource,
        base_config: StrategyConfig,
        dataset_name: &str,
        candles: &Candles,
    ) -> Result<WalkForwardHeader> {
        study.check()?;
        if !study.objectives.is_empty() {
            return Err(StudyError::setting(
                "objectives",
                "walk-forward runs one chosen trial per fold on its test window, and a Pareto \
                 front has no single best: run the walk-forward on the score (no objectives), \
                 or study the front with genesis optimize",
            ));
        }
        check_space(&study.space, &base_config)?;
        let folds = spec
            .folds(candles.ts_ms())
            .map_err(|e| StudyError::setting("folds", e.to_string()))?;
        let header = WalkForwardHeader {
            genesis_walkforward: WALKFORWARD_FORMAT,
            name: name.to_string(),
            spec,
            folds,
            study,
            base_source,
            base_config,
            dataset: DatasetMeta::new(dataset_name, candles),
            data_path: None,
            engine_version: ENGINE_VERSION.to_string(),
        };
        for f in 0..header.folds.len() {
            header.fold_plan(f)?;
        }
        Ok(header)
    }

    /// Records where the data was read from.
    pub fn with_data_path(mut self, path: &str) -> WalkForwardHeader {
        self.data_path = Some(path.to_string());
        self
    }

    /// Fold `f`'s study plan: the set-up on the fold's train window, seeded for the fold.
    pub fn fold_plan(&self, f: usize) -> Result<StudyPlan> {
        let fold = self.folds.get(f).ok_or_else(|| StudyError::Internal {
            message: format!("fold {f} of {}", self.folds.len()),
        })?;
        let mut config = self.study.clone();
        config.name = format!("{} fold {}", self.name, f + 1);
        config.settings.seed = fold_seed(self.study.settings.seed, f);
        // Validation inside the train window; the test window is the fold's own.
        let windows =
            Windows::within(fold.train.clone(), self.study.in_sample_fraction).map_err(|err| {
                match err {
                    StudyError::InvalidSetting { key, message } => StudyError::InvalidSetting {
                        key,
                        message: format!("fold {} (train bars {:?}): {message}", f + 1, fold.train),
                    },
                    other => other,
                }
            })?;
        let mut plan = StudyPlan::new(
            config,
            self.base_source.clone(),
            self.base_config.clone(),
            self.dataset.clone(),
        )?;
        plan.metadata.windows = windows;
        plan.metadata.data_path = self.data_path.clone();
        Ok(plan)
    }

    /// Refuses data that is not the run's.
    pub fn check_dataset(&self, candles: &Candles) -> Result<()> {
        let found = candles.content_hash();
        if found == self.dataset.hash {
            Ok(())
        } else {
            Err(StudyError::DatasetMismatch {
                expected: self.dataset.hash.short().to_string(),
                found: found.short().to_string(),
            })
        }
    }
}

/// One line of a walk-forward journal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "wf", rename_all = "snake_case")]
pub enum WalkForwardOp {
    Header(Box<WalkForwardHeader>),
    /// A line of fold `fold`'s study journal.
    Study {
        fold: usize,
        op: Box<JournalOp>,
    },
    /// Fold `index` is done.
    Fold(Box<FoldOutcome>),
}

/// The trial a fold chose and how it did on the test window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chosen {
    pub trial: u64,
    pub params: Params,
    pub fingerprint: String,
    pub in_sample_score: f64,
    /// The trial's in-sample metrics (its user attributes' numbers).
    pub in_sample_cagr: Option<f64>,
    pub in_sample_return: Option<f64>,
    /// The validation score inside the train window, when validated.
    pub validation_score: Option<f64>,
    pub test_score: f64,
    pub test_feasible: bool,
    /// Every metric of the test run (but the per-side summary).
    pub test_metrics: BTreeMap<String, Value>,
}

/// A finished fold.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FoldOutcome {
    pub index: usize,
    pub train: Window,
    pub test: Window,
    /// Open time of the test window's first bar and close time of its last (UTC ms).
    pub test_start_ms: i64,
    pub test_end_ms: i64,
    /// Distinct trials the fold's study evaluated.
    pub n_trials: usize,
    pub chosen: Option<Chosen>,
    /// Why nothing was chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The chosen trial's DSR among the fold's tries and the fold study's PBO.
    pub figures: Option<TrialFigures>,
    /// Equity at every close of the test window (flat at the initial cash without a choice).
    pub test_equity: Vec<f64>,
    pub initial_cash: f64,
    pub buy_and_hold_return: f64,
    pub n_trades: usize,
    pub periods_per_year: f64,
}

fn number(attrs: &BTreeMap<String, Value>, key: &str) -> Option<f64> {
    attrs.get(key).and_then(Value::as_f64)
}

/// The trial fold `plan`'s study chose from `log`, or why none: the best feasible trial, or
/// with validation on, the best whose validation passed.
fn choose<'a>(
    plan: &StudyPlan,
    log: &'a StudyLog,
) -> Result<std::result::Result<&'a genesis_optimizer::TrialRecord, String>> {
    let rule = &plan.metadata.validation;
    if rule.top_k == 0 {
        return Ok(top_trials(log, 1)
            .into_iter()
            .find(|t| t.is_feasible())
            .ok_or_else(|| "no feasible trial in the fold's study".to_string()));
    }
    for trial in crate::validation::candidates(log, rule.top_k) {
        if recorded_validation(trial)?.is_some_and(|v| v.is_passed) {
            return Ok(Ok(trial));
        }
    }
    Ok(Err(format!(
        "none of the fold's {} best trials passed validation inside the train window",
        rule.top_k
    )))
}

/// Fold `f`'s outcome from its finished study `log` (validated when the set-up validates):
/// the chosen trial run on the test window with `store`.
pub fn fold_outcome(
    header: &WalkForwardHeader,
    f: usize,
    log: &StudyLog,
    store: &mut FeatureStore,
) -> Result<FoldOutcome> {
    let plan = header.fold_plan(f)?;
    let fold = &header.folds[f];
    let test = Window {
        from_bar: fold.test.start,
        to_bar: fold.test.end,
    };
    let candles = std::sync::Arc::clone(store.candles());
    let ts = candles.ts_ms();
    let close = candles.close();
    let initial_cash = header.base_config.backtest().initial_cash;
    let n_trials = log
        .trials
        .iter()
        .filter(|t| t.duplicate_of.is_none())
        .count();
    let mut outcome = FoldOutcome {
        index: f,
        train: Window {
            from_bar: fold.train.start,
            to_bar: fold.train.end,
        },
        test,
        test_start_ms: ts[test.from_bar],
        test_end_ms: ts[test.to_bar - 1] + candles.timeframe_ms(),
        n_trials,
        chosen: None,
        note: None,
        figures: None,
        test_equity: vec![initial_cash; test.len()],
        initial_cash,
        buy_and_hold_return: close[test.to_bar - 1] / close[test.from_bar] - 1.0,
        n_trades: 0,
        periods_per_year: 0.0,
    };
    let trial = match choose(&plan, log)? {
        Ok(trial) => trial,
        Err(note) => {
            outcome.note = Some(note);
            return Ok(outcome);
        }
    };
    let config = plan.effective_config(&trial.params)?;
    let run = run_backtest(store, &config, test, Recording::Full)?;
    let metrics = &run.report.metrics;
    outcome.periods_per_year = metrics.annualisation.periods_per_year;
    outcome.n_trades = metrics.n_trades;
    if let Some(curve) = &run.report.equity_curve {
        outcome.test_equity.clone_from(&curve.equity);
    }
    outcome.figures = Some(figures_of(log, trial.number));
    outcome.chosen = Some(Chosen {
        trial: trial.number,
        params: trial.params.clone(),
        fingerprint: trial
            .user_attrs
            .get(FINGERPRINT_ATTR)
            .and_then(Value::as_str)
            .unwrap_or(config.fingerprint())
            .to_string(),
        in_sample_score: trial.value.unwrap_or(f64::NAN),
        in_sample_cagr: number(&trial.user_attrs, "cagr"),
        in_sample_return: number(&trial.user_attrs, "total_return"),
        validation_score: recorded_validation(trial)?.map(|v| v.score),
        test_score: run.score(),
        test_feasible: run.evaluation.is_feasible,
        test_metrics: metrics_attrs(metrics),
    });
    Ok(outcome)
}

/// Where a walk-forward journal lives: append ops (each durable before this returns), read
/// them all back.
pub trait WalkForwardBackend {
    fn append(&mut self, ops: &[WalkForwardOp]) -> genesis_optimizer::Result<()>;
    fn read_all(&self) -> genesis_optimizer::Result<Vec<WalkForwardOp>>;
}

/// A walk-forward journal in memory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MemoryWalkForward {
    pub ops: Vec<WalkForwardOp>,
}

impl WalkForwardBackend for MemoryWalkForward {
    fn append(&mut self, ops: &[WalkForwardOp]) -> genesis_optimizer::Result<()> {
        self.ops.extend_from_slice(ops);
        Ok(())
    }

    fn read_all(&self) -> genesis_optimizer::Result<Vec<WalkForwardOp>> {
        Ok(self.ops.clone())
    }
}

/// Fold `fold`'s study journal inside a walk-forward journal: its ops go in tagged with the
/// fold and come back out of the others'.
pub struct FoldJournal<'a, W> {
    pub backend: &'a mut W,
    pub fold: usize,
}

impl<W: WalkForwardBackend> genesis_optimizer::JournalBackend for FoldJournal<'_, W> {
    fn append(&mut self, ops: &[JournalOp]) -> genesis_optimizer::Result<()> {
        let wrapped: Vec<WalkForwardOp> = ops
            .iter()
            .map(|op| WalkForwardOp::Study {
                fold: self.fold,
                op: Box::new(op.clone()),
            })
            .collect();
        self.backend.append(&wrapped)
    }

    fn read_all(&self) -> genesis_optimizer::Result<genesis_optimizer::journal::JournalRead> {
        let ops = self
            .backend
            .read_all()?
            .into_iter()
            .filter_map(|op| match op {
                WalkForwardOp::Study { fold, op } if fold == self.fold => Some(*op),
                _ => None,
            })
            .collect();
        Ok(genesis_optimizer::journal::JournalRead {
            ops,
            torn_tail: None,
        })
    }
}

/// The parts of `recorded` that differ from `header`, named.
pub fn header_differences(
    header: &WalkForwardHeader,
    recorded: &WalkForwardHeader,
) -> Vec<&'static str> {
    let mut out = Vec::new();
    if header.spec != recorded.spec || header.folds != recorded.folds {
        out.push("folds");
    }
    if header.study != recorded.study {
        out.push("study set-up (space, sampler, seed, budget, validation)");
    }
    if header.base_config.fingerprint() != recorded.base_config.fingerprint() {
        out.push("base config");
    }
    if header.dataset.hash != recorded.dataset.hash {
        out.push("dataset");
    }
    if header.engine_version != recorded.engine_version {
        out.push("engine version");
    }
    out
}

/// Runs (or resumes) the walk-forward `header` journaled in `backend` with `store` over its
/// dataset: folds in order, each fold's study created or resumed from the journal and
/// handed to `drive`, which runs it to its stop policy (threads natively, one trial at a
/// time in a browser test) and returns false to stop the run there; then the fold's
/// validation (when on), its choice and test run, journaled as its outcome. Returns the
/// journal read back.
pub fn drive_walkforward<W, C, D>(
    header: &WalkForwardHeader,
    backend: &mut W,
    store: &mut FeatureStore,
    now_ms: &C,
    mut drive: D,
) -> Result<WalkForwardLog>
where
    W: WalkForwardBackend,
    C: Fn() -> i64,
    D: for<'a> FnMut(usize, &StudyPlan, &mut Study<FoldJournal<'a, W>>) -> Result<bool>,
{
    header.check_dataset(store.candles())?;
    let existing = backend.read_all()?;
    if existing.is_empty() {
        backend.append(&[WalkForwardOp::Header(Box::new(header.clone()))])?;
    } else {
        let recorded = WalkForwardLog::from_ops(&existing)?;
        let differences = header_differences(header, &recorded.header);
        if !differences.is_empty() {
            return Err(StudyError::setting(
                "resume",
                format!(
                    "the journal holds another walk-forward run: its {} differ",
                    differences.join(", ")
                ),
            ));
        }
    }
    for f in 0..header.folds.len() {
        let log = WalkForwardLog::from_ops(&backend.read_all()?)?;
        if log.outcomes[f].is_some() {
            continue;
        }
        let plan = header.fold_plan(f)?;
        let journal = FoldJournal {
            backend: &mut *backend,
            fold: f,
        };
        let mut study = if log.studies[f].is_empty() {
            Study::create(plan.study_spec(), journal)
        } else {
            let options = ResumeOptions {
                allow_signature_mismatch: false,
                now_ms: Some(now_ms()),
            };
            Study::resume(plan.study_spec(), journal, options)
        }?;
        study.set_stop_policy(plan.stop.clone());
        if !drive(f, &plan, &mut study)? {
            break;
        }
        let outcome = finish_fold(header, f, &plan, &mut study, store)?;
        drop(study);
        backend.append(&[WalkForwardOp::Fold(Box::new(outcome))])?;
    }
    WalkForwardLog::from_ops(&backend.read_all()?)
}

/// After fold `f`'s study ran: its validation (when on), its choice and test run.
fn finish_fold<B: genesis_optimizer::JournalBackend>(
    header: &WalkForwardHeader,
    f: usize,
    plan: &StudyPlan,
    study: &mut Study<B>,
    store: &mut FeatureStore,
) -> Result<FoldOutcome> {
    if plan.metadata.validation.top_k > 0 {
        validate_top(study, plan, store)?;
    }
    let study_log = study.log()?;
    fold_outcome(header, f, &study_log, store)
}

/// One fold from scratch, on its own: its study run one trial at a time with `store`, then
/// its choice and test run. Folds depend on nothing but the header and the data, so a
/// browser runs them in parallel workers and journals each as it arrives; the result is
/// the fold's part of the journal [`drive_walkforward`] writes, to the byte.
pub fn run_fold(header: &WalkForwardHeader, f: usize, store: &mut FeatureStore) -> Result<FoldRun> {
    let plan = header.fold_plan(f)?;
    let mut study = Study::create(plan.study_spec(), genesis_optimizer::MemoryJournal::new())?;
    study.set_stop_policy(plan.stop.clone());
    let objective = plan.objective();
    genesis_optimizer::driver::run_serial(
        &mut study,
        |ticket| objective.evaluate(store, ticket),
        || 0,
    )?;
    let outcome = finish_fold(header, f, &plan, &mut study, store)?;
    let study_ops = study.into_backend().ops().to_vec();
    Ok(FoldRun { study_ops, outcome })
}

/// A fold run on its own: its study's journal ops and its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FoldRun {
    pub study_ops: Vec<JournalOp>,
    pub outcome: FoldOutcome,
}

impl WalkForwardLog {
    /// The journal ops of a run whose folds were run apart ([`run_fold`]): the header, then
    /// each given fold's study ops and outcome, in fold order.
    pub fn ops_of(header: &WalkForwardHeader, folds: &[FoldRun]) -> Vec<WalkForwardOp> {
        let mut ops = vec![WalkForwardOp::Header(Box::new(header.clone()))];
        let mut ordered: Vec<&FoldRun> = folds.iter().collect();
        ordered.sort_by_key(|run| run.outcome.index);
        for FoldRun { study_ops, outcome } in ordered {
            ops.extend(study_ops.iter().map(|op| WalkForwardOp::Study {
                fold: outcome.index,
                op: Box::new(op.clone()),
            }));
            ops.push(WalkForwardOp::Fold(Box::new(outcome.clone())));
        }
        ops
    }
}

/// A walk-forward journal read back: the header, each fold's study ops and the finished
/// folds' outcomes.
#[derive(Clone, Debug, PartialEq)]
pub struct WalkForwardLog {
    pub header: WalkForwardHeader,
    /// Per fold, its study journal's ops in order.
    pub studies: Vec<Vec<JournalOp>>,
    /// Per fold, its outcome once done.
    pub outcomes: Vec<Option<FoldOutcome>>,
}

impl WalkForwardLog {
    /// Reads `ops`: a header first, then fold study ops and fold outcomes, folds in order.
    pub fn from_ops(ops: &[WalkForwardOp]) -> Result<WalkForwardLog> {
        let bad = |line: usize, message: String| StudyError::Metadata {
            key: format!("walk-forward journal line {line}"),
            message,
        };
        let Some(WalkForwardOp::Header(header)) = ops.first() else {
            return Err(bad(1, "the first line is not a walk-forward header".into()));
        };
        if header.genesis_walkforward != WALKFORWARD_FORMAT {
            return Err(bad(
                1,
                format!(
                    "format {} is not {WALKFORWARD_FORMAT}, the one this build reads",
                    header.genesis_walkforward
                ),
            ));
        }
        let n = header.folds.len();
        let mut log = WalkForwardLog {
            header: (**header).clone(),
            studies: vec![Vec::new(); n],
            outcomes: vec![None; n],
        };
        for (k, op) in ops.iter().enumerate().skip(1) {
            let line = k + 1;
            match op {
                WalkForwardOp::Header(_) => return Err(bad(line, "a second header".into())),
                WalkForwardOp::Study { fold, op } => {
                    let Some(ops) = log.studies.get_mut(*fold) else {
                        return Err(bad(line, format!("fold {fold} of {n}")));
                    };
                    if log.outcomes[*fold].is_some() {
                        return Err(bad(line, format!("fold {fold} is already done")));
                    }
                    ops.push((**op).clone());
                }
                WalkForwardOp::Fold(outcome) => {
                    let f = outcome.index;
                    if f >= n || log.outcomes[f].is_some() {
                        return Err(bad(line, format!("an outcome for fold {f} of {n}")));
                    }
                    if log.outcomes[..f].iter().any(Option::is_none) {
                        return Err(bad(line, format!("fold {f} is done before an earlier one")));
                    }
                    log.outcomes[f] = Some((**outcome).clone());
                }
            }
        }
        Ok(log)
    }

    /// Fold `f`'s study log, if its study has begun.
    pub fn study_log(&self, f: usize) -> Result<Option<StudyLog>> {
        match self.studies.get(f) {
            Some(ops) if !ops.is_empty() => Ok(Some(StudyLog::from_ops(ops)?)),
            _ => Ok(None),
        }
    }

    /// Folds done.
    pub fn n_done(&self) -> usize {
        self.outcomes.iter().filter(|o| o.is_some()).count()
    }

    pub fn is_complete(&self) -> bool {
        self.n_done() == self.header.folds.len()
    }

    /// The run without timing: the header, each fold's canonical study journal, the
    /// outcomes. Two runs of the same set-up are equal here whatever their workers, and a
    /// resumed run equals an uninterrupted one.
    pub fn canonical_jsonl(&self) -> Result<String> {
        let mut out = serde_json::to_string(&self.header).map_err(|e| StudyError::Internal {
            message: e.to_string(),
        })?;
        out.push('\n');
        for f in 0..self.header.folds.len() {
            if let Some(log) = self.study_log(f)? {
                out.push_str(&log.canonical_jsonl());
            }
            if let Some(outcome) = &self.outcomes[f] {
                out.push_str(&serde_json::to_string(outcome).map_err(|e| {
                    StudyError::Internal {
                        message: e.to_string(),
                    }
                })?);
                out.push('\n');
            }
        }
        Ok(out)
    }
}
