//! Hand-computed scenarios, one per fill rule. Each expected number is derived in the
//! comment above its assertion from the candles written out in the test.

use super::*;
use crate::backtest::{Decision, ExitReason, ExitRules, Level, RejectedOrders, Side, Sizing};

/// Four rising bars: opens 100, 102, 104, 106; each high/low one above/below the open and
/// the close equal to the open.
fn rising() -> Candles {
    candles(&[
        (100.0, 101.0, 99.0, 100.0),
        (102.0, 103.0, 101.0, 102.0),
        (104.0, 105.0, 103.0, 104.0),
        (106.0, 107.0, 105.0, 106.0),
    ])
}

#[test]
fn entry_fills_at_the_next_open_and_equity_marks_to_market_at_each_close() {
    let candles = rising();
    let mut script = Script::new(vec![
        (0, enter(Side::Long, Sizing::EquityFraction(0.5))),
        (2, Decision::Exit),
    ]);
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Decided at bar 0's close, filled at bar 1's open (102): units = 5,000 / 102.
    let units = 5_000.0 / 102.0;
    let trade = &report.trades[0];
    assert_eq!(report.trades.len(), 1);
    assert_eq!((trade.entry_bar_idx, trade.exit_bar_idx), (1, 3));
    assert_eq!(
        (trade.entry_ts_ms, trade.exit_ts_ms),
        (HOUR_MS, 3 * HOUR_MS)
    );
    assert_eq!(trade.entry_price, 102.0);
    assert_close(trade.units, units);
    // Exit decided at bar 2, filled at bar 3's open (106): P&L = units × 4 = 196.078...
    assert_eq!(trade.exit_price, 106.0);
    assert_eq!(trade.exit_reason, ExitReason::Signal);
    assert_eq!(trade.bars_held, 2);
    assert_close(trade.pnl, units * 4.0);
    assert_close(trade.return_frac, 4.0 / 102.0);
    // Closes: bar 0 flat 10,000; bar 1 at 102 = entry, 10,000; bar 2 at 104,
    // 10,000 + units × 2; bar 3 flat after the exit, 10,000 + units × 4.
    let expected = [
        10_000.0,
        10_000.0,
        10_000.0 + units * 2.0,
        10_000.0 + units * 4.0,
    ];
    for (actual, expected) in equity(&report).iter().zip(expected) {
        assert_close(*actual, expected);
    }
    // The strategy saw the position from bar 1 on, with bars_held counting to the next open.
    let (bar, view) = script.seen[1];
    assert_eq!(bar, 1);
    assert!(view.is_long());
    assert_eq!(view.bars_held, 1);
}

#[test]
fn slippage_moves_every_market_fill_against_the_trader() {
    let candles = rising();
    let config = BacktestConfig {
        slippage_bps: 50.0,
        ..BacktestConfig::default()
    };
    // 50 bps = 0.5 %. Long: buy at 102 × 1.005 = 102.51, sell at 106 × 0.995 = 105.47;
    // 10 units make 10 × 2.96 = 29.6.
    let mut long = Script::new(vec![
        (0, enter(Side::Long, Sizing::Units(10.0))),
        (2, Decision::Exit),
    ]);
    let trade = run_script(&candles, &config, &mut long).trades[0];
    assert_close(trade.entry_price, 102.51);
    assert_close(trade.exit_price, 105.47);
    assert_close(trade.pnl, 29.6);
    // Short: sell at 102 × 0.995 = 101.49, buy back at 106 × 1.005 = 106.53; 10 × −5.04.
    let mut short = Script::new(vec![
        (0, enter(Side::Short, Sizing::Units(10.0))),
        (2, Decision::Exit),
    ]);
    let trade = run_script(&candles, &config, &mut short).trades[0];
    assert_close(trade.entry_price, 101.49);
    assert_close(trade.exit_price, 106.53);
    assert_close(trade.pnl, -50.4);
}

