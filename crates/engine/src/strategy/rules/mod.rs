//! `rules`: a strategy a trader writes as entry and exit rules in a small language.
//!
//! ```yaml
//! strategy: rules
//! params: {fast: 10, slow: 20}      # named numbers, each a config key a space can tune
//! require: [fast < slow]            # conditions on params; failing one fails the config
//! rules:
//!   long_entry:  crossover(sma(close, fast), sma(close, slow))
//!   short_entry: crossunder(sma(close, fast), sma(close, slow))
//! size: all_in
//! ```
//!
//! Rule text goes through [`syntax`] (text → tree, bounded against hostile input), then
//! [`program`] (names, types, constant folding, common sub-expressions → a column program),
//! when the config is read; a run evaluates the program over the dataset once (indicators
//! from the feature store's cache) and the order loop reads one byte of flags per bar.
//! Decisions happen at a bar's close and fill at the next open, as for every strategy.

pub mod functions;
pub mod program;
pub mod syntax;

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::check;
use super::error::StrategyError;
use super::keys::deserialize_at;
use super::registry::{ConfigParams, Definition};
use crate::backtest::{Decision, Entry, ExitRules, Level, PositionView, Side, Sizing, Strategy};
use crate::features::{FeatureError, FeatureParams, FeatureStore};
use functions::Pane;
use program::{Compiler, Evaluation, Kind, Program, Slot};
use syntax::{line_column, SyntaxError};

/// The most params, require conditions and plots a config may have.
pub const MAX_PARAMS: usize = 64;
pub const MAX_REQUIRE: usize = 32;
pub const MAX_PLOTS: usize = 16;

/// The rule texts, by the name of the rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleTexts {
    /// Flat: open a long. Short: reverse to a long.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_entry: Option<String>,
    /// Flat: open a short (shorts are traded exactly when this is given). Long: reverse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_entry: Option<String>,
    /// Long: close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub long_exit: Option<String>,
    /// Short: close.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_exit: Option<String>,
    /// A price distance from the fill, evaluated at the decision bar and fixed at entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_loss: Option<String>,
    /// A price distance from the fill, evaluated at the decision bar and fixed at entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub take_profit: Option<String>,
    /// A price distance re-evaluated at every close; the stop only tightens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trailing_stop: Option<String>,
}

impl RuleTexts {
    /// `(name, text, kind)` of every rule given, in a fixed order.
    fn given(&self) -> impl Iterator<Item = (&'static str, &str, Kind)> {
        [
            ("long_entry", &self.long_entry, Kind::Condition),
            ("short_entry", &self.short_entry, Kind::Condition),
            ("long_exit", &self.long_exit, Kind::Condition),
            ("short_exit", &self.short_exit, Kind::Condition),
            ("stop_loss", &self.stop_loss, Kind::Number),
            ("take_profit", &self.take_profit, Kind::Number),
            ("trailing_stop", &self.trailing_stop, Kind::Number),
        ]
        .into_iter()
        .filter_map(|(name, text, kind)| text.as_deref().map(|text| (name, text, kind)))
    }
}

/// How a rules strategy sizes its positions.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum Size {
    /// All the equity (backtesting.py's default), capped by `backtest.max_leverage`.
    AllIn,
    /// Notional as a fraction of equity at the fill.
    EquityFraction(f64),
    /// Risk this fraction of equity between the fill and the stop (needs `stop_loss`).
    RiskFraction(f64),
    /// A fixed number of units.
    Units(f64),
}

fn all_in() -> Size {
    Size::AllIn
}

/// The `rules` keys as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesSpec {
    #[serde(default)]
    pub params: BTreeMap<String, f64>,
    #[serde(default)]
    pub require: Vec<String>,
    pub rules: RuleTexts,
    #[serde(default = "all_in")]
    pub size: Size,
    #[serde(default)]
    pub max_hold_bars: Option<u32>,
    #[serde(default)]
    pub plots: BTreeMap<String, String>,
}

