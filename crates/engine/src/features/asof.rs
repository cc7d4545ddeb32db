//! The as-of oracle: each feature at bar i computed the naive way from the slice `0..=i`.
//!
//! TEST ORACLE ONLY. This module is compiled for tests (`#[cfg(test)]`) and nothing in
//! production can call it. Every function takes the full columns and a bar index, slices
//! them to `..=bar_idx` first, and recomputes from scratch with the plainest code that follows
//! the definition (O(i) or worse per bar, O(n²) per column). It shares no code with the
//! precompute except the tiny definitional helpers (true range, pivot test, RSI ratio, Fib
//! leg), so indexing, warm-up and look-ahead mistakes in the fast path show up as
//! disagreements.

use super::atr::true_range;
use super::fib::{leg, nearest_level, FIB_RATIOS};
use super::htf_trend::{bucket_end_ms, bucket_of, htf_span_ms};
use super::rsi::rsi_value;
use super::swings::{is_swing_high, is_swing_low};

/// SMA at the end of `values[..=bar_idx]`: a fresh sum of the last `period` values.
pub fn sma_at(values: &[f64], period: usize, bar_idx: usize) -> Option<f64> {
    let prefix = &values[..=bar_idx];
    if period == 0 || prefix.len() < period {
        return None;
    }
    let window = &prefix[prefix.len() - period..];
    Some(window.iter().sum::<f64>() / period as f64)
}

/// The EMA recursion over a whole slice; `None` when it is shorter than `period`.
pub fn ema_last(values: &[f64], period: usize) -> Option<f64> {
    if period == 0 || values.len() < period {
        return None;
    }
    let k = 2.0 / (period as f64 + 1.0);
    let mut value = values[..period].iter().sum::<f64>() / period as f64;
    for &x in &values[period..] {
        value = value + k * (x - value);
    }
    Some(value)
}

/// EMA at the end of `values[..=bar_idx]`.
pub fn ema_at(values: &[f64], period: usize, bar_idx: usize) -> Option<f64> {
    ema_last(&values[..=bar_idx], period)
}

/// Wilder RSI at the end of `close[..=bar_idx]`.
pub fn rsi_at(close: &[f64], period: usize, bar_idx: usize) -> Option<f64> {
    let prefix = &close[..=bar_idx];
    if period == 0 || prefix.len() <= period {
        return None;
    }
    let changes: Vec<f64> = prefix.windows(2).map(|pair| pair[1] - pair[0]).collect();
    let gains: Vec<f64> = changes.iter().map(|&c| c.max(0.0)).collect();
    let losses: Vec<f64> = changes.iter().map(|&c| (-c).max(0.0)).collect();
    let p = period as f64;
    let mut avg_gain = gains[..period].iter().sum::<f64>() / p;
    let mut avg_loss = losses[..period].iter().sum::<f64>() / p;
    for k in period..changes.len() {
        avg_gain = (avg_gain * (p - 1.0) + gains[k]) / p;
        avg_loss = (avg_loss * (p - 1.0) + losses[k]) / p;
    }
    Some(rsi_value(avg_gain, avg_loss))
}

/// The whole Wilder ATR series of a prefix (`None` during warm-up).
pub fn atr_series(high: &[f64], low: &[f64], close: &[f64], period: usize) -> Vec<Option<f64>> {
    let n = close.len();
    let mut out = vec![None; n];
    if period == 0 || n <= period {
        return out;
    }
    let tr: Vec<f64> = (1..n)
        .map(|i| true_range(high[i], low[i], close[i - 1]))
        .collect();
    let p = period as f64;
    let mut value = tr[..period].iter().sum::<f64>() / p;
    out[period] = Some(value);
    for i in period + 1..n {
        value = (value * (p - 1.0) + tr[i - 1]) / p;
        out[i] = Some(value);
    }
    out
}

/// Wilder ATR at the end of the prefix.
pub fn atr_at(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    period: usize,
    bar_idx: usize,
) -> Option<f64> {
    let end = bar_idx + 1;
    atr_series(&high[..end], &low[..end], &close[..end], period)
        .last()
        .copied()
        .flatten()
}

/// Bollinger `(mid, upper, lower, width, pct_b)` at the end of the prefix: fresh two-pass mean
/// and population variance of the last `period` closes.
pub fn bollinger_at(
    close: &[f64],
    period: usize,
    std_mult: f64,
    bar_idx: usize,
) -> Option<[f64; 5]> {
    let prefix = &close[..=bar_idx];
    if period == 0 || prefix.len() < period {
        return None;
    }
    let window = &prefix[prefix.len() - period..];
    let is_flat = window.iter().all(|&x| x == window[0]);
    let mean = if is_flat {
        window[0]
    } else {
        window.iter().sum::<f64>() / period as f64
    };
    let var = if is_flat {
        0.0
    } else {
        window.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / period as f64
    };
    let std = var.sqrt();
    let upper = mean + std_mult * std;
    let lower = mean - std_mult * std;
    let last = prefix[prefix.len() - 1];
    let pct_b = if upper > lower {
        (last - lower) / (upper - lower)
    } else {
        0.5
    };
    Some([mean, upper, lower, (upper - lower) / mean, pct_b])
}