#[test]
fn commission_is_charged_on_both_sides() {
    let candles = rising();
    let config = BacktestConfig {
        commission: 0.001,
        ..BacktestConfig::default()
    };
    let mut script = Script::new(vec![
        (0, enter(Side::Long, Sizing::Units(10.0))),
        (2, Decision::Exit),
    ]);
    let report = run_script(&candles, &config, &mut script);
    let trade = report.trades[0];
    // Entry 10 × 102 × 0.001 = 1.02; exit 10 × 106 × 0.001 = 1.06.
    assert_close(trade.entry_commission, 1.02);
    assert_close(trade.exit_commission, 1.06);
    // Gross 10 × (106 − 102) = 40, net 40 − 2.08 = 37.92, on a notional of 1,020.
    assert_close(trade.pnl, 37.92);
    assert_close(trade.return_frac, 37.92 / 1_020.0);
    // The entry commission leaves cash at once: the close of bar 1 (at the entry price)
    // shows 10,000 − 1.02.
    assert_close(equity(&report)[1], 9_998.98);
    assert_close(report.metrics.final_equity, 10_037.92);
}

#[test]
fn when_stop_and_target_are_both_inside_one_bar_the_stop_fills() {
    let candles = candles(&[
        (100.0, 100.5, 99.5, 100.0),
        (100.0, 101.0, 99.0, 100.0),
        // Reaches both 97 (below the stop at 98) and 104 (above the target at 103).
        (100.0, 104.0, 97.0, 101.0),
        (101.0, 102.0, 100.0, 101.0),
    ]);
    let exits = stop_target(Some(Level::Distance(2.0)), Some(Level::Distance(3.0)));
    let mut script = Script::new(vec![(
        0,
        enter_with(Side::Long, Sizing::Units(10.0), exits),
    )]);
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Entry at bar 1's open 100: stop 98, target 103. Bar 1 (99..101) touches neither; bar
    // 2 touches both, and the stop wins: 10 × (98 − 100) = −20.
    let trade = report.trades[0];
    assert_eq!(report.trades.len(), 1);
    assert_eq!(trade.exit_reason, ExitReason::Stop);
    assert_eq!(trade.exit_bar_idx, 2);
    assert_eq!(trade.exit_price, 98.0);
    assert_close(trade.pnl, -20.0);
}

#[test]
fn a_gap_through_the_stop_fills_at_the_open_less_slippage() {
    let candles = candles(&[
        (100.0, 100.5, 99.5, 100.0),
        (100.0, 101.0, 99.0, 100.0),
        // Opens at 95, below the stop at 98.
        (95.0, 96.0, 94.0, 95.0),
        (95.0, 96.0, 94.0, 95.0),
    ]);
    let exits = stop_target(Some(Level::Price(98.0)), None);
    let mut script = Script::new(vec![(
        0,
        enter_with(Side::Long, Sizing::Units(10.0), exits),
    )]);
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Fills at the open 95, not at the stop 98: 10 × (95 − 100) = −50.
    let trade = report.trades[0];
    assert_eq!(trade.exit_reason, ExitReason::Stop);
    assert_eq!((trade.exit_bar_idx, trade.exit_price), (2, 95.0));
    assert_close(trade.pnl, -50.0);

    // With 100 bps of slippage: entry 100 × 1.01 = 101, exit 95 × 0.99 = 94.05.
    let config = BacktestConfig {
        slippage_bps: 100.0,
        ..BacktestConfig::default()
    };
    let mut script = Script::new(vec![(
        0,
        enter_with(Side::Long, Sizing::Units(10.0), exits),
    )]);
    let trade = run_script(&candles, &config, &mut script).trades[0];
    assert_close(trade.exit_price, 94.05);
    assert_close(trade.pnl, 10.0 * (94.05 - 101.0));
}

