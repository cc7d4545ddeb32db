//! The per-row logic shared by the CSV and JSON readers: turning field texts into a bar,
//! checking it, and keeping or reporting it.
//!
//! Both modes run the same checks against the previous *accepted* row, so the rows a strict
//! parse complains about are exactly the rows a lenient parse drops.

use super::candles::{check_order, Bar, Columns};
use super::layout::TimeFormat;
use super::number::parse_f64;
use super::problem::{Field, Problem, ProblemKind, MAX_LISTED_PROBLEMS};
use super::report::ValidationMode;
use super::timestamp::{parse_datetime, parse_time_of_day, parse_unix, TimeUnit};

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
}

impl ValueReader {
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
            TimeFormat::Text => parse_datetime(text).ok_or(ProblemKind::Unparsable),
            TimeFormat::DateAndTime => {
                let day_ms = parse_datetime(text).ok_or(ProblemKind::Unparsable)?;
                let of_day_ms =
                    parse_time_of_day(time_of_day.unwrap_or(b"")).ok_or(ProblemKind::Unparsable)?;
                day_ms.checked_add(of_day_ms).ok_or(ProblemKind::Unparsable)
            }
        }
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
            parse_f64(spots.text[field.index()], self.is_comma_decimal)
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
    prev_ts_ms: Option<i64>,
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
            prev_ts_ms: None,
        }
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
        let checked = check_order(self.prev_ts_ms, bar.ts_ms).and_then(|()| bar.check());
        if let Err((field, kind)) = checked {
            return self.problem(spots.problem(field, kind));
        }
        self.prev_ts_ms = Some(bar.ts_ms);
        // A strict parse that has failed keeps counting problems but stops collecting bars.
        if self.mode == ValidationMode::Lenient || self.n_problems == 0 {
            self.cols.push(bar);
        }
    }
}
