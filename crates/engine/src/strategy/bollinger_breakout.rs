//! `bollinger_breakout`: ride a close outside the bands back to the middle.
//!
//! Flat: long when the close is above the upper band, short when it is below the lower band
//! (with `enable_shorts`). A long closes when the close falls below the middle band, a short
//! when it rises above it. The engine adds the optional stop and time limit.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::check;
use super::error::StrategyError;
use super::registry::Definition;
use super::simple::{at, Rules, SimpleRisk, WithRisk};
use crate::backtest::{Decision, PositionView, Side, Strategy};
use crate::data::Candles;
use crate::features::params::MAX_BB_STD;
use crate::features::{Bollinger, FeatureParams, FeatureStore};

/// The `bollinger_breakout` keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BollingerBreakoutParams {
    /// Bollinger period, in bars.
    pub bb_period: u32,
    /// Band half-width, in population standard deviations.
    pub bb_std: f64,
    /// Take short entries.
    pub enable_shorts: bool,
}

impl Default for BollingerBreakoutParams {
    fn default() -> Self {
        BollingerBreakoutParams {
            bb_period: 20,
            bb_std: 2.0,
            enable_shorts: false,
        }
    }
}

impl Rules for BollingerBreakoutParams {
    fn validate(&self) -> Result<(), StrategyError> {
        check::period("bb_period", self.bb_period)?;
        if !(self.bb_std.is_finite() && self.bb_std > 0.0 && self.bb_std <= MAX_BB_STD) {
            return Err(StrategyError::invalid(
                "bb_std",
                format!(
                    "{} must be a number of standard deviations above 0 and at most {MAX_BB_STD}",
                    self.bb_std
                ),
            ));
        }
        Ok(())
    }
}

/// The `bollinger_breakout` strategy bound to one dataset's bands.
pub struct BollingerBreakout {
    candles: Arc<Candles>,
    bands: Arc<Bollinger>,
    is_short_enabled: bool,
    risk: SimpleRisk,
}

impl BollingerBreakout {
    pub fn new(
        store: &mut FeatureStore,
        params: &WithRisk<BollingerBreakoutParams>,
    ) -> Result<BollingerBreakout, StrategyError> {
        Ok(BollingerBreakout {
            candles: Arc::clone(store.candles()),
            bands: store.bollinger(params.bb_period, params.bb_std)?,
            is_short_enabled: params.enable_shorts,
            risk: params.risk,
        })
    }
}

/// `bollinger_breakout` in the registry: its rules beside the shared risk keys.
pub struct BollingerBreakoutDefinition;

impl Definition for BollingerBreakoutDefinition {
    type Params = WithRisk<BollingerBreakoutParams>;
    type Strategy = BollingerBreakout;
    const NAME: &'static str = "bollinger_breakout";
    const PRESETS: &'static [(&'static str, &'static str)] = &[(
        Self::NAME,
        include_str!("../../../../config/strategy/bollinger_breakout.yaml"),
    )];
    const SPACES: &'static [(&'static str, &'static str)] = &[(
        "bollinger_breakout",
        include_str!("../../../../config/optimizer/bollinger_breakout.yaml"),
    )];

    fn build(
        store: &mut FeatureStore,
        _features: &FeatureParams,
        params: &Self::Params,
    ) -> Result<BollingerBreakout, StrategyError> {
        BollingerBreakout::new(store, params)
    }
}

impl Strategy for BollingerBreakout {
    fn first_decision_bar(&self) -> usize {
        self.bands.mid.first_valid()
    }

    #[inline]
    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision {
        let close = at(self.candles.close(), bar_idx);
        let bands = &*self.bands;
        match position.side {
            None => {
                if close > at(bands.upper.values(), bar_idx) {
                    Decision::Enter(self.risk.entry(Side::Long, close))
                } else if self.is_short_enabled && close < at(bands.lower.values(), bar_idx) {
                    Decision::Enter(self.risk.entry(Side::Short, close))
                } else {
                    Decision::Hold
                }
            }
            Some(Side::Long) if close < at(bands.mid.values(), bar_idx) => Decision::Exit,
            Some(Side::Short) if close > at(bands.mid.values(), bar_idx) => Decision::Exit,
            Some(_) => Decision::Hold,
        }
    }
}
