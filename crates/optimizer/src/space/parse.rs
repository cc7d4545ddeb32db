//! YAML search spaces, parsed into a value tree and walked by hand so that every error names
//! the dotted path it is about.
//!
//! Rules:
//! - The document is a mapping shaped like the configuration it optimises. Keys are
//!   non-empty strings without dots; the dotted path of a leaf joins the keys above it.
//! - A mapping with a string `type` is a leaf. Its fields by type:
//!   `fixed: value` · `grid: values` · `float: low, high, [step], [log]` ·
//!   `int: low, high, [step], [log]` · `loguniform: low, high` · `categorical: choices`.
//!   Any other field is an error, as is a missing required one.
//! - A scalar or a list where a leaf was expected is an error ("leaf without `type`"), and so
//!   is a mapping without `type` that carries a leaf field (`low`, `values`, ...) whose value
//!   is not itself a mapping. The old system read such leaves as sub-trees and failed much
//!   later with "'float' object has no attribute get"; here it fails at once, by path. A key
//!   whose value is a mapping (such as the `low` zone of `signal_adaptation.zones`) is a
//!   sub-tree, as it should be.
//! - `low <= high`; a `step` must divide `high - low` into a whole number of steps (within
//!   [`STEP_TOLERANCE`](crate::space::STEP_TOLERANCE) relative); log-scaled ranges need `low > 0`; `step` and `log`
//!   do not combine on floats, and log-scaled integers take only step 1; `choices` and
//!   `values` are non-empty lists of distinct scalars (bool, number, string).

use std::collections::{BTreeMap, BTreeSet};

use serde_yaml_ng::{Mapping, Value};

use super::{Distribution, ParamSpec, SearchSpace, STEP_TOLERANCE};
use crate::error::{OptimizerError, Result};
use crate::param::ParamValue;

/// The fields a leaf may carry; a mapping without `type` holding one of these (with a
/// non-mapping value) is a leaf that forgot its `type`.
const LEAF_FIELDS: [&str; 7] = ["value", "values", "low", "high", "step", "choices", "log"];

pub(crate) fn parse_yaml(text: &str) -> Result<SearchSpace> {
    let mut root: Value = serde_yaml_ng::from_str(text).map_err(yaml_error)?;
    root.apply_merge().map_err(yaml_error)?;
    let mut params = Vec::new();
    let mut fixed = BTreeMap::new();
    match &root {
        Value::Mapping(map) => walk("", map, &mut params, &mut fixed)?,
        Value::Null => {
            return Err(OptimizerError::InvalidKey {
                path: "<root>".into(),
                message: "the search space is empty".into(),
            })
        }
        other => {
            return Err(OptimizerError::InvalidKey {
                path: "<root>".into(),
                message: format!(
                    "the search space must be a mapping shaped like the config, found {}",
                    describe(other)
                ),
            })
        }
    }
    SearchSpace::from_parts(params, fixed)
}

