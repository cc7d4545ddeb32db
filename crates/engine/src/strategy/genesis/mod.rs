//! `genesis`: a transparent probability model over the default features, with the seeds'
//! thresholds, volatility zones, risk map and exits.
//!
//! # The model
//!
//! At the close of bar `i`, with the features of [`crate::features::FeatureParams`] (ATR is
//! `atr_period`'s):
//!
//! ```text
//! trend          = (ema_fast − ema_slow) / atr                  EMA spread in ATRs
//! momentum       = (rsi − 50) / 50                              in [−1, 1]
//! mean_reversion = −(%b − 0.5) × 2                              +1 on the lower band, −1 on the upper
//! fib            = fib_direction × max(0, 1 − |fib_dist_atr|)   ±1 on a retracement level of the last
//!                                                               swing leg, 0 one ATR or more away:
//!                                                               + for an up leg (support), − for a down leg
//! htf            = (htf_close − htf_ema) / atr                  higher-timeframe trend in ATRs
//! ```
//!
//! Each signal is clipped to `[−c, c]` (`model.signal_clip`), and the score is their weighted
//! sum in this order, `s = w_trend·trend + w_momentum·momentum + w_mean_reversion·
//! mean_reversion + w_fib·fib + w_htf·htf` (`model.weights`). Three probabilities come from a
//! softmax at temperature `T` (`model.temperature`) with a constant hold logit `h`
//! (`model.hold_bias`):
//!
//! ```text
//! (P(buy), P(sell), P(hold)) = softmax(s / T, −s / T, h / T)
//! ```
//!
//! computed with the largest logit subtracted first and `libm::exp`, so the three sum to 1
//! and are bit-identical natively and in WebAssembly. Where the ATR is not positive (a flat
//! market) the probabilities are undefined (NaN) and the bar neither enters nor exits.
//!
//! # The regime
//!
//! `trend` when `ema_fast > ema_slow` and `htf_close > htf_ema` (both timeframes up), `bear`
//! when `ema_fast < ema_slow` and `htf_close < htf_ema` (both down), `balanced` otherwise.
//!
//! # Decisions
//!
//! - **Threshold.** Without zones, the threshold of a regime is
//!   `max(thresholds.entry_conf_overall, thresholds.regime_proba[regime])` (a regime left
//!   out of `regime_proba` uses `entry_conf_overall` alone). With
//!   `signal_adaptation.zones`, the zone is the first of low, mid, high whose `max_atr_pct` is
//!   at or above the bar's ATR percentile rank, and that zone's `entry_conf_overall` and
//!   `regime_proba` replace the top-level ones; a rank above `high.max_atr_pct` takes no
//!   entry.
//! - **Entry** (flat): long when `P(buy) >= threshold`, `P(buy) > P(sell)` and
//!   `P(sell) < exit_conf_threshold` (a position is never opened on a bar that would close
//!   it); short symmetrically when `enable_shorts`. The position risks
//!   `risk_map(P(side))` of equity against its initial stop (`exits.stop_atr_multiplier` ATRs,
//!   or the trailing stop when there is no fixed one), with the take-profit
//!   (`exits.take_profit_atr_multiplier`) and `max_hold_bars` attached.
//! - **Exit**: a long closes when `P(sell) >= exit_conf_threshold` (reversing to a short
//!   when the short entry rule holds at that bar), a short when `P(buy)` reaches it; the
//!   engine closes at the stop, trailing stop, take-profit or `max_hold_bars`.
//! - **Trailing**: with `htf_exit_config.enable_trailing`, the trailing distance is
//!   `trail_atr_multiplier × ATR` at entry and is updated to the current ATR at every close
//!   ([`crate::backtest::Decision::SetTrailingDistance`]); the level only ever tightens.
//!
//! # Speed
//!
//! The probabilities and the regime depend only on the features and `model`, so they are
//! computed in one pass over the columns
//! ([`GenesisModel`](crate::strategy::genesis::GenesisModel)) and cached in the
//! [`FeatureStore`](crate::features::FeatureStore) under a hash of both sections
//! ([`GenesisModel::cached`](crate::strategy::genesis::GenesisModel::cached)): trials that
//! change only thresholds, zones, risk or exits share it, and `decide` is a few loads and
//! comparisons.

