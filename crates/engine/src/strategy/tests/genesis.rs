//! The genesis model: its equations on hand-computed examples, the regime rule, thresholds,
//! zones, the risk map, and the model cache.

use std::sync::Arc;

use super::demo;
use crate::backtest::{PositionView, Side, Strategy};
use crate::features::{FeatureParams, FeatureStore};
use crate::strategy::genesis::params::risk_fraction;
use crate::strategy::genesis::{
    probabilities, score, Genesis, GenesisModel, GenesisParams, Model, Regime, RegimeProba,
    SignalInputs, Weights,
};
use crate::strategy::{StrategyConfig, StrategyParams};

fn unit_model(temperature: f64, hold_bias: f64) -> Model {
    Model {
        weights: Weights {
            trend: 1.0,
            momentum: 1.0,
            mean_reversion: 1.0,
            fib: 1.0,
            htf: 1.0,
        },
        temperature,
        hold_bias,
        signal_clip: 2.0,
    }
}

#[test]
fn signals_follow_the_documented_formulas() {
    let inputs = SignalInputs {
        ema_fast: 103.0,
        ema_slow: 100.0,
        rsi: 65.0,
        atr: 2.0,
        pct_b: 0.2,
        fib_direction: -1.0,
        fib_dist_atr: 0.25,
        htf_close: 99.0,
        htf_ema: 100.0,
    };
    // trend (103 − 100) / 2 = 1.5; momentum (65 − 50) / 50 = 0.3; mean reversion
    // −(0.2 − 0.5) × 2 = 0.6; fib −1 × (1 − 0.25) = −0.75; htf (99 − 100) / 2 = −0.5.
    let signals = inputs.signals();
    let expected = [1.5, 0.3, 0.6, -0.75, -0.5];
    for (got, want) in signals.iter().zip(expected) {
        assert!((got - want).abs() < 1e-12, "{signals:?}");
    }
    // Far from any level the Fibonacci signal is 0, whatever the leg.
    let far = SignalInputs {
        fib_dist_atr: -3.0,
        ..inputs
    };
    assert_eq!(far.signals()[3], 0.0);
    // No ATR: the ATR-scaled signals are undefined, and so is the score.
    let flat = SignalInputs { atr: 0.0, ..inputs };
    assert!(flat.signals()[0].is_nan() && flat.signals()[4].is_nan());
    assert!(score(flat.signals(), &unit_model(1.0, 0.0)).is_nan());
}

#[test]
fn the_score_clips_each_signal_and_weights_it() {
    let model = Model {
        weights: Weights {
            trend: 2.0,
            momentum: 0.5,
            mean_reversion: 0.0,
            fib: -1.0,
            htf: 1.0,
        },
        signal_clip: 1.0,
        ..unit_model(1.0, 0.0)
    };
    // trend 5 clips to 1 (× 2 = 2); momentum 0.4 × 0.5 = 0.2; mean reversion weight 0;
    // fib 0.5 × −1 = −0.5; htf −3 clips to −1.
    let s = score([5.0, 0.4, 0.9, 0.5, -3.0], &model);
    assert!((s - 0.7).abs() < 1e-12, "{s}");
}

#[test]
fn probabilities_are_the_softmax_of_s_minus_s_and_the_hold_bias() {
    // softmax(1, −1, 0): e / (e + 1/e + 1), 1/e / (...), 1 / (...), from
    // e = 2.718281828459045, 1/e = 0.36787944117144233, total 4.086161269630487.
    let [buy, sell, hold] = probabilities(1.0, &unit_model(1.0, 0.0));
    assert!((buy - 0.665_240_955_774_821_4).abs() < 1e-12, "{buy}");
    assert!((sell - 0.090_030_573_170_380_46).abs() < 1e-12, "{sell}");
    assert!((hold - 0.244_728_471_054_798_2).abs() < 1e-12, "{hold}");
    // A flat score with no hold bias is a third each; the temperature divides every logit.
    let [buy, sell, hold] = probabilities(0.0, &unit_model(1.0, 0.0));
    assert!(
        (buy - 1.0 / 3.0).abs() < 1e-15 && (sell - buy).abs() < 1e-15 && (hold - buy).abs() < 1e-15
    );
    let hot = probabilities(2.0, &unit_model(2.0, 0.0));
    let cold = probabilities(1.0, &unit_model(1.0, 0.0));
    for (a, b) in hot.iter().zip(cold) {
        assert!((a - b).abs() < 1e-15);
    }
    // Extreme scores do not overflow: the largest logit is subtracted first.
    let [buy, sell, hold] = probabilities(1e6, &unit_model(0.01, 1.0));
    assert_eq!((buy, sell, hold), (1.0, 0.0, 0.0));
}

