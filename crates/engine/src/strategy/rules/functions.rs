//! The functions rules may call: their signatures and definitions (the reference the app and
//! `genesis rules functions` print), and their column implementations.
//!
//! Every indicator follows TA-Lib's definition and warm-up. An indicator reads its input from
//! the input's first defined value on (as TA-Lib's Python wrapper skips leading NaN), and an
//! undefined value later in the input (a division by zero upstream) restarts its warm-up
//! after it: the indicator runs on each stretch of defined values separately. Both keep every
//! value a function of the bars up to it, so appending bars changes no past value.

use std::collections::VecDeque;

use crate::features::bollinger::bollinger;
use crate::features::ema::ema;
use crate::features::rsi::rsi;
use crate::features::sma::sma;
use crate::features::Column;

/// A function rules may call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Func {
    Sma,
    Ema,
    Wma,
    Rma,
    Rsi,
    Atr,
    Stdev,
    Highest,
    Lowest,
    BbUpper,
    BbMid,
    BbLower,
    Macd,
    MacdSignal,
    Roc,
    Change,
    Crossover,
    Crossunder,
    Abs,
    Min,
    Max,
    Sqrt,
    Log,
    Iff,
}

/// What an argument must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A number, usually a series.
    Number,
    /// A single positive whole number of bars: a literal, a param or arithmetic on them.
    Length,
    /// A single number (not a series).
    Scalar,
    /// A condition.
    Condition,
    /// A number or a condition, the same kind as the other branch (`iff`).
    Either,
}

/// What a function gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Returns {
    Number,
    Condition,
    /// The kind of its branches (`iff`).
    Branches,
}

/// Where a plotted series belongs: on the price chart, or in a pane below it (oscillators,
/// whose scale is not the price's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pane {
    Price,
    Below,
}

/// One function of the reference.
#[derive(Clone, Copy, Debug)]
pub struct FunctionInfo {
    pub func: Func,
    pub name: &'static str,
    /// `(name, kind)` of each argument.
    pub args: &'static [(&'static str, Arg)],
    pub returns: Returns,
    /// The definition, in words and a formula.
    pub definition: &'static str,
    /// Bars before the first defined value, for an input defined from its first bar.
    pub warm_up: &'static str,
    /// Where `plots` draws a series this function makes.
    pub pane: Pane,
}

impl FunctionInfo {
    /// `sma(series, length)`.
    pub fn signature(&self) -> String {
        let args: Vec<&str> = self.args.iter().map(|(name, _)| *name).collect();
        format!("{}({})", self.name, args.join(", "))
    }
}

const SERIES_LENGTH: &[(&str, Arg)] = &[("series", Arg::Number), ("length", Arg::Length)];
const SERIES: &[(&str, Arg)] = &[("series", Arg::Number)];
const TWO: &[(&str, Arg)] = &[("a", Arg::Number), ("b", Arg::Number)];
const BANDS: &[(&str, Arg)] = &[
    ("series", Arg::Number),
    ("length", Arg::Length),
    ("deviations", Arg::Scalar),
];

