//! The per-row logic shared by the CSV and JSON readers: turning field texts into a bar,
//! checking it, and keeping or reporting it.
//!
//! Both modes run the same checks against the previous *accepted* row, so the rows a strict
//! parse complains about are exactly the rows a lenient parse drops.

use super::candles::{check_order, Bar, Columns};
use super::layout::TimeFormat;
use super::number::{parse_number, Grouping};
use super::problem::{Field, Problem, ProblemKind, MAX_LISTED_PROBLEMS};
use super::report::ValidationMode;
use super::timestamp::{parse_datetime_in, parse_time_of_day, parse_unix, DateOrder, TimeUnit};

/// Rows between two progress callbacks; a power of two, tested with a mask.
pub(crate) const PROGRESS_EVERY_ROWS: usize = 1 << 16;

/// Where each field of one row sits and how it was written.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RowSpots<'a> {
    pub line: u64,
    /// Indexed by [`Field::index`].
    pub column: [u32; 6],
    pub text: [&'a [u8]; 6],
    /// Whether the field was present at all (a short row lacks some).
    pub is_present: [bool; 6],
    /// The time-of-day text when the date and the time are split.
    pub time_of_day: Option<&'a [u8]>,
}

impl<'a> RowSpots<'a> {
    pub fn new(line: u64) -> Self {
        RowSpots {
            line,
            column: [0; 6],
            text: [b""; 6],
            is_present: [false; 6],
            time_of_day: None,
        }
    }

    /// Records a present field.
    pub fn set(&mut self, field: Field, column: u32, text: &'a [u8]) {
        self.column[field.index()] = column;
        self.text[field.index()] = text;
        self.is_present[field.index()] = true;
    }

    /// Records where an absent field should have been.
    pub fn set_missing(&mut self, field: Field, column: u32) {
        self.column[field.index()] = column;
    }

    fn problem(&self, field: Field, kind: ProblemKind) -> Problem {
        let text = self.text[field.index()];
        match (field, self.time_of_day) {
            (Field::Time, Some(time_of_day)) => {
                let joined = [text, b" ", time_of_day].concat();
                Problem::new(self.line, self.column[field.index()], field, kind, &joined)
            }
            _ => Problem::new(self.line, self.column[field.index()], field, kind, text),
        }
    }
}

/// How field texts become numbers.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ValueReader {
    pub time_format: TimeFormat,
    pub is_comma_decimal: bool,
    /// Without a volume column every volume is zero (the report says so).
    pub has_volume: bool,
    /// The order of year-last dates; `None` reads year-first dates only.
    pub date_order: Option<DateOrder>,
    /// Thousands separators and K/M/B suffixes, for the layouts that write them.
    pub grouping: Grouping,
}

impl ValueReader {
    /// A reader of plain numbers and year-first dates.
    pub fn plain(time_format: TimeFormat, has_volume: bool) -> ValueReader {
        ValueReader {
            time_format,
            is_comma_decimal: false,
            has_volume,
            date_order: None,
            grouping: Grouping::default(),
        }
    }

    fn number(&self, text: &[u8]) -> Option<f64> {
        parse_number(text, self.is_comma_decimal, self.grouping)
    }
}

impl ValueReader {
    /// A row's time in UTC milliseconds. Unix numbers (the common case, and the benchmark's)
    /// are read inline; calendar dates go through an out-of-line call so their larger code
    /// does not push this function out of the hot loop.
    #[inline(always)]
    pub fn time_ms(&self, text: &[u8], time_of_day: Option<&[u8]>) -> Result<i64, ProblemKind> {
        match self.time_format {
            TimeFormat::Unix(unit) => {
                let (value, thousandths) = parse_unix(text).ok_or(ProblemKind::Unparsable)?;
                // A value of another magnitude than the file's first one is a different unit
                // or a typo; either way guessing would alter the data.
                if TimeUnit::from_magnitude(value) != unit {
                    return Err(ProblemKind::Unparsable);
                }
                unit.to_ms(value, thousandths)
                    .ok_or(ProblemKind::Unparsable)
            }
            TimeFormat::Text | TimeFormat::DateAndTime => self.calendar_ms(text, time_of_day),
        }
    }

    #[inline(never)]
    fn calendar_ms(&self, text: &[u8], time_of_day: Option<&[u8]>) -> Result<i64, ProblemKind> {
        let day_ms = parse_datetime_in(text, self.date_order).ok_or(ProblemKind::Unparsable)?;
        if self.time_format != TimeFormat::DateAndTime {
            return Ok(day_ms);
        }
        let of_day_ms =
            parse_time_of_day(time_of_day.unwrap_or(b"")).ok_or(ProblemKind::Unparsable)?;
        day_ms.checked_add(of_day_ms).ok_or(ProblemKind::Unparsable)
    }

