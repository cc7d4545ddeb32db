//! The search space: which dotted keys vary, over what, and which are pinned.
//!
//! A space is written in YAML shaped like the configuration it optimises. Every leaf is a
//! mapping with `type: fixed|grid|float|int|loguniform|categorical`; see [`parse`](crate::space::parse) for the
//! exact rules and errors. Parsed, a space is a list of [`ParamSpec`](crate::space::ParamSpec)s in path order plus the
//! `fixed` values, and it knows how to turn values into the samplers' internal coordinates
//! and back.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{OptimizerError, Result};
use crate::param::{ParamValue, Params};

/// YAML parsing and validation of search spaces.
pub mod parse;

/// Relative tolerance on `(high - low) / step` being a whole number: the quotient may miss
/// the nearest integer by at most `STEP_TOLERANCE * max(1, quotient)`. This absorbs decimal
/// steps such as 0.025 that have no exact binary form, and nothing coarser.
pub const STEP_TOLERANCE: f64 = 1e-9;

/// What one parameter ranges over.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Distribution {
    /// A real number in `[low, high]`; with `step`, one of `low, low + step, ..., high`;
    /// with `log`, sampled uniformly in `ln` space (`type: loguniform` is `float` with `log`).
    Float {
        low: f64,
        high: f64,
        step: Option<f64>,
        log: bool,
    },
    /// An integer in `low..=high` on multiples of `step` from `low`; with `log`, sampled in
    /// `ln` space (step must then be 1).
    Int {
        low: i64,
        high: i64,
        step: i64,
        log: bool,
    },
    /// One of `choices`, unordered.
    Categorical { choices: Vec<ParamValue> },
    /// One of `values`: the leaves the grid sampler enumerates; other samplers treat them
    /// as categorical.
    Grid { values: Vec<ParamValue> },
}

/// A parameter: its dotted path and distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamSpec {
    pub path: String,
    pub distribution: Distribution,
}

/// The coordinates samplers work in, per parameter.
///
/// Continuous parameters live on `[low, high]` (in `ln` units for log-scaled ones, and for
/// log-scaled integers on `[ln(low - 0.5), ln(high + 0.5)]`); stepped parameters are the cell
/// index `0..=max_index`; categorical ones the choice index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Domain {
    Continuous { low: f64, high: f64 },
    Discrete { max_index: u64 },
    Categorical { n_choices: usize },
}

impl Domain {
    /// Whether the parameter can take only one value (samplers skip it).
    pub fn is_single(&self) -> bool {
        match *self {
            Domain::Continuous { low, high } => low >= high,
            Domain::Discrete { max_index } => max_index == 0,
            Domain::Categorical { n_choices } => n_choices <= 1,
        }
    }
}

impl Distribution {
    /// The sampler coordinates of this distribution.
    pub fn domain(&self) -> Domain {
        match self {
            Distribution::Float {
                low,
                high,
                step: None,
                log: true,
            } => Domain::Continuous {
                low: libm::log(*low),
                high: libm::log(*high),
            },
            Distribution::Float {
                low,
                high,
                step: None,
                log: false,
            } => Domain::Continuous {
                low: *low,
                high: *high,
            },
            Distribution::Float {
                low,
                high,
                step: Some(step),
                ..
            } => Domain::Discrete {
                max_index: float_max_index(*low, *high, *step),
            },
            Distribution::Int {
                low,
                high,
                log: true,
                ..
            } => Domain::Continuous {
                low: libm::log(*low as f64 - 0.5),
                high: libm::log(*high as f64 + 0.5),
            },
            Distribution::Int {
                low,
                high,
                step,
                log: false,
            } => Domain::Discrete {
                max_index: int_max_index(*low, *high, *step),
            },
            Distribution::Categorical { choices: v } | Distribution::Grid { values: v } => {
                Domain::Categorical { n_choices: v.len() }
            }
        }
    }

    /// The value at sampler coordinate `x` (clamped into the domain).
    pub fn from_internal(&self, x: f64) -> ParamValue {
        match self {
            Distribution::Float {
                low,
                high,
                step: None,
                log,
            } => {
                let v = if *log { libm::exp(x) } else { x };
                ParamValue::Float(v.clamp(*low, *high))
            }
            Distribution::Float {
                low,
                high,
                step: Some(step),
                ..
            } => {
                let m = float_max_index(*low, *high, *step);
                ParamValue::Float(stepped_float(*low, *high, *step, index_of(x, m)))
            }
            Distribution::Int {
                low,
                high,
                log: true,
                ..
            } => {
                let v = libm::round(libm::exp(x)).clamp(*low as f64, *high as f64);
                ParamValue::Int(v as i64)
            }
            Distribution::Int {
                low,
                high,
                step,
                log: false,
            } => {
                let m = int_max_index(*low, *high, *step);
                ParamValue::Int(stepped_int(*low, *step, index_of(x, m)))
            }
            Distribution::Categorical { choices: v } | Distribution::Grid { values: v } => {
                let i = index_of(x, v.len().saturating_sub(1) as u64) as usize;
                v.get(i).cloned().unwrap_or(ParamValue::Bool(false))
            }
        }
    }

