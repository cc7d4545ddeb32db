//! Performance metrics of a backtest (SPEC §5), one file per metric or small group.
//!
//! Equity-curve metrics come from per-bar simple returns of the equity marked to market at
//! every close, the first measured from the initial cash; trade metrics from closed trades
//! (net of costs). Annualisation follows the data's timeframe ([`Annualisation`]) and is
//! stated in [`Metrics::annualisation`].
//!
//! # JSON safety
//!
//! Every metric serialises to valid JSON: plain numbers are always finite, and ratios whose
//! denominator is zero (or whose value would overflow) are `Option`s that serialise as
//! `null`: `sharpe`, `sortino` (no variation or no losing bar), `calmar` (no drawdown),
//! `cagr` (overflow on a very short window), `profit_factor` (no losing trade: +∞ when some
//! trade won), `sqn` (fewer than two trades or identical P&L). Averages over trades are 0
//! when there are no trades. `return_to_dd` is guarded and always a number (see
//! [`return_to_dd`]).

/// Annualisation conventions and the report of the one used.
pub mod annualisation;
/// CAGR and the Calmar ratio.
pub mod cagr;
/// Drawdown depth and duration.
pub mod drawdown;
/// The streaming equity-curve accumulator the engine updates at every close.
pub mod equity;
/// Returns per trading day, for backtesting.py's yearly figures.
pub mod period_returns;
/// Per-bar returns summed per block of the window, for the probability of overfitting.
pub mod return_blocks;
/// The guarded return-to-drawdown ratio.
pub mod return_to_dd;
/// Per-bar return statistics (shifted sums).
pub mod returns;
/// Sharpe ratio and annualised volatility.
pub mod sharpe;
/// Sortino ratio.
pub mod sortino;
/// TradingView's performance summary in All / Long / Short columns.
pub mod summary;
/// Win rate, profit factor, expectancy, SQN and other trade statistics.
pub mod trades;

pub use annualisation::{Annualisation, AnnualisationReport, Calendar};
pub use equity::EquityStats;
pub use period_returns::{AnnualFigures, PeriodReturns};
pub use return_blocks::{ReturnBlocks, ReturnSums};
pub use summary::{SideSummaries, TradeSummary};
pub use trades::TradeStats;

use serde::{Deserialize, Serialize};

use crate::trade::Trade;

/// All metrics of one backtest window. Fractions are plain fractions (0.12 is 12 %); money
/// is in quote currency.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// How yearly figures were annualised.
    pub annualisation: AnnualisationReport,
    /// Bars in the window (closes observed so far, for intermediate metrics).
    pub n_bars: usize,
    pub initial_equity: f64,
    pub final_equity: f64,
    /// `final_equity / initial_equity − 1`.
    pub total_return: f64,
    /// Compound annual growth rate over the window's calendar time (first to last bar).
    pub cagr: Option<f64>,
    /// backtesting.py's "Return (Ann.)": the geometric mean daily return compounded over
    /// the calendar's trading days a year.
    pub annual_return: Option<f64>,
    /// Standard deviation of per-bar returns × `sqrt(periods_per_year)`.
    pub annual_volatility: f64,
    /// Mean per-bar return over its standard deviation × `sqrt(periods_per_year)`.
    pub sharpe: Option<f64>,
    pub sortino: Option<f64>,
    /// `annual_return / max_drawdown` (backtesting.py's Calmar ratio).
    pub calmar: Option<f64>,
    /// `cagr / max_drawdown`.
    pub calmar_cagr: Option<f64>,
    /// backtesting.py's Sharpe ratio: `annual_return` over the compounded annual volatility
    /// of daily returns.
    pub sharpe_backtesting_py: Option<f64>,
    /// backtesting.py's Sortino ratio: `annual_return` over the annualised downside
    /// deviation of daily returns.
    pub sortino_backtesting_py: Option<f64>,
    /// Largest fall from a running peak, a positive fraction.
    pub max_drawdown: f64,
    /// Longest drawdown period, peak to recovery (or to the end), in bars.
    pub max_drawdown_duration_bars: usize,
    /// The same period's span in milliseconds.
    pub max_drawdown_duration_ms: i64,
    pub n_trades: usize,
    pub win_rate: f64,
    pub gross_profit: f64,
    pub gross_loss: f64,
    /// Gross profit over gross loss, in money (TradingView's).
    pub profit_factor: Option<f64>,
    /// Sum of positive over sum of negative trade returns (backtesting.py's).
    pub profit_factor_returns: Option<f64>,
    /// Commission paid on every closed trade, both sides.
    pub commission_paid: f64,
    /// Mean net P&L per trade, quote currency.
    pub expectancy: f64,
    /// Mean net return per trade (backtesting.py's "Expectancy [%]", TradingView's
    /// "Avg Trade %").
    pub avg_trade: f64,
    /// Geometric mean net return per trade (backtesting.py's "Avg. Trade [%]").
    pub avg_trade_geometric: f64,
    pub best_trade: f64,
    pub worst_trade: f64,
    pub avg_bars_held: f64,
    /// Share of the window's bars during which a position was held at some moment (entry bar
    /// to exit bar, both included), as backtesting.py counts it.
    pub exposure: f64,
    pub sqn: Option<f64>,
    /// Close of the window's last bar over the close of its first bar, minus 1: the equity
    /// chart's buy-and-hold line, whatever the strategy's warm-up.
    pub buy_and_hold_return: f64,
    /// Guarded total return per unit of max drawdown (see [`return_to_dd`]).
    pub return_to_dd: f64,
    /// Equity reached zero and the run stopped trading (see the ruin rule).
    pub is_ruined: bool,
    /// TradingView's performance summary: all trades, longs, shorts.
    pub summary: SideSummaries,
}

