//! Replay: the proof that the optimizer and a plain backtest agree (the seeds'
//! config-equivalence proof).
//!
//! A stored trial is re-run twice from the journal alone (the base config, space, windows
//! and checkpoints are all in its header):
//! 1. through the objective exactly as the trial ran (checkpointed, metrics only, without
//!    pruning thresholds): its value, intermediate values, constraint violations and user
//!    attributes must equal the stored ones;
//! 2. as a plain backtest of the effective config with full recording
//!    ([`run_backtest`](genesis_engine::run::run_backtest), what `genesis backtest` runs): its fingerprint and every metric must
//!    equal the stored ones.
//!
//! "Equal" means bit for bit: floats are compared by their bits, not within a tolerance.
//! A pruned trial's intermediate values up to its pruning step are compared; a failed
//! trial must fail again with the same reason; a duplicate replays its original. A
//! validated trial's out-of-sample result is re-run and compared too.

use std::collections::{BTreeMap, BTreeSet};

use genesis_engine::backtest::Recording;
use genesis_engine::features::FeatureStore;
use genesis_engine::metrics::ReturnBlocks;
use genesis_engine::run::run_backtest;
use genesis_optimizer::{PruneThresholds, StudyLog, TrialOutcome, TrialRecord, TrialState};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StudyError};
use crate::objective::outcome_attrs;
use crate::spec::StudyPlan;
use crate::validation::{recorded_validation, validate_record};

/// One stored value against its replay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub key: String,
    pub stored: Value,
    pub replayed: Value,
    pub is_identical: bool,
}

/// What a replay found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplayReport {
    /// The trial asked for.
    pub trial: u64,
    /// The trial that ran: the original when `trial` is a duplicate.
    pub replayed_trial: u64,
    pub state: TrialState,
    /// Value, intermediate values, constraint violations and fail reason.
    pub outcome: Vec<Comparison>,
    /// Every metric and the fingerprint, stored against the plain full-recording backtest.
    pub metrics: Vec<Comparison>,
    /// The out-of-sample validation, when the trial has one.
    pub validation: Vec<Comparison>,
    pub is_identical: bool,
}

impl ReplayReport {
    /// The comparisons that differ.
    pub fn differences(&self) -> impl Iterator<Item = &Comparison> {
        self.outcome
            .iter()
            .chain(&self.metrics)
            .chain(&self.validation)
            .filter(|c| !c.is_identical)
    }
}

/// Whether two JSON values are the same, floats compared by their bits.
pub fn bit_identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            match (x.as_f64(), y.as_f64()) {
                (Some(x), Some(y)) => x.to_bits() == y.to_bits(),
                _ => false,
            }
        }
        (Value::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| bit_identical(x, y))
        }
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .all(|(k, x)| ys.get(k).is_some_and(|y| bit_identical(x, y)))
        }
        _ => a == b,
    }
}

fn compare(key: &str, stored: Value, replayed: Value) -> Comparison {
    Comparison {
        key: key.to_string(),
        is_identical: bit_identical(&stored, &replayed),
        stored,
        replayed,
    }
}