/// The `genesis` keys and their validation.
pub mod params;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use params::{
    Exits, GenesisParams, HtfExitConfig, Model, RegimeProba, SignalAdaptation, Thresholds, Weights,
    Zone, Zones,
};

use super::error::StrategyError;
use super::keys::canonical_json;
use super::registry::{serde_config_params, Definition};
use crate::backtest::{Decision, Entry, ExitRules, Level, PositionView, Side, Sizing, Strategy};
use crate::features::{Column, FeatureParams, FeatureStore};

/// The market regime of a bar (see the module docs for the rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    Trend,
    Balanced,
    Bear,
}

impl Regime {
    pub const ALL: [Regime; 3] = [Regime::Trend, Regime::Balanced, Regime::Bear];

    /// Position in [`Regime::ALL`].
    pub fn index(self) -> usize {
        match self {
            Regime::Trend => 0,
            Regime::Balanced => 1,
            Regime::Bear => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Regime::Trend => "trend",
            Regime::Balanced => "balanced",
            Regime::Bear => "bear",
        }
    }

    /// The regime from the EMA pair and the higher-timeframe close and EMA.
    #[inline]
    pub fn classify(ema_fast: f64, ema_slow: f64, htf_close: f64, htf_ema: f64) -> Regime {
        if ema_fast > ema_slow && htf_close > htf_ema {
            Regime::Trend
        } else if ema_fast < ema_slow && htf_close < htf_ema {
            Regime::Bear
        } else {
            Regime::Balanced
        }
    }
}

/// The five normalised signals of one bar, before clipping, in the model's order
/// (trend, momentum, mean reversion, Fibonacci, higher timeframe).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SignalInputs {
    pub ema_fast: f64,
    pub ema_slow: f64,
    pub rsi: f64,
    pub atr: f64,
    pub pct_b: f64,
    pub fib_direction: f64,
    pub fib_dist_atr: f64,
    pub htf_close: f64,
    pub htf_ema: f64,
}

impl SignalInputs {
    /// `[trend, momentum, mean_reversion, fib, htf]`, unclipped; NaN where the ATR is not
    /// positive.
    #[inline]
    pub fn signals(&self) -> [f64; 5] {
        let atr = if self.atr > 0.0 { self.atr } else { f64::NAN };
        let fib_proximity = (1.0 - self.fib_dist_atr.abs()).max(0.0);
        [
            (self.ema_fast - self.ema_slow) / atr,
            (self.rsi - 50.0) / 50.0,
            -(self.pct_b - 0.5) * 2.0,
            self.fib_direction * fib_proximity,
            (self.htf_close - self.htf_ema) / atr,
        ]
    }
}

/// The score `s`: clipped signals weighted and summed in a fixed order. NaN stays NaN.
#[inline]
pub fn score(signals: [f64; 5], model: &Model) -> f64 {
    let clip = model.signal_clip;
    let w = &model.weights;
    let c = |x: f64| x.clamp(-clip, clip);
    w.trend * c(signals[0])
        + w.momentum * c(signals[1])
        + w.mean_reversion * c(signals[2])
        + w.fib * c(signals[3])
        + w.htf * c(signals[4])
}

/// `(P(buy), P(sell), P(hold)) = softmax(s/T, −s/T, h/T)`, the largest logit subtracted
/// before `libm::exp`.
#[inline]
pub fn probabilities(score: f64, model: &Model) -> [f64; 3] {
    let inv_t = 1.0 / model.temperature;
    let logits = [score * inv_t, -score * inv_t, model.hold_bias * inv_t];
    let max = logits[0].max(logits[1]).max(logits[2]);
    let e = logits.map(|z| libm::exp(z - max));
    let total = e[0] + e[1] + e[2];
    [e[0] / total, e[1] / total, e[2] / total]
}

/// The model's outputs over a whole dataset: what `decide` reads.
#[derive(Clone, Debug)]
pub struct GenesisModel {
    /// P(buy) at each bar (NaN before `first_valid` and where undefined).
    pub p_buy: Vec<f64>,
    /// P(sell) at each bar.
    pub p_sell: Vec<f64>,
    /// [`Regime::index`] of each bar (`Balanced` before `first_valid`).
    pub regime: Vec<u8>,
    /// The first bar at which every input is valid.
    pub first_valid: usize,
}

