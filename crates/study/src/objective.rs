//! The objective: a trial's parameters in, a [`TrialOutcome`](genesis_optimizer::TrialOutcome) out.
//!
//! 1. The effective config is the base config with the space's `fixed` values and the
//!    trial's parameters set at their dotted paths ([`StrategyConfig::with_params`](genesis_engine::strategy::StrategyConfig::with_params)), then
//!    re-validated. A config these parameters make invalid (`fast_period >= slow_period`)
//!    is a [`TrialOutcome::Failed`](genesis_optimizer::TrialOutcome::Failed) with the config's own message as the reason.
//! 2. [`run_backtest_checkpointed`](genesis_engine::run::run_backtest_checkpointed) runs it on the study's window, pausing at the
//!    checkpoints (the window cut into `n` equal segments: steps `1..n` at the segment
//!    ends). At each pause the score so far is the intermediate value; below the ticket's
//!    threshold for that step the run stops and the trial is [`TrialOutcome::Pruned`](genesis_optimizer::TrialOutcome::Pruned).
//! 3. A finished run is [`TrialOutcome::Complete`](genesis_optimizer::TrialOutcome::Complete): value = score, intermediate values
//!    (with the final score as step `n`), constraint violations = the evaluation's
//!    reasons, user attributes = every metric under its own name plus `fingerprint` (the
//!    effective config's) and `dataset_hash`, and, when the objective sums return blocks
//!    ([`Objective::with_return_blocks`]), `return_blocks` and `return_moments` (see
//!    [`crate::selection`]).
//!
//! The objective is plain data (serde) and a pure function of the feature store and the
//! ticket: a native thread and a browser web worker call the same
//! [`Objective::evaluate`](crate::Objective::evaluate), each with its own
//! [`FeatureStore`](genesis_engine::features::FeatureStore).

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use genesis_engine::backtest::{Recording, Window};
use genesis_engine::data::DatasetHash;
use genesis_engine::features::FeatureStore;
use genesis_engine::metrics::Metrics;
use genesis_engine::run::{run_backtest_checkpointed, CheckpointedRun, RunOutcome};
use genesis_engine::strategy::{StrategyConfig, StrategyError};
use genesis_optimizer::{
    Direction, Params, PruneThresholds, SearchSpace, TrialOutcome, TrialTicket,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// User attribute holding the effective config's fingerprint.
pub const FINGERPRINT_ATTR: &str = "fingerprint";
/// User attribute holding the dataset's content hash.
pub const DATASET_ATTR: &str = "dataset_hash";
/// User attribute holding `[count, sum, sum of squares]` of the per-bar returns per block.
pub const RETURN_BLOCKS_ATTR: &str = "return_blocks";
/// User attribute holding the window's sums of the per-bar returns' cubes and fourth powers.
pub const RETURN_MOMENTS_ATTR: &str = "return_moments";

/// The metrics a multi-objective study may optimise: the score and every number of SPEC §5
/// a run reports (`max_drawdown` is a positive fraction, so it is minimised).
pub const OBJECTIVE_METRICS: [&str; 22] = [
    "score",
    "total_return",
    "cagr",
    "annual_return",
    "annual_volatility",
    "sharpe",
    "sortino",
    "calmar",
    "max_drawdown",
    "max_drawdown_duration_bars",
    "n_trades",
    "win_rate",
    "profit_factor",
    "expectancy",
    "avg_trade",
    "best_trade",
    "worst_trade",
    "avg_bars_held",
    "exposure",
    "sqn",
    "buy_and_hold_return",
    "return_to_dd",
];

/// One objective of a multi-objective study: a metric and whether it is better higher or
/// lower. Written `total_return:maximize` on the command line, `{metric: total_return,
/// direction: maximize}` in a study file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSpec {
    pub metric: String,
    pub direction: Direction,
}

impl ObjectiveSpec {
    /// Refuses a metric that is not one of [`OBJECTIVE_METRICS`].
    pub fn check(&self) -> std::result::Result<(), String> {
        if OBJECTIVE_METRICS.contains(&self.metric.as_str()) {
            Ok(())
        } else {
            Err(format!(
                "`{}` is not a metric an objective can use (one of {})",
                self.metric,
                OBJECTIVE_METRICS.join(", ")
            ))
        }
    }
}

impl std::fmt::Display for ObjectiveSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.metric, self.direction.as_str())
    }
}

impl std::str::FromStr for ObjectiveSpec {
    type Err = String;

