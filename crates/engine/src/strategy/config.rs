//! A strategy configuration: one YAML (or JSON) document, parsed into a validated
//! [`StrategyConfig`], with a canonical JSON form and its fingerprint.
//!
//! ```yaml
//! strategy: sma_cross      # which strategy; its own keys sit at the top level
//! fast_period: 10
//! slow_period: 20
//! features: {}             # FeatureParams (genesis and the feature export read it)
//! backtest: {commission: 0.002, whole_units: true}
//! constraints: {min_trades: 10}
//! ```
//!
//! Parsing goes YAML text → [`serde_json::Value`] → typed structs with unknown keys denied,
//! through `serde_path_to_error`, so every error names its dotted key
//! (`thresholds.regime_proba.trend: expected a number, found string "high"`), and an unknown
//! key suggests the nearest known one (`thresholds.entry_conf_overal: unknown key; did you
//! mean entry_conf_overall?`). Then every range and consistency rule is checked. A
//! `StrategyConfig` value is therefore always valid.
//!
//! The canonical form ([`StrategyConfig::to_value`]) lists every key with its effective
//! value (defaults filled in) with keys sorted; [`StrategyConfig::fingerprint`] is the
//! SHA-256 of its compact text. Two configs that run the same backtest have the same
//! fingerprint however they were written, and any change of a value changes it. The
//! optimizer merges a trial's dotted parameters into the canonical value
//! ([`StrategyConfig::with_params`]), re-parses and fingerprints the effective config.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::error::StrategyError;
use super::keys::{self, canonical_json, deserialize_at, join_key};
use super::presets;
pub use super::registry::{StrategyKind, StrategyParams};
use crate::backtest::BacktestConfig;
use crate::features::FeatureParams;
use crate::score::Constraints;

/// The keys every strategy config has besides its strategy's own.
pub const COMMON_KEYS: [&str; 4] = ["strategy", "features", "backtest", "constraints"];

/// A validated strategy configuration. Build one with [`StrategyConfig::from_yaml_str`],
/// [`StrategyConfig::from_value`] or [`StrategyConfig::preset`]; it cannot hold an invalid
/// value.
///
/// It serialises as its canonical value (the flat YAML shape) and deserialises through
/// [`StrategyConfig::from_value`], validation included. That needs a self-describing format
/// (JSON, `serde_wasm_bindgen`); over a binary format send [`StrategyConfig::to_value`]'s
/// text.
#[derive(Clone, Debug, PartialEq)]
pub struct StrategyConfig {
    features: FeatureParams,
    backtest: BacktestConfig,
    constraints: Constraints,
    params: StrategyParams,
    /// Computed once at construction: the config never changes afterwards.
    fingerprint: String,
}

impl StrategyConfig {
    /// Parses one YAML (or JSON, which is YAML) document. `source_name` (a file name,
    /// `preset genesis`) prefixes every error message.
    pub fn from_yaml_str(text: &str, source_name: &str) -> Result<StrategyConfig, StrategyError> {
        let value = parse_yaml(text).map_err(|err| err.with_source(source_name))?;
        StrategyConfig::from_value(value).map_err(|err| err.with_source(source_name))
    }

