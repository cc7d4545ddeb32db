//! Layout detection: what kind of bytes these are, which delimiter, whether there is a header,
//! and which column holds which field. Decided from the content alone, never the file name.

use std::borrow::Cow;

use super::error::DataError;
use super::gzip;
use super::layout::{ColumnMap, Layout, TimeFormat, BINANCE_EXTRA_COLUMNS};
use super::number::{parse_f64, Grouping};
use super::problem::Field;
use super::report::{ColumnUse, ParseOptions};
use super::timestamp::{
    is_any_datetime, is_date_only, is_unix_like, parse_time_of_day, parse_unix, TimeUnit,
};

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// The bytes inspected for binary content.
const BINARY_PROBE_BYTES: usize = 8192;

/// Rows sampled to decide a headerless column order and the time format.
pub(crate) const SAMPLE_ROWS: usize = 200;

/// The fewest fields a row can carry: time, open, high, low, close.
pub(crate) const MIN_FIELDS: usize = 5;

/// Decompressed text, with what was stripped on the way.
pub(crate) struct Prepared<'a> {
    pub text: Cow<'a, [u8]>,
    pub is_gzip: bool,
    pub has_bom: bool,
}

impl Prepared<'_> {
    /// The text after the byte order mark.
    pub fn body(&self) -> &[u8] {
        let skip = if self.has_bom { UTF8_BOM.len() } else { 0 };
        &self.text[skip..]
    }
}

/// Decompresses gzip, recognises a BOM, and refuses binary data and UTF-16 with a reason.
pub(crate) fn prepare<'a>(
    bytes: &'a [u8],
    options: &ParseOptions,
) -> Result<Prepared<'a>, DataError> {
    let (text, is_gzip) = if gzip::is_gzip(bytes) {
        (
            Cow::Owned(gzip::decompress(bytes, options.max_decompressed_bytes)?),
            true,
        )
    } else {
        (Cow::Borrowed(bytes), false)
    };
    if text.starts_with(&[0xFF, 0xFE]) || text.starts_with(&[0xFE, 0xFF]) {
        return Err(DataError::Utf16);
    }
    let has_bom = text.starts_with(UTF8_BOM);
    let prepared = Prepared {
        text,
        is_gzip,
        has_bom,
    };
    check_not_binary(prepared.body())?;
    if prepared.body().iter().all(u8::is_ascii_whitespace) {
        return Err(DataError::Empty);
    }
    Ok(prepared)
}

fn check_not_binary(body: &[u8]) -> Result<(), DataError> {
    let archives: [(&[u8], &str); 5] = [
        (b"PK\x03\x04", "a zip archive; unzip it first"),
        (b"BZh", "bzip2 data; decompress it first"),
        (
            &[0xFD, b'7', b'z', b'X', b'Z', 0x00],
            "xz data; decompress it first",
        ),
        (&[0x28, 0xB5, 0x2F, 0xFD], "zstd data; decompress it first"),
        (&[0x1F, 0x8B], "gzip data inside gzip data"),
    ];
    for (magic, what) in archives {
        if body.starts_with(magic) {
            return Err(DataError::Binary {
                offset: 0,
                what: what.to_string(),
            });
        }
    }
    let probe = &body[..body.len().min(BINARY_PROBE_BYTES)];
    let is_control = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C);
    if let Some(offset) = probe.iter().position(|&b| b == 0) {
        return Err(DataError::Binary {
            offset: offset as u64,
            what: "a zero byte, which text never holds".to_string(),
        });
    }
    let n_control = probe.iter().filter(|&&b| is_control(b)).count();
    if n_control * 20 > probe.len() {
        let offset = probe.iter().position(|&b| is_control(b)).unwrap_or(0);
        return Err(DataError::Binary {
            offset: offset as u64,
            what: format!(
                "{n_control} control bytes in the first {} bytes",
                probe.len()
            ),
        });
    }
    Ok(())
}

/// What a header name (or JSON key) means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    /// A full timestamp; lower rank wins when several columns qualify.
    Time {
        rank: u8,
    },
    /// `date`, which is a full timestamp unless a `time` column sits beside it.
    Date,
    /// `time`, which is a time of day when a `date` column sits beside it.
    TimeOrTimeOfDay,
    Price(Field),
    AdjClose,
    Volume {
        rank: u8,
    },
    Other,
}

