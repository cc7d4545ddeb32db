//! Every strategy on the demo data and on random data: trades happen, nothing is decided
//! before the slowest feature is valid, the accounting holds, runs are deterministic.

use std::sync::Arc;

use proptest::prelude::*;
use serde_json::json;

use super::{assert_equity_is_cash_plus_pnl, demo, run_all, yaml};
use crate::backtest::Strategy as _;
use crate::backtest::{Recording, Window};
use crate::data::synth::{generate, SynthParams};
use crate::data::Candles;
use crate::features::FeatureStore;
use crate::run::{run_backtest, run_backtest_checkpointed, CheckpointedRun};
use crate::strategy::presets::PRESETS;
use crate::strategy::rules::RulesStrategy;
use crate::strategy::{
    BollingerBreakout, DonchianBreakout, Genesis, RsiReversion, SmaCross, StrategyConfig,
    StrategyParams,
};

/// The warm-up each strategy must respect, derived here from the features it reads (not from
/// the strategy's own answer): the largest first valid bar of those columns, plus one for a
/// cross, which also reads the previous bar.
fn independent_warm_up(store: &mut FeatureStore, config: &StrategyConfig) -> usize {
    let f = config.features();
    match config.params() {
        StrategyParams::Genesis(params) => {
            let bands = store.bollinger(f.bb_period, f.bb_std).unwrap();
            let fib = store.fib(f.swing_strength, f.atr_period).unwrap();
            let htf = store.htf_trend(f.htf_multiple, f.htf_ema_period).unwrap();
            let mut bars = vec![
                store.ema(f.ema_fast).unwrap().first_valid(),
                store.ema(f.ema_slow).unwrap().first_valid(),
                store.rsi(f.rsi_period).unwrap().first_valid(),
                store.atr(f.atr_period).unwrap().first_valid(),
                bands.pct_b.first_valid(),
                fib.direction.first_valid(),
                fib.dist_atr.first_valid(),
                htf.close.first_valid(),
                htf.ema.first_valid(),
            ];
            if params.signal_adaptation.is_some() {
                bars.push(
                    store
                        .atr_pct_rank(f.atr_period, f.atr_pct_lookback)
                        .unwrap()
                        .first_valid(),
                );
            }
            bars.into_iter().max().unwrap()
        }
        StrategyParams::SmaCross(params) => {
            let fast = store.sma(params.fast_period).unwrap().first_valid();
            let slow = store.sma(params.slow_period).unwrap().first_valid();
            fast.max(slow) + 1
        }
        StrategyParams::RsiReversion(params) => store.rsi(params.rsi_period).unwrap().first_valid(),
        StrategyParams::BollingerBreakout(params) => store
            .bollinger(params.bb_period, params.bb_std)
            .unwrap()
            .upper
            .first_valid(),
        StrategyParams::DonchianBreakout(params) => {
            let entry = store.donchian(params.entry_period).unwrap();
            let exit = store.donchian(params.exit_period).unwrap();
            entry.upper.first_valid().max(exit.lower.first_valid())
        }
        // A rule that reads undefined values is false there, so no bar is out of bounds for
        // a decision; the rules' tests check its warm-up against the columns themselves.
        StrategyParams::Rules(_) => 0,
    }
}

/// The strategy's own `first_decision_bar`, built directly (not through the engine).
fn first_decision_bar(store: &mut FeatureStore, config: &StrategyConfig) -> usize {
    match config.params() {
        StrategyParams::Genesis(params) => Genesis::new(store, config.features(), params)
            .unwrap()
            .first_decision_bar(),
        StrategyParams::SmaCross(params) => {
            SmaCross::new(store, params).unwrap().first_decision_bar()
        }
        StrategyParams::RsiReversion(params) => RsiReversion::new(store, params)
            .unwrap()
            .first_decision_bar(),
        StrategyParams::BollingerBreakout(params) => BollingerBreakout::new(store, params)
            .unwrap()
            .first_decision_bar(),
        StrategyParams::DonchianBreakout(params) => DonchianBreakout::new(store, params)
            .unwrap()
            .first_decision_bar(),
        StrategyParams::Rules(params) => RulesStrategy::new(store, params)
            .unwrap()
            .first_decision_bar(),
    }
}