    /// The sampler coordinate of `value`, or `None` when the value is not in the distribution.
    pub fn to_internal(&self, value: &ParamValue) -> Option<f64> {
        match (self, value) {
            (
                Distribution::Float {
                    low,
                    high,
                    step: None,
                    log,
                },
                ParamValue::Float(v),
            ) => {
                if !(v.is_finite() && *low <= *v && *v <= *high) {
                    return None;
                }
                Some(if *log { libm::log(*v) } else { *v })
            }
            (
                Distribution::Float {
                    low,
                    high,
                    step: Some(step),
                    ..
                },
                ParamValue::Float(v),
            ) => {
                if !v.is_finite() {
                    return None;
                }
                let m = float_max_index(*low, *high, *step);
                let i = libm::round((v - low) / step);
                if i < 0.0 || i > m as f64 {
                    return None;
                }
                (stepped_float(*low, *high, *step, i as u64) == *v).then_some(i)
            }
            (
                Distribution::Int {
                    low,
                    high,
                    step,
                    log,
                },
                ParamValue::Int(v),
            ) => {
                if v < low || v > high || (v - low) % step != 0 {
                    return None;
                }
                Some(if *log {
                    libm::log(*v as f64)
                } else {
                    ((v - low) / step) as f64
                })
            }
            (Distribution::Categorical { choices: c } | Distribution::Grid { values: c }, v) => c
                .iter()
                .position(|choice| choice.canonical_eq(v))
                .map(|i| i as f64),
            _ => None,
        }
    }

    /// The number of values the grid sampler enumerates, or `None` for continuous ranges.
    pub fn grid_len(&self) -> Option<u64> {
        match self.domain() {
            Domain::Discrete { max_index } => max_index.checked_add(1),
            Domain::Categorical { n_choices } => Some(n_choices as u64),
            Domain::Continuous { .. } => match self {
                Distribution::Int { low, high, .. } => high
                    .checked_sub(*low)
                    .and_then(|d| u64::try_from(d).ok())
                    .and_then(|d| d.checked_add(1)),
                _ => None,
            },
        }
    }

    /// The `i`-th value of the grid enumeration (`i < grid_len()`).
    pub fn grid_value(&self, i: u64) -> ParamValue {
        match self {
            Distribution::Int { low, log: true, .. } => {
                ParamValue::Int(low.saturating_add(i as i64))
            }
            _ => self.from_internal(i as f64),
        }
    }

    /// The type name as written in YAML.
    pub fn kind(&self) -> &'static str {
        match self {
            Distribution::Float { log: true, .. } => "loguniform",
            Distribution::Float { .. } => "float",
            Distribution::Int { .. } => "int",
            Distribution::Categorical { .. } => "categorical",
            Distribution::Grid { .. } => "grid",
        }
    }
}

/// Rounds a sampler coordinate to a cell index in `0..=max_index`.
fn index_of(x: f64, max_index: u64) -> u64 {
    if !x.is_finite() || x <= 0.0 {
        return 0;
    }
    let i = libm::round(x);
    if i >= max_index as f64 {
        max_index
    } else {
        i as u64
    }
}

pub(crate) fn float_max_index(low: f64, high: f64, step: f64) -> u64 {
    let n = libm::round((high - low) / step);
    if n.is_finite() && n > 0.0 {
        n as u64
    } else {
        0
    }
}

fn int_max_index(low: i64, high: i64, step: i64) -> u64 {
    let span = (high as i128) - (low as i128);
    if span <= 0 || step <= 0 {
        0
    } else {
        (span / step as i128) as u64
    }
}

fn stepped_int(low: i64, step: i64, i: u64) -> i64 {
    ((low as i128) + (i as i128) * (step as i128)) as i64
}

/// The number of decimals in the shortest decimal form of `x`, when it has one of at most
/// 15 decimals.
fn short_decimals(x: f64) -> Option<usize> {
    let text = format!("{x}");
    let decimals = text.split_once('.').map_or(0, |(_, frac)| frac.len());
    (decimals <= 15).then_some(decimals)
}