fn yaml_error(error: serde_yaml_ng::Error) -> OptimizerError {
    let (line, column) = error.location().map_or((0, 0), |l| (l.line(), l.column()));
    OptimizerError::Yaml {
        line,
        column,
        message: error.to_string(),
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn walk(
    prefix: &str,
    map: &Mapping,
    params: &mut Vec<ParamSpec>,
    fixed: &mut BTreeMap<String, serde_json::Value>,
) -> Result<()> {
    if map.is_empty() {
        return Err(OptimizerError::InvalidKey {
            path: if prefix.is_empty() { "<root>" } else { prefix }.to_string(),
            message: "empty mapping: nothing to optimise here".into(),
        });
    }
    for (key, value) in map {
        let key = match key {
            Value::String(s) => s.as_str(),
            other => {
                return Err(OptimizerError::InvalidKey {
                    path: join(prefix, &format!("<{}>", describe(other))),
                    message: "keys must be strings".into(),
                })
            }
        };
        let path = join(prefix, key);
        if key.is_empty() || key.contains('.') {
            return Err(OptimizerError::InvalidKey {
                path,
                message: "a key must be non-empty and contain no dot (dots join the path)".into(),
            });
        }
        match value {
            Value::Mapping(inner) => match inner.get("type") {
                Some(Value::String(kind)) => match parse_leaf(&path, kind, inner)? {
                    Leaf::Fixed(v) => {
                        fixed.insert(path, v);
                    }
                    Leaf::Param(distribution) => params.push(ParamSpec { path, distribution }),
                },
                Some(Value::Mapping(_)) | None => {
                    if let Some(field) = LEAF_FIELDS
                        .iter()
                        .find(|f| inner.get(**f).is_some_and(|v| !v.is_mapping()))
                    {
                        return Err(OptimizerError::MissingType {
                            path,
                            message: format!(
                                "has `{field}` but no `type`; a leaf needs \
                                 `type: fixed|grid|float|int|loguniform|categorical`"
                            ),
                        });
                    }
                    walk(&path, inner, params, fixed)?;
                }
                Some(other) => {
                    return Err(OptimizerError::UnknownType {
                        path,
                        found: format!("<{}>", describe(other)),
                    })
                }
            },
            other => {
                return Err(OptimizerError::MissingType {
                    path,
                    message: format!(
                        "leaf without `type`: found {}; pin it with `{{type: fixed, value: ...}}` \
                         or give a range such as `{{type: float, low: ..., high: ...}}`",
                        describe(other)
                    ),
                })
            }
        }
    }
    Ok(())
}

enum Leaf {
    Fixed(serde_json::Value),
    Param(Distribution),
}

fn allowed_fields(kind: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    // (allowed, required), `type` excluded.
    Some(match kind {
        "fixed" => (&["value"], &["value"]),
        "grid" => (&["values"], &["values"]),
        "float" | "int" => (&["low", "high", "step", "log"], &["low", "high"]),
        "loguniform" => (&["low", "high"], &["low", "high"]),
        "categorical" => (&["choices"], &["choices"]),
        _ => return None,
    })
}

fn list_fields(fields: &[&str]) -> String {
    let quoted: Vec<String> = fields.iter().map(|f| format!("`{f}`")).collect();
    match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    }
}

fn parse_leaf(path: &str, kind: &str, map: &Mapping) -> Result<Leaf> {
    let (allowed, required) = allowed_fields(kind).ok_or_else(|| OptimizerError::UnknownType {
        path: path.to_string(),
        found: kind.to_string(),
    })?;
    for key in map.keys() {
        let field = match key {
            Value::String(s) => s.as_str(),
            other => {
                return Err(OptimizerError::InvalidKey {
                    path: join(path, &format!("<{}>", describe(other))),
                    message: "keys must be strings".into(),
                })
            }
        };
        if field != "type" && !allowed.contains(&field) {
            return Err(OptimizerError::ExtraField {
                path: path.to_string(),
                kind: kind.to_string(),
                field: field.to_string(),
                allowed: list_fields(allowed),
            });
        }
    }
    if let Some(missing) = required.iter().find(|f| map.get(**f).is_none()) {
        return Err(OptimizerError::MissingField {
            path: path.to_string(),
            kind: kind.to_string(),
            field: missing.to_string(),
        });
    }
    let field = |name: &str| map.get(name);
    let distribution = match kind {
        "fixed" => {
            let value = field("value").unwrap_or(&Value::Null);
            return Ok(Leaf::Fixed(to_json(path, "value", value)?));
        }
        "grid" => Distribution::Grid {
            values: scalar_list(path, "values", field("values"))?,
        },
        "categorical" => Distribution::Categorical {
            choices: scalar_list(path, "choices", field("choices"))?,
        },
        "float" | "loguniform" => {
            let log = kind == "loguniform" || optional_bool(path, "log", field("log"))?;
            Distribution::Float {
                low: number(path, "low", field("low"))?,
                high: number(path, "high", field("high"))?,
                step: field("step")
                    .map(|v| number(path, "step", Some(v)))
                    .transpose()?,
                log,
            }
        }
        _ => Distribution::Int {
            low: integer(path, "low", field("low"))?,
            high: integer(path, "high", field("high"))?,
            step: field("step")
                .map(|v| integer(path, "step", Some(v)))
                .transpose()?
                .unwrap_or(1),
            log: optional_bool(path, "log", field("log"))?,
        },
    };
    validate_distribution(path, &distribution)?;
    Ok(Leaf::Param(distribution))
}

fn invalid(path: &str, field: &str, message: impl Into<String>) -> OptimizerError {
    OptimizerError::InvalidField {
        path: path.to_string(),
        field: field.to_string(),
        message: message.into(),
    }
}

fn number(path: &str, field: &str, value: Option<&Value>) -> Result<f64> {
    match value {
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(x),
            _ => Err(invalid(path, field, "must be a finite number")),
        },
        Some(other) => Err(invalid(
            path,
            field,
            format!("must be a number, found {}", describe(other)),
        )),
        None => Err(invalid(path, field, "missing")),
    }
}

