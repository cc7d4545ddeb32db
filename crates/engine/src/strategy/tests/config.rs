//! Config parsing: presets, errors that name dotted keys, suggestions, validation rules,
//! the canonical form, the fingerprint and dotted merges.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::{golden_path, yaml};
use crate::strategy::config::set_dotted;
use crate::strategy::genesis::Regime;
use crate::strategy::presets::{self, PRESETS};
use crate::strategy::{StrategyConfig, StrategyError, StrategyKind, StrategyParams};

fn parse_err(text: &str) -> StrategyError {
    match StrategyConfig::from_yaml_str(text, "bad.yaml") {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(err) => err,
    }
}

#[test]
fn every_preset_parses_and_every_preset_file_is_embedded() {
    for (name, _) in PRESETS {
        let config = StrategyConfig::preset(name).unwrap_or_else(|err| panic!("{err}"));
        let kind = config.kind().as_str();
        assert!(
            name == kind || name.starts_with(&format!("{kind}_")),
            "preset {name} runs {kind}: a preset is named after its strategy"
        );
    }
    // Every file in config/strategy/ is a preset, so a new file cannot be forgotten.
    let dir = golden_path("../../../config/strategy");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".yaml").map(str::to_owned)
        })
        .collect();
    files.sort();
    let mut names: Vec<String> = presets::names().map(str::to_owned).collect();
    names.sort();
    assert_eq!(files, names);
    assert!(matches!(
        StrategyConfig::preset("genesys"),
        Err(StrategyError::UnknownPreset { known, .. }) if known.len() == PRESETS.len()
    ));
}

#[test]
fn every_preset_key_is_commented() {
    // A line that sets a key carries a comment, or sits right under a comment, or continues
    // a run of sibling lines (same indentation) that starts right under a comment.
    for (name, text) in PRESETS {
        let mut documented_indent: Option<usize> = None;
        for (k, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let indent = line.len() - trimmed.len();
            if trimmed.is_empty() {
                documented_indent = None;
                continue;
            }
            if trimmed.starts_with('#') {
                documented_indent = Some(usize::MAX);
                continue;
            }
            let is_documented = line.contains('#')
                || documented_indent == Some(usize::MAX)
                || documented_indent == Some(indent);
            let is_section = trimmed.ends_with(':');
            assert!(
                is_section || is_documented,
                "preset {name}, line {}: `{line}` has no comment",
                k + 1
            );
            documented_indent = if is_documented && !is_section {
                Some(indent)
            } else {
                None
            };
        }
    }
}

#[test]
fn the_genesis_preset_has_the_spec_values() {
    // SPEC §3, written out here independently of the preset file.
    let config = StrategyConfig::preset("genesis").unwrap();
    let StrategyParams::Genesis(params) = config.params() else {
        panic!("not genesis")
    };
    assert_eq!(params.thresholds.entry_conf_overall, 0.35);
    let regimes = params.thresholds.regime_proba;
    assert_eq!(
        (regimes.trend, regimes.balanced, regimes.bear),
        (Some(0.5), Some(0.7), Some(0.6))
    );
    let zones = &params.signal_adaptation.as_ref().unwrap().zones;
    assert_eq!(
        (zones.low.max_atr_pct, zones.low.entry_conf_overall),
        (0.33, 0.40)
    );
    assert_eq!(zones.low.regime_proba.get(Regime::Balanced), Some(0.75));
    assert_eq!(zones.low.regime_proba.get(Regime::Trend), None);
    assert_eq!(
        (zones.mid.max_atr_pct, zones.mid.entry_conf_overall),
        (0.66, 0.35)
    );
    assert_eq!(
        (zones.high.max_atr_pct, zones.high.entry_conf_overall),
        (1.0, 0.30)
    );
    assert_eq!(
        params.risk_map,
        vec![[0.45, 0.015], [0.55, 0.025], [0.65, 0.035]]
    );
    assert_eq!(params.exit_conf_threshold, 0.40);
    assert_eq!(params.max_hold_bars, Some(20));
    assert!(params.htf_exit_config.enable_trailing);
    assert_eq!(params.htf_exit_config.trail_atr_multiplier, 2.2);
}