/// The rules compiled: one program and the slot of each rule.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Compiled {
    pub program: Program,
    long_entry: Option<Slot>,
    short_entry: Option<Slot>,
    long_exit: Option<Slot>,
    short_exit: Option<Slot>,
    stop_loss: Option<Slot>,
    take_profit: Option<Slot>,
    trailing_stop: Option<Slot>,
    /// `(name, slot)` of each plot, by name.
    pub plots: Vec<(String, Slot)>,
}

/// The `rules` strategy's own keys, with their compiled program.
#[derive(Clone, Debug)]
pub struct RulesParams {
    pub spec: RulesSpec,
    pub compiled: Arc<Compiled>,
}

impl PartialEq for RulesParams {
    /// The program follows from the keys.
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

fn rule_error(key: &str, text: &str, err: SyntaxError) -> StrategyError {
    let (line, column) = line_column(text, err.span.start);
    StrategyError::Rule {
        source_name: None,
        key: key.to_owned(),
        line,
        column,
        message: err.message,
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic() || first == '_')
        && chars.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// Compiles `spec`: every rule, require condition and plot, or the first error by key.
pub fn compile(spec: &RulesSpec) -> Result<Compiled, StrategyError> {
    let mut errors = Vec::new();
    let compiled = compile_collecting(spec, &mut errors, true);
    match errors.into_iter().next() {
        Some(err) => Err(err),
        None => Ok(compiled),
    }
}

/// Every error of `spec`, each rule, require condition and plot checked on its own (what
/// `genesis rules check` prints and the editor marks); empty when it compiles.
pub fn check_all(spec: &RulesSpec) -> Vec<StrategyError> {
    let mut errors = Vec::new();
    compile_collecting(spec, &mut errors, false);
    errors
}

/// Compiles piece by piece, pushing errors; with `stop_at_first` it returns at the first.
fn compile_collecting(
    spec: &RulesSpec,
    errors: &mut Vec<StrategyError>,
    stop_at_first: bool,
) -> Compiled {
    let mut compiled = Compiled::default();
    if let Err(err) = check_params(&spec.params) {
        // Names that cannot be params make every rule's errors misleading.
        errors.push(err);
        return compiled;
    }
    let mut compiler = Compiler::new(&spec.params);
    macro_rules! attempt {
        ($result:expr) => {
            match $result {
                Ok(value) => Some(value),
                Err(err) => {
                    errors.push(err);
                    if stop_at_first {
                        return compiled;
                    }
                    None
                }
            }
        };
    }
    if spec.require.len() > MAX_REQUIRE {
        attempt!(Err::<(), _>(StrategyError::invalid(
            "require",
            format!(
                "{} conditions; the most is {MAX_REQUIRE}",
                spec.require.len()
            ),
        )));
    }
    for (i, text) in spec.require.iter().take(MAX_REQUIRE).enumerate() {
        attempt!(require(&mut compiler, spec, i, text));
    }
    let rules = &spec.rules;
    if rules.long_entry.is_none() && rules.short_entry.is_none() {
        attempt!(Err::<(), _>(StrategyError::invalid(
            "rules",
            "needs long_entry or short_entry (or both): without an entry the strategy never trades",
        )));
    }
    for (name, text, kind) in rules.given() {
        let key = format!("rules.{name}");
        let Some(slot) = attempt!(piece(&mut compiler, &key, text, kind, name)) else {
            continue;
        };
        let target = match name {
            "long_entry" => &mut compiled.long_entry,
            "short_entry" => &mut compiled.short_entry,
            "long_exit" => &mut compiled.long_exit,
            "short_exit" => &mut compiled.short_exit,
            "stop_loss" => &mut compiled.stop_loss,
            "take_profit" => &mut compiled.take_profit,
            _ => &mut compiled.trailing_stop,
        };
        *target = Some(slot);
    }
    if spec.plots.len() > MAX_PLOTS {
        attempt!(Err::<(), _>(StrategyError::invalid(
            "plots",
            format!("{} plots; the most is {MAX_PLOTS}", spec.plots.len()),
        )));
    }
    for (name, text) in spec.plots.iter().take(MAX_PLOTS) {
        let key = format!("plots.{name}");
        if !is_identifier(name) {
            attempt!(Err::<(), _>(StrategyError::invalid(
                key,
                "a plot's name is letters, digits and _ (not starting with a digit)",
            )));
            continue;
        }
        if let Some(slot) = attempt!(piece(&mut compiler, &key, text, Kind::Number, "a plot")) {
            compiled.plots.push((name.clone(), slot));
        }
    }
    attempt!(check_size(spec));
    attempt!(check::optional_bars("max_hold_bars", spec.max_hold_bars));
    compiled.program = compiler.program;
    compiled
}

/// One rule or plot: parsed, lowered into the shared program, of `kind`.
fn piece<'a>(
    compiler: &mut Compiler<'a>,
    key: &str,
    text: &'a str,
    kind: Kind,
    what: &str,
) -> Result<Slot, StrategyError> {
    let expr = syntax::parse(text).map_err(|err| rule_error(key, text, err))?;
    compiler
        .rule(text, &expr, kind, what)
        .map(|(slot, _)| slot)
        .map_err(|err| rule_error(key, text, err))
}

/// The `i`th require condition: a condition on params alone that holds.
fn require<'a>(
    compiler: &mut Compiler<'a>,
    spec: &RulesSpec,
    i: usize,
    text: &'a str,
) -> Result<(), StrategyError> {
    let key = format!("require[{i}]");
    let expr = syntax::parse(text).map_err(|err| rule_error(&key, text, err))?;
    let (slot, is_series) = compiler
        .rule(text, &expr, Kind::Condition, "a require entry")
        .map_err(|err| rule_error(&key, text, err))?;
    if is_series {
        return Err(StrategyError::invalid(
            key,
            format!(
                "`{}` reads the bars; require is for conditions on params only (fast < slow)",
                text.trim()
            ),
        ));
    }
    if compiler.flag_value(slot) == Some(false) {
        let values: Vec<String> = spec
            .params
            .iter()
            .filter(|(name, _)| mentions(text, name))
            .map(|(name, value)| format!("{name} = {value}"))
            .collect();
        return Err(StrategyError::invalid(
            key,
            format!("`{}` does not hold ({})", text.trim(), values.join(", ")),
        ));
    }
    Ok(())
}

