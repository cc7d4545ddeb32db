//! What the four simple strategies share: position size, optional stop and time limit, as
//! one struct ([`SimpleRisk`]) whose keys sit at the top level of each simple strategy's
//! config beside the strategy's own rules ([`WithRisk`]).

use std::ops::Deref;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::check;
use super::error::StrategyError;
use super::keys::deserialize_at;
use super::registry::ConfigParams;
use crate::backtest::{Entry, ExitRules, Level, Side, Sizing};

/// How a simple strategy sizes and protects its positions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
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

impl Default for SimpleRisk {
    fn default() -> Self {
        SimpleRisk {
            equity_fraction: 1.0,
            stop_loss_frac: None,
            max_hold_bars: None,
        }
    }
}

impl SimpleRisk {
    /// The keys, as written at the top level of a simple strategy's config.
    pub const KEYS: [&'static str; 3] = ["equity_fraction", "stop_loss_frac", "max_hold_bars"];

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

/// A simple strategy's keys: its own rules and the shared risk keys, side by side at the
/// top level of the config (`rsi_period: 14` next to `equity_fraction: 1.0`). Reads as its
/// rules (`params.rsi_period`) through `Deref`.
#[derive(Clone, Debug, PartialEq)]
pub struct WithRisk<P> {
    pub rules: P,
    pub risk: SimpleRisk,
}

impl<P> Deref for WithRisk<P> {
    type Target = P;

    fn deref(&self) -> &P {
        &self.rules
    }
}

impl<P: Default> Default for WithRisk<P> {
    fn default() -> Self {
        WithRisk {
            rules: P::default(),
            risk: SimpleRisk::default(),
        }
    }
}

/// A simple strategy's own rules: serde reads and writes them, `validate` checks them.
pub trait Rules: Serialize + DeserializeOwned + Clone + std::fmt::Debug + PartialEq {
    fn validate(&self) -> Result<(), StrategyError>;
}

impl<P: Rules> ConfigParams for WithRisk<P> {
    /// Splits the risk keys off the strategy's own keys and reads each part; an unknown key
    /// is suggested from both.
    fn parse(own_keys: Value, extra_keys: &[&str]) -> Result<Self, StrategyError> {
        let mut risk = Map::new();
        let rules_value = match own_keys {
            Value::Object(mut map) => {
                for key in SimpleRisk::KEYS {
                    if let Some(value) = map.remove(key) {
                        risk.insert(key.to_owned(), value);
                    }
                }
                Value::Object(map)
            }
            other => other,
        };
        let extra: Vec<&str> = extra_keys.iter().copied().chain(SimpleRisk::KEYS).collect();
        Ok(WithRisk {
            rules: deserialize_at(rules_value, "", &extra)?,
            risk: deserialize_at(Value::Object(risk), "", &[])?,
        })
    }

    /// Both parts' keys in one object: the config's flat shape.
    fn to_value(&self) -> Value {
        let mut map = match serde_json::to_value(&self.rules) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        if let Ok(Value::Object(risk)) = serde_json::to_value(self.risk) {
            map.extend(risk);
        }
        Value::Object(map)
    }

    fn check(&self) -> Result<(), StrategyError> {
        self.rules.validate()?;
        self.risk.validate()
    }
}

/// The value at `bar_idx`, NaN past the end (never panics; NaN fails every comparison).
#[inline]
pub(crate) fn at(values: &[f64], bar_idx: usize) -> f64 {
    values.get(bar_idx).copied().unwrap_or(f64::NAN)
}
