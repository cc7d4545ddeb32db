//! The score formula, the zero-drawdown guard and the constraints.

use super::*;
use crate::backtest::{
    run, BacktestConfig, Decision, Entry, PositionView, Recording, Side, Sizing, Strategy, Window,
};
use crate::data::{Bar, Candles, Columns};
use crate::metrics::{Annualisation, EquityStats, MetricsContext};

/// Metrics with the given headline numbers (everything else from a flat run).
fn metrics(
    sharpe: f64,
    total_return: f64,
    max_drawdown: f64,
    win_rate: f64,
    n_trades: usize,
) -> Metrics {
    let flat = EquityStats::new(10_000.0, 0);
    let mut metrics = Metrics::compute(
        &flat,
        &[],
        MetricsContext {
            annualisation: Annualisation::Calendar.report(&[], 3_600_000),
            elapsed_ms: 0,
            annual: crate::metrics::AnnualFigures::default(),
            buy_and_hold_return: 0.0,
            is_ruined: false,
        },
    );
    metrics.sharpe = Some(sharpe);
    metrics.total_return = total_return;
    metrics.max_drawdown = max_drawdown;
    metrics.win_rate = win_rate;
    metrics.n_trades = n_trades;
    metrics.return_to_dd =
        crate::metrics::return_to_dd::return_to_dd(total_return, max_drawdown, n_trades);
    metrics
}

fn assert_close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-12,
        "{actual} differs from {expected}"
    );
}

#[test]
fn score_is_the_sum_of_its_four_terms() {
    // sharpe 1.2 + total return 0.3 + 0.25 × (0.3 / 0.1 = 3) + clip(0.55 − 0.4) = 0.15:
    // 1.2 + 0.3 + 0.75 + 0.15 = 2.4.
    let s = score(&metrics(1.2, 0.3, 0.1, 0.55, 20));
    assert_close(s.score, 2.4);
    assert_close(s.return_to_dd_term, 0.75);
    assert_close(s.win_rate_term, 0.15);
    // The win-rate term is clipped at ±0.2: win rate 0.9 gives +0.2, 0.1 gives −0.2.
    assert_close(score(&metrics(0.0, 0.0, 0.1, 0.9, 5)).win_rate_term, 0.2);
    assert_close(score(&metrics(0.0, 0.0, 0.1, 0.1, 5)).win_rate_term, -0.2);
    // An undefined Sharpe counts as 0.
    let mut flat = metrics(0.0, 0.0, 0.0, 0.0, 0);
    flat.sharpe = None;
    assert_close(score(&flat).score, -0.2);
}

#[test]
fn a_near_zero_drawdown_champion_no_longer_outranks_a_healthy_run() {
    // The old system's champion: +10.43 % with a drawdown of about 0.01 %. Unguarded,
    // return_to_dd = 0.1043 / 0.0001 = 1,043, worth 0.25 × 1,043 = 260.75 points: the
    // reported score of 260. Guarded, the drawdown counts as 2 %: 0.1043 / 0.02 = 5.215,
    // worth 1.30375; with sharpe 1.0 and win rate 0.6 (term +0.2) the score is
    // 1.0 + 0.1043 + 1.30375 + 0.2 = 2.60805.
    let champion = score(&metrics(1.0, 0.1043, 0.0001, 0.6, 75));
    assert_close(champion.score, 2.60805);
    let unguarded = champion.score - champion.return_to_dd_term + 0.25 * (0.1043 / 0.0001);
    assert!(unguarded > 260.0, "{unguarded}");
    // A healthy run: sharpe 1.5, +30 % with a 10 % drawdown, win rate 0.5:
    // 1.5 + 0.3 + 0.75 + 0.1 = 2.65. It ranks first.
    let healthy = score(&metrics(1.5, 0.3, 0.1, 0.5, 60));
    assert_close(healthy.score, 2.65);
    assert!(healthy.score > champion.score);
    // Even an exactly zero drawdown with a huge return is capped at 10 (2.5 points).
    assert_close(
        score(&metrics(0.0, 5.0, 0.0, 0.4, 3)).return_to_dd_term,
        2.5,
    );
}

/// Long from bar 1 to the end on strictly rising prices: no close below the previous peak.
struct BuyAndHold;

impl Strategy for BuyAndHold {
    fn first_decision_bar(&self) -> usize {
        0
    }
    fn decide(&mut self, _bar_idx: usize, _position: &PositionView) -> Decision {
        Decision::Enter(Entry::new(Side::Long, Sizing::EquityFraction(0.5)))
    }
}