/// True when `text` uses the word `name`.
fn mentions(text: &str, name: &str) -> bool {
    text.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        .any(|word| word == name)
}

fn check_params(params: &BTreeMap<String, f64>) -> Result<(), StrategyError> {
    if params.len() > MAX_PARAMS {
        return Err(StrategyError::invalid(
            "params",
            format!("{} params; the most is {MAX_PARAMS}", params.len()),
        ));
    }
    for (name, value) in params {
        let key = format!("params.{name}");
        if !is_identifier(name) {
            return Err(StrategyError::invalid(
                key,
                "a param's name is letters, digits and _ (not starting with a digit)",
            ));
        }
        let taken = if program::INPUTS.contains(&name.as_str()) {
            Some("an input")
        } else if program::KEYWORDS.contains(&name.as_str()) {
            Some("a keyword")
        } else if functions::lookup(name).is_some() {
            Some("a function")
        } else {
            None
        };
        if let Some(what) = taken {
            return Err(StrategyError::invalid(
                key,
                format!("{name} is {what}; give the param another name"),
            ));
        }
        if !value.is_finite() {
            return Err(StrategyError::invalid(key, "must be a finite number"));
        }
    }
    Ok(())
}

fn check_size(spec: &RulesSpec) -> Result<(), StrategyError> {
    match spec.size {
        Size::AllIn => Ok(()),
        Size::EquityFraction(fraction) => check::equity_fraction("size.equity_fraction", fraction),
        Size::RiskFraction(fraction) => {
            if !(fraction.is_finite() && fraction > 0.0 && fraction <= 1.0) {
                return Err(StrategyError::invalid(
                    "size.risk_fraction",
                    format!("{fraction} must be a fraction of equity above 0 and at most 1"),
                ));
            }
            if spec.rules.stop_loss.is_none() {
                return Err(StrategyError::invalid(
                    "size.risk_fraction",
                    "risks a fraction of equity down to the stop: it needs rules.stop_loss",
                ));
            }
            Ok(())
        }
        Size::Units(units) => {
            if units.is_finite() && units > 0.0 {
                Ok(())
            } else {
                Err(StrategyError::invalid(
                    "size.units",
                    format!("{units} must be a number of units above 0"),
                ))
            }
        }
    }
}