fn integer(path: &str, field: &str, value: Option<&Value>) -> Result<i64> {
    match value {
        Some(Value::Number(n)) => n
            .as_i64()
            .ok_or_else(|| invalid(path, field, format!("must be an integer, found {n}"))),
        Some(other) => Err(invalid(
            path,
            field,
            format!("must be an integer, found {}", describe(other)),
        )),
        None => Err(invalid(path, field, "missing")),
    }
}

fn optional_bool(path: &str, field: &str, value: Option<&Value>) -> Result<bool> {
    match value {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(invalid(
            path,
            field,
            format!("must be true or false, found {}", describe(other)),
        )),
    }
}

fn scalar(path: &str, field: &str, value: &Value) -> Result<ParamValue> {
    match value {
        Value::Bool(b) => Ok(ParamValue::Bool(*b)),
        Value::String(s) => Ok(ParamValue::Str(s.clone())),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(ParamValue::Int(i))
            } else if n.is_f64() {
                match n.as_f64() {
                    Some(x) if x.is_finite() => Ok(ParamValue::Float(x)),
                    _ => Err(invalid(path, field, "values must be finite numbers")),
                }
            } else {
                Err(invalid(path, field, format!("integer {n} is out of range")))
            }
        }
        other => Err(invalid(
            path,
            field,
            format!(
                "entries must be scalars (boolean, number or string), found {}",
                describe(other)
            ),
        )),
    }
}

fn scalar_list(path: &str, field: &str, value: Option<&Value>) -> Result<Vec<ParamValue>> {
    match value {
        Some(Value::Sequence(items)) => items.iter().map(|v| scalar(path, field, v)).collect(),
        Some(other) => Err(invalid(
            path,
            field,
            format!("must be a list, found {}", describe(other)),
        )),
        None => Err(invalid(path, field, "missing")),
    }
}

fn to_json(path: &str, field: &str, value: &Value) -> Result<serde_json::Value> {
    Ok(match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                serde_json::Value::from(i)
            } else if let Some(u) = n.as_u64() {
                serde_json::Value::from(u)
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map(serde_json::Value::Number)
                    .ok_or_else(|| invalid(path, field, "numbers must be finite"))?
            }
        }
        Value::Sequence(items) => serde_json::Value::Array(
            items
                .iter()
                .map(|v| to_json(path, field, v))
                .collect::<Result<_>>()?,
        ),
        Value::Mapping(map) => {
            let mut out = serde_json::Map::new();
            for (k, v) in map {
                let Value::String(k) = k else {
                    return Err(invalid(path, field, "mapping keys must be strings"));
                };
                out.insert(k.clone(), to_json(path, field, v)?);
            }
            serde_json::Value::Object(out)
        }
        Value::Tagged(_) => return Err(invalid(path, field, "YAML tags are not supported")),
    })
}

