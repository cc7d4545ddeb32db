//! The equity curve's statistics, updated at every close without storing the curve.
//!
//! One [`EquityStats`] serves both recording modes, so an optimizer trial that keeps no
//! equity series gets the same metrics, to the bit, as a full report.

use serde::{Deserialize, Serialize};

use super::drawdown::DrawdownTracker;
use super::returns::ReturnStats;

/// Running statistics of the equity curve of one window.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EquityStats {
    initial_equity: f64,
    last_equity: f64,
    n_bars: usize,
    n_bars_in_market: usize,
    returns: ReturnStats,
    drawdown: DrawdownTracker,
}

impl EquityStats {
    /// Starts with `initial_equity` at `start_time_ms` (the open of the window's first bar).
    pub fn new(initial_equity: f64, start_time_ms: i64) -> EquityStats {
        EquityStats {
            initial_equity,
            last_equity: initial_equity,
            n_bars: 0,
            n_bars_in_market: 0,
            returns: ReturnStats::default(),
            drawdown: DrawdownTracker::new(initial_equity, start_time_ms),
        }
    }

    /// Takes the equity at the next close (observed at `close_time_ms`) and whether a
    /// position was held at some moment of that bar.
    #[inline]
    pub fn push(&mut self, equity: f64, close_time_ms: i64, is_in_market: bool) {
        self.returns
            .push(ReturnStats::bar_return(self.last_equity, equity));
        self.last_equity = equity;
        self.n_bars += 1;
        if is_in_market {
            self.n_bars_in_market += 1;
        }
        self.drawdown.push(self.n_bars, close_time_ms, equity);
    }

    pub fn initial_equity(&self) -> f64 {
        self.initial_equity
    }
    pub fn last_equity(&self) -> f64 {
        self.last_equity
    }
    pub fn n_bars(&self) -> usize {
        self.n_bars
    }
    pub fn n_bars_in_market(&self) -> usize {
        self.n_bars_in_market
    }
    pub fn returns(&self) -> &ReturnStats {
        &self.returns
    }
    pub fn drawdown(&self) -> &DrawdownTracker {
        &self.drawdown
    }
}
