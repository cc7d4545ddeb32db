//! Invariants over random candles, random costs and random scripted decisions.

use proptest::prelude::*;
use proptest::strategy::Strategy as _;

use super::*;
use crate::backtest::{
    Backtest, Decision, ExitReason, ExitRules, Level, Side, Sizing, Strategy, Trade,
};
use crate::metrics::{Metrics, ReturnBlocks};

/// Decisions indexed by bar (missing bars hold).
#[derive(Clone, Debug)]
struct ByBar {
    first_decision_bar: usize,
    decisions: Vec<Decision>,
}

impl Strategy for ByBar {
    fn first_decision_bar(&self) -> usize {
        self.first_decision_bar
    }
    fn decide(&mut self, bar_idx: usize, _position: &PositionView) -> Decision {
        self.decisions
            .get(bar_idx)
            .copied()
            .unwrap_or(Decision::Hold)
    }
}

/// A random walk of valid bars starting at 100: each bar's gap, body and wicks are drawn up
/// to the given fractions.
fn random_walk(
    max_gap: f64,
    max_body: f64,
    max_wick: f64,
    n_bars: std::ops::Range<usize>,
) -> impl proptest::strategy::Strategy<Value = Candles> {
    prop::collection::vec(
        (
            -max_gap..max_gap,
            -max_body..max_body,
            0.0..max_wick,
            0.0..max_wick,
        ),
        n_bars,
    )
    .prop_map(|moves| {
        let mut prev_close = 100.0;
        let rows: Vec<_> = moves
            .into_iter()
            .map(|(gap, body, wick_up, wick_down): (f64, f64, f64, f64)| {
                let open: f64 = prev_close * (1.0 + gap);
                let close: f64 = open * (1.0 + body);
                let high = open.max(close) * (1.0 + wick_up);
                let low = open.min(close) * (1.0 - wick_down);
                prev_close = close;
                (open, high, low, close)
            })
            .collect();
        candles(&rows)
    })
}

/// Gap, body and wicks of a few percent.
fn arb_candles() -> impl proptest::strategy::Strategy<Value = Candles> {
    random_walk(0.04, 0.05, 0.03, 3..60)
}

fn arb_level() -> impl proptest::strategy::Strategy<Value = Option<Level>> {
    prop_oneof![
        2 => Just(None),
        2 => (0.2f64..8.0).prop_map(|d| Some(Level::Distance(d))),
        1 => (80.0f64..120.0).prop_map(|p| Some(Level::Price(p))),
    ]
}

fn arb_entry() -> impl proptest::strategy::Strategy<Value = Decision> {
    let sizing = prop_oneof![
        (0.05f64..1.5).prop_map(Sizing::EquityFraction),
        (0.001f64..0.05).prop_map(Sizing::RiskFraction),
        Just(Sizing::AllIn),
        (0.5f64..200.0).prop_map(Sizing::Units),
    ];
    let exits = (
        arb_level(),
        arb_level(),
        prop::option::of(0.2f64..8.0),
        prop::option::of(0u32..6),
    )
        .prop_map(
            |(stop, take_profit, trailing_distance, max_hold_bars)| ExitRules {
                stop,
                take_profit,
                trailing_distance,
                max_hold_bars,
            },
        );
    (any::<bool>(), sizing, exits).prop_map(|(is_long, sizing, exits)| {
        let side = if is_long { Side::Long } else { Side::Short };
        Decision::Enter(Entry::new(side, sizing).with_exits(exits))
    })
}

fn arb_decisions() -> impl proptest::strategy::Strategy<Value = Vec<Decision>> {
    let decision = prop_oneof![
        6 => Just(Decision::Hold),
        3 => arb_entry(),
        2 => Just(Decision::Exit),
        1 => (0.2f64..6.0).prop_map(Decision::SetTrailingDistance),
    ];
    prop::collection::vec(decision, 60)
}

