//! `rsi_reversion`: buy oversold, sell overbought, out at the middle.
//!
//! Flat: long when the RSI closes below `oversold`; short when it closes above `overbought`
//! (with `enable_shorts`). A long closes when the RSI reaches `exit_level` or above, a short
//! when it reaches `exit_level` or below. The engine adds the optional stop and time limit.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::check;
use super::error::StrategyError;
use super::registry::Definition;
use super::simple::{at, Rules, SimpleRisk, WithRisk};
use crate::backtest::{Decision, PositionView, Side, Strategy};
use crate::data::Candles;
use crate::features::{Column, FeatureParams, FeatureStore};

/// The `rsi_reversion` keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RsiReversionParams {
    /// Wilder RSI period, in bars.
    pub rsi_period: u32,
    /// Enter long below this RSI (0–100).
    pub oversold: f64,
    /// Enter short above this RSI (0–100).
    pub overbought: f64,
    /// Close when the RSI gets back to this level (0–100), between the two.
    pub exit_level: f64,
    /// Take short entries.
    pub enable_shorts: bool,
}

impl Default for RsiReversionParams {
    fn default() -> Self {
        RsiReversionParams {
            rsi_period: 14,
            oversold: 30.0,
            overbought: 70.0,
            exit_level: 50.0,
            enable_shorts: false,
        }
    }
}

impl Rules for RsiReversionParams {
    fn validate(&self) -> Result<(), StrategyError> {
        check::period("rsi_period", self.rsi_period)?;
        for (key, level) in [
            ("oversold", self.oversold),
            ("exit_level", self.exit_level),
            ("overbought", self.overbought),
        ] {
            if !(0.0..=100.0).contains(&level) {
                return Err(StrategyError::invalid(
                    key,
                    format!("{level} must be an RSI level in [0, 100]"),
                ));
            }
        }
        if self.oversold >= self.exit_level {
            return Err(StrategyError::invalid(
                "oversold",
                format!(
                    "{} must be below exit_level {}",
                    self.oversold, self.exit_level
                ),
            ));
        }
        if self.exit_level >= self.overbought {
            return Err(StrategyError::invalid(
                "overbought",
                format!(
                    "{} must be above exit_level {}",
                    self.overbought, self.exit_level
                ),
            ));
        }
        Ok(())
    }
}

/// The `rsi_reversion` strategy bound to one dataset's RSI.
pub struct RsiReversion {
    candles: Arc<Candles>,
    rsi: Arc<Column>,
    params: RsiReversionParams,
    risk: SimpleRisk,
}

impl RsiReversion {
    pub fn new(
        store: &mut FeatureStore,
        params: &WithRisk<RsiReversionParams>,
    ) -> Result<RsiReversion, StrategyError> {
        Ok(RsiReversion {
            candles: Arc::clone(store.candles()),
            rsi: store.rsi(params.rsi_period)?,
            params: params.rules.clone(),
            risk: params.risk,
        })
    }
}

/// `rsi_reversion` in the registry: its rules beside the shared risk keys.
pub struct RsiReversionDefinition;

impl Definition for RsiReversionDefinition {
    type Params = WithRisk<RsiReversionParams>;
    type Strategy = RsiReversion;
    const NAME: &'static str = "rsi_reversion";
    const PRESETS: &'static [(&'static str, &'static str)] = &[(
        Self::NAME,
        include_str!("../../../../config/strategy/rsi_reversion.yaml"),
    )];
    const SPACES: &'static [(&'static str, &'static str)] = &[(
        "rsi_reversion",
        include_str!("../../../../config/optimizer/rsi_reversion.yaml"),
    )];

    fn build(
        store: &mut FeatureStore,
        _features: &FeatureParams,
        params: &Self::Params,
    ) -> Result<RsiReversion, StrategyError> {
        RsiReversion::new(store, params)
    }
}

impl Strategy for RsiReversion {
    fn first_decision_bar(&self) -> usize {
        self.rsi.first_valid()
    }

    #[inline]
    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision {
        let rsi = at(self.rsi.values(), bar_idx);
        let params = &self.params;
        match position.side {
            None => {
                let close = at(self.candles.close(), bar_idx);
                if rsi < params.oversold {
                    Decision::Enter(self.risk.entry(Side::Long, close))
                } else if params.enable_shorts && rsi > params.overbought {
                    Decision::Enter(self.risk.entry(Side::Short, close))
                } else {
                    Decision::Hold
                }
            }
            Some(Side::Long) if rsi >= params.exit_level => Decision::Exit,
            Some(Side::Short) if rsi <= params.exit_level => Decision::Exit,
            Some(_) => Decision::Hold,
        }
    }
}
