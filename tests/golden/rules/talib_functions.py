"""TA-Lib's values for every indicator function of the rules language, on a real file, as
JSON, for the Rust test that compares them (crates/engine/tests/rules_talib.rs).

    python talib_functions.py CANDLES_CSV

CANDLES_CSV has a header `Date,Open,High,Low,Close,Volume` (backtesting.py's GOOG sample,
tests/golden/backtest/goog.csv). Prints one JSON object: {rule expression: [value or null
for NaN, one per bar]}. Each expression is written in the rules language; the value beside
it is what TA-Lib (from PyPI) computes for it. Where TA-Lib has no such function (rma,
crossover, the element-wise ones) the definition is written out with TA-Lib's pieces or
numpy, and said so.
"""

import csv
import json
import sys

import numpy as np
import talib


def load(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    col = lambda name: np.array([float(r[name]) for r in rows], dtype=float)
    return col("Open"), col("High"), col("Low"), col("Close"), col("Volume")


def shift(x, n):
    out = np.full_like(x, np.nan)
    out[n:] = x[:-n]
    return out


def crossover(a, b):
    a1, b1 = shift(a, 1), shift(b, 1)
    with np.errstate(invalid="ignore"):
        return (a1 < b1) & (a > b)


def main():
    o, h, l, c, v = load(sys.argv[1])
    hl2 = talib.MEDPRICE(h, l)
    # TA-Lib's true range is undefined at the first bar, as close[1] is in the rules.
    tr = talib.TRANGE(h, l, c)
    upper, middle, lower = talib.BBANDS(c, 20, 2.0, 2.0, 0)
    macd_line, _, _ = talib.MACD(c, 12, 26, 1)
    _, macd_signal, _ = talib.MACD(c, 12, 26, 9)
    cases = {
        "sma(close, 10)": talib.SMA(c, 10),
        "sma(hl2, 7)": talib.SMA(hl2, 7),
        "ema(close, 10)": talib.EMA(c, 10),
        "ta.ema(volume, 30)": talib.EMA(v, 30),
        "wma(close, 10)": talib.WMA(c, 10),
        # TA-Lib has no RMA; its ATR is Wilder's average of the true range, seeded with the
        # mean of the first `length` defined values: exactly rma over the true range.
        "rma(max(high - low, max(abs(high - close[1]), abs(low - close[1]))), 14)": talib.ATR(h, l, c, 14),
        "rsi(close, 14)": talib.RSI(c, 14),
        "atr(14)": talib.ATR(h, l, c, 14),
        "stdev(close, 20)": talib.STDDEV(c, 20, 1.0),
        "highest(high, 20)": talib.MAX(h, 20),
        "lowest(low, 20)": talib.MIN(l, 20),
        "bb_upper(close, 20, 2)": upper,
        "bb_mid(close, 20)": middle,
        "bb_lower(close, 20, 2)": lower,
        # The line alone: TA-Lib's MACD with a one-bar signal has the line's own warm-up.
        "macd(close, 12, 26)": macd_line,
        "macd_signal(close, 12, 26, 9)": macd_signal,
        "roc(close, 10)": talib.ROC(c, 10),
        "change(close, 10)": talib.MOM(c, 10),
        # Indicators of indicators: TA-Lib starts after the leading NaN, as the rules do.
        "sma(rsi(close, 14), 5)": talib.SMA(talib.RSI(c, 14), 5),
        "ema(macd(close, 12, 26), 9)": talib.EMA(macd_line, 9),
        "sqrt(close)": talib.SQRT(c),
        "log(close)": talib.LN(c),
        # Not TA-Lib functions: numpy's definitions.
        "abs(change(close, 1))": np.abs(talib.MOM(c, 1)),
        "min(open, close)": np.minimum(o, c),
        "max(open, close)": np.maximum(o, c),
        "iff(close > open, high, low)": np.where(c > o, h, l),
        "close[3]": shift(c, 3),
    }
    conditions = {
        "crossover(sma(close, 10), sma(close, 20))": crossover(talib.SMA(c, 10), talib.SMA(c, 20)),
        "crossunder(sma(close, 10), sma(close, 20))": crossover(talib.SMA(c, 20), talib.SMA(c, 10)),
    }
    doc = {
        "numbers": {k: [None if np.isnan(x) else float(x) for x in vals] for k, vals in cases.items()},
        "conditions": {k: [bool(x) for x in vals] for k, vals in conditions.items()},
    }
    print(json.dumps(doc))


if __name__ == "__main__":
    main()