/// The feature columns the model reads, taken from a store.
struct ModelColumns {
    ema_fast: Arc<Column>,
    ema_slow: Arc<Column>,
    rsi: Arc<Column>,
    atr: Arc<Column>,
    bollinger: Arc<crate::features::Bollinger>,
    fib: Arc<crate::features::Fib>,
    htf: Arc<crate::features::HtfTrend>,
}

impl ModelColumns {
    fn take(
        store: &mut FeatureStore,
        features: &FeatureParams,
    ) -> Result<ModelColumns, StrategyError> {
        features.validate()?;
        Ok(ModelColumns {
            ema_fast: store.ema(features.ema_fast)?,
            ema_slow: store.ema(features.ema_slow)?,
            rsi: store.rsi(features.rsi_period)?,
            atr: store.atr(features.atr_period)?,
            bollinger: store.bollinger(features.bb_period, features.bb_std)?,
            fib: store.fib(features.swing_strength, features.atr_period)?,
            htf: store.htf_trend(features.htf_multiple, features.htf_ema_period)?,
        })
    }

    fn first_valid(&self) -> usize {
        [
            self.ema_fast.first_valid(),
            self.ema_slow.first_valid(),
            self.rsi.first_valid(),
            self.atr.first_valid(),
            self.bollinger.pct_b.first_valid(),
            self.fib.direction.first_valid(),
            self.fib.dist_atr.first_valid(),
            self.htf.close.first_valid(),
            self.htf.ema.first_valid(),
        ]
        .into_iter()
        .max()
        .unwrap_or(0)
    }
}

impl GenesisModel {
    /// Computes the model over every bar of the store's dataset.
    pub fn compute(
        store: &mut FeatureStore,
        features: &FeatureParams,
        model: &Model,
    ) -> Result<GenesisModel, StrategyError> {
        let columns = ModelColumns::take(store, features)?;
        Ok(GenesisModel::from_columns(&columns, model))
    }

    /// The model from the store's cache, computed and cached on the first request for these
    /// features and model parameters. The cache key hashes both sections' canonical JSON,
    /// so a new parameter in either can never be left out of the key.
    pub fn cached(
        store: &mut FeatureStore,
        features: &FeatureParams,
        model: &Model,
    ) -> Result<Arc<GenesisModel>, StrategyError> {
        let mut hasher = Sha256::new();
        hasher.update(b"genesis-model-v1\n");
        for section in [serde_json::to_value(features), serde_json::to_value(model)] {
            let section =
                section.map_err(|err| StrategyError::invalid("model", err.to_string()))?;
            hasher.update(canonical_json(&section).as_bytes());
            hasher.update(b"\n");
        }
        let digest: [u8; 32] = hasher.finalize().into();
        store.derived(digest, |store| {
            let model = GenesisModel::compute(store, features, model)?;
            let bytes = model.heap_bytes();
            Ok((model, bytes))
        })
    }

    /// Heap bytes of the three columns.
    pub fn heap_bytes(&self) -> usize {
        (self.p_buy.capacity() + self.p_sell.capacity()) * std::mem::size_of::<f64>()
            + self.regime.capacity()
    }