#[test]
fn a_real_run_without_drawdown_gets_a_finite_bounded_score() {
    let mut cols = Columns::default();
    for k in 0..10 {
        let price = 100.0 + k as f64;
        cols.push(Bar {
            ts_ms: k * 3_600_000,
            open: price,
            high: price + 0.5,
            low: price,
            close: price + 0.5,
            volume: 1.0,
        });
    }
    let candles = Candles::from_columns(cols).expect("valid");
    let report = run(
        &candles,
        &BacktestConfig::default(),
        Window::all(&candles),
        BuyAndHold,
        Recording::MetricsOnly,
    )
    .expect("valid");
    let m = &report.metrics;
    assert_eq!(m.max_drawdown, 0.0);
    assert_eq!(m.n_trades, 1);
    // Half the equity bought at 101 and sold at the last close 109.5: +4.2 %, so the
    // guarded ratio is 0.042 / 0.02 = 2.1 where the plain one would be infinite.
    assert!((m.total_return - 0.5 * 8.5 / 101.0).abs() < 1e-12);
    assert!((m.return_to_dd - m.total_return / 0.02).abs() < 1e-12);
    let s = score(m);
    assert!(s.score.is_finite());
    assert!(s.return_to_dd_term <= 2.5);
}

#[test]
fn failing_runs_are_kept_infeasible_with_reasons() {
    let constraints = Constraints {
        min_trades: Some(3),
        min_profit_factor: Some(0.8),
        max_max_dd: Some(0.35),
        include_scoring_failures: false,
    };
    let mut weak = metrics(0.1, -0.2, 0.4, 0.3, 2);
    weak.profit_factor = Some(0.5);
    let evaluation = evaluate(&weak, &constraints);
    assert!(!evaluation.is_feasible);
    assert_eq!(
        evaluation.violations,
        [
            Violation::TooFewTrades {
                n_trades: 2,
                min_trades: 3
            },
            Violation::ProfitFactorTooLow {
                profit_factor: Some(0.5),
                min_profit_factor: 0.8
            },
            Violation::DrawdownTooDeep {
                max_drawdown: 0.4,
                max_max_dd: 0.35
            },
        ]
    );
    assert_eq!(evaluation.reasons[0], "2 trades, fewer than min_trades 3");
    assert_eq!(
        evaluation.reasons[2],
        "max drawdown 40.00 % deeper than max_max_dd 35.00 %"
    );
    // The score is still computed and reported.
    assert_eq!(evaluation.score, score(&weak));
    let json = serde_json::to_string(&evaluation).expect("serialises");
    let back: Evaluation = serde_json::from_str(&json).expect("round trip");
    assert_eq!(back, evaluation);
}

#[test]
fn scoring_failures_count_as_constraints_only_when_asked() {
    let idle = metrics(0.0, 0.0, 0.0, 0.0, 0);
    let lenient = evaluate(&idle, &Constraints::default());
    assert!(lenient.is_feasible);
    assert_eq!(lenient.scoring_failures, [ScoringFailure::NoTrades]);
    let strict = evaluate(
        &idle,
        &Constraints {
            include_scoring_failures: true,
            ..Constraints::default()
        },
    );
    assert!(!strict.is_feasible);
    assert_eq!(strict.reasons, ["scoring failure: no trades"]);

    let mut ruined = metrics(-1.0, -1.2, 1.2, 0.0, 1);
    ruined.is_ruined = true;
    assert_eq!(
        evaluate(&ruined, &Constraints::default()).scoring_failures,
        [ScoringFailure::Ruin]
    );
}

#[test]
fn a_profit_factor_without_losses_passes_and_without_trades_fails() {
    let constraints = Constraints {
        min_profit_factor: Some(1.2),
        ..Constraints::default()
    };
    let mut winners_only = metrics(1.0, 0.1, 0.01, 1.0, 3);
    winners_only.profit_factor = None;
    winners_only.gross_profit = 1_000.0;
    assert!(evaluate(&winners_only, &constraints).is_feasible);
    let idle = metrics(0.0, 0.0, 0.0, 0.0, 0);
    assert!(!evaluate(&idle, &constraints).is_feasible);
}

#[test]
fn constraints_config_is_strict_and_names_bad_keys() {
    let parsed: Result<Constraints, _> = serde_json::from_str(r#"{"max_dd": 0.3}"#);
    assert!(parsed.is_err());
    let parsed: Constraints =
        serde_json::from_str(r#"{"min_trades": 3, "max_max_dd": 0.35}"#).expect("valid");
    assert_eq!(parsed.min_trades, Some(3));
    assert!(!parsed.include_scoring_failures);
    let bad = Constraints {
        max_max_dd: Some(-0.1),
        ..Constraints::default()
    };
    let err = bad.validate().expect_err("negative drawdown");
    assert!(
        err.to_string().starts_with("constraints.max_max_dd"),
        "{err}"
    );
}
