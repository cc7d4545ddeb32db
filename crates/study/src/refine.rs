//! Refine: a new study whose numeric bounds are narrowed around the best trials of a
//! finished one (the seeds' coarse → fine workflow), linked to its parent.
//!
//! For each numeric parameter, the new range spans the values the top `K` feasible trials
//! took, padded on each side by `padding` × the parent's range, clipped to the parent's
//! range:
//! - stepped floats and integers are padded by whole steps (`ceil(padding × n_steps)`)
//!   and stay on the parent's grid, so the new bounds are values the parent could take and
//!   the step still divides the range;
//! - log-scaled parameters are padded in log space (log-scaled integers then rounded
//!   outwards);
//! - continuous floats are padded as real numbers.
//!
//! Categorical and grid parameters and fixed values are kept as they are. A parameter all
//! of whose top trials agree, with no padding, becomes a range of one value (still a
//! parameter, so trials keep the same shape). The child keeps the parent's base config,
//! dataset, windows, settings and validation rule; its metadata's `parent` names the
//! parent study (name and signature), the trials and the padding.

use genesis_optimizer::space::{Distribution, Domain, ParamSpec};
use genesis_optimizer::ParamValue;
use genesis_optimizer::{SearchSpace, StudyLog, TrialRecord};
use serde::{Deserialize, Serialize};

use crate::error::{Result, StudyError};
use crate::spec::{ParentLink, StudyPlan};
use crate::validation::candidates;

/// The default padding: a tenth of each parameter's parent range on each side.
pub const DEFAULT_PADDING: f64 = 0.1;

/// How one parameter's range changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoundsChange {
    pub path: String,
    pub parent: Distribution,
    pub child: Distribution,
}

/// The narrowed space around `top` (see the module docs).
pub fn refine_space(
    space: &SearchSpace,
    top: &[&TrialRecord],
    padding: f64,
) -> Result<(SearchSpace, Vec<BoundsChange>)> {
    if !(padding.is_finite() && padding >= 0.0) {
        return Err(StudyError::setting(
            "padding",
            format!("{padding} must be a number at or above 0 (0.1: a tenth of the range)"),
        ));
    }
    if top.is_empty() {
        return Err(StudyError::setting(
            "top_k",
            "the parent has no feasible complete trial to refine around",
        ));
    }
    let mut params = Vec::with_capacity(space.len());
    let mut changes = Vec::new();
    for spec in space.params() {
        let values: Vec<f64> = top
            .iter()
            .filter_map(|t| t.params.get(&spec.path).and_then(|v| v.as_f64()))
            .collect();
        let narrowed = narrow(&spec.distribution, &values, padding);
        if narrowed != spec.distribution {
            changes.push(BoundsChange {
                path: spec.path.clone(),
                parent: spec.distribution.clone(),
                child: narrowed.clone(),
            });
        }
        params.push(ParamSpec {
            path: spec.path.clone(),
            distribution: narrowed,
        });
    }
    let refined = SearchSpace::from_parts(params, space.fixed().clone())?;
    Ok((refined, changes))
}

fn min_max(values: &[f64]) -> Option<(f64, f64)> {
    let first = *values.first()?;
    Some(
        values
            .iter()
            .fold((first, first), |(lo, hi), &v| (lo.min(v), hi.max(v))),
    )
}

/// The index range `lo..=hi` of a stepped parameter padded by whole steps.
fn padded_indices(lo: u64, hi: u64, max_index: u64, padding: f64) -> (u64, u64) {
    let pad = libm::ceil(padding * max_index as f64) as u64;
    (
        lo.saturating_sub(pad),
        hi.saturating_add(pad).min(max_index),
    )
}