#[test]
fn a_gap_through_the_target_fills_at_the_better_open_without_slippage() {
    let candles = candles(&[
        (100.0, 100.5, 99.5, 100.0),
        (100.0, 101.0, 99.0, 100.0),
        // Opens at 105, above the target at 103.
        (105.0, 106.0, 104.0, 105.0),
        (105.0, 106.0, 104.0, 105.0),
    ]);
    let config = BacktestConfig {
        slippage_bps: 100.0,
        ..BacktestConfig::default()
    };
    let exits = stop_target(Some(Level::Price(98.0)), Some(Level::Price(103.0)));
    let mut script = Script::new(vec![(
        0,
        enter_with(Side::Long, Sizing::Units(10.0), exits),
    )]);
    let trade = run_script(&candles, &config, &mut script).trades[0];
    // Entry 100 × 1.01 = 101; the target fills at the open 105 exactly (a limit order gets
    // the better price and no slippage): 10 × (105 − 101) = 40.
    assert_eq!(trade.exit_reason, ExitReason::TakeProfit);
    assert_eq!((trade.exit_bar_idx, trade.exit_price), (2, 105.0));
    assert_close(trade.pnl, 40.0);
}

#[test]
fn trailing_stop_uses_the_best_price_up_to_the_previous_bar() {
    let candles = candles(&[
        (100.0, 100.5, 99.5, 100.0),
        (100.0, 102.0, 99.0, 101.0),
        (101.0, 105.0, 100.0, 104.0),
        (104.0, 107.0, 103.5, 106.0),
        (105.0, 105.5, 103.0, 103.5),
        (103.5, 104.0, 103.0, 103.5),
    ]);
    let exits = ExitRules {
        trailing_distance: Some(3.0),
        ..ExitRules::NONE
    };
    let mut script = Script::new(vec![(
        0,
        enter_with(Side::Long, Sizing::Units(10.0), exits),
    )]);
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Entry at bar 1's open 100. Levels by bar (best price through the previous bar − 3):
    // bar 1: 100 − 3 = 97 (low 99, safe); bar 2: 102 − 3 = 99 (low 100, safe);
    // bar 3: 105 − 3 = 102 (low 103.5, safe; had bar 3's own high 107 been used first the
    // level would be 104 and the low 103.5 would have hit it); bar 4: 107 − 3 = 104, low
    // 103 hits: exit at 104, P&L 10 × 4 = 40.
    assert_eq!(report.trades.len(), 1);
    let trade = report.trades[0];
    assert_eq!(trade.exit_reason, ExitReason::TrailingStop);
    assert_eq!((trade.exit_bar_idx, trade.exit_price), (4, 104.0));
    assert_eq!(trade.bars_held, 3);
    assert_close(trade.pnl, 40.0);
    // The strategy saw the level for the next bar: 99 at bar 1's close, 102 at bar 2's.
    assert_eq!(script.seen[1].1.stop_price, Some(99.0));
    assert_eq!(script.seen[2].1.stop_price, Some(102.0));
}

#[test]
fn a_fixed_stop_tighter_than_the_trail_reports_stop() {
    let candles = candles(&[
        (100.0, 100.5, 99.5, 100.0),
        (100.0, 100.5, 98.0, 99.0),
        (99.0, 99.5, 98.0, 98.5),
    ]);
    // Stop 98.5 against a trailing level of 100 − 5 = 95: the fixed stop is tighter.
    let exits = ExitRules {
        stop: Some(Level::Price(98.5)),
        trailing_distance: Some(5.0),
        ..ExitRules::NONE
    };
    let mut script = Script::new(vec![(0, enter_with(Side::Long, Sizing::Units(1.0), exits))]);
    let trade = run_script(&candles, &BacktestConfig::default(), &mut script).trades[0];
    assert_eq!(trade.exit_reason, ExitReason::Stop);
    assert_eq!((trade.exit_bar_idx, trade.exit_price), (1, 98.5));
}

#[test]
fn max_hold_closes_at_the_open_max_hold_bars_after_entry() {
    let candles = rising();
    let exits = ExitRules {
        max_hold_bars: Some(2),
        ..ExitRules::NONE
    };
    let mut script = Script::new(vec![(
        0,
        enter_with(Side::Long, Sizing::Units(10.0), exits),
    )]);
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Entry bar 1 (open 102); 2 bars later is bar 3, whose open is 106: 10 × 4 = 40.
    let trade = report.trades[0];
    assert_eq!(trade.exit_reason, ExitReason::MaxHold);
    assert_eq!(
        (trade.entry_bar_idx, trade.exit_bar_idx, trade.bars_held),
        (1, 3, 2)
    );
    assert_close(trade.pnl, 40.0);

    // The strategy's own exit at the same close keeps its reason.
    let mut script = Script::new(vec![
        (0, enter_with(Side::Long, Sizing::Units(10.0), exits)),
        (2, Decision::Exit),
    ]);
    let trade = run_script(&candles, &BacktestConfig::default(), &mut script).trades[0];
    assert_eq!(trade.exit_reason, ExitReason::Signal);
    assert_eq!(trade.exit_bar_idx, 3);
}

