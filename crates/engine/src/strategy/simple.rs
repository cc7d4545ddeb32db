//! What the four simple strategies share: position size, optional stop and time limit.

use super::check;
use super::error::StrategyError;
use crate::backtest::{Entry, ExitRules, Level, Side, Sizing};

/// How a simple strategy sizes and protects its positions. Each simple strategy lists these
/// keys at its top level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SimpleRisk {
    /// Notional as a fraction of equity at the fill (1 = all in, backtesting.py's default
    /// size); capped by `backtest.max_leverage`.
    pub equity_fraction: f64,
    /// Stop distance from the entry fill as a fraction of the decision bar's close
    /// (0.05 = 5 %); `None` for no stop.
    pub stop_loss_frac: Option<f64>,
    /// Close at the open this many bars after the entry bar; `None` for no limit.
    pub max_hold_bars: Option<u32>,
}

impl SimpleRisk {
    pub(crate) fn validate(&self) -> Result<(), StrategyError> {
        check::equity_fraction("equity_fraction", self.equity_fraction)?;
        check::stop_fraction("stop_loss_frac", self.stop_loss_frac)?;
        check::optional_bars("max_hold_bars", self.max_hold_bars)
    }

    /// An entry of `side` decided at a bar whose close is `close`.
    #[inline]
    pub(crate) fn entry(&self, side: Side, close: f64) -> Entry {
        let exits = ExitRules {
            stop: self
                .stop_loss_frac
                .map(|frac| Level::Distance(frac * close)),
            max_hold_bars: self.max_hold_bars,
            ..ExitRules::NONE
        };
        Entry::new(side, Sizing::EquityFraction(self.equity_fraction)).with_exits(exits)
    }
}

/// The value at `bar_idx`, NaN past the end (never panics; NaN fails every comparison).
#[inline]
pub(crate) fn at(values: &[f64], bar_idx: usize) -> f64 {
    values.get(bar_idx).copied().unwrap_or(f64::NAN)
}
