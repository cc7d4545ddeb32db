//! The rules strategy: the contract's error messages, decisions, and the rules presets
//! against the built-in strategies they restate.

use std::sync::Arc;

use super::*;
use crate::data::{parse, Candles, ParseOptions};
use crate::strategy::tests::{demo, golden_path, run_all};
use crate::strategy::{StrategyConfig, StrategyParams};

fn config(yaml: &str) -> Result<StrategyConfig, StrategyError> {
    StrategyConfig::from_yaml_str(yaml, "test")
}

fn rules_error(rules: &str) -> String {
    let yaml =
        format!("strategy: rules\nparams: {{fast: 10, slow: 20, frac: 2.5}}\nrules:\n{rules}");
    match config(&yaml) {
        Ok(_) => panic!("accepted: {rules}"),
        Err(err) => err.to_string(),
    }
}

#[test]
fn each_error_class_has_its_message() {
    assert_eq!(
        rules_error("  long_entry: crossover(smaa(close, fast), sma(close, slow))\n"),
        "test: rules.long_entry:1:11: unknown function smaa; did you mean sma?"
    );
    assert_eq!(
        rules_error("  long_entry: clsoe > open\n"),
        "test: rules.long_entry:1:1: unknown series or param clsoe; did you mean close?"
    );
    assert_eq!(
        rules_error("  long_entry: sma(close) > open\n"),
        "test: rules.long_entry:1:1: sma takes 2 arguments (series, length), found 1"
    );
    assert_eq!(
        rules_error("  long_entry: close and open > 1\n"),
        "test: rules.long_entry:1:1: and needs two conditions; close is a number"
    );
    assert_eq!(
        rules_error("  long_entry: close[-1] > open\n"),
        "test: rules.long_entry:1:1: close[-1] would read a future bar; x[n] is the value n bars ago, n 0 or more"
    );
    assert_eq!(
        rules_error("  long_entry: sma(close, 2.5) > open\n"),
        "test: rules.long_entry:1:12: sma's length must be a positive whole number of bars; found 2.5"
    );
    assert_eq!(
        rules_error("  long_entry: sma(close, frac) > open\n"),
        "test: rules.long_entry:1:12: sma's length must be a positive whole number of bars; frac is 2.5"
    );
    assert_eq!(
        rules_error("  long_entry: sma(close, fast)\n"),
        "test: rules.long_entry:1:1: long_entry must be a condition; sma(close, fast) is a number"
    );
    assert_eq!(
        rules_error("  long_entry: close >\n"),
        "test: rules.long_entry:1:8: the rule ends too early"
    );
    let err = config(
        "strategy: rules\nparams: {fast: 30, slow: 20}\nrequire: [fast < slow]\nrules: {long_entry: close > open}\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "test: require[0]: `fast < slow` does not hold (fast = 30, slow = 20)"
    );
    assert_eq!(
        rules_error(
            "  long_entry: |\n    close > open and\n    rsi(close, 14) > sma(close, fast) +\n"
        ),
        "test: rules.long_entry:2:36: the rule ends too early"
    );
}

