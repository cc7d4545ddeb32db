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

impl Field {
    /// Every field, in the order rows are checked and problems are reported.
    pub const ALL: [Field; 6] = [
        Field::Time,
        Field::Open,
        Field::High,
        Field::Low,
        Field::Close,
        Field::Volume,
    ];

    /// The field's position in [`Field::ALL`], for small per-field arrays.
    pub const fn index(self) -> usize {
        self as usize
    }
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
    /// A volume below zero.
    NegativeVolume,
    /// The same timestamp as the previous accepted row.
    DuplicateTimestamp,
    /// A timestamp earlier than the previous accepted row's.
    DecreasingTimestamp,
    /// In a file whose rows run newest first, a timestamp later than the previous accepted
    /// row's.
    LaterTimestamp,
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
            ProblemKind::LaterTimestamp => {
                "timestamp later than the previous row's in a file running newest first"
            }
        })
    }
}

/// How many problems a strict-mode rejection lists (the total is always given).
pub const MAX_LISTED_PROBLEMS: usize = 20;

/// The longest excerpt of a bad value a problem quotes, in bytes.
const MAX_TEXT_BYTES: usize = 40;

/// One bad row: where it is, which field, what is wrong, and the text as written.
///
/// `line` is the 1-based line of the file (after decompression). For CSV and TSV `column` is
/// the 1-based field number on that line, as a spreadsheet numbers columns; for JSON it is the
/// 1-based byte column on that line where the value (or, for a missing value, the row) starts,
/// as JSON tools report positions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub line: u64,
    pub column: u32,
    pub field: Field,
    pub kind: ProblemKind,
    /// The offending text (cut to 40 bytes), or the parsed value for range problems.
    pub text: String,
}

impl Problem {
    pub(crate) fn new(
        line: u64,
        column: u32,
        field: Field,
        kind: ProblemKind,
        text: &[u8],
    ) -> Problem {
        let is_cut = text.len() > MAX_TEXT_BYTES;
        let mut text =
            String::from_utf8_lossy(&text[..text.len().min(MAX_TEXT_BYTES)]).into_owned();
        if is_cut {
            text.push('…');
        }
        Problem {
            line,
            column,
            field,
            kind,
            text,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "line {}, column {} ({}): {}",
            self.line, self.column, self.field, self.kind
        )?;
        if !self.text.is_empty() {
            write!(f, " `{}`", self.text)?;
        }
        Ok(())
    }
}
