//! The dataset model: what the app lists and what studies refer to, plus the guesses a file
//! name allows (symbol, timeframe) and timeframe labels.

use serde::{Deserialize, Serialize};

use super::candles::{Candles, DatasetHash};
use super::timestamp::{MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, MS_PER_SECOND, MS_PER_WEEK};

/// A dataset's identity and summary. `symbol` starts as a guess from the file name and is the
/// app's to edit; `timeframe` is the label of the inferred bar spacing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetMeta {
    pub name: String,
    pub symbol: Option<String>,
    pub timeframe: String,
    pub timeframe_ms: i64,
    pub n_bars: usize,
    pub first_ts_ms: i64,
    pub last_ts_ms: i64,
    pub hash: DatasetHash,
}

impl DatasetMeta {
    /// Describes `candles` loaded from a file called `name` (a path is fine).
    pub fn new(name: &str, candles: &Candles) -> DatasetMeta {
        let ts_ms = candles.ts_ms();
        DatasetMeta {
            name: base_name(name).to_string(),
            symbol: guess_from_file_name(name).symbol,
            timeframe: format_timeframe(candles.timeframe_ms()),
            timeframe_ms: candles.timeframe_ms(),
            n_bars: candles.len(),
            first_ts_ms: ts_ms.first().copied().unwrap_or(0),
            last_ts_ms: ts_ms.last().copied().unwrap_or(0),
            hash: candles.content_hash(),
        }
    }
}

/// What a file name suggests.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameGuess {
    pub symbol: Option<String>,
    pub timeframe_ms: Option<i64>,
}

/// A timeframe label: `1m 5m 15m 1h 4h 1d 1w`, the largest unit that divides it
/// (so 90 minutes is `90m`), `ms` below a second.
pub fn format_timeframe(timeframe_ms: i64) -> String {
    let units = [
        (MS_PER_WEEK, "w"),
        (MS_PER_DAY, "d"),
        (MS_PER_HOUR, "h"),
        (MS_PER_MINUTE, "m"),
        (MS_PER_SECOND, "s"),
    ];
    for (unit_ms, suffix) in units {
        if timeframe_ms > 0 && timeframe_ms % unit_ms == 0 {
            return format!("{}{suffix}", timeframe_ms / unit_ms);
        }
    }
    format!("{timeframe_ms}ms")
}

/// Reads a timeframe: `15m`, `1h`, `4H`, `1d`, `1w`, `30s`, `250ms`, `1min`, MetaTrader's
/// `M15`, `H1`, `D1`, `W1`, and `hourly`, `daily`, `weekly`. A capital `M` after digits is
/// a month, which has no fixed length, so `1M` is refused.
pub fn parse_timeframe(label: &str) -> Option<i64> {
    let label = label.trim();
    match label.to_ascii_lowercase().as_str() {
        "hourly" => return Some(MS_PER_HOUR),
        "daily" => return Some(MS_PER_DAY),
        "weekly" => return Some(MS_PER_WEEK),
        _ => {}
    }
    let digits_end = label
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(label.len());
    let (count, unit) = if digits_end == 0 {
        // MetaTrader style: the unit letter first.
        let letters_end = label.find(|c: char| c.is_ascii_digit())?;
        let (unit, count) = label.split_at(letters_end);
        (count, unit)
    } else {
        let (count, unit) = label.split_at(digits_end);
        if unit == "M" {
            return None;
        }
        (count, unit)
    };
    let count: i64 = count.parse().ok().filter(|&n| n > 0)?;
    let unit_ms = match unit.to_ascii_lowercase().as_str() {
        "ms" => 1,
        "s" | "sec" => MS_PER_SECOND,
        "m" | "min" | "mn" => MS_PER_MINUTE,
        "h" | "hr" => MS_PER_HOUR,
        "d" => MS_PER_DAY,
        "w" | "wk" => MS_PER_WEEK,
        _ => return None,
    };
    count.checked_mul(unit_ms)
}

/// Words that name a file's contents rather than an instrument.
const NOT_SYMBOLS: [&str; 16] = [
    "data",
    "candles",
    "candle",
    "klines",
    "kline",
    "ohlc",
    "ohlcv",
    "export",
    "history",
    "historical",
    "prices",
    "price",
    "bars",
    "spot",
    "futures",
    "trades",
];