    /// `metric:maximize` or `metric:minimize` (`max` and `min` too).
    fn from_str(text: &str) -> std::result::Result<Self, String> {
        let (metric, direction) = text.split_once(':').ok_or_else(|| {
            format!(
                "`{text}` is not METRIC:DIRECTION (total_return:maximize, max_drawdown:minimize)"
            )
        })?;
        let direction = match direction.trim() {
            "maximize" | "max" => Direction::Maximize,
            "minimize" | "min" => Direction::Minimize,
            other => {
                return Err(format!(
                    "`{other}` in `{text}` is not a direction (maximize or minimize)"
                ))
            }
        };
        let spec = ObjectiveSpec {
            metric: metric.trim().to_string(),
            direction,
        };
        spec.check()?;
        Ok(spec)
    }
}

/// One pause of a run: report the score at `step` once every bar before `bar_idx` ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointAt {
    pub step: u64,
    pub bar_idx: usize,
}

/// Anything that turns a ticket into an outcome with a worker's own feature store. The
/// runner is generic over it, so a test can count calls.
pub trait Evaluate: Sync {
    fn evaluate(&self, store: &mut FeatureStore, ticket: &TrialTicket) -> TrialOutcome;
}

/// The study's objective over one window. Build it with [`Objective::new`] (or
/// [`crate::StudyPlan::objective`]); send it to a web worker as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Objective {
    base: StrategyConfig,
    /// The space's `fixed` values, set on every trial's config.
    fixed: BTreeMap<String, Value>,
    window: Window,
    checkpoints: Vec<CheckpointAt>,
    /// The step of the final score, `n` for `n` segments.
    final_step: u64,
    dataset_hash: DatasetHash,
    /// Blocks the per-bar returns are summed in (0: none).
    #[serde(default)]
    return_blocks: u8,
    /// The metrics a multi-objective study reports as its values, in order (empty: the
    /// score is the one value).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    objectives: Vec<String>,
}

impl Objective {
    /// The objective of trials over `space` on `window` of the dataset `dataset_hash`,
    /// cut into `n_segments` equal segments (at least 1; 1 means no pause).
    pub fn new(
        base: StrategyConfig,
        space: &SearchSpace,
        window: Window,
        n_segments: u32,
        dataset_hash: DatasetHash,
    ) -> Objective {
        let n = u64::from(n_segments.max(1));
        let mut checkpoints: Vec<CheckpointAt> = Vec::new();
        for step in 1..n {
            let offset = (window.len() as u128 * u128::from(step) / u128::from(n)) as usize;
            let bar_idx = window.from_bar + offset;
            let is_after_previous = checkpoints.last().is_none_or(|c| bar_idx > c.bar_idx);
            // Short windows can make two segment ends the same bar; one pause is enough.
            if bar_idx > window.from_bar && bar_idx < window.to_bar && is_after_previous {
                checkpoints.push(CheckpointAt { step, bar_idx });
            }
        }
        Objective {
            base,
            fixed: space.fixed().clone(),
            window,
            checkpoints,
            final_step: n,
            dataset_hash,
            return_blocks: 0,
            objectives: Vec::new(),
        }
    }

    /// The same objective reporting `metrics` as a multi-objective trial's values.
    pub fn with_objectives(mut self, metrics: Vec<String>) -> Objective {
        self.objectives = metrics;
        self
    }

    /// The same objective keeping each complete trial's per-bar returns summed in `blocks`
    /// equal blocks of the window (0: none).
    pub fn with_return_blocks(mut self, blocks: u8) -> Objective {
        self.return_blocks = blocks;
        self
    }

    pub fn base(&self) -> &StrategyConfig {
        &self.base
    }

    pub fn window(&self) -> Window {
        self.window
    }

    pub fn checkpoints(&self) -> &[CheckpointAt] {
        &self.checkpoints
    }

    pub fn dataset_hash(&self) -> &DatasetHash {
        &self.dataset_hash
    }

    /// Blocks the per-bar returns are summed in (0: none).
    pub fn return_blocks(&self) -> u8 {
        self.return_blocks
    }

    /// The base config with the fixed values and `params` set: what a trial runs.
    pub fn effective_config(&self, params: &Params) -> Result<StrategyConfig, StrategyError> {
        let overrides = self
            .fixed
            .iter()
            .map(|(path, value)| (path.as_str(), value.clone()))
            .chain(
                params
                    .iter()
                    .map(|(path, value)| (path.as_str(), value.to_json())),
            );
        self.base.with_params(overrides)
    }

    /// Runs a trial (see the module docs).
    pub fn evaluate(&self, store: &mut FeatureStore, ticket: &TrialTicket) -> TrialOutcome {
        self.evaluate_params(store, &ticket.params, &ticket.prune_thresholds)
    }