/// What [`Metrics::compute`] needs besides trades and equity statistics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MetricsContext {
    pub annualisation: AnnualisationReport,
    /// Time from the open of the window's first bar to the open of its last processed bar.
    pub elapsed_ms: i64,
    /// backtesting.py's yearly figures from the daily returns (see [`period_returns`]).
    pub annual: AnnualFigures,
    pub buy_and_hold_return: f64,
    pub is_ruined: bool,
}

impl Metrics {
    /// Metrics from the equity statistics and the closed trades.
    pub fn compute(equity: &EquityStats, trades: &[Trade], context: MetricsContext) -> Metrics {
        let periods_per_year = context.annualisation.periods_per_year;
        let initial_equity = equity.initial_equity();
        let final_equity = equity.last_equity();
        let total_return = or_zero(final_equity / initial_equity - 1.0);
        let max_drawdown = or_zero(equity.drawdown().max_drawdown());
        let cagr = cagr::cagr(initial_equity, final_equity, context.elapsed_ms);
        let annual = context.annual;
        let trade_stats = TradeStats::from_trades(trades);
        let summary = SideSummaries::from_trades(trades, initial_equity);
        Metrics {
            annualisation: context.annualisation,
            n_bars: equity.n_bars(),
            initial_equity,
            final_equity: or_zero(final_equity),
            total_return,
            cagr,
            annual_return: annual.annual_return,
            annual_volatility: or_zero(sharpe::annual_volatility(
                equity.returns(),
                periods_per_year,
            )),
            sharpe: sharpe::sharpe(equity.returns(), periods_per_year),
            sortino: sortino::sortino(equity.returns(), periods_per_year),
            calmar: cagr::calmar(annual.annual_return, max_drawdown),
            calmar_cagr: cagr::calmar(cagr, max_drawdown),
            sharpe_backtesting_py: annual.sharpe,
            sortino_backtesting_py: annual.sortino,
            max_drawdown,
            max_drawdown_duration_bars: equity.drawdown().max_duration_bars(),
            max_drawdown_duration_ms: equity.drawdown().max_duration_ms(),
            n_trades: trade_stats.n_trades,
            win_rate: trade_stats.win_rate,
            gross_profit: or_zero(trade_stats.gross_profit),
            gross_loss: or_zero(trade_stats.gross_loss),
            profit_factor: trade_stats.profit_factor,
            profit_factor_returns: trade_stats.profit_factor_returns,
            commission_paid: or_zero(summary.all.commission_paid),
            expectancy: or_zero(trade_stats.expectancy),
            avg_trade: or_zero(trade_stats.avg_trade),
            avg_trade_geometric: or_zero(trade_stats.avg_trade_geometric),
            best_trade: or_zero(trade_stats.best_trade),
            worst_trade: or_zero(trade_stats.worst_trade),
            avg_bars_held: trade_stats.avg_bars_held,
            exposure: if equity.n_bars() == 0 {
                0.0
            } else {
                equity.n_bars_in_market() as f64 / equity.n_bars() as f64
            },
            sqn: trade_stats.sqn,
            buy_and_hold_return: or_zero(context.buy_and_hold_return),
            return_to_dd: return_to_dd::return_to_dd(
                total_return,
                max_drawdown,
                trade_stats.n_trades,
            ),
            is_ruined: context.is_ruined,
            summary,
        }
    }
}

/// `Some(x)` when `x` is finite.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// A value that must serialise as a number: non-finite becomes 0. The engine never produces
/// non-finite inputs from validated candles and config; this is the last line of defence
/// for JSON validity.
fn or_zero(x: f64) -> f64 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests;