/// Checks one distribution's bounds, steps and choices; the same rules apply to a space
/// parsed from YAML and to one read back from a journal.
pub(crate) fn validate_distribution(path: &str, distribution: &Distribution) -> Result<()> {
    match distribution {
        Distribution::Float {
            low,
            high,
            step,
            log,
        } => {
            if !low.is_finite() || !high.is_finite() {
                return Err(invalid(path, "low", "bounds must be finite numbers"));
            }
            if low > high {
                return Err(OptimizerError::LowAboveHigh {
                    path: path.to_string(),
                    low: *low,
                    high: *high,
                });
            }
            if !(high - low).is_finite() {
                return Err(invalid(path, "high", "the range high - low overflows"));
            }
            if *log && *low <= 0.0 {
                return Err(OptimizerError::NonPositiveLogLow {
                    path: path.to_string(),
                    low: *low,
                });
            }
            if let Some(step) = step {
                if *log {
                    return Err(invalid(
                        path,
                        "step",
                        "a log-scaled float cannot have a step",
                    ));
                }
                if !(step.is_finite() && *step > 0.0) {
                    return Err(invalid(path, "step", "must be a positive number"));
                }
                let quotient = (high - low) / step;
                let whole = libm::round(quotient);
                if (quotient - whole).abs() > STEP_TOLERANCE * whole.max(1.0) {
                    return Err(OptimizerError::StepDoesNotDivide {
                        path: path.to_string(),
                        low: *low,
                        high: *high,
                        step: *step,
                    });
                }
                if whole > 1e12 {
                    return Err(invalid(path, "step", "gives more than 10^12 steps"));
                }
            }
        }
        Distribution::Int {
            low,
            high,
            step,
            log,
        } => {
            if low > high {
                return Err(OptimizerError::LowAboveHigh {
                    path: path.to_string(),
                    low: *low as f64,
                    high: *high as f64,
                });
            }
            if *step < 1 {
                return Err(invalid(path, "step", "must be an integer of at least 1"));
            }
            if *log && *low <= 0 {
                return Err(OptimizerError::NonPositiveLogLow {
                    path: path.to_string(),
                    low: *low as f64,
                });
            }
            if *log && *step != 1 {
                return Err(invalid(path, "step", "a log-scaled int takes only step 1"));
            }
            if ((*high as i128) - (*low as i128)) % (*step as i128) != 0 {
                return Err(OptimizerError::StepDoesNotDivide {
                    path: path.to_string(),
                    low: *low as f64,
                    high: *high as f64,
                    step: *step as f64,
                });
            }
        }
        Distribution::Categorical { choices: values } | Distribution::Grid { values } => {
            let field = if matches!(distribution, Distribution::Grid { .. }) {
                "values"
            } else {
                "choices"
            };
            if values.is_empty() {
                return Err(OptimizerError::EmptyChoices {
                    path: path.to_string(),
                    field: field.to_string(),
                });
            }
            let mut seen = BTreeSet::new();
            for value in values {
                if let ParamValue::Float(x) = value {
                    if !x.is_finite() {
                        return Err(invalid(path, field, "values must be finite numbers"));
                    }
                }
                if !seen.insert(value.canonical()) {
                    return Err(invalid(path, field, format!("{value} is listed twice")));
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn check_path(path: &str) -> Result<()> {
    if path.is_empty() || path.split('.').any(str::is_empty) {
        return Err(OptimizerError::InvalidKey {
            path: path.to_string(),
            message: "a dotted path needs non-empty segments".into(),
        });
    }
    Ok(())
}

/// No leaf may lie under another leaf (`a` fixed and `a.b` a parameter).
pub(crate) fn check_no_prefix_clash(paths: &[&str]) -> Result<()> {
    let all: BTreeSet<&str> = paths.iter().copied().collect();
    for path in paths {
        for (i, _) in path.match_indices('.') {
            let parent = &path[..i];
            if all.contains(parent) {
                return Err(OptimizerError::InvalidKey {
                    path: path.to_string(),
                    message: format!("lies under `{parent}`, which is itself a leaf"),
                });
            }
        }
    }
    Ok(())
}