#[test]
fn short_positions_mirror_stops_targets_and_equity() {
    let candles = candles(&[
        (100.0, 100.5, 99.5, 100.0),
        (100.0, 101.5, 99.0, 101.0),
        // Low 95 reaches the target 96; high 100 stays below the stop 105.
        (99.0, 100.0, 95.0, 97.0),
        (97.0, 98.0, 96.0, 97.0),
    ]);
    let exits = stop_target(Some(Level::Distance(5.0)), Some(Level::Distance(4.0)));
    let mut script = Script::new(vec![(
        0,
        enter_with(Side::Short, Sizing::Units(10.0), exits),
    )]);
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Short 10 at 100: stop 105, target 96. Bar 1 closes at 101: equity 10,000 − 10 × 1.
    assert_close(equity(&report)[1], 9_990.0);
    let trade = report.trades[0];
    assert_eq!(trade.side, Side::Short);
    assert_eq!(trade.exit_reason, ExitReason::TakeProfit);
    assert_eq!((trade.exit_bar_idx, trade.exit_price), (2, 96.0));
    // 10 × (100 − 96) = 40.
    assert_close(trade.pnl, 40.0);
    assert_close(report.metrics.final_equity, 10_040.0);
}

#[test]
fn a_position_open_at_the_end_is_valued_at_the_last_close_without_exit_costs() {
    let candles = rising();
    let config = BacktestConfig {
        commission: 0.001,
        slippage_bps: 100.0,
        ..BacktestConfig::default()
    };
    let mut script = Script::new(vec![(0, enter(Side::Long, Sizing::Units(10.0)))]);
    let report = run_script(&candles, &config, &mut script);
    let trade = report.trades[0];
    // Entry at 102 slipped 1 % = 103.02, commission 10 × 103.02 × 0.001 = 1.0302. Nothing is
    // sold at the end: the last close 106 as it is, no slippage, no exit commission.
    assert_eq!(trade.exit_reason, ExitReason::EndOfData);
    assert_eq!((trade.exit_bar_idx, trade.exit_price), (3, 106.0));
    assert_eq!(trade.exit_commission, 0.0);
    assert_close(trade.pnl, 10.0 * (106.0 - 103.02) - 1.0302);
    // The last equity point is the position marked to market, and final equity agrees.
    assert_close(*equity(&report).last().unwrap(), 10_000.0 + trade.pnl);
    assert_close(report.metrics.final_equity, 10_000.0 + trade.pnl);
}

#[test]
fn whole_units_round_down() {
    let candles = rising();
    let config = BacktestConfig {
        whole_units: true,
        ..BacktestConfig::default()
    };
    let mut script = Script::new(vec![(0, enter(Side::Long, Sizing::EquityFraction(0.5)))]);
    let report = run_script(&candles, &config, &mut script);
    // 5,000 / 102 = 49.02 → 49 units, held to the end: closed at the last close 106 as
    // end_of_data, 49 × 4 = 196.
    let trade = report.trades[0];
    assert_eq!(trade.units, 49.0);
    assert_eq!(trade.exit_reason, ExitReason::EndOfData);
    assert_eq!((trade.exit_bar_idx, trade.exit_price), (3, 106.0));
    assert_close(trade.pnl, 196.0);

    // 20,000 a unit is more than the 10,000 of cash: the entry is skipped and counted.
    let dear = candles_at(20_000.0);
    let mut script = Script::new(vec![(0, enter(Side::Long, Sizing::AllIn))]);
    let report = run_script(&dear, &config, &mut script);
    assert!(report.trades.is_empty());
    assert_eq!(
        report.rejected_orders,
        RejectedOrders {
            insufficient_cash: 1,
            invalid: 0
        }
    );
}

