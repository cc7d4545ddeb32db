//! JSON candles: an array of row arrays (`[[1704067200000, 42000, ...], ...]`, as the Bitfinex
//! and Binance APIs return them) or an array of row objects with the generic names.
//!
//! A small purpose-built scanner rather than a general JSON parser: it keeps every value as a
//! slice of the input (no allocation per row) and knows the line and column of each, which a
//! problem report needs. String escapes are not decoded; keys are compared as written.

use super::error::DataError;
use super::layout::Format;
use super::parse::Plan;
use super::problem::Field;
use super::report::ValidationMode;
use super::rows::{RowSink, RowSpots, ValueReader, PROGRESS_EVERY_ROWS};
use super::sniff::{
    plan_from_header, plan_from_shape, settle_layout, shape_columns, sniff_time_format, SAMPLE_ROWS,
};

/// Nesting deeper than this inside a row is refused rather than followed.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Number,
    String,
    Null,
    /// `true`, `false`, or a nested array or object: never a candle value.
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Scalar<'a> {
    kind: Kind,
    text: &'a [u8],
    column: u32,
}

#[derive(Clone, Copy)]
struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u64,
    line_start: usize,
}

impl<'a> Scanner<'a> {
    fn column(&self) -> u32 {
        (self.pos - self.line_start + 1) as u32
    }

    fn error(&self, message: impl Into<String>) -> DataError {
        DataError::Json {
            line: self.line,
            column: self.column(),
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.line_start = self.pos;
                }
                b' ' | b'\t' | b'\r' => self.pos += 1,
                _ => break,
            }
        }
    }

    fn expect(&mut self, wanted: u8, what: &str) -> Result<(), DataError> {
        self.skip_ws();
        if self.peek() == Some(wanted) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(what))
        }
    }

    fn unexpected(&self, what: &str) -> DataError {
        match self.peek() {
            None => self.error(format!("the text ends where {what} was expected")),
            Some(b) if b.is_ascii_graphic() => {
                self.error(format!("expected {what}, found `{}`", b as char))
            }
            Some(b) => self.error(format!("expected {what}, found byte 0x{b:02x}")),
        }
    }

    /// The contents of a string starting at the current `"`, escapes left as written.
    fn string(&mut self) -> Result<&'a [u8], DataError> {
        self.pos += 1;
        let start = self.pos;
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    let text = &self.bytes[start..self.pos];
                    self.pos += 1;
                    return Ok(text);
                }
                Some(b'\\') => self.pos += 2,
                Some(b) if b < 0x20 => return Err(self.error("control character inside a string")),
                Some(_) => self.pos += 1,
            }
        }
    }

    fn value(&mut self) -> Result<Scalar<'a>, DataError> {
        self.skip_ws();
        let column = self.column();
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'"') => {
                let text = self.string()?;
                return Ok(Scalar {
                    kind: Kind::String,
                    text,
                    column,
                });
            }
            Some(b'-' | b'0'..=b'9') => {
                while self.peek().is_some_and(|b| {
                    b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E')
                }) {
                    self.pos += 1;
                }
                Kind::Number
            }
            Some(b't') => self.literal(b"true", Kind::Other)?,
            Some(b'f') => self.literal(b"false", Kind::Other)?,
            Some(b'n') => self.literal(b"null", Kind::Null)?,
            Some(b'[' | b'{') => {
                self.skip_nested()?;
                Kind::Other
            }
            _ => return Err(self.unexpected("a value")),
        };
        Ok(Scalar {
            kind,
            text: &self.bytes[start..self.pos],
            column,
        })
    }

    fn literal(&mut self, word: &[u8], kind: Kind) -> Result<Kind, DataError> {
        if self.bytes[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.unexpected("a value"))
        }
    }

    /// Skips a nested array or object, checking only brackets and strings.
    fn skip_nested(&mut self) -> Result<(), DataError> {
        let mut depth = 0usize;
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated array or object")),
                Some(b'[' | b'{') => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(self.error(format!("nesting deeper than {MAX_DEPTH}")));
                    }
                    self.pos += 1;
                }
                Some(b']' | b'}') => {
                    self.pos += 1;
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b'\n') => self.skip_ws(),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// After a row: `,` then another row, or `]` closing the top-level array.
    /// Returns false at the end.
    fn next_row(&mut self) -> Result<bool, DataError> {
        self.skip_ws();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.skip_ws();
                Ok(true)
            }
            Some(b']') => {
                self.pos += 1;
                self.skip_ws();
                if self.pos < self.bytes.len() {
                    Err(self.error("unexpected text after the closing `]`"))
                } else {
                    Ok(false)
                }
            }
            _ => Err(self.unexpected("`,` or `]` after a row")),
        }
    }

    /// One row array into `values`.
    fn array_row(&mut self, values: &mut Vec<Scalar<'a>>) -> Result<(), DataError> {
        values.clear();
        self.expect(b'[', "`[` opening a row")?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            values.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `]` inside a row")),
            }
        }
    }

    /// One row object into `members` as (key, value).
    fn object_row(&mut self, members: &mut Vec<(&'a [u8], Scalar<'a>)>) -> Result<(), DataError> {
        members.clear();
        self.expect(b'{', "`{` opening a row")?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a quoted key"));
            }
            let key = self.string()?;
            self.expect(b':', "`:` after a key")?;
            members.push((key, self.value()?));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.unexpected("`,` or `}` inside a row")),
            }
        }
    }
}

