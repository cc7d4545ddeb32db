//! The search space presets (`config/optimizer/*.yaml`), embedded, and which one fits a
//! strategy by default. The list comes from the engine's strategy registry: each strategy's
//! definition names its spaces, its default first.

use genesis_engine::strategy::registry;

/// The YAML text of space preset `name`.
pub fn text(name: &str) -> Option<&'static str> {
    registry::spaces()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, yaml)| yaml)
}

/// The first space preset made for `strategy`.
pub fn default_for(strategy: &str) -> Option<&'static str> {
    registry::spaces()
        .find(|(_, s, _)| *s == strategy)
        .map(|(name, _, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use genesis_engine::strategy::StrategyConfig;
    use genesis_optimizer::SearchSpace;
    use genesis_study::space_check::check_space;

    #[test]
    fn every_space_preset_fits_its_strategy_preset() {
        for (name, strategy, yaml) in registry::spaces() {
            let space = SearchSpace::from_yaml_str(yaml).unwrap_or_else(|e| panic!("{name}: {e}"));
            let base = StrategyConfig::preset(strategy).unwrap();
            check_space(&space, &base).unwrap_or_else(|e| panic!("{name} against {strategy}: {e}"));
        }
        for strategy in genesis_engine::strategy::presets::names() {
            assert!(
                default_for(strategy).is_some(),
                "{strategy} has a space preset"
            );
        }
    }
}
