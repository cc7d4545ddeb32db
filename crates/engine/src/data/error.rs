//! The one error type of the data module: why a file is not a dataset, or why a dataset
//! cannot be resampled. It crosses the web worker boundary, so it is plain serialisable data,
//! and its message always says where (line, column, field) the trouble is.

use serde::{Deserialize, Serialize};

use super::candles::ColumnsError;
use super::problem::{Field, Problem};

/// Why parsing or resampling failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "error", rename_all = "snake_case")]
pub enum DataError {
    #[error("the file is empty (no bytes, or only blank lines)")]
    Empty,
    #[error("the file has a header on line {line} but no data rows")]
    HeaderOnly { line: u64 },
    #[error("the JSON array on line {line} holds no candles")]
    EmptyJsonArray { line: u64 },
    #[error("line {line}: unknown layout: {seen}")]
    UnknownLayout { line: u64, seen: String },
    #[error("line {line}: the header has no column for {field} (it has: {header})")]
    MissingColumn {
        line: u64,
        field: Field,
        header: String,
    },
    #[error("not a text file: {what} (at byte {offset})")]
    Binary { offset: u64, what: String },
    #[error("the file is UTF-16 text; save it as UTF-8")]
    Utf16,
    #[error("bad gzip data: {message}")]
    Gzip { message: String },
    #[error("the decompressed data is larger than {limit_bytes} bytes")]
    TooLarge { limit_bytes: u64 },
    #[error("line {line}, column {column}: invalid JSON: {message}")]
    Json {
        line: u64,
        column: u32,
        message: String,
    },
    #[error("{}", rejected_message(*n_problems, problems))]
    Rejected {
        /// Every problem in the file, counted.
        n_problems: usize,
        /// The first [`super::MAX_LISTED_PROBLEMS`] of them, in file order.
        problems: Vec<Problem>,
    },
    #[error("{}", too_few_bars_message(*n_bars, *n_dropped))]
    TooFewBars { n_bars: usize, n_dropped: usize },
    #[error("cannot resample {base_ms} ms bars to {target_ms} ms: the target must be a positive multiple of the base timeframe")]
    ResampleTarget { target_ms: i64, base_ms: i64 },
    #[error("cannot synthesise: {message}")]
    Synth { message: String },
    #[error(transparent)]
    Columns(#[from] ColumnsError),
}

fn rejected_message(n_problems: usize, problems: &[Problem]) -> String {
    let mut out = format!(
        "the file was rejected: {n_problems} problem(s) (strict mode; lenient mode drops bad rows)"
    );
    if problems.len() < n_problems {
        out.push_str(&format!("; the first {}:", problems.len()));
    } else {
        out.push(':');
    }
    for problem in problems {
        out.push_str("\n  ");
        out.push_str(&problem.to_string());
    }
    out
}

fn too_few_bars_message(n_bars: usize, n_dropped: usize) -> String {
    if n_dropped == 0 {
        format!("the file has only {n_bars} bar(s); a dataset needs at least 2 (one spacing gives the timeframe)")
    } else {
        format!("only {n_bars} valid bar(s) left after dropping {n_dropped} row(s); a dataset needs at least 2")
    }
}
