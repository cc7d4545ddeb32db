//! Delimited text (CSV, TSV, semicolon files): one pass over the bytes, fields as slices, no
//! allocation per row.

use super::error::DataError;
use super::layout::{Format, Layout, TimeFormat};
use super::order::decide_date_order;
use super::parse::Plan;
use super::problem::Field;
use super::report::ParseOptions;
use super::rows::{runs_newest_first, RowSink, RowSpots, ValueReader, PROGRESS_EVERY_ROWS};
use super::sniff::{
    looks_like_header, plan_from_header, plan_from_shape, settle_layout, sniff_time_format,
    MIN_FIELDS, SAMPLE_ROWS,
};
use super::timestamp::parse_unix;

/// Delimiters in order of preference: tab and `;` rarely occur by accident in a numeric file,
/// while `,` may be a decimal comma in a `;` file.
const DELIMITERS: [u8; 3] = [b'\t', b';', b','];

/// Splits the line starting at `start` into field ranges (quotes and surrounding spaces
/// removed, a trailing `\r` dropped), stopping after `max_fields` fields. Returns where the
/// next line starts.
pub(crate) fn split_line(
    text: &[u8],
    start: usize,
    delimiter: u8,
    max_fields: usize,
    fields: &mut Vec<(usize, usize)>,
) -> usize {
    fields.clear();
    let len = text.len();
    let mut pos = start;
    loop {
        while pos < len && text[pos] == b' ' {
            pos += 1;
        }
        let (field_start, mut field_end);
        if pos < len && text[pos] == b'"' {
            field_start = pos + 1;
            pos += 1;
            while pos < len && text[pos] != b'\n' {
                if text[pos] == b'"' {
                    if text.get(pos + 1) == Some(&b'"') {
                        pos += 2;
                        continue;
                    }
                    break;
                }
                pos += 1;
            }
            field_end = pos;
            // Whatever follows the closing quote up to the delimiter is not part of the value.
            while pos < len && text[pos] != delimiter && text[pos] != b'\n' {
                pos += 1;
            }
        } else {
            field_start = pos;
            while pos < len && text[pos] != delimiter && text[pos] != b'\n' {
                pos += 1;
            }
            field_end = pos;
            while field_end > field_start && matches!(text[field_end - 1], b' ' | b'\r') {
                field_end -= 1;
            }
        }
        fields.push((field_start, field_end));
        if pos >= len {
            return len;
        }
        if text[pos] == b'\n' {
            return pos + 1;
        }
        pos += 1;
        if fields.len() >= max_fields {
            return match text[pos..].iter().position(|&b| b == b'\n') {
                Some(offset) => pos + offset + 1,
                None => len,
            };
        }
    }
}

fn is_blank(text: &[u8], fields: &[(usize, usize)]) -> bool {
    match fields {
        [(start, end)] => text[*start..*end].iter().all(u8::is_ascii_whitespace),
        _ => false,
    }
}

fn delimiter_name(delimiter: u8) -> &'static str {
    match delimiter {
        b'\t' => "tab",
        b';' => "';'",
        _ => "','",
    }
}

