//! The validated candle columns every other part of the engine reads.
//!
//! A [`Candles`] value can only be built through [`Candles::from_columns`] (which the parser,
//! the synthesiser and the resampler all go through), so features, strategies and the
//! backtest take it without re-checking anything: every price is finite and positive, every
//! bar's high and low enclose its open and close, volumes are finite and non-negative, and
//! timestamps strictly increase.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::problem::{Field, ProblemKind};

/// The fewest bars a dataset may have: one spacing is needed to know the timeframe.
pub const MIN_BARS: usize = 2;

/// Raw OHLCV columns as they come off a file or out of storage, not yet checked.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Columns {
    pub ts_ms: Vec<i64>,
    pub open: Vec<f64>,
    pub high: Vec<f64>,
    pub low: Vec<f64>,
    pub close: Vec<f64>,
    pub volume: Vec<f64>,
}

impl Columns {
    pub fn with_capacity(n_bars: usize) -> Self {
        Columns {
            ts_ms: Vec::with_capacity(n_bars),
            open: Vec::with_capacity(n_bars),
            high: Vec::with_capacity(n_bars),
            low: Vec::with_capacity(n_bars),
            close: Vec::with_capacity(n_bars),
            volume: Vec::with_capacity(n_bars),
        }
    }

    pub fn len(&self) -> usize {
        self.ts_ms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts_ms.is_empty()
    }

    pub fn push(&mut self, bar: Bar) {
        self.ts_ms.push(bar.ts_ms);
        self.open.push(bar.open);
        self.high.push(bar.high);
        self.low.push(bar.low);
        self.close.push(bar.close);
        self.volume.push(bar.volume);
    }

    pub fn bar(&self, bar_idx: usize) -> Bar {
        Bar {
            ts_ms: self.ts_ms[bar_idx],
            open: self.open[bar_idx],
            high: self.high[bar_idx],
            low: self.low[bar_idx],
            close: self.close[bar_idx],
            volume: self.volume[bar_idx],
        }
    }
}

/// One candle; `ts_ms` is the bar's open time in UTC milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub ts_ms: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

impl Bar {
    /// The first thing wrong with this bar on its own (timestamps are checked by the caller,
    /// which knows the previous bar).
    pub fn check(&self) -> Result<(), (Field, ProblemKind)> {
        let prices = [
            (Field::Open, self.open),
            (Field::High, self.high),
            (Field::Low, self.low),
            (Field::Close, self.close),
        ];
        for (field, value) in prices {
            if !value.is_finite() {
                return Err((field, ProblemKind::NotFinite));
            }
            if value <= 0.0 {
                return Err((field, ProblemKind::NonPositivePrice));
            }
        }
        if !self.volume.is_finite() {
            return Err((Field::Volume, ProblemKind::NotFinite));
        }
        if self.volume < 0.0 {
            return Err((Field::Volume, ProblemKind::NegativeVolume));
        }
        if self.high < self.open.max(self.close) {
            return Err((Field::High, ProblemKind::HighBelowBody));
        }
        if self.low > self.open.min(self.close) {
            return Err((Field::Low, ProblemKind::LowAboveBody));
        }
        Ok(())
    }
}

/// Checks a bar's timestamp against the previous accepted bar's.
pub fn check_order(prev_ts_ms: Option<i64>, ts_ms: i64) -> Result<(), (Field, ProblemKind)> {
    match prev_ts_ms {
        Some(prev) if ts_ms == prev => Err((Field::Time, ProblemKind::DuplicateTimestamp)),
        Some(prev) if ts_ms < prev => Err((Field::Time, ProblemKind::DecreasingTimestamp)),
        _ => Ok(()),
    }
}

/// Why a set of columns is not a dataset.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
pub enum ColumnsError {
    #[error("column {field} has {actual} values but the timestamps have {expected}")]
    LengthMismatch {
        field: Field,
        expected: usize,
        actual: usize,
    },
    #[error("{n_bars} bar(s): a dataset needs at least {MIN_BARS}")]
    TooFewBars { n_bars: usize },
    #[error("row {row} ({field}): {kind}")]
    BadRow {
        /// Zero-based index of the first bad row.
        row: usize,
        field: Field,
        kind: ProblemKind,
    },
}

