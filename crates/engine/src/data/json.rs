//! JSON candles: an array of row arrays (`[[1704067200000, 42000, ...], ...]`, as the Bitfinex,
//! Binance and Coinbase APIs return them) or an array of row objects with the generic or the
//! short names (`t o h l c v`), either at the top level or inside an object that wraps it
//! (Polygon's `{"results": [...]}`, Alpaca's `{"bars": [...]}`).
//!
//! A small purpose-built scanner rather than a general JSON parser: it keeps every value as a
//! slice of the input (no allocation per row) and knows the line and column of each, which a
//! problem report needs. String escapes are not decoded; keys are compared as written.

use super::error::DataError;
use super::layout::{Format, Layout, TimeFormat};
use super::order::decide_date_order;
use super::parse::Plan;
use super::problem::Field;
use super::report::ParseOptions;
use super::rows::{runs_newest_first, RowSink, RowSpots, ValueReader, PROGRESS_EVERY_ROWS};
use super::sniff::{
    plan_from_header, plan_from_shape, settle_layout, shape_columns, sniff_time_format, SAMPLE_ROWS,
};
use super::timestamp::DateOrder;

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
    /// The rows' array sits inside an object: its `]` ends the rows, and the rest of the
    /// document (already checked) follows.
    is_wrapped: bool,
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
                if self.is_wrapped {
                    return Ok(false);
                }
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

/// How deep inside wrapping objects the rows' array is looked for.
const MAX_WRAPPER_DEPTH: usize = 4;

/// Where the rows were found, when an object wraps them.
struct Wrapper {
    /// The dotted key path to the array (`results`, `bars.AAPL`).
    path: String,
}

impl<'a> Scanner<'a> {
    /// Looks through an object (the cursor on its `{`) for the first array whose first
    /// element is an array or an object: the candle rows. Returns a scanner on that array's
    /// first element, and the key path.
    fn find_rows(&mut self, depth: usize) -> Result<Option<(Scanner<'a>, String)>, DataError> {
        self.expect(b'{', "`{`")?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(None);
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("a quoted key"));
            }
            let key = String::from_utf8_lossy(self.string()?).into_owned();
            self.expect(b':', "`:` after a key")?;
            self.skip_ws();
            match self.peek() {
                Some(b'[') => {
                    let mut inside = *self;
                    inside.pos += 1;
                    inside.skip_ws();
                    if matches!(inside.peek(), Some(b'[' | b'{')) {
                        return Ok(Some((inside, key)));
                    }
                    self.skip_nested()?;
                }
                Some(b'{') if depth < MAX_WRAPPER_DEPTH => {
                    if let Some((rows, path)) = self.find_rows(depth + 1)? {
                        return Ok(Some((rows, format!("{key}.{path}"))));
                    }
                }
                _ => {
                    self.value()?;
                }
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(None);
                }
                _ => return Err(self.unexpected("`,` or `}` inside an object")),
            }
        }
    }
}

/// Reads a JSON document into the sink, returning the plan it followed.
pub(crate) fn read(
    body: &[u8],
    options: &ParseOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Plan, RowSink), DataError> {
    let mut scanner = Scanner {
        bytes: body,
        pos: 0,
        line: 1,
        line_start: 0,
        is_wrapped: false,
    };
    scanner.skip_ws();
    let mut wrapper = None;
    if scanner.peek() == Some(b'{') {
        // The whole document must be well bracketed, with nothing after it, before the rows
        // inside are read (reading stops at the rows' closing `]`).
        let mut check = scanner;
        check.skip_nested()?;
        check.skip_ws();
        if check.pos < body.len() {
            return Err(check.error("unexpected text after the closing `}`"));
        }
        let mut search = scanner;
        let Some((rows, path)) = search.find_rows(0)? else {
            return Err(scanner.error(
                "the top level is an object holding no array of candle rows; expected an array of candles, or an object with one inside",
            ));
        };
        let array_line = rows.line;
        if rows.peek() == Some(b']') {
            return Err(DataError::EmptyJsonArray { line: array_line });
        }
        scanner = rows;
        scanner.is_wrapped = true;
        wrapper = Some(Wrapper { path });
    } else {
        scanner.expect(b'[', "`[` opening the array of candles")?;
        let array_line = scanner.line;
        scanner.skip_ws();
        if scanner.peek() == Some(b']') {
            return Err(DataError::EmptyJsonArray { line: array_line });
        }
    }
    match scanner.peek() {
        Some(b'[') => read_arrays(scanner, options, wrapper, progress),
        Some(b'{') => read_objects(scanner, options, wrapper, progress),
        _ => Err(scanner.unexpected("a row array `[` or object `{`")),
    }
}

