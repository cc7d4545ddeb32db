//! Pruners, decided ahead of time.
//!
//! When a trial is asked, the pruner looks at the same visible trials the sampler saw and
//! computes one threshold per checkpoint ([`PruneThresholds`]), shipped with the trial. The
//! objective reports an intermediate value (higher is better) at each checkpoint and stops
//! itself, reporting the trial pruned, when the value falls strictly below that checkpoint's
//! threshold. No round trip to the study, and no dependence on which other trials happen to
//! have finished by then: the decision is a function of the journal.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{OptimizerError, Result};
use crate::sampler::Observation;

/// One checkpoint's bar: an intermediate value below `min_value` at `step` prunes the trial.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PruneCheckpoint {
    pub step: u64,
    pub min_value: f64,
}

/// The thresholds a trial carries, in step order. Empty when pruning is off or nothing is
/// known yet.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PruneThresholds {
    pub checkpoints: Vec<PruneCheckpoint>,
}

impl PruneThresholds {
    /// The threshold at `step`, if that step has one.
    pub fn threshold_at(&self, step: u64) -> Option<f64> {
        self.checkpoints
            .binary_search_by(|c| c.step.cmp(&step))
            .ok()
            .and_then(|i| self.checkpoints.get(i))
            .map(|c| c.min_value)
    }

    /// Whether a trial reporting `value` at `step` should stop and report itself pruned.
    /// A non-finite value prunes wherever there is a threshold.
    pub fn should_prune(&self, step: u64, value: f64) -> bool {
        match self.threshold_at(step) {
            Some(threshold) => value.is_nan() || value < threshold,
            None => false,
        }
    }
}

/// The median rule: prune at a checkpoint when the value is below the median of the visible
/// complete trials' values at that checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MedianPruner {
    /// No thresholds until this many visible trials have completed.
    pub n_startup_trials: u32,
    /// No thresholds at steps below this.
    pub n_warmup_steps: u64,
}

impl Default for MedianPruner {
    fn default() -> Self {
        MedianPruner {
            n_startup_trials: 5,
            n_warmup_steps: 0,
        }
    }
}

/// Successive halving over fixed rungs: at each rung checkpoint, only the top `1/eta` of the
/// visible trials that reached it continue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SuccessiveHalvingPruner {
    /// The checkpoint steps that are rungs, ascending.
    pub rungs: Vec<u64>,
    /// Keep the top `floor(m / eta)` of the `m` visible trials at a rung; no threshold while
    /// that is zero.
    pub eta: u32,
    /// No thresholds until this many visible trials have completed.
    pub n_startup_trials: u32,
}

impl Default for SuccessiveHalvingPruner {
    fn default() -> Self {
        SuccessiveHalvingPruner {
            rungs: vec![1, 2, 4],
            eta: 3,
            n_startup_trials: 0,
        }
    }
}

/// Which pruner a study uses. Part of the resume signature.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PrunerSettings {
    #[default]
    None,
    Median(MedianPruner),
    SuccessiveHalving(SuccessiveHalvingPruner),
}

impl PrunerSettings {
    /// Checks the settings.
    pub fn validate(&self) -> Result<()> {
        if let PrunerSettings::SuccessiveHalving(sha) = self {
            if sha.eta < 2 {
                return Err(OptimizerError::InvalidSetting {
                    field: "pruner.eta".into(),
                    message: "must be at least 2".into(),
                });
            }
            if sha.rungs.is_empty() || sha.rungs.windows(2).any(|w| w[0] >= w[1]) {
                return Err(OptimizerError::InvalidSetting {
                    field: "pruner.rungs".into(),
                    message: "must be a non-empty, strictly ascending list of steps".into(),
                });
            }
        }
        Ok(())
    }

    /// The thresholds for a trial whose visible trials are `visible`.
    pub fn thresholds(&self, visible: &[Observation]) -> PruneThresholds {
        let n_complete = visible.iter().filter(|o| o.is_complete).count();
        let checkpoints = match self {
            PrunerSettings::None => Vec::new(),
            PrunerSettings::Median(median) => {
                if n_complete < median.n_startup_trials as usize {
                    Vec::new()
                } else {
                    median_thresholds(visible, median.n_warmup_steps)
                }
            }
            PrunerSettings::SuccessiveHalving(sha) => {
                if n_complete < sha.n_startup_trials as usize {
                    Vec::new()
                } else {
                    halving_thresholds(visible, &sha.rungs, sha.eta)
                }
            }
        };
        PruneThresholds { checkpoints }
    }
}

fn median_thresholds(visible: &[Observation], n_warmup_steps: u64) -> Vec<PruneCheckpoint> {
    let mut by_step: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for observation in visible.iter().filter(|o| o.is_complete) {
        for &(step, value) in &observation.intermediate {
            if step >= n_warmup_steps && value.is_finite() {
                by_step.entry(step).or_default().push(value);
            }
        }
    }
    by_step
        .into_iter()
        .map(|(step, mut values)| {
            values.sort_by(f64::total_cmp);
            let mid = values.len() / 2;
            let median = if values.len() % 2 == 1 {
                values[mid]
            } else {
                0.5 * (values[mid - 1] + values[mid])
            };
            PruneCheckpoint {
                step,
                min_value: median,
            }
        })
        .collect()
}

fn halving_thresholds(visible: &[Observation], rungs: &[u64], eta: u32) -> Vec<PruneCheckpoint> {
    rungs
        .iter()
        .filter_map(|&rung| {
            let mut values: Vec<f64> = visible
                .iter()
                .filter_map(|o| {
                    o.intermediate
                        .iter()
                        .find(|(step, _)| *step == rung)
                        .map(|(_, v)| *v)
                })
                .filter(|v| v.is_finite())
                .collect();
            let keep = values.len() / eta as usize;
            if keep == 0 {
                return None;
            }
            values.sort_by(|a, b| b.total_cmp(a));
            Some(PruneCheckpoint {
                step: rung,
                min_value: values[keep - 1],
            })
        })
        .collect()
}
