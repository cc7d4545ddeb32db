//! The backtest engine: a strategy's decisions in, fills, trades, an equity curve and metrics
//! out.
//!
//! A strategy implements [`Strategy`]; the engine drives it bar by bar over a [`Window`] of
//! the candles (generic over `S`, so every call is statically dispatched and the per-bar loop
//! allocates nothing). Costs and execution come from [`BacktestConfig`].
//!
//! ```
//! use genesis_engine::backtest::{
//!     run, BacktestConfig, Decision, Entry, ExitRules, Level, PositionView, Recording, Side,
//!     Sizing, Strategy, Window,
//! };
//! use genesis_engine::data::{Bar, Candles, Columns};
//!
//! /// Buys once at bar 1's close with a stop 2 below the fill, risking 1 % of equity.
//! struct BuyOnce;
//!
//! impl Strategy for BuyOnce {
//!     fn first_decision_bar(&self) -> usize {
//!         1
//!     }
//!     fn decide(&mut self, _bar_idx: usize, position: &PositionView) -> Decision {
//!         if position.is_flat() {
//!             let exits = ExitRules { stop: Some(Level::Distance(2.0)), ..ExitRules::NONE };
//!             Decision::Enter(Entry::new(Side::Long, Sizing::RiskFraction(0.01)).with_exits(exits))
//!         } else {
//!             Decision::Hold
//!         }
//!     }
//! }
//!
//! let mut cols = Columns::default();
//! for (k, close) in [100.0, 101.0, 103.0, 104.0].into_iter().enumerate() {
//!     let bar = Bar { ts_ms: k as i64 * 3_600_000, open: close, high: close + 1.0,
//!                     low: close - 1.0, close, volume: 1.0 };
//!     cols.push(bar);
//! }
//! let candles = Candles::from_columns(cols).unwrap();
//! let report = run(&candles, &BacktestConfig::default(), Window::all(&candles), BuyOnce,
//!                  Recording::Full).unwrap();
//! // Filled at bar 2's open (103): 100 risked over a stop 2 away is 50 units, closed at the
//! // last close (104) as end_of_data.
//! assert_eq!(report.trades[0].units, 50.0);
//! assert_eq!(report.trades[0].pnl, 50.0);
//! ```
//!
//! # Execution semantics
//!
//! These are the rules every result obeys; the README repeats them.
//!
//! - **Decisions at the close.** The strategy is asked at the close of bar `i` and may use
//!   data up to and including bar `i`'s close. It is asked at every bar from
//!   `max(window.from_bar, strategy.first_decision_bar())` up to the window's second-to-last
//!   bar (a decision at the last bar could never be filled inside the window).
//! - **Market orders fill at the next open.** An entry, exit or reverse decided at bar `i`
//!   fills at bar `i + 1`'s open, moved against the trader by `slippage_bps` (buys fill at
//!   `open × (1 + bps / 10 000)`, sells at `open × (1 − bps / 10 000)`). Nothing fills before
//!   the first decision bar + 1.
//! - **One position at a time.** [`Decision::Enter`] while flat opens a position; while
//!   holding the other side it is a *reverse*: the open position closes (exit reason
//!   `reverse`) and the new one opens, both at the same next open, the new size computed from
//!   the cash left after the close (backtesting.py's `exclusive_orders=True`). While already
//!   holding the same side it is ignored (no pyramiding).
//! - **Sizing at the fill.** Units are computed at the fill price from the equity at that
//!   moment (see [`Sizing`]); notional plus entry commission never exceeds
//!   `equity × max_leverage`. With `whole_units` the units are rounded down to an integer; an
//!   entry that cannot afford one unit is skipped and counted in
//!   [`RejectedOrders::insufficient_cash`].
//! - **Protective exits inside the bar.** Stops, trailing stops and take-profits set at entry
//!   are checked in every bar the position is open, starting with the entry bar itself, in
//!   this order:
//!   1. a gap: if the open is already through the stop level the position closes at the open
//!      (less slippage); if the open is already through the target it closes at the open,
//!      which is a better price than the target (a take-profit is a limit order and gets no
//!      slippage);
//!   2. the stop: if the bar's low (long) or high (short) reaches the stop level, the position
//!      closes at the stop level moved by slippage. When the same bar also reaches the
//!      target, the stop still wins: the engine cannot know which came first and assumes the
//!      worse (pessimistic);
//!   3. the target: if the bar's high (long) or low (short) reaches it, the position closes at
//!      exactly the target price.
//! - **Trailing stop update order.** The position tracks its best price (highest high for a
//!   long, lowest low for a short), starting from the entry bar's open. The trailing level
//!   used inside bar `i` is `best price through bar i − 1 ∓ distance`, and it only ever
//!   tightens: after bar `i`'s intrabar checks the best price takes in bar `i`'s high/low, the
//!   strategy may change the distance at bar `i`'s close
//!   ([`Decision::SetTrailingDistance`]), and then the level becomes
//!   `max(previous level, best − distance)` for a long (`min(…, best + distance)` for a
//!   short). The effective stop is the tighter of the fixed stop and the trailing level; the
//!   exit reason is `trailing_stop` when the trailing level is strictly tighter, else `stop`.
//! - **Max hold.** `bars_held` counts bars from the entry bar to the exit bar
//!   (`exit_bar − entry_bar`). A position with `max_hold_bars = N` is closed at the open of
//!   bar `entry_bar + N` (exit reason `max_hold`) unless the strategy itself exits or reverses
//!   at that close, in which case its reason wins. `N = 0` behaves as `N = 1`.
//! - **Costs.** `commission` is a fraction of the notional (`units × fill price`) charged on
//!   each side. Slippage applies to market fills (entries, signal exits, reverses, max-hold
//!   exits, stops once triggered, end-of-data and ruin liquidations), never to take-profit
//!   fills.
//! - **Accounting.** Cash changes by the entry commission at entry and by the gross P&L less
//!   the exit commission at exit (margin-style, as backtesting.py does), so equity at every
//!   close is `cash + units × (close − entry price)` signed by side. Fractional units by
//!   default; long and short alike.
//! - **End of the window.** A position still open at the window's last bar is closed at that
//!   bar's close (less slippage and commission) with exit reason `end_of_data`, so every
//!   trade is in the statistics and final equity equals initial cash plus the sum of trade
//!   P&L. (backtesting.py leaves such a trade out of its statistics unless
//!   `finalize_trades=True`.) The last point of the equity curve is the equity after that
//!   close.
//! - **Ruin.** If equity at a close is zero or below, the position is liquidated at that close
//!   (exit reason `ruin`), the strategy is not asked again, and equity stays flat to the end
//!   of the window.
//! - **Windows.** A backtest runs over bars `[from_bar, to_bar)` of the candles. Features are
//!   computed over the whole dataset, so a window only limits where decisions and fills
//!   happen; equity starts at `initial_cash` just before the window's first bar.
//! - **Chunks.** [`Backtest::run_until`] advances to a bar and stops; the optimizer reads
//!   [`Backtest::metrics_so_far`] at checkpoints and may abandon the run (pruning). Running in
//!   chunks and running in one go are the same loop and give identical results.

/// Execution and cost settings, and the bar window.
pub mod config;
/// The engine loop: [`Backtest`] and [`run`].
pub mod engine;
/// What can go wrong before a backtest starts.
pub mod error;
/// The reference workload: an SMA cross on inline moving averages, for benches and parity.
pub mod reference;
/// Units from a sizing rule, including backtesting.py's "all available cash" arithmetic.
pub mod sizing;
/// The interface strategies implement and the decisions they return.
pub mod strategy;
/// Closed trades and why they closed (the crate-level [`crate::trade`], re-exported).
pub mod trade {
    pub use crate::trade::{ExitReason, Trade};
}

mod position;

pub use config::{BacktestConfig, Recording, Window};
pub use engine::{run, Backtest, BacktestReport, EquityCurve, RejectedOrders};
pub use error::BacktestError;
pub use strategy::{Decision, Entry, ExitRules, Level, PositionView, Side, Sizing, Strategy};
pub use trade::{ExitReason, Trade};

#[cfg(test)]
mod tests;
