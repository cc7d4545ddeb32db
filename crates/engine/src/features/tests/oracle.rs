//! The precompute equals the as-of oracle on every bar.
//!
//! Guards against the failures that silently make a backtest wrong: look-ahead (a value using
//! bars after i), an off-by-one warm-up, a swing used before its confirmation, a
//! higher-timeframe bar used before it closed, and a store returning a variant computed for
//! other parameters.

use std::sync::Arc;

use proptest::prelude::*;

use super::gen::random_walk;
use crate::data::Candles;
use crate::features::asof;
use crate::features::column::Column;
use crate::features::{FeatureFrame, FeatureParams, FeatureStore};

/// Parameters of one comparison: the frame's plus the strategy building blocks.
#[derive(Clone, Debug)]
struct Case {
    features: FeatureParams,
    sma_period: u32,
    donchian_period: u32,
}

fn close_enough(got: f64, want: f64) -> bool {
    let diff = (got - want).abs();
    diff <= 1e-9 || diff <= 1e-9 * want.abs()
}

/// Compares a column with the oracle on every bar: both undefined or both close.
fn assert_column(name: &str, column: &Column, oracle: impl Fn(usize) -> Option<f64>) {
    for bar_idx in 0..column.len() {
        match (column.get(bar_idx), oracle(bar_idx)) {
            (None, None) => {}
            (Some(got), Some(want)) if close_enough(got, want) => {}
            (got, want) => panic!(
                "{name} at bar {bar_idx} (first_valid {}): precompute {got:?}, as-of {want:?}",
                column.first_valid()
            ),
        }
    }
}

fn assert_matches_oracle(candles: &Arc<Candles>, case: &Case) {
    let params = &case.features;
    let mut store = FeatureStore::new(Arc::clone(candles));
    let frame = FeatureFrame::compute(&mut store, params).unwrap();
    let (ts, high, low, close) = (
        candles.ts_ms(),
        candles.high(),
        candles.low(),
        candles.close(),
    );
    let tf_ms = candles.timeframe_ms();
    let p = |value: u32| value as usize;

    assert_column("ema_fast", &frame.ema_fast, |i| {
        asof::ema_at(close, p(params.ema_fast), i)
    });
    assert_column("ema_slow", &frame.ema_slow, |i| {
        asof::ema_at(close, p(params.ema_slow), i)
    });
    assert_column("rsi", &frame.rsi, |i| {
        asof::rsi_at(close, p(params.rsi_period), i)
    });
    assert_column("atr", &frame.atr, |i| {
        asof::atr_at(high, low, close, p(params.atr_period), i)
    });
    assert_column("atr_long", &frame.atr_long, |i| {
        asof::atr_at(high, low, close, p(params.atr_long_period), i)
    });

    let n_bars = candles.len();
    let bands = &frame.bollinger;
    let bb_at: Vec<_> = (0..n_bars)
        .map(|i| asof::bollinger_at(close, p(params.bb_period), params.bb_std, i))
        .collect();
    let bb = |i: usize, part: usize| bb_at[i].map(|all| all[part]);
    assert_column("bb_mid", &bands.mid, |i| bb(i, 0));
    assert_column("bb_upper", &bands.upper, |i| bb(i, 1));
    assert_column("bb_lower", &bands.lower, |i| bb(i, 2));
    assert_column("bb_width", &bands.width, |i| bb(i, 3));
    assert_column("bb_pct_b", &bands.pct_b, |i| bb(i, 4));

    assert_column("vol_shift", &frame.vol_shift, |i| {
        asof::vol_shift_at(
            high,
            low,
            close,
            p(params.atr_period),
            p(params.atr_long_period),
            i,
        )
    });
    assert_column("atr_pct_rank", &frame.atr_pct_rank, |i| {
        asof::atr_pct_rank_at(
            high,
            low,
            close,
            p(params.atr_period),
            p(params.atr_pct_lookback),
            i,
        )
    });

    let strength = p(params.swing_strength);
    let swings = &frame.swings;
    let swings_at: Vec<_> = (0..n_bars)
        .map(|i| asof::swings_at(high, low, strength, i))
        .collect();
    assert_column("swing_high", &swings.high, |i| {
        swings_at[i].0.map(|(price, _)| price)
    });
    assert_column("swing_high_bar", &swings.high_bar, |i| {
        swings_at[i].0.map(|(_, bar)| bar as f64)
    });
    assert_column("swing_low", &swings.low, |i| {
        swings_at[i].1.map(|(price, _)| price)
    });
    assert_column("swing_low_bar", &swings.low_bar, |i| {
        swings_at[i].1.map(|(_, bar)| bar as f64)
    });
    for pivot in &swings.pivots {
        assert_eq!(
            pivot.confirmed_bar_idx,
            pivot.bar_idx + strength,
            "{pivot:?}"
        );
    }

    let fib_at: Vec<_> = (0..n_bars)
        .map(|i| asof::fib_at(high, low, close, strength, p(params.atr_period), i))
        .collect();
    let fib = |i: usize| fib_at[i];
    for (level, column) in frame.fib.levels.iter().enumerate() {
        assert_column(&format!("fib level {level}"), column, |i| {
            fib(i).map(|f| f.0[level])
        });
    }
    assert_column("fib_direction", &frame.fib.direction, |i| {
        fib(i).map(|f| f.1)
    });
    assert_column("fib_dist_atr", &frame.fib.dist_atr, |i| {
        fib(i).and_then(|f| f.2)
    });

    let htf_at: Vec<_> = (0..n_bars)
        .map(|i| {
            asof::htf_at(
                ts,
                close,
                tf_ms,
                p(params.htf_multiple),
                p(params.htf_ema_period),
                i,
            )
        })
        .collect();
    let htf = |i: usize| htf_at[i];
    assert_column("htf_close", &frame.htf.close, |i| htf(i).0);
    assert_column("htf_ema", &frame.htf.ema, |i| htf(i).1);
    assert_column("htf_trend", &frame.htf.trend, |i| htf(i).2);

    let sma = store.sma(case.sma_period).unwrap();
    assert_column("sma", &sma, |i| asof::sma_at(close, p(case.sma_period), i));
    let channel = store.donchian(case.donchian_period).unwrap();
    let period = p(case.donchian_period);
    assert_column("donchian_upper", &channel.upper, |i| {
        asof::donchian_at(high, low, period, i).map(|(upper, _)| upper)
    });
    assert_column("donchian_lower", &channel.lower, |i| {
        asof::donchian_at(high, low, period, i).map(|(_, lower)| lower)
    });
    assert_column("donchian_mid", &channel.mid, |i| {
        asof::donchian_at(high, low, period, i).map(|(upper, lower)| (upper + lower) / 2.0)
    });
}

