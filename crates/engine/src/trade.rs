//! A closed trade, its side and the reason it closed: the record the backtest writes and the
//! metrics read, below both (neither reaches into the other for it).

use serde::{Deserialize, Serialize};

/// Long or short.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Long,
    Short,
}

impl Side {
    /// `+1` for long, `-1` for short: the sign of P&L per unit of price rise.
    pub fn sign(self) -> f64 {
        match self {
            Side::Long => 1.0,
            Side::Short => -1.0,
        }
    }

    pub fn opposite(self) -> Side {
        match self {
            Side::Long => Side::Short,
            Side::Short => Side::Long,
        }
    }
}

/// Why a position closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    /// The strategy decided [`crate::backtest::Decision::Exit`].
    Signal,
    /// The fixed stop was hit (or gapped through).
    Stop,
    /// The take-profit was reached (or gapped through).
    TakeProfit,
    /// The trailing stop was hit (or gapped through).
    TrailingStop,
    /// The position reached its `max_hold_bars`.
    MaxHold,
    /// Closed to open the opposite side.
    Reverse,
    /// Still open at the window's last bar; closed at its close.
    EndOfData,
    /// Equity reached zero: liquidated at the price where it did (at the open on a gap).
    Ruin,
}

impl ExitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ExitReason::Signal => "signal",
            ExitReason::Stop => "stop",
            ExitReason::TakeProfit => "take_profit",
            ExitReason::TrailingStop => "trailing_stop",
            ExitReason::MaxHold => "max_hold",
            ExitReason::Reverse => "reverse",
            ExitReason::EndOfData => "end_of_data",
            ExitReason::Ruin => "ruin",
        }
    }
}

impl std::fmt::Display for ExitReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One round trip. Prices are fill prices (slippage included); money is in quote currency.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trade {
    pub side: Side,
    /// Units held (positive for both sides).
    pub units: f64,
    pub entry_bar_idx: usize,
    /// Open time (UTC ms) of the entry bar.
    pub entry_ts_ms: i64,
    pub entry_price: f64,
    pub exit_bar_idx: usize,
    /// Open time (UTC ms) of the exit bar.
    pub exit_ts_ms: i64,
    pub exit_price: f64,
    /// Commission charged at entry.
    pub entry_commission: f64,
    /// Commission charged at exit.
    pub exit_commission: f64,
    /// Net P&L: `sign × units × (exit − entry) − entry_commission − exit_commission`.
    pub pnl: f64,
    /// Net P&L as a fraction of the entry notional (`pnl / (units × entry_price)`).
    pub return_frac: f64,
    /// `exit_bar_idx − entry_bar_idx`.
    pub bars_held: usize,
    pub exit_reason: ExitReason,
    /// Run-up (maximum favourable excursion): the largest gain the position showed before
    /// costs, `units × (best price − entry)` signed by side, from the highs and lows of the
    /// bars it was open through and its fills; never below 0.
    pub run_up: f64,
    /// The run-up as a fraction of the entry price.
    pub run_up_frac: f64,
    /// Drawdown (maximum adverse excursion): the largest loss the position showed before
    /// costs, a positive amount.
    pub drawdown: f64,
    /// The drawdown as a fraction of the entry price.
    pub drawdown_frac: f64,
}