#[test]
fn the_regime_needs_both_timeframes_to_agree() {
    assert_eq!(Regime::classify(101.0, 100.0, 51.0, 50.0), Regime::Trend);
    assert_eq!(Regime::classify(99.0, 100.0, 49.0, 50.0), Regime::Bear);
    assert_eq!(Regime::classify(101.0, 100.0, 49.0, 50.0), Regime::Balanced);
    assert_eq!(Regime::classify(99.0, 100.0, 51.0, 50.0), Regime::Balanced);
    assert_eq!(Regime::classify(100.0, 100.0, 51.0, 50.0), Regime::Balanced);
}

#[test]
fn a_regime_threshold_is_the_larger_of_overall_and_its_own() {
    let proba = RegimeProba {
        trend: Some(0.5),
        balanced: Some(0.2),
        bear: None,
    };
    // trend 0.5 > 0.35; balanced 0.2 < 0.35 keeps 0.35; bear has none: 0.35.
    assert_eq!(proba.thresholds(0.35), [0.5, 0.35, 0.35]);
}

#[test]
fn the_risk_map_is_a_step_function_with_the_first_step_below_it() {
    let map = [[0.45, 0.015], [0.55, 0.025], [0.65, 0.035]];
    assert_eq!(risk_fraction(&map, 0.30), 0.015, "below the first step");
    assert_eq!(risk_fraction(&map, 0.45), 0.015);
    assert_eq!(risk_fraction(&map, 0.549), 0.015);
    assert_eq!(risk_fraction(&map, 0.55), 0.025);
    assert_eq!(risk_fraction(&map, 0.99), 0.035);
    assert_eq!(risk_fraction(&map, f64::NAN), 0.015);
}

fn genesis_params(text: &str) -> (FeatureParams, GenesisParams) {
    let config = StrategyConfig::from_yaml_str(text, "test").unwrap_or_else(|err| panic!("{err}"));
    match config.params() {
        StrategyParams::Genesis(params) => (config.features().clone(), (**params).clone()),
        _ => panic!("not genesis"),
    }
}

#[test]
fn zones_replace_the_thresholds_by_volatility_rank() {
    let candles = demo();
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let (features, params) = genesis_params(
        "strategy: genesis\n\
         thresholds: {entry_conf_overall: 0.9}\n\
         signal_adaptation:\n  zones:\n\
         \x20   low: {max_atr_pct: 0.2, entry_conf_overall: 0.40, regime_proba: {balanced: 0.75}}\n\
         \x20   mid: {max_atr_pct: 0.7, entry_conf_overall: 0.35}\n\
         \x20   high: {max_atr_pct: 0.9, entry_conf_overall: 0.30}\n",
    );
    let genesis = Genesis::new(&mut store, &features, &params).unwrap();
    let rank = store
        .atr_pct_rank(features.atr_period, features.atr_pct_lookback)
        .unwrap();
    let model = genesis.model();
    let mut seen = [false; 5];
    for bar_idx in genesis.first_decision_bar()..candles.len() {
        let r = rank.values()[bar_idx];
        let regime = model.regime[bar_idx];
        let expected = if r <= 0.2 {
            if regime == Regime::Balanced.index() as u8 {
                seen[0] = true;
                0.75
            } else {
                seen[1] = true;
                0.40
            }
        } else if r <= 0.7 {
            seen[2] = true;
            0.35
        } else if r <= 0.9 {
            seen[3] = true;
            0.30
        } else {
            seen[4] = true;
            f64::NAN
        };
        let got = genesis.entry_threshold(bar_idx);
        assert!(
            got == expected || (got.is_nan() && expected.is_nan()),
            "bar {bar_idx}: rank {r}, threshold {got}, expected {expected}"
        );
    }
    assert_eq!(
        seen, [true; 5],
        "the demo data visits every zone and the no-entry band"
    );
}