impl ConfigParams for RulesParams {
    fn parse(own_keys: Value, extra_keys: &[&str]) -> Result<Self, StrategyError> {
        let spec: RulesSpec = deserialize_at(own_keys, "", extra_keys)?;
        let compiled = compile(&spec)?;
        Ok(RulesParams {
            spec,
            compiled: Arc::new(compiled),
        })
    }

    fn to_value(&self) -> Value {
        serde_json::to_value(&self.spec).unwrap_or(Value::Null)
    }

    /// Compiling in `parse` checked everything.
    fn check(&self) -> Result<(), StrategyError> {
        Ok(())
    }
}

/// Bits of the per-bar flags byte.
const LONG_ENTRY: u8 = 1;
const SHORT_ENTRY: u8 = 2;
const LONG_EXIT: u8 = 4;
const SHORT_EXIT: u8 = 8;

/// The rules over one dataset: a flags byte per bar and the exit distance columns.
pub struct RulesStrategy {
    flags: Vec<u8>,
    stop_loss: Option<Vec<f64>>,
    take_profit: Option<Vec<f64>>,
    trailing_stop: Option<Vec<f64>>,
    sizing: Sizing,
    max_hold_bars: Option<u32>,
    first_decision_bar: usize,
    /// Bars where both entries held, so neither was taken.
    n_both_entries: usize,
    /// Entries skipped because an exit distance was undefined or not positive.
    n_undefined_exits: usize,
}

impl RulesStrategy {
    pub fn new(
        store: &mut FeatureStore,
        params: &RulesParams,
    ) -> Result<RulesStrategy, StrategyError> {
        let compiled = &*params.compiled;
        let evaluation = Evaluation::run(&compiled.program, store)?;
        let mut flags = vec![0u8; store.candles().len()];
        for (slot, bit) in [
            (compiled.long_entry, LONG_ENTRY),
            (compiled.short_entry, SHORT_ENTRY),
            (compiled.long_exit, LONG_EXIT),
            (compiled.short_exit, SHORT_EXIT),
        ] {
            if let Some(slot) = slot {
                evaluation.set_bit_where(slot, &mut flags, bit);
            }
        }
        let column = |slot: Option<Slot>| slot.map(|slot| evaluation.number_column(slot));
        let first_decision_bar = [compiled.long_entry, compiled.short_entry]
            .into_iter()
            .flatten()
            .map(|slot| compiled.program.warm_up(slot))
            .min()
            .unwrap_or(0);
        let sizing = match params.spec.size {
            Size::AllIn => Sizing::AllIn,
            Size::EquityFraction(fraction) => Sizing::EquityFraction(fraction),
            Size::RiskFraction(fraction) => Sizing::RiskFraction(fraction),
            Size::Units(units) => Sizing::Units(units),
        };
        Ok(RulesStrategy {
            flags,
            stop_loss: column(compiled.stop_loss),
            take_profit: column(compiled.take_profit),
            trailing_stop: column(compiled.trailing_stop),
            sizing,
            max_hold_bars: params.spec.max_hold_bars,
            first_decision_bar,
            n_both_entries: 0,
            n_undefined_exits: 0,
        })
    }