fn compare_maps(
    prefix: &str,
    stored: &BTreeMap<String, Value>,
    replayed: &BTreeMap<String, Value>,
) -> Vec<Comparison> {
    let keys: BTreeSet<&String> = stored.keys().chain(replayed.keys()).collect();
    keys.into_iter()
        .map(|key| {
            compare(
                &format!("{prefix}{key}"),
                stored.get(key).cloned().unwrap_or(Value::Null),
                replayed.get(key).cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

fn json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Replays trial `number` of `log` (see the module docs) with `store` holding the study's
/// dataset.
pub fn replay_trial(
    plan: &StudyPlan,
    log: &StudyLog,
    number: u64,
    store: &mut FeatureStore,
) -> Result<ReplayReport> {
    plan.check_dataset(store.dataset_hash())?;
    let asked = log.trial(number).ok_or_else(|| StudyError::Trial {
        number,
        message: format!(
            "is not in the journal (it holds {} finished trials)",
            log.trials.len()
        ),
    })?;
    let record = match asked.duplicate_of {
        Some(original) => log.trial(original).ok_or_else(|| StudyError::Trial {
            number,
            message: format!("is a duplicate of trial {original}, which is not in the journal"),
        })?,
        None => asked,
    };
    let objective = plan.objective();
    let again = objective.evaluate_params(store, &record.params, &PruneThresholds::default());
    let mut outcome = Vec::new();
    let mut metrics = Vec::new();
    match (record.state, &again) {
        (
            TrialState::Complete,
            TrialOutcome::Complete {
                value,
                intermediate,
                constraint_violations,
                user_attrs,
                ..
            },
        ) => {
            outcome.push(compare("value", json(&record.value), json(value)));
            outcome.push(compare(
                "intermediate",
                json(&record.intermediate),
                json(intermediate),
            ));
            outcome.push(compare(
                "constraint_violations",
                json(&record.constraint_violations),
                json(constraint_violations),
            ));
            outcome.extend(compare_maps(
                "user_attrs.",
                &without_validation(&record.user_attrs),
                user_attrs,
            ));
            let config = plan.effective_config(&record.params)?;
            let mut plain = run_backtest(store, &config, objective.window(), Recording::Full)?;
            // The return blocks again, from the full run's equity curve: a second path to
            // the same sums.
            if let Some(curve) = plain.report.equity_curve.as_ref() {
                let blocks = usize::from(objective.return_blocks());
                let mut sums =
                    ReturnBlocks::new(blocks, curve.equity.len(), config.backtest().initial_cash);
                for &equity in &curve.equity {
                    sums.push(equity);
                }
                plain.report.return_sums = sums.into_sums();
            }
            let plain_attrs = outcome_attrs(&plain);
            let stored_attrs = without_validation(&record.user_attrs);
            metrics = compare_maps("", &stored_attrs, &plain_attrs);
            metrics.push(compare("score", json(&record.value), json(&plain.score())));
            metrics.push(compare(
                "constraint_violations",
                json(&record.constraint_violations),
                json(&plain.evaluation.reasons),
            ));
        }
        (TrialState::Pruned, _) => {
            let replayed: Vec<(u64, f64)> = match &again {
                TrialOutcome::Complete { intermediate, .. }
                | TrialOutcome::Pruned { intermediate, .. } => intermediate
                    .iter()
                    .copied()
                    .filter(|(step, _)| record.intermediate.iter().any(|(s, _)| s == step))
                    .collect(),
                TrialOutcome::Failed { .. } => Vec::new(),
            };
            outcome.push(compare(
                "intermediate",
                json(&record.intermediate),
                json(&replayed),
            ));
        }
        (TrialState::Failed, TrialOutcome::Failed { reason }) => {
            outcome.push(compare(
                "fail_reason",
                json(&record.fail_reason),
                json(reason),
            ));
        }
        (state, again) => {
            outcome.push(compare("state", json(&state), json(&state_of(again))));
        }
    }
    let mut validation = Vec::new();
    if let Some(stored) = recorded_validation(record)? {
        let replayed = validate_record(plan, store, record, &stored.rule)?;
        validation.push(compare("validation", json(&stored), json(&replayed)));
    }
    let mut report = ReplayReport {
        trial: number,
        replayed_trial: record.number,
        state: record.state,
        outcome,
        metrics,
        validation,
        is_identical: false,
    };
    let is_identical = report.differences().next().is_none();
    report.is_identical = is_identical;
    Ok(report)
}

fn without_validation(attrs: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    attrs
        .iter()
        .filter(|(key, _)| key.as_str() != crate::validation::VALIDATION_ATTR)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn state_of(outcome: &TrialOutcome) -> TrialState {
    match outcome {
        TrialOutcome::Complete { .. } => TrialState::Complete,
        TrialOutcome::Pruned { .. } => TrialState::Pruned,
        TrialOutcome::Failed { .. } => TrialState::Failed,
    }
}

/// Replays every trial of `log`; the reports in trial order.
pub fn replay_all(
    plan: &StudyPlan,
    log: &StudyLog,
    store: &mut FeatureStore,
) -> Result<Vec<ReplayReport>> {
    log.trials
        .iter()
        .map(|t: &TrialRecord| replay_trial(plan, log, t.number, store))
        .collect()
}
