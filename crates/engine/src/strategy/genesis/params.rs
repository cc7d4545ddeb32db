//! The `genesis` strategy's own keys, with the seeds' names.

use serde::{Deserialize, Serialize};

use super::Regime;
use crate::strategy::check;
use crate::strategy::error::StrategyError;

/// Every key of a `genesis` config besides `strategy`, `features`, `backtest` and
/// `constraints`. Missing keys take the values of `config/strategy/genesis.yaml` except
/// `signal_adaptation`, which is off unless given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GenesisParams {
    /// Entry thresholds when no `signal_adaptation` zones are given.
    pub thresholds: Thresholds,
    /// Volatility zones; when present they replace `thresholds`.
    pub signal_adaptation: Option<SignalAdaptation>,
    /// `[confidence, fraction of equity risked]` steps, confidences strictly increasing. A
    /// trade risks the fraction of the last step whose confidence is at or below the traded
    /// side's probability, and the first step's fraction below the first confidence.
    pub risk_map: Vec<[f64; 2]>,
    /// Close a position when the opposite side's probability reaches this.
    pub exit_conf_threshold: f64,
    /// Close a position at the open this many bars after its entry bar; `null` for no limit.
    pub max_hold_bars: Option<u32>,
    /// The trailing stop.
    pub htf_exit_config: HtfExitConfig,
    /// The initial stop and the take-profit.
    pub exits: Exits,
    /// The probability model.
    pub model: Model,
    /// Take short entries (the model is symmetric); `false` trades long only.
    pub enable_shorts: bool,
}

impl Default for GenesisParams {
    fn default() -> Self {
        GenesisParams {
            thresholds: Thresholds::default(),
            signal_adaptation: None,
            risk_map: vec![[0.45, 0.015], [0.55, 0.025], [0.65, 0.035]],
            exit_conf_threshold: 0.40,
            max_hold_bars: Some(20),
            htf_exit_config: HtfExitConfig::default(),
            exits: Exits::default(),
            model: Model::default(),
            enable_shorts: false,
        }
    }
}

/// `thresholds:`: the minimum probability of the traded side, overall and per regime.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// Minimum probability of the traded side in every regime.
    pub entry_conf_overall: f64,
    /// Per-regime minimum, on top of `entry_conf_overall`.
    pub regime_proba: RegimeProba,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            entry_conf_overall: 0.35,
            regime_proba: RegimeProba {
                trend: Some(0.5),
                balanced: Some(0.7),
                bear: Some(0.6),
            },
        }
    }
}

/// `regime_proba:`: an optional entry threshold per regime. A regime left out has no
/// threshold of its own (only `entry_conf_overall` applies).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegimeProba {
    pub trend: Option<f64>,
    pub balanced: Option<f64>,
    pub bear: Option<f64>,
}

impl RegimeProba {
    /// The entry threshold in each regime, indexed by [`Regime::index`]:
    /// `max(entry_conf_overall, regime_proba[regime])`.
    pub fn thresholds(&self, entry_conf_overall: f64) -> [f64; 3] {
        let mut out = [entry_conf_overall; 3];
        for regime in Regime::ALL {
            if let Some(proba) = self.get(regime) {
                out[regime.index()] = entry_conf_overall.max(proba);
            }
        }
        out
    }

    pub fn get(&self, regime: Regime) -> Option<f64> {
        match regime {
            Regime::Trend => self.trend,
            Regime::Balanced => self.balanced,
            Regime::Bear => self.bear,
        }
    }

    fn validate(&self, prefix: &str) -> Result<(), StrategyError> {
        for regime in Regime::ALL {
            if let Some(proba) = self.get(regime) {
                check::probability(&format!("{prefix}.{}", regime.as_str()), proba)?;
            }
        }
        Ok(())
    }
}

/// `signal_adaptation:`: entry thresholds by volatility zone.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignalAdaptation {
    pub zones: Zones,
}

/// `zones:`: three volatility zones by ATR percentile rank (`features.atr_pct_lookback`).
/// A bar belongs to the first zone (low, mid, high) whose `max_atr_pct` is at or above its
/// rank; a bar ranked above `high.max_atr_pct` takes no entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zones {
    pub low: Zone,
    pub mid: Zone,
    pub high: Zone,
}

impl Zones {
    pub fn as_array(&self) -> [(&'static str, &Zone); 3] {
        [("low", &self.low), ("mid", &self.mid), ("high", &self.high)]
    }
}

/// One volatility zone's thresholds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// Upper bound of the zone's ATR percentile rank, in [0, 1].
    pub max_atr_pct: f64,
    /// Minimum probability of the traded side in this zone.
    pub entry_conf_overall: f64,
    /// Per-regime minimum in this zone, on top of its `entry_conf_overall`.
    #[serde(default)]
    pub regime_proba: RegimeProba,
}

/// `htf_exit_config:`: the trailing stop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HtfExitConfig {
    /// Trail a stop behind the best price since entry.
    pub enable_trailing: bool,
    /// Trailing distance in ATRs, updated at every close (the stop only ever tightens).
    pub trail_atr_multiplier: f64,
}

impl Default for HtfExitConfig {
    fn default() -> Self {
        HtfExitConfig {
            enable_trailing: true,
            trail_atr_multiplier: 2.2,
        }
    }
}

/// `exits:`: protective levels fixed at entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Exits {
    /// Initial stop distance from the entry fill, in ATRs at the entry decision. `null` for
    /// none; then the trailing stop must be on, because `risk_map` sizes from the distance to
    /// the initial stop.
    pub stop_atr_multiplier: Option<f64>,
    /// Take-profit distance from the entry fill in ATRs; `null` for none.
    pub take_profit_atr_multiplier: Option<f64>,
}

