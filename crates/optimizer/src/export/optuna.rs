//! Optuna's journal format (`optuna/storages/journal/_storage.py`).
//!
//! The export is a JSONL file of Optuna journal operations: `CREATE_STUDY` (op 0, one
//! direction, maximise, or a multi-objective study's directions), `SET_STUDY_USER_ATTR`
//! (op 2, one per attribute, as Optuna 5 requires) carrying our whole header under
//! `genesis_header`, then one `CREATE_TRIAL` (op 4) per trial in number order with its
//! final state, value, distributions (as `distribution_to_json` strings), parameters in
//! Optuna's internal representation (floats; the choice index for categorical and grid
//! leaves), intermediate values, user attributes and system attributes.
//!
//! Mapping: the score is the value; a pruned trial's value is its last intermediate value,
//! as Optuna records it. A multi-objective study is created with its directions and its
//! complete trials carry `values` (one per objective, so `optuna.load_study(...).best_trials`
//! is our front); the score then travels as the user attribute `genesis_value`. User attributes are the caller's (metrics, fingerprint, ...) plus
//! `genesis_constraint_violations`, `genesis_feasible` and `genesis_duplicate_of`; system
//! attributes carry Optuna's `constraints` (one positive entry per violation, `[0.0]` when
//! feasible, which optuna-dashboard shows), `fail_reason`, and what the import needs to be
//! exact (`genesis_number`, `genesis_timing`, `genesis_pruned_at_step`). Fixed leaves are
//! not Optuna parameters; they travel in the header. Optuna numbers trials by creation
//! order, so a study with gaps (trials that were running when it stopped) is renumbered
//! there; `genesis_number` keeps ours.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::error::{OptimizerError, Result};
use crate::journal::{Header, StudyLog};
use crate::param::{ParamValue, Params};
use crate::settings::Direction;
use crate::space::{Distribution, SearchSpace};
use crate::trial::{Timing, TrialRecord, TrialState};

const WORKER_ID: &str = "genesis-export";
const HEADER_ATTR: &str = "genesis_header";
/// User and system attribute keys with this prefix are ours; the import strips them.
pub const RESERVED_PREFIX: &str = "genesis_";

/// Optuna's `JournalOperation` codes.
mod op_code {
    pub const CREATE_STUDY: i64 = 0;
    pub const SET_STUDY_USER_ATTR: i64 = 2;
    pub const CREATE_TRIAL: i64 = 4;
}

/// Optuna's `TrialState` and `StudyDirection` codes.
fn optuna_state(state: TrialState) -> i64 {
    match state {
        TrialState::Complete => 1,
        TrialState::Pruned => 2,
        TrialState::Failed => 3,
    }
}
const MAXIMIZE: i64 = 2;
const MINIMIZE: i64 = 1;
const VALUE_ATTR: &str = "genesis_value";

/// Optuna's `distribution_to_json` of a parameter's distribution: a JSON string naming the
/// class and its attributes, which `optuna.distributions.json_to_distribution` reads.
pub fn optuna_distribution_json(distribution: &Distribution) -> String {
    let value = match distribution {
        Distribution::Float {
            low,
            high,
            step,
            log,
        } => json!({"name": "FloatDistribution",
                    "attributes": {"low": low, "high": high, "step": step, "log": log}}),
        Distribution::Int {
            low,
            high,
            step,
            log,
        } => json!({"name": "IntDistribution",
                    "attributes": {"low": low, "high": high, "step": step, "log": log}}),
        Distribution::Categorical { choices: values } | Distribution::Grid { values } => {
            let choices: Vec<Value> = values.iter().map(ParamValue::to_json).collect();
            json!({"name": "CategoricalDistribution", "attributes": {"choices": choices}})
        }
    };
    value.to_string()
}

/// A value in Optuna's internal representation.
fn internal_repr(distribution: &Distribution, value: &ParamValue) -> Option<Value> {
    match distribution {
        Distribution::Categorical { choices: values } | Distribution::Grid { values } => values
            .iter()
            .position(|c| c.canonical_eq(value))
            .map(|i| json!(i)),
        _ => value
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number),
    }
}

