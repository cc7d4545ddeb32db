//! The entry point: accounting, checkpoints and early stops, windows, identities, errors.

use std::ops::ControlFlow;
use std::sync::Arc;

use super::*;
use crate::backtest::BacktestError;
use crate::data::synth::{generate, SynthParams};
use crate::data::Candles;

fn candles(n_bars: usize) -> Arc<Candles> {
    Arc::new(
        generate(&SynthParams {
            n_bars,
            ..SynthParams::demo()
        })
        .unwrap(),
    )
}

fn config(text: &str) -> StrategyConfig {
    StrategyConfig::from_yaml_str(text, "test.yaml").unwrap_or_else(|err| panic!("{err}"))
}

#[test]
fn final_equity_is_initial_cash_plus_the_sum_of_trade_pnl() {
    let candles = candles(4_000);
    for name in [
        "genesis",
        "sma_cross",
        "rsi_reversion",
        "bollinger_breakout",
        "donchian_breakout",
    ] {
        let mut store = FeatureStore::new(Arc::clone(&candles));
        let config = StrategyConfig::preset(name).unwrap();
        let outcome =
            run_backtest(&mut store, &config, Window::all(&candles), Recording::Full).unwrap();
        let metrics = &outcome.report.metrics;
        let pnl: f64 = outcome.report.trades.iter().map(|trade| trade.pnl).sum();
        assert!(
            (metrics.final_equity - (config.backtest().initial_cash + pnl)).abs()
                <= 1e-9 * metrics.initial_equity,
            "{name}"
        );
        let curve = outcome.report.equity_curve.as_ref().unwrap();
        assert_eq!(curve.equity.len(), candles.len());
        assert_eq!(
            curve.equity.last().copied(),
            Some(metrics.final_equity),
            "{name}"
        );
    }
}

#[test]
fn an_outcome_names_what_ran_and_scores_it_against_the_constraints() {
    let candles = candles(3_000);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let config = config("strategy: sma_cross\nconstraints: {min_trades: 100000}\n");
    let outcome = run_backtest(
        &mut store,
        &config,
        Window::all(&candles),
        Recording::MetricsOnly,
    )
    .unwrap();
    assert_eq!(outcome.strategy, StrategyKind::SmaCross);
    assert_eq!(outcome.config_fingerprint, config.fingerprint());
    assert_eq!(outcome.dataset_hash, candles.content_hash());
    assert!(outcome.report.equity_curve.is_none());
    assert!(!outcome.evaluation.is_feasible);
    assert_eq!(outcome.evaluation.reasons.len(), 1);
    assert!(outcome.evaluation.reasons[0].contains("min_trades 100000"));
    assert_eq!(outcome.score(), score(&outcome.report.metrics).score);
}

#[test]
fn the_same_inputs_give_bit_identical_outcomes_from_any_store() {
    let candles = candles(3_000);
    let config = StrategyConfig::preset("genesis").unwrap();
    let window = Window::all(&candles);
    let mut warm = FeatureStore::new(Arc::clone(&candles));
    let first = run_backtest(&mut warm, &config, window, Recording::Full).unwrap();
    let again = run_backtest(&mut warm, &config, window, Recording::Full).unwrap();
    let mut cold = FeatureStore::new(Arc::clone(&candles));
    let fresh = run_backtest(&mut cold, &config, window, Recording::Full).unwrap();
    assert_eq!(first, again);
    assert_eq!(first, fresh);
    let bits = |outcome: &RunOutcome| serde_json::to_string(outcome).unwrap();
    assert_eq!(bits(&first), bits(&fresh));
}

#[test]
fn a_window_limits_decisions_and_fills() {
    let candles = candles(5_000);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let config = StrategyConfig::preset("sma_cross").unwrap();
    let window = Window {
        from_bar: 2_000,
        to_bar: 3_500,
    };
    let outcome = run_backtest(&mut store, &config, window, Recording::Full).unwrap();
    assert_eq!(outcome.report.first_decision_bar, 2_000);
    assert!(!outcome.report.trades.is_empty());
    for trade in &outcome.report.trades {
        assert!(trade.entry_bar_idx > 2_000 && trade.exit_bar_idx < 3_500);
    }
    assert_eq!(outcome.report.metrics.n_bars, 1_500);
}