    /// Parses and validates a config value (the flat YAML shape).
    pub fn from_value(value: Value) -> Result<StrategyConfig, StrategyError> {
        let Value::Object(mut map) = value else {
            return Err(StrategyError::invalid(
                "(top level)",
                format!(
                    "expected a mapping of keys starting with `strategy:`, found {}",
                    describe(&value)
                ),
            ));
        };
        let kind = match map.remove("strategy") {
            None => {
                return Err(StrategyError::invalid(
                    "strategy",
                    format!("missing required key; one of {}", kind_names()),
                ))
            }
            Some(Value::String(name)) => StrategyKind::from_name(&name).ok_or_else(|| {
                let names: Vec<String> = StrategyKind::ALL
                    .iter()
                    .map(|k| k.as_str().to_owned())
                    .collect();
                let hint = keys::nearest(&name, &names)
                    .map(|near| format!("did you mean {near}? "))
                    .unwrap_or_default();
                StrategyError::invalid(
                    "strategy",
                    format!(
                        "unknown strategy `{name}`; {hint}the strategies are {}",
                        kind_names()
                    ),
                )
            })?,
            Some(other) => {
                return Err(StrategyError::invalid(
                    "strategy",
                    format!(
                        "expected a strategy name ({}), found {}",
                        kind_names(),
                        describe(&other)
                    ),
                ))
            }
        };
        // A section left empty in YAML (`features:` with every line commented out) is null:
        // read it as an empty mapping, all defaults.
        let mut section = |name: &str| match map.remove(name) {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(value) => value,
        };
        let features: FeatureParams = deserialize_at(section("features"), "features", &[])?;
        let backtest: BacktestConfig = deserialize_at(section("backtest"), "backtest", &[])?;
        let constraints: Constraints = deserialize_at(section("constraints"), "constraints", &[])?;
        let params = StrategyParams::parse(kind, Value::Object(map), &COMMON_KEYS)?;
        let mut config = StrategyConfig {
            features,
            backtest,
            constraints,
            params,
            fingerprint: String::new(),
        };
        config.validate()?;
        let digest = Sha256::digest(config.canonical_json().as_bytes());
        config.fingerprint = digest.iter().map(|byte| format!("{byte:02x}")).collect();
        Ok(config)
    }

    /// The embedded preset `name` (see [`presets::PRESETS`]).
    pub fn preset(name: &str) -> Result<StrategyConfig, StrategyError> {
        let text = presets::text(name).ok_or_else(|| StrategyError::UnknownPreset {
            name: name.to_owned(),
            known: presets::names().map(str::to_owned).collect(),
        })?;
        StrategyConfig::from_yaml_str(text, &format!("preset {name}"))
    }

    fn validate(&self) -> Result<(), StrategyError> {
        self.features.validate()?;
        self.backtest
            .validate()
            .map_err(|err| backtest_invalid(err.in_section("backtest")))?;
        self.constraints.validate().map_err(backtest_invalid)?;
        self.params.validate()
    }

    /// The canonical value: every key with its effective value, keys sorted at every level.
    pub fn to_value(&self) -> Value {
        let mut map = Map::new();
        map.insert(
            "strategy".to_owned(),
            Value::String(self.kind().as_str().to_owned()),
        );
        // These serialisations cannot fail: plain structs with string keys and numbers that
        // validation keeps finite.
        let sections = [
            ("features", serde_json::to_value(&self.features)),
            ("backtest", serde_json::to_value(&self.backtest)),
            ("constraints", serde_json::to_value(&self.constraints)),
        ];
        for (name, value) in sections {
            map.insert(name.to_owned(), value.unwrap_or(Value::Null));
        }
        if let Value::Object(own) = self.params.to_value() {
            map.extend(own);
        }
        keys::sorted(Value::Object(map))
    }

    /// The canonical value as compact text (sorted keys, no whitespace): what
    /// [`StrategyConfig::fingerprint`] hashes.
    pub fn canonical_json(&self) -> String {
        canonical_json(&self.to_value())
    }

    /// SHA-256 of [`StrategyConfig::canonical_json`], as 64 lowercase hex digits.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// This config with dotted-path values set (`thresholds.regime_proba.trend`,
    /// `risk_map[0][1]`), re-parsed and validated: how a trial's parameters become its
    /// effective config. Missing intermediate mappings are created.
    pub fn with_params<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, Value)>,
    ) -> Result<StrategyConfig, StrategyError> {
        let mut value = self.to_value();
        for (path, item) in params {
            set_dotted(&mut value, path, item)?;
        }
        StrategyConfig::from_value(value)
    }

    pub fn kind(&self) -> StrategyKind {
        self.params.kind()
    }

    pub fn features(&self) -> &FeatureParams {
        &self.features
    }

    pub fn backtest(&self) -> &BacktestConfig {
        &self.backtest
    }

    pub fn constraints(&self) -> &Constraints {
        &self.constraints
    }

    pub fn params(&self) -> &StrategyParams {
        &self.params
    }
}

impl Serialize for StrategyConfig {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for StrategyConfig {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        StrategyConfig::from_value(value).map_err(serde::de::Error::custom)
    }
}