#[test]
fn the_sma_cross_preset_is_backtesting_py_compatible() {
    let config = StrategyConfig::preset("sma_cross").unwrap();
    let StrategyParams::SmaCross(params) = config.params() else {
        panic!("not sma_cross")
    };
    assert_eq!((params.fast_period, params.slow_period), (10, 20));
    assert!(params.enable_shorts);
    let backtest = config.backtest();
    assert_eq!(backtest.commission, 0.002);
    assert_eq!(backtest.slippage_bps, 0.0);
    assert!(backtest.whole_units);
    assert_eq!(backtest.max_leverage, 1.0);
}

#[test]
fn a_wrong_type_names_the_dotted_key_and_says_what_was_expected() {
    let err = parse_err("strategy: genesis\nthresholds:\n  regime_proba: {trend: high}\n");
    assert_eq!(err.key(), Some("thresholds.regime_proba.trend"));
    assert_eq!(
        err.to_string(),
        "bad.yaml: thresholds.regime_proba.trend: expected a number, found string \"high\""
    );
    let err = parse_err("strategy: genesis\nhtf_exit_config: {enable_trailing: yes}\n");
    assert_eq!(err.key(), Some("htf_exit_config.enable_trailing"));
    let err = parse_err("strategy: genesis\nrisk_map: [[0.5, 0.01], [0.6]]\n");
    assert_eq!(err.key(), Some("risk_map[1]"));
    let err =
        parse_err("strategy: genesis\nsignal_adaptation: {zones: {low: {max_atr_pct: 0.3}}}\n");
    assert_eq!(
        err.key(),
        Some("signal_adaptation.zones.low.entry_conf_overall")
    );
    assert!(err.to_string().ends_with("missing required key"), "{err}");
    let err = parse_err("strategy: sma_cross\nbacktest: {commission: [1]}\n");
    assert_eq!(err.key(), Some("backtest.commission"));
}

#[test]
fn an_unknown_key_is_an_error_that_suggests_the_nearest_known_key() {
    let cases = [
        (
            "strategy: genesis\nthresholds:\n  entry_conf_overal: 0.3\n",
            "thresholds.entry_conf_overal",
            Some("entry_conf_overall"),
        ),
        ("strategy: genesis\ntreshold: {}\n", "treshold", Some("thresholds")),
        ("strategy: genesis\nfeatuers: {}\n", "featuers", Some("features")),
        (
            "strategy: genesis\nfeatures: {rsi_perod: 3}\n",
            "features.rsi_perod",
            Some("rsi_period"),
        ),
        (
            "strategy: sma_cross\nbacktest: {comission: 0.1}\n",
            "backtest.comission",
            Some("commission"),
        ),
        (
            "strategy: genesis\nmodel: {weights: {trnd: 1}}\n",
            "model.weights.trnd",
            Some("trend"),
        ),
        (
            "strategy: genesis\nsignal_adaptation: {zones: {low: {max_atr_pc: 1, entry_conf_overall: 0.4}}}\n",
            "signal_adaptation.zones.low.max_atr_pc",
            Some("max_atr_pct"),
        ),
        ("strategy: sma_cross\ncolour: blue\n", "colour", None),
        // A genesis key in another strategy's config is unknown there.
        ("strategy: sma_cross\nrisk_map: []\n", "risk_map", None),
    ];
    for (text, key, suggestion) in cases {
        let err = parse_err(text);
        match &err {
            StrategyError::UnknownKey {
                key: got_key,
                suggestion: got,
                expected,
                ..
            } => {
                assert_eq!(got_key, key, "{text}");
                assert_eq!(got.as_deref(), suggestion, "{text}");
                assert!(!expected.is_empty(), "{text}");
            }
            other => panic!("{text}: not an unknown-key error: {other}"),
        }
    }
    assert_eq!(
        parse_err("strategy: genesis\nthresholds:\n  entry_conf_overal: 0.3\n").to_string(),
        "bad.yaml: thresholds.entry_conf_overal: unknown key; did you mean entry_conf_overall?"
    );
}

