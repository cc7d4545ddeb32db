"""Regenerates the backtesting.py reference for the `sma_cross` parity test, and times it.

backtesting.py's own example, on the GOOG daily prices shipped inside the package:

    Backtest(GOOG, SmaCross, commission=.002, exclusive_orders=True)   # cash 10,000

writes, next to this script,

- goog.csv: the GOOG bars (Date,Open,High,Low,Close,Volume), the input of the Rust test;
- goog_sma_cross_trades.csv: backtesting.py's closed trades (default finalize_trades=False,
  so the trade still open at the end is left out), floats in their shortest round-trip
  form, plus a last line with the final equity it reports (marked to market at the last
  close, no exit commission charged).

With `--bench DEMO.csv` (the demo data: `genesis data synth --out DEMO.csv`) it instead times
SmaCross(10, 20) on that file (cash 1,000,000, so whole units of a BTC-priced market are
affordable, as in the `sma_cross` preset) and prints the median of several runs and the
trades, for comparison with `genesis bench` and `genesis backtest --preset sma_cross`.

Usage, in a scratch virtual environment (not part of the repository):

    python3 -m venv /tmp/btpy && /tmp/btpy/bin/pip install backtesting
    /tmp/btpy/bin/python tests/golden/backtest/backtesting_py_sma_cross.py
    /tmp/btpy/bin/python tests/golden/backtest/backtesting_py_sma_cross.py --bench /tmp/demo.csv

Generated with backtesting 0.6.6, pandas 3.1.1, numpy 2.4.6.
"""

import csv
import os
import statistics
import sys
import time
import warnings

import pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import GOOG, SMA

HERE = os.path.dirname(os.path.abspath(__file__))


class SmaCross(Strategy):
    """backtesting.py's documented example, unchanged."""

    n1 = 10
    n2 = 20

    def init(self):
        close = self.data.Close
        self.sma1 = self.I(SMA, close, self.n1)
        self.sma2 = self.I(SMA, close, self.n2)

    def next(self):
        if crossover(self.sma1, self.sma2):
            self.buy()
        elif crossover(self.sma2, self.sma1):
            self.sell()


def trades_rows(stats):
    trades = stats._trades
    for row in trades.itertuples():
        yield {
            "side": "long" if row.Size > 0 else "short",
            "units": repr(float(abs(row.Size))),
            "entry_bar_idx": int(row.EntryBar),
            "exit_bar_idx": int(row.ExitBar),
            "entry_price": repr(float(row.EntryPrice)),
            "exit_price": repr(float(row.ExitPrice)),
            "pnl": repr(float(row.PnL)),
            "return_frac": repr(float(row.ReturnPct)),
        }


def write_reference():
    GOOG.to_csv(os.path.join(HERE, "goog.csv"), index_label="Date", float_format=None)
    with warnings.catch_warnings():
        # "Some trades remain open": intended, the Rust test accounts for it.
        warnings.simplefilter("ignore")
        stats = Backtest(GOOG, SmaCross, commission=0.002, exclusive_orders=True).run()
    path = os.path.join(HERE, "goog_sma_cross_trades.csv")
    fields = ["side", "units", "entry_bar_idx", "exit_bar_idx", "entry_price", "exit_price",
              "pnl", "return_frac"]
    with open(path, "w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in trades_rows(stats):
            writer.writerow(row)
    with open(path, "a") as out:
        out.write(f"# final_equity {float(stats['Equity Final [$]'])!r}\n")
    print(f"{len(stats._trades)} closed trades, final equity {stats['Equity Final [$]']!r}")


def bench(demo_csv):
    raw = pd.read_csv(demo_csv)
    data = pd.DataFrame({
        "Open": raw["open"], "High": raw["high"], "Low": raw["low"], "Close": raw["close"],
        "Volume": raw["volume"],
    })
    data.index = pd.to_datetime(raw["time"], unit="ms")
    samples = []
    stats = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(7):
            bt = Backtest(data, SmaCross, cash=1_000_000, commission=0.002,
                          exclusive_orders=True)
            start = time.perf_counter()
            stats = bt.run()
            samples.append((time.perf_counter() - start) * 1e3)
    print(f"backtesting.py SmaCross(10, 20) on {len(data)} bars: median "
          f"{statistics.median(samples):.1f} ms, min {min(samples):.1f} ms over {len(samples)} runs")
    print(f"closed trades {len(stats._trades)}, final equity {stats['Equity Final [$]']!r}")
    for row in list(trades_rows(stats))[:3]:
        print(row)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--bench":
        bench(sys.argv[2])
    else:
        write_reference()
