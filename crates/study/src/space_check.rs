//! Checking a search space against the base config before anything runs.
//!
//! - **Keys.** Every leaf path (parameters and `fixed` values) must be a key the config
//!   knows: a path of its canonical value (`thresholds.regime_proba.trend`,
//!   `risk_map[0][1]`), or one the config accepts when set (an optional key left out of
//!   the base). Anything else is [`OptimizerError::UnknownKey`](genesis_optimizer::OptimizerError::UnknownKey) with the nearest known path
//!   as a suggestion.
//! - **Values.** Each end of a range (`low`, `high`), each choice and each fixed value is
//!   set on the base config. A value that is invalid *whatever the other parameters are*
//!   (tried with the others at the base's values, all at their lows, all at their highs;
//!   a try that another key breaks does not count)
//!   is an [`OptimizerError::Param`](genesis_optimizer::OptimizerError::Param) naming the dotted path and the config's message
//!   (`fast_period: value 0: must be at least 1 bar`, a string where a number belongs).
//!   Combinations invalid only together (`fast_period 50` with `slow_period 20`) are left
//!   to the trials, which fail with the reason.

use std::collections::BTreeSet;

use genesis_engine::strategy::{StrategyConfig, StrategyError};
use genesis_optimizer::space::Distribution;
use genesis_optimizer::{OptimizerError, ParamValue, SearchSpace};
use serde_json::Value;

use crate::error::{Result, StudyError};

/// Every path of `value`: mapping keys joined by dots, list items as `[i]`, inner nodes
/// included.
pub fn config_paths(value: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    collect_paths(value, "", &mut out);
    out
}

fn collect_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                out.insert(path.clone());
                collect_paths(item, &path, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let path = format!("{prefix}[{i}]");
                out.insert(path.clone());
                collect_paths(item, &path, out);
            }
        }
        _ => {}
    }
}

/// The values of a leaf worth trying: the ends of a range, every choice.
fn extremes(distribution: &Distribution) -> Vec<ParamValue> {
    match distribution {
        Distribution::Float { low, high, .. } => {
            vec![ParamValue::Float(*low), ParamValue::Float(*high)]
        }
        Distribution::Int { low, high, .. } => vec![ParamValue::Int(*low), ParamValue::Int(*high)],
        Distribution::Categorical { choices: values } | Distribution::Grid { values } => {
            values.clone()
        }
    }
}

fn low_end(distribution: &Distribution) -> Option<Value> {
    extremes(distribution).first().map(ParamValue::to_json)
}

fn high_end(distribution: &Distribution) -> Option<Value> {
    extremes(distribution).last().map(ParamValue::to_json)
}

/// Checks `space` against `base` (see the module docs); every problem at once.
pub fn check_space(space: &SearchSpace, base: &StrategyConfig) -> Result<()> {
    let known = config_paths(&base.to_value());
    let known_refs: Vec<&str> = known.iter().map(String::as_str).collect();
    let mut errors: Vec<OptimizerError> = Vec::new();

    let key_check = space.check_keys(|path| {
        if known.contains(path) {
            return Ok(());
        }
        let probe = space
            .params()
            .iter()
            .find(|p| p.path == path)
            .and_then(|p| low_end(&p.distribution))
            .or_else(|| space.fixed().get(path).cloned())
            .unwrap_or(Value::Null);
        match base.with_params([(path, probe)]) {
            Err(StrategyError::UnknownKey { .. }) => Err(OptimizerError::unknown_key(
                path,
                known_refs.iter().copied(),
            )),
            // `set_dotted` refuses a path through a number or a list index past the end.
            Err(StrategyError::Invalid { key, message, .. })
                if message.starts_with("cannot set") =>
            {
                Err(OptimizerError::Param {
                    path: path.to_string(),
                    message: format!("not a key of the config ({key}: {message})"),
                })
            }
            _ => Ok(()),
        }
    });
    if let Err(key_errors) = key_check {
        // Values of unknown keys cannot be checked; report the keys first.
        return Err(StudyError::Space { errors: key_errors });
    }

    // Three contexts for the other parameters: the base's values, all at their low ends,
    // all at their high ends. The fixed values are set in every context.
    let fixed: Vec<(&str, Value)> = space
        .fixed()
        .iter()
        .map(|(path, value)| (path.as_str(), value.clone()))
        .collect();
    let at = |pick: fn(&Distribution) -> Option<Value>, except: &str| -> Vec<(String, Value)> {
        space
            .params()
            .iter()
            .filter(|p| p.path != except)
            .filter_map(|p| pick(&p.distribution).map(|v| (p.path.clone(), v)))
            .collect()
    };
    let fails_everywhere = |path: &str, value: &Value| -> Option<String> {
        let contexts: [Vec<(String, Value)>; 3] =
            [Vec::new(), at(low_end, path), at(high_end, path)];
        let mut first_message = None;
        for others in contexts {
            let overrides = fixed
                .iter()
                .filter(|(p, _)| *p != path)
                .map(|(p, v)| (*p, v.clone()))
                .chain(others.iter().map(|(p, v)| (p.as_str(), v.clone())))
                .chain(std::iter::once((path, value.clone())));
            match base.with_params(overrides) {
                Ok(_) => return None,
                Err(err) => {
                    let is_about_path = err.key().is_some_and(|key| {
                        key == path
                            || key.starts_with(&format!("{path}."))
                            || key.starts_with(&format!("{path}["))
                    });
                    // A context broken by another key says nothing about this one.
                    if is_about_path {
                        first_message.get_or_insert_with(|| message_of(&err));
                    }
                }
            }
        }
        first_message
    };
    for spec in space.params() {
        for value in extremes(&spec.distribution) {
            if let Some(message) = fails_everywhere(&spec.path, &value.to_json()) {
                errors.push(OptimizerError::Param {
                    path: spec.path.clone(),
                    message: format!("value {value}: {message}"),
                });
                break;
            }
        }
    }
    for (path, value) in space.fixed() {
        if let Some(message) = fails_everywhere(path, value) {
            errors.push(OptimizerError::Param {
                path: path.clone(),
                message: format!("fixed value {value}: {message}"),
            });
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StudyError::Space { errors })
    }
}

/// The config's message without the key it names (the caller names the path).
fn message_of(err: &StrategyError) -> String {
    match err {
        StrategyError::Invalid { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
