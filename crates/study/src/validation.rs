//! Explore then validate: the best in-sample trials re-run on the out-of-sample window.
//!
//! The candidates are the top `K` feasible, complete, non-duplicate trials by in-sample
//! score (ties by trial number). Each is re-run on the out-of-sample window through the
//! same [`Objective`](crate::Objective) path its trial took (no pruning), and judged by the
//! study's [`ValidationRule`](crate::ValidationRule) (see there for the pass rule). The result is recorded on the
//! trial as the user attribute [`VALIDATION_ATTR`](crate::validation::VALIDATION_ATTR), a journal op of its own, so the
//! browser and optuna-dashboard show in-sample against out-of-sample, and a promotion can
//! check it.

use std::collections::BTreeMap;

use genesis_engine::backtest::Window;
use genesis_engine::features::FeatureStore;
use genesis_optimizer::pareto::StudyFront;
use genesis_optimizer::summary::top_trials;
use genesis_optimizer::{
    JournalBackend, PruneThresholds, Study, StudyLog, TrialOutcome, TrialRecord,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StudyError};
use crate::objective::FINGERPRINT_ATTR;
use crate::spec::{StudyPlan, ValidationRule};

/// The user attribute a validation is recorded under.
pub const VALIDATION_ATTR: &str = "validation";

/// One trial's out-of-sample validation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationResult {
    pub window: Window,
    pub rule: ValidationRule,
    pub is_passed: bool,
    /// Why it did not pass; empty when it passed.
    pub reasons: Vec<String>,
    pub in_sample_score: f64,
    /// The out-of-sample score (0 when the run failed).
    pub score: f64,
    pub is_feasible: bool,
    pub constraint_violations: Vec<String>,
    /// The effective config's fingerprint (the trial's own).
    pub fingerprint: String,
    /// Out-of-sample metrics under their own names.
    pub metrics: BTreeMap<String, Value>,
}

impl ValidationResult {
    /// The attribute map to record on the trial.
    pub fn to_attrs(&self) -> BTreeMap<String, Value> {
        let mut attrs = BTreeMap::new();
        attrs.insert(
            VALIDATION_ATTR.to_string(),
            serde_json::to_value(self).unwrap_or(Value::Null),
        );
        attrs
    }
}

/// The validation recorded on `record`, if any (an unreadable one is an error naming the
/// trial).
pub fn recorded_validation(record: &TrialRecord) -> Result<Option<ValidationResult>> {
    match record.user_attrs.get(VALIDATION_ATTR) {
        None => Ok(None),
        Some(value) => ValidationResult::deserialize(value)
            .map(Some)
            .map_err(|err| StudyError::Trial {
                number: record.number,
                message: format!("its `{VALIDATION_ATTR}` attribute does not parse: {err}"),
            }),
    }
}

/// The top `k` feasible, complete, non-duplicate trials by score, best first; in a
/// multi-objective study the first `k` members of the Pareto front, best first by the first
/// objective.
pub fn candidates(log: &StudyLog, k: usize) -> Vec<&TrialRecord> {
    if let Some(front) = StudyFront::of(log, None) {
        return front
            .members
            .iter()
            .filter_map(|&number| log.trial(number))
            .take(k)
            .collect();
    }
    top_trials(log, log.trials.len())
        .into_iter()
        .filter(|t| t.is_feasible())
        .take(k)
        .collect()
}

/// Which conditions of `rule` an out-of-sample run fails (empty: it passes).
pub fn judge(
    rule: &ValidationRule,
    in_sample_score: f64,
    score: f64,
    constraint_violations: &[String],
) -> Vec<String> {
    let mut reasons: Vec<String> = constraint_violations
        .iter()
        .map(|reason| format!("out of sample: {reason}"))
        .collect();
    if score < rule.min_oos_score {
        reasons.push(format!(
            "out-of-sample score {score:.4} is below min_oos_score {}",
            rule.min_oos_score
        ));
    }
    if let Some(d) = rule.max_degradation {
        let floor = in_sample_score - d * in_sample_score.abs();
        if score < floor {
            reasons.push(format!(
                "out-of-sample score {score:.4} is below {floor:.4}: the in-sample score \
                 {in_sample_score:.4} less max_degradation {d} of it"
            ));
        }
    }
    reasons
}

