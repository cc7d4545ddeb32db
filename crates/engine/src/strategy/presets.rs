//! The strategy presets of `config/strategy/`, embedded in the binary so the CLI and the
//! browser app list and load them without a file system.

/// `(name, YAML text)` of every preset, in display order. The name is the file stem.
pub const PRESETS: [(&str, &str); 5] = [
    (
        "genesis",
        include_str!("../../../../config/strategy/genesis.yaml"),
    ),
    (
        "sma_cross",
        include_str!("../../../../config/strategy/sma_cross.yaml"),
    ),
    (
        "rsi_reversion",
        include_str!("../../../../config/strategy/rsi_reversion.yaml"),
    ),
    (
        "bollinger_breakout",
        include_str!("../../../../config/strategy/bollinger_breakout.yaml"),
    ),
    (
        "donchian_breakout",
        include_str!("../../../../config/strategy/donchian_breakout.yaml"),
    ),
];

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