fn external_repr(distribution: &Distribution, internal: &Value) -> Option<ParamValue> {
    let x = internal.as_f64()?;
    match distribution {
        Distribution::Categorical { choices: values } | Distribution::Grid { values } => {
            let i = usize::try_from(internal.as_u64()?).ok()?;
            values.get(i).cloned()
        }
        Distribution::Float { .. } => Some(ParamValue::Float(x)),
        Distribution::Int { .. } => {
            let rounded = libm::round(x);
            (rounded == x && rounded.abs() < 9.0e15).then_some(ParamValue::Int(rounded as i64))
        }
    }
}

/// Milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.ffffff` (UTC, what Python's
/// `datetime.fromisoformat` reads).
pub fn iso_datetime(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let ms_of_day = ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000 * 1000
    )
}

/// The study as Optuna journal JSONL.
pub fn to_optuna_journal(log: &StudyLog) -> Result<String> {
    to_optuna_journal_with(log, &[])
}

/// The study as Optuna journal JSONL, with `study_attrs` as further study user attributes
/// beside the header (figures computed over the whole study, for optuna-dashboard).
pub fn to_optuna_journal_with(log: &StudyLog, study_attrs: &[(String, Value)]) -> Result<String> {
    let mut attrs = Map::new();
    attrs.insert(
        HEADER_ATTR.to_string(),
        serde_json::to_value(&log.header).map_err(|e| export_error(e.to_string()))?,
    );
    for (key, value) in study_attrs {
        attrs.insert(key.clone(), value.clone());
    }
    let directions: Vec<i64> = if log.header.settings.directions.is_empty() {
        vec![MAXIMIZE]
    } else {
        log.header
            .settings
            .directions
            .iter()
            .map(|d| match d {
                Direction::Maximize => MAXIMIZE,
                Direction::Minimize => MINIMIZE,
            })
            .collect()
    };
    let mut lines: Vec<Value> = vec![json!({"op_code": op_code::CREATE_STUDY,
        "worker_id": WORKER_ID, "study_name": log.header.study_name, "directions": directions})];
    // One attribute per operation: Optuna 5 asserts it when it replays the journal.
    for (key, value) in attrs {
        lines.push(
            json!({"op_code": op_code::SET_STUDY_USER_ATTR, "worker_id": WORKER_ID,
                          "study_id": 0, "user_attr": {key: value}}),
        );
    }
    let space = &log.header.space;
    for trial in &log.trials {
        lines.push(trial_op(space, log, trial)?);
    }
    let mut out = String::new();
    for line in lines {
        out.push_str(&line.to_string());
        out.push('\n');
    }
    Ok(out)
}

fn export_error(message: String) -> OptimizerError {
    OptimizerError::Import { line: 0, message }
}

