//! The one list of strategies. A strategy is one [`Definition`] in its own file (its name,
//! its params type, its preset, its default search spaces, how it builds over a
//! [`FeatureStore`]) and one line in [`registry!`] below. Everything that enumerates
//! strategies comes from that line: [`StrategyKind`], [`StrategyParams`] (parse, validate,
//! canonical value), the run's dispatch, the presets the CLI and the app list, and the
//! default search spaces.
//!
//! Dispatch stays static: [`StrategyParams::visit`] builds the concrete strategy and hands it
//! to a generic [`Visitor`], so the backtest loop is monomorphised per strategy and no
//! per-bar call goes through a `dyn`.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::bollinger_breakout::BollingerBreakoutDefinition;
use super::donchian_breakout::DonchianBreakoutDefinition;
use super::error::StrategyError;
use super::genesis::GenesisDefinition;
use super::rsi_reversion::RsiReversionDefinition;
use super::rules::RulesDefinition;
use super::sma_cross::SmaCrossDefinition;
use crate::backtest::Strategy;
use crate::features::{FeatureParams, FeatureStore};

/// A strategy's own config keys (the top-level keys besides the shared sections): how they
/// are read, written back in canonical form, and checked.
pub trait ConfigParams: Sized + Clone + fmt::Debug + PartialEq {
    /// Reads the keys; `extra_keys` are the other valid top-level keys (for "did you mean"
    /// suggestions).
    fn parse(own_keys: Value, extra_keys: &[&str]) -> Result<Self, StrategyError>;
    /// The keys with their effective values (a JSON object).
    fn to_value(&self) -> Value;
    /// Every range and consistency rule of the keys.
    fn check(&self) -> Result<(), StrategyError>;
}

/// [`ConfigParams`] for params structs that serde reads whole (unknown keys denied) and that
/// have a `validate` method; a strategy's file says `serde_config_params!(MyParams);`.
macro_rules! serde_config_params {
    ($params:ty) => {
        impl $crate::strategy::registry::ConfigParams for $params {
            fn parse(
                own_keys: ::serde_json::Value,
                extra_keys: &[&str],
            ) -> Result<Self, $crate::strategy::StrategyError> {
                $crate::strategy::keys::deserialize_at(own_keys, "", extra_keys)
            }

            fn to_value(&self) -> ::serde_json::Value {
                // Plain structs of numbers that validation keeps finite always serialise.
                ::serde_json::to_value(self).unwrap_or(::serde_json::Value::Null)
            }

            fn check(&self) -> Result<(), $crate::strategy::StrategyError> {
                self.validate()
            }
        }
    };
}

pub(crate) use serde_config_params;

/// Everything the lab knows about one strategy.
pub trait Definition {
    /// The strategy's own config keys.
    type Params: ConfigParams;
    /// The strategy bound to one dataset's features.
    type Strategy: Strategy;
    /// The name in `strategy:` (snake case, as [`StrategyKind`] serialises).
    const NAME: &'static str;
    /// `(preset name, YAML text)` of its presets (`config/strategy/`, embedded), the default
    /// first.
    const PRESETS: &'static [(&'static str, &'static str)];
    /// `(space name, YAML text)` of its search space presets (`config/optimizer/`), the
    /// default first.
    const SPACES: &'static [(&'static str, &'static str)];

    /// The strategy over `store`'s dataset, taking (computing once) the features it reads.
    fn build(
        store: &mut FeatureStore,
        features: &FeatureParams,
        params: &Self::Params,
    ) -> Result<Self::Strategy, StrategyError>;
}

/// What to do with a built strategy, generic over its concrete type (static dispatch).
pub trait Visitor {
    type Output;
    fn visit<S: Strategy>(self, strategy: S) -> Result<Self::Output, StrategyError>;
}