/// Lower-case alphanumerics only, cut at `(`: `<DATE>` → `date`, `Open time` → `opentime`,
/// `Time (UTC)` → `time`.
pub(crate) fn normalize_name(name: &[u8]) -> String {
    let name = match name.iter().position(|&b| b == b'(') {
        Some(paren) if paren > 0 => &name[..paren],
        _ => name,
    };
    name.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| b.to_ascii_lowercase() as char)
        .collect()
}

fn role(normalized: &str) -> Role {
    match normalized {
        "opentime" => Role::Time { rank: 0 },
        "timestamp" => Role::Time { rank: 1 },
        "datetime" => Role::Time { rank: 2 },
        "gmttime" => Role::Time { rank: 3 },
        "mts" => Role::Time { rank: 4 },
        "unixtime" | "unix" => Role::Time { rank: 5 },
        "ts" => Role::Time { rank: 6 },
        "t" => Role::Time { rank: 7 },
        "localtime" => Role::Time { rank: 8 },
        "time" => Role::TimeOrTimeOfDay,
        "date" => Role::Date,
        "open" | "o" => Role::Price(Field::Open),
        "high" | "h" => Role::Price(Field::High),
        "low" | "l" => Role::Price(Field::Low),
        "close" | "c" => Role::Price(Field::Close),
        "adjclose" => Role::AdjClose,
        "volume" => Role::Volume { rank: 0 },
        "tickvol" | "tickvolume" => Role::Volume { rank: 1 },
        "vol" => Role::Volume { rank: 2 },
        "v" => Role::Volume { rank: 3 },
        other if other.starts_with("volume") => Role::Volume { rank: 4 },
        _ => Role::Other,
    }
}

/// True when a header line names at least one known field.
pub(crate) fn looks_like_header(names: &[&[u8]]) -> bool {
    names.iter().any(|name| {
        let normalized = normalize_name(name);
        !matches!(role(&normalized), Role::Other)
            && !is_unix_like(name)
            && parse_f64(name, true).is_none()
    })
}

/// The column plan a header (or, through [`ShapePlan::into_column_plan`], a headerless
/// shape) implies.
pub(crate) struct ColumnPlan {
    pub map: ColumnMap,
    pub layout_hint: Layout,
    pub is_split_date_time: bool,
    /// The time column is the unnamed first column (a pandas index); the caller must check
    /// that it holds times rather than row numbers.
    pub is_unnamed_time: bool,
    /// How the layout writes numbers (thousands separators and suffixes only for layouts
    /// known to use them).
    pub grouping: Grouping,
    pub ignored: Vec<String>,
    pub notes: Vec<String>,
    pub columns: Vec<ColumnUse>,
}