fn trial_op(space: &SearchSpace, log: &StudyLog, trial: &TrialRecord) -> Result<Value> {
    let mut distributions = Map::new();
    let mut params = Map::new();
    for spec in space.params() {
        let Some(value) = trial.params.get(&spec.path) else {
            continue;
        };
        let internal =
            internal_repr(&spec.distribution, value).ok_or_else(|| OptimizerError::Param {
                path: spec.path.clone(),
                message: format!("trial {}: value {value} is not in the space", trial.number),
            })?;
        distributions.insert(
            spec.path.clone(),
            Value::String(optuna_distribution_json(&spec.distribution)),
        );
        params.insert(spec.path.clone(), internal);
    }
    // A duplicate ran nowhere: it takes the moment its original finished.
    let shown_timing = trial.timing.or_else(|| {
        trial
            .duplicate_of
            .and_then(|o| log.trial(o))
            .and_then(|o| o.timing)
            .map(|t| Timing {
                started_ms: t.finished_ms,
                ..t
            })
    });
    let (start, complete) = shown_timing.map_or((0, 0), |t| (t.started_ms, t.finished_ms));
    let is_multi = log.header.settings.is_multi_objective();
    let values = match trial.state {
        TrialState::Complete if is_multi => json!(trial.values),
        _ => Value::Null,
    };
    let value = match trial.state {
        TrialState::Complete if is_multi => Value::Null,
        TrialState::Complete => trial.value.map_or(Value::Null, |v| json!(v)),
        TrialState::Pruned => trial
            .last_intermediate()
            .map_or(Value::Null, |(_, v)| json!(v)),
        TrialState::Failed => Value::Null,
    };
    let intermediate: Map<String, Value> = trial
        .intermediate
        .iter()
        .map(|(step, v)| (step.to_string(), json!(v)))
        .collect();
    let mut user_attrs: Map<String, Value> = trial
        .user_attrs
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    user_attrs.insert(
        "genesis_constraint_violations".into(),
        json!(trial.constraint_violations),
    );
    user_attrs.insert("genesis_feasible".into(), json!(trial.is_feasible()));
    if is_multi {
        if let Some(score) = trial.value {
            user_attrs.insert(VALUE_ATTR.into(), json!(score));
        }
    }
    if let Some(original) = trial.duplicate_of {
        user_attrs.insert("genesis_duplicate_of".into(), json!(original));
    }
    let mut system_attrs = Map::new();
    system_attrs.insert("genesis_number".into(), json!(trial.number));
    system_attrs.insert("genesis_timing".into(), json!(trial.timing));
    if trial.state == TrialState::Complete {
        let constraints: Vec<f64> = if trial.constraint_violations.is_empty() {
            vec![0.0]
        } else {
            vec![1.0; trial.constraint_violations.len()]
        };
        system_attrs.insert("constraints".into(), json!(constraints));
    }
    if let Some(step) = trial.pruned_at_step {
        system_attrs.insert("genesis_pruned_at_step".into(), json!(step));
    }
    if let Some(reason) = &trial.fail_reason {
        system_attrs.insert("fail_reason".into(), json!(reason));
    }
    Ok(json!({
        "op_code": op_code::CREATE_TRIAL,
        "worker_id": WORKER_ID,
        "study_id": 0,
        "datetime_start": iso_datetime(start),
        "datetime_complete": iso_datetime(complete),
        "state": optuna_state(trial.state),
        "value": value,
        "values": values,
        "distributions": distributions,
        "params": params,
        "user_attrs": user_attrs,
        "system_attrs": system_attrs,
        "intermediate_values": intermediate,
    }))
}

/// Reads back a journal written by [`to_optuna_journal`]. Errors name the line.
pub fn from_optuna_journal(text: &str) -> Result<StudyLog> {
    let mut header: Option<Header> = None;
    let mut has_study = false;
    let mut trials = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let err = |message: String| OptimizerError::Import {
            line: line_no,
            message,
        };
        let op: Value = serde_json::from_str(line).map_err(|e| err(e.to_string()))?;
        match op.get("op_code").and_then(Value::as_i64) {
            Some(op_code::CREATE_STUDY) => {
                if has_study {
                    return Err(err("more than one study; Genesis exports hold one".into()));
                }
                has_study = true;
            }
            Some(op_code::SET_STUDY_USER_ATTR) => {
                if let Some(h) = op.get("user_attr").and_then(|a| a.get(HEADER_ATTR)) {
                    header = Some(
                        serde_json::from_value(h.clone())
                            .map_err(|e| err(format!("bad {HEADER_ATTR}: {e}")))?,
                    );
                }
            }
            Some(op_code::CREATE_TRIAL) => {
                let header = header.as_ref().ok_or_else(|| {
                    err(format!(
                        "a trial before the study's {HEADER_ATTR}: not a Genesis export"
                    ))
                })?;
                let number = trials.len() as u64;
                trials.push(trial_from_op(&header.space, &op, number).map_err(err)?);
            }
            Some(other) => {
                return Err(err(format!(
                    "op_code {other} does not occur in Genesis exports"
                )))
            }
            None => return Err(err("no op_code".into())),
        }
    }
    let header = header.ok_or(OptimizerError::Import {
        line: 0,
        message: format!("no {HEADER_ATTR}: not a Genesis export"),
    })?;
    trials.sort_by_key(|t: &TrialRecord| t.number);
    Ok(StudyLog {
        header,
        trials,
        stops: Vec::new(),
        resumes: Vec::new(),
    })
}

