//! The one error type of the study crate. Every variant names what it is about: a dotted
//! key of the search space or the config, a setting, a trial number, a champion or a file.

use genesis_engine::strategy::StrategyError;
use genesis_optimizer::OptimizerError;
use serde::{Deserialize, Serialize};

/// Everything that can go wrong between a study's set-up and a champion. Serialisable, so it
/// crosses a worker boundary unchanged.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum StudyError {
    /// The search space does not fit the base config: unknown keys (with a suggestion), or
    /// values of the wrong type or out of range, each naming its dotted path. All of them
    /// at once, so a user fixes the file in one go.
    #[error("search space: {}", join(errors))]
    Space { errors: Vec<OptimizerError> },
    /// The optimizer refused something (settings, journal, resume signature).
    #[error("{0}")]
    Optimizer(OptimizerError),
    /// A strategy config could not be built or run.
    #[error("{0}")]
    Strategy(StrategyError),
    /// A study setting out of range (`split`, `checkpoints`, `validation.top_k`, ...).
    #[error("setting `{key}`: {message}")]
    InvalidSetting { key: String, message: String },
    /// The preflight trial failed: nothing was started.
    #[error("preflight failed before any worker started: {reason}")]
    Preflight { reason: String },
    /// A journal whose header metadata is not a Genesis study's (or is damaged).
    #[error("study metadata `{key}`: {message}")]
    Metadata { key: String, message: String },
    /// The candles given are not the ones the study ran on.
    #[error("the study ran on dataset {expected}, this data is {found}")]
    DatasetMismatch { expected: String, found: String },
    /// A trial that does not exist or cannot be used as asked.
    #[error("trial {number}: {message}")]
    Trial { number: u64, message: String },
    /// A promotion refused, with the reason (never validated, failed validation, ...).
    #[error("promotion of trial {number} refused: {reason}")]
    PromotionRefused { number: u64, reason: String },
    /// A champion operation on a (symbol, timeframe) that cannot take it.
    #[error("champion {symbol} {timeframe}: {message}")]
    Champion {
        symbol: String,
        timeframe: String,
        message: String,
    },
    /// Something that should not happen (a worker thread gone, a bug).
    #[error("internal error: {message}")]
    Internal { message: String },
    /// A file could not be read or written, or does not parse.
    #[error("{path}: {message}")]
    File { path: String, message: String },
}

fn join(errors: &[OptimizerError]) -> String {
    match errors {
        [one] => one.to_string(),
        many => {
            let lines: Vec<String> = many.iter().map(|e| format!("\n  - {e}")).collect();
            format!("{} problems:{}", many.len(), lines.concat())
        }
    }
}

impl StudyError {
    /// True when the error is the user's input (files, settings, a refused promotion), false
    /// for an internal failure. The CLI maps this to exit status 2 or 1.
    pub fn is_input_error(&self) -> bool {
        match self {
            StudyError::Strategy(err) => err.is_input_error(),
            StudyError::Optimizer(OptimizerError::JournalIo { .. })
            | StudyError::Internal { .. } => false,
            _ => true,
        }
    }

    pub(crate) fn setting(key: &str, message: impl Into<String>) -> StudyError {
        StudyError::InvalidSetting {
            key: key.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn metadata(key: &str, message: impl Into<String>) -> StudyError {
        StudyError::Metadata {
            key: key.to_string(),
            message: message.into(),
        }
    }
}

impl From<OptimizerError> for StudyError {
    fn from(err: OptimizerError) -> Self {
        StudyError::Optimizer(err)
    }
}

impl From<StrategyError> for StudyError {
    fn from(err: StrategyError) -> Self {
        StudyError::Strategy(err)
    }
}

/// The crate's result type.
pub type Result<T, E = StudyError> = std::result::Result<T, E>;