    fn from_columns(columns: &ModelColumns, model: &Model) -> GenesisModel {
        let n_bars = columns.rsi.len();
        let first_valid = columns.first_valid().min(n_bars);
        let mut p_buy = vec![f64::NAN; n_bars];
        let mut p_sell = vec![f64::NAN; n_bars];
        let mut regime = vec![Regime::Balanced.index() as u8; n_bars];
        let ema_fast = columns.ema_fast.values();
        let ema_slow = columns.ema_slow.values();
        let rsi = columns.rsi.values();
        let atr = columns.atr.values();
        let pct_b = columns.bollinger.pct_b.values();
        let fib_direction = columns.fib.direction.values();
        let fib_dist_atr = columns.fib.dist_atr.values();
        let htf_close = columns.htf.close.values();
        let htf_ema = columns.htf.ema.values();
        for bar_idx in first_valid..n_bars {
            let inputs = SignalInputs {
                ema_fast: ema_fast[bar_idx],
                ema_slow: ema_slow[bar_idx],
                rsi: rsi[bar_idx],
                atr: atr[bar_idx],
                pct_b: pct_b[bar_idx],
                fib_direction: fib_direction[bar_idx],
                fib_dist_atr: fib_dist_atr[bar_idx],
                htf_close: htf_close[bar_idx],
                htf_ema: htf_ema[bar_idx],
            };
            let [buy, sell, _] = probabilities(score(inputs.signals(), model), model);
            p_buy[bar_idx] = buy;
            p_sell[bar_idx] = sell;
            regime[bar_idx] = Regime::classify(
                inputs.ema_fast,
                inputs.ema_slow,
                inputs.htf_close,
                inputs.htf_ema,
            )
            .index() as u8;
        }
        GenesisModel {
            p_buy,
            p_sell,
            regime,
            first_valid,
        }
    }
}

/// The `genesis` strategy bound to one dataset's features.
pub struct Genesis {
    model: Arc<GenesisModel>,
    atr: Arc<Column>,
    /// The ATR percentile rank, with zones only.
    atr_rank: Option<Arc<Column>>,
    /// Upper rank bound of each zone (low, mid, high); unused without zones.
    zone_max_rank: [f64; 3],
    /// Entry threshold per zone (the single row without zones) and regime.
    thresholds: [[f64; 3]; 3],
    risk_map: Vec<[f64; 2]>,
    exit_conf_threshold: f64,
    max_hold_bars: Option<u32>,
    stop_atr_multiplier: Option<f64>,
    take_profit_atr_multiplier: Option<f64>,
    trail_atr_multiplier: Option<f64>,
    is_short_enabled: bool,
    first_decision_bar: usize,
}

serde_config_params!(GenesisParams);

/// `genesis` in the registry: the model's features come from the config's `features:`.
pub struct GenesisDefinition;

impl Definition for GenesisDefinition {
    type Params = GenesisParams;
    type Strategy = Genesis;
    const NAME: &'static str = "genesis";
    const PRESETS: &'static [(&'static str, &'static str)] = &[(
        Self::NAME,
        include_str!("../../../../../config/strategy/genesis.yaml"),
    )];
    const SPACES: &'static [(&'static str, &'static str)] = &[
        (
            "genesis_tpe",
            include_str!("../../../../../config/optimizer/genesis_tpe.yaml"),
        ),
        (
            "genesis_grid",
            include_str!("../../../../../config/optimizer/genesis_grid.yaml"),
        ),
    ];

    fn build(
        store: &mut FeatureStore,
        features: &FeatureParams,
        params: &Self::Params,
    ) -> Result<Genesis, StrategyError> {
        Genesis::new(store, features, params)
    }
}

impl Genesis {
    /// Takes the features from `store` (computing what is missing) and runs the model over
    /// the dataset. `params` must be validated (a [`crate::strategy::StrategyConfig`] is).
    pub fn new(
        store: &mut FeatureStore,
        features: &FeatureParams,
        params: &GenesisParams,
    ) -> Result<Genesis, StrategyError> {
        let model = GenesisModel::cached(store, features, &params.model)?;
        let atr = store.atr(features.atr_period)?;
        let mut first_decision_bar = model.first_valid;
        let (atr_rank, zone_max_rank, thresholds) = match &params.signal_adaptation {
            Some(adaptation) => {
                let rank = store.atr_pct_rank(features.atr_period, features.atr_pct_lookback)?;
                first_decision_bar = first_decision_bar.max(rank.first_valid());
                let zones = adaptation.zones.as_array();
                (
                    Some(rank),
                    zones.map(|(_, zone)| zone.max_atr_pct),
                    zones.map(|(_, zone)| zone.regime_proba.thresholds(zone.entry_conf_overall)),
                )
            }
            None => {
                let row = params
                    .thresholds
                    .regime_proba
                    .thresholds(params.thresholds.entry_conf_overall);
                (None, [1.0; 3], [row; 3])
            }
        };
        Ok(Genesis {
            model,
            atr,
            atr_rank,
            zone_max_rank,
            thresholds,
            risk_map: params.risk_map.clone(),
            exit_conf_threshold: params.exit_conf_threshold,
            max_hold_bars: params.max_hold_bars,
            stop_atr_multiplier: params.exits.stop_atr_multiplier,
            take_profit_atr_multiplier: params.exits.take_profit_atr_multiplier,
            trail_atr_multiplier: params
                .htf_exit_config
                .enable_trailing
                .then_some(params.htf_exit_config.trail_atr_multiplier),
            is_short_enabled: params.enable_shorts,
            first_decision_bar,
        })
    }