/// The padded bounds of a stepped range around `lowest..=highest`, as grid cells of the
/// parent's own distribution (its index arithmetic, not a copy of it), so the new bounds are
/// values the parent could take. `None` when the values are not on the parent's grid.
fn grid_bounds(
    distribution: &Distribution,
    lowest: &ParamValue,
    highest: &ParamValue,
    padding: f64,
) -> Option<(ParamValue, ParamValue)> {
    let Domain::Discrete { max_index } = distribution.domain() else {
        return None;
    };
    let index = |value: &ParamValue| distribution.to_internal(value).map(|x| x as u64);
    let (i_lo, i_hi) = padded_indices(index(lowest)?, index(highest)?, max_index, padding);
    Some((
        distribution.from_internal(i_lo as f64),
        distribution.from_internal(i_hi as f64),
    ))
}

fn narrow(distribution: &Distribution, values: &[f64], padding: f64) -> Distribution {
    let Some((vmin, vmax)) = min_max(values) else {
        return distribution.clone();
    };
    match *distribution {
        Distribution::Float {
            low,
            high,
            step: None,
            log: false,
        } => {
            let pad = padding * (high - low);
            Distribution::Float {
                low: (vmin - pad).max(low),
                high: (vmax + pad).min(high),
                step: None,
                log: false,
            }
        }
        Distribution::Float {
            low,
            high,
            step: None,
            log: true,
        } => {
            let pad = padding * (libm::log(high) - libm::log(low));
            Distribution::Float {
                low: libm::exp(libm::log(vmin) - pad).clamp(low, high).min(vmin),
                high: libm::exp(libm::log(vmax) + pad).clamp(low, high).max(vmax),
                step: None,
                log: true,
            }
        }
        Distribution::Float {
            low,
            high,
            step: Some(step),
            log,
        } => match grid_bounds(
            distribution,
            &ParamValue::Float(vmin),
            &ParamValue::Float(vmax),
            padding,
        ) {
            Some((new_low, new_high)) => Distribution::Float {
                low: new_low.as_f64().unwrap_or(low),
                high: new_high.as_f64().unwrap_or(high),
                step: Some(step),
                log,
            },
            None => distribution.clone(),
        },
        Distribution::Int {
            low,
            high,
            step,
            log: false,
        } => match grid_bounds(
            distribution,
            &ParamValue::Int(vmin as i64),
            &ParamValue::Int(vmax as i64),
            padding,
        ) {
            Some((ParamValue::Int(new_low), ParamValue::Int(new_high))) => Distribution::Int {
                low: new_low,
                high: new_high,
                step,
                log: false,
            },
            _ => Distribution::Int {
                low,
                high,
                step,
                log: false,
            },
        },
        Distribution::Int {
            low,
            high,
            step,
            log: true,
        } => {
            let pad = padding * (libm::log(high as f64) - libm::log(low as f64));
            let new_low = libm::floor(libm::exp(libm::log(vmin) - pad)) as i64;
            let new_high = libm::ceil(libm::exp(libm::log(vmax) + pad)) as i64;
            Distribution::Int {
                low: new_low.clamp(low, high).min(vmin as i64),
                high: new_high.clamp(low, high).max(vmax as i64),
                step,
                log: true,
            }
        }
        Distribution::Categorical { .. } | Distribution::Grid { .. } => distribution.clone(),
    }
}

/// The plan of a child study refined around the top `top_k` trials of `parent_log`.
pub fn refine_plan(
    parent: &StudyPlan,
    parent_log: &StudyLog,
    top_k: usize,
    padding: f64,
    name: &str,
) -> Result<(StudyPlan, Vec<BoundsChange>)> {
    if top_k == 0 {
        return Err(StudyError::setting("top_k", "must be at least 1"));
    }
    let top = candidates(parent_log, top_k);
    let (space, changes) = refine_space(&parent.space, &top, padding)?;
    let mut metadata = parent.metadata.clone();
    metadata.engine_version = genesis_engine::ENGINE_VERSION.to_string();
    metadata.parent = Some(ParentLink {
        study_name: parent_log.header.study_name.clone(),
        signature: parent_log.header.signature.clone(),
        top_k,
        trials: top.iter().map(|t| t.number).collect(),
        padding,
    });
    let plan = StudyPlan {
        name: name.to_string(),
        space,
        settings: parent.settings.clone(),
        stop: Default::default(),
        metadata,
    };
    Ok((plan, changes))
}
