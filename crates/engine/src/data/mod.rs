//! Candle data: parsing and validating candle files, the dataset model, resampling and the
//! deterministic synthetic data.
//!
//! ```
//! use genesis_engine::data::{parse, ParseOptions, Layout};
//!
//! let csv = b"time,open,high,low,close,volume\n\
//!             1704067200000,100,110,95,105,12.5\n\
//!             1704070800000,105,106,101,102,8\n";
//! let parsed = parse(csv, &ParseOptions::default()).unwrap();
//! assert_eq!(parsed.report.layout, Layout::Generic);
//! assert_eq!(parsed.candles.timeframe_ms(), 3_600_000);
//! ```

/// Validated OHLCV columns, timeframe, gaps and the dataset hash.
pub mod candles;
/// The data module's error type.
pub mod error;
/// The layouts the parser recognises.
pub mod layout;
/// Dataset identity and names: symbol and timeframe guesses, timeframe labels.
pub mod meta;
/// Row problems and the fields they concern.
pub mod problem;
/// Parse options and the parse report.
pub mod report;
/// Deterministic synthetic candles with trend, range and volatile regimes.
pub mod synth;
/// Timestamps and civil-date arithmetic.
pub mod timestamp;

mod csv;
mod gzip;
mod json;
mod number;
mod order;
mod parse;
mod resample;
mod rows;
mod sniff;
mod write;

pub use candles::{check_order, Bar, Candles, Columns, ColumnsError, DatasetHash, Gaps, MIN_BARS};
pub use error::DataError;
pub use layout::{Format, Layout, TimeFormat};
pub use meta::{format_timeframe, guess_from_file_name, parse_timeframe, DatasetMeta, NameGuess};
pub use parse::{parse, parse_with_progress};
pub use problem::{Field, Problem, ProblemKind, MAX_LISTED_PROBLEMS};
pub use report::{ColumnUse, ParseOptions, ParseReport, Parsed, ValidationMode};
pub use timestamp::{DateOrder, TimeUnit};
pub use write::{write_csv, CSV_HEADER};
