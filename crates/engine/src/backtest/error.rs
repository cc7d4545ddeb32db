//! Errors found before a backtest starts; once it runs, nothing can fail.

use serde::{Deserialize, Serialize};

/// A configuration or window that cannot be backtested. Each variant names the key or the
/// bar range it is about, so a message can point at the line of YAML to fix.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum BacktestError {
    /// A config value is out of range; `key` is the dotted path inside the config it came
    /// from (`commission`, `constraints.max_max_dd`).
    #[error("{key}: {message}")]
    InvalidConfig { key: String, message: String },
    #[error("window [{from_bar}, {to_bar}) holds no bar of a dataset of {n_bars} bars")]
    InvalidWindow {
        from_bar: usize,
        to_bar: usize,
        n_bars: usize,
    },
}

impl BacktestError {
    /// The same error with its key prefixed by the section it sits in (`backtest.` +
    /// `commission`).
    pub fn in_section(self, section: &str) -> BacktestError {
        match self {
            BacktestError::InvalidConfig { key, message } => BacktestError::InvalidConfig {
                key: format!("{section}.{key}"),
                message,
            },
            other => other,
        }
    }
}