/// Every function, in reference order.
pub const FUNCTIONS: &[FunctionInfo] = &[
    FunctionInfo {
        func: Func::Sma,
        name: "sma",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "simple moving average: the mean of the last length values (TA-Lib SMA)",
        warm_up: "length − 1",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Ema,
        name: "ema",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "exponential moving average, k = 2 / (length + 1), seeded with the SMA of the first length values (TA-Lib EMA)",
        warm_up: "length − 1",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Wma,
        name: "wma",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "weighted moving average, weights 1 … length, newest heaviest (TA-Lib WMA)",
        warm_up: "length − 1",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Rma,
        name: "rma",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "Wilder's moving average: seeded with the SMA of the first length values, then (previous × (length − 1) + value) / length (Pine's ta.rma; the smoothing of TA-Lib's RSI and ATR)",
        warm_up: "length − 1",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Rsi,
        name: "rsi",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "Wilder's relative strength index, 0–100 (TA-Lib RSI); a stretch with neither gains nor losses gives 50 where TA-Lib gives 0",
        warm_up: "length",
        pane: Pane::Below,
    },
    FunctionInfo {
        func: Func::Atr,
        name: "atr",
        args: &[("length", Arg::Length)],
        returns: Returns::Number,
        definition: "average true range of the bars (high, low, previous close), Wilder-smoothed (TA-Lib ATR)",
        warm_up: "length",
        pane: Pane::Below,
    },
    FunctionInfo {
        func: Func::Stdev,
        name: "stdev",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "population standard deviation of the last length values (TA-Lib STDDEV, 1 deviation)",
        warm_up: "length − 1",
        pane: Pane::Below,
    },
    FunctionInfo {
        func: Func::Highest,
        name: "highest",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "largest of the last length values, this bar included (TA-Lib MAX); highest(high, 20)[1] is the previous 20 bars' high",
        warm_up: "length − 1",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Lowest,
        name: "lowest",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "smallest of the last length values, this bar included (TA-Lib MIN)",
        warm_up: "length − 1",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::BbUpper,
        name: "bb_upper",
        args: BANDS,
        returns: Returns::Number,
        definition: "upper Bollinger band: SMA + deviations × population standard deviation (TA-Lib BBANDS, matype 0)",
        warm_up: "length − 1",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::BbMid,
        name: "bb_mid",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "middle Bollinger band: the SMA, as the bands compute it (TA-Lib BBANDS middle)",
        warm_up: "length − 1",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::BbLower,
        name: "bb_lower",
        args: BANDS,
        returns: Returns::Number,
        definition: "lower Bollinger band: SMA − deviations × population standard deviation (TA-Lib BBANDS, matype 0)",
        warm_up: "length − 1",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Macd,
        name: "macd",
        args: &[
            ("series", Arg::Number),
            ("fast", Arg::Length),
            ("slow", Arg::Length),
        ],
        returns: Returns::Number,
        definition: "MACD line: EMA(fast) − EMA(slow), the fast EMA seeded over the slow one's last fast values, as TA-Lib MACD does (lengths swapped when fast > slow)",
        warm_up: "slow − 1",
        pane: Pane::Below,
    },
    FunctionInfo {
        func: Func::MacdSignal,
        name: "macd_signal",
        args: &[
            ("series", Arg::Number),
            ("fast", Arg::Length),
            ("slow", Arg::Length),
            ("signal", Arg::Length),
        ],
        returns: Returns::Number,
        definition: "MACD signal line: the EMA(signal) of the MACD line (TA-Lib MACD's second output)",
        warm_up: "slow + signal − 2",
        pane: Pane::Below,
    },
    FunctionInfo {
        func: Func::Roc,
        name: "roc",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "rate of change in percent: (x / x[length] − 1) × 100 (TA-Lib ROC; undefined where x[length] is 0, where TA-Lib gives 0)",
        warm_up: "length",
        pane: Pane::Below,
    },
    FunctionInfo {
        func: Func::Change,
        name: "change",
        args: SERIES_LENGTH,
        returns: Returns::Number,
        definition: "x − x[length] (TA-Lib MOM)",
        warm_up: "length",
        pane: Pane::Below,
    },
    FunctionInfo {
        func: Func::Crossover,
        name: "crossover",
        args: TWO,
        returns: Returns::Condition,
        definition: "a[1] < b[1] and a > b: backtesting.py's strict cross (Pine's ta.crossover allows a[1] <= b[1])",
        warm_up: "1 more than its inputs'",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Crossunder,
        name: "crossunder",
        args: TWO,
        returns: Returns::Condition,
        definition: "a[1] > b[1] and a < b: backtesting.py's strict cross (Pine's ta.crossunder allows a[1] >= b[1])",
        warm_up: "1 more than its inputs'",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Abs,
        name: "abs",
        args: SERIES,
        returns: Returns::Number,
        definition: "absolute value",
        warm_up: "its input's",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Min,
        name: "min",
        args: TWO,
        returns: Returns::Number,
        definition: "the smaller of a and b at each bar",
        warm_up: "its inputs'",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Max,
        name: "max",
        args: TWO,
        returns: Returns::Number,
        definition: "the larger of a and b at each bar",
        warm_up: "its inputs'",
        pane: Pane::Price,
    },
    FunctionInfo {
        func: Func::Sqrt,
        name: "sqrt",
        args: SERIES,
        returns: Returns::Number,
        definition: "square root; undefined below 0",
        warm_up: "its input's",
        pane: Pane::Below,
    },
    FunctionInfo {
        func: Func::Log,
        name: "log",
        args: SERIES,
        returns: Returns::Number,
        definition: "natural logarithm; undefined at 0 and below",
        warm_up: "its input's",
        pane: Pane::Below,
    },
    FunctionInfo {
        func: Func::Iff,
        name: "iff",
        args: &[
            ("condition", Arg::Condition),
            ("then", Arg::Either),
            ("else", Arg::Either),
        ],
        returns: Returns::Branches,
        definition: "then where the condition holds, else elsewhere (an undefined comparison does not hold)",
        warm_up: "its inputs'",
        pane: Pane::Price,
    },
];

