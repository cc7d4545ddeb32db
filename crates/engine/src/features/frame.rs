//! The default features of a [`FeatureParams`] as named columns: for the CLI's CSV, the
//! browser's chart overlays and the `genesis` strategy.

use std::io::Write;
use std::sync::Arc;

use super::bollinger::Bollinger;
use super::column::Column;
use super::error::FeatureError;
use super::fib::Fib;
use super::htf_trend::HtfTrend;
use super::params::FeatureParams;
use super::store::FeatureStore;
use super::swings::{Pivot, Swings};
use crate::data::Candles;

/// Names of the frame's columns, in CSV order.
pub const FRAME_COLUMN_NAMES: [&str; N_FRAME_COLUMNS] = [
    "ema_fast",
    "ema_slow",
    "rsi",
    "atr",
    "atr_long",
    "bb_mid",
    "bb_upper",
    "bb_lower",
    "bb_width",
    "bb_pct_b",
    "vol_shift",
    "atr_pct_rank",
    "swing_high",
    "swing_high_bar",
    "swing_low",
    "swing_low_bar",
    "fib_direction",
    "fib_0236",
    "fib_0382",
    "fib_0500",
    "fib_0618",
    "fib_0786",
    "fib_dist_atr",
    "htf_close",
    "htf_ema",
    "htf_trend",
];

/// How many columns a frame has.
pub const N_FRAME_COLUMNS: usize = 26;

/// Every default feature (SPEC §2) for one [`FeatureParams`], as shared handles into a
/// [`FeatureStore`]. Building a frame from a warm store costs only lookups; fields are public
/// so a strategy can take the columns it needs and read their values in its loop.
#[derive(Clone, Debug)]
pub struct FeatureFrame {
    /// The parameters the frame was computed with.
    pub params: FeatureParams,
    /// EMA of close, `params.ema_fast` bars.
    pub ema_fast: Arc<Column>,
    /// EMA of close, `params.ema_slow` bars.
    pub ema_slow: Arc<Column>,
    /// Wilder RSI, `params.rsi_period` bars, in [0, 100].
    pub rsi: Arc<Column>,
    /// Wilder ATR, `params.atr_period` bars, in price.
    pub atr: Arc<Column>,
    /// Wilder ATR, `params.atr_long_period` bars, in price.
    pub atr_long: Arc<Column>,
    /// Bollinger bands, `params.bb_period` bars, `params.bb_std` deviations.
    pub bollinger: Arc<Bollinger>,
    /// `atr / atr_long`.
    pub vol_shift: Arc<Column>,
    /// Percentile rank of `atr` over `params.atr_pct_lookback` bars, in [0, 1].
    pub atr_pct_rank: Arc<Column>,
    /// Confirmed swings of `params.swing_strength`.
    pub swings: Arc<Swings>,
    /// Fibonacci levels of the last confirmed leg, distance in `atr` units.
    pub fib: Arc<Fib>,
    /// Higher-timeframe trend.
    pub htf: Arc<HtfTrend>,
}

impl FeatureFrame {
    /// Validates `params` and gets every default feature from `store` (computing what is not
    /// cached yet).
    pub fn compute(
        store: &mut FeatureStore,
        params: &FeatureParams,
    ) -> Result<FeatureFrame, FeatureError> {
        params.validate()?;
        store.prefetch(&params.indicators())?;
        Ok(FeatureFrame {
            params: params.clone(),
            ema_fast: store.ema(params.ema_fast)?,
            ema_slow: store.ema(params.ema_slow)?,
            rsi: store.rsi(params.rsi_period)?,
            atr: store.atr(params.atr_period)?,
            atr_long: store.atr(params.atr_long_period)?,
            bollinger: store.bollinger(params.bb_period, params.bb_std)?,
            vol_shift: store.vol_shift(params.atr_period, params.atr_long_period)?,
            atr_pct_rank: store.atr_pct_rank(params.atr_period, params.atr_pct_lookback)?,
            swings: store.swings(params.swing_strength)?,
            fib: store.fib(params.swing_strength, params.atr_period)?,
            htf: store.htf_trend(params.htf_multiple, params.htf_ema_period)?,
        })
    }

