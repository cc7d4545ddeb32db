//! Features: every indicator computed once over whole columns, read by bar index in O(1).
//!
//! This is the only way features are computed in production. An indicator is a function
//! from candle columns to a [`Column`](crate::features::Column) (or a few), computed in one pass with no per-bar
//! allocation; each column knows its first valid bar, and [`Column::get`](crate::features::Column::get) returns `None`
//! before it, so no decision can read a warm-up value by accident. A [`FeatureStore`](crate::features::FeatureStore) (one per
//! dataset and worker) caches outputs by [`Indicator`](crate::features::Indicator) key, so trials that share parameters
//! share work and a trial that changes one period computes only that variant. A
//! [`FeatureFrame`](crate::features::FeatureFrame) gathers the default features of a [`FeatureParams`](crate::features::FeatureParams) for the CSV export and
//! chart overlays.
//!
//! No look-ahead: the value at bar i depends only on bars `0..=i` (and on the dataset's
//! inferred timeframe for the higher-timeframe trend). The tests hold every feature equal to a
//! naive as-of oracle that recomputes bar i from the slice `0..=i`, and hold that appending
//! bars never changes a past value.
//!
//! Conventions, checked against TA-Lib's own outputs (Python package 0.8.2) in
//! `tests/golden/features/`: EMA seeded with the SMA of its first `period` values; RSI and ATR
//! with Wilder's smoothing seeded by simple means, first valid at bar `period`; ATR's true
//! range uses the previous close; Bollinger bands use the population standard deviation.
//! Where we differ from TA-Lib: the RSI of a window without gains or losses is 50, not 0 (and
//! only an exact zero counts as zero, where TA-Lib treats anything below 1e-14 as zero); the
//! Bollinger variance comes from a sliding Welford update with exact restarts instead of
//! running sums of x and x² (same value, without TA-Lib's cancellation at high price levels),
//! and a flat window has exactly zero width. Donchian channels exclude the current bar
//! (TA-Lib's `MAX`/`MIN` include it). The Fibonacci distance is signed (close minus the
//! nearest level, in ATR units). No feature needs a transcendental function; square roots
//! are exact IEEE, and every sum runs in a fixed order, so native and wasm agree bit for bit.
//!
//! ```
//! use std::sync::Arc;
//! use genesis_engine::data::{Candles, Columns};
//! use genesis_engine::features::{FeatureFrame, FeatureParams, FeatureStore};
//!
//! let n_bars = 400;
//! let close: Vec<f64> = (0..n_bars).map(|i| 100.0 + ((i * 7) % 13) as f64).collect();
//! let cols = Columns {
//!     ts_ms: (0..n_bars as i64).map(|i| i * 3_600_000).collect(),
//!     open: close.clone(),
//!     high: close.iter().map(|c| c + 1.0).collect(),
//!     low: close.iter().map(|c| c - 1.0).collect(),
//!     close,
//!     volume: vec![1.0; n_bars],
//! };
//! let mut store = FeatureStore::new(Arc::new(Candles::from_columns(cols).unwrap()));
//! let frame = FeatureFrame::compute(&mut store, &FeatureParams::default()).unwrap();
//! let rsi = frame.rsi.values();
//! let ema_fast = frame.ema_fast.values();
//! let start = frame.rsi.first_valid().max(frame.ema_fast.first_valid());
//! let n_overbought = (start..n_bars).filter(|&i| rsi[i] > 70.0 && ema_fast[i] > 0.0).count();
//! assert!(n_overbought < n_bars);
//! ```

/// The precomputed column type with its warm-up.
pub mod column;
/// The features module's error.
pub mod error;
/// The default feature frame, its CSV export and the precompute benchmark.
pub mod frame;
/// Indicator keys for the cache.
pub mod key;
/// `features:` configuration parameters and their validation.
pub mod params;
/// The per-dataset, per-worker feature cache.
pub mod store;

/// Average true range (Wilder).
pub mod atr;
/// ATR percentile rank.
pub mod atr_pct_rank;
/// Bollinger bands, width and %b.
pub mod bollinger;
/// Donchian channel (previous bars only).
pub mod donchian;
/// Exponential moving average.
pub mod ema;
/// Fibonacci retracements of the last confirmed swing leg.
pub mod fib;
/// EMA, RSI and ATR advanced side by side in one pass.
mod fused;
/// Higher-timeframe trend from completed higher-timeframe bars.
pub mod htf_trend;
/// Relative strength index (Wilder).
pub mod rsi;
/// Simple moving average.
pub mod sma;
/// Swing highs and lows, confirmed N bars after the pivot.
pub mod swings;
/// Volatility shift: short ATR over long ATR.
pub mod vol_shift;

/// The as-of test oracle: naive per-bar recomputation from bars `0..=i`. Compiled for tests
/// only, so production code cannot fall back to it.
#[cfg(test)]
pub(crate) mod asof;
#[cfg(test)]
pub(crate) mod tests;

pub use bollinger::Bollinger;
pub use column::Column;
pub use donchian::Donchian;
pub use error::FeatureError;
pub use fib::{Fib, FIB_RATIOS};
pub use frame::{bench_all, write_csv, FeatureFrame, FRAME_COLUMN_NAMES, N_FRAME_COLUMNS};
pub use htf_trend::HtfTrend;
pub use key::Indicator;
pub use params::FeatureParams;
pub use store::{Derived, Feature, FeatureStore, StoreStats, DEFAULT_MEMORY_LIMIT_BYTES};
pub use swings::{Pivot, PivotKind, Swings};
