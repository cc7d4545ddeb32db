"""Regenerates the TA-Lib golden values for the features tests.

Run from this directory in a scratch virtual environment (not committed):

    python3 -m venv /tmp/talib-venv
    /tmp/talib-venv/bin/pip install TA-Lib numpy
    /tmp/talib-venv/bin/python generate_talib.py

It writes candles.csv (the fixture: 300 hourly bars of a random walk on a 0.01 tick, with
a short flat stretch) and talib_expected.csv (TA-Lib's own outputs on that fixture). The
Rust test reads both and compares its indicators at 1e-9.
"""

import csv

import numpy as np
import talib

N_BARS = 300
START_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
HOUR_MS = 3_600_000


def make_candles():
    rng = np.random.default_rng(20240601)
    rows = []
    close = 100.0
    for i in range(N_BARS):
        open_ = close
        if 120 <= i < 126:
            high = low = close = open_
        else:
            close = round(open_ * (1.0 + rng.normal(0.0, 0.01)), 2)
            high = round(max(open_, close) + abs(rng.normal(0.0, 0.3)), 2)
            low = round(min(open_, close) - abs(rng.normal(0.0, 0.3)), 2)
        volume = round(float(rng.uniform(1.0, 100.0)), 3)
        rows.append((START_MS + i * HOUR_MS, open_, high, low, close, volume))
    return rows


def fmt(value):
    return "" if np.isnan(value) else repr(float(value))


def main():
    rows = make_candles()
    with open("candles.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["ts_ms", "open", "high", "low", "close", "volume"])
        for ts, o, h, l, c, v in rows:
            w.writerow([ts, f"{o:.2f}", f"{h:.2f}", f"{l:.2f}", f"{c:.2f}", f"{v:.3f}"])

    # Read the fixture back so TA-Lib sees exactly the decimal values the Rust test parses.
    with open("candles.csv") as f:
        data = list(csv.DictReader(f))
    high = np.array([float(r["high"]) for r in data])
    low = np.array([float(r["low"]) for r in data])
    close = np.array([float(r["close"]) for r in data])

    columns = {
        "ema_5": talib.EMA(close, timeperiod=5),
        "ema_20": talib.EMA(close, timeperiod=20),
        "ema_50": talib.EMA(close, timeperiod=50),
        "sma_20": talib.SMA(close, timeperiod=20),
        "rsi_5": talib.RSI(close, timeperiod=5),
        "rsi_14": talib.RSI(close, timeperiod=14),
        "atr_5": talib.ATR(high, low, close, timeperiod=5),
        "atr_14": talib.ATR(high, low, close, timeperiod=14),
    }
    for period, dev in [(20, 2.0), (10, 1.5)]:
        upper, mid, lower = talib.BBANDS(
            close, timeperiod=period, nbdevup=dev, nbdevdn=dev, matype=talib.MA_Type.SMA
        )
        tag = f"bb_{period}_{int(dev * 10)}"
        columns[f"{tag}_upper"] = upper
        columns[f"{tag}_mid"] = mid
        columns[f"{tag}_lower"] = lower

    names = list(columns)
    with open("talib_expected.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["bar_idx"] + names)
        for i in range(N_BARS):
            w.writerow([i] + [fmt(columns[name][i]) for name in names])
    print(f"TA-Lib {talib.__version__}: {N_BARS} bars, columns {names}")


if __name__ == "__main__":
    main()