/// The function called `name` (without a `ta.` prefix).
pub fn lookup(name: &str) -> Option<&'static FunctionInfo> {
    FUNCTIONS.iter().find(|info| info.name == name)
}

/// The reference entry of `func`.
pub fn info(func: Func) -> &'static FunctionInfo {
    FUNCTIONS
        .iter()
        .find(|info| info.func == func)
        .unwrap_or(&FUNCTIONS[0])
}

/// Bars of warm-up `func` adds with `lengths` (its length arguments in order).
pub fn lookback(func: Func, lengths: &[usize]) -> usize {
    let first = lengths.first().copied().unwrap_or(0);
    match func {
        Func::Sma
        | Func::Ema
        | Func::Wma
        | Func::Rma
        | Func::Stdev
        | Func::Highest
        | Func::Lowest
        | Func::BbUpper
        | Func::BbMid
        | Func::BbLower => first.saturating_sub(1),
        Func::Rsi | Func::Atr | Func::Roc | Func::Change => first,
        Func::Macd => lengths.iter().copied().max().unwrap_or(0).saturating_sub(1),
        Func::MacdSignal => {
            let slow = lengths.iter().take(2).copied().max().unwrap_or(0);
            let signal = lengths.get(2).copied().unwrap_or(0);
            (slow + signal).saturating_sub(2)
        }
        Func::Crossover | Func::Crossunder => 1,
        Func::Abs | Func::Min | Func::Max | Func::Sqrt | Func::Log | Func::Iff => 0,
    }
}

/// `func` over `values` with `lengths` and the scalar `k` (Bollinger deviations), run by
/// run over the stretches of defined values (see the module docs). `func` is a one-input
/// indicator.
pub fn indicator(func: Func, values: &[f64], lengths: &[usize], k: f64) -> Vec<f64> {
    let mut out = vec![f64::NAN; values.len()];
    let mut start = 0;
    while start < values.len() {
        if values[start].is_nan() {
            start += 1;
            continue;
        }
        let end = values[start..]
            .iter()
            .position(|value| value.is_nan())
            .map_or(values.len(), |offset| start + offset);
        let run = &values[start..end];
        out[start..end].copy_from_slice(&on_run(func, run, lengths, k));
        start = end;
    }
    out
}

/// `func` over a stretch without undefined values.
fn on_run(func: Func, run: &[f64], lengths: &[usize], k: f64) -> Vec<f64> {
    let n = lengths.first().copied().unwrap_or(0);
    match func {
        Func::Sma => sma(run, n).into_values(),
        Func::Ema => ema(run, n).into_values(),
        Func::Rsi => rsi(run, n).into_values(),
        Func::Wma => wma(run, n),
        Func::Rma => rma(run, n),
        Func::Stdev => stdev(run, n),
        Func::Highest => extreme(run, n, |new, old| new >= old),
        Func::Lowest => extreme(run, n, |new, old| new <= old),
        Func::BbUpper => bollinger(run, n, k).upper.into_values(),
        Func::BbMid => bollinger(run, n, k).mid.into_values(),
        Func::BbLower => bollinger(run, n, k).lower.into_values(),
        Func::Macd => macd(run, n, lengths.get(1).copied().unwrap_or(0), 1).0,
        Func::MacdSignal => {
            let slow = lengths.get(1).copied().unwrap_or(0);
            let signal = lengths.get(2).copied().unwrap_or(0);
            macd(run, n, slow, signal).1
        }
        Func::Roc => lagged(run, n, |now, then| {
            if then == 0.0 {
                f64::NAN
            } else {
                (now / then - 1.0) * 100.0
            }
        }),
        Func::Change => lagged(run, n, |now, then| now - then),
        // Element-wise functions never come here; the program applies them itself.
        Func::Crossover
        | Func::Crossunder
        | Func::Abs
        | Func::Min
        | Func::Max
        | Func::Sqrt
        | Func::Log
        | Func::Iff
        | Func::Atr => vec![f64::NAN; run.len()],
    }
}