    /// A distance column's value at `bar_idx`: `Err` when it is given but undefined or not
    /// positive there.
    fn distance(column: &Option<Vec<f64>>, bar_idx: usize) -> Result<Option<f64>, ()> {
        match column {
            None => Ok(None),
            Some(values) => match values.get(bar_idx) {
                Some(&distance) if distance.is_finite() && distance > 0.0 => Ok(Some(distance)),
                _ => Err(()),
            },
        }
    }

    fn entry(&mut self, side: Side, bar_idx: usize) -> Decision {
        let exits = (|| {
            Ok::<_, ()>(ExitRules {
                stop: Self::distance(&self.stop_loss, bar_idx)?.map(Level::Distance),
                take_profit: Self::distance(&self.take_profit, bar_idx)?.map(Level::Distance),
                trailing_distance: Self::distance(&self.trailing_stop, bar_idx)?,
                max_hold_bars: self.max_hold_bars,
            })
        })();
        match exits {
            Ok(exits) => Decision::Enter(Entry::new(side, self.sizing).with_exits(exits)),
            Err(()) => {
                self.n_undefined_exits += 1;
                Decision::Hold
            }
        }
    }
}

impl Strategy for RulesStrategy {
    fn first_decision_bar(&self) -> usize {
        self.first_decision_bar
    }

    #[inline]
    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision {
        let flags = self.flags.get(bar_idx).copied().unwrap_or(0);
        let (long, short) = (flags & LONG_ENTRY != 0, flags & SHORT_ENTRY != 0);
        if long && short {
            self.n_both_entries += 1;
        }
        let wanted = match (long, short) {
            (true, false) => Some(Side::Long),
            (false, true) => Some(Side::Short),
            _ => None,
        };
        match (position.side, wanted) {
            (None, Some(side)) => self.entry(side, bar_idx),
            (None, None) => Decision::Hold,
            (Some(held), Some(side)) if held != side => self.entry(side, bar_idx),
            (Some(held), _) => {
                let exit_bit = if held == Side::Long {
                    LONG_EXIT
                } else {
                    SHORT_EXIT
                };
                if flags & exit_bit != 0 {
                    Decision::Exit
                } else if let Some(trail) = &self.trailing_stop {
                    match trail.get(bar_idx) {
                        Some(&distance) if distance.is_finite() && distance > 0.0 => {
                            Decision::SetTrailingDistance(distance)
                        }
                        _ => Decision::Hold,
                    }
                } else {
                    Decision::Hold
                }
            }
        }
    }

    fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.n_both_entries > 0 {
            notes.push(format!(
                "long_entry and short_entry both held at {} decision bar(s): no entry was taken there",
                self.n_both_entries
            ));
        }
        if self.n_undefined_exits > 0 {
            notes.push(format!(
                "{} entr{} skipped: a stop_loss, take_profit or trailing_stop distance was undefined or not positive at the decision bar",
                self.n_undefined_exits,
                if self.n_undefined_exits == 1 { "y was" } else { "ies were" }
            ));
        }
        notes
    }
}

/// `rules` in the registry.
pub struct RulesDefinition;

impl Definition for RulesDefinition {
    type Params = RulesParams;
    type Strategy = RulesStrategy;
    const NAME: &'static str = "rules";
    const PRESETS: &'static [(&'static str, &'static str)] = &[
        (
            "rules_sma_cross",
            include_str!("../../../../../config/strategy/rules_sma_cross.yaml"),
        ),
        (
            "rules_rsi_reversion",
            include_str!("../../../../../config/strategy/rules_rsi_reversion.yaml"),
        ),
        (
            "rules_bollinger_breakout",
            include_str!("../../../../../config/strategy/rules_bollinger_breakout.yaml"),
        ),
        (
            "rules_donchian_breakout",
            include_str!("../../../../../config/strategy/rules_donchian_breakout.yaml"),
        ),
    ];
    const SPACES: &'static [(&'static str, &'static str)] = &[(
        "rules_sma_cross",
        include_str!("../../../../../config/optimizer/rules_sma_cross.yaml"),
    )];

    fn build(
        store: &mut FeatureStore,
        _features: &FeatureParams,
        params: &Self::Params,
    ) -> Result<RulesStrategy, StrategyError> {
        RulesStrategy::new(store, params)
    }
}

