//! The one error type of strategy configuration and of a strategy run.

use serde::{Deserialize, Serialize};

use crate::backtest::BacktestError;
use crate::features::FeatureError;

/// What can go wrong between a config text and a finished run. Every variant names where the
/// problem is: the config's source (file name or preset) when there is one, and the line and
/// column of a YAML syntax error or the dotted key of anything else
/// (`thresholds.regime_proba.trend`, `risk_map[1]`). It crosses worker boundaries, so it
/// serialises.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum StrategyError {
    /// The text is not YAML (or JSON).
    #[error("{}line {line}, column {column}: {message}", at(source_name))]
    Syntax {
        source_name: Option<String>,
        line: usize,
        column: usize,
        message: String,
    },
    /// A key the config does not know. `expected` lists the keys allowed at that level;
    /// `suggestion` is the nearest of them by edit distance, when one is close.
    #[error("{}{key}: unknown key{}", at(source_name), did_you_mean(suggestion))]
    UnknownKey {
        source_name: Option<String>,
        key: String,
        suggestion: Option<String>,
        expected: Vec<String>,
    },
    /// A value of the wrong type, a missing required key or a value out of range.
    #[error("{}{key}: {message}", at(source_name))]
    Invalid {
        source_name: Option<String>,
        key: String,
        message: String,
    },
    /// A mistake inside a rule's text (`strategy: rules`), at a line and column of that
    /// text: `rules.long_entry:1:14: unknown function smaa; did you mean sma?`.
    #[error("{}{key}:{line}:{column}: {message}", at(source_name))]
    Rule {
        source_name: Option<String>,
        key: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// `preset(name)` with a name that is not embedded.
    #[error("unknown preset `{name}`; the presets are {}", known.join(", "))]
    UnknownPreset { name: String, known: Vec<String> },
    /// Features could not be computed (a backstop: the config's validation catches bad
    /// parameters first).
    #[error("{0}")]
    Feature(FeatureError),
    /// The backtest refused the window or the execution settings.
    #[error("{0}")]
    Backtest(BacktestError),
}

fn at(source_name: &Option<String>) -> String {
    match source_name {
        Some(name) => format!("{name}: "),
        None => String::new(),
    }
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(key) => format!("; did you mean {key}?"),
        None => String::new(),
    }
}

impl StrategyError {
    /// An out-of-range or otherwise invalid value at a dotted key.
    pub fn invalid(key: impl Into<String>, message: impl Into<String>) -> StrategyError {
        StrategyError::Invalid {
            source_name: None,
            key: key.into(),
            message: message.into(),
        }
    }

    /// The same error attributed to a source (a file name or `preset genesis`), unless it
    /// already names one.
    pub fn with_source(mut self, name: &str) -> StrategyError {
        match &mut self {
            StrategyError::Syntax { source_name, .. }
            | StrategyError::UnknownKey { source_name, .. }
            | StrategyError::Invalid { source_name, .. }
            | StrategyError::Rule { source_name, .. } => {
                if source_name.is_none() {
                    *source_name = Some(name.to_owned());
                }
            }
            StrategyError::UnknownPreset { .. }
            | StrategyError::Feature(_)
            | StrategyError::Backtest(_) => {}
        }
        self
    }

    /// The dotted key the error is about, when it is about one.
    pub fn key(&self) -> Option<&str> {
        match self {
            StrategyError::UnknownKey { key, .. }
            | StrategyError::Invalid { key, .. }
            | StrategyError::Rule { key, .. } => Some(key),
            StrategyError::Feature(FeatureError::InvalidParam { key, .. }) => Some(key),
            StrategyError::Backtest(BacktestError::InvalidConfig { key, .. }) => Some(key),
            _ => None,
        }
    }

    /// True when the error is the user's input (config, window), false for an internal
    /// failure. The CLI maps this to exit status 2 or 1.
    pub fn is_input_error(&self) -> bool {
        !matches!(
            self,
            StrategyError::Feature(FeatureError::WrongShape { .. } | FeatureError::Io { .. })
        )
    }
}

impl From<FeatureError> for StrategyError {
    fn from(err: FeatureError) -> Self {
        match err {
            // The features section's validation already names the dotted key.
            FeatureError::InvalidParam { key, reason } => StrategyError::Invalid {
                source_name: None,
                key,
                message: reason,
            },
            other => StrategyError::Feature(other),
        }
    }
}

impl From<BacktestError> for StrategyError {
    fn from(err: BacktestError) -> Self {
        StrategyError::Backtest(err)
    }
}