fn arb_config() -> impl proptest::strategy::Strategy<Value = BacktestConfig> {
    (
        0.0f64..0.01,
        0.0f64..40.0,
        any::<bool>(),
        prop_oneof![Just(1.0), Just(3.0)],
    )
        .prop_map(
            |(commission, slippage_bps, whole_units, max_leverage)| BacktestConfig {
                commission,
                slippage_bps,
                whole_units,
                max_leverage,
                ..BacktestConfig::default()
            },
        )
}

fn run_all(candles: &Candles, config: &BacktestConfig, strategy: &ByBar) -> BacktestReport {
    run(
        candles,
        config,
        Window::all(candles),
        strategy.clone(),
        Recording::Full,
    )
    .expect("valid")
}

fn near(a: f64, b: f64, scale: f64) -> bool {
    (a - b).abs() <= 1e-9 * scale.max(1.0)
}

/// The equity at the close of `bar_idx` rebuilt from the trade list alone: realised P&L of
/// trades closed by then plus the open trade's P&L at that close, net of its entry
/// commission.
fn equity_from_trades(trades: &[Trade], initial: f64, close: f64, bar_idx: usize) -> f64 {
    let mut equity = initial;
    for trade in trades {
        if trade.exit_bar_idx <= bar_idx {
            equity += trade.pnl;
        } else if trade.entry_bar_idx <= bar_idx {
            equity += trade.side.sign() * trade.units * (close - trade.entry_price)
                - trade.entry_commission;
        }
    }
    equity
}