#[test]
fn checkpoints_report_scores_and_can_stop_the_run() {
    let candles = candles(4_000);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let config = StrategyConfig::preset("sma_cross").unwrap();
    let window = Window::all(&candles);
    let checkpoints = [1_000, 2_000, 3_000, 4_000];
    let mut seen = Vec::new();
    let stopped = run_backtest_checkpointed(
        &mut store,
        &config,
        window,
        Recording::MetricsOnly,
        &checkpoints,
        |checkpoint| {
            seen.push(checkpoint.clone());
            if checkpoint.index == 1 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    )
    .unwrap();
    assert_eq!(seen.len(), 2, "no checkpoint after the stop");
    let CheckpointedRun::Stopped(stopped) = stopped else {
        panic!("the callback asked to stop")
    };
    assert_eq!(stopped.checkpoint.bar_idx, 2_000);
    assert_eq!(stopped.checkpoint.metrics.n_bars, 2_000);
    assert_eq!(stopped.checkpoint.score, score(&stopped.checkpoint.metrics));
    assert_eq!(stopped.config_fingerprint, config.fingerprint());
    assert!(seen[0].metrics.n_bars < seen[1].metrics.n_bars);

    // The last checkpoint at the window's end sees the final metrics.
    let mut last = None;
    let finished = run_backtest_checkpointed(
        &mut store,
        &config,
        window,
        Recording::MetricsOnly,
        &checkpoints,
        |checkpoint| {
            last = Some(checkpoint.metrics);
            ControlFlow::Continue(())
        },
    )
    .unwrap();
    let CheckpointedRun::Finished(outcome) = finished else {
        panic!("nothing asked to stop")
    };
    assert_eq!(last, Some(outcome.report.metrics));
}

#[test]
fn bad_checkpoints_and_windows_are_errors_not_panics() {
    let candles = candles(500);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    let config = StrategyConfig::preset("sma_cross").unwrap();
    let window = Window::all(&candles);
    for (checkpoints, bad) in [
        (&[100, 100][..], 1),
        (&[300, 200][..], 1),
        (&[0][..], 0),
        (&[501][..], 0),
    ] {
        let err = run_backtest_checkpointed(
            &mut store,
            &config,
            window,
            Recording::MetricsOnly,
            checkpoints,
            |_| ControlFlow::Continue(()),
        )
        .unwrap_err();
        let key = format!("checkpoints[{bad}]");
        assert_eq!(err.key(), Some(key.as_str()), "{checkpoints:?}");
    }
    for window in [
        Window {
            from_bar: 10,
            to_bar: 10,
        },
        Window {
            from_bar: 0,
            to_bar: 501,
        },
    ] {
        let err = run_backtest(&mut store, &config, window, Recording::Full).unwrap_err();
        assert!(
            matches!(
                err,
                StrategyError::Backtest(BacktestError::InvalidWindow { .. })
            ),
            "{err}"
        );
        assert!(err.is_input_error());
    }
}

#[test]
fn data_shorter_than_the_warm_up_runs_without_trades() {
    let candles = candles(40);
    let mut store = FeatureStore::new(Arc::clone(&candles));
    for name in ["genesis", "donchian_breakout"] {
        let config = match name {
            "genesis" => StrategyConfig::preset(name).unwrap(),
            _ => config("strategy: donchian_breakout\nentry_period: 100\n"),
        };
        let outcome =
            run_backtest(&mut store, &config, Window::all(&candles), Recording::Full).unwrap();
        assert!(outcome.report.trades.is_empty(), "{name}");
        assert_eq!(
            outcome.report.metrics.final_equity,
            config.backtest().initial_cash
        );
        let value = serde_json::to_value(&outcome).unwrap();
        let back: RunOutcome = serde_json::from_value(value).unwrap();
        assert!(
            back == outcome,
            "{name}: every number is finite and reads back"
        );
    }
}