/// Checks one run: the warm-up is respected, entries come after it, the accounting holds
/// and the outputs are valid JSON.
fn check_run(candles: &Arc<Candles>, config: &StrategyConfig) -> usize {
    let mut store = FeatureStore::new(Arc::clone(candles));
    let warm_up = independent_warm_up(&mut store, config);
    let first = first_decision_bar(&mut store, config);
    assert!(
        first >= warm_up,
        "{}: decides at {first}, features valid from {warm_up}",
        config.kind()
    );
    let outcome = run_backtest(&mut store, config, Window::all(candles), Recording::Full).unwrap();
    assert_eq!(outcome.report.first_decision_bar, first);
    for trade in &outcome.report.trades {
        assert!(
            trade.entry_bar_idx > first,
            "{}: entry fill at bar {} but the first decision is at bar {first}",
            config.kind(),
            trade.entry_bar_idx
        );
        assert!(trade.exit_bar_idx >= trade.entry_bar_idx);
        assert!(trade.units > 0.0 && trade.units.is_finite());
    }
    assert_equity_is_cash_plus_pnl(&outcome);
    // Valid JSON: serde_json writes a NaN or an infinity as null, which would not read back
    // into the same outcome (a plain f64 rejects null, and NaN is unequal to itself).
    let value = serde_json::to_value(&outcome).expect("outcome serialises");
    let back: crate::run::RunOutcome = serde_json::from_value(value).expect("and reads back");
    assert!(
        back == outcome,
        "{}: a non-finite number in the outcome",
        config.kind()
    );
    outcome.report.trades.len()
}

#[test]
fn every_preset_trades_on_the_demo_data_after_its_warm_up() {
    let candles = demo();
    for (name, _) in PRESETS {
        let config = StrategyConfig::preset(name).unwrap();
        let n_trades = check_run(&candles, &config);
        assert!(n_trades > 0, "{name} never trades on the demo data");
    }
}

/// The default genesis preset must be usable out of the box: tens to a few hundred trades
/// on the demo data, not zero (thresholds too strict) and not one per bar.
#[test]
fn the_genesis_preset_trades_a_reasonable_number_of_times() {
    let outcome = run_all(&demo(), &StrategyConfig::preset("genesis").unwrap());
    let n_trades = outcome.report.trades.len();
    assert!((20..=500).contains(&n_trades), "{n_trades} trades");
    assert_eq!(outcome.report.rejected_orders.invalid, 0);
}

#[test]
fn strategy_variants_trade_and_respect_their_warm_up() {
    let candles = demo();
    let variants = [
        "strategy: genesis\nenable_shorts: true\nsignal_adaptation: null\nthresholds: {entry_conf_overall: 0.3, regime_proba: {}}\n",
        "strategy: genesis\nhtf_exit_config: {enable_trailing: false}\nexits: {stop_atr_multiplier: 1.5, take_profit_atr_multiplier: 3}\nmax_hold_bars: null\n",
        "strategy: genesis\nhtf_exit_config: {enable_trailing: true}\nexits: {stop_atr_multiplier: null}\nfeatures: {ema_fast: 8, ema_slow: 30, htf_multiple: 24, htf_ema_period: 10}\n",
        "strategy: sma_cross\nfast_period: 5\nslow_period: 60\nenable_shorts: false\n",
        "strategy: rsi_reversion\nrsi_period: 7\nenable_shorts: true\nstop_loss_frac: null\nmax_hold_bars: 10\n",
        "strategy: bollinger_breakout\nbb_period: 50\nbb_std: 1.5\nenable_shorts: true\n",
        "strategy: donchian_breakout\nentry_period: 55\nexit_period: 20\nenable_shorts: true\nstop_loss_frac: 0.03\n",
    ];
    for text in variants {
        let n_trades = check_run(&candles, &yaml(text));
        assert!(n_trades > 0, "{text}");
    }
}

#[test]
fn long_only_strategies_never_go_short() {
    let candles = demo();
    for text in [
        "strategy: genesis\nenable_shorts: false\nthresholds: {entry_conf_overall: 0.3, regime_proba: {}}\nsignal_adaptation: null\n",
        "strategy: sma_cross\nenable_shorts: false\n",
        "strategy: rsi_reversion\nenable_shorts: false\n",
    ] {
        let outcome = run_all(&candles, &yaml(text));
        assert!(!outcome.report.trades.is_empty(), "{text}");
        assert!(
            outcome
                .report
                .trades
                .iter()
                .all(|trade| trade.side == crate::backtest::Side::Long),
            "{text}"
        );
    }
}

/// backtesting.py's SmaCross is always in the market after its first cross: each trade but
/// the last closes by reversing, and the opposite trade opens at that same bar unless the
/// equity could no longer buy one whole unit there (a rejected entry, counted).
#[test]
fn sma_cross_reverses_at_every_cross() {
    let outcome = run_all(&demo(), &StrategyConfig::preset("sma_cross").unwrap());
    let trades = &outcome.report.trades;
    assert!(trades.len() > 100);
    let mut n_gaps = 0;
    for pair in trades.windows(2) {
        assert_eq!(pair[0].exit_reason, crate::backtest::ExitReason::Reverse);
        if pair[0].exit_bar_idx == pair[1].entry_bar_idx {
            assert_ne!(pair[0].side, pair[1].side);
        } else {
            n_gaps += 1;
        }
    }
    assert!(n_gaps <= outcome.report.rejected_orders.insufficient_cash);
}