    /// The model's per-bar outputs.
    pub fn model(&self) -> &GenesisModel {
        &self.model
    }

    /// The entry threshold at `bar_idx` for its regime and zone; NaN (no entry) when the
    /// bar's volatility rank is above every zone or undefined.
    #[inline]
    pub fn entry_threshold(&self, bar_idx: usize) -> f64 {
        let regime = usize::from(self.model.regime.get(bar_idx).copied().unwrap_or(1)).min(2);
        let zone = match &self.atr_rank {
            None => 0,
            Some(rank) => {
                let rank = rank.values().get(bar_idx).copied().unwrap_or(f64::NAN);
                if rank <= self.zone_max_rank[0] {
                    0
                } else if rank <= self.zone_max_rank[1] {
                    1
                } else if rank <= self.zone_max_rank[2] {
                    2
                } else {
                    return f64::NAN;
                }
            }
        };
        self.thresholds[zone][regime]
    }

    /// An entry of `side` at `bar_idx` if the entry rule holds.
    #[inline]
    fn entry(&self, bar_idx: usize, side: Side, p_side: f64, p_other: f64) -> Option<Entry> {
        let threshold = self.entry_threshold(bar_idx);
        let is_signal =
            p_side >= threshold && p_side > p_other && p_other < self.exit_conf_threshold;
        let atr = self.atr.values().get(bar_idx).copied().unwrap_or(f64::NAN);
        if !(is_signal && atr > 0.0) {
            return None;
        }
        let exits = ExitRules {
            stop: self.stop_atr_multiplier.map(|m| Level::Distance(m * atr)),
            take_profit: self
                .take_profit_atr_multiplier
                .map(|m| Level::Distance(m * atr)),
            trailing_distance: self.trail_atr_multiplier.map(|m| m * atr),
            max_hold_bars: self.max_hold_bars,
        };
        let fraction = params::risk_fraction(&self.risk_map, p_side);
        Some(Entry::new(side, Sizing::RiskFraction(fraction)).with_exits(exits))
    }
}

impl Strategy for Genesis {
    fn first_decision_bar(&self) -> usize {
        self.first_decision_bar
    }

    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision {
        let p_buy = self.model.p_buy.get(bar_idx).copied().unwrap_or(f64::NAN);
        let p_sell = self.model.p_sell.get(bar_idx).copied().unwrap_or(f64::NAN);
        let (p_against, p_with, reverse) = match position.side {
            None => {
                let long = self.entry(bar_idx, Side::Long, p_buy, p_sell);
                let short = || {
                    self.is_short_enabled
                        .then(|| self.entry(bar_idx, Side::Short, p_sell, p_buy))
                        .flatten()
                };
                return match long.or_else(short) {
                    Some(entry) => Decision::Enter(entry),
                    None => Decision::Hold,
                };
            }
            Some(Side::Long) => (p_sell, p_buy, Side::Short),
            Some(Side::Short) => (p_buy, p_sell, Side::Long),
        };
        if p_against >= self.exit_conf_threshold {
            let is_reverse_allowed = reverse == Side::Long || self.is_short_enabled;
            let reversal = is_reverse_allowed
                .then(|| self.entry(bar_idx, reverse, p_against, p_with))
                .flatten();
            return match reversal {
                Some(entry) => Decision::Enter(entry),
                None => Decision::Exit,
            };
        }
        match self.trail_atr_multiplier {
            Some(multiplier) => {
                let atr = self.atr.values().get(bar_idx).copied().unwrap_or(f64::NAN);
                if atr > 0.0 {
                    Decision::SetTrailingDistance(multiplier * atr)
                } else {
                    Decision::Hold
                }
            }
            None => Decision::Hold,
        }
    }
}