/// Guesses the symbol and timeframe from a file name: `tBTCUSD_1h.csv` → BTCUSD, 1h;
/// `BTCUSDT-1m-2024-01.csv.gz` → BTCUSDT, 1m; `ETH-USD.csv` → ETH-USD; `EURUSD_H1.csv` →
/// EURUSD, 1h. The symbol is the first run of upper-case alphanumeric tokens (or, in an
/// all-lower-case name, the first word that is not a date, a timeframe or a word like `data`).
pub fn guess_from_file_name(file_name: &str) -> NameGuess {
    let stem = strip_extensions(base_name(file_name));
    let mut tokens: Vec<(char, &str)> = Vec::new();
    let mut previous_separator = ' ';
    let mut start = 0;
    for (i, c) in stem.char_indices() {
        if matches!(c, '_' | '-' | ' ' | '.' | ',') {
            if i > start {
                tokens.push((previous_separator, &stem[start..i]));
            }
            previous_separator = c;
            start = i + c.len_utf8();
        }
    }
    if start < stem.len() {
        tokens.push((previous_separator, &stem[start..]));
    }

    let timeframe_ms = tokens.iter().find_map(|(_, token)| parse_timeframe(token));
    let is_candidate = |token: &str| {
        token.len() >= 2
            && token.chars().all(|c| c.is_ascii_alphanumeric())
            && token.chars().any(|c| c.is_ascii_alphabetic())
            && parse_timeframe(token).is_none()
            && !NOT_SYMBOLS.contains(&token.to_ascii_lowercase().as_str())
    };
    let is_upper = |token: &str| {
        let token = strip_bitfinex_prefix(token);
        is_candidate(token) && !token.chars().any(|c| c.is_ascii_lowercase())
    };
    let mut symbol = String::new();
    for (separator, token) in &tokens {
        if is_upper(token) {
            if !symbol.is_empty() {
                symbol.push(*separator);
            }
            symbol.push_str(strip_bitfinex_prefix(token));
        } else if !symbol.is_empty() {
            break;
        }
    }
    if symbol.is_empty() {
        if let Some((_, token)) = tokens.iter().find(|(_, token)| is_candidate(token)) {
            symbol = token.to_ascii_uppercase();
        }
    }
    NameGuess {
        symbol: (!symbol.is_empty()).then_some(symbol),
        timeframe_ms,
    }
}

/// Bitfinex prefixes trading pairs with `t` (`tBTCUSD`).
fn strip_bitfinex_prefix(token: &str) -> &str {
    match token.strip_prefix('t') {
        Some(rest)
            if rest.len() >= 3
                && rest
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) =>
        {
            rest
        }
        _ => token,
    }
}

fn base_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn strip_extensions(name: &str) -> &str {
    let mut stem = name;
    loop {
        let lower = stem.to_ascii_lowercase();
        let Some(ext) = [".gz", ".csv", ".tsv", ".txt", ".json"]
            .iter()
            .find(|ext| lower.ends_with(*ext))
        else {
            return stem;
        };
        stem = &stem[..stem.len() - ext.len()];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_use_the_largest_dividing_unit() {
        let cases = [
            (60_000, "1m"),
            (300_000, "5m"),
            (900_000, "15m"),
            (3_600_000, "1h"),
            (14_400_000, "4h"),
            (86_400_000, "1d"),
            (604_800_000, "1w"),
            (5_400_000, "90m"),
            (7_200_000, "2h"),
            (30_000, "30s"),
            (1_500, "1500ms"),
        ];
        for (ms, label) in cases {
            assert_eq!(format_timeframe(ms), label);
            assert_eq!(parse_timeframe(label), Some(ms), "{label}");
        }
    }

    #[test]
    fn timeframe_spellings() {
        assert_eq!(parse_timeframe("H1"), Some(3_600_000));
        assert_eq!(parse_timeframe("M15"), Some(900_000));
        assert_eq!(parse_timeframe("D1"), Some(86_400_000));
        assert_eq!(parse_timeframe("1min"), Some(60_000));
        assert_eq!(parse_timeframe("4H"), Some(14_400_000));
        assert_eq!(parse_timeframe("daily"), Some(86_400_000));
        for bad in ["1M", "0h", "h", "", "1x", "2024", "-1h"] {
            assert_eq!(parse_timeframe(bad), None, "{bad}");
        }
    }

    #[test]
    fn names_from_common_exports() {
        let cases = [
            ("tBTCUSD_1h.csv", Some("BTCUSD"), Some(3_600_000)),
            ("BTCUSDT-1m-2024-01.csv.gz", Some("BTCUSDT"), Some(60_000)),
            ("ETH-USD.csv", Some("ETH-USD"), None),
            (
                "/home/me/data/EURUSD_H1.csv",
                Some("EURUSD"),
                Some(3_600_000),
            ),
            ("btcusdt_15m_klines.json", Some("BTCUSDT"), Some(900_000)),
            ("2024-01-01.csv", None, None),
            ("Binance_BTCUSDT_d.csv", Some("BTCUSDT"), None),
        ];
        for (name, symbol, timeframe_ms) in cases {
            let guess = guess_from_file_name(name);
            assert_eq!(guess.symbol.as_deref(), symbol, "{name}");
            assert_eq!(guess.timeframe_ms, timeframe_ms, "{name}");
        }
    }
}