/// Maps header names to fields. `header_line` is only for error messages.
pub(crate) fn plan_from_header(names: &[&[u8]], header_line: u64) -> Result<ColumnPlan, DataError> {
    let display: Vec<String> = names
        .iter()
        .map(|name| String::from_utf8_lossy(name).trim().to_string())
        .collect();
    let normalized: Vec<String> = names.iter().map(|name| normalize_name(name)).collect();
    let roles: Vec<Role> = normalized.iter().map(|name| role(name)).collect();
    let date_col = roles.iter().position(|r| *r == Role::Date);
    let time_col = roles.iter().position(|r| *r == Role::TimeOrTimeOfDay);
    let best_time = roles
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Role::Time { rank } => Some((*rank, i)),
            _ => None,
        })
        .min()
        .map(|(_, i)| i);

    let mut index: [Option<usize>; 6] = [None; 6];
    let mut time_of_day = None;
    let is_split_date_time = best_time.is_none() && date_col.is_some() && time_col.is_some();
    index[Field::Time.index()] = if is_split_date_time {
        time_of_day = time_col;
        date_col
    } else {
        best_time.or(time_col).or(date_col)
    };
    // pandas writes the index first with an empty name; with no named time column, it is
    // the time column if its values turn out to be times (the caller checks).
    let is_unnamed_time = index[Field::Time.index()].is_none()
        && normalized.len() >= MIN_FIELDS
        && display.first().is_some_and(|name| name.is_empty());
    if is_unnamed_time {
        index[Field::Time.index()] = Some(0);
    }
    for field in [Field::Open, Field::High, Field::Low, Field::Close] {
        index[field.index()] = roles.iter().position(|r| *r == Role::Price(field));
    }
    // Investing.com names its close `Price` and adds a `Change %` column; without both, a
    // `Price` column is not taken for the close.
    let price_col = normalized.iter().position(|n| n == "price");
    let is_investing = index[Field::Close.index()].is_none()
        && price_col.is_some()
        && normalized.iter().any(|n| n == "change");
    if is_investing {
        index[Field::Close.index()] = price_col;
    }
    index[Field::Volume.index()] = roles
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r {
            Role::Volume { rank } => Some((*rank, i)),
            _ => None,
        })
        .min()
        .map(|(_, i)| i);

    for field in [
        Field::Time,
        Field::Open,
        Field::High,
        Field::Low,
        Field::Close,
    ] {
        if index[field.index()].is_none() {
            return Err(DataError::MissingColumn {
                line: header_line,
                field,
                header: display.join(", "),
            });
        }
    }
    let map = ColumnMap { index, time_of_day };

    let has = |name: &str| normalized.iter().any(|n| n == name);
    let mut notes = Vec::new();
    let mut grouping = Grouping::default();
    let layout_hint = if is_investing {
        notes.push(
            "Investing.com layout: Price is the close; thousands separators (`28,400.00`) and K/M/B volume suffixes are read; Change % is ignored"
                .to_string(),
        );
        grouping = Grouping {
            has_thousands_separators: true,
            has_magnitude_suffixes: true,
        };
        Layout::Investing
    } else if is_unnamed_time {
        notes.push(
            "the first column has no name (a pandas index) and holds the times: it is the time column"
                .to_string(),
        );
        Layout::Pandas
    } else if let Some(i) =
        best_time.filter(|&i| matches!(normalized[i].as_str(), "gmttime" | "localtime"))
    {
        notes.push(if normalized[i] == "gmttime" {
            "Dukascopy layout: times from `Gmt time`, in UTC".to_string()
        } else {
            "Dukascopy layout: times from `Local time`, moved to UTC by their GMT offset"
                .to_string()
        });
        Layout::Dukascopy
    } else if roles.contains(&Role::AdjClose) {
        notes.push("Yahoo layout: prices come from Close, not Adj Close".to_string());
        Layout::Yahoo
    } else if normalized.first().is_some_and(|n| n == "mts") {
        Layout::Bitfinex
    } else if has("opentime") && has("closetime") {
        Layout::Binance
    } else if names.iter().any(|n| n.trim_ascii().starts_with(b"<"))
        || (is_split_date_time && (has("tickvol") || has("tickvolume")))
    {
        Layout::MetaTrader
    } else if normalized.len() >= 5 && normalized[..5] == ["time", "open", "high", "low", "close"] {
        // TradingView if the times turn out to be unix seconds; the caller decides.
        Layout::TradingView
    } else {
        Layout::Generic
    };
    if index[Field::Volume.index()].is_none() {
        notes.push("no volume column: every volume is 0".to_string());
    }

    let mut display = display;
    if is_unnamed_time {
        display[0] = "(unnamed index)".to_string();
    }
    let mut columns = Vec::new();
    let mut uses = |field: Field, column: usize| {
        columns.push(ColumnUse {
            field,
            column: Some(column as u32 + 1),
            name: display[column].clone(),
        })
    };
    for field in Field::ALL {
        if let Some(column) = map.get(field) {
            uses(field, column);
        }
    }
    if let Some(column) = time_of_day {
        uses(Field::Time, column);
    }
    let ignored = display
        .iter()
        .enumerate()
        .filter(|(i, _)| !map.uses(*i))
        .map(|(_, name)| name.clone())
        .collect();
    Ok(ColumnPlan {
        map,
        layout_hint,
        is_split_date_time,
        is_unnamed_time,
        grouping,
        ignored,
        notes,
        columns,
    })
}

/// The column plan a headerless first row implies.
pub(crate) struct ShapePlan {
    pub layout: Layout,
    pub map: ColumnMap,
    pub ignored: Vec<String>,
    pub notes: Vec<String>,
    pub names: Vec<String>,
}

