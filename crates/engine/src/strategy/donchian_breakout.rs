//! `donchian_breakout`: the turtle rule, a new `entry_period` high in, an `exit_period` low
//! out.
//!
//! Flat: long when the close is above the highest high of the previous `entry_period` bars,
//! short when it is below their lowest low (with `enable_shorts`). A long closes when the
//! close falls below the lowest low of the previous `exit_period` bars, a short when it rises
//! above their highest high. The channels exclude the current bar (see
//! [`crate::features::donchian`]). The engine adds the optional stop and time limit.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::check;
use super::error::StrategyError;
use super::registry::Definition;
use super::simple::{at, Rules, SimpleRisk, WithRisk};
use crate::backtest::{Decision, PositionView, Side, Strategy};
use crate::data::Candles;
use crate::features::{Donchian, FeatureParams, FeatureStore};

/// The `donchian_breakout` keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DonchianBreakoutParams {
    /// Breakout channel length, in bars.
    pub entry_period: u32,
    /// Exit channel length, in bars (usually shorter than `entry_period`).
    pub exit_period: u32,
    /// Take short entries.
    pub enable_shorts: bool,
}

impl Default for DonchianBreakoutParams {
    fn default() -> Self {
        DonchianBreakoutParams {
            entry_period: 20,
            exit_period: 10,
            enable_shorts: false,
        }
    }
}

impl Rules for DonchianBreakoutParams {
    fn validate(&self) -> Result<(), StrategyError> {
        check::period("entry_period", self.entry_period)?;
        check::period("exit_period", self.exit_period)?;
        Ok(())
    }
}

/// The `donchian_breakout` strategy bound to one dataset's channels.
pub struct DonchianBreakout {
    candles: Arc<Candles>,
    entry: Arc<Donchian>,
    exit: Arc<Donchian>,
    is_short_enabled: bool,
    risk: SimpleRisk,
}

impl DonchianBreakout {
    pub fn new(
        store: &mut FeatureStore,
        params: &WithRisk<DonchianBreakoutParams>,
    ) -> Result<DonchianBreakout, StrategyError> {
        Ok(DonchianBreakout {
            candles: Arc::clone(store.candles()),
            entry: store.donchian(params.entry_period)?,
            exit: store.donchian(params.exit_period)?,
            is_short_enabled: params.enable_shorts,
            risk: params.risk,
        })
    }
}

/// `donchian_breakout` in the registry: its rules beside the shared risk keys.
pub struct DonchianBreakoutDefinition;

impl Definition for DonchianBreakoutDefinition {
    type Params = WithRisk<DonchianBreakoutParams>;
    type Strategy = DonchianBreakout;
    const NAME: &'static str = "donchian_breakout";
    const PRESETS: &'static [(&'static str, &'static str)] = &[(
        Self::NAME,
        include_str!("../../../../config/strategy/donchian_breakout.yaml"),
    )];
    const SPACES: &'static [(&'static str, &'static str)] = &[(
        "donchian_breakout",
        include_str!("../../../../config/optimizer/donchian_breakout.yaml"),
    )];

    fn build(
        store: &mut FeatureStore,
        _features: &FeatureParams,
        params: &Self::Params,
    ) -> Result<DonchianBreakout, StrategyError> {
        DonchianBreakout::new(store, params)
    }
}

impl Strategy for DonchianBreakout {
    fn first_decision_bar(&self) -> usize {
        self.entry
            .upper
            .first_valid()
            .max(self.exit.upper.first_valid())
    }

    #[inline]
    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision {
        let close = at(self.candles.close(), bar_idx);
        match position.side {
            None => {
                if close > at(self.entry.upper.values(), bar_idx) {
                    Decision::Enter(self.risk.entry(Side::Long, close))
                } else if self.is_short_enabled && close < at(self.entry.lower.values(), bar_idx) {
                    Decision::Enter(self.risk.entry(Side::Short, close))
                } else {
                    Decision::Hold
                }
            }
            Some(Side::Long) if close < at(self.exit.lower.values(), bar_idx) => Decision::Exit,
            Some(Side::Short) if close > at(self.exit.upper.values(), bar_idx) => Decision::Exit,
            Some(_) => Decision::Hold,
        }
    }
}