#[test]
fn the_strategy_key_is_required_and_checked() {
    assert_eq!(parse_err("fast_period: 3\n").key(), Some("strategy"));
    let err = parse_err("strategy: genesys\n");
    assert_eq!(err.key(), Some("strategy"));
    assert!(err.to_string().contains("did you mean genesis?"), "{err}");
    assert_eq!(parse_err("strategy: 3\n").key(), Some("strategy"));
    assert_eq!(parse_err("- a\n- b\n").key(), Some("(top level)"));
    assert_eq!(parse_err("").key(), Some("(top level)"));
}

#[test]
fn a_yaml_syntax_error_names_line_and_column() {
    let err = parse_err("strategy: genesis\nthresholds: [1, 2\nrisk_map: 3\n");
    match err {
        StrategyError::Syntax {
            source_name,
            line,
            column,
            ..
        } => {
            assert_eq!(source_name.as_deref(), Some("bad.yaml"));
            assert!(line >= 2, "line {line}");
            assert!(column >= 1, "column {column}");
        }
        other => panic!("not a syntax error: {other}"),
    }
    assert!(matches!(
        parse_err("strategy: genesis\nstrategy: sma_cross\n"),
        StrategyError::Syntax { .. }
    ));
}

#[test]
fn every_validation_rule_names_its_key() {
    let cases = [
        ("strategy: genesis\nthresholds: {entry_conf_overall: 1.5}", "thresholds.entry_conf_overall"),
        ("strategy: genesis\nthresholds: {regime_proba: {bear: -0.1}}", "thresholds.regime_proba.bear"),
        (
            "strategy: genesis\nsignal_adaptation: {zones: {low: {max_atr_pct: 0.5, entry_conf_overall: 0.4}, mid: {max_atr_pct: 0.4, entry_conf_overall: 0.4}, high: {max_atr_pct: 1, entry_conf_overall: 0.4}}}",
            "signal_adaptation.zones.mid.max_atr_pct",
        ),
        (
            "strategy: genesis\nsignal_adaptation: {zones: {low: {max_atr_pct: 0.3, entry_conf_overall: 0.4}, mid: {max_atr_pct: 0.6, entry_conf_overall: 2}, high: {max_atr_pct: 1, entry_conf_overall: 0.4}}}",
            "signal_adaptation.zones.mid.entry_conf_overall",
        ),
        (
            "strategy: genesis\nsignal_adaptation: {zones: {low: {max_atr_pct: 0.3, entry_conf_overall: 0.4}, mid: {max_atr_pct: 0.6, entry_conf_overall: 0.3}, high: {max_atr_pct: 1.2, entry_conf_overall: 0.4}}}",
            "signal_adaptation.zones.high.max_atr_pct",
        ),
        (
            "strategy: genesis\nsignal_adaptation: {zones: {low: {max_atr_pct: 0.3, entry_conf_overall: 0.4, regime_proba: {trend: 7}}, mid: {max_atr_pct: 0.6, entry_conf_overall: 0.3}, high: {max_atr_pct: 1, entry_conf_overall: 0.4}}}",
            "signal_adaptation.zones.low.regime_proba.trend",
        ),
        ("strategy: genesis\nrisk_map: []", "risk_map"),
        ("strategy: genesis\nrisk_map: [[0.5, 0.01], [0.4, 0.02]]", "risk_map[1][0]"),
        ("strategy: genesis\nrisk_map: [[0.5, 0.01], [0.5, 0.02]]", "risk_map[1][0]"),
        ("strategy: genesis\nrisk_map: [[1.5, 0.01]]", "risk_map[0][0]"),
        ("strategy: genesis\nrisk_map: [[0.5, 0]]", "risk_map[0][1]"),
        ("strategy: genesis\nrisk_map: [[0.5, 1.5]]", "risk_map[0][1]"),
        ("strategy: genesis\nexit_conf_threshold: -0.2", "exit_conf_threshold"),
        ("strategy: genesis\nmax_hold_bars: 0", "max_hold_bars"),
        ("strategy: genesis\nhtf_exit_config: {trail_atr_multiplier: 0}", "htf_exit_config.trail_atr_multiplier"),
        ("strategy: genesis\nexits: {stop_atr_multiplier: -1}", "exits.stop_atr_multiplier"),
        (
            "strategy: genesis\nexits: {stop_atr_multiplier: null}\nhtf_exit_config: {enable_trailing: false}",
            "exits.stop_atr_multiplier",
        ),
        ("strategy: genesis\nexits: {take_profit_atr_multiplier: 0}", "exits.take_profit_atr_multiplier"),
        ("strategy: genesis\nmodel: {temperature: 0}", "model.temperature"),
        ("strategy: genesis\nmodel: {signal_clip: -1}", "model.signal_clip"),
        ("strategy: genesis\nfeatures: {ema_slow: 0}", "features.ema_slow"),
        ("strategy: genesis\nfeatures: {bb_std: 11}", "features.bb_std"),
        ("strategy: genesis\nbacktest: {commission: 0.5}", "backtest.commission"),
        ("strategy: genesis\nbacktest: {initial_cash: 0}", "backtest.initial_cash"),
        (
            "strategy: genesis\nbacktest: {annualisation: {periods_per_year: 0}}",
            "backtest.annualisation.periods_per_year",
        ),
        ("strategy: genesis\nconstraints: {max_max_dd: 0}", "constraints.max_max_dd"),
        ("strategy: genesis\nconstraints: {min_profit_factor: -1}", "constraints.min_profit_factor"),
        ("strategy: sma_cross\nfast_period: 20\nslow_period: 20", "fast_period"),
        ("strategy: sma_cross\nfast_period: 0", "fast_period"),
        ("strategy: sma_cross\nslow_period: 200000", "slow_period"),
        ("strategy: rsi_reversion\nrsi_period: 0", "rsi_period"),
        ("strategy: rsi_reversion\noversold: 55", "oversold"),
        ("strategy: rsi_reversion\noverbought: 45", "overbought"),
        ("strategy: rsi_reversion\nexit_level: 101", "exit_level"),
        ("strategy: rsi_reversion\nequity_fraction: 0", "equity_fraction"),
        ("strategy: rsi_reversion\nstop_loss_frac: 1", "stop_loss_frac"),
        ("strategy: rsi_reversion\nmax_hold_bars: 0", "max_hold_bars"),
        ("strategy: bollinger_breakout\nbb_std: 0", "bb_std"),
        ("strategy: bollinger_breakout\nbb_period: 0", "bb_period"),
        ("strategy: donchian_breakout\nexit_period: 0", "exit_period"),
        ("strategy: donchian_breakout\nentry_period: 0", "entry_period"),
    ];
    for (text, key) in cases {
        let err = parse_err(text);
        assert_eq!(err.key(), Some(key), "{text}\n{err}");
        assert!(
            matches!(err, StrategyError::Invalid { .. }),
            "{text}: {err}"
        );
        assert!(
            err.to_string().starts_with(&format!("bad.yaml: {key}: ")),
            "{err}"
        );
    }
}

