"""backtesting.py's own statistics for a run of its SmaCross example, as JSON, for the Rust
test that compares our metrics with them (crates/engine/tests/backtesting_py.rs).

    python backtesting_py_stats.py SAMPLE VARIANT OUT_CSV

SAMPLE is GOOG or EURUSD (the samples inside the package, `backtesting.test`). VARIANT:

- `reverse`: the documented example, always in the market, reversing at every cross. Its
  last trade is still open at the end, which backtesting.py leaves out of its statistics.
- `long_flat`: long only (a cross down closes the long), on the sample cut at the bar where
  a trade's exit fills, so that both engines end flat and every statistic is defined the
  same way on both sides.

Both use `Backtest(data, SmaCross, commission=.002, exclusive_orders=True)`, cash 10,000.
The bars that ran are written to OUT_CSV with a `Date,Open,High,Low,Close,Volume` header
(the package's files have an empty first header field), so the Rust side reads exactly the
same bars. Prints one JSON object: the statistics by backtesting.py's names, durations in
milliseconds, and the number of bars.
"""

import json
import math
import sys
import warnings

import pandas as pd
from backtesting import Backtest, Strategy
from backtesting.lib import crossover
from backtesting.test import EURUSD, GOOG, SMA


class SmaCross(Strategy):
    """backtesting.py's documented example; `long_only` closes instead of selling short."""

    n1 = 10
    n2 = 20
    long_only = False

    def init(self):
        close = self.data.Close
        self.sma1 = self.I(SMA, close, self.n1)
        self.sma2 = self.I(SMA, close, self.n2)

    def next(self):
        if crossover(self.sma1, self.sma2):
            self.buy()
        elif crossover(self.sma2, self.sma1):
            if self.long_only:
                self.position.close()
            else:
                self.sell()


def run(data, long_only):
    with warnings.catch_warnings():
        # "Some trades remain open": expected for `reverse`, see the module documentation.
        warnings.simplefilter("ignore")
        bt = Backtest(data, SmaCross, commission=0.002, exclusive_orders=True)
        return bt.run(long_only=long_only)


def flat_cut(data):
    """The sample up to and including the exit bar of the last closed trade after which the
    strategy stays flat for at least one bar."""
    trades = run(data, True)._trades
    entries = list(trades["EntryBar"])
    for k in range(len(trades) - 1, -1, -1):
        exit_bar = int(trades["ExitBar"].iloc[k])
        next_entry = entries[k + 1] if k + 1 < len(entries) else len(data)
        if next_entry > exit_bar + 1 and exit_bar + 1 < len(data):
            return data.iloc[: exit_bar + 1]
    raise SystemExit("no flat point")


def number(value):
    if isinstance(value, pd.Timedelta):
        return value.total_seconds() * 1000.0
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def main():
    sample, variant, out_csv = sys.argv[1:4]
    data = {"GOOG": GOOG, "EURUSD": EURUSD}[sample]
    if variant == "long_flat":
        data = flat_cut(data)
        stats = run(data, True)
    elif variant == "reverse":
        stats = run(data, False)
    else:
        raise SystemExit(f"unknown variant {variant}")
    data.to_csv(out_csv, index_label="Date")
    keys = [
        "Exposure Time [%]", "Equity Final [$]", "Return [%]", "Buy & Hold Return [%]",
        "Return (Ann.) [%]", "Volatility (Ann.) [%]", "CAGR [%]", "Sharpe Ratio",
        "Sortino Ratio", "Calmar Ratio", "Max. Drawdown [%]", "Max. Drawdown Duration",
        "# Trades", "Win Rate [%]", "Best Trade [%]", "Worst Trade [%]", "Avg. Trade [%]",
        "Profit Factor", "Expectancy [%]", "SQN", "Commissions [$]",
    ]
    out = {key: number(stats[key]) for key in keys}
    out["n_bars"] = len(data)
    out["open_trades"] = len(stats._strategy.trades)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
