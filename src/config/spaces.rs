//! The search space presets (`config/optimizer/*.yaml`), embedded, and which space the
//! Optimize page starts from for a base config. The list comes from the engine's strategy
//! registry: each strategy's definition names its spaces, its default first.

use genesis_engine::strategy::registry;

/// The YAML text of space preset `name`.
pub fn text(name: &str) -> Option<&'static str> {
    registry::spaces()
        .find(|(n, _, _)| *n == name)
        .map(|(_, _, yaml)| yaml)
}

/// The first space preset made for `strategy` (a strategy name, as in `strategy:`).
pub fn default_for(strategy: &str) -> Option<&'static str> {
    registry::spaces()
        .find(|(_, s, _)| *s == strategy)
        .map(|(name, _, _)| name)
}

/// The space text the Optimize page starts from for a base config: `preset` names it when
/// it is a preset, `strategy` is its `strategy:`, and `generated` the config's own default
/// space when the engine makes one (a rules config's params, from half to twice their
/// values: `rules::default_space`, which the worker's config check answers).
///
/// A rules config starts from its generated space, whatever its params are called; a
/// space preset of the preset's name follows it, commented out, to swap in. Another
/// strategy starts from the space preset of the preset's name, else its strategy's default.
pub fn starting_space(
    preset: Option<&str>,
    strategy: &str,
    generated: Option<&str>,
) -> Option<String> {
    let own = preset.and_then(text);
    match generated {
        Some(generated) => Some(match (preset, own) {
            (Some(name), Some(file)) => {
                let commented: String = file
                    .lines()
                    .map(|line| {
                        if line.is_empty() {
                            "#\n".to_string()
                        } else {
                            format!("# {line}\n")
                        }
                    })
                    .collect();
                format!(
                    "{generated}\n# The preset's own space (config/optimizer/{name}.yaml): to use it,\n\
                     # delete the lines above and uncomment these.\n{commented}"
                )
            }
            _ => generated.to_string(),
        }),
        None => own
            .or_else(|| default_for(strategy).and_then(text))
            .map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genesis_engine::strategy::rules::default_space;
    use genesis_engine::strategy::{presets, StrategyConfig, StrategyParams};
    use genesis_optimizer::SearchSpace;
    use genesis_study::space_check::check_space;

    fn fits(space_yaml: &str, base: &StrategyConfig, what: &str) -> SearchSpace {
        let space =
            SearchSpace::from_yaml_str(space_yaml).unwrap_or_else(|e| panic!("{what}: {e}"));
        check_space(&space, base).unwrap_or_else(|e| panic!("{what}: {e}"));
        space
    }

    #[test]
    fn every_space_preset_fits_the_preset_it_is_made_for() {
        for (name, strategy, yaml) in registry::spaces() {
            // A space named as a preset is that preset's; the others are their strategy's
            // default preset's (`genesis_tpe` is for `genesis`).
            let base = StrategyConfig::preset(name)
                .or_else(|_| StrategyConfig::preset(strategy))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            fits(yaml, &base, name);
        }
    }

    #[test]
    fn every_preset_starts_from_a_space_that_fits_it() {
        for preset in presets::names() {
            let base = StrategyConfig::preset(preset).unwrap();
            let generated = match base.params() {
                StrategyParams::Rules(params) => Some(default_space(&params.spec)),
                _ => None,
            };
            let text = starting_space(Some(preset), base.kind().as_str(), generated.as_deref())
                .unwrap_or_else(|| panic!("{preset} has no starting space"));
            let space = fits(&text, &base, preset);
            if let Some(generated) = generated {
                assert!(text.starts_with(&generated), "{preset}: {text}");
                let StrategyParams::Rules(params) = base.params() else {
                    unreachable!()
                };
                let expected: Vec<String> = params
                    .spec
                    .params
                    .keys()
                    .map(|k| format!("params.{k}"))
                    .collect();
                assert_eq!(space.leaf_paths(), expected, "{preset}");
            }
        }
    }

    #[test]
    fn a_rules_preset_with_a_space_file_keeps_it_commented_after_its_generated_space() {
        let base = StrategyConfig::preset("rules_sma_cross").unwrap();
        let StrategyParams::Rules(params) = base.params() else {
            panic!("rules_sma_cross is a rules config")
        };
        let generated = default_space(&params.spec);
        let offered = starting_space(Some("rules_sma_cross"), "rules", Some(&generated)).unwrap();
        let file = offered.split_once("uncomment these.\n").unwrap().1;
        let uncommented: String = file
            .lines()
            .map(|line| {
                line.strip_prefix("# ")
                    .unwrap_or(line.trim_start_matches('#'))
            })
            .collect::<Vec<_>>()
            .join("\n");
        fits(&uncommented, &base, "the commented rules_sma_cross space");
        assert!(uncommented.contains("high: 200"), "{uncommented}");
        // The Backtest page's config is no preset: its generated space alone.
        assert_eq!(
            starting_space(None, "rules", Some(&generated)),
            Some(generated)
        );
        assert_eq!(
            starting_space(None, "sma_cross", None).as_deref(),
            text("sma_cross")
        );
    }
}