#[test]
fn default_features_match_the_oracle_on_a_few_thousand_bars() {
    let case = Case {
        features: FeatureParams::default(),
        sma_period: 20,
        donchian_period: 20,
    };
    for seed in [1, 2] {
        let candles = Arc::new(random_walk(seed, 2_500));
        assert_matches_oracle(&candles, &case);
    }
}

fn case_strategy() -> impl Strategy<Value = Case> {
    (
        (1u32..80, 1u32..80, 1u32..40, 1u32..40, 1u32..120, 1u32..300),
        (1u32..50, 0.5f64..3.0, 1u32..6, 1u32..8, 1u32..30),
        (1u32..60, 1u32..60),
    )
        .prop_map(|(periods, more, blocks)| {
            let (ema_fast, ema_slow, rsi_period, atr_period, atr_long_period, atr_pct_lookback) =
                periods;
            let (bb_period, bb_std, swing_strength, htf_multiple, htf_ema_period) = more;
            Case {
                features: FeatureParams {
                    ema_fast,
                    ema_slow,
                    rsi_period,
                    atr_period,
                    atr_long_period,
                    atr_pct_lookback,
                    bb_period,
                    bb_std,
                    swing_strength,
                    htf_multiple,
                    htf_ema_period,
                },
                sma_period: blocks.0,
                donchian_period: blocks.1,
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn every_feature_matches_the_oracle_for_any_seed_and_parameters(
        seed in any::<u64>(),
        n_bars in 2usize..900,
        case in case_strategy(),
    ) {
        let candles = Arc::new(random_walk(seed, n_bars));
        assert_matches_oracle(&candles, &case);
    }
}