fn candles_at(price: f64) -> Candles {
    candles(&[(price, price, price, price); 3])
}

#[test]
fn reverse_closes_and_opens_the_other_side_at_the_same_open() {
    let candles = candles(&[
        (100.0, 100.5, 99.5, 100.0),
        (100.0, 101.0, 99.0, 100.0),
        (102.0, 103.0, 101.0, 102.0),
        (104.0, 105.0, 103.0, 104.0),
        (103.5, 104.0, 102.5, 103.0),
    ]);
    let mut script = Script::new(vec![
        (0, enter(Side::Long, Sizing::Units(10.0))),
        // Same side again while long: ignored.
        (1, enter(Side::Long, Sizing::Units(99.0))),
        (2, enter(Side::Short, Sizing::Units(5.0))),
    ]);
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Long 10 at 100 (bar 1), reversed at bar 3's open 104: +40. Short 5 at 104, closed at
    // the last close 103 as end_of_data: 5 × (104 − 103) = +5.
    assert_eq!(report.trades.len(), 2);
    let (long, short) = (report.trades[0], report.trades[1]);
    assert_eq!((long.units, long.exit_reason), (10.0, ExitReason::Reverse));
    assert_eq!((long.exit_bar_idx, long.exit_price), (3, 104.0));
    assert_close(long.pnl, 40.0);
    assert_eq!((short.side, short.units), (Side::Short, 5.0));
    assert_eq!((short.entry_bar_idx, short.entry_price), (3, 104.0));
    assert_eq!(short.exit_reason, ExitReason::EndOfData);
    assert_close(short.pnl, 5.0);
    assert_close(report.metrics.final_equity, 10_045.0);
}

#[test]
fn risk_sizing_divides_the_risked_equity_by_the_stop_distance() {
    let candles = rising();
    let exits = stop_target(Some(Level::Distance(2.0)), None);
    let mut script = Script::new(vec![(
        0,
        enter_with(Side::Long, Sizing::RiskFraction(0.01), exits),
    )]);
    let trade = run_script(&candles, &BacktestConfig::default(), &mut script).trades[0];
    // 1 % of 10,000 = 100 risked over a stop 2 below the fill: 50 units.
    assert_close(trade.units, 50.0);

    // Risk sizing with a trailing stop only: the distance is the trail's, 4 → 25 units.
    let exits = ExitRules {
        trailing_distance: Some(4.0),
        ..ExitRules::NONE
    };
    let mut script = Script::new(vec![(
        0,
        enter_with(Side::Long, Sizing::RiskFraction(0.01), exits),
    )]);
    let trade = run_script(&candles, &BacktestConfig::default(), &mut script).trades[0];
    assert_close(trade.units, 25.0);
}

#[test]
fn invalid_entries_are_skipped_and_counted() {
    let candles = rising();
    let cases = [
        // A long stop above the open would fill at once.
        enter_with(
            Side::Long,
            Sizing::Units(1.0),
            stop_target(Some(Level::Price(110.0)), None),
        ),
        // A NaN fraction (say, from a feature still warming up).
        enter(Side::Long, Sizing::EquityFraction(f64::NAN)),
        // Risk sizing needs a stop.
        enter(Side::Short, Sizing::RiskFraction(0.01)),
    ];
    for decision in cases {
        let mut script = Script::new(vec![(0, decision)]);
        let report = run_script(&candles, &BacktestConfig::default(), &mut script);
        assert!(report.trades.is_empty(), "{decision:?} traded");
        assert_eq!(report.rejected_orders.invalid, 1, "{decision:?}");
    }
}

