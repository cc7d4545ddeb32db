//! The bar loop. See the [module documentation](super) for the execution rules it follows.

use serde::{Deserialize, Serialize};

use super::config::{BacktestConfig, Recording, Window};
use super::error::BacktestError;
use super::position::{Brackets, FillKind, OpenPosition};
use super::sizing::{self, SizingInputs, SizingRejection};
use super::strategy::{Decision, Entry, PositionView, Side, Strategy};
use super::trade::{ExitReason, Trade};
use crate::data::Candles;
use crate::metrics::{
    AnnualisationReport, EquityStats, Metrics, MetricsContext, PeriodReturns, ReturnBlocks,
    ReturnSums,
};

/// Entries the engine could not carry out, by cause. A strategy that never trades usually
/// shows up here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectedOrders {
    /// Entries skipped because the equity could not buy one unit (whole units) or was not
    /// positive.
    pub insufficient_cash: usize,
    /// Entries or trailing updates with a parameter that was not finite and positive, a
    /// stop or target on the wrong side of the open, or risk sizing without a stop.
    pub invalid: usize,
}

/// The equity and drawdown at every close of the window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EquityCurve {
    /// Bar index of the first point; point `k` is the close of bar `first_bar_idx + k`.
    pub first_bar_idx: usize,
    /// Equity marked to market at each close (the last point after the end-of-data close).
    pub equity: Vec<f64>,
    /// Drawdown at each close, a positive fraction below the running peak.
    pub drawdown: Vec<f64>,
}

/// Where and how a run was ruined.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ruin {
    /// The bar in which equity reached zero.
    pub bar_idx: usize,
    /// Its open time (UTC ms).
    pub ts_ms: i64,
    /// The liquidation price: where equity was zero, or the bar's open on a gap through it.
    pub price: f64,
    /// True when the bar opened through that price.
    pub is_gap: bool,
}

/// Everything a finished backtest produced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BacktestReport {
    pub window: Window,
    /// The first bar at which the strategy was asked: `max(window start, warm-up)`.
    pub first_decision_bar: usize,
    pub trades: Vec<Trade>,
    /// `None` when run with [`Recording::MetricsOnly`].
    pub equity_curve: Option<EquityCurve>,
    pub metrics: Metrics,
    pub rejected_orders: RejectedOrders,
    /// Bars the strategy needs before its first decision (an absolute index: features are
    /// computed over the whole dataset, so bars before the window count). When its
    /// indicators never become valid on the data, the data's length.
    pub warm_up_bars: usize,
    /// Set when equity reached zero and the run stopped.
    pub ruin: Option<Ruin>,
    /// Plain sentences a reader must see beside the figures: a window shorter than the
    /// warm-up, a ruin.
    pub notes: Vec<String>,
    /// The per-bar returns summed per block, with [`Recording::MetricsAndBlocks`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_sums: Option<ReturnSums>,
}

/// Runs a whole window in one go.
pub fn run<S: Strategy>(
    candles: &Candles,
    config: &BacktestConfig,
    window: Window,
    strategy: S,
    recording: Recording,
) -> Result<BacktestReport, BacktestError> {
    Ok(Backtest::new(candles, config, window, strategy, recording)?.finish())
}

