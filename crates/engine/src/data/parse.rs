//! The parser's entry point: bytes in, validated candles and a report out.

use super::candles::Candles;
use super::candles::MIN_BARS;
use super::error::DataError;
use super::layout::{Format, Layout, TimeFormat};
use super::report::{ColumnUse, ParseOptions, ParseReport, Parsed, ValidationMode};
use super::rows::reverse_columns;
use super::sniff::prepare;
use super::timestamp::DateOrder;
use super::{csv, json};

/// What the readers decided about a file, before its rows are counted.
pub(crate) struct Plan {
    pub layout: Layout,
    pub format: Format,
    pub delimiter: Option<String>,
    pub has_header: bool,
    pub has_decimal_comma: bool,
    pub time_format: TimeFormat,
    pub date_order: Option<DateOrder>,
    pub columns: Vec<ColumnUse>,
    pub ignored: Vec<String>,
    pub notes: Vec<String>,
}

/// Parses and validates a candle file (CSV, TSV, JSON, gzip of any) from its bytes.
pub fn parse(bytes: &[u8], options: &ParseOptions) -> Result<Parsed, DataError> {
    parse_with_progress(bytes, options, &mut |_, _| {})
}

/// [`parse`], calling `progress(bytes_done, bytes_total)` about every 65,536 rows and once at
/// the end. After gzip, the byte counts are those of the decompressed text.
pub fn parse_with_progress(
    bytes: &[u8],
    options: &ParseOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Parsed, DataError> {
    let prepared = prepare(bytes, options)?;
    let body = prepared.body();
    let first = body.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let (mut plan, mut sink) = if matches!(first, Some(b'[' | b'{')) {
        json::read(body, options, progress)?
    } else {
        csv::read(body, options, progress)?
    };
    if sink.n_rows == 0 {
        return Err(DataError::Empty);
    }
    if options.mode == ValidationMode::Strict && sink.n_problems > 0 {
        return Err(DataError::Rejected {
            n_problems: sink.n_problems,
            problems: sink.problems,
        });
    }
    if sink.cols.len() < MIN_BARS {
        return Err(DataError::TooFewBars {
            n_bars: sink.cols.len(),
            n_dropped: sink.n_problems,
        });
    }
    let is_reversed = sink.is_newest_first();
    if is_reversed {
        reverse_columns(&mut sink.cols);
        plan.notes.push(format!(
            "the rows run newest first: the {} bars were reversed to run oldest first",
            sink.cols.len()
        ));
    }
    let candles = Candles::from_columns(sink.cols)?;
    let ts_ms = candles.ts_ms();
    let report = ParseReport {
        layout: plan.layout,
        format: plan.format,
        delimiter: plan.delimiter,
        is_gzip: prepared.is_gzip,
        has_bom: prepared.has_bom,
        has_header: plan.has_header,
        has_decimal_comma: plan.has_decimal_comma,
        time_format: plan.time_format,
        date_order: plan.date_order,
        is_reversed,
        columns: plan.columns,
        ignored_columns: plan.ignored,
        notes: plan.notes,
        n_rows_read: sink.n_rows,
        n_blank_lines: sink.n_blank_lines,
        n_bars: candles.len(),
        dropped: sink.problems,
        timeframe_ms: candles.timeframe_ms(),
        gaps: candles.gaps(),
        first_ts_ms: ts_ms.first().copied().unwrap_or(0),
        last_ts_ms: ts_ms.last().copied().unwrap_or(0),
    };
    Ok(Parsed { candles, report })
}