#[test]
fn missing_keys_take_defaults_and_empty_sections_are_defaults() {
    let minimal = yaml("strategy: sma_cross\n");
    let explicit = yaml(
        "strategy: sma_cross\nfast_period: 10\nslow_period: 20\nenable_shorts: true\nfeatures:\nbacktest: {}\n",
    );
    assert_eq!(minimal, explicit);
    assert_eq!(minimal.fingerprint(), explicit.fingerprint());
}

#[test]
fn the_canonical_form_is_sorted_compact_and_complete() {
    let config = yaml(
        "strategy: sma_cross\nslow_period: 30\nfast_period: 5\nbacktest: {commission: 0.002}\n",
    );
    // Written out by hand from the rules: every key with its effective value, sorted, no
    // whitespace, floats in their shortest round-trip form.
    let expected = concat!(
        r#"{"backtest":{"annualisation":"auto","commission":0.002,"initial_cash":10000.0,"max_leverage":1.0,"slippage_bps":0.0,"whole_units":false},"#,
        r#""constraints":{"include_scoring_failures":false,"max_max_dd":null,"min_profit_factor":null,"min_trades":null},"#,
        r#""enable_shorts":true,"fast_period":5,"#,
        r#""features":{"atr_long_period":50,"atr_pct_lookback":250,"atr_period":14,"bb_period":20,"bb_std":2.0,"ema_fast":20,"ema_slow":50,"htf_ema_period":20,"htf_multiple":4,"rsi_period":14,"swing_strength":3},"#,
        r#""slow_period":30,"strategy":"sma_cross"}"#
    );
    assert_eq!(config.canonical_json(), expected);
    let digest = Sha256::digest(expected.as_bytes());
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    assert_eq!(config.fingerprint(), hex);
}

