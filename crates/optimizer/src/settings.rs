//! What a study is set to do: the settings that shape which trials it proposes (part of the
//! resume signature), when it stops asking (not part of it), and why it stopped.
//!
//! They sit below the study, the signature and the journal, which all read them, and depend
//! only on the sampler's and pruner's settings and the error type.

use serde::{Deserialize, Serialize};

use crate::error::{OptimizerError, Result};
use crate::pruner::PrunerSettings;
use crate::sampler::SamplerSettings;

/// Everything that shapes which trials a study proposes. Part of the resume signature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudySettings {
    pub seed: u64,
    pub sampler: SamplerSettings,
    #[serde(default)]
    pub pruner: PrunerSettings,
    /// Trial `k` sees the results of trials `0..=k - sync_window`.
    pub sync_window: u32,
    /// The objectives' directions of a multi-objective study (two or three); empty for a
    /// single-objective study, whose one value is maximised.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub directions: Vec<Direction>,
}

/// Whether an objective is better higher or lower.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Maximize,
    Minimize,
}

impl Direction {
    /// The value as a loss (lower is better): negated when maximised.
    pub fn loss(self, value: f64) -> f64 {
        match self {
            Direction::Maximize => -value,
            Direction::Minimize => value,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Maximize => "maximize",
            Direction::Minimize => "minimize",
        }
    }
}

/// The most objectives a study may have.
pub const MAX_OBJECTIVES: usize = 3;

/// The default sync window.
pub const DEFAULT_SYNC_WINDOW: u32 = 8;

impl StudySettings {
    /// TPE with default settings, no pruner, the default sync window.
    pub fn new(seed: u64) -> StudySettings {
        StudySettings {
            seed,
            sampler: SamplerSettings::default(),
            pruner: PrunerSettings::None,
            sync_window: DEFAULT_SYNC_WINDOW,
            directions: Vec::new(),
        }
    }

    /// Whether the study has several objectives.
    pub fn is_multi_objective(&self) -> bool {
        !self.directions.is_empty()
    }

    /// The number of values a complete trial reports (1 for a single-objective study).
    pub fn n_objectives(&self) -> usize {
        self.directions.len().max(1)
    }

    /// Refuses settings no study can run with, naming the setting.
    pub(crate) fn validate(&self) -> Result<()> {
        if self.sync_window == 0 {
            return Err(OptimizerError::InvalidSetting {
                field: "sync_window".into(),
                message: "must be at least 1".into(),
            });
        }
        if self.directions.len() == 1 || self.directions.len() > MAX_OBJECTIVES {
            return Err(OptimizerError::InvalidSetting {
                field: "directions".into(),
                message: format!(
                    "a multi-objective study has 2 to {MAX_OBJECTIVES} objectives, got {} (a \
                     single-objective study maximises its one value and lists no direction)",
                    self.directions.len()
                ),
            });
        }
        if self.is_multi_objective() && self.pruner != PrunerSettings::None {
            return Err(OptimizerError::InvalidSetting {
                field: "pruner".into(),
                message: "a multi-objective study cannot be pruned (its trials have no single \
                          intermediate value to compare, as in Optuna): set the pruner to none"
                    .into(),
            });
        }
        self.sampler.validate()?;
        self.pruner.validate()
    }
}

/// When to stop asking for trials. Not part of the resume signature.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StopPolicy {
    /// Evaluated trials (duplicates excluded).
    pub max_trials: Option<u64>,
    /// Measured from the first `ask` of this session.
    pub timeout_ms: Option<i64>,
    pub end_at_ms: Option<i64>,
    /// Consecutive duplicates that mean the space is exhausted; 0 disables the rule.
    pub max_duplicate_streak: u32,
}

impl Default for StopPolicy {
    fn default() -> Self {
        StopPolicy {
            max_trials: None,
            timeout_ms: None,
            end_at_ms: None,
            max_duplicate_streak: 100,
        }
    }
}

/// Why a study stopped asking for trials.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopReason {
    MaxTrials { n_trials: u64 },
    Timeout { timeout_ms: i64 },
    EndTime { end_at_ms: i64 },
    Cancelled,
    SpaceExhausted { message: String },
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::MaxTrials { n_trials } => write!(f, "{n_trials} trials evaluated"),
            StopReason::Timeout { timeout_ms } => write!(f, "timeout of {timeout_ms} ms reached"),
            StopReason::EndTime { end_at_ms } => write!(f, "end time {end_at_ms} ms reached"),
            StopReason::Cancelled => f.write_str("cancelled"),
            StopReason::SpaceExhausted { message } => f.write_str(message),
        }
    }
}
