//! The interface between a strategy and the engine.
//!
//! A strategy owns whatever it reads (feature columns, candles, parameters) and answers one
//! question per bar: given the position, what now? The engine owns cash, sizing, fills and
//! protective exits. Everything here is `Copy`, so the per-bar exchange allocates nothing.

pub use crate::trade::Side;

/// A strategy the engine drives bar by bar.
///
/// The engine calls [`Strategy::decide`] once per bar at the bar's close, in increasing bar
/// order, from `max(window start, first_decision_bar())` to the window's second-to-last bar.
/// A decision at bar `i` must depend only on data up to bar `i`'s close; the property tests
/// check this for the engine by running a prefix of the data and the whole of it.
pub trait Strategy {
    /// The first bar at which the strategy can decide (its warm-up: for example the bar at
    /// which its slowest feature is first defined, as an absolute index into the candles).
    fn first_decision_bar(&self) -> usize;

    /// The decision at the close of `bar_idx`, given the position as it stands then.
    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision;

    /// Sentences about the run the strategy wants in the report's notes (entries it could
    /// not take, and why). Called once, when the run ends.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

impl<S: Strategy + ?Sized> Strategy for &mut S {
    fn first_decision_bar(&self) -> usize {
        (**self).first_decision_bar()
    }
    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision {
        (**self).decide(bar_idx, position)
    }
    fn notes(&self) -> Vec<String> {
        (**self).notes()
    }
}

/// What to do at the next open.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    /// Nothing.
    Hold,
    /// Open a position at the next open. While holding the opposite side this is a reverse
    /// (close, then open the other side at the same open); while holding the same side it is
    /// ignored.
    Enter(Entry),
    /// Close the position at the next open (exit reason `signal`). Ignored when flat.
    Exit,
    /// Replace the open position's trailing distance (price units) from the next bar on. The
    /// trailing level still only tightens. Ignored when flat or when the position has no
    /// trailing stop; a non-finite or non-positive distance is counted as an invalid order.
    SetTrailingDistance(f64),
}

/// A new position: side, size and the exits that travel with it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Entry {
    pub side: Side,
    pub sizing: Sizing,
    pub exits: ExitRules,
}

impl Entry {
    /// An entry of the given side and sizing with no protective exits.
    pub fn new(side: Side, sizing: Sizing) -> Entry {
        Entry {
            side,
            sizing,
            exits: ExitRules::NONE,
        }
    }

    pub fn with_exits(mut self, exits: ExitRules) -> Entry {
        self.exits = exits;
        self
    }
}

/// How many units an entry buys or sells, computed at the fill from the equity at that
/// moment (after closing any position being reversed). The result is always capped so that
/// notional plus entry commission stays within `equity × max_leverage`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sizing {
    /// Notional = fraction × equity. `0.5` puts half the equity in the position.
    EquityFraction(f64),
    /// Units = fraction × equity / stop distance, so that being stopped out loses about that
    /// fraction of equity (before costs and gaps). The stop distance is the distance from the
    /// fill price to the initial effective stop (fixed stop or trailing level); an entry with
    /// neither is invalid.
    RiskFraction(f64),
    /// All the equity the leverage cap allows, with commission accounted for: backtesting.py's
    /// default `buy()`/`sell()` size, reproduced to the bit (see [`super::sizing`]).
    AllIn,
    /// A fixed number of units (still capped and, with `whole_units`, rounded down).
    Units(f64),
}

/// A price level given either absolutely or as a distance from the entry fill price.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Level {
    /// An absolute price.
    Price(f64),
    /// A distance in price units from the entry fill price: below it for a long's stop and
    /// a short's target, above it for a long's target and a short's stop.
    Distance(f64),
}

/// Exits fixed at entry. All optional; a value that is not finite and positive makes the
/// entry invalid (it is skipped and counted), so a NaN feature can never open an unprotected
/// position by accident.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ExitRules {
    pub stop: Option<Level>,
    pub take_profit: Option<Level>,
    /// Trailing distance in price units from the best price reached (for example
    /// ATR × multiplier at the entry decision).
    pub trailing_distance: Option<f64>,
    /// Close at the open `max_hold_bars` bars after the entry bar.
    pub max_hold_bars: Option<u32>,
}

impl ExitRules {
    pub const NONE: ExitRules = ExitRules {
        stop: None,
        take_profit: None,
        trailing_distance: None,
        max_hold_bars: None,
    };
}

impl Default for ExitRules {
    fn default() -> Self {
        ExitRules::NONE
    }
}

/// The account as the strategy sees it at a bar's close.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PositionView {
    /// `None` when flat.
    pub side: Option<Side>,
    /// Units held (positive for either side; 0 when flat).
    pub units: f64,
    /// Fill price of the entry (0 when flat).
    pub entry_price: f64,
    /// Bar of the entry fill (0 when flat).
    pub entry_bar_idx: usize,
    /// Bars the position will have been held if it closes at the next open
    /// (`bar_idx + 1 − entry_bar_idx`; 0 when flat). Max hold triggers when this reaches
    /// `max_hold_bars`.
    pub bars_held: usize,
    /// The effective protective stop for the next bar (the tighter of the fixed stop and the
    /// trailing level, before this decision changes the trailing distance), if any.
    pub stop_price: Option<f64>,
    pub take_profit_price: Option<f64>,
    /// Cash after realised P&L and commissions so far.
    pub cash: f64,
    /// Cash plus the open position's unrealised P&L at this close.
    pub equity: f64,
}

impl PositionView {
    pub fn is_flat(&self) -> bool {
        self.side.is_none()
    }
    pub fn is_long(&self) -> bool {
        self.side == Some(Side::Long)
    }
    pub fn is_short(&self) -> bool {
        self.side == Some(Side::Short)
    }
}