#[test]
fn every_preset_round_trips_through_its_canonical_value() {
    for (name, _) in PRESETS {
        let config = StrategyConfig::preset(name).unwrap();
        let value = config.to_value();
        let again = StrategyConfig::from_value(value.clone()).unwrap();
        assert_eq!(config, again, "{name}");
        assert_eq!(again.to_value(), value, "{name}");
        assert_eq!(config.fingerprint(), again.fingerprint(), "{name}");
        // Through JSON text (serde) and through YAML text.
        let text = serde_json::to_string(&config).unwrap();
        let from_json: StrategyConfig = serde_json::from_str(&text).unwrap();
        assert_eq!(from_json, config, "{name}");
        let from_yaml = StrategyConfig::from_yaml_str(&text, "json-as-yaml").unwrap();
        assert_eq!(from_yaml.fingerprint(), config.fingerprint(), "{name}");
    }
    // Deserialising validates.
    let bad = json!({"strategy": "sma_cross", "fast_period": 30});
    assert!(serde_json::from_value::<StrategyConfig>(bad).is_err());
}

#[test]
fn the_fingerprint_ignores_spelling_and_order() {
    let a = yaml("strategy: genesis\nexit_conf_threshold: 0.4\nmax_hold_bars: 20\n");
    let b = yaml("max_hold_bars: 20\nexit_conf_threshold: 4.0e-1\nstrategy: genesis\n");
    let c = StrategyConfig::from_value(json!({"strategy": "genesis"})).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(a.fingerprint(), c.fingerprint(), "both are the defaults");
}

/// Every leaf of the canonical value, as `(dotted path, value)`.
fn leaves(value: &Value, path: &str, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                let child = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                leaves(item, &child, out);
            }
        }
        Value::Array(items) => {
            for (k, item) in items.iter().enumerate() {
                leaves(item, &format!("{path}[{k}]"), out);
            }
        }
        scalar => out.push((path.to_owned(), scalar.clone())),
    }
}

/// Valid replacements to try for a leaf, nearest first.
fn perturbations(value: &Value) -> Vec<Value> {
    match value {
        Value::Bool(flag) => vec![json!(!flag)],
        Value::Number(number) => {
            let x = number.as_f64().unwrap_or(0.0);
            let mut out = vec![];
            if !number.is_u64() && x == x.trunc() {
                // A whole float (a rules param used as a length) stays whole.
                out.extend([json!(x + 1.0), json!(x - 1.0)]);
            }
            if number.is_u64() {
                out.extend([json!(number.as_u64().unwrap_or(0) + 1), json!(1)]);
                if let Some(smaller) = number.as_u64().and_then(|n| n.checked_sub(1)) {
                    out.push(json!(smaller));
                }
            }
            out.extend([
                json!(x * 0.99),
                json!(x * 1.01),
                json!(x + 0.01),
                json!(x - 0.01),
            ]);
            out
        }
        Value::Null => vec![json!(1), json!(0.5), json!(30), json!(0.05)],
        // A rule's text (a condition or a number), or the annualisation.
        Value::String(text) => vec![
            json!(format!("({text}) and true")),
            json!(format!("({text}) + 0")),
            json!({"periods_per_year": 252.0}),
            json!({"equity_fraction": 0.5}),
        ],
        _ => vec![],
    }
}

