//! The open position and its protective exits.

use super::strategy::{ExitRules, Level, Side};
use super::trade::ExitReason;

/// How an intrabar exit fills: stops are market orders once triggered (slippage applies);
/// take-profits are limit orders (no slippage).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum FillKind {
    Market,
    Limit,
}

/// An intrabar exit: raw price (before slippage), reason, fill kind.
pub(super) type IntrabarExit = (f64, ExitReason, FillKind);

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct OpenPosition {
    pub side: Side,
    pub units: f64,
    pub entry_price: f64,
    pub entry_bar_idx: usize,
    pub entry_commission: f64,
    pub stop: Option<f64>,
    pub take_profit: Option<f64>,
    pub trailing_distance: Option<f64>,
    /// The trailing level in force for the next bar's checks.
    pub trail_level: Option<f64>,
    /// Highest high (long) or lowest low (short) since entry, from the entry bar's open.
    /// Read only by a trailing stop, and kept up to date only while the position has
    /// protective exits (the engine's lean loop skips bars of positions without).
    pub best_price: f64,
    pub max_hold_bars: Option<u32>,
    /// Highest and lowest prices seen while the position was open (bar highs and lows and
    /// the fills, from the entry fill on): its run-up and drawdown.
    pub max_high: f64,
    pub min_low: f64,
}

/// Protective levels of an entry, resolved against its fill.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Brackets {
    pub stop: Option<f64>,
    pub take_profit: Option<f64>,
    pub trailing_distance: Option<f64>,
    pub trail_level: Option<f64>,
    /// Distance from the fill to the initial effective stop, for risk sizing.
    pub stop_distance: Option<f64>,
}

impl Brackets {
    /// Resolves exit rules for an entry filled at `fill_price` when the market opened at
    /// `open`. `None` when a value is not finite and positive or a level is on the wrong
    /// side of the open (a long's stop at or above it, its target at or below it).
    pub fn resolve(side: Side, rules: &ExitRules, fill_price: f64, open: f64) -> Option<Brackets> {
        let sign = side.sign();
        let stop = match rules.stop {
            None => None,
            Some(Level::Price(price)) => Some(finite(price)?),
            Some(Level::Distance(distance)) => Some(fill_price - sign * positive(distance)?),
        };
        let take_profit = match rules.take_profit {
            None => None,
            Some(Level::Price(price)) => Some(finite(price)?),
            Some(Level::Distance(distance)) => Some(fill_price + sign * positive(distance)?),
        };
        let trailing_distance = match rules.trailing_distance {
            None => None,
            Some(distance) => Some(positive(distance)?),
        };
        let trail_level = trailing_distance.map(|distance| open - sign * distance);
        // A stop must sit strictly on the losing side of the open, a target strictly on the
        // winning side; anything else would fill at once and is treated as a mistake.
        let is_losing_side = |level: f64| sign * (open - level) > 0.0;
        let is_winning_side = |level: f64| sign * (level - open) > 0.0;
        if stop.is_some_and(|level| !is_losing_side(level))
            || take_profit.is_some_and(|level| !is_winning_side(level))
        {
            return None;
        }
        let effective = tighter(side, stop, trail_level);
        let stop_distance = effective.map(|level| sign * (fill_price - level));
        Some(Brackets {
            stop,
            take_profit,
            trailing_distance,
            trail_level,
            stop_distance,
        })
    }
}

impl OpenPosition {
    /// True when some exit can close the position without a decision: a stop, a target, a
    /// trailing stop or a max hold. Without one, the best price is never read.
    pub fn has_protective_exits(&self) -> bool {
        self.stop.is_some()
            || self.take_profit.is_some()
            || self.trailing_distance.is_some()
            || self.max_hold_bars.is_some()
    }

    /// The effective stop level for the current bar and the reason it would give.
    pub fn effective_stop(&self) -> Option<(f64, ExitReason)> {
        match (self.stop, self.trail_level) {
            (Some(stop), Some(trail)) if self.is_tighter(trail, stop) => {
                Some((trail, ExitReason::TrailingStop))
            }
            (Some(stop), _) => Some((stop, ExitReason::Stop)),
            (None, Some(trail)) => Some((trail, ExitReason::TrailingStop)),
            (None, None) => None,
        }
    }