/// Re-runs `record` on the plan's out-of-sample window and judges it by `rule`.
pub fn validate_record(
    plan: &StudyPlan,
    store: &mut FeatureStore,
    record: &TrialRecord,
    rule: &ValidationRule,
) -> Result<ValidationResult> {
    let objective = plan.oos_objective().ok_or_else(|| {
        StudyError::setting(
            "in_sample_fraction",
            "the study has no out-of-sample window to validate on",
        )
    })?;
    let in_sample_score = match (record.is_feasible(), record.value) {
        (true, Some(value)) => value,
        _ => {
            return Err(StudyError::Trial {
                number: record.number,
                message: "only feasible complete trials are validated".into(),
            })
        }
    };
    let rule = rule.clone();
    let outcome = objective.evaluate_params(store, &record.params, &PruneThresholds::default());
    let result = match outcome {
        TrialOutcome::Complete {
            value,
            constraint_violations,
            mut user_attrs,
            ..
        } => {
            let fingerprint = match user_attrs.remove(FINGERPRINT_ATTR) {
                Some(Value::String(fingerprint)) => fingerprint,
                _ => String::new(),
            };
            user_attrs.remove(crate::objective::DATASET_ATTR);
            let reasons = judge(&rule, in_sample_score, value, &constraint_violations);
            ValidationResult {
                window: objective.window(),
                rule,
                is_passed: reasons.is_empty(),
                reasons,
                in_sample_score,
                score: value,
                is_feasible: constraint_violations.is_empty(),
                constraint_violations,
                fingerprint,
                metrics: user_attrs,
            }
        }
        TrialOutcome::Failed { reason } => ValidationResult {
            window: objective.window(),
            rule,
            is_passed: false,
            reasons: vec![format!("out of sample: the run failed: {reason}")],
            in_sample_score,
            score: 0.0,
            is_feasible: false,
            constraint_violations: Vec::new(),
            fingerprint: String::new(),
            metrics: BTreeMap::new(),
        },
        TrialOutcome::Pruned { .. } => {
            return Err(StudyError::Trial {
                number: record.number,
                message: "was pruned out of sample without thresholds (a bug)".into(),
            })
        }
    };
    if let Some(Value::String(stored)) = record.user_attrs.get(FINGERPRINT_ATTR) {
        if !result.fingerprint.is_empty() && stored != &result.fingerprint {
            return Err(StudyError::Trial {
                number: record.number,
                message: format!(
                    "its effective config now has fingerprint {}, not the {} it ran with",
                    short(&result.fingerprint),
                    short(stored)
                ),
            });
        }
    }
    Ok(result)
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Validates the study's top `plan.metadata.validation.top_k` trials one after another and
/// records each result on its trial. Trials already validated on the same window under the
/// same rule are skipped (the result would be the same). Returns the results, best trial
/// first, including the skipped ones' recorded results.
pub fn validate_top<B: JournalBackend>(
    study: &mut Study<B>,
    plan: &StudyPlan,
    store: &mut FeatureStore,
) -> Result<Vec<(u64, ValidationResult)>> {
    let log = study.log()?;
    let work = pending_validations(plan, &log)?;
    let mut out = Vec::with_capacity(work.len());
    for (record, recorded) in work {
        let result = match recorded {
            Some(result) => result,
            None => {
                let result = validate_record(plan, store, &record, &plan.metadata.validation)?;
                study.set_trial_user_attrs(record.number, result.to_attrs())?;
                result
            }
        };
        out.push((record.number, result));
    }
    Ok(out)
}

/// The candidates to validate, best first, each with the validation it already has when
/// that one was made on the plan's window under the plan's rule.
pub fn pending_validations(
    plan: &StudyPlan,
    log: &StudyLog,
) -> Result<Vec<(TrialRecord, Option<ValidationResult>)>> {
    let window = plan.metadata.windows.out_of_sample;
    let rule = &plan.metadata.validation;
    candidates(log, rule.top_k)
        .into_iter()
        .map(|record| {
            let recorded = recorded_validation(record)?
                .filter(|v| Some(v.window) == window && &v.rule == rule);
            Ok((record.clone(), recorded))
        })
        .collect()
}