#[test]
fn a_rule_error_names_its_key_for_the_editor() {
    let err = config("strategy: rules\nrules: {long_entry: close >> open}\n").unwrap_err();
    match err {
        StrategyError::Rule {
            key, line, column, ..
        } => {
            assert_eq!((key.as_str(), line, column), ("rules.long_entry", 1, 8));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn common_sub_expressions_are_computed_once() {
    let cfg = config(
        "strategy: rules\nparams: {fast: 10, slow: 20}\nrules:\n  long_entry: crossover(sma(close, fast), sma(close, slow))\n  short_entry: crossunder(ta.sma(close, 10), sma(close, slow))\n",
    )
    .unwrap();
    let StrategyParams::Rules(params) = cfg.params() else {
        panic!("a rules config");
    };
    let listing = params.compiled.program.listing();
    assert_eq!(listing.matches("= sma(close, 10)").count(), 1, "{listing}");
    assert_eq!(listing.matches("= sma(close, 20)").count(), 1, "{listing}");
    // close, 10, sma, 20, sma, crossover, crossunder.
    assert_eq!(params.compiled.program.ops().len(), 7, "{listing}");
}

/// The trades of `rules_preset` and of the built-in config `builtin` on `candles`, equal to
/// the bit.
fn assert_same_trades(candles: &Arc<Candles>, rules: &StrategyConfig, builtin: &StrategyConfig) {
    let ours = run_all(candles, rules);
    let theirs = run_all(candles, builtin);
    let (ours, theirs) = (&ours.report.trades, &theirs.report.trades);
    assert!(
        theirs.len() > 10,
        "{}: a real sample of trades",
        builtin.kind()
    );
    assert_eq!(ours.len(), theirs.len(), "{}: trade count", builtin.kind());
    for (k, (a, b)) in ours.iter().zip(theirs).enumerate() {
        assert_eq!(a, b, "{}: trade {k}", builtin.kind());
        assert_eq!(
            a.pnl.to_bits(),
            b.pnl.to_bits(),
            "{}: trade {k}",
            builtin.kind()
        );
    }
}

#[test]
fn the_rules_presets_make_the_built_in_presets_trades_on_the_demo_data() {
    let candles = demo();
    for (rules, builtin) in [
        ("rules_sma_cross", "sma_cross"),
        ("rules_rsi_reversion", "rsi_reversion"),
        ("rules_bollinger_breakout", "bollinger_breakout"),
        ("rules_donchian_breakout", "donchian_breakout"),
    ] {
        assert_same_trades(
            &candles,
            &StrategyConfig::preset(rules).unwrap(),
            &StrategyConfig::preset(builtin).unwrap(),
        );
    }
}

#[test]
fn rules_sma_cross_makes_backtesting_pys_trades_on_goog() {
    let bytes = std::fs::read(golden_path("goog.csv")).unwrap();
    let candles = Arc::new(parse(&bytes, &ParseOptions::default()).unwrap().candles);
    let cash = "backtest: {initial_cash: 10000, commission: 0.002, whole_units: true}\n";
    let rules = StrategyConfig::preset("rules_sma_cross")
        .unwrap()
        .with_params([("backtest.initial_cash", serde_json::json!(10000))])
        .unwrap();
    let builtin = config(&format!("strategy: sma_cross\n{cash}")).unwrap();
    assert_same_trades(&candles, &rules, &builtin);
    // backtesting.py's 93 closed trades and the one it leaves open.
    assert_eq!(run_all(&candles, &rules).report.trades.len(), 94);
}

#[test]
fn the_default_space_covers_every_param_and_parses_as_a_space_over_the_config() {
    let StrategyParams::Rules(params) = StrategyConfig::preset("rules_rsi_reversion")
        .unwrap()
        .params()
        .clone()
    else {
        panic!("a rules preset");
    };
    let space = default_space(&params.spec);
    assert!(
        space.contains("  rsi_period: {type: int, low: 7, high: 28}\n"),
        "{space}"
    );
    assert!(
        space.contains("  stop_loss_frac: {type: float, low: 0.025, high: 0.1}\n"),
        "{space}"
    );
    assert_eq!(space.matches("{type:").count(), params.spec.params.len());
}

#[test]
fn the_reference_lists_every_function() {
    let text = reference();
    for info in functions::FUNCTIONS {
        assert!(text.contains(&info.signature()), "{}", info.name);
    }
}

#[test]
fn check_all_reports_every_broken_rule_and_compile_the_first() {
    let spec: RulesSpec = serde_json::from_value(serde_json::json!({
        "params": {"fast": 10},
        "rules": {"long_entry": "clsoe > 1", "long_exit": "sma(close) > 1"},
        "plots": {"x": "close > 1"},
    }))
    .unwrap();
    let messages: Vec<String> = check_all(&spec).iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "rules.long_entry:1:1: unknown series or param clsoe; did you mean close?",
            "rules.long_exit:1:1: sma takes 2 arguments (series, length), found 1",
            "plots.x:1:1: a plot must be a number; close > 1 is a condition",
        ]
    );
    assert_eq!(compile(&spec).unwrap_err().to_string(), messages[0]);
}

mod as_of {
    //! Every function and every preset rule computed over the bars up to each bar equals
    //! the same expression computed over all the bars, at that bar and every bar before: no
    //! value depends on a later bar, and appending bars changes no past value.

    use proptest::prelude::*;

    use super::*;
    use crate::data::Columns;
    use crate::features::tests::gen::random_walk;
    use crate::strategy::presets::PRESETS;

    /// One call of every function (with inputs that have leading undefined values, and a
    /// division by a zero volume in the middle), and the operators.
    const EXPRESSIONS: &[&str] = &[
        "sma(close, 5)",
        "ema(hl2, 4)",
        "wma(close, 6)",
        "rma(close, 5)",
        "rsi(close, 6)",
        "atr(5)",
        "stdev(close, 7)",
        "highest(high, 5)",
        "lowest(low, 5)",
        "bb_upper(close, 6, 2)",
        "bb_mid(close, 6)",
        "bb_lower(close, 6, 1.5)",
        "macd(close, 3, 7)",
        "macd_signal(close, 3, 7, 4)",
        "roc(close, 3)",
        "change(ohlc4, 2)",
        "crossover(ema(close, 3), sma(close, 7))",
        "crossunder(close, sma(close, 5))",
        "abs(change(close, 1))",
        "min(open, close)",
        "max(hlc3, close)",
        "sqrt(volume - 20)",
        "log(volume)",
        "iff(close > open, high, low)",
        "sma(close / volume, 3)",
        "rsi(sma(close, 3), 4)",
        "close[2] > open and not (volume > 50) or false",
        "-close * 2 + 1 != 0",
    ];

    fn prefix(candles: &Candles, n_bars: usize) -> Arc<Candles> {
        let c = candles.columns();
        let cols = Columns {
            ts_ms: c.ts_ms[..n_bars].to_vec(),
            open: c.open[..n_bars].to_vec(),
            high: c.high[..n_bars].to_vec(),
            low: c.low[..n_bars].to_vec(),
            close: c.close[..n_bars].to_vec(),
            volume: c.volume[..n_bars].to_vec(),
        };
        Arc::new(Candles::from_columns(cols).unwrap())
    }

    fn same(a: &Series, b: &Series, upto: usize) -> bool {
        match (a, b) {
            (Series::Numbers(a), Series::Numbers(b)) => a[..upto]
                .iter()
                .zip(&b[..upto])
                .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())),
            (Series::Conditions(a), Series::Conditions(b)) => a[..upto] == b[..upto],
            _ => false,
        }
    }

    /// `(expression, params)`: the list above, and every rule and plot of the rules presets.
    fn cases() -> Vec<(String, BTreeMap<String, f64>)> {
        let mut cases: Vec<(String, BTreeMap<String, f64>)> = EXPRESSIONS
            .iter()
            .map(|text| ((*text).to_owned(), BTreeMap::new()))
            .collect();
        for (name, _) in PRESETS
            .iter()
            .filter(|(name, _)| name.starts_with("rules_"))
        {
            let StrategyParams::Rules(params) =
                StrategyConfig::preset(name).unwrap().params().clone()
            else {
                panic!("{name} is a rules preset");
            };
            let spec = &params.spec;
            let texts = [
                &spec.rules.long_entry,
                &spec.rules.short_entry,
                &spec.rules.long_exit,
                &spec.rules.short_exit,
                &spec.rules.stop_loss,
            ];
            for text in texts.into_iter().flatten().chain(spec.plots.values()) {
                cases.push((text.clone(), spec.params.clone()));
            }
        }
        cases
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]
        #[test]
        fn no_value_depends_on_a_later_bar(seed in any::<u64>(), n_bars in 25usize..70) {
            let candles = Arc::new(random_walk(seed, n_bars));
            let cases = cases();
            let mut full_store = FeatureStore::new(Arc::clone(&candles));
            let full: Vec<Series> = cases
                .iter()
                .map(|(text, params)| evaluate(text, params, &mut full_store).unwrap())
                .collect();
            for upto in 2..=n_bars {
                let mut store = FeatureStore::new(prefix(&candles, upto));
                for ((text, params), whole) in cases.iter().zip(&full) {
                    let part = evaluate(text, params, &mut store).unwrap();
                    prop_assert!(same(&part, whole, upto), "{} over the first {} bars", text, upto);
                }
            }
        }
    }

    #[test]
    fn the_cases_cover_every_function() {
        let cases = cases();
        for info in functions::FUNCTIONS {
            assert!(
                cases
                    .iter()
                    .any(|(text, _)| text.contains(&format!("{}(", info.name))),
                "{}",
                info.name
            );
        }
    }
}
