//! The search space presets (`config/optimizer/*.yaml`), embedded, and which one fits a
//! strategy by default.

/// `(name, strategy, yaml)`.
pub const SPACES: [(&str, &str, &str); 6] = [
    (
        "genesis_tpe",
        "genesis",
        include_str!("../../config/optimizer/genesis_tpe.yaml"),
    ),
    (
        "genesis_grid",
        "genesis",
        include_str!("../../config/optimizer/genesis_grid.yaml"),
    ),
    (
        "sma_cross",
        "sma_cross",
        include_str!("../../config/optimizer/sma_cross.yaml"),
    ),
    (
        "rsi_reversion",
        "rsi_reversion",
        include_str!("../../config/optimizer/rsi_reversion.yaml"),
    ),
    (
        "bollinger_breakout",
        "bollinger_breakout",
        include_str!("../../config/optimizer/bollinger_breakout.yaml"),
    ),
    (
        "donchian_breakout",
        "donchian_breakout",
        include_str!("../../config/optimizer/donchian_breakout.yaml"),
    ),
];

pub fn text(name: &str) -> Option<&'static str> {
    SPACES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, yaml)| *yaml)
}

/// The first space preset made for `strategy`.
pub fn default_for(strategy: &str) -> Option<&'static str> {
    SPACES
        .iter()
        .find(|(_, s, _)| *s == strategy)
        .map(|(name, _, _)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use genesis_engine::strategy::StrategyConfig;
    use genesis_optimizer::SearchSpace;
    use genesis_study::space_check::check_space;

    #[test]
    fn every_space_preset_fits_its_strategy_preset() {
        for (name, strategy, yaml) in SPACES {
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