/// `low + i * step`, written as the decimal a person expects (`0.325`, not
/// `0.32500000000000007`) when `low` and `step` are short decimals, and clamped to the range.
/// Deterministic everywhere: Rust's float formatting and parsing are exact algorithms.
pub(crate) fn stepped_float(low: f64, high: f64, step: f64, i: u64) -> f64 {
    let raw = low + (i as f64) * step;
    let snapped = match (short_decimals(low), short_decimals(step)) {
        (Some(a), Some(b)) => format!("{:.*}", a.max(b), raw)
            .parse::<f64>()
            .unwrap_or(raw),
        _ => raw,
    };
    snapped.clamp(low, high)
}

/// A parsed, validated search space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SpaceRepr", into = "SpaceRepr")]
pub struct SearchSpace {
    params: Vec<ParamSpec>,
    fixed: BTreeMap<String, serde_json::Value>,
    domains: Vec<Domain>,
}

#[derive(Serialize, Deserialize)]
struct SpaceRepr {
    params: Vec<ParamSpec>,
    fixed: BTreeMap<String, serde_json::Value>,
}

impl TryFrom<SpaceRepr> for SearchSpace {
    type Error = OptimizerError;
    fn try_from(repr: SpaceRepr) -> Result<Self> {
        SearchSpace::from_parts(repr.params, repr.fixed)
    }
}

impl From<SearchSpace> for SpaceRepr {
    fn from(space: SearchSpace) -> Self {
        SpaceRepr {
            params: space.params,
            fixed: space.fixed,
        }
    }
}

impl SearchSpace {
    /// Parses a YAML search space; see [`parse`] for the rules.
    pub fn from_yaml_str(text: &str) -> Result<SearchSpace> {
        parse::parse_yaml(text)
    }

    /// Builds a space from parameters and fixed values, validating every distribution as
    /// the YAML parser does (so a space read back from a journal is as trustworthy).
    pub fn from_parts(
        mut params: Vec<ParamSpec>,
        fixed: BTreeMap<String, serde_json::Value>,
    ) -> Result<SearchSpace> {
        params.sort_by(|a, b| a.path.cmp(&b.path));
        for pair in params.windows(2) {
            if let [a, b] = pair {
                if a.path == b.path {
                    return Err(OptimizerError::InvalidKey {
                        path: a.path.clone(),
                        message: "declared twice".into(),
                    });
                }
            }
        }
        for spec in &params {
            parse::check_path(&spec.path)?;
            parse::validate_distribution(&spec.path, &spec.distribution)?;
            if fixed.contains_key(&spec.path) {
                return Err(OptimizerError::InvalidKey {
                    path: spec.path.clone(),
                    message: "declared both as fixed and as a parameter".into(),
                });
            }
        }
        for path in fixed.keys() {
            parse::check_path(path)?;
        }
        let all: Vec<&str> = params
            .iter()
            .map(|p| p.path.as_str())
            .chain(fixed.keys().map(String::as_str))
            .collect();
        parse::check_no_prefix_clash(&all)?;
        let domains = params.iter().map(|p| p.distribution.domain()).collect();
        Ok(SearchSpace {
            params,
            fixed,
            domains,
        })
    }

    /// The varying parameters, in path order. Sampler coordinates follow this order.
    pub fn params(&self) -> &[ParamSpec] {
        &self.params
    }

    /// The pinned values (`type: fixed`), by path. They are not trial parameters: they never
    /// vary, and [`SearchSpace::overrides`] adds them to every trial's overrides.
    pub fn fixed(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.fixed
    }

    /// Every leaf path (parameters and fixed values), sorted: what a caller checks against
    /// the keys its configuration knows.
    pub fn leaf_paths(&self) -> Vec<&str> {
        let mut paths: Vec<&str> = self
            .params
            .iter()
            .map(|p| p.path.as_str())
            .chain(self.fixed.keys().map(String::as_str))
            .collect();
        paths.sort_unstable();
        paths
    }