#[test]
fn ruin_liquidates_where_equity_reaches_zero_and_stops_trading() {
    let candles = candles(&[
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 250.0, 100.0, 250.0),
        (250.0, 250.0, 250.0, 250.0),
        (250.0, 250.0, 250.0, 250.0),
    ]);
    let mut script = Script::new(vec![
        (0, enter(Side::Short, Sizing::AllIn)),
        (3, enter(Side::Long, Sizing::AllIn)),
    ]);
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Short 100 units at 100 with 10,000 of cash: equity is 10,000 − 100 × (p − 100), zero at
    // p = 200, which bar 2 reaches on its way to 250. The position is liquidated there, equity
    // is exactly zero (not −5,000 as at the close), and the entry decided later never
    // happens.
    assert_eq!(report.trades.len(), 1);
    let trade = report.trades[0];
    assert_eq!(
        (trade.exit_reason, trade.exit_bar_idx),
        (ExitReason::Ruin, 2)
    );
    assert_close(trade.exit_price, 200.0);
    assert_close(trade.pnl, -10_000.0);
    assert!(report.metrics.is_ruined);
    assert_eq!(report.metrics.final_equity, 0.0);
    assert_close(report.metrics.total_return, -1.0);
    assert_close(report.metrics.max_drawdown, 1.0);
    let ruin = report.ruin.expect("ruin recorded");
    assert_eq!((ruin.bar_idx, ruin.is_gap), (2, false));
    assert!(
        report
            .notes
            .iter()
            .any(|note| note.starts_with("ruin: equity reached zero in bar 2")),
        "{:?}",
        report.notes
    );
    assert_eq!(
        script.seen.iter().map(|(bar, _)| *bar).collect::<Vec<_>>(),
        [0, 1]
    );
    assert!(report
        .equity_curve
        .expect("full")
        .equity
        .iter()
        .all(|&e| e >= 0.0));
}

#[test]
fn ruin_on_a_gap_liquidates_at_the_open_and_equity_stops_at_zero() {
    let candles = candles(&[
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 100.0, 100.0, 100.0),
        (100.0, 100.0, 100.0, 100.0),
        (260.0, 270.0, 255.0, 265.0),
        (265.0, 265.0, 265.0, 265.0),
    ]);
    let mut script = Script::new(vec![(0, enter(Side::Short, Sizing::AllIn))]);
    let config = BacktestConfig {
        commission: 0.001,
        ..BacktestConfig::default()
    };
    let report = run_script(&candles, &config, &mut script);
    // Bar 3 opens at 260, past the ruin price (about 200): the short is bought back at that
    // open. A cash account cannot owe the rest, so the trade loses the whole account.
    let trade = report.trades[0];
    assert_eq!(
        (trade.exit_reason, trade.exit_bar_idx, trade.exit_price),
        (ExitReason::Ruin, 3, 260.0)
    );
    assert_eq!(report.metrics.final_equity, 0.0);
    assert_close(trade.pnl, -config.initial_cash);
    assert!(report.ruin.expect("ruin").is_gap);
    let equity = report.equity_curve.expect("full").equity;
    assert_eq!(equity[3..], [0.0, 0.0]);
}

#[test]
fn run_up_and_drawdown_of_a_trade_come_from_the_bars_it_was_open_through() {
    let candles = candles(&[
        (100.0, 101.0, 99.0, 100.0),
        (100.0, 104.0, 97.0, 103.0),
        (103.0, 110.0, 102.0, 108.0),
        (107.0, 109.0, 90.0, 95.0),
        (96.0, 200.0, 1.0, 98.0),
    ]);
    let mut script = Script::new(vec![
        (0, enter(Side::Long, Sizing::Units(10.0))),
        (3, Decision::Exit),
    ]);
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Long 10 from bar 1's open (100) to bar 4's open (96): highs 104, 110, 109 and lows 97,
    // 102, 90 while open; bar 4's range came after the exit and does not count.
    let trade = report.trades[0];
    assert_eq!((trade.entry_price, trade.exit_price), (100.0, 96.0));
    assert_close(trade.run_up, 100.0);
    assert_close(trade.run_up_frac, 0.10);
    assert_close(trade.drawdown, 100.0);
    assert_close(trade.drawdown_frac, 0.10);
    let long = report.metrics.summary.long;
    assert_eq!((long.n_trades, long.n_losses), (1, 1));
    assert_close(long.max_run_up, 100.0);
    assert_close(long.largest_loss, 40.0);
    assert_eq!(report.metrics.summary.short.n_trades, 0);
    assert_eq!(report.metrics.summary.all, long);
}