fn nan_column(len: usize) -> Vec<f64> {
    vec![f64::NAN; len]
}

/// TA-Lib's WMA: `Σ (j + 1) x[i − n + 1 + j] / (n (n + 1) / 2)`, with its running sums.
fn wma(values: &[f64], n: usize) -> Vec<f64> {
    let mut out = nan_column(values.len());
    if n == 0 || n > values.len() {
        return out;
    }
    let divisor = (n * (n + 1)) as f64 / 2.0;
    // `weighted` is Σ weight × value over the window, `plain` Σ value.
    let mut weighted = 0.0;
    let mut plain = 0.0;
    for (j, &value) in values[..n].iter().enumerate() {
        weighted += (j + 1) as f64 * value;
        plain += value;
    }
    out[n - 1] = weighted / divisor;
    for i in n..values.len() {
        // Every weight drops by one (− plain), the new value enters with weight n.
        weighted += n as f64 * values[i] - plain;
        plain += values[i] - values[i - n];
        out[i] = weighted / divisor;
    }
    out
}

/// Wilder's moving average.
fn rma(values: &[f64], n: usize) -> Vec<f64> {
    let mut out = nan_column(values.len());
    if n == 0 || n > values.len() {
        return out;
    }
    let divisor = n as f64;
    let mut prev = values[..n].iter().fold(0.0, |sum, &value| sum + value) / divisor;
    out[n - 1] = prev;
    let keep = (n - 1) as f64;
    for i in n..values.len() {
        prev = (prev * keep + values[i]) / divisor;
        out[i] = prev;
    }
    out
}

/// Population standard deviation over a sliding window: a running mean and sum of squared
/// deviations (Welford's sliding update), recomputed exactly every `n` bars so the drift of
/// the update stays bounded.
fn stdev(values: &[f64], n: usize) -> Vec<f64> {
    let mut out = nan_column(values.len());
    if n == 0 || n > values.len() {
        return out;
    }
    let divisor = n as f64;
    let (mut mean, mut m2) = (0.0, 0.0);
    for i in (n - 1)..values.len() {
        let window = &values[i + 1 - n..=i];
        if (i + 1 - n).is_multiple_of(n) {
            mean = window.iter().fold(0.0, |sum, &value| sum + value) / divisor;
            m2 = window
                .iter()
                .fold(0.0, |sum, &value| sum + (value - mean) * (value - mean));
        } else {
            let (entering, leaving) = (values[i], values[i - n]);
            let old_mean = mean;
            mean += (entering - leaving) / divisor;
            m2 += (entering - leaving) * (entering - mean + leaving - old_mean);
        }
        out[i] = libm::sqrt(m2.max(0.0) / divisor);
    }
    out
}

/// The extreme of the last `n` values, this one included: a monotonic queue of indices
/// whose values are strictly less extreme behind the front. `replaces(new, old)` is true
/// when `new` makes `old` useless.
fn extreme(values: &[f64], n: usize, replaces: impl Fn(f64, f64) -> bool) -> Vec<f64> {
    let mut out = nan_column(values.len());
    if n == 0 || n > values.len() {
        return out;
    }
    let mut queue: VecDeque<usize> = VecDeque::with_capacity(n + 1);
    for (i, &value) in values.iter().enumerate() {
        while queue
            .back()
            .is_some_and(|&back| replaces(value, values[back]))
        {
            queue.pop_back();
        }
        queue.push_back(i);
        while queue.front().is_some_and(|&front| front + n <= i) {
            queue.pop_front();
        }
        if i + 1 >= n {
            if let Some(&front) = queue.front() {
                out[i] = values[front];
            }
        }
    }
    out
}