/// YAML text to a JSON value; a syntax error names its line and column. The text goes
/// through YAML's own value first because that is where a duplicated key is an error (a
/// direct JSON value would keep the last one silently).
pub(crate) fn parse_yaml(text: &str) -> Result<Value, StrategyError> {
    let yaml = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text).map_err(|err| {
        let (line, column) = err
            .location()
            .map_or((0, 0), |location| (location.line(), location.column()));
        let message = err.to_string();
        // serde_yaml_ng appends " at line L column C" itself; the variant carries them.
        let message = match message.find(" at line ") {
            Some(cut) => message[..cut].to_owned(),
            None => message,
        };
        StrategyError::Syntax {
            source_name: None,
            line,
            column,
            message,
        }
    })?;
    serde_json::to_value(&yaml).map_err(|err| {
        StrategyError::invalid("(top level)", format!("not representable as JSON: {err}"))
    })
}

/// Sets `path` (dots between keys, `[k]` for list items) inside `root` to `item`.
pub fn set_dotted(root: &mut Value, path: &str, item: Value) -> Result<(), StrategyError> {
    let segments = split_path(path)?;
    let mut node = root;
    let mut walked = String::new();
    for (k, segment) in segments.iter().enumerate() {
        let is_last = k + 1 == segments.len();
        match segment {
            Segment::Key(key) => {
                if node.is_null() {
                    *node = Value::Object(Map::new());
                }
                let Value::Object(map) = node else {
                    return Err(StrategyError::invalid(
                        if walked.is_empty() {
                            path.to_owned()
                        } else {
                            walked
                        },
                        format!("cannot set `{path}`: this key is not a mapping"),
                    ));
                };
                walked = join_key(&walked, key);
                if is_last {
                    map.insert((*key).to_owned(), item);
                    return Ok(());
                }
                node = map.entry((*key).to_owned()).or_insert(Value::Null);
            }
            Segment::Index(index) => {
                let Value::Array(items) = node else {
                    return Err(StrategyError::invalid(
                        walked,
                        format!("cannot set `{path}`: this key is not a list"),
                    ));
                };
                walked = format!("{walked}[{index}]");
                let len = items.len();
                let Some(slot) = items.get_mut(*index) else {
                    return Err(StrategyError::invalid(
                        walked,
                        format!("cannot set `{path}`: the list has {len} items"),
                    ));
                };
                if is_last {
                    *slot = item;
                    return Ok(());
                }
                node = slot;
            }
        }
    }
    Err(StrategyError::invalid(path, "an empty parameter path"))
}

enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

fn split_path(path: &str) -> Result<Vec<Segment<'_>>, StrategyError> {
    let bad = || {
        StrategyError::invalid(
            path,
            "not a dotted key path like `thresholds.regime_proba.trend` or `risk_map[0][1]`",
        )
    };
    let mut segments = Vec::new();
    for part in path.split('.') {
        let (key, mut indices) = match part.find('[') {
            Some(open) => (&part[..open], &part[open..]),
            None => (part, ""),
        };
        if key.is_empty() {
            return Err(bad());
        }
        segments.push(Segment::Key(key));
        while let Some(rest) = indices.strip_prefix('[') {
            let close = rest.find(']').ok_or_else(bad)?;
            let index = rest[..close].parse::<usize>().map_err(|_| bad())?;
            segments.push(Segment::Index(index));
            indices = &rest[close + 1..];
        }
        if !indices.is_empty() {
            return Err(bad());
        }
    }
    Ok(segments)
}

fn backtest_invalid(err: crate::backtest::BacktestError) -> StrategyError {
    match err {
        crate::backtest::BacktestError::InvalidConfig { key, message } => StrategyError::Invalid {
            source_name: None,
            key,
            message,
        },
        other => StrategyError::Backtest(other),
    }
}

fn kind_names() -> String {
    StrategyKind::ALL
        .iter()
        .map(|kind| kind.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing (null)".to_owned(),
        Value::Bool(flag) => format!("boolean `{flag}`"),
        Value::Number(number) => format!("number {number}"),
        Value::String(text) => format!("string \"{text}\""),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}