/// Reads a JSON document into the sink, returning the plan it followed.
pub(crate) fn read(
    body: &[u8],
    mode: ValidationMode,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Plan, RowSink), DataError> {
    let mut scanner = Scanner {
        bytes: body,
        pos: 0,
        line: 1,
        line_start: 0,
    };
    scanner.skip_ws();
    if scanner.peek() == Some(b'{') {
        return Err(scanner.error("the top level is an object; expected an array of candles"));
    }
    scanner.expect(b'[', "`[` opening the array of candles")?;
    let array_line = scanner.line;
    scanner.skip_ws();
    match scanner.peek() {
        Some(b']') => Err(DataError::EmptyJsonArray { line: array_line }),
        Some(b'[') => read_arrays(scanner, mode, progress),
        Some(b'{') => read_objects(scanner, mode, progress),
        _ => Err(scanner.unexpected("a row array `[` or object `{`")),
    }
}

fn read_arrays<'a>(
    start: Scanner<'a>,
    mode: ValidationMode,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Plan, RowSink), DataError> {
    let total = start.bytes.len() as u64;
    let mut values = Vec::with_capacity(16);

    let mut scanner = start;
    let mut samples: Vec<Vec<&[u8]>> = Vec::new();
    let first_line = scanner.line;
    loop {
        scanner.array_row(&mut values)?;
        samples.push(values.iter().map(|v| v.text).collect());
        if samples.len() >= SAMPLE_ROWS || !scanner.next_row()? {
            break;
        }
    }
    let sample_bytes = scanner.pos - start.pos;
    let shape =
        plan_from_shape(&samples[0], &samples).map_err(|seen| DataError::UnknownLayout {
            line: first_line,
            seen,
        })?;
    let is_split = shape.map.time_of_day.is_some();
    let time_format = sniff_time_format(
        samples.iter().filter_map(|row| row.first().copied()),
        is_split,
    )
    .ok_or_else(|| time_error(first_line, samples[0].first().copied()))?;
    let map = shape.map.clone();
    let reader = ValueReader {
        time_format,
        is_comma_decimal: false,
        has_volume: map.get(Field::Volume).is_some(),
    };
    let per_row = (sample_bytes / samples.len()).max(1);
    let mut sink = RowSink::new(start.bytes.len() / per_row + 16, mode);

    let mut scanner = start;
    loop {
        let mut spots = RowSpots::new(scanner.line);
        let row_column = scanner.column();
        scanner.array_row(&mut values)?;
        for field in Field::ALL {
            if let Some(index) = map.get(field) {
                match values.get(index) {
                    Some(value) if value.kind != Kind::Null => {
                        spots.set(field, value.column, value.text)
                    }
                    Some(value) => spots.set_missing(field, value.column),
                    None => spots.set_missing(field, row_column),
                }
            }
        }
        if let Some(index) = map.time_of_day {
            spots.time_of_day = Some(values.get(index).map_or(&b""[..], |v| v.text));
        }
        sink.row(&reader, &spots);
        if sink.n_rows & (PROGRESS_EVERY_ROWS - 1) == 0 {
            progress(scanner.pos as u64, total);
        }
        if !scanner.next_row()? {
            break;
        }
    }
    progress(total, total);
    let columns = shape_columns(&shape);
    let plan = Plan {
        layout: shape.layout,
        format: Format::JsonArrays,
        delimiter: None,
        has_header: false,
        has_decimal_comma: false,
        time_format,
        columns,
        ignored: shape.ignored,
        notes: shape.notes,
    };
    Ok((plan, sink))
}

