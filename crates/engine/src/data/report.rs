//! What the parser tells its caller besides the candles: the options it ran with and the
//! report of what it saw, chose and dropped.

use serde::{Deserialize, Serialize};

use super::candles::{Candles, Gaps};
use super::layout::{Format, Layout, TimeFormat};
use super::problem::{Field, Problem};
use super::timestamp::DateOrder;

/// What to do with bad rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValidationMode {
    /// Any bad row rejects the whole file (the default: nothing is altered without asking).
    #[default]
    Strict,
    /// Bad rows are dropped and each one is reported.
    Lenient,
}

/// The largest decompressed size accepted by default: 1 GiB, far above a million bars, low
/// enough that a gzip bomb cannot exhaust a browser tab.
pub const DEFAULT_MAX_DECOMPRESSED_BYTES: u64 = 1 << 30;

/// How to parse.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseOptions {
    pub mode: ValidationMode,
    pub max_decompressed_bytes: u64,
    /// The day/month order of dates written with the year last (`05.03.2024`, `05/03/2024`).
    /// `None` (the default) decides from the data: a value above 12 in either place settles
    /// it, and otherwise the layout's custom is followed and the report says so.
    #[serde(default)]
    pub date_order: Option<DateOrder>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            mode: ValidationMode::Strict,
            max_decompressed_bytes: DEFAULT_MAX_DECOMPRESSED_BYTES,
            date_order: None,
        }
    }
}

impl ParseOptions {
    pub fn lenient() -> Self {
        ParseOptions {
            mode: ValidationMode::Lenient,
            ..ParseOptions::default()
        }
    }
}

/// Which source column feeds a field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnUse {
    pub field: Field,
    /// 1-based column (CSV) or element (JSON arrays); absent for JSON objects.
    pub column: Option<u32>,
    /// The header name or key, or a name the layout gives the column.
    pub name: String,
}

/// Everything the parser saw and decided, so nothing is altered silently.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParseReport {
    pub layout: Layout,
    pub format: Format,
    /// The CSV delimiter as text (`","`, `";"`, `"\t"`); absent for JSON.
    pub delimiter: Option<String>,
    pub is_gzip: bool,
    pub has_bom: bool,
    pub has_header: bool,
    /// True when numbers were written with a decimal comma (only with a `;` delimiter).
    pub has_decimal_comma: bool,
    pub time_format: TimeFormat,
    /// The day/month order used for dates written with the year last; absent when the dates
    /// are year-first or unix numbers. The notes say how it was decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<DateOrder>,
    /// True when the rows ran newest first and were reversed (the notes say so too).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_reversed: bool,
    pub columns: Vec<ColumnUse>,
    /// Columns present in the file and not used, by header name or position.
    pub ignored_columns: Vec<String>,
    /// Decisions worth knowing, in plain words.
    pub notes: Vec<String>,
    /// Data rows read (header and blank lines excluded).
    pub n_rows_read: usize,
    pub n_blank_lines: usize,
    pub n_bars: usize,
    /// Every row dropped in lenient mode, with its first problem.
    pub dropped: Vec<Problem>,
    pub timeframe_ms: i64,
    pub gaps: Gaps,
    pub first_ts_ms: i64,
    pub last_ts_ms: i64,
}

/// The parser's result: the validated candles and the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Parsed {
    pub candles: Candles,
    pub report: ParseReport,
}
