//! The reference workload: backtesting.py's `SmaCross` example on this engine.
//!
//! `SmaCross(10, 20)` with `exclusive_orders=True` buys all-in when the fast SMA crosses
//! above the slow one and sells short all-in when it crosses below, each order closing the
//! previous position: an always-in-market reversal system. It is the SPEC's speed anchor
//! (about 260 ms in backtesting.py on 17,278 hourly bars) and its parity target. The moving
//! averages are computed here inline; the production `sma_cross` strategy reads them from
//! the feature store instead.

use super::config::{BacktestConfig, Recording, Window};
use super::engine::{run, BacktestReport};
use super::error::BacktestError;
use super::strategy::{Decision, Entry, PositionView, Side, Sizing, Strategy};
use crate::data::Candles;

/// Simple moving average: the mean of the last `period` values, summed oldest first; NaN
/// for the first `period − 1` bars (and everywhere when `period` is 0).
pub fn sma(values: &[f64], period: usize) -> Vec<f64> {
    (0..values.len())
        .map(|bar_idx| {
            if period == 0 || bar_idx + 1 < period {
                f64::NAN
            } else {
                let window = &values[bar_idx + 1 - period..=bar_idx];
                window.iter().sum::<f64>() / period as f64
            }
        })
        .collect()
}

/// `a` crossed above `b` at `bar_idx`: `a < b` at the previous bar and `a > b` now
/// (backtesting.py's `crossover`). False where either value is missing or NaN.
pub fn crossover(a: &[f64], b: &[f64], bar_idx: usize) -> bool {
    let Some(prev_idx) = bar_idx.checked_sub(1) else {
        return false;
    };
    match (
        a.get(prev_idx),
        b.get(prev_idx),
        a.get(bar_idx),
        b.get(bar_idx),
    ) {
        (Some(a_prev), Some(b_prev), Some(a_now), Some(b_now)) => a_prev < b_prev && a_now > b_now,
        _ => false,
    }
}

/// The SMA cross strategy over precomputed averages.
#[derive(Clone, Copy, Debug)]
pub struct SmaCross<'a> {
    pub fast: &'a [f64],
    pub slow: &'a [f64],
    /// The slow period: the first bar whose previous bar has both averages.
    pub first_decision_bar: usize,
    pub sizing: Sizing,
}

impl Strategy for SmaCross<'_> {
    fn first_decision_bar(&self) -> usize {
        self.first_decision_bar
    }

    fn decide(&mut self, bar_idx: usize, _position: &PositionView) -> Decision {
        if crossover(self.fast, self.slow, bar_idx) {
            Decision::Enter(Entry::new(Side::Long, self.sizing))
        } else if crossover(self.slow, self.fast, bar_idx) {
            Decision::Enter(Entry::new(Side::Short, self.sizing))
        } else {
            Decision::Hold
        }
    }
}

/// The two moving averages of an SMA cross, computed once per dataset and periods.
#[derive(Clone, Debug, PartialEq)]
pub struct SmaPair {
    pub fast: Vec<f64>,
    pub slow: Vec<f64>,
    pub slow_period: usize,
}

impl SmaPair {
    pub fn new(close: &[f64], fast_period: usize, slow_period: usize) -> SmaPair {
        SmaPair {
            fast: sma(close, fast_period),
            slow: sma(close, slow_period),
            slow_period,
        }
    }

    /// The all-in SMA cross strategy over these averages.
    pub fn strategy(&self) -> SmaCross<'_> {
        SmaCross {
            fast: &self.fast,
            slow: &self.slow,
            first_decision_bar: self.slow_period,
            sizing: Sizing::AllIn,
        }
    }
}

/// One SMA cross backtest over all the candles: the benchmark workload.
pub fn run_sma_cross(
    candles: &Candles,
    smas: &SmaPair,
    config: &BacktestConfig,
    recording: Recording,
) -> Result<BacktestReport, BacktestError> {
    run(
        candles,
        config,
        Window::all(candles),
        smas.strategy(),
        recording,
    )
}
