//! TradingView's performance summary over closed trades, in the columns its Strategy Tester
//! shows: all trades, longs only, shorts only.
//!
//! Money is net of commission (each trade's `pnl`). A trade wins with `pnl > 0` and loses
//! with `pnl < 0`. Ratios whose denominator is zero are `None` (JSON `null`); sums, counts and
//! averages over no trades are 0.

use serde::{Deserialize, Serialize};

use crate::trade::{Side, Trade};

/// One column of the summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradeSummary {
    pub n_trades: usize,
    pub n_wins: usize,
    pub n_losses: usize,
    /// Sum of net P&L.
    pub net_profit: f64,
    /// Net profit as a fraction of the initial equity.
    pub net_profit_frac: f64,
    /// Sum of net P&L of winning trades.
    pub gross_profit: f64,
    /// Sum of the losses of losing trades, a positive amount.
    pub gross_loss: f64,
    /// Commission of both sides of every trade.
    pub commission_paid: f64,
    /// `n_wins / n_trades`.
    pub win_rate: f64,
    /// `gross_profit / gross_loss` (money).
    pub profit_factor: Option<f64>,
    /// Mean net P&L per trade.
    pub avg_trade: f64,
    /// Mean net return per trade.
    pub avg_trade_return: f64,
    /// Mean P&L of winning trades.
    pub avg_win: f64,
    /// Mean loss of losing trades, a positive amount.
    pub avg_loss: f64,
    /// `avg_win / avg_loss`.
    pub win_loss_ratio: Option<f64>,
    /// Largest net P&L of a trade (0 without a winning trade).
    pub largest_win: f64,
    /// Largest loss of a trade, a positive amount (0 without a losing trade).
    pub largest_loss: f64,
    /// Return of the largest win / loss, as fractions.
    pub largest_win_return: f64,
    pub largest_loss_return: f64,
    /// Largest run-up (maximum favourable excursion) of a trade, money and fraction.
    pub max_run_up: f64,
    pub max_run_up_frac: f64,
    /// Largest drawdown (maximum adverse excursion) of a trade, money and fraction.
    pub max_drawdown: f64,
    pub max_drawdown_frac: f64,
    /// Mean bars held.
    pub avg_bars_held: f64,
}

/// The summary in TradingView's three columns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideSummaries {
    pub all: TradeSummary,
    pub long: TradeSummary,
    pub short: TradeSummary,
}

impl SideSummaries {
    /// All three columns in one pass over the trades.
    pub fn from_trades(trades: &[Trade], initial_equity: f64) -> SideSummaries {
        let mut all = Sums::default();
        let mut long = Sums::default();
        let mut short = Sums::default();
        for trade in trades {
            all.add(trade);
            match trade.side {
                Side::Long => long.add(trade),
                Side::Short => short.add(trade),
            }
        }
        SideSummaries {
            all: all.finish(initial_equity),
            long: long.finish(initial_equity),
            short: short.finish(initial_equity),
        }
    }
}

impl TradeSummary {
    pub fn from_trades<'t>(
        trades: impl Iterator<Item = &'t Trade>,
        initial_equity: f64,
    ) -> TradeSummary {
        let mut sums = Sums::default();
        for trade in trades {
            sums.add(trade);
        }
        sums.finish(initial_equity)
    }
}

/// A column being summed: the summary's sums and extremes, plus what its averages need.
#[derive(Default)]
struct Sums {
    s: TradeSummary,
    return_sum: f64,
    bars_held_sum: f64,
}

impl Sums {
    fn add(&mut self, trade: &Trade) {
        let s = &mut self.s;
        s.n_trades += 1;
        s.net_profit += trade.pnl;
        s.commission_paid += trade.entry_commission + trade.exit_commission;
        self.return_sum += trade.return_frac;
        self.bars_held_sum += trade.bars_held as f64;
        if trade.pnl > 0.0 {
            s.n_wins += 1;
            s.gross_profit += trade.pnl;
            if trade.pnl > s.largest_win {
                s.largest_win = trade.pnl;
                s.largest_win_return = trade.return_frac;
            }
        } else if trade.pnl < 0.0 {
            s.n_losses += 1;
            s.gross_loss -= trade.pnl;
            if -trade.pnl > s.largest_loss {
                s.largest_loss = -trade.pnl;
                s.largest_loss_return = trade.return_frac;
            }
        }
        s.max_run_up = s.max_run_up.max(trade.run_up);
        s.max_run_up_frac = s.max_run_up_frac.max(trade.run_up_frac);
        s.max_drawdown = s.max_drawdown.max(trade.drawdown);
        s.max_drawdown_frac = s.max_drawdown_frac.max(trade.drawdown_frac);
    }

    fn finish(self, initial_equity: f64) -> TradeSummary {
        let mut s = self.s;
        if s.n_trades == 0 {
            return s;
        }
        let n = s.n_trades as f64;
        s.net_profit_frac = super::finite(s.net_profit / initial_equity).unwrap_or(0.0);
        s.win_rate = s.n_wins as f64 / n;
        s.profit_factor = (s.gross_loss > 0.0)
            .then(|| s.gross_profit / s.gross_loss)
            .and_then(super::finite);
        s.avg_trade = s.net_profit / n;
        s.avg_trade_return = self.return_sum / n;
        if s.n_wins > 0 {
            s.avg_win = s.gross_profit / s.n_wins as f64;
        }
        if s.n_losses > 0 {
            s.avg_loss = s.gross_loss / s.n_losses as f64;
        }
        s.win_loss_ratio = (s.avg_loss > 0.0 && s.n_wins > 0)
            .then(|| s.avg_win / s.avg_loss)
            .and_then(super::finite);
        s.avg_bars_held = self.bars_held_sum / n;
        s
    }
}