    /// Runs the caller's key check over every leaf path and collects all the errors, so a
    /// user sees every unknown key at once. The optimizer cannot know what a config
    /// accepts; see [`OptimizerError::unknown_key`] for building the error with a suggestion.
    pub fn check_keys<F>(&self, mut check: F) -> std::result::Result<(), Vec<OptimizerError>>
    where
        F: FnMut(&str) -> Result<()>,
    {
        let errors: Vec<OptimizerError> = self
            .leaf_paths()
            .into_iter()
            .filter_map(|path| check(path).err())
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The sampler coordinates of each parameter, in [`SearchSpace::params`] order.
    pub fn domains(&self) -> &[Domain] {
        &self.domains
    }

    /// The number of varying parameters.
    pub fn len(&self) -> usize {
        self.params.len()
    }

    /// Whether nothing varies.
    pub fn is_empty(&self) -> bool {
        self.params.is_empty()
    }

    /// How many distinct parameter sets the space holds, when that is finite (every
    /// parameter stepped, integer or categorical) and below 2^64.
    pub fn n_points(&self) -> Option<u64> {
        self.params.iter().try_fold(1u64, |n, spec| {
            spec.distribution
                .grid_len()
                .and_then(|len| n.checked_mul(len))
        })
    }

    /// The point in sampler coordinates of the `index`-th parameter set of a finite space
    /// (the first parameter varying slowest), `None` beyond [`SearchSpace::n_points`].
    pub fn nth_point(&self, index: u64) -> Option<Vec<f64>> {
        let mut rest = index;
        let mut values = Vec::with_capacity(self.params.len());
        for spec in self.params.iter().rev() {
            let len = spec.distribution.grid_len()?.max(1);
            values.push(spec.distribution.grid_value(rest % len));
            rest /= len;
        }
        if rest != 0 {
            return None;
        }
        values.reverse();
        self.params
            .iter()
            .zip(&values)
            .map(|(spec, value)| spec.distribution.to_internal(value))
            .collect()
    }

    /// Parameters from a point in sampler coordinates (one coordinate per parameter).
    pub fn params_from_internal(&self, point: &[f64]) -> Params {
        self.params
            .iter()
            .zip(point)
            .map(|(spec, x)| (spec.path.clone(), spec.distribution.from_internal(*x)))
            .collect()
    }

    /// The point in sampler coordinates of a parameter set; an error names the first
    /// parameter that is missing, unknown or out of its distribution.
    pub fn to_internal(&self, params: &Params) -> Result<Vec<f64>> {
        if let Some(extra) = params
            .keys()
            .find(|k| self.params.binary_search_by(|p| p.path.cmp(k)).is_err())
        {
            return Err(OptimizerError::Param {
                path: extra.clone(),
                message: "not a parameter of the search space".into(),
            });
        }
        self.params
            .iter()
            .map(|spec| {
                let value = params
                    .get(&spec.path)
                    .ok_or_else(|| OptimizerError::Param {
                        path: spec.path.clone(),
                        message: "missing".into(),
                    })?;
                spec.distribution
                    .to_internal(value)
                    .ok_or_else(|| OptimizerError::Param {
                        path: spec.path.clone(),
                        message: format!(
                            "value {value} is not in its {} distribution",
                            spec.distribution.kind()
                        ),
                    })
            })
            .collect()
    }

    /// What a trial changes in the base config: the fixed values and the trial's
    /// parameters, by dotted path.
    pub fn overrides(&self, params: &Params) -> BTreeMap<String, serde_json::Value> {
        let mut out = self.fixed.clone();
        for (path, value) in params {
            out.insert(path.clone(), value.to_json());
        }
        out
    }

    /// SHA-256 (hex) of the space's canonical JSON: the `search_space` part of the resume
    /// signature.
    pub fn hash_hex(&self) -> String {
        sha256_hex(&serde_json::to_vec(self).unwrap_or_default())
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stepped_floats_are_the_decimals_a_person_wrote() {
        // 0.25 + 3 * 0.025 is 0.32500000000000007 in binary arithmetic.
        assert_eq!(stepped_float(0.25, 0.65, 0.025, 3), 0.325);
        assert_eq!(stepped_float(0.25, 0.65, 0.025, 16), 0.65);
        assert_eq!(stepped_float(1.7, 2.8, 0.05, 22), 2.8);
    }

    #[test]
    fn internal_round_trip_for_every_kind() {
        let dists = [
            Distribution::Float {
                low: 0.25,
                high: 0.65,
                step: Some(0.025),
                log: false,
            },
            Distribution::Float {
                low: 1e-4,
                high: 1.0,
                step: None,
                log: true,
            },
            Distribution::Int {
                low: 5,
                high: 50,
                step: 5,
                log: false,
            },
            Distribution::Int {
                low: 1,
                high: 1000,
                step: 1,
                log: true,
            },
            Distribution::Categorical {
                choices: vec![ParamValue::Str("a".into()), ParamValue::Bool(true)],
            },
        ];
        for dist in &dists {
            let (low, high) = match dist.domain() {
                Domain::Continuous { low, high } => (low, high),
                Domain::Discrete { max_index } => (0.0, max_index as f64),
                Domain::Categorical { n_choices } => (0.0, (n_choices - 1) as f64),
            };
            for k in 0..=20 {
                let x = low + (high - low) * k as f64 / 20.0;
                let value = dist.from_internal(x);
                let back = dist.to_internal(&value).unwrap();
                assert_eq!(dist.from_internal(back), value, "{dist:?} at {x}");
            }
        }
    }
}
