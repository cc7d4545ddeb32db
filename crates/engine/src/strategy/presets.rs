//! The strategy presets of `config/strategy/`, embedded in the binary so the CLI and the
//! browser app list and load them without a file system. The list comes from the strategy
//! registry: each strategy's definition names its preset.

pub use super::registry::PRESETS;

/// The preset names, in display order.
pub fn names() -> impl Iterator<Item = &'static str> {
    PRESETS.iter().map(|(name, _)| *name)
}

/// The YAML text of preset `name`.
pub fn text(name: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|(candidate, _)| *candidate == name)
        .map(|(_, text)| *text)
}