/// A backtest in progress. Build it with [`Backtest::new`], advance it with
/// [`Backtest::run_until`] (as often as you like) and end it with [`Backtest::finish`].
pub struct Backtest<'c, S> {
    ts_ms: &'c [i64],
    open: &'c [f64],
    high: &'c [f64],
    low: &'c [f64],
    close: &'c [f64],
    timeframe_ms: i64,
    annualisation: AnnualisationReport,
    config: BacktestConfig,
    slippage_frac: f64,
    window: Window,
    strategy: S,
    recording: Recording,
    first_decision_bar: usize,
    next_bar_idx: usize,
    cash: f64,
    position: Option<OpenPosition>,
    pending_exit: Option<ExitReason>,
    pending_entry: Option<Entry>,
    trades: Vec<Trade>,
    equity: Vec<f64>,
    drawdown: Vec<f64>,
    stats: EquityStats,
    /// Equity at each day's last close, for backtesting.py's yearly figures. Kept apart
    /// from `stats`, which the lean loop copies into registers and back at every stretch.
    periods: PeriodReturns,
    /// Per-block return sums (disabled unless recorded), also kept apart from `stats`.
    blocks: ReturnBlocks,
    rejected: RejectedOrders,
    is_ruined: bool,
    ruin: Option<Ruin>,
    /// How notes name the strategy.
    strategy_name: &'static str,
    /// Whether quiet bars take the lean loop; tests turn it off to hold both paths equal.
    is_quiet_path_enabled: bool,
}