#[test]
fn entries_follow_the_rule_and_carry_stop_trailing_and_size() {
    let candles = demo();
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let (features, params) = genesis_params(
        "strategy: genesis\nenable_shorts: true\nthresholds: {entry_conf_overall: 0.3, regime_proba: {trend: 0.4}}\n",
    );
    let mut genesis = Genesis::new(&mut store, &features, &params).unwrap();
    let atr = store.atr(features.atr_period).unwrap();
    let flat = PositionView {
        side: None,
        units: 0.0,
        entry_price: 0.0,
        entry_bar_idx: 0,
        bars_held: 0,
        stop_price: None,
        take_profit_price: None,
        cash: 10_000.0,
        equity: 10_000.0,
    };
    let model = genesis.model().clone();
    let (mut n_long, mut n_short) = (0, 0);
    for bar_idx in genesis.first_decision_bar()..candles.len() {
        let (p_buy, p_sell) = (model.p_buy[bar_idx], model.p_sell[bar_idx]);
        let threshold = genesis.entry_threshold(bar_idx);
        let decision = genesis.decide(bar_idx, &flat);
        let is_long = p_buy >= threshold && p_buy > p_sell && p_sell < params.exit_conf_threshold;
        let is_short = p_sell >= threshold && p_sell > p_buy && p_buy < params.exit_conf_threshold;
        match decision {
            crate::backtest::Decision::Enter(entry) => {
                let (side, p_side) = if is_long {
                    (Side::Long, p_buy)
                } else {
                    (Side::Short, p_sell)
                };
                assert!(is_long || is_short, "bar {bar_idx}");
                assert_eq!(entry.side, side);
                let a = atr.values()[bar_idx];
                assert_eq!(
                    entry.exits.stop,
                    Some(crate::backtest::Level::Distance(2.0 * a))
                );
                assert_eq!(entry.exits.trailing_distance, Some(2.2 * a));
                assert_eq!(entry.exits.max_hold_bars, Some(20));
                assert_eq!(
                    entry.sizing,
                    crate::backtest::Sizing::RiskFraction(risk_fraction(&params.risk_map, p_side))
                );
                if side == Side::Long {
                    n_long += 1;
                } else {
                    n_short += 1;
                }
            }
            other => {
                assert!(!is_long && !is_short, "bar {bar_idx}: {other:?}");
            }
        }
    }
    assert!(
        n_long > 10 && n_short > 10,
        "{n_long} long, {n_short} short signals"
    );
}

#[test]
fn the_model_is_cached_per_features_and_weights() {
    let candles = demo();
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let features = FeatureParams::default();
    let model = Model::default();
    let first = GenesisModel::cached(&mut store, &features, &model).unwrap();
    let computed = store.stats().n_computed;
    let again = GenesisModel::cached(&mut store, &features, &model).unwrap();
    assert!(Arc::ptr_eq(&first, &again));
    assert_eq!(store.stats().n_computed, computed, "nothing recomputed");
    // Any weight change is a different model (the seeds' cache collision, guarded).
    let mut other_model = model.clone();
    other_model.weights.fib += 1e-9;
    let other = GenesisModel::cached(&mut store, &features, &other_model).unwrap();
    assert!(!Arc::ptr_eq(&first, &other));
    // The cached model equals a fresh computation bit for bit.
    let fresh = GenesisModel::compute(&mut store, &features, &model).unwrap();
    assert_eq!(fresh.first_valid, first.first_valid);
    assert_eq!(fresh.regime, first.regime);
    for (a, b) in fresh.p_buy.iter().zip(&first.p_buy) {
        assert_eq!(a.to_bits(), b.to_bits());
    }
    // And after the first valid bar the probabilities are proper.
    for bar_idx in first.first_valid..candles.len() {
        let (buy, sell) = (first.p_buy[bar_idx], first.p_sell[bar_idx]);
        assert!(
            (0.0..=1.0).contains(&buy) && (0.0..=1.0).contains(&sell) && buy + sell <= 1.0 + 1e-12
        );
    }
}