impl Default for Exits {
    fn default() -> Self {
        Exits {
            stop_atr_multiplier: Some(2.0),
            take_profit_atr_multiplier: None,
        }
    }
}

/// `model:`: how normalised signals become probabilities (see the module docs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Model {
    pub weights: Weights,
    /// Softmax temperature: larger spreads probability more evenly. Above 0.
    pub temperature: f64,
    /// The hold logit: larger makes the model hold more often. Any finite number.
    pub hold_bias: f64,
    /// Each normalised signal is clipped to `[-signal_clip, signal_clip]`. Above 0.
    pub signal_clip: f64,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            weights: Weights::default(),
            temperature: 0.7,
            hold_bias: 2.5,
            signal_clip: 2.0,
        }
    }
}

/// `weights:`: the weight of each normalised signal in the buy-minus-sell score. Any finite
/// number; 0 switches a signal off, a negative weight reads it backwards.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub trend: f64,
    pub momentum: f64,
    pub mean_reversion: f64,
    pub fib: f64,
    pub htf: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            trend: 0.6,
            momentum: 1.0,
            mean_reversion: 0.3,
            fib: 0.2,
            htf: 0.4,
        }
    }
}

impl GenesisParams {
    /// Checks every key's range and the keys' consistency; the error names the dotted key.
    pub fn validate(&self) -> Result<(), StrategyError> {
        check::probability(
            "thresholds.entry_conf_overall",
            self.thresholds.entry_conf_overall,
        )?;
        self.thresholds
            .regime_proba
            .validate("thresholds.regime_proba")?;
        if let Some(adaptation) = &self.signal_adaptation {
            let mut previous_max: Option<(&str, f64)> = None;
            for (name, zone) in adaptation.zones.as_array() {
                let prefix = format!("signal_adaptation.zones.{name}");
                let max_key = format!("{prefix}.max_atr_pct");
                check::probability(&max_key, zone.max_atr_pct)?;
                if let Some((previous_name, previous)) = previous_max {
                    if zone.max_atr_pct < previous {
                        return Err(StrategyError::invalid(
                            max_key,
                            format!(
                                "{} must be at least the {previous_name} zone's max_atr_pct {previous}: zones go from low to high volatility",
                                zone.max_atr_pct
                            ),
                        ));
                    }
                }
                previous_max = Some((name, zone.max_atr_pct));
                check::probability(
                    &format!("{prefix}.entry_conf_overall"),
                    zone.entry_conf_overall,
                )?;
                zone.regime_proba
                    .validate(&format!("{prefix}.regime_proba"))?;
            }
        }
        if self.risk_map.is_empty() {
            return Err(StrategyError::invalid(
                "risk_map",
                "needs at least one [confidence, fraction] step",
            ));
        }
        for (k, &[confidence, fraction]) in self.risk_map.iter().enumerate() {
            check::probability(&format!("risk_map[{k}][0]"), confidence)?;
            if !(fraction.is_finite() && fraction > 0.0 && fraction <= 1.0) {
                return Err(StrategyError::invalid(
                    format!("risk_map[{k}][1]"),
                    format!(
                        "{fraction} must be a fraction of equity risked in (0, 1]: 0.01 is 1 %"
                    ),
                ));
            }
            if k > 0 && confidence <= self.risk_map[k - 1][0] {
                return Err(StrategyError::invalid(
                    format!("risk_map[{k}][0]"),
                    format!(
                        "{confidence} must be above the previous step's confidence {}: risk_map is sorted by confidence",
                        self.risk_map[k - 1][0]
                    ),
                ));
            }
        }
        check::probability("exit_conf_threshold", self.exit_conf_threshold)?;
        check::optional_bars("max_hold_bars", self.max_hold_bars)?;
        check::positive(
            "htf_exit_config.trail_atr_multiplier",
            self.htf_exit_config.trail_atr_multiplier,
            "ATRs",
        )?;
        if let Some(multiplier) = self.exits.stop_atr_multiplier {
            check::positive("exits.stop_atr_multiplier", multiplier, "ATRs")?;
        } else if !self.htf_exit_config.enable_trailing {
            return Err(StrategyError::invalid(
                "exits.stop_atr_multiplier",
                "is needed when htf_exit_config.enable_trailing is false: risk_map sizes a position from the distance to its initial stop",
            ));
        }
        if let Some(multiplier) = self.exits.take_profit_atr_multiplier {
            check::positive("exits.take_profit_atr_multiplier", multiplier, "ATRs")?;
        }
        let weights = &self.model.weights;
        for (name, weight) in [
            ("trend", weights.trend),
            ("momentum", weights.momentum),
            ("mean_reversion", weights.mean_reversion),
            ("fib", weights.fib),
            ("htf", weights.htf),
        ] {
            check::finite(&format!("model.weights.{name}"), weight)?;
        }
        check::positive("model.temperature", self.model.temperature, "unitless")?;
        check::finite("model.hold_bias", self.model.hold_bias)?;
        check::positive("model.signal_clip", self.model.signal_clip, "signal units")?;
        Ok(())
    }

    /// The fraction of equity risked at a traded side's probability `confidence`.
    #[inline]
    pub fn risk_fraction(&self, confidence: f64) -> f64 {
        risk_fraction(&self.risk_map, confidence)
    }
}

/// The fraction of the last step whose confidence is at or below `confidence`; the first
/// step's fraction below the first confidence. `risk_map` is validated non-empty and sorted.
#[inline]
pub(crate) fn risk_fraction(risk_map: &[[f64; 2]], confidence: f64) -> f64 {
    let mut fraction = risk_map.first().map_or(0.0, |step| step[1]);
    for step in risk_map {
        if step[0] <= confidence {
            fraction = step[1];
        } else {
            break;
        }
    }
    fraction
}