#[test]
fn the_fingerprint_changes_with_any_value() {
    for (name, _) in PRESETS {
        let config = StrategyConfig::preset(name).unwrap();
        let mut found = Vec::new();
        leaves(&config.to_value(), "", &mut found);
        let mut n_changed = 0;
        for (path, value) in &found {
            if path == "strategy" {
                continue;
            }
            let changed = perturbations(value)
                .into_iter()
                .filter(|candidate| match (candidate.as_f64(), value.as_f64()) {
                    (Some(new), Some(old)) => new != old,
                    _ => candidate != value,
                })
                .find_map(|candidate| config.with_params([(path.as_str(), candidate)]).ok());
            let Some(changed) = changed else {
                panic!("{name}: no valid change found for {path} = {value}");
            };
            assert_ne!(changed, config, "{name}: {path}");
            assert_ne!(
                changed.fingerprint(),
                config.fingerprint(),
                "{name}: {path}"
            );
            n_changed += 1;
        }
        assert!(n_changed >= 20, "{name}: only {n_changed} leaves");
    }
}

#[test]
fn dotted_params_merge_into_the_effective_config() {
    let base = StrategyConfig::preset("genesis").unwrap();
    let trial = base
        .with_params([
            ("thresholds.regime_proba.trend", json!(0.55)),
            ("risk_map[0][1]", json!(0.01)),
            ("signal_adaptation.zones.low.regime_proba.bear", json!(0.8)),
            ("features.rsi_period", json!(9)),
        ])
        .unwrap();
    let StrategyParams::Genesis(params) = trial.params() else {
        panic!("not genesis")
    };
    assert_eq!(params.thresholds.regime_proba.trend, Some(0.55));
    assert_eq!(params.risk_map[0], [0.45, 0.01]);
    let low = &params.signal_adaptation.as_ref().unwrap().zones.low;
    assert_eq!(low.regime_proba.get(Regime::Bear), Some(0.8));
    assert_eq!(
        low.regime_proba.get(Regime::Balanced),
        Some(0.75),
        "siblings kept"
    );
    assert_eq!(trial.features().rsi_period, 9);
    assert_ne!(trial.fingerprint(), base.fingerprint());

    // A merged value is validated like any other, and bad paths name themselves.
    let err = base
        .with_params([("thresholds.entry_conf_overall", json!(2))])
        .unwrap_err();
    assert_eq!(err.key(), Some("thresholds.entry_conf_overall"));
    let err = base
        .with_params([("thresholds.entry_conf_overal", json!(0.3))])
        .unwrap_err();
    assert!(matches!(err, StrategyError::UnknownKey { .. }), "{err}");
    let err = base
        .with_params([("risk_map[7][0]", json!(0.3))])
        .unwrap_err();
    assert_eq!(err.key(), Some("risk_map[7]"));
    let err = base
        .with_params([("exit_conf_threshold.x", json!(0.3))])
        .unwrap_err();
    assert_eq!(err.key(), Some("exit_conf_threshold"));
    let mut value = json!({});
    assert!(set_dotted(&mut value, "a..b", json!(1)).is_err());
    assert!(set_dotted(&mut value, "a[x]", json!(1)).is_err());
    set_dotted(&mut value, "a.b", json!(1)).unwrap();
    assert_eq!(value, json!({"a": {"b": 1}}));
}

#[test]
fn kinds_and_errors_serialise_for_the_worker_boundary() {
    for kind in StrategyKind::ALL {
        assert_eq!(StrategyKind::from_name(kind.as_str()), Some(kind));
        assert_eq!(
            serde_json::to_value(kind).unwrap(),
            Value::String(kind.as_str().to_owned())
        );
    }
    let err = parse_err("strategy: genesis\nthresholds:\n  entry_conf_overal: 0.3\n");
    let text = serde_json::to_string(&err).unwrap();
    let back: StrategyError = serde_json::from_str(&text).unwrap();
    assert_eq!(back, err);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["error"], "unknown_key");
    assert_eq!(value["suggestion"], "entry_conf_overall");
}
