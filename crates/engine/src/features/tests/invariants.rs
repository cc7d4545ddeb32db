//! Invariants that hold for any data: ranges, no look-ahead under appending, constant input.

use std::sync::Arc;

use proptest::prelude::*;

use super::gen::{constant, prefix, random_walk};
use crate::data::Candles;
use crate::features::column::Column;
use crate::features::{FeatureFrame, FeatureParams, FeatureStore, FIB_RATIOS};

fn frame_of(candles: &Candles, params: &FeatureParams) -> (FeatureStore, FeatureFrame) {
    let mut store = FeatureStore::new(Arc::new(candles.clone()));
    let frame = FeatureFrame::compute(&mut store, params).unwrap();
    (store, frame)
}

/// The valid values of a column with their bar index.
fn valid(column: &Column) -> impl Iterator<Item = (usize, f64)> + '_ {
    (column.first_valid()..column.len()).filter_map(|i| column.get(i).map(|v| (i, v)))
}

fn small_params() -> impl Strategy<Value = FeatureParams> {
    (
        1u32..40,
        1u32..40,
        1u32..30,
        1u32..30,
        1u32..60,
        1u32..100,
        1u32..30,
        0.5f64..3.0,
        1u32..5,
    )
        .prop_map(
            |(
                ema_fast,
                ema_slow,
                rsi_period,
                atr_period,
                atr_long_period,
                atr_pct_lookback,
                bb_period,
                bb_std,
                swing_strength,
            )| {
                FeatureParams {
                    ema_fast,
                    ema_slow,
                    rsi_period,
                    atr_period,
                    atr_long_period,
                    atr_pct_lookback,
                    bb_period,
                    bb_std,
                    swing_strength,
                    htf_multiple: 3,
                    htf_ema_period: 5,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Guards against look-ahead: a value that changes when later bars arrive used them.
    /// Compared bit for bit, warm-up boundaries included.
    #[test]
    fn appending_bars_never_changes_a_past_value(
        seed in any::<u64>(),
        n_bars in 40usize..1500,
        cut_fraction in 0.05f64..1.0,
        params in small_params(),
    ) {
        let full = random_walk(seed, n_bars);
        let cut = ((n_bars as f64 * cut_fraction) as usize).max(2);
        let head = prefix(&full, cut);
        prop_assume!(head.timeframe_ms() == full.timeframe_ms());
        let (mut head_store, head_frame) = frame_of(&head, &params);
        let (mut full_store, full_frame) = frame_of(&full, &params);
        for ((name, short), (_, long)) in head_frame.columns().iter().zip(full_frame.columns().iter()) {
            prop_assert_eq!(short.len(), cut);
            for bar_idx in 0..cut {
                prop_assert_eq!(
                    short.values()[bar_idx].to_bits(),
                    long.values()[bar_idx].to_bits(),
                    "{} at bar {}", name, bar_idx
                );
            }
            prop_assert_eq!(short.first_valid().min(cut), long.first_valid().min(cut), "{}", name);
        }
        let known: Vec<_> = full_frame
            .pivots()
            .iter()
            .filter(|pivot| pivot.confirmed_bar_idx < cut)
            .copied()
            .collect();
        prop_assert_eq!(head_frame.pivots(), &known[..]);
        for period in [5, 20] {
            let short = head_store.donchian(period).unwrap();
            let long = full_store.donchian(period).unwrap();
            for bar_idx in 0..cut {
                prop_assert_eq!(short.upper.values()[bar_idx].to_bits(), long.upper.values()[bar_idx].to_bits());
                prop_assert_eq!(short.lower.values()[bar_idx].to_bits(), long.lower.values()[bar_idx].to_bits());
            }
            let short = head_store.sma(period).unwrap();
            let long = full_store.sma(period).unwrap();
            for bar_idx in 0..cut {
                prop_assert_eq!(short.values()[bar_idx].to_bits(), long.values()[bar_idx].to_bits());
            }
        }
    }

    #[test]
    fn values_stay_in_their_ranges(seed in any::<u64>(), n_bars in 2usize..1500, params in small_params()) {
        let candles = random_walk(seed, n_bars);
        let (_, frame) = frame_of(&candles, &params);
        for (i, value) in valid(&frame.rsi) {
            prop_assert!((0.0..=100.0).contains(&value), "rsi {} at {}", value, i);
        }
        for column in [&*frame.atr, &*frame.atr_long] {
            for (i, value) in valid(column) {
                prop_assert!(value >= 0.0, "atr {} at {}", value, i);
            }
        }
        let bands = &frame.bollinger;
        for (i, mid) in valid(&bands.mid) {
            let (upper, lower) = (bands.upper.values()[i], bands.lower.values()[i]);
            prop_assert!(lower <= mid && mid <= upper, "bands {} {} {} at {}", lower, mid, upper, i);
            prop_assert!(bands.width.values()[i] >= 0.0);
        }
        for (i, value) in valid(&frame.atr_pct_rank) {
            prop_assert!((0.0..=1.0).contains(&value), "rank {} at {}", value, i);
        }
        for (i, value) in valid(&frame.vol_shift) {
            prop_assert!(value >= 0.0, "vol shift {} at {}", value, i);
        }
        // Pivots are known only after their right-hand bars, and each is a real extreme.
        for pivot in frame.pivots() {
            prop_assert_eq!(pivot.confirmed_bar_idx, pivot.bar_idx + params.swing_strength as usize);
        }
        // Fib levels lie between the leg's ends, in ratio order from the end.
        for (i, direction) in valid(&frame.fib.direction) {
            let (hi, lo) = (frame.swings.high.values()[i], frame.swings.low.values()[i]);
            let (low_end, high_end) = (hi.min(lo), hi.max(lo));
            for level in &frame.fib.levels {
                let value = level.values()[i];
                prop_assert!(value >= low_end - 1e-9 && value <= high_end + 1e-9);
            }
            prop_assert!(direction == 1.0 || direction == -1.0);
        }
        prop_assert_eq!(FIB_RATIOS.len(), frame.fib.levels.len());
    }

    /// Constant prices: every average is the price, every spread is zero. Within one part in
    /// 1e12 for averages of an arbitrary price (its sum may round), exact for the rest.
    #[test]
    fn constant_input_gives_constant_output(price in 0.01f64..1e6, n_bars in 2usize..400) {
        let candles = constant(price, n_bars);
        let params = FeatureParams {
            atr_pct_lookback: 20,
            htf_ema_period: 3,
            ..FeatureParams::default()
        };
        let (mut store, frame) = frame_of(&candles, &params);
        let near = |value: f64| (value - price).abs() <= 1e-12 * price;
        for column in [&*frame.ema_fast, &*frame.ema_slow, &*store.sma(10).unwrap(), &frame.htf.ema] {
            for (i, value) in valid(column) {
                prop_assert!(near(value), "average {} at {} for price {}", value, i, price);
            }
        }
        for (_, value) in valid(&frame.rsi) {
            prop_assert_eq!(value, crate::features::rsi::RSI_FLAT);
        }
        for (_, value) in valid(&frame.atr) {
            prop_assert_eq!(value, 0.0);
        }
        let bands = &frame.bollinger;
        for (i, mid) in valid(&bands.mid) {
            prop_assert_eq!(mid, price);
            prop_assert_eq!(bands.upper.values()[i], price);
            prop_assert_eq!(bands.lower.values()[i], price);
            prop_assert_eq!(bands.width.values()[i], 0.0);
            prop_assert_eq!(bands.pct_b.values()[i], crate::features::bollinger::PCT_B_FLAT);
        }
        for (_, value) in valid(&frame.vol_shift) {
            prop_assert_eq!(value, crate::features::vol_shift::VOL_SHIFT_FLAT);
        }
        // Every previous ATR (all 0) is at or below the current one.
        for (_, value) in valid(&frame.atr_pct_rank) {
            prop_assert_eq!(value, 1.0);
        }
        for (_, value) in valid(&frame.htf.trend) {
            prop_assert!(value.abs() <= 1e-12);
        }
        let channel = store.donchian(10).unwrap();
        for (i, upper) in valid(&channel.upper) {
            prop_assert_eq!(upper, price);
            prop_assert_eq!(channel.lower.values()[i], price);
        }
        prop_assert!(frame.pivots().is_empty(), "a flat series has no strict swing");
        prop_assert!(!frame.fib.direction.has_valid());
    }
}

#[test]
fn ema_and_sma_of_an_exactly_representable_constant_are_exact() {
    for price in [100.0, 0.375, 12_345.25] {
        let candles = constant(price, 300);
        let (mut store, frame) = frame_of(&candles, &FeatureParams::default());
        for column in [&*frame.ema_fast, &*frame.ema_slow, &*store.sma(30).unwrap()] {
            assert!(column.has_valid());
            assert!(valid(column).all(|(_, value)| value == price));
        }
    }
}

#[test]
fn data_shorter_than_every_warm_up_has_no_valid_value_and_no_panic() {
    let candles = random_walk(7, 2);
    let (_, frame) = frame_of(&candles, &FeatureParams::default());
    for (name, column) in frame.columns() {
        assert_eq!(column.len(), 2, "{name}");
        assert!(!column.has_valid(), "{name} has a value on two bars");
    }
}
