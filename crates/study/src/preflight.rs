//! Preflight: what runs before any worker starts (the seeds' preflight, which passed while
//! the real runs silently took another path, is why this one runs the real path).
//!
//! 1. The data is the study's (dataset hash).
//! 2. The search space fits the base config ([`crate::space_check::check_space`]).
//! 3. The base config with the space's fixed values is valid.
//! 4. One trial runs end to end through the study's own [`Objective`](crate::Objective):
//!    the base config with the fixed values, on the in-sample window with its checkpoints,
//!    and on the out-of-sample window when there is one. It must complete (a run with no
//!    trade or an infeasible one completes, and is noted).
//!
//! Any failure is a [`StudyError::Preflight`] (or the space's own error) with the reason;
//! the caller creates the journal only after a pass, so a failed preflight leaves nothing
//! behind.

use genesis_engine::features::FeatureStore;
use genesis_optimizer::{Params, PruneThresholds, TrialOutcome};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StudyError};
use crate::objective::Objective;
use crate::space_check::check_space;
use crate::spec::StudyPlan;

/// What the preflight ran, and what a user may want to know about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreflightReport {
    pub in_sample: TrialOutcome,
    pub out_of_sample: Option<TrialOutcome>,
    /// Observations that do not stop the study (no trades, infeasible base config).
    pub notes: Vec<String>,
}

/// Runs the preflight (see the module docs) with `store` holding the study's dataset.
pub fn preflight(plan: &StudyPlan, store: &mut FeatureStore) -> Result<PreflightReport> {
    plan.check_dataset(store.dataset_hash())?;
    check_space(&plan.space, &plan.metadata.base_config)?;
    let objective = plan.objective();
    objective
        .effective_config(&Params::new())
        .map_err(|err| StudyError::Preflight {
            reason: format!("the base config with the space's fixed values is invalid: {err}"),
        })?;
    let mut notes = Vec::new();
    let in_sample = run_one(&objective, store, "in-sample", &mut notes)?;
    let out_of_sample = match plan.oos_objective() {
        Some(oos) => Some(run_one(&oos, store, "out-of-sample", &mut notes)?),
        None => None,
    };
    Ok(PreflightReport {
        in_sample,
        out_of_sample,
        notes,
    })
}

fn run_one(
    objective: &Objective,
    store: &mut FeatureStore,
    label: &str,
    notes: &mut Vec<String>,
) -> Result<TrialOutcome> {
    let outcome = objective.evaluate_params(store, &Params::new(), &PruneThresholds::default());
    let window = objective.window();
    let place = format!(
        "{label} window (bars {}..{})",
        window.from_bar, window.to_bar
    );
    match &outcome {
        TrialOutcome::Complete {
            value,
            constraint_violations,
            user_attrs,
            ..
        } => {
            if !value.is_finite() {
                return Err(StudyError::Preflight {
                    reason: format!("the base config's score on the {place} is {value}"),
                });
            }
            if serde_json::to_string(user_attrs).is_err() {
                return Err(StudyError::Preflight {
                    reason: format!("the metrics of the {place} do not serialise"),
                });
            }
            if user_attrs
                .get("n_trades")
                .and_then(serde_json::Value::as_u64)
                == Some(0)
            {
                notes.push(format!("the base config makes no trade on the {place}"));
            }
            if !constraint_violations.is_empty() {
                notes.push(format!(
                    "the base config is infeasible on the {place}: {}",
                    constraint_violations.join("; ")
                ));
            }
        }
        TrialOutcome::Failed { reason } => {
            return Err(StudyError::Preflight {
                reason: format!("the base config fails on the {place}: {reason}"),
            })
        }
        TrialOutcome::Pruned { .. } => {
            return Err(StudyError::Preflight {
                reason: format!("the base config was pruned on the {place} without thresholds"),
            })
        }
    }
    Ok(outcome)
}
