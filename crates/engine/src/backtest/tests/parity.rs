//! Groundwork for parity with backtesting.py's `SmaCross` example
//! (`Backtest(data, SmaCross, commission=.002, exclusive_orders=True)`, cash 10,000).
//!
//! backtesting.py's broker, for a `buy()`/`sell()` of default size `1 − ε` at the next open
//! `p` with commission rate `c`: closes the previous trade first (exclusive orders) at `p`,
//! adding `size × (p − entry) − |size| × p × c` to cash; then buys
//! `int(cash × (1 − ε) // (p + p × c))` whole units at `p` and takes `units × p × c` from
//! cash. The scenario below walks that arithmetic by hand.

use super::*;
use crate::backtest::reference::{crossover, sma, SmaPair};
use crate::backtest::{Decision, ExitReason, Side, Sizing};

fn parity_config() -> BacktestConfig {
    BacktestConfig {
        commission: 0.002,
        whole_units: true,
        ..BacktestConfig::default()
    }
}

#[test]
fn all_in_reversals_reproduce_backtesting_py_sizing_and_cash() {
    let candles = candles(&[
        (150.0, 151.0, 149.0, 150.0),
        (152.3, 153.0, 151.0, 152.0),
        (155.0, 161.0, 154.0, 160.0),
        (160.0, 161.0, 158.0, 159.0),
        (158.0, 159.0, 150.0, 151.0),
        (150.0, 151.0, 149.0, 150.5),
        (150.5, 151.0, 150.0, 150.5),
    ]);
    let mut script = Script::new(vec![
        (0, enter(Side::Long, Sizing::AllIn)),
        (2, enter(Side::Short, Sizing::AllIn)),
        (4, Decision::Exit),
    ]);
    let report = run_script(&candles, &parity_config(), &mut script);
    assert_eq!(report.trades.len(), 2);
    let (long, short) = (report.trades[0], report.trades[1]);

    // Buy at bar 1's open 152.3: 10,000 × (1 − ε) // (152.3 + 152.3 × 0.002 = 152.6046)
    // = 65 (65.53 before flooring). Commission 65 × 152.3 × 0.002 = 19.799; cash 9,980.201.
    assert_eq!(
        (long.units, long.entry_bar_idx, long.entry_price),
        (65.0, 1, 152.3)
    );
    assert_close(long.entry_commission, 19.799);
    // Reverse at bar 3's open 160: gross 65 × 7.7 = 500.5, exit commission
    // 65 × 160 × 0.002 = 20.8; cash 9,980.201 + 500.5 − 20.8 = 10,459.901; trade P&L
    // 500.5 − 19.799 − 20.8 = 459.901.
    assert_eq!(long.exit_reason, ExitReason::Reverse);
    assert_eq!((long.exit_bar_idx, long.exit_price), (3, 160.0));
    assert_close(long.pnl, 459.901);
    // Sell at 160: 10,459.901 × (1 − ε) // (160 × 1.002 = 160.32) = 65 (65.24); commission
    // 20.8, cash 10,439.101.
    assert_eq!(
        (short.side, short.units, short.entry_price),
        (Side::Short, 65.0, 160.0)
    );
    assert_close(short.entry_commission, 20.8);
    // Exit decided at bar 4, filled at bar 5's open 150: gross −65 × (150 − 160) = 650,
    // commission 65 × 150 × 0.002 = 19.5; P&L 650 − 20.8 − 19.5 = 609.7.
    assert_eq!((short.exit_bar_idx, short.exit_price), (5, 150.0));
    assert_close(short.pnl, 609.7);
    // Final cash 10,439.101 + 650 − 19.5 = 11,069.601 = 10,000 + 459.901 + 609.7.
    assert_close(report.metrics.final_equity, 11_069.601);
    // Equity at bar 2's close (160) with the long open: 9,980.201 + 65 × (160 − 152.3).
    assert_close(equity(&report)[2], 9_980.201 + 500.5);
}

#[test]
fn default_size_floors_below_exact_multiples_as_backtesting_py_does() {
    // Cash 10,000 at a price of exactly 100 with no commission: backtesting.py buys
    // int(9,999.999999999998 // 100) = 99 units, not 100, because its default size is
    // 1 − ε. Parity requires the same.
    let candles = candles(&[(100.0, 100.0, 100.0, 100.0); 3]);
    let config = BacktestConfig {
        whole_units: true,
        ..BacktestConfig::default()
    };
    let mut script = Script::new(vec![(0, enter(Side::Long, Sizing::AllIn))]);
    let report = run_script(&candles, &config, &mut script);
    assert_eq!(report.trades[0].units, 99.0);
}

#[test]
fn sma_cross_reference_follows_backtesting_py_crossover_rules() {
    // SMA(2) and SMA(3) of closes 10, 11, 12, 11, 9, 8, 9, 11, 12:
    //   sma2: -, 10.5, 11.5, 11.5, 10, 8.5, 8.5, 10, 11.5
    //   sma3: -, -, 11, 11.333, 10.667, 9.333, 8.667, 9.333, 10.667
    // crossover(sma2, sma3) needs sma2 < sma3 at i − 1 and sma2 > sma3 at i: at bar 7
    // (8.5 < 8.667, then 10 > 9.333). The cross down: bar 4 (11.5 > 11.333, then
    // 10 < 10.667).
    let closes = [10.0, 11.0, 12.0, 11.0, 9.0, 8.0, 9.0, 11.0, 12.0];
    let rows: Vec<_> = closes.iter().map(|&c| (c, c + 0.5, c - 0.5, c)).collect();
    let candles = candles(&rows);
    let smas = SmaPair::new(candles.close(), 2, 3);
    assert_close(smas.slow[3], 34.0 / 3.0);
    assert!(smas.slow[1].is_nan());
    let ups: Vec<_> = (0..closes.len())
        .filter(|&i| crossover(&smas.fast, &smas.slow, i))
        .collect();
    let downs: Vec<_> = (0..closes.len())
        .filter(|&i| crossover(&smas.slow, &smas.fast, i))
        .collect();
    assert_eq!((ups, downs), (vec![7], vec![4]));

    let report = crate::backtest::reference::run_sma_cross(
        &candles,
        &smas,
        &parity_config(),
        Recording::Full,
    )
    .expect("valid");
    // Short from bar 5's open (8), reversed long at bar 8's open (12), which is the last
    // bar, so the long closes at its close as end_of_data.
    let sides: Vec<_> = report
        .trades
        .iter()
        .map(|t| (t.side, t.entry_bar_idx, t.exit_bar_idx, t.exit_reason))
        .collect();
    assert_eq!(
        sides,
        [
            (Side::Short, 5, 8, ExitReason::Reverse),
            (Side::Long, 8, 8, ExitReason::EndOfData)
        ]
    );
    assert!(sma(&[1.0, 2.0], 0)[0].is_nan());
}