    /// The bar of a row, or its first field problem in field order.
    pub fn bar(&self, spots: &RowSpots) -> Result<Bar, Problem> {
        for field in Field::ALL {
            let is_optional_volume = field == Field::Volume && !self.has_volume;
            if !is_optional_volume
                && (!spots.is_present[field.index()] || spots.text[field.index()].is_empty())
            {
                return Err(spots.problem(field, ProblemKind::MissingField));
            }
        }
        let ts_ms = self
            .time_ms(spots.text[Field::Time.index()], spots.time_of_day)
            .map_err(|kind| spots.problem(Field::Time, kind))?;
        let number = |field: Field| {
            self.number(spots.text[field.index()])
                .ok_or_else(|| spots.problem(field, ProblemKind::Unparsable))
        };
        Ok(Bar {
            ts_ms,
            open: number(Field::Open)?,
            high: number(Field::High)?,
            low: number(Field::Low)?,
            close: number(Field::Close)?,
            volume: if self.has_volume {
                number(Field::Volume)?
            } else {
                0.0
            },
        })
    }
}

/// Collects accepted bars and problems.
pub(crate) struct RowSink {
    pub cols: Columns,
    mode: ValidationMode,
    /// Lenient: every problem. Strict: the first [`MAX_LISTED_PROBLEMS`].
    pub problems: Vec<Problem>,
    pub n_problems: usize,
    pub n_rows: usize,
    pub n_blank_lines: usize,
    /// XORed into each time before the order check: 0 for oldest first, all ones for newest
    /// first (`!ts` reverses the order without overflow), so one comparison serves both.
    order_mask: i64,
    /// The previous accepted row's time, XORed with `order_mask`.
    prev_key: Option<i64>,
}

impl RowSink {
    pub fn new(estimated_rows: usize, mode: ValidationMode) -> Self {
        RowSink {
            cols: Columns::with_capacity(estimated_rows),
            mode,
            problems: Vec::new(),
            n_problems: 0,
            n_rows: 0,
            n_blank_lines: 0,
            order_mask: 0,
            prev_key: None,
        }
    }

    /// The rows run newest first: each time must be earlier than the previous accepted
    /// row's, and the parser reverses the columns at the end.
    pub fn set_newest_first(&mut self, is_newest_first: bool) {
        self.order_mask = if is_newest_first { -1 } else { 0 };
    }

    pub fn is_newest_first(&self) -> bool {
        self.order_mask != 0
    }

    pub fn problem(&mut self, problem: Problem) {
        self.n_problems += 1;
        if self.mode == ValidationMode::Lenient || self.problems.len() < MAX_LISTED_PROBLEMS {
            self.problems.push(problem);
        }
    }

    /// Reads, checks and keeps (or reports) one row.
    pub fn row(&mut self, reader: &ValueReader, spots: &RowSpots) {
        self.n_rows += 1;
        let bar = match reader.bar(spots) {
            Ok(bar) => bar,
            Err(problem) => return self.problem(problem),
        };
        let key = bar.ts_ms ^ self.order_mask;
        let checked = check_order(self.prev_key, key).and_then(|()| bar.check());
        if let Err((field, kind)) = checked {
            // In a newest-first file a "decrease" of the reversed key is a later time.
            let kind = match kind {
                ProblemKind::DecreasingTimestamp if self.is_newest_first() => {
                    ProblemKind::LaterTimestamp
                }
                other => other,
            };
            return self.problem(spots.problem(field, kind));
        }
        self.prev_key = Some(key);
        // A strict parse that has failed keeps counting problems but stops collecting bars.
        if self.mode == ValidationMode::Lenient || self.n_problems == 0 {
            self.cols.push(bar);
        }
    }
}

/// Whether sampled times run newest first: at least two consecutive pairs fall, and falls
/// outnumber rises more than two to one. A file that mostly rises reads oldest first (the
/// usual order), so a row out of order in either kind of file is an error at its line; a
/// lone fall between two rows decides nothing.
pub(crate) fn runs_newest_first(times_ms: &[i64]) -> bool {
    let (mut n_rises, mut n_falls) = (0usize, 0usize);
    for pair in times_ms.windows(2) {
        if pair[1] > pair[0] {
            n_rises += 1;
        } else if pair[1] < pair[0] {
            n_falls += 1;
        }
    }
    n_falls >= 2 && n_falls > 2 * n_rises
}

/// Reverses accepted bars that were read newest first, so they run oldest first.
pub(crate) fn reverse_columns(cols: &mut Columns) {
    cols.ts_ms.reverse();
    cols.open.reverse();
    cols.high.reverse();
    cols.low.reverse();
    cols.close.reverse();
    cols.volume.reverse();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_needs_a_clear_majority_of_falls() {
        assert!(runs_newest_first(&[5, 4, 3, 2]));
        // One row out of place in a newest-first file: still newest first.
        assert!(runs_newest_first(&[5, 4, 3, 6, 2]));
        // A single fall, or falls matched by rises, keep the usual order.
        assert!(!runs_newest_first(&[5, 4]));
        assert!(!runs_newest_first(&[1, 0, 2]));
        assert!(!runs_newest_first(&[2, 1, 2, 1, 2]));
        assert!(!runs_newest_first(&[1, 2, 3, 4]));
        assert!(!runs_newest_first(&[]));
    }
}
