//! The one entry point from a strategy config to a scored backtest.
//!
//! The CLI, the browser's worker and the optimizer's objective all call
//! [`run_backtest`](crate::run::run_backtest) (or
//! [`run_backtest_checkpointed`](crate::run::run_backtest_checkpointed), the same loop with
//! pauses), so a
//! backtest, a trial and its replay cannot disagree: there is no second path that builds a
//! strategy, merges a config or computes a score. The seeds' optimizer and plain backtest
//! differed because each assembled its own config; here the config is one validated value
//! with a fingerprint, and the outcome records it.
//!
//! Outputs serialise to valid JSON (no NaN or infinity: undefined ratios are `null`, see
//! [`crate::metrics`]).

use std::ops::ControlFlow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::backtest::{Backtest, BacktestReport, Recording, Strategy, Window};
use crate::data::{Candles, DatasetHash};
use crate::features::FeatureStore;
use crate::metrics::Metrics;
use crate::score::{evaluate, score, Evaluation, Score};
use crate::strategy::{StrategyConfig, StrategyError, StrategyKind, Visitor};

/// A finished run: the backtest report, its score and the constraints' verdict, with the
/// identities of what ran.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunOutcome {
    pub strategy: StrategyKind,
    /// [`StrategyConfig::fingerprint`] of the config that ran.
    pub config_fingerprint: String,
    /// The dataset's content hash.
    pub dataset_hash: DatasetHash,
    /// Trades, equity curve (with [`Recording::Full`]) and metrics.
    pub report: BacktestReport,
    /// Score with its terms, feasibility and the reasons of every failed constraint.
    pub evaluation: Evaluation,
}

impl RunOutcome {
    /// The score that ranks runs.
    pub fn score(&self) -> f64 {
        self.evaluation.score.score
    }
}

/// The state of a run at a checkpoint: what a pruner reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Position of the checkpoint in the list passed in (0-based).
    pub index: usize,
    /// Every bar before this one has been processed.
    pub bar_idx: usize,
    /// Metrics so far (closed trades; an open position counts through its equity).
    pub metrics: Metrics,
    /// The score of those metrics.
    pub score: Score,
}

/// A run stopped early by its checkpoint callback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoppedRun {
    pub strategy: StrategyKind,
    pub config_fingerprint: String,
    pub dataset_hash: DatasetHash,
    /// The checkpoint at which the callback asked to stop.
    pub checkpoint: Checkpoint,
}

/// How a checkpointed run ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
// Both variants carry a full `Metrics` (over a kilobyte with the per-side summaries); boxing
// one would save a few hundred bytes once per run and change the API for nothing.
#[allow(clippy::large_enum_variant)]
pub enum CheckpointedRun {
    Finished(RunOutcome),
    Stopped(StoppedRun),
}

/// Builds the configured strategy over `store`'s dataset, runs it over `window` and scores
/// it against the config's constraints.
pub fn run_backtest(
    store: &mut FeatureStore,
    config: &StrategyConfig,
    window: Window,
    recording: Recording,
) -> Result<RunOutcome, StrategyError> {
    match run_backtest_checkpointed(store, config, window, recording, &[], |_| {
        ControlFlow::Continue(())
    })? {
        CheckpointedRun::Finished(outcome) => Ok(outcome),
        // Without checkpoints the callback is never called, so nothing can stop the run.
        CheckpointedRun::Stopped(stopped) => Err(StrategyError::invalid(
            "checkpoints",
            format!(
                "run stopped at bar {} without checkpoints",
                stopped.checkpoint.bar_idx
            ),
        )),
    }
}

/// [`run_backtest`] with pauses: at each bar of `checkpoints` (absolute bar indices,
/// strictly increasing, inside `(window.from_bar, window.to_bar]`) the run calls
/// `on_checkpoint` with the metrics and score so far; `ControlFlow::Break` stops it there.
/// Pausing never changes the result: a run that is not stopped equals [`run_backtest`]'s.
pub fn run_backtest_checkpointed(
    store: &mut FeatureStore,
    config: &StrategyConfig,
    window: Window,
    recording: Recording,
    checkpoints: &[usize],
    on_checkpoint: impl FnMut(&Checkpoint) -> ControlFlow<()>,
) -> Result<CheckpointedRun, StrategyError> {
    let window = window.checked(store.candles())?;
    for (k, &bar_idx) in checkpoints.iter().enumerate() {
        let is_inside = bar_idx > window.from_bar && bar_idx <= window.to_bar;
        let is_increasing = k == 0 || bar_idx > checkpoints[k - 1];
        if !(is_inside && is_increasing) {
            return Err(StrategyError::invalid(
                format!("checkpoints[{k}]"),
                format!(
                    "bar {bar_idx} must be inside ({}, {}] and after the previous checkpoint",
                    window.from_bar, window.to_bar
                ),
            ));
        }
    }
    let run = Run {
        config,
        candles: Arc::clone(store.candles()),
        window,
        recording,
        checkpoints,
        on_checkpoint,
    };
    let config_fingerprint = config.fingerprint().to_owned();
    let dataset_hash = store.dataset_hash().clone();
    let outcome = config.params().visit(store, config.features(), run)?;
    let strategy = config.kind();
    Ok(match outcome {
        Driven::Finished(report) => {
            let evaluation = evaluate(&report.metrics, config.constraints());
            CheckpointedRun::Finished(RunOutcome {
                strategy,
                config_fingerprint,
                dataset_hash,
                report,
                evaluation,
            })
        }
        Driven::Stopped(checkpoint) => CheckpointedRun::Stopped(StoppedRun {
            strategy,
            config_fingerprint,
            dataset_hash,
            checkpoint,
        }),
    })
}

/// The arguments of one run, driven with a statically dispatched strategy.
struct Run<'a, F> {
    config: &'a StrategyConfig,
    candles: Arc<Candles>,
    window: Window,
    recording: Recording,
    checkpoints: &'a [usize],
    on_checkpoint: F,
}

enum Driven {
    Finished(BacktestReport),
    Stopped(Checkpoint),
}

impl<F: FnMut(&Checkpoint) -> ControlFlow<()>> Visitor for Run<'_, F> {
    type Output = Driven;

    /// Runs the built strategy, monomorphised per strategy type.
    fn visit<S: Strategy>(mut self, strategy: S) -> Result<Driven, StrategyError> {
        let mut backtest = Backtest::new(
            &self.candles,
            self.config.backtest(),
            self.window,
            strategy,
            self.recording,
        )?
        .with_strategy_name(self.config.kind().as_str());
        for (index, &bar_idx) in self.checkpoints.iter().enumerate() {
            backtest.run_until(bar_idx);
            let metrics = backtest.metrics_so_far();
            let checkpoint = Checkpoint {
                index,
                bar_idx,
                score: score(&metrics),
                metrics,
            };
            if (self.on_checkpoint)(&checkpoint).is_break() {
                return Ok(Driven::Stopped(checkpoint));
            }
        }
        Ok(Driven::Finished(backtest.finish()))
    }
}

#[cfg(test)]
mod tests;