fn metrics_are_json_safe(metrics: &Metrics) -> Result<(), TestCaseError> {
    let json = serde_json::to_string(metrics).expect("serialises");
    let back: Metrics = serde_json::from_str(&json)
        .map_err(|err| TestCaseError::fail(format!("not valid metrics JSON: {err}: {json}")))?;
    let optional = [
        back.cagr,
        back.sharpe,
        back.sortino,
        back.calmar,
        back.profit_factor,
        back.sqn,
    ];
    prop_assert!(optional.iter().flatten().all(|x| x.is_finite()), "{json}");
    prop_assert_eq!(back.n_trades, metrics.n_trades);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn accounting_invariants_hold(
        candles in arb_candles(),
        config in arb_config(),
        decisions in arb_decisions(),
        first_decision_bar in 0usize..4,
    ) {
        let strategy = ByBar { first_decision_bar, decisions };
        let report = run_all(&candles, &config, &strategy);
        let trades = &report.trades;
        let scale = config.initial_cash + trades.iter().map(|t| t.pnl.abs() + t.units * t.entry_price).sum::<f64>();

        // Final equity is initial cash plus the sum of trade P&L net of costs.
        let pnl_sum: f64 = trades.iter().map(|t| t.pnl).sum();
        prop_assert!(near(report.metrics.final_equity, config.initial_cash + pnl_sum, scale),
            "final {} vs {}", report.metrics.final_equity, config.initial_cash + pnl_sum);

        // Equity at every close equals cash plus the open position's value, rebuilt from the
        // trades.
        let curve = report.equity_curve.as_ref().expect("full");
        prop_assert_eq!(curve.equity.len(), candles.len());
        for (bar_idx, &equity) in curve.equity.iter().enumerate() {
            let rebuilt = equity_from_trades(trades, config.initial_cash, candles.close()[bar_idx], bar_idx);
            prop_assert!(near(equity, rebuilt, scale), "bar {}: {} vs {}", bar_idx, equity, rebuilt);
        }

        // No fill before the first decision bar + 1; one position at a time; ordered bars.
        let mut prev_exit = 0;
        for trade in trades {
            prop_assert!(trade.entry_bar_idx > first_decision_bar);
            prop_assert!(trade.entry_bar_idx >= prev_exit);
            prop_assert!(trade.exit_bar_idx >= trade.entry_bar_idx);
            prop_assert_eq!(trade.bars_held, trade.exit_bar_idx - trade.entry_bar_idx);
            prop_assert!(trade.units > 0.0 && trade.pnl.is_finite());
            if config.whole_units {
                prop_assert_eq!(trade.units, trade.units.floor());
            }
            prev_exit = trade.exit_bar_idx;
        }
        // Only the last trade can be closed by the end of the data.
        prop_assert!(trades.iter().rev().skip(1).all(|t| t.exit_reason != ExitReason::EndOfData));

        metrics_are_json_safe(&report.metrics)?;
        let json = serde_json::to_string(&report).expect("serialises");
        let back: BacktestReport = serde_json::from_str(&json).expect("round trip");
        prop_assert_eq!(back.trades.len(), trades.len());
    }

    #[test]
    fn a_prefix_of_the_data_gives_the_same_past(
        candles in arb_candles(),
        config in arb_config(),
        decisions in arb_decisions(),
        cut in 0.3f64..1.0,
    ) {
        // Decisions at bar i see only data up to i, so running on the first m bars must
        // reproduce the full run's equity and trades up to bar m − 2 (bar m − 1 differs
        // only by the end-of-data close).
        let n_bars = candles.len();
        let m = ((n_bars as f64 * cut) as usize).clamp(2, n_bars);
        let mut cols = candles.columns().clone();
        for col in [&mut cols.open, &mut cols.high, &mut cols.low, &mut cols.close, &mut cols.volume] {
            col.truncate(m);
        }
        cols.ts_ms.truncate(m);
        let prefix = Candles::from_columns(cols).expect("prefix is valid");
        let strategy = ByBar { first_decision_bar: 0, decisions };
        let full = run_all(&candles, &config, &strategy);
        let part = run_all(&prefix, &config, &strategy);
        let full_equity = &full.equity_curve.as_ref().expect("full").equity;
        let part_equity = &part.equity_curve.as_ref().expect("full").equity;
        prop_assert_eq!(&full_equity[..m - 1], &part_equity[..m - 1]);
        let closed_before = |t: &&Trade| t.exit_bar_idx + 1 < m;
        let full_trades: Vec<_> = full.trades.iter().filter(closed_before).collect();
        let part_trades: Vec<_> = part.trades.iter().filter(closed_before).collect();
        prop_assert_eq!(full_trades, part_trades);

        // A window [0, m) over the whole data must not read a single bar past its end: it
        // gives exactly the run over the truncated data.
        let window = Window { from_bar: 0, to_bar: m };
        let windowed = run(&candles, &config, window, strategy.clone(), Recording::Full).expect("valid");
        prop_assert_eq!(windowed, part);
    }

    #[test]
    fn chunked_runs_and_metrics_only_runs_match_one_shot_runs(
        candles in arb_candles(),
        config in arb_config(),
        decisions in arb_decisions(),
        checkpoints in prop::collection::vec(0usize..70, 0..5),
    ) {
        let strategy = ByBar { first_decision_bar: 0, decisions };
        let whole = run_all(&candles, &config, &strategy);
        let mut chunked = Backtest::new(&candles, &config, Window::all(&candles), strategy.clone(), Recording::Full)
            .expect("valid");
        let mut checkpoints = checkpoints;
        checkpoints.sort_unstable();
        for checkpoint in checkpoints {
            chunked.run_until(checkpoint);
            metrics_are_json_safe(&chunked.metrics_so_far())?;
        }
        prop_assert_eq!(&chunked.finish(), &whole);

        let lean = run(&candles, &config, Window::all(&candles), strategy.clone(), Recording::MetricsOnly)
            .expect("valid");
        prop_assert!(lean.equity_curve.is_none());
        prop_assert_eq!(lean.metrics, whole.metrics);
        prop_assert_eq!(&lean.trades, &whole.trades);
        prop_assert!(lean.return_sums.is_none());

        // The block sums of a lean run are the full run's equity curve, summed per block.
        let blocked = run(&candles, &config, Window::all(&candles), strategy, Recording::MetricsAndBlocks { blocks: 4 })
            .expect("valid");
        let curve = whole.equity_curve.as_ref().expect("recorded");
        let mut expected = ReturnBlocks::new(4, curve.equity.len(), config.initial_cash);
        for &equity in &curve.equity {
            expected.push(equity);
        }
        prop_assert_eq!(blocked.return_sums, expected.into_sums());
        prop_assert_eq!(blocked.metrics, whole.metrics);
        prop_assert_eq!(blocked.trades, whole.trades);
    }
}