/// `combine(x[i], x[i − n])` from bar `n` on.
fn lagged(values: &[f64], n: usize, combine: impl Fn(f64, f64) -> f64) -> Vec<f64> {
    let mut out = nan_column(values.len());
    for i in n..values.len() {
        out[i] = combine(values[i], values[i - n]);
    }
    out
}

/// TA-Lib's MACD line and signal. The slow EMA is TA-Lib's EMA; the fast one is seeded at
/// the slow one's first bar with the mean of the `fast` values ending there, so both start
/// together; the line runs from bar `slow − 1`, the signal is the EMA(`signal`) of the line.
fn macd(values: &[f64], fast: usize, slow: usize, signal: usize) -> (Vec<f64>, Vec<f64>) {
    let (fast, slow) = if fast > slow {
        (slow, fast)
    } else {
        (fast, slow)
    };
    let len = values.len();
    let mut line = nan_column(len);
    let mut signal_line = nan_column(len);
    if fast == 0 || slow > len || signal == 0 {
        return (line, signal_line);
    }
    let slow_ema = ema(values, slow).into_values();
    let fast_ema = ema(&values[slow - fast..], fast).into_values();
    for i in (slow - 1)..len {
        line[i] = fast_ema[i - (slow - fast)] - slow_ema[i];
    }
    let smoothed = ema(&line[slow - 1..], signal).into_values();
    signal_line[slow - 1..].copy_from_slice(&smoothed);
    (line, signal_line)
}

/// The columns `Column` gives back, for a function that returns plain values.
trait IntoValues {
    fn into_values(self) -> Vec<f64>;
}

impl IntoValues for Column {
    fn into_values(self) -> Vec<f64> {
        self.values().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close_to(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len());
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x.is_nan() && y.is_nan()) || (x - y).abs() < 1e-9,
                "bar {i}: {x} vs {y}"
            );
        }
    }

    const NAN: f64 = f64::NAN;

    #[test]
    fn hand_computed_values() {
        let x = [1.0, 2.0, 3.0, 4.0, 8.0];
        close_to(&wma(&x, 3), &[NAN, NAN, 14.0 / 6.0, 20.0 / 6.0, 35.0 / 6.0]);
        close_to(&rma(&x, 2), &[NAN, 1.5, 2.25, 3.125, 5.5625]);
        close_to(&extreme(&x, 2, |a, b| a >= b), &[NAN, 2.0, 3.0, 4.0, 8.0]);
        close_to(
            &extreme(&[3.0, 1.0, 2.0], 2, |a, b| a <= b),
            &[NAN, 1.0, 1.0],
        );
        close_to(&stdev(&[2.0, 4.0, 4.0, 4.0], 2), &[NAN, 1.0, 0.0, 0.0]);
        close_to(
            &indicator(Func::Roc, &x, &[2], 0.0),
            &[NAN, NAN, 200.0, 100.0, 166.666_666_666_666_66],
        );
        close_to(
            &indicator(Func::Change, &x, &[1], 0.0),
            &[NAN, 1.0, 1.0, 1.0, 4.0],
        );
    }

    #[test]
    fn an_undefined_value_restarts_the_warm_up() {
        let x = [NAN, 1.0, 3.0, NAN, 5.0, 7.0, 9.0];
        close_to(
            &indicator(Func::Sma, &x, &[2], 0.0),
            &[NAN, NAN, 2.0, NAN, NAN, 6.0, 8.0],
        );
    }

    #[test]
    fn every_function_has_one_entry_and_a_signature() {
        for (i, info) in FUNCTIONS.iter().enumerate() {
            assert!(FUNCTIONS[i + 1..]
                .iter()
                .all(|other| other.func != info.func));
            assert_eq!(lookup(info.name).map(|found| found.func), Some(info.func));
        }
        assert_eq!(lookup("sma").unwrap().signature(), "sma(series, length)");
    }
}