/// One plotted series: its name, values at every bar, and its pane.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plot {
    pub name: String,
    pub values: Vec<f64>,
    pub pane: Pane,
}

/// The `plots` of `params` over `store`'s dataset.
pub fn plots(store: &mut FeatureStore, params: &RulesParams) -> Result<Vec<Plot>, FeatureError> {
    let compiled = &*params.compiled;
    if compiled.plots.is_empty() {
        return Ok(Vec::new());
    }
    let evaluation = Evaluation::run(&compiled.program, store)?;
    Ok(compiled
        .plots
        .iter()
        .map(|(name, slot)| Plot {
            name: name.clone(),
            values: evaluation.number_column(*slot),
            pane: program::pane_of(&compiled.program, *slot),
        })
        .collect())
}

#[cfg(test)]
mod tests;

/// A search space over every param of `spec`, the starting point the Optimize page offers
/// for a rules strategy: a whole number from half to twice its value (at least 1), any
/// other number likewise as a float. The ranges are for the trader to edit.
pub fn default_space(spec: &RulesSpec) -> String {
    let mut text = String::from(
        "# The rules' params, from half to twice their values: edit the ranges.\nparams:\n",
    );
    for (name, &value) in &spec.params {
        let line = if value == value.trunc() && value.abs() < 1e9 {
            let value = value as i64;
            let low = (value / 2).max(1);
            let high = (value * 2).max(low + 1);
            format!("  {name}: {{type: int, low: {low}, high: {high}}}\n")
        } else {
            let (a, b) = (value / 2.0, value * 2.0);
            let (low, high) = if a <= b { (a, b) } else { (b, a) };
            format!("  {name}: {{type: float, low: {low}, high: {high}}}\n")
        };
        text.push_str(&line);
    }
    text
}

/// The language reference: inputs, operators and every function with its signature,
/// definition and warm-up (`genesis rules functions`, the app's reference panel).
pub fn reference() -> String {
    let mut text = String::new();
    text.push_str("INPUTS\n");
    text.push_str("  open high low close volume   the bar's prices and volume\n");
    text.push_str(
        "  hl2 hlc3 ohlc4              (high+low)/2, (high+low+close)/3, (open+high+low+close)/4\n",
    );
    text.push_str("  true false, numbers, params  single values, the same at every bar\n\n");
    text.push_str("OPERATORS (loosest first)\n");
    for (ops, meaning) in REFERENCE_OPERATORS {
        text.push_str(&format!("  {ops:<26} {meaning}\n"));
    }
    text.push_str("\nFUNCTIONS (a ta. prefix is accepted: ta.sma)\n");
    for info in functions::FUNCTIONS {
        text.push_str(&format!(
            "  {:<44} -> {}; warm-up {}\n      {}\n",
            info.signature(),
            program::returns_text(info.returns),
            info.warm_up,
            info.definition
        ));
    }
    text.push_str("\nUndefined values (warm-up, division by zero) make every comparison false, so no rule fires during warm-up.\n");
    text
}