/// Reads delimited text into the sink, returning the plan it followed.
pub(crate) fn read(
    body: &[u8],
    options: &ParseOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<(Plan, RowSink), DataError> {
    let mode = options.mode;
    let total = body.len() as u64;
    let mut fields: Vec<(usize, usize)> = Vec::with_capacity(16);
    let mut pos = 0;
    let mut line: u64 = 1;
    let mut n_blank_lines = 0;

    // Leading blank lines are tolerated and counted.
    let first_start = loop {
        if pos >= body.len() {
            return Err(DataError::Empty);
        }
        let next = split_line(body, pos, b',', usize::MAX, &mut fields);
        if !is_blank(body, &fields) {
            break pos;
        }
        n_blank_lines += 1;
        line += 1;
        pos = next;
    };
    let first_line = line;

    let mut chosen = None;
    let mut widest = (0, b',');
    for delimiter in DELIMITERS {
        split_line(body, first_start, delimiter, usize::MAX, &mut fields);
        if fields.len() >= MIN_FIELDS {
            chosen = Some(delimiter);
            break;
        }
        if fields.len() > widest.0 {
            widest = (fields.len(), delimiter);
        }
    }
    let Some(delimiter) = chosen else {
        split_line(body, first_start, widest.1, usize::MAX, &mut fields);
        let shown = String::from_utf8_lossy(
            &body[first_start..first_start + line_len(&body[first_start..]).min(80)],
        )
        .into_owned();
        let seen = if widest.0 <= 1 {
            format!("`{shown}` has no delimiter (comma, semicolon or tab); expected at least {MIN_FIELDS} fields: time, open, high, low, close")
        } else {
            format!(
                "`{shown}` has {} fields separated by {}; expected at least {MIN_FIELDS}: time, open, high, low, close",
                widest.0,
                delimiter_name(widest.1)
            )
        };
        return Err(DataError::UnknownLayout {
            line: first_line,
            seen,
        });
    };

    let after_first = split_line(body, first_start, delimiter, usize::MAX, &mut fields);
    let first_fields: Vec<&[u8]> = fields.iter().map(|&(s, e)| &body[s..e]).collect();
    let has_header = looks_like_header(&first_fields);
    let (data_start, data_line) = if has_header {
        (after_first, first_line + 1)
    } else {
        (first_start, first_line)
    };

    // Sample the first rows: they decide the time format and a headerless column order.
    let mut samples: Vec<Vec<&[u8]>> = Vec::new();
    let mut sample_lines: Vec<u64> = Vec::new();
    let mut sample_bytes = 0;
    let mut sample_pos = data_start;
    let mut sample_line = data_line;
    let mut first_data_line = None;
    while sample_pos < body.len() && samples.len() < SAMPLE_ROWS {
        let next = split_line(body, sample_pos, delimiter, usize::MAX, &mut fields);
        if !is_blank(body, &fields) {
            first_data_line.get_or_insert(sample_line);
            samples.push(fields.iter().map(|&(s, e)| &body[s..e]).collect());
            sample_lines.push(sample_line);
            sample_bytes += next - sample_pos;
        }
        sample_pos = next;
        sample_line += 1;
    }
    let Some(first_data_line) = first_data_line else {
        return Err(DataError::HeaderOnly { line: first_line });
    };

    let plan = if has_header {
        plan_from_header(&first_fields, first_line)?
    } else {
        plan_from_shape(&samples[0], &samples)
            .map_err(|seen| DataError::UnknownLayout {
                line: first_data_line,
                seen,
            })?
            .into_column_plan()
    };
    let (mut map, mut columns, mut ignored, mut notes) =
        (plan.map, plan.columns, plan.ignored, plan.notes);
    let is_split = plan.is_split_date_time;
    let time_column = map.get(Field::Time).unwrap_or(0);
    let time_format = sniff_time_format(
        samples
            .iter()
            .filter_map(|row| row.get(time_column).copied()),
        is_split,
    );
    if plan.is_unnamed_time && !holds_times(time_format, samples[0].first().copied()) {
        // A pandas RangeIndex (0, 1, 2, ...) is a row number, not a time.
        return Err(DataError::MissingColumn {
            line: first_line,
            field: Field::Time,
            header: first_fields
                .iter()
                .map(|name| String::from_utf8_lossy(name).trim().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let time_format = time_format.ok_or_else(|| DataError::UnknownLayout {
        line: first_data_line,
        seen: format!(
            "column {} (time) holds `{}`, neither a unix timestamp nor a date",
            time_column + 1,
            String::from_utf8_lossy(samples[0].get(time_column).copied().unwrap_or(b""))
        ),
    })?;
    let layout = settle_layout(plan.layout_hint, time_format);
    let is_comma_decimal = delimiter == b';';
    let has_decimal_comma = is_comma_decimal
        && samples.iter().any(|row| {
            (1..6).any(|field| {
                Field::ALL
                    .get(field)
                    .and_then(|&f| map.get(f))
                    .and_then(|i| row.get(i))
                    .is_some_and(|text| text.contains(&b','))
            })
        });
    if has_decimal_comma {
        notes.push("numbers use a decimal comma".to_string());
    }
    // Investing.com leaves `Vol.` empty for instruments without volume (currencies).
    if layout == Layout::Investing {
        if let Some(volume_column) = map.get(Field::Volume) {
            let is_empty = |text: &[u8]| text.is_empty() || text == b"-";
            if samples
                .iter()
                .all(|row| row.get(volume_column).is_none_or(|text| is_empty(text)))
            {
                map.index[Field::Volume.index()] = None;
                if let Some(position) = columns.iter().position(|c| c.field == Field::Volume) {
                    let column = columns.remove(position);
                    ignored.push(column.name.clone());
                    notes.push(format!(
                        "the {} column is empty: every volume is 0",
                        column.name
                    ));
                }
            }
        }
    }

    let date_order = if matches!(time_format, TimeFormat::Unix(_)) {
        None
    } else {
        // Sampled rows first; only when none of them settles the order is the rest of the
        // file read for a day above 12.
        let rest = TimeColumn {
            body,
            pos: sample_pos,
            line: sample_line,
            delimiter,
            column: time_column,
            fields: Vec::new(),
        };
        let sampled = samples
            .iter()
            .zip(&sample_lines)
            .filter_map(|(row, &line)| row.get(time_column).map(|text| (line, *text)));
        decide_date_order(sampled.chain(rest), options.date_order, layout).map(|(order, note)| {
            notes.push(note);
            order
        })
    };

    let reader = ValueReader {
        time_format,
        is_comma_decimal,
        has_volume: map.get(Field::Volume).is_some(),
        date_order,
        grouping: plan.grouping,
    };
    let sample_times: Vec<i64> = samples
        .iter()
        .filter_map(|row| {
            let text = row.get(time_column)?;
            let time_of_day = map.time_of_day.and_then(|i| row.get(i).copied());
            reader.time_ms(text, time_of_day).ok()
        })
        .collect();
    let average_line = (sample_bytes / samples.len()).max(1);
    let estimated_rows = (body.len() - data_start) / average_line + 16;
    let mut sink = RowSink::new(estimated_rows, mode);
    sink.n_blank_lines = n_blank_lines;
    sink.set_newest_first(runs_newest_first(&sample_times));
    let max_fields = map.max_index() + 1;

    let mut pos = data_start;
    let mut line = data_line;
    while pos < body.len() {
        let next = split_line(body, pos, delimiter, max_fields, &mut fields);
        if is_blank(body, &fields) {
            sink.n_blank_lines += 1;
        } else {
            let mut spots = RowSpots::new(line);
            for field in Field::ALL {
                if let Some(column) = map.get(field) {
                    match fields.get(column) {
                        Some(&(s, e)) => spots.set(field, column as u32 + 1, &body[s..e]),
                        None => spots.set_missing(field, column as u32 + 1),
                    }
                }
            }
            if let Some(column) = map.time_of_day {
                spots.time_of_day =
                    Some(fields.get(column).map_or(&b""[..], |&(s, e)| &body[s..e]));
            }
            sink.row(&reader, &spots);
            if sink.n_rows & (PROGRESS_EVERY_ROWS - 1) == 0 {
                progress(next as u64, total);
            }
        }
        pos = next;
        line += 1;
    }
    progress(total, total);

    let plan = Plan {
        layout,
        format: Format::Csv,
        delimiter: Some((delimiter as char).to_string()),
        has_header,
        has_decimal_comma,
        time_format,
        date_order,
        columns,
        ignored,
        notes,
    };
    Ok((plan, sink))
}

/// Whether an unnamed first column holds times: dates, or unix times from 2001 on (ten
/// digits and more). Small integers are a row number.
fn holds_times(time_format: Option<TimeFormat>, first: Option<&[u8]>) -> bool {
    match time_format {
        Some(TimeFormat::Text | TimeFormat::DateAndTime) => true,
        Some(TimeFormat::Unix(_)) => first
            .and_then(parse_unix)
            .is_some_and(|(value, _)| value >= 1_000_000_000),
        None => false,
    }
}

/// The time column's text on each remaining line, for the date-order decision.
struct TimeColumn<'a> {
    body: &'a [u8],
    pos: usize,
    line: u64,
    delimiter: u8,
    column: usize,
    fields: Vec<(usize, usize)>,
}

impl<'a> Iterator for TimeColumn<'a> {
    type Item = (u64, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        while self.pos < self.body.len() {
            let start = self.pos;
            self.pos = split_line(
                self.body,
                start,
                self.delimiter,
                self.column + 1,
                &mut self.fields,
            );
            let line = self.line;
            self.line += 1;
            if let Some(&(s, e)) = self.fields.get(self.column) {
                return Some((line, &self.body[s..e]));
            }
        }
        None
    }
}

fn line_len(text: &[u8]) -> usize {
    text.iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .unwrap_or(text.len())
}