    /// The number of bars the columns cover.
    pub fn n_bars(&self) -> usize {
        self.rsi.len()
    }

    /// Every column with its name, in [`FRAME_COLUMN_NAMES`] order.
    pub fn columns(&self) -> [(&'static str, &Column); N_FRAME_COLUMNS] {
        let bands = &*self.bollinger;
        let fib = &*self.fib;
        let columns = [
            &*self.ema_fast,
            &*self.ema_slow,
            &*self.rsi,
            &*self.atr,
            &*self.atr_long,
            &bands.mid,
            &bands.upper,
            &bands.lower,
            &bands.width,
            &bands.pct_b,
            &*self.vol_shift,
            &*self.atr_pct_rank,
            &self.swings.high,
            &self.swings.high_bar,
            &self.swings.low,
            &self.swings.low_bar,
            &fib.direction,
            &fib.levels[0],
            &fib.levels[1],
            &fib.levels[2],
            &fib.levels[3],
            &fib.levels[4],
            &fib.dist_atr,
            &self.htf.close,
            &self.htf.ema,
            &self.htf.trend,
        ];
        std::array::from_fn(|idx| (FRAME_COLUMN_NAMES[idx], columns[idx]))
    }

    /// The column called `name` (see [`FRAME_COLUMN_NAMES`]).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns()
            .into_iter()
            .find(|(candidate, _)| *candidate == name)
            .map(|(_, column)| column)
    }

    /// The confirmed pivots, for chart markers.
    pub fn pivots(&self) -> &[Pivot] {
        &self.swings.pivots
    }

    /// Heap bytes the frame's outputs hold (columns shared with other frames count in full).
    pub fn heap_bytes(&self) -> usize {
        self.columns()
            .iter()
            .map(|(_, column)| column.heap_bytes())
            .sum::<usize>()
            + self.swings.pivots.capacity() * std::mem::size_of::<Pivot>()
    }

    /// An upper estimate of a frame's heap bytes over `n_bars` bars before computing it: every
    /// column, plus at most one swing high and one swing low per `swing_strength + 1` bars.
    pub fn estimate_bytes(n_bars: usize, params: &FeatureParams) -> usize {
        let column_bytes = n_bars.saturating_mul(std::mem::size_of::<f64>());
        let max_pivots = 2 * (n_bars / (params.swing_strength as usize).saturating_add(1) + 1);
        column_bytes
            .saturating_mul(N_FRAME_COLUMNS)
            .saturating_add(max_pivots.saturating_mul(std::mem::size_of::<Pivot>()))
    }
}

/// Computes the default frame on a fresh store: the precompute workload `genesis bench`
/// times (cold cache, every indicator once).
pub fn bench_all(
    candles: &Arc<Candles>,
    params: &FeatureParams,
) -> Result<FeatureFrame, FeatureError> {
    let mut store = FeatureStore::with_memory_limit(Arc::clone(candles), usize::MAX);
    FeatureFrame::compute(&mut store, params)
}

/// Writes one CSV row per bar: `ts_ms,open,high,low,close,volume` and then every frame column
/// by name. Numbers use the shortest text that reads back to the same `f64`; warm-up and other
/// undefined values are empty fields.
pub fn write_csv(
    candles: &Candles,
    frame: &FeatureFrame,
    out: &mut impl Write,
) -> Result<(), FeatureError> {
    let columns = frame.columns();
    for (_, column) in &columns {
        if column.len() != candles.len() {
            return Err(FeatureError::FrameMismatch {
                frame_bars: column.len(),
                candle_bars: candles.len(),
            });
        }
    }
    let mut out = std::io::BufWriter::new(out);
    out.write_all(b"ts_ms,open,high,low,close,volume")?;
    for name in FRAME_COLUMN_NAMES {
        write!(out, ",{name}")?;
    }
    out.write_all(b"\n")?;
    for bar_idx in 0..candles.len() {
        let bar = candles.bar(bar_idx);
        write!(
            out,
            "{},{},{},{},{},{}",
            bar.ts_ms, bar.open, bar.high, bar.low, bar.close, bar.volume
        )?;
        for (_, column) in &columns {
            match column.get(bar_idx) {
                Some(value) => write!(out, ",{value}")?,
                None => out.write_all(b",")?,
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