    /// Runs `params` with pruning `thresholds`.
    pub fn evaluate_params(
        &self,
        store: &mut FeatureStore,
        params: &Params,
        thresholds: &PruneThresholds,
    ) -> TrialOutcome {
        if store.dataset_hash() != &self.dataset_hash {
            return TrialOutcome::Failed {
                reason: format!(
                    "the worker holds dataset {}, the study's is {}",
                    store.dataset_hash().short(),
                    self.dataset_hash.short()
                ),
            };
        }
        let config = match self.effective_config(params) {
            Ok(config) => config,
            Err(err) => {
                return TrialOutcome::Failed {
                    reason: format!("invalid config: {err}"),
                }
            }
        };
        let bars: Vec<usize> = self.checkpoints.iter().map(|c| c.bar_idx).collect();
        let mut intermediate: Vec<(u64, f64)> = Vec::with_capacity(bars.len() + 1);
        let recording = match self.return_blocks {
            0 => Recording::MetricsOnly,
            blocks => Recording::MetricsAndBlocks { blocks },
        };
        let run = run_backtest_checkpointed(
            store,
            &config,
            self.window,
            recording,
            &bars,
            |checkpoint| {
                let step = self.checkpoints.get(checkpoint.index).map_or(0, |c| c.step);
                let value = checkpoint.score.score;
                intermediate.push((step, value));
                if thresholds.should_prune(step, value) {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        match run {
            Ok(CheckpointedRun::Finished(outcome)) => {
                intermediate.push((self.final_step, outcome.score()));
                let user_attrs = outcome_attrs(&outcome);
                let mut values = Vec::with_capacity(self.objectives.len());
                for metric in &self.objectives {
                    let value = if metric == "score" {
                        Some(outcome.score())
                    } else {
                        user_attrs.get(metric).and_then(Value::as_f64)
                    };
                    match value {
                        Some(value) => values.push(value),
                        None => {
                            return TrialOutcome::Failed {
                                reason: format!(
                                    "objective `{metric}` has no value for this run (a ratio \
                                     over no trades or no losses)"
                                ),
                            }
                        }
                    }
                }
                TrialOutcome::Complete {
                    value: outcome.score(),
                    values,
                    intermediate,
                    constraint_violations: outcome.evaluation.reasons.clone(),
                    user_attrs,
                }
            }
            Ok(CheckpointedRun::Stopped(stopped)) => TrialOutcome::Pruned {
                step: self
                    .checkpoints
                    .get(stopped.checkpoint.index)
                    .map_or(0, |c| c.step),
                intermediate,
            },
            Err(err) => TrialOutcome::Failed {
                reason: err.to_string(),
            },
        }
    }
}

impl Evaluate for Objective {
    fn evaluate(&self, store: &mut FeatureStore, ticket: &TrialTicket) -> TrialOutcome {
        Objective::evaluate(self, store, ticket)
    }
}

/// Metrics a trial does not keep: the All / Long / Short performance summary (about 70
/// numbers, three times the rest) is for reading one run, and a replay recomputes it. Kept
/// out, a trial's record stays small on its way through the worker, IndexedDB and the live
/// charts, which every trial of a browser study pays for.
const METRICS_NOT_KEPT: [&str; 1] = ["summary"];

/// Every metric under its own name (`sharpe`, `n_trades`, `annualisation`, ...) but the
/// per-side summary: what a complete trial keeps, and what a replay compares.
pub fn metrics_attrs(metrics: &Metrics) -> BTreeMap<String, Value> {
    match serde_json::to_value(metrics) {
        Ok(Value::Object(map)) => map
            .into_iter()
            .filter(|(key, _)| !METRICS_NOT_KEPT.contains(&key.as_str()))
            .collect(),
        _ => BTreeMap::new(),
    }
}

/// The user attributes of a finished run: its metrics, fingerprint and dataset hash, and its
/// return blocks when it summed them.
pub fn outcome_attrs(outcome: &RunOutcome) -> BTreeMap<String, Value> {
    let mut attrs = metrics_attrs(&outcome.report.metrics);
    if let Some(sums) = &outcome.report.return_sums {
        attrs.insert(
            RETURN_BLOCKS_ATTR.to_string(),
            serde_json::json!(sums.blocks),
        );
        attrs.insert(
            RETURN_MOMENTS_ATTR.to_string(),
            serde_json::json!([sums.cubes, sums.fourths]),
        );
    }
    attrs.insert(
        FINGERPRINT_ATTR.to_string(),
        Value::String(outcome.config_fingerprint.clone()),
    );
    attrs.insert(
        DATASET_ATTR.to_string(),
        Value::String(outcome.dataset_hash.0.clone()),
    );
    attrs
}
