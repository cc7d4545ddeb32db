//! Summaries of a study: counts per state, durations, the best and top trials, and which
//! parameters mattered.
//!
//! # Parameter importance
//!
//! A deterministic fANOVA-lite: for each parameter, the share of the objective's variance
//! explained by its main effect, estimated from binned marginals. Complete, non-duplicate
//! trials are grouped by the parameter's value (categorical and stepped parameters with at
//! most [`MAX_BINS`](crate::summary::MAX_BINS) distinct values) or into up to [`MAX_BINS`](crate::summary::MAX_BINS) equal-count bins of its
//! sampler coordinate (ties never split across bins). The effect size is
//! epsilon-squared, `(SS_between - (k - 1) MS_within) / SS_total` clipped at 0, which
//! discounts the variance bins explain by chance; the effects are then normalised to sum
//! to 1. No randomness, no model: two runs give the same figures natively and in wasm.
//! The `fanova` crate was considered and not used: it draws from `StdRng` (not portable
//! across versions), seeds from the thread RNG by default and pulls in `rayon`.

use serde::{Deserialize, Serialize};

use crate::journal::StudyLog;
use crate::param::Params;
use crate::sampler::Rank;
use crate::settings::StopReason;
use crate::space::{Distribution, Domain, SearchSpace};
use crate::trial::{TrialRecord, TrialState};

/// Upper bound on the number of bins per parameter in the importance estimate.
pub const MAX_BINS: usize = 10;

/// Trials per state; duplicates are counted apart and not in the states.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateCounts {
    pub complete: u64,
    /// Complete trials that met every constraint.
    pub feasible: u64,
    /// Complete trials that failed a constraint (kept, with their reasons).
    pub infeasible: u64,
    pub pruned: u64,
    pub failed: u64,
    pub duplicates: u64,
}

/// Durations of the evaluated trials that carry timing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DurationStats {
    pub n_trials: usize,
    pub total_ms: i64,
    pub min_ms: i64,
    pub median_ms: f64,
    pub mean_ms: f64,
    pub max_ms: i64,
}

/// One parameter's share of the explained variance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamImportance {
    pub path: String,
    pub importance: f64,
}

/// A study at a glance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub study_name: String,
    pub n_trials: usize,
    pub counts: StateCounts,
    /// The best feasible trial.
    pub best: Option<TrialRecord>,
    /// The top complete trials, feasible first (see [`top_trials`]).
    pub top: Vec<TrialRecord>,
    pub durations: Option<DurationStats>,
    /// Most important first.
    pub importance: Vec<ParamImportance>,
    /// Why the study last stopped, if it did.
    pub stop_reason: Option<StopReason>,
    /// The best trial's numeric parameters that sit at a bound of their range, as
    /// sentences: the optimum may lie beyond it.
    #[serde(default)]
    pub bound_warnings: Vec<String>,
}

