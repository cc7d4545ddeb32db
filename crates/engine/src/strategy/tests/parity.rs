//! Trade-by-trade parity with backtesting.py on its own example (SPEC §4).
//!
//! `tests/golden/backtest/goog_sma_cross_trades.csv` holds the trades backtesting.py 0.6.6
//! reports for `Backtest(GOOG, SmaCross, commission=.002, exclusive_orders=True)` on the
//! GOOG daily prices that ship inside the package (`goog.csv`); the script beside them
//! regenerates both. backtesting.py leaves the trade still open at the end out of its list
//! (`finalize_trades=False`) and reports equity marked to market at the last close; our
//! engine closes that trade at the last close (`end_of_data`), paying its exit commission.

use std::sync::Arc;

use super::{assert_equity_is_cash_plus_pnl, golden_path, run_all, yaml};
use crate::backtest::{ExitReason, Side};
use crate::data::{parse, ParseOptions};

struct ExpectedTrade {
    side: Side,
    units: f64,
    entry_bar_idx: usize,
    exit_bar_idx: usize,
    entry_price: f64,
    exit_price: f64,
    pnl: f64,
    return_frac: f64,
}

fn read_expected() -> (Vec<ExpectedTrade>, f64) {
    let path = golden_path("goog_sma_cross_trades.csv");
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let mut trades = Vec::new();
    let mut final_equity = None;
    for line in text.lines().skip(1) {
        if let Some(value) = line.strip_prefix("# final_equity ") {
            final_equity = Some(value.parse::<f64>().unwrap());
            continue;
        }
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 8, "{line}");
        let number = |k: usize| fields[k].parse::<f64>().unwrap();
        trades.push(ExpectedTrade {
            side: if fields[0] == "long" {
                Side::Long
            } else {
                Side::Short
            },
            units: number(1),
            entry_bar_idx: fields[2].parse().unwrap(),
            exit_bar_idx: fields[3].parse().unwrap(),
            entry_price: number(4),
            exit_price: number(5),
            pnl: number(6),
            return_frac: number(7),
        });
    }
    (
        trades,
        final_equity.expect("the file ends with the final equity"),
    )
}

#[test]
fn sma_cross_reproduces_backtesting_py_trade_by_trade_on_goog() {
    let bytes = std::fs::read(golden_path("goog.csv")).unwrap();
    let candles = Arc::new(parse(&bytes, &ParseOptions::default()).unwrap().candles);
    assert_eq!(candles.len(), 2148);
    // backtesting.py's defaults: cash 10,000, whole units, next-open fills, all-in.
    let config = yaml(
        "strategy: sma_cross\nfast_period: 10\nslow_period: 20\n\
         backtest: {initial_cash: 10000, commission: 0.002, whole_units: true}\n",
    );
    let outcome = run_all(&candles, &config);
    let (expected, final_equity) = read_expected();
    let trades = &outcome.report.trades;
    assert_eq!(expected.len(), 93);
    assert_eq!(
        trades.len(),
        expected.len() + 1,
        "plus the trade backtesting.py leaves open"
    );
    for (k, (ours, theirs)) in trades.iter().zip(&expected).enumerate() {
        assert_eq!(ours.side, theirs.side, "trade {k}");
        assert_eq!(ours.units, theirs.units, "trade {k}");
        assert_eq!(ours.entry_bar_idx, theirs.entry_bar_idx, "trade {k}");
        assert_eq!(ours.exit_bar_idx, theirs.exit_bar_idx, "trade {k}");
        assert_eq!(ours.entry_price, theirs.entry_price, "trade {k}");
        assert_eq!(ours.exit_price, theirs.exit_price, "trade {k}");
        // The same operations in the same order: the P&L is equal to the bit.
        assert_eq!(
            ours.pnl.to_bits(),
            theirs.pnl.to_bits(),
            "trade {k}: {} vs {}",
            ours.pnl,
            theirs.pnl
        );
        // backtesting.py forms the return with other operations: equal to rounding.
        assert!(
            (ours.return_frac - theirs.return_frac).abs() <= 1e-12,
            "trade {k}"
        );
        assert_eq!(ours.exit_reason, ExitReason::Reverse, "trade {k}");
    }
    let last = trades.last().unwrap();
    let last_bar = candles.len() - 1;
    assert_eq!(last.entry_bar_idx, expected.last().unwrap().exit_bar_idx);
    assert_eq!(
        (last.exit_bar_idx, last.exit_reason),
        (last_bar, ExitReason::EndOfData)
    );
    assert_eq!(last.exit_price, candles.close()[last_bar]);
    // Their final equity marks the open trade at the last close; ours also pays its exit
    // commission.
    let ours = outcome.report.metrics.final_equity;
    assert!(
        (ours + last.exit_commission - final_equity).abs() <= 1e-6,
        "ours {ours} + exit commission {} vs backtesting.py {final_equity}",
        last.exit_commission
    );
    assert_equity_is_cash_plus_pnl(&outcome);
}