/// Validated OHLCV data, sorted by time, with its inferred timeframe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Columns", into = "Columns")]
pub struct Candles {
    cols: Columns,
    timeframe_ms: i64,
}

impl TryFrom<Columns> for Candles {
    type Error = ColumnsError;
    fn try_from(cols: Columns) -> Result<Self, Self::Error> {
        Candles::from_columns(cols)
    }
}

impl From<Candles> for Columns {
    fn from(candles: Candles) -> Columns {
        candles.cols
    }
}

impl Candles {
    /// Validates raw columns into a dataset; the first bad row is the error.
    pub fn from_columns(cols: Columns) -> Result<Candles, ColumnsError> {
        let expected = cols.ts_ms.len();
        let lengths = [
            (Field::Open, cols.open.len()),
            (Field::High, cols.high.len()),
            (Field::Low, cols.low.len()),
            (Field::Close, cols.close.len()),
            (Field::Volume, cols.volume.len()),
        ];
        for (field, actual) in lengths {
            if actual != expected {
                return Err(ColumnsError::LengthMismatch {
                    field,
                    expected,
                    actual,
                });
            }
        }
        if expected < MIN_BARS {
            return Err(ColumnsError::TooFewBars { n_bars: expected });
        }
        let mut prev_ts_ms = None;
        for row in 0..expected {
            let bar = cols.bar(row);
            check_order(prev_ts_ms, bar.ts_ms)
                .and_then(|()| bar.check())
                .map_err(|(field, kind)| ColumnsError::BadRow { row, field, kind })?;
            prev_ts_ms = Some(bar.ts_ms);
        }
        let timeframe_ms = median_spacing_ms(&cols.ts_ms);
        Ok(Candles { cols, timeframe_ms })
    }

    pub fn len(&self) -> usize {
        self.cols.ts_ms.len()
    }

    /// Never true: a dataset has at least [`MIN_BARS`] bars.
    pub fn is_empty(&self) -> bool {
        self.cols.ts_ms.is_empty()
    }

    pub fn ts_ms(&self) -> &[i64] {
        &self.cols.ts_ms
    }
    pub fn open(&self) -> &[f64] {
        &self.cols.open
    }
    pub fn high(&self) -> &[f64] {
        &self.cols.high
    }
    pub fn low(&self) -> &[f64] {
        &self.cols.low
    }
    pub fn close(&self) -> &[f64] {
        &self.cols.close
    }
    pub fn volume(&self) -> &[f64] {
        &self.cols.volume
    }
    pub fn columns(&self) -> &Columns {
        &self.cols
    }
    pub fn bar(&self, bar_idx: usize) -> Bar {
        self.cols.bar(bar_idx)
    }

    /// The inferred bar spacing: the median of consecutive timestamp differences.
    pub fn timeframe_ms(&self) -> i64 {
        self.timeframe_ms
    }

    /// Gaps: spacings larger than the timeframe. Reported, never an error.
    pub fn gaps(&self) -> Gaps {
        let mut gaps = Gaps::default();
        for (row, pair) in self.cols.ts_ms.windows(2).enumerate() {
            let spacing_ms = pair[1].saturating_sub(pair[0]);
            if spacing_ms > self.timeframe_ms {
                gaps.n_gaps += 1;
                if spacing_ms > gaps.largest_ms {
                    gaps.largest_ms = spacing_ms;
                    gaps.largest_after_row = row;
                }
            }
        }
        gaps
    }

    /// The dataset identity: SHA-256 over a versioned canonical encoding of the columns.
    /// Two files with the same bars (whatever their layout) have the same hash.
    pub fn content_hash(&self) -> DatasetHash {
        let mut hasher = Sha256::new();
        hasher.update(b"genesis-candles-v1");
        hasher.update((self.len() as u64).to_le_bytes());
        for row in 0..self.len() {
            let bar = self.cols.bar(row);
            hasher.update(bar.ts_ms.to_le_bytes());
            for value in [bar.open, bar.high, bar.low, bar.close, bar.volume] {
                hasher.update(value.to_bits().to_le_bytes());
            }
        }
        DatasetHash(hex(&hasher.finalize()))
    }
}

