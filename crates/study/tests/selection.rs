//! The overfitting figures of a whole study, from what its trials kept, against the same
//! figures computed from every trial's full equity curve re-run from scratch.

mod common;

use common::{plan, run_study, short_demo, SMA_SPACE};
use genesis_engine::backtest::Recording;
use genesis_engine::features::FeatureStore;
use genesis_engine::metrics::returns::ReturnStats;
use genesis_engine::run::run_backtest;
use genesis_optimizer::TrialState;
use genesis_study::overfit::{deflate_among, pbo, BlockSums, SharpeEstimate};
use genesis_study::selection::{assess, to_optuna_journal};

/// Per-bar returns of a full run's equity curve, the first from the initial cash.
fn returns_of(equity: &[f64], initial: f64) -> Vec<f64> {
    let mut last = initial;
    equity
        .iter()
        .map(|&e| {
            let r = ReturnStats::bar_return(last, e);
            last = e;
            r
        })
        .collect()
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance * (1.0 + a.abs().max(b.abs()))
}

#[test]
fn dsr_and_pbo_from_the_trials_sums_equal_those_from_every_trials_full_returns() {
    let candles = short_demo(3_000);
    let plan = plan(&candles, "sma_cross", SMA_SPACE, 11, None);
    let study = run_study(&plan, &candles, 60, 2);
    let log = study.log().unwrap();
    let selection = assess(&log);

    // Independently: re-run every complete trial with its full equity curve.
    let mut store = FeatureStore::new(candles.clone());
    let objective = plan.objective();
    let mut sums = BlockSums::new(16);
    let mut sharpes = Vec::new();
    let mut best_returns = Vec::new();
    let best = selection.best_trial.expect("a feasible best trial");
    let distinct: Vec<_> = log
        .trials
        .iter()
        .filter(|t| t.duplicate_of.is_none())
        .collect();
    for trial in distinct.iter().filter(|t| t.state == TrialState::Complete) {
        let config = plan.effective_config(&trial.params).unwrap();
        let run = run_backtest(&mut store, &config, objective.window(), Recording::Full).unwrap();
        let curve = run.report.equity_curve.expect("recorded");
        let returns = returns_of(&curve.equity, config.backtest().initial_cash);
        sums.push_returns(&returns);
        sharpes.push(SharpeEstimate::of(&returns).map_or(0.0, |e| e.sharpe));
        if trial.number == best {
            best_returns = returns;
        }
    }
    let n_tries = distinct
        .iter()
        .filter(|t| matches!(t.state, TrialState::Complete | TrialState::Pruned))
        .count();
    assert_eq!(selection.n_tries, n_tries);
    assert_eq!(selection.n_with_returns, sharpes.len());

    let expected = deflate_among(
        SharpeEstimate::of(&best_returns).unwrap(),
        &sharpes,
        n_tries,
    )
    .unwrap();
    let found = selection.deflation.expect("a deflated Sharpe ratio");
    assert_eq!(found.n_trials, expected.n_trials);
    assert_eq!(found.best.n, expected.best.n);
    for (what, a, b) in [
        ("sharpe", found.best.sharpe, expected.best.sharpe),
        ("skewness", found.best.skewness, expected.best.skewness),
        ("kurtosis", found.best.kurtosis, expected.best.kurtosis),
        ("variance", found.trials_variance, expected.trials_variance),
        ("psr", found.psr, expected.psr),
        ("dsr", found.dsr, expected.dsr),
    ] {
        assert!(
            close(a, b, 1e-9),
            "{what}: from the sums {a}, from the returns {b}"
        );
    }

    let expected = pbo(&sums).unwrap();
    let found = selection.pbo.clone().expect("a PBO");
    assert_eq!(found.n_blocks, 16);
    assert_eq!(found.logits.len(), expected.logits.len());
    assert!(
        close(found.pbo, expected.pbo, 1e-12),
        "{} {}",
        found.pbo,
        expected.pbo
    );
    for (a, b) in found.logits.iter().zip(&expected.logits) {
        assert!(close(*a, *b, 1e-9), "logit {a} {b}");
    }
    assert!(selection.dsr_sentence().unwrap().contains("tries"));
    assert!(selection.pbo_sentence().unwrap().contains("16 blocks"));
}

#[test]
fn a_study_without_return_blocks_says_why_it_has_no_figures_and_the_export_carries_them_when_it_has(
) {
    let candles = short_demo(2_000);
    let mut without = plan(&candles, "sma_cross", SMA_SPACE, 3, None);
    without.metadata.pbo_blocks = 0;
    let log = run_study(&without, &candles, 12, 1).log().unwrap();
    let selection = assess(&log);
    assert!(selection.deflation.is_none() && selection.pbo.is_none());
    assert!(
        selection
            .notes
            .iter()
            .any(|n| n.contains("no return blocks")),
        "{:?}",
        selection.notes
    );

    let with = plan(&candles, "sma_cross", SMA_SPACE, 3, None);
    let log = run_study(&with, &candles, 12, 1).log().unwrap();
    let export = to_optuna_journal(&log).unwrap();
    // The study attributes, one per operation as Optuna 5 requires, gathered.
    let mut attrs = serde_json::json!({"user_attr": {}});
    for op in export
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|op| op["op_code"] == 2)
    {
        let one = op["user_attr"].as_object().unwrap();
        assert_eq!(one.len(), 1, "{op}");
        for (key, value) in one {
            attrs["user_attr"][key] = value.clone();
        }
    }
    let dsr = attrs["user_attr"]["genesis_dsr"]
        .as_f64()
        .expect("genesis_dsr");
    assert_eq!(Some(dsr), assess(&log).deflation.map(|d| d.dsr));
    assert!(attrs["user_attr"]["genesis_pbo"].is_number(), "{attrs}");
    // The import still finds the study's header among the attributes.
    let back = genesis_optimizer::export::from_optuna_journal(&export).unwrap();
    assert_eq!(back.header, log.header);
}