/// The numeric parameters of `params` at a bound of their range in `space` (the first or
/// last step of a stepped range; within 1 % of the range of an end of a continuous one),
/// each as a sentence that says which range to widen.
pub fn bound_warnings(space: &SearchSpace, params: &Params) -> Vec<String> {
    let mut out = Vec::new();
    for (spec, domain) in space.params().iter().zip(space.domains()) {
        let (low, high) = match &spec.distribution {
            Distribution::Int { low, high, .. } => (*low as f64, *high as f64),
            Distribution::Float { low, high, .. } => (*low, *high),
            Distribution::Categorical { .. } | Distribution::Grid { .. } => continue,
        };
        let Some(value) = params.get(&spec.path) else {
            continue;
        };
        let Some(x) = spec.distribution.to_internal(value) else {
            continue;
        };
        let side = match *domain {
            Domain::Discrete { max_index } if max_index > 0 => {
                if x <= 0.0 {
                    Some("lower")
                } else if x >= max_index as f64 {
                    Some("upper")
                } else {
                    None
                }
            }
            Domain::Continuous { low: a, high: b } if b > a => {
                let at = (x - a) / (b - a);
                if at <= 0.01 {
                    Some("lower")
                } else if at >= 0.99 {
                    Some("upper")
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some(side) = side {
            out.push(format!(
                "{path} = {value} is at the {side} bound of its range ({low} to {high}): the \
                 best value may lie beyond it; widen the range of {path}",
                path = spec.path
            ));
        }
    }
    out
}

/// Summarises a study, with its top `top_n` trials.
pub fn summarize(log: &StudyLog, top_n: usize) -> Summary {
    let mut counts = StateCounts::default();
    for trial in &log.trials {
        if trial.duplicate_of.is_some() {
            counts.duplicates += 1;
            continue;
        }
        match trial.state {
            TrialState::Complete => {
                counts.complete += 1;
                if trial.is_feasible() {
                    counts.feasible += 1;
                } else {
                    counts.infeasible += 1;
                }
            }
            TrialState::Pruned => counts.pruned += 1,
            TrialState::Failed => counts.failed += 1,
        }
    }
    let top: Vec<TrialRecord> = top_trials(log, top_n).into_iter().cloned().collect();
    let best = top_trials(log, 1)
        .into_iter()
        .find(|t| t.is_feasible())
        .cloned();
    let bound_warnings = best
        .as_ref()
        .map(|b| bound_warnings(&log.header.space, &b.params))
        .unwrap_or_default();
    Summary {
        study_name: log.header.study_name.clone(),
        n_trials: log.trials.len(),
        counts,
        best,
        top,
        durations: duration_stats(log),
        importance: parameter_importance(&log.header.space, &log.trials),
        stop_reason: log.stops.last().map(|s| s.reason.clone()),
        bound_warnings,
    }
}

/// The best `n` complete, non-duplicate trials: feasible ones by value (higher first), then
/// infeasible ones by number of violations (fewer first) and value; ties by trial number.
pub fn top_trials(log: &StudyLog, n: usize) -> Vec<&TrialRecord> {
    let mut ranked: Vec<(Rank, &TrialRecord)> = log
        .trials
        .iter()
        .filter(|t| t.duplicate_of.is_none() && t.state == TrialState::Complete)
        .filter_map(|t| t.rank().map(|r| (r, t)))
        .collect();
    ranked.sort_by(|(ra, a), (rb, b)| ra.better_first(rb).then(a.number.cmp(&b.number)));
    ranked.into_iter().take(n).map(|(_, t)| t).collect()
}

fn duration_stats(log: &StudyLog) -> Option<DurationStats> {
    let mut durations: Vec<i64> = log
        .trials
        .iter()
        .filter(|t| t.duplicate_of.is_none())
        .filter_map(|t| t.timing.map(|timing| timing.duration_ms()))
        .collect();
    if durations.is_empty() {
        return None;
    }
    durations.sort_unstable();
    let n = durations.len();
    let total_ms: i64 = durations.iter().sum();
    let median_ms = if n % 2 == 1 {
        durations[n / 2] as f64
    } else {
        0.5 * (durations[n / 2 - 1] + durations[n / 2]) as f64
    };
    Some(DurationStats {
        n_trials: n,
        total_ms,
        min_ms: durations[0],
        median_ms,
        mean_ms: total_ms as f64 / n as f64,
        max_ms: durations[n - 1],
    })
}

/// The importance of each parameter (see the module docs), most important first; empty
/// with fewer than 3 usable trials or a constant objective.
pub fn parameter_importance(space: &SearchSpace, trials: &[TrialRecord]) -> Vec<ParamImportance> {
    let usable: Vec<(Vec<f64>, f64)> = trials
        .iter()
        .filter(|t| t.duplicate_of.is_none() && t.state == TrialState::Complete)
        .filter_map(|t| Some((space.to_internal(&t.params).ok()?, t.value?)))
        .collect();
    let n = usable.len();
    if n < 3 {
        return Vec::new();
    }
    let mean = usable.iter().map(|(_, y)| y).sum::<f64>() / n as f64;
    let ss_total: f64 = usable.iter().map(|(_, y)| (y - mean) * (y - mean)).sum();
    if ss_total.is_nan() || ss_total <= 0.0 {
        return Vec::new();
    }
    let effects: Vec<f64> = space
        .domains()
        .iter()
        .enumerate()
        .map(|(j, domain)| {
            let mut pairs: Vec<(f64, f64)> = usable.iter().map(|(x, y)| (x[j], *y)).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            let bins = bin_boundaries(&pairs, domain);
            epsilon_squared(&pairs, &bins, mean, ss_total)
        })
        .collect();
    let total: f64 = effects.iter().sum();
    let mut out: Vec<ParamImportance> = space
        .params()
        .iter()
        .zip(&effects)
        .map(|(spec, effect)| ParamImportance {
            path: spec.path.clone(),
            importance: if total > 0.0 { effect / total } else { 0.0 },
        })
        .collect();
    out.sort_by(|a, b| {
        b.importance
            .total_cmp(&a.importance)
            .then(a.path.cmp(&b.path))
    });
    out
}

/// Start indices of the bins over `pairs` sorted by coordinate.
fn bin_boundaries(pairs: &[(f64, f64)], domain: &Domain) -> Vec<usize> {
    let n = pairs.len();
    let mut starts = vec![0];
    let n_distinct = 1 + pairs.windows(2).filter(|w| w[0].0 != w[1].0).count();
    let by_value = !matches!(domain, Domain::Continuous { .. }) && n_distinct <= MAX_BINS;
    if by_value {
        starts.extend((1..n).filter(|&i| pairs[i].0 != pairs[i - 1].0));
        return starts;
    }
    let n_bins = (libm::round(libm::sqrt(n as f64)) as usize).clamp(2, MAX_BINS);
    for i in 1..n {
        let target = starts.len() * n / n_bins;
        if i >= target && pairs[i].0 != pairs[i - 1].0 && starts.len() < n_bins {
            starts.push(i);
        }
    }
    starts
}

fn epsilon_squared(pairs: &[(f64, f64)], starts: &[usize], mean: f64, ss_total: f64) -> f64 {
    let n = pairs.len();
    let k = starts.len();
    if k < 2 || n <= k {
        return 0.0;
    }
    let mut ss_between = 0.0;
    for (b, &start) in starts.iter().enumerate() {
        let end = starts.get(b + 1).copied().unwrap_or(n);
        let bin = &pairs[start..end];
        let bin_mean = bin.iter().map(|(_, y)| y).sum::<f64>() / bin.len() as f64;
        ss_between += bin.len() as f64 * (bin_mean - mean) * (bin_mean - mean);
    }
    let ms_within = (ss_total - ss_between).max(0.0) / (n - k) as f64;
    ((ss_between - (k - 1) as f64 * ms_within) / ss_total).clamp(0.0, 1.0)
}