fn trial_from_op(
    space: &SearchSpace,
    op: &Value,
    fallback_number: u64,
) -> std::result::Result<TrialRecord, String> {
    let system = op.get("system_attrs").and_then(Value::as_object);
    let user = op.get("user_attrs").and_then(Value::as_object);
    let sys = |key: &str| system.and_then(|s| s.get(key));
    let number = sys("genesis_number")
        .and_then(Value::as_u64)
        .unwrap_or(fallback_number);
    let state = match op.get("state").and_then(Value::as_i64) {
        Some(1) => TrialState::Complete,
        Some(2) => TrialState::Pruned,
        Some(3) => TrialState::Failed,
        other => return Err(format!("trial {number}: unsupported state {other:?}")),
    };
    let mut params = Params::new();
    if let Some(internal) = op.get("params").and_then(Value::as_object) {
        for (path, x) in internal {
            let spec = space
                .params()
                .iter()
                .find(|p| &p.path == path)
                .ok_or_else(|| format!("trial {number}: `{path}` is not in the header's space"))?;
            let value = external_repr(&spec.distribution, x)
                .ok_or_else(|| format!("trial {number}: `{path}` has a bad value {x}"))?;
            params.insert(path.clone(), value);
        }
    }
    let mut intermediate: Vec<(u64, f64)> = op
        .get("intermediate_values")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.parse::<u64>().ok()?, v.as_f64()?)))
                .collect()
        })
        .unwrap_or_default();
    intermediate.sort_by_key(|(step, _)| *step);
    let constraint_violations: Vec<String> = user
        .and_then(|u| u.get("genesis_constraint_violations"))
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let user_attrs: BTreeMap<String, Value> = user
        .map(|u| {
            u.iter()
                .filter(|(k, _)| !k.starts_with(RESERVED_PREFIX))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    let timing: Option<Timing> =
        sys("genesis_timing").and_then(|t| serde_json::from_value(t.clone()).ok());
    Ok(TrialRecord {
        number,
        params,
        state,
        value: match state {
            TrialState::Complete => op
                .get("value")
                .and_then(Value::as_f64)
                .or_else(|| user.and_then(|u| u.get(VALUE_ATTR)).and_then(Value::as_f64)),
            _ => None,
        },
        values: match (state, op.get("values")) {
            (TrialState::Complete, Some(Value::Array(values))) => values
                .iter()
                .map(Value::as_f64)
                .collect::<Option<Vec<f64>>>()
                .ok_or_else(|| format!("trial {number}: `values` holds a non-number"))?,
            _ => Vec::new(),
        },
        intermediate,
        pruned_at_step: sys("genesis_pruned_at_step").and_then(Value::as_u64),
        constraint_violations,
        user_attrs,
        fail_reason: sys("fail_reason")
            .and_then(Value::as_str)
            .map(str::to_string),
        duplicate_of: user
            .and_then(|u| u.get("genesis_duplicate_of"))
            .and_then(Value::as_u64),
        timing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_datetimes_match_known_instants() {
        // Independently known instants: the epoch, and 2024-02-29 12:34:56.789 UTC
        // (1709210096789 ms since the epoch).
        assert_eq!(iso_datetime(0), "1970-01-01T00:00:00.000000");
        assert_eq!(
            iso_datetime(1_709_210_096_789),
            "2024-02-29T12:34:56.789000"
        );
        assert_eq!(iso_datetime(-1), "1969-12-31T23:59:59.999000");
    }
}