/// Donchian `(upper, lower)` at the end of the prefix: extremes of the `period` bars before it.
pub fn donchian_at(high: &[f64], low: &[f64], period: usize, bar_idx: usize) -> Option<(f64, f64)> {
    if period == 0 || bar_idx < period {
        return None;
    }
    let highs = &high[bar_idx - period..bar_idx];
    let lows = &low[bar_idx - period..bar_idx];
    let upper = highs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lower = lows.iter().copied().fold(f64::INFINITY, f64::min);
    Some((upper, lower))
}

/// A swing's `(price, pivot bar)`, if one is known.
pub type SwingPoint = Option<(f64, usize)>;

/// The last swing high and low known at the end of the prefix: scan every candidate pivot
/// whose N right-hand bars are inside the prefix.
pub fn swings_at(
    high: &[f64],
    low: &[f64],
    strength: usize,
    bar_idx: usize,
) -> (SwingPoint, SwingPoint) {
    let highs = &high[..=bar_idx];
    let lows = &low[..=bar_idx];
    let mut last_high = None;
    let mut last_low = None;
    let mut pivot = strength;
    while pivot + strength < highs.len() {
        if is_swing_high(highs, pivot, strength) {
            last_high = Some((highs[pivot], pivot));
        }
        if is_swing_low(lows, pivot, strength) {
            last_low = Some((lows[pivot], pivot));
        }
        pivot += 1;
    }
    (last_high, last_low)
}

/// Fibonacci `(levels, direction, dist_atr)` at the end of the prefix.
pub fn fib_at(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    strength: usize,
    atr_period: usize,
    bar_idx: usize,
) -> Option<([f64; 5], f64, Option<f64>)> {
    let (Some((hi, hi_bar)), Some((lo, lo_bar))) = swings_at(high, low, strength, bar_idx) else {
        return None;
    };
    let (start, end, direction) = leg(hi, hi_bar as f64, lo, lo_bar as f64);
    let levels = FIB_RATIOS.map(|ratio| end - ratio * (end - start));
    let dist = atr_at(high, low, close, atr_period, bar_idx)
        .filter(|&range| range > 0.0)
        .map(|range| (close[bar_idx] - nearest_level(close[bar_idx], start, end)) / range);
    Some((levels, direction, dist))
}

/// ATR percentile rank at the end of the prefix: count of the previous `lookback` ATR values at
/// or below the current one, over `lookback`.
pub fn atr_pct_rank_at(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    atr_period: usize,
    lookback: usize,
    bar_idx: usize,
) -> Option<f64> {
    let end = bar_idx + 1;
    let series = atr_series(&high[..end], &low[..end], &close[..end], atr_period);
    if lookback == 0 || bar_idx < lookback {
        return None;
    }
    let current = series[bar_idx]?;
    let mut n_at_or_below = 0;
    for previous in &series[bar_idx - lookback..bar_idx] {
        if (*previous)? <= current {
            n_at_or_below += 1;
        }
    }
    Some(n_at_or_below as f64 / lookback as f64)
}

/// Volatility shift at the end of the prefix.
pub fn vol_shift_at(
    high: &[f64],
    low: &[f64],
    close: &[f64],
    short_period: usize,
    long_period: usize,
    bar_idx: usize,
) -> Option<f64> {
    let short = atr_at(high, low, close, short_period, bar_idx)?;
    let long = atr_at(high, low, close, long_period, bar_idx)?;
    Some(if long > 0.0 { short / long } else { 1.0 })
}

/// Higher-timeframe `(close, ema, trend)` at the end of the prefix. Groups the prefix's bars by
/// bucket; a bucket counts when one of its bars reached the bucket end (`end <= ts + tf`) or a
/// later bucket has a bar in the prefix. Its close is its last bar up to the one that completed
/// it.
pub fn htf_at(
    ts_ms: &[i64],
    close: &[f64],
    timeframe_ms: i64,
    multiple: usize,
    ema_period: usize,
    bar_idx: usize,
) -> (Option<f64>, Option<f64>, Option<f64>) {
    let Some(span_ms) = htf_span_ms(timeframe_ms, multiple) else {
        return (None, None, None);
    };
    let ts = &ts_ms[..=bar_idx];
    let closes = &close[..=bar_idx];
    let mut completed: Vec<f64> = Vec::new();
    let mut start = 0;
    while start < ts.len() {
        let bucket = bucket_of(ts[start], span_ms);
        let end_ms = bucket_end_ms(bucket, span_ms);
        let mut stop = start;
        let mut bucket_close = closes[start];
        let mut is_complete = false;
        while stop < ts.len() && bucket_of(ts[stop], span_ms) == bucket {
            if !is_complete {
                bucket_close = closes[stop];
                is_complete = end_ms <= ts[stop].saturating_add(timeframe_ms);
            }
            stop += 1;
        }
        if stop < ts.len() {
            is_complete = true;
        }
        if is_complete {
            completed.push(bucket_close);
        }
        start = stop;
    }
    let last = completed.last().copied();
    let ema = ema_last(&completed, ema_period);
    let trend = match (last, ema) {
        (Some(c), Some(e)) => Some(c / e - 1.0),
        _ => None,
    };
    (last, ema, trend)
}