macro_rules! registry {
    ($($variant:ident: $definition:ty),+ $(,)?) => {
        /// Which strategy a config runs.
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum StrategyKind {
            $($variant),+
        }

        impl StrategyKind {
            /// Every strategy, in display order.
            pub const ALL: [StrategyKind; [$(StrategyKind::$variant),+].len()] =
                [$(StrategyKind::$variant),+];

            /// The name used in `strategy:`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(StrategyKind::$variant => <$definition as Definition>::NAME),+
                }
            }

            /// `(space name, YAML)` of the strategy's search space presets, the default
            /// first.
            pub fn spaces(self) -> &'static [(&'static str, &'static str)] {
                match self {
                    $(StrategyKind::$variant => <$definition as Definition>::SPACES),+
                }
            }
        }

        /// The strategy's own keys.
        #[derive(Clone, Debug, PartialEq)]
        pub enum StrategyParams {
            $($variant(Box<<$definition as Definition>::Params>)),+
        }

        impl StrategyParams {
            pub fn kind(&self) -> StrategyKind {
                match self {
                    $(StrategyParams::$variant(_) => StrategyKind::$variant),+
                }
            }

            pub(crate) fn parse(
                kind: StrategyKind,
                own_keys: Value,
                extra_keys: &[&str],
            ) -> Result<StrategyParams, StrategyError> {
                Ok(match kind {
                    $(StrategyKind::$variant => StrategyParams::$variant(Box::new(
                        <<$definition as Definition>::Params as ConfigParams>::parse(
                            own_keys,
                            extra_keys,
                        )?,
                    ))),+
                })
            }

            pub(crate) fn validate(&self) -> Result<(), StrategyError> {
                match self {
                    $(StrategyParams::$variant(params) => params.check()),+
                }
            }

            pub(crate) fn to_value(&self) -> Value {
                match self {
                    $(StrategyParams::$variant(params) => params.to_value()),+
                }
            }

            /// Builds the strategy over `store` and hands it to `visitor`.
            pub fn visit<V: Visitor>(
                &self,
                store: &mut FeatureStore,
                features: &FeatureParams,
                visitor: V,
            ) -> Result<V::Output, StrategyError> {
                match self {
                    $(StrategyParams::$variant(params) => visitor.visit(
                        <$definition as Definition>::build(store, features, params)?,
                    )),+
                }
            }
        }

        /// `(name, YAML text)` of every strategy's presets, in display order.
        pub const PRESETS: [(&str, &str); 0 $(+ <$definition as Definition>::PRESETS.len())+] =
            concat_presets(&[$(<$definition as Definition>::PRESETS),+]);
    };
}

/// The presets of every strategy in one array (a `const fn`, so [`PRESETS`] stays a constant).
const fn concat_presets<const N: usize>(
    parts: &[&[(&'static str, &'static str)]],
) -> [(&'static str, &'static str); N] {
    let mut out = [("", ""); N];
    let mut k = 0;
    let mut i = 0;
    while i < parts.len() {
        let mut j = 0;
        while j < parts[i].len() {
            out[k] = parts[i][j];
            k += 1;
            j += 1;
        }
        i += 1;
    }
    out
}

registry! {
    Genesis: GenesisDefinition,
    SmaCross: SmaCrossDefinition,
    RsiReversion: RsiReversionDefinition,
    BollingerBreakout: BollingerBreakoutDefinition,
    DonchianBreakout: DonchianBreakoutDefinition,
    Rules: RulesDefinition,
}

impl StrategyKind {
    pub fn from_name(name: &str) -> Option<StrategyKind> {
        StrategyKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for StrategyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every search space preset: `(space name, strategy name, YAML text)`, strategies in
/// display order, each strategy's default first.
pub fn spaces() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    StrategyKind::ALL.into_iter().flat_map(|kind| {
        kind.spaces()
            .iter()
            .map(move |(name, yaml)| (*name, kind.as_str(), *yaml))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_name_is_the_kinds_serde_name_and_its_preset_names_it() {
        for kind in StrategyKind::ALL {
            let serialised = serde_json::to_value(kind).unwrap();
            assert_eq!(serialised, Value::String(kind.as_str().to_owned()));
            let runs_it = |text: &str| text.contains(&format!("strategy: {}\n", kind.as_str()));
            assert!(
                PRESETS.iter().any(|(_, text)| runs_it(text)),
                "no preset runs {kind}"
            );
            assert!(!kind.spaces().is_empty(), "{kind} has no default space");
        }
    }
}