/// Decisions by bar that also records every view it was shown.
#[derive(Clone, Debug)]
struct Recorder {
    by_bar: ByBar,
    seen: Vec<(usize, PositionView)>,
}

impl Strategy for Recorder {
    fn first_decision_bar(&self) -> usize {
        self.by_bar.first_decision_bar
    }
    fn decide(&mut self, bar_idx: usize, position: &PositionView) -> Decision {
        self.seen.push((bar_idx, *position));
        self.by_bar.decide(bar_idx, position)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Guards the engine's lean loop for quiet bars (no pending order, no protective exit):
    /// it must give the report of the full per-bar step to the bit, show the strategy the
    /// same views, and stop at the same bars, in every window, chunking and recording mode.
    #[test]
    fn the_lean_loop_for_quiet_bars_matches_the_full_step(
        candles in arb_candles(),
        config in arb_config(),
        decisions in arb_decisions(),
        first_decision_bar in 0usize..8,
        from_bar in 0usize..6,
        checkpoints in prop::collection::vec(0usize..70, 0..4),
        recording in prop_oneof![
            Just(Recording::Full),
            Just(Recording::MetricsOnly),
            (1u8..6).prop_map(|blocks| Recording::MetricsAndBlocks { blocks }),
        ],
    ) {
        let window = Window { from_bar: from_bar.min(candles.len() - 1), to_bar: candles.len() };
        let strategy = Recorder { by_bar: ByBar { first_decision_bar, decisions }, seen: Vec::new() };
        let mut checkpoints = checkpoints;
        checkpoints.sort_unstable();
        let mut results = Vec::new();
        for is_lean in [true, false] {
            let mut backtest = Backtest::new(&candles, &config, window, strategy.clone(), recording)
                .expect("valid");
            if !is_lean {
                backtest = backtest.without_quiet_path();
            }
            let mut partial = Vec::new();
            for &checkpoint in &checkpoints {
                backtest.run_until(checkpoint);
                partial.push(format!("{:?}", backtest.metrics_so_far()));
            }
            backtest.run_until(window.to_bar);
            let seen = format!("{:?}", backtest.strategy().seen);
            let report = backtest.finish();
            // Debug text tells -0.0 from 0.0 and prints every float to the bit.
            results.push((format!("{report:?}"), partial, seen));
        }
        prop_assert_eq!(&results[0], &results[1]);
    }
}

/// Candles with moves of up to ±60 % a bar, so that shorts (and leveraged longs) can lose
/// everything within a few bars, on a gap or inside a bar.
fn arb_wild_candles() -> impl proptest::strategy::Strategy<Value = Candles> {
    random_walk(0.6, 0.6, 0.5, 3..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn equity_never_goes_below_zero_in_a_cash_account(
        candles in arb_wild_candles(),
        config in arb_config(),
        decisions in arb_decisions(),
    ) {
        let strategy = ByBar { first_decision_bar: 0, decisions };
        let report = run_all(&candles, &config, &strategy);
        let curve = report.equity_curve.as_ref().expect("full");
        prop_assert!(curve.equity.iter().all(|&equity| equity >= 0.0), "{:?}", curve.equity);
        prop_assert!(report.metrics.final_equity >= 0.0);
        prop_assert!(report.metrics.total_return >= -1.0);
        prop_assert!(report.metrics.max_drawdown <= 1.0);
        // Ruin is stated, ends trading, and leaves exactly nothing.
        let has_ruin_exit = report.trades.iter().any(|t| t.exit_reason == ExitReason::Ruin);
        prop_assert!(!has_ruin_exit || report.ruin.is_some());
        if let Some(ruin) = report.ruin {
            prop_assert!(report.metrics.is_ruined);
            prop_assert_eq!(report.metrics.final_equity, 0.0);
            prop_assert_eq!(report.trades.last().map(|t| t.exit_bar_idx), Some(ruin.bar_idx));
            prop_assert!(report.notes.iter().any(|note| note.starts_with("ruin:")));
        }
        // Run-up and drawdown are never negative.
        for trade in &report.trades {
            prop_assert!(trade.run_up >= 0.0 && trade.drawdown >= 0.0);
        }
    }
}
