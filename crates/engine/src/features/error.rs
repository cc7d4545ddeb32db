//! The one error type of the features module.

use serde::{Deserialize, Serialize};

/// What can go wrong when asking for features. Every variant names the dotted configuration
/// key, the indicator or the output it is about; it crosses worker boundaries, so it
/// serialises.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum FeatureError {
    /// A `features:` parameter is out of range; `key` is dotted, e.g. `features.rsi_period`.
    #[error("{key}: {reason}")]
    InvalidParam { key: String, reason: String },
    /// An indicator key built by a strategy is out of range (a backstop: strategies validate
    /// their own dotted keys first).
    #[error("indicator {indicator}: {reason}")]
    InvalidIndicator { indicator: String, reason: String },
    /// A cached entry does not have the shape its key promises. This is a bug in the store,
    /// reported instead of panicking.
    #[error("indicator {indicator}: cached output has the wrong shape (internal error)")]
    WrongShape { indicator: String },
    /// A feature frame is written beside candles it was not computed from.
    #[error("feature frame has {frame_bars} bars but the candles have {candle_bars}")]
    FrameMismatch {
        frame_bars: usize,
        candle_bars: usize,
    },
    /// Writing the CSV failed.
    #[error("writing features CSV: {message}")]
    Io { message: String },
}

impl From<std::io::Error> for FeatureError {
    fn from(err: std::io::Error) -> Self {
        FeatureError::Io {
            message: err.to_string(),
        }
    }
}