/// The note saying where the rows were found, and the layout the wrapper's key names.
fn wrapper_note(wrapper: &Option<Wrapper>, notes: &mut Vec<String>) {
    if let Some(wrapper) = wrapper {
        notes.push(format!(
            "the candles are the array at `{}` inside the top-level object",
            wrapper.path
        ));
    }
}

fn read_arrays<'a>(
    start: Scanner<'a>,
    options: &ParseOptions,
    wrapper: Option<Wrapper>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Plan, RowSink), DataError> {
    let total = start.bytes.len() as u64;
    let mut values = Vec::with_capacity(16);

    let mut scanner = start;
    let mut samples: Vec<Vec<&[u8]>> = Vec::new();
    let mut sample_lines: Vec<u64> = Vec::new();
    let first_line = scanner.line;
    loop {
        sample_lines.push(scanner.line);
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
    let mut notes = shape.notes.clone();
    wrapper_note(&wrapper, &mut notes);
    let sampled_times: Vec<(u64, &[u8])> = sample_lines
        .iter()
        .zip(&samples)
        .filter_map(|(&line, row)| row.first().map(|text| (line, *text)))
        .collect();
    let (reader, date_order) = value_reader(
        time_format,
        map.get(Field::Volume).is_some(),
        &sampled_times,
        options,
        shape.layout,
        &mut notes,
    );
    let per_row = (sample_bytes / samples.len()).max(1);
    let mut sink = RowSink::new(start.bytes.len() / per_row + 16, options.mode);
    sink.set_newest_first(is_newest_first(&reader, &sampled_times));

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
        date_order,
        columns,
        ignored: shape.ignored,
        notes,
    };
    Ok((plan, sink))
}

fn read_objects<'a>(
    start: Scanner<'a>,
    options: &ParseOptions,
    wrapper: Option<Wrapper>,
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
    let mut sampled_times: Vec<(u64, &[u8])> = Vec::new();
    let mut sample_scanner = start;
    let mut n_sampled = 0;
    loop {
        let line = sample_scanner.line;
        sample_scanner.object_row(&mut members)?;
        n_sampled += 1;
        if let Some(key) = field_keys[Field::Time.index()] {
            if let Some((_, value)) = members.iter().find(|(k, _)| *k == key) {
                time_texts.push(value.text);
                sampled_times.push((line, value.text));
            }
        }
        if n_sampled >= SAMPLE_ROWS || !sample_scanner.next_row()? {
            break;
        }
    }
    let time_format = sniff_time_format(time_texts.iter().copied(), header.is_split_date_time)
        .ok_or_else(|| time_error(first_line, time_texts.first().copied()))?;
    let sample_bytes = sample_scanner.pos - start.pos;
    let layout = match wrapper.as_ref().map(|w| w.path.as_str()) {
        Some("results") => Layout::Polygon,
        Some(path) if path == "bars" || path.starts_with("bars.") => Layout::Alpaca,
        _ => settle_layout(header.layout_hint, time_format),
    };
    let mut notes = header.notes.clone();
    wrapper_note(&wrapper, &mut notes);
    let (reader, date_order) = value_reader(
        time_format,
        field_keys[Field::Volume.index()].is_some(),
        &sampled_times,
        options,
        layout,
        &mut notes,
    );
    let per_row = (sample_bytes / n_sampled).max(1);
    let mut sink = RowSink::new(start.bytes.len() / per_row + 16, options.mode);
    sink.set_newest_first(is_newest_first(&reader, &sampled_times));

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
        layout,
        format: Format::JsonObjects,
        delimiter: None,
        has_header: false,
        has_decimal_comma: false,
        time_format,
        date_order,
        columns,
        ignored: header.ignored,
        notes,
    };
    Ok((plan, sink))
}

/// The reader of a JSON document's values: plain numbers (JSON has no thousands separators),
/// and the day/month order decided from the sampled times when they are year-last dates.
fn value_reader(
    time_format: TimeFormat,
    has_volume: bool,
    sampled_times: &[(u64, &[u8])],
    options: &ParseOptions,
    layout: Layout,
    notes: &mut Vec<String>,
) -> (ValueReader, Option<DateOrder>) {
    let mut reader = ValueReader::plain(time_format, has_volume);
    if time_format == TimeFormat::Text {
        if let Some((order, note)) =
            decide_date_order(sampled_times.iter().copied(), options.date_order, layout)
        {
            notes.push(note);
            reader.date_order = Some(order);
        }
    }
    (reader, reader.date_order)
}

/// Whether the sampled times run newest first (see [`runs_newest_first`]).
fn is_newest_first(reader: &ValueReader, sampled_times: &[(u64, &[u8])]) -> bool {
    let times: Vec<i64> = sampled_times
        .iter()
        .filter_map(|(_, text)| reader.time_ms(text, None).ok())
        .collect();
    runs_newest_first(&times)
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
