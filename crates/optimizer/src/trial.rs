//! Trials: the ticket a worker gets, the outcome it reports, the record the journal keeps.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::param::Params;
use crate::pruner::PruneThresholds;
use crate::sampler::Rank;

/// What a worker needs to run a trial: its number, parameters and pruning thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialTicket {
    pub number: u64,
    pub params: Params,
    pub prune_thresholds: PruneThresholds,
}

/// What a worker reports. Values are "higher is better", intermediate values too.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TrialOutcome {
    Complete {
        value: f64,
        /// The objectives' values of a multi-objective study, in the study's order and each
        /// in its own direction; empty for a single-objective study.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        values: Vec<f64>,
        /// `(step, value)` at each checkpoint reached.
        #[serde(default)]
        intermediate: Vec<(u64, f64)>,
        /// Constraints the trial failed, as readable reasons; empty means feasible.
        #[serde(default)]
        constraint_violations: Vec<String>,
        /// Anything the caller wants kept with the trial (metrics, fingerprint, ...).
        #[serde(default)]
        user_attrs: BTreeMap<String, serde_json::Value>,
    },
    /// Stopped at `step` because an intermediate value fell below its threshold.
    Pruned {
        step: u64,
        #[serde(default)]
        intermediate: Vec<(u64, f64)>,
    },
    Failed {
        reason: String,
    },
}

/// When and where a trial ran, as the caller measured it. Not part of the canonical journal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timing {
    pub started_ms: i64,
    pub finished_ms: i64,
    pub worker: u32,
}

impl Timing {
    /// The trial's duration (never negative).
    pub fn duration_ms(&self) -> i64 {
        (self.finished_ms - self.started_ms).max(0)
    }
}

/// How a trial ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrialState {
    Complete,
    Pruned,
    Failed,
}

impl std::fmt::Display for TrialState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TrialState::Complete => "complete",
            TrialState::Pruned => "pruned",
            TrialState::Failed => "failed",
        })
    }
}

/// A finished trial as the journal keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialRecord {
    pub number: u64,
    pub params: Params,
    pub state: TrialState,
    /// The objective value of a complete trial (in a multi-objective study, the caller's
    /// figure of merit shown beside the objectives; the samplers use `values`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The objectives' values of a complete trial of a multi-objective study, each in its
    /// own direction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<f64>,
    /// `(step, value)` in step order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intermediate: Vec<(u64, f64)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pruned_at_step: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraint_violations: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user_attrs: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<String>,
    /// Set when the trial's parameters equalled an earlier trial's: the record repeats that
    /// trial's result, and nothing was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
}

impl TrialRecord {
    /// A complete trial with `value` and nothing else recorded: no intermediate values, no
    /// constraint violations, no attributes, no timing. Where every record starts (the
    /// study's own, imports, test fixtures) before its outcome fills it in.
    pub fn complete(number: u64, params: Params, value: f64) -> TrialRecord {
        TrialRecord {
            number,
            params,
            state: TrialState::Complete,
            value: Some(value),
            values: Vec::new(),
            intermediate: Vec::new(),
            pruned_at_step: None,
            constraint_violations: Vec::new(),
            user_attrs: BTreeMap::new(),
            fail_reason: None,
            duplicate_of: None,
            timing: None,
        }
    }

    /// Complete with no constraint violation.
    pub fn is_feasible(&self) -> bool {
        self.state == TrialState::Complete && self.constraint_violations.is_empty()
    }

    /// The last reported intermediate value.
    pub fn last_intermediate(&self) -> Option<(u64, f64)> {
        self.intermediate.last().copied()
    }

    /// The objectives as losses (lower is better) under `directions`; for a
    /// single-objective study (no directions) the negated value. `None` unless complete
    /// with every value.
    pub fn losses(&self, directions: &[crate::settings::Direction]) -> Option<Vec<f64>> {
        if self.state != TrialState::Complete {
            return None;
        }
        if directions.is_empty() {
            return self.value.map(|v| vec![-v]);
        }
        (self.values.len() == directions.len()).then(|| {
            self.values
                .iter()
                .zip(directions)
                .map(|(v, d)| d.loss(*v))
                .collect()
        })
    }

    /// The record's rank for splits and summaries; `None` for failed trials.
    pub fn rank(&self) -> Option<Rank> {
        match (self.state, self.value) {
            (TrialState::Complete, Some(value)) if self.constraint_violations.is_empty() => {
                Some(Rank::Feasible { value })
            }
            (TrialState::Complete, Some(value)) => Some(Rank::Infeasible {
                n_violations: self.constraint_violations.len(),
                value,
            }),
            (TrialState::Pruned, _) => Some(Rank::Pruned {
                last: self.last_intermediate(),
            }),
            _ => None,
        }
    }

    /// A copy as a duplicate of this trial would record it: same result, own number, no
    /// timing.
    pub(crate) fn duplicated_as(&self, number: u64) -> TrialRecord {
        TrialRecord {
            number,
            duplicate_of: Some(self.number),
            timing: None,
            ..self.clone()
        }
    }
}