/// Gaps in a dataset's timeline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gaps {
    pub n_gaps: usize,
    pub largest_ms: i64,
    /// Zero-based row after which the largest gap opens.
    pub largest_after_row: usize,
}

/// Hex SHA-256 of a dataset's canonical columns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DatasetHash(pub String);

impl DatasetHash {
    /// The first 12 hex digits, for display.
    pub fn short(&self) -> &str {
        &self.0[..self.0.len().min(12)]
    }
}

impl std::fmt::Display for DatasetHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(DIGITS[(byte >> 4) as usize] as char);
        out.push(DIGITS[(byte & 0xf) as usize] as char);
    }
    out
}

/// Median of consecutive differences; the lower median for an even count, so the result is
/// always a spacing that really occurs.
fn median_spacing_ms(ts_ms: &[i64]) -> i64 {
    let mut spacings: Vec<i64> = ts_ms
        .windows(2)
        .map(|pair| pair[1].saturating_sub(pair[0]))
        .collect();
    let mid = (spacings.len() - 1) / 2;
    *spacings.select_nth_unstable(mid).1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(ts_ms: &[i64]) -> Columns {
        let mut cols = Columns::default();
        for &ts in ts_ms {
            cols.push(Bar {
                ts_ms: ts,
                open: 10.0,
                high: 11.0,
                low: 9.0,
                close: 10.5,
                volume: 1.0,
            });
        }
        cols
    }

    #[test]
    fn timeframe_is_the_median_spacing_and_gaps_are_counted() {
        let candles = Candles::from_columns(columns(&[0, 60, 120, 300, 360, 420])).unwrap();
        assert_eq!(candles.timeframe_ms(), 60);
        let gaps = candles.gaps();
        assert_eq!(gaps.n_gaps, 1);
        assert_eq!(gaps.largest_ms, 180);
        assert_eq!(gaps.largest_after_row, 2);
    }

    #[test]
    fn duplicate_and_decreasing_timestamps_are_rejected() {
        let err = Candles::from_columns(columns(&[0, 60, 60])).unwrap_err();
        assert_eq!(
            err,
            ColumnsError::BadRow {
                row: 2,
                field: Field::Time,
                kind: ProblemKind::DuplicateTimestamp
            }
        );
        let err = Candles::from_columns(columns(&[0, 60, 30])).unwrap_err();
        assert!(matches!(
            err,
            ColumnsError::BadRow {
                kind: ProblemKind::DecreasingTimestamp,
                ..
            }
        ));
    }

    #[test]
    fn extreme_timestamps_do_not_overflow_the_spacing() {
        // Guards against an overflow panic when stored candles (deserialised, not parsed)
        // span the whole i64 range.
        let candles = Candles::from_columns(columns(&[i64::MIN, 0, i64::MAX])).unwrap();
        assert_eq!(candles.timeframe_ms(), i64::MAX);
        assert_eq!(candles.gaps().n_gaps, 0);
    }

    #[test]
    fn a_high_below_the_close_is_rejected() {
        let mut cols = columns(&[0, 60]);
        cols.high[1] = 10.2;
        let err = Candles::from_columns(cols).unwrap_err();
        assert_eq!(
            err,
            ColumnsError::BadRow {
                row: 1,
                field: Field::High,
                kind: ProblemKind::HighBelowBody
            }
        );
    }

    #[test]
    fn hash_depends_on_every_value_and_deserialising_validates() {
        let a = Candles::from_columns(columns(&[0, 60, 120])).unwrap();
        let mut cols = columns(&[0, 60, 120]);
        cols.volume[2] = 2.0;
        let b = Candles::from_columns(cols).unwrap();
        assert_ne!(a.content_hash(), b.content_hash());
        assert_eq!(a.content_hash().0.len(), 64);

        let json = serde_json::to_string(&a).unwrap();
        let back: Candles = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        let tampered = json.replace("10.5", "-1.0");
        assert!(serde_json::from_str::<Candles>(&tampered).is_err());
    }
}
