//! `sma_cross`: backtesting.py's `SmaCross` example on the feature store.
//!
//! When the fast SMA of close crosses above the slow one (`fast[i−1] < slow[i−1]` and
//! `fast[i] > slow[i]`, backtesting.py's `crossover`) the strategy goes long with all the
//! equity the leverage allows; when it crosses below it goes short the same way, each entry
//! closing the previous position at the same open (always in the market after the first
//! cross). With `enable_shorts: false` a cross below only closes the long. With the preset's
//! whole units, 0.2 % commission and next-open fills it gives backtesting.py's trades
//! (`Backtest(data, SmaCross, commission=.002, exclusive_orders=True)`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::check;
use super::error::StrategyError;
use super::registry::{serde_config_params, Definition};
use crate::backtest::{Decision, Entry, PositionView, Side, Sizing, Strategy};
use crate::features::{Column, FeatureParams, FeatureStore};

/// The `sma_cross` keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmaCrossParams {
    /// Fast SMA period, in bars.
    pub fast_period: u32,
    /// Slow SMA period, in bars; above `fast_period`.
    pub slow_period: u32,
    /// Reverse to a short on a cross below; `false` only closes the long.
    pub enable_shorts: bool,
}

impl Default for SmaCrossParams {
    fn default() -> Self {
        SmaCrossParams {
            fast_period: 10,
            slow_period: 20,
            enable_shorts: true,
        }
    }
}

impl SmaCrossParams {
    pub fn validate(&self) -> Result<(), StrategyError> {
        check::period("fast_period", self.fast_period)?;
        check::period("slow_period", self.slow_period)?;
        if self.fast_period >= self.slow_period {
            return Err(StrategyError::invalid(
                "fast_period",
                format!(
                    "{} must be below slow_period {}",
                    self.fast_period, self.slow_period
                ),
            ));
        }
        Ok(())
    }
}

/// The `sma_cross` strategy bound to one dataset's SMAs.
pub struct SmaCross {
    fast: Arc<Column>,
    slow: Arc<Column>,
    is_short_enabled: bool,
    first_decision_bar: usize,
}

impl SmaCross {
    pub fn new(
        store: &mut FeatureStore,
        params: &SmaCrossParams,
    ) -> Result<SmaCross, StrategyError> {
        let fast = store.sma(params.fast_period)?;
        let slow = store.sma(params.slow_period)?;
        // A cross compares the previous bar too, so both averages must exist one bar earlier.
        let first_decision_bar = fast.first_valid().max(slow.first_valid()).saturating_add(1);
        Ok(SmaCross {
            fast,
            slow,
            is_short_enabled: params.enable_shorts,
            first_decision_bar,
        })
    }
}

serde_config_params!(SmaCrossParams);

/// `sma_cross` in the registry.
pub struct SmaCrossDefinition;

impl Definition for SmaCrossDefinition {
    type Params = SmaCrossParams;
    type Strategy = SmaCross;
    const NAME: &'static str = "sma_cross";
    const PRESETS: &'static [(&'static str, &'static str)] = &[(
        Self::NAME,
        include_str!("../../../../config/strategy/sma_cross.yaml"),
    )];
    const SPACES: &'static [(&'static str, &'static str)] = &[(
        "sma_cross",
        include_str!("../../../../config/optimizer/sma_cross.yaml"),
    )];

    fn build(
        store: &mut FeatureStore,
        _features: &FeatureParams,
        params: &Self::Params,
    ) -> Result<SmaCross, StrategyError> {
        SmaCross::new(store, params)
    }
}

impl Strategy for SmaCross {
    fn first_decision_bar(&self) -> usize {
        self.first_decision_bar
    }

    #[inline]
    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision {
        let Some(prev_idx) = bar_idx.checked_sub(1) else {
            return Decision::Hold;
        };
        // Both bars of each average with one bounds check; past the end nothing crosses.
        let (Some(&[fast_prev, fast_now]), Some(&[slow_prev, slow_now])) = (
            self.fast.values().get(prev_idx..=bar_idx),
            self.slow.values().get(prev_idx..=bar_idx),
        ) else {
            return Decision::Hold;
        };
        if fast_prev < slow_prev && fast_now > slow_now {
            Decision::Enter(Entry::new(Side::Long, Sizing::AllIn))
        } else if slow_prev < fast_prev && slow_now > fast_now {
            if self.is_short_enabled {
                Decision::Enter(Entry::new(Side::Short, Sizing::AllIn))
            } else if position.is_long() {
                Decision::Exit
            } else {
                Decision::Hold
            }
        } else {
            Decision::Hold
        }
    }
}
