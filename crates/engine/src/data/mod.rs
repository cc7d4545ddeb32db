//! Candle data: validated columns, the problems a file can have, and where they are.

/// Validated OHLCV columns, timeframe, gaps and the dataset hash.
pub mod candles;
/// Row problems and the fields they concern.
pub mod problem;

pub use candles::{Bar, Candles, Columns, ColumnsError, DatasetHash, Gaps, MIN_BARS};
pub use problem::{Field, ProblemKind};