#[test]
fn a_window_shorter_than_the_warm_up_says_so() {
    let candles = rising();
    let mut script = Script::new(vec![]);
    script.first_decision_bar = 250;
    let report = run(
        &candles,
        &BacktestConfig::default(),
        Window::all(&candles),
        &mut script,
        Recording::Full,
    )
    .expect("an error-free run");
    assert_eq!(report.warm_up_bars, 250);
    assert_eq!(
        report.notes,
        [format!(
            "the strategy needs more than {0} bars of warm-up; this window has {0}, so it cannot trade",
            candles.len()
        )]
    );
    // With the warm-up inside the data but the window ending before it can trade.
    let mut script = Script::new(vec![]);
    script.first_decision_bar = 2;
    let window = Window {
        from_bar: 1,
        to_bar: 3,
    };
    let report = run(
        &candles,
        &BacktestConfig::default(),
        window,
        &mut script,
        Recording::Full,
    )
    .expect("an error-free run");
    assert_eq!(
        report.notes,
        ["the strategy needs 2 bars of warm-up; this window has 3 (counting the 1 bars before the window; the window itself has 2), so it cannot trade"]
    );
}

#[test]
fn the_strategy_is_asked_from_its_warm_up_to_the_second_to_last_bar() {
    let candles = rising();
    let mut script = Script::new(vec![(3, enter(Side::Long, Sizing::AllIn))]);
    script.first_decision_bar = 1;
    let report = run_script(&candles, &BacktestConfig::default(), &mut script);
    // Bars 1 and 2 only: a decision at the last bar (3) could never fill.
    assert_eq!(
        script.seen.iter().map(|(bar, _)| *bar).collect::<Vec<_>>(),
        [1, 2]
    );
    assert!(report.trades.is_empty());
    // Buy and hold runs over the window, from its first close (100) to its last (106),
    // whatever the warm-up: the equity chart's benchmark line.
    assert_close(report.metrics.buy_and_hold_return, 106.0 / 100.0 - 1.0);
}

#[test]
fn a_window_limits_decisions_and_fills_and_starts_from_initial_cash() {
    let candles = rising();
    let mut script = Script::new(vec![
        (0, enter(Side::Long, Sizing::Units(10.0))),
        (1, enter(Side::Long, Sizing::Units(10.0))),
    ]);
    let window = Window {
        from_bar: 1,
        to_bar: 3,
    };
    let report = run(
        &candles,
        &BacktestConfig::default(),
        window,
        &mut script,
        Recording::Full,
    )
    .expect("valid window");
    // Bar 0's decision is outside the window; bar 1's fills at bar 2 (104) and closes at
    // the window's last close (bar 2, 104): no P&L, two equity points.
    assert_eq!(
        script.seen.iter().map(|(bar, _)| *bar).collect::<Vec<_>>(),
        [1]
    );
    assert_eq!(report.trades.len(), 1);
    assert_eq!(report.trades[0].entry_bar_idx, 2);
    assert_eq!(report.trades[0].exit_reason, ExitReason::EndOfData);
    assert_eq!(equity(&report), [10_000.0, 10_000.0]);
    assert_eq!(report.metrics.n_bars, 2);

    let empty = Window {
        from_bar: 3,
        to_bar: 3,
    };
    assert!(run(
        &candles,
        &BacktestConfig::default(),
        empty,
        &mut script,
        Recording::Full
    )
    .is_err());
}

#[test]
fn config_rejects_unknown_keys_and_out_of_range_values_by_name() {
    let parsed: Result<BacktestConfig, _> = serde_json::from_str(r#"{"comission": 0.001}"#);
    assert!(parsed.is_err());
    let config: BacktestConfig =
        serde_json::from_str(r#"{"commission": 0.001, "whole_units": true}"#).expect("valid");
    assert_eq!(config.initial_cash, 10_000.0);
    assert!(config.whole_units);

    let bad = BacktestConfig {
        commission: -0.01,
        ..BacktestConfig::default()
    };
    let err = bad.validate().expect_err("negative commission");
    assert!(err.to_string().starts_with("commission:"), "{err}");
    let bad = BacktestConfig {
        initial_cash: f64::NAN,
        ..BacktestConfig::default()
    };
    assert!(bad.validate().is_err());
}