/// The operators of the reference, loosest first.
pub const REFERENCE_OPERATORS: &[(&str, &str)] = &[
    ("a or b", "either condition"),
    ("a and b", "both conditions"),
    ("not a", "the condition does not hold"),
    (
        "< <= > >= == !=",
        "compare two numbers (== != also two conditions); false when either is undefined",
    ),
    ("+ -", "add, subtract"),
    ("* /", "multiply, divide (by zero: undefined)"),
    ("-x", "negate"),
    (
        "x[n]",
        "the value n bars ago (n a whole number, 0 or more: never a later bar)",
    ),
    ("( )", "grouping"),
];

/// Every error of a rules config file's text (`genesis rules check`): a YAML or shape error
/// alone, else every rule's, require condition's and plot's, then the shared sections'
/// (the first of those). Empty when the config is valid.
pub fn check_config_text(text: &str, source_name: &str) -> Vec<StrategyError> {
    let with_source = |err: StrategyError| err.with_source(source_name);
    let value = match super::config::parse_yaml(text) {
        Ok(value) => value,
        Err(err) => return vec![with_source(err)],
    };
    let Value::Object(mut map) = value.clone() else {
        return vec![with_source(StrategyError::invalid(
            "(top level)",
            "expected a mapping of keys starting with `strategy: rules`",
        ))];
    };
    if map.get("strategy") != Some(&Value::String(RulesDefinition::NAME.to_owned())) {
        return vec![with_source(StrategyError::invalid(
            "strategy",
            "`genesis rules check` reads a config with `strategy: rules`",
        ))];
    }
    for key in super::config::COMMON_KEYS {
        map.remove(key);
    }
    let spec: RulesSpec = match deserialize_at(Value::Object(map), "", &super::config::COMMON_KEYS)
    {
        Ok(spec) => spec,
        Err(err) => return vec![with_source(err)],
    };
    let mut errors: Vec<StrategyError> = check_all(&spec).into_iter().map(with_source).collect();
    if errors.is_empty() {
        if let Err(err) = super::StrategyConfig::from_value(value) {
            errors.push(with_source(err));
        }
    }
    errors
}

impl Compiled {
    /// `(rule name, slot)` of every rule given, for listings.
    pub fn rule_slots(&self) -> Vec<(&'static str, Slot)> {
        [
            ("long_entry", self.long_entry),
            ("short_entry", self.short_entry),
            ("long_exit", self.long_exit),
            ("short_exit", self.short_exit),
            ("stop_loss", self.stop_loss),
            ("take_profit", self.take_profit),
            ("trailing_stop", self.trailing_stop),
        ]
        .into_iter()
        .filter_map(|(name, slot)| slot.map(|slot| (name, slot)))
        .collect()
    }
}

/// The values of one expression at every bar.
#[derive(Clone, Debug, PartialEq)]
pub enum Series {
    /// Undefined values are NaN.
    Numbers(Vec<f64>),
    Conditions(Vec<bool>),
}

/// Evaluates one expression (`sma(close, fast) > close`) with `params` over `store`'s
/// dataset; errors name `key` (`expression` when the caller has none) with line and column.
pub fn evaluate(
    text: &str,
    params: &BTreeMap<String, f64>,
    store: &mut FeatureStore,
) -> Result<Series, StrategyError> {
    const KEY: &str = "expression";
    check_params(params)?;
    let expr = syntax::parse(text).map_err(|err| rule_error(KEY, text, err))?;
    let mut compiler = Compiler::new(params);
    // Lowered as a number or a condition, whichever it is.
    let (slot, kind) = match compiler.rule(text, &expr, Kind::Number, KEY) {
        Ok((slot, _)) => (slot, Kind::Number),
        Err(_) => {
            let (slot, _) = compiler
                .rule(text, &expr, Kind::Condition, KEY)
                .map_err(|err| rule_error(KEY, text, err))?;
            (slot, Kind::Condition)
        }
    };
    let program = compiler.program;
    let evaluation = Evaluation::run(&program, store)?;
    Ok(match kind {
        Kind::Number => Series::Numbers(evaluation.number_column(slot)),
        Kind::Condition => Series::Conditions(evaluation.flag_column(slot)),
    })
}