impl<'c, S: Strategy> Backtest<'c, S> {
    /// Checks the config and the window and sets up a run; nothing can fail after this.
    pub fn new(
        candles: &'c Candles,
        config: &BacktestConfig,
        window: Window,
        strategy: S,
        recording: Recording,
    ) -> Result<Backtest<'c, S>, BacktestError> {
        config.validate()?;
        let window = window.checked(candles)?;
        let first_decision_bar = strategy.first_decision_bar().max(window.from_bar);
        let n_points = if recording.is_full() { window.len() } else { 0 };
        let start_time_ms = candles.ts_ms()[window.from_bar];
        // The calendar is read from the data up to the window's end, never past it: a window
        // gives the same result as the data cut at its end.
        let annualisation = config
            .annualisation
            .report(&candles.ts_ms()[..window.to_bar], candles.timeframe_ms());
        Ok(Backtest {
            ts_ms: candles.ts_ms(),
            open: candles.open(),
            high: candles.high(),
            low: candles.low(),
            close: candles.close(),
            timeframe_ms: candles.timeframe_ms(),
            annualisation,
            config: config.clone(),
            slippage_frac: config.slippage_frac(),
            window,
            strategy,
            recording,
            first_decision_bar,
            next_bar_idx: window.from_bar,
            cash: config.initial_cash,
            position: None,
            pending_exit: None,
            pending_entry: None,
            // Round trips are rarely more than one per eight bars; the vector grows (by
            // doubling) only for strategies that trade more often.
            trades: Vec::with_capacity((window.len() / 8).clamp(8, 4096)),
            equity: Vec::with_capacity(n_points),
            drawdown: Vec::with_capacity(n_points),
            stats: EquityStats::new(config.initial_cash, start_time_ms),
            periods: PeriodReturns::new(annualisation.calendar.is_daily()),
            blocks: ReturnBlocks::new(recording.return_blocks(), window.len(), config.initial_cash),
            rejected: RejectedOrders::default(),
            is_ruined: false,
            ruin: None,
            strategy_name: "the strategy",
            is_quiet_path_enabled: true,
        })
    }

    /// The same backtest with `name` in its notes ("genesis needs 250 bars of warm-up").
    pub fn with_strategy_name(mut self, name: &'static str) -> Self {
        self.strategy_name = name;
        self
    }

    /// The same backtest with every bar through the full step: the reference the lean loop
    /// is tested against.
    #[cfg(test)]
    pub(crate) fn without_quiet_path(mut self) -> Self {
        self.is_quiet_path_enabled = false;
        self
    }

    /// Processes every bar before `bar_idx` (clamped to the window) not yet processed.
    pub fn run_until(&mut self, bar_idx: usize) {
        let end = bar_idx.min(self.window.to_bar);
        while self.next_bar_idx < end {
            if self.recording.is_full() {
                self.run_quiet_bars::<true>(end);
            } else {
                self.run_quiet_bars::<false>(end);
            }
            if self.next_bar_idx < end {
                self.step(self.next_bar_idx);
                self.next_bar_idx += 1;
            }
        }
    }

    /// The next bar to process; equals the window's end once everything ran.
    pub fn next_bar_idx(&self) -> usize {
        self.next_bar_idx
    }

    pub fn is_done(&self) -> bool {
        self.next_bar_idx >= self.window.to_bar
    }

    pub fn window(&self) -> Window {
        self.window
    }

    /// Trades closed so far.
    pub fn trades(&self) -> &[Trade] {
        &self.trades
    }

    pub fn strategy(&self) -> &S {
        &self.strategy
    }

    /// Metrics of the bars processed so far: closed trades only, equity marked to market at
    /// the last processed close (an open position counts through its unrealised P&L). This
    /// is what a pruner reads at a checkpoint.
    pub fn metrics_so_far(&self) -> Metrics {
        let last_bar = self
            .next_bar_idx
            .checked_sub(1)
            .filter(|&bar| bar >= self.window.from_bar);
        let (buy_and_hold_return, elapsed_ms) = match last_bar {
            Some(last) => (
                self.buy_and_hold_return(last),
                self.ts_ms[last] - self.ts_ms[self.window.from_bar],
            ),
            None => (0.0, 0),
        };
        Metrics::compute(
            &self.stats,
            &self.trades,
            MetricsContext {
                annualisation: self.annualisation,
                elapsed_ms,
                annual: self.periods.annual(self.annualisation.days_per_year),
                buy_and_hold_return,
                is_ruined: self.is_ruined,
            },
        )
    }

    /// Runs the rest of the window and returns the report.
    pub fn finish(mut self) -> BacktestReport {
        self.run_until(self.window.to_bar);
        let metrics = self.metrics_so_far();
        let notes = self.notes();
        let equity_curve = self.recording.is_full().then_some(EquityCurve {
            first_bar_idx: self.window.from_bar,
            equity: self.equity,
            drawdown: self.drawdown,
        });
        BacktestReport {
            window: self.window,
            first_decision_bar: self.first_decision_bar,
            trades: self.trades,
            equity_curve,
            metrics,
            rejected_orders: self.rejected,
            warm_up_bars: self.strategy.first_decision_bar(),
            ruin: self.ruin,
            notes,
            return_sums: self.blocks.into_sums(),
        }
    }

    /// The sentences of [`BacktestReport::notes`].
    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        let warm_up = self.strategy.first_decision_bar();
        // A decision at the window's last bar could never fill, so a strategy that cannot
        // decide before it never trades.
        if warm_up + 1 >= self.window.to_bar {
            let before = if self.window.from_bar > 0 {
                format!(
                    " (counting the {} bars before the window; the window itself has {})",
                    self.window.from_bar,
                    self.window.len()
                )
            } else {
                String::new()
            };
            // A strategy whose indicators never become valid on this data reports the data's
            // length: its true need is more than that.
            let need = if warm_up >= self.close.len() {
                format!("more than {}", self.close.len())
            } else {
                warm_up.to_string()
            };
            notes.push(format!(
                "{} needs {need} bars of warm-up; this window has {}{before}, so it cannot trade",
                self.strategy_name, self.window.to_bar
            ));
        }
        if let Some(ruin) = self.ruin {
            let how = if ruin.is_gap {
                "the bar opened through the price where equity is zero, so the position was liquidated at the open"
            } else {
                "the position was liquidated at the price where equity is zero"
            };
            notes.push(format!(
                "ruin: equity reached zero in bar {} (opening {}); {how} ({}), and the run stopped",
                ruin.bar_idx,
                crate::data::timestamp::format_iso_ms(ruin.ts_ms),
                ruin.price
            ));
        }
        notes.extend(self.strategy.notes());
        notes
    }

    /// Buy and hold over the window: its last close over its first close, minus 1 (the
    /// equity chart's benchmark line, independent of the strategy's warm-up).
    fn buy_and_hold_return(&self, last_bar: usize) -> f64 {
        self.close[last_bar] / self.close[self.window.from_bar] - 1.0
    }

    /// True when the next bar needs no fill and no intrabar check: no order is pending and
    /// the position, if any, has no protective exit. Most bars of most strategies are quiet.
    fn is_quiet(&self) -> bool {
        self.is_quiet_path_enabled
            && !self.is_ruined
            && self.pending_exit.is_none()
            && self.pending_entry.is_none()
            && self
                .position
                .as_ref()
                .is_none_or(|position| !position.has_protective_exits())
    }

    /// Runs quiet bars before `end` in a lean loop and stops at the first bar that needs the
    /// full [`Self::step`]: one after a decision that placed an order, one whose close would
    /// ruin the account, or the window's last bar. On a quiet bar the full step reduces to
    /// exactly what this loop does (mark to market, statistics, decision), so results are
    /// the same to the bit; cash and the position cannot change inside the loop, and the
    /// statistics live in a local so they stay in registers.
    ///
    /// `IS_RECORDING` is the recording mode as a constant: without the series' pushes (and
    /// their possible reallocation) the compiler can keep the strategy's column handles in
    /// registers across bars.
    fn run_quiet_bars<const IS_RECORDING: bool>(&mut self, end: usize) {
        // The window's last bar closes any open position, so it always takes the full step.
        let end = end.min(self.window.to_bar - 1);
        let start = self.next_bar_idx;
        if start >= end || !self.is_quiet() {
            return;
        }
        let cash = self.cash;
        let position = self.position;
        let is_in_market = position.is_some();
        // The open position's price extremes in registers: updating the position in memory
        // every bar would put a store and a reload on the loop's critical path.
        let (mut max_high, mut min_low) = position.map_or((f64::NAN, f64::NAN), |position| {
            (position.max_high, position.min_low)
        });
        // The price at which equity would be zero, as bounds on the bar's low and high
        // (unreachable when flat).
        let (ruin_low, ruin_high) =
            position.map_or((f64::NEG_INFINITY, f64::INFINITY), |p| p.ruin_bounds(cash));
        // Loop invariants in locals: the compiler cannot tell that the vector pushes below
        // leave them alone.
        let timeframe_ms = self.timeframe_ms;
        let first_decision_bar = self.first_decision_bar;
        let mut stats = self.stats;
        let mut bar_idx = start;
        let bars = self.close[start..end]
            .iter()
            .zip(&self.ts_ms[start..end])
            .zip(self.high[start..end].iter().zip(&self.low[start..end]));
        for ((&close, &ts_ms), (&high, &low)) in bars {
            let equity = match &position {
                Some(position) => {
                    // A bar reaching the ruin price needs the full step to liquidate there.
                    if low <= ruin_low || high >= ruin_high {
                        break;
                    }
                    max_high = if high > max_high { high } else { max_high };
                    min_low = if low < min_low { low } else { min_low };
                    cash + position.unrealised_pnl(close)
                }
                None => cash,
            };
            if equity <= 0.0 {
                break;
            }
            stats.push(equity, ts_ms + timeframe_ms, is_in_market);
            self.periods.push(ts_ms, equity);
            self.blocks.push(equity);
            if IS_RECORDING {
                self.equity.push(equity);
                self.drawdown.push(stats.drawdown().drawdown_of(equity));
            }
            // The bar is done; an order placed at its close stops the loop after it.
            let decided_bar_idx = bar_idx;
            bar_idx += 1;
            if decided_bar_idx >= first_decision_bar {
                let view = self.view(decided_bar_idx, equity);
                let decision = self.strategy.decide(decided_bar_idx, &view);
                if !matches!(decision, Decision::Hold) {
                    self.apply(decision);
                    if self.pending_exit.is_some() || self.pending_entry.is_some() {
                        break;
                    }
                }
            }
        }
        self.stats = stats;
        self.next_bar_idx = bar_idx;
        // Only the extremes changed inside the loop (a decision cannot touch a position
        // without protective exits before the next fill).
        if let Some(position) = self.position.as_mut() {
            position.observe_range(max_high, min_low);
        }
    }

    fn step(&mut self, bar_idx: usize) {
        let open = self.open[bar_idx];
        let high = self.high[bar_idx];
        let low = self.low[bar_idx];
        let close = self.close[bar_idx];

        // Orders decided at the previous close fill at this open: the exit first, so a
        // reverse sizes its new position from the cash the exit left.
        // A gap through the price where equity is zero liquidates before any order fills.
        let mut is_in_market = self.position.is_some();
        let is_gap_ruin = self
            .position
            .as_ref()
            .is_some_and(|position| position.is_through(position.ruin_price(self.cash), open));
        if is_gap_ruin {
            self.liquidate(bar_idx, open, true);
        }
        if let Some(reason) = self.pending_exit.take() {
            self.close_at_market(bar_idx, open, reason);
        }
        if let Some(entry) = self.pending_entry.take() {
            self.open_position(bar_idx, entry, open);
        }
        is_in_market |= self.position.is_some();

        if let Some((price, is_gap)) = self.ruin_fill(open, high, low) {
            self.liquidate(bar_idx, price, is_gap);
        } else {
            let intrabar_exit = self
                .position
                .as_ref()
                .and_then(|position| position.intrabar_exit(open, high, low));
            match intrabar_exit {
                Some((price, reason, FillKind::Market)) => {
                    self.close_at_market(bar_idx, price, reason)
                }
                Some((price, reason, FillKind::Limit)) => {
                    self.close_position(bar_idx, price, reason)
                }
                None => {
                    if let Some(position) = self.position.as_mut() {
                        position.observe_bar(high, low);
                    }
                }
            }
        }

        let mut equity = self.equity_at(close);
        if equity <= 0.0 && !self.is_ruined {
            // Only reachable through rounding at the ruin price: liquidate at this close.
            if self.position.is_some() {
                self.liquidate(bar_idx, close, false);
            } else {
                self.is_ruined = true;
                self.pending_entry = None;
            }
            equity = self.cash;
        }
        let is_last_bar = bar_idx + 1 == self.window.to_bar;
        if is_last_bar && self.position.is_some() {
            // Still open at the end: valued at the last close, as backtesting.py and
            // TradingView value an open trade. Nothing is sold, so no slippage and no exit
            // commission; `equity` above is already that value.
            self.close_position(bar_idx, close, ExitReason::EndOfData);
            equity = self.cash;
        }
        let close_time_ms = self.ts_ms[bar_idx] + self.timeframe_ms;
        self.stats.push(equity, close_time_ms, is_in_market);
        self.periods.push(self.ts_ms[bar_idx], equity);
        self.blocks.push(equity);
        if self.recording.is_full() {
            self.equity.push(equity);
            self.drawdown
                .push(self.stats.drawdown().drawdown_of(equity));
        }

        if self.is_ruined || is_last_bar {
            return;
        }
        // The trailing level for the next bar from the best price through this one, so the
        // strategy sees the stop that will be in force; tightened again below in case the
        // decision changes the distance.
        if let Some(position) = self.position.as_mut() {
            position.tighten_trail();
        }
        if bar_idx >= self.first_decision_bar {
            let view = self.view(bar_idx, equity);
            let decision = self.strategy.decide(bar_idx, &view);
            self.apply(decision);
        }
        if let Some(position) = self.position.as_mut() {
            let is_max_hold_due = position
                .max_hold_bars
                .is_some_and(|max| bar_idx + 1 - position.entry_bar_idx >= max.max(1) as usize);
            if is_max_hold_due && self.pending_exit.is_none() {
                self.pending_exit = Some(ExitReason::MaxHold);
            }
            position.tighten_trail();
        }
    }

    fn apply(&mut self, decision: Decision) {
        match decision {
            Decision::Hold => {}
            Decision::Exit => {
                if self.position.is_some() {
                    self.pending_exit = Some(ExitReason::Signal);
                }
            }
            Decision::Enter(entry) => match self.position.map(|position| position.side) {
                None => self.pending_entry = Some(entry),
                Some(side) if side == entry.side => {}
                Some(_) => {
                    self.pending_exit = Some(ExitReason::Reverse);
                    self.pending_entry = Some(entry);
                }
            },
            Decision::SetTrailingDistance(distance) => {
                if let Some(position) = self.position.as_mut() {
                    if position.trailing_distance.is_some() {
                        if distance.is_finite() && distance > 0.0 {
                            position.trailing_distance = Some(distance);
                        } else {
                            self.rejected.invalid += 1;
                        }
                    }
                }
            }
        }
    }

    fn view(&self, bar_idx: usize, equity: f64) -> PositionView {
        match &self.position {
            None => PositionView {
                side: None,
                units: 0.0,
                entry_price: 0.0,
                entry_bar_idx: 0,
                bars_held: 0,
                stop_price: None,
                take_profit_price: None,
                cash: self.cash,
                equity,
            },
            Some(position) => PositionView {
                side: Some(position.side),
                units: position.units,
                entry_price: position.entry_price,
                entry_bar_idx: position.entry_bar_idx,
                bars_held: bar_idx + 1 - position.entry_bar_idx,
                stop_price: position.effective_stop().map(|(level, _)| level),
                take_profit_price: position.take_profit,
                cash: self.cash,
                equity,
            },
        }
    }

    /// Where the open position must be liquidated for ruin in this bar, if anywhere: at the
    /// open when it is already through the price where equity is zero, else at that price
    /// when the bar reaches it before a stop does (a stop tighter than the ruin price is
    /// hit first on the way down; a take-profit in the same bar is assumed to come later,
    /// the pessimistic order the stop rule also follows). `(price, is_gap)`.
    fn ruin_fill(&self, open: f64, high: f64, low: f64) -> Option<(f64, bool)> {
        let position = self.position.as_ref()?;
        let ruin_price = position.ruin_price(self.cash);
        if position.is_through(ruin_price, open) {
            return Some((open, true));
        }
        let adverse = match position.side {
            Side::Long => low,
            Side::Short => high,
        };
        if !position.is_through(ruin_price, adverse) {
            return None;
        }
        let is_stop_first = position
            .effective_stop()
            .is_some_and(|(level, _)| !position.is_through(ruin_price, level));
        (!is_stop_first).then_some((ruin_price, false))
    }

    /// Closes the position for ruin at `price` (no slippage: it is the price at which the
    /// account is empty, or the open it gapped to) and stops the run. The account is empty
    /// and a cash account cannot owe: equity ends at exactly zero, and the trade's loss is
    /// what the account held (a gap's loss beyond it, the exit commission, and rounding at
    /// the ruin price are not carried).
    fn liquidate(&mut self, bar_idx: usize, price: f64, is_gap: bool) {
        self.close_position(bar_idx, price, ExitReason::Ruin);
        if !self.is_ruined {
            self.empty_account(bar_idx, price, is_gap);
        } else if let Some(ruin) = self.ruin.as_mut() {
            ruin.is_gap = is_gap;
        }
    }

    /// Ends the run with an empty account after the trade just closed at `price`: its loss
    /// is capped at what the account held, equity is exactly zero, and nothing more trades.
    fn empty_account(&mut self, bar_idx: usize, price: f64, is_gap: bool) {
        if let Some(trade) = self.trades.last_mut() {
            trade.pnl -= self.cash;
            trade.return_frac = trade.pnl / (trade.units * trade.entry_price);
        }
        self.cash = 0.0;
        self.is_ruined = true;
        self.pending_entry = None;
        self.pending_exit = None;
        self.ruin = Some(Ruin {
            bar_idx,
            ts_ms: self.ts_ms[bar_idx],
            price,
            is_gap,
        });
    }

    fn equity_at(&self, price: f64) -> f64 {
        match &self.position {
            Some(position) => self.cash + position.unrealised_pnl(price),
            None => self.cash,
        }
    }

    /// `price` moved against the trader: up for a buy, down for a sell.
    fn slipped(&self, is_buy: bool, price: f64) -> f64 {
        if is_buy {
            price * (1.0 + self.slippage_frac)
        } else {
            price * (1.0 - self.slippage_frac)
        }
    }

    fn open_position(&mut self, bar_idx: usize, entry: Entry, open: f64) {
        if self.position.is_some() {
            return;
        }
        let fill_price = self.slipped(entry.side == Side::Long, open);
        let Some(brackets) = Brackets::resolve(entry.side, &entry.exits, fill_price, open) else {
            self.rejected.invalid += 1;
            return;
        };
        let inputs = SizingInputs {
            equity: self.cash,
            fill_price,
            commission: self.config.commission,
            max_leverage: self.config.max_leverage,
            whole_units: self.config.whole_units,
            stop_distance: brackets.stop_distance,
        };
        let units = match sizing::units(entry.sizing, &inputs) {
            Ok(units) => units,
            Err(SizingRejection::InsufficientCash) => {
                self.rejected.insufficient_cash += 1;
                return;
            }
            Err(SizingRejection::Invalid) => {
                self.rejected.invalid += 1;
                return;
            }
        };
        let entry_commission = units * fill_price * self.config.commission;
        self.cash -= entry_commission;
        self.position = Some(OpenPosition {
            side: entry.side,
            units,
            entry_price: fill_price,
            entry_bar_idx: bar_idx,
            entry_commission,
            stop: brackets.stop,
            take_profit: brackets.take_profit,
            trailing_distance: brackets.trailing_distance,
            trail_level: brackets.trail_level,
            best_price: open,
            max_hold_bars: entry.exits.max_hold_bars,
            max_high: fill_price,
            min_low: fill_price,
        });
    }

    /// Closes at `price` moved by slippage (a market order or a triggered stop).
    fn close_at_market(&mut self, bar_idx: usize, price: f64, reason: ExitReason) {
        if let Some(position) = &self.position {
            let is_buy = position.side == Side::Short;
            let fill_price = self.slipped(is_buy, price);
            self.close_position(bar_idx, fill_price, reason);
        }
    }

    fn close_position(&mut self, bar_idx: usize, fill_price: f64, reason: ExitReason) {
        let Some(mut position) = self.position.take() else {
            return;
        };
        position.observe_range(fill_price, fill_price);
        let (run_up, drawdown) = position.excursions();
        // backtesting.py's operations: gross P&L `size × (exit − entry)` and exit commission
        // `|size| × exit × rate` go to cash; the trade's P&L also subtracts the entry
        // commission, which left cash at entry.
        let gross_pnl = position.signed_units() * (fill_price - position.entry_price);
        let exit_commission = if reason == ExitReason::EndOfData {
            0.0
        } else {
            position.units * fill_price * self.config.commission
        };
        self.cash += gross_pnl - exit_commission;
        let pnl = gross_pnl - (exit_commission + position.entry_commission);
        self.trades.push(Trade {
            side: position.side,
            units: position.units,
            entry_bar_idx: position.entry_bar_idx,
            entry_ts_ms: self.ts_ms[position.entry_bar_idx],
            entry_price: position.entry_price,
            exit_bar_idx: bar_idx,
            exit_ts_ms: self.ts_ms[bar_idx],
            exit_price: fill_price,
            entry_commission: position.entry_commission,
            exit_commission,
            pnl,
            return_frac: pnl / (position.units * position.entry_price),
            bars_held: bar_idx - position.entry_bar_idx,
            exit_reason: reason,
            run_up: position.units * run_up,
            run_up_frac: run_up / position.entry_price,
            drawdown: position.units * drawdown,
            drawdown_frac: drawdown / position.entry_price,
        });
        // Any close that leaves nothing (a stop or exit filled past the ruin price on a gap,
        // with slippage and commission) is a ruin too: a cash account cannot owe.
        if self.cash <= 0.0 {
            self.empty_account(bar_idx, fill_price, false);
        }
    }
}