fn read_objects<'a>(
    start: Scanner<'a>,
    mode: ValidationMode,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Plan, RowSink), DataError> {
    let total = start.bytes.len() as u64;
    let mut members = Vec::with_capacity(16);

    let mut scanner = start;
    let first_line = scanner.line;
    scanner.object_row(&mut members)?;
    let keys: Vec<&[u8]> = members.iter().map(|(key, _)| *key).collect();
    let header = plan_from_header(&keys, first_line)?;
    let field_keys: [Option<&[u8]>; 6] = header.map.index.map(|index| index.map(|i| keys[i]));
    let time_of_day_key = header.map.time_of_day.map(|i| keys[i]);

    let mut time_texts: Vec<&[u8]> = Vec::new();
    let mut sample_scanner = start;
    let mut n_sampled = 0;
    loop {
        sample_scanner.object_row(&mut members)?;
        n_sampled += 1;
        if let Some(key) = field_keys[Field::Time.index()] {
            if let Some((_, value)) = members.iter().find(|(k, _)| *k == key) {
                time_texts.push(value.text);
            }
        }
        if n_sampled >= SAMPLE_ROWS || !sample_scanner.next_row()? {
            break;
        }
    }
    let time_format = sniff_time_format(time_texts.iter().copied(), header.is_split_date_time)
        .ok_or_else(|| time_error(first_line, time_texts.first().copied()))?;
    let sample_bytes = sample_scanner.pos - start.pos;
    let reader = ValueReader {
        time_format,
        is_comma_decimal: false,
        has_volume: field_keys[Field::Volume.index()].is_some(),
    };
    let per_row = (sample_bytes / n_sampled).max(1);
    let mut sink = RowSink::new(start.bytes.len() / per_row + 16, mode);

    let mut scanner = start;
    loop {
        let mut spots = RowSpots::new(scanner.line);
        let row_column = scanner.column();
        scanner.object_row(&mut members)?;
        for field in Field::ALL {
            let Some(key) = field_keys[field.index()] else {
                continue;
            };
            match members.iter().find(|(k, _)| *k == key) {
                Some((_, value)) if value.kind != Kind::Null => {
                    spots.set(field, value.column, value.text)
                }
                Some((_, value)) => spots.set_missing(field, value.column),
                None => spots.set_missing(field, row_column),
            }
        }
        if let Some(key) = time_of_day_key {
            spots.time_of_day = Some(
                members
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map_or(&b""[..], |(_, v)| v.text),
            );
        }
        sink.row(&reader, &spots);
        if sink.n_rows & (PROGRESS_EVERY_ROWS - 1) == 0 {
            progress(scanner.pos as u64, total);
        }
        if !scanner.next_row()? {
            break;
        }
    }
    progress(total, total);
    let columns = header
        .columns
        .into_iter()
        .map(|mut column| {
            column.column = None;
            column
        })
        .collect();
    let plan = Plan {
        layout: settle_layout(header.layout_hint, time_format),
        format: Format::JsonObjects,
        delimiter: None,
        has_header: false,
        has_decimal_comma: false,
        time_format,
        columns,
        ignored: header.ignored,
        notes: header.notes,
    };
    Ok((plan, sink))
}

fn time_error(line: u64, text: Option<&[u8]>) -> DataError {
    DataError::UnknownLayout {
        line,
        seen: format!(
            "the time value `{}` is neither a unix timestamp nor a date",
            String::from_utf8_lossy(text.unwrap_or(b""))
        ),
    }
}