/// Decides a headerless layout from its shape: field count, time form and, for six columns,
/// which of the generic and the Bitfinex price orders the sampled rows agree with.
/// `Err` carries a description of what was seen.
pub(crate) fn plan_from_shape(
    first: &[&[u8]],
    samples: &[Vec<&[u8]>],
) -> Result<ShapePlan, String> {
    let n_fields = first.len();
    let describe = || {
        let shown: Vec<String> = first
            .iter()
            .take(8)
            .map(|f| String::from_utf8_lossy(&f[..f.len().min(24)]).into_owned())
            .collect();
        format!(
            "{n_fields} field(s) `{}`{}; expected a header naming time, open, high, low, close or a row starting with a timestamp and at least 4 prices",
            shown.join("`, `"),
            if n_fields > 8 { ", ..." } else { "" }
        )
    };
    if n_fields < MIN_FIELDS {
        return Err(describe());
    }
    let f0 = first[0];
    let f1 = first[1];
    let generic_names = |n: usize| -> Vec<String> {
        let base = ["time", "open", "high", "low", "close", "volume"];
        (0..n)
            .map(|i| {
                base.get(i)
                    .map_or_else(|| format!("column {}", i + 1), |s| s.to_string())
            })
            .collect()
    };
    if is_date_only(f0) && parse_time_of_day(f1).is_some() && n_fields >= 6 {
        let mut map = ColumnMap::ohlc_from(0, 2, n_fields >= 7);
        map.time_of_day = Some(1);
        let mut names: Vec<String> = [
            "date", "time", "open", "high", "low", "close", "tickvol", "vol", "spread",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        names.truncate(n_fields);
        while names.len() < n_fields {
            names.push(format!("column {}", names.len() + 1));
        }
        return Ok(finish_shape(Layout::MetaTrader, map, names, Vec::new()));
    }
    if !(is_unix_like(f0) || is_any_datetime(f0)) {
        return Err(describe());
    }
    if n_fields == 12 && is_unix_like(f0) {
        let mut names = generic_names(6);
        names[0] = "open_time".to_string();
        names.extend(BINANCE_EXTRA_COLUMNS.iter().map(|s| s.to_string()));
        return Ok(finish_shape(
            Layout::Binance,
            ColumnMap::ohlc_from(0, 1, true),
            names,
            Vec::new(),
        ));
    }
    if n_fields == 6 {
        return Ok(plan_six_columns(samples));
    }
    let mut notes = vec![format!(
        "{n_fields} unnamed columns read as time, open, high, low, close{}",
        if n_fields >= 6 { ", volume" } else { "" }
    )];
    if n_fields == 5 {
        notes.push("no volume column: every volume is 0".to_string());
    }
    Ok(finish_shape(
        Layout::Generic,
        ColumnMap::ohlc_from(0, 1, n_fields >= 6),
        generic_names(n_fields),
        notes,
    ))
}

/// Six unnamed columns: time first, then the prices in the generic order (open, high, low,
/// close), Bitfinex's (open, close, high, low) or Coinbase's (low, high, open, close), then
/// volume. The order that makes strictly more sampled rows consistent than the others wins;
/// otherwise the generic order is kept. The note gives the counts.
fn plan_six_columns(samples: &[Vec<&[u8]>]) -> ShapePlan {
    let generic = ColumnMap::ohlc_from(0, 1, true);
    let bitfinex = ColumnMap::bitfinex();
    let coinbase = ColumnMap::coinbase();
    let generic_fits = count_consistent(samples, &generic);
    let bitfinex_fits = count_consistent(samples, &bitfinex);
    let coinbase_fits = count_consistent(samples, &coinbase);
    let names = |names: [&str; 6]| names.iter().map(|s| s.to_string()).collect();
    if coinbase_fits > generic_fits.max(bitfinex_fits) {
        let note = format!(
            "6 unnamed columns: the Coinbase order (time, low, high, open, close, volume) fits {coinbase_fits} of {} sampled rows, the generic order {generic_fits}, the Bitfinex order {bitfinex_fits}",
            samples.len()
        );
        return finish_shape(
            Layout::Coinbase,
            coinbase,
            names(["time", "low", "high", "open", "close", "volume"]),
            vec![note],
        );
    }
    if bitfinex_fits > generic_fits {
        let note = format!(
            "6 unnamed columns: the Bitfinex order (time, open, close, high, low, volume) fits {bitfinex_fits} of {} sampled rows, the generic order {generic_fits}",
            samples.len()
        );
        return finish_shape(
            Layout::Bitfinex,
            bitfinex,
            names(["mts", "open", "close", "high", "low", "volume"]),
            vec![note],
        );
    }
    let note = if bitfinex_fits == generic_fits {
        "6 unnamed columns read as time, open, high, low, close, volume (the sampled rows fit the Bitfinex order equally well)".to_string()
    } else {
        "6 unnamed columns read as time, open, high, low, close, volume".to_string()
    };
    finish_shape(
        Layout::Generic,
        generic,
        names(["time", "open", "high", "low", "close", "volume"]),
        vec![note],
    )
}

impl ShapePlan {
    /// The same plan in the form a header gives: the report's column uses filled in.
    pub fn into_column_plan(self) -> ColumnPlan {
        let columns = shape_columns(&self);
        ColumnPlan {
            is_split_date_time: self.map.time_of_day.is_some(),
            map: self.map,
            layout_hint: self.layout,
            is_unnamed_time: false,
            grouping: Grouping::default(),
            ignored: self.ignored,
            notes: self.notes,
            columns,
        }
    }
}

fn finish_shape(
    layout: Layout,
    map: ColumnMap,
    names: Vec<String>,
    notes: Vec<String>,
) -> ShapePlan {
    let ignored = names
        .iter()
        .enumerate()
        .filter(|(i, _)| !map.uses(*i))
        .map(|(_, name)| name.clone())
        .collect();
    ShapePlan {
        layout,
        map,
        ignored,
        notes,
        names,
    }
}

/// How many sampled rows have a high and low enclosing open and close under this order.
fn count_consistent(samples: &[Vec<&[u8]>], map: &ColumnMap) -> usize {
    samples
        .iter()
        .filter(|row| {
            let value = |field: Field| {
                map.get(field)
                    .and_then(|i| row.get(i))
                    .and_then(|text| parse_f64(text, false))
            };
            match (
                value(Field::Open),
                value(Field::High),
                value(Field::Low),
                value(Field::Close),
            ) {
                (Some(open), Some(high), Some(low), Some(close)) => {
                    high >= open.max(close) && low <= open.min(close)
                }
                _ => false,
            }
        })
        .count()
}

/// The time format of a column, from the first sampled value that reads as a time.
pub(crate) fn sniff_time_format<'a>(
    time_texts: impl Iterator<Item = &'a [u8]>,
    is_split_date_time: bool,
) -> Option<TimeFormat> {
    if is_split_date_time {
        return Some(TimeFormat::DateAndTime);
    }
    for text in time_texts {
        if let Some((value, _)) = parse_unix(text) {
            return Some(TimeFormat::Unix(TimeUnit::from_magnitude(value)));
        }
        if is_any_datetime(text) {
            return Some(TimeFormat::Text);
        }
    }
    None
}

/// The column uses of a headerless plan, for the report.
pub(crate) fn shape_columns(plan: &ShapePlan) -> Vec<ColumnUse> {
    let mut columns = Vec::new();
    for field in Field::ALL {
        if let Some(column) = plan.map.get(field) {
            columns.push(ColumnUse {
                field,
                column: Some(column as u32 + 1),
                name: plan.names.get(column).cloned().unwrap_or_default(),
            });
        }
    }
    if let Some(column) = plan.map.time_of_day {
        columns.push(ColumnUse {
            field: Field::Time,
            column: Some(column as u32 + 1),
            name: plan.names.get(column).cloned().unwrap_or_default(),
        });
    }
    columns
}

/// The final layout once the time format is known: a `time,open,high,low,close` header is a
/// TradingView export only when its times are unix seconds.
pub(crate) fn settle_layout(hint: Layout, time_format: TimeFormat) -> Layout {
    match hint {
        Layout::TradingView if time_format != TimeFormat::Unix(TimeUnit::Seconds) => {
            Layout::Generic
        }
        other => other,
    }
}