fn arb_candles() -> impl Strategy<Value = Arc<Candles>> {
    (any::<u64>(), 200usize..1_500).prop_map(|(seed, n_bars)| {
        Arc::new(
            generate(&SynthParams {
                n_bars,
                seed,
                ..SynthParams::demo()
            })
            .expect("valid synth parameters"),
        )
    })
}

fn arb_config() -> impl Strategy<Value = StrategyConfig> {
    let genesis = (
        0.2f64..0.6,
        0.2f64..0.6,
        0.5f64..4.0,
        prop::option::of(1u32..40),
        any::<bool>(),
        any::<bool>(),
        (-1.0f64..2.0, 0.1f64..3.0, 0.0f64..3.0),
        (5u32..30, 2u32..6, 1u32..8),
    )
        .prop_map(
            |(
                entry,
                exit,
                trail,
                max_hold,
                shorts,
                zones,
                (weight, temperature, hold),
                (ema_fast, strength, multiple),
            )| {
                let mut value = StrategyConfig::preset("genesis").unwrap().to_value();
                value["thresholds"]["entry_conf_overall"] = json!(entry);
                value["exit_conf_threshold"] = json!(exit);
                value["htf_exit_config"]["trail_atr_multiplier"] = json!(trail);
                value["max_hold_bars"] = json!(max_hold);
                value["enable_shorts"] = json!(shorts);
                if !zones {
                    value["signal_adaptation"] = json!(null);
                }
                value["model"]["weights"]["trend"] = json!(weight);
                value["model"]["temperature"] = json!(temperature);
                value["model"]["hold_bias"] = json!(hold);
                value["features"]["ema_fast"] = json!(ema_fast);
                value["features"]["ema_slow"] = json!(ema_fast * 2 + 1);
                value["features"]["swing_strength"] = json!(strength);
                value["features"]["htf_multiple"] = json!(multiple);
                value["features"]["atr_pct_lookback"] = json!(50);
                StrategyConfig::from_value(value).unwrap()
            },
        );
    let sma = (1u32..30, 1u32..60, any::<bool>(), any::<bool>()).prop_map(|(fast, extra, shorts, whole)| {
        yaml(&format!(
            "strategy: sma_cross\nfast_period: {fast}\nslow_period: {}\nenable_shorts: {shorts}\nbacktest: {{whole_units: {whole}, commission: 0.002, initial_cash: 1000000}}\n",
            fast + extra
        ))
    });
    let rsi = (2u32..30, 10.0f64..45.0, 55.0f64..90.0, any::<bool>(), prop::option::of(0.01f64..0.2))
        .prop_map(|(period, low, high, shorts, stop)| {
            let stop = stop.map_or("null".to_owned(), |s| s.to_string());
            yaml(&format!(
                "strategy: rsi_reversion\nrsi_period: {period}\noversold: {low}\noverbought: {high}\nenable_shorts: {shorts}\nstop_loss_frac: {stop}\n"
            ))
        });
    let bands = (2u32..60, 0.5f64..3.0, any::<bool>(), prop::option::of(1u32..50)).prop_map(
        |(period, std, shorts, hold)| {
            let hold = hold.map_or("null".to_owned(), |h| h.to_string());
            yaml(&format!(
                "strategy: bollinger_breakout\nbb_period: {period}\nbb_std: {std}\nenable_shorts: {shorts}\nmax_hold_bars: {hold}\n"
            ))
        },
    );
    let donchian = (1u32..60, 1u32..60, any::<bool>(), 0.1f64..1.0).prop_map(|(entry, exit, shorts, fraction)| {
        yaml(&format!(
            "strategy: donchian_breakout\nentry_period: {entry}\nexit_period: {exit}\nenable_shorts: {shorts}\nequity_fraction: {fraction}\n"
        ))
    });
    prop_oneof![genesis, sma, rsi, bands, donchian]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Any strategy, any parameters, any data: no panic, no decision before the warm-up, the
    /// accounting holds, the outputs are valid JSON, and a run with checkpoints equals a
    /// run without.
    #[test]
    fn runs_are_sound_on_random_data_and_parameters(candles in arb_candles(), config in arb_config()) {
        check_run(&candles, &config);
        let window = Window::all(&candles);
        let mut store = FeatureStore::new(Arc::clone(&candles));
        let plain = run_backtest(&mut store, &config, window, Recording::Full).unwrap();
        let checkpoints: Vec<usize> = window.checkpoint_bars(4).collect();
        let mut n_seen = 0;
        let paused = run_backtest_checkpointed(&mut store, &config, window, Recording::Full, &checkpoints, |_| {
            n_seen += 1;
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
        prop_assert_eq!(n_seen, 4);
        match paused {
            CheckpointedRun::Finished(outcome) => prop_assert_eq!(outcome, plain),
            CheckpointedRun::Stopped(_) => prop_assert!(false, "nothing asked to stop"),
        }
    }
}
