//! A small deterministic random-walk candle generator for tests (explicit seed, ChaCha8).

use rand_chacha::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::data::{Bar, Candles, Columns};

pub const HOUR_MS: i64 = 3_600_000;

/// Uniform in [0, 1) from the top 53 bits.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `n_bars` hourly candles of a multiplicative random walk from 100, prices on a 0.05 tick so
/// equal highs, lows and closes (ties) happen often. The first bar starts at a random hour
/// (so higher-timeframe buckets are partial at the start), about 2 % of spacings are gaps of
/// 2–4 hours, and about 5 % of bars are flat (open = high = low = close).
pub fn random_walk(seed: u64, n_bars: usize) -> Candles {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let tick = 0.05;
    let on_tick = |price: f64| ((price / tick).round() * tick).max(tick);
    let mut cols = Columns::with_capacity(n_bars);
    let mut ts_ms = 1_700_000_000_000 / HOUR_MS * HOUR_MS + (rng.next_u64() % 24) as i64 * HOUR_MS;
    let mut prev_close = 100.0;
    for _ in 0..n_bars {
        let open = prev_close;
        let bar = if uniform(&mut rng) < 0.05 {
            Bar {
                ts_ms,
                open,
                high: open,
                low: open,
                close: open,
                volume: 0.0,
            }
        } else {
            let close = on_tick(open * (1.0 + 0.03 * (uniform(&mut rng) - 0.5)));
            let wick_up = tick * (rng.next_u64() % 6) as f64;
            let wick_down = tick * (rng.next_u64() % 6) as f64;
            Bar {
                ts_ms,
                open,
                high: on_tick(open.max(close) + wick_up),
                low: on_tick((open.min(close) - wick_down).max(tick)),
                close,
                volume: 1.0 + 100.0 * uniform(&mut rng),
            }
        };
        cols.push(bar);
        prev_close = bar.close;
        let spacing = if uniform(&mut rng) < 0.02 {
            2 + (rng.next_u64() % 3) as i64
        } else {
            1
        };
        ts_ms += spacing * HOUR_MS;
    }
    match Candles::from_columns(cols) {
        Ok(candles) => candles,
        Err(err) => panic!("generator produced invalid candles: {err}"),
    }
}

/// `n_bars` hourly candles whose every price is `price`.
pub fn constant(price: f64, n_bars: usize) -> Candles {
    let mut cols = Columns::with_capacity(n_bars);
    for bar_idx in 0..n_bars {
        cols.push(Bar {
            ts_ms: bar_idx as i64 * HOUR_MS,
            open: price,
            high: price,
            low: price,
            close: price,
            volume: 1.0,
        });
    }
    match Candles::from_columns(cols) {
        Ok(candles) => candles,
        Err(err) => panic!("constant candles invalid: {err}"),
    }
}

/// The first `n_bars` bars of `candles` as a dataset of their own.
pub fn prefix(candles: &Candles, n_bars: usize) -> Candles {
    let cols = candles.columns();
    let cut = Columns {
        ts_ms: cols.ts_ms[..n_bars].to_vec(),
        open: cols.open[..n_bars].to_vec(),
        high: cols.high[..n_bars].to_vec(),
        low: cols.low[..n_bars].to_vec(),
        close: cols.close[..n_bars].to_vec(),
        volume: cols.volume[..n_bars].to_vec(),
    };
    match Candles::from_columns(cut) {
        Ok(candles) => candles,
        Err(err) => panic!("prefix invalid: {err}"),
    }
}
