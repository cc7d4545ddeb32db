//! The file layouts the parser recognises and the column plan it derives from one.

use serde::{Deserialize, Serialize};

use super::problem::Field;
use super::timestamp::TimeUnit;

/// A recognised candle layout (SPEC §1). The report names the one the parser chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Named columns `time|timestamp|date|datetime|open time`, open, high, low, close
    /// [, volume] in any order and case, or a headerless `time,open,high,low,close[,volume]`.
    Generic,
    /// Binance kline dumps: 12 columns, open time in ms or µs first.
    Binance,
    /// Bitfinex candles `MTS, OPEN, CLOSE, HIGH, LOW, VOLUME`: close before high.
    Bitfinex,
    /// Yahoo Finance `Date,Open,High,Low,Close,Adj Close,Volume`; prices from Close.
    Yahoo,
    /// TradingView chart export `time,open,high,low,close[,Volume,...]` in unix seconds.
    TradingView,
    /// MetaTrader `2024.01.02,13:00,open,high,low,close,tickvol[,vol,spread]`.
    MetaTrader,
    /// pandas `DataFrame.to_csv()`: an unnamed first column (the index) holding the times,
    /// `,Open,High,Low,Close,Volume` (backtesting.py's sample data).
    Pandas,
    /// Dukascopy exports: `Gmt time` (or `Local time`), day-first dates with milliseconds.
    Dukascopy,
    /// Investing.com historical data: `Price` is the close, thousands separators, `K/M/B`
    /// volumes, a `Change %` column, month-first dates, newest row first.
    Investing,
    /// Polygon aggregates: `{"results": [{"t", "o", "h", "l", "c", "v", "vw", "n"}], ...}`.
    Polygon,
    /// Alpaca bars: `{"bars": [{"t": RFC 3339, "o", "h", "l", "c", "v", ...}], ...}`.
    Alpaca,
    /// Coinbase candles `[time, low, high, open, close, volume]`, newest first.
    Coinbase,
}

impl std::fmt::Display for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Layout::Generic => "generic",
            Layout::Binance => "Binance klines",
            Layout::Bitfinex => "Bitfinex candles",
            Layout::Yahoo => "Yahoo Finance",
            Layout::TradingView => "TradingView export",
            Layout::MetaTrader => "MetaTrader",
            Layout::Pandas => "pandas to_csv",
            Layout::Dukascopy => "Dukascopy export",
            Layout::Investing => "Investing.com historical data",
            Layout::Polygon => "Polygon aggregates",
            Layout::Alpaca => "Alpaca bars",
            Layout::Coinbase => "Coinbase candles",
        })
    }
}

/// The container the rows came in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Delimited text; the report gives the delimiter.
    Csv,
    /// A JSON array of row arrays.
    JsonArrays,
    /// A JSON array of row objects.
    JsonObjects,
}

/// How the time column is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeFormat {
    /// Integer (or decimal) unix time in the given unit.
    Unix(TimeUnit),
    /// A calendar date with optional time and zone in one column (ISO-8601 and friends).
    Text,
    /// A date column plus a separate time-of-day column.
    DateAndTime,
}

/// Where each field comes from: 0-based source column (or element) indices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ColumnMap {
    /// Indexed by [`Field::index`]; the volume may be absent.
    pub index: [Option<usize>; 6],
    /// The time-of-day column when the date and the time are split.
    pub time_of_day: Option<usize>,
}

impl ColumnMap {
    /// The usual `time, open, high, low, close[, volume]` order starting at `first`.
    pub fn ohlc_from(time: usize, first: usize, has_volume: bool) -> ColumnMap {
        ColumnMap {
            index: [
                Some(time),
                Some(first),
                Some(first + 1),
                Some(first + 2),
                Some(first + 3),
                has_volume.then_some(first + 4),
            ],
            time_of_day: None,
        }
    }

    /// Bitfinex order: time, open, close, high, low, volume.
    pub fn bitfinex() -> ColumnMap {
        ColumnMap {
            index: [Some(0), Some(1), Some(3), Some(4), Some(2), Some(5)],
            time_of_day: None,
        }
    }

    /// Coinbase order: time, low, high, open, close, volume.
    pub fn coinbase() -> ColumnMap {
        ColumnMap {
            index: [Some(0), Some(3), Some(2), Some(1), Some(4), Some(5)],
            time_of_day: None,
        }
    }

    pub fn get(&self, field: Field) -> Option<usize> {
        self.index[field.index()]
    }

    /// The largest column index the rows must have looked at.
    pub fn max_index(&self) -> usize {
        self.index
            .iter()
            .flatten()
            .chain(self.time_of_day.iter())
            .copied()
            .max()
            .unwrap_or(0)
    }

    pub fn uses(&self, column: usize) -> bool {
        self.index.contains(&Some(column)) || self.time_of_day == Some(column)
    }
}

/// The names of Binance's kline columns after the first six, for the report.
pub(crate) const BINANCE_EXTRA_COLUMNS: [&str; 6] = [
    "close_time",
    "quote_volume",
    "count",
    "taker_buy_volume",
    "taker_buy_quote_volume",
    "ignore",
];
