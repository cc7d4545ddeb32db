//! What can be wrong with a row of candle data, and where.

use serde::{Deserialize, Serialize};

/// A candle field, named as a user reads it in an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Time,
    Open,
    High,
    Low,
    Close,
    Volume,
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Field::Time => "time",
            Field::Open => "open",
            Field::High => "high",
            Field::Low => "low",
            Field::Close => "close",
            Field::Volume => "volume",
        })
    }
}

/// The kinds of row problems SPEC §1 names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The field is absent (a short row).
    MissingField,
    /// The field's text is not a number or a timestamp.
    Unparsable,
    /// NaN or infinity.
    NotFinite,
    /// A price of zero or below.
    NonPositivePrice,
    /// High below max(open, close).
    HighBelowBody,
    /// Low above min(open, close).
    LowAboveBody,
    NegativeVolume,
    DuplicateTimestamp,
    DecreasingTimestamp,
}

impl std::fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ProblemKind::MissingField => "missing field",
            ProblemKind::Unparsable => "unparsable value",
            ProblemKind::NotFinite => "NaN or infinite value",
            ProblemKind::NonPositivePrice => "price is zero or negative",
            ProblemKind::HighBelowBody => "high is below max(open, close)",
            ProblemKind::LowAboveBody => "low is above min(open, close)",
            ProblemKind::NegativeVolume => "negative volume",
            ProblemKind::DuplicateTimestamp => "duplicate timestamp",
            ProblemKind::DecreasingTimestamp => "timestamp earlier than the previous row's",
        })
    }
}