    /// The protective exit this bar triggers, if any, in the documented order: gap through
    /// the stop, gap through the target, stop, target.
    pub fn intrabar_exit(&self, open: f64, high: f64, low: f64) -> Option<IntrabarExit> {
        let stop = self.effective_stop();
        let (adverse_extreme, favourable_extreme) = match self.side {
            Side::Long => (low, high),
            Side::Short => (high, low),
        };
        let sign = self.side.sign();
        // A long's stop is hit at or below its level, a short's at or above; targets the
        // other way round.
        let hits_stop = |level: f64, price: f64| sign * (price - level) <= 0.0;
        let hits_target = |level: f64, price: f64| sign * (price - level) >= 0.0;
        if let Some((level, reason)) = stop {
            if hits_stop(level, open) {
                return Some((open, reason, FillKind::Market));
            }
        }
        if let Some(target) = self.take_profit {
            if hits_target(target, open) {
                return Some((open, ExitReason::TakeProfit, FillKind::Limit));
            }
        }
        if let Some((level, reason)) = stop {
            if hits_stop(level, adverse_extreme) {
                return Some((level, reason, FillKind::Market));
            }
        }
        if let Some(target) = self.take_profit {
            if hits_target(target, favourable_extreme) {
                return Some((target, ExitReason::TakeProfit, FillKind::Limit));
            }
        }
        None
    }

    /// Takes in a bar the position survived: the best price moves with its high (long) or
    /// low (short), and so do the excursions.
    pub fn observe_bar(&mut self, high: f64, low: f64) {
        self.best_price = match self.side {
            Side::Long => self.best_price.max(high),
            Side::Short => self.best_price.min(low),
        };
        self.observe_range(high, low);
    }

    /// Takes in the extremes of a stretch the position was open through (a bar's high and
    /// low, or a fill price twice). A plain compare, so the lean loop pays two instructions.
    #[inline]
    pub fn observe_range(&mut self, high: f64, low: f64) {
        if high > self.max_high {
            self.max_high = high;
        }
        if low < self.min_low {
            self.min_low = low;
        }
    }

    /// Largest favourable and adverse moves from the entry price while open, both at least
    /// 0: `(run-up, drawdown)` per unit.
    pub fn excursions(&self) -> (f64, f64) {
        let up = self.max_high - self.entry_price;
        let down = self.entry_price - self.min_low;
        match self.side {
            Side::Long => (up, down),
            Side::Short => (down, up),
        }
    }

    /// The ruin price as bounds on a bar's low and high: a long is ruined when the low is at
    /// or below the first, a short when the high is at or above the second (the other bound
    /// is never reached).
    pub fn ruin_bounds(&self, cash: f64) -> (f64, f64) {
        let ruin_price = self.ruin_price(cash);
        match self.side {
            Side::Long => (ruin_price, f64::INFINITY),
            Side::Short => (f64::NEG_INFINITY, ruin_price),
        }
    }

    /// The price at which equity (`cash` plus this position's unrealised P&L) is zero; the
    /// engine liquidates there (see the ruin rule).
    pub fn ruin_price(&self, cash: f64) -> f64 {
        self.entry_price - cash / self.signed_units()
    }

    /// True when `price` is at or through the ruin price on the losing side.
    #[inline]
    pub fn is_through(&self, ruin_price: f64, price: f64) -> bool {
        self.side.sign() * (price - ruin_price) <= 0.0
    }

    /// Moves the trailing level to `best ∓ distance` if that is tighter.
    pub fn tighten_trail(&mut self) {
        if let (Some(distance), Some(level)) = (self.trailing_distance, self.trail_level) {
            let candidate = self.best_price - self.side.sign() * distance;
            if self.is_tighter(candidate, level) {
                self.trail_level = Some(candidate);
            }
        }
    }

    /// `a` is closer to the market than `b` on the protective side.
    fn is_tighter(&self, a: f64, b: f64) -> bool {
        self.side.sign() * (a - b) > 0.0
    }

    /// `units` signed by side.
    pub fn signed_units(&self) -> f64 {
        self.side.sign() * self.units
    }

    /// Unrealised P&L at `price`, in backtesting.py's operation order
    /// (`price × size − size × entry`).
    pub fn unrealised_pnl(&self, price: f64) -> f64 {
        let size = self.signed_units();
        price * size - size * self.entry_price
    }
}

fn tighter(side: Side, a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if side.sign() * (a - b) > 0.0 { a } else { b }),
        (a, None) => a,
        (None, b) => b,
    }
}

fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

fn positive(value: f64) -> Option<f64> {
    (value.is_finite() && value > 0.0).then_some(value)
}
