//! Several recursive indicators advanced side by side in one pass over the candles.
//!
//! EMA, RSI and ATR each carry a dependency from one bar to the next through a multiply-add
//! or a division, so computed one after another the processor mostly waits on that chain.
//! Advanced together in one loop the chains overlap, and the default frame's two EMAs, RSI
//! and two ATRs take little more than the slowest of them alone. Every chain runs the step
//! code of its own indicator function ([`EmaStep`], [`RsiStep`], [`AtrStep`]) on the same
//! inputs, so each value is identical to the bit to what [`super::ema::ema`],
//! [`super::rsi::rsi`] and [`super::atr::atr`] give.

use super::atr::{true_range, AtrStep};
use super::column::Column;
use super::ema::EmaStep;
use super::key::Indicator;
use super::rsi::RsiStep;
use crate::data::Candles;

/// True for the indicators [`columns`] computes: EMA, RSI and ATR.
pub(crate) fn is_fusable(key: &Indicator) -> bool {
    matches!(
        key,
        Indicator::Ema { .. } | Indicator::Rsi { .. } | Indicator::Atr { .. }
    )
}

/// One recurrence and the values computed so far; `values.len()` is the next bar.
struct Chain {
    step: Step,
    values: Vec<f64>,
    first_valid: usize,
}

enum Step {
    Ema(EmaStep),
    Rsi(RsiStep),
    Atr(AtrStep),
}

/// What a step reads at one bar (from 1 on).
#[derive(Clone, Copy)]
struct Inputs {
    close: f64,
    change: f64,
    true_range: f64,
}

impl Inputs {
    #[inline]
    fn at(high: &[f64], low: &[f64], close: &[f64], bar_idx: usize) -> Inputs {
        let prev_close = close[bar_idx - 1];
        Inputs {
            close: close[bar_idx],
            change: close[bar_idx] - prev_close,
            true_range: true_range(high[bar_idx], low[bar_idx], prev_close),
        }
    }
}

impl Step {
    #[inline]
    fn next(&mut self, inputs: Inputs) -> f64 {
        match self {
            Step::Ema(step) => step.next(inputs.close),
            Step::Rsi(step) => step.next(inputs.change),
            Step::Atr(step) => step.next(inputs.true_range),
        }
    }
}

/// The columns of `keys` (each accepted by [`is_fusable`]), in the same order. Keys whose
/// period leaves no valid bar give an empty column, as their own functions do.
pub(crate) fn columns(candles: &Candles, keys: &[Indicator]) -> Vec<Column> {
    let (high, low, close) = (candles.high(), candles.low(), candles.close());
    let n_bars = candles.len();
    let mut chains: Vec<Option<Chain>> = keys
        .iter()
        .map(|key| seeded(high, low, close, key, n_bars))
        .collect();
    // Each chain first catches up alone to the bar where the last one starts, then all
    // advance together.
    let start = chains
        .iter()
        .flatten()
        .map(|chain| chain.values.len())
        .max()
        .unwrap_or(n_bars)
        .min(n_bars);
    for chain in chains.iter_mut().flatten() {
        for bar_idx in chain.values.len()..start {
            let value = chain.step.next(Inputs::at(high, low, close, bar_idx));
            chain.values.push(value);
        }
    }
    let mut live: Vec<&mut Chain> = chains.iter_mut().flatten().collect();
    for bar_idx in start..n_bars {
        let inputs = Inputs::at(high, low, close, bar_idx);
        for chain in live.iter_mut() {
            let value = chain.step.next(inputs);
            chain.values.push(value);
        }
    }
    chains
        .into_iter()
        .map(|chain| match chain {
            Some(chain) => Column::new(chain.values, chain.first_valid),
            None => Column::empty(n_bars),
        })
        .collect()
}

/// A chain holding its warm-up NaNs and its seed, or `None` when the period leaves no valid
/// bar (or the key is not fusable).
fn seeded(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    key: &Indicator,
    n_bars: usize,
) -> Option<Chain> {
    let (first_valid, seed, step) = match *key {
        Indicator::Ema { period } => {
            let period = period as usize;
            let (seed, step) = EmaStep::seed(close, period)?;
            (period - 1, seed, Step::Ema(step))
        }
        Indicator::Rsi { period } => {
            let period = period as usize;
            let (seed, step) = RsiStep::seed(close, period)?;
            (period, seed, Step::Rsi(step))
        }
        Indicator::Atr { period } => {
            let period = period as usize;
            let (seed, step) = AtrStep::seed(high, low, close, period)?;
            (period, seed, Step::Atr(step))
        }
        _ => return None,
    };
    let mut values = Vec::with_capacity(n_bars);
    values.extend(std::iter::repeat_n(f64::NAN, first_valid));
    values.push(seed);
    Some(Chain {
        step,
        values,
        first_valid,
    })
}
