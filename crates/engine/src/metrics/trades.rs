//! Statistics over closed trades.
//!
//! - `win_rate`: share of trades with net P&L above 0 (0 with no trades).
//! - `profit_factor`: gross profit / gross loss in quote currency (sums of positive and of
//!   negative net P&L); `None` (JSON `null`) when no trade lost: +∞ if some trade won,
//!   undefined with no trades. `gross_profit` and `gross_loss` are reported beside it.
//! - `expectancy`: mean net P&L per trade, in quote currency.
//! - `avg_trade`, `best_trade`, `worst_trade`: mean, largest and smallest net return per
//!   trade (fraction of entry notional).
//! - `avg_bars_held`: mean of `exit_bar − entry_bar`.
//! - `sqn`: System Quality Number, `sqrt(n) × mean(pnl) / std(pnl)` with the sample standard
//!   deviation of net P&L (as backtesting.py computes it); `None` below two trades or with
//!   zero deviation.
//!
//! - `avg_trade_geometric`: backtesting.py's "Avg. Trade": the geometric mean of net returns,
//!   `(Π (1 + r))^(1/n) − 1`, 0 when some trade lost everything.
//! - `profit_factor_returns`: backtesting.py's profit factor, from returns rather than money:
//!   sum of positive net returns over the sum of negative ones.
//!
//! Averages over trades are 0 when there are no trades; read `n_trades` first.

use crate::trade::Trade;

/// The range the running product of trade growth factors is kept in (2^±64).
const GROWTH_MAX: f64 = 18_446_744_073_709_551_616.0;
const GROWTH_MIN: f64 = 1.0 / GROWTH_MAX;

/// Trade statistics; see the module documentation for definitions.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TradeStats {
    pub n_trades: usize,
    pub win_rate: f64,
    pub gross_profit: f64,
    pub gross_loss: f64,
    pub profit_factor: Option<f64>,
    pub expectancy: f64,
    pub avg_trade: f64,
    pub best_trade: f64,
    pub worst_trade: f64,
    pub avg_bars_held: f64,
    pub sqn: Option<f64>,
    pub avg_trade_geometric: f64,
    pub profit_factor_returns: Option<f64>,
}

impl TradeStats {
    pub fn from_trades(trades: &[Trade]) -> TradeStats {
        let n_trades = trades.len();
        if n_trades == 0 {
            return TradeStats::default();
        }
        let n = n_trades as f64;
        let mut n_wins = 0usize;
        let mut gross_profit = 0.0;
        let mut gross_loss = 0.0;
        let mut pnl_sum = 0.0;
        let mut return_sum = 0.0;
        let mut best_trade = f64::NEG_INFINITY;
        let mut worst_trade = f64::INFINITY;
        let mut bars_held_sum = 0.0;
        // The product of `1 + r`, kept in range by powers of 2^64 counted aside, so one
        // logarithm at the end serves any number of trades.
        let mut growth = 1.0f64;
        let mut growth_exponent = 0i32;
        let mut has_total_loss = false;
        let mut positive_return_sum = 0.0;
        let mut negative_return_sum = 0.0;
        for trade in trades {
            if 1.0 + trade.return_frac > 0.0 {
                growth *= 1.0 + trade.return_frac;
                if !(GROWTH_MIN..=GROWTH_MAX).contains(&growth) {
                    let shift = if growth > GROWTH_MAX { 64 } else { -64 };
                    growth = libm::ldexp(growth, -shift);
                    growth_exponent += shift;
                }
            } else {
                has_total_loss = true;
            }
            if trade.return_frac > 0.0 {
                positive_return_sum += trade.return_frac;
            } else if trade.return_frac < 0.0 {
                negative_return_sum -= trade.return_frac;
            }
            if trade.pnl > 0.0 {
                n_wins += 1;
                gross_profit += trade.pnl;
            } else if trade.pnl < 0.0 {
                gross_loss -= trade.pnl;
            }
            pnl_sum += trade.pnl;
            return_sum += trade.return_frac;
            best_trade = best_trade.max(trade.return_frac);
            worst_trade = worst_trade.min(trade.return_frac);
            bars_held_sum += trade.bars_held as f64;
        }
        let expectancy = pnl_sum / n;
        let sqn = (n_trades >= 2)
            .then(|| {
                let sq_dev_sum: f64 = trades
                    .iter()
                    .map(|trade| (trade.pnl - expectancy) * (trade.pnl - expectancy))
                    .sum();
                let std = (sq_dev_sum / (n - 1.0)).sqrt();
                (std > 0.0).then(|| n.sqrt() * expectancy / std)
            })
            .flatten()
            .and_then(super::finite);
        TradeStats {
            n_trades,
            win_rate: n_wins as f64 / n,
            gross_profit,
            gross_loss,
            profit_factor: (gross_loss > 0.0)
                .then(|| gross_profit / gross_loss)
                .and_then(super::finite),
            expectancy,
            avg_trade: return_sum / n,
            best_trade,
            worst_trade,
            avg_bars_held: bars_held_sum / n,
            sqn,
            avg_trade_geometric: if has_total_loss {
                0.0
            } else {
                let log_growth =
                    libm::log(growth) + f64::from(growth_exponent) * std::f64::consts::LN_2;
                libm::exp(log_growth / n) - 1.0
            },
            profit_factor_returns: (negative_return_sum > 0.0)
                .then(|| positive_return_sum / negative_return_sum)
                .and_then(super::finite),
        }
    }
}
